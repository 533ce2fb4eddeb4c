//! The real go command is the judge of everything gorig reads from a project.
//!
//! Version grammar and order: a small Go program (`tests/data/go/govercmp`) prints
//! `go/version`'s IsValid, Lang and Compare over hundreds of names and every pair of them,
//! and gorig-version must give the same answers.
//!
//! Toolchain selection: hundreds of go.mod/go.work/GOWORK scenarios — generated from
//! the rules of `cmd/go/internal/toolchain/select.go`, plus every golang/mod
//! `modfile/testdata` file and every go.mod/go.work of the cmd/go test scripts copied into
//! `tests/data/go` — are put to the real go1.27.3 (offline: `GOPROXY=off`,
//! `GOTOOLCHAIN=<default>+auto`, where the default is gorig's default toolchain) and to
//! `gorig current --json`. Go's choice is read from `go version` (the local toolchain
//! ran) or from `go: downloading goX` / `download goX ...: toolchain not available`;
//! its refusals of the go and toolchain lines from its own strict parser (`go mod edit
//! -json`, `go work edit -json` of the file `go env GOWORK GOMOD` names).
//!
//! They must agree, except for the two differences gorig makes on purpose (README,
//! "Projects"), which the test names and counts:
//! - `toolchain-line-pins-exactly`: a toolchain line older than the default is used as
//!   written (Go runs the newer default instead);
//! - `newest-installed-meets-go-line`: a go line newer than the default is met by the
//!   newest installed toolchain before its first release is downloaded.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use gorig_test::TestContext;
use gorig_test::real_goroot;
use gorig_version::GoVersion;

const BIN: &str = env!("CARGO_BIN_EXE_gorig");
const LOCAL: &str = "go1.27.3";
/// gorig's default toolchain in each run, which is Go's minimum toolchain
/// (`GOTOOLCHAIN=<default>+auto`): the local binary itself, older ones, a newer one.
const DEFAULTS: [&str; 4] = ["go1.27.3", "go1.26.6", "go1.21.13", "go1.28.0"];

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/go")
        .join(path)
}

fn go_bin() -> PathBuf {
    real_goroot(LOCAL).join("bin/go")
}

/// A hermetic environment for the real go command, offline.
fn go_command(root: &Path, cwd: &Path) -> Command {
    let mut command = gorig_test::offline_go(&go_bin(), root);
    command.env("GOFLAGS", "").env("PWD", cwd).current_dir(cwd);
    command
}

// ---------------------------------------------------------------------------------
// Versions: go/version against gorig-version, every name and every pair.

/// The Go program, built once per run into the test's directory.
fn govercmp(root: &Path) -> PathBuf {
    let out = root.join("govercmp");
    let status = go_command(root, &data("govercmp"))
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .args(["build", "-o"])
        .arg(&out)
        .arg(".")
        .status()
        .expect("go build govercmp");
    assert!(status.success(), "building govercmp with {LOCAL} failed");
    out
}

/// Names to compare: the checked-in inputs (every version of Go's tables, prefixed and
/// bare, and edge cases) and names built from gorig's own corner cases.
fn version_inputs() -> Vec<String> {
    let text = std::fs::read_to_string(data("govercmp/inputs.txt")).expect("inputs");
    let mut inputs: Vec<String> = text.lines().map(str::to_string).collect();
    for extra in [
        "go1.22alpha",
        "go1.22alpha1",
        "go1.22rc",
        "go1.22pre3",
        "go1.21zz",
        "go2",
        "go2.0",
        "go2.0.0",
        "go2.20",
        "go2.21",
        "go2.21.0",
        "go1.18446744073709551615",
        "go1.18446744073709551616",
        "go1.99999999999999999999999",
        "go1.99999999999999999999999.1",
        "go1.22.5-custom",
        "go1.22.5+auto",
        "go1.22.5 extra",
        "go1.020",
        "go01.20",
        "go1.20.00",
        "go1.22RC1",
        "go1.22.1rc1",
        "go1.",
        "go.1",
        "go1..2",
    ] {
        inputs.push(extra.to_string());
        inputs.push(extra.trim_start_matches("go").to_string());
    }
    inputs.sort();
    inputs.dedup();
    inputs
}

