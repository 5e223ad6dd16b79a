"""mgviz: micrograd's Value and nn over a C autograd engine, with pictures.

    from mgviz import Value, draw_dot
    x = Value(2.0, label='x'); y = Value(3.0, label='y')
    z = x * y + x; z.backward()
    draw_dot(z)                 # shown inline in Jupyter; .render('z.svg') writes it

`mgviz.micrograd.engine` and `mgviz.micrograd.nn` are micrograd's modules
(replace `micrograd` by `mgviz.micrograd` in the imports); tensors, the tensor
nn and optimisers are `mgviz.tensor`, `mgviz.nn`, `mgviz.optim`.
"""
from ._mgviz import Value, Tensor, tensor, zeros, collect, stats, version as __version__
from .draw import Drawing, Inspector, draw_dot, inspect
from . import nn, optim

__all__ = ["Value", "Tensor", "tensor", "zeros", "draw_dot", "inspect", "Drawing",
           "Inspector", "collect", "stats", "nn", "optim"]
