use super::*;
use gorig_version::GoArch;
use proptest::prelude::*;

const SAMPLE: &[u8] = include_bytes!("../testdata/go-dev-linux-sample.json");

fn sample() -> Index {
    Index::parse(SAMPLE, "sample.json").expect("the sample parses")
}

fn req(s: &str) -> VersionRequest {
    s.parse().expect("request")
}

fn file(version: &str, arch: &str) -> ReleaseFile {
    ReleaseFile {
        filename: format!("{version}.linux-{arch}.tar.gz"),
        os: "linux".into(),
        arch: arch.into(),
        version: version.into(),
        sha256: "ab".repeat(32),
        size: 1234,
        kind: "archive".into(),
    }
}

fn release(version: &str, arches: &[&str]) -> RawRelease {
    RawRelease {
        version: version.into(),
        stable: !version.contains("rc") && !version.contains("beta"),
        files: arches.iter().map(|a| file(version, a)).collect(),
    }
}

fn synthetic() -> Index {
    Index::from_raw(vec![
        release("go1.20", &["amd64"]),
        release("go1.20.14", &["amd64", "arm64"]),
        release("go1.21.0", &["amd64"]),
        release("go1.22rc1", &["amd64"]),
        release("go1.22.0", &["amd64"]),
        release("go1.22.5", &["amd64", "armv6l", "s390x"]),
        release("go1.23rc1", &["amd64"]),
        release("go1.24beta1", &["amd64"]),
    ])
}

const AMD64: Platform = Platform {
    os: "linux",
    arch: GoArch::Amd64,
};

#[test]
fn parses_the_go_dev_shape_with_real_checksums() {
    let index = sample();
    let versions: Vec<String> = index
        .releases()
        .iter()
        .map(|r| r.version.to_string())
        .collect();
    assert_eq!(
        versions,
        ["go1.27.0", "go1.26.7", "go1.24.0", "go1.23.0", "go1.22.5"]
    );
    let artifact = index
        .resolve(&req("1.22"), &AMD64, false)
        .expect("1.22 resolves");
    assert_eq!(artifact.filename, "go1.22.5.linux-amd64.tar.gz");
    assert_eq!(
        artifact.digest,
        Digest::Known(
            Sha256::parse("904b924d435eaea086515bc63235b192ea441bd8c9b198c507e85009e6e4c7f0")
                .expect("hex")
        )
    );
    assert_eq!(
        Sha256::parse("AB".repeat(32).as_str()).map(|s| s.to_string()),
        Some("ab".repeat(32))
    );
    assert_eq!(Sha256::parse("abc"), None);
    assert_eq!(artifact.size, None);
    let arm = index
        .resolve(&req("latest"), &Platform::linux(GoArch::Arm), false)
        .expect("armv6l exists");
    assert_eq!(arm.filename, "go1.27.0.linux-armv6l.tar.gz");
    for arch in GoArch::ALL {
        index
            .resolve(&req("go1.27.0"), &Platform::linux(arch), false)
            .unwrap_or_else(|e| panic!("{arch}: {e}"));
    }
}

#[test]
fn resolves_requests_by_go_rules() {
    let index = synthetic();
    let pick = |r: &str, unstable: bool| {
        index
            .resolve(&req(r), &AMD64, unstable)
            .map(|a| a.version.to_string())
    };
    assert_eq!(pick("latest", false).as_deref(), Ok("go1.22.5"));
    assert_eq!(pick("latest", true).as_deref(), Ok("go1.24beta1"));
    assert_eq!(pick("1.20", false).as_deref(), Ok("go1.20.14"));
    assert_eq!(pick("1.20.0", false).as_deref(), Ok("go1.20"));
    assert_eq!(pick("go1.22.0", false).as_deref(), Ok("go1.22.0"));
    assert_eq!(pick("1.23rc1", false).as_deref(), Ok("go1.23rc1"));
    assert_eq!(pick("1.23", true).as_deref(), Ok("go1.23rc1"));
}

#[test]
fn a_series_with_only_prereleases_asks_for_unstable() {
    let err = synthetic()
        .resolve(&req("1.23"), &AMD64, false)
        .expect_err("only rc");
    assert_eq!(
        err.to_string(),
        "`1.23` matches only prereleases (go1.23rc1); add --unstable to allow them, or name one exactly"
    );
}

#[test]
fn unknown_versions_name_the_nearest_ones() {
    let index = synthetic();
    let err = index
        .resolve(&req("1.22.9"), &AMD64, false)
        .expect_err("no 1.22.9");
    assert_eq!(
        err.to_string(),
        "no Go release matches `go1.22.9`; nearest releases: go1.21.0, go1.22.0, go1.22.5"
    );
    let err = index
        .resolve(&req("1.19"), &AMD64, false)
        .expect_err("no 1.19");
    assert!(
        err.to_string()
            .ends_with("nearest releases: go1.20, go1.20.14, go1.21.0"),
        "{err}"
    );
    let err = Index::default()
        .resolve(&req("latest"), &AMD64, false)
        .expect_err("empty");
    assert_eq!(err.to_string(), "no Go release matches `latest`");
}

