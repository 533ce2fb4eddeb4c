//! `gorig plan` and `gorig apply`: a host brought to the state a gorig.yaml declares.
//!
//! [`plan`] reads the host (the store, the toolchains' `go.env` files, the system link
//! and profile script, the drop-ins and units under the host's root) and lists the
//! [`Step`]s that would make it what the file says, each with its [`Change`]. [`apply`]
//! carries the steps out in that order and reports each one it made, so the change list
//! of a plan is the list apply then reports. Each step is atomic on its own (an install
//! publishes with one rename, a file is replaced with one rename, the default is one
//! link); the first that fails stops the run, and the steps after it are reported as not
//! done. A converged host has no steps: a second apply writes nothing.
//!
//! The toolchains' Go environment goes into each declared toolchain's `$GOROOT/go.env`
//! (read by every go command of that toolchain since Go 1.21, whoever runs it; the
//! user's `go env -w` file and the process environment still override it), as one block
//! above the lines the release ships (go takes a variable's first line), so taking a
//! variable out of gorig.yaml gives the release's value back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gorig_doctor::tune::{self, Profile};
use gorig_doctor::{Selection, Severity};
use gorig_fleet::Desired;
use gorig_fleet::plan::{Change, ChangeKind};
use gorig_host::HostRoot;
use gorig_host::gather::ProcessRunner;
use gorig_project::ProjectEnv;
use gorig_render::{MANAGED_MARKER, Profile as ProfileScript};
use gorig_store::{LinkState, SystemLink};

use gorig_version::{GoVersion, VersionRequest};

use crate::examine::{self, Examination};
use crate::unit::{self, UnitError, UnitFile, UnitPlan, UnitRequest};
use crate::{InstallError, InstallHow, Installer, SystemPaths};

/// The first Go release that reads `$GOROOT/go.env`.
const FIRST_WITH_GO_ENV: (u64, u64) = (1, 21);

/// Where and for whom a gorig.yaml is applied.
pub struct Fleet<'a> {
    pub desired: &'a Desired,
    /// The host's file tree (`/`, or `--root`).
    pub root: &'a HostRoot,
    /// The host's groups (`--group`), which add the toolchains `groups:` lists for them.
    pub groups: &'a [String],
    /// System mode: `/usr/local/go` and the profile script (under the root).
    pub system: Option<&'a SystemPaths>,
    /// Runs `systemctl daemon-reload` and `sysctl -p` on the live host.
    pub runner: &'a dyn ProcessRunner,
    /// What doctor needs to check the contract.
    pub dir: &'a Path,
    pub project_env: &'a ProjectEnv,
    pub vars: &'a BTreeMap<String, String>,
}

/// Why a plan could not be made, or a step failed.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The file asks for something that cannot be: what, and what to write instead.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Fs(#[from] gorig_fs::FsError),
    #[error("units.{name}: {source}")]
    Unit { name: String, source: UnitError },
    #[error("`{command}` failed: {detail}")]
    Reload { command: String, detail: String },
}

/// How a step changes the host.
#[derive(Debug, Clone)]
enum Action {
    Install(GoVersion),
    Remove(GoVersion),
    Default(GoVersion),
    /// A toolchain's `go.env` with these variables in gorig's block.
    GoEnv {
        version: GoVersion,
        pairs: Vec<(&'static str, String)>,
    },
    /// A drop-in merged with what is there (`write_managed`: a foreign file is kept).
    DropIn {
        real: PathBuf,
        content: String,
    },
    Unit(Box<UnitFile>, Box<UnitPlan>),
    Run {
        program: &'static str,
        args: Vec<String>,
    },
}

/// One change and how to make it.
#[derive(Debug, Clone)]
pub struct Step {
    pub change: Change,
    action: Action,
}

/// One contract finding as the host has it now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContractItem {
    pub id: String,
    /// `None`: the check did not run on this host.
    pub severity: Option<Severity>,
    pub ok: bool,
    pub title: String,
}

/// What apply would do.
#[derive(Debug, Clone)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// The contract on the host as it is (apply checks it again afterwards).
    pub contract: Vec<ContractItem>,
    /// What the file asks that gorig leaves alone, and why.
    pub notes: Vec<String>,
}

impl Plan {
    pub fn changes(&self) -> Vec<Change> {
        self.steps.iter().map(|s| s.change.clone()).collect()
    }
}

/// What apply did.
#[derive(Debug)]
pub struct Applied {
    pub done: Vec<Change>,
    /// The step that failed, and why.
    pub failed: Option<(Change, FleetError)>,
    pub not_done: Vec<Change>,
    /// The contract after the changes (not checked after a failure).
    pub contract: Vec<ContractItem>,
}

