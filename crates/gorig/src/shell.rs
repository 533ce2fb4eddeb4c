//! Shell code gorig prints or writes: PATH set-up for `gorig env` in sh, bash, zsh and fish,
//! and the `/etc/profile.d/gorig.sh` of system mode. Pure text generation; every line is
//! idempotent, so evaluating it twice does not grow PATH.

use std::path::Path;

use crate::cli::ShellKind;

/// First line of files gorig writes outside its store; marks them as gorig's to replace.
pub const MANAGED_MARKER: &str = "# Managed by gorig";

/// Single-quotes `text` for POSIX shells and fish.
pub fn quote(text: &str, shell: ShellKind) -> String {
    match shell {
        ShellKind::Fish => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        _ => format!("'{}'", text.replace('\'', "'\\''")),
    }
}

/// The shell named by `$SHELL`, if gorig knows it.
pub fn shell_from_env(shell: Option<&str>) -> Option<ShellKind> {
    let name = Path::new(shell?).file_name()?.to_str()?;
    Some(match name {
        "bash" => ShellKind::Bash,
        "zsh" => ShellKind::Zsh,
        "fish" => ShellKind::Fish,
        "sh" | "dash" | "ash" | "ksh" | "mksh" => ShellKind::Sh,
        _ => return None,
    })
}

pub fn shell_name(shell: ShellKind) -> &'static str {
    match shell {
        ShellKind::Sh => "sh",
        ShellKind::Bash => "bash",
        ShellKind::Zsh => "zsh",
        ShellKind::Fish => "fish",
    }
}

/// Code that puts `dirs` at the front of PATH (first one first), each only once, and sets
/// GOROOT when given.
pub fn path_script(shell: ShellKind, dirs: &[&Path], goroot: Option<&Path>) -> String {
    let mut out = String::new();
    // Prepending in reverse leaves the first directory first.
    for dir in dirs.iter().rev() {
        let dir = dir.display().to_string();
        match shell {
            ShellKind::Fish => out.push_str(&format!(
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
            ShellKind::Fish => out.push_str(&format!("set -gx GOROOT {root}\n")),
            _ => out.push_str(&format!("export GOROOT={root}\n")),
        }
    }
    out
}

/// `/etc/profile.d/gorig.sh`: the system toolchain and each user's Go tools on PATH.
pub fn profile_script(system_go_bin: &Path) -> String {
    let bin = quote(&system_go_bin.display().to_string(), ShellKind::Sh);
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
            ShellKind::Sh,
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
            ShellKind::Bash,
            &[Path::new("/it's $(rm -rf)")],
            Some(Path::new("/r'")),
        );
        assert!(script.contains("'/it'\\''s $(rm -rf)'"), "{script}");
        assert!(script.contains("export GOROOT='/r'\\'''"), "{script}");
        assert_eq!(run_sh("/bin/sh", &script, "/bin"), "/it's $(rm -rf):/bin");
    }

    #[test]
    fn fish_script_uses_fish_syntax() {
        let script = path_script(
            ShellKind::Fish,
            &[Path::new("/a/bin")],
            Some(Path::new("/g")),
        );
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
        assert_eq!(shell_from_env(Some("/usr/bin/zsh")), Some(ShellKind::Zsh));
        assert_eq!(shell_from_env(Some("/bin/dash")), Some(ShellKind::Sh));
        assert_eq!(shell_from_env(Some("/usr/bin/nu")), None);
        assert_eq!(shell_from_env(None), None);
    }
}
