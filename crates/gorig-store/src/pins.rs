//! Which Go version a directory asks for, and which installed toolchain answers it.
//!
//! The pin is found by walking up from the working directory: `GORIG_GO_VERSION` first,
//! then at each directory `go.work`, `go.mod`, `.go-version`, `.tool-versions` (the
//! nearest directory with any pin wins; a `go.mod` inside a workspace defers to the
//! `go.work` above it, as the go command does). A `toolchain` line pins exactly; a `go`
//! line is a minimum (`go 1.22` = go1.22.0 or newer, Go's own reading since 1.21).
//! Parsing is by hand: each format is a few line-oriented directives, and the files are
//! read on every shim call, so no parser crate is worth its start-up cost.

use std::fmt;
use std::path::{Path, PathBuf};

use gorig_version::{GoVersion, VersionRequest};

/// Where a pin was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinSource {
    Environment,
    GoWorkToolchain,
    GoWorkGo,
    GoModToolchain,
    GoModGo,
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
            PinSource::GoModToolchain => "go.mod-toolchain",
            PinSource::GoModGo => "go.mod-go",
            PinSource::GoVersionFile => ".go-version",
            PinSource::ToolVersions => ".tool-versions",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            PinSource::Environment => "GORIG_GO_VERSION",
            PinSource::GoWorkToolchain => "go.work toolchain line",
            PinSource::GoWorkGo => "go.work go line",
            PinSource::GoModToolchain => "go.mod toolchain line",
            PinSource::GoModGo => "go.mod go line",
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
    /// This version or any newer stable one (a `go` line).
    AtLeast(GoVersion),
}

/// A pin and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub source: PinSource,
    /// The file (none for the environment).
    pub path: Option<PathBuf>,
    pub requirement: Requirement,
}

impl fmt::Display for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{} at {}", self.source.describe(), path.display()),
            None => f.write_str(self.source.describe()),
        }
    }
}

/// A pin file that names something that is not a Go version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: `{text}` is not a Go version ({why})")]
pub struct PinError {
    pub path: String,
    pub text: String,
    pub why: String,
}

/// The version the environment or the nearest pin file asks for, if any.
pub fn find_pin(dir: &Path, env_version: Option<&str>) -> Result<Option<Pin>, PinError> {
    find_pin_with(dir, env_version, None)
}

/// [`find_pin`] honouring `GOWORK` as the go command does: `off` ignores go.work files,
/// a path names the one to use.
pub fn find_pin_with(
    dir: &Path,
    env_version: Option<&str>,
    gowork: Option<&str>,
) -> Result<Option<Pin>, PinError> {
    let workspaces = !matches!(gowork, Some("off"));
    if let Some(file) = gowork.filter(|g| *g != "off" && !g.is_empty())
        && env_version.is_none_or(|v| v.trim().is_empty())
    {
        let file = if Path::new(file).is_absolute() {
            PathBuf::from(file)
        } else {
            dir.join(file)
        };
        if let Some(pin) = go_file(&file, true)? {
            return Ok(Some(pin));
        }
    }
    if let Some(text) = env_version.map(str::trim).filter(|t| !t.is_empty()) {
        return Ok(Some(Pin {
            source: PinSource::Environment,
            path: None,
            requirement: Requirement::Request(parse_request("GORIG_GO_VERSION", text)?),
        }));
    }
    let mut current = Some(dir);
    while let Some(here) = current {
        if workspaces && let Some(pin) = go_file(&here.join("go.work"), true)? {
            return Ok(Some(pin));
        }
        if let Some(pin) = go_file(&here.join("go.mod"), false)? {
            // Inside a workspace the go command follows go.work, wherever it is above.
            let mut above = if workspaces { here.parent() } else { None };
            while let Some(dir) = above {
                if let Some(work) = go_file(&dir.join("go.work"), true)? {
                    return Ok(Some(work));
                }
                above = dir.parent();
            }
            return Ok(Some(pin));
        }
        if let Some(pin) = go_version_file(&here.join(".go-version"))? {
            return Ok(Some(pin));
        }
        if let Some(pin) = tool_versions(&here.join(".tool-versions"))? {
            return Ok(Some(pin));
        }
        current = here.parent();
    }
    Ok(None)
}

