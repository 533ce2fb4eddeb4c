//! Builds tar.gz archives entry by entry, including entries no honest archiver writes
//! (`..` names, absolute paths, hard links, fifos), so the extractor's refusals can be
//! tested against real bytes.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

/// One archive entry. Names are written as given, without validation.
#[derive(Debug, Clone)]
pub enum Entry {
    File {
        name: String,
        mode: u32,
        data: Vec<u8>,
    },
    Dir {
        name: String,
        mode: u32,
    },
    Symlink {
        name: String,
        target: String,
    },
    HardLink {
        name: String,
        target: String,
    },
    Fifo {
        name: String,
    },
    /// A character or block device node.
    Device {
        name: String,
        block: bool,
    },
}

impl Entry {
    pub fn file(name: &str, data: impl Into<Vec<u8>>) -> Entry {
        Entry::File {
            name: name.into(),
            mode: 0o644,
            data: data.into(),
        }
    }

    pub fn exe(name: &str, data: impl Into<Vec<u8>>) -> Entry {
        Entry::File {
            name: name.into(),
            mode: 0o755,
            data: data.into(),
        }
    }

    pub fn dir(name: &str) -> Entry {
        Entry::Dir {
            name: name.into(),
            mode: 0o755,
        }
    }

    pub fn symlink(name: &str, target: &str) -> Entry {
        Entry::Symlink {
            name: name.into(),
            target: target.into(),
        }
    }
}

/// A tar.gz of `entries` at gzip level 6.
pub fn tar_gz(entries: &[Entry]) -> Vec<u8> {
    tar_gz_level(entries, 6)
}

/// A tar.gz of `entries` at the given gzip level.
pub fn tar_gz_level(entries: &[Entry], level: u32) -> Vec<u8> {
    let encoder = GzEncoder::new(Vec::new(), Compression::new(level));
    let mut builder = tar::Builder::new(encoder);
    for entry in entries {
        append(&mut builder, entry);
    }
    let encoder = builder.into_inner().unwrap();
    encoder.finish().unwrap()
}

/// Appends one entry to a tar stream, writing the name bytes unchecked when they fit the
/// classic 100-byte field and through tar's long-name support otherwise.
pub(crate) fn append<W: Write>(builder: &mut tar::Builder<W>, entry: &Entry) {
    let mut header = tar::Header::new_gnu();
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(1_700_000_000);
    let (name, data, link): (&str, &[u8], Option<&str>) = match entry {
        Entry::File { name, mode, data } => {
            header.set_entry_type(tar::EntryType::Regular);
            header.set_mode(*mode);
            (name, data, None)
        }
        Entry::Dir { name, mode } => {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_mode(*mode);
            (name, &[], None)
        }
        Entry::Symlink { name, target } => {
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_mode(0o777);
            (name, &[], Some(target))
        }
        Entry::HardLink { name, target } => {
            header.set_entry_type(tar::EntryType::Link);
            header.set_mode(0o644);
            (name, &[], Some(target))
        }
        Entry::Fifo { name } => {
            header.set_entry_type(tar::EntryType::Fifo);
            header.set_mode(0o644);
            (name, &[], None)
        }
        Entry::Device { name, block } => {
            header.set_entry_type(if *block {
                tar::EntryType::Block
            } else {
                tar::EntryType::Char
            });
            header.set_mode(0o666);
            header.set_device_major(1).unwrap();
            header.set_device_minor(3).unwrap();
            (name, &[], None)
        }
    };
    header.set_size(data.len() as u64);
    if let Some(link) = link {
        let field = &mut header.as_old_mut().linkname;
        assert!(
            link.len() <= field.len(),
            "link target too long for the test builder"
        );
        field[..link.len()].copy_from_slice(link.as_bytes());
    }
    if name.len() <= 100 {
        let field = &mut header.as_old_mut().name;
        field[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, data).unwrap();
    } else {
        builder.append_data(&mut header, name, data).unwrap();
    }
}
