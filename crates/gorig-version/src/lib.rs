//! Go release versions and the requests users make for them, with Go's own grammar and
//! order (`internal/gover`, `go/version` in Go 1.27).
//!
//! A [`GoVersion`] is a name Go reads as a toolchain version: `go1.20`, `go1.21.0`,
//! `go1.21rc2`, `go1.22beta1`, `go1.22alpha`, `go1.22.5`, `go2`. A [`VersionRequest`] is
//! what a user types (`latest`, `1.22`, `1.22.5`, `go1.23rc1`) and is resolved against
//! the versions a release index or the store offers.
//!
//! Go's rules, encoded once here:
//! - `MAJOR[.MINOR[.PATCH]]` or `MAJOR.MINOR<kind>[N]`, numbers without leading zeros and
//!   of any length (kept as decimal digits and compared as numbers, never overflowing),
//!   `<kind>` any run of lower-case letters (`alpha`, `beta`, `rc`, ...), ordered as
//!   strings; a prerelease of a patch release (`1.21.3rc1`) is not a version.
//! - A missing minor is `.0`; a missing patch is `.0` when the minor is below 21, in every
//!   major: `go1.20` = `go1.20.0`, `go2` = `go2.0` = `go2.0.0`. From minor 21 on, `go1.21`
//!   names the language version, which sorts before every release of it:
//!   `go1.21 < go1.21rc1 < go1.21.0`.
//!
//! Values are normalised on construction, so equality is equality of the release they
//! name, and printing gives the name Go uses (`go1.20`, never `go1.20.0`). The crate does
//! no I/O.

mod platform;

pub use platform::{GoArch, Platform, UnknownArch};

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Minors below this one have an implied `.0` patch (`go1.20` is a release).
const FIRST_MINOR_WITHOUT_IMPLIED_PATCH: u64 = 21;

/// A decimal number as Go keeps it: digits without a leading zero, of any length.
///
/// Numbers that fit in a `u64` are kept as one; longer ones as their digits, which are
/// then larger than any `u64`, so comparison stays numeric.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(Digits);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Digits {
    Small(u64),
    Big(Box<str>),
}

impl Number {
    pub const fn new(value: u64) -> Self {
        Number(Digits::Small(value))
    }

    /// The value when it fits in a `u64`.
    pub fn value(&self) -> Option<u64> {
        match &self.0 {
            Digits::Small(n) => Some(*n),
            Digits::Big(_) => None,
        }
    }

    /// Reads digits with no leading zero (`0` itself is fine).
    fn from_digits(digits: &str) -> Option<Number> {
        let bytes = digits.as_bytes();
        if bytes.is_empty()
            || !bytes.iter().all(u8::is_ascii_digit)
            || (bytes.len() > 1 && bytes[0] == b'0')
        {
            return None;
        }
        Some(match digits.parse::<u64>() {
            Ok(n) => Number(Digits::Small(n)),
            Err(_) => Number(Digits::Big(digits.into())),
        })
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            (Digits::Small(a), Digits::Small(b)) => a.cmp(b),
            (Digits::Small(_), Digits::Big(_)) => Ordering::Less,
            (Digits::Big(_), Digits::Small(_)) => Ordering::Greater,
            (Digits::Big(a), Digits::Big(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Digits::Small(n) => write!(f, "{n}"),
            Digits::Big(digits) => f.write_str(digits),
        }
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Self {
        Number::new(value)
    }
}

impl PartialEq<u64> for Number {
    fn eq(&self, other: &u64) -> bool {
        self.value() == Some(*other)
    }
}

/// A Go toolchain version as Go reads it, e.g. `go1.22.5` or `go1.23rc1`.
///
/// The fields are Go's (`gover.Version`) after its parse: the minor is always present,
/// the patch is present for releases (implied `0` below minor 21), and a prerelease has a
/// kind (`rc`) with an optional number. The derived order is Go's `Compare`: major, minor,
/// patch (none before any), kind (none before any, then as strings), number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GoVersion {
    major: Number,
    minor: Number,
    patch: Option<Number>,
    pre: Option<Box<Prerelease>>,
}

/// The prerelease part of a version: its kind (`rc`) and optional number, ordered kind
/// first (as strings), then number (none first). Boxed in [`GoVersion`]: most versions
/// have none.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Prerelease {
    kind: Box<str>,
    number: Option<Number>,
}

/// Why a version or request string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a Go version: {reason}")]
pub struct ParseError {
    pub input: String,
    pub reason: &'static str,
}

