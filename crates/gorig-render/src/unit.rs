//! `gorig unit`: a hardened systemd service for one Go program, and its resources set
//! the way the Go runtime reads them. Pure: the caller reads the binary (`inspect`'s
//! facts become a [`Program`]) and the host's systemd version; [`render`] returns the
//! unit text (and the `.socket` unit with `--socket`) with a comment above every line
//! saying why, and notes for what was left out.
//!
//! The hardening follows `systemd-analyze security`'s assessors (exposure ≈ 1.0 for a
//! network service, 0.9 with an IP allow-list, lower without network), keeping only
//! what a Go program tolerates: `MemoryDenyWriteExecute=` only without cgo (C libraries
//! may map code), exec confined to the binary only when it does not link `os/exec`, no
//! address families when it does not link `net`, and a syscall filter answering EPERM
//! (Go's start-up `setrlimit` is in `@resources`; EPERM lets it carry on).
//!
//! The resource rules ([`resources`]): `GOMEMLIMIT` at 90 % of `MemoryMax=` and under
//! `MemoryHigh=` (95 %), so the GC works harder before the kernel throttles or kills;
//! a quota of at most one CPU gets `GOMAXPROCS=1` (Go 1.25's container rule never goes
//! below 2, and two threads on one CPU's quota are throttled); above one CPU Go 1.25+
//! is left to read the quota itself (it follows later changes), older Go (or
//! `containermaxprocs=0`) gets `GOMAXPROCS=floor(quota)`; `TasksMax=` above Go's
//! 10 000-thread cap; `LimitNOFILE=` the hard limit Go (1.19+) raises its soft limit to.

use std::fmt::Write;

/// Who the service runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// `DynamicUser=yes`: a user made for the service, with no files outside its
    /// directories.
    Dynamic,
    /// An existing user (and its group).
    User(String),
}

/// What the binary tells about itself (from `gorig inspect`). `None`: not known (not a
/// Go program, or unreadable), and the unit then assumes the permissive case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Program {
    /// No program interpreter: nothing is loaded besides the binary.
    pub static_binary: bool,
    /// `CGO_ENABLED` from the build info.
    pub cgo: Option<bool>,
    /// `(major, minor)` of the Go release that built it.
    pub go: Option<(u64, u64)>,
    /// `DefaultGODEBUG` holds `containermaxprocs=0` (a go.mod older than 1.25).
    pub container_maxprocs_off: bool,
    pub uses_net: Option<bool>,
    pub uses_exec: Option<bool>,
}

impl Program {
    /// Go reads the CPU quota itself and follows its changes (Go 1.25+, not turned off).
    fn follows_quota(&self) -> bool {
        self.go.is_some_and(|go| go >= (1, 25)) && !self.container_maxprocs_off
    }

    /// Neither C code nor a loader: pages are never mapped writable and executable.
    fn no_foreign_code(&self) -> bool {
        self.static_binary && self.cgo != Some(true) || self.cgo == Some(false)
    }
}

/// What `gorig unit` was asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// The unit's name, without `.service`.
    pub name: String,
    /// The program's absolute path.
    pub exec: String,
    pub args: Vec<String>,
    pub account: Account,
    /// TCP ports it listens on.
    pub ports: Vec<u16>,
    /// CPUs of quota (`--cpus 1.5`).
    pub cpus: Option<f64>,
    /// `MemoryMax=` in bytes.
    pub memory: Option<u64>,
    /// `--env K=V`, in order.
    pub env: Vec<(String, String)>,
    /// Units to start after.
    pub after: Vec<String>,
    /// Listen through a `.socket` unit; the service gets no network of its own.
    pub socket: bool,
    /// Peers allowed (`IPAddressAllow=`); everything else is denied.
    pub allow_ip: Vec<String>,
    pub comments: bool,
    /// The target's systemd version: directives it does not know are left out.
    pub systemd: u32,
    pub program: Program,
    /// A unit for the user's own manager (`systemctl --user`), not the system's.
    pub user_unit: bool,
}

/// What a user manager cannot do for an unprivileged service (capabilities, cgroup device
/// and IP filters, a raised hard limit, another root), left out of user units.
const NOT_FOR_USER_UNITS: &[&str] = &[
    "User",
    "Group",
    "DynamicUser",
    "CapabilityBoundingSet",
    "AmbientCapabilities",
    "IPAddressDeny",
    "IPAddressAllow",
    "DevicePolicy",
    "ProtectClock",
    "LimitNOFILE",
    "RootDirectory",
    "MountAPIVFS",
    "BindReadOnlyPaths",
];

