//! Go release versions and the requests users make for them.
//!
//! A [`GoVersion`] is the name Go gives a toolchain release (`go1.20`, `go1.21.0`,
//! `go1.21rc2`, `go1.22beta1`, `go1.22.5`). A [`VersionRequest`] is what a user types
//! (`latest`, `1.22`, `1.22.5`, `go1.23rc1`) and is resolved against the versions a
//! release index or the store offers.
//!
//! Go's naming changed in 1.21: before it, the first release of a series had no patch
//! number (`go1.20`, then `go1.20.1`); from 1.21 on the first release is `go1.21.0` and
//! `go1.21` names the language version, which sorts before every prerelease of the
//! series. This crate encodes that rule once, so `1.20.0` and `go1.20` are the same
//! release and `go1.21 < go1.21rc1 < go1.21.0`, exactly as `go/version.Compare` orders
//! them. The crate does no I/O.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// The first minor version of Go 1 whose first release carries an explicit `.0`.
const FIRST_MINOR_WITH_DOT_ZERO: u32 = 21;

/// A prerelease tag of a Go release: `beta1`, `rc2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PreRelease {
    Beta(u32),
    Rc(u32),
}

/// A Go toolchain version as Go names it, e.g. `go1.22.5` or `go1.23rc1`.
///
/// Values are normalised on construction (`go1.20.0` becomes `go1.20`), so equality is
/// equality of the release they name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoVersion {
    major: u32,
    minor: u32,
    patch: Option<u32>,
    pre: Option<PreRelease>,
}

/// Why a version or request string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a Go version: {reason}")]
pub struct ParseError {
    pub input: String,
    pub reason: &'static str,
}

impl GoVersion {
    /// A final release `go<major>.<minor>.<patch>` (normalised for pre-1.21 series).
    pub fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self::normalised(major, minor, Some(patch), None)
    }

    /// A prerelease such as `go1.23rc1`.
    pub fn prerelease(major: u32, minor: u32, pre: PreRelease) -> Self {
        Self::normalised(major, minor, None, Some(pre))
    }

    fn normalised(major: u32, minor: u32, patch: Option<u32>, pre: Option<PreRelease>) -> Self {
        let patch = match patch {
            Some(0) if has_no_dot_zero(major, minor) => None,
            other => other,
        };
        Self {
            major,
            minor,
            patch,
            pre,
        }
    }

    pub fn major(&self) -> u32 {
        self.major
    }

    pub fn minor(&self) -> u32 {
        self.minor
    }

    /// The patch number of a final release (`0` for `go1.20`), `None` for prereleases and
    /// language versions.
    pub fn patch(&self) -> Option<u32> {
        match (self.pre, self.patch) {
            (Some(_), _) => None,
            (None, Some(p)) => Some(p),
            (None, None) if has_no_dot_zero(self.major, self.minor) => Some(0),
            (None, None) => None,
        }
    }

    /// True for a final release (not beta, rc, or a bare language version like `go1.22`).
    pub fn is_stable(&self) -> bool {
        self.pre.is_none() && !self.is_language_version()
    }

    /// True for a beta or release candidate.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some()
    }

    /// True for `go1.21`-style names from 1.21 on: a language version, never a release.
    pub fn is_language_version(&self) -> bool {
        self.pre.is_none() && self.patch.is_none() && !has_no_dot_zero(self.major, self.minor)
    }

    /// The `major.minor` series this version belongs to, e.g. `1.22`.
    pub fn series(&self) -> (u32, u32) {
        (self.major, self.minor)
    }

    /// The sort key that makes ordering match `go/version.Compare`.
    fn sort_key(&self) -> (u32, u32, u8, u32) {
        match (self.pre, self.patch) {
            (Some(PreRelease::Beta(n)), _) => (self.major, self.minor, 1, n),
            (Some(PreRelease::Rc(n)), _) => (self.major, self.minor, 2, n),
            (None, _) if self.is_language_version() => (self.major, self.minor, 0, 0),
            (None, patch) => (self.major, self.minor, 3, patch.unwrap_or(0)),
        }
    }
}

/// Whether the first release of a series is named without `.0` (`go1.20`, not `go1.20.0`).
fn has_no_dot_zero(major: u32, minor: u32) -> bool {
    major == 1 && minor < FIRST_MINOR_WITH_DOT_ZERO
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Go 1.0 was released as plain `go1`.
        if self.major == 1 && self.minor == 0 && self.patch.is_none() && self.pre.is_none() {
            return f.write_str("go1");
        }
        write!(f, "go{}.{}", self.major, self.minor)?;
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        match self.pre {
            Some(PreRelease::Beta(n)) => write!(f, "beta{n}"),
            Some(PreRelease::Rc(n)) => write!(f, "rc{n}"),
            None => Ok(()),
        }
    }
}

