//! The one pass: bytes from a mirror (or the download cache) are hashed, copied to the
//! cache, inflated and unpacked into a staging directory as they arrive.
//!
//! Nothing here publishes anything: the caller renames the staging directory into the
//! store only after [`Fetcher::unpack`] returns, which it does only when the SHA-256 of
//! every byte read matched the published digest. On any failure the staging directory
//! holds garbage the caller removes.
//!
//! Mirrors are tried in order. A mirror that is down, missing the file (404), failing
//! (5xx), timing out, or dropping the connection mid-body hands over to the next one,
//! after the staging directory is emptied. Wrong bytes (a checksum mismatch) stop at once:
//! another copy of the file hides nothing.

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use flate2::read::GzDecoder;
use gorig_index::Artifact;

use crate::buffers::Buffers;
use crate::extract::{ExtractLimits, ExtractStats, extract_tar};
use crate::index_fetch::hex;
use crate::{Client, DownloadCache, ExtractError, FetchError, Location, Mirror, Reporter};

/// Knobs for unpacking.
#[derive(Debug, Clone, Copy)]
pub struct UnpackOptions {
    pub limits: ExtractLimits,
    /// Writer threads; 0 writes on the calling thread.
    pub writers: usize,
    /// Never use the network; only the download cache.
    pub offline: bool,
    /// Where the expected SHA-256 comes from.
    pub digest_source: DigestSource,
}

/// Where the SHA-256 an archive must match comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DigestSource {
    /// The release index (go.dev's, or the one the user named): a mirror cannot change it.
    #[default]
    Index,
    /// `<archive URL>.sha256` on the same mirror, when the user asks for it: it catches
    /// damaged downloads, not a mirror that serves other bytes.
    BesideArchive,
}

impl Default for UnpackOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            limits: ExtractLimits::default(),
            // One core inflates (the critical path); writers use the rest. On two cores
            // one writer measured as fast as three (bench/install-bench.py).
            writers: (cores - 1).clamp(1, 4),
            offline: false,
            digest_source: DigestSource::Index,
        }
    }
}

/// What a successful pass read and wrote: the evidence an install reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    /// The verified SHA-256 of the archive.
    pub sha256: String,
    /// Where the bytes came from (a URL without credentials, or the cached file).
    pub source: String,
    pub from_cache: bool,
    pub archive_bytes: u64,
    pub stats: ExtractStats,
}

/// Downloads and unpacks archives.
pub struct Fetcher<'a> {
    pub client: &'a Client,
    pub cache: &'a DownloadCache,
    pub reporter: &'a dyn Reporter,
    pub options: UnpackOptions,
}

