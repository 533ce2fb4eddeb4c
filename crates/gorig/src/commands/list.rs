//! `gorig list`: installed toolchains (the default marked), or with `--remote` the
//! releases of the index that have an archive for this platform.

use gorig_fetch::IndexOrigin;
use serde_json::json;

use crate::app::App;
use crate::cli::ListArgs;
use crate::failure::Failure;

pub fn run(app: &App, args: &ListArgs) -> Result<(), Failure> {
    if args.remote {
        remote(app, args)
    } else {
        installed(app)
    }
}

fn installed(app: &App) -> Result<(), Failure> {
    let mut versions = app.store.installed()?;
    versions.reverse();
    let default = app.store.default_version();
    if app.printer.json {
        let items: Vec<_> = versions
            .iter()
            .map(|v| {
                json!({
                    "version": v,
                    "path": app.store.version_dir(v),
                    "default": default.as_ref() == Some(v),
                })
            })
            .collect();
        app.printer.json_line(&json!({
            "schema_version": 1,
            "home": app.store.home(),
            "default": default,
            "installed": items,
        }));
        return Ok(());
    }
    if versions.is_empty() {
        app.printer
            .note("no Go toolchain is installed; run `gorig install` for the latest");
        return Ok(());
    }
    for v in &versions {
        let mark = if default.as_ref() == Some(v) {
            "  (default)"
        } else {
            ""
        };
        app.printer.out(format!("{v}{mark}"));
    }
    Ok(())
}

fn remote(app: &App, args: &ListArgs) -> Result<(), Failure> {
    let platform = app.platform()?;
    let reporter = app.stderr_reporter();
    let loaded = app.installer(&reporter).index(false)?;
    let installed = app.store.installed()?;
    let default = app.store.default_version();
    let releases = loaded.index.listed(args.all);
    if app.printer.json {
        let items: Vec<_> = releases
            .iter()
            .map(|r| {
                let archive = r.archive_for(&platform).map(|f| {
                    json!({"filename": f.filename, "sha256": f.sha256, "size": (f.size > 0).then_some(f.size)})
                });
                json!({
                    "version": r.name,
                    "stable": r.version.is_stable(),
                    "installed": installed.contains(&r.version),
                    "default": default.as_ref() == Some(&r.version),
                    "archive": archive,
                })
            })
            .collect();
        let origin = match &loaded.origin {
            IndexOrigin::Network(url) => json!({"network": url}),
            IndexOrigin::Cache { age, stale } => {
                json!({"cache": {"age_seconds": age.as_secs(), "stale": stale}})
            }
        };
        app.printer.json_line(&json!({
            "schema_version": 1,
            "platform": platform.to_string(),
            "index": origin,
            "releases": items,
        }));
        return Ok(());
    }
    for r in releases {
        let mut notes = Vec::new();
        if !r.version.is_stable() {
            notes.push("unstable".to_string());
        }
        if default.as_ref() == Some(&r.version) {
            notes.push("installed, default".to_string());
        } else if installed.contains(&r.version) {
            notes.push("installed".to_string());
        }
        if r.archive_for(&platform).is_none() {
            notes.push(format!("no {} archive", platform.archive_suffix()));
        }
        if notes.is_empty() {
            app.printer.out(r.name.clone());
        } else {
            app.printer
                .out(format!("{:<14}{}", r.name, notes.join(", ")));
        }
    }
    Ok(())
}
