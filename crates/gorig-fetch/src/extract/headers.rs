//! A guard in front of the tar parser that watches the 512-byte headers go by and stops
//! the stream before the parser would buffer a huge metadata record.
//!
//! The tar crate reads GNU long names/links and PAX records wholly into memory, sized by
//! the header. The archive is unpacked while it downloads, before its digest can be
//! checked, so a hostile mirror could otherwise make gorig allocate gigabytes from a few
//! compressed kilobytes. Official Go archives use short PAX records only; sparse files,
//! which add headers the size field does not count, never appear in them and are
//! refused here so the guard's view of the stream cannot drift.

use std::io::{self, Read};

/// Largest metadata record (GNU long name/link, PAX header) let through.
pub const MAX_METADATA: u64 = 1 << 20;

/// Follows the stream block by block: header, data (rounded up to 512), header, ...
pub struct HeaderGuard<R> {
    inner: R,
    /// Bytes of the current entry's data (with padding) still to pass.
    data_left: u64,
    header: [u8; 512],
    filled: usize,
    /// A PAX record being read, to honour its `size=` for the next entry.
    pax: Option<Vec<u8>>,
    /// The PAX record's length (without the block padding).
    pax_remaining: u64,
    /// The next entry's size from a PAX record.
    next_size: Option<u64>,
    /// Why the stream was stopped, for the error the parser passes on.
    pub refused: Option<String>,
}

impl<R: Read> HeaderGuard<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            data_left: 0,
            header: [0; 512],
            filled: 0,
            pax: None,
            pax_remaining: 0,
            next_size: None,
            refused: None,
        }
    }

    fn refuse(&mut self, why: String) -> io::Error {
        let error = io::Error::other(why.clone());
        self.refused = Some(why);
        error
    }

    /// Takes in a complete header block.
    fn on_header(&mut self) -> io::Result<()> {
        let block = self.header;
        if block.iter().all(|b| *b == 0) {
            return Ok(());
        }
        let kind = block[156];
        let mut size = parse_size(&block[124..136])
            .ok_or_else(|| self.refuse("an entry has an unreadable size field".into()))?;
        if matches!(kind, b'0' | b'\0' | b'7')
            && let Some(pax_size) = self.next_size.take()
        {
            size = pax_size;
        } else if !matches!(kind, b'x' | b'L' | b'K') {
            self.next_size = None;
        }
        match kind {
            b'S' => return Err(self.refuse("a sparse file: not in official Go archives".into())),
            b'x' | b'g' | b'L' | b'K' if size > MAX_METADATA => {
                return Err(self.refuse(format!(
                    "a {size}-byte metadata record (names and PAX records are short in official archives)"
                )));
            }
            b'x' => self.pax = Some(Vec::with_capacity(size as usize)),
            _ => {}
        }
        self.data_left = size.div_ceil(512) * 512;
        if self.pax.is_some() && size == 0 {
            self.pax = None;
        }
        self.pax_remaining = size;
        Ok(())
    }
}

impl<R> HeaderGuard<R> {
    fn pax_done(&mut self) {
        if let Some(record) = self.pax.take() {
            self.next_size = pax_size(&record);
        }
    }
}

/// `size=` from PAX records (`<len> size=<n>\n` ...).
fn pax_size(records: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(records);
    text.lines().find_map(|line| {
        let (_, record) = line.split_once(' ')?;
        record.strip_prefix("size=")?.trim().parse().ok()
    })
}

/// A tar size field: octal digits (NUL/space padded), or base-256 when the top bit of
/// the first byte is set.
fn parse_size(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut value: u64 = u64::from(field[0] & 0x7f);
        for byte in &field[1..] {
            value = value.checked_mul(256)?.checked_add(u64::from(*byte))?;
        }
        return Some(value);
    }
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if digits.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(std::str::from_utf8(&digits).ok()?, 8).ok()
}

