"""Every tensor op against PyTorch: parity_tensor_dump (tensor_dump.c)
prints each case's inputs, output and grads; here torch rebuilds the case
from the inputs and the output and the inputs' grads must agree element by
element (relative 1e-12 for float64 cases, 1e-5 for the same cases run in
float32, against torch in float64; NaN and infinities exactly, compare.py).
Every op the engine has (the dump's last line lists them) must have a case,
and the optimisers' steps are replayed with torch.optim."""
import math

import pytest
import torch
import torch.nn.functional as F

import cli
import compare
from conftest import STATS
from graph_json import numbers

OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "matmul": torch.matmul,
    # ours keeps W as [K, N] (x·W), torch's linear as [N, K]
    "linear": lambda x, w, b=None: F.linear(x, w.t(), b),
    "mse": F.mse_loss,
    "bce": F.binary_cross_entropy_with_logits,
    "neg": lambda a: -a,
    "exp": torch.exp,
    "log": torch.log,
    "pow2": lambda a: a ** 2,
    "pow0": lambda a: a ** 0,
    "pow-1.5": lambda a: a ** -1.5,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "sum0": lambda a: a.sum(0),
    "sum1k": lambda a: a.sum(1, keepdim=True),
    "mean-1": lambda a: a.mean(-1),
    "max1": lambda a: a.max(1).values,
    "max": lambda a: a.max(),
    "transpose02": lambda a: a.transpose(0, 2),
    "reshape2,-1": lambda a: a.reshape(2, -1),
    "log_softmax1": lambda a: F.log_softmax(a, 1),
    "log_softmax0": lambda a: F.log_softmax(a, 0),
    "cross_entropy": lambda a, labels: F.cross_entropy(a, labels),
    "gelu": lambda a: F.gelu(a, approximate="tanh"),
    "softmax1": lambda a: F.softmax(a, 1),
    "softmax-2": lambda a: F.softmax(a, -2),
    "layer_norm_affine": lambda x, gamma, beta: F.layer_norm(x, x.shape[-1:], gamma, beta, 1e-5),
    "dropout_eval": lambda a: F.dropout(a, 0.25, training=False),
    "dropout_all": lambda a: F.dropout(a, 1.0, training=True),
    "attention_qkv": lambda qkv: attention_qkv(qkv),  # defined below
}


def causal_softmax(a, attrs):
    """softmax(scale·a) where key j > query i + offset is masked; a row with
    every key masked gives 0 (PyTorch's masked softmax would give NaN)."""
    tq, tk = a.shape[-2], a.shape[-1]
    masked = torch.arange(tk).reshape(1, tk) > torch.arange(tq).reshape(tq, 1) + attrs["offset"]
    empty = masked.all(-1, keepdim=True)
    x = (a * attrs["scale"]).masked_fill(masked, float("-inf")).masked_fill(empty, 0.0)
    return F.softmax(x, -1).masked_fill(empty, 0.0)


def layer_norm(x, attrs):
    return F.layer_norm(x, x.shape[-1:], None, None, attrs["eps"])


def embedding(w, attrs, out_shape):
    return F.embedding(torch.tensor(attrs["ids"]).reshape(out_shape[:-1]), w)


def dropout(a, attrs, ours):
    """Our mask (which elements survived) applied the way PyTorch scales."""
    kept = torch.tensor([v != 0.0 for v in numbers(ours, "data")]).reshape(a.shape)
    return a * kept / (1.0 - attrs["p"])


def narrow(a, attrs):
    return a.narrow(attrs["axis"], attrs["start"], attrs["end"] - attrs["start"])


