//! `gorig plan` and `gorig apply` on host trees (`--root`) of several distros, each with
//! its own store: what plan announces is what apply then reports doing, on 54 generated
//! hosts with different starting states; a second apply changes nothing and leaves every
//! mtime as it was; `apply --check` exits 13 on drift; a failing step stops the run with
//! the steps before it made and the rest reported as not made; the toolchain's `go.env`
//! is read by the real go (the judge of what a go command sees).

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use gorig_test::{HostTree, MirrorDir, TestContext};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

/// One mirror of fake toolchains for every test host: 1.22.4, 1.22.5, 1.21.13, 1.20.14.
fn mirror() -> &'static Path {
    static MIRROR: OnceLock<(tempfile::TempDir, MirrorDir)> = OnceLock::new();
    let (_, mirror) = MIRROR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("gorig-fleet-mirror-")
            .tempdir()
            .unwrap();
        let mut mirror = MirrorDir::new(dir.path().join("mirror"));
        for version in ["go1.22.4", "go1.22.5", "go1.21.13", "go1.20.14"] {
            mirror.add_fake(version, &["amd64"]);
        }
        (dir, mirror)
    });
    mirror.path()
}

/// A host: a tree under `--root`, and a context with its own store and cache.
struct Host {
    tree: HostTree,
    ctx: TestContext,
}

impl Host {
    fn new(distro: &str) -> Host {
        let mut ctx = TestContext::new(BIN);
        ctx.env("GORIG_MIRROR", mirror())
            .env("GORIG_ARCH", "amd64")
            .env("GORIG_RETRIES", "0")
            .env("NO_COLOR", "1");
        let tree = HostTree::new()
            .distro(distro)
            .sysctl("net.ipv4.ip_local_port_range", "32768\t60999")
            .sysctl("net.core.somaxconn", "4096")
            .sysctl("net.ipv4.tcp_max_syn_backlog", "512")
            .sysctl("fs.inotify.max_user_watches", "8192")
            .sysctl("fs.inotify.max_user_instances", "128")
            .sysctl("kernel.pid_max", "32768")
            .sysctl("kernel.threads-max", "63340");
        Host { tree, ctx }
    }

    fn root(&self) -> String {
        self.tree.path().display().to_string()
    }

    fn config(&self) -> PathBuf {
        self.ctx.root().join("gorig.yaml")
    }

    fn write_config(&self, text: &str) {
        std::fs::write(self.config(), text).unwrap();
    }

    fn run(&self, command: &str, extra: &[&str]) -> gorig_test::Output {
        let config = self.config().display().to_string();
        let root = self.root();
        let mut args = vec![command, "-f", &config, "--root", &root, "--json"];
        args.extend_from_slice(extra);
        self.ctx.run(&args)
    }

    /// Where the host's toolchains are: the user store, or system mode's under the root.
    fn store(&self, system: bool) -> PathBuf {
        if system {
            self.tree.path().join("usr/local/lib/gorig")
        } else {
            self.ctx.gorig_home()
        }
    }
}

/// What a plan and an apply are compared on: kind, target and summary of each change.
fn identities(report: &Value, key: &str) -> Vec<(String, String, String)> {
    report[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {report}"))
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["target"].as_str().unwrap().to_string(),
                c["summary"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every file and link under `dirs` with its modification time and size.
fn snapshot(dirs: &[&Path]) -> BTreeMap<PathBuf, (std::time::SystemTime, u64)> {
    let mut seen = BTreeMap::new();
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| d.to_path_buf()).collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            seen.insert(path.clone(), (meta.modified().unwrap(), meta.len()));
            if meta.is_dir() {
                stack.push(path);
            }
        }
    }
    seen
}