#[test]
fn version_grammar_and_order_agree_with_go_version_over_every_pair() {
    let root = tempfile::tempdir().expect("tempdir");
    let program = govercmp(root.path());
    let inputs = version_inputs();
    let mut totals = BTreeMap::new();
    // go/version takes `go`-prefixed names (custom `-suffix` cut); -bare is cmd/go's
    // reading of go.mod lines (internal/gover).
    for bare in [false, true] {
        let mut command = Command::new(&program);
        if bare {
            command.arg("-bare");
        }
        let output = command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                let mut stdin = child.stdin.take().expect("stdin");
                stdin.write_all(inputs.join("\n").as_bytes())?;
                stdin.write_all(b"\n")?;
                drop(stdin);
                child.wait_with_output()
            })
            .expect("run govercmp");
        assert!(output.status.success());
        let text = String::from_utf8(output.stdout).expect("utf-8");
        let parse = |s: &str| -> Option<GoVersion> {
            if bare {
                GoVersion::parse_gover(s).ok()
            } else {
                GoVersion::parse_go_version(s)
            }
        };
        let parsed: Vec<Option<GoVersion>> = inputs.iter().map(|s| parse(s)).collect();
        let (mut names, mut pairs) = (0usize, 0usize);
        let mut mismatches = Vec::new();
        for line in text.lines() {
            let fields: Vec<&str> = line.splitn(5, '\t').collect();
            match fields[0] {
                "V" => {
                    let i: usize = fields[1].parse().expect("index");
                    let valid = fields[2] == "1";
                    let ours = parsed[i].as_ref();
                    let our_lang = ours
                        .map(|v| {
                            let lang = v.lang_name();
                            if bare {
                                lang.trim_start_matches("go").to_string()
                            } else {
                                lang
                            }
                        })
                        .unwrap_or_default();
                    if ours.is_some() != valid || our_lang != fields[3] {
                        mismatches.push(format!(
                            "{:?}: go says valid={valid} lang={:?}, gorig {:?} lang={our_lang:?}",
                            inputs[i], fields[3], ours
                        ));
                    }
                    names += 1;
                }
                "C" => {
                    let a: usize = fields[1].parse().expect("a");
                    let b: usize = fields[2].parse().expect("b");
                    let want = match fields[3] {
                        "-1" => std::cmp::Ordering::Less,
                        "0" => std::cmp::Ordering::Equal,
                        _ => std::cmp::Ordering::Greater,
                    };
                    let ours = parsed[a].cmp(&parsed[b]);
                    if ours != want && mismatches.len() < 20 {
                        mismatches.push(format!(
                            "Compare({:?}, {:?}): go {want:?}, gorig {ours:?}",
                            inputs[a], inputs[b]
                        ));
                    }
                    pairs += 1;
                }
                other => panic!("unexpected govercmp line kind {other:?}"),
            }
        }
        assert_eq!(names, inputs.len());
        assert_eq!(pairs, inputs.len() * inputs.len());
        assert!(
            mismatches.is_empty(),
            "gorig-version disagrees with go/version ({}):\n{}",
            if bare { "bare" } else { "go-prefixed" },
            mismatches.join("\n")
        );
        totals.insert(if bare { "bare" } else { "prefixed" }, (names, pairs));
    }
    eprintln!("go/version agreement: {totals:?} (names, ordered pairs)");
}

// ---------------------------------------------------------------------------------
// Selection: go.mod, go.work and GOWORK as the go command reads them.

#[derive(Debug, Clone)]
enum Content {
    Text(String),
    /// A directory where a file would be (`go.mod/` as a directory).
    Dir,
}

#[derive(Debug, Clone)]
struct Scenario {
    name: String,
    files: Vec<(String, Content)>,
    /// The working directory, relative to the scenario's directory.
    cwd: String,
    /// `GOWORK`; `{dir}` stands for the scenario's directory.
    gowork: Option<String>,
    /// A directory (relative) to be `TMPDIR`, for the temp-root rule.
    tmpdir: Option<String>,
    /// Installed besides the default.
    extra: Vec<&'static str>,
}

