//! `gorig uninstall VERSION...`: removes installed toolchains. The default is kept unless
//! `--force` (a shell would otherwise lose `go` without warning); the version behind
//! `/usr/local/go` is always kept.

use serde_json::json;

use crate::app::App;
use crate::cli::UninstallArgs;
use crate::commands::parse_request;
use crate::failure::Failure;

pub fn run(app: &App, args: &UninstallArgs) -> Result<(), Failure> {
    app.require_system_access()?;
    let requests = args
        .versions
        .iter()
        .map(|text| parse_request(text))
        .collect::<Result<Vec<_>, _>>()?;
    let reporter = app.stderr_reporter();
    let installer = app.installer(&reporter);
    let system_link = app.settings.system.as_ref().map(|s| s.link.as_path());
    let removal = installer
        .uninstall(&requests, args.force, system_link)
        .map_err(|e| match e {
            // Installing is not the next step of a removal that found nothing.
            e @ gorig_install::InstallError::NoInstalledMatch { .. } => {
                Failure::new(crate::failure::Exit::NotFound, e)
                    .hint("`gorig list` shows what is installed")
            }
            other => other.into(),
        })?;
    for version in &removal.removed {
        app.printer.info(format!("removed {version}"));
    }
    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "removed": removal.removed,
            "default": removal.default,
        }));
    }
    Ok(())
}
