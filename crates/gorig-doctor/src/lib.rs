//! The doctor's judgement: what on a host will break Go builds, tests and services.
//!
//! Checks are pure functions over [`HostFacts`] (read by `gorig-host`), the toolchain
//! facts the binary gathers ([`ToolchainFacts`]) and the environment it was given. Each
//! produces one [`Finding`] with a stable id (`GORIG-NET-001`, part of the API), a
//! severity, the evidence it read (file and value), why it matters for Go, and fixes in
//! the form an operator applies (a sysctl.d line, a limits.d line, a systemd directive,
//! an environment variable). A check that finds nothing wrong still reports `ok` with
//! its evidence, so a report shows what was looked at.
//!
//! Thresholds and their sources are in `docs/doctor.md`. [`tune`] turns a profile (service,
//! CI, build) into the same drop-ins `doctor --fix` writes ([`fix`]).

mod checks;
pub mod explain;
pub mod fix;
pub mod render;
mod report;
pub mod tune;

use std::collections::BTreeMap;

use gorig_host::HostFacts;
use gorig_version::GoVersion;
use serde::Serialize;

pub use checks::{CHECKS, Verdict};
pub use report::{HostSummary, Report};

/// How bad a finding is. Ordered: `Ok < Info < Warn < Fail`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Ok,
    Info,
    Warn,
    Fail,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        }
    }
}

/// The groups `--only` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Os,
    Toolchain,
    Build,
    Runtime,
    Limits,
    Network,
    Dns,
    Security,
}

impl Group {
    pub const ALL: [Group; 8] = [
        Group::Os,
        Group::Toolchain,
        Group::Build,
        Group::Runtime,
        Group::Limits,
        Group::Network,
        Group::Dns,
        Group::Security,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Group::Os => "os",
            Group::Toolchain => "toolchain",
            Group::Build => "build",
            Group::Runtime => "runtime",
            Group::Limits => "limits",
            Group::Network => "network",
            Group::Dns => "dns",
            Group::Security => "security",
        }
    }

    pub fn parse(name: &str) -> Option<Group> {
        Group::ALL
            .into_iter()
            .find(|g| g.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// What was read: a file (or command, or variable) and the value found there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub source: String,
    pub value: String,
}

impl Evidence {
    pub fn new(source: impl Into<String>, value: impl Into<String>) -> Evidence {
        Evidence {
            source: source.into(),
            value: value.into(),
        }
    }
}

/// The form of a fix, which says where its text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    /// A line for `/etc/sysctl.d/90-gorig.conf` (`key = value`).
    Sysctl,
    /// A line for `/etc/security/limits.d/90-gorig.conf`.
    Limits,
    /// A directive for the `[Service]` section of a systemd unit.
    Systemd,
    /// An environment variable (`NAME=value`).
    Env,
    /// A command to run.
    Command,
    /// A change to make by hand.
    Manual,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub kind: FixKind,
    pub text: String,
}

impl Fix {
    pub fn new(kind: FixKind, text: impl Into<String>) -> Fix {
        Fix {
            kind,
            text: text.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub group: Group,
    pub severity: Severity,
    /// One line: what was found.
    pub title: String,
    pub evidence: Vec<Evidence>,
    /// Why it matters for Go, one sentence.
    pub why: String,
    pub fix: Vec<Fix>,
}

/// The Go toolchain a project or the host would use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectedToolchain {
    pub version: GoVersion,
    /// `go.mod toolchain line at /src/app/go.mod`, `default (gorig use)`.
    pub reason: String,
    pub installed: bool,
    pub goroot: Option<String>,
}

/// A `KEY=value` file of Go settings (`$GOROOT/go.env`, the user's `go env -w` file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoEnvFile {
    pub path: String,
    pub values: BTreeMap<String, String>,
}

impl GoEnvFile {
    pub fn parse(path: &str, text: &str) -> GoEnvFile {
        let values = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        GoEnvFile {
            path: path.to_string(),
            values,
        }
    }
}

/// A go.mod, go.work or pin file that cannot be read as Go reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenPin {
    /// The file (or `GORIG_GO_VERSION`).
    pub place: String,
    /// 1-based, when the problem is on one line.
    pub line: Option<usize>,
    pub hint: String,
}

