//! `gorig verify [DIR]`: ensures the toolchain the project pins (`Installer::ensure`),
//! runs its steps (`gorig_install::verify::run_steps`: go version, go env, go vet,
//! go test, each timed), and prints one summary table; a failing step shows the tail of
//! its output and the doctor's findings that could explain it. On a terminal the table
//! grows as the steps end, with a spinner and the running step's last lines below it.

use std::io::IsTerminal;
use std::path::Path;

use gorig_doctor::Finding;
use gorig_event::{Event, Reporter};
use gorig_host::gather::SystemRunner;
use gorig_install::verify::{self, Project, Status, Step};
use serde_json::json;

use crate::app::App;
use crate::cli::VerifyArgs;
use crate::failure::{Exit, Failure};
use crate::printer::Printer;
use crate::project;
use crate::reporters::TerminalReporter;

/// On a terminal: prints each step's row of the table when it ends, above the spinner.
struct LiveRows<'a> {
    screen: &'a TerminalReporter<'a>,
    printer: &'a Printer,
    width: usize,
}

impl Reporter for LiveRows<'_> {
    fn report(&self, event: Event) {
        let row = match &event {
            Event::StepFinished {
                command,
                status,
                millis,
            } => {
                let status = match status.as_str() {
                    "pass" => Status::Pass,
                    "fail" => Status::Fail,
                    _ => Status::Skipped,
                };
                Some(row(
                    status,
                    command,
                    *millis as f64 / 1000.0,
                    self.width,
                    self.printer,
                ))
            }
            _ => None,
        };
        self.screen.report(event);
        if let Some(row) = row {
            self.screen.above_bars(|| self.printer.out(row));
        }
    }
}

pub fn run(app: &App, args: &VerifyArgs) -> Result<(), Failure> {
    let env = &app.env;
    let project_env = project::project_env(env);
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => gorig_project::logical_cwd(&project_env),
    };
    if !dir.is_dir() {
        return Err(
            Failure::msg(Exit::Usage, format!("{}: not a directory", dir.display()))
                .hint("gorig verify [DIR]: DIR is a Go module or workspace directory"),
        );
    }
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let reporter = app.stderr_reporter();
    let selected = app.installer(&reporter).ensure(
        gorig_install::Want::Project {
            dir: &dir,
            env: &project_env,
        },
        app.settings.auto_install,
    )?;
    let goroot = app.store.version_dir(&selected.version);
    let goroot = goroot.canonicalize().unwrap_or(goroot);
    let path = project::path_with(&[goroot.join("bin"), app.settings.go_bin.clone()], env);
    let set: Vec<(&str, &std::ffi::OsStr)> = project::toolchain_env(env)
        .into_iter()
        .map(|(key, value)| (key, std::ffi::OsStr::new(value)))
        .collect();
    let version = selected.version.to_string();
    let project = Project {
        goroot: &goroot,
        version: &version,
        dir: &dir,
        path: &path,
        set: &set,
        test_args: &args.go_test_args,
    };
    let width = verify::commands(&project)
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0);
    let live = !app.printer.json && app.settings.progress && std::io::stdout().is_terminal();
    let steps = if live {
        app.printer
            .out(heading(&dir, &version, &selected.reason).trim_end());
        app.printer.out("");
        let rows = LiveRows {
            screen: &reporter,
            printer: &app.printer,
            width,
        };
        verify::run_steps(&project, &SystemRunner, &rows)
    } else {
        verify::run_steps(&project, &SystemRunner, &reporter)
    };

    let failed = steps.iter().any(|s| s.status == Status::Fail);
    let explanations = if failed {
        gorig_install::examine::explain_failure(
            &app.store,
            &dir,
            &project_env,
            &env.to_map(),
            &SystemRunner,
            &verify::failed_output(&steps),
        )
    } else {
        Vec::new()
    };

    if app.printer.json {
        app.printer.json_line(&json!({
            "schema_version": 1,
            "dir": dir,
            "version": selected.version,
            "reason": selected.reason,
            "ok": !failed,
            "steps": steps,
            "findings": explanations,
        }));
    } else {
        let mut text = String::new();
        if !live {
            text.push_str(&heading(&dir, &version, &selected.reason));
            for step in &steps {
                text.push_str(&row(
                    step.status,
                    &step.command,
                    step.seconds,
                    width,
                    &app.printer,
                ));
            }
        }
        text.push_str(&details(&steps, &explanations, &app.printer));
        app.printer.out(text);
    }
    if failed {
        Err(Failure::silent(Exit::VerifyFailed))
    } else {
        Ok(())
    }
}

fn heading(dir: &Path, version: &str, reason: &str) -> String {
    format!("{} with {version} ({reason})\n\n", dir.display())
}

/// `pass  go vet ./...      1.20 s`: one row of the table.
fn row(status: Status, command: &str, seconds: f64, width: usize, printer: &Printer) -> String {
    let label = match status {
        Status::Pass => printer.paint("pass", "32"),
        Status::Fail => printer.paint("FAIL", "31"),
        Status::Skipped => printer.paint("skip", "2"),
    };
    let time = match status {
        Status::Skipped => "-".to_string(),
        _ => format!("{seconds:.2} s"),
    };
    format!("{label}  {command:width$}  {time:>9}\n")
}

/// What follows the table: the failing steps' output, the findings, the verdict.
fn details(steps: &[Step], findings: &[Finding], printer: &Printer) -> String {
    let paint = |text: &str, code: &str| printer.paint(text, code);
    let mut out = String::new();
    for step in steps.iter().filter(|s| s.status == Status::Fail) {
        out.push_str(&format!("\n{} {}", paint("---", "2"), step.command));
        // A step gorig failed (a wrong GOROOT) may have exited 0: its problem says why.
        if let Some(code) = step.exit_code.filter(|code| *code != 0) {
            out.push_str(&format!(" (exit {code})"));
        }
        out.push('\n');
        if let Some(problem) = &step.problem {
            out.push_str(&format!("{problem}\n"));
        }
        for line in &step.output_tail {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if !findings.is_empty() {
        out.push_str("\nhost findings that could explain it (gorig doctor):\n");
        for finding in findings {
            out.push_str(&format!(
                "  {} {}  {}\n",
                finding.severity.name().to_uppercase(),
                finding.id,
                finding.title
            ));
            for fix in &finding.fix {
                out.push_str(&format!("      fix: {}\n", fix.text));
            }
        }
    }
    let failed = steps.iter().filter(|s| s.status == Status::Fail).count();
    out.push_str(&format!(
        "\n{}\n",
        if failed == 0 {
            paint("all steps passed", "32")
        } else {
            paint(&format!("{failed} of {} steps failed", steps.len()), "31")
        }
    ));
    out
}
