//! Per-project toolchains through the real binary: pins found by walking up (go.work,
//! go.mod, .go-version, .tool-versions, GORIG_GO_VERSION), `gorig current`, the `go`
//! shim, `gorig exec`, `use --local`, the shell hook, and GOTOOLCHAIN.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use gorig_test::{MirrorDir, Output, TestContext};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

struct World {
    ctx: TestContext,
    _mirror: MirrorDir,
    projects: PathBuf,
}

/// go1.21.13, go1.22.4 and go1.22.5 installed (go1.22.5 the default); go1.23.0 only on
/// the mirror.
fn world() -> World {
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    for version in ["go1.21.13", "go1.22.4", "go1.22.5", "go1.23.0"] {
        mirror.add_fake(version, &["amd64"]);
    }
    let dir = mirror.path().display().to_string();
    ctx.env("GORIG_MIRROR", dir).env("GORIG_ARCH", "amd64");
    ctx.run(&["install", "1.21.13", "1.22.4"]).success();
    ctx.run(&["install", "--default", "1.22.5"]).success();
    let projects = ctx.root().join("projects");
    std::fs::create_dir_all(&projects).expect("mkdir");
    World {
        ctx,
        _mirror: mirror,
        projects,
    }
}

impl World {
    fn write(&self, path: &str, text: &str) -> PathBuf {
        let full = self.projects.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(&full, text).expect("write");
        full
    }

    fn dir(&self, path: &str) -> PathBuf {
        let full = self.projects.join(path);
        std::fs::create_dir_all(&full).expect("mkdir");
        full
    }

    /// Runs `program args` in `dir` with the context's environment (PWD set too).
    fn run_in(&self, dir: &Path, program: &Path, args: &[&str]) -> Output {
        let mut command = self.ctx.program(program);
        let out = command
            .args(args)
            .current_dir(dir)
            .env("PWD", dir)
            .output()
            .expect("run");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn gorig_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.run_in(dir, Path::new(BIN), args)
    }

    /// Runs a bash script (no rc files) in the projects directory, with `$GORIG` the
    /// binary, `$P` the projects directory and the hook's stamp files in the test tree.
    fn bash(&self, script: &str) -> std::process::Output {
        let mut command = self.ctx.program("bash");
        command
            .args(["--noprofile", "--norc", "-c", script])
            .env("GORIG", BIN)
            .env("P", &self.projects)
            .env("TMPDIR", self.ctx.root())
            .current_dir(&self.projects)
            .output()
            .expect("bash")
    }

    fn shim(&self) -> PathBuf {
        self.ctx.gorig_home().join("bin/go")
    }

    fn go_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.run_in(dir, &self.shim(), args)
    }
}

#[test]
fn current_names_the_version_and_the_pin_that_chose_it() {
    let w = world();
    let plain = w.dir("plain");
    let out = w.gorig_in(&plain, &["current"]);
    out.success();
    assert_eq!(out.stdout, "go1.22.5  (the default (gorig use))\n");

    let go_mod = w.write(
        "app/go.mod",
        "module example.com/app\n\ngo 1.21\n\ntoolchain go1.22.4\n",
    );
    let deep = w.dir("app/internal/a/b/c");
    let out = w.gorig_in(&deep, &["current", "--json"]);
    out.success();
    let doc = out.json();
    assert_eq!(doc["version"], "go1.22.4");
    assert_eq!(doc["source"], "go.mod-toolchain");
    assert_eq!(doc["file"], go_mod.display().to_string());
    assert_eq!(
        doc["reason"],
        format!("go.mod toolchain line at {}", go_mod.display())
    );

    // A go line is a minimum: the default when new enough, else the newest that is.
    w.write("min/go.mod", "module m\ngo 1.22\n");
    let out = w.gorig_in(&w.dir("min"), &["current"]);
    assert!(
        out.stdout.starts_with("go1.22.5  (go.mod go line at "),
        "{out}"
    );
    w.write("old/go.mod", "module m\ngo 1.21.0\n");
    assert!(
        w.gorig_in(&w.dir("old"), &["current"])
            .stdout
            .starts_with("go1.22.5 ")
    );

    // .go-version with a series: the newest installed 1.22.x; .tool-versions from asdf.
    w.write("series/.go-version", "1.22\n");
    assert!(
        w.gorig_in(&w.dir("series"), &["current"])
            .stdout
            .starts_with("go1.22.5  (.go-version at ")
    );
    w.write("asdf/.tool-versions", "nodejs 20.11.0\ngolang 1.21.13\n");
    assert!(
        w.gorig_in(&w.dir("asdf/x"), &["current"])
            .stdout
            .starts_with("go1.21.13  (.tool-versions at ")
    );

    // A workspace above wins over the module's own go.mod, as with the go command.
    w.write(
        "ws/go.work",
        "go 1.22.0\n\ntoolchain go1.22.4\n\nuse ./mod\n",
    );
    w.write("ws/mod/go.mod", "module m\ngo 1.21\ntoolchain go1.21.13\n");
    assert!(
        w.gorig_in(&w.dir("ws/mod"), &["current"])
            .stdout
            .starts_with("go1.22.4  (go.work toolchain line at ")
    );

    // The environment beats every file.
    let mut env_out = w.ctx.command();
    let env_out = env_out
        .args(["current"])
        .current_dir(&deep)
        .env("GORIG_GO_VERSION", "1.21.13")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&env_out.stdout).starts_with("go1.21.13  (GORIG_GO_VERSION)"));
}

