use std::collections::HashMap;

use super::*;
use crate::{FileKind, LibcKind, VersionNeed};

/// A tree in memory: paths to ELF facts, or to bytes that are no ELF file.
#[derive(Default)]
struct Tree {
    elves: HashMap<Place, BinaryFacts>,
    bytes: HashMap<String, Vec<u8>>,
}

impl Tree {
    fn lib(mut self, path: &str, facts: BinaryFacts) -> Self {
        self.elves.insert(Place::Target(path.into()), facts);
        self
    }

    fn local(mut self, path: &str, facts: BinaryFacts) -> Self {
        self.elves.insert(Place::Local(path.into()), facts);
        self
    }

    fn file(mut self, path: &str, bytes: &[u8]) -> Self {
        self.bytes.insert(path.into(), bytes.to_vec());
        self
    }
}

/// Paths as the loader opens them, with `..` taken lexically (the fake has no links).
fn normal(path: &str) -> String {
    lexical(path)
}

impl TargetFiles for Tree {
    fn exists(&self, path: &str) -> bool {
        self.elves.contains_key(&Place::Target(normal(path))) || self.bytes.contains_key(path)
    }

    fn read(&self, path: &str, _limit: usize) -> Option<Vec<u8>> {
        self.bytes.get(path).cloned()
    }

    fn elf(&self, place: &Place) -> Probe {
        let normalised = place.with_path(normal(place.path()));
        if let Some(facts) = self.elves.get(&normalised) {
            return Probe::Elf(Box::new(facts.clone()));
        }
        match self.bytes.get(normalised.path()) {
            Some(bytes) => Probe::Bad(bad_elf_reason(&ElfError::NotElf, bytes.len() as u64)),
            None => Probe::Missing,
        }
    }
}

fn facts(class: u8, machine: u16, goarch: &str) -> BinaryFacts {
    BinaryFacts {
        class,
        big_endian: false,
        machine,
        machine_name: String::new(),
        goarch: Some(goarch.into()),
        kind: FileKind::SharedLibrary,
        interpreter: None,
        needed: Vec::new(),
        runpath: Vec::new(),
        rpath: Vec::new(),
        soname: None,
        nodeflib: false,
        libc: LibcKind::Glibc,
        version_needs: Vec::new(),
        version_defs: Vec::new(),
        defines_versions: true,
        versioned_imports: Vec::new(),
        unversioned_exports: Vec::new(),
        calls_getaddrinfo: false,
        go: None,
        go_uses: None,
    }
}

fn amd64() -> BinaryFacts {
    facts(64, 62, "amd64")
}

fn i386() -> BinaryFacts {
    facts(32, 3, "386")
}

fn arm64() -> BinaryFacts {
    facts(64, 183, "arm64")
}

fn library(mut base: BinaryFacts, soname: &str, defs: &[&str]) -> BinaryFacts {
    base.soname = Some(soname.into());
    base.version_defs = defs.iter().map(|d| d.to_string()).collect();
    base
}

fn program(needed: &[&str]) -> BinaryFacts {
    let mut p = amd64();
    p.kind = FileKind::Pie;
    p.interpreter = Some("/lib64/ld-linux-x86-64.so.2".into());
    p.needed = needed.iter().map(|n| n.to_string()).collect();
    p
}

fn need(file: &str, versions: &[&str], weak: &[&str]) -> VersionNeed {
    VersionNeed {
        file: file.into(),
        versions: versions.iter().map(|v| v.to_string()).collect(),
        weak: weak.iter().map(|v| v.to_string()).collect(),
    }
}

/// A Debian amd64 base: the loader and libc in /lib/x86_64-linux-gnu.
fn debian() -> Tree {
    Tree::default()
        .lib(
            "/lib64/ld-linux-x86-64.so.2",
            library(
                amd64(),
                "ld-linux-x86-64.so.2",
                &["GLIBC_2.2.5", "GLIBC_2.3"],
            ),
        )
        .lib(
            "/lib/x86_64-linux-gnu/libc.so.6",
            library(
                amd64(),
                "libc.so.6",
                &["GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_2.36"],
            ),
        )
}

