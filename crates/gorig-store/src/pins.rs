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
//! The parsers work on `&str` (see [`directives`], [`go_version_file`],
//! [`tool_versions`]) apart from the walk. Parsing is by hand: each format is a few
//! line-oriented directives, they are read on every shim call, and only the `go` and
//! `toolchain` directives matter here; the rules are checked against the real go
//! command by the differential tests.

use std::fmt;
use std::path::{Path, PathBuf};

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

/// The first line of a go.mod/go.work holding a directive, as Go's `GoModLookup` finds
/// it: the value is the rest of the line, comment removed, trimmed (it may hold several
/// words, or be `(` for a block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveLine {
    /// 1-based.
    pub line: usize,
    pub value: String,
}

/// A go.mod or go.work line Go refuses: the line and Go's words for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    pub line: usize,
    pub message: String,
    pub hint: &'static str,
}

/// Go's `GoModLookup`: the first line that, trimmed, starts with `key` and a space or
/// tab.
pub fn lookup(text: &str, key: &str) -> Option<DirectiveLine> {
    text.split('\n').enumerate().find_map(|(at, line)| {
        let rest = line.trim_matches(is_go_space).strip_prefix(key)?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let value = rest.split("//").next().unwrap_or("");
        Some(DirectiveLine {
            line: at + 1,
            value: value.trim_matches(is_go_space).to_string(),
        })
    })
}

/// The white space Go's `bytes.TrimSpace`/`strings.TrimSpace` remove (ASCII part; go.mod
/// files are UTF-8 and Go's Unicode spaces there are vanishingly rare).
fn is_go_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}') || c.is_whitespace()
}

const GO_LINE_HINT: &str = "a go line names a Go version: `go 1.22` or `go 1.22.5`";
const TOOLCHAIN_HINT: &str =
    "a toolchain line names a release: `toolchain go1.22.5`, or `toolchain default`";

/// Checks the `go` and `toolchain` directives of a go.mod or go.work as
/// `x/mod/modfile`'s strict parse does, refusing a repeated directive, a directive with
/// other than one argument or in a block, a go version that is not `1.N[.N][kindN]`, a
/// toolchain that is not `go1...` or `default`. (The values selection uses are Go's
/// [`lookup`]s, not these.)
pub fn directives(text: &str) -> Result<(), DirectiveError> {
    let mut seen_go: Option<usize> = None;
    let mut seen_toolchain: Option<usize> = None;
    let mut block: Option<String> = None;
    for (at, raw) in text.split('\n').enumerate() {
        let number = at + 1;
        let words = tokens(raw);
        if words.is_empty() {
            continue;
        }
        if block.is_some() {
            if words[0] == ")" {
                block = None;
            }
            continue;
        }
        if words.len() == 2 && words[1] == "(" {
            if words[0] == "go" || words[0] == "toolchain" {
                return Err(DirectiveError {
                    line: number,
                    message: format!("unknown block type: {}", words[0]),
                    hint: if words[0] == "go" {
                        GO_LINE_HINT
                    } else {
                        TOOLCHAIN_HINT
                    },
                });
            }
            block = Some(words[0].clone());
            continue;
        }
        let verb = words[0].as_str();
        if verb == "go" || verb == "toolchain" {
            if raw
                .split("//")
                .next()
                .is_some_and(|code| code.contains("/*"))
            {
                return Err(DirectiveError {
                    line: number,
                    message: "mod files must use // comments (not /* */ comments)".to_string(),
                    hint: if verb == "go" {
                        GO_LINE_HINT
                    } else {
                        TOOLCHAIN_HINT
                    },
                });
            }
            check(verb, &words[1..], number, &mut seen_go, &mut seen_toolchain)?;
        }
    }
    Ok(())
}

