"""Counts test cases over meson test logs and prints 'N passed, N failed'.

A Check suite reports 'Checks: N, Failures: F, Errors: E'; pytest reports
'N passed, M failed'; any other meson test counts as one case by its result.
"""
import json
import re
import sys

CHECK = re.compile(r"Checks: (\d+), Failures: (\d+), Errors: (\d+)")
PYTEST = re.compile(r"(\d+) (passed|failed|error|errors)\b")


def count(entry):
    out = (entry.get("stdout") or "") + (entry.get("stderr") or "")
    ok = entry["result"] in ("OK", "EXPECTEDFAIL")
    if entry["result"] == "SKIP":
        return 0, 0, 1
    checks = CHECK.findall(out)
    if checks:
        n = sum(int(c[0]) for c in checks)
        bad = sum(int(c[1]) + int(c[2]) for c in checks)
        return n - bad, bad or (0 if ok else 1), 0
    tallies = PYTEST.findall(out.splitlines()[-1] if out.strip() else "")
    if tallies:
        passed = sum(int(n) for n, w in tallies if w == "passed")
        failed = sum(int(n) for n, w in tallies if w != "passed")
        return passed, failed or (0 if ok else 1), 0
    return (1, 0, 0) if ok else (0, 1, 0)


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        try:
            lines = open(path).read().splitlines()
        except OSError:
            print(f"missing test log {path}")
            failed += 1
            continue
        for line in lines:
            p, f, s = count(json.loads(line))
            passed, failed, skipped = passed + p, failed + f, skipped + s
    tail = f", {skipped} skipped" if skipped else ""
    print(f"{passed} passed, {failed} failed{tail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
