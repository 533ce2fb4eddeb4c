//! Which Go architecture (GOARCH) a Linux host's userland runs, and which official
//! archive (`go<ver>.linux-<arch>.tar.gz`) fits it.
//!
//! `uname -m` names the *kernel's* machine; a 32-bit userland on a 64-bit kernel (i386
//! Debian on an x86_64 kernel, armhf Raspberry Pi OS on an aarch64 kernel) needs the
//! 32-bit toolchain. So the userland is read first, from the ELF header of the shell or
//! loader under the [`HostRoot`], and `uname -m` only fills in when no ELF can be read.
//!
//! The ELF identification is read by hand: it is 20 bytes at fixed offsets, and a full ELF
//! parser (the later `gorig-elf` crate) is not needed for it.

use std::fmt;

pub use gorig_version::{GoArch, UnknownArch};

use crate::HostRoot;

/// The arch of an ELF file from its first bytes (`e_ident` and `e_machine`).
pub fn arch_from_elf_header(head: &[u8]) -> Result<GoArch, ElfArchError> {
    let ident = ElfIdent::parse(head).ok_or(ElfArchError::NotElf)?;
    ident.goarch().ok_or(ElfArchError::Unsupported(ident))
}

/// The identifying fields of an ELF header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElfIdent {
    /// 32 or 64.
    pub bits: u8,
    pub little_endian: bool,
    /// `e_machine`.
    pub machine: u16,
}

const EM_386: u16 = 3;
const EM_MIPS: u16 = 8;
const EM_PPC64: u16 = 21;
const EM_S390: u16 = 22;
const EM_ARM: u16 = 40;
const EM_X86_64: u16 = 62;
const EM_AARCH64: u16 = 183;
const EM_RISCV: u16 = 243;
const EM_LOONGARCH: u16 = 258;

impl ElfIdent {
    /// Reads `e_ident[EI_CLASS]`, `e_ident[EI_DATA]` and `e_machine` (offset 18).
    pub fn parse(head: &[u8]) -> Option<ElfIdent> {
        if head.len() < 20 || &head[..4] != b"\x7fELF" {
            return None;
        }
        let bits = match head[4] {
            1 => 32,
            2 => 64,
            _ => return None,
        };
        let little_endian = match head[5] {
            1 => true,
            2 => false,
            _ => return None,
        };
        let raw = [head[18], head[19]];
        let machine = if little_endian {
            u16::from_le_bytes(raw)
        } else {
            u16::from_be_bytes(raw)
        };
        Some(ElfIdent {
            bits,
            little_endian,
            machine,
        })
    }

    /// The GOARCH whose binaries this userland runs, if Go supports it.
    pub fn goarch(&self) -> Option<GoArch> {
        let wide = self.bits == 64;
        Some(match self.machine {
            // x32 userlands (32-bit ELF, x86-64 machine) run amd64 binaries.
            EM_X86_64 => GoArch::Amd64,
            EM_386 => GoArch::I386,
            EM_AARCH64 => GoArch::Arm64,
            EM_ARM => GoArch::Arm,
            EM_PPC64 if self.little_endian => GoArch::Ppc64le,
            EM_PPC64 => GoArch::Ppc64,
            EM_S390 if wide => GoArch::S390x,
            EM_RISCV if wide => GoArch::Riscv64,
            EM_LOONGARCH if wide => GoArch::Loong64,
            EM_MIPS => match (wide, self.little_endian) {
                (false, false) => GoArch::Mips,
                (false, true) => GoArch::Mipsle,
                (true, false) => GoArch::Mips64,
                (true, true) => GoArch::Mips64le,
            },
            _ => return None,
        })
    }
}

impl fmt::Display for ElfIdent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-bit {} ELF, e_machine {}",
            self.bits,
            if self.little_endian {
                "little-endian"
            } else {
                "big-endian"
            },
            self.machine
        )
    }
}

/// Why an ELF header gave no Go architecture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElfArchError {
    #[error("not an ELF file")]
    NotElf,
    #[error("Go has no Linux release for this machine ({0})")]
    Unsupported(ElfIdent),
}

/// Where the detected architecture came from, for messages and `--json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DetectedArch {
    pub arch: GoArch,
    /// E.g. `ELF header of /bin/sh` or `uname -m = x86_64`.
    pub source: String,
}

