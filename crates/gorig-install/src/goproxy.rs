//! Installs through GOPROXY (`--source goproxy`): the request resolved against the
//! proxy's `golang.org/toolchain` list, the checksum database's `h1:` fetched and verified
//! first, then the zip downloaded, unpacked into staging and hashed in the same read, and
//! published like an archive's tree only when the hashes agree. A refusal leaves nothing
//! visible: the staging tree and the downloaded zip are removed.

use gorig_event::Event;
use gorig_fetch::goproxy::GoproxySource;
use gorig_fetch::{ExtractStats, FetchError, Sandbox, Unpacked};
use gorig_index::{Artifact, Digest};
use gorig_store::Lock;
use gorig_version::{GoVersion, VersionRequest};

use crate::{Fresh, InstallError, InstallHow, Installed, Installer};

/// How a GOPROXY install was verified, for the command's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vouched {
    /// The zip's `h1:`.
    pub h1: String,
    /// The checksum database that vouched for it (`None`: GOSUMDB=off with a single
    /// file:// GOPROXY, which go does not check either).
    pub database: Option<String>,
    /// The module version (`v0.0.1-go1.27.3.linux-amd64`).
    pub module_version: String,
}

impl Installer<'_> {
    pub(crate) fn install_via_goproxy(
        &self,
        source: &GoproxySource,
        request: &VersionRequest,
        how: InstallHow,
    ) -> Result<Installed, InstallError> {
        let platform = self.platform()?;
        let arch = platform.arch.archive_arch();
        let version = self.resolve_in_goproxy(source, request, how.unstable, arch)?;
        if self.already_installed(&version, &platform, how.force)?
            && let Some(done) = self.keep_installed(&version, how)?
        {
            return Ok(done);
        }
        let version_lock = self.lock_version(&version)?;
        if self.already_installed(&version, &platform, how.force)?
            && let Some(done) = self.keep_installed(&version, how)?
        {
            return Ok(done);
        }
        self.fetch_zip_and_publish(source, &version, arch, how, &version_lock)
    }

    /// The version `request` names in the proxy's golang.org/toolchain list (an exact
    /// version as it is).
    pub(crate) fn resolve_in_goproxy(
        &self,
        source: &GoproxySource,
        request: &VersionRequest,
        unstable: bool,
        arch: &str,
    ) -> Result<GoVersion, InstallError> {
        if let VersionRequest::Exact(version) = request {
            return Ok(version.clone());
        }
        let listed: Vec<GoVersion> = source
            .versions(self.client()?, arch)?
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect();
        request
            .select(&listed, unstable)
            .cloned()
            .ok_or_else(|| InstallError::NotInGoproxy {
                request: request.clone(),
                listed: listed.len(),
            })
    }

    fn fetch_zip_and_publish(
        &self,
        source: &GoproxySource,
        version: &GoVersion,
        arch: &str,
        how: InstallHow,
        version_lock: &Lock,
    ) -> Result<Installed, InstallError> {
        let failed = |error: FetchError| InstallError::Failed {
            version: version.clone(),
            source: Box::new(error),
        };
        let module_version = gorig_sumdb::proxy::toolchain_version(&version.to_string(), arch);
        let client = self.client()?;
        // The database first: a toolchain it does not vouch for is not downloaded.
        let vouched = source.vouch(client, &module_version).map_err(failed)?;
        let downloads = self.sources.cache_dir.join("downloads");
        std::fs::create_dir_all(&downloads)
            .map_err(|e| failed(FetchError::io("create", &downloads, e)))?;
        let zip_path = downloads.join(format!(
            ".{module_version}.zip.{}.partial",
            std::process::id()
        ));
        let staging = self.store.begin_staging(version, version_lock)?;
        let result = (|| {
            let url = source
                .download_zip(client, &module_version, &zip_path, self.reporter)
                .map_err(failed)?;
            let archive_bytes = std::fs::metadata(&zip_path).map(|m| m.len()).unwrap_or(0);
            // On a thread of its own that may write nowhere but the staging tree
            // (Landlock, where the kernel has it), as the archive extractor does.
            let (sandbox, unpacked) = std::thread::scope(|scope| {
                scope
                    .spawn(|| {
                        let sandbox = gorig_fetch::restrict_writes_to(&staging);
                        let unpacked = gorig_fetch::modzip::unpack_toolchain_zip(
                            &zip_path,
                            &module_version,
                            &staging,
                            self.policy.limits,
                        );
                        (sandbox, unpacked)
                    })
                    .join()
                    .unwrap_or((Sandbox::None, Err(gorig_fetch::ExtractError::Empty)))
            });
            let unpacked = unpacked.map_err(|e| {
                failed(FetchError::Archive {
                    filename: format!("{module_version}.zip"),
                    source: e,
                })
            })?;
            if let Some(expected) = &vouched.h1
                && *expected != unpacked.h1
            {
                return Err(failed(FetchError::ZipHashMismatch {
                    file: format!("{module_version}.zip"),
                    url,
                    expected: expected.clone(),
                    actual: unpacked.h1,
                }));
            }
            Ok((url, archive_bytes, unpacked, sandbox))
        })();
        let _ = std::fs::remove_file(&zip_path);
        let (url, archive_bytes, unpacked, sandbox) = match result {
            Ok(done) => done,
            Err(error) => {
                let _ = gorig_fs::remove_tree(&staging);
                return Err(error);
            }
        };
        self.reporter.report(Event::Verified {
            file: format!("{module_version}.zip"),
            sha256: unpacked.h1.clone(),
            signed_by: vouched.database.clone(),
        });
        let sealed = self.store.seal(&staging)?;
        let lock = self.lock_store()?;
        let replaced = self.store.publish(version, sealed, &lock)?;
        let became_default = self.default_if_needed(version, how.make_default, &lock)?;
        drop(lock);
        let path = self.store.version_dir(version);
        self.reporter.report(Event::Published {
            version: version.to_string(),
            path: path.display().to_string(),
            replaced,
        });
        Ok(Installed {
            version: version.clone(),
            path,
            fresh: Some(Fresh {
                artifact: Artifact {
                    version: version.clone(),
                    filename: format!("{module_version}.zip"),
                    digest: Digest::BesideArchive,
                    size: Some(archive_bytes),
                },
                unpacked: Box::new(Unpacked {
                    sha256: String::new(),
                    source: url,
                    from_cache: false,
                    archive_bytes,
                    stats: ExtractStats {
                        entries: unpacked.files,
                        files: unpacked.files,
                        bytes: unpacked.bytes,
                        ..ExtractStats::default()
                    },
                    signature: None,
                    sandbox,
                }),
                replaced,
                vouched: Some(Vouched {
                    h1: unpacked.h1,
                    database: vouched.database,
                    module_version,
                }),
            }),
            became_default,
        })
    }
}
