"""The reference: a program run through torch.autograd in float64.

Inputs become leaf tensors with requires_grad; constants stay Python floats;
tanh(x) and x.tanh() map to torch.tanh, and so on. A leaf the root does not
reach has grad None in torch: it counts as 0, as in our engine.
"""

import math
import operator
import random
from dataclasses import dataclass

import torch

import compare
import progen

DTYPE = torch.float64


def _as_tensor(v):
    return v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=DTYPE)


def default_functions():
    """The name -> function table a translated program is run with: Python's
    operators (on tensors they are torch's) and torch's functions."""
    # c / x goes through torch's division: Python's 2.0 / x is reciprocal(x)
    # * 2.0 in torch, whose gradient for 0.0 / x at tiny x is NaN (-0 * inf).
    table = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
             "div": lambda a, b: _as_tensor(a) / b, "pow": operator.pow,
             "neg": operator.neg}
    for name, f in (("tanh", torch.tanh), ("relu", torch.relu), ("sigmoid", torch.sigmoid),
                    ("exp", torch.exp), ("log", torch.log)):
        table[name] = (lambda f: lambda v: f(_as_tensor(v)))(f)
    return table


@dataclass
class Result:
    value: float
    grads: dict  # input name -> float


_compiled = {}


def _compile(source):
    code = _compiled.get(source)
    if code is None:
        if len(_compiled) > 20000:
            _compiled.clear()
        code = _compiled[source] = compile(source, "<program>", "exec")
    return code


def _execute(program, functions):
    leaves = {n: torch.tensor(v, dtype=DTYPE, requires_grad=True)
              for n, v in program.inputs.items()}
    env = dict(functions)
    env.update(leaves)
    exec(_compile(progen.render_python(program)), {"__builtins__": {}}, env)
    root = env["__root__"]
    if not isinstance(root, torch.Tensor):
        raise ValueError("the root does not depend on any input")
    if root.requires_grad:
        root.backward()
    return root, leaves


def _grad(t):
    return t.grad.item() if t.grad is not None else 0.0


def run(program, functions=None):
    """Runs a progen.Program through torch; returns Result. Raises whatever
    Python raises for a program that is not valid (e.g. an undefined name)."""
    root, leaves = _execute(program, functions or default_functions())
    return Result(root.item(), {n: _grad(t) for n, t in leaves.items()})


# ---- error scales ----
#
# Two correct float64 engines may round one op differently (PyTorch computes
# x ** 3 as x*x*x, 2.0 / x as reciprocal(x) * 2.0). When terms then cancel, a
# one-ulp difference can be most of a small result: x / e * e gives 0 in one
# engine and 0.125 in the other, both right to 16 digits of the terms. So a
# difference is judged against the size of what was summed: the gradient
# computed with every local derivative and incoming gradient replaced by its
# absolute value (the sum over paths of |path product|), and for the value,
# that sum times |node| over every node. Without cancellation these are about
# |grad| and |value|, and the tolerance stays 1e-12 relative. A local
# derivative that itself cancels (tanh's 1 - out**2 near saturation) adds a
# few ulps of its terms.

def _local_abs(name, a, b, out):
    """|d out / d a| and |d out / d b| (None for a constant operand)."""
    ta = _as_tensor(a)
    tb = _as_tensor(b) if b is not None else None
    one = torch.ones((), dtype=DTYPE)
    if name in ("add", "sub"):
        return one, one
    if name == "mul":
        return tb.abs(), ta.abs()
    if name == "div":
        return 1 / tb.abs(), (ta / tb / tb).abs()
    if name == "pow":
        da = torch.where(tb == 0, 0 * one, (tb * ta ** (tb - 1)).abs())
        db = torch.where((ta == 0) & (tb >= 0), 0 * one, (out * torch.log(ta)).abs())
        return da, db
    # 1 - out*out and 1 - out cancel near saturation: a few ulps of the terms
    # (out*out, out) stand in for the error of computing them
    slack = compare.ULP_SLACK
    local = {"neg": lambda: one, "exp": lambda: out.abs(), "log": lambda: 1 / ta.abs(),
             "tanh": lambda: (1 - out * out).abs() + slack * out * out,
             "relu": lambda: (out > 0).to(DTYPE),
             "sigmoid": lambda: (out * (1 - out)).abs() + slack * out.abs()}[name]()
    return local, None


class _AbsChain(torch.autograd.Function):
    """The op `name` forward as usual; backward with absolute values."""

    @staticmethod
    def forward(ctx, name, a, b):
        out = default_functions()[name](*((a,) if b is None else (a, b)))
        ctx.name, ctx.a, ctx.b, ctx.out = name, a, b, out
        return out

    @staticmethod
    def backward(ctx, g):
        da, db = _local_abs(ctx.name, ctx.a, ctx.b, ctx.out)
        ga = g.abs() * da if isinstance(ctx.a, torch.Tensor) else None
        gb = g.abs() * db if isinstance(ctx.b, torch.Tensor) else None
        return None, ga, gb


def _abs_functions(nodes):
    def wrap(name, unary):
        def f(a, b=None):
            if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
                return plain[name](*((a,) if b is None else (a, b)))  # -2.0: a constant
            out = _AbsChain.apply(name, a, b)
            out.retain_grad()
            nodes.append(out)
            return out
        return (lambda a: f(a)) if unary else f

    plain = default_functions()
    unary = ("neg", "tanh", "relu", "sigmoid", "exp", "log")
    return {name: wrap(name, name in unary) for name in default_functions()}


def _perturbed_functions(rng):
    """The default table, with every finite non-zero result moved one ulp up
    or down at random (as another correct engine might round it)."""
    plain = default_functions()

    def wrap(f):
        def g(*args):
            out = f(*args)
            if not isinstance(out, torch.Tensor):
                return out
            v = out.detach()
            if not torch.isfinite(v) or v == 0:
                return out
            toward = torch.tensor(math.inf if rng.random() < 0.5 else -math.inf, dtype=DTYPE)
            return out + (torch.nextafter(v, toward) - v)  # the grad flows through out
        return g

    return {name: wrap(f) for name, f in plain.items()}


def rounding_sensitive(program, ref, trials=4, seed=0):
    """True when moving each op's result by one ulp changes the outcome
    beyond the tolerance: the program sits on a cancellation or a
    singularity at these inputs (x + t - t ~ 0 then ** -1.7), so two correct
    engines may disagree and the comparison says nothing about either."""
    rng = random.Random(seed)
    sizes = scales(program)
    for _ in range(trials):
        other = run(program, _perturbed_functions(rng))
        if compare.differences(other, ref, scales=sizes):
            return True
    return False


def scales(program):
    """Result-shaped error scales: .value for the root, .grads per input."""
    nodes = []
    root, leaves = _execute(program, _abs_functions(nodes))

    def finite_sum(terms):
        return math.fsum(t for t in terms if math.isfinite(t))

    value = finite_sum([abs(_grad(n) * n.item()) for n in nodes] +
                       [abs(_grad(t) * t.item()) for t in leaves.values()])
    return Result(max(value, abs(root.item())), {n: _grad(t) for n, t in leaves.items()})
