//! `gorig.yaml`: what a host should be, declared. Pure: files come in through a reader
//! and variables through a lookup, so every rule is tested without I/O.
//!
//! [`load`] reads the file and its `include:` files (each relative to the file that
//! names it; the including file's own keys win), overlays `environments.NAME` (with
//! `--env NAME`) over the result, replaces `${VAR}` in every string (an unset variable
//! is an error naming it and the file), and only then builds the [`Desired`] state.
//! Maps merge key by key; lists and scalars are replaced whole. Every file is first
//! read strictly into the types: an unknown key is an error with the file, line and
//! column and the nearest valid key. YAML is read with budgets (alias expansion, depth,
//! scalar and document size) so a hostile file ends in a clear error, not memory
//! exhaustion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub mod plan;

/// What the host should be: a file, or one of its environments.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Desired {
    /// The format's version: 1 (top level only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Other files whose keys come first, relative to this one (top level only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Overlays merged over the base with `--env NAME` (top level only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environments: BTreeMap<String, Desired>,
    /// `user` (a store under `$XDG_DATA_HOME`) or `system` (`/usr/local/go`, profile.d).
    pub mode: Option<Mode>,
    /// Toolchains to install: `1.27.3`, or a series such as `1.26` (its newest).
    pub toolchains: Option<Vec<String>>,
    /// The default toolchain (one of `toolchains`).
    pub default: Option<String>,
    /// Extra toolchains for host groups: group → versions (a host names its groups with
    /// `--group`).
    pub groups: Option<BTreeMap<String, Vec<String>>>,
    /// Remove installed toolchains that neither `toolchains` nor the host's groups name.
    pub prune: Option<bool>,
    pub sources: Option<Sources>,
    /// The Go environment written for the host (the toolchain's or system's go env file).
    pub go_env: Option<GoEnv>,
    pub tune: Option<Tune>,
    pub units: Option<Vec<Unit>>,
    /// Doctor findings that must be ok on the host: the host's contract.
    pub contract: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    User,
    System,
}

/// Where toolchains come from.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// Archive mirrors, tried in order (as `--mirror`).
    pub mirrors: Option<Vec<String>>,
    /// The release index (as `--index`).
    pub index: Option<String>,
    /// OpenPGP key files that may sign releases (as `--keyring`).
    pub keyrings: Option<Vec<String>>,
    /// The proxy for downloads (`http://`, `https://` or `socks5://`).
    pub proxy: Option<String>,
    /// A PEM bundle of CA certificates to trust instead of the host's.
    pub ca_file: Option<String>,
    pub client_cert: Option<String>,
    pub client_key: Option<String>,
}

/// The Go environment written for the host.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct GoEnv {
    pub GOPROXY: Option<String>,
    pub GOPRIVATE: Option<String>,
    pub GONOSUMDB: Option<String>,
    pub GOFLAGS: Option<String>,
    pub GOTOOLCHAIN: Option<String>,
}

/// `gorig tune` for the host.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tune {
    /// `service`, `ci` or `build`.
    pub profile: Option<String>,
    pub qps: Option<u64>,
}

/// A service unit to render and install (`gorig unit`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub name: String,
    pub exec: String,
    #[serde(default)]
    pub args: Vec<String>,
    pub user: Option<String>,
    #[serde(default)]
    pub ports: Vec<u16>,
    pub cpus: Option<f64>,
    pub memory: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub after: Vec<String>,
    #[serde(default)]
    pub socket: bool,
    #[serde(default)]
    pub allow_ip: Vec<String>,
}

/// The JSON Schema of a gorig.yaml (draft 2020-12), from the types.
pub fn schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Desired)).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        object.insert("title".into(), "gorig.yaml".into());
        object.insert(
            "$id".into(),
            "https://github.com/gorig/gorig/blob/main/docs/gorig.schema.json".into(),
        );
    }
    schema
}

