//! The files of a machine's tree (the live host's, or a mounted image's) as the loader
//! emulation reads them ([`TreeFiles`], a [`TargetFiles`] under a [`HostRoot`]), and
//! what a tree says about the machine it is ([`Target::from_host`]): its C library,
//! CPU, kernel (assumed from `lib/modules` or its release when it has no `/proc`),
//! CPU quota and name resolution.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use gorig_host::libc::LibcKind as HostLibc;
use gorig_host::{HostFacts, HostRoot, ProbeRequest};

use crate::loader::{Place, Probe, TargetFiles};
use crate::profiles::Profile;
use crate::{BinaryFacts, ElfError, Target, TargetLibc};

/// A tree's files, read inside its root; a binary's `$ORIGIN` files that are not in the
/// tree are read where they are. Libraries are read once, however many binaries load
/// them.
pub struct TreeFiles<'a> {
    root: &'a HostRoot,
    read: RefCell<HashMap<Place, Loaded>>,
    /// Whole small files (`/etc/ld.so.cache`, musl's path file), read once.
    bytes: RefCell<HashMap<String, Option<Rc<Vec<u8>>>>>,
}

/// What reading a library gave, kept for the next binary.
#[derive(Clone)]
enum Loaded {
    Missing,
    Bad(String),
    Elf(Rc<BinaryFacts>),
}

impl<'a> TreeFiles<'a> {
    pub fn new(root: &'a HostRoot) -> Self {
        TreeFiles {
            root,
            read: RefCell::default(),
            bytes: RefCell::default(),
        }
    }

    pub fn root(&self) -> &HostRoot {
        self.root
    }

    fn load(&self, place: &Place) -> Loaded {
        let real = match place {
            Place::Target(path) => match self.root.resolve(path) {
                Ok(real) => real,
                Err(_) => return Loaded::Missing,
            },
            Place::Local(path) => PathBuf::from(path),
        };
        let Ok(meta) = std::fs::metadata(&real) else {
            return Loaded::Missing;
        };
        if !meta.is_file() {
            return Loaded::Missing;
        }
        match crate::read_path(&real) {
            Ok(facts) => Loaded::Elf(Rc::new(facts)),
            Err(ElfError::Io { .. }) => Loaded::Missing,
            Err(error) => Loaded::Bad(crate::loader::bad_elf_reason(&error, meta.len())),
        }
    }
}

impl TargetFiles for TreeFiles<'_> {
    fn exists(&self, path: &str) -> bool {
        self.root.resolve(path).is_ok_and(|p| p.exists())
    }

    fn read(&self, path: &str, limit: usize) -> Option<Vec<u8>> {
        let known = self.bytes.borrow().get(path).cloned();
        let bytes = known.unwrap_or_else(|| {
            let read = (|| {
                let file = std::fs::File::open(self.root.resolve(path).ok()?).ok()?;
                let mut bytes = Vec::new();
                file.take(limit as u64).read_to_end(&mut bytes).ok()?;
                Some(Rc::new(bytes))
            })();
            self.bytes
                .borrow_mut()
                .insert(path.to_string(), read.clone());
            read
        })?;
        Some(bytes[..bytes.len().min(limit)].to_vec())
    }

    fn elf(&self, place: &Place) -> Probe {
        let known = self.read.borrow().get(place).cloned();
        let read = match known {
            Some(read) => read,
            None => {
                let read = self.load(place);
                self.read.borrow_mut().insert(place.clone(), read.clone());
                read
            }
        };
        match read {
            Loaded::Missing => Probe::Missing,
            Loaded::Bad(why) => Probe::Bad(why),
            Loaded::Elf(facts) => Probe::Elf(Box::new((*facts).clone())),
        }
    }
}

/// The facts of a tree `inspect` judges against: files only, plus `uname -m` on the
/// live host for the architecture fallback.
pub fn probe_tree(root: &HostRoot, uname_machine: Option<String>) -> HostFacts {
    let request = ProbeRequest {
        uname_machine: root.is_live().then_some(uname_machine).flatten(),
        ..ProbeRequest::default()
    };
    HostFacts::probe(root, &request)
}

