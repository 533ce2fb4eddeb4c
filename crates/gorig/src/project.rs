//! The toolchain for "here": the logical working directory, its pin (see
//! `gorig_store::pins`), the installed version that answers it, and the environment the
//! chosen tool runs with. Shared by the shims, `exec`, `current` and the shell hook.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use gorig_store::Store;
use gorig_store::pins::{Choice, Lookup, Pin, choose, find_pin};
use gorig_version::GoVersion;

use crate::failure::{Exit, Failure};
use crate::settings::Environment;

/// The toolchain chosen for a directory, and why.
#[derive(Debug, Clone)]
pub struct Selected {
    pub version: GoVersion,
    pub reason: String,
    pub pin: Option<Pin>,
}

/// The working directory as the user sees it: `$PWD` when it names the current directory
/// (so a project reached through a symlink finds the pins along that path, as the go
/// command does), else the physical one.
pub fn logical_cwd(env: &Environment) -> PathBuf {
    let physical = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    if let Some(pwd) = env.get("PWD").map(PathBuf::from)
        && pwd.is_absolute()
        && same_file(&pwd, &physical)
    {
        return pwd;
    }
    physical
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// The pin for `dir` (or the environment's), as a failure the user can act on. The
/// store's default stands for the go command's own GOROOT in Go's walk rules.
pub fn pin_for(store: &Store, dir: &Path, env: &Environment) -> Result<Option<Pin>, Failure> {
    // os.TempDir(): $TMPDIR when set, else /tmp.
    let temp_dir = PathBuf::from(
        env.get("TMPDIR")
            .filter(|t| !t.is_empty())
            .unwrap_or("/tmp"),
    );
    let goroot = store.default_version().map(|v| store.version_dir(&v));
    let lookup = Lookup {
        env_version: env.get("GORIG_GO_VERSION"),
        gowork: env.get("GOWORK"),
        temp_dir: Some(&temp_dir),
        goroot: goroot.as_deref(),
    };
    find_pin(dir, &lookup).map_err(|e| {
        let hint = e.hint();
        Failure::new(Exit::Usage, e).hint(hint)
    })
}

/// The installed toolchain for `dir`, or why there is none.
pub fn select(store: &Store, dir: &Path, env: &Environment) -> Result<Selected, Missing> {
    select_for_pin(store, pin_for(store, dir, env).map_err(Missing::Failure)?)
}

/// The installed toolchain that answers `pin` (the default when there is none).
pub fn select_for_pin(store: &Store, pin: Option<Pin>) -> Result<Selected, Missing> {
    let installed = store.installed().map_err(|e| Missing::Failure(e.into()))?;
    match choose(pin.as_ref(), &installed, store.default_version()) {
        Choice::Use { version, reason } => Ok(Selected {
            version,
            reason,
            pin,
        }),
        Choice::Missing { install, reason } => Err(Missing::NotInstalled {
            install: install.to_string(),
            reason,
        }),
        Choice::Nothing { reason: None } => Err(Missing::Failure(
            Failure::msg(
                Exit::NotFound,
                "no Go toolchain is installed and nothing is pinned here",
            )
            .hint("gorig install"),
        )),
        Choice::Nothing {
            reason: Some(reason),
        } => Err(Missing::Failure(
            Failure::msg(
                Exit::NotFound,
                format!("{reason} leaves the choice to the default, and there is none"),
            )
            .hint("gorig install --default")
            .hint("or add a toolchain line, e.g. `toolchain go1.27.3`"),
        )),
    }
}

/// Why no installed toolchain answers.
#[derive(Debug)]
pub enum Missing {
    /// The pin names a version to install.
    NotInstalled {
        install: String,
        reason: String,
    },
    Failure(Failure),
}

impl Missing {
    pub fn into_failure(self) -> Failure {
        match self {
            Missing::NotInstalled { install, reason } => Failure::msg(
                Exit::NotFound,
                format!("{install} is asked for by {reason}, but it is not installed"),
            )
            .hint(format!("gorig install {install}"))
            .hint("or set GORIG_AUTO_INSTALL=1 (auto_install = true) to install pinned versions on first use"),
            Missing::Failure(failure) => failure,
        }
    }
}

/// `PATH` with `first` in front (and not again later).
pub fn path_with(first: &[PathBuf], env: &Environment) -> OsString {
    let mut parts: Vec<PathBuf> = first.to_vec();
    if let Some(path) = env.get("PATH") {
        for entry in std::env::split_paths(path) {
            if !parts.contains(&entry) {
                parts.push(entry);
            }
        }
    }
    std::env::join_paths(parts).unwrap_or_default()
}

/// Variables a chosen tool runs with: `GOTOOLCHAIN=local` so the go command does not
/// switch toolchains or download one behind gorig's back, unless the user set it.
pub fn toolchain_env(env: &Environment) -> Option<(&'static str, &'static str)> {
    if env.get("GOTOOLCHAIN").is_some() {
        None
    } else {
        Some(("GOTOOLCHAIN", "local"))
    }
}
