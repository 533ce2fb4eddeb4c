//! The registry: every setting once, with its flag, environment variables, config key,
//! default and help, and every other environment variable gorig reads. From it come the
//! flags' help (`gorig --help`), `gorig help environment`, the README's settings table and
//! the config file's JSON Schema (`docs/config.schema.json`); tests fail when any of them
//! drifts, and [`crate::Environment::get`] refuses (in debug builds) a name that is not
//! here.

use std::fmt::Write as _;

/// The type of a config key, for the JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Path,
    Text,
    Url,
    Bool,
    /// A whole number (seconds, bytes, counts).
    Count,
    Urls,
    Paths,
}

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The name in the README table (and, when `config` is set, the config key).
    pub name: &'static str,
    /// The long flag, with the clap id of its argument, when one sets it for every command.
    pub flag: Option<(&'static str, &'static str)>,
    /// Environment variables, highest precedence first.
    pub env: &'static [&'static str],
    /// Settable in the config file, with this type.
    pub config: Option<Kind>,
    pub default: &'static str,
    pub help: &'static str,
}

const fn setting(
    name: &'static str,
    flag: Option<(&'static str, &'static str)>,
    env: &'static [&'static str],
    config: Option<Kind>,
    default: &'static str,
    help: &'static str,
) -> Setting {
    Setting {
        name,
        flag,
        env,
        config,
        default,
        help,
    }
}