def heads(qkv, h):
    """q, k, v [B,H,T,D] from a fused qkv [B,T,3C], as nanoGPT splits c_attn."""
    b, t, c3 = qkv.shape
    return [x.view(b, t, h, c3 // 3 // h).transpose(1, 2) for x in qkv.split(c3 // 3, 2)]


def attn_scores(qkv, attrs):
    q, k, _ = heads(qkv, attrs["heads"])
    return q @ k.transpose(-2, -1)


def attn_mix(w, qkv, attrs):
    _, _, v = heads(qkv, attrs["heads"])
    b, t, c3 = qkv.shape
    return (w @ v).transpose(1, 2).reshape(b, t, c3 // 3)


def attention_qkv(qkv):
    """tensor_dump.c's ATTENTION: 2 heads, scale 0.5, causal."""
    w = causal_softmax(attn_scores(qkv, {"heads": 2}), {"scale": 0.5, "offset": 0})
    return attn_mix(w, qkv, {"heads": 2})


# Ops whose torch twin needs the node's attributes (or our output, for the mask).
ATTR_OPS = {
    "causal_softmax": lambda out, a: causal_softmax(a, out["attrs"]),
    "layer_norm": lambda out, x: layer_norm(x, out["attrs"]),
    "embedding": lambda out, w: embedding(w, out["attrs"], out["shape"]),
    "dropout": lambda out, a: dropout(a, out["attrs"], out),
    "slice": lambda out, a: narrow(a, out["attrs"]),
    "transpose": lambda out, a: a.transpose(*out["attrs"]["axes"]),
    "concat": lambda out, a, b: torch.cat([a, b], out["attrs"]["axis"]),
    "attn_scores": lambda out, qkv: attn_scores(qkv, out["attrs"]),
    "attn_mix": lambda out, w, qkv: attn_mix(w, qkv, out["attrs"]),
}


def tensor(t):
    return torch.tensor(numbers(t, "data")).reshape(t["shape"]).requires_grad_(True)


# Relative tolerance by the dtype the engine computed in; torch computes in
# float64 from the same (exactly printed) inputs either way.
TOLERANCE = {"f64": 1e-12, "f32": 1e-5}


def check(case):
    inputs = [tensor(t) for t in case["inputs"]]
    args = list(inputs)
    if case["op"] == "cross_entropy":
        args.append(torch.tensor(case["out"]["attrs"]["labels"]))
    if case["op"] in ATTR_OPS:
        out = ATTR_OPS[case["op"]](case["out"], *args)
    else:
        out = OPS[case["op"]](*args)
    w = torch.tensor([0.5 + math.sin(1.7 * i + 0.3) for i in range(out.numel())])
    (out * w.reshape(out.shape)).sum().backward()
    tol = TOLERANCE[case["out"]["dtype"]]
    problems = []
    if list(out.shape) != case["out"]["shape"]:
        problems.append(f"output shape: ours {case['out']['shape']}, torch {list(out.shape)}")
    problems += compare.tensor_problems("output", numbers(case["out"], "data"), out, tol, tol)
    for i, (t, theirs) in enumerate(zip(case["inputs"], inputs)):
        problems += compare.tensor_problems(f"grad of input {i}", numbers(t, "grad"),
                                            theirs.grad, tol, tol)
    return problems


def check_optim(case):
    """Our optimiser steps replayed with torch.optim and clip_grad_norm_."""
    w0, b0 = case["params0"]
    w = torch.tensor(w0).reshape(3, 4).requires_grad_(True)
    b = torch.tensor(b0).requires_grad_(True)
    groups = [{"params": [p], "weight_decay": case["weight_decay"] if on else 0.0}
              for p, on in zip((w, b), case["decay"])]
    make = {"adamw": torch.optim.AdamW, "adam": torch.optim.Adam, "sgd": torch.optim.SGD}
    opt = make[case["optim"]](groups, lr=case["lr"])
    problems = []
    for k, step in enumerate(case["steps"]):
        w.grad = torch.tensor(step["grads"][0]).reshape(3, 4)
        b.grad = torch.tensor(step["grads"][1])
        if case["max_norm"] > 0:
            norm = torch.nn.utils.clip_grad_norm_([w, b], case["max_norm"]).item()
            if not compare.close(step["norm"], norm, 1e-12, 1e-12):
                problems.append(f"step {k}: norm ours {step['norm']}, torch {norm}")
        opt.step()
        for name, ours, theirs in (("weight", step["params"][0], w), ("bias", step["params"][1], b)):
            problems += compare.tensor_problems(f"step {k}: {name}", ours, theirs, 1e-12, 1e-12)
    return problems


@pytest.fixture(scope="module")
def dumped(tensor_dump):
    lines = cli.run_dump(tensor_dump)
    assert lines and "ops" in lines[-1], "the dump did not list the engine's ops"
    return lines


def failures(cases, judge):
    """Each failing case's name and problems, as report lines."""
    out = []
    for case in cases:
        problems = judge(case)
        if problems:
            out.append("FAIL " + case["name"])
            out += ["     " + p for p in problems]
    return out


def test_every_tensor_op_has_a_case(dumped):
    covered = {case["top"] for case in dumped[:-1] if "optim" not in case}
    uncovered = sorted(set(dumped[-1]["ops"]) - covered)
    assert not uncovered, f"tensor ops without a parity case: {uncovered}"


def test_affine_layer_norm_is_one_node(dumped):
    """x, gamma and beta are one layer_norm node's operands: no + after it."""
    affine = [case for case in dumped[:-1] if case.get("op") == "layer_norm_affine"]
    assert len(affine) >= 3
    assert {case["top"] for case in affine} == {"layer_norm"}


def test_tensor_ops_agree_with_pytorch(dumped):
    cases = [case for case in dumped[:-1] if "optim" not in case]
    assert cases
    bad = failures(cases, check)
    assert not bad, "\n".join(bad)
    STATS["tensor ops"] = (f"{len(cases)} cases over {len(dumped[-1]['ops'])} ops agree with "
                           f"PyTorch {torch.__version__}")


def test_optimiser_steps_agree_with_pytorch(dumped):
    cases = [case for case in dumped[:-1] if "optim" in case]
    assert cases
    bad = failures(cases, check_optim)
    assert not bad, "\n".join(bad)
    STATS["optimisers"] = f"{len(cases)} runs of steps agree with torch.optim"
