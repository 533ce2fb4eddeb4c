//! The change list of `gorig plan` and `gorig apply`, and the pure rules behind it: which
//! toolchains a host in some groups wants, the text of a toolchain's `go.env` with the
//! declared Go environment in it, unified diffs of files, and the contract's finding ids
//! checked against the ones doctor knows. `plan` prints the list; `apply` makes the same
//! changes in the same order and reports the ones it made, so the two can be compared.

use serde::Serialize;

use crate::{Desired, GoEnv};

/// What one change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Download, verify and publish a toolchain.
    Install,
    /// Remove a toolchain the file no longer names (`prune: true`).
    Remove,
    /// Make a toolchain the default (and, in system mode, `/usr/local/go` and profile.d).
    Default,
    /// Write a file: a toolchain's `go.env`, a sysctl or limits drop-in.
    File,
    /// Write a systemd unit.
    Unit,
    /// Tell the live host: `systemctl daemon-reload`, `sysctl -p FILE`.
    Reload,
}

/// A file's text before and after a change (`""` when it is absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub before: String,
    pub after: String,
}

/// One change to the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// A version (`go1.27.3`), a path, or a command.
    pub target: String,
    /// One line for people: what and why.
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<Diff>,
    /// The diff as a unified patch (files and units only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
}

impl Change {
    pub fn new(kind: ChangeKind, target: impl Into<String>, summary: impl Into<String>) -> Self {
        Change {
            kind,
            target: target.into(),
            summary: summary.into(),
            diff: None,
            patch: None,
        }
    }

    /// A file change with its texts; the patch names the file as `target`.
    pub fn file(
        kind: ChangeKind,
        target: impl Into<String>,
        summary: impl Into<String>,
        before: &str,
        after: &str,
    ) -> Self {
        let target = target.into();
        let patch = unified_patch(&target, before, after);
        Change {
            kind,
            summary: summary.into(),
            diff: Some(Diff {
                before: before.to_string(),
                after: after.to_string(),
            }),
            patch: Some(patch),
            target,
        }
    }

    /// What comparing a plan with what was applied looks at: everything but the texts,
    /// which for a toolchain not yet installed are only known once it is.
    pub fn identity(&self) -> (ChangeKind, &str, &str) {
        (self.kind, &self.target, &self.summary)
    }
}

/// A unified diff of `before` and `after` with three lines of context (`--- a/PATH`).
pub fn unified_patch(path: &str, before: &str, after: &str) -> String {
    let diff = similar::TextDiff::from_lines(before, after);
    let shown = path.trim_start_matches('/');
    let mut out = String::new();
    let old = if before.is_empty() {
        "/dev/null".to_string()
    } else {
        format!("a/{shown}")
    };
    let new = if after.is_empty() {
        "/dev/null".to_string()
    } else {
        format!("b/{shown}")
    };
    out.push_str(
        &diff
            .unified_diff()
            .context_radius(3)
            .missing_newline_hint(true)
            .header(&old, &new)
            .to_string(),
    );
    out
}

/// The toolchain requests a host in `groups` wants, in order, each once: the file's
/// `toolchains`, then each named group's.
pub fn wanted_toolchains(desired: &Desired, groups: &[String]) -> Vec<String> {
    let mut wanted: Vec<String> = Vec::new();
    let mut add = |request: &String| {
        if !wanted.contains(request) {
            wanted.push(request.clone());
        }
    };
    desired.toolchains.iter().flatten().for_each(&mut add);
    if let Some(by_group) = &desired.groups {
        for group in groups {
            by_group.get(group).into_iter().flatten().for_each(&mut add);
        }
    }
    wanted
}

/// The first line of the block gorig writes into a toolchain's `go.env`.
pub const GO_ENV_BEGIN: &str =
    "# gorig apply: the Go environment of gorig.yaml (these lines override the ones below)";
/// The block's last line.
pub const GO_ENV_END: &str = "# end of gorig apply";

/// The declared variables, in a fixed order, with the values they get.
pub fn go_env_pairs(env: &GoEnv) -> Vec<(&'static str, &str)> {
    [
        ("GOPROXY", &env.GOPROXY),
        ("GOPRIVATE", &env.GOPRIVATE),
        ("GONOSUMDB", &env.GONOSUMDB),
        ("GOFLAGS", &env.GOFLAGS),
        ("GOTOOLCHAIN", &env.GOTOOLCHAIN),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
    .collect()
}

/// A value go's env file cannot hold: a line break ends the line, so the rest would be
/// read as a variable of its own.
pub fn go_env_value_problem(name: &str, value: &str) -> Option<String> {
    value
        .contains(['\n', '\r'])
        .then(|| format!("go_env.{name} holds a line break, which go's env file cannot hold"))
}

/// `existing` (a toolchain's `go.env`) with gorig's block replaced by one holding `pairs`,
/// or removed when `pairs` is empty. For a variable set twice, go takes the first line
/// (checked against the real go in `tests/fleet.rs`), so the block goes at the top and
/// the release's own lines below stay as shipped.
pub fn go_env_content(existing: &str, pairs: &[(&str, &str)]) -> String {
    let mut kept = String::new();
    let mut inside = false;
    for line in existing.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if !inside && bare == GO_ENV_BEGIN {
            inside = true;
            continue;
        }
        if inside {
            if bare == GO_ENV_END {
                inside = false;
            }
            continue;
        }
        kept.push_str(line);
    }
    if pairs.is_empty() {
        return kept;
    }
    let mut out = String::new();
    out.push_str(GO_ENV_BEGIN);
    out.push('\n');
    for (name, value) in pairs {
        out.push_str(&format!("{name}={value}\n"));
    }
    out.push_str(GO_ENV_END);
    out.push('\n');
    out.push_str(&kept);
    out
}

