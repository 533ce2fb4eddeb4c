//! Throwaway OpenPGP keys made with the real `gpg`, which is the judge for signatures in
//! the tests: a primary key for certification only and an Ed25519 signing subkey, the
//! shape of Google's release key, in a private GNUPGHOME that is removed afterwards.
//!
//! `--faked-system-time` lets a test make keys and signatures at chosen moments (a
//! subkey that expired after it signed, a signature made before a subkey existed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

/// A key in its own GNUPGHOME.
pub struct TestKey {
    home: tempfile::TempDir,
    /// Primary fingerprint, upper-case hex.
    pub fingerprint: String,
    /// One gpg at a time per home: each stops the agent when done, which must not pull
    /// it from under another thread's gpg.
    busy: Mutex<()>,
}

impl Drop for TestKey {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--kill", "all"])
            .output();
    }
}

fn require_gpg() {
    let ok = Command::new("gpg")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "these tests need GnuPG as the judge of signatures: install it (Debian: apt-get install gnupg)"
    );
}

impl TestKey {
    /// A new key: primary (certify only) created at `at` (`YYYYMMDDTHHMMSS`, or now), with
    /// one signing subkey that does not expire.
    pub fn generate(at: Option<&str>) -> TestKey {
        // gpg-agent's socket path must stay short: keep the home under /tmp.
        let home = tempfile::Builder::new()
            .prefix("gorig-gpg-")
            .tempdir_in("/tmp")
            .unwrap();
        TestKey::generate_in(home, at)
    }

    fn generate_in(home: tempfile::TempDir, at: Option<&str>) -> TestKey {
        require_gpg();
        let mut key = TestKey {
            home,
            fingerprint: String::new(),
            busy: Mutex::new(()),
        };
        key.gpg_at(
            at,
            &[
                "--quick-generate-key",
                "gorig test release key <release@gorig.test>",
                "ed25519",
                "cert",
                "never",
            ],
        );
        key.fingerprint = key.fingerprints()[0].clone();
        key.add_signing_subkey(at, "never");
        key
    }