impl GoVersion {
    /// A final release `go<major>.<minor>.<patch>` (`new(1, 20, 0)` is `go1.20`).
    pub fn new(major: u64, minor: u64, patch: u64) -> Self {
        Self {
            major: Number::new(major),
            minor: Number::new(minor),
            patch: Some(Number::new(patch)),
            pre: None,
        }
    }

    /// The language version `go<major>.<minor>` (`go1.22`); below minor 21 that is the
    /// series' first release, as Go reads it.
    pub fn language(major: u64, minor: u64) -> Self {
        let implied = (minor < FIRST_MINOR_WITHOUT_IMPLIED_PATCH).then(|| Number::new(0));
        Self {
            major: Number::new(major),
            minor: Number::new(minor),
            patch: implied,
            pre: None,
        }
    }

    /// A prerelease such as `go1.23rc1` (`kind` is lower-case letters).
    pub fn prerelease(major: u64, minor: u64, kind: &str, number: Option<u64>) -> Self {
        Self {
            major: Number::new(major),
            minor: Number::new(minor),
            patch: None,
            pre: Some(Box::new(Prerelease {
                kind: kind.into(),
                number: number.map(Number::new),
            })),
        }
    }

    pub fn major(&self) -> &Number {
        &self.major
    }

    pub fn minor(&self) -> &Number {
        &self.minor
    }

    /// The patch number of a release (`0` for `go1.20`), `None` for prereleases and
    /// language versions.
    pub fn patch(&self) -> Option<&Number> {
        self.patch.as_ref()
    }

    /// The prerelease kind (`rc`, `beta`, `alpha`), if any.
    pub fn prerelease_kind(&self) -> Option<&str> {
        self.pre.as_ref().map(|p| &*p.kind)
    }

    /// The number of a prerelease (`1` of `rc1`), if it has one.
    pub fn prerelease_number(&self) -> Option<&Number> {
        self.pre.as_ref().and_then(|p| p.number.as_ref())
    }

    /// True for a final release (not a prerelease, not a bare language version).
    pub fn is_stable(&self) -> bool {
        self.pre.is_none() && self.patch.is_some()
    }

