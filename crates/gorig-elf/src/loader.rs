//! What the dynamic loader of a target tree would do with a binary, found the way the
//! loader finds it and judged the way the loader judges it (glibc's `elf/dl-load.c`,
//! `dl-cache.c`, `dl-version.c`; musl's `ldso/dynlink.c`):
//!
//! - every DT_NEEDED of the program and of each library it loads, searched in the
//!   loader's order: a name with a `/` as a path; DT_RPATH of the object and of the
//!   objects that loaded it (only when the object has no DT_RUNPATH); DT_RUNPATH (for
//!   the object's own needs only); `/etc/ld.so.cache`, read as the loader reads it (the
//!   old `ld.so-1.7.0` and new `glibc-ld.so.cache1.1` formats, entries matched to the
//!   program's class and machine); then the built-in directories (Debian's multiarch
//!   ones on Debian-family trees). `$ORIGIN`, `$LIB` and `$PLATFORM` are expanded;
//! - a found file of the wrong ELF class or machine is passed over, as the loader does;
//!   one that is no ELF file stops the program;
//! - every symbol version any loaded object needs is looked up in the version
//!   definitions (DT_VERDEF) of the library that must provide it; weak needs only warn.
//!
//! The module is pure: files are read through [`TargetFiles`]. What the tree cannot
//! tell (LD_LIBRARY_PATH at run time, the CPU's glibc-hwcaps subdirectories) is left
//! out and said so where it matters.

use std::collections::VecDeque;

use serde::Serialize;

use crate::{BinaryFacts, ElfError};

/// Where a file is: in the target's tree, or on this machine beside a binary that is
/// not in the tree (files found through its `$ORIGIN` travel with it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "in", content = "path", rename_all = "lowercase")]
pub enum Place {
    Target(String),
    Local(String),
}

impl Place {
    pub fn path(&self) -> &str {
        match self {
            Place::Target(p) | Place::Local(p) => p,
        }
    }

    fn with_path(&self, path: String) -> Place {
        match self {
            Place::Target(_) => Place::Target(path),
            Place::Local(_) => Place::Local(path),
        }
    }

    /// The directory holding this file.
    pub fn dir(&self) -> Place {
        let path = self.path();
        let dir = match path.rfind('/') {
            Some(0) => "/".to_string(),
            Some(at) => path[..at].to_string(),
            None => ".".to_string(),
        };
        self.with_path(dir)
    }
}

/// What reading a candidate file gave.
pub enum Probe {
    Missing,
    /// Not loadable at all (`invalid ELF header`, `file too short`): the loader stops.
    Bad(String),
    Elf(Box<BinaryFacts>),
}

/// Looks up files on a target that has a file tree (the host, a mounted image).
pub trait TargetFiles {
    /// Whether the path exists on the target (following links inside it).
    fn exists(&self, path: &str) -> bool;

    /// Up to `limit` bytes of a file of the target.
    fn read(&self, _path: &str, _limit: usize) -> Option<Vec<u8>> {
        None
    }

    /// The ELF facts of a file, as the loader would open it.
    fn elf(&self, _place: &Place) -> Probe {
        Probe::Missing
    }
}

/// The C library whose loader runs the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flavor {
    /// glibc; `multiarch` on Debian-family trees (Debian's patched default paths and
    /// `$LIB`); `version` decides how an unversioned library behind a versioned need
    /// ends.
    Glibc {
        multiarch: bool,
        version: Option<(u32, u32)>,
    },
    Musl,
}

/// How a library was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FoundBy {
    /// The program's loader (PT_INTERP).
    Interpreter,
    /// A DT_NEEDED with a `/`, opened as a path.
    Path,
    Rpath,
    Runpath,
    LdSoCache,
    /// The loader's built-in directories.
    DefaultPath,
    /// musl's `/etc/ld-musl-ARCH.path` or its default list.
    MuslPath,
}

