//! Shell completions and man pages, both generated from the one CLI definition in
//! `cli.rs`, so they cannot drift from the parser.
//!
//! Completions are clap_complete's environment-driven kind: `gorig completions bash`
//! prints a small registration script that, at each TAB, runs
//! `GORIG_COMPLETE=bash gorig -- <words>`; gorig answers from the same `clap::Command`,
//! with the installed versions as the candidates of `use`, `uninstall`, `exec` and
//! `which --version`. Static scripts could not list versions installed after they
//! were generated.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::CommandFactory;
use clap_complete::engine::CompletionCandidate;
use clap_complete::env::{Bash, EnvCompleter, Fish, Zsh};

use crate::cli::Cli;
use crate::failure::{Exit, Failure};
use crate::settings::Environment;

/// The variable that makes a gorig run answer a completion request.
pub const VAR: &str = "GORIG_COMPLETE";

/// The store whose versions are offered, set before a completion request is answered.
static STORE_HOME: OnceLock<PathBuf> = OnceLock::new();

/// The installed versions, newest first (`go1.22.5` is offered as `1.22.5`, the way
/// users type it).
pub fn installed_versions() -> Vec<CompletionCandidate> {
    let Some(home) = STORE_HOME.get() else {
        return Vec::new();
    };
    let mut versions = gorig_store::Store::new(home)
        .installed()
        .unwrap_or_default();
    versions.reverse();
    versions
        .iter()
        .map(|v| {
            let text = v.to_string();
            CompletionCandidate::new(text.trim_start_matches("go").to_string())
        })
        .collect()
}

/// Answers a completion request when `GORIG_COMPLETE` is set; `None` otherwise.
pub fn answer(env: &Environment) -> Option<u8> {
    let shell = env.get(VAR)?;
    let home = crate::settings::Settings::resolve(&crate::cli::GlobalArgs::default(), env, false)
        .map(|s| s.home)
        .unwrap_or_else(|_| gorig_settings::store_home(env));
    let _ = STORE_HOME.set(home);
    let args: Vec<OsString> = std::env::args_os().collect();
    let cwd = std::env::current_dir().ok();
    let answered = clap_complete::CompleteEnv::with_factory(command)
        .var(VAR)
        .try_complete(args, cwd.as_deref());
    match answered {
        Ok(true) => Some(0),
        // Set, but not a request (an empty value): run as usual.
        Ok(false) => None,
        Err(error) => {
            eprintln!("gorig: cannot complete for {VAR}={shell}");
            let _ = error.print();
            Some(Exit::Usage as u8)
        }
    }
}

/// The command line definition, with the registry's help, each command's help showing
/// only the option groups it reads ([`crate::cli::GROUPS_USED`]).
pub fn command() -> clap::Command {
    crate::settings::hide_unused_groups(
        crate::settings::with_registry_help(Cli::command()),
        crate::cli::GROUPS_USED,
    )
}

/// The script that registers gorig's completions in `shell` (`bash`, `zsh`, `fish`).
pub fn registration(shell: &str, gorig: &Path, out: &mut dyn Write) -> Result<(), Failure> {
    let completer: &dyn EnvCompleter = match shell {
        "bash" => &Bash,
        "zsh" => &Zsh,
        "fish" => &Fish,
        other => {
            return Err(
                Failure::msg(Exit::Usage, format!("no completions for `{other}`"))
                    .hint("gorig completions bash | zsh | fish"),
            );
        }
    };
    let gorig = gorig.to_string_lossy();
    completer
        .write_registration(VAR, "gorig", "gorig", &gorig, out)
        .map_err(|e| Failure::new(Exit::Filesystem, e).context("could not print the completions"))
}

/// The date a page carries: `SOURCE_DATE_EPOCH` (reproducible builds) when set, else
/// today, as `YYYY-MM-DD`.
pub fn page_date(env: &Environment) -> String {
    let at = env
        .get("SOURCE_DATE_EPOCH")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
        .unwrap_or_else(std::time::SystemTime::now);
    let stamp = gorig_fs::utc_stamp(at);
    format!("{}-{}-{}", &stamp[..4], &stamp[4..6], &stamp[6..8])
}

/// Writes `gorig.1` and one page per subcommand (`gorig-install.1`, ...) into `dir`;
/// returns the files written.
pub fn write_man_pages(dir: &Path, date: &str) -> Result<Vec<PathBuf>, Failure> {
    let write_failure = |path: &Path, e: std::io::Error| {
        Failure::new(Exit::Filesystem, e).context(format!("could not write {}", path.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| write_failure(dir, e))?;
    let mut command = command();
    command.build();
    let mut written = Vec::new();
    let mut pages = vec![("gorig".to_string(), command.clone())];
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("gorig-{}", sub.get_name());
        let bin = format!("gorig {}", sub.get_name());
        pages.push((name.clone(), sub.clone().name(name).bin_name(bin)));
    }
    for (name, page) in pages {
        let mut bytes = Vec::new();
        clap_mangen::Man::new(page)
            .date(date)
            .source(format!("gorig {}", env!("CARGO_PKG_VERSION")))
            .manual("gorig manual")
            .render(&mut bytes)
            .map_err(|e| Failure::new(Exit::Internal, e).context("could not render a man page"))?;
        // clap_mangen puts an empty line between two breaks before a list of possible
        // values; roff reads it as a paragraph that `mandoc -T lint` warns about.
        let text = String::from_utf8_lossy(&bytes).replace(".br\n\n.br\n", ".sp\n");
        let path = dir.join(format!("{name}.1"));
        gorig_fs::write_atomic(&path, text.as_bytes())
            .map_err(|e| Failure::new(Exit::Filesystem, e))?;
        written.push(path);
    }
    Ok(written)
}
