//! What `gorig hook-env` prints at a prompt, decided from what the shell has now and
//! what the directory selects: the selected toolchain's `bin` first on PATH (and the
//! previous one taken out), `GOTOOLCHAIN=local` unless the user set GOTOOLCHAIN, and
//! nothing at all when nothing changed. When nothing can be selected (the pinned version
//! is not installed), gorig's shims go first instead, so `go` refuses with the command to
//! run exactly as it does without activation (one rule for every set-up), and the failure
//! is reported once per directory (`_GORIG_WARNED`).
//!
//! The shell remembers what gorig added: `_GORIG_PATH` (the bin directory it put first)
//! and `_GORIG_TOOLCHAIN` (it set GOTOOLCHAIN), so a later answer can undo exactly that.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::shell::{Shell, quote, set_path, set_var, unset_var};

/// What the shell has now (its variables) and what the directory selected.
#[derive(Debug, Clone)]
pub struct HookEnv<'a> {
    pub shell: Shell,
    /// `$PATH` as the shell has it.
    pub path: Option<&'a OsStr>,
    /// `$_GORIG_PATH`: the bin directory gorig put first last time.
    pub previous: Option<&'a Path>,
    /// `$_GORIG_TOOLCHAIN` is set: gorig set GOTOOLCHAIN.
    pub ours_toolchain: bool,
    /// `$GOTOOLCHAIN` is set.
    pub toolchain_set: bool,
    /// `$_GORIG_WARNED`: the directory last warned about.
    pub warned: Option<&'a str>,
    /// The logical working directory.
    pub dir: &'a Path,
    /// The selected toolchain's bin directory, or `None` when nothing is selected.
    pub selected_bin: Option<&'a Path>,
    /// gorig's shims, first on PATH when nothing is selected.
    pub shims: &'a Path,
    /// Where `go install` puts binaries, kept on PATH.
    pub go_bin: &'a Path,
    /// The record of what the answer depended on (bash and zsh, with a stamp file).
    pub state: Option<HookState<'a>>,
}

/// The files whose change makes the next prompt ask again (`STALE_CHECK`).
#[derive(Debug, Clone)]
pub struct HookState<'a> {
    pub stamp: &'a Path,
    /// The store, its versions directory, each directory up from `dir` and the pin
    /// files found there.
    pub watch: &'a [PathBuf],
    /// `GORIG_GO_VERSION|GOWORK`: a change in either asks again.
    pub env_key: &'a str,
}

/// The lines for the shell, and whether the failure to select should be shown now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookAnswer {
    pub script: String,
    pub warn: bool,
}

