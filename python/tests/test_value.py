"""micrograd's Value on mgviz, checked against PyTorch float64 and against
micrograd's documented behaviour (its ints, op strings, _prev, += grads)."""
import math

import pytest
import torch

import mgviz
from mgviz.micrograd.engine import Value


def torch_scalar(x):
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def run_both(program, *inputs):
    """Runs program(*leaves) on Values and on torch scalars; returns both
    results and both leaf lists after backward."""
    mine = [Value(x) for x in inputs]
    theirs = [torch_scalar(x) for x in inputs]
    out_m, out_t = program(*mine), program(*theirs)
    out_m.backward()
    out_t.backward()
    return out_m, out_t, mine, theirs


PROGRAMS = {
    "chain": lambda x: (x * 2 + 1).relu() * x - x / 3,
    "reuse": lambda x, y: (x * y + x) * (x - y) + y ** 3,
    "reflected": lambda x, y: 2 - x + 3 * y - 1 / x + 4 / y + (5 + x) * (-y),
    "unary": lambda x: x.tanh() + x.exp() + (x * x + 1).log() + x.sigmoid() - (-x).relu(),
    "powers": lambda x, y: x ** 2 + y ** -1 + (x * x) ** 0.5 + x ** 3.0,
    "deep": lambda x, y: ((x * y).tanh() * (x + y)).relu() * (x - y) / (x * x + y * y),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("inputs", [(-4.0, 2.0), (0.7, -1.3), (3.0, 0.25)])
def test_ops_and_grads_match_torch(name, inputs):
    program = PROGRAMS[name]
    n = program.__code__.co_argcount
    out_m, out_t, mine, theirs = run_both(program, *inputs[:n])
    assert out_m.data == pytest.approx(out_t.item(), rel=1e-12, abs=1e-12)
    for m, t in zip(mine, theirs):
        assert m.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-12)


def test_sanity_program_is_exact():
    """Adds, multiplies and relu give torch's bits exactly."""
    def program(x):
        z = 2 * x + 2 + x
        q = z.relu() + z * x
        h = (z * z).relu()
        return h + q + q * x
    out_m, out_t, (x,), (xt,) = run_both(program, -4.0)
    assert out_m.data == out_t.item()
    assert x.grad == xt.grad.item()


def test_augmented_assignment_and_shared_nodes():
    a, b = Value(-4.0), Value(2.0)
    at, bt = torch_scalar(-4.0), torch_scalar(2.0)
    for x, y in ((a, b), (at, bt)):
        c = x + y
        c += c + 1
        c += 1 + c + (-x)
        d = x * y + y ** 3
        d += d * 2 + (y + x).relu()
        e = c - d
        g = e ** 2 / 2.0
        g += 10.0 / e ** 2
        g.backward()
    assert a.grad == pytest.approx(at.grad.item(), rel=1e-12)
    assert b.grad == pytest.approx(bt.grad.item(), rel=1e-12)


def test_repr_keeps_micrographs_ints():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0)"
    assert repr(Value(0)) == "Value(data=0, grad=0)"
    assert repr(Value(3) + 4) == "Value(data=7, grad=0)"
    assert repr(Value(2) ** 2) == "Value(data=4, grad=0)"
    assert repr(Value(2) ** -1) == "Value(data=0.5, grad=0)"
    assert repr(Value(-2.5).relu()) == "Value(data=0, grad=0)"
    y = Value(2.0) * Value(3.0)
    y.backward()
    assert repr(y) == "Value(data=6.0, grad=1)"  # micrograd's self.grad = 1
    assert isinstance(next(iter(y._prev)).grad, float)


def test_prev_and_op_read_as_micrographs():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    assert c._prev == {a, b} and a in c._prev and c._op == "*"
    assert (a * a)._prev == {a}
    assert a._op == "" and a._prev == set()
    sub = a - b  # micrograd: a + (b * -1)
    assert sub._op == "+" and sorted(p._op for p in sub._prev) == ["", "*"]
    div = a / b  # micrograd: a * b**-1
    assert div._op == "*" and sorted(p._op for p in div._prev) == ["", "**-1"]
    assert (a ** 2)._op == "**2" and (a ** 2.0)._op == "**2.0" and (a ** 0.5)._op == "**0.5"
    assert a.relu()._op == "ReLU" and a.tanh()._op == "tanh" and a.exp()._op == "exp"


