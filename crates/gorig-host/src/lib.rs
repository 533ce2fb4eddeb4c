//! Facts about the Linux host gorig runs on or is pointed at, read under a [`HostRoot`].
//!
//! This crate reads; it never prints and never decides policy. For now it knows the
//! platform Go toolchains are chosen for ([`Platform`]: GOOS and GOARCH of the userland);
//! the doctor's probes (os-release, libc, cgroups, limits) grow here.

mod arch;
mod root;

pub use arch::{ArchError, DetectedArch, ElfArchError, ElfIdent, GoArch, UnknownArch, detect_arch};
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
