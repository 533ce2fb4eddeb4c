//! Fuzzes the go.mod parser (Go's `GoModLookup` and modfile's checks of the go and
//! toolchain lines, `gorig_project::parse`): nothing panics, a refusal names a line of
//! the text, and an accepted version prints back to itself.
#![no_main]

use std::path::Path;

use gorig_project::{Requirement, directives, go_file_requirement};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.split('\n').count();
    if let Err(e) = directives(text) {
        assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}", e.line);
    }
    match go_file_requirement(text, Path::new("/p/go.mod"), false) {
        Ok((_, Requirement::Toolchain(v) | Requirement::AtLeast(v), _)) => {
            assert_eq!(v.to_string().parse().ok(), Some(v));
        }
        Ok(_) => {}
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
