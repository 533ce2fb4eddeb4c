//! `gorig inspect BIN... [--target T]... [--target-root DIR]... [--recursive]`: reads
//! what each binary needs (gorig-elf) and says whether it runs on each target: the live
//! host (read with the doctor's probes), a directory tree, or a built-in distro profile.
//! A directory with `--recursive` is walked and its ELF files inspected in parallel.

use std::io::Read;
use std::path::{Path, PathBuf};

use gorig_elf::{
    BinaryFacts, Effect, ElfError, Outcome, Place, Probe, Target, TargetFiles, TargetLibc, Verdict,
};
use gorig_host::libc::LibcKind as HostLibc;
use gorig_host::{HostFacts, HostRoot, ProbeRequest};
use serde_json::json;

use crate::app::App;
use crate::cli::InspectArgs;
use crate::failure::{Exit, Failure};

/// A target as given on the command line, with what was read about it.
struct NamedTarget {
    name: String,
    host: Option<(HostRoot, HostFacts)>,
    /// A release profile, on the architecture it is judged for.
    profile: Option<(&'static gorig_elf::Profile, String)>,
}

/// The files of a tree (the live host's or a mounted image's), read inside its root; a
/// binary's `$ORIGIN` files that are not in the tree are read where they are. Libraries
/// are read once per run, however many binaries load them.
struct RootFiles<'a> {
    root: &'a HostRoot,
    read: std::cell::RefCell<std::collections::HashMap<Place, Loaded>>,
    /// Whole small files (`/etc/ld.so.cache`, musl's path file), read once.
    bytes: std::cell::RefCell<std::collections::HashMap<String, Option<std::rc::Rc<Vec<u8>>>>>,
}

/// What reading a library gave, kept for the next binary.
#[derive(Clone)]
enum Loaded {
    Missing,
    Bad(String),
    Elf(std::rc::Rc<BinaryFacts>),
}

impl<'a> RootFiles<'a> {
    fn new(root: &'a HostRoot) -> Self {
        RootFiles {
            root,
            read: Default::default(),
            bytes: Default::default(),
        }
    }

    fn probe(&self, place: &Place) -> Loaded {
        let real = match place {
            Place::Target(path) => match self.root.resolve(path) {
                Ok(real) => real,
                Err(_) => return Loaded::Missing,
            },
            Place::Local(path) => PathBuf::from(path),
        };
        let Ok(meta) = std::fs::metadata(&real) else {
            return Loaded::Missing;
        };
        if !meta.is_file() {
            return Loaded::Missing;
        }
        match gorig_elf::read_path(&real) {
            Ok(facts) => Loaded::Elf(std::rc::Rc::new(facts)),
            Err(ElfError::Io { .. }) => Loaded::Missing,
            Err(error) => Loaded::Bad(gorig_elf::loader::bad_elf_reason(&error, meta.len())),
        }
    }
}

impl TargetFiles for RootFiles<'_> {
    fn exists(&self, path: &str) -> bool {
        self.root.resolve(path).is_ok_and(|p| p.exists())
    }

    fn read(&self, path: &str, limit: usize) -> Option<Vec<u8>> {
        let known = self.bytes.borrow().get(path).cloned();
        let bytes = known.unwrap_or_else(|| {
            let read = (|| {
                let file = std::fs::File::open(self.root.resolve(path).ok()?).ok()?;
                let mut bytes = Vec::new();
                file.take(limit as u64).read_to_end(&mut bytes).ok()?;
                Some(std::rc::Rc::new(bytes))
            })();
            self.bytes
                .borrow_mut()
                .insert(path.to_string(), read.clone());
            read
        })?;
        Some(bytes[..bytes.len().min(limit)].to_vec())
    }

    fn elf(&self, place: &Place) -> Probe {
        let known = self.read.borrow().get(place).cloned();
        let read = match known {
            Some(read) => read,
            None => {
                let read = self.probe(place);
                self.read.borrow_mut().insert(place.clone(), read.clone());
                read
            }
        };
        match read {
            Loaded::Missing => Probe::Missing,
            Loaded::Bad(why) => Probe::Bad(why),
            Loaded::Elf(facts) => Probe::Elf(Box::new((*facts).clone())),
        }
    }
}

