//! Which C library a host's userland uses, and its version, read from files only.
//!
//! The kind is what the userland's own programs use: the ELF interpreter (PT_INTERP) of
//! `/bin/sh` and friends (`ld-linux-*` is glibc, `ld-musl-*` is musl), because a glibc
//! host may carry a musl loader for cross builds (Debian's musl-tools) and the reverse.
//! Only when no dynamic userland program is found do the files decide, glibc first.
//!
//! glibc's version comes from the file name `libc.so.6` links to (`libc-2.17.so` on
//! older releases) or from the banner every glibc build carries (`... release version
//! 2.36.`). musl's comes from Alpine's package database when there is one (musl's binary
//! holds no parseable version). Nothing is executed, so this works under `--root`.

use serde::Serialize;

use crate::HostRoot;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LibcKind {
    Glibc,
    Musl,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Libc {
    pub kind: LibcKind,
    /// `2.36`, `1.2.4`.
    pub version: Option<String>,
    /// The host path that told us.
    pub source: Option<String>,
}

impl Libc {
    /// `(major, minor)` of a glibc version.
    pub fn glibc_version(&self) -> Option<(u32, u32)> {
        if self.kind != LibcKind::Glibc {
            return None;
        }
        parse_major_minor(self.version.as_deref()?)
    }
}

/// Parses `2.36` or `2.36.1` into `(2, 36)`.
pub fn parse_major_minor(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor_text: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor_text.parse().ok()?))
}

const MULTIARCH: [&str; 9] = [
    "x86_64-linux-gnu",
    "aarch64-linux-gnu",
    "arm-linux-gnueabihf",
    "arm-linux-gnueabi",
    "i386-linux-gnu",
    "powerpc64le-linux-gnu",
    "s390x-linux-gnu",
    "riscv64-linux-gnu",
    "loongarch64-linux-gnu",
];

const MUSL_ARCHES: [&str; 10] = [
    "x86_64",
    "aarch64",
    "armhf",
    "arm",
    "i386",
    "ppc64le",
    "s390x",
    "riscv64",
    "loongarch64",
    "x86",
];

/// Largest libc file read whole to find the banner (glibc's is about 2 MiB).
const MAX_LIBC_BYTES: usize = 16 << 20;

/// Programs whose interpreter names the userland's C library.
const USERLAND_PROGRAMS: [&str; 5] = [
    "/bin/sh",
    "/usr/bin/env",
    "/bin/ls",
    "/usr/bin/ls",
    "/bin/busybox",
];

/// Detects the C library under `root`.
pub fn detect_libc(root: &HostRoot) -> Libc {
    let interpreter = USERLAND_PROGRAMS.iter().find_map(|program| {
        let head = root.read_head(program, 64 * 1024).ok()?;
        elf_interpreter(&head)
    });
    match interpreter.as_deref() {
        Some(interp) if interp.contains("ld-musl") => {
            return Libc {
                kind: LibcKind::Musl,
                version: musl_version_from_apk(root),
                source: Some(interp.to_string()),
            };
        }
        Some(_) => {
            if let Some(glibc) = detect_glibc(root) {
                return glibc;
            }
        }
        None => {}
    }
    if let Some(glibc) = detect_glibc(root) {
        return glibc;
    }
    for arch in MUSL_ARCHES {
        for dir in ["/lib", "/usr/lib"] {
            let loader = format!("{dir}/ld-musl-{arch}.so.1");
            if root.resolve(&loader).is_ok_and(|p| p.exists()) {
                return Libc {
                    kind: LibcKind::Musl,
                    version: musl_version_from_apk(root),
                    source: Some(loader),
                };
            }
        }
    }
    Libc {
        kind: LibcKind::Unknown,
        version: None,
        source: None,
    }
}

fn detect_glibc(root: &HostRoot) -> Option<Libc> {
    let mut candidates: Vec<String> = ["/lib64", "/usr/lib64", "/lib", "/usr/lib"]
        .iter()
        .map(|d| format!("{d}/libc.so.6"))
        .collect();
    for triple in MULTIARCH {
        candidates.push(format!("/lib/{triple}/libc.so.6"));
        candidates.push(format!("/usr/lib/{triple}/libc.so.6"));
    }
    for candidate in candidates {
        let Ok(real) = root.resolve(&candidate) else {
            continue;
        };
        if !real.is_file() {
            continue;
        }
        let from_name = real
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("libc-"))
            .and_then(|n| n.strip_suffix(".so"))
            .filter(|v| parse_major_minor(v).is_some())
            .map(str::to_string);
        let version = from_name.or_else(|| banner_in_rodata(&real)).or_else(|| {
            let bytes = root.read_head(&candidate, MAX_LIBC_BYTES).ok()?;
            glibc_version_from_banner(&bytes)
        });
        return Some(Libc {
            kind: LibcKind::Glibc,
            version,
            source: Some(candidate),
        });
    }
    None
}

