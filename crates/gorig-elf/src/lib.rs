//! What a binary needs from the machine that runs it, and whether a machine has it.
//!
//! [`BinaryFacts`] are read from an ELF file (pure, over bytes or a lazily read file):
//! kind (executable, PIE, static PIE), the loader it asks for, the libraries and symbol
//! versions it needs (the highest `GLIBC_x.y`, `GLIBCXX`, `CXXABI`), and the Go build
//! information (version, module, settings such as `GOAMD64` and `CGO_ENABLED`).
//! [`verdict`] compares them with a [`Target`]: the live host or a tree read through
//! `gorig-host` (judged by [`loader`], the dynamic loader's own search), or a built-in
//! profile of a distribution release.

mod buildinfo;
mod elf;
pub mod inspect;
pub mod loader;
pub mod profiles;
pub mod render;
mod tree;
mod verdict;

use std::path::Path;

use serde::Serialize;

pub use buildinfo::{GoBuildInfo, Module};
pub use loader::{FoundBy, FoundLibrary, Place, Probe, TargetFiles};
pub use profiles::{PROFILES, Profile};
pub use tree::{TreeFiles, assumed_kernel, place_in, probe_tree};
pub use verdict::{Effect, Outcome, Reason, Target, TargetLibc, Verdict, verdict};

#[derive(Debug, thiserror::Error)]
pub enum ElfError {
    #[error("not an ELF file (no \\x7fELF header)")]
    NotElf,
    #[error("a malformed ELF file: {0}")]
    Malformed(String),
    #[error("could not read {path}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// ELF file types as a loader sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// ET_EXEC: loaded at a fixed address.
    Executable,
    /// ET_DYN with an interpreter: a position-independent executable.
    Pie,
    /// ET_DYN without an interpreter: a static PIE (its own loader).
    StaticPie,
    SharedLibrary,
    Relocatable,
    Other,
}

/// The C library a binary was linked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LibcKind {
    /// Statically linked: no C library needed at run time.
    None,
    Glibc,
    Musl,
    Unknown,
}

/// The versions a binary needs from one library (`.gnu.version_r`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionNeed {
    /// `libc.so.6`, `libstdc++.so.6`.
    pub file: String,
    /// `GLIBC_2.34`, `GLIBCXX_3.4.29`, ...
    pub versions: Vec<String>,
    /// Those of `versions` needed weakly: missing, the loader only warns.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weak: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BinaryFacts {
    /// 32 or 64.
    pub class: u8,
    pub big_endian: bool,
    /// ELF `e_machine`.
    pub machine: u16,
    pub machine_name: String,
    /// The GOARCH this machine is, when Go has one.
    pub goarch: Option<String>,
    pub kind: FileKind,
    pub interpreter: Option<String>,
    pub needed: Vec<String>,
    pub runpath: Vec<String>,
    pub rpath: Vec<String>,
    /// DT_SONAME, for libraries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub soname: Option<String>,
    /// `-z nodefaultlib`: the loader skips its cache and default directories for this
    /// object's needs.
    #[serde(skip)]
    pub nodeflib: bool,
    pub libc: LibcKind,
    pub version_needs: Vec<VersionNeed>,
    /// The symbol versions this object defines (`.gnu.version_d`, base entry left out).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub version_defs: Vec<String>,
    /// It has a `.gnu.version_d` at all (an unversioned library has none).
    #[serde(skip)]
    pub defines_versions: bool,
    /// Imports bound to a symbol version: `(library, version, symbol)`.
    #[serde(skip)]
    pub versioned_imports: Vec<(String, String, String)>,
    /// For a library without version definitions: the symbols it exports.
    #[serde(skip)]
    pub unversioned_exports: Vec<String>,
    /// Imports `getaddrinfo`: names resolve through the C library (cgo's resolver).
    pub calls_getaddrinfo: bool,
    pub go: Option<GoBuildInfo>,
    /// For a Go program: which of the standard packages that decide its sandbox it links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go_uses: Option<GoUses>,
}

/// Standard packages a Go program links, as its function table names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GoUses {
    /// `net` (sockets, name resolution): the program may open network connections.
    pub net: bool,
    /// `os/exec`: the program starts other programs.
    pub os_exec: bool,
}

impl BinaryFacts {
    /// Dynamically linked: it needs a loader and libraries at run time.
    pub fn is_dynamic(&self) -> bool {
        self.interpreter.is_some() || !self.needed.is_empty()
    }

    /// The highest version with `prefix` (`GLIBC_`, `GLIBCXX_`, `CXXABI_`) needed from any
    /// library, as its numeric parts.
    pub fn highest(&self, prefix: &str) -> Option<(Vec<u32>, String)> {
        self.version_needs
            .iter()
            .flat_map(|need| need.versions.iter())
            .filter_map(|v| {
                let number = v.strip_prefix(prefix)?;
                let parts: Option<Vec<u32>> = number.split('.').map(|p| p.parse().ok()).collect();
                Some((parts?, v.clone()))
            })
            .max_by(|a, b| a.0.cmp(&b.0))
    }

    /// `GLIBC_2.34` as `(2, 34)`.
    pub fn glibc_needed(&self) -> Option<((u32, u32), String)> {
        let (parts, name) = self.highest("GLIBC_")?;
        Some(((parts[0], parts.get(1).copied().unwrap_or(0)), name))
    }

    /// The GOAMD64 level the binary was built for (1 when not recorded on amd64).
    pub fn goamd64(&self) -> Option<u8> {
        if self.goarch.as_deref() != Some("amd64") {
            return None;
        }
        let go = self.go.as_ref()?;
        Some(
            go.setting("GOAMD64")
                .and_then(|v| v.trim_start_matches('v').parse().ok())
                .unwrap_or(1),
        )
    }
}

/// Reads the facts of the ELF file at `path`, reading only the ranges it needs.
pub fn read_path(path: &Path) -> Result<BinaryFacts, ElfError> {
    let io = |source| ElfError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let cache = object::read::ReadCache::new(file);
    elf::read(&cache)
}

/// Reads the facts of an ELF file held in memory.
pub fn read_bytes(bytes: &[u8]) -> Result<BinaryFacts, ElfError> {
    elf::read(bytes)
}
