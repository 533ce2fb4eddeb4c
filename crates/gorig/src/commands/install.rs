//! `gorig install [VERSION...]`: resolve each request against the release index, then
//! download, verify and unpack it in one pass into staging, and publish it with one
//! rename. The first toolchain installed becomes the default; `--system` also points
//! `/usr/local/go` at it and writes `/etc/profile.d/gorig.sh`.

use std::path::PathBuf;

use gorig_fetch::signature::format_time;
use gorig_fetch::{
    DigestSource, Fetcher, IndexOrigin, LoadedIndex, Reporter, SignatureVerifier, UnpackOptions,
    Unpacked,
};
use gorig_host::Platform;
use gorig_index::{Artifact, IndexError, archive_filename};
use gorig_store::{StoreError, SystemLink};
use gorig_version::{GoVersion, VersionRequest};
use serde_json::json;

use crate::app::App;
use crate::cli::InstallArgs;
use crate::commands::parse_request;
use crate::failure::{Exit, Failure};
use crate::shell::{MANAGED_MARKER, profile_script};

/// What happened to one requested version.
enum Outcome {
    Installed {
        version: GoVersion,
        artifact: Artifact,
        unpacked: Box<Unpacked>,
    },
    AlreadyInstalled(GoVersion),
}

impl Outcome {
    fn version(&self) -> GoVersion {
        match self {
            Outcome::Installed { version, .. } | Outcome::AlreadyInstalled(version) => {
                version.clone()
            }
        }
    }
}

pub fn run(app: &App, args: &InstallArgs) -> Result<(), Failure> {
    app.require_system_access()?;
    let from_mirror = args.checksum_from_mirror || app.settings.checksum_from_mirror;
    if from_mirror {
        app.printer.warn(
            "taking SHA-256 digests from the mirror's .sha256 files, not the release index: this detects damaged downloads, not a mirror serving other bytes",
        );
    }
    let requests = args
        .versions
        .iter()
        .map(|text| parse_request(text))
        .collect::<Result<Vec<_>, _>>()?;
    let reporter = app.reporter();
    let reporter = reporter.as_ref();
    let platform = app.platform()?;
    let refresher = || crate::commands::keys::refresh(app, None).map(|(ring, _)| ring);
    let verifier = crate::commands::keys::verifier(app, &refresher)?;
    let run = Run {
        platform,
        verifier: verifier.as_ref(),
        reporter,
    };
    {
        let lock = app.lock_store()?;
        let removed = app.store.sweep(&lock)?;
        if !removed.is_empty() {
            app.printer.note(format!(
                "removed what an interrupted run left in {}: {}",
                app.store.staging_dir().display(),
                removed.join(", ")
            ));
        }
    }
    let mut index: Option<LoadedIndex> = None;
    let mut last = None;
    for request in &requests {
        let outcome = install_one(app, request, args, from_mirror, &run, &mut index)?;
        let version = outcome.version();
        let became_default = make_default_if_needed(
            app,
            &version,
            args.make_default || app.settings.system.is_some(),
        )?;
        report(app, &outcome, became_default);
        last = Some(version);
    }
    if last.is_some() {
        // Shims follow the binary that last installed (a moved gorig repairs them).
        crate::shim::ensure_shims(app.store.home())?;
    }
    if let (Some(version), Some(_)) = (&last, &app.settings.system) {
        link_system(app, version, args.adopt)?;
    } else if last.is_some() {
        path_hint(app);
    }
    Ok(())
}

/// What stays the same for every version one `install` installs.
struct Run<'a> {
    platform: Platform,
    verifier: Option<&'a SignatureVerifier<'a>>,
    reporter: &'a dyn Reporter,
}

/// Installs `request` for a shim or `exec` that found it pinned but missing.
pub fn install_quietly(app: &App, request: &str) -> Result<(), Failure> {
    let args = InstallArgs {
        versions: vec![request.to_string()],
        unstable: true,
        make_default: false,
        force: false,
        checksum_from_mirror: false,
        adopt: false,
        json: false,
    };
    run(app, &args)
}

