//! The real go is the judge of gorig's checksum-database and module-zip code: a loopback
//! GOPROXY serves go1.27.3 as `golang.org/toolchain` (the zip built by
//! `gorig_fetch::modzip` from the release archive) and, under `sumdb/NAME/`, a checksum
//! database whose tiles come from `gorig_sumdb::tlog::Log` and whose tree note is signed by
//! `gorig_sumdb::note::Signer` with a test key. The real go 1.26.6 with
//! `GOTOOLCHAIN=go1.27.3` and `GOSUMDB` set to that key downloads, verifies (h1: hash, note,
//! inclusion in the tiles) and runs it. A tampered zip or a note signed by another key is
//! refused by go, and by `gorig_sumdb::verify_lookup` in the same way.

// Tests build fixture trees and read their own environment directly.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use gorig_sumdb::note::Signer;
use gorig_sumdb::proxy::{TOOLCHAIN_MODULE, toolchain_version};
use gorig_sumdb::tlog::{Log, Tile};
use gorig_test::{MockServer, real_archive, real_goroot, test_cache_dir};

const NAME: &str = "sum.gorig.test";

/// The zip of go1.27.3, built once per run: (path, its h1:, the module version).
fn toolchain_zip() -> &'static (PathBuf, String, String) {
    static ZIP: OnceLock<(tempfile::TempDir, (PathBuf, String, String))> = OnceLock::new();
    &ZIP.get_or_init(|| {
        let (archive, arch) = real_archive("go1.27.3");
        let version = toolchain_version("go1.27.3", &arch);
        let dir = tempfile::Builder::new()
            .prefix("gorig-modzip-")
            .tempdir()
            .unwrap();
        let path = dir.path().join("toolchain.zip");
        let made = gorig_fetch::modzip::toolchain_zip(
            std::fs::File::open(&archive).unwrap(),
            &version,
            std::fs::File::create(&path).unwrap(),
        )
        .unwrap();
        assert!(made.files > 1000, "{made:?}");
        (dir, (path, made.h1, version))
    })
    .1
}

/// A proxy tree serving the toolchain (its bytes as given) and a database of `fillers`
/// other records plus the toolchain's, signed by `signer`.
fn proxy_tree(
    dir: &Path,
    zip: &[u8],
    h1: &str,
    version: &str,
    signer: &Signer,
    fillers: u64,
    tag: &str,
) {
    let at = dir.join(TOOLCHAIN_MODULE).join("@v");
    std::fs::create_dir_all(&at).unwrap();
    std::fs::write(at.join(format!("{version}.zip")), zip).unwrap();
    std::fs::write(
        at.join(format!("{version}.mod")),
        gorig_fetch::modzip::TOOLCHAIN_GO_MOD,
    )
    .unwrap();
    std::fs::write(
        at.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\", \"Time\":\"2026-11-01T00:00:00Z\"}}\n"),
    )
    .unwrap();
    std::fs::write(at.join("list"), format!("{version}\n")).unwrap();

    let mut log = Log::new();
    for i in 0..fillers {
        log.append(
            format!(
                "example.com/{tag}{i} v1.0.0 h1:{i}=\nexample.com/{tag}{i} v1.0.0/go.mod h1:{i}=\n"
            )
            .as_bytes(),
        );
    }
    let mod_hash =
        gorig_sumdb::dirhash::go_mod_hash(gorig_fetch::modzip::TOOLCHAIN_GO_MOD.as_bytes());
    let record = format!(
        "{TOOLCHAIN_MODULE} {version} {h1}\n{TOOLCHAIN_MODULE} {version}/go.mod {mod_hash}\n"
    );
    let id = log.append(record.as_bytes());
    let db = dir.join("sumdb").join(NAME);
    let note = signer.sign(&log.tree().format()).unwrap();
    std::fs::create_dir_all(db.join("lookup").join(TOOLCHAIN_MODULE).parent().unwrap()).unwrap();
    std::fs::write(db.join("supported"), "").unwrap();
    std::fs::write(db.join("latest"), &note).unwrap();
    std::fs::write(
        db.join("lookup")
            .join(format!("{TOOLCHAIN_MODULE}@{version}")),
        format!("{id}\n{record}\n{note}"),
    )
    .unwrap();
    for tile in log.static_tiles() {
        let path = db.join(tile.path());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, log.tile(&tile).unwrap()).unwrap();
    }
}