/// Every setting. Precedence: flag, then environment, then the user's config file, then
/// `/etc/gorig/config.toml`, then the default.
pub const SETTINGS: &[Setting] = &[
    setting(
        "home",
        Some(("home", "--home")),
        &["GORIG_HOME"],
        Some(Kind::Path),
        "$XDG_DATA_HOME/gorig (--system: /usr/local/lib/gorig)",
        "The store of toolchains",
    ),
    setting(
        "cache_dir",
        None,
        &["GORIG_CACHE_DIR"],
        Some(Kind::Path),
        "$XDG_CACHE_HOME/gorig (--system: /var/cache/gorig)",
        "Downloaded archives, their signatures and the index cache",
    ),
    setting(
        "config",
        Some(("config", "--config")),
        &["GORIG_CONFIG"],
        None,
        "$XDG_CONFIG_HOME/gorig/config.toml, then /etc/gorig/config.toml",
        "Read settings from this file",
    ),
    setting(
        "mirrors",
        Some(("mirrors", "--mirror")),
        &["GORIG_MIRROR"],
        Some(Kind::Urls),
        "https://dl.google.com/go/",
        "Download bases (URL, file:// URL or directory), tried in order; the flag repeats, the variable is comma-separated",
    ),
    setting(
        "index",
        Some(("index", "--index")),
        &["GORIG_INDEX"],
        Some(Kind::Url),
        "the mirrors' index, else https://go.dev/dl/?mode=json&include=all",
        "The release index (go.dev's JSON): URL, file:// URL or path",
    ),
    setting(
        "source",
        Some(("source", "--source")),
        &["GORIG_SOURCE"],
        Some(Kind::Text),
        "official",
        "Where toolchains come from: official (go.dev archives and mirrors, SHA-256 and OpenPGP) or goproxy (golang.org/toolchain through GOPROXY, verified by the checksum database GOSUMDB names)",
    ),
    setting(
        "index_ttl",
        None,
        &["GORIG_INDEX_TTL"],
        Some(Kind::Count),
        "3600",
        "Seconds a cached index is used without asking the network",
    ),
    setting(
        "offline",
        Some(("offline", "--offline")),
        &["GORIG_OFFLINE"],
        Some(Kind::Bool),
        "false",
        "Use only the index and archives already cached; never touch the network",
    ),
    setting(
        "refresh",
        Some(("refresh", "--refresh")),
        &[],
        None,
        "false",
        "Fetch the release index even if the cached copy is fresh",
    ),
    setting(
        "arch",
        Some(("arch", "--arch")),
        &["GORIG_ARCH"],
        Some(Kind::Text),
        "the userland's",
        "Install for this architecture (amd64, arm64, armv6l, 386, ppc64le, s390x, riscv64, loong64, ...)",
    ),
    setting(
        "system",
        Some(("system", "--system")),
        &[],
        None,
        "false",
        "Work on the system-wide store and /usr/local/go (needs root)",
    ),
    setting(
        "system_root",
        None,
        &["GORIG_SYSTEM_ROOT"],
        None,
        "/",
        "Root prefix of the --system paths, for images and chroots",
    ),
    setting(
        "quiet",
        Some(("quiet", "--quiet")),
        &[],
        None,
        "false",
        "Print only errors",
    ),
    setting(
        "checksum_from_mirror",
        None,
        &["GORIG_CHECKSUM_FROM_MIRROR"],
        Some(Kind::Bool),
        "false",
        "Take SHA-256 digests from <archive>.sha256 on the mirror, not the index (install --checksum-from-mirror)",
    ),
    setting(
        "keyrings",
        Some(("keyrings", "--keyring")),
        &["GORIG_KEYRING"],
        Some(Kind::Paths),
        "none",
        "Also trust the keys in these OpenPGP key files (mirrors that re-sign archives); the flag repeats, the variable is colon-separated",
    ),
    setting(
        "verify_signature",
        Some(("no_verify_signature", "--no-verify-signature")),
        &["GORIG_VERIFY_SIGNATURE"],
        Some(Kind::Bool),
        "true",
        "Check the OpenPGP release signature (the flag turns it off; NOT recommended: the SHA-256 from the index is then the only check)",
    ),
    setting(
        "key_url",
        None,
        &["GORIG_KEY_URL"],
        Some(Kind::Url),
        "https://dl.google.com/linux/linux_signing_key.pub",
        "Where `gorig keys refresh` fetches the release keys",
    ),
    setting(
        "signature_base",
        None,
        &["GORIG_SIGNATURE_BASE"],
        Some(Kind::Url),
        "https://dl.google.com/go/",
        "Where <archive>.asc is looked for when a mirror has none",
    ),
    setting(
        "ca_file",
        Some(("ca_file", "--ca-file")),
        &["GORIG_CA_FILE", "SSL_CERT_FILE"],
        Some(Kind::Path),
        "the system's trust store",
        "Trust the CA certificates in this PEM file",
    ),
    setting(
        "client_cert",
        Some(("client_cert", "--client-cert")),
        &["GORIG_CLIENT_CERT"],
        Some(Kind::Path),
        "none",
        "Client certificate (PEM) for mirrors that require mutual TLS; may also hold the key",
    ),
    setting(
        "client_key",
        Some(("client_key", "--client-key")),
        &["GORIG_CLIENT_KEY"],
        Some(Kind::Path),
        "none",
        "Private key (PEM) of the client certificate, when not in the same file",
    ),
    setting(
        "connect_timeout",
        Some(("connect_timeout", "--connect-timeout")),
        &["GORIG_CONNECT_TIMEOUT"],
        Some(Kind::Count),
        "10",
        "Seconds to wait for a connection",
    ),
    setting(
        "read_timeout",
        Some(("read_timeout", "--read-timeout")),
        &["GORIG_READ_TIMEOUT"],
        Some(Kind::Count),
        "30",
        "Seconds a download may stall before it is retried or the next mirror is tried",
    ),
    setting(
        "retries",
        None,
        &["GORIG_RETRIES"],
        Some(Kind::Count),
        "3",
        "Times a failing request (5xx, timeout, dropped connection) is asked again per mirror",
    ),
    setting(
        "low_speed_limit",
        None,
        &["GORIG_LOW_SPEED_LIMIT"],
        Some(Kind::Count),
        "1024",
        "Bytes per second below which a download counts as stalled...",
    ),
    setting(
        "low_speed_time",
        None,
        &["GORIG_LOW_SPEED_TIME"],
        Some(Kind::Count),
        "30",
        "...for this many seconds, and the next mirror is tried",
    ),
    setting(
        "max_entries",
        None,
        &["GORIG_MAX_ENTRIES"],
        Some(Kind::Count),
        "100000",
        "Most entries an archive may have",
    ),
    setting(
        "max_unpacked_bytes",
        None,
        &["GORIG_MAX_UNPACKED"],
        Some(Kind::Count),
        "2147483648",
        "Most bytes an archive may unpack to",
    ),
    setting(
        "auto_install",
        None,
        &["GORIG_AUTO_INSTALL"],
        Some(Kind::Bool),
        "false",
        "Install a pinned version that is missing when a shim, `exec`, `verify` or the hook needs it",
    ),
    setting(
        "progress",
        None,
        &["GORIG_NO_PROGRESS"],
        None,
        "on a terminal",
        "1 hides progress bars",
    ),
    setting(
        "go_version",
        None,
        &["GORIG_GO_VERSION"],
        None,
        "none",
        "The Go version to use here, above any pin file",
    ),
];