#[test]
fn a_pin_to_a_missing_version_says_what_to_install_or_installs_it_when_asked() {
    let mut w = world();
    let app = w.dir("future");
    w.write("future/go.mod", "module f\ngo 1.23.0\n");
    let out = w.gorig_in(&app, &["current"]);
    assert_eq!(out.code, 3, "{out}");
    assert!(
        out.stderr
            .contains("go1.23.0 is asked for by go.mod go line at"),
        "{out}"
    );
    assert!(out.stderr.contains("hint: gorig install go1.23.0"), "{out}");

    w.gorig_in(&w.dir("plain"), &["which"]).success();
    let shim = w.go_in(&app, &["version"]);
    assert_eq!(shim.code, 3, "{shim}");
    assert!(shim.stderr.contains("gorig install go1.23.0"), "{shim}");
    assert!(shim.stdout.is_empty());

    w.ctx.env("GORIG_AUTO_INSTALL", "1");
    let out = w.go_in(&app, &["version"]);
    out.success();
    assert_eq!(
        out.stdout, "go version go1.23.0 linux/amd64\n",
        "stdout is the tool's: {out}"
    );
    assert!(out.stderr.contains("gorig: installing go1.23.0"), "{out}");
    assert!(
        w.ctx
            .gorig_home()
            .join("versions/go1.23.0/bin/go")
            .is_file()
    );
}

#[test]
fn the_go_shim_runs_the_pinned_toolchain_with_gotoolchain_local() {
    let w = world();
    let link = std::fs::read_link(w.shim()).expect("install made the shim");
    assert_eq!(link, std::fs::canonicalize(BIN).expect("canonical"));
    assert!(w.ctx.gorig_home().join("bin/gofmt").exists());

    w.write("svc/go.mod", "module s\ngo 1.21\ntoolchain go1.21.13\n");
    let sub = w.dir("svc/cmd/tool");
    assert_eq!(
        w.go_in(&sub, &["version"]).stdout,
        "go version go1.21.13 linux/amd64\n"
    );
    let root = w.go_in(&sub, &["env", "GOROOT"]);
    assert_eq!(
        root.stdout.trim(),
        w.ctx
            .gorig_home()
            .join("versions/go1.21.13")
            .display()
            .to_string()
    );
    assert_eq!(w.go_in(&sub, &["env", "GOTOOLCHAIN"]).stdout, "local\n");
    let gofmt = w.run_in(&sub, &w.ctx.gorig_home().join("bin/gofmt"), &[]);
    assert_eq!(gofmt.stdout, "gofmt of go1.21.13\n");

    // A GOTOOLCHAIN the user set is left alone.
    let mut command = w.ctx.program(w.shim());
    let out = command
        .args(["env", "GOTOOLCHAIN"])
        .current_dir(&sub)
        .env("GOTOOLCHAIN", "go1.30.0+auto")
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "go1.30.0+auto\n");

    // Outside any project: the default.
    assert_eq!(
        w.go_in(&w.dir("elsewhere"), &["version"]).stdout,
        "go version go1.22.5 linux/amd64\n"
    );
}

#[test]
fn pins_are_found_along_the_path_the_user_cd_ed_through() {
    let w = world();
    // The pin sits above a symlink; the physical directory has no pin above it.
    let real = w.ctx.root().join("real/app/sub");
    std::fs::create_dir_all(&real).expect("mkdir");
    w.write("linked/.go-version", "1.21.13\n");
    std::os::unix::fs::symlink(w.ctx.root().join("real/app"), w.projects.join("linked/app"))
        .expect("symlink");
    let logical = w.projects.join("linked/app/sub");
    assert_eq!(
        w.go_in(&logical, &["version"]).stdout,
        "go version go1.21.13 linux/amd64\n"
    );
    assert_eq!(
        w.go_in(&real, &["version"]).stdout,
        "go version go1.22.5 linux/amd64\n"
    );
}

