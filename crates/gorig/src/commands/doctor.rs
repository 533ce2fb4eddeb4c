//! `gorig doctor`: gathers the host's facts (files under `--root`, in one pass) and the
//! toolchain facts (the store, the pin here, `go env`), runs the checks of
//! `gorig-doctor`, prints the report, and with `--fix` plans or writes the drop-ins.
//!
//! Processes are started only for facts files cannot give (`--version` of the C
//! compiler and git, `go env -json`), only on the live host, and all at once on their
//! own threads while the files are read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

use gorig_doctor::{
    Context, GoEnvFile, Group, HostSummary, Report, SelectedToolchain, Selection, Severity,
    ToolchainFacts, fix,
};
use gorig_host::{HostFacts, HostRoot, ProbeRequest, find_in_path};
use serde_json::json;

use crate::app::App;
use crate::cli::DoctorArgs;
use crate::failure::{Exit, Failure};
use gorig_project::Unselected;

use crate::project;
use crate::settings::Environment;

/// Where tools are looked for under a `--root` tree (the user's PATH is this host's).
const STANDARD_PATH: [&str; 6] = [
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

const TOOLS: [&str; 4] = ["gcc", "cc", "clang", "git"];

pub fn run(app: &App, args: &DoctorArgs) -> Result<(), Failure> {
    if args.list {
        return list(app, args.json);
    }
    let selection = selection(args)?;
    let env = app.env.clone();
    let root = match &args.root {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(Failure::msg(
                    Exit::Usage,
                    format!("--root {}: not a directory", dir.display()),
                )
                .hint("point --root at the top of a host's file tree (the directory holding etc/, proc/, sys/)"));
            }
            HostRoot::new(dir.canonicalize().unwrap_or_else(|_| dir.clone()))
        }
        None => HostRoot::live(),
    };
    let live = root.is_live();

    let toolchain_base = toolchain_facts(app, &env, live);
    let request = probe_request(app, &env, &root);
    let wants = |group: Group| selection.only.is_empty() || selection.only.contains(&group);
    let processes = Processes {
        tool_versions: live && wants(Group::Build),
        go_env: live && wants(Group::Toolchain),
    };
    let (toolchain, host) = gather(&root, &request, toolchain_base, processes);

    let vars = env.to_map();
    let context = Context {
        host: &host,
        toolchain: &toolchain,
        env: &vars,
    };
    let findings = gorig_doctor::run(&context, &selection);
    let report = Report::new(HostSummary::of(&host, &toolchain), findings);

    let fix_outcome = if args.fix {
        Some(apply_fixes(app, &root, &report, args.yes, args.reload)?)
    } else {
        None
    };

    if app.printer.json {
        let mut value =
            serde_json::to_value(&report).map_err(|e| Failure::new(Exit::Internal, e))?;
        if let (Some(outcome), Some(object)) = (&fix_outcome, value.as_object_mut()) {
            object.insert("fix".to_string(), outcome.json.clone());
        }
        app.printer.json_line(&value);
    } else {
        app.printer.out(gorig_doctor::render::human(
            &report,
            args.verbose,
            app.printer.color,
        ));
        if let Some(outcome) = &fix_outcome {
            app.printer.out(&outcome.text);
        }
    }
    match report.worst {
        Severity::Fail => Err(Failure::silent(Exit::DoctorFailures)),
        Severity::Warn => Err(Failure::silent(Exit::DoctorWarnings)),
        _ => Ok(()),
    }
}

fn selection(args: &DoctorArgs) -> Result<Selection, Failure> {
    let mut only = Vec::new();
    for name in args.only.iter().filter(|n| !n.trim().is_empty()) {
        let group = Group::parse(name).ok_or_else(|| {
            Failure::msg(Exit::Usage, format!("--only {name}: no such group")).hint(format!(
                "groups: {}",
                Group::ALL.map(|g| g.name()).join(", ")
            ))
        })?;
        only.push(group);
    }
    for id in &args.skip {
        if !gorig_doctor::CHECKS
            .iter()
            .any(|c| c.id.eq_ignore_ascii_case(id.trim()))
        {
            return Err(
                Failure::msg(Exit::Usage, format!("--skip {id}: no such finding id"))
                    .hint("`gorig doctor --list` prints every id"),
            );
        }
    }
    Ok(Selection {
        only,
        skip: args.skip.iter().map(|s| s.trim().to_string()).collect(),
    })
}