#[test]
fn a_missing_arch_lists_the_arches_that_exist() {
    let err = synthetic()
        .resolve(&req("1.22.5"), &Platform::linux(GoArch::Riscv64), false)
        .expect_err("no riscv64");
    assert_eq!(
        err.to_string(),
        "go1.22.5 has no Linux archive for riscv64; it has archives for: amd64, armv6l, s390x"
    );
}

#[test]
fn archives_with_unexpected_names_or_bad_checksums_are_not_used() {
    let mut hostile = release("go1.22.5", &["amd64"]);
    hostile.files[0].filename = "../../etc/passwd".into();
    let index = Index::from_raw(vec![hostile]);
    assert!(matches!(
        index.resolve(&req("1.22.5"), &AMD64, false),
        Err(IndexError::NoArchive { .. })
    ));

    let mut unsummed = release("go1.22.5", &["amd64"]);
    unsummed.files[0].sha256 = String::new();
    let index = Index::from_raw(vec![unsummed]);
    assert_eq!(
        index.resolve(&req("1.22.5"), &AMD64, false),
        Err(IndexError::NoChecksum {
            filename: "go1.22.5.linux-amd64.tar.gz".into()
        })
    );
}

#[test]
fn bad_documents_name_the_url_and_the_problem() {
    let err = Index::parse(b"<!DOCTYPE html><html>", "http://m/index.json").expect_err("html");
    assert!(
        err.to_string().starts_with(
            "the release index from http://m/index.json is not valid: it is an HTML page"
        ),
        "{err}"
    );
    let err = Index::parse(b"", "u").expect_err("empty");
    assert_eq!(
        err.to_string(),
        "the release index from u is not valid: it is empty"
    );
    let err =
        Index::parse(br#"[{"version": "go1.22.5", "stable": true}]"#, "u").expect_err("no files");
    assert!(err.to_string().contains("missing field `files`"), "{err}");
    // The field, the line and what was expected.
    let err = Index::parse(
        br#"[{"version": "go1.22.5", "stable": true, "files": []},
{"version": "go1.22.4", "stable": true, "files": [{"filename": "a", "os": "linux", "arch": "amd64", "version": "go1.22.4", "sha256": 123, "size": 1, "kind": "archive"}]}]"#,
        "u",
    )
    .expect_err("a number for a digest");
    let text = err.to_string();
    assert!(
        text.contains(
            "`[1].files[0].sha256`: invalid type: integer `123`, expected a string at line 2"
        ),
        "{text}"
    );
    let err = Index::parse(
        br#"[{"version": "go1.22.5", "stable": true, "files": [{"filename": "x"}]}]"#,
        "u",
    )
    .expect_err("no os");
    assert!(err.to_string().contains("missing field"), "{err}");
}

#[test]
fn unreadable_versions_are_skipped_not_fatal() {
    let index = Index::parse(
        br#"[{"version": "weekly.2011-01-01", "stable": false, "files": []},
             {"version": "go1.22.5", "stable": true, "files": []}]"#,
        "u",
    )
    .expect("parses");
    assert_eq!(index.releases().len(), 1);
}

proptest! {
    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Index::parse(&bytes, "fuzz");
    }
}

#[test]
fn a_release_is_listed_once_under_the_name_the_index_gives_it() {
    let file = |name: &str| {
        serde_json::json!({"filename": format!("{name}.linux-amd64.tar.gz"), "os": "linux", "arch": "amd64",
            "version": name, "sha256": "a".repeat(64), "size": 1, "kind": "archive"})
    };
    let doc = serde_json::json!([
        {"version": "go2", "stable": true, "files": [file("go2")]},
        {"version": "go2.0", "stable": true, "files": [file("go2.0")]},
        {"version": "go2.0.0", "stable": true, "files": [file("go2.0.0")]},
        {"version": "go1.20", "stable": true, "files": [file("go1.20")]},
        {"version": "1.19", "stable": true, "files": []},
        {"version": "go1.22alpha1", "stable": false, "files": []},
    ]);
    let index = Index::parse(doc.to_string().as_bytes(), "test").expect("parses");
    let names: Vec<&str> = index.releases().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["go2", "go1.22alpha1", "go1.20"]);
    // The archive is the one the index names for that entry.
    let go2 = &index.releases()[0];
    assert_eq!(
        go2.archive_for(&AMD64).map(|f| f.filename.as_str()),
        Some("go2.linux-amd64.tar.gz")
    );
}

#[test]
fn a_listing_shows_prereleases_only_while_newer_than_every_stable_release() {
    let index = synthetic();
    let names = |all| -> Vec<String> {
        index
            .listed(all)
            .iter()
            .map(|r| r.version.to_string())
            .collect()
    };
    assert_eq!(
        names(false),
        [
            "go1.24beta1",
            "go1.23rc1",
            "go1.22.5",
            "go1.22.0",
            "go1.21.0",
            "go1.20.14",
            "go1.20"
        ]
    );
    assert_eq!(names(true).len(), 8);
    assert!(names(true).contains(&"go1.22rc1".to_string()));
}