/// Where a binary is as the target sees it: inside the tree, or (not in it) where it is
/// on this machine, so the libraries it ships beside itself are found there.
pub fn place_in(root: &HostRoot, binary: &Path) -> Place {
    let real = binary
        .canonicalize()
        .unwrap_or_else(|_| binary.to_path_buf());
    let base = root.path();
    match real.strip_prefix(base) {
        Ok(inside) if root.is_live() || base != Path::new("/") => {
            Place::Target(format!("/{}", inside.display()))
        }
        _ => Place::Local(real.display().to_string()),
    }
}

/// The kernel a tree without `/proc` runs, as an assumption: the newest of its
/// `lib/modules`, else the kernel its release ships; with the sentence that says so.
pub fn assumed_kernel(root: &HostRoot, host: &HostFacts) -> Option<((u32, u32), String)> {
    if let Ok(entries) = root.read_dir_names("/lib/modules") {
        let newest = entries
            .into_iter()
            .filter_map(|name| Some((gorig_host::libc::parse_major_minor(&name)?, name)))
            .max();
        if let Some((version, name)) = newest {
            return Some((
                version,
                format!(
                    "the kernel is taken to be {}.{}: the tree has no /proc, and lib/modules/{name} is its newest",
                    version.0, version.1
                ),
            ));
        }
    }
    let os = host.os.as_ref()?;
    let profile = crate::profiles::profile_for_os(&os.id, &os.id_like, os.version_id.as_deref())?;
    Some((
        profile.kernel,
        format!(
            "the kernel is taken to be {}.{}, the one {} ships: the tree has no /proc",
            profile.kernel.0, profile.kernel.1, profile.description
        ),
    ))
}

impl<'a> Target<'a> {
    /// A target nothing is known about (a tree that could not be read).
    pub fn unknown(name: &str) -> Target<'static> {
        Target {
            name: name.to_string(),
            goarch: None,
            libc: TargetLibc::Unknown,
            kernel: None,
            kernel_assumed: None,
            amd64_level: None,
            arm64_lse: None,
            files: None,
            multiarch: false,
            profile: None,
            cpu_quota: None,
            nsswitch_hosts: None,
        }
    }

    /// A release profile on one of its architectures: its C library and kernel; no
    /// CPU and no files, so what they would decide is unknown.
    pub fn from_profile(profile: &'static Profile, goarch: &str) -> Target<'static> {
        Target {
            name: profile.name.to_string(),
            goarch: Some(goarch.to_string()),
            libc: if profile.musl {
                TargetLibc::Musl
            } else {
                TargetLibc::Glibc(profile.glibc)
            },
            kernel: Some(profile.kernel),
            profile: Some(profile),
            ..Target::unknown(profile.name)
        }
    }

    /// A machine read from its tree: `host` is what [`probe_tree`] found there, `files`
    /// the tree's files for the loader. A tree that is not the live host and has no
    /// `/proc` gets its kernel assumed (and the assumption said).
    pub fn from_host(name: &str, host: &HostFacts, files: &'a TreeFiles<'a>) -> Target<'a> {
        let root = files.root();
        let libc = match host.libc.kind {
            HostLibc::Glibc => TargetLibc::Glibc(host.libc.glibc_version()),
            HostLibc::Musl => TargetLibc::Musl,
            HostLibc::Unknown => TargetLibc::None,
        };
        let cpu_quota = match (&host.cgroup.cpu, host.cpus) {
            (Some(limit), Some(cpus)) if limit.cores() < f64::from(cpus) => {
                Some((limit.cores(), cpus))
            }
            _ => None,
        };
        let (kernel, kernel_assumed) = match host.kernel_version() {
            Some(kernel) => (Some(kernel), None),
            None if !root.is_live() => match assumed_kernel(root, host) {
                Some((kernel, why)) => (Some(kernel), Some(why)),
                None => (None, None),
            },
            None => (None, None),
        };
        Target {
            name: name.to_string(),
            goarch: host.arch.as_ref().map(|a| a.arch.goarch().to_string()),
            libc,
            kernel,
            kernel_assumed,
            amd64_level: host
                .cpu
                .as_ref()
                .and_then(|c| c.amd64_level.map(|l| (l, c.amd64_next_missing.clone()))),
            arm64_lse: host.cpu.as_ref().and_then(|c| c.arm64_lse),
            files: Some(files),
            multiarch: host
                .os
                .as_ref()
                .is_some_and(|o| o.family == gorig_host::os_release::Family::Debian),
            profile: None,
            cpu_quota,
            nsswitch_hosts: host.nsswitch_hosts.clone(),
        }
    }
}
