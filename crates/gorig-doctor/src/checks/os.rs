//! Checks of the operating system (distribution, kernel, C library, CPU level) and of the
//! Go toolchains gorig manages on it.

use gorig_host::libc::LibcKind;
use gorig_host::os_release::Family;
use gorig_version::GoVersion;

use super::{Verdict, install_command};
use crate::{Context, FixKind};

pub fn distro(ctx: &Context) -> Verdict {
    match &ctx.host.os {
        Some(os) if os.family == Family::Unknown => {
            Verdict::info(format!("{} (family not recognised)", os.display_name()))
                .ev(&os.source, format!("ID={} ID_LIKE={}", os.id, os.id_like.join(" ")))
                .why("fixes are written for Debian, RHEL, Fedora, Amazon, SUSE, Alpine and Arch families; package names may differ here")
        }
        Some(os) => Verdict::ok(format!("{} ({} family)", os.display_name(), os.family.name()))
            .ev(
                &os.source,
                format!(
                    "ID={}{}{}",
                    os.id,
                    os.version_id
                        .as_ref()
                        .map(|v| format!(" VERSION_ID={v}"))
                        .unwrap_or_default(),
                    if os.id_like.is_empty() {
                        String::new()
                    } else {
                        format!(" ID_LIKE={}", os.id_like.join(" "))
                    }
                ),
            )
            .why("the distribution decides package names, paths and defaults in the fixes below"),
        None => Verdict::warn("no os-release: the distribution is unknown")
            .ev("/etc/os-release, /usr/lib/os-release", "missing")
            .why("without it gorig cannot name packages or tell which C library and defaults to expect")
            .fix(FixKind::Manual, "restore /etc/os-release (package base-files, *-release or os-release)"),
    }
}

/// The Go version the kernel rules are judged for: the selected one, else the newest
/// installed, else "current Go" (1.24 and later).
fn judged_go(ctx: &Context) -> (GoVersion, String) {
    if let Some(v) = ctx.go_version() {
        return (v.clone(), v.to_string());
    }
    if let Some(v) = ctx.toolchain.installed.iter().max() {
        return (v.clone(), v.to_string());
    }
    (GoVersion::new(1, 24, 0), "current Go releases".to_string())
}

pub fn kernel(ctx: &Context) -> Verdict {
    let Some(release) = ctx.host.kernel.as_deref() else {
        return Verdict::info("kernel version unknown")
            .ev("/proc/sys/kernel/osrelease", "missing")
            .why("Go 1.24 and later need Linux 3.2 or newer");
    };
    let Some((major, minor)) = ctx.host.kernel_version() else {
        return Verdict::info(format!("kernel {release} (version not parsed)"))
            .ev("/proc/sys/kernel/osrelease", release);
    };
    let (go, go_name) = judged_go(ctx);
    let kernel = (major, minor);
    let needs = if go >= GoVersion::new(1, 24, 0) {
        (3, 2)
    } else {
        (2, 6)
    };
    if kernel < needs {
        return Verdict::fail(format!(
            "kernel {release} is older than Linux {}.{}, which {go_name} needs",
            needs.0, needs.1
        ))
        .ev("/proc/sys/kernel/osrelease", release)
        .why("Go programs and the go command itself may crash or fail at start on older kernels")
        .fix(
            FixKind::Manual,
            "upgrade the kernel, or use Go 1.23 (the last release that supports Linux 2.6.32)",
        );
    }
    if go >= GoVersion::new(1, 24, 0) && kernel < (3, 17) {
        return Verdict::info(format!("kernel {release}: no getrandom(2), Go reads /dev/urandom"))
            .ev("/proc/sys/kernel/osrelease", release)
            .why("crypto/rand falls back to /dev/urandom before Linux 3.17; a sandbox that hides /dev must allow it");
    }
    Verdict::ok(format!("kernel {release} (Go needs 3.2 or newer)"))
        .ev("/proc/sys/kernel/osrelease", release)
}

