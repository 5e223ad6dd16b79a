"""The memory model: a training loop of 1,000 steps runs in flat memory,
although Python holds each step's loss while it builds the next one."""
import random

import numpy as np

import mgviz
from conftest import SANITIZED
from mgviz.micrograd.engine import Value
from mgviz.micrograd.nn import MLP

STEPS = 300 if SANITIZED else 1000
# ASan keeps freed memory in quarantine, so resident memory says nothing there;
# the graph's own counters still do.
CHECK_RSS = not SANITIZED


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def peaks(step_fn, steps):
    """Runs step_fn(k) for k < steps; returns the largest RSS seen in the first
    and in the second half of the run (after a warm-up tenth)."""
    first = second = 0
    for k in range(steps):
        step_fn(k)
        if k >= steps // 10:
            r = rss_bytes()
            if k < steps // 2:
                first = max(first, r)
            else:
                second = max(second, r)
    return first, second


def test_scalar_training_loop_runs_in_flat_memory():
    random.seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1, -1)
    model = MLP(2, [8, 8, 1])
    state = {}

    def step(k):
        scores = [model([Value(a), Value(b)]) for a, b in X]
        loss = sum((1 + -int(t) * s).relu() for t, s in zip(y, scores)) * (1.0 / len(X))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        state["loss"] = loss  # the previous step's graph stays alive meanwhile

    start = mgviz.stats()["compactions"]
    first, second = peaks(step, STEPS)
    stats = mgviz.stats()
    assert stats["compactions"] - start >= 3  # the graph was reclaimed, repeatedly
    assert stats["nodes"] <= stats["node_limit"]
    if CHECK_RSS:
        assert second <= first + (4 << 20), (first, second)


def test_tensor_training_loop_runs_in_flat_memory():
    model = mgviz.nn.MLP([64, 64, 4], seed=3)
    opt = mgviz.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(1)
    batch = rng.standard_normal((512, 64)).astype(np.float32)  # 128 KiB per input
    labels = list(rng.integers(0, 4, 512))
    state = {}

    def step(k):
        loss = model(mgviz.tensor(batch)).cross_entropy(labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        state["loss"] = loss

    start = mgviz.stats()["compactions"]
    first, second = peaks(step, STEPS)
    stats = mgviz.stats()
    assert stats["compactions"] - start >= 1
    assert stats["tensor_bytes"] <= 2 * (64 << 20)
    if CHECK_RSS:
        assert second <= first + (8 << 20), (first, second)
