//! `gorig use VERSION`: makes an installed toolchain the default by swapping the `current`
//! link atomically; with `--system`, also `/usr/local/go`. `gorig use -` goes back to the
//! previous default (a rollback).

use serde_json::json;

use crate::app::App;
use crate::cli::UseArgs;
use crate::commands::{install, parse_request, select_installed};
use crate::failure::{Exit, Failure};

pub fn run(app: &App, args: &UseArgs) -> Result<(), Failure> {
    app.require_system_access()?;
    let version = if args.version == "-" {
        // Like `cd -`: back to the default before the last change.
        app.store.previous_version().ok_or_else(|| {
            Failure::msg(
                Exit::NotFound,
                "there is no previous default to go back to (or it was uninstalled)",
            )
            .hint("gorig use VERSION   (`gorig list` shows what is installed)")
        })?
    } else {
        let request = parse_request(&args.version)?;
        select_installed(&request, &app.store.installed()?)?
    };
    {
        let lock = app.lock_store()?;
        app.store.set_default(&version, &lock)?;
    }
    if app.settings.system.is_some() {
        install::link_system(app, &version, false)?;
    }
    let path = app.store.version_dir(&version);
    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "default": version,
            "path": path,
        }));
    } else {
        app.printer
            .info(format!("{version} is now the default ({})", path.display()));
    }
    Ok(())
}