/// Why no architecture could be determined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchError {
    #[error(
        "this host's userland ({ident}, read from {path}) is not an architecture Go publishes Linux releases for"
    )]
    UnsupportedUserland { path: String, ident: ElfIdent },
    #[error(
        "`uname -m` reports `{0}`, which is not an architecture Go publishes Linux releases for"
    )]
    UnsupportedMachine(String),
    #[error(
        "32-bit ARM before ARMv6 (`uname -m` = `{0}`) cannot run Go's armv6l release; Go dropped ARMv5 in 1.21"
    )]
    ArmTooOld(String),
    #[error(
        "could not tell this host's architecture: no ELF shell or loader was readable and `uname -m` was not available"
    )]
    Unknown,
}

/// Userland files whose ELF header tells the userland's architecture, most telling first.
/// Programs every userland has, in the order they are asked; minimal trees (a
/// distroless image, a libraries-only root) may have only `ldconfig` or a loader.
const USERLAND_PROBES: [&str; 16] = [
    "/bin/sh",
    "/usr/bin/sh",
    "/usr/bin/env",
    "/bin/busybox",
    "/bin/ls",
    "/sbin/ldconfig",
    "/usr/sbin/ldconfig",
    "/lib64/ld-linux-x86-64.so.2",
    "/lib/ld-linux-aarch64.so.1",
    "/lib/ld-linux-armhf.so.3",
    "/lib/ld-linux.so.2",
    "/lib64/ld64.so.2",
    "/lib/ld64.so.1",
    "/lib/ld-linux-riscv64-lp64d.so.1",
    "/lib/ld-musl-x86_64.so.1",
    "/lib/ld-musl-aarch64.so.1",
];

/// `uname -m` of the running kernel (`x86_64`, `aarch64`), for the fallback of
/// [`detect_arch`] on the live host.
pub fn uname_machine() -> String {
    rustix::system::uname()
        .machine()
        .to_string_lossy()
        .into_owned()
}

