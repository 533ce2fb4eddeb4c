//! How the libraries' [`Event`]s look: progress bars (one per download) and warnings on a
//! terminal, plain warnings on a pipe, and JSON lines with `--json` (the event's own
//! fields, plus `message` for those that are warnings). The English lives here only.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use gorig_event::{DownloadId, Event, LockScope, Reporter};
use gorig_fetch::human_duration;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::printer::Printer;

/// JSON lines emit a progress event every this many bytes of a download.
const JSON_PROGRESS_STEP: u64 = 8 << 20;

/// How loud an event is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    /// A line on stderr even with `--quiet` (waits, automatic installs).
    Notice,
    /// `warning:` on stderr, hidden by `--quiet`.
    Warning,
    /// `WARNING:`, never hidden: a security check is off.
    Alarm,
    /// A note for people, hidden by `--quiet` and `--json`.
    Note,
}

fn age(age_secs: Option<u64>) -> String {
    match age_secs {
        Some(secs) => format!("{} ago", human_duration(Duration::from_secs(secs))),
        None => "at an unknown time (its file is dated in the future)".to_string(),
    }
}

/// The sentence an event is shown as, if it is shown as one.
fn describe(event: &Event) -> Option<(Level, String)> {
    Some(match event {
        Event::DownloadStarted { .. }
        | Event::Progress { .. }
        | Event::DownloadFinished { .. }
        | Event::Verified { .. }
        | Event::Published { .. } => return None,
        Event::Retrying {
            url,
            error,
            attempt,
            of,
            delay_ms,
        } => {
            let what = if error.contains(url.as_str()) {
                error.clone()
            } else {
                format!("{url}: {error}")
            };
            (
                Level::Warning,
                format!(
                    "{what}; retrying in {:.1}s (retry {attempt} of {of})",
                    *delay_ms as f64 / 1000.0
                ),
            )
        }
        Event::SourceFailed { error, next, .. } => (
            Level::Warning,
            if *next {
                format!("{error}; trying the next mirror")
            } else {
                error.clone()
            },
        ),
        Event::IndexStale { age_secs, error } => (
            Level::Warning,
            format!(
                "could not refresh the release index ({error}); using the copy cached {}",
                age(*age_secs)
            ),
        ),
        Event::IndexOffline { age_secs } => (
            Level::Note,
            format!("offline: using the release index cached {}", age(*age_secs)),
        ),
        Event::IndexUnavailableUsingCache { file } => (
            Level::Note,
            format!(
                "no release index available; installing {file} from the download cache, verified against the SHA-256 recorded when it was downloaded"
            ),
        ),
        Event::CacheWriteFailed { what, error } => {
            (Level::Warning, format!("could not cache {what}: {error}"))
        }
        Event::CacheDamaged { file, detail } => (
            Level::Warning,
            format!("the cached {file} was damaged ({detail}); removed it and fetching it again"),
        ),
        Event::KeysRefreshing { issuer } => (
            Level::Warning,
            format!(
                "the signature was made by key {issuer}, which the keyring lacks: refreshing the release keys"
            ),
        ),
        Event::KeysRefreshFailed { error } => (
            Level::Warning,
            format!("could not refresh the release keys: {error}"),
        ),
        Event::KeysStoredIgnored { error, .. } => (
            Level::Warning,
            format!("ignoring the stored keys: {error}; run `gorig keys refresh`"),
        ),
        Event::DigestFromMirror => (
            Level::Warning,
            "taking SHA-256 digests from the mirror's .sha256 files, not the release index: this detects damaged downloads, not a mirror serving other bytes".into(),
        ),
        Event::SignaturesOff => (
            Level::Alarm,
            "OpenPGP signature checks are OFF (--no-verify-signature / verify_signature = false): only the SHA-256 from the index protects this install".into(),
        ),
        Event::Swept { dir, names } => (
            Level::Note,
            format!(
                "removed what an interrupted run left in {dir}: {}",
                names.join(", ")
            ),
        ),
        Event::Waiting { scope, path, pid } => {
            let who = pid.map_or("another gorig process".to_string(), |pid| {
                format!("gorig process {pid}")
            });
            let what = match scope {
                LockScope::Store => "the store".to_string(),
                LockScope::Install(version) => format!("the install of {version}"),
            };
            (
                Level::Notice,
                format!("waiting for {who}, which holds {what} ({path})"),
            )
        }
        Event::AutoInstalling { version, reason } => (
            Level::Notice,
            format!("gorig: installing {version} (asked for by {reason})"),
        ),
    })
}

