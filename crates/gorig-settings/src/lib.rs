//! Settings, resolved once per run from flags, then environment, then the user's config
//! file, then `/etc/gorig/config.toml`, then defaults, into one plain [`Settings`] value
//! that the commands pass down. Nothing else in gorig reads the environment (clippy's
//! `disallowed-methods` keeps `std::env::var*` out of every other module).
//!
//! Every setting and every environment variable gorig reads is in the registry
//! ([`SETTINGS`], [`OTHER_ENV`]); the flags' help, `gorig help environment`, the README's
//! table and `docs/config.schema.json` are generated from it.

mod flags;
mod registry;

pub use flags::GlobalArgs;
pub use registry::{
    Kind, OTHER_ENV, SETTINGS, Setting, config_schema, env_help, flag_help, is_known_variable,
    markdown_table, setting_of_flag,
};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use gorig_fetch::{ClientConfig, DEFAULT_INDEX_URL, ExtractLimits, Location, Mirror, TrustRoots};
use gorig_version::GoArch;
use serde::Deserialize;

/// Gives every global flag of `command` its help from the registry.
pub fn with_registry_help(command: clap::Command) -> clap::Command {
    let mut command = command;
    for setting in SETTINGS {
        if let Some((id, _)) = setting.flag {
            let long = flag_help(setting);
            let short = registry::flag_short_help(setting);
            let heading = registry::HEADINGS
                .iter()
                .find(|(_, ids)| ids.contains(&id))
                .map(|(heading, _)| *heading);
            command = command.mut_arg(id, |arg| {
                arg.help(short).long_help(long).help_heading(heading)
            });
        }
    }
    command.after_long_help(env_help())
}

/// Hides from each subcommand's help the global option groups ([`registry::HEADINGS`])
/// it never reads; `uses` names, per subcommand, the groups it does (a subcommand not
/// listed shows them all). The options are still accepted there, so a script that passes
/// them everywhere keeps working: clap propagates a global option into a subcommand only
/// when the subcommand has none of that id, so a hidden copy added first takes its place.
pub fn hide_unused_groups(command: clap::Command, uses: &[(&str, &[&str])]) -> clap::Command {
    let globals: Vec<clap::Arg> = command
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .cloned()
        .collect();
    let mut command = command;
    for (name, groups) in uses {
        command = command.mut_subcommand(*name, |mut sub| {
            for arg in &globals {
                let id = arg.get_id().as_str();
                let unused = registry::HEADINGS
                    .iter()
                    .find(|(_, ids)| ids.contains(&id))
                    .is_some_and(|(heading, _)| !groups.contains(heading));
                if unused {
                    sub = sub.arg(arg.clone().hide(true));
                }
            }
            sub
        });
    }
    command
}

/// A snapshot of the process environment, taken once in `main`.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    vars: HashMap<String, String>,
    /// Variables whose value is not UTF-8 (kept out of `vars`, refused by
    /// [`Environment::check_utf8`] when gorig would use them).
    not_utf8: Vec<String>,
}

/// Variables whose value gorig uses as a path or setting: one that is not UTF-8 is an
/// error, never silently replaced by a default (another store, another config).
fn must_be_utf8(name: &str) -> bool {
    name.starts_with("GORIG_")
        || name.starts_with("XDG_")
        || matches!(name, "HOME" | "GOBIN" | "GOPATH" | "GOWORK" | "TMPDIR")
}

impl Environment {
    // The one place the process environment is read (clippy's disallowed-methods keeps
    // every other crate and module off `std::env::var*`).
    #[allow(clippy::disallowed_methods)]
    pub fn capture() -> Environment {
        let mut env = Environment::default();
        for (key, value) in std::env::vars_os() {
            let Ok(key) = key.into_string() else { continue };
            match value.into_string() {
                Ok(value) => {
                    env.vars.insert(key, value);
                }
                Err(_) => env.not_utf8.push(key),
            }
        }
        env.not_utf8.sort();
        env
    }

    /// Fails when a variable gorig uses holds bytes that are not UTF-8.
    pub fn check_utf8(&self) -> anyhow::Result<()> {
        if let Some(name) = self.not_utf8.iter().find(|n| must_be_utf8(n)) {
            bail!(
                "{name} is not valid UTF-8; gorig reads it as a path or setting and will not guess: set it to a UTF-8 value (or unset it for the default)"
            );
        }
        Ok(())
    }