fn check(
    verb: &str,
    args: &[String],
    line: usize,
    seen_go: &mut Option<usize>,
    seen_toolchain: &mut Option<usize>,
) -> Result<(), DirectiveError> {
    let (seen, hint) = if verb == "go" {
        (seen_go, GO_LINE_HINT)
    } else {
        (seen_toolchain, TOOLCHAIN_HINT)
    };
    let refuse = |message: String| DirectiveError {
        line,
        message,
        hint,
    };
    if seen.is_some() {
        return Err(refuse(format!("repeated {verb} statement")));
    }
    *seen = Some(line);
    if args.len() != 1 {
        return Err(refuse(format!(
            "{verb} directive expects exactly one argument"
        )));
    }
    let arg = &args[0];
    if verb == "go" && !modfile_go_version(arg) {
        return Err(refuse(format!(
            "invalid go version '{arg}': must match format 1.23.0"
        )));
    }
    if verb == "toolchain" && !modfile_toolchain(arg) {
        return Err(refuse(format!(
            "invalid toolchain version '{arg}': must match format go1.23.0 or default"
        )));
    }
    Ok(())
}

/// modfile's `GoVersionRE`: `^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`.
fn modfile_go_version(text: &str) -> bool {
    fn number(text: &str) -> Option<&str> {
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || (digits > 1 && text.starts_with('0')) {
            return None;
        }
        Some(&text[digits..])
    }
    let Some(rest) = number(text) else {
        return false;
    };
    if text.starts_with('0') {
        return false;
    }
    let Some(rest) = rest.strip_prefix('.').and_then(number) else {
        return false;
    };
    let rest = match rest.strip_prefix('.') {
        Some(patch) => match number(patch) {
            Some(rest) => rest,
            None => return false,
        },
        None => rest,
    };
    if rest.is_empty() {
        return true;
    }
    let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    let digits = rest[letters..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    letters > 0 && digits > 0 && letters + digits == rest.len()
}

/// modfile's `ToolchainRE`: `^default$|^go1($|\.)`.
fn modfile_toolchain(text: &str) -> bool {
    text == "default" || text == "go1" || text.starts_with("go1.")
}

/// The words of a go.mod line as modfile's lexer splits them: `//` starts a comment,
/// `(` and `)` stand alone, quoted strings are one word (kept with their quotes).
fn tokens(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.char_indices().peekable();
    let mut current = String::new();
    let flush = |current: &mut String, words: &mut Vec<String>| {
        if !current.is_empty() {
            words.push(std::mem::take(current));
        }
    };
    while let Some((at, c)) = chars.next() {
        match c {
            '/' if line[at..].starts_with("//") => break,
            c if c.is_whitespace() => flush(&mut current, &mut words),
            '(' | ')' => {
                flush(&mut current, &mut words);
                words.push(c.to_string());
            }
            '"' | '`' => {
                flush(&mut current, &mut words);
                let mut quoted = String::from(c);
                for (_, q) in chars.by_ref() {
                    quoted.push(q);
                    if q == c {
                        break;
                    }
                }
                words.push(quoted);
            }
            _ => current.push(c),
        }
    }
    flush(&mut current, &mut words);
    words
}

/// Go's reading of a go.mod or go.work's lines, before looking at what is installed,
/// with the go command's errors in the order it reports them: the toolchain name its
/// selection cannot read, then what its strict parse refuses, then a chosen toolchain
/// that is no release.
pub fn go_file_requirement(
    text: &str,
    path: &Path,
    work: bool,
) -> Result<(PinSource, Requirement, Option<String>), PinError> {
    let shown = path.display().to_string();
    let refuse = |line: usize, message: String, hint: String| PinError::Directive {
        path: shown.clone(),
        line,
        message,
        hint,
    };
    let (toolchain_source, go_source, default_source) = if work {
        (
            PinSource::GoWorkToolchain,
            PinSource::GoWorkGo,
            PinSource::GoWorkDefault,
        )
    } else {
        (
            PinSource::GoModToolchain,
            PinSource::GoModGo,
            PinSource::GoModDefault,
        )
    };
    let go_line = lookup(text, "go");
    let toolchain_line = lookup(text, "toolchain");
    let is_default = toolchain_line
        .as_ref()
        .is_some_and(|l| l.value == "default");
    // select.go: a toolchain line is refused unless Go reads a version in it.
    let toolchain = match &toolchain_line {
        Some(line) if !is_default => {
            let version = GoVersion::from_toolchain(&line.value)
                .filter(|_| line.value.starts_with("go") || line.value.contains("-go"))
                .ok_or_else(|| {
                    refuse(
                        line.line,
                        format!("invalid toolchain {:?} in {}", line.value, file_name(work)),
                        TOOLCHAIN_HINT.to_string(),
                    )
                })?;
            Some((line, version))
        }
        _ => None,
    };
    directives(text).map_err(|e| refuse(e.line, e.message, e.hint.to_string()))?;
    if is_default {
        return Ok((
            default_source,
            Requirement::Default,
            Some("toolchain default".to_string()),
        ));
    }
    // A go line Go cannot read as a version compares below every version: passed over.
    let go = go_line
        .as_ref()
        .and_then(|line| GoVersion::parse_gover(&line.value).ok());
    match (toolchain, go) {
        (Some((line, version)), go) if go.as_ref().is_none_or(|g| version >= *g) => {
            // The toolchain line wins; it must name a release gorig can pin.
            if version.is_language_version() {
                return Err(refuse(
                    line.line,
                    format!(
                        "invalid toolchain: {0} is a language version but not a toolchain version ({0}.x)",
                        line.value
                    ),
                    format!(
                        "name a release of it, e.g. `toolchain {}`",
                        version.first_release()
                    ),
                ));
            }
            let bare = line.value.strip_prefix("go").unwrap_or("");
            if GoVersion::parse_gover(bare).is_err() {
                return Err(refuse(
                    line.line,
                    format!(
                        "toolchain {0} is not a Go release (the go command fails with \"download {0} for linux: toolchain not available\")",
                        line.value
                    ),
                    format!("name the release alone: `toolchain {version}`"),
                ));
            }
            Ok((toolchain_source, Requirement::Toolchain(version), None))
        }
        (_, Some(version)) => Ok((go_source, Requirement::AtLeast(version), None)),
        (_, None) => {
            let note = match &go_line {
                Some(line) => format!(
                    "whose go line `{}` is not a version Go selects by",
                    line.value
                ),
                None => "with no go or toolchain line".to_string(),
            };
            Ok((default_source, Requirement::Default, Some(note)))
        }
    }
}

fn file_name(work: bool) -> &'static str {
    if work { "go.work" } else { "go.mod" }
}