impl Fetcher<'_> {
    /// Puts the verified contents of `artifact`'s `go/` tree into the empty directory
    /// `staging`, from the download cache or the first mirror that works.
    pub fn unpack(
        &self,
        artifact: &Artifact,
        mirrors: &[Mirror],
        staging: &Path,
    ) -> Result<Unpacked, FetchError> {
        let cached = match self.options.digest_source {
            DigestSource::Index => self
                .cache
                .lookup(&artifact.filename, &artifact.sha256)
                .map(|path| (path, artifact.sha256.clone())),
            DigestSource::BesideArchive => self
                .cache
                .recorded_sha256(&artifact.filename)
                .map(|digest| (self.cache.path_of(&artifact.filename), digest)),
        };
        if let Some((cached, expected)) = cached {
            match self.unpack_cached(artifact, &cached, &expected, staging) {
                Ok(unpacked) => return Ok(unpacked),
                Err(FetchError::ChecksumMismatch { actual, .. }) => {
                    self.cache.remove(&artifact.filename);
                    self.reporter.warn(&format!(
                        "the cached {} was damaged (sha256 {actual}); removed it and downloading again",
                        artifact.filename
                    ));
                    reset_dir(staging)?;
                }
                Err(other) => return Err(other),
            }
        }
        if self.options.offline {
            return Err(FetchError::NotCached {
                what: artifact.filename.clone(),
                cache: self.cache.dir().to_path_buf(),
            });
        }
        let mut attempts = Vec::new();
        for (i, mirror) in mirrors.iter().enumerate() {
            let location = mirror.file(&artifact.filename);
            let more = i + 1 < mirrors.len();
            match self.unpack_from(artifact, &location, staging) {
                Ok(unpacked) => return Ok(unpacked),
                Err(e) if e.try_next_mirror() => {
                    self.reporter
                        .attempt_failed(&location.to_string(), &e.to_string(), more);
                    attempts.push(e.to_string());
                    reset_dir(staging)?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(FetchError::AllSourcesFailed { attempts })
    }

    fn unpack_cached(
        &self,
        artifact: &Artifact,
        path: &Path,
        expected: &str,
        staging: &Path,
    ) -> Result<Unpacked, FetchError> {
        let file = File::open(path).map_err(|e| FetchError::io("read", path, e))?;
        let length = file.metadata().ok().map(|m| m.len());
        let shown = path.display().to_string();
        self.reporter
            .download_started(&artifact.filename, &shown, length);
        let result = self.one_pass(artifact, expected, Box::new(file), &shown, None, staging);
        self.reporter.download_finished();
        let pass = result?;
        Ok(Unpacked {
            sha256: pass.sha256,
            source: shown,
            from_cache: true,
            archive_bytes: pass.received,
            stats: pass.stats,
        })
    }

    fn unpack_from(
        &self,
        artifact: &Artifact,
        location: &Location,
        staging: &Path,
    ) -> Result<Unpacked, FetchError> {
        let expected = match self.options.digest_source {
            DigestSource::Index => artifact.sha256.clone(),
            DigestSource::BesideArchive => self.digest_beside(location)?,
        };
        let opened = self.client.open(location)?;
        let shown = location.to_string();
        self.reporter
            .download_started(&artifact.filename, &shown, artifact.size.or(opened.length));
        let partial = match self.cache.begin(&artifact.filename) {
            Ok(partial) => Some(partial),
            Err(e) => {
                self.reporter.warn(&format!(
                    "not caching {}: {e} ({})",
                    artifact.filename,
                    self.cache.dir().display()
                ));
                None
            }
        };
        let (partial_path, tee) = match partial {
            Some((path, file)) => (Some(path), Some(file)),
            None => (None, None),
        };
        let result = self.one_pass(artifact, &expected, opened.reader, &shown, tee, staging);
        self.reporter.download_finished();
        match result {
            Ok(pass) => {
                if let Some(partial) = &partial_path {
                    let committed = if pass.cached {
                        self.cache.commit(partial, &artifact.filename, &pass.sha256)
                    } else {
                        Err(io::Error::other("writing the copy failed"))
                    };
                    if let Err(e) = committed {
                        let _ = fs::remove_file(partial);
                        self.reporter
                            .warn(&format!("could not cache {}: {e}", artifact.filename));
                    }
                }
                Ok(Unpacked {
                    sha256: pass.sha256,
                    source: shown,
                    from_cache: false,
                    archive_bytes: pass.received,
                    stats: pass.stats,
                })
            }
            Err(e) => {
                if let Some(partial) = &partial_path {
                    let _ = fs::remove_file(partial);
                }
                Err(e)
            }
        }
    }

    /// Reads the digest published beside the archive (`<archive>.sha256`): a bare hex
    /// digest, or `sha256sum` output.
    fn digest_beside(&self, archive: &Location) -> Result<String, FetchError> {
        let location = match archive {
            Location::Http(url) => Location::Http(format!("{url}.sha256")),
            Location::File(path) => {
                let mut name = path.as_os_str().to_owned();
                name.push(".sha256");
                Location::File(PathBuf::from(name))
            }
        };
        let bytes = self.client.read_small(&location, 4096, "a .sha256 file")?;
        let text = String::from_utf8_lossy(&bytes);
        let digest = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(FetchError::BadDigestFile {
                url: location.to_string(),
            });
        }
        Ok(digest)
    }

    /// Hash, tee, inflate and unpack `reader` into `staging`; returns digest, size, stats.
    fn one_pass(
        &self,
        artifact: &Artifact,
        expected: &str,
        reader: Box<dyn Read + Send>,
        shown: &str,
        tee: Option<File>,
        staging: &Path,
    ) -> Result<Pass, FetchError> {
        // The hard cap on raw bytes; a wrong size is reported as the checksum mismatch it
        // is, with the digest of what was actually sent.
        let limit = artifact
            .size
            .unwrap_or(0)
            .max(self.options.limits.max_unpacked_bytes);
        let source = SourceReader {
            inner: reader,
            digest: ring::digest::Context::new(&ring::digest::SHA256),
            received: 0,
            limit,
            tee: tee.map(|f| BufWriter::with_capacity(1 << 16, f)),
            tee_broken: false,
            failure: Arc::default(),
            reporter: self.reporter,
        };
        let failure = Arc::clone(&source.failure);
        // A reader thread takes the bytes off the network, hashes them and copies them to
        // the cache, while this thread inflates and unpacks: the hash and the copy stay
        // off the critical path, which is inflate.
        let buffers = Buffers::new(READ_CHUNK, READ_AHEAD + 2);
        let (extracted, drained, source) = std::thread::scope(|scope| {
            let (sender, receiver) = sync_channel::<Vec<u8>>(READ_AHEAD);
            let buffers = &buffers;
            let pump = scope.spawn(move || {
                let mut source = source;
                source.pump(&sender, buffers);
                source
            });
            let mut chunks = ChannelReader {
                receiver,
                chunk: Vec::new(),
                at: 0,
                buffers,
            };
            let mut gz = GzDecoder::new(&mut chunks);
            let extracted =
                extract_tar(&mut gz, staging, &self.options.limits, self.options.writers)
                    // Read what the tar parser left (end-of-archive padding, the gzip
                    // trailer with its CRC), so a damaged tail fails here too.
                    .and_then(|stats| {
                        io::copy(&mut gz, &mut io::sink()).map_err(ExtractError::Corrupt)?;
                        Ok(stats)
                    });
            drop(gz);
            // Hash every remaining byte: the digest must cover the whole file, and a
            // corrupt archive is best reported as the checksum mismatch it is. After a
            // disk error there is no point: dropping the receiver stops the reader.
            let drained = match &extracted {
                Err(ExtractError::Write { .. }) => None,
                _ => Some(io::copy(&mut chunks, &mut io::sink())),
            };
            drop(chunks);
            (extracted, drained, pump.join())
        });
        let mut source = source.map_err(|_| {
            FetchError::io(
                "read",
                PathBuf::from(shown),
                io::Error::other("the reader thread panicked"),
            )
        })?;
        let source_failed = |failure: &Arc<Mutex<Option<SourceFailure>>>| {
            failure.lock().ok().and_then(|mut f| f.take())
        };
        if let Some(failed) = source_failed(&failure) {
            return Err(failed.into_error(artifact, shown, source.received));
        }
        if let Err(ExtractError::Write { path, source }) = extracted {
            return Err(FetchError::Archive {
                filename: artifact.filename.clone(),
                source: ExtractError::Write { path, source },
            });
        }
        if let Some(Err(e)) = drained {
            return Err(FetchError::Interrupted {
                url: shown.to_string(),
                received: source.received,
                source: e,
            });
        }
        let received = source.received;
        let actual = hex(source.digest.clone().finish().as_ref());
        let cached = match source.tee.take() {
            Some(tee) => !source.tee_broken && tee.into_inner().is_ok(),
            None => false,
        };
        if actual != expected {
            return Err(FetchError::ChecksumMismatch {
                filename: artifact.filename.clone(),
                url: shown.to_string(),
                expected: expected.to_string(),
                actual,
                sizes: match artifact.size {
                    Some(size) if size != received => {
                        format!(
                            "\n  expected size:   {size} bytes\n  actual size:     {received} bytes"
                        )
                    }
                    _ => String::new(),
                },
            });
        }
        let stats = extracted.map_err(|source| FetchError::Archive {
            filename: artifact.filename.clone(),
            source,
        })?;
        if !staging.join("bin/go").is_file() {
            return Err(FetchError::Archive {
                filename: artifact.filename.clone(),
                source: ExtractError::refused("go/bin/go", "missing: this is not a Go toolchain"),
            });
        }
        Ok(Pass {
            sha256: actual,
            received,
            stats,
            cached,
        })
    }
}

/// The outcome of one verified pass.
struct Pass {
    sha256: String,
    received: u64,
    stats: ExtractStats,
    /// Whether the copy written to the download cache is complete.
    cached: bool,
}

/// Chunks the reader thread may run ahead of the inflater.
const READ_AHEAD: usize = 16;
/// Bytes the reader thread hands over at a time.
const READ_CHUNK: usize = 256 << 10;

/// The inflater's side of the reader thread: chunks from a channel as one byte stream.
struct ChannelReader<'b> {
    receiver: Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
    buffers: &'b Buffers,
}

