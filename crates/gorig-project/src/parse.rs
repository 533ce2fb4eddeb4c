//! The pin files as text: Go's `GoModLookup` over go.mod and go.work, modfile's checks of
//! their `go` and `toolchain` lines, select.go's rules for which line wins, and the
//! `.go-version` and `.tool-versions` formats. No I/O: each parser takes `&str` (and is
//! fuzzed, `fuzz/fuzz_targets/pins.rs`).

use gorig_version::GoVersion;

use std::path::Path;

use crate::{PinError, PinSource, Requirement};

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
        if let Some(c) = unexpected_character(raw) {
            return Err(DirectiveError {
                line: number,
                message: format!("unexpected input character {}", go_quote_rune(c)),
                hint: "go.mod and go.work are text: remove the stray bytes on that line (the go command refuses the file too)",
            });
        }
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

/// The first character modfile's lexer refuses on a line: outside comments and quoted
/// strings, a bare token takes any printable character that is not white space
/// (`unicode.IsPrint`, `unicode.IsSpace`), and only space, tab and CR separate tokens.
/// Refused here: control and format characters (a byte-order mark, U+200B), white space
/// beyond those three (U+00A0), private-use code points. Unassigned code points, which Go
/// also refuses, pass: telling them needs Unicode's tables. Bytes that are not UTF-8
/// arrive as U+FFFD, which Go's lexer reads the same way and accepts.
fn unexpected_character(line: &str) -> Option<char> {
    let mut chars = line.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '/' if line[at..].starts_with("//") => return None,
            '"' | '`' => {
                for (_, q) in chars.by_ref() {
                    if q == c {
                        break;
                    }
                }
            }
            ' ' | '\t' | '\r' => {}
            c if not_printable(c) || c.is_whitespace() => return Some(c),
            _ => {}
        }
    }
    None
}

/// Control (Cc), format (Cf) and private-use (Co) characters: what `unicode.IsPrint`
/// refuses besides unassigned code points and white space.
fn not_printable(c: char) -> bool {
    c.is_control()
        || matches!(
            u32::from(c),
            0xAD | 0x600..=0x605
                | 0x61C
                | 0x6DD
                | 0x70F
                | 0x890..=0x891
                | 0x8E2
                | 0x180E
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x206F
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0x110BD
                | 0x110CD
                | 0x13430..=0x1343F
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0001
                | 0xE0020..=0xE007F
                | 0xE000..=0xF8FF
                | 0xF0000..=0x10FFFF
        )
}

/// A rune as Go's `%#q` prints one that cannot be back-quoted: `'\x01'`, `'\u0085'`.
fn go_quote_rune(c: char) -> String {
    let code = u32::from(c);
    if code < 0x80 {
        format!("'\\x{code:02x}'")
    } else if code < 0x10000 {
        format!("'\\u{code:04x}'")
    } else {
        format!("'\\U{code:08x}'")
    }
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
