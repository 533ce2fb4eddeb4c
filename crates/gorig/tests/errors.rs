//! How failures read: `error:` / `caused by:` / `hint:` for the error paths a user meets
//! first, snapshotted with insta (paths, ports and digests filtered), each with its exit
//! code, and no line said twice (a cause repeated in its error's message was).

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use gorig_test::{Fault, MirrorDir, MockServer, Output, TestContext};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

struct World {
    ctx: TestContext,
    mirror: MirrorDir,
}

fn world() -> World {
    let (ctx, mirror) = gorig_test::fake_mirror_context(BIN);
    World { ctx, mirror }
}

/// The exit code and stderr, with what changes from run to run replaced, after checking
/// that no line appears twice.
fn rendered(w: &World, out: &Output) -> String {
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        assert!(
            !lines[..i].contains(line),
            "a line is printed twice: {line:?}\n{out}"
        );
        for earlier in &lines[..i] {
            let cause = line.trim_start().trim_start_matches("caused by: ");
            assert!(
                !(line.trim_start().starts_with("caused by:") && earlier.ends_with(cause)),
                "a cause repeats what its error said: {line:?} after {earlier:?}\n{out}"
            );
        }
    }
    let root = w.ctx.root().display().to_string();
    format!("exit code: {}\n{}", out.code, out.stderr).replace(&root, "[ROOT]")
}

macro_rules! check {
    ($name:expr, $w:expr, $out:expr) => {{
        let w = &$w;
        let out = $out;
        let text = rendered(w, &out);
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("snapshots/errors");
        settings.set_prepend_module_to_snapshot(false);
        settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
        settings.add_filter(r"\b[0-9a-f]{64}\b", "[SHA256]");
        settings.add_filter(r"process \d+", "process [PID]");
        // The test key is made afresh per run, and how a wrong signature fails the
        // maths (the quick-check bytes, or the signature itself) depends on its bytes.
        settings.add_filter(r"\b[0-9A-F]{40}\b", "[FINGERPRINT]");
        settings.add_filter(r"key signed \(signature: [^)]*\)", "key signed ([DETAIL])");
        settings.bind(|| insta::assert_snapshot!($name, text));
    }};
}

#[test]
fn a_version_that_does_not_parse() {
    let w = world();
    check!("bad-version", w, w.ctx.run(&["install", "1.x.y"]));
}

#[test]
fn a_version_the_index_does_not_know() {
    let w = world();
    check!("unknown-version", w, w.ctx.run(&["install", "1.99.1"]));
}

#[test]
fn bytes_that_differ_from_the_published_digest() {
    let w = world();
    let archive = w.mirror.path().join("go1.22.5.linux-amd64.tar.gz");
    let mut bytes = std::fs::read(&archive).expect("archive");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&archive, bytes).expect("tamper");
    check!("checksum-mismatch", w, w.ctx.run(&["install", "1.22.5"]));
}

#[test]
fn every_mirror_down() {
    let mut w = world();
    let index = w.mirror.path().join("index.json").display().to_string();
    let a = MockServer::dead_url();
    let server = MockServer::serve_dir(w.mirror.path());
    server.fault("/go1.22.5.linux-amd64.tar.gz", Fault::Status(503));
    w.ctx
        .env("GORIG_MIRROR", format!("{a},{}", server.url()))
        .env("GORIG_INDEX", index);
    check!("all-mirrors-down", w, w.ctx.run(&["install", "1.22.5"]));
}

#[test]
fn offline_with_nothing_cached() {
    let w = world();
    check!(
        "offline-not-cached",
        w,
        w.ctx.run(&["install", "--offline", "1.22.5"])
    );
}

#[test]
fn no_signature_anywhere() {
    let w = world();
    std::fs::remove_file(w.mirror.path().join("go1.22.5.linux-amd64.tar.gz.asc")).expect("rm");
    check!("signature-missing", w, w.ctx.run(&["install", "1.22.5"]));
}

#[test]
fn a_signature_over_other_bytes() {
    let w = world();
    let asc = w.mirror.path().join("go1.22.5.linux-amd64.tar.gz.asc");
    std::fs::copy(
        w.mirror.path().join("go1.21.13.linux-amd64.tar.gz.asc"),
        &asc,
    )
    .expect("cp");
    check!("signature-bad", w, w.ctx.run(&["install", "1.22.5"]));
}

#[test]
fn removing_the_default() {
    let w = world();
    w.ctx.run(&["install", "1.22.5", "1.21.13"]).success();
    check!("uninstall-default", w, w.ctx.run(&["uninstall", "1.22.5"]));
}

#[test]
fn removing_what_is_not_installed() {
    let w = world();
    check!("uninstall-missing", w, w.ctx.run(&["uninstall", "1.20"]));
}

#[test]
fn going_back_with_no_previous_default() {
    let w = world();
    check!("use-no-previous", w, w.ctx.run(&["use", "-"]));
}

