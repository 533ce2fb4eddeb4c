//! The binary's side of project selection (`gorig_project`): the environment it reads,
//! resolved from the captured environment, and the environment a chosen tool runs with.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use gorig_project::{Pin, PinError, ProjectEnv, Selected, Unselected};
use gorig_store::Store;

use crate::settings::Environment;

/// What selection reads from the environment.
pub fn project_env(env: &Environment) -> ProjectEnv {
    ProjectEnv {
        pwd: env.get("PWD").map(PathBuf::from),
        tmpdir: env.get("TMPDIR").map(PathBuf::from),
        go_version: env.get("GORIG_GO_VERSION").map(String::from),
        gowork: env.get("GOWORK").map(String::from),
    }
}

/// The working directory as the user sees it (see `gorig_project::logical_cwd`).
pub fn logical_cwd(env: &Environment) -> PathBuf {
    gorig_project::logical_cwd(&project_env(env))
}

/// The pin for `dir` (or the environment's).
pub fn pin_for(store: &Store, dir: &Path, env: &Environment) -> Result<Option<Pin>, PinError> {
    gorig_project::pin_for(store, dir, &project_env(env))
}

/// The installed toolchain for `dir`, or why there is none.
pub fn select(store: &Store, dir: &Path, env: &Environment) -> Result<Selected, Unselected> {
    gorig_project::select(store, dir, &project_env(env))
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
