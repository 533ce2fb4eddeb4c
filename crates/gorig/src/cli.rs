//! The command line as the user types it: subcommands, flags and their help. Values are
//! only validated here; what they mean together is decided in `settings`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::engine::ArgValueCandidates;

/// gorig rigs any Linux host for Go: it installs official Go toolchains, verified against
/// their published SHA-256, and switches between them.
#[derive(Debug, Parser)]
#[command(name = "gorig", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

pub use gorig_settings::GlobalArgs;

/// The global option groups (Store, Network, Trust) each command reads; its help leaves
/// the others out. Network and Trust: the commands that download (or may install on the
/// way). `inspect` and `man` read no store either.
pub const GROUPS_USED: &[(&str, &[&str])] = &[
    ("install", &["Store", "Network", "Trust"]),
    ("list", &["Store", "Network", "Trust"]),
    ("use", &["Store", "Network", "Trust"]),
    ("exec", &["Store", "Network", "Trust"]),
    ("verify", &["Store", "Network", "Trust"]),
    ("activate", &["Store", "Network", "Trust"]),
    ("hook-env", &["Store", "Network", "Trust"]),
    ("keys", &["Store", "Network", "Trust"]),
    ("uninstall", &["Store"]),
    ("which", &["Store"]),
    ("env", &["Store"]),
    ("current", &["Store"]),
    ("doctor", &["Store"]),
    ("completions", &["Store"]),
    ("inspect", &[]),
    ("unit", &[]),
    ("tune", &[]),
    ("selinux", &[]),
    ("plan", &["Store", "Network", "Trust"]),
    ("mirror", &["Store", "Network", "Trust"]),
    ("apply", &["Store", "Network", "Trust"]),
    ("man", &[]),
];

/// `gorig mirror sync DIR ...`, `gorig mirror verify DIR`.
#[derive(Debug, Args)]
pub struct MirrorArgs {
    #[command(subcommand)]
    pub action: MirrorAction,
}

