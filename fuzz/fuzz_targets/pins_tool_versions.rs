//! Fuzzes the `.tool-versions` parser: nothing panics, and a golang version it returns is
//! a non-empty word of the text.
#![no_main]

use gorig_project::tool_versions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(Some(version)) = tool_versions(text) {
        assert!(!version.is_empty() && text.contains(version));
        assert!(!version.contains(char::is_whitespace));
    }
});
