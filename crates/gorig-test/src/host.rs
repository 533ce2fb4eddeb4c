//! Host trees for `gorig doctor --root`: a temporary directory laid out like another
//! machine's `/` (os-release from the real fixtures, procfs and sysfs files, C library
//! files, ELF programs with the right interpreter), built in code so each test says
//! exactly what the host looks like. Also golden-file snapshots of command output.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// The fixture directory shipped with this crate.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A machine's root tree under a temporary directory.
pub struct HostTree {
    dir: TempDir,
}

/// ELF machine numbers (`e_machine`) of the programs a tree holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Machine {
    X86_64,
    Aarch64,
}

impl Default for HostTree {
    fn default() -> Self {
        HostTree::new()
    }
}

impl HostTree {
    pub fn new() -> HostTree {
        HostTree {
            dir: tempfile::Builder::new()
                .prefix("gorig-host-")
                .tempdir()
                .unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn real(&self, host_path: &str) -> PathBuf {
        self.dir.path().join(host_path.trim_start_matches('/'))
    }

    /// Copies `fixtures/os-release/<distro>` (links kept) into the tree.
    pub fn distro(self, distro: &str) -> HostTree {
        let source = fixtures_dir().join("os-release").join(distro);
        assert!(
            source.is_dir(),
            "no os-release fixture {}",
            source.display()
        );
        copy_tree(&source, self.dir.path());
        self
    }

    /// Writes a file (creating its directories).
    pub fn file(self, host_path: &str, text: impl AsRef<[u8]>) -> HostTree {
        let real = self.real(host_path);
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, text).unwrap();
        self
    }

    /// An executable file (for tools found on PATH).
    pub fn executable(self, host_path: &str) -> HostTree {
        use std::os::unix::fs::PermissionsExt;
        let tree = self.file(host_path, "#!/bin/sh\n");
        let real = tree.real(host_path);
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o755)).unwrap();
        tree
    }

    pub fn symlink(self, host_path: &str, target: &str) -> HostTree {
        let real = self.real(host_path);
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        let _ = std::fs::remove_file(&real);
        std::os::unix::fs::symlink(target, &real).unwrap();
        self
    }

    /// A dynamically linked ELF program whose interpreter is `interp`.
    pub fn elf_program(self, host_path: &str, machine: Machine, interp: &str) -> HostTree {
        let bytes = elf_with_interp(machine, interp);
        let tree = self.file(host_path, bytes);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tree.real(host_path), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        tree
    }

    /// An x86-64 glibc `libc.so.6` of `version` (see [`HostTree::glibc_for`]).
    pub fn glibc(self, host_path: &str, version: &str) -> HostTree {
        self.glibc_for(Machine::X86_64, host_path, version)
    }

    /// A glibc `libc.so.6` of `version`: a real ELF shared library with glibc's soname,
    /// the `GLIBC_2.x` version definitions up to `version`, and glibc's banner in
    /// `.rodata`, as the loader and the doctor read them.
    pub fn glibc_for(self, machine: Machine, host_path: &str, version: &str) -> HostTree {
        let minor: u32 = version
            .split('.')
            .nth(1)
            .and_then(|m| m.parse().ok())
            .unwrap_or(17);
        let first = match machine {
            Machine::X86_64 => 3,
            Machine::Aarch64 => 17,
        };
        let mut versions: Vec<String> = Vec::new();
        if machine == Machine::X86_64 {
            versions.push("GLIBC_2.2.5".into());
        }
        versions.extend((first..=minor).map(|m| format!("GLIBC_2.{m}")));
        versions.push("GLIBC_PRIVATE".into());
        let names: Vec<&str> = versions.iter().map(String::as_str).collect();
        let banner = format!(
            "GNU C Library (GNU libc) stable release version {version}.\nCopyright (C) 2024 Free Software Foundation, Inc.\0"
        );
        let bytes = elf_shared_library(machine, "libc.so.6", &names, banner.as_bytes());
        self.file(host_path, bytes)
    }

    /// A sysctl value, `net.core.somaxconn` style.
    pub fn sysctl(self, name: &str, value: &str) -> HostTree {
        let path = format!("/proc/sys/{}", name.replace('.', "/"));
        self.file(&path, format!("{value}\n"))
    }

    /// `/proc/self/limits` with these open-file and process limits (`None`: unlimited).
    pub fn limits(
        self,
        nofile: (Option<u64>, Option<u64>),
        nproc: (Option<u64>, Option<u64>),
    ) -> HostTree {
        let show = |v: Option<u64>| {
            v.map(|v| v.to_string())
                .unwrap_or_else(|| "unlimited".into())
        };
        let row = |name: &str, (soft, hard): (Option<u64>, Option<u64>), unit: &str| {
            format!("{name:<26}{:<21}{:<21}{unit:<10}\n", show(soft), show(hard))
        };
        let mut text = format!(
            "{:<26}{:<21}{:<21}{:<10}\n",
            "Limit", "Soft Limit", "Hard Limit", "Units"
        );
        text.push_str(&row("Max cpu time", (None, None), "seconds"));
        text.push_str(&row("Max stack size", (Some(8388608), None), "bytes"));
        text.push_str(&row("Max processes", nproc, "processes"));
        text.push_str(&row("Max open files", nofile, "files"));
        self.file("/proc/self/limits", text)
    }

    /// `/proc/cpuinfo` with `count` x86 processors having `flags`.
    pub fn cpuinfo_x86(self, count: u32, model: &str, flags: &str) -> HostTree {
        let mut text = String::new();
        for n in 0..count {
            text.push_str(&format!(
                "processor\t: {n}\nvendor_id\t: GenuineIntel\nmodel name\t: {model}\nflags\t\t: {flags}\n\n"
            ));
        }
        self.file("/proc/cpuinfo", text)
    }

    /// `/proc/cpuinfo` with `count` arm64 processors having `features`.
    pub fn cpuinfo_arm64(self, count: u32, features: &str) -> HostTree {
        let mut text = String::new();
        for n in 0..count {
            text.push_str(&format!(
                "processor\t: {n}\nBogoMIPS\t: 243.75\nFeatures\t: {features}\nCPU implementer\t: 0x41\n\n"
            ));
        }
        self.file("/proc/cpuinfo", text)
    }
}

