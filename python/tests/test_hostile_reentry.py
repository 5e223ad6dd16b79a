"""Hostile callers of the Python module, generated (Debian's
python3-hypothesis): wrong types, non-finite and huge numbers, deep graphs,
and Python code that runs inside a call — an argument's __float__,
__index__, __len__ or __iter__ that compacts the graph (collect()), runs
backward, or builds thousands of nodes while the module holds pointers into
it. Every call returns or raises an exception with a message; none crashes
the interpreter (that would end this process and the suite with it)."""
import gc
import math
import sys

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st

import mgviz
from mgviz import Value, draw_dot, tensor, zeros

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def churn(kind):
    """What a hostile callback does inside a call."""
    if kind == "collect":
        mgviz.collect()
    elif kind == "backward":
        v = Value(2.0) * Value(3.0) + 1
        v.backward()
    elif kind == "grow":  # enough nodes for the session to compact by itself
        acc = Value(0.0)
        for i in range(3000):
            acc = acc + i
        acc.backward()
    elif kind == "gc":
        gc.collect()
    elif kind == "raise":
        raise RuntimeError("raised inside a call")


CHURN = st.sampled_from(["collect", "backward", "grow", "gc", "raise", "nothing"])


class Sly:
    """A number whose conversions run code."""

    def __init__(self, kind, x=1.5):
        self.kind, self.x = kind, x

    def __float__(self):
        churn(self.kind)
        return self.x

    def __index__(self):
        churn(self.kind)
        return 2

    def __int__(self):
        return self.__index__()


class SlySeq:
    """A sequence whose length and items run code."""

    def __init__(self, kind, n=3):
        self.kind, self.n = kind, n

    def __len__(self):
        churn(self.kind)
        return self.n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        churn(self.kind)
        return Sly(self.kind, float(i))

    def __iter__(self):
        for i in range(self.n):
            churn(self.kind)
            yield Sly(self.kind, float(i))


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2 ** 80), max_value=2 ** 80),
    st.sampled_from([0, -0.0, 1e308, -1e308, 5e-324, 2 ** 63, 2 ** 64 - 1, -(2 ** 63)]),
)
WRONG = st.one_of(NUMBERS, st.none(), st.text(max_size=5), st.binary(max_size=5),
                  st.lists(NUMBERS, max_size=3), st.builds(object),
                  st.builds(Sly, CHURN, NUMBERS.filter(lambda x: isinstance(x, float))),
                  st.builds(SlySeq, CHURN, st.integers(0, 4)))


def survives(call, *args, **kwargs):
    """The call returns or raises an exception with a message."""
    try:
        return call(*args, **kwargs)
    except Exception as e:  # any exception is fine; a crash is not
        assert str(e) or isinstance(e, (StopIteration, KeyError)), repr(e)
        return None


VALUE_CALLS = [
    lambda v, a: v + a, lambda v, a: a + v, lambda v, a: v * a, lambda v, a: a * v,
    lambda v, a: v - a, lambda v, a: a - v, lambda v, a: v / a, lambda v, a: a / v,
    lambda v, a: v ** a, lambda v, a: a ** v, lambda v, a: Value(a),
    lambda v, a: Value(a, (v,), "+"), lambda v, a: Value(1.0, a),
    lambda v, a: setattr(v, "data", a), lambda v, a: setattr(v, "grad", a),
    lambda v, a: setattr(v, "label", a), lambda v, a: mgviz._mgviz._param(a),
    lambda v, a: mgviz._mgviz._neuron([a, v], a, [v, a], True, "n"),
]


@SETTINGS
@given(st.integers(0, len(VALUE_CALLS) - 1), WRONG, CHURN)
def test_value_entry_points_survive(which, arg, kind):
    a, b = Value(1.25, label="a"), Value(-2.0, label="b")
    v = a * b + a
    out = survives(VALUE_CALLS[which], v, arg)
    # the objects made before are still whole, whatever the call did
    survives(churn, kind)
    assert a.data == 1.25 and b.data == -2.0
    a.grad = b.grad = 0.0
    v2 = a * b + a
    v2.backward()
    assert (v2.data, a.grad, b.grad) == (-1.25, -1.0, 1.25)
    if isinstance(out, Value):
        float(out.data) if not isinstance(out.data, int) else out.data
        survives(out.backward)


