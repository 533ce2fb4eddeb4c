//! `doctor --fix`: the drop-in files that apply the sysctl and limits fixes of warnings
//! and failures, merged with what is already there.
//!
//! gorig writes only its own files (`/etc/sysctl.d/90-gorig.conf`,
//! `/etc/security/limits.d/90-gorig.conf`), marked by a header. Merging is by key (the
//! sysctl name; the limits domain and item), so a second run changes nothing and lines
//! an operator added stay. A file of that name without gorig's header was not written
//! by gorig: the caller backs it up before replacing it and says so.

use crate::{Finding, FixKind, Severity};

pub const SYSCTL_FILE: &str = "/etc/sysctl.d/90-gorig.conf";
pub const LIMITS_FILE: &str = "/etc/security/limits.d/90-gorig.conf";
pub const HEADER: &str = "# Written by `gorig doctor --fix`: settings Go builds and services need.";

/// One line gorig wants in a file, and the findings that asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    pub text: String,
    pub ids: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Host path.
    pub path: &'static str,
    pub kind: FixKind,
    pub lines: Vec<PlannedLine>,
}

/// The files to write for the warnings and failures in `findings`.
pub fn plan(findings: &[Finding]) -> Vec<PlannedFile> {
    let mut files = vec![
        PlannedFile {
            path: SYSCTL_FILE,
            kind: FixKind::Sysctl,
            lines: Vec::new(),
        },
        PlannedFile {
            path: LIMITS_FILE,
            kind: FixKind::Limits,
            lines: Vec::new(),
        },
    ];
    for finding in findings.iter().filter(|f| f.severity >= Severity::Warn) {
        for fix in &finding.fix {
            let Some(file) = files.iter_mut().find(|f| f.kind == fix.kind) else {
                continue;
            };
            let key = line_key(fix.kind, &fix.text);
            match file
                .lines
                .iter_mut()
                .find(|l| line_key(fix.kind, &l.text) == key)
            {
                Some(existing) => existing.ids.push(finding.id),
                None => file.lines.push(PlannedLine {
                    text: fix.text.clone(),
                    ids: vec![finding.id],
                }),
            }
        }
    }
    files.retain(|f| !f.lines.is_empty());
    files
}

/// The key a line sets: `net.core.somaxconn`, or `* nofile` for limits.
pub fn line_key(kind: FixKind, line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
        return None;
    }
    match kind {
        FixKind::Sysctl => line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_start_matches('-').replace('/', ".")),
        FixKind::Limits => {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields.len() >= 4).then(|| format!("{} {}", fields[0], fields[2]))
        }
        _ => None,
    }
}

/// The merge of a planned file with the file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub content: String,
    /// The content differs from what is on disk.
    pub changed: bool,
    /// A file exists there that gorig did not write (no header): back it up first.
    pub foreign: bool,
}

/// Merges `planned` into `existing`: gorig's lines replace lines with the same key,
/// every other line is kept, new lines are appended.
pub fn merge(planned: &PlannedFile, existing: Option<&str>) -> Merged {
    let foreign = existing.is_some_and(|text| !text.trim().is_empty() && !text.starts_with(HEADER));
    let mut lines: Vec<String> = match existing {
        Some(text) if !foreign => text.lines().map(str::to_string).collect(),
        Some(text) => {
            let mut kept = vec![HEADER.to_string()];
            kept.extend(text.lines().map(str::to_string));
            kept
        }
        None => vec![HEADER.to_string()],
    };
    if lines.first().map(String::as_str) != Some(HEADER) {
        lines.insert(0, HEADER.to_string());
    }
    for line in &planned.lines {
        let key = line_key(planned.kind, &line.text);
        let comment = format!("# {}", line.ids.join(", "));
        let same_key = |l: &String| key.is_some() && line_key(planned.kind, l) == key;
        match lines.iter().position(same_key) {
            Some(at) => {
                // Later lines win in both formats: keep one line per key, gorig's.
                lines[at] = line.text.clone();
                let mut index = 0;
                lines.retain(|l| {
                    index += 1;
                    index - 1 <= at || !same_key(l)
                });
            }
            None => {
                if !lines.contains(&comment) {
                    lines.push(comment);
                }
                lines.push(line.text.clone());
            }
        }
    }
    let mut content = lines.join("\n");
    content.push('\n');
    Merged {
        changed: existing != Some(content.as_str()),
        content,
        foreign,
    }
}