/// The steps that make the host what `fleet.desired` declares.
pub fn plan(installer: &Installer<'_>, fleet: &Fleet<'_>) -> Result<Plan, FleetError> {
    let desired = fleet.desired;
    let known: Vec<&str> = gorig_doctor::CHECKS.iter().map(|c| c.id).collect();
    let contract_ids = desired.contract.clone().unwrap_or_default();
    gorig_fleet::plan::check_contract(&contract_ids, &known).map_err(FleetError::Invalid)?;
    let pairs = go_env_pairs(desired)?;

    let mut steps = Vec::new();
    let mut notes = Vec::new();
    let store = installer.store();
    let installed = store.installed().map_err(InstallError::from)?;

    // Toolchains: each request as an install would resolve it.
    let requests = gorig_fleet::plan::wanted_toolchains(desired, fleet.groups);
    let mut wanted: Vec<(String, GoVersion)> = Vec::new();
    for text in &requests {
        let request = parse_request(text, "toolchains")?;
        let version = installer.resolve_version(&request)?;
        if !wanted.iter().any(|(_, v)| *v == version) {
            wanted.push((text.clone(), version));
        }
    }
    for (text, version) in &wanted {
        if !installed.contains(version) {
            let why = if VersionRequest::Exact(version.clone()) == parse_request(text, "")? {
                String::new()
            } else {
                format!(" (the newest {})", text.trim_start_matches("go"))
            };
            steps.push(Step {
                change: Change::new(
                    ChangeKind::Install,
                    version.to_string(),
                    format!("install {version}{why}"),
                ),
                action: Action::Install(version.clone()),
            });
        }
    }

    // The default: the one named, else the first toolchain listed.
    let default = match &desired.default {
        Some(text) => {
            let request = parse_request(text, "default")?;
            let version = match wanted.iter().find(|(t, _)| t == text) {
                Some((_, v)) => v.clone(),
                None => installer.resolve_version(&request)?,
            };
            if !wanted.iter().any(|(_, v)| *v == version) {
                return Err(FleetError::Invalid(format!(
                    "default: {text} ({version}) is not one of the toolchains the host gets ({}); add it to toolchains",
                    list_versions(wanted.iter().map(|(_, v)| v))
                )));
            }
            Some(version)
        }
        None => wanted.first().map(|(_, v)| v.clone()),
    };
    if let Some(paths) = fleet.system
        && matches!(
            SystemLink::new(&paths.link).state(),
            LinkState::RealDir | LinkState::Other
        )
    {
        return Err(FleetError::Invalid(format!(
            "mode: system: {} is a real directory or file, not gorig's link; move it aside (gorig install --system --adopt does) and apply again",
            paths.link.display()
        )));
    }
    if let Some(version) = &default {
        let store_default = store.default_version();
        let system_off = fleet
            .system
            .is_some_and(|paths| system_differs(installer, paths, version));
        if store_default.as_ref() != Some(version) || system_off {
            let summary = match fleet.system {
                Some(paths) => format!(
                    "make {version} the default and point {} at it",
                    shown(&paths.link)
                ),
                None => format!("make {version} the default"),
            };
            steps.push(Step {
                change: Change::new(ChangeKind::Default, version.to_string(), summary),
                action: Action::Default(version.clone()),
            });
        }
    }

    // The Go environment, in each declared toolchain's go.env.
    for (_, version) in &wanted {
        let series = (
            version.major().value().unwrap_or(u64::MAX),
            version.minor().value().unwrap_or(u64::MAX),
        );
        if series < FIRST_WITH_GO_ENV {
            if !pairs.is_empty() {
                notes.push(format!(
                    "{version} reads no go.env (Go 1.21 was the first): go_env is not applied to it"
                ));
            }
            continue;
        }
        let path = store.version_dir(version).join("go.env");
        let names: Vec<&str> = pairs.iter().map(|(n, _)| *n).collect();
        let summary = if names.is_empty() {
            format!("take gorig's Go environment out of {version}'s go.env")
        } else {
            format!("set {} in {version}'s go.env", names.join(", "))
        };
        let step_for = |before: &str, after: &str| Step {
            change: Change::file(
                ChangeKind::File,
                path.display().to_string(),
                summary.clone(),
                before,
                after,
            ),
            action: Action::GoEnv {
                version: version.clone(),
                pairs: pairs.clone(),
            },
        };
        if installed.contains(version) {
            let before = std::fs::read_to_string(&path).unwrap_or_default();
            let after = go_env_text(&before, &pairs);
            if after != before {
                steps.push(step_for(&before, &after));
            }
        } else if !pairs.is_empty() {
            // Its go.env is the release's, known once it is unpacked.
            steps.push(step_for("", &go_env_text("", &pairs)));
        }
    }

    // Toolchains no longer declared, after the default has moved off them.
    if desired.prune == Some(true) {
        let keep_link = fleet
            .system
            .and_then(|paths| link_version(installer, paths));
        let store_default = store.default_version();
        for version in &installed {
            if wanted.iter().any(|(_, v)| v == version) {
                continue;
            }
            if default.is_none()
                && (keep_link.as_ref() == Some(version) || store_default.as_ref() == Some(version))
            {
                notes.push(format!(
                    "{version} is kept: it is the default and gorig.yaml names no toolchain to replace it"
                ));
                continue;
            }
            steps.push(Step {
                change: Change::new(
                    ChangeKind::Remove,
                    version.to_string(),
                    format!("remove {version} (gorig.yaml does not name it; prune: true)"),
                ),
                action: Action::Remove(version.clone()),
            });
        }
    }

    // Kernel and limits tuning: the drop-ins of `gorig tune`.
    if let Some(wanted_tune) = &desired.tune {
        let profile_name = wanted_tune.profile.as_deref().unwrap_or("service");
        let profile = Profile::parse(profile_name).ok_or_else(|| {
            FleetError::Invalid(format!(
                "tune.profile: `{profile_name}` is not a profile (service, ci or build)"
            ))
        })?;
        let sysctls = examine::tune_sysctls(fleet.root);
        let tuning = tune::tune(
            profile,
            wanted_tune.qps,
            &sysctls,
            examine::in_container(fleet.root),
        );
        notes.extend(tuning.notes.iter().cloned());
        let mut sysctl_changed = false;
        for planned in &tuning.files {
            let real = fleet
                .root
                .resolve(planned.path)
                .unwrap_or_else(|_| fleet.root.join(planned.path));
            let before = std::fs::read_to_string(&real).ok();
            let merged = gorig_doctor::fix::merge(planned, before.as_deref());
            if !merged.changed {
                continue;
            }
            sysctl_changed |= planned.path == gorig_doctor::fix::SYSCTL_FILE;
            let keep = if merged.foreign {
                " (the file there now is kept as a copy first)"
            } else {
                ""
            };
            steps.push(Step {
                change: Change::file(
                    ChangeKind::File,
                    shown(&real),
                    format!("tune for a {} host{keep}", profile.name()),
                    before.as_deref().unwrap_or(""),
                    &merged.content,
                ),
                action: Action::DropIn {
                    real,
                    content: merged.content,
                },
            });
        }
        if sysctl_changed && fleet.root.is_live() {
            let file = gorig_doctor::fix::SYSCTL_FILE;
            steps.push(Step {
                change: Change::new(
                    ChangeKind::Reload,
                    format!("sysctl -p {file}"),
                    format!("load {file} now (limits apply at the next login)"),
                ),
                action: Action::Run {
                    program: "sysctl",
                    args: vec!["-p".into(), file.into()],
                },
            });
        }
    }

    // Service units.
    let mut units_changed = false;
    let mut names: Vec<&str> = Vec::new();
    for wanted_unit in desired.units.iter().flatten() {
        if names.contains(&wanted_unit.name.as_str()) {
            return Err(FleetError::Invalid(format!(
                "units: `{}` is declared twice; each unit needs its own name",
                wanted_unit.name
            )));
        }
        names.push(&wanted_unit.name);
    }
    for wanted_unit in desired.units.iter().flatten() {
        let request = unit_request(wanted_unit);
        let unit_plan = unit::plan(&request, fleet.root).map_err(|source| FleetError::Unit {
            name: wanted_unit.name.clone(),
            source,
        })?;
        notes.extend(
            unit_plan
                .rendered
                .notes
                .iter()
                .map(|n| format!("units.{}: {n}", wanted_unit.name)),
        );
        for file in unit::files(&unit_plan, fleet.root) {
            let before = std::fs::read_to_string(&file.real).unwrap_or_default();
            let missing_root = unit_plan
                .rendered
                .empty_root
                .as_ref()
                .is_some_and(|dir| !fleet.root.join(dir).is_dir());
            if before == file.text && !missing_root {
                continue;
            }
            units_changed = true;
            let ours = before.is_empty() || before.starts_with(&file.marker);
            let keep = if ours {
                ""
            } else {
                " (the file there now is kept as a copy first)"
            };
            steps.push(Step {
                change: Change::file(
                    ChangeKind::Unit,
                    shown(&file.real),
                    format!("write the unit of {}{keep}", wanted_unit.name),
                    &before,
                    &file.text,
                ),
                action: Action::Unit(Box::new(file), Box::new(unit_plan.clone())),
            });
        }
    }
    let systemd_running = fleet.root.join("/run/systemd/system").is_dir();
    if units_changed && fleet.root.is_live() && !systemd_running {
        notes.push("systemd is not running here (no /run/systemd/system): the units are written, and take effect when it runs".into());
    }
    if units_changed && fleet.root.is_live() && systemd_running {
        steps.push(Step {
            change: Change::new(
                ChangeKind::Reload,
                "systemctl daemon-reload",
                "tell systemd the units changed",
            ),
            action: Action::Run {
                program: "systemctl",
                args: vec!["daemon-reload".into()],
            },
        });
    }
    if units_changed {
        notes.push(
            "apply writes units (and on the live host runs daemon-reload); enabling and starting them is left to you (systemctl enable --now NAME)".into(),
        );
    }

    let contract = check_contract(installer, fleet, &contract_ids);
    Ok(Plan {
        steps,
        contract,
        notes,
    })
}

