//! The doctor's human output: the host line, then findings worst first (failures and
//! warnings with their evidence, reason and fix; info and ok one line each unless
//! verbose), then the counts. Colour is ANSI, only when asked for.

use std::fmt::Write;

use crate::{FixKind, Report, Severity};

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn label(severity: Severity, color: bool) -> String {
    let (text, code) = match severity {
        Severity::Fail => ("FAIL", "1;31"),
        Severity::Warn => ("WARN", "1;33"),
        Severity::Info => ("INFO", "36"),
        Severity::Ok => ("ok  ", "32"),
    };
    paint(text, code, color)
}

fn fix_prefix(kind: FixKind) -> &'static str {
    match kind {
        FixKind::Sysctl => "sysctl.d ",
        FixKind::Limits => "limits.d ",
        FixKind::Systemd => "unit     ",
        FixKind::Env => "env      ",
        FixKind::Command => "run      ",
        FixKind::Manual => "         ",
    }
}

/// Renders the report as the table `gorig doctor` prints.
pub fn human(report: &Report, verbose: bool, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", paint(&report.host.line(), "1", color));
    if report.host.root != "/" {
        let _ = writeln!(out, "root: {}", report.host.root);
    }
    let _ = writeln!(out);
    let mut findings: Vec<_> = report.findings.iter().collect();
    // Worst first; within a severity, the registry's order (by group).
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let width = findings.iter().map(|f| f.id.len()).max().unwrap_or(0);
    for finding in findings {
        let _ = writeln!(
            out,
            "{}  {}  {}",
            label(finding.severity, color),
            paint(&format!("{:width$}", finding.id), "2", color),
            finding.title
        );
        let detailed = verbose || finding.severity >= Severity::Warn;
        if !detailed {
            continue;
        }
        let indent = " ".repeat(width + 8);
        for evidence in &finding.evidence {
            let _ = writeln!(out, "{indent}{}: {}", evidence.source, evidence.value);
        }
        if !finding.why.is_empty() {
            let _ = writeln!(out, "{indent}{} {}", paint("why", "2", color), finding.why);
        }
        for fix in &finding.fix {
            let _ = writeln!(
                out,
                "{indent}{} {}{}",
                paint("fix", "1", color),
                fix_prefix(fix.kind),
                fix.text
            );
        }
    }
    let s = report.summary;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} fail · {} warn · {} info · {} ok",
        paint(
            &s.fail.to_string(),
            if s.fail > 0 { "1;31" } else { "0" },
            color
        ),
        paint(
            &s.warn.to_string(),
            if s.warn > 0 { "1;33" } else { "0" },
            color
        ),
        s.info,
        s.ok
    );
    out
}
