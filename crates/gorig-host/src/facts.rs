//! `HostFacts`: everything the doctor knows about a host, read in one pass under a
//! [`HostRoot`].
//!
//! Each probe reads files only (procfs, sysfs and /etc under the root), so the same code
//! reads the live host and a fixture tree; the two exceptions use the running process
//! and are taken only on the live host: the CPU affinity count and the free space and
//! writability of paths (statvfs/access of the real directory). Versions of tools (cc,
//! git, go) need processes and are filled in by the binary; this crate only finds them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cgroup::{Cgroup, read_cgroup};
use crate::cpu::CpuInfo;
use crate::libc::{Libc, detect_libc};
use crate::limits::{Rlimits, parse_limits};
use crate::mounts::{Mount, mount_for, parse_mountinfo};
use crate::net::{ResolvConf, TcpSockstat, nsswitch_hosts, parse_sockstat};
use crate::os_release::OsRelease;
use crate::{DetectedArch, HostRoot, detect_arch};

/// The sysctls the doctor reads, as dotted names.
pub const SYSCTLS: [&str; 14] = [
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_tw_reuse",
    "net.ipv4.tcp_fin_timeout",
    "net.core.somaxconn",
    "net.ipv4.tcp_max_syn_backlog",
    "kernel.pid_max",
    "kernel.threads-max",
    "kernel.osrelease",
    "fs.file-max",
    "fs.file-nr",
    "fs.nr_open",
    "fs.inotify.max_user_watches",
    "fs.inotify.max_user_instances",
    "vm.overcommit_memory",
];

/// SELinux booleans that change what a Go service may do.
pub const SELINUX_BOOLEANS: [&str; 5] = [
    "httpd_can_network_connect",
    "httpd_can_network_connect_db",
    "httpd_execmem",
    "deny_execmem",
    "selinuxuser_execstack",
];