fn install_one(
    app: &App,
    request: &VersionRequest,
    args: &InstallArgs,
    from_mirror: bool,
    run: &Run<'_>,
    index: &mut Option<LoadedIndex>,
) -> Result<Outcome, Failure> {
    let Run {
        platform,
        verifier,
        reporter,
    } = *run;
    let platform = &platform;
    if let VersionRequest::Exact(version) = request
        && already_installed(app, version, platform, args.force)?
    {
        return Ok(Outcome::AlreadyInstalled(version.clone()));
    }
    let artifact = resolve(
        app,
        request,
        args.unstable,
        from_mirror,
        platform,
        index,
        reporter,
    )?;
    let version = artifact.version.clone();
    if already_installed(app, &version, platform, args.force)? {
        return Ok(Outcome::AlreadyInstalled(version));
    }
    let version_lock = app.lock_version(&version)?;
    // Another gorig may have installed it while this one waited for the lock.
    if already_installed(app, &version, platform, args.force)? {
        return Ok(Outcome::AlreadyInstalled(version));
    }
    let staging = app.store.begin_staging(&version, &version_lock)?;
    let cache = app.download_cache();
    let fetcher = Fetcher {
        client: app.client()?,
        cache: &cache,
        reporter,
        options: UnpackOptions {
            limits: app.settings.limits,
            offline: app.settings.offline,
            digest_source: if from_mirror {
                DigestSource::BesideArchive
            } else {
                DigestSource::Index
            },
            persistence: app.settings.persistence,
            ..UnpackOptions::default()
        },
        signatures: verifier,
    };
    let unpacked = match fetcher.unpack(&artifact, &app.settings.mirrors, &staging) {
        Ok(unpacked) => unpacked,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(Failure::from(e).context(format!("could not install {version}")));
        }
    };
    let sealed = app.store.seal(&staging)?;
    let lock = app.lock_store()?;
    app.store.publish(&version, sealed, &lock)?;
    drop(version_lock);
    Ok(Outcome::Installed {
        version,
        artifact,
        unpacked: Box::new(unpacked),
    })
}

/// Whether `version` is installed for `platform` and need not be installed again. A
/// version installed for another architecture (`--arch`) is refused unless `--force`.
fn already_installed(
    app: &App,
    version: &GoVersion,
    platform: &Platform,
    force: bool,
) -> Result<bool, Failure> {
    if force || !app.store.is_installed(version) {
        return Ok(false);
    }
    // Official archives carry their tools in pkg/tool/<goos>_<goarch>.
    let tools = app.store.version_dir(version).join("pkg/tool");
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
    Err(Failure::msg(
        Exit::Refused,
        format!(
            "{version} is installed for {}, not {wanted}",
            arches.join(", ")
        ),
    )
    .hint(format!(
        "gorig install --force --arch {} {version}   (replaces it)",
        platform.arch.archive_arch()
    )))
}

/// Resolves `request` to an archive: from the index (refreshed once when a cached index
/// does not know the version), or, when no index can be had, for an exact version: from
/// the download cache, or by name when digests come from the mirror.
fn resolve(
    app: &App,
    request: &VersionRequest,
    unstable: bool,
    from_mirror: bool,
    platform: &Platform,
    index: &mut Option<LoadedIndex>,
    reporter: &dyn Reporter,
) -> Result<Artifact, Failure> {
    if index.is_none() {
        match app.index(false, reporter) {
            Ok(loaded) => *index = Some(loaded),
            Err(failure) => {
                return cached_artifact(app, request, platform)
                    .or_else(|| {
                        if from_mirror {
                            by_name(request, platform)
                        } else {
                            None
                        }
                    })
                    .ok_or(failure);
            }
        }
    }
    let Some(loaded) = index.as_ref() else {
        return Err(Failure::msg(
            Exit::Internal,
            "the release index was not loaded",
        ));
    };
    let pick = |index: &gorig_index::Index| -> Result<Artifact, IndexError> {
        if from_mirror {
            let (version, file) = index.resolve_file(request, platform, unstable)?;
            Ok(Artifact {
                version,
                filename: file.filename.clone(),
                sha256: String::new(),
                size: (file.size > 0).then_some(file.size),
            })
        } else {
            index.resolve(request, platform, unstable)
        }
    };
    match pick(&loaded.index) {
        Ok(artifact) => Ok(artifact),
        Err(IndexError::UnknownVersion { .. } | IndexError::OnlyPrereleases { .. })
            if matches!(loaded.origin, IndexOrigin::Cache { .. }) && !app.settings.offline =>
        {
            // A release newer than the cached index: ask the network once.
            let fresh = app.index(true, reporter)?;
            let result = pick(&fresh.index);
            *index = Some(fresh);
            Ok(result?)
        }
        Err(e) => Err(e.into()),
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
        sha256: String::new(),
        size: None,
    })
}

/// An exact version whose archive was verified before and kept in the cache.
fn cached_artifact(app: &App, request: &VersionRequest, platform: &Platform) -> Option<Artifact> {
    let VersionRequest::Exact(version) = request else {
        return None;
    };
    let filename = archive_filename(version, platform);
    let sha256 = app.download_cache().recorded_sha256(&filename)?;
    app.printer.note(format!(
        "no release index available; installing {filename} from the download cache, verified against the SHA-256 recorded when it was downloaded"
    ));
    Some(Artifact {
        version: version.clone(),
        filename,
        sha256,
        size: None,
    })
}

fn make_default_if_needed(app: &App, version: &GoVersion, wanted: bool) -> Result<bool, Failure> {
    if !wanted && app.store.default_version().is_some() {
        return Ok(false);
    }
    if app.store.default_version().as_ref() == Some(version) {
        return Ok(false);
    }
    let lock = app.lock_store()?;
    app.store.set_default(version, &lock)?;
    Ok(true)
}