fn read(path: &Path) -> Option<String> {
    // Pin files are small; a huge or unreadable one is treated as absent.
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

fn parse_request(path: &str, text: &str) -> Result<VersionRequest, PinError> {
    text.parse::<VersionRequest>().map_err(|e| PinError {
        path: path.to_string(),
        text: text.to_string(),
        why: e.reason.to_string(),
    })
}

fn parse_version(path: &Path, text: &str) -> Result<GoVersion, PinError> {
    text.parse::<GoVersion>().map_err(|e| PinError {
        path: path.display().to_string(),
        text: text.to_string(),
        why: e.reason.to_string(),
    })
}

/// A `go.work` or `go.mod`: its `toolchain` line, else its `go` line.
fn go_file(path: &Path, work: bool) -> Result<Option<Pin>, PinError> {
    let Some(text) = read(path) else {
        return Ok(None);
    };
    let mut go_line = None;
    let mut toolchain_line = None;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("go"), Some(version), None) if go_line.is_none() => go_line = Some(version),
            (Some("toolchain"), Some(name), None) if toolchain_line.is_none() => {
                toolchain_line = Some(name)
            }
            _ => {}
        }
    }
    let (toolchain_source, go_source) = if work {
        (PinSource::GoWorkToolchain, PinSource::GoWorkGo)
    } else {
        (PinSource::GoModToolchain, PinSource::GoModGo)
    };
    // `toolchain default` means "no preference"; a toolchain name may carry a custom
    // suffix (`go1.22.5+auto`, `go1.21.0-custom`), of which gorig keeps the version.
    if let Some(name) = toolchain_line.filter(|n| *n != "default") {
        let version = name.split(['+', '-']).next().unwrap_or(name);
        let version = parse_version(path, version)?;
        return Ok(Some(Pin {
            source: toolchain_source,
            path: Some(path.to_path_buf()),
            requirement: Requirement::Request(VersionRequest::Exact(version)),
        }));
    }
    let Some(go) = go_line else {
        return Ok(None);
    };
    let minimum = parse_version(path, go.trim_start_matches("go"))?;
    // `go 1.22` names the language; the first release of it is go1.22.0.
    let minimum = match (minimum.patch(), minimum.is_prerelease()) {
        (None, false) if minimum.is_language_version() => {
            GoVersion::new(minimum.major(), minimum.minor(), 0)
        }
        _ => minimum,
    };
    Ok(Some(Pin {
        source: go_source,
        path: Some(path.to_path_buf()),
        requirement: Requirement::AtLeast(minimum),
    }))
}

/// `.go-version`: its first non-empty, non-comment line.
fn go_version_file(path: &Path) -> Result<Option<Pin>, PinError> {
    let Some(text) = read(path) else {
        return Ok(None);
    };
    let Some(line) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return Ok(None);
    };
    Ok(Some(Pin {
        source: PinSource::GoVersionFile,
        path: Some(path.to_path_buf()),
        requirement: Requirement::Request(parse_request(&path.display().to_string(), line)?),
    }))
}

/// `.tool-versions` (asdf, mise): the first version of a `golang` or `go` line. Values
/// gorig cannot act on (`system`, `ref:...`, `path:...`) leave the line unpinned.
fn tool_versions(path: &Path) -> Result<Option<Pin>, PinError> {
    let Some(text) = read(path) else {
        return Ok(None);
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        if !matches!(words.next(), Some("golang" | "go")) {
            continue;
        }
        let Some(version) = words.find(|w| *w != "system" && !w.contains(':')) else {
            return Ok(None);
        };
        return Ok(Some(Pin {
            source: PinSource::ToolVersions,
            path: Some(path.to_path_buf()),
            requirement: Requirement::Request(parse_request(&path.display().to_string(), version)?),
        }));
    }
    Ok(None)
}

/// The toolchain chosen for a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Run this installed version.
    Use { version: GoVersion, reason: String },
    /// The pin names a version that is not installed; `install` is what to install.
    Missing { install: String, reason: String },
    /// No pin and no default.
    Nothing,
}

