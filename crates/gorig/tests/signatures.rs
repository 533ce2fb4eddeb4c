//! OpenPGP release signatures through the real binary, with gpg as the judge: keys and
//! signatures are made by gpg in each test (at faked times where the policy is about
//! time), and gorig must accept exactly what the pinned-key policy allows.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use gorig_test::{MirrorDir, MockServer, Output, TestContext, TestKey};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");
const FILE: &str = "go1.22.5.linux-amd64.tar.gz";

struct World {
    ctx: TestContext,
    mirror: MirrorDir,
}

/// A mirror directory with go1.22.5 (signed by the shared test key, which the context
/// trusts through GORIG_KEYRING), used as a plain-path mirror.
fn world() -> World {
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    mirror.add_fake("go1.22.5", &["amd64"]);
    let dir = mirror.path().display().to_string();
    ctx.env("GORIG_MIRROR", dir).env("GORIG_ARCH", "amd64");
    World { ctx, mirror }
}

impl World {
    fn run(&self, args: &[&str]) -> Output {
        self.ctx.run(args)
    }

    fn archive(&self) -> PathBuf {
        self.mirror.path().join(FILE)
    }

    /// Trusts only `key` (written beside the mirror).
    fn trust(&mut self, key: &TestKey, name: &str) -> PathBuf {
        let path = key.write_public(&self.ctx.root().join(name));
        self.ctx.env("GORIG_KEYRING", &path);
        path
    }

    fn nothing_installed(&self) {
        let listed = self.ctx.versions_on_disk();
        assert!(listed.is_empty(), "installed anyway: {listed:?}");
    }
}

/// The `installed` event of an `install --json` run.
fn installed_line(out: &Output) -> serde_json::Value {
    out.json_lines()
        .into_iter()
        .find(|l| l["event"] == "installed")
        .unwrap_or_else(|| panic!("an installed line: {out}"))
}

fn asc_of(archive: &Path) -> PathBuf {
    let mut name = archive.as_os_str().to_owned();
    name.push(".asc");
    PathBuf::from(name)
}

#[test]
fn install_checks_the_signature_and_reports_the_evidence() {
    let w = world();
    let key = TestKey::shared();
    assert!(
        key.gpg_verifies(&w.archive(), &asc_of(&w.archive())),
        "gpg accepts the mirror's signature"
    );
    let out = w.run(&["install", "--json", "1.22.5"]);
    out.success();
    let installed = installed_line(&out);
    let sig = &installed["signature"];
    let subkey = key.newest_subkey();
    assert_eq!(
        sig["primary_fingerprint"],
        key.fingerprint.as_str(),
        "{out}"
    );
    assert_eq!(sig["signing_key_fingerprint"], subkey.as_str());
    assert_eq!(sig["signing_key_id"], &subkey[subkey.len() - 16..]);
    assert!(
        sig["created"].as_str().is_some_and(|c| c.ends_with('Z')),
        "{sig}"
    );
    assert!(
        sig["key_origin"]
            .as_str()
            .is_some_and(|o| o.contains("keyring")),
        "{sig}"
    );
    assert_eq!(installed["sha256"].as_str().map(str::len), Some(64));
    // Extraction ran confined to the staging directory (this kernel has Landlock; the
    // sandbox unit test says what to do on one without).
    if std::env::var_os("GORIG_TEST_NO_LANDLOCK").is_none() {
        assert_eq!(installed["sandbox"], "landlock", "{installed}");
    }

    // The signature is cached with the archive: an offline reinstall checks it again.
    let again = w.run(&["install", "--offline", "--force", "--json", "1.22.5"]);
    again.success();
    let line = installed_line(&again);
    assert_eq!(line["from_cache"], true);
    assert_eq!(
        line["signature"]["signing_key_fingerprint"],
        subkey.as_str()
    );

    // A damaged cached signature fails the offline reinstall instead of being skipped.
    let cached_asc = w.ctx.cache_dir().join(format!("downloads/{FILE}.asc"));
    let text = std::fs::read_to_string(&cached_asc).expect("cached .asc");
    std::fs::write(&cached_asc, text.replace('A', "B")).expect("damage");
    let damaged = w.run(&["install", "--offline", "--force", "1.22.5"]);
    assert_eq!(damaged.code, 5, "{damaged}");
}

