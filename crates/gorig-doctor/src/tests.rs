use std::collections::BTreeMap;
use std::path::Path;

use gorig_host::{HostFacts, HostRoot, ProbeRequest};

use super::*;

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path.trim_start_matches('/'));
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    dir
}

fn facts(dir: &Path) -> HostFacts {
    HostFacts::probe(&HostRoot::new(dir), &ProbeRequest::default())
}

fn finding<'a>(findings: &'a [Finding], id: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn toolchain(version: &str) -> ToolchainFacts {
    let version: GoVersion = version.parse().expect("version");
    ToolchainFacts {
        probed: true,
        installed: vec![version.clone()],
        selected: Some(SelectedToolchain {
            version,
            reason: "default".into(),
            installed: true,
            goroot: None,
        }),
        ..ToolchainFacts::default()
    }
}

const CONTAINER: &[(&str, &str)] = &[
    ("/proc/self/cgroup", "0::/\n"),
    (
        "/proc/self/mountinfo",
        "25 22 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
    ),
    ("/sys/fs/cgroup/cpu.max", "150000 100000\n"),
    ("/sys/fs/cgroup/memory.max", "536870912\n"),
    (
        "/proc/cpuinfo",
        "processor\t: 0\nprocessor\t: 1\nprocessor\t: 2\nprocessor\t: 3\n",
    ),
];

#[test]
fn cpu_quota_depends_on_the_go_version() {
    let dir = tree(CONTAINER);
    let host = facts(dir.path());
    let env = BTreeMap::new();
    for (version, severity, needle) in [
        ("1.24.5", Severity::Warn, "GOMAXPROCS=4"),
        ("1.25.0", Severity::Ok, "GOMAXPROCS=2"),
    ] {
        let tc = toolchain(version);
        let ctx = Context {
            host: &host,
            toolchain: &tc,
            env: &env,
        };
        let findings = run(&ctx, &Selection::default());
        let cpu = finding(&findings, "GORIG-RT-002");
        assert_eq!(cpu.severity, severity, "{version}: {cpu:?}");
        assert!(cpu.title.contains(needle), "{version}: {}", cpu.title);
    }
    let tc = toolchain("1.25.3");
    let env = BTreeMap::from([(
        "GODEBUG".to_string(),
        "http2client=0,containermaxprocs=0".to_string(),
    )]);
    let ctx = Context {
        host: &host,
        toolchain: &tc,
        env: &env,
    };
    let cpu = finding(&run(&ctx, &Selection::default()), "GORIG-RT-002").clone();
    assert_eq!(cpu.severity, Severity::Warn, "{cpu:?}");
    assert!(cpu.title.contains("containermaxprocs=0"), "{}", cpu.title);
}

#[test]
fn memory_limit_wants_gomemlimit_below_it() {
    let dir = tree(CONTAINER);
    let host = facts(dir.path());
    let tc = toolchain("1.25.0");
    for (value, severity) in [
        (None, Severity::Warn),
        (Some("460MiB"), Severity::Ok),
        (Some("1GiB"), Severity::Fail),
        (Some("lots"), Severity::Fail),
    ] {
        let mut env = BTreeMap::new();
        if let Some(v) = value {
            env.insert("GOMEMLIMIT".to_string(), v.to_string());
        }
        let ctx = Context {
            host: &host,
            toolchain: &tc,
            env: &env,
        };
        let findings = run(&ctx, &Selection::default());
        let mem = finding(&findings, "GORIG-RT-003");
        assert_eq!(mem.severity, severity, "{value:?}: {mem:?}");
        if value.is_none() {
            assert_eq!(mem.fix[0].text, "GOMEMLIMIT=460MiB");
        }
    }
}

#[test]
fn selection_filters_groups_and_ids() {
    let dir = tree(CONTAINER);
    let host = facts(dir.path());
    let tc = ToolchainFacts::default();
    let env = BTreeMap::new();
    let ctx = Context {
        host: &host,
        toolchain: &tc,
        env: &env,
    };
    let all = run(&ctx, &Selection::default());
    assert_eq!(all.len(), CHECKS.len());
    let runtime = run(
        &ctx,
        &Selection {
            only: vec![Group::Runtime],
            skip: vec!["gorig-rt-003".into()],
        },
    );
    assert!(runtime.iter().all(|f| f.group == Group::Runtime));
    assert!(!runtime.iter().any(|f| f.id == "GORIG-RT-003"));
    assert_eq!(runtime.len(), 3);
    let mut ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), CHECKS.len(), "finding ids are unique");
}

#[test]
fn fix_plan_merges_by_key_and_is_idempotent() {
    let dir = tree(&[
        ("/proc/sys/net/core/somaxconn", "128\n"),
        ("/proc/sys/kernel/pid_max", "32768\n"),
        (
            "/proc/self/limits",
            "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 4096                 files     \n",
        ),
    ]);
    let host = facts(dir.path());
    let tc = ToolchainFacts::default();
    let env = BTreeMap::new();
    let ctx = Context {
        host: &host,
        toolchain: &tc,
        env: &env,
    };
    let findings = run(&ctx, &Selection::default());
    let plan = fix::plan(&findings);
    assert_eq!(plan.len(), 2);
    let sysctl = &plan[0];
    assert_eq!(sysctl.path, fix::SYSCTL_FILE);
    let texts: Vec<&str> = sysctl.lines.iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"net.core.somaxconn = 4096"), "{texts:?}");
    assert!(texts.contains(&"kernel.pid_max = 4194304"), "{texts:?}");

    let first = fix::merge(sysctl, None);
    assert!(first.changed && !first.foreign);
    let again = fix::merge(sysctl, Some(&first.content));
    assert!(
        !again.changed,
        "second merge changes nothing:\n{}",
        again.content
    );

    let edited = first
        .content
        .replace("net.core.somaxconn = 4096", "net.core.somaxconn = 1000")
        + "vm.swappiness = 10\n";
    let merged = fix::merge(sysctl, Some(&edited));
    assert!(merged.changed);
    assert!(merged.content.contains("net.core.somaxconn = 4096"));
    assert!(
        merged.content.contains("vm.swappiness = 10"),
        "operator lines stay"
    );
    assert_eq!(merged.content.matches("somaxconn").count(), 1);

    let foreign = fix::merge(sysctl, Some("net.core.somaxconn=512\n"));
    assert!(foreign.foreign);
    assert_eq!(foreign.content.matches("somaxconn").count(), 1);
}

#[test]
fn byte_sizes() {
    assert_eq!(parse_go_bytes("850MiB"), Some(850 << 20));
    assert_eq!(parse_go_bytes("123"), Some(123));
    assert_eq!(parse_go_bytes("1GB"), None);
    assert_eq!(human_bytes(512 << 20), "512 MiB");
    assert_eq!(human_bytes(1536 << 20), "1.5 GiB");
}
