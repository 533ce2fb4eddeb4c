//! `gorig doctor` against host trees of seven kinds of machine (`--root`), snapshots of
//! its human and JSON output, `--fix`, selection flags, exit codes, and the live host
//! compared with what this test reads itself.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used)] // a test that cannot read its own fixtures should stop there

use std::path::Path;

mod hosts;

use gorig_test::{HostTree, TestContext, assert_snapshot};
use hosts::{alpine, amazon2023, centos7, container, debian12, rocky9, ubuntu24};
use serde_json::Value;

fn context() -> TestContext {
    TestContext::new(env!("CARGO_BIN_EXE_gorig"))
}

fn snapshots() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/doctor")
}

/// Replaces the paths that differ between runs.
fn normalise(text: &str, tree: &HostTree, ctx: &TestContext) -> String {
    text.replace(
        &tree.path().canonicalize().unwrap().display().to_string(),
        "[ROOT]",
    )
    .replace(&ctx.root().display().to_string(), "[TEST]")
}

fn doctor(ctx: &TestContext, tree: &HostTree, extra: &[&str]) -> gorig_test::Output {
    let mut args = vec!["doctor", "--root"];
    let root = tree.path().display().to_string();
    args.push(&root);
    args.extend_from_slice(extra);
    ctx.run(&args)
}

fn finding<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id} in {report:#}"))
}