/// What the binary learned about Go toolchains on this host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ToolchainFacts {
    /// False when the host is a tree under `--root`: gorig's store and pins are this
    /// machine's, not the tree's, so the toolchain checks do not judge them.
    pub probed: bool,
    /// The store the facts came from (`$GORIG_HOME`).
    pub store: Option<String>,
    pub installed: Vec<GoVersion>,
    pub selected: Option<SelectedToolchain>,
    /// Why nothing is selected, when nothing is.
    pub selection_problem: Option<String>,
    /// When that is a pin file gorig and go refuse: which file, where, and how to mend it.
    pub broken_pin: Option<BrokenPin>,
    /// `$GOROOT/go.env` of the selected toolchain; `None` when it has none.
    pub goroot_env: Option<GoEnvFile>,
    /// The user's `go env -w` file, when it exists.
    pub user_env: Option<GoEnvFile>,
    /// `go env -json` of the selected toolchain, when it could be run.
    pub go_env: Option<BTreeMap<String, String>>,
    pub go_env_error: Option<String>,
}

/// Everything a check may look at.
pub struct Context<'a> {
    pub host: &'a HostFacts,
    pub toolchain: &'a ToolchainFacts,
    /// The environment gorig was started with (or the one the checks should assume).
    pub env: &'a BTreeMap<String, String>,
}

impl Context<'_> {
    /// An environment variable, when set (even to the empty string).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env.get(name).map(String::as_str)
    }

    /// A Go setting as `go` sees it: environment, then `go env -json`, then the user's
    /// env file, then `$GOROOT/go.env`. Empty values count as unset.
    pub fn go_setting(&self, name: &str) -> Option<(String, String)> {
        if let Some(v) = self.var(name).filter(|v| !v.is_empty()) {
            return Some((format!("${name}"), v.to_string()));
        }
        if let Some(env) = &self.toolchain.go_env
            && let Some(v) = env.get(name).filter(|v| !v.is_empty())
        {
            return Some((format!("go env {name}"), v.clone()));
        }
        for file in [&self.toolchain.user_env, &self.toolchain.goroot_env]
            .into_iter()
            .flatten()
        {
            if let Some(v) = file.values.get(name).filter(|v| !v.is_empty()) {
                return Some((file.path.clone(), v.clone()));
            }
        }
        None
    }

    /// The Go version the checks judge for: the selected toolchain's.
    pub fn go_version(&self) -> Option<&GoVersion> {
        self.toolchain.selected.as_ref().map(|s| &s.version)
    }
}

/// Which checks to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only these groups (empty: all).
    pub only: Vec<Group>,
    /// Finding ids to leave out.
    pub skip: Vec<String>,
}

/// Runs the selected checks.
pub fn run(context: &Context, selection: &Selection) -> Vec<Finding> {
    CHECKS
        .iter()
        .filter(|check| selection.only.is_empty() || selection.only.contains(&check.group))
        .filter(|check| {
            !selection
                .skip
                .iter()
                .any(|s| s.eq_ignore_ascii_case(check.id))
        })
        .map(|check| {
            let verdict = (check.run)(context);
            Finding {
                id: check.id,
                group: check.group,
                severity: verdict.severity,
                title: verdict.title,
                evidence: verdict.evidence,
                why: verdict.why,
                fix: verdict.fix,
            }
        })
        .collect()
}

/// Counts per severity and the worst one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Summary {
    pub ok: usize,
    pub info: usize,
    pub warn: usize,
    pub fail: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            match finding.severity {
                Severity::Ok => summary.ok += 1,
                Severity::Info => summary.info += 1,
                Severity::Warn => summary.warn += 1,
                Severity::Fail => summary.fail += 1,
            }
        }
        summary
    }

    pub fn worst(&self) -> Severity {
        if self.fail > 0 {
            Severity::Fail
        } else if self.warn > 0 {
            Severity::Warn
        } else if self.info > 0 {
            Severity::Info
        } else {
            Severity::Ok
        }
    }
}

/// A check's registration: its id, group and function.
pub struct Check {
    pub id: &'static str,
    pub group: Group,
    /// What it looks at, for `gorig doctor --list`.
    pub about: &'static str,
    pub run: fn(&Context) -> checks::Verdict,
}

/// Formats a byte count as `512 MiB`, `1.5 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 || (value - value.round()).abs() < 0.05 {
        format!("{:.0} {}", value.round(), UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

pub use gorig_render::unit::parse_go_bytes;

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests;
