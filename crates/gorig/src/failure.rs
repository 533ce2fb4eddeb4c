//! How a failed command ends: a stable exit code, the error with its causes, and hints
//! that name the next command to run. The typed errors of the library crates carry the
//! facts; this module decides what the user is told to do about them.

use std::io;

use gorig_fetch::FetchError;
use gorig_index::IndexError;
use gorig_install::InstallError;
use gorig_project::{PinError, Unselected};
use gorig_store::StoreError;

/// The hint after a network failure of a download: the network, the proxy, or a mirror.
pub const NETWORK_HINT: &str =
    "check the network or proxy (HTTPS_PROXY), or add a fallback with --mirror URL";

/// The hint after a network failure that archives in the download cache install without
/// a network; `App::situate` replaces it with the cached versions, or drops it when
/// nothing is cached.
pub const OFFLINE_HINT: &str =
    "archives installed before are cached: `gorig install --offline VERSION` needs no network";

/// Exit codes. Stable: scripts depend on them (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 1: anything not covered below.
    Internal = 1,
    /// 2: bad arguments, flag values, environment or config, or a malformed index.
    Usage = 2,
    /// 3: no such version, no archive for this architecture, not installed.
    NotFound = 3,
    /// 4: the network failed on every source, or offline without a cached copy.
    Network = 4,
    /// 5: verification failed: checksum mismatch, or an archive gorig refuses.
    Verification = 5,
    /// 6: the local filesystem failed: no space, permission denied, read-only.
    Filesystem = 6,
    /// 7: refused to change state that is not gorig's or would break the setup.
    Refused = 7,
    /// 8: `doctor` found warnings (and no failures).
    DoctorWarnings = 8,
    /// 9: `doctor` found failures.
    DoctorFailures = 9,
    /// 10: `verify`: a step (version, env, vet, test) failed.
    VerifyFailed = 10,
    /// 11: `inspect`: a binary won't run on a target.
    WontRun = 11,
    /// 12: `unit --check`: a unit is above `--max-exposure`, or its Go settings disagree
    /// with its limits.
    UnitCheck = 12,
    /// 13: `plan --check`, `apply --check`: the host differs from its gorig.yaml.
    Drifted = 13,
    /// 14: `apply`: the host is as declared, but its contract (doctor findings that must
    /// be ok) is not met.
    ContractUnmet = 14,
}

/// A command's failure: what happened, the exit code, and what to do next.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub error: anyhow::Error,
    pub hints: Vec<String>,
    /// The command already said everything; only the exit code is left to set.
    pub silent: bool,
}

impl Failure {
    pub fn new(exit: Exit, error: impl Into<anyhow::Error>) -> Failure {
        Failure {
            exit,
            error: error.into(),
            hints: Vec::new(),
            silent: false,
        }
    }

    /// Ends the command with `exit` and no message (the output already said why).
    pub fn silent(exit: Exit) -> Failure {
        let mut failure = Failure::msg(exit, "see the report above");
        failure.silent = true;
        failure
    }

    pub fn msg(exit: Exit, message: impl Into<String>) -> Failure {
        Failure::new(exit, anyhow::Error::msg(message.into()))
    }

