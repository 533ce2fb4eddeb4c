//! Pure generators: each takes a model and returns the text another program reads
//! (`render(&Model) -> String`), with no I/O, so every output is snapshot-tested and
//! checked by the program that runs it. Today: the shell set-up of `gorig env`, the prompt
//! hook of `gorig activate` and the lines `gorig hook-env` prints, and the
//! `/etc/profile.d/gorig.sh` of system mode ([`shell`]), and the hardened systemd units of
//! `gorig unit` ([`unit`]). The sysctl and SELinux generators come here too.

pub mod hook_env;
pub mod kubernetes;
pub mod selinux;
pub mod shell;
pub mod unit;
pub mod unit_score;

pub use hook_env::{HookAnswer, HookEnv, HookState};
pub use shell::{
    Hook, MANAGED_MARKER, PathSetup, Profile, Shell, quote, set_path, set_var, shell_from_env,
    shell_name, unset_var,
};