impl Scenario {
    fn new(name: impl Into<String>, files: Vec<(&str, String)>, cwd: &str) -> Scenario {
        Scenario {
            name: name.into(),
            files: files
                .into_iter()
                .map(|(p, t)| (p.to_string(), Content::Text(t)))
                .collect(),
            cwd: cwd.to_string(),
            gowork: None,
            tmpdir: None,
            extra: Vec::new(),
        }
    }
}

fn module(go: &str, toolchain: &str) -> String {
    let mut text = "module example.com/m\n\n".to_string();
    if !go.is_empty() {
        text.push_str(&format!("go {go}\n"));
    }
    if !toolchain.is_empty() {
        text.push_str(&format!("\ntoolchain {toolchain}\n"));
    }
    text
}

fn workspace(go: &str, toolchain: &str, uses: &str) -> String {
    let mut text = String::new();
    if !go.is_empty() {
        text.push_str(&format!("go {go}\n\n"));
    }
    if !toolchain.is_empty() {
        text.push_str(&format!("toolchain {toolchain}\n\n"));
    }
    text.push_str(&format!("use {uses}\n"));
    text
}

/// go and toolchain lines covering select.go's and modfile's rules: language versions,
/// releases below, at and above every default, prereleases (of a release and of a
/// patch, which gover refuses), custom suffixes, `+auto`, missing prefixes, two words,
/// garbage, `default`, `local`.
const GO_LINES: [&str; 23] = [
    "",
    "1.21",
    "1.21.0",
    "1.22",
    "1.26.6",
    "1.27",
    "1.27.3",
    "1.27.4",
    "1.28",
    "1.28.0",
    "1.28rc1",
    "1.28beta1",
    "1.30.0rc1",
    "1.26.0rc1",
    "1.30",
    "1.20",
    "1.19",
    "banana",
    "1.22.x",
    "1.30.x",
    "2",
    "1.30.0 extra",
    "1.99999999999999999999",
];
const TOOLCHAIN_LINES: [&str; 21] = [
    "",
    "default",
    "go1.21.13",
    "go1.25.0",
    "go1.27.3",
    "go1.28.0",
    "go1.30.1",
    "go1.22",
    "go1.30",
    "go1.30.1+auto",
    "1.30.3",
    "go1.30.3 extra",
    "go1.22.0 extra",
    "go1.30.0-custom",
    "go1.22.0-custom",
    "go1.28rc1",
    "banana",
    "local",
    "go1.20",
    "go1.20.0",
    "gccgo-go1.30.0",
];