const GLIBC: Flavor = Flavor::Glibc {
    multiarch: true,
    version: Some((2, 36)),
};

fn run(tree: &Tree, binary: &BinaryFacts, at: &str) -> LoadReport {
    load(binary, &Place::Target(at.into()), &GLIBC, tree)
}

fn found(report: &LoadReport, name: &str) -> Option<(String, FoundBy)> {
    report
        .libraries
        .iter()
        .find(|l| l.name == name)
        .map(|l| (l.place.path().to_string(), l.found_by))
}

fn blockers(report: &LoadReport) -> Vec<String> {
    report
        .problems
        .iter()
        .filter(|p| p.blocker)
        .map(|p| p.message.clone())
        .collect()
}

#[test]
fn origin_runpath_rpath_and_lib_tokens_are_expanded() {
    let tree = debian()
        .lib(
            "/opt/app/lib/libfoo.so.1",
            library(amd64(), "libfoo.so.1", &[]),
        )
        .lib(
            "/opt/app/lib/x86_64-linux-gnu/libbar.so.1",
            library(amd64(), "libbar.so.1", &[]),
        );
    for (runpath, rpath) in [
        (vec!["$ORIGIN/../lib"], vec![]),
        (vec![], vec!["$ORIGIN/../lib"]),
        (vec!["${ORIGIN}/../lib"], vec![]),
        (vec!["/nowhere", "$ORIGIN/../lib"], vec![]),
    ] {
        let mut p = program(&["libfoo.so.1", "libc.so.6"]);
        p.runpath = runpath.iter().map(|s| s.to_string()).collect();
        p.rpath = rpath.iter().map(|s| s.to_string()).collect();
        let report = run(&tree, &p, "/opt/app/bin/app");
        assert_eq!(
            blockers(&report),
            Vec::<String>::new(),
            "{runpath:?} {rpath:?}"
        );
        let (path, by) = found(&report, "libfoo.so.1").expect("found");
        assert_eq!(normal(&path), "/opt/app/lib/libfoo.so.1");
        assert_eq!(
            by,
            if rpath.is_empty() {
                FoundBy::Runpath
            } else {
                FoundBy::Rpath
            }
        );
        assert_eq!(
            found(&report, "libc.so.6").map(|f| f.1),
            Some(FoundBy::DefaultPath)
        );
    }
    let mut p = program(&["libbar.so.1"]);
    p.runpath = vec!["$ORIGIN/../$LIB".into()];
    assert!(blockers(&run(&tree, &p, "/opt/app/bin/app")).is_empty());
    // Without the binary in the tree, $ORIGIN is wherever it is on this machine.
    let local = Tree::default().local(
        "/home/u/app/lib/libfoo.so.1",
        library(amd64(), "libfoo.so.1", &[]),
    );
    let mut p = program(&["libfoo.so.1"]);
    p.interpreter = None;
    p.runpath = vec!["$ORIGIN/../lib".into()];
    let report = load(
        &p,
        &Place::Local("/home/u/app/bin/app".into()),
        &GLIBC,
        &local,
    );
    assert!(blockers(&report).is_empty(), "{:?}", report.problems);
}