    /// An environment made of `pairs` (tests, and callers that build one).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Environment {
        Environment {
            vars: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            not_utf8: Vec::new(),
        }
    }

    /// Every variable, sorted (for checks that look at many).
    pub fn to_map(&self) -> std::collections::BTreeMap<String, String> {
        self.vars
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// A variable's value; empty counts as unset. Only variables in the registry are
    /// read (debug builds check it, so a new read cannot go undocumented).
    pub fn get(&self, key: &str) -> Option<&str> {
        debug_assert!(
            is_known_variable(key),
            "{key} is read but not in gorig_settings' registry"
        );
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }
}

/// The user's home directory (`$HOME`, else `/`).
fn user_home(env: &Environment) -> PathBuf {
    env.get("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// An XDG base directory: the variable when it is absolute, else `$HOME/<fallback>`.
fn xdg(env: &Environment, var: &str, fallback: &str) -> PathBuf {
    env.get(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(|| user_home(env).join(fallback))
}

/// The user's store by the environment alone: `GORIG_HOME`, else
/// `$XDG_DATA_HOME/gorig`. [`Settings::resolve`] uses it as the default, and the shims'
/// fast path uses it directly, so both find the same store.
pub fn store_home(env: &Environment) -> PathBuf {
    match env.get("GORIG_HOME") {
        Some(home) => PathBuf::from(home),
        None => xdg(env, "XDG_DATA_HOME", ".local/share").join("gorig"),
    }
}

/// The store by the environment alone, when no config file could say otherwise (the
/// prompt hook's fast path); `None` when a config file exists and settings must be
/// resolved in full.
pub fn configured_home(env: &Environment) -> Option<PathBuf> {
    if env.get("GORIG_HOME").is_some() {
        return Some(store_home(env));
    }
    let system_root = PathBuf::from(env.get("GORIG_SYSTEM_ROOT").unwrap_or("/"));
    let configured = env.get("GORIG_CONFIG").is_some()
        || xdg(env, "XDG_CONFIG_HOME", ".config")
            .join("gorig/config.toml")
            .exists()
        || system_root.join("etc/gorig/config.toml").exists();
    (!configured).then(|| store_home(env))
}

/// Where `go install` puts tools: `GOBIN`, else the first `GOPATH` entry's `bin`, else
/// `~/go/bin`.
pub fn go_bin(env: &Environment) -> PathBuf {
    let user_home = env
        .get("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/"));
    match (env.get("GOBIN"), env.get("GOPATH")) {
        (Some(bin), _) => PathBuf::from(bin),
        (None, Some(gopath)) => {
            PathBuf::from(gopath.split(':').next().unwrap_or(gopath)).join("bin")
        }
        (None, None) => user_home.join("go/bin"),
    }
}

/// The optional settings file (TOML).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub home: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    pub mirrors: Option<Vec<String>>,
    pub index: Option<String>,
    pub index_ttl: Option<u64>,
    pub source: Option<String>,
    pub offline: Option<bool>,
    pub arch: Option<String>,
    pub connect_timeout: Option<u64>,
    pub read_timeout: Option<u64>,
    pub max_entries: Option<u64>,
    pub max_unpacked_bytes: Option<u64>,
    pub checksum_from_mirror: Option<bool>,
    pub verify_signature: Option<bool>,
    pub keyrings: Option<Vec<PathBuf>>,
    pub key_url: Option<String>,
    pub signature_base: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub retries: Option<u32>,
    pub low_speed_limit: Option<u64>,
    pub low_speed_time: Option<u64>,
    pub auto_install: Option<bool>,
}

impl ConfigFile {
    fn load(path: &Path, required: bool) -> anyhow::Result<ConfigFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(ConfigFile::default());
            }
            Err(e) => return Err(e).with_context(|| format!("could not read {}", path.display())),
        };
        toml::from_str(&text)
            .with_context(|| format!("{} is not a valid gorig config", path.display()))
    }

    /// Fields of `self`, else of `lower`.
    fn over(self, lower: ConfigFile) -> ConfigFile {
        ConfigFile {
            home: self.home.or(lower.home),
            cache_dir: self.cache_dir.or(lower.cache_dir),
            mirrors: self.mirrors.or(lower.mirrors),
            index: self.index.or(lower.index),
            index_ttl: self.index_ttl.or(lower.index_ttl),
            source: self.source.or(lower.source),
            offline: self.offline.or(lower.offline),
            arch: self.arch.or(lower.arch),
            connect_timeout: self.connect_timeout.or(lower.connect_timeout),
            read_timeout: self.read_timeout.or(lower.read_timeout),
            max_entries: self.max_entries.or(lower.max_entries),
            max_unpacked_bytes: self.max_unpacked_bytes.or(lower.max_unpacked_bytes),
            checksum_from_mirror: self.checksum_from_mirror.or(lower.checksum_from_mirror),
            verify_signature: self.verify_signature.or(lower.verify_signature),
            keyrings: self.keyrings.or(lower.keyrings),
            key_url: self.key_url.or(lower.key_url),
            signature_base: self.signature_base.or(lower.signature_base),
            ca_file: self.ca_file.or(lower.ca_file),
            client_cert: self.client_cert.or(lower.client_cert),
            client_key: self.client_key.or(lower.client_key),
            retries: self.retries.or(lower.retries),
            low_speed_limit: self.low_speed_limit.or(lower.low_speed_limit),
            low_speed_time: self.low_speed_time.or(lower.low_speed_time),
            auto_install: self.auto_install.or(lower.auto_install),
        }
    }
}