/// x86-64 feature flags of each psABI level, as /proc/cpuinfo spells them.
pub const X86_V1: &str = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx lm";
pub const X86_V2: &str = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx lm pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm";
pub const X86_V3: &str = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx lm pni ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt xsave avx f16c lahf_lm abm bmi1 avx2 bmi2";

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            let link = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(link, &target).unwrap();
        } else if kind.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            // A fixture checked out read-only must not make the tree read-only.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
}

/// ELF's symbol hash (`elf_hash`), which version definitions carry.
fn elf_hash(name: &str) -> u32 {
    let mut h: u32 = 0;
    for b in name.bytes() {
        h = (h << 4).wrapping_add(u32::from(b));
        let g = h & 0xf000_0000;
        if g != 0 {
            h ^= g >> 24;
        }
        h &= !g;
    }
    h
}

/// A minimal 64-bit little-endian ELF shared library: DT_SONAME `soname`, version
/// definitions `versions` (after the base one), and `rodata` as `.rodata`.
pub fn elf_shared_library(
    machine: Machine,
    soname: &str,
    versions: &[&str],
    rodata: &[u8],
) -> Vec<u8> {
    let e_machine: u16 = match machine {
        Machine::X86_64 => 62,
        Machine::Aarch64 => 183,
    };
    let align = |v: &mut Vec<u8>, to: usize| {
        while !v.len().is_multiple_of(to) {
            v.push(0);
        }
    };
    let mut dynstr = vec![0u8];
    let name_at = |name: &str, dynstr: &mut Vec<u8>| -> u32 {
        let at = dynstr.len() as u32;
        dynstr.extend_from_slice(name.as_bytes());
        dynstr.push(0);
        at
    };
    let soname_at = name_at(soname, &mut dynstr);
    let version_at: Vec<u32> = versions.iter().map(|v| name_at(v, &mut dynstr)).collect();
    let mut out = vec![0u8; 64];
    let dynstr_offset = out.len();
    out.extend_from_slice(&dynstr);
    align(&mut out, 8);
    let dynamic_offset = out.len();
    for (tag, value) in [(14u64, u64::from(soname_at)), (0, 0)] {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }
    let dynamic_size = out.len() - dynamic_offset;
    align(&mut out, 4);
    let verdef_offset = out.len();
    let all: Vec<(u16, u32, &str)> = std::iter::once((1u16, soname_at, soname))
        .chain(
            version_at
                .iter()
                .zip(versions)
                .map(|(at, v)| (0u16, *at, *v)),
        )
        .collect();
    for (i, (flags, at, name)) in all.iter().enumerate() {
        out.extend_from_slice(&1u16.to_le_bytes()); // vd_version
        out.extend_from_slice(&flags.to_le_bytes()); // vd_flags (VER_FLG_BASE first)
        out.extend_from_slice(&((i + 1) as u16).to_le_bytes()); // vd_ndx
        out.extend_from_slice(&1u16.to_le_bytes()); // vd_cnt
        out.extend_from_slice(&elf_hash(name).to_le_bytes());
        out.extend_from_slice(&20u32.to_le_bytes()); // vd_aux
        let next: u32 = if i + 1 == all.len() { 0 } else { 28 };
        out.extend_from_slice(&next.to_le_bytes());
        out.extend_from_slice(&at.to_le_bytes()); // vda_name
        out.extend_from_slice(&0u32.to_le_bytes()); // vda_next
    }
    let verdef_size = out.len() - verdef_offset;
    let rodata_offset = out.len();
    out.extend_from_slice(rodata);
    let shstrtab = b"\0.dynstr\0.dynamic\0.gnu.version_d\0.rodata\0.shstrtab\0";
    let shstrtab_offset = out.len();
    out.extend_from_slice(shstrtab);
    align(&mut out, 8);
    let shoff = out.len();
    // (name, type, flags, offset, size, link, info, align, entsize)
    type SectionHeader = (u32, u32, u64, usize, usize, u32, u32, u64, u64);
    let sections: [SectionHeader; 6] = [
        (0, 0, 0, 0, 0, 0, 0, 0, 0),
        (1, 3, 2, dynstr_offset, dynstr.len(), 0, 0, 1, 0),
        (9, 6, 3, dynamic_offset, dynamic_size, 1, 0, 8, 16),
        (
            18,
            0x6fff_fffd,
            2,
            verdef_offset,
            verdef_size,
            1,
            all.len() as u32,
            4,
            0,
        ),
        (33, 1, 2, rodata_offset, rodata.len(), 0, 0, 1, 0),
        (41, 3, 0, shstrtab_offset, shstrtab.len(), 0, 0, 1, 0),
    ];
    for (name, kind, flags, offset, size, link, info, sh_align, entsize) in sections {
        out.extend_from_slice(&name.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&(offset as u64).to_le_bytes()); // sh_addr = offset
        out.extend_from_slice(&(offset as u64).to_le_bytes());
        out.extend_from_slice(&(size as u64).to_le_bytes());
        out.extend_from_slice(&link.to_le_bytes());
        out.extend_from_slice(&info.to_le_bytes());
        out.extend_from_slice(&sh_align.to_le_bytes());
        out.extend_from_slice(&entsize.to_le_bytes());
    }
    let mut header = Vec::new();
    header.extend_from_slice(b"\x7fELF");
    header.extend_from_slice(&[2, 1, 1, 0]);
    header.extend_from_slice(&[0; 8]);
    header.extend_from_slice(&3u16.to_le_bytes()); // ET_DYN
    header.extend_from_slice(&e_machine.to_le_bytes());
    header.extend_from_slice(&1u32.to_le_bytes());
    header.extend_from_slice(&0u64.to_le_bytes()); // entry
    header.extend_from_slice(&0u64.to_le_bytes()); // phoff
    header.extend_from_slice(&(shoff as u64).to_le_bytes());
    header.extend_from_slice(&0u32.to_le_bytes()); // flags
    header.extend_from_slice(&64u16.to_le_bytes()); // ehsize
    header.extend_from_slice(&56u16.to_le_bytes()); // phentsize
    header.extend_from_slice(&0u16.to_le_bytes()); // phnum
    header.extend_from_slice(&64u16.to_le_bytes()); // shentsize
    header.extend_from_slice(&(sections.len() as u16).to_le_bytes());
    header.extend_from_slice(&5u16.to_le_bytes()); // shstrndx
    out[..64].copy_from_slice(&header);
    out
}

