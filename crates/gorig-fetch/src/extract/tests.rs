use super::*;
use gorig_test::{Entry, tar_gz};
use std::os::unix::fs::MetadataExt;

fn unpack(entries: &[Entry]) -> (tempfile::TempDir, Result<ExtractStats, ExtractError>) {
    unpack_with(entries, &ExtractLimits::default(), 2)
}

fn unpack_with(
    entries: &[Entry],
    limits: &ExtractLimits,
    writers: usize,
) -> (tempfile::TempDir, Result<ExtractStats, ExtractError>) {
    let bytes = tar_gz(entries);
    let dir = tempfile::tempdir().expect("tempdir");
    let result = extract_tar(
        flate2::read::GzDecoder::new(&bytes[..]),
        dir.path(),
        limits,
        writers,
    );
    (dir, result)
}

#[track_caller]
fn refused(entries: &[Entry], name: &str, reason: &str) {
    let (_dir, result) = unpack(entries);
    match result {
        Err(ExtractError::Refused { name: n, reason: r }) => {
            assert_eq!(n, name);
            assert!(r.contains(reason), "reason `{r}` lacks `{reason}`");
        }
        other => panic!("expected a refusal of {name}, got {other:?}"),
    }
}

#[test]
fn unpacks_files_dirs_and_links_without_the_go_prefix() {
    let big: Vec<u8> = (0..(3 * CHUNK + 17)).map(|i| (i % 251) as u8).collect();
    for writers in [0, 1, 3] {
        let (dir, result) = unpack_with(
            &[
                Entry::dir("go/"),
                Entry::dir("go/bin/"),
                Entry::exe("go/bin/go", "#!/bin/sh\n"),
                Entry::file("go/VERSION", "go1.22.5\n"),
                Entry::file("go/pkg/tool/linux_amd64/compile", big.clone()),
                Entry::symlink("go/lib/alias", "../VERSION"),
                Entry::Dir {
                    name: "go/private/".into(),
                    mode: 0o700,
                },
            ],
            &ExtractLimits::default(),
            writers,
        );
        let stats = result.expect("unpacks");
        let root = dir.path();
        assert_eq!(stats.files, 3);
        assert_eq!(stats.dirs, 2);
        assert_eq!(stats.symlinks, 1);
        assert_eq!(
            std::fs::read(root.join("VERSION")).expect("VERSION"),
            b"go1.22.5\n"
        );
        assert_eq!(
            std::fs::read(root.join("pkg/tool/linux_amd64/compile")).expect("compile"),
            big
        );
        assert_eq!(
            std::fs::read(root.join("lib/alias")).expect("through the link"),
            b"go1.22.5\n"
        );
        let mode = std::fs::metadata(root.join("bin/go")).expect("go").mode() & 0o7777;
        assert_eq!(mode, 0o755);
        let mode = std::fs::metadata(root.join("private")).expect("dir").mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert!(!root.join("go").exists());
    }
}

#[test]
fn setuid_setgid_and_sticky_bits_are_dropped() {
    let (dir, result) = unpack(&[Entry::File {
        name: "go/bin/go".into(),
        mode: 0o7755,
        data: b"x".to_vec(),
    }]);
    result.expect("unpacks");
    let mode = std::fs::metadata(dir.path().join("bin/go"))
        .expect("go")
        .mode()
        & 0o7777;
    assert_eq!(mode, 0o755);
}

#[test]
fn refuses_names_outside_go() {
    refused(&[Entry::file("go/../evil", "x")], "go/../evil", "`..`");
    refused(&[Entry::file("/etc/evil", "x")], "/etc/evil", "absolute");
    refused(&[Entry::file("other/file", "x")], "other/file", "under go/");
    refused(&[Entry::file("go/./x", "x")], "go/./x", "`.`");
    refused(&[Entry::file("go//x", "x")], "go//x", "empty");
    refused(&[Entry::file("gopher/x", "x")], "gopher/x", "under go/");
}

