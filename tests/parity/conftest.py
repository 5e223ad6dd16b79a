"""Settings of the parity suite, all from the environment:

MGVIZ                   path to the built mgviz (meson passes it)
MGVIZ_TRAIN_DUMP        path to the built parity_train_dump (meson passes it)
MGVIZ_SCALAR_DUMP       path to the built parity_scalar_dump (meson passes it)
MGVIZ_TENSOR_DUMP       path to the built parity_tensor_dump (meson passes it)
MGVIZ_GPT_DUMP          path to the built parity_gpt_dump (meson passes it)
MGVIZ_PARITY_PROGRAMS   random programs per run (default 10000)
MGVIZ_PARITY_SEED       the generator's seed (default fixed, so runs repeat)

Every module compares against PyTorch the same way: Debian's torch (run as
/usr/bin/python3), float64 by default, one thread (set here, once); our side
comes from cli.py (mgviz, the dumps) and is judged by compare.py.
"""

import os
import sys

import pytest
import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

sys.path.insert(0, os.path.dirname(__file__))

DEFAULT_PROGRAMS = 10000
DEFAULT_SEED = 20261125

# Figures the tests record for the closing summary (what was checked, how fast).
STATS = {}


def _executable(var):
    path = os.environ.get(var, "")
    if not path:
        pytest.skip(f"{var} is not set: run through `meson test --suite parity`")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{var}={path} is not an executable")
    return path


@pytest.fixture(scope="session")
def mgviz():
    return _executable("MGVIZ")


@pytest.fixture(scope="session")
def train_dump():
    return _executable("MGVIZ_TRAIN_DUMP")


@pytest.fixture(scope="session")
def scalar_dump():
    return _executable("MGVIZ_SCALAR_DUMP")


@pytest.fixture(scope="session")
def tensor_dump():
    return _executable("MGVIZ_TENSOR_DUMP")


@pytest.fixture(scope="session")
def gpt_dump():
    return _executable("MGVIZ_GPT_DUMP")


@pytest.fixture(scope="session")
def program_count():
    return int(os.environ.get("MGVIZ_PARITY_PROGRAMS", DEFAULT_PROGRAMS))


@pytest.fixture(scope="session")
def seed():
    return int(os.environ.get("MGVIZ_PARITY_SEED", DEFAULT_SEED))


def pytest_terminal_summary(terminalreporter):
    for key, text in STATS.items():
        terminalreporter.write_line(f"parity: {key}: {text}")
