"""mgviz against PyTorch on the same work, side by side (run through bench/run.sh).

(a) micrograd's moons step (MLP 2-16-16-1, 100 samples, SVM loss + 1e-4 L2,
    full batch): ours (bench_engine), PyTorch built scalar by scalar with 0-d
    tensors exactly as micrograd builds it, and PyTorch vectorised.
(b) nodes per second, forward+backward, on bench_engine's synthetic scalar
    graph, rebuilt here node for node from the same seeded generator.
(c) drawing: bench_draw.py (mgviz rendering vs Graphviz's dot on the same DOT).

Every figure is the best of several repeats (other work shares the 2 cores);
ratios are what to read. micrograd itself is not installed: its figures are
quoted from ../shared/PEERS.md.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time

import torch

import bench_draw

F64 = torch.float64
# micrograd's demo on this machine, as measured in ../shared/PEERS.md
MICROGRAD_STEP_GC = (1.3, 1.85)
MICROGRAD_STEP_GC_COLLECT = (0.13, 0.17)
MICROGRAD_NODES = 65818


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), sorted(times)[len(times) // 2]


# ---- (a) the moons step ----

def moons_data(train_dump):
    """Data and initial parameters exactly as our engine makes them."""
    out = subprocess.run([train_dump, "1337", "1"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def scalar_step_fn(dump):
    """micrograd's step with 0-d tensors: one autograd node per scalar op,
    in the order our engine (and micrograd) creates them."""
    X, Y, alpha = dump["X"], dump["y"], dump["alpha"]
    params = [torch.tensor(v, dtype=F64, requires_grad=True) for v in dump["params0"]]
    sizes = dump["sizes"]
    state = {"k": 0}

    def neuron_layers():
        layers, i = [], 0
        for nin, nout in zip(sizes, sizes[1:]):
            layer = []
            for _ in range(nout):
                layer.append((params[i:i + nin], params[i + nin]))
                i += nin + 1
            layers.append(layer)
        return layers

    layers = neuron_layers()

    def step():
        total = None
        for i in range(len(Y)):
            h = [torch.tensor(X[2 * i], dtype=F64), torch.tensor(X[2 * i + 1], dtype=F64)]
            for li, layer in enumerate(layers):
                out = []
                for w, b in layer:
                    act = b
                    for wj, xj in zip(w, h):
                        act = act + wj * xj
                    out.append(act.relu() if li < len(layers) - 1 else act)
                h = out
            term = (1.0 - h[0] * Y[i]).relu()
            total = term if total is None else total + term
        data_loss = total * (1.0 / len(Y))
        reg = params[0] * params[0]
        for p in params[1:]:
            reg = reg + p * p
        loss = data_loss + reg * alpha
        for p in params:
            p.grad = None
        loss.backward()
        lr = 1.0 - 0.9 * state["k"] / 100
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        state["k"] += 1
        return loss.item()

    return step


def vector_step_fn(dump):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "parity"))
    from test_training import load_layers, svm_loss  # the parity suite's model
    X = torch.tensor(dump["X"], dtype=F64).view(-1, 2)
    y = torch.tensor(dump["y"], dtype=F64)
    layers = load_layers(dump["params0"], dump["sizes"])
    state = {"k": 0}

    def step():
        loss, _ = svm_loss(layers, X, y, dump["alpha"])
        for W, b in layers:
            W.grad = b.grad = None
        loss.backward()
        lr = 1.0 - 0.9 * state["k"] / 100
        with torch.no_grad():
            for W, b in layers:
                W -= lr * W.grad
                b -= lr * b.grad
        state["k"] = (state["k"] + 1) % 100
        return loss.item()

    return step


# ---- (b) the synthetic graph, node for node as bench_engine.c builds it ----

MASK = (1 << 64) - 1


class Rng:
    """engine/base/rng.c in Python: xoshiro256** seeded through splitmix64."""

    def __init__(self, seed):
        self.s = []
        x = seed
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def _rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self):
        s = self.s
        result = (self._rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self._rotl(s[3], 45)
        return result

    def below(self, n):
        limit = MASK - MASK % n
        while True:
            x = self.next()
            if x < limit:
                return x % n


def synthetic_plan(n, random_ops, window=64, leaves=256):
    rng = Rng(42)
    plan = []
    for i in range(n):
        have = leaves + i
        w = min(have, window)
        op = rng.below(5) if random_ops else i % 5
        a = have - 1 - rng.below(w)
        b = have - 1 - rng.below(w)
        plan.append((op, a, b))
    return plan


def synthetic_torch(plan, leaves=256):
    def run():
        v = [torch.tensor(0.001 * i - 0.1, dtype=F64, requires_grad=True) for i in range(leaves)]
        for op, a, b in plan:
            x, y = v[a], v[b]
            if op == 0:
                out = x + y
            elif op == 1:
                out = x * y
            elif op == 2:
                out = x - y
            elif op == 3:
                out = x.tanh()
            else:
                out = x.relu()
            v.append(out)
        v[-1].backward()
    return run


# ---- ours ----

def run_bench_engine(bench_engine, n):
    out = subprocess.run([bench_engine, str(n)], capture_output=True, text=True, check=True).stdout
    step = re.search(r"median / best step\s+([\d.]+) us / ([\d.]+) us", out)
    nodes = re.search(r"nodes per step\s+(\d+)", out)
    fb = re.findall(r"forward\+backward\s+([\d.]+) M nodes/s", out)
    if not (step and nodes and len(fb) == 2):
        sys.exit("bench: cannot read bench_engine's output:\n" + out)
    return {"step_median": float(step.group(1)) * 1e-6, "step_best": float(step.group(2)) * 1e-6,
            "nodes": int(nodes.group(1)), "cyclic": float(fb[0]) * 1e6,
            "random": float(fb[1]) * 1e6}


def time_vector_step(dump):
    vector = vector_step_fn(dump)
    for _ in range(10):
        vector()
    return best_of(vector, 300)


def vector_as_installed(train_dump):
    """The vectorised step in a child without OPENBLAS_CORETYPE, since
    OpenBLAS reads it once at load (PEERS.md asks for both figures)."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    out = subprocess.run([sys.executable, __file__, "--vector-only", train_dump],
                         capture_output=True, text=True, check=True, env=env).stdout
    return tuple(json.loads(out))


