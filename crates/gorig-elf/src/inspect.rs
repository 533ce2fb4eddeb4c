//! `inspect` as a library: which targets (the live host, a tree, a release profile on
//! an architecture) and which files (paths, or every ELF file under directories), the
//! files read on all CPUs when there are many, and each judged against every target.
//! The binary parses the command line into an [`InspectRequest`], calls [`inspect`] and
//! prints the [`Inspection`].

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use gorig_host::{HostFacts, HostRoot};

use crate::profiles::{PROFILES, Profile, profile};
use crate::tree::{TreeFiles, place_in, probe_tree};
use crate::{BinaryFacts, ElfError, Outcome, Target, Verdict, verdict};

/// A target as the user named it.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetSpec {
    /// The machine gorig runs on.
    Host,
    /// A release profile on one of its architectures.
    Profile {
        profile: &'static Profile,
        goarch: String,
    },
    /// A machine's file tree (a mounted image, a container's root).
    Tree(PathBuf),
}

/// A target name that names nothing gorig knows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    #[error("--target {name}: no such target")]
    NoSuchTarget { name: String },
    #[error("--target {name}: `{arch}` is not an architecture gorig knows")]
    UnknownArch {
        name: String,
        arch: String,
        profile: &'static Profile,
    },
    #[error("--target {name}: {} has no {goarch} release", profile.description)]
    NoRelease {
        name: String,
        goarch: String,
        profile: &'static Profile,
    },
    #[error("--target-root {}: not a directory", .0.display())]
    NotADirectory(PathBuf),
}

impl TargetSpec {
    /// `host`, a profile (`rhel9`, `rhel9/arm64`): without an architecture a profile is
    /// judged on `machine_goarch`'s (asked only then).
    pub fn parse(
        name: &str,
        machine_goarch: impl FnOnce() -> String,
    ) -> Result<TargetSpec, TargetError> {
        if name == "host" {
            return Ok(TargetSpec::Host);
        }
        let (release, arch) = match name.split_once('/') {
            Some((release, arch)) => (release, Some(arch)),
            None => (name, None),
        };
        let profile = profile(release).ok_or_else(|| TargetError::NoSuchTarget {
            name: name.to_string(),
        })?;
        let goarch = match arch {
            Some(text) => goarch_of(text)
                .ok_or_else(|| TargetError::UnknownArch {
                    name: name.to_string(),
                    arch: text.to_string(),
                    profile,
                })?
                .to_string(),
            None => machine_goarch(),
        };
        if !profile.arches.contains(&goarch.as_str()) {
            return Err(TargetError::NoRelease {
                name: name.to_string(),
                goarch,
                profile,
            });
        }
        Ok(TargetSpec::Profile { profile, goarch })
    }

    /// A tree at `dir`, which must be a directory.
    pub fn tree(dir: &Path) -> Result<TargetSpec, TargetError> {
        if !dir.is_dir() {
            return Err(TargetError::NotADirectory(dir.to_path_buf()));
        }
        Ok(TargetSpec::Tree(
            dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()),
        ))
    }
}

/// The names of every profile, for hints.
pub fn profile_names() -> Vec<&'static str> {
    PROFILES.iter().map(|p| p.name).collect()
}

/// A GOARCH from what users write after the slash (`arm64`, `aarch64`, `armv7`, ...).
pub fn goarch_of(text: &str) -> Option<&'static str> {
    Some(match text.to_ascii_lowercase().as_str() {
        "amd64" | "x86_64" | "x86-64" | "x64" => "amd64",
        "arm64" | "aarch64" => "arm64",
        "386" | "i386" | "i686" | "x86" => "386",
        "arm" | "armv7" | "armhf" | "armv7l" | "armv6" | "armel" => "arm",
        "ppc64le" | "ppc64el" => "ppc64le",
        "ppc64" => "ppc64",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "loong64" | "loongarch64" => "loong64",
        "mips64le" | "mips64el" => "mips64le",
        "mipsle" | "mipsel" => "mipsle",
        "mips" => "mips",
        _ => return None,
    })
}

