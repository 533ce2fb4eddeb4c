//! `gorig selinux` judged by SELinux's own tools: every module it writes compiles with
//! `checkmodule -M -m` and packages with `semodule_package` (Debian's checkpolicy and
//! semodule-utils); one is linked into a copy of Debian's real policy store with
//! `semodule -i` (selinux-policy-default), so every type, class and permission it names
//! exists there; `refine` adds rules from an audit log for the service's own domain
//! only, and after the refined module is loaded, audit2allow (policycoreutils-python-utils)
//! finds each of that domain's denials allowed, while another domain's stays denied.

// Tests build fixture trees and drive programs directly; what they write is not user
// state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

use gorig_test::TestContext;

const BIN: &str = env!("CARGO_BIN_EXE_gorig");

const INSTALL: &str = "apt-get install checkpolicy semodule-utils policycoreutils-python-utils selinux-policy-default (scripts/test does)";

fn tool(dir: &Path, program: &str, args: &[&str]) -> std::process::Output {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs ({e}); install it: {INSTALL}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Writes the module for `args` into `dir` and builds NAME.pp.
fn build(ctx: &TestContext, dir: &Path, name: &str, args: &[&str]) -> serde_json::Value {
    std::fs::create_dir_all(dir).expect("dir");
    let out_dir = dir.display().to_string();
    let mut all = vec![
        "selinux",
        "--name",
        name,
        "--module",
        "--out",
        out_dir.as_str(),
        "--json",
    ];
    all.extend_from_slice(args);
    let out = ctx.run(&all);
    out.success();
    let report = out.json();
    compile(dir, name);
    report
}

fn compile(dir: &Path, name: &str) {
    tool(
        dir,
        "checkmodule",
        &[
            "-M",
            "-m",
            "-o",
            &format!("{name}.mod"),
            &format!("{name}.te"),
        ],
    );
    tool(
        dir,
        "semodule_package",
        &[
            "-o",
            &format!("{name}.pp"),
            "-m",
            &format!("{name}.mod"),
            "-f",
            &format!("{name}.fc"),
        ],
    );
}

/// A copy of the host's policy store (selinux-policy-default) under `root`.
fn policy_root(root: &Path) -> PathBuf {
    let store = Path::new("/var/lib/selinux/default");
    assert!(
        store.is_dir(),
        "Debian's policy store is missing; install it: {INSTALL}"
    );
    for (from, to) in [
        ("/var/lib/selinux/default", "var/lib/selinux"),
        ("/etc/selinux/default", "etc/selinux"),
    ] {
        let target = root.join(to);
        std::fs::create_dir_all(&target).expect("dir");
        let copied = Command::new("cp")
            .arg("-a")
            .arg(from)
            .arg(&target)
            .status()
            .expect("cp");
        assert!(copied.success());
    }
    for file in ["config", "semanage.conf"] {
        let _ = std::fs::copy(
            Path::new("/etc/selinux").join(file),
            root.join("etc/selinux").join(file),
        );
    }
    root.to_path_buf()
}

#[test]
fn every_module_compiles_and_packages() {
    let ctx = TestContext::new(BIN);
    let cases: [(&str, &[&str]); 4] = [
        ("app", &["--port", "9876", "--exec", "/opt/app/bin/app"]),
        (
            "web",
            &[
                "--port",
                "443",
                "--port",
                "8443",
                "--exec",
                "/srv/web.d/bin/web+1",
            ],
        ),
        ("worker", &[]),
        (
            "store_svc",
            &[
                "--port",
                "7000",
                "--state-dir",
                "/data/store",
                "--exec",
                "/usr/local/bin/store",
            ],
        ),
    ];
    for (name, args) in cases {
        let dir = ctx.root().join(name);
        let report = build(&ctx, &dir, name, args);
        let te = report["module"]["te"].as_str().expect("te");
        assert_eq!(
            te.contains("self:capability net_bind_service;"),
            name == "web",
            "{te}"
        );
        let commands = report["commands"].to_string();
        assert!(commands.contains("semodule -i"), "{commands}");
    }
}

#[test]
fn refine_adds_the_services_own_denials_and_the_real_policy_then_allows_them() {
    let ctx = TestContext::new(BIN);
    let dir = ctx.root().join("module");
    build(
        &ctx,
        &dir,
        "app",
        &["--port", "9876", "--exec", "/opt/app/bin/app"],
    );
    let log = dir.join("audit.log");
    std::fs::write(
        &log,
        concat!(
            "type=AVC msg=audit(1700000000.123:456): avc:  denied  { name_connect } for  pid=1234 comm=\"app\" dest=5432 scontext=system_u:system_r:app_t:s0 tcontext=system_u:object_r:postgresql_port_t:s0 tclass=tcp_socket permissive=0\n",
            "type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e syscall=42 success=no exit=-13 comm=\"app\"\n",
            "type=AVC msg=audit(1700000000.124:457): avc:  denied  { read } for  pid=1234 comm=\"app\" name=\"app.conf\" scontext=system_u:system_r:app_t:s0 tcontext=system_u:object_r:etc_t:s0 tclass=file permissive=0\n",
            "type=AVC msg=audit(1700000000.125:458): avc:  denied  { open } for  pid=1234 comm=\"app\" path=\"/etc/app.conf\" scontext=system_u:system_r:app_t:s0 tcontext=system_u:object_r:etc_t:s0 tclass=file permissive=0\n",
            "type=AVC msg=audit(1700000000.126:459): avc:  denied  { write } for  pid=99 comm=\"httpd\" scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:object_r:var_t:s0 tclass=dir permissive=0\n",
        ),
    )
    .expect("log");
    let out_dir = dir.display().to_string();
    let log_arg = log.display().to_string();
    let refine = ctx.run(&[
        "selinux", "refine", "--avc", &log_arg, "--name", "app", "--out", &out_dir,
    ]);
    refine.success();
    assert!(
        refine
            .stdout
            .contains("+allow app_t postgresql_port_t:tcp_socket { name_connect };"),
        "{refine}"
    );
    assert!(
        refine.stderr.contains("httpd_t var_t:dir { write }"),
        "another domain's denial is named, not allowed: {refine}"
    );
    let again = ctx.run(&[
        "selinux", "refine", "--avc", &log_arg, "--name", "app", "--out", &out_dir, "--json",
    ]);
    again.success();
    assert_eq!(again.json()["added"], serde_json::json!([]), "{again}");
    compile(&dir, "app");

    // Linked into Debian's real policy: every name it requires exists there.
    let root = policy_root(&ctx.root().join("policy-root"));
    tool(
        &dir,
        "semodule",
        &[
            "-p",
            root.to_str().expect("utf-8"),
            "-s",
            "default",
            "-i",
            "app.pp",
        ],
    );
    let policy = std::fs::read_dir(root.join("etc/selinux/default/policy"))
        .expect("policy dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("policy."))
        })
        .expect("a built policy");
    // audit2allow's second opinion on the refined policy.
    let opinion = tool(
        &dir,
        "audit2allow",
        &["-p", policy.to_str().expect("utf-8"), "-i", &log_arg],
    );
    let text = String::from_utf8_lossy(&opinion.stdout).into_owned();
    let app = text.split("#============= httpd_t").next().unwrap_or("");
    assert!(app.contains("app_t"), "{text}");
    for rule in app.lines().filter(|l| l.starts_with("allow ")) {
        let above = app.split(rule).next().unwrap_or("");
        assert!(
            above
                .trim_end()
                .ends_with("#!!!! This avc is allowed in the current policy"),
            "audit2allow still wants {rule} for app_t:\n{text}"
        );
    }
}

