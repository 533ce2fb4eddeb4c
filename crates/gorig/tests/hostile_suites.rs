//! Other projects' hostile-archive tests, run through the real binary: CPython's
//! extraction-filter cases (CVE-2007-4559, CVE-2025-4517 and the filter bypasses),
//! tar-rs's malicious-archive tests, Go's insecure-path cases and the chains the issue
//! describes (`tests/data/hostile/cases.json`, translated with attribution), and every raw
//! archive of Go's `archive/tar` testdata, tar-rs's and CPython's test archives and
//! gorig's parser-differential archives (`tests/data/hostile/raw`), byte for byte.
//!
//! Each is published as a signed release with a correct digest, as a compromised mirror
//! and index would, and `gorig install` must refuse it naming the entry (by name, or by
//! its place when its header is what is wrong), write nothing outside, publish nothing,
//! leave no staging, and stay under 200 MiB of memory. Archives the reference policy
//! finds harmless may install (gorig is stricter: it refuses hard links, for one); when
//! they do, no link in the installed tree may resolve outside it.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use gorig_test::{MirrorDir, TestContext};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gorig");
const PEAK_RSS_LIMIT_KIB: u64 = 200 << 10;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/hostile")
        .join(path)
}

/// The content of a `gnu-longname` entry: `prefix`, then `repeat` over and over, then
/// `suffix`, `length` bytes in all, produced as it is read (256 MiB are meant to be real).
struct LongName {
    at: u64,
    length: u64,
    prefix: Vec<u8>,
    repeat: Vec<u8>,
    suffix: Vec<u8>,
}

impl Read for LongName {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < out.len() && self.at < self.length {
            let at = self.at;
            let tail_start = self.length - self.suffix.len() as u64;
            let byte = if at < self.prefix.len() as u64 {
                self.prefix[at as usize]
            } else if at >= tail_start {
                self.suffix[(at - tail_start) as usize]
            } else {
                let i = (at - self.prefix.len() as u64) % self.repeat.len() as u64;
                self.repeat[i as usize]
            };
            out[n] = byte;
            n += 1;
            self.at += 1;
        }
        Ok(n)
    }
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut header = if kind == tar::EntryType::GNULongName {
        tar::Header::new_gnu()
    } else {
        tar::Header::new_ustar()
    };
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(size);
    header.set_mtime(1_700_000_000);
    header
}

/// Writes a name into the header's own fields, split between prefix and name as ustar
/// does, without the tar crate's checks (hostile names are the point).
fn set_raw_name(header: &mut tar::Header, name: &str) {
    let bytes = name.as_bytes();
    let raw = header.as_old_mut();
    raw.name = [0; 100];
    if bytes.len() <= 100 {
        raw.name[..bytes.len()].copy_from_slice(bytes);
        return;
    }
    // ustar: prefix (155) "/" name (100), split at a slash.
    let split = bytes[..bytes.len().min(156)]
        .iter()
        .rposition(|b| *b == b'/')
        .filter(|at| bytes.len() - at - 1 <= 100);
    match (split, header.as_ustar_mut()) {
        (Some(at), Some(ustar)) => {
            ustar.prefix = [0; 155];
            ustar.prefix[..at].copy_from_slice(&bytes[..at]);
            ustar.name = [0; 100];
            ustar.name[..bytes.len() - at - 1].copy_from_slice(&bytes[at + 1..]);
        }
        _ => {
            let raw = header.as_old_mut();
            raw.name.copy_from_slice(&bytes[..100]);
        }
    }
}

fn set_raw_link(header: &mut tar::Header, link: &str) {
    let bytes = link.as_bytes();
    let raw = header.as_old_mut();
    raw.linkname = [0; 100];
    let n = bytes.len().min(100);
    raw.linkname[..n].copy_from_slice(&bytes[..n]);
}