/// The GOARCH of the userland this machine runs (amd64 when it cannot be told).
pub fn this_machine_goarch(uname_machine: Option<&str>) -> String {
    gorig_host::detect_arch(&HostRoot::live(), uname_machine)
        .map(|a| a.arch.goarch().to_string())
        .unwrap_or_else(|_| "amd64".to_string())
}

/// What to inspect against what.
#[derive(Debug, Clone)]
pub struct InspectRequest {
    pub targets: Vec<TargetSpec>,
    /// Files, or directories with `recursive`.
    pub paths: Vec<PathBuf>,
    /// Walk directories (reading only ELF files, in parallel).
    pub recursive: bool,
    /// `uname -m` of the live host, for its architecture fallback.
    pub uname_machine: Option<String>,
}

/// Why nothing could be inspected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InspectError {
    #[error("{} is a directory", .0.display())]
    IsDirectory(PathBuf),
    #[error("no ELF files to inspect")]
    NoFiles,
}

/// One file's facts and its verdict on each target, in the targets' order.
#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub facts: BinaryFacts,
    pub verdicts: Vec<Verdict>,
}

#[derive(Debug)]
pub struct Inspection {
    /// The targets' names, in the order given (`host`, `rhel9`, `/mnt/image`).
    pub targets: Vec<String>,
    pub files: Vec<FileReport>,
    /// Files that could not be read as ELF (non-ELF files are left out when walking).
    pub errors: Vec<(PathBuf, ElfError)>,
}

impl Inspection {
    /// Some file will not run on some target.
    pub fn any_wont_run(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.verdicts.iter().any(|v| v.outcome == Outcome::WontRun))
    }
}

/// A target with what was read about it.
enum Prepared {
    Tree {
        name: String,
        root: HostRoot,
        host: Box<HostFacts>,
    },
    Profile {
        profile: &'static Profile,
        goarch: String,
    },
}

pub fn inspect(request: &InspectRequest) -> Result<Inspection, InspectError> {
    let files = collect_files(&request.paths, request.recursive)?;
    if files.is_empty() {
        return Err(InspectError::NoFiles);
    }
    let mut specs = request.targets.clone();
    if specs.is_empty() {
        specs.push(TargetSpec::Host);
    }
    let prepared: Vec<Prepared> = specs
        .into_iter()
        .map(|spec| match spec {
            TargetSpec::Host => {
                let root = HostRoot::live();
                let host = Box::new(probe_tree(&root, request.uname_machine.clone()));
                Prepared::Tree {
                    name: "host".to_string(),
                    root,
                    host,
                }
            }
            TargetSpec::Tree(dir) => {
                let root = HostRoot::new(dir.clone());
                let host = Box::new(probe_tree(&root, None));
                Prepared::Tree {
                    name: dir.display().to_string(),
                    root,
                    host,
                }
            }
            TargetSpec::Profile { profile, goarch } => Prepared::Profile { profile, goarch },
        })
        .collect();
    let trees: Vec<Option<TreeFiles>> = prepared
        .iter()
        .map(|p| match p {
            Prepared::Tree { root, .. } => Some(TreeFiles::new(root)),
            Prepared::Profile { .. } => None,
        })
        .collect();
    let targets: Vec<Target> = prepared
        .iter()
        .zip(&trees)
        .map(|(p, files)| match (p, files) {
            (Prepared::Tree { name, host, .. }, Some(files)) => {
                Target::from_host(name, host, files)
            }
            (Prepared::Profile { profile, goarch }, _) => Target::from_profile(profile, goarch),
            (Prepared::Tree { name, .. }, None) => Target::unknown(name),
        })
        .collect();
    let mut inspection = Inspection {
        targets: targets.iter().map(|t| t.name.clone()).collect(),
        files: Vec::new(),
        errors: Vec::new(),
    };
    for (path, result) in read_all(&files, request.recursive) {
        match result {
            Ok(facts) => {
                let verdicts = targets
                    .iter()
                    .zip(&prepared)
                    .map(|(target, p)| match p {
                        Prepared::Tree { root, .. } => {
                            verdict(&facts, Some(&place_in(root, &path)), target)
                        }
                        Prepared::Profile { .. } => verdict(&facts, None, target),
                    })
                    .collect();
                inspection.files.push(FileReport {
                    path,
                    facts,
                    verdicts,
                });
            }
            Err(ElfError::NotElf) if request.recursive => {}
            Err(error) => inspection.errors.push((path, error)),
        }
    }
    Ok(inspection)
}

