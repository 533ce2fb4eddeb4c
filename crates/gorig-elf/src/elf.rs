//! What an ELF file needs from the machine that runs it, read with the `object` crate:
//! class, byte order, machine and type; PT_INTERP; DT_NEEDED, RUNPATH and RPATH; the
//! symbol versions each library must provide (`.gnu.version_r`); whether it calls
//! `getaddrinfo` (cgo's resolver); and the Go build info when there is one.
//!
//! Only the parts needed are read: the data source is either bytes in memory or a
//! [`object::read::ReadCache`] over the file, which reads the ranges asked for (headers,
//! the dynamic section and its strings, version needs, 64 KiB of Go data). A file is not
//! memory-mapped: a binary replaced while it is inspected (a deploy in progress) would
//! turn a truncated mapping into SIGBUS, and reads of a few kilobytes cost less than
//! the mapping.

use object::read::elf::{Dyn, FileHeader, ProgramHeader, SectionHeader, Sym};
use object::read::{ReadRef, StringTable};
use object::{Endian as _, Endianness, elf};

use crate::buildinfo::{self, GoBuildInfo, Memory};
use crate::{BinaryFacts, ElfError, FileKind, GoUses, LibcKind, VersionNeed};

/// Reads the facts of an ELF file from `data`.
pub fn read<'data, R: ReadRef<'data>>(data: R) -> Result<BinaryFacts, ElfError> {
    match object::FileKind::parse(data) {
        Ok(object::FileKind::Elf32) => read_elf::<elf::FileHeader32<Endianness>, R>(data),
        Ok(object::FileKind::Elf64) => read_elf::<elf::FileHeader64<Endianness>, R>(data),
        _ => Err(ElfError::NotElf),
    }
}

fn malformed(error: object::read::Error) -> ElfError {
    ElfError::Malformed(error.to_string())
}

/// The machine name and GOARCH of an ELF `e_machine` (with class and byte order, which
/// tell ppc64 from ppc64le and mips from mipsle).
fn machine_name(machine: u16, is64: bool, big: bool) -> (&'static str, Option<&'static str>) {
    match (machine, is64, big) {
        (62, true, _) => ("x86-64", Some("amd64")),
        (3, false, _) => ("Intel 80386", Some("386")),
        (183, true, _) => ("AArch64", Some("arm64")),
        (40, false, _) => ("ARM", Some("arm")),
        (21, true, true) => ("PowerPC64 (big-endian)", Some("ppc64")),
        (21, true, false) => ("PowerPC64 (little-endian)", Some("ppc64le")),
        (22, true, _) => ("IBM S/390", Some("s390x")),
        (243, true, _) => ("RISC-V", Some("riscv64")),
        (258, true, _) => ("LoongArch", Some("loong64")),
        (8, false, true) => ("MIPS", Some("mips")),
        (8, false, false) => ("MIPS (little-endian)", Some("mipsle")),
        (8, true, true) => ("MIPS64", Some("mips64")),
        (8, true, false) => ("MIPS64 (little-endian)", Some("mips64le")),
        _ => ("other", None),
    }
}

struct Segments<'a, 'data, Elf: FileHeader, R: ReadRef<'data>> {
    headers: &'a [Elf::ProgramHeader],
    endian: Elf::Endian,
    data: R,
    _marker: std::marker::PhantomData<&'data ()>,
}

impl<'data, Elf: FileHeader, R: ReadRef<'data>> Memory for Segments<'_, 'data, Elf, R> {
    fn read(&self, address: u64, len: u64) -> Option<Vec<u8>> {
        for header in self.headers {
            if header.p_type(self.endian) != elf::PT_LOAD {
                continue;
            }
            let vaddr: u64 = header.p_vaddr(self.endian).into();
            let filesz: u64 = header.p_filesz(self.endian).into();
            let offset: u64 = header.p_offset(self.endian).into();
            if address >= vaddr && address.checked_add(len)? <= vaddr.checked_add(filesz)? {
                let at = offset.checked_add(address - vaddr)?;
                return self.data.read_bytes_at(at, len).ok().map(<[u8]>::to_vec);
            }
        }
        None
    }
}

