#!/usr/bin/env bash
# Runs a program inside a root file tree the way that tree's own glibc loader
# would run it, and reports what happened.
#
#   run-in-root.sh [--json] [--env VAR=VALUE]... [--user UID] ROOT ARCH PROGRAM [ARGS...]
#
# ROOT     a root tree (e.g. one from scripts/fetch-test-roots, or a scratch copy of one)
# ARCH     amd64 | i386 | arm64: the program's architecture
# PROGRAM  the program's path as seen inside ROOT (e.g. /opt/app/bin/prog); it must be in ROOT
#
# Prints the program's stdout, then "--- stderr", its stderr, and "--- exit N";
# exits with the program's status (127 is what the loader uses when it gives up).
# --json   prints one line instead, {"exit": N, "stdout": "...", "stderr": "..."}
#          (UTF-8, invalid bytes replaced), and exits 0 whenever the program was run.
# --env    adds VAR=VALUE to the program's environment (repeatable; so do the
#          words of $RUN_IN_ROOT_ENV, e.g. RUN_IN_ROOT_ENV='LD_DEBUG=libs').
# --user   runs the program as UID:UID (chroot --userspec), e.g. to start a setuid
#          program as somebody else. Needs real root.
# Exit 2: bad usage or missing tools. Exit 3: this cannot be reproduced here (--user
# without root, or a setuid/setgid PROGRAM on a nosuid mount when --user is given),
# with the reason on stderr: a test should skip, not fail.
#
# How: in a private mount namespace (`unshare -m`, or `unshare -r -m` when not root)
# the host's /proc is bind-mounted on ROOT/proc (the loader reads /proc/self/exe to
# expand $ORIGIN for the executable: without /proc, RUNPATH $ORIGIN/... is silently
# dropped), then `chroot ROOT PROGRAM` with an empty environment (PATH only, plus
# the --env and $RUN_IN_ROOT_ENV settings).
# A foreign ARCH (arm64 on x86-64) runs under qemu-user-static: when binfmt_misc has
# no qemu-aarch64 entry (no registration is needed), a tmpfs is mounted on ROOT/dev
# inside the namespace and the static qemu binary copied there, so that
# `chroot ROOT /dev/qemu-aarch64-static PROGRAM` works; ROOT itself is left as it was
# (the mounts vanish with the namespace; nothing in ROOT is written).
set -euo pipefail

json=""; user=""; extra_env=()
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json=1; shift ;;
    --env) [ $# -ge 2 ] && [[ "$2" == *=* ]] || { echo "run-in-root.sh: --env needs VAR=VALUE" >&2; exit 2; }
           extra_env+=("$2"); shift 2 ;;
    --user) [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || { echo "run-in-root.sh: --user needs a numeric UID" >&2; exit 2; }
            user="$2"; shift 2 ;;
    --) shift; break ;;
    -*) echo "run-in-root.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -ge 3 ] || { sed -n '2,22p' "$0" >&2; exit 2; }
root="$(cd "$1" && pwd)"; arch="$2"; prog="$3"; shift 3

