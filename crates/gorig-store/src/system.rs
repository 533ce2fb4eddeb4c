//! System mode: the `/usr/local/go` link that points at a version in the system store.
//! (Files written outside the store, such as `/etc/profile.d/gorig.sh`, are
//! `gorig_fs::write_managed`'s.)

use std::fs;
use std::path::{Component, Path, PathBuf};

use gorig_fs::{FsError, replace_symlink};

use crate::StoreError;

/// What is at the system link's place now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    Missing,
    Symlink(PathBuf),
    /// A real directory: a Go unpacked by hand or by another tool. Never deleted.
    RealDir,
    /// A regular file or other non-directory.
    Other,
}

/// The `/usr/local/go` link (under a root prefix in tests and image builds).
#[derive(Debug, Clone)]
pub struct SystemLink {
    link: PathBuf,
}

impl SystemLink {
    pub fn new(link: impl Into<PathBuf>) -> SystemLink {
        SystemLink { link: link.into() }
    }

    pub fn path(&self) -> &Path {
        &self.link
    }

    pub fn state(&self) -> LinkState {
        match fs::symlink_metadata(&self.link) {
            Err(_) => LinkState::Missing,
            Ok(meta) if meta.file_type().is_symlink() => {
                LinkState::Symlink(fs::read_link(&self.link).unwrap_or_default())
            }
            Ok(meta) if meta.is_dir() => LinkState::RealDir,
            Ok(_) => LinkState::Other,
        }
    }

    /// Where `--adopt` moves a real directory: beside it, named with the time.
    pub fn adoption_path(&self, stamp: &str) -> PathBuf {
        let name = self
            .link
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "go".into());
        self.link.with_file_name(format!("{name}.adopted-{stamp}"))
    }

    /// Points the link at `version_dir` with a relative target, so the tree stays valid
    /// when the root prefix is an image mounted elsewhere. A real directory in the way is
    /// refused, or moved to `adopt_to` when given; returns where it was moved.
    pub fn point_to(
        &self,
        version_dir: &Path,
        adopt_to: Option<&Path>,
    ) -> Result<Option<PathBuf>, StoreError> {
        let mut adopted = None;
        match self.state() {
            LinkState::RealDir | LinkState::Other => match adopt_to {
                None => {
                    return Err(FsError::RealDirectory {
                        path: self.link.clone(),
                    }
                    .into());
                }
                Some(aside) => {
                    gorig_fs::rename_noreplace(&self.link, aside)?;
                    adopted = Some(aside.to_path_buf());
                }
            },
            LinkState::Missing | LinkState::Symlink(_) => {}
        }
        let parent = self.link.parent().unwrap_or(Path::new("/"));
        fs::create_dir_all(parent).map_err(|e| StoreError::io("create", parent, e))?;
        let target = relative_path(parent, version_dir);
        replace_symlink(&target, &self.link)?;
        Ok(adopted)
    }
}

/// The relative path from directory `from` to `to` (both absolute), computed lexically.
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let normal = |p: &Path| -> Vec<PathBuf> {
        let mut parts: Vec<PathBuf> = Vec::new();
        for c in p.components() {
            match c {
                Component::Normal(n) => parts.push(PathBuf::from(n)),
                Component::ParentDir => {
                    parts.pop();
                }
                _ => {}
            }
        }
        parts
    };
    let from = normal(from);
    let to = normal(to);
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(
                Path::new("/usr/local"),
                Path::new("/usr/local/lib/gorig/versions/go1.22.5")
            ),
            PathBuf::from("lib/gorig/versions/go1.22.5")
        );
        assert_eq!(
            relative_path(
                Path::new("/usr/local"),
                Path::new("/opt/gorig/versions/go1")
            ),
            PathBuf::from("../../opt/gorig/versions/go1")
        );
        assert_eq!(
            relative_path(Path::new("/a"), Path::new("/a")),
            PathBuf::from(".")
        );
    }

    #[test]
    fn a_real_directory_is_refused_or_moved_aside_never_deleted() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().map_err(|e| StoreError::io("tmp", "/tmp", e))?;
        let local = dir.path().join("usr/local");
        let version = local.join("lib/gorig/versions/go1.22.5");
        fs::create_dir_all(version.join("bin")).map_err(|e| StoreError::io("mk", &version, e))?;
        let hand_made = local.join("go");
        fs::create_dir_all(hand_made.join("bin"))
            .map_err(|e| StoreError::io("mk", &hand_made, e))?;
        fs::write(hand_made.join("VERSION"), "go1.19")
            .map_err(|e| StoreError::io("w", &hand_made, e))?;
        let link = SystemLink::new(&hand_made);
        assert!(matches!(
            link.point_to(&version, None),
            Err(StoreError::Fs(FsError::RealDirectory { .. }))
        ));
        assert_eq!(link.state(), LinkState::RealDir);
        let aside = link.adoption_path("20260101T000000");
        let moved = link.point_to(&version, Some(&aside))?;
        assert_eq!(moved.as_deref(), Some(aside.as_path()));
        assert_eq!(
            fs::read_to_string(aside.join("VERSION")).ok().as_deref(),
            Some("go1.19")
        );
        assert_eq!(
            link.state(),
            LinkState::Symlink(PathBuf::from("lib/gorig/versions/go1.22.5"))
        );
        assert!(hand_made.join("bin").is_dir(), "the link resolves");
        Ok(())
    }
}