#[test]
fn runpath_serves_only_the_objects_own_needs_and_disables_rpath() {
    let tree = debian()
        .lib(
            "/opt/app/lib/libfoo.so.1",
            library(amd64(), "libfoo.so.1", &[]),
        )
        .lib("/opt/app/lib/libbar.so.1", {
            let mut bar = library(amd64(), "libbar.so.1", &[]);
            bar.needed = vec!["libfoo.so.1".into()];
            bar
        });
    // The executable's RPATH serves libbar's needs too.
    let mut p = program(&["libbar.so.1"]);
    p.rpath = vec!["$ORIGIN/../lib".into()];
    assert!(blockers(&run(&tree, &p, "/opt/app/bin/app")).is_empty());
    // Its RUNPATH does not.
    let mut p = program(&["libbar.so.1"]);
    p.runpath = vec!["$ORIGIN/../lib".into()];
    let report = run(&tree, &p, "/opt/app/bin/app");
    let b = blockers(&report);
    assert_eq!(b.len(), 1, "{b:?}");
    assert!(
        b[0].starts_with("libfoo.so.1: cannot open shared object file"),
        "{b:?}"
    );
    // A RUNPATH on libbar turns every RPATH off for libbar's needs.
    let tree = tree.lib("/opt/app/lib/libbar.so.1", {
        let mut bar = library(amd64(), "libbar.so.1", &[]);
        bar.needed = vec!["libfoo.so.1".into()];
        bar.runpath = vec!["/nonexistent".into()];
        bar
    });
    let mut p = program(&["libbar.so.1"]);
    p.rpath = vec!["$ORIGIN/../lib".into()];
    assert_eq!(blockers(&run(&tree, &p, "/opt/app/bin/app")).len(), 1);
}

/// A new-format ld.so.cache with `entries` (flags, soname, path).
fn new_cache(entries: &[(i32, &str, &str)]) -> Vec<u8> {
    let mut strings = Vec::new();
    let header = 48 + 24 * entries.len();
    let mut table = Vec::new();
    for (flags, name, path) in entries {
        let key = header + strings.len();
        strings.extend_from_slice(name.as_bytes());
        strings.push(0);
        let value = header + strings.len();
        strings.extend_from_slice(path.as_bytes());
        strings.push(0);
        table.extend_from_slice(&flags.to_le_bytes());
        table.extend_from_slice(&(key as u32).to_le_bytes());
        table.extend_from_slice(&(value as u32).to_le_bytes());
        table.extend_from_slice(&0u32.to_le_bytes());
        table.extend_from_slice(&0u64.to_le_bytes());
    }
    let mut out = NEW_MAGIC.to_vec();
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    out.extend_from_slice(&(strings.len() as u32).to_le_bytes());
    out.extend_from_slice(&[2, 0, 0, 0]);
    out.extend_from_slice(&[0u8; 16]);
    out.extend(table);
    out.extend(strings);
    out
}

/// An old-format cache, optionally with a new one after its entries (compat).
fn old_cache(entries: &[(i32, &str, &str)], compat: bool) -> Vec<u8> {
    let mut strings = Vec::new();
    let mut table = Vec::new();
    let entries_end = 16 + 12 * entries.len();
    let new = if compat {
        new_cache(entries)
    } else {
        Vec::new()
    };
    let aligned = entries_end.div_ceil(8) * 8;
    let pad = aligned - entries_end;
    // Old offsets count from the end of the entries; the strings follow the new cache.
    let base = pad + new.len();
    for (flags, name, path) in entries {
        let key = base + strings.len();
        strings.extend_from_slice(name.as_bytes());
        strings.push(0);
        let value = base + strings.len();
        strings.extend_from_slice(path.as_bytes());
        strings.push(0);
        table.extend_from_slice(&flags.to_le_bytes());
        table.extend_from_slice(&(key as u32).to_le_bytes());
        table.extend_from_slice(&(value as u32).to_le_bytes());
    }
    let mut out = OLD_MAGIC.to_vec();
    out.push(0);
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    out.extend(table);
    out.extend(std::iter::repeat_n(0u8, pad));
    out.extend(new);
    out.extend(strings);
    out
}

