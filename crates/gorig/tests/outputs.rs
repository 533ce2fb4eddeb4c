//! What every command prints: the human and the `--json` output of install, list, use,
//! which, current, uninstall, env, keys, doctor, inspect and verify (and the human output
//! of exec, activate and hook-env, which have no `--json`), run against a local mirror of
//! fake toolchains, a loopback key server and small host trees, and snapshotted with
//! insta: stdout, stderr and the exit code, with temp paths, ports, times, durations,
//! digests, the test key's fingerprints and what the live host decides filtered. JSON is
//! checked to be one document on one line (JSON lines for `install --json`) and
//! snapshotted pretty-printed.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

mod hosts;

use std::path::{Path, PathBuf};

use gorig_test::{
    Entry, Machine, MirrorDir, MockServer, Output, TestContext, TestKey, elf_with_interp, tar_gz,
};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

/// How a run's stdout is read for its snapshot.
#[derive(Clone, Copy)]
enum Form {
    /// As printed.
    Human,
    /// Exactly one JSON document (on one line), pretty-printed.
    Json,
    /// JSON lines, each pretty-printed.
    JsonLines,
}

struct World {
    ctx: TestContext,
    mirror: MirrorDir,
    /// Other temporary trees whose paths appear in output (host trees), and their names.
    others: Vec<(PathBuf, &'static str)>,
}

fn world() -> World {
    let (ctx, mirror) = gorig_test::fake_mirror_context(BIN);
    World {
        ctx,
        mirror,
        others: Vec::new(),
    }
}

/// A world with `versions` installed (the first becomes the default).
fn world_with(versions: &[&str]) -> World {
    let w = world();
    for version in versions {
        w.ctx.run(&["install", version]).success();
    }
    w
}

impl World {
    /// A directory under the root with these files.
    fn project(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.ctx.root().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        for (file, text) in files {
            std::fs::write(dir.join(file), text).expect("write");
        }
        dir
    }

    fn run_in(&self, dir: Option<&Path>, args: &[&str]) -> Output {
        let mut command = self.ctx.command();
        command.args(args);
        if let Some(dir) = dir {
            command.current_dir(dir).env("PWD", dir);
        }
        let out = command.output().expect("run gorig");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `gorig args` (in `dir` when given) and snapshots what it printed as `name`.
    fn check(&self, name: &str, form: Form, dir: Option<&Path>, args: &[&str]) -> Output {
        let out = self.run_in(dir, args);
        self.snapshot(name, form, dir, &args.join(" "), &out, None);
        out
    }

    /// Snapshots `out`, the output of `gorig args` (in `dir`), as `name`; `note` says
    /// what was left out.
    fn snapshot(
        &self,
        name: &str,
        form: Form,
        dir: Option<&Path>,
        args: &str,
        out: &Output,
        note: Option<&str>,
    ) {
        let mut shown = String::new();
        if let Some(dir) = dir {
            shown.push_str(&format!("cd {} && ", dir.display()));
        }
        shown.push_str(&format!("gorig {args}"));
        let mut text = format!("$ {shown}\nexit code: {}\n", out.code);
        if let Some(note) = note {
            text.push_str(&format!("(left out: {note})\n"));
        }
        text.push_str(&self.stdout_of(out, form));
        if !out.stderr.is_empty() {
            text.push_str(&format!("--- stderr ---\n{}", out.stderr));
        }
        snapshot(name, &self.normalise(&text), &self.normalise(&shown));
    }

    fn stdout_of(&self, out: &Output, form: Form) -> String {
        let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).expect("json") + "\n";
        match form {
            Form::Human if out.stdout.is_empty() => String::new(),
            Form::Human => format!("--- stdout ---\n{}", out.stdout),
            Form::Json => {
                let mut doc: serde_json::Value = serde_json::from_str(&out.stdout)
                    .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e})\n{out}"));
                assert_eq!(
                    out.stdout.trim_end().lines().count(),
                    1,
                    "one document on one line\n{out}"
                );
                // `keys` sorts the pinned fingerprints, and the test key's is random: sort
                // what the snapshot shows instead.
                if let Some(pinned) = doc.get_mut("pinned").and_then(|p| p.as_array_mut()) {
                    for fingerprint in pinned.iter_mut() {
                        *fingerprint = self.normalise(fingerprint.as_str().unwrap_or("")).into();
                    }
                    pinned.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                }
                format!("--- stdout (JSON, pretty-printed) ---\n{}", pretty(&doc))
            }
            Form::JsonLines => {
                let lines: Vec<String> = out.json_lines().iter().map(pretty).collect();
                assert!(!lines.is_empty(), "no JSON lines\n{out}");
                format!(
                    "--- stdout (JSON lines, each pretty-printed) ---\n{}",
                    lines.join("")
                )
            }
        }
    }

    /// Replaces what is known to differ between runs, before the filters see it.
    fn normalise(&self, text: &str) -> String {
        let mut text = text.replace(BIN, "[GORIG]");
        for (path, name) in &self.others {
            text = text.replace(&path.display().to_string(), name);
        }
        text = text.replace(&self.ctx.root().display().to_string(), "[ROOT]");
        // The shared test key is made afresh per test process.
        for (i, fingerprint) in test_key_fingerprints().iter().enumerate() {
            let name = if i == 0 {
                "TEST-KEY".to_string()
            } else {
                format!("TEST-SUBKEY-{i}")
            };
            text = text
                .replace(fingerprint, &format!("[{name}-FINGERPRINT]"))
                .replace(&fingerprint[24..], &format!("[{name}-ID]"));
        }
        text
    }
}

