//! The JSON Schema of gorig.yaml is generated from the types and shipped in
//! `docs/gorig.schema.json`; this test keeps the two equal (`GORIG_UPDATE_GENERATED=1`
//! rewrites the file), loads the example `docs/gorig.example.yaml` with its include, and
//! has check-jsonschema (PyPI, installed by scripts/fetch-test-tools) validate the
//! example and reject a file with an unknown key.

// Tests read and write their own fixtures; not user state.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

#[test]
fn the_shipped_schema_is_the_one_the_types_make() {
    let generated = format!(
        "{}\n",
        serde_json::to_string_pretty(&gorig_fleet::schema()).expect("json")
    );
    let shipped = docs().join("gorig.schema.json");
    if std::env::var_os("GORIG_UPDATE_GENERATED").is_some() {
        std::fs::write(&shipped, &generated).expect("write the schema");
    }
    let on_disk = std::fs::read_to_string(&shipped).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/gorig.schema.json is out of date: run GORIG_UPDATE_GENERATED=1 cargo test -p gorig-fleet"
    );
}

#[test]
fn the_example_loads_and_check_jsonschema_accepts_it() {
    let example = docs().join("gorig.example.yaml");
    let read = |p: &Path| std::fs::read_to_string(p);
    let lookup = |name: &str| (name == "PROXY_HOST").then(|| "proxy.corp.example".to_string());
    let loaded =
        gorig_fleet::load(&example, Some("prod"), &read, &lookup).expect("the example loads");
    assert_eq!(loaded.files.len(), 2);
    assert!(loaded.desired.sources.is_some());

    let cache = std::env::var_os("GORIG_TEST_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("gorig-test")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/gorig-test")))
        .expect("a cache directory");
    let check = cache.join("tools-venv/bin/check-jsonschema");
    assert!(
        check.is_file(),
        "{} is missing: run scripts/fetch-test-tools (scripts/test does)",
        check.display()
    );
    let schema = docs().join("gorig.schema.json");
    let run = |file: &Path| {
        Command::new(&check)
            .arg("--schemafile")
            .arg(&schema)
            .arg(file)
            .output()
            .expect("check-jsonschema runs")
    };
    for file in [example, docs().join("sources.yaml")] {
        let out = run(&file);
        assert!(
            out.status.success(),
            "{}: {}{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let dir = tempfile_dir();
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "toolchain: [\"1.27\"]\n").expect("write");
    assert!(
        !run(&bad).status.success(),
        "an unknown key is refused by the schema too"
    );
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gorig-fleet-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