#[test]
fn the_cache_is_read_in_every_format_and_matched_to_the_programs_class() {
    let entries = [
        (0x0003, "libfoo.so.1", "/usr/local/lib/i386/libfoo.so.1"),
        (0x0303, "libfoo.so.1", "/usr/local/lib/libfoo.so.1"),
        (0x0303, "libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"),
    ];
    for bytes in [
        new_cache(&entries),
        old_cache(&entries, false),
        old_cache(&entries, true),
    ] {
        let parsed = parse_ld_so_cache(&bytes).expect("a cache");
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[1].path, "/usr/local/lib/libfoo.so.1");
        let tree = debian()
            .lib(
                "/usr/local/lib/libfoo.so.1",
                library(amd64(), "libfoo.so.1", &[]),
            )
            .file("/etc/ld.so.cache", &bytes);
        let report = run(&tree, &program(&["libfoo.so.1"]), "/usr/bin/app");
        assert_eq!(
            found(&report, "libfoo.so.1"),
            Some(("/usr/local/lib/libfoo.so.1".into(), FoundBy::LdSoCache))
        );
    }
    assert_eq!(parse_ld_so_cache(b"garbage"), None);
    assert_eq!(parse_ld_so_cache(&new_cache(&entries)[..60]), None);
    // A library in /usr/local/lib that ldconfig has not seen is not found.
    let tree = debian().lib(
        "/usr/local/lib/libfoo.so.1",
        library(amd64(), "libfoo.so.1", &[]),
    );
    let report = run(&tree, &program(&["libfoo.so.1"]), "/usr/bin/app");
    assert_eq!(blockers(&report).len(), 1);
}

#[test]
fn files_of_another_class_or_machine_are_passed_over() {
    let tree = Tree::default()
        .lib(
            "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
            library(i386(), "libfoo.so.1", &[]),
        )
        .lib("/usr/lib/libfoo.so.1", library(amd64(), "libfoo.so.1", &[]));
    let mut p = program(&["libfoo.so.1"]);
    p.interpreter = None;
    assert!(blockers(&run(&tree, &p, "/usr/bin/app")).is_empty());
    let tree = Tree::default().lib(
        "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
        library(i386(), "libfoo.so.1", &[]),
    );
    let b = blockers(&run(&tree, &p, "/usr/bin/app"));
    assert!(
        b[0].starts_with("libfoo.so.1: wrong ELF class: ELFCLASS32"),
        "{b:?}"
    );
    let tree = Tree::default().lib(
        "/usr/lib/x86_64-linux-gnu/libfoo.so.1",
        library(arm64(), "libfoo.so.1", &[]),
    );
    let b = blockers(&run(&tree, &p, "/usr/bin/app"));
    assert!(
        b[0].starts_with("libfoo.so.1: cannot open shared object file"),
        "{b:?}"
    );
    // Something that is no ELF file stops the search.
    let tree = Tree::default()
        .file("/lib/x86_64-linux-gnu/libfoo.so.1", &[b'x'; 100])
        .lib("/usr/lib/libfoo.so.1", library(amd64(), "libfoo.so.1", &[]));
    let b = blockers(&run(&tree, &p, "/usr/bin/app"));
    assert_eq!(
        b,
        vec!["/lib/x86_64-linux-gnu/libfoo.so.1: invalid ELF header (found for libfoo.so.1)"]
    );
}