#[test]
fn a_go_mod_toolchain_line_go_refuses() {
    let w = world();
    let project = w.ctx.root().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("go.mod"),
        "module m\n\ngo 1.22\ntoolchain 1.22.5\n",
    )
    .expect("go.mod");
    let mut command = w.ctx.command();
    command
        .arg("current")
        .current_dir(&project)
        .env("PWD", &project);
    let out = command.output().expect("run");
    let out = Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    check!("go-mod-invalid-toolchain", w, out);
}

#[test]
fn a_keyring_file_that_does_not_exist() {
    let mut w = world();
    let missing = w.ctx.root().join("no-such-keyring.asc");
    w.ctx.env("GORIG_KEYRING", &missing);
    check!("keyring-missing", w, w.ctx.run(&["install", "1.22.5"]));
}

#[test]
fn a_config_file_that_is_not_toml() {
    let mut w = world();
    let config = w.ctx.root().join("config.toml");
    std::fs::write(&config, "mirrors = [\"unterminated\n").expect("config");
    w.ctx.env("GORIG_CONFIG", &config);
    check!("config-invalid", w, w.ctx.run(&["list"]));
}

#[test]
fn inspecting_a_file_that_does_not_exist() {
    let w = world();
    let missing = w.ctx.root().join("no-such-binary");
    check!(
        "inspect-missing",
        w,
        w.ctx.run(&["inspect", &missing.display().to_string()])
    );
}

#[test]
fn a_store_path_that_is_not_utf8_is_refused_not_replaced_by_the_default() {
    use std::os::unix::ffi::OsStrExt;
    let mut w = world();
    let home = w
        .ctx
        .root()
        .join(std::ffi::OsStr::from_bytes(b"store-\xff"));
    w.ctx.env("GORIG_HOME", &home);
    check!("home-not-utf8", w, w.ctx.run(&["list"]));
    // The shims read the environment too, on their fast path.
    let shim = w.ctx.root().join("go");
    std::os::unix::fs::symlink(BIN, &shim).expect("shim link");
    let mut command = std::process::Command::new(&shim);
    command.arg("version").env("GORIG_HOME", &home);
    let out = command.output().expect("run the shim");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("GORIG_HOME is not valid UTF-8"),
        "{out:?}"
    );
}

#[test]
fn the_shim_with_a_pin_that_is_not_installed() {
    let w = world();
    w.ctx.run(&["install", "1.22.5"]).success();
    let dir = w.ctx.root().join("app");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join(".go-version"), "1.21.13\n").expect("pin");
    let out = w
        .ctx
        .program(w.ctx.gorig_home().join("bin/go"))
        .arg("version")
        .current_dir(&dir)
        .env("PWD", &dir)
        .output()
        .expect("the shim runs");
    let out = gorig_test::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        out.stderr.starts_with("error: go1.21.13 is asked for by"),
        "{out}"
    );
    check!("shim-pin-not-installed", w, out);
}

#[test]
fn every_mirror_down_with_an_archive_cached() {
    let mut w = world();
    w.ctx.run(&["install", "1.22.5"]).success();
    let index = w.mirror.path().join("index.json").display().to_string();
    w.ctx
        .env("GORIG_MIRROR", MockServer::dead_url())
        .env("GORIG_INDEX", index);
    let out = w.ctx.run(&["install", "1.21.13"]);
    // The hint names what is cached, since only that installs offline.
    assert!(
        out.stderr
            .contains("cached here, installable with --offline: go1.22.5"),
        "{out}"
    );
    check!("all-mirrors-down-cached", w, out);
}

#[test]
fn keys_refresh_with_the_key_url_down() {
    let w = world();
    let url = format!("{}linux_signing_key.pub", MockServer::dead_url());
    let out = w.ctx.run(&["keys", "refresh", "--url", &url]);
    // Its hints are about the key URL, not mirrors or cached archives.
    assert!(
        !out.stderr.contains("--mirror") && !out.stderr.contains("--offline"),
        "{out}"
    );
    check!("keys-refresh-down", w, out);
}

#[test]
fn a_keyring_that_is_no_openpgp_key() {
    let mut w = world();
    let passwd = w.ctx.root().join("passwd");
    std::fs::write(&passwd, "root:x:0:0:root:/root:/bin/bash\n").expect("passwd");
    w.ctx.env("GORIG_KEYRING", &passwd);
    let out = w.ctx.run(&["install", "1.22.5"]);
    // The OpenPGP library's words (packet header versions) stay out of it.
    assert!(!out.stderr.contains("packet"), "{out}");
    check!("keyring-not-a-key", w, out);
}

