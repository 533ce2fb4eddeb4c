//! `gorig activate SHELL` prints a prompt hook; the hook runs `gorig hook-env SHELL`,
//! which prints the PATH (and `GOTOOLCHAIN=local`) for the pinned toolchain of the
//! current directory. Commands then run the real binaries, with no shim in between.
//!
//! What the answer is (what changed, what to take out) is decided by
//! `gorig_render::HookEnv` from the shell's variables and the selection; this module
//! reads them, installs a missing pin when asked, and prints.

use std::path::{Path, PathBuf};

use crate::app::App;
use crate::cli::{ActivateArgs, ShellKind};
use crate::failure::{Exit, Failure};
use gorig_project::Unselected;

use crate::project;
use crate::settings::Environment;
use gorig_render::{HookEnv, HookState};

pub fn activate(app: &App, args: &ActivateArgs) -> Result<(), Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::new(Exit::Internal, e).context("could not locate gorig"))?;
    let script = gorig_render::Hook {
        shell: args.shell,
        gorig: &exe,
    }
    .render();
    app.printer.out(script);
    Ok(())
}

/// Installs a pinned version the hook found missing (GORIG_AUTO_INSTALL=1 or
/// `auto_install = true`); reports on stderr only, since stdout is the shell's code.
type AutoInstall<'a> = &'a dyn Fn(&Path, &Environment) -> Result<(), Failure>;

pub fn hook_env(app: &App, args: &ActivateArgs) -> Result<(), Failure> {
    let mut settings = app.settings.clone();
    settings.quiet = true;
    let quiet = App::new(settings, app.env.clone(), false);
    let reporter = quiet.stderr_reporter();
    let installer = quiet.installer(&reporter);
    let install = |dir: &Path, env: &Environment| -> Result<(), Failure> {
        let project_env = project::project_env(env);
        installer.ensure(
            gorig_install::Want::Project {
                dir,
                env: &project_env,
            },
            true,
        )?;
        Ok(())
    };
    let auto: Option<AutoInstall> = app.settings.auto_install.then_some(&install);
    let out = hook_script(&app.store, &app.settings.go_bin, args.shell, &app.env, auto);
    if !out.is_empty() {
        app.printer.out(out);
    }
    Ok(())
}

/// The prompt hook's fast path: no argument parser, no settings beyond where the store
/// and `go install`'s directory are. Returns `None` when a config file might move the
/// store, so the caller takes the full path.
pub fn hook_env_fast(shell_name: &str, env: &Environment) -> Option<()> {
    let shell = match shell_name {
        "bash" => ShellKind::Bash,
        "zsh" => ShellKind::Zsh,
        "fish" => ShellKind::Fish,
        "sh" => ShellKind::Sh,
        _ => return None,
    };
    // Installing needs every setting (mirrors, keys, proxies): the full path.
    if env.get("GORIG_AUTO_INSTALL").is_some() {
        return None;
    }
    let home = gorig_settings::configured_home(env)?;
    let out = hook_script(
        &gorig_store::Store::new(home),
        &crate::settings::go_bin(env),
        shell,
        env,
        None,
    );
    if !out.is_empty() {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(out.as_bytes());
    }
    Some(())
}

fn hook_script(
    store: &gorig_store::Store,
    go_bin: &Path,
    shell: ShellKind,
    env: &Environment,
    auto_install: Option<AutoInstall>,
) -> String {
    let dir = project::logical_cwd(env);
    // Touched before anything is read, so a change made while gorig reads is newer.
    let stamp = env
        .get("_GORIG_STAMP")
        .filter(|_| matches!(shell, ShellKind::Bash | ShellKind::Zsh))
        .map(PathBuf::from)
        .filter(|path| touch(path));
    let selected = match (project::select(store, &dir, env), auto_install) {
        (Err(Unselected::NotInstalled { .. }), Some(auto)) => {
            auto(&dir, env).and_then(|()| project::select(store, &dir, env).map_err(Failure::from))
        }
        (other, _) => other.map_err(Failure::from),
    };
    let bin = selected
        .as_ref()
        .ok()
        .map(|s| store.version_dir(&s.version).join("bin"));
    let mut watch: Vec<PathBuf> = vec![store.home().to_path_buf(), store.versions_dir()];
    if stamp.is_some() {
        let found = selected.as_ref().ok().and_then(|s| s.pin.as_ref());
        watch.extend(gorig_project::pin_inputs(&dir, env.get("GOWORK"), found));
    }
    let env_key = format!(
        "{}|{}",
        env.get("GORIG_GO_VERSION").unwrap_or(""),
        env.get("GOWORK").unwrap_or("")
    );
    let answer = HookEnv {
        shell,
        path: env.get("PATH").map(std::ffi::OsStr::new),
        previous: env.get("_GORIG_PATH").map(Path::new),
        ours_toolchain: env.get("_GORIG_TOOLCHAIN").is_some(),
        toolchain_set: env.get("GOTOOLCHAIN").is_some(),
        warned: env.get("_GORIG_WARNED"),
        dir: &dir,
        selected_bin: bin.as_deref(),
        shims: &store.home().join("bin"),
        go_bin,
        state: stamp.as_deref().map(|stamp| HookState {
            stamp,
            watch: &watch,
            env_key: &env_key,
        }),
    }
    .render();
    if let (true, Err(failure)) = (answer.warn, &selected) {
        eprintln!("gorig: {}", failure.summary());
        for hint in &failure.hints {
            eprintln!("gorig: hint: {hint}");
        }
    }
    answer.script
}

/// Creates or truncates the stamp file (private, never through a symlink), so its
/// modification time is now. False when it cannot be written: the hook then runs at
/// every prompt, as it would without a stamp.
fn touch(path: &Path) -> bool {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
        .is_ok()
}