/// The files to inspect: the paths given, or every ELF file under directories with
/// `recursive`, in name order.
pub fn collect_files(paths: &[PathBuf], recursive: bool) -> Result<Vec<PathBuf>, InspectError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            if !recursive {
                return Err(InspectError::IsDirectory(path.clone()));
            }
            walk(path, &mut out);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), out);
        } else if kind.is_file() && starts_with_elf_magic(&entry.path()) {
            out.push(entry.path());
        }
    }
}

fn starts_with_elf_magic(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"\x7fELF"
}

/// Reads every file, on all CPUs when `parallel` and there are many, in the order given.
pub fn read_all(
    files: &[PathBuf],
    parallel: bool,
) -> Vec<(PathBuf, Result<BinaryFacts, ElfError>)> {
    let workers = if parallel {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(files.len())
            .max(1)
    } else {
        1
    };
    if workers == 1 {
        return files
            .iter()
            .map(|p| (p.clone(), crate::read_path(p)))
            .collect();
    }
    // Workers take the next index and keep (index, result); sorting by index restores
    // the order the files were given in.
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<BinaryFacts, ElfError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break mine };
                        mine.push((i, crate::read_path(path)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter()
        .map(|(i, r)| (files[i].clone(), r))
        .collect()
}

#[cfg(test)]
// The tests build their fixture files directly; they are not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_takes_the_machine_arch_only_when_none_is_named() {
        let spec = TargetSpec::parse("rhel9/aarch64", || panic!("not asked")).unwrap();
        assert!(matches!(spec, TargetSpec::Profile { ref goarch, .. } if goarch == "arm64"));
        let spec = TargetSpec::parse("debian12", || "amd64".to_string()).unwrap();
        assert!(matches!(spec, TargetSpec::Profile { ref goarch, .. } if goarch == "amd64"));
        assert_eq!(
            TargetSpec::parse("host", || panic!()).unwrap(),
            TargetSpec::Host
        );
    }

    #[test]
    fn unknown_targets_and_arches_are_refused_with_what_was_wrong() {
        assert!(matches!(
            TargetSpec::parse("windows11", || "amd64".into()),
            Err(TargetError::NoSuchTarget { .. })
        ));
        assert!(matches!(
            TargetSpec::parse("rhel9/vax", || "amd64".into()),
            Err(TargetError::UnknownArch { ref arch, .. }) if arch == "vax"
        ));
        let missing = PROFILES
            .iter()
            .find(|p| !p.arches.contains(&"riscv64"))
            .expect("a profile without riscv64");
        let name = format!("{}/riscv64", missing.name);
        assert!(matches!(
            TargetSpec::parse(&name, || "amd64".into()),
            Err(TargetError::NoRelease { .. })
        ));
    }

    #[test]
    fn a_directory_needs_recursive_and_a_walk_finds_only_elf_files() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("b");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("prog"), b"\x7fELF\x02\x01\x01rest").unwrap();
        std::fs::write(dir.path().join("a.sh"), b"#!/bin/sh\n").unwrap();
        let paths = vec![dir.path().to_path_buf()];
        assert_eq!(
            collect_files(&paths, false),
            Err(InspectError::IsDirectory(dir.path().to_path_buf()))
        );
        assert_eq!(collect_files(&paths, true).unwrap(), vec![sub.join("prog")]);
    }
}
