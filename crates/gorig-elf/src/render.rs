//! `inspect`'s report as text: each file's facts and its verdict per target with the
//! reasons, or (for a walked directory) one table row per file.

use crate::inspect::{FileReport, Inspection};
use crate::{BinaryFacts, Effect, Outcome, Place};

/// `ELF 64-bit x86-64 PIE executable, dynamic (glibc)`.
pub fn kind_text(facts: &BinaryFacts) -> String {
    let kind = match facts.kind {
        crate::FileKind::Executable => "executable",
        crate::FileKind::Pie => "PIE executable",
        crate::FileKind::StaticPie => "static PIE",
        crate::FileKind::SharedLibrary => "shared library",
        crate::FileKind::Relocatable => "relocatable object",
        crate::FileKind::Other => "ELF file",
    };
    let linkage = if facts.is_dynamic() {
        let libc = match facts.libc {
            crate::LibcKind::Glibc => "glibc",
            crate::LibcKind::Musl => "musl",
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

/// One file's facts and verdicts as lines of text; `paint(text, sgr)` colours a label.
pub fn describe(report: &FileReport, deps: bool, paint: &dyn Fn(&str, &str) -> String) -> String {
    let FileReport {
        path,
        facts,
        verdicts,
    } = report;
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
            .filter(|l| l.found_by != crate::FoundBy::Interpreter && !is_c_library(&l.name))
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

/// A row per file and a column per target, with a count of files that will not run.
/// The reasons that stop a binary on a target.
fn blockers(verdict: &crate::Verdict) -> Vec<&crate::Reason> {
    verdict
        .reasons
        .iter()
        .filter(|r| r.effect == Effect::Blocker)
        .collect()
}

pub fn table(inspection: &Inspection) -> String {
    let reports = &inspection.files;
    let mut rows: Vec<Vec<String>> = vec![{
        let mut header = vec![
            "file".to_string(),
            "kind".into(),
            "go".into(),
            "libc".into(),
            "needs".into(),
        ];
        header.extend(inspection.targets.iter().cloned());
        header
    }];
    for FileReport {
        path,
        facts,
        verdicts,
    } in reports
    {
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
                crate::LibcKind::Glibc => "glibc",
                crate::LibcKind::Musl => "musl",
                crate::LibcKind::None => "-",
                crate::LibcKind::Unknown => "?",
            }
            .to_string(),
            facts
                .glibc_needed()
                .map(|(_, n)| n)
                .unwrap_or_else(|| "-".into()),
        ];
        // A "won't run" names its checks in the cell; the reasons follow the table.
        row.extend(verdicts.iter().map(|v| match blockers(v) {
            checks if checks.is_empty() => v.outcome.text().to_string(),
            checks => format!(
                "{}: {}",
                v.outcome.text(),
                checks.iter().map(|r| r.check).collect::<Vec<_>>().join(",")
            ),
        }));
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
        .filter(|f| f.verdicts.iter().any(|v| v.outcome == Outcome::WontRun))
        .count();
    let mut why = String::new();
    for report in reports {
        for verdict in &report.verdicts {
            for reason in blockers(verdict) {
                why.push_str(&format!(
                    "  {} on {}: {}\n",
                    report.path.display(),
                    verdict.target,
                    reason.message
                ));
            }
        }
    }
    if !why.is_empty() {
        out.push_str("\nwhy they won't run:\n");
        out.push_str(&why);
    }
    out.push_str(&format!(
        "\n{} ELF files, {wont} won't run on some target\n",
        reports.len()
    ));
    out
}
