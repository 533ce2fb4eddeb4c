//! Mirror directories: archives plus a go.dev-shaped `index.json`, servable as a plain
//! directory, a `file://` URL or over loopback HTTP; and synthetic Go toolchains small
//! enough to build in every test.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use crate::gpg::TestKey;
use crate::tarball::{Entry, tar_gz};

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A tiny, official-looking Go toolchain archive for `version` (`go1.22.5`) and `arch`
/// (`amd64`): directory entries first, `bin/go` and `bin/gofmt` shell scripts that answer
/// `go version` and `go env GOROOT`, and a tool binary larger than one write chunk.
///
/// Built once per (version, arch) and process: the suite asks for the same few hundred
/// times, and each is 3 MiB of hashing and deflate.
pub fn fake_toolchain(version: &str, arch: &str) -> Vec<u8> {
    static BUILT: LazyLock<Mutex<HashMap<(String, String), Archive>>> =
        LazyLock::new(Mutex::default);
    let key = (version.to_string(), arch.to_string());
    if let Some(bytes) = BUILT.lock().unwrap().get(&key) {
        return bytes.clone();
    }
    let bytes = build_fake_toolchain(version, arch);
    BUILT.lock().unwrap().insert(key, bytes.clone());
    bytes
}

/// The bytes of one built archive.
type Archive = Vec<u8>;

fn build_fake_toolchain(version: &str, arch: &str) -> Vec<u8> {
    let goarch = if arch == "armv6l" { "arm" } else { arch };
    let go_script = format!(
        "#!/bin/sh\n\
         GOROOT=$(cd \"$(dirname \"$0\")/..\" && pwd -P)\n\
         case \"$1\" in\n\
         version) echo \"go version {version} linux/{goarch}\" ;;\n\
         env) case \"$2\" in GOROOT) echo \"$GOROOT\" ;; GOTOOLCHAIN) echo \"${{GOTOOLCHAIN-}}\" ;; *) echo \"GOROOT='$GOROOT'\" ;; esac ;;\n\
         *) echo \"fake go {version}: $*\" >&2; exit 2 ;;\n\
         esac\n"
    );
    let gofmt_script = format!("#!/bin/sh\necho \"gofmt of {version}\"\n");
    // Incompressible, version-specific content so archives differ and chunking is used.
    let mut big = Vec::with_capacity(3 << 20);
    let mut state = sha256_hex(version.as_bytes()).into_bytes();
    while big.len() < (3 << 20) {
        state = sha256_hex(&state).into_bytes();
        big.extend_from_slice(&state);
    }
    let tool_dir = format!("go/pkg/tool/linux_{goarch}");
    tar_gz(&[
        Entry::dir("go/"),
        Entry::dir("go/bin/"),
        Entry::dir("go/pkg/"),
        Entry::dir(&format!("{tool_dir}/").replace("//", "/")),
        Entry::dir("go/src/"),
        Entry::dir("go/src/fmt/"),
        Entry::file(
            "go/VERSION",
            format!("{version}\ntime 2024-07-02T00:00:00Z\n"),
        ),
        Entry::file(
            "go/go.env",
            "GOPROXY=https://proxy.golang.org,direct\nGOTOOLCHAIN=auto\n",
        ),
        Entry::exe("go/bin/go", go_script),
        Entry::exe("go/bin/gofmt", gofmt_script),
        Entry::exe(&format!("{tool_dir}/compile"), big),
        Entry::file("go/src/fmt/print.go", "package fmt\n"),
        Entry::symlink("go/src/fmt/alias.go", "print.go"),
    ])
}

/// A mirror on disk: `<dir>/<filename>` archives, their `<filename>.sha256`, their
/// `<filename>.asc` (signed by [`TestKey::shared`] unless made [`MirrorDir::unsigned`]),
/// and `<dir>/index.json`.
pub struct MirrorDir {
    dir: PathBuf,
    releases: Vec<serde_json::Value>,
    signer: Option<&'static TestKey>,
}

