//! Opening a [`Location`] for reading: HTTP(S) through one configured `ureq` agent, or a
//! local file. Both return the same errors, so mirror fallback treats a missing file on
//! disk like an HTTP 404.

use std::io::{self, Read};
use std::time::Duration;

use crate::{FetchError, Location};

/// How the HTTP client behaves. Resolved by the binary from flags, environment and config.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// The longest wait for any single read; a stalled server is abandoned after it.
    pub read_timeout: Duration,
    /// An `http://`, `https://` or `socks5://` proxy for every request not excluded below.
    pub proxy: Option<String>,
    /// Hosts that bypass the proxy (`NO_PROXY` syntax: `host`, `.suffix`, `*`).
    pub no_proxy: Vec<String>,
    /// Which certificate authorities HTTPS servers are checked against.
    pub trust: TrustRoots,
}

/// The certificate authorities to trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustRoots {
    /// The host's trust store (so a corporate CA installed there is honoured).
    System,
    /// Mozilla's roots compiled into gorig, for hosts without a trust store (minimal
    /// containers, a static binary on a bare system).
    Bundled,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            user_agent: concat!("gorig/", env!("CARGO_PKG_VERSION")).to_string(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            proxy: None,
            no_proxy: Vec::new(),
            trust: TrustRoots::Bundled,
        }
    }
}

/// An opened source of bytes.
pub struct Opened {
    pub reader: Box<dyn Read + Send>,
    /// The length the server or the file system announced.
    pub length: Option<u64>,
}

/// Reads locations over HTTP(S) or from disk.
pub struct Client {
    direct: ureq::Agent,
    proxied: Option<ureq::Agent>,
    no_proxy: Vec<String>,
}

impl Client {
    pub fn new(config: &ClientConfig) -> Result<Client, FetchError> {
        let direct = agent(config, None)?;
        let proxied = match &config.proxy {
            Some(url) => {
                let proxy = ureq::Proxy::new(url).map_err(|e| {
                    FetchError::Client(format!(
                        "the proxy `{}` is not usable: {e}",
                        crate::redact(url)
                    ))
                })?;
                Some(agent(config, Some(proxy))?)
            }
            None => None,
        };
        Ok(Client {
            direct,
            proxied,
            no_proxy: config.no_proxy.clone(),
        })
    }

    /// Opens `location` for reading.
    pub fn open(&self, location: &Location) -> Result<Opened, FetchError> {
        match location {
            Location::File(path) => {
                let file = std::fs::File::open(path).map_err(|e| match e.kind() {
                    io::ErrorKind::NotFound => FetchError::NotFound {
                        url: location.to_string(),
                    },
                    _ => FetchError::io("read", path, e),
                })?;
                let length = file.metadata().ok().map(|m| m.len());
                Ok(Opened {
                    reader: Box::new(file),
                    length,
                })
            }
            Location::Http(url) => self.get(url, location),
        }
    }

    /// Reads a whole small document (an index, a digest file) of at most `limit` bytes.
    pub fn read_small(
        &self,
        location: &Location,
        limit: u64,
        what: &str,
    ) -> Result<Vec<u8>, FetchError> {
        let opened = self.open(location)?;
        let mut bytes = Vec::new();
        opened
            .reader
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| FetchError::Interrupted {
                url: location.to_string(),
                received: bytes.len() as u64,
                source,
            })?;
        if bytes.len() as u64 > limit {
            return Err(FetchError::TooLarge {
                filename: what.to_string(),
                url: location.to_string(),
                limit,
            });
        }
        Ok(bytes)
    }

    fn get(&self, url: &str, location: &Location) -> Result<Opened, FetchError> {
        let agent = match &self.proxied {
            Some(proxied) if !bypasses_proxy(url, &self.no_proxy) => proxied,
            _ => &self.direct,
        };
        let shown = location.to_string();
        let response = agent.get(url).call().map_err(|e| classify(&shown, e))?;
        let status = response.status().as_u16();
        match status {
            200 => {}
            404 | 410 => return Err(FetchError::NotFound { url: shown }),
            _ => {
                return Err(FetchError::Status { url: shown, status });
            }
        }
        let body = response.into_body();
        let length = body.content_length();
        Ok(Opened {
            reader: Box::new(body.into_reader()),
            length,
        })
    }
}

fn agent(config: &ClientConfig, proxy: Option<ureq::Proxy>) -> Result<ureq::Agent, FetchError> {
    let roots = match config.trust {
        TrustRoots::System => ureq::tls::RootCerts::PlatformVerifier,
        TrustRoots::Bundled => ureq::tls::RootCerts::WebPki,
    };
    let tls = ureq::tls::TlsConfig::builder().root_certs(roots).build();
    let built = ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .user_agent(config.user_agent.as_str())
        .timeout_connect(Some(config.connect_timeout))
        .timeout_recv_response(Some(config.read_timeout))
        .timeout_per_read(Some(config.read_timeout))
        .proxy(proxy)
        .build();
    Ok(built.into())
}

/// Whether `url`'s host is excluded from proxying by a `NO_PROXY` list.
pub fn bypasses_proxy(url: &str, no_proxy: &[String]) -> bool {
    let host = host_of(url);
    no_proxy.iter().any(|entry| {
        let entry = entry
            .trim()
            .trim_start_matches("*.")
            .trim_start_matches('.');
        !entry.is_empty()
            && (entry == "*"
                || host.eq_ignore_ascii_case(entry)
                || host
                    .to_ascii_lowercase()
                    .ends_with(&format!(".{}", entry.to_ascii_lowercase())))
    })
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(stripped) = host_port.strip_prefix('[') {
        return stripped.split(']').next().unwrap_or("");
    }
    host_port.split(':').next().unwrap_or("")
}

/// Turns a ureq error into the fetch error that carries the fallback policy.
fn classify(url: &str, error: ureq::Error) -> FetchError {
    match error {
        ureq::Error::Timeout(which) => FetchError::Timeout {
            url: url.to_string(),
            detail: format!("{which:?} timeout").to_lowercase(),
        },
        ureq::Error::StatusCode(status) => FetchError::Status {
            url: url.to_string(),
            status,
        },
        ureq::Error::Io(e) if e.kind() == io::ErrorKind::TimedOut => FetchError::Timeout {
            url: url.to_string(),
            detail: e.to_string(),
        },
        other => FetchError::Connect {
            url: url.to_string(),
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matches_hosts_and_suffixes() {
        let list = vec!["localhost".to_string(), ".corp.example".to_string()];
        assert!(bypasses_proxy("http://localhost:8080/x", &list));
        assert!(bypasses_proxy("https://mirror.corp.example/go/", &list));
        assert!(bypasses_proxy(
            "https://user:pw@mirror.corp.example/go/",
            &list
        ));
        assert!(!bypasses_proxy("https://dl.google.com/go/", &list));
        assert!(bypasses_proxy("https://dl.google.com/", &["*".to_string()]));
        assert_eq!(host_of("http://[::1]:80/"), "::1");
    }
}
