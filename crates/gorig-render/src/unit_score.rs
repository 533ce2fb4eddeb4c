//! `gorig unit --check`: the exposure `systemd-analyze security` gives a service unit,
//! computed from the unit file alone with systemd 252's assessors (their weights,
//! ranges and rules), so units can be judged where systemd is not installed, in CI, on
//! another distro. Pure: it takes the unit's text.
//!
//! The unit is read as systemd loads it: `[Service]` lines in order (an empty
//! assignment resets a list, `~` inverts one), then what settings imply on load (as
//! systemd's `unit_patch_contexts` does): `DynamicUser=yes` brings `PrivateTmp=`,
//! `RemoveIPC=`, `NoNewPrivileges=`, `RestrictSUIDSGID=`, `ProtectSystem=strict` and
//! `ProtectHome=read-only`; `ProtectKernelModules=`, `ProtectKernelLogs=`,
//! `ProtectClock=` and `PrivateDevices=` drop the capabilities they protect;
//! `ProtectClock=` adds `DeviceAllow=char-rtc r`. Each assessor gives a badness in
//! `0..=range`, or none when it does not apply (running as root, or
//! `DefaultDependencies=no`); exposure = ⌈100 × Σ⌈badness × weight / range⌉ / Σ weight⌉,
//! shown as a tenth.
//!
//! The system call groups are systemd 252's (`data/systemd-252-syscall-filter.txt`).

use std::collections::{BTreeMap, BTreeSet};

const SYSCALL_GROUPS: &str = include_str!("../data/systemd-252-syscall-filter.txt");

/// `@group` → its members (names and nested `@groups`).
fn groups() -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut current: Option<&str> = None;
    for line in SYSCALL_GROUPS.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if line.starts_with('@') {
            current = Some(line.trim());
            out.entry(line.trim()).or_default();
        } else if let Some(group) = current {
            out.entry(group).or_default().push(line.trim());
        }
    }
    out
}

/// The system call names of `item` (a name or a `@group`, nested groups expanded).
fn expand<'a>(
    item: &'a str,
    groups: &BTreeMap<&'a str, Vec<&'a str>>,
    out: &mut BTreeSet<&'a str>,
) {
    if item.starts_with('@') {
        if let Some(members) = groups.get(item) {
            for member in members {
                expand(member, groups, out);
            }
        }
    } else {
        out.insert(item);
    }
}

/// Linux capability numbers, by name.
const CAPS: &[(&str, u32)] = &[
    ("CAP_CHOWN", 0),
    ("CAP_DAC_OVERRIDE", 1),
    ("CAP_DAC_READ_SEARCH", 2),
    ("CAP_FOWNER", 3),
    ("CAP_FSETID", 4),
    ("CAP_KILL", 5),
    ("CAP_SETGID", 6),
    ("CAP_SETUID", 7),
    ("CAP_SETPCAP", 8),
    ("CAP_LINUX_IMMUTABLE", 9),
    ("CAP_NET_BIND_SERVICE", 10),
    ("CAP_NET_BROADCAST", 11),
    ("CAP_NET_ADMIN", 12),
    ("CAP_NET_RAW", 13),
    ("CAP_IPC_LOCK", 14),
    ("CAP_IPC_OWNER", 15),
    ("CAP_SYS_MODULE", 16),
    ("CAP_SYS_RAWIO", 17),
    ("CAP_SYS_CHROOT", 18),
    ("CAP_SYS_PTRACE", 19),
    ("CAP_SYS_PACCT", 20),
    ("CAP_SYS_ADMIN", 21),
    ("CAP_SYS_BOOT", 22),
    ("CAP_SYS_NICE", 23),
    ("CAP_SYS_RESOURCE", 24),
    ("CAP_SYS_TIME", 25),
    ("CAP_SYS_TTY_CONFIG", 26),
    ("CAP_MKNOD", 27),
    ("CAP_LEASE", 28),
    ("CAP_AUDIT_WRITE", 29),
    ("CAP_AUDIT_CONTROL", 30),
    ("CAP_SETFCAP", 31),
    ("CAP_MAC_OVERRIDE", 32),
    ("CAP_MAC_ADMIN", 33),
    ("CAP_SYSLOG", 34),
    ("CAP_WAKE_ALARM", 35),
    ("CAP_BLOCK_SUSPEND", 36),
    ("CAP_AUDIT_READ", 37),
    ("CAP_PERFMON", 38),
    ("CAP_BPF", 39),
    ("CAP_CHECKPOINT_RESTORE", 40),
];

