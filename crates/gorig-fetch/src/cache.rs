//! The download cache: verified archives kept so that a reinstall or an offline install
//! needs no network, and the cached release index with its age.
//!
//! An archive is stored as `<dir>/<filename>` with its SHA-256 in `<dir>/<filename>.sha256`,
//! written only after the digest matched. Partial downloads live under dot-names and are
//! renamed into place, so a crash never leaves a file that looks complete.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Partial downloads older than this belong to dead processes and are removed.
const STALE_PARTIAL: Duration = Duration::from_secs(3600);

/// Verified archives on disk.
#[derive(Debug, Clone)]
pub struct DownloadCache {
    dir: PathBuf,
}

impl DownloadCache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, filename: &str) -> PathBuf {
        self.dir.join(filename)
    }

    fn digest_path(&self, filename: &str) -> PathBuf {
        self.dir.join(format!("{filename}.sha256"))
    }

    /// The SHA-256 recorded when `filename` was verified, if it is cached.
    pub fn recorded_sha256(&self, filename: &str) -> Option<String> {
        if !self.path_of(filename).is_file() {
            return None;
        }
        let text = fs::read_to_string(self.digest_path(filename)).ok()?;
        let digest = text.split_whitespace().next()?.to_ascii_lowercase();
        (digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit())).then_some(digest)
    }

    /// The cached archive `filename` if it was verified against `sha256`.
    pub fn lookup(&self, filename: &str, sha256: &str) -> Option<PathBuf> {
        (self.recorded_sha256(filename)? == sha256.to_ascii_lowercase())
            .then(|| self.path_of(filename))
    }

    /// Opens a new partial file for `filename`.
    pub fn begin(&self, filename: &str) -> io::Result<(PathBuf, fs::File)> {
        fs::create_dir_all(&self.dir)?;
        self.remove_stale_partials();
        let partial = self
            .dir
            .join(format!(".{filename}.{}.part", std::process::id()));
        let file = fs::File::create(&partial)?;
        Ok((partial, file))
    }

    /// Publishes a verified partial download as `filename`.
    pub fn commit(&self, partial: &Path, filename: &str, sha256: &str) -> io::Result<()> {
        let digest = self.digest_path(filename);
        // The old digest goes first, so a crash between the renames leaves no stale match.
        match fs::remove_file(&digest) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        fs::rename(partial, self.path_of(filename))?;
        let tmp = self
            .dir
            .join(format!(".{filename}.sha256.{}", std::process::id()));
        fs::write(&tmp, format!("{sha256}  {filename}\n"))?;
        fs::rename(&tmp, digest)
    }

    /// The detached signature stored beside a cached archive, if any.
    pub fn signature(&self, filename: &str) -> Option<Vec<u8>> {
        let path = self.dir.join(format!("{filename}.asc"));
        let meta = fs::metadata(&path).ok()?;
        if meta.len() > crate::signature::MAX_SIGNATURE_BYTES {
            return None;
        }
        fs::read(path).ok()
    }

    /// Keeps an archive's signature so offline reinstalls verify it again.
    pub fn store_signature(&self, filename: &str, armored: &[u8]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let path = self.dir.join(format!("{filename}.asc"));
        let partial = self
            .dir
            .join(format!(".{filename}.asc.{}.part", std::process::id()));
        fs::write(&partial, armored)?;
        fs::rename(&partial, path)
    }

    /// Drops `filename` from the cache (it failed verification).
    pub fn remove(&self, filename: &str) {
        let _ = fs::remove_file(self.digest_path(filename));
        let _ = fs::remove_file(self.path_of(filename));
    }

    fn remove_stale_partials(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !(name.starts_with('.') && name.ends_with(".part")) {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > STALE_PARTIAL);
            if old {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Cached copies of release indexes, one file per list of sources.
#[derive(Debug, Clone)]
pub struct IndexCache {
    dir: PathBuf,
}

/// An index read from the cache.
#[derive(Debug, Clone)]
pub struct CachedIndex {
    pub bytes: Vec<u8>,
    pub age: Duration,
}

impl IndexCache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The cached index for `key` and its age at `now`.
    pub fn read(&self, key: &str, now: SystemTime) -> Option<CachedIndex> {
        let path = self.path(key);
        let modified = fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        let bytes = fs::read(&path).ok()?;
        let age = now.duration_since(modified).unwrap_or_default();
        Some(CachedIndex { bytes, age })
    }

    /// Replaces the cached index for `key` atomically.
    pub fn write(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let tmp = self.dir.join(format!(".{key}.{}.tmp", std::process::id()));
        fs::write(&tmp, bytes)?;
        fs::rename(&tmp, self.path(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archive_is_found_only_with_its_verified_digest() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = DownloadCache::new(dir.path().join("downloads"));
        let digest = "ab".repeat(32);
        assert_eq!(cache.lookup("go.tar.gz", &digest), None);
        let (partial, _file) = cache.begin("go.tar.gz")?;
        fs::write(&partial, b"bytes")?;
        assert_eq!(cache.lookup("go.tar.gz", &digest), None);
        cache.commit(&partial, "go.tar.gz", &digest)?;
        assert_eq!(
            cache.lookup("go.tar.gz", &digest.to_uppercase()),
            Some(cache.path_of("go.tar.gz"))
        );
        assert_eq!(cache.lookup("go.tar.gz", &"cd".repeat(32)), None);
        cache.remove("go.tar.gz");
        assert_eq!(cache.recorded_sha256("go.tar.gz"), None);
        Ok(())
    }

    #[test]
    fn the_index_cache_reports_age() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let cache = IndexCache::new(dir.path());
        assert!(cache.read("k", SystemTime::now()).is_none());
        cache.write("k", b"[]")?;
        let later = SystemTime::now() + Duration::from_secs(7200);
        let read = cache.read("k", later).expect("cached");
        assert_eq!(read.bytes, b"[]");
        assert!(read.age >= Duration::from_secs(7100));
        Ok(())
    }
}