#[test]
fn exec_runs_a_command_with_a_toolchain_on_path() {
    let w = world();
    let dir = w.dir("x");
    let out = w.gorig_in(&dir, &["exec", "1.22.4", "--", "go", "version"]);
    out.success();
    assert_eq!(out.stdout, "go version go1.22.4 linux/amd64\n");
    w.write("y/.go-version", "1.21.13\n");
    let out = w.gorig_in(
        &w.dir("y"),
        &[
            "exec",
            "--",
            "sh",
            "-c",
            "go version; echo \"GOTOOLCHAIN=$GOTOOLCHAIN\"",
        ],
    );
    out.success();
    assert_eq!(
        out.stdout,
        "go version go1.21.13 linux/amd64\nGOTOOLCHAIN=local\n"
    );
    let missing = w.gorig_in(&dir, &["exec", "1.19", "--", "go", "version"]);
    assert_eq!(missing.code, 3, "{missing}");
}

#[test]
fn use_local_writes_go_version_and_keeps_an_old_one() {
    let w = world();
    let dir = w.dir("pinned");
    w.gorig_in(&dir, &["use", "--local", "1.22.4"]).success();
    assert_eq!(
        std::fs::read_to_string(dir.join(".go-version")).expect("written"),
        "1.22.4\n"
    );
    assert!(
        w.gorig_in(&dir, &["current"])
            .stdout
            .starts_with("go1.22.4  (.go-version at ")
    );
    w.gorig_in(&dir, &["use", "--local", "go1.21.13"]).success();
    assert_eq!(
        std::fs::read_to_string(dir.join(".go-version")).expect("written"),
        "1.21.13\n"
    );
    let backups: Vec<_> = std::fs::read_dir(&dir)
        .expect("list")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".go-version.gorig-backup-")
        })
        .collect();
    assert_eq!(backups.len(), 1, "one backup, named by the one scheme");
    assert_eq!(
        std::fs::read_to_string(backups[0].path()).expect("backup"),
        "1.22.4\n"
    );
    // The global default did not move.
    assert!(
        w.gorig_in(&w.dir("other"), &["current"])
            .stdout
            .starts_with("go1.22.5 ")
    );
}

#[test]
fn the_shell_hook_switches_path_when_the_directory_changes() {
    let w = world();
    w.write("a/.go-version", "1.21.13\n");
    w.write("b/go.mod", "module b\ngo 1.21\ntoolchain go1.22.4\n");
    w.write("c/go.mod", "module c\ngo 1.23.0\n");
    let script = r#"
        eval "$("$GORIG" activate bash)"
        cd "$P/a" && _gorig_hook && go version && echo "T=$GOTOOLCHAIN"
        cd "$P/b" && _gorig_hook && go version
        cd "$P/c" && _gorig_hook; go version; echo "after-missing: $? $(command -v go || echo none)"
        cd "$P" && _gorig_hook && go version
        echo "PATH entries: $(echo "$PATH" | tr ':' '\n' | grep -c gorig/versions)"
        "#;
    let out = w.bash(script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0], "go version go1.21.13 linux/amd64",
        "{stdout}{stderr}"
    );
    assert_eq!(lines[1], "T=local");
    assert_eq!(lines[2], "go version go1.22.4 linux/amd64");
    // A missing pin puts the shims first: `go` refuses with the command to run, exactly
    // as without activation.
    let shim = w.ctx.gorig_home().join("bin/go");
    assert_eq!(
        lines[3],
        format!("after-missing: 3 {}", shim.display()),
        "{stdout}{stderr}"
    );
    assert!(stderr.contains("gorig install go1.23.0"), "{stderr}");
    assert_eq!(lines[4], "go version go1.22.5 linux/amd64");
    assert_eq!(
        lines[5], "PATH entries: 1",
        "one toolchain on PATH at a time"
    );
}

#[test]
fn a_toolchain_that_links_back_to_gorig_is_refused_not_looped() {
    let w = world();
    let go = w.ctx.gorig_home().join("versions/go1.22.5/bin/go");
    std::fs::remove_file(&go).expect("rm");
    std::os::unix::fs::symlink(BIN, &go).expect("symlink");
    let out = w.go_in(&w.dir("loop"), &["version"]);
    assert_ne!(out.code, 0, "{out}");
    assert!(out.stderr.contains("gorig itself"), "{out}");
}

