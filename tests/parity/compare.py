"""How two float64 results are judged equal.

Finite numbers agree to a relative tolerance, or an absolute one near zero.
NaN equals NaN (undefined math must stay undefined on both sides) and an
infinity equals only the infinity of the same sign.
"""

import math

REL_TOL = 1e-12
ABS_TOL = 1e-12


def close(a, b, rel=REL_TOL, abs_tol=ABS_TOL):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_tol)


def differences(ours, ref, rel=REL_TOL, abs_tol=ABS_TOL):
    """What differs between two results (objects with .value and .grads):
    a list of (what, ours, reference) triples, empty when they agree. A grad
    missing on our side is reported, never assumed."""
    out = []
    if not close(ours.value, ref.value, rel, abs_tol):
        out.append(("value", ours.value, ref.value))
    for name, g in ref.grads.items():
        mine = ours.grads.get(name)
        if mine is None:
            out.append((f"grad {name} (missing)", None, g))
        elif not close(mine, g, rel, abs_tol):
            out.append((f"grad {name}", mine, g))
    for name in ours.grads:
        if name not in ref.grads:
            out.append((f"grad {name} (not an input)", ours.grads[name], None))
    return out
