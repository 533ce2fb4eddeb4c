//! The Installer in-process against the loopback mock mirror: installs, the fallbacks
//! (index refreshed once, the cached digest when no index answers, offline), `ensure`,
//! and the store operations whose checks must hold under the lock.

use std::path::PathBuf;
use std::time::Duration;

use gorig_event::Recorder;
use gorig_fetch::{
    ClientConfig, ExtractLimits, FetchError, KeyStore, Location, Mirror, Persistence,
};
use gorig_project::ProjectEnv;
use gorig_store::Store;
use gorig_test::{Fault, MirrorDir, MockServer, TestKey};
use gorig_version::{GoArch, Platform};

use super::*;

struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    mirror: MirrorDir,
    server: MockServer,
    recorder: Recorder,
    policy: Policy,
}

fn world(versions: &[&str]) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    let mut mirror = MirrorDir::new(root.join("mirror"));
    for version in versions {
        mirror.add_fake(version, &["amd64"]);
    }
    let server = MockServer::serve_dir(mirror.path());
    World {
        _dir: dir,
        root,
        mirror,
        server,
        recorder: Recorder::default(),
        policy: Policy {
            platform: Ok(Platform::linux(GoArch::Amd64)),
            offline: false,
            refresh_index: false,
            index_ttl: Duration::from_secs(3600),
            digests_from_mirror: false,
            verify_signatures: true,
            limits: ExtractLimits::default(),
            persistence: Persistence {
                retries: 1,
                backoff: Duration::from_millis(10),
                ..Persistence::default()
            },
            goproxy: None,
            goproxy_fallback: None,
        },
    }
}

impl World {
    fn installer(&self) -> Installer<'_> {
        let url = self.server.url();
        let keyring = TestKey::shared().write_public(&self.root.join("test-key.asc"));
        let home = self.root.join("home");
        Installer::new(
            Store::new(&home),
            Sources {
                client: ClientConfig {
                    read_timeout: Duration::from_secs(2),
                    connect_timeout: Duration::from_secs(2),
                    ..ClientConfig::default()
                },
                mirrors: vec![Mirror::parse(&url).expect("mirror")],
                index: vec![Location::Http(format!("{url}index.json"))],
                cache_dir: self.root.join("cache"),
                signature_base: Mirror::parse(&url).expect("mirror"),
            },
            KeyStore {
                stored: home.join("keys/release-keys.asc"),
                keyrings: vec![keyring],
                key_url: format!("{url}no-key-block"),
            },
            self.policy.clone(),
            &self.recorder,
        )
    }

    fn events(&self) -> Vec<&'static str> {
        self.recorder
            .events()
            .iter()
            .map(|e| match e {
                Event::DownloadStarted { .. } => "download_started",
                Event::DownloadFinished { .. } => "download_finished",
                Event::Verified { .. } => "verified",
                Event::Published { .. } => "published",
                Event::AutoInstalling { .. } => "auto_installing",
                Event::CacheDamaged { .. } => "cache_damaged",
                Event::IndexUnavailableUsingCache { .. } => "index_unavailable_using_cache",
                Event::Retrying { .. } => "retrying",
                Event::SourceFailed { .. } => "source_failed",
                Event::IndexStale { .. } => "index_stale",
                _ => "other",
            })
            .collect()
    }

    fn index_requests(&self) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.contains("index.json"))
            .count()
    }
}

fn req(text: &str) -> VersionRequest {
    text.parse().expect("request")
}

fn v(text: &str) -> GoVersion {
    text.parse().expect("version")
}

use gorig_version::VersionRequest;

#[test]
fn an_install_publishes_a_verified_tree_makes_it_the_default_and_is_not_repeated() {
    let w = world(&["go1.22.5", "go1.21.13"]);
    let installer = w.installer();
    let done = installer
        .install(&req("1.22"), InstallHow::default())
        .expect("installs");
    assert_eq!(done.version, v("go1.22.5"));
    assert!(
        done.became_default,
        "the first toolchain becomes the default"
    );
    let fresh = done.fresh.expect("downloaded");
    assert!(!fresh.replaced);
    assert!(
        fresh.unpacked.signature.is_some(),
        "the signature was checked"
    );
    assert!(done.path.join("bin/go").is_file());
    assert_eq!(
        w.events(),
        [
            "download_started",
            "download_finished",
            "verified",
            "published"
        ]
    );
    let again = installer
        .install(&req("go1.22.5"), InstallHow::default())
        .expect("already");
    assert!(again.fresh.is_none() && !again.became_default);
    let other = installer
        .install(&req("1.21"), InstallHow::default())
        .expect("second version");
    assert!(!other.became_default, "an existing default stays");
    assert_eq!(installer.store().default_version(), Some(v("go1.22.5")));
}

