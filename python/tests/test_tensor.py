"""Tensors from Python: the tensor engine's ops against PyTorch, zero-copy
buffers for NumPy, the tensor nn and optimisers, and errors as exceptions."""
import numpy as np
import pytest
import torch

import mgviz
from mgviz import tensor

rng = np.random.default_rng(3)


def pair(shape, requires_grad=True):
    x = rng.standard_normal(shape)
    return (tensor(x, dtype="float64", requires_grad=requires_grad),
            torch.tensor(x, requires_grad=requires_grad))


def grad(t):
    return np.asarray(t.grad)


UNARY = ["exp", "tanh", "relu", "sigmoid"]


@pytest.mark.parametrize("op", UNARY)
def test_unary_ops_match_torch(op):
    a, at = pair((3, 4))
    m, t = getattr(a, op)(), getattr(at, op)()
    (m * m).sum().backward()
    (t * t).sum().backward()
    np.testing.assert_allclose(np.asarray(m), t.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(grad(a), at.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_broadcasting_arithmetic_and_numbers():
    a, at = pair((2, 3))
    b, bt = pair((3,))
    prog = lambda x, y: ((x + y) * (x - 2.0) / (y * y + 1) + 3 - x ** 2).mean()
    m, t = prog(a, b), prog(at, bt)
    m.backward()
    t.backward()
    assert m.item() == pytest.approx(t.item(), rel=1e-12)
    np.testing.assert_allclose(grad(a), at.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(grad(b), bt.grad.numpy(), rtol=1e-12)


def test_matmul_reductions_and_losses():
    x, xt = pair((5, 4))
    w, wt = pair((4, 3))
    labels = [0, 2, 1, 1, 0]
    for axis in (None, 0, 1):
        m = (x @ w).sum(axis=axis) if axis is not None else (x @ w).sum()
        assert m.shape == ((xt @ wt).sum(axis) if axis is not None else (xt @ wt).sum()).shape
    m = (x @ w).cross_entropy(labels) + (x @ w).log_softmax(axis=1).mean() + (x @ w).max()
    t = (torch.nn.functional.cross_entropy(xt @ wt, torch.tensor(labels))
         + torch.log_softmax(xt @ wt, 1).mean() + (xt @ wt).max())
    m.backward()
    t.backward()
    assert m.item() == pytest.approx(t.item(), rel=1e-12)
    np.testing.assert_allclose(grad(w), wt.grad.numpy(), rtol=1e-10)
    y = x.reshape(4, 5).T
    assert y.shape == (5, 4) and x.transpose(0, 1).shape == (4, 5)


def test_buffers_are_zero_copy():
    t = tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    view = np.asarray(t)
    assert view.dtype == np.float32 and view.shape == (2, 2)
    view[0, 1] = 20.0  # writes into the engine's buffer
    assert t.tolist() == [[1.0, 20.0], [3.0, 4.0]]
    data = np.asarray(t.data)
    assert np.shares_memory(view, data)
    (t * t).sum().backward()
    g = np.asarray(t.grad)
    assert g.tolist() == [[2.0, 40.0], [6.0, 8.0]]
    t.zero_grad()
    assert g.tolist() == [[0.0, 0.0], [0.0, 0.0]]  # the same memory
    del t
    mgviz.collect()
    assert view[0, 1] == 20.0  # the view keeps its tensor alive
    assert tensor([1.0, 2.0]).grad is None


def test_from_numpy_lists_and_load():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    t = tensor(a[:, ::2], dtype="float64")  # a strided view
    assert t.tolist() == [[0.0, 2.0], [3.0, 5.0]] and t.dtype == "float64"
    t.load([[1, 1], [2, 2]])
    assert t.tolist() == [[1.0, 1.0], [2.0, 2.0]]
    assert tensor(2.5).shape == () and tensor(2.5).item() == 2.5
    z = mgviz.zeros((2, 2), requires_grad=True, label="z")
    assert z.requires_grad and z.kind == "param" and z.label == "z"


def test_errors_name_the_shapes():
    a, b = tensor(np.ones((2, 3))), tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"\[2,3\].*\[4,5\]"):
        a @ b
    with pytest.raises(ValueError, match=r"\[2,3\].*\[4,5\]"):
        a + b
    with pytest.raises(ValueError, match="rectangular"):
        tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError):
        tensor(np.ones((1, 1, 1, 1, 1)))
    with pytest.raises(ValueError):
        tensor([])
    with pytest.raises(ValueError, match="labels"):
        a.cross_entropy([0])
    with pytest.raises(ValueError, match="outside"):
        a.cross_entropy([0, 7])
    with pytest.raises(ValueError, match="dtype"):
        tensor([1.0]) + tensor([1.0], dtype="float64")
    with pytest.raises(ValueError):
        a.sum(axis=9)
    with pytest.raises(TypeError):
        a + "x"
    with pytest.raises(ValueError, match="load"):
        a.load([1.0, 2.0])
    with pytest.raises((ValueError, MemoryError)):
        mgviz.zeros((2 ** 30, 2 ** 30))
    with pytest.raises(ValueError):
        tensor([1.0, 2.0]).item()
    with pytest.raises(ValueError):
        (a * 1).backward()  # not one element
    # the session goes on after errors
    assert (tensor([1.0]) + 1).item() == 2.0


def test_linear_mlp_and_optimisers_match_torch():
    model = mgviz.nn.MLP([4, 8, 3], dtype="float64", seed=2)
    W1, b1, W2, b2 = model.parameters()
    assert W1.shape == (4, 8) and b2.shape == (3,) and model.sizes == (4, 8, 3)
    assert W1.scope == "mlp/layer1" and W1.label.endswith("W")
    tw = [torch.tensor(np.asarray(p).copy(), requires_grad=True) for p in model.parameters()]
    x = rng.standard_normal((6, 4))
    labels = [0, 1, 2, 2, 1, 0]
    opt = mgviz.optim.Adam(model.parameters(), lr=0.01)
    topt = torch.optim.Adam(tw, lr=0.01)
    for _ in range(3):
        loss = model(tensor(x, dtype="float64")).cross_entropy(labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        h = torch.relu(torch.tensor(x) @ tw[0] + tw[1]) @ tw[2] + tw[3]
        tloss = torch.nn.functional.cross_entropy(h, torch.tensor(labels))
        topt.zero_grad()
        tloss.backward()
        topt.step()
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-10)
    for p, t in zip(model.parameters(), tw):
        np.testing.assert_allclose(np.asarray(p), t.detach().numpy(), rtol=1e-9, atol=1e-12)
    lin = mgviz.nn.Linear(3, 2, seed=1)
    assert lin(tensor(np.ones((5, 3)))).shape == (5, 2)
    sgd = mgviz.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
    sgd.lr = 0.05
    assert sgd.lr == 0.05
    with pytest.raises(ValueError):
        mgviz.optim.SGD([tensor([1.0])])  # needs grad
    with pytest.raises(TypeError):
        mgviz.optim.SGD([1.0])
    with pytest.raises(ValueError):
        mgviz.nn.MLP([4])


def test_tensor_pictures():
    model = mgviz.nn.MLP([4, 3, 2], seed=1)
    loss = model(tensor(np.ones((2, 4)))).cross_entropy([0, 1])
    svg = mgviz.draw_dot(loss, before_after=True).data.decode()
    assert "tensor" in svg and "after backward" in svg
