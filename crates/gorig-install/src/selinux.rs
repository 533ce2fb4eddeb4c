//! `gorig selinux` as calls: checks the service's name and paths, renders the commands
//! and the module with `gorig_render::selinux`, writes `NAME.te` and `NAME.fc` through
//! `gorig-fs` (a file gorig did not write is backed up), and refines a module from an
//! audit log. Whether the host runs SELinux is read under its `HostRoot`.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use gorig_host::HostRoot;
use gorig_render::selinux::{self, Confined, Refined, Step};

/// What was asked, as given.
#[derive(Debug, Clone, Default)]
pub struct SelinuxRequest {
    pub name: String,
    pub exec: Option<PathBuf>,
    pub ports: Vec<u16>,
    pub state_dir: Option<PathBuf>,
    pub module: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelinuxError {
    #[error("`{0}` cannot name SELinux types (letters, digits and `_`, starting with a letter)")]
    Name(String),
    #[error("{0}: the path must be absolute")]
    Relative(String),
    #[error("--port 0 is not a port")]
    Port,
    #[error("{path} is not a module gorig selinux wrote (its refine markers are missing)")]
    NotOurs { path: String },
    #[error("could not read {path}: {why}")]
    Read { path: String, why: String },
}

/// The commands, and the module's files when asked for.
#[derive(Debug, Clone)]
pub struct SelinuxPlan {
    pub service: Confined,
    pub steps: Vec<Step>,
    /// `NAME.te` and `NAME.fc`, with `--module`.
    pub module: Option<(String, String)>,
    /// The host runs SELinux (`/sys/fs/selinux/enforce`, or a config under `/etc/selinux`).
    pub selinux_host: bool,
}

/// Checks `request` and renders what it asks for.
pub fn plan(request: &SelinuxRequest, root: &HostRoot) -> Result<SelinuxPlan, SelinuxError> {
    let name = &request.name;
    if name.is_empty()
        || name.len() > 64
        || !name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(SelinuxError::Name(name.clone()));
    }
    if request.ports.contains(&0) {
        return Err(SelinuxError::Port);
    }
    let absolute = |path: &Path| -> Result<String, SelinuxError> {
        if path.is_absolute() {
            Ok(path.to_string_lossy().into_owned())
        } else {
            Err(SelinuxError::Relative(path.to_string_lossy().into_owned()))
        }
    };
    let exec = match &request.exec {
        Some(path) => absolute(path)?,
        None => format!("/opt/{name}/bin/{name}"),
    };
    let state_dir = match &request.state_dir {
        Some(path) => absolute(path)?,
        None => format!("/var/lib/{name}"),
    };
    let service = Confined {
        name: name.clone(),
        exec,
        ports: request.ports.clone(),
        state_dir,
    };
    Ok(SelinuxPlan {
        steps: selinux::commands(&service, request.module),
        module: request
            .module
            .then(|| (selinux::module_te(&service), selinux::module_fc(&service))),
        selinux_host: root.join("/sys/fs/selinux/enforce").exists()
            || root.join("/etc/selinux/config").exists(),
        service,
    })
}

/// A file `gorig selinux` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub path: PathBuf,
    pub changed: bool,
    pub backup: Option<PathBuf>,
}

fn write_one(path: &Path, text: &str) -> Result<WrittenFile, gorig_fs::FsError> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let marker = format!("# {file}, written by gorig selinux");
    let done = gorig_fs::write_managed(
        path,
        text.as_bytes(),
        &gorig_fs::Managed {
            marker: Some(&marker),
            mode: 0o644,
            now: SystemTime::now(),
        },
    )?;
    Ok(WrittenFile {
        path: path.to_path_buf(),
        changed: done.changed,
        backup: done.backup,
    })
}

/// Writes the module's `NAME.te` and `NAME.fc` into `dir`.
pub fn write_module(plan: &SelinuxPlan, dir: &Path) -> Result<Vec<WrittenFile>, gorig_fs::FsError> {
    let Some((te, fc)) = &plan.module else {
        return Ok(Vec::new());
    };
    let name = &plan.service.name;
    Ok(vec![
        write_one(&dir.join(format!("{name}.te")), te)?,
        write_one(&dir.join(format!("{name}.fc")), fc)?,
    ])
}

/// Refines `dir/NAME.te` with the denials in the audit log at `log`; writes it when
/// rules were added. Returns what was added, and the file's text before.
pub fn refine(
    dir: &Path,
    name: &str,
    log: &Path,
) -> Result<(Refined, String, Option<WrittenFile>), RefineError> {
    let te_path = dir.join(format!("{name}.te"));
    let read = |path: &Path| {
        std::fs::read(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| SelinuxError::Read {
                path: path.display().to_string(),
                why: e.to_string(),
            })
    };
    let before = read(&te_path)?;
    // An audit log may be large: only its AVC records are kept.
    let audit = avc_lines(log).map_err(|e| SelinuxError::Read {
        path: log.display().to_string(),
        why: e.to_string(),
    })?;
    let domain = selinux::types(name)[0].clone();
    let refined =
        selinux::refine(&before, &domain, &selinux::parse_avcs(&audit)).ok_or_else(|| {
            SelinuxError::NotOurs {
                path: te_path.display().to_string(),
            }
        })?;
    let written = if refined.te != before {
        Some(write_one(&te_path, &refined.te)?)
    } else {
        None
    };
    Ok((refined, before, written))
}

/// The lines of `log` that hold an AVC record.
fn avc_lines(log: &Path) -> std::io::Result<String> {
    use std::io::BufRead;
    let mut kept = String::new();
    let reader = std::io::BufReader::new(std::fs::File::open(log)?);
    for line in reader.split(b'\n') {
        let line = line?;
        let text = String::from_utf8_lossy(&line);
        if text.contains("avc:") {
            kept.push_str(&text);
            kept.push('\n');
        }
    }
    Ok(kept)
}

/// Why a refine stopped.
#[derive(Debug, thiserror::Error)]
pub enum RefineError {
    #[error(transparent)]
    Input(#[from] SelinuxError),
    #[error(transparent)]
    Write(#[from] gorig_fs::FsError),
}