fn list(app: &App, json: bool) -> Result<(), Failure> {
    if json {
        let checks: Vec<_> = gorig_doctor::CHECKS
            .iter()
            .map(|c| json!({"id": c.id, "group": c.group, "about": c.about}))
            .collect();
        app.printer
            .json_line(&json!({"schema_version": 1, "checks": checks}));
    } else {
        let mut text = String::new();
        for check in gorig_doctor::CHECKS {
            text.push_str(&format!(
                "{:16} {:10} {}\n",
                check.id,
                check.group.name(),
                check.about
            ));
        }
        app.printer.out(text);
    }
    Ok(())
}

/// The findings of `groups` on the live host, for commands that explain failures.
pub fn live_findings(app: &App, env: &Environment, groups: &[Group]) -> Vec<gorig_doctor::Finding> {
    let root = HostRoot::live();
    let base = toolchain_facts(app, env, true);
    let request = probe_request(app, env, &root);
    let processes = Processes {
        tool_versions: groups.contains(&Group::Build),
        go_env: false,
    };
    let (toolchain, host) = gather(&root, &request, (base.0, None), processes);
    let vars = env.to_map();
    let context = Context {
        host: &host,
        toolchain: &toolchain,
        env: &vars,
    };
    gorig_doctor::run(
        &context,
        &Selection {
            only: groups.to_vec(),
            skip: Vec::new(),
        },
    )
}

/// The store's toolchains and the one selected for the working directory. The second
/// value is the selected GOROOT, for `go env`.
fn toolchain_facts(app: &App, env: &Environment, live: bool) -> (ToolchainFacts, Option<PathBuf>) {
    let store = &app.store;
    if !live {
        return (ToolchainFacts::default(), None);
    }
    let mut facts = ToolchainFacts {
        probed: true,
        store: Some(store.home().display().to_string()),
        installed: store.installed().unwrap_or_default(),
        ..ToolchainFacts::default()
    };
    let dir = project::logical_cwd(env);
    let mut goroot = None;
    match project::select(store, &dir, env) {
        Ok(selected) => {
            let root = store.version_dir(&selected.version);
            let canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
            facts.selected = Some(SelectedToolchain {
                version: selected.version,
                reason: selected.reason,
                installed: true,
                goroot: Some(canonical.display().to_string()),
            });
            facts.goroot_env = std::fs::read_to_string(canonical.join("go.env"))
                .ok()
                .map(|text| {
                    GoEnvFile::parse(&canonical.join("go.env").display().to_string(), &text)
                });
            goroot = Some(canonical);
        }
        Err(Unselected::NotInstalled { install, reason }) => match install {
            gorig_version::VersionRequest::Exact(version) => {
                facts.selected = Some(SelectedToolchain {
                    version,
                    reason,
                    installed: false,
                    goroot: None,
                })
            }
            other => facts.selection_problem = Some(format!("{other} ({reason})")),
        },
        Err(other) => facts.selection_problem = Some(Failure::from(other).summary()),
    }
    let user_env = env
        .get("GOENV")
        .map(PathBuf::from)
        .or_else(|| {
            env.get("XDG_CONFIG_HOME")
                .map(|d| Path::new(d).join("go/env"))
        })
        .or_else(|| env.get("HOME").map(|h| Path::new(h).join(".config/go/env")));
    if let Some(path) = user_env
        && let Ok(text) = std::fs::read_to_string(&path)
    {
        facts.user_env = Some(GoEnvFile::parse(&path.display().to_string(), &text));
    }
    (facts, goroot)
}

