use std::path::Path;

use super::*;

fn v(text: &str) -> GoVersion {
    text.parse().expect("version")
}

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    dir
}

fn gowork(value: &str) -> Lookup<'_> {
    Lookup {
        gowork: Some(value),
        ..Lookup::default()
    }
}

fn requirement(text: &str) -> Result<Requirement, PinError> {
    go_file_requirement(text, Path::new("/p/go.mod"), false).map(|(_, r, _)| r)
}

fn refusal(text: &str) -> String {
    requirement(text).expect_err(text).to_string()
}

#[test]
fn the_nearest_pin_wins_and_go_mod_defers_to_a_workspace_above() {
    let root = tree(&[
        (".go-version", "1.21.13\n"),
        (
            "svc/go.mod",
            "module x\n\ngo 1.22\n\ntoolchain go1.22.4 // pinned\n",
        ),
        ("svc/pkg/a/.keep", ""),
        ("ws/go.work", "go 1.23.0\n\nuse ./m\n"),
        ("ws/m/go.mod", "module m\ngo 1.22\n"),
        (
            "tv/.tool-versions",
            "nodejs 20.0.0\ngolang 1.22.5 1.21.0 # asdf\n",
        ),
    ]);
    let pin = |sub: &str| find_pin(&root.path().join(sub), &Lookup::default()).expect("parses");
    let svc = pin("svc/pkg/a").expect("a pin");
    assert_eq!(svc.source, PinSource::GoModToolchain);
    assert_eq!(svc.requirement, Requirement::Toolchain(v("go1.22.4")));
    assert!(svc.to_string().starts_with("go.mod toolchain line at "));
    let ws = pin("ws/m").expect("a pin");
    assert_eq!(ws.source, PinSource::GoWorkGo);
    assert_eq!(ws.requirement, Requirement::AtLeast(v("go1.23.0")));
    assert_eq!(pin("tv").expect("pin").source, PinSource::ToolVersions);
    assert_eq!(pin("").expect("pin").source, PinSource::GoVersionFile);
    let env = find_pin(
        root.path(),
        &Lookup {
            env_version: Some("1.20"),
            ..Lookup::default()
        },
    )
    .expect("ok")
    .expect("pin");
    assert_eq!(env.source, PinSource::Environment);
    // GOWORK=off: the module's own go.mod, as the go command would read it.
    let off = find_pin(&root.path().join("ws/m"), &gowork("off"))
        .expect("ok")
        .expect("pin");
    assert_eq!(off.source, PinSource::GoModGo);
}

#[test]
fn the_first_go_work_or_go_mod_decides_even_without_lines() {
    let root = tree(&[
        ("go.mod", "module outer\ngo 1.26.0\n"),
        ("inner/go.mod", "module inner\n"),
        ("ws/go.work", "use ./m\n"),
        ("ws/m/go.mod", "module m\ngo 1.30.0\n"),
        ("lone/go.work", "go 1.25.0\n"),
    ]);
    let pin = |sub: &str| {
        find_pin(&root.path().join(sub), &Lookup::default())
            .expect("parses")
            .expect("pin")
    };
    let inner = pin("inner");
    assert_eq!(inner.source, PinSource::GoModDefault);
    assert_eq!(inner.requirement, Requirement::Default);
    assert!(inner.to_string().contains("with no go or toolchain line"));
    let ws = pin("ws/m");
    assert_eq!(ws.source, PinSource::GoWorkDefault);
    // An explicit GOWORK decides before any go.mod; one that does not exist is no
    // workspace; a relative one is an error.
    let lone = root.path().join("lone/go.work").display().to_string();
    let chosen = find_pin(&root.path().join("inner"), &gowork(&lone))
        .expect("ok")
        .expect("pin");
    assert_eq!(chosen.requirement, Requirement::AtLeast(v("go1.25.0")));
    let missing = root.path().join("nowhere/go.work").display().to_string();
    let chosen = find_pin(&root.path().join("ws/m"), &gowork(&missing))
        .expect("ok")
        .expect("pin");
    assert_eq!(chosen.source, PinSource::GoModGo, "no go.work search then");
    let err = find_pin(root.path(), &gowork("go.work")).expect_err("relative");
    assert_eq!(
        err.to_string(),
        "invalid GOWORK: not an absolute path (GOWORK=go.work)"
    );
}

