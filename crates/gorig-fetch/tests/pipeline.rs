//! The streaming install pass against real bytes on loopback and on disk: mirror order and
//! fallback, checksum refusal, the download cache, offline use, and index loading.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use gorig_fetch::{
    Client, ClientConfig, DownloadCache, Event, FetchError, Fetcher, IndexCache, IndexOrigin,
    IndexPolicy, Location, Mirror, Persistence, Reporter, UnpackOptions, load_index,
};
use gorig_index::Artifact;
use gorig_test::{Fault, MirrorDir, MockServer};

const VERSION: &str = "go1.22.5";
const FILE: &str = "go1.22.5.linux-amd64.tar.gz";

struct World {
    _tmp: tempfile::TempDir,
    mirror: MirrorDir,
    digest: String,
    cache: DownloadCache,
    staging: std::path::PathBuf,
}

fn world() -> World {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut mirror = MirrorDir::new(tmp.path().join("mirror"));
    let digest = mirror.add_fake(VERSION, &["amd64"]).remove(0);
    let staging = tmp.path().join("staging");
    std::fs::create_dir(&staging).expect("staging");
    World {
        cache: DownloadCache::new(tmp.path().join("cache")),
        mirror,
        digest,
        staging,
        _tmp: tmp,
    }
}

fn artifact(sha256: &str) -> Artifact {
    Artifact {
        version: VERSION.parse().expect("version"),
        filename: FILE.into(),
        digest: match gorig_index::Sha256::parse(sha256) {
            Some(known) => gorig_index::Digest::Known(known),
            None => panic!("{sha256} is not a SHA-256"),
        },
        size: None,
    }
}

fn client() -> Client {
    Client::new(&ClientConfig {
        read_timeout: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(2),
        ..ClientConfig::default()
    })
    .expect("client")
}

#[derive(Default)]
struct Log(Mutex<Vec<String>>);

impl Reporter for Log {
    fn report(&self, event: Event) {
        let line = match event {
            Event::Progress { .. }
            | Event::DownloadStarted { .. }
            | Event::DownloadFinished { .. } => return,
            Event::SourceFailed { url, error, next } => {
                format!("failed {url}: {error} (retry: {next})")
            }
            Event::CacheDamaged { file, detail } => {
                format!("warn the cached {file} was damaged ({detail})")
            }
            Event::IndexStale { error, .. } => {
                format!("warn could not refresh the release index ({error}); using the copy cached")
            }
            Event::Retrying {
                error,
                attempt,
                of,
                delay_ms,
                ..
            } => format!("warn {error}; retrying in {delay_ms} ms (retry {attempt} of {of})"),
            other => format!("warn {other:?}"),
        };
        self.0.lock().expect("log").push(line);
    }
}

fn fetch(
    w: &World,
    mirrors: &[Mirror],
    sha: &str,
    log: &Log,
) -> Result<gorig_fetch::Unpacked, FetchError> {
    fetch_with(w, mirrors, sha, log, quick_retries(1))
}

/// Retries with a short backoff, so fault tests stay fast.
fn quick_retries(retries: u32) -> Persistence {
    Persistence {
        retries,
        backoff: Duration::from_millis(20),
        ..Persistence::default()
    }
}

fn fetch_with(
    w: &World,
    mirrors: &[Mirror],
    sha: &str,
    log: &Log,
    persistence: Persistence,
) -> Result<gorig_fetch::Unpacked, FetchError> {
    let client = client();
    Fetcher {
        client: &client,
        cache: &w.cache,
        reporter: log,
        options: UnpackOptions {
            persistence,
            ..UnpackOptions::default()
        },
        signatures: None,
    }
    .unpack(&artifact(sha), mirrors, &w.staging)
}

impl Log {
    fn lines(&self, prefix: &str) -> Vec<String> {
        self.0
            .lock()
            .expect("log")
            .iter()
            .filter(|l| l.starts_with(prefix))
            .cloned()
            .collect()
    }
}

fn http(server: &MockServer) -> Mirror {
    Mirror::parse(&server.url()).expect("mirror")
}

