//! Every file gorig writes goes through this crate, so that each write is whole or absent
//! after a crash, and no file a person wrote is replaced without a copy.
//!
//! - [`write_atomic`]: a temporary file beside the target, written, fsynced, renamed over
//!   the target, then the directory fsynced: a reader sees the old bytes or the new ones,
//!   and after a power cut the rename is on disk.
//! - [`write_managed`]: the same, for files outside gorig's own directories (profile
//!   scripts, sysctl drop-ins, `.go-version`): unchanged content is not rewritten, and a
//!   file gorig did not write is first copied to `<file>.gorig-backup-<UTC stamp>` (the one
//!   backup scheme; [`backup_path`]).
//! - [`replace_symlink`], [`exchange`], [`rename_noreplace`], [`rename`]: one-step
//!   changes of what a name points at.
//! - [`sync_tree`]: a tree's data and metadata on disk before it is published by a rename.
//! - [`remove_tree`], and [`Lock`]: advisory locks that name their holder.
//!
//! clippy's `disallowed-methods` (the workspace's `clippy.toml`) keeps `std::fs::write` and
//! `std::fs::rename` out of every other crate.

#![allow(clippy::disallowed_methods)]

mod lock;

pub use lock::{Lock, LockHolder};

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rustix::fs::{CWD, RenameFlags, renameat_with};
use rustix::io::Errno;

/// What went wrong with a file.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("could not {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{} is a real directory, not a link gorig manages", path.display())]
    RealDirectory { path: PathBuf },
}

impl FsError {
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        FsError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The I/O error kind behind this error, if it is one.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            FsError::Io { source, .. } => Some(source.kind()),
            FsError::RealDirectory { .. } => None,
        }
    }

    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            FsError::Io { path, .. } | FsError::RealDirectory { path } => path,
        }
    }
}

/// Permissions of files gorig writes unless told otherwise: readable by all, like the
/// files of an unpacked Go toolchain.
pub const FILE_MODE: u32 = 0o644;

/// A name beside `path` that no other writer (thread or process) uses at the same time.
fn temporary_beside(path: &Path, purpose: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_else(|| "file".as_ref()));
    name.push(format!(".gorig-{purpose}-{}-{n}", std::process::id()));
    path.with_file_name(name)
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Flushes a directory's entries (a rename or a new file in it) to disk.
pub fn sync_dir(dir: &Path) -> Result<(), FsError> {
    let file = File::open(dir).map_err(|e| FsError::io("open", dir, e))?;
    match file.sync_all() {
        Ok(()) => Ok(()),
        // Some filesystems (9p, some FUSE) cannot fsync a directory; the rename itself
        // was still atomic.
        Err(e) if e.raw_os_error() == Some(Errno::INVAL.raw_os_error()) => Ok(()),
        Err(e) => Err(FsError::io("sync", dir, e)),
    }
}

/// Writes `bytes` to `path` so that `path` holds the old bytes or all of the new ones at
/// every instant, and the new ones after a crash once this returns. Creates the parent
/// directories. The file gets `mode`.
pub fn write_atomic_mode(path: &Path, bytes: &[u8], mode: u32) -> Result<(), FsError> {
    let dir = parent_of(path);
    fs::create_dir_all(dir).map_err(|e| FsError::io("create", dir, e))?;
    let tmp = temporary_beside(path, "tmp");
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&tmp)?;
        file.write_all(bytes)?;
        // The mode given to open is masked by the umask; the file gets exactly `mode`.
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(FsError::io("write", path, e));
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(FsError::io("write", path, e));
    }
    sync_dir(dir)
}

/// [`write_atomic_mode`] with [`FILE_MODE`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    write_atomic_mode(path, bytes, FILE_MODE)
}

/// `20261201T123641Z`: the UTC time of `at`, for names of backups and moved-aside files.
pub fn utc_stamp(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Where a copy of `path` made at `at` is kept: `<file>.gorig-backup-<UTC stamp>`.
pub fn backup_path(path: &Path, at: SystemTime) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".gorig-backup-{}", utc_stamp(at)));
    path.with_file_name(name)
}