fn generated() -> Vec<Scenario> {
    let mut out = Vec::new();
    for go in GO_LINES {
        for toolchain in TOOLCHAIN_LINES {
            out.push(Scenario::new(
                format!("go.mod go={go:?} toolchain={toolchain:?}"),
                vec![("go.mod", module(go, toolchain))],
                "",
            ));
        }
    }
    // Workspaces: the first go.work above decides, alone, even without lines.
    for (wgo, wtool) in [
        ("", ""),
        ("1.28.0", ""),
        ("1.22", ""),
        ("", "go1.28.0"),
        ("", "default"),
        ("1.30", "go1.28rc1"),
        ("banana", ""),
    ] {
        for (mgo, mtool) in [("1.30.0", ""), ("1.21", "go1.29.0"), ("", "")] {
            let files = vec![
                ("go.work", workspace(wgo, wtool, "./m")),
                ("m/go.mod", module(mgo, mtool)),
            ];
            let name = format!("go.work({wgo:?},{wtool:?}) above go.mod({mgo:?},{mtool:?})");
            out.push(Scenario::new(format!("{name}, cwd m"), files.clone(), "m"));
            out.push(Scenario::new(
                format!("{name}, cwd m/sub"),
                files.clone(),
                "m/sub",
            ));
            let mut off = Scenario::new(format!("{name}, GOWORK=off"), files.clone(), "m");
            off.gowork = Some("off".into());
            out.push(off);
            let mut auto = Scenario::new(format!("{name}, GOWORK=auto"), files, "m");
            auto.gowork = Some("auto".into());
            out.push(auto);
        }
    }
    // A go.work in the grandparent beats the go.mod in the parent.
    out.push(Scenario::new(
        "go.work in grandparent, go.mod in parent",
        vec![
            ("go.work", workspace("1.28.0", "", "./a/m")),
            ("a/m/go.mod", module("1.30.0", "")),
        ],
        "a/m/pkg",
    ));
    // GOWORK naming a file: relative (an error), absolute (used whatever its name, before
    // any go.mod), absolute but missing (no workspace: the go.mod decides).
    for (value, name) in [
        ("go.work", "relative GOWORK"),
        ("./other.work", "relative GOWORK with ./"),
        ("{dir}/other.work", "absolute GOWORK"),
        (
            "{dir}/missing/go.work",
            "absolute GOWORK that does not exist",
        ),
        ("{dir}", "GOWORK naming a directory"),
    ] {
        let mut s = Scenario::new(
            name,
            vec![
                ("other.work", workspace("1.28.0", "", "./m")),
                ("m/go.mod", module("1.30.0", "")),
            ],
            "m",
        );
        s.gowork = Some(value.into());
        out.push(s);
    }
    // Directories named like the files are passed over.
    let mut dir_mod = Scenario::new(
        "m/go.mod is a directory",
        vec![("go.mod", module("1.28.0", ""))],
        "m",
    );
    dir_mod.files.push(("m/go.mod".into(), Content::Dir));
    out.push(dir_mod);
    let mut dir_work = Scenario::new(
        "go.work is a directory",
        vec![("m/go.mod", module("1.28.0", ""))],
        "m",
    );
    dir_work.files.push(("go.work".into(), Content::Dir));
    out.push(dir_work);
    // The system temp directory: a go.mod there is ignored (and the search ends), a
    // go.work there is not.
    let mut tmp_mod = Scenario::new(
        "go.mod in TMPDIR",
        vec![
            ("go.mod", module("1.29.0", "")),
            ("tmp/go.mod", module("1.30.0", "")),
        ],
        "tmp/sub",
    );
    tmp_mod.tmpdir = Some("tmp".into());
    out.push(tmp_mod);
    let mut tmp_work = Scenario::new(
        "go.work in TMPDIR",
        vec![("tmp/go.work", workspace("1.30.0", "", "."))],
        "tmp/sub",
    );
    tmp_work.tmpdir = Some("tmp".into());
    out.push(tmp_work);
    // How lines are read: spaces and tabs, comments with and without a space, CRLF,
    // the first line winning, lines inside other blocks, go/toolchain blocks, a BOM,
    // capitals, no separator, toolchain before module, a /* comment.
    let m = "module example.com/m\n";
    for (name, text) in [
        (
            "indented, tab, comment",
            format!("{m}   go\t1.28.0 // comment\n"),
        ),
        ("comment without a space", format!("{m}go 1.28.0// c\n")),
        ("CRLF", "module example.com/m\r\ngo 1.28.0\r\n".to_string()),
        ("first go line wins", format!("{m}go 1.28.0\ngo 1.21\n")),
        (
            "first go line wins, older",
            format!("{m}go 1.21\ngo 1.28.0\n"),
        ),
        (
            "go line in a require block",
            format!("{m}require (\n\tgo 1.28.0\n)\n"),
        ),
        ("go block", format!("{m}go (\n\t1.28.0\n)\n")),
        (
            "toolchain block",
            format!("{m}toolchain (\n\tgo1.28.0\n)\n"),
        ),
        (
            "BOM",
            "\u{feff}go 1.28.0\nmodule example.com/m\n".to_string(),
        ),
        ("capital Go", format!("{m}Go 1.28.0\n")),
        ("no separator", format!("{m}go1.28.0\n")),
        ("go with no value", format!("{m}go\n")),
        (
            "toolchain first",
            "toolchain go1.28.0\nmodule example.com/m\ngo 1.22\n".into(),
        ),
        ("block comment", format!("{m}go 1.28.0 /* x */\n")),
        (
            "repeated toolchain",
            format!("{m}toolchain go1.28.0\ntoolchain go1.29.0\n"),
        ),
        ("quoted go version", format!("{m}go \"1.28.0\"\n")),
        (
            "godebug line",
            format!("{m}godebug default=go1.21\ngo 1.22\n"),
        ),
        // Corrupt files: control bytes are refused on any line, in a comment they are not.
        ("NUL before the go line", format!("{m}\u{0}\ngo 1.28.0\n")),
        (
            "control byte in a require",
            format!("{m}require x\u{1}y v1.0.0\ngo 1.28.0\n"),
        ),
        (
            "control byte in a comment",
            format!("{m}// \u{1}\u{7f}\ngo 1.28.0\n"),
        ),
        ("vertical tab", format!("{m}go\u{b}1.28.0\n")),
        (
            "form feed after the version",
            format!("{m}go 1.28.0\u{c}\n"),
        ),
        ("DEL in the version", format!("{m}go 1.28.0\u{7f}\n")),
        ("C1 control", format!("{m}go 1.28.0 \u{85}\n")),
        ("no-break space", format!("{m}go\u{a0}1.28.0\n")),
        (
            "zero-width space in a require",
            format!("{m}require a\u{200b}b v1.0.0\ngo 1.28.0\n"),
        ),
        (
            "private use",
            format!("{m}require a\u{e000} v1.0.0\ngo 1.28.0\n"),
        ),
        (
            "quoted control byte",
            format!("{m}replace \"a\u{1}\" => ./b\ngo 1.28.0\n"),
        ),
        ("go banana", format!("{m}go banana\n")),
    ] {
        out.push(Scenario::new(name, vec![("go.mod", text)], ""));
    }
    // gorig's own choice: a go line newer than the default is met by the newest
    // installed toolchain (Go would download the line's first release).
    for go in ["1.28", "1.28.0", "1.29.0"] {
        let mut s = Scenario::new(
            format!("go {go} with go1.30.0 installed too"),
            vec![("go.mod", module(go, ""))],
            "",
        );
        s.extra = vec!["go1.30.0"];
        out.push(s);
    }
    out
}

