//! `gorig exec [VERSION] [--] CMD...`: runs a command with a toolchain first on PATH (the
//! one pinned here, or VERSION), `GOTOOLCHAIN=local` unless the user set it, and the
//! `go install` directory on PATH; gorig replaces itself with the command (no child).

use std::os::unix::process::CommandExt;

use gorig_install::Want;

use crate::app::App;
use crate::cli::ExecArgs;
use crate::failure::{Exit, Failure};
use crate::project;

pub fn run(app: &App, args: &ExecArgs) -> Result<(), Failure> {
    let env = app.env.clone();
    let reporter = app.stderr_reporter();
    let installer = app.installer(&reporter);
    let (request, words) = args.split();
    let Some((program, rest)) = words.split_first() else {
        return Err(
            Failure::msg(Exit::Usage, "no command to run after the version")
                .hint("gorig exec 1.22 go version"),
        );
    };
    let dir = project::logical_cwd(&env);
    let project_env = project::project_env(&env);
    let want = match &request {
        Some(request) => Want::Version(request),
        None => Want::Project {
            dir: &dir,
            env: &project_env,
        },
    };
    let version = installer.ensure(want, app.settings.auto_install)?.version;
    let bin = app.store.version_dir(&version).join("bin");
    let path = project::path_with(&[bin, app.settings.go_bin.clone()], &env);
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
