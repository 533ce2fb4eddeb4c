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
        partial_file_synced(partial)?;
        gorig_fs::rename(partial, &self.path_of(filename)).map_err(io::Error::other)?;
        gorig_fs::write_atomic(&digest, format!("{sha256}  {filename}\n").as_bytes())
            .map_err(io::Error::other)
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
        gorig_fs::write_atomic(&path, armored).map_err(io::Error::other)
    }

    /// Drops a cached signature that failed verification, so the next run fetches it.
    pub fn remove_signature(&self, filename: &str) {
        let _ = gorig_fs::remove_file(&self.dir.join(format!("{filename}.asc")));
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

/// Puts a finished partial download on disk before it is renamed into the cache.
fn partial_file_synced(partial: &Path) -> io::Result<()> {
    fs::File::open(partial)?.sync_all()
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
        // A file dated in the future (a clock that was wrong when it was written, or a
        // copied tree) has no known age: it counts as old, never as fresh until the
        // clock catches up.
        let age = now.duration_since(modified).unwrap_or(Duration::MAX);
        Some(CachedIndex { bytes, age })
    }

    /// Replaces the cached index for `key` atomically.
    pub fn write(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        gorig_fs::write_atomic(&self.path(key), bytes).map_err(io::Error::other)
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
        let (partial, mut file) = cache.begin("go.tar.gz")?;
        io::Write::write_all(&mut file, b"bytes")?;
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
        let earlier = SystemTime::now() - Duration::from_secs(7200);
        let future = cache.read("k", earlier).expect("cached");
        assert_eq!(
            future.age,
            Duration::MAX,
            "a file from the future is not fresh"
        );
        Ok(())
    }
}