impl HookEnv<'_> {
    pub fn render(&self) -> HookAnswer {
        let shell = self.shell;
        let mut entries: Vec<PathBuf> = self
            .path
            .map(|p| std::env::split_paths(p).collect())
            .unwrap_or_default();
        if let Some(previous) = self.previous {
            entries.retain(|e| e != previous);
        }
        let user_toolchain = self.toolchain_set && !self.ours_toolchain;
        let mut out = String::new();
        let mut warn = false;
        let first = self.selected_bin.unwrap_or(self.shims);
        entries.retain(|e| e != first);
        entries.insert(0, first.to_path_buf());
        if !entries.iter().any(|e| e == self.go_bin) {
            entries.push(self.go_bin.to_path_buf());
        }
        if self.previous != Some(first) {
            out.push_str(&set_var(shell, "_GORIG_PATH", &first.display().to_string()));
        }
        match self.selected_bin {
            Some(_) => {
                if !user_toolchain && !self.ours_toolchain {
                    out.push_str(&set_var(shell, "GOTOOLCHAIN", "local"));
                    out.push_str(&set_var(shell, "_GORIG_TOOLCHAIN", "1"));
                }
                if self.warned.is_some() {
                    out.push_str(&unset_var(shell, "_GORIG_WARNED"));
                }
            }
            None => {
                if self.ours_toolchain {
                    out.push_str(&unset_var(shell, "GOTOOLCHAIN"));
                    out.push_str(&unset_var(shell, "_GORIG_TOOLCHAIN"));
                }
                let here = self.dir.display().to_string();
                if self.warned != Some(here.as_str()) {
                    warn = true;
                    out.push_str(&set_var(shell, "_GORIG_WARNED", &here));
                }
            }
        }
        let joined = std::env::join_paths(&entries).unwrap_or_default();
        if self.path != Some(joined.as_os_str()) {
            out.push_str(&set_path(shell, &entries));
        }
        if let Some(state) = &self.state {
            let list: Vec<String> = state
                .watch
                .iter()
                .map(|p| quote(&p.display().to_string(), shell))
                .collect();
            out.push_str(&format!(
                "_GORIG_PWD={}; _GORIG_ENV={}; _GORIG_STAMP={}; _GORIG_WATCH=({});\n",
                quote(&self.dir.display().to_string(), shell),
                quote(state.env_key, shell),
                quote(&state.stamp.display().to_string(), shell),
                list.join(" ")
            ));
        }
        HookAnswer { script: out, warn }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base<'a>(path: &'a OsStr, selected: Option<&'a Path>) -> HookEnv<'a> {
        HookEnv {
            shell: Shell::Bash,
            path: Some(path),
            previous: None,
            ours_toolchain: false,
            toolchain_set: false,
            warned: None,
            dir: Path::new("/src/app"),
            selected_bin: selected,
            shims: Path::new("/s/bin"),
            go_bin: Path::new("/home/u/go/bin"),
            state: None,
        }
    }

    #[test]
    fn a_selection_goes_first_once_and_an_unchanged_shell_gets_nothing() {
        let bin = Path::new("/s/versions/1.22.5/bin");
        let answer = base(OsStr::new("/usr/bin:/s/versions/1.22.5/bin"), Some(bin)).render();
        assert!(!answer.warn);
        assert_eq!(
            answer.script,
            "export _GORIG_PATH='/s/versions/1.22.5/bin';\nexport GOTOOLCHAIN='local';\nexport _GORIG_TOOLCHAIN='1';\nexport PATH='/s/versions/1.22.5/bin:/usr/bin:/home/u/go/bin';\n"
        );
        let settled = HookEnv {
            previous: Some(bin),
            ours_toolchain: true,
            toolchain_set: true,
            ..base(
                OsStr::new("/s/versions/1.22.5/bin:/usr/bin:/home/u/go/bin"),
                Some(bin),
            )
        };
        assert_eq!(settled.render().script, "");
    }

    #[test]
    fn the_users_gotoolchain_is_left_alone() {
        let bin = Path::new("/b");
        let answer = HookEnv {
            toolchain_set: true,
            ..base(OsStr::new("/b:/home/u/go/bin"), Some(bin))
        }
        .render();
        assert_eq!(answer.script, "export _GORIG_PATH='/b';\n");
    }

    #[test]
    fn nothing_selected_puts_the_shims_first_and_warns_once_per_directory() {
        let previous = Path::new("/old/bin");
        let shell = HookEnv {
            previous: Some(previous),
            ours_toolchain: true,
            toolchain_set: true,
            ..base(OsStr::new("/old/bin:/usr/bin:/home/u/go/bin"), None)
        };
        let answer = shell.render();
        assert!(answer.warn);
        assert_eq!(
            answer.script,
            "export _GORIG_PATH='/s/bin';\nunset GOTOOLCHAIN;\nunset _GORIG_TOOLCHAIN;\nexport _GORIG_WARNED='/src/app';\nexport PATH='/s/bin:/usr/bin:/home/u/go/bin';\n"
        );
        let again = HookEnv {
            previous: Some(Path::new("/s/bin")),
            warned: Some("/src/app"),
            ..base(OsStr::new("/s/bin:/usr/bin:/home/u/go/bin"), None)
        };
        assert_eq!(
            again.render(),
            HookAnswer {
                script: String::new(),
                warn: false
            }
        );
    }
}
