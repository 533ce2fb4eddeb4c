//! The gorig binary end to end, in a hermetic context, against mock mirrors on loopback and
//! on disk serving small synthetic toolchains: what users run, what they see, what is left
//! on disk, and the exit codes.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

use gorig_test::{Fault, MirrorDir, MockServer, Output, TestContext, sha256_hex};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

/// A context plus a mirror directory with three fake releases (amd64 and arm64).
struct World {
    ctx: TestContext,
    mirror: MirrorDir,
}

fn world() -> World {
    let ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    mirror.add_fake("go1.21.13", &["amd64", "arm64"]);
    mirror.add_fake("go1.22.4", &["amd64", "arm64"]);
    mirror.add_fake("go1.22.5", &["amd64", "arm64", "s390x"]);
    mirror.add_fake("go1.23rc1", &["amd64"]);
    World { ctx, mirror }
}

impl World {
    /// Uses the mirror directory (plain path) and pins the arch so tests run anywhere.
    fn offline_mirror(mut self) -> World {
        let dir = self.mirror.path().display().to_string();
        self.ctx.env("GORIG_MIRROR", dir).env("GORIG_ARCH", "amd64");
        self
    }

    /// Serves the mirror on loopback with go.dev's dynamic index, and points gorig at it.
    fn loopback_mirror(&mut self) -> MockServer {
        let server = MockServer::serve_dir(self.mirror.path()).with_dynamic_index();
        self.ctx
            .env("GORIG_MIRROR", server.url())
            .env("GORIG_ARCH", "amd64");
        server
    }

    fn run(&self, args: &[&str]) -> Output {
        self.ctx.run(args)
    }

    fn versions_on_disk(&self) -> Vec<String> {
        self.ctx.versions_on_disk()
    }

