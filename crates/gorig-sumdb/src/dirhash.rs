//! The `h1:` hash go records for a module zip and its go.mod: SHA-256 over the lines
//! `HEX(SHA-256(content))  NAME\n` of every file, sorted by name as bytes, in base64.
//! Callers hash each file's content as they stream it and hand over the digests.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Why a file list cannot be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error("file name {0:?} holds a newline, which the h1: hash cannot hold")]
    Newline(String),
}

/// The `h1:` hash of files given as (name, SHA-256 of content).
pub fn hash1(files: &[(String, [u8; 32])]) -> Result<String, HashError> {
    let mut sorted: Vec<&(String, [u8; 32])> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for (name, digest) in sorted {
        if name.contains('\n') {
            return Err(HashError::Newline(name.clone()));
        }
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        context.update(format!("{hex}  {name}\n").as_bytes());
    }
    Ok(format!("h1:{}", STANDARD.encode(context.finish().as_ref())))
}

/// The SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref());
    out
}

/// The `h1:` hash of a module's go.mod, named `go.mod` alone as go names it.
pub fn go_mod_hash(go_mod: &[u8]) -> String {
    // One name without a newline: hash1 cannot fail.
    hash1(&[("go.mod".to_string(), sha256(go_mod))]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gos_vectors() {
        // golang.org/x/mod/sumdb/dirhash's TestHash1 (BSD-3-Clause, The Go Authors):
        // files xyz and abc holding "data for NAME".
        let files = vec![
            ("xyz".to_string(), sha256(b"data for xyz")),
            ("abc".to_string(), sha256(b"data for abc")),
        ];
        let hex = |d: [u8; 32]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let summary = format!(
            "{}  abc\n{}  xyz\n",
            hex(sha256(b"data for abc")),
            hex(sha256(b"data for xyz"))
        );
        assert_eq!(
            hash1(&files).unwrap(),
            format!("h1:{}", STANDARD.encode(sha256(summary.as_bytes())))
        );
        assert!(hash1(&[("a\nbc".to_string(), [0; 32])]).is_err());
        // cmd/go's emptyGoModHash.
        assert_eq!(
            go_mod_hash(b""),
            "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY="
        );
    }
}
