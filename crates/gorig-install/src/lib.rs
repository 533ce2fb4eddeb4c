//! Installing, selecting and removing Go toolchains, as one library the commands, the
//! shims, the shell hook and (later) `apply` all call.
//!
//! An [`Installer`] holds what an install needs: the store, where archives and the index
//! come from ([`Sources`]), the release keys ([`KeyStore`]), the rules ([`Policy`]) and a
//! [`Reporter`] for [`Event`]s. Its operations:
//!
//! - [`Installer::install`]: resolve a request against the release index (refreshed once
//!   when the cached index does not know it; from the download cache or by name when no
//!   index can be had), then download, verify (SHA-256 and OpenPGP) and unpack in one pass
//!   into staging, seal it, and publish it with one rename (a reinstall swaps the new tree
//!   in, so the default resolves at every instant);
//! - [`Installer::ensure`]: the one "use what is installed, else install it when allowed"
//!   rule, for a version request or a project directory;
//! - [`Installer::uninstall`], [`Installer::use_version`], [`Installer::rollback`]: every
//!   check that decides them is made under the store lock, so a concurrent `use`, install
//!   or removal cannot slip between the check and the change;
//! - [`Installer::link_system`]: `/usr/local/go` and the profile script of system mode;
//! - [`examine::examine`]: the doctor's facts of the host and of the store, and its report;
//! - [`verify::run_steps`]: `gorig verify`'s steps on a project;
//! - [`unit::plan`] and [`unit::write`]: `gorig unit`'s hardened systemd units;
//! - [`fleet::plan`] and [`fleet::apply`]: `gorig plan` and `gorig apply` of a gorig.yaml;
//! - [`selinux::plan`], [`selinux::write_module`], [`selinux::refine`]: `gorig selinux`.
//!
//! Nothing here prints: what happens leaves as events, what fails as an [`InstallError`].

// An InstallError ends a command; carrying its facts inline (a version, the arches found)
// costs a few bytes of stack per call, nothing a user can measure.
#![allow(clippy::result_large_err)]

mod ensure;
mod error;
pub mod examine;
pub mod fleet;
mod goproxy;
mod install;
pub mod mirror;
mod remove;
pub mod selinux;
mod system;
pub mod unit;
pub mod verify;

pub use ensure::{Ensured, Want};
pub use error::InstallError;
pub use goproxy::Vouched;
pub use install::{Fresh, InstallHow, Installed};
pub use remove::Removal;
pub use system::{SystemLinked, SystemPaths};

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use gorig_event::{Event, LockScope, Reporter};
use gorig_fetch::{
    Client, ClientConfig, DownloadCache, ExtractLimits, IndexCache, IndexOrigin, IndexPolicy,
    KeyStore, LoadedIndex, Location, Mirror, Persistence, known_age, load_index,
};
use gorig_store::{Lock, LockHolder, Store};
use gorig_version::{GoVersion, Platform};

/// Where archives, signatures and the index come from.
#[derive(Debug, Clone)]
pub struct Sources {
    pub client: ClientConfig,
    /// Tried in order for every archive.
    pub mirrors: Vec<Mirror>,
    /// Release index sources, tried in order.
    pub index: Vec<Location>,
    /// Holds `downloads/` (verified archives and their signatures) and `index/`.
    pub cache_dir: PathBuf,
    /// Where `<archive>.asc` is looked for when a mirror has none.
    pub signature_base: Mirror,
}

/// The rules an install follows.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The platform archives are chosen for; `Err` says why it could not be determined
    /// (only installing needs it).
    pub platform: Result<Platform, String>,
    /// Never use the network; only the caches.
    pub offline: bool,
    /// Ask for the index even when the cached copy is fresh.
    pub refresh_index: bool,
    pub index_ttl: Duration,
    /// Take digests from `<archive>.sha256` on the mirror, not from the index.
    pub digests_from_mirror: bool,
    /// Check OpenPGP release signatures.
    pub verify_signatures: bool,
    pub limits: ExtractLimits,
    /// Retries and the low-speed rule, for every request.
    pub persistence: Persistence,
    /// Install through GOPROXY, verified by the checksum database (`--source goproxy`).
    pub goproxy: Option<gorig_fetch::goproxy::GoproxySource>,
    /// Where to turn when the official sources cannot be reached: GOPROXY, when the
    /// environment sets one and no source was chosen.
    pub goproxy_fallback: Option<gorig_fetch::goproxy::GoproxySource>,
}

