//! Fetching official Go toolchains: the HTTP client, mirrors and their fallback order, the
//! download and index caches, and the one streaming pass that downloads, verifies and
//! unpacks an archive into a staging directory; and [`modzip`], the `golang.org/toolchain`
//! module zip of a release archive, as a GOPROXY serves it.
//!
//! This crate knows nothing about terminals or the environment: settings arrive as plain
//! values ([`ClientConfig`], [`UnpackOptions`], [`IndexPolicy`]) and progress leaves through
//! [`Event`]s to a [`Reporter`].

mod buffers;
mod cache;
mod client;
mod error;
pub mod extract;
pub mod goproxy;
mod index_fetch;
mod keys;
pub mod modzip;
mod pipeline;
mod retry;
mod sandbox;
pub mod signature;
mod source;
mod verify;

pub use cache::{CachedIndex, DownloadCache, IndexCache};
pub use client::{Client, ClientConfig, Opened, TrustRoots, bypasses_proxy};
pub use error::{ExtractError, FetchError, one_line};
pub use extract::{ExtractLimits, ExtractStats, extract_tar};
pub use gorig_event::{Event, NoReporter, Reporter};
pub use index_fetch::{
    IndexOrigin, IndexPolicy, LoadedIndex, human_duration, known_age, load_index,
};
pub use keys::KeyStore;
pub use pipeline::{Fetcher, UnpackOptions, Unpacked};
pub use retry::Persistence;
pub use sandbox::{Sandbox, restrict_writes_to};
pub use source::{DEFAULT_DOWNLOAD_BASE, DEFAULT_INDEX_URL, Location, Mirror, redact};
pub use verify::{KeyRefresher, SignatureVerifier};
