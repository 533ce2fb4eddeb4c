use super::*;

fn tree() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn an_atomic_write_replaces_the_whole_file_and_leaves_no_temporary() {
    let dir = tree();
    let path = dir.path().join("a/b/file");
    write_atomic(&path, b"one").expect("write");
    write_atomic_mode(&path, b"two", 0o600).expect("write");
    assert_eq!(fs::read(&path).expect("read"), b"two");
    assert_eq!(
        fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    let names: Vec<_> = fs::read_dir(path.parent().expect("parent"))
        .expect("list")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("file")]);
}

#[test]
fn a_write_that_fails_changes_nothing() {
    let dir = tree();
    let path = dir.path().join("file");
    write_atomic(&path, b"kept").expect("write");
    // A directory where the temporary would go makes the write fail before the rename.
    let blocked = dir.path().join("sub");
    fs::create_dir(&blocked).expect("mkdir");
    fs::create_dir(blocked.join("file")).expect("a directory in the way");
    assert!(write_atomic(&blocked.join("file"), b"new").is_err());
    assert_eq!(fs::read(&path).expect("read"), b"kept");
}

#[test]
fn stamps_are_utc() {
    assert_eq!(utc_stamp(UNIX_EPOCH), "19700101T000000Z");
    let at = UNIX_EPOCH + std::time::Duration::from_secs(1_796_128_601);
    assert_eq!(utc_stamp(at), "20261201T123641Z");
    assert_eq!(
        backup_path(Path::new("/etc/profile.d/gorig.sh"), at),
        PathBuf::from("/etc/profile.d/gorig.sh.gorig-backup-20261201T123641Z")
    );
}

#[test]
fn a_managed_file_keeps_a_copy_of_what_someone_else_wrote() {
    let dir = tree();
    let path = dir.path().join("gorig.sh");
    let how = Managed {
        marker: Some("# gorig"),
        now: UNIX_EPOCH,
        ..Managed::default()
    };
    let first = write_managed(&path, b"# gorig\nA\n", &how).expect("write");
    assert_eq!(
        first,
        Written {
            changed: true,
            backup: None
        }
    );
    assert_eq!(
        write_managed(&path, b"# gorig\nA\n", &how).expect("same"),
        Written::default(),
        "unchanged content is not rewritten"
    );
    assert_eq!(
        write_managed(&path, b"# gorig\nB\n", &how)
            .expect("ours")
            .backup,
        None
    );
    fs::write(&path, "user's own\n").expect("user writes");
    let backup = write_managed(&path, b"# gorig\nC\n", &how)
        .expect("foreign")
        .backup
        .expect("a foreign file is copied first");
    assert_eq!(backup, backup_path(&path, UNIX_EPOCH));
    assert_eq!(fs::read_to_string(&backup).expect("backup"), "user's own\n");
    fs::write(&path, "user's second\n").expect("user writes again");
    let second = write_managed(&path, b"# gorig\nD\n", &how)
        .expect("foreign again")
        .backup
        .expect("copied");
    assert_ne!(second, backup, "an older backup is never replaced");
    assert_eq!(fs::read_to_string(&backup).expect("first"), "user's own\n");
    assert_eq!(
        fs::read_to_string(&second).expect("second"),
        "user's second\n"
    );
}

#[test]
fn without_a_marker_every_different_file_is_copied() {
    let dir = tree();
    let path = dir.path().join(".go-version");
    fs::write(&path, "1.21\n").expect("write");
    let written = write_managed(&path, b"1.22\n", &Managed::default()).expect("write");
    assert!(written.changed);
    let backup = written.backup.expect("backup");
    assert_eq!(fs::read_to_string(backup).expect("read"), "1.21\n");
}

#[test]
fn links_are_swapped_in_one_step_and_real_directories_refused() {
    let dir = tree();
    let link = dir.path().join("current");
    replace_symlink(Path::new("versions/a"), &link).expect("create");
    replace_symlink(Path::new("versions/b"), &link).expect("replace");
    assert_eq!(
        fs::read_link(&link).expect("link"),
        PathBuf::from("versions/b")
    );
    let real = dir.path().join("real");
    fs::create_dir(&real).expect("mkdir");
    assert!(matches!(
        replace_symlink(Path::new("x"), &real),
        Err(FsError::RealDirectory { .. })
    ));
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .filter(|e| is_temporary_name(&e.file_name()))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn exchange_swaps_two_trees() {
    let dir = tree();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    fs::create_dir(&a).expect("a");
    fs::create_dir(&b).expect("b");
    fs::write(a.join("which"), "a").expect("a");
    fs::write(b.join("which"), "b").expect("b");
    if exchange(&a, &b).expect("swap") {
        assert_eq!(fs::read_to_string(a.join("which")).expect("a"), "b");
        assert_eq!(fs::read_to_string(b.join("which")).expect("b"), "a");
    }
    assert!(rename_noreplace(&a, &b).is_err(), "the target exists");
    let c = dir.path().join("c");
    rename_noreplace(&a, &c).expect("free name");
    assert!(c.join("which").is_file() && !a.exists());
}

#[test]
fn read_only_trees_are_removed() {
    let dir = tree();
    let top = dir.path().join("top");
    fs::create_dir_all(top.join("ro/deep")).expect("mkdir");
    fs::write(top.join("ro/deep/f"), "x").expect("write");
    fs::set_permissions(top.join("ro"), fs::Permissions::from_mode(0o555)).expect("chmod");
    sync_tree(&top).expect("sync");
    remove_tree(&top).expect("remove");
    assert!(!top.exists());
    remove_tree(&top).expect("a missing tree is fine");
    for n in 0..40 {
        fs::create_dir_all(top.join(format!("d{n}/e"))).expect("mkdir");
        fs::write(top.join(format!("d{n}/e/f")), "x").expect("write");
        fs::write(top.join(format!("f{n}")), "x").expect("write");
    }
    fs::set_permissions(top.join("d3"), fs::Permissions::from_mode(0o555)).expect("chmod");
    remove_tree_parallel(&top).expect("parallel");
    assert!(!top.exists());
}
