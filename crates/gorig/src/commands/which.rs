//! `gorig which [TOOL]`: the path of a tool of the default toolchain.

use serde_json::json;

use crate::app::App;
use crate::cli::WhichArgs;
use crate::failure::{Exit, Failure};

pub fn run(app: &App, args: &WhichArgs) -> Result<(), Failure> {
    let Some(version) = app.store.default_version() else {
        let failure = Failure::msg(Exit::NotFound, "no default Go toolchain is set");
        return Err(if app.store.installed()?.is_empty() {
            failure.hint("gorig install")
        } else {
            failure.hint("gorig use VERSION   (`gorig list` shows what is installed)")
        });
    };
    let tool = args.tool.as_str();
    let goroot = app.store.version_dir(&version);
    let path = goroot.join("bin").join(tool);
    if tool.contains('/') || !path.is_file() {
        let mut have: Vec<String> = std::fs::read_dir(goroot.join("bin"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        have.sort();
        return Err(Failure::msg(
            Exit::NotFound,
            format!(
                "{version} has no `{tool}` in its bin/ (it has: {})",
                have.join(", ")
            ),
        ));
    }
    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "tool": tool,
            "path": path,
            "version": version,
            "goroot": goroot,
        }));
    } else {
        app.printer.out(path.display().to_string());
    }
    Ok(())
}