/// The pieces of `[go]MAJOR[.MINOR[.PATCH]][betaN|rcN]` before they are given meaning.
struct Parts {
    major: u32,
    minor: Option<u32>,
    patch: Option<u32>,
    pre: Option<PreRelease>,
}

fn parse_number(digits: &str, input: &str) -> Result<u32, ParseError> {
    let error = |reason| ParseError {
        input: input.to_string(),
        reason,
    };
    if digits.is_empty() {
        return Err(error("a number is missing"));
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error(
            "expected digits, dots and an optional beta/rc suffix",
        ));
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(error("numbers may not have leading zeros"));
    }
    digits.parse().map_err(|_| error("a number is too large"))
}

fn parse_parts(input: &str) -> Result<Parts, ParseError> {
    let error = |reason| ParseError {
        input: input.to_string(),
        reason,
    };
    let text = input.trim();
    let text = text.strip_prefix("go").unwrap_or(text);
    if text.is_empty() {
        return Err(error("it is empty"));
    }
    let (numbers, pre) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        None => (text, None),
        Some(at) => {
            let (numbers, suffix) = text.split_at(at);
            let pre = if let Some(n) = suffix.strip_prefix("beta") {
                PreRelease::Beta(parse_number(n, input)?)
            } else if let Some(n) = suffix.strip_prefix("rc") {
                PreRelease::Rc(parse_number(n, input)?)
            } else {
                return Err(error("the only suffixes Go uses are betaN and rcN"));
            };
            (numbers, Some(pre))
        }
    };
    let mut fields = numbers.split('.');
    let major = parse_number(fields.next().unwrap_or(""), input)?;
    let minor = fields.next().map(|f| parse_number(f, input)).transpose()?;
    let patch = fields.next().map(|f| parse_number(f, input)).transpose()?;
    if fields.next().is_some() {
        return Err(error("it has more than three numbers"));
    }
    if pre.is_some() && patch.is_some() {
        return Err(error("a beta or rc has no patch number (e.g. go1.23rc1)"));
    }
    if pre.is_some() && minor.is_none() {
        return Err(error("a beta or rc needs a minor version (e.g. go1.23rc1)"));
    }
    Ok(Parts {
        major,
        minor,
        patch,
        pre,
    })
}

impl FromStr for GoVersion {
    type Err = ParseError;

    /// Reads `go1.22.5`, `1.22.5`, `go1.21rc2`, `go1.20`, `go1`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let parts = parse_parts(input)?;
        Ok(Self::normalised(
            parts.major,
            parts.minor.unwrap_or(0),
            parts.patch,
            parts.pre,
        ))
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VersionRequest {
    /// `latest`: the newest stable release (newest of all with `--unstable`).
    Latest,
    /// `1.22` or `go1.22`: the newest stable release of that series; `1`: of that major.
    Series { major: u32, minor: Option<u32> },
    /// `1.22.5`, `go1.22.5`, `1.23rc1`: exactly that release.
    Exact(GoVersion),
}

impl VersionRequest {
    /// True when the request names one release exactly.
    pub fn is_exact(&self) -> bool {
        matches!(self, VersionRequest::Exact(_))
    }

    /// Whether `version` satisfies the request, ignoring stability.
    pub fn matches(&self, version: &GoVersion) -> bool {
        match *self {
            VersionRequest::Latest => true,
            VersionRequest::Series { major, minor } => {
                version.major == major && minor.is_none_or(|m| version.minor == m)
            }
            VersionRequest::Exact(wanted) => *version == wanted,
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
}

impl FromStr for VersionRequest {
    type Err = ParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let trimmed = input.trim();
        if trimmed.eq_ignore_ascii_case("latest") || trimmed.eq_ignore_ascii_case("stable") {
            return Ok(VersionRequest::Latest);
        }
        let parts = parse_parts(trimmed).map_err(|mut e| {
            e.input = input.to_string();
            e
        })?;
        Ok(match parts {
            Parts {
                major,
                minor,
                patch: None,
                pre: None,
            } => VersionRequest::Series { major, minor },
            Parts {
                major,
                minor,
                patch,
                pre,
            } => {
                VersionRequest::Exact(GoVersion::normalised(major, minor.unwrap_or(0), patch, pre))
            }
        })
    }
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
            // `go1.20` alone would read back as the 1.20 series; the release it names
            // is `go1.20.0` (found by fuzzing).
            VersionRequest::Exact(v) if v.patch.is_none() && v.pre.is_none() => {
                write!(f, "go{}.{}.0", v.major, v.minor)
            }
            VersionRequest::Exact(v) => write!(f, "{v}"),
        }
    }
}

#[cfg(test)]
mod tests;