/// Every golang/mod modfile test file, as a go.mod (and `work/` ones as a go.work).
fn from_modfile_testdata() -> Vec<Scenario> {
    let mut out = Vec::new();
    for (dir, file) in [("modfile", "go.mod"), ("modfile/work", "go.work")] {
        let mut names: Vec<PathBuf> = std::fs::read_dir(data(dir))
            .expect("modfile testdata")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        names.sort();
        for path in names {
            let text = std::fs::read_to_string(&path).expect("read");
            let name = format!(
                "golang/mod {dir}/{}",
                path.file_name().expect("name").display()
            );
            out.push(Scenario::new(name, vec![(file, text)], ""));
        }
    }
    assert!(out.len() >= 30, "{} modfile files", out.len());
    out
}

/// Every go.mod and go.work of the cmd/go test scripts, in their layout, run from each
/// directory that holds one.
fn from_cmd_go_scripts() -> Vec<Scenario> {
    let mut out = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(data("scripts"))
        .expect("scripts")
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path).expect("read");
        let mut files: Vec<(String, String)> = Vec::new();
        let mut current: Option<(String, String)> = None;
        for line in text.split_inclusive('\n') {
            if let Some(name) = line
                .trim_end()
                .strip_prefix("-- ")
                .and_then(|l| l.strip_suffix(" --"))
            {
                files.extend(current.take());
                current = Some((name.trim().to_string(), String::new()));
            } else if let Some((_, body)) = &mut current {
                body.push_str(line);
            }
        }
        files.extend(current);
        // Only the project files matter; module caches and absolute or odd paths are
        // not laid out.
        let files: Vec<(String, String)> = files
            .into_iter()
            .filter(|(name, _)| {
                (name.ends_with("go.mod") || name.ends_with("go.work"))
                    && !name.starts_with('/')
                    && !name.contains("..")
                    && !name.contains('$')
            })
            .collect();
        let mut dirs: Vec<String> = files
            .iter()
            .map(|(name, _)| {
                Path::new(name)
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        let script = path.file_name().expect("name").display().to_string();
        for dir in dirs {
            out.push(Scenario {
                name: format!("cmd/go {script} in {dir:?}"),
                files: files
                    .iter()
                    .map(|(n, t)| (n.clone(), Content::Text(t.clone())))
                    .collect(),
                cwd: dir,
                gowork: None,
                tmpdir: None,
                extra: Vec::new(),
            });
        }
    }
    assert!(out.len() >= 60, "{} script scenarios", out.len());
    out
}

