"""Optimisers over tensor parameters, with PyTorch's defaults and update rules."""
from ._mgviz import _Optimizer

__all__ = ["SGD", "Adam"]


class SGD(_Optimizer):
    """SGD(params, lr=0.01, momentum=0.0, weight_decay=0.0), as torch.optim.SGD."""

    def __new__(cls, params, lr=0.01, momentum=0.0, weight_decay=0.0):
        return super().__new__(cls, list(params), "sgd", lr, momentum, weight_decay,
                               0.9, 0.999, 1e-8)

    def __init__(self, *args, **kwargs):
        pass


class Adam(_Optimizer):
    """Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0), as torch.optim.Adam."""

    def __new__(cls, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        beta1, beta2 = betas
        return super().__new__(cls, list(params), "adam", lr, 0.0, weight_decay, beta1, beta2, eps)

    def __init__(self, *args, **kwargs):
        pass
