//! Finding an archive's detached OpenPGP signature (`<archive>.asc` on the mirror, else at
//! the official download base) and the keyring that can check it, refreshing the release
//! keys once when a signature names a subkey the keyring lacks.
//!
//! There is no silent downgrade: when verification is on and no signature can be found
//! or checked, the install stops. Turning it off is the caller's explicit choice
//! (`Fetcher::signatures = None`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::signature::{Keyring, MAX_SIGNATURE_BYTES, ReleaseSignature};
use gorig_event::{Event, Reporter};

use crate::retry::with_retries;
use crate::{FetchError, Fetcher, Location, Mirror};

/// Builds a fresh keyring (fetches the current key block, keeps the pinned keys, stores
/// them); given by the caller, who knows where keys live.
pub type KeyRefresher<'a> = dyn Fn() -> Result<Keyring, FetchError> + 'a;

/// How archive signatures are found and checked.
pub struct SignatureVerifier<'a> {
    keyring: Mutex<Keyring>,
    refresh: Option<&'a KeyRefresher<'a>>,
    refreshed: AtomicBool,
    /// Where to look for `<archive>.asc` when a mirror has none (the official base).
    fallback_base: Option<Mirror>,
}

/// A signature found for an archive, with the keyring that can check it.
pub(crate) struct FoundSignature {
    pub keyring: Keyring,
    pub signature: ReleaseSignature,
    pub armored: Vec<u8>,
    pub url: String,
    /// Read from the download cache (not fetched now).
    pub from_cache: bool,
}

impl<'a> SignatureVerifier<'a> {
    pub fn new(keyring: Keyring, fallback_base: Option<Mirror>) -> Self {
        Self {
            keyring: Mutex::new(keyring),
            refresh: None,
            refreshed: AtomicBool::new(false),
            fallback_base,
        }
    }

    /// Lets the verifier refresh the keys once, when a signature names an unknown subkey.
    pub fn with_refresh(mut self, refresh: &'a KeyRefresher<'a>) -> Self {
        self.refresh = Some(refresh);
        self
    }

    fn current(&self) -> Keyring {
        match self.keyring.lock() {
            Ok(ring) => ring.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The keyring to check `signature` with: the current one when it knows the signer,
    /// else (once per run) a refreshed one.
    fn keyring_for(
        &self,
        signature: &ReleaseSignature,
        reporter: &dyn Reporter,
    ) -> Result<Keyring, FetchError> {
        let ring = self.current();
        if ring.knows_signer(signature) {
            return Ok(ring);
        }
        let Some(refresh) = self.refresh else {
            return Ok(ring);
        };
        if self.refreshed.swap(true, Ordering::SeqCst) {
            return Ok(ring);
        }
        reporter.report(Event::KeysRefreshing {
            issuer: signature.issuer(),
        });
        match refresh() {
            Ok(fresh) => {
                if let Ok(mut slot) = self.keyring.lock() {
                    *slot = fresh.clone();
                }
                Ok(fresh)
            }
            Err(e) => {
                // The check below then fails with the unknown signer, which is the error
                // that matters; the refresh failure is said here.
                reporter.report(Event::KeysRefreshFailed {
                    error: crate::error::one_line(&e),
                });
                Ok(ring)
            }
        }
    }
}

fn signature_location(archive: &Location) -> Location {
    match archive {
        Location::Http(url) => Location::Http(format!("{url}.asc")),
        Location::File(path) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".asc");
            Location::File(name.into())
        }
    }
}

impl Fetcher<'_> {
    /// Finds and parses the signature of `filename`: from the cache when `cached`, else
    /// beside the archive on each of `mirrors`, else at the fallback base. With
    /// `switch_mirror`, a mirror that fails for another reason than a missing file stops
    /// the search with that error, so the caller moves to its next mirror.
    pub(crate) fn find_signature(
        &self,
        verifier: &SignatureVerifier<'_>,
        filename: &str,
        mirrors: &[Mirror],
        cached: bool,
        switch_mirror: bool,
    ) -> Result<FoundSignature, FetchError> {
        let mut tried = Vec::new();
        let mut found = None;
        let mut from_cache = false;
        if cached {
            let path = self.cache.path_of(&format!("{filename}.asc"));
            match self.cache.signature(filename) {
                Some(bytes) => {
                    found = Some((bytes, path.display().to_string()));
                    from_cache = true;
                }
                None => tried.push(format!("{}: not cached", path.display())),
            }
        }
        if found.is_none() && !self.options.offline {
            let mut candidates: Vec<Location> = mirrors
                .iter()
                .map(|m| signature_location(&m.file(filename)))
                .collect();
            if let Some(base) = &verifier.fallback_base {
                let official = signature_location(&base.file(filename));
                if !candidates.contains(&official) {
                    candidates.push(official);
                }
            }
            let mirror_count = mirrors.len();
            for (i, location) in candidates.iter().enumerate() {
                let read = with_retries(self.options.persistence, self.reporter, location, || {
                    self.client
                        .read_small(location, MAX_SIGNATURE_BYTES, "a signature")
                });
                match read {
                    Ok(bytes) => {
                        found = Some((bytes, location.to_string()));
                        break;
                    }
                    Err(e @ FetchError::NotFound { .. }) => tried.push(e.to_string()),
                    Err(e) if switch_mirror && i < mirror_count && e.try_next_mirror() => {
                        return Err(e);
                    }
                    Err(e) => tried.push(crate::error::one_line(&e)),
                }
            }
        } else if found.is_none() {
            tried.push("offline: the network was not asked".to_string());
        }
        let Some((armored, url)) = found else {
            return Err(FetchError::SignatureMissing {
                filename: filename.to_string(),
                tried,
            });
        };
        let signature =
            ReleaseSignature::parse(&armored, &url).map_err(|source| FetchError::Signature {
                filename: filename.to_string(),
                url: url.clone(),
                source: Box::new(source),
            })?;
        let keyring = verifier.keyring_for(&signature, self.reporter)?;
        Ok(FoundSignature {
            keyring,
            signature,
            armored,
            url,
            from_cache,
        })
    }
}
