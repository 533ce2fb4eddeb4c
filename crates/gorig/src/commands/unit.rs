//! `gorig unit NAME --exec PATH [...]`: parses the request, calls `gorig_install::unit`
//! (plan, then write with `--write`), and prints the units, or where they were written,
//! with the notes on stderr (or one JSON document).

use gorig_host::HostRoot;
use gorig_install::unit::{self, UnitError, UnitRequest};
use serde_json::json;

use crate::app::App;
use crate::cli::UnitArgs;
use crate::failure::{Exit, Failure};

pub fn run(app: &App, args: &UnitArgs) -> Result<(), Failure> {
    if !args.check.is_empty() {
        return check(app, args);
    }
    let (Some(name), Some(exec)) = (&args.name, &args.exec) else {
        return Err(
            Failure::msg(Exit::Usage, "gorig unit needs NAME and --exec PATH")
                .hint("gorig unit app --exec /opt/app/bin/app, or gorig unit --check FILE"),
        );
    };
    let root = match &args.root {
        Some(dir) => HostRoot::new(dir),
        None => HostRoot::live(),
    };
    let request = UnitRequest {
        name: name.clone(),
        exec: exec.clone(),
        args: args.args.clone(),
        user: args.user.clone(),
        ports: args.ports.clone(),
        cpus: args.cpus,
        memory: args.memory.clone(),
        env: args.env.clone(),
        after: args.after.clone(),
        socket: args.socket,
        allow_ip: args.allow_ip.clone(),
        systemd: args.systemd,
        comments: !args.no_comments,
        user_unit_dir: args.user_unit.then(|| user_unit_dir(app)).transpose()?,
        kubernetes: (args.format == "kubernetes").then(|| {
            args.image
                .clone()
                .unwrap_or_else(|| format!("registry.example.com/{name}:latest"))
        }),
    };
    if request.kubernetes.is_some() && args.write {
        return Err(Failure::msg(
            Exit::Usage,
            "--write installs systemd units; a Kubernetes manifest is printed",
        )
        .hint(format!(
            "gorig unit {name} --exec ... --format kubernetes > {name}.yaml && kubectl apply -f {name}.yaml"
        )));
    }
    if request.kubernetes.is_none() && args.image.is_some() {
        return Err(Failure::msg(
            Exit::Usage,
            "--image is for --format kubernetes",
        ));
    }
    let plan = unit::plan(&request, &root).map_err(refused)?;
    let written = if args.write {
        unit::write(&plan, &root).map_err(|e| {
            let path = e.path().display().to_string();
            let failure = Failure::new(Exit::Filesystem, e);
            if root.is_live() {
                failure.hint(format!(
                    "{path} is root's: run it with sudo, or without --write to print the unit"
                ))
            } else {
                failure
            }
        })?
    } else {
        Vec::new()
    };
    let reloaded = args.daemon_reload && root.is_live() && written.iter().any(|w| w.changed);
    if reloaded
        && !unit::daemon_reload(args.user_unit, &gorig_host::gather::SystemRunner).unwrap_or(false)
    {
        return Err(
            Failure::msg(Exit::Internal, "`systemctl daemon-reload` failed")
                .hint("the units are written; run `systemctl daemon-reload` yourself"),
        );
    }

    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "service": plan.rendered.service,
            "socket": plan.rendered.socket,
            "service_path": plan.service_path,
            "socket_path": plan.rendered.socket.as_ref().map(|_| &plan.socket_path),
            "systemd": plan.systemd,
            "systemd_from": plan.systemd_from,
            "notes": plan.rendered.notes,
            "written": written.iter().map(|w| json!({
                "path": w.path,
                "changed": w.changed,
                "backup": w.backup,
            })).collect::<Vec<_>>(),
            "daemon_reload": reloaded,
        }));
        return Ok(());
    }
    if args.write {
        for file in &written {
            let what = if file.changed { "wrote" } else { "unchanged:" };
            app.printer
                .info(format!("{what} {}", root.join(&file.path).display()));
            if let Some(backup) = &file.backup {
                app.printer.info(format!(
                    "  the previous file is kept as {}",
                    backup.display()
                ));
            }
        }
        if !reloaded && written.iter().any(|w| w.changed) && root.is_live() {
            app.printer
                .note("next: systemctl daemon-reload && systemctl enable --now NAME");
        }
    } else {
        let mut text = plan.rendered.service.clone();
        if let Some(socket) = &plan.rendered.socket {
            text.push_str(&format!("\n# ---- {} ----\n", plan.socket_path.display()));
            text.push_str(socket);
        }
        app.printer.out(text);
    }
    for note in &plan.rendered.notes {
        app.printer.note(format!("note: {note}"));
    }
    Ok(())
}

