//! A loopback HTTP/1.1 server for tests: serves a directory like a static mirror, answers
//! go.dev's `?mode=json&include=all` from `index.json` when asked to, logs requests, and
//! injects faults per path (status codes, dropped connections, stalls).
//!
//! Hand-written on `std::net` rather than a server crate because the faults are about raw
//! bytes on the socket (a body cut short after N bytes, headers then silence), which
//! general-purpose servers exist to prevent.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A misbehaviour for one path.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and a short body.
    Status(u16),
    /// Send headers announcing the full length, then this many body bytes, then close.
    DropAfter(usize),
    /// Send headers and this many body bytes, then go silent for a minute.
    StallAfter(usize),
    /// Serve these bytes instead of the file.
    Body(Vec<u8>),
    /// Send headers, then `bytes` body bytes every `every`, forever (a trickling server).
    Trickle { bytes: usize, every: Duration },
}

#[derive(Default)]
struct State {
    root: PathBuf,
    dynamic_index: bool,
    /// A fault and how many more requests it applies to (`None`: all of them).
    faults: HashMap<String, (Fault, Option<usize>)>,
    requests: Vec<String>,
    /// `Range:` headers received, in order.
    ranges: Vec<String>,
    /// Whether `Range: bytes=N-` is honoured with a 206.
    no_ranges: bool,
}

/// The running server; stops when dropped.
pub struct MockServer {
    addr: SocketAddr,
    tls: bool,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl MockServer {
    /// Serves the files of `root` (a static mirror: no dynamic index).
    pub fn serve_dir(root: impl Into<PathBuf>) -> MockServer {
        MockServer::start(root.into(), None)
    }

    /// Serves the files of `root` over HTTPS with `config` (see `TestPki`); a client
    /// that fails the handshake (unknown CA, no client certificate when one is
    /// required) is logged as a request `TLS handshake failed`.
    pub fn serve_dir_tls(
        root: impl Into<PathBuf>,
        config: Arc<rustls::ServerConfig>,
    ) -> MockServer {
        MockServer::start(root.into(), Some(config))
    }

    fn start(root: PathBuf, tls: Option<Arc<rustls::ServerConfig>>) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            root,
            ..State::default()
        }));
        let is_tls = tls.is_some();
        let stop = Arc::new(AtomicBool::new(false));
        {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let state = Arc::clone(&state);
                    let tls = tls.clone();
                    std::thread::spawn(move || {
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                        match tls {
                            None => {
                                let _ = handle(stream, &state);
                            }
                            Some(config) => {
                                let Ok(connection) = rustls::ServerConnection::new(config) else {
                                    return;
                                };
                                let mut tls_stream = rustls::StreamOwned::new(connection, stream);
                                // Complete the handshake first, so a refused client is
                                // seen as such rather than as an empty request.
                                while tls_stream.conn.is_handshaking() {
                                    if tls_stream.conn.complete_io(&mut tls_stream.sock).is_err() {
                                        state
                                            .lock()
                                            .unwrap()
                                            .requests
                                            .push("TLS handshake failed".to_string());
                                        return;
                                    }
                                }
                                let _ = handle(tls_stream, &state);
                            }
                        }
                    });
                }
            });
        }
        MockServer {
            addr,
            tls: is_tls,
            state,
            stop,
        }
    }

    /// `http://127.0.0.1:<port>/` (https for a TLS server).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}/", self.addr)
    }

    /// Also answer `/?mode=json...` with `index.json`, as go.dev does.
    pub fn with_dynamic_index(self) -> MockServer {
        self.state.lock().unwrap().dynamic_index = true;
        self
    }

    /// Injects `fault` for requests whose path (with query) is `path`, e.g. `/go1.22.5...`.
    pub fn fault(&self, path: &str, fault: Fault) {
        self.state
            .lock()
            .unwrap()
            .faults
            .insert(path.to_string(), (fault, None));
    }

    /// Injects `fault` for the next `times` requests of `path` only.
    pub fn fault_times(&self, path: &str, fault: Fault, times: usize) {
        self.state
            .lock()
            .unwrap()
            .faults
            .insert(path.to_string(), (fault, Some(times)));
    }

    /// Ignore `Range` headers and always send the whole file (200), as some servers do.
    pub fn without_ranges(self) -> MockServer {
        self.state.lock().unwrap().no_ranges = true;
        self
    }

    /// The `Range` headers received so far.
    pub fn ranges(&self) -> Vec<String> {
        self.state.lock().unwrap().ranges.clone()
    }

    pub fn clear_faults(&self) {
        self.state.lock().unwrap().faults.clear();
    }

    /// Every request target received so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    /// A URL on loopback where nothing listens (connection refused).
    pub fn dead_url() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/")
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

