//! `gorig tune` judged by the kernel's own tool: on host trees (Debian's defaults, a
//! tuned host, a container) the plan raises only what is below its target, `--yes`
//! writes drop-ins that `sysctl --dry-run -p` accepts with exit 0 and nothing on stderr,
//! a second run changes nothing (mtimes kept), a file gorig did not write is backed up,
//! inside a container only network keys are written and the rest are named for the
//! host, and no router or runtime key (`ip_forward`) ever appears.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::process::Command;

use gorig_test::{HostTree, TestContext};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

/// A host with Debian 12's defaults.
fn debian() -> HostTree {
    HostTree::new()
        .distro("debian12")
        .sysctl("net.ipv4.ip_local_port_range", "32768\t60999")
        .sysctl("net.ipv4.tcp_tw_reuse", "2")
        .sysctl("net.core.somaxconn", "4096")
        .sysctl("net.ipv4.tcp_max_syn_backlog", "512")
        .sysctl("fs.file-max", "9223372036854775807")
        .sysctl("fs.nr_open", "1048576")
        .sysctl("kernel.pid_max", "32768")
        .sysctl("kernel.threads-max", "63340")
        .sysctl("fs.inotify.max_user_watches", "8192")
        .sysctl("fs.inotify.max_user_instances", "128")
}

fn tune(ctx: &TestContext, tree: &HostTree, args: &[&str]) -> serde_json::Value {
    let root = tree.path().display().to_string();
    let mut all = vec!["tune", "--root", root.as_str(), "--json"];
    all.extend_from_slice(args);
    let out = ctx.run(&all);
    out.success();
    out.json()
}

fn sysctl_dry_run(file: &std::path::Path) {
    let out = Command::new("sysctl")
        .arg("--dry-run")
        .arg("-p")
        .arg(file)
        .output()
        .expect("sysctl runs (apt-get install procps)");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "sysctl --dry-run -p {}: {}\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(file).unwrap_or_default()
    );
}

#[test]
fn every_profile_writes_what_sysctl_accepts_and_a_second_run_changes_nothing() {
    let ctx = TestContext::new(BIN);
    for (profile, qps) in [
        ("service", None),
        ("service", Some("800")),
        ("ci", None),
        ("build", None),
    ] {
        let tree = debian();
        let mut args = vec!["--profile", profile, "--yes"];
        if let Some(qps) = qps {
            args.extend(["--qps", qps]);
        }
        let first = tune(&ctx, &tree, &args);
        let sysctl = tree.path().join("etc/sysctl.d/90-gorig.conf");
        let limits = tree.path().join("etc/security/limits.d/90-gorig.conf");
        assert!(sysctl.is_file() && limits.is_file(), "{first}");
        sysctl_dry_run(&sysctl);
        let text = std::fs::read_to_string(&sysctl).unwrap_or_default();
        assert!(!text.contains("ip_forward"), "{text}");
        // Raised only where below: Debian's somaxconn and file-max are high enough.
        assert!(!text.contains("net.core.somaxconn"), "{text}");
        assert!(!text.contains("fs.file-max"), "{text}");
        if profile == "build" {
            assert!(!text.contains("net."), "{text}");
        } else {
            assert!(text.contains("net.ipv4.tcp_tw_reuse = 1"), "{text}");
        }
        if qps == Some("800") {
            assert!(
                text.contains("net.ipv4.ip_local_port_range = 5001 65000"),
                "{text}"
            );
        }
        let mtime = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let before = (mtime(&sysctl), mtime(&limits));
        std::thread::sleep(std::time::Duration::from_millis(20));
        let second = tune(&ctx, &tree, &args);
        for file in second["files"].as_array().expect("files") {
            assert_eq!(file["changed"], false, "{profile}: {file}");
            assert_eq!(file["written"], false, "{profile}: {file}");
        }
        assert_eq!(
            (mtime(&sysctl), mtime(&limits)),
            before,
            "{profile}: nothing rewritten"
        );
    }
}

#[test]
fn the_plan_writes_nothing_and_a_foreign_file_is_kept() {
    let ctx = TestContext::new(BIN);
    let tree = debian().file("/etc/sysctl.d/90-gorig.conf", "vm.swappiness = 10\n");
    let plan = tune(&ctx, &tree, &[]);
    let file = &plan["files"][0];
    assert_eq!(
        (
            file["changed"].clone(),
            file["written"].clone(),
            file["foreign"].clone()
        ),
        (true.into(), false.into(), true.into()),
        "{plan}"
    );
    assert_eq!(
        std::fs::read_to_string(tree.path().join("etc/sysctl.d/90-gorig.conf")).unwrap_or_default(),
        "vm.swappiness = 10\n"
    );
    let applied = tune(&ctx, &tree, &["--yes"]);
    let backup = applied["files"][0]["backup"]
        .as_str()
        .expect("a copy of the foreign file");
    assert_eq!(
        std::fs::read_to_string(backup).unwrap_or_default(),
        "vm.swappiness = 10\n"
    );
    let merged =
        std::fs::read_to_string(tree.path().join("etc/sysctl.d/90-gorig.conf")).unwrap_or_default();
    assert!(
        merged.contains("vm.swappiness = 10"),
        "the user's line is kept: {merged}"
    );
    sysctl_dry_run(&tree.path().join("etc/sysctl.d/90-gorig.conf"));
    // Human plan: the current values beside the new ones.
    let root = tree.path().display().to_string();
    let out = ctx.run(&["tune", "--root", &root, "--profile", "ci"]);
    out.success();
    assert!(
        out.stdout
            .contains("fs.inotify.max_user_watches = 524288  (now 8192)"),
        "{out}"
    );
}

#[test]
fn inside_a_container_only_network_keys_are_written() {
    let ctx = TestContext::new(BIN);
    let tree = debian().file("/.dockerenv", "");
    let report = tune(&ctx, &tree, &["--profile", "ci", "--yes"]);
    assert_eq!(report["container"], true);
    let text =
        std::fs::read_to_string(tree.path().join("etc/sysctl.d/90-gorig.conf")).unwrap_or_default();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        assert!(line.starts_with("net."), "{line}\n{text}");
    }
    let left = report["left_to_host"].to_string();
    assert!(
        left.contains("kernel.pid_max = 4194304") && left.contains("fs.inotify.max_user_watches"),
        "{report}"
    );
    assert!(
        report["notes"].to_string().contains("to the host's kernel"),
        "{report}"
    );
}
