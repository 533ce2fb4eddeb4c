//! System mode: `/usr/local/go` pointed at a version in the system store, and the profile
//! script that puts it on PATH for login shells (written through `gorig_fs`, a foreign
//! file backed up first).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use gorig_store::{StoreError, SystemLink};
use gorig_version::GoVersion;

use crate::{InstallError, Installer};

/// Where system mode writes, under the system root prefix.
#[derive(Debug, Clone)]
pub struct SystemPaths {
    /// `/usr/local/go`
    pub link: PathBuf,
    /// `/etc/profile.d/gorig.sh`
    pub profile: PathBuf,
}

/// What [`Installer::link_system`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemLinked {
    /// Where a real directory at the link's place was moved (`--adopt`).
    pub adopted: Option<PathBuf>,
    /// Where a profile script gorig did not write was copied before it was replaced.
    pub backup: Option<PathBuf>,
}

impl Installer<'_> {
    /// Points the system link at `version` and writes `profile_script` (which starts with
    /// `marker`, the line that says gorig wrote it). A real directory in the way is
    /// refused, or moved aside when `adopt`.
    pub fn link_system(
        &self,
        paths: &SystemPaths,
        version: &GoVersion,
        profile_script: &str,
        marker: &str,
        adopt: bool,
    ) -> Result<SystemLinked, InstallError> {
        let link = SystemLink::new(&paths.link);
        let now = SystemTime::now();
        let aside = link.adoption_path(&gorig_fs::utc_stamp(now));
        let adopted = link.point_to(
            &self.store.version_dir(version),
            adopt.then_some(aside.as_path()),
        )?;
        let written = gorig_fs::write_managed(
            Path::new(&paths.profile),
            profile_script.as_bytes(),
            &gorig_fs::Managed {
                marker: Some(marker),
                now,
                ..gorig_fs::Managed::default()
            },
        )
        .map_err(StoreError::from)?;
        Ok(SystemLinked {
            adopted,
            backup: written.backup,
        })
    }
}