impl FoundBy {
    pub fn text(self) -> &'static str {
        match self {
            FoundBy::Interpreter => "the loader",
            FoundBy::Path => "the path it names",
            FoundBy::Rpath => "RPATH",
            FoundBy::Runpath => "RUNPATH",
            FoundBy::LdSoCache => "ld.so.cache",
            FoundBy::DefaultPath => "default path",
            FoundBy::MuslPath => "musl's library path",
        }
    }
}

/// One library the loader would load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundLibrary {
    /// The DT_NEEDED name.
    pub name: String,
    pub place: Place,
    pub found_by: FoundBy,
    /// The RPATH/RUNPATH entry as written, when one found it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

/// A way the load fails or may fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub blocker: bool,
    pub check: &'static str,
    pub message: String,
}

/// What the loader would do.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub libraries: Vec<FoundLibrary>,
    pub problems: Vec<Problem>,
}

/// One loaded object.
struct Loaded {
    /// Names it answers to (the DT_NEEDED names it was loaded by, its soname).
    names: Vec<String>,
    place: Place,
    facts: BinaryFacts,
    /// Index of the object that loaded it (`None` for the program).
    loader: Option<usize>,
}

/// The program's ELF identity, which every library must share.
#[derive(Clone, Copy)]
struct Identity {
    class: u8,
    machine: u16,
    big_endian: bool,
}

/// The GNU multiarch triplet of a GOARCH, as Debian names its library directories.
fn triplet(goarch: Option<&str>) -> Option<&'static str> {
    Some(match goarch? {
        "amd64" => "x86_64-linux-gnu",
        "386" => "i386-linux-gnu",
        "arm64" => "aarch64-linux-gnu",
        "arm" => "arm-linux-gnueabihf",
        "ppc64le" => "powerpc64le-linux-gnu",
        "ppc64" => "powerpc64-linux-gnu",
        "s390x" => "s390x-linux-gnu",
        "riscv64" => "riscv64-linux-gnu",
        "mips64le" => "mips64el-linux-gnuabi64",
        "mipsle" => "mipsel-linux-gnu",
        "mips" => "mips-linux-gnu",
        "loong64" => "loongarch64-linux-gnu",
        _ => return None,
    })
}

/// AT_PLATFORM as the kernel gives it (x86-64 glibc may refine it from the CPU, e.g.
/// `haswell`; that is not knowable from a tree).
fn platform(goarch: Option<&str>) -> Option<&'static str> {
    Some(match goarch? {
        "amd64" => "x86_64",
        "386" => "i686",
        "arm64" => "aarch64",
        "arm" => "v7l",
        "ppc64le" => "power8",
        "s390x" => "z13",
        "riscv64" => "riscv64",
        _ => return None,
    })
}

/// musl's name for the architecture in `/etc/ld-musl-ARCH.path`.
fn musl_arch(goarch: Option<&str>) -> Option<&'static str> {
    Some(match goarch? {
        "amd64" => "x86_64",
        "386" => "i386",
        "arm64" => "aarch64",
        "arm" => "armhf",
        "ppc64le" => "powerpc64le",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "loong64" => "loongarch64",
        "mips64le" => "mips64el",
        _ => return None,
    })
}

/// The library names musl's loader answers with itself (`libc.so`, `libm.so`, ... as
/// Debian's musl-gcc links them).
pub(crate) fn musl_reserved(name: &str) -> bool {
    [
        "libc.so",
        "libdl.so",
        "libpthread.so",
        "librt.so",
        "libm.so",
        "libutil.so",
        "libxnet.so",
        "libresolv.so",
        "libcrypt.so",
    ]
    .contains(&name)
        || name.starts_with("libc.musl-")
        || name.starts_with("ld-musl-")
}