impl Read for ChannelReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    let used = std::mem::replace(&mut self.chunk, chunk);
                    self.buffers.give(used);
                    self.at = 0;
                }
                // The reader thread ended: end of data, or a failure it recorded.
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.at);
        out[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Why the source stopped giving bytes.
enum SourceFailure {
    Io(io::Error),
    TooLarge(u64),
}

impl SourceFailure {
    fn into_error(self, artifact: &Artifact, shown: &str, received: u64) -> FetchError {
        match self {
            SourceFailure::Io(e) if is_timeout(&e) => FetchError::Timeout {
                url: shown.to_string(),
                detail: format!("no data for too long after {received} bytes"),
            },
            SourceFailure::Io(source) => FetchError::Interrupted {
                url: shown.to_string(),
                received,
                source,
            },
            SourceFailure::TooLarge(limit) => FetchError::TooLarge {
                filename: artifact.filename.clone(),
                url: shown.to_string(),
                limit,
            },
        }
    }
}

/// Whether a read error is a timeout, including ureq's own timeouts wrapped in `io::Error`.
fn is_timeout(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::TimedOut
        || error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<ureq::Error>())
            .is_some_and(|e| matches!(e, ureq::Error::Timeout(_)))
}

/// The raw archive bytes: hashed, counted, copied to the cache, reported as progress.
struct SourceReader<'r> {
    inner: Box<dyn Read + Send>,
    digest: ring::digest::Context,
    received: u64,
    limit: u64,
    tee: Option<BufWriter<File>>,
    tee_broken: bool,
    /// Set when the source itself failed, so errors surfacing through gzip and tar can be
    /// told apart from bad data.
    failure: Arc<Mutex<Option<SourceFailure>>>,
    reporter: &'r dyn Reporter,
}

