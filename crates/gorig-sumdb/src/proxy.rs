//! The names and lists go uses to fetch a toolchain as a module: `GOPROXY` read as go
//! reads it (`,` falls through on "not found" only, `|` on any error, `direct` and `off`
//! end the list, a bare `host/path` means https), module paths and versions escaped for
//! URLs (`!` before a lowered capital), and the `golang.org/toolchain` version of a
//! release (`v0.0.1-go1.27.3.linux-amd64`; arm is `arm`, not go.dev's `armv6l`).

/// The module whose versions are Go toolchains.
pub const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

/// One entry of `GOPROXY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyEntry {
    /// A proxy's base URL (`https://`, `http://` or `file://`), without a trailing `/`.
    Url(String),
    /// Fetch from the origin.
    Direct,
    /// Fail: downloads are turned off.
    Off,
}

/// A `GOPROXY` entry and when the one after it is tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    pub entry: ProxyEntry,
    /// `|` after it: the next is tried on any error; `,`: only on 404 or 410.
    pub fall_back_on_any_error: bool,
}

/// Why a `GOPROXY` value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("GOPROXY entry `{0}`: only https, http and file URLs, direct and off are allowed")]
    Scheme(String),
    #[error("GOPROXY is empty: set it to a proxy URL, direct or off")]
    Empty,
}

/// Parses `GOPROXY` as go does (an empty value is go's default).
pub fn parse_goproxy(value: &str) -> Result<Vec<Proxy>, ProxyError> {
    let value = if value.trim().is_empty() {
        "https://proxy.golang.org,direct"
    } else {
        value
    };
    let mut proxies = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let (item, separator, tail) = match rest.find([',', '|']) {
            Some(at) => (&rest[..at], rest.as_bytes()[at], &rest[at + 1..]),
            None => (rest, b',', ""),
        };
        rest = tail;
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let fall_back_on_any_error = separator == b'|';
        let entry = match item {
            "direct" => ProxyEntry::Direct,
            "off" => ProxyEntry::Off,
            url => ProxyEntry::Url(proxy_url(url)?),
        };
        let last = matches!(entry, ProxyEntry::Direct | ProxyEntry::Off);
        proxies.push(Proxy {
            entry,
            fall_back_on_any_error,
        });
        // go ignores what follows direct and off, for future use.
        if last {
            break;
        }
    }
    if proxies.is_empty() {
        return Err(ProxyError::Empty);
    }
    Ok(proxies)
}

fn proxy_url(item: &str) -> Result<String, ProxyError> {
    let url = if item.contains("://") {
        item.to_string()
    } else {
        format!("https://{item}")
    };
    let (scheme, rest) = url.split_once("://").unwrap_or(("", ""));
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "https" | "http" | "file") {
        return Err(ProxyError::Scheme(item.to_string()));
    }
    Ok(format!("{scheme}://{}", rest.trim_end_matches('/')))
}

/// A module path or version as it appears in proxy and database URLs.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The `golang.org/toolchain` version of release `go_version` (`go1.27.3`) for `arch`
/// (go.dev's names: `amd64`, `arm64`, `armv6l`, ...).
pub fn toolchain_version(go_version: &str, arch: &str) -> String {
    let arch = if arch == "armv6l" { "arm" } else { arch };
    format!("v0.0.1-{go_version}.linux-{arch}")
}

/// The directory every entry of that version's zip starts with.
pub fn zip_prefix(version: &str) -> String {
    format!("{TOOLCHAIN_MODULE}@{version}/")
}

/// `<proxy>/golang.org/toolchain/@v/<version>.<ext>`.
pub fn proxy_file_url(proxy: &str, version: &str, ext: &str) -> String {
    format!(
        "{proxy}/{}/@v/{}.{ext}",
        escape(TOOLCHAIN_MODULE),
        escape(version)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(u: &str, any: bool) -> Proxy {
        Proxy {
            entry: ProxyEntry::Url(u.into()),
            fall_back_on_any_error: any,
        }
    }

    #[test]
    fn goproxy_lists_read_as_go_reads_them() {
        assert_eq!(
            parse_goproxy("").unwrap(),
            [
                url("https://proxy.golang.org", false),
                Proxy {
                    entry: ProxyEntry::Direct,
                    fall_back_on_any_error: false
                }
            ]
        );
        assert_eq!(
            parse_goproxy("corp.example/go|https://b.example/,off,https://never.example").unwrap(),
            [
                url("https://corp.example/go", true),
                url("https://b.example", false),
                Proxy {
                    entry: ProxyEntry::Off,
                    fall_back_on_any_error: false
                }
            ]
        );
        assert_eq!(
            parse_goproxy("file:///srv/mirror").unwrap(),
            [url("file:///srv/mirror", false)]
        );
        assert!(parse_goproxy("ftp://x").is_err());
        assert!(parse_goproxy(",,").is_err());
    }

    #[test]
    fn names_are_gos() {
        assert_eq!(
            toolchain_version("go1.22.5", "amd64"),
            "v0.0.1-go1.22.5.linux-amd64"
        );
        assert_eq!(
            toolchain_version("go1.22.5", "armv6l"),
            "v0.0.1-go1.22.5.linux-arm"
        );
        assert_eq!(escape("github.com/Azure/X"), "github.com/!azure/!x");
        assert_eq!(
            proxy_file_url("https://p", "v0.0.1-go1.22.5.linux-amd64", "zip"),
            "https://p/golang.org/toolchain/@v/v0.0.1-go1.22.5.linux-amd64.zip"
        );
    }
}
