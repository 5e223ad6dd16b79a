"""bench_fmnist_torch.py - the PyTorch side of bench_fmnist: the same MLP
784-128-10, batch 64, plain SGD lr 0.1, one epoch of Fashion-MNIST, and the
vectorised moons step (2-16-16-1, 100 points, max-margin loss + L2).
Run with Debian's /usr/bin/python3 (python3-torch). Prints 'key value' lines.
glibc keeps freed tensors' memory, as a tuned PyTorch run does (torch_heap.py)."""
import gzip
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from torch_blas import require_openblas
from torch_heap import keep_freed_memory

torch.set_num_threads(1)
keep_freed_memory()
require_openblas(os.path.basename(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
EPOCHS = int(sys.argv[2]) if len(sys.argv) > 2 else 1


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def fmnist():
    x = torch.from_numpy(idx(DATA + "/train-images-idx3-ubyte.gz", 16).reshape(-1, 784).copy())
    y = torch.from_numpy(idx(DATA + "/train-labels-idx1-ubyte.gz", 8).astype(np.int64))
    x = x.float() / 255.0
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    total = 0.0
    for _ in range(EPOCHS):
        t0 = time.perf_counter()
        perm = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[b]), y[b])
            loss.backward()
            opt.step()
        total += time.perf_counter() - t0
    print("fmnist_epoch_s", total / EPOCHS)


def moons():
    rng = np.random.default_rng(1)
    t = rng.uniform(0, np.pi, 100)
    X = torch.tensor(np.stack([np.cos(t), np.sin(t)], 1), dtype=torch.float32)
    y = torch.tensor(np.where(np.arange(100) < 50, -1.0, 1.0), dtype=torch.float32).reshape(100, 1)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16),
                                torch.nn.ReLU(), torch.nn.Linear(16, 1))
    params = list(model.parameters())

    def step(k, steps):
        loss = F.relu(1 - y * model(X)).mean() + 1e-4 * sum((p * p).sum() for p in params)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= (1.0 - 0.9 * k / steps) * p.grad

    for k in range(50):
        step(k, 1000)
    t0 = time.perf_counter()
    for k in range(1000):
        step(k, 1000)
    print("moons_step_us", (time.perf_counter() - t0) / 1000 * 1e6)


fmnist()
moons()
print("rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
