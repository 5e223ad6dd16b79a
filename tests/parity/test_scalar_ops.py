"""Every scalar op of mg_ops.def against PyTorch, edges included.

parity_scalar_dump (scalar_dump.c) builds each op at points where derivative
conventions differ, runs backward through out * 1.7, and prints the output,
the op node's edges (mg_node_edges: local derivative and contribution) and
the inputs' grads. Here torch computes the same op in float64:
  - out agrees with torch's forward;
  - each edge's local derivative agrees with torch.autograd.grad of out with
    respect to that operand (upstream 1);
  - each contribution agrees with torch's grad of that input under upstream
    1.7, and is bit for bit the grad our backward left in the input;
all to 1e-12 relative, NaN and infinities exactly. Every op must have cases.
"""

import math

import pytest
import torch
import torch.nn.functional as F

import cli
import compare
from conftest import STATS

UPSTREAM = 1.7

FUNCTIONS = {
    ("+", 2): lambda a, b, k: a + b,
    ("-", 2): lambda a, b, k: a - b,
    ("*", 2): lambda a, b, k: a * b,
    ("/", 2): lambda a, b, k: a / b,
    ("**", 2): lambda a, b, k: a ** b,
    ("**", 1): lambda a, b, k: a ** k,
    ("neg", 1): lambda a, b, k: -a,
    ("exp", 1): lambda a, b, k: torch.exp(a),
    ("log", 1): lambda a, b, k: torch.log(a),
    ("tanh", 1): lambda a, b, k: torch.tanh(a),
    ("relu", 1): lambda a, b, k: torch.relu(a),
    ("sigmoid", 1): lambda a, b, k: torch.sigmoid(a),
    ("bce", 1): lambda a, b, k: F.binary_cross_entropy_with_logits(a, torch.tensor(k)),
}


def number(v):
    return float(v)  # "nan", "inf", "-inf" parse as themselves


def same_bits(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def run_case(case):
    k = None if case["k"] is None else number(case["k"])
    inputs = [torch.tensor(number(v), requires_grad=True) for v in case["inputs"]]
    f = FUNCTIONS[(case["name"], len(inputs))]
    out = f(inputs[0], inputs[1] if len(inputs) > 1 else None, k)
    local = torch.autograd.grad(out, inputs, allow_unused=True, retain_graph=True)
    (out * UPSTREAM).backward()
    problems = []

    def check(what, ours, theirs):
        ours = number(ours)
        theirs = 0.0 if theirs is None else float(theirs)
        if not compare.close(ours, theirs):
            problems.append(f"{what}: ours {ours!r}, torch {theirs!r}")

    check("out", case["out"], out.item())
    for i, x in enumerate(inputs):
        check(f"local[{i}]", case["local"][i], local[i])
        check(f"contribution[{i}]", case["contribution"][i], x.grad)
        if not same_bits(number(case["contribution"][i]), number(case["grads"][i])):
            problems.append(f"contribution[{i}] {case['contribution'][i]} is not what backward "
                            f"added ({case['grads'][i]})")
    return problems


@pytest.fixture(scope="module")
def dump(scalar_dump):
    lines = cli.run_dump(scalar_dump)
    assert lines and "ops" in lines[-1], "the dump did not list the engine's ops"
    return lines[:-1], lines[-1]["ops"]


def test_every_scalar_op_has_parity_cases(dump):
    cases, ops = dump
    covered = {str(c["op"]) for c in cases}
    missing = [f"{name} ({op})" for op, name in ops.items() if op not in covered]
    assert not missing, "scalar ops without a parity case: " + ", ".join(missing)


def test_scalar_ops_and_edges_match_pytorch(dump):
    cases, _ = dump
    bad = []
    for case in cases:
        problems = run_case(case)
        if problems:
            bad.append(f"{case['name']} k={case['k']} at {case['inputs']}: " + "; ".join(problems))
    STATS["scalar ops"] = f"{len(cases)} op/point cases, {len(bad)} disagree"
    assert not bad, f"{len(bad)} of {len(cases)} cases disagree with PyTorch\n" + "\n".join(bad[:30])
