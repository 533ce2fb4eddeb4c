//! `App`: what every command works with, built once per run from the resolved settings:
//! the store, the printer, and (only when a command needs them) the HTTP client, the
//! platform and the release index.

use std::cell::OnceCell;
use std::time::SystemTime;

use gorig_fetch::{
    Client, DownloadCache, FetchError, IndexCache, IndexOrigin, IndexPolicy, LoadedIndex, Reporter,
    human_duration, load_index,
};
use gorig_host::{HostRoot, Platform, detect_arch};
use gorig_store::{Lock, LockHolder, Store};
use gorig_version::GoVersion;

use crate::failure::{Exit, Failure};
use crate::printer::Printer;
use crate::reporters::{JsonReporter, TerminalReporter};
use crate::settings::Settings;

pub struct App {
    pub settings: Settings,
    pub store: Store,
    pub printer: Printer,
    client: OnceCell<Client>,
}

impl App {
    pub fn new(settings: Settings, json: bool) -> App {
        let printer = Printer::new(json, settings.quiet, settings.color);
        App {
            store: Store::new(&settings.home),
            settings,
            printer,
            client: OnceCell::new(),
        }
    }

    pub fn client(&self) -> Result<&Client, Failure> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = Client::new(&self.settings.client)?;
        Ok(self.client.get_or_init(|| client))
    }

    pub fn download_cache(&self) -> DownloadCache {
        DownloadCache::new(self.settings.cache_dir.join("downloads"))
    }

    fn index_cache(&self) -> IndexCache {
        IndexCache::new(self.settings.cache_dir.join("index"))
    }

    /// The platform to install for: `--arch`/`GORIG_ARCH`, else the host's userland.
    pub fn platform(&self) -> Result<Platform, Failure> {
        if let Some(arch) = self.settings.arch {
            return Ok(Platform::linux(arch));
        }
        let machine = rustix::system::uname()
            .machine()
            .to_string_lossy()
            .into_owned();
        let detected = detect_arch(&HostRoot::live(), Some(&machine)).map_err(|e| {
            Failure::new(Exit::NotFound, e)
                .hint("name the architecture with --arch (e.g. --arch amd64) if you know it")
        })?;
        Ok(Platform::linux(detected.arch))
    }

    /// Loads the release index under the configured cache policy.
    pub fn index(&self, refresh: bool, reporter: &dyn Reporter) -> Result<LoadedIndex, Failure> {
        let policy = IndexPolicy {
            ttl: self.settings.index_ttl,
            offline: self.settings.offline,
            refresh: refresh || self.settings.refresh,
            now: SystemTime::now(),
        };
        let loaded = load_index(
            self.client()?,
            &self.settings.index_sources,
            &self.index_cache(),
            policy,
            reporter,
        )
        .map_err(|e| match e {
            FetchError::NotCached { .. } => Failure::from(e).hint(
                "no release index is cached yet; exact versions whose archive is cached still install offline",
            ),
            other => Failure::from(other),
        })?;
        if let IndexOrigin::Cache { age, stale: true } = &loaded.origin
            && self.settings.offline
        {
            self.printer.note(format!(
                "offline: using the release index cached {} ago",
                human_duration(*age)
            ));
        }
        Ok(loaded)
    }

    /// The reporter for this run: JSON lines with `--json`, else a progress bar on a
    /// terminal and plain warnings elsewhere.
    pub fn reporter(&self) -> Box<dyn Reporter + '_> {
        if self.printer.json {
            Box::new(JsonReporter::new(&self.printer))
        } else {
            Box::new(TerminalReporter::new(&self.printer, self.settings.progress))
        }
    }

    /// Takes the store lock, telling the user when another gorig holds it.
    pub fn lock_store(&self) -> Result<Lock, Failure> {
        Ok(self
            .store
            .lock(&mut |holder| self.waiting(holder, "the store"))?)
    }

    /// Takes the install lock of `version`.
    pub fn lock_version(&self, version: &GoVersion) -> Result<Lock, Failure> {
        let what = format!("the install of {version}");
        Ok(self
            .store
            .lock_version(version, &mut |holder| self.waiting(holder, &what))?)
    }

    fn waiting(&self, holder: &LockHolder, what: &str) {
        let who = holder
            .pid
            .map_or("another gorig process".to_string(), |pid| {
                format!("gorig process {pid}")
            });
        if self.printer.json {
            self.printer.json_line(&serde_json::json!({
                "event": "waiting", "for": what, "pid": holder.pid,
            }));
        } else {
            eprintln!(
                "waiting for {who}, which holds {what} ({})",
                holder.path.display()
            );
        }
    }

    /// Fails unless system mode may change the system: root, or a non-default root prefix.
    pub fn require_system_access(&self) -> Result<(), Failure> {
        let Some(system) = &self.settings.system else {
            return Ok(());
        };
        if system.root == std::path::Path::new("/") && !rustix::process::geteuid().is_root() {
            return Err(Failure::msg(
                Exit::Refused,
                format!(
                    "--system manages {} and {} and needs root",
                    system.link.display(),
                    system.profile.display()
                ),
            )
            .hint("run it with sudo, or drop --system to install for your user only"));
        }
        Ok(())
    }
}
