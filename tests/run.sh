#!/usr/bin/env bash
# Builds mgviz twice — as shipped, and with AddressSanitizer + UBSan — and runs
# every suite (Check, PyTorch parity, browser) in both. Ends with one line
# "N passed, N failed" counted over the individual test cases.
set -u
cd "$(dirname "$0")/.."
top=$PWD
status=0

build() { # dir, extra meson options...
  local dir=$1; shift
  if [ -d "$dir" ]; then meson setup --reconfigure "$dir" "$@" >/dev/null
  else meson setup "$dir" "$@" >/dev/null; fi && meson compile -C "$dir"
}

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
[ -f "$top/tests/lsan.supp" ] && export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"

echo "== build (debugoptimized) and test"
build build || exit 1
meson test -C build --print-errorlogs --num-processes 2 || status=1

echo "== build with -Db_sanitize=address,undefined and test"
build build-asan -Db_sanitize=address,undefined -Dbuildtype=debug -Doptimization=1 || exit 1
MG_SANITIZED=1 meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 4 || status=1

/usr/bin/python3 "$top/tests/summarize.py" build/meson-logs/testlog.json build-asan/meson-logs/testlog.json || status=1
exit $status
