//! Opening a [`Location`] for reading: HTTP(S) through one configured `ureq` agent, or a
//! local file. Both return the same errors, so mirror fallback treats a missing file on
//! disk like an HTTP 404.

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts};

use crate::{FetchError, Location};

/// How the HTTP client behaves. Resolved by the binary from flags, environment and config.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub user_agent: String,
    pub connect_timeout: Duration,
    /// The longest wait for any single read; a stalled server is abandoned after it.
    pub read_timeout: Duration,
    /// The proxy (`http://`, `https://` or `socks5://`, credentials allowed) for https URLs:
    /// `HTTPS_PROXY`, else `ALL_PROXY`, as curl does.
    pub https_proxy: Option<String>,
    /// The proxy for plain http URLs: `HTTP_PROXY`, else `ALL_PROXY`.
    pub http_proxy: Option<String>,
    /// Hosts that bypass the proxy (`NO_PROXY` syntax: `host`, `.suffix`, `*`).
    pub no_proxy: Vec<String>,
    /// Which certificate authorities HTTPS servers are checked against.
    pub trust: TrustRoots,
    /// A PEM bundle of CA certificates to trust instead of `trust`.
    pub ca_file: Option<PathBuf>,
    /// A PEM client certificate chain for mutual TLS; it may hold the key too.
    pub client_cert: Option<PathBuf>,
    /// The PEM private key of `client_cert`, when it is a separate file.
    pub client_key: Option<PathBuf>,
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
            https_proxy: None,
            http_proxy: None,
            no_proxy: Vec::new(),
            trust: TrustRoots::Bundled,
            ca_file: None,
            client_cert: None,
            client_key: None,
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
    https_proxied: Option<ureq::Agent>,
    http_proxied: Option<ureq::Agent>,
    no_proxy: Vec<String>,
}

