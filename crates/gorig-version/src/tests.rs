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
        "go1.1",
        "go1.20",
        "go1.20.1",
        "go1.21.0",
        "go1.21rc2",
        "go1.22beta1",
        "go1.22alpha",
        "go1.22rc",
        "go1.22.5",
        "go1.27.3",
        "go2",
        "go2.21",
        "go2.21.0",
        "go1.99999999999999999999999",
    ] {
        assert_eq!(v(name).to_string(), name);
    }
}

#[test]
fn a_missing_patch_below_minor_21_is_zero_in_every_major() {
    assert_eq!(v("1.20.0"), v("go1.20"));
    assert_eq!(v("go1.20.0").to_string(), "go1.20");
    assert_eq!(v("go1.0"), v("go1"));
    assert_eq!(v("go1.0.0").to_string(), "go1");
    assert!(v("go1.20").is_stable());
    assert_eq!(v("go1.20").patch(), Some(&Number::new(0)));
    assert_eq!(v("go2"), v("go2.0"));
    assert_eq!(v("go2.0"), v("go2.0.0"));
    assert_eq!(v("go2.5"), v("go2.5.0"));
    // From minor 21 on, goX.21 is the language version, not a release.
    assert_ne!(v("go1.21"), v("go1.21.0"));
    assert!(v("go1.21").is_language_version());
    assert!(v("go2.21").is_language_version());
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
        "go1.20alpha1",
        "go1.20beta1",
        "go1.20rc",
        "go1.20rc1",
        "go1.20rc3",
        "go1.20",
        "go1.20.1",
        "go1.20.14",
        "go1.21",
        "go1.21alpha",
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
        "go1.99999999999999998",
        "go1.99999999999999999",
        "go1.999999999999999999999",
        "go2",
        "go2.21",
        "go2.21.0",
    ];
    let parsed: Vec<GoVersion> = sorted.iter().map(|s| v(s)).collect();
    for pair in parsed.windows(2) {
        assert!(pair[0] < pair[1], "{} < {}", pair[0], pair[1]);
    }
    assert_eq!(compare_gover("x", "y"), Ordering::Equal);
    assert_eq!(compare_gover("", "1"), Ordering::Less);
    assert_eq!(compare_gover("1.21", "1.21.0"), Ordering::Less);
}