fn cap(name: &str) -> Option<u64> {
    let upper = name.to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    CAPS.iter()
        .find(|(n, _)| *n == full)
        .map(|(_, bit)| 1u64 << bit)
}

const ALL_CAPS: u64 = (1u64 << 41) - 1;

/// Namespace flags, in the order `RestrictNamespaces=` names them.
const NAMESPACES: &[&str] = &["cgroup", "ipc", "net", "mnt", "pid", "user", "uts"];
const ALL_NAMESPACES: u32 = (1 << 7) - 1;

fn namespace(name: &str) -> Option<u32> {
    NAMESPACES.iter().position(|n| *n == name).map(|i| 1 << i)
}

/// A service as `systemd-analyze security` sees it after loading.
#[derive(Debug, Clone)]
struct Info {
    user: Option<String>,
    dynamic_user: bool,
    supplementary_groups: bool,
    default_dependencies: bool,
    ambient: u64,
    bounding: u64,
    bools: BTreeMap<&'static str, bool>,
    protect_home: String,
    protect_system: String,
    protect_proc: String,
    proc_subset: String,
    keyring_mode: String,
    notify_access: String,
    delegate: bool,
    root: bool,
    device_policy: String,
    device_allow: bool,
    /// `(allow list, families)`; `None`: not restricted.
    families: Option<(bool, BTreeSet<String>)>,
    /// Allowed namespaces.
    namespaces: u32,
    architectures: BTreeSet<String>,
    /// `(allow list, system calls)`; `None`: no filter.
    syscalls: Option<(bool, BTreeSet<String>)>,
    ip_deny_all: bool,
    ip_allow_localhost: bool,
    ip_allow_other: bool,
    umask: u32,
}

fn truthy(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "t" | "on" => Some(true),
        "0" | "no" | "n" | "false" | "f" | "off" => Some(false),
        _ => None,
    }
}

const BOOLS: &[&str] = &[
    "PrivateDevices",
    "PrivateMounts",
    "PrivateNetwork",
    "PrivateTmp",
    "PrivateUsers",
    "ProtectControlGroups",
    "ProtectKernelModules",
    "ProtectKernelTunables",
    "ProtectKernelLogs",
    "ProtectClock",
    "ProtectHostname",
    "LockPersonality",
    "MemoryDenyWriteExecute",
    "NoNewPrivileges",
    "RestrictRealtime",
    "RestrictSUIDSGID",
    "RemoveIPC",
];

/// The `[Service]` (and `[Unit]` `DefaultDependencies=`) assignments, in order, with
/// continuation lines joined.
fn assignments(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if let Some(rest) = line.strip_suffix('\\') {
            pending.push_str(rest);
            pending.push(' ');
            continue;
        }
        let line = if pending.is_empty() {
            line.to_string()
        } else {
            let joined = format!("{pending}{line}");
            pending.clear();
            joined
        };
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            section = trimmed[1..trimmed.len() - 1].to_string();
            continue;
        }
        if let Some((key, value)) = trimmed.split_once('=') {
            out.push((
                section.clone(),
                key.trim().to_string(),
                value.trim().to_string(),
            ));
        }
    }
    out
}

