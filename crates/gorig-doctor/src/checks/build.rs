//! Checks of what `go build` and `go test` need from the host: a C compiler and headers
//! for cgo, git, an executable temporary directory, free space and writable caches.

use super::{Verdict, install_command};
use crate::{Context, FixKind, human_bytes};

/// Below this much free space a build fails soon; below `WARN_FREE` it is at risk.
const FAIL_FREE: u64 = 1 << 30;
const WARN_FREE: u64 = 5 << 30;
const WARN_INODES: u64 = 10_000;

pub fn c_compiler(ctx: &Context) -> Verdict {
    if let Some((source, value)) = ctx.go_setting("CGO_ENABLED")
        && value == "0"
    {
        return Verdict::info("cgo is disabled (CGO_ENABLED=0)")
            .ev(source, "CGO_ENABLED=0")
            .why("builds are static and need no C compiler, but -race, plugins and packages with C code do not build");
    }
    let wanted = ctx
        .var("CC")
        .and_then(|cc| cc.split_whitespace().next())
        .map(str::to_string);
    let candidates: Vec<&str> = match &wanted {
        Some(cc) => vec![cc.as_str()],
        None => vec!["gcc", "cc", "clang"],
    };
    let found = candidates
        .iter()
        .find_map(|name| ctx.host.tool(name).filter(|t| t.path.is_some()));
    let Some(tool) = found else {
        let looked = candidates.join(", ");
        return Verdict::warn("no C compiler: cgo is off, -race and packages with C code do not build")
            .ev("PATH", format!("no {looked}"))
            .why("the go command turns cgo off when it finds no C compiler, so net and os/user switch to pure Go and `go test -race` fails with \"-race requires cgo\"")
            .fix(FixKind::Command, super::os::c_compiler_install(ctx));
    };
    let path = tool.path.clone().unwrap_or_default();
    let version_line = tool.version.clone();
    if let Some(line) = &version_line
        && line.contains("gcc")
        && let Some((major, minor)) = first_version(line)
        && (major, minor) < (4, 6)
    {
        return Verdict::fail(format!(
            "{} is older than gcc 4.6, which cgo needs",
            tool.name
        ))
        .ev(format!("{path} --version"), line.clone())
        .why("cgo needs gcc 4.6 or newer")
        .fix(
            FixKind::Command,
            install_command(ctx, "gcc", "gcc-toolset-13", "build-base"),
        );
    }
    let headers = ["/usr/include/stdlib.h", "/usr/local/include/stdlib.h"];
    let has_headers = headers
        .iter()
        .any(|h| ctx.host.paths.iter().any(|p| p.path == *h && p.exists));
    let headers_probed = ctx.host.paths.iter().any(|p| p.label == "C headers");
    let shown = version_line.clone().unwrap_or_else(|| "found".to_string());
    if headers_probed && !has_headers {
        return Verdict::warn(format!("{} found but no C library headers", tool.name))
            .ev(format!("{path} --version"), shown)
            .ev("/usr/include/stdlib.h", "missing")
            .why("cgo fails with \"stdlib.h: No such file or directory\"")
            .fix(
                FixKind::Command,
                install_command(ctx, "libc6-dev", "glibc-devel", "musl-dev"),
            );
    }
    Verdict::ok(format!(
        "C compiler for cgo: {}",
        version_line.unwrap_or_else(|| path.clone())
    ))
    .ev(format!("{path} --version"), shown)
}

/// The first `X.Y` number in a line such as `gcc (Debian 12.2.0-14) 12.2.0`.
fn first_version(line: &str) -> Option<(u32, u32)> {
    line.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|w| w.contains('.'))
        .find_map(gorig_host::libc::parse_major_minor)
}

pub fn git(ctx: &Context) -> Verdict {
    let Some(tool) = ctx.host.tool("git").filter(|t| t.path.is_some()) else {
        return Verdict::warn("git not found")
            .ev("PATH", "no git")
            .why("modules fetched directly from version control (GOPRIVATE, GOPROXY=direct, GONOPROXY) need git, and `go build` stamps VCS info only with it")
            .fix(FixKind::Command, install_command(ctx, "git", "git", "git"));
    };
    let path = tool.path.clone().unwrap_or_default();
    let Some(line) = tool.version.clone() else {
        return Verdict::ok(format!("git at {path}")).ev("PATH", path);
    };
    let needs_224 = ctx
        .go_version()
        .is_some_and(|v| *v >= gorig_version::GoVersion::new(1, 25, 0));
    if let Some(version) = first_version(&line)
        && needs_224
        && version < (2, 24)
    {
        return Verdict::warn(format!("{line}: Go 1.25 and later need git 2.24 or newer"))
            .ev(format!("{path} --version"), line.clone())
            .why("the go command's VCS fetches and build stamping use git options added in 2.24")
            .fix(FixKind::Command, install_command(ctx, "git", "git", "git"));
    }
    Verdict::ok(line.clone()).ev(format!("{path} --version"), line)
}

