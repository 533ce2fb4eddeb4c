//! The on-disk store of Go toolchains (`GORIG_HOME`), and the rules that keep it whole.
//!
//! ```text
//! $GORIG_HOME/
//!   versions/go1.22.5/     complete GOROOTs, each published by one rename
//!   current -> versions/go1.22.5    the default toolchain
//!   previous -> versions/go1.21.13  the default before the last change (rollback)
//!   staging/go1.22.5/      an install in progress; belongs to whoever holds its lock
//!   staging/.trash-*       a removal in progress
//!   locks/go1.22.5.lock    held for the whole install of one version
//!   lock                   held for short changes: publish, default swap, removal, sweep
//! ```
//!
//! A version directory appears only complete (staging is renamed into place), the default
//! changes by one `rename` of a symlink, and a removal first renames the version out of
//! `versions/`. So a process killed at any point leaves the previous state usable, and
//! whatever it left in `staging/` is swept by the next run that can take its lock.

mod lock;
pub mod pins;
mod system;

pub use lock::{Lock, LockHolder};
pub use system::{LinkState, SystemLink, relative_path, write_managed_file};

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use gorig_version::GoVersion;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{0} is not installed")]
    NotInstalled(GoVersion),
    #[error("{} is a real directory, not a link gorig manages", path.display())]
    RealDirectory { path: PathBuf },
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        StoreError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The I/O error kind behind this error, if it is one.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            StoreError::Io { source, .. } => Some(source.kind()),
            _ => None,
        }
    }
}

/// A store rooted at one directory.
#[derive(Debug, Clone)]
pub struct Store {
    home: PathBuf,
}