/// How [`write_managed`] treats what is already there.
#[derive(Debug, Clone, Copy)]
pub struct Managed<'a> {
    /// Content gorig wrote starts with this line; such a file is replaced without a copy.
    /// `None`: every different file there is copied first.
    pub marker: Option<&'a str>,
    pub mode: u32,
    /// The time that names a backup.
    pub now: SystemTime,
}

impl Default for Managed<'_> {
    fn default() -> Self {
        Managed {
            marker: None,
            mode: FILE_MODE,
            now: SystemTime::now(),
        }
    }
}

/// What [`write_managed`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Written {
    /// The file's content changed (false: it already held exactly this).
    pub changed: bool,
    /// Where the previous content was copied, when gorig had not written it.
    pub backup: Option<PathBuf>,
}

/// Writes `content` to a file outside gorig's own directories: atomically, not at all when
/// it already holds `content`, and after copying a file gorig did not write (see
/// [`Managed::marker`]) to [`backup_path`]. A backup never replaces an older backup.
pub fn write_managed(path: &Path, content: &[u8], how: &Managed<'_>) -> Result<Written, FsError> {
    let mut written = Written::default();
    match fs::read(path) {
        Ok(existing) if existing == content => return Ok(written),
        Ok(existing) => {
            let ours = how
                .marker
                .is_some_and(|marker| existing.starts_with(marker.as_bytes()));
            if !ours {
                written.backup = Some(keep_copy(path, &existing, how)?);
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(FsError::io("read", path, e)),
    }
    write_atomic_mode(path, content, how.mode)?;
    written.changed = true;
    Ok(written)
}

fn keep_copy(path: &Path, existing: &[u8], how: &Managed<'_>) -> Result<PathBuf, FsError> {
    let first = backup_path(path, how.now);
    let mut candidate = first.clone();
    for n in 2.. {
        match fs::symlink_metadata(&candidate) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => break,
            Err(e) => return Err(FsError::io("back up", path, e)),
            Ok(_) => {
                let mut name = first.file_name().unwrap_or_default().to_os_string();
                name.push(format!("-{n}"));
                candidate = first.with_file_name(name);
            }
        }
    }
    let mode = fs::metadata(path).map_or(how.mode, |m| m.permissions().mode() & 0o7777);
    write_atomic_mode(&candidate, existing, mode).map_err(|e| match e {
        FsError::Io { source, .. } => FsError::io("back up", path, source),
        other => other,
    })?;
    Ok(candidate)
}

/// Points `link` at `target` in one step: a new link made beside it is renamed over it.
/// Refuses to replace a real directory.
pub fn replace_symlink(target: &Path, link: &Path) -> Result<(), FsError> {
    if let Ok(meta) = fs::symlink_metadata(link)
        && meta.is_dir()
    {
        return Err(FsError::RealDirectory {
            path: link.to_path_buf(),
        });
    }
    let tmp = temporary_beside(link, "link");
    std::os::unix::fs::symlink(target, &tmp).map_err(|e| FsError::io("create", &tmp, e))?;
    if let Err(e) = fs::rename(&tmp, link) {
        let _ = fs::remove_file(&tmp);
        return Err(FsError::io("replace", link, e));
    }
    sync_dir(parent_of(link))
}

/// Removes the file or link `path`; a missing one is not an error.
pub fn remove_file(path: &Path) -> Result<(), FsError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(FsError::io("remove", path, e)),
        _ => Ok(()),
    }
}

/// Whether a name is one of this crate's temporaries (left by a killed writer).
pub fn is_temporary_name(name: &std::ffi::OsStr) -> bool {
    let bytes = name.as_bytes();
    bytes.starts_with(b".")
        && [&b".gorig-tmp-"[..], b".gorig-link-"]
            .iter()
            .any(|mark| bytes.windows(mark.len()).any(|w| w == *mark))
}