pub fn tmpdir(ctx: &Context) -> Verdict {
    let Some(tmp) = ctx.host.path("GOTMPDIR") else {
        return Verdict::info("temporary directory not probed");
    };
    let mount = tmp
        .mount_point
        .clone()
        .map(|m| format!("{m} ({})", tmp.fstype.clone().unwrap_or_default()))
        .unwrap_or_else(|| "unknown mount".to_string());
    let fix_dir = "/var/tmp/go-build";
    if tmp.noexec {
        return Verdict::fail(format!("{} is on a noexec mount: `go test` and `go run` cannot start what they build", tmp.path))
            .ev("/proc/self/mountinfo", format!("{mount} noexec"))
            .why("go test builds the test binary in GOTMPDIR (else TMPDIR, else /tmp) and executes it there: \"fork/exec /tmp/go-build.../x.test: permission denied\"")
            .fix(FixKind::Env, format!("GOTMPDIR={fix_dir}"))
            .fix(FixKind::Command, format!("mkdir -p {fix_dir}"));
    }
    if tmp.read_only {
        return Verdict::fail(format!("{} is on a read-only mount", tmp.path))
            .ev("/proc/self/mountinfo", format!("{mount} ro"))
            .why("every go build writes its work directory there")
            .fix(FixKind::Env, format!("GOTMPDIR={fix_dir}"));
    }
    if tmp.mount_point.is_none() {
        return Verdict::info(format!(
            "{}: not checked, the mount table does not say where it is",
            tmp.path
        ))
        .ev("/proc/self/mountinfo", "missing or without that path");
    }
    match tmp.writable {
        Some(false) => Verdict::fail(format!("{} is not writable by this user", tmp.path))
            .ev(tmp.path.clone(), "access(W_OK) failed")
            .why("every go build writes its work directory there")
            .fix(FixKind::Env, format!("GOTMPDIR={fix_dir}")),
        Some(true) => Verdict::ok(format!("{} is writable and executable", tmp.path))
            .ev("/proc/self/mountinfo", mount),
        // Under --root only the mount options can be read.
        None => Verdict::info(format!(
            "{} is on a mount without noexec or ro; write access not checked under --root",
            tmp.path
        ))
        .ev("/proc/self/mountinfo", mount),
    }
}

pub fn disk(ctx: &Context) -> Verdict {
    let measured: Vec<_> = ctx
        .host
        .paths
        .iter()
        .filter(|p| ["GOCACHE", "GOMODCACHE", "GOTMPDIR", "GORIG_HOME"].contains(&p.label.as_str()))
        .collect();
    if measured.iter().all(|p| p.free_bytes.is_none()) {
        return Verdict::info("free space not measured (only on the live host)");
    }
    let mut worst = crate::Severity::Ok;
    let mut verdict_lines = Vec::new();
    let mut evidence = Vec::new();
    let mut seen_mounts: Vec<String> = Vec::new();
    for p in &measured {
        let Some(free) = p.free_bytes else { continue };
        let inodes = p.free_inodes.unwrap_or(u64::MAX);
        evidence.push((
            format!("statvfs {} ({})", p.path, p.label),
            format!(
                "{} free, {} inodes",
                human_bytes(free),
                if inodes == u64::MAX {
                    "?".to_string()
                } else {
                    inodes.to_string()
                }
            ),
        ));
        let mount = p.mount_point.clone().unwrap_or_else(|| p.path.clone());
        if seen_mounts.contains(&mount) {
            continue;
        }
        seen_mounts.push(mount);
        let severity = if free < FAIL_FREE {
            crate::Severity::Fail
        } else if free < WARN_FREE || inodes < WARN_INODES {
            crate::Severity::Warn
        } else {
            crate::Severity::Ok
        };
        if severity > crate::Severity::Ok {
            verdict_lines.push(format!("{} has {} free", p.path, human_bytes(free)));
        }
        worst = worst.max(severity);
    }
    let mut verdict = match worst {
        crate::Severity::Ok => {
            Verdict::ok("enough free space for caches and temporary files (5 GiB or more)")
        }
        crate::Severity::Fail => Verdict::fail(verdict_lines.join("; ")),
        _ => Verdict::warn(verdict_lines.join("; ")),
    };
    if worst > crate::Severity::Ok {
        verdict = verdict
            .why("the build cache, module cache and test binaries of a medium project take gigabytes; builds fail with \"no space left on device\"")
            .fix(FixKind::Command, "go clean -cache -testcache")
            .fix(FixKind::Env, "GOCACHE=<a directory on a larger filesystem>");
    }
    for (source, value) in evidence {
        verdict = verdict.ev(source, value);
    }
    verdict
}

pub fn caches_writable(ctx: &Context) -> Verdict {
    let caches: Vec<_> = ctx
        .host
        .paths
        .iter()
        .filter(|p| p.label == "GOCACHE" || p.label == "GOMODCACHE")
        .collect();
    if caches.iter().all(|p| p.writable.is_none()) {
        return Verdict::info("cache permissions not checked (only on the live host)");
    }
    let blocked: Vec<_> = caches
        .iter()
        .filter(|p| p.writable == Some(false))
        .collect();
    let mut verdict = if blocked.is_empty() {
        Verdict::ok("GOCACHE and GOMODCACHE are writable")
    } else {
        let names: Vec<String> = blocked
            .iter()
            .map(|p| format!("{} ({})", p.label, p.path))
            .collect();
        Verdict::fail(format!("not writable by this user: {}", names.join(", ")))
            .why("every go build writes the build cache and go mod download writes the module cache; a cache owned by root after `sudo go ...` is the usual cause")
            .fix(FixKind::Command, format!("sudo chown -R \"$(id -u):$(id -g)\" {}", blocked.iter().map(|p| p.path.clone()).collect::<Vec<_>>().join(" ")))
    };
    for p in caches {
        verdict = verdict.ev(
            format!("access({}, W_OK)", p.path),
            match p.writable {
                Some(true) => "writable",
                Some(false) => "denied",
                None => "unknown",
            },
        );
    }
    verdict
}