/// The PT_INTERP string of an ELF file whose first bytes are `head` (32 or 64 bit, either
/// byte order); `None` for static or non-ELF files or a header past `head`.
pub fn elf_interpreter(head: &[u8]) -> Option<String> {
    if head.len() < 52 || &head[..4] != b"\x7fELF" {
        return None;
    }
    let is64 = head[4] == 2;
    let little = head[5] == 1;
    let u16_at = |at: usize| -> Option<u64> {
        let b: [u8; 2] = head.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(u64::from(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }))
    };
    let u32_at = |at: usize| -> Option<u64> {
        let b: [u8; 4] = head.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(u64::from(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }))
    };
    let u64_at = |at: usize| -> Option<u64> {
        let b: [u8; 8] = head.get(at..at.checked_add(8)?)?.try_into().ok()?;
        Some(if little {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        })
    };
    let (phoff, phentsize, phnum) = if is64 {
        (u64_at(32)?, u16_at(54)?, u16_at(56)?)
    } else {
        (u32_at(28)?, u16_at(42)?, u16_at(44)?)
    };
    for i in 0..phnum.min(256) {
        let at = usize::try_from(phoff.checked_add(i.checked_mul(phentsize)?)?).ok()?;
        if u32_at(at)? != 3 {
            continue;
        }
        let (offset, size) = if is64 {
            (u64_at(at.checked_add(8)?)?, u64_at(at.checked_add(32)?)?)
        } else {
            (u32_at(at.checked_add(4)?)?, u32_at(at.checked_add(16)?)?)
        };
        let start = usize::try_from(offset).ok()?;
        let end = start.checked_add(usize::try_from(size).ok()?.min(4096))?;
        let bytes = head.get(start..end)?;
        let text = bytes.split(|b| *b == 0).next()?;
        return Some(String::from_utf8_lossy(text).into_owned());
    }
    None
}

/// The banner looked for in `.rodata` only (about a tenth of the file): the section
/// headers are read from the end of the file, then that one section.
fn banner_in_rodata(path: &std::path::Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let mut read_at = |offset: u64, len: usize| -> Option<Vec<u8>> {
        if len > MAX_LIBC_BYTES {
            return None;
        }
        file.seek(SeekFrom::Start(offset)).ok()?;
        let mut buf = vec![0; len];
        file.read_exact(&mut buf).ok()?;
        Some(buf)
    };
    let header = read_at(0, 64)?;
    if &header[..4] != b"\x7fELF" || header[4] != 2 || header[5] != 1 {
        return None; // 64-bit little-endian only; others take the whole-file scan
    }
    let u16_at = |b: &[u8], at: usize| -> Option<u64> {
        Some(u64::from(u16::from_le_bytes(
            b.get(at..at.checked_add(2)?)?.try_into().ok()?,
        )))
    };
    let u32_at = |b: &[u8], at: usize| -> Option<u64> {
        Some(u64::from(u32::from_le_bytes(
            b.get(at..at.checked_add(4)?)?.try_into().ok()?,
        )))
    };
    let u64_at = |b: &[u8], at: usize| -> Option<u64> {
        Some(u64::from_le_bytes(
            b.get(at..at.checked_add(8)?)?.try_into().ok()?,
        ))
    };
    let shoff = u64_at(&header, 40)?;
    let shentsize = u16_at(&header, 58)? as usize;
    let shnum = u16_at(&header, 60)? as usize;
    let shstrndx = u16_at(&header, 62)? as usize;
    if shentsize < 64 || shnum == 0 || shnum > 4096 || shstrndx >= shnum {
        return None;
    }
    let table = read_at(shoff, shentsize * shnum)?;
    let section = |i: usize| -> Option<(u64, u64, u64)> {
        let at = i * shentsize;
        Some((
            u32_at(&table, at)?,
            u64_at(&table, at + 24)?,
            u64_at(&table, at + 32)?,
        ))
    };
    let (_, names_offset, names_size) = section(shstrndx)?;
    let names = read_at(names_offset, usize::try_from(names_size).ok()?)?;
    for i in 0..shnum {
        let (name_at, offset, size) = section(i)?;
        let name = names.get(usize::try_from(name_at).ok()?..)?;
        if name.starts_with(b".rodata\0") {
            let bytes = read_at(offset, usize::try_from(size).ok()?)?;
            return glibc_version_from_banner(&bytes);
        }
    }
    None
}