#[test]
fn the_labelling_commands_are_idempotent_and_bad_input_is_refused() {
    let ctx = TestContext::new(BIN);
    let out = ctx.run(&[
        "selinux",
        "--name",
        "app",
        "--port",
        "9876",
        "--exec",
        "/opt/app/bin/app",
        "--podman",
    ]);
    out.success();
    assert!(out.stdout.contains("semanage port -a -t http_port_t -p tcp 9876 2>/dev/null || semanage port -m -t http_port_t -p tcp 9876"), "{out}");
    assert!(out.stdout.contains("semanage fcontext -a -t bin_t /opt/app/bin/app 2>/dev/null || semanage fcontext -m -t bin_t /opt/app/bin/app"), "{out}");
    assert!(
        out.stdout.contains("restorecon -v /opt/app/bin/app"),
        "{out}"
    );
    assert!(out.stderr.contains(":Z"), "{out}");
    let out = ctx.run(&["selinux", "--name", "my-app"]);
    out.failure(2);
    assert!(out.stderr.contains("cannot name SELinux types"), "{out}");
    let out = ctx.run(&["selinux", "--exec", "bin/app"]);
    out.failure(2);
    let missing = ctx.root().join("nowhere").display().to_string();
    let out = ctx.run(&["selinux", "refine", "--avc", "/dev/null", "--out", &missing]);
    out.failure(3);
}
