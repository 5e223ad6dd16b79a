"""The chain rule as data: every JSON edge of random programs against torch.

Random programs (progen) go through `mgviz expr --batch --format json`. For
every edge {"from", "to", "operand", "local", "upstream", "contribution"} of
every graph:
  - local equals torch's derivative of that node's op with respect to that
    operand, evaluated at the operands' values in the JSON (float64, 1e-12,
    NaN and infinities exactly; a zero operand may be read as 0.0 or -0.0,
    since the JSON writes both as 0);
  - contribution equals what torch's backward of that op sends that operand
    for that upstream (torch.autograd.grad with grad_outputs = upstream), so
    PyTorch's edge rules (0 ** 0, relu at 0, infinite upstreams) are checked;
  - upstream is the node's grad;
  - the contributions into every node add up to its grad, bit for bit, in
    backward's order (users by falling id, operand 0 before 1; a leaf's sum
    starts from 0, an interior node's from its first contribution).
"""

import math
import os

import pytest
import torch

import cli
import compare
import progen
import torch_ref
from conftest import STATS

DTYPE = torch.float64
_UNARY = {"neg": torch.neg, "exp": torch.exp, "log": torch.log, "tanh": torch.tanh,
          "relu": torch.relu, "sigmoid": torch.sigmoid}
_BINARY = {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div, "**": torch.pow}


def op_function(node, arity):
    """The torch function of a node's op ("*", "tanh", ...; "**2" is ** with
    the node's exact constant "k", which the label rounds)."""
    label = node["op"]
    if arity == 2:
        return _BINARY[label]
    if label in _UNARY:
        return _UNARY[label]
    if label.startswith("**"):
        k = node["k"]
        return lambda a: a ** k
    raise KeyError(label)


_cache = {}


def torch_edge(node, values, operand, upstream):
    """(local, contribution) of torch's op at these operand values."""
    signs = tuple(math.copysign(1.0, v) for v in values)  # 0.0 == -0.0 as keys
    key = (node["op"], node.get("k"), tuple(values), signs, operand, upstream)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    xs = [torch.tensor(v, dtype=DTYPE, requires_grad=True) for v in values]
    out = op_function(node, len(xs))(*xs)
    local, = torch.autograd.grad(out, xs[operand], retain_graph=True, allow_unused=True)
    sent, = torch.autograd.grad(out, xs[operand], torch.tensor(upstream, dtype=DTYPE),
                                allow_unused=True)
    result = tuple(0.0 if t is None else t.item() for t in (local, sent))
    if len(_cache) > 200000:
        _cache.clear()
    _cache[key] = result
    return result


def signed_zeros(values):
    """Every way to read the operand values: the JSON writes -0.0 as 0, so a
    zero operand may have been either (1 / x at x = -0.0 is -inf)."""
    variants = [[]]
    for v in values:
        signs = (v, -v) if v == 0 else (v,)
        variants = [w + [s] for w in variants for s in signs]
    return variants


def rounding_scales(node, upstream):
    """Error scales (compare.close) of local and contribution where the
    derivative cancels: tanh's 1 - out**2 and sigmoid's (1 - out) * out near
    saturation turn one ulp of out (libm and torch may round tanh apart)
    into many ulps of the result, so a few ulps of the terms are allowed."""
    out = node["data"]
    if node["op"] == "tanh":
        s = abs(1 - out * out) + compare.ULP_SLACK * out * out
    elif node["op"] == "sigmoid":
        s = abs(out * (1 - out)) + compare.ULP_SLACK * abs(out)
    else:
        return 0.0, 0.0
    return s, abs(upstream) * s


def agrees(e, node, values):
    """True when some reading of the operands gives torch's local and
    contribution for this edge."""
    s_local, s_sent = rounding_scales(node, e.upstream)
    for vs in signed_zeros(values):
        local, sent = torch_edge(node, vs, e.operand, e.upstream)
        if (compare.close(e.local, local, scale=s_local)
                and compare.close(e.contribution, sent, scale=s_sent)):
            return True, None
    return False, torch_edge(node, values, e.operand, e.upstream)


def same_bits(a, b):
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def edge_problems(graph):
    """What is wrong with one graph's edges: a list of strings."""
    nodes, problems = graph.nodes, []
    sums = {}
    for e in sorted(graph.edges, key=lambda e: (-e.to, e.operand)):
        node = nodes[e.to]
        values = [nodes[p]["data"] for p in node["parents"]]
        if node["parents"][e.operand] != e.source:
            problems.append(f"edge {e}: node {e.to}'s operand {e.operand} is not {e.source}")
            continue
        ok, theirs = agrees(e, node, values)
        where = f"node {e.to} ({node['op']} of {values}) operand {e.operand}"
        if not ok:
            problems.append(f"{where}: local {e.local!r}, contribution {e.contribution!r} for "
                            f"upstream {e.upstream!r}; torch {theirs[0]!r}, {theirs[1]!r}")
        if not same_bits(e.upstream, node["grad"]):
            problems.append(f"{where}: upstream {e.upstream!r} is not its grad {node['grad']!r}")
        leaf = not nodes[e.source]["parents"]
        start = sums.get(e.source, 0.0 if leaf else -0.0)
        sums[e.source] = start + e.contribution
    for nid, total in sums.items():
        if not same_bits(total, nodes[nid]["grad"]):
            problems.append(f"node {nid}: contributions add up to {total!r}, "
                            f"its grad is {nodes[nid]['grad']!r}")
    return problems


def test_every_edge_matches_pytorch(mgviz, seed):
    count = int(os.environ.get("MGVIZ_PARITY_EDGE_PROGRAMS", 1500))
    gen = progen.Generator(seed + 7)
    programs = [gen.program() for _ in range(count)]
    outcomes = cli.run_batch(mgviz, programs)
    bad, edges, nonfinite = [], 0, 0
    for p, out in zip(programs, outcomes):
        if out.crashed:
            bad.append(f"mgviz crashed on\n{progen.render(p)}\n{out.error}")
            continue
        if out.error:
            continue
        edges += len(out.graph.edges)
        nonfinite += sum(not math.isfinite(e.contribution) for e in out.graph.edges)
        problems = edge_problems(out.graph)
        if problems:
            bad.append("program:\n  " + progen.render(p).replace("\n", "\n  ") + "\n  inputs: "
                       + " ".join(f"{k}={progen.number(v)}" for k, v in p.inputs.items())
                       + "\n  " + "\n  ".join(problems[:6]))
    STATS["edges"] = (f"{edges} edges of {count} programs (seed {seed + 7}), "
                      f"{nonfinite} non-finite, {len(bad)} programs disagree")
    assert edges > count  # programs have edges; an empty list would check nothing
    assert not bad, f"{len(bad)} of {count} programs have edges torch disagrees with\n\n" + \
        "\n\n".join(bad[:5])
