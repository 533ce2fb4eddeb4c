use super::*;
use std::collections::HashMap;

fn files(pairs: &[(&str, &str)]) -> HashMap<PathBuf, String> {
    pairs
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.to_string()))
        .collect()
}

fn load_from(
    tree: &HashMap<PathBuf, String>,
    env: Option<&str>,
    vars: &[(&str, &str)],
) -> Result<Loaded, LoadError> {
    let read = |p: &Path| {
        tree.get(p)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    };
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = |name: &str| vars.get(name).cloned();
    load(Path::new("/etc/gorig/gorig.yaml"), env, &read, &lookup)
}

const BASE: &str = r#"version: 1
include: [sources.yaml]
toolchains: ["1.27", "1.26.6"]
default: "1.27"
go_env:
  GOPROXY: "https://${PROXY_HOST}/goproxy,direct"
  GOPRIVATE: "*.corp.example"
tune:
  profile: service
units:
  - name: api
    exec: /opt/api/bin/api
    ports: [9876]
    memory: 1G
environments:
  prod:
    toolchains: ["1.27"]
    tune:
      qps: 800
    go_env:
      GOFLAGS: "-mod=readonly"
"#;

const SOURCES: &str = "sources:\n  mirrors: [\"https://mirror.corp.example/go/\"]\n  keyrings: [/etc/gorig/corp.asc]\ntoolchains: [\"1.25\"]\n";

#[test]
fn includes_environments_and_variables_resolve_in_that_order() {
    let tree = files(&[
        ("/etc/gorig/gorig.yaml", BASE),
        ("/etc/gorig/sources.yaml", SOURCES),
    ]);
    let base = load_from(&tree, None, &[("PROXY_HOST", "proxy.corp.example")]).expect("loads");
    let d = &base.desired;
    // The including file's own keys win over the include's.
    assert_eq!(
        d.toolchains.as_deref(),
        Some(&["1.27".to_string(), "1.26.6".to_string()][..])
    );
    assert_eq!(
        d.sources.as_ref().and_then(|s| s.mirrors.clone()),
        Some(vec!["https://mirror.corp.example/go/".to_string()])
    );
    assert_eq!(
        d.go_env.as_ref().and_then(|g| g.GOPROXY.clone()).as_deref(),
        Some("https://proxy.corp.example/goproxy,direct")
    );
    assert_eq!(
        base.files,
        [
            PathBuf::from("/etc/gorig/gorig.yaml"),
            PathBuf::from("/etc/gorig/sources.yaml")
        ]
    );
    let prod = load_from(&tree, Some("prod"), &[("PROXY_HOST", "p")])
        .expect("loads")
        .desired;
    // Lists are replaced, maps merged key by key.
    assert_eq!(prod.toolchains.as_deref(), Some(&["1.27".to_string()][..]));
    let tune = prod.tune.expect("tune");
    assert_eq!(
        (tune.profile.as_deref(), tune.qps),
        (Some("service"), Some(800))
    );
    let go = prod.go_env.expect("go_env");
    assert_eq!(go.GOFLAGS.as_deref(), Some("-mod=readonly"));
    assert_eq!(go.GOPRIVATE.as_deref(), Some("*.corp.example"));
}

