"""Every op against its PyTorch counterpart on a grid that includes the edges:
relu at 0, pow with integer and fractional exponents of negative bases and of
0, 0 ** 0, large |x| for tanh, sigmoid and exp, log near 0 and of 0, and
NaN or infinity flowing into each op. All through `mgviz expr` in batch mode.
"""

import pytest

import cli
import parity
import progen
from conftest import STATS
from progen import Bin, Call, Const, Neg, Program, Var

UNARY_POINTS = (0.0, -0.0, 5e-324, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, 1.0, -1.0, 2.5, -2.5,
                19.0, 20.0, -20.0, 36.0, 37.0, -37.0, 40.0, 300.0, -300.0, 709.0, 710.0,
                -745.0, -746.0, 1e308, -1e308)
BINARY_POINTS = (0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-300, 1e300, -1e308)
CONSTANTS = (0.0, 0.5, 2.0, 3.0, 1e300)
EXPONENTS = (0.0, 1.0, 2.0, 3.0, 4.0, -1.0, -2.0, -3.0, 0.5, -0.5, 1.5, 2.5, 1.0 / 3.0,
             0.25, 10.0, 100.0, -100.0)
POW_BASES = (-2.5, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.5, 1e-300, 1e300, 1e308)
# sub-expressions that feed NaN, -inf, inf and -inf into an op
SPECIALS = ((Call("log", Var("x"), False), -1.0), (Call("log", Var("x"), False), 0.0),
            (Call("exp", Var("x"), False), 1000.0), (Neg(Call("exp", Var("x"), False)), 1000.0))


def _constant(c):
    return Neg(Const(-c)) if c < 0 or (c == 0 and str(c).startswith("-")) else Const(c)


def _p(root, **inputs):
    return Program(inputs, [], root)


def grid():
    x, y = Var("x"), Var("y")
    for f in progen.FUNCTIONS:
        for v in UNARY_POINTS:
            yield _p(Call(f, x, False), x=v)
            yield _p(Call(f, x, True), x=v)
        for feed, v in SPECIALS:
            yield _p(Call(f, feed, f == "relu"), x=v)
    for v in UNARY_POINTS:
        yield _p(Neg(x), x=v)
    # the sign of a zero result shows through 1 / result: relu(-0.0) is -0.0
    for f in progen.FUNCTIONS:
        for v in (0.0, -0.0):
            yield _p(Bin("/", Const(1.0), Call(f, x, False)), x=v)
            yield _p(Bin("/", Const(1.0), Call(f, Neg(x), True)), x=v)
    for op in progen.BINARY_OPS:
        for a in BINARY_POINTS:
            for b in BINARY_POINTS:
                yield _p(Bin(op, x, y), x=a, y=b)
            for c in CONSTANTS:
                yield _p(Bin(op, x, _constant(c)), x=a)
                yield _p(Bin(op, _constant(c), x), x=a)
        for feed, v in SPECIALS:
            yield _p(Bin(op, feed, y), x=v, y=2.0)
            yield _p(Bin(op, y, feed), x=v, y=2.0)
    for k in EXPONENTS:
        for base in POW_BASES:
            yield _p(Bin("**", x, _constant(k)), x=base)
        for zero in (0.0, -0.0):
            yield _p(Bin("/", Const(1.0), Bin("**", x, _constant(k))), x=zero)
    yield _p(Bin("**", x, x), x=0.0)  # 0 ** 0 with one leaf on both sides


def test_every_op_on_its_edges(mgviz):
    programs = list(grid())
    outcomes = cli.run_batch(mgviz, programs)
    bad = []
    for p, out in zip(programs, outcomes):
        problems = parity.judge(p, out)
        if problems:
            bad.append(parity.report(p, problems, "grid"))
    STATS["per-op grid"] = f"{len(programs)} programs, {len(bad)} disagree"
    if bad:
        pytest.fail(f"{len(bad)} of {len(programs)} op/point programs disagree with PyTorch\n\n"
                    + "\n\n".join(bad[:25]))
