//! The release index of official Go toolchains, as go.dev publishes it
//! (`https://go.dev/dl/?mode=json&include=all`), and the resolution of a user's request
//! to one archive for one platform.
//!
//! The index is untrusted input (it may come from any mirror), so parsing is strict about
//! shape and resolution only ever yields an archive whose file name is exactly the one Go
//! publishes for that version and platform (`go1.22.5.linux-amd64.tar.gz`), with a
//! well-formed SHA-256. The crate does no I/O: callers hand it bytes and the URL they came
//! from.

use gorig_version::Platform;
use gorig_version::{GoVersion, VersionRequest};
use serde::{Deserialize, Serialize};

/// A release as go.dev's JSON encodes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawRelease {
    pub version: String,
    pub stable: bool,
    pub files: Vec<ReleaseFile>,
}

/// A downloadable file of a release, as go.dev's JSON encodes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseFile {
    pub filename: String,
    pub os: String,
    pub arch: String,
    pub version: String,
    /// Lowercase hex; empty for very old releases that only had SHA-1.
    pub sha256: String,
    /// Bytes; 0 when unknown.
    #[serde(default)]
    pub size: u64,
    /// `archive`, `installer` or `source`.
    pub kind: String,
}

/// A release whose version gorig understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: GoVersion,
    /// The version exactly as the index spells it (`go1.20`); archive names use it, and
    /// listings show it, so no entry is renamed.
    pub name: String,
    pub stable: bool,
    pub files: Vec<ReleaseFile>,
}

impl Release {
    /// The official archive of this release for `platform`, if the release has one.
    pub fn archive_for(&self, platform: &Platform) -> Option<&ReleaseFile> {
        let expected = format!("{}.{}.tar.gz", self.name, platform.archive_suffix());
        self.files.iter().find(|f| {
            f.kind == "archive"
                && f.os == platform.os
                && f.arch == platform.arch.archive_arch()
                && f.filename == expected
        })
    }

    /// The `<os>-<arch>` pairs this release has Linux archives for.
    pub fn linux_archive_arches(&self) -> Vec<String> {
        let mut arches: Vec<String> = self
            .files
            .iter()
            .filter(|f| f.kind == "archive" && f.os == "linux")
            .map(|f| f.arch.clone())
            .collect();
        arches.sort();
        arches.dedup();
        arches
    }
}

/// The name Go gives the archive of `version` for `platform`.
pub fn archive_filename(version: &GoVersion, platform: &Platform) -> String {
    format!("{version}.{}.tar.gz", platform.archive_suffix())
}

/// A SHA-256 digest as 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Sha256(String);

impl Sha256 {
    /// Reads 64 hex digits (either case); anything else is not a SHA-256.
    pub fn parse(text: &str) -> Option<Sha256> {
        is_sha256_hex(text).then(|| Sha256(text.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Sha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where the SHA-256 an archive must match comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "from", content = "sha256")]
pub enum Digest {
    /// Known before the download: published in the release index (a mirror cannot change
    /// it), or recorded when the cached copy was verified.
    Known(Sha256),
    /// `<archive URL>.sha256` on the mirror serving it, when the user asks for it: it
    /// catches damaged downloads, not a mirror that serves other bytes.
    BesideArchive,
}

/// One archive chosen for installation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub version: GoVersion,
    pub filename: String,
    pub digest: Digest,
    pub size: Option<u64>,
}

/// A parsed release index, newest release first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Index {
    releases: Vec<Release>,
}

/// Why an index could not be read or a request could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexError {
    #[error("the release index from {url} is not valid: {detail}")]
    Parse { url: String, detail: String },
    #[error("no Go release matches `{request}`{}", nearest_suffix(.nearest))]
    UnknownVersion {
        request: String,
        nearest: Vec<GoVersion>,
    },
    #[error(
        "`{request}` matches only prereleases ({}); add --unstable to allow them, or name one exactly",
        join_versions(.prereleases)
    )]
    OnlyPrereleases {
        request: String,
        prereleases: Vec<GoVersion>,
    },
    #[error(
        "{version} has no Linux archive for {arch}; it has archives for: {}",
        if .available.is_empty() { "none".to_string() } else { .available.join(", ") }
    )]
    NoArchive {
        version: GoVersion,
        arch: String,
        available: Vec<String>,
    },
    #[error("the index lists {filename} without a valid SHA-256, so it cannot be verified")]
    NoChecksum { filename: String },
}

