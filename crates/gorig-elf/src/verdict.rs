//! Will a binary run on a target? The known ways a Go (or any ELF) binary fails on
//! another machine, each checked against what the target is known to have:
//!
//! - another architecture;
//! - the loader it names (PT_INTERP) is missing: the shell says "no such file or
//!   directory" for a file that exists (a glibc binary on Alpine);
//! - `GLIBC_x.y` symbol versions newer than the target's glibc;
//! - libraries (DT_NEEDED) the target does not have;
//! - a CPU level (GOAMD64, GOARM64 LSE) above the target's CPU;
//! - a kernel older than the Go version's minimum (3.2 for Go 1.24+, 2.6.32 before).
//!
//! and warnings that do not stop it from starting: Go before 1.25 (or
//! `containermaxprocs=0`) on a CPU-limited machine, and cgo versus pure-Go name
//! resolution against the target's nsswitch.conf. What a target does not tell (a profile
//! has no CPU) is reported as unknown, never guessed; what is assumed (a tree's kernel
//! from its release) is said.
//!
//! A target with a file tree is judged by the loader's own search ([`crate::loader`]):
//! libraries as the loader finds them, of the program's class and machine, and every
//! symbol version needed from any of them. A profile is judged by the versions its
//! release's base libraries define.

use serde::Serialize;

use crate::loader::{self, FoundLibrary, Place, TargetFiles};
use crate::profiles::Profile;
use crate::{BinaryFacts, LibcKind};
use gorig_version::GoVersion;

/// The C library of a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "version")]
pub enum TargetLibc {
    Glibc(Option<(u32, u32)>),
    Musl,
    /// No C library at all (scratch or distroless static images).
    None,
    Unknown,
}

/// What is known about a machine a binary should run on.
pub struct Target<'a> {
    /// `host`, `rhel8`, `/mnt/image`.
    pub name: String,
    /// The GOARCH of the machine; `None`: assumed to be the binary's.
    pub goarch: Option<String>,
    pub libc: TargetLibc,
    pub kernel: Option<(u32, u32)>,
    /// What the kernel was taken from when the target does not say (a tree without
    /// `/proc`): its release's kernel, or its `lib/modules`.
    pub kernel_assumed: Option<String>,
    /// x86-64 level and the first flag missing for the next one.
    pub amd64_level: Option<(u8, Option<String>)>,
    pub arm64_lse: Option<bool>,
    /// The machine's files, when it has a tree to look in.
    pub files: Option<&'a dyn TargetFiles>,
    /// A Debian-family tree: the loader's multiarch directories.
    pub multiarch: bool,
    /// The release profile the target is (its base libraries' versions).
    pub profile: Option<&'static Profile>,
    /// `(quota cores, usable CPUs)` when a CPU quota binds below the CPU count.
    pub cpu_quota: Option<(f64, u32)>,
    pub nsswitch_hosts: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Runs,
    WontRun,
    Unknown,
}

impl Outcome {
    pub fn text(self) -> &'static str {
        match self {
            Outcome::Runs => "runs",
            Outcome::WontRun => "won't run",
            Outcome::Unknown => "unknown",
        }
    }
}

/// What a reason does to the verdict (JSON: the lower-case name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// The binary will not run.
    Blocker,
    /// The verdict stays open.
    Unknown,
    /// It runs, but something is worth knowing.
    Warning,
    /// What the verdict took for granted.
    Assumed,
}

/// One reason, with its effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// `arch`, `loader`, `glibc`, `library`, `cpu`, `kernel`, `gomaxprocs`, `dns`.
    pub check: &'static str,
    pub effect: Effect,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub target: String,
    /// The architecture judged: the target's, else the binary's own.
    pub arch: Option<String>,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    /// The libraries the target's loader would load, and how it finds each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub libraries: Vec<FoundLibrary>,
}

