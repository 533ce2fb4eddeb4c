//! One module per subcommand. Each takes the [`App`](crate::app::App) and its parsed
//! arguments, does its work through the library crates, and prints through the printer.

pub mod activate;
pub mod current;
pub mod doctor;
pub mod env;
pub mod exec;
pub mod fleet;
pub mod inspect;
pub mod install;
pub mod keys;
pub mod list;
pub mod mirror;
pub mod selinux;
pub mod tune;
pub mod uninstall;
pub mod unit;
pub mod use_;
pub mod verify;
pub mod which;

use gorig_version::{GoVersion, VersionRequest};

use crate::failure::{Exit, Failure};

/// `gorig completions SHELL`: the registration script (see `crate::completions`).
pub fn completions(
    app: &crate::app::App,
    args: &crate::cli::CompletionsArgs,
) -> Result<(), Failure> {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::new(Exit::Internal, e).context("could not locate gorig"))?;
    let mut script = Vec::new();
    crate::completions::registration(&args.shell, &exe, &mut script)?;
    app.printer.out(String::from_utf8_lossy(&script));
    Ok(())
}

/// `gorig man DIR`: writes the man pages and lists them.
pub fn man(app: &crate::app::App, args: &crate::cli::ManArgs) -> Result<(), Failure> {
    for page in
        crate::completions::write_man_pages(&args.dir, &crate::completions::page_date(&app.env))?
    {
        app.printer.out(page.display().to_string());
    }
    Ok(())
}

/// When the `go` this shell runs does not follow project pins (neither gorig's shim nor
/// a toolchain the prompt hook put first), the sentence that says so and how to fix it.
pub fn pins_not_followed(app: &crate::app::App) -> Option<String> {
    if app.env.get("_GORIG_PATH").is_some() {
        return None; // the prompt hook (gorig activate) switches PATH at each prompt
    }
    let shims = app.store.home().join("bin");
    let path = app.settings.path_var.as_deref()?;
    let first = std::env::split_paths(path).find(|dir| {
        rustix::fs::access(dir.join("go").as_path(), rustix::fs::Access::EXEC_OK).is_ok()
    });
    match first {
        Some(dir) if dir == shims => None,
        Some(dir) => Some(format!(
            "this shell runs {}, which does not follow pins: put gorig's shims first with `eval \"$(gorig env)\"` (in your shell's startup file)",
            dir.join("go").display()
        )),
        None => Some(
            "no `go` is on this shell's PATH: `eval \"$(gorig env)\"` (in your shell's startup file) puts gorig's shims there, which follow pins".to_string(),
        ),
    }
}

/// Parses a version request typed by the user.
pub fn parse_request(text: &str) -> Result<VersionRequest, Failure> {
    text.parse::<VersionRequest>().map_err(|e| {
        Failure::new(Exit::Usage, e)
            .hint("versions look like latest, 1.22, 1.22.5, go1.22.5 or 1.23rc1")
    })
}

/// The installed version a request names: the newest installed match.
pub fn select_installed(
    request: &VersionRequest,
    installed: &[GoVersion],
) -> Result<GoVersion, Failure> {
    request.select(installed, true).cloned().ok_or_else(|| {
        let have = if installed.is_empty() {
            "nothing is installed".to_string()
        } else {
            format!(
                "installed: {}",
                installed
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Failure::msg(
            Exit::NotFound,
            format!("no installed version matches `{request}` ({have})"),
        )
        .hint(format!("gorig install {request}"))
    })
}