fn read(text: &str) -> Info {
    let groups = groups();
    let mut info = Info {
        user: None,
        dynamic_user: false,
        supplementary_groups: false,
        default_dependencies: true,
        ambient: 0,
        bounding: ALL_CAPS,
        bools: BOOLS.iter().map(|k| (*k, false)).collect(),
        protect_home: "no".into(),
        protect_system: "no".into(),
        protect_proc: "default".into(),
        proc_subset: "all".into(),
        keyring_mode: "private".into(),
        notify_access: "none".into(),
        delegate: false,
        root: false,
        device_policy: "auto".into(),
        device_allow: false,
        families: None,
        namespaces: ALL_NAMESPACES,
        architectures: BTreeSet::new(),
        syscalls: None,
        ip_deny_all: false,
        ip_allow_localhost: false,
        ip_allow_other: false,
        umask: 0o022,
    };
    let mut bounding_set = false;
    for (section, key, value) in assignments(text) {
        if section == "Unit" {
            if key == "DefaultDependencies" {
                info.default_dependencies = truthy(&value).unwrap_or(true);
            }
            continue;
        }
        if section != "Service" {
            continue;
        }
        let words: Vec<&str> = value.split_whitespace().collect();
        match key.as_str() {
            "User" => info.user = (!value.is_empty()).then(|| value.clone()),
            "DynamicUser" => info.dynamic_user = truthy(&value).unwrap_or(false),
            "SupplementaryGroups" => info.supplementary_groups = !value.is_empty(),
            "AmbientCapabilities" => {
                if value.is_empty() {
                    info.ambient = 0;
                } else if let Some(rest) = value.strip_prefix('~') {
                    let mask: u64 = rest
                        .split_whitespace()
                        .filter_map(cap)
                        .fold(0, |a, b| a | b);
                    info.ambient &= !mask;
                    if info.ambient == 0 {
                        info.ambient = ALL_CAPS & !mask;
                    }
                } else {
                    info.ambient |= words.iter().filter_map(|w| cap(w)).fold(0, |a, b| a | b);
                }
            }
            "CapabilityBoundingSet" => {
                if value.is_empty() {
                    info.bounding = 0;
                    bounding_set = true;
                } else if let Some(rest) = value.strip_prefix('~') {
                    let mask: u64 = rest
                        .split_whitespace()
                        .filter_map(cap)
                        .fold(0, |a, b| a | b);
                    info.bounding &= !mask;
                    bounding_set = true;
                } else {
                    let mask: u64 = words.iter().filter_map(|w| cap(w)).fold(0, |a, b| a | b);
                    info.bounding = if bounding_set {
                        info.bounding | mask
                    } else {
                        mask
                    };
                    bounding_set = true;
                }
            }
            "ProtectHome" => info.protect_home = value.clone(),
            "ProtectSystem" => info.protect_system = value.clone(),
            "ProtectProc" => info.protect_proc = value.clone(),
            "ProcSubset" => info.proc_subset = value.clone(),
            "KeyringMode" => info.keyring_mode = value.clone(),
            "NotifyAccess" => info.notify_access = value.clone(),
            "Delegate" => info.delegate = truthy(&value).unwrap_or(!value.is_empty()),
            "RootDirectory" | "RootImage" => info.root = !value.is_empty() && value != "/",
            "DevicePolicy" => info.device_policy = value.clone(),
            "DeviceAllow" => info.device_allow = !value.is_empty(),
            "RestrictAddressFamilies" => {
                if value.is_empty() {
                    info.families = None;
                } else if value == "none" {
                    info.families = Some((true, BTreeSet::new()));
                } else if let Some(rest) = value.strip_prefix('~') {
                    let list: BTreeSet<String> =
                        rest.split_whitespace().map(str::to_string).collect();
                    match &mut info.families {
                        Some((false, set)) => set.extend(list),
                        Some((true, set)) => set.retain(|f| !list.contains(f)),
                        None => info.families = Some((false, list)),
                    }
                } else {
                    let list: BTreeSet<String> = words.iter().map(|w| w.to_string()).collect();
                    match &mut info.families {
                        Some((true, set)) => set.extend(list),
                        Some((false, set)) => set.retain(|f| !list.contains(f)),
                        None => info.families = Some((true, list)),
                    }
                }
            }
            "RestrictNamespaces" => {
                if let Some(yes) = truthy(&value) {
                    info.namespaces = if yes { 0 } else { ALL_NAMESPACES };
                } else if let Some(rest) = value.strip_prefix('~') {
                    let mask = rest
                        .split_whitespace()
                        .filter_map(namespace)
                        .fold(0, |a, b| a | b);
                    info.namespaces = ALL_NAMESPACES & !mask;
                } else {
                    info.namespaces = words
                        .iter()
                        .filter_map(|w| namespace(w))
                        .fold(0, |a, b| a | b);
                }
            }
            "SystemCallArchitectures" => {
                if value.is_empty() {
                    info.architectures.clear();
                } else {
                    info.architectures
                        .extend(words.iter().map(|w| w.to_string()));
                }
            }
            "SystemCallFilter" => {
                if value.is_empty() {
                    info.syscalls = None;
                    continue;
                }
                let (invert, list) = match value.strip_prefix('~') {
                    Some(rest) => (true, rest),
                    None => (false, value.as_str()),
                };
                let mut names = BTreeSet::new();
                for item in list.split_whitespace() {
                    // `name:errno` assigns an error number; the name is what counts.
                    let item = item.split(':').next().unwrap_or(item);
                    expand(item, &groups, &mut names);
                }
                let names: BTreeSet<String> = names.into_iter().map(str::to_string).collect();
                match &mut info.syscalls {
                    None if invert => info.syscalls = Some((false, names)),
                    None => {
                        // An allow list always admits the default set.
                        let mut start = BTreeSet::new();
                        expand("@default", &groups, &mut start);
                        let mut all: BTreeSet<String> =
                            start.into_iter().map(str::to_string).collect();
                        all.extend(names);
                        info.syscalls = Some((true, all));
                    }
                    Some((true, set)) if invert => set.retain(|s| !names.contains(s)),
                    Some((true, set)) => set.extend(names),
                    Some((false, set)) if invert => set.extend(names),
                    Some((false, set)) => set.retain(|s| !names.contains(s)),
                }
            }
            "IPAddressDeny" => {
                if value.is_empty() {
                    info.ip_deny_all = false;
                } else if words
                    .iter()
                    .any(|w| *w == "any" || *w == "0.0.0.0/0" || *w == "::/0")
                {
                    info.ip_deny_all = true;
                }
            }
            "IPAddressAllow" => {
                if value.is_empty() {
                    info.ip_allow_localhost = false;
                    info.ip_allow_other = false;
                }
                for word in &words {
                    if is_localhost(word) {
                        info.ip_allow_localhost = true;
                    } else {
                        info.ip_allow_other = true;
                    }
                }
            }
            "UMask" => {
                if let Ok(mask) = u32::from_str_radix(value.trim(), 8) {
                    info.umask = mask;
                }
            }
            other => {
                if let Some(slot) = BOOLS.iter().find(|k| **k == other)
                    && let Some(flag) = truthy(&value)
                {
                    info.bools.insert(slot, flag);
                }
            }
        }
    }
    // What settings imply when systemd loads the unit.
    if info.dynamic_user {
        for key in [
            "PrivateTmp",
            "RemoveIPC",
            "NoNewPrivileges",
            "RestrictSUIDSGID",
        ] {
            info.bools.insert(key, true);
        }
        if !matches!(info.protect_system.as_str(), "strict") {
            info.protect_system = "strict".into();
        }
        if matches!(truthy(&info.protect_home), Some(false)) {
            info.protect_home = "read-only".into();
        }
    }
    let on = |info: &Info, key: &str| info.bools.get(key).copied().unwrap_or(false);
    if on(&info, "ProtectKernelModules") {
        info.bounding &= !cap("CAP_SYS_MODULE").unwrap_or(0);
    }
    if on(&info, "ProtectKernelLogs") {
        info.bounding &= !cap("CAP_SYSLOG").unwrap_or(0);
    }
    if on(&info, "ProtectClock") {
        info.bounding &= !(cap("CAP_SYS_TIME").unwrap_or(0) | cap("CAP_WAKE_ALARM").unwrap_or(0));
        info.device_allow = true;
    }
    if on(&info, "PrivateDevices") {
        info.bounding &= !(cap("CAP_MKNOD").unwrap_or(0) | cap("CAP_SYS_RAWIO").unwrap_or(0));
        if info.device_policy == "auto" {
            info.device_policy = "closed".into();
        }
    }
    info
}