fn read_elf<'data, Elf, R>(data: R) -> Result<BinaryFacts, ElfError>
where
    Elf: FileHeader<Endian = Endianness>,
    R: ReadRef<'data>,
{
    let header = Elf::parse(data).map_err(malformed)?;
    let endian = header.endian().map_err(malformed)?;
    let is64 = header.is_type_64();
    let big = endian == Endianness::Big;
    let machine = header.e_machine(endian).0;
    let (machine_text, goarch) = machine_name(machine, is64, big);
    let segments = header.program_headers(endian, data).map_err(malformed)?;

    let mut interpreter = None;
    for segment in segments {
        if let Ok(Some(interp)) = segment.interpreter(endian, data) {
            interpreter = Some(String::from_utf8_lossy(interp).into_owned());
        }
    }

    // Section headers may be missing (sstrip) or broken; what they give is optional.
    let sections = header.sections(endian, data).ok();
    let mut needed = Vec::new();
    let mut runpath = Vec::new();
    let mut rpath = Vec::new();
    let mut flags_1 = 0u64;
    let mut soname = None;
    if let Some(sections) = &sections
        && let Ok(Some((dynamic, link))) = sections.dynamic(endian, data)
        && let Ok(strings) = sections.strings(endian, data, link)
    {
        for entry in dynamic {
            let tag = entry.tag(endian);
            let text = || {
                entry
                    .string(endian, strings)
                    .map(|s| String::from_utf8_lossy(s).into_owned())
            };
            if tag == elf::DT_NEEDED {
                if let Ok(name) = text() {
                    needed.push(name);
                }
            } else if tag == elf::DT_RUNPATH {
                if let Ok(paths) = text() {
                    runpath.extend(paths.split(':').map(str::to_string));
                }
            } else if tag == elf::DT_RPATH {
                if let Ok(paths) = text() {
                    rpath.extend(paths.split(':').map(str::to_string));
                }
            } else if tag == elf::DT_FLAGS_1 {
                flags_1 = entry.val(endian);
            } else if tag == elf::DT_SONAME {
                soname = Some(text().unwrap_or_default());
            }
        }
    }

    let mut version_needs: Vec<VersionNeed> = Vec::new();
    // Version index (vna_other) → (library, version), to name what each import needs.
    let mut need_index: std::collections::HashMap<u16, (String, String)> = Default::default();
    if let Some(sections) = &sections
        && let Ok(Some((mut verneeds, link))) = sections.gnu_verneed(endian, data)
        && let Ok(strings) = sections.strings(endian, data, link)
    {
        while let Ok(Some((verneed, mut vernauxs))) = verneeds.next() {
            let file = verneed
                .file(endian, strings)
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .unwrap_or_default();
            let mut versions = Vec::new();
            let mut weak = Vec::new();
            while let Ok(Some(vernaux)) = vernauxs.next() {
                if let Ok(name) = vernaux.name(endian, strings) {
                    let name = String::from_utf8_lossy(name).into_owned();
                    need_index.insert(
                        vernaux.vna_other.get(endian).0,
                        (file.clone(), name.clone()),
                    );
                    if vernaux.vna_flags.get(endian).0 & elf::VER_FLG_WEAK.0 != 0 {
                        weak.push(name.clone());
                    }
                    versions.push(name);
                }
            }
            version_needs.push(VersionNeed {
                file,
                versions,
                weak,
            });
        }
    }

    // The versions this object defines (`.gnu.version_d`), without the base entry
    // (its own soname).
    let mut version_defs: Vec<String> = Vec::new();
    let mut defines_versions = false;
    if let Some(sections) = &sections
        && let Ok(Some((mut verdefs, link))) = sections.gnu_verdef(endian, data)
        && let Ok(strings) = sections.strings(endian, data, link)
    {
        defines_versions = true;
        while let Ok(Some((verdef, mut verdauxs))) = verdefs.next() {
            if verdef.vd_flags.get(endian).0 & elf::VER_FLG_BASE.0 != 0 {
                continue;
            }
            if let Ok(Some(verdaux)) = verdauxs.next()
                && let Ok(name) = verdaux.name(endian, strings)
            {
                version_defs.push(String::from_utf8_lossy(name).into_owned());
            }
        }
    }

    let calls_getaddrinfo = sections
        .as_ref()
        .and_then(|s| dynamic_symbol_imported(s, endian, data, b"getaddrinfo"))
        .unwrap_or(false);
    let (versioned_imports, unversioned_exports) = sections
        .as_ref()
        .map(|s| symbol_versions(s, endian, data, &need_index, defines_versions))
        .unwrap_or_default();

    let e_type = header.e_type(endian);
    let kind = if e_type == elf::ET_EXEC {
        FileKind::Executable
    } else if e_type == elf::ET_DYN {
        if interpreter.is_some() {
            FileKind::Pie
        } else if flags_1 & elf::DF_1_PIE.0 != 0 || soname.is_none() {
            FileKind::StaticPie
        } else {
            FileKind::SharedLibrary
        }
    } else if e_type == elf::ET_REL {
        FileKind::Relocatable
    } else {
        FileKind::Other
    };

    let go = go_build_info::<Elf, R>(endian, data, segments, sections.as_ref());
    let go_uses = go
        .as_ref()
        .and(sections.as_ref())
        .and_then(|s| go_uses(s, endian, data));

    let libc = match interpreter.as_deref() {
        Some(i) if i.contains("ld-musl") => LibcKind::Musl,
        Some(i) if i.contains("ld-linux") || i.contains("ld64.so") || i.contains("ld.so") => {
            LibcKind::Glibc
        }
        Some(_) => LibcKind::Unknown,
        None if needed.iter().any(|n| n.starts_with("libc.musl")) => LibcKind::Musl,
        None if needed.iter().any(|n| n == "libc.so.6") => LibcKind::Glibc,
        None if needed.is_empty() => LibcKind::None,
        None => LibcKind::Unknown,
    };

    Ok(BinaryFacts {
        class: if is64 { 64 } else { 32 },
        big_endian: big,
        machine,
        machine_name: machine_text.to_string(),
        goarch: goarch.map(str::to_string),
        kind,
        interpreter,
        needed,
        runpath,
        rpath,
        soname,
        nodeflib: flags_1 & elf::DF_1_NODEFLIB.0 != 0,
        libc,
        version_needs,
        version_defs,
        defines_versions,
        versioned_imports,
        unversioned_exports,
        calls_getaddrinfo,
        go,
        go_uses,
    })
}

