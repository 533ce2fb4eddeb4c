//! Go's checksum database, as the go command checks an answer from it, with no I/O:
//! tiles come in through a closure, so every rule is tested here and the network code
//! stays in gorig-fetch.
//!
//! - [`note`]: signed notes and keys (`GOSUMDB`'s `NAME+HASH+KEY`, the built-in
//!   [`SUM_GOLANG_ORG`]), Ed25519 through ring;
//! - [`tlog`]: the tiled Merkle log, inclusion and consistency checked against the signed
//!   root, and [`tlog::Log`], a database's side (a mirror, the tests' own database);
//! - [`dirhash`]: the `h1:` hash of a module zip and of a go.mod;
//! - [`proxy`]: `GOPROXY` lists and the names of `golang.org/toolchain`;
//! - [`verify_lookup`]: one `/lookup/` answer checked end to end.

pub mod dirhash;
pub mod note;
pub mod proxy;
pub mod tlog;

use note::{NoteError, Verifier};
use tlog::{Tile, TlogError, Tree};

/// The key of sum.golang.org built into the go command (cmd/go/internal/modfetch/key.go).
pub const SUM_GOLANG_ORG: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// Why an answer of the database was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("the lookup answer is malformed: {0}")]
    Malformed(&'static str),
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error(transparent)]
    Tlog(#[from] TlogError),
    #[error("the database's record {id} does not list {module} {version}")]
    NotListed {
        id: u64,
        module: String,
        version: String,
    },
}

/// Fetches a tile of the tree of the given size (partial tiles differ by size).
pub type FetchSizedTile<'f> = dyn FnMut(u64, &Tile) -> Result<Vec<u8>, String> + 'f;

/// What a verified lookup says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signed tree the record was proved in (remember it for the next lookup).
    pub tree: Tree,
    /// The whole note, to keep as the latest known.
    pub note: String,
    pub id: u64,
    /// `h1:` of the module zip.
    pub zip_hash: String,
    /// `h1:` of its go.mod.
    pub mod_hash: String,
}

/// A `/lookup/MODULE@VERSION` body split: record id, record text, signed tree note.
pub fn split_lookup(body: &str) -> Result<(u64, &str, &str), LookupError> {
    let (id, rest) = body
        .split_once('\n')
        .ok_or(LookupError::Malformed("no record id line"))?;
    let id: u64 = id
        .parse()
        .map_err(|_| LookupError::Malformed("the record id is not a number"))?;
    let end = rest
        .find("\n\n")
        .ok_or(LookupError::Malformed("no blank line after the record"))?;
    Ok((id, &rest[..end + 1], &rest[end + 2..]))
}

