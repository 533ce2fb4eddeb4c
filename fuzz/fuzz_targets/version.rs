//! Fuzzes the version and request parsers: whatever parses must print back to a string
//! that parses to the same value, and ordering must agree with equality.
#![no_main]

use gorig_version::{GoVersion, VersionRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (left, right) = text.split_once('|').unwrap_or((text, "go1.21.0"));
    if let Ok(version) = left.parse::<GoVersion>() {
        let again: GoVersion = version
            .to_string()
            .parse()
            .expect("a printed version parses");
        assert_eq!(version, again);
        if let Ok(other) = right.parse::<GoVersion>() {
            assert_eq!(version == other, version.cmp(&other).is_eq());
            assert_eq!(version.cmp(&other), other.cmp(&version).reverse());
        }
    }
    // Go's own readings never panic, and a toolchain name's version prints back.
    if let Some(version) = GoVersion::from_toolchain(left) {
        assert_eq!(version.to_string().parse::<GoVersion>().ok(), Some(version));
    }
    let _ = GoVersion::parse_go_version(left);
    let _ = gorig_version::compare_gover(left, right);
    if let Ok(request) = left.parse::<VersionRequest>() {
        let again: VersionRequest = request
            .to_string()
            .parse()
            .expect("a printed request parses");
        assert_eq!(request, again);
        if let VersionRequest::Exact(v) = &request {
            assert!(request.matches(v));
        }
    }
});
