#!/usr/bin/env python3
"""Make a private copy of a cached test root and set one loader scenario up in it.

  prepare.py SCENARIOS_JSON ID ROOTS_CACHE BUILT OUT
  prepare.py --list SCENARIOS_JSON

SCENARIOS_JSON  scenarios.json of this directory (README.md describes it)
ID              a scenario's "id", e.g. bookworm-amd64/app-runpath
ROOTS_CACHE     the directory holding the roots of scripts/fetch-test-roots
                (~/.cache/gorig-test/roots; the gorig-test cache dir itself is
                accepted too)
BUILT           the OUTDIR given to build.sh (BUILT/amd64/hello, ...)
OUT             where the copy goes: must not exist, or be an empty directory

Prints one JSON line on stdout:
  {"id": ID, "root": OUT (absolute), "program": the program's path inside OUT,
   "path": OUT + program (the file to give gorig inspect), "arch": the program's
   arch (amd64/i386/arm64: run-in-root.sh's ARCH), "env": {VAR: VALUE} for the
   program, "user": UID to run it as, or null}
then exits 0; exit 1 on a failed step, 2 on bad usage.

--list prints every id, one a line, in file order.

The copy: `cp -al` (every file a hard link into the cached root, directories
new), so it costs a few milliseconds and a little inode space; files from BUILT
are hard-linked too when BUILT is on the same file system (else copied). The cached root
must never be modified, so a step never writes into an existing file: it unlinks
it first (copy, write, symlink, remove, merge_root), or replaces it with a private
copy first (chmod). ldconfig writes ld.so.cache and var/cache/ldconfig/aux-cache
as NAME~ and renames that over NAME (glibc elf/cache.c; checked for the 2.31, 2.36
and 2.41 ldconfigs: the cached root's inode keeps its content); stale NAME~ files
are unlinked before it runs, and both files are made private copies anyway.
Works as root and, unprivileged, with `unshare -r` for the chroot of ldconfig.
"""

import json
import os
import platform
import shutil
import subprocess
import sys

TRIPLET = {"amd64": "x86_64-linux-gnu", "i386": "i386-linux-gnu", "arm64": "aarch64-linux-gnu"}
QEMU = {"arm64": "qemu-aarch64-static", "amd64": "qemu-x86_64-static", "i386": "qemu-i386-static"}
VERBS = ("copy", "write", "symlink", "remove", "ldconfig", "merge_root", "env", "chmod", "run_as")


class StepError(Exception):
    pass


def load(scenarios_json):
    with open(scenarios_json, encoding="utf-8") as f:
        data = json.load(f)
    return data["scenarios"] if isinstance(data, dict) else data


def find(scenarios, sid):
    for s in scenarios:
        if s["id"] == sid:
            return s
    raise StepError(f"no scenario {sid!r}")


def roots_dir(cache):
    if os.path.isdir(os.path.join(cache, "roots")) and not any(
            os.path.isdir(os.path.join(cache, f"{s}-amd64")) for s in ("bullseye", "bookworm", "trixie")):
        return os.path.join(cache, "roots")
    return cache


def host_runs(arch):
    m = platform.machine()
    if m in ("x86_64", "amd64"):
        return arch in ("amd64", "i386")
    if m in ("aarch64", "arm64"):
        return arch == "arm64"
    if m in ("i386", "i686"):
        return arch == "i386"
    return False


def inside(out, path):
    """OUT + path, refusing paths that are not absolute or climb out."""
    if not path.startswith("/"):
        raise StepError(f"path {path!r} must be absolute (inside the root)")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise StepError(f"path {path!r} must not contain '..'")
    return os.path.join(out, *parts)


def check_parents(out, dest):
    """The directories between OUT and dest must not be symlinks: a step must not
    follow a link of the root (/lib -> usr/lib is fine for the loader, but the
    steps name real directories, so a link there is a mistake in the scenario)."""
    rel = os.path.relpath(os.path.dirname(dest), out)
    cur = out
    for p in ([] if rel == "." else rel.split(os.sep)):
        cur = os.path.join(cur, p)
        if os.path.islink(cur):
            raise StepError(f"{os.path.relpath(dest, out)}: /{os.path.relpath(cur, out)} is a symlink "
                            "in the root; name the real directory")


def make_parent(out, dest):
    check_parents(out, dest)
    os.makedirs(os.path.dirname(dest), mode=0o755, exist_ok=True)


def clear(dest):
    """Unlink whatever is at dest (never writing through a hard link)."""
    if os.path.islink(dest) or (os.path.exists(dest) and not os.path.isdir(dest)):
        os.unlink(dest)
    elif os.path.isdir(dest):
        shutil.rmtree(dest)


def built_path(built, src):
    if not src.startswith("BUILT/"):
        raise StepError(f"copy source {src!r} must start with BUILT/")
    p = os.path.join(built, *[x for x in src[len("BUILT/"):].split("/") if x])
    if not os.path.lexists(p):
        raise StepError(f"{src}: no {p} (was build.sh run with that OUTDIR?)")
    return p


def link_or_copy(src, dest):
    """Hard-links a built file into the root (no data written: cheap to make and to
    remove), or copies it when BUILT is on another file system. Steps never write
    into files (chmod makes a private copy first), so BUILT stays as it was."""
    if os.path.islink(src):
        os.symlink(os.readlink(src), dest)
        return dest
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)
    return dest


def privatize(path):
    """Replace a file that may be a hard link into the cached root by a copy."""
    if os.path.isfile(path) and not os.path.islink(path) and os.stat(path).st_nlink > 1:
        tmp = path + ".prepare-tmp"
        shutil.copy2(path, tmp)
        os.replace(tmp, path)