#[test]
fn bad_input_names_the_file_the_place_and_what_to_do() {
    let tree = files(&[
        ("/etc/gorig/gorig.yaml", BASE),
        ("/etc/gorig/sources.yaml", SOURCES),
    ]);
    assert_eq!(
        load_from(&tree, None, &[]).expect_err("unset"),
        LoadError::UnsetVariable {
            path: "/etc/gorig/gorig.yaml".into(),
            name: "PROXY_HOST".into()
        }
    );
    let err = load_from(&tree, Some("staging"), &[("PROXY_HOST", "p")]).expect_err("no such env");
    assert_eq!(
        err.to_string(),
        "no environment `staging` in /etc/gorig/gorig.yaml (it has: prod)"
    );
    let typo = files(&[(
        "/etc/gorig/gorig.yaml",
        "version: 1\ntoolchain: [\"1.27\"]\n",
    )]);
    let text = load_from(&typo, None, &[])
        .expect_err("unknown key")
        .to_string();
    assert!(text.starts_with("/etc/gorig/gorig.yaml: "), "{text}");
    assert!(text.contains("line 2 column 1"), "{text}");
    assert!(text.contains("(did you mean `toolchains`?)"), "{text}");
    let nested = files(&[(
        "/etc/gorig/gorig.yaml",
        "units:\n  - name: a\n    exec: /a\n    prots: [1]\n",
    )]);
    let text = load_from(&nested, None, &[])
        .expect_err("unknown unit key")
        .to_string();
    assert!(
        text.contains("line 4") && text.contains("`ports`"),
        "{text}"
    );
    let looped = files(&[
        ("/etc/gorig/gorig.yaml", "include: [a.yaml]\n"),
        ("/etc/gorig/a.yaml", "include: [gorig.yaml]\n"),
    ]);
    assert!(matches!(
        load_from(&looped, None, &[]),
        Err(LoadError::IncludeLoop { .. })
    ));
    let missing = files(&[("/etc/gorig/gorig.yaml", "include: [nowhere.yaml]\n")]);
    assert_eq!(
        load_from(&missing, None, &[])
            .expect_err("missing")
            .to_string(),
        "could not read /etc/gorig/nowhere.yaml: no such file"
    );
    let deep_env = files(&[(
        "/etc/gorig/gorig.yaml",
        "environments:\n  prod:\n    include: [x.yaml]\n",
    )]);
    assert!(matches!(
        load_from(&deep_env, None, &[]),
        Err(LoadError::NestedInEnvironment { key: "include", .. })
    ));
    let version = files(&[("/etc/gorig/gorig.yaml", "version: 2\n")]);
    assert!(matches!(
        load_from(&version, None, &[]),
        Err(LoadError::Version { version: 2, .. })
    ));
    // `$${` is a literal `${`.
    let literal = files(&[(
        "/etc/gorig/gorig.yaml",
        "go_env:\n  GOFLAGS: \"-ldflags=$${X}\"\n",
    )]);
    let go = load_from(&literal, None, &[])
        .expect("loads")
        .desired
        .go_env
        .expect("go_env");
    assert_eq!(go.GOFLAGS.as_deref(), Some("-ldflags=${X}"));
}

#[test]
fn hostile_yaml_ends_in_a_clear_error() {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    let deep = format!("toolchains: {}{}\n", "[".repeat(200), "]".repeat(200));
    let huge = format!("default: \"{}\"\n", "x".repeat(MAX_FILE_BYTES + 1));
    for text in [
        bomb.to_string(),
        deep,
        huge,
        "toolchains: [1.27\n".to_string(),
        "\u{0}\u{ff}".to_string(),
    ] {
        let tree = files(&[("/etc/gorig/gorig.yaml", &text)]);
        let err = load_from(&tree, None, &[]).expect_err("refused");
        assert!(
            err.to_string().starts_with("/etc/gorig/gorig.yaml: "),
            "{err}"
        );
    }
}

#[test]
fn keys_that_are_close_get_a_suggestion_and_far_ones_do_not() {
    let message =
        "line 1 column 1: unknown field `defualt`, expected one of mode, toolchains, default";
    assert!(nearest_key_hint(message).ends_with("(did you mean `default`?)"));
    let far = "line 1 column 1: unknown field `zzz`, expected one of mode, toolchains, default";
    assert_eq!(nearest_key_hint(far), far);
    assert_eq!(distance("kitten", "sitting"), 3);
}

#[test]
fn an_alias_bomb_is_stopped_by_the_budget() {
    // One 100 KB string, repeated through aliases: within the types, unbounded without a
    // budget (the contract list would grow to 30 MB).
    let mut text = format!("default: &big \"{}\"\ncontract: [", "x".repeat(100_000));
    text.push_str(&vec!["*big"; 300].join(", "));
    text.push_str("]\n");
    let tree = files(&[("/etc/gorig/gorig.yaml", &text)]);
    let err = load_from(&tree, None, &[])
        .expect_err("refused")
        .to_string();
    assert!(
        err.to_lowercase().contains("alias") || err.to_lowercase().contains("budget"),
        "{err}"
    );
}
