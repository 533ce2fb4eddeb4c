//! Signed notes: the checksum database signs its tree heads as a note, a text followed by
//! a blank line and one `— NAME BASE64` line per signature. A verifier key is
//! `NAME+HASH+KEY` (HASH: the first four bytes of SHA-256 of `NAME\n` and the key, so a
//! typo in a key is caught; KEY: the algorithm byte 1, Ed25519, and 32 bytes), and a
//! signer key is `PRIVATE+KEY+NAME+HASH+SEED` (tests and operators sign with it).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

/// The algorithm byte of Ed25519 keys, the only kind Go defines.
const ED25519_ALGORITHM: u8 = 1;
/// Each signature line starts with an em dash and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";
/// Go refuses a note with more signatures than this.
const MAX_SIGNATURES: usize = 100;

/// Why a key or a note was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("`{0}` is not a checksum database key (NAME+HASH+KEY, as in GOSUMDB)")]
    MalformedKey(String),
    #[error("the key of {name} does not match its hash {hash:08x} (a typo in the key?)")]
    KeyHash { name: String, hash: u32 },
    #[error("the key of {0} is not an Ed25519 key")]
    Algorithm(String),
    #[error("the note is malformed: {0}")]
    Malformed(&'static str),
    #[error("the signature of {0} on the note does not verify")]
    BadSignature(String),
    #[error("the note is not signed by {0}")]
    NotSigned(String),
}

/// A checksum database's public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub name: String,
    pub hash: u32,
    key: [u8; 32],
}

/// A name as notes allow it: not empty, no spaces or `+`.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The first four bytes of SHA-256 over `name`, a newline and the key with its algorithm.
fn key_hash(name: &str, key: &[u8]) -> u32 {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    context.update(name.as_bytes());
    context.update(b"\n");
    context.update(key);
    let digest = context.finish();
    let bytes = digest.as_ref();
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// `NAME+HASH+BASE64` split and checked, the base64 decoded.
fn parse_key_parts(text: &str) -> Result<(String, u32, Vec<u8>), NoteError> {
    let malformed = || NoteError::MalformedKey(text.to_string());
    let mut parts = text.splitn(3, '+');
    let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed());
    };
    if hash.len() != 8 || !valid_name(name) {
        return Err(malformed());
    }
    let hash = u32::from_str_radix(hash, 16).map_err(|_| malformed())?;
    let key = STANDARD.decode(key).map_err(|_| malformed())?;
    if key.is_empty() {
        return Err(malformed());
    }
    Ok((name.to_string(), hash, key))
}

impl Verifier {
    /// Parses `NAME+HASH+KEY`.
    pub fn parse(text: &str) -> Result<Verifier, NoteError> {
        let (name, hash, key) = parse_key_parts(text)?;
        if key_hash(&name, &key) != hash {
            return Err(NoteError::KeyHash { name, hash });
        }
        if key[0] != ED25519_ALGORITHM {
            return Err(NoteError::Algorithm(name));
        }
        let key: [u8; 32] = key[1..]
            .try_into()
            .map_err(|_| NoteError::MalformedKey(text.to_string()))?;
        Ok(Verifier { name, hash, key })
    }

    /// The key as GOSUMDB takes it.
    pub fn encode(&self) -> String {
        let mut key = vec![ED25519_ALGORITHM];
        key.extend_from_slice(&self.key);
        format!("{}+{:08x}+{}", self.name, self.hash, STANDARD.encode(key))
    }

    fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.key)
            .verify(message, signature)
            .is_ok()
    }
}

/// A checksum database's private key.
pub struct Signer {
    pub name: String,
    pub hash: u32,
    pair: Ed25519KeyPair,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}+{:08x})", self.name, self.hash)
    }
}

impl Signer {
    /// The signer of `name` with this 32-byte seed.
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> Result<Signer, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::MalformedKey(name.to_string()));
        }
        let pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|_| NoteError::MalformedKey(name.to_string()))?;
        let mut key = vec![ED25519_ALGORITHM];
        key.extend_from_slice(pair.public_key().as_ref());
        Ok(Signer {
            name: name.to_string(),
            hash: key_hash(name, &key),
            pair,
        })
    }

    /// Parses `PRIVATE+KEY+NAME+HASH+SEED`.
    pub fn parse(text: &str) -> Result<Signer, NoteError> {
        let malformed = || NoteError::MalformedKey("PRIVATE+KEY+…".to_string());
        let rest = text.strip_prefix("PRIVATE+KEY+").ok_or_else(malformed)?;
        let (name, hash, key) = parse_key_parts(rest).map_err(|_| malformed())?;
        if key.first() != Some(&ED25519_ALGORITHM) {
            return Err(NoteError::Algorithm(name));
        }
        let seed: [u8; 32] = key[1..].try_into().map_err(|_| malformed())?;
        let signer = Signer::from_seed(&name, &seed)?;
        if signer.hash != hash {
            return Err(NoteError::KeyHash { name, hash });
        }
        Ok(signer)
    }

    pub fn verifier(&self) -> Verifier {
        let mut key = [0u8; 32];
        key.copy_from_slice(self.pair.public_key().as_ref());
        Verifier {
            name: self.name.clone(),
            hash: self.hash,
            key,
        }
    }

    /// `text` (which must end in a newline) signed: the whole note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        if !text.ends_with('\n') {
            return Err(NoteError::Malformed("its text does not end in a newline"));
        }
        let signature = self.pair.sign(text.as_bytes());
        let mut bytes = self.hash.to_be_bytes().to_vec();
        bytes.extend_from_slice(signature.as_ref());
        Ok(format!(
            "{text}\n{SIGNATURE_PREFIX}{} {}\n",
            self.name,
            STANDARD.encode(bytes)
        ))
    }
}