impl Client {
    pub fn new(config: &ClientConfig) -> Result<Client, FetchError> {
        let tls = tls_config(config)?;
        let direct = agent(config, &tls, None);
        let proxied = |url: &Option<String>| -> Result<Option<ureq::Agent>, FetchError> {
            let Some(url) = url else {
                return Ok(None);
            };
            let proxy = ureq::Proxy::new(url).map_err(|e| {
                FetchError::Client(format!(
                    "the proxy `{}` is not usable: {}",
                    crate::redact(url),
                    scrub_credentials(&e.to_string())
                ))
            })?;
            Ok(Some(agent(config, &tls, Some(proxy))))
        };
        Ok(Client {
            direct,
            https_proxied: proxied(&config.https_proxy)?,
            http_proxied: proxied(&config.http_proxy)?,
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

    /// Opens `location` again from byte `offset` (after a dropped connection): with a
    /// Range request over HTTP. Returns the reader and the offset it really starts at,
    /// which is 0 when the server ignores ranges and sends the whole file again.
    pub fn open_from(&self, location: &Location, offset: u64) -> Result<(Opened, u64), FetchError> {
        match location {
            Location::File(path) => {
                use std::io::{Seek, SeekFrom};
                let mut file = std::fs::File::open(path).map_err(|e| match e.kind() {
                    io::ErrorKind::NotFound => FetchError::NotFound {
                        url: location.to_string(),
                    },
                    _ => FetchError::io("read", path, e),
                })?;
                let length = file.metadata().ok().map(|m| m.len());
                file.seek(SeekFrom::Start(offset))
                    .map_err(|e| FetchError::io("read", path, e))?;
                Ok((
                    Opened {
                        reader: Box::new(file),
                        length,
                    },
                    offset,
                ))
            }
            Location::Http(url) => {
                let agent = self.agent_for(url);
                let shown = location.to_string();
                let response = agent
                    .get(url)
                    .header("Range", format!("bytes={offset}-"))
                    .call()
                    .map_err(|e| classify(&shown, e))?;
                let status = response.status().as_u16();
                let start = match status {
                    206 => {
                        let range = response
                            .headers()
                            .get("content-range")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("");
                        match content_range_start(range) {
                            Some(start) if start == offset => start,
                            _ => {
                                return Err(FetchError::Status { url: shown, status });
                            }
                        }
                    }
                    200 => 0,
                    404 | 410 => return Err(FetchError::NotFound { url: shown }),
                    _ => return Err(FetchError::Status { url: shown, status }),
                };
                let body = response.into_body();
                let length = body.content_length();
                Ok((
                    Opened {
                        reader: Box::new(body.into_reader()),
                        length,
                    },
                    start,
                ))
            }
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

    fn agent_for(&self, url: &str) -> &ureq::Agent {
        let proxied = if url.starts_with("https://") {
            &self.https_proxied
        } else {
            &self.http_proxied
        };
        match proxied {
            Some(proxied) if !bypasses_proxy(url, &self.no_proxy) => proxied,
            _ => &self.direct,
        }
    }

    fn get(&self, url: &str, location: &Location) -> Result<Opened, FetchError> {
        let agent = self.agent_for(url);
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

/// Reads a PEM file of the TLS settings, naming the setting when it fails.
fn read_pem(path: &PathBuf, what: &str) -> Result<Vec<PemItem<'static>>, FetchError> {
    let bytes = std::fs::read(path).map_err(|e| {
        FetchError::Client(format!("could not read the {what} {}: {e}", path.display()))
    })?;
    ureq::tls::parse_pem(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            FetchError::Client(format!(
                "the {what} {} is not valid PEM: {e}",
                path.display()
            ))
        })
}

fn tls_config(config: &ClientConfig) -> Result<ureq::tls::TlsConfig, FetchError> {
    let roots = match &config.ca_file {
        Some(path) => {
            let certs: Vec<Certificate<'static>> = read_pem(path, "CA file")?
                .into_iter()
                .filter_map(|item| match item {
                    PemItem::Certificate(cert) => Some(cert),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err(FetchError::Client(format!(
                    "the CA file {} holds no certificate",
                    path.display()
                )));
            }
            RootCerts::Specific(Arc::new(certs))
        }
        None => match config.trust {
            TrustRoots::System => RootCerts::PlatformVerifier,
            TrustRoots::Bundled => RootCerts::WebPki,
        },
    };
    let client_cert = match &config.client_cert {
        Some(cert_path) => {
            let mut chain = Vec::new();
            let mut key: Option<PrivateKey<'static>> = None;
            let mut items = read_pem(cert_path, "client certificate")?;
            if let Some(key_path) = &config.client_key {
                items.extend(read_pem(key_path, "client key")?);
            }
            for item in items {
                match item {
                    PemItem::Certificate(cert) => chain.push(cert),
                    PemItem::PrivateKey(k) => key = key.or(Some(k)),
                    _ => {}
                }
            }
            if chain.is_empty() {
                return Err(FetchError::Client(format!(
                    "the client certificate {} holds no certificate",
                    cert_path.display()
                )));
            }
            let Some(key) = key else {
                return Err(FetchError::Client(format!(
                    "no private key for the client certificate {}: pass --client-key FILE, or put the key in the same PEM file",
                    cert_path.display()
                )));
            };
            Some(ClientCert::new_with_certs(&chain, key))
        }
        None if config.client_key.is_some() => {
            return Err(FetchError::Client(
                "--client-key needs --client-cert".to_string(),
            ));
        }
        None => None,
    };
    Ok(ureq::tls::TlsConfig::builder()
        .root_certs(roots)
        .client_cert(client_cert)
        .build())
}

fn agent(
    config: &ClientConfig,
    tls: &ureq::tls::TlsConfig,
    proxy: Option<ureq::Proxy>,
) -> ureq::Agent {
    let built = ureq::Agent::config_builder()
        .tls_config(tls.clone())
        .http_status_as_error(false)
        .user_agent(config.user_agent.as_str())
        .timeout_connect(Some(config.connect_timeout))
        .timeout_recv_response(Some(config.read_timeout))
        .timeout_per_read(Some(config.read_timeout))
        .proxy(proxy)
        .build();
    built.into()
}

/// Hides the `user:password@` of any URL inside `text` (error messages may quote the
/// proxy URL they failed on).
pub fn scrub_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at_sign) => {
                out.push_str("***@");
                out.push_str(&authority[at_sign + 1..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// The first byte of a `Content-Range: bytes START-END/TOTAL` header.
fn content_range_start(header: &str) -> Option<u64> {
    let spec = header.trim().strip_prefix("bytes")?.trim_start();
    let (start, _) = spec.split_once('-')?;
    start.trim().parse().ok()
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
        // The system's own words ("Connection refused"), without ureq's `io: ` label.
        ureq::Error::Io(e) => FetchError::Connect {
            url: url.to_string(),
            detail: scrub_credentials(&e.to_string()),
        },
        other => FetchError::Connect {
            url: url.to_string(),
            detail: scrub_credentials(&other.to_string()),
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

    #[test]
    fn content_range_gives_the_start() {
        assert_eq!(content_range_start("bytes 100-199/200"), Some(100));
        assert_eq!(content_range_start("bytes  5-9/*"), Some(5));
        assert_eq!(content_range_start("items 1-2/3"), None);
        assert_eq!(content_range_start("bytes */200"), None);
    }

    #[test]
    fn credentials_are_scrubbed_from_any_text() {
        assert_eq!(
            scrub_credentials("proxy http://alice:s3cret@proxy.corp:3128 refused; see https://x/y"),
            "proxy http://***@proxy.corp:3128 refused; see https://x/y"
        );
        assert_eq!(scrub_credentials("no urls here"), "no urls here");
        assert_eq!(scrub_credentials("socks5://u@h"), "socks5://***@h");
    }
}