#[test]
fn refuses_links_that_leave_the_tree() {
    refused(
        &[Entry::symlink("go/escape", "../../etc")],
        "go/escape",
        "leaves the go/ tree",
    );
    refused(
        &[Entry::symlink("go/abs", "/etc/passwd")],
        "go/abs",
        "absolute",
    );
    refused(
        &[Entry::symlink("go/a/b/c", "../../../x")],
        "go/a/b/c",
        "leaves",
    );
    // Exactly at the top of the tree is fine.
    let (_dir, result) = unpack(&[
        Entry::file("go/VERSION", "v"),
        Entry::symlink("go/a/b/c", "../../VERSION"),
    ]);
    result.expect("a link to the tree's top level is inside");
}

#[test]
fn refuses_links_that_leave_through_other_links() {
    // Each target stays inside by counting `..`; resolved through the other links, it
    // leaves. The order of the entries does not matter.
    let chain = [
        Entry::file("go/VERSION", "v"),
        Entry::symlink("go/current", "."),
        Entry::symlink("go/parent", "current/.."),
    ];
    refused(&chain, "go/parent", "resolves outside");
    let reversed = [
        Entry::file("go/VERSION", "v"),
        Entry::symlink("go/parent", "current/.."),
        Entry::symlink("go/current", "."),
    ];
    refused(&reversed, "go/parent", "resolves outside");
    // A deep chain: every link goes one directory down and climbs two, so each counts as
    // inside, and the last one reaches the filesystem's root.
    let mut deep = vec![Entry::file("go/VERSION", "v")];
    let mut name = String::from("go");
    for i in 0..12 {
        name.push_str(&format!("/d{i}"));
        deep.push(Entry::dir(&format!("{name}/")));
    }
    deep.push(Entry::symlink("go/d0/d1/up", "../.."));
    deep.push(Entry::symlink("go/d0/d1/d2/x", "../up/../up"));
    refused(&deep, "go/d0/d1/d2/x", "resolves outside");
    // Links that loop are refused once they pass the kernel's limit: when the second
    // one arrives and closes the loop.
    refused(
        &[
            Entry::file("go/VERSION", "v"),
            Entry::symlink("go/a", "b"),
            Entry::symlink("go/b", "a"),
        ],
        "go/b",
        "more than 40 links",
    );
    // Links through links that stay inside are fine.
    let (_dir, result) = unpack(&[
        Entry::file("go/lib/VERSION", "v"),
        Entry::symlink("go/current", "lib"),
        Entry::symlink("go/alias", "current/../lib/VERSION"),
        Entry::symlink("go/lib/self", "../current/VERSION"),
    ]);
    result.expect("links resolving inside are kept");
}