/// Opens `note` with `verifier`: returns its text once the verifier's signature on it
/// verifies. Signatures by other keys are skipped, as go skips them.
pub fn open<'n>(note: &'n str, verifier: &Verifier) -> Result<&'n str, NoteError> {
    if note.chars().any(|c| (c as u32) < 0x20 && c != '\n') {
        return Err(NoteError::Malformed("it holds control characters"));
    }
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before its signatures"))?;
    let (text, signatures) = (&note[..split + 1], &note[split + 2..]);
    if signatures.is_empty() || !signatures.ends_with('\n') {
        return Err(NoteError::Malformed(
            "its signature lines do not end in a newline",
        ));
    }
    let mut verified = false;
    for (count, line) in signatures.lines().enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(NoteError::Malformed("more than 100 signatures"));
        }
        let line = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(NoteError::Malformed(
                "a signature line does not start with `— `",
            ))?;
        let (name, encoded) = line
            .split_once(' ')
            .ok_or(NoteError::Malformed("a signature line has no signature"))?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| NoteError::Malformed("a signature is not base64"))?;
        if !valid_name(name) || bytes.len() < 5 {
            return Err(NoteError::Malformed("a signature line is not NAME BASE64"));
        }
        let hash = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        if name != verifier.name || hash != verifier.hash {
            continue;
        }
        if !verifier.verifies(text.as_bytes(), &bytes[4..]) {
            return Err(NoteError::BadSignature(verifier.name.clone()));
        }
        verified = true;
    }
    if verified {
        Ok(text)
    } else {
        Err(NoteError::NotSigned(verifier.name.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example of golang.org/x/mod/sumdb/note's documentation (BSD-3-Clause,
    // Copyright 2019 The Go Authors).
    const PETER: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const TEXT: &str = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const SIGNATURE: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    #[test]
    fn gos_documented_note_verifies_and_a_changed_text_does_not() {
        let verifier = Verifier::parse(PETER).unwrap();
        assert_eq!(verifier.encode(), PETER);
        let note = format!("{TEXT}\n{SIGNATURE}");
        assert_eq!(open(&note, &verifier), Ok(TEXT));
        let changed = note.replace("cryptography", "Cryptography");
        assert_eq!(
            open(&changed, &verifier),
            Err(NoteError::BadSignature("PeterNeumann".into()))
        );
    }

    #[test]
    fn the_go_sum_database_key_parses_and_a_typo_is_caught_by_its_hash() {
        let key = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
        assert_eq!(Verifier::parse(key).unwrap().name, "sum.golang.org");
        let typo = key.replace("Ac4z", "Ac4Z");
        assert!(matches!(
            Verifier::parse(&typo),
            Err(NoteError::KeyHash { .. })
        ));
        assert!(Verifier::parse("sum.golang.org").is_err());
    }

    #[test]
    fn signing_then_opening_round_trips_and_other_keys_are_skipped() {
        let signer = Signer::from_seed("test.example", &[7; 32]).unwrap();
        let other = Signer::from_seed("other.example", &[9; 32]).unwrap();
        let note = signer.sign("go.sum database tree\n1\nabc=\n").unwrap();
        let both = format!(
            "{note}{}",
            other
                .sign("go.sum database tree\n1\nabc=\n")
                .unwrap()
                .rsplit_once("\n\n")
                .unwrap()
                .1
        );
        let verifier = signer.verifier();
        assert_eq!(Verifier::parse(&verifier.encode()).unwrap(), verifier);
        assert_eq!(
            open(&both, &verifier),
            Ok("go.sum database tree\n1\nabc=\n")
        );
        assert_eq!(
            open(&note, &other.verifier()),
            Err(NoteError::NotSigned("other.example".into()))
        );
        let private = {
            let mut key = vec![1u8];
            key.extend_from_slice(&[7; 32]);
            format!(
                "PRIVATE+KEY+test.example+{:08x}+{}",
                signer.hash,
                STANDARD.encode(key)
            )
        };
        assert_eq!(Signer::parse(&private).unwrap().verifier(), verifier);
    }

    #[test]
    fn malformed_notes_are_refused() {
        let verifier = Verifier::parse(PETER).unwrap();
        for bad in [
            "",
            "text\n",
            "text\n\n",
            "text\n\n\u{2014} PeterNeumann\n",
            "text\n\n- PeterNeumann AAAA\n",
            "te\u{1}xt\n\n\u{2014} PeterNeumann AAAAAAAA\n",
        ] {
            assert!(open(bad, &verifier).is_err(), "{bad:?}");
        }
    }
}
