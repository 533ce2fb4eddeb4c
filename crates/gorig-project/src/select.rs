//! The installed toolchain for a directory: the logical working directory, its pin, and
//! the version in a store that answers it. Shared by the shims, `exec`, `current`,
//! `verify` and the shell hook (through `gorig_install::Installer::ensure` when a missing
//! version may be installed).

use std::path::{Path, PathBuf};

use gorig_store::{Store, StoreError};
use gorig_version::{GoVersion, VersionRequest};

use crate::choose::choose;
use crate::{Choice, Lookup, Pin, PinError, find_pin};

/// What selection reads from the environment, resolved by the settings layer.
#[derive(Debug, Clone, Default)]
pub struct ProjectEnv {
    /// `$PWD`: the working directory as the shell names it.
    pub pwd: Option<PathBuf>,
    /// `$TMPDIR` (empty counts as unset).
    pub tmpdir: Option<PathBuf>,
    /// `GORIG_GO_VERSION`.
    pub go_version: Option<String>,
    /// `GOWORK`.
    pub gowork: Option<String>,
}

/// The toolchain chosen for a directory, and why.
#[derive(Debug, Clone)]
pub struct Selected {
    pub version: GoVersion,
    pub reason: String,
    pub pin: Option<Pin>,
}

/// Why no installed toolchain answers.
#[derive(Debug, thiserror::Error)]
pub enum Unselected {
    #[error(transparent)]
    Pin(#[from] PinError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The pin names a version that is not installed.
    #[error("{install} is asked for by {reason}, but it is not installed")]
    NotInstalled {
        install: VersionRequest,
        reason: String,
    },
    /// Nothing pinned here and no default.
    #[error("no Go toolchain is installed and nothing is pinned here")]
    NothingInstalled,
    /// The pin defers to the default, and there is none.
    #[error("{reason} leaves the choice to the default, and there is none")]
    NoDefault { reason: String },
}

/// The working directory as the user sees it: `$PWD` when it names the current directory
/// (so a project reached through a symlink finds the pins along that path, as the go
/// command does), else the physical one.
pub fn logical_cwd(env: &ProjectEnv) -> PathBuf {
    let physical = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    if let Some(pwd) = &env.pwd
        && pwd.is_absolute()
        && same_file(pwd, &physical)
    {
        return pwd.clone();
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

/// The pin for `dir` (or the environment's). The store's default stands for the go
/// command's own GOROOT in Go's walk rules.
pub fn pin_for(store: &Store, dir: &Path, env: &ProjectEnv) -> Result<Option<Pin>, PinError> {
    // os.TempDir(): $TMPDIR when set, else /tmp.
    let temp_dir = env
        .tmpdir
        .clone()
        .filter(|t| !t.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    let goroot = store.default_version().map(|v| store.version_dir(&v));
    let lookup = Lookup {
        env_version: env.go_version.as_deref(),
        gowork: env.gowork.as_deref(),
        temp_dir: Some(&temp_dir),
        goroot: goroot.as_deref(),
    };
    find_pin(dir, &lookup)
}

/// The installed toolchain for `dir`, or why there is none.
pub fn select(store: &Store, dir: &Path, env: &ProjectEnv) -> Result<Selected, Unselected> {
    select_for_pin(store, pin_for(store, dir, env)?)
}

/// The installed toolchain that answers `pin` (the default when there is none).
pub fn select_for_pin(store: &Store, pin: Option<Pin>) -> Result<Selected, Unselected> {
    let installed = store.installed()?;
    match choose(pin.as_ref(), &installed, store.default_version()) {
        Choice::Use { version, reason } => Ok(Selected {
            version,
            reason,
            pin,
        }),
        Choice::Missing { install, reason } => Err(Unselected::NotInstalled { install, reason }),
        Choice::Nothing { reason: None } => Err(Unselected::NothingInstalled),
        Choice::Nothing {
            reason: Some(reason),
        } => Err(Unselected::NoDefault { reason }),
    }
}
