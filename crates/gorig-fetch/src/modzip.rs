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

/// The largest module zip go downloads (cmd/go's `MaxZipFile`).
pub const MAX_ZIP_BYTES: u64 = 500 << 20;

/// What [`unpack_toolchain_zip`] wrote, and the zip's `h1:` computed from the same bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackedZip {
    pub h1: String,
    pub files: u64,
    pub bytes: u64,
}

/// Unpacks the module zip of toolchain `version` into the existing, empty directory
/// `dest` as go does after downloading it: every entry must lie under
/// `golang.org/toolchain@VERSION/` (stripped), regular files only, no `..`, absolute or
/// empty components, no two names equal when case is folded; files get mode 0644, and
/// those under `bin/` and `pkg/tool/` 0755 (a module zip has no modes); each `_go.mod` is
/// copied back to `go.mod` beside it. Each entry is read once: hashed and written in the
/// same pass. The caller compares the `h1:` with the checksum database before the tree
/// is used.
pub fn unpack_toolchain_zip(
    zip_file: &std::path::Path,
    version: &str,
    dest: &std::path::Path,
    limits: crate::ExtractLimits,
) -> Result<UnpackedZip, crate::ExtractError> {
    use crate::ExtractError;
    use std::os::unix::fs::PermissionsExt;

    let prefix = gorig_sumdb::proxy::zip_prefix(version);
    let file =
        std::fs::File::open(zip_file).map_err(|e| ExtractError::corrupt("the module zip", e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > MAX_ZIP_BYTES {
        return Err(ExtractError::TooLarge {
            limit: MAX_ZIP_BYTES,
        });
    }
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        ExtractError::corrupt(
            "the module zip's central directory",
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
        )
    })?;
    if zip.len() as u64 > limits.max_entries {
        return Err(ExtractError::TooManyEntries {
            limit: limits.max_entries,
        });
    }
    let mut seen_folded = std::collections::HashSet::new();
    let mut hashed = Vec::with_capacity(zip.len());
    let mut written = Vec::new();
    let mut bytes = 0u64;
    let mut buffer = Vec::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(|e| {
            ExtractError::corrupt(
                "a module zip entry",
                std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            )
        })?;
        let name = entry
            .name()
            .map_err(|_| ExtractError::refused("a module zip entry", "its name is not UTF-8"))?
            .into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            return Err(ExtractError::refused(
                &name,
                format!("every entry of this module zip lies under {prefix}"),
            ));
        };
        if !seen_folded.insert(name.to_lowercase()) {
            return Err(ExtractError::refused(
                &name,
                "two entries have the same name when case is folded",
            ));
        }
        let is_dir = name.ends_with('/');
        if entry.is_symlink() || (!is_dir && !entry.is_file()) {
            return Err(ExtractError::refused(
                &name,
                "only regular files are allowed in a module zip",
            ));
        }
        let relative = safe_relative(&name, rest)?;
        buffer.clear();
        if entry.size() > limits.max_unpacked_bytes.saturating_sub(bytes) {
            return Err(ExtractError::TooLarge {
                limit: limits.max_unpacked_bytes,
            });
        }
        // Never more than the declared size, which the zip reader then checks with the CRC.
        let declared = entry.size();
        (&mut entry)
            .take(declared + 1)
            .read_to_end(&mut buffer)
            .map_err(|e| ExtractError::corrupt(&name, e))?;
        if buffer.len() as u64 != declared {
            return Err(ExtractError::refused(
                &name,
                "its size differs from the one the zip declares",
            ));
        }
        bytes += buffer.len() as u64;
        hashed.push((name.clone(), gorig_sumdb::dirhash::sha256(&buffer)));
        let Some(relative) = relative else { continue };
        if is_dir {
            continue;
        }
        let path = dest.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ExtractError::Write {
                path: parent.to_path_buf(),
                source: e,
            })?;
        }
        let executable = rest.starts_with("bin/") || rest.starts_with("pkg/tool/");
        let mode = if executable { 0o755 } else { 0o644 };
        write_new(&path, &buffer, mode)?;
        written.push(relative);
    }
    if written.is_empty() {
        return Err(ExtractError::Empty);
    }
    // `_go.mod` back to `go.mod`, as go does once the zip is unpacked.
    for relative in &written {
        if relative.file_name().is_some_and(|n| n == "_go.mod") {
            let from = dest.join(relative);
            let to = from.with_file_name("go.mod");
            let content = std::fs::read(&from).map_err(|e| ExtractError::Write {
                path: from.clone(),
                source: e,
            })?;
            write_new(&to, &content, 0o644)?;
        }
    }
    let _ = std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o755));
    let h1 = gorig_sumdb::dirhash::hash1(&hashed)
        .map_err(|e| ExtractError::refused("the module zip", e.to_string()))?;
    Ok(UnpackedZip {
        h1,
        files: written.len() as u64,
        bytes,
    })
}

