//! `gorig unit` as one call: checks what was asked (the name, the program's path, sizes,
//! `K=V` pairs, peers), reads the program with `gorig-elf` (static or not, cgo, the Go
//! release and its `DefaultGODEBUG`, whether it links `net` and `os/exec`), finds the
//! target's systemd version under its `HostRoot` (the version in the name of
//! `libsystemd-shared-N.so`), renders with `gorig_render::unit`, and, when asked, writes
//! the units through `gorig-fs` (a file gorig did not write is backed up first).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use gorig_host::HostRoot;
use gorig_render::unit::{Account, Program, Rendered, Service};

/// The systemd assumed when the target's cannot be read: Debian 12's.
pub const ASSUMED_SYSTEMD: u32 = 252;

/// Where system units go (under the target's root).
pub const SYSTEM_UNIT_DIR: &str = "/etc/systemd/system";

/// What was asked for, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct UnitRequest {
    pub name: String,
    pub exec: PathBuf,
    pub args: Vec<String>,
    pub user: Option<String>,
    pub ports: Vec<u16>,
    pub cpus: Option<f64>,
    pub memory: Option<String>,
    pub env: Vec<String>,
    pub after: Vec<String>,
    pub socket: bool,
    pub allow_ip: Vec<String>,
    pub systemd: Option<u32>,
    pub comments: bool,
    /// Render a Kubernetes Deployment with this image instead of systemd units.
    pub kubernetes: Option<String>,
    /// A unit for the user's own manager, written to this directory
    /// (`$XDG_CONFIG_HOME/systemd/user`).
    pub user_unit_dir: Option<PathBuf>,
}