/// Finds `release version 2.36` (or `version 2.36`) in glibc's banner.
pub fn glibc_version_from_banner(bytes: &[u8]) -> Option<String> {
    let banner = b"GNU C Library";
    let start = find(bytes, banner)?;
    let window = &bytes[start..bytes.len().min(start + 512)];
    let end = window.iter().position(|&b| b == 0).unwrap_or(window.len());
    let text = String::from_utf8_lossy(&window[..end]);
    let after = text
        .split("release version ")
        .nth(1)
        .or_else(|| text.split("version ").nth(1))?;
    let version: String = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let version = version.trim_end_matches('.').to_string();
    parse_major_minor(&version).map(|_| version)
}

/// Substring search that skips ahead by the first byte (libc is ~2 MiB; a window
/// compare at every offset costs milliseconds).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut start = 0;
    while let Some(offset) = haystack.get(start..)?.iter().position(|&b| b == first) {
        let at = start + offset;
        if haystack.get(at + 1..at + needle.len()) == Some(rest) {
            return Some(at);
        }
        start = at + 1;
    }
    None
}

/// `V:` of package `musl` in Alpine's `/lib/apk/db/installed` (`1.2.4-r2` → `1.2.4`).
fn musl_version_from_apk(root: &HostRoot) -> Option<String> {
    let db = root.read_to_string("/lib/apk/db/installed").ok()?;
    db.split("\n\n").find_map(|record| {
        let mut lines = record.lines();
        lines.clone().find(|l| *l == "P:musl")?;
        let version = lines.find_map(|l| l.strip_prefix("V:"))?;
        Some(version.split('-').next().unwrap_or(version).to_string())
    })
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn banners_of_real_glibc_builds() {
        let debian = b"\0GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\nCopyright";
        assert_eq!(glibc_version_from_banner(debian).as_deref(), Some("2.36"));
        let rhel = b"xxGNU C Library (GNU libc) release release version 2.34.\0";
        assert_eq!(glibc_version_from_banner(rhel).as_deref(), Some("2.34"));
        assert_eq!(glibc_version_from_banner(b"nothing here"), None);
        assert_eq!(parse_major_minor("2.17"), Some((2, 17)));
        assert_eq!(parse_major_minor("2.39.1"), Some((2, 39)));
    }

    #[test]
    fn banner_of_this_machines_glibc() {
        // The test machines run glibc (Debian); the section read must agree with the scan.
        let libc = [
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/lib/aarch64-linux-gnu/libc.so.6",
            "/lib64/libc.so.6",
        ]
        .into_iter()
        .map(std::path::Path::new)
        .find(|p| p.exists())
        .expect("a glibc libc.so.6 on the test machine");
        let fast = banner_in_rodata(libc);
        let slow = glibc_version_from_banner(&std::fs::read(libc).expect("read libc"));
        assert!(fast.is_some(), "banner found in .rodata");
        assert_eq!(fast, slow);
    }

    #[test]
    fn interpreter_of_real_programs() -> std::io::Result<()> {
        let sh = std::fs::read("/bin/sh")?;
        let interp = elf_interpreter(&sh);
        assert!(
            interp.as_deref().is_some_and(|i| i.contains("ld-")),
            "{interp:?}"
        );
        assert_eq!(elf_interpreter(b"#!/bin/sh\n"), None);
        // Found by fuzzing: a program header offset near the top of the address space.
        let mut hostile = vec![0u8; 64];
        hostile[..6].copy_from_slice(b"\x7fELF\x02\x01");
        hostile[32..40].copy_from_slice(&(u64::MAX - 2).to_le_bytes());
        hostile[54..56].copy_from_slice(&56u16.to_le_bytes());
        hostile[56..58].copy_from_slice(&4u16.to_le_bytes());
        assert_eq!(elf_interpreter(&hostile), None);
        Ok(())
    }

    #[test]
    fn trees() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = HostRoot::new(dir.path());
        std::fs::create_dir_all(dir.path().join("lib64"))?;
        std::fs::write(dir.path().join("lib64/libc-2.17.so"), b"elf")?;
        std::os::unix::fs::symlink("libc-2.17.so", dir.path().join("lib64/libc.so.6"))?;
        let libc = detect_libc(&root);
        assert_eq!(libc.kind, LibcKind::Glibc);
        assert_eq!(libc.glibc_version(), Some((2, 17)));

        let alpine = tempfile::tempdir()?;
        std::fs::create_dir_all(alpine.path().join("lib/apk/db"))?;
        std::fs::write(alpine.path().join("lib/ld-musl-aarch64.so.1"), b"elf")?;
        std::fs::write(
            alpine.path().join("lib/apk/db/installed"),
            "P:busybox\nV:1.36.1-r15\n\nC:Q1\nP:musl\nV:1.2.4_git20230717-r4\nA:aarch64\n",
        )?;
        let musl = detect_libc(&HostRoot::new(alpine.path()));
        assert_eq!(musl.kind, LibcKind::Musl);
        assert_eq!(musl.version.as_deref(), Some("1.2.4_git20230717"));
        Ok(())
    }
}
