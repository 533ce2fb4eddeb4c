//! Hostile archives through the real binary: each is built here, published with a
//! correct digest and a good signature (as a compromised mirror and index would), and
//! gorig must still refuse it, naming the entry, with nothing published, nothing left
//! in staging and nothing written outside the store.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use gorig_test::{Entry, MirrorDir, TestContext, tar_gz};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

/// The start of an official-looking tree, so only the hostile entry is wrong.
fn base() -> Vec<Entry> {
    vec![
        Entry::dir("go/"),
        Entry::dir("go/bin/"),
        Entry::exe(
            "go/bin/go",
            "#!/bin/sh\necho go version go1.30.0 linux/amd64\n",
        ),
        Entry::file("go/VERSION", "go1.30.0\n"),
    ]
}

struct Case {
    what: &'static str,
    entries: Vec<Entry>,
    /// The entry name the error must show, and words of the reason.
    entry: &'static str,
    reason: &'static str,
}

fn cases(outside: &str) -> Vec<Case> {
    let with = |extra: Vec<Entry>| {
        let mut entries = base();
        entries.extend(extra);
        entries
    };
    vec![
        Case {
            what: "a .. path",
            entries: with(vec![Entry::file("go/../../escape", "x")]),
            entry: "go/../../escape",
            reason: "",
        },
        Case {
            what: "an absolute path",
            entries: with(vec![Entry::file(&format!("{outside}/abs"), "x")]),
            entry: "/abs",
            reason: "",
        },
        Case {
            what: "an entry outside go/",
            entries: with(vec![Entry::file("other/file", "x")]),
            entry: "other/file",
            reason: "",
        },
        Case {
            what: "a symlink leaving the tree",
            entries: with(vec![Entry::symlink("go/bin/evil", "../../../etc/passwd")]),
            entry: "go/bin/evil",
            reason: "",
        },
        Case {
            what: "an absolute symlink",
            entries: with(vec![Entry::symlink("go/lib", outside)]),
            entry: "go/lib",
            reason: "",
        },
        Case {
            what: "a file written through a planted symlink",
            entries: with(vec![
                Entry::symlink("go/pkg", "bin"),
                Entry::file("go/pkg/planted", "x"),
            ]),
            entry: "go/pkg/planted",
            reason: "",
        },
        Case {
            what: "a hard link",
            entries: with(vec![Entry::HardLink {
                name: "go/bin/link".into(),
                target: "go/bin/go".into(),
            }]),
            entry: "go/bin/link",
            reason: "hard link",
        },
        Case {
            what: "a character device",
            entries: with(vec![Entry::Device {
                name: "go/dev".into(),
                block: false,
            }]),
            entry: "go/dev",
            reason: "special file",
        },
        Case {
            what: "a block device",
            entries: with(vec![Entry::Device {
                name: "go/disk".into(),
                block: true,
            }]),
            entry: "go/disk",
            reason: "special file",
        },
        Case {
            what: "a fifo",
            entries: with(vec![Entry::Fifo {
                name: "go/pipe".into(),
            }]),
            entry: "go/pipe",
            reason: "special file",
        },
        Case {
            what: "a duplicate name",
            entries: with(vec![Entry::file("go/VERSION", "go9.9.9\n")]),
            entry: "go/VERSION",
            reason: "twice",
        },
    ]
}

#[test]
fn every_hostile_archive_is_refused_naming_the_entry_and_nothing_is_published() {
    let mut ctx = TestContext::new(BIN);
    let outside = ctx.root().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    let outside_text = outside.display().to_string();
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    let cases = cases(&outside_text);
    for (i, case) in cases.iter().enumerate() {
        let version = format!("go1.30.{i}");
        mirror.add_archives(&version, &[("amd64", &tar_gz(&case.entries))]);
    }
    let dir = mirror.path().display().to_string();
    ctx.env("GORIG_MIRROR", dir).env("GORIG_ARCH", "amd64");

    for (i, case) in cases.iter().enumerate() {
        let out = ctx.run(&["install", &format!("1.30.{i}")]);
        assert_eq!(out.code, 5, "{}: {out}", case.what);
        assert!(
            out.stderr.contains(case.entry),
            "{}: the error names the entry {}: {out}",
            case.what,
            case.entry
        );
        assert!(out.stderr.contains(case.reason), "{}: {out}", case.what);
        assert!(out.stderr.contains("not an official Go archive"), "{out}");
    }
    let published = ctx.versions_on_disk();
    assert!(published.is_empty(), "published: {published:?}");
    let staging: Vec<_> = std::fs::read_dir(ctx.gorig_home().join("staging"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(staging.is_empty(), "left in staging: {staging:?}");
    let escaped: Vec<_> = std::fs::read_dir(&outside)
        .expect("outside")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(escaped.is_empty(), "written outside: {escaped:?}");
    assert!(!ctx.root().join("escape").exists());
}

#[test]
fn special_bits_are_cleared_and_limits_are_configurable() {
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    let mut entries = base();
    entries.push(Entry::File {
        name: "go/bin/setuid".into(),
        mode: 0o6755,
        data: b"#!/bin/sh\n".to_vec(),
    });
    entries.push(Entry::Dir {
        name: "go/sticky/".into(),
        mode: 0o1777,
    });
    mirror.add_archives("go1.30.0", &[("amd64", &tar_gz(&entries))]);
    let dir = mirror.path().display().to_string();
    ctx.env("GORIG_MIRROR", dir).env("GORIG_ARCH", "amd64");

    ctx.env("GORIG_MAX_ENTRIES", "3");
    let too_many = ctx.run(&["install", "1.30.0"]);
    assert_eq!(too_many.code, 5, "{too_many}");
    assert!(
        too_many.stderr.contains("more than 3 entries"),
        "{too_many}"
    );
    assert!(too_many.stderr.contains("GORIG_MAX_ENTRIES"), "{too_many}");
    ctx.unset("GORIG_MAX_ENTRIES");

    ctx.env("GORIG_MAX_UNPACKED", "20");
    let too_big = ctx.run(&["install", "1.30.0"]);
    assert_eq!(too_big.code, 5, "{too_big}");
    assert!(too_big.stderr.contains("GORIG_MAX_UNPACKED"), "{too_big}");
    ctx.unset("GORIG_MAX_UNPACKED");

    ctx.run(&["install", "1.30.0"]).success();
    use std::os::unix::fs::PermissionsExt;
    let root = ctx.gorig_home().join("versions/go1.30.0");
    let mode = |p: &str| {
        std::fs::metadata(root.join(p))
            .expect("installed")
            .permissions()
            .mode()
            & 0o7777
    };
    assert_eq!(mode("bin/setuid") & 0o7000, 0, "setuid/setgid cleared");
    assert_eq!(mode("bin/setuid") & 0o111, 0o111, "still executable");
    assert_eq!(mode("sticky") & 0o7000, 0, "sticky cleared");
}