/// Runs the real go 1.26.6 with GOTOOLCHAIN=go1.27.3 through the proxy; returns
/// (success, stdout+stderr).
fn switch(proxy: &str, key: &str, state: &Path) -> (bool, String) {
    let go = real_goroot("go1.26.6").join("bin/go");
    let mut cmd = gorig_test::offline_go(&go, state);
    cmd.args(["version"])
        .current_dir(state)
        .env("GOTOOLCHAIN", "go1.27.3")
        .env("GOPROXY", proxy)
        .env("GOSUMDB", key);
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn state_dir() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("gorig-goproxy-")
        .tempdir_in(test_cache_dir())
        .unwrap();
    std::fs::create_dir_all(dir.path().join("gohome")).unwrap();
    dir
}

#[test]
fn the_real_go_switches_toolchains_through_a_database_gorig_built_and_signed() {
    let (zip_path, h1, version) = toolchain_zip();
    let zip = std::fs::read(zip_path).unwrap();
    let signer = Signer::from_seed(NAME, &[21; 32]).unwrap();
    let key = signer.verifier().encode();
    // 700 records: the tree has a complete level-0 tile, a partial one and a level-1 tile.
    let tree = tempfile::tempdir().unwrap();
    proxy_tree(tree.path(), &zip, h1, version, &signer, 700, "m");
    let server = MockServer::serve_dir(tree.path());
    let state = state_dir();
    let (ok, out) = switch(&server.url(), &key, state.path());
    assert!(ok, "go refused gorig's database:\n{out}");
    assert!(out.contains("go version go1.27.3 linux/"), "{out}");

    // gorig's own client agrees on the same answer.
    let db = tree.path().join("sumdb").join(NAME);
    let body = std::fs::read_to_string(
        db.join("lookup")
            .join(format!("{TOOLCHAIN_MODULE}@{version}")),
    )
    .unwrap();
    let mut fetch =
        |_size: u64, tile: &Tile| std::fs::read(db.join(tile.path())).map_err(|e| e.to_string());
    let verified = gorig_sumdb::verify_lookup(
        &body,
        TOOLCHAIN_MODULE,
        version,
        &signer.verifier(),
        None,
        &mut fetch,
    )
    .unwrap();
    assert_eq!(&verified.zip_hash, h1);

    // A fork: the same key signs a larger tree that does not extend the one go saw.
    // go remembers the tree it saw (GOPATH/pkg/sumdb) and refuses, as gorig does.
    let forked = tempfile::tempdir().unwrap();
    proxy_tree(forked.path(), &zip, h1, version, &signer, 900, "fork");
    let server = MockServer::serve_dir(forked.path());
    let module_cache = state.path().join("gopath/pkg/mod");
    let _ = std::process::Command::new("chmod")
        .arg("-R")
        .arg("u+w")
        .arg(&module_cache)
        .status();
    std::fs::remove_dir_all(&module_cache).unwrap();
    let (ok, out) = switch(&server.url(), &key, state.path());
    assert!(!ok, "go accepted a forked tree:\n{out}");
    // go checks the tree it saw against the new one's tiles, which cannot agree.
    assert!(out.contains("checking tree#701"), "{out}");
    let seen = gorig_sumdb::tlog::Tree::parse(
        gorig_sumdb::note::open(
            &std::fs::read_to_string(db.join("latest")).unwrap(),
            &signer.verifier(),
        )
        .unwrap(),
    )
    .unwrap();
    let fork_db = forked.path().join("sumdb").join(NAME);
    let body = std::fs::read_to_string(
        fork_db
            .join("lookup")
            .join(format!("{TOOLCHAIN_MODULE}@{version}")),
    )
    .unwrap();
    let mut fetch = |_size: u64, tile: &Tile| {
        std::fs::read(fork_db.join(tile.path())).map_err(|e| e.to_string())
    };
    assert!(matches!(
        gorig_sumdb::verify_lookup(
            &body,
            TOOLCHAIN_MODULE,
            version,
            &signer.verifier(),
            Some(&seen),
            &mut fetch
        ),
        Err(gorig_sumdb::LookupError::Tlog(
            gorig_sumdb::tlog::TlogError::Forked { .. }
        ))
    ));
}