    /// Puts `message` above the error as what failed; the error becomes its cause.
    pub fn context(mut self, message: impl Into<String>) -> Failure {
        self.error = self.error.context(message.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hints.push(hint.into());
        self
    }

    /// The error and its causes on one line.
    pub fn summary(&self) -> String {
        self.chain().join(": ")
    }

    /// The error chain as lines: the error, then each cause.
    pub fn chain(&self) -> Vec<String> {
        self.error.chain().map(|e| e.to_string()).collect()
    }
}

fn filesystem_hints(kind: Option<io::ErrorKind>, path_hint: &str) -> Vec<String> {
    match kind {
        Some(io::ErrorKind::StorageFull) | Some(io::ErrorKind::QuotaExceeded) => vec![format!(
            "free space on the filesystem holding {path_hint}, or point GORIG_HOME and GORIG_CACHE_DIR at another filesystem"
        )],
        Some(io::ErrorKind::PermissionDenied) => vec![format!(
            "check that you may write to {path_hint}, or set GORIG_HOME to a directory you own; for /usr/local use `sudo gorig ... --system`"
        )],
        Some(io::ErrorKind::ReadOnlyFilesystem) => vec![format!(
            "{path_hint} is on a read-only filesystem; set GORIG_HOME to a writable directory"
        )],
        _ => Vec::new(),
    }
}

impl From<FetchError> for Failure {
    fn from(error: FetchError) -> Failure {
        let (exit, hints): (Exit, Vec<String>) = match &error {
            FetchError::ChecksumMismatch { .. } => (
                Exit::Verification,
                vec![
                    "nothing was installed; the mirror served bytes that differ from what the index publishes".into(),
                    "report it to the mirror's operator, or try another source with --mirror".into(),
                ],
            ),
            FetchError::TooLarge { .. } => (
                Exit::Verification,
                vec!["nothing was installed; the source sent more bytes than the index says the archive has".into()],
            ),
            FetchError::Archive { .. } if error.io_kind().is_none() => {
                (
                    Exit::Verification,
                    vec!["nothing was installed; the archive is not an official Go archive".into()],
                )
            }
            FetchError::Io { path, .. } => (
                Exit::Filesystem,
                filesystem_hints(error.io_kind(), &path.display().to_string()),
            ),
            FetchError::Unpack { path, .. } => {
                let mut hints = filesystem_hints(error.io_kind(), &path.display().to_string());
                hints.push("nothing was installed; the previous toolchains are untouched".into());
                (Exit::Filesystem, hints)
            }
            FetchError::Archive { .. } => (
                Exit::Filesystem,
                filesystem_hints(error.io_kind(), "the gorig store"),
            ),
            FetchError::NotCached { what, .. } if what == "the release index" => (
                Exit::Network,
                vec![
                    "run the command again without --offline (or GORIG_OFFLINE) while online".into(),
                    "no release index is cached yet; exact versions whose archive is cached still install offline".into(),
                ],
            ),
            FetchError::NotCached { .. } => (
                Exit::Network,
                vec!["run the command again without --offline (or GORIG_OFFLINE) while online".into()],
            ),
            // A directory mirror that lacks a file is an incomplete mirror, not a network
            // failure: say what such a mirror holds.
            FetchError::AllSourcesFailed {
                what, local: true, ..
            } if what == "the release index" => (
                Exit::Usage,
                vec![
                    "a mirror directory needs index.json, the go.dev JSON index of what it holds (README: \"A mirror made by hand\"); or point --index at one".into(),
                    "without an index, --checksum-from-mirror installs exact versions, taking each archive's SHA-256 from ARCHIVE.sha256 beside it".into(),
                ],
            ),
            FetchError::AllSourcesFailed { local: true, .. } => (
                Exit::Usage,
                vec!["a mirror directory holds each archive with its .asc beside it, and its .sha256 for --checksum-from-mirror (`sha256sum ARCHIVE > ARCHIVE.sha256`; README: \"A mirror made by hand\")".into()],
            ),
            FetchError::CachedDigestDiffers { .. } => (
                Exit::Verification,
                vec![
                    "nothing was installed and the cached copy was kept; run the command again without --offline to fetch the archive the index names".into(),
                    "if the index is the wrong one, point --index at the index the archive came from".into(),
                ],
            ),
            FetchError::AllSourcesFailed { .. }
            | FetchError::Connect { .. }
            | FetchError::Timeout { .. }
            | FetchError::Interrupted { .. }
            | FetchError::Status { .. }
            | FetchError::BadDigestFile { .. }
            | FetchError::NotFound { .. } => (
                Exit::Network,
                vec![
                    NETWORK_HINT.into(),
                    OFFLINE_HINT.into(),
                ],
            ),
            FetchError::Signature { source, .. } => {
                let mut hints = vec!["nothing was installed".to_string()];
                if matches!(**source, gorig_fetch::signature::SignatureError::UnknownSigner { .. }) {
                    hints.push("`gorig keys refresh` fetches Google's current release keys; a mirror that re-signs archives needs its key given with --keyring FILE".into());
                } else {
                    hints.push("the archive or its .asc is not what the pinned release key signed: report it to the mirror's operator, or try another source with --mirror".into());
                }
                (Exit::Verification, hints)
            }
            FetchError::SignatureMissing { .. } => (
                Exit::Verification,
                vec![
                    "nothing was installed; a mirror should serve <archive>.asc beside each archive (copy them from https://dl.google.com/go/)".into(),
                    "GORIG_SIGNATURE_BASE names another place to look; --no-verify-signature installs without the check (not recommended)".into(),
                ],
            ),
            FetchError::KeyRefresh(_) => (
                Exit::Verification,
                vec!["--key-url / GORIG_KEY_URL name where the key block is fetched from".into()],
            ),
            FetchError::KeyringUnreadable { .. } | FetchError::KeyringInvalid { .. } => (
                Exit::Usage,
                vec!["--keyring / GORIG_KEYRING name OpenPGP public key files (gpg --export --armor KEYID)".into()],
            ),
            FetchError::Index(inner) => return Failure::from(inner.clone()),
            FetchError::BadMirror(_) | FetchError::Client(_) => (Exit::Usage, Vec::new()),
            FetchError::GoproxyOff => (
                Exit::Usage,
                vec!["set GOPROXY to a proxy that serves golang.org/toolchain, or use --source official".into()],
            ),
            FetchError::SumDbOff => (
                Exit::Usage,
                vec!["unset GOSUMDB, or set it to your database's key (NAME+HASH+KEY [URL]); with a single file:// GOPROXY the database is skipped, as go skips it".into()],
            ),
            FetchError::BadGosumdb { .. } => (
                Exit::Usage,
                vec!["GOSUMDB is sum.golang.org, off, or a key NAME+HASH+KEY optionally followed by the database's URL".into()],
            ),
            FetchError::SumDb { .. } => (
                Exit::Verification,
                vec!["nothing was installed; the proxy or the database served answers that do not prove the toolchain (stale, forged, or a forked database): report it to its operator".into()],
            ),
            FetchError::ZipHashMismatch { .. } => (
                Exit::Verification,
                vec!["nothing was installed; the proxy served a zip other than the one the checksum database records".into()],
            ),
        };
        Failure {
            exit,
            error: error.into(),
            hints,
            silent: false,
        }
    }
}

impl From<IndexError> for Failure {
    fn from(error: IndexError) -> Failure {
        let (exit, hints): (Exit, Vec<String>) = match &error {
            // The network worked; what it served is wrong: bad input, not a network failure.
            IndexError::Parse { .. } => (
                Exit::Usage,
                vec![
                    "the index is a JSON list of releases: [{\"version\": \"go1.22.5\", \"stable\": true, \"files\": [{\"filename\", \"os\", \"arch\", \"version\", \"sha256\", \"size\", \"kind\"}]}] (README: \"A mirror made by hand\")".into(),
                    "point --index (or GORIG_INDEX) at go.dev's JSON index or a mirror's index.json".into(),
                ],
            ),
            IndexError::UnknownVersion { .. } => (
                Exit::NotFound,
                vec!["`gorig list --remote` lists every release".into()],
            ),
            IndexError::OnlyPrereleases { request, .. } => (
                Exit::NotFound,
                vec![format!("gorig install --unstable {request}")],
            ),
            IndexError::NoArchive { .. } => (
                Exit::NotFound,
                vec!["pick another version, or install for another architecture with --arch".into()],
            ),
            IndexError::NoChecksum { .. } => (Exit::Verification, Vec::new()),
        };
        Failure {
            exit,
            error: error.into(),
            hints,
            silent: false,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Failure {
        let (exit, hints) = match &error {
            StoreError::Fs(gorig_fs::FsError::Io { path, .. }) => (
                Exit::Filesystem,
                filesystem_hints(error.io_kind(), &path.display().to_string()),
            ),
            StoreError::NotInstalled(v) => (Exit::NotFound, vec![format!("gorig install {v}")]),
            StoreError::Fs(gorig_fs::FsError::RealDirectory { path }) => (
                Exit::Refused,
                vec![format!(
                    "gorig never deletes it; `gorig install --system --adopt VERSION` moves it aside to {}.adopted-<time>",
                    path.display()
                )],
            ),
        };
        Failure {
            exit,
            error: error.into(),
            hints,
            silent: false,
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Failure {
        Failure::new(Exit::Internal, error)
    }
}

impl From<PinError> for Failure {
    fn from(error: PinError) -> Failure {
        let hint = error.hint();
        Failure::new(Exit::Usage, error).hint(hint)
    }
}

impl From<Unselected> for Failure {
    fn from(error: Unselected) -> Failure {
        match error {
            Unselected::Pin(e) => e.into(),
            Unselected::Store(e) => e.into(),
            Unselected::NotInstalled { ref install, .. } => {
                let hint = format!("gorig install {install}");
                Failure::new(Exit::NotFound, error)
                    .hint(hint)
                    .hint("or set GORIG_AUTO_INSTALL=1 (auto_install = true) to install pinned versions on first use")
            }
            Unselected::NothingInstalled => {
                Failure::new(Exit::NotFound, error).hint("gorig install")
            }
            Unselected::NoDefault { .. } => Failure::new(Exit::NotFound, error)
                .hint("gorig install --default")
                .hint("or add a toolchain line, e.g. `toolchain go1.27.3`"),
        }
    }
}

impl From<InstallError> for Failure {
    fn from(error: InstallError) -> Failure {
        match error {
            InstallError::Fetch(e) => (*e).into(),
            InstallError::Index(e) => e.into(),
            InstallError::Store(e) => e.into(),
            InstallError::Unselected(e) => e.into(),
            InstallError::Failed { version, source } => {
                Failure::from(*source).context(format!("could not install {version}"))
            }
            InstallError::UnknownPlatform { .. } => Failure::new(Exit::NotFound, error)
                .hint("name the architecture with --arch (e.g. --arch amd64) if you know it"),
            InstallError::OtherArch {
                ref version,
                ref archive_arch,
                ..
            } => {
                let hint = format!(
                    "gorig install --force --arch {archive_arch} {version}   (replaces it)"
                );
                Failure::new(Exit::Refused, error).hint(hint)
            }
            InstallError::NoInstalledMatch { ref request, .. } => {
                let hint = format!("gorig install {request}");
                Failure::new(Exit::NotFound, error).hint(hint)
            }
            InstallError::Ambiguous { .. } => {
                Failure::new(Exit::Usage, error).hint("name the exact versions to remove")
            }
            InstallError::IsDefault {
                ref version,
                ref others,
            } => {
                let mut hints = Vec::new();
                if let Some(other) = others.last() {
                    hints.push(format!("gorig use {other}   (then uninstall {version})"));
                }
                hints.push(format!(
                    "gorig uninstall --force {version}   (removes it anyway)"
                ));
                let mut failure = Failure::new(Exit::Refused, error);
                failure.hints = hints;
                failure
            }
            InstallError::SystemLinked { .. } => Failure::new(Exit::Refused, error)
                .hint("switch it first: sudo gorig use --system OTHER_VERSION"),
            InstallError::Raced { .. } => Failure::new(Exit::Refused, error)
                .hint("another gorig is removing what this one installs; run the command again when it is done"),
            InstallError::NotInGoproxy { .. } => Failure::new(Exit::NotFound, error)
                .hint("the proxy's golang.org/toolchain/@v/list names the toolchains it serves; ask for one of those, or use --source official"),
            InstallError::NoPrevious => Failure::new(Exit::NotFound, error)
                .hint("gorig use VERSION   (`gorig list` shows what is installed)"),
        }
    }
}
