//! `gorig selinux [--port P]... [--exec PATH] [--module]` and `gorig selinux refine --avc
//! FILE`: parse, call `gorig_install::selinux`, print the commands (and the files
//! written), or the rules a refine added as a diff.

use gorig_host::HostRoot;
use gorig_install::selinux::{self, RefineError, SelinuxError, SelinuxRequest};
use serde_json::json;

use crate::app::App;
use crate::cli::{SelinuxAction, SelinuxArgs};
use crate::failure::{Exit, Failure};

pub fn run(app: &App, args: &SelinuxArgs) -> Result<(), Failure> {
    if let Some(SelinuxAction::Refine {
        avc,
        name,
        out,
        json,
    }) = &args.action
    {
        let (refined, before, written) = selinux::refine(out, name, avc).map_err(refine_failure)?;
        if *json {
            app.printer.json_line(&json!({
                "schema_version": 1,
                "added": refined.added,
                "other_domains": refined.other_domains,
                "written": written.as_ref().map(|w| json!({"path": w.path, "backup": w.backup})),
            }));
            return Ok(());
        }
        let mut text = String::new();
        if refined.added.is_empty() {
            text.push_str("nothing to add: the module already allows every denial of its domain\n");
        } else {
            text.push_str(&diff(&before, &refined.te, &format!("{name}.te")));
        }
        app.printer.out(text);
        for other in &refined.other_domains {
            app.printer.note(format!(
                "note: left alone, another domain's denial: {other}"
            ));
        }
        if written.is_some() {
            app.printer.note(format!(
                "next: rebuild and load it (gorig selinux --name {name} --module prints how)"
            ));
        }
        return Ok(());
    }
    let service = &args.service;
    let request = SelinuxRequest {
        name: service.name.clone(),
        exec: service.exec.clone(),
        ports: service.ports.clone(),
        state_dir: service.state_dir.clone(),
        module: args.module,
    };
    let plan = selinux::plan(&request, &HostRoot::live()).map_err(input_failure)?;
    let written =
        selinux::write_module(&plan, &args.out).map_err(|e| Failure::new(Exit::Filesystem, e))?;
    let mut notes = Vec::new();
    if !plan.selinux_host {
        notes.push(
            "this host has no SELinux: run these on the host the service runs on".to_string(),
        );
    }
    if args.podman {
        notes.push(format!(
            "under Podman the service runs as container_t: mount its state with :Z (private to it) or :z (shared), e.g. `-v {}:/data:Z`; published ports need no port label; `--security-opt label=disable` turns the labels off (not recommended)",
            plan.service.state_dir
        ));
    }
    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "types": selinux_types(&plan.service.name),
            "commands": plan.steps.iter().map(|s| json!({"command": s.command, "why": s.why})).collect::<Vec<_>>(),
            "module": plan.module.as_ref().map(|(te, fc)| json!({"te": te, "fc": fc})),
            "written": written.iter().map(|w| json!({"path": w.path, "changed": w.changed, "backup": w.backup})).collect::<Vec<_>>(),
            "selinux_host": plan.selinux_host,
            "notes": notes,
        }));
        return Ok(());
    }
    let mut text = String::new();
    for file in &written {
        let what = if file.changed { "wrote" } else { "unchanged:" };
        text.push_str(&format!("# {what} {}\n", file.path.display()));
        if let Some(backup) = &file.backup {
            text.push_str(&format!(
                "#   the previous file is kept as {}\n",
                backup.display()
            ));
        }
    }
    if !written.is_empty() {
        text.push_str(&format!("# in {}:\n", args.out.display()));
    }
    for step in &plan.steps {
        text.push_str(&format!("# {}\n{}\n", step.why, step.command));
    }
    app.printer.out(text);
    for note in notes {
        app.printer.note(format!("note: {note}"));
    }
    Ok(())
}

fn selinux_types(name: &str) -> serde_json::Value {
    let [domain, exec, port, state] = gorig_render::selinux::types(name);
    json!({"domain": domain, "exec": exec, "port": port, "state": state})
}

/// The lines `after` adds to `before`, as a unified-style diff of additions.
fn diff(before: &str, after: &str, file: &str) -> String {
    let old: Vec<&str> = before.lines().collect();
    let mut text = format!("--- {file}\n+++ {file}\n");
    let mut at = 0;
    for line in after.lines() {
        if at < old.len() && old[at] == line {
            at += 1;
            continue;
        }
        // A line of `before` dropped (a require line that grew): show it replaced.
        if at < old.len() && !after.lines().any(|l| l == old[at]) {
            text.push_str(&format!("-{}\n", old[at]));
            at += 1;
        }
        text.push_str(&format!("+{line}\n"));
    }
    text
}

fn input_failure(error: SelinuxError) -> Failure {
    let hint = match &error {
        SelinuxError::Name(_) => {
            "gorig selinux --name myapp --port 9876 --exec /opt/myapp/bin/myapp"
        }
        SelinuxError::Relative(_) => {
            "give absolute paths: --exec /opt/app/bin/app --state-dir /var/lib/app"
        }
        _ => "gorig selinux --help",
    };
    Failure::new(Exit::Usage, error).hint(hint)
}

fn refine_failure(error: RefineError) -> Failure {
    match error {
        RefineError::Input(e @ SelinuxError::NotOurs { .. }) => Failure::new(Exit::Usage, e)
            .hint("refine works on the module `gorig selinux --module` wrote; audit2allow -M makes one from scratch"),
        RefineError::Input(e @ SelinuxError::Read { .. }) => Failure::new(Exit::NotFound, e)
            .hint("gorig selinux --module --name NAME writes NAME.te; --out names its directory"),
        RefineError::Input(e) => input_failure(e),
        RefineError::Write(e) => Failure::new(Exit::Filesystem, e),
    }
}