/// The resource settings for a quota and a memory limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resources {
    /// `CPUQuota=` in percent of one CPU.
    pub cpu_quota: Option<u32>,
    pub memory_max: Option<u64>,
    pub memory_high: Option<u64>,
    pub gomemlimit: Option<u64>,
    /// `None`: left to Go.
    pub gomaxprocs: Option<u32>,
    pub tasks_max: u32,
    pub limit_nofile: u64,
}

/// The ephemeral port range `gorig tune` gives a service host (and a pod its own).
pub const PORT_RANGE_TEXT: &str = "10240 65000";

/// Go's default cap on OS threads (`runtime/debug.SetMaxThreads`).
pub const GO_MAX_THREADS: u32 = 10_000;

/// `TasksMax=`: Go's thread cap and a fifth more for the processes it starts.
pub const TASKS_MAX: u32 = 12_288;

/// `LimitNOFILE=`: systemd's default hard limit, which Go raises its soft limit to, and
/// below the kernel's default `fs.nr_open` (1048576) so the unit starts everywhere.
pub const LIMIT_NOFILE: u64 = 524_288;

/// The settings for `cpus` of quota and `memory` bytes, for `program`.
pub fn resources(cpus: Option<f64>, memory: Option<u64>, program: &Program) -> Resources {
    let cpu_quota = cpus.map(|cpus| ((cpus * 100.0).round() as u32).max(1));
    let gomaxprocs = match (cpus, cpu_quota) {
        (Some(_), Some(quota)) if quota <= 100 => Some(1),
        (Some(_), Some(_)) if program.follows_quota() => None,
        (Some(cpus), Some(_)) => Some((cpus.floor() as u32).max(1)),
        _ => None,
    };
    // Whole MiB (rounded down) when the limit allows it, so the values read as what they are.
    let share = |max: u64, percent: u64| {
        let part = max / 100 * percent;
        if part >= MIB { part / MIB * MIB } else { part }
    };
    let memory_high = memory.map(|max| share(max, 95));
    let gomemlimit = memory.map(|max| share(max, 90));
    Resources {
        cpu_quota,
        memory_max: memory,
        memory_high,
        gomemlimit,
        gomaxprocs,
        tasks_max: TASKS_MAX,
        limit_nofile: LIMIT_NOFILE,
    }
}

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// `512M`, `1G`, `1.5G`, `2GiB`, `1048576`: systemd's sizes (1024-based), in bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: f64 = number.parse().ok()?;
    let scale: u64 = match unit.trim().trim_end_matches('B').trim_end_matches('i') {
        "" => 1,
        "K" | "k" => 1 << 10,
        "M" | "m" => 1 << 20,
        "G" | "g" => 1 << 30,
        "T" | "t" => 1 << 40,
        _ => return None,
    };
    let bytes = number * scale as f64;
    (bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// `1G`, `950M`, `12345K`, `1000`: systemd's size syntax (1024-based).
fn systemd_size(bytes: u64) -> String {
    for (unit, size) in [("T", MIB * MIB), ("G", MIB * KIB), ("M", MIB), ("K", KIB)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

/// `GOMEMLIMIT` syntax: `850MiB`, `1GiB`, `123456` bytes; `off` is none.
pub fn parse_go_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let factor: u64 = match unit {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// `900MiB`, `1GiB`, `1000`: GOMEMLIMIT's syntax.
fn go_size(bytes: u64) -> String {
    for (unit, size) in [("GiB", MIB * KIB), ("MiB", MIB), ("KiB", KIB)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

/// The empty directory a static program runs in as its root (`RootDirectory=`).
pub fn empty_root(name: &str) -> String {
    format!("/var/lib/gorig/root/{name}")
}

/// What Go's `net`, `crypto/x509` and `time` read from the file system, bound read-only
/// into an empty root where the host has them (`-`: skipped when missing).
pub const ROOT_FILES: &[&str] = &[
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/etc/services",
    "/etc/ssl",
    "/etc/pki",
    "/usr/share/ca-certificates",
    "/usr/share/zoneinfo",
    "/etc/localtime",
];

/// What [`render`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub service: String,
    /// The `.socket` unit, with `--socket`.
    pub socket: Option<String>,
    /// An empty directory to create for `RootDirectory=`, when the unit uses one.
    pub empty_root: Option<String>,
    /// What a person should know: directives left out and why, choices made.
    pub notes: Vec<String>,
}

/// One directive with the reason for it.
struct Line {
    key: &'static str,
    value: String,
    why: String,
}

struct Section {
    lines: Vec<Line>,
    systemd: u32,
    left_out: Vec<String>,
}

impl Section {
    fn new(systemd: u32) -> Section {
        Section {
            lines: Vec::new(),
            systemd,
            left_out: Vec::new(),
        }
    }

    fn add(&mut self, key: &'static str, value: impl Into<String>, why: impl Into<String>) {
        self.since(0, key, value, why);
    }

    fn since(
        &mut self,
        version: u32,
        key: &'static str,
        value: impl Into<String>,
        why: impl Into<String>,
    ) {
        if self.systemd >= version {
            self.lines.push(Line {
                key,
                value: value.into(),
                why: why.into(),
            });
        } else {
            self.left_out
                .push(format!("{key}= (needs systemd {version})"));
        }
    }

    fn write(&self, out: &mut String, title: &str, comments: bool) {
        let _ = writeln!(out, "[{title}]");
        for line in &self.lines {
            if comments {
                let _ = writeln!(out, "# {}", line.why);
            }
            let _ = writeln!(out, "{}={}", line.key, line.value);
        }
    }
}

/// A word of `ExecStart=`, quoted when systemd would split or expand it.
fn exec_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        return word.to_string();
    }
    let escaped = word
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('%', "%%")
        .replace('$', "$$");
    format!("\"{escaped}\"")
}

/// An `Environment=` assignment, quoted as systemd reads it.
fn env_assignment(key: &str, value: &str) -> String {
    let text = format!("{key}={value}");
    if text
        .chars()
        .all(|c| !c.is_whitespace() && c != '"' && c != '\\' && c != '%' && c != '$')
    {
        text
    } else {
        exec_word(&text)
    }
}

/// The unit (and socket unit) for `service`.
pub fn render(service: &Service) -> Rendered {
    let program = &service.program;
    let systemd = service.systemd;
    let mut notes = Vec::new();
    let low_ports: Vec<u16> = service
        .ports
        .iter()
        .copied()
        .filter(|p| *p < 1024)
        .collect();
    let networked = !service.ports.is_empty() || program.uses_net != Some(false);
    // With --socket, systemd listens and hands the sockets over; the service itself
    // needs no network namespace of its host.
    let own_network = networked && !service.socket;

    let mut unit = Section::new(systemd);
    unit.add(
        "Description",
        format!("{} (Go service)", service.name),
        "what `systemctl status` shows",
    );
    let mut after: Vec<String> = Vec::new();
    if own_network {
        after.push("network-online.target".into());
    }
    if service.socket {
        after.push(format!("{}.socket", service.name));
    }
    after.extend(service.after.iter().cloned());
    if !after.is_empty() {
        unit.add("After", after.join(" "), "start once these are up");
    }
    if own_network {
        unit.add(
            "Wants",
            "network-online.target",
            "a network service waits for the network to be configured",
        );
    }
    if service.socket {
        unit.add(
            "Requires",
            format!("{}.socket", service.name),
            "its listening sockets come from the socket unit",
        );
    }

    let mut s = Section::new(systemd);
    if systemd >= 240 {
        s.add(
            "Type",
            "exec",
            "the start fails visibly if the binary cannot be executed",
        );
    } else {
        s.add("Type", "simple", "the program runs in the foreground");
    }
    let mut exec = exec_word(&service.exec);
    for arg in &service.args {
        exec.push(' ');
        exec.push_str(&exec_word(arg));
    }
    s.add("ExecStart", exec, "the program, run directly (no shell)");
    match &service.account {
        Account::Dynamic => s.add(
            "DynamicUser",
            "yes",
            "a user made for this service; it owns nothing outside its own directories",
        ),
        Account::User(user) => {
            s.add("User", user.clone(), "not root");
            s.add("Group", user.clone(), "the user's own group");
        }
    }
    s.add(
        "Restart",
        "on-failure",
        "a crash restarts it; a clean exit does not",
    );
    s.add("RestartSec", "1s", "no tight restart loop");

    // Resources and the Go knobs that must agree with them.
    let res = resources(service.cpus, service.memory, program);
    let user_set = |key: &str| service.env.iter().any(|(k, _)| k == key);
    for (key, value) in &service.env {
        s.add(
            "Environment",
            env_assignment(key, value),
            "asked for with --env",
        );
    }
    if let Some(limit) = res.gomemlimit {
        if user_set("GOMEMLIMIT") {
            notes.push(format!(
                "GOMEMLIMIT is yours (--env); gorig would set {} for MemoryMax={}",
                go_size(limit),
                systemd_size(res.memory_max.unwrap_or(0))
            ));
        } else {
            s.add(
                "Environment",
                format!("GOMEMLIMIT={}", go_size(limit)),
                "90% of MemoryMax and under MemoryHigh: the GC works harder before the kernel throttles or kills",
            );
        }
    }
    match (res.gomaxprocs, res.cpu_quota) {
        (Some(procs), Some(quota)) if !user_set("GOMAXPROCS") => s.add(
            "Environment",
            format!("GOMAXPROCS={procs}"),
            if quota <= 100 {
                "a quota of one CPU or less: more threads than that are throttled (Go's own rule stops at 2)".to_string()
            } else {
                format!("{quota}% of a CPU, and this Go does not size GOMAXPROCS from the quota itself")
            },
        ),
        (None, Some(_)) if !user_set("GOMAXPROCS") => notes.push(
            "GOMAXPROCS is left to Go: Go 1.25+ reads the CPU quota and follows later changes to it"
                .into(),
        ),
        (Some(procs), _) => notes.push(format!(
            "GOMAXPROCS is yours (--env); gorig would set {procs} for the quota"
        )),
        _ => {}
    }
    if let Some(quota) = res.cpu_quota {
        s.add(
            "CPUQuota",
            format!("{quota}%"),
            "the CPU time the service may use, in percent of one CPU",
        );
    }
    if let Some(high) = res.memory_high {
        s.add(
            "MemoryHigh",
            systemd_size(high),
            "95% of MemoryMax: above it the kernel reclaims and slows the service instead of killing it",
        );
    }
    if let Some(max) = res.memory_max {
        s.add(
            "MemoryMax",
            systemd_size(max),
            "the hard limit: the OOM killer acts above it",
        );
    }
    s.add(
        "TasksMax",
        res.tasks_max.to_string(),
        format!(
            "above Go's cap of {GO_MAX_THREADS} threads, with room for the processes it starts"
        ),
    );
    s.add(
        "LimitNOFILE",
        res.limit_nofile.to_string(),
        "the hard limit; Go 1.19+ raises its soft limit to it at start",
    );

    // Sandbox.
    s.add("UMask", "0077", "files it creates are its own");
    s.add(
        "NoNewPrivileges",
        "yes",
        "no setuid or file capabilities can raise its privileges",
    );
    if low_ports.is_empty() || service.socket {
        s.add("CapabilityBoundingSet", "", "no capabilities at all");
        s.add("AmbientCapabilities", "", "none granted");
    } else {
        let list: Vec<String> = low_ports.iter().map(u16::to_string).collect();
        s.add(
            "CapabilityBoundingSet",
            "CAP_NET_BIND_SERVICE",
            format!(
                "only what binding port {} (below 1024) needs",
                list.join(", ")
            ),
        );
        s.add(
            "AmbientCapabilities",
            "CAP_NET_BIND_SERVICE",
            "granted to the program, which runs as a user without it",
        );
        notes.push(format!(
            "port {} is below 1024: the unit grants CAP_NET_BIND_SERVICE and no other capability, and leaves out PrivateUsers= (a user namespace would make the capability useless); --socket binds it in systemd instead",
            list.join(", ")
        ));
    }
    s.add("PrivateTmp", "yes", "its own /tmp and /var/tmp");
    s.add("PrivateDevices", "yes", "no access to physical devices");
    s.since(239, "PrivateMounts", "yes", "its mounts are its own");
    if low_ports.is_empty() || service.socket {
        s.since(
            232,
            "PrivateUsers",
            "yes",
            "a user namespace: host users other than its own are not there",
        );
    }
    if !own_network {
        s.add(
            "PrivateNetwork",
            "yes",
            if service.socket {
                "no network of its own: it serves the sockets systemd listens on".to_string()
            } else {
                "the binary does not link Go's net package: no network at all".to_string()
            },
        );
    }
    s.add(
        "ProtectSystem",
        "strict",
        "the whole file system is read-only but for its own directories",
    );
    s.add("ProtectHome", "yes", "no access to home directories");
    s.since(
        247,
        "ProtectProc",
        "invisible",
        "other processes are hidden in /proc",
    );
    s.since(
        247,
        "ProcSubset",
        "pid",
        "/proc shows processes only, not kernel settings",
    );
    s.add(
        "ProtectKernelTunables",
        "yes",
        "/proc/sys and /sys are read-only",
    );
    s.add("ProtectKernelModules", "yes", "no kernel modules loaded");
    s.since(
        244,
        "ProtectKernelLogs",
        "yes",
        "no access to the kernel log",
    );
    s.add(
        "ProtectControlGroups",
        "yes",
        "cgroupfs read-only (Go still reads its CPU quota there)",
    );
    s.since(245, "ProtectClock", "yes", "the system clock cannot be set");
    s.since(
        242,
        "ProtectHostname",
        "yes",
        "the host name cannot be changed",
    );
    s.add("KeyringMode", "private", "its own kernel keyring");
    s.add(
        "LockPersonality",
        "yes",
        "no switching of the execution domain",
    );
    if program.no_foreign_code() {
        s.add(
            "MemoryDenyWriteExecute",
            "yes",
            "no memory both writable and executable: Go's compiler needs none, and this binary has no C code",
        );
    } else {
        notes.push(
            "MemoryDenyWriteExecute= is left out: the binary may run C code (cgo, or not known), which can need writable code pages".into(),
        );
    }
    s.add("RestrictRealtime", "yes", "no realtime scheduling");
    s.since(
        242,
        "RestrictSUIDSGID",
        "yes",
        "it cannot make setuid or setgid files",
    );
    s.add("RestrictNamespaces", "yes", "it cannot create namespaces");
    s.add(
        "RemoveIPC",
        "yes",
        "its System V IPC objects go when it stops",
    );
    if own_network {
        s.add(
            "RestrictAddressFamilies",
            "AF_INET AF_INET6 AF_UNIX",
            "IP sockets, and Unix sockets for the local resolver and journal",
        );
    } else if service.socket {
        s.add(
            "RestrictAddressFamilies",
            "AF_UNIX",
            "the listening sockets are passed in; it opens only Unix sockets",
        );
    } else if systemd >= 249 {
        s.add(
            "RestrictAddressFamilies",
            "none",
            "it links no networking: it may open no socket at all",
        );
    } else {
        s.add(
            "RestrictAddressFamilies",
            "AF_UNIX",
            "it links no networking: Unix sockets only (`none` needs systemd 249)",
        );
    }
    if !service.allow_ip.is_empty() {
        s.add("IPAddressDeny", "any", "every peer is refused...");
        s.add(
            "IPAddressAllow",
            service.allow_ip.join(" "),
            "...but these (--allow-ip)",
        );
    } else if !own_network {
        s.add("IPAddressDeny", "any", "no IP traffic at all");
    }
    s.add(
        "SystemCallArchitectures",
        "native",
        "only this architecture's system calls",
    );
    s.add(
        "SystemCallFilter",
        "@system-service",
        "the system calls ordinary services make",
    );
    s.add(
        "SystemCallFilter",
        "~@privileged @resources",
        "none of the privileged or resource-changing ones",
    );
    s.add(
        "SystemCallErrorNumber",
        "EPERM",
        "a filtered call fails with EPERM instead of killing it (Go tries setrlimit at start and carries on)",
    );
    s.add(
        "DevicePolicy",
        "closed",
        "no device nodes beyond the basic ones",
    );
    if program.static_binary && program.uses_exec == Some(false) {
        s.since(247, "NoExecPaths", "/", "nothing may be executed...");
        s.since(
            247,
            "ExecPaths",
            exec_word(&service.exec),
            "...but the program: it links no os/exec and loads no libraries",
        );
    }
    // A static program that starts nothing needs no file of the host but a few Go reads:
    // it runs in an empty root with those bound in. Only with named peers, where the
    // remaining exposure is the file system's.
    let chroot = program.static_binary
        && program.uses_exec == Some(false)
        && !service.allow_ip.is_empty()
        && systemd >= 233;
    let empty = chroot.then(|| empty_root(&service.name));
    if let Some(root) = &empty {
        s.add(
            "RootDirectory",
            root.clone(),
            "an empty root of its own: the program is static and starts no other",
        );
        s.add(
            "MountAPIVFS",
            "yes",
            "/proc, /sys, /dev and /run inside that root",
        );
        s.add(
            "BindReadOnlyPaths",
            exec_word(&service.exec),
            "the program itself, read-only",
        );
        let files: Vec<String> = ROOT_FILES.iter().map(|f| format!("-{f}")).collect();
        s.add(
            "BindReadOnlyPaths",
            files.join(" "),
            "what Go's resolver, TLS roots and time zones read, where the host has them",
        );
        notes.push(format!(
            "the program runs in the empty root {root} (made by --write) with only itself, its directories and {} bound in; bind anything else it reads with BindReadOnlyPaths=",
            ROOT_FILES.join(", ")
        ));
    }
    s.add(
        "StateDirectory",
        service.name.clone(),
        "/var/lib/NAME, writable and its own ($STATE_DIRECTORY)",
    );
    s.add(
        "CacheDirectory",
        service.name.clone(),
        "/var/cache/NAME ($CACHE_DIRECTORY)",
    );

    let mut install = Section::new(systemd);
    if service.user_unit {
        // The user's manager: no privileges to grant, no system targets to wait for.
        s.lines.retain(|l| !NOT_FOR_USER_UNITS.contains(&l.key));
        unit.lines
            .retain(|l| !(l.key == "Wants" && l.value == "network-online.target"));
        for line in unit.lines.iter_mut().filter(|l| l.key == "After") {
            line.value = line
                .value
                .split_whitespace()
                .filter(|u| *u != "network-online.target")
                .collect::<Vec<_>>()
                .join(" ");
        }
        unit.lines
            .retain(|l| !(l.key == "After" && l.value.is_empty()));
        for line in s.lines.iter_mut().filter(|l| l.key == "ProtectHome") {
            line.value = "read-only".into();
            line.why =
                "the home directory is read-only; the service writes only its own directories"
                    .into();
        }
        if !s.lines.iter().any(|l| l.key == "PrivateUsers") {
            s.add(
                "PrivateUsers",
                "yes",
                "a user namespace, which the other protections need in a user manager",
            );
        }
        let at = s.lines.iter().position(|l| l.key == "Restart").unwrap_or(0);
        s.lines.insert(
            at,
            Line {
                key: "EnvironmentFile",
                value: "-%E/go/env".into(),
                why: "the Go environment `go env -w` wrote ($XDG_CONFIG_HOME/go/env: GOPROXY, GOPRIVATE, ...), when there is one".into(),
            },
        );
        install.add(
            "WantedBy",
            "default.target",
            "started with the user's manager once enabled (`loginctl enable-linger` keeps it running without a login)",
        );
        notes.push(
            "a user unit runs without privileges: no capabilities, IP or device filters and no raised hard limits (left out); --write puts it in $XDG_CONFIG_HOME/systemd/user".into(),
        );
    } else {
        install.add(
            "WantedBy",
            "multi-user.target",
            "started at boot once enabled",
        );
    }

    let mut left_out: Vec<String> = [&unit, &s, &install]
        .iter()
        .flat_map(|section| section.left_out.iter().cloned())
        .collect();
    left_out.dedup();
    if !left_out.is_empty() {
        notes.push(format!(
            "left out for systemd {systemd}: {}",
            left_out.join(", ")
        ));
    }

    let mut text = String::new();
    if service.comments {
        let _ = writeln!(
            text,
            "# {}.service, written by gorig unit: every line says why. Check it with\n# `systemd-analyze {}security {}.service`.",
            service.name,
            if service.user_unit { "--user " } else { "" },
            service.name
        );
    }
    unit.write(&mut text, "Unit", service.comments);
    text.push('\n');
    s.write(&mut text, "Service", service.comments);
    text.push('\n');
    install.write(&mut text, "Install", service.comments);

    let socket = service.socket.then(|| {
        let mut sock = Section::new(systemd);
        sock.add(
            "Description",
            format!("{} (Go service) sockets", service.name),
            "what `systemctl status` shows",
        );
        let mut listen = Section::new(systemd);
        for port in &service.ports {
            listen.add(
                "ListenStream",
                port.to_string(),
                "systemd listens and passes the socket to the service (LISTEN_FDS)",
            );
        }
        let mut install = Section::new(systemd);
        install.add(
            "WantedBy",
            "sockets.target",
            "listening from boot once enabled",
        );
        let mut text = String::new();
        sock.write(&mut text, "Unit", service.comments);
        text.push('\n');
        listen.write(&mut text, "Socket", service.comments);
        text.push('\n');
        install.write(&mut text, "Install", service.comments);
        text
    });
    if service.socket {
        notes.push(
            "with --socket the program must take its listeners from systemd (LISTEN_FDS, fd 3 on; e.g. github.com/coreos/go-systemd/activation); it has no network of its own, so it cannot dial out".into(),
        );
    }
    Rendered {
        service: text,
        socket,
        empty_root: empty,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1024 * MIB;

    /// Every combination of quota, limit, Go release and `containermaxprocs`.
    fn rows() -> Vec<(Option<f64>, Option<u64>, Program)> {
        let mut rows = Vec::new();
        let cpus = [
            None,
            Some(0.1),
            Some(0.5),
            Some(1.0),
            Some(1.01),
            Some(1.5),
            Some(2.0),
            Some(3.7),
            Some(8.0),
            Some(64.0),
        ];
        let memory = [
            None,
            Some(64 * MIB),
            Some(100 * MIB + 17),
            Some(GIB),
            Some(3 * GIB / 2),
            Some(64 * GIB),
            Some(5000),
        ];
        let go = [
            None,
            Some((1, 21)),
            Some((1, 24)),
            Some((1, 25)),
            Some((1, 27)),
            Some((2, 0)),
        ];
        for cpus in cpus {
            for memory in memory {
                for go in go {
                    for off in [false, true] {
                        let program = Program {
                            go,
                            container_maxprocs_off: off,
                            ..Program::default()
                        };
                        rows.push((cpus, memory, program));
                    }
                }
            }
        }
        rows
    }

    #[test]
    fn resources_agree_with_go_for_every_combination() {
        let rows = rows();
        assert!(rows.len() >= 200, "{} rows", rows.len());
        for (cpus, memory, program) in rows {
            let r = resources(cpus, memory, &program);
            let row = format!("{cpus:?} {memory:?} {program:?}: {r:?}");
            match (memory, r.gomemlimit, r.memory_high) {
                (Some(max), Some(limit), Some(high)) => {
                    assert!(
                        limit * 10 <= max * 9,
                        "GOMEMLIMIT <= 0.9 x MemoryMax: {row}"
                    );
                    assert!(limit < high && high < max, "under MemoryHigh: {row}");
                    assert!(limit * 10 >= max * 8, "not needlessly low: {row}");
                }
                (None, None, None) => {}
                _ => panic!("{row}"),
            }
            match cpus {
                None => assert_eq!((r.cpu_quota, r.gomaxprocs), (None, None), "{row}"),
                Some(cpus) => {
                    let quota = r.cpu_quota.expect("a quota");
                    assert_eq!(quota, ((cpus * 100.0).round() as u32).max(1), "{row}");
                    if quota <= 100 {
                        assert_eq!(r.gomaxprocs, Some(1), "one CPU or less: {row}");
                    } else if program.go.is_some_and(|g| g >= (1, 25))
                        && !program.container_maxprocs_off
                    {
                        assert_eq!(r.gomaxprocs, None, "Go 1.25+ follows the quota: {row}");
                    } else {
                        let procs = r.gomaxprocs.expect("set for older Go");
                        assert_eq!(procs, (cpus.floor() as u32).max(1), "{row}");
                        assert!(f64::from(procs) <= cpus, "never above the quota: {row}");
                    }
                }
            }
            assert!(r.tasks_max > GO_MAX_THREADS, "{row}");
            assert!(r.limit_nofile <= 1_048_576, "{row}");
        }
    }

    fn service() -> Service {
        Service {
            name: "app".into(),
            exec: "/opt/app/bin/app".into(),
            args: Vec::new(),
            account: Account::Dynamic,
            ports: vec![9876],
            cpus: Some(1.5),
            memory: Some(GIB),
            env: Vec::new(),
            after: Vec::new(),
            socket: false,
            allow_ip: Vec::new(),
            comments: true,
            systemd: 252,
            program: Program {
                static_binary: true,
                cgo: Some(false),
                go: Some((1, 27)),
                container_maxprocs_off: false,
                uses_net: Some(true),
                uses_exec: Some(false),
            },
            user_unit: false,
        }
    }

    fn lines(text: &str) -> Vec<&str> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    }

    #[test]
    fn every_directive_has_a_comment_above_it_unless_asked_not_to() {
        let text = render(&service()).service;
        let all: Vec<&str> = text.lines().collect();
        for (i, line) in all.iter().enumerate() {
            if line.contains('=') && !line.starts_with('#') {
                assert!(
                    all[i - 1].starts_with("# "),
                    "no reason above {line:?}:\n{text}"
                );
            }
        }
        let bare = render(&Service {
            comments: false,
            ..service()
        })
        .service;
        assert!(!bare.contains('#'), "{bare}");
        assert_eq!(lines(&bare), lines(&text));
    }

    #[test]
    fn a_static_go_program_gets_the_strictest_sandbox_it_tolerates() {
        let text = render(&service()).service;
        let body = lines(&text);
        for want in [
            "MemoryDenyWriteExecute=yes",
            "NoExecPaths=/",
            "ExecPaths=/opt/app/bin/app",
            "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
            "PrivateUsers=yes",
            "CapabilityBoundingSet=",
            "GOMEMLIMIT=921MiB",
            "MemoryMax=1G",
            "CPUQuota=150%",
        ] {
            assert!(body.iter().any(|l| l.ends_with(want)), "{want}:\n{text}");
        }
        assert!(
            !text.contains("GOMAXPROCS"),
            "Go 1.27 reads the quota:\n{text}"
        );
    }

    #[test]
    fn what_the_binary_needs_loosens_exactly_that() {
        let mut cgo = service();
        cgo.program.cgo = Some(true);
        cgo.program.static_binary = false;
        cgo.program.uses_exec = Some(true);
        cgo.program.go = Some((1, 22));
        let out = render(&cgo);
        assert!(
            !out.service.contains("MemoryDenyWriteExecute"),
            "{}",
            out.service
        );
        assert!(!out.service.contains("NoExecPaths"), "{}", out.service);
        assert!(
            out.service.contains("Environment=GOMAXPROCS=1\n"),
            "{}",
            out.service
        );
        assert!(
            out.notes
                .iter()
                .any(|n| n.contains("MemoryDenyWriteExecute")),
            "{:?}",
            out.notes
        );

        let mut offline = service();
        offline.ports.clear();
        offline.program.uses_net = Some(false);
        let text = render(&offline).service;
        for want in [
            "PrivateNetwork=yes",
            "RestrictAddressFamilies=none",
            "IPAddressDeny=any",
        ] {
            assert!(text.contains(want), "{want}:\n{text}");
        }
        assert!(!text.contains("network-online"), "{text}");
    }

    #[test]
    fn a_low_port_gets_exactly_the_capability_it_needs_and_says_so() {
        let mut web = service();
        web.ports = vec![443];
        let out = render(&web);
        assert!(
            out.service
                .contains("CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n"),
            "{}",
            out.service
        );
        assert!(
            out.service
                .contains("AmbientCapabilities=CAP_NET_BIND_SERVICE\n"),
            "{}",
            out.service
        );
        assert!(!out.service.contains("PrivateUsers"), "{}", out.service);
        assert!(
            out.notes
                .iter()
                .any(|n| n.contains("port 443 is below 1024")),
            "{:?}",
            out.notes
        );
        // Through a socket unit, systemd binds it and the service needs nothing.
        web.socket = true;
        let out = render(&web);
        assert!(
            out.service.contains("CapabilityBoundingSet=\n"),
            "{}",
            out.service
        );
        assert!(
            out.service.contains("PrivateNetwork=yes"),
            "{}",
            out.service
        );
        let socket = out.socket.expect("a socket unit");
        assert!(socket.contains("ListenStream=443\n"), "{socket}");
    }

    #[test]
    fn an_older_systemd_gets_only_what_it_knows() {
        let mut old = service();
        old.systemd = 239;
        let out = render(&old);
        for missing in [
            "ProtectProc",
            "ProcSubset",
            "ProtectClock",
            "ProtectKernelLogs",
            "ProtectHostname",
            "NoExecPaths",
            "Type=exec",
        ] {
            assert!(
                !out.service.contains(missing),
                "{missing}:\n{}",
                out.service
            );
        }
        assert!(out.service.contains("PrivateMounts=yes"), "{}", out.service);
        let note = out
            .notes
            .iter()
            .find(|n| n.starts_with("left out for systemd 239"))
            .expect("a note");
        assert!(note.contains("ProtectProc= (needs systemd 247)"), "{note}");
    }

    #[test]
    fn a_user_unit_asks_for_nothing_a_user_manager_cannot_give() {
        let out = render(&Service {
            user_unit: true,
            ..service()
        });
        for gone in [
            "DynamicUser",
            "CapabilityBoundingSet",
            "LimitNOFILE",
            "network-online",
            "multi-user.target",
            "ProtectClock",
        ] {
            assert!(!out.service.contains(gone), "{gone}:\n{}", out.service);
        }
        for want in [
            "EnvironmentFile=-%E/go/env",
            "PrivateUsers=yes",
            "ProtectHome=read-only",
            "WantedBy=default.target",
        ] {
            assert!(out.service.contains(want), "{want}:\n{}", out.service);
        }
    }

    #[test]
    fn words_are_quoted_as_systemd_reads_them() {
        assert_eq!(exec_word("/opt/app"), "/opt/app");
        assert_eq!(exec_word("a b"), "\"a b\"");
        assert_eq!(exec_word("100%"), "\"100%%\"");
        assert_eq!(exec_word("$HOME"), "\"$$HOME\"");
        assert_eq!(env_assignment("K", "v w"), "\"K=v w\"");
        assert_eq!(systemd_size(GIB), "1G");
        assert_eq!(systemd_size(972 * MIB), "972M");
        assert_eq!(systemd_size(4750), "4750");
        assert_eq!(go_size(921 * MIB), "921MiB");
    }
}