/// `.go-version`: its first non-empty, non-comment line.
pub fn go_version_file(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
}

/// `.tool-versions` (asdf, mise): the first version of a `golang` or `go` line.
/// `Some(None)` when the line holds only values gorig cannot act on (`system`,
/// `ref:...`, `path:...`): the tool is named but not pinned.
pub fn tool_versions(text: &str) -> Option<Option<&str>> {
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        if !matches!(words.next(), Some("golang" | "go")) {
            continue;
        }
        return Some(words.find(|w| *w != "system" && !w.contains(':')));
    }
    None
}

/// What the walk for a pin depends on besides the directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lookup<'a> {
    /// `GORIG_GO_VERSION`.
    pub env_version: Option<&'a str>,
    /// `GOWORK`: `off` ignores go.work files, an absolute path names the one to use (a
    /// relative one is an error), empty or `auto` searches.
    pub gowork: Option<&'a str>,
    /// The system temp directory (`$TMPDIR`, else `/tmp`): a go.mod there is ignored
    /// (golang.org/issue/26708), and the search for one ends there.
    pub temp_dir: Option<&'a Path>,
    /// The default toolchain's GOROOT: the go.work search does not climb out of it.
    pub goroot: Option<&'a Path>,
}

/// How `GOWORK` tells the go command to find a workspace.
enum Workspace {
    /// Unset, empty or `auto`: the first go.work above.
    Search,
    Off,
    /// An absolute path; a file that does not exist means no workspace.
    File(PathBuf),
}

