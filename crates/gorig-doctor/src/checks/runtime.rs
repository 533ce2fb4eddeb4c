//! Checks of what a running Go program meets: cgroup CPU and memory limits against
//! GOMAXPROCS and GOMEMLIMIT, task limits against Go's threads, and the process and
//! kernel limits on files, processes and watches.

use gorig_host::cgroup::CgroupVersion;
use gorig_version::GoVersion;

use super::Verdict;
use crate::{Context, FixKind, human_bytes, parse_go_bytes};

pub fn cgroup(ctx: &Context) -> Verdict {
    let cg = &ctx.host.cgroup;
    let path = cg.path.clone().unwrap_or_else(|| "?".to_string());
    match cg.version {
        CgroupVersion::None => Verdict::info("no cgroup hierarchy mounted; limits below come from rlimits only")
            .ev("/proc/self/mountinfo", "no cgroup or cgroup2 mount"),
        CgroupVersion::V2 => Verdict::ok(format!("cgroup v2, in {path}"))
            .ev("/proc/self/cgroup", path),
        version => Verdict::info(format!("cgroup {} , in {path}", version.name()).replace(" ,", ","))
            .ev("/proc/self/cgroup", path)
            .why("Go reads the v1 cpu controller (cpu.cfs_quota_us) when there is one; memory and task limits are read from the v1 controllers"),
    }
}

/// What Go 1.25+ sets GOMAXPROCS to from a leaf limit: `min(cpus, max(2, ceil(quota)))`.
fn go125_maxprocs(cores: f64, cpus: u32) -> u32 {
    let limit = (cores.ceil() as u32).max(2);
    limit.min(cpus.max(1))
}

/// Under `--root`, a tree without a cgroup hierarchy says nothing about the limits the
/// machine will run with.
fn limits_unknown(ctx: &Context) -> Option<Verdict> {
    (!ctx.host.live && ctx.host.cgroup.version == CgroupVersion::None).then(|| {
        Verdict::info("not checked: the tree has no cgroup hierarchy to read limits from")
            .ev("/proc/self/mountinfo, /sys/fs/cgroup", "absent in the tree")
    })
}

