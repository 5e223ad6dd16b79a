"""Programs through `mgviz expr`: batch mode and one process per program,
against PyTorch autograd (float64, in-process) on the same programs, in the
same run.

    /usr/bin/python3 bench/bench_expr.py build/tools/mgviz [N]

The programs are the parity suite's random ones (tests/parity/progen.py,
seed 20261125): a few inputs declared as literals, up to a dozen statements.
mgviz's time includes starting the process, reading and parsing every
program, building, backward and writing one JSON line per program; torch's
is only tensor creation, the forward and backward of each program (the
Python source compiled once and cached).
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "parity"))
import cli  # noqa: E402
import progen  # noqa: E402
import torch_ref  # noqa: E402

SEED = 20261125


def best_of(runs, f):
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    mgviz = sys.argv[1] if len(sys.argv) > 1 else "build/tools/mgviz"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    gen = progen.Generator(SEED)
    programs = [gen.program() for _ in range(n)]
    with tempfile.NamedTemporaryFile("w", suffix=".mg", delete=False) as f:
        f.write("\n---\n".join(cli.batch_text(p) for p in programs) + "\n")
        path = f.name
    try:
        def batch():
            out = subprocess.run([mgviz, "expr", "--batch", path], capture_output=True,
                                 text=True, check=False).stdout
            assert out.count("\n") == n, "mgviz printed the wrong number of lines"
        t_batch = best_of(3, batch)
    finally:
        os.unlink(path)

    def torch_all():
        for p in programs:
            try:
                torch_ref.run(p)
            except Exception:  # a program torch rejects still took its time
                pass
    torch_all()  # compile and warm up once
    t_torch = best_of(3, torch_all)

    few = programs[: min(n, 100)]

    def one_process_each():
        for p in few:
            subprocess.run([mgviz, "expr", progen.render(p), *cli.bindings(p.inputs),
                            "--format", "json"], capture_output=True, check=False)
    t_each = best_of(1, one_process_each) / len(few)

    us = 1e6 / n
    print(f"programs: {n} (seed {SEED})")
    print(f"mgviz expr --batch:        {t_batch:.3f} s  {t_batch * us:8.1f} us/program")
    print(f"torch.autograd in-process: {t_torch:.3f} s  {t_torch * us:8.1f} us/program")
    print(f"mgviz, one process each:   {t_each * 1e6:8.1f} us/program ({len(few)} programs)")
    print(f"ratio torch / mgviz --batch: {t_torch / t_batch:.1f}x")


if __name__ == "__main__":
    main()