pub fn libc(ctx: &Context) -> Verdict {
    let libc = &ctx.host.libc;
    let source = libc
        .source
        .clone()
        .unwrap_or_else(|| "library directories".to_string());
    let version = libc
        .version
        .clone()
        .unwrap_or_else(|| "version unknown".to_string());
    match libc.kind {
        LibcKind::Glibc => Verdict::ok(format!("glibc {version}"))
            .ev(source, format!("glibc {version}"))
            .why("cgo binaries built here need glibc of this version or newer wherever they run; `gorig inspect` tells"),
        LibcKind::Musl => Verdict::info(format!("musl {version}"))
            .ev(source, format!("musl {version}"))
            .why("official Go toolchains are static and run here, but cgo binaries built on glibc hosts do not, and cgo binaries built here need musl where they run")
            .fix(FixKind::Env, "CGO_ENABLED=0")
            .fix(FixKind::Command, "apk add build-base"),
        LibcKind::Unknown => Verdict::info("no C library found (distroless or scratch image?)")
            .ev("/lib, /lib64, /usr/lib", "no libc.so.6 or ld-musl-*.so.1")
            .why("only statically linked Go binaries (CGO_ENABLED=0) run on a host without a C library"),
    }
}

pub fn cpu_level(ctx: &Context) -> Verdict {
    let Some(cpu) = &ctx.host.cpu else {
        return Verdict::info("CPU features unknown").ev("/proc/cpuinfo", "missing");
    };
    let model = cpu.model_name.clone().unwrap_or_default();
    if let Some(level) = cpu.amd64_level {
        let missing = cpu
            .amd64_next_missing
            .as_ref()
            .map(|m| format!(" (v{} needs `{m}`)", level + 1))
            .unwrap_or_default();
        let evidence = format!(
            "x86-64-v{level}{missing}{}",
            if model.is_empty() {
                String::new()
            } else {
                format!(", {model}")
            }
        );
        if let Some((source, value)) = ctx.go_setting("GOAMD64") {
            let wanted: Option<u8> = value.trim_start_matches('v').parse().ok();
            if let Some(wanted) = wanted
                && wanted > level
            {
                return Verdict::fail(format!("GOAMD64={value} but this CPU is x86-64-v{level}"))
                    .ev("/proc/cpuinfo flags", evidence)
                    .ev(source, value.clone())
                    .why(format!("binaries built here stop at start with \"This program can only be run on AMD64 processors with {value} microarchitecture support.\""))
                    .fix(FixKind::Env, format!("GOAMD64=v{level}"));
            }
        }
        return Verdict::ok(format!(
            "x86-64-v{level}: binaries built with GOAMD64=v{level} or lower run here"
        ))
        .ev("/proc/cpuinfo flags", evidence)
        .why("a binary built with a higher GOAMD64 refuses to start on this CPU");
    }
    if let Some(lse) = cpu.arm64_lse {
        let crypto = cpu.arm64_crypto.unwrap_or(false);
        let level = if lse {
            "v8.1 (LSE atomics)"
        } else {
            "v8.0 (no LSE atomics)"
        };
        let evidence = format!("atomics={} crypto={}", lse, crypto);
        if let Some((source, value)) = ctx.go_setting("GOARM64")
            && !lse
            && value != "v8.0"
            && !value.starts_with("v8.0,")
        {
            return Verdict::fail(format!("GOARM64={value} but this CPU has no LSE atomics (v8.0)"))
                .ev("/proc/cpuinfo Features", evidence)
                .ev(source, value)
                .why("binaries built for ARMv8.1 or later use LSE instructions this CPU lacks and die with SIGILL")
                .fix(FixKind::Env, "GOARM64=v8.0");
        }
        return Verdict::ok(format!(
            "arm64 {level}{}",
            if crypto { ", crypto" } else { "" }
        ))
        .ev("/proc/cpuinfo Features", evidence)
        .why("GOARM64 above what the CPU implements makes binaries die with SIGILL");
    }
    if let Some(goarm) = cpu.goarm {
        if let Some((source, value)) = ctx.go_setting("GOARM") {
            let wanted: Option<u8> = value.split(',').next().and_then(|v| v.parse().ok());
            if let Some(wanted) = wanted
                && wanted > goarm
            {
                return Verdict::fail(format!("GOARM={value} but this CPU supports GOARM={goarm}"))
                    .ev("/proc/cpuinfo Features", format!("GOARM {goarm}"))
                    .ev(source, value)
                    .why("the runtime refuses to start: \"this CPU has no VFPv3 floating point hardware\"")
                    .fix(FixKind::Env, format!("GOARM={goarm}"));
            }
        }
        return Verdict::ok(format!("32-bit ARM: GOARM={goarm} or lower runs here"))
            .ev("/proc/cpuinfo Features", format!("GOARM {goarm}"));
    }
    Verdict::ok(format!("{} processors", cpu.processors)).ev("/proc/cpuinfo", model)
}

