//! The `Reporter` trait: how fetching tells the outside world what it is doing.
//!
//! The library never touches a terminal; the binary implements this trait with a progress
//! bar, JSON lines or nothing. Every method has a no-op default so a reporter implements
//! only what it shows.

/// Receives progress and events from fetching and unpacking.
pub trait Reporter: Send + Sync {
    /// A download of `name` from `url` (credentials removed) starts; `total` bytes if known.
    fn download_started(&self, _name: &str, _url: &str, _total: Option<u64>) {}
    /// `bytes` more bytes of the current download were read.
    fn download_progress(&self, _bytes: u64) {}
    /// The current download ended (successfully or not).
    fn download_finished(&self) {}
    /// A source failed; `will_retry` says whether another source comes next.
    fn attempt_failed(&self, _url: &str, _error: &str, _will_retry: bool) {}
    /// Something worth a warning (stale index used, bad cache entry dropped).
    fn warn(&self, _message: &str) {}
}

/// A reporter that shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoReporter;

impl Reporter for NoReporter {}
