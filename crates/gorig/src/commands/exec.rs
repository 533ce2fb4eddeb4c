//! `gorig exec [VERSION] -- CMD...`: runs a command with a toolchain first on PATH (the
//! one pinned here, or VERSION), `GOTOOLCHAIN=local` unless the user set it, and the
//! `go install` directory on PATH; gorig replaces itself with the command (no child).

use std::os::unix::process::CommandExt;

use crate::app::App;
use crate::cli::ExecArgs;
use crate::commands::{parse_request, select_installed};
use crate::failure::{Exit, Failure};
use crate::project::{self, Missing};
use crate::settings::Environment;

pub fn run(app: &App, args: &ExecArgs) -> Result<(), Failure> {
    let env = Environment::capture();
    let version = match &args.version {
        Some(text) => {
            let request = parse_request(text)?;
            match select_installed(&request, &app.store.installed()?) {
                Ok(version) => version,
                Err(_) if app.settings.auto_install => {
                    crate::commands::install::install_quietly(app, text)?;
                    select_installed(&request, &app.store.installed()?)?
                }
                Err(failure) => return Err(failure),
            }
        }
        None => {
            let dir = project::logical_cwd(&env);
            match project::select(&app.store, &dir, &env) {
                Ok(selected) => selected.version,
                Err(Missing::NotInstalled { install, .. }) if app.settings.auto_install => {
                    crate::commands::install::install_quietly(app, &install)?;
                    project::select(&app.store, &dir, &env)
                        .map_err(Missing::into_failure)?
                        .version
                }
                Err(missing) => return Err(missing.into_failure()),
            }
        }
    };
    let bin = app.store.version_dir(&version).join("bin");
    let path = project::path_with(&[bin, app.settings.go_bin.clone()], &env);
    let Some((program, rest)) = args.command.split_first() else {
        return Err(Failure::msg(Exit::Usage, "no command to run").hint("gorig exec -- go version"));
    };
    let mut command = std::process::Command::new(program);
    command.args(rest).env("PATH", path);
    if let Some((key, value)) = project::toolchain_env(&env) {
        command.env(key, value);
    }
    let error = command.exec();
    Err(Failure::new(
        if error.kind() == std::io::ErrorKind::NotFound {
            Exit::NotFound
        } else {
            Exit::Internal
        },
        error,
    )
    .context(format!(
        "could not run `{}` with {version}",
        program.to_string_lossy()
    )))
}
