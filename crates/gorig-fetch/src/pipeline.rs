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
use std::time::{Duration, Instant};

use flate2::read::GzDecoder;
use gorig_index::{Artifact, Digest};

use crate::buffers::Buffers;
use crate::extract::{ExtractLimits, ExtractStats, extract_tar};
use crate::index_fetch::hex;
use crate::sandbox::Sandbox;
use crate::signature::{SignatureCheck, SignatureEvidence};
use crate::verify::{FoundSignature, SignatureVerifier};
use gorig_event::{DownloadId, Event, Reporter};

use crate::retry::{Persistence, backoff_delay, with_retries};
use crate::{Client, DownloadCache, ExtractError, FetchError, Location, Mirror};

/// Knobs for unpacking.
#[derive(Debug, Clone, Copy)]
pub struct UnpackOptions {
    pub limits: ExtractLimits,
    /// Writer threads; 0 writes on the calling thread.
    pub writers: usize,
    /// Never use the network; only the download cache.
    pub offline: bool,
    /// Retries, backoff and the low-speed rule.
    pub persistence: Persistence,
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
            persistence: Persistence::default(),
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
    /// Who signed the archive; `None` only when signature checks were turned off.
    pub signature: Option<SignatureEvidence>,
    /// How the extracting threads were confined.
    pub sandbox: Sandbox,
}