/// The path below the prefix, checked component by component; `None` for the prefix itself.
fn safe_relative(
    name: &str,
    rest: &str,
) -> Result<Option<std::path::PathBuf>, crate::ExtractError> {
    use crate::ExtractError;
    let trimmed = rest.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(None);
    }
    let mut relative = std::path::PathBuf::new();
    for part in trimmed.split('/') {
        match part {
            "" | "." => {
                return Err(ExtractError::refused(
                    name,
                    "empty or `.` path components are not allowed",
                ));
            }
            ".." => return Err(ExtractError::refused(name, "`..` is not allowed")),
            _ if part.contains(['\0', '\\']) => {
                return Err(ExtractError::refused(name, "NUL or backslash in a name"));
            }
            _ => relative.push(part),
        }
    }
    Ok(Some(relative))
}

/// Creates `path` (it must not exist: a zip names each file once) with `content`.
fn write_new(path: &std::path::Path, content: &[u8], mode: u32) -> Result<(), crate::ExtractError> {
    use std::os::unix::fs::OpenOptionsExt;
    let write_error = |e| crate::ExtractError::Write {
        path: path.to_path_buf(),
        source: e,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(write_error)?;
    file.write_all(content).map_err(write_error)?;
    // The umask may have taken bits away.
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(write_error)
}

/// The `h1:` of a module zip as go computes it (every entry's name and content), without
/// unpacking it.
pub fn hash_zip(path: &std::path::Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| e.to_string())?;
    let mut files = Vec::with_capacity(zip.len());
    let mut buffer = Vec::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(|e| e.to_string())?;
        let name = entry.name().map_err(|e| e.to_string())?.into_owned();
        buffer.clear();
        entry
            .read_to_end(&mut buffer)
            .map_err(|e| format!("{name}: {e}"))?;
        files.push((name, dirhash::sha256(&buffer)));
    }
    dirhash::hash1(&files).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERSION: &str = "v0.0.1-go1.27.3.linux-amd64";

    /// A zip of `(name, content, symlink)` entries.
    fn zip_of(dir: &std::path::Path, entries: &[(&str, &[u8], bool)]) -> std::path::PathBuf {
        let path = dir.join("m.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        for (name, content, symlink) in entries {
            let options = zip::write::SimpleFileOptions::default();
            if *symlink {
                zip.add_symlink(*name, "target", options).unwrap();
            } else {
                zip.start_file(*name, options).unwrap();
                zip.write_all(content).unwrap();
            }
        }
        zip.finish().unwrap();
        path
    }

    fn unpack(entries: &[(&str, &[u8], bool)]) -> Result<UnpackedZip, crate::ExtractError> {
        let dir = tempfile::tempdir().unwrap();
        let zip = zip_of(dir.path(), entries);
        let dest = dir.path().join("out");
        std::fs::create_dir(&dest).unwrap();
        unpack_toolchain_zip(&zip, VERSION, &dest, crate::ExtractLimits::default())
    }

    #[test]
    fn a_toolchain_zip_unpacks_with_modes_and_go_mod_restored() {
        let dir = tempfile::tempdir().unwrap();
        let p = format!("golang.org/toolchain@{VERSION}/");
        let names = [
            format!("{p}bin/go"),
            format!("{p}pkg/tool/linux_amd64/compile"),
            format!("{p}src/_go.mod"),
            format!("{p}VERSION"),
        ];
        let entries: Vec<(&str, &[u8], bool)> = names
            .iter()
            .map(|n| (n.as_str(), &b"x"[..], false))
            .collect();
        let zip = zip_of(dir.path(), &entries);
        let dest = dir.path().join("out");
        std::fs::create_dir(&dest).unwrap();
        let done =
            unpack_toolchain_zip(&zip, VERSION, &dest, crate::ExtractLimits::default()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| {
            std::fs::metadata(dest.join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("bin/go"), 0o755);
        assert_eq!(mode("pkg/tool/linux_amd64/compile"), 0o755);
        assert_eq!(mode("VERSION"), 0o644);
        assert_eq!(std::fs::read(dest.join("src/go.mod")).unwrap(), b"x");
        let files: Vec<(String, [u8; 32])> = names
            .iter()
            .map(|n| (n.clone(), gorig_sumdb::dirhash::sha256(b"x")))
            .collect();
        assert_eq!(done.h1, gorig_sumdb::dirhash::hash1(&files).unwrap());
    }

    #[test]
    fn hostile_entries_are_refused() {
        let p = format!("golang.org/toolchain@{VERSION}/");
        let cases: Vec<Vec<(String, bool)>> = vec![
            vec![(format!("{p}../escape"), false)],
            vec![(
                "golang.org/toolchain@v0.0.1-go1.0.linux-amd64/bin/go".into(),
                false,
            )],
            vec![(format!("{p}bin//go"), false)],
            vec![(format!("{p}bin/go"), false), (format!("{p}BIN/go"), false)],
            vec![(format!("{p}bin/link"), true)],
            vec![(format!("{p}a\\b"), false)],
        ];
        for case in cases {
            let entries: Vec<(&str, &[u8], bool)> = case
                .iter()
                .map(|(n, link)| (n.as_str(), &b"x"[..], *link))
                .collect();
            assert!(
                matches!(unpack(&entries), Err(crate::ExtractError::Refused { .. })),
                "{case:?}"
            );
        }
        assert!(matches!(unpack(&[]), Err(crate::ExtractError::Empty)));
    }
}
