//! What is generated from the registry stays in step with it: the README's table, the
//! config file's JSON Schema, the config file's keys, the flags, and every environment
//! variable the source reads. `GORIG_UPDATE_GENERATED=1 cargo test -p gorig-settings`
//! rewrites the generated files.

// Tests read their own environment and rewrite the generated files directly.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser};
use gorig_settings::{
    ConfigFile, GlobalArgs, OTHER_ENV, SETTINGS, config_schema, is_known_variable, markdown_table,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn update() -> bool {
    std::env::var("GORIG_UPDATE_GENERATED").is_ok_and(|v| v == "1")
}

const BEGIN: &str = "<!-- settings-table:begin -->\n";
const END: &str = "<!-- settings-table:end -->";

#[test]
fn the_readme_table_is_the_registry() {
    let path = repo().join("README.md");
    let text = std::fs::read_to_string(&path).expect("README");
    let start = text.find(BEGIN).expect("the begin marker") + BEGIN.len();
    let end = text.find(END).expect("the end marker");
    let expected = markdown_table();
    if update() {
        let new = format!("{}{expected}{}", &text[..start], &text[end..]);
        std::fs::write(&path, new).expect("write README");
        return;
    }
    assert_eq!(
        &text[start..end],
        expected,
        "README.md's settings table drifted from gorig_settings::SETTINGS; regenerate with GORIG_UPDATE_GENERATED=1 cargo test -p gorig-settings"
    );
}

#[test]
fn the_config_schema_is_the_registry() {
    let path = repo().join("docs/config.schema.json");
    let expected = format!(
        "{}\n",
        serde_json::to_string_pretty(&config_schema()).expect("json")
    );
    if update() {
        std::fs::write(&path, &expected).expect("write schema");
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "docs/config.schema.json drifted; regenerate with GORIG_UPDATE_GENERATED=1 cargo test -p gorig-settings"
    );
}

/// The field names serde knows for a struct, read by a deserializer that only asks.
fn serde_fields<'de, T: serde::Deserialize<'de>>() -> Vec<&'static str> {
    struct Ask(std::cell::RefCell<Vec<&'static str>>);
    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl serde::de::Error for Stop {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> serde::Deserializer<'de> for &Ask {
        type Error = Stop;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0.borrow_mut().extend_from_slice(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let ask = Ask(std::cell::RefCell::new(Vec::new()));
    let _ = T::deserialize(&ask);
    ask.0.into_inner()
}

#[test]
fn the_config_file_takes_exactly_the_registry_keys() {
    let fields: BTreeSet<&str> = serde_fields::<ConfigFile>().into_iter().collect();
    let registry: BTreeSet<&str> = SETTINGS
        .iter()
        .filter(|s| s.config.is_some())
        .map(|s| s.name)
        .collect();
    assert_eq!(
        fields, registry,
        "ConfigFile and the registry's config keys differ"
    );
}

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
}

#[test]
fn every_global_flag_is_in_the_registry_and_the_other_way_round() {
    let command = Cli::command();
    let flags: BTreeSet<(String, String)> = command
        .get_arguments()
        .filter_map(|a| Some((a.get_id().to_string(), format!("--{}", a.get_long()?))))
        .collect();
    let registry: BTreeSet<(String, String)> = SETTINGS
        .iter()
        .filter_map(|s| s.flag)
        .map(|(id, long)| (id.to_string(), long.to_string()))
        .collect();
    assert_eq!(flags, registry);
    let helped = gorig_settings::with_registry_help(Cli::command());
    for arg in helped.get_arguments() {
        assert!(
            arg.get_help().is_some_and(|h| !h.to_string().is_empty()),
            "--{:?} has no help",
            arg.get_long()
        );
    }
}

/// Every `env.get("X")` / `env.flag("X")` in the binary and here names a registered
/// variable (the library crates cannot read the environment: clippy.toml).
#[test]
fn every_variable_the_source_reads_is_registered() {
    let mut unknown = Vec::new();
    let mut stack = vec![
        repo().join("crates/gorig/src"),
        repo().join("crates/gorig-settings/src"),
    ];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                if !path.ends_with("tests") && !path.ends_with("target") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for marker in ["env.get(\"", "env.flag(\""] {
                for (at, _) in text.match_indices(marker) {
                    let rest = &text[at + marker.len()..];
                    let name = &rest[..rest.find('"').unwrap_or(0)];
                    if !is_known_variable(name) {
                        unknown.push(format!("{}: {name}", path.display()));
                    }
                }
            }
        }
    }
    assert!(unknown.is_empty(), "not in the registry: {unknown:#?}");
    assert!(OTHER_ENV.iter().all(|(names, _)| !names.is_empty()));
}
