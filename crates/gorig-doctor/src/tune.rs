//! `gorig tune`: the kernel and login limits a Go service, CI runner or build host needs,
//! as lines for the same two drop-ins `doctor --fix` writes ([`fix::SYSCTL_FILE`],
//! [`fix::LIMITS_FILE`]) and merged the same way. Pure: it takes the host's facts.
//!
//! It only raises: a value already at or above the target is left alone (and listed),
//! so a run after a run plans nothing. The ephemeral port range is sized from the
//! expected rate of new outbound connections (`--qps`): each closed connection holds its
//! port in TIME_WAIT for 60 s on Linux, so `qps × 60` ports with a quarter more for
//! bursts. Inside a container only the network keys, which belong to its own network
//! namespace, are written; the rest are the host's and are listed for it. Nothing that a
//! container runtime or router owns (`ip_forward`, bridges, conntrack) is ever touched.

use crate::FixKind;
use crate::fix::{LIMITS_FILE, PlannedFile, PlannedLine, SYSCTL_FILE};

/// What the host is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// A Go service: many connections, many threads.
    Service,
    /// A CI runner: `go test` opening connections, watching files, many processes.
    Ci,
    /// A build host: files and processes.
    Build,
}

impl Profile {
    pub fn parse(text: &str) -> Option<Profile> {
        match text {
            "service" => Some(Profile::Service),
            "ci" => Some(Profile::Ci),
            "build" => Some(Profile::Build),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Service => "service",
            Profile::Ci => "ci",
            Profile::Build => "build",
        }
    }
}

/// Seconds a closed TCP connection keeps its port (Linux's fixed TCP_TIMEWAIT_LEN).
pub const TIME_WAIT_SECS: u64 = 60;

/// The ephemeral range gorig aims for without `--qps`, and its top.
pub const PORT_RANGE: (u64, u64) = (10240, 65000);

/// The lowest port the range may start at (below are the well-known and registered ones).
const LOWEST_PORT: u64 = 1024;

/// What tuning found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tuning {
    /// The lines to write, per drop-in (only files with lines).
    pub files: Vec<PlannedFile>,
    /// Settings already at or above the target: (key, current value, target).
    pub already: Vec<(String, String, String)>,
    /// Inside a container: settings that belong to the host, with the line to set there.
    pub left_to_host: Vec<String>,
    pub notes: Vec<String>,
}

/// One wanted setting.
struct Want {
    key: &'static str,
    value: u64,
    /// Belongs to the network namespace (a container may set it).
    namespaced: bool,
    why: &'static str,
}