def test_user_children_and_label():
    a, b = Value(1.0, label="a"), Value(2.0)
    c = Value(3.0, (a, b), "+", label="c")
    assert c._prev == {a, b} and c._op == "+" and c.label == "c"
    d = c * 2
    del c
    mgviz.collect()  # the node survives through d; its children through the dict
    (c2,) = [p for p in d._prev if p._op == "+"]
    assert c2._prev == {a, b} and c2.label == "c"
    c2.label = "renamed"
    assert c2.label == "renamed"


def test_data_assignment_is_seen_by_later_ops_and_backward():
    a = Value(2.0)
    b = a * a
    a.data = 3.0
    assert b.data == 4.0           # computed before the assignment
    assert (a * 2).data == 6.0     # later ops see the new data
    b.backward()
    assert a.grad == 6.0           # backward reads the current data, as micrograd


def test_backward_twice_accumulates_everywhere():
    x = Value(5.0)
    t = x * 2
    y = t * 3
    y.backward()
    assert (x.grad, t.grad) == (6.0, 3.0)
    y.backward()  # micrograd's += on every node: t 3 + 3, x 6 + 2 * 6
    assert (x.grad, t.grad, y.grad) == (18.0, 6.0, 1)
    for v in (x, t):
        v.grad = 0
    assert repr(x) == "Value(data=5.0, grad=0)"


def test_manual_backward_steps():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    c.grad = 1.0
    c._backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)


def test_numbers_of_other_kinds():
    np = pytest.importorskip("numpy")
    v = Value(np.float64(1.5)) * np.int64(2) + np.float32(0.5)
    assert v.data == 3.5
    assert (np.int64(-1) * Value(2.0)).data == -2.0


@pytest.mark.parametrize("bad", [
    lambda: Value("x"),
    lambda: Value(1.0) + "s",
    lambda: "s" * Value(1.0),
    lambda: Value(1.0) ** "2",
    lambda: setattr(Value(1.0), "data", "nope"),
    lambda: setattr(Value(1.0), "label", 3),
])
def test_wrong_types_raise_type_error(bad):
    with pytest.raises(TypeError):
        bad()


def test_other_errors_are_exceptions():
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / 0
    with pytest.raises(ValueError, match="NUL"):
        Value(1.0, label="a\0b")
    with pytest.raises(OverflowError):
        Value(10 ** 400)
    with pytest.raises(AttributeError):
        del Value(1.0).grad


def test_undefined_math_follows_torch():
    assert math.isnan(Value(-1.0).log().data)
    assert Value(1000.0).exp().data == math.inf
    assert math.isinf((1 / Value(0.0)).data)


def test_node_identity_survives_compaction():
    keep = [Value(float(i), label=f"v{i}") for i in range(50)]
    sums = [k * 2 + 1 for k in keep]
    for _ in range(5):  # garbage in between
        [Value(1.0) * 3 for _ in range(1000)]
    before = [(s.id, s.data) for s in sums]
    mgviz.collect()
    assert [s.data for s in sums] == [d for _, d in before]
    assert [s.id for s in sums] != [i for i, _ in before]  # slid down
    total = sum(sums)
    total.backward()
    assert all(k.grad == 2.0 and k.label == f"v{i}" for i, k in enumerate(keep))
    for k, s in zip(keep, sums):
        (mul,) = [p for p in s._prev if p._op == "*"]
        assert k in mul._prev


def test_compaction_gives_the_same_numbers_as_no_compaction():
    import random
    def program(collect):
        rng = random.Random(7)
        pool = [Value(rng.uniform(-2, 2)) for _ in range(8)]
        kept = []
        for step in range(3000):
            a, b = rng.choice(pool), rng.choice(pool)
            op = rng.randrange(5)
            v = [a + b, a * b, a - b, (a * b).tanh(), (a + 1).relu()][op]
            pool[rng.randrange(len(pool))] = v if abs(v.data) < 1e6 else Value(1.0)
            if step % 97 == 0:
                kept.append(v)
            if collect and step % 250 == 0:
                mgviz.collect()
        root = sum(kept) + sum(pool)
        root.backward()
        return [v.data for v in kept], [v.grad for v in kept + pool]
    assert program(True) == program(False)
