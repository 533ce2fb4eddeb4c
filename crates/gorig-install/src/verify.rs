//! `verify` as a library: the whole chain on one project with the toolchain it pins:
//! `go version` (it reports the selected version), `go env -json` (GOROOT is the
//! selected toolchain's, GOPATH and GOCACHE are writable), `go vet ./...` and
//! `go test -short ./...`, each timed; vet and test are skipped when the toolchain
//! itself failed. Each step is reported as it starts, line by line while it runs, and
//! when it ends ([`Event::StepStarted`], [`Event::StepOutput`], [`Event::StepFinished`]),
//! so a person watches a cold build instead of a blank screen. Processes run through a
//! `ProcessRunner`, so the rules are tested without a toolchain.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Instant;

use gorig_event::{Event, Reporter};
use gorig_host::gather::{ProcessRunner, Run};
use serde::Serialize;

/// Lines of a failing step's output kept.
pub const TAIL_LINES: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skipped,
}

impl Status {
    /// The word `--json` and events use.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: &'static str,
    pub command: String,
    pub status: Status,
    pub seconds: f64,
    pub exit_code: Option<i32>,
    /// Why the step failed beyond its exit code (a check gorig made).
    pub problem: Option<String>,
    pub output_tail: Vec<String>,
    #[serde(skip)]
    pub output: String,
}

/// How the project's go command is run.
pub struct Project<'a> {
    /// The selected toolchain's GOROOT (canonical).
    pub goroot: &'a Path,
    /// The version it must report.
    pub version: &'a str,
    pub dir: &'a Path,
    /// `PATH` with the toolchain's `bin` first.
    pub path: &'a OsStr,
    /// Variables set for every step (`GOTOOLCHAIN=local` unless the user set it).
    pub set: &'a [(&'a str, &'a OsStr)],
    /// Extra `go test` flags.
    pub test_args: &'a [String],
}

/// The steps' commands, in the order they run (`go test -short ARGS ./...`).
pub fn commands(project: &Project<'_>) -> Vec<String> {
    step_args(project)
        .iter()
        .map(|(_, args)| format!("go {}", args.join(" ")))
        .collect()
}

fn step_args<'a>(project: &'a Project<'_>) -> [(&'static str, Vec<&'a str>); 4] {
    let mut test_args = vec!["test", "-short"];
    test_args.extend(project.test_args.iter().map(String::as_str));
    test_args.push("./...");
    [
        ("go version", vec!["version"]),
        ("go env", vec!["env", "-json"]),
        ("go vet", vec!["vet", "./..."]),
        ("go test", test_args),
    ]
}

/// Runs the steps in order, reporting each to `reporter`.
pub fn run_steps(
    project: &Project<'_>,
    runner: &dyn ProcessRunner,
    reporter: &dyn Reporter,
) -> Vec<Step> {
    let go = project.goroot.join("bin/go");
    let mut steps: Vec<Step> = Vec::new();
    for (name, argv) in step_args(project) {
        // vet and test say nothing when the toolchain itself is wrong.
        let base_ok = steps.iter().take(2).all(|s| s.status == Status::Pass);
        let step = if steps.len() < 2 || base_ok {
            let command = format!("go {}", argv.join(" "));
            reporter.report(Event::StepStarted {
                command: command.clone(),
            });
            let ran = run_step(runner, reporter, &go, project, name, &argv);
            let ran = match name {
                "go version" => check_version(ran, project.version),
                "go env" if base_ok => check_env(ran, project.goroot),
                _ => ran,
            };
            reporter.report(Event::StepFinished {
                command,
                status: ran.status.name().to_string(),
                millis: (ran.seconds * 1000.0) as u64,
            });
            ran
        } else {
            let step = Step {
                name,
                command: format!("go {}", argv.join(" ")),
                status: Status::Skipped,
                seconds: 0.0,
                exit_code: None,
                problem: Some("skipped: the toolchain itself failed".to_string()),
                output_tail: Vec::new(),
                output: String::new(),
            };
            reporter.report(Event::StepFinished {
                command: step.command.clone(),
                status: step.status.name().to_string(),
                millis: 0,
            });
            step
        };
        steps.push(step);
    }
    steps
}

