use super::*;
use proptest::prelude::*;

fn v(s: &str) -> GoVersion {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn r(s: &str) -> VersionRequest {
    s.parse().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn parses_and_prints_release_names() {
    for name in [
        "go1",
        "go1.20",
        "go1.20.1",
        "go1.21.0",
        "go1.21rc2",
        "go1.22beta1",
        "go1.22.5",
        "go1.27.3",
    ] {
        assert_eq!(v(name).to_string(), name);
    }
}

#[test]
fn pre_1_21_first_release_has_no_dot_zero() {
    assert_eq!(v("1.20.0"), v("go1.20"));
    assert_eq!(v("go1.20.0").to_string(), "go1.20");
    assert!(v("go1.20").is_stable());
    assert_eq!(v("go1.20").patch(), Some(0));
    // From 1.21 on, go1.21 is the language version, not a release.
    assert_ne!(v("go1.21"), v("go1.21.0"));
    assert!(v("go1.21").is_language_version());
    assert!(!v("go1.21").is_stable());
    assert_eq!(v("go1.21").patch(), None);
    assert_eq!(v("go1.21.0").to_string(), "go1.21.0");
}

#[test]
fn orders_like_go_version_compare() {
    let sorted = [
        "go1",
        "go1.9.7",
        "go1.19.13",
        "go1.20beta1",
        "go1.20rc1",
        "go1.20rc3",
        "go1.20",
        "go1.20.1",
        "go1.20.14",
        "go1.21",
        "go1.21rc2",
        "go1.21rc3",
        "go1.21.0",
        "go1.21.1",
        "go1.21.13",
        "go1.22beta1",
        "go1.22rc1",
        "go1.22.0",
        "go1.22.5",
        "go1.22.10",
        "go1.27.3",
    ];
    let parsed: Vec<GoVersion> = sorted.iter().map(|s| v(s)).collect();
    for pair in parsed.windows(2) {
        assert!(pair[0] < pair[1], "{} < {}", pair[0], pair[1]);
    }
}

#[test]
fn rejects_garbage_with_a_reason() {
    for bad in [
        "",
        "go",
        "1.x",
        "1..2",
        "1.2.3.4",
        "1.22alpha1",
        "1.22rc",
        "1.22.1rc1",
        "01.22",
        "go1.022",
        "1rc1",
        " latest1",
    ] {
        let err = bad.parse::<GoVersion>().expect_err(bad);
        assert_eq!(err.input, bad);
        assert!(!err.reason.is_empty());
    }
    let err = "1.22.x".parse::<VersionRequest>().expect_err("1.22.x");
    assert!(
        err.to_string().contains("`1.22.x` is not a Go version"),
        "{err}"
    );
}

#[test]
fn reads_requests() {
    assert_eq!(r("latest"), VersionRequest::Latest);
    assert_eq!(r("stable"), VersionRequest::Latest);
    assert_eq!(
        r("1.22"),
        VersionRequest::Series {
            major: 1,
            minor: Some(22)
        }
    );
    assert_eq!(r("go1.22"), r("1.22"));
    assert_eq!(
        r("1"),
        VersionRequest::Series {
            major: 1,
            minor: None
        }
    );
    assert_eq!(r("1.22.5"), VersionRequest::Exact(v("go1.22.5")));
    assert_eq!(r("go1.22.5"), r("1.22.5"));
    assert_eq!(r("1.23rc1"), VersionRequest::Exact(v("go1.23rc1")));
    assert_eq!(r("1.20.0"), VersionRequest::Exact(v("go1.20")));
    assert_eq!(r("1.22").to_string(), "1.22");
    assert_eq!(r("go1.22.5").to_string(), "go1.22.5");
}

#[test]
fn selects_newest_stable_unless_unstable_is_asked() {
    let available: Vec<GoVersion> = [
        "go1.20",
        "go1.20.14",
        "go1.21.0",
        "go1.21.13",
        "go1.22rc1",
        "go1.22.0",
        "go1.22.5",
        "go1.23rc1",
    ]
    .iter()
    .map(|s| v(s))
    .collect();
    let pick = |req: &str, unstable: bool| {
        r(req)
            .select(&available, unstable)
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(pick("latest", false), "go1.22.5");
    assert_eq!(pick("latest", true), "go1.23rc1");
    assert_eq!(pick("1.22", false), "go1.22.5");
    assert_eq!(pick("1.20", false), "go1.20.14");
    assert_eq!(pick("1.23", false), "");
    assert_eq!(pick("1.23", true), "go1.23rc1");
    assert_eq!(pick("1.23rc1", false), "go1.23rc1");
    assert_eq!(pick("1.20.0", false), "go1.20");
    assert_eq!(pick("1.22.4", false), "");
}

fn arb_version() -> impl Strategy<Value = GoVersion> {
    let pre = prop_oneof![
        Just(None),
        (1u32..5).prop_map(|n| Some(PreRelease::Beta(n))),
        (1u32..5).prop_map(|n| Some(PreRelease::Rc(n))),
    ];
    (1u32..3, 0u32..30, proptest::option::of(0u32..20), pre).prop_map(
        |(major, minor, patch, pre)| {
            let patch = if pre.is_some() { None } else { patch };
            GoVersion::normalised(major, minor, patch, pre)
        },
    )
}

proptest! {
    #[test]
    fn display_then_parse_is_identity(version in arb_version()) {
        let text = version.to_string();
        prop_assert_eq!(text.parse::<GoVersion>().ok(), Some(version));
    }

    #[test]
    fn ordering_is_total_and_consistent_with_eq(a in arb_version(), b in arb_version()) {
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        prop_assert_eq!(a.cmp(&b) == Ordering::Equal, a == b);
    }

    #[test]
    fn ordering_is_transitive(a in arb_version(), b in arb_version(), c in arb_version()) {
        if a <= b && b <= c {
            prop_assert!(a <= c);
        }
    }

    #[test]
    fn series_dominates_then_prerelease_then_patch(a in arb_version(), b in arb_version()) {
        if a.series() != b.series() {
            prop_assert_eq!(a.cmp(&b), a.series().cmp(&b.series()));
        } else if a.is_stable() && b.is_prerelease() {
            prop_assert!(a > b);
        } else if a.is_stable() && b.is_stable() {
            prop_assert_eq!(a.cmp(&b), a.patch().cmp(&b.patch()));
        } else if a.is_language_version() && !b.is_language_version() {
            prop_assert!(a < b);
        }
    }

    #[test]
    fn selected_version_is_admitted_and_maximal(
        versions in proptest::collection::vec(arb_version(), 0..30),
        request in prop_oneof![
            Just(VersionRequest::Latest),
            (1u32..3, proptest::option::of(0u32..30))
                .prop_map(|(major, minor)| VersionRequest::Series { major, minor }),
            arb_version().prop_map(VersionRequest::Exact),
        ],
        unstable in any::<bool>(),
    ) {
        match request.select(&versions, unstable) {
            Some(best) => {
                prop_assert!(request.admits(best, unstable));
                for other in versions.iter().filter(|o| request.admits(o, unstable)) {
                    prop_assert!(other <= best);
                }
            }
            None => prop_assert!(versions.iter().all(|o| !request.admits(o, unstable))),
        }
    }

    #[test]
    fn parser_never_panics(input in ".{0,20}") {
        let _ = input.parse::<GoVersion>();
        let _ = input.parse::<VersionRequest>();
    }
}

#[test]
fn an_exact_request_for_a_dot_zero_release_prints_as_one() {
    let request: VersionRequest = "go1.20.0".parse().expect("parses");
    assert_eq!(request.to_string(), "go1.20.0");
    assert_eq!(
        request
            .to_string()
            .parse::<VersionRequest>()
            .expect("again"),
        request
    );
}