/// Fails on the first contract id doctor does not know, naming the nearest it does.
pub fn check_contract(ids: &[String], known: &[&str]) -> Result<(), String> {
    for id in ids {
        if known.contains(&id.as_str()) {
            continue;
        }
        let nearest = known
            .iter()
            .map(|k| (crate::distance(&id.to_ascii_uppercase(), k), *k))
            .min();
        let hint = match nearest {
            Some((d, k)) if d <= 3 => format!(" (did you mean {k}?)"),
            _ => String::new(),
        };
        return Err(format!(
            "contract: {id} is not a doctor finding{hint}; `gorig doctor --list` lists them"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GO_ENV: &str = "# defaults\nGOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=auto\n";

    #[test]
    fn the_block_is_added_replaced_and_removed_leaving_the_toolchains_lines() {
        let added = go_env_content(GO_ENV, &[("GOPROXY", "https://p,direct")]);
        assert!(added.ends_with(GO_ENV));
        assert!(added.starts_with(&format!(
            "{GO_ENV_BEGIN}\nGOPROXY=https://p,direct\n{GO_ENV_END}\n"
        )));
        assert_eq!(
            go_env_content(&added, &[("GOPROXY", "https://p,direct")]),
            added
        );
        let replaced = go_env_content(&added, &[("GOTOOLCHAIN", "local")]);
        assert!(replaced.contains("GOTOOLCHAIN=local\n"));
        assert!(!replaced.contains("https://p,direct"));
        assert_eq!(go_env_content(&replaced, &[]), GO_ENV);
        // A file without a final newline is kept as it is.
        let block = format!("{GO_ENV_BEGIN}\nGOFLAGS=-mod=mod\n{GO_ENV_END}\n");
        assert_eq!(
            go_env_content("A=1", &[("GOFLAGS", "-mod=mod")]),
            format!("{block}A=1")
        );
        assert_eq!(go_env_content(&format!("{block}A=1"), &[]), "A=1");
    }

    #[test]
    fn a_line_break_in_a_value_is_refused() {
        assert!(go_env_value_problem("GOFLAGS", "-x\nGOPROXY=evil").is_some());
        assert!(go_env_value_problem("GOFLAGS", "-mod=mod -trimpath").is_none());
    }

    #[test]
    fn groups_add_their_toolchains_once_in_order() {
        let desired = Desired {
            toolchains: Some(vec!["1.27".into(), "1.26.6".into()]),
            groups: Some(
                [
                    ("builders".to_string(), vec!["1.25".into(), "1.27".into()]),
                    ("other".to_string(), vec!["1.24".into()]),
                ]
                .into(),
            ),
            ..Desired::default()
        };
        assert_eq!(
            wanted_toolchains(&desired, &["builders".into(), "nope".into()]),
            ["1.27", "1.26.6", "1.25"]
        );
        assert_eq!(wanted_toolchains(&desired, &[]), ["1.27", "1.26.6"]);
    }

    #[test]
    fn unknown_contract_ids_name_the_nearest() {
        let known = ["GORIG-NET-001", "GORIG-LIM-001"];
        assert!(check_contract(&["GORIG-NET-001".into()], &known).is_ok());
        let e = check_contract(&["GORIG-NET-01".into()], &known).unwrap_err();
        assert!(e.contains("did you mean GORIG-NET-001?"), "{e}");
        let e = check_contract(&["whatever".into()], &known).unwrap_err();
        assert!(!e.contains("did you mean"), "{e}");
    }

    #[test]
    fn patches_name_the_file_and_dev_null_for_a_new_one() {
        let patch = unified_patch("/etc/x.conf", "", "a\n");
        assert!(
            patch.starts_with("--- /dev/null\n+++ b/etc/x.conf\n"),
            "{patch}"
        );
        assert!(patch.contains("+a\n"));
        let patch = unified_patch("/etc/x.conf", "a\nb\n", "a\nc\n");
        assert!(patch.contains("-b\n+c\n"), "{patch}");
    }
}
