//! `TestContext`: a temporary HOME, XDG directories and store, and a command for the real
//! gorig binary with a scrubbed environment, so tests never see the developer's setup or
//! each other's.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A hermetic place to run gorig.
pub struct TestContext {
    root: tempfile::TempDir,
    bin: PathBuf,
    env: Vec<(String, std::ffi::OsString)>,
}

/// What a run of the binary printed.
#[derive(Debug, Clone)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Panics with the whole output unless the run succeeded.
    #[track_caller]
    pub fn success(&self) -> &Output {
        assert_eq!(self.code, 0, "expected success\n{self}");
        self
    }

    /// Panics unless the run failed with exit code `code`.
    #[track_caller]
    pub fn failure(&self, code: i32) -> &Output {
        assert_eq!(self.code, code, "expected exit code {code}\n{self}");
        self
    }

    /// stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{self}"))
    }

    /// stdout parsed as JSON lines.
    #[track_caller]
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("line is not JSON ({e}): {l}\n{self}"))
            })
            .collect()
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code: {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl TestContext {
    /// A fresh context for the gorig binary at `bin` (use `env!("CARGO_BIN_EXE_gorig")`).
    pub fn new(bin: impl Into<PathBuf>) -> TestContext {
        let root = tempfile::Builder::new()
            .prefix("gorig-test-")
            .tempdir()
            .unwrap();
        for dir in ["home", "data", "cache", "config"] {
            std::fs::create_dir_all(root.path().join(dir)).unwrap();
        }
        let keyring = crate::TestKey::shared().write_public(&root.path().join("test-keyring.asc"));
        let dead = crate::MockServer::dead_url();
        let mut context = TestContext {
            root,
            bin: bin.into(),
            env: Vec::new(),
        };
        // Mirrors made by MirrorDir are signed with the shared test key; nothing may fall
        // back to Google's servers (no .asc there, no key refresh from there).
        context
            .env("GORIG_KEYRING", &keyring)
            .env("GORIG_SIGNATURE_BASE", &dead)
            .env("GORIG_KEY_URL", format!("{dead}linux_signing_key.pub"));
        context
    }

    /// Forgets a variable set with [`TestContext::env`].
    pub fn unset(&mut self, key: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self
    }

    pub fn root(&self) -> &Path {
        self.root.path()
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    /// Where the store lives by default: `$XDG_DATA_HOME/gorig`.
    pub fn gorig_home(&self) -> PathBuf {
        self.root().join("data/gorig")
    }

    /// The names in the default store's `versions/`, sorted.
    pub fn versions_on_disk(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.gorig_home().join("versions"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Where downloads are cached by default: `$XDG_CACHE_HOME/gorig`.
    pub fn cache_dir(&self) -> PathBuf {
        self.root().join("cache/gorig")
    }

    pub fn config_dir(&self) -> PathBuf {
        self.root().join("config/gorig")
    }

    /// Sets an environment variable for every later command.
    pub fn env(&mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        // Kept as bytes: tests give values that are not UTF-8 on purpose.
        self.env
            .push((key.to_string(), value.as_ref().to_os_string()));
        self
    }

    /// A command for the binary with only the variables a hermetic run needs.
    pub fn command(&self) -> Command {
        self.program(&self.bin)
    }

    /// Another program (a shell, tmux) run with this context's environment and
    /// directory, so it finds the same store and configuration as gorig.
    pub fn program(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", self.home())
            .env("XDG_DATA_HOME", self.root().join("data"))
            .env("XDG_CACHE_HOME", self.root().join("cache"))
            .env("XDG_CONFIG_HOME", self.root().join("config"))
            .env("LANG", "C.UTF-8")
            .env("NO_COLOR", "1")
            .current_dir(self.home());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs the binary with `args` and captures its output.
    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.command().args(args).output().unwrap();
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}
