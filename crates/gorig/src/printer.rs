//! Where output goes: the product of a command (a path, a script, a table, JSON) to
//! stdout, status lines to stdout unless `--quiet` or `--json`, warnings and progress to
//! stderr. A closed stdout (`gorig list | head -1`) is not an error.

use std::io::{self, Write};
use std::sync::Mutex;

/// Writes a command's output.
pub struct Printer {
    pub json: bool,
    pub quiet: bool,
    pub color: bool,
    stdout: Mutex<io::Stdout>,
}

impl Printer {
    pub fn new(json: bool, quiet: bool, color: bool) -> Printer {
        Printer {
            json,
            quiet,
            color,
            stdout: Mutex::new(io::stdout()),
        }
    }

    fn write_stdout(&self, text: &str) {
        if let Ok(mut out) = self.stdout.lock() {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }

    /// The command's product, always printed.
    pub fn out(&self, text: impl AsRef<str>) {
        let mut text = text.as_ref().to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        self.write_stdout(&text);
    }

    /// A status line for people; silent with `--json` or `--quiet`.
    pub fn info(&self, text: impl AsRef<str>) {
        if !self.json && !self.quiet {
            self.out(text);
        }
    }

    /// One JSON document on one line.
    pub fn json_line(&self, value: &serde_json::Value) {
        self.out(value.to_string());
    }

    /// A warning on stderr (also with `--json`, where stdout is for machines).
    pub fn warn(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{} {}", self.paint("warning:", "33"), text.as_ref());
        }
    }

    /// A warning that even `--quiet` does not hide (a security check turned off).
    pub fn alarm(&self, text: impl AsRef<str>) {
        eprintln!("{} {}", self.paint("WARNING:", "31"), text.as_ref());
    }

    /// A note on stderr for people (waits, hints after success).
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.quiet && !self.json {
            eprintln!("{}", text.as_ref());
        }
    }

    /// Wraps `text` in an ANSI colour when colour is on.
    pub fn paint(&self, text: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[1;{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}
