//! `gorig mirror sync DIR` and `gorig mirror verify DIR`: a static tree that gorig and any
//! web server use as a mirror, with every proof inside it.
//!
//! Sync resolves each requested version (a series: its newest) × architecture against the
//! upstream release index, downloads what the tree lacks (`--jobs` at a time, each into
//! `DIR/.partial/` and resumed from there after a kill), checks its SHA-256 against the
//! index and its `.asc` against the release keys, and only then renames it into place
//! with its `.asc` and `.sha256` (and `index.html`, the same JSON, so `/?mode=json` is
//! answered by a static file). An archive already in the tree with the index's size and
//! recorded digest is not downloaded again. Then `index.json` (go.dev's shape, for what
//! the tree holds), the release key block (`linux_signing_key.pub`, for `gorig keys
//! refresh`) and `MANIFEST.sha256` (every file's SHA-256, in `sha256sum -c` form) are
//! written, each atomically. Verify re-hashes every file against the manifest and checks
//! every archive against the index and its signature.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gorig_event::{DownloadId, Event};
use gorig_fetch::signature::{Keyring, ReleaseSignature};
use gorig_fetch::{FetchError, Location};
use gorig_index::{Artifact, Digest};
use gorig_version::{GoArch, GoVersion, Platform, VersionRequest};

use crate::{InstallError, Installer};

/// The manifest's name in the tree.
pub const MANIFEST: &str = "MANIFEST.sha256";
/// The operator's detached signature of the manifest (`--sign-with`).
pub const MANIFEST_SIGNATURE: &str = "MANIFEST.sha256.asc";
/// The release key block's name in the tree (as on dl.google.com/linux).
pub const KEY_BLOCK: &str = "linux_signing_key.pub";
const PARTIAL_DIR: &str = ".partial";

/// What to sync.
#[derive(Debug, Clone)]
pub struct SyncRequest {
    pub dir: PathBuf,
    pub versions: Vec<VersionRequest>,
    pub arches: Vec<GoArch>,
    /// Remove archives of versions no longer asked for.
    pub prune: bool,
    pub jobs: usize,
    /// Also build the GOPROXY layout of golang.org/toolchain from the verified archives,
    /// with the answers of this checksum database that prove each zip (`None`: skip).
    pub goproxy: Option<gorig_fetch::goproxy::GoproxySource>,
    /// Sign the manifest with this GnuPG key (a key id, fingerprint or user id of the
    /// operator's own key, in gpg's keyring).
    pub sign_with: Option<String>,
}

/// One archive of the tree after a sync.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncedArchive {
    pub filename: String,
    pub version: String,
    pub arch: String,
    pub sha256: String,
    pub size: u64,
    /// Downloaded by this sync (false: it was there already).
    pub downloaded: bool,
}

/// What a sync did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Synced {
    pub archives: Vec<SyncedArchive>,
    /// Files taken out by `--prune`.
    pub removed: Vec<String>,
    pub bytes_downloaded: u64,
    /// golang.org/toolchain versions in the tree's GOPROXY layout.
    pub modules: Vec<SyncedModule>,
}

/// A golang.org/toolchain version of the tree's GOPROXY layout.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncedModule {
    pub version: String,
    pub h1: String,
    /// Built by this sync (false: it was there already).
    pub built: bool,
}

/// A file of the tree that is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub file: String,
    pub what: String,
}

/// What verify found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Verified {
    pub files: usize,
    pub archives: usize,
    pub problems: Vec<Problem>,
    /// The key that signed the manifest (its fingerprint), when it is signed.
    pub manifest_signed_by: Option<String>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        context.update(&buffer[..n]);
    }
    Ok((hex(context.finish().as_ref()), total))
}

/// Reads `MANIFEST.sha256` into name → digest.
fn read_manifest(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(dir.join(MANIFEST))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (digest, name) = line.split_once("  ")?;
            Some((name.to_string(), digest.to_string()))
        })
        .collect()
}

