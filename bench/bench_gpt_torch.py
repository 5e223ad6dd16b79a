"""bench_gpt_torch.py - the PyTorch side of bench_gpt: the same character GPT
(nanoGPT's layout: token + position embeddings, pre-norm blocks of causal
multi-head attention and a tanh-GELU MLP, biases on every Linear, a final
layer norm and a head tied to the token embedding; no dropout), trained with
AdamW on random tokens at the same batch, context and dtype, timed over warm
steps. Run with Debian's /usr/bin/python3 (python3-torch 1.13), threads and
OpenBLAS kernels set by the caller. Prints 'key value' lines.

glibc keeps the freed tensors' memory (torch_heap.py): with its defaults each
warm step gave pages back and faulted them in again, 0-3,000 faults a step,
and the median step was ~57 or ~80 ms by the process's luck. --stock-malloc
leaves glibc's defaults, to see that mode; faults_per_step is the median.

    bench_gpt_torch.py --vocab V --ctx T --embd C --heads H --layers L
                       --batch B --steps N [--warmup W] [--threads K] [--stock-malloc]
"""
import argparse
import math
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_blas import require_openblas
from torch_heap import keep_freed_memory, minor_faults


class Block(nn.Module):
    def __init__(self, c, heads, ctx):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(c)
        self.attn = nn.Linear(c, 3 * c)
        self.proj = nn.Linear(c, c)
        self.ln2 = nn.LayerNorm(c)
        self.fc = nn.Linear(c, 4 * c)
        self.out = nn.Linear(4 * c, c)
        self.register_buffer("mask", torch.tril(torch.ones(ctx, ctx, dtype=torch.bool)))

    def attention(self, x):
        b, t, c = x.shape
        q, k, v = self.attn(x).split(c, dim=2)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(~self.mask[:t, :t], float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.proj(y)

    def forward(self, x):
        x = x + self.attention(self.ln1(x))
        return x + self.out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab, ctx, c, heads, layers):
        super().__init__()
        self.wte = nn.Embedding(vocab, c)
        self.wpe = nn.Embedding(ctx, c)
        self.blocks = nn.ModuleList(Block(c, heads, ctx) for _ in range(layers))
        self.ln_f = nn.LayerNorm(c)

    def forward(self, idx, targets):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for block in self.blocks:
            x = block(x)
        logits = self.ln_f(x) @ self.wte.weight.t()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))


def main():
    ap = argparse.ArgumentParser()
    # warm-up: one pass over the 8 batches, so the heap has mostly reached its high
    # water mark and the timed steps rarely fault new pages in (with 3, one process in 8
    # had ~190 faults in its median step)
    for name, default in (("vocab", 96), ("ctx", 64), ("embd", 128), ("heads", 4), ("layers", 4),
                          ("batch", 16), ("steps", 20), ("warmup", 8), ("threads", 1)):
        ap.add_argument("--" + name, type=int, default=default)
    ap.add_argument("--dtype", choices=("f32", "f64"), default="f32")
    ap.add_argument("--stock-malloc", action="store_true")
    a = ap.parse_args()
    heap_kept = not a.stock_malloc and keep_freed_memory()
    torch.set_num_threads(a.threads)
    require_openblas(os.path.basename(__file__))
    torch.manual_seed(1)
    dtype = torch.float32 if a.dtype == "f32" else torch.float64
    model = GPT(a.vocab, a.ctx, a.embd, a.heads, a.layers).to(dtype)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": other, "weight_decay": 0.0}], lr=1e-3)
    g = torch.Generator().manual_seed(2)
    batches = [torch.randint(a.vocab, (a.batch, a.ctx + 1), generator=g) for _ in range(8)]

    def step(k):
        data = batches[k % len(batches)]
        loss = model(data[:, :-1], data[:, 1:])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for k in range(a.warmup):
        step(k)
    times, cpu, faults = [], [], []
    for k in range(a.steps):
        f0, t0, c0 = minor_faults(), time.perf_counter(), time.process_time()
        step(k)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        faults.append(minor_faults() - f0)
    times.sort()
    cpu.sort()
    faults.sort()
    tokens = a.batch * a.ctx
    print("params", sum(p.numel() for p in model.parameters()))
    print("step_s_median", times[len(times) // 2])
    print("step_s_best", times[0])
    print("cpu_s_median", cpu[len(cpu) // 2])
    print("tokens_per_s", tokens / times[len(times) // 2])
    print("tokens_per_s_best", tokens / times[0])
    print("rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print("faults_per_step", faults[len(faults) // 2])
    print("heap_kept", int(heap_kept))


if __name__ == "__main__":
    main()
