//! The first hour with gorig: completions, man pages, help layout, `exec` without `--`,
//! `gorig env` in the shell that runs it, and the PATH hint, judged by the programs
//! that read them: the registration scripts parse in bash (`-n`), zsh (`-n`) and fish
//! (`--no-execute`); a TAB after `gorig use ` in interactive bash and zsh (driven in
//! tmux) offers the versions installed; the man pages pass `mandoc -T lint`; `--help`
//! puts a command's own options first and the global ones under Store, Network, Trust.

// Tests build fixture trees and drive shells directly; what they write is not user
// state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::{Command, Stdio};

use gorig_test::{MirrorDir, TestContext};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

/// A store with go1.22.5 and go1.21.13 installed from a local mirror.
fn installed() -> (TestContext, MirrorDir) {
    let (ctx, mirror) = gorig_test::fake_mirror_context(BIN);
    ctx.run(&["install", "1.22.5", "1.21.13"]).success();
    (ctx, mirror)
}

/// Runs `program args` with `script` on stdin; panics with what to install when the
/// program is missing.
fn judge(program: &str, args: &[&str], script: &str, install: &str) -> std::process::Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs ({e}); install it: {install}"));
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write the script");
    child.wait_with_output().expect("wait")
}

#[test]
fn registration_scripts_parse_in_their_shells() {
    let (ctx, _mirror) = installed();
    for (shell, program, args, install) in [
        ("bash", "bash", &["-n"][..], "apt-get install bash"),
        ("zsh", "zsh", &["-n"][..], "apt-get install zsh"),
        (
            "fish",
            "fish",
            &["--no-execute"][..],
            "apt-get install fish",
        ),
    ] {
        let out = ctx.run(&["completions", shell]);
        out.success();
        assert!(out.stdout.contains("GORIG_COMPLETE"), "{shell}: {out}");
        let parsed = judge(program, args, &out.stdout, install);
        assert!(
            parsed.status.success() && parsed.stderr.is_empty(),
            "{shell} does not parse its completions: {}",
            String::from_utf8_lossy(&parsed.stderr)
        );
    }
    let out = ctx.run(&["completions", "tcsh"]);
    assert_eq!(out.code, 2, "{out}");
}