    /// Runs `go version` through the default toolchain's link, as a shell would.
    fn go_version(&self) -> String {
        let go = self.ctx.gorig_home().join("current/bin/go");
        let out = Command::new(&go).arg("version").output().expect("run go");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

#[test]
fn install_latest_from_a_loopback_mirror_then_use_it() {
    let mut w = world();
    let server = w.loopback_mirror();
    let out = w.run(&["install"]);
    out.success();
    assert!(out.stdout.contains("installed go1.22.5 in "), "{out}");
    assert!(out.stdout.contains("go1.22.5 is now the default"), "{out}");
    assert!(
        out.stderr.contains("eval \"$(gorig env)\""),
        "a PATH hint: {out}"
    );
    // No progress bar or escape codes on a pipe.
    assert!(
        !out.stderr.contains('\r') && !out.stderr.contains('\x1b'),
        "{out}"
    );
    assert_eq!(w.go_version(), "go version go1.22.5 linux/amd64");
    assert_eq!(
        server.requests(),
        [
            "/?mode=json&include=all",
            "/go1.22.5.linux-amd64.tar.gz.asc",
            "/go1.22.5.linux-amd64.tar.gz"
        ]
    );
    let which = w.run(&["which"]);
    which.success();
    assert_eq!(
        which.stdout.trim(),
        w.ctx
            .gorig_home()
            .join("versions/go1.22.5/bin/go")
            .display()
            .to_string()
    );
    let gofmt = w.run(&["which", "gofmt"]);
    assert!(
        gofmt.stdout.trim().ends_with("versions/go1.22.5/bin/gofmt"),
        "{gofmt}"
    );
    let missing = w.run(&["which", "vet"]);
    missing.failure(3);
    assert!(missing.stderr.contains("it has: go, gofmt"), "{missing}");
}

#[test]
fn series_exact_and_unstable_requests() {
    let w = world().offline_mirror();
    w.run(&["install", "1.22"]).success();
    assert_eq!(w.versions_on_disk(), ["go1.22.5"]);
    w.run(&["install", "go1.22.4", "1.21.13"]).success();
    assert_eq!(w.versions_on_disk(), ["go1.21.13", "go1.22.4", "go1.22.5"]);
    assert_eq!(
        w.go_version(),
        "go version go1.22.5 linux/amd64",
        "the first install stays the default"
    );
    let out = w.run(&["install", "1.23"]);
    out.failure(3);
    assert!(
        out.stderr.contains("matches only prereleases (go1.23rc1)"),
        "{out}"
    );
    assert!(
        out.stderr.contains("hint: gorig install --unstable 1.23"),
        "{out}"
    );
    w.run(&["install", "--unstable", "latest"]).success();
    assert!(w.versions_on_disk().contains(&"go1.23rc1".to_string()));
    let out = w.run(&["install", "1.22.5"]);
    out.success();
    assert!(
        out.stdout.contains("go1.22.5 is already installed"),
        "{out}"
    );
}

#[test]
fn use_switches_the_default_and_env_puts_it_on_path() {
    let w = world().offline_mirror();
    w.run(&["install", "1.22.5", "1.21.13"]).success();
    assert_eq!(w.go_version(), "go version go1.22.5 linux/amd64");
    let out = w.run(&["use", "1.21"]);
    out.success();
    assert!(out.stdout.contains("go1.21.13 is now the default"), "{out}");
    assert_eq!(w.go_version(), "go version go1.21.13 linux/amd64");
    let list = w.run(&["list"]);
    assert_eq!(list.stdout, "go1.22.5\ngo1.21.13  (default)\n");

    // The env script, evaluated by a real shell, finds the default `go`.
    let script = w.run(&["env", "--shell", "sh"]);
    script.success();
    let shell = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{}\ngo version\n", script.stdout))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("sh");
    assert_eq!(
        String::from_utf8_lossy(&shell.stdout).trim(),
        "go version go1.21.13 linux/amd64"
    );
    assert!(!script.stdout.contains("GOROOT"), "no GOROOT unless asked");
    let with_root = w.run(&["env", "--shell", "bash", "--goroot"]);
    assert!(with_root.stdout.contains("export GOROOT="), "{with_root}");

    // `use -` rolls back to the default before the last change, and forth again.
    w.run(&["use", "-"]).success();
    assert_eq!(w.go_version(), "go version go1.22.5 linux/amd64");
    w.run(&["use", "-"]).success();
    assert_eq!(w.go_version(), "go version go1.21.13 linux/amd64");

    let out = w.run(&["use", "1.20"]);
    out.failure(3);
    assert!(
        out.stderr.contains("no installed version matches `1.20`"),
        "{out}"
    );
    assert!(out.stderr.contains("hint: gorig install 1.20"), "{out}");
}

#[test]
fn uninstall_keeps_the_default_unless_forced() {
    let w = world().offline_mirror();
    w.run(&["install", "1.22.5", "1.21.13"]).success();
    let out = w.run(&["uninstall", "1.22.5"]);
    out.failure(7);
    assert!(out.stderr.contains("hint: gorig use go1.21.13"), "{out}");
    assert_eq!(w.versions_on_disk(), ["go1.21.13", "go1.22.5"]);
    w.run(&["uninstall", "1.21.13"]).success();
    assert_eq!(w.versions_on_disk(), ["go1.22.5"]);
    w.run(&["uninstall", "--force", "go1.22.5"]).success();
    assert!(w.versions_on_disk().is_empty());
    let which = w.run(&["which"]);
    which.failure(3);
    assert!(which.stderr.contains("hint: gorig install"), "{which}");
    w.run(&["uninstall", "1.22.5"]).failure(3);
}

#[test]
fn file_urls_and_static_http_mirrors_serve_index_json() {
    let mut w = world();
    w.ctx
        .env(
            "GORIG_MIRROR",
            format!("file://{}", w.mirror.path().display()),
        )
        .env("GORIG_ARCH", "arm64");
    w.run(&["install", "1.22.4"]).success();
    let arm = w
        .ctx
        .gorig_home()
        .join("versions/go1.22.4/pkg/tool/linux_arm64");
    assert!(arm.is_dir(), "the arm64 archive was chosen");

    let server = MockServer::serve_dir(w.mirror.path());
    w.ctx
        .env("GORIG_MIRROR", server.url())
        .env("GORIG_ARCH", "amd64");
    w.run(&["--refresh", "install", "1.21.13"]).success();
    // A static server answers the dynamic index URL with HTML; index.json is used instead.
    assert_eq!(
        server.requests(),
        [
            "/?mode=json&include=all",
            "/index.json",
            "/go1.21.13.linux-amd64.tar.gz.asc",
            "/go1.21.13.linux-amd64.tar.gz"
        ]
    );
}

#[test]
fn falls_back_across_mirrors_and_lists_every_failed_attempt() {
    let mut w = world();
    let missing = MockServer::serve_dir(w.mirror.path());
    missing.fault("/go1.22.5.linux-amd64.tar.gz", Fault::Status(404));
    let failing = MockServer::serve_dir(w.mirror.path());
    failing.fault("/go1.22.5.linux-amd64.tar.gz", Fault::Status(500));
    let good = MockServer::serve_dir(w.mirror.path());
    let dead = MockServer::dead_url();
    let index = w.mirror.path().join("index.json");
    w.ctx
        .env(
            "GORIG_MIRROR",
            format!("{dead},{},{},{}", missing.url(), failing.url(), good.url()),
        )
        .env("GORIG_INDEX", &index)
        .env("GORIG_ARCH", "amd64")
        .env("GORIG_RETRIES", "1");
    let out = w.run(&["install", "1.22.5"]);
    out.success();
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 4, "{out}");
    // The server error is asked once more (GORIG_RETRIES=1) before moving on.
    assert!(warnings[2].contains("HTTP 500; retrying in"), "{out}");
    assert!(
        warnings
            .iter()
            .enumerate()
            .all(|(i, l)| i == 2 || l.ends_with("trying the next mirror")),
        "{out}"
    );

    // All down: one line per attempt, exit 4, nothing installed.
    std::fs::remove_dir_all(w.ctx.cache_dir().join("downloads")).expect("empty the cache");
    w.ctx
        .env("GORIG_MIRROR", format!("{dead},{}", missing.url()));
    let out = w.run(&["install", "--force", "1.22.5"]);
    out.failure(4);
    assert!(out.stderr.contains("every source failed:"), "{out}");
    let attempts: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("- "))
        .collect();
    assert_eq!(attempts.len(), 2, "{out}");
    assert!(
        attempts[0].contains(&dead) && attempts[1].contains(&missing.url()),
        "{out}"
    );
    assert_eq!(
        w.versions_on_disk(),
        ["go1.22.5"],
        "the earlier install is untouched"
    );
    assert_eq!(w.go_version(), "go version go1.22.5 linux/amd64");
}

