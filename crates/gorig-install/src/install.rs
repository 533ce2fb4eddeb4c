//! One install: resolve the request, download, verify and unpack in one pass into
//! staging, seal, publish, and make it the default when asked (or when there is none),
//! the publish and the default swap under one hold of the store lock.

use std::path::PathBuf;

use gorig_event::Event;
use gorig_fetch::{FetchError, Fetcher, IndexOrigin, SignatureVerifier, UnpackOptions, Unpacked};
use gorig_index::{Artifact, Digest, IndexError, Sha256, archive_filename};
use gorig_store::Lock;
use gorig_version::{GoVersion, Platform, VersionRequest};

use crate::{InstallError, Installer};

/// How an install treats what is there.
#[derive(Debug, Clone, Copy, Default)]
pub struct InstallHow {
    /// Prereleases may answer a series request.
    pub unstable: bool,
    /// Download and replace even when installed.
    pub force: bool,
    /// Make it the default even when there is one.
    pub make_default: bool,
}

/// What one install did.
#[derive(Debug, Clone)]
pub struct Installed {
    pub version: GoVersion,
    /// Its GOROOT.
    pub path: PathBuf,
    /// `None` when it was installed already.
    pub fresh: Option<Fresh>,
    pub became_default: bool,
}

/// A version downloaded and published by this install.
#[derive(Debug, Clone)]
pub struct Fresh {
    pub artifact: Artifact,
    pub unpacked: Box<Unpacked>,
    /// It replaced an installed tree (`force`).
    pub replaced: bool,
    /// Installed through GOPROXY: the checksum database's word on the zip.
    pub vouched: Option<crate::goproxy::Vouched>,
}

/// Whether the official sources could not be reached at all (not: they answered wrong).
fn unreachable(error: &InstallError) -> bool {
    let source = match error {
        InstallError::Failed { source, .. } | InstallError::Fetch(source) => source,
        _ => return false,
    };
    matches!(
        **source,
        FetchError::AllSourcesFailed { local: false, .. }
            | FetchError::Connect { .. }
            | FetchError::Timeout { .. }
    )
}

/// Times an install starts over when a concurrent removal takes away the version it found
/// installed.
const RACE_RETRIES: u32 = 3;

