//! `gorig inspect` on real binaries built here: C programs from gcc (dynamic, one needing
//! glibc 2.36's arc4random, static) and musl-gcc (dynamic, static); Go programs from the
//! real go1.27.3 (no cgo, cgo with net, GOAMD64=v3, arm64, 386 and big-endian ppc64
//! cross builds, -trimpath -ldflags=-s -w), go1.21.13 and Debian's Go 1.19. Readings
//! are judged against readelf and `go version -m`; verdicts against distro profiles,
//! the doctor's host trees and this host.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used)] // a test that cannot build its programs should stop there

mod hosts;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use gorig_test::{HostTree, TestContext, real_goroot, test_cache_dir};
use serde_json::Value;

fn context() -> TestContext {
    TestContext::new(env!("CARGO_BIN_EXE_gorig"))
}

const HELLO_C: &str = "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";
const ARC4RANDOM_C: &str = "#include <stdio.h>\n#include <stdlib.h>\nint main(void) { printf(\"%u\\n\", arc4random()); return 0; }\n";
const TOOL_GO: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tfmt.Println(\"tool\")\n\tos.Exit(0)\n}\n";
const EXEC_GO: &str =
    "package main\n\nimport \"os/exec\"\n\nfunc main() { _ = exec.Command(\"true\").Run() }\n";
const NET_GO: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"net\"\n)\n\nfunc main() {\n\taddrs, err := net.LookupHost(\"localhost\")\n\tfmt.Println(addrs, err)\n}\n";

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn go_build(go: &Path, module: &Path, out: &Path, env: &[(&str, &str)], flags: &[&str]) {
    let cache = test_cache_dir();
    let mut cmd = gorig_test::offline_go(go, &cache);
    cmd.arg("build").args(flags).arg("-o").arg(out).arg(".");
    cmd.current_dir(module)
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run(&mut cmd);
}

/// Builds every program once per test run into the target's temporary directory.
fn programs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("inspect-programs");
        let _ = std::fs::remove_dir_all(&dir);
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let src = dir.join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("hello.c"), HELLO_C).unwrap();
        std::fs::write(src.join("arc4random.c"), ARC4RANDOM_C).unwrap();
        let c = |compiler: &str, source: &str, out: &str, extra: &[&str]| {
            run(Command::new(compiler).args(extra).arg("-O1").arg("-o").arg(bin.join(out)).arg(src.join(source)));
        };
        c("gcc", "hello.c", "c-dynamic", &[]);
        c("gcc", "arc4random.c", "c-arc4random", &[]);
        c("gcc", "hello.c", "c-static", &["-static"]);
        c("musl-gcc", "hello.c", "musl-dynamic", &[]);
        c("musl-gcc", "hello.c", "musl-static", &["-static"]);

        let tool = src.join("tool");
        std::fs::create_dir_all(&tool).unwrap();
        std::fs::write(tool.join("go.mod"), "module example.com/tool\n\ngo 1.19\n").unwrap();
        std::fs::write(tool.join("main.go"), TOOL_GO).unwrap();
        let tool125 = src.join("tool125");
        std::fs::create_dir_all(&tool125).unwrap();
        std::fs::write(tool125.join("go.mod"), "module example.com/tool\n\ngo 1.25\n").unwrap();
        std::fs::write(tool125.join("main.go"), TOOL_GO).unwrap();
        // A module with a dependency, replaced by a local directory.
        let depmod = src.join("dep");
        std::fs::create_dir_all(&depmod).unwrap();
        std::fs::write(depmod.join("go.mod"), "module example.com/greet\n\ngo 1.19\n").unwrap();
        std::fs::write(depmod.join("greet.go"), "package greet\n\nfunc Hello() string { return \"hello\" }\n").unwrap();
        let withdep = src.join("withdep");
        std::fs::create_dir_all(&withdep).unwrap();
        std::fs::write(
            withdep.join("go.mod"),
            "module example.com/withdep\n\ngo 1.19\n\nrequire example.com/greet v1.0.0\n\nreplace example.com/greet => ../dep\n",
        )
        .unwrap();
        std::fs::write(
            withdep.join("main.go"),
            "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n",
        )
        .unwrap();
        let netmod = src.join("net");
        std::fs::create_dir_all(&netmod).unwrap();
        std::fs::write(netmod.join("go.mod"), "module example.com/lookup\n\ngo 1.19\n").unwrap();
        std::fs::write(netmod.join("main.go"), NET_GO).unwrap();

        let execmod = src.join("exec");
        std::fs::create_dir_all(&execmod).unwrap();
        std::fs::write(execmod.join("go.mod"), "module example.com/runner\n\ngo 1.19\n").unwrap();
        std::fs::write(execmod.join("main.go"), EXEC_GO).unwrap();

        let go127 = real_goroot("go1.27.3").join("bin/go");
        go_build(&go127, &execmod, &bin.join("go-exec-stripped"), &[], &["-trimpath", "-ldflags=-s -w"]);
        // The function table's header in each layout: 32-bit, big-endian, Go 1.21, Go 1.19.
        let uses = dir.join("uses");
        std::fs::create_dir_all(&uses).unwrap();
        go_build(&go127, &netmod, &uses.join("net-386"), &[("GOARCH", "386")], &[]);
        go_build(&go127, &netmod, &uses.join("net-ppc64"), &[("GOARCH", "ppc64")], &[]);
        go_build(&real_goroot("go1.21.13").join("bin/go"), &netmod, &uses.join("net-1.21"), &[], &[]);
        go_build(Path::new("/usr/lib/go-1.19/bin/go"), &netmod, &uses.join("net-1.19-debian"), &[], &[]);
        go_build(&go127, &tool, &bin.join("go-static"), &[], &[]);
        go_build(&go127, &tool125, &bin.join("go-static-125"), &[], &[]);
        go_build(&go127, &withdep, &bin.join("go-withdep"), &[], &[]);
        go_build(&go127, &tool, &bin.join("go-v3"), &[("GOAMD64", "v3")], &[]);
        go_build(&go127, &tool, &bin.join("go-arm64"), &[("GOARCH", "arm64")], &[]);
        go_build(&go127, &tool, &bin.join("go-386"), &[("GOARCH", "386")], &[]);
        go_build(&go127, &tool, &bin.join("go-ppc64"), &[("GOARCH", "ppc64")], &[]);
        go_build(&go127, &tool, &bin.join("go-stripped"), &[], &["-trimpath", "-ldflags=-s -w"]);
        go_build(&go127, &netmod, &bin.join("go-cgo-net"), &[("CGO_ENABLED", "1"), ("CC", "gcc")], &[]);
        go_build(&real_goroot("go1.21.13").join("bin/go"), &tool, &bin.join("go-1.21"), &[], &[]);
        go_build(Path::new("/usr/lib/go-1.19/bin/go"), &tool, &bin.join("go-1.19-debian"), &[], &[]);
        std::fs::write(bin.join("not-elf.sh"), "#!/bin/sh\necho hi\n").unwrap();
        bin
    })
}

