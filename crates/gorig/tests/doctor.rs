//! `gorig doctor` against host trees of seven kinds of machine (`--root`), snapshots of
//! its human and JSON output, `--fix`, selection flags, exit codes, and the live host
//! compared with what this test reads itself.

#![allow(clippy::unwrap_used)] // a test that cannot read its own fixtures should stop there

use std::path::Path;

use gorig_test::{HostTree, Machine, TestContext, X86_V2, X86_V3, assert_snapshot};
use serde_json::Value;

fn context() -> TestContext {
    TestContext::new(env!("CARGO_BIN_EXE_gorig"))
}

const X86_LOADER: &str = "/lib64/ld-linux-x86-64.so.2";

/// What most Linux hosts have: kernel defaults of a recent kernel, a root filesystem,
/// tmpfs /tmp, sockstat and meminfo.
fn common(tree: HostTree, kernel: &str) -> HostTree {
    tree.sysctl("kernel.osrelease", kernel)
        .sysctl("net.ipv4.ip_local_port_range", "32768\t60999")
        .sysctl("net.ipv4.tcp_tw_reuse", "2")
        .sysctl("net.ipv4.tcp_fin_timeout", "60")
        .sysctl("net.core.somaxconn", "4096")
        .sysctl("net.ipv4.tcp_max_syn_backlog", "1024")
        .sysctl("kernel.pid_max", "4194304")
        .sysctl("kernel.threads-max", "127573")
        .sysctl("fs.file-max", "9223372036854775807")
        .sysctl("fs.file-nr", "2592\t0\t9223372036854775807")
        .sysctl("fs.nr_open", "1048576")
        .sysctl("fs.inotify.max_user_watches", "524288")
        .sysctl("fs.inotify.max_user_instances", "128")
        .sysctl("vm.overcommit_memory", "0")
        .file(
            "/proc/net/sockstat",
            "sockets: used 812\nTCP: inuse 31 orphan 0 tw 12 alloc 40 mem 5\nUDP: inuse 4 mem 2\n",
        )
        .file(
            "/proc/meminfo",
            "MemTotal:       16318508 kB\nMemFree:         9123456 kB\n",
        )
        .file(
            "/etc/resolv.conf",
            "nameserver 10.0.0.2\nsearch example.internal\n",
        )
        .file(
            "/etc/nsswitch.conf",
            "passwd: files\ngroup: files\nhosts: files dns\n",
        )
}

const V2_MOUNTS: &str = "\
22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
24 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
25 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
30 22 0:25 / /tmp rw,nosuid,nodev shared:14 - tmpfs tmpfs rw,size=8159256k
";

