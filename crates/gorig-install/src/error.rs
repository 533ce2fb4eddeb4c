//! What can stop an install, a selection or a removal. Each variant carries what the user
//! needs to act; the binary adds the hints and the exit code.

use std::path::PathBuf;

use gorig_fetch::FetchError;
use gorig_index::IndexError;
use gorig_project::Unselected;
use gorig_store::StoreError;
use gorig_version::{GoVersion, VersionRequest};

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(transparent)]
    Fetch(Box<FetchError>),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Unselected(#[from] Unselected),
    /// Fetching `version` failed (the cause says how); nothing was installed.
    #[error("could not install {version}")]
    Failed {
        version: GoVersion,
        #[source]
        source: Box<FetchError>,
    },
    #[error("the architecture to install for is not known: {detail}")]
    UnknownPlatform { detail: String },
    /// Installed for other architectures (`--arch` installs another).
    #[error("{version} is installed for {}, not {wanted}", installed.join(", "))]
    OtherArch {
        version: GoVersion,
        installed: Vec<String>,
        wanted: String,
        archive_arch: String,
    },
    #[error("no installed version matches `{request}` ({})", have(installed))]
    NoInstalledMatch {
        request: VersionRequest,
        installed: Vec<GoVersion>,
    },
    #[error("`{request}` matches several installed versions: {}", join(matches))]
    Ambiguous {
        request: VersionRequest,
        matches: Vec<GoVersion>,
    },
    /// Removing the default would leave no `go` on PATH.
    #[error("{version} is the default toolchain; removing it leaves no `go` on PATH")]
    IsDefault {
        version: GoVersion,
        others: Vec<GoVersion>,
    },
    #[error("{} points to {version}", link.display())]
    SystemLinked { version: GoVersion, link: PathBuf },
    /// Other gorig processes kept removing the version while this one installed it.
    #[error("{request} was removed by another gorig process each time it was found installed")]
    Raced { request: VersionRequest },
    #[error("there is no previous default to go back to (or it was uninstalled)")]
    NoPrevious,
    /// The GOPROXY lists no toolchain that matches.
    #[error(
        "no golang.org/toolchain version the GOPROXY lists matches `{request}` ({listed} listed for this architecture)"
    )]
    NotInGoproxy {
        request: VersionRequest,
        listed: usize,
    },
}

fn join(versions: &[GoVersion]) -> String {
    versions
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn have(installed: &[GoVersion]) -> String {
    if installed.is_empty() {
        "nothing is installed".to_string()
    } else {
        format!("installed: {}", join(installed))
    }
}

impl From<FetchError> for InstallError {
    fn from(error: FetchError) -> Self {
        InstallError::Fetch(Box::new(error))
    }
}
