"""Nothing a Python caller does crashes the interpreter: every entry point
given every kind of wrong argument returns or raises an exception (a crash
would end this process, and the suite with it)."""
import itertools
import warnings

import numpy as np
import pytest

import mgviz
from mgviz import Value, draw_dot, tensor, zeros
from mgviz.micrograd.nn import MLP, Neuron

WEIRD = [None, -1, 0, 2 ** 70, -(2 ** 70), float("nan"), float("inf"), "x", b"ab", [], [[]],
         (1,), {}, object(), np.zeros(0), np.ones((2, 2)), np.float32(2), Value(1.0),
         tensor([1.0, 2.0])]

CALLS = {
    "Value": lambda a: Value(a),
    "add": lambda a: Value(1.0) + a,
    "rmul": lambda a: a * Value(2.0),
    "pow": lambda a: Value(2.0) ** a,
    "rpow": lambda a: a ** Value(2.0),
    "div": lambda a: Value(1.0) / a,
    "rdiv": lambda a: a / Value(1.0),
    "children": lambda a: Value(1.0, a),
    "op": lambda a: Value(1.0, (), a),
    "label": lambda a: Value(1.0, label=a),
    "grad": lambda a: setattr(Value(1.0), "grad", a),
    "tensor": lambda a: tensor(a),
    "dtype": lambda a: tensor([1.0], dtype=a),
    "zeros": lambda a: zeros(a),
    "tensor_add": lambda a: tensor([1.0, 2.0]) + a,
    "matmul": lambda a: tensor([[1.0]]) @ a,
    "reshape": lambda a: tensor([1.0]).reshape(a),
    "sum": lambda a: tensor([[1.0, 2.0]]).sum(axis=a),
    "cross_entropy": lambda a: tensor([[1.0, 2.0]]).cross_entropy(a),
    "load": lambda a: tensor([1.0]).load(a),
    "transpose": lambda a: tensor([1.0]).transpose(a, a),
    "log_softmax": lambda a: tensor([[1.0]]).log_softmax(axis=a),
    "draw_root": lambda a: draw_dot(a),
    "draw_format": lambda a: draw_dot(Value(1.0), format=a),
    "draw_rankdir": lambda a: draw_dot(Value(1.0), rankdir=a),
    "draw_focus": lambda a: draw_dot(Value(1.0), focus=a),
    "draw_budget": lambda a: draw_dot(Value(1.0), fold_budget=a),
    "draw_precision": lambda a: draw_dot(Value(1.0), precision=a),
    "draw_dpi": lambda a: draw_dot(Value(1.0), format="png", dpi=a),
    "tensor_mlp": lambda a: mgviz.nn.MLP(a),
    "init": lambda a: mgviz.nn.MLP([2, 2], init=a),
    "linear": lambda a: mgviz.nn.Linear(a, a),
    "sgd": lambda a: mgviz.optim.SGD(a),
    "adam_lr": lambda a: mgviz.optim.Adam([tensor([1.0], requires_grad=True)], lr=a),
    "neuron": lambda a: Neuron(2)(a),
    "mlp_inputs": lambda a: MLP(2, [2])([a, a]),
    "neuron_fn": lambda a: mgviz._mgviz._neuron([a], a, [a], True, "n"),
    "scope": lambda a: mgviz._mgviz._scope_push(a) or mgviz._mgviz._scope_pop(),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_wrong_arguments_raise_or_return(name):
    outcomes = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for arg in WEIRD:
            try:
                CALLS[name](arg)
                outcomes.append("ok")
            except Exception as e:  # any exception is fine; a crash is not
                outcomes.append(type(e).__name__)
    assert len(outcomes) == len(WEIRD)
    # the session still works after all that
    assert (Value(2.0) * 3).data == 6.0 and (tensor([1.0]) * 2).item() == 2.0


def test_bad_sizes_name_the_problem():
    with pytest.raises(TypeError):
        mgviz.nn.MLP(np.ones((2, 2)))
    with pytest.raises(ValueError, match="too many elements|dim"):
        mgviz.nn.Linear(2 ** 30, 2 ** 30)
