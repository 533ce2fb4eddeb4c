//! How the libraries' [`Event`]s look: on a terminal, a bar per download and a spinner
//! with the last output lines of a running `verify` step (lines from [`crate::progress`],
//! cleared on Ctrl-C by [`crate::interrupt`]) and warnings above them; plain warnings on
//! a pipe; and JSON lines with `--json` (the event's own fields, plus `message` for those
//! that are warnings). The English lives here only.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use gorig_event::{DownloadId, Event, LockScope, Reporter};
use gorig_fetch::human_duration;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::printer::Printer;
use crate::progress;

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
        | Event::Published { .. }
        | Event::StepStarted { .. }
        | Event::StepOutput { .. }
        | Event::StepFinished { .. } => return None,
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
        Event::FallingBackToGoproxy { reason } => (
            Level::Warning,
            format!(
                "the official sources could not be reached ({reason}); installing through GOPROXY, verified by the checksum database"
            ),
        ),
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

/// The terminal's width now (it may have been resized since the last frame).
fn terminal_width() -> Option<u16> {
    rustix::termios::tcgetwinsize(std::io::stderr())
        .ok()
        .map(|size| size.ws_col)
        .filter(|cols| *cols > 0)
}

/// stderr as indicatif's terminal. indicatif pads every line to the width it is told and
/// counts rows by it; told 80 on a terminal that does not say its size (console's
/// default) and is in fact narrower, each frame wraps and the redraw climbs one row too
/// few. This one says [`progress::UNKNOWN_WIDTH`] then, the width our lines are cut to.
/// Bytes of a frame not yet written; global so that the interrupt handler can flush a
/// clear that indicatif left in it.
static PENDING: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Adds `bytes` to what the next flush writes, before indicatif's own.
pub fn queue_progress(bytes: &[u8]) {
    if let Ok(mut pending) = PENDING.lock() {
        pending.extend_from_slice(bytes);
    }
}

/// Writes what indicatif has drawn (or cleared) and not yet flushed.
pub fn flush_progress() -> std::io::Result<()> {
    use std::io::Write;
    let bytes = std::mem::take(
        &mut *PENDING
            .lock()
            .map_err(|_| std::io::Error::other("progress buffer poisoned"))?,
    );
    let mut err = std::io::stderr().lock();
    err.write_all(&bytes)?;
    err.flush()
}

#[derive(Debug, Default)]
struct Stderr;

impl Stderr {
    fn put(&self, bytes: &[u8]) -> std::io::Result<()> {
        PENDING
            .lock()
            .map_err(|_| std::io::Error::other("progress buffer poisoned"))?
            .extend_from_slice(bytes);
        Ok(())
    }

    fn cursor(&self, n: usize, code: char) -> std::io::Result<()> {
        match n {
            0 => Ok(()),
            n => self.put(format!("\x1b[{n}{code}").as_bytes()),
        }
    }
}

impl indicatif::TermLike for Stderr {
    fn width(&self) -> u16 {
        terminal_width().unwrap_or(progress::UNKNOWN_WIDTH as u16)
    }

    fn height(&self) -> u16 {
        rustix::termios::tcgetwinsize(std::io::stderr())
            .ok()
            .map(|size| size.ws_row)
            .filter(|rows| *rows > 0)
            .unwrap_or(24)
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'A')
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'B')
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'C')
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'D')
    }

    fn write_line(&self, line: &str) -> std::io::Result<()> {
        self.put(line.as_bytes())?;
        self.put(b"\n")
    }

    fn write_str(&self, text: &str) -> std::io::Result<()> {
        self.put(text.as_bytes())
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.put(b"\r\x1b[2K")
    }

    fn flush(&self) -> std::io::Result<()> {
        flush_progress()
    }
}

/// A style whose whole frame is `line`, drawn by our own fitting code.
fn frame_style(
    line: impl Fn(&ProgressState, &mut dyn std::fmt::Write) + Send + Sync + Clone + 'static,
) -> Option<ProgressStyle> {
    Some(
        ProgressStyle::with_template("{frame}")
            .ok()?
            .with_key("frame", line),
    )
}

