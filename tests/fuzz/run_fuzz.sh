#!/usr/bin/env bash
# Fuzzes mgviz's input readers with libFuzzer (issue 14.4): builds the
# harnesses of tests/fuzz in a clang tree of their own (ASan + UBSan, every
# library file instrumented for coverage), then runs each over its seed corpus
# in tests/fuzz/corpus for MGVIZ_FUZZ_SECONDS seconds (default 30).
#
#   tests/fuzz/run_fuzz.sh SOURCE_DIR WORK_DIR [TARGET...]
#
# Exits 77 (a skipped test) when clang or its libFuzzer runtime is missing,
# 1 when a target finds a crash, a sanitizer report or a leak; the input that
# did it is kept in WORK_DIR/fuzz-findings. Inputs that found new coverage
# go to WORK_DIR/fuzz-found/TARGET, never into the tree's corpus.
set -u
src=$(cd "$1" && pwd)
work=$2
shift 2
targets=${*:-expr graph_json idx checkpoint text serve_request run_records lm_checkpoint}
seconds=${MGVIZ_FUZZ_SECONDS:-30}
tree=$work/fuzz-clang
mkdir -p "$work"

if ! command -v clang >/dev/null; then
  echo "clang is not installed (tools/install-deps.sh --tests installs it): fuzzing skipped"
  exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! clang -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" 2>"$probe/err"; then
  echo "clang cannot link libFuzzer ($(head -1 "$probe/err")): fuzzing skipped"
  exit 77
fi

opts=(-Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -Doptimization=1)
if [ -f "$tree/build.ninja" ]; then
  meson setup --reconfigure "$tree" "$src" "${opts[@]}" >/dev/null || exit 1
else
  CC=clang meson setup "$tree" "$src" "${opts[@]}" >/dev/null || exit 1
fi
names=()
for t in $targets; do names+=("tests/fuzz/fuzz_$t"); done
meson compile -C "$tree" "${names[@]}" >"$work/fuzz-build.log" 2>&1 || { tail -30 "$work/fuzz-build.log"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
mkdir -p "$work/fuzz-findings"
for t in $targets; do
  found=$work/fuzz-found/$t
  mkdir -p "$found"
  echo "== fuzz_$t for ${seconds}s"
  # -rss_limit_mb: an input that makes a reader allocate past this is a finding
  "$tree/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/fuzz-findings/$t-" \
      "$found" "$src/tests/fuzz/corpus/$t" >"$work/fuzz-$t.log" 2>&1
  rc=$?
  grep -E "^(Done [0-9]+ runs|stat::new_units_added|stat::peak_rss_mb)" "$work/fuzz-$t.log"
  if [ $rc -ne 0 ]; then
    echo "fuzz_$t: FAILED (exit $rc); log $work/fuzz-$t.log, input in $work/fuzz-findings"
    tail -40 "$work/fuzz-$t.log"
    status=1
  fi
done
exit $status
