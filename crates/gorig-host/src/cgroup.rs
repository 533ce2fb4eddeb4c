//! The control group a process runs in and the limits that bind it: CPU bandwidth,
//! memory and task count, for cgroup v2, v1 and hybrid hosts.
//!
//! The own cgroup comes from `/proc/self/cgroup` and the hierarchies from mountinfo, the
//! way Go's runtime finds them (`internal/runtime/cgroup`): a v2 line is `0::/path`, a v1
//! line names its controllers. A limit can be set on any ancestor, so each one is read
//! from the leaf up to the mount's root and the tightest is kept, with the file it came
//! from. For CPU the leaf's own value is kept too, because Go 1.25 reads only the leaf.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::HostRoot;
use crate::mounts::Mount;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CgroupVersion {
    V2,
    V1,
    Hybrid,
    None,
}

impl CgroupVersion {
    pub fn name(self) -> &'static str {
        match self {
            CgroupVersion::V2 => "v2",
            CgroupVersion::V1 => "v1",
            CgroupVersion::Hybrid => "hybrid",
            CgroupVersion::None => "none",
        }
    }
}

/// A CPU bandwidth limit: `quota` microseconds per `period`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpuLimit {
    pub quota_us: u64,
    pub period_us: u64,
    /// Host path of the file that set it.
    pub file: String,
}

impl CpuLimit {
    pub fn cores(&self) -> f64 {
        self.quota_us as f64 / self.period_us.max(1) as f64
    }
}

/// A byte or count limit and the host file that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limit {
    pub value: u64,
    pub file: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cgroup {
    pub version: CgroupVersion,
    /// The process's cgroup path (v2, or the v1 cpu controller's).
    pub path: Option<String>,
    /// The host directory of the process's cgroup (v2 or v1 cpu).
    pub dir: Option<String>,
    /// CPU limit of the leaf cgroup (what Go's runtime reads).
    pub cpu_leaf: Option<CpuLimit>,
    /// Tightest CPU limit on the leaf or any ancestor.
    pub cpu: Option<CpuLimit>,
    pub memory_max: Option<Limit>,
    pub memory_high: Option<Limit>,
    pub pids_max: Option<Limit>,
}

/// Values at or above this are "no limit" in v1 (`9223372036854771712`).
const V1_UNLIMITED: u64 = 1 << 60;

