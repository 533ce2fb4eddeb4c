//! Shell code gorig prints or writes: PATH set-up for `gorig env` in sh, bash, zsh and
//! fish, the prompt hook of `gorig activate` and the lines of `gorig hook-env`, and the
//! `/etc/profile.d/gorig.sh` of system mode. Every line is idempotent, so evaluating it
//! twice does not grow PATH, and every value is quoted for the shell it is for.

use std::path::{Path, PathBuf};

/// The shells gorig writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Shell {
    Sh,
    Bash,
    Zsh,
    Fish,
}

/// First line of files gorig writes outside its store; marks them as gorig's to replace.
pub const MANAGED_MARKER: &str = "# Managed by gorig";

/// Single-quotes `text` for POSIX shells and fish.
pub fn quote(text: &str, shell: Shell) -> String {
    match shell {
        Shell::Fish => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        _ => format!("'{}'", text.replace('\'', "'\\''")),
    }
}

/// The shell named by `$SHELL`, if gorig knows it.
pub fn shell_from_env(shell: Option<&str>) -> Option<Shell> {
    let name = Path::new(shell?).file_name()?.to_str()?;
    Some(match name {
        "bash" => Shell::Bash,
        "zsh" => Shell::Zsh,
        "fish" => Shell::Fish,
        "sh" | "dash" | "ash" | "ksh" | "mksh" => Shell::Sh,
        _ => return None,
    })
}

pub fn shell_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Sh => "sh",
        Shell::Bash => "bash",
        Shell::Zsh => "zsh",
        Shell::Fish => "fish",
    }
}

/// `gorig env`: code that puts `dirs` at the front of PATH (first one first), each only
/// once, and sets GOROOT when given.
#[derive(Debug, Clone)]
pub struct PathSetup<'a> {
    pub shell: Shell,
    pub dirs: &'a [&'a Path],
    pub goroot: Option<&'a Path>,
}

impl PathSetup<'_> {
    pub fn render(&self) -> String {
        path_script(self.shell, self.dirs, self.goroot)
    }
}

fn path_script(shell: Shell, dirs: &[&Path], goroot: Option<&Path>) -> String {
    let mut out = String::new();
    // Prepending in reverse leaves the first directory first.
    for dir in dirs.iter().rev() {
        let dir = dir.display().to_string();
        match shell {
            Shell::Fish => out.push_str(&format!(
                "if not contains -- {q} $PATH; set -gx PATH {q} $PATH; end\n",
                q = quote(&dir, shell)
            )),
            _ => out.push_str(&format!(
                "case \":${{PATH}}:\" in *:{q}:*) ;; *) export PATH={q}\"${{PATH:+:${{PATH}}}}\" ;; esac\n",
                q = quote(&dir, shell)
            )),
        }
    }
    if let Some(root) = goroot {
        let root = quote(&root.display().to_string(), shell);
        match shell {
            Shell::Fish => out.push_str(&format!("set -gx GOROOT {root}\n")),
            _ => out.push_str(&format!("export GOROOT={root}\n")),
        }
    }
    out
}

/// `/etc/profile.d/gorig.sh`: the system toolchain and each user's Go tools on PATH.
#[derive(Debug, Clone)]
pub struct Profile<'a> {
    /// The system toolchain's bin (`/usr/local/go/bin`).
    pub system_go_bin: &'a Path,
}

impl Profile<'_> {
    pub fn render(&self) -> String {
        profile_script(self.system_go_bin)
    }
}

