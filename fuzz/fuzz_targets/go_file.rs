//! What the go.mod and go.work fuzz targets check: nothing panics, a refusal names a line
//! of the text, and an accepted version prints back to itself.

use std::path::Path;

use gorig_project::{Requirement, directives, go_file_requirement};

pub fn check(data: &[u8], path: &str, work: bool) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.split('\n').count();
    if let Err(e) = directives(text) {
        assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}", e.line);
    }
    match go_file_requirement(text, Path::new(path), work) {
        Ok((_, Requirement::Toolchain(v) | Requirement::AtLeast(v), _)) => {
            assert_eq!(v.to_string().parse().ok(), Some(v));
        }
        Ok(_) => {}
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}
