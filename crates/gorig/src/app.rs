//! `App`: what every command works with, built once per run from the resolved settings:
//! the store, the printer, and (when a command needs one) the [`Installer`] and its
//! reporter.

use gorig_fetch::{KeyStore, Reporter};
use gorig_host::{HostRoot, Platform, detect_arch};
use gorig_install::{Installer, Policy, Sources};
use gorig_store::Store;

use crate::failure::{Exit, Failure};
use crate::printer::Printer;
use crate::reporters::{JsonReporter, TerminalReporter};
use crate::settings::{Environment, Settings};

pub struct App {
    pub settings: Settings,
    /// The environment, captured once in `main` (or by the shim).
    pub env: Environment,
    pub store: Store,
    pub printer: Printer,
}

impl App {
    pub fn new(settings: Settings, env: Environment, json: bool) -> App {
        let printer = Printer::new(json, settings.quiet, settings.color);
        App {
            store: Store::new(&settings.home),
            settings,
            env,
            printer,
        }
    }

    /// A failure with its hints made true of this machine: the offline hint names the
    /// versions in the download cache, and is left out when nothing is cached.
    pub fn situate(&self, mut failure: Failure) -> Failure {
        if !failure
            .hints
            .iter()
            .any(|h| h == crate::failure::OFFLINE_HINT)
        {
            return failure;
        }
        let mut cached: Vec<gorig_version::GoVersion> =
            std::fs::read_dir(self.settings.cache_dir.join("downloads"))
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|entry| {
                    let name = entry.file_name().into_string().ok()?;
                    let version = name.strip_suffix(".tar.gz")?.split_once(".linux-")?.0;
                    version.parse().ok()
                })
                .collect();
        cached.sort();
        cached.dedup();
        failure.hints.retain(|h| h != crate::failure::OFFLINE_HINT);
        if let Some(newest) = cached.last() {
            let names: Vec<String> = cached.iter().map(|v| v.to_string()).collect();
            failure.hints.push(format!(
                "cached here, installable with --offline: {} (e.g. `gorig install --offline {}`)",
                names.join(", "),
                newest.to_string().trim_start_matches("go")
            ));
        }
        failure
    }

    /// The platform to install for: `--arch`/`GORIG_ARCH`, else the host's userland.
    pub fn platform(&self) -> Result<Platform, Failure> {
        if let Some(arch) = self.settings.arch {
            return Ok(Platform::linux(arch));
        }
        let machine = gorig_host::uname_machine();
        let detected = detect_arch(&HostRoot::live(), Some(&machine)).map_err(|e| {
            Failure::new(Exit::NotFound, e)
                .hint("name the architecture with --arch (e.g. --arch amd64) if you know it")
        })?;
        Ok(Platform::linux(detected.arch))
    }

    /// The installer for this run, reporting to `reporter`.
    pub fn installer<'r>(&self, reporter: &'r dyn Reporter) -> Installer<'r> {
        let (sources, keys, policy) = self.installer_parts();
        Installer::new(self.store.clone(), sources, keys, policy, reporter)
    }

    /// What [`App::installer`] is made of, for a command that changes a part first
    /// (`apply`: the sources a gorig.yaml declares, its system store).
    pub fn installer_parts(&self) -> (Sources, KeyStore, Policy) {
        let settings = &self.settings;
        (
            Sources {
                client: settings.client.clone(),
                mirrors: settings.mirrors.clone(),
                index: settings.index_sources.clone(),
                cache_dir: settings.cache_dir.clone(),
                signature_base: settings.signature_base.clone(),
            },
            KeyStore {
                stored: self.store.home().join("keys/release-keys.asc"),
                keyrings: settings.keyrings.clone(),
                key_url: settings.key_url.clone(),
            },
            Policy {
                platform: self.platform().map_err(|f| f.summary()),
                offline: settings.offline,
                refresh_index: settings.refresh,
                index_ttl: settings.index_ttl,
                digests_from_mirror: settings.checksum_from_mirror,
                verify_signatures: settings.verify_signature,
                limits: settings.limits,
                persistence: settings.persistence,
                goproxy: settings.goproxy.clone(),
                goproxy_fallback: settings.goproxy_fallback.clone(),
            },
        )
    }

    /// `install`'s reporter: JSON lines with `--json` (the events it documents), else a
    /// progress bar on a terminal and plain warnings elsewhere. Every other command
    /// prints one JSON document, so its events go to stderr ([`App::stderr_reporter`]).
    pub fn reporter(&self) -> Box<dyn Reporter + '_> {
        if self.printer.json {
            Box::new(JsonReporter::new(&self.printer))
        } else {
            Box::new(TerminalReporter::new(&self.printer, self.settings.progress))
        }
    }

    /// The reporter of every command but `install`, and of an install made on the way to
    /// something else (a shim, `exec`, the hook, `verify`): stdout belongs to the tool,
    /// the shell or the one JSON document, so everything goes to stderr.
    pub fn stderr_reporter(&self) -> TerminalReporter<'_> {
        TerminalReporter::new(&self.printer, self.settings.progress)
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
