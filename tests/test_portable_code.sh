#!/bin/sh
# test_portable_code.sh LIBRARY... — the libraries run on any x86-64: no VEX/EVEX
# (AVX, AVX2, AVX-512) instruction outside the kernel builds picked at run time
# (functions named *_avx2* or *_avx512*, see engine/kernels/kernels_isa.h).
command -v objdump >/dev/null || exit 77
status=0
for lib in "$@"; do
  bad=$(objdump -d --no-show-raw-insn "$lib" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $2 }
    $2 ~ /^v[a-z]/ && fn !~ /_avx512|_avx2/ { print fn }' | sort -u)
  if [ -n "$bad" ]; then
    echo "$lib: AVX instructions outside the run-time dispatched kernels in:"
    echo "$bad" | head -20
    status=1
  else
    echo "$lib: baseline x86-64 outside the dispatched kernels"
  fi
done
exit $status
