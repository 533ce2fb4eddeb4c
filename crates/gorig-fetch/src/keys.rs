//! Where the release keys live and how they are refreshed: the key Google signs Go with
//! (embedded), the copy `gorig keys refresh` stored in the store (only the pinned primaries
//! of the fetched block are kept), and the key files an organisation adds (`--keyring`),
//! whose primaries are pinned beside Google's.
//!
//! The refresh a signature check triggers (an unknown subkey) goes through the same
//! [`KeyStore::refresh`], so verification stays inside this crate.

use std::path::{Path, PathBuf};

use gorig_event::{Event, Reporter};

use crate::retry::{Persistence, with_retries};
use crate::signature::{GO_SIGNING_KEY_FINGERPRINT, Keyring, MAX_KEY_BLOCK_BYTES};
use crate::{Client, FetchError, Location};

/// The places keys come from.
#[derive(Debug, Clone)]
pub struct KeyStore {
    /// Where a refreshed key block is kept (`<store>/keys/release-keys.asc`).
    pub stored: PathBuf,
    /// The organisation's key files, trusted as they are.
    pub keyrings: Vec<PathBuf>,
    /// Where `refresh` fetches the key block from by default.
    pub key_url: String,
}

impl KeyStore {
    /// The organisation's keys, and every primary fingerprint that is pinned.
    fn user_keyrings(&self) -> Result<(Keyring, Vec<String>), FetchError> {
        let mut ring = Keyring::default();
        let mut pinned = vec![GO_SIGNING_KEY_FINGERPRINT.to_string()];
        for path in &self.keyrings {
            let bytes = std::fs::read(path).map_err(|source| FetchError::KeyringUnreadable {
                path: path.clone(),
                source,
            })?;
            let fingerprints = ring
                .add_trusted_file(&bytes, &format!("keyring {}", path.display()))
                .map_err(|source| FetchError::KeyringInvalid {
                    path: path.clone(),
                    source: Box::new(source),
                })?;
            pinned.extend(fingerprints);
        }
        Ok((ring, pinned))
    }

    /// The keyring signatures are checked against: embedded, then stored, then the
    /// organisation's. A stored block that no longer parses is ignored (and reported).
    pub fn load(&self, reporter: &dyn Reporter) -> Result<Keyring, FetchError> {
        let (user, pinned) = self.user_keyrings()?;
        let mut refreshed = None;
        if let Ok(bytes) = std::fs::read(&self.stored) {
            let mut ring = Keyring::default();
            match ring.add_pinned(
                &bytes,
                &format!("the refreshed copy {}", self.stored.display()),
                &pinned,
            ) {
                Ok(_) => refreshed = Some(ring),
                Err(e) => reporter.report(Event::KeysStoredIgnored {
                    path: self.stored.display().to_string(),
                    error: e.to_string(),
                }),
            }
        }
        assemble(refreshed, user)
    }

    /// Fetches the key block (from `url`, else [`KeyStore::key_url`]), keeps the pinned
    /// keys, stores them, and returns the whole keyring and how many keys were kept.
    pub fn refresh(
        &self,
        client: &Client,
        url: Option<&str>,
        retry: Persistence,
        reporter: &dyn Reporter,
    ) -> Result<(Keyring, usize), FetchError> {
        let location = Location::parse(url.unwrap_or(&self.key_url))?;
        let bytes = with_retries(retry, reporter, &location, || {
            client.read_small(&location, MAX_KEY_BLOCK_BYTES, "a key block")
        })?;
        let (user, pinned) = self.user_keyrings()?;
        let mut fetched = Keyring::default();
        let kept = fetched
            .add_pinned(&bytes, &format!("refreshed from {location}"), &pinned)
            .map_err(|e| FetchError::KeyRefresh(e.to_string()))?;
        let armored = fetched
            .to_armored()
            .map_err(|e| FetchError::KeyRefresh(e.to_string()))?;
        store(&self.stored, armored.as_bytes())?;
        Ok((assemble(Some(fetched), user)?, kept))
    }
}

fn store(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    gorig_fs::write_atomic(path, bytes).map_err(|e| match e {
        gorig_fs::FsError::Io { source, .. } => FetchError::io("store the keys in", path, source),
        other => FetchError::KeyRefresh(other.to_string()),
    })
}

/// The embedded key, then refreshed keys, then the organisation's.
fn assemble(refreshed: Option<Keyring>, user: Keyring) -> Result<Keyring, FetchError> {
    let mut ring = Keyring::embedded().map_err(|e| FetchError::KeyRefresh(e.to_string()))?;
    if let Some(refreshed) = refreshed {
        ring.extend(refreshed);
    }
    ring.extend(user);
    Ok(ring)
}
