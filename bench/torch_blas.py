"""torch_blas.py - which BLAS the PyTorch peer runs on, and a refusal to time it
on the wrong one.

Debian's python3-torch calls whatever libblas.so.3 the alternatives system
points at. A machine with only `tools/install-deps.sh --tests` has the reference
BLAS there (unblocked loops, ~10x slower matmuls than OpenBLAS), and a ratio
against that peer would flatter mgviz by an order of magnitude. The GEMM-bound
peers call require_openblas() after importing torch.
"""
import os
import sys


def loaded_blas():
    """The resolved paths of the BLAS libraries mapped into this process."""
    found = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if os.path.basename(path).startswith(("libblas.so", "libopenblas")):
                path = os.path.realpath(path)
                if path not in found:
                    found.append(path)
    return found


def require_openblas(script):
    """Exits with status 3 and a message naming the fix unless every BLAS mapped
    is OpenBLAS (a preloaded reference BLAS would take the calls)."""
    import torch

    torch.ones(2, 2) @ torch.ones(2, 2)  # make sure the BLAS is loaded and mapped
    paths = loaded_blas()
    if paths and all("openblas" in p for p in paths):
        return
    sys.stderr.write(
        f"{script}: PyTorch's BLAS is {', '.join(paths) or 'not found'}, not OpenBLAS: its "
        "times would not be a fair peer. Install OpenBLAS with `tools/install-deps.sh "
        "--bench` (Debian's libopenblas0 becomes libblas.so.3).\n")
    sys.exit(3)
