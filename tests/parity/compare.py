"""How two float64 results are judged equal.

Finite numbers agree to a relative tolerance, or an absolute one near zero.
NaN equals NaN (undefined math must stay undefined on both sides) and an
infinity equals only the infinity of the same sign.
"""

import math

REL_TOL = 1e-12
ABS_TOL = 1e-12
# A few ulps, in units of REL_TOL: what a rounding difference may cost where
# a formula cancels (see torch_ref.scales).
ULP_SLACK = 4 * 2.0 ** -53 / REL_TOL


def close(a, b, rel=REL_TOL, abs_tol=ABS_TOL, scale=0.0):
    """a and b agree: relative to the larger of |a|, |b| and scale (the size
    of the terms that were summed, see torch_ref.scales), or absolutely."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    size = max(abs(a), abs(b), scale if math.isfinite(scale) else 0.0)
    return abs(a - b) <= max(rel * size, abs_tol)


def differences(ours, ref, rel=REL_TOL, abs_tol=ABS_TOL, scales=None):
    """What differs between two results (objects with .value and .grads):
    a list of (what, ours, reference) triples, empty when they agree. A grad
    missing on our side is reported, never assumed. scales (Result-shaped,
    optional) widens each tolerance to the size of its summed terms."""
    out = []
    value_scale = scales.value if scales else 0.0
    if not close(ours.value, ref.value, rel, abs_tol, value_scale):
        out.append(("value", ours.value, ref.value))
    for name, g in ref.grads.items():
        mine = ours.grads.get(name)
        grad_scale = scales.grads.get(name, 0.0) if scales else 0.0
        if mine is None:
            out.append((f"grad {name} (missing)", None, g))
        elif not close(mine, g, rel, abs_tol, grad_scale):
            out.append((f"grad {name}", mine, g))
    for name in ours.grads:
        if name not in ref.grads:
            out.append((f"grad {name} (not an input)", ours.grads[name], None))
    return out


def tensor_problems(what, ours, theirs, rel, abs_tol=0.0, relative_to_largest=False):
    """A flat list of our numbers against a torch tensor, element by element
    by close(): [] when all agree, else one line naming the worst element.
    relative_to_largest judges each element relative to the tensor's largest
    too: where the exact answer is 0, both sides hold rounding noise the size
    of the tensor's other terms (a softmax ignores a shift of its row)."""
    theirs = theirs.detach().flatten().tolist()
    if len(ours) != len(theirs):
        return [f"{what}: {len(ours)} numbers, torch {len(theirs)}"]
    finite = [abs(x) for x in theirs if math.isfinite(x)]
    scale = max(finite, default=0.0) if relative_to_largest else 0.0
    bad = [i for i, (a, b) in enumerate(zip(ours, theirs))
           if not close(a, b, rel, abs_tol, scale)]
    if not bad:
        return []
    worst = max(bad, key=lambda i: abs(ours[i] - theirs[i]) if math.isfinite(ours[i] - theirs[i])
                else math.inf)
    return [f"{what}: {len(bad)} of {len(ours)} differ; [{worst}] ours {ours[worst]!r}, "
            f"torch {theirs[worst]!r}"]