fn handle<S: Read + Write>(stream: S, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut range_start: Option<usize> = None;
    let mut range_header = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("range")
        {
            let value = value.trim().to_string();
            range_start = value
                .strip_prefix("bytes=")
                .and_then(|v| v.strip_suffix('-'))
                .and_then(|v| v.parse().ok());
            range_header = Some(value);
        }
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let (fault, body, no_ranges) = {
        let mut state = state.lock().unwrap();
        state.requests.push(target.clone());
        if let Some(range) = range_header {
            state.ranges.push(range);
        }
        let fault = match state.faults.get_mut(&target) {
            Some((fault, None)) => Some(fault.clone()),
            Some((fault, Some(left))) if *left > 0 => {
                *left -= 1;
                Some(fault.clone())
            }
            _ => None,
        };
        (fault, lookup(&state, &target), state.no_ranges)
    };
    let out = reader.get_mut();
    let body = match fault {
        Some(Fault::Status(code)) => {
            return respond(out, code, b"injected failure\n");
        }
        Some(Fault::Body(ref bytes)) => Some(bytes.clone()),
        _ => body,
    };
    let Some(body) = body else {
        return respond(out, 404, b"not found\n");
    };
    match fault {
        Some(Fault::DropAfter(n)) => {
            write_head(out, 200, body.len())?;
            out.write_all(&body[..n.min(body.len())])?;
            out.flush()?;
            Ok(())
        }
        Some(Fault::StallAfter(n)) => {
            write_head(out, 200, body.len())?;
            out.write_all(&body[..n.min(body.len())])?;
            out.flush()?;
            std::thread::sleep(Duration::from_secs(60));
            Ok(())
        }
        Some(Fault::Trickle { bytes, every }) => {
            write_head(out, 200, body.len())?;
            for chunk in body.chunks(bytes.max(1)) {
                out.write_all(chunk)?;
                out.flush()?;
                std::thread::sleep(every);
            }
            Ok(())
        }
        _ if range_start.is_some() && !no_ranges => {
            let start = range_start.unwrap_or(0).min(body.len());
            write!(
                out,
                "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {start}-{}/{}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                body.len() - start,
                body.len().saturating_sub(1),
                body.len()
            )?;
            out.write_all(&body[start..])?;
            out.flush()
        }
        _ => {
            write_head(out, 200, body.len())?;
            out.write_all(&body)?;
            out.flush()
        }
    }
}

fn lookup(state: &State, target: &str) -> Option<Vec<u8>> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if query.contains("mode=json") {
        if state.dynamic_index {
            return std::fs::read(state.root.join("index.json")).ok();
        }
        // A static server shows a directory listing, not JSON.
        return Some(b"<!DOCTYPE html><html><body>Directory listing</body></html>".to_vec());
    }
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let full = state.root.join(relative);
    if !full.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(full)
        .ok()?
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

fn write_head(out: &mut impl Write, status: u16, length: usize) -> std::io::Result<()> {
    write!(
        out,
        "HTTP/1.1 {status} X\r\nContent-Length: {length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
    )
}

fn respond(out: &mut impl Write, status: u16, body: &[u8]) -> std::io::Result<()> {
    write_head(out, status, body.len())?;
    out.write_all(body)?;
    out.flush()
}