/// A request that cannot make a unit, and what was wrong.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UnitError {
    #[error("`{0}` is not a unit name (letters, digits and `:-_.\\@`, without `.service`)")]
    Name(String),
    #[error("--exec {0}: the program must be an absolute path")]
    RelativeExec(String),
    #[error("--cpus {0}: expected a number of CPUs above 0, such as 0.5 or 2")]
    Cpus(String),
    #[error("--memory {0}: expected a size such as 512M, 1G or 1.5G")]
    Memory(String),
    #[error("--env {0}: expected NAME=VALUE")]
    Env(String),
    #[error(
        "--allow-ip {0}: expected an address or network (10.0.0.0/8, 2001:db8::/32) or any, localhost, link-local, multicast"
    )]
    AllowIp(String),
    #[error(
        "--user {0}: {0} is shared by unrelated services (or is root); the unit would lose what the sandbox is for"
    )]
    SharedUser(String),
    #[error("--port 0 is not a port")]
    Port,
    #[error(
        "{field} `{value}` holds a line break or another control character, which would end the unit's line and start another"
    )]
    ControlCharacter { field: &'static str, value: String },
    #[error("--socket needs at least one --port to listen on")]
    SocketWithoutPort,
    #[error("--{0} is for systemd units; a Kubernetes Deployment has no such thing")]
    NotForKubernetes(&'static str),
    #[error("--user-unit: {0}")]
    NotForUserUnits(String),
}

/// The units and what was learned on the way.
#[derive(Debug, Clone)]
pub struct UnitPlan {
    pub rendered: Rendered,
    /// Where they go, under the target's root: `NAME.service`, and `NAME.socket`.
    pub service_path: PathBuf,
    pub socket_path: PathBuf,
    pub systemd: u32,
    /// Where the version came from: `--systemd`, the file that names it, or assumed.
    pub systemd_from: String,
    /// What the binary is, as the unit took it (`None`: it could not be read).
    pub program: Option<Program>,
    /// The units are the user's: their paths are absolute, not under the target's root.
    pub user_unit: bool,
}

/// Checks `request` and renders its units for the host at `root`.
pub fn plan(request: &UnitRequest, root: &HostRoot) -> Result<UnitPlan, UnitError> {
    let name = request
        .name
        .strip_suffix(".service")
        .unwrap_or(&request.name);
    if name.is_empty()
        || name.len() > 200
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ":-_.\\@".contains(c))
    {
        return Err(UnitError::Name(request.name.clone()));
    }
    let exec = request.exec.to_string_lossy().into_owned();
    // A line break (or any control character) in a value would end the directive and
    // start another: refused in every field that reaches the unit.
    let fields = std::iter::once(("--exec", exec.as_str()))
        .chain(request.args.iter().map(|a| ("an argument", a.as_str())))
        .chain(request.user.iter().map(|u| ("--user", u.as_str())))
        .chain(request.memory.iter().map(|m| ("--memory", m.as_str())))
        .chain(request.env.iter().map(|e| ("--env", e.as_str())))
        .chain(request.after.iter().map(|a| ("--after", a.as_str())))
        .chain(request.allow_ip.iter().map(|a| ("--allow-ip", a.as_str())));
    for (field, value) in fields {
        if value.chars().any(char::is_control) {
            return Err(UnitError::ControlCharacter {
                field,
                value: value.escape_debug().to_string(),
            });
        }
    }
    if !request.exec.is_absolute() {
        return Err(UnitError::RelativeExec(exec));
    }
    if let Some(user) = &request.user
        && matches!(user.as_str(), "root" | "nobody" | "nogroup" | "0" | "65534")
    {
        return Err(UnitError::SharedUser(user.clone()));
    }
    if request.ports.contains(&0) {
        return Err(UnitError::Port);
    }
    if request.socket && request.ports.is_empty() {
        return Err(UnitError::SocketWithoutPort);
    }
    if let Some(cpus) = request.cpus
        && !(cpus.is_finite() && cpus > 0.0 && cpus <= 100_000.0)
    {
        return Err(UnitError::Cpus(cpus.to_string()));
    }
    let memory = request
        .memory
        .as_deref()
        .map(|text| parse_size(text).ok_or_else(|| UnitError::Memory(text.to_string())))
        .transpose()?;
    let env = request
        .env
        .iter()
        .map(|pair| {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| UnitError::Env(pair.clone()))?;
            let valid = !key.is_empty()
                && !key.starts_with(|c: char| c.is_ascii_digit())
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(UnitError::Env(pair.clone()));
            }
            Ok((key.to_string(), value.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    for peer in &request.allow_ip {
        if !valid_peer(peer) {
            return Err(UnitError::AllowIp(peer.clone()));
        }
    }
    let (systemd, systemd_from) = match request.systemd {
        Some(version) => (version, "--systemd".to_string()),
        None => match systemd_version(root) {
            Some((version, file)) => (version, file),
            None => (
                ASSUMED_SYSTEMD,
                "assumed: no libsystemd-shared-N.so found (name it with --systemd N)".to_string(),
            ),
        },
    };
    let program = program_facts(&root.join(&request.exec));
    let service = Service {
        name: name.to_string(),
        exec,
        args: request.args.clone(),
        account: match &request.user {
            Some(user) => Account::User(user.clone()),
            None => Account::Dynamic,
        },
        ports: request.ports.clone(),
        cpus: request.cpus,
        memory,
        env,
        after: request.after.clone(),
        socket: request.socket,
        allow_ip: request.allow_ip.clone(),
        comments: request.comments,
        systemd,
        program: program.clone().unwrap_or_default(),
        user_unit: request.user_unit_dir.is_some(),
    };
    if request.kubernetes.is_some() {
        if request.socket {
            return Err(UnitError::NotForKubernetes("socket"));
        }
        if request.user.is_some() {
            return Err(UnitError::NotForKubernetes("user"));
        }
    }
    if request.user_unit_dir.is_some() {
        if request.user.is_some() {
            return Err(UnitError::NotForUserUnits(
                "a user unit runs as its user; --user names the account of a system unit".into(),
            ));
        }
        if let Some(port) = request.ports.iter().find(|p| **p < 1024) {
            return Err(UnitError::NotForUserUnits(format!(
                "port {port} is below 1024, which an unprivileged user manager cannot bind"
            )));
        }
    }
    let mut rendered = match &request.kubernetes {
        Some(image) => {
            let (yaml, mut notes) = gorig_render::kubernetes::deployment(&service, image);
            if !request.allow_ip.is_empty() {
                notes.push(
                    "--allow-ip has no place in a Deployment: name the peers in a NetworkPolicy"
                        .into(),
                );
            }
            Rendered {
                service: yaml,
                socket: None,
                empty_root: None,
                notes,
            }
        }
        None => gorig_render::unit::render(&service),
    };
    if program.is_none() {
        rendered.notes.insert(
            0,
            format!(
                "{} could not be read as an ELF program here: the unit assumes it may use cgo, the network and os/exec (build it first, or run gorig unit where it is)",
                request.exec.display()
            ),
        );
    }
    let dir = request
        .user_unit_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(SYSTEM_UNIT_DIR));
    Ok(UnitPlan {
        rendered,
        service_path: dir.join(format!("{name}.service")),
        socket_path: dir.join(format!("{name}.socket")),
        systemd,
        systemd_from,
        program,
        user_unit: request.user_unit_dir.is_some(),
    })
}

/// A unit file scored.
#[derive(Debug, Clone)]
pub struct Checked {
    pub path: PathBuf,
    pub assessment: gorig_render::unit_score::Assessment,
    /// Where its Go settings disagree with its limits.
    pub go: Vec<String>,
}

/// The largest file `--check` reads: unit files are a few kilobytes.
pub const MAX_UNIT_BYTES: u64 = 4 << 20;

/// Scores the unit file at `path`.
pub fn check(path: &Path) -> std::io::Result<Checked> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_UNIT_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_UNIT_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("it is over {} MiB: not a unit file", MAX_UNIT_BYTES >> 20),
        ));
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok(Checked {
        path: path.to_path_buf(),
        assessment: gorig_render::unit_score::assess(&text),
        go: gorig_render::unit_score::go_mismatches(&text),
    })
}