/// The version the environment or the nearest pin asks for, if any, found as the go
/// command finds go.work and go.mod (`modload.FindGoWork`, `FindGoMod`).
pub fn find_pin(dir: &Path, lookup: &Lookup) -> Result<Option<Pin>, PinError> {
    if let Some(text) = lookup.env_version.map(str::trim).filter(|t| !t.is_empty()) {
        return Ok(Some(Pin {
            source: PinSource::Environment,
            path: None,
            requirement: Requirement::Request(parse_request("GORIG_GO_VERSION", text)?),
            note: None,
        }));
    }
    let workspace = match lookup.gowork {
        None | Some("" | "auto") => Workspace::Search,
        Some("off") => Workspace::Off,
        Some(path) if Path::new(path).is_absolute() => Workspace::File(PathBuf::from(path)),
        Some(path) => {
            return Err(PinError::RelativeGowork {
                value: path.to_string(),
            });
        }
    };
    if let Workspace::File(file) = &workspace
        && std::fs::metadata(file).is_ok()
    {
        return go_file(file, true).map(Some);
    }
    let searching = matches!(workspace, Workspace::Search);
    let mut current = Some(dir);
    while let Some(here) = current {
        if searching {
            let work = here.join("go.work");
            if is_file(&work) {
                return go_file(&work, true).map(Some);
            }
        }
        let module = here.join("go.mod");
        if is_file(&module) {
            // The go command finds go.work first, wherever it is above.
            if searching && let Some(work) = workspace_above(here, lookup.goroot) {
                return go_file(&work, true).map(Some);
            }
            if lookup.temp_dir.is_some_and(|t| same_dir(here, t)) {
                return Ok(Some(Pin {
                    source: PinSource::GoModDefault,
                    path: Some(module),
                    requirement: Requirement::Default,
                    note: Some(
                        "in the system temp directory, which the go command ignores".to_string(),
                    ),
                }));
            }
            return go_file(&module, false).map(Some);
        }
        if let Some(pin) = go_version_at(&here.join(".go-version"))? {
            return Ok(Some(pin));
        }
        if let Some(pin) = tool_versions_at(&here.join(".tool-versions"))? {
            return Ok(Some(pin));
        }
        let parent = here.parent();
        // As a special case, the go command does not cross GOROOT to find a go.work.
        if searching && parent.zip(lookup.goroot).is_some_and(|(p, g)| p == g) {
            return workspace_free_walk(parent, lookup);
        }
        current = parent;
    }
    Ok(None)
}

/// The first go.work strictly above `dir`, not crossing into `goroot` from below.
fn workspace_above(dir: &Path, goroot: Option<&Path>) -> Option<PathBuf> {
    dir.ancestors()
        .skip(1)
        .take_while(|up| goroot != Some(*up))
        .map(|up| up.join("go.work"))
        .find(|work| is_file(work))
}

/// The rest of the walk once go.work files no longer count (above GOROOT).
fn workspace_free_walk(from: Option<&Path>, lookup: &Lookup) -> Result<Option<Pin>, PinError> {
    let Some(from) = from else {
        return Ok(None);
    };
    find_pin(
        from,
        &Lookup {
            gowork: Some("off"),
            ..*lookup
        },
    )
}

/// Whether two paths name one directory (lexically, else by device and inode, as Go's
/// `search.InDir` also compares after resolving links).
fn same_dir(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    if a == b {
        return true;
    }
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Go's test for a go.mod or go.work: `stat` succeeds (links followed) and it is no
/// directory.
fn is_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_dir())
}

/// Reads a go.mod or go.work that exists: unlike gorig's own pin files, one that cannot
/// be read is an error, as it is for the go command.
fn read_go_file(path: &Path) -> Result<String, PinError> {
    let unreadable = |why: String| PinError::Unreadable {
        path: path.display().to_string(),
        why,
    };
    let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".to_string()))
}

