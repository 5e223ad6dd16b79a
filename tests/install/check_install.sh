#!/usr/bin/env bash
# Installs the build into a scratch DESTDIR and builds programs outside the tree
# with pkg-config only: C (the umbrella <mgviz/mgviz.h>) and C++ (headers one
# by one, <mgviz/mg_viz.h> among them), shared and static, engine-only without
# Graphviz. Checks that the shared libraries export only mg_ symbols, that the
# statically linked programs run with no mgviz .so present, and that the
# command, its manual page and its bash completion are installed.
set -eu
build=$1 sanitize=${2:-none} src=$(cd "$(dirname "$0")" && pwd)
# A sanitized build installs instrumented libraries: programs link the runtime too.
san=""; [ "$sanitize" = none ] || san="-fsanitize=$sanitize"
dest=$(mktemp -d /tmp/mgviz-install-XXXXXX)
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
pcdir=$(dirname "$(find "$dest" -name mgviz.pc | head -n 1)")
[ -n "$pcdir" ] || fail "no mgviz.pc installed"
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$dest
libdir=$(pkg-config --variable=libdir mgengine)
case $libdir in "$dest"*) ;; *) libdir=$dest$libdir ;; esac

for lib in "$libdir"/libmg*.so; do
  other=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBRW]/ {print $3}' | grep -v '^mg_' || true)
  [ -z "$other" ] || fail "$(basename "$lib") exports non-mg_ symbols: $other"
  soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
  [[ $soname == libmg*.so.* ]] || fail "$(basename "$lib") has no versioned SONAME ($soname)"
done
echo "exports: only mg_ symbols; SONAMEs versioned"

# The command, its manual page and its bash completion, as installed.
prefix=$(pkg-config --variable=prefix mgengine)
case $prefix in "$dest"*) ;; *) prefix=$dest$prefix ;; esac
[ -x "$prefix/bin/mgviz" ] || fail "no mgviz installed in $prefix/bin"
version=$(LD_LIBRARY_PATH=$libdir "$prefix/bin/mgviz" --version) || fail "mgviz --version"
[[ $version == "mgviz $(pkg-config --modversion mgviz)"* ]] || fail "mgviz --version says '$version'"
LD_LIBRARY_PATH=$libdir "$prefix/bin/mgviz" help expr | grep -q 'mgviz expr' || fail "mgviz help expr"
man=$(find "$dest" -path '*/man1/mgviz.1' | head -n 1)
[ -s "$man" ] && grep -q '^\.TH' "$man" || fail "no manual page mgviz.1 installed"
completion=$(find "$dest" -path '*/bash-completion/completions/mgviz' | head -n 1)
[ -s "$completion" ] && grep -q 'complete ' "$completion" || fail "no bash completion installed"
echo "installed: $version, $(basename "$man"), completions/mgviz"

work=$dest/work; mkdir -p "$work"; cd "$work"
cc $san -std=c17 -Wall -Wextra -Werror "$src/prog.c" -o prog_c $(pkg-config --cflags --libs mgviz)
c++ $san -std=c++17 -Wall -Wextra -Werror "$src/prog.cpp" -o prog_cpp $(pkg-config --cflags --libs mgviz)
cc $san -std=c17 -Wall -Wextra -Werror "$src/engine_only.c" -o engine_only $(pkg-config --cflags --libs mgengine)
cc $san -std=c17 -Wall -Wextra -Werror "$src/prog.c" -o prog_static $(pkg-config --cflags --libs mgviz-static)
c++ $san -std=c++17 -Wall -Wextra -Werror "$src/prog.cpp" -o prog_cpp_static $(pkg-config --cflags --libs mgviz-static)
# Fully static needs static system libraries (Graphviz ships none; the engine's
# zlib and libc do) and no sanitizer runtime (ASan cannot be static).
full_static=0
if [ -z "$san" ]; then
  cc -std=c17 -static "$src/engine_only.c" -o engine_full_static $(pkg-config --static --cflags --libs mgengine)
  full_static=1
fi
! ldd engine_only | grep -q -e libgvc -e libpng || fail "engine-only program links Graphviz or libpng"

LD_LIBRARY_PATH=$libdir ./prog_c z.svg && grep -q '<svg' z.svg || fail "C program"
LD_LIBRARY_PATH=$libdir ./prog_cpp z.png && [ -s z.png ] || fail "C++ program"
LD_LIBRARY_PATH=$libdir ./engine_only >/dev/null || fail "engine-only program"
rm -f "$libdir"/libmg*.so*
./prog_static z2.svg >/dev/null && grep -q '<svg' z2.svg || fail "static program without the .so files"
./prog_cpp_static z2.png >/dev/null && [ -s z2.png ] || fail "static C++ program without the .so files"
[ $full_static = 0 ] || ./engine_full_static >/dev/null || fail "fully static engine program"
if LD_LIBRARY_PATH=$libdir ./prog_c >/dev/null 2>&1; then fail "shared program ran without its .so (not really shared?)"; fi
echo "C, C++, engine-only, static (C and C++) and fully static programs built with pkg-config and ran"