fn profile_script(system_go_bin: &Path) -> String {
    let bin = quote(&system_go_bin.display().to_string(), Shell::Sh);
    format!(
        "{MANAGED_MARKER}: it is replaced by `gorig install --system` and `gorig use --system`.\n\
         # Puts the system Go toolchain and the user's `go install` tools on PATH.\n\
         case \":${{PATH}}:\" in *:{bin}:*) ;; *) PATH={bin}\"${{PATH:+:${{PATH}}}}\" ;; esac\n\
         _gorig_gobin=\"${{GOBIN:-${{GOPATH:-${{HOME}}/go}}}}\"\n\
         _gorig_gobin=\"${{_gorig_gobin%%:*}}\"\n\
         [ -n \"${{GOBIN}}\" ] || _gorig_gobin=\"${{_gorig_gobin}}/bin\"\n\
         case \":${{PATH}}:\" in *:\"${{_gorig_gobin}}\":*) ;; *) PATH=\"${{PATH}}:${{_gorig_gobin}}\" ;; esac\n\
         unset _gorig_gobin\n\
         export PATH\n"
    )
}

/// `gorig activate`: the prompt hook that runs `gorig hook-env` when something changed.
#[derive(Debug, Clone)]
pub struct Hook<'a> {
    pub shell: Shell,
    /// The gorig binary, as an absolute path.
    pub gorig: &'a Path,
}

impl Hook<'_> {
    pub fn render(&self) -> String {
        let gorig = quote(&self.gorig.display().to_string(), self.shell);
        match self.shell {
            Shell::Bash => format!(
                r#"{STALE_CHECK}
_gorig_hook() {{
  local status=$?
  if [[ "$PWD" != "${{_GORIG_PWD-}}" || "${{GORIG_GO_VERSION-}}|${{GOWORK-}}" != "${{_GORIG_ENV-}}" ]] || _gorig_stale; then
    eval "$(_GORIG_STAMP="$_GORIG_STAMP_FILE" {gorig} hook-env bash)"
  fi
  return $status
}}
case ";${{PROMPT_COMMAND:-}};" in
  *";_gorig_hook;"*) ;;
  *) PROMPT_COMMAND="_gorig_hook${{PROMPT_COMMAND:+;$PROMPT_COMMAND}}" ;;
esac
_gorig_hook
"#
            ),
            Shell::Zsh => format!(
                r#"{STALE_CHECK}
_gorig_hook() {{
  if [[ "$PWD" != "${{_GORIG_PWD-}}" || "${{GORIG_GO_VERSION-}}|${{GOWORK-}}" != "${{_GORIG_ENV-}}" ]] || _gorig_stale; then
    eval "$(_GORIG_STAMP="$_GORIG_STAMP_FILE" {gorig} hook-env zsh)"
  fi
}}
typeset -ag precmd_functions chpwd_functions
if (( ! ${{precmd_functions[(I)_gorig_hook]}} )); then precmd_functions=(_gorig_hook $precmd_functions); fi
if (( ! ${{chpwd_functions[(I)_gorig_hook]}} )); then chpwd_functions=(_gorig_hook $chpwd_functions); fi
_gorig_hook
"#
            ),
            Shell::Fish => format!(
                r#"function __gorig_hook --on-event fish_prompt --on-variable PWD
    {gorig} hook-env fish | source
end
__gorig_hook
"#
            ),
            // POSIX sh has no prompt hook: set PATH for the directory it starts in.
            Shell::Sh => format!("eval \"$({gorig} hook-env sh)\"\n"),
        }
    }
}

/// bash and zsh: gorig runs only when the directory, `GORIG_GO_VERSION`/`GOWORK`, or one
/// of the watched paths (the pin files, each directory up to /, the store and its
/// versions) changed since the stamp file was last touched, so most prompts start no
/// process at all. A path as new as the stamp counts as changed: file times come from a
/// coarse clock (a few milliseconds), so a pin written just after the stamp can carry
/// the stamp's very time.
const STALE_CHECK: &str = r#"_GORIG_STAMP_FILE="${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}/gorig-hook-${UID:-0}-$$"
_gorig_stale() {
  [[ -n "${_GORIG_STAMP-}" && -e "$_GORIG_STAMP" ]] || return 0
  local f
  for f in "${_GORIG_WATCH[@]}"; do
    [[ -e "$f" && ! "$_GORIG_STAMP" -nt "$f" ]] && return 0
  done
  return 1
}"#;

