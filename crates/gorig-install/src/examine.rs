//! The doctor as one call: the host's facts (`gorig_host::gather`, processes only on
//! the live host and only for the checks selected), the toolchain facts (the store, the
//! toolchain Go would pick here, its `go.env`, the user's `go env -w` file), the checks
//! of `gorig-doctor`, and the report. `doctor --fix` writes its drop-ins here too,
//! through `gorig-fs` (a file gorig did not write is backed up first).
//!
//! Under `--root` the tree is another machine's: gorig's store and pins are this one's,
//! so the toolchain checks are not judged and no process runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gorig_doctor::{
    Context, Finding, GoEnvFile, Group, HostSummary, Report, SelectedToolchain, Selection,
    ToolchainFacts, fix,
};
use gorig_host::HostRoot;
use gorig_host::gather::{GoDirs, ProcessRunner, Processes, Run, RunOutput, gather};
use gorig_project::{ProjectEnv, Unselected};
use gorig_store::Store;
use gorig_version::VersionRequest;

/// What to examine, and with what.
pub struct Examination<'a> {
    pub root: &'a HostRoot,
    pub store: &'a Store,
    /// The working directory whose pins pick the toolchain.
    pub dir: &'a Path,
    pub project_env: &'a ProjectEnv,
    /// The environment gorig was started with.
    pub vars: &'a BTreeMap<String, String>,
    pub selection: &'a Selection,
    pub runner: &'a dyn ProcessRunner,
    /// Run `go env -json` of the selected toolchain (when the toolchain group is selected).
    pub go_env: bool,
}

/// The report of the selected checks.
pub fn examine(examination: &Examination<'_>) -> Report {
    let Examination {
        root,
        store,
        dir,
        project_env,
        vars,
        selection,
        runner,
        go_env,
    } = *examination;
    let live = root.is_live();
    let wants = |group: Group| selection.only.is_empty() || selection.only.contains(&group);
    let (mut toolchain, goroot) = if live {
        toolchain_facts(store, dir, project_env, vars)
    } else {
        (ToolchainFacts::default(), None)
    };
    let extra = if live {
        vec![("GORIG_HOME".to_string(), store.home().display().to_string())]
    } else {
        Vec::new()
    };
    let request = gorig_host::ProbeRequest::for_go(root, vars, extra);
    let processes = Processes {
        tool_versions: live && wants(Group::Build),
        go_env: goroot.filter(|_| live && go_env && wants(Group::Toolchain)),
    };
    let gathered = gather(root, &request, runner, &processes);
    match gathered.go_env {
        Some(Ok(values)) => toolchain.go_env = Some(values),
        Some(Err(error)) => toolchain.go_env_error = Some(error),
        None => {}
    }
    let context = Context {
        host: &gathered.host,
        toolchain: &toolchain,
        env: vars,
    };
    let findings = gorig_doctor::run(&context, selection);
    Report::new(HostSummary::of(&gathered.host, &toolchain), findings)
}

/// The findings of the live host that could explain a failed build or test of `dir`
/// whose output was `output` (`gorig verify`).
pub fn explain_failure(
    store: &Store,
    dir: &Path,
    project_env: &ProjectEnv,
    vars: &BTreeMap<String, String>,
    runner: &dyn ProcessRunner,
    output: &str,
) -> Vec<Finding> {
    let selection = Selection {
        only: gorig_doctor::explain::EXPLAINING_GROUPS.to_vec(),
        skip: Vec::new(),
    };
    let report = examine(&Examination {
        root: &HostRoot::live(),
        store,
        dir,
        project_env,
        vars,
        selection: &selection,
        runner,
        go_env: false,
    });
    gorig_doctor::explain::explain(report.findings, output)
}

fn broken_pin(error: &gorig_project::PinError) -> gorig_doctor::BrokenPin {
    use gorig_project::PinError;
    let (place, line) = match error {
        PinError::Directive { path, line, .. } => (path.clone(), Some(*line)),
        PinError::NotAVersion { place, .. } => (place.clone(), None),
        PinError::Unreadable { path, .. } => (path.clone(), None),
        PinError::RelativeGowork { value } => (format!("GOWORK={value}"), None),
    };
    gorig_doctor::BrokenPin {
        place,
        line,
        hint: error.hint(),
    }
}