impl SourceReader<'_> {
    /// Reads the source to its end in chunks, sending each on; stops early when the
    /// receiver is gone or the source fails (the failure is recorded).
    fn pump(&mut self, sender: &SyncSender<Vec<u8>>, buffers: &Buffers) {
        loop {
            let mut chunk = buffers.take();
            chunk.resize(READ_CHUNK, 0);
            let mut filled = 0;
            while filled < chunk.len() {
                match self.read(&mut chunk[filled..]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(_) => return,
                }
            }
            if filled == 0 {
                return;
            }
            chunk.truncate(filled);
            if sender.send(chunk).is_err() {
                return;
            }
        }
    }

    fn fail(&self, failure: SourceFailure) -> io::Error {
        let error = match &failure {
            SourceFailure::Io(e) => io::Error::new(e.kind(), e.to_string()),
            SourceFailure::TooLarge(_) => io::Error::other("the source sent too many bytes"),
        };
        if let Ok(mut slot) = self.failure.lock() {
            slot.get_or_insert(failure);
        }
        error
    }
}

impl Read for SourceReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = loop {
            match self.inner.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.fail(SourceFailure::Io(e))),
            }
        };
        self.received += n as u64;
        if self.received > self.limit {
            return Err(self.fail(SourceFailure::TooLarge(self.limit)));
        }
        self.digest.update(&buf[..n]);
        if let Some(tee) = &mut self.tee
            && tee.write_all(&buf[..n]).is_err()
        {
            // The cache is a convenience: losing it must not fail the install.
            self.tee = None;
            self.tee_broken = true;
        }
        self.reporter.download_progress(n as u64);
        Ok(n)
    }
}

/// Empties `dir` (keeping the directory) before another attempt.
fn reset_dir(dir: &Path) -> Result<(), FetchError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(FetchError::io("clean", dir, e)),
    }
    fs::create_dir(dir).map_err(|e| FetchError::io("create", PathBuf::from(dir), e))
}