/// Which paths and tools to probe, from the environment as `go` would read it.
fn probe_request(app: &App, env: &Environment, root: &HostRoot) -> ProbeRequest {
    let home = env.get("HOME").unwrap_or("/root").to_string();
    let path_dirs: Vec<String> = if root.is_live() {
        env.get("PATH")
            .map(|p| {
                p.split(':')
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_else(|| STANDARD_PATH.map(str::to_string).to_vec())
    } else {
        STANDARD_PATH.map(str::to_string).to_vec()
    };
    let mut tools: Vec<String> = TOOLS.map(str::to_string).to_vec();
    if let Some(cc) = env.get("CC").and_then(|cc| cc.split_whitespace().next())
        && !tools.iter().any(|t| t == cc)
    {
        tools.push(cc.to_string());
    }
    let tmp = env
        .get("GOTMPDIR")
        .or_else(|| env.get("TMPDIR"))
        .unwrap_or("/tmp")
        .to_string();
    let cache = env.get("GOCACHE").map(str::to_string).unwrap_or_else(|| {
        env.get("XDG_CACHE_HOME")
            .map(|d| format!("{d}/go-build"))
            .unwrap_or_else(|| format!("{home}/.cache/go-build"))
    });
    let modcache = env
        .get("GOMODCACHE")
        .map(str::to_string)
        .unwrap_or_else(|| {
            let gopath = env
                .get("GOPATH")
                .and_then(|p| p.split(':').next().map(str::to_string))
                .unwrap_or_else(|| format!("{home}/go"));
            format!("{gopath}/pkg/mod")
        });
    let mut paths = vec![
        ("GOTMPDIR".to_string(), tmp),
        ("GOCACHE".to_string(), cache),
        ("GOMODCACHE".to_string(), modcache),
        ("C headers".to_string(), "/usr/include/stdlib.h".to_string()),
    ];
    if root.is_live() {
        paths.push((
            "GORIG_HOME".to_string(),
            app.store.home().display().to_string(),
        ));
    }
    ProbeRequest {
        preferred_cc: env
            .get("CC")
            .and_then(|cc| cc.split_whitespace().next())
            .map(str::to_string),
        path_dirs,
        tools,
        paths,
        uname_machine: if root.is_live() {
            Some(
                rustix::system::uname()
                    .machine()
                    .to_string_lossy()
                    .into_owned(),
            )
        } else {
            None
        },
    }
}

/// Which processes the selected checks need (only ever on the live host).
#[derive(Debug, Clone, Copy)]
struct Processes {
    /// `--version` of the C compiler the build would use, and of git.
    tool_versions: bool,
    /// `go env -json` of the selected toolchain.
    go_env: bool,
}

/// Reads the host while the processes (tool versions, `go env`) run.
fn gather(
    root: &HostRoot,
    request: &ProbeRequest,
    (mut toolchain, goroot): (ToolchainFacts, Option<PathBuf>),
    processes: Processes,
) -> (ToolchainFacts, HostFacts) {
    thread::scope(|scope| {
        let go_env = goroot
            .filter(|_| processes.go_env)
            .map(|goroot| scope.spawn(move || go_env_json(&goroot)));
        let versions: Vec<_> = if processes.tool_versions {
            versioned_tools(root, request)
                .into_iter()
                .map(|(name, path)| (name, scope.spawn(move || version_line(&path))))
                .collect()
        } else {
            Vec::new()
        };
        let mut host = HostFacts::probe(root, request);
        for (name, handle) in versions {
            let version = handle.join().ok().flatten();
            if let Some(tool) = host.tools.iter_mut().find(|t| t.name == name) {
                tool.version = version;
            }
        }
        if let Some(handle) = go_env {
            match handle.join() {
                Ok(Ok(values)) => toolchain.go_env = Some(values),
                Ok(Err(error)) => toolchain.go_env_error = Some(error),
                Err(_) => toolchain.go_env_error = Some("go env panicked".to_string()),
            }
        }
        (toolchain, host)
    })
}

/// The tools whose version a check reads, with their paths: the C compiler cgo would
/// use (`$CC`, else the first of gcc, cc, clang on PATH) and git. One process each.
fn versioned_tools(root: &HostRoot, request: &ProbeRequest) -> Vec<(String, String)> {
    let mut compilers = request.tools.iter().filter(|t| t.as_str() != "git");
    let compiler = match &request.preferred_cc {
        Some(cc) => find_in_path(root, &request.path_dirs, cc).map(|p| (cc.clone(), p)),
        None => compilers.find_map(|name| {
            find_in_path(root, &request.path_dirs, name).map(|p| (name.clone(), p))
        }),
    };
    let git = find_in_path(root, &request.path_dirs, "git").map(|p| ("git".to_string(), p));
    compiler.into_iter().chain(git).collect()
}

fn version_line(path: &str) -> Option<String> {
    let output = Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}

fn go_env_json(goroot: &Path) -> Result<BTreeMap<String, String>, String> {
    let go = goroot.join("bin/go");
    let output = Command::new(&go)
        .args(["env", "-json"])
        .env("GOTOOLCHAIN", "local")
        .env_remove("GOROOT")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{}: {e}", go.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        return Err(tail.into_iter().rev().collect::<Vec<_>>().join(" / "));
    }
    let value: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("go env -json printed something else: {e}"))?;
    Ok(value
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default())
}