impl Installer<'_> {
    pub(crate) fn platform(&self) -> Result<Platform, InstallError> {
        self.policy
            .platform
            .clone()
            .map_err(|detail| InstallError::UnknownPlatform { detail })
    }

    /// Installs what `request` names, unless it is installed already (and not `force`).
    pub fn install(
        &self,
        request: &VersionRequest,
        how: InstallHow,
    ) -> Result<Installed, InstallError> {
        if let Some(source) = &self.policy.goproxy {
            return self.install_via_goproxy(source, request, how);
        }
        match self.install_official(request, how) {
            Err(error) if unreachable(&error) => {
                let Some(source) = self
                    .policy
                    .goproxy_fallback
                    .as_ref()
                    .filter(|source| source.sumdb.is_some())
                else {
                    return Err(error);
                };
                self.reporter.report(Event::FallingBackToGoproxy {
                    reason: gorig_fetch::one_line(&error),
                });
                self.install_via_goproxy(source, request, how)
            }
            other => other,
        }
    }

    fn install_official(
        &self,
        request: &VersionRequest,
        how: InstallHow,
    ) -> Result<Installed, InstallError> {
        self.warn_checks_off();
        let platform = self.platform()?;
        for _ in 0..RACE_RETRIES {
            if let VersionRequest::Exact(version) = request
                && self.already_installed(version, &platform, how.force)?
                && let Some(done) = self.keep_installed(version, how)?
            {
                return Ok(done);
            }
            let artifact = self.resolve(request, how.unstable, &platform)?;
            let version = artifact.version.clone();
            if self.already_installed(&version, &platform, how.force)? {
                match self.keep_installed(&version, how)? {
                    Some(done) => return Ok(done),
                    None => continue,
                }
            }
            let version_lock = self.lock_version(&version)?;
            // Another gorig may have installed it while this one waited for the lock.
            if self.already_installed(&version, &platform, how.force)? {
                drop(version_lock);
                match self.keep_installed(&version, how)? {
                    Some(done) => return Ok(done),
                    None => continue,
                }
            }
            return self.fetch_and_publish(artifact, how, &version_lock);
        }
        Err(InstallError::Raced {
            request: request.clone(),
        })
    }

    /// The already-installed outcome, decided under the store lock; `None` when a
    /// concurrent removal took the version away (the caller installs it again).
    pub(crate) fn keep_installed(
        &self,
        version: &GoVersion,
        how: InstallHow,
    ) -> Result<Option<Installed>, InstallError> {
        let lock = self.lock_store()?;
        if !self.store.is_installed(version) {
            return Ok(None);
        }
        let became_default = self.default_if_needed(version, how.make_default, &lock)?;
        Ok(Some(Installed {
            version: version.clone(),
            path: self.store.version_dir(version),
            fresh: None,
            became_default,
        }))
    }

    fn fetch_and_publish(
        &self,
        artifact: Artifact,
        how: InstallHow,
        version_lock: &Lock,
    ) -> Result<Installed, InstallError> {
        let version = artifact.version.clone();
        let staging = self.store.begin_staging(&version, version_lock)?;
        let client = self.client()?;
        let cache = self.download_cache();
        let refresh = || {
            self.keys
                .refresh(client, None, self.policy.persistence, self.reporter)
                .map(|(ring, _)| ring)
        };
        let verifier = if self.policy.verify_signatures {
            let verifier = SignatureVerifier::new(
                self.keys.load(self.reporter)?,
                Some(self.sources.signature_base.clone()),
            );
            Some(if self.policy.offline {
                verifier
            } else {
                verifier.with_refresh(&refresh)
            })
        } else {
            None
        };
        let fetcher = Fetcher {
            client,
            cache: &cache,
            reporter: self.reporter,
            options: UnpackOptions {
                limits: self.policy.limits,
                offline: self.policy.offline,
                persistence: self.policy.persistence,
                ..UnpackOptions::default()
            },
            signatures: verifier.as_ref(),
        };
        let unpacked = match fetcher.unpack(&artifact, &self.sources.mirrors, &staging) {
            Ok(unpacked) => unpacked,
            Err(source) => {
                let _ = gorig_fs::remove_tree(&staging);
                return Err(InstallError::Failed {
                    version,
                    source: Box::new(source),
                });
            }
        };
        self.reporter.report(Event::Verified {
            file: artifact.filename.clone(),
            sha256: unpacked.sha256.clone(),
            signed_by: unpacked
                .signature
                .as_ref()
                .map(|s| s.signing_key_fingerprint.clone()),
        });
        let sealed = self.store.seal(&staging)?;
        let lock = self.lock_store()?;
        let replaced = self.store.publish(&version, sealed, &lock)?;
        let became_default = self.default_if_needed(&version, how.make_default, &lock)?;
        drop(lock);
        let path = self.store.version_dir(&version);
        self.reporter.report(Event::Published {
            version: version.to_string(),
            path: path.display().to_string(),
            replaced,
        });
        Ok(Installed {
            version,
            path,
            fresh: Some(Fresh {
                artifact,
                unpacked: Box::new(unpacked),
                replaced,
                vouched: None,
            }),
            became_default,
        })
    }

    /// Makes `version` the default when `wanted`, or when there is no default; the caller
    /// holds the store lock. Returns whether the default changed.
    pub(crate) fn default_if_needed(
        &self,
        version: &GoVersion,
        wanted: bool,
        lock: &Lock,
    ) -> Result<bool, InstallError> {
        let current = self.store.default_version();
        if current.as_ref() == Some(version) || (!wanted && current.is_some()) {
            return Ok(false);
        }
        self.store.set_default(version, lock)?;
        Ok(true)
    }

    /// Whether `version` is installed for `platform` and need not be installed again. A
    /// version installed for another architecture is refused unless `force`.
    pub(crate) fn already_installed(
        &self,
        version: &GoVersion,
        platform: &Platform,
        force: bool,
    ) -> Result<bool, InstallError> {
        if force || !self.store.is_installed(version) {
            return Ok(false);
        }
        // Official archives carry their tools in pkg/tool/<goos>_<goarch>.
        let tools = self.store.version_dir(version).join("pkg/tool");
        let arches: Vec<String> = std::fs::read_dir(&tools)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_prefix("linux_")
                    .map(String::from)
            })
            .collect();
        let wanted = platform.arch.goarch();
        if arches.is_empty() || arches.iter().any(|a| a == wanted) {
            return Ok(true);
        }
        Err(InstallError::OtherArch {
            version: version.clone(),
            installed: arches,
            wanted: wanted.to_string(),
            archive_arch: platform.arch.archive_arch().to_string(),
        })
    }

    /// Resolves `request` to an archive: from the index (refreshed once when a cached
    /// index does not know the version), or, when no index can be had, for an exact
    /// version: from the download cache, or by name when digests come from the mirror.
    /// The version `request` names, as an install would pick it: an installed exact
    /// version as it is, anything else from the release index (the cached one when fresh).
    pub fn resolve_version(&self, request: &VersionRequest) -> Result<GoVersion, InstallError> {
        if let VersionRequest::Exact(version) = request
            && self.store.is_installed(version)
        {
            return Ok(version.clone());
        }
        let platform = self.platform()?;
        if let Some(source) = &self.policy.goproxy {
            return self.resolve_in_goproxy(source, request, false, platform.arch.archive_arch());
        }
        Ok(self.resolve(request, false, &platform)?.version)
    }

    fn resolve(
        &self,
        request: &VersionRequest,
        unstable: bool,
        platform: &Platform,
    ) -> Result<Artifact, InstallError> {
        let loaded = match self.index(false) {
            Ok(loaded) => loaded,
            Err(failure) => {
                return self
                    .cached_artifact(request, platform)
                    .or_else(|| {
                        self.policy
                            .digests_from_mirror
                            .then(|| by_name(request, platform))
                            .flatten()
                    })
                    .ok_or(failure);
            }
        };
        let pick = |index: &gorig_index::Index| -> Result<Artifact, IndexError> {
            if self.policy.digests_from_mirror {
                let (version, file) = index.resolve_file(request, platform, unstable)?;
                Ok(Artifact {
                    version,
                    filename: file.filename.clone(),
                    digest: Digest::BesideArchive,
                    size: (file.size > 0).then_some(file.size),
                })
            } else {
                index.resolve(request, platform, unstable)
            }
        };
        match pick(&loaded.index) {
            Ok(artifact) => Ok(artifact),
            Err(IndexError::UnknownVersion { .. } | IndexError::OnlyPrereleases { .. })
                if matches!(loaded.origin, IndexOrigin::Cache { .. }) && !self.policy.offline =>
            {
                // A release newer than the cached index: ask the network once.
                let fresh = self.index(true)?;
                Ok(pick(&fresh.index)?)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// An exact version whose archive was verified before and kept in the cache.
    fn cached_artifact(&self, request: &VersionRequest, platform: &Platform) -> Option<Artifact> {
        let VersionRequest::Exact(version) = request else {
            return None;
        };
        let filename = archive_filename(version, platform);
        let sha256 = Sha256::parse(&self.download_cache().recorded_sha256(&filename)?)?;
        self.reporter.report(Event::IndexUnavailableUsingCache {
            file: filename.clone(),
        });
        Some(Artifact {
            version: version.clone(),
            filename,
            digest: Digest::Known(sha256),
            size: None,
        })
    }
}

/// An exact version's archive named without an index (its digest comes from the mirror).
fn by_name(request: &VersionRequest, platform: &Platform) -> Option<Artifact> {
    let VersionRequest::Exact(version) = request else {
        return None;
    };
    Some(Artifact {
        version: version.clone(),
        filename: archive_filename(version, platform),
        digest: Digest::BesideArchive,
        size: None,
    })
}