/// Renames `from` to `to`, failing if `to` exists; both paths must be on one filesystem.
pub fn rename_noreplace(from: &Path, to: &Path) -> Result<(), FsError> {
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => {}
        // Some filesystems (older NFS, some FUSE) lack RENAME_NOREPLACE: check, then
        // rename. Callers hold a lock that keeps others from creating `to` meanwhile.
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP => {
            if fs::symlink_metadata(to).is_ok() {
                return Err(FsError::io(
                    "rename",
                    to,
                    io::ErrorKind::AlreadyExists.into(),
                ));
            }
            fs::rename(from, to).map_err(|e| FsError::io("rename", to, e))?;
        }
        Err(e) => return Err(FsError::io("rename", to, io::Error::from(e))),
    }
    sync_parents(from, to)
}

/// Renames `from` over `to` (replacing a file or an empty directory there).
pub fn rename(from: &Path, to: &Path) -> Result<(), FsError> {
    fs::rename(from, to).map_err(|e| FsError::io("rename", to, e))?;
    sync_parents(from, to)
}

/// Swaps two existing names in one step (`RENAME_EXCHANGE`): at every instant each name
/// holds one of the two trees. Returns `false`, having changed nothing, when the
/// filesystem cannot swap; the caller then falls back to two renames.
pub fn exchange(a: &Path, b: &Path) -> Result<bool, FsError> {
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => {
            sync_parents(a, b)?;
            Ok(true)
        }
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP => Ok(false),
        Err(e) => Err(FsError::io("swap", b, io::Error::from(e))),
    }
}

fn sync_parents(from: &Path, to: &Path) -> Result<(), FsError> {
    let (a, b) = (parent_of(from), parent_of(to));
    sync_dir(b)?;
    if a != b {
        sync_dir(a)?;
    }
    Ok(())
}

/// Puts everything written beneath `dir` on disk before it is published by a rename.
///
/// One `syncfs` of the filesystem holding `dir`, not an fsync per file: an unpacked Go
/// toolchain is ~14,000 files, and the kernel writes them back in one batched pass
/// (measured in bench/install-bench.py) where 14,000 sequential fsyncs each wait for the
/// device. It also flushes other dirty data on that filesystem, which is harmless.
pub fn sync_tree(dir: &Path) -> Result<(), FsError> {
    let file = File::open(dir).map_err(|e| FsError::io("open", dir, e))?;
    rustix::fs::syncfs(&file).map_err(|e| FsError::io("sync", dir, io::Error::from(e)))
}

/// Removes a directory tree if it exists, making read-only directories writable first
/// (Go's module cache and some archives hold read-only directories).
pub fn remove_tree(dir: &Path) -> Result<(), FsError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            make_writable(dir);
            match fs::remove_dir_all(dir) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(FsError::io("remove", dir, e)),
                _ => Ok(()),
            }
        }
        Err(e) => Err(FsError::io("remove", dir, e)),
    }
}

/// [`remove_tree`] on every core: the entries below `dir` are shared out among threads.
/// Removing a Go toolchain (~14,000 files) is kernel work per file, and a reinstall does
/// it inside the user's command (bench/install-bench.py, the `--force` row).
pub fn remove_tree_parallel(dir: &Path) -> Result<(), FsError> {
    let entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(_) => return remove_tree(dir),
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let next = AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                    let Some(entry) = entries.get(i) else { break };
                    let is_dir = fs::symlink_metadata(entry).is_ok_and(|m| m.is_dir());
                    let _ = if is_dir {
                        fs::remove_dir_all(entry)
                    } else {
                        fs::remove_file(entry)
                    };
                }
            });
        }
    });
    // Whatever the threads could not remove (read-only directories) is handled here.
    remove_tree(dir)
}

fn make_writable(dir: &Path) {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return;
    };
    if !meta.is_dir() {
        return;
    }
    let mode = meta.permissions().mode();
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(mode | 0o700));
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        make_writable(&entry.path());
    }
}

#[cfg(test)]
mod tests;
