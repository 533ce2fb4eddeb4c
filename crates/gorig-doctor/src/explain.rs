//! Which findings could explain a failed build or test: a table of what failing Go
//! output says ("too many open files") and the findings that cause it. Build findings
//! (noexec temp dir, full disk, unwritable caches) can explain any failed build; the
//! others only when their symptom is in the output, and those come first.

use crate::{Finding, Group, Severity};

/// Output symptoms (lower case) and the findings that explain them.
pub const SYMPTOMS: [(&str, &[&str]); 6] = [
    ("permission denied", &["GORIG-BUILD-003", "GORIG-BUILD-005"]),
    ("no space left on device", &["GORIG-BUILD-004"]),
    ("too many open files", &["GORIG-LIM-001"]),
    (
        "cannot assign requested address",
        &["GORIG-NET-001", "GORIG-NET-003"],
    ),
    (
        "resource temporarily unavailable",
        &["GORIG-LIM-002", "GORIG-RT-004", "GORIG-LIM-004"],
    ),
    ("i/o timeout", &["GORIG-DNS-002", "GORIG-DNS-004"]),
];

/// The groups whose findings can explain a failed step.
pub const EXPLAINING_GROUPS: [Group; 5] = [
    Group::Build,
    Group::Runtime,
    Group::Limits,
    Group::Network,
    Group::Dns,
];

/// The warnings and failures among `findings` that could explain `output` (the failed
/// steps' text), those whose symptom appears in it first, then by severity.
pub fn explain(findings: Vec<Finding>, output: &str) -> Vec<Finding> {
    let output = output.to_lowercase();
    let suspected: Vec<&str> = SYMPTOMS
        .iter()
        .filter(|(symptom, _)| output.contains(symptom))
        .flat_map(|(_, ids)| ids.iter().copied())
        .collect();
    let mut relevant: Vec<Finding> = findings
        .into_iter()
        .filter(|f| f.severity >= Severity::Warn)
        .filter(|f| f.group == Group::Build || suspected.contains(&f.id))
        .collect();
    relevant.sort_by_key(|f| (!suspected.contains(&f.id), std::cmp::Reverse(f.severity)));
    relevant
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CHECKS;

    fn finding(id: &'static str, severity: Severity) -> Finding {
        let check = CHECKS.iter().find(|c| c.id == id).expect("a known id");
        Finding {
            id: check.id,
            group: check.group,
            severity,
            title: String::new(),
            evidence: Vec::new(),
            why: String::new(),
            fix: Vec::new(),
        }
    }

    #[test]
    fn every_id_in_the_table_is_a_check() {
        for (symptom, ids) in SYMPTOMS {
            assert_eq!(symptom, symptom.to_lowercase());
            for id in ids {
                let check = CHECKS.iter().find(|c| c.id == *id);
                let check = check.unwrap_or_else(|| panic!("{id} is no check"));
                assert!(EXPLAINING_GROUPS.contains(&check.group), "{id}");
            }
        }
    }

    #[test]
    fn the_symptom_in_the_output_puts_its_finding_first() {
        let findings = vec![
            finding("GORIG-BUILD-004", Severity::Fail),
            finding("GORIG-LIM-001", Severity::Warn),
            finding("GORIG-DNS-002", Severity::Warn),
            finding("GORIG-BUILD-003", Severity::Ok),
        ];
        let explained = explain(findings.clone(), "open x: Too many open files\n");
        let ids: Vec<&str> = explained.iter().map(|f| f.id).collect();
        // DNS has no symptom in the output; an ok finding explains nothing.
        assert_eq!(ids, ["GORIG-LIM-001", "GORIG-BUILD-004"]);
        let ids: Vec<&str> = explain(findings, "").iter().map(|f| f.id).collect();
        assert_eq!(ids, ["GORIG-BUILD-004"]);
    }
}