#[derive(Debug, Subcommand)]
pub enum MirrorAction {
    /// Download the versions × arches into DIR, verified (SHA-256, signature), with
    /// index.json, the release key block and a manifest
    Sync {
        /// The mirror's directory (made when missing)
        dir: PathBuf,
        /// Versions or series to hold, comma-separated: 1.26,1.27.3
        #[arg(long, value_name = "LIST", value_delimiter = ',', required = true)]
        versions: Vec<String>,
        /// Architectures, comma-separated (default: this machine's)
        #[arg(long, value_name = "LIST", value_delimiter = ',')]
        arch: Vec<String>,
        /// The upstream: go.dev by default, or another mirror's base URL or directory
        #[arg(long, value_name = "URL")]
        from: Option<String>,
        /// Remove archives of versions no longer listed
        #[arg(long)]
        prune: bool,
        /// Leave out the GOPROXY layout (golang.org/toolchain and the checksum database's
        /// answers, which need GOSUMDB's database reachable)
        #[arg(long)]
        no_goproxy: bool,
        /// Sign MANIFEST.sha256 with this GnuPG key of yours (MANIFEST.sha256.asc)
        #[arg(long, value_name = "KEY")]
        sign_with: Option<String>,
        /// Downloads at a time
        #[arg(long, value_name = "N", default_value_t = 4)]
        jobs: usize,
        /// Print the result as one JSON document
        #[arg(long)]
        json: bool,
    },
    /// Check every file of DIR against its manifest, and every archive against index.json
    /// and its signature; exit 5 naming each file that is not right
    Verify {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

/// `gorig selinux [--port P]... [--exec PATH] [--module]`, `gorig selinux refine --avc FILE`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SelinuxArgs {
    #[command(subcommand)]
    pub action: Option<SelinuxAction>,
    #[command(flatten)]
    pub service: SelinuxService,
    /// Write NAME.te and NAME.fc (a module for the service's own domain) and print how to
    /// build and load it
    #[arg(long)]
    pub module: bool,
    /// Where --module writes its files
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Also say what a Podman-run service needs (volume labels, container_t)
    #[arg(long)]
    pub podman: bool,
    /// Print the commands (and files) as JSON
    #[arg(long)]
    pub json: bool,
}

/// The service `gorig selinux` labels.
#[derive(Debug, Args)]
pub struct SelinuxService {
    /// The service's name: types are NAME_t, NAME_exec_t, NAME_port_t, NAME_var_lib_t
    #[arg(long, default_value = "app", value_name = "NAME")]
    pub name: String,
    /// The program (absolute path)
    #[arg(long, value_name = "PATH")]
    pub exec: Option<PathBuf>,
    /// A TCP port it listens on (repeatable)
    #[arg(long = "port", value_name = "PORT")]
    pub ports: Vec<u16>,
    /// Its state directory (default: /var/lib/NAME)
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SelinuxAction {
    /// Add to NAME.te the rules the service's own denials in an audit log ask for, and
    /// print the diff
    Refine {
        /// The audit log (or `ausearch -m avc --raw` output)
        #[arg(long, value_name = "FILE")]
        avc: PathBuf,
        /// The service's name (its module is NAME.te)
        #[arg(long, default_value = "app", value_name = "NAME")]
        name: String,
        /// Where NAME.te is
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Print what was added as JSON
        #[arg(long)]
        json: bool,
    },
}

/// `gorig tune [--profile P] [--qps N] [--yes]`.
#[derive(Debug, Args)]
pub struct TuneArgs {
    /// What the host is for
    #[arg(long, default_value = "service", value_parser = ["service", "ci", "build"])]
    pub profile: String,
    /// New outbound connections a second, to size the ephemeral port range for
    #[arg(long, value_name = "N")]
    pub qps: Option<u64>,
    /// Write the drop-ins and load the sysctls (without it: show the plan)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Read and write the host under this directory tree (an image being built)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print the plan (and what was written) as JSON
    #[arg(long)]
    pub json: bool,
}

/// `gorig plan` and `gorig apply`: [-f gorig.yaml] [--env E] [--group G] [--root DIR].
#[derive(Debug, Args)]
pub struct FleetArgs {
    /// The file that declares the host
    #[arg(long, short = 'f', value_name = "FILE", default_value = "gorig.yaml")]
    pub file: PathBuf,
    /// Merge environments.NAME over the file's base
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// A group the host is in (its toolchains from `groups:` are added); repeat or comma-separate
    #[arg(long, value_name = "GROUP", value_delimiter = ',')]
    pub group: Vec<String>,
    /// The host under this directory tree: drop-ins, units, system mode's store and link
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Change nothing; exit 13 when the host differs from the file, 14 when only its
    /// contract is not met
    #[arg(long)]
    pub check: bool,
    /// Print the report as one JSON document
    #[arg(long)]
    pub json: bool,
}

/// `gorig unit NAME --exec PATH [...] [-- ARGS...]`.
#[derive(Debug, Args)]
pub struct UnitArgs {
    /// The unit's name: NAME.service (and NAME.socket with --socket)
    #[arg(required_unless_present = "check")]
    pub name: Option<String>,
    /// The program to run: an absolute path, read to fit the sandbox to it
    #[arg(long, value_name = "PATH", required_unless_present = "check")]
    pub exec: Option<PathBuf>,
    /// Score existing unit files as `systemd-analyze security` does (systemd 252), list
    /// what each lacks, and check their GOMAXPROCS/GOMEMLIMIT against their limits
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["name", "exec", "write"])]
    pub check: Vec<PathBuf>,
    /// With --check: fail (exit 12) when a unit's exposure is above this (0.0-10.0)
    #[arg(long, value_name = "N", requires = "check")]
    pub max_exposure: Option<f64>,
    /// Arguments for the program
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<String>,
    /// Run as this existing user and its group (default: a dynamic user made for it)
    #[arg(long, value_name = "USER", conflicts_with = "dynamic_user")]
    pub user: Option<String>,
    /// Run as a user made for the service (the default)
    #[arg(long)]
    pub dynamic_user: bool,
    /// A TCP port it listens on (repeatable); below 1024 grants exactly CAP_NET_BIND_SERVICE
    #[arg(long = "port", value_name = "PORT")]
    pub ports: Vec<u16>,
    /// CPUs of quota (CPUQuota=), e.g. 0.5 or 2; GOMAXPROCS follows Go's rules for it
    #[arg(long, value_name = "N")]
    pub cpus: Option<f64>,
    /// Memory limit (MemoryMax=), e.g. 512M or 1G; GOMEMLIMIT is set to 90% of it
    #[arg(long, value_name = "SIZE")]
    pub memory: Option<String>,
    /// An environment variable for the program (repeatable)
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// Start after this unit (repeatable)
    #[arg(long, value_name = "UNIT")]
    pub after: Vec<String>,
    /// Listen through a socket unit: systemd binds the ports, the service has no network
    #[arg(long)]
    pub socket: bool,
    /// Allow only these peers (IPAddressAllow=, repeatable): addresses, networks, localhost
    #[arg(long = "allow-ip", value_name = "CIDR")]
    pub allow_ip: Vec<String>,
    /// The target's systemd version (default: read from the host, else 252)
    #[arg(long, value_name = "VERSION")]
    pub systemd: Option<u32>,
    /// Leave out the comment above each line
    #[arg(long)]
    pub no_comments: bool,
    /// What to print: systemd units, or a Kubernetes Deployment for the same service
    #[arg(long, default_value = "systemd", value_parser = ["systemd", "kubernetes"])]
    pub format: String,
    /// A unit for your own manager (systemctl --user), in $XDG_CONFIG_HOME/systemd/user,
    /// with the Go environment of `go env -w`
    #[arg(long, conflicts_with_all = ["user", "root"])]
    pub user_unit: bool,
    /// With --format kubernetes: the container image
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Install the units under /etc/systemd/system (a file gorig did not write is backed up)
    #[arg(long)]
    pub write: bool,
    /// With --write: run `systemctl daemon-reload` afterwards
    #[arg(long, requires = "write")]
    pub daemon_reload: bool,
    /// Read and write the host under this directory tree (an image being built)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print the units and notes as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download, verify and install Go toolchains
    Install(InstallArgs),
    /// List installed toolchains, or with --remote the releases available
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Make an installed toolchain the default
    Use(UseArgs),
    /// Remove installed toolchains
    #[command(visible_alias = "rm")]
    Uninstall(UninstallArgs),
    /// Print the path of a tool (go, gofmt) of the default toolchain
    Which(WhichArgs),
    /// Print shell code that puts gorig's shims (or, with --no-shims, the default
    /// toolchain) on PATH
    Env(EnvArgs),
    /// Show or refresh the OpenPGP keys that release signatures are checked against
    Keys(KeysArgs),
    /// Find what on this host will break Go builds, tests and services, and how to fix it
    Doctor(DoctorArgs),
    /// Say whether Go (or any ELF) binaries will run on this host, a directory tree or a
    /// distro release: loader, GLIBC versions, CPU level, kernel
    Inspect(InspectArgs),
    /// Write a hardened systemd unit for a Go program, with GOMAXPROCS and GOMEMLIMIT that
    /// match its limits; every line says why
    Unit(UnitArgs),
    /// Raise the kernel and login limits a Go service, CI runner or build host needs
    /// (sysctl.d and limits.d drop-ins); shows the plan, writes with --yes
    Tune(TuneArgs),
    /// Show what `apply` would change to make this host what a gorig.yaml declares:
    /// toolchains, the default, the Go environment, tuning, units, with diffs
    Plan(FleetArgs),
    /// Make this host what a gorig.yaml declares, step by step; a second run changes
    /// nothing (--check: only say whether it would)
    Apply(FleetArgs),
    /// A static mirror any web server can serve, every proof inside: `sync` downloads and
    /// verifies, `verify` re-checks
    Mirror(MirrorArgs),
    /// SELinux labels for a Go service, or with --module a policy module for its own
    /// domain; `refine` adds rules from audit denials
    Selinux(SelinuxArgs),
    /// Run go version, go env, go vet and go test -short on a project with the toolchain
    /// it pins, and summarise
    Verify(VerifyArgs),
    /// Print the Go version chosen for this directory and why (pin file, default)
    Current(CurrentArgs),
    /// Run a command with a toolchain first on PATH: the pinned one, or VERSION
    Exec(ExecArgs),
    /// Print shell code that switches PATH to the pinned toolchain on every prompt
    Activate(ActivateArgs),
    /// (used by `activate`) print the PATH changes for the current directory
    #[command(hide = true)]
    HookEnv(ActivateArgs),
    /// Print the shell code that completes gorig's commands, flags and installed versions:
    /// `source <(gorig completions bash)`
    Completions(CompletionsArgs),
    /// Write the man pages (gorig.1 and one gorig-COMMAND.1 per command) into DIR
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh or fish
    #[arg(value_parser = ["bash", "zsh", "fish"])]
    pub shell: String,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The directory to write the pages into (e.g. ~/.local/share/man/man1)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Read the host from this directory tree (a mounted image, a container's rootfs)
    /// instead of /
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Only these groups: os, toolchain, build, runtime, limits, network, dns, security
    /// (repeatable or comma-separated)
    #[arg(long, value_name = "GROUP", value_delimiter = ',')]
    pub only: Vec<String>,

    /// Leave out this finding id, e.g. GORIG-NET-003 (repeatable or comma-separated)
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub skip: Vec<String>,

    /// Print the plan of drop-in files (sysctl.d, limits.d) that fix warnings and failures
    #[arg(long)]
    pub fix: bool,

    /// With --fix: write the files (backing up anything replaced)
    #[arg(long, requires = "fix")]
    pub yes: bool,

    /// With --fix --yes: run `sysctl --system` afterwards so the sysctls apply now
    #[arg(long, requires = "yes")]
    pub reload: bool,

    /// Show evidence and reasons for every finding, not only warnings and failures
    #[arg(long, short)]
    pub verbose: bool,

    /// List the checks (ids, groups, what they look at) and exit
    #[arg(long)]
    pub list: bool,

    /// Print the report as JSON (schema in the README)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Binaries to inspect (directories with --recursive)
    #[arg(value_name = "BIN", required = true)]
    pub paths: Vec<PathBuf>,

    /// Where it should run: host (the default), or a distro profile such as rhel8,
    /// ubuntu24.04, debian12, amazon2023, alpine (repeatable or comma-separated)
    #[arg(long = "target", value_name = "T", value_delimiter = ',')]
    pub targets: Vec<String>,

    /// A machine's file tree to judge against (a mounted image, an unpacked rootfs);
    /// repeatable
    #[arg(long = "target-root", value_name = "DIR")]
    pub target_roots: Vec<PathBuf>,

    /// Inspect every ELF file under the directories given, in parallel, as one table
    #[arg(long, short)]
    pub recursive: bool,

    /// Also list the Go module dependencies
    #[arg(long)]
    pub deps: bool,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The project (a Go module or workspace) [default: the working directory]
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,

    /// Extra flags for `go test` (after `--`), e.g. -- -run TestX -count=1
    #[arg(last = true, value_name = "GO TEST FLAGS")]
    pub go_test_args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CurrentArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// [VERSION] COMMAND [ARG]...: the version to run with (default: the pin of this
    /// directory, else the default), then the command. `--` before the command is
    /// optional: `gorig exec 1.27 go version` and `gorig exec -- go version` both work
    #[arg(
        value_name = "[VERSION] COMMAND",
        required = true,
        num_args = 1..,
        trailing_var_arg = true,
        add = ArgValueCandidates::new(crate::completions::installed_versions)
    )]
    pub words: Vec<std::ffi::OsString>,
}