/// `systemctl [--user] daemon-reload`, so systemd reads the units just written.
pub fn daemon_reload(
    user: bool,
    runner: &dyn gorig_host::gather::ProcessRunner,
) -> std::io::Result<bool> {
    let args: &[&str] = if user {
        &["--user", "daemon-reload"]
    } else {
        &["daemon-reload"]
    };
    Ok(runner
        .run(&gorig_host::gather::Run {
            program: Path::new("systemctl"),
            args,
            dir: None,
            set: &[],
            remove: &[],
        })?
        .success)
}

/// What a unit file became when written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenUnit {
    /// The path on the target (under its root).
    pub path: PathBuf,
    pub changed: bool,
    pub backup: Option<PathBuf>,
}

/// One unit file of a plan: where it goes and what it holds.
#[derive(Debug, Clone)]
pub struct UnitFile {
    /// The path on the target (under its root).
    pub path: PathBuf,
    /// Where it is written on this machine.
    pub real: PathBuf,
    pub text: String,
    /// The first line that says gorig wrote it.
    pub marker: String,
}

/// The files of `plan` (the service, then the socket), for the host at `root`.
pub fn files(plan: &UnitPlan, root: &HostRoot) -> Vec<UnitFile> {
    let mut files = vec![(&plan.service_path, &plan.rendered.service)];
    if let Some(socket) = &plan.rendered.socket {
        files.push((&plan.socket_path, socket));
    }
    files
        .into_iter()
        .map(|(path, text)| {
            let real = if plan.user_unit {
                path.clone()
            } else {
                root.join(path)
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            UnitFile {
                path: path.clone(),
                real,
                text: text.clone(),
                marker: format!("# {name}, written by gorig unit"),
            }
        })
        .collect()
}

/// Makes the empty `RootDirectory=` a unit runs in, when it has one.
pub fn make_empty_root(plan: &UnitPlan, root: &HostRoot) -> Result<(), gorig_fs::FsError> {
    if let Some(empty) = &plan.rendered.empty_root {
        let dir = root.join(empty);
        std::fs::create_dir_all(&dir).map_err(|e| gorig_fs::FsError::io("create", &dir, e))?;
    }
    Ok(())
}

/// Writes one unit file: atomically, nothing when unchanged, and a file gorig did not
/// write backed up first.
pub fn write_file(file: &UnitFile) -> Result<WrittenUnit, gorig_fs::FsError> {
    let done = gorig_fs::write_managed(
        &file.real,
        file.text.as_bytes(),
        &gorig_fs::Managed {
            marker: Some(&file.marker),
            mode: 0o644,
            now: SystemTime::now(),
        },
    )?;
    Ok(WrittenUnit {
        path: file.path.clone(),
        changed: done.changed,
        backup: done.backup,
    })
}

/// Writes the planned units under `root` (see [`write_file`]).
pub fn write(plan: &UnitPlan, root: &HostRoot) -> Result<Vec<WrittenUnit>, gorig_fs::FsError> {
    make_empty_root(plan, root)?;
    files(plan, root).iter().map(write_file).collect()
}

pub use gorig_render::unit::parse_size;

/// An `IPAddressAllow=` entry: an address, a network with its prefix, or a keyword.
fn valid_peer(peer: &str) -> bool {
    if matches!(peer, "any" | "localhost" | "link-local" | "multicast") {
        return true;
    }
    let (address, prefix) = match peer.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (peer, None),
    };
    let Ok(address) = address.parse::<std::net::IpAddr>() else {
        return false;
    };
    let bits = if address.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|p| p <= bits))
}

