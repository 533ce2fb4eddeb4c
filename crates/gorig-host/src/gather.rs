//! The facts files cannot give, and Go's own defaults for where it writes.
//!
//! [`gather`] reads a host's files ([`HostFacts::probe`]) while, on the live host, the
//! few processes run on their own threads: `--version` of the C compiler cgo would use
//! and of git, and `go env -json` of the selected toolchain. Processes run through a
//! [`ProcessRunner`], so tests give the answers without starting anything.
//!
//! [`GoDirs`] applies the go command's defaults to an environment: `GOTMPDIR` (else
//! `TMPDIR`, else `/tmp`), `GOCACHE` (`$XDG_CACHE_HOME/go-build`, else
//! `$HOME/.cache/go-build`), `GOMODCACHE` (the first `GOPATH` entry's `pkg/mod`, `GOPATH`
//! defaulting to `$HOME/go`) and the user's `go env -w` file (`GOENV`, else
//! `$XDG_CONFIG_HOME/go/env`, else `$HOME/.config/go/env`). Like go, a relative
//! `XDG_*` directory is not used.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::{HostFacts, HostRoot, ProbeRequest, find_in_path};

/// Where tools are looked for under a `--root` tree (the user's PATH is this host's).
pub const STANDARD_PATH: [&str; 6] = [
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// The tools the build checks look for besides `$CC`.
pub const TOOLS: [&str; 4] = ["gcc", "cc", "clang", "git"];

/// A process to run: stdin closed, the environment inherited with these changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run<'a> {
    pub program: &'a Path,
    pub args: &'a [&'a str],
    /// The working directory; `None`: this process's.
    pub dir: Option<&'a Path>,
    pub set: &'a [(&'a str, &'a OsStr)],
    pub remove: &'a [&'a str],
}

/// What a process gave back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOutput {
    pub success: bool,
    /// The exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Starts processes. The real one is [`SystemRunner`]; tests answer from a table.
pub trait ProcessRunner: Sync {
    fn run(&self, run: &Run<'_>) -> std::io::Result<RunOutput>;

    /// Like [`ProcessRunner::run`], calling `on_line` with each line of stdout and stderr
    /// as it comes (a long `go test` is watched while it runs). The default, for runners
    /// that answer at once, hands the lines over at the end.
    fn run_watched(
        &self,
        run: &Run<'_>,
        on_line: &mut dyn FnMut(&str),
    ) -> std::io::Result<RunOutput> {
        let output = self.run(run)?;
        for text in [&output.stdout, &output.stderr] {
            for line in String::from_utf8_lossy(text).lines() {
                on_line(line);
            }
        }
        Ok(output)
    }
}

/// Runs processes on this machine.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemRunner;

impl SystemRunner {
    fn command(run: &Run<'_>) -> std::process::Command {
        let mut command = std::process::Command::new(run.program);
        command.args(run.args).stdin(std::process::Stdio::null());
        if let Some(dir) = run.dir {
            command.current_dir(dir);
        }
        for (key, value) in run.set {
            command.env(key, value);
        }
        for key in run.remove {
            command.env_remove(key);
        }
        command
    }
}

impl ProcessRunner for SystemRunner {
    fn run(&self, run: &Run<'_>) -> std::io::Result<RunOutput> {
        let output = SystemRunner::command(run).output()?;
        Ok(RunOutput {
            success: output.status.success(),
            code: output.status.code(),
            stdout: output.stdout,
            stderr: output.stderr,
        })
    }

    fn run_watched(
        &self,
        run: &Run<'_>,
        on_line: &mut dyn FnMut(&str),
    ) -> std::io::Result<RunOutput> {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = SystemRunner::command(run)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(std::io::Error::other(
                "the child's output pipes are missing",
            ));
        };
        // Each stream is read on its own thread, so neither pipe fills while the other is
        // waited on; lines reach `on_line` in the order they arrive.
        let (lines, arrived) = std::sync::mpsc::channel::<(bool, Vec<u8>)>();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        std::thread::scope(|scope| {
            for (is_err, stream) in [
                (false, Box::new(stdout) as Box<dyn std::io::Read + Send>),
                (true, Box::new(stderr)),
            ] {
                let lines = lines.clone();
                scope.spawn(move || {
                    let mut reader = std::io::BufReader::new(stream);
                    loop {
                        let mut line = Vec::new();
                        match reader.read_until(b'\n', &mut line) {
                            Ok(0) | Err(_) => break,
                            Ok(_) => {
                                if lines.send((is_err, line)).is_err() {
                                    break;
                                }
                            }
                        }
                    }
                });
            }
            drop(lines);
            for (is_err, line) in arrived {
                let text = String::from_utf8_lossy(&line);
                on_line(text.trim_end_matches(['\n', '\r']));
                if is_err { &mut err } else { &mut out }.extend_from_slice(&line);
            }
        });
        let status = child.wait()?;
        Ok(RunOutput {
            success: status.success(),
            code: status.code(),
            stdout: out,
            stderr: err,
        })
    }
}

