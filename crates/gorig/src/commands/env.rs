//! `gorig env`: shell code that puts gorig's shims (which follow each project's pin, as
//! rustup's do) and the user's `go install` tools on PATH; with `--no-shims`, the default
//! toolchain through the `current` link (so `gorig use` takes effect without
//! re-evaluating). GOROOT only with `--goroot`: Go finds its root from its own path, and a GOROOT
//! left pointing at an old version breaks builds. The shell is `--shell`, else the parent
//! process when it is a shell, else `$SHELL`, else sh.

use serde_json::json;

use crate::app::App;
use crate::cli::{EnvArgs, ShellKind};
use crate::failure::Failure;
use gorig_render::{PathSetup, shell_from_env, shell_name};

pub fn run(app: &App, args: &EnvArgs) -> Result<(), Failure> {
    // The shell that runs `eval "$(gorig env)"` (or `gorig env | source`) is the parent:
    // under fish started from bash, $SHELL still says bash.
    let parent = gorig_host::parent_process_name();
    let shell = args
        .shell
        .or_else(|| shell_from_env(parent.as_deref().map(|p| p.trim_start_matches('-'))))
        .or_else(|| shell_from_env(app.settings.shell.as_deref()))
        .unwrap_or(ShellKind::Sh);
    let root = match &app.settings.system {
        Some(system) => system.link.clone(),
        None => app.store.current_link(),
    };
    // `go` is gorig's shim, which follows each project's pin; --no-shims (or --goroot,
    // which names one toolchain) puts the default's bin there instead.
    let bin = if !args.no_shims && !args.goroot {
        crate::shim::ensure_shims(app.store.home())?
    } else {
        root.join("bin")
    };
    let dirs = [bin.as_path(), app.settings.go_bin.as_path()];
    let goroot = args.goroot.then_some(root.as_path());
    let script = PathSetup {
        shell,
        dirs: &dirs,
        goroot,
    }
    .render();
    if app.store.default_version().is_none() && app.settings.system.is_none() {
        app.printer.warn(
            "no default toolchain yet: `gorig install` installs one, `gorig use VERSION` picks one",
        );
    }
    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "shell": shell_name(shell),
            "path": dirs,
            "goroot": goroot,
            "script": script,
        }));
    } else {
        app.printer.out(script);
    }
    Ok(())
}