pub fn run(app: &App, args: &InspectArgs) -> Result<(), Failure> {
    let targets = targets(args)?;
    let files = files(args)?;
    if files.is_empty() {
        return Err(Failure::msg(Exit::NotFound, "no ELF files to inspect")
            .hint("give binaries, or a directory with --recursive"));
    }
    let results = inspect_all(&files, args.recursive);
    let trees: Vec<Option<RootFiles>> = targets
        .iter()
        .map(|t| t.host.as_ref().map(|(root, _)| RootFiles::new(root)))
        .collect();
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    for (path, result) in results {
        match result {
            Ok(facts) => {
                let verdicts: Vec<Verdict> = targets
                    .iter()
                    .zip(&trees)
                    .map(|(t, files)| judge(&facts, &path, t, files.as_ref()))
                    .collect();
                reports.push((path, facts, verdicts));
            }
            Err(ElfError::NotElf) if args.recursive => {}
            Err(error) => errors.push((path, error)),
        }
    }
    if let Some((path, error)) = errors.first()
        && !args.recursive
    {
        let exit = match error {
            ElfError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Exit::NotFound
            }
            ElfError::Io { .. } => Exit::Filesystem,
            _ => Exit::Usage,
        };
        let mut failure = match error {
            // Its message names the path; the cause follows as `caused by:`.
            ElfError::Io { path, source } => Failure::new(
                exit,
                ElfError::Io {
                    path: path.clone(),
                    source: std::io::Error::new(source.kind(), source.to_string()),
                },
            ),
            _ => Failure::msg(exit, format!("{}: {error}", path.display())),
        };
        if matches!(error, ElfError::NotElf) {
            failure = failure.hint("gorig inspect reads Linux ELF executables and libraries (a script or archive is not one)");
        }
        return Err(failure);
    }
    let any_wont = reports
        .iter()
        .any(|(_, _, verdicts)| verdicts.iter().any(|v| v.outcome == Outcome::WontRun));

    if app.printer.json {
        let files: Vec<_> = reports
            .iter()
            .map(|(path, facts, verdicts)| {
                let mut value = serde_json::to_value(facts).unwrap_or_default();
                if let Some(object) = value.as_object_mut() {
                    object.insert("path".into(), json!(path));
                    object.insert(
                        "glibc_needed".into(),
                        json!(facts.glibc_needed().map(|(_, name)| name)),
                    );
                    object.insert("dynamic".into(), json!(facts.is_dynamic()));
                    if !args.deps
                        && let Some(go) = object.get_mut("go").and_then(|g| g.as_object_mut())
                    {
                        go.remove("deps");
                    }
                    object.insert("verdicts".into(), json!(verdicts));
                }
                value
            })
            .collect();
        let errors: Vec<_> = errors
            .iter()
            .map(|(p, e)| json!({"path": p, "error": gorig_fetch::one_line(e)}))
            .collect();
        app.printer.json_line(&json!({
            "schema_version": 2,
            "targets": targets.iter().map(|t| &t.name).collect::<Vec<_>>(),
            "files": files,
            "errors": errors,
            "any_wont_run": any_wont,
        }));
    } else if args.recursive {
        app.printer.out(table(&reports, &targets));
        for (path, error) in &errors {
            app.printer.warn(format!(
                "{}: {}",
                path.display(),
                gorig_fetch::one_line(error)
            ));
        }
    } else {
        let mut text = String::new();
        for (path, facts, verdicts) in &reports {
            text.push_str(&describe(path, facts, verdicts, args.deps, &app.printer));
        }
        app.printer.out(text);
    }
    if any_wont {
        Err(Failure::silent(Exit::WontRun))
    } else {
        Ok(())
    }
}

/// The architecture this machine runs userlands of, for profiles named without one.
fn this_machine_arch() -> String {
    let machine = rustix::system::uname()
        .machine()
        .to_string_lossy()
        .into_owned();
    gorig_host::detect_arch(&HostRoot::live(), Some(&machine))
        .map(|a| a.arch.goarch().to_string())
        .unwrap_or_else(|_| "amd64".to_string())
}

