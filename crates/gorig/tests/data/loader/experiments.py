#!/usr/bin/env python3
"""experiments.py OUT SCRATCH RESULT.json: runs every program that build.sh put
in OUT in every root of scripts/fetch-test-roots it makes sense for, each in a
fresh copy of the root under SCRATCH (programs at /opt/t), with the setups of
the outcome table in loader research notes; logs one line per run on stderr and
writes every run's exit code and stderr to RESULT.json. Needs root (chroot) and
qemu-user-static. About 25 s."""
import json, os, shutil, subprocess, sys
CACHE = os.environ.get("GORIG_TEST_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gorig-test")
ROOTS = CACHE + "/roots"
OUT, SCR, RESULT = sys.argv[1], sys.argv[2], sys.argv[3]
RUN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run-in-root.sh")
TRIP = {"amd64": "x86_64-linux-gnu", "i386": "i386-linux-gnu", "arm64": "aarch64-linux-gnu"}
SUITES = ["bullseye", "bookworm", "trixie"]
ARCHES = ["amd64", "i386", "arm64"]
results = []

def fresh(suite, arch, name="r"):
    d = f"{SCR}/{suite}-{arch}-{name}"
    if os.path.exists(d):
        shutil.rmtree(d)
    shutil.copytree(f"{ROOTS}/{suite}-{arch}", d, symlinks=True)
    shutil.copytree(f"{OUT}/{arch}", d + "/opt/t", symlinks=True)
    return d

def sh(cmd):
    subprocess.run(cmd, shell=True, check=True)

def ldconfig(root, arch, extra=""):
    if arch == "arm64":
        sh(f"qemu-aarch64-static {root}/sbin/ldconfig -r {root} {extra}")
    else:
        sh(f"chroot {root} /sbin/ldconfig {extra}")

def run(root, arch, prog, env=""):
    p = subprocess.run([RUN, root, arch, prog], capture_output=True, text=True,
                       env=dict(os.environ, RUN_IN_ROOT_ENV=env))
    err = p.stdout.split("--- stderr\n", 1)[1].rsplit("--- exit", 1)[0].strip()
    return p.returncode, err

def record(case, suite, arch, prog, code, err, note=""):
    first = err.splitlines()[0] if err else ""
    results.append(dict(case=case, root=f"{suite}-{arch}", prog=prog, exit=code, stderr=err, first=first, note=note))
    print(f"{case:28} {suite+'-'+arch:16} {prog:36} {code:4} {first}", file=sys.stderr)

def put(root, src, dst):
    os.makedirs(os.path.dirname(root + dst), exist_ok=True)
    shutil.copy(src, root + dst)

PLAIN = ["hello", "hello-b11", "cxx-cv", "cxx-cv-b11", "sd-uuid", "sd-uuid-b11", "glibcxx32", "glibcxx32-b11",
         "use-foo", "use-bar"]
APPS = ["app-runpath/bin/use-foo", "app-rpath/bin/use-foo", "app-braces/bin/use-foo", "app-libdst/bin/use-foo",
        "app-rpath-indirect/bin/use-bar", "app-runpath-indirect/bin/use-bar", "app-rpath-blocked/bin/use-bar", "app-skip/bin/use-foo",
        "app-wrong/bin/use-foo"]