#[test]
fn rejects_what_go_rejects_with_a_reason() {
    for bad in [
        "",
        "go",
        "1.x",
        "1..2",
        "1.2.3.4",
        "1.22RC1",
        "1.22.1rc1",
        "1.22rc01",
        "01.22",
        "go1.022",
        "1rc1",
        "1.",
        "1.2.",
        " latest1",
        "1.22-rc1",
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
    // Go's own parse takes no prefix and no spaces.
    assert!(GoVersion::parse_gover("go1.22").is_err());
    assert!(GoVersion::parse_gover(" 1.22").is_err());
}

#[test]
fn reads_toolchain_names_like_go() {
    let t = |name: &str| GoVersion::from_toolchain(name).map(|v| v.to_string());
    assert_eq!(t("go1.22.5").as_deref(), Some("go1.22.5"));
    assert_eq!(t("go1.22.5+auto"), None);
    assert_eq!(t("go1.22.5-custom").as_deref(), Some("go1.22.5"));
    assert_eq!(t("gccgo-go1.22.5"), None);
    assert_eq!(t("go1.22.5 extra").as_deref(), Some("go1.22.5"));
    assert_eq!(t("go1.22").as_deref(), Some("go1.22"));
    assert_eq!(t("1.22.5"), None);
    assert_eq!(t("go1.22/x"), None);
    assert_eq!(t("default"), None);
}

#[test]
fn language_and_first_release() {
    assert_eq!(v("go1.22.5").lang().to_string(), "go1.22");
    assert_eq!(v("go1.20.3").lang().to_string(), "go1.20");
    assert_eq!(v("go1.22").first_release().to_string(), "go1.22.0");
    assert_eq!(v("go1.22rc1").first_release().to_string(), "go1.22rc1");
}

#[test]
fn reads_requests() {
    let series = |major: u64, minor: Option<u64>| VersionRequest::Series {
        major: Number::new(major),
        minor: minor.map(Number::new),
    };
    assert_eq!(r("latest"), VersionRequest::Latest);
    assert_eq!(r("stable"), VersionRequest::Latest);
    assert_eq!(r("1.22"), series(1, Some(22)));
    assert_eq!(r("go1.22"), r("1.22"));
    assert_eq!(r("1"), series(1, None));
    assert_eq!(r("go1"), series(1, None));
    assert_eq!(r("1.22.5"), VersionRequest::Exact(v("go1.22.5")));
    assert_eq!(r("go1.22.5"), r("1.22.5"));
    assert_eq!(r("1.23rc1"), VersionRequest::Exact(v("go1.23rc1")));
    assert_eq!(r("1.20.0"), VersionRequest::Exact(v("go1.20")));
    // With the prefix, go1.20 is the release Go calls go1.20; without it, the series.
    assert_eq!(r("go1.20"), VersionRequest::Exact(v("go1.20")));
    assert_eq!(r("1.20"), series(1, Some(20)));
    assert_eq!(r("1.22").to_string(), "1.22");
    assert_eq!(r("go1.22.5").to_string(), "go1.22.5");
    assert_eq!(r("1.20.0").to_string(), "go1.20");
    assert_eq!(r("go1.0").to_string(), "go1.0");
    assert_eq!(r("go2.0.0").to_string(), "go2.0");
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
    assert_eq!(pick("go1.20", false), "go1.20");
    assert_eq!(pick("1.23", false), "");
    assert_eq!(pick("1.23", true), "go1.23rc1");
    assert_eq!(pick("1.23rc1", false), "go1.23rc1");
    assert_eq!(pick("1.20.0", false), "go1.20");
    assert_eq!(pick("1.22.4", false), "");
}

/// Version names of Go's grammar, as text: any majors and minors, patches, kinds with
/// and without numbers, long numbers.
fn arb_version_text() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        (0u64..30).prop_map(|n| n.to_string()),
        Just("18446744073709551615".to_string()),
        Just("18446744073709551616".to_string()),
        Just("99999999999999999999999".to_string()),
    ];
    let kind = prop_oneof![
        Just("alpha"),
        Just("beta"),
        Just("rc"),
        Just("pre"),
        Just("z")
    ];
    let tail = prop_oneof![
        Just(String::new()),
        (0u64..20).prop_map(|p| format!(".{p}")),
        (kind, proptest::option::of(0u64..5))
            .prop_map(|(k, n)| format!("{k}{}", n.map(|n| n.to_string()).unwrap_or_default())),
    ];
    (1u64..4, proptest::option::of(number), tail).prop_map(|(major, minor, tail)| match minor {
        None => major.to_string(),
        Some(minor) => format!("{major}.{minor}{tail}"),
    })
}

fn arb_version() -> impl Strategy<Value = GoVersion> {
    arb_version_text().prop_map(|t| v(&t))
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
    fn series_dominates_then_language_prerelease_release(a in arb_version(), b in arb_version()) {
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
    fn requests_print_back(text in arb_version_text(), prefixed in any::<bool>()) {
        let text = if prefixed { format!("go{text}") } else { text };
        let request = r(&text);
        prop_assert_eq!(r(&request.to_string()), request);
    }

    #[test]
    fn selected_version_is_admitted_and_maximal(
        versions in proptest::collection::vec(arb_version(), 0..30),
        request in prop_oneof![
            Just(VersionRequest::Latest),
            (1u64..3, proptest::option::of(0u64..30)).prop_map(|(major, minor)| {
                VersionRequest::Series { major: Number::new(major), minor: minor.map(Number::new) }
            }),
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
        let _ = GoVersion::from_toolchain(&input);
    }
}

#[test]
fn an_exact_request_for_a_dot_zero_release_prints_as_go_names_it() {
    let request: VersionRequest = "go1.20.0".parse().expect("parses");
    assert_eq!(request.to_string(), "go1.20");
    assert_eq!(
        request
            .to_string()
            .parse::<VersionRequest>()
            .expect("again"),
        request
    );
}
