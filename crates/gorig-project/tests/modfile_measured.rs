//! What `golang.org/x/mod/modfile` (as vendored in go1.27.3) says about the `go` and
//! `toolchain` lines of 169 go.mod/go.work texts, measured with the real parser
//! (`tests/data/modfile_parse_measured.txt`): gorig's directive check must refuse
//! exactly the texts modfile refuses for those lines, with the same line and words.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use gorig_project::directives;

/// The first `FILE:LINE: message` about go/toolchain lines in a modfile error list.
fn first_relevant(errors: &str, file: &str) -> Option<(usize, String)> {
    errors.lines().find_map(|line| {
        let rest = line.strip_prefix(file)?.strip_prefix(':')?;
        let (position, message) = rest.split_once(": ")?;
        let number = position.split(':').next()?;
        if !gorig_test::modfile_message_about_go_or_toolchain(message) {
            return None;
        }
        Some((number.parse().ok()?, message.to_string()))
    })
}

#[test]
fn go_and_toolchain_lines_are_refused_exactly_as_modfile_refuses_them() {
    let path = format!(
        "{}/tests/data/modfile_parse_measured.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("measured table");
    let mut checked = 0;
    let mut refused = 0;
    for line in text.lines().filter(|l| l.starts_with("measured\t")) {
        let fields: Vec<&str> = line.split('\t').collect();
        let input: String = serde_json::from_str(fields[1]).expect("text");
        let parse_err: String = serde_json::from_str(fields[2]).expect("parse_err");
        let work_err: String = serde_json::from_str(fields[8]).expect("work_err");
        for (errors, file) in [(&parse_err, "go.mod"), (&work_err, "go.work")] {
            let want = first_relevant(errors, file);
            let got = directives(&input).err().map(|e| (e.line, e.message));
            assert_eq!(got, want, "{file} text {input:?}: modfile says {errors:?}");
            refused += usize::from(want.is_some());
            checked += 1;
        }
    }
    assert!(checked >= 300, "{checked} texts checked");
    assert!(refused >= 40, "{refused} refusals checked");
}