#[test]
fn the_real_go_refuses_a_tampered_zip_and_a_note_signed_by_another_key() {
    let (zip_path, h1, version) = toolchain_zip();
    let mut zip = std::fs::read(zip_path).unwrap();
    let signer = Signer::from_seed(NAME, &[21; 32]).unwrap();
    let key = signer.verifier().encode();

    // The database lists another h1: than the zip's (the zip was changed after it was
    // recorded): go's hash of the zip is gorig's, so the mismatch is caught.
    let mut wrong = h1.clone();
    let flipped = if wrong.ends_with("A=") { "B=" } else { "A=" };
    wrong.replace_range(wrong.len() - 2.., flipped);
    let tampered = tempfile::tempdir().unwrap();
    proxy_tree(tampered.path(), &zip, &wrong, version, &signer, 10, "m");
    let server = MockServer::serve_dir(tampered.path());
    let state = state_dir();
    let (ok, out) = switch(&server.url(), &key, state.path());
    assert!(
        !ok,
        "go accepted a zip whose hash the database does not list:\n{out}"
    );
    assert!(out.contains("checksum mismatch"), "{out}");

    // A corrupted zip is refused too.
    let corrupt = tempfile::tempdir().unwrap();
    let middle = zip.len() / 2;
    zip[middle] ^= 0x40;
    proxy_tree(corrupt.path(), &zip, h1, version, &signer, 10, "m");
    let server = MockServer::serve_dir(corrupt.path());
    let state = state_dir();
    let (ok, out) = switch(&server.url(), &key, state.path());
    assert!(!ok, "go accepted a corrupted zip:\n{out}");
    zip[middle] ^= 0x40;

    // The database signed by another key of the same name.
    let forged = tempfile::tempdir().unwrap();
    let other = Signer::from_seed(NAME, &[22; 32]).unwrap();
    proxy_tree(forged.path(), &zip, h1, version, &other, 10, "m");
    let server = MockServer::serve_dir(forged.path());
    let state = state_dir();
    let (ok, out) = switch(&server.url(), &key, state.path());
    assert!(!ok, "go accepted a note signed by another key:\n{out}");
    eprintln!("go on a note signed by another key: {out}");
    assert!(out.contains("verifying"), "{out}");
    let db = forged.path().join("sumdb").join(NAME);
    let body = std::fs::read_to_string(
        db.join("lookup")
            .join(format!("{TOOLCHAIN_MODULE}@{version}")),
    )
    .unwrap();
    let mut fetch =
        |_size: u64, tile: &Tile| std::fs::read(db.join(tile.path())).map_err(|e| e.to_string());
    assert!(
        gorig_sumdb::verify_lookup(
            &body,
            TOOLCHAIN_MODULE,
            version,
            &signer.verifier(),
            None,
            &mut fetch
        )
        .is_err()
    );
}

/// The zip gorig builds unpacks, by gorig's unpacker, to the release's own tree (less the
/// subtrees a module leaves out), with the h1: the database records, and its go runs.
#[test]
fn the_module_zip_unpacks_to_the_release_tree_and_its_go_runs() {
    let (zip_path, h1, version) = toolchain_zip();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("goroot");
    std::fs::create_dir(&dest).unwrap();
    let done = gorig_fetch::modzip::unpack_toolchain_zip(
        zip_path,
        version,
        &dest,
        gorig_fetch::ExtractLimits::default(),
    )
    .unwrap();
    assert_eq!(&done.h1, h1);
    let release = real_goroot("go1.27.3");
    let mut compared = 0;
    let mut stack = vec![release.clone()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap().flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(&release).unwrap();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if ["api", "doc", "misc", "test", ".github"]
                .iter()
                .any(|d| rel.starts_with(d))
            {
                continue;
            }
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                assert_eq!(
                    std::fs::read(&path).unwrap(),
                    std::fs::read(dest.join(rel)).unwrap_or_default(),
                    "{} differs",
                    rel.display()
                );
                compared += 1;
            }
        }
    }
    assert!(
        compared as u64 <= done.files && compared > 1000,
        "{compared} {done:?}"
    );
    let out = std::process::Command::new(dest.join("bin/go"))
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("go1.27.3"),
        "{out:?}"
    );
}

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

