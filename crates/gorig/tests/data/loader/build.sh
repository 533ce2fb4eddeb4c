#!/usr/bin/env bash
# Builds the loader test programs of this directory for amd64, i386 and arm64.
#
#   build.sh OUTDIR [ARCH ...]        (ARCH: amd64 i386 arm64; default all three)
#
# OUTDIR/.build-stamp records what the build came from (this directory's sources
# and scripts, the compilers' and go's versions, the stamps of the roots and
# sysroots linked against, the ARCHes); when it matches, nothing is rebuilt
# (0.5 s). GORIG_LOADER_REBUILD=1 forces a build.
#
# Compilers (Debian bookworm packages; gcc-multilib cannot be installed next to
# the cross compilers, so i386 uses the i686 cross compiler too):
#   apt-get install --no-install-recommends gcc g++ \
#       gcc-i686-linux-gnu g++-i686-linux-gnu gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
# (about 175 MB of downloads, ~30 s on a fresh bookworm machine, with qemu-user-static
# for run-in-root.sh). No libsystemd-dev: sd-uuid.c declares what it calls and links
# against the bookworm root's libsystemd.so.0.
#
# It needs, and makes with ../../../../../scripts/fetch-test-roots when missing:
#   the bookworm roots (libsystemd.so.0 with LIBSYSTEMD_251),
#   the trixie roots (libstdc++.so.6 with GLIBCXX_3.4.32),
#   the bullseye sysroots (fetch-test-roots --dev: glibc 2.31 crt files, headers, libc.so)
#
# What lands in OUTDIR/ARCH/ (each program exits 0 when it runs):
#   hello cxx-cv sd-uuid glibcxx32        built against the compiler's own glibc (bookworm,
#                                         2.36): these all need GLIBC_2.34 (__libc_start_main)
#   hello-b11 cxx-cv-b11 sd-uuid-b11 glibcxx32-b11
#                                         the same built against bullseye's glibc 2.31, so
#                                         that the only unmet need on an old root is the one
#                                         the program is about (GLIBCXX_3.4.30 / LIBSYSTEMD_251
#                                         / GLIBCXX_3.4.32)
#   everything below is built against bullseye's glibc too, so it can run on all suites:
#   lib/v1/libfoo.so.1   FOO_1 {foo}            lib/v2/libfoo.so.1  FOO_1 {foo}, FOO_2 {foo2}
#   lib/nover/libfoo.so.1  no symbol versions   lib/libbar.so.1     needs libfoo.so.1, no RPATH
#   use-foo        needs libfoo.so.1 (FOO_1), no RPATH/RUNPATH
#   use-foo2       needs foo2@FOO_2 (strong)    use-foo2-weak  FOO_2 needed weakly only
#                  (foo2 is a weak undefined symbol; set-weak-verneed.py sets VER_FLG_WEAK)
#   use-bar        needs libbar.so.1, no RPATH/RUNPATH
#   app-runpath/{bin/use-foo,lib/libfoo.so.1}       RUNPATH $ORIGIN/../lib
#   app-rpath/{bin/use-foo,lib/libfoo.so.1}         RPATH   $ORIGIN/../lib  (--disable-new-dtags)
#   app-braces/{bin/use-foo,lib/libfoo.so.1}        RUNPATH ${ORIGIN}/../lib
#   app-libdst/{bin/use-foo,lib/TRIPLET/libfoo.so.1} RUNPATH $ORIGIN/../$LIB (Debian: $LIB is
#                                                   lib/TRIPLET, e.g. lib/x86_64-linux-gnu)
#   app-rpath-indirect/{bin/use-bar,lib/libbar.so.1,lib/libfoo.so.1}    RPATH $ORIGIN/../lib:
#                  libbar's own libfoo.so.1 need is searched in the executable's RPATH too
#   app-runpath-indirect/{...same...}                RUNPATH $ORIGIN/../lib: it is not
#   app-rpath-blocked/{...same...}                   exe RPATH $ORIGIN/../lib, but libbar.so.1
#                  has a RUNPATH (/nonexistent): that turns off every RPATH, the exe's too, for
#                  libbar's own needs, so libfoo.so.1 is not found
#   when more than one ARCH is built, also, with WRONG = libfoo.so.1 of another arch
#   (amd64: the i386 one, wrong class; i386: the amd64 one, wrong class; arm64: the amd64
#   one, same class, wrong machine):
#   app-skip/{bin/use-foo,wrong/libfoo.so.1,lib/libfoo.so.1}  RUNPATH $ORIGIN/../wrong:$ORIGIN/../lib
#   app-wrong/{bin/use-foo,wrong/libfoo.so.1}                 RUNPATH $ORIGIN/../wrong
#   go-hello go-cgo go-cgo-b11   Go programs, built last by build-go.sh with the real
#                  go1.27.3 (see there; GORIG_LOADER_SKIP_GO=1 leaves them out)
# scenarios.json (README.md) says where each program is placed in which root.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../../.." && pwd)"
[ $# -ge 1 ] || { sed -n '2,5p' "$0" >&2; exit 2; }
out="$1"; shift
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 i386 arm64)
cache="${GORIG_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gorig-test}"