/// Drives an interactive shell in tmux: the prompt hook must switch `go` on `cd`.
fn interactive_hook(shell: &str, shell_args: &[&str]) {
    let w = world();
    w.write("one/.go-version", "1.21.13\n");
    w.write("two/go.mod", "module t\ngo 1.21\ntoolchain go1.22.4\n");
    let out = w.ctx.root().join("out");
    std::fs::create_dir_all(&out).expect("mkdir");
    let tmux = gorig_test::Tmux::start(&w.ctx, shell, shell_args, 200, 50);
    let lines = [
        format!("eval \"$('{BIN}' activate {shell})\""),
        format!("cd '{}'", w.projects.join("one").display()),
        format!("go version > '{}'", out.join("1").display()),
        format!("cd '{}'", w.projects.join("two").display()),
        format!("go version > '{}'", out.join("2").display()),
        format!("cd '{}'", w.projects.display()),
        format!("go version > '{}'", out.join("3").display()),
    ];
    for line in &lines {
        tmux.send(&[line.as_str(), "Enter"]);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !out.join("3").exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap_or_default();
    let results = [read("1"), read("2"), read("3")];
    drop(tmux);
    assert_eq!(
        results,
        [
            "go version go1.21.13 linux/amd64\n",
            "go version go1.22.4 linux/amd64\n",
            "go version go1.22.5 linux/amd64\n",
        ],
        "{shell}: the hook follows cd"
    );
}

#[test]
fn the_bash_prompt_hook_follows_cd_in_an_interactive_shell() {
    interactive_hook("bash", &["--noprofile", "--norc", "-i"]);
}

#[test]
fn the_zsh_prompt_hook_follows_cd_in_an_interactive_shell() {
    interactive_hook("zsh", &["-f", "-i"]);
}

#[test]
fn the_fish_hook_follows_cd() {
    let w = world();
    w.write("one/.go-version", "1.21.13\n");
    w.write("two/go.mod", "module t\ngo 1.21\ntoolchain go1.22.4\n");
    // fish runs `--on-variable PWD` handlers on cd, also when not interactive.
    let script = format!(
        "'{BIN}' activate fish | source\ncd '{one}'; go version\ncd '{two}'; go version; echo \"T=$GOTOOLCHAIN\"\ncd '{root}'; go version\n",
        one = w.projects.join("one").display(),
        two = w.projects.join("two").display(),
        root = w.projects.display(),
    );
    let mut command = w.ctx.program("fish");
    let out = command
        .args(["--no-config", "-c", &script])
        .current_dir(&w.projects)
        .output()
        .expect("fish runs (install it: apt-get install fish; scripts/test does where apt exists)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "go version go1.21.13 linux/amd64\ngo version go1.22.4 linux/amd64\nT=local\ngo version go1.22.5 linux/amd64\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_bash_hook_skips_gorig_when_nothing_changed_and_notices_edited_pins() {
    let w = world();
    w.write("a/.go-version", "1.21.13\n");
    let script = r#"
        eval "$("$GORIG" activate bash)"
        cd "$P/a" && _gorig_hook && go version
        before=$(stat -c %y "$_GORIG_STAMP")
        _gorig_hook; _gorig_hook
        after=$(stat -c %y "$_GORIG_STAMP")
        [ "$before" = "$after" ] && echo "skipped" || echo "ran again"
        echo 1.22.4 > .go-version
        _gorig_hook && go version
        "$GORIG" use 1.21.13 >/dev/null && rm .go-version && _gorig_hook && go version
        "#;
    let out = w.bash(script);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout,
        "go version go1.21.13 linux/amd64\nskipped\ngo version go1.22.4 linux/amd64\ngo version go1.21.13 linux/amd64\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_prompt_hook_installs_a_missing_pin_when_auto_install_is_on() {
    let w = world();
    w.write("new/.go-version", "1.23.0\n");
    // Off: the hook says what to run and leaves PATH alone.
    let off = w.bash(
        r#"
        eval "$("$GORIG" activate bash)"
        cd "$P/new" && _gorig_hook && go version
        "#,
    );
    let stderr = String::from_utf8_lossy(&off.stderr);
    assert!(stderr.contains("gorig install go1.23.0"), "{stderr}");
    assert!(!String::from_utf8_lossy(&off.stdout).contains("go1.23.0"));
    // On: installed on the prompt, reported on stderr, and on PATH at once.
    let on = w.bash(
        r#"
        export GORIG_AUTO_INSTALL=1
        eval "$("$GORIG" activate bash)"
        cd "$P/new" && _gorig_hook && go version
        "#,
    );
    let stdout = String::from_utf8_lossy(&on.stdout);
    let stderr = String::from_utf8_lossy(&on.stderr);
    assert_eq!(stdout, "go version go1.23.0 linux/amd64\n", "{stderr}");
    assert!(stderr.contains("gorig: installing go1.23.0"), "{stderr}");
}
