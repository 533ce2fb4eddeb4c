//! The flags every command accepts. Their help text is not written here: it comes from
//! the registry ([`crate::SETTINGS`]), applied by [`crate::with_registry_help`], so the
//! flag, its variable, its config key and its default are described once.

use std::path::PathBuf;

use clap::Args;

/// Flags every command accepts.
#[derive(Debug, Default, Args)]
pub struct GlobalArgs {
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    #[arg(long = "mirror", global = true, value_name = "URL")]
    pub mirrors: Vec<String>,

    #[arg(long, global = true, value_name = "URL")]
    pub index: Option<String>,

    #[arg(long, global = true, value_name = "SOURCE")]
    pub source: Option<String>,

    #[arg(long, global = true)]
    pub offline: bool,

    #[arg(long, global = true)]
    pub refresh: bool,

    #[arg(long, global = true, value_name = "ARCH")]
    pub arch: Option<String>,

    #[arg(long, global = true)]
    pub system: bool,

    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[arg(long = "keyring", global = true, value_name = "FILE")]
    pub keyrings: Vec<PathBuf>,

    #[arg(long, global = true)]
    pub no_verify_signature: bool,

    #[arg(long, global = true, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    #[arg(long, global = true, value_name = "FILE")]
    pub client_cert: Option<PathBuf>,

    #[arg(long, global = true, value_name = "FILE")]
    pub client_key: Option<PathBuf>,

    #[arg(long, global = true, value_name = "SECONDS")]
    pub connect_timeout: Option<u64>,

    #[arg(long, global = true, value_name = "SECONDS")]
    pub read_timeout: Option<u64>,
}