/// Checks a lookup answer for `module` at `version`: the note is signed by `verifier`,
/// the tree is consistent with `known` (the latest tree seen before, when there is one;
/// either may be the larger), the record is in the tree, and it lists both hashes.
pub fn verify_lookup(
    body: &str,
    module: &str,
    version: &str,
    verifier: &Verifier,
    known: Option<&Tree>,
    fetch: &mut FetchSizedTile<'_>,
) -> Result<Verified, LookupError> {
    let (id, text, note) = split_lookup(body)?;
    if text.chars().any(|c| (c as u32) < 0x20 && c != '\n') {
        return Err(LookupError::Malformed(
            "the record holds control characters",
        ));
    }
    let tree = Tree::parse(note::open(note, verifier)?)?;
    if let Some(known) = known {
        let (older, newer) = if known.size <= tree.size {
            (known, &tree)
        } else {
            (&tree, known)
        };
        let size = newer.size;
        tlog::check_consistency(older, newer, &mut |tile: &Tile| fetch(size, tile))?;
    }
    let size = tree.size;
    tlog::check_inclusion(
        &tree,
        id,
        &tlog::record_hash(text.as_bytes()),
        &mut |tile: &Tile| fetch(size, tile),
    )?;
    let hash_of = |suffix: &str| {
        let prefix = format!("{module} {version}{suffix} ");
        text.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .map(str::to_string)
    };
    let not_listed = || LookupError::NotListed {
        id,
        module: module.to_string(),
        version: version.to_string(),
    };
    Ok(Verified {
        tree,
        note: note.to_string(),
        id,
        zip_hash: hash_of("").ok_or_else(not_listed)?,
        mod_hash: hash_of("/go.mod").ok_or_else(not_listed)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use note::Signer;
    use tlog::Log;

    fn database() -> (Log, Signer) {
        let mut log = Log::new();
        for i in 0..300 {
            log.append(
                format!(
                    "example.com/m{i} v1.0.0 h1:a{i}=\nexample.com/m{i} v1.0.0/go.mod h1:b{i}=\n"
                )
                .as_bytes(),
            );
        }
        (log, Signer::from_seed("test.sumdb", &[3; 32]).unwrap())
    }

    fn lookup(log: &Log, signer: &Signer, id: u64) -> String {
        let text = String::from_utf8(log.record(id).unwrap().to_vec()).unwrap();
        format!(
            "{id}\n{text}\n{}",
            signer.sign(&log.tree().format()).unwrap()
        )
    }

    #[test]
    fn a_lookup_is_verified_end_to_end_and_tampering_is_refused() {
        let (log, signer) = database();
        let verifier = signer.verifier();
        let mut fetch = |_size: u64, tile: &Tile| log.tile(tile).ok_or_else(|| tile.path());
        let body = lookup(&log, &signer, 42);
        let verified = verify_lookup(
            &body,
            "example.com/m42",
            "v1.0.0",
            &verifier,
            None,
            &mut fetch,
        )
        .unwrap();
        assert_eq!(verified.zip_hash, "h1:a42=");
        assert_eq!(verified.mod_hash, "h1:b42=");
        assert_eq!(verified.tree, log.tree());

        // A record changed after signing: not in the tree.
        let tampered = body.replace("h1:a42=", "h1:evil=");
        assert!(matches!(
            verify_lookup(
                &tampered,
                "example.com/m42",
                "v1.0.0",
                &verifier,
                None,
                &mut fetch
            ),
            Err(LookupError::Tlog(TlogError::RootMismatch { .. }))
        ));
        // Another module's record: not listed.
        assert!(matches!(
            verify_lookup(
                &body,
                "example.com/m43",
                "v1.0.0",
                &verifier,
                None,
                &mut fetch
            ),
            Err(LookupError::NotListed { .. })
        ));
        // Signed by another key.
        let other = Signer::from_seed("test.sumdb", &[4; 32]).unwrap();
        assert!(matches!(
            verify_lookup(
                &lookup(&log, &other, 42),
                "example.com/m42",
                "v1.0.0",
                &verifier,
                None,
                &mut fetch
            ),
            Err(LookupError::Note(_))
        ));
    }

    #[test]
    fn a_forked_tree_is_refused_against_the_one_seen_before() {
        let (log, signer) = database();
        let verifier = signer.verifier();
        let mut forked = Log::new();
        for i in 0..200 {
            forked.append(format!("fork {i}\n").as_bytes());
        }
        let seen = forked.tree();
        let mut fetch = |_size: u64, tile: &Tile| log.tile(tile).ok_or_else(|| tile.path());
        let body = lookup(&log, &signer, 7);
        assert!(matches!(
            verify_lookup(
                &body,
                "example.com/m7",
                "v1.0.0",
                &verifier,
                Some(&seen),
                &mut fetch
            ),
            Err(LookupError::Tlog(TlogError::Forked { .. }))
        ));
        // A larger tree seen before, which this database cannot extend: refused too.
        for i in 200..400 {
            forked.append(format!("fork {i}\n").as_bytes());
        }
        assert!(
            verify_lookup(
                &body,
                "example.com/m7",
                "v1.0.0",
                &verifier,
                Some(&forked.tree()),
                &mut fetch
            )
            .is_err()
        );
        // The same tree seen before is fine.
        let tree = log.tree();
        assert!(
            verify_lookup(
                &body,
                "example.com/m7",
                "v1.0.0",
                &verifier,
                Some(&tree),
                &mut fetch
            )
            .is_ok()
        );
    }

    #[test]
    fn the_built_in_key_is_sum_golang_orgs() {
        assert_eq!(
            Verifier::parse(SUM_GOLANG_ORG).unwrap().name,
            "sum.golang.org"
        );
    }
}