/// A GOARCH from what users write after the slash (`arm64`, `aarch64`, `armv7`, ...).
fn profile_arch(text: &str) -> Option<&'static str> {
    Some(match text.to_ascii_lowercase().as_str() {
        "amd64" | "x86_64" | "x86-64" | "x64" => "amd64",
        "arm64" | "aarch64" => "arm64",
        "386" | "i386" | "i686" | "x86" => "386",
        "arm" | "armv7" | "armhf" | "armv7l" | "armv6" | "armel" => "arm",
        "ppc64le" | "ppc64el" => "ppc64le",
        "ppc64" => "ppc64",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "loong64" | "loongarch64" => "loong64",
        "mips64le" | "mips64el" => "mips64le",
        "mipsle" | "mipsel" => "mipsle",
        "mips" => "mips",
        _ => return None,
    })
}

fn targets(args: &InspectArgs) -> Result<Vec<NamedTarget>, Failure> {
    let mut targets = Vec::new();
    let mut names: Vec<String> = args.targets.clone();
    if names.is_empty() && args.target_roots.is_empty() {
        names.push("host".to_string());
    }
    let mut machine_arch: Option<String> = None;
    for name in names {
        if name == "host" {
            let root = HostRoot::live();
            let facts = probe(&root);
            targets.push(NamedTarget {
                name,
                host: Some((root, facts)),
                profile: None,
            });
            continue;
        }
        let (release, arch) = match name.split_once('/') {
            Some((release, arch)) => (release, Some(arch)),
            None => (name.as_str(), None),
        };
        let profile = gorig_elf::profiles::profile(release).ok_or_else(|| {
            Failure::msg(Exit::Usage, format!("--target {name}: no such target")).hint(format!(
                "targets: host, {} (with /ARCH for another architecture, e.g. rhel9/arm64), or --target-root DIR for a mounted image",
                gorig_elf::PROFILES
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        let arch = match arch {
            Some(text) => profile_arch(text)
                .ok_or_else(|| {
                    Failure::msg(
                        Exit::Usage,
                        format!("--target {name}: `{text}` is not an architecture gorig knows"),
                    )
                    .hint(format!(
                        "{} ships {}",
                        profile.description,
                        profile.arches.join(", ")
                    ))
                })?
                .to_string(),
            None => machine_arch.get_or_insert_with(this_machine_arch).clone(),
        };
        if !profile.arches.contains(&arch.as_str()) {
            return Err(Failure::msg(
                Exit::Usage,
                format!(
                    "--target {name}: {} has no {arch} release",
                    profile.description
                ),
            )
            .hint(format!(
                "it ships {}: name one, e.g. --target {}/{}",
                profile.arches.join(", "),
                profile.name,
                profile.arches[0]
            )));
        }
        targets.push(NamedTarget {
            name: profile.name.to_string(),
            host: None,
            profile: Some((profile, arch)),
        });
    }
    for dir in &args.target_roots {
        if !dir.is_dir() {
            return Err(Failure::msg(
                Exit::Usage,
                format!("--target-root {}: not a directory", dir.display()),
            )
            .hint("point it at the top of a machine's file tree (holding etc/, lib/, usr/)"));
        }
        let root = HostRoot::new(dir.canonicalize().unwrap_or_else(|_| dir.clone()));
        let facts = probe(&root);
        targets.push(NamedTarget {
            name: dir.display().to_string(),
            host: Some((root, facts)),
            profile: None,
        });
    }
    Ok(targets)
}

fn probe(root: &HostRoot) -> HostFacts {
    let request = ProbeRequest {
        uname_machine: root.is_live().then(|| {
            rustix::system::uname()
                .machine()
                .to_string_lossy()
                .into_owned()
        }),
        ..ProbeRequest::default()
    };
    HostFacts::probe(root, &request)
}

/// Where a binary is as the target sees it: inside the tree, or (not in it) where it is
/// on this machine, so the libraries it ships beside itself are found there.
fn place_in(root: &HostRoot, binary: &Path) -> Place {
    let real = binary
        .canonicalize()
        .unwrap_or_else(|_| binary.to_path_buf());
    let base = root.path();
    match real.strip_prefix(base) {
        Ok(inside) if root.is_live() || base != Path::new("/") => {
            Place::Target(format!("/{}", inside.display()))
        }
        _ => Place::Local(real.display().to_string()),
    }
}

/// The kernel a tree without `/proc` runs, as an assumption: the newest of its
/// `lib/modules`, else the kernel its release ships.
fn assumed_kernel(root: &HostRoot, host: &HostFacts) -> Option<((u32, u32), String)> {
    if let Ok(entries) = root.read_dir_names("/lib/modules") {
        let newest = entries
            .into_iter()
            .filter_map(|name| Some((gorig_host::libc::parse_major_minor(&name)?, name)))
            .max();
        if let Some((version, name)) = newest {
            return Some((
                version,
                format!(
                    "the kernel is taken to be {}.{}: the tree has no /proc, and lib/modules/{name} is its newest",
                    version.0, version.1
                ),
            ));
        }
    }
    let os = host.os.as_ref()?;
    let profile =
        gorig_elf::profiles::profile_for_os(&os.id, &os.id_like, os.version_id.as_deref())?;
    Some((
        profile.kernel,
        format!(
            "the kernel is taken to be {}.{}, the one {} ships: the tree has no /proc",
            profile.kernel.0, profile.kernel.1, profile.description
        ),
    ))
}

fn judge(
    facts: &BinaryFacts,
    path: &Path,
    target: &NamedTarget,
    files: Option<&RootFiles>,
) -> Verdict {
    if let Some((profile, arch)) = &target.profile {
        let t = Target {
            name: target.name.clone(),
            goarch: Some(arch.clone()),
            libc: if profile.musl {
                TargetLibc::Musl
            } else {
                TargetLibc::Glibc(profile.glibc)
            },
            kernel: Some(profile.kernel),
            kernel_assumed: None,
            amd64_level: None,
            arm64_lse: None,
            files: None,
            multiarch: false,
            profile: Some(profile),
            cpu_quota: None,
            nsswitch_hosts: None,
        };
        return gorig_elf::verdict(facts, None, &t);
    }
    let (Some((root, host)), Some(files)) = (&target.host, files) else {
        return gorig_elf::verdict(facts, None, &empty_target(&target.name));
    };
    let libc = match host.libc.kind {
        HostLibc::Glibc => TargetLibc::Glibc(host.libc.glibc_version()),
        HostLibc::Musl => TargetLibc::Musl,
        HostLibc::Unknown => TargetLibc::None,
    };
    let cpu_quota = match (&host.cgroup.cpu, host.cpus) {
        (Some(limit), Some(cpus)) if limit.cores() < f64::from(cpus) => Some((limit.cores(), cpus)),
        _ => None,
    };
    let (kernel, kernel_assumed) = match host.kernel_version() {
        Some(kernel) => (Some(kernel), None),
        None if !root.is_live() => match assumed_kernel(root, host) {
            Some((kernel, why)) => (Some(kernel), Some(why)),
            None => (None, None),
        },
        None => (None, None),
    };
    let t = Target {
        name: target.name.clone(),
        goarch: host.arch.as_ref().map(|a| a.arch.goarch().to_string()),
        libc,
        kernel,
        kernel_assumed,
        amd64_level: host
            .cpu
            .as_ref()
            .and_then(|c| c.amd64_level.map(|l| (l, c.amd64_next_missing.clone()))),
        arm64_lse: host.cpu.as_ref().and_then(|c| c.arm64_lse),
        files: Some(files),
        multiarch: host
            .os
            .as_ref()
            .is_some_and(|o| o.family == gorig_host::os_release::Family::Debian),
        profile: None,
        cpu_quota,
        nsswitch_hosts: host.nsswitch_hosts.clone(),
    };
    gorig_elf::verdict(facts, Some(&place_in(root, path)), &t)
}

fn empty_target(name: &str) -> Target<'static> {
    Target {
        name: name.to_string(),
        goarch: None,
        libc: TargetLibc::Unknown,
        kernel: None,
        kernel_assumed: None,
        amd64_level: None,
        arm64_lse: None,
        files: None,
        multiarch: false,
        profile: None,
        cpu_quota: None,
        nsswitch_hosts: None,
    }
}

/// The files to inspect: the paths given, or every regular file under directories with
/// `--recursive` (ELF or not; non-ELF files are skipped when read).
fn files(args: &InspectArgs) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for path in &args.paths {
        if path.is_dir() {
            if !args.recursive {
                return Err(Failure::msg(
                    Exit::Usage,
                    format!("{} is a directory", path.display()),
                )
                .hint(format!(
                    "gorig inspect --recursive {} inspects every ELF file in it",
                    path.display()
                )));
            }
            walk(path, &mut out);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&entry.path(), out);
        } else if kind.is_file() && starts_with_elf_magic(&entry.path()) {
            out.push(entry.path());
        }
    }
}

fn starts_with_elf_magic(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"\x7fELF"
}

/// Reads every file, on all CPUs when there are many.
fn inspect_all(files: &[PathBuf], parallel: bool) -> Vec<(PathBuf, Result<BinaryFacts, ElfError>)> {
    let workers = if parallel {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(files.len())
            .max(1)
    } else {
        1
    };
    if workers == 1 {
        return files
            .iter()
            .map(|p| (p.clone(), gorig_elf::read_path(p)))
            .collect();
    }
    // Workers take the next index and keep (index, result); sorting by index restores
    // the order the files were given in.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<BinaryFacts, ElfError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break mine };
                        mine.push((i, gorig_elf::read_path(path)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter()
        .map(|(i, r)| (files[i].clone(), r))
        .collect()
}

fn kind_text(facts: &BinaryFacts) -> String {
    let kind = match facts.kind {
        gorig_elf::FileKind::Executable => "executable",
        gorig_elf::FileKind::Pie => "PIE executable",
        gorig_elf::FileKind::StaticPie => "static PIE",
        gorig_elf::FileKind::SharedLibrary => "shared library",
        gorig_elf::FileKind::Relocatable => "relocatable object",
        gorig_elf::FileKind::Other => "ELF file",
    };
    let linkage = if facts.is_dynamic() {
        let libc = match facts.libc {
            gorig_elf::LibcKind::Glibc => "glibc",
            gorig_elf::LibcKind::Musl => "musl",
            _ => "unknown libc",
        };
        format!("dynamic ({libc})")
    } else {
        "static".to_string()
    };
    format!(
        "ELF {}-bit {} {kind}, {linkage}",
        facts.class, facts.machine_name
    )
}

fn describe(
    path: &Path,
    facts: &BinaryFacts,
    verdicts: &[Verdict],
    deps: bool,
    printer: &crate::printer::Printer,
) -> String {
    let paint = |text: &str, code: &str| printer.paint(text, code);
    let mut out = format!("{}: {}\n", path.display(), kind_text(facts));
    if let Some(interp) = &facts.interpreter {
        out.push_str(&format!("  loader    {interp}\n"));
    }
    if !facts.needed.is_empty() {
        let needs: Vec<String> = facts
            .needed
            .iter()
            .map(|lib| {
                let versions = facts
                    .version_needs
                    .iter()
                    .find(|n| &n.file == lib)
                    .and_then(|n| {
                        n.versions
                            .iter()
                            .filter_map(|v| {
                                let (prefix, _) = v.rsplit_once('_')?;
                                Some((prefix, v))
                            })
                            .max_by(|a, b| version_key(a.1).cmp(&version_key(b.1)))
                            .map(|(_, v)| v.clone())
                    });
                match versions {
                    Some(v) => format!("{lib} ({v})"),
                    None => lib.clone(),
                }
            })
            .collect();
        out.push_str(&format!("  needs     {}\n", needs.join(", ")));
    }
    if !facts.runpath.is_empty() {
        out.push_str(&format!("  runpath   {}\n", facts.runpath.join(":")));
    }
    if let Some(go) = &facts.go {
        let main = go
            .main
            .as_ref()
            .map(|m| format!("  {} {}", m.path, m.version))
            .unwrap_or_else(|| {
                go.path
                    .clone()
                    .map(|p| format!("  {p}"))
                    .unwrap_or_default()
            });
        out.push_str(&format!("  go        {}{main}\n", go.go_version));
        let shown: Vec<String> = go
            .settings
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k.as_str(),
                    "-buildmode"
                        | "-ldflags"
                        | "-tags"
                        | "-trimpath"
                        | "CGO_ENABLED"
                        | "GOOS"
                        | "GOARCH"
                        | "GOAMD64"
                        | "GOARM"
                        | "GOARM64"
                        | "GO386"
                        | "vcs.revision"
                        | "vcs.modified"
                )
            })
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !shown.is_empty() {
            out.push_str(&format!("  build     {}\n", shown.join(" ")));
        }
        if let Some(godebug) = go.setting("DefaultGODEBUG") {
            // Tens of compatibility settings: show the ones that change how it runs on a
            // host (GOMAXPROCS), and how many more there are.
            let entries: Vec<&str> = godebug.split(',').collect();
            let shown: Vec<&str> = entries
                .iter()
                .copied()
                .filter(|e| e.starts_with("containermaxprocs=") || e.starts_with("updatemaxprocs="))
                .collect();
            let more = entries.len() - shown.len();
            let tail = if more > 0 {
                format!(" (+{more} more; --json lists them)")
            } else {
                String::new()
            };
            out.push_str(&format!("  godebug   {}{tail}\n", shown.join(",")));
        }
        if deps {
            for dep in &go.deps {
                let replaced = dep
                    .replaced_by
                    .as_ref()
                    .map(|r| format!(" => {} {}", r.path, r.version))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "  dep       {} {}{replaced}\n",
                    dep.path, dep.version
                ));
            }
        }
    }
    let labels: Vec<String> = verdicts
        .iter()
        .map(|v| match &v.arch {
            Some(arch) => format!("{} ({arch})", v.target),
            None => v.target.clone(),
        })
        .collect();
    let width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for (verdict, name) in verdicts.iter().zip(&labels) {
        let label = match verdict.outcome {
            Outcome::Runs => paint("runs     ", "32"),
            Outcome::WontRun => paint("won't run", "31"),
            Outcome::Unknown => paint("unknown  ", "33"),
        };
        let pad = width - name.chars().count();
        let line = format!("  {name}{:pad$}  {label}", "");
        out.push_str(line.trim_end());
        out.push('\n');
        for reason in &verdict.reasons {
            let mark = match reason.effect {
                Effect::Blocker => "✗",
                Effect::Unknown => "?",
                Effect::Assumed => "~",
                Effect::Warning => "!",
            };
            out.push_str(&format!("  {:width$}    {mark} {}\n", "", reason.message));
        }
        // Where the loader finds what is not the C library itself.
        for library in verdict
            .libraries
            .iter()
            .filter(|l| l.found_by != gorig_elf::FoundBy::Interpreter && !is_c_library(&l.name))
        {
            let entry = library
                .entry
                .as_ref()
                .map(|e| format!(" {e}"))
                .unwrap_or_default();
            let local = if matches!(library.place, Place::Local(_)) {
                ", beside the binary on this machine"
            } else {
                ""
            };
            out.push_str(&format!(
                "  {:width$}    = {} {} ({}{entry}{local})\n",
                "",
                library.name,
                library.place.path(),
                library.found_by.text()
            ));
        }
    }
    out
}