#[test]
fn a_completion_request_is_answered_with_the_installed_versions() {
    let (ctx, _mirror) = installed();
    let ask = |index: &str, words: &[&str]| {
        let out = ctx
            .command()
            .env("GORIG_COMPLETE", "bash")
            .env("_CLAP_IFS", "\n")
            .env("_CLAP_COMPLETE_INDEX", index)
            .arg("--")
            .args(words)
            .output()
            .expect("gorig runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let versions: Vec<String> = ask("2", &["gorig", "use", ""])
        .lines()
        .filter(|l| !l.starts_with('-'))
        .map(str::to_string)
        .collect();
    assert_eq!(versions, ["1.22.5", "1.21.13"], "newest first");
    let uninstall = ask("2", &["gorig", "uninstall", "1.2"]);
    assert!(uninstall.lines().any(|l| l == "1.21.13"), "{uninstall}");
    let commands = ask("1", &["gorig", "in"]);
    assert_eq!(
        commands.lines().collect::<Vec<_>>(),
        ["install", "inspect"],
        "{commands}"
    );
}

/// Types `gorig use 1.2` and TAB twice in an interactive `shell` under tmux, and returns
/// the screen.
fn tab_in_tmux(ctx: &TestContext, shell: &str, shell_args: &[&str], setup: &str) -> String {
    let tmux = gorig_test::Tmux::start(ctx, shell, shell_args, 120, 30);
    let bin_dir = Path::new(BIN)
        .parent()
        .expect("bin dir")
        .display()
        .to_string();
    let line = format!("export PATH='{bin_dir}':$PATH; {setup}; echo READY");
    tmux.send(&[&line, "Enter"]);
    tmux.wait_for("\nREADY");
    tmux.send(&["gorig use 1.2", "Tab", "Tab"]);
    tmux.wait_for("1.21.13")
}

#[test]
fn tab_offers_the_installed_versions_in_interactive_bash_and_zsh() {
    let (ctx, _mirror) = installed();
    let bash = tab_in_tmux(
        &ctx,
        "bash",
        &["--noprofile", "--norc", "-i"],
        "source <(gorig completions bash)",
    );
    assert!(
        bash.contains("1.22.5") && bash.contains("1.21.13"),
        "bash offers both versions:\n{bash}"
    );
    let zsh = tab_in_tmux(
        &ctx,
        "zsh",
        &["-f", "-i"],
        "autoload -Uz compinit && compinit -u && source <(gorig completions zsh)",
    );
    assert!(
        zsh.contains("1.22.5") && zsh.contains("1.21.13"),
        "zsh offers both versions:\n{zsh}"
    );
}

#[test]
fn man_pages_for_every_command_pass_mandoc_lint() {
    let ctx = TestContext::new(BIN);
    let dir = ctx.root().join("man1");
    let out = ctx
        .command()
        .env("SOURCE_DATE_EPOCH", "1764547200")
        .arg("man")
        .arg(&dir)
        .output()
        .expect("gorig runs");
    assert!(out.status.success(), "{out:?}");
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .expect("the pages")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for expected in [
        "gorig.1",
        "gorig-install.1",
        "gorig-exec.1",
        "gorig-completions.1",
    ] {
        assert!(
            pages.iter().any(|p| p == expected),
            "{expected} in {pages:?}"
        );
    }
    assert!(
        !pages
            .iter()
            .any(|p| p == "gorig-hook-env.1" || p == "gorig-help.1")
    );
    for page in &pages {
        let path = dir.join(page);
        let lint = Command::new("mandoc")
            .args(["-T", "lint", "-W", "warning"])
            .arg(&path)
            .output()
            .expect("mandoc runs (install it: apt-get install mandoc; scripts/test does where apt exists)");
        assert!(
            lint.status.success() && lint.stdout.is_empty() && lint.stderr.is_empty(),
            "{page}: {}{}",
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        );
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.contains(" 2025-12-01 "),
            "{page}: the date is SOURCE_DATE_EPOCH's"
        );
    }
}

#[test]
fn exec_runs_with_or_without_the_double_dash() {
    let (ctx, _mirror) = installed();
    for args in [
        &["exec", "1.21.13", "go", "version"][..],
        &["exec", "1.21.13", "--", "go", "version"][..],
    ] {
        let out = ctx.run(args);
        out.success();
        assert_eq!(out.stdout, "go version go1.21.13 linux/amd64\n", "{args:?}");
    }
    // No version: the default (the first installed), with the command's own flags.
    let out = ctx.run(&["exec", "go", "version"]);
    out.success();
    assert_eq!(out.stdout, "go version go1.22.5 linux/amd64\n");
    let out = ctx.run(&["exec", "1.21.13"]);
    assert_eq!(out.code, 2, "{out}");
    assert!(out.stderr.contains("no command to run"), "{out}");
}

#[test]
fn help_lists_a_commands_own_options_first_and_groups_the_global_ones() {
    let ctx = TestContext::new(BIN);
    // (command, headings it shows); the others are options it never reads.
    for (command, shown) in [
        ("install", &["Store", "Network", "Trust"][..]),
        ("which", &["Store"][..]),
        ("doctor", &["Store"][..]),
        ("inspect", &[][..]),
    ] {
        let out = ctx.run(&[command, "-h"]);
        out.success();
        let at = |needle: &str| {
            out.stdout
                .find(needle)
                .unwrap_or_else(|| panic!("{command} --help has {needle}:\n{}", out.stdout))
        };
        let own = at("Options:");
        // The command's own flags are under Options, before any heading.
        let json = at("--json");
        assert!(own < json, "{}", out.stdout);
        let mut last = json;
        for heading in ["Store", "Network", "Trust"] {
            let found = out.stdout.find(&format!("\n{heading}:"));
            if shown.contains(&heading) {
                let found =
                    found.unwrap_or_else(|| panic!("{command}: {heading}:\n{}", out.stdout));
                assert!(last < found, "{heading} in order:\n{}", out.stdout);
                last = found;
            } else {
                assert!(
                    found.is_none(),
                    "{command} never reads {heading}:\n{}",
                    out.stdout
                );
            }
        }
        if shown.contains(&"Network") {
            assert!(at("--client-cert") > at("\nNetwork:"));
            assert!(at("--keyring") > at("\nTrust:"));
        } else {
            assert!(!out.stdout.contains("--client-cert"), "{}", out.stdout);
        }
        assert!(
            out.stdout.lines().count() <= 45,
            "{command} -h fits a screen: {} lines",
            out.stdout.lines().count()
        );
    }
    // Hidden, not refused: a script that passes them everywhere keeps working.
    let out = ctx.run(&["which", "--offline", "--client-cert", "/nonexistent"]);
    assert!(!out.stderr.contains("unexpected argument"), "{out}");
}

#[test]
fn env_speaks_the_language_of_the_shell_that_runs_it_not_of_shell() {
    let (ctx, _mirror) = installed();
    let current = ctx.gorig_home().join("bin").display().to_string();
    // fish started from bash keeps SHELL=/bin/bash.
    let fish = ctx
        .program("fish")
        .args(["--no-config", "-c"])
        .arg(format!("'{BIN}' env | source; and string join \\n $PATH"))
        .env("SHELL", "/bin/bash")
        .output()
        .expect("fish runs (install it: apt-get install fish)");
    let stdout = String::from_utf8_lossy(&fish.stdout);
    assert!(
        fish.status.success() && stdout.lines().any(|l| l == current),
        "fish sources what gorig env prints: {stdout}{}",
        String::from_utf8_lossy(&fish.stderr)
    );
    let bash = ctx
        .program("bash")
        .args(["--noprofile", "--norc", "-c"])
        .arg(format!("eval \"$('{BIN}' env)\" && printf %s \"$PATH\""))
        .env("SHELL", "/usr/bin/fish")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&bash.stdout);
    assert!(
        bash.status.success() && stdout.split(':').any(|l| l == current),
        "bash evaluates what gorig env prints: {stdout}{}",
        String::from_utf8_lossy(&bash.stderr)
    );
}