fn severity(report: &Value, id: &str) -> String {
    finding(report, id)["severity"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Runs the doctor on a tree: snapshot of the human and JSON output, the exit code
/// matching the worst severity, and the JSON for the test's own assertions.
fn examine(name: &str, tree: &HostTree) -> Value {
    let ctx = context();
    let human = doctor(&ctx, tree, &[]);
    let json = doctor(&ctx, tree, &["--json"]);
    let report: Value =
        serde_json::from_str(&json.stdout).unwrap_or_else(|e| panic!("{e}: {json}"));
    let expected_code = match report["worst"].as_str().unwrap() {
        "fail" => 9,
        "warn" => 8,
        _ => 0,
    };
    assert_eq!(human.code, expected_code, "{human}");
    assert_eq!(json.code, expected_code, "{json}");
    assert_eq!(report["schema_version"], 2);
    assert_snapshot(
        &snapshots().join(format!("{name}.txt")),
        &normalise(&human.stdout, tree, &ctx),
    );
    let pretty = serde_json::to_string_pretty(&report).unwrap() + "\n";
    assert_snapshot(
        &snapshots().join(format!("{name}.json")),
        &normalise(&pretty, tree, &ctx),
    );
    report
}

#[test]
fn ubuntu_24_04_with_cgroup_v2_and_systemd_resolved() {
    let report = examine("ubuntu24", &ubuntu24());
    assert_eq!(report["host"]["os"]["family"], "debian");
    assert_eq!(report["host"]["os"]["id"], "ubuntu");
    assert_eq!(report["host"]["os"]["version_id"], "24.04");
    assert_eq!(
        report["host"]["os"]["id_like"],
        serde_json::json!(["debian"])
    );
    assert_eq!(
        report["host"]["libc"],
        serde_json::json!({"kind": "glibc", "version": "2.39"})
    );
    assert_eq!(report["host"]["cgroup"]["version"], "v2");
    assert_eq!(report["host"]["cpu"]["level"], "x86-64-v3");
    assert_eq!(report["host"]["cpu"]["goamd64"], "v3");
    assert_eq!(report["host"]["cpu"]["arch"], "amd64");
    assert_eq!(report["host"]["cpu"]["count"], 8);
    // nss-resolve makes cgo and pure-Go binaries resolve differently.
    assert_eq!(severity(&report, "GORIG-DNS-001"), "warn");
    assert_eq!(severity(&report, "GORIG-DNS-004"), "ok");
    // Under --root the mount is read, write access is not.
    assert_eq!(severity(&report, "GORIG-BUILD-003"), "info");
    assert_eq!(severity(&report, "GORIG-RT-004"), "ok");
    let pids = finding(&report, "GORIG-RT-004");
    assert!(
        pids["evidence"][0]["source"]
            .as_str()
            .unwrap()
            .ends_with("user-1000.slice/pids.max"),
        "{pids}"
    );
}

#[test]
fn debian_12_on_a_hybrid_cgroup_host() {
    let report = examine("debian12", &debian12());
    assert_eq!(
        report["host"]["os"]["pretty_name"],
        "Debian GNU/Linux 12 (bookworm)"
    );
    assert_eq!(report["host"]["os"]["id"], "debian");
    assert_eq!(report["host"]["os"]["version_id"], "12");
    assert_eq!(report["host"]["cgroup"]["version"], "hybrid");
    assert_eq!(report["host"]["cgroup"]["cpu_quota"], 2.0);
    assert_eq!(report["host"]["libc"]["version"], "2.36");
    // CPUQuota=200% on 4 CPUs, no Go 1.25 selected: throttled.
    let cpu = finding(&report, "GORIG-RT-002");
    assert_eq!(cpu["severity"], "warn", "{cpu}");
    assert!(
        cpu["fix"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["text"] == "GOMAXPROCS=2"),
        "{cpu}"
    );
    assert_eq!(severity(&report, "GORIG-NET-004"), "warn");
    let recycle = finding(&report, "GORIG-NET-004");
    assert_eq!(
        recycle["evidence"][0]["source"],
        "/etc/sysctl.d/99-tuning.conf:2"
    );
    assert_eq!(
        severity(&report, "GORIG-RT-003"),
        "ok",
        "v1 'unlimited' is no limit"
    );
}

#[test]
fn rocky_9_with_selinux_enforcing_and_noexec_tmp() {
    let report = examine("rocky9", &rocky9());
    assert_eq!(report["host"]["os"]["family"], "rhel");
    assert_eq!(report["host"]["os"]["id"], "rocky");
    assert_eq!(report["host"]["libc"]["version"], "2.34");
    assert_eq!(report["worst"], "fail");
    assert_eq!(severity(&report, "GORIG-BUILD-003"), "fail");
    let tmp = finding(&report, "GORIG-BUILD-003");
    assert!(
        tmp["fix"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "env" && f["text"].as_str().unwrap().starts_with("GOTMPDIR="))
    );
    let se = finding(&report, "GORIG-SEC-001");
    assert_eq!(se["severity"], "info");
    assert!(se["title"].as_str().unwrap().contains("enforcing"));
    let booleans = finding(&report, "GORIG-SEC-002");
    assert!(
        booleans["title"]
            .as_str()
            .unwrap()
            .contains("httpd_can_network_connect is off"),
        "{booleans}"
    );
    assert_eq!(
        severity(&report, "GORIG-DNS-001"),
        "info",
        "myhostname only"
    );
}

#[test]
fn centos_7_with_glibc_2_17_and_kernel_3_10() {
    let report = examine("centos7", &centos7());
    assert_eq!(report["host"]["libc"]["version"], "2.17");
    assert_eq!(report["host"]["cgroup"]["version"], "v1");
    assert_eq!(report["host"]["cpu"]["level"], "x86-64-v2");
    let kernel = finding(&report, "GORIG-OS-002");
    assert_eq!(
        kernel["severity"], "info",
        "3.10 runs Go 1.24+ but has no getrandom: {kernel}"
    );
    for (id, wanted) in [
        ("GORIG-NET-002", "warn"),
        ("GORIG-NET-003", "warn"),
        ("GORIG-LIM-001", "warn"),
        ("GORIG-LIM-002", "ok"),
        ("GORIG-LIM-003", "warn"),
        ("GORIG-LIM-006", "info"),
        ("GORIG-DNS-002", "warn"),
        ("GORIG-BUILD-002", "warn"),
        ("GORIG-RT-002", "ok"),
    ] {
        assert_eq!(
            severity(&report, id),
            wanted,
            "{id}: {:#}",
            finding(&report, id)
        );
    }
    let dns = finding(&report, "GORIG-DNS-002");
    assert!(dns["title"].as_str().unwrap().contains("75 s"), "{dns}");
}

#[test]
fn alpine_with_musl_in_kubernetes() {
    let report = examine("alpine", &alpine());
    assert_eq!(
        report["host"]["libc"],
        serde_json::json!({"kind": "musl", "version": "1.2.5"})
    );
    assert_eq!(report["host"]["os"]["family"], "alpine");
    assert_eq!(severity(&report, "GORIG-OS-003"), "info");
    let cc = finding(&report, "GORIG-BUILD-001");
    assert_eq!(cc["severity"], "warn");
    assert!(
        cc["fix"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("apk add"),
        "{cc}"
    );
    assert_eq!(severity(&report, "GORIG-DNS-003"), "warn");
    assert_eq!(severity(&report, "GORIG-BUILD-002"), "warn");
}

#[test]
fn amazon_linux_2023_on_arm64() {
    let report = examine("amazon2023", &amazon2023());
    assert_eq!(report["host"]["os"]["family"], "amazon");
    assert_eq!(report["host"]["cpu"]["arch"], "arm64");
    assert_eq!(report["host"]["cpu"]["level"], "armv8.1");
    assert_eq!(report["host"]["cpu"]["goarm64"], "v8.1");
    assert_eq!(report["host"]["cpu"]["lse"], true);
    let cc = finding(&report, "GORIG-BUILD-001");
    assert!(
        cc["fix"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("dnf install"),
        "{cc}"
    );
    assert_eq!(severity(&report, "GORIG-LIM-001"), "ok");
}

#[test]
fn container_with_cpu_and_memory_limits() {
    let tree = container();
    let report = examine("container", &tree);
    assert_eq!(
        report["host"]["cgroup"],
        serde_json::json!({"version": "v2", "cpu_quota": 1.5, "memory_max": 536870912, "pids_max": 1024})
    );
    let cpu = finding(&report, "GORIG-RT-002");
    assert_eq!(cpu["severity"], "warn");
    assert!(cpu["title"].as_str().unwrap().contains("1.50"), "{cpu}");
    assert_eq!(cpu["evidence"][0]["source"], "/sys/fs/cgroup/cpu.max");
    assert_eq!(cpu["evidence"][0]["value"], "150000 100000");
    let mem = finding(&report, "GORIG-RT-003");
    assert_eq!(mem["severity"], "warn");
    assert_eq!(mem["fix"][0]["text"], "GOMEMLIMIT=460MiB");
    assert_eq!(severity(&report, "GORIG-RT-004"), "warn");

    // The fixes, followed: GOMEMLIMIT and GOMAXPROCS set.
    let mut ctx = context();
    ctx.env("GOMEMLIMIT", "460MiB").env("GOMAXPROCS", "1");
    let out = doctor(&ctx, &tree, &["--json", "--only", "runtime"]);
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(severity(&report, "GORIG-RT-002"), "ok", "{out}");
    assert_eq!(severity(&report, "GORIG-RT-003"), "ok", "{out}");
    // Too high a GOMEMLIMIT is a failure.
    ctx.env("GOMEMLIMIT", "1GiB");
    let out = doctor(&ctx, &tree, &["--json", "--only", "runtime"]);
    assert_eq!(out.code, 9, "{out}");
}

#[test]
fn selection_flags_and_bad_input() {
    let tree = centos7();
    let ctx = context();
    let out = doctor(
        &ctx,
        &tree,
        &["--json", "--only", "network,dns", "--skip", "GORIG-NET-003"],
    );
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.iter()
            .all(|id| id.starts_with("GORIG-NET-") || id.starts_with("GORIG-DNS-")),
        "{ids:?}"
    );
    assert!(!ids.contains(&"GORIG-NET-003"));
    assert_eq!(ids.len(), 7);

    let bad = doctor(&ctx, &tree, &["--only", "netwrk"]);
    assert_eq!(bad.code, 2, "{bad}");
    assert!(
        bad.stderr.contains("no such group") && bad.stderr.contains("network"),
        "{bad}"
    );
    let bad = doctor(&ctx, &tree, &["--skip", "GORIG-NOPE-1"]);
    assert_eq!(bad.code, 2, "{bad}");
    assert!(bad.stderr.contains("gorig doctor --list"), "{bad}");
    let missing = ctx.run(&["doctor", "--root", "/nonexistent/tree"]);
    assert_eq!(missing.code, 2, "{missing}");
    assert!(missing.stderr.contains("not a directory"), "{missing}");

    let list = ctx.run(&["doctor", "--list", "--json"]);
    let checks = list.json()["checks"].as_array().unwrap().len();
    assert!(checks >= 30, "{list}");
}

#[test]
fn fix_plans_then_writes_drop_ins_idempotently_with_backups() {
    let tree = centos7().file(
        "/etc/security/limits.d/90-gorig.conf",
        "# hand-written\n* soft nofile 2048\n",
    );
    let ctx = context();
    let sysctl = tree.path().join("etc/sysctl.d/90-gorig.conf");
    let limits = tree.path().join("etc/security/limits.d/90-gorig.conf");

    let plan = doctor(&ctx, &tree, &["--fix"]);
    assert!(
        plan.stdout.contains("would be written (add --yes)"),
        "{plan}"
    );
    assert!(plan.stdout.contains("net.core.somaxconn = 4096"), "{plan}");
    assert!(plan.stdout.contains("* - nofile 1048576"), "{plan}");
    assert!(!sysctl.exists(), "the plan writes nothing");

    let applied = doctor(&ctx, &tree, &["--fix", "--yes", "--json"]);
    let report: Value = serde_json::from_str(&applied.stdout).unwrap();
    let files = report["fix"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{report:#}");
    let written = std::fs::read_to_string(&sysctl).unwrap();
    for line in [
        "net.core.somaxconn = 4096",
        "kernel.pid_max = 4194304",
        "net.ipv4.tcp_tw_reuse = 1",
    ] {
        assert!(written.contains(line), "{written}");
    }
    assert!(
        written.starts_with("# Written by `gorig doctor --fix`"),
        "{written}"
    );
    // gorig's line replaces the hand-written one for the same key (the later line would
    // win otherwise); the comment stays.
    let limits_text = std::fs::read_to_string(&limits).unwrap();
    assert!(
        limits_text.contains("* - nofile 1048576") && limits_text.contains("# hand-written"),
        "{limits_text}"
    );
    assert!(!limits_text.contains("* soft nofile 2048"), "{limits_text}");
    // The hand-written file was backed up before it was changed.
    let backup = files.iter().find(|f| f["foreign"] == true).unwrap()["backup"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        std::fs::read_to_string(&backup).unwrap(),
        "# hand-written\n* soft nofile 2048\n"
    );

    let again = doctor(&ctx, &tree, &["--fix", "--yes"]);
    assert_eq!(
        again.stdout.matches("already up to date").count(),
        2,
        "{again}"
    );
    assert_eq!(
        std::fs::read_to_string(&sysctl).unwrap(),
        written,
        "a second run changes nothing"
    );
    let backups = std::fs::read_dir(tree.path().join("etc/security/limits.d"))
        .unwrap()
        .count();
    assert_eq!(backups, 2, "one file and one backup");

    // --reload would change this host, never a tree's: refused before anything is
    // written, whether or not the run would write.
    let reload = doctor(&ctx, &tree, &["--fix", "--yes", "--reload"]);
    assert_eq!(reload.code, 2, "{reload}");
    assert!(
        reload.stderr.contains("cannot be used with --root"),
        "{reload}"
    );
    let fresh = centos7();
    let refused = doctor(&ctx, &fresh, &["--fix", "--yes", "--reload"]);
    assert_eq!(refused.code, 2, "{refused}");
    assert!(
        refused.stderr.contains("cannot be used with --root"),
        "{refused}"
    );
    assert!(
        !fresh.path().join("etc/sysctl.d/90-gorig.conf").exists(),
        "a refused run writes nothing"
    );
}

/// Reads what the doctor should report about the machine the tests run on.
fn own_cgroup_path() -> String {
    let text = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let cpu_line = lines.iter().find(|l| {
        let parts: Vec<&str> = l.splitn(3, ':').collect();
        parts.len() == 3 && parts[1].split(',').any(|c| c == "cpu")
    });
    let line = cpu_line
        .or_else(|| lines.iter().find(|l| l.starts_with("0::")))
        .unwrap();
    line.splitn(3, ':').nth(2).unwrap().to_string()
}

#[test]
fn live_host_matches_what_the_test_reads() {
    let ctx = context();
    let out = ctx.run(&["doctor", "--json"]);
    assert!([0, 8, 9].contains(&out.code), "{out}");
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };

    assert_eq!(report["host"]["root"], "/");
    assert_eq!(
        report["host"]["kernel"].as_str().unwrap(),
        read("/proc/sys/kernel/osrelease")
    );
    let cgroup = finding(&report, "GORIG-RT-001");
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let v2_at_root = mountinfo
        .lines()
        .any(|l| l.contains(" /sys/fs/cgroup ") && l.contains(" - cgroup2 "));
    let any_v1 = mountinfo.lines().any(|l| l.contains(" - cgroup "));
    let expected_version = match (v2_at_root, any_v1, mountinfo.contains(" - cgroup2 ")) {
        (true, _, _) => "v2",
        (false, true, true) => "hybrid",
        (false, true, false) => "v1",
        _ => "none",
    };
    assert_eq!(
        report["host"]["cgroup"]["version"], expected_version,
        "{cgroup}"
    );
    if expected_version != "none" {
        assert_eq!(
            cgroup["evidence"][0]["value"].as_str().unwrap(),
            own_cgroup_path(),
            "{cgroup}"
        );
    }

    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let nofile_line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let fields: Vec<&str> = nofile_line[26..].split_whitespace().collect();
    let nofile = finding(&report, "GORIG-LIM-001");
    assert_eq!(
        nofile["evidence"][0]["value"].as_str().unwrap(),
        format!("soft {} hard {}", fields[0], fields[1]),
        "the child inherits this process's limits"
    );
    for (id, file) in [
        ("GORIG-NET-002", "/proc/sys/net/core/somaxconn"),
        ("GORIG-LIM-003", "/proc/sys/kernel/pid_max"),
        ("GORIG-NET-001", "/proc/sys/net/ipv4/ip_local_port_range"),
        ("GORIG-NET-003", "/proc/sys/net/ipv4/tcp_tw_reuse"),
    ] {
        let f = finding(&report, id);
        assert_eq!(f["evidence"][0]["source"], file, "{f}");
        assert_eq!(
            f["evidence"][0]["value"].as_str().unwrap(),
            read(file),
            "{f}"
        );
    }
    let nproc = std::process::Command::new("nproc").output().unwrap();
    let cpus: u64 = String::from_utf8_lossy(&nproc.stdout)
        .trim()
        .parse()
        .unwrap();
    assert_eq!(report["host"]["cpu"]["count"], cpus);
    // Free space is measured only on the live host.
    let disk = finding(&report, "GORIG-BUILD-004");
    assert_ne!(disk["severity"], "info", "{disk}");
    assert!(
        disk["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["source"].as_str().unwrap().contains("statvfs")),
        "{disk}"
    );
}

#[test]
fn a_tree_without_cgroups_or_mounts_is_not_checked_rather_than_ok() {
    let ctx = context();
    let tree = gorig_test::HostTree::new().distro("debian12");
    let out = doctor(&ctx, &tree, &["--json"]);
    let report: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out}"));
    for id in [
        "GORIG-RT-002",
        "GORIG-RT-003",
        "GORIG-RT-004",
        "GORIG-BUILD-003",
    ] {
        let f = finding(&report, id);
        assert_eq!(f["severity"], "info", "{f}");
        assert!(f["title"].as_str().unwrap().contains("not checked"), "{f}");
    }
}
