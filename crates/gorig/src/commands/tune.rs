//! `gorig tune [--profile service|ci|build] [--qps N] [--yes]`: reads the host's sysctls,
//! plans with `gorig_doctor::tune`, and prints the plan, or with `--yes` writes the
//! drop-ins through `gorig_install::examine::tune_files` (the writer of `doctor --fix`)
//! and loads the sysctls on the live host.

use gorig_doctor::fix::SYSCTL_FILE;
use gorig_doctor::tune::{self, Profile};
use gorig_host::HostRoot;
use gorig_host::gather::SystemRunner;
use gorig_install::examine::{self, FixedFile};
use serde_json::json;

use crate::app::App;
use crate::cli::TuneArgs;
use crate::failure::{Exit, Failure};

pub fn run(app: &App, args: &TuneArgs) -> Result<(), Failure> {
    let root = match &args.root {
        Some(dir) => HostRoot::new(dir),
        None => HostRoot::live(),
    };
    let profile = Profile::parse(&args.profile).unwrap_or(Profile::Service);
    let sysctls = examine::tune_sysctls(&root);
    let container = examine::in_container(&root);
    let tuning = tune::tune(profile, args.qps, &sysctls, container);
    let files = examine::tune_files(&root, &tuning, args.yes).map_err(|e| {
        let path = e.path().display().to_string();
        let failure = Failure::new(Exit::Filesystem, e).context("nothing more was written");
        if root.is_live() {
            failure.hint(format!(
                "{path} is root's: run it with sudo (gorig tune without --yes shows the plan)"
            ))
        } else {
            failure
        }
    })?;
    // Load what was written now, on this host; limits apply at the next login.
    let loaded = if args.yes
        && root.is_live()
        && files
            .iter()
            .any(|f| f.written && f.planned.path == SYSCTL_FILE)
    {
        let output = examine::load_sysctl_file(&SystemRunner, SYSCTL_FILE);
        match output {
            Ok(out) if out.success => Some(true),
            Ok(out) => {
                app.printer.warn(format!(
                    "the file is written, but `sysctl -p {SYSCTL_FILE}` failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
                Some(false)
            }
            Err(e) => {
                app.printer.warn(format!(
                    "the file is written, but sysctl could not run: {e}"
                ));
                Some(false)
            }
        }
    } else {
        None
    };

    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "profile": profile.name(),
            "qps": args.qps,
            "container": container,
            "files": files.iter().map(file_json).collect::<Vec<_>>(),
            "already": tuning.already.iter().map(|(key, now, target)| json!({"key": key, "current": now, "target": target})).collect::<Vec<_>>(),
            "left_to_host": tuning.left_to_host,
            "notes": tuning.notes,
            "loaded": loaded,
        }));
        return Ok(());
    }
    let mut text = String::new();
    let changing: Vec<&FixedFile> = files.iter().filter(|f| f.changed).collect();
    if changing.is_empty() {
        text.push_str(&format!(
            "nothing to change for a {} host\n",
            profile.name()
        ));
    } else if !args.yes {
        text.push_str(&format!(
            "plan for a {} host (gorig tune --yes writes it):\n",
            profile.name()
        ));
    }
    for file in &changing {
        let done = match (&file.backup, file.written) {
            (Some(backup), true) => format!(
                "  (wrote it; the previous file is kept as {})",
                backup.display()
            ),
            (None, true) => "  (wrote it)".to_string(),
            (_, false) if file.foreign => {
                "  (a file gorig did not write is there: --yes keeps a copy first)".to_string()
            }
            _ => String::new(),
        };
        text.push_str(&format!("{}{done}\n", file.shown));
        for line in &file.planned.lines {
            let key =
                gorig_doctor::fix::line_key(file.planned.kind, &line.text).unwrap_or_default();
            let now = sysctls
                .get(&key)
                .map(|v| format!("  (now {v})"))
                .unwrap_or_default();
            text.push_str(&format!("  {}{now}\n", line.text));
        }
    }
    if !tuning.already.is_empty() {
        let list: Vec<String> = tuning
            .already
            .iter()
            .map(|(key, now, _)| format!("{key} {now}"))
            .collect();
        text.push_str(&format!("already enough: {}\n", list.join(", ")));
    }
    if !tuning.left_to_host.is_empty() {
        text.push_str(&format!(
            "left to the host: {}\n",
            tuning.left_to_host.join(", ")
        ));
    }
    if loaded == Some(true) {
        text.push_str(&format!(
            "loaded {SYSCTL_FILE}; the limits apply at the next login\n"
        ));
    }
    app.printer.out(text);
    for note in &tuning.notes {
        app.printer.note(format!("note: {note}"));
    }
    Ok(())
}

fn file_json(file: &FixedFile) -> serde_json::Value {
    json!({
        "path": file.shown,
        "lines": file.planned.lines.iter().map(|l| json!({"text": l.text, "why": l.ids})).collect::<Vec<_>>(),
        "changed": file.changed,
        "foreign": file.foreign,
        "written": file.written,
        "backup": file.backup,
    })
}