#[test]
fn downloads_verifies_caches_and_reinstalls_from_the_cache() {
    let w = world();
    let server = MockServer::serve_dir(w.mirror.path());
    let log = Log::default();
    let unpacked = fetch(&w, &[http(&server)], &w.digest, &log).expect("installs");
    assert_eq!(unpacked.sha256, w.digest);
    assert!(!unpacked.from_cache);
    assert_eq!(unpacked.source, format!("{}{FILE}", server.url()));
    let version = std::fs::read_to_string(w.staging.join("VERSION")).expect("VERSION");
    assert!(version.starts_with(VERSION));
    assert_eq!(
        w.cache.recorded_sha256(FILE).as_deref(),
        Some(w.digest.as_str())
    );

    std::fs::remove_dir_all(&w.staging).expect("clean");
    std::fs::create_dir(&w.staging).expect("staging");
    let requests_before = server.requests().len();
    let again = fetch(&w, &[http(&server)], &w.digest, &log).expect("from cache");
    assert!(again.from_cache);
    assert_eq!(
        server.requests().len(),
        requests_before,
        "no network on a cached reinstall"
    );
    assert!(w.staging.join("bin/go").is_file());
}

#[test]
fn falls_to_the_next_mirror_on_network_failures() {
    let w = world();
    let dead = Mirror::parse(&MockServer::dead_url()).expect("mirror");
    let missing = MockServer::serve_dir(w.mirror.path());
    missing.fault(&format!("/{FILE}"), Fault::Status(404));
    let broken = MockServer::serve_dir(w.mirror.path());
    broken.fault(&format!("/{FILE}"), Fault::Status(503));
    let dropping = MockServer::serve_dir(w.mirror.path());
    dropping.fault(&format!("/{FILE}"), Fault::DropAfter(100_000));
    let stalling = MockServer::serve_dir(w.mirror.path());
    stalling.fault(&format!("/{FILE}"), Fault::StallAfter(50_000));
    let good = MockServer::serve_dir(w.mirror.path());
    let mirrors = [
        dead,
        http(&missing),
        http(&broken),
        http(&dropping),
        http(&stalling),
        http(&good),
    ];
    let log = Log::default();
    let unpacked = fetch(&w, &mirrors, &w.digest, &log).expect("the last mirror works");
    assert_eq!(unpacked.source, format!("{}{FILE}", good.url()));
    let lines = log.lines("failed");
    assert_eq!(lines.len(), 5, "{lines:#?}");
    assert!(lines[0].contains("could not connect"), "{}", lines[0]);
    assert!(lines[1].contains("not found"), "{}", lines[1]);
    assert!(lines[2].contains("HTTP 503"), "{}", lines[2]);
    assert!(lines[3].contains("failed after"), "{}", lines[3]);
    assert!(lines[4].contains("timed out"), "{}", lines[4]);
    // Nothing of the failed attempts is left in staging: the tree is exactly one install.
    assert!(w.staging.join("bin/go").is_file());
}

#[test]
fn every_failed_attempt_is_listed_when_all_mirrors_are_down() {
    let w = world();
    let a = MockServer::dead_url();
    let b = MockServer::dead_url();
    let mirrors = [Mirror::parse(&a).expect("a"), Mirror::parse(&b).expect("b")];
    let err = fetch(&w, &mirrors, &w.digest, &Log::default()).expect_err("all down");
    let text = err.to_string();
    assert!(matches!(err, FetchError::AllSourcesFailed { .. }));
    assert!(
        text.contains(&format!("{a}{FILE}")) && text.contains(&format!("{b}{FILE}")),
        "{text}"
    );
    assert_eq!(text.lines().count(), 3, "{text}");
}

#[test]
fn a_checksum_mismatch_stops_without_trying_other_mirrors() {
    let w = world();
    let first = MockServer::serve_dir(w.mirror.path());
    let second = MockServer::serve_dir(w.mirror.path());
    let wrong = "0".repeat(64);
    let err =
        fetch(&w, &[http(&first), http(&second)], &wrong, &Log::default()).expect_err("mismatch");
    match &err {
        FetchError::ChecksumMismatch {
            expected, actual, ..
        } => {
            assert_eq!(expected, &wrong);
            assert_eq!(actual, &w.digest);
        }
        other => panic!("expected a mismatch, got {other}"),
    }
    assert!(
        second.requests().is_empty(),
        "the second mirror must not be asked"
    );
    assert_eq!(w.cache.recorded_sha256(FILE), None, "nothing cached");
    let leftovers: Vec<_> = std::fs::read_dir(w.cache.dir())
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "partial download left: {leftovers:?}");
}

