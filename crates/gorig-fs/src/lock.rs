//! Advisory file locks (`flock`) that say who holds them.
//!
//! The holder writes its pid into the lock file, so a process that has to wait can say
//! which process it waits for. The lock is released by the kernel when the holder exits,
//! however it exits, so a killed process never leaves the store locked.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::FsError;

/// A held lock; released on drop.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

/// What is known about the process holding a lock we wait for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHolder {
    pub path: PathBuf,
    pub pid: Option<u32>,
}

impl Lock {
    fn open(path: &Path) -> Result<File, FsError> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| FsError::io("open the lock", path, e))
    }

    /// Blocks until the lock at `path` is held; calls `on_wait` once before blocking.
    pub fn acquire(path: &Path, on_wait: &mut dyn FnMut(&LockHolder)) -> Result<Lock, FsError> {
        let mut file = Self::open(path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                on_wait(&LockHolder {
                    path: path.to_path_buf(),
                    pid: text.trim().parse().ok(),
                });
                file.lock().map_err(|e| FsError::io("lock", path, e))?;
            }
            Err(TryLockError::Error(e)) => return Err(FsError::io("lock", path, e)),
        }
        let lock = Lock {
            file,
            path: path.to_path_buf(),
        };
        lock.record_pid();
        Ok(lock)
    }

    /// Takes the lock at `path` if it is free.
    pub fn try_acquire(path: &Path) -> Result<Option<Lock>, FsError> {
        let file = Self::open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Lock {
                file,
                path: path.to_path_buf(),
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(FsError::io("lock", path, e)),
        }
    }

    fn record_pid(&self) {
        let mut file = &self.file;
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_waits_and_learns_the_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("lock");
        let held = Lock::acquire(&path, &mut |_| panic!("free lock")).expect("lock");
        assert!(Lock::try_acquire(&path).expect("try").is_none());
        let waiter = {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut seen = None;
                let lock = Lock::acquire(&path, &mut |holder| seen = Some(holder.clone()));
                (lock.is_ok(), seen)
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(held);
        let (ok, seen) = waiter.join().expect("join");
        assert!(ok);
        assert_eq!(seen.and_then(|h| h.pid), Some(std::process::id()));
    }
}
