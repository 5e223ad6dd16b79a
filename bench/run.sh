#!/usr/bin/env bash
# bench/run.sh [BUILD_DIR] [options for bench_torch.py]
#
# One command for the side-by-side benchmarks: builds what they need in
# BUILD_DIR (default: build), then runs the same work in mgviz and in PyTorch
# (and Graphviz's dot for drawing) and prints one table with ratios. PyTorch
# runs on one thread with OpenBLAS's SkylakeX kernels (Debian's OpenBLAS takes
# this CPU for a Prescott otherwise; see ../shared/PEERS.md).
# Options: --nodes N (synthetic graph, default 100000), --scalar-steps N,
#          --draw-sizes 10,100,1000,10000, --skip-draw.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ $# -gt 0 ] && shift
if [ ! -d "$build" ]; then meson setup "$build" >/dev/null; fi
meson compile -C "$build" bench/bench_engine tests/parity_train_dump tools/mgviz >/dev/null
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
echo "command: bench/run.sh $build $*"
exec /usr/bin/python3 bench/bench_torch.py --build "$build" "$@"