#[test]
fn a_checksum_mismatch_installs_nothing_and_caches_nothing() {
    let mut w = world();
    let server = MockServer::serve_dir(w.mirror.path());
    let other = gorig_test::fake_toolchain("go1.22.4", "amd64");
    let actual = sha256_hex(&other);
    server.fault("/go1.22.5.linux-amd64.tar.gz", Fault::Body(other));
    let second = MockServer::serve_dir(w.mirror.path());
    w.ctx
        .env("GORIG_MIRROR", format!("{},{}", server.url(), second.url()))
        .env("GORIG_INDEX", w.mirror.path().join("index.json"))
        .env("GORIG_ARCH", "amd64");
    let out = w.run(&["install", "1.22.5"]);
    out.failure(5);
    let index: serde_json::Value = serde_json::from_slice(&w.mirror.index_json()).expect("index");
    let expected = index
        .as_array()
        .and_then(|releases| releases.iter().find(|r| r["version"] == "go1.22.5"))
        .and_then(|r| r["files"][0]["sha256"].as_str())
        .expect("published digest")
        .to_string();
    assert!(
        out.stderr.contains("error: could not install go1.22.5"),
        "{out}"
    );
    assert!(
        out.stderr.contains(&format!("expected sha256: {expected}")),
        "{out}"
    );
    assert!(
        out.stderr.contains(&format!("actual sha256:   {actual}")),
        "{out}"
    );
    assert!(
        second.requests().is_empty(),
        "no silent fallback after a mismatch"
    );
    assert!(w.versions_on_disk().is_empty());
    let downloads = w.ctx.cache_dir().join("downloads");
    let cached: Vec<_> = std::fs::read_dir(&downloads)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        cached.is_empty(),
        "bad bytes must not stay cached: {cached:?}"
    );
    let staging = std::fs::read_dir(w.ctx.gorig_home().join("staging"))
        .expect("staging")
        .count();
    assert_eq!(staging, 0, "staging is cleaned");
}