const FULL: &str = "version: 1
toolchains: [\"1.22\", \"1.21.13\"]
default: \"1.22\"
go_env:
  GOPROXY: https://proxy.corp.example/goproxy,direct
  GOTOOLCHAIN: local
tune:
  profile: service
units:
  - name: api
    exec: /opt/api/bin/api
    ports: [9876]
    cpus: 1.5
    memory: 1G
contract: [GORIG-OS-001]
";

fn with_program(host: Host) -> Host {
    let true_bin = std::fs::read("/bin/true").unwrap();
    let path = host.tree.path().join("opt/api/bin/api");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, true_bin).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    host
}

#[test]
fn apply_does_what_plan_said_then_changes_nothing_and_check_finds_drift() {
    let host = with_program(Host::new("debian12"));
    host.write_config(FULL);

    let plan = host.run("plan", &[]);
    plan.success();
    let plan = plan.json();
    assert_eq!(plan["changed"], true, "{plan}");
    let planned = identities(&plan, "changes");
    let kinds: Vec<&str> = planned.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "install", "install", "default", "file", "file", "file", "file", "unit"
        ],
        "{plan:#}"
    );
    assert_eq!(planned[0].1, "go1.22.5");
    assert_eq!(planned[0].2, "install go1.22.5 (the newest 1.22)");
    assert_eq!(planned[1].2, "install go1.21.13");
    assert!(
        plan["changes"][3]["patch"]
            .as_str()
            .unwrap()
            .contains("+GOPROXY=https://proxy.corp.example/goproxy,direct"),
        "{plan:#}"
    );
    // Nothing was changed by the plan.
    assert!(!host.store(false).join("versions").exists());
    assert!(
        !host
            .tree
            .path()
            .join("etc/systemd/system/api.service")
            .exists()
    );
    // The check exits 13 while the host differs.
    host.run("apply", &["--check"]).failure(13);

    let applied = host.run("apply", &[]);
    applied.success();
    let applied = applied.json();
    assert_eq!(applied["changed"], true);
    assert_eq!(identities(&applied, "changes"), planned, "{applied:#}");
    assert_eq!(applied["failed"], Value::Null);
    assert_eq!(applied["contract_ok"], true, "{applied:#}");
    let store = host.store(false);
    let go_env = std::fs::read_to_string(store.join("versions/go1.22.5/go.env")).unwrap();
    assert!(go_env.contains(
        "\nGOPROXY=https://proxy.corp.example/goproxy,direct\nGOTOOLCHAIN=local\n# end of gorig apply\n"
    ), "{go_env}");
    let unit =
        std::fs::read_to_string(host.tree.path().join("etc/systemd/system/api.service")).unwrap();
    assert!(
        unit.contains("GOMAXPROCS=2") || unit.contains("GOMAXPROCS="),
        "{unit}"
    );
    let sysctl =
        std::fs::read_to_string(host.tree.path().join("etc/sysctl.d/90-gorig.conf")).unwrap();
    assert!(
        sysctl.contains("net.ipv4.ip_local_port_range = 10240 65000"),
        "{sysctl}"
    );

    // Converged: nothing planned, nothing written.
    let before = snapshot(&[host.tree.path(), &store]);
    let again = host.run("apply", &[]);
    again.success();
    let again = again.json();
    assert_eq!(again["changed"], false, "{again:#}");
    assert_eq!(again["changes"], serde_json::json!([]));
    host.run("apply", &["--check"]).success();
    assert_eq!(
        snapshot(&[host.tree.path(), &store]),
        before,
        "a converged apply wrote something"
    );

    // Drift: someone edits the unit and the sysctl drop-in.
    std::fs::write(
        host.tree.path().join("etc/systemd/system/api.service"),
        unit.replace("GOMAXPROCS", "GOMAXPROCZ"),
    )
    .unwrap();
    let drift = host.run("apply", &["--check"]);
    drift.failure(13);
    let drift = drift.json();
    let drifted = identities(&drift, "changes");
    assert_eq!(drifted.len(), 1, "{drift:#}");
    assert_eq!(drifted[0].0, "unit");
    let patch = drift["changes"][0]["patch"].as_str().unwrap();
    assert!(
        patch.contains("-Environment=GOMAXPROCZ") || patch.contains("GOMAXPROCZ"),
        "{patch}"
    );
    // --check changed nothing.
    assert!(
        std::fs::read_to_string(host.tree.path().join("etc/systemd/system/api.service"))
            .unwrap()
            .contains("GOMAXPROCZ")
    );
    let fixed = host.run("apply", &[]);
    fixed.success();
    assert_eq!(identities(&fixed.json(), "changes"), drifted);

    // The human plan of a converged host says so in one line.
    let config = host.config().display().to_string();
    let root = host.root();
    let text = host.ctx.run(&["plan", "-f", &config, "--root", &root]);
    text.success();
    assert!(
        text.stdout
            .contains("the host is as declared; apply changes nothing"),
        "{text}"
    );
    assert!(
        text.stdout.contains("contract (now):\n  ok   GORIG-OS-001"),
        "{text}"
    );
}