/// Which standard packages a Go program links, from the function names in `.gopclntab`
/// (kept by `-s -w`, which strip only the symbol table and DWARF). The names are
/// NUL-terminated one after another, so a package's functions are the names that start
/// with `net.` or `os/exec.` right after a NUL; a program importing `net/http` links
/// `net` too. Since Go 1.16 the names are a table of their own, found from the header
/// (`runtime/symtab.go`'s `pcHeader`), so only that table is read; older layouts are
/// scanned whole. `None` when the section is not there.
fn go_uses<'data, Elf, R>(
    sections: &object::read::elf::SectionTable<'data, Elf, R>,
    endian: Elf::Endian,
    data: R,
) -> Option<GoUses>
where
    Elf: FileHeader,
    R: ReadRef<'data>,
{
    let (_, section) = sections.section_by_name(endian, b".gopclntab")?;
    let offset: u64 = section.sh_offset(endian).into();
    let size: u64 = section.sh_size(endian).into();
    let (from, len) = data
        .read_bytes_at(offset, size.min(96))
        .ok()
        .and_then(|header| funcname_table(header, endian.is_big_endian(), size))
        .map_or((offset, size), |(start, end)| (offset + start, end - start));
    let table = data.read_bytes_at(from, len).ok()?;
    let mut uses = GoUses::default();
    for name in table.split(|b| *b == 0) {
        uses.net |= name.starts_with(b"net.");
        uses.os_exec |= name.starts_with(b"os/exec.");
        if uses.net && uses.os_exec {
            break;
        }
    }
    Some(uses)
}

/// Where the function name table lies in a `.gopclntab` of `size` bytes, from its header:
/// magic (4 bytes), two pad bytes, the instruction size quantum, the pointer size, then
/// pointer-sized words: nfunc, nfiles, (1.18+: textStart), funcnameOffset, cuOffset.
fn funcname_table(header: &[u8], big: bool, size: u64) -> Option<(u64, u64)> {
    let magic = header.get(..4)?;
    let magic = if big {
        u32::from_be_bytes(magic.try_into().ok()?)
    } else {
        u32::from_le_bytes(magic.try_into().ok()?)
    };
    let first = match magic {
        0xFFFF_FFF1 | 0xFFFF_FFF0 => 3, // Go 1.20+, 1.18: textStart comes first
        0xFFFF_FFFA => 2,               // Go 1.16
        _ => return None,
    };
    let ptr = usize::from(*header.get(7)?);
    if ptr != 4 && ptr != 8 {
        return None;
    }
    let word = |index: usize| -> Option<u64> {
        let bytes = header.get(8 + index * ptr..8 + (index + 1) * ptr)?;
        Some(match (ptr, big) {
            (4, false) => u64::from(u32::from_le_bytes(bytes.try_into().ok()?)),
            (4, true) => u64::from(u32::from_be_bytes(bytes.try_into().ok()?)),
            (_, false) => u64::from_le_bytes(bytes.try_into().ok()?),
            (_, true) => u64::from_be_bytes(bytes.try_into().ok()?),
        })
    };
    let (start, end) = (word(first)?, word(first + 1)?);
    (start < end && end <= size).then_some((start, end))
}

