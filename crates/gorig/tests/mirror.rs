//! `gorig mirror sync` and `gorig mirror verify` against a loopback upstream of signed
//! fake toolchains: the tree holds every proof (archive, `.asc`, `.sha256`, `index.json`,
//! the key block, a manifest `sha256sum -c` accepts), gorig installs from it, a re-sync
//! downloads nothing, a partial download is resumed, a tampered upstream or a changed file
//! in the tree is refused naming the file, and `--prune` takes out what is no longer asked.

// Tests build fixture trees and read their own environment directly.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used)]

use std::path::Path;

use gorig_test::{MirrorDir, MockServer, TestContext};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

fn upstream(dir: &Path) -> MirrorDir {
    let mut mirror = MirrorDir::new(dir.join("upstream"));
    mirror.add_fake("go1.22.4", &["amd64", "arm64"]);
    mirror.add_fake("go1.22.5", &["amd64", "arm64"]);
    mirror.add_fake("go1.21.13", &["amd64", "arm64"]);
    mirror
}

fn context() -> TestContext {
    let mut ctx = TestContext::new(BIN);
    ctx.env("GORIG_RETRIES", "0").env("NO_COLOR", "1");
    ctx
}

/// The `synced` line of `mirror sync --json` (after the download events).
fn synced(out: &gorig_test::Output) -> serde_json::Value {
    let lines = out.json_lines();
    assert!(
        lines.iter().any(|l| l["event"] == "download_started") || lines.len() == 1,
        "{out}"
    );
    lines
        .into_iter()
        .find(|l| l["event"] == "synced")
        .unwrap_or_else(|| panic!("no synced line: {out}"))
}

fn sync(ctx: &TestContext, tree: &Path, from: &str, extra: &[&str]) -> gorig_test::Output {
    let tree = tree.display().to_string();
    let mut args = vec![
        "mirror",
        "sync",
        tree.as_str(),
        "--from",
        from,
        "--json",
        "--no-goproxy",
    ];
    args.extend_from_slice(extra);
    ctx.run(&args)
}

#[test]
fn a_synced_tree_holds_every_proof_installs_and_resyncs_without_downloading() {
    let ctx = context();
    let up = upstream(ctx.root());
    let server = MockServer::serve_dir(up.path()).with_dynamic_index();
    let tree = ctx.root().join("tree");
    let out = sync(
        &ctx,
        &tree,
        &server.url(),
        &["--versions", "1.22,1.21.13", "--arch", "amd64,arm64"],
    );
    out.success();
    let report = synced(&out);
    let names: Vec<&str> = report["archives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["filename"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "go1.21.13.linux-amd64.tar.gz",
            "go1.21.13.linux-arm64.tar.gz",
            "go1.22.5.linux-amd64.tar.gz",
            "go1.22.5.linux-arm64.tar.gz"
        ]
    );
    for name in &names {
        assert!(tree.join(format!("{name}.asc")).is_file());
        assert!(tree.join(format!("{name}.sha256")).is_file());
    }
    assert!(tree.join("linux_signing_key.pub").is_file());
    assert!(!tree.join(".partial").read_dir().unwrap().any(|_| true));
    // coreutils judges the manifest.
    let check = std::process::Command::new("sha256sum")
        .arg("-c")
        .arg("--quiet")
        .arg("MANIFEST.sha256")
        .current_dir(&tree)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // gorig installs from the tree, signatures checked, nothing else reachable.
    let mut user = context();
    user.env("GORIG_MIRROR", &tree);
    user.run(&["install", "1.22"]).success();
    assert_eq!(user.versions_on_disk(), ["go1.22.5"]);
    // The tree's key block is what `keys refresh` takes.
    user.run(&["keys", "refresh", "--from", &tree.display().to_string()])
        .success();

    // A re-sync with no upstream change downloads nothing and changes no archive.
    let before = std::fs::metadata(tree.join("go1.22.5.linux-amd64.tar.gz"))
        .unwrap()
        .modified()
        .unwrap();
    let again = sync(
        &ctx,
        &tree,
        &server.url(),
        &["--versions", "1.22,1.21.13", "--arch", "amd64,arm64"],
    );
    again.success();
    assert_eq!(synced(&again)["bytes_downloaded"], 0, "{again}");
    assert!(
        again.json()["archives"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["downloaded"] == false)
    );
    assert_eq!(
        std::fs::metadata(tree.join("go1.22.5.linux-amd64.tar.gz"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );

    // verify passes, then names each file that changed or went missing.
    ctx.run(&["mirror", "verify", &tree.display().to_string()])
        .success();
    let archive = tree.join("go1.21.13.linux-arm64.tar.gz");
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&archive, bytes).unwrap();
    std::fs::remove_file(tree.join("go1.22.5.linux-amd64.tar.gz.asc")).unwrap();
    let bad = ctx.run(&["mirror", "verify", &tree.display().to_string(), "--json"]);
    bad.failure(5);
    let problems = bad.json()["problems"].clone();
    let files: Vec<&str> = problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["file"].as_str().unwrap())
        .collect();
    assert!(
        files.contains(&"go1.21.13.linux-arm64.tar.gz"),
        "{problems}"
    );
    assert!(
        files.contains(&"go1.22.5.linux-amd64.tar.gz.asc"),
        "{problems}"
    );

    // --prune takes out what is no longer listed.
    let pruned = sync(
        &ctx,
        &tree,
        &server.url(),
        &["--versions", "1.22", "--arch", "amd64,arm64", "--prune"],
    );
    pruned.success();
    assert!(!tree.join("go1.21.13.linux-amd64.tar.gz").exists());
    assert!(
        !std::fs::read_to_string(tree.join("index.json"))
            .unwrap()
            .contains("go1.21.13")
    );
    assert!(
        std::fs::read_to_string(tree.join("MANIFEST.sha256"))
            .unwrap()
            .contains("go1.22.5.linux-arm64.tar.gz.asc")
    );
}

