"""test_gpt_parity.py - one GPT training step against PyTorch 1.13 (Debian's
python3-torch, run as /usr/bin/python3). Runs test_gpt_parity_dump (its path
is the first argument) for a few shapes, builds nanoGPT's model in torch
from the weights it printed (token and position embeddings, pre-norm blocks
of causal multi-head attention and a tanh-GELU MLP, a final layer norm, the
head tied to the token table), and compares in float64, relative 1e-10:
the loss, every parameter's grad, the global grad norm, and every
parameter after clipping and one AdamW step (decay on tensors of 2 or more
dims only, as nanoGPT's groups). Exit 0 when all agree, 1 with the
differences printed otherwise."""
import json
import math
import subprocess
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

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


def close(ours, theirs, scale=0.0):
    return abs(ours - theirs) <= TOL * max(abs(ours), abs(theirs), scale) or ours == theirs


def compare(what, ours, theirs, problems):
    """Element by element, relative to the element or, for elements that are
    rounding noise around 0, to the largest of the tensor: the key bias's
    grad is 0 in exact arithmetic (a softmax ignores a shift of its row), so
    both sides hold rounding errors of about 1e-18 there."""
    theirs = theirs.detach().flatten().tolist()
    if len(ours) != len(theirs):
        problems.append(f"{what}: {len(ours)} numbers, torch {len(theirs)}")
        return
    scale = max(abs(x) for x in theirs)
    worst = max(range(len(ours)), key=lambda i: abs(ours[i] - theirs[i]) /
                max(abs(ours[i]), abs(theirs[i]), scale, 1e-300))
    if not close(ours[worst], theirs[worst], scale):
        problems.append(f"{what}[{worst}]: ours {ours[worst]!r}, torch {theirs[worst]!r}")


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
        compare("grad " + rec["label"], rec["grad"], params[rec["label"]].grad, problems)
    leaves = list(params.values())
    norm = torch.nn.utils.clip_grad_norm_(leaves, case["clip"])
    if not close(case["grad_norm"], norm.item()):
        problems.append(f"grad norm: ours {case['grad_norm']!r}, torch {norm.item()!r}")
    groups = [{"params": [t for t in leaves if t.dim() >= 2], "weight_decay": case["weight_decay"]},
              {"params": [t for t in leaves if t.dim() < 2], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, lr=case["lr"], betas=(0.9, 0.999), eps=1e-8)
    opt.step()
    for rec in case["after"]:
        compare("after AdamW " + rec["label"], rec["data"], params[rec["label"]], problems)
    return problems


def main():
    dump = sys.argv[1]
    failed = 0
    for shape in SHAPES:
        out = subprocess.run([dump] + [str(x) for x in shape], capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{shape}: the dump failed: {out.stderr}")
            failed += 1
            continue
        case = json.loads(out.stdout)
        problems = replay(case)
        n = sum(len(r["grad"]) for r in case["params"])
        print(f"layers {shape[0]} heads {shape[1]} embd {shape[2]} vocab {shape[3]} "
              f"B {shape[5]} T {shape[6]}: loss {case['loss']:.12g}, {len(case['params'])} "
              f"parameters ({n} numbers): {'agree' if not problems else 'DIFFER'}")
        for p in problems:
            print("  " + p)
        failed += bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
