//! The errors of fetching and unpacking, and the policy that hangs on them: which ones
//! let the next mirror be tried and which ones must stop the install.

use std::io;
use std::path::PathBuf;

/// An error and its causes on one line (`a: b: c`), for lists of attempts and events,
/// where there is no room for the `caused by:` lines.
pub fn one_line(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let line = inner.to_string();
        // A message that already ends with its cause (as some foreign errors do) is
        // not repeated.
        if !text.ends_with(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        cause = inner.source();
    }
    text
}

/// Everything that can go wrong while fetching an index or an archive.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url} was not found (HTTP 404 or no such file)")]
    NotFound { url: String },

    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },

    #[error("GOPROXY=off: toolchain downloads through GOPROXY are turned off")]
    GoproxyOff,

    #[error(
        "GOSUMDB=off, but go toolchains are always checked against the checksum database (go refuses them too)"
    )]
    SumDbOff,

    #[error("GOSUMDB `{value}`: {detail}")]
    BadGosumdb { value: String, detail: String },

    #[error("the checksum database does not vouch for golang.org/toolchain@{version}: {detail}")]
    SumDb { version: String, detail: String },

    #[error(
        "{file} from {url} does not hash to what the checksum database records\n  expected: {expected}\n  actual:   {actual}"
    )]
    ZipHashMismatch {
        file: String,
        url: String,
        expected: String,
        actual: String,
    },

    #[error("could not connect to {url}: {detail}")]
    Connect { url: String, detail: String },

    #[error("{url} timed out ({detail})")]
    Timeout { url: String, detail: String },

    #[error("reading {url} failed after {received} bytes")]
    Interrupted {
        url: String,
        received: u64,
        #[source]
        source: io::Error,
    },

    #[error(
        "checksum mismatch for {filename} from {url}\n  expected sha256: {expected}\n  actual sha256:   {actual}{sizes}"
    )]
    ChecksumMismatch {
        filename: String,
        url: String,
        expected: String,
        actual: String,
        /// Expected and actual sizes when they differ, as extra lines; else empty.
        sizes: String,
    },

    #[error("{url} is not a SHA-256 digest file (expected 64 hex digits first)")]
    BadDigestFile { url: String },

    #[error("{url} sent more than the {limit} bytes allowed for {filename}")]
    TooLarge {
        filename: String,
        url: String,
        limit: u64,
    },

    #[error("the archive {filename} is not an official Go archive")]
    Archive {
        filename: String,
        #[source]
        source: ExtractError,
    },

    /// Unpacking failed to write a file: a disk or permission problem of this machine,
    /// not a fault of the archive.
    #[error(
        "could not write {} while unpacking {filename}{}",
        path.display(),
        free.map(|f| format!(" ({} free on that filesystem)", human_bytes(f))).unwrap_or_default()
    )]
    Unpack {
        filename: String,
        path: PathBuf,
        /// Bytes available to this user on the filesystem, when it could be read.
        free: Option<u64>,
        #[source]
        source: io::Error,
    },

    #[error("could not {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(transparent)]
    Index(#[from] gorig_index::IndexError),

    #[error("the mirror `{0}` is not an http(s) URL, a file:// URL or a directory")]
    BadMirror(String),

    #[error("the HTTP client could not be set up: {0}")]
    Client(String),

    /// `what`: the file wanted (`the release index` or an archive's name); `local`: every
    /// source was a directory on this machine, so no network was involved.
    #[error("every source failed:\n{}", .attempts.iter().map(|a| format!("  - {a}")).collect::<Vec<_>>().join("\n"))]
    AllSourcesFailed {
        what: String,
        attempts: Vec<String>,
        local: bool,
    },

    #[error(
        "offline: the cached {filename} does not match the release index\n  the index publishes sha256: {index}\n  the cached copy has sha256:  {cached}"
    )]
    CachedDigestDiffers {
        filename: String,
        index: String,
        cached: String,
    },

    #[error("offline: {what} is not in the cache ({})", cache.display())]
    NotCached { what: String, cache: PathBuf },

    #[error("the OpenPGP signature of {filename} ({url}) does not verify")]
    Signature {
        filename: String,
        url: String,
        #[source]
        source: Box<crate::signature::SignatureError>,
    },

    #[error("no OpenPGP signature for {filename} was found:\n{}", .tried.iter().map(|a| format!("  - {a}")).collect::<Vec<_>>().join("\n"))]
    SignatureMissing {
        filename: String,
        tried: Vec<String>,
    },

    #[error("the release keys could not be refreshed: {0}")]
    KeyRefresh(String),

    #[error("could not read the keyring {}", path.display())]
    KeyringUnreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("the keyring {} holds no usable OpenPGP key", path.display())]
    KeyringInvalid {
        path: PathBuf,
        #[source]
        source: Box<crate::signature::SignatureError>,
    },
}

impl FetchError {
    /// Whether another mirror may be tried after this error. A checksum mismatch never
    /// falls back silently: the bytes were wrong, and another copy hides nothing.
    pub fn try_next_mirror(&self) -> bool {
        match self {
            FetchError::NotFound { .. }
            | FetchError::Connect { .. }
            | FetchError::Timeout { .. }
            | FetchError::Interrupted { .. }
            | FetchError::BadDigestFile { .. } => true,
            FetchError::Status { status, .. } => *status >= 500 || matches!(status, 408 | 429),
            _ => false,
        }
    }

    /// Whether the same source may succeed if asked again shortly (a timeout, a dropped
    /// connection, a server error or rate limit), so it is retried with backoff before
    /// the next mirror. A refused connection or a missing file is not: the next mirror
    /// is the better bet.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Timeout { .. } | FetchError::Interrupted { .. } => true,
            FetchError::Status { status, .. } => *status >= 500 || matches!(status, 408 | 429),
            _ => false,
        }
    }

    /// The underlying I/O error kind of a local filesystem failure.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            FetchError::Io { source, .. } | FetchError::Unpack { source, .. } => {
                Some(source.kind())
            }
            FetchError::Archive {
                source: ExtractError::Write { source, .. },
                ..
            } => Some(source.kind()),
            _ => None,
        }
    }

    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        FetchError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

/// `1.5 GiB`, `300 MiB`, `12 KiB`, `512 bytes`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            return format!("{:.1} {unit}", bytes as f64 / size as f64);
        }
    }
    format!("{bytes} bytes")
}

/// Why an archive was refused or could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("the gzip or tar stream is corrupt at {at}")]
    Corrupt {
        /// Which entry (or its data) was being read.
        at: String,
        #[source]
        source: io::Error,
    },

    #[error("entry `{name}`: {reason}")]
    Refused { name: String, reason: String },

    #[error(
        "more than {limit} entries (raise the limit with GORIG_MAX_ENTRIES if this is expected)"
    )]
    TooManyEntries { limit: u64 },

    #[error(
        "more than {limit} bytes unpacked (raise the limit with GORIG_MAX_UNPACKED if this is expected)"
    )]
    TooLarge { limit: u64 },

    #[error("the archive holds no files under go/")]
    Empty,

    #[error("could not write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl ExtractError {
    pub(crate) fn corrupt(at: &str, source: io::Error) -> Self {
        ExtractError::Corrupt {
            at: at.to_string(),
            source,
        }
    }

    pub(crate) fn refused(name: &str, reason: impl Into<String>) -> Self {
        ExtractError::Refused {
            name: name.to_string(),
            reason: reason.into(),
        }
    }
}
