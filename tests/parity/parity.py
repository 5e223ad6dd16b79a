"""Judging mgviz against PyTorch, and shrinking a failing program.

judge() compares one program's outcome with the reference; shrink() makes a
failing program as small as it can while it still fails, so a report shows
the few operations that matter rather than sixty lines of noise.
"""

import dataclasses
import math

import compare
import progen
import torch_ref
from progen import Bin, Call, Neg, Var


# Programs whose outcome one ulp of rounding can change (see
# torch_ref.rounding_sensitive): they disagreed, but prove nothing. Tests cap
# how many there may be, so this cannot hide a real difference wholesale.
INCONCLUSIVE = []


def judge(program, outcome, functions=None):
    """Problems with outcome (a cli.Outcome) against the reference: a list
    of (what, ours, reference) triples, empty when mgviz agrees or when the
    program is too sensitive to rounding to tell (counted in INCONCLUSIVE)."""
    try:
        ref = torch_ref.run(program, functions)
    except Exception as e:  # a program torch cannot run is not a test
        if outcome.error and not outcome.crashed:
            return []
        return [("reference failed", outcome.error or "graph", f"{type(e).__name__}: {e}")]
    if outcome.error:
        return [("mgviz failed", outcome.error, "torch ran it")]
    problems = compare.differences(outcome, ref)
    if problems:  # rounding cancelled in a sum? judge against the summed terms
        problems = compare.differences(outcome, ref, scales=torch_ref.scales(program))
    if problems and torch_ref.rounding_sensitive(program, ref):
        INCONCLUSIVE.append(program)
        return []
    return problems


def report(program, problems, seed=None, index=None, minimal=None, minimal_problems=None):
    """A failure as text: seed, program, inputs, ours against torch."""
    where = f"seed {seed}" + (f", program #{index}" if index is not None else "")
    lines = [f"parity failure ({where})"]

    def show(p, probs):
        lines.append("  inputs: " + " ".join(f"{k}={progen.number(v)}"
                                             for k, v in p.inputs.items()))
        lines.append("  program:")
        lines.extend("    " + line for line in progen.render(p).splitlines())
        for what, ours, ref in probs:
            lines.append(f"  {what}: mgviz {_fmt(ours)}  torch {_fmt(ref)}")

    if minimal is not None:
        lines.append(" minimal failing program:")
        show(minimal, minimal_problems)
        lines.append(" as generated:")
    show(program, problems)
    return "\n".join(lines)


def _fmt(v):
    return repr(v) if isinstance(v, float) and math.isfinite(v) else str(v)


# ---- shrinking ----

def _children(e):
    if isinstance(e, Bin):
        return [e.a, e.b]
    if isinstance(e, (Neg, Call)):
        return [e.a]
    return []


def _smaller_exprs(e, names):
    """Expressions like e with one operation removed or one subtree replaced
    by a plain input name; each still reads some name."""
    if _children(e) or (isinstance(e, Var) and e.name not in names):
        for c in _children(e):
            if progen.depends(c):
                yield c
        for n in names:
            yield Var(n)
    if isinstance(e, Bin):
        for a in _smaller_exprs(e.a, names):
            if progen.depends(a) or progen.depends(e.b):
                yield Bin(e.op, a, e.b)
        for b in _smaller_exprs(e.b, names):
            if progen.depends(e.a) or progen.depends(b):
                yield Bin(e.op, e.a, b)
    elif isinstance(e, (Neg, Call)):
        for a in _smaller_exprs(e.a, names):
            yield dataclasses.replace(e, a=a)


def _with_inputs_used(p, all_inputs):
    used = progen._first_use_order(p.statements, p.root)
    return dataclasses.replace(p, inputs={n: all_inputs[n] for n in used if n in all_inputs})


def _substitute(e, name, by):
    if isinstance(e, Var):
        return by if e.name == name else e
    if isinstance(e, Bin):
        return Bin(e.op, _substitute(e.a, name, by), _substitute(e.b, name, by))
    if isinstance(e, (Neg, Call)):
        return dataclasses.replace(e, a=_substitute(e.a, name, by))
    return e


def _inlined(p, i):
    """p with statement i (a plain `name = e` never assigned again) removed
    and e written in place of every later read of name."""
    s = p.statements[i]
    later = p.statements[i + 1:]
    if s.op or any(t.name == s.name for t in later):
        return None
    rest = [dataclasses.replace(t, expr=_substitute(t.expr, s.name, s.expr)) for t in later]
    return dataclasses.replace(p, statements=p.statements[:i] + rest,
                               root=_substitute(p.root, s.name, s.expr))


def _candidates(p, all_inputs):
    names = list(p.inputs)
    for i in range(len(p.statements)):
        inlined = _inlined(p, i)
        if inlined is not None:
            yield inlined
    for i in range(len(p.statements)):
        yield dataclasses.replace(p, statements=p.statements[:i] + p.statements[i + 1:])
    for e in _smaller_exprs(p.root, names):
        yield dataclasses.replace(p, root=e)
    for i, s in enumerate(p.statements):
        if s.op:
            yield dataclasses.replace(p, statements=p.statements[:i] +
                                      [dataclasses.replace(s, op="")] + p.statements[i + 1:])
        for e in _smaller_exprs(s.expr, names):
            yield dataclasses.replace(p, statements=p.statements[:i] +
                                      [dataclasses.replace(s, expr=e)] + p.statements[i + 1:])


def _well_formed(p):
    """True when every name is an input or assigned before it is read."""
    known = set(p.inputs)
    for s in p.statements:
        reads = {n.name for n in progen.walk(s.expr) if isinstance(n, Var)}
        if not reads <= known or (s.op and s.name not in known):
            return False
        known.add(s.name)
    return {n.name for n in progen.walk(p.root) if isinstance(n, Var)} <= known


def shrink(program, still_fails, budget=400):
    """The smallest program found (greedily) for which still_fails(p) is
    true, trying at most budget candidates; program itself if none is."""
    all_inputs = dict(program.inputs)
    best = program
    tries = 0
    improved = True
    while improved and tries < budget:
        improved = False
        for cand in _candidates(best, all_inputs):
            cand = _with_inputs_used(cand, all_inputs)
            if not cand.inputs or not _well_formed(cand):
                continue
            tries += 1
            if still_fails(cand):
                best, improved = cand, True
                break
            if tries >= budget:
                break
    return best
