//! Fuzzes the `.go-version` parser: nothing panics, and what it returns is a non-empty
//! piece of the text without surrounding space.
#![no_main]

use gorig_project::go_version_file;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(version) = go_version_file(text) {
        assert!(!version.is_empty() && text.contains(version));
        assert_eq!(version.trim(), version);
    }
});