/// `$LIB` and the built-in directories of a glibc tree.
fn glibc_dirs(multiarch: bool, id: Identity, goarch: Option<&str>) -> (String, Vec<String>) {
    if multiarch && let Some(t) = triplet(goarch) {
        return (
            format!("lib/{t}"),
            vec![
                format!("/lib/{t}"),
                format!("/usr/lib/{t}"),
                "/lib".into(),
                "/usr/lib".into(),
            ],
        );
    }
    if id.class == 64 {
        ("lib64".into(), vec!["/lib64".into(), "/usr/lib64".into()])
    } else {
        ("lib".into(), vec!["/lib".into(), "/usr/lib".into()])
    }
}

/// Expands `$ORIGIN`, `$LIB`, `$PLATFORM` (braced or not) in one search-path entry; `None`
/// when a token cannot be expanded (the loader drops the entry then).
fn expand(entry: &str, origin: &Place, lib: &str, platform: Option<&str>) -> Option<Place> {
    let mut out = String::new();
    let mut rest = entry;
    let mut local = false;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, tail) = if let Some(braced) = after.strip_prefix('{') {
            let end = braced.find('}')?;
            (&braced[..end], &braced[end + 1..])
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        match name {
            "ORIGIN" => {
                out.push_str(origin.path());
                local = matches!(origin, Place::Local(_));
            }
            "LIB" => out.push_str(lib),
            "PLATFORM" => out.push_str(platform?),
            // Not a token: kept as written.
            _ => {
                out.push('$');
                out.push_str(&after[..after.len() - tail.len()]);
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    if out.is_empty() {
        return None;
    }
    Some(if local {
        Place::Local(out)
    } else {
        Place::Target(out)
    })
}

/// An entry of `/etc/ld.so.cache`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheEntry {
    pub flags: i32,
    pub name: String,
    pub path: String,
    pub hwcap: u64,
}

const OLD_MAGIC: &[u8] = b"ld.so-1.7.0";
const NEW_MAGIC: &[u8] = b"glibc-ld.so.cache1.1";

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

fn c_string(bytes: &[u8], at: usize) -> Option<String> {
    let tail = bytes.get(at..)?;
    let end = tail.iter().position(|b| *b == 0)?;
    Some(String::from_utf8_lossy(&tail[..end]).into_owned())
}

/// Parses `/etc/ld.so.cache` as glibc's loader does: a new-format cache, or an old one
/// (with a new one after its entries, the "compat" layout, which then wins). `None` for
/// anything else (the loader then searches without a cache). Little-endian only: the
/// trees gorig judges are.
pub fn parse_ld_so_cache(bytes: &[u8]) -> Option<Vec<CacheEntry>> {
    if bytes.starts_with(NEW_MAGIC) {
        return parse_new(bytes, 0);
    }
    if !bytes.starts_with(OLD_MAGIC) {
        return None;
    }
    let count = u32_at(bytes, 12)? as usize;
    let entries_end = 16usize.checked_add(count.checked_mul(12)?)?;
    let aligned = entries_end.div_ceil(8) * 8;
    if bytes
        .get(aligned..)
        .is_some_and(|tail| tail.starts_with(NEW_MAGIC))
    {
        return parse_new(bytes, aligned);
    }
    let strings = entries_end;
    let mut entries = Vec::with_capacity(count.min(1 << 16));
    for i in 0..count {
        let at = 16 + i * 12;
        let flags = u32_at(bytes, at)? as i32;
        let key = u32_at(bytes, at + 4)? as usize;
        let value = u32_at(bytes, at + 8)? as usize;
        entries.push(CacheEntry {
            flags,
            name: c_string(bytes, strings.checked_add(key)?)?,
            path: c_string(bytes, strings.checked_add(value)?)?,
            hwcap: 0,
        });
    }
    Some(entries)
}

fn parse_new(bytes: &[u8], base: usize) -> Option<Vec<CacheEntry>> {
    let count = u32_at(bytes, base + 20)? as usize;
    let endian = *bytes.get(base + 28)? & 3;
    // 2 is little-endian; 0 (unset, older writers) is taken as the host's.
    if endian == 3 || endian == 1 {
        return None;
    }
    let table = base.checked_add(48)?;
    if (bytes.len().saturating_sub(table)) / 24 < count {
        return None;
    }
    let mut entries = Vec::with_capacity(count);
    for i in 0..count {
        let at = table + i * 24;
        let flags = u32_at(bytes, at)? as i32;
        let key = u32_at(bytes, at + 4)? as usize;
        let value = u32_at(bytes, at + 8)? as usize;
        let hwcap = u64_at(bytes, at + 16)?;
        entries.push(CacheEntry {
            flags,
            name: c_string(bytes, base.checked_add(key)?)?,
            path: c_string(bytes, base.checked_add(value)?)?,
            hwcap,
        });
    }
    Some(entries)
}

/// Whether a cache entry's flags suit a program of this identity (`_dl_cache_check_flags`:
/// the x86-64 loader takes only `0x0303`, aarch64 `0x0a03`, i386 `1` or `3`, ...).
fn cache_flags_match(flags: i32, id: Identity, goarch: Option<&str>) -> bool {
    let wanted: &[i32] = match goarch {
        Some("amd64") => &[0x0303],
        Some("arm64") => &[0x0a03],
        Some("386") => &[0x0001, 0x0003],
        Some("ppc64le") | Some("ppc64") => &[0x0503],
        Some("s390x") => &[0x0403],
        Some("arm") => &[0x0903],
        Some("riscv64") => &[0x1003],
        Some("mips64le") | Some("mips64") => &[0x0703],
        _ => {
            // An architecture without a rule of its own: libc6 entries with no 64-bit
            // arch tag for 32-bit programs, any libc6 entry for 64-bit ones.
            return flags & 0xff == 3 && (id.class == 64 || flags & 0xff00 == 0);
        }
    };
    wanted.contains(&flags)
}

/// Runs the loader's search over `binary` (at `place`, whose directory is its `$ORIGIN`).
pub fn load(
    binary: &BinaryFacts,
    place: &Place,
    flavor: &Flavor,
    files: &dyn TargetFiles,
) -> LoadReport {
    let mut report = LoadReport::default();
    let id = Identity {
        class: binary.class,
        machine: binary.machine,
        big_endian: binary.big_endian,
    };
    let goarch = binary.goarch.as_deref();
    let (lib, defaults) = match flavor {
        Flavor::Glibc { multiarch, .. } => glibc_dirs(*multiarch, id, goarch),
        Flavor::Musl => (String::new(), musl_dirs(goarch, files)),
    };
    let musl = matches!(flavor, Flavor::Musl);
    let cache = if musl {
        None
    } else {
        files
            .read("/etc/ld.so.cache", 64 << 20)
            .and_then(|bytes| parse_ld_so_cache(&bytes))
    };
    let search = Search {
        lib: &lib,
        platform: platform(goarch),
        defaults: &defaults,
        cache: cache.as_deref(),
        id,
        goarch,
        musl,
        files,
    };
    let mut objects: Vec<Loaded> = vec![Loaded {
        names: Vec::new(),
        place: place.clone(),
        facts: binary.clone(),
        loader: None,
    }];
    // The loader itself is loaded first and answers to its soname (ld-linux-x86-64.so.2).
    if let Some(interp) = &binary.interpreter {
        let interp_place = Place::Target(interp.clone());
        if let Probe::Elf(facts) = files.elf(&interp_place) {
            let mut names = vec![interp.clone()];
            names.extend(facts.soname.clone());
            objects.push(Loaded {
                names,
                place: interp_place.clone(),
                facts: *facts,
                loader: Some(0),
            });
            report.libraries.push(FoundLibrary {
                name: interp.clone(),
                place: interp_place,
                found_by: FoundBy::Interpreter,
                entry: None,
            });
        }
    }
    let mut queue: VecDeque<usize> = VecDeque::from([0]);
    while let Some(index) = queue.pop_front() {
        let needed = objects[index].facts.needed.clone();
        for name in needed {
            if musl && musl_reserved(&name) {
                continue;
            }
            if objects.iter().any(|o| o.names.contains(&name)) {
                continue;
            }
            match search.find(&name, index, &objects) {
                Found::Yes(facts, place, found_by, entry) => {
                    let mut names = vec![name.clone()];
                    if let Some(soname) = &facts.soname
                        && *soname != name
                    {
                        names.push(soname.clone());
                    }
                    report.libraries.push(FoundLibrary {
                        name: name.clone(),
                        place: place.with_path(lexical(place.path())),
                        found_by,
                        entry,
                    });
                    objects.push(Loaded {
                        names,
                        place,
                        facts: *facts,
                        loader: Some(index),
                    });
                    queue.push_back(objects.len() - 1);
                }
                Found::No { other_class } => {
                    let by = needed_by(&objects, index);
                    let why = if other_class {
                        format!(
                            "wrong ELF class: ELFCLASS{}",
                            if id.class == 64 { 32 } else { 64 }
                        )
                    } else {
                        "cannot open shared object file".to_string()
                    };
                    report.problems.push(Problem {
                        blocker: true,
                        check: "library",
                        message: format!("{name}: {why} (needed by {by}; not in {})", {
                            searched(&objects, index, &defaults, musl)
                        }),
                    });
                    // The loader stops at the first library it cannot load.
                    return report;
                }
                Found::Fatal(place, why) => {
                    report.problems.push(Problem {
                        blocker: true,
                        check: "library",
                        message: format!("{}: {why} (found for {name})", place.path()),
                    });
                    return report;
                }
            }
        }
    }
    if !musl {
        check_versions(&objects, flavor, &mut report);
    }
    report
}

/// Who needs a library, for messages.
fn needed_by(objects: &[Loaded], index: usize) -> String {
    if index == 0 {
        "the program".to_string()
    } else {
        objects[index].place.path().to_string()
    }
}

/// Where the search looked, for messages.
fn searched(objects: &[Loaded], index: usize, defaults: &[String], musl: bool) -> String {
    let object = &objects[index].facts;
    let mut places = Vec::new();
    if !object.runpath.is_empty() {
        places.push(format!("RUNPATH {}", object.runpath.join(":")));
    } else if objects.iter().any(|o| !o.facts.rpath.is_empty()) {
        places.push("RPATH".to_string());
    }
    if !musl {
        places.push("ld.so.cache".into());
    }
    places.push(defaults.join(", "));
    places.join(", ")
}

enum Found {
    Yes(Box<BinaryFacts>, Place, FoundBy, Option<String>),
    No { other_class: bool },
    Fatal(Place, String),
}

/// What a candidate file is for this program.
enum Candidate {
    Fits(Box<BinaryFacts>),
    Skip { other_class: bool },
    Fatal(String),
}

fn try_candidate(place: &Place, id: Identity, files: &dyn TargetFiles) -> Candidate {
    match files.elf(place) {
        Probe::Missing => Candidate::Skip { other_class: false },
        Probe::Bad(why) => Candidate::Fatal(why),
        Probe::Elf(facts) => {
            if facts.class != id.class {
                Candidate::Skip { other_class: true }
            } else if facts.machine != id.machine || facts.big_endian != id.big_endian {
                Candidate::Skip { other_class: false }
            } else {
                Candidate::Fits(facts)
            }
        }
    }
}

/// What one program's library search depends on, the same for every library it loads.
struct Search<'a> {
    /// What `$LIB` expands to.
    lib: &'a str,
    platform: Option<&'a str>,
    /// The built-in directories (or musl's list).
    defaults: &'a [String],
    cache: Option<&'a [CacheEntry]>,
    id: Identity,
    goarch: Option<&'a str>,
    musl: bool,
    files: &'a dyn TargetFiles,
}