/// Downloads and unpacks archives.
pub struct Fetcher<'a> {
    pub client: &'a Client,
    pub cache: &'a DownloadCache,
    pub reporter: &'a dyn Reporter,
    pub options: UnpackOptions,
    /// Checks OpenPGP signatures; `None` when the user turned them off.
    pub signatures: Option<&'a SignatureVerifier<'a>>,
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
        let cached = match &artifact.digest {
            Digest::Known(sha256) => self
                .cache
                .lookup(&artifact.filename, sha256.as_str())
                .map(|path| (path, sha256.to_string())),
            Digest::BesideArchive => self
                .cache
                .recorded_sha256(&artifact.filename)
                .map(|digest| (self.cache.path_of(&artifact.filename), digest)),
        };
        if let Some((cached, expected)) = cached {
            // A cached signature that fails is dropped and fetched again, once: a damaged
            // copy must not block every later reinstall while the mirror has a good one.
            let mut signature_from_cache = true;
            loop {
                let signature = self.signatures.map(|verifier| {
                    self.find_signature(
                        verifier,
                        &artifact.filename,
                        mirrors,
                        signature_from_cache,
                        false,
                    )
                });
                let signature = match signature.transpose() {
                    Err(e @ FetchError::Signature { .. })
                        if signature_from_cache && self.drop_cached_signature(artifact, &e) =>
                    {
                        signature_from_cache = false;
                        continue;
                    }
                    other => other?,
                };
                match self.unpack_cached(artifact, &cached, &expected, signature.as_ref(), staging)
                {
                    Ok(unpacked) => return Ok(unpacked),
                    Err(FetchError::ChecksumMismatch { actual, .. }) => {
                        self.cache.remove(&artifact.filename);
                        self.reporter.report(Event::CacheDamaged {
                            file: artifact.filename.clone(),
                            detail: format!("sha256 {actual}"),
                        });
                        reset_dir(staging)?;
                        break;
                    }
                    Err(e @ FetchError::Signature { .. })
                        if signature.as_ref().is_some_and(|s| s.from_cache)
                            && self.drop_cached_signature(artifact, &e) =>
                    {
                        signature_from_cache = false;
                        reset_dir(staging)?;
                    }
                    Err(other) => return Err(other),
                }
            }
        }
        if self.options.offline {
            // Kept, not removed: offline there is nothing to replace it with, and the index
            // may be the one that is wrong.
            if let (Digest::Known(index), Some(cached)) = (
                &artifact.digest,
                self.cache.recorded_sha256(&artifact.filename),
            ) && cached != index.as_str().to_ascii_lowercase()
                && self.cache.path_of(&artifact.filename).is_file()
            {
                return Err(FetchError::CachedDigestDiffers {
                    filename: artifact.filename.clone(),
                    index: index.to_string(),
                    cached,
                });
            }
            return Err(FetchError::NotCached {
                what: artifact.filename.clone(),
                cache: self.cache.dir().to_path_buf(),
            });
        }
        let mut attempts = Vec::new();
        for (i, mirror) in mirrors.iter().enumerate() {
            let location = mirror.file(&artifact.filename);
            let more = i + 1 < mirrors.len();
            match self.unpack_from(artifact, &mirrors[i..=i], &location, staging) {
                Ok(unpacked) => return Ok(unpacked),
                Err(e) if e.try_next_mirror() => {
                    let error = crate::error::one_line(&e);
                    self.reporter.report(Event::SourceFailed {
                        url: location.to_string(),
                        error: error.clone(),
                        next: more,
                    });
                    attempts.push(error);
                    reset_dir(staging)?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(FetchError::AllSourcesFailed {
            what: artifact.filename.clone(),
            attempts,
            local: mirrors
                .iter()
                .all(|m| matches!(m.file(&artifact.filename), Location::File(_))),
        })
    }

    fn unpack_cached(
        &self,
        artifact: &Artifact,
        path: &Path,
        expected: &str,
        signature: Option<&FoundSignature>,
        staging: &Path,
    ) -> Result<Unpacked, FetchError> {
        let check = begin_check(artifact, signature)?;
        let file = File::open(path).map_err(|e| FetchError::io("read", path, e))?;
        let length = file.metadata().ok().map(|m| m.len());
        let shown = path.display().to_string();
        let id = DownloadId::next();
        self.reporter.report(Event::DownloadStarted {
            id,
            file: artifact.filename.clone(),
            url: shown.clone(),
            size: length,
            from_cache: true,
        });
        let result = self.one_pass(
            artifact,
            expected,
            Input {
                id,
                reader: Box::new(file),
                shown: &shown,
                tee: None,
                signature: check.as_ref().map(|c| (c, signature_url(signature))),
                resume: None,
            },
            staging,
        );
        self.reporter.report(Event::DownloadFinished { id });
        let pass = result?;
        self.keep_signature(artifact, signature);
        Ok(Unpacked {
            sha256: pass.sha256,
            source: shown,
            from_cache: true,
            archive_bytes: pass.received,
            stats: pass.stats,
            signature: pass.signature,
            sandbox: pass.sandbox,
        })
    }

    fn unpack_from(
        &self,
        artifact: &Artifact,
        mirror: &[Mirror],
        location: &Location,
        staging: &Path,
    ) -> Result<Unpacked, FetchError> {
        let expected = match &artifact.digest {
            Digest::Known(sha256) => sha256.to_string(),
            Digest::BesideArchive => self.digest_beside(location)?,
        };
        let signature = match self.signatures {
            Some(verifier) => {
                Some(self.find_signature(verifier, &artifact.filename, mirror, false, true)?)
            }
            None => None,
        };
        let check = begin_check(artifact, signature.as_ref())?;
        let opened = self.open_with_retries(location)?;
        let shown = location.to_string();
        let id = DownloadId::next();
        self.reporter.report(Event::DownloadStarted {
            id,
            file: artifact.filename.clone(),
            url: shown.clone(),
            size: artifact.size.or(opened.length),
            from_cache: false,
        });
        let opened_length = opened.length;
        let partial = match self.cache.begin(&artifact.filename) {
            Ok(partial) => Some(partial),
            Err(e) => {
                self.reporter.report(Event::CacheWriteFailed {
                    what: artifact.filename.clone(),
                    error: format!("{e} ({})", self.cache.dir().display()),
                });
                None
            }
        };
        let (partial_path, tee) = match partial {
            Some((path, file)) => (Some(path), Some(file)),
            None => (None, None),
        };
        let result = self.one_pass(
            artifact,
            &expected,
            Input {
                id,
                reader: opened.reader,
                shown: &shown,
                tee,
                signature: check
                    .as_ref()
                    .map(|c| (c, signature_url(signature.as_ref()))),
                resume: Some(Resume {
                    client: self.client,
                    location,
                    length: artifact.size.or(opened_length),
                    left: self.options.persistence.retries,
                    attempt: 0,
                    backoff: self.options.persistence.backoff,
                }),
            },
            staging,
        );
        self.reporter.report(Event::DownloadFinished { id });
        match result {
            Ok(pass) => {
                self.keep_signature(artifact, signature.as_ref());
                if let Some(partial) = &partial_path {
                    let committed = if pass.cached {
                        self.cache.commit(partial, &artifact.filename, &pass.sha256)
                    } else {
                        Err(io::Error::other("writing the copy failed"))
                    };
                    if let Err(e) = committed {
                        let _ = fs::remove_file(partial);
                        self.reporter.report(Event::CacheWriteFailed {
                            what: artifact.filename.clone(),
                            error: e.to_string(),
                        });
                    }
                }
                Ok(Unpacked {
                    sha256: pass.sha256,
                    source: shown,
                    from_cache: false,
                    archive_bytes: pass.received,
                    stats: pass.stats,
                    signature: pass.signature,
                    sandbox: pass.sandbox,
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

    /// Opens `location`, asking again with backoff after transient failures.
    fn open_with_retries(&self, location: &Location) -> Result<crate::Opened, FetchError> {
        with_retries(self.options.persistence, self.reporter, location, || {
            self.client.open(location)
        })
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
        let bytes = with_retries(self.options.persistence, self.reporter, &location, || {
            self.client.read_small(&location, 4096, "a .sha256 file")
        })?;
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
        input: Input<'_>,
        staging: &Path,
    ) -> Result<Pass, FetchError> {
        let Input {
            id,
            reader,
            shown,
            tee,
            signature,
            resume,
        } = input;
        // The hard cap on raw bytes; a wrong size is reported as the checksum mismatch it
        // is, with the digest of what was actually sent.
        let limit = artifact
            .size
            .unwrap_or(0)
            .max(self.options.limits.max_unpacked_bytes);
        let source = SourceReader {
            inner: reader,
            id,
            digest: ring::digest::Context::new(&ring::digest::SHA256),
            received: 0,
            limit,
            tee: tee.map(|f| BufWriter::with_capacity(1 << 16, f)),
            tee_broken: false,
            failure: Arc::default(),
            reporter: self.reporter,
            resume,
            low_speed: LowSpeed::new(self.options.persistence),
        };
        let failure = Arc::clone(&source.failure);
        let continuation = signature.and_then(|(check, _)| check.sha256_continuation());
        // A reader thread takes the bytes off the network, hashes them and copies them to
        // the cache, while this thread inflates and unpacks: the hash and the copy stay
        // off the critical path, which is inflate.
        let buffers = Buffers::new(READ_CHUNK, READ_AHEAD + 2);
        let signature_buffers = Buffers::new(READ_CHUNK, READ_AHEAD + 2);
        let (extraction, source, signed) = std::thread::scope(|scope| {
            let (sender, receiver) = sync_channel::<Vec<u8>>(READ_AHEAD);
            let buffers = &buffers;
            // The OpenPGP check gets its own copy of every chunk on its own thread, so it
            // hashes while the archive inflates instead of after it.
            let (signature_sender, verifier) = match signature {
                // A SHA-256 signature continues the archive's own digest (below): no
                // second pass over the bytes.
                Some((_, _)) if continuation.is_some() => (None, None),
                Some((check, _)) => {
                    let (tx, rx) = sync_channel::<Vec<u8>>(READ_AHEAD);
                    let signature_buffers = &signature_buffers;
                    let thread = scope.spawn(move || {
                        check.verify(ChannelReader {
                            receiver: rx,
                            chunk: Vec::new(),
                            at: 0,
                            buffers: signature_buffers,
                        })
                    });
                    (Some((tx, signature_buffers)), Some(thread))
                }
                None => (None, None),
            };
            let pump = scope.spawn(move || {
                let mut source = source;
                source.pump(&sender, buffers, signature_sender);
                source
            });
            let limits = self.options.limits;
            let writers = self.options.writers;
            // Extraction runs on its own thread, sandboxed (Landlock) to write only
            // beneath staging; its writer threads inherit that. This thread stays free
            // to publish afterwards.
            let extractor = scope.spawn(move || {
                let sandbox = crate::sandbox::restrict_writes_to(staging);
                let mut chunks = ChannelReader {
                    receiver,
                    chunk: Vec::new(),
                    at: 0,
                    buffers,
                };
                // The whole tar stream is bounded, not only the files in it: headers,
                // PAX records and padding after the end could otherwise be inflated
                // without limit from a few compressed megabytes (a gzip bomb).
                let bound = limits.max_unpacked_bytes.saturating_add(TAR_OVERHEAD);
                let mut tar_stream = Bounded {
                    // Inflating into a large buffer, not into the 512-byte reads of tar headers:
                    // fewer, longer inflate calls (measured in bench/install-bench.py).
                    inner: io::BufReader::with_capacity(
                        INFLATE_BUFFER,
                        GzDecoder::new(&mut chunks),
                    ),
                    left: bound,
                    exceeded: false,
                };
                let extracted = extract_tar(&mut tar_stream, staging, &limits, writers)
                    // Read what the tar parser left (end-of-archive padding, the gzip
                    // trailer with its CRC), so a damaged tail fails here too.
                    .and_then(|stats| {
                        io::copy(&mut tar_stream, &mut io::sink()).map_err(|source| {
                            ExtractError::corrupt("the end of the archive", source)
                        })?;
                        Ok(stats)
                    });
                let extracted = if tar_stream.exceeded {
                    Err(ExtractError::TooLarge { limit: bound })
                } else {
                    extracted
                };
                drop(tar_stream);
                // Hash every remaining byte: the digest must cover the whole file, and a
                // corrupt archive is best reported as the checksum mismatch it is. After
                // a disk error there is no point: dropping the receiver stops the reader.
                let drained = match &extracted {
                    Err(ExtractError::Write { .. }) => None,
                    _ => Some(io::copy(&mut chunks, &mut io::sink())),
                };
                (extracted, drained, sandbox)
            });
            let extraction = extractor.join();
            let source = pump.join();
            let signed = verifier.map(|thread| thread.join());
            (extraction, source, signed)
        });
        let (extracted, drained, sandbox) = extraction.map_err(|_| {
            FetchError::io(
                "unpack",
                staging.to_path_buf(),
                io::Error::other("the extracting thread panicked"),
            )
        })?;
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
            return Err(FetchError::Unpack {
                filename: artifact.filename.clone(),
                free: free_bytes(if path.as_os_str().is_empty() {
                    staging
                } else {
                    &path
                }),
                path,
                source,
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
        let signed = match (&continuation, signature) {
            (Some(suffix), Some((check, _))) => {
                let mut digest = source.digest.clone();
                digest.update(suffix);
                Some(Ok(check.verify_sha256(digest.finish().as_ref())))
            }
            _ => signed,
        };
        let signature = match (signed, signature) {
            (Some(Ok(Ok(evidence))), _) => Some(evidence),
            (Some(Ok(Err(source))), Some((_, url))) => {
                return Err(FetchError::Signature {
                    filename: artifact.filename.clone(),
                    url: url.to_string(),
                    source: Box::new(source),
                });
            }
            (Some(_), _) => {
                return Err(FetchError::io(
                    "verify",
                    PathBuf::from(shown),
                    io::Error::other("the signature thread failed"),
                ));
            }
            (None, _) => None,
        };
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
            signature,
            sandbox,
        })
    }
}

/// What one pass reads from, and what watches the bytes go by.
struct Input<'a> {
    id: DownloadId,
    reader: Box<dyn Read + Send>,
    /// The source as shown to people (a URL without credentials, or a path).
    shown: &'a str,
    /// The download cache's partial file, to copy the bytes into.
    tee: Option<File>,
    /// The signature check and the URL of the signature.
    signature: Option<(&'a SignatureCheck<'a>, &'a str)>,
    resume: Option<Resume<'a>>,
}

/// The outcome of one verified pass.
struct Pass {
    sha256: String,
    received: u64,
    stats: ExtractStats,
    /// Whether the copy written to the download cache is complete.
    cached: bool,
    signature: Option<SignatureEvidence>,
    sandbox: Sandbox,
}

/// Bytes the tar stream may hold beyond the unpacked-size limit (headers, padding).
const TAR_OVERHEAD: u64 = 64 << 20;

/// A reader that stops with an error after `left` bytes, remembering that it did.
struct Bounded<R> {
    inner: R,
    left: u64,
    exceeded: bool,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            // One byte more means the bound is crossed; exactly at it is fine.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => {
                    self.exceeded = true;
                    Err(io::Error::other("the archive unpacks to more than allowed"))
                }
            };
        }
        let cap = out
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut out[..cap])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// Chunks the reader thread may run ahead of the inflater.
const READ_AHEAD: usize = 16;
/// Bytes inflated at a time.
const INFLATE_BUFFER: usize = 256 << 10;
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
    /// Bytes per second over the last low-speed window.
    TooSlow(u64),
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
            SourceFailure::TooSlow(rate) => FetchError::Timeout {
                url: shown.to_string(),
                detail: format!(
                    "too slow: {rate} bytes/s after {received} bytes (GORIG_LOW_SPEED_LIMIT/GORIG_LOW_SPEED_TIME set the floor)"
                ),
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
    id: DownloadId,
    digest: ring::digest::Context,
    received: u64,
    limit: u64,
    tee: Option<BufWriter<File>>,
    tee_broken: bool,
    /// Set when the source itself failed, so errors surfacing through gzip and tar can be
    /// told apart from bad data.
    failure: Arc<Mutex<Option<SourceFailure>>>,
    reporter: &'r dyn Reporter,
    /// How to pick the download up again after a dropped connection; `None` for files.
    resume: Option<Resume<'r>>,
    low_speed: LowSpeed,
}

/// Picking a dropped download up again where it stopped.
struct Resume<'r> {
    client: &'r Client,
    location: &'r Location,
    /// The full length, when known: an early end of the body is then a drop, not the end.
    length: Option<u64>,
    left: u32,
    attempt: u32,
    backoff: Duration,
}

/// The low-speed rule: fewer than `limit` bytes/s over a whole `window` abandons the
/// source (a trickling server would otherwise hold the install for hours).
struct LowSpeed {
    limit: u64,
    window: Duration,
    started: Instant,
    bytes: u64,
}

impl LowSpeed {
    fn new(persistence: Persistence) -> Self {
        Self {
            limit: persistence.low_speed_limit,
            window: persistence.low_speed_time,
            started: Instant::now(),
            bytes: 0,
        }
    }

    fn restart(&mut self) {
        self.started = Instant::now();
        self.bytes = 0;
    }

    /// Counts `n` bytes; returns the average rate when a window ends below the limit.
    fn too_slow(&mut self, n: usize) -> Option<u64> {
        self.bytes += n as u64;
        let elapsed = self.started.elapsed();
        if self.limit == 0 || self.window.is_zero() || elapsed < self.window {
            return None;
        }
        let rate = (self.bytes as f64 / elapsed.as_secs_f64()) as u64;
        self.restart();
        (rate < self.limit).then_some(rate)
    }
}

impl SourceReader<'_> {
    /// Reads the source to its end in chunks, sending each on; stops early when the
    /// receiver is gone or the source fails (the failure is recorded).
    fn pump(
        &mut self,
        sender: &SyncSender<Vec<u8>>,
        buffers: &Buffers,
        mut copies: Option<(SyncSender<Vec<u8>>, &Buffers)>,
    ) {
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
            if let Some((copy_sender, copy_buffers)) = &copies {
                let mut copy = copy_buffers.take();
                copy.clear();
                copy.extend_from_slice(&chunk);
                if copy_sender.send(copy).is_err() {
                    // The checker stopped early (it failed); its error is reported.
                    copies = None;
                }
            }
            if sender.send(chunk).is_err() {
                return;
            }
        }
    }

    /// After `error` cut the download short, waits (exponential backoff with jitter) and
    /// reopens the source where it stopped: a Range request, or, when the server ignores
    /// ranges, the whole file again with the bytes already read skipped. The digest
    /// covers the bytes actually used, so a file that changed in between fails it.
    fn try_resume(&mut self, error: &io::Error) -> bool {
        let Some(resume) = &mut self.resume else {
            return false;
        };
        while resume.left > 0 {
            resume.left -= 1;
            resume.attempt += 1;
            let delay = backoff_delay(resume.backoff, resume.attempt);
            self.reporter.report(Event::Retrying {
                url: resume.location.to_string(),
                error: format!("{error} after {} bytes", self.received),
                attempt: resume.attempt,
                of: resume.attempt + resume.left,
                delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            });
            std::thread::sleep(delay);
            let Ok((opened, start)) = resume.client.open_from(resume.location, self.received)
            else {
                continue;
            };
            let mut reader = opened.reader;
            if start < self.received {
                let skip = self.received - start;
                match io::copy(&mut (&mut reader).take(skip), &mut io::sink()) {
                    Ok(n) if n == skip => {}
                    _ => continue,
                }
            }
            self.inner = reader;
            self.low_speed.restart();
            return true;
        }
        false
    }

    fn fail(&self, failure: SourceFailure) -> io::Error {
        let error = match &failure {
            SourceFailure::Io(e) => io::Error::new(e.kind(), e.to_string()),
            SourceFailure::TooLarge(_) => io::Error::other("the source sent too many bytes"),
            SourceFailure::TooSlow(_) => io::Error::other("the source is too slow"),
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
            let error = match self.inner.read(buf) {
                Ok(0)
                    if self
                        .resume
                        .as_ref()
                        .and_then(|r| r.length)
                        .is_some_and(|length| self.received < length) =>
                {
                    io::Error::new(io::ErrorKind::UnexpectedEof, "the connection closed early")
                }
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => e,
            };
            if self.try_resume(&error) {
                continue;
            }
            return Err(self.fail(SourceFailure::Io(error)));
        };
        if let Some(rate) = self.low_speed.too_slow(n) {
            return Err(self.fail(SourceFailure::TooSlow(rate)));
        }
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
        self.reporter.report(Event::Progress {
            id: self.id,
            bytes: n as u64,
        });
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

/// Starts checking a found signature: fails before any download when no trusted key could
/// have made it.
fn begin_check<'k>(
    artifact: &Artifact,
    signature: Option<&'k FoundSignature>,
) -> Result<Option<SignatureCheck<'k>>, FetchError> {
    signature
        .map(|found| {
            found
                .keyring
                .begin(&found.signature)
                .map_err(|source| FetchError::Signature {
                    filename: artifact.filename.clone(),
                    url: found.url.clone(),
                    source: Box::new(source),
                })
        })
        .transpose()
}