/// Retries and the low-speed rule of downloads (see `gorig_fetch::Persistence`).
pub use gorig_fetch::Persistence;

/// Paths of system mode, all under the system root prefix.
#[derive(Debug, Clone)]
pub struct SystemPaths {
    pub root: PathBuf,
    /// `/usr/local/go`
    pub link: PathBuf,
    /// `/etc/profile.d/gorig.sh`
    pub profile: PathBuf,
}

/// Everything a command needs to know about how to behave.
#[derive(Debug, Clone)]
pub struct Settings {
    pub home: PathBuf,
    pub cache_dir: PathBuf,
    pub mirrors: Vec<Mirror>,
    pub index_sources: Vec<Location>,
    pub index_ttl: Duration,
    /// `--source goproxy`: GOPROXY's list and GOSUMDB's database, read as go reads them.
    pub goproxy: Option<gorig_fetch::goproxy::GoproxySource>,
    /// No source chosen and GOPROXY set: used when the official sources cannot be reached.
    pub goproxy_fallback: Option<gorig_fetch::goproxy::GoproxySource>,
    pub offline: bool,
    pub refresh: bool,
    /// Take archive digests from `<archive>.sha256` on the mirror (install's flag, the
    /// environment or the config file).
    pub checksum_from_mirror: bool,
    pub arch: Option<GoArch>,
    pub client: ClientConfig,
    pub limits: ExtractLimits,
    /// How hard a download is pushed before the next mirror is tried.
    pub persistence: Persistence,
    /// Check OpenPGP release signatures (on unless turned off explicitly).
    pub verify_signature: bool,
    /// Key files whose keys are trusted too (their primaries become pinned).
    pub keyrings: Vec<PathBuf>,
    /// Where `keys refresh` fetches the release key block.
    pub key_url: String,
    /// Where `<archive>.asc` is looked for when a mirror has none.
    pub signature_base: Mirror,
    /// Install a pinned version that is missing when a shim, `exec` or the hook needs it.
    pub auto_install: bool,
    pub quiet: bool,
    pub progress: bool,
    pub color: bool,
    pub system: Option<SystemPaths>,
    /// `GOBIN`, else the first `GOPATH` entry's `bin`, else `~/go/bin`.
    pub go_bin: PathBuf,
    pub shell: Option<String>,
    /// `PATH` as gorig was started with, to tell whether the toolchain is on it.
    pub path_var: Option<String>,
}

/// Where distros keep their CA bundle (Debian/Ubuntu/Alpine, RHEL/Fedora/Amazon, SUSE,
/// and the `cert.pem` of OpenSSL's default layout).
const CA_BUNDLES: [&str; 5] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// The host's trust store when it has one (or `SSL_CERT_FILE`/`SSL_CERT_DIR` name one),
/// else the bundled roots.
fn trust_roots(env: &Environment, root: &Path) -> TrustRoots {
    let named = env.get("SSL_CERT_FILE").is_some() || env.get("SSL_CERT_DIR").is_some();
    let present = CA_BUNDLES
        .iter()
        .any(|p| root.join(p.trim_start_matches('/')).is_file());
    if named || present {
        TrustRoots::System
    } else {
        TrustRoots::Bundled
    }
}

