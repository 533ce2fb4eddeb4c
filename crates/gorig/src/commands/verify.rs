//! `gorig verify [DIR]`: the whole chain on one project with the toolchain it pins:
//! `go version`, `go env` (GOROOT is the selected toolchain's, GOPATH and GOCACHE are
//! writable), `go vet ./...` and `go test -short ./...` (extra flags after `--`), each
//! timed, then one summary table; a failing step shows the tail of its output and the
//! doctor's findings that could explain it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use gorig_doctor::{Finding, Group, Severity};
use serde::Serialize;
use serde_json::json;

use crate::app::App;
use crate::cli::VerifyArgs;
use crate::failure::{Exit, Failure};
use crate::project;
use crate::settings::Environment;

/// Lines of a failing step's output shown.
const TAIL_LINES: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Pass,
    Fail,
    Skipped,
}

#[derive(Debug, Serialize)]
struct Step {
    name: &'static str,
    command: String,
    status: Status,
    seconds: f64,
    exit_code: Option<i32>,
    /// Why the step failed beyond its exit code (a check gorig made).
    problem: Option<String>,
    output_tail: Vec<String>,
    #[serde(skip)]
    output: String,
}

/// Output symptoms and the findings that explain them.
const SYMPTOMS: [(&str, &[&str]); 6] = [
    ("permission denied", &["GORIG-BUILD-003", "GORIG-BUILD-005"]),
    ("no space left on device", &["GORIG-BUILD-004"]),
    ("too many open files", &["GORIG-LIM-001"]),
    (
        "cannot assign requested address",
        &["GORIG-NET-001", "GORIG-NET-003"],
    ),
    (
        "resource temporarily unavailable",
        &["GORIG-LIM-002", "GORIG-RT-004", "GORIG-LIM-004"],
    ),
    ("i/o timeout", &["GORIG-DNS-002", "GORIG-DNS-004"]),
];

pub fn run(app: &App, args: &VerifyArgs) -> Result<(), Failure> {
    let env = app.env.clone();
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => project::logical_cwd(&env),
    };
    if !dir.is_dir() {
        return Err(
            Failure::msg(Exit::Usage, format!("{}: not a directory", dir.display()))
                .hint("gorig verify [DIR]: DIR is a Go module or workspace directory"),
        );
    }
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let reporter = app.stderr_reporter();
    let project_env = project::project_env(&env);
    let selected = app.installer(&reporter).ensure(
        gorig_install::Want::Project {
            dir: &dir,
            env: &project_env,
        },
        app.settings.auto_install,
    )?;
    let goroot = app.store.version_dir(&selected.version);
    let goroot = goroot.canonicalize().unwrap_or(goroot);
    let go = goroot.join("bin/go");
    let path = project::path_with(&[goroot.join("bin"), app.settings.go_bin.clone()], &env);
    let runner = Runner {
        go: &go,
        dir: &dir,
        path: &path,
        env: &env,
    };

    let mut steps = Vec::new();
    let version = runner.step("go version", &["version"]);
    let version = check_version(version, &selected.version.to_string());
    let base_ok = version.status == Status::Pass;
    steps.push(version);
    let go_env = runner.step("go env", &["env", "-json"]);
    let go_env = if base_ok {
        check_env(go_env, &goroot)
    } else {
        go_env
    };
    let base_ok = base_ok && go_env.status == Status::Pass;
    steps.push(go_env);
    let mut test_args = vec!["test", "-short"];
    let extra: Vec<String> = args.go_test_args.clone();
    test_args.extend(extra.iter().map(String::as_str));
    test_args.push("./...");
    if base_ok {
        steps.push(runner.step("go vet", &["vet", "./..."]));
        steps.push(runner.step("go test", &test_args));
    } else {
        for (name, argv) in [
            ("go vet", vec!["vet", "./..."]),
            ("go test", test_args.clone()),
        ] {
            steps.push(Step {
                name,
                command: format!("go {}", argv.join(" ")),
                status: Status::Skipped,
                seconds: 0.0,
                exit_code: None,
                problem: Some("skipped: the toolchain itself failed".to_string()),
                output_tail: Vec::new(),
                output: String::new(),
            });
        }
    }

    let failed = steps.iter().any(|s| s.status == Status::Fail);
    let explanations = if failed {
        explain(app, &env, &steps)
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
        app.printer.out(render(
            &dir,
            &selected.version.to_string(),
            &selected.reason,
            &steps,
            &explanations,
            &app.printer,
        ));
    }
    if failed {
        Err(Failure::silent(Exit::VerifyFailed))
    } else {
        Ok(())
    }
}

struct Runner<'a> {
    go: &'a Path,
    dir: &'a Path,
    path: &'a std::ffi::OsStr,
    env: &'a Environment,
}

