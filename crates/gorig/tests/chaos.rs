//! A bounded chaos run against one store: batches of concurrent processes installing,
//! reinstalling, removing, switching and running shims, some killed with SIGKILL at a
//! random moment, against a mirror that fails now and then. After every batch the store
//! must hold: every listed version runs, `current` and `previous` resolve or are absent,
//! a sweep leaves no staging or temporary names, every JSON document parses, and every
//! process that was not killed exited with a documented code.
//!
//! The run is reproducible: the seed is printed, and `GORIG_CHAOS_SEED=N` replays it;
//! `GORIG_CHAOS_BATCHES` makes it longer.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gorig_test::{Fault, MirrorDir, MockServer, TestContext};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");
const VERSIONS: [&str; 3] = ["go1.22.5", "go1.21.13", "go1.20.14"];
/// Exit codes a command may end with here: success, not found (a version removed by
/// another process), network (a mirror fault on every attempt), refused.
const DOCUMENTED: [i32; 4] = [0, 3, 4, 7];

/// xorshift64*: small, seeded, good enough to pick operations and delays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

enum Op {
    Install(&'static str),
    Reinstall(&'static str),
    Uninstall(&'static str),
    Use(&'static str),
    Shim,
    List,
}

impl Op {
    fn pick(rng: &mut Rng) -> Op {
        let version = VERSIONS[rng.below(VERSIONS.len() as u64) as usize];
        match rng.below(10) {
            0..=2 => Op::Install(version),
            3 => Op::Reinstall(version),
            4 | 5 => Op::Uninstall(version),
            6 => Op::Use(version),
            7 | 8 => Op::Shim,
            _ => Op::List,
        }
    }

    fn args(&self) -> Vec<String> {
        let own = |v: &str| v.to_string();
        match self {
            Op::Install(v) => vec!["install".into(), own(v)],
            Op::Reinstall(v) => vec!["install".into(), "--force".into(), own(v)],
            Op::Uninstall(v) => vec!["uninstall".into(), "--force".into(), own(v)],
            Op::Use(v) => vec!["use".into(), own(v)],
            Op::Shim => vec!["version".into()],
            Op::List => vec!["list".into(), "--json".into()],
        }
    }
}

struct Running {
    child: Child,
    what: String,
    json: bool,
    shim: bool,
    kill_at: Option<Instant>,
}

fn command(ctx: &TestContext, op: &Op) -> Command {
    let base = ctx.command();
    if !matches!(op, Op::Shim) {
        return base;
    }
    // The shim is gorig itself, reached by the name `go` in the store's bin/, with the
    // same hermetic environment.
    let mut shim = Command::new(ctx.gorig_home().join("bin/go"));
    shim.env_clear()
        .envs(
            base.get_envs()
                .filter_map(|(k, v)| Some((k.to_os_string(), v?.to_os_string()))),
        )
        .current_dir(ctx.home());
    shim
}

fn check_store(home: &Path, batch: usize, seed: u64) {
    let context = |what: String| format!("batch {batch} (seed {seed}): {what}");
    let versions = home.join("versions");
    for entry in std::fs::read_dir(&versions).into_iter().flatten().flatten() {
        let go = entry.path().join("bin/go");
        let out = Command::new(&go).arg("version").output();
        assert!(
            out.as_ref().is_ok_and(|o| o.status.success()),
            "{}",
            context(format!(
                "listed {} does not run: {out:?}",
                entry.path().display()
            ))
        );
    }
    for link in ["current", "previous"] {
        let path = home.join(link);
        if std::fs::symlink_metadata(&path).is_ok() {
            assert!(
                path.join("bin/go").is_file(),
                "{}",
                context(format!(
                    "{link} points at nothing: {:?}",
                    std::fs::read_link(&path)
                ))
            );
        }
    }
}

fn check_swept(home: &Path, batch: usize, seed: u64) {
    let staging: Vec<PathBuf> = std::fs::read_dir(home.join("staging"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(
        staging.is_empty(),
        "batch {batch} (seed {seed}): a sweep left {staging:?}"
    );
    let temporaries: Vec<String> = std::fs::read_dir(home)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".gorig-tmp-") || n.contains(".gorig-link-"))
        .collect();
    assert!(
        temporaries.is_empty(),
        "batch {batch} (seed {seed}): temporaries left: {temporaries:?}"
    );
}

#[test]
fn concurrent_operations_with_kills_keep_the_store_whole() {
    let seed = std::env::var("GORIG_CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    let batches: usize = std::env::var("GORIG_CHAOS_BATCHES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    eprintln!("chaos seed {seed} ({batches} batches); replay with GORIG_CHAOS_SEED={seed}");
    let mut rng = Rng(seed);

    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    for version in VERSIONS {
        mirror.add_fake(version, &["amd64"]);
    }
    let server = MockServer::serve_dir(mirror.path());
    ctx.env("GORIG_MIRROR", server.url())
        .env("GORIG_ARCH", "amd64")
        .env("GORIG_RETRIES", "1")
        .env("GORIG_READ_TIMEOUT", "5");
    // The first install makes the shims; later batches may remove every version.
    ctx.run(&["install", VERSIONS[0]]).success();
    let home = ctx.gorig_home();

    let mut operations = 0;
    let mut kills = 0;
    for batch in 0..batches {
        // Mirror faults: now and then an archive answers 5xx once (retried), or a few
        // times (the install fails with exit 4 and leaves nothing behind).
        server.clear_faults();
        if rng.below(3) == 0 {
            let version = VERSIONS[rng.below(VERSIONS.len() as u64) as usize];
            let times = 1 + rng.below(3) as usize;
            server.fault_times(
                &format!("/{version}.linux-amd64.tar.gz"),
                Fault::Status(503),
                times,
            );
        }
        let mut running = Vec::new();
        for _ in 0..(4 + rng.below(5)) {
            let op = Op::pick(&mut rng);
            let mut cmd = command(&ctx, &op);
            cmd.args(op.args())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let child = cmd.spawn().expect("spawn");
            let kill_at = (rng.below(3) == 0)
                .then(|| Instant::now() + Duration::from_millis(5 + rng.below(60)));
            running.push(Running {
                child,
                what: op.args().join(" "),
                json: matches!(op, Op::List),
                shim: matches!(op, Op::Shim),
                kill_at,
            });
            operations += 1;
        }
        for run in &mut running {
            if let Some(at) = run.kill_at {
                if let Some(wait) = at.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                if run.child.try_wait().ok().flatten().is_none() {
                    let _ = run.child.kill();
                    kills += 1;
                }
            }
        }
        for run in running {
            let killed = run.kill_at.is_some();
            let out = run.child.wait_with_output().expect("wait");
            let code = out.status.code();
            if killed && code.is_none() {
                continue;
            }
            let code = code.unwrap_or(-1);
            let stderr = String::from_utf8_lossy(&out.stderr);
            if run.shim {
                // The default may be gone (3) or the shim removed with it; what runs
                // must be a real toolchain's answer.
                if code == 0 {
                    assert!(
                        String::from_utf8_lossy(&out.stdout).starts_with("go version go1."),
                        "batch {batch}: `go version` printed {out:?}"
                    );
                }
                continue;
            }
            assert!(
                DOCUMENTED.contains(&code),
                "batch {batch} (seed {seed}): `gorig {}` exited {code}:\n{stderr}",
                run.what
            );
            if run.json && code == 0 {
                let text = String::from_utf8_lossy(&out.stdout);
                let parsed: Result<serde_json::Value, _> = serde_json::from_str(text.trim());
                assert!(
                    parsed.is_ok(),
                    "batch {batch}: `gorig {}` printed not one JSON document: {text}",
                    run.what
                );
            }
        }
        check_store(&home, batch, seed);
        // A run that can take every lock sweeps what killed runs left.
        let swept = ctx.run(&["uninstall", "--force", "go1.19.13"]);
        assert_eq!(swept.code, 3, "nothing to remove, but a sweep: {swept}");
        check_store(&home, batch, seed);
        check_swept(&home, batch, seed);
    }
    eprintln!("chaos: {operations} operations in {batches} batches, {kills} killed mid-run");
    assert!(operations >= 3 * batches);
}