/// The step running now, and the last lines it printed.
struct RunningStep {
    bar: ProgressBar,
    tail: Arc<Mutex<VecDeque<String>>>,
}

/// Progress for people: bars and spinners on a terminal, nothing on a pipe; the other
/// events as lines on stderr.
pub struct TerminalReporter<'p> {
    printer: &'p Printer,
    show_bar: bool,
    /// Everything drawn, made on the first bar.
    screen: OnceLock<MultiProgress>,
    bars: Mutex<HashMap<DownloadId, ProgressBar>>,
    step: Mutex<Option<RunningStep>>,
}

impl<'p> TerminalReporter<'p> {
    pub fn new(printer: &'p Printer, show_bar: bool) -> Self {
        Self {
            printer,
            show_bar,
            screen: OnceLock::new(),
            bars: Mutex::new(HashMap::new()),
            step: Mutex::new(None),
        }
    }

    fn screen(&self) -> &MultiProgress {
        self.screen.get_or_init(|| {
            let screen = MultiProgress::with_draw_target(ProgressDrawTarget::term_like_with_hz(
                Box::new(Stderr),
                20,
            ));
            crate::interrupt::clear_on_signal(&screen);
            screen
        })
    }

    /// Runs `print` with the bars out of the way, so its lines stay above them.
    pub fn above_bars(&self, print: impl FnOnce()) {
        match self.screen.get() {
            Some(screen) => screen.suspend(print),
            None => print(),
        }
    }

    fn message(&self, level: Level, text: &str) {
        self.above_bars(|| say(self.printer, level, text));
    }

    fn start_bar(&self, id: DownloadId, file: &str, size: Option<u64>) {
        let bar = match size {
            Some(size) => ProgressBar::new(size),
            None => ProgressBar::no_length(),
        };
        let file: Arc<str> = file.into();
        if let Some(style) = frame_style(move |state, out| {
            let line = progress::download_line(
                &progress::Download {
                    file: &file,
                    received: state.pos(),
                    total: state.len(),
                    elapsed: state.elapsed(),
                },
                terminal_width(),
            );
            let _ = out.write_str(&line);
        }) {
            bar.set_style(style);
        }
        let bar = self.screen().add(bar);
        crate::interrupt::drawn();
        // Ticks keep the rate and time left true while the bytes stall.
        bar.enable_steady_tick(Duration::from_millis(250));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(id, bar);
        }
    }

    fn start_step(&self, command: &str) {
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let bar = ProgressBar::new_spinner();
        let (command, lines): (Arc<str>, _) = (command.into(), Arc::clone(&tail));
        if let Some(style) = frame_style(move |state, out| {
            let shown: Vec<String> = lines
                .lock()
                .map(|l: std::sync::MutexGuard<'_, VecDeque<String>>| l.iter().cloned().collect())
                .unwrap_or_default();
            let elapsed = state.elapsed();
            let tick = elapsed.as_millis() as u64 / 150;
            let _ = out.write_str(&progress::step_lines(
                &command,
                elapsed,
                &shown,
                tick,
                terminal_width(),
            ));
        }) {
            bar.set_style(style);
        }
        let bar = self.screen().add(bar);
        crate::interrupt::drawn();
        bar.enable_steady_tick(Duration::from_millis(150));
        if let Ok(mut step) = self.step.lock() {
            *step = Some(RunningStep { bar, tail });
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
                    crate::interrupt::cleared();
                }
            }
            Event::StepStarted { command } => {
                if self.show_bar {
                    self.start_step(command);
                }
            }
            Event::StepOutput { line } => {
                if let Ok(step) = self.step.lock()
                    && let Some(step) = step.as_ref()
                    && let Ok(mut tail) = step.tail.lock()
                {
                    if tail.len() == progress::STEP_TAIL_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(line.clone());
                }
            }
            Event::StepFinished { .. } => {
                if let Ok(mut step) = self.step.lock()
                    && let Some(step) = step.take()
                {
                    step.bar.finish_and_clear();
                    crate::interrupt::cleared();
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
