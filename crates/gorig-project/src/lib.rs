//! Which Go version a directory asks for, and which installed toolchain answers it, by
//! the go command's own rules (`cmd/go/internal/toolchain/select.go`,
//! `modload.FindGoWork`/`FindGoMod`, `gover.GoModLookup`, `x/mod/modfile`).
//!
//! The pin is found by walking up from the working directory: `GORIG_GO_VERSION` first;
//! then, as the go command does, the first `go.work` above (unless `GOWORK` is `off` or
//! names one), else the first `go.mod` above, decides, even when it has no `go` or
//! `toolchain` line (then the default runs). gorig's own pin files, `.go-version` and
//! `.tool-versions`, count when they are nearer than any `go.mod`.
//!
//! In a go.mod or go.work, Go reads the first `go` and `toolchain` lines and takes the
//! higher: a `toolchain` line older than the `go` line never wins; `toolchain default`
//! means the default toolchain whatever the `go` line says; a `go` line Go cannot read as
//! a version (`go 1.30.0rc1`) is passed over. Two choices of ours differ from Go, on
//! purpose, and are documented in the README: a toolchain line pins exactly even when the
//! default is newer (Go would run the newer default), and a go line is met by the newest
//! installed toolchain before its first release is downloaded.
//!
//! The parsers work on `&str` ([`parse`]: [`directives`], [`go_version_file`],
//! [`tool_versions`]) apart from the walk ([`walk`]: [`find_pin`]); [`choose`] answers a
//! pin from a list of installed versions, and [`select`] from a store. Parsing is by hand: each format is a few
//! line-oriented directives, they are read on every shim call, and only the `go` and
//! `toolchain` directives matter here; the rules are checked against the real go
//! command by the differential tests.

pub mod choose;
pub mod parse;
pub mod select;
pub mod walk;

pub use choose::{Choice, choose};
pub use parse::{
    DirectiveError, DirectiveLine, directives, go_file_requirement, go_version_file, lookup,
    tool_versions,
};
pub use select::{ProjectEnv, Selected, Unselected, logical_cwd, pin_for, select, select_for_pin};
pub use walk::{Lookup, PIN_FILES, find_pin, pin_inputs};

use std::fmt;
use std::path::PathBuf;

use gorig_version::{GoVersion, VersionRequest};

/// Where a pin was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinSource {
    Environment,
    GoWorkToolchain,
    GoWorkGo,
    /// A go.work whose lines leave the choice to the default.
    GoWorkDefault,
    GoModToolchain,
    GoModGo,
    /// A go.mod whose lines leave the choice to the default.
    GoModDefault,
    GoVersionFile,
    ToolVersions,
}

impl PinSource {
    /// A stable name for JSON.
    pub fn name(self) -> &'static str {
        match self {
            PinSource::Environment => "env",
            PinSource::GoWorkToolchain => "go.work-toolchain",
            PinSource::GoWorkGo => "go.work-go",
            PinSource::GoWorkDefault => "go.work-default",
            PinSource::GoModToolchain => "go.mod-toolchain",
            PinSource::GoModGo => "go.mod-go",
            PinSource::GoModDefault => "go.mod-default",
            PinSource::GoVersionFile => ".go-version",
            PinSource::ToolVersions => ".tool-versions",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            PinSource::Environment => "GORIG_GO_VERSION",
            PinSource::GoWorkToolchain => "go.work toolchain line",
            PinSource::GoWorkGo => "go.work go line",
            PinSource::GoWorkDefault => "go.work",
            PinSource::GoModToolchain => "go.mod toolchain line",
            PinSource::GoModGo => "go.mod go line",
            PinSource::GoModDefault => "go.mod",
            PinSource::GoVersionFile => ".go-version",
            PinSource::ToolVersions => ".tool-versions",
        }
    }
}

/// What a pin asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// This version, or (for a series like `1.22`) the newest installed one in it.
    Request(VersionRequest),
    /// A toolchain line naming a release: exactly that release.
    Toolchain(GoVersion),
    /// A go line: this version as Go compares it (`go1.22` is met by go1.22rc1 and
    /// every later release); when nothing installed meets it, its first release
    /// ([`GoVersion::first_release`]) is the one to install.
    AtLeast(GoVersion),
    /// `toolchain default`, or a go.mod/go.work with no line that selects: the default.
    Default,
}

/// A pin and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub source: PinSource,
    /// The file (none for the environment).
    pub path: Option<PathBuf>,
    pub requirement: Requirement,
    /// Why a go.mod or go.work leaves the choice to the default.
    pub note: Option<String>,
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{} at {}", self.source.describe(), path.display())?,
            None => f.write_str(self.source.describe())?,
        }
        if let Some(note) = &self.note {
            write!(f, ", {note}")?;
        }
        Ok(())
    }
}

/// A pin that cannot be acted on; the messages follow the go command's where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// `.go-version`, `.tool-versions` or `GORIG_GO_VERSION` names no Go version.
    #[error("{place}: `{text}` is not a Go version ({why})")]
    NotAVersion {
        place: String,
        text: String,
        why: String,
    },
    /// A go.mod or go.work line the go command refuses.
    #[error("{path}:{line}: {message}")]
    Directive {
        path: String,
        line: usize,
        message: String,
        hint: String,
    },
    /// `GOWORK` is neither `off`, `auto`, empty nor an absolute path.
    #[error("invalid GOWORK: not an absolute path (GOWORK={value})")]
    RelativeGowork { value: String },
    /// A go.mod or go.work that exists but cannot be read.
    #[error("could not read {path}: {why}")]
    Unreadable { path: String, why: String },
}

impl PinError {
    /// What to do about it.
    pub fn hint(&self) -> String {
        match self {
            PinError::NotAVersion { .. } => {
                "pins look like `1.22.5`, `1.22` or `go1.22.5`; fix or remove the file".into()
            }
            PinError::Directive { hint, .. } => hint.clone(),
            PinError::RelativeGowork { .. } => {
                "set GOWORK to the absolute path of a go.work file, to `off`, or unset it".into()
            }
            PinError::Unreadable { .. } => "fix the file's permissions, or remove it".into(),
        }
    }
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests;
