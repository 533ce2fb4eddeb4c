//! Fuzzes the release-index parser and resolver: any bytes a mirror sends must give an
//! index or an error, never a panic, and whatever resolves must name a well-formed file.
#![no_main]

use gorig_host::{GoArch, Platform};
use gorig_index::Index;
use gorig_version::VersionRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(index) = Index::parse(data, "fuzz://index.json") else {
        return;
    };
    let platform = Platform { os: "linux", arch: GoArch::Amd64 };
    let mut requests = vec![VersionRequest::Latest];
    for release in index.releases().iter().take(8) {
        requests.push(VersionRequest::Exact(release.version.clone()));
        let (major, minor) = release.version.series();
        requests.push(VersionRequest::Series {
            major: major.clone(),
            minor: Some(minor.clone()),
        });
    }
    for request in &requests {
        for unstable in [false, true] {
            if let Ok(artifact) = index.resolve(request, &platform, unstable) {
                assert!(request.matches(&artifact.version));
                assert_eq!(artifact.sha256.len(), 64);
                assert!(!artifact.filename.contains('/'));
            }
        }
    }
});