/// Appends one entry of `cases.json` (names and targets longer than a header's field get
/// a GNU long-name or long-link record, as GNU tar writes them).
fn append(builder: &mut tar::Builder<impl std::io::Write>, entry: &Value, d: &str) {
    let kind = entry["type"].as_str().expect("type");
    let name = entry["name"].as_str().unwrap_or("").replace("{D}", d);
    let link = entry["link"].as_str().map(|l| l.replace("{D}", d));
    let data = entry["data"].as_str().unwrap_or("").as_bytes().to_vec();
    let default_mode = if kind == "dir" { 0o755 } else { 0o644 };
    let mode = entry["mode"].as_u64().map_or(default_mode, |m| m as u32);
    let long = |builder: &mut tar::Builder<_>, kind: tar::EntryType, text: &str| {
        let mut h = header(kind, 0o644, text.len() as u64 + 1);
        set_raw_name(&mut h, "././@LongLink");
        h.set_cksum();
        let mut body = text.as_bytes().to_vec();
        body.push(0);
        builder.append(&h, &body[..]).expect("append");
    };
    match kind {
        "pax" => {
            let records = entry["records_raw"].as_str().expect("records").as_bytes();
            let mut h = header(tar::EntryType::XHeader, 0o644, records.len() as u64);
            set_raw_name(&mut h, &name);
            h.set_cksum();
            builder.append(&h, records).expect("append");
            return;
        }
        "gnu-longname" => {
            let length = entry["length"].as_u64().expect("length");
            let content = &entry["content"];
            let text = |k: &str| content[k].as_str().unwrap_or("").as_bytes().to_vec();
            let mut h = header(tar::EntryType::GNULongName, 0o644, length);
            set_raw_name(&mut h, &name);
            h.set_cksum();
            let reader = LongName {
                at: 0,
                length,
                prefix: text("prefix"),
                repeat: text("repeat"),
                suffix: text("suffix"),
            };
            builder.append(&h, reader).expect("append");
            return;
        }
        _ => {}
    }
    let entry_type = match kind {
        "dir" => tar::EntryType::Directory,
        "file" => tar::EntryType::Regular,
        "symlink" => tar::EntryType::Symlink,
        "hardlink" => tar::EntryType::Link,
        "chardev" => tar::EntryType::Char,
        "blockdev" => tar::EntryType::Block,
        "fifo" => tar::EntryType::Fifo,
        other => panic!("unknown entry type {other}"),
    };
    if name.len() > 100 {
        long(builder, tar::EntryType::GNULongName, &name);
    }
    if let Some(link) = &link
        && link.len() > 100
    {
        long(builder, tar::EntryType::GNULongLink, link);
    }
    let size = if entry_type == tar::EntryType::Regular {
        data.len() as u64
    } else {
        0
    };
    let mut h = header(entry_type, mode, size);
    set_raw_name(&mut h, &name);
    if let Some(link) = &link {
        set_raw_link(&mut h, link);
    }
    if let Some(flag) = entry["typeflag"].as_u64() {
        h.as_old_mut().linkflag = [b'0' + flag as u8];
        if flag == 0 {
            h.as_old_mut().linkflag = [0];
        }
    }
    h.set_cksum();
    builder.append(&h, &data[..]).expect("append");
}

fn archive(case: &Value, d: &str, base: bool) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(gz);
    let entries = case["entries"].as_array().expect("entries");
    for entry in entries {
        append(&mut builder, entry, d);
    }
    if base {
        // A harmless case gets what makes a toolchain, where it does not have it.
        let names: Vec<&str> = entries.iter().filter_map(|e| e["name"].as_str()).collect();
        for (kind, name, data) in [
            ("dir", "go/bin/", ""),
            (
                "file",
                "go/bin/go",
                "#!/bin/sh\necho go version go1.40.0 linux/amd64\n",
            ),
        ] {
            if !names
                .iter()
                .any(|n| n.trim_end_matches('/') == name.trim_end_matches('/'))
            {
                append(
                    &mut builder,
                    &serde_json::json!({"type": kind, "name": name, "data": data, "mode": 0o755}),
                    d,
                );
            }
        }
    }
    let gz = builder.into_inner().expect("finish tar");
    gz.finish().expect("finish gzip")
}

/// Runs gorig under Python's resource module, which reports the child's peak RSS.
fn install_measured(ctx: &TestContext, version: &str) -> (i32, String, u64) {
    let command: Command = ctx.command();
    let program = command.get_program().to_owned();
    let mut wrapped = Command::new("python3");
    wrapped
        .arg("-c")
        .arg(
            "import resource, subprocess, sys\n\
             r = subprocess.run(sys.argv[1:])\n\
             print('PEAK_RSS_KIB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n\
             sys.exit(r.returncode)",
        )
        .arg(program)
        .args(["install", version]);
    wrapped.env_clear();
    for (k, v) in command.get_envs() {
        if let Some(v) = v {
            wrapped.env(k, v);
        }
    }
    if let Some(dir) = command.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped.env(
        "PATH",
        "/usr/local/bin:/usr/bin:/bin:".to_string() + &std::env::var("PATH").unwrap_or_default(),
    );
    let out = wrapped
        .output()
        .expect("python3 measures gorig's peak memory; install Python 3 (apt-get install python3)");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("PEAK_RSS_KIB ")?.trim().parse().ok())
        .expect("the peak RSS line");
    (out.status.code().unwrap_or(-1), stderr, peak)
}

