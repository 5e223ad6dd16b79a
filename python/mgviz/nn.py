"""Neural nets on tensors (the engine's mg_tnn.h): for batches where one node per
number would be slow. micrograd's scalar nn is mgviz.micrograd.nn.

    model = mgviz.nn.MLP([784, 128, 10], seed=1)
    opt = mgviz.optim.Adam(model.parameters(), lr=1e-3)
    loss = model(x).cross_entropy(labels); opt.zero_grad(); loss.backward(); opt.step()
"""
from ._mgviz import MLP, Linear

__all__ = ["Linear", "MLP"]
