#!/usr/bin/env bash
# Installs what mgviz needs on Debian: the build set, with --tests also what the
# test suites use (PyTorch for parity, Chromium + Node for the inspector) and
# the datasets `mgviz train` reads (Fashion-MNIST, wamerican's words, fortunes), and
# with --bench that plus OpenBLAS, the yardstick of bench/bench_gemm.
set -eu
build_pkgs="gcc meson ninja-build pkg-config libgraphviz-dev libcairo2-dev libpng-dev zlib1g-dev check python3-dev
  libmicrohttpd-dev"
# Jupyter, matplotlib, scikit-learn and python-graphviz: micrograd's notebooks on the Python module.
# clang: the libFuzzer harnesses of tests/fuzz (skipped without it); python3-hypothesis:
# the Python module's hostile callers (python/tests/test_hostile_reentry.py).
test_pkgs="clang g++ python3 python3-torch python3-pytest python3-hypothesis python3-numpy graphviz dataset-fashion-mnist chromium
  wamerican fortunes
  jupyter-nbconvert python3-ipykernel python3-matplotlib python3-sklearn python3-graphviz"
pkgs="$build_pkgs"
[ "${1:-}" = "--tests" ] && pkgs="$pkgs $test_pkgs"
[ "${1:-}" = "--bench" ] && pkgs="$pkgs $test_pkgs libopenblas-dev"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q $pkgs
# Node may come with the machine (with its own npm); Debian's packages otherwise.
if [ "${1:-}" = "--tests" ] && ! command -v npm >/dev/null; then
  $sudo apt-get install -y -q nodejs npm
fi
if [ "${1:-}" = "--tests" ] && [ -f "$(dirname "$0")/../tests/browser/package-lock.json" ]; then
  npm ci --prefix "$(dirname "$0")/../tests/browser" --no-audit --no-fund
fi
