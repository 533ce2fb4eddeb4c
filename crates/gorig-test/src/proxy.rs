//! A forward HTTP proxy on loopback for tests: `CONNECT host:port` tunnels (how clients
//! reach https URLs) and absolute-form requests (`GET http://host/path`), behind Basic
//! authentication. It records what it was asked and whether the credentials matched, so
//! tests can tell that traffic went through it, and with which password.
//!
//! Hand-written on `std::net` for the same reason as the mock server: a test proxy must
//! expose its raw view of the requests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the proxy received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxiedRequest {
    /// `CONNECT 127.0.0.1:1234` or `GET http://127.0.0.1:1234/file`.
    pub request_line: String,
    /// Whether the Proxy-Authorization header carried the expected credentials.
    pub authorized: bool,
}

/// The running proxy (its accept thread ends with the process).
pub struct ProxyServer {
    addr: SocketAddr,
    user: String,
    password: String,
    log: Arc<Mutex<Vec<ProxiedRequest>>>,
}

impl ProxyServer {
    /// A proxy that demands `user`/`password` (Basic).
    pub fn start(user: &str, password: &str) -> ProxyServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let expected = format!(
            "Basic {}",
            base64(format!("{user}:{password}").as_bytes(), STANDARD)
        );
        {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let log = Arc::clone(&log);
                    let expected = expected.clone();
                    std::thread::spawn(move || {
                        let _ = serve(stream, &expected, &log);
                    });
                }
            });
        }
        ProxyServer {
            addr,
            user: user.to_string(),
            password: password.to_string(),
            log,
        }
    }

    /// `http://user:password@127.0.0.1:<port>`, as HTTPS_PROXY takes it.
    pub fn url_with_credentials(&self) -> String {
        format!("http://{}:{}@{}", self.user, self.password, self.addr)
    }

    /// The same proxy with another password.
    pub fn url_with_password(&self, password: &str) -> String {
        format!("http://{}:{password}@{}", self.user, self.addr)
    }

    pub fn requests(&self) -> Vec<ProxiedRequest> {
        self.log.lock().unwrap().clone()
    }
}

fn serve(
    client: TcpStream,
    expected: &str,
    log: &Mutex<Vec<ProxiedRequest>>,
) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let request_line = request_line.trim_end().to_string();
    let mut headers = Vec::new();
    let mut authorized = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        let line = line.trim_end().to_string();
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("proxy-authorization") => {
                authorized = value.trim() == expected;
            }
            Some((name, _)) if name.eq_ignore_ascii_case("proxy-connection") => {}
            _ => headers.push(line),
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    log.lock().unwrap().push(ProxiedRequest {
        request_line: format!("{method} {target}"),
        authorized,
    });
    let mut client = client;
    if !authorized {
        write!(
            client,
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        return Ok(());
    }
    if method == "CONNECT" {
        let upstream = TcpStream::connect(&target)?;
        write!(client, "HTTP/1.1 200 Connection established\r\n\r\n")?;
        // Bytes the reader buffered past the head belong to the tunnel.
        let buffered = reader.buffer().to_vec();
        let mut up_writer = upstream.try_clone()?;
        up_writer.write_all(&buffered)?;
        return pipe(reader.into_inner(), client, upstream);
    }
    // Absolute form: GET http://host:port/path HTTP/1.1
    let rest = target.strip_prefix("http://").unwrap_or(&target);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut upstream = TcpStream::connect(authority)?;
    write!(upstream, "{method} /{path} HTTP/1.1\r\n")?;
    for header in headers {
        write!(upstream, "{header}\r\n")?;
    }
    write!(upstream, "\r\n")?;
    let mut response = Vec::new();
    upstream.read_to_end(&mut response)?;
    client.write_all(&response)?;
    Ok(())
}

/// Copies both ways until either side closes.
fn pipe(
    client_read: TcpStream,
    client_write: TcpStream,
    upstream: TcpStream,
) -> std::io::Result<()> {
    let mut up_read = upstream.try_clone()?;
    let mut up_write = upstream;
    let mut client_read = client_read;
    let mut client_write = client_write;
    let forward = std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Write);
    let _ = forward.join();
    Ok(())
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (for Basic credentials).
pub(crate) fn base64(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_rfc_examples() {
        assert_eq!(super::base64(b"foobar", super::STANDARD), "Zm9vYmFy");
        assert_eq!(super::base64(b"fooba", super::STANDARD), "Zm9vYmE=");
        assert_eq!(super::base64(b"foob", super::STANDARD), "Zm9vYg==");
    }
}
