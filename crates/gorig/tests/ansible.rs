//! The Ansible collection (`ansible/ansible_collections/gorig/go`) driven by the real
//! ansible-core (from PyPI, in the test tools' virtual environment) over 12 inventory
//! hosts on this machine: each a local connection with its own host tree (`--root`),
//! store (`GORIG_HOME`), bin directory and gorig.yaml, of several distros and groups. The
//! role installs this gorig from a file checked by its SHA-256, writes gorig.yaml from
//! the inventory and applies it. The second run reports no change on any host;
//! `--check --diff` on a drifted host shows the drift and changes nothing; the
//! collection's own `ansible-test sanity` and `units` pass. Wall times are printed.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use gorig_test::{HostTree, MirrorDir, MockServer, TestKey, test_cache_dir};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_gorig");
const HOSTS: usize = 12;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn venv_bin(tool: &str) -> PathBuf {
    let path = test_cache_dir().join("tools-venv/bin").join(tool);
    assert!(
        path.exists(),
        "{} is missing: run scripts/fetch-test-tools (it installs ansible-core into the test tools' venv)",
        path.display()
    );
    path
}

/// The playbook's output and how long it took.
struct Run {
    stdout: String,
    seconds: f64,
}

fn playbook(program: &Path, inventory: &Path, extra: &[&str], scratch: &Path) -> Run {
    let start = Instant::now();
    let out = Command::new(program)
        .arg("-i")
        .arg(inventory)
        .arg(repo().join("ansible/tests/converge.yml"))
        .args(extra)
        .env("ANSIBLE_COLLECTIONS_PATH", repo().join("ansible"))
        .env("ANSIBLE_LOCAL_TEMP", scratch.join("ansible-tmp"))
        .env("ANSIBLE_HOME", scratch.join("ansible-home"))
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_FORCE_COLOR", "0")
        .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
        .env("ANSIBLE_HOST_KEY_CHECKING", "0")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{} {extra:?} failed ({}):\n{stdout}\n{}",
        program.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Run {
        stdout,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// `host → changed=N` from the PLAY RECAP.
fn changed_by_host(stdout: &str) -> Vec<(String, u32)> {
    let recap = stdout
        .split("PLAY RECAP")
        .nth(1)
        .unwrap_or_else(|| panic!("no PLAY RECAP in:\n{stdout}"));
    recap
        .lines()
        .filter(|l| l.contains("changed="))
        .map(|line| {
            let host = line.split_whitespace().next().unwrap().to_string();
            let changed = line
                .split("changed=")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap();
            (host, changed)
        })
        .collect()
}

/// A mirror of fake toolchains served on loopback, and what every host's gorig needs to
/// use it (and nothing else).
struct Fleet {
    scratch: tempfile::TempDir,
    server: MockServer,
    keyring: PathBuf,
}

impl Fleet {
    fn new() -> Fleet {
        let scratch = tempfile::Builder::new()
            .prefix("gorig-ansible-")
            .tempdir()
            .unwrap();
        let mut mirror = MirrorDir::new(scratch.path().join("mirror"));
        for version in ["go1.22.4", "go1.22.5", "go1.21.13"] {
            mirror.add_fake(version, &["amd64"]);
        }
        let server = MockServer::serve_dir(mirror.path()).with_dynamic_index();
        let keyring = TestKey::shared().write_public(&scratch.path().join("test-keyring.asc"));
        Fleet {
            scratch,
            server,
            keyring,
        }
    }

    fn path(&self) -> &Path {
        self.scratch.path()
    }

    /// `count` hosts named `PREFIX00`..., every third in the group `builders`; returns the
    /// inventory file and each host's directory and tree.
    fn inventory(&self, prefix: &str, count: usize) -> (PathBuf, Vec<(PathBuf, HostTree)>) {
        let dead = MockServer::dead_url();
        let gorig_sha256 = gorig_test::sha256_hex(&std::fs::read(BIN).unwrap());
        let distros = [
            "debian12", "ubuntu24", "rhel9", "rocky9", "alpine", "fedora42",
        ];
        let mut hosts = serde_json::Map::new();
        let mut builders = serde_json::Map::new();
        let mut trees = Vec::new();
        for n in 0..count {
            let name = format!("{prefix}{n:02}");
            let dir = self.path().join(&name);
            let tree = HostTree::new()
                .distro(distros[n % distros.len()])
                .sysctl("net.ipv4.ip_local_port_range", "32768\t60999")
                .sysctl("net.core.somaxconn", "4096");
            let builder = n % 3 == 0;
            let config = json!({
                "version": 1,
                "toolchains": ["1.22"],
                "groups": {"builders": ["1.21.13"]},
                "default": "1.22",
                "go_env": {"GOPROXY": "https://proxy.corp.example/goproxy,direct", "GOTOOLCHAIN": "local"},
                "tune": {"profile": if builder { "build" } else { "service" }},
                "contract": ["GORIG-OS-001"],
            });
            hosts.insert(
                name.clone(),
                json!({
                    "gorig_src": BIN,
                    "gorig_sha256": gorig_sha256,
                    "gorig_bin_dir": dir.join("bin"),
                    "gorig_config_path": dir.join("etc/gorig.yaml"),
                    "gorig_root": tree.path(),
                    "gorig_home": dir.join("store"),
                    "gorig_config": config,
                    "gorig_environment": {
                        "GORIG_MIRROR": self.server.url(),
                        "GORIG_CACHE_DIR": self.path().join("cache"),
                        "GORIG_ARCH": "amd64",
                        "GORIG_RETRIES": "0",
                        "GORIG_KEYRING": self.keyring,
                        "GORIG_SIGNATURE_BASE": dead,
                        "GORIG_KEY_URL": format!("{dead}linux_signing_key.pub"),
                        "XDG_CONFIG_HOME": dir.join("config"),
                    },
                    "converge_expect_toolchains": if builder { json!(["go1.22.5", "go1.21.13"]) } else { json!(["go1.22.5"]) },
                    "converge_expect_default": "go1.22.5",
                }),
            );
            if builder {
                builders.insert(name, json!({}));
            }
            trees.push((dir, tree));
        }
        let inventory = self.path().join(format!("{prefix}inventory.json"));
        std::fs::write(
            &inventory,
            serde_json::to_string_pretty(&json!({
                "all": {"hosts": hosts, "children": {"builders": {"hosts": builders}}}
            }))
            .unwrap(),
        )
        .unwrap();
        (inventory, trees)
    }
}

#[test]
fn a_playbook_over_twelve_hosts_converges_then_changes_nothing_and_check_diff_shows_drift() {
    let fleet = Fleet::new();
    let scratch = fleet.path();
    let (inventory, trees) = fleet.inventory("host", HOSTS);
    let playbook = |inventory: &Path, extra: &[&str], scratch: &Path| {
        playbook(&venv_bin("ansible-playbook"), inventory, extra, scratch)
    };

    let first = playbook(&inventory, &[], scratch);
    let changed = changed_by_host(&first.stdout);
    assert_eq!(changed.len(), HOSTS, "{}", first.stdout);
    assert!(changed.iter().all(|(_, c)| *c > 0), "{changed:?}");
    for (dir, tree) in &trees {
        assert!(dir.join("bin/gorig").exists());
        assert!(dir.join("store/versions/go1.22.5/go.env").exists());
        assert!(tree.path().join("etc/sysctl.d/90-gorig.conf").exists());
    }

    let second = playbook(&inventory, &[], scratch);
    let changed = changed_by_host(&second.stdout);
    assert_eq!(changed.len(), HOSTS);
    assert!(
        changed.iter().all(|(_, c)| *c == 0),
        "the second run changed something: {changed:?}\n{}",
        second.stdout
    );

    // The module's own cost per host: the gorig module ad hoc over the converged hosts,
    // against ansible's ping over the same hosts.
    let adhoc = |module: &str, args: &str| {
        let start = Instant::now();
        let out = Command::new(venv_bin("ansible"))
            .arg("all")
            .arg("-i")
            .arg(&inventory)
            .args(["-c", "local", "-m", module])
            .args(if args.is_empty() {
                vec![]
            } else {
                vec!["-a", args]
            })
            .args([
                "-e",
                "ansible_python_interpreter={{ ansible_playbook_python }}",
            ])
            .env("ANSIBLE_COLLECTIONS_PATH", repo().join("ansible"))
            .env("ANSIBLE_LOCAL_TEMP", scratch.join("ansible-tmp"))
            .env("ANSIBLE_HOME", scratch.join("ansible-home"))
            .env("ANSIBLE_NOCOLOR", "1")
            .env("LANG", "C.UTF-8")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "ansible -m {module}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (stdout, start.elapsed().as_secs_f64())
    };
    let (module_out, module_seconds) = adhoc(
        "gorig.go.gorig",
        r#"{"config": "{{ gorig_config_path }}", "root": "{{ gorig_root }}", "home": "{{ gorig_home }}", "binary": "{{ gorig_bin_dir }}/gorig", "groups": "{{ group_names }}", "environment": "{{ gorig_environment }}"}"#,
    );
    assert_eq!(module_out.matches("SUCCESS").count(), HOSTS, "{module_out}");
    assert!(!module_out.contains("CHANGED"), "{module_out}");
    let (_, ping_seconds) = adhoc("ansible.builtin.ping", "");

    // Drift on one host: its sysctl drop-in loses gorig's port range.
    let drifted = trees[4].1.path().join("etc/sysctl.d/90-gorig.conf");
    let text = std::fs::read_to_string(&drifted).unwrap();
    let edited = text.replace("10240 65000", "32768 60999");
    assert_ne!(text, edited, "{text}");
    std::fs::write(&drifted, &edited).unwrap();
    let check = playbook(
        &inventory,
        &["--check", "--diff", "--limit", "host04"],
        scratch,
    );
    let changed = changed_by_host(&check.stdout);
    assert_eq!(changed, [("host04".to_string(), 1)], "{}", check.stdout);
    assert!(
        check
            .stdout
            .contains("-net.ipv4.ip_local_port_range = 32768 60999")
            && check
                .stdout
                .contains("+net.ipv4.ip_local_port_range = 10240 65000"),
        "--diff does not show the drift:\n{}",
        check.stdout
    );
    assert_eq!(
        std::fs::read_to_string(&drifted).unwrap(),
        edited,
        "--check changed the host"
    );
    let fix = playbook(&inventory, &["--limit", "host04"], scratch);
    assert_eq!(changed_by_host(&fix.stdout), [("host04".to_string(), 1)]);

    eprintln!("\nthe gorig module ad hoc over {HOSTS} converged hosts (forks 5, 2 CPUs)\n");
    eprintln!("| run | wall s | per host ms |");
    eprintln!("|---|---|---|");
    for (name, seconds) in [
        ("gorig.go.gorig", module_seconds),
        ("ansible.builtin.ping", ping_seconds),
    ] {
        eprintln!(
            "| {name} | {seconds:.1} | {:.0} |",
            seconds * 1000.0 / HOSTS as f64
        );
    }
    eprintln!(
        "| the module beyond ping | | {:.0} |",
        (module_seconds - ping_seconds) * 1000.0 / HOSTS as f64
    );
    eprintln!("\nthe converge playbook over {HOSTS} local hosts (forks 5, 2 CPUs)\n");
    eprintln!("| run | wall s | per host s |");
    eprintln!("|---|---|---|");
    for (name, run, hosts) in [
        ("first (install, write, apply)", &first, HOSTS),
        ("second (converged)", &second, HOSTS),
        ("--check --diff, one drifted host", &check, 1),
        ("apply on that host", &fix, 1),
    ] {
        eprintln!(
            "| {name} | {:.1} | {:.2} |",
            run.seconds,
            run.seconds / hosts as f64
        );
    }
}

/// Debian 12's ansible-core 2.14, the oldest the collection claims, converges hosts of
/// its own and finds nothing to change the second time.
#[test]
fn debian_ansible_2_14_converges_and_changes_nothing_the_second_time() {
    let program = Path::new("/usr/bin/ansible-playbook");
    let version = Command::new(program).arg("--version").output();
    assert!(
        version.is_ok_and(|v| String::from_utf8_lossy(&v.stdout).contains("core 2.14.")),
        "Debian's ansible-core 2.14 is needed in /usr/bin: apt-get install ansible-core (Debian 12)"
    );
    let fleet = Fleet::new();
    let (inventory, _trees) = fleet.inventory("old", 3);
    let first = playbook(program, &inventory, &[], fleet.path());
    let changed = changed_by_host(&first.stdout);
    assert_eq!(changed.len(), 3, "{}", first.stdout);
    assert!(changed.iter().all(|(_, c)| *c > 0), "{changed:?}");
    let second = playbook(program, &inventory, &[], fleet.path());
    let changed = changed_by_host(&second.stdout);
    assert!(
        changed.iter().all(|(_, c)| *c == 0),
        "{changed:?}\n{}",
        second.stdout
    );
}

#[test]
fn the_collection_passes_ansible_test_sanity_and_units() {
    venv_bin("ansible-test");
    let out = Command::new(repo().join("ansible/tests/run-ansible-test"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ansible/tests/run-ansible-test failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