/// Reads the cgroup facts of the process whose `cgroup_file` (`/proc/self/cgroup`) is given.
pub fn read_cgroup(root: &HostRoot, mounts: &[Mount], cgroup_file: &str) -> Cgroup {
    let own = root.read_to_string(cgroup_file).unwrap_or_default();
    let lines: Vec<(String, Vec<String>, String)> = own
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let id = parts.next()?.to_string();
            let controllers = parts
                .next()?
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            let path = parts.next()?.to_string();
            Some((id, controllers, path))
        })
        .collect();
    let v2_mount = mounts
        .iter()
        .filter(|m| m.fstype == "cgroup2")
        .min_by_key(|m| m.mount_point.len());
    let v1_mounts: Vec<&Mount> = mounts.iter().filter(|m| m.fstype == "cgroup").collect();
    let v2_at_sys = v2_mount.is_some_and(|m| m.mount_point == "/sys/fs/cgroup")
        || (mounts.is_empty() && root.exists("/sys/fs/cgroup/cgroup.controllers"));
    let version = if v2_at_sys {
        CgroupVersion::V2
    } else if !v1_mounts.is_empty() && v2_mount.is_some() {
        CgroupVersion::Hybrid
    } else if !v1_mounts.is_empty() {
        CgroupVersion::V1
    } else if v2_mount.is_some() {
        CgroupVersion::V2
    } else {
        CgroupVersion::None
    };
    let v2_path = lines
        .iter()
        .find(|(id, controllers, _)| id == "0" && controllers.is_empty())
        .map(|(_, _, p)| p.clone());
    let v1_path = |controller: &str| {
        lines
            .iter()
            .find(|(_, controllers, _)| controllers.iter().any(|c| c == controller))
            .map(|(_, _, p)| p.clone())
    };
    let v1_mount = |controller: &str| {
        v1_mounts
            .iter()
            .find(|m| m.super_options.iter().any(|o| o == controller))
            .copied()
    };

    let mut facts = Cgroup {
        version,
        path: None,
        dir: None,
        cpu_leaf: None,
        cpu: None,
        memory_max: None,
        memory_high: None,
        pids_max: None,
    };
    match version {
        CgroupVersion::V2 => {
            let mount_point = v2_mount.map_or("/sys/fs/cgroup", |m| m.mount_point.as_str());
            let mount_root = v2_mount.map_or("/", |m| m.root.as_str());
            let Some(path) = v2_path else {
                return facts;
            };
            let chain = chain(mount_point, mount_root, &path);
            facts.dir = chain.first().map(|p| p.display().to_string());
            facts.path = Some(path);
            let cpus: Vec<CpuLimit> = chain
                .iter()
                .filter_map(|d| read_v2_cpu(root, &d.join("cpu.max")))
                .collect();
            facts.cpu_leaf = chain
                .first()
                .and_then(|d| read_v2_cpu(root, &d.join("cpu.max")));
            facts.cpu = tightest_cpu(cpus);
            facts.memory_max = tightest(root, &chain, "memory.max", V1_UNLIMITED);
            facts.memory_high = tightest(root, &chain, "memory.high", V1_UNLIMITED);
            facts.pids_max = tightest(root, &chain, "pids.max", V1_UNLIMITED);
        }
        CgroupVersion::V1 | CgroupVersion::Hybrid => {
            if let (Some(mount), Some(path)) = (v1_mount("cpu"), v1_path("cpu")) {
                let chain = chain(&mount.mount_point, &mount.root, &path);
                facts.dir = chain.first().map(|p| p.display().to_string());
                facts.path = Some(path);
                let cpus: Vec<CpuLimit> =
                    chain.iter().filter_map(|d| read_v1_cpu(root, d)).collect();
                facts.cpu_leaf = chain.first().and_then(|d| read_v1_cpu(root, d));
                facts.cpu = tightest_cpu(cpus);
            }
            if let (Some(mount), Some(path)) = (v1_mount("memory"), v1_path("memory")) {
                let chain = chain(&mount.mount_point, &mount.root, &path);
                facts.memory_max = tightest(root, &chain, "memory.limit_in_bytes", V1_UNLIMITED);
            }
            if let (Some(mount), Some(path)) = (v1_mount("pids"), v1_path("pids")) {
                let chain = chain(&mount.mount_point, &mount.root, &path);
                facts.pids_max = tightest(root, &chain, "pids.max", V1_UNLIMITED);
            }
        }
        CgroupVersion::None => {}
    }
    facts
}

/// Host directories from the leaf cgroup up to the mount point, leaf first.
fn chain(mount_point: &str, mount_root: &str, path: &str) -> Vec<PathBuf> {
    let relative = if mount_root != "/" {
        path.strip_prefix(mount_root).unwrap_or(path)
    } else {
        path
    };
    let mut dirs = Vec::new();
    let mut current = Path::new(mount_point).to_path_buf();
    let mut all = vec![current.clone()];
    for part in relative.split('/').filter(|p| !p.is_empty() && *p != "..") {
        current = current.join(part);
        all.push(current.clone());
    }
    while let Some(dir) = all.pop() {
        dirs.push(dir);
    }
    dirs
}

fn read_trimmed(root: &HostRoot, file: &Path) -> Option<String> {
    root.read_to_string(file).ok().map(|t| t.trim().to_string())
}

fn read_v2_cpu(root: &HostRoot, file: &Path) -> Option<CpuLimit> {
    let text = read_trimmed(root, file)?;
    let mut parts = text.split_whitespace();
    let quota = parts.next()?;
    if quota == "max" {
        return None;
    }
    let quota_us = quota.parse().ok()?;
    let period_us = parts.next().and_then(|p| p.parse().ok()).unwrap_or(100_000);
    Some(CpuLimit {
        quota_us,
        period_us,
        file: file.display().to_string(),
    })
}

