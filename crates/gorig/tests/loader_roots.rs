//! `inspect --target-root` against the real dynamic loader, in real Debian roots.
//!
//! `scripts/fetch-test-roots` assembles bullseye, bookworm and trixie roots for amd64,
//! arm64 and i386 from Debian's packages (cached outside the repository);
//! `tests/data/loader/build.sh` builds C, C++ and Go programs for them (cached too);
//! `tests/data/loader/run-all.py` sets up each scenario of `scenarios.json` in a private
//! copy of its root (hard links, so the cache is never written) and runs the program with
//! the root's own loader (chroot, qemu-user for arm64). Then gorig judges the same program
//! in the same tree, and must agree: the program ran ⇔ `runs`; it failed ⇔ `won't run`,
//! naming the library or symbol version the loader named.
//!
//! Not judged, and counted: scenarios whose outcome depends on what a tree cannot tell
//! (LD_LIBRARY_PATH at run time, the CPU's glibc-hwcaps directories, a setuid program
//! started by another user).

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

use gorig_test::{real_goroot, test_cache_dir};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/loader")
        .join(path)
}

fn run_checked(command: &mut Command, what: &str, hint: &str) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{what} could not start: {e}; {hint}"));
    assert!(
        out.status.success(),
        "{what} failed ({}); {hint}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The word of the loader's first complaint that gorig must name too.
fn loader_says(stderr: &str) -> Option<String> {
    for line in stderr.lines() {
        if let Some((_, rest)) = line.split_once("version `")
            && let Some((version, _)) = rest.split_once('\'')
            && line.contains("not found")
            && !line.contains("weak version")
        {
            return Some(version.to_string());
        }
        if line.contains("cannot open shared object file") || line.contains("wrong ELF class") {
            let head = line.split(": cannot open").next().unwrap_or(line);
            let head = head.split(": wrong ELF class").next().unwrap_or(head);
            return Some(head.rsplit(": ").next().unwrap_or(head).trim().to_string());
        }
        for phrase in ["invalid ELF header", "file too short"] {
            if line.contains(phrase) {
                return Some(phrase.to_string());
            }
        }
        if line.contains("check_match") || line.contains("undefined symbol") {
            return Some("symbol versions".to_string());
        }
    }
    None
}

#[test]
fn inspect_agrees_with_the_loader_in_real_debian_roots() {
    let cache = test_cache_dir();
    let roots = cache.join("roots");
    let stamp = roots.join("trixie-arm64.stamp");
    assert!(
        stamp.is_file() && roots.join("bullseye-i386").is_dir(),
        "the Debian test roots are not in {}: run `scripts/fetch-test-roots && scripts/fetch-test-roots --dev` \
         (it downloads Debian's packages; `scripts/test` runs it), and `scripts/test-loader-deps` for the \
         cross compilers and qemu-user-static",
        roots.display()
    );
    let built = cache.join("loader-built");
    let go = real_goroot("go1.27.3").join("bin/go");
    run_checked(
        Command::new(data("build.sh"))
            .arg(&built)
            .env("GO", &go)
            .current_dir(repo()),
        "tests/data/loader/build.sh",
        "it needs the cross compilers: run scripts/test-loader-deps",
    );
    let scratch = tempfile::Builder::new()
        .prefix("gorig-loader-")
        .tempdir()
        .expect("scratch");
    let lines = run_checked(
        Command::new("python3")
            .arg(data("run-all.py"))
            .arg("--keep")
            .arg(data("scenarios.json"))
            .arg(&roots)
            .arg(&built)
            .arg(scratch.path().join("runs")),
        "tests/data/loader/run-all.py",
        "it runs the programs in chroots (root, or unshare -r) and qemu-aarch64-static",
    );
    let scenarios: Value = serde_json::from_str(
        &std::fs::read_to_string(data("scenarios.json")).expect("scenarios.json"),
    )
    .expect("json");
    let by_id = |id: &str| -> Value {
        scenarios["scenarios"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["id"] == id))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (mut agree_runs, mut agree_fails) = (0, 0);
    let mut not_judged: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut disagreements = Vec::new();
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let run: Value = serde_json::from_str(line).expect("a JSON line");
        let id = run["id"].as_str().expect("id").to_string();
        assert!(
            run["error"].is_null(),
            "{id}: harness error {}",
            run["error"]
        );
        let scenario = by_id(&id);
        let reason = if !run["skipped"].is_null() {
            Some("not run here (needs real root and a suid mount)")
        } else if scenario["cpu_dependent"] == true {
            Some("depends on the CPU (glibc-hwcaps)")
        } else if run["env"].as_object().is_some_and(|e| !e.is_empty()) {
            Some("depends on the run-time environment (LD_LIBRARY_PATH)")
        } else if !run["user"].is_null() && run["user"] != 0 {
            Some("a setuid program started by another user")
        } else {
            None
        };
        if let Some(reason) = reason {
            *not_judged.entry(reason).or_default() += 1;
            continue;
        }
        let root = run["root"].as_str().expect("root");
        let path = run["path"].as_str().expect("path");
        let exit = run["exit"].as_i64().expect("exit");
        let stderr = run["stderr"].as_str().unwrap_or("");
        let out = Command::new(BIN)
            .args(["inspect", "--json", path, "--target-root", root])
            .env("NO_COLOR", "1")
            .output()
            .expect("gorig inspect");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{id}: inspect --json: {e}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let verdict = &report["files"][0]["verdicts"][0];
        let outcome = verdict["outcome"].as_str().unwrap_or("");
        let reasons: Vec<String> = verdict["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                format!(
                    "[{}] {}",
                    r["effect"].as_str().unwrap_or(""),
                    r["message"].as_str().unwrap_or("")
                )
            })
            .collect();
        let blockers = reasons
            .iter()
            .filter(|r| r.starts_with("[blocker]"))
            .cloned()
            .collect::<Vec<_>>()
            .join(" | ");
        match (exit == 0, outcome) {
            (true, "runs") => agree_runs += 1,
            (false, "wont-run") => match loader_says(stderr) {
                Some(word) if word == "symbol versions" => {
                    if blockers.contains("symbol versions") || blockers.contains("version") {
                        agree_fails += 1;
                    } else {
                        disagreements.push(format!("{id}: loader: {stderr:?}; gorig: {blockers}"));
                    }
                }
                Some(word) if !blockers.contains(&word) => disagreements.push(format!(
                    "{id}: the loader names {word:?} ({stderr:?}); gorig: {blockers}"
                )),
                _ => agree_fails += 1,
            },
            _ => disagreements.push(format!(
                "{id}: the loader exited {exit} ({:?}); gorig says {outcome}: {}",
                stderr.lines().next().unwrap_or(""),
                reasons.join(" | ")
            )),
        }
    }
    eprintln!(
        "loader agreement: {} scenarios judged ({agree_runs} run, {agree_fails} fail, both ways), \
         {} disagreements; not judged: {not_judged:?}",
        agree_runs + agree_fails + disagreements.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "gorig inspect disagrees with the loader in {} scenarios:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(
        agree_runs >= 150 && agree_fails >= 100,
        "{agree_runs} / {agree_fails}"
    );
}