fn report(app: &App, outcome: &Outcome, became_default: bool) {
    let version = outcome.version();
    let path = app.store.version_dir(&version);
    match outcome {
        Outcome::Installed {
            artifact, unpacked, ..
        } => {
            if app.printer.json {
                app.printer.json_line(&json!({
                    "event": "installed",
                    "version": version,
                    "path": path,
                    "filename": artifact.filename,
                    "sha256": unpacked.sha256,
                    "source": unpacked.source,
                    "from_cache": unpacked.from_cache,
                    "archive_bytes": unpacked.archive_bytes,
                    "files": unpacked.stats.files,
                    "signature": unpacked.signature.as_ref().map(|sig| json!({
                        "primary_fingerprint": sig.primary_fingerprint,
                        "signing_key_fingerprint": sig.signing_key_fingerprint,
                        "signing_key_id": sig.signing_key_id,
                        "created": format_time(sig.created),
                        "key_origin": sig.key_origin,
                    })),
                    "sandbox": unpacked.sandbox.name(),
                    "default": app.store.default_version().as_ref() == Some(&version),
                }));
            } else {
                let from = if unpacked.from_cache {
                    " from the download cache"
                } else {
                    ""
                };
                let signed = match &unpacked.signature {
                    Some(sig) => format!(
                        ", signed by {} on {}",
                        sig.signing_key_id,
                        &format_time(sig.created)[..10]
                    ),
                    None => ", signature NOT checked".to_string(),
                };
                app.printer.info(format!(
                    "installed {version} in {} (sha256 {} verified{signed}{from})",
                    path.display(),
                    short_digest(&unpacked.sha256)
                ));
            }
        }
        Outcome::AlreadyInstalled(_) => {
            if app.printer.json {
                app.printer.json_line(&json!({
                    "event": "already_installed",
                    "version": version,
                    "path": path,
                    "default": app.store.default_version().as_ref() == Some(&version),
                }));
            } else {
                app.printer.info(format!(
                    "{version} is already installed in {}",
                    path.display()
                ));
            }
        }
    }
    if became_default {
        app.printer.info(format!("{version} is now the default"));
    }
}

fn short_digest(digest: &str) -> String {
    if digest.len() > 16 {
        format!("{}…{}", &digest[..8], &digest[digest.len() - 8..])
    } else {
        digest.to_string()
    }
}

/// Points `/usr/local/go` at `version` and writes the profile script.
pub fn link_system(app: &App, version: &GoVersion, adopt: bool) -> Result<(), Failure> {
    let Some(system) = &app.settings.system else {
        return Ok(());
    };
    let link = SystemLink::new(&system.link);
    let stamp = timestamp();
    let aside = link.adoption_path(&stamp);
    let adopted = link.point_to(
        &app.store.version_dir(version),
        adopt.then_some(aside.as_path()),
    )?;
    if let Some(moved) = &adopted {
        app.printer.warn(format!(
            "moved the existing {} to {} (gorig deletes nothing it did not install)",
            system.link.display(),
            moved.display()
        ));
    }
    let backup = gorig_fs::write_managed(
        &system.profile,
        profile_script(&PathBuf::from("/usr/local/go/bin")).as_bytes(),
        &gorig_fs::Managed {
            marker: Some(MANAGED_MARKER),
            ..gorig_fs::Managed::default()
        },
    )
    .map_err(StoreError::from)?
    .backup;
    if let Some(backup) = backup {
        app.printer.warn(format!(
            "{} was not written by gorig; kept a copy in {}",
            system.profile.display(),
            backup.display()
        ));
    }
    if app.printer.json {
        app.printer.json_line(&json!({
            "event": "system_linked",
            "link": system.link,
            "version": version,
            "profile": system.profile,
            "adopted": adopted,
        }));
    } else {
        app.printer.info(format!(
            "{} now points to {version}; new login shells get it on PATH from {}",
            system.link.display(),
            system.profile.display()
        ));
    }
    Ok(())
}

/// `20261122T031500Z`, in UTC, for names of files moved aside.
pub fn timestamp() -> String {
    gorig_fs::utc_stamp(std::time::SystemTime::now())
}

/// Tells the user how to get the default toolchain on PATH when it is not yet.
fn path_hint(app: &App) {
    let bin = app.store.current_link().join("bin");
    let on_path = app
        .settings
        .path_var
        .as_deref()
        .is_some_and(|path| path.split(':').any(|p| std::path::Path::new(p) == bin));
    if !on_path {
        app.printer.note(format!(
            "hint: {} is not on PATH; add this line to your shell's startup file:\n  eval \"$(gorig env)\"",
            bin.display()
        ));
    }
}