/// Why a gorig.yaml could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("could not read {path}: {why}")]
    Read { path: String, why: String },
    /// The YAML, or a key or value the types refuse, with serde-saphyr's line, column and
    /// snippet (and the nearest valid key for an unknown one).
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("{path}: ${{{name}}} is not set in the environment (set it, or write the value)")]
    UnsetVariable { path: String, name: String },
    #[error("{path}: `${{` without a closing `}}`")]
    OpenVariable { path: String },
    #[error("no environment `{name}` in {path} (it has: {known})")]
    NoEnvironment {
        path: String,
        name: String,
        known: String,
    },
    #[error("{path} includes itself (through {chain})")]
    IncludeLoop { path: String, chain: String },
    #[error("{path}: includes nest deeper than {MAX_INCLUDE_DEPTH} files")]
    IncludeDepth { path: String },
    #[error("{path}: environment `{name}` sets `{key}`, which only the top level may")]
    NestedInEnvironment {
        path: String,
        name: String,
        key: &'static str,
    },
    #[error("{path}: version {version} is not one this gorig reads (1)")]
    Version { path: String, version: u32 },
}

/// How deep `include:` may nest.
pub const MAX_INCLUDE_DEPTH: usize = 8;

/// The largest gorig.yaml read (after includes, each file counted).
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Reads YAML `text` into `T` with budgets suited to a config file.
fn parse<T: serde::de::DeserializeOwned>(text: &str, path: &str) -> Result<T, LoadError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(LoadError::Invalid {
            path: path.to_string(),
            message: format!(
                "the file is over {} KiB; a gorig.yaml is a few",
                MAX_FILE_BYTES >> 10
            ),
        });
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_documents: 1,
            max_depth: 32,
            max_aliases: 256,
            max_anchors: 256,
            max_nodes: 100_000,
            max_total_scalar_bytes: MAX_FILE_BYTES,
        },
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| LoadError::Invalid {
        path: path.to_string(),
        message: nearest_key_hint(&e.to_string()),
    })
}

/// serde's "unknown field `x`, expected one of a, b" gets "(did you mean `b`?)".
fn nearest_key_hint(message: &str) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else {
        return message.to_string();
    };
    let Some((field, tail)) = rest.split_once('`') else {
        return message.to_string();
    };
    let Some(expected) = tail.split("expected one of ").nth(1) else {
        return message.to_string();
    };
    let candidates: Vec<&str> = expected
        .lines()
        .next()
        .unwrap_or("")
        .split(',')
        .map(|c| c.trim().trim_matches('`'))
        .filter(|c| !c.is_empty())
        .collect();
    let best = candidates.iter().map(|c| (distance(field, c), *c)).min();
    match best {
        Some((d, candidate)) if d <= field.len().max(3) / 2 + 1 => {
            let mut lines = message.lines();
            let first = lines.next().unwrap_or("");
            let rest: Vec<&str> = lines.collect();
            let mut out = format!("{first} (did you mean `{candidate}`?)");
            for line in rest {
                out.push('\n');
                out.push_str(line);
            }
            out
        }
        _ => message.to_string(),
    }
}

/// Levenshtein distance (keys are short).
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = here;
        }
    }
    row[b.len()]
}

