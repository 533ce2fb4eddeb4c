//! The binary's [`Reporter`]s: a progress bar (bytes, rate, ETA) on a terminal, plain
//! warnings on a pipe, and JSON lines with `--json`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use gorig_fetch::Reporter;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::printer::Printer;

/// JSON lines emit a progress event every this many bytes.
const JSON_PROGRESS_STEP: u64 = 8 << 20;

/// Progress for people: a bar on a terminal, nothing on a pipe; warnings on stderr.
pub struct TerminalReporter<'p> {
    printer: &'p Printer,
    show_bar: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl<'p> TerminalReporter<'p> {
    pub fn new(printer: &'p Printer, show_bar: bool) -> Self {
        Self {
            printer,
            show_bar,
            bar: Mutex::new(None),
        }
    }

    fn with_bar(&self, f: impl FnOnce(&ProgressBar)) {
        if let Ok(bar) = self.bar.lock()
            && let Some(bar) = bar.as_ref()
        {
            f(bar);
        }
    }

    /// Prints above the bar (or plainly when there is none).
    fn message(&self, text: String) {
        let mut shown = false;
        self.with_bar(|bar| {
            bar.suspend(|| self.printer.warn(&text));
            shown = true;
        });
        if !shown {
            self.printer.warn(&text);
        }
    }
}

impl Reporter for TerminalReporter<'_> {
    fn download_started(&self, name: &str, _url: &str, total: Option<u64>) {
        if !self.show_bar {
            return;
        }
        let bar = match total {
            Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        };
        let template = if total.is_some() {
            "{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}"
        } else {
            "{msg} {spinner} {bytes} {binary_bytes_per_sec}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(name.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn download_progress(&self, bytes: u64) {
        self.with_bar(|bar| bar.inc(bytes));
    }

    fn download_finished(&self) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }

    fn attempt_failed(&self, url: &str, error: &str, will_retry: bool) {
        let _ = url;
        let next = if will_retry {
            "; trying the next mirror"
        } else {
            ""
        };
        self.message(format!("{error}{next}"));
    }

    fn warn(&self, message: &str) {
        self.message(message.to_string());
    }
}

/// Events as JSON lines on stdout, for `--json`.
pub struct JsonReporter<'p> {
    printer: &'p Printer,
    received: AtomicU64,
    reported: AtomicU64,
}

impl<'p> JsonReporter<'p> {
    pub fn new(printer: &'p Printer) -> Self {
        Self {
            printer,
            received: AtomicU64::new(0),
            reported: AtomicU64::new(0),
        }
    }
}

impl Reporter for JsonReporter<'_> {
    fn download_started(&self, name: &str, url: &str, total: Option<u64>) {
        self.received.store(0, Ordering::Relaxed);
        self.reported.store(0, Ordering::Relaxed);
        self.printer.json_line(&json!({
            "event": "download_started", "file": name, "url": url, "size": total,
        }));
    }

    fn download_progress(&self, bytes: u64) {
        let received = self.received.fetch_add(bytes, Ordering::Relaxed) + bytes;
        let reported = self.reported.load(Ordering::Relaxed);
        if received - reported >= JSON_PROGRESS_STEP {
            self.reported.store(received, Ordering::Relaxed);
            self.printer
                .json_line(&json!({"event": "progress", "bytes": received}));
        }
    }

    fn download_finished(&self) {
        self.printer.json_line(&json!({
            "event": "download_finished", "bytes": self.received.load(Ordering::Relaxed),
        }));
    }

    fn attempt_failed(&self, url: &str, error: &str, will_retry: bool) {
        self.printer.json_line(&json!({
            "event": "attempt_failed", "url": url, "error": error, "next_mirror": will_retry,
        }));
    }

    fn warn(&self, message: &str) {
        self.printer
            .json_line(&json!({"event": "warning", "message": message}));
    }
}