impl MirrorDir {
    /// An empty mirror in `dir` (created if missing).
    pub fn new(dir: impl Into<PathBuf>) -> MirrorDir {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).unwrap();
        let mirror = MirrorDir {
            dir,
            releases: Vec::new(),
            signer: Some(TestKey::shared()),
        };
        mirror.write_index();
        mirror
    }

    /// An empty mirror that publishes no signatures.
    pub fn unsigned(dir: impl Into<PathBuf>) -> MirrorDir {
        MirrorDir {
            signer: None,
            ..MirrorDir::new(dir)
        }
    }

    /// Signs `filename` of this mirror with `key` (replacing its `.asc`).
    pub fn sign_with(&self, filename: &str, key: &TestKey) {
        key.sign(&self.dir.join(filename));
    }

    /// Signs with the mirror's signer. A signature the shared key already made over the
    /// same bytes in this process is copied, not made again (one gpg run per archive and
    /// process instead of one per mirror).
    fn sign(&self, filename: &str) {
        static SIGNED: LazyLock<Mutex<HashMap<String, Vec<u8>>>> = LazyLock::new(Mutex::default);
        let Some(key) = self.signer else {
            return;
        };
        let path = self.dir.join(filename);
        let shared = std::ptr::eq(key, TestKey::shared());
        let digest = shared.then(|| sha256_hex(&std::fs::read(&path).unwrap()));
        let asc = self.dir.join(format!("{filename}.asc"));
        if let Some(digest) = &digest
            && let Some(signature) = SIGNED.lock().unwrap().get(digest)
        {
            std::fs::write(&asc, signature).unwrap();
            return;
        }
        key.sign(&path);
        if let Some(digest) = digest {
            SIGNED
                .lock()
                .unwrap()
                .insert(digest, std::fs::read(&asc).unwrap());
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Adds a synthetic toolchain for `version` and each of `arches`; returns the archives'
    /// SHA-256 in the order of `arches`.
    pub fn add_fake(&mut self, version: &str, arches: &[&str]) -> Vec<String> {
        let files: Vec<(String, Vec<u8>)> = arches
            .iter()
            .map(|arch| (arch.to_string(), fake_toolchain(version, arch)))
            .collect();
        let refs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_slice()))
            .collect();
        self.add_archives(version, &refs)
    }

    /// Adds `version` with the given `(arch, archive bytes)` pairs.
    pub fn add_archives(&mut self, version: &str, archives: &[(&str, &[u8])]) -> Vec<String> {
        let mut digests = Vec::new();
        let mut files = Vec::new();
        for (arch, bytes) in archives {
            let filename = format!("{version}.linux-{arch}.tar.gz");
            std::fs::write(self.dir.join(&filename), bytes).unwrap();
            let digest = sha256_hex(bytes);
            // dl.google.com publishes the bare digest beside each archive.
            std::fs::write(self.dir.join(format!("{filename}.sha256")), &digest).unwrap();
            self.sign(&filename);
            files.push(file_json(
                version,
                arch,
                &filename,
                &digest,
                bytes.len() as u64,
            ));
            digests.push(digest);
        }
        self.push_release(version, files);
        digests
    }

    /// Adds `version` with an archive already written at `path` (copied or linked in).
    pub fn add_archive_file(&mut self, version: &str, arch: &str, path: &Path) -> String {
        let filename = format!("{version}.linux-{arch}.tar.gz");
        let target = self.dir.join(&filename);
        let _ = std::fs::remove_file(&target);
        if std::fs::hard_link(path, &target).is_err() {
            std::fs::copy(path, &target).unwrap();
        }
        let bytes = std::fs::read(&target).unwrap();
        let digest = sha256_hex(&bytes);
        self.sign(&filename);
        let file = file_json(version, arch, &filename, &digest, bytes.len() as u64);
        self.push_release(version, vec![file]);
        digest
    }

    /// Lists `version` in the index with arbitrary file records (for hostile indexes).
    pub fn add_raw_release(&mut self, version: &str, files: Vec<serde_json::Value>) {
        self.push_release(version, files);
    }

    fn push_release(&mut self, version: &str, files: Vec<serde_json::Value>) {
        let stable = !version.contains("rc") && !version.contains("beta");
        self.releases.retain(|r| r["version"] != version);
        self.releases.push(serde_json::json!({
            "version": version,
            "stable": stable,
            "files": files,
        }));
        self.write_index();
    }

    fn write_index(&self) {
        let text = serde_json::to_string_pretty(&self.releases).unwrap();
        std::fs::write(self.dir.join("index.json"), text).unwrap();
    }

    /// The index document as written.
    pub fn index_json(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("index.json")).unwrap()
    }
}

fn file_json(version: &str, arch: &str, filename: &str, sha: &str, size: u64) -> serde_json::Value {
    serde_json::json!({
        "filename": filename,
        "os": "linux",
        "arch": arch,
        "version": version,
        "sha256": sha,
        "size": size,
        "kind": "archive",
    })
}

/// A context whose installs come from a local mirror of fake go1.22.5 and go1.21.13
/// (amd64), with no retries and no colour: what the output and error snapshots run on.
pub fn fake_mirror_context(bin: &str) -> (crate::TestContext, MirrorDir) {
    let mut ctx = crate::TestContext::new(bin);
    let mut mirror = MirrorDir::new(ctx.root().join("mirror"));
    mirror.add_fake("go1.22.5", &["amd64"]);
    mirror.add_fake("go1.21.13", &["amd64"]);
    let dir = mirror.path().display().to_string();
    ctx.env("GORIG_MIRROR", dir)
        .env("GORIG_ARCH", "amd64")
        .env("GORIG_RETRIES", "0")
        .env("NO_COLOR", "1");
    (ctx, mirror)
}