/// What the caller wants probed besides the fixed files.
#[derive(Debug, Clone, Default)]
pub struct ProbeRequest {
    /// Directories of `PATH`, searched (under the root) for tools.
    pub path_dirs: Vec<String>,
    /// Tools to look for: `cc`, `gcc`, `clang`, `git`, ...
    pub tools: Vec<String>,
    /// The C compiler named by `$CC`, when set.
    pub preferred_cc: Option<String>,
    /// Paths whose filesystem matters: (label, host path), e.g. ("GOTMPDIR", "/tmp").
    pub paths: Vec<(String, String)>,
    /// `uname -m` of the live host, for the architecture fallback.
    pub uname_machine: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathFact {
    pub label: String,
    pub path: String,
    pub exists: bool,
    pub mount_point: Option<String>,
    pub fstype: Option<String>,
    pub noexec: bool,
    pub read_only: bool,
    /// Free bytes for an unprivileged user (live host only).
    pub free_bytes: Option<u64>,
    pub free_inodes: Option<u64>,
    /// Whether this process may write there (live host only).
    pub writable: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tool {
    pub name: String,
    /// Host path where it was found on PATH.
    pub path: Option<String>,
    /// First line of `--version`, filled in by the caller on a live host.
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeLinux {
    /// `enforcing`, `permissive` or `disabled` (no selinuxfs).
    pub mode: String,
    /// `SELINUX=` of /etc/selinux/config.
    pub configured: Option<String>,
    pub booleans: BTreeMap<String, bool>,
}

/// A sysctl set in a configuration file (for lines that no longer work).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SysctlLine {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostFacts {
    pub root: String,
    pub live: bool,
    pub os: Option<OsRelease>,
    pub libc: Libc,
    /// `6.1.0-18-amd64`.
    pub kernel: Option<String>,
    pub arch: Option<DetectedArch>,
    pub cpu: Option<CpuInfo>,
    /// CPUs this process may run on (affinity) on the live host, else processors listed.
    pub cpus: Option<u32>,
    pub mem_total_bytes: Option<u64>,
    pub cgroup: Cgroup,
    pub rlimits: Option<Rlimits>,
    pub sysctls: BTreeMap<String, String>,
    pub sysctl_lines: Vec<SysctlLine>,
    pub sockstat: Option<TcpSockstat>,
    pub mounts: Vec<Mount>,
    pub paths: Vec<PathFact>,
    pub resolv_conf: Option<ResolvConf>,
    pub nsswitch_hosts: Option<Vec<String>>,
    pub selinux: SeLinux,
    pub tools: Vec<Tool>,
}

impl HostFacts {
    /// Reads every fact under `root`.
    pub fn probe(root: &HostRoot, request: &ProbeRequest) -> HostFacts {
        let live = root.is_live();
        let mounts = root
            .read_to_string("/proc/self/mountinfo")
            .map(|t| parse_mountinfo(&t))
            .unwrap_or_default();
        let cpu = CpuInfo::read(root);
        let cpus = if live {
            affinity_count().or_else(|| cpu.as_ref().map(|c| c.processors))
        } else {
            cpu.as_ref().map(|c| c.processors).filter(|n| *n > 0)
        };
        let sysctls = SYSCTLS
            .iter()
            .filter_map(|name| {
                let path = sysctl_path(name);
                let value = root.read_to_string(&path).ok()?;
                Some((
                    name.to_string(),
                    value.split_whitespace().collect::<Vec<_>>().join(" "),
                ))
            })
            .collect::<BTreeMap<_, _>>();
        let kernel = sysctls.get("kernel.osrelease").cloned();
        HostFacts {
            root: root.path().display().to_string(),
            live,
            os: OsRelease::read(root),
            libc: detect_libc(root),
            kernel,
            arch: detect_arch(root, request.uname_machine.as_deref()).ok(),
            cpu,
            cpus,
            mem_total_bytes: root
                .read_to_string("/proc/meminfo")
                .ok()
                .and_then(|t| meminfo_total(&t)),
            cgroup: read_cgroup(root, &mounts, "/proc/self/cgroup"),
            rlimits: root
                .read_to_string("/proc/self/limits")
                .ok()
                .map(|t| parse_limits(&t)),
            sysctls,
            sysctl_lines: sysctl_lines(root, &["net.ipv4.tcp_tw_recycle"]),
            sockstat: root
                .read_to_string("/proc/net/sockstat")
                .ok()
                .and_then(|t| parse_sockstat(&t)),
            paths: request
                .paths
                .iter()
                .map(|(label, path)| path_fact(root, &mounts, label, path))
                .collect(),
            mounts,
            resolv_conf: root
                .read_to_string("/etc/resolv.conf")
                .ok()
                .map(|t| ResolvConf::parse(&t)),
            nsswitch_hosts: root
                .read_to_string("/etc/nsswitch.conf")
                .ok()
                .and_then(|t| nsswitch_hosts(&t)),
            selinux: selinux(root),
            tools: request
                .tools
                .iter()
                .map(|name| Tool {
                    name: name.clone(),
                    path: find_in_path(root, &request.path_dirs, name),
                    version: None,
                })
                .collect(),
        }
    }

    pub fn sysctl(&self, name: &str) -> Option<&str> {
        self.sysctls.get(name).map(String::as_str)
    }

    pub fn sysctl_u64(&self, name: &str) -> Option<u64> {
        self.sysctl(name)?.split_whitespace().next()?.parse().ok()
    }

    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }

    pub fn path(&self, label: &str) -> Option<&PathFact> {
        self.paths.iter().find(|p| p.label == label)
    }

    /// The kernel's `(major, minor)`.
    pub fn kernel_version(&self) -> Option<(u32, u32)> {
        crate::libc::parse_major_minor(self.kernel.as_deref()?)
    }
}

/// `/proc/sys/net/ipv4/ip_local_port_range` for `net.ipv4.ip_local_port_range`.
pub fn sysctl_path(name: &str) -> String {
    format!("/proc/sys/{}", name.replace('.', "/"))
}

fn meminfo_total(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn affinity_count() -> Option<u32> {
    let set = rustix::thread::sched_getaffinity(None).ok()?;
    Some(set.count())
}

/// Lines in the sysctl configuration files that set one of `keys`.
fn sysctl_lines(root: &HostRoot, keys: &[&str]) -> Vec<SysctlLine> {
    let mut files = vec!["/etc/sysctl.conf".to_string()];
    for dir in [
        "/etc/sysctl.d",
        "/run/sysctl.d",
        "/usr/local/lib/sysctl.d",
        "/usr/lib/sysctl.d",
        "/lib/sysctl.d",
    ] {
        if let Ok(entries) = root.read_dir_names(dir) {
            let mut names: Vec<String> = entries
                .into_iter()
                .filter(|n| n.ends_with(".conf"))
                .collect();
            names.sort();
            files.extend(names.into_iter().map(|n| format!("{dir}/{n}")));
        }
    }
    let mut found = Vec::new();
    for file in files {
        let Ok(text) = root.read_to_string(&file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let key = key.trim().trim_start_matches('-').replace('/', ".");
            if keys.contains(&key.as_str()) {
                found.push(SysctlLine {
                    file: file.clone(),
                    line: n + 1,
                    key,
                    value: value.trim().to_string(),
                });
            }
        }
    }
    found
}

fn path_fact(root: &HostRoot, mounts: &[Mount], label: &str, path: &str) -> PathFact {
    // The mount table names paths as the host sees them; resolve links inside the root
    // first so /tmp -> /private/tmp style links land on the right mount.
    let real = root.resolve(path).unwrap_or_else(|_| root.join(path));
    let host_view: PathBuf = real
        .strip_prefix(root.path())
        .map(|p| Path::new("/").join(p))
        .unwrap_or_else(|_| PathBuf::from(path));
    let mount = mount_for(mounts, &host_view);
    let exists = real.exists();
    let (free_bytes, free_inodes, writable) = if root.is_live() {
        let existing = nearest_existing(&real);
        let stat = existing
            .as_deref()
            .and_then(|p| rustix::fs::statvfs(p).ok());
        let writable = existing
            .as_deref()
            .map(|p| rustix::fs::access(p, rustix::fs::Access::WRITE_OK).is_ok());
        (
            stat.as_ref().map(|s| s.f_bavail.saturating_mul(s.f_frsize)),
            stat.as_ref().map(|s| s.f_favail),
            writable,
        )
    } else {
        (None, None, None)
    };
    PathFact {
        label: label.to_string(),
        path: path.to_string(),
        exists,
        mount_point: mount.map(|m| m.mount_point.clone()),
        fstype: mount.map(|m| m.fstype.clone()),
        noexec: mount.is_some_and(Mount::noexec),
        read_only: mount.is_some_and(Mount::read_only),
        free_bytes,
        free_inodes,
        writable,
    }
}

/// The path itself or its closest existing ancestor (a cache not created yet lives on
/// its parent's filesystem).
fn nearest_existing(path: &Path) -> Option<PathBuf> {
    path.ancestors().find(|p| p.exists()).map(Path::to_path_buf)
}

fn selinux(root: &HostRoot) -> SeLinux {
    let mode = match root.read_to_string("/sys/fs/selinux/enforce") {
        Ok(text) if text.trim() == "1" => "enforcing",
        Ok(_) => "permissive",
        Err(_) => "disabled",
    };
    let configured = root
        .read_to_string("/etc/selinux/config")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("SELINUX=")
                    .map(|v| v.trim().to_string())
            })
        });
    let booleans = SELINUX_BOOLEANS
        .iter()
        .filter_map(|name| {
            let text = root
                .read_to_string(format!("/sys/fs/selinux/booleans/{name}"))
                .ok()?;
            Some((name.to_string(), text.split_whitespace().next()? == "1"))
        })
        .collect();
    SeLinux {
        mode: mode.to_string(),
        configured,
        booleans,
    }
}

/// The first executable `name` in `dirs`, as a host path.
pub fn find_in_path(root: &HostRoot, dirs: &[String], name: &str) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    dirs.iter().find_map(|dir| {
        let host = format!("{}/{name}", dir.trim_end_matches('/'));
        let real = root.resolve(&host).ok()?;
        let meta = std::fs::metadata(&real).ok()?;
        (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(host)
    })
}
