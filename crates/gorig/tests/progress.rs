//! Progress as a person sees it, on terminals driven by tmux: the download bar stays on
//! one row at 40, 60 and 120 columns and on a terminal that does not say its size, claims
//! no rate before it has measured one, and is gone when the install ends or Ctrl-C stops
//! it (which leaves nothing installed and ends with the signal's status, 130); `verify`
//! prints each step's row as it ends, with a spinner and the running step's last output
//! lines below it.

// Tests build fixture trees and drive shells directly; what they write is not user
// state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::time::Duration;

use gorig_test::{Fault, MirrorDir, MockServer, TestContext, Tmux};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");
const ARCHIVE: &str = "go1.22.5.linux-amd64.tar.gz";

/// A mirror on loopback whose archive arrives in about `seconds` seconds.
fn slow_mirror(seconds: u64) -> (TestContext, MirrorDir, MockServer) {
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    mirror.add_fake("go1.22.5", &["amd64"]);
    let size = std::fs::metadata(mirror.path().join(ARCHIVE))
        .expect("archive")
        .len() as usize;
    let server = MockServer::serve_dir(mirror.path());
    let steps = seconds as usize * 10;
    server.fault(
        &format!("/{ARCHIVE}"),
        Fault::Trickle {
            bytes: size.div_ceil(steps).max(1),
            every: Duration::from_millis(100),
        },
    );
    ctx.env("GORIG_MIRROR", server.url())
        .env("GORIG_ARCH", "amd64")
        .env("GORIG_RETRIES", "0");
    (ctx, mirror, server)
}

/// An interactive bash in a `width`-column window, with gorig on PATH and `$ ` as prompt.
fn shell(ctx: &TestContext, width: u16) -> Tmux<'_> {
    let tmux = Tmux::start(ctx, "bash", &["--noprofile", "--norc", "-i"], width, 20);
    let bin_dir = Path::new(BIN)
        .parent()
        .expect("bin dir")
        .display()
        .to_string();
    tmux.send(&[
        &format!("PS1='$ '; export PATH='{bin_dir}':$PATH; clear"),
        "Enter",
    ]);
    tmux.wait_until(|screen| screen.trim() == "$");
    tmux
}

/// The rows that show the bar of the download.
fn bar_rows(screen: &str) -> Vec<&str> {
    screen
        .lines()
        .filter(|row| row.contains('[') && row.contains(']') && !row.contains("EXIT"))
        .collect()
}

/// Whether the `echo EXIT=$?` after the command has run (the command line has it too).
fn ended(screen: &str) -> bool {
    screen.lines().any(|row| row.starts_with("EXIT="))
}

/// Runs an install in a `width`-column window (after `before`, a shell command) and
/// returns every frame that showed the bar, and the last screen.
fn watch_install(width: u16, before: &str) -> (Vec<String>, String) {
    let (ctx, _mirror, _server) = slow_mirror(3);
    let tmux = shell(&ctx, width);
    tmux.send(&[
        &format!("{before}gorig install 1.22.5; echo EXIT=$?"),
        "Enter",
    ]);
    let mut frames = Vec::new();
    let last = tmux.watch_until(
        Duration::from_secs(30),
        |screen| {
            if !bar_rows(screen).is_empty() {
                frames.push(screen.to_string());
            }
        },
        ended,
    );
    (frames, last)
}

/// Every frame shows the bar on exactly one row that fits `room` columns, directly
/// under the command, with nothing after it (a wrapped bar would leave a second row).
fn assert_one_fitting_row(frames: &[String], room: usize) {
    assert!(!frames.is_empty(), "the bar was never drawn");
    for frame in frames {
        let rows: Vec<&str> = frame.lines().collect();
        let command = rows
            .iter()
            .position(|r| r.contains("gorig install"))
            .unwrap_or_else(|| panic!("the command is on screen:\n{frame}"));
        let after: Vec<&str> = rows[command + 1..]
            .iter()
            .copied()
            .filter(|r| !r.trim().is_empty())
            .collect();
        assert_eq!(after.len(), 1, "one row under the command:\n{frame}");
        assert!(
            after[0].starts_with("go1.22.5"),
            "the bar names the download:\n{frame}"
        );
        assert!(
            after[0].chars().count() <= room,
            "{} columns > {room}:\n{frame}",
            after[0].chars().count()
        );
        assert!(
            !frame.contains("0 B/s") && !frame.contains("ETA"),
            "{frame}"
        );
    }
}

fn assert_cleared_and_installed(last: &str) {
    assert!(last.contains("EXIT=0"), "{last}");
    assert!(bar_rows(last).is_empty(), "the bar was cleared:\n{last}");
    assert!(last.contains("installed go1.22.5"), "{last}");
}

#[test]
fn the_download_bar_fits_40_60_and_120_columns_and_is_cleared_at_the_end() {
    for width in [40u16, 60, 120] {
        let (frames, last) = watch_install(width, "");
        assert_one_fitting_row(&frames, usize::from(width) - 1);
        assert_cleared_and_installed(&last);
        if width == 120 {
            assert!(
                frames
                    .iter()
                    .any(|f| f.contains("/s, ") && f.contains("left")),
                "a measured rate and time left appear at 120 columns: {frames:#?}"
            );
        }
        // The first frame knows no rate yet.
        assert!(!frames[0].contains("/s"), "{}", frames[0]);
    }
}

