"""micrograd's moons training in our engine against the same model in PyTorch.

parity_train_dump (train_dump.c) trains the MLP 2-16-16-1 with our nn API and
dumps data, initial parameters, per-step loss and final parameters. Here a
vectorised PyTorch model starts from those parameters on that data and takes
the same 100 SGD steps in float64: the loss at every step and the final
parameters must agree to 1e-9 relative.
"""


import torch

import cli
import compare
from conftest import STATS

TOL = 1e-9


def load_layers(flat, sizes):
    """Flat parameters (layer by layer, neuron by neuron, weights then bias)
    as [(W, b)] tensors, W of shape (nout, nin)."""
    layers, i = [], 0
    for nin, nout in zip(sizes, sizes[1:]):
        block = torch.tensor(flat[i:i + nout * (nin + 1)], dtype=torch.float64)
        block = block.view(nout, nin + 1)
        layers.append((block[:, :nin].clone().requires_grad_(),
                       block[:, nin].clone().requires_grad_()))
        i += nout * (nin + 1)
    assert i == len(flat)
    return layers


def flatten(layers):
    return torch.cat([torch.cat([W, b[:, None]], 1).reshape(-1) for W, b in layers]).tolist()


def svm_loss(layers, X, y, alpha):
    """relu hidden layers, linear output; mean hinge loss + alpha * sum p^2."""
    h = X
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if i < len(layers) - 1:
            h = torch.relu(h)
    scores = h[:, 0]
    data_loss = torch.relu(1 - y * scores).mean()
    reg = sum((p * p).sum() for W, b in layers for p in (W, b))
    accuracy = ((y > 0) == (scores > 0)).double().mean().item()
    return data_loss + alpha * reg, accuracy


def train(dump):
    X = torch.tensor(dump["X"], dtype=torch.float64).view(-1, 2)
    y = torch.tensor(dump["y"], dtype=torch.float64)
    layers = load_layers(dump["params0"], dump["sizes"])
    losses, accuracies = [], []
    for k in range(dump["steps"]):
        loss, acc = svm_loss(layers, X, y, dump["alpha"])
        for W, b in layers:
            W.grad = b.grad = None
        loss.backward()
        with torch.no_grad():
            for W, b in layers:
                W -= (1.0 - 0.9 * k / 100) * W.grad
                b -= (1.0 - 0.9 * k / 100) * b.grad
        losses.append(loss.item())
        accuracies.append(acc)
    return losses, accuracies, flatten(layers)


def test_moons_training_matches_pytorch(train_dump):
    dump, = cli.run_dump(train_dump, 1337, 100)
    assert len(dump["params0"]) == 16 * 3 + 16 * 17 + 17 and len(dump["loss"]) == 100
    losses, accuracies, final = train(dump)
    bad = [(k, a, b) for k, (a, b) in enumerate(zip(dump["loss"], losses))
           if not compare.close(a, b, TOL, 0)]
    assert not bad, "loss differs at steps (step, mgviz, torch): " + repr(bad[:10])
    worst = max(abs(a - b) / max(abs(a), abs(b), 1e-300) for a, b in zip(final, dump["params"]))
    assert all(compare.close(a, b, TOL, TOL) for a, b in zip(dump["params"], final)), worst
    assert dump["accuracy"] == accuracies
    STATS["moons training"] = (f"100 steps, loss {dump['loss'][0]:.6f} -> {dump['loss'][-1]:.6f}, "
                               f"accuracy {accuracies[-1]:.0%}, worst final-weight "
                               f"relative difference {worst:.1e}")
