"""Drawing: mgviz rendering a graph against Graphviz's `dot` on the same DOT.

For each size a program with about that many graph nodes (micrograd's MLP,
neurons tanh(w·x + b) reading the whole previous layer) is drawn by
`mgviz expr -f PROGRAM -o out.svg|png --fold-budget 1000000` (unfolded, so both
sides draw every node), and the DOT that mgviz writes for it (`-o out.dot`)
is rendered by `dot -Tsvg|-Tpng` (PNG with mgviz's size cap). Each run is its
own process under GNU time: wall time and the child's peak resident memory.
mgviz refuses to lay out more than MG_VIZ_MAX_LAYOUT_NODES Graphviz nodes
unfolded; the table then shows that, and what mgviz draws by default instead.
"""

import json
import os
import subprocess
import tempfile
import time

TIMEOUT = 600
UNFOLDED = ["--fold-budget", "1000000"]
# mgviz caps a PNG at 40 inches and 72 dpi when it renders (viz/draw/style.c); the
# DOT it writes has no cap, so dot gets the same cap on its command line.
PNG_CAP = {"png": ["-Gsize=40,40", "-Gdpi=72"]}


def program(nodes):
    """micrograd's MLP as a program, grown neuron by neuron until its graph has
    about `nodes` nodes: inputs, weights and biases as named inputs, each
    neuron tanh(w·x + b), layers as wide as the size suggests (2 for 10
    nodes, up to 16), every neuron reading the whole previous layer."""
    width = 2 if nodes < 50 else 4 if nodes < 500 else 8 if nodes < 5000 else 16
    lines = ["x0 = 0.5", "x1 = -1.5"]
    prev, count, layer, k = ["x0", "x1"], 2, 0, 0
    while count < nodes or layer == 0:
        layer += 1
        cur = []
        for j in range(width if count + 4 * len(prev) < nodes else 1):
            terms = []
            for i, x in enumerate(prev):
                k += 1
                lines.append(f"w{k} = {((k * 37) % 200 - 100) / 100}")
                terms.append(f"w{k}*{x}")
            lines.append(f"b{layer}_{j} = 0.1")
            name = f"h{layer}_{j}"
            lines.append(f"{name} = ({' + '.join(terms)} + b{layer}_{j}).tanh()")
            cur.append(name)
            count += 3 * len(prev) + 3  # weights, products, sums, bias, tanh
        prev = cur
        if len(cur) == 1:
            break
    lines.append(" + ".join(prev) if len(prev) > 1 else prev[0])
    return "\n".join(lines) + "\n"


def measure(argv):
    """(seconds, peak RSS in MiB, exit code, stderr) of one run, through GNU
    time, so that the figure is the child's own (a child forked from this
    Python, torch loaded, would report our 400 MiB). Exit None on timeout."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        t0 = time.perf_counter()  # GNU time's own clock ticks in 10 ms
        try:
            p = subprocess.run(["/usr/bin/time", "-q", "-f", "%M", "-o", t.name, *argv],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return TIMEOUT, 0.0, None, "timeout"
        elapsed = time.perf_counter() - t0
        fields = t.read().split()
    return elapsed, int(fields[-1]) / 1024.0, p.returncode, p.stderr


def best(argv, repeat):
    """(best seconds, best peak MiB) over repeat runs, or the error text."""
    runs = [measure(argv) for _ in range(repeat)]
    bad = [r for r in runs if r[2] != 0]
    if bad:
        return (bad[0][3].strip().splitlines() or ["exit %s" % bad[0][2]])[-1]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def graph_size(mgviz, path):
    out = subprocess.run([mgviz, "expr", "-f", path, "--format", "json"], capture_output=True,
                         text=True, check=True).stdout
    return len(json.loads(out)["nodes"])


def cell(result):
    if isinstance(result, str):
        return "refused" if "more than" in result else "failed: " + result[:60]
    t, mem = result
    return f"{t:.3f} s, {mem:.0f} MiB" if t < 10 else f"{t:.1f} s, {mem:.0f} MiB"


def ratio(ours, theirs):
    if isinstance(ours, str) or isinstance(theirs, str):
        return "–"
    return f"{theirs[0] / ours[0]:.2f}× / {theirs[1] / ours[1]:.2f}×"


def table(mgviz, sizes):
    """(header, rows) for bench_torch.print_table."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            src = os.path.join(tmp, f"g{n}.py")
            with open(src, "w") as f:
                f.write(program(n))
            nodes = graph_size(mgviz, src)
            dot_file = os.path.join(tmp, f"g{n}.dot")
            subprocess.run([mgviz, "expr", "-f", src, *UNFOLDED, "-o", dot_file],
                           capture_output=True, check=True)
            repeat = 5 if n <= 100 else 3 if n <= 1000 else 1
            for fmt in ("svg", "png"):
                out = os.path.join(tmp, f"out.{fmt}")
                ours = best([mgviz, "expr", "-f", src, *UNFOLDED, "-o", out], repeat)
                theirs = best(["dot", f"-T{fmt}", *PNG_CAP.get(fmt, []), dot_file, "-o", out],
                              repeat)
                rows.append((f"{nodes} nodes → {fmt.upper()}", cell(ours), cell(theirs),
                             ratio(ours, theirs)))
                if isinstance(ours, str):  # what mgviz draws instead, by default
                    folded = best([mgviz, "expr", "-f", src, "-o", out], repeat)
                    rows.append((f"{nodes} nodes → {fmt.upper()}, mgviz folded (default)",
                                 cell(folded), "", ""))
    header = ["drawing (unfolded)", "mgviz expr (time, peak RSS)", "dot on mgviz's DOT",
              "dot/mgviz (time / memory)"]
    return header, rows
