//! `gorig doctor`: parses the selection and `--root`, calls
//! `gorig_install::examine::examine`, prints the report, and with `--fix` plans or writes
//! the drop-ins (`examine::fix_files`) and says what each line is for.

use gorig_doctor::{Group, Report, Selection, Severity};
use gorig_host::HostRoot;
use gorig_host::gather::SystemRunner;
use gorig_install::examine::{self, Examination, FixedFile};
use serde_json::json;

use crate::app::App;
use crate::cli::DoctorArgs;
use crate::failure::{Exit, Failure};
use crate::project;

pub fn run(app: &App, args: &DoctorArgs) -> Result<(), Failure> {
    if args.list {
        return list(app, args.json);
    }
    let selection = selection(args)?;
    let root = match &args.root {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(Failure::msg(
                    Exit::Usage,
                    format!("--root {}: not a directory", dir.display()),
                )
                .hint("point --root at the top of a host's file tree (the directory holding etc/, proc/, sys/)"));
            }
            if args.reload {
                return Err(Failure::msg(
                    Exit::Usage,
                    "--reload applies sysctls to this host; it cannot be used with --root",
                ));
            }
            HostRoot::new(dir.canonicalize().unwrap_or_else(|_| dir.clone()))
        }
        None => HostRoot::live(),
    };
    let vars = app.env.to_map();
    let project_env = project::project_env(&app.env);
    let report = examine::examine(&Examination {
        root: &root,
        store: &app.store,
        dir: &gorig_project::logical_cwd(&project_env),
        project_env: &project_env,
        vars: &vars,
        selection: &selection,
        runner: &SystemRunner,
        go_env: true,
    });

    let fixed = if args.fix {
        Some(examine::fix_files(&root, &report, args.yes).map_err(write_failure)?)
    } else {
        None
    };
    let reloaded = match &fixed {
        Some(files) if args.reload && files.iter().any(wrote_sysctl) => Some(reload()?),
        _ => None,
    };

    if app.printer.json {
        let mut value =
            serde_json::to_value(&report).map_err(|e| Failure::new(Exit::Internal, e))?;
        if let (Some(files), Some(object)) = (&fixed, value.as_object_mut()) {
            object.insert(
                "fix".to_string(),
                json!({
                    "files": files.iter().map(fix_json).collect::<Vec<_>>(),
                    "applied": args.yes,
                    "reloaded": reloaded.unwrap_or(false),
                }),
            );
        }
        app.printer.json_line(&value);
    } else {
        app.printer.out(gorig_doctor::render::human(
            &report,
            args.verbose,
            app.printer.color,
        ));
        if let Some(files) = &fixed {
            app.printer.out(fix_text(files, args.yes, reloaded));
        }
    }
    exit_for(&report)
}

fn exit_for(report: &Report) -> Result<(), Failure> {
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

fn wrote_sysctl(file: &FixedFile) -> bool {
    file.written && file.planned.path == gorig_doctor::fix::SYSCTL_FILE
}

/// Runs `sysctl --system`; its messages are shown when it fails.
fn reload() -> Result<bool, Failure> {
    let output = examine::reload_sysctls(&SystemRunner)
        .map_err(|e| Failure::new(Exit::Internal, e).context("could not run `sysctl --system`"))?;
    if !output.success {
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(output.success)
}

fn fix_json(file: &FixedFile) -> serde_json::Value {
    json!({
        "path": file.shown,
        "lines": file.planned.lines.iter().map(|l| json!({"text": l.text, "ids": l.ids})).collect::<Vec<_>>(),
        "changed": file.changed,
        "foreign": file.foreign,
        "written": file.written,
        "backup": file.backup,
    })
}

fn fix_text(files: &[FixedFile], yes: bool, reloaded: Option<bool>) -> String {
    let mut text = String::new();
    if files.is_empty() {
        text.push_str("fix: nothing to write: no warning or failure has a sysctl or limits fix\n");
    }
    for file in files {
        let state = match (file.changed, yes) {
            (false, _) => "already up to date",
            (true, true) => "written",
            (true, false) => "would be written (add --yes)",
        };
        text.push_str(&format!("fix: {}: {state}\n", file.shown));
        for line in &file.planned.lines {
            text.push_str(&format!("  {}    # {}\n", line.text, line.ids.join(", ")));
        }
        if file.foreign {
            text.push_str(&format!(
                "  note: {} was not written by gorig; {}\n",
                file.shown,
                if yes {
                    "its old content is in the backup"
                } else {
                    "it will be backed up first"
                }
            ));
        }
        if let Some(path) = &file.backup {
            text.push_str(&format!("  backup: {}\n", path.display()));
        }
    }
    if files
        .iter()
        .any(|f| f.planned.path == gorig_doctor::fix::LIMITS_FILE)
    {
        text.push_str("  limits.d applies to new login sessions; services take LimitNOFILE= and friends from their unit\n");
    }
    match reloaded {
        Some(true) => text.push_str("fix: sysctl --system applied the settings\n"),
        Some(false) => text.push_str("fix: sysctl --system failed; see its messages above\n"),
        None if files.iter().any(wrote_sysctl) => text.push_str(
            "  run `sysctl --system` (or gorig doctor --fix --yes --reload) to apply the sysctls now\n",
        ),
        None => {}
    }
    text
}

fn write_failure(error: gorig_fs::FsError) -> Failure {
    match error {
        gorig_fs::FsError::Io { path, source, .. } => {
            let hint = if source.kind() == std::io::ErrorKind::PermissionDenied {
                "writing under /etc needs root: sudo gorig doctor --fix --yes"
            } else {
                "nothing else was changed"
            };
            Failure::new(Exit::Filesystem, source)
                .context(format!("could not write {}", path.display()))
                .hint(hint)
        }
        other => Failure::new(Exit::Filesystem, other),
    }
}
