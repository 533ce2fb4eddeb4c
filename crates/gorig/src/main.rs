//! The `gorig` binary: parses the command line, resolves settings once, runs one
//! subcommand, and turns its outcome into output and a stable exit code.

mod app;
mod cli;
mod commands;
mod completions;
mod failure;
mod interrupt;
mod printer;
mod progress;
mod project;
mod reporters;
mod settings;
mod shim;

use std::process::ExitCode;

use clap::FromArgMatches;
use serde_json::json;

use crate::app::App;
use crate::cli::{Cli, Command};
use crate::failure::{Exit, Failure};
use crate::printer::Printer;
use crate::settings::{Environment, Settings};

fn wants_json(command: &Command) -> bool {
    match command {
        Command::Install(a) => a.json,
        Command::List(a) => a.json,
        Command::Use(a) => a.json,
        Command::Uninstall(a) => a.json,
        Command::Which(a) => a.json,
        Command::Env(a) => a.json,
        Command::Keys(a) => match &a.command {
            cli::KeysCommand::List { json } | cli::KeysCommand::Refresh { json, .. } => *json,
        },
        Command::Current(a) => a.json,
        Command::Doctor(a) => a.json,
        Command::Verify(a) => a.json,
        Command::Inspect(a) => a.json,
        Command::Unit(a) => a.json,
        Command::Tune(a) => a.json,
        Command::Plan(a) | Command::Apply(a) => a.json,
        Command::Mirror(a) => match &a.action {
            cli::MirrorAction::Sync { json, .. } | cli::MirrorAction::Verify { json, .. } => *json,
        },
        Command::Selinux(a) => match &a.action {
            Some(cli::SelinuxAction::Refine { json, .. }) => *json,
            None => a.json,
        },
        Command::Exec(_)
        | Command::Activate(_)
        | Command::HookEnv(_)
        | Command::Completions(_)
        | Command::Man(_) => false,
    }
}

fn main() -> ExitCode {
    // The one capture of the environment; everything below reads this copy.
    let env = Environment::capture();
    // Called as `go` or `gofmt` through a shim: run the tool, nothing else.
    if let Some(tool) = std::env::args_os()
        .next()
        .as_deref()
        .and_then(shim::tool_of)
    {
        return shim::run(tool, env);
    }
    // The prompt hook runs at every prompt: skip the argument parser when it can.
    {
        let mut args = std::env::args_os().skip(1);
        if let (Some(command), Some(shell), None) = (args.next(), args.next(), args.next())
            && command == "hook-env"
            && let Some(shell) = shell.to_str()
            && commands::activate::hook_env_fast(shell, &env).is_some()
        {
            return ExitCode::SUCCESS;
        }
    }
    // A TAB in a shell with gorig's completions registered.
    if let Some(code) = completions::answer(&env) {
        return ExitCode::from(code);
    }
    // `gorig help environment`: every variable gorig reads, from the registry.
    {
        let args: Vec<_> = std::env::args_os().skip(1).collect();
        if args.len() == 2 && args[0] == "help" && args[1] == "environment" {
            print!("{}", settings::env_help());
            return ExitCode::SUCCESS;
        }
    }
    let parsed = completions::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { 0 });
        }
    };
    let json = wants_json(&cli.command);
    let stderr_is_tty = rustix::termios::isatty(std::io::stderr());
    let settings = match Settings::resolve(&cli.global, &env, stderr_is_tty) {
        Ok(settings) => settings,
        Err(e) => {
            let printer = Printer::new(json, false, false);
            render(&printer, &Failure::new(Exit::Usage, e));
            return ExitCode::from(Exit::Usage as u8);
        }
    };
    let app = App::new(settings, env, json);
    let result = match &cli.command {
        Command::Install(args) => commands::install::run(&app, args),
        Command::List(args) => commands::list::run(&app, args),
        Command::Use(args) => commands::use_::run(&app, args),
        Command::Uninstall(args) => commands::uninstall::run(&app, args),
        Command::Which(args) => commands::which::run(&app, args),
        Command::Env(args) => commands::env::run(&app, args),
        Command::Keys(args) => commands::keys::run(&app, &args.command),
        Command::Current(args) => commands::current::run(&app, args),
        Command::Doctor(args) => commands::doctor::run(&app, args),
        Command::Verify(args) => commands::verify::run(&app, args),
        Command::Inspect(args) => commands::inspect::run(&app, args),
        Command::Unit(args) => commands::unit::run(&app, args),
        Command::Tune(args) => commands::tune::run(&app, args),
        Command::Plan(args) => commands::fleet::run(&app, args, false),
        Command::Mirror(args) => commands::mirror::run(&app, &args.action),
        Command::Apply(args) => commands::fleet::run(&app, args, true),
        Command::Selinux(args) => commands::selinux::run(&app, args),
        Command::Exec(args) => commands::exec::run(&app, args),
        Command::Activate(args) => commands::activate::activate(&app, args),
        Command::HookEnv(args) => commands::activate::hook_env(&app, args),
        Command::Completions(args) => commands::completions(&app, args),
        Command::Man(args) => commands::man(&app, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let failure = app.situate(failure);
            if !failure.silent {
                render(&app.printer, &failure);
            }
            ExitCode::from(failure.exit as u8)
        }
    }
}

/// `error: ...`, `  caused by: ...`, `hint: ...` on stderr; with `--json` also one
/// `{"event": "error", ...}` line on stdout.
pub(crate) fn render(printer: &Printer, failure: &Failure) {
    let chain = render_text(printer, failure);
    if printer.json {
        printer.json_line(&json!({
            "event": "error",
            "exit_code": failure.exit as u8,
            "error": chain.first(),
            "causes": chain.get(1..).unwrap_or_default(),
            "hints": failure.hints,
        }));
    }
}

/// The human form of [`render`] alone, on stderr, for commands whose one JSON document
/// already says what failed; returns the error chain.
pub(crate) fn render_text(printer: &Printer, failure: &Failure) -> Vec<String> {
    let chain = failure.chain();
    let mut text = String::new();
    for (i, line) in chain.iter().enumerate() {
        let label = if i == 0 {
            printer.paint("error:", "31")
        } else {
            "  caused by:".to_string()
        };
        text.push_str(&format!("{label} {line}\n"));
    }
    for hint in &failure.hints {
        text.push_str(&format!("{} {hint}\n", printer.paint("hint:", "36")));
    }
    eprint!("{text}");
    chain
}
