//! The report `gorig doctor` prints: a one-line summary of the host, the findings and
//! the counts. Its JSON form is a versioned API (`schema_version`).

use gorig_host::HostFacts;
use serde::Serialize;

use crate::{Finding, Severity, Summary, ToolchainFacts};

/// The host as fleets read it (`doctor --json`, schema 2): the distribution, C library,
/// CPU and cgroup limits as fields, and the one-line summary's parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostSummary {
    pub root: String,
    pub os: Option<OsSummary>,
    pub kernel: Option<String>,
    pub libc: LibcSummary,
    pub cpu: CpuSummary,
    pub cgroup: CgroupSummary,
    pub go: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OsSummary {
    pub id: String,
    pub version_id: Option<String>,
    pub id_like: Vec<String>,
    pub family: String,
    pub pretty_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibcSummary {
    /// `glibc`, `musl` or `none`.
    pub kind: String,
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CpuSummary {
    /// The userland's GOARCH.
    pub arch: Option<String>,
    /// `x86-64-v3`, `armv8.1`, `armv7`.
    pub level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goamd64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goarm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goarm64: Option<String>,
    /// arm64 LSE atomics; `None` elsewhere.
    pub lse: Option<bool>,
    /// CPUs this process may use.
    pub count: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CgroupSummary {
    /// `v1`, `v2`, `hybrid`, `none`.
    pub version: String,
    /// The tightest CPU quota in cores (`1.5`), if any.
    pub cpu_quota: Option<f64>,
    /// Bytes.
    pub memory_max: Option<u64>,
    pub pids_max: Option<u64>,
}

impl HostSummary {
    pub fn of(host: &HostFacts, toolchain: &ToolchainFacts) -> HostSummary {
        let kind = match host.libc.kind {
            gorig_host::libc::LibcKind::Glibc => "glibc",
            gorig_host::libc::LibcKind::Musl => "musl",
            gorig_host::libc::LibcKind::Unknown => "none",
        };
        let arch = host.arch.as_ref().map(|a| a.arch.goarch().to_string());
        let cpu = host.cpu.as_ref();
        let goamd64 = cpu
            .and_then(|c| c.amd64_level)
            .filter(|_| arch.as_deref() == Some("amd64"))
            .map(|l| format!("v{l}"));
        let goarm64 = cpu
            .and_then(|c| c.arm64_lse)
            .filter(|_| arch.as_deref() == Some("arm64"))
            .map(|lse| if lse { "v8.1" } else { "v8.0" }.to_string());
        let goarm = cpu
            .and_then(|c| c.goarm)
            .filter(|_| arch.as_deref() == Some("arm"))
            .map(|g| g.to_string());
        let level = match (&goamd64, &goarm64, &goarm) {
            (Some(v), _, _) => Some(format!("x86-64-{v}")),
            (_, Some(v), _) => Some(format!("arm{v}")),
            (_, _, Some(g)) => Some(format!("armv{g}")),
            _ => None,
        };
        HostSummary {
            root: host.root.clone(),
            os: host.os.as_ref().map(|o| OsSummary {
                id: o.id.clone(),
                version_id: o.version_id.clone(),
                id_like: o.id_like.clone(),
                family: o.family.name().to_string(),
                pretty_name: o.display_name(),
            }),
            kernel: host.kernel.clone(),
            libc: LibcSummary {
                kind: kind.to_string(),
                version: host.libc.version.clone(),
            },
            cpu: CpuSummary {
                arch,
                level,
                goamd64,
                goarm,
                goarm64,
                lse: cpu.and_then(|c| c.arm64_lse).filter(|_| {
                    host.arch
                        .as_ref()
                        .is_some_and(|a| a.arch.goarch() == "arm64")
                }),
                count: host.cpus,
            },
            cgroup: CgroupSummary {
                version: host.cgroup.version.name().to_string(),
                cpu_quota: host.cgroup.cpu.as_ref().map(|c| c.cores()),
                memory_max: host.cgroup.memory_max.as_ref().map(|l| l.value),
                pids_max: host.cgroup.pids_max.as_ref().map(|l| l.value),
            },
            go: toolchain.selected.as_ref().map(|s| s.version.to_string()),
        }
    }

    /// `Ubuntu 24.04 LTS · kernel 6.8.0 · glibc 2.39 · amd64 x86-64-v3 · 8 CPUs · cgroup v2`.
    pub fn line(&self) -> String {
        let mut parts = vec![
            self.os
                .as_ref()
                .map(|o| o.pretty_name.clone())
                .unwrap_or_else(|| "unknown distribution".to_string()),
        ];
        if let Some(k) = &self.kernel {
            parts.push(format!("kernel {k}"));
        }
        parts.push(match &self.libc.version {
            Some(v) => format!("{} {v}", self.libc.kind),
            None => self.libc.kind.clone(),
        });
        match (&self.cpu.arch, &self.cpu.level) {
            (Some(a), Some(l)) => parts.push(format!("{a} {l}")),
            (Some(a), None) => parts.push(a.clone()),
            (None, Some(l)) => parts.push(l.clone()),
            (None, None) => {}
        }
        if let Some(c) = self.cpu.count {
            parts.push(format!("{c} CPUs"));
        }
        parts.push(format!("cgroup {}", self.cgroup.version));
        if let Some(go) = &self.go {
            parts.push(go.clone());
        }
        parts.join(" · ")
    }
}

/// What `gorig doctor --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
            schema_version: 2,
            host,
            worst: summary.worst(),
            findings,
            summary,
        }
    }
}
