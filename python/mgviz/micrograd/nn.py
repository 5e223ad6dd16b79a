"""micrograd.nn on mgviz: Module, Neuron, Layer, MLP.

Weights come from Python's `random.uniform(-1, 1)` in micrograd's order, so a
seeded program draws the same numbers as with micrograd. A neuron's forward
pass runs in C (one call builds its products and sums, left to right as
micrograd's sum()), and every node is made in the scope mlp/layerL/neuronN
so that pictures fold by layer and neuron.
"""
import random

from mgviz._mgviz import Value, _neuron, _param, _scope_pop, _scope_push

__all__ = ["Module", "Neuron", "Layer", "MLP", "Value"]


class _Scope:
    """Nodes made inside `with _Scope(name):` live in scope name."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        _scope_push(self.name)

    def __exit__(self, *exc):
        _scope_pop()


class Module:

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0

    def parameters(self):
        return []


class Neuron(Module):

    def __init__(self, nin, nonlin=True):
        self.w = [_param(random.uniform(-1, 1), label=f"w{i}") for i in range(nin)]
        self.b = _param(0, label="b")
        self.nonlin = nonlin
        self._scope = "neuron1"  # a Layer numbers its neurons

    def __call__(self, x):
        out = _neuron(self.w, self.b, x, self.nonlin, self._scope)
        if out is NotImplemented:  # weights that are not Values: the plain expression
            with _Scope(self._scope):
                act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
                out = act.relu() if self.nonlin else act
        return out

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        kind = "ReLU" if self.nonlin else "Linear"
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):

    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        for j, n in enumerate(self.neurons):
            n._scope = f"neuron{j + 1}"
        self._scope = "layer1"  # an MLP numbers its layers

    def __call__(self, x):
        with _Scope(self._scope):
            out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return "Layer of [" + ", ".join(str(n) for n in self.neurons) + "]"


class MLP(Module):

    def __init__(self, nin, nouts):
        sizes = [nin] + list(nouts)
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != last) for i in range(len(nouts))]
        for i, layer in enumerate(self.layers):
            layer._scope = f"layer{i + 1}"

    def __call__(self, x):
        with _Scope("mlp"):
            for layer in self.layers:
                x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return "MLP of [" + ", ".join(str(layer) for layer in self.layers) + "]"
