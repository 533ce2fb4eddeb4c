//! The report `gorig doctor` prints: a one-line summary of the host, the findings and
//! the counts. Its JSON form is a versioned API (`schema_version`).

use gorig_host::HostFacts;
use serde::Serialize;

use crate::{Finding, Severity, Summary, ToolchainFacts};

/// The host in one line's worth of fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostSummary {
    pub root: String,
    pub distro: Option<String>,
    pub family: Option<String>,
    pub kernel: Option<String>,
    pub libc: String,
    pub arch: Option<String>,
    pub cpu_level: Option<String>,
    pub cpus: Option<u32>,
    pub cgroup: String,
    pub go: Option<String>,
}

impl HostSummary {
    pub fn of(host: &HostFacts, toolchain: &ToolchainFacts) -> HostSummary {
        let libc = match (&host.libc.kind, &host.libc.version) {
            (gorig_host::libc::LibcKind::Unknown, _) => "none".to_string(),
            (kind, Some(v)) => format!(
                "{} {v}",
                serde_json::to_value(kind)
                    .ok()
                    .and_then(|k| k.as_str().map(str::to_string))
                    .unwrap_or_default()
            ),
            (kind, None) => serde_json::to_value(kind)
                .ok()
                .and_then(|k| k.as_str().map(str::to_string))
                .unwrap_or_default(),
        };
        let cpu_level = host.cpu.as_ref().and_then(|c| {
            c.amd64_level
                .map(|l| format!("x86-64-v{l}"))
                .or_else(|| {
                    c.arm64_lse.map(|lse| {
                        if lse {
                            "armv8.1".to_string()
                        } else {
                            "armv8.0".to_string()
                        }
                    })
                })
                .or_else(|| c.goarm.map(|g| format!("GOARM={g}")))
        });
        HostSummary {
            root: host.root.clone(),
            distro: host.os.as_ref().map(|o| o.display_name()),
            family: host.os.as_ref().map(|o| o.family.name().to_string()),
            kernel: host.kernel.clone(),
            libc,
            arch: host.arch.as_ref().map(|a| a.arch.goarch().to_string()),
            cpu_level,
            cpus: host.cpus,
            cgroup: host.cgroup.version.name().to_string(),
            go: toolchain.selected.as_ref().map(|s| s.version.to_string()),
        }
    }

    /// `Ubuntu 24.04 LTS · kernel 6.8.0 · glibc 2.39 · amd64 x86-64-v3 · 8 CPUs · cgroup v2`.
    pub fn line(&self) -> String {
        let mut parts = vec![
            self.distro
                .clone()
                .unwrap_or_else(|| "unknown distribution".to_string()),
        ];
        if let Some(k) = &self.kernel {
            parts.push(format!("kernel {k}"));
        }
        parts.push(self.libc.clone());
        match (&self.arch, &self.cpu_level) {
            (Some(a), Some(l)) => parts.push(format!("{a} {l}")),
            (Some(a), None) => parts.push(a.clone()),
            (None, Some(l)) => parts.push(l.clone()),
            (None, None) => {}
        }
        if let Some(c) = self.cpus {
            parts.push(format!("{c} CPUs"));
        }
        parts.push(format!("cgroup {}", self.cgroup));
        if let Some(go) = &self.go {
            parts.push(go.clone());
        }
        parts.join(" · ")
    }
}

/// What `gorig doctor --json` prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub host: HostSummary,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub worst: Severity,
}

impl Report {
    pub fn new(host: HostSummary, findings: Vec<Finding>) -> Report {
        let summary = Summary::of(&findings);
        Report {
            schema_version: 1,
            host,
            worst: summary.worst(),
            findings,
            summary,
        }
    }
}