def versus(t, ours):
    return f"{ours / t:.1f}× faster" if t < ours else f"{t / ours:.1f}× slower"


# ---- the table ----

def fmt_time(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} µs"


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--vector-only":
        torch.set_num_threads(1)
        print(json.dumps(time_vector_step(moons_data(sys.argv[2]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True, help="meson build directory")
    ap.add_argument("--nodes", type=int, default=100000, help="synthetic graph size")
    ap.add_argument("--scalar-steps", type=int, default=5, help="PyTorch scalar steps timed")
    ap.add_argument("--draw-sizes", default="10,100,1000,10000")
    ap.add_argument("--skip-draw", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    build = args.build
    exe = {name: os.path.join(build, path) for name, path in (
        ("bench_engine", "bench/bench_engine"), ("train_dump", "tests/parity_train_dump"),
        ("mgviz", "tools/mgviz"))}

    rows = []
    ours = run_bench_engine(exe["bench_engine"], args.nodes)
    dump = moons_data(exe["train_dump"])
    scalar = scalar_step_fn(dump)
    scalar()  # warm-up
    t_scalar, t_scalar_med = best_of(scalar, args.scalar_steps)
    t_vec, t_vec_med = time_vector_step(dump)
    rows.append(("(a) moons step, mgviz (scalar graph)", fmt_time(ours["step_best"]),
                 fmt_time(ours["step_median"]), "1"))
    rows.append(("(a) moons step, PyTorch 0-d tensors, scalar by scalar", fmt_time(t_scalar),
                 fmt_time(t_scalar_med), f"{t_scalar / ours['step_best']:.0f}× slower"))
    rows.append(("(a) moons step, PyTorch vectorised (f64)", fmt_time(t_vec), fmt_time(t_vec_med),
                 versus(t_vec, ours["step_best"])))
    t_inst, t_inst_med = vector_as_installed(exe["train_dump"])
    rows.append(("(a) same, OpenBLAS as installed (no SkylakeX)", fmt_time(t_inst),
                 fmt_time(t_inst_med), versus(t_inst, ours["step_best"])))
    lo, hi = MICROGRAD_STEP_GC
    rows.append(("(a) moons step, micrograd (PEERS.md, GC on)", f"{lo:.2f}-{hi:.2f} s", "quoted",
                 f"{lo / ours['step_best']:.0f}-{hi / ours['step_best']:.0f}× slower"))
    lo, hi = MICROGRAD_STEP_GC_COLLECT
    rows.append(("(a) moons step, micrograd (PEERS.md, gc.collect() per step)",
                 f"{lo:.2f}-{hi:.2f} s", "quoted",
                 f"{lo / ours['step_best']:.0f}-{hi / ours['step_best']:.0f}× slower"))

    for mode in ("cyclic", "random"):
        plan = synthetic_plan(args.nodes, mode == "random")
        t, _ = best_of(synthetic_torch(plan), 3)
        rate = args.nodes / t
        rows.append((f"(b) {args.nodes} nodes fwd+bwd ({mode} ops), mgviz",
                     f"{ours[mode] / 1e6:.1f} M nodes/s", "", "1"))
        rows.append((f"(b) {args.nodes} nodes fwd+bwd ({mode} ops), PyTorch 0-d tensors",
                     f"{rate / 1e6:.3f} M nodes/s", "", f"{ours[mode] / rate:.0f}× slower"))
    slow, fast = (MICROGRAD_NODES / t for t in reversed(MICROGRAD_STEP_GC_COLLECT))
    rows.append(("(b) micrograd (PEERS.md: 65,818 nodes in 0.13-0.17 s)",
                 f"{slow / 1e6:.2f}-{fast / 1e6:.2f} M nodes/s", "quoted",
                 f"{ours['cyclic'] / fast:.0f}-{ours['cyclic'] / slow:.0f}× slower (vs cyclic)"))

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores; torch {torch.__version__}, "
          f"1 thread, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    print(f"moons: {ours['nodes']} nodes per step; mgviz best/median of 5×100 steps, "
          f"PyTorch scalar best/median of {args.scalar_steps} steps, vectorised of 300")
    print_table(["work", "best", "median", "vs mgviz"], rows)
    if not args.skip_draw:
        sizes = [int(s) for s in args.draw_sizes.split(",")]
        print()
        print_table(*bench_draw.table(exe["mgviz"], sizes))


def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m = re.search(r"Model name:\s*(.+)", out)
        return m.group(1).strip() if m else platform.processor()
    except OSError:
        return platform.processor()


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
