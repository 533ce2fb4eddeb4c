//! `gorig activate SHELL` prints a prompt hook; the hook runs `gorig hook-env SHELL`,
//! which prints the PATH (and `GOTOOLCHAIN=local`) for the pinned toolchain of the
//! current directory. Commands then run the real binaries, with no shim in between.
//!
//! The hook remembers what it added (`_GORIG_PATH`, `_GORIG_TOOLCHAIN`) so it can take
//! it out again when the directory changes, and prints nothing when nothing changes.

use std::path::{Path, PathBuf};

use crate::app::App;
use crate::cli::{ActivateArgs, ShellKind};
use crate::failure::{Exit, Failure};
use crate::project::{self, Missing};
use crate::settings::Environment;
use crate::shell::quote;

pub fn activate(app: &App, args: &ActivateArgs) -> Result<(), Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::new(Exit::Internal, e).context("could not locate gorig"))?;
    let gorig = quote(&exe.display().to_string(), args.shell);
    let script = match args.shell {
        ShellKind::Bash => format!(
            r#"_gorig_hook() {{
  local status=$?
  eval "$({gorig} hook-env bash)"
  return $status
}}
case ";${{PROMPT_COMMAND:-}};" in
  *";_gorig_hook;"*) ;;
  *) PROMPT_COMMAND="_gorig_hook${{PROMPT_COMMAND:+;$PROMPT_COMMAND}}" ;;
esac
_gorig_hook
"#
        ),
        ShellKind::Zsh => format!(
            r#"_gorig_hook() {{
  eval "$({gorig} hook-env zsh)"
}}
typeset -ag precmd_functions chpwd_functions
if (( ! ${{precmd_functions[(I)_gorig_hook]}} )); then precmd_functions=(_gorig_hook $precmd_functions); fi
if (( ! ${{chpwd_functions[(I)_gorig_hook]}} )); then chpwd_functions=(_gorig_hook $chpwd_functions); fi
_gorig_hook
"#
        ),
        ShellKind::Fish => format!(
            r#"function __gorig_hook --on-event fish_prompt --on-variable PWD
    {gorig} hook-env fish | source
end
__gorig_hook
"#
        ),
        // POSIX sh has no prompt hook: set PATH for the directory it starts in.
        ShellKind::Sh => format!("eval \"$({gorig} hook-env sh)\"\n"),
    };
    app.printer.out(script);
    Ok(())
}

pub fn hook_env(app: &App, args: &ActivateArgs) -> Result<(), Failure> {
    let out = hook_script(
        &app.store,
        &app.settings.go_bin,
        args.shell,
        &Environment::capture(),
    );
    if !out.is_empty() {
        app.printer.out(out);
    }
    Ok(())
}

/// The prompt hook's fast path: no argument parser, no settings beyond where the store
/// and `go install`'s directory are. Returns `None` when a config file might move the
/// store, so the caller takes the full path.
pub fn hook_env_fast(shell_name: &str) -> Option<()> {
    let shell = match shell_name {
        "bash" => ShellKind::Bash,
        "zsh" => ShellKind::Zsh,
        "fish" => ShellKind::Fish,
        "sh" => ShellKind::Sh,
        _ => return None,
    };
    let env = Environment::capture();
    let home = crate::shim::configured_home(&env)?;
    let out = hook_script(
        &gorig_store::Store::new(home),
        &crate::settings::go_bin(&env),
        shell,
        &env,
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
) -> String {
    let env = env.clone();
    let dir = project::logical_cwd(&env);
    let go_bin = go_bin.to_path_buf();
    let previous = env.get("_GORIG_PATH").map(PathBuf::from);
    let ours_toolchain = env.get("_GORIG_TOOLCHAIN").is_some();
    let user_toolchain = env.get("GOTOOLCHAIN").is_some() && !ours_toolchain;
    let mut entries: Vec<PathBuf> = env
        .get("PATH")
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    if let Some(previous) = &previous {
        entries.retain(|e| e != previous);
    }
    let mut out = String::new();
    match project::select(store, &dir, &env) {
        Ok(selected) => {
            let bin = store.version_dir(&selected.version).join("bin");
            entries.retain(|e| *e != bin);
            entries.insert(0, bin.clone());
            if !entries.contains(&go_bin) {
                entries.push(go_bin.clone());
            }
            if previous.as_deref() != Some(bin.as_path()) {
                out.push_str(&set(shell, "_GORIG_PATH", &bin.display().to_string()));
            }
            if !user_toolchain && !ours_toolchain {
                out.push_str(&set(shell, "GOTOOLCHAIN", "local"));
                out.push_str(&set(shell, "_GORIG_TOOLCHAIN", "1"));
            }
            if env.get("_GORIG_WARNED").is_some() {
                out.push_str(&unset(shell, "_GORIG_WARNED"));
            }
        }
        Err(missing) => {
            if previous.is_some() {
                out.push_str(&unset(shell, "_GORIG_PATH"));
            }
            if ours_toolchain {
                out.push_str(&unset(shell, "GOTOOLCHAIN"));
                out.push_str(&unset(shell, "_GORIG_TOOLCHAIN"));
            }
            let here = dir.display().to_string();
            if env.get("_GORIG_WARNED") != Some(here.as_str()) {
                let failure = missing_failure(missing);
                eprintln!("gorig: {}", failure.summary());
                for hint in &failure.hints {
                    eprintln!("gorig: hint: {hint}");
                }
                out.push_str(&set(shell, "_GORIG_WARNED", &here));
            }
        }
    }
    let path = std::env::join_paths(&entries).unwrap_or_default();
    if env.get("PATH").map(Path::new) != Some(Path::new(&path)) {
        out.push_str(&set_path(shell, &entries));
    }
    out
}

fn missing_failure(missing: Missing) -> Failure {
    missing.into_failure()
}

fn set(shell: ShellKind, name: &str, value: &str) -> String {
    match shell {
        ShellKind::Fish => format!("set -gx {name} {};\n", quote(value, shell)),
        _ => format!("export {name}={};\n", quote(value, shell)),
    }
}

fn unset(shell: ShellKind, name: &str) -> String {
    match shell {
        ShellKind::Fish => format!("set -e {name};\n"),
        _ => format!("unset {name};\n"),
    }
}

fn set_path(shell: ShellKind, entries: &[PathBuf]) -> String {
    match shell {
        ShellKind::Fish => {
            let list: Vec<String> = entries
                .iter()
                .map(|e| quote(&e.display().to_string(), shell))
                .collect();
            format!("set -gx PATH {};\n", list.join(" "))
        }
        _ => {
            let joined = std::env::join_paths(entries).unwrap_or_default();
            set(shell, "PATH", &joined.to_string_lossy())
        }
    }
}