/// The failed steps' output tails, for finding what could explain them.
pub fn failed_output(steps: &[Step]) -> String {
    steps
        .iter()
        .filter(|s| s.status == Status::Fail)
        .flat_map(|s| s.output_tail.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_step(
    runner: &dyn ProcessRunner,
    reporter: &dyn Reporter,
    go: &Path,
    project: &Project<'_>,
    name: &'static str,
    args: &[&str],
) -> Step {
    let mut set = vec![("PATH", project.path)];
    set.extend(project.set.iter().copied());
    let started = Instant::now();
    let output = runner.run_watched(
        &Run {
            program: go,
            args,
            dir: Some(project.dir),
            set: &set,
            remove: &["GOROOT"],
        },
        &mut |line| {
            reporter.report(Event::StepOutput {
                line: line.to_string(),
            })
        },
    );
    let seconds = started.elapsed().as_secs_f64();
    let command = format!("go {}", args.join(" "));
    match output {
        Ok(output) => {
            let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stderr));
            Step {
                name,
                command,
                status: if output.success {
                    Status::Pass
                } else {
                    Status::Fail
                },
                seconds,
                exit_code: output.code,
                problem: None,
                output_tail: tail(&text),
                output: text,
            }
        }
        Err(error) => Step {
            name,
            command,
            status: Status::Fail,
            seconds,
            exit_code: None,
            problem: Some(format!("could not run {}: {error}", go.display())),
            output_tail: Vec::new(),
            output: String::new(),
        },
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

#[cfg(test)]
mod tests {
    use super::*;
    use gorig_host::gather::RunOutput;
    use std::sync::Mutex;

    /// A go command that answers from a script of (args prefix, success, output).
    struct FakeGo {
        answers: Vec<(&'static str, bool, String)>,
        ran: Mutex<Vec<String>>,
    }

    impl FakeGo {
        /// The right version, `go env -json` printing `env`, vet passing, a test failing.
        fn failing_test(env: String) -> FakeGo {
            FakeGo {
                answers: vec![
                    ("version", true, "go version go1.22.5 linux/amd64\n".into()),
                    ("env", true, env),
                    ("vet", true, String::new()),
                    (
                        "test",
                        false,
                        "--- FAIL: TestX\ntoo many open files\n".into(),
                    ),
                ],
                ran: Mutex::default(),
            }
        }
    }

    impl ProcessRunner for FakeGo {
        fn run(&self, run: &Run<'_>) -> std::io::Result<RunOutput> {
            let line = run.args.join(" ");
            self.ran.lock().unwrap().push(line.clone());
            assert!(run.remove.contains(&"GOROOT"));
            assert!(run.set.iter().any(|(k, _)| *k == "PATH"));
            let (_, success, out) = self
                .answers
                .iter()
                .find(|(prefix, _, _)| line.starts_with(prefix))
                .expect("an answer for every step");
            Ok(RunOutput {
                success: *success,
                code: Some(if *success { 0 } else { 1 }),
                stdout: out.clone().into_bytes(),
                stderr: Vec::new(),
            })
        }
    }

    fn project<'a>(
        goroot: &'a Path,
        test_args: &'a [String],
        set: &'a [(&'a str, &'a OsStr)],
    ) -> Project<'a> {
        Project {
            goroot,
            version: "go1.22.5",
            dir: Path::new("/"),
            path: OsStr::new("/usr/bin"),
            set,
            test_args,
        }
    }

    fn local() -> [(&'static str, &'static OsStr); 1] {
        [("GOTOOLCHAIN", OsStr::new("local"))]
    }

    #[test]
    fn a_toolchain_that_reports_another_version_skips_vet_and_test() {
        let goroot = tempfile::tempdir().unwrap();
        let go = FakeGo {
            answers: vec![
                ("version", true, "go version go1.21.0 linux/amd64\n".into()),
                ("env", true, "{}".into()),
            ],
            ran: Mutex::default(),
        };
        let recorder = gorig_event::Recorder::default();
        let steps = run_steps(&project(goroot.path(), &[], &local()), &go, &recorder);
        let statuses: Vec<Status> = steps.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            [Status::Fail, Status::Pass, Status::Skipped, Status::Skipped]
        );
        assert_eq!(
            steps[0].problem.as_deref(),
            Some("`go version` does not report go1.22.5")
        );
        assert_eq!(*go.ran.lock().unwrap(), ["version", "env -json"]);
        let finished: Vec<(String, String)> = recorder
            .events()
            .into_iter()
            .filter_map(|e| match e {
                Event::StepFinished {
                    command, status, ..
                } => Some((command, status)),
                _ => None,
            })
            .collect();
        assert_eq!(
            finished,
            [
                ("go version", "fail"),
                ("go env -json", "pass"),
                ("go vet ./...", "skipped"),
                ("go test -short ./...", "skipped")
            ]
            .map(|(c, s)| (c.to_string(), s.to_string()))
        );
    }

    #[test]
    fn goroot_must_be_the_selected_one_and_test_flags_go_before_the_packages() {
        let goroot = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let env = format!(
            r#"{{"GOROOT":"{}","GOPATH":"","GOCACHE":"off"}}"#,
            elsewhere.path().display()
        );
        let go = FakeGo::failing_test(env);
        let extra = vec!["-run".to_string(), "X".to_string()];
        let steps = run_steps(
            &project(goroot.path(), &extra, &local()),
            &go,
            &gorig_event::NoReporter,
        );
        assert_eq!(steps[1].status, Status::Fail);
        assert!(
            steps[1]
                .problem
                .as_deref()
                .unwrap()
                .starts_with("GOROOT is ")
        );
        assert_eq!(steps[1].output_tail, Vec::<String>::new());
        // A wrong GOROOT is the toolchain failing: vet and test are skipped.
        assert_eq!(steps[2].status, Status::Skipped);

        let canonical = goroot.path().canonicalize().unwrap();
        let env = format!(r#"{{"GOROOT":"{}"}}"#, canonical.display());
        let go = FakeGo::failing_test(env);
        let recorder = gorig_event::Recorder::default();
        let steps = run_steps(&project(&canonical, &extra, &local()), &go, &recorder);
        let statuses: Vec<Status> = steps.iter().map(|s| s.status).collect();
        assert_eq!(
            statuses,
            [Status::Pass, Status::Pass, Status::Pass, Status::Fail]
        );
        assert_eq!(steps[3].command, "go test -short -run X ./...");
        assert_eq!(
            commands(&project(&canonical, &extra, &local())),
            steps.iter().map(|s| s.command.clone()).collect::<Vec<_>>()
        );
        // The test's lines were reported between its start and its end.
        let events = recorder.events();
        let started = events
            .iter()
            .position(
                |e| matches!(e, Event::StepStarted { command } if command.starts_with("go test")),
            )
            .unwrap();
        assert_eq!(
            events[started + 1..started + 3],
            [
                Event::StepOutput {
                    line: "--- FAIL: TestX".into()
                },
                Event::StepOutput {
                    line: "too many open files".into()
                }
            ]
        );
        assert!(
            matches!(&events[started + 3], Event::StepFinished { status, .. } if status == "fail")
        );
        assert_eq!(
            failed_output(&steps),
            "--- FAIL: TestX\ntoo many open files"
        );
    }
}
