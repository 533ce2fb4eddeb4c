//! `gorig uninstall VERSION...`: removes installed toolchains. The default is kept unless
//! `--force` (a shell would otherwise lose `go` without warning); the version behind
//! `/usr/local/go` is always kept.

use gorig_store::LinkState;
use gorig_version::{GoVersion, VersionRequest};
use serde_json::json;

use crate::app::App;
use crate::cli::UninstallArgs;
use crate::commands::{parse_request, select_installed};
use crate::failure::{Exit, Failure};

pub fn run(app: &App, args: &UninstallArgs) -> Result<(), Failure> {
    app.require_system_access()?;
    let installed = app.store.installed()?;
    let mut targets: Vec<GoVersion> = Vec::new();
    for text in &args.versions {
        let request = parse_request(text)?;
        let version = one_installed(&request, &installed)?;
        if !targets.contains(&version) {
            targets.push(version);
        }
    }
    let default = app.store.default_version();
    for version in &targets {
        if default.as_ref() == Some(version) && !args.force {
            let others: Vec<String> = installed
                .iter()
                .filter(|v| *v != version)
                .map(|v| v.to_string())
                .collect();
            let mut failure = Failure::msg(
                Exit::Refused,
                format!("{version} is the default toolchain; removing it leaves no `go` on PATH"),
            );
            if let Some(other) = others.last() {
                failure = failure.hint(format!("gorig use {other}   (then uninstall {version})"));
            }
            return Err(failure.hint(format!(
                "gorig uninstall --force {version}   (removes it anyway)"
            )));
        }
        if let Some(system) = &app.settings.system
            && let LinkState::Symlink(target) = gorig_store::SystemLink::new(&system.link).state()
            && target.file_name().and_then(|n| n.to_str()) == Some(&version.to_string())
        {
            return Err(Failure::msg(
                Exit::Refused,
                format!("{} points to {version}", system.link.display()),
            )
            .hint("switch it first: sudo gorig use --system OTHER_VERSION"));
        }
    }
    let lock = app.lock_store()?;
    for version in &targets {
        app.store.remove(version, &lock)?;
        if default.as_ref() == Some(version) {
            app.store.clear_default(&lock)?;
        }
        app.printer.info(format!("removed {version}"));
    }
    let _ = app.store.sweep(&lock);
    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "removed": targets,
            "default": app.store.default_version(),
        }));
    }
    Ok(())
}

/// The single installed version a request names; a series with several matches is
/// ambiguous for a removal.
fn one_installed(request: &VersionRequest, installed: &[GoVersion]) -> Result<GoVersion, Failure> {
    let matches: Vec<&GoVersion> = installed.iter().filter(|v| request.matches(v)).collect();
    if matches.len() > 1 && !request.is_exact() {
        let names: Vec<String> = matches.iter().map(|v| v.to_string()).collect();
        return Err(Failure::msg(
            Exit::Usage,
            format!(
                "`{request}` matches several installed versions: {}",
                names.join(", ")
            ),
        )
        .hint("name the exact versions to remove"));
    }
    select_installed(request, installed)
}