    /// One key per test process, for mirrors that just need signed archives.
    pub fn shared() -> &'static TestKey {
        static KEY: OnceLock<TestKey> = OnceLock::new();
        KEY.get_or_init(|| {
            // A static is never dropped, so its home would outlive the process: name it
            // after the process, and remove those of processes that have ended.
            for entry in std::fs::read_dir("/tmp").into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let pid = name
                    .strip_prefix("gorig-gpg-shared-")
                    .and_then(|rest| rest.split('-').next());
                if let Some(pid) = pid
                    && !Path::new("/proc").join(pid).exists()
                {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
            let home = tempfile::Builder::new()
                .prefix(&format!("gorig-gpg-shared-{}-", std::process::id()))
                .tempdir_in("/tmp")
                .unwrap();
            TestKey::generate_in(home, None)
        })
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// A copy of this key's GNUPGHOME, to change the key in one copy only.
    pub fn duplicate(&self) -> TestKey {
        let home = tempfile::Builder::new()
            .prefix("gorig-gpg-")
            .tempdir_in("/tmp")
            .unwrap();
        let status = Command::new("cp")
            .arg("-a")
            .arg(format!("{}/.", self.home.path().display()))
            .arg(home.path())
            .status()
            .unwrap();
        assert!(status.success());
        for socket in [
            "S.gpg-agent",
            "S.gpg-agent.browser",
            "S.gpg-agent.extra",
            "S.gpg-agent.ssh",
        ] {
            let _ = std::fs::remove_file(home.path().join(socket));
        }
        TestKey {
            home,
            fingerprint: self.fingerprint.clone(),
            busy: Mutex::new(()),
        }
    }

    /// gpg in this home, asking nothing (empty passphrase, no terminal).
    fn unattended(&self) -> Command {
        let mut command = Command::new("gpg");
        command.arg("--homedir").arg(self.home.path()).args([
            "--batch",
            "--yes",
            "--no-tty",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ]);
        command
    }

    /// Runs gpg in this home, at a faked time when `at` is given; panics on failure.
    pub fn gpg_at(&self, at: Option<&str>, args: &[&str]) -> Vec<u8> {
        let mut command = self.unattended();
        if let Some(at) = at {
            command.args([
                "--faked-system-time",
                &format!("{at}!"),
                "--ignore-time-conflict",
            ]);
        }
        let guard = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        let output = command.args(args).output().unwrap();
        self.stop_agent();
        drop(guard);
        assert!(
            output.status.success(),
            "gpg {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }

    /// Stops the gpg-agent that secret-key operations start: the shared key lives in a
    /// static that is never dropped, and its agent must not outlive the tests.
    fn stop_agent(&self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }

    /// Fingerprints of the primary key and its subkeys, in order.
    pub fn fingerprints(&self) -> Vec<String> {
        let out = self.gpg_at(None, &["--with-colons", "--fingerprint", "--list-keys"]);
        String::from_utf8_lossy(&out)
            .lines()
            .filter(|l| l.starts_with("fpr:"))
            .filter_map(|l| l.split(':').nth(9).map(String::from))
            .collect()
    }

    /// The newest subkey's fingerprint.
    pub fn newest_subkey(&self) -> String {
        self.fingerprints().last().unwrap().clone()
    }

    /// Adds a signing subkey made at `at`, expiring after `expire` (`never`, `1d`, `2y`,
    /// or an ISO date); returns its fingerprint.
    pub fn add_signing_subkey(&self, at: Option<&str>, expire: &str) -> String {
        self.gpg_at(
            at,
            &[
                "--quick-add-key",
                &self.fingerprint,
                "ed25519",
                "sign",
                expire,
            ],
        );
        self.newest_subkey()
    }

    /// Sets a subkey's expiry (a new binding signature made at `at`).
    pub fn set_subkey_expiry(&self, at: Option<&str>, subkey: &str, expire: &str) {
        self.gpg_at(
            at,
            &["--quick-set-expire", &self.fingerprint, expire, subkey],
        );
    }

    /// Revokes a subkey (a subkey revocation signature by the primary).
    pub fn revoke_subkey(&self, subkey: &str) {
        let index = self
            .fingerprints()
            .iter()
            .position(|f| f == subkey)
            .expect("a subkey of this key");
        let guard = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        let mut child = self
            .unattended()
            .args(["--command-fd", "0", "--edit-key", &self.fingerprint])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            let stdin = child.stdin.as_mut().unwrap();
            write!(
                stdin,
                "key {index}\nrevkey\ny\n1\nkey compromised\n\ny\nsave\n"
            )
            .unwrap();
        }
        let output = child.wait_with_output().unwrap();
        self.stop_agent();
        drop(guard);
        assert!(
            output.status.success(),
            "gpg revkey failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let listing = self.gpg_at(None, &["--with-colons", "--list-keys"]);
        assert!(
            String::from_utf8_lossy(&listing)
                .lines()
                .any(|l| l.starts_with("sub:r:")),
            "gpg did not revoke the subkey"
        );
    }

    /// The public key block, armored.
    pub fn public_armored(&self) -> Vec<u8> {
        self.gpg_at(None, &["--armor", "--export", &self.fingerprint])
    }

    /// Writes the public key block to `path`.
    pub fn write_public(&self, path: &Path) -> PathBuf {
        std::fs::write(path, self.public_armored()).unwrap();
        path.to_path_buf()
    }

    /// Signs `file` into `file.asc` with `subkey` (default: the newest), at `at`, hashing
    /// with SHA-256 (as an archive's own digest, so gorig's single-hash path is the one
    /// exercised; [`TestKey::sign_digest`] picks another hash).
    pub fn sign_with(&self, file: &Path, subkey: Option<&str>, at: Option<&str>) -> PathBuf {
        self.sign_full(file, subkey, at, "SHA256")
    }

    /// Signs `file` into `file.asc` with the newest subkey, hashing with `digest_algo`
    /// (gpg's name: SHA256, SHA384, SHA512).
    pub fn sign_digest(&self, file: &Path, digest_algo: &str) -> PathBuf {
        self.sign_full(file, None, None, digest_algo)
    }

    fn sign_full(
        &self,
        file: &Path,
        subkey: Option<&str>,
        at: Option<&str>,
        digest_algo: &str,
    ) -> PathBuf {
        let signer = format!(
            "{}!",
            subkey.map_or_else(|| self.newest_subkey(), String::from)
        );
        let mut asc = file.as_os_str().to_owned();
        asc.push(".asc");
        let asc = PathBuf::from(asc);
        let (asc_text, file_text) = (asc.display().to_string(), file.display().to_string());
        self.gpg_at(
            at,
            &[
                "--local-user",
                &signer,
                "--digest-algo",
                digest_algo,
                "--armor",
                "--detach-sign",
                "--output",
                &asc_text,
                &file_text,
            ],
        );
        asc
    }

    /// Signs `file` into `file.asc` with the newest subkey, now.
    pub fn sign(&self, file: &Path) -> PathBuf {
        self.sign_with(file, None, None)
    }

    /// Whether gpg itself accepts `asc` over `file` with this key.
    pub fn gpg_verifies(&self, file: &Path, asc: &Path) -> bool {
        Command::new("gpg")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--batch", "--verify"])
            .arg(asc)
            .arg(file)
            .output()
            .is_ok_and(|o| o.status.success())
    }
}