#[test]
fn no_path_hint_when_the_shims_are_on_path() {
    let (ctx, _mirror) = gorig_test::fake_mirror_context(BIN);
    let shims = ctx.gorig_home().join("bin").display().to_string();
    let out = ctx
        .command()
        .env("PATH", format!("{shims}:/usr/bin:/bin"))
        .args(["install", "1.22.5"])
        .output()
        .expect("gorig runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("not on PATH"), "{stderr}");
    let out = ctx.run(&["install", "1.21.13"]);
    assert!(out.stderr.contains("not on PATH"), "{out}");
}

#[test]
fn a_pin_works_in_the_recommended_set_up_and_a_shell_that_ignores_pins_is_told() {
    let (ctx, _mirror) = installed();
    let project = ctx.root().join("project");
    std::fs::create_dir_all(&project).expect("mkdir");
    // The README's set-up line, then a pin, in one shell: `go` follows the pin.
    let script = format!(
        "eval \"$('{BIN}' env)\" && cd '{dir}' && '{BIN}' use --local 1.21.13 2>&1 && go version",
        dir = project.display()
    );
    let out = ctx
        .program("bash")
        .args(["--noprofile", "--norc", "-c", &script])
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("warning"), "{stdout}");
    assert!(
        stdout.ends_with("go version go1.21.13 linux/amd64\n"),
        "{stdout}"
    );
    // The default's bin first (`gorig env --no-shims`): said plainly, with the fix.
    let current = ctx.gorig_home().join("current/bin");
    let out = ctx
        .command()
        .env("PATH", format!("{}:/usr/bin:/bin", current.display()))
        .current_dir(&project)
        .args(["use", "--local", "1.21.13"])
        .output()
        .expect("gorig runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "this shell runs {}/go, which does not follow pins",
            current.display()
        )) && stderr.contains("eval \"$(gorig env)\""),
        "{stderr}"
    );
}

#[test]
fn exec_that_installs_first_keeps_the_commands_stdout_clean() {
    let (mut ctx, _mirror) = gorig_test::fake_mirror_context(BIN);
    ctx.env("GORIG_AUTO_INSTALL", "1");
    let out = ctx.run(&["exec", "1.21.13", "go", "version"]);
    out.success();
    assert_eq!(out.stdout, "go version go1.21.13 linux/amd64\n", "{out}");
    assert!(
        out.stderr.contains("go1.21.13"),
        "the install is reported on stderr: {out}"
    );
}

#[test]
fn json_commands_print_one_document_even_when_the_index_is_stale() {
    let (mut ctx, mirror) = gorig_test::fake_mirror_context(BIN);
    let server = gorig_test::MockServer::serve_dir(mirror.path());
    ctx.env("GORIG_MIRROR", server.url());
    ctx.run(&["list", "--remote"]).success();
    // The mirror is gone and the cached index is too old: a warning, on stderr only.
    drop(server);
    ctx.env("GORIG_INDEX_TTL", "0");
    for args in [
        &["list", "--remote", "--json"][..],
        &["keys", "list", "--json"][..],
    ] {
        let out = ctx.run(args);
        out.success();
        let document = out.json();
        assert!(document.is_object(), "{args:?}: {out}");
    }
    let out = ctx.run(&["list", "--remote", "--json"]);
    assert!(
        !out.stderr.is_empty(),
        "the stale index is still said, on stderr: {out}"
    );
}