#[test]
fn digests_come_from_the_index_unless_the_mirror_is_asked() {
    let mut w = world().offline_mirror();
    // An index that lists the archive without a digest cannot verify it.
    let mut index: serde_json::Value =
        serde_json::from_slice(&w.mirror.index_json()).expect("index");
    for release in index.as_array_mut().expect("releases") {
        for file in release["files"].as_array_mut().expect("files") {
            file["sha256"] = serde_json::Value::String(String::new());
        }
    }
    let unsummed = w.ctx.root().join("unsummed.json");
    std::fs::write(&unsummed, index.to_string()).expect("write");
    w.ctx.env("GORIG_INDEX", &unsummed);
    let out = w.run(&["install", "1.22.5"]);
    out.failure(5);
    assert!(out.stderr.contains("without a valid SHA-256"), "{out}");

    let out = w.run(&["install", "--checksum-from-mirror", "1.22"]);
    out.success();
    assert!(
        out.stderr
            .contains("taking SHA-256 digests from the mirror's .sha256 files"),
        "{out}"
    );
    assert_eq!(w.versions_on_disk(), ["go1.22.5"]);

    // A wrong .sha256 beside the archive is a mismatch; nothing is installed.
    let sidecar = w.mirror.path().join("go1.22.4.linux-amd64.tar.gz.sha256");
    std::fs::write(&sidecar, "0".repeat(64)).expect("write");
    let out = w.run(&["install", "--checksum-from-mirror", "1.22.4"]);
    out.failure(5);
    assert!(
        out.stderr
            .contains(&format!("expected sha256: {}", "0".repeat(64))),
        "{out}"
    );

    // With no index at all, an exact version is found by its official name.
    w.ctx.env("GORIG_INDEX", w.ctx.root().join("missing.json"));
    w.ctx.env("GORIG_CHECKSUM_FROM_MIRROR", "1");
    w.run(&["install", "1.21.13"]).success();
    assert_eq!(w.versions_on_disk(), ["go1.21.13", "go1.22.5"]);
}

#[test]
fn unknown_versions_and_missing_arches_say_what_exists() {
    let mut w = world().offline_mirror();
    let out = w.run(&["install", "1.22.9"]);
    out.failure(3);
    assert!(
        out.stderr.contains(
            "no Go release matches `go1.22.9`; nearest releases: go1.21.13, go1.22.4, go1.22.5"
        ),
        "{out}"
    );
    w.ctx.env("GORIG_ARCH", "riscv64");
    let out = w.run(&["install", "1.22.5"]);
    out.failure(3);
    assert!(
        out.stderr.contains(
            "go1.22.5 has no Linux archive for riscv64; it has archives for: amd64, arm64, s390x"
        ),
        "{out}"
    );
    let out = w.run(&["install", "1.22.x"]);
    out.failure(2);
    assert!(out.stderr.contains("`1.22.x` is not a Go version"), "{out}");
}