/// `gorig hook-env`: sets a variable for the shell.
pub fn set_var(shell: Shell, name: &str, value: &str) -> String {
    match shell {
        Shell::Fish => format!("set -gx {name} {};\n", quote(value, shell)),
        _ => format!("export {name}={};\n", quote(value, shell)),
    }
}

/// `gorig hook-env`: removes a variable.
pub fn unset_var(shell: Shell, name: &str) -> String {
    match shell {
        Shell::Fish => format!("set -e {name};\n"),
        _ => format!("unset {name};\n"),
    }
}

/// `gorig hook-env`: PATH set to `entries`, in order.
pub fn set_path(shell: Shell, entries: &[PathBuf]) -> String {
    match shell {
        Shell::Fish => {
            let list: Vec<String> = entries
                .iter()
                .map(|e| quote(&e.display().to_string(), shell))
                .collect();
            format!("set -gx PATH {};\n", list.join(" "))
        }
        _ => {
            let joined = std::env::join_paths(entries).unwrap_or_default();
            set_var(shell, "PATH", &joined.to_string_lossy())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn run_sh(shell: &str, script: &str, path: &str) -> String {
        let out = Command::new(shell)
            .arg("-c")
            .arg(format!("{script}\n{script}\nprintf %s \"$PATH\""))
            .env_clear()
            .env("PATH", path)
            .env("HOME", "/home/u")
            .output()
            .expect("run the shell");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn posix_script_prepends_once_in_order() {
        let script = path_script(
            Shell::Sh,
            &[Path::new("/store/current/bin"), Path::new("/home/u/go bin")],
            None,
        );
        assert_eq!(
            run_sh("/bin/sh", &script, "/usr/bin:/bin"),
            "/store/current/bin:/home/u/go bin:/usr/bin:/bin"
        );
        // An empty PATH gets no trailing colon (an empty entry means the current directory).
        assert_eq!(
            run_sh("/bin/sh", &script, ""),
            "/store/current/bin:/home/u/go bin"
        );
    }

    #[test]
    fn quotes_survive_hostile_paths() {
        let script = path_script(
            Shell::Bash,
            &[Path::new("/it's $(rm -rf)")],
            Some(Path::new("/r'")),
        );
        assert!(script.contains("'/it'\\''s $(rm -rf)'"), "{script}");
        assert!(script.contains("export GOROOT='/r'\\'''"), "{script}");
        assert_eq!(run_sh("/bin/sh", &script, "/bin"), "/it's $(rm -rf):/bin");
    }

    #[test]
    fn fish_script_uses_fish_syntax() {
        let script = path_script(Shell::Fish, &[Path::new("/a/bin")], Some(Path::new("/g")));
        assert_eq!(
            script,
            "if not contains -- '/a/bin' $PATH; set -gx PATH '/a/bin' $PATH; end\nset -gx GOROOT '/g'\n"
        );
    }

    #[test]
    fn profile_script_adds_the_system_go_and_the_users_tools() {
        let script = profile_script(Path::new("/usr/local/go/bin"));
        assert!(script.starts_with(MANAGED_MARKER));
        assert_eq!(
            run_sh("/bin/sh", &script, "/usr/bin"),
            "/usr/local/go/bin:/usr/bin:/home/u/go/bin"
        );
    }

    #[test]
    fn shells_are_named_by_their_program() {
        assert_eq!(shell_from_env(Some("/usr/bin/zsh")), Some(Shell::Zsh));
        assert_eq!(shell_from_env(Some("/bin/dash")), Some(Shell::Sh));
        assert_eq!(shell_from_env(Some("/usr/bin/nu")), None);
        assert_eq!(shell_from_env(None), None);
    }
}