#[test]
fn refuses_writing_through_a_planted_link() {
    let (dir, result) = unpack(&[Entry::symlink("go/bin", "."), Entry::file("go/bin/go", "x")]);
    match result {
        Err(ExtractError::Refused { name, reason }) => {
            assert_eq!(name, "go/bin/go");
            assert!(reason.contains("beneath go/bin"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!dir.path().join("go").exists());
}

#[test]
fn refuses_entries_beneath_a_file() {
    refused(
        &[
            Entry::file("go/bin", "a file"),
            Entry::file("go/bin/go", "x"),
        ],
        "go/bin/go",
        "beneath go/bin, a file",
    );
    refused(
        &[Entry::file("go/a/b", "x"), Entry::file("go/a", "clash")],
        "go/a",
        "a directory of the archive already has this name",
    );
    // A directory entry after the files it holds is fine.
    let (_dir, result) = unpack(&[Entry::file("go/bin/go", "x"), Entry::dir("go/bin/")]);
    result.expect("a late directory entry");
}

#[test]
fn refuses_duplicates_hard_links_and_special_files() {
    refused(
        &[Entry::file("go/x", "1"), Entry::file("go/x", "2")],
        "go/x",
        "appears twice",
    );
    refused(
        &[
            Entry::file("go/x", "1"),
            Entry::HardLink {
                name: "go/y".into(),
                target: "go/x".into(),
            },
        ],
        "go/y",
        "hard links",
    );
    refused(
        &[Entry::Fifo {
            name: "go/pipe".into(),
        }],
        "go/pipe",
        "special file",
    );
}

#[test]
fn enforces_entry_and_size_limits() {
    let entries: Vec<Entry> = (0..20)
        .map(|i| Entry::file(&format!("go/f{i}"), "x"))
        .collect();
    let limits = ExtractLimits {
        max_entries: 10,
        max_unpacked_bytes: 1 << 30,
    };
    let (_dir, result) = unpack_with(&entries, &limits, 2);
    assert!(matches!(
        result,
        Err(ExtractError::TooManyEntries { limit: 10 })
    ));
    let limits = ExtractLimits {
        max_entries: 100,
        max_unpacked_bytes: 1000,
    };
    let (_dir, result) = unpack_with(&[Entry::file("go/big", vec![0u8; 2000])], &limits, 2);
    assert!(matches!(
        result,
        Err(ExtractError::TooLarge { limit: 1000 })
    ));
}

#[test]
fn an_archive_without_files_is_refused() {
    let (_dir, result) = unpack(&[Entry::dir("go/")]);
    assert!(matches!(result, Err(ExtractError::Empty)));
}

#[test]
fn corrupt_streams_are_reported_as_corrupt() {
    let mut bytes = tar_gz(&[Entry::file("go/x", vec![7u8; 100_000])]);
    let middle = bytes.len() / 2;
    bytes.truncate(middle);
    let dir = tempfile::tempdir().expect("tempdir");
    let result = extract_tar(
        flate2::read::GzDecoder::new(&bytes[..]),
        dir.path(),
        &ExtractLimits::default(),
        2,
    );
    assert!(
        matches!(result, Err(ExtractError::Corrupt { .. })),
        "{result:?}"
    );
}

#[test]
fn a_write_failure_names_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("bin"), b"a file where a directory must go").expect("write");
    let bytes = tar_gz(&[Entry::file("go/bin/go", "x")]);
    let result = extract_tar(
        flate2::read::GzDecoder::new(&bytes[..]),
        dir.path(),
        &ExtractLimits::default(),
        2,
    );
    match result {
        Err(ExtractError::Write { path, .. }) => assert!(path.ends_with("bin"), "{path:?}"),
        other => panic!("expected a write error, got {other:?}"),
    }
}

#[test]
fn relative_names_are_checked_component_by_component() {
    assert_eq!(relative_name("go/").ok(), Some(None));
    assert_eq!(relative_name("go").ok(), Some(None));
    assert_eq!(
        relative_name("go/src/fmt/").ok(),
        Some(Some(PathBuf::from("src/fmt")))
    );
    assert!(relative_name("go/a/../b").is_err());
}

#[test]
fn a_huge_long_name_record_is_refused_before_it_is_buffered() {
    // A GNU long-name header claiming 3 GiB, then a little data: the tar parser would
    // try to read it all into memory.
    let mut header = [0u8; 512];
    header[..13].copy_from_slice(b"././@LongLink");
    header[100..108].copy_from_slice(b"0000644\0");
    header[124] = 0x80;
    header[128..136].copy_from_slice(&(3u64 << 30).to_be_bytes());
    header[156] = b'L';
    header[257..263].copy_from_slice(b"ustar ");
    header[263..265].copy_from_slice(b" \0");
    header[148..156].copy_from_slice(b"        ");
    let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut stream = header.to_vec();
    stream.extend_from_slice(&vec![b'a'; 4 << 20]);
    let dir = tempfile::tempdir().expect("tempdir");
    let result = extract_tar(&stream[..], dir.path(), &ExtractLimits::default(), 0);
    match result {
        Err(ExtractError::Refused { name, reason }) => {
            assert!(reason.contains("long names or PAX records"), "{reason}");
            assert_eq!(name, "entry 1, the first");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