#[test]
fn tampered_bytes_are_a_mismatch_even_when_they_unpack() {
    let w = world();
    let server = MockServer::serve_dir(w.mirror.path());
    let other = gorig_test::fake_toolchain("go1.22.4", "amd64");
    server.fault(&format!("/{FILE}"), Fault::Body(other));
    let err = fetch(&w, &[http(&server)], &w.digest, &Log::default()).expect_err("tampered");
    assert!(matches!(err, FetchError::ChecksumMismatch { .. }), "{err}");
}

#[test]
fn garbage_is_a_mismatch_not_a_parse_error() {
    let w = world();
    let server = MockServer::serve_dir(w.mirror.path());
    server.fault(&format!("/{FILE}"), Fault::Body(vec![0x42; 4096]));
    let err = fetch(&w, &[http(&server)], &w.digest, &Log::default()).expect_err("garbage");
    assert!(matches!(err, FetchError::ChecksumMismatch { .. }), "{err}");
}

#[test]
fn a_damaged_cache_entry_is_removed_and_downloaded_again() {
    let w = world();
    let server = MockServer::serve_dir(w.mirror.path());
    let log = Log::default();
    fetch(&w, &[http(&server)], &w.digest, &log).expect("first install");
    std::fs::write(w.cache.path_of(FILE), b"rotten").expect("damage");
    std::fs::remove_dir_all(&w.staging).expect("clean");
    std::fs::create_dir(&w.staging).expect("staging");
    let again = fetch(&w, &[http(&server)], &w.digest, &log).expect("re-download");
    assert!(!again.from_cache);
    let lines = log.0.lock().expect("log").clone();
    assert!(
        lines.iter().any(|l| l.contains("was damaged")),
        "{lines:#?}"
    );
    assert_eq!(w.cache.lookup(FILE, &w.digest), Some(w.cache.path_of(FILE)));
}

#[test]
fn file_urls_and_plain_directories_are_mirrors() {
    for form in ["file://", ""] {
        let w = world();
        let mirror =
            Mirror::parse(&format!("{form}{}", w.mirror.path().display())).expect("mirror");
        let unpacked = fetch(&w, &[mirror], &w.digest, &Log::default()).expect("installs");
        assert_eq!(unpacked.sha256, w.digest);
    }
}

#[test]
fn offline_uses_only_the_cache() {
    let w = world();
    let client = client();
    let log = Log::default();
    let offline = Fetcher {
        client: &client,
        cache: &w.cache,
        reporter: &log,
        options: UnpackOptions {
            offline: true,
            ..UnpackOptions::default()
        },
        signatures: None,
    };
    let dir = Mirror::parse(&w.mirror.path().display().to_string()).expect("mirror");
    let err = offline
        .unpack(&artifact(&w.digest), std::slice::from_ref(&dir), &w.staging)
        .expect_err("not cached");
    assert!(matches!(err, FetchError::NotCached { .. }), "{err}");
    fetch(&w, std::slice::from_ref(&dir), &w.digest, &log).expect("online install");
    std::fs::remove_dir_all(&w.staging).expect("clean");
    std::fs::create_dir(&w.staging).expect("staging");
    let unpacked = offline
        .unpack(&artifact(&w.digest), &[dir], &w.staging)
        .expect("offline from cache");
    assert!(unpacked.from_cache);
}

#[test]
fn a_disk_error_is_not_a_network_error() {
    let w = world();
    let server = MockServer::serve_dir(w.mirror.path());
    let second = MockServer::serve_dir(w.mirror.path());
    std::fs::remove_dir(&w.staging).expect("rm");
    std::fs::write(&w.staging, b"not a directory").expect("file");
    let err = fetch(
        &w,
        &[http(&server), http(&second)],
        &w.digest,
        &Log::default(),
    )
    .expect_err("cannot write");
    assert!(!err.try_next_mirror());
    assert!(second.requests().is_empty());
    assert!(err.to_string().contains("could not write"), "{err}");
}

