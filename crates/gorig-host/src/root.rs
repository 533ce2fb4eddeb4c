//! `HostRoot`: the directory a host is read from.
//!
//! Every read of host state goes through a `HostRoot`, so the same probes run against the
//! live system (`/`) and against a fixture tree or a mounted image of another distro.
//! Symbolic links are resolved *inside* the root: an absolute link target such as
//! `/usr/bin/dash` found under `/srv/rootfs` means `/srv/rootfs/usr/bin/dash`, never the
//! file of the machine running gorig.

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// How many symbolic links a lookup follows before it gives up, as Linux's `MAXSYMLINKS`.
const MAX_SYMLINK_HOPS: usize = 40;

/// A filesystem root under which host files are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRoot {
    root: PathBuf,
}

impl HostRoot {
    /// A root at `path`; `/` is the live host.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { root: path.into() }
    }

    /// The live host.
    pub fn live() -> Self {
        Self::new("/")
    }

    /// True when this root is the running system's `/`.
    pub fn is_live(&self) -> bool {
        self.root == Path::new("/")
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The real path of host path `host_path` (absolute or relative, read as absolute).
    pub fn join(&self, host_path: impl AsRef<Path>) -> PathBuf {
        let relative: PathBuf = host_path
            .as_ref()
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect();
        self.root.join(relative)
    }

    /// Where to write host path `host_path` under the root: its directory resolved within
    /// the root (an image's absolute links point inside it, not at this machine), the
    /// last component as named (a link there is replaced, not followed). Directories that
    /// do not exist yet are taken as written: nothing below a missing one can be a link.
    pub fn path_for_write(&self, host_path: impl AsRef<Path>) -> PathBuf {
        let host_path = host_path.as_ref();
        if self.is_live() {
            return self.join(host_path);
        }
        let (Some(name), Some(dir)) = (host_path.file_name(), host_path.parent()) else {
            return self.join(host_path);
        };
        match self.walk(dir, true) {
            Ok(real) => real.join(name),
            Err(_) => self.join(host_path),
        }
    }

    /// Resolves every symbolic link in `host_path` within the root and returns the real path.
    ///
    /// `..` never climbs above the root, as in a chroot.
    pub fn resolve(&self, host_path: impl AsRef<Path>) -> io::Result<PathBuf> {
        self.walk(host_path.as_ref(), false)
    }

    /// [`HostRoot::resolve`]; with `missing_ok`, a component that does not exist ends the
    /// walk and the rest is appended as written.
    fn walk(&self, host_path: &Path, missing_ok: bool) -> io::Result<PathBuf> {
        let mut pending: Vec<PathBuf> = components_reversed(host_path);
        let mut resolved: Vec<PathBuf> = Vec::new();
        let mut hops = 0;
        while let Some(name) = pending.pop() {
            if name == Path::new("..") {
                resolved.pop();
                continue;
            }
            resolved.push(name);
            let real = self.root.join(resolved.iter().collect::<PathBuf>());
            let meta = match std::fs::symlink_metadata(&real) {
                Ok(meta) => meta,
                Err(e) if e.kind() == io::ErrorKind::NotFound && pending.is_empty() => {
                    return Ok(real);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound && missing_ok => {
                    while let Some(rest) = pending.pop() {
                        if rest == Path::new("..") {
                            resolved.pop();
                        } else {
                            resolved.push(rest);
                        }
                    }
                    return Ok(self.root.join(resolved.iter().collect::<PathBuf>()));
                }
                Err(e) => return Err(e),
            };
            if meta.file_type().is_symlink() {
                hops += 1;
                if hops > MAX_SYMLINK_HOPS {
                    return Err(io::Error::other(format!(
                        "too many levels of symbolic links under {}",
                        real.display()
                    )));
                }
                let target = std::fs::read_link(&real)?;
                resolved.pop();
                if target.is_absolute() {
                    resolved.clear();
                }
                pending.extend(components_reversed(&target));
            }
        }
        Ok(self.root.join(resolved.iter().collect::<PathBuf>()))
    }

    /// Reads a whole host file (following links inside the root).
    pub fn read(&self, host_path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
        std::fs::read(self.resolve(host_path)?)
    }

    /// Reads a host file as text.
    pub fn read_to_string(&self, host_path: impl AsRef<Path>) -> io::Result<String> {
        std::fs::read_to_string(self.resolve(host_path)?)
    }

    /// Whether a host path exists (following links inside the root).
    pub fn exists(&self, host_path: impl AsRef<Path>) -> bool {
        self.resolve(host_path).is_ok_and(|p| p.exists())
    }

    /// The names in a host directory (following links inside the root), unsorted.
    pub fn read_dir_names(&self, host_path: impl AsRef<Path>) -> io::Result<Vec<String>> {
        Ok(std::fs::read_dir(self.resolve(host_path)?)?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect())
    }

    /// Reads at most `limit` bytes from the start of a host file.
    pub fn read_head(&self, host_path: impl AsRef<Path>, limit: usize) -> io::Result<Vec<u8>> {
        let file = std::fs::File::open(self.resolve(host_path)?)?;
        let mut head = Vec::with_capacity(limit);
        file.take(limit as u64).read_to_end(&mut head)?;
        Ok(head)
    }
}

/// The normal and `..` components of `path`, last first (a stack to pop from).
fn components_reversed(path: &Path) -> Vec<PathBuf> {
    let mut parts: Vec<PathBuf> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(PathBuf::from(name)),
            Component::ParentDir => Some(PathBuf::from("..")),
            _ => None,
        })
        .collect();
    parts.reverse();
    parts
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn directory_listings_and_existence_follow_links_inside_the_root() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let tree = dir.path();
        std::fs::create_dir_all(tree.join("usr/lib/sysctl.d"))?;
        std::fs::write(tree.join("usr/lib/sysctl.d/50-x.conf"), "a = 1\n")?;
        std::fs::create_dir_all(tree.join("etc"))?;
        // An absolute link in the image: it means the image's /usr/lib, never this host's.
        symlink("/usr/lib/sysctl.d", tree.join("etc/sysctl.d"))?;
        let root = HostRoot::new(tree);
        assert_eq!(root.read_dir_names("/etc/sysctl.d")?, vec!["50-x.conf"]);
        assert!(root.exists("/etc/sysctl.d/50-x.conf"));
        assert!(!root.exists("/etc/sysctl.d/nothing"));
        Ok(())
    }

    #[test]
    fn absolute_links_stay_inside_the_root() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = HostRoot::new(dir.path());
        std::fs::create_dir_all(dir.path().join("usr/bin"))?;
        std::fs::write(dir.path().join("usr/bin/dash"), b"inside")?;
        std::fs::create_dir_all(dir.path().join("bin"))?;
        symlink("/usr/bin/dash", dir.path().join("bin/sh"))?;
        symlink("../../../../../usr/bin/dash", dir.path().join("bin/up"))?;
        symlink("usr/bin", dir.path().join("ubin"))?;
        assert_eq!(root.read("/bin/sh")?, b"inside");
        assert_eq!(root.read("bin/up")?, b"inside");
        assert_eq!(root.read("/ubin/dash")?, b"inside");
        assert_eq!(root.resolve("/bin/sh")?, dir.path().join("usr/bin/dash"));
        assert_eq!(root.read_head("/bin/sh", 3)?, b"ins");
        Ok(())
    }

    #[test]
    fn link_loops_end_with_an_error() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        symlink("b", dir.path().join("a"))?;
        symlink("a", dir.path().join("b"))?;
        let err = HostRoot::new(dir.path())
            .read("a")
            .expect_err("a loop cannot be read");
        assert!(err.to_string().contains("too many levels"), "{err}");
        Ok(())
    }

    #[test]
    fn join_ignores_leading_slash_and_dotdot() {
        let root = HostRoot::new("/srv/img");
        assert_eq!(
            root.join("/etc/os-release"),
            PathBuf::from("/srv/img/etc/os-release")
        );
        assert_eq!(
            root.join("../../etc/passwd"),
            PathBuf::from("/srv/img/etc/passwd")
        );
        assert!(HostRoot::live().is_live());
        assert!(!root.is_live());
    }
}
