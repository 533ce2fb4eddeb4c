#!/usr/bin/env python3
"""Writes scenarios.json (README.md describes it) from the tables below.

  gen-scenarios.py [--observed RESULTS.jsonl] [OUT.json]

OUT.json defaults to scenarios.json next to this script. --observed takes what
run-all.py printed (one JSON object a line) and stores each scenario's exit code
and first stderr line as its "observed" field; without it, the "observed" fields
of the existing OUT.json are kept for the ids that are still there.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SUITES = ["bullseye", "bookworm", "trixie"]
ARCHES = ["amd64", "i386", "arm64"]
TRIP = {"amd64": "x86_64-linux-gnu", "i386": "i386-linux-gnu", "arm64": "aarch64-linux-gnu"}
# the libfoo.so.1 of another arch: amd64 <- i386 (other class), i386 <- amd64
# (other class), arm64 <- amd64 (same class, other machine)
OTHER = {"amd64": "i386", "i386": "amd64", "arm64": "amd64"}


def cp(src, to):
    return {"copy": f"BUILT/{src}", "to": to}


def per_root(a):
    """(name, program, setup, what) for one SUITE-ARCH root."""
    t = TRIP[a]
    o = OTHER[a]
    v1, v2, nover = f"{a}/lib/v1/libfoo.so.1", f"{a}/lib/v2/libfoo.so.1", f"{a}/lib/nover/libfoo.so.1"
    prog = lambda n: (f"/opt/t/{n}", [cp(f"{a}/{n}", f"/opt/t/{n}")])  # noqa: E731
    app = lambda n, exe: (f"/opt/t/{n}/bin/{exe}", [cp(f"{a}/{n}", f"/opt/t/{n}")])  # noqa: E731
    out = []

    def add(name, program_setup, more, what):
        program, setup = program_setup
        out.append((name, program, setup + more, what))

    # 1-4: plain programs and their version needs
    add("hello", prog("hello"), [], "plain C hello built on bookworm (glibc 2.36): needs GLIBC_2.34 "
        "(__libc_start_main), so it fails on bullseye")
    add("hello-b11", prog("hello-b11"), [], "plain C hello linked against bullseye's glibc 2.31: runs everywhere")
    add("cxx-cv", prog("cxx-cv"), [], "C++ iostream + condition_variable::wait built on bookworm: "
        "GLIBC_2.34 and GLIBCXX_3.4.30 (bullseye's libstdc++ has neither)")
    add("cxx-cv-b11", prog("cxx-cv-b11"), [], "same against glibc 2.31: only GLIBCXX_3.4.30 is missing on bullseye")
    add("sd-uuid", prog("sd-uuid"), [], "libsystemd.so.0 LIBSYSTEMD_251 (sd_id128_string_equal) built on "
        "bookworm: LIBSYSTEMD_251 and GLIBC_2.34 missing on bullseye")
    add("sd-uuid-b11", prog("sd-uuid-b11"), [], "same against glibc 2.31: only LIBSYSTEMD_251 missing on bullseye")
    add("glibcxx32", prog("glibcxx32"), [], "needs GLIBCXX_3.4.32 (GCC 14's libstdc++, trixie only) "
        "and GLIBC_2.34")
    add("glibcxx32-b11", prog("glibcxx32-b11"), [], "needs GLIBCXX_3.4.32 only: runs on trixie only")
    add("use-foo-missing", prog("use-foo"), [], "needs libfoo.so.1, which is nowhere in the root")
    add("use-bar-missing", prog("use-bar"), [], "needs libbar.so.1, which is nowhere in the root")
    # 5: RUNPATH / RPATH / DSTs
    add("app-runpath", app("app-runpath", "use-foo"), [], "RUNPATH $ORIGIN/../lib, libfoo.so.1 there")
    add("app-rpath", app("app-rpath", "use-foo"), [], "RPATH $ORIGIN/../lib, libfoo.so.1 there")
    add("app-braces", app("app-braces", "use-foo"), [], "RUNPATH ${ORIGIN}/../lib, libfoo.so.1 there")
    add("app-libdst", app("app-libdst", "use-foo"), [], f"RUNPATH $ORIGIN/../$LIB, libfoo.so.1 in "
        f"../lib/{t}/ (Debian's $LIB is lib/{t})")
    add("app-rpath-indirect", app("app-rpath-indirect", "use-bar"), [], "exe RPATH $ORIGIN/../lib holds "
        "libbar.so.1 and libfoo.so.1; libbar (no RPATH/RUNPATH) needs libfoo: found through the exe's RPATH")
    add("app-rpath-blocked", app("app-rpath-blocked", "use-bar"), [], "as app-rpath-indirect, but libbar.so.1 "
        "has RUNPATH /nonexistent: that disables every RPATH for libbar's needs, libfoo.so.1 is not found")
    add("app-runpath-indirect", app("app-runpath-indirect", "use-bar"), [], "exe RUNPATH $ORIGIN/../lib: "
        "used for the exe's own needs only, libbar's libfoo.so.1 is not found")
    add("app-skip", app("app-skip", "use-foo"), [], f"RUNPATH $ORIGIN/../wrong:$ORIGIN/../lib, wrong/ holds "
        f"the {o} libfoo.so.1 (skipped), lib/ the right one")
    add("app-wrong", app("app-wrong", "use-foo"), [], f"RUNPATH $ORIGIN/../wrong only, holding the {o} "
        f"libfoo.so.1: " + ("wrong ELF class" if a != "arm64" else "other machine, skipped silently: not found"))
    # 6: ld.so.cache and the default dirs
    add("usr-local-lib-no-ldconfig", prog("use-foo"), [cp(v1, "/usr/local/lib/libfoo.so.1")],
        "libfoo.so.1 in /usr/local/lib (only in ld.so.conf, not a default dir), ldconfig not run: not found")
    add("usr-local-lib-ldconfig", prog("use-foo"), [cp(v1, "/usr/local/lib/libfoo.so.1"), {"ldconfig": True}],
        "libfoo.so.1 in /usr/local/lib, then ldconfig: found through ld.so.cache")
    add("usr-local-lib-cache-removed", prog("use-foo"),
        [cp(v1, "/usr/local/lib/libfoo.so.1"), {"ldconfig": True}, {"remove": "/etc/ld.so.cache"}],
        "as usr-local-lib-ldconfig, then /etc/ld.so.cache removed: not found")
    add("no-cache-hello-b11", prog("hello-b11"), [{"remove": "/etc/ld.so.cache"}],
        "no /etc/ld.so.cache at all: libc.so.6 comes from the compiled-in default dirs")
    add("no-cache-sd-uuid-b11", prog("sd-uuid-b11"), [{"remove": "/etc/ld.so.cache"}],
        "no /etc/ld.so.cache: libsystemd.so.0 and its deps from the default dirs")
    add("usr-lib-triplet-no-ldconfig", prog("use-foo"), [cp(v1, f"/usr/lib/{t}/libfoo.so.1")],
        f"libfoo.so.1 in /usr/lib/{t} (a default dir), not in the cache: found")
    add("usr-lib-no-ldconfig", prog("use-foo"), [cp(v1, "/usr/lib/libfoo.so.1")],
        "libfoo.so.1 in /usr/lib (a default dir on Debian), not in the cache: found")
    add("usr-local-lib-triplet-no-ldconfig", prog("use-foo"), [cp(v1, f"/usr/local/lib/{t}/libfoo.so.1")],
        f"libfoo.so.1 in /usr/local/lib/{t} (ld.so.conf only), no ldconfig: not found")
    add("use-bar-default-dir", prog("use-bar"),
        [cp(f"{a}/lib/libbar.so.1", f"/usr/lib/{t}/libbar.so.1"), cp(v1, f"/usr/lib/{t}/libfoo.so.1")],
        f"libbar.so.1 and libfoo.so.1 in /usr/lib/{t}, no ldconfig: found")
    add("cache-format-old", prog("use-foo"), [cp(v1, "/usr/local/lib/libfoo.so.1"), {"ldconfig": ["-c", "old"]}],
        "libfoo.so.1 in /usr/local/lib, cache written by ldconfig -c old (the libc5-era format): read by "
        "every loader, but bullseye's amd64/arm64 ldconfig writes it with string offsets 4 bytes off when the "
        "entry count is odd (as here: 31), so nothing is found through it there (see cache-format-old-2libs)")
    add("cache-format-compat", prog("use-foo"),
        [cp(v1, "/usr/local/lib/libfoo.so.1"), {"ldconfig": ["-c", "compat"]}],
        "libfoo.so.1 in /usr/local/lib, cache written by ldconfig -c compat (old + new): read")
    add("cache-format-old-2libs", prog("use-foo"),
        [cp(v1, "/usr/local/lib/libfoo.so.1"), cp(f"{a}/lib/libbar.so.1", "/usr/local/lib/libbar.so.1"),
         {"ldconfig": ["-c", "old"]}],
        "as cache-format-old with libbar.so.1 too, one more cache entry: bullseye's 64-bit ldconfig -c old "
        "writes string offsets 4 bytes off when the entry count is odd (relative to the 8-aligned end of the "
        "entries, the loader reads them from the unaligned end), so the outcome follows the count's parity")
    add("cache-order", prog("use-foo"),
        [cp(v1, "/usr/local/lib/libfoo.so.1"), cp(nover, f"/usr/lib/{t}/libfoo.so.1"), {"ldconfig": True}],
        f"versioned libfoo in /usr/local/lib, unversioned one in /usr/lib/{t}, ldconfig: the cache entry "
        "that comes first wins (amd64: libc.conf sorts first, /usr/local/lib; i386/arm64: "
        f"{t}.conf sorts first, /usr/lib/{t})")
    # versions
    add("foo2-missing", prog("use-foo2"), [cp(v1, f"/usr/lib/{t}/libfoo.so.1")],
        "needs foo2@FOO_2, libfoo.so.1 v1 defines FOO_1 only: version `FOO_2' not found, exit 1")
    add("foo2-weak", prog("use-foo2-weak"), [cp(v1, f"/usr/lib/{t}/libfoo.so.1")],
        "needs FOO_2 weakly (VER_FLG_WEAK) from a v1 libfoo: a warning, runs")
    add("unversioned-foo1", prog("use-foo"), [cp(nover, f"/usr/lib/{t}/libfoo.so.1")],
        "needs foo@FOO_1 from a libfoo.so.1 without symbol versions: warning, then glibc <= 2.36 "
        "asserts in check_match (127); 2.41 runs")
    add("unversioned-foo2", prog("use-foo2"), [cp(nover, f"/usr/lib/{t}/libfoo.so.1")],
        "needs foo2@FOO_2 from an unversioned libfoo.so.1 that has no foo2: undefined symbol (127)")
    add("foo2-v2", prog("use-foo2"), [cp(v2, f"/usr/lib/{t}/libfoo.so.1")],
        "needs FOO_2, libfoo.so.1 v2 defines FOO_1 and FOO_2: runs")
    add("ld-library-path-vs-runpath", app("app-runpath", "use-foo"),
        [cp(f"{a}/lib/nover", "/opt/t/lib/nover"), {"env": {"LD_LIBRARY_PATH": "/opt/t/lib/nover"}}],
        "LD_LIBRARY_PATH (unversioned libfoo) is searched before RUNPATH: the unversioned one is taken "
        "(warning; <= 2.36: assertion, 127)")
    add("ld-library-path-vs-rpath", app("app-rpath", "use-foo"),
        [cp(f"{a}/lib/nover", "/opt/t/lib/nover"), {"env": {"LD_LIBRARY_PATH": "/opt/t/lib/nover"}}],
        "RPATH is searched before LD_LIBRARY_PATH: the versioned libfoo in RPATH is taken, runs")
    # rejected files
    add("other-arch-in-default-dir", prog("use-foo"), [cp(f"{o}/lib/v1/libfoo.so.1", f"/usr/lib/{t}/libfoo.so.1")],
        f"the {o} libfoo.so.1 in /usr/lib/{t}: " + ("wrong ELF class" if a != "arm64" else "skipped, not found"))
    add("other-arch-then-own", prog("use-foo"),
        [cp(f"{o}/lib/v1/libfoo.so.1", f"/usr/lib/{t}/libfoo.so.1"), cp(v1, "/usr/lib/libfoo.so.1")],
        f"the {o} libfoo.so.1 in /usr/lib/{t} is skipped, the right one in /usr/lib is found")
    add("not-elf-in-default-dir", prog("use-foo"),
        [{"write": f"/usr/lib/{t}/libfoo.so.1", "text": "this is not an ELF file\n"},
         cp(v1, "/usr/lib/libfoo.so.1")],
        f"a text file named libfoo.so.1 in /usr/lib/{t}, a good one in /usr/lib: invalid ELF header is fatal")
    add("empty-in-default-dir", prog("use-foo"),
        [{"write": f"/usr/lib/{t}/libfoo.so.1", "text": ""}, cp(v1, "/usr/lib/libfoo.so.1")],
        f"an empty libfoo.so.1 in /usr/lib/{t}, a good one in /usr/lib: file too short is fatal")
    add("dangling-symlink-in-default-dir", prog("use-foo"),
        [{"symlink": f"/usr/lib/{t}/libfoo.so.1", "target": "libfoo.so.1.0.0"}, cp(v1, "/usr/lib/libfoo.so.1")],
        f"a dangling symlink libfoo.so.1 in /usr/lib/{t} is skipped, the one in /usr/lib is found")
    # Go
    add("go-hello", prog("go-hello"), [], "Go 1.27.3, CGO_ENABLED=0: static, no interpreter, runs everywhere")
    add("go-cgo", prog("go-cgo"), [], "Go 1.27.3 cgo (C.puts) built against bookworm's glibc: needs "
        "GLIBC_2.34, fails on bullseye")
    add("go-cgo-b11", prog("go-cgo-b11"), [], "Go 1.27.3 cgo linked against bullseye's glibc 2.31: runs everywhere")
    return out


def amd64_only(suite):
    """Runs on amd64 roots only: hwcaps and setuid."""
    t = TRIP["amd64"]
    out = []
    v1, nover = "amd64/lib/v1/libfoo.so.1", "amd64/lib/nover/libfoo.so.1"
    out.append(dict(
        name="hwcaps-x86-64-v3", program="/opt/t/use-foo",
        setup=[cp("amd64/use-foo", "/opt/t/use-foo"),
               cp(v1, "/usr/local/lib/libfoo.so.1"),
               cp(nover, "/usr/local/lib/glibc-hwcaps/x86-64-v3/libfoo.so.1"), {"ldconfig": True}],
        what="unversioned libfoo in /usr/local/lib/glibc-hwcaps/x86-64-v3/, versioned one in /usr/local/lib, "
             "ldconfig: on glibc >= 2.33 with an x86-64-v3 CPU the hwcaps copy wins (warning; 2.36 asserts, "
             "127; 2.41 runs); bullseye (2.31) knows no glibc-hwcaps and takes /usr/local/lib",
        cpu_dependent=True))
    for name, src, exe, where, what in [
            ("setuid-opt-runpath", "app-runpath", "use-foo", "/opt/t/app-runpath",
             "setuid-root RUNPATH $ORIGIN/../lib under /opt, started by uid 65534: AT_SECURE drops the "
             "$ORIGIN element (not under a system dir), not found"),
            ("setuid-opt-rpath", "app-rpath", "use-foo", "/opt/t/app-rpath",
             "setuid-root RPATH $ORIGIN/../lib under /opt, started by uid 65534: not found"),
            ("setuid-usrlib-runpath", "app-runpath", "use-foo", "/usr/lib/app-runpath",
             "setuid-root RUNPATH $ORIGIN/../lib under /usr/lib (a system dir), started by uid 65534: runs"),
            ("setuid-usrlib-libdst", "app-libdst", "use-foo", "/usr/lib/app-libdst",
             f"setuid-root RUNPATH $ORIGIN/../$LIB under /usr/lib (lib in ../lib/{t}), started by uid 65534: runs")]:
        out.append(dict(
            name=name, program=f"{where}/bin/{exe}",
            setup=[cp(f"amd64/{src}", where), {"chmod": f"{where}/bin/{exe}", "mode": "4755"}, {"run_as": 65534}],
            what=what, requires_root=True))
    return out


def multiarch(suite):
    """Case 7: an amd64 root with the i386 libc added (dpkg --add-architecture i386)."""
    merge = {"merge_root": f"{suite}-i386",
             "paths": ["/usr/lib/i386-linux-gnu", "/usr/lib/ld-linux.so.2", "/etc/ld.so.conf.d/i386-linux-gnu.conf"]}
    v1_64 = "amd64/lib/v1/libfoo.so.1"
    x = "/usr/lib/x86_64-linux-gnu/libfoo.so.1"
    base = [merge, cp("i386/hello-b11", "/opt/t32/hello-b11"), cp("i386/use-foo", "/opt/t32/use-foo"),
            cp("amd64/use-foo", "/opt/t/use-foo"), cp(v1_64, x)]
    return [
        dict(name="multiarch-i386-hello-b11", program="/opt/t32/hello-b11", program_arch="i386",
             setup=base + [{"ldconfig": True}],
             what="amd64 root plus the i386 libc (ld-linux.so.2, /usr/lib/i386-linux-gnu, its ld.so.conf.d "
                  "file), cache by the amd64 ldconfig: an i386 program runs"),
        dict(name="multiarch-i386-use-foo", program="/opt/t32/use-foo", program_arch="i386",
             setup=base + [{"ldconfig": True}],
             what="same root, a 64-bit libfoo.so.1 only in /usr/lib/x86_64-linux-gnu (cache flags 0x0303, "
                  "invisible to the i386 loader): the i386 use-foo finds nothing"),
        dict(name="multiarch-amd64-use-foo", program="/opt/t/use-foo",
             setup=base + [{"ldconfig": True}],
             what="same root, the amd64 use-foo: finds the 64-bit libfoo.so.1"),
        dict(name="multiarch-i386-use-foo-wrong-class", program="/opt/t32/use-foo", program_arch="i386",
             setup=base + [cp(v1_64, "/usr/lib/i386-linux-gnu/libfoo.so.1"), {"ldconfig": True}],
             what="same root, the 64-bit libfoo.so.1 also in /usr/lib/i386-linux-gnu: wrong ELF class: ELFCLASS64"),
    ]


def scenarios():
    out = []
    for suite in SUITES:
        for a in ARCHES:
            for name, program, setup, what in per_root(a):
                out.append(dict(id=f"{suite}-{a}/{name}", suite=suite, arch=a, program=program,
                                setup=setup, what=what))
        for s in amd64_only(suite):
            name = s.pop("name")
            out.append(dict(id=f"{suite}-amd64/{name}", suite=suite, arch="amd64", **s))
        for s in multiarch(suite):
            name = s.pop("name")
            out.append(dict(id=f"{suite}-amd64+i386/{name}", suite=suite, arch="amd64", **s))
    # field order: id suite arch [program_arch] program setup what [flags] observed
    order = ["id", "suite", "arch", "program_arch", "program", "setup", "what", "cpu_dependent", "requires_root"]
    return [{k: s[k] for k in order if k in s} for s in out]


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def main(argv):
    args = argv[1:]
    observed_file = None
    if args[:1] == ["--observed"]:
        observed_file = args[1]
        args = args[2:]
    dest = args[0] if args else os.path.join(HERE, "scenarios.json")
    observed = {}
    if observed_file:
        with open(observed_file, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    if "exit" in r:
                        observed[r["id"]] = {"exit": r["exit"], "stderr": first_line(r["stderr"])}
                    elif r.get("skipped"):
                        observed[r["id"]] = {"skipped": r["skipped"]}
    elif os.path.exists(dest):
        with open(dest, encoding="utf-8") as f:
            for s in json.load(f)["scenarios"]:
                if "observed" in s:
                    observed[s["id"]] = s["observed"]
    items = scenarios()
    ids = [s["id"] for s in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for s in items:
        if s["id"] in observed:
            s["observed"] = observed[s["id"]]
    doc = {"comment": "Loader scenarios for gorig inspect: see README.md. Generated by gen-scenarios.py; "
                      "observed = exit code and first stderr line of the real loader "
                      "(run-all.py, bookworm x86-64 host with qemu-user-static).",
           "scenarios": items}
    with open(dest + ".tmp", "w", encoding="utf-8") as f:
        f.write(dump(doc))
    os.replace(dest + ".tmp", dest)
    print(f"{dest}: {len(items)} scenarios", file=sys.stderr)
    return 0


def dump(doc):
    """One scenario on a few lines: readable diffs without one value a line."""
    lines = ["{", f'  "comment": {json.dumps(doc["comment"])},', '  "scenarios": [']
    for i, s in enumerate(doc["scenarios"]):
        head = ", ".join(f"{json.dumps(k)}: {json.dumps(s[k])}"
                         for k in ("id", "suite", "arch", "program_arch", "program") if k in s)
        rest = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in s.items()
                if k not in ("id", "suite", "arch", "program_arch", "program")]
        lines.append("    {" + ",\n     ".join([head] + rest) + "}" + ("," if i + 1 < len(doc["scenarios"]) else ""))
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv))