impl<R: Read> Read for HeaderGuard<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(why) = &self.refused {
            return Err(io::Error::other(why.clone()));
        }
        let n = self.inner.read(out)?;
        let mut at = 0;
        while at < n {
            if self.data_left > 0 {
                let take = (n - at).min(usize::try_from(self.data_left).unwrap_or(usize::MAX));
                if let Some(pax) = &mut self.pax {
                    let wanted = usize::try_from(self.pax_remaining).unwrap_or(0);
                    let keep = take.min(wanted.saturating_sub(pax.len()));
                    pax.extend_from_slice(&out[at..at + keep]);
                }
                self.data_left -= take as u64;
                at += take;
                if self.data_left == 0 {
                    self.pax_done();
                }
            } else {
                let take = (n - at).min(512 - self.filled);
                self.header[self.filled..self.filled + take].copy_from_slice(&out[at..at + take]);
                self.filled += take;
                at += take;
                if self.filled == 512 {
                    self.filled = 0;
                    self.on_header()?;
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, kind: u8, size: u64) -> [u8; 512] {
        let mut block = [0u8; 512];
        block[..name.len()].copy_from_slice(name.as_bytes());
        if size < 0o77777777777 {
            let octal = format!("{size:011o}\0");
            block[124..136].copy_from_slice(octal.as_bytes());
        } else {
            block[124] = 0x80;
            block[128..136].copy_from_slice(&size.to_be_bytes());
        }
        block[156] = kind;
        block
    }

    fn run(stream: &[u8]) -> (io::Result<u64>, Option<String>) {
        let mut guard = HeaderGuard::new(stream);
        let result = io::copy(&mut guard, &mut io::sink());
        (result, guard.refused)
    }

    #[test]
    fn short_records_pass_and_huge_ones_stop_before_their_data() {
        let mut ok = Vec::new();
        ok.extend_from_slice(&header("././@LongLink", b'L', 300));
        ok.extend_from_slice(&[b'a'; 512]);
        ok.extend_from_slice(&header("go/file", b'0', 5));
        ok.extend_from_slice(&[b'x'; 512]);
        ok.extend_from_slice(&[0u8; 1024]);
        assert!(run(&ok).0.is_ok());

        let mut bomb = Vec::new();
        bomb.extend_from_slice(&header("././@LongLink", b'L', 3 << 30));
        bomb.extend_from_slice(&[b'a'; 4096]);
        let (result, refused) = run(&bomb);
        assert!(result.is_err());
        assert!(refused.expect("why").contains("metadata record"));

        let mut pax = Vec::new();
        pax.extend_from_slice(&header("pax", b'x', 2 << 20));
        assert!(run(&pax).0.is_err());
        assert!(run(&header("sparse", b'S', 10)).0.is_err());
    }

    #[test]
    fn a_pax_size_moves_the_next_header() {
        // The PAX record says the file holds 1024 bytes, the ustar header says 0: the
        // guard must follow PAX (as the parser does) to find the next header.
        let record = b"16 size=1024000\n";
        let mut stream = Vec::new();
        stream.extend_from_slice(&header("pax", b'x', record.len() as u64));
        let mut block = [0u8; 512];
        block[..record.len()].copy_from_slice(record);
        stream.extend_from_slice(&block);
        stream.extend_from_slice(&header("go/big", b'0', 0));
        stream.extend_from_slice(&vec![0u8; 1_024_000]);
        // After the data, a huge long name must still be seen as a header.
        stream.extend_from_slice(&header("././@LongLink", b'L', 1 << 40));
        let (result, refused) = run(&stream);
        assert!(result.is_err(), "{refused:?}");
        assert!(refused.expect("why").contains("metadata"));
    }

    #[test]
    fn sizes_parse_in_octal_and_base_256() {
        assert_eq!(parse_size(b"00000001750\0"), Some(1000));
        assert_eq!(parse_size(b"     1750 \0\0"), Some(1000));
        let mut big = [0u8; 12];
        big[0] = 0x80;
        big[11] = 1;
        big[10] = 1;
        assert_eq!(parse_size(&big), Some(257));
    }
}