/// Where the go command writes, by its defaults over an environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoDirs {
    pub tmp: String,
    pub cache: String,
    pub modcache: String,
    /// The user's `go env -w` file; `None` when no variable says where it is.
    pub user_env_file: Option<PathBuf>,
}

impl GoDirs {
    pub fn from_env(vars: &BTreeMap<String, String>) -> GoDirs {
        let get = |name: &str| vars.get(name).map(String::as_str).filter(|v| !v.is_empty());
        let home = get("HOME").unwrap_or("/root");
        // os.UserCacheDir and os.UserConfigDir ignore a relative XDG directory.
        let xdg = |name: &str| get(name).filter(|d| d.starts_with('/'));
        let tmp = get("GOTMPDIR")
            .or_else(|| get("TMPDIR"))
            .unwrap_or("/tmp")
            .to_string();
        let cache = get("GOCACHE").map(str::to_string).unwrap_or_else(|| {
            xdg("XDG_CACHE_HOME")
                .map(|d| format!("{d}/go-build"))
                .unwrap_or_else(|| format!("{home}/.cache/go-build"))
        });
        let modcache = get("GOMODCACHE").map(str::to_string).unwrap_or_else(|| {
            let gopath = get("GOPATH")
                .and_then(|p| p.split(':').find(|e| !e.is_empty()).map(str::to_string))
                .unwrap_or_else(|| format!("{home}/go"));
            format!("{gopath}/pkg/mod")
        });
        let user_env_file = get("GOENV")
            .map(PathBuf::from)
            .or_else(|| xdg("XDG_CONFIG_HOME").map(|d| Path::new(d).join("go/env")))
            .or_else(|| get("HOME").map(|h| Path::new(h).join(".config/go/env")));
        GoDirs {
            tmp,
            cache,
            modcache,
            user_env_file,
        }
    }
}

impl ProbeRequest {
    /// What the doctor probes for Go on `root`: the tools on PATH (the user's PATH on
    /// the live host, the standard one in a tree) with `$CC`'s compiler, and the
    /// filesystems of Go's directories, plus `extra_paths` (e.g. the store).
    pub fn for_go(
        root: &HostRoot,
        vars: &BTreeMap<String, String>,
        extra_paths: Vec<(String, String)>,
    ) -> ProbeRequest {
        let standard = || STANDARD_PATH.map(str::to_string).to_vec();
        let path_dirs = match vars.get("PATH") {
            Some(path) if root.is_live() => path
                .split(':')
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .collect(),
            _ => standard(),
        };
        let preferred_cc = vars
            .get("CC")
            .and_then(|cc| cc.split_whitespace().next())
            .map(str::to_string);
        let mut tools: Vec<String> = TOOLS.map(str::to_string).to_vec();
        if let Some(cc) = &preferred_cc
            && !tools.contains(cc)
        {
            tools.push(cc.clone());
        }
        let dirs = GoDirs::from_env(vars);
        let mut paths = vec![
            ("GOTMPDIR".to_string(), dirs.tmp),
            ("GOCACHE".to_string(), dirs.cache),
            ("GOMODCACHE".to_string(), dirs.modcache),
            ("C headers".to_string(), "/usr/include/stdlib.h".to_string()),
        ];
        paths.extend(extra_paths);
        ProbeRequest {
            preferred_cc,
            path_dirs,
            tools,
            paths,
            uname_machine: root.is_live().then(crate::uname_machine),
        }
    }
}

/// Which processes to run (only ever on the live host).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Processes {
    /// `--version` of the C compiler the build would use, and of git.
    pub tool_versions: bool,
    /// `go env -json` of the toolchain at this GOROOT.
    pub go_env: Option<PathBuf>,
}

/// The host's facts, with the tools' versions filled in, and `go env -json` when it was
/// asked for: its variables, or why it could not be read.
#[derive(Debug)]
pub struct Gathered {
    pub host: HostFacts,
    pub go_env: Option<Result<BTreeMap<String, String>, String>>,
}

