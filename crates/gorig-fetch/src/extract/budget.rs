//! A byte budget under the tar parser: between two entries it hands out only the entry's
//! own data and at most [`MAX_METADATA`] more, so whatever the parser buffers on the way
//! to the next entry (GNU long names and links, PAX records, sparse maps) is bounded.
//!
//! The archive is unpacked while it downloads, before its digest can be checked, and the
//! tar crate reads those records wholly into memory, sized by their headers. Rather than
//! parse the headers a second time in front of the parser (where any difference between
//! the two readings, such as PAX records split by lines or by length, lets a record slip
//! by), the cap sits in the parser's own path: it is a limit on the bytes it may read,
//! moved forward by the extractor each time an entry comes out.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Metadata let through between two entries: long names and links, PAX records. Go's own
/// reader caps each such record at 1 MiB too (`archive/tar`, `maxSpecialFileSize`).
pub const MAX_METADATA: u64 = 1 << 20;

/// The header blocks an entry may take besides its metadata (its own, a long-name
/// header, a long-link header, a PAX header), and the two end-of-archive blocks.
const HEADER_ALLOWANCE: u64 = 6 * 512;

/// What the extractor keeps to move the budget and to learn that it was hit.
#[derive(Clone, Default)]
pub struct BudgetHandle {
    limit: Rc<Cell<u64>>,
    hit: Rc<Cell<bool>>,
}

impl BudgetHandle {
    /// Allows the parser to read the data of an entry that ends at byte `data_end` of the
    /// stream, its padding, and the headers and metadata of the next entry.
    pub fn entry_ends_at(&self, data_end: u64) {
        let padded = data_end.div_ceil(512).saturating_mul(512);
        self.limit
            .set(padded.saturating_add(HEADER_ALLOWANCE + MAX_METADATA));
    }

    /// Whether a read was refused for going past the budget.
    pub fn was_hit(&self) -> bool {
        self.hit.get()
    }
}

/// The reader the tar parser reads through.
pub struct Budget<R> {
    inner: R,
    position: u64,
    handle: BudgetHandle,
}

impl<R: Read> Budget<R> {
    pub fn new(inner: R) -> (Budget<R>, BudgetHandle) {
        let handle = BudgetHandle::default();
        handle.entry_ends_at(0);
        (
            Budget {
                inner,
                position: 0,
                handle: handle.clone(),
            },
            handle,
        )
    }
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let left = self.handle.limit.get().saturating_sub(self.position);
        if left == 0 && !out.is_empty() {
            self.handle.hit.set(true);
            return Err(io::Error::other(format!(
                "more than {MAX_METADATA} bytes of metadata before one entry"
            )));
        }
        let take = out.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut out[..take])?;
        self.position += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_budget_and_say_so() {
        let data = vec![7u8; 4 << 20];
        let (mut budget, handle) = Budget::new(&data[..]);
        let mut sink = Vec::new();
        let result = budget.by_ref().read_to_end(&mut sink);
        assert!(result.is_err());
        assert!(handle.was_hit());
        assert_eq!(sink.len() as u64, HEADER_ALLOWANCE + MAX_METADATA);
        // Moving the budget lets the next stretch through.
        handle.entry_ends_at(3 << 20);
        let mut more = vec![0u8; 1 << 20];
        assert!(budget.read(&mut more).is_ok());
    }
}