/// Environment variables gorig reads that are not settings of its own, and why.
pub const OTHER_ENV: &[(&[&str], &str)] = &[
    (
        &[
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
        ],
        "proxy for downloads, per URL scheme as curl reads them",
    ),
    (&["NO_PROXY", "no_proxy"], "hosts that bypass the proxy"),
    (
        &["SOURCE_DATE_EPOCH"],
        "the date `gorig man` prints on its pages (reproducible builds); default: today",
    ),
    (
        &["GORIG_COMPLETE"],
        "set by the script `gorig completions SHELL` prints, when the shell asks gorig to complete a word",
    ),
    (
        &["SSL_CERT_DIR"],
        "CA certificates to trust instead of the system's store",
    ),
    (&["NO_COLOR"], "no colour"),
    (
        &["HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"],
        "where the defaults above live",
    ),
    (
        &["GOBIN", "GOPATH"],
        "where `go install` puts tools; `gorig env` adds it to PATH",
    ),
    (
        &["GOTOOLCHAIN"],
        "left alone when set; else tools gorig runs get GOTOOLCHAIN=local",
    ),
    (
        &["GOWORK"],
        "off, or the go.work to use, when finding pins (as the go command does)",
    ),
    (
        &["PWD"],
        "the directory as cd-ed to, so pins above a symlink are found",
    ),
    (
        &["TMPDIR"],
        "a go.mod in the temp directory is ignored, as the go command does",
    ),
    (
        &["PATH"],
        "where tools are looked for; checked after an install",
    ),
    (
        &["SHELL"],
        "the shell `gorig env` prints for when its parent process is not a shell",
    ),
    (
        &["GOENV", "GOCACHE", "GOMODCACHE", "GOTMPDIR", "CC"],
        "read by `doctor` as the go command would",
    ),
    (
        &["GOPROXY", "GOSUMDB", "GOFLAGS"],
        "read by `--source goproxy` as the go command reads them (GONOSUMDB and GOPRIVATE do not exempt toolchains from the checksum database, as in go)",
    ),
    (
        &["GORIG_SHIM_DEPTH"],
        "set by the shims to stop a shim from running itself",
    ),
    (
        &[
            "_GORIG_PATH",
            "_GORIG_TOOLCHAIN",
            "_GORIG_WARNED",
            "_GORIG_STAMP",
        ],
        "the shell hook's own state",
    ),
];

/// Where a global flag is listed in `--help`: the store, how downloads are made, and
/// what they are checked against. Flags not listed here (`--quiet`) stay with the
/// command's own options.
pub const HEADINGS: &[(&str, &[&str])] = &[
    ("Store", &["home", "system", "config"]),
    (
        "Network",
        &[
            "mirrors",
            "index",
            "source",
            "offline",
            "refresh",
            "arch",
            "ca_file",
            "client_cert",
            "client_key",
            "connect_timeout",
            "read_timeout",
        ],
    ),
    ("Trust", &["keyrings", "no_verify_signature"]),
];

/// Whether gorig reads `name` (a setting's variable or one of [`OTHER_ENV`]).
pub fn is_known_variable(name: &str) -> bool {
    SETTINGS.iter().any(|s| s.env.contains(&name))
        || OTHER_ENV.iter().any(|(names, _)| names.contains(&name))
}

/// The setting a flag's clap id belongs to.
pub fn setting_of_flag(id: &str) -> Option<&'static Setting> {
    SETTINGS
        .iter()
        .find(|s| s.flag.is_some_and(|(arg, _)| arg == id))
}