fn is_localhost(word: &str) -> bool {
    if word == "localhost" {
        return true;
    }
    let address = word.split('/').next().unwrap_or(word);
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(std::net::IpAddr::V6(v6)) => v6.is_loopback(),
        Err(_) => false,
    }
}

/// One assessor's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: &'static str,
    pub weight: u64,
    pub range: u64,
    /// `None`: does not apply.
    pub badness: Option<u64>,
}

/// The exposure (0–100, shown as a tenth) and every assessor's part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub exposure: u64,
    pub items: Vec<Item>,
}

impl Assessment {
    /// `9.6`.
    pub fn shown(&self) -> String {
        format!("{}.{}", self.exposure / 10, self.exposure % 10)
    }

    /// systemd's word for the exposure.
    pub fn label(&self) -> &'static str {
        match self.exposure {
            100.. => "DANGEROUS",
            90.. => "UNSAFE",
            75.. => "EXPOSED",
            50.. => "MEDIUM",
            10.. => "OK",
            1.. => "SAFE",
            _ => "PERFECT",
        }
    }
}

/// Assesses a unit file's text as `systemd-analyze security --offline=true` does.
pub fn assess(text: &str) -> Assessment {
    let info = read(text);
    let groups = groups();
    let privileged = match info.user.as_deref() {
        Some("0" | "root") => true,
        _ if info.dynamic_user => false,
        Some(_) => false,
        None => true,
    };
    let on = |key: &str| info.bools.get(key).copied().unwrap_or(false);
    let mut items: Vec<Item> = Vec::new();
    let mut push = |id: &'static str, weight: u64, range: u64, badness: Option<u64>| {
        items.push(Item {
            id,
            weight,
            range,
            badness,
        });
    };
    let defaults_only = |b: u64| info.default_dependencies.then_some(b);

    let user_badness = match info.user.as_deref() {
        Some("nobody") => 9,
        Some("0" | "root") => 10,
        _ if info.dynamic_user => 0,
        Some(u) if !u.is_empty() => 0,
        _ => 10,
    };
    push("User=/DynamicUser=", 2000, 10, Some(user_badness));
    push(
        "SupplementaryGroups=",
        200,
        1,
        (!privileged).then_some(u64::from(info.supplementary_groups)),
    );
    for (id, key, weight) in [
        ("PrivateDevices=", "PrivateDevices", 1000),
        ("PrivateMounts=", "PrivateMounts", 1000),
        ("PrivateNetwork=", "PrivateNetwork", 2500),
        ("PrivateUsers=", "PrivateUsers", 1000),
        ("ProtectControlGroups=", "ProtectControlGroups", 1000),
        ("ProtectKernelModules=", "ProtectKernelModules", 1000),
        ("ProtectKernelTunables=", "ProtectKernelTunables", 1000),
        ("ProtectKernelLogs=", "ProtectKernelLogs", 1000),
        ("ProtectClock=", "ProtectClock", 1000),
        ("ProtectHostname=", "ProtectHostname", 50),
        ("LockPersonality=", "LockPersonality", 100),
        ("MemoryDenyWriteExecute=", "MemoryDenyWriteExecute", 100),
        ("NoNewPrivileges=", "NoNewPrivileges", 1000),
        ("RestrictRealtime=", "RestrictRealtime", 500),
        ("RestrictSUIDSGID=", "RestrictSUIDSGID", 1000),
    ] {
        push(id, weight, 1, Some(u64::from(!on(key))));
    }
    push(
        "PrivateTmp=",
        1000,
        1,
        defaults_only(u64::from(!on("PrivateTmp"))),
    );
    let home = match truthy(&info.protect_home) {
        Some(true) => 0,
        Some(false) => 10,
        None => match info.protect_home.as_str() {
            "read-only" => 5,
            "tmpfs" => 1,
            _ => 10,
        },
    };
    push("ProtectHome=", 1000, 10, defaults_only(home));
    let system = match truthy(&info.protect_system) {
        Some(true) => 5,
        Some(false) => 10,
        None => match info.protect_system.as_str() {
            "full" => 3,
            "strict" => 0,
            _ => 10,
        },
    };
    push("ProtectSystem=", 1000, 10, defaults_only(system));
    push(
        "RootDirectory=/RootImage=",
        200,
        1,
        defaults_only(u64::from(!info.root)),
    );
    push(
        "RemoveIPC=",
        100,
        1,
        (!privileged).then_some(u64::from(!on("RemoveIPC"))),
    );
    push(
        "KeyringMode=",
        1000,
        1,
        Some(u64::from(info.keyring_mode != "private")),
    );
    push(
        "NotifyAccess=",
        1000,
        1,
        Some(u64::from(info.notify_access == "all")),
    );
    push("Delegate=", 100, 1, Some(u64::from(info.delegate)));
    let proc = match info.protect_proc.as_str() {
        "noaccess" => 1,
        "invisible" | "ptraceable" => 0,
        _ => 3,
    };
    push("ProtectProc=", 1000, 3, Some(proc));
    push(
        "ProcSubset=",
        10,
        1,
        Some(u64::from(info.proc_subset != "pid")),
    );
    push(
        "AmbientCapabilities=",
        500,
        1,
        Some(u64::from(info.ambient != 0)),
    );

    let caps = |names: &[&str]| names.iter().filter_map(|n| cap(n)).fold(0u64, |a, b| a | b);
    for (id, weight, names) in [
        (
            "CapabilityBoundingSet=~CAP_SYS_ADMIN",
            1500,
            &["CAP_SYS_ADMIN"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SET(UID|GID|PCAP)",
            1500,
            &["CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SYS_PTRACE",
            1500,
            &["CAP_SYS_PTRACE"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SYS_TIME",
            1000,
            &["CAP_SYS_TIME"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_NET_ADMIN",
            1000,
            &["CAP_NET_ADMIN"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SYS_RAWIO",
            1000,
            &["CAP_SYS_RAWIO"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SYS_MODULE",
            1000,
            &["CAP_SYS_MODULE"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_AUDIT_*",
            500,
            &["CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_AUDIT_WRITE"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SYSLOG",
            500,
            &["CAP_SYSLOG"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SYS_(NICE|RESOURCE)",
            500,
            &["CAP_SYS_NICE", "CAP_SYS_RESOURCE"][..],
        ),
        ("CapabilityBoundingSet=~CAP_MKNOD", 500, &["CAP_MKNOD"][..]),
        (
            "CapabilityBoundingSet=~CAP_(CHOWN|FSETID|SETFCAP)",
            1000,
            &["CAP_CHOWN", "CAP_FSETID", "CAP_SETFCAP"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_(DAC_*|FOWNER|IPC_OWNER)",
            1000,
            &[
                "CAP_DAC_OVERRIDE",
                "CAP_DAC_READ_SEARCH",
                "CAP_FOWNER",
                "CAP_IPC_OWNER",
            ][..],
        ),
        ("CapabilityBoundingSet=~CAP_KILL", 500, &["CAP_KILL"][..]),
        (
            "CapabilityBoundingSet=~CAP_NET_(BIND_SERVICE|BROADCAST|RAW)",
            500,
            &["CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_RAW"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SYS_BOOT",
            100,
            &["CAP_SYS_BOOT"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_MAC_*",
            100,
            &["CAP_MAC_ADMIN", "CAP_MAC_OVERRIDE"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_LINUX_IMMUTABLE",
            75,
            &["CAP_LINUX_IMMUTABLE"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_IPC_LOCK",
            50,
            &["CAP_IPC_LOCK"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SYS_CHROOT",
            50,
            &["CAP_SYS_CHROOT"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_BLOCK_SUSPEND",
            25,
            &["CAP_BLOCK_SUSPEND"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_WAKE_ALARM",
            25,
            &["CAP_WAKE_ALARM"][..],
        ),
        ("CapabilityBoundingSet=~CAP_LEASE", 25, &["CAP_LEASE"][..]),
        (
            "CapabilityBoundingSet=~CAP_SYS_TTY_CONFIG",
            25,
            &["CAP_SYS_TTY_CONFIG"][..],
        ),
        (
            "CapabilityBoundingSet=~CAP_SYS_PACCT",
            25,
            &["CAP_SYS_PACCT"][..],
        ),
        ("CapabilityBoundingSet=~CAP_BPF", 25, &["CAP_BPF"][..]),
    ] {
        push(
            id,
            weight,
            1,
            Some(u64::from(info.bounding & caps(names) != 0)),
        );
    }

    for (id, weight, name) in [
        ("RestrictNamespaces=~user", 1500, "user"),
        ("RestrictNamespaces=~mnt", 500, "mnt"),
        ("RestrictNamespaces=~ipc", 500, "ipc"),
        ("RestrictNamespaces=~pid", 500, "pid"),
        ("RestrictNamespaces=~cgroup", 500, "cgroup"),
        ("RestrictNamespaces=~net", 500, "net"),
        ("RestrictNamespaces=~uts", 100, "uts"),
    ] {
        let allowed = info.namespaces & namespace(name).unwrap_or(0) != 0;
        push(id, weight, 1, Some(u64::from(allowed)));
    }

    // Which families the service may still open.
    let may = |family: &[&str]| match &info.families {
        None => true,
        Some((true, set)) => family.iter().any(|f| set.contains(*f)),
        Some((false, set)) => !family.iter().all(|f| set.contains(*f)),
    };
    let known = ["AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK", "AF_PACKET"];
    let other = match &info.families {
        None => true,
        Some((true, set)) => set.iter().any(|f| !known.contains(&f.as_str())),
        Some((false, _)) => true,
    };
    push(
        "RestrictAddressFamilies=~AF_(INET|INET6)",
        1500,
        1,
        Some(u64::from(may(&["AF_INET", "AF_INET6"]))),
    );
    push(
        "RestrictAddressFamilies=~AF_UNIX",
        25,
        1,
        Some(u64::from(may(&["AF_UNIX"]))),
    );
    push(
        "RestrictAddressFamilies=~AF_NETLINK",
        200,
        1,
        Some(u64::from(may(&["AF_NETLINK"]))),
    );
    push(
        "RestrictAddressFamilies=~AF_PACKET",
        1000,
        1,
        Some(u64::from(may(&["AF_PACKET"]))),
    );
    push(
        "RestrictAddressFamilies=~…",
        1250,
        1,
        Some(u64::from(other)),
    );

    // systemd keeps the native ABI only when it is the one listed; beside another it
    // counts as several ABIs (measured with systemd 252).
    let architectures = if info.architectures.is_empty() {
        10
    } else if info.architectures.len() == 1 && info.architectures.contains("native") {
        0
    } else {
        8
    };
    push("SystemCallArchitectures=", 1000, 10, Some(architectures));

    for (id, weight, group) in [
        ("SystemCallFilter=~@swap", 1000, "@swap"),
        ("SystemCallFilter=~@obsolete", 250, "@obsolete"),
        ("SystemCallFilter=~@clock", 1000, "@clock"),
        ("SystemCallFilter=~@cpu-emulation", 250, "@cpu-emulation"),
        ("SystemCallFilter=~@debug", 1000, "@debug"),
        ("SystemCallFilter=~@mount", 1000, "@mount"),
        ("SystemCallFilter=~@module", 1000, "@module"),
        ("SystemCallFilter=~@raw-io", 1000, "@raw-io"),
        ("SystemCallFilter=~@reboot", 1000, "@reboot"),
        ("SystemCallFilter=~@privileged", 700, "@privileged"),
        ("SystemCallFilter=~@resources", 700, "@resources"),
    ] {
        let badness = match &info.syscalls {
            None => 10,
            Some((allow, set)) => {
                let mut members = BTreeSet::new();
                expand(group, &groups, &mut members);
                let bad = members.iter().any(|name| set.contains(*name) == *allow);
                match (allow, bad) {
                    (true, true) => 9,
                    (false, true) => 10,
                    _ => 0,
                }
            }
        };
        push(id, weight, 10, Some(badness));
    }

    let ip = if !info.ip_deny_all {
        10
    } else if info.ip_allow_other {
        5
    } else if info.ip_allow_localhost {
        2
    } else {
        0
    };
    push("IPAddressDeny=", 1000, 10, Some(ip));
    let devices = if matches!(info.device_policy.as_str(), "strict" | "closed") {
        if info.device_allow { 5 } else { 0 }
    } else {
        10
    };
    push("DeviceAllow=", 1000, 10, Some(devices));
    let umask = if info.umask & 0o002 == 0 {
        10
    } else if info.umask & 0o004 == 0 {
        5
    } else if info.umask & 0o020 == 0 {
        2
    } else if info.umask & 0o040 == 0 {
        1
    } else {
        0
    };
    push("UMask=", 100, 10, Some(umask));

    let (mut badness_sum, mut weight_sum) = (0u64, 0u64);
    for item in &items {
        if let Some(b) = item.badness {
            badness_sum += (b * item.weight).div_ceil(item.range);
            weight_sum += item.weight;
        }
    }
    let exposure = (badness_sum * 100).div_ceil(weight_sum.max(1));
    Assessment { exposure, items }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_unit_is_unsafe() {
        let a = assess("[Unit]\nDescription=x\n[Service]\nExecStart=/bin/true\n");
        assert_eq!((a.shown().as_str(), a.label()), ("9.6", "UNSAFE"), "{a:#?}");
        assert_eq!(a.items.len(), 81);
    }

    #[test]
    fn the_syscall_groups_are_read() {
        let g = groups();
        assert!(g["@swap"].contains(&"swapon"));
        let mut service = BTreeSet::new();
        expand("@system-service", &g, &mut service);
        assert!(service.contains("read") && !service.contains("swapon"));
    }
}

/// Where a unit's Go settings disagree with its own limits (`CPUQuota=`, `MemoryMax=`,
/// `MemoryHigh=` against `GOMAXPROCS` and `GOMEMLIMIT` in `Environment=`), by the rules
/// [`crate::unit::resources`] follows. The Go release is not known from the unit, so a
/// quota above one CPU with no GOMAXPROCS is left alone (right for Go 1.25+).
pub fn go_mismatches(text: &str) -> Vec<String> {
    let mut quota: Option<f64> = None;
    let mut max: Option<u64> = None;
    let mut high: Option<u64> = None;
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    for (section, key, value) in assignments(text) {
        if section != "Service" {
            continue;
        }
        match key.as_str() {
            "CPUQuota" => quota = value.strip_suffix('%').and_then(|v| v.trim().parse().ok()),
            "MemoryMax" | "MemoryLimit" => max = crate::unit::parse_size(&value),
            "MemoryHigh" => high = crate::unit::parse_size(&value),
            "Environment" => {
                for (k, v) in environment_words(&value) {
                    env.insert(k, v);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let procs = env.get("GOMAXPROCS").and_then(|v| v.parse::<u32>().ok());
    if let Some(quota) = quota {
        let cpus = quota / 100.0;
        match procs {
            None if quota <= 100.0 => out.push(format!(
                "CPUQuota={quota}% is one CPU or less, and GOMAXPROCS is not set: Go 1.25+ runs at least 2 threads and is throttled; set Environment=GOMAXPROCS=1"
            )),
            Some(p) if f64::from(p) > cpus.max(1.0) => out.push(format!(
                "GOMAXPROCS={p} is above CPUQuota={quota}%: threads beyond the quota are throttled; set GOMAXPROCS={}",
                (cpus.floor() as u32).max(1)
            )),
            _ => {}
        }
    }
    let limit = env
        .get("GOMEMLIMIT")
        .and_then(|v| crate::unit::parse_go_bytes(v));
    match (max, limit) {
        (Some(max), None) => out.push(format!(
            "MemoryMax= is set and GOMEMLIMIT is not: the kernel kills before the GC reacts; set Environment=GOMEMLIMIT={}MiB (90%)",
            max / 100 * 90 / (1 << 20)
        )),
        (Some(max), Some(limit)) if limit.saturating_mul(10) > max.saturating_mul(9) => out.push(format!(
            "GOMEMLIMIT is above 90% of MemoryMax: too little room for what the GC does not count; set it to {}MiB",
            max / 100 * 90 / (1 << 20)
        )),
        _ => {}
    }
    if let (Some(high), Some(limit)) = (high, limit)
        && limit >= high
    {
        out.push(
            "GOMEMLIMIT is not below MemoryHigh: the kernel throttles before the GC works harder"
                .into(),
        );
    }
    out
}

/// `K=V` pairs of an `Environment=` value (words, double quotes group).
fn environment_words(value: &str) -> Vec<(String, String)> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
        .into_iter()
        .filter_map(|w| {
            w.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod go_tests {
    use super::*;

    #[test]
    fn go_settings_are_held_to_the_units_limits() {
        let bad = "[Service]\nCPUQuota=100%\nMemoryMax=1G\nMemoryHigh=900M\nEnvironment=\"GOMEMLIMIT=950MiB\" GOMAXPROCS=4\n";
        let found = go_mismatches(bad);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].contains("GOMAXPROCS=4 is above CPUQuota=100%"));
        let quota_only = go_mismatches("[Service]\nCPUQuota=50%\n");
        assert!(
            quota_only[0].contains("set Environment=GOMAXPROCS=1"),
            "{quota_only:?}"
        );
        let good = "[Service]\nCPUQuota=150%\nMemoryMax=1G\nMemoryHigh=972M\nEnvironment=GOMEMLIMIT=921MiB\n";
        assert!(go_mismatches(good).is_empty(), "{:?}", go_mismatches(good));
    }
}
