//! The shims: `$GORIG_HOME/bin/go` and `gofmt` are links to the gorig binary, which sees
//! the tool's name in argv[0], picks the toolchain for the working directory and
//! `execve`s the real tool in place: no shell, no second process, no clap. A depth
//! counter in the environment stops a shim that would end up running itself.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::app::App;
use crate::failure::{Exit, Failure};
use crate::project::{self, Missing};
use crate::settings::{Environment, Settings};

/// The tools gorig makes shims for.
pub const SHIMMED: [&str; 2] = ["go", "gofmt"];

/// Whether argv[0] names a shim rather than gorig itself.
pub fn tool_of(argv0: &std::ffi::OsStr) -> Option<&'static str> {
    let name = Path::new(argv0).file_name()?;
    SHIMMED.into_iter().find(|tool| name == *tool)
}

const DEPTH_VAR: &str = "GORIG_SHIM_DEPTH";

/// Runs `tool` for the working directory; returns only when that fails.
pub fn run(tool: &str) -> ExitCode {
    let env = Environment::capture();
    match exec_tool(tool, &env) {
        Ok(never) => match never {},
        Err(failure) => {
            let printer = crate::printer::Printer::new(false, false, false);
            let code = failure.exit as u8;
            crate::render(&printer, &failure.context(format!("gorig's `{tool}` shim")));
            ExitCode::from(code)
        }
    }
}

enum Never {}

fn exec_tool(tool: &str, env: &Environment) -> Result<Never, Failure> {
    let depth: u32 = env.get(DEPTH_VAR).and_then(|d| d.parse().ok()).unwrap_or(0);
    if depth >= 3 {
        return Err(Failure::msg(
            Exit::Internal,
            format!("the `{tool}` shim keeps finding itself ({DEPTH_VAR}={depth})"),
        )
        .hint("a toolchain's bin/ must hold the real tools, not links to gorig: `gorig install --force VERSION` repairs it"));
    }
    let mut settings = Settings::resolve(&crate::cli::GlobalArgs::default(), env, false)
        .map_err(|e| Failure::new(Exit::Usage, e))?;
    // stdout belongs to the tool: an automatic install reports on stderr only.
    settings.quiet = true;
    let auto_install = settings.auto_install;
    let app = App::new(settings, false);
    let dir = project::logical_cwd(env);
    let selected = match project::select(&app.store, &dir, env) {
        Ok(selected) => selected,
        Err(Missing::NotInstalled { install, reason }) if auto_install => {
            eprintln!("gorig: installing {install} (asked for by {reason})");
            crate::commands::install::install_quietly(&app, &install)?;
            project::select(&app.store, &dir, env).map_err(Missing::into_failure)?
        }
        Err(missing) => return Err(missing.into_failure()),
    };
    let target = app
        .store
        .version_dir(&selected.version)
        .join("bin")
        .join(tool);
    refuse_self(&target, tool)?;
    let mut command = std::process::Command::new(&target);
    command.args(std::env::args_os().skip(1));
    command.env(DEPTH_VAR, (depth + 1).to_string());
    if let Some((key, value)) = project::toolchain_env(env) {
        command.env(key, value);
    }
    let error = command.exec();
    Err(Failure::new(Exit::Internal, error).context(format!(
        "could not run {} ({} for {})",
        target.display(),
        selected.version,
        selected.reason
    )))
}

/// A tool that resolves to the running gorig binary would loop.
fn refuse_self(target: &Path, tool: &str) -> Result<(), Failure> {
    let me = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::canonicalize(p).ok());
    let it = std::fs::canonicalize(target).ok();
    if me.is_some() && me == it {
        return Err(Failure::msg(
            Exit::Internal,
            format!(
                "{} is gorig itself, not the real `{tool}`",
                target.display()
            ),
        ));
    }
    Ok(())
}

/// Makes `$GORIG_HOME/bin/<tool>` links to this gorig binary (replacing stale ones).
pub fn ensure_shims(home: &Path) -> Result<PathBuf, Failure> {
    let dir = home.join("bin");
    std::fs::create_dir_all(&dir).map_err(|e| {
        Failure::new(Exit::Filesystem, e).context(format!("could not create {}", dir.display()))
    })?;
    let exe = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| {
            Failure::new(Exit::Internal, e).context("could not locate the gorig binary")
        })?;
    for tool in SHIMMED {
        let link = dir.join(tool);
        if std::fs::read_link(&link).is_ok_and(|target| target == exe) {
            continue;
        }
        gorig_store::replace_symlink(&exe, &link)?;
    }
    Ok(dir)
}
