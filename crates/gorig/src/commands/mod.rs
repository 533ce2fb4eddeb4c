//! One module per subcommand. Each takes the [`App`](crate::app::App) and its parsed
//! arguments, does its work through the library crates, and prints through the printer.

pub mod activate;
pub mod current;
pub mod doctor;
pub mod env;
pub mod exec;
pub mod inspect;
pub mod install;
pub mod keys;
pub mod list;
pub mod uninstall;
pub mod use_;
pub mod verify;
pub mod which;

use gorig_version::{GoVersion, VersionRequest};

use crate::failure::{Exit, Failure};

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