/// What the go command did.
#[derive(Debug, Clone, PartialEq)]
enum GoSaid {
    /// It ran (or would download and run) this release.
    Chose(GoVersion),
    /// It stopped, or chose something that is no release.
    Refused(String),
}

/// What gorig said.
#[derive(Debug, Clone, PartialEq)]
enum GorigSaid {
    Chose(GoVersion),
    Refused(String),
}

/// The file Go reads for this directory and the first thing its strict parser refuses
/// in the go and toolchain lines, if anything.
fn go_syntax(
    root: &Path,
    cwd: &Path,
    env: &[(String, String)],
) -> (Option<PathBuf>, Option<String>) {
    let mut command = go_command(root, cwd);
    command
        .env("GOTOOLCHAIN", "local")
        .args(["env", "GOWORK", "GOMOD"]);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("go env");
    if !out.status.success() {
        return (None, None);
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = text.lines();
    let work = lines.next().unwrap_or("").trim().to_string();
    let module = lines.next().unwrap_or("").trim().to_string();
    let (file, verb) = if !work.is_empty() && work != "off" {
        (PathBuf::from(work), "work")
    } else if !module.is_empty() && module != "/dev/null" {
        (PathBuf::from(module), "mod")
    } else {
        return (None, None);
    };
    if !file.is_file() {
        return (Some(file), None);
    }
    let mut command = go_command(root, cwd);
    command
        .env("GOTOOLCHAIN", "local")
        .args([verb, "edit", "-json"])
        .arg(&file);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("go mod edit");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let refusal = stderr.lines().find_map(|line| {
        let (_, rest) = line.split_once(&format!(".{verb}:"))?;
        let (_, message) = rest.split_once(": ")?;
        gorig_test::modfile_message_about_go_or_toolchain(message).then(|| line.to_string())
    });
    (Some(file), refusal)
}

fn go_select(root: &Path, cwd: &Path, default: &str, env: &[(String, String)]) -> GoSaid {
    let mut command = go_command(root, cwd);
    command
        .env("GOTOOLCHAIN", format!("{default}+auto"))
        .arg("version");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("go version");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let release = |name: &str| -> GoSaid {
        match name.strip_prefix("go").map(GoVersion::parse_gover) {
            Some(Ok(v)) if !v.is_language_version() => GoSaid::Chose(v),
            _ => GoSaid::Refused(format!("chose {name:?}, which is no release")),
        }
    };
    if out.status.success() {
        let name = stdout.split_whitespace().nth(2).unwrap_or("");
        return release(name);
    }
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix("go: downloading ")
            && let Some(name) = rest
                .strip_suffix(" (linux/amd64)")
                .or(rest.strip_suffix(" (linux/arm64)"))
        {
            return release(name);
        }
        if let Some(rest) = line.strip_prefix("go: download ")
            && let Some((name, _)) = rest.split_once(" for linux/")
        {
            return release(name);
        }
    }
    GoSaid::Refused(stderr.lines().next().unwrap_or("").to_string())
}

