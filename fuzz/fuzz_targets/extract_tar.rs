//! Fuzzes the tar extractor with raw tar bytes: it may refuse, but it must never write
//! outside the destination, leave a symlink that points out of it, or keep a
//! setuid/setgid/sticky bit.
#![no_main]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path};

use gorig_fetch::{ExtractLimits, extract_tar};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(parent) = tempfile::tempdir() else {
        return;
    };
    let dest = parent.path().join("staging");
    fs::create_dir(&dest).expect("create staging");
    fs::write(parent.path().join("canary"), b"untouched").expect("write canary");
    let limits = ExtractLimits { max_entries: 200, max_unpacked_bytes: 1 << 20 };
    let writers = usize::from(data.first().is_some_and(|b| b & 1 == 1));
    let _ = extract_tar(data, &dest, &limits, writers);

    let mut outside: Vec<_> = fs::read_dir(parent.path())
        .expect("list parent")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    outside.sort();
    assert_eq!(outside, ["canary", "staging"], "something was written beside staging");
    assert_eq!(fs::read(parent.path().join("canary")).expect("canary"), b"untouched");
    check_tree(&dest, &dest);
});

fn check_tree(root: &Path, dir: &Path) {
    for entry in fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        let meta = fs::symlink_metadata(&path).expect("stat");
        assert_eq!(meta.permissions().mode() & 0o7000, 0, "special bits kept on {path:?}");
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&path).expect("readlink");
            assert!(target.is_relative(), "absolute link {path:?} -> {target:?}");
            let mut depth = path.parent().expect("parent").strip_prefix(root).expect("inside").components().count() as i64;
            for part in target.components() {
                match part {
                    Component::ParentDir => depth -= 1,
                    Component::Normal(_) => depth += 1,
                    _ => {}
                }
                assert!(depth >= 0, "link {path:?} -> {target:?} leaves the tree");
            }
        } else if meta.is_dir() {
            check_tree(root, &path);
        }
    }
}
