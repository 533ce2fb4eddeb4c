//! `gorig use VERSION`: makes an installed toolchain the default by swapping the `current`
//! link atomically; with `--system`, also `/usr/local/go`.

use serde_json::json;

use crate::app::App;
use crate::cli::UseArgs;
use crate::commands::{install, parse_request, select_installed};
use crate::failure::Failure;

pub fn run(app: &App, args: &UseArgs) -> Result<(), Failure> {
    app.require_system_access()?;
    let request = parse_request(&args.version)?;
    let installed = app.store.installed()?;
    let version = select_installed(&request, &installed)?;
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