#[test]
fn a_terminal_of_unknown_size_gets_a_narrow_bar() {
    let (frames, last) = watch_install(60, "stty cols 0 rows 0; ");
    assert_one_fitting_row(&frames, 39);
    assert_cleared_and_installed(&last);
}

#[test]
fn ctrl_c_clears_the_bar_installs_nothing_and_ends_with_the_signals_status() {
    let (ctx, _mirror, server) = slow_mirror(20);
    let tmux = shell(&ctx, 80);
    tmux.send(&["gorig install 1.22.5", "Enter"]);
    let drawn = tmux.wait_until(|screen| !bar_rows(screen).is_empty());
    assert!(!bar_rows(&drawn).is_empty(), "the bar was drawn:\n{drawn}");
    std::thread::sleep(Duration::from_millis(400));
    tmux.send(&["C-c"]);
    // bash ends the whole line when a command dies of SIGINT, so the status is asked after.
    tmux.wait_until(|screen| screen.trim_end().ends_with("\n$"));
    tmux.send(&["echo EXIT=$?", "Enter"]);
    let last = tmux.wait_until(ended);
    assert!(last.contains("EXIT=130"), "{last}");
    assert!(bar_rows(&last).is_empty(), "the bar was cleared:\n{last}");
    assert!(
        last.lines().next() == Some("$ gorig install 1.22.5"),
        "the command line above the bar is kept:\n{last}"
    );
    assert!(
        ctx.versions_on_disk().is_empty(),
        "{:?}",
        ctx.versions_on_disk()
    );
    // The next run starts clean and finishes.
    server.clear_faults();
    let again = ctx.run(&["install", "1.22.5"]);
    again.success();
    assert_eq!(ctx.versions_on_disk(), ["go1.22.5"]);
}

#[test]
fn verify_shows_each_step_as_it_ends_and_the_running_steps_output() {
    let (archive, arch) = gorig_test::real_archive("go1.26.6");
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    mirror.add_archive_file("go1.26.6", &arch, &archive);
    let server = MockServer::serve_dir(mirror.path()).with_dynamic_index();
    ctx.env("GORIG_MIRROR", server.url());
    ctx.run(&["install", "1.26.6"]).success();
    let work = ctx.root().join("work");
    let module = work.join("m");
    let files = [
        ("go.mod", "module example.com/m\n\ngo 1.22\n".to_string()),
        ("a/a.go", "package a\n".to_string()),
        (
            "a/a_test.go",
            "package a\n\nimport \"testing\"\n\nfunc TestFast(t *testing.T) {}\n".to_string(),
        ),
        ("b/b.go", "package b\n".to_string()),
        (
            "b/b_test.go",
            "package b\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestSlow(t *testing.T) { time.Sleep(4 * time.Second) }\n"
                .to_string(),
        ),
    ];
    for (path, text) in files {
        let file = module.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("dir");
        std::fs::write(file, text).expect("write");
    }
    ctx.env("GOCACHE", work.join("gocache"))
        .env("GOPATH", work.join("gopath"))
        .env("GOPROXY", "off")
        .env("CGO_ENABLED", "0");
    let tmux = shell(&ctx, 100);
    tmux.send(&[
        &format!("gorig verify {}; echo EXIT=$?", module.display()),
        "Enter",
    ]);
    let spinning = |row: &str| {
        row.starts_with(['|', '/', '-', '\\']) && row[1..].starts_with(" go test -short ./... ")
    };
    // A cold build cache on a loaded machine takes a while to reach the tests.
    let running = tmux.watch_until(
        Duration::from_secs(180),
        |_| {},
        |screen| screen.contains("example.com/m/a") && screen.lines().any(spinning),
    );
    let rows: Vec<&str> = running.lines().collect();
    let spinner = rows
        .iter()
        .position(|r| spinning(r))
        .unwrap_or_else(|| panic!("a spinner row for the running test:\n{running}"));
    for done in [
        "pass  go version",
        "pass  go env -json",
        "pass  go vet ./...",
    ] {
        let at = rows
            .iter()
            .position(|r| r.starts_with(done))
            .unwrap_or_else(|| panic!("{done} is shown while the tests run:\n{running}"));
        assert!(at < spinner, "{running}");
    }
    assert!(
        rows[spinner + 1..]
            .iter()
            .any(|r| r.starts_with("    ok") && r.contains("example.com/m/a")),
        "the finished package's line is shown under the spinner:\n{running}"
    );
    let last = tmux.watch_until(Duration::from_secs(120), |_| {}, ended);
    assert!(last.contains("EXIT=0"), "{last}");
    assert!(last.contains("all steps passed"), "{last}");
    let tests = last
        .lines()
        .filter(|r| r.contains("go test -short ./..."))
        .count();
    assert_eq!(tests, 1, "one row, no spinner left:\n{last}");
    assert!(
        last.lines()
            .any(|r| r.starts_with("pass  go test -short ./...")),
        "{last}"
    );
}