fn test_key_fingerprints() -> &'static [String] {
    static FINGERPRINTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    FINGERPRINTS.get_or_init(|| TestKey::shared().fingerprints())
}

/// The days this run may stamp things with: yesterday, today and tomorrow (UTC).
fn nearby_days() -> String {
    let now = gorig_fetch::signature::now_secs();
    [now - 86_400, now, now + 86_400]
        .map(|t| gorig_fetch::signature::format_time(t)[..10].to_string())
        .join("|")
}

fn snapshot(name: &str, text: &str, command: &str) {
    let days = nearby_days();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/outputs");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    settings.add_filter(r"\b[0-9a-f]{64}\b", "[SHA256]");
    settings.add_filter(r"\b[0-9a-f]{8}…[0-9a-f]{8}\b", "[SHA256-SHORT]");
    settings.add_filter(&format!(r"\b({days})T\d\d:\d\d:\d\dZ"), "[TIME]");
    settings.add_filter(&format!(r"\b({days})\b"), "[DATE]");
    // Two backups within one second get `-2`, `-3`... after the stamp.
    settings.add_filter(r"gorig-backup-\d{8}T\d{6}Z(-\d+)?", "gorig-backup-[STAMP]");
    settings.add_filter(r#""(seconds|age_seconds)": [0-9.e-]+"#, r#""$1": "[N]""#);
    // verify's table: seconds right-aligned in 7 columns after the padded command.
    settings.add_filter(r"  [ 0-9.]{7} s\n", "  [SECONDS] s\n");
    settings.add_filter(r"\b\d+(\.\d+)? ?(ms|s)\b", "[DURATION]");
    settings.add_filter(r"\b\d+(\.\d+)? ?[KMG]i?B/s\b", "[RATE]");
    settings.add_filter(r"process \d+", "process [PID]");
    settings.add_filter(r#""pid": \d+"#, r#""pid": "[PID]""#);
    // Landlock is there or not, depending on the kernel running the test.
    settings.add_filter(
        r#""sandbox": "(landlock|landlock-partial|none)""#,
        r#""sandbox": "[SANDBOX]""#,
    );
    settings.bind(|| insta::assert_snapshot!(name, text, command));
}

#[test]
fn install_fresh_already_installed_and_forced() {
    let w = world();
    let out = w.check("install", Form::Human, None, &["install", "1.22.5"]);
    out.success();
    let out = w.check("install-again", Form::Human, None, &["install", "1.22.5"]);
    out.success();
    let out = w.check(
        "install-force",
        Form::Human,
        None,
        &["install", "--force", "1.22.5"],
    );
    out.success();
    let out = w.check("install-second", Form::Human, None, &["install", "1.21.13"]);
    out.success();
}

#[test]
fn install_json_lines() {
    let w = world();
    let out = w.check(
        "install-json",
        Form::JsonLines,
        None,
        &["install", "--json", "1.22.5"],
    );
    out.success();
    let out = w.check(
        "install-again-json",
        Form::JsonLines,
        None,
        &["install", "--json", "1.22.5"],
    );
    out.success();
    let out = w.check(
        "install-force-json",
        Form::JsonLines,
        None,
        &["install", "--json", "--force", "1.22.5"],
    );
    out.success();
}

#[test]
fn list_installed_and_remote() {
    let mut w = world();
    // A prerelease newer than every stable one (shown), an old one (only with --all),
    // neither with an archive for linux/amd64.
    w.mirror.add_raw_release("go1.23rc1", Vec::new());
    w.mirror.add_raw_release("go1.21rc2", Vec::new());
    w.check("list-empty", Form::Human, None, &["list"])
        .success();
    w.check("list-empty-json", Form::Json, None, &["list", "--json"])
        .success();
    for version in ["1.22.5", "1.21.13"] {
        w.ctx.run(&["install", version]).success();
    }
    w.check("list", Form::Human, None, &["list"]).success();
    w.check("list-json", Form::Json, None, &["list", "--json"])
        .success();
    w.check("list-remote", Form::Human, None, &["list", "--remote"])
        .success();
    w.check(
        "list-remote-all",
        Form::Human,
        None,
        &["list", "--remote", "--all"],
    )
    .success();
    w.check(
        "list-remote-json",
        Form::Json,
        None,
        &["list", "--remote", "--json"],
    )
    .success();
}

#[test]
fn use_which_and_uninstall() {
    let w = world_with(&["1.22.5", "1.21.13"]);
    w.check("use", Form::Human, None, &["use", "1.21.13"])
        .success();
    w.check("use-json", Form::Json, None, &["use", "--json", "1.22"])
        .success();
    w.check("use-previous", Form::Human, None, &["use", "-"])
        .success();
    w.ctx.run(&["use", "1.22.5"]).success();

    let project = w.project("pinned", &[]);
    w.check(
        "use-local",
        Form::Human,
        Some(&project),
        &["use", "--local", "1.22"],
    )
    .success();
    // A different pin replaces the file and keeps the old one.
    w.check(
        "use-local-replace",
        Form::Human,
        Some(&project),
        &["use", "--local", "1.21.13"],
    )
    .success();
    w.check(
        "use-local-not-installed",
        Form::Human,
        Some(&project),
        &["use", "--local", "1.20"],
    )
    .success();
    let other = w.project("pinned-json", &[(".go-version", "1.21\n")]);
    w.check(
        "use-local-json",
        Form::Json,
        Some(&other),
        &["use", "--local", "--json", "1.22"],
    )
    .success();

    w.check("which", Form::Human, None, &["which"]).success();
    w.check("which-gofmt", Form::Human, None, &["which", "gofmt"])
        .success();
    w.check("which-json", Form::Json, None, &["which", "--json"])
        .success();

    w.check("uninstall", Form::Human, None, &["uninstall", "1.21.13"])
        .success();
    w.ctx.run(&["install", "1.21.13"]).success();
    w.check(
        "uninstall-json",
        Form::Json,
        None,
        &["uninstall", "--json", "1.21.13"],
    )
    .success();
}

#[test]
fn current_with_and_without_a_pin() {
    let w = world_with(&["1.22.5", "1.21.13"]);
    let plain = w.project("plain", &[]);
    w.check("current-default", Form::Human, Some(&plain), &["current"])
        .success();
    w.check(
        "current-default-json",
        Form::Json,
        Some(&plain),
        &["current", "--json"],
    )
    .success();
    let module = w.project(
        "module",
        &[(
            "go.mod",
            "module example.com/m\n\ngo 1.21\ntoolchain go1.21.13\n",
        )],
    );
    w.check("current-go-mod", Form::Human, Some(&module), &["current"])
        .success();
    w.check(
        "current-go-mod-json",
        Form::Json,
        Some(&module),
        &["current", "--json"],
    )
    .success();
    let missing = w.project("missing", &[(".go-version", "1.20.14\n")]);
    w.check(
        "current-not-installed",
        Form::Human,
        Some(&missing),
        &["current"],
    )
    .failure(3);
    w.check(
        "current-not-installed-json",
        Form::Json,
        Some(&missing),
        &["current", "--json"],
    )
    .failure(3);
}

#[test]
fn env_for_two_shells() {
    let w = world();
    // Before anything is installed it warns.
    w.check(
        "env-no-default",
        Form::Human,
        None,
        &["env", "--shell", "sh"],
    )
    .success();
    w.ctx.run(&["install", "1.22.5"]).success();
    for shell in ["sh", "fish"] {
        w.check(
            &format!("env-{shell}"),
            Form::Human,
            None,
            &["env", "--shell", shell],
        )
        .success();
        w.check(
            &format!("env-{shell}-json"),
            Form::Json,
            None,
            &["env", "--shell", shell, "--json"],
        )
        .success();
    }
    w.check(
        "env-shims",
        Form::Human,
        None,
        &["env", "--shell", "bash", "--shims"],
    )
    .success();
}

#[test]
fn exec_activate_and_hook_env() {
    let w = world_with(&["1.22.5", "1.21.13"]);
    w.check(
        "exec",
        Form::Human,
        None,
        &["exec", "1.22.5", "--", "go", "version"],
    )
    .success();
    let pinned = w.project("pinned", &[(".go-version", "1.21.13\n")]);
    w.check(
        "exec-pinned",
        Form::Human,
        Some(&pinned),
        &["exec", "--", "go", "version"],
    )
    .success();
    w.check("activate-bash", Form::Human, None, &["activate", "bash"])
        .success();
    w.check("activate-fish", Form::Human, None, &["activate", "fish"])
        .success();
    w.check(
        "hook-env-bash",
        Form::Human,
        Some(&pinned),
        &["hook-env", "bash"],
    )
    .success();
    let missing = w.project("missing", &[(".go-version", "1.20.14\n")]);
    w.check(
        "hook-env-bash-not-installed",
        Form::Human,
        Some(&missing),
        &["hook-env", "bash"],
    )
    .success();
    w.check(
        "hook-env-fish",
        Form::Human,
        Some(&pinned),
        &["hook-env", "fish"],
    )
    .success();
    // These print shell code or run a program: they have no --json.
    for args in [
        &["exec", "--json", "--", "go", "version"][..],
        &["activate", "--json", "bash"],
        &["hook-env", "--json", "bash"],
    ] {
        let out = w.ctx.run(args);
        assert_eq!(out.code, 2, "{args:?} takes no --json\n{out}");
    }
}

#[test]
fn keys_list_and_refresh_from_loopback() {
    let mut w = world();
    w.check("keys-list", Form::Human, None, &["keys", "list"])
        .success();
    w.check(
        "keys-list-json",
        Form::Json,
        None,
        &["keys", "list", "--json"],
    )
    .success();
    // The release key block on loopback: the test key (pinned, as a --keyring key is)
    // and a key nobody pinned, which is dropped.
    let served = w.ctx.root().join("keyserver");
    std::fs::create_dir_all(&served).expect("mkdir");
    let mut block = TestKey::shared().public_armored();
    block.extend(TestKey::generate(None).public_armored());
    std::fs::write(served.join("linux_signing_key.pub"), block).expect("write");
    let server = MockServer::serve_dir(&served);
    w.ctx.env(
        "GORIG_KEY_URL",
        format!("{}linux_signing_key.pub", server.url()),
    );
    w.check("keys-refresh", Form::Human, None, &["keys", "refresh"])
        .success();
    w.check(
        "keys-refresh-json",
        Form::Json,
        None,
        &["keys", "refresh", "--json"],
    )
    .success();
    w.check(
        "keys-list-after-refresh",
        Form::Human,
        None,
        &["keys", "list"],
    )
    .success();
}

#[test]
fn doctor_list_and_a_small_host_tree() {
    let mut w = world();
    w.check("doctor-list", Form::Human, None, &["doctor", "--list"])
        .success();
    w.check(
        "doctor-list-json",
        Form::Json,
        None,
        &["doctor", "--list", "--json"],
    )
    .success();
    let tree = hosts::debian12();
    let root = tree.path().canonicalize().expect("tree");
    w.others.push((root.clone(), "[HOST]"));
    w.others.push((tree.path().to_path_buf(), "[HOST]"));
    let root = root.display().to_string();
    w.check(
        "doctor-root",
        Form::Human,
        None,
        &["doctor", "--root", &root, "--only", "os,runtime"],
    );
    w.check(
        "doctor-root-json",
        Form::Json,
        None,
        &["doctor", "--root", &root, "--only", "os,runtime", "--json"],
    );
}

#[test]
fn inspect_a_small_elf_against_profiles() {
    let w = world();
    let app = w.ctx.root().join("app");
    std::fs::write(&app, elf_with_interp(Machine::X86_64, hosts::X86_LOADER)).expect("write");
    let app = app.display().to_string();
    w.check(
        "inspect",
        Form::Human,
        None,
        &["inspect", &app, "--target", "debian12,alpine"],
    )
    .failure(11);
    w.check(
        "inspect-json",
        Form::Json,
        None,
        &["inspect", &app, "--target", "debian12,alpine", "--json"],
    )
    .failure(11);
    w.check(
        "inspect-runs",
        Form::Human,
        None,
        &["inspect", &app, "--target", "debian12"],
    )
    .success();
    // Every readable file is reported, then an error for each one that is not.
    let missing = w.ctx.root().join("missing").display().to_string();
    let out = w.check(
        "inspect-one-missing",
        Form::Human,
        None,
        &["inspect", &missing, &app, "--target", "debian12"],
    );
    out.failure(3);
    assert!(out.stdout.contains("runs"), "{out}");
    let out = w.check(
        "inspect-one-missing-json",
        Form::Json,
        None,
        &["inspect", &app, &missing, "--target", "debian12", "--json"],
    );
    out.failure(3);
    // A table carries why each "won't run".
    let dir = w.ctx.root().join("bins");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::copy(w.ctx.root().join("app"), dir.join("app")).expect("copy");
    let dir = dir.display().to_string();
    let out = w.check(
        "inspect-recursive-reasons",
        Form::Human,
        None,
        &["inspect", "-r", &dir, "--target", "debian12,alpine"],
    );
    out.failure(11);
    assert!(out.stdout.contains("won't run: loader"), "{out}");
    assert!(
        out.stdout.contains("build it against musl or statically"),
        "{out}"
    );
}

/// A toolchain whose `go` answers everything verify asks (`go env -json` as JSON).
fn verifiable_toolchain(version: &str) -> Vec<u8> {
    let go = format!(
        "#!/bin/sh\n\
         GOROOT=$(cd \"$(dirname \"$0\")/..\" && pwd -P)\n\
         case \"$1\" in\n\
         version) echo \"go version {version} linux/amd64\" ;;\n\
         env) printf '{{\\n\\t\"GOROOT\": \"%s\",\\n\\t\"GOPATH\": \"%s\",\\n\\t\"GOCACHE\": \"%s\"\\n}}\\n' \"$GOROOT\" \"$HOME/go\" \"$HOME/.cache/go-build\" ;;\n\
         vet) ;;\n\
         test) echo \"ok  \texample.com/app\t(cached)\" ;;\n\
         *) echo \"fake go {version}: $*\" >&2; exit 2 ;;\n\
         esac\n"
    );
    tar_gz(&[
        Entry::dir("go/"),
        Entry::dir("go/bin/"),
        Entry::file(
            "go/VERSION",
            format!("{version}\ntime 2024-08-13T00:00:00Z\n"),
        ),
        Entry::exe("go/bin/go", go),
        Entry::exe("go/bin/gofmt", "#!/bin/sh\n"),
    ])
}

#[test]
fn verify_passing_and_failing() {
    let mut w = world();
    let bytes = verifiable_toolchain("go1.23.0");
    w.mirror.add_archives("go1.23.0", &[("amd64", &bytes)]);
    w.ctx.run(&["install", "1.22.5", "1.23.0"]).success();
    let good = w.project(
        "good",
        &[
            ("go.mod", "module example.com/app\n\ngo 1.23.0\n"),
            ("main.go", "package main\n\nfunc main() {}\n"),
        ],
    );
    w.check("verify", Form::Human, Some(&good), &["verify"])
        .success();
    w.check(
        "verify-json",
        Form::Json,
        Some(&good),
        &["verify", "--json"],
    )
    .success();
    // The stock fake answers `go env -json` with shell syntax: verify fails there.
    let bad = w.project(
        "bad",
        &[(
            "go.mod",
            "module example.com/app\n\ngo 1.22\ntoolchain go1.22.5\n",
        )],
    );
    let out = w.run_in(Some(&bad), &["verify"]);
    out.failure(10);
    let human = without_host_findings(&out);
    w.snapshot(
        "verify-fails",
        Form::Human,
        Some(&bad),
        "verify",
        &human,
        Some(HOST_FINDINGS),
    );
    let out = w.run_in(Some(&bad), &["verify", "--json"]);
    out.failure(10);
    let mut doc = out.json();
    assert!(doc["findings"].is_array(), "{out}");
    doc["findings"] = serde_json::Value::Array(Vec::new());
    let json = Output {
        stdout: doc.to_string() + "\n",
        ..out
    };
    w.snapshot(
        "verify-fails-json",
        Form::Json,
        Some(&bad),
        "verify --json",
        &json,
        Some(HOST_FINDINGS),
    );
}

/// What verify adds after a failure depends on the machine running the test.
const HOST_FINDINGS: &str = "the doctor findings of the machine running the test, if any";

/// `out` without the doctor findings of the live host (what this machine has).
fn without_host_findings(out: &Output) -> Output {
    let marker = "\nhost findings that could explain it (gorig doctor):\n";
    let stdout = match out.stdout.find(marker) {
        Some(start) => {
            let rest = &out.stdout[start + marker.len()..];
            let end = rest.find("\n\n").map_or(rest.len(), |e| e + 1);
            format!("{}{}", &out.stdout[..start], &rest[end..])
        }
        None => out.stdout.clone(),
    };
    Output {
        stdout,
        ..out.clone()
    }
}

#[test]
fn the_host_findings_section_is_left_out_whole() {
    let with = "dir with go1.22.5 (reason)\n\nFAIL  go vet ./...  0.10 s\n\n--- go vet ./... (exit 1)\n  boom\n\nhost findings that could explain it (gorig doctor):\n  WARN GORIG-BUILD-004  little free space\n      fix: free some\n\n1 of 1 steps failed\n";
    let without = "dir with go1.22.5 (reason)\n\nFAIL  go vet ./...  0.10 s\n\n--- go vet ./... (exit 1)\n  boom\n\n1 of 1 steps failed\n";
    let out = |stdout: &str| Output {
        code: 10,
        stdout: stdout.to_string(),
        stderr: String::new(),
    };
    assert_eq!(without_host_findings(&out(with)).stdout, without);
    assert_eq!(without_host_findings(&out(without)).stdout, without);
}