/// A context installing through the proxy at `url` with the test database's key.
fn goproxy_context(url: &str, key: &str) -> gorig_test::TestContext {
    let mut ctx = gorig_test::TestContext::new(BIN);
    ctx.env("GORIG_SOURCE", "goproxy")
        .env("GOPROXY", url)
        .env("GOSUMDB", key)
        .env("GORIG_RETRIES", "0")
        .env("NO_COLOR", "1");
    ctx
}

#[test]
fn gorig_installs_through_goproxy_verified_by_the_database_and_refuses_what_it_cannot_prove() {
    let (zip_path, h1, version) = toolchain_zip();
    let zip = std::fs::read(zip_path).unwrap();
    let signer = Signer::from_seed(NAME, &[21; 32]).unwrap();
    let key = signer.verifier().encode();
    let good = tempfile::tempdir().unwrap();
    proxy_tree(good.path(), &zip, h1, version, &signer, 700, "m");
    let server = MockServer::serve_dir(good.path());

    // A series request resolves against the proxy's list; the report names the database.
    let ctx = goproxy_context(&server.url(), &key);
    let out = ctx.run(&["install", "1.27", "--json"]);
    out.success();
    let installed = out
        .json_lines()
        .into_iter()
        .find(|l| l["event"] == "installed")
        .unwrap();
    assert_eq!(installed["version"], "go1.27.3");
    assert_eq!(installed["source_kind"], "goproxy");
    // Unpacked by a thread that may write only into staging, where the kernel allows it.
    if std::env::var_os("GORIG_TEST_NO_LANDLOCK").is_none() {
        assert_eq!(installed["sandbox"], "landlock", "{installed}");
    }
    assert_eq!(installed["h1"], h1.as_str());
    assert!(
        installed["checksum_database"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/sumdb/{NAME}")),
        "{installed}"
    );
    let go = ctx.gorig_home().join("versions/go1.27.3/bin/go");
    let ran = std::process::Command::new(&go)
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&ran.stdout).contains("go1.27.3"),
        "{ran:?}"
    );
    // The tree it saw is kept for the next install.
    assert!(
        ctx.gorig_home()
            .join(format!("sumdb/{NAME}/latest"))
            .is_file()
    );
    ctx.run(&["install", "1.27.3", "--source", "goproxy"])
        .success();

    // Each refusal exits 5, names what was expected, and leaves nothing installed.
    let refused = |ctx: &gorig_test::TestContext, expect: &str| {
        let out = ctx.run(&["install", "1.27.3"]);
        out.failure(5);
        assert!(out.stderr.contains(expect), "{out}");
        assert!(ctx.versions_on_disk().is_empty(), "{out}");
        let partial = std::fs::read_dir(ctx.cache_dir().join("downloads"))
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
            })
            .unwrap_or(false);
        assert!(!partial, "a partial download was left behind");
    };
    let mut wrong = h1.clone();
    let flipped = if wrong.ends_with("A=") { "B=" } else { "A=" };
    wrong.replace_range(wrong.len() - 2.., flipped);
    let tree = tempfile::tempdir().unwrap();
    proxy_tree(tree.path(), &zip, &wrong, version, &signer, 10, "m");
    let server = MockServer::serve_dir(tree.path());
    refused(
        &goproxy_context(&server.url(), &key),
        &format!("expected: {wrong}"),
    );

    // No record of it.
    let tree = tempfile::tempdir().unwrap();
    proxy_tree(tree.path(), &zip, h1, version, &signer, 10, "m");
    std::fs::remove_file(
        tree.path()
            .join(format!("sumdb/{NAME}/lookup/{TOOLCHAIN_MODULE}@{version}")),
    )
    .unwrap();
    let server = MockServer::serve_dir(tree.path());
    refused(&goproxy_context(&server.url(), &key), "has no record of it");

    // A note signed by another key.
    let tree = tempfile::tempdir().unwrap();
    let other = Signer::from_seed(NAME, &[22; 32]).unwrap();
    proxy_tree(tree.path(), &zip, h1, version, &other, 10, "m");
    let server = MockServer::serve_dir(tree.path());
    refused(
        &goproxy_context(&server.url(), &key),
        "the note is not signed by sum.gorig.test",
    );

    // Stale tiles: a hash the proof of record 700 (in the third level-0 tile, of 701
    // records, so 189 wide) is built from, changed.
    let tree = tempfile::tempdir().unwrap();
    proxy_tree(tree.path(), &zip, h1, version, &signer, 700, "m");
    let tile = tree.path().join(format!("sumdb/{NAME}/tile/8/0/002.p/189"));
    let mut bytes = std::fs::read(&tile).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&tile, bytes).unwrap();
    let server = MockServer::serve_dir(tree.path());
    refused(
        &goproxy_context(&server.url(), &key),
        "do not hash to the signed tree",
    );

    // A fork of the tree this store saw: the first context remembers the good one.
    ctx.run(&["uninstall", "1.27.3", "--force"]).success();
    let tree = tempfile::tempdir().unwrap();
    proxy_tree(tree.path(), &zip, h1, version, &signer, 900, "fork");
    let server = MockServer::serve_dir(tree.path());
    let mut forked = ctx;
    forked.env("GOPROXY", server.url());
    refused(&forked, "forked");
}