impl Installer<'_> {
    /// Brings the tree at `request.dir` to the requested versions × arches.
    pub fn mirror_sync(&self, request: &SyncRequest) -> Result<Synced, InstallError> {
        let dir = &request.dir;
        let fs_error = |path: &Path, e: std::io::Error| -> InstallError {
            FetchError::io("write", path, e).into()
        };
        std::fs::create_dir_all(dir.join(PARTIAL_DIR))
            .map_err(|e| fs_error(&dir.join(PARTIAL_DIR), e))?;
        let loaded = self.index(false)?;
        let mut wanted: Vec<(Artifact, GoArch)> = Vec::new();
        for version in &request.versions {
            for arch in &request.arches {
                let platform = Platform::linux(*arch);
                let artifact = loaded.index.resolve(version, &platform, false)?;
                if !wanted.iter().any(|(a, _)| a.filename == artifact.filename) {
                    wanted.push((artifact, *arch));
                }
            }
        }
        let keyring = self.keys().load(self.reporter())?;
        let manifest = read_manifest(dir);
        let client = self.client()?;

        let queue = Mutex::new(wanted.iter().collect::<Vec<_>>());
        let results: Mutex<Vec<Result<SyncedArchive, InstallError>>> = Mutex::new(Vec::new());
        let jobs = request.jobs.clamp(1, 16);
        std::thread::scope(|scope| {
            for _ in 0..jobs.min(wanted.len().max(1)) {
                scope.spawn(|| {
                    loop {
                        let next = queue.lock().ok().and_then(|mut q| q.pop());
                        let Some((artifact, arch)) = next else { break };
                        let result =
                            self.sync_archive(dir, artifact, *arch, &manifest, &keyring, client);
                        if let Ok(mut all) = results.lock() {
                            all.push(result);
                        }
                    }
                });
            }
        });
        let mut synced = Synced::default();
        for result in results.into_inner().unwrap_or_default() {
            let archive = result?;
            if archive.downloaded {
                synced.bytes_downloaded += archive.size;
            }
            synced.archives.push(archive);
        }
        synced.archives.sort_by(|a, b| a.filename.cmp(&b.filename));

        // Archives of earlier syncs stay unless pruned.
        let keep: Vec<String> = synced.archives.iter().map(|a| a.filename.clone()).collect();
        let mut listed = synced.archives.clone();
        for (name, digest) in &manifest {
            let Some(version) = name
                .strip_suffix(".tar.gz")
                .and_then(|n| n.split_once(".linux-"))
            else {
                continue;
            };
            if keep.contains(name) || !dir.join(name).is_file() {
                continue;
            }
            if request.prune {
                for file in [
                    name.clone(),
                    format!("{name}.asc"),
                    format!("{name}.sha256"),
                ] {
                    if std::fs::remove_file(dir.join(&file)).is_ok() {
                        synced.removed.push(file);
                    }
                }
            } else {
                listed.push(SyncedArchive {
                    filename: name.clone(),
                    version: version.0.to_string(),
                    arch: version.1.to_string(),
                    sha256: digest.clone(),
                    size: std::fs::metadata(dir.join(name))
                        .map(|m| m.len())
                        .unwrap_or(0),
                    downloaded: false,
                });
            }
        }
        if let Some(source) = &request.goproxy {
            synced.modules = self.sync_modules(dir, &synced.archives, source)?;
        }
        write_index(dir, &listed).map_err(|e| fs_error(&dir.join("index.json"), e))?;
        let keys = keyring.to_armored().map_err(|e| {
            InstallError::from(FetchError::KeyringInvalid {
                path: dir.join(KEY_BLOCK),
                source: Box::new(e),
            })
        })?;
        gorig_fs::write_atomic(&dir.join(KEY_BLOCK), keys.as_bytes())
            .map_err(|e| fs_error(&dir.join(KEY_BLOCK), std::io::Error::other(e.to_string())))?;
        let known: BTreeMap<String, String> = synced
            .archives
            .iter()
            .map(|a| (a.filename.clone(), a.sha256.clone()))
            .collect();
        write_manifest(dir, &known).map_err(|e| fs_error(&dir.join(MANIFEST), e))?;
        match &request.sign_with {
            Some(key) => sign_manifest(dir, key)?,
            // An old signature would not match the new manifest.
            None => {
                let _ = std::fs::remove_file(dir.join(MANIFEST_SIGNATURE));
            }
        }
        Ok(synced)
    }

    /// The GOPROXY layout: each archive's module zip (built from its verified bytes), its
    /// .mod, .info and the list, and the checksum database's answers that prove the zips
    /// (lookups, every tile read, the latest note), so go verifies with no other network.
    fn sync_modules(
        &self,
        dir: &Path,
        archives: &[SyncedArchive],
        source: &gorig_fetch::goproxy::GoproxySource,
    ) -> Result<Vec<SyncedModule>, InstallError> {
        use gorig_sumdb::proxy::{TOOLCHAIN_MODULE, toolchain_version};
        let sumdb = source
            .sumdb
            .as_ref()
            .ok_or_else(|| InstallError::from(FetchError::SumDbOff))?;
        let client = self.client()?;
        let at = dir.join(TOOLCHAIN_MODULE).join("@v");
        let db = dir.join("sumdb").join(&sumdb.name);
        let io = |path: &Path, e: std::io::Error| -> InstallError {
            FetchError::io("write", path, e).into()
        };
        for sub in [&at, &db.join("lookup").join("golang.org")] {
            std::fs::create_dir_all(sub).map_err(|e| io(sub, e))?;
        }
        let write = |path: &Path, bytes: &[u8]| -> Result<(), InstallError> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            gorig_fs::write_atomic(path, bytes)
                .map_err(|e| io(path, std::io::Error::other(e.to_string())))
        };
        // The tree the mirror served before: a new upstream tree must extend it.
        let latest_path = db.join("latest");
        let mut latest = std::fs::read_to_string(&latest_path).ok().and_then(|note| {
            let text = gorig_sumdb::note::open(&note, &sumdb.verifier).ok()?;
            Some((gorig_sumdb::tlog::Tree::parse(text).ok()?, note))
        });
        let mut modules = Vec::new();
        for archive in archives {
            let version = toolchain_version(&archive.version, &archive.arch);
            let zip_path = at.join(format!("{version}.zip"));
            let lookup_path = db
                .join("lookup")
                .join(format!("{TOOLCHAIN_MODULE}@{version}"));
            if zip_path.is_file() && lookup_path.is_file() {
                let h1 = std::fs::read_to_string(&lookup_path)
                    .ok()
                    .and_then(|body| {
                        let prefix = format!("{TOOLCHAIN_MODULE} {version} ");
                        body.lines()
                            .find_map(|l| l.strip_prefix(&prefix).map(str::to_string))
                    })
                    .unwrap_or_default();
                modules.push(SyncedModule {
                    version,
                    h1,
                    built: false,
                });
                continue;
            }
            let failed = InstallError::from;
            let proof = source
                .prove(client, sumdb, &version, latest.as_ref().map(|(t, _)| t))
                .map_err(failed)?;
            let partial = dir.join(PARTIAL_DIR).join(format!("{version}.zip"));
            let built = std::fs::File::open(dir.join(&archive.filename))
                .map_err(|e| failed(FetchError::io("read", dir.join(&archive.filename), e)))
                .and_then(|tar_gz| {
                    let out = std::fs::File::create(&partial)
                        .map_err(|e| failed(FetchError::io("write", &partial, e)))?;
                    gorig_fetch::modzip::toolchain_zip(tar_gz, &version, out).map_err(|e| {
                        failed(FetchError::io(
                            "write",
                            &partial,
                            std::io::Error::other(e.to_string()),
                        ))
                    })
                })?;
            if built.h1 != proof.verified.zip_hash {
                let _ = std::fs::remove_file(&partial);
                return Err(failed(FetchError::ZipHashMismatch {
                    file: format!("{version}.zip (built from {})", archive.filename),
                    url: proof.base.clone(),
                    expected: proof.verified.zip_hash.clone(),
                    actual: built.h1,
                }));
            }
            let mod_hash =
                gorig_sumdb::dirhash::go_mod_hash(gorig_fetch::modzip::TOOLCHAIN_GO_MOD.as_bytes());
            if proof.verified.mod_hash != mod_hash {
                let _ = std::fs::remove_file(&partial);
                return Err(failed(FetchError::SumDb {
                    version: version.clone(),
                    detail: format!(
                        "its go.mod hash is {}, not {mod_hash}",
                        proof.verified.mod_hash
                    ),
                }));
            }
            // The release time, as the .info carries it: when the release was signed.
            let time = std::fs::read(dir.join(format!("{}.asc", archive.filename)))
                .ok()
                .and_then(|bytes| ReleaseSignature::parse(&bytes, "asc").ok())
                .map(|signature| gorig_fetch::signature::format_time(signature.created()))
                .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
            write(
                &at.join(format!("{version}.mod")),
                gorig_fetch::modzip::TOOLCHAIN_GO_MOD.as_bytes(),
            )?;
            write(
                &at.join(format!("{version}.info")),
                format!("{{\"Version\":\"{version}\", \"Time\":\"{time}\"}}\n").as_bytes(),
            )?;
            for (tile, bytes) in &proof.tiles {
                // Every width up to the one read: a client that saw a smaller tree asks
                // for those.
                for width in 1..=tile.width {
                    let cut = gorig_sumdb::tlog::Tile { width, ..*tile };
                    let path = db.join(cut.path());
                    if width < tile.width && path.is_file() {
                        continue;
                    }
                    write(&path, &bytes[..(width as usize * 32).min(bytes.len())])?;
                }
            }
            write(&lookup_path, proof.body.as_bytes())?;
            gorig_fs::rename(&partial, &zip_path)
                .map_err(|e| io(&zip_path, std::io::Error::other(e.to_string())))?;
            if latest
                .as_ref()
                .is_none_or(|(t, _)| proof.verified.tree.size > t.size)
            {
                latest = Some((proof.verified.tree, proof.verified.note.clone()));
            }
            modules.push(SyncedModule {
                version,
                h1: proof.verified.zip_hash,
                built: true,
            });
        }
        if let Some((_, note)) = &latest {
            write(&latest_path, note.as_bytes())?;
        }
        write(&db.join("supported"), b"")?;
        let mut listed: Vec<String> = std::fs::read_dir(&at)
            .map_err(|e| io(&at, e))?
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".zip")
                    .map(str::to_string)
            })
            .collect();
        listed.sort();
        write(
            &at.join("list"),
            format!("{}\n", listed.join("\n")).as_bytes(),
        )?;
        Ok(modules)
    }

    fn sync_archive(
        &self,
        dir: &Path,
        artifact: &Artifact,
        arch: GoArch,
        manifest: &BTreeMap<String, String>,
        keyring: &Keyring,
        client: &gorig_fetch::Client,
    ) -> Result<SyncedArchive, InstallError> {
        let name = &artifact.filename;
        let Digest::Known(expected) = &artifact.digest else {
            return Err(InstallError::from(FetchError::BadMirror(format!(
                "the index publishes no SHA-256 for {name}"
            ))));
        };
        let expected = expected.to_string();
        let target = dir.join(name);
        let record = |downloaded: bool, size: u64| SyncedArchive {
            filename: name.clone(),
            version: artifact.version.to_string(),
            arch: arch.archive_arch().to_string(),
            sha256: expected.clone(),
            size,
            downloaded,
        };
        // Already there, as the manifest recorded it and the index still publishes it.
        if manifest.get(name) == Some(&expected)
            && dir.join(format!("{name}.asc")).is_file()
            && let Ok(meta) = std::fs::metadata(&target)
            && artifact.size.is_none_or(|s| s == meta.len())
        {
            return Ok(record(false, meta.len()));
        }
        let failed = |source: FetchError| InstallError::Failed {
            version: artifact.version.clone(),
            source: Box::new(source),
        };
        let signature_failed = |e| {
            failed(FetchError::Signature {
                filename: name.clone(),
                url: format!("{name}.asc"),
                source: Box::new(e),
            })
        };
        // The signature first (it is small): the archive is then hashed once, for its
        // SHA-256 and, continued with the signature's trailer, for the signature.
        let asc_name = format!("{name}.asc");
        let mut bases: Vec<&gorig_fetch::Mirror> = self.sources.mirrors.iter().collect();
        bases.push(&self.sources.signature_base);
        let mut armored = None;
        let mut tried = Vec::new();
        for base in bases {
            let location = base.file(&asc_name);
            match client.read_small(&location, 64 << 10, &asc_name) {
                Ok(bytes) => {
                    armored = Some(bytes);
                    break;
                }
                Err(_) => tried.push(location.to_string()),
            }
        }
        let armored = armored.ok_or_else(|| {
            failed(FetchError::SignatureMissing {
                filename: name.clone(),
                tried,
            })
        })?;
        let signature = ReleaseSignature::parse(&armored, &asc_name).map_err(signature_failed)?;
        let check = keyring.begin(&signature).map_err(signature_failed)?;

        let partial = dir.join(PARTIAL_DIR).join(name);
        let mut hasher = ring::digest::Context::new(&ring::digest::SHA256);
        let mut last_error = None;
        let mut source_url = String::new();
        for mirror in &self.sources.mirrors {
            let location = mirror.file(name);
            hasher = ring::digest::Context::new(&ring::digest::SHA256);
            match download_resumable(
                client,
                &location,
                &partial,
                self.reporter,
                name,
                &mut hasher,
            ) {
                Ok(()) => {
                    last_error = None;
                    source_url = location.to_string();
                    break;
                }
                Err(error) if error.try_next_mirror() => last_error = Some(error),
                Err(error) => return Err(failed(error)),
            }
        }
        if let Some(error) = last_error {
            return Err(failed(error));
        }
        let size = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
        let actual = hex(hasher.clone().finish().as_ref());
        if actual != expected {
            let _ = std::fs::remove_file(&partial);
            return Err(failed(FetchError::ChecksumMismatch {
                filename: name.clone(),
                url: source_url,
                expected,
                actual,
                sizes: String::new(),
            }));
        }
        let verdict = match check.sha256_continuation() {
            Some(trailer) => {
                hasher.update(&trailer);
                check.verify_sha256(hasher.finish().as_ref())
            }
            None => std::fs::File::open(&partial)
                .map_err(|e| gorig_fetch::signature::SignatureError::Bad {
                    key: String::new(),
                    detail: e.to_string(),
                })
                .and_then(|file| check.verify(std::io::BufReader::new(file))),
        };
        if let Err(e) = verdict {
            let _ = std::fs::remove_file(&partial);
            return Err(signature_failed(e));
        }
        // Proven: the proofs first, then the archive, each in one rename.
        let write = |file: &str, bytes: &[u8]| {
            gorig_fs::write_atomic(&dir.join(file), bytes).map_err(|e| {
                failed(FetchError::io(
                    "write",
                    dir.join(file),
                    std::io::Error::other(e.to_string()),
                ))
            })
        };
        write(&asc_name, &armored)?;
        write(
            &format!("{name}.sha256"),
            format!("{expected}\n").as_bytes(),
        )?;
        gorig_fs::rename(&partial, &target).map_err(|e| {
            failed(FetchError::io(
                "write",
                &target,
                std::io::Error::other(e.to_string()),
            ))
        })?;
        Ok(record(true, size))
    }
}

