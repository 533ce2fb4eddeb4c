//! The one "use what is installed, else install it when allowed" rule, for the shims,
//! `exec`, `verify`, the shell hook and (later) `apply`.

use std::path::Path;

use gorig_event::Event;
use gorig_project::{ProjectEnv, Unselected, select};
use gorig_version::{GoVersion, VersionRequest};

use crate::{InstallError, InstallHow, Installer};

/// What a caller wants to run.
#[derive(Debug, Clone, Copy)]
pub enum Want<'w> {
    /// A version the user named (`gorig exec 1.22 -- ...`).
    Version(&'w VersionRequest),
    /// Whatever the project in `dir` pins (the default when nothing is pinned).
    Project { dir: &'w Path, env: &'w ProjectEnv },
}

/// The toolchain that answers, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ensured {
    pub version: GoVersion,
    /// What asked for it: "go.mod at /p/go.mod", "the default (gorig use)", ...
    pub reason: String,
    /// It was installed just now.
    pub installed_now: bool,
}

impl Installer<'_> {
    /// The installed toolchain for `want`; a missing one is installed first when
    /// `allow_install` (`GORIG_AUTO_INSTALL`), reported as [`Event::AutoInstalling`].
    pub fn ensure(&self, want: Want<'_>, allow_install: bool) -> Result<Ensured, InstallError> {
        match want {
            Want::Version(request) => {
                let installed = self.store.installed()?;
                if let Some(version) = request.select(&installed, true) {
                    return Ok(Ensured {
                        version: version.clone(),
                        reason: format!("`{request}`"),
                        installed_now: false,
                    });
                }
                if !allow_install {
                    return Err(InstallError::NoInstalledMatch {
                        request: request.clone(),
                        installed,
                    });
                }
                self.reporter.report(Event::AutoInstalling {
                    version: request.to_string(),
                    reason: "the command line".into(),
                });
                let done = self.install(request, unstable())?;
                Ok(Ensured {
                    version: done.version,
                    reason: format!("`{request}`"),
                    installed_now: true,
                })
            }
            Want::Project { dir, env } => match select(&self.store, dir, env) {
                Ok(selected) => Ok(Ensured {
                    version: selected.version,
                    reason: selected.reason,
                    installed_now: false,
                }),
                Err(Unselected::NotInstalled { install, reason }) if allow_install => {
                    self.reporter.report(Event::AutoInstalling {
                        version: install.to_string(),
                        reason: reason.clone(),
                    });
                    self.install(&install, unstable())?;
                    let selected = select(&self.store, dir, env)?;
                    Ok(Ensured {
                        version: selected.version,
                        reason: selected.reason,
                        installed_now: true,
                    })
                }
                Err(other) => Err(other.into()),
            },
        }
    }
}

/// A pin may name a prerelease (`go 1.28rc1`), so what it asks for installs as asked.
fn unstable() -> InstallHow {
    InstallHow {
        unstable: true,
        ..InstallHow::default()
    }
}
