//! Crash and concurrency safety through the real binary: `kill -9` at random moments of
//! install, uninstall and `use`, many times over, with the store checked after every
//! kill; eight installs of one version at once; a read-only store and a store gorig may
//! not write.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use gorig_test::{Fault, MirrorDir, MockServer, Output, TestContext};

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

struct World {
    ctx: TestContext,
    mirror: MirrorDir,
}

fn world() -> World {
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    for version in ["go1.21.13", "go1.22.4", "go1.22.5"] {
        mirror.add_fake(version, &["amd64"]);
    }
    let dir = mirror.path().display().to_string();
    ctx.env("GORIG_MIRROR", dir).env("GORIG_ARCH", "amd64");
    World { ctx, mirror }
}

/// A small deterministic generator, so a failing run can be repeated.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

impl World {
    fn run(&self, args: &[&str]) -> Output {
        self.ctx.run(args)
    }

    fn home(&self) -> std::path::PathBuf {
        self.ctx.gorig_home()
    }

    fn versions_on_disk(&self) -> Vec<String> {
        self.ctx.versions_on_disk()
    }

    /// Everything a user could observe must be whole: each listed version complete, the
    /// default runnable and the one the store names, `list` working.
    fn assert_consistent(&self, compile_len: u64, after: &str) {
        for name in self.versions_on_disk() {
            let dir = self.home().join("versions").join(&name);
            let compile = dir.join("pkg/tool/linux_amd64/compile");
            assert_eq!(
                std::fs::metadata(&compile).map(|m| m.len()).ok(),
                Some(compile_len),
                "{name} is listed but incomplete after {after}"
            );
            assert!(
                dir.join("bin/go").is_file(),
                "{name} lacks bin/go after {after}"
            );
        }
        let list = self.run(&["list", "--json"]);
        assert_eq!(list.code, 0, "list fails after {after}: {list}");
        let which = self.run(&["which"]);
        assert_eq!(which.code, 0, "no default after {after}: {which}");
        let go = which.stdout.trim();
        let version = Command::new(go).arg("version").output().expect("run go");
        let printed = String::from_utf8_lossy(&version.stdout);
        let default = self.run(&["list", "--json"]).json();
        let named = default["default"].as_str().unwrap_or("").to_string();
        assert!(
            printed.contains(&format!("go version {named} ")),
            "the default {named} does not run after {after}: {printed}"
        );
    }
}

#[test]
fn kill_9_at_random_moments_never_breaks_the_store() {
    let w = world();
    w.run(&["install", "1.21.13"]).success();
    w.run(&["install", "1.22.4"]).success();
    let compile_len = std::fs::metadata(
        w.home()
            .join("versions/go1.21.13/pkg/tool/linux_amd64/compile"),
    )
    .expect("installed")
    .len();

    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut kills_mid_run = 0;
    let rounds = 100;
    for round in 0..rounds {
        let installed = w.versions_on_disk().contains(&"go1.22.5".to_string());
        let args: Vec<&str> = match round % 3 {
            0 => vec!["install", "--force", "1.22.5"],
            1 if installed => vec!["uninstall", "1.22.5"],
            1 => vec!["install", "1.22.5"],
            _ => {
                if random.below(2) == 0 {
                    vec!["use", "1.22.4"]
                } else {
                    vec!["use", "1.21.13"]
                }
            }
        };
        let mut child = w
            .ctx
            .command()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(random.below(30)));
        if child.try_wait().expect("poll").is_none() {
            kills_mid_run += 1;
        }
        child.kill().expect("kill -9");
        child.wait().expect("reap");
        w.assert_consistent(
            compile_len,
            &format!("kill -9 of `gorig {}`", args.join(" ")),
        );
    }
    eprintln!("{kills_mid_run} of {rounds} kills hit a running command");
    assert!(
        kills_mid_run >= 50,
        "only {kills_mid_run} of {rounds} kills hit a running command"
    );

    // The next command cleans up whatever the kills left.
    let out = w.run(&["install", "--force", "1.22.5"]);
    out.success();
    let leftovers: Vec<_> = std::fs::read_dir(w.home().join("staging"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "staging still holds {leftovers:?}");
    let links: Vec<_> = std::fs::read_dir(w.home())
        .expect("home")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".link-"))
        .collect();
    assert!(links.is_empty(), "temporary links left: {links:?}");
    w.assert_consistent(compile_len, "the final install");
}