fn gorig_select(ctx: &TestContext, home: &Path, cwd: &Path, env: &[(String, String)]) -> GorigSaid {
    let mut command = ctx.command();
    command
        .env("GORIG_HOME", home)
        .env("PWD", cwd)
        .current_dir(cwd)
        .args(["current", "--json"]);
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("gorig current");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json: Option<serde_json::Value> = serde_json::from_str(stdout.trim()).ok();
    let version = json
        .as_ref()
        .and_then(|j| j["version"].as_str())
        .and_then(|v| v.parse::<GoVersion>().ok());
    match (out.status.code(), version) {
        (Some(0), Some(v)) => GorigSaid::Chose(v),
        // Not installed: what it would install.
        (Some(3), Some(v)) => GorigSaid::Chose(v),
        _ => GorigSaid::Refused(stderr.trim().to_string()),
    }
}

/// A store holding `default` (the default) and `extra`, as fake toolchains.
fn store(root: &Path, default: &str, extra: &[&str]) -> PathBuf {
    let home = root.join(format!("store-{default}-{}", extra.join("-")));
    if home.join("current").exists() {
        return home;
    }
    for version in std::iter::once(&default).chain(extra) {
        let bin = home.join("versions").join(version).join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir");
        std::fs::write(bin.join("go"), "#!/bin/sh\nexit 0\n").expect("write");
    }
    std::os::unix::fs::symlink(format!("versions/{default}"), home.join("current")).expect("link");
    home
}

/// The first `toolchain` line's value as Go's lookup reads it, for naming a difference.
fn toolchain_value(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.split('\n').find_map(|line| {
        let rest = line.trim().strip_prefix("toolchain")?;
        rest.starts_with([' ', '\t'])
            .then(|| rest.split("//").next().unwrap_or("").trim().to_string())
    })
}

fn lay_out(dir: &Path, scenario: &Scenario) {
    std::fs::create_dir_all(dir.join(&scenario.cwd)).expect("cwd");
    for (name, content) in &scenario.files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        match content {
            Content::Text(text) => std::fs::write(&path, text).expect("write"),
            Content::Dir => std::fs::create_dir_all(&path).expect("mkdir"),
        }
    }
    if let Some(tmp) = &scenario.tmpdir {
        std::fs::create_dir_all(dir.join(tmp)).expect("tmp");
    }
}

#[derive(Default)]
struct Tally {
    runs: usize,
    chose_same: usize,
    both_refused: usize,
    differences: BTreeMap<&'static str, Vec<String>>,
    disagreements: Vec<String>,
}