"$repo/scripts/fetch-test-roots" $(printf 'bookworm-%s trixie-%s ' "${arches[@]}" "${arches[@]}") >/dev/null
"$repo/scripts/fetch-test-roots" --dev $(printf 'bullseye-%s ' "${arches[@]}") >/dev/null

stamp_text() {
  echo "arches: ${arches[*]} skip-go: ${GORIG_LOADER_SKIP_GO:-}"
  (cd "$here" && sha256sum build.sh build-go.sh set-weak-verneed.py ./*.c ./*.cc ./*.go ./*.map)
  local c
  for c in gcc g++ i686-linux-gnu-gcc i686-linux-gnu-g++ aarch64-linux-gnu-gcc aarch64-linux-gnu-g++; do
    command -v "$c" >/dev/null && echo "$c $("$c" -dumpfullversion) $(command -v "$c")"
  done
  [ -z "${GO:-}" ] || echo "GO=$GO $("$GO" version)"
  cat "$cache/goroots/go1.27.3/go/VERSION" 2>/dev/null | head -n1 || true
  for a in "${arches[@]}"; do
    sha256sum "$cache/roots/bookworm-$a.stamp" "$cache/roots/trixie-$a.stamp" "$cache/sysroots/bullseye-$a.stamp"
  done
}
stamp="$(stamp_text)"
if [ -z "${GORIG_LOADER_REBUILD:-}" ] && [ -f "$out/.build-stamp" ] && [ "$(cat "$out/.build-stamp")" = "$stamp" ]; then
  echo "build.sh: $out is up to date (.build-stamp)" >&2
  exit 0
fi
rm -f "$out/.build-stamp"

triplet() { case "$1" in amd64) echo x86_64-linux-gnu ;; i386) echo i386-linux-gnu ;; arm64) echo aarch64-linux-gnu ;; esac; }

tools() { # sets CC CXX for $1
  case "$1" in
    amd64) CC=(gcc); CXX=(g++) ;;
    arm64) CC=(aarch64-linux-gnu-gcc); CXX=(aarch64-linux-gnu-g++) ;;
    i386)
      if command -v i686-linux-gnu-gcc >/dev/null; then CC=(i686-linux-gnu-gcc); CXX=(i686-linux-gnu-g++)
      else CC=(gcc -m32); CXX=(g++ -m32); fi ;;
    *) echo "build.sh: unknown arch $1" >&2; exit 2 ;;
  esac
  command -v "${CC[0]}" >/dev/null && command -v "${CXX[0]}" >/dev/null || {
    echo "build.sh: ${CC[0]}/${CXX[0]} missing (see the top of $0 for what to apt-get)" >&2; exit 1; }
}

build_arch() {
  local arch="$1" t d s bw tx
  t="$(triplet "$arch")"
  tools "$arch"
  d="$out/$arch"
  s="$cache/sysroots/bullseye-$arch"              # glibc 2.31 to link against
  bw="$cache/roots/bookworm-$arch/usr/lib/$t"     # libsystemd.so.0 (252)
  tx="$cache/roots/trixie-$arch/usr/lib/$t"       # libstdc++.so.6 (GCC 14)
  rm -rf "$d"; mkdir -p "$d"
  echo "build.sh: $arch -> $d" >&2
  # -B/-L: Debian's gcc takes crt*.o and libc.so from its own prefix before the
  # sysroot's, so point it at the sysroot's explicitly.
  local B11=(--sysroot="$s" -B"$s/usr/lib/$t/" -L"$s/usr/lib/$t" -L"$s/lib/$t")
  local O=(-O2 -Wall)

  # 1-4, built against the compiler's glibc (2.36) and against bullseye's (2.31)
  "${CC[@]}" "${O[@]}" "$here/hello.c" -o "$d/hello"
  "${CC[@]}" "${O[@]}" "${B11[@]}" "$here/hello.c" -o "$d/hello-b11"
  "${CXX[@]}" "${O[@]}" "$here/cxx-cv.cc" -o "$d/cxx-cv"
  # bookworm's libstdc++.so.6 itself needs glibc > 2.31: only the program's own
  # needs matter here, so let ld leave the library's undefined symbols alone.
  "${CXX[@]}" "${O[@]}" "${B11[@]}" -pthread "$here/cxx-cv.cc" -o "$d/cxx-cv-b11" -Wl,--allow-shlib-undefined
  "${CC[@]}" "${O[@]}" "$here/sd-uuid.c" -o "$d/sd-uuid" "$bw/libsystemd.so.0" \
    -Wl,-rpath-link,"$bw" -Wl,--allow-shlib-undefined
  "${CC[@]}" "${O[@]}" "${B11[@]}" "$here/sd-uuid.c" -o "$d/sd-uuid-b11" "$bw/libsystemd.so.0" \
    -Wl,-rpath-link,"$bw" -Wl,--allow-shlib-undefined
  "${CC[@]}" "${O[@]}" "$here/glibcxx32.c" -o "$d/glibcxx32" "$tx/libstdc++.so.6" -Wl,--allow-shlib-undefined
  "${CC[@]}" "${O[@]}" "${B11[@]}" "$here/glibcxx32.c" -o "$d/glibcxx32-b11" "$tx/libstdc++.so.6" \
    -Wl,--allow-shlib-undefined

  # libfoo / libbar and their users, all against glibc 2.31
  local L=("${CC[@]}" "${O[@]}" "${B11[@]}" -shared -fPIC -Wl,-soname,libfoo.so.1)
  mkdir -p "$d/lib/v1" "$d/lib/v2" "$d/lib/nover"
  "${L[@]}" -Wl,--version-script="$here/foo-v1.map" "$here/libfoo.c" -o "$d/lib/v1/libfoo.so.1"
  "${L[@]}" -DWITH_FOO2 -Wl,--version-script="$here/foo-v2.map" "$here/libfoo.c" -o "$d/lib/v2/libfoo.so.1"
  "${L[@]}" "$here/libfoo.c" -o "$d/lib/nover/libfoo.so.1"
  "${CC[@]}" "${O[@]}" "${B11[@]}" -shared -fPIC -Wl,-soname,libbar.so.1 "$here/libbar.c" \
    -o "$d/lib/libbar.so.1" -L"$d/lib/v1" -l:libfoo.so.1

  local P=("${CC[@]}" "${O[@]}" "${B11[@]}")
  "${P[@]}" "$here/use-foo.c" -o "$d/use-foo" -L"$d/lib/v1" -l:libfoo.so.1
  "${P[@]}" "$here/use-foo2.c" -o "$d/use-foo2" -L"$d/lib/v2" -l:libfoo.so.1
  "${P[@]}" "$here/use-foo2-weak.c" -o "$d/use-foo2-weak" -L"$d/lib/v2" -l:libfoo.so.1
  python3 "$here/set-weak-verneed.py" "$d/use-foo2-weak" FOO_2   # ld leaves vna_flags 0
  "${P[@]}" "$here/use-bar.c" -o "$d/use-bar" -L"$d/lib" -l:libbar.so.1 -Wl,-rpath-link,"$d/lib/v1"

  app() { # app NAME SOURCE DTAGS RPATH LIBDIR
    mkdir -p "$d/$1/bin" "$d/$1/$5"
    "${P[@]}" "$here/$2" -o "$d/$1/bin/${2%.c}" -L"$d/lib" -L"$d/lib/v1" \
      -l:"$( [ "$2" = use-bar.c ] && echo libbar.so.1 || echo libfoo.so.1)" \
      -Wl,-rpath-link,"$d/lib/v1" -Wl,"$3" -Wl,-rpath,"$4"
    cp "$d/lib/v1/libfoo.so.1" "$d/$1/$5/"
  }
  app app-runpath use-foo.c --enable-new-dtags '$ORIGIN/../lib' lib
  app app-rpath use-foo.c --disable-new-dtags '$ORIGIN/../lib' lib
  app app-braces use-foo.c --enable-new-dtags '${ORIGIN}/../lib' lib
  app app-libdst use-foo.c --enable-new-dtags '$ORIGIN/../$LIB' "lib/$t"
  app app-rpath-indirect use-bar.c --disable-new-dtags '$ORIGIN/../lib' lib
  cp "$d/lib/libbar.so.1" "$d/app-rpath-indirect/lib/"
  app app-runpath-indirect use-bar.c --enable-new-dtags '$ORIGIN/../lib' lib
  cp "$d/lib/libbar.so.1" "$d/app-runpath-indirect/lib/"
  app app-rpath-blocked use-bar.c --disable-new-dtags '$ORIGIN/../lib' lib
  "${CC[@]}" "${O[@]}" "${B11[@]}" -shared -fPIC -Wl,-soname,libbar.so.1 "$here/libbar.c" \
    -o "$d/app-rpath-blocked/lib/libbar.so.1" -L"$d/lib/v1" -l:libfoo.so.1 \
    -Wl,--enable-new-dtags,-rpath,/nonexistent
  app app-skip use-foo.c --enable-new-dtags '$ORIGIN/../wrong:$ORIGIN/../lib' lib
  app app-wrong use-foo.c --enable-new-dtags '$ORIGIN/../wrong' wrong
  rm "$d/app-wrong/wrong/libfoo.so.1"   # filled in below with another arch's
}

for a in "${arches[@]}"; do build_arch "$a"; done

# app-skip / app-wrong get another arch's libfoo.so.1 in wrong/
other() { case "$1" in amd64) echo i386 ;; i386) echo amd64 ;; arm64) echo amd64 ;; esac; }
for a in "${arches[@]}"; do
  o="$(other "$a")"
  if [ -f "$out/$o/lib/v1/libfoo.so.1" ]; then
    mkdir -p "$out/$a/app-skip/wrong"
    cp "$out/$o/lib/v1/libfoo.so.1" "$out/$a/app-skip/wrong/"
    cp "$out/$o/lib/v1/libfoo.so.1" "$out/$a/app-wrong/wrong/"
  else
    rm -rf "$out/$a/app-skip" "$out/$a/app-wrong"
  fi
done
[ -n "${GORIG_LOADER_SKIP_GO:-}" ] || "$here/build-go.sh" "$out" "${arches[@]}"
printf '%s\n' "$stamp" > "$out/.build-stamp"
echo "build.sh: done" >&2