fn parse_number(what: &str, value: &str) -> anyhow::Result<u64> {
    value
        .trim()
        .parse()
        .with_context(|| format!("{what} must be a whole number, not `{value}`"))
}

impl Settings {
    /// Resolves settings; `stderr_is_tty` decides whether progress bars may be drawn.
    pub fn resolve(
        global: &GlobalArgs,
        env: &Environment,
        stderr_is_tty: bool,
    ) -> anyhow::Result<Settings> {
        env.check_utf8()?;
        let xdg = |var: &str, fallback: &str| xdg(env, var, fallback);
        let system_root = PathBuf::from(env.get("GORIG_SYSTEM_ROOT").unwrap_or("/"));
        // Inside the root even through an image's own absolute links (not this machine's
        // files they name).
        let host_root = gorig_host::HostRoot::new(&system_root);
        let under_root = |p: &str| host_root.path_for_write(p);

        let explicit_config = global
            .config
            .clone()
            .or_else(|| env.get("GORIG_CONFIG").map(PathBuf::from));
        let user_config = match &explicit_config {
            Some(path) => ConfigFile::load(path, true)?,
            None => ConfigFile::load(
                &xdg("XDG_CONFIG_HOME", ".config").join("gorig/config.toml"),
                false,
            )?,
        };
        let system_config = ConfigFile::load(&under_root("/etc/gorig/config.toml"), false)?;
        let config = if global.system {
            // Root's own config must not redirect the system store.
            system_config
        } else {
            user_config.over(system_config)
        };

        let (home, cache_dir, system) = if global.system {
            let home = global
                .home
                .clone()
                .or_else(|| config.home.clone())
                .unwrap_or_else(|| under_root("/usr/local/lib/gorig"));
            let cache = config
                .cache_dir
                .clone()
                .unwrap_or_else(|| under_root("/var/cache/gorig"));
            let paths = SystemPaths {
                link: under_root("/usr/local/go"),
                profile: under_root("/etc/profile.d/gorig.sh"),
                root: system_root.clone(),
            };
            (home, cache, Some(paths))
        } else {
            let home = global
                .home
                .clone()
                .or_else(|| env.get("GORIG_HOME").map(PathBuf::from))
                .or_else(|| config.home.clone())
                .unwrap_or_else(|| store_home(env));
            let cache = env
                .get("GORIG_CACHE_DIR")
                .map(PathBuf::from)
                .or_else(|| config.cache_dir.clone())
                .unwrap_or_else(|| xdg("XDG_CACHE_HOME", ".cache").join("gorig"));
            (home, cache, None)
        };

        let mirror_texts: Vec<String> = if !global.mirrors.is_empty() {
            global.mirrors.clone()
        } else if let Some(list) = env.get("GORIG_MIRROR") {
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        } else {
            config.mirrors.clone().unwrap_or_default()
        };
        let mut mirrors = mirror_texts
            .iter()
            .map(|m| Mirror::parse(m))
            .collect::<Result<Vec<_>, _>>()?;
        let index_text = global
            .index
            .clone()
            .or_else(|| env.get("GORIG_INDEX").map(String::from))
            .or(config.index.clone());
        let index_sources = match index_text {
            Some(text) => vec![Location::parse(&text)?],
            None if !mirrors.is_empty() => {
                mirrors.iter().flat_map(|m| m.index_locations()).collect()
            }
            None => vec![Location::Http(DEFAULT_INDEX_URL.to_string())],
        };
        if mirrors.is_empty() {
            mirrors.push(Mirror::official());
        }

        let number = |flag: Option<u64>,
                      var: &str,
                      file: Option<u64>,
                      default: u64|
         -> anyhow::Result<u64> {
            if let Some(v) = flag {
                return Ok(v);
            }
            if let Some(text) = env.get(var) {
                return parse_number(var, text);
            }
            Ok(file.unwrap_or(default))
        };
        let index_ttl = number(None, "GORIG_INDEX_TTL", config.index_ttl, 3600)?;
        let connect = number(
            global.connect_timeout,
            "GORIG_CONNECT_TIMEOUT",
            config.connect_timeout,
            10,
        )?;
        let read = number(
            global.read_timeout,
            "GORIG_READ_TIMEOUT",
            config.read_timeout,
            30,
        )?;
        let persistence = Persistence {
            retries: number(None, "GORIG_RETRIES", config.retries.map(u64::from), 3)? as u32,
            low_speed_limit: number(None, "GORIG_LOW_SPEED_LIMIT", config.low_speed_limit, 1024)?,
            low_speed_time: Duration::from_secs(number(
                None,
                "GORIG_LOW_SPEED_TIME",
                config.low_speed_time,
                30,
            )?),
            ..Persistence::default()
        };
        let defaults = ExtractLimits::default();
        let limits = ExtractLimits {
            max_entries: number(
                None,
                "GORIG_MAX_ENTRIES",
                config.max_entries,
                defaults.max_entries,
            )?,
            max_unpacked_bytes: number(
                None,
                "GORIG_MAX_UNPACKED",
                config.max_unpacked_bytes,
                defaults.max_unpacked_bytes,
            )?,
        };

        let arch_text = global
            .arch
            .clone()
            .or_else(|| env.get("GORIG_ARCH").map(String::from))
            .or(config.arch.clone());
        let arch = arch_text.map(|a| a.parse::<GoArch>()).transpose()?;

        // curl's rule: the scheme's own variable, else ALL_PROXY; lower case first, as
        // curl reads it (and upper-case HTTP_PROXY is ignored by CGI-safe tools, but not
        // by gorig, which never runs as a CGI script).
        let proxy_var = |names: &[&str]| names.iter().find_map(|k| env.get(k)).map(String::from);
        let https_proxy = proxy_var(&["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]);
        let http_proxy = proxy_var(&["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]);
        let path_setting = |flag: &Option<PathBuf>, var: &str, file: &Option<PathBuf>| {
            flag.clone()
                .or_else(|| env.get(var).map(PathBuf::from))
                .or_else(|| file.clone())
        };
        let ca_file = path_setting(&global.ca_file, "GORIG_CA_FILE", &config.ca_file)
            .or_else(|| env.get("SSL_CERT_FILE").map(PathBuf::from));
        let client_cert = path_setting(
            &global.client_cert,
            "GORIG_CLIENT_CERT",
            &config.client_cert,
        );
        let client_key = path_setting(&global.client_key, "GORIG_CLIENT_KEY", &config.client_key);
        let no_proxy = env
            .get("NO_PROXY")
            .or_else(|| env.get("no_proxy"))
            .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default();
        let client = ClientConfig {
            trust: trust_roots(env, Path::new("/")),
            connect_timeout: Duration::from_secs(connect),
            read_timeout: Duration::from_secs(read),
            https_proxy,
            http_proxy,
            no_proxy,
            ca_file,
            client_cert,
            client_key,
            ..ClientConfig::default()
        };

        let go_bin = go_bin(env);
        let offline =
            global.offline || env.flag("GORIG_OFFLINE") || config.offline.unwrap_or(false);
        if offline && global.refresh {
            bail!("--offline and --refresh contradict each other: pick one");
        }

        let verify_signature = if global.no_verify_signature {
            false
        } else if let Some(text) = env.get("GORIG_VERIFY_SIGNATURE") {
            !matches!(
                text.to_ascii_lowercase().as_str(),
                "0" | "false" | "no" | "off"
            )
        } else {
            config.verify_signature.unwrap_or(true)
        };
        let keyrings = if !global.keyrings.is_empty() {
            global.keyrings.clone()
        } else if let Some(list) = env.get("GORIG_KEYRING") {
            list.split(':')
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect()
        } else {
            config.keyrings.clone().unwrap_or_default()
        };
        let key_url = env
            .get("GORIG_KEY_URL")
            .map(String::from)
            .or(config.key_url.clone())
            .unwrap_or_else(|| gorig_fetch::signature::DEFAULT_KEY_URL.to_string());
        let signature_base = Mirror::parse(
            env.get("GORIG_SIGNATURE_BASE")
                .or(config.signature_base.as_deref())
                .unwrap_or(gorig_fetch::DEFAULT_DOWNLOAD_BASE),
        )?;

        let chosen = global
            .source
            .clone()
            .or_else(|| env.get("GORIG_SOURCE").map(String::from))
            .or(config.source.clone());
        let goproxy = match chosen.as_deref().unwrap_or("official") {
            "official" => None,
            "goproxy" => Some(goproxy_source(env, &home)?),
            other => bail!("source `{other}`: expected official or goproxy"),
        };
        // Nothing chosen and a GOPROXY set: it is where to turn when go.dev is unreachable.
        let goproxy_fallback = match (&chosen, env.get("GOPROXY")) {
            (None, Some(value)) if !value.trim().is_empty() => {
                // Never without a database to vouch: a fallback must prove as much as
                // the official sources would have.
                goproxy_source(env, &home).ok().filter(|s| {
                    s.sumdb.is_some()
                        && s.proxies
                            .iter()
                            .any(|p| matches!(p.entry, gorig_sumdb::proxy::ProxyEntry::Url(_)))
                })
            }
            _ => None,
        };

        Ok(Settings {
            home,
            goproxy,
            goproxy_fallback,
            cache_dir,
            mirrors,
            index_sources,
            index_ttl: Duration::from_secs(index_ttl),
            offline,
            refresh: global.refresh,
            checksum_from_mirror: env.flag("GORIG_CHECKSUM_FROM_MIRROR")
                || config.checksum_from_mirror.unwrap_or(false),
            arch,
            client,
            limits,
            persistence,
            verify_signature,
            keyrings,
            key_url,
            signature_base,
            auto_install: env.flag("GORIG_AUTO_INSTALL") || config.auto_install.unwrap_or(false),
            quiet: global.quiet,
            progress: stderr_is_tty && !global.quiet && !env.flag("GORIG_NO_PROGRESS"),
            color: stderr_is_tty && env.get("NO_COLOR").is_none(),
            system,
            go_bin,
            shell: env.get("SHELL").map(String::from),
            path_var: env.get("PATH").map(String::from),
        })
    }
}

/// GOPROXY and GOSUMDB as go reads them, for `--source goproxy` and `mirror sync`.
pub fn goproxy_source(
    env: &Environment,
    home: &Path,
) -> anyhow::Result<gorig_fetch::goproxy::GoproxySource> {
    if let Some(flags) = env.get("GOFLAGS")
        && flags
            .split_whitespace()
            .any(|f| f == "-insecure" || f.starts_with("-insecure="))
    {
        bail!(
            "GOFLAGS holds -insecure, which go no longer supports (and which never turns off the checksum database for toolchains): take it out (GOINSECURE or GOPRIVATE are its successors for modules)"
        );
    }
    let proxies = gorig_sumdb::proxy::parse_goproxy(env.get("GOPROXY").unwrap_or(""))?;
    let sumdb = gorig_fetch::goproxy::SumDb::from_gosumdb(env.get("GOSUMDB"))?;
    Ok(gorig_fetch::goproxy::GoproxySource {
        proxies,
        sumdb,
        state_dir: home.join("sumdb"),
    })
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        global: GlobalArgs,
        rest: Vec<String>,
    }

    fn resolve(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let mut argv = vec!["gorig"];
        argv.extend_from_slice(args);
        argv.push("list");
        let cli = Cli::try_parse_from(argv)?;
        Settings::resolve(&cli.global, &Environment::from_pairs(env), false)
    }

    #[test]
    fn defaults_follow_xdg() -> anyhow::Result<()> {
        let s = resolve(
            &[],
            &[("HOME", "/home/u"), ("XDG_CONFIG_HOME", "/nonexistent")],
        )?;
        assert_eq!(s.home, PathBuf::from("/home/u/.local/share/gorig"));
        assert_eq!(s.cache_dir, PathBuf::from("/home/u/.cache/gorig"));
        assert_eq!(s.mirrors, vec![Mirror::official()]);
        assert_eq!(
            s.index_sources,
            vec![Location::Http(DEFAULT_INDEX_URL.into())]
        );
        assert_eq!(s.go_bin, PathBuf::from("/home/u/go/bin"));
        let s = resolve(
            &[],
            &[
                ("HOME", "/home/u"),
                ("XDG_DATA_HOME", "/data"),
                ("XDG_CONFIG_HOME", "/nonexistent"),
            ],
        )?;
        assert_eq!(s.home, PathBuf::from("/data/gorig"));
        Ok(())
    }

    #[test]
    fn flags_beat_environment_beats_config() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let config = dir.path().join("config.toml");
        std::fs::write(
            &config,
            "home = \"/from/config\"\nmirrors = [\"https://config.example/go\"]\nindex_ttl = 5\n",
        )?;
        let config_text = config.display().to_string();
        let env = [("HOME", "/h"), ("GORIG_CONFIG", config_text.as_str())];
        let s = resolve(&[], &env)?;
        assert_eq!(s.home, PathBuf::from("/from/config"));
        assert_eq!(
            s.mirrors,
            vec![Mirror::Http("https://config.example/go/".into())]
        );
        assert_eq!(s.index_ttl, Duration::from_secs(5));
        assert_eq!(
            s.index_sources[1],
            Location::Http("https://config.example/go/index.json".into())
        );

        let env = [
            ("HOME", "/h"),
            ("GORIG_CONFIG", config_text.as_str()),
            ("GORIG_HOME", "/from/env"),
            ("GORIG_MIRROR", "https://a.example/, /srv/b"),
        ];
        let s = resolve(&[], &env)?;
        assert_eq!(s.home, PathBuf::from("/from/env"));
        assert_eq!(
            s.mirrors,
            vec![
                Mirror::Http("https://a.example/".into()),
                Mirror::Dir("/srv/b".into())
            ]
        );
        let s = resolve(
            &["--home", "/from/flag", "--mirror", "https://c.example"],
            &env,
        )?;
        assert_eq!(s.home, PathBuf::from("/from/flag"));
        assert_eq!(s.mirrors, vec![Mirror::Http("https://c.example/".into())]);
        Ok(())
    }

    #[test]
    fn bad_values_are_errors_that_say_what_is_wrong() {
        let err = resolve(&[], &[("GORIG_INDEX_TTL", "soon")]).expect_err("bad ttl");
        assert!(
            err.to_string()
                .contains("GORIG_INDEX_TTL must be a whole number"),
            "{err}"
        );
        let err = resolve(&["--arch", "sparc"], &[]).expect_err("bad arch");
        assert!(
            err.to_string().contains("`sparc` is not an architecture"),
            "{err}"
        );
        let err = resolve(&["--mirror", "ftp://x"], &[]).expect_err("bad mirror");
        assert!(err.to_string().contains("ftp://x"), "{err}");
        let err = resolve(&["--offline", "--refresh"], &[]).expect_err("contradiction");
        assert!(err.to_string().contains("contradict"), "{err}");
    }

    #[test]
    fn system_mode_lives_under_the_system_root() -> anyhow::Result<()> {
        let s = resolve(
            &["--system"],
            &[("GORIG_SYSTEM_ROOT", "/img"), ("GORIG_HOME", "/ignored")],
        )?;
        assert_eq!(s.home, PathBuf::from("/img/usr/local/lib/gorig"));
        assert_eq!(s.cache_dir, PathBuf::from("/img/var/cache/gorig"));
        let paths = s.system.expect("system paths");
        assert_eq!(paths.link, PathBuf::from("/img/usr/local/go"));
        assert_eq!(paths.profile, PathBuf::from("/img/etc/profile.d/gorig.sh"));
        Ok(())
    }

    #[test]
    fn gobin_and_gopath_decide_where_tools_are() -> anyhow::Result<()> {
        let s = resolve(&[], &[("HOME", "/h"), ("GOPATH", "/gp:/other")])?;
        assert_eq!(s.go_bin, PathBuf::from("/gp/bin"));
        let s = resolve(
            &[],
            &[("HOME", "/h"), ("GOPATH", "/gp"), ("GOBIN", "/tools")],
        )?;
        assert_eq!(s.go_bin, PathBuf::from("/tools"));
        Ok(())
    }

    #[test]
    fn every_gorig_variable_named_here_is_in_the_registry() {
        let source = include_str!("lib.rs");
        for var in source.split('"').filter(|s| {
            s.len() > "GORIG_".len()
                && s.starts_with("GORIG_")
                && s.chars().all(|c| c.is_ascii_uppercase() || c == '_')
        }) {
            assert!(
                is_known_variable(var),
                "{var} is read but not in the registry"
            );
        }
    }
}