/// Answers `pin` from what is installed (newest match), or the default when no pin.
pub fn choose(pin: Option<&Pin>, installed: &[GoVersion], default: Option<GoVersion>) -> Choice {
    let Some(pin) = pin else {
        return match default {
            Some(version) => Choice::Use {
                version,
                reason: "the default (gorig use)".to_string(),
            },
            None => Choice::Nothing,
        };
    };
    match &pin.requirement {
        Requirement::Request(request) => match request.select(installed, true) {
            Some(version) => Choice::Use {
                version: *version,
                reason: pin.to_string(),
            },
            None => Choice::Missing {
                install: request.to_string(),
                reason: pin.to_string(),
            },
        },
        Requirement::AtLeast(minimum) => {
            if let Some(version) = default.filter(|d| d >= minimum) {
                return Choice::Use {
                    version,
                    reason: format!("{pin} (>= {minimum}): the default"),
                };
            }
            let newest = installed
                .iter()
                .filter(|v| *v >= minimum && (v.is_stable() || minimum.is_prerelease()))
                .max();
            match newest {
                Some(version) => Choice::Use {
                    version: *version,
                    reason: format!("{pin} (>= {minimum}): the newest installed"),
                },
                None => Choice::Missing {
                    install: minimum.to_string(),
                    reason: format!("{pin} (>= {minimum})"),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> GoVersion {
        text.parse().expect("version")
    }

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        }
        dir
    }

    #[test]
    fn the_nearest_pin_wins_and_go_mod_defers_to_a_workspace_above() {
        let root = tree(&[
            (".go-version", "1.21.13\n"),
            (
                "svc/go.mod",
                "module x\n\ngo 1.22\n\ntoolchain go1.22.4 // pinned\n",
            ),
            ("svc/pkg/a/.keep", ""),
            ("ws/go.work", "go 1.23.0\n\nuse ./m\n"),
            ("ws/m/go.mod", "module m\ngo 1.22\n"),
            (
                "tv/.tool-versions",
                "nodejs 20.0.0\ngolang 1.22.5 1.21.0 # asdf\n",
            ),
        ]);
        let pin = |sub: &str| find_pin(&root.path().join(sub), None).expect("parses");
        let svc = pin("svc/pkg/a").expect("a pin");
        assert_eq!(svc.source, PinSource::GoModToolchain);
        assert_eq!(
            svc.requirement,
            Requirement::Request(VersionRequest::Exact(v("go1.22.4")))
        );
        assert!(svc.to_string().starts_with("go.mod toolchain line at "));
        let ws = pin("ws/m").expect("a pin");
        assert_eq!(ws.source, PinSource::GoWorkGo);
        assert_eq!(ws.requirement, Requirement::AtLeast(v("go1.23.0")));
        assert_eq!(pin("tv").expect("pin").source, PinSource::ToolVersions);
        assert_eq!(pin("").expect("pin").source, PinSource::GoVersionFile);
        let env = find_pin(root.path(), Some("1.20"))
            .expect("ok")
            .expect("pin");
        assert_eq!(env.source, PinSource::Environment);
        // GOWORK=off: the module's own go.mod, as the go command would read it.
        let off = find_pin_with(&root.path().join("ws/m"), None, Some("off"))
            .expect("ok")
            .expect("pin");
        assert_eq!(off.source, PinSource::GoModGo);
    }

    #[test]
    fn go_lines_are_minimums_and_toolchain_default_is_no_pin() {
        let root = tree(&[
            ("a/go.mod", "module a\ngo 1.22\ntoolchain default\n"),
            ("b/go.mod", "module b\ngo 1.20\n"),
            ("c/go.mod", "module c\n"),
            ("d/go.mod", "module d\ngo 1.22.3\ntoolchain go1.23.1+auto\n"),
        ]);
        let req = |sub: &str| {
            find_pin(&root.path().join(sub), None)
                .expect("parses")
                .map(|p| p.requirement)
        };
        assert_eq!(req("a"), Some(Requirement::AtLeast(v("go1.22.0"))));
        assert_eq!(req("b"), Some(Requirement::AtLeast(v("go1.20"))));
        assert_eq!(
            req("c"),
            None,
            "a go.mod without go or toolchain lines pins nothing"
        );
        assert_eq!(
            req("d"),
            Some(Requirement::Request(VersionRequest::Exact(v("go1.23.1"))))
        );
    }

    #[test]
    fn choosing_follows_gos_rule_for_minimums() {
        let installed = [v("go1.21.13"), v("go1.22.4"), v("go1.22.5"), v("go1.23rc1")];
        let at_least = |min: &str| Pin {
            source: PinSource::GoModGo,
            path: Some("/p/go.mod".into()),
            requirement: Requirement::AtLeast(v(min)),
        };
        // The default when new enough.
        let choice = choose(Some(&at_least("go1.21.0")), &installed, Some(v("go1.22.4")));
        assert!(matches!(choice, Choice::Use { version, .. } if version == v("go1.22.4")));
        // Else the newest installed stable one that is.
        let choice = choose(
            Some(&at_least("go1.22.0")),
            &installed,
            Some(v("go1.21.13")),
        );
        assert!(matches!(choice, Choice::Use { version, .. } if version == v("go1.22.5")));
        // Else the minimum itself, to install.
        let choice = choose(
            Some(&at_least("go1.24.0")),
            &installed,
            Some(v("go1.21.13")),
        );
        assert_eq!(
            choice,
            Choice::Missing {
                install: "go1.24.0".into(),
                reason: "go.mod go line at /p/go.mod (>= go1.24.0)".into()
            }
        );
        let series = Pin {
            source: PinSource::GoVersionFile,
            path: Some("/p/.go-version".into()),
            requirement: Requirement::Request("1.22".parse().expect("request")),
        };
        let choice = choose(Some(&series), &installed, None);
        assert!(matches!(choice, Choice::Use { version, .. } if version == v("go1.22.5")));
        assert_eq!(choose(None, &installed, None), Choice::Nothing);
    }

    #[test]
    fn bad_pins_name_the_file() {
        let root = tree(&[(".go-version", "banana\n")]);
        let err = find_pin(root.path(), None).expect_err("bad");
        assert!(err.path.ends_with(".go-version"), "{err}");
        assert!(err.to_string().contains("banana"));
    }
}