fn policy(ttl: u64, offline: bool, now: SystemTime) -> IndexPolicy {
    IndexPolicy {
        ttl: Duration::from_secs(ttl),
        offline,
        refresh: false,
        now,
        retry: quick_retries(2),
    }
}

#[test]
fn the_index_comes_from_the_dynamic_url_or_the_static_file() {
    let w = world();
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = IndexCache::new(tmp.path());
    let client = client();
    let dynamic = MockServer::serve_dir(w.mirror.path()).with_dynamic_index();
    let sources = http(&dynamic).index_locations();
    let loaded = load_index(
        &client,
        &sources,
        &cache,
        policy(60, false, SystemTime::now()),
        &Log::default(),
    )
    .expect("dynamic index");
    assert_eq!(loaded.index.releases().len(), 1);
    assert_eq!(dynamic.requests(), ["/?mode=json&include=all"]);

    let fixed = MockServer::serve_dir(w.mirror.path());
    let sources = http(&fixed).index_locations();
    let loaded = load_index(
        &client,
        &sources,
        &cache,
        policy(60, false, SystemTime::now()),
        &Log::default(),
    )
    .expect("static index");
    assert_eq!(
        loaded.origin,
        IndexOrigin::Network(format!("{}index.json", fixed.url()))
    );
}

#[test]
fn the_index_cache_is_used_while_fresh_and_when_offline_or_down() {
    let w = world();
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = IndexCache::new(tmp.path());
    let client = client();
    let server = MockServer::serve_dir(w.mirror.path());
    let sources = vec![Location::Http(format!("{}index.json", server.url()))];
    let now = SystemTime::now();
    load_index(
        &client,
        &sources,
        &cache,
        policy(60, false, now),
        &Log::default(),
    )
    .expect("first");
    assert_eq!(server.requests().len(), 1);
    let fresh = load_index(
        &client,
        &sources,
        &cache,
        policy(60, false, SystemTime::now()),
        &Log::default(),
    )
    .expect("fresh");
    assert!(matches!(
        fresh.origin,
        IndexOrigin::Cache { stale: false, .. }
    ));
    assert_eq!(server.requests().len(), 1, "a fresh cache needs no request");

    // A cache file dated in the future (a clock that was wrong when it was written) is
    // not fresh: its age is unknown, never negative.
    for entry in std::fs::read_dir(tmp.path()).expect("list").flatten() {
        std::fs::File::options()
            .write(true)
            .open(entry.path())
            .and_then(|f| f.set_modified(now + Duration::from_secs(86_400 * 365)))
            .expect("date the cache in the future");
    }
    let future = load_index(
        &client,
        &sources,
        &cache,
        policy(60, false, SystemTime::now()),
        &Log::default(),
    )
    .expect("future-dated");
    assert!(matches!(future.origin, IndexOrigin::Network(_)));
    assert_eq!(
        server.requests().len(),
        2,
        "the future-dated cache was refetched"
    );
    let now = SystemTime::now();

    let later = now + Duration::from_secs(3600);
    let refreshed = load_index(
        &client,
        &sources,
        &cache,
        policy(60, false, later),
        &Log::default(),
    )
    .expect("refresh");
    assert!(matches!(refreshed.origin, IndexOrigin::Network(_)));

    server.fault("/index.json", Fault::Status(500));
    let log = Log::default();
    let much_later = later + Duration::from_secs(7200);
    let stale = load_index(
        &client,
        &sources,
        &cache,
        policy(60, false, much_later),
        &log,
    )
    .expect("stale fallback");
    assert!(matches!(
        stale.origin,
        IndexOrigin::Cache { stale: true, .. }
    ));
    let lines = log.0.lock().expect("log").clone();
    assert!(
        lines.iter().any(|l| l.contains("using the copy cached")),
        "{lines:#?}"
    );
    // The index gets the retry policy of every request: a 5xx is asked again first.
    assert_eq!(
        lines.iter().filter(|l| l.contains("retrying in")).count(),
        2,
        "{lines:#?}"
    );

    let offline = load_index(
        &client,
        &sources,
        &cache,
        policy(60, true, much_later),
        &Log::default(),
    )
    .expect("offline");
    assert!(matches!(offline.origin, IndexOrigin::Cache { .. }));
    let empty = IndexCache::new(tmp.path().join("empty"));
    let err = load_index(
        &client,
        &sources,
        &empty,
        policy(60, true, now),
        &Log::default(),
    )
    .expect_err("offline without cache");
    assert!(matches!(err, FetchError::NotCached { .. }));
}

