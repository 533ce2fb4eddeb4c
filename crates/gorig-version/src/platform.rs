//! The platform a Go toolchain is built for: GOOS and GOARCH, with the names Go, the
//! official archives and `uname -m` use for each architecture. Pure data, shared by the
//! index (which archive fits) and the host reader (which architecture a userland runs).

use std::fmt;
use std::str::FromStr;

/// A GOARCH for which Go publishes Linux archives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GoArch {
    Amd64,
    I386,
    Arm64,
    Arm,
    Ppc64le,
    Ppc64,
    S390x,
    Riscv64,
    Loong64,
    Mips,
    Mipsle,
    Mips64,
    Mips64le,
}

impl GoArch {
    pub const ALL: [GoArch; 13] = [
        GoArch::Amd64,
        GoArch::I386,
        GoArch::Arm64,
        GoArch::Arm,
        GoArch::Ppc64le,
        GoArch::Ppc64,
        GoArch::S390x,
        GoArch::Riscv64,
        GoArch::Loong64,
        GoArch::Mips,
        GoArch::Mipsle,
        GoArch::Mips64,
        GoArch::Mips64le,
    ];

    /// Go's own name (`GOARCH`): `amd64`, `386`, `arm`, ...
    pub fn goarch(self) -> &'static str {
        match self {
            GoArch::Amd64 => "amd64",
            GoArch::I386 => "386",
            GoArch::Arm64 => "arm64",
            GoArch::Arm => "arm",
            GoArch::Ppc64le => "ppc64le",
            GoArch::Ppc64 => "ppc64",
            GoArch::S390x => "s390x",
            GoArch::Riscv64 => "riscv64",
            GoArch::Loong64 => "loong64",
            GoArch::Mips => "mips",
            GoArch::Mipsle => "mipsle",
            GoArch::Mips64 => "mips64",
            GoArch::Mips64le => "mips64le",
        }
    }

    /// The arch in official archive names and in go.dev's index: 32-bit ARM is `armv6l`.
    pub fn archive_arch(self) -> &'static str {
        match self {
            GoArch::Arm => "armv6l",
            other => other.goarch(),
        }
    }

    /// Reads a Go, archive or `uname -m` name: `amd64`, `x86_64`, `armv6l`, `aarch64`, ...
    pub fn from_name(name: &str) -> Option<GoArch> {
        let name = name.trim().to_ascii_lowercase();
        Some(match name.as_str() {
            "amd64" | "x86_64" | "x64" => GoArch::Amd64,
            "386" | "i386" | "i486" | "i586" | "i686" | "x86" => GoArch::I386,
            "arm64" | "aarch64" | "aarch64_be" | "armv8b" => GoArch::Arm64,
            "arm" | "armv6l" | "armv7l" | "armv8l" | "armhf" | "armv6" | "armv7" => GoArch::Arm,
            "ppc64le" => GoArch::Ppc64le,
            "ppc64" => GoArch::Ppc64,
            "s390x" => GoArch::S390x,
            "riscv64" => GoArch::Riscv64,
            "loong64" | "loongarch64" => GoArch::Loong64,
            "mips" => GoArch::Mips,
            "mipsle" | "mipsel" => GoArch::Mipsle,
            "mips64" => GoArch::Mips64,
            "mips64le" | "mips64el" => GoArch::Mips64le,
            _ => return None,
        })
    }
}

impl fmt::Display for GoArch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.goarch())
    }
}

impl FromStr for GoArch {
    type Err = UnknownArch;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GoArch::from_name(s).ok_or_else(|| UnknownArch(s.to_string()))
    }
}

/// A name that is no Go architecture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an architecture Go publishes Linux archives for; use one of: amd64, 386, arm64, armv6l, ppc64le, ppc64, s390x, riscv64, loong64, mips, mipsle, mips64, mips64le"
)]
pub struct UnknownArch(pub String);

impl serde::Serialize for GoArch {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.goarch())
    }
}

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