for suite in SUITES:
    for arch in ARCHES:
        t = TRIP[arch]
        os.makedirs(SCR, exist_ok=True)
        r = fresh(suite, arch)
        for p in PLAIN + APPS:
            code, err = run(r, arch, "/opt/t/" + p)
            record("1-5 as built", suite, arch, p, code, err)
        # 6: /usr/local/lib before/after ldconfig
        put(r, f"{OUT}/{arch}/lib/v1/libfoo.so.1", "/usr/local/lib/libfoo.so.1")
        code, err = run(r, arch, "/opt/t/use-foo"); record("6 /usr/local/lib, no ldconfig", suite, arch, "use-foo", code, err)
        ldconfig(r, arch)
        code, err = run(r, arch, "/opt/t/use-foo"); record("6 /usr/local/lib + ldconfig", suite, arch, "use-foo", code, err)
        os.rename(r + "/etc/ld.so.cache", r + "/etc/ld.so.cache.away")
        code, err = run(r, arch, "/opt/t/use-foo"); record("6 same, ld.so.cache removed", suite, arch, "use-foo", code, err)
        code, err = run(r, arch, "/opt/t/hello-b11"); record("no ld.so.cache at all", suite, arch, "hello-b11", code, err)
        code, err = run(r, arch, "/opt/t/sd-uuid-b11"); record("no ld.so.cache at all", suite, arch, "sd-uuid-b11", code, err)
        os.rename(r + "/etc/ld.so.cache.away", r + "/etc/ld.so.cache")
        # default dirs without cache entries
        for d in (f"/usr/lib/{t}", "/usr/lib", f"/usr/local/lib/{t}"):
            r2 = fresh(suite, arch, "dd")
            put(r2, f"{OUT}/{arch}/lib/v1/libfoo.so.1", d + "/libfoo.so.1")
            code, err = run(r2, arch, "/opt/t/use-foo"); record(f"lib in {d}, no ldconfig", suite, arch, "use-foo", code, err)
        # versions
        r2 = fresh(suite, arch, "ver")
        put(r2, f"{OUT}/{arch}/lib/v1/libfoo.so.1", f"/usr/lib/{t}/libfoo.so.1")
        put(r2, f"{OUT}/{arch}/lib/libbar.so.1", f"/usr/lib/{t}/libbar.so.1")
        code, err = run(r2, arch, "/opt/t/use-bar"); record("libbar+libfoo in default dir", suite, arch, "use-bar", code, err)
        code, err = run(r2, arch, "/opt/t/use-foo2"); record("v1 lib (no FOO_2)", suite, arch, "use-foo2", code, err)
        code, err = run(r2, arch, "/opt/t/use-foo2-weak"); record("v1 lib (no FOO_2), weak need", suite, arch, "use-foo2-weak", code, err)
        put(r2, f"{OUT}/{arch}/lib/nover/libfoo.so.1", f"/usr/lib/{t}/libfoo.so.1")
        code, err = run(r2, arch, "/opt/t/use-foo"); record("unversioned lib, FOO_1 need", suite, arch, "use-foo", code, err)
        code, err = run(r2, arch, "/opt/t/use-foo2"); record("unversioned lib, FOO_2 need", suite, arch, "use-foo2", code, err)
        put(r2, f"{OUT}/{arch}/lib/v2/libfoo.so.1", f"/usr/lib/{t}/libfoo.so.1")
        code, err = run(r2, arch, "/opt/t/use-foo2"); record("v2 lib", suite, arch, "use-foo2", code, err)
        # search order: LD_LIBRARY_PATH vs RPATH / RUNPATH (nover lib in LD_LIBRARY_PATH dir)
        code, err = run(r, arch, "/opt/t/app-runpath/bin/use-foo", "LD_LIBRARY_PATH=/opt/t/lib/nover")
        record("LD_LIBRARY_PATH=nover vs RUNPATH", suite, arch, "app-runpath", code, err, "warning => LD_LIBRARY_PATH won")
        code, err = run(r, arch, "/opt/t/app-rpath/bin/use-foo", "LD_LIBRARY_PATH=/opt/t/lib/nover")
        record("LD_LIBRARY_PATH=nover vs RPATH", suite, arch, "app-rpath", code, err, "no warning => RPATH won")
        # cache vs default dir: nover in /usr/lib/T (default dir, also cached), v1 in /usr/local/lib (cache)
        r2 = fresh(suite, arch, "ord")
        put(r2, f"{OUT}/{arch}/lib/v1/libfoo.so.1", "/usr/local/lib/libfoo.so.1")
        put(r2, f"{OUT}/{arch}/lib/nover/libfoo.so.1", f"/usr/lib/{t}/libfoo.so.1")
        ldconfig(r2, arch)
        code, err = run(r2, arch, "/opt/t/use-foo"); record("v1 /usr/local/lib, nover /usr/lib/T, ldconfig", suite, arch, "use-foo", code, err, "warning => /usr/lib/T entry won")
        # other-class / other-machine file in the default dir
        other = {"amd64": "i386", "i386": "amd64", "arm64": "amd64"}[arch]
        r2 = fresh(suite, arch, "wc")
        put(r2, f"{OUT}/{other}/lib/v1/libfoo.so.1", f"/usr/lib/{t}/libfoo.so.1")
        code, err = run(r2, arch, "/opt/t/use-foo"); record(f"{other} libfoo in /usr/lib/T", suite, arch, "use-foo", code, err)
        put(r2, f"{OUT}/{arch}/lib/v1/libfoo.so.1", "/usr/lib/libfoo.so.1")
        code, err = run(r2, arch, "/opt/t/use-foo"); record(f"{other} in /usr/lib/T + own in /usr/lib", suite, arch, "use-foo", code, err)
        shutil.rmtree(r2)

# 7: amd64 root with i386 libc added (multiarch), i386 program
for suite in SUITES:
    r = fresh(suite, "amd64", "multi")
    i = f"{ROOTS}/{suite}-i386"
    sh(f"cp -a {i}/usr/lib/i386-linux-gnu {r}/usr/lib/ && cp -a {i}/usr/lib/ld-linux.so.2 {r}/usr/lib/ && cp {i}/etc/ld.so.conf.d/i386-linux-gnu.conf {r}/etc/ld.so.conf.d/")
    shutil.copytree(f"{OUT}/i386", r + "/opt/t32", symlinks=True)
    put(r, f"{OUT}/amd64/lib/v1/libfoo.so.1", "/usr/lib/x86_64-linux-gnu/libfoo.so.1")
    ldconfig(r, "amd64")
    code, err = run(r, "i386", "/opt/t32/hello-b11"); record("7 amd64+i386 root", suite, "amd64+i386", "i386 hello-b11", code, err)
    code, err = run(r, "i386", "/opt/t32/use-foo"); record("7 64-bit libfoo in /usr/lib/x86_64-linux-gnu", suite, "amd64+i386", "i386 use-foo", code, err)
    code, err = run(r, "amd64", "/opt/t/use-foo"); record("7 (same root, amd64 program)", suite, "amd64+i386", "amd64 use-foo", code, err)
    put(r, f"{OUT}/amd64/lib/v1/libfoo.so.1", "/usr/lib/i386-linux-gnu/libfoo.so.1")
    ldconfig(r, "amd64")
    code, err = run(r, "i386", "/opt/t32/use-foo"); record("7 64-bit libfoo also in /usr/lib/i386-linux-gnu", suite, "amd64+i386", "i386 use-foo", code, err)
    sh(f"chroot {r} /sbin/ldconfig -p | grep libfoo > {SCR}/{suite}-multi-ldconfig-p.txt || true")

json.dump(results, open(RESULT, "w"), indent=1)