impl Search<'_> {
    fn expand(&self, entry: &str, origin: &Place) -> Option<Place> {
        expand(entry, origin, self.lib, self.platform)
    }

    /// Looks for `name`, needed by `objects[index]`, in the loader's order.
    fn find(&self, name: &str, index: usize, objects: &[Loaded]) -> Found {
        let object = &objects[index];
        let origin = |o: &Loaded| o.place.dir();
        let mut other_class = false;
        let mut attempt =
            |place: Place, found_by: FoundBy, entry: Option<String>| -> Option<Found> {
                match try_candidate(&place, self.id, self.files) {
                    Candidate::Fits(facts) => Some(Found::Yes(facts, place, found_by, entry)),
                    Candidate::Skip { other_class: other } => {
                        other_class |= other;
                        None
                    }
                    Candidate::Fatal(why) => Some(Found::Fatal(place, why)),
                }
            };
        if name.contains('/') {
            let place = match self.expand(name, &origin(object)) {
                Some(place) => place,
                None => return Found::No { other_class },
            };
            // A relative path is relative to the process's directory, unknown here; read
            // from the root.
            let place = if place.path().starts_with('/') {
                place
            } else {
                place.with_path(format!("/{}", place.path()))
            };
            return attempt(place, FoundBy::Path, None).unwrap_or(Found::No { other_class });
        }
        let in_dir =
            |dir: &Place| dir.with_path(format!("{}/{name}", dir.path().trim_end_matches('/')));
        // DT_RPATH of the object and of every object up the chain that loaded it, only
        // when the object has no DT_RUNPATH (musl reads either the same way, up the chain
        // too).
        if self.musl || object.facts.runpath.is_empty() {
            let mut at = Some(index);
            while let Some(i) = at {
                let o = &objects[i];
                let entries = if self.musl && !o.facts.runpath.is_empty() {
                    &o.facts.runpath
                } else {
                    &o.facts.rpath
                };
                for entry in entries {
                    if let Some(dir) = self.expand(entry, &origin(o))
                        && let Some(found) =
                            attempt(in_dir(&dir), FoundBy::Rpath, Some(entry.clone()))
                    {
                        return found;
                    }
                }
                at = o.loader;
            }
        }
        if !self.musl {
            for entry in &object.facts.runpath {
                if let Some(dir) = self.expand(entry, &origin(object))
                    && let Some(found) =
                        attempt(in_dir(&dir), FoundBy::Runpath, Some(entry.clone()))
                {
                    return found;
                }
            }
            if !object.facts.nodeflib
                && let Some(cache) = self.cache
            {
                // The first entry of this name that fits the program (hwcaps entries are
                // for CPUs that have them; the plain entry is what every CPU can load).
                if let Some(entry) = cache.iter().find(|e| {
                    e.name == name
                        && e.hwcap == 0
                        && cache_flags_match(e.flags, self.id, self.goarch)
                }) && let Some(found) =
                    attempt(Place::Target(entry.path.clone()), FoundBy::LdSoCache, None)
                {
                    return found;
                }
            }
            if object.facts.nodeflib {
                return Found::No { other_class };
            }
        }
        let found_by = if self.musl {
            FoundBy::MuslPath
        } else {
            FoundBy::DefaultPath
        };
        for dir in self.defaults {
            if let Some(found) = attempt(in_dir(&Place::Target(dir.clone())), found_by, None) {
                return found;
            }
        }
        Found::No { other_class }
    }
}