#[test]
fn a_broken_index_names_its_url() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(
        tmp.path().join("index.json"),
        br#"[{"version": "go1.22.5"}]"#,
    )
    .expect("write");
    let cache = IndexCache::new(tmp.path().join("cache"));
    let sources = vec![Location::File(tmp.path().join("index.json"))];
    let err = load_index(
        &client(),
        &sources,
        &cache,
        policy(0, false, SystemTime::now()),
        &Log::default(),
    )
    .expect_err("broken");
    let text = err.to_string();
    assert!(
        text.contains(&tmp.path().join("index.json").display().to_string()),
        "{text}"
    );
    assert!(text.contains("missing field"), "{text}");
}

#[test]
fn a_dropped_download_resumes_with_a_range_request() {
    let w = world();
    let server = MockServer::serve_dir(w.mirror.path());
    server.fault_times(&format!("/{FILE}"), Fault::DropAfter(100_000), 1);
    let log = Log::default();
    let unpacked = fetch(&w, &[http(&server)], &w.digest, &log).expect("resumes");
    assert_eq!(unpacked.sha256, w.digest);
    assert_eq!(server.ranges(), ["bytes=100000-"]);
    let warnings = log.lines("warn");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("after 100000 bytes; retrying in"),
        "{}",
        warnings[0]
    );
    assert!(log.lines("failed").is_empty());
    assert!(w.staging.join("bin/go").is_file());
}

#[test]
fn a_server_without_ranges_is_read_again_from_the_start() {
    let w = world();
    let server = MockServer::serve_dir(w.mirror.path()).without_ranges();
    server.fault_times(&format!("/{FILE}"), Fault::DropAfter(70_000), 1);
    let log = Log::default();
    let unpacked = fetch(&w, &[http(&server)], &w.digest, &log).expect("restarts");
    assert_eq!(unpacked.sha256, w.digest);
    let gets = server
        .requests()
        .iter()
        .filter(|r| r.ends_with(FILE))
        .count();
    assert_eq!(gets, 2, "one drop, one full restart");
    assert!(w.staging.join("bin/go").is_file());
}

#[test]
fn retries_are_bounded_then_the_next_mirror_is_tried() {
    let w = world();
    let flaky = MockServer::serve_dir(w.mirror.path());
    flaky.fault(&format!("/{FILE}"), Fault::DropAfter(50_000));
    let good = MockServer::serve_dir(w.mirror.path());
    let log = Log::default();
    let unpacked = fetch_with(
        &w,
        &[http(&flaky), http(&good)],
        &w.digest,
        &log,
        quick_retries(2),
    )
    .expect("the second mirror works");
    assert_eq!(unpacked.source, format!("{}{FILE}", good.url()));
    let warnings = log.lines("warn");
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(warnings[0].contains("(retry 1 of 2)"), "{}", warnings[0]);
    assert!(warnings[1].contains("(retry 2 of 2)"), "{}", warnings[1]);
    assert_eq!(log.lines("failed").len(), 1);
    let waits: Vec<f64> = warnings
        .iter()
        .map(|w| {
            let after = w.split("retrying in ").nth(1).expect("a wait");
            after
                .split(' ')
                .next()
                .expect("milliseconds")
                .parse::<f64>()
                .expect("number")
                / 1000.0
        })
        .collect();
    assert!(waits.iter().all(|w| *w < 1.0), "{waits:?}");
}

#[test]
fn a_trickling_server_is_abandoned_for_the_next_mirror() {
    let w = world();
    let trickle = MockServer::serve_dir(w.mirror.path());
    trickle.fault(
        &format!("/{FILE}"),
        Fault::Trickle {
            bytes: 200,
            every: Duration::from_millis(50),
        },
    );
    let good = MockServer::serve_dir(w.mirror.path());
    let log = Log::default();
    let persistence = Persistence {
        low_speed_limit: 50_000,
        low_speed_time: Duration::from_secs(1),
        ..quick_retries(1)
    };
    let unpacked = fetch_with(
        &w,
        &[http(&trickle), http(&good)],
        &w.digest,
        &log,
        persistence,
    )
    .expect("the second mirror works");
    assert_eq!(unpacked.source, format!("{}{FILE}", good.url()));
    let failed = log.lines("failed");
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(failed[0].contains("too slow"), "{}", failed[0]);
}