#[test]
fn a_forced_reinstall_of_the_default_replaces_it_in_place() {
    let w = world(&["go1.22.5"]);
    let installer = w.installer();
    installer
        .install(&req("1.22.5"), InstallHow::default())
        .expect("installs");
    let marker = installer.store().version_dir(&v("go1.22.5")).join("MARKER");
    std::fs::write(&marker, "old tree").expect("mark");
    let done = installer
        .install(
            &req("1.22.5"),
            InstallHow {
                force: true,
                ..InstallHow::default()
            },
        )
        .expect("reinstalls");
    let fresh = done.fresh.expect("downloaded again");
    assert!(fresh.replaced);
    assert!(
        fresh.unpacked.from_cache,
        "the verified archive came from the cache"
    );
    assert!(!marker.exists(), "the old tree is gone");
    assert_eq!(installer.store().default_version(), Some(v("go1.22.5")));
    assert!(installer.store().current_link().join("bin/go").is_file());
}

#[test]
fn a_cached_index_that_lacks_a_version_is_refreshed_once() {
    let mut w = world(&["go1.22.5"]);
    {
        let installer = w.installer();
        installer
            .install(&req("1.22.5"), InstallHow::default())
            .expect("installs");
    }
    assert_eq!(w.index_requests(), 1);
    w.mirror.add_fake("go1.22.6", &["amd64"]);
    let installer = w.installer();
    let done = installer
        .install(&req("1.22.6"), InstallHow::default())
        .expect("found after one refresh");
    assert_eq!(done.version, v("go1.22.6"));
    assert_eq!(
        w.index_requests(),
        2,
        "the fresh cache was asked once more, no more"
    );
    let missing = installer
        .install(&req("1.99.1"), InstallHow::default())
        .expect_err("no such release");
    assert!(matches!(missing, InstallError::Index(_)), "{missing}");
    assert_eq!(
        w.index_requests(),
        2,
        "an index fetched by this run is not asked again"
    );
}

#[test]
fn without_an_index_an_exact_version_installs_from_the_cached_digest_and_offline_from_the_cache() {
    let mut w = world(&["go1.22.5"]);
    {
        let installer = w.installer();
        installer
            .install(&req("1.22.5"), InstallHow::default())
            .expect("installs");
        installer
            .uninstall(&[req("1.22.5")], true, None)
            .expect("removed");
    }
    // Every index source fails and no index is cached: the download cache's record of
    // the verified digest is enough for an exact version.
    std::fs::remove_dir_all(w.root.join("cache/index")).expect("drop the cached index");
    w.server.fault("/index.json", Fault::Status(500));
    let installer = w.installer();
    let done = installer
        .install(&req("go1.22.5"), InstallHow::default())
        .expect("installs from the cache");
    assert!(done.fresh.expect("fresh").unpacked.from_cache);
    assert!(
        w.events().contains(&"index_unavailable_using_cache"),
        "{:?}",
        w.events()
    );
    assert!(
        w.events().contains(&"retrying"),
        "the index got the retry policy"
    );
    let series = installer
        .install(&req("1.23"), InstallHow::default())
        .expect_err("a series needs an index");
    assert!(matches!(series, InstallError::Fetch(_)), "{series}");

    w.policy.offline = true;
    let offline = w.installer();
    offline
        .uninstall(&[req("1.22.5")], true, None)
        .expect("removed");
    let done = offline
        .install(&req("go1.22.5"), InstallHow::default())
        .expect("offline from the cache");
    assert!(done.fresh.expect("fresh").unpacked.from_cache);
    let error = offline
        .install(&req("go1.21.13"), InstallHow::default())
        .expect_err("nothing cached");
    assert!(
        matches!(
            error,
            InstallError::Fetch(ref e) | InstallError::Failed { source: ref e, .. }
                if matches!(**e, FetchError::NotCached { .. })
        ),
        "{error}"
    );
}