/// The dynamic symbols' string table read whole, once: names then resolve from memory.
/// (Over a lazily read file each name would be its own read; a program exporting
/// 100,000 symbols, such as node, took 0.16 s that way.)
fn dynamic_strings<'data, Elf, R>(
    sections: &object::read::elf::SectionTable<'data, Elf, R>,
    endian: Elf::Endian,
    data: R,
    symbols: &object::read::elf::SymbolTable<'data, Elf, R>,
) -> Option<StringTable<'data, &'data [u8]>>
where
    Elf: FileHeader,
    R: ReadRef<'data>,
{
    let section = sections.section(symbols.string_section()).ok()?;
    let offset: u64 = section.sh_offset(endian).into();
    let size: u64 = section.sh_size(endian).into();
    // A header may claim more than the file holds: nothing is allocated for that.
    if size > data.len().ok()?.checked_sub(offset)? {
        return None;
    }
    let bytes = data.read_bytes_at(offset, size).ok()?;
    Some(StringTable::new(bytes, 0, size))
}

/// The imports that need a symbol version, as `(library, version, symbol)`; and, for a
/// library that defines no versions, the symbols it exports (what an unversioned
/// provider can satisfy).
#[allow(clippy::type_complexity)]
fn symbol_versions<'data, Elf, R>(
    sections: &object::read::elf::SectionTable<'data, Elf, R>,
    endian: Elf::Endian,
    data: R,
    need_index: &std::collections::HashMap<u16, (String, String)>,
    defines_versions: bool,
) -> (Vec<(String, String, String)>, Vec<String>)
where
    Elf: FileHeader,
    R: ReadRef<'data>,
{
    let Ok(symbols) = sections.symbols(endian, data, elf::SHT_DYNSYM) else {
        return Default::default();
    };
    let Some(strings) = dynamic_strings(sections, endian, data, &symbols) else {
        return Default::default();
    };
    let versym = sections.gnu_versym(endian, data).ok().flatten();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for (index, sym) in symbols.symbols().iter().enumerate() {
        let Ok(name) = sym.name(endian, strings) else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        if sym.is_undefined(endian) {
            let version = versym
                .and_then(|(table, _)| table.get(index))
                .map(|v| v.0.get(endian).0 & elf::VERSYM_VERSION);
            if let Some(v) = version
                && let Some((file, version)) = need_index.get(&v)
            {
                imports.push((
                    file.clone(),
                    version.clone(),
                    String::from_utf8_lossy(name).into_owned(),
                ));
            }
        } else if !defines_versions {
            exports.push(String::from_utf8_lossy(name).into_owned());
        }
    }
    (imports, exports)
}

/// Whether the dynamic symbol table imports `name` (undefined there).
fn dynamic_symbol_imported<'data, Elf, R>(
    sections: &object::read::elf::SectionTable<'data, Elf, R>,
    endian: Elf::Endian,
    data: R,
    name: &[u8],
) -> Option<bool>
where
    Elf: FileHeader,
    R: ReadRef<'data>,
{
    let symbols = sections.symbols(endian, data, elf::SHT_DYNSYM).ok()?;
    let strings = dynamic_strings(sections, endian, data, &symbols)?;
    Some(
        symbols.iter().any(|sym| {
            sym.is_undefined(endian) && sym.name(endian, strings).is_ok_and(|n| n == name)
        }),
    )
}

fn go_build_info<'data, Elf, R>(
    endian: Elf::Endian,
    data: R,
    segments: &[Elf::ProgramHeader],
    sections: Option<&object::read::elf::SectionTable<'data, Elf, R>>,
) -> Option<GoBuildInfo>
where
    Elf: FileHeader,
    R: ReadRef<'data>,
{
    let memory = Segments::<Elf, R> {
        headers: segments,
        endian,
        data,
        _marker: std::marker::PhantomData,
    };
    // `.go.buildinfo` by name, else the first writable, non-executable PT_LOAD.
    let from_section = sections.and_then(|sections| {
        let (_, section) = sections.section_by_name(endian, b".go.buildinfo")?;
        let offset: u64 = section.sh_offset(endian).into();
        let size: u64 = section.sh_size(endian).into();
        data.read_bytes_at(offset, size.min(buildinfo::SEARCH_BYTES))
            .ok()
    });
    let blob = from_section.or_else(|| {
        segments.iter().find_map(|segment| {
            let flags = segment.p_flags(endian).0;
            let load = segment.p_type(endian) == elf::PT_LOAD;
            if !load || flags & (elf::PF_X.0 | elf::PF_W.0) != elf::PF_W.0 {
                return None;
            }
            let offset: u64 = segment.p_offset(endian).into();
            let size: u64 = segment.p_filesz(endian).into();
            data.read_bytes_at(offset, size.min(buildinfo::SEARCH_BYTES))
                .ok()
        })
    })?;
    buildinfo::parse(blob, &memory)
}
