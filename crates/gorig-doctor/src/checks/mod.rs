//! The registry of checks: every finding id with its group and the function that judges
//! it. Ids are API: a check may change its wording, never its id's meaning.

mod build;
mod network;
mod os;
mod runtime;

use crate::{Check, Evidence, Fix, FixKind, Group, Severity};

pub static CHECKS: &[Check] = &[
    check(
        "GORIG-OS-001",
        Group::Os,
        "distribution from os-release",
        os::distro,
    ),
    check(
        "GORIG-OS-002",
        Group::Os,
        "kernel version against Go's minimum",
        os::kernel,
    ),
    check(
        "GORIG-OS-003",
        Group::Os,
        "C library kind and version",
        os::libc,
    ),
    check(
        "GORIG-OS-004",
        Group::Os,
        "CPU level against GOAMD64/GOARM64/GOARM",
        os::cpu_level,
    ),
    check(
        "GORIG-TC-001",
        Group::Toolchain,
        "toolchains installed by gorig",
        os::installed,
    ),
    check(
        "GORIG-TC-002",
        Group::Toolchain,
        "the toolchain selected here",
        os::selected,
    ),
    check(
        "GORIG-TC-003",
        Group::Toolchain,
        "$GOROOT/go.env of the selected toolchain",
        os::goroot_env,
    ),
    check(
        "GORIG-TC-004",
        Group::Toolchain,
        "module download and checksum settings",
        os::module_settings,
    ),
    check(
        "GORIG-TC-005",
        Group::Toolchain,
        "go env runs and agrees with the selection",
        os::go_env,
    ),
    check(
        "GORIG-BUILD-001",
        Group::Build,
        "C compiler and headers for cgo",
        build::c_compiler,
    ),
    check(
        "GORIG-BUILD-002",
        Group::Build,
        "git for modules fetched from VCS",
        build::git,
    ),
    check(
        "GORIG-BUILD-003",
        Group::Build,
        "temporary directory go test executes from",
        build::tmpdir,
    ),
    check(
        "GORIG-BUILD-004",
        Group::Build,
        "free space for caches and temporary files",
        build::disk,
    ),
    check(
        "GORIG-BUILD-005",
        Group::Build,
        "GOCACHE and GOMODCACHE writable",
        build::caches_writable,
    ),
    check(
        "GORIG-RT-001",
        Group::Runtime,
        "cgroup version and own cgroup",
        runtime::cgroup,
    ),
    check(
        "GORIG-RT-002",
        Group::Runtime,
        "CPU quota against GOMAXPROCS",
        runtime::cpu_quota,
    ),
    check(
        "GORIG-RT-003",
        Group::Runtime,
        "memory limit against GOMEMLIMIT",
        runtime::memory_limit,
    ),
    check(
        "GORIG-RT-004",
        Group::Runtime,
        "task limit (pids.max) against Go's threads",
        runtime::pids,
    ),
    check(
        "GORIG-LIM-001",
        Group::Limits,
        "open files (RLIMIT_NOFILE hard)",
        runtime::nofile,
    ),
    check(
        "GORIG-LIM-002",
        Group::Limits,
        "processes and threads (RLIMIT_NPROC)",
        runtime::nproc,
    ),
    check(
        "GORIG-LIM-003",
        Group::Limits,
        "kernel.pid_max",
        runtime::pid_max,
    ),
    check(
        "GORIG-LIM-004",
        Group::Limits,
        "kernel.threads-max",
        runtime::threads_max,
    ),
    check(
        "GORIG-LIM-005",
        Group::Limits,
        "system-wide open files (fs.file-nr)",
        runtime::file_nr,
    ),
    check(
        "GORIG-LIM-006",
        Group::Limits,
        "inotify watches for editors and gopls",
        runtime::inotify,
    ),
    check(
        "GORIG-NET-001",
        Group::Network,
        "ephemeral port range against TIME_WAIT",
        network::port_range,
    ),
    check(
        "GORIG-NET-002",
        Group::Network,
        "listen backlog (net.core.somaxconn)",
        network::somaxconn,
    ),
    check(
        "GORIG-NET-003",
        Group::Network,
        "TIME_WAIT reuse (net.ipv4.tcp_tw_reuse)",
        network::tw_reuse,
    ),
    check(
        "GORIG-NET-004",
        Group::Network,
        "removed tcp_tw_recycle in sysctl files",
        network::tw_recycle,
    ),
    check(
        "GORIG-DNS-001",
        Group::Dns,
        "Go resolver or cgo fallback",
        network::resolver,
    ),
    check(
        "GORIG-DNS-002",
        Group::Dns,
        "time to fail a lookup",
        network::slow_failure,
    ),
    check(
        "GORIG-DNS-003",
        Group::Dns,
        "ndots and search domains",
        network::ndots,
    ),
    check(
        "GORIG-DNS-004",
        Group::Dns,
        "nameservers",
        network::nameservers,
    ),
    check(
        "GORIG-SEC-001",
        Group::Security,
        "SELinux mode",
        network::selinux_mode,
    ),
    check(
        "GORIG-SEC-002",
        Group::Security,
        "SELinux booleans that bite Go services",
        network::selinux_booleans,
    ),
];

const fn check(
    id: &'static str,
    group: Group,
    about: &'static str,
    run: fn(&crate::Context) -> Verdict,
) -> Check {
    Check {
        id,
        group,
        about,
        run,
    }
}

/// What a check concludes; the registry adds the id and group.
pub struct Verdict {
    pub severity: Severity,
    pub title: String,
    pub evidence: Vec<Evidence>,
    pub why: String,
    pub fix: Vec<Fix>,
}

impl Verdict {
    fn new(severity: Severity, title: impl Into<String>) -> Verdict {
        Verdict {
            severity,
            title: title.into(),
            evidence: Vec::new(),
            why: String::new(),
            fix: Vec::new(),
        }
    }

    pub fn ok(title: impl Into<String>) -> Verdict {
        Verdict::new(Severity::Ok, title)
    }

    pub fn info(title: impl Into<String>) -> Verdict {
        Verdict::new(Severity::Info, title)
    }

    pub fn warn(title: impl Into<String>) -> Verdict {
        Verdict::new(Severity::Warn, title)
    }

    pub fn fail(title: impl Into<String>) -> Verdict {
        Verdict::new(Severity::Fail, title)
    }

    pub fn why(mut self, why: impl Into<String>) -> Verdict {
        self.why = why.into();
        self
    }

    pub fn ev(mut self, source: impl Into<String>, value: impl Into<String>) -> Verdict {
        self.evidence.push(Evidence::new(source, value));
        self
    }

    pub fn fix(mut self, kind: FixKind, text: impl Into<String>) -> Verdict {
        self.fix.push(Fix::new(kind, text));
        self
    }
}

/// The package-manager command that installs `packages` (debian name, rhel name, alpine
/// name) on this host's family.
pub(crate) fn install_command(
    ctx: &crate::Context,
    debian: &str,
    rhel: &str,
    alpine: &str,
) -> String {
    use gorig_host::os_release::Family;
    match ctx.host.os.as_ref().map(|o| o.family) {
        Some(Family::Debian) => format!("apt-get install {debian}"),
        Some(Family::Rhel | Family::Fedora | Family::Amazon) => format!("dnf install {rhel}"),
        Some(Family::Alpine) => format!("apk add {alpine}"),
        Some(Family::Suse) => format!("zypper install {rhel}"),
        Some(Family::Arch) => format!("pacman -S {rhel}"),
        _ => format!("install {debian} with the system's package manager"),
    }
}