/// The names gorig may leave in its home after refusing everything.
fn check_home_clean(ctx: &TestContext, what: &str) {
    let home = ctx.gorig_home();
    let published: Vec<String> = ctx.versions_on_disk();
    assert!(published.is_empty(), "{what}: published {published:?}");
    let staging: Vec<_> = std::fs::read_dir(home.join("staging"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(staging.is_empty(), "{what}: left in staging: {staging:?}");
    if let Ok(dir) = std::fs::read_dir(&home) {
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            assert!(
                ["versions", "staging", "locks", "lock", "bin", "keys"].contains(&name.as_str()),
                "{what}: unexpected {name} in the store"
            );
        }
    }
}

/// Every symbolic link under `root` resolves inside it.
fn links_stay_inside(root: &Path) -> Result<(), String> {
    let root = root.canonicalize().map_err(|e| e.to_string())?;
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| e.to_string())?;
            if kind.is_symlink() {
                let target = std::fs::read_link(&path).map_err(|e| e.to_string())?;
                let resolved = lexical_resolve(&dir, &target, &root);
                if !resolved.starts_with(&root) {
                    return Err(format!("{} -> {}", path.display(), target.display()));
                }
            } else if kind.is_dir() {
                stack.push(path);
            }
        }
    }
    Ok(())
}

/// Where `target` (seen from `dir`) lands, following links that exist.
fn lexical_resolve(dir: &Path, target: &Path, root: &Path) -> PathBuf {
    match dir.join(target).canonicalize() {
        Ok(p) => p,
        // Dangling: judge the text (it cannot be followed anyway).
        Err(_) => {
            let mut out = dir.to_path_buf();
            for c in target.components() {
                match c {
                    std::path::Component::ParentDir => {
                        out.pop();
                    }
                    std::path::Component::Normal(n) => out.push(n),
                    std::path::Component::RootDir => out = PathBuf::from("/"),
                    _ => {}
                }
            }
            if out.starts_with(root) {
                out
            } else {
                PathBuf::from("/outside")
            }
        }
    }
}