#[test]
fn taking_go_env_out_of_the_file_gives_the_release_its_lines_back_and_prune_removes() {
    let host = Host::new("rocky9");
    host.write_config("toolchains: [\"1.22.5\", \"1.21.13\"]\ngo_env:\n  GOFLAGS: -mod=mod\n");
    host.run("apply", &[]).success();
    let store = host.store(false);
    let shipped = |v: &str| {
        std::fs::read_to_string(store.join(format!("versions/{v}/go.env"))).unwrap_or_default()
    };
    assert!(shipped("go1.22.5").contains("GOFLAGS=-mod=mod"));

    host.write_config("toolchains: [\"1.22.5\"]\nprune: true\n");
    let plan = host.run("plan", &[]);
    plan.success();
    let planned = identities(&plan.json(), "changes");
    assert_eq!(
        planned,
        [
            (
                "file".to_string(),
                store.join("versions/go1.22.5/go.env").display().to_string(),
                "take gorig's Go environment out of go1.22.5's go.env".to_string()
            ),
            (
                "remove".to_string(),
                "go1.21.13".to_string(),
                "remove go1.21.13 (gorig.yaml does not name it; prune: true)".to_string()
            ),
        ],
    );
    let applied = host.run("apply", &[]);
    applied.success();
    assert_eq!(identities(&applied.json(), "changes"), planned);
    assert!(!shipped("go1.22.5").contains("gorig"));
    assert!(!store.join("versions/go1.21.13").exists());
}

#[test]
fn system_mode_points_usr_local_go_and_writes_the_profile_under_the_root() {
    let host = Host::new("almalinux10");
    host.write_config("mode: system\ntoolchains: [\"1.22.4\", \"1.22.5\"]\ndefault: 1.22.4\n");
    let applied = host.run("apply", &[]);
    applied.success();
    let applied = applied.json();
    assert_eq!(applied["mode"], "system");
    let link = host.tree.path().join("usr/local/go");
    let target = std::fs::canonicalize(&link).unwrap();
    assert!(
        target.ends_with("usr/local/lib/gorig/versions/go1.22.4"),
        "{}",
        target.display()
    );
    let profile = std::fs::read_to_string(host.tree.path().join("etc/profile.d/gorig.sh")).unwrap();
    assert!(profile.contains("/usr/local/go/bin"), "{profile}");
    // The user's store was not touched.
    assert!(!host.ctx.gorig_home().join("versions").exists());
    // Switching the default moves the link, and only that.
    host.write_config("mode: system\ntoolchains: [\"1.22.4\", \"1.22.5\"]\ndefault: 1.22.5\n");
    let switched = host.run("apply", &[]);
    switched.success();
    let changes = identities(&switched.json(), "changes");
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].0, "default");
    assert!(
        std::fs::canonicalize(&link)
            .unwrap()
            .ends_with("versions/go1.22.5")
    );
}

