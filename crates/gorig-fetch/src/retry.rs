//! One retry policy for every request gorig makes (archives, signatures, digests, the
//! index, key blocks): transient failures (5xx, timeouts, dropped connections) are asked
//! again with exponential backoff and jitter, each retry reported as an event; anything
//! else (404, bad bytes) ends the attempt at once.

use std::time::Duration;

use gorig_event::{Event, Reporter};

use crate::{FetchError, Location};

/// How hard one mirror is pushed before the next is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Persistence {
    /// Times a dropped or stalled download is resumed (Range) or restarted.
    pub retries: u32,
    /// A download averaging fewer bytes per second than this...
    pub low_speed_limit: u64,
    /// ...over this long is abandoned for the next mirror (a trickling server).
    pub low_speed_time: Duration,
    /// The first retry waits about this long; each next one twice as long, plus jitter.
    pub backoff: Duration,
}

impl Default for Persistence {
    fn default() -> Self {
        Self {
            retries: 3,
            low_speed_limit: 1024,
            low_speed_time: Duration::from_secs(30),
            backoff: Duration::from_millis(500),
        }
    }
}

/// Runs `attempt` until it succeeds, fails for good, or `persistence.retries` retries of
/// a transient failure are spent.
pub(crate) fn with_retries<T>(
    persistence: Persistence,
    reporter: &dyn Reporter,
    location: &Location,
    mut attempt: impl FnMut() -> Result<T, FetchError>,
) -> Result<T, FetchError> {
    let mut tries = 0;
    loop {
        match attempt() {
            Ok(value) => return Ok(value),
            Err(e) if tries < persistence.retries && e.is_retryable() => {
                tries += 1;
                let delay = backoff_delay(persistence.backoff, tries);
                reporter.report(Event::Retrying {
                    url: location.to_string(),
                    error: crate::error::one_line(&e),
                    attempt: tries,
                    of: persistence.retries,
                    delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                });
                std::thread::sleep(delay);
            }
            Err(e) => return Err(e),
        }
    }
}

/// The wait before retry number `attempt` (1-based): `base` doubled each time, capped at
/// 8 s, plus up to `base` of jitter.
pub(crate) fn backoff_delay(base: Duration, attempt: u32) -> Duration {
    let doubled = base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
    doubled.min(Duration::from_secs(8)) + jitter(base)
}

/// A random fraction of `span`, so many clients retrying at once spread out.
fn jitter(span: Duration) -> Duration {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 4];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        return span / 2;
    }
    span.mul_f64(f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX))
}