/// Reads the host while the processes run.
pub fn gather(
    root: &HostRoot,
    request: &ProbeRequest,
    runner: &dyn ProcessRunner,
    processes: &Processes,
) -> Gathered {
    std::thread::scope(|scope| {
        let go_env = processes
            .go_env
            .as_deref()
            .map(|goroot| scope.spawn(move || go_env_json(runner, goroot)));
        let versions: Vec<_> = if processes.tool_versions {
            versioned_tools(root, request)
                .into_iter()
                .map(|(name, path)| (name, scope.spawn(move || version_line(runner, &path))))
                .collect()
        } else {
            Vec::new()
        };
        let mut host = HostFacts::probe(root, request);
        for (name, handle) in versions {
            let version = handle.join().ok().flatten();
            if let Some(tool) = host.tools.iter_mut().find(|t| t.name == name) {
                tool.version = version;
            }
        }
        let go_env = go_env.map(|handle| {
            handle
                .join()
                .unwrap_or_else(|_| Err("go env panicked".to_string()))
        });
        Gathered { host, go_env }
    })
}

/// The tools whose version a check reads, with their paths: the C compiler cgo would
/// use (`$CC`, else the first of gcc, cc, clang on PATH) and git. One process each.
fn versioned_tools(root: &HostRoot, request: &ProbeRequest) -> Vec<(String, String)> {
    let mut compilers = request.tools.iter().filter(|t| t.as_str() != "git");
    let compiler = match &request.preferred_cc {
        Some(cc) => find_in_path(root, &request.path_dirs, cc).map(|p| (cc.clone(), p)),
        None => compilers.find_map(|name| {
            find_in_path(root, &request.path_dirs, name).map(|p| (name.clone(), p))
        }),
    };
    let git = find_in_path(root, &request.path_dirs, "git").map(|p| ("git".to_string(), p));
    compiler.into_iter().chain(git).collect()
}

