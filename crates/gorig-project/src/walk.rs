//! Finding the pin for a directory on disk: `GORIG_GO_VERSION`, then the first go.work
//! above (as `GOWORK` says), else the first go.mod above, with `.go-version` and
//! `.tool-versions` counting when nearer than any go.mod, by `modload.FindGoWork` and
//! `FindGoMod`'s rules. The files read are handed to [`crate::parse`].

use std::path::{Path, PathBuf};

use gorig_version::VersionRequest;

use crate::parse::{go_file_requirement, go_version_file, tool_versions};
use crate::{Pin, PinError, PinSource, Requirement};

/// What the walk for a pin depends on besides the directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lookup<'a> {
    /// `GORIG_GO_VERSION`.
    pub env_version: Option<&'a str>,
    /// `GOWORK`: `off` ignores go.work files, an absolute path names the one to use (a
    /// relative one is an error), empty or `auto` searches.
    pub gowork: Option<&'a str>,
    /// The system temp directory (`$TMPDIR`, else `/tmp`): a go.mod there is ignored
    /// (golang.org/issue/26708), and the search for one ends there.
    pub temp_dir: Option<&'a Path>,
    /// The default toolchain's GOROOT: the go.work search does not climb out of it.
    pub goroot: Option<&'a Path>,
}

/// How `GOWORK` tells the go command to find a workspace.
enum Workspace {
    /// Unset, empty or `auto`: the first go.work above.
    Search,
    Off,
    /// An absolute path; a file that does not exist means no workspace.
    File(PathBuf),
}

/// The version the environment or the nearest pin asks for, if any, found as the go
/// command finds go.work and go.mod (`modload.FindGoWork`, `FindGoMod`).
pub fn find_pin(dir: &Path, lookup: &Lookup) -> Result<Option<Pin>, PinError> {
    if let Some(text) = lookup.env_version.map(str::trim).filter(|t| !t.is_empty()) {
        return Ok(Some(Pin {
            source: PinSource::Environment,
            path: None,
            requirement: Requirement::Request(parse_request("GORIG_GO_VERSION", text)?),
            note: None,
        }));
    }
    let workspace = match lookup.gowork {
        None | Some("" | "auto") => Workspace::Search,
        Some("off") => Workspace::Off,
        Some(path) if Path::new(path).is_absolute() => Workspace::File(PathBuf::from(path)),
        Some(path) => {
            return Err(PinError::RelativeGowork {
                value: path.to_string(),
            });
        }
    };
    if let Workspace::File(file) = &workspace
        && std::fs::metadata(file).is_ok()
    {
        return go_file(file, true).map(Some);
    }
    let searching = matches!(workspace, Workspace::Search);
    let mut current = Some(dir);
    while let Some(here) = current {
        if searching {
            let work = here.join("go.work");
            if is_file(&work) {
                return go_file(&work, true).map(Some);
            }
        }
        let module = here.join("go.mod");
        if is_file(&module) {
            // The go command finds go.work first, wherever it is above.
            if searching && let Some(work) = workspace_above(here, lookup.goroot) {
                return go_file(&work, true).map(Some);
            }
            if lookup.temp_dir.is_some_and(|t| same_dir(here, t)) {
                return Ok(Some(Pin {
                    source: PinSource::GoModDefault,
                    path: Some(module),
                    requirement: Requirement::Default,
                    note: Some(
                        "in the system temp directory, which the go command ignores".to_string(),
                    ),
                }));
            }
            return go_file(&module, false).map(Some);
        }
        if let Some(pin) = go_version_at(&here.join(".go-version"))? {
            return Ok(Some(pin));
        }
        if let Some(pin) = tool_versions_at(&here.join(".tool-versions"))? {
            return Ok(Some(pin));
        }
        let parent = here.parent();
        // As a special case, the go command does not cross GOROOT to find a go.work.
        if searching && parent.zip(lookup.goroot).is_some_and(|(p, g)| p == g) {
            return workspace_free_walk(parent, lookup);
        }
        current = parent;
    }
    Ok(None)
}

/// The first go.work strictly above `dir`, not crossing into `goroot` from below.
fn workspace_above(dir: &Path, goroot: Option<&Path>) -> Option<PathBuf> {
    dir.ancestors()
        .skip(1)
        .take_while(|up| goroot != Some(*up))
        .map(|up| up.join("go.work"))
        .find(|work| is_file(work))
}