#[test]
fn a_broken_index_names_its_url() {
    let mut w = world();
    let bad = w.ctx.root().join("bad.json");
    std::fs::write(&bad, "<html>not json</html>").expect("write");
    w.ctx.env("GORIG_INDEX", &bad).env("GORIG_ARCH", "amd64");
    let out = w.run(&["install"]);
    out.failure(2);
    assert!(
        out.stderr.contains(&format!(
            "the release index from {} is not valid: it is an HTML page",
            bad.display()
        )),
        "{out}"
    );
    std::fs::write(&bad, r#"[{"version": "go1.22.5", "stable": true}]"#).expect("write");
    let out = w.run(&["install"]);
    out.failure(2);
    assert!(out.stderr.contains("missing field `files`"), "{out}");
    let server = MockServer::serve_dir(w.ctx.root());
    let url = format!("{}bad.json", server.url());
    w.ctx.env("GORIG_INDEX", &url);
    let out = w.run(&["install"]);
    // Served over the network, but malformed: bad input (2), not a network failure (4).
    out.failure(2);
    assert!(
        out.stderr
            .contains(&format!("the release index from {url}")),
        "{out}"
    );
}

#[test]
fn offline_installs_come_from_the_cache() {
    let mut w = world();
    let server = w.loopback_mirror();
    w.run(&["install", "1.22.5"]).success();
    w.run(&["uninstall", "--force", "1.22.5"]).success();
    drop(server);
    let out = w.run(&["--offline", "install", "1.22"]);
    out.success();
    assert!(out.stdout.contains("from the download cache"), "{out}");
    // Without any cached index, an exact version whose archive is cached still installs.
    std::fs::remove_dir_all(w.ctx.cache_dir().join("index")).expect("drop index cache");
    w.run(&["uninstall", "--force", "1.22.5"]).success();
    let out = w.run(&["install", "--offline", "1.22.5"]);
    out.success();
    assert!(
        out.stderr
            .contains("installing go1.22.5.linux-amd64.tar.gz from the download cache"),
        "{out}"
    );
    let out = w.run(&["install", "--offline", "1.21.13"]);
    out.failure(4);
    assert!(out.stderr.contains("offline"), "{out}");
}

#[test]
fn an_unreachable_network_falls_back_to_the_cached_index() {
    let mut w = world();
    let server = w.loopback_mirror();
    w.ctx.env("GORIG_INDEX_TTL", "0");
    w.run(&["list", "--remote"]).success();
    server.fault("/?mode=json&include=all", Fault::Status(503));
    server.fault("/index.json", Fault::Status(503));
    let out = w.run(&["list", "--remote"]);
    out.success();
    assert!(out.stderr.contains("using the copy cached"), "{out}");
    assert!(out.stdout.contains("go1.22.5"), "{out}");
}

#[test]
fn json_output_has_documented_shapes() {
    let w = world().offline_mirror();
    let out = w.run(&["install", "--json", "1.22.5"]);
    out.success();
    let lines = out.json_lines();
    let events: Vec<&str> = lines.iter().filter_map(|l| l["event"].as_str()).collect();
    assert_eq!(
        events,
        [
            "download_started",
            "download_finished",
            "verified",
            "published",
            "installed"
        ],
        "{out}"
    );
    let installed = &lines[4];
    assert_eq!(installed["version"], "go1.22.5");
    assert_eq!(installed["default"], true);
    assert_eq!(installed["from_cache"], false);
    assert_eq!(installed["sha256"].as_str().map(str::len), Some(64));
    assert!(
        installed["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("versions/go1.22.5"))
    );

    let again = w.run(&["install", "--json", "1.22.5"]).json_lines();
    assert_eq!(again[0]["event"], "already_installed");

    let list = w.run(&["list", "--json"]).json();
    assert_eq!(list["schema_version"], 1);
    assert_eq!(list["default"], "go1.22.5");
    assert_eq!(list["installed"][0]["version"], "go1.22.5");
    assert_eq!(list["installed"][0]["default"], true);

    let remote = w.run(&["list", "--remote", "--json"]).json();
    assert_eq!(remote["platform"], "linux/amd64");
    let releases = remote["releases"].as_array().expect("releases");
    assert_eq!(releases[0]["version"], "go1.23rc1");
    assert_eq!(releases[0]["stable"], false);
    let installed = releases
        .iter()
        .find(|r| r["version"] == "go1.22.5")
        .expect("go1.22.5");
    assert_eq!(installed["installed"], true);
    assert_eq!(
        installed["archive"]["filename"],
        "go1.22.5.linux-amd64.tar.gz"
    );

    let which = w.run(&["which", "--json"]).json();
    assert_eq!(which["tool"], "go");
    assert_eq!(which["version"], "go1.22.5");
    let env = w.run(&["env", "--json", "--shell", "zsh"]).json();
    assert_eq!(env["shell"], "zsh");
    // The shims by default, so pins work; the default toolchain with --no-shims.
    assert!(
        env["path"][0]
            .as_str()
            .is_some_and(|p| p.ends_with("gorig/bin"))
    );
    let fixed = w
        .run(&["env", "--json", "--shell", "zsh", "--no-shims"])
        .json();
    assert!(
        fixed["path"][0]
            .as_str()
            .is_some_and(|p| p.ends_with("current/bin"))
    );
    assert!(
        env["script"]
            .as_str()
            .is_some_and(|s| s.contains("export PATH="))
    );

    let error = w.run(&["install", "--json", "1.99"]);
    error.failure(3);
    let last = error.json_lines().pop().expect("an error line");
    assert_eq!(last["event"], "error");
    assert_eq!(last["exit_code"], 3);
    assert!(
        last["error"]
            .as_str()
            .is_some_and(|e| e.contains("no Go release matches"))
    );
}

#[test]
fn an_interrupted_install_leaves_the_default_working_and_is_cleaned_next_time() {
    let mut w = world();
    let server = w.loopback_mirror();
    w.run(&["install", "1.21.13"]).success();
    server.fault("/go1.22.5.linux-amd64.tar.gz", Fault::StallAfter(2_000_000));
    let mut child = w
        .ctx
        .command()
        .args(["install", "1.22.5"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let staging = w.ctx.gorig_home().join("staging/go1.22.5");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    // The download stalls two thirds of the way in, with unpacking under way.
    let unpacking = || staging.join("pkg/tool/linux_amd64").is_dir();
    while !unpacking() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(unpacking(), "the install got to unpacking");
    child.kill().expect("kill -9");
    child.wait().expect("wait");

    assert_eq!(
        w.versions_on_disk(),
        ["go1.21.13"],
        "no half version is listed"
    );
    assert_eq!(w.run(&["list"]).stdout, "go1.21.13  (default)\n");
    assert_eq!(w.go_version(), "go version go1.21.13 linux/amd64");
    assert!(staging.exists());

    server.clear_faults();
    let out = w.run(&["install", "1.22.5"]);
    out.success();
    assert!(
        out.stderr.contains("removed what an interrupted run left"),
        "{out}"
    );
    assert_eq!(w.versions_on_disk(), ["go1.21.13", "go1.22.5"]);
    assert!(!staging.exists());
}

#[test]
fn no_space_left_is_a_clean_filesystem_error() {
    let mut w = world().offline_mirror();
    let home = w.ctx.root().join("tiny");
    std::fs::create_dir_all(&home).expect("mkdir");
    w.ctx.env("GORIG_HOME", &home);
    // A 1 MiB tmpfs in a private mount namespace: the fake toolchain needs 3 MiB.
    let script = r#"
        mount -t tmpfs -o size=1m tmpfs "$1" || exit 99
        "$2" install 1.22.5; echo "exit=$?"
        echo "versions=$(ls -A "$1/versions" 2>/dev/null)"
        echo "staging=$(ls -A "$1/staging" 2>/dev/null)"
    "#;
    let mut cmd = Command::new("unshare");
    cmd.args(["-Urm", "sh", "-c", script, "sh"])
        .arg(&home)
        .arg(BIN);
    let envs: Vec<(String, String)> = w
        .ctx
        .command()
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.to_string(), v?.to_str()?.to_string())))
        .collect();
    cmd.env_clear().envs(envs);
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("this test needs `unshare` from util-linux (apt-get install util-linux): {e}")
    });
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(
        out.status.code(),
        Some(99),
        "mounting a tmpfs in a user namespace failed; the test host must allow `unshare -Urm`: {stderr}"
    );
    assert!(stdout.contains("exit=6"), "{stdout}\n{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    // A disk error, with the path and what is free: not a fault of the archive.
    assert!(stderr.contains("while unpacking go1.22.5"), "{stderr}");
    assert!(stderr.contains("free on that filesystem"), "{stderr}");
    assert!(!stderr.contains("not an official Go archive"), "{stderr}");
    assert!(
        stderr.contains("hint: free space on the filesystem"),
        "{stderr}"
    );
    assert!(
        stdout.contains("versions=\n"),
        "nothing published: {stdout}"
    );
    assert!(stdout.contains("staging=\n"), "staging removed: {stdout}");
}

