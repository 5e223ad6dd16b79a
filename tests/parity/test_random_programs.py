"""Random programs through `mgviz expr --format json` against torch.autograd.

Thousands of seeded programs go through mgviz in batch mode; each value and
each input's gradient must match PyTorch in float64 (compare.py says how).
A failure is shrunk to a minimal program, re-run alone through the plain
command line, and reported with both numbers and the seed.
"""

import math
import time

import pytest

import cli
import compare
import parity
import progen
import torch_ref
from conftest import STATS

BATCH = 1000
REPORTED = 3  # failures shrunk and shown in full; the rest are counted


def _run_all(mgviz, programs):
    outcomes = []
    for i in range(0, len(programs), BATCH):
        outcomes += cli.run_batch(mgviz, programs[i:i + BATCH])
    return outcomes


def _minimal(mgviz, program):
    def still_fails(p):
        return bool(parity.judge(p, cli.run_one(mgviz, p)))

    small = parity.shrink(program, still_fails)
    return small, parity.judge(small, cli.run_one(mgviz, small))


def test_random_programs_match_pytorch(mgviz, program_count, seed):
    t0 = time.monotonic()
    del parity.INCONCLUSIVE[:]
    gen = progen.Generator(seed)
    programs = [gen.program() for _ in range(program_count)]
    outcomes = _run_all(mgviz, programs)
    failures, finite, nodes = [], 0, 0
    for i, (p, out) in enumerate(zip(programs, outcomes)):
        problems = parity.judge(p, out)
        if problems:
            failures.append((i, p, problems))
        elif out.graph is not None:
            nodes += len(out.graph.nodes)
            finite += math.isfinite(out.value) and all(map(math.isfinite, out.grads.values()))
    STATS["random programs"] = (f"{program_count} checked (seed {seed}), {finite} fully finite, "
                                f"{nodes} nodes, {len(failures)} failed, "
                                f"{len(parity.INCONCLUSIVE)} too sensitive to rounding to judge, "
                                f"{time.monotonic() - t0:.1f} s")
    if failures:
        texts = []
        for i, p, problems in failures[:REPORTED]:
            small, small_problems = _minimal(mgviz, p)
            texts.append(parity.report(p, problems, seed, i, small, small_problems))
        pytest.fail(f"{len(failures)} of {program_count} programs disagree with PyTorch\n\n"
                    + "\n\n".join(texts))
    # a run where almost everything is NaN would compare nothing useful, and
    # "too sensitive to judge" must stay the rare exception it is
    assert finite > program_count // 2
    assert len(parity.INCONCLUSIVE) <= program_count // 200, \
        "\n\n".join(progen.render(p) for p in parity.INCONCLUSIVE[:5])


def test_plain_command_line_agrees_with_batch(mgviz, seed):
    """The same programs with inputs bound as name=value arguments give the
    same numbers as batch mode (where they are judged against torch)."""
    gen = progen.Generator(seed + 1)
    programs = [gen.program() for _ in range(25)]
    batch = cli.run_batch(mgviz, programs)
    for p, b in zip(programs, batch):
        one = cli.run_one(mgviz, p)
        assert not one.error, one.error
        # declared inputs come first in batch mode, so node ids may differ;
        # the numbers may not, to the bit
        assert not b.error, b.error
        exact = torch_ref.Result(b.value, b.grads)
        assert not compare.differences(one, exact, rel=0, abs_tol=0), progen.render(p)