/// Libraries that are part of the C library itself (musl's loader answers its reserved
/// names with itself).
fn is_libc_part(name: &str) -> bool {
    if loader::musl_reserved(name) {
        return true;
    }
    [
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
        "libresolv.so.2",
        "libutil.so.1",
        "libanl.so.1",
        "libcrypt.so.1",
    ]
    .contains(&name)
        || name.starts_with("ld-linux")
        || name.starts_with("ld64.so")
}

/// Whether `binary` runs on `target`; `place` is where the binary is (its `$ORIGIN`),
/// when known.
/// How to make a glibc binary run on a musl system: a Go program drops cgo; a C program
/// is rebuilt, since `CGO_ENABLED` means nothing to its build.
fn musl_advice(binary: &BinaryFacts) -> &'static str {
    if binary.go.is_some() {
        "build it with CGO_ENABLED=0, or against musl if it needs C code; or install gcompat"
    } else {
        "build it against musl or statically; or install gcompat"
    }
}

pub fn verdict(binary: &BinaryFacts, place: Option<&Place>, target: &Target) -> Verdict {
    let mut warnings: Vec<Reason> = Vec::new();
    let mut warn = |check, message: String| {
        warnings.push(Reason {
            check,
            effect: Effect::Warning,
            message,
        })
    };
    let mut reasons = Vec::new();
    let mut block = |check, message: String| {
        reasons.push(Reason {
            check,
            effect: Effect::Blocker,
            message,
        })
    };
    let mut soft: Vec<Reason> = Vec::new();
    let mut notes: Vec<Reason> = Vec::new();
    let mut unknown = |check, message: String| {
        soft.push(Reason {
            check,
            effect: Effect::Unknown,
            message,
        })
    };

    // Architecture.
    match (&binary.goarch, &target.goarch) {
        // 64-bit kernels run their 32-bit sibling's programs when built with compat
        // support, as every major distribution's are.
        (Some(built), Some(machine))
            if (built == "386" && machine == "amd64") || (built == "arm" && machine == "arm64") =>
        {
            warn(
                "arch",
                format!(
                    "a 32-bit {built} binary on {machine}: needs the kernel's 32-bit support (IA32_EMULATION / COMPAT)"
                ),
            )
        }
        (Some(built), Some(machine)) if built != machine => block(
            "arch",
            format!("built for {built}, this machine is {machine}"),
        ),
        (None, Some(machine)) => block(
            "arch",
            format!(
                "built for {} (e_machine {}), this machine is {machine}",
                binary.machine_name, binary.machine
            ),
        ),
        _ => {}
    }

    let mut libraries = Vec::new();
    // The loader.
    let mut loader_present = true;
    if let Some(interp) = &binary.interpreter {
        match target.files {
            Some(files) => {
                if !files.exists(interp) {
                    loader_present = false;
                    let musl_here = matches!(target.libc, TargetLibc::Musl);
                    let hint = if musl_here && binary.libc == LibcKind::Glibc {
                        format!(
                            " (a musl system: exec fails with \"no such file or directory\"; {})",
                            musl_advice(binary)
                        )
                    } else {
                        " (exec fails with \"no such file or directory\")".to_string()
                    };
                    block("loader", format!("the loader {interp} is missing{hint}"));
                }
            }
            None => match (&target.libc, binary.libc) {
                (TargetLibc::Musl, LibcKind::Glibc) => block(
                    "loader",
                    format!(
                        "{interp} is glibc's loader and {} has only musl ({})",
                        target.name,
                        musl_advice(binary)
                    ),
                ),
                (TargetLibc::Glibc(_), LibcKind::Musl) => block(
                    "loader",
                    format!("{interp} is musl's loader and {} has glibc", target.name),
                ),
                (TargetLibc::None, _) => block(
                    "loader",
                    format!("{} has no C library or loader", target.name),
                ),
                _ => {}
            },
        }
    }

    // Libraries and symbol versions: by the tree's own loader where there is a tree.
    let flavor = match (&target.libc, binary.libc) {
        (TargetLibc::Glibc(version), LibcKind::Glibc) => Some(loader::Flavor::Glibc {
            multiarch: target.multiarch,
            version: *version,
        }),
        (TargetLibc::Musl, LibcKind::Musl) => Some(loader::Flavor::Musl),
        _ => None,
    };
    let judged_by_tree = target.files.is_some() && flavor.is_some() && binary.is_dynamic();
    if let (Some(files), Some(flavor)) = (target.files, &flavor)
        && binary.is_dynamic()
        && loader_present
    {
        let unknown_place = Place::Target(String::new());
        let report = loader::load(binary, place.unwrap_or(&unknown_place), flavor, files);
        let origin_unknown = place.is_none()
            && binary
                .runpath
                .iter()
                .chain(&binary.rpath)
                .any(|e| e.contains("ORIGIN"));
        for problem in report.problems {
            if problem.blocker && origin_unknown && problem.check == "library" {
                unknown(
                    problem.check,
                    format!(
                        "{} (its $ORIGIN is unknown: where will the binary be?)",
                        problem.message
                    ),
                );
            } else if problem.blocker {
                block(problem.check, problem.message);
            } else {
                warn(problem.check, problem.message);
            }
        }
        libraries = report.libraries;
    }

    // Without a tree: glibc symbol versions against the target's glibc, and the
    // versions of the profile's base libraries.
    if !judged_by_tree {
        if let Some(((major, minor), name)) = binary.glibc_needed() {
            match &target.libc {
                TargetLibc::Glibc(Some(have)) if (major, minor) > *have => block(
                    "glibc",
                    format!(
                        "needs {name}, {} has glibc {}.{}",
                        target.name, have.0, have.1
                    ),
                ),
                TargetLibc::Glibc(None) | TargetLibc::Unknown => unknown(
                    "glibc",
                    format!(
                        "needs {name}; the glibc version of {} is unknown",
                        target.name
                    ),
                ),
                _ => {}
            }
        }
        let arch = target
            .goarch
            .clone()
            .or_else(|| binary.goarch.clone())
            .unwrap_or_default();
        let extra: Vec<&String> = binary.needed.iter().filter(|n| !is_libc_part(n)).collect();
        let mut outside_base: Vec<&str> = Vec::new();
        for library in extra {
            let Some(profile) = target.profile.filter(|p| p.ships(library)) else {
                outside_base.push(library);
                continue;
            };
            // Versions are judged on glibc only: musl's loader does not check them.
            if profile.musl {
                continue;
            }
            for need in binary.version_needs.iter().filter(|n| n.file == *library) {
                for version in &need.versions {
                    let Some((prefix, _)) = version.rsplit_once('_') else {
                        continue;
                    };
                    let Some(Some(have)) = profile.library_version(library, &arch, prefix) else {
                        continue;
                    };
                    if loader::version_numbers(version) > loader::version_numbers(have) {
                        let weak = need.weak.contains(version);
                        let message = format!(
                            "needs {version} from {library}; {} has up to {have}",
                            target.name
                        );
                        if weak {
                            warn("version", format!("{message} (a weak need: it starts)"));
                        } else {
                            block("version", message);
                        }
                    }
                }
            }
        }
        if !outside_base.is_empty() {
            let message = format!(
                "needs {} (not part of the C library or {}'s base; install it there)",
                outside_base.join(", "),
                target.name
            );
            if target.files.is_some() && !binary.is_dynamic() {
                unknown("library", message);
            } else {
                warn("library", message);
            }
        }
    }

    // CPU level.
    if let Some(level) = binary.goamd64().filter(|l| *l > 1) {
        match &target.amd64_level {
            Some((have, missing)) if *have < level => block(
                "cpu",
                format!(
                    "built with GOAMD64=v{level}; this CPU is x86-64-v{have}{}: \"This program can only be run on AMD64 processors with v{level} microarchitecture support.\"",
                    missing
                        .as_ref()
                        .map(|m| format!(" (lacks {m})"))
                        .unwrap_or_default()
                ),
            ),
            None => unknown(
                "cpu",
                format!("built with GOAMD64=v{level}: needs an x86-64-v{level} CPU"),
            ),
            _ => {}
        }
    }
    if binary.goarch.as_deref() == Some("arm64")
        && let Some(go) = &binary.go
        && let Some(value) = go.setting("GOARM64")
        && (value.contains("lse") || !value.starts_with("v8.0"))
    {
        match target.arm64_lse {
            Some(false) => block(
                "cpu",
                format!("built with GOARM64={value}; this CPU has no LSE atomics"),
            ),
            None => unknown(
                "cpu",
                format!("built with GOARM64={value}: needs LSE atomics (ARMv8.1)"),
            ),
            Some(true) => {}
        }
    }

    // Kernel minimum of the Go version.
    let go_version: Option<GoVersion> = binary
        .go
        .as_ref()
        .and_then(|g| g.go_version.split([' ', '-', '+']).next()?.parse().ok());
    if let Some(version) = go_version {
        let needs = if version >= GoVersion::new(1, 24, 0) {
            (3, 2)
        } else {
            (2, 6)
        };
        if let Some(why) = &target.kernel_assumed {
            notes.push(Reason {
                check: "kernel",
                effect: Effect::Assumed,
                message: why.clone(),
            });
        }
        match target.kernel {
            Some(have) if have < needs => block(
                "kernel",
                format!(
                    "{version} needs Linux {}.{} or newer; {} runs {}.{}",
                    needs.0, needs.1, target.name, have.0, have.1
                ),
            ),
            None => unknown(
                "kernel",
                format!(
                    "{version} needs Linux {}.{}; the kernel is unknown",
                    needs.0, needs.1
                ),
            ),
            _ => {}
        }

        // GOMAXPROCS on a CPU-limited machine.
        if let Some((quota, cpus)) = target.cpu_quota {
            let off = binary
                .go
                .as_ref()
                .and_then(|g| g.setting("DefaultGODEBUG"))
                .is_some_and(|d| d.split(',').any(|kv| kv == "containermaxprocs=0"));
            if version < GoVersion::new(1, 25, 0) || off {
                let why = if off {
                    "DefaultGODEBUG has containermaxprocs=0 (go.mod's go line is before 1.25)"
                        .to_string()
                } else {
                    format!("{version} ignores CPU quotas")
                };
                warn(
                    "gomaxprocs",
                    format!(
                        "{why}: GOMAXPROCS={cpus} on a quota of {quota:.2} CPUs throttles; set GOMAXPROCS={}",
                        (quota.floor() as u32).max(1)
                    ),
                );
            }
        }
    }

    // Name resolution.
    if let Some(sources) = &target.nsswitch_hosts {
        let beyond: Vec<&String> = sources
            .iter()
            .filter(|s| !s.starts_with('[') && s.as_str() != "files" && s.as_str() != "dns")
            .collect();
        if !beyond.is_empty() {
            let names: Vec<&str> = beyond.iter().map(|s| s.as_str()).collect();
            if binary.calls_getaddrinfo {
                warn(
                    "dns",
                    format!(
                        "resolves names through the C library, so nsswitch's {} applies (one thread per lookup)",
                        names.join(" ")
                    ),
                );
            } else if binary.go.is_some() {
                warn(
                    "dns",
                    format!(
                        "pure-Go resolver: skips nsswitch's {} (names only they serve do not resolve)",
                        names.join(" ")
                    ),
                );
            }
        }
    }

    let outcome = if !reasons.is_empty() {
        Outcome::WontRun
    } else if !soft.is_empty() {
        Outcome::Unknown
    } else {
        Outcome::Runs
    };
    reasons.extend(soft);
    reasons.extend(warnings);
    reasons.extend(notes);
    Verdict {
        target: target.name.clone(),
        arch: target.goarch.clone().or_else(|| binary.goarch.clone()),
        outcome,
        reasons,
        libraries,
    }
}