struct FixOutcome {
    text: String,
    json: serde_json::Value,
}

/// Plans (and with `yes` writes) the drop-in files.
fn apply_fixes(
    app: &App,
    root: &HostRoot,
    report: &Report,
    yes: bool,
    reload: bool,
) -> Result<FixOutcome, Failure> {
    let plan = fix::plan(&report.findings);
    let mut text = String::new();
    let mut files_json = Vec::new();
    if plan.is_empty() {
        text.push_str("fix: nothing to write: no warning or failure has a sysctl or limits fix\n");
    }
    let mut wrote_sysctl = false;
    for file in &plan {
        // Inside the root even through the image's own absolute links.
        let real = root
            .resolve(file.path)
            .unwrap_or_else(|_| root.join(file.path));
        let existing = std::fs::read_to_string(&real).ok();
        let merged = fix::merge(file, existing.as_deref());
        let mut backup = None;
        let mut written = false;
        if yes && merged.changed {
            let wrote = gorig_fs::write_managed(
                &real,
                merged.content.as_bytes(),
                &gorig_fs::Managed::default(),
            )
            .map_err(|e| match e {
                gorig_fs::FsError::Io { path, source, .. } => write_failure(&path, source),
                other => Failure::new(Exit::Filesystem, other),
            })?;
            backup = wrote.backup;
            written = true;
            wrote_sysctl |= file.path == fix::SYSCTL_FILE;
        }
        let shown = if root.is_live() {
            file.path.to_string()
        } else {
            real.display().to_string()
        };
        let state = match (merged.changed, yes) {
            (false, _) => "already up to date",
            (true, true) => "written",
            (true, false) => "would be written (add --yes)",
        };
        text.push_str(&format!("fix: {shown}: {state}\n"));
        for line in &file.lines {
            text.push_str(&format!("  {}    # {}\n", line.text, line.ids.join(", ")));
        }
        if merged.foreign {
            text.push_str(&format!(
                "  note: {shown} was not written by gorig; {}\n",
                if yes {
                    "its old content is in the backup"
                } else {
                    "it will be backed up first"
                }
            ));
        }
        if let Some(path) = &backup {
            text.push_str(&format!("  backup: {}\n", path.display()));
        }
        files_json.push(json!({
            "path": shown,
            "lines": file.lines.iter().map(|l| json!({"text": l.text, "ids": l.ids})).collect::<Vec<_>>(),
            "changed": merged.changed,
            "foreign": merged.foreign,
            "written": written,
            "backup": backup,
        }));
    }
    if plan.iter().any(|f| f.path == fix::LIMITS_FILE) {
        text.push_str("  limits.d applies to new login sessions; services take LimitNOFILE= and friends from their unit\n");
    }
    let mut reloaded = false;
    if reload && wrote_sysctl {
        if !root.is_live() {
            return Err(Failure::msg(
                Exit::Usage,
                "--reload applies sysctls to this host; it cannot be used with --root",
            ));
        }
        let status = Command::new("sysctl")
            .arg("--system")
            .stdout(Stdio::null())
            .status()
            .map_err(|e| {
                Failure::new(Exit::Internal, e).context("could not run `sysctl --system`")
            })?;
        reloaded = status.success();
        text.push_str(&format!(
            "fix: sysctl --system {}\n",
            if reloaded {
                "applied the settings"
            } else {
                "failed; see its messages above"
            }
        ));
    } else if wrote_sysctl {
        text.push_str("  run `sysctl --system` (or gorig doctor --fix --yes --reload) to apply the sysctls now\n");
    }
    let _ = app;
    Ok(FixOutcome {
        text,
        json: json!({"files": files_json, "applied": yes, "reloaded": reloaded}),
    })
}

fn write_failure(path: &Path, error: std::io::Error) -> Failure {
    let exit = Exit::Filesystem;
    let hint = if error.kind() == std::io::ErrorKind::PermissionDenied {
        "writing under /etc needs root: sudo gorig doctor --fix --yes"
    } else {
        "nothing else was changed"
    };
    Failure::new(exit, error)
        .context(format!("could not write {}", path.display()))
        .hint(hint)
}
