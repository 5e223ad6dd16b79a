"""micrograd's nn on mgviz: its init sequence, reprs, parameters, scopes."""
import random

import pytest

import mgviz
from mgviz.micrograd import nn
from mgviz.micrograd.engine import Value
from mgviz.micrograd.nn import MLP, Layer, Module, Neuron


def test_weights_come_from_pythons_random_in_order():
    random.seed(1337)
    model = MLP(3, [4, 4, 1])
    random.seed(1337)
    expected = []
    for nin, nout in ((3, 4), (4, 4), (4, 1)):
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0]
    assert [p.data for p in model.parameters()] == expected
    assert repr(model.parameters()[3]) == "Value(data=0, grad=0)"  # micrograd's Value(0)


def test_reprs_and_parameter_counts():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)")
    assert repr(model).endswith("Layer of [LinearNeuron(16)]]")
    assert repr(Layer(3, 2, nonlin=False)) == "Layer of [LinearNeuron(3), LinearNeuron(3)]"
    assert Module().parameters() == []


def test_neuron_matches_its_expression():
    n = Neuron(3)
    x = [Value(0.5), -1.5, Value(2.0)]
    out = n(x)
    act = n.b + sum(wi * xi for wi, xi in zip(n.w, x))
    assert out.data == pytest.approx(max(0.0, act.data), abs=0)
    assert out._op == "ReLU"
    assert Neuron(2, nonlin=False)([1.0, 2.0])._op == "+"


def test_forward_backward_and_zero_grad_match_torch():
    torch = pytest.importorskip("torch")
    random.seed(5)
    model = MLP(3, [4, 4, 1])
    x = [2.0, 3.0, -1.0]
    y = model(x)
    y.backward()
    # the same network in torch, weights copied
    h = torch.tensor(x, dtype=torch.float64)
    params = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True)
              for p in model.parameters()]
    it = iter(params)
    for li, layer in enumerate(model.layers):
        outs = []
        for n in layer.neurons:
            w = torch.stack([next(it) for _ in n.w])
            act = next(it) + (w * h).sum()
            outs.append(act.relu() if n.nonlin else act)
        h = torch.stack(outs)
    h.sum().backward()
    assert y.data == pytest.approx(h.sum().item(), rel=1e-12)
    for p, t in zip(model.parameters(), params):
        assert p.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-15)
    model.zero_grad()
    assert all(p.grad == 0 and isinstance(p.grad, int) for p in model.parameters())


def test_scopes_fold_by_layer_and_neuron():
    model = MLP(2, [3, 1])
    y = model([Value(1.0), Value(2.0)])
    assert y.scope == "mlp/layer2/neuron1"
    hidden = [p for p in y._prev if p._op == "*"]
    assert any(p.scope == "mlp/layer2/neuron1" for p in hidden)
    relus = {q.scope for p in hidden for q in p._prev if q._op == "ReLU"}
    assert relus <= {"mlp/layer1/neuron1", "mlp/layer1/neuron2", "mlp/layer1/neuron3"}
    assert Neuron(2)([1.0, 1.0]).scope == "neuron1"


def test_weights_that_are_not_values_fall_back_to_the_expression():
    n = Neuron(2, nonlin=False)
    n.w = [0.5, Value(2.0)]
    assert n([2.0, 3.0]).data == pytest.approx(7.0)


def test_bad_inputs_raise():
    with pytest.raises(TypeError):
        Neuron(2)(["a", 1.0])
    with pytest.raises(TypeError):
        Neuron(2)(5)