#[test]
fn a_mirror_directory_without_an_index() {
    let w = world();
    std::fs::remove_file(w.mirror.path().join("index.json")).expect("rm index");
    let out = w.ctx.run(&["install", "1.22.5"]);
    assert!(!out.stderr.contains("network"), "{out}");
    check!("mirror-dir-without-index", w, out);
    // With digests from the mirror, the .sha256 files are what it lacks.
    for entry in std::fs::read_dir(w.mirror.path())
        .expect("mirror")
        .flatten()
    {
        if entry.file_name().to_string_lossy().ends_with(".sha256") {
            std::fs::remove_file(entry.path()).expect("rm .sha256");
        }
    }
    let out = w.ctx.run(&["install", "1.22.5", "--checksum-from-mirror"]);
    assert!(!out.stderr.contains("network"), "{out}");
    check!("mirror-dir-without-sha256", w, out);
}

#[test]
fn offline_with_a_cached_archive_the_index_no_longer_publishes() {
    let w = world();
    w.ctx.run(&["install", "1.22.5"]).success();
    w.ctx.run(&["uninstall", "--force", "1.22.5"]).success();
    // The mirror now publishes another digest for the archive, and the index is refreshed.
    let index = w.mirror.path().join("index.json");
    let archive = w.mirror.path().join("go1.22.5.linux-amd64.tar.gz");
    let digest = gorig_test::sha256_hex(&std::fs::read(&archive).expect("archive"));
    let text = std::fs::read_to_string(&index).expect("index");
    std::fs::write(&index, text.replace(&digest, &"ab".repeat(32))).expect("index");
    w.ctx.run(&["list", "--remote", "--refresh"]).success();
    let out = w.ctx.run(&["install", "--offline", "1.22.5"]);
    assert!(
        out.stderr.contains(&digest),
        "both digests are named: {out}"
    );
    check!("offline-cached-digest-differs", w, out);
    // The cached copy was kept.
    let cached = w
        .ctx
        .cache_dir()
        .join("downloads/go1.22.5.linux-amd64.tar.gz");
    assert!(cached.is_file(), "{}", cached.display());
}

/// Runs `args` in `dir` with `program` (gorig, or its shim).
fn run_in(w: &World, program: &std::path::Path, args: &[&str], dir: &std::path::Path) -> Output {
    let out = w
        .ctx
        .program(program)
        .args(args)
        .current_dir(dir)
        .env("PWD", dir)
        .output()
        .expect("run");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_corrupt_go_mod_is_named_with_its_line_by_current_the_shim_and_doctor() {
    let w = world();
    w.ctx.run(&["install", "1.22.5"]).success();
    let shim = w.ctx.gorig_home().join("bin/go");
    for (name, text, line) in [
        ("go-banana", b"module m\n\ngo banana\n".to_vec(), 3),
        (
            "binary-junk",
            b"module m\n\x00\x01\xff\xfe\ngo 1.22\n".to_vec(),
            2,
        ),
        ("two-go-lines", b"module m\ngo 1.22\ngo 1.23\n".to_vec(), 3),
    ] {
        let dir = w.ctx.root().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("go.mod"), text).expect("go.mod");
        let at = format!("{}/go.mod:{line}:", dir.display());
        let current = run_in(&w, std::path::Path::new(BIN), &["current"], &dir);
        assert!(
            current.stderr.starts_with(&format!("error: {at}")),
            "{current}"
        );
        check!(format!("go-mod-{name}-current"), w, current);
        let by_shim = run_in(&w, &shim, &["version"], &dir);
        assert_eq!(by_shim.code, 2, "{by_shim}");
        assert!(by_shim.stderr.contains(&at), "{by_shim}");
        let doctor = run_in(&w, std::path::Path::new(BIN), &["doctor", "--json"], &dir);
        let report: serde_json::Value =
            serde_json::from_str(&doctor.stdout).expect("one JSON document");
        let selected = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["title"] == "no Go toolchain selected here")
            .unwrap_or_else(|| panic!("a finding for the selection: {report:#}"));
        let fix = selected["fix"].to_string();
        assert!(
            fix.contains(&format!("edit {}/go.mod line {line}", dir.display())),
            "doctor's fix points at the file and line: {fix}"
        );
        assert!(!fix.contains("gorig use"), "{fix}");
    }
}

#[test]
fn an_index_with_a_field_of_the_wrong_type() {
    let w = world();
    let index = w.mirror.path().join("index.json");
    let text = std::fs::read_to_string(&index).expect("index");
    let digest = first_digest(&text);
    std::fs::write(&index, text.replacen(&format!("\"{digest}\""), "123", 1)).expect("index");
    let out = w.ctx.run(&["install", "1.22.5"]);
    assert!(out.stderr.contains("].sha256`: invalid type"), "{out}");
    check!("index-field-wrong-type", w, out);
}

/// The first 64-hex-digit string in `text`.
fn first_digest(text: &str) -> String {
    text.split('"')
        .find(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .expect("a digest in the index")
        .to_string()
}
