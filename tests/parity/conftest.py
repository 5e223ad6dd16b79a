"""Settings of the parity suite, all from the environment:

MGVIZ                   path to the built mgviz (meson passes it)
MGVIZ_TRAIN_DUMP        path to the built parity_train_dump (meson passes it)
MGVIZ_SCALAR_DUMP       path to the built parity_scalar_dump (meson passes it)
MGVIZ_PARITY_PROGRAMS   random programs per run (default 10000)
MGVIZ_PARITY_SEED       the generator's seed (default fixed, so runs repeat)
"""

import os
import sys

import pytest

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
def program_count():
    return int(os.environ.get("MGVIZ_PARITY_PROGRAMS", DEFAULT_PROGRAMS))


@pytest.fixture(scope="session")
def seed():
    return int(os.environ.get("MGVIZ_PARITY_SEED", DEFAULT_SEED))


def pytest_terminal_summary(terminalreporter):
    for key, text in STATS.items():
        terminalreporter.write_line(f"parity: {key}: {text}")
