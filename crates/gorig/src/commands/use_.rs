//! `gorig use VERSION`: makes an installed toolchain the default by swapping the `current`
//! link atomically; with `--system`, also `/usr/local/go`. `gorig use -` goes back to the
//! previous default (a rollback).

use serde_json::json;

use crate::app::App;
use crate::cli::UseArgs;
use crate::commands::{install, parse_request, select_installed};
use crate::failure::{Exit, Failure};

pub fn run(app: &App, args: &UseArgs) -> Result<(), Failure> {
    if args.local {
        return pin_here(app, args);
    }
    app.require_system_access()?;
    let reporter = app.stderr_reporter();
    let installer = app.installer(&reporter);
    // `gorig use -` is like `cd -`: back to the default before the last change.
    let version = if args.version == "-" {
        installer.rollback()?
    } else {
        installer.use_version(&parse_request(&args.version)?)?
    };
    if app.settings.system.is_some() {
        install::link_system(app, &installer, &version, false)?;
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

/// `gorig use --local VERSION`: writes `./.go-version` (keeping a different old one as
/// `.go-version.gorig-backup-<UTC stamp>`), so this directory and those below it use
/// VERSION.
fn pin_here(app: &App, args: &UseArgs) -> Result<(), Failure> {
    let request = parse_request(&args.version)?;
    let text = request.to_string();
    let text = text.strip_prefix("go").unwrap_or(&text).to_string();
    let file = std::env::current_dir()
        .map_err(|e| Failure::new(Exit::Filesystem, e))?
        .join(".go-version");
    let same = std::fs::read_to_string(&file).is_ok_and(|old| old.trim() == text);
    let backup = if same {
        None
    } else {
        gorig_fs::write_managed(
            &file,
            format!("{text}\n").as_bytes(),
            &gorig_fs::Managed::default(),
        )
        .map_err(|e| Failure::from(gorig_store::StoreError::from(e)))?
        .backup
    };
    let installed = select_installed(&request, &app.store.installed()?).ok();
    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "pinned": text,
            "file": file,
            "backup": backup,
            "installed": installed,
        }));
    } else {
        app.printer
            .info(format!("pinned {text} in {}", file.display()));
        if let Some(backup) = &backup {
            app.printer
                .info(format!("kept the old one as {}", backup.display()));
        }
        if installed.is_none() {
            app.printer
                .warn(format!("{text} is not installed: gorig install {text}"));
        }
        if let Some(note) = crate::commands::pins_not_followed(app) {
            app.printer.warn(note);
        }
    }
    Ok(())
}
