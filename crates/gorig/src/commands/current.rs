//! `gorig current`: the Go version chosen for the working directory and why: the
//! environment, the nearest pin file (with its path), or the default.

use serde_json::json;

use crate::app::App;
use crate::cli::CurrentArgs;
use crate::failure::Failure;
use gorig_project::Unselected;

use crate::project;

pub fn run(app: &App, args: &CurrentArgs) -> Result<(), Failure> {
    let env = app.env.clone();
    let dir = project::logical_cwd(&env);
    match project::select(&app.store, &dir, &env) {
        Ok(selected) => {
            let tool = app.store.version_dir(&selected.version).join("bin/go");
            if args.json {
                app.printer.json_line(&json!({
                    "schema_version": 1,
                    "version": selected.version,
                    "installed": true,
                    "reason": selected.reason,
                    "source": selected.pin.as_ref().map_or("default", |p| p.source.name()),
                    "file": selected.pin.as_ref().and_then(|p| p.path.clone()),
                    "go": tool,
                }));
            } else {
                app.printer
                    .out(format!("{}  ({})", selected.version, selected.reason));
                if selected.pin.is_some()
                    && let Some(note) = crate::commands::pins_not_followed(app)
                {
                    app.printer.warn(note);
                }
            }
            Ok(())
        }
        Err(Unselected::NotInstalled { install, reason }) if args.json => {
            // One document on stdout, which says what to install; the error itself
            // goes to stderr only.
            let failure = Failure::from(Unselected::NotInstalled {
                install: install.clone(),
                reason: reason.clone(),
            });
            app.printer.json_line(&json!({
                "schema_version": 1,
                "version": install.to_string(),
                "installed": false,
                "reason": reason,
                "hints": failure.hints,
            }));
            crate::render_text(&app.printer, &failure);
            Err(Failure::silent(failure.exit))
        }
        Err(other) => Err(other.into()),
    }
}