    /// True for a prerelease (`beta1`, `rc2`, `alpha`).
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some()
    }

    /// True for `go1.21`-style names from minor 21 on: a language version, never a release
    /// (Go's `IsLang`).
    pub fn is_language_version(&self) -> bool {
        self.patch.is_none() && self.pre.is_none()
    }

    /// The `major.minor` series this version belongs to, e.g. `1.22`.
    pub fn series(&self) -> (&Number, &Number) {
        (&self.major, &self.minor)
    }

    /// Go's `Lang`: the language version this release implements (`go1.22.5` → `go1.22`).
    pub fn lang(&self) -> GoVersion {
        GoVersion {
            major: self.major.clone(),
            minor: self.minor.clone(),
            patch: (self.minor < Number::new(FIRST_MINOR_WITHOUT_IMPLIED_PATCH))
                .then(|| Number::new(0)),
            pre: None,
        }
    }

    /// The first release of a language version: `go1.22` → `go1.22.0`; others unchanged.
    /// This is the toolchain Go switches to for a `go 1.22` line (golang.org/issue/62278).
    pub fn first_release(&self) -> GoVersion {
        if self.is_language_version() {
            GoVersion {
                patch: Some(Number::new(0)),
                ..self.clone()
            }
        } else {
            self.clone()
        }
    }

    /// Reads a version exactly as Go's `gover.Parse` does: no `go` prefix, no spaces.
    pub fn parse_gover(input: &str) -> Result<GoVersion, ParseError> {
        let error = |reason| ParseError {
            input: input.to_string(),
            reason,
        };
        let (major, rest) = cut_number(input).ok_or_else(|| error(number_problem(input)))?;
        if rest.is_empty() {
            return Ok(GoVersion {
                major,
                minor: Number::new(0),
                patch: Some(Number::new(0)),
                pre: None,
            });
        }
        let rest = rest.strip_prefix('.').ok_or_else(|| {
            error("the major version is followed by something other than `.MINOR`")
        })?;
        let (minor, rest) = cut_number(rest).ok_or_else(|| error(number_problem(rest)))?;
        if rest.is_empty() {
            let implied =
                (minor < Number::new(FIRST_MINOR_WITHOUT_IMPLIED_PATCH)).then(|| Number::new(0));
            return Ok(GoVersion {
                major,
                minor,
                patch: implied,
                pre: None,
            });
        }
        if let Some(rest) = rest.strip_prefix('.') {
            let (patch, tail) = cut_number(rest).ok_or_else(|| error(number_problem(rest)))?;
            if !tail.is_empty() {
                return Err(error(if tail.starts_with('.') {
                    "it has more than three numbers"
                } else {
                    "a patch release has no prerelease (go1.23rc1, go1.23.1)"
                }));
            }
            return Ok(GoVersion {
                major,
                minor,
                patch: Some(patch),
                pre: None,
            });
        }
        let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
        if letters == 0 {
            return Err(error(
                "expected digits and dots, then an optional prerelease like rc1 or beta2",
            ));
        }
        let (kind, tail) = rest.split_at(letters);
        let pre = if tail.is_empty() {
            None
        } else {
            match cut_number(tail) {
                Some((n, "")) => Some(n),
                _ => {
                    return Err(error(
                        "a prerelease is lower-case letters and a number (rc1, beta2)",
                    ));
                }
            }
        };
        Ok(GoVersion {
            major,
            minor,
            patch: None,
            pre: Some(Box::new(Prerelease {
                kind: kind.into(),
                number: pre,
            })),
        })
    }

    /// A version as `go/version` reads it: `go` and a version, any `-custom` suffix cut
    /// off (`go1.21.0-bigcorp`).
    pub fn parse_go_version(name: &str) -> Option<GoVersion> {
        let name = name.split('-').next().unwrap_or(name);
        GoVersion::parse_gover(name.strip_prefix("go")?).ok()
    }

    /// Go's `Lang` as text: `go1.22` for go1.22.5, `go1` for Go 1.0 (`go2.0` for go2).
    pub fn lang_name(&self) -> String {
        if self.major == 1 && self.minor == 0 {
            "go1".to_string()
        } else {
            format!("go{}.{}", self.major, self.minor)
        }
    }

    /// Go's `FromToolchain` (go1.27): the version in a toolchain name `go<version>`,
    /// with a suffix after `-`, a space or a tab cut off (`go1.22.5-custom`), or `None`
    /// when the name holds none (`1.22.5`, `go1.22.5+auto`, `gccgo-go1.22`).
    pub fn from_toolchain(name: &str) -> Option<GoVersion> {
        if name.contains(['/', '\\']) {
            return None;
        }
        let version = name.strip_prefix("go")?;
        let version = version
            .find([' ', '\t', '-'])
            .map_or(version, |at| &version[..at]);
        GoVersion::parse_gover(version).ok()
    }
}

/// Go's `gover.Compare` over strings: malformed versions sort before every valid one and
/// equal to each other.
pub fn compare_gover(a: &str, b: &str) -> Ordering {
    GoVersion::parse_gover(a)
        .ok()
        .cmp(&GoVersion::parse_gover(b).ok())
}

/// The leading number of `text` and the rest; `None` when it has no digits or a leading
/// zero before more digits.
fn cut_number(text: &str) -> Option<(Number, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, rest) = text.split_at(digits);
    Some((Number::from_digits(number)?, rest))
}