fn read_v1_cpu(root: &HostRoot, dir: &Path) -> Option<CpuLimit> {
    let quota_file = dir.join("cpu.cfs_quota_us");
    let quota: i64 = read_trimmed(root, &quota_file)?.parse().ok()?;
    if quota <= 0 {
        return None;
    }
    let period: u64 = read_trimmed(root, &dir.join("cpu.cfs_period_us"))
        .and_then(|p| p.parse().ok())
        .unwrap_or(100_000);
    Some(CpuLimit {
        quota_us: quota as u64,
        period_us: period,
        file: quota_file.display().to_string(),
    })
}

fn tightest_cpu(limits: Vec<CpuLimit>) -> Option<CpuLimit> {
    limits
        .into_iter()
        .min_by(|a, b| a.cores().total_cmp(&b.cores()))
}

fn tightest(root: &HostRoot, chain: &[PathBuf], name: &str, unlimited: u64) -> Option<Limit> {
    chain
        .iter()
        .filter_map(|dir| {
            let file = dir.join(name);
            let text = read_trimmed(root, &file)?;
            let value: u64 = text.parse().ok()?;
            (value < unlimited).then(|| Limit {
                value,
                file: file.display().to_string(),
            })
        })
        .min_by_key(|l| l.value)
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    use crate::mounts::parse_mountinfo;

    fn write(root: &Path, path: &str, text: &str) {
        let full = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }

    #[test]
    fn v2_limits_up_the_tree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        write(d, "/proc/self/cgroup", "0::/kubepods/pod1/ctr\n");
        write(d, "/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
        write(
            d,
            "/sys/fs/cgroup/kubepods/pod1/ctr/cpu.max",
            "max 100000\n",
        );
        write(d, "/sys/fs/cgroup/kubepods/pod1/cpu.max", "150000 100000\n");
        write(d, "/sys/fs/cgroup/kubepods/pod1/ctr/memory.max", "max\n");
        write(d, "/sys/fs/cgroup/kubepods/memory.max", "536870912\n");
        write(d, "/sys/fs/cgroup/kubepods/pod1/ctr/pids.max", "4096\n");
        let mounts = parse_mountinfo(
            "25 22 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
        );
        let cg = read_cgroup(&HostRoot::new(d), &mounts, "/proc/self/cgroup");
        assert_eq!(cg.version, CgroupVersion::V2);
        assert_eq!(cg.cpu_leaf, None);
        let cpu = cg.cpu.expect("cpu");
        assert_eq!(cpu.cores(), 1.5);
        assert_eq!(cpu.file, "/sys/fs/cgroup/kubepods/pod1/cpu.max");
        assert_eq!(cg.memory_max.expect("mem").value, 512 << 20);
        assert_eq!(cg.pids_max.expect("pids").value, 4096);
    }

    #[test]
    fn v1_hybrid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        write(
            d,
            "/proc/self/cgroup",
            "12:pids:/system.slice/app.service\n4:cpu,cpuacct:/system.slice/app.service\n3:memory:/system.slice/app.service\n0::/system.slice/app.service\n",
        );
        write(
            d,
            "/sys/fs/cgroup/cpu,cpuacct/system.slice/app.service/cpu.cfs_quota_us",
            "200000\n",
        );
        write(
            d,
            "/sys/fs/cgroup/cpu,cpuacct/system.slice/app.service/cpu.cfs_period_us",
            "100000\n",
        );
        write(
            d,
            "/sys/fs/cgroup/memory/system.slice/app.service/memory.limit_in_bytes",
            "9223372036854771712\n",
        );
        write(
            d,
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "9223372036854771712\n",
        );
        let mounts = parse_mountinfo(
            "30 25 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n\
             31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n\
             32 25 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
        );
        let cg = read_cgroup(&HostRoot::new(d), &mounts, "/proc/self/cgroup");
        assert_eq!(cg.version, CgroupVersion::Hybrid);
        assert_eq!(cg.cpu.expect("cpu").cores(), 2.0);
        assert_eq!(cg.memory_max, None);
    }
}
