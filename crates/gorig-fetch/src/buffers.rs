//! A small pool of reusable byte buffers shared between threads.
//!
//! The one pass moves a few hundred megabytes through short-lived buffers. Allocating each
//! afresh costs little with glibc, but musl's allocator (the static release binary) maps
//! and unmaps large blocks every time, which showed up as doubled system time; recycling
//! keeps a handful of warm buffers instead.

use std::sync::Mutex;

pub(crate) struct Buffers {
    free: Mutex<Vec<Vec<u8>>>,
    capacity: usize,
    keep: usize,
}

impl Buffers {
    /// A pool of buffers of `capacity` bytes that keeps at most `keep` idle ones.
    pub(crate) fn new(capacity: usize, keep: usize) -> Buffers {
        Buffers {
            free: Mutex::new(Vec::new()),
            capacity,
            keep,
        }
    }

    /// An empty buffer with at least the pool's capacity.
    pub(crate) fn take(&self) -> Vec<u8> {
        self.free
            .lock()
            .ok()
            .and_then(|mut free| free.pop())
            .unwrap_or_else(|| Vec::with_capacity(self.capacity))
    }

    /// Returns a buffer for reuse.
    pub(crate) fn give(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        if let Ok(mut free) = self.free.lock()
            && free.len() < self.keep
        {
            free.push(buffer);
        }
    }
}