#[test]
fn a_server_error_is_asked_again_with_backoff_before_moving_on() {
    let w = world();
    let server = MockServer::serve_dir(w.mirror.path());
    server.fault_times(&format!("/{FILE}"), Fault::Status(503), 2);
    let log = Log::default();
    let unpacked =
        fetch_with(&w, &[http(&server)], &w.digest, &log, quick_retries(3)).expect("third time");
    assert_eq!(unpacked.sha256, w.digest);
    let warnings = log.lines("warn");
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(
        warnings[0].contains("HTTP 503; retrying in"),
        "{}",
        warnings[0]
    );
    assert!(warnings[1].contains("(retry 2 of 3)"), "{}", warnings[1]);
    // A missing file is not retried: the next mirror is the better bet.
    let missing = MockServer::serve_dir(w.mirror.path());
    missing.fault(&format!("/{FILE}"), Fault::Status(404));
    let good = MockServer::serve_dir(w.mirror.path());
    std::fs::remove_dir_all(&w.staging).expect("clean");
    std::fs::create_dir(&w.staging).expect("staging");
    w.cache.remove(FILE);
    let log = Log::default();
    fetch_with(
        &w,
        &[http(&missing), http(&good)],
        &w.digest,
        &log,
        quick_retries(3),
    )
    .expect("the second mirror");
    assert!(log.lines("warn").is_empty());
    let asked = missing
        .requests()
        .iter()
        .filter(|r| r.ends_with(FILE))
        .count();
    assert_eq!(asked, 1);
}

#[test]
fn a_gzip_bomb_after_the_tar_end_is_cut_off_not_inflated() {
    use std::io::{Read, Write};
    let w = world();
    // The fake toolchain's tar stream, then 80 MiB of zeros inside the same gzip member:
    // 80 KiB compressed, far more than the stream may hold with a 4 MiB limit.
    let gz = std::fs::read(w.mirror.path().join(FILE)).expect("archive");
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut tar)
        .expect("inflate");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    encoder.write_all(&tar).expect("tar");
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..80 {
        encoder.write_all(&zeros).expect("zeros");
    }
    let bomb = encoder.finish().expect("gzip");
    assert!(
        bomb.len() < gz.len() + (1 << 20),
        "the bomb is small compressed"
    );
    std::fs::write(w.mirror.path().join(FILE), &bomb).expect("write");
    let digest = gorig_test::sha256_hex(&bomb);

    let client = client();
    let log = Log::default();
    let mut options = UnpackOptions::default();
    options.limits.max_unpacked_bytes = 4 << 20;
    let result = Fetcher {
        client: &client,
        cache: &w.cache,
        reporter: &log,
        options,
        signatures: None,
    }
    .unpack(
        &artifact(&digest),
        &[Mirror::parse(&w.mirror.path().display().to_string()).expect("dir")],
        &w.staging,
    );
    let err = result.expect_err("refused");
    // The error and its causes, as the binary prints them.
    let mut text = err.to_string();
    let mut cause = std::error::Error::source(&err);
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    assert!(
        text.contains("bytes unpacked") && text.contains("GORIG_MAX_UNPACKED"),
        "{text}"
    );
    // The same archive is fine with room for it: the bound is on the stream, not a guess.
    std::fs::remove_dir_all(&w.staging).expect("clean");
    std::fs::create_dir(&w.staging).expect("staging");
    let mut roomy = UnpackOptions::default();
    roomy.limits.max_unpacked_bytes = 200 << 20;
    Fetcher {
        client: &client,
        cache: &w.cache,
        reporter: &log,
        options: roomy,
        signatures: None,
    }
    .unpack(
        &artifact(&digest),
        &[Mirror::parse(&w.mirror.path().display().to_string()).expect("dir")],
        &w.staging,
    )
    .expect("within the limit");
}