fn number_problem(text: &str) -> &'static str {
    if text.is_empty() {
        "a number is missing"
    } else if text.starts_with('0') && text[1..].starts_with(|c: char| c.is_ascii_digit()) {
        "numbers may not have leading zeros"
    } else {
        "expected a number"
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "go{}", self.major)?;
        let implied_patch = self.pre.is_none()
            && self.minor < Number::new(FIRST_MINOR_WITHOUT_IMPLIED_PATCH)
            && self.patch.as_ref().is_some_and(|p| *p == 0);
        if implied_patch {
            // Go 1.0 was released as plain `go1`; the same rule names `go2`.
            if self.minor != 0 {
                write!(f, ".{}", self.minor)?;
            }
            return Ok(());
        }
        write!(f, ".{}", self.minor)?;
        if let Some(patch) = &self.patch {
            write!(f, ".{patch}")?;
        }
        if let Some(pre) = &self.pre {
            f.write_str(&pre.kind)?;
            if let Some(number) = &pre.number {
                write!(f, "{number}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for GoVersion {
    type Err = ParseError;

    /// Reads `go1.22.5`, `1.22.5`, `go1.21rc2`, `go1.20`, `go1` (surrounding spaces are
    /// ignored; the `go` prefix is optional).
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let text = input.trim();
        let text = text.strip_prefix("go").unwrap_or(text);
        if text.is_empty() {
            return Err(ParseError {
                input: input.to_string(),
                reason: "it is empty",
            });
        }
        GoVersion::parse_gover(text).map_err(|mut e| {
            e.input = input.to_string();
            e
        })
    }
}

impl serde::Serialize for GoVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for GoVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a user asked for; resolved against the versions that exist.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VersionRequest {
    /// `latest`: the newest stable release (newest of all with `--unstable`).
    Latest,
    /// `1.22` or `go1.22`: the newest stable release of that series; `1`: of that major.
    Series {
        major: Number,
        minor: Option<Number>,
    },
    /// `1.22.5`, `go1.22.5`, `1.23rc1`, `go1.20`: exactly that release.
    Exact(GoVersion),
}

impl VersionRequest {
    /// True when the request names one release exactly.
    pub fn is_exact(&self) -> bool {
        matches!(self, VersionRequest::Exact(_))
    }

    /// Whether `version` satisfies the request, ignoring stability.
    pub fn matches(&self, version: &GoVersion) -> bool {
        match self {
            VersionRequest::Latest => true,
            VersionRequest::Series { major, minor } => {
                version.major == *major && minor.as_ref().is_none_or(|m| version.minor == *m)
            }
            VersionRequest::Exact(wanted) => version == wanted,
        }
    }

    /// Whether `version` may be chosen for this request.
    ///
    /// Prereleases are chosen only when asked for: by `allow_unstable` (`--unstable`) or by
    /// naming one exactly. Language versions (`go1.22`) are never releases.
    pub fn admits(&self, version: &GoVersion, allow_unstable: bool) -> bool {
        if !self.matches(version) || version.is_language_version() {
            return false;
        }
        version.is_stable() || allow_unstable || self.is_exact()
    }

    /// The best version among `candidates` for this request: the newest one admitted.
    pub fn select<'a, I>(&self, candidates: I, allow_unstable: bool) -> Option<&'a GoVersion>
    where
        I: IntoIterator<Item = &'a GoVersion>,
    {
        candidates
            .into_iter()
            .filter(|v| self.admits(v, allow_unstable))
            .max()
    }

    /// A version where this request sits among releases, for "nearest" hints.
    pub fn anchor(&self) -> Option<GoVersion> {
        match self {
            VersionRequest::Latest => None,
            VersionRequest::Series { major, minor } => Some(GoVersion {
                major: major.clone(),
                minor: minor.clone().unwrap_or(Number::new(0)),
                patch: None,
                pre: None,
            }),
            VersionRequest::Exact(v) => Some(v.clone()),
        }
    }
}

impl FromStr for VersionRequest {
    type Err = ParseError;

    /// `latest`/`stable`; `1.22`, `go1.22` (a series); `1.22.5`, `go1.22.5`, `1.23rc1`
    /// (exact). With the `go` prefix a name is read as Go names releases, so `go1.20` is
    /// the release go1.20, while `1.20` is the 1.20 series.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let trimmed = input.trim();
        if trimmed.eq_ignore_ascii_case("latest") || trimmed.eq_ignore_ascii_case("stable") {
            return Ok(VersionRequest::Latest);
        }
        let (prefixed, bare) = match trimmed.strip_prefix("go") {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let version: GoVersion = bare.parse().map_err(|mut e: ParseError| {
            e.input = input.to_string();
            e
        })?;
        let (has_minor, has_patch) = shape(bare);
        Ok(match (has_minor, has_patch, version.pre.is_some()) {
            (false, _, _) => VersionRequest::Series {
                major: version.major,
                minor: None,
            },
            (true, false, false) if !prefixed || version.is_language_version() => {
                VersionRequest::Series {
                    major: version.major,
                    minor: Some(version.minor),
                }
            }
            _ => VersionRequest::Exact(version),
        })
    }
}

/// Whether a version text spells a minor and a patch (`1.22.5` → both).
fn shape(text: &str) -> (bool, bool) {
    let numbers = text
        .find(|c: char| c.is_ascii_lowercase())
        .map_or(text, |at| &text[..at]);
    let dots = numbers.matches('.').count();
    (dots >= 1, dots >= 2)
}

impl fmt::Display for VersionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionRequest::Latest => f.write_str("latest"),
            VersionRequest::Series { major, minor: None } => write!(f, "{major}"),
            VersionRequest::Series {
                major,
                minor: Some(minor),
            } => write!(f, "{major}.{minor}"),
            VersionRequest::Exact(v) => {
                // `go1`/`go2` alone read back as a major series; the release is `go1.0`.
                let name = v.to_string();
                if name.contains('.') {
                    f.write_str(&name)
                } else {
                    write!(f, "{name}.0")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