pub fn cpu_quota(ctx: &Context) -> Verdict {
    if let Some(unknown) = limits_unknown(ctx) {
        return unknown;
    }
    let cg = &ctx.host.cgroup;
    let cpus = ctx.host.cpus.unwrap_or(0);
    let cpus_shown = if cpus == 0 {
        "?".to_string()
    } else {
        cpus.to_string()
    };
    let Some(limit) = &cg.cpu else {
        let defaults = if cpus == 0 {
            "the usable CPUs (their number is not known)".to_string()
        } else {
            format!("the {cpus} usable CPUs")
        };
        return Verdict::ok(format!("no CPU quota; GOMAXPROCS defaults to {defaults}")).ev(
            "cpu.max / cpu.cfs_quota_us",
            "max (no limit) in every ancestor",
        );
    };
    let cores = limit.cores();
    let quota_text = format!("{} {}", limit.quota_us, limit.period_us);
    let floor = (cores.floor() as u32).max(1);
    if let Some(value) = ctx.var("GOMAXPROCS").filter(|v| !v.is_empty()) {
        let set: u32 = value.parse().unwrap_or(0);
        if set as f64 > cores.ceil() {
            return Verdict::warn(format!("GOMAXPROCS={set} on a quota of {cores:.2} CPUs: throttling"))
                .ev(limit.file.clone(), quota_text)
                .ev("$GOMAXPROCS", value)
                .why("more running threads than the quota allows use it up early in each 100 ms period and then stall: tail latency")
                .fix(FixKind::Env, format!("GOMAXPROCS={floor}"));
        }
        return Verdict::ok(format!(
            "GOMAXPROCS={set} fits the quota of {cores:.2} CPUs"
        ))
        .ev(limit.file.clone(), quota_text)
        .ev("$GOMAXPROCS", value);
    }
    if cpus > 0 && cores >= cpus as f64 {
        return Verdict::ok(format!(
            "CPU quota {cores:.2} is not below the {cpus} usable CPUs"
        ))
        .ev(limit.file.clone(), quota_text);
    }
    let go = ctx.go_version().cloned();
    let switched_off = ctx
        .var("GODEBUG")
        .is_some_and(|v| v.split(',').any(|kv| kv.trim() == "containermaxprocs=0"));
    let aware = go.as_ref().is_some_and(|v| *v >= GoVersion::new(1, 25, 0)) && !switched_off;
    let go_name = match go {
        Some(v) if switched_off => format!("{v} with GODEBUG=containermaxprocs=0"),
        Some(v) => v.to_string(),
        None => "Go before 1.25".to_string(),
    };
    if aware {
        let Some(leaf) = &cg.cpu_leaf else {
            return Verdict::warn(format!(
                "CPU quota {cores:.2} is set on an ancestor cgroup, which {go_name} does not read"
            ))
            .ev(limit.file.clone(), quota_text)
            .ev("leaf cpu.max", "max")
            .why("Go 1.25 reads only the leaf cgroup's limit, so GOMAXPROCS stays at the CPU count and the process is throttled")
            .fix(FixKind::Env, format!("GOMAXPROCS={}", go125_maxprocs(cores, cpus.max(1))))
            .fix(FixKind::Systemd, format!("CPUQuota={:.0}%", cores * 100.0));
        };
        let procs = go125_maxprocs(leaf.cores(), cpus.max(1));
        return Verdict::ok(format!(
            "{go_name} sets GOMAXPROCS={procs} from the quota of {:.2} CPUs (when go.mod says go 1.25 or later)",
            leaf.cores()
        ))
        .ev(leaf.file.clone(), format!("{} {}", leaf.quota_us, leaf.period_us))
        .why("container-aware GOMAXPROCS needs the main module's go line at 1.25 or later; older go lines keep GOMAXPROCS at the CPU count");
    }
    Verdict::warn(format!(
        "CPU quota {cores:.2} on {cpus_shown} CPUs: {go_name} runs GOMAXPROCS={cpus_shown} and is throttled"
    ))
    .ev(limit.file.clone(), quota_text)
    .ev("usable CPUs", cpus_shown)
    .why("Go before 1.25 ignores cgroup quotas; its threads use the quota early in each period and then stall (tail latency, timeouts in tests)")
    .fix(FixKind::Env, format!("GOMAXPROCS={floor}"))
    .fix(FixKind::Systemd, format!("Environment=GOMAXPROCS={floor}"))
    .fix(FixKind::Manual, "or build with Go 1.25+ and `go 1.25` in go.mod (automatic)")
}

pub fn memory_limit(ctx: &Context) -> Verdict {
    if let Some(unknown) = limits_unknown(ctx) {
        return unknown;
    }
    let cg = &ctx.host.cgroup;
    let Some(max) = &cg.memory_max else {
        let total = ctx
            .host
            .mem_total_bytes
            .map(|m| format!("host memory {}", human_bytes(m)))
            .unwrap_or_else(|| "host memory not known".to_string());
        return Verdict::ok(format!("no cgroup memory limit ({total})"))
            .ev("memory.max / memory.limit_in_bytes", "max (no limit)");
    };
    let suggested = max.value / 10 * 9 / (1 << 20);
    let go_limit = ctx
        .var("GOMEMLIMIT")
        .filter(|v| !v.is_empty() && *v != "off");
    let Some(text) = go_limit else {
        return Verdict::warn(format!("memory limit {} and no GOMEMLIMIT", human_bytes(max.value)))
            .ev(max.file.clone(), max.value.to_string())
            .ev("$GOMEMLIMIT", "unset")
            .why("Go's garbage collector does not read cgroup memory limits; without GOMEMLIMIT the heap can grow past the limit and the kernel OOM-kills the process")
            .fix(FixKind::Env, format!("GOMEMLIMIT={suggested}MiB"))
            .fix(FixKind::Systemd, format!("Environment=GOMEMLIMIT={suggested}MiB"));
    };
    let Some(bytes) = parse_go_bytes(text) else {
        return Verdict::fail(format!("GOMEMLIMIT={text} is not a size Go accepts"))
            .ev("$GOMEMLIMIT", text)
            .why("the runtime refuses to start: GOMEMLIMIT takes bytes with an optional B, KiB, MiB, GiB or TiB suffix")
            .fix(FixKind::Env, format!("GOMEMLIMIT={suggested}MiB"));
    };
    if bytes > max.value {
        return Verdict::fail(format!(
            "GOMEMLIMIT={text} is above the memory limit {}",
            human_bytes(max.value)
        ))
        .ev(max.file.clone(), max.value.to_string())
        .ev("$GOMEMLIMIT", text)
        .why("the kernel OOM-kills the process before the garbage collector works hard to stay under GOMEMLIMIT")
        .fix(FixKind::Env, format!("GOMEMLIMIT={suggested}MiB"));
    }
    if let Some(high) = &cg.memory_high
        && bytes > high.value
    {
        return Verdict::warn(format!(
            "GOMEMLIMIT={text} is above memory.high {}",
            human_bytes(high.value)
        ))
        .ev(high.file.clone(), high.value.to_string())
        .ev("$GOMEMLIMIT", text)
        .why("above memory.high the kernel throttles and reclaims before the GC reacts")
        .fix(
            FixKind::Env,
            format!("GOMEMLIMIT={}MiB", high.value / 20 * 19 / (1 << 20)),
        );
    }
    Verdict::ok(format!(
        "GOMEMLIMIT={text} under the memory limit {}",
        human_bytes(max.value)
    ))
    .ev(max.file.clone(), max.value.to_string())
    .ev("$GOMEMLIMIT", text)
}