fn say(printer: &Printer, level: Level, text: &str) {
    match level {
        Level::Notice => eprintln!("{text}"),
        Level::Warning => printer.warn(text),
        Level::Alarm => printer.alarm(text),
        Level::Note => printer.note(text),
    }
}

/// Progress for people: a bar per download on a terminal, nothing on a pipe; the other
/// events as lines on stderr.
pub struct TerminalReporter<'p> {
    printer: &'p Printer,
    show_bar: bool,
    bars: Mutex<HashMap<DownloadId, ProgressBar>>,
}

impl<'p> TerminalReporter<'p> {
    pub fn new(printer: &'p Printer, show_bar: bool) -> Self {
        Self {
            printer,
            show_bar,
            bars: Mutex::new(HashMap::new()),
        }
    }

    /// Prints above the bars (or plainly when there are none).
    fn message(&self, level: Level, text: &str) {
        let bars = self.bars.lock().ok();
        match bars.as_ref().and_then(|b| b.values().next()) {
            Some(bar) => bar.suspend(|| say(self.printer, level, text)),
            None => say(self.printer, level, text),
        }
    }

    fn start_bar(&self, id: DownloadId, file: &str, size: Option<u64>) {
        let bar = ProgressBar::with_draw_target(size, ProgressDrawTarget::stderr());
        let template = if size.is_some() {
            "{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}"
        } else {
            "{msg} {spinner} {bytes} {binary_bytes_per_sec}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(file.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(id, bar);
        }
    }
}

impl Reporter for TerminalReporter<'_> {
    fn report(&self, event: Event) {
        match &event {
            Event::DownloadStarted { id, file, size, .. } => {
                if self.show_bar {
                    self.start_bar(*id, file, *size);
                }
            }
            Event::Progress { id, bytes } => {
                if let Ok(bars) = self.bars.lock()
                    && let Some(bar) = bars.get(id)
                {
                    bar.inc(*bytes);
                }
            }
            Event::DownloadFinished { id } => {
                if let Ok(mut bars) = self.bars.lock()
                    && let Some(bar) = bars.remove(id)
                {
                    bar.finish_and_clear();
                }
            }
            // The last source failing ends the download with an error that lists every
            // attempt; a warning before it would say the same line twice.
            Event::SourceFailed { next: false, .. } => {}
            other => {
                if let Some((level, text)) = describe(other) {
                    self.message(level, &text);
                }
            }
        }
    }
}

/// Events as JSON lines on stdout, for `--json`.
pub struct JsonReporter<'p> {
    printer: &'p Printer,
    /// Per download: bytes received, and bytes at the last progress line.
    received: Mutex<HashMap<DownloadId, (u64, u64)>>,
}

impl<'p> JsonReporter<'p> {
    pub fn new(printer: &'p Printer) -> Self {
        Self {
            printer,
            received: Mutex::new(HashMap::new()),
        }
    }
}

impl Reporter for JsonReporter<'_> {
    fn report(&self, event: Event) {
        let mut line = match serde_json::to_value(&event) {
            Ok(line) => line,
            Err(_) => return,
        };
        match &event {
            Event::Progress { id, bytes } => {
                let Ok(mut received) = self.received.lock() else {
                    return;
                };
                let (total, shown) = received.entry(*id).or_default();
                *total += bytes;
                if *total - *shown < JSON_PROGRESS_STEP {
                    return;
                }
                *shown = *total;
                line["bytes"] = (*total).into();
            }
            Event::DownloadFinished { id } => {
                let total = self
                    .received
                    .lock()
                    .ok()
                    .and_then(|mut r| r.remove(id))
                    .map_or(0, |(total, _)| total);
                line["bytes"] = total.into();
            }
            other => {
                if let Some((level, text)) = describe(other) {
                    line["message"] = text.clone().into();
                    // An alarm is also said on stderr, where a person watching sees it.
                    if level == Level::Alarm {
                        self.printer.alarm(&text);
                    }
                }
            }
        }
        self.printer.json_line(&line);
    }
}