/// The rest of the walk once go.work files no longer count (above GOROOT).
fn workspace_free_walk(from: Option<&Path>, lookup: &Lookup) -> Result<Option<Pin>, PinError> {
    let Some(from) = from else {
        return Ok(None);
    };
    find_pin(
        from,
        &Lookup {
            gowork: Some("off"),
            ..*lookup
        },
    )
}

/// Whether two paths name one directory (lexically, else by device and inode, as Go's
/// `search.InDir` also compares after resolving links).
fn same_dir(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    if a == b {
        return true;
    }
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Go's test for a go.mod or go.work: `stat` succeeds (links followed) and it is no
/// directory.
fn is_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_dir())
}

/// Reads a go.mod or go.work that exists: unlike gorig's own pin files, one that cannot
/// be read is an error, as it is for the go command. Bytes that are not UTF-8 become
/// U+FFFD, as Go's lexer decodes them: harmless in a comment, refused where go refuses
/// them.
fn read_go_file(path: &Path) -> Result<String, PinError> {
    let bytes = std::fs::read(path).map_err(|e| PinError::Unreadable {
        path: path.display().to_string(),
        why: e.to_string(),
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn go_file(path: &Path, work: bool) -> Result<Pin, PinError> {
    let text = read_go_file(path)?;
    let (source, requirement, note) = go_file_requirement(&text, path, work)?;
    Ok(Pin {
        source,
        path: Some(path.to_path_buf()),
        requirement,
        note,
    })
}

/// gorig's own pin files are small; a huge or unreadable one is treated as absent.
fn read_pin_file(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

fn parse_request(place: &str, text: &str) -> Result<VersionRequest, PinError> {
    text.parse::<VersionRequest>()
        .map_err(|e| PinError::NotAVersion {
            place: place.to_string(),
            text: text.to_string(),
            why: e.reason.to_string(),
        })
}

fn go_version_at(path: &Path) -> Result<Option<Pin>, PinError> {
    let Some(text) = read_pin_file(path) else {
        return Ok(None);
    };
    let Some(line) = go_version_file(&text) else {
        return Ok(None);
    };
    Ok(Some(Pin {
        source: PinSource::GoVersionFile,
        path: Some(path.to_path_buf()),
        requirement: Requirement::Request(parse_request(&path.display().to_string(), line)?),
        note: None,
    }))
}

fn tool_versions_at(path: &Path) -> Result<Option<Pin>, PinError> {
    let Some(text) = read_pin_file(path) else {
        return Ok(None);
    };
    let Some(Some(version)) = tool_versions(&text) else {
        return Ok(None);
    };
    Ok(Some(Pin {
        source: PinSource::ToolVersions,
        path: Some(path.to_path_buf()),
        requirement: Requirement::Request(parse_request(&path.display().to_string(), version)?),
        note: None,
    }))
}

/// The names of the files a pin is read from.
pub const PIN_FILES: [&str; 4] = ["go.work", "go.mod", ".go-version", ".tool-versions"];

/// What a pin for `dir` depends on, for a cache that must notice a change: every
/// directory from `dir` up (a pin file created there) and the pin files that exist in
/// them, nearest first, then the file `GOWORK` names. `found` is the pin the walk
/// found: a go.work, `.go-version` or `.tool-versions` ends the walk, so nothing above
/// its directory can change the answer (above a go.mod, a go.work still can).
pub fn pin_inputs(dir: &Path, gowork: Option<&str>, found: Option<&Pin>) -> Vec<PathBuf> {
    let walk_end = found
        .filter(|pin| {
            matches!(
                pin.source,
                PinSource::GoWorkToolchain
                    | PinSource::GoWorkGo
                    | PinSource::GoWorkDefault
                    | PinSource::GoVersionFile
                    | PinSource::ToolVersions
            )
        })
        .and_then(|pin| pin.path.as_deref())
        .and_then(Path::parent);
    let mut watch = Vec::new();
    for here in dir.ancestors() {
        watch.push(here.to_path_buf());
        for name in PIN_FILES {
            let file = here.join(name);
            if file.exists() {
                watch.push(file);
            }
        }
        if walk_end == Some(here) {
            break;
        }
    }
    if let Some(gowork) = gowork {
        watch.push(dir.join(gowork));
    }
    watch
}