#[test]
fn a_partial_download_is_resumed_and_a_tampered_upstream_is_refused_with_nothing_visible() {
    let ctx = context();
    let up = upstream(ctx.root());
    let server = MockServer::serve_dir(up.path()).with_dynamic_index();
    let tree = ctx.root().join("tree");
    let name = "go1.22.5.linux-amd64.tar.gz";
    let whole = std::fs::read(up.path().join(name)).unwrap();
    // A sync killed half-way left the first half.
    std::fs::create_dir_all(tree.join(".partial")).unwrap();
    std::fs::write(tree.join(".partial").join(name), &whole[..whole.len() / 2]).unwrap();
    let out = sync(
        &ctx,
        &tree,
        &server.url(),
        &["--versions", "1.22.5", "--arch", "amd64"],
    );
    out.success();
    assert_eq!(std::fs::read(tree.join(name)).unwrap(), whole);
    let ranged = server.requests().iter().any(|r| r.contains(name));
    assert!(ranged, "{:?}", server.requests());

    // Upstream now serves other bytes under the same name: the index's digest refuses them.
    let fresh = ctx.root().join("fresh");
    std::fs::write(
        up.path().join("go1.21.13.linux-amd64.tar.gz"),
        b"not the release",
    )
    .unwrap();
    let out = sync(
        &ctx,
        &fresh,
        &server.url(),
        &["--versions", "1.21.13", "--arch", "amd64"],
    );
    out.failure(5);
    assert!(out.stderr.contains("checksum mismatch"), "{out}");
    assert!(!fresh.join("go1.21.13.linux-amd64.tar.gz").exists());
    assert!(!fresh.join("go1.21.13.linux-amd64.tar.gz.asc").exists());
}

/// `--sign-with`: the operator's gpg key signs the manifest; verify names the signer, and
/// a manifest changed after signing is caught even when every file matches it.
#[test]
fn the_manifest_signed_by_the_operator_is_checked_by_verify() {
    let mut ctx = context();
    let up = upstream(ctx.root());
    let server = MockServer::serve_dir(up.path()).with_dynamic_index();
    let operator = gorig_test::TestKey::generate(None);
    let operator_key = operator.write_public(&ctx.root().join("operator.asc"));
    let release_key = ctx.root().join("test-keyring.asc");
    ctx.env("GNUPGHOME", operator.home()).env(
        "GORIG_KEYRING",
        format!("{}:{}", release_key.display(), operator_key.display()),
    );
    let tree = ctx.root().join("tree");
    let out = sync(
        &ctx,
        &tree,
        &server.url(),
        &[
            "--versions",
            "1.22.5",
            "--arch",
            "amd64",
            "--sign-with",
            &operator.fingerprint,
        ],
    );
    out.success();
    assert!(tree.join("MANIFEST.sha256.asc").is_file());
    let verified = ctx.run(&["mirror", "verify", &tree.display().to_string(), "--json"]);
    verified.success();
    assert!(
        verified.json()["manifest_signed_by"].is_string(),
        "{verified}"
    );
    // A line added to the manifest (and a file to match it): the signature no longer holds.
    std::fs::write(tree.join("extra"), "x").unwrap();
    let mut manifest = std::fs::read_to_string(tree.join("MANIFEST.sha256")).unwrap();
    manifest.push_str(&format!("{}  extra\n", gorig_test::sha256_hex(b"x")));
    std::fs::write(tree.join("MANIFEST.sha256"), manifest).unwrap();
    let bad = ctx.run(&["mirror", "verify", &tree.display().to_string(), "--json"]);
    bad.failure(5);
    assert!(
        bad.json()["problems"]
            .to_string()
            .contains("MANIFEST.sha256.asc"),
        "{bad}"
    );
}
