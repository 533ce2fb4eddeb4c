//! Getting the release index: from the cache while it is fresh, else from the first source
//! that answers with a valid index, else (offline, or every source down) from the cache
//! however old, with a warning.

use std::time::{Duration, SystemTime};

use gorig_index::Index;

use gorig_event::{Event, Reporter};

use crate::retry::{Persistence, with_retries};
use crate::{Client, FetchError, IndexCache, Location};

/// An index document larger than this is refused (go.dev's full index is about 2 MB).
const MAX_INDEX_BYTES: u64 = 64 << 20;

/// How to treat the cache when loading an index.
#[derive(Debug, Clone, Copy)]
pub struct IndexPolicy {
    /// A cached index younger than this is used without asking the network.
    pub ttl: Duration,
    /// Never use the network.
    pub offline: bool,
    /// Ask the network even if the cache is fresh.
    pub refresh: bool,
    /// The time to measure the cache's age against.
    pub now: SystemTime,
    /// How often a source that fails transiently is asked again.
    pub retry: Persistence,
}

/// Where a loaded index came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexOrigin {
    /// Fetched now from this location (credentials removed).
    Network(String),
    /// Read from the cache; `stale` when it is older than the TTL.
    Cache { age: Duration, stale: bool },
}

/// A loaded index and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedIndex {
    pub index: Index,
    pub origin: IndexOrigin,
}

/// The cache key of a list of index sources.
fn cache_key(sources: &[Location]) -> String {
    let joined: Vec<String> = sources
        .iter()
        .map(|l| match l {
            Location::Http(url) => url.clone(),
            Location::File(path) => path.display().to_string(),
        })
        .collect();
    let digest = ring::digest::digest(&ring::digest::SHA256, joined.join("\n").as_bytes());
    hex(&digest.as_ref()[..8])
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Loads the index from `sources` (tried in order) under `policy`.
pub fn load_index(
    client: &Client,
    sources: &[Location],
    cache: &IndexCache,
    policy: IndexPolicy,
    reporter: &dyn Reporter,
) -> Result<LoadedIndex, FetchError> {
    let key = cache_key(sources);
    let cached = cache.read(&key, policy.now).and_then(|c| {
        let index = Index::parse(&c.bytes, "the cached index").ok()?;
        Some((index, c.age))
    });
    if let Some((index, age)) = &cached
        && ((!policy.refresh && *age < policy.ttl) || policy.offline)
    {
        return Ok(LoadedIndex {
            index: index.clone(),
            origin: IndexOrigin::Cache {
                age: *age,
                stale: *age >= policy.ttl,
            },
        });
    }
    if policy.offline {
        return Err(FetchError::NotCached {
            what: "the release index".into(),
            cache: cache.dir().to_path_buf(),
        });
    }
    let mut attempts = Vec::new();
    let mut parse_errors = Vec::new();
    for location in sources {
        let shown = location.to_string();
        let read = with_retries(policy.retry, reporter, location, || {
            client.read_small(location, MAX_INDEX_BYTES, "the release index")
        });
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(e) => {
                attempts.push(crate::error::one_line(&e));
                continue;
            }
        };
        match Index::parse(&bytes, &shown) {
            Ok(index) => {
                if let Err(e) = cache.write(&key, &bytes) {
                    reporter.report(Event::CacheWriteFailed {
                        what: "the release index".into(),
                        error: e.to_string(),
                    });
                }
                return Ok(LoadedIndex {
                    index,
                    origin: IndexOrigin::Network(shown),
                });
            }
            Err(e) => {
                attempts.push(crate::error::one_line(&e));
                parse_errors.push(e);
            }
        }
    }
    if let Some((index, age)) = cached {
        reporter.report(Event::IndexStale {
            age_secs: known_age(age),
            error: attempts.join("; "),
        });
        return Ok(LoadedIndex {
            index,
            origin: IndexOrigin::Cache { age, stale: true },
        });
    }
    if sources.len() == 1
        && let Some(e) = parse_errors.pop()
    {
        return Err(FetchError::Index(e));
    }
    Err(FetchError::AllSourcesFailed {
        what: "the release index".into(),
        attempts,
        local: sources.iter().all(|s| matches!(s, Location::File(_))),
    })
}

/// Seconds of `age`; `None` when unknown (a cache file dated in the future).
pub fn known_age(age: Duration) -> Option<u64> {
    (age != Duration::MAX).then_some(age.as_secs())
}

/// `3 min`, `2 h`, `5 days`: rough ages for messages.
pub fn human_duration(age: Duration) -> String {
    let secs = age.as_secs();
    match secs {
        0..120 => format!("{secs} s"),
        120..7200 => format!("{} min", secs / 60),
        7200..172_800 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}
