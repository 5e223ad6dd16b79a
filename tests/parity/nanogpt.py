"""nanoGPT's forward pass in torch, the reference both the GPT parity test
(test_gpt_parity.py) and the training comparison (bench/gpt_vs_torch.py)
hold mgviz's GPT against: token and position embeddings, pre-norm blocks of
causal multi-head attention and a tanh-GELU MLP, a final layer norm, and
the head tied to the token table."""
import math

import torch
import torch.nn.functional as F


def forward(p, cfg, ids):
    """Logits [B, T, vocab] for ids [B, T]; p maps mgviz's parameter labels
    (embed.wte, block1.attn.qkv.W, ...) to tensors, cfg holds the model's
    "layers", "heads" and "embd"."""
    B, T = ids.shape
    C, H = cfg["embd"], cfg["heads"]
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