/// Merges `over` into `base`: maps key by key, everything else replaced.
fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(base), serde_json::Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(slot) if slot.is_object() && value.is_object() => merge(slot, value),
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// Replaces `${NAME}` in every string of `value` (`$${` stays a literal `${`).
fn substitute(
    value: &mut serde_json::Value,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), LoadError> {
    match value {
        serde_json::Value::String(text) if text.contains("${") => {
            *text = expand(text, path, lookup)?;
        }
        serde_json::Value::Array(items) => {
            for item in items {
                substitute(item, path, lookup)?;
            }
        }
        serde_json::Value::Object(map) => {
            for item in map.values_mut() {
                substitute(item, path, lookup)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn expand(
    text: &str,
    path: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, LoadError> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        if rest[..at].ends_with('$') {
            out.push_str(&rest[..at - 1]);
            out.push_str("${");
            rest = &rest[at + 2..];
            continue;
        }
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else {
            return Err(LoadError::OpenVariable {
                path: path.to_string(),
            });
        };
        let name = &after[..end];
        let value = lookup(name).ok_or_else(|| LoadError::UnsetVariable {
            path: path.to_string(),
            name: name.to_string(),
        })?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The resolved state, and the files it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub desired: Desired,
    /// The main file first, then its includes in the order read.
    pub files: Vec<PathBuf>,
}

/// Reads `path` (through `read`) with its includes, overlays `environment`, and replaces
/// `${VAR}`s from `lookup`.
pub fn load(
    path: &Path,
    environment: Option<&str>,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Loaded, LoadError> {
    let mut files = Vec::new();
    let mut environments: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let mut merged = read_tree(path, read, &mut files, &mut environments, &mut Vec::new())?;
    let shown = path.display().to_string();
    if let Some(name) = environment {
        let Some(overlay) = environments.remove(name) else {
            let known: Vec<&str> = environments.keys().map(String::as_str).collect();
            return Err(LoadError::NoEnvironment {
                path: shown,
                name: name.to_string(),
                known: if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                },
            });
        };
        merge(&mut merged, overlay);
    }
    substitute(&mut merged, &shown, lookup)?;
    let desired: Desired = serde_json::from_value(merged).map_err(|e| LoadError::Invalid {
        path: shown,
        message: e.to_string(),
    })?;
    Ok(Loaded { desired, files })
}

/// One file and its includes, as a merged JSON value of its `Desired` keys.
fn read_tree(
    path: &Path,
    read: &dyn Fn(&Path) -> std::io::Result<String>,
    files: &mut Vec<PathBuf>,
    environments: &mut BTreeMap<String, serde_json::Value>,
    chain: &mut Vec<PathBuf>,
) -> Result<serde_json::Value, LoadError> {
    let shown = path.display().to_string();
    if chain.contains(&path.to_path_buf()) {
        let names: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
        return Err(LoadError::IncludeLoop {
            path: shown,
            chain: names.join(" -> "),
        });
    }
    if chain.len() >= MAX_INCLUDE_DEPTH {
        return Err(LoadError::IncludeDepth { path: shown });
    }
    let text = read(path).map_err(|e| LoadError::Read {
        path: shown.clone(),
        why: e.to_string(),
    })?;
    // Strictly typed first: unknown keys and wrong shapes with their line and column.
    let file: Desired = parse(&text, &shown)?;
    if let Some(version) = file.version
        && version != 1
    {
        return Err(LoadError::Version {
            path: shown,
            version,
        });
    }
    files.push(path.to_path_buf());
    chain.push(path.to_path_buf());
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut merged = serde_json::Value::Object(serde_json::Map::new());
    for include in &file.include {
        let included = dir.join(include);
        let value = read_tree(&included, read, files, environments, chain)?;
        merge(&mut merged, value);
    }
    chain.pop();
    let mut own = file.clone();
    own.version = None;
    own.include.clear();
    own.environments.clear();
    let own = serde_json::to_value(&own).map_err(|e| LoadError::Invalid {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    merge(&mut merged, strip_nulls(own));
    for (name, overlay) in file.environments {
        let nested = [
            ("version", overlay.version.is_some()),
            ("include", !overlay.include.is_empty()),
            ("environments", !overlay.environments.is_empty()),
        ];
        if let Some((key, _)) = nested.iter().find(|(_, set)| *set) {
            return Err(LoadError::NestedInEnvironment {
                path: shown,
                name,
                key,
            });
        }
        let overlay = serde_json::to_value(&overlay)
            .map(strip_nulls)
            .map_err(|e| LoadError::Invalid {
                path: shown.clone(),
                message: e.to_string(),
            })?;
        match environments.get_mut(&name) {
            Some(existing) => merge(existing, overlay),
            None => {
                environments.insert(name, overlay);
            }
        }
    }
    Ok(merged)
}

/// Keys the file did not set (`None`) do not override: they are dropped before merging.
fn strip_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests;