fn signature_url(signature: Option<&FoundSignature>) -> &str {
    signature.map_or("", |found| found.url.as_str())
}

impl Fetcher<'_> {
    /// Drops the cached signature of `artifact` after `error`, when there is one to drop
    /// and the network may be asked for another; returns whether it did.
    fn drop_cached_signature(&self, artifact: &Artifact, error: &FetchError) -> bool {
        if self.options.offline || self.cache.signature(&artifact.filename).is_none() {
            return false;
        }
        self.cache.remove_signature(&artifact.filename);
        self.reporter.report(Event::CacheDamaged {
            file: format!("{}.asc", artifact.filename),
            detail: crate::error::one_line(error),
        });
        true
    }

    /// Keeps a verified archive's signature in the cache, for offline reinstalls.
    fn keep_signature(&self, artifact: &Artifact, signature: Option<&FoundSignature>) {
        if let Some(found) = signature
            && let Err(e) = self
                .cache
                .store_signature(&artifact.filename, &found.armored)
        {
            self.reporter.report(Event::CacheWriteFailed {
                what: format!("{}.asc", artifact.filename),
                error: e.to_string(),
            });
        }
    }
}

/// The bytes an unprivileged user may still write on the filesystem holding `path` (or
/// its nearest existing ancestor).
fn free_bytes(path: &Path) -> Option<u64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let stats = rustix::fs::statvfs(existing).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        let base = Duration::from_millis(100);
        for attempt in 1..=8 {
            let floor = base
                .saturating_mul(2u32.pow(attempt - 1))
                .min(Duration::from_secs(8));
            let delay = backoff_delay(base, attempt);
            assert!(
                delay >= floor && delay <= floor + base,
                "{attempt}: {delay:?}"
            );
        }
        let spread: std::collections::HashSet<_> =
            (0..20).map(|_| backoff_delay(base, 1)).collect();
        assert!(spread.len() > 1, "jitter varies the wait");
    }
}
