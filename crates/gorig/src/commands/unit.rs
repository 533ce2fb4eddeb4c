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
    let root = match &args.root {
        Some(dir) => HostRoot::new(dir),
        None => HostRoot::live(),
    };
    let request = UnitRequest {
        name: args.name.clone(),
        exec: args.exec.clone(),
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
        kubernetes: (args.format == "kubernetes").then(|| {
            args.image
                .clone()
                .unwrap_or_else(|| format!("registry.example.com/{}:latest", args.name))
        }),
    };
    if request.kubernetes.is_some() && args.write {
        return Err(Failure::msg(
            Exit::Usage,
            "--write installs systemd units; a Kubernetes manifest is printed",
        )
        .hint(format!(
            "gorig unit {} --exec ... --format kubernetes > {}.yaml && kubectl apply -f {}.yaml",
            args.name, args.name, args.name
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
    if reloaded {
        let status = std::process::Command::new("systemctl")
            .arg("daemon-reload")
            .status();
        if !status.is_ok_and(|s| s.success()) {
            return Err(
                Failure::msg(Exit::Internal, "`systemctl daemon-reload` failed")
                    .hint("the units are written; run `systemctl daemon-reload` yourself"),
            );
        }
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
