//! `gorig inspect BIN... [--target T]... [--target-root DIR]... [--recursive]`: reads
//! what each binary needs (gorig-elf) and says whether it runs on each target: the live
//! host (read with the doctor's probes), a directory tree, or a built-in distro profile.
//! A directory with `--recursive` is walked and its ELF files inspected in parallel.

use std::io::Read;
use std::path::{Path, PathBuf};

use gorig_elf::{BinaryFacts, ElfError, Outcome, Target, TargetFiles, TargetLibc, Verdict};
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
    profile: Option<&'static gorig_elf::Profile>,
}

struct RootFiles<'a>(&'a HostRoot);

impl TargetFiles for RootFiles<'_> {
    fn exists(&self, path: &str) -> bool {
        self.0.resolve(path).is_ok_and(|p| p.exists())
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
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    for (path, result) in results {
        match result {
            Ok(facts) => {
                let verdicts: Vec<Verdict> = targets.iter().map(|t| judge(&facts, t)).collect();
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
        let mut failure = Failure::msg(exit, format!("{}: {error}", path.display()));
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
            .map(|(p, e)| json!({"path": p, "error": e.to_string()}))
            .collect();
        app.printer.json_line(&json!({
            "schema_version": 1,
            "targets": targets.iter().map(|t| &t.name).collect::<Vec<_>>(),
            "files": files,
            "errors": errors,
            "any_wont_run": any_wont,
        }));
    } else if args.recursive {
        app.printer.out(table(&reports, &targets));
        for (path, error) in &errors {
            app.printer.warn(format!("{}: {error}", path.display()));
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

fn targets(args: &InspectArgs) -> Result<Vec<NamedTarget>, Failure> {
    let mut targets = Vec::new();
    let mut names: Vec<String> = args.targets.clone();
    if names.is_empty() && args.target_roots.is_empty() {
        names.push("host".to_string());
    }
    for name in names {
        if name == "host" {
            let root = HostRoot::live();
            let facts = probe(&root);
            targets.push(NamedTarget {
                name,
                host: Some((root, facts)),
                profile: None,
            });
        } else {
            let profile = gorig_elf::profiles::profile(&name).ok_or_else(|| {
                Failure::msg(Exit::Usage, format!("--target {name}: no such target")).hint(format!(
                    "targets: host, {} (or --target-root DIR for a mounted image)",
                    gorig_elf::PROFILES
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            targets.push(NamedTarget {
                name: profile.name.to_string(),
                host: None,
                profile: Some(profile),
            });
        }
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

fn judge(facts: &BinaryFacts, target: &NamedTarget) -> Verdict {
    if let Some(profile) = target.profile {
        let t = Target {
            name: target.name.clone(),
            goarch: None,
            libc: if profile.musl {
                TargetLibc::Musl
            } else {
                TargetLibc::Glibc(profile.glibc)
            },
            kernel: Some(profile.kernel),
            amd64_level: None,
            arm64_lse: None,
            files: None,
            cpu_quota: None,
            nsswitch_hosts: None,
        };
        return gorig_elf::verdict(facts, &t);
    }
    let Some((root, host)) = &target.host else {
        return gorig_elf::verdict(facts, &empty_target(&target.name));
    };
    let files = RootFiles(root);
    let libc = match host.libc.kind {
        HostLibc::Glibc => TargetLibc::Glibc(host.libc.glibc_version()),
        HostLibc::Musl => TargetLibc::Musl,
        HostLibc::Unknown => TargetLibc::None,
    };
    let cpu_quota = match (&host.cgroup.cpu, host.cpus) {
        (Some(limit), Some(cpus)) if limit.cores() < f64::from(cpus) => Some((limit.cores(), cpus)),
        _ => None,
    };
    let t = Target {
        name: target.name.clone(),
        goarch: host.arch.as_ref().map(|a| a.arch.goarch().to_string()),
        libc,
        kernel: host.kernel_version(),
        amd64_level: host
            .cpu
            .as_ref()
            .and_then(|c| c.amd64_level.map(|l| (l, c.amd64_next_missing.clone()))),
        arm64_lse: host.cpu.as_ref().and_then(|c| c.arm64_lse),
        files: Some(&files),
        cpu_quota,
        nsswitch_hosts: host.nsswitch_hosts.clone(),
    };
    gorig_elf::verdict(facts, &t)
}

fn empty_target(name: &str) -> Target<'static> {
    Target {
        name: name.to_string(),
        goarch: None,
        libc: TargetLibc::Unknown,
        kernel: None,
        amd64_level: None,
        arm64_lse: None,
        files: None,
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
    let width = verdicts.iter().map(|v| v.target.len()).max().unwrap_or(0);
    for verdict in verdicts {
        let label = match verdict.outcome {
            Outcome::Runs => paint("runs     ", "32"),
            Outcome::WontRun => paint("won't run", "31"),
            Outcome::Unknown => paint("unknown  ", "33"),
        };
        let line = format!("  {:width$}  {label}", verdict.target);
        out.push_str(line.trim_end());
        out.push('\n');
        for reason in &verdict.reasons {
            let mark = match reason.effect {
                "blocker" => "✗",
                "unknown" => "?",
                _ => "!",
            };
            out.push_str(&format!("  {:width$}    {mark} {}\n", "", reason.message));
        }
    }
    out
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
