"""Running our side: programs through `mgviz expr --format json`, and the C
dumps (run_dump) that print what the engine computed as JSON lines.

One program: `mgviz expr --format json -- PROGRAM name=value...`, inputs bound
on the command line. Many programs: `mgviz expr --batch FILE --format json`,
programs separated by `---` lines, one JSON object per output line (a graph, or
{"format": "mgviz-error", ...} for a program that fails); there each program
declares its inputs itself as `name = literal` lines, which our language reads
as input leaves (mg_expr.h).
"""

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass

import graph_json
import progen

TIMEOUT = 600


@dataclass
class Outcome:
    """What mgviz did with one program: a graph, or an error (exit status
    and message). crashed is True for a signal or an unparseable answer."""
    graph: object = None
    error: str = ""
    crashed: bool = False

    @property
    def value(self):
        return self.graph.value

    @property
    def grads(self):
        return self.graph.grads


def run_dump(path, *args):
    """Runs one of the C dumps (train_dump.c, tensor_dump.c, ...) and returns
    the JSON values it printed one after another (one a line, or one over
    many lines); fails on a crash or an error."""
    p = subprocess.run([path, *map(str, args)], capture_output=True, text=True,
                       timeout=TIMEOUT)
    if p.returncode != 0 or _sanitizer_report(p.stderr):
        raise AssertionError(f"{os.path.basename(path)} {' '.join(map(str, args))}: "
                             f"exit {p.returncode}: {p.stderr[-4000:]}")
    values, at, decoder = [], 0, json.JSONDecoder()
    while p.stdout[at:].strip():
        value, end = decoder.raw_decode(p.stdout, len(p.stdout) - len(p.stdout[at:].lstrip()))
        values.append(value)
        at = end
    return values


def _sanitizer_report(stderr):
    """AddressSanitizer, LeakSanitizer and UBSan reports: a crash even when
    the exit status looks like an ordinary error (ASan exits with 1)."""
    return "Sanitizer" in stderr or "runtime error:" in stderr


def bindings(inputs):
    return [f"{name}={progen.number(v)}" for name, v in inputs.items()]


def run_one(mgviz, program):
    """Runs one progen.Program with its inputs bound on the command line."""
    # `--` ends the options: a program may start with '-'
    argv = [mgviz, "expr", "--format", "json", "--", progen.render(program),
            *bindings(program.inputs)]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT)
    if p.returncode < 0 or p.returncode > 2 or _sanitizer_report(p.stderr):
        return Outcome(error=f"exit {p.returncode}: {p.stderr[-4000:]}", crashed=True)
    if p.returncode != 0:
        return Outcome(error=f"exit {p.returncode}: {p.stderr.strip()}")
    try:
        return Outcome(graph=graph_json.parse(p.stdout))
    except ValueError as e:
        return Outcome(error=f"bad JSON: {e}", crashed=True)


def batch_text(program):
    """A program for batch mode: its inputs declared as literal assignments."""
    decls = [f"{name} = {progen.number(v)}" for name, v in program.inputs.items()]
    return "\n".join(decls + [progen.render(program)])


def run_batch(mgviz, programs):
    """Runs programs in one mgviz process; returns one Outcome per program.
    A program mgviz rejects yields an Outcome with its error message."""
    with tempfile.NamedTemporaryFile("w", suffix=".mg", delete=False) as f:
        f.write("\n---\n".join(batch_text(p) for p in programs) + "\n")
        path = f.name
    try:
        p = subprocess.run([mgviz, "expr", "--batch", path, "--format", "json"],
                           capture_output=True, text=True, timeout=TIMEOUT)
    finally:
        os.unlink(path)
    if p.returncode < 0 or p.returncode > 1 or _sanitizer_report(p.stderr):
        crash = Outcome(error=f"batch exit {p.returncode}: {p.stderr[-4000:]}", crashed=True)
        return [crash] * len(programs)
    lines = p.stdout.splitlines()
    if len(lines) != len(programs):
        bad = Outcome(error=f"batch printed {len(lines)} lines for {len(programs)} programs "
                            f"(exit {p.returncode}): {p.stderr[-2000:]}", crashed=True)
        return [bad] * len(programs)
    outcomes = [_outcome(line) for line in lines]
    if p.returncode == 1 and not any(o.error for o in outcomes):
        return [Outcome(error="batch exit 1 but every program succeeded", crashed=True)] * len(lines)
    return outcomes


def _outcome(line):
    try:
        return Outcome(graph=graph_json.parse(line))
    except ValueError as e:
        import json
        try:
            obj = json.loads(line)
        except ValueError:
            return Outcome(error=f"bad JSON line: {e}", crashed=True)
        if isinstance(obj, dict) and obj.get("format") == "mgviz-error":
            return Outcome(error=str(obj["error"]))
        return Outcome(error=f"unexpected JSON: {e}", crashed=True)