/// Detects the GOARCH of the userland under `root`.
///
/// `uname_machine` is the kernel's machine name (`uname -m`) when `root` is the live host,
/// `None` otherwise.
pub fn detect_arch(
    root: &HostRoot,
    uname_machine: Option<&str>,
) -> Result<DetectedArch, ArchError> {
    if let Some(machine) = uname_machine {
        let lower = machine.to_ascii_lowercase();
        if lower.starts_with("armv4") || lower.starts_with("armv5") {
            return Err(ArchError::ArmTooOld(machine.to_string()));
        }
    }
    for probe in USERLAND_PROBES {
        let Ok(head) = root.read_head(probe, 64) else {
            continue;
        };
        match arch_from_elf_header(&head) {
            Ok(arch) => {
                return Ok(DetectedArch {
                    arch,
                    source: format!("ELF header of {probe}"),
                });
            }
            // A shell script or a broken file: try the next probe.
            Err(ElfArchError::NotElf) => continue,
            Err(ElfArchError::Unsupported(ident)) => {
                return Err(ArchError::UnsupportedUserland {
                    path: probe.to_string(),
                    ident,
                });
            }
        }
    }
    match uname_machine {
        Some(machine) => GoArch::from_name(machine)
            .map(|arch| DetectedArch {
                arch,
                source: format!("uname -m = {machine}"),
            })
            .ok_or_else(|| ArchError::UnsupportedMachine(machine.to_string())),
        None => Err(ArchError::Unknown),
    }
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    /// A minimal ELF header with the given class, data encoding and machine.
    fn header(bits: u8, little_endian: bool, machine: u16) -> Vec<u8> {
        let mut head = vec![0u8; 64];
        head[..4].copy_from_slice(b"\x7fELF");
        head[4] = if bits == 64 { 2 } else { 1 };
        head[5] = if little_endian { 1 } else { 2 };
        head[6] = 1;
        let m = if little_endian {
            machine.to_le_bytes()
        } else {
            machine.to_be_bytes()
        };
        head[18..20].copy_from_slice(&m);
        head
    }

    #[test]
    fn maps_every_elf_machine_go_supports() {
        let cases = [
            (64, true, EM_X86_64, GoArch::Amd64),
            (32, true, EM_X86_64, GoArch::Amd64),
            (32, true, EM_386, GoArch::I386),
            (64, true, EM_AARCH64, GoArch::Arm64),
            (32, true, EM_ARM, GoArch::Arm),
            (64, true, EM_PPC64, GoArch::Ppc64le),
            (64, false, EM_PPC64, GoArch::Ppc64),
            (64, false, EM_S390, GoArch::S390x),
            (64, true, EM_RISCV, GoArch::Riscv64),
            (64, true, EM_LOONGARCH, GoArch::Loong64),
            (32, false, EM_MIPS, GoArch::Mips),
            (32, true, EM_MIPS, GoArch::Mipsle),
            (64, false, EM_MIPS, GoArch::Mips64),
            (64, true, EM_MIPS, GoArch::Mips64le),
        ];
        for (bits, le, machine, want) in cases {
            assert_eq!(
                arch_from_elf_header(&header(bits, le, machine)),
                Ok(want),
                "{bits} {le} {machine}"
            );
        }
        assert!(matches!(
            arch_from_elf_header(&header(32, true, EM_RISCV)),
            Err(ElfArchError::Unsupported(_))
        ));
        assert_eq!(
            arch_from_elf_header(b"#!/bin/sh\n"),
            Err(ElfArchError::NotElf)
        );
        assert_eq!(arch_from_elf_header(b"\x7fELF"), Err(ElfArchError::NotElf));
    }

    #[test]
    fn maps_uname_and_archive_names() {
        let cases = [
            ("x86_64", "amd64", "amd64"),
            ("i686", "386", "386"),
            ("i386", "386", "386"),
            ("aarch64", "arm64", "arm64"),
            ("arm64", "arm64", "arm64"),
            ("armv6l", "arm", "armv6l"),
            ("armv7l", "arm", "armv6l"),
            ("armv8l", "arm", "armv6l"),
            ("ppc64le", "ppc64le", "ppc64le"),
            ("ppc64", "ppc64", "ppc64"),
            ("s390x", "s390x", "s390x"),
            ("riscv64", "riscv64", "riscv64"),
            ("loongarch64", "loong64", "loong64"),
            ("mips", "mips", "mips"),
            ("mipsle", "mipsle", "mipsle"),
            ("mips64", "mips64", "mips64"),
            ("mips64le", "mips64le", "mips64le"),
        ];
        for (uname, goarch, archive) in cases {
            let arch = GoArch::from_name(uname).unwrap_or_else(|| panic!("{uname}"));
            assert_eq!(arch.goarch(), goarch);
            assert_eq!(arch.archive_arch(), archive);
            assert_eq!(GoArch::from_name(archive), Some(arch));
        }
        let err = "sparc64".parse::<GoArch>().expect_err("sparc64");
        assert!(err.to_string().contains("loong64"), "{err}");
    }

    fn tree_with_sh(head: &[u8]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("usr/bin")).expect("mkdir");
        std::fs::write(dir.path().join("usr/bin/dash"), head).expect("write");
        std::fs::create_dir_all(dir.path().join("bin")).expect("mkdir");
        std::os::unix::fs::symlink("/usr/bin/dash", dir.path().join("bin/sh")).expect("link");
        dir
    }

    #[test]
    fn a_32_bit_userland_on_a_64_bit_kernel_gets_the_userland_arch() {
        let dir = tree_with_sh(&header(32, true, EM_386));
        let detected = detect_arch(&HostRoot::new(dir.path()), Some("x86_64")).expect("detect");
        assert_eq!(detected.arch, GoArch::I386);
        assert_eq!(detected.source, "ELF header of /bin/sh");

        let dir = tree_with_sh(&header(32, true, EM_ARM));
        let detected = detect_arch(&HostRoot::new(dir.path()), Some("aarch64")).expect("detect");
        assert_eq!(detected.arch.archive_arch(), "armv6l");
    }

    #[test]
    fn falls_back_to_uname_without_a_readable_userland() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = HostRoot::new(dir.path());
        let detected = detect_arch(&root, Some("riscv64")).expect("detect");
        assert_eq!(detected.arch, GoArch::Riscv64);
        assert_eq!(detected.source, "uname -m = riscv64");
        assert_eq!(detect_arch(&root, None), Err(ArchError::Unknown));
        assert!(matches!(
            detect_arch(&root, Some("sparc64")),
            Err(ArchError::UnsupportedMachine(_))
        ));
        assert!(matches!(
            detect_arch(&root, Some("armv5tel")),
            Err(ArchError::ArmTooOld(_))
        ));
    }

    #[test]
    fn reads_the_live_host() {
        let detected = detect_arch(&HostRoot::live(), None).expect("the test host has /bin/sh");
        let expected = match std::env::consts::ARCH {
            "x86_64" => GoArch::Amd64,
            "aarch64" => GoArch::Arm64,
            other => GoArch::from_name(other).expect("a Go arch"),
        };
        assert_eq!(detected.arch, expected);
    }
}