pub fn pids(ctx: &Context) -> Verdict {
    if let Some(unknown) = limits_unknown(ctx) {
        return unknown;
    }
    let Some(limit) = &ctx.host.cgroup.pids_max else {
        return Verdict::ok("no cgroup task limit").ev("pids.max", "max");
    };
    let verdict = if limit.value < 512 {
        Verdict::fail(format!("task limit {} (pids.max)", limit.value))
    } else if limit.value < 4096 {
        Verdict::warn(format!("task limit {} (pids.max)", limit.value))
    } else {
        return Verdict::ok(format!("task limit {} (pids.max)", limit.value))
            .ev(limit.file.clone(), limit.value.to_string());
    };
    verdict
        .ev(limit.file.clone(), limit.value.to_string())
        .why("pids.max counts threads: a Go program blocked in syscalls or cgo grows threads (up to 10000), and go build runs many compilers; at the limit: \"pthread_create failed: Resource temporarily unavailable\"")
        .fix(FixKind::Systemd, "TasksMax=16384")
}

fn show(limit: Option<u64>) -> String {
    limit
        .map(|v| v.to_string())
        .unwrap_or_else(|| "unlimited".to_string())
}

pub fn nofile(ctx: &Context) -> Verdict {
    let Some(limit) = ctx.host.rlimits.as_ref().and_then(|l| l.nofile) else {
        return Verdict::info("open-file limit unknown").ev("/proc/self/limits", "missing");
    };
    let hard = limit.hard.unwrap_or(u64::MAX);
    let text = format!("soft {} hard {}", show(limit.soft), show(limit.hard));
    let verdict = if hard < 4096 {
        Verdict::fail(format!("open files hard limit {hard}"))
    } else if hard < 65535 {
        Verdict::warn(format!("open files hard limit {hard}"))
    } else {
        return Verdict::ok(format!(
            "open files hard limit {}; Go raises the soft limit to it",
            show(limit.hard)
        ))
        .ev("/proc/self/limits Max open files", text);
    };
    verdict
        .ev("/proc/self/limits Max open files", text)
        .why("every connection and file is a descriptor; Go (1.19+) raises the soft limit to the hard one, so the hard limit is the ceiling: \"too many open files\"")
        .fix(FixKind::Limits, "* - nofile 1048576")
        .fix(FixKind::Systemd, "LimitNOFILE=1048576")
}

pub fn nproc(ctx: &Context) -> Verdict {
    let Some(limit) = ctx.host.rlimits.as_ref().and_then(|l| l.nproc) else {
        return Verdict::info("process limit unknown").ev("/proc/self/limits", "missing");
    };
    let text = format!("soft {} hard {}", show(limit.soft), show(limit.hard));
    match limit.soft {
        Some(soft) if soft < 4096 => Verdict::warn(format!("processes/threads limit {soft} for this user"))
            .ev("/proc/self/limits Max processes", text)
            .why("RLIMIT_NPROC counts every thread of the user: parallel go test runs and Go programs with many blocked threads hit \"fork/exec: resource temporarily unavailable\"")
            .fix(FixKind::Limits, "* - nproc 65536")
            .fix(FixKind::Systemd, "LimitNPROC=65536"),
        _ => Verdict::ok(format!("processes/threads limit {}", show(limit.soft)))
            .ev("/proc/self/limits Max processes", text),
    }
}

