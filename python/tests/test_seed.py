"""The seed's three snippets (shared/SEED.md), with `micrograd` replaced by
`mgviz.micrograd` in the import lines and nothing else changed."""
from mgviz.micrograd.engine import Value
from mgviz.micrograd.nn import Neuron, Layer, MLP


def test_value_object():
    v = Value(3.0)
    assert v.data == 3.0 and v.grad == 0


def test_forward_and_backward_pass():
    x = Value(2.0)
    y = Value(3.0)
    z = x * y + x
    z.backward()
    assert (z.data, x.grad, y.grad) == (8.0, 4.0, 2.0)


def test_sample_neural_net():
    mlp = MLP(nin=3, nouts=[4, 4, 1])  # 3-layer MLP

    x = [2.0, 3.0, -1.0]
    y = mlp(x)  # forward pass

    y.backward()  # backprop
    assert isinstance(y, Value) and y.grad == 1
    assert len(mlp.parameters()) == 41
    assert any(p.grad != 0 for p in mlp.parameters()) or y.data == 0