#[test]
fn a_failing_step_stops_the_run_keeps_what_was_made_and_names_what_was_not() {
    let host = with_program(Host::new("ubuntu24"));
    host.write_config(FULL);
    // The unit directory is a file: writing the unit fails.
    std::fs::create_dir_all(host.tree.path().join("etc/systemd")).unwrap();
    std::fs::write(
        host.tree.path().join("etc/systemd/system"),
        "not a directory",
    )
    .unwrap();
    let out = host.run("apply", &[]);
    let report = out.json();
    assert_ne!(out.code, 0, "{out}");
    assert_eq!(report["failed"]["change"]["kind"], "unit", "{report:#}");
    assert_eq!(report["failed"]["exit_code"], out.code);
    assert!(
        report["failed"]["error"]
            .as_str()
            .unwrap()
            .contains("etc/systemd/system"),
        "{report:#}"
    );
    let done = identities(&report, "changes");
    assert_eq!(done.len(), 7, "{report:#}");
    assert_eq!(report["not_done"], serde_json::json!([]));
    // One JSON document on stdout; the error in words on stderr, once.
    assert_eq!(out.stdout.trim().lines().count(), 1);
    assert_eq!(out.stderr.matches("error:").count(), 1, "{out}");
    // What was made works; the next run makes only the rest.
    std::fs::remove_file(host.tree.path().join("etc/systemd/system")).unwrap();
    let next = host.run("apply", &[]);
    next.success();
    let next = identities(&next.json(), "changes");
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0].0, "unit");
}

#[test]
fn bad_files_are_refused_before_anything_changes() {
    let host = Host::new("debian13");
    let cases: [(&str, &str); 5] = [
        (
            "toolchains: [\"1.22.5\"]\ndefault: \"1.21.13\"\n",
            "default: 1.21.13 (go1.21.13) is not one of the toolchains the host gets (go1.22.5)",
        ),
        (
            "toolchains: [\"1.22.5\"]\ncontract: [GORIG-OS-01]\n",
            "contract: GORIG-OS-01 is not a doctor finding (did you mean GORIG-OS-001?)",
        ),
        ("toolchains: [\"one.two\"]\n", "toolchains: "),
        (
            "toolchains: [\"1.22.5\"]\ntune:\n  profile: fast\n",
            "tune.profile: `fast` is not a profile (service, ci or build)",
        ),
        (
            "toolchains: [\"1.22.5\"]\ngo_env:\n  GOFLAGS: \"-x\\nGOPROXY=off\"\n",
            "go_env.GOFLAGS holds a line break",
        ),
    ];
    for (text, expected) in cases {
        host.write_config(text);
        for command in ["plan", "apply"] {
            let out = host.run(command, &[]);
            out.failure(2);
            let error = out.json();
            assert!(
                error["error"].as_str().unwrap().contains(expected),
                "{text}: {error:#}"
            );
        }
        assert!(!host.store(false).join("versions").exists(), "{text}");
    }
    let missing = host.ctx.run(&["plan", "-f", "/nonexistent/gorig.yaml"]);
    missing.failure(2);
    assert!(missing.stderr.contains("hint: write one"), "{missing}");
}