fn go_file(path: &Path, work: bool) -> Result<Pin, PinError> {
    let text = read_go_file(path)?;
    let (source, requirement, note) = go_file_requirement(&text, path, work)?;
    Ok(Pin {
        source,
        path: Some(path.to_path_buf()),
        requirement,
        note,
    })
}

/// gorig's own pin files are small; a huge or unreadable one is treated as absent.
fn read_pin_file(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

fn parse_request(place: &str, text: &str) -> Result<VersionRequest, PinError> {
    text.parse::<VersionRequest>()
        .map_err(|e| PinError::NotAVersion {
            place: place.to_string(),
            text: text.to_string(),
            why: e.reason.to_string(),
        })
}

fn go_version_at(path: &Path) -> Result<Option<Pin>, PinError> {
    let Some(text) = read_pin_file(path) else {
        return Ok(None);
    };
    let Some(line) = go_version_file(&text) else {
        return Ok(None);
    };
    Ok(Some(Pin {
        source: PinSource::GoVersionFile,
        path: Some(path.to_path_buf()),
        requirement: Requirement::Request(parse_request(&path.display().to_string(), line)?),
        note: None,
    }))
}

fn tool_versions_at(path: &Path) -> Result<Option<Pin>, PinError> {
    let Some(text) = read_pin_file(path) else {
        return Ok(None);
    };
    let Some(Some(version)) = tool_versions(&text) else {
        return Ok(None);
    };
    Ok(Some(Pin {
        source: PinSource::ToolVersions,
        path: Some(path.to_path_buf()),
        requirement: Requirement::Request(parse_request(&path.display().to_string(), version)?),
        note: None,
    }))
}

/// The toolchain chosen for a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Run this installed version.
    Use { version: GoVersion, reason: String },
    /// The pin names a version that is not installed; `install` is what to install.
    Missing {
        install: VersionRequest,
        reason: String,
    },
    /// No pin (or one that defers to the default) and no default.
    Nothing { reason: Option<String> },
}

/// Answers `pin` from what is installed, or the default when there is no pin or the pin
/// defers to it.
pub fn choose(pin: Option<&Pin>, installed: &[GoVersion], default: Option<GoVersion>) -> Choice {
    let the_default = |reason: String| match &default {
        Some(version) => Choice::Use {
            version: version.clone(),
            reason,
        },
        None => Choice::Nothing {
            reason: pin.map(|p| p.to_string()),
        },
    };
    let Some(pin) = pin else {
        return the_default("the default (gorig use)".to_string());
    };
    match &pin.requirement {
        Requirement::Default => the_default(format!("{pin}: the default")),
        Requirement::Request(request) => match request.select(installed, true) {
            Some(version) => Choice::Use {
                version: version.clone(),
                reason: pin.to_string(),
            },
            None => Choice::Missing {
                install: request.clone(),
                reason: pin.to_string(),
            },
        },
        Requirement::Toolchain(version) => {
            if installed.contains(version) {
                Choice::Use {
                    version: version.clone(),
                    reason: pin.to_string(),
                }
            } else {
                Choice::Missing {
                    install: VersionRequest::Exact(version.clone()),
                    reason: pin.to_string(),
                }
            }
        }
        Requirement::AtLeast(minimum) => {
            if let Some(version) = default.as_ref().filter(|d| *d >= minimum) {
                return Choice::Use {
                    version: version.clone(),
                    reason: format!("{pin} (>= {minimum}): the default"),
                };
            }
            let newest = installed
                .iter()
                .filter(|v| *v >= minimum && (v.is_stable() || minimum.is_prerelease()))
                .max();
            match newest {
                Some(version) => Choice::Use {
                    version: version.clone(),
                    reason: format!("{pin} (>= {minimum}): the newest installed"),
                },
                None => Choice::Missing {
                    install: VersionRequest::Exact(minimum.first_release()),
                    reason: format!("{pin} (>= {minimum})"),
                },
            }
        }
    }
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests;
