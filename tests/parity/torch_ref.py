"""The reference: a program run through torch.autograd in float64.

Inputs become leaf tensors with requires_grad; constants stay Python floats;
tanh(x) and x.tanh() map to torch.tanh, and so on. A leaf the root does not
reach has grad None in torch: it counts as 0, as in our engine.
"""

from dataclasses import dataclass

import torch

import progen

torch.set_num_threads(1)
DTYPE = torch.float64


def _as_tensor(v):
    return v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=DTYPE)


def default_functions():
    """The name -> function table a translated program is run with."""
    table = {
        "tanh": torch.tanh,
        "relu": torch.relu,
        "sigmoid": torch.sigmoid,
        "exp": torch.exp,
        "log": torch.log,
    }
    return {k: (lambda f: lambda v: f(_as_tensor(v)))(f) for k, f in table.items()}


@dataclass
class Result:
    value: float
    grads: dict  # input name -> float


_compiled = {}


def _compile(source):
    code = _compiled.get(source)
    if code is None:
        if len(_compiled) > 20000:
            _compiled.clear()
        code = _compiled[source] = compile(source, "<program>", "exec")
    return code


def run(program, functions=None):
    """Runs a progen.Program through torch; returns Result. Raises whatever
    Python raises for a program that is not valid (e.g. an undefined name)."""
    leaves = {n: torch.tensor(v, dtype=DTYPE, requires_grad=True)
              for n, v in program.inputs.items()}
    env = dict(functions or default_functions())
    env.update(leaves)
    exec(_compile(progen.render_python(program)), {"__builtins__": {}}, env)
    root = env["__root__"]
    if not isinstance(root, torch.Tensor):
        raise ValueError("the root does not depend on any input")
    if root.requires_grad:
        root.backward()
    grads = {n: (t.grad.item() if t.grad is not None else 0.0) for n, t in leaves.items()}
    return Result(root.item(), grads)