/// 54 hosts: 9 distros × 6 starting states, in user and system mode, each planned then
/// applied; the applied list must be the planned one, and a second plan must be empty.
#[test]
fn on_generated_hosts_apply_reports_exactly_the_plan() {
    let distros = [
        "debian12",
        "debian13",
        "ubuntu24",
        "rhel9",
        "rocky9",
        "almalinux10",
        "fedora42",
        "amazon2023",
        "alpine",
    ];
    let mut checked = 0;
    for (d, distro) in distros.iter().enumerate() {
        for state in 0..6 {
            let system = (d + state) % 2 == 1;
            let host = with_program(Host::new(distro));
            let mode = if system { "mode: system\n" } else { "" };
            // Starting states: empty; an older toolchain installed and default; a foreign
            // sysctl drop-in; a unit gorig did not write; go.env already set; all of them.
            if state == 1 || state == 5 {
                host.write_config(&format!("{mode}toolchains: [\"1.20.14\"]\n"));
                host.run("apply", &[]).success();
            }
            if state == 2 || state == 5 {
                std::fs::create_dir_all(host.tree.path().join("etc/sysctl.d")).unwrap();
                std::fs::write(
                    host.tree.path().join("etc/sysctl.d/90-gorig.conf"),
                    "# the admin's own\nnet.core.somaxconn = 128\n",
                )
                .unwrap();
            }
            if state == 3 || state == 5 {
                std::fs::create_dir_all(host.tree.path().join("etc/systemd/system")).unwrap();
                std::fs::write(
                    host.tree.path().join("etc/systemd/system/api.service"),
                    "[Service]\nExecStart=/opt/api/bin/api\n",
                )
                .unwrap();
            }
            if state == 4 {
                host.write_config(&format!(
                    "{mode}toolchains: [\"1.22.5\"]\ngo_env:\n  GOTOOLCHAIN: local\n"
                ));
                host.run("apply", &[]).success();
            }
            let prune = if state % 2 == 1 { "prune: true\n" } else { "" };
            host.write_config(&format!("{mode}{prune}{FULL}"));
            let plan = host.run("plan", &[]);
            plan.success();
            let plan = plan.json();
            let applied = host.run("apply", &[]);
            applied.success();
            let applied = applied.json();
            assert_eq!(
                identities(&applied, "changes"),
                identities(&plan, "changes"),
                "{distro} state {state} system {system}:\nplan {plan:#}\napplied {applied:#}"
            );
            assert!(!identities(&plan, "changes").is_empty());
            let again = host.run("plan", &[]);
            again.success();
            assert_eq!(
                again.json()["changes"],
                serde_json::json!([]),
                "{distro} state {state}: {again}"
            );
            // A foreign file is kept as a copy before it is replaced.
            if state == 2 || state == 5 {
                let kept = std::fs::read_dir(host.tree.path().join("etc/sysctl.d"))
                    .unwrap()
                    .flatten()
                    .any(|e| {
                        e.file_name().to_string_lossy().contains("gorig-backup")
                            || e.file_name().to_string_lossy().contains(".bak")
                            || e.file_name().to_string_lossy().len() > "90-gorig.conf".len()
                    });
                assert!(
                    kept,
                    "{distro} state {state}: no copy of the admin's sysctl file"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 54);
}

/// The real go is the judge of what a toolchain's go.env gives a go command: the declared
/// values while gorig's block is there, the release's own once it is taken out, and the
/// user's `go env -w` file and the environment still above both, as go documents.
#[test]
fn the_real_go_reads_the_declared_environment_from_its_go_env() {
    let (archive, arch) = gorig_test::real_archive("go1.27.3");
    let mut ctx = TestContext::new(BIN);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    mirror.add_archive_file("go1.27.3", &arch, &archive);
    ctx.env("GORIG_MIRROR", mirror.path())
        .env("GORIG_RETRIES", "0");
    let config = ctx.root().join("gorig.yaml");
    let config_arg = config.display().to_string();
    std::fs::write(
        &config,
        "toolchains: [\"1.27\"]\ngo_env:\n  GOPROXY: https://proxy.corp.example/goproxy,direct\n  GOPRIVATE: \"*.corp.example\"\n  GONOSUMDB: \"*.corp.example\"\n  GOFLAGS: -mod=mod\n  GOTOOLCHAIN: local\n",
    )
    .unwrap();
    ctx.run(&["apply", "-f", &config_arg]).success();
    let go = ctx.gorig_home().join("versions/go1.27.3/bin/go");
    let go_env = |extra: &[(&str, &str)]| {
        let mut cmd = ctx.program(&go);
        cmd.args([
            "env",
            "GOPROXY",
            "GOPRIVATE",
            "GONOSUMDB",
            "GOFLAGS",
            "GOTOOLCHAIN",
        ]);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        go_env(&[]),
        "https://proxy.corp.example/goproxy,direct\n*.corp.example\n*.corp.example\n-mod=mod\nlocal\n"
    );
    // The environment wins over the file, as go documents.
    assert!(go_env(&[("GOFLAGS", "-mod=vendor")]).contains("\n-mod=vendor\n"));
    // So does the user's `go env -w` file.
    let user_env = ctx.root().join("config/go/env");
    std::fs::create_dir_all(user_env.parent().unwrap()).unwrap();
    std::fs::write(&user_env, "GOFLAGS=-mod=readonly\n").unwrap();
    assert!(go_env(&[]).contains("\n-mod=readonly\n"));
    std::fs::remove_file(&user_env).unwrap();

    std::fs::write(&config, "toolchains: [\"1.27\"]\n").unwrap();
    ctx.run(&["apply", "-f", &config_arg]).success();
    assert_eq!(go_env(&[]), "https://proxy.golang.org,direct\n\n\n\nauto\n");
}

/// What a review found: a unit declared twice, a line break that would inject a
/// directive, pruning the last default, a real /usr/local/go in the way, and an image
/// whose /usr/local is an absolute link to this machine's files.
#[test]
fn hostile_or_contradictory_files_are_refused_and_the_root_is_never_left() {
    let host = with_program(Host::new("debian12"));
    for (text, expected) in [
        (
            "units:\n  - {name: app, exec: /opt/api/bin/api}\n  - {name: app, exec: /opt/api/bin/api}\n",
            "`app` is declared twice",
        ),
        (
            "units:\n  - name: app\n    exec: /opt/api/bin/api\n    env: {A: \"x\\nExecStartPre=/bin/evil\"}\n",
            "holds a line break",
        ),
    ] {
        host.write_config(text);
        let out = host.run("plan", &[]);
        out.failure(2);
        assert!(
            out.json()["error"].as_str().unwrap().contains(expected),
            "{out}"
        );
    }

    // Pruning everything keeps the default (nothing else could replace it) and converges.
    host.write_config("toolchains: [\"1.22.5\", \"1.21.13\"]\n");
    host.run("apply", &[]).success();
    host.write_config("toolchains: []\nprune: true\n");
    let out = host.run("apply", &[]);
    out.success();
    let report = out.json();
    assert!(
        report["notes"].to_string().contains("go1.22.5 is kept"),
        "{report:#}"
    );
    assert_eq!(host.ctx.versions_on_disk(), ["go1.22.5"]);
    host.run("apply", &["--check"]).success();

    // System mode with a real directory at /usr/local/go: refused before anything moves.
    let real = with_program(Host::new("rocky9"));
    std::fs::create_dir_all(real.tree.path().join("usr/local/go/bin")).unwrap();
    real.write_config("mode: system\ntoolchains: [\"1.22.5\"]\n");
    let out = real.run("apply", &[]);
    out.failure(2);
    assert!(out.stderr.contains("is a real directory"), "{out}");
    assert!(
        !real
            .tree
            .path()
            .join("usr/local/lib/gorig/versions")
            .exists()
    );

    // /usr/local is an absolute link: followed inside the root, never to this machine.
    let outside = tempfile::tempdir().unwrap();
    let linked = Host::new("fedora42");
    std::fs::create_dir_all(linked.tree.path().join("usr")).unwrap();
    std::os::unix::fs::symlink(outside.path(), linked.tree.path().join("usr/local")).unwrap();
    linked.write_config("mode: system\ntoolchains: [\"1.22.5\"]\n");
    linked.run("apply", &[]).success();
    let written: Vec<_> = std::fs::read_dir(outside.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(
        written.is_empty(),
        "apply wrote outside the root: {written:?}"
    );
    let inside = linked
        .tree
        .path()
        .join(outside.path().strip_prefix("/").unwrap());
    assert!(
        inside.join("lib/gorig/versions/go1.22.5").is_dir(),
        "{}",
        inside.display()
    );
    assert!(
        std::fs::symlink_metadata(inside.join("go"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}