pub fn installed(ctx: &Context) -> Verdict {
    if !ctx.toolchain.probed {
        return not_probed();
    }
    let store = ctx
        .toolchain
        .store
        .clone()
        .unwrap_or_else(|| "$GORIG_HOME".to_string());
    if ctx.toolchain.installed.is_empty() {
        return Verdict::warn("no Go toolchain installed by gorig")
            .ev(format!("{store}/versions"), "empty")
            .why("`go` through gorig's shims has nothing to run")
            .fix(FixKind::Command, "gorig install");
    }
    let mut list: Vec<&GoVersion> = ctx.toolchain.installed.iter().collect();
    list.sort();
    list.reverse();
    let names: Vec<String> = list.iter().map(|v| v.to_string()).collect();
    Verdict::ok(format!("{} installed: {}", names.len(), names.join(", ")))
        .ev(format!("{store}/versions"), names.join(" "))
}

pub fn selected(ctx: &Context) -> Verdict {
    if !ctx.toolchain.probed {
        return not_probed();
    }
    match (&ctx.toolchain.selected, &ctx.toolchain.selection_problem) {
        (Some(sel), _) if sel.installed => Verdict::ok(format!("{} ({})", sel.version, sel.reason))
            .ev(sel.reason.clone(), sel.version.to_string()),
        (Some(sel), _) => Verdict::fail(format!("{} is pinned but not installed", sel.version))
            .ev(sel.reason.clone(), sel.version.to_string())
            .why("`go` through gorig fails here until it is installed (or installs it with GORIG_AUTO_INSTALL=1)")
            .fix(FixKind::Command, format!("gorig install {}", sel.version)),
        (None, Some(problem)) => {
            let verdict = Verdict::warn("no Go toolchain selected here")
                .ev("pin files and the default", problem.clone())
                .why("`go` through gorig has nothing to run in this directory");
            match &ctx.toolchain.broken_pin {
                // The file is what to mend; `gorig use` would not touch a go.mod.
                Some(pin) => verdict.fix(
                    FixKind::Manual,
                    match pin.line {
                        Some(line) => format!("edit {} line {line}: {}", pin.place, pin.hint),
                        None => format!("mend {}: {}", pin.place, pin.hint),
                    },
                ),
                None => verdict.fix(FixKind::Command, "gorig use <version>"),
            }
        }
        (None, None) => Verdict::warn("no Go toolchain selected here")
            .ev("pin files and the default", "none")
            .fix(FixKind::Command, "gorig use <version>"),
    }
}

pub fn goroot_env(ctx: &Context) -> Verdict {
    if !ctx.toolchain.probed {
        return not_probed();
    }
    let Some(sel) = ctx.toolchain.selected.as_ref().filter(|s| s.installed) else {
        return Verdict::info("no installed toolchain selected; go.env not checked");
    };
    let goroot = sel.goroot.clone().unwrap_or_default();
    match &ctx.toolchain.goroot_env {
        Some(file) => {
            let shown: Vec<String> = ["GOPROXY", "GOSUMDB", "GOTOOLCHAIN"]
                .iter()
                .filter_map(|k| file.values.get(*k).map(|v| format!("{k}={v}")))
                .collect();
            Verdict::ok(format!("{} ships go.env", sel.version)).ev(&file.path, shown.join(" "))
        }
        None => Verdict::warn(format!("{} has no $GOROOT/go.env", sel.version))
            .ev(format!("{goroot}/go.env"), "missing")
            .why("without it GOPROXY, GOSUMDB and GOTOOLCHAIN lose Go's defaults (direct fetches, no checksum database, GOTOOLCHAIN=local): a repackaged toolchain?")
            .fix(FixKind::Command, format!("gorig install --force {}", sel.version)),
    }
}

