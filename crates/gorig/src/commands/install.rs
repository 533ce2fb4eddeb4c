//! `gorig install [VERSION...]`: resolve each request against the release index, then
//! download, verify and unpack it in one pass into staging, and publish it with one
//! rename. The first toolchain installed becomes the default; `--system` also points
//! `/usr/local/go` at it and writes `/etc/profile.d/gorig.sh`.

use std::path::PathBuf;

use gorig_fetch::signature::format_time;
use gorig_install::{InstallHow, Installed, Installer};
use gorig_version::GoVersion;
use serde_json::json;

use crate::app::App;
use crate::cli::InstallArgs;
use crate::commands::parse_request;
use crate::failure::Failure;
use gorig_render::{MANAGED_MARKER, Profile};

pub fn run(app: &App, args: &InstallArgs) -> Result<(), Failure> {
    app.require_system_access()?;
    let requests = args
        .versions
        .iter()
        .map(|text| parse_request(text))
        .collect::<Result<Vec<_>, _>>()?;
    let reporter = app.reporter();
    let installer = app
        .installer(reporter.as_ref())
        .with_policy(|policy| policy.digests_from_mirror |= args.checksum_from_mirror);
    installer.sweep()?;
    let how = InstallHow {
        unstable: args.unstable,
        force: args.force,
        make_default: args.make_default || app.settings.system.is_some(),
    };
    let mut last = None;
    for request in &requests {
        let installed = installer.install(request, how)?;
        report(app, &installed);
        last = Some(installed.version);
    }
    if last.is_some() {
        // Shims follow the binary that last installed (a moved gorig repairs them).
        crate::shim::ensure_shims(app.store.home())?;
    }
    if let (Some(version), Some(_)) = (&last, &app.settings.system) {
        link_system(app, &installer, version, args.adopt)?;
    } else if last.is_some() {
        path_hint(app);
    }
    Ok(())
}

fn report(app: &App, installed: &Installed) {
    let version = &installed.version;
    let path = &installed.path;
    let default = app.store.default_version().as_ref() == Some(version);
    match &installed.fresh {
        Some(fresh) => {
            let (artifact, unpacked) = (&fresh.artifact, &fresh.unpacked);
            if let Some(vouched) = &fresh.vouched {
                let database = vouched.database.clone().unwrap_or_else(|| {
                    "no checksum database (GOSUMDB=off, a file:// GOPROXY)".into()
                });
                if app.printer.json {
                    app.printer.json_line(&json!({
                        "event": "installed",
                        "version": version,
                        "path": path,
                        "filename": artifact.filename,
                        "source_kind": "goproxy",
                        "module_version": vouched.module_version,
                        "h1": vouched.h1,
                        "checksum_database": vouched.database,
                        "source": unpacked.source,
                        "replaced": fresh.replaced,
                        "archive_bytes": unpacked.archive_bytes,
                        "files": unpacked.stats.files,
                        "sandbox": unpacked.sandbox.name(),
                        "default": default,
                    }));
                } else {
                    app.printer.info(format!(
                        "installed {version} in {} (golang.org/toolchain {}, h1 {} verified by {database})",
                        path.display(),
                        vouched.module_version,
                        short_digest(&vouched.h1)
                    ));
                }
            } else if app.printer.json {
                app.printer.json_line(&json!({
                    "event": "installed",
                    "version": version,
                    "path": path,
                    "filename": artifact.filename,
                    "sha256": unpacked.sha256,
                    "source": unpacked.source,
                    "from_cache": unpacked.from_cache,
                    "replaced": fresh.replaced,
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
                    "default": default,
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
        None => {
            if app.printer.json {
                app.printer.json_line(&json!({
                    "event": "already_installed",
                    "version": version,
                    "path": path,
                    "default": default,
                }));
            } else {
                app.printer.info(format!(
                    "{version} is already installed in {}",
                    path.display()
                ));
            }
        }
    }
    if installed.became_default {
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
pub fn link_system(
    app: &App,
    installer: &Installer<'_>,
    version: &GoVersion,
    adopt: bool,
) -> Result<(), Failure> {
    let Some(system) = &app.settings.system else {
        return Ok(());
    };
    let linked = installer.link_system(
        &gorig_install::SystemPaths {
            link: system.link.clone(),
            profile: system.profile.clone(),
        },
        version,
        &Profile {
            system_go_bin: &PathBuf::from("/usr/local/go/bin"),
        }
        .render(),
        MANAGED_MARKER,
        adopt,
    )?;
    if let Some(moved) = &linked.adopted {
        app.printer.warn(format!(
            "moved the existing {} to {} (gorig deletes nothing it did not install)",
            system.link.display(),
            moved.display()
        ));
    }
    if let Some(backup) = &linked.backup {
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
            "adopted": linked.adopted,
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

/// Tells the user how to get the default toolchain on PATH when neither the default's
/// `bin` nor the shims directory is on it yet.
fn path_hint(app: &App) {
    let bin = app.store.current_link().join("bin");
    let shims = app.store.home().join("bin");
    let on_path = app.settings.path_var.as_deref().is_some_and(|path| {
        path.split(':')
            .any(|p| std::path::Path::new(p) == bin || std::path::Path::new(p) == shims)
    });
    if !on_path {
        app.printer.note(format!(
            "hint: {} is not on PATH; add this line to your shell's startup file:\n  eval \"$(gorig env)\"",
            bin.display()
        ));
    }
}