/// The C library's own parts, which every dynamic binary loads.
fn is_c_library(name: &str) -> bool {
    name.starts_with("libc.so")
        || name.starts_with("libm.so")
        || name.starts_with("libpthread.so")
        || name.starts_with("libdl.so")
        || name.starts_with("librt.so")
        || name.starts_with("ld-linux")
}

fn version_key(v: &str) -> Vec<u32> {
    v.rsplit_once('_')
        .map(|(_, n)| n.split('.').filter_map(|p| p.parse().ok()).collect())
        .unwrap_or_default()
}

fn table(reports: &[(PathBuf, BinaryFacts, Vec<Verdict>)], targets: &[NamedTarget]) -> String {
    let mut rows: Vec<Vec<String>> = vec![{
        let mut header = vec![
            "file".to_string(),
            "kind".into(),
            "go".into(),
            "libc".into(),
            "needs".into(),
        ];
        header.extend(targets.iter().map(|t| t.name.clone()));
        header
    }];
    for (path, facts, verdicts) in reports {
        let mut row = vec![
            path.display().to_string(),
            if facts.is_dynamic() {
                "dynamic"
            } else {
                "static"
            }
            .to_string(),
            facts
                .go
                .as_ref()
                .map(|g| g.go_version.clone())
                .unwrap_or_else(|| "-".into()),
            match facts.libc {
                gorig_elf::LibcKind::Glibc => "glibc",
                gorig_elf::LibcKind::Musl => "musl",
                gorig_elf::LibcKind::None => "-",
                gorig_elf::LibcKind::Unknown => "?",
            }
            .to_string(),
            facts
                .glibc_needed()
                .map(|(_, n)| n)
                .unwrap_or_else(|| "-".into()),
        ];
        row.extend(verdicts.iter().map(|v| v.outcome.text().to_string()));
        rows.push(row);
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    let wont = reports
        .iter()
        .filter(|(_, _, v)| v.iter().any(|v| v.outcome == Outcome::WontRun))
        .count();
    out.push_str(&format!(
        "\n{} ELF files, {wont} won't run on some target\n",
        reports.len()
    ));
    out
}