#[test]
fn system_mode_under_a_root_follows_its_absolute_links_inside_it() {
    // An image whose /usr/local is an absolute link: the store, the link and the profile
    // land inside the image, never in this machine's directory of that name.
    let mut w = world().offline_mirror();
    let root = w.ctx.root().join("image");
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(root.join("usr")).expect("mkdir");
    std::os::unix::fs::symlink(outside.path(), root.join("usr/local")).expect("symlink");
    w.ctx.env("GORIG_SYSTEM_ROOT", &root);
    w.run(&["install", "--system", "1.22.5"]).success();
    let written: Vec<_> = std::fs::read_dir(outside.path())
        .expect("read")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(
        written.is_empty(),
        "install --system wrote outside the root: {written:?}"
    );
    let inside = root.join(outside.path().strip_prefix("/").expect("absolute"));
    assert!(inside.join("lib/gorig/versions/go1.22.5").is_dir());
}

#[test]
fn system_mode_links_usr_local_go_and_never_deletes_a_real_one() {
    let mut w = world().offline_mirror();
    let root = w.ctx.root().join("sysroot");
    w.ctx.env("GORIG_SYSTEM_ROOT", &root);
    let hand_made = root.join("usr/local/go");
    std::fs::create_dir_all(hand_made.join("bin")).expect("mkdir");
    std::fs::write(hand_made.join("VERSION"), "go1.19").expect("write");

    let out = w.run(&["install", "--system", "1.22.5"]);
    out.failure(7);
    assert!(out.stderr.contains("is a real directory"), "{out}");
    assert!(out.stderr.contains("--adopt"), "{out}");
    assert_eq!(
        std::fs::read_to_string(hand_made.join("VERSION"))
            .ok()
            .as_deref(),
        Some("go1.19")
    );

    let out = w.run(&["install", "--system", "--adopt", "1.22.5"]);
    out.success();
    let adopted: Vec<PathBuf> = std::fs::read_dir(root.join("usr/local"))
        .expect("read")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("go.adopted-"))
        .collect();
    assert_eq!(adopted.len(), 1, "{out}");
    assert_eq!(
        std::fs::read_to_string(adopted[0].join("VERSION"))
            .ok()
            .as_deref(),
        Some("go1.19")
    );
    assert!(
        out.stderr.contains(&adopted[0].display().to_string()),
        "says where: {out}"
    );
    assert_eq!(
        std::fs::read_link(&hand_made).expect("a link now"),
        Path::new("lib/gorig/versions/go1.22.5")
    );
    let go = Command::new(hand_made.join("bin/go"))
        .arg("version")
        .output()
        .expect("go");
    assert_eq!(
        String::from_utf8_lossy(&go.stdout).trim(),
        "go version go1.22.5 linux/amd64"
    );
    let profile = std::fs::read_to_string(root.join("etc/profile.d/gorig.sh")).expect("profile");
    assert!(profile.contains("/usr/local/go/bin"), "{profile}");

    w.run(&["install", "--system", "1.21.13"]).success();
    assert_eq!(
        std::fs::read_link(&hand_made).expect("link"),
        Path::new("lib/gorig/versions/go1.21.13")
    );
    w.run(&["use", "--system", "1.22.5"]).success();
    assert_eq!(
        std::fs::read_link(&hand_made).expect("link"),
        Path::new("lib/gorig/versions/go1.22.5")
    );
    let out = w.run(&["uninstall", "--system", "--force", "1.22.5"]);
    out.failure(7);
    assert!(out.stderr.contains("points to go1.22.5"), "{out}");
    let list = w.run(&["list", "--system"]);
    assert_eq!(list.stdout, "go1.22.5  (default)\ngo1.21.13\n");
    // The user's own store is untouched by system mode.
    assert!(w.versions_on_disk().is_empty());
}

#[test]
fn help_and_usage_errors() {
    let ctx = TestContext::new(BIN);
    let help = ctx.run(&["--help"]);
    help.success();
    for command in ["install", "list", "use", "uninstall", "which", "env"] {
        assert!(
            help.stdout.contains(command),
            "{command} missing from --help"
        );
    }
    assert!(
        help.stdout.contains("GORIG_MIRROR"),
        "env vars are documented in --help"
    );
    ctx.run(&["frobnicate"]).failure(2);
    let out = ctx.run(&["install", "--adopt"]);
    out.failure(2);
    let mut ctx = ctx;
    ctx.env("GORIG_READ_TIMEOUT", "never");
    let out = ctx.run(&["list"]);
    out.failure(2);
    assert!(
        out.stderr
            .contains("GORIG_READ_TIMEOUT must be a whole number"),
        "{out}"
    );
}