#[test]
fn every_needed_version_is_looked_up_in_the_providers_definitions() {
    let tree = debian()
        .lib(
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            library(
                amd64(),
                "libstdc++.so.6",
                &["GLIBCXX_3.4", "GLIBCXX_3.4.30"],
            ),
        )
        .lib("/usr/lib/x86_64-linux-gnu/libfoo.so.1", {
            let mut foo = library(amd64(), "libfoo.so.1", &[]);
            foo.defines_versions = false;
            foo
        });
    let mut p = program(&["libstdc++.so.6", "libc.so.6"]);
    p.version_needs = vec![
        need("libstdc++.so.6", &["GLIBCXX_3.4", "GLIBCXX_3.4.32"], &[]),
        need("libc.so.6", &["GLIBC_2.34", "GLIBC_2.38"], &["GLIBC_2.38"]),
    ];
    let report = run(&tree, &p, "/usr/bin/app");
    let b = blockers(&report);
    assert_eq!(b.len(), 1, "{b:?}");
    assert!(b[0].contains("version `GLIBCXX_3.4.32' not found"), "{b:?}");
    assert!(b[0].contains("it has up to GLIBCXX_3.4.30"), "{b:?}");
    let warnings: Vec<&Problem> = report.problems.iter().filter(|p| !p.blocker).collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.starts_with("weak version `GLIBC_2.38'"));
    // An unversioned library behind a versioned need stops glibc before 2.41.
    let mut p = program(&["libfoo.so.1"]);
    p.version_needs = vec![need("libfoo.so.1", &["FOO_1"], &[])];
    assert_eq!(blockers(&run(&tree, &p, "/usr/bin/app")).len(), 1);
    let newer = Flavor::Glibc {
        multiarch: true,
        version: Some((2, 41)),
    };
    let report = load(&p, &Place::Target("/usr/bin/app".into()), &newer, &tree);
    assert!(blockers(&report).is_empty());
    assert_eq!(report.problems.len(), 1);
    // ... as long as it defines every symbol bound to it.
    p.versioned_imports = vec![("libfoo.so.1".into(), "FOO_1".into(), "foo2".into())];
    let report = load(&p, &Place::Target("/usr/bin/app".into()), &newer, &tree);
    let b = blockers(&report);
    assert!(
        b.len() == 1 && b[0].contains("undefined symbol: foo2, version FOO_1"),
        "{b:?}"
    );
}

#[test]
fn musl_reads_its_path_file_and_answers_its_own_names() {
    let mut p = facts(64, 62, "amd64");
    p.kind = FileKind::Pie;
    p.libc = LibcKind::Musl;
    p.interpreter = Some("/lib/ld-musl-x86_64.so.1".into());
    p.needed = vec!["libc.so".into(), "libfoo.so.1".into()];
    let tree = Tree::default()
        .lib(
            "/lib/ld-musl-x86_64.so.1",
            library(amd64(), "libc.musl-x86_64.so.1", &[]),
        )
        .lib("/opt/lib/libfoo.so.1", library(amd64(), "libfoo.so.1", &[]));
    let report = load(
        &p,
        &Place::Target("/usr/bin/app".into()),
        &Flavor::Musl,
        &tree,
    );
    assert_eq!(blockers(&report).len(), 1, "not on musl's default path");
    let tree = tree.file("/etc/ld-musl-x86_64.path", b"/lib\n/opt/lib:/usr/lib\n");
    let report = load(
        &p,
        &Place::Target("/usr/bin/app".into()),
        &Flavor::Musl,
        &tree,
    );
    assert!(blockers(&report).is_empty(), "{:?}", report.problems);
    assert_eq!(
        found(&report, "libfoo.so.1").map(|f| f.1),
        Some(FoundBy::MuslPath)
    );
}

#[test]
fn tokens_expand_as_the_loader_expands_them() {
    let origin = Place::Target("/opt/app/bin".into());
    let e = |s: &str| {
        expand(s, &origin, "lib/x86_64-linux-gnu", Some("x86_64")).map(|p| p.path().to_string())
    };
    assert_eq!(e("$ORIGIN/../lib").as_deref(), Some("/opt/app/bin/../lib"));
    assert_eq!(e("${ORIGIN}/x").as_deref(), Some("/opt/app/bin/x"));
    assert_eq!(e("/usr/$LIB").as_deref(), Some("/usr/lib/x86_64-linux-gnu"));
    assert_eq!(e("/p/$PLATFORM").as_deref(), Some("/p/x86_64"));
    assert_eq!(e("/p/$ORIGINX").as_deref(), Some("/p/$ORIGINX"));
    assert_eq!(e("/p/${ORIGIN").as_deref(), None);
}