impl ExecArgs {
    /// The version (when the first word is one) and the command after it. A `--` between
    /// them is dropped; a first word that is no version is the command.
    pub fn split(&self) -> (Option<gorig_version::VersionRequest>, &[std::ffi::OsString]) {
        let (version, rest) = match self.words.split_first() {
            Some((first, rest)) => match first.to_str().map(str::parse) {
                Some(Ok(request)) => (Some(request), rest),
                _ => (None, self.words.as_slice()),
            },
            None => (None, self.words.as_slice()),
        };
        match rest.split_first() {
            Some((dashes, command)) if dashes == "--" => (version, command),
            _ => (version, rest),
        }
    }
}

#[derive(Debug, Args)]
pub struct ActivateArgs {
    /// The shell: bash, zsh, fish or sh
    #[arg(value_enum)]
    pub shell: ShellKind,
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the trusted keys, their signing subkeys and where they come from
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Fetch the current release key block, keep the keys whose primary fingerprint is
    /// pinned, and store them
    Refresh {
        /// Where to fetch the key block [env: GORIG_KEY_URL] [default:
        /// https://dl.google.com/linux/linux_signing_key.pub]
        #[arg(long, value_name = "URL", conflicts_with = "from")]
        url: Option<String>,

        /// Take the key block a `gorig mirror sync` tree holds (DIR/linux_signing_key.pub)
        #[arg(long, value_name = "DIR")]
        from: Option<std::path::PathBuf>,

        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Versions to install: latest, 1.22 (newest 1.22.x), 1.22.5, go1.22.5, 1.23rc1
    #[arg(value_name = "VERSION", default_value = "latest")]
    pub versions: Vec<String>,

    /// Allow betas and release candidates for `latest` and series like `1.23`
    #[arg(long)]
    pub unstable: bool,

    /// Make the installed version the default (the first install always becomes it)
    #[arg(long = "default", visible_alias = "use")]
    pub make_default: bool,

    /// Install again even if the version is already installed
    #[arg(long)]
    pub force: bool,

    /// Take each archive's SHA-256 from `<archive URL>.sha256` on its mirror
    /// [GORIG_CHECKSUM_FROM_MIRROR=1]
    ///
    /// Take each archive's SHA-256 from `<archive URL>.sha256` on the mirror serving it,
    /// not from the index (for mirrors without a usable index; this catches damaged
    /// downloads but trusts the mirror) [env: GORIG_CHECKSUM_FROM_MIRROR=1]
    #[arg(long)]
    pub checksum_from_mirror: bool,

    /// With --system: move a real /usr/local/go aside rather than refuse
    #[arg(long, requires = "system")]
    pub adopt: bool,

    /// Print JSON lines (events, then one `installed` line per version)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// List releases from the index instead of installed versions
    #[arg(long)]
    pub remote: bool,

    /// With --remote: every release, including old prereleases
    #[arg(long)]
    pub all: bool,

    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// An installed version: 1.22.5, go1.22.5, 1.22 for the newest installed 1.22.x, or
    /// `-` for the previous default (roll back)
    #[arg(
        value_name = "VERSION",
        allow_hyphen_values = true,
        add = ArgValueCandidates::new(crate::completions::installed_versions)
    )]
    pub version: String,

    /// Pin this directory instead: write VERSION to ./.go-version
    #[arg(long)]
    pub local: bool,

    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Installed versions to remove
    #[arg(
        value_name = "VERSION",
        required = true,
        add = ArgValueCandidates::new(crate::completions::installed_versions)
    )]
    pub versions: Vec<String>,

    /// Remove even the default toolchain (nothing is on PATH afterwards)
    #[arg(long)]
    pub force: bool,

    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WhichArgs {
    /// The tool: go, gofmt, or another program in the toolchain's bin/
    #[arg(value_name = "TOOL", default_value = "go")]
    pub tool: String,

    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub use gorig_render::Shell as ShellKind;

#[derive(Debug, Args)]
pub struct EnvArgs {
    /// The shell to print for [default: from $SHELL, else sh]
    #[arg(long, value_enum)]
    pub shell: Option<ShellKind>,

    /// Also set GOROOT to the default toolchain's (rarely needed: Go finds its own root,
    /// and a stale GOROOT breaks it); implies --no-shims, since GOROOT then names one toolchain
    #[arg(long)]
    pub goroot: bool,

    /// Put the default toolchain's bin on PATH instead of gorig's shims: `go` is then
    /// always the default, and project pins (go.mod, .go-version, .tool-versions) have no
    /// effect. Without it, `go` is the shim, which follows each project's pin (and refuses,
    /// with the command to run, when the pinned version is not installed)
    #[arg(long, conflicts_with = "shims")]
    pub no_shims: bool,

    /// (the default) put gorig's shims ($GORIG_HOME/bin) on PATH
    #[arg(long, hide = true, conflicts_with = "goroot")]
    pub shims: bool,

    /// Print JSON
    #[arg(long)]
    pub json: bool,
}