/// Downloads `location` to `partial`, continuing a partial file left by a killed sync;
/// every byte of the file, old and new, goes through `hasher`.
fn download_resumable(
    client: &gorig_fetch::Client,
    location: &Location,
    partial: &Path,
    reporter: &dyn gorig_event::Reporter,
    name: &str,
    hasher: &mut ring::digest::Context,
) -> Result<(), FetchError> {
    let have = std::fs::metadata(partial).map(|m| m.len()).unwrap_or(0);
    let (opened, start) = client.open_from(location, have)?;
    if start > 0 {
        let mut old =
            std::fs::File::open(partial).map_err(|e| FetchError::io("read", partial, e))?;
        let mut left = start;
        let mut buffer = vec![0u8; 1 << 20];
        while left > 0 {
            let want = buffer.len().min(left as usize);
            old.read_exact(&mut buffer[..want])
                .map_err(|e| FetchError::io("read", partial, e))?;
            hasher.update(&buffer[..want]);
            left -= want as u64;
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(start == 0)
        .append(start > 0)
        .open(partial)
        .map_err(|e| FetchError::io("write", partial, e))?;
    if start > 0 {
        // Only the verified prefix is kept: a longer leftover is cut back to it.
        file.set_len(start)
            .map_err(|e| FetchError::io("write", partial, e))?;
    }
    let id = DownloadId::next();
    reporter.report(Event::DownloadStarted {
        id,
        file: name.to_string(),
        url: location.to_string(),
        size: opened.length.map(|l| l + start),
        from_cache: false,
    });
    if start > 0 {
        reporter.report(Event::Progress { id, bytes: start });
    }
    // The socket is read on this thread while another hashes and writes, so a core is
    // never waiting on the other's work (the SHA-256 alone costs a core ~0.7 s per GB).
    let mut reader = opened.reader;
    let mut received = start;
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<(Vec<u8>, usize)>(4);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let result = std::thread::scope(|scope| {
        let writer = scope.spawn(|| -> Result<(), FetchError> {
            for (buffer, n) in full_rx {
                file.write_all(&buffer[..n])
                    .map_err(|e| FetchError::io("write", partial, e))?;
                hasher.update(&buffer[..n]);
                let _ = empty_tx.send(buffer);
            }
            Ok(())
        });
        let read = loop {
            let mut buffer = empty_rx.try_recv().unwrap_or_else(|_| vec![0u8; 1 << 20]);
            let n = match reader.read(&mut buffer) {
                Ok(0) => break Ok(()),
                Ok(n) => n,
                Err(source) => {
                    break Err(FetchError::Interrupted {
                        url: location.to_string(),
                        received,
                        source,
                    });
                }
            };
            received += n as u64;
            reporter.report(Event::Progress {
                id,
                bytes: n as u64,
            });
            if full_tx.send((buffer, n)).is_err() {
                break Ok(());
            }
        };
        drop(full_tx);
        let written = writer.join().unwrap_or_else(|_| {
            Err(FetchError::io(
                "write",
                partial,
                std::io::Error::other("the writer thread panicked"),
            ))
        });
        read.and(written)
    });
    reporter.report(Event::DownloadFinished { id });
    result?;
    file.sync_all()
        .map_err(|e| FetchError::io("write", partial, e))
}

/// `index.json` for the archives the tree holds, in go.dev's shape, newest first.
fn write_index(dir: &Path, archives: &[SyncedArchive]) -> std::io::Result<()> {
    let mut by_version: BTreeMap<GoVersion, Vec<&SyncedArchive>> = BTreeMap::new();
    for archive in archives {
        if let Ok(version) = archive.version.parse::<GoVersion>() {
            by_version.entry(version).or_default().push(archive);
        }
    }
    let releases: Vec<serde_json::Value> = by_version
        .iter()
        .rev()
        .map(|(version, files)| {
            serde_json::json!({
                "version": version.to_string(),
                "stable": version.is_stable(),
                "files": files.iter().map(|a| serde_json::json!({
                    "filename": a.filename,
                    "os": "linux",
                    "arch": a.arch,
                    "version": a.version,
                    "sha256": a.sha256,
                    "size": a.size,
                    "kind": "archive",
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let text = serde_json::to_string_pretty(&releases).map_err(std::io::Error::other)?;
    gorig_fs::write_atomic(&dir.join("index.json"), text.as_bytes())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    // `/?mode=json` answered by a static file: web servers serve index.html for `/`
    // whatever the query, so the JSON is there too and no server rule is needed.
    gorig_fs::write_atomic(&dir.join("index.html"), text.as_bytes())
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// Signs the manifest with the operator's GnuPG key: `gpg --detach-sign --armor`, into
/// a temporary file renamed over the old signature.
fn sign_manifest(dir: &Path, key: &str) -> Result<(), InstallError> {
    let temporary = dir.join(format!(".{MANIFEST_SIGNATURE}.{}", std::process::id()));
    let out = std::process::Command::new("gpg")
        .args([
            "--batch",
            "--yes",
            "--armor",
            "--detach-sign",
            "--local-user",
            key,
            "--output",
        ])
        .arg(&temporary)
        .arg(dir.join(MANIFEST))
        .output();
    let failed = |detail: String| {
        let _ = std::fs::remove_file(&temporary);
        InstallError::from(FetchError::KeyRefresh(format!(
            "could not sign {MANIFEST} with gpg key `{key}`: {detail}"
        )))
    };
    match out {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            return Err(failed(
                String::from_utf8_lossy(&out.stderr).trim().to_string(),
            ));
        }
        Err(e) => return Err(failed(format!("gpg could not run ({e}); install gnupg"))),
    }
    gorig_fs::rename(&temporary, &dir.join(MANIFEST_SIGNATURE)).map_err(|e| failed(e.to_string()))
}

/// Every file of the tree but the manifest and partial downloads, relative, sorted.
fn tree_files(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at)? {
            let entry = entry?;
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            if rel == MANIFEST
                || rel == MANIFEST_SIGNATURE
                || rel == PARTIAL_DIR
                || gorig_fs::is_temporary_name(&entry.file_name())
            {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                files.push(rel);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Writes the manifest. Digests come from `known` (archives just verified against the
/// index), else from the previous manifest for a file not changed since it was written,
/// else from hashing the file, so a re-sync does not read the whole tree again.
fn write_manifest(dir: &Path, known: &BTreeMap<String, String>) -> std::io::Result<()> {
    let previous = read_manifest(dir);
    let written_at = std::fs::metadata(dir.join(MANIFEST))
        .and_then(|m| m.modified())
        .ok();
    let mut text = String::new();
    for rel in tree_files(dir)? {
        let path = dir.join(&rel);
        let unchanged = || {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
            (modified < written_at?)
                .then(|| previous.get(&rel).cloned())
                .flatten()
        };
        let digest = match known.get(&rel).cloned().or_else(unchanged) {
            Some(digest) => digest,
            None => sha256_file(&path)?.0,
        };
        text.push_str(&format!("{digest}  {rel}\n"));
    }
    gorig_fs::write_atomic(&dir.join(MANIFEST), text.as_bytes())
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// Re-checks the tree: every file against the manifest, every archive against the
/// index's SHA-256 and its `.asc` against `keyring`, and, with `sumdb`, every lookup of
/// the GOPROXY layout against the database's key and the tree's tiles, and every zip
/// against the h1 its lookup records (so a rewritten manifest hides nothing).
pub fn verify_mirror(
    dir: &Path,
    keyring: &Keyring,
    sumdb: Option<&gorig_fetch::goproxy::SumDb>,
) -> std::io::Result<Verified> {
    let mut verified = Verified::default();
    let manifest = read_manifest(dir);
    if manifest.is_empty() {
        verified.problems.push(Problem {
            file: MANIFEST.into(),
            what: "missing or empty: not a tree made by gorig mirror sync".into(),
        });
        return Ok(verified);
    }
    if let Ok(armored) = std::fs::read(dir.join(MANIFEST_SIGNATURE)) {
        let checked = ReleaseSignature::parse(&armored, MANIFEST_SIGNATURE)
            .map_err(|e| e.to_string())
            .and_then(|signature| {
                let file = std::fs::File::open(dir.join(MANIFEST)).map_err(|e| e.to_string())?;
                keyring
                    .begin(&signature)
                    .and_then(|c| c.verify(std::io::BufReader::new(file)))
                    .map_err(|e| e.to_string())
            });
        match checked {
            Ok(evidence) => verified.manifest_signed_by = Some(evidence.signing_key_fingerprint),
            Err(why) => verified.problems.push(Problem {
                file: MANIFEST_SIGNATURE.into(),
                what: format!("the manifest's signature does not check (give the operator's key with --keyring): {why}"),
            }),
        }
    }
    let files = tree_files(dir)?;
    for rel in &files {
        match manifest.get(rel) {
            None => verified.problems.push(Problem {
                file: rel.clone(),
                what: "not in the manifest".into(),
            }),
            Some(expected) => {
                let (actual, _) = sha256_file(&dir.join(rel))?;
                if &actual != expected {
                    verified.problems.push(Problem {
                        file: rel.clone(),
                        what: format!("SHA-256 {actual}, the manifest records {expected}"),
                    });
                }
            }
        }
        verified.files += 1;
    }
    for name in manifest.keys() {
        if !files.contains(name) {
            verified.problems.push(Problem {
                file: name.clone(),
                what: "in the manifest but missing".into(),
            });
        }
    }
    let index: Vec<serde_json::Value> = std::fs::read(dir.join("index.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    for release in &index {
        for file in release["files"].as_array().into_iter().flatten() {
            let Some(name) = file["filename"].as_str() else {
                continue;
            };
            verified.archives += 1;
            let path = dir.join(name);
            let Ok((actual, _)) = sha256_file(&path) else {
                verified.problems.push(Problem {
                    file: name.into(),
                    what: "listed in index.json but missing".into(),
                });
                continue;
            };
            if Some(actual.as_str()) != file["sha256"].as_str() {
                verified.problems.push(Problem {
                    file: name.into(),
                    what: format!("SHA-256 {actual}, index.json publishes {}", file["sha256"]),
                });
            }
            let asc = format!("{name}.asc");
            let check = std::fs::read(dir.join(&asc))
                .map_err(|_| "missing".to_string())
                .and_then(|bytes| ReleaseSignature::parse(&bytes, &asc).map_err(|e| e.to_string()))
                .and_then(|signature| {
                    let file = std::fs::File::open(&path).map_err(|e| e.to_string())?;
                    keyring
                        .begin(&signature)
                        .and_then(|c| c.verify(std::io::BufReader::new(file)))
                        .map_err(|e| e.to_string())
                });
            if let Err(why) = check {
                verified.problems.push(Problem {
                    file: asc,
                    what: format!("the signature does not check: {why}"),
                });
            }
        }
    }
    if let Some(sumdb) = sumdb {
        verify_modules(dir, sumdb, &mut verified);
    }
    Ok(verified)
}

/// The GOPROXY layout's proofs, checked as a client checks them.
fn verify_modules(dir: &Path, sumdb: &gorig_fetch::goproxy::SumDb, verified: &mut Verified) {
    use gorig_sumdb::proxy::TOOLCHAIN_MODULE;
    let db = dir.join("sumdb").join(&sumdb.name);
    let at = dir.join(TOOLCHAIN_MODULE).join("@v");
    let Ok(entries) = std::fs::read_dir(&at) else {
        return;
    };
    if !db.is_dir() {
        let held: Vec<String> = std::fs::read_dir(dir.join("sumdb"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        verified.problems.push(Problem {
            file: format!("sumdb/{}", sumdb.name),
            what: format!(
                "missing: the tree holds the answers of {}; set GOSUMDB to that database's key to check them",
                if held.is_empty() { "no database".to_string() } else { held.join(", ") }
            ),
        });
        return;
    }
    let relative = |path: &Path| {
        path.strip_prefix(dir)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.display().to_string())
    };
    if let Ok(note) = std::fs::read_to_string(db.join("latest"))
        && let Err(e) = gorig_sumdb::note::open(&note, &sumdb.verifier)
    {
        verified.problems.push(Problem {
            file: relative(&db.join("latest")),
            what: e.to_string(),
        });
    }
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(version) = name.strip_suffix(".zip") else {
            continue;
        };
        let lookup = db
            .join("lookup")
            .join(format!("{TOOLCHAIN_MODULE}@{version}"));
        let Ok(body) = std::fs::read_to_string(&lookup) else {
            verified.problems.push(Problem {
                file: relative(&lookup),
                what: format!("missing: nothing in the tree proves {name}"),
            });
            continue;
        };
        let mut fetch = |_size: u64, tile: &gorig_sumdb::tlog::Tile| {
            std::fs::read(db.join(tile.path())).map_err(|e| format!("{}: {e}", tile.path()))
        };
        let proof = gorig_sumdb::verify_lookup(
            &body,
            TOOLCHAIN_MODULE,
            version,
            &sumdb.verifier,
            None,
            &mut fetch,
        );
        let proof = match proof {
            Ok(proof) => proof,
            Err(e) => {
                verified.problems.push(Problem {
                    file: relative(&lookup),
                    what: e.to_string(),
                });
                continue;
            }
        };
        match gorig_fetch::modzip::hash_zip(&entry.path()) {
            Ok(h1) if h1 == proof.zip_hash => {}
            Ok(h1) => verified.problems.push(Problem {
                file: relative(&entry.path()),
                what: format!(
                    "hashes to {h1}, the checksum database records {}",
                    proof.zip_hash
                ),
            }),
            Err(e) => verified.problems.push(Problem {
                file: relative(&entry.path()),
                what: format!("not a readable zip: {e}"),
            }),
        }
    }
}
