//! Go's own version test tables (`internal/gover`, `go/version`, `cmd/go/internal/gover`
//! of go1.27.3, copied into `tests/data` with their licence) run against this crate:
//! every row must give Go's answer.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::cmp::Ordering;

use gorig_version::{GoVersion, compare_gover};

/// The rows of a table file: `(kind, fields)`, comments skipped, fields split on TAB
/// with empty fields kept.
fn rows(name: &str) -> Vec<(String, Vec<String>)> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let rows: Vec<(String, Vec<String>)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let mut fields: Vec<String> = l.split('\t').map(str::to_string).collect();
            let kind = fields.remove(0);
            (kind, fields)
        })
        .collect();
    assert!(rows.len() > 5, "{path} has too few rows");
    rows
}

fn ordering(want: &str) -> Ordering {
    match want {
        "-1" => Ordering::Less,
        "0" => Ordering::Equal,
        "1" => Ordering::Greater,
        other => panic!("bad compare result {other:?}"),
    }
}

fn boolean(want: &str) -> bool {
    match want {
        "true" => true,
        "false" => false,
        other => panic!("bad boolean {other:?}"),
    }
}

/// Go's `gover.Parse` fields, "" for absent parts and for invalid input.
fn fields(v: Option<&GoVersion>) -> [String; 5] {
    match v {
        None => Default::default(),
        Some(v) => [
            v.major().to_string(),
            v.minor().to_string(),
            v.patch().map(|p| p.to_string()).unwrap_or_default(),
            v.prerelease_kind().unwrap_or("").to_string(),
            v.prerelease_number()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        ],
    }
}

/// Runs the bare-version tables (`internal/gover`, `cmd/go/internal/gover`); returns
/// how many rows were checked.
fn bare_table(name: &str) -> usize {
    let mut checked = 0;
    for (kind, f) in rows(name) {
        let parsed = |x: &str| GoVersion::parse_gover(x).ok();
        match kind.as_str() {
            "compare" => {
                assert_eq!(
                    compare_gover(&f[0], &f[1]),
                    ordering(&f[2]),
                    "{name}: Compare({:?}, {:?})",
                    f[0],
                    f[1]
                );
                assert_eq!(
                    compare_gover(&f[1], &f[0]),
                    ordering(&f[2]).reverse(),
                    "{name}: Compare({:?}, {:?})",
                    f[1],
                    f[0]
                );
            }
            "parse" => assert_eq!(
                fields(parsed(&f[0]).as_ref()).to_vec(),
                f[1..6].to_vec(),
                "{name}: Parse({:?})",
                f[0]
            ),
            "lang" => assert_eq!(
                parsed(&f[0])
                    .map(|v| v.lang_name().trim_start_matches("go").to_string())
                    .unwrap_or_default(),
                f[1],
                "{name}: Lang({:?})",
                f[0]
            ),
            "islang" => assert_eq!(
                parsed(&f[0]).is_some_and(|v| v.is_language_version()),
                boolean(&f[1]),
                "{name}: IsLang({:?})",
                f[0]
            ),
            "isvalid" => assert_eq!(
                parsed(&f[0]).is_some(),
                boolean(&f[1]),
                "{name}: IsValid({:?})",
                f[0]
            ),
            // cmd/go's Prev (the previous language version) is not something gorig
            // computes.
            "prev" => continue,
            other => panic!("{name}: unknown row kind {other}"),
        }
        checked += 1;
    }
    checked
}

#[test]
fn internal_gover_tables() {
    assert_eq!(bare_table("internal_gover.txt"), 67);
}

#[test]
fn cmd_go_gover_tables() {
    assert!(bare_table("cmd_go_gover.txt") >= 54);
}

#[test]
fn go_version_tables() {
    let mut checked = 0;
    for (kind, f) in rows("go_version.txt") {
        let parsed = |x: &str| GoVersion::parse_go_version(x);
        match kind.as_str() {
            "compare" => assert_eq!(
                parsed(&f[0]).cmp(&parsed(&f[1])),
                ordering(&f[2]),
                "version.Compare({:?}, {:?})",
                f[0],
                f[1]
            ),
            "lang" => assert_eq!(
                parsed(&f[0]).map(|v| v.lang_name()).unwrap_or_default(),
                f[1],
                "version.Lang({:?})",
                f[0]
            ),
            "isvalid" => assert_eq!(
                parsed(&f[0]).is_some(),
                boolean(&f[1]),
                "version.IsValid({:?})",
                f[0]
            ),
            other => panic!("go_version.txt: unknown row kind {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 50, "{checked}");
}

#[test]
fn from_toolchain_table() {
    let mut checked = 0;
    for (kind, f) in rows("cmd_go_gover_toolchain.txt") {
        assert_eq!(kind, "fromtoolchain");
        let want = GoVersion::parse_gover(&f[1]).ok();
        assert_eq!(
            GoVersion::from_toolchain(&f[0]),
            want,
            "FromToolchain({:?}) should be {:?}",
            f[0],
            f[1]
        );
        checked += 1;
    }
    assert!(checked >= 7);
}