impl Runner<'_> {
    fn step(&self, name: &'static str, args: &[&str]) -> Step {
        let mut command = Command::new(self.go);
        command
            .args(args)
            .current_dir(self.dir)
            .env("PATH", self.path)
            .env_remove("GOROOT")
            .stdin(Stdio::null());
        if let Some((key, value)) = project::toolchain_env(self.env) {
            command.env(key, value);
        }
        let started = Instant::now();
        let output = command.output();
        let seconds = started.elapsed().as_secs_f64();
        let shown = format!("go {}", args.join(" "));
        match output {
            Ok(output) => {
                let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
                text.push_str(&String::from_utf8_lossy(&output.stderr));
                Step {
                    name,
                    command: shown,
                    status: if output.status.success() {
                        Status::Pass
                    } else {
                        Status::Fail
                    },
                    seconds,
                    exit_code: output.status.code(),
                    problem: None,
                    output_tail: tail(&text),
                    output: text,
                }
            }
            Err(error) => Step {
                name,
                command: shown,
                status: Status::Fail,
                seconds,
                exit_code: None,
                problem: Some(format!("could not run {}: {error}", self.go.display())),
                output_tail: Vec::new(),
                output: String::new(),
            },
        }
    }
}

fn tail(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

fn check_version(mut step: Step, version: &str) -> Step {
    if step.status == Status::Pass
        && !step
            .output
            .lines()
            .any(|l| l.split_whitespace().any(|w| w == version))
    {
        step.status = Status::Fail;
        step.problem = Some(format!("`go version` does not report {version}"));
    }
    step
}

fn check_env(mut step: Step, goroot: &Path) -> Step {
    if step.status != Status::Pass {
        return step;
    }
    let value: Option<serde_json::Value> = serde_json::from_str(&step.output).ok();
    let field = |name: &str| -> Option<String> {
        value
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(|s| s.as_str())
            .map(str::to_string)
    };
    if value.is_none() {
        step.status = Status::Fail;
        step.problem = Some("`go env -json` did not print a JSON object".to_string());
        return step;
    }
    // The environment is long and says nothing when it is right.
    step.output_tail.clear();
    let mut problems = Vec::new();
    match field("GOROOT") {
        Some(root) if Path::new(&root).canonicalize().ok().as_deref() == Some(goroot) => {}
        Some(root) => problems.push(format!(
            "GOROOT is {root}, not the selected {}",
            goroot.display()
        )),
        None => {}
    }
    for name in ["GOPATH", "GOCACHE"] {
        if let Some(value) = field(name) {
            let first = value.split(':').next().unwrap_or(&value).to_string();
            if !first.is_empty() && first != "off" && !writable(Path::new(&first)) {
                problems.push(format!("{name} {first} is not writable"));
            }
        }
    }
    if !problems.is_empty() {
        step.status = Status::Fail;
        step.problem = Some(problems.join("; "));
    }
    step
}

/// Whether this user can create files in `path` (or, if it does not exist yet, in the
/// nearest existing parent, where go would create it).
fn writable(path: &Path) -> bool {
    let existing: Option<PathBuf> = path.ancestors().find(|p| p.exists()).map(Path::to_path_buf);
    existing.is_some_and(|p| rustix::fs::access(&p, rustix::fs::Access::WRITE_OK).is_ok())
}

/// Warnings and failures of the doctor that could explain the failed steps, those whose
/// symptom appears in the output first.
fn explain(app: &App, env: &Environment, steps: &[Step]) -> Vec<Finding> {
    let findings = crate::commands::doctor::live_findings(
        app,
        env,
        &[
            Group::Build,
            Group::Runtime,
            Group::Limits,
            Group::Network,
            Group::Dns,
        ],
    );
    let output = steps
        .iter()
        .filter(|s| s.status == Status::Fail)
        .flat_map(|s| s.output_tail.iter())
        .map(|l| l.to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    let suspected: Vec<&str> = SYMPTOMS
        .iter()
        .filter(|(symptom, _)| output.contains(symptom))
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    // Build findings (noexec temp dir, disk, caches) can explain any failed build;
    // the others only when their symptom is in the output.
    let mut relevant: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.severity >= Severity::Warn)
        .filter(|f| f.group == Group::Build || suspected.contains(&f.id))
        .collect();
    relevant.sort_by_key(|f| (!suspected.contains(&f.id), std::cmp::Reverse(f.severity)));
    relevant
}

fn render(
    dir: &Path,
    version: &str,
    reason: &str,
    steps: &[Step],
    findings: &[Finding],
    printer: &crate::printer::Printer,
) -> String {
    let paint = |text: &str, code: &str| printer.paint(text, code);
    let mut out = format!("{} with {version} ({reason})\n\n", dir.display());
    let width = steps.iter().map(|s| s.command.len()).max().unwrap_or(0);
    for step in steps {
        let label = match step.status {
            Status::Pass => paint("pass", "32"),
            Status::Fail => paint("FAIL", "31"),
            Status::Skipped => paint("skip", "2"),
        };
        out.push_str(&format!(
            "{label}  {:width$}  {:>7.2} s\n",
            step.command, step.seconds
        ));
    }
    for step in steps.iter().filter(|s| s.status == Status::Fail) {
        out.push_str(&format!("\n{} {}", paint("---", "2"), step.command));
        if let Some(code) = step.exit_code {
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