#[test]
fn toolchain_selection_agrees_with_the_go_command() {
    let ctx = TestContext::new(BIN);
    let root = ctx.root().join("differential");
    std::fs::create_dir_all(root.join("tmp")).expect("tmp");
    let mut scenarios = generated();
    let generated_count = scenarios.len();
    let modfile = from_modfile_testdata();
    let modfile_count = modfile.len();
    scenarios.extend(modfile);
    let scripts = from_cmd_go_scripts();
    let scripts_count = scripts.len();
    scenarios.extend(scripts);
    for (i, scenario) in scenarios.iter().enumerate() {
        lay_out(&root.join(format!("s{i}")), scenario);
    }
    for default in DEFAULTS {
        store(&root, default, &[]);
        store(&root, default, &["go1.30.0"]);
    }
    let jobs: Vec<(usize, &Scenario)> = scenarios.iter().enumerate().collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut tally = Tally::default();
                    loop {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((i, scenario)) = jobs.get(at) else {
                            break tally;
                        };
                        judge(&ctx, &root, *i, scenario, &mut tally);
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    let mut total = Tally::default();
    for t in tallies {
        total.runs += t.runs;
        total.chose_same += t.chose_same;
        total.both_refused += t.both_refused;
        for (k, v) in t.differences {
            total.differences.entry(k).or_default().extend(v);
        }
        total.disagreements.extend(t.disagreements);
    }
    eprintln!(
        "toolchain selection against {LOCAL}: {} scenarios ({generated_count} generated, \
         {modfile_count} golang/mod modfile files, {scripts_count} from cmd/go scripts) \
         x {} defaults = {} runs; agree {} (same release {}, both refuse {}); documented \
         differences: {}; disagreements {}",
        scenarios.len(),
        DEFAULTS.len(),
        total.runs,
        total.chose_same + total.both_refused,
        total.chose_same,
        total.both_refused,
        total
            .differences
            .iter()
            .map(|(k, v)| format!("{k} {}", v.len()))
            .collect::<Vec<_>>()
            .join(", "),
        total.disagreements.len(),
    );
    assert!(
        total.disagreements.is_empty(),
        "gorig and go disagree in {} runs:\n{}",
        total.disagreements.len(),
        total
            .disagreements
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(total.runs >= 2000, "{} runs", total.runs);
    assert!(total.both_refused >= 100, "{} refusals", total.both_refused);
    for difference in [
        "toolchain-line-pins-exactly",
        "newest-installed-meets-go-line",
    ] {
        assert!(
            total.differences.contains_key(difference),
            "the documented difference {difference} was never exercised"
        );
    }
    assert_eq!(
        total.differences.len(),
        2,
        "only the two documented differences may occur: {:?}",
        total.differences.keys().collect::<Vec<_>>()
    );
}

fn judge(ctx: &TestContext, root: &Path, i: usize, scenario: &Scenario, tally: &mut Tally) {
    let dir = root.join(format!("s{i}"));
    let cwd = dir.join(&scenario.cwd);
    let mut env: Vec<(String, String)> = vec![(
        "TMPDIR".into(),
        match &scenario.tmpdir {
            Some(t) => dir.join(t).display().to_string(),
            None => root.join("tmp").display().to_string(),
        },
    )];
    if let Some(gowork) = &scenario.gowork {
        env.push((
            "GOWORK".into(),
            gowork.replace("{dir}", &dir.display().to_string()),
        ));
    }
    let (file, syntax) = go_syntax(root, &cwd, &env);
    for default in DEFAULTS {
        let d: GoVersion = default.parse().expect("default");
        let mut go = go_select(root, &cwd, default, &env);
        if let (GoSaid::Chose(_), Some(refusal)) = (&go, &syntax) {
            go = GoSaid::Refused(refusal.clone());
        }
        let home = store(root, default, &scenario.extra);
        let gorig = gorig_select(ctx, &home, &cwd, &env);
        tally.runs += 1;
        let describe = || {
            format!(
                "[{}] default {default}: go {go:?}, gorig {gorig:?}",
                scenario.name
            )
        };
        match (&go, &gorig) {
            (GoSaid::Chose(a), GorigSaid::Chose(b)) if a == b => tally.chose_same += 1,
            (GoSaid::Refused(_), GorigSaid::Refused(_)) => tally.both_refused += 1,
            _ => {
                let toolchain = file.as_deref().and_then(toolchain_value);
                let toolchain_version = toolchain.as_deref().and_then(GoVersion::from_toolchain);
                let pins_exactly = matches!(&go, GoSaid::Chose(g) if *g == d)
                    && toolchain_version.as_ref().is_some_and(|t| *t <= d)
                    && match &gorig {
                        GorigSaid::Chose(v) => Some(v) == toolchain_version.as_ref(),
                        GorigSaid::Refused(message) => {
                            toolchain.as_deref().is_some_and(|t| message.contains(t))
                        }
                    };
                let newest_installed = match (&go, &gorig) {
                    (GoSaid::Chose(g), GorigSaid::Chose(v)) => {
                        scenario
                            .extra
                            .iter()
                            .any(|e| e.parse().ok().as_ref() == Some(v))
                            && *g > d
                            && g <= v
                    }
                    _ => false,
                };
                if pins_exactly {
                    tally
                        .differences
                        .entry("toolchain-line-pins-exactly")
                        .or_default()
                        .push(describe());
                } else if newest_installed {
                    tally
                        .differences
                        .entry("newest-installed-meets-go-line")
                        .or_default()
                        .push(describe());
                } else {
                    tally.disagreements.push(describe());
                }
            }
        }
    }
}