/// Installs, selects and removes toolchains in one store.
pub struct Installer<'r> {
    store: Store,
    sources: Sources,
    keys: KeyStore,
    policy: Policy,
    reporter: &'r dyn Reporter,
    client: OnceLock<Client>,
    /// The index loaded by this run, shared by every install it makes.
    index: Mutex<Option<LoadedIndex>>,
    /// The warnings that a check is off are given once per run.
    warned: AtomicBool,
}

impl<'r> Installer<'r> {
    pub fn new(
        store: Store,
        sources: Sources,
        keys: KeyStore,
        policy: Policy,
        reporter: &'r dyn Reporter,
    ) -> Installer<'r> {
        Installer {
            store,
            sources,
            keys,
            policy,
            reporter,
            client: OnceLock::new(),
            index: Mutex::new(None),
            warned: AtomicBool::new(false),
        }
    }

    /// The same installer with `change` applied to its policy (a command's own flags).
    pub fn with_policy(mut self, change: impl FnOnce(&mut Policy)) -> Self {
        change(&mut self.policy);
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    pub fn reporter(&self) -> &dyn Reporter {
        self.reporter
    }

    /// The HTTP client, made on first use (a bad CA file or client certificate fails
    /// only the commands that go online).
    pub fn client(&self) -> Result<&Client, InstallError> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = Client::new(&self.sources.client)?;
        Ok(self.client.get_or_init(|| client))
    }

    pub fn download_cache(&self) -> DownloadCache {
        DownloadCache::new(self.sources.cache_dir.join("downloads"))
    }

    fn index_cache(&self) -> IndexCache {
        IndexCache::new(self.sources.cache_dir.join("index"))
    }

    /// The release index under the cache policy; `refresh` asks the network even when
    /// the cached copy is fresh. The copy loaded is kept for the rest of the run.
    pub fn index(&self, refresh: bool) -> Result<LoadedIndex, InstallError> {
        if !refresh
            && let Ok(slot) = self.index.lock()
            && let Some(loaded) = slot.as_ref()
        {
            return Ok(loaded.clone());
        }
        let policy = IndexPolicy {
            ttl: self.policy.index_ttl,
            offline: self.policy.offline,
            refresh: refresh || self.policy.refresh_index,
            now: SystemTime::now(),
            retry: self.policy.persistence,
        };
        let loaded = load_index(
            self.client()?,
            &self.sources.index,
            &self.index_cache(),
            policy,
            self.reporter,
        )?;
        if let IndexOrigin::Cache { age, stale: true } = &loaded.origin
            && self.policy.offline
        {
            self.reporter.report(Event::IndexOffline {
                age_secs: known_age(*age),
            });
        }
        if let Ok(mut slot) = self.index.lock() {
            *slot = Some(loaded.clone());
        }
        Ok(loaded)
    }

    /// Reports once per run that a check is off, as the user asked.
    fn warn_checks_off(&self) {
        if self.warned.swap(true, Ordering::SeqCst) {
            return;
        }
        if self.policy.digests_from_mirror {
            self.reporter.report(Event::DigestFromMirror);
        }
        if !self.policy.verify_signatures {
            self.reporter.report(Event::SignaturesOff);
        }
    }

    fn waiting(&self, scope: LockScope) -> impl FnMut(&LockHolder) + '_ {
        move |holder| {
            self.reporter.report(Event::Waiting {
                scope: scope.clone(),
                path: holder.path.display().to_string(),
                pid: holder.pid,
            });
        }
    }

    /// Takes the store lock, reporting a wait.
    pub fn lock_store(&self) -> Result<Lock, InstallError> {
        Ok(self.store.lock(&mut self.waiting(LockScope::Store))?)
    }

    fn lock_version(&self, version: &GoVersion) -> Result<Lock, InstallError> {
        let scope = LockScope::Install(version.to_string());
        Ok(self.store.lock_version(version, &mut self.waiting(scope))?)
    }

    /// Removes what interrupted runs left in staging; returns the names removed.
    pub fn sweep(&self) -> Result<Vec<String>, InstallError> {
        let lock = self.lock_store()?;
        let removed = self.store.sweep(&lock)?;
        if !removed.is_empty() {
            self.reporter.report(Event::Swept {
                dir: self.store.staging_dir().display().to_string(),
                names: removed.clone(),
            });
        }
        Ok(removed)
    }
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests;
