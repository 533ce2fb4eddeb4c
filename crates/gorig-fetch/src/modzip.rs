//! The `golang.org/toolchain` module zip of a release archive, built the way Go's release
//! tooling converts `goX.linux-ARCH.tar.gz` (golang.org/x/build's dl2mod): regular files
//! only, `go/` renamed to `golang.org/toolchain@VERSION/`, every `go.mod` below it renamed
//! `_go.mod` (a module may hold no other module), and `.github`, `api`, `doc`, `misc` and
//! `test` left out. The `h1:` hash is computed from the same bytes as they are written, so
//! a mirror can serve the zip and vouch for it in one pass.

use std::io::{Read, Seek, Write};

use gorig_sumdb::dirhash;

/// Subtrees of the archive the module zip leaves out, as Go's converter does.
const DROPPED: [&str; 5] = [".github/", "api/", "doc/", "misc/", "test/"];

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleZip {
    /// `h1:` of the zip, as the checksum database lists it.
    pub h1: String,
    pub files: usize,
    /// The files' total size, unpacked.
    pub bytes: u64,
}

/// Why an archive could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ModZipError {
    #[error("reading the archive: {0}")]
    Read(std::io::Error),
    #[error("`{0}` is outside go/: not a Go release archive")]
    NotGoArchive(String),
    #[error("writing the module zip: {0}")]
    Write(String),
}

/// Converts the release archive `tar_gz` into the module zip of toolchain `version`
/// (`v0.0.1-go1.27.3.linux-amd64`), written to `out`.
pub fn toolchain_zip(
    tar_gz: impl Read,
    version: &str,
    out: impl Write + Seek,
) -> Result<ModuleZip, ModZipError> {
    let prefix = gorig_sumdb::proxy::zip_prefix(version);
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tar_gz));
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(false);
    let mut hashed = Vec::new();
    let mut bytes = 0u64;
    let mut buffer = Vec::new();
    for entry in archive.entries().map_err(ModZipError::Read)? {
        let mut entry = entry.map_err(ModZipError::Read)?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = entry.path().map_err(ModZipError::Read)?;
        let name = path.to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("go/") else {
            return Err(ModZipError::NotGoArchive(name));
        };
        if DROPPED.iter().any(|d| rest.starts_with(d)) {
            continue;
        }
        let rest = match rest.strip_suffix("go.mod") {
            Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("{dir}_go.mod"),
            _ => rest.to_string(),
        };
        let zip_name = format!("{prefix}{rest}");
        buffer.clear();
        entry.read_to_end(&mut buffer).map_err(ModZipError::Read)?;
        bytes += buffer.len() as u64;
        zip.start_file(zip_name.as_str(), options)
            .map_err(|e| ModZipError::Write(e.to_string()))?;
        zip.write_all(&buffer)
            .map_err(|e| ModZipError::Write(e.to_string()))?;
        hashed.push((zip_name, dirhash::sha256(&buffer)));
    }
    zip.finish()
        .map_err(|e| ModZipError::Write(e.to_string()))?;
    let h1 = dirhash::hash1(&hashed).map_err(|e| ModZipError::Write(e.to_string()))?;
    Ok(ModuleZip {
        h1,
        files: hashed.len(),
        bytes,
    })
}

/// The go.mod of every toolchain version.
pub const TOOLCHAIN_GO_MOD: &str = "module golang.org/toolchain\n";