/// Ubuntu 24.04 server: cgroup v2 (a user session), systemd-resolved through nss-resolve.
fn ubuntu24() -> HostTree {
    common(HostTree::new().distro("ubuntu24"), "6.8.0-45-generic")
        .symlink("/bin", "usr/bin")
        .symlink("/lib64", "usr/lib64")
        .elf_program("/usr/bin/dash", Machine::X86_64, X86_LOADER)
        .symlink("/usr/bin/sh", "dash")
        .glibc("/usr/lib/x86_64-linux-gnu/libc.so.6", "2.39")
        .executable("/usr/bin/gcc")
        .executable("/usr/bin/git")
        .file("/usr/include/stdlib.h", "/* C library headers */\n")
        .cpuinfo_x86(8, "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", X86_V3)
        .limits((Some(1024), Some(524288)), (Some(63711), Some(63711)))
        .file("/proc/self/mountinfo", V2_MOUNTS)
        .file("/proc/self/cgroup", "0::/user.slice/user-1000.slice/session-3.scope\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
        .file("/sys/fs/cgroup/user.slice/user-1000.slice/pids.max", "38012\n")
        .file("/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/pids.max", "max\n")
        .file("/sys/fs/cgroup/user.slice/memory.max", "max\n")
        .file("/etc/resolv.conf", "# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n")
        .file("/etc/nsswitch.conf", "passwd:         files systemd\nhosts:          files resolve [!UNAVAIL=return] dns myhostname\nnetworks:       files\n")
}

/// Debian 12 on a hybrid cgroup host (systemd with cgroup v1 controllers), a service with
/// CPUQuota=200% on 4 CPUs, and an old sysctl.d line.
fn debian12() -> HostTree {
    let service = "/system.slice/app.service";
    common(HostTree::new().distro("debian12"), "6.1.0-26-amd64")
        .symlink("/lib", "usr/lib")
        .elf_program("/usr/bin/dash", Machine::X86_64, X86_LOADER)
        .symlink("/bin", "usr/bin")
        .symlink("/usr/bin/sh", "dash")
        .glibc("/usr/lib/x86_64-linux-gnu/libc.so.6", "2.36")
        .executable("/usr/bin/gcc")
        .executable("/usr/bin/git")
        .file("/usr/include/stdlib.h", "\n")
        .cpuinfo_x86(4, "AMD EPYC 7571", X86_V3)
        .limits((Some(1024), Some(524288)), (Some(63000), Some(63000)))
        .file(
            "/proc/self/mountinfo",
            "22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n\
             26 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755\n\
             27 26 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:5 - cgroup2 cgroup2 rw,nsdelegate\n\
             28 26 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:6 - cgroup cgroup rw,xattr,name=systemd\n\
             31 26 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n\
             32 26 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,memory\n\
             33 26 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,pids\n",
        )
        .file(
            "/proc/self/cgroup",
            format!("12:pids:{service}\n5:memory:{service}\n3:cpu,cpuacct:{service}\n1:name=systemd:{service}\n0::{service}\n"),
        )
        .file(&format!("/sys/fs/cgroup/cpu,cpuacct{service}/cpu.cfs_quota_us"), "200000\n")
        .file(&format!("/sys/fs/cgroup/cpu,cpuacct{service}/cpu.cfs_period_us"), "100000\n")
        .file(&format!("/sys/fs/cgroup/memory{service}/memory.limit_in_bytes"), "9223372036854771712\n")
        .file(&format!("/sys/fs/cgroup/pids{service}/pids.max"), "4915\n")
        .file("/etc/sysctl.d/99-tuning.conf", "# from an old runbook\nnet.ipv4.tcp_tw_recycle = 1\nnet.ipv4.tcp_fin_timeout = 15\n")
}

/// Rocky 9, CIS-hardened: SELinux enforcing, /tmp mounted noexec.
fn rocky9() -> HostTree {
    common(HostTree::new().distro("rocky9"), "5.14.0-427.13.1.el9_4.x86_64")
        .symlink("/bin", "usr/bin")
        .symlink("/lib64", "usr/lib64")
        .elf_program("/usr/bin/bash", Machine::X86_64, X86_LOADER)
        .symlink("/usr/bin/sh", "bash")
        .glibc("/usr/lib64/libc.so.6", "2.34")
        .executable("/usr/bin/gcc")
        .executable("/usr/bin/git")
        .file("/usr/include/stdlib.h", "\n")
        .cpuinfo_x86(4, "Intel Xeon Processor (Cascadelake)", X86_V3)
        .limits((Some(1024), Some(262144)), (Some(30000), Some(30000)))
        .file(
            "/proc/self/mountinfo",
            "22 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/rl-root rw,seclabel\n\
             25 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,seclabel,nsdelegate\n\
             40 22 253:3 / /tmp rw,nosuid,nodev,noexec,relatime shared:20 - xfs /dev/mapper/rl-tmp rw,seclabel\n",
        )
        .file("/proc/self/cgroup", "0::/user.slice/user-1000.slice/session-1.scope\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n")
        .file("/sys/fs/selinux/enforce", "1")
        .file("/etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
        .file("/sys/fs/selinux/booleans/httpd_can_network_connect", "0 0")
        .file("/sys/fs/selinux/booleans/httpd_can_network_connect_db", "0 0")
        .file("/sys/fs/selinux/booleans/deny_execmem", "0 0")
        .file("/sys/fs/selinux/booleans/selinuxuser_execstack", "1 1")
        .file("/etc/nsswitch.conf", "passwd: sss files systemd\nhosts: files dns myhostname\n")
}

/// CentOS 7: glibc 2.17, kernel 3.10, cgroup v1 only, and the defaults of its time.
fn centos7() -> HostTree {
    common(HostTree::new().distro("centos7"), "3.10.0-1160.119.1.el7.x86_64")
        .elf_program("/usr/bin/bash", Machine::X86_64, X86_LOADER)
        .symlink("/bin", "usr/bin")
        .symlink("/usr/bin/sh", "bash")
        .symlink("/lib64", "usr/lib64")
        .file("/usr/lib64/libc-2.17.so", b"\x7fELF\x02\x01\x01\0")
        .symlink("/usr/lib64/libc.so.6", "libc-2.17.so")
        .executable("/usr/bin/gcc")
        .file("/usr/include/stdlib.h", "\n")
        .cpuinfo_x86(2, "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz", X86_V2)
        .limits((Some(1024), Some(4096)), (Some(4096), Some(63000)))
        .sysctl("net.core.somaxconn", "128")
        .sysctl("kernel.pid_max", "32768")
        .sysctl("net.ipv4.tcp_tw_reuse", "0")
        .sysctl("fs.inotify.max_user_watches", "8192")
        .file(
            "/proc/self/mountinfo",
            "18 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/centos-root rw\n\
             24 18 0:20 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:3 - tmpfs tmpfs ro,mode=755\n\
             27 24 0:23 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:8 - cgroup cgroup rw,cpuacct,cpu\n\
             28 24 0:24 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,memory\n\
             29 24 0:25 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,pids\n",
        )
        .file("/proc/self/cgroup", "11:pids:/user.slice\n4:memory:/user.slice\n3:cpuacct,cpu:/user.slice\n1:name=systemd:/user.slice/user-0.slice/session-1.scope\n")
        .file("/sys/fs/cgroup/cpu,cpuacct/user.slice/cpu.cfs_quota_us", "-1\n")
        .file("/etc/resolv.conf", "nameserver 10.1.0.2\nnameserver 10.1.0.3\nnameserver 10.1.0.4\noptions timeout:5 attempts:5\n")
}

/// Alpine in Kubernetes: musl, busybox, no compiler, the cluster's resolv.conf.
fn alpine() -> HostTree {
    common(HostTree::new().distro("alpine"), "6.6.58-0-lts")
        .elf_program("/bin/busybox", Machine::X86_64, "/lib/ld-musl-x86_64.so.1")
        .symlink("/bin/sh", "/bin/busybox")
        .file("/lib/ld-musl-x86_64.so.1", b"\x7fELF\x02\x01\x01\0")
        .file("/lib/apk/db/installed", "C:Q1abc\nP:musl\nV:1.2.5-r0\nA:x86_64\n\nC:Q1def\nP:busybox\nV:1.37.0-r8\n")
        .cpuinfo_x86(2, "AMD EPYC 7R13 Processor", X86_V3)
        .limits((Some(1048576), Some(1048576)), (None, None))
        .file("/proc/self/mountinfo", V2_MOUNTS)
        .file("/proc/self/cgroup", "0::/\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n")
        .file("/sys/fs/cgroup/cpu.max", "max 100000\n")
        .file("/etc/resolv.conf", "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n")
        .file("/etc/nsswitch.conf", "")
}

/// Amazon Linux 2023 on Graviton (arm64 with LSE atomics).
fn amazon2023() -> HostTree {
    common(HostTree::new().distro("amazon2023"), "6.1.112-122.189.amzn2023.aarch64")
        .symlink("/bin", "usr/bin")
        .symlink("/lib", "usr/lib")
        .elf_program("/usr/bin/bash", Machine::Aarch64, "/lib/ld-linux-aarch64.so.1")
        .symlink("/usr/bin/sh", "bash")
        .glibc("/usr/lib64/libc.so.6", "2.34")
        .symlink("/lib64", "usr/lib64")
        .executable("/usr/bin/git")
        .cpuinfo_arm64(4, "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs")
        .limits((Some(65535), Some(65535)), (Some(31000), Some(31000)))
        .file("/proc/self/mountinfo", V2_MOUNTS)
        .file("/proc/self/cgroup", "0::/system.slice/app.service\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n")
}

/// A container: cpu.max 1.5 CPUs of 16, memory.max 512 MiB, pids.max 1024.
fn container() -> HostTree {
    common(HostTree::new().distro("debian13"), "6.8.0-1017-aws")
        .symlink("/bin", "usr/bin")
        .symlink("/lib64", "usr/lib64")
        .elf_program("/usr/bin/dash", Machine::X86_64, X86_LOADER)
        .symlink("/usr/bin/sh", "dash")
        .glibc("/usr/lib/x86_64-linux-gnu/libc.so.6", "2.41")
        .cpuinfo_x86(16, "Intel(R) Xeon(R) Platinum 8488C", X86_V3)
        .limits((Some(1048576), Some(1048576)), (None, None))
        .file(
            "/proc/self/mountinfo",
            "500 400 0:60 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n\
             510 500 0:62 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n",
        )
        .file("/proc/self/cgroup", "0::/\n")
        .file("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n")
        .file("/sys/fs/cgroup/cpu.max", "150000 100000\n")
        .file("/sys/fs/cgroup/memory.max", "536870912\n")
        .file("/sys/fs/cgroup/memory.high", "max\n")
        .file("/sys/fs/cgroup/pids.max", "1024\n")
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
    assert_eq!(report["schema_version"], 1);
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
    assert_eq!(report["host"]["family"], "debian");
    assert_eq!(report["host"]["libc"], "glibc 2.39");
    assert_eq!(report["host"]["cgroup"], "v2");
    assert_eq!(report["host"]["cpu_level"], "x86-64-v3");
    assert_eq!(report["host"]["cpus"], 8);
    // nss-resolve makes cgo and pure-Go binaries resolve differently.
    assert_eq!(severity(&report, "GORIG-DNS-001"), "warn");
    assert_eq!(severity(&report, "GORIG-DNS-004"), "ok");
    assert_eq!(severity(&report, "GORIG-BUILD-003"), "ok");
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
    assert_eq!(report["host"]["distro"], "Debian GNU/Linux 12 (bookworm)");
    assert_eq!(report["host"]["cgroup"], "hybrid");
    assert_eq!(report["host"]["libc"], "glibc 2.36");
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
    assert_eq!(report["host"]["family"], "rhel");
    assert_eq!(report["host"]["libc"], "glibc 2.34");
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
    assert_eq!(report["host"]["libc"], "glibc 2.17");
    assert_eq!(report["host"]["cgroup"], "v1");
    assert_eq!(report["host"]["cpu_level"], "x86-64-v2");
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
    assert_eq!(report["host"]["libc"], "musl 1.2.5");
    assert_eq!(report["host"]["family"], "alpine");
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
    assert_eq!(report["host"]["family"], "amazon");
    assert_eq!(report["host"]["arch"], "arm64");
    assert_eq!(report["host"]["cpu_level"], "armv8.1");
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

    // Nothing new was written, so nothing is reloaded; the exit code still reports the
    // findings (the running kernel has not changed).
    let reload = doctor(&ctx, &tree, &["--fix", "--yes", "--reload"]);
    assert_eq!(reload.code, 8, "{reload}");
    assert!(!reload.stdout.contains("sysctl --system"), "{reload}");

    // --reload would change this host, never a tree's.
    let fresh = centos7();
    let refused = doctor(&ctx, &fresh, &["--fix", "--yes", "--reload"]);
    assert_eq!(refused.code, 2, "{refused}");
    assert!(
        refused.stderr.contains("cannot be used with --root"),
        "{refused}"
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
    assert_eq!(report["host"]["cgroup"], expected_version, "{cgroup}");
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
    assert_eq!(report["host"]["cpus"], cpus);
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