/// Both ways a signature is checked: from the archive's own SHA-256 state (SHA256
/// signatures, one hash pass) and by rPGP hashing the bytes again (every other hash).
#[test]
fn a_signature_over_other_bytes_is_refused_and_nothing_is_installed() {
    for algo in ["SHA256", "SHA512"] {
        let w = world();
        let other = w.ctx.root().join("other.bin");
        std::fs::write(&other, b"not the archive").expect("write");
        let asc = TestKey::shared().sign_digest(&other, algo);
        assert!(
            !TestKey::shared().gpg_verifies(&w.archive(), &asc),
            "gpg says BAD too"
        );
        std::fs::copy(&asc, asc_of(&w.archive())).expect("plant the signature");
        let out = w.run(&["install", "1.22.5"]);
        assert_eq!(out.code, 5, "{algo}: {out}");
        assert!(out.stderr.contains("does not verify"), "{algo}: {out}");
        assert!(out.stderr.contains("BAD signature"), "{algo}: {out}");
        w.nothing_installed();
        assert!(
            !w.ctx.cache_dir().join(format!("downloads/{FILE}")).exists(),
            "a refused archive is not cached"
        );
        // The archive's own signature, in this hash, installs.
        TestKey::shared().sign_digest(&w.archive(), algo);
        w.run(&["install", "1.22.5"]).success();
    }
}

#[test]
fn a_signature_by_a_key_that_is_not_pinned_is_refused() {
    let w = world();
    let stranger = TestKey::generate(None);
    w.mirror.sign_with(FILE, &stranger);
    assert!(stranger.gpg_verifies(&w.archive(), &asc_of(&w.archive())));
    let out = w.run(&["install", "1.22.5"]);
    assert_eq!(out.code, 5, "{out}");
    assert!(out.stderr.contains("no trusted key block holds"), "{out}");
    assert!(
        out.stderr.contains("refreshing the release keys"),
        "one refresh is tried: {out}"
    );
    assert!(out.stderr.contains("gorig keys refresh"), "a hint: {out}");
    w.nothing_installed();
}

#[test]
fn a_mirror_without_signatures_falls_back_to_the_signature_base() {
    let mut w = world();
    // The signatures live only at the "official" base, on another server.
    let official = w.ctx.root().join("official");
    std::fs::create_dir_all(&official).expect("dir");
    std::fs::rename(asc_of(&w.archive()), official.join(format!("{FILE}.asc"))).expect("move");
    let base = MockServer::serve_dir(&official);
    w.ctx.env("GORIG_SIGNATURE_BASE", base.url());
    let out = w.run(&["install", "--json", "1.22.5"]);
    out.success();
    assert_eq!(base.requests(), [format!("/{FILE}.asc")]);
    let installed = installed_line(&out);
    assert_eq!(
        installed["signature"]["primary_fingerprint"],
        TestKey::shared().fingerprint.as_str()
    );
}

#[test]
fn no_signature_anywhere_is_refused_unless_the_user_opts_out_loudly() {
    let w = world();
    std::fs::remove_file(asc_of(&w.archive())).expect("remove .asc");
    let out = w.run(&["install", "1.22.5"]);
    assert_eq!(out.code, 5, "{out}");
    assert!(out.stderr.contains("no OpenPGP signature"), "{out}");
    assert!(
        out.stderr.contains(&format!("{FILE}.asc")),
        "names what was tried: {out}"
    );
    assert!(out.stderr.contains("--no-verify-signature"), "{out}");
    w.nothing_installed();

    let opted_out = w.run(&[
        "--quiet",
        "install",
        "--no-verify-signature",
        "--json",
        "1.22.5",
    ]);
    opted_out.success();
    assert!(
        opted_out
            .stderr
            .contains("WARNING: OpenPGP signature checks are OFF"),
        "loud even with --quiet: {opted_out}"
    );
    let installed = installed_line(&opted_out);
    assert!(installed["signature"].is_null(), "{installed}");
}

#[test]
fn a_subkey_that_expired_after_signing_still_verifies_the_old_signature() {
    let mut w = world();
    let key = TestKey::generate(Some("20200101T000000"));
    let subkey = key.add_signing_subkey(Some("20200101T000000"), "1y");
    key.sign_with(&w.archive(), Some(&subkey), Some("20200601T000000"));
    w.trust(&key, "expired-later.asc");
    let out = w.run(&["install", "--json", "1.22.5"]);
    out.success();
    let installed = installed_line(&out);
    assert_eq!(
        installed["signature"]["signing_key_fingerprint"],
        subkey.as_str()
    );
    assert_eq!(installed["signature"]["created"], "2020-06-01T00:00:00Z");
}

#[test]
fn a_signature_made_after_the_subkey_expired_is_refused() {
    let mut w = world();
    let signer = TestKey::generate(Some("20200101T000000"));
    let subkey = signer.newest_subkey();
    // The published key says the subkey expired on 2020-01-03 ...
    let published = signer.duplicate();
    published.set_subkey_expiry(Some("20200102T000000"), &subkey, "1d");
    // ... but a copy of it that never heard of that signed on 2020-01-10.
    signer.sign_with(&w.archive(), Some(&subkey), Some("20200110T000000"));
    w.trust(&published, "published.asc");
    let out = w.run(&["install", "1.22.5"]);
    assert_eq!(out.code, 5, "{out}");
    assert!(
        out.stderr
            .contains("was not valid when the signature was made"),
        "{out}"
    );
    assert!(out.stderr.contains("expired 2020-01-03"), "{out}");
    w.nothing_installed();
}