#[test]
fn settings_go_refuses_are_refused_as_go_refuses_them() {
    let signer = Signer::from_seed(NAME, &[21; 32]).unwrap();
    let key = signer.verifier().encode();
    for (var, value, expect) in [
        ("GOSUMDB", "off", "GOSUMDB=off"),
        ("GOPROXY", "off", "GOPROXY=off"),
        ("GOFLAGS", "-mod=mod -insecure", "-insecure"),
        ("GOSUMDB", "sum.corp.example+00000000+AAAA", "GOSUMDB"),
    ] {
        let mut ctx = goproxy_context("http://127.0.0.1:9", &key);
        ctx.env(var, value);
        let out = ctx.run(&["install", "1.27.3"]);
        out.failure(2);
        assert!(out.stderr.contains(expect), "{var}={value}: {out}");
    }
}

/// No source chosen, go.dev and the mirrors unreachable, a GOPROXY set: gorig turns to
/// it, says so, and still verifies every byte.
#[test]
fn when_only_a_goproxy_is_reachable_it_is_used_with_a_warning() {
    let (zip_path, h1, version) = toolchain_zip();
    let zip = std::fs::read(zip_path).unwrap();
    let signer = Signer::from_seed(NAME, &[21; 32]).unwrap();
    let tree = tempfile::tempdir().unwrap();
    proxy_tree(tree.path(), &zip, h1, version, &signer, 10, "m");
    let server = MockServer::serve_dir(tree.path());
    let mut ctx = goproxy_context(&server.url(), &signer.verifier().encode());
    let dead = MockServer::dead_url();
    ctx.unset("GORIG_SOURCE")
        .env("GORIG_MIRROR", &dead)
        .env("GORIG_INDEX", format!("{dead}index.json"));
    let out = ctx.run(&["install", "1.27"]);
    out.success();
    assert!(out.stderr.contains("installing through GOPROXY"), "{out}");
    assert!(out.stdout.contains("verified by"), "{out}");
    assert_eq!(ctx.versions_on_disk(), ["go1.27.3"]);
    // Without a GOPROXY the failure is the network's, as before.
    let mut plain = gorig_test::TestContext::new(BIN);
    plain
        .env("GORIG_MIRROR", &dead)
        .env("GORIG_INDEX", format!("{dead}index.json"))
        .env("GORIG_RETRIES", "0");
    plain.run(&["install", "1.27"]).failure(4);
}

