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

mod system;

pub use gorig_fs::{Lock, LockHolder};
pub use system::{LinkState, SystemLink, relative_path};

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use gorig_fs::{FsError, remove_tree};
use gorig_version::GoVersion;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Fs(#[from] FsError),
    #[error("{0} is not installed")]
    NotInstalled(GoVersion),
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        StoreError::Fs(FsError::io(action, path, source))
    }

    /// The I/O error kind behind this error, if it is one.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            StoreError::Fs(e) => e.io_kind(),
            StoreError::NotInstalled(_) => None,
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
        Ok(Lock::acquire(&self.home.join("lock"), on_wait)?)
    }

    /// Takes the lock that owns the install of `version`.
    pub fn lock_version(
        &self,
        version: &GoVersion,
        on_wait: &mut dyn FnMut(&LockHolder),
    ) -> Result<Lock, StoreError> {
        self.ensure()?;
        Ok(Lock::acquire(&self.version_lock_path(version), on_wait)?)
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

    /// Puts everything unpacked into `staging` on disk, before any lock is taken: only a
    /// sealed tree can be published, so a power cut never leaves a listed version whose
    /// files are empty.
    pub fn seal(&self, staging: &Path) -> Result<Sealed, StoreError> {
        gorig_fs::sync_tree(staging)?;
        Ok(Sealed {
            path: staging.to_path_buf(),
        })
    }

    /// Publishes a sealed staging directory as `version`. A version already there is
    /// swapped with it in one step (`RENAME_EXCHANGE`), so the version, and the default
    /// when it is that version, resolves at every instant of a reinstall; the old tree is
    /// then removed. Returns whether an installed tree was replaced.
    pub fn publish(
        &self,
        version: &GoVersion,
        sealed: Sealed,
        _held: &Lock,
    ) -> Result<bool, StoreError> {
        let target = self.version_dir(version);
        let staging = sealed.path;
        if fs::symlink_metadata(&target).is_err() {
            gorig_fs::rename_noreplace(&staging, &target)?;
            return Ok(false);
        }
        if gorig_fs::exchange(&staging, &target)? {
            // `staging` now holds the old tree; the caller still holds its version lock,
            // so no sweep races this removal, and a kill here leaves it to the next sweep.
            gorig_fs::remove_tree_parallel(&staging)?;
        } else {
            // A filesystem that cannot swap: the old tree leaves by one rename and the new
            // one arrives by another, under the store lock.
            self.discard(&target)?;
            gorig_fs::rename_noreplace(&staging, &target)?;
        }
        Ok(true)
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
            gorig_fs::replace_symlink(&old, &self.previous_link())?;
        }
        Ok(gorig_fs::replace_symlink(&target, &self.current_link())?)
    }

    /// Removes the default (no toolchain is on PATH afterwards).
    pub fn clear_default(&self, _held: &Lock) -> Result<(), StoreError> {
        gorig_fs::remove_file(&self.current_link())?;
        gorig_fs::sync_dir(&self.home)?;
        Ok(())
    }

    /// Removes the `previous` link when it points at `version` (about to be removed), so
    /// no link is left pointing at nothing.
    pub fn forget_previous(&self, version: &GoVersion, _held: &Lock) -> Result<(), StoreError> {
        let link = self.previous_link();
        let points_here = fs::read_link(&link)
            .ok()
            .and_then(|t| t.file_name().map(|n| n == version.to_string().as_str()))
            .unwrap_or(false);
        if points_here {
            gorig_fs::remove_file(&link)?;
            gorig_fs::sync_dir(&self.home)?;
        }
        Ok(())
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
        gorig_fs::rename(dir, &trash)?;
        Ok(gorig_fs::remove_tree_parallel(&trash)?)
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
        // Links and files a killed writer left half-made beside `current`.
        for entry in fs::read_dir(&self.home).into_iter().flatten().flatten() {
            if gorig_fs::is_temporary_name(&entry.file_name()) {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(removed)
    }
}

/// A staging directory whose contents are on disk; see [`Store::seal`].
#[derive(Debug)]
pub struct Sealed {
    path: PathBuf,
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests;