fn join_versions(versions: &[GoVersion]) -> String {
    versions
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn nearest_suffix(nearest: &[GoVersion]) -> String {
    if nearest.is_empty() {
        String::new()
    } else {
        format!("; nearest releases: {}", join_versions(nearest))
    }
}

fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Index {
    /// Parses go.dev's JSON (`[{"version": ..., "stable": ..., "files": [...]}, ...]`).
    ///
    /// `url` names the source in errors. Releases whose version gorig cannot read are
    /// skipped; a document of the wrong shape is an error.
    pub fn parse(bytes: &[u8], url: &str) -> Result<Index, IndexError> {
        let mut json = serde_json::Deserializer::from_slice(bytes);
        let raw: Vec<RawRelease> = serde_path_to_error::deserialize(&mut json).map_err(|e| {
            let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).to_lowercase();
            let path = e.path().to_string();
            let e = e.into_inner();
            let detail = if head.trim_start().starts_with('<') {
                format!("it is an HTML page, not the JSON release index ({e})")
            } else if bytes.is_empty() {
                "it is empty".to_string()
            } else if path.is_empty() || path == "." {
                e.to_string()
            } else {
                format!("`{path}`: {e}")
            };
            IndexError::Parse {
                url: url.to_string(),
                detail,
            }
        })?;
        Ok(Index::from_raw(raw))
    }

    /// Builds an index from already-decoded releases.
    pub fn from_raw(raw: Vec<RawRelease>) -> Index {
        let mut releases: Vec<Release> = raw
            .into_iter()
            .filter_map(|r| {
                // Go's own names only: `go` and a version Go reads, nothing around it.
                let version = GoVersion::parse_gover(r.version.strip_prefix("go")?).ok()?;
                Some(Release {
                    version,
                    name: r.version,
                    stable: r.stable,
                    files: r.files,
                })
            })
            .collect();
        // Newest first; one entry per release (`go2` and `go2.0` are one), the first the
        // index lists winning, so a listing never shows a release twice.
        releases.sort_by(|a, b| b.version.cmp(&a.version));
        releases.dedup_by(|a, b| a.version == b.version);
        Index { releases }
    }

    /// Every release, newest first.
    pub fn releases(&self) -> &[Release] {
        &self.releases
    }

    /// The releases a listing shows, newest first: every one with `all`, else, as
    /// go.dev's download page, the stable ones and the prereleases newer than all of them.
    pub fn listed(&self, all: bool) -> Vec<&Release> {
        let newest_stable = self.releases.iter().find(|r| r.version.is_stable());
        self.releases
            .iter()
            .filter(|r| {
                all || r.version.is_stable() || newest_stable.is_none_or(|s| r.version > s.version)
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.releases.is_empty()
    }

    /// The release named exactly `version`.
    pub fn release(&self, version: &GoVersion) -> Option<&Release> {
        self.releases.iter().find(|r| r.version == *version)
    }

    /// The release the request selects. Stability follows the version name (`rc`/`beta`),
    /// as go.dev's own `stable` flag does.
    pub fn select(
        &self,
        request: &VersionRequest,
        allow_unstable: bool,
    ) -> Result<&Release, IndexError> {
        let chosen = request.select(self.releases.iter().map(|r| &r.version), allow_unstable);
        if let Some(release) = chosen.and_then(|version| self.release(version)) {
            return Ok(release);
        }
        let prereleases: Vec<GoVersion> = self
            .releases
            .iter()
            .map(|r| r.version.clone())
            .filter(|v| request.admits(v, true))
            .take(3)
            .collect();
        if !prereleases.is_empty() {
            return Err(IndexError::OnlyPrereleases {
                request: request.to_string(),
                prereleases,
            });
        }
        Err(IndexError::UnknownVersion {
            request: request.to_string(),
            nearest: self.nearest(request, allow_unstable),
        })
    }

    /// The release and archive file a request selects for `platform`, whatever the
    /// file's checksum field holds.
    pub fn resolve_file(
        &self,
        request: &VersionRequest,
        platform: &Platform,
        allow_unstable: bool,
    ) -> Result<(GoVersion, &ReleaseFile), IndexError> {
        let release = self.select(request, allow_unstable)?;
        let file = release
            .archive_for(platform)
            .ok_or_else(|| IndexError::NoArchive {
                version: release.version.clone(),
                arch: platform.arch.archive_arch().to_string(),
                available: release.linux_archive_arches(),
            })?;
        Ok((release.version.clone(), file))
    }

    /// Resolves a request to the archive to download for `platform`, with the SHA-256
    /// the index publishes for it.
    pub fn resolve(
        &self,
        request: &VersionRequest,
        platform: &Platform,
        allow_unstable: bool,
    ) -> Result<Artifact, IndexError> {
        let (version, file) = self.resolve_file(request, platform, allow_unstable)?;
        let Some(sha256) = Sha256::parse(&file.sha256) else {
            return Err(IndexError::NoChecksum {
                filename: file.filename.clone(),
            });
        };
        Ok(Artifact {
            version,
            filename: file.filename.clone(),
            digest: Digest::Known(sha256),
            size: (file.size > 0).then_some(file.size),
        })
    }

    /// Up to six releases around where the request would be, for "did you mean".
    fn nearest(&self, request: &VersionRequest, allow_unstable: bool) -> Vec<GoVersion> {
        let wants_unstable =
            allow_unstable || matches!(request, VersionRequest::Exact(v) if v.is_prerelease());
        let mut versions: Vec<GoVersion> = self
            .releases
            .iter()
            .map(|r| r.version.clone())
            .filter(|v| v.is_stable() || (wants_unstable && v.is_prerelease()))
            .collect();
        versions.sort();
        let Some(target) = request.anchor() else {
            return versions.into_iter().rev().take(3).collect();
        };
        let at = versions.partition_point(|v| *v < target);
        let low = at.saturating_sub(3);
        let high = (at + 3).min(versions.len());
        versions[low..high].to_vec()
    }
}

#[cfg(test)]
mod tests;
