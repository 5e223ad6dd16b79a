"""One GPT training step against PyTorch: parity_gpt_dump (gpt_dump.c) runs
for a few shapes; here torch builds nanoGPT's model from the weights it
printed (token and position embeddings, pre-norm blocks
of causal multi-head attention and a tanh-GELU MLP, a final layer norm, the
head tied to the token table), and compares in float64, relative 1e-10:
the loss, every parameter's grad, the global grad norm, and every
parameter after clipping and one AdamW step (decay on tensors of 2 or more
dims only, as nanoGPT's groups)."""
import math

import pytest
import torch
import torch.nn.functional as F

import cli
import compare

TOL = 1e-10
SHAPES = [  # layers heads embd vocab context B T
    [2, 2, 8, 11, 6, 3, 6],
    [1, 1, 4, 5, 4, 2, 3],    # one head: the head transposes are views
    [3, 4, 16, 27, 8, 2, 5],  # T shorter than the context
]


def forward(p, cfg, ids):
    """nanoGPT's forward pass; p maps labels to leaf tensors."""
    B, T, C, H = cfg["B"], cfg["T"], cfg["embd"], cfg["heads"]
    D = C // H
    x = p["embed.wte"][ids] + p["embed.wpe"][:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for L in range(1, cfg["layers"] + 1):
        b = f"block{L}."
        h = F.layer_norm(x, (C,), p[b + "ln1.gamma"], p[b + "ln1.beta"], 1e-5)
        q, k, v = (h @ p[b + "attn.qkv.W"] + p[b + "attn.qkv.b"]).split(C, dim=2)
        q, k, v = (t.view(B, T, H, D).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(D)
        att = F.softmax(att.masked_fill(~mask, float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + y @ p[b + "attn.proj.W"] + p[b + "attn.proj.b"]
        h = F.layer_norm(x, (C,), p[b + "ln2.gamma"], p[b + "ln2.beta"], 1e-5)
        h = F.gelu(h @ p[b + "mlp.fc.W"] + p[b + "mlp.fc.b"], approximate="tanh")
        x = x + h @ p[b + "mlp.proj.W"] + p[b + "mlp.proj.b"]
    x = F.layer_norm(x, (C,), p["ln_f.gamma"], p["ln_f.beta"], 1e-5)
    return x @ p["embed.wte"].t()


def close(ours, theirs):
    return compare.close(ours, theirs, TOL, 0.0)


def compare_tensor(what, ours, theirs, problems):
    """Relative to each element or, for elements that are rounding noise
    around 0, to the largest of the tensor: the key bias's grad is 0 in exact
    arithmetic (a softmax ignores a shift of its row), so both sides hold
    rounding errors of about 1e-18 there."""
    problems += compare.tensor_problems(what, ours, theirs, TOL, relative_to_largest=True)


def replay(case):
    problems = []
    B, T = case["B"], case["T"]
    ids = torch.tensor(case["ids"]).view(B, T)
    targets = torch.tensor(case["targets"])
    params = {}
    for rec in case["params"]:
        params[rec["label"]] = torch.tensor(rec["data"]).view(rec["shape"]).requires_grad_()
    logits = forward(params, case, ids)
    loss = F.cross_entropy(logits.view(B * T, -1), targets)
    loss.backward()
    if not close(case["loss"], loss.item()):
        problems.append(f"loss: ours {case['loss']!r}, torch {loss.item()!r}")
    for rec in case["params"]:
        compare_tensor("grad " + rec["label"], rec["grad"], params[rec["label"]].grad, problems)
    leaves = list(params.values())
    norm = torch.nn.utils.clip_grad_norm_(leaves, case["clip"])
    if not close(case["grad_norm"], norm.item()):
        problems.append(f"grad norm: ours {case['grad_norm']!r}, torch {norm.item()!r}")
    groups = [{"params": [t for t in leaves if t.dim() >= 2], "weight_decay": case["weight_decay"]},
              {"params": [t for t in leaves if t.dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=case["lr"], betas=(0.9, 0.999), eps=1e-8)
    opt.step()
    for rec in case["after"]:
        compare_tensor("after AdamW " + rec["label"], rec["data"], params[rec["label"]], problems)
    return problems


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "layers{} heads{} embd{} vocab{} "
                         "context{} B{} T{}".format(*s))
def test_gpt_step_agrees_with_pytorch(gpt_dump, shape):
    case, = cli.run_dump(gpt_dump, *shape)
    problems = replay(case)
    assert not problems, f"loss {case['loss']!r}:\n" + "\n".join(problems)