/// Makes the plan's changes in order; stops at the first that fails.
pub fn apply(installer: &Installer<'_>, fleet: &Fleet<'_>, plan: Plan) -> Applied {
    let mut done = Vec::new();
    let mut steps = plan.steps.into_iter();
    let mut failed = None;
    for step in steps.by_ref() {
        match run_step(installer, fleet, &step) {
            Ok(change) => done.push(change),
            Err(error) => {
                failed = Some((step.change, error));
                break;
            }
        }
    }
    let not_done = steps.map(|s| s.change).collect();
    let contract = if failed.is_none() {
        let ids = fleet.desired.contract.clone().unwrap_or_default();
        check_contract(installer, fleet, &ids)
    } else {
        plan.contract
    };
    Applied {
        done,
        failed,
        not_done,
        contract,
    }
}

/// Makes one change; returns it as made (a `go.env` diff against the release's file).
fn run_step(
    installer: &Installer<'_>,
    fleet: &Fleet<'_>,
    step: &Step,
) -> Result<Change, FleetError> {
    match &step.action {
        Action::Install(version) => {
            installer.install(
                &VersionRequest::Exact(version.clone()),
                InstallHow::default(),
            )?;
        }
        Action::Remove(version) => {
            let link = fleet.system.map(|paths| paths.link.as_path());
            match installer.uninstall(&[VersionRequest::Exact(version.clone())], false, link) {
                // Another run took it away first: the host is as planned.
                Err(InstallError::NoInstalledMatch { .. }) => {}
                other => {
                    other?;
                }
            }
        }
        Action::Default(version) => {
            // The link first: when it fails, the store's default has not moved either.
            if let Some(paths) = fleet.system {
                installer.link_system(paths, version, &profile_script(), MANAGED_MARKER, false)?;
            }
            installer.use_version(&VersionRequest::Exact(version.clone()))?;
        }
        Action::GoEnv { version, pairs } => {
            let path = installer.store().version_dir(version).join("go.env");
            let before = std::fs::read_to_string(&path).unwrap_or_default();
            let after = go_env_text(&before, pairs);
            if after != before {
                gorig_fs::write_atomic_mode(&path, after.as_bytes(), 0o644)?;
            }
            return Ok(Change::file(
                step.change.kind,
                step.change.target.clone(),
                step.change.summary.clone(),
                &before,
                &after,
            ));
        }
        Action::DropIn { real, content } => {
            gorig_fs::write_managed(
                real,
                content.as_bytes(),
                &gorig_fs::Managed {
                    marker: Some(gorig_doctor::fix::HEADER),
                    ..gorig_fs::Managed::default()
                },
            )?;
        }
        Action::Unit(file, unit_plan) => {
            unit::make_empty_root(unit_plan, fleet.root)?;
            unit::write_file(file)?;
        }
        Action::Run { program, args } => {
            let command = format!("{program} {}", args.join(" "));
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let output = fleet
                .runner
                .run(&gorig_host::gather::Run {
                    program: Path::new(program),
                    args: &argv,
                    dir: None,
                    set: &[],
                    remove: &[],
                })
                .map_err(|e| FleetError::Reload {
                    command: command.clone(),
                    detail: e.to_string(),
                })?;
            if !output.success {
                return Err(FleetError::Reload {
                    command,
                    detail: String::from_utf8_lossy(&output.stderr).trim().to_string(),
                });
            }
        }
    }
    Ok(step.change.clone())
}