/// A minimal 64-bit little-endian ELF executable header with one PT_INTERP segment.
pub fn elf_with_interp(machine: Machine, interp: &str) -> Vec<u8> {
    let e_machine: u16 = match machine {
        Machine::X86_64 => 62,
        Machine::Aarch64 => 183,
    };
    let mut interp_bytes = interp.as_bytes().to_vec();
    interp_bytes.push(0);
    let mut elf = Vec::new();
    elf.extend_from_slice(b"\x7fELF");
    elf.extend_from_slice(&[2, 1, 1, 0]); // 64-bit, little-endian, version 1, SysV
    elf.extend_from_slice(&[0; 8]);
    elf.extend_from_slice(&3u16.to_le_bytes()); // ET_DYN
    elf.extend_from_slice(&e_machine.to_le_bytes());
    elf.extend_from_slice(&1u32.to_le_bytes());
    elf.extend_from_slice(&0x1000u64.to_le_bytes()); // entry
    elf.extend_from_slice(&64u64.to_le_bytes()); // phoff
    elf.extend_from_slice(&0u64.to_le_bytes()); // shoff
    elf.extend_from_slice(&0u32.to_le_bytes()); // flags
    elf.extend_from_slice(&64u16.to_le_bytes()); // ehsize
    elf.extend_from_slice(&56u16.to_le_bytes()); // phentsize
    elf.extend_from_slice(&1u16.to_le_bytes()); // phnum
    elf.extend_from_slice(&[0; 6]); // shentsize, shnum, shstrndx
    // PT_INTERP program header.
    elf.extend_from_slice(&3u32.to_le_bytes());
    elf.extend_from_slice(&4u32.to_le_bytes()); // PF_R
    elf.extend_from_slice(&120u64.to_le_bytes()); // offset
    elf.extend_from_slice(&120u64.to_le_bytes()); // vaddr
    elf.extend_from_slice(&120u64.to_le_bytes()); // paddr
    elf.extend_from_slice(&(interp_bytes.len() as u64).to_le_bytes());
    elf.extend_from_slice(&(interp_bytes.len() as u64).to_le_bytes());
    elf.extend_from_slice(&1u64.to_le_bytes());
    elf.extend_from_slice(&interp_bytes);
    elf
}

