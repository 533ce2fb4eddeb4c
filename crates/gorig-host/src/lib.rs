//! Facts about the Linux host gorig runs on or is pointed at, read under a [`HostRoot`].
//!
//! This crate reads; it never prints and never decides policy. It knows the platform Go
//! toolchains are chosen for ([`Platform`]: GOOS and GOARCH of the userland) and every
//! fact the doctor judges ([`HostFacts`]: os-release, libc, kernel, CPU level, cgroups,
//! limits, sysctls, mounts, DNS, SELinux, tools on PATH).

mod arch;
pub mod cgroup;
pub mod cpu;
mod facts;
pub mod libc;
pub mod limits;
pub mod mounts;
pub mod net;
pub mod os_release;
mod root;

pub use arch::{ArchError, DetectedArch, ElfArchError, ElfIdent, GoArch, UnknownArch, detect_arch};
pub use facts::{
    HostFacts, PathFact, ProbeRequest, SELINUX_BOOLEANS, SYSCTLS, SeLinux, SysctlLine, Tool,
    find_in_path, sysctl_path,
};
pub use root::HostRoot;

use std::fmt;

/// The GOOS/GOARCH pair a toolchain archive is built for. gorig installs Linux toolchains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Platform {
    pub os: &'static str,
    pub arch: GoArch,
}

impl Platform {
    pub fn linux(arch: GoArch) -> Self {
        Self { os: "linux", arch }
    }

    /// The `<os>-<arch>` part of an official archive name, e.g. `linux-armv6l`.
    pub fn archive_suffix(&self) -> String {
        format!("{}-{}", self.os, self.arch.archive_arch())
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.arch.goarch())
    }
}
