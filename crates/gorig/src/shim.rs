//! The shims: `$GORIG_HOME/bin/go` and `gofmt` are links to the gorig binary, which sees
//! the tool's name in argv[0], picks the toolchain for the working directory and
//! `execve`s the real tool in place: no shell, no second process, no clap. A depth
//! counter in the environment stops a shim that would end up running itself.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::app::App;
use crate::failure::{Exit, Failure};
use crate::project;
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
pub fn run(tool: &str, env: Environment) -> ExitCode {
    match exec_tool(tool, &env) {
        Ok(never) => match never {},
        Err(failure) => {
            let printer = crate::printer::Printer::new(false, false, false);
            let code = failure.exit as u8;
            // The error itself first; that `go` is gorig's shim is the last hint.
            let shim = std::env::args_os()
                .next()
                .map(|a| std::path::PathBuf::from(a).display().to_string())
                .unwrap_or_else(|| tool.to_string());
            crate::render(
                &printer,
                &failure.hint(format!(
                    "`{tool}` here is gorig's shim ({shim}); `gorig current` says which Go it picks and why"
                )),
            );
            ExitCode::from(code)
        }
    }
}

enum Never {}

fn exec_tool(tool: &str, env: &Environment) -> Result<Never, Failure> {
    env.check_utf8().map_err(|e| Failure::new(Exit::Usage, e))?;
    let depth: u32 = env.get(DEPTH_VAR).and_then(|d| d.parse().ok()).unwrap_or(0);
    if depth >= 3 {
        return Err(Failure::msg(
            Exit::Internal,
            format!("the `{tool}` shim keeps finding itself ({DEPTH_VAR}={depth})"),
        )
        .hint("a toolchain's bin/ must hold the real tools, not links to gorig: `gorig install --force VERSION` repairs it"));
    }
    let dir = project::logical_cwd(env);
    let home = shim_home(tool, env);
    // The common case costs a few system calls: the store's place, the pin, one stat.
    let (version, reason) = match fast_choice(&home, &dir, env) {
        Some(found) => found,
        None => full_choice(&home, &dir, env)?,
    };
    let target = home
        .join("versions")
        .join(version.to_string())
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
        "could not run {} ({version} for {reason})",
        target.display()
    )))
}

/// The store this shim belongs to: shims live in `<store>/bin`, so it is the parent of
/// the directory the shim was run from (argv[0], or the PATH entry holding it). The
/// system store's shims thus serve the system store, whatever the user's settings.
fn shim_home(tool: &str, env: &Environment) -> PathBuf {
    let argv0 = std::env::args_os().next().map(PathBuf::from);
    let from_dir = |bin: &Path| -> Option<PathBuf> {
        let home = bin.parent()?;
        home.join("versions").is_dir().then(|| home.to_path_buf())
    };
    if let Some(argv0) = &argv0
        && argv0.components().count() > 1
        && let Some(home) = argv0.parent().and_then(from_dir)
    {
        return home;
    }
    if let Some(path) = env.get("PATH") {
        for entry in std::env::split_paths(path) {
            let candidate = entry.join(tool);
            if std::fs::symlink_metadata(&candidate).is_ok_and(|m| m.file_type().is_symlink())
                && let Some(home) = from_dir(&entry)
            {
                return home;
            }
        }
    }
    gorig_settings::store_home(env)
}

/// The toolchain when no setting needs resolving and the answer is installed.
fn fast_choice(
    home: &Path,
    dir: &Path,
    env: &Environment,
) -> Option<(gorig_version::GoVersion, String)> {
    let store = gorig_store::Store::new(home);
    let pin = project::pin_for(&store, dir, env).ok()?;
    use gorig_project::Requirement;
    use gorig_version::VersionRequest;
    match pin {
        // An exact pin needs one stat, not a listing of the store.
        Some(p) => match &p.requirement {
            Requirement::Request(VersionRequest::Exact(v)) | Requirement::Toolchain(v)
                if store.is_installed(v) =>
            {
                Some((v.clone(), p.to_string()))
            }
            _ => gorig_project::select_for_pin(&store, Some(p))
                .ok()
                .map(|selected| (selected.version, selected.reason)),
        },
        None => store
            .default_version()
            .map(|v| (v, "the default (gorig use)".to_string())),
    }
}

/// The toolchain with every setting resolved, installing a missing pin when allowed.
fn full_choice(
    home: &Path,
    dir: &Path,
    env: &Environment,
) -> Result<(gorig_version::GoVersion, String), Failure> {
    let global = crate::cli::GlobalArgs {
        home: Some(home.to_path_buf()),
        ..crate::cli::GlobalArgs::default()
    };
    let mut settings =
        Settings::resolve(&global, env, false).map_err(|e| Failure::new(Exit::Usage, e))?;
    // stdout belongs to the tool: an automatic install reports on stderr only.
    settings.quiet = true;
    let auto_install = settings.auto_install;
    let app = App::new(settings, env.clone(), false);
    let reporter = app.stderr_reporter();
    let project_env = project::project_env(env);
    let ensured = app.installer(&reporter).ensure(
        gorig_install::Want::Project {
            dir,
            env: &project_env,
        },
        auto_install,
    )?;
    Ok((ensured.version, ensured.reason))
}

/// A tool that is a link to gorig would run this shim again.
fn refuse_self(target: &Path, tool: &str) -> Result<(), Failure> {
    let Ok(link) = std::fs::read_link(target) else {
        return Ok(());
    };
    let me = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::canonicalize(p).ok());
    let it = std::fs::canonicalize(target.parent().unwrap_or(Path::new("/")).join(link)).ok();
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
        gorig_fs::replace_symlink(&exe, &link).map_err(gorig_store::StoreError::from)?;
    }
    Ok(dir)
}