case "$prog" in /*) ;; *) echo "run-in-root.sh: PROGRAM must be an absolute path inside ROOT" >&2; exit 2 ;; esac
[ -e "$root$prog" ] || [ -L "$root$prog" ] || { echo "run-in-root.sh: no $prog in $root" >&2; exit 2; }

machine="${HOSTTYPE:-$(uname -m)}"
case "$arch:$machine" in
  amd64:x86_64|i386:x86_64|i386:i686|arm64:aarch64) qemu="" ;;
  arm64:*) qemu=qemu-aarch64-static; binfmt=qemu-aarch64 ;;
  amd64:*) qemu=qemu-x86_64-static; binfmt=qemu-x86_64 ;;
  i386:*) qemu=qemu-i386-static; binfmt=qemu-i386 ;;
  *) echo "run-in-root.sh: unknown ARCH $arch" >&2; exit 2 ;;
esac
if [ -n "$qemu" ] && [ -e "/proc/sys/fs/binfmt_misc/$binfmt" ] \
    && grep -q '^flags:.*F' "/proc/sys/fs/binfmt_misc/$binfmt"; then
  qemu=""  # the kernel runs it through qemu by itself, even inside the chroot
fi
qemu_host=""
if [ -n "$qemu" ]; then
  qemu_host="$(command -v "$qemu")" || {
    echo "run-in-root.sh: $qemu missing (apt-get install qemu-user-static)" >&2; exit 2; }
fi

envs=(PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin)
# shellcheck disable=SC2206
[ -z "${RUN_IN_ROOT_ENV:-}" ] || envs+=(${RUN_IN_ROOT_ENV})
[ ${#extra_env[@]} -eq 0 ] || envs+=("${extra_env[@]}")

ns=(unshare -m)
[ "$EUID" = 0 ] || ns=(unshare -r -m)

userspec=()
if [ -n "$user" ]; then
  [ "$EUID" = 0 ] || { echo "run-in-root.sh: --user $user needs root (in unshare -r only root is mapped)" >&2; exit 3; }
  if [ -u "$root$prog" ] || [ -g "$root$prog" ]; then
    if findmnt -n -o OPTIONS -T "$root$prog" 2>/dev/null | tr , '\n' | grep -qx nosuid; then
      echo "run-in-root.sh: $root$prog is on a nosuid mount: its setuid bit would be ignored" >&2; exit 3
    fi
    [ -z "$qemu" ] || { echo "run-in-root.sh: qemu-user ignores the setuid bit of $prog" >&2; exit 3; }
  fi
  userspec=(--userspec="$user:$user")
fi

tmpd="$(mktemp -d)"
trap 'rm -rf "$tmpd"' EXIT
errf="$tmpd/stderr" outf="$tmpd/stdout" harnessf="$tmpd/harness"
set +e
launcher=()
[ -z "$qemu_host" ] || launcher=("/dev/${qemu_host##*/}")
# env -i is the host's (a minimal root has no env): it clears the environment
# before chroot, so the program gets only "${envs[@]}".
# The namespace set-up reports on fd 3 (harness.err) and exits 125 when it fails, so
# that its complaints are not taken for the program's.
"${ns[@]}" /bin/sh -euc '
  root="$1"; qemu_host="$2"; shift 2
  {
    mount --rbind /proc "$root/proc" &&
    if [ -n "$qemu_host" ]; then
      mount -t tmpfs -o mode=755 tmpfs "$root/dev" && cp "$qemu_host" "$root/dev/"
    fi
  } 2>&3 || exit 125
  exec 3>&-
  exec "$@"
' run-in-root "$root" "$qemu_host" \
  env -i "${envs[@]}" chroot "${userspec[@]}" "$root" "${launcher[@]}" "$prog" "$@" \
  >"$outf" 2>"$errf" 3>"$harnessf" </dev/null
status=$?
set -e
if [ -s "$harnessf" ] || { [ "$status" = 125 ] && ! [ -s "$errf" ]; }; then
  echo "run-in-root.sh: could not set up the namespace for $root (exit $status):" >&2
  cat "$harnessf" "$errf" >&2
  exit 2
fi
if [ -n "$json" ]; then
  # Plain printable ASCII (plus tab and newline), the usual case, is escaped here;
  # anything else goes through python3 (UTF-8, invalid bytes replaced).
  if ! LC_ALL=C grep -aq '[^ -~	]' "$outf" "$errf"; then
    json_str() {
      local v
      v="$(cat "$1"; printf x)"; v="${v%x}"
      v="${v//\\/\\\\}"; v="${v//\"/\\\"}"; v="${v//$'\t'/\\t}"; v="${v//$'\n'/\\n}"
      printf '"%s"' "$v"
    }
    printf '{"exit": %d, "stdout": %s, "stderr": %s}\n' "$status" "$(json_str "$outf")" "$(json_str "$errf")"
    exit 0
  fi
  exec python3 -c '
import json, sys
def text(p):
    with open(p, "rb") as f:
        return f.read().decode("utf-8", "replace")
print(json.dumps({"exit": int(sys.argv[1]), "stdout": text(sys.argv[2]), "stderr": text(sys.argv[3])}))
' "$status" "$outf" "$errf"
fi
cat "$outf"
echo "--- stderr"
cat "$errf"
echo "--- exit $status"
exit "$status"