#[test]
fn a_go_mod_in_the_temp_root_is_ignored_and_go_work_stays_inside_goroot() {
    let root = tree(&[
        ("tmp/go.mod", "module t\ngo 1.30.0\n"),
        ("tmp/sub/.keep", ""),
        ("go.work", "go 1.29.0\n"),
        ("goroot/src/go.mod", "module std\ngo 1.27\n"),
        ("goroot/src/cmd/x/.keep", ""),
        ("goroot/go.work", "go 1.31.0\n"),
    ]);
    let tmp = root.path().join("tmp");
    let pin = find_pin(
        &tmp.join("sub"),
        &Lookup {
            gowork: Some("off"),
            temp_dir: Some(&tmp),
            ..Lookup::default()
        },
    )
    .expect("ok")
    .expect("pin");
    assert_eq!(pin.source, PinSource::GoModDefault);
    assert!(pin.to_string().contains("system temp directory"), "{pin}");
    // Below GOROOT, go.work files at GOROOT and above do not count; go.mod still does.
    let goroot = root.path().join("goroot");
    let inside = Lookup {
        goroot: Some(&goroot),
        ..Lookup::default()
    };
    let pin = find_pin(&goroot.join("src/cmd/x"), &inside)
        .expect("ok")
        .expect("pin");
    assert_eq!(pin.source, PinSource::GoModGo);
    // From GOROOT itself, its go.work counts.
    let pin = find_pin(&goroot, &inside).expect("ok").expect("pin");
    assert_eq!(pin.requirement, Requirement::AtLeast(v("go1.31.0")));
}

#[test]
fn go_takes_the_higher_of_the_go_and_toolchain_lines() {
    // A toolchain line older than the go line never wins.
    assert_eq!(
        requirement("module a\ngo 1.25.0\ntoolchain go1.21.13\n"),
        Ok(Requirement::AtLeast(v("go1.25.0")))
    );
    assert_eq!(
        requirement("module a\ngo 1.25\ntoolchain go1.25.0\n"),
        Ok(Requirement::Toolchain(v("go1.25.0"))),
        "go1.25.0 is above the language version 1.25"
    );
    assert_eq!(
        requirement("module a\ngo 1.25.1\ntoolchain go1.25.0\n"),
        Ok(Requirement::AtLeast(v("go1.25.1")))
    );
    assert_eq!(
        requirement("module a\ngo 1.30\ntoolchain default\n"),
        Ok(Requirement::Default)
    );
    assert_eq!(requirement("module a\n"), Ok(Requirement::Default));
    // go lines modfile accepts but Go cannot compare are passed over.
    assert_eq!(
        requirement("module a\ngo 1.30.0rc1\n"),
        Ok(Requirement::Default)
    );
    assert_eq!(
        requirement("go 1.22 // the language\n"),
        Ok(Requirement::AtLeast(v("go1.22")))
    );
}

#[test]
fn toolchain_names_go_refuses_are_refused_with_the_line() {
    assert_eq!(
        refusal("module a\ngo 1.21\ntoolchain go1.22\n"),
        "/p/go.mod:3: invalid toolchain: go1.22 is a language version but not a toolchain version (go1.22.x)"
    );
    assert_eq!(
        refusal("module a\ntoolchain 1.30.3\n"),
        "/p/go.mod:2: invalid toolchain \"1.30.3\" in go.mod"
    );
    assert_eq!(
        refusal("module a\ntoolchain go1.30.3 extra\n"),
        "/p/go.mod:2: toolchain directive expects exactly one argument"
    );
    assert!(refusal("module a\ntoolchain go1.30.1+auto\n").contains("go1.30.1+auto"));
    assert_eq!(
        refusal("module a\ntoolchain (\n go1.30.0\n)\n"),
        "/p/go.mod:2: invalid toolchain \"(\" in go.mod"
    );
    assert_eq!(
        refusal("module a\ngo (\n 1.30.0\n)\n"),
        "/p/go.mod:2: unknown block type: go"
    );
    assert_eq!(
        refusal("go 1.22\ngo 1.23\n"),
        "/p/go.mod:2: repeated go statement"
    );
    assert_eq!(
        refusal("go 1.22.x\n"),
        "/p/go.mod:1: invalid go version '1.22.x': must match format 1.23.0"
    );
    // A toolchain line below the go line is not chosen, so its name does not matter
    // beyond what Go itself checks.
    assert_eq!(
        requirement("go 1.26.0\ntoolchain go1.22\n"),
        Ok(Requirement::AtLeast(v("go1.26.0")))
    );
}