/// `gorig mirror sync` builds the GOPROXY layout from a verified archive and keeps the
/// upstream database's answers; with every upstream stopped, the real go switches to the
/// toolchain from the tree, and gorig installs it both ways (GOPROXY and mirror).
#[test]
fn a_synced_tree_serves_go_and_gorig_with_every_upstream_stopped() {
    let (_, h1, version) = toolchain_zip();
    let (archive, arch) = real_archive("go1.27.3");
    let scratch = tempfile::tempdir().unwrap();
    let mut upstream = gorig_test::MirrorDir::new(scratch.path().join("upstream"));
    upstream.add_archive_file("go1.27.3", &arch, &archive);
    let upstream_server = MockServer::serve_dir(upstream.path()).with_dynamic_index();
    // The upstream checksum database, which knows the toolchain's h1.
    let signer = Signer::from_seed(NAME, &[21; 32]).unwrap();
    let key = signer.verifier().encode();
    let db_tree = scratch.path().join("db");
    proxy_tree(&db_tree, b"", h1, version, &signer, 300, "m");
    let db_server = MockServer::serve_dir(db_tree.join("sumdb").join(NAME));

    let mut ctx = goproxy_context("off", &format!("{key} {}", db_server.url()));
    ctx.unset("GORIG_SOURCE");
    let tree = scratch.path().join("tree");
    let tree_arg = tree.display().to_string();
    let out = ctx.run(&[
        "mirror",
        "sync",
        &tree_arg,
        "--versions",
        "1.27.3",
        "--arch",
        &arch,
        "--from",
        &upstream_server.url(),
        "--json",
    ]);
    out.success();
    let lines = out.json_lines();
    assert!(
        lines.iter().any(|l| l["event"] == "download_started"),
        "{out}"
    );
    let report = lines.into_iter().find(|l| l["event"] == "synced").unwrap();
    assert_eq!(report["modules"][0]["h1"], h1.as_str(), "{report:#}");
    assert_eq!(report["modules"][0]["built"], true);
    assert!(
        tree.join(format!("golang.org/toolchain/@v/{version}.zip"))
            .is_file()
    );
    assert!(tree.join(format!("sumdb/{NAME}/latest")).is_file());
    let again = ctx.run(&[
        "mirror",
        "sync",
        &tree_arg,
        "--versions",
        "1.27.3",
        "--arch",
        &arch,
        "--from",
        &upstream_server.url(),
        "--json",
    ]);
    again.success();
    let again = again
        .json_lines()
        .into_iter()
        .find(|l| l["event"] == "synced")
        .unwrap();
    assert_eq!(again["modules"][0]["built"], false);
    assert_eq!(again["bytes_downloaded"], 0);
    ctx.run(&["mirror", "verify", &tree_arg]).success();

    drop(upstream_server);
    drop(db_server);
    // Debian's nginx serves the tree, as an operator would.
    let served = gorig_test::Nginx::serve(&tree);
    // The real go, through the tree's GOPROXY layout and its copy of the database.
    let state = state_dir();
    let (ok, out) = switch(&served.url(), &key, state.path());
    assert!(ok, "go refused the synced tree:\n{out}");
    assert!(out.contains("go version go1.27.3"), "{out}");
    // gorig through GOPROXY, and as a plain mirror.
    let by_proxy = goproxy_context(&served.url(), &key);
    by_proxy.run(&["install", "1.27.3"]).success();
    let mut by_mirror = gorig_test::TestContext::new(BIN);
    by_mirror
        .env("GORIG_MIRROR", served.url())
        .env("GORIG_RETRIES", "0");
    by_mirror.run(&["install", "1.27.3"]).success();
}

/// The fallback to GOPROXY never goes without a database to vouch, and a database name
/// that is not host[/path] is refused before it becomes a path.
#[test]
fn no_fallback_without_a_database_and_no_database_name_that_escapes() {
    let dead = MockServer::dead_url();
    let tree = tempfile::tempdir().unwrap();
    let mut ctx = gorig_test::TestContext::new(BIN);
    ctx.env("GORIG_MIRROR", &dead)
        .env("GORIG_INDEX", format!("{dead}index.json"))
        .env("GORIG_RETRIES", "0")
        .env("GOPROXY", format!("file://{}", tree.path().display()))
        .env("GOSUMDB", "off");
    ctx.run(&["install", "1.27.3"]).failure(4);
    assert!(ctx.versions_on_disk().is_empty());

    let evil = Signer::from_seed("../../evil", &[3; 32]).unwrap();
    let mut ctx = goproxy_context(&dead, &evil.verifier().encode());
    ctx.env("GORIG_SOURCE", "goproxy");
    let out = ctx.run(&["install", "1.27.3"]);
    out.failure(2);
    assert!(out.stderr.contains("is not host[/path]"), "{out}");
}