#[test]
fn imported_hostile_cases_are_refused_naming_the_entry_with_nothing_written_outside() {
    let mut ctx = TestContext::new(BIN);
    let dest = ctx.root().join("dest");
    std::fs::create_dir_all(&dest).expect("dest");
    let d = dest.display().to_string();
    let text = std::fs::read_to_string(data("cases.json")).expect("cases.json");
    let cases: Value = serde_json::from_str(&text).expect("json");
    let cases = cases["cases"].as_array().expect("cases").clone();
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    for (i, case) in cases.iter().enumerate() {
        let benign = case["refused_entry"].is_null();
        mirror.add_archives(
            &format!("go1.40.{i}"),
            &[("amd64", &archive(case, &d, benign))],
        );
    }
    let dir = mirror.path().display().to_string();
    ctx.env("GORIG_MIRROR", dir).env("GORIG_ARCH", "amd64");
    let mut peak = 0;
    let (mut refused, mut installed, mut stricter) = (0, 0, 0);
    for (i, case) in cases.iter().enumerate() {
        let id = case["id"].as_str().expect("id");
        // Planted files must be left as they are.
        let plants: Vec<(PathBuf, Option<String>)> = case["plant"]
            .as_array()
            .map(|p| {
                p.iter()
                    .map(|plant| {
                        let path = dest.join(plant["path"].as_str().expect("path"));
                        match plant["data"].as_str() {
                            Some(text) => {
                                std::fs::create_dir_all(path.parent().expect("parent"))
                                    .expect("mkdir");
                                std::fs::write(&path, text).expect("plant");
                                (path, Some(text.to_string()))
                            }
                            None => {
                                std::fs::create_dir_all(&path).expect("plant dir");
                                (path, None)
                            }
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let version = format!("1.40.{i}");
        let (code, stderr, rss) = install_measured(&ctx, &version);
        peak = peak.max(rss);
        assert!(
            rss < PEAK_RSS_LIMIT_KIB,
            "{id}: gorig used {rss} KiB (limit {PEAK_RSS_LIMIT_KIB} KiB)"
        );
        let names: Vec<String> = case["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|e| e["name"].as_str())
            .map(|n| n.replace("{D}", &d))
            .collect();
        let named = stderr
            .split("entry `")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_string);
        let refused_index = case["refused_entry"].as_str().map(|r| {
            names
                .iter()
                .position(|n| n == &r.replace("{D}", &d))
                .unwrap_or_else(|| panic!("{id}: refused_entry {r} is not an entry"))
        });
        match (refused_index, code) {
            (Some(at), _) => {
                assert_eq!(code, 5, "{id}: expected a refusal:\n{stderr}");
                let named = named.unwrap_or_else(|| panic!("{id}: no entry named:\n{stderr}"));
                // By name (at or before the entry the reference policy stops at, or a
                // link, which are judged once the whole tree is known), or by place.
                let ok = match names.iter().position(|n| *n == named) {
                    Some(index) => {
                        index <= at || case["entries"][index]["type"].as_str() == Some("symlink")
                    }
                    None => named.starts_with("entry "),
                };
                assert!(
                    ok,
                    "{id}: named `{named}`, the reference stops at {}:\n{stderr}",
                    names[at]
                );
                refused += 1;
            }
            (None, 0) => {
                let root = ctx.gorig_home().join(format!("versions/go{version}"));
                links_stay_inside(&root).unwrap_or_else(|e| panic!("{id}: link leaves: {e}"));
                ctx.run(&["uninstall", "--force", &version]).success();
                installed += 1;
            }
            (None, code) => {
                assert_eq!(code, 5, "{id}: {stderr}");
                assert!(
                    named.is_some(),
                    "{id}: the refusal names no entry:\n{stderr}"
                );
                stricter += 1;
            }
        }
        for outside in case["outside"].as_array().into_iter().flatten() {
            let outside = outside.as_str().expect("outside");
            let path = if outside.starts_with('/') {
                PathBuf::from(outside)
            } else {
                dest.join(outside)
            };
            assert!(!path.exists(), "{id}: {} was written", path.display());
        }
        for (path, text) in plants {
            match text {
                Some(text) => assert_eq!(
                    std::fs::read_to_string(&path).ok().as_deref(),
                    Some(text.as_str()),
                    "{id}: {} changed",
                    path.display()
                ),
                None => assert!(path.is_dir(), "{id}: {} changed", path.display()),
            }
        }
        check_home_clean(&ctx, id);
    }
    let extra: Vec<_> = std::fs::read_dir(&dest)
        .expect("dest")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    eprintln!(
        "hostile cases: {} ({refused} refused as the reference policy does, {installed} harmless \
         ones installed, {stricter} harmless ones refused by gorig's stricter rules); peak RSS \
         {peak} KiB; planted files kept: {extra:?}",
        cases.len()
    );
    assert!(refused >= 50, "{refused}");
}

#[test]
fn raw_hostile_and_malformed_archives_are_refused_naming_the_entry() {
    let mut ctx = TestContext::new(BIN);
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(data("raw/index.json")).expect("index"))
            .expect("json");
    let files: Vec<String> = index
        .as_array()
        .expect("list")
        .iter()
        .map(|f| f["file"].as_str().expect("file").to_string())
        .collect();
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    for (i, file) in files.iter().enumerate() {
        let path = data(file);
        let tar = if file.ends_with(".bz2") {
            let out = Command::new("python3")
                .args([
                    "-c",
                    "import bz2, sys; sys.stdout.buffer.write(bz2.decompress(open(sys.argv[1], 'rb').read()))",
                ])
                .arg(&path)
                .output()
                .expect("python3 decompresses the .bz2 test archives; install python3");
            assert!(out.status.success(), "{file}");
            out.stdout
        } else {
            std::fs::read(&path).expect("raw archive")
        };
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).expect("gzip");
        let bytes = gz.finish().expect("gzip");
        mirror.add_archives(&format!("go1.41.{i}"), &[("amd64", &bytes)]);
    }
    let dir = mirror.path().display().to_string();
    ctx.env("GORIG_MIRROR", dir).env("GORIG_ARCH", "amd64");
    let mut peak = 0;
    for (i, file) in files.iter().enumerate() {
        let (code, stderr, rss) = install_measured(&ctx, &format!("1.41.{i}"));
        peak = peak.max(rss);
        assert!(rss < PEAK_RSS_LIMIT_KIB, "{file}: {rss} KiB");
        assert_eq!(code, 5, "{file}: expected a refusal:\n{stderr}");
        assert!(
            stderr.contains("entry `")
                || stderr.contains("at entry ")
                || stderr.contains("holds no files"),
            "{file}: the refusal names no entry:\n{stderr}"
        );
        assert!(
            !stderr.contains("(a tar header)"),
            "{file}: names no entry:\n{stderr}"
        );
        check_home_clean(&ctx, file);
    }
    eprintln!(
        "raw archives: {} refused, each naming its entry; peak RSS {peak} KiB",
        files.len()
    );
}