def run_ldconfig(out, arch, args):
    ld = os.path.join(out, "sbin/ldconfig")
    if not os.path.lexists(ld):
        raise StepError("no /sbin/ldconfig in the root")
    for f in ("etc/ld.so.cache", "var/cache/ldconfig/aux-cache"):
        p = os.path.join(out, f)
        if os.path.lexists(p + "~"):
            os.unlink(p + "~")
        privatize(p)
    prefix = [] if os.geteuid() == 0 else ["unshare", "-r"]
    if host_runs(arch):
        cmd = prefix + ["chroot", out, "/sbin/ldconfig"] + args
    else:
        qemu = shutil.which(QEMU[arch])
        if not qemu:
            raise StepError(f"{QEMU[arch]} is needed for the {arch} root's ldconfig "
                            "(scripts/test-loader-deps installs it)")
        cmd = prefix + [qemu, ld, "-r", out] + args
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise StepError(f"ldconfig failed (exit {p.returncode}): {' '.join(cmd)}\n{p.stderr}")


def apply(step, out, arch, roots, built, result):
    verbs = [v for v in VERBS if v in step]
    if len(verbs) != 1:
        raise StepError(f"step {step!r} must have exactly one of {', '.join(VERBS)}")
    verb = verbs[0]
    if verb == "copy":
        src = built_path(built, step["copy"])
        dest = inside(out, step["to"])
        make_parent(out, dest)
        clear(dest)
        if os.path.isdir(src) and not os.path.islink(src):
            shutil.copytree(src, dest, symlinks=True, copy_function=link_or_copy)
        else:
            link_or_copy(src, dest)
    elif verb == "write":
        dest = inside(out, step["write"])
        make_parent(out, dest)
        clear(dest)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(step.get("text", ""))
        os.chmod(dest, int(step.get("mode", "644"), 8))
    elif verb == "symlink":
        dest = inside(out, step["symlink"])
        make_parent(out, dest)
        clear(dest)
        os.symlink(step["target"], dest)
    elif verb == "remove":
        dest = inside(out, step["remove"])
        check_parents(out, dest)
        if not os.path.lexists(dest):
            raise StepError(f"remove: no {step['remove']} in the root")
        clear(dest)
    elif verb == "ldconfig":
        args = step["ldconfig"]
        if args is True:
            args = []
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise StepError("ldconfig: true or a list of arguments")
        run_ldconfig(out, arch, args)
    elif verb == "merge_root":
        other = os.path.join(roots, step["merge_root"])
        if not os.path.isdir(other):
            raise StepError(f"merge_root: no root {other} (scripts/fetch-test-roots {step['merge_root']})")
        for path in step["paths"]:
            src = inside(other, path)
            dest = inside(out, path)
            if not os.path.lexists(src):
                raise StepError(f"merge_root: no {path} in {other}")
            make_parent(out, dest)
            if os.path.isdir(src) and not os.path.islink(src):
                if os.path.lexists(dest) and not os.path.isdir(dest):
                    os.unlink(dest)
                subprocess.run(["cp", "-al", "--remove-destination", "-T", src, dest], check=True)
            else:
                clear(dest)
                subprocess.run(["cp", "-al", src, dest], check=True)
    elif verb == "env":
        if not isinstance(step["env"], dict):
            raise StepError("env: an object {VAR: VALUE}")
        result["env"].update({str(k): str(v) for k, v in step["env"].items()})
    elif verb == "chmod":
        dest = inside(out, step["chmod"])
        if not os.path.isfile(dest) or os.path.islink(dest):
            raise StepError(f"chmod: {step['chmod']} is not a regular file")
        privatize(dest)
        os.chmod(dest, int(step["mode"], 8))
    elif verb == "run_as":
        result["user"] = int(step["run_as"])


def prepare(scenario, roots, built, out):
    """Copy the scenario's root to OUT, apply its steps; returns the result dict."""
    roots = roots_dir(roots)
    base = os.path.join(roots, f"{scenario['suite']}-{scenario['arch']}")
    if not (os.path.isdir(base) and os.path.exists(base + ".stamp")):
        raise StepError(f"no finished root {base} (scripts/fetch-test-roots "
                        f"{scenario['suite']}-{scenario['arch']})")
    if os.path.lexists(out):
        if not os.path.isdir(out) or os.listdir(out):
            raise StepError(f"OUT {out} exists and is not an empty directory")
    else:
        os.makedirs(os.path.dirname(os.path.abspath(out)) or ".", exist_ok=True)
    out = os.path.abspath(out)
    subprocess.run(["cp", "-al", "-T", base, out], check=True)
    result = {"id": scenario["id"], "root": out, "program": scenario["program"],
              "path": inside(out, scenario["program"]),
              "arch": scenario.get("program_arch", scenario["arch"]), "env": {}, "user": None}
    for step in scenario.get("setup", []):
        apply(step, out, scenario["arch"], roots, built, result)
    if not os.path.lexists(result["path"]):
        raise StepError(f"the setup did not put {scenario['program']} in the root")
    return result


def main(argv):
    if len(argv) == 3 and argv[1] == "--list":
        for s in load(argv[2]):
            print(s["id"])
        return 0
    if len(argv) != 6:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    _, sj, sid, roots, built, out = argv
    try:
        result = prepare(find(load(sj), sid), roots, built, out)
    except (StepError, OSError, subprocess.CalledProcessError, KeyError, ValueError) as e:
        print(f"prepare.py: {sid}: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