fn parse_request(text: &str, key: &str) -> Result<VersionRequest, FleetError> {
    text.parse::<VersionRequest>().map_err(|e| {
        FleetError::Invalid(format!(
            "{key}: {e} (versions look like 1.27, 1.27.3, go1.27.3 or latest)"
        ))
    })
}

fn go_env_pairs(desired: &Desired) -> Result<Vec<(&'static str, String)>, FleetError> {
    let Some(env) = &desired.go_env else {
        return Ok(Vec::new());
    };
    let pairs = gorig_fleet::plan::go_env_pairs(env);
    for (name, value) in &pairs {
        if let Some(problem) = gorig_fleet::plan::go_env_value_problem(name, value) {
            return Err(FleetError::Invalid(problem));
        }
    }
    Ok(pairs.into_iter().map(|(n, v)| (n, v.to_string())).collect())
}

fn go_env_text(before: &str, pairs: &[(&'static str, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (*n, v.as_str())).collect();
    gorig_fleet::plan::go_env_content(before, &borrowed)
}

fn profile_script() -> String {
    ProfileScript {
        system_go_bin: Path::new("/usr/local/go/bin"),
    }
    .render()
}

/// Whether `/usr/local/go` or the profile script is not yet what system mode makes.
fn system_differs(installer: &Installer<'_>, paths: &SystemPaths, version: &GoVersion) -> bool {
    link_version(installer, paths).as_ref() != Some(version)
        || std::fs::read_to_string(&paths.profile).ok() != Some(profile_script())
}

/// The store version `/usr/local/go` points at.
fn link_version(installer: &Installer<'_>, paths: &SystemPaths) -> Option<GoVersion> {
    let LinkState::Symlink(_) = SystemLink::new(&paths.link).state() else {
        return None;
    };
    let target = std::fs::canonicalize(&paths.link).ok()?;
    let versions = std::fs::canonicalize(installer.store().versions_dir()).ok()?;
    if target.parent()? != versions {
        return None;
    }
    target.file_name()?.to_str()?.parse().ok()
}

/// A path as this machine sees it (under `--root`, the real path there).
fn shown(real: &Path) -> String {
    real.display().to_string()
}

fn list_versions<'v>(versions: impl Iterator<Item = &'v GoVersion>) -> String {
    let names: Vec<String> = versions.map(|v| v.to_string()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn unit_request(wanted: &gorig_fleet::Unit) -> UnitRequest {
    UnitRequest {
        name: wanted.name.clone(),
        exec: PathBuf::from(&wanted.exec),
        args: wanted.args.clone(),
        user: wanted.user.clone(),
        ports: wanted.ports.clone(),
        cpus: wanted.cpus,
        memory: wanted.memory.clone(),
        env: wanted.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        after: wanted.after.clone(),
        socket: wanted.socket,
        allow_ip: wanted.allow_ip.clone(),
        comments: true,
        ..UnitRequest::default()
    }
}

/// The contract's findings on the host as it is now: met when ok.
fn check_contract(
    installer: &Installer<'_>,
    fleet: &Fleet<'_>,
    ids: &[String],
) -> Vec<ContractItem> {
    if ids.is_empty() {
        return Vec::new();
    }
    let groups: Vec<gorig_doctor::Group> = gorig_doctor::CHECKS
        .iter()
        .filter(|c| ids.iter().any(|id| id == c.id))
        .map(|c| c.group)
        .collect();
    let report = examine::examine(&Examination {
        root: fleet.root,
        store: installer.store(),
        dir: fleet.dir,
        project_env: fleet.project_env,
        vars: fleet.vars,
        selection: &Selection {
            only: groups,
            skip: Vec::new(),
        },
        runner: fleet.runner,
        go_env: true,
    });
    ids.iter()
        .map(|id| match report.findings.iter().find(|f| f.id == id) {
            Some(finding) => ContractItem {
                id: id.clone(),
                severity: Some(finding.severity),
                // "ok" only: an info finding says nothing was checked, or nothing
                // is known; a contract is about what was checked.
                ok: finding.severity == Severity::Ok,
                title: finding.title.clone(),
            },
            None => ContractItem {
                id: id.clone(),
                severity: None,
                ok: false,
                title: "not checked on this host (the check does not apply here)".into(),
            },
        })
        .collect()
}
