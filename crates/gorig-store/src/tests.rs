use super::*;

fn v(s: &str) -> GoVersion {
    s.parse().expect("version")
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::new(dir.path().join("home"));
    (dir, store)
}

fn no_wait(_: &LockHolder) {
    panic!("nobody else holds the lock in this test");
}

/// Installs a minimal toolchain tree for `version` the way an install does.
fn install(store: &Store, version: &str) {
    let version = v(version);
    let vlock = store
        .lock_version(&version, &mut no_wait)
        .expect("version lock");
    let staging = store.begin_staging(&version, &vlock).expect("staging");
    fs::create_dir_all(staging.join("bin")).expect("bin");
    fs::write(staging.join("bin/go"), version.to_string()).expect("go");
    let sealed = store.seal(&staging).expect("seal");
    let lock = store.lock(&mut no_wait).expect("lock");
    store.publish(&version, sealed, &lock).expect("publish");
}

#[test]
fn publishing_defaults_and_rollback_links() {
    let (_dir, store) = store();
    assert_eq!(store.installed().expect("list"), []);
    install(&store, "go1.22.5");
    install(&store, "go1.21.13");
    assert_eq!(
        store.installed().expect("list"),
        [v("go1.21.13"), v("go1.22.5")]
    );
    assert_eq!(store.default_version(), None);
    let lock = store.lock(&mut no_wait).expect("lock");
    store.set_default(&v("go1.21.13"), &lock).expect("use");
    store.set_default(&v("go1.22.5"), &lock).expect("use");
    assert_eq!(store.default_version(), Some(v("go1.22.5")));
    assert_eq!(store.previous_version(), Some(v("go1.21.13")));
    assert_eq!(
        fs::read_to_string(store.current_link().join("bin/go")).expect("through current"),
        "go1.22.5"
    );
    // The link is relative, so a moved store keeps working.
    assert_eq!(
        fs::read_link(store.current_link()).expect("link"),
        PathBuf::from("versions/go1.22.5")
    );
    assert!(matches!(
        store.set_default(&v("go1.20"), &lock),
        Err(StoreError::NotInstalled(_))
    ));
}

#[test]
fn removal_never_leaves_a_half_version_listed() {
    let (_dir, store) = store();
    install(&store, "go1.22.5");
    let lock = store.lock(&mut no_wait).expect("lock");
    store.set_default(&v("go1.22.5"), &lock).expect("use");
    store.remove(&v("go1.22.5"), &lock).expect("remove");
    assert_eq!(store.installed().expect("list"), []);
    assert_eq!(
        store.default_version(),
        None,
        "a dangling current is no default"
    );
    assert!(matches!(
        store.remove(&v("go1.22.5"), &lock),
        Err(StoreError::NotInstalled(_))
    ));
}

#[test]
fn read_only_trees_can_be_removed() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, store) = store();
    install(&store, "go1.22.5");
    let dir = store.version_dir(&v("go1.22.5")).join("src/locked");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(dir.join("f"), "x").expect("write");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).expect("chmod");
    let lock = store.lock(&mut no_wait).expect("lock");
    store.remove(&v("go1.22.5"), &lock).expect("remove");
    assert!(!store.version_dir(&v("go1.22.5")).exists());
}

#[test]
fn sweep_removes_abandoned_staging_but_not_live_installs() {
    let (_dir, store) = store();
    store.ensure().expect("ensure");
    let abandoned = store.staging_dir().join("go1.21.13");
    fs::create_dir_all(abandoned.join("bin")).expect("abandoned");
    fs::create_dir_all(store.staging_dir().join(".trash-go1.20-77")).expect("trash");
    let live_version = v("go1.22.5");
    let live_lock = store
        .lock_version(&live_version, &mut no_wait)
        .expect("live lock");
    let live = store
        .begin_staging(&live_version, &live_lock)
        .expect("live staging");
    let lock = store.lock(&mut no_wait).expect("lock");
    let mut removed = store.sweep(&lock).expect("sweep");
    removed.sort();
    assert_eq!(removed, [".trash-go1.20-77", "go1.21.13"]);
    assert!(live.is_dir(), "a staging dir whose install is alive stays");
}

#[test]
fn staging_starts_empty_after_an_interrupted_install() {
    let (_dir, store) = store();
    let version = v("go1.22.5");
    let vlock = store.lock_version(&version, &mut no_wait).expect("lock");
    let staging = store.begin_staging(&version, &vlock).expect("staging");
    fs::write(staging.join("half"), "x").expect("write");
    let again = store
        .begin_staging(&version, &vlock)
        .expect("staging again");
    assert_eq!(fs::read_dir(again).expect("read").count(), 0);
}

#[test]
fn publish_replaces_a_stray_directory_instead_of_merging() {
    let (_dir, store) = store();
    store.ensure().expect("ensure");
    let stray = store.version_dir(&v("go1.22.5"));
    fs::create_dir_all(stray.join("junk")).expect("stray");
    install(&store, "go1.22.5");
    assert!(!stray.join("junk").exists());
    assert!(stray.join("bin/go").is_file());
}

#[test]
fn a_reinstall_swaps_the_new_tree_in_while_the_default_keeps_resolving() {
    let (_dir, store) = store();
    install(&store, "go1.22.5");
    let version = v("go1.22.5");
    {
        let lock = store.lock(&mut no_wait).expect("lock");
        store.set_default(&version, &lock).expect("default");
    }
    let vlock = store.lock_version(&version, &mut no_wait).expect("vlock");
    let staging = store.begin_staging(&version, &vlock).expect("staging");
    fs::create_dir_all(staging.join("bin")).expect("bin");
    fs::write(staging.join("bin/go"), "new").expect("go");
    fs::write(staging.join("NEW"), "").expect("marker");
    let sealed = store.seal(&staging).expect("seal");
    let lock = store.lock(&mut no_wait).expect("lock");
    assert!(
        store.publish(&version, sealed, &lock).expect("publish"),
        "it replaced a tree"
    );
    assert_eq!(
        fs::read_to_string(store.current_link().join("bin/go")).expect("the default resolves"),
        "new"
    );
    assert!(!staging.exists(), "the old tree is gone");
    assert_eq!(store.default_version(), Some(version));
}
