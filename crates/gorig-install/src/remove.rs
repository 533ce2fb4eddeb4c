//! Removing versions and moving the default. Every check that decides one of these is
//! made while the store lock is held, so a concurrent `use`, install or removal cannot
//! land between the check and the change, and an interrupted removal leaves no `current`
//! pointing at nothing (the link goes before the tree).

use std::path::Path;

use gorig_store::LinkState;
use gorig_version::{GoVersion, VersionRequest};

use crate::{InstallError, Installer};

/// What [`Installer::uninstall`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub removed: Vec<GoVersion>,
    /// The default afterwards.
    pub default: Option<GoVersion>,
}

impl Installer<'_> {
    /// Removes the installed versions `requests` name. The default is kept unless
    /// `force` (a shell would otherwise lose `go` without warning); the version behind
    /// `system_link` (`/usr/local/go`) is always kept.
    pub fn uninstall(
        &self,
        requests: &[VersionRequest],
        force: bool,
        system_link: Option<&Path>,
    ) -> Result<Removal, InstallError> {
        let lock = self.lock_store()?;
        // What killed runs left goes first, whatever this removal then decides.
        let _ = self.store.sweep(&lock);
        let installed = self.store.installed()?;
        let mut targets: Vec<GoVersion> = Vec::new();
        for request in requests {
            let version = one_installed(request, &installed)?;
            if !targets.contains(&version) {
                targets.push(version);
            }
        }
        let default = self.store.default_version();
        for version in &targets {
            if default.as_ref() == Some(version) && !force {
                return Err(InstallError::IsDefault {
                    version: version.clone(),
                    others: installed
                        .iter()
                        .filter(|v| *v != version)
                        .cloned()
                        .collect(),
                });
            }
            if let Some(link) = system_link
                && let LinkState::Symlink(target) = gorig_store::SystemLink::new(link).state()
                && target.file_name().and_then(|n| n.to_str()) == Some(&version.to_string())
            {
                return Err(InstallError::SystemLinked {
                    version: version.clone(),
                    link: link.to_path_buf(),
                });
            }
        }
        for version in &targets {
            if default.as_ref() == Some(version) {
                self.store.clear_default(&lock)?;
            }
            self.store.forget_previous(version, &lock)?;
            self.store.remove(version, &lock)?;
        }
        Ok(Removal {
            removed: targets,
            default: self.store.default_version(),
        })
    }

    /// Makes the newest installed version `request` matches the default.
    pub fn use_version(&self, request: &VersionRequest) -> Result<GoVersion, InstallError> {
        let lock = self.lock_store()?;
        let installed = self.store.installed()?;
        let version = request.select(&installed, true).cloned().ok_or_else(|| {
            InstallError::NoInstalledMatch {
                request: request.clone(),
                installed: installed.clone(),
            }
        })?;
        self.store.set_default(&version, &lock)?;
        Ok(version)
    }

    /// Goes back to the default before the last change (`gorig use -`).
    pub fn rollback(&self) -> Result<GoVersion, InstallError> {
        let lock = self.lock_store()?;
        let previous = self
            .store
            .previous_version()
            .ok_or(InstallError::NoPrevious)?;
        self.store.set_default(&previous, &lock)?;
        Ok(previous)
    }
}

/// The single installed version a request names; a series with several matches is
/// ambiguous for a removal.
fn one_installed(
    request: &VersionRequest,
    installed: &[GoVersion],
) -> Result<GoVersion, InstallError> {
    let matches: Vec<GoVersion> = installed
        .iter()
        .filter(|v| request.matches(v))
        .cloned()
        .collect();
    if matches.len() > 1 && !request.is_exact() {
        return Err(InstallError::Ambiguous {
            request: request.clone(),
            matches,
        });
    }
    request
        .select(installed, true)
        .cloned()
        .ok_or_else(|| InstallError::NoInstalledMatch {
            request: request.clone(),
            installed: installed.to_vec(),
        })
}
