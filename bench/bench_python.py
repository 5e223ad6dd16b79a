"""micrograd's demo loop (moons, MLP 2-16-16-1, SVM loss + L2, full batch)
written once and run on mgviz's Python module and on micrograd itself, in the
same process, with the same seeds: time per step, the ratio, final accuracy.

    PYTHONPATH=build/python /usr/bin/python3 bench/bench_python.py \
        [--micrograd DIR] [--steps 100] [--micrograd-steps 5] [--rss]

DIR holds micrograd's package (a checkout of karpathy/micrograd); without it
only mgviz runs. Python's GC stays on for both, as in the notebook. --rss prints mgviz's
resident memory every tenth of the run (the memory model's check).
"""
import argparse
import importlib
import random
import statistics
import sys
import time

import numpy as np
from sklearn.datasets import make_moons


def load(prefix):
    engine = importlib.import_module(prefix + ".engine")
    nn = importlib.import_module(prefix + ".nn")
    return engine.Value, nn.MLP


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


def demo_steps(Value, MLP, steps, rss=False):
    """Seeds, builds the data and the model, runs `steps` SGD steps; returns
    the seconds of each step, the last accuracy and the last loss."""
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1
    model = MLP(2, [16, 16, 1])
    times, cpu, accuracy = [], [], 0.0
    for k in range(steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        inputs = [[Value(float(a)), Value(float(b))] for a, b in X]
        scores = [model(x) for x in inputs]
        margins = [(1 + -int(t) * s).relu() for t, s in zip(y, scores)]
        data_loss = sum(margins) * (1.0 / len(margins))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        loss = data_loss + reg_loss
        model.zero_grad()
        loss.backward()
        rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= rate * p.grad
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        accuracy = sum((t > 0) == (s.data > 0) for t, s in zip(y, scores)) / len(y)
        if rss and (k + 1) % max(1, steps // 10) == 0:
            print(f"  step {k + 1:5d}  RSS {rss_mib():7.1f} MiB")
    return times, cpu, accuracy, loss.data


def report(name, times, cpu, accuracy, loss):
    """Prints wall-clock best and median and the median CPU time of a step
    (on a shared machine the CPU time moves least); returns that median."""
    best, median, cpu_median = min(times), statistics.median(times), statistics.median(cpu)
    print(f"{name:10s} {len(times):4d} steps  wall best {best * 1e3:9.2f} ms  median "
          f"{median * 1e3:9.2f} ms  CPU median {cpu_median * 1e3:9.2f} ms  last loss {loss:.6f}"
          f"  accuracy {accuracy * 100:.0f}%")
    return cpu_median


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--micrograd", help="directory holding micrograd's package")
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--micrograd-steps", type=int, default=5)
    ap.add_argument("--rss", action="store_true")
    args = ap.parse_args()
    ours = report("mgviz", *demo_steps(*load("mgviz.micrograd"), args.steps, args.rss))
    if not args.micrograd:
        print("micrograd: not run (give --micrograd DIR)")
        return
    sys.path.insert(0, args.micrograd)
    theirs = report("micrograd", *demo_steps(*load("micrograd"), args.micrograd_steps))
    print(f"ratio (median CPU time of a step): micrograd / mgviz = {theirs / ours:.0f}x")


if __name__ == "__main__":
    main()