#[test]
fn eight_installs_at_once_download_and_unpack_once() {
    let mut w = world();
    let server = MockServer::serve_dir(w.mirror.path()).with_dynamic_index();
    w.ctx.env("GORIG_MIRROR", server.url());
    w.run(&["list", "--remote"]).success();
    let before = server.requests().len();
    // A slow mirror keeps the first install busy while the other seven start.
    server.fault(
        "/go1.22.5.linux-amd64.tar.gz",
        Fault::Trickle {
            bytes: 256 << 10,
            every: Duration::from_millis(40),
        },
    );
    let spawned: Vec<_> = (0..8)
        .map(|_| {
            w.ctx
                .command()
                .args(["install", "1.22.5"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outputs: Vec<_> = spawned
        .into_iter()
        .map(|child| child.wait_with_output().expect("wait"))
        .collect();
    for out in &outputs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stdout: Vec<String> = outputs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .collect();
    let stderr: Vec<String> = outputs
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    let unpacked = stdout
        .iter()
        .filter(|s| s.contains("installed go1.22.5 in"))
        .count();
    let already = stdout
        .iter()
        .filter(|s| s.contains("already installed"))
        .count();
    assert_eq!((unpacked, already), (1, 7), "{stdout:#?}");
    assert!(
        stderr.iter().any(|s| s.contains("waiting for")),
        "a waiting process says so: {stderr:#?}"
    );
    let downloads = server.requests()[before..]
        .iter()
        .filter(|r| r.ends_with(".tar.gz"))
        .count();
    assert_eq!(downloads, 1, "one download for eight installs");
    assert_eq!(w.versions_on_disk(), ["go1.22.5"]);
    w.assert_consistent(
        std::fs::metadata(
            w.home()
                .join("versions/go1.22.5/pkg/tool/linux_amd64/compile"),
        )
        .expect("installed")
        .len(),
        "eight concurrent installs",
    );
}

/// Runs `script` as root of a private user and mount namespace (`unshare -Urm`), where
/// the test may make mounts gorig must live with.
fn in_namespace(script: &str, args: &[&Path], w: &World) -> String {
    let mut cmd = Command::new("unshare");
    cmd.args(["-Urm", "sh", "-c", script, "sh"]);
    for arg in args {
        cmd.arg(arg);
    }
    let base = w.ctx.command();
    cmd.env_clear();
    for (key, value) in base.get_envs() {
        if let Some(value) = value {
            cmd.env(key, value);
        }
    }
    let out = cmd.output().expect("unshare (util-linux) runs");
    assert!(
        out.status.code() != Some(99),
        "could not set up the namespace: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_read_only_store_is_a_clear_error_and_the_default_keeps_working() {
    let w = world();
    w.run(&["install", "1.21.13"]).success();
    let home = w.home();
    let script = r#"
        mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99
        "$2" install 1.22.5; echo "exit=$?"
        "$2" which >/dev/null; echo "which=$?"
    "#;
    let output = in_namespace(script, &[&home, Path::new(BIN)], &w);
    assert!(output.contains("exit=6"), "{output}");
    assert!(output.contains("read-only"), "{output}");
    assert!(
        output.contains(&home.display().to_string()),
        "names the path: {output}"
    );
    assert!(output.contains("which=0"), "{output}");
    assert_eq!(w.versions_on_disk(), ["go1.21.13"]);
}

#[test]
fn a_store_gorig_may_not_write_is_a_clear_error() {
    let w = world();
    w.run(&["install", "1.21.13"]).success();
    let home = w.home();
    // As an unprivileged user in a user namespace, the store (owned by the real uid,
    // which maps to nobody there) is not writable even with its permission bits.
    let script = r#"
        chmod 0555 "$1/versions" || exit 99
        "$2" install 1.22.5; echo "exit=$?"
        chmod 0755 "$1/versions"
    "#;
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script, "sh"]).arg(&home).arg(BIN);
    let base = w.ctx.command();
    cmd.env_clear();
    for (key, value) in base.get_envs() {
        if let Some(value) = value {
            cmd.env(key, value);
        }
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let output = if is_root {
        // Root ignores permission bits; drop to a mapped non-root user with setpriv.
        let script = r#"
            chmod 0555 "$1/versions" || exit 99
            setpriv --reuid=65534 --regid=65534 --clear-groups "$2" install 1.22.5; echo "exit=$?"
            chmod 0755 "$1/versions"
        "#;
        // The binary may sit in a checkout nobody cannot enter (under /root): run a copy.
        let copy = w.ctx.root().join("gorig-copy");
        std::fs::copy(BIN, &copy).expect("copy the binary");
        let mut root_cmd = Command::new("sh");
        root_cmd.args(["-c", script, "sh"]).arg(&home).arg(&copy);
        root_cmd.env_clear();
        for (key, value) in base.get_envs() {
            if let Some(value) = value {
                root_cmd.env(key, value);
            }
        }
        // nobody must be able to reach the store's parent directories.
        make_traversable(&home);
        let out = root_cmd.output().expect("setpriv (util-linux) runs");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    } else {
        let out = cmd.output().expect("sh");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    assert!(output.contains("exit=6"), "{output}");
    assert!(output.contains("ermission denied"), "{output}");
    assert_eq!(w.versions_on_disk(), ["go1.21.13"]);
}

/// Lets any user walk down to `path` and read what is there (the test tree is private).
fn make_traversable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut current = Some(path);
    while let Some(dir) = current {
        if dir == Path::new("/") || dir == Path::new("/tmp") {
            break;
        }
        if let Ok(meta) = std::fs::metadata(dir) {
            let mode = meta.permissions().mode();
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o055));
        }
        current = dir.parent();
    }
}