/// The store's toolchains and the one selected for `dir`, and the selected GOROOT.
pub fn toolchain_facts(
    store: &Store,
    dir: &Path,
    project_env: &ProjectEnv,
    vars: &BTreeMap<String, String>,
) -> (ToolchainFacts, Option<PathBuf>) {
    let mut facts = ToolchainFacts {
        probed: true,
        store: Some(store.home().display().to_string()),
        installed: store.installed().unwrap_or_default(),
        ..ToolchainFacts::default()
    };
    let mut goroot = None;
    match gorig_project::select(store, dir, project_env) {
        Ok(selected) => {
            let root = store.version_dir(&selected.version);
            let canonical = root.canonicalize().unwrap_or_else(|_| root.clone());
            facts.selected = Some(SelectedToolchain {
                version: selected.version,
                reason: selected.reason,
                installed: true,
                goroot: Some(canonical.display().to_string()),
            });
            facts.goroot_env = read_env_file(&canonical.join("go.env"));
            goroot = Some(canonical);
        }
        Err(Unselected::NotInstalled { install, reason }) => match install {
            VersionRequest::Exact(version) => {
                facts.selected = Some(SelectedToolchain {
                    version,
                    reason,
                    installed: false,
                    goroot: None,
                })
            }
            other => facts.selection_problem = Some(format!("{other} ({reason})")),
        },
        Err(other) => {
            if let Unselected::Pin(pin) = &other {
                facts.broken_pin = Some(broken_pin(pin));
            }
            facts.selection_problem = Some(gorig_fetch::one_line(&other));
        }
    }
    facts.user_env = GoDirs::from_env(vars)
        .user_env_file
        .and_then(|path| read_env_file(&path));
    (facts, goroot)
}

fn read_env_file(path: &Path) -> Option<GoEnvFile> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(GoEnvFile::parse(&path.display().to_string(), &text))
}

/// One drop-in file of `doctor --fix`, planned and (when asked) written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedFile {
    pub planned: fix::PlannedFile,
    /// The path as the user sees it: the host path on the live host, the real one in a tree.
    pub shown: String,
    /// Its content differs from the merge.
    pub changed: bool,
    /// A file of that name exists that gorig did not write.
    pub foreign: bool,
    pub written: bool,
    pub backup: Option<PathBuf>,
}

/// Plans the drop-ins for the report's warnings and failures, and with `write` writes
/// those that change. A failed write stops there; the files before it stay written.
pub fn fix_files(
    root: &HostRoot,
    report: &Report,
    write: bool,
) -> Result<Vec<FixedFile>, gorig_fs::FsError> {
    write_planned(root, fix::plan(&report.findings), write)
}

/// `gorig tune`: the drop-ins for `profile` planned from the host's sysctls, merged and
/// (with `write`) written exactly as `doctor --fix` writes its own.
pub fn tune_files(
    root: &HostRoot,
    tuning: &gorig_doctor::tune::Tuning,
    write: bool,
) -> Result<Vec<FixedFile>, gorig_fs::FsError> {
    write_planned(root, tuning.files.clone(), write)
}

/// The sysctls `gorig tune` compares with its targets, read under `root`.
pub fn tune_sysctls(root: &HostRoot) -> BTreeMap<String, String> {
    gorig_host::SYSCTLS
        .iter()
        .filter_map(|key| {
            let path = format!("/proc/sys/{}", key.replace('.', "/"));
            let value = root.read_to_string(&path).ok()?;
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            Some((key.to_string(), value))
        })
        .collect()
}

/// Whether `root` is a container's file system (the markers Docker, Podman and
/// systemd-nspawn leave, or `container=` in PID 1's environment on the live host).
pub fn in_container(root: &HostRoot) -> bool {
    let marker = |path: &str| root.join(path).exists();
    marker("/.dockerenv")
        || marker("/run/.containerenv")
        || marker("/run/systemd/container")
        || (root.is_live()
            && root.read("/proc/1/environ").is_ok_and(|env| {
                env.split(|b| *b == 0)
                    .any(|kv| kv.starts_with(b"container="))
            }))
}

fn write_planned(
    root: &HostRoot,
    planned_files: Vec<fix::PlannedFile>,
    write: bool,
) -> Result<Vec<FixedFile>, gorig_fs::FsError> {
    let mut out = Vec::new();
    for planned in planned_files {
        // Inside the root even through the image's own absolute links.
        let real = root
            .resolve(planned.path)
            .unwrap_or_else(|_| root.join(planned.path));
        let existing = std::fs::read_to_string(&real).ok();
        let merged = fix::merge(&planned, existing.as_deref());
        let mut backup = None;
        let mut written = false;
        if write && merged.changed {
            let wrote = gorig_fs::write_managed(
                &real,
                merged.content.as_bytes(),
                &gorig_fs::Managed {
                    marker: Some(fix::HEADER),
                    ..gorig_fs::Managed::default()
                },
            )?;
            backup = wrote.backup;
            written = true;
        }
        let shown = if root.is_live() {
            planned.path.to_string()
        } else {
            real.display().to_string()
        };
        out.push(FixedFile {
            planned,
            shown,
            changed: merged.changed,
            foreign: merged.foreign,
            written,
            backup,
        });
    }
    Ok(out)
}

/// `sysctl -p FILE`, to load one drop-in now (`gorig tune --yes`).
pub fn load_sysctl_file(runner: &dyn ProcessRunner, file: &str) -> std::io::Result<RunOutput> {
    runner.run(&Run {
        program: Path::new("sysctl"),
        args: &["-p", file],
        dir: None,
        set: &[],
        remove: &[],
    })
}

/// `sysctl --system`, to apply written sysctl drop-ins now.
pub fn reload_sysctls(runner: &dyn ProcessRunner) -> std::io::Result<RunOutput> {
    runner.run(&Run {
        program: Path::new("sysctl"),
        args: &["--system"],
        dir: None,
        set: &[],
        remove: &[],
    })
}