impl Store {
    pub fn new(home: impl Into<PathBuf>) -> Store {
        Store { home: home.into() }
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn versions_dir(&self) -> PathBuf {
        self.home.join("versions")
    }

    pub fn staging_dir(&self) -> PathBuf {
        self.home.join("staging")
    }

    /// The GOROOT of `version` in this store (whether or not it is installed).
    pub fn version_dir(&self, version: &GoVersion) -> PathBuf {
        self.versions_dir().join(version.to_string())
    }

    /// The `current` link, whose `bin` goes on PATH.
    pub fn current_link(&self) -> PathBuf {
        self.home.join("current")
    }

    pub fn previous_link(&self) -> PathBuf {
        self.home.join("previous")
    }

    /// Creates the store's directories.
    pub fn ensure(&self) -> Result<(), StoreError> {
        for dir in [
            self.versions_dir(),
            self.staging_dir(),
            self.home.join("locks"),
        ] {
            fs::create_dir_all(&dir).map_err(|e| StoreError::io("create", &dir, e))?;
        }
        Ok(())
    }

    /// Takes the store lock for a short change. `on_wait` is called once if another
    /// process holds it, with what is known about that process.
    pub fn lock(&self, on_wait: &mut dyn FnMut(&LockHolder)) -> Result<Lock, StoreError> {
        self.ensure()?;
        Lock::acquire(&self.home.join("lock"), on_wait)
    }

    /// Takes the lock that owns the install of `version`.
    pub fn lock_version(
        &self,
        version: &GoVersion,
        on_wait: &mut dyn FnMut(&LockHolder),
    ) -> Result<Lock, StoreError> {
        self.ensure()?;
        Lock::acquire(&self.version_lock_path(version), on_wait)
    }

    fn version_lock_path(&self, version: &GoVersion) -> PathBuf {
        self.home.join("locks").join(format!("{version}.lock"))
    }

    /// Installed versions, oldest first. Entries that are not version directories are
    /// ignored.
    pub fn installed(&self) -> Result<Vec<GoVersion>, StoreError> {
        let dir = self.versions_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("read", &dir, e)),
        };
        let mut versions: Vec<GoVersion> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .filter(|v: &GoVersion| !v.is_language_version())
            .collect();
        versions.sort();
        Ok(versions)
    }

    pub fn is_installed(&self, version: &GoVersion) -> bool {
        self.version_dir(version).join("bin/go").is_file()
    }

    /// The default toolchain, if `current` points at an installed version.
    pub fn default_version(&self) -> Option<GoVersion> {
        self.link_version(&self.current_link())
    }

    /// The default before the last change, if it is still installed.
    pub fn previous_version(&self) -> Option<GoVersion> {
        self.link_version(&self.previous_link())
    }

    fn link_version(&self, link: &Path) -> Option<GoVersion> {
        let target = fs::read_link(link).ok()?;
        let version: GoVersion = target.file_name()?.to_str()?.parse().ok()?;
        self.is_installed(&version).then_some(version)
    }

    /// A fresh, empty staging directory for `version`; the caller holds its version lock.
    /// Whatever an interrupted install left there is removed first.
    pub fn begin_staging(&self, version: &GoVersion, _held: &Lock) -> Result<PathBuf, StoreError> {
        self.ensure()?;
        let dir = self.staging_dir().join(version.to_string());
        remove_tree(&dir)?;
        fs::create_dir(&dir).map_err(|e| StoreError::io("create", &dir, e))?;
        Ok(dir)
    }

    /// Publishes a verified staging directory as `version` with one rename.
    pub fn publish(
        &self,
        version: &GoVersion,
        staging: &Path,
        _held: &Lock,
    ) -> Result<PathBuf, StoreError> {
        let target = self.version_dir(version);
        if target.exists() {
            // Left by a removal that was interrupted before its rename, or a stray
            // directory: move it out of the way rather than merge into it.
            self.discard(&target)?;
        }
        let renamed = rustix::fs::renameat_with(
            rustix::fs::CWD,
            staging,
            rustix::fs::CWD,
            &target,
            rustix::fs::RenameFlags::NOREPLACE,
        );
        match renamed {
            Ok(()) => {}
            // Some filesystems (older NFS, some FUSE) lack RENAME_NOREPLACE; the target was
            // cleared above and the store lock is held, so a plain rename is as safe.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
                fs::rename(staging, &target).map_err(|e| StoreError::io("publish", &target, e))?;
            }
            Err(e) => return Err(StoreError::io("publish", &target, io::Error::from(e))),
        }
        Ok(target)
    }

    /// Makes `version` the default with one atomic replacement of the `current` link and
    /// remembers the old default as `previous`.
    pub fn set_default(&self, version: &GoVersion, _held: &Lock) -> Result<(), StoreError> {
        if !self.is_installed(version) {
            return Err(StoreError::NotInstalled(version.clone()));
        }
        let target = PathBuf::from("versions").join(version.to_string());
        if let Ok(old) = fs::read_link(self.current_link())
            && old != target
        {
            replace_symlink(&old, &self.previous_link())?;
        }
        replace_symlink(&target, &self.current_link())
    }

    /// Removes the default (no toolchain is on PATH afterwards).
    pub fn clear_default(&self, _held: &Lock) -> Result<(), StoreError> {
        let link = self.current_link();
        match fs::remove_file(&link) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(StoreError::io("remove", &link, e))
            }
            _ => Ok(()),
        }
    }

    /// Removes an installed version. It leaves `versions/` with one rename, so it is never
    /// listed half-deleted.
    pub fn remove(&self, version: &GoVersion, _held: &Lock) -> Result<(), StoreError> {
        let dir = self.version_dir(version);
        if !dir.exists() {
            return Err(StoreError::NotInstalled(version.clone()));
        }
        self.discard(&dir)
    }

    fn discard(&self, dir: &Path) -> Result<(), StoreError> {
        let staging = self.staging_dir();
        fs::create_dir_all(&staging).map_err(|e| StoreError::io("create", &staging, e))?;
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let trash = staging.join(format!(".trash-{name}-{}", std::process::id()));
        remove_tree(&trash)?;
        fs::rename(dir, &trash).map_err(|e| StoreError::io("remove", dir, e))?;
        remove_tree(&trash)
    }

    /// Removes what interrupted runs left: staging directories whose install lock nobody
    /// holds, trash, and temporary links. Returns the names removed.
    pub fn sweep(&self, _held: &Lock) -> Result<Vec<String>, StoreError> {
        let mut removed = Vec::new();
        let staging = self.staging_dir();
        let entries = match fs::read_dir(&staging) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(removed),
            Err(e) => return Err(StoreError::io("read", &staging, e)),
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // A staging directory is abandoned when nobody holds its install lock; the
            // lock is kept while it is removed so no new install can start there meanwhile.
            let guard = match name.parse::<GoVersion>() {
                Ok(version) if !name.starts_with('.') => {
                    match Lock::try_acquire(&self.version_lock_path(&version))? {
                        Some(guard) => Some(guard),
                        None => continue,
                    }
                }
                _ => None,
            };
            remove_tree(&entry.path())?;
            drop(guard);
            removed.push(name);
        }
        for entry in fs::read_dir(&self.home).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".link-") {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(removed)
    }
}

/// Points `link` at `target` atomically: a new link is made beside it and renamed over it.
/// Refuses to replace a real directory.
pub fn replace_symlink(target: &Path, link: &Path) -> Result<(), StoreError> {
    let parent = link.parent().unwrap_or(Path::new("."));
    let name = link
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = parent.join(format!(".link-{name}-{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).map_err(|e| StoreError::io("create", &tmp, e))?;
    if let Ok(meta) = fs::symlink_metadata(link)
        && meta.is_dir()
    {
        let _ = fs::remove_file(&tmp);
        return Err(StoreError::RealDirectory {
            path: link.to_path_buf(),
        });
    }
    fs::rename(&tmp, link).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        StoreError::io("replace", link, e)
    })
}

/// Removes a directory tree if it exists, making read-only directories writable first.
fn remove_tree(dir: &Path) -> Result<(), StoreError> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            make_writable(dir);
            fs::remove_dir_all(dir).map_err(|e| StoreError::io("remove", dir, e))
        }
        Err(e) => Err(StoreError::io("remove", dir, e)),
    }
}

fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
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
