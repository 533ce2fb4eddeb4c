//! Where archives and indexes come from: mirrors (an http(s) base URL, a `file://` URL or
//! a plain directory) and the locations of single files under them.
//!
//! URLs may carry credentials (`https://user:token@mirror/go/`); they are kept for the
//! request and removed from everything shown to people ([`redact`]).

use std::fmt;
use std::path::PathBuf;

use crate::FetchError;

/// go.dev's index of every release.
pub const DEFAULT_INDEX_URL: &str = "https://go.dev/dl/?mode=json&include=all";
/// Where go.dev's download links lead.
pub const DEFAULT_DOWNLOAD_BASE: &str = "https://dl.google.com/go/";

/// A base under which `<filename>` lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mirror {
    /// An http or https base URL, always ending in `/`.
    Http(String),
    /// A local directory (from `file://` or a plain path).
    Dir(PathBuf),
}

/// One file to read: a URL or a local path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Http(String),
    File(PathBuf),
}

impl Mirror {
    /// Reads `https://host/go/`, `http://...`, `file:///srv/go` or `/srv/go`.
    pub fn parse(text: &str) -> Result<Mirror, FetchError> {
        let text = text.trim();
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            let rest = &text[text.find("://").map_or(0, |i| i + 3)..];
            if rest.is_empty() || rest.starts_with('/') {
                return Err(FetchError::BadMirror(redact(text)));
            }
            let mut base = text.to_string();
            if !base.ends_with('/') {
                base.push('/');
            }
            return Ok(Mirror::Http(base));
        }
        if let Some(path) = text.strip_prefix("file://") {
            let path = percent_decode(path);
            if !path.starts_with('/') {
                return Err(FetchError::BadMirror(text.to_string()));
            }
            return Ok(Mirror::Dir(PathBuf::from(path)));
        }
        if text.is_empty() || text.contains("://") {
            return Err(FetchError::BadMirror(redact(text)));
        }
        Ok(Mirror::Dir(PathBuf::from(text)))
    }

    /// The default download base, `https://dl.google.com/go/`.
    pub fn official() -> Mirror {
        Mirror::Http(DEFAULT_DOWNLOAD_BASE.to_string())
    }

    /// The location of `filename` under this mirror. `filename` must be a plain name.
    pub fn file(&self, filename: &str) -> Location {
        match self {
            Mirror::Http(base) => Location::Http(format!("{base}{filename}")),
            Mirror::Dir(dir) => Location::File(dir.join(filename)),
        }
    }

    /// Where this mirror's release index may be, in the order to try them: go.dev's
    /// dynamic form first, then the static `index.json`.
    pub fn index_locations(&self) -> Vec<Location> {
        match self {
            Mirror::Http(base) => vec![
                Location::Http(format!("{base}?mode=json&include=all")),
                Location::Http(format!("{base}index.json")),
            ],
            Mirror::Dir(dir) => vec![Location::File(dir.join("index.json"))],
        }
    }
}

impl fmt::Display for Mirror {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mirror::Http(url) => f.write_str(&redact(url)),
            Mirror::Dir(dir) => write!(f, "{}", dir.display()),
        }
    }
}

impl Location {
    /// Reads an index location given by the user: a URL, `file://` URL or a path.
    pub fn parse(text: &str) -> Result<Location, FetchError> {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            return Ok(Location::Http(text.to_string()));
        }
        if let Some(path) = text.strip_prefix("file://") {
            return Ok(Location::File(PathBuf::from(percent_decode(path))));
        }
        if text.contains("://") || text.is_empty() {
            return Err(FetchError::BadMirror(redact(text)));
        }
        Ok(Location::File(PathBuf::from(text)))
    }
}

impl fmt::Display for Location {
    /// The location as people may see it: without credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Http(url) => f.write_str(&redact(url)),
            Location::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// `url` without a `user:password@` part, for messages and logs.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    match url[authority_start..authority_end].rfind('@') {
        Some(at) => format!(
            "{}***@{}",
            &url[..authority_start],
            &url[authority_start + at + 1..]
        ),
        None => url.to_string(),
    }
}

/// Decodes `%XX` escapes of a `file://` path; invalid escapes are kept as they are.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_mirror_form() {
        assert_eq!(
            Mirror::parse("https://mirror.example/go").ok(),
            Some(Mirror::Http("https://mirror.example/go/".into()))
        );
        assert_eq!(
            Mirror::parse("http://127.0.0.1:8080/").ok(),
            Some(Mirror::Http("http://127.0.0.1:8080/".into()))
        );
        assert_eq!(
            Mirror::parse("file:///srv/go%20mirror").ok(),
            Some(Mirror::Dir("/srv/go mirror".into()))
        );
        assert_eq!(
            Mirror::parse("/srv/go").ok(),
            Some(Mirror::Dir("/srv/go".into()))
        );
        for bad in [
            "ftp://x/",
            "https://",
            "https:///path",
            "",
            "file://relative",
        ] {
            assert!(Mirror::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn builds_file_and_index_locations() {
        let http = Mirror::parse("https://m.example/go").expect("mirror");
        assert_eq!(
            http.file("go1.22.5.linux-amd64.tar.gz"),
            Location::Http("https://m.example/go/go1.22.5.linux-amd64.tar.gz".into())
        );
        assert_eq!(
            http.index_locations(),
            vec![
                Location::Http("https://m.example/go/?mode=json&include=all".into()),
                Location::Http("https://m.example/go/index.json".into()),
            ]
        );
        let dir = Mirror::parse("/srv/go").expect("mirror");
        assert_eq!(
            dir.index_locations(),
            vec![Location::File("/srv/go/index.json".into())]
        );
    }

    #[test]
    fn credentials_never_show() {
        assert_eq!(
            redact("https://user:s3cret@m.example/go/x?y=1"),
            "https://***@m.example/go/x?y=1"
        );
        assert_eq!(redact("https://m.example/a@b"), "https://m.example/a@b");
        let mirror = Mirror::parse("https://user:s3cret@m.example/go").expect("mirror");
        assert!(!mirror.to_string().contains("s3cret"));
        assert!(!mirror.file("f").to_string().contains("s3cret"));
    }
}