/// The current value of `key`, from `sysctls` (`facts.sysctls`).
fn current(sysctls: &std::collections::BTreeMap<String, String>, key: &str) -> Option<String> {
    sysctls
        .get(key)
        .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The tuning of a host whose sysctls are `sysctls` for `profile`.
pub fn tune(
    profile: Profile,
    qps: Option<u64>,
    sysctls: &std::collections::BTreeMap<String, String>,
    container: bool,
) -> Tuning {
    let mut tuning = Tuning::default();
    let mut sysctl_lines: Vec<PlannedLine> = Vec::new();
    let mut wants: Vec<Want> = Vec::new();
    let network = matches!(profile, Profile::Service | Profile::Ci);
    if network {
        wants.push(Want {
            key: "net.core.somaxconn",
            value: 4096,
            namespaced: true,
            why: "tune: listen backlog for bursts of connections",
        });
        wants.push(Want {
            key: "net.ipv4.tcp_max_syn_backlog",
            value: 4096,
            namespaced: true,
            why: "tune: listen backlog for bursts of connections",
        });
    }
    wants.push(Want {
        key: "fs.file-max",
        value: 2_097_152,
        namespaced: false,
        why: "tune: open files system-wide",
    });
    wants.push(Want {
        key: "fs.nr_open",
        value: 1_048_576,
        namespaced: false,
        why: "tune: the per-process open-file ceiling the nofile limit needs",
    });
    wants.push(Want {
        key: "kernel.pid_max",
        value: 4_194_304,
        namespaced: false,
        why: "tune: process and thread ids (Go services and go test run many threads)",
    });
    wants.push(Want {
        key: "kernel.threads-max",
        value: 131_072,
        namespaced: false,
        why: "tune: threads system-wide",
    });
    if matches!(profile, Profile::Ci | Profile::Build) {
        wants.push(Want {
            key: "fs.inotify.max_user_watches",
            value: 524_288,
            namespaced: false,
            why: "tune: file watches (gopls, test watchers, editors)",
        });
        wants.push(Want {
            key: "fs.inotify.max_user_instances",
            value: 1024,
            namespaced: false,
            why: "tune: file watchers per user",
        });
    }

    if network {
        let (low, high, needed) = port_range(qps, &mut tuning.notes);
        let now = current(sysctls, "net.ipv4.ip_local_port_range");
        let size_now = now.as_deref().and_then(range_size);
        let wanted = format!("{low} {high}");
        match size_now {
            Some(size) if size >= needed => tuning.already.push((
                "net.ipv4.ip_local_port_range".into(),
                now.unwrap_or_default(),
                wanted,
            )),
            _ => sysctl_lines.push(PlannedLine {
                text: format!("net.ipv4.ip_local_port_range = {wanted}"),
                ids: vec!["tune: ephemeral ports for outbound connections"],
            }),
        }
        // 2 (the default) reuses TIME_WAIT ports for loopback only; 1 for every peer,
        // which is what a client making many outbound connections needs.
        match current(sysctls, "net.ipv4.tcp_tw_reuse").as_deref() {
            Some("1") => {
                tuning
                    .already
                    .push(("net.ipv4.tcp_tw_reuse".into(), "1".into(), "1".into()))
            }
            _ => sysctl_lines.push(PlannedLine {
                text: "net.ipv4.tcp_tw_reuse = 1".into(),
                ids: vec!["tune: reuse TIME_WAIT ports for new outbound connections"],
            }),
        }
    }

    for want in &wants {
        let now = current(sysctls, want.key);
        let value = now.as_deref().and_then(|v| v.parse::<u64>().ok());
        if value.is_some_and(|v| v >= want.value) {
            tuning.already.push((
                want.key.to_string(),
                now.unwrap_or_default(),
                want.value.to_string(),
            ));
            continue;
        }
        if container && !want.namespaced {
            tuning
                .left_to_host
                .push(format!("{} = {}", want.key, want.value));
            continue;
        }
        sysctl_lines.push(PlannedLine {
            text: format!("{} = {}", want.key, want.value),
            ids: vec![want.why],
        });
    }
    if container {
        // The network keys written so far belong to this namespace; say what is not.
        if !tuning.left_to_host.is_empty() {
            let keys: Vec<&str> = tuning
                .left_to_host
                .iter()
                .map(|l| l.split(" = ").next().unwrap_or(l))
                .collect();
            tuning.notes.push(format!(
                "inside a container: {} {} to the host's kernel; set {} there (gorig tune on the host)",
                keys.join(", "),
                if keys.len() == 1 { "belongs" } else { "belong" },
                if keys.len() == 1 { "it" } else { "them" },
            ));
        }
    }
    if !sysctl_lines.is_empty() {
        tuning.files.push(PlannedFile {
            path: SYSCTL_FILE,
            kind: FixKind::Sysctl,
            lines: sysctl_lines,
        });
    }
    tuning.files.push(PlannedFile {
        path: LIMITS_FILE,
        kind: FixKind::Limits,
        lines: vec![
            PlannedLine {
                text: "* - nofile 1048576".into(),
                ids: vec![
                    "tune: open files per process (Go raises its soft limit to the hard one)",
                ],
            },
            PlannedLine {
                text: "* - nproc 65536".into(),
                ids: vec!["tune: processes and threads per user"],
            },
        ],
    });
    tuning
}

/// The ports in `low high`.
fn range_size(range: &str) -> Option<u64> {
    let mut parts = range.split_whitespace().map(|p| p.parse::<u64>().ok());
    let (low, high) = (parts.next()??, parts.next()??);
    (high >= low).then(|| high - low + 1)
}

/// The range for `qps` new outbound connections a second, and the ports they need
/// (without `--qps`: gorig's default range, whole).
fn port_range(qps: Option<u64>, notes: &mut Vec<String>) -> (u64, u64, u64) {
    let (default_low, high) = PORT_RANGE;
    let Some(qps) = qps else {
        return (default_low, high, high - default_low + 1);
    };
    let needed = qps.saturating_mul(TIME_WAIT_SECS).saturating_mul(5) / 4;
    let low = high
        .saturating_sub(needed.saturating_sub(1))
        .max(LOWEST_PORT);
    if high - low + 1 < needed {
        notes.push(format!(
            "{qps} new connections a second hold about {needed} ports in TIME_WAIT, more than a range can give ({}): reuse connections (HTTP keep-alive, a pool) or spread them over more source addresses",
            high - LOWEST_PORT + 1
        ));
    }
    // Never narrower than gorig's default.
    (low.min(default_low), high, needed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn host(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn lines(tuning: &Tuning, path: &str) -> Vec<String> {
        tuning
            .files
            .iter()
            .filter(|f| f.path == path)
            .flat_map(|f| f.lines.iter().map(|l| l.text.clone()))
            .collect()
    }

    const DEBIAN: &[(&str, &str)] = &[
        ("net.ipv4.ip_local_port_range", "32768\t60999"),
        ("net.ipv4.tcp_tw_reuse", "2"),
        ("net.core.somaxconn", "4096"),
        ("net.ipv4.tcp_max_syn_backlog", "512"),
        ("fs.file-max", "9223372036854775807"),
        ("fs.nr_open", "1048576"),
        ("kernel.pid_max", "4194304"),
        ("kernel.threads-max", "63340"),
        ("fs.inotify.max_user_watches", "8192"),
        ("fs.inotify.max_user_instances", "128"),
    ];

    #[test]
    fn only_what_is_below_its_target_is_raised() {
        let tuning = tune(Profile::Service, None, &host(DEBIAN), false);
        assert_eq!(
            lines(&tuning, SYSCTL_FILE),
            [
                "net.ipv4.ip_local_port_range = 10240 65000",
                "net.ipv4.tcp_tw_reuse = 1",
                "net.ipv4.tcp_max_syn_backlog = 4096",
                "kernel.threads-max = 131072",
            ]
        );
        let already: Vec<&str> = tuning.already.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(
            already,
            [
                "net.core.somaxconn",
                "fs.file-max",
                "fs.nr_open",
                "kernel.pid_max"
            ]
        );
        for file in &tuning.files {
            for line in &file.lines {
                assert!(!line.text.contains("ip_forward"), "{}", line.text);
            }
        }
    }

    #[test]
    fn a_tuned_host_plans_nothing_more() {
        let tuned = host(&[
            ("net.ipv4.ip_local_port_range", "10240 65000"),
            ("net.ipv4.tcp_tw_reuse", "1"),
            ("net.core.somaxconn", "4096"),
            ("net.ipv4.tcp_max_syn_backlog", "4096"),
            ("fs.file-max", "2097152"),
            ("fs.nr_open", "1048576"),
            ("kernel.pid_max", "4194304"),
            ("kernel.threads-max", "131072"),
            ("fs.inotify.max_user_watches", "524288"),
            ("fs.inotify.max_user_instances", "1024"),
        ]);
        for profile in [Profile::Service, Profile::Ci, Profile::Build] {
            let tuning = tune(profile, None, &tuned, false);
            assert!(
                lines(&tuning, SYSCTL_FILE).is_empty(),
                "{profile:?}: {tuning:?}"
            );
        }
    }

    #[test]
    fn the_port_range_is_sized_from_the_connection_rate() {
        let tuning = tune(Profile::Service, Some(800), &host(DEBIAN), false);
        // 800/s × 60 s × 1.25 = 60,000 ports: 5001..65000.
        assert!(
            lines(&tuning, SYSCTL_FILE)
                .contains(&"net.ipv4.ip_local_port_range = 5001 65000".to_string())
        );
        let small = tune(Profile::Service, Some(10), &host(DEBIAN), false);
        assert!(
            lines(&small, SYSCTL_FILE)
                .iter()
                .all(|l| !l.contains("ip_local_port_range")),
            "28,232 ports already cover 750"
        );
        let huge = tune(Profile::Service, Some(5000), &host(DEBIAN), false);
        assert!(
            lines(&huge, SYSCTL_FILE)
                .contains(&"net.ipv4.ip_local_port_range = 1024 65000".to_string())
        );
        assert!(
            huge.notes.iter().any(|n| n.contains("reuse connections")),
            "{:?}",
            huge.notes
        );
    }

    #[test]
    fn a_container_writes_only_its_own_network_keys() {
        let tuning = tune(Profile::Ci, None, &host(DEBIAN), true);
        let written = lines(&tuning, SYSCTL_FILE);
        assert!(written.iter().all(|l| l.starts_with("net.")), "{written:?}");
        assert!(
            tuning
                .left_to_host
                .contains(&"fs.inotify.max_user_watches = 524288".to_string())
        );
        assert!(
            tuning
                .notes
                .iter()
                .any(|n| n.contains("belong to the host")),
            "{:?}",
            tuning.notes
        );
    }

    #[test]
    fn a_build_host_gets_no_network_keys() {
        let tuning = tune(Profile::Build, None, &host(DEBIAN), false);
        assert!(
            lines(&tuning, SYSCTL_FILE)
                .iter()
                .all(|l| !l.starts_with("net."))
        );
        assert!(
            lines(&tuning, SYSCTL_FILE)
                .contains(&"fs.inotify.max_user_watches = 524288".to_string())
        );
    }
}