pub fn module_settings(ctx: &Context) -> Verdict {
    if !ctx.toolchain.probed {
        return not_probed();
    }
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    for key in [
        "GOPROXY",
        "GOSUMDB",
        "GONOSUMDB",
        "GOPRIVATE",
        "GOINSECURE",
        "GOFLAGS",
    ] {
        if let Some((source, value)) = ctx.go_setting(key) {
            evidence.push((source.clone(), format!("{key}={value}")));
            match key {
                "GOPROXY" if value == "off" => problems.push((
                    "GOPROXY=off: modules that are not in the module cache cannot be downloaded",
                    "GOPROXY=https://proxy.golang.org,direct",
                )),
                "GOSUMDB" if value == "off" => problems.push((
                    "GOSUMDB=off: downloaded modules are not checked against the checksum database",
                    "GOSUMDB=sum.golang.org (use GOPRIVATE for private modules)",
                )),
                "GOINSECURE" => problems.push((
                    "GOINSECURE: modules matching it are fetched without TLS and checksum checks",
                    "unset GOINSECURE",
                )),
                "GOFLAGS" if value.contains("-insecure") => {
                    problems.push(("GOFLAGS has -insecure", "remove -insecure from GOFLAGS"))
                }
                _ => {}
            }
        }
    }
    let mut verdict = match problems.len() {
        0 => Verdict::ok("module downloads are verified (proxy and checksum database settings)"),
        _ => Verdict::warn(problems.iter().map(|p| p.0).collect::<Vec<_>>().join("; "))
            .why("builds then depend on unverified or unreachable sources"),
    };
    for (source, value) in evidence {
        verdict = verdict.ev(source, value);
    }
    for (_, fix) in problems {
        verdict = verdict.fix(FixKind::Env, fix);
    }
    verdict
}

pub fn go_env(ctx: &Context) -> Verdict {
    if !ctx.toolchain.probed {
        return not_probed();
    }
    let Some(sel) = ctx.toolchain.selected.as_ref().filter(|s| s.installed) else {
        return Verdict::info("no installed toolchain selected; `go env` not run");
    };
    if let Some(error) = &ctx.toolchain.go_env_error {
        return Verdict::fail(format!("`go env` of {} failed", sel.version))
            .ev("go env -json", error.clone())
            .why("every go command reads its environment first; this toolchain will not build anything here")
            .fix(FixKind::Command, format!("gorig install --force {}", sel.version));
    }
    let Some(env) = &ctx.toolchain.go_env else {
        return Verdict::info("`go env` not run (only on the live host)");
    };
    let goroot = env.get("GOROOT").cloned().unwrap_or_default();
    let version = env.get("GOVERSION").cloned().unwrap_or_default();
    if let Some(expected) = &sel.goroot
        && !goroot.is_empty()
        && !same_dir(expected, &goroot)
    {
        return Verdict::fail(format!(
            "`go env GOROOT` is {goroot}, not the selected {expected}"
        ))
        .ev("go env GOROOT", goroot)
        .ev("selected", expected.clone())
        .why("a GOROOT variable or a stale link points go at another toolchain's standard library")
        .fix(FixKind::Env, "unset GOROOT");
    }
    Verdict::ok(format!("go env: {version} at {goroot}"))
        .ev("go env GOROOT", goroot)
        .ev("go env GOVERSION", version)
}

/// The toolchain verdict for a host read under `--root`.
fn not_probed() -> Verdict {
    Verdict::info(
        "not checked under --root: gorig's toolchains and pins belong to this machine, not the tree",
    )
}

/// Paths compared as given: the binary passes canonical paths for both.
fn same_dir(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

pub(crate) fn c_compiler_install(ctx: &Context) -> String {
    install_command(ctx, "gcc libc6-dev", "gcc glibc-devel", "build-base")
}