/// The target's systemd version, from the name of its shared library
/// (`libsystemd-shared-252.so`, `libsystemd-shared-255.4-1.fc40.so`), and the file.
pub fn systemd_version(root: &HostRoot) -> Option<(u32, String)> {
    const DIRS: [&str; 6] = [
        "/usr/lib/systemd",
        "/usr/lib64/systemd",
        "/lib/systemd",
        "/usr/lib/x86_64-linux-gnu/systemd",
        "/usr/lib/aarch64-linux-gnu/systemd",
        "/usr/lib/riscv64-linux-gnu/systemd",
    ];
    let mut dirs: Vec<String> = DIRS.iter().map(|d| d.to_string()).collect();
    // Other Debian multiarch directories.
    if let Ok(names) = root.read_dir_names("/usr/lib") {
        for name in names
            .into_iter()
            .filter(|n| n.ends_with("-linux-gnu") || n.contains("-linux-gnu"))
        {
            let dir = format!("/usr/lib/{name}/systemd");
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
    }
    for dir in dirs {
        let Ok(names) = root.read_dir_names(&dir) else {
            continue;
        };
        for name in names {
            if let Some(rest) = name.strip_prefix("libsystemd-shared-") {
                let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(version) = number.parse::<u32>() {
                    return Some((version, format!("{dir}/{name}")));
                }
            }
        }
    }
    None
}

/// What the unit needs to know of the program at `path`; `None` when it cannot be read.
fn program_facts(path: &Path) -> Option<Program> {
    let facts = gorig_elf::read_path(path).ok()?;
    let go = facts.go.as_ref();
    let release = go
        .and_then(|g| gorig_version::GoVersion::parse_go_version(&g.go_version))
        .and_then(|v| Some((number(v.major())?, number(v.minor())?)));
    let cgo = go.and_then(|g| g.setting("CGO_ENABLED")).map(|v| v == "1");
    let off = go
        .and_then(|g| g.setting("DefaultGODEBUG"))
        .is_some_and(|d| d.split(',').any(|kv| kv == "containermaxprocs=0"));
    Some(Program {
        static_binary: facts.interpreter.is_none() && facts.needed.is_empty(),
        cgo,
        go: release,
        container_maxprocs_off: off,
        uses_net: facts.go_uses.map(|u| u.net),
        uses_exec: facts.go_uses.map(|u| u.os_exec),
    })
}

fn number(n: &gorig_version::Number) -> Option<u64> {
    n.to_string().parse().ok()
}

#[cfg(test)]
// Fixture trees are test data, not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    #[test]
    fn a_pod_gets_the_port_range_tune_gives_a_host() {
        let (low, high) = gorig_doctor::tune::PORT_RANGE;
        assert_eq!(gorig_render::unit::PORT_RANGE_TEXT, format!("{low} {high}"));
    }

    #[test]
    fn sizes_read_as_systemd_reads_them() {
        assert_eq!(parse_size("1G"), Some(1 << 30));
        assert_eq!(parse_size("1.5G"), Some(3 << 29));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("4096"), Some(4096));
        for bad in ["", "G", "1X", "-1G", "0", "1..5G", "1e9"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn peers_are_addresses_networks_or_keywords() {
        for good in [
            "10.0.0.0/8",
            "192.168.1.7",
            "2001:db8::/32",
            "::1",
            "localhost",
            "any",
        ] {
            assert!(valid_peer(good), "{good}");
        }
        for bad in ["10.0.0.0/33", "example.com", "10.0.0/8", "", "::1/129"] {
            assert!(!valid_peer(bad), "{bad}");
        }
    }

    #[test]
    fn requests_are_checked_before_anything_is_read() {
        let root = HostRoot::new(tempfile::tempdir().unwrap().path());
        let base = UnitRequest {
            name: "app".into(),
            exec: "/opt/app/bin/app".into(),
            ..UnitRequest::default()
        };
        let cases = [
            (
                UnitRequest {
                    name: "a/b".into(),
                    ..base.clone()
                },
                UnitError::Name("a/b".into()),
            ),
            (
                UnitRequest {
                    exec: "bin/app".into(),
                    ..base.clone()
                },
                UnitError::RelativeExec("bin/app".into()),
            ),
            (
                UnitRequest {
                    cpus: Some(0.0),
                    ..base.clone()
                },
                UnitError::Cpus("0".into()),
            ),
            (
                UnitRequest {
                    memory: Some("lots".into()),
                    ..base.clone()
                },
                UnitError::Memory("lots".into()),
            ),
            (
                UnitRequest {
                    env: vec!["1X=y".into()],
                    ..base.clone()
                },
                UnitError::Env("1X=y".into()),
            ),
            (
                UnitRequest {
                    socket: true,
                    ..base.clone()
                },
                UnitError::SocketWithoutPort,
            ),
        ];
        for (request, want) in cases {
            assert_eq!(plan(&request, &root).expect_err("refused"), want);
        }
        // A program that is not here: the unit assumes the permissive case, and says so.
        let planned = plan(&base, &root).expect("a plan");
        assert!(planned.program.is_none());
        assert!(
            planned.rendered.notes[0].contains("could not be read"),
            "{:?}",
            planned.rendered.notes
        );
        assert_eq!(planned.systemd, ASSUMED_SYSTEMD);
        assert_eq!(
            planned.service_path,
            Path::new("/etc/systemd/system/app.service")
        );
    }

    #[test]
    fn the_systemd_version_is_read_from_the_library_name() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("usr/lib/x86_64-linux-gnu/systemd");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(lib.join("libsystemd-shared-252.so"), b"").unwrap();
        let root = HostRoot::new(dir.path());
        assert_eq!(systemd_version(&root).map(|v| v.0), Some(252));
        let fedora = tempfile::tempdir().unwrap();
        let lib = fedora.path().join("usr/lib64/systemd");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(lib.join("libsystemd-shared-255.4-1.fc40.so"), b"").unwrap();
        assert_eq!(
            systemd_version(&HostRoot::new(fedora.path())).map(|v| v.0),
            Some(255)
        );
    }
}