/// Compares `actual` with the golden file at `path`. With `GORIG_UPDATE_SNAPSHOTS=1` the
/// file is (re)written instead; otherwise a missing or different file fails the test
/// and the actual text is left beside it as `<name>.new` to review.
pub fn assert_snapshot(path: &Path, actual: &str) {
    let update = std::env::var("GORIG_UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let new_path = PathBuf::from(format!("{}.new", path.display()));
    if update {
        std::fs::write(path, actual).unwrap();
        let _ = std::fs::remove_file(&new_path);
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => {
            let _ = std::fs::remove_file(&new_path);
        }
        Ok(expected) => {
            std::fs::write(&new_path, actual).unwrap();
            let line = expected
                .lines()
                .zip(actual.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
            panic!(
                "snapshot {} differs from line {}:\n  expected: {:?}\n  actual:   {:?}\nthe new output is in {}; accept it with GORIG_UPDATE_SNAPSHOTS=1",
                path.display(),
                line + 1,
                expected.lines().nth(line),
                actual.lines().nth(line),
                new_path.display()
            );
        }
        Err(_) => {
            std::fs::write(&new_path, actual).unwrap();
            panic!(
                "no snapshot {}; the output is in {}: review it and run again with GORIG_UPDATE_SNAPSHOTS=1",
                path.display(),
                new_path.display()
            );
        }
    }
}
