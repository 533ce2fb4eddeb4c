//! `gorig mirror sync DIR` and `gorig mirror verify DIR`: parse the lists, point the
//! installer at the upstream (`--from`), call `gorig_install::mirror`, and print.

use gorig_fetch::Mirror;
use gorig_install::Installer;
use gorig_install::mirror::{self, SyncRequest};
use gorig_version::GoArch;
use serde_json::json;

use crate::app::App;
use crate::cli::MirrorAction;
use crate::commands::parse_request;
use crate::failure::{Exit, Failure};

pub fn run(app: &App, action: &MirrorAction) -> Result<(), Failure> {
    match action {
        MirrorAction::Sync {
            dir,
            versions,
            arch,
            from,
            prune,
            no_goproxy,
            sign_with,
            jobs,
            json,
        } => {
            let versions = versions
                .iter()
                .map(|v| parse_request(v.trim()))
                .collect::<Result<Vec<_>, _>>()?;
            let arches = if arch.is_empty() {
                vec![app.platform()?.arch]
            } else {
                arch.iter()
                    .map(|a| {
                        a.trim().parse::<GoArch>().map_err(|e| {
                            Failure::new(Exit::Usage, e)
                                .hint("architectures look like amd64, arm64, armv6l, 386, ppc64le")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?
            };
            // With --json: JSON lines, the typed events of each download, then `synced`.
            let reporter = app.reporter();
            let (mut sources, keys, policy) = app.installer_parts();
            if let Some(from) = from {
                let upstream = Mirror::parse(from).map_err(|e| {
                    Failure::new(Exit::Usage, e)
                        .hint("--from is a mirror's base URL, file:// URL or directory")
                })?;
                sources.index = upstream.index_locations();
                sources.mirrors = vec![upstream.clone()];
            }
            let goproxy = if *no_goproxy {
                None
            } else {
                Some(
                    gorig_settings::goproxy_source(&app.env, app.store.home())
                        .map_err(|e| Failure::new(Exit::Usage, e))?,
                )
            };
            let installer =
                Installer::new(app.store.clone(), sources, keys, policy, reporter.as_ref());
            let synced = installer.mirror_sync(&SyncRequest {
                dir: dir.clone(),
                versions,
                arches,
                prune: *prune,
                jobs: *jobs,
                goproxy,
                sign_with: sign_with.clone(),
            })?;
            if *json {
                app.printer.json_line(&json!({
                    "event": "synced",
                    "schema_version": 1,
                    "dir": dir,
                    "archives": synced.archives,
                    "removed": synced.removed,
                    "modules": synced.modules,
                    "bytes_downloaded": synced.bytes_downloaded,
                }));
            } else {
                let fetched = synced.archives.iter().filter(|a| a.downloaded).count();
                let mut text = format!(
                    "{}: {} archives ({} downloaded, {} verified and already there)\n",
                    dir.display(),
                    synced.archives.len(),
                    fetched,
                    synced.archives.len() - fetched
                );
                for archive in &synced.archives {
                    let mark = if archive.downloaded { "+" } else { "=" };
                    text.push_str(&format!("  {mark} {}\n", archive.filename));
                }
                for module in &synced.modules {
                    let mark = if module.built { "+" } else { "=" };
                    text.push_str(&format!(
                        "  {mark} golang.org/toolchain@{} {}\n",
                        module.version, module.h1
                    ));
                }
                for removed in &synced.removed {
                    text.push_str(&format!("  - {removed}\n"));
                }
                app.printer.out(text);
            }
            Ok(())
        }
        MirrorAction::Verify { dir, json } => {
            let reporter = app.stderr_reporter();
            let installer = app.installer(&reporter);
            let keyring = installer.keys().load(&reporter)?;
            let sumdb = gorig_settings::goproxy_source(&app.env, app.store.home())
                .ok()
                .and_then(|source| source.sumdb);
            let verified = mirror::verify_mirror(dir, &keyring, sumdb.as_ref()).map_err(|e| {
                Failure::new(Exit::Filesystem, e)
                    .context(format!("could not read {}", dir.display()))
            })?;
            if *json {
                app.printer.json_line(&json!({
                    "schema_version": 1,
                    "dir": dir,
                    "files": verified.files,
                    "archives": verified.archives,
                    "problems": verified.problems,
                    "manifest_signed_by": verified.manifest_signed_by,
                    "ok": verified.problems.is_empty(),
                }));
            } else {
                let mut text = format!(
                    "{}: {} files, {} archives checked\n",
                    dir.display(),
                    verified.files,
                    verified.archives
                );
                if let Some(signer) = &verified.manifest_signed_by {
                    text.push_str(&format!("the manifest is signed by {signer}\n"));
                }
                for problem in &verified.problems {
                    text.push_str(&format!("  ! {}: {}\n", problem.file, problem.what));
                }
                if verified.problems.is_empty() {
                    text.push_str(
                        "every file is what the manifest, index.json and the signatures say\n",
                    );
                }
                app.printer.out(text);
            }
            if verified.problems.is_empty() {
                Ok(())
            } else {
                Err(Failure::silent(Exit::Verification))
            }
        }
    }
}