#[test]
fn a_damaged_cached_signature_is_dropped_and_fetched_again_once() {
    let w = world(&["go1.22.5"]);
    let installer = w.installer();
    installer
        .install(&req("1.22.5"), InstallHow::default())
        .expect("installs");
    let cached_asc = w
        .root
        .join("cache/downloads/go1.22.5.linux-amd64.tar.gz.asc");
    std::fs::write(&cached_asc, "-----BEGIN PGP SIGNATURE-----\ngarbage\n").expect("damage");
    let done = installer
        .install(
            &req("1.22.5"),
            InstallHow {
                force: true,
                ..InstallHow::default()
            },
        )
        .expect("the mirror's good signature heals the cache");
    assert!(done.fresh.expect("fresh").unpacked.signature.is_some());
    assert!(w.events().contains(&"cache_damaged"), "{:?}", w.events());
    let healed = std::fs::read_to_string(&cached_asc).expect("cached again");
    assert!(!healed.contains("garbage"));
}

#[test]
fn ensure_uses_what_is_installed_and_installs_a_missing_pin_only_when_allowed() {
    let w = world(&["go1.22.5", "go1.21.13"]);
    let installer = w.installer();
    let absent = installer
        .ensure(Want::Version(&req("1.22")), false)
        .expect_err("nothing installed");
    assert!(
        matches!(absent, InstallError::NoInstalledMatch { .. }),
        "{absent}"
    );
    let got = installer
        .ensure(Want::Version(&req("1.22")), true)
        .expect("installed on demand");
    assert_eq!(
        (got.version.clone(), got.installed_now),
        (v("go1.22.5"), true)
    );
    let again = installer
        .ensure(Want::Version(&req("1.22")), true)
        .expect("installed");
    assert!(!again.installed_now);

    let project = w.root.join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    std::fs::write(
        project.join("go.mod"),
        "module m\n\ngo 1.21.13\ntoolchain go1.21.13\n",
    )
    .expect("go.mod");
    let env = ProjectEnv::default();
    let want = Want::Project {
        dir: &project,
        env: &env,
    };
    let refused = installer.ensure(want, false).expect_err("not installed");
    assert!(
        matches!(
            refused,
            InstallError::Unselected(gorig_project::Unselected::NotInstalled { .. })
        ),
        "{refused}"
    );
    let got = installer.ensure(want, true).expect("auto-installed");
    assert_eq!(got.version, v("go1.21.13"));
    assert!(
        got.installed_now && got.reason.contains("go.mod"),
        "{got:?}"
    );
    assert!(w.events().contains(&"auto_installing"));
}

#[test]
fn uninstall_decides_under_the_lock_and_removes_the_default_link_first() {
    let w = world(&["go1.22.5", "go1.21.13"]);
    let installer = w.installer();
    for version in ["1.22.5", "1.21.13"] {
        installer
            .install(&req(version), InstallHow::default())
            .expect("installs");
    }
    let refused = installer
        .uninstall(&[req("1.22.5")], false, None)
        .expect_err("the default");
    assert!(
        matches!(&refused, InstallError::IsDefault { others, .. } if others == &[v("go1.21.13")]),
        "{refused}"
    );
    let ambiguous = installer
        .uninstall(&[req("1")], true, None)
        .expect_err("two match");
    assert!(matches!(ambiguous, InstallError::Ambiguous { .. }));
    assert_eq!(
        installer.use_version(&req("1.21")).expect("use"),
        v("go1.21.13")
    );
    assert_eq!(installer.rollback().expect("rollback"), v("go1.22.5"));
    let removal = installer
        .uninstall(&[req("1.22.5")], true, None)
        .expect("forced");
    assert_eq!(removal.removed, [v("go1.22.5")]);
    assert_eq!(removal.default, None);
    assert!(
        std::fs::symlink_metadata(installer.store().current_link()).is_err(),
        "no dangling current"
    );
    // Back to the default before the last change, which is still installed.
    assert_eq!(installer.rollback().expect("rollback"), v("go1.21.13"));
    installer
        .uninstall(&[req("1.21.13")], true, None)
        .expect("forced");
    assert!(matches!(
        installer.rollback().expect_err("previous is gone"),
        InstallError::NoPrevious
    ));
}