/// `$XDG_CONFIG_HOME/systemd/user` (else `~/.config/systemd/user`), where the user's
/// manager reads units.
fn user_unit_dir(app: &App) -> Result<std::path::PathBuf, Failure> {
    let config = app
        .env
        .get("XDG_CONFIG_HOME")
        .filter(|d| d.starts_with('/'))
        .map(std::path::PathBuf::from)
        .or_else(|| {
            app.env
                .get("HOME")
                .filter(|h| h.starts_with('/'))
                .map(|h| std::path::Path::new(h).join(".config"))
        })
        .ok_or_else(|| {
            Failure::msg(
                Exit::Usage,
                "--user-unit needs HOME (or XDG_CONFIG_HOME) to find ~/.config/systemd/user",
            )
        })?;
    Ok(config.join("systemd/user"))
}

/// `--check FILE...`: each unit's exposure, what it lacks (heaviest first), and its Go
/// settings against its limits.
fn check(app: &App, args: &UnitArgs) -> Result<(), Failure> {
    let mut reports = Vec::new();
    for path in &args.check {
        let checked = unit::check(path).map_err(|e| {
            Failure::new(
                match e.kind() {
                    std::io::ErrorKind::NotFound => Exit::NotFound,
                    std::io::ErrorKind::InvalidData => Exit::Usage,
                    _ => Exit::Filesystem,
                },
                e,
            )
            .context(format!("could not read {}", path.display()))
        })?;
        reports.push(checked);
    }
    let limit = args.max_exposure.map(|m| (m * 10.0).round() as u64);
    let failed = reports
        .iter()
        .any(|r| limit.is_some_and(|l| r.assessment.exposure > l) || !r.go.is_empty());
    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "units": reports.iter().map(|r| json!({
                "path": r.path,
                "exposure": r.assessment.shown(),
                "label": r.assessment.label(),
                "missing": r.assessment.items.iter().filter(|i| i.badness.is_some_and(|b| b > 0)).map(|i| json!({
                    "directive": i.id,
                    "weight": i.weight,
                    "badness": i.badness,
                    "range": i.range,
                })).collect::<Vec<_>>(),
                "go": r.go,
            })).collect::<Vec<_>>(),
            "max_exposure": args.max_exposure,
            "ok": !failed,
        }));
    } else {
        let mut text = String::new();
        for report in &reports {
            let a = &report.assessment;
            text.push_str(&format!(
                "{}: exposure {} {}
",
                report.path.display(),
                a.shown(),
                a.label()
            ));
            let mut missing: Vec<_> = a
                .items
                .iter()
                .filter(|i| i.badness.is_some_and(|b| b > 0))
                .collect();
            missing.sort_by_key(|i| std::cmp::Reverse(i.badness.unwrap_or(0) * i.weight / i.range));
            for item in missing {
                let part = item.badness.unwrap_or(0) * item.weight / item.range;
                text.push_str(&format!("  {:<58} weight {part}\n", item.id));
            }
            for problem in &report.go {
                text.push_str(&format!("  go: {problem}\n"));
            }
        }
        app.printer.out(text);
    }
    if failed {
        Err(Failure::silent(Exit::UnitCheck))
    } else {
        Ok(())
    }
}

fn refused(error: UnitError) -> Failure {
    let hint = match &error {
        UnitError::Name(_) => "gorig unit myapp --exec /opt/myapp/bin/myapp",
        UnitError::RelativeExec(_) => {
            "systemd runs programs by absolute path: --exec /opt/app/bin/app"
        }
        UnitError::SocketWithoutPort => {
            "gorig unit app --exec /opt/app/bin/app --socket --port 8080"
        }
        _ => "gorig unit --help lists the forms each option takes",
    };
    Failure::new(Exit::Usage, error).hint(hint)
}