#[test]
fn lookup_reads_like_gos_gomodlookup() {
    let text = "module m\n  go\t1.22 // c\ngodebug x=1\ntoolchain go1.23.0\r\n";
    assert_eq!(
        lookup(text, "go"),
        Some(DirectiveLine {
            line: 2,
            value: "1.22".into()
        })
    );
    assert_eq!(
        lookup(text, "toolchain").map(|l| l.value),
        Some("go1.23.0".into())
    );
    assert_eq!(lookup("go1.22\n", "go"), None);
    assert_eq!(
        lookup("go (\n 1.22\n)\n", "go").map(|l| l.value),
        Some("(".into())
    );
}

#[test]
fn choosing_follows_gos_rule_for_minimums() {
    let installed = [v("go1.21.13"), v("go1.22.4"), v("go1.22.5"), v("go1.23rc1")];
    let at_least = |min: &str| Pin {
        source: PinSource::GoModGo,
        path: Some("/p/go.mod".into()),
        requirement: Requirement::AtLeast(v(min)),
        note: None,
    };
    // The default when new enough.
    let choice = choose(Some(&at_least("go1.21.0")), &installed, Some(v("go1.22.4")));
    assert!(matches!(choice, Choice::Use { version, .. } if version == v("go1.22.4")));
    // A language version is met by its release candidates, as Go compares.
    let choice = choose(Some(&at_least("go1.23")), &installed, Some(v("go1.23rc1")));
    assert!(matches!(choice, Choice::Use { version, .. } if version == v("go1.23rc1")));
    // Else the newest installed stable one that is.
    let choice = choose(
        Some(&at_least("go1.22.0")),
        &installed,
        Some(v("go1.21.13")),
    );
    assert!(matches!(choice, Choice::Use { version, .. } if version == v("go1.22.5")));
    // Else the first release of the minimum, to install.
    let choice = choose(Some(&at_least("go1.24")), &installed, Some(v("go1.21.13")));
    assert_eq!(
        choice,
        Choice::Missing {
            install: VersionRequest::Exact(v("go1.24.0")),
            reason: "go.mod go line at /p/go.mod (>= go1.24)".into()
        }
    );
    let series = Pin {
        source: PinSource::GoVersionFile,
        path: Some("/p/.go-version".into()),
        requirement: Requirement::Request("1.22".parse().expect("request")),
        note: None,
    };
    let choice = choose(Some(&series), &installed, None);
    assert!(matches!(choice, Choice::Use { version, .. } if version == v("go1.22.5")));
    assert_eq!(
        choose(None, &installed, None),
        Choice::Nothing { reason: None }
    );
    let default = Pin {
        source: PinSource::GoModDefault,
        path: Some("/p/go.mod".into()),
        requirement: Requirement::Default,
        note: Some("toolchain default".into()),
    };
    assert!(matches!(
        choose(Some(&default), &installed, Some(v("go1.21.13"))),
        Choice::Use { version, .. } if version == v("go1.21.13")
    ));
}

#[test]
fn bad_pins_name_the_file() {
    let root = tree(&[(".go-version", "banana\n")]);
    let err = find_pin(root.path(), &Lookup::default()).expect_err("bad");
    assert!(err.to_string().contains(".go-version"), "{err}");
    assert!(err.to_string().contains("banana"));
}

#[test]
fn pin_inputs_are_every_directory_up_and_the_pin_files_in_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let app = root.join("app/cmd");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(root.join("app/go.mod"), "module x\n").unwrap();
    std::fs::write(root.join(".go-version"), "1.22\n").unwrap();
    let inputs = crate::pin_inputs(&app, Some("w/go.work"), None);
    assert_eq!(inputs[0], app);
    assert_eq!(inputs[1], root.join("app"));
    assert_eq!(inputs[2], root.join("app/go.mod"));
    assert_eq!(inputs[3], root);
    assert_eq!(inputs[4], root.join(".go-version"));
    assert_eq!(inputs.last(), Some(&app.join("w/go.work")));
    assert!(inputs.contains(&std::path::PathBuf::from("/")));
}

#[test]
fn pin_inputs_end_where_a_go_version_file_ends_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let app = root.join("app/cmd");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(root.join("app/.go-version"), "1.22\n").unwrap();
    std::fs::write(root.join("go.mod"), "module x\n").unwrap();
    let pin = find_pin(&app, &Lookup::default()).unwrap().unwrap();
    let inputs = crate::pin_inputs(&app, None, Some(&pin));
    assert_eq!(
        inputs,
        [app.clone(), root.join("app"), root.join("app/.go-version")]
    );
    // Above a go.mod a go.work can still appear: every directory counts.
    let module = find_pin(&root, &Lookup::default()).unwrap().unwrap();
    let inputs = crate::pin_inputs(&root, None, Some(&module));
    assert!(inputs.contains(&std::path::PathBuf::from("/")));
}