/// The first non-empty line `path --version` prints.
fn version_line(runner: &dyn ProcessRunner, path: &str) -> Option<String> {
    let output = runner
        .run(&Run {
            program: Path::new(path),
            args: &["--version"],
            dir: None,
            set: &[],
            remove: &[],
        })
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// `go env -json` of the toolchain at `goroot`, as go itself would answer with no
/// switching (`GOTOOLCHAIN=local`, no inherited `GOROOT`).
fn go_env_json(
    runner: &dyn ProcessRunner,
    goroot: &Path,
) -> Result<BTreeMap<String, String>, String> {
    let go = goroot.join("bin/go");
    let output = runner
        .run(&Run {
            program: &go,
            args: &["env", "-json"],
            dir: None,
            set: &[("GOTOOLCHAIN", OsStr::new("local"))],
            remove: &["GOROOT"],
        })
        .map_err(|e| format!("{}: {e}", go.display()))?;
    if !output.success {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        return Err(tail.into_iter().rev().collect::<Vec<_>>().join(" / "));
    }
    let value: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("go env -json printed something else: {e}"))?;
    Ok(value
        .as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
// The tests build their fixture trees directly; they are not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_watched_process_hands_over_each_line_as_it_comes_and_keeps_the_streams_apart() {
        let mut seen = Vec::new();
        let output = SystemRunner
            .run_watched(
                &Run {
                    program: Path::new("/bin/sh"),
                    args: &[
                        "-c",
                        "echo one; sleep 0.2; echo two >&2; sleep 0.1; echo three; exit 3",
                    ],
                    dir: None,
                    set: &[],
                    remove: &[],
                },
                &mut |line| seen.push((line.to_string(), std::time::Instant::now())),
            )
            .expect("sh runs");
        let lines: Vec<&str> = seen.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(lines, ["one", "two", "three"]);
        assert!(
            seen[1].1 - seen[0].1 >= std::time::Duration::from_millis(150),
            "the first line came before the pause, not at the end"
        );
        assert_eq!(output.stdout, b"one\nthree\n");
        assert_eq!(output.stderr, b"two\n");
        assert_eq!((output.success, output.code), (false, Some(3)));
    }

    #[test]
    fn go_dirs_follow_gos_defaults() {
        let dirs = GoDirs::from_env(&vars(&[("HOME", "/home/u")]));
        assert_eq!(dirs.tmp, "/tmp");
        assert_eq!(dirs.cache, "/home/u/.cache/go-build");
        assert_eq!(dirs.modcache, "/home/u/go/pkg/mod");
        assert_eq!(
            dirs.user_env_file,
            Some(PathBuf::from("/home/u/.config/go/env"))
        );
        let dirs = GoDirs::from_env(&vars(&[
            ("HOME", "/home/u"),
            ("TMPDIR", "/var/tmp"),
            ("XDG_CACHE_HOME", "/c"),
            ("XDG_CONFIG_HOME", "relative"),
            ("GOPATH", ":/gp:/other"),
        ]));
        assert_eq!(dirs.tmp, "/var/tmp");
        assert_eq!(dirs.cache, "/c/go-build");
        assert_eq!(dirs.modcache, "/gp/pkg/mod");
        assert_eq!(
            dirs.user_env_file,
            Some(PathBuf::from("/home/u/.config/go/env"))
        );
        let dirs = GoDirs::from_env(&vars(&[
            ("GOTMPDIR", "/gt"),
            ("TMPDIR", "/var/tmp"),
            ("GOCACHE", "off"),
            ("GOMODCACHE", "/m"),
            ("GOENV", "/e"),
        ]));
        assert_eq!(
            (
                dirs.tmp.as_str(),
                dirs.cache.as_str(),
                dirs.modcache.as_str()
            ),
            ("/gt", "off", "/m")
        );
        assert_eq!(dirs.user_env_file, Some(PathBuf::from("/e")));
    }

    /// A process run: program, arguments, variables set.
    type Ran = (PathBuf, Vec<String>, Vec<(String, String)>);

    /// Answers `--version` and `go env -json` from a table, and records what it ran.
    struct Answers {
        ran: Mutex<Vec<Ran>>,
        go_env: RunOutput,
    }

    impl ProcessRunner for Answers {
        fn run(&self, run: &Run<'_>) -> std::io::Result<RunOutput> {
            self.ran.lock().unwrap().push((
                run.program.to_path_buf(),
                run.args.iter().map(|a| a.to_string()).collect(),
                run.set
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string_lossy().into_owned()))
                    .collect(),
            ));
            if run.args == ["--version"] {
                let name = run.program.file_name().unwrap().to_string_lossy();
                return Ok(RunOutput {
                    success: true,
                    code: Some(0),
                    stdout: format!("\n{name} version 1.0\nmore\n").into_bytes(),
                    stderr: Vec::new(),
                });
            }
            Ok(self.go_env.clone())
        }
    }

    fn tree_with_tools() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("usr/bin")).unwrap();
        for tool in ["cc", "clang", "git"] {
            let path = dir.path().join("usr/bin").join(tool);
            std::fs::write(&path, b"").unwrap();
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
        }
        dir
    }

    #[test]
    fn versions_are_asked_of_the_compiler_cgo_would_use_and_of_git() {
        let dir = tree_with_tools();
        let root = HostRoot::new(dir.path());
        let request = ProbeRequest::for_go(&root, &vars(&[("HOME", "/h")]), Vec::new());
        let runner = Answers {
            ran: Mutex::default(),
            go_env: RunOutput::default(),
        };
        let gathered = gather(
            &root,
            &request,
            &runner,
            &Processes {
                tool_versions: true,
                go_env: None,
            },
        );
        let mut ran: Vec<String> = runner
            .ran
            .lock()
            .unwrap()
            .iter()
            .map(|(p, _, _)| p.display().to_string())
            .collect();
        ran.sort();
        // gcc is not there, so cc is the compiler; clang is not asked.
        assert_eq!(ran, ["/usr/bin/cc", "/usr/bin/git"]);
        let tool = gathered.host.tool("cc").unwrap();
        assert_eq!(tool.version.as_deref(), Some("cc version 1.0"));
        assert!(gathered.go_env.is_none());
    }

    #[test]
    fn go_env_runs_without_switching_and_reports_its_failure_tail() {
        let dir = tree_with_tools();
        let root = HostRoot::new(dir.path());
        let request = ProbeRequest::for_go(&root, &vars(&[]), Vec::new());
        let ok = Answers {
            ran: Mutex::default(),
            go_env: RunOutput {
                success: true,
                code: Some(0),
                stdout: br#"{"GOROOT":"/g","GOFLAGS":"","CGO_ENABLED":"1","N":1}"#.to_vec(),
                stderr: Vec::new(),
            },
        };
        let processes = Processes {
            tool_versions: false,
            go_env: Some(PathBuf::from("/g")),
        };
        let gathered = gather(&root, &request, &ok, &processes);
        let values = gathered.go_env.unwrap().unwrap();
        assert_eq!(values.get("GOROOT").map(String::as_str), Some("/g"));
        assert!(!values.contains_key("N"), "non-string values are left out");
        let ran = ok.ran.lock().unwrap();
        assert_eq!(ran[0].0, PathBuf::from("/g/bin/go"));
        assert_eq!(ran[0].2, [("GOTOOLCHAIN".to_string(), "local".to_string())]);

        let failing = Answers {
            ran: Mutex::default(),
            go_env: RunOutput {
                success: false,
                code: Some(1),
                stdout: Vec::new(),
                stderr: b"a\nb\nc\nd\n".to_vec(),
            },
        };
        let gathered = gather(&root, &request, &failing, &processes);
        assert_eq!(gathered.go_env, Some(Err("b / c / d".to_string())));
    }
}