fn program(name: &str) -> String {
    programs().join(name).display().to_string()
}

fn inspect(ctx: &TestContext, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["inspect", "--json"];
    all.extend_from_slice(args);
    let out = ctx.run(&all);
    let value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out}"));
    (out.code, value)
}

fn verdicts(report: &Value, file: usize) -> BTreeMap<String, (String, String)> {
    report["files"][file]["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let reasons: Vec<String> = v["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    format!(
                        "[{}:{}] {}",
                        r["check"].as_str().unwrap(),
                        r["effect"].as_str().unwrap(),
                        r["message"].as_str().unwrap()
                    )
                })
                .collect();
            (
                v["target"].as_str().unwrap().to_string(),
                (
                    v["outcome"].as_str().unwrap().to_string(),
                    reasons.join(" | "),
                ),
            )
        })
        .collect()
}

fn readelf(flag: &str, file: &str) -> String {
    let out = Command::new("readelf")
        .args([flag, "-W", file])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_packages_a_go_program_links_are_read_from_its_function_table() {
    let ctx = context();
    for (name, net, os_exec) in [
        ("go-static", false, false),
        ("go-stripped", false, false),
        ("go-cgo-net", true, false),
        ("go-exec-stripped", false, true),
        // The table's header in each layout: Go 1.19 (0xFFFFFFF0), 1.21, 32-bit, big-endian.
        ("go-1.19-debian", false, false),
        ("go-1.21", false, false),
        ("go-386", false, false),
        ("go-ppc64", false, false),
        ("../uses/net-386", true, false),
        ("../uses/net-ppc64", true, false),
        ("../uses/net-1.21", true, false),
        ("../uses/net-1.19-debian", true, false),
    ] {
        let (_, report) = inspect(&ctx, &[&program(name)]);
        let uses = &report["files"][0]["go_uses"];
        assert_eq!(uses["net"], net, "{name}: {uses}");
        assert_eq!(uses["os_exec"], os_exec, "{name}: {uses}");
    }
    // A C program has no Go function table.
    let (_, report) = inspect(&ctx, &[&program("c-dynamic")]);
    assert!(report["files"][0].get("go_uses").is_none(), "{report}");
}

#[test]
fn readings_match_readelf_and_go_version() {
    let bin = programs();
    let ctx = context();
    let go = real_goroot("go1.27.3").join("bin/go");
    let mut names: Vec<String> = std::fs::read_dir(bin)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "not-elf.sh")
        .collect();
    names.sort();
    assert_eq!(names.len(), 17, "{names:?}");
    for name in names {
        let path = program(&name);
        let (_, report) = inspect(&ctx, &[&path, "--target", "rhel9"]);
        let facts = &report["files"][0];

        let headers = readelf("-l", &path);
        let interp = headers
            .lines()
            .find_map(|l| l.split("[Requesting program interpreter: ").nth(1))
            .map(|rest| rest.trim_end_matches(']').to_string());
        assert_eq!(
            facts["interpreter"].as_str().map(str::to_string),
            interp,
            "{name}"
        );

        let dynamic = readelf("-d", &path);
        let needed: Vec<String> = dynamic
            .lines()
            .filter(|l| l.contains("(NEEDED)"))
            .filter_map(|l| l.split("Shared library: [").nth(1))
            .map(|s| s.trim_end_matches(']').to_string())
            .collect();
        let ours: Vec<String> = facts["needed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(ours, needed, "{name}");

        let versions = readelf("-V", &path);
        let mut glibc: Vec<(Vec<u32>, String)> = versions
            .lines()
            .filter_map(|l| l.split("Name: GLIBC_").nth(1))
            .map(|rest| {
                let v = rest.split_whitespace().next().unwrap();
                (
                    v.split('.').map(|p| p.parse().unwrap_or(0)).collect(),
                    format!("GLIBC_{v}"),
                )
            })
            .collect();
        glibc.sort();
        assert_eq!(
            facts["glibc_needed"].as_str().map(str::to_string),
            glibc.last().map(|g| g.1.clone()),
            "{name}"
        );

        let out = Command::new(&go)
            .args(["version", "-m", &path])
            .env("GOTOOLCHAIN", "local")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        if name.starts_with("go-") {
            let version = text
                .lines()
                .next()
                .unwrap()
                .rsplit(": ")
                .next()
                .unwrap()
                .trim();
            assert_eq!(facts["go"]["go_version"], version, "{name}: {text}");
            let settings: BTreeMap<String, String> = facts["go"]["settings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|kv| {
                    (
                        kv[0].as_str().unwrap().to_string(),
                        kv[1].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let mut compared = 0;
            for line in text
                .lines()
                .filter_map(|l| l.trim_start().strip_prefix("build\t"))
            {
                let (key, value) = line.split_once('=').unwrap();
                let value = value.trim_matches('"');
                assert_eq!(
                    settings.get(key).map(String::as_str),
                    Some(value),
                    "{name}: {key}"
                );
                compared += 1;
            }
            assert!(compared >= 4, "{name}: {text}");
            let path_line = text
                .lines()
                .find_map(|l| l.trim_start().strip_prefix("path\t"));
            assert_eq!(facts["go"]["path"].as_str(), path_line, "{name}");
        } else {
            assert!(facts["go"].is_null(), "{name}: {facts}");
            assert!(
                !out.status.success()
                    || text.trim().is_empty()
                    || text.contains("not a Go executable"),
                "{name}: {text}"
            );
        }
    }
}

#[test]
fn kinds_arches_and_layouts() {
    let ctx = context();
    let (_, report) = inspect(
        &ctx,
        &[
            &program("c-dynamic"),
            &program("c-static"),
            &program("musl-dynamic"),
            &program("musl-static"),
            &program("go-ppc64"),
            &program("go-386"),
            &program("go-stripped"),
            &program("go-1.19-debian"),
            "--target",
            "rhel9",
        ],
    );
    let f = |i: usize, key: &str| report["files"][i][key].clone();
    assert_eq!(f(0, "kind"), "pie");
    assert_eq!(f(0, "libc"), "glibc");
    assert_eq!(f(1, "dynamic"), false);
    assert_eq!(f(2, "libc"), "musl");
    assert_eq!(f(2, "interpreter"), "/lib/ld-musl-x86_64.so.1");
    assert_eq!(f(3, "dynamic"), false);
    assert_eq!(f(4, "goarch"), "ppc64");
    assert_eq!(f(4, "big_endian"), true);
    assert_eq!(f(4, "go")["go_version"], "go1.27.3");
    assert_eq!(f(5, "goarch"), "386");
    assert_eq!(f(5, "class"), 32);
    // -s -w drops the symbol table, not the build info; with -trimpath Go does not
    // record -ldflags (they may hold paths).
    let stripped = f(6, "go");
    assert!(
        stripped["settings"]
            .to_string()
            .contains("\"-trimpath\",\"true\""),
        "{stripped}"
    );
    assert!(!readelf("-S", &program("go-stripped")).contains(".symtab"));
    assert!(readelf("-S", &program("go-static")).contains(".symtab"));
    assert_eq!(
        f(7, "go")["go_version"]
            .as_str()
            .map(|v| v.starts_with("go1.19")),
        Some(true),
        "{}",
        f(7, "go")
    );
}

#[test]
fn verdicts_against_distro_profiles() {
    let ctx = context();
    let targets = "rhel8,rhel9,debian12,centos7,alpine";
    let (code, report) = inspect(
        &ctx,
        &[
            &program("c-dynamic"),
            &program("c-arc4random"),
            &program("c-static"),
            &program("musl-dynamic"),
            &program("go-static"),
            &program("go-cgo-net"),
            &program("go-v3"),
            "--target",
            targets,
        ],
    );
    assert_eq!(code, 11, "something won't run somewhere");
    let outcome = |file: usize, target: &str| verdicts(&report, file)[target].clone();

    // Built on Debian 12: __libc_start_main@GLIBC_2.34.
    assert_eq!(outcome(0, "rhel9").0, "runs");
    let (o, why) = outcome(0, "rhel8");
    assert_eq!(o, "wont-run");
    assert!(
        why.contains("needs GLIBC_2.34, rhel8 has glibc 2.28"),
        "{why}"
    );
    assert_eq!(outcome(0, "centos7").0, "wont-run");
    let (o, why) = outcome(0, "alpine");
    assert_eq!(o, "wont-run");
    assert!(
        why.contains("[loader:blocker]") && why.contains("only musl"),
        "{why}"
    );
    // arc4random is GLIBC_2.36: Debian 12 yes, RHEL 9 (2.34) no.
    assert_eq!(outcome(1, "debian12").0, "runs");
    let (o, why) = outcome(1, "rhel9");
    assert_eq!(o, "wont-run");
    assert!(why.contains("GLIBC_2.36"), "{why}");
    // Static: everywhere.
    for target in ["rhel8", "centos7", "alpine"] {
        assert_eq!(outcome(2, target).0, "runs", "c-static on {target}");
        assert_eq!(outcome(4, target).0, "runs", "go-static on {target}");
    }
    // musl's loader on a glibc distro.
    assert_eq!(outcome(3, "alpine").0, "runs");
    assert_eq!(outcome(3, "rhel9").0, "wont-run");
    // cgo with net: a glibc binary.
    assert_eq!(outcome(5, "rhel8").0, "wont-run");
    assert_eq!(report["files"][5]["calls_getaddrinfo"], true);
    assert_eq!(report["files"][4]["calls_getaddrinfo"], false);
    // GOAMD64=v3: a profile knows no CPU.
    let (o, why) = outcome(6, "rhel9");
    assert_eq!(o, "unknown");
    assert!(why.contains("x86-64-v3"), "{why}");
}

#[test]
fn verdicts_against_host_trees() {
    let ctx = context();
    let centos = hosts::centos7();
    let alpine = hosts::alpine();
    let amazon = hosts::amazon2023();
    let container = hosts::container();
    let ubuntu = hosts::ubuntu24();
    let el8 = hosts::el8();
    let root = |t: &HostTree| t.path().display().to_string();
    let (centos_root, alpine_root, amazon_root, container_root, ubuntu_root) = (
        root(&centos),
        root(&alpine),
        root(&amazon),
        root(&container),
        root(&ubuntu),
    );
    let el8_root = root(&el8);
    let canon = |s: &str| Path::new(s).canonicalize().unwrap().display().to_string();
    let (_, report) = inspect(
        &ctx,
        &[
            &program("go-v3"),
            &program("go-static"),
            &program("c-dynamic"),
            &program("musl-dynamic"),
            &program("go-arm64"),
            &program("go-static-125"),
            &program("go-cgo-net"),
            "--target-root",
            &centos_root,
            "--target-root",
            &alpine_root,
            "--target-root",
            &amazon_root,
            "--target-root",
            &container_root,
            "--target-root",
            &ubuntu_root,
            "--target-root",
            &el8_root,
        ],
    );
    let outcome = |file: usize, root: &str| verdicts(&report, file)[&canon(root)].clone();
    // CentOS 7's Xeon E5 is x86-64-v2.
    let (o, why) = outcome(0, &centos_root);
    assert_eq!(o, "wont-run");
    assert!(
        why.contains("GOAMD64=v3") && why.contains("lacks avx"),
        "{why}"
    );
    assert_eq!(outcome(1, &centos_root).0, "runs");
    // A glibc program on Alpine: the loader is missing.
    let (o, why) = outcome(2, &alpine_root);
    assert_eq!(o, "wont-run");
    assert!(
        why.contains("/lib64/ld-linux-x86-64.so.2 is missing") && why.contains("musl"),
        "{why}"
    );
    assert_eq!(outcome(3, &alpine_root).0, "runs", "musl's loader is there");
    assert_eq!(outcome(2, &centos_root).0, "wont-run", "GLIBC_2.34 on 2.17");
    // RHEL 8's libc.so.6 defines versions up to GLIBC_2.28: the loader's version
    // check, done on the tree's own library.
    let (o, why) = outcome(2, &el8_root);
    assert_eq!(o, "wont-run");
    assert!(
        why.contains("version `GLIBC_2.34' not found in /lib64/libc.so.6")
            && why.contains("up to GLIBC_2.28"),
        "{why}"
    );
    assert_eq!(outcome(0, &el8_root).0, "runs", "a v3 CPU, a static binary");
    assert_eq!(outcome(3, &el8_root).0, "wont-run", "no musl loader on EL8");
    // Architecture: amd64 on Graviton, arm64 on Graviton.
    let (o, why) = outcome(1, &amazon_root);
    assert_eq!(o, "wont-run");
    assert!(
        why.contains("built for amd64, this machine is arm64"),
        "{why}"
    );
    assert_eq!(outcome(4, &amazon_root).0, "runs");
    // 1.5 CPUs of 16: a go 1.19 module keeps containermaxprocs=0; go 1.25 does not.
    let (o, why) = outcome(1, &container_root);
    assert_eq!(o, "runs");
    assert!(
        why.contains("[gomaxprocs:warning]") && why.contains("containermaxprocs=0"),
        "{why}"
    );
    let (_, why) = outcome(5, &container_root);
    assert!(!why.contains("gomaxprocs"), "{why}");
    // nss-resolve on Ubuntu: cgo lookups go through it, pure-Go ones skip it.
    let (_, why) = outcome(6, &ubuntu_root);
    assert!(
        why.contains("[dns:warning]") && why.contains("through the C library"),
        "{why}"
    );
    let (_, why) = outcome(1, &ubuntu_root);
    assert!(why.contains("pure-Go resolver"), "{why}");
}

#[test]
fn this_host_recursive_tables_and_bad_input() {
    let ctx = context();
    let (code, report) = inspect(&ctx, &[&program("c-dynamic"), &program("go-static")]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["targets"][0], "host");
    let host_arch = report["files"][1]["goarch"].as_str().unwrap().to_string();
    let (code, report) = inspect(&ctx, &[&program("go-arm64")]);
    if host_arch == "amd64" {
        assert_eq!(code, 11);
        assert!(
            verdicts(&report, 0)["host"].1.contains("built for arm64"),
            "{report:#}"
        );
    }

    let dir = programs().display().to_string();
    let (code, report) = inspect(&ctx, &["--recursive", &dir, "--target", "rhel8,alpine"]);
    assert_eq!(code, 11);
    assert_eq!(
        report["files"].as_array().unwrap().len(),
        17,
        "the shell script is skipped"
    );
    let human = ctx.run(&["inspect", "-r", &dir, "--target", "rhel8"]);
    assert_eq!(human.code, 11, "{human}");
    assert!(human.stdout.contains("17 ELF files"), "{human}");
    assert!(
        human.stdout.lines().any(|l| l.contains("c-dynamic")
            && l.contains("GLIBC_2.34")
            && l.contains("won't run")),
        "{human}"
    );

    let not_elf = ctx.run(&["inspect", &program("not-elf.sh")]);
    assert_eq!(not_elf.code, 2, "{not_elf}");
    assert!(not_elf.stderr.contains("not an ELF file"), "{not_elf}");
    let missing = ctx.run(&["inspect", "/nonexistent/binary"]);
    assert_eq!(missing.code, 3, "{missing}");
    let bad_target = ctx.run(&["inspect", &program("c-static"), "--target", "windows"]);
    assert_eq!(bad_target.code, 2, "{bad_target}");
    assert!(
        bad_target.stderr.contains("rhel8"),
        "lists the profiles: {bad_target}"
    );
    let dir_without_r = ctx.run(&["inspect", &dir]);
    assert_eq!(dir_without_r.code, 2, "{dir_without_r}");

    // --deps lists the modules `go version -m` lists, with replacements.
    let go = real_goroot("go1.27.3").join("bin/go");
    let withdep = program("go-withdep");
    let (_, report) = inspect(&ctx, &[&withdep, "--deps"]);
    let deps = report["files"][0]["go"]["deps"].as_array().unwrap();
    assert_eq!(deps.len(), 1, "{report:#}");
    assert_eq!(deps[0]["path"], "example.com/greet");
    assert_eq!(deps[0]["version"], "v1.0.0");
    assert_eq!(deps[0]["replaced_by"]["path"], "../dep");
    let out = Command::new(&go)
        .args(["version", "-m", &withdep])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("dep\texample.com/greet\tv1.0.0") && listed.contains("=>\t../dep"),
        "{listed}"
    );
    let (_, report) = inspect(&ctx, &[&withdep]);
    assert!(
        report["files"][0]["go"]["deps"].is_null(),
        "deps only with --deps"
    );
    let human = ctx.run(&["inspect", &withdep, "--deps"]);
    assert!(
        human
            .stdout
            .contains("dep       example.com/greet v1.0.0 => ../dep"),
        "{human}"
    );
    let human = ctx.run(&["inspect", go.to_str().unwrap()]);
    assert!(
        human.stdout.contains("go        go1.27.3  cmd/go"),
        "{human}"
    );
}
