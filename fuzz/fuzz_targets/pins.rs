//! Fuzzes the pin parsers (go.mod/go.work directives as Go's selection and modfile read
//! them, `.go-version`, `.tool-versions`): nothing panics, a refusal names a line of the
//! text, and an accepted toolchain line names a version that prints back.
#![no_main]

use std::path::Path;

use gorig_store::pins::{Requirement, directives, go_file_requirement, go_version_file, tool_versions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.split('\n').count();
    if let Err(e) = directives(text) {
        assert!(e.line >= 1 && e.line <= lines, "line {} of {lines}", e.line);
    }
    for work in [false, true] {
        match go_file_requirement(text, Path::new("/p/go.mod"), work) {
            Ok((_, Requirement::Toolchain(v) | Requirement::AtLeast(v), _)) => {
                assert_eq!(v.to_string().parse().ok(), Some(v));
            }
            Ok(_) => {}
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
    let _ = go_version_file(text);
    let _ = tool_versions(text);
});
