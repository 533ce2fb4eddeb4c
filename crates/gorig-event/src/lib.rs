//! What gorig's libraries tell the outside world while they work, as data.
//!
//! A library never formats a sentence for a person: it reports an [`Event`] to a
//! [`Reporter`], and the binary decides how it looks (a progress bar and warnings on a
//! terminal, JSON lines with `--json`, later syslog). Each download has a [`DownloadId`],
//! so several at once (mirror sync) can be told apart. Errors inside events are the
//! error's own text (`error`), since their types belong to the crates that raise them.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Tells one download from another within a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct DownloadId(pub u64);

impl DownloadId {
    /// A fresh id, unique within this process.
    pub fn next() -> DownloadId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        DownloadId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Which lock a process waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "version", rename_all = "snake_case")]
pub enum LockScope {
    /// The store lock, held for short changes (publish, default swap, removal).
    Store,
    /// The lock that owns the install of one version.
    Install(String),
}

/// Something a library did or saw. The variants are API: `--json` prints them as JSON
/// lines (`{"event": "<variant in snake_case>", ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A download of `file` from `url` (credentials removed) starts; `size` when known.
    /// `from_cache`: the bytes come from the download cache (`url` is its path), read
    /// and verified in the same pass as a download.
    DownloadStarted {
        id: DownloadId,
        file: String,
        url: String,
        size: Option<u64>,
        from_cache: bool,
    },
    /// `bytes` more bytes of download `id` arrived (not a total).
    Progress { id: DownloadId, bytes: u64 },
    /// Download `id` ended, successfully or not.
    DownloadFinished { id: DownloadId },
    /// A request failed in a way worth another try; the next one starts in `delay_ms`.
    Retrying {
        url: String,
        error: String,
        attempt: u32,
        of: u32,
        delay_ms: u64,
    },
    /// A source (mirror) failed; `next` says whether another source comes next.
    SourceFailed {
        url: String,
        error: String,
        next: bool,
    },
    /// The official sources could not be reached; the install goes through GOPROXY.
    FallingBackToGoproxy { reason: String },
    /// The release index could not be refreshed; the cached copy (`age_secs` old, or of
    /// unknown age when its file is dated in the future) is used.
    IndexStale {
        age_secs: Option<u64>,
        error: String,
    },
    /// Offline: the cached index is used however old it is.
    IndexOffline { age_secs: Option<u64> },
    /// No index could be had; an exact version installs from the download cache,
    /// verified against the SHA-256 recorded when it was downloaded.
    IndexUnavailableUsingCache { file: String },
    /// A file could not be written to a cache (the install goes on without it).
    CacheWriteFailed { what: String, error: String },
    /// A cached file failed verification and was dropped; it is fetched again.
    CacheDamaged { file: String, detail: String },
    /// A signature names a key the keyring lacks: the release keys are refreshed once.
    KeysRefreshing { issuer: String },
    /// The refresh of the release keys failed (the check then reports the unknown key).
    KeysRefreshFailed { error: String },
    /// The stored refreshed keys were ignored.
    KeysStoredIgnored { path: String, error: String },
    /// Digests come from the mirror's `.sha256` files, not the index (the user asked).
    DigestFromMirror,
    /// OpenPGP signature checks are off (the user asked).
    SignaturesOff,
    /// The archive matched its SHA-256 (and its signature, when `signed_by` is given).
    Verified {
        file: String,
        sha256: String,
        signed_by: Option<String>,
    },
    /// What an interrupted run left in staging was removed.
    Swept { dir: String, names: Vec<String> },
    /// Another process holds a lock this one waits for.
    Waiting {
        scope: LockScope,
        path: String,
        pid: Option<u32>,
    },
    /// A version was published into the store (`replaced`: over an installed tree).
    Published {
        version: String,
        path: String,
        replaced: bool,
    },
    /// A pinned version is being installed on first use (shim, exec, hook, verify).
    AutoInstalling { version: String, reason: String },
    /// A step of `verify` (`command`, e.g. `go vet ./...`) started.
    StepStarted { command: String },
    /// A line the running step printed (stdout or stderr), as it came.
    StepOutput { line: String },
    /// The step ended: `status` is `pass`, `fail` or `skipped`; `millis` it took.
    StepFinished {
        command: String,
        status: String,
        millis: u64,
    },
}

/// Receives events. Implementations must be cheap for [`Event::Progress`], which comes
/// for every chunk read.
pub trait Reporter: Send + Sync {
    fn report(&self, event: Event);
}

/// A reporter that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoReporter;

impl Reporter for NoReporter {
    fn report(&self, _event: Event) {}
}

/// Keeps every event, for tests.
#[derive(Debug, Default)]
pub struct Recorder(pub std::sync::Mutex<Vec<Event>>);

impl Recorder {
    /// The events reported so far, progress left out.
    pub fn events(&self) -> Vec<Event> {
        self.0
            .lock()
            .map(|events| {
                events
                    .iter()
                    .filter(|e| !matches!(e, Event::Progress { .. }))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Reporter for Recorder {
    fn report(&self, event: Event) {
        if let Ok(mut events) = self.0.lock() {
            events.push(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_json_lines_named_by_their_variant() {
        let line = serde_json::to_value(Event::Retrying {
            url: "https://m/x".into(),
            error: "HTTP 503".into(),
            attempt: 1,
            of: 3,
            delay_ms: 500,
        })
        .expect("json");
        assert_eq!(line["event"], "retrying");
        assert_eq!(line["attempt"], 1);
        let waiting = serde_json::to_value(Event::Waiting {
            scope: LockScope::Install("go1.22.5".into()),
            path: "/s/locks/go1.22.5.lock".into(),
            pid: Some(7),
        })
        .expect("json");
        assert_eq!(waiting["scope"]["kind"], "install");
        assert_eq!(waiting["scope"]["version"], "go1.22.5");
        let a = DownloadId::next();
        assert_ne!(a, DownloadId::next());
    }
}