pub fn pid_max(ctx: &Context) -> Verdict {
    let Some(value) = ctx.host.sysctl_u64("kernel.pid_max") else {
        return Verdict::info("kernel.pid_max unknown").ev("/proc/sys/kernel/pid_max", "missing");
    };
    if value < 65536 {
        return Verdict::warn(format!("kernel.pid_max = {value}"))
            .ev("/proc/sys/kernel/pid_max", value.to_string())
            .why("process and thread ids run out on busy CI hosts running parallel go test and many Go services")
            .fix(FixKind::Sysctl, "kernel.pid_max = 4194304");
    }
    Verdict::ok(format!("kernel.pid_max = {value}"))
        .ev("/proc/sys/kernel/pid_max", value.to_string())
}

pub fn threads_max(ctx: &Context) -> Verdict {
    let Some(value) = ctx.host.sysctl_u64("kernel.threads-max") else {
        return Verdict::info("kernel.threads-max unknown")
            .ev("/proc/sys/kernel/threads-max", "missing");
    };
    if value < 10000 {
        return Verdict::warn(format!(
            "kernel.threads-max = {value}, below Go's own cap of 10000 threads"
        ))
        .ev("/proc/sys/kernel/threads-max", value.to_string())
        .why("a Go program with many goroutines blocked in syscalls or cgo needs a thread each")
        .fix(FixKind::Sysctl, "kernel.threads-max = 65536");
    }
    Verdict::ok(format!("kernel.threads-max = {value}"))
        .ev("/proc/sys/kernel/threads-max", value.to_string())
}

pub fn file_nr(ctx: &Context) -> Verdict {
    let Some(text) = ctx.host.sysctl("fs.file-nr") else {
        return Verdict::info("fs.file-nr unknown").ev("/proc/sys/fs/file-nr", "missing");
    };
    let numbers: Vec<u64> = text
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    let (Some(allocated), Some(max)) = (numbers.first().copied(), numbers.get(2).copied()) else {
        return Verdict::info(format!("fs.file-nr = {text} (not parsed)"))
            .ev("/proc/sys/fs/file-nr", text);
    };
    let used = allocated as f64 / max.max(1) as f64;
    let verdict = if used > 0.95 {
        Verdict::fail(format!(
            "{allocated} of {max} system-wide file handles in use"
        ))
    } else if used > 0.8 {
        Verdict::warn(format!(
            "{allocated} of {max} system-wide file handles in use"
        ))
    } else {
        return Verdict::ok(format!(
            "{:.1}% of system-wide file handles in use",
            used * 100.0
        ))
        .ev("/proc/sys/fs/file-nr", text);
    };
    verdict
        .ev("/proc/sys/fs/file-nr", text)
        .why("at fs.file-max every open() on the host fails with ENFILE and the kernel logs \"VFS: file-max limit reached\"")
        .fix(FixKind::Sysctl, "fs.file-max = 2097152")
}

pub fn inotify(ctx: &Context) -> Verdict {
    let Some(watches) = ctx.host.sysctl_u64("fs.inotify.max_user_watches") else {
        return Verdict::info("fs.inotify.max_user_watches unknown")
            .ev("/proc/sys/fs/inotify/max_user_watches", "missing");
    };
    if watches < 65536 {
        return Verdict::info(format!("fs.inotify.max_user_watches = {watches}"))
            .ev("/proc/sys/fs/inotify/max_user_watches", watches.to_string())
            .why("editors, gopls and file-watching dev servers need a watch per directory; large module trees exhaust a small limit (\"no space left on device\" from inotify_add_watch)")
            .fix(FixKind::Sysctl, "fs.inotify.max_user_watches = 524288");
    }
    Verdict::ok(format!("fs.inotify.max_user_watches = {watches}"))
        .ev("/proc/sys/fs/inotify/max_user_watches", watches.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_125_rule() {
        assert_eq!(go125_maxprocs(1.5, 64), 2);
        assert_eq!(go125_maxprocs(0.5, 64), 2);
        assert_eq!(go125_maxprocs(2.5, 64), 3);
        assert_eq!(go125_maxprocs(8.0, 4), 4);
        assert_eq!(go125_maxprocs(3.0, 1), 1);
    }
}