#[test]
fn a_revoked_subkey_is_refused_whenever_it_signed() {
    let mut w = world();
    let key = TestKey::generate(None);
    let subkey = key.newest_subkey();
    key.sign_with(&w.archive(), Some(&subkey), None);
    let before = key.write_public(&w.ctx.root().join("before-revocation.asc"));
    key.revoke_subkey(&subkey);
    let after = w.trust(&key, "revoked.asc");
    let out = w.run(&["install", "1.22.5"]);
    assert_eq!(out.code, 5, "{out}");
    assert!(out.stderr.contains("has been revoked"), "{out}");
    w.nothing_installed();
    // An older copy of the key that lacks the revocation does not outvote it.
    let both = format!("{}:{}", before.display(), after.display());
    w.ctx.env("GORIG_KEYRING", both);
    let out = w.run(&["install", "1.22.5"]);
    assert_eq!(out.code, 5, "{out}");
    assert!(out.stderr.contains("has been revoked"), "{out}");
    w.nothing_installed();
}

#[test]
fn an_unknown_subkey_refreshes_the_keys_once_and_keeps_only_pinned_ones() {
    let mut w = world();
    let key = TestKey::generate(None);
    w.trust(&key, "old-export.asc");
    // The key rotates: a new subkey signs, which the trusted export lacks.
    let rotated = key.add_signing_subkey(None, "2y");
    key.sign_with(&w.archive(), Some(&rotated), None);
    // The refresh URL serves the rotated key plus a key nobody pinned.
    let keys_dir = w.ctx.root().join("keyserver");
    std::fs::create_dir_all(&keys_dir).expect("dir");
    let stranger = TestKey::generate(None);
    let mut block = key.public_armored();
    block.extend(stranger.public_armored());
    std::fs::write(keys_dir.join("linux_signing_key.pub"), block).expect("write");
    let keyserver = MockServer::serve_dir(&keys_dir);
    w.ctx.env(
        "GORIG_KEY_URL",
        format!("{}linux_signing_key.pub", keyserver.url()),
    );

    let out = w.run(&["install", "--json", "1.22.5"]);
    out.success();
    // With --json, warnings are JSON events on stdout.
    assert!(out.stdout.contains("refreshing the release keys"), "{out}");
    assert_eq!(
        keyserver.requests(),
        ["/linux_signing_key.pub"],
        "one refresh"
    );
    let installed = installed_line(&out);
    assert_eq!(
        installed["signature"]["signing_key_fingerprint"],
        rotated.as_str()
    );
    assert!(
        installed["signature"]["key_origin"]
            .as_str()
            .is_some_and(|o| o.starts_with("refreshed")),
        "{installed}"
    );

    let listed = w.run(&["keys", "list", "--json"]).json();
    let fingerprints: Vec<&str> = listed["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["fingerprint"].as_str())
        .collect();
    assert!(fingerprints.contains(&key.fingerprint.as_str()));
    assert!(
        !fingerprints.contains(&stranger.fingerprint.as_str()),
        "an unpinned key from the refresh URL is dropped: {listed}"
    );
    let stored = std::fs::read_to_string(w.ctx.gorig_home().join("keys/release-keys.asc"))
        .expect("stored in the store");
    assert!(stored.contains("BEGIN PGP PUBLIC KEY BLOCK"));
}

#[test]
fn keys_list_shows_the_embedded_google_key_and_refresh_refuses_unpinned_blocks() {
    let mut w = world();
    w.ctx.unset("GORIG_KEYRING");
    let listed = w.run(&["keys", "list", "--json"]);
    listed.success();
    let doc = listed.json();
    assert_eq!(
        doc["pinned"],
        serde_json::json!(["EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796"])
    );
    let google = &doc["keys"][0];
    assert_eq!(google["origin"], "embedded Go release key");
    assert_eq!(google["subkeys"].as_array().map(Vec::len), Some(5));
    assert_eq!(google["subkeys"][4]["expires"], "2026-02-14T15:25:12Z");
    let human = w.run(&["keys", "list"]);
    human.success();
    assert!(human.stdout.contains("E88979FB9B30ACF2"), "{human}");

    let keys_dir = w.ctx.root().join("keyserver");
    std::fs::create_dir_all(&keys_dir).expect("dir");
    std::fs::write(
        keys_dir.join("key.pub"),
        TestKey::generate(None).public_armored(),
    )
    .expect("write");
    let keyserver = MockServer::serve_dir(&keys_dir);
    let refused = w.run(&[
        "keys",
        "refresh",
        "--url",
        &format!("{}key.pub", keyserver.url()),
    ]);
    assert_eq!(refused.code, 5, "{refused}");
    assert!(
        refused
            .stderr
            .contains("no key whose primary fingerprint is pinned"),
        "{refused}"
    );
    assert!(!w.ctx.gorig_home().join("keys/release-keys.asc").exists());
}