/// musl's search list: `/etc/ld-musl-ARCH.path` (entries separated by newlines or
/// colons), else `/lib:/usr/local/lib:/usr/lib`.
fn musl_dirs(goarch: Option<&str>, files: &dyn TargetFiles) -> Vec<String> {
    if let Some(arch) = musl_arch(goarch)
        && let Some(bytes) = files.read(&format!("/etc/ld-musl-{arch}.path"), 64 << 10)
    {
        let text = String::from_utf8_lossy(&bytes);
        return text
            .split(['\n', ':'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
    }
    vec!["/lib".into(), "/usr/local/lib".into(), "/usr/lib".into()]
}

/// Every symbol version a loaded object needs, against the definitions of the library
/// that must provide it (glibc's `_dl_check_all_versions`: all are reported, not only
/// the first).
fn check_versions(objects: &[Loaded], flavor: &Flavor, report: &mut LoadReport) {
    let glibc = match flavor {
        Flavor::Glibc { version, .. } => *version,
        Flavor::Musl => return,
    };
    for object in objects {
        for need in &object.facts.version_needs {
            let Some(provider) = objects.iter().find(|o| o.names.contains(&need.file)) else {
                continue;
            };
            let by = if object.loader.is_none() {
                "the program".to_string()
            } else {
                object.place.path().to_string()
            };
            if !provider.facts.defines_versions {
                // An unversioned library behind versioned needs: glibc warns "no version
                // information available", and before 2.41 its assertion in check_match
                // then stops the program; from 2.41 the symbols bind unversioned, so
                // each must be there.
                let strong = need.versions.iter().any(|v| !need.weak.contains(v));
                let missing: Vec<String> = object
                    .facts
                    .versioned_imports
                    .iter()
                    .filter(|(file, _, symbol)| {
                        *file == need.file && !provider.facts.unversioned_exports.contains(symbol)
                    })
                    .map(|(_, version, symbol)| format!("{symbol}, version {version}"))
                    .collect();
                if !missing.is_empty() {
                    report.problems.push(Problem {
                        blocker: true,
                        check: "version",
                        message: format!(
                            "{} has no symbol versions and does not define what {by} needs from it (undefined symbol: {})",
                            provider.place.path(),
                            missing.join("; ")
                        ),
                    });
                    continue;
                }
                let aborts = glibc.is_none_or(|v| v < (2, 41)) && strong;
                report.problems.push(Problem {
                    blocker: aborts,
                    check: "version",
                    message: format!(
                        "{} has no symbol versions but {by} needs {} from it{}",
                        provider.place.path(),
                        need.versions.join(", "),
                        if aborts {
                            " (glibc's loader before 2.41 stops at its check_match assertion)"
                        } else {
                            " (the loader warns \"no version information available\")"
                        }
                    ),
                });
                continue;
            }
            for version in &need.versions {
                if provider.facts.version_defs.contains(version) {
                    continue;
                }
                let weak = need.weak.contains(version);
                let highest = highest_like(&provider.facts.version_defs, version);
                report.problems.push(Problem {
                    blocker: !weak,
                    check: "version",
                    message: format!(
                        "{}version `{version}' not found in {} (required by {by}){}",
                        if weak { "weak " } else { "" },
                        provider.place.path(),
                        highest
                            .map(|h| format!("; it has up to {h}"))
                            .unwrap_or_default()
                    ),
                });
            }
        }
    }
}

/// The highest defined version with the same prefix as `wanted` (`GLIBCXX_3.4.30` for
/// `GLIBCXX_3.4.32`), for messages.
pub fn highest_like(defs: &[String], wanted: &str) -> Option<String> {
    let prefix = wanted.rsplit_once('_').map(|(p, _)| p)?;
    defs.iter()
        .filter(|d| d.rsplit_once('_').is_some_and(|(p, _)| p == prefix))
        .max_by(|a, b| version_numbers(a).cmp(&version_numbers(b)))
        .cloned()
}

/// `GLIBCXX_3.4.32` as `[3, 4, 32]`.
pub fn version_numbers(name: &str) -> Vec<u64> {
    name.rsplit_once('_')
        .map(|(_, n)| n.split('.').filter_map(|p| p.parse().ok()).collect())
        .unwrap_or_default()
}

/// `path` with `.` and `..` taken lexically, for showing (lookups keep the path as the
/// loader opens it: `..` after a link is resolved by the filesystem).
pub(crate) fn lexical(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The error a candidate that is no ELF file gives, as the loader words it.
pub fn bad_elf_reason(error: &ElfError, len: u64) -> String {
    if len < 64 {
        "file too short".to_string()
    } else {
        match error {
            ElfError::NotElf => "invalid ELF header".to_string(),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