/// A flag's help: the registry's sentence with where else it is set.
/// The one-line help `-h` shows: the description up to its first `;`, without
/// parentheses, and the variable. A `--no-…` flag says what it turns off.
pub fn flag_short_help(setting: &Setting) -> String {
    let help = setting.help;
    let first = help.split("; ").next().unwrap_or(help);
    let mut text = String::new();
    let mut depth = 0usize;
    for c in first.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text = text.replace(" ,", ",").replace(" :", ":");
    if setting.flag.is_some_and(|(id, _)| id.starts_with("no_")) {
        let lowered = text
            .char_indices()
            .next()
            .map(|(_, c)| format!("{}{}", c.to_lowercase(), &text[c.len_utf8()..]))
            .unwrap_or_default();
        text = format!("Do not {lowered} (not recommended)");
    }
    if let Some(var) = setting.env.first() {
        let _ = write!(text, " [{var}]");
    }
    text
}

pub fn flag_help(setting: &Setting) -> String {
    let mut text = setting.help.to_string();
    if !setting.env.is_empty() {
        let _ = write!(text, " [env: {}]", setting.env.join(", "));
    }
    if setting.config.is_some() {
        let _ = write!(text, " [config: {}]", setting.name);
    }
    if !matches!(setting.default, "false" | "none") {
        let _ = write!(text, " [default: {}]", setting.default);
    }
    text
}

/// `gorig help environment`, and the long help's last section.
pub fn env_help() -> String {
    let mut text = String::from("Environment variables:\n");
    for setting in SETTINGS.iter().filter(|s| !s.env.is_empty()) {
        let _ = writeln!(
            text,
            "  {}\n      {} [default: {}]",
            setting.env.join(", "),
            setting.help,
            setting.default
        );
    }
    for (names, why) in OTHER_ENV {
        let _ = writeln!(text, "  {}\n      {why}", names.join(", "));
    }
    text
}

/// The README's settings table (between its `settings-table` markers).
pub fn markdown_table() -> String {
    let mut text = String::from(
        "| setting | flag | environment | config key | default | what |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    let code = |items: &[&str]| {
        if items.is_empty() {
            String::new()
        } else {
            items
                .iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    for s in SETTINGS {
        let flag = s
            .flag
            .map(|(_, long)| format!("`{long}`"))
            .unwrap_or_default();
        let key = if s.config.is_some() {
            format!("`{}`", s.name)
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "| {} | {flag} | {} | {key} | {} | {} |",
            s.name,
            code(s.env),
            s.default.replace('|', "\\|"),
            s.help.replace('|', "\\|")
        );
    }
    text.push_str(
        "\nOther environment variables gorig reads:\n\n| variables | why |\n| --- | --- |\n",
    );
    for (names, why) in OTHER_ENV {
        let _ = writeln!(text, "| {} | {why} |", code(names));
    }
    text
}

/// The config file's JSON Schema (`docs/config.schema.json`).
pub fn config_schema() -> serde_json::Value {
    let mut properties = serde_json::Map::new();
    for s in SETTINGS {
        let Some(kind) = s.config else { continue };
        let mut property = match kind {
            Kind::Path | Kind::Text | Kind::Url => serde_json::json!({"type": "string"}),
            Kind::Bool => serde_json::json!({"type": "boolean"}),
            Kind::Count => serde_json::json!({"type": "integer", "minimum": 0}),
            Kind::Urls | Kind::Paths => {
                serde_json::json!({"type": "array", "items": {"type": "string"}})
            }
        };
        property["description"] = format!("{} (environment: {})", s.help, s.env.join(", ")).into();
        if let Ok(default) = serde_json::from_str::<serde_json::Value>(s.default)
            && !default.is_string()
        {
            property["default"] = default;
        }
        properties.insert(s.name.to_string(), property);
    }
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/gorig/gorig/blob/main/docs/config.schema.json",
        "title": "gorig config.toml",
        "description": "Generated from gorig_settings::SETTINGS; do not edit by hand.",
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    })
}