TENSOR_CALLS = [
    lambda t, a: tensor(a), lambda t, a: tensor([a, a]), lambda t, a: t + a,
    lambda t, a: a + t, lambda t, a: t * a, lambda t, a: t @ a, lambda t, a: t.reshape(a),
    lambda t, a: t.sum(axis=a), lambda t, a: t.transpose(a, a), lambda t, a: zeros(a),
    lambda t, a: t.cross_entropy(a), lambda t, a: t.log_softmax(axis=a), lambda t, a: t.load(a),
    lambda t, a: tensor([1.0], dtype=a), lambda t, a: mgviz.nn.Linear(a, 2),
    lambda t, a: mgviz.nn.MLP([2, a]), lambda t, a: mgviz.optim.SGD([t], lr=a),
    lambda t, a: mgviz.optim.Adam([t], lr=a),
]


@SETTINGS
@given(st.integers(0, len(TENSOR_CALLS) - 1), WRONG, CHURN)
def test_tensor_entry_points_survive(which, arg, kind):
    t = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    survives(TENSOR_CALLS[which], t, arg)
    survives(churn, kind)
    loss = (t * t).sum()
    loss.backward()
    assert loss.item() == 30.0
    assert np.array_equal(np.asarray(t.grad), 2 * np.asarray(t.data))


DRAW_KEYS = ["format", "rankdir", "focus", "fold_budget", "precision", "dpi"]


@SETTINGS
@given(st.sampled_from(DRAW_KEYS), WRONG)
def test_draw_options_survive(key, arg):
    v = Value(1.0, label="x") * Value(2.0)
    survives(draw_dot, v, **{key: arg})
    survives(draw_dot, arg)


@pytest.mark.parametrize("kind", ["collect", "backward", "grow", "gc"])
def test_backward_after_compaction_inside_a_conversion(kind):
    """An operand's __float__ compacts the graph between the module reading
    self and building the node: the result is still right."""
    a = Value(3.0)
    b = a * a
    c = survives(lambda: b + Sly(kind, 2.0))
    if c is not None:
        c.backward()
        assert c.data == 11.0 and a.grad == 6.0


def test_deep_graphs_backward_without_recursion_limits():
    x = Value(1.0)
    y = x
    for _ in range(200_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    t = tensor([1.0, 2.0], requires_grad=True)
    u = t
    for _ in range(20_000):
        u = u * 1.0
    u.sum().backward()
    assert np.array_equal(np.asarray(t.grad), [1.0, 1.0])


def test_objects_outlive_their_graph_being_compacted():
    """Values whose graph was compacted many times, and values of a graph
    no longer reachable from anything, still answer."""
    keep = [Value(float(i)) for i in range(10)]
    prods = [k * 2 for k in keep]
    del keep
    for _ in range(5):
        churn("grow")
        mgviz.collect()
    for i, p in enumerate(prods):
        assert p.data == 2.0 * i
        assert [c.data for c in p._prev] in ([float(i), 2], [2, float(i)], [float(i)])
        p.backward()


def test_backward_during_backward_is_refused_or_completes():
    """A callback that runs backward while backward runs is impossible from
    Python (backward calls no Python code); the nearest thing — a number's
    __float__ running backward on the same graph mid-call — leaves grads
    that a fresh backward makes right."""
    a = Value(2.0)
    b = a * a

    class Reenter:
        def __float__(self):
            b.backward()
            return 1.0

    c = survives(lambda: b * Reenter())
    for n in (a, b):
        n.grad = 0.0
    if c is not None:
        c.backward()
        assert a.grad == 4.0
