"""draw_dot in Jupyter: a notebook run by nbconvert's executor shows the
pictures inline (SVG and PNG outputs), as micrograd's notebooks need."""
import json
import os
import subprocess
import sys

import pytest

from conftest import SANITIZED

pytest.importorskip("nbconvert")
pytest.importorskip("ipykernel")

CELLS = [
    "import random\n"
    "from mgviz.micrograd.engine import Value\n"
    "from mgviz.micrograd.nn import MLP\n"
    "from mgviz import draw_dot",
    "x = Value(1.0, label='x')\ny = (x * 2 + 1).relu()\ny.backward()\ndraw_dot(y)",
    "random.seed(1)\nmodel = MLP(2, [3, 1])\nout = model([Value(1.0), Value(-2.0)])\n"
    "out.backward()\ndraw_dot(out, format='png', rankdir='TB')",
    "print(y, x.grad)",
]


def notebook():
    return {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                   "outputs": [], "source": src} for src in CELLS],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 4,
    }


def kernel_env():
    """The kernel runs in the notebook's directory: it finds this mgviz by
    an absolute path."""
    import mgviz
    here = os.path.dirname(os.path.dirname(os.path.abspath(mgviz.__file__)))
    path = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=here + (os.pathsep + path if path else ""))


@pytest.mark.skipif(SANITIZED, reason="the kernel's own libraries are not built for ASan")
def test_pictures_show_inline(tmp_path):
    path = tmp_path / "draw.ipynb"
    path.write_text(json.dumps(notebook()))
    run = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                          "--inplace", "--ExecutePreprocessor.timeout=300",
                          "--ExecutePreprocessor.startup_timeout=300", str(path)],
                         capture_output=True, text=True, env=kernel_env())
    assert run.returncode == 0, run.stderr[-3000:]
    cells = json.loads(path.read_text())["cells"]
    outputs = [[o for o in c["outputs"]] for c in cells]
    svg = outputs[1][0]["data"]["image/svg+xml"]
    svg = "".join(svg) if isinstance(svg, list) else svg
    assert "<svg" in svg and "data 3" in svg and "image/png" not in outputs[1][0]["data"]
    assert outputs[2][0]["data"]["image/png"]  # base64 PNG
    text = "".join(outputs[3][0]["text"])
    assert text == "Value(data=3.0, grad=1) 2.0\n"
