//! OpenPGP release signatures: which keys are trusted (pinned primary fingerprints), which
//! of their subkeys could sign at a given moment, and a detached-signature check that is
//! fed the archive bytes as they stream past.
//!
//! rPGP does the packet parsing and the cryptography; the trust policy is ours, because
//! rPGP verifies maths, not whether a key should be believed:
//!
//! - only keys whose *primary* fingerprint is pinned count (Google's Go signing key, plus
//!   the primaries of keyrings an organisation adds);
//! - a signature is good when it is made by the primary or by a subkey bound to it by a
//!   valid binding signature (with the subkey's back-signature), and that key was valid
//!   at the signature's creation time: created before it, not expired at it. Expiry
//!   afterwards does not matter, so old releases keep verifying after a subkey rotates;
//! - any valid revocation of the signing subkey or the primary rejects the signature,
//!   whatever its date (a revoked key may have been stolen, and the thief can backdate);
//! - data signatures must use SHA-256 or stronger. Binding back-signatures of the 2016/2017
//!   Google subkeys use SHA-1; they are accepted because forging one needs a collision
//!   the key owner would have to sign, not a second preimage.

use std::fmt;
use std::io::{self, Read};
use std::time::{SystemTime, UNIX_EPOCH};

use digest::DynDigest;
use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey, SignedPublicSubKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::packet::{PublicKey, Signature, SignatureType, SignatureVersion};
use pgp::types::{KeyDetails, KeyVersion, Tag, Timestamp, VerifyingKey};

/// The primary fingerprint of Google's Linux packages signing key, which signs Go releases.
pub const GO_SIGNING_KEY_FINGERPRINT: &str = "EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796";

/// A copy of Google's key block (from 2023), so verification works before any refresh.
pub const EMBEDDED_GO_SIGNING_KEY: &str = include_str!("../keys/go-release-signing-key.asc");

/// Where `gorig keys refresh` fetches Google's current key block by default.
pub const DEFAULT_KEY_URL: &str = "https://dl.google.com/linux/linux_signing_key.pub";

/// Largest key block or signature file read from anywhere.
pub const MAX_KEY_BLOCK_BYTES: u64 = 1 << 20;
pub const MAX_SIGNATURE_BYTES: u64 = 64 << 10;

/// Why a key block or a signature was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("{origin} is not an OpenPGP key block ({detail})")]
    BadKeyBlock { origin: String, detail: String },

    #[error("{origin} holds no key whose primary fingerprint is pinned (pinned: {pinned})")]
    NoPinnedKey { origin: String, pinned: String },

    #[error("{origin} is not an armored OpenPGP signature: {detail}")]
    BadSignatureFile { origin: String, detail: String },

    #[error("the signature names the key {issuer}, which no trusted key block holds")]
    UnknownSigner { issuer: String },

    #[error("the signature uses {hash}, which is too weak (SHA-256 or stronger is required)")]
    WeakHash { hash: String },

    #[error("the signature is a {kind:?} signature, not a binary-document signature")]
    WrongType { kind: String },

    #[error("the signing key {key} was not valid when the signature was made ({at}): {why}")]
    KeyNotValid {
        key: String,
        at: String,
        why: String,
    },

    #[error("the signing key {key} has been revoked{reason}")]
    Revoked { key: String, reason: String },

    /// `detail` is the OpenPGP library's own account, kept for debugging and not shown:
    /// its words (an assertion on hash prefixes) tell a person nothing.
    #[error(
        "BAD signature by {key}: the signature does not match the archive (the archive was altered, or the signature is for other bytes)"
    )]
    Bad { key: String, detail: String },
}

/// The evidence a good signature leaves: who signed, with which key, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEvidence {
    /// Pinned primary fingerprint, upper-case hex.
    pub primary_fingerprint: String,
    /// Fingerprint of the key that made the signature (a subkey, or the primary itself).
    pub signing_key_fingerprint: String,
    /// Its 16-hex-digit key id, as gpg shows it.
    pub signing_key_id: String,
    /// Seconds since the epoch.
    pub created: u64,
    /// Where the trusted key block came from (embedded, refreshed, a keyring file).
    pub key_origin: String,
}

/// A trusted key and where it came from.
#[derive(Clone)]
struct TrustedKey {
    key: SignedPublicKey,
    origin: String,
}

/// The pinned keys a signature may come from.
#[derive(Clone, Default)]
pub struct Keyring {
    keys: Vec<TrustedKey>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.keys
                    .iter()
                    .map(|k| (fingerprint_hex(&k.key.primary_key), &k.origin)),
            )
            .finish()
    }
}

/// One key of a keyring, as `gorig keys list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySummary {
    pub fingerprint: String,
    pub origin: String,
    pub user_ids: Vec<String>,
    pub created: u64,
    pub revoked: bool,
    pub subkeys: Vec<SubkeySummary>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubkeySummary {
    pub fingerprint: String,
    pub key_id: String,
    pub created: u64,
    /// When the newest valid binding says it expires; `None` when it does not.
    pub expires: Option<u64>,
    pub can_sign: bool,
    pub bound: bool,
    pub revoked: bool,
}

/// Parses every key in an armored (or binary) block.
pub fn parse_key_block(bytes: &[u8], origin: &str) -> Result<Vec<SignedPublicKey>, SignatureError> {
    let bad = |detail: String| SignatureError::BadKeyBlock {
        origin: origin.to_string(),
        detail,
    };
    // The library's parse errors name packet header versions and the like; what a person
    // can act on is which kind of file this is not.
    let keys: Vec<SignedPublicKey> = if looks_armored(bytes) {
        let damaged = |_| bad("its armored block is damaged or holds no public key".into());
        let (keys, _) = SignedPublicKey::from_armor_many(bytes).map_err(damaged)?;
        keys.collect::<Result<_, _>>().map_err(damaged)?
    } else {
        let expected = |_| {
            bad("expected an armored block starting with -----BEGIN PGP PUBLIC KEY BLOCK-----, or a binary key file".into())
        };
        SignedPublicKey::from_bytes_many(bytes)
            .map_err(expected)?
            .collect::<Result<_, _>>()
            .map_err(expected)?
    };
    if keys.is_empty() {
        return Err(bad("no public key in it".into()));
    }
    Ok(keys)
}

fn looks_armored(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.windows(10).any(|w| w == b"-----BEGIN")
}

/// Upper-case hex of a key's fingerprint.
pub fn fingerprint_hex(key: &impl KeyDetails) -> String {
    hex_upper(key.fingerprint().as_bytes())
}

fn key_id_hex(key: &impl KeyDetails) -> String {
    hex_upper(key.legacy_key_id().as_ref())
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// Normalises a fingerprint the way people write them (spaces, `0x`, lower case).
pub fn normalize_fingerprint(text: &str) -> String {
    let text = text.trim();
    let text = text.strip_prefix("0x").unwrap_or(text);
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

impl Keyring {
    /// The embedded copy of Google's key, pinned to [`GO_SIGNING_KEY_FINGERPRINT`].
    pub fn embedded() -> Result<Keyring, SignatureError> {
        let mut ring = Keyring::default();
        ring.add_pinned(
            EMBEDDED_GO_SIGNING_KEY.as_bytes(),
            "embedded Go release key",
            &[GO_SIGNING_KEY_FINGERPRINT.to_string()],
        )?;
        Ok(ring)
    }

    /// Adds the keys of `bytes` whose primary fingerprint is in `pinned`; the others are
    /// dropped. Fails when none is pinned: a key block that adds nothing is a mistake.
    pub fn add_pinned(
        &mut self,
        bytes: &[u8],
        origin: &str,
        pinned: &[String],
    ) -> Result<usize, SignatureError> {
        let keys = parse_key_block(bytes, origin)?;
        let mut added = 0;
        for key in keys {
            let fingerprint = fingerprint_hex(&key.primary_key);
            if pinned
                .iter()
                .any(|p| normalize_fingerprint(p) == fingerprint)
            {
                self.keys.push(TrustedKey {
                    key,
                    origin: origin.to_string(),
                });
                added += 1;
            }
        }
        if added == 0 {
            return Err(SignatureError::NoPinnedKey {
                origin: origin.to_string(),
                pinned: pinned.join(", "),
            });
        }
        Ok(added)
    }

    /// Adds every key of a keyring file an organisation trusts: their primaries become pinned.
    pub fn add_trusted_file(
        &mut self,
        bytes: &[u8],
        origin: &str,
    ) -> Result<Vec<String>, SignatureError> {
        let keys = parse_key_block(bytes, origin)?;
        let mut fingerprints = Vec::new();
        for key in keys {
            fingerprints.push(fingerprint_hex(&key.primary_key));
            self.keys.push(TrustedKey {
                key,
                origin: origin.to_string(),
            });
        }
        Ok(fingerprints)
    }

    /// The keys as armored blocks, one after another, to store a refreshed keyring.
    pub fn to_armored(&self) -> Result<String, SignatureError> {
        let mut out = String::new();
        for trusted in &self.keys {
            let block = trusted
                .key
                .to_armored_string(pgp::composed::ArmorOptions::default())
                .map_err(|e| SignatureError::BadKeyBlock {
                    origin: trusted.origin.clone(),
                    detail: e.to_string(),
                })?;
            out.push_str(&block);
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        Ok(out)
    }

    /// Appends another keyring's keys (a refreshed block beside the embedded one).
    pub fn extend(&mut self, other: Keyring) {
        self.keys.extend(other.keys);
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Primary fingerprints this keyring holds, each once.
    pub fn primary_fingerprints(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .keys
            .iter()
            .map(|k| fingerprint_hex(&k.key.primary_key))
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Whether some key holds the (sub)key the signature names.
    pub fn knows_signer(&self, signature: &ReleaseSignature) -> bool {
        self.keys.iter().any(|trusted| {
            signature.names(&trusted.key.primary_key)
                || trusted
                    .key
                    .public_subkeys
                    .iter()
                    .any(|sub| signature.names(&sub.key))
        })
    }

    /// What `gorig keys list` shows.
    pub fn summaries(&self) -> Vec<KeySummary> {
        self.keys
            .iter()
            .map(|trusted| {
                let key = &trusted.key;
                let primary = &key.primary_key;
                KeySummary {
                    fingerprint: fingerprint_hex(primary),
                    origin: trusted.origin.clone(),
                    user_ids: key
                        .details
                        .users
                        .iter()
                        .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
                        .collect(),
                    created: u64::from(primary.created_at().as_secs()),
                    revoked: primary_revocation(key).is_some(),
                    subkeys: key
                        .public_subkeys
                        .iter()
                        .map(|sub| {
                            let binding = newest_binding(primary, sub, None);
                            SubkeySummary {
                                fingerprint: fingerprint_hex(&sub.key),
                                key_id: key_id_hex(&sub.key),
                                created: u64::from(sub.key.created_at().as_secs()),
                                expires: binding.and_then(|b| {
                                    expiry_of(sub.key.created_at(), b.key_expiration_time())
                                }),
                                can_sign: binding.is_some_and(|b| b.key_flags().sign()),
                                bound: binding.is_some(),
                                revoked: subkey_revocation(primary, sub).is_some(),
                            }
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// The key that may have made `signature`, checked against the trust policy at the
    /// signature's creation time. The data itself is checked by [`SignatureCheck`].
    fn signer_for(&self, signature: &ReleaseSignature) -> Result<Signer<'_>, SignatureError> {
        let at = signature.created;
        let mut good = None;
        let mut first_error = None;
        // The same key may be here more than once (embedded, refreshed, a keyring file):
        // a revocation in any copy wins over the copies that lack it.
        for trusted in &self.keys {
            let key = &trusted.key;
            let primary = &key.primary_key;
            let subkey = if signature.names(primary) {
                None
            } else {
                match key
                    .public_subkeys
                    .iter()
                    .find(|sub| signature.names(&sub.key))
                {
                    Some(sub) => Some(sub),
                    None => continue,
                }
            };
            match check_key_at(key, subkey, at) {
                Ok(()) => {
                    good.get_or_insert(Signer {
                        primary,
                        subkey: subkey.map(|s| &s.key),
                        origin: &trusted.origin,
                    });
                }
                Err(e @ SignatureError::Revoked { .. }) => return Err(e),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(signer) = good {
            return Ok(signer);
        }
        Err(
            first_error.unwrap_or_else(|| SignatureError::UnknownSigner {
                issuer: signature.issuer(),
            }),
        )
    }

    /// Starts checking `signature` over bytes fed later; fails at once when no trusted key
    /// could have made it.
    pub fn begin(
        &self,
        signature: &ReleaseSignature,
    ) -> Result<SignatureCheck<'_>, SignatureError> {
        signature.check_form()?;
        let signer = self.signer_for(signature)?;
        Ok(SignatureCheck {
            signature: signature.clone(),
            signer,
        })
    }
}

/// The key chosen to check a signature.
#[derive(Clone, Copy)]
struct Signer<'k> {
    primary: &'k PublicKey,
    subkey: Option<&'k pgp::packet::PublicSubkey>,
    origin: &'k str,
}

/// A parsed detached signature (`<archive>.asc`).
#[derive(Debug, Clone)]
pub struct ReleaseSignature {
    signature: Signature,
    created: Timestamp,
}

impl ReleaseSignature {
    pub fn parse(bytes: &[u8], origin: &str) -> Result<ReleaseSignature, SignatureError> {
        let bad = |detail: String| SignatureError::BadSignatureFile {
            origin: origin.to_string(),
            detail,
        };
        let text = std::str::from_utf8(bytes).map_err(|_| bad("it is not text".into()))?;
        let (detached, _) = DetachedSignature::from_string(text).map_err(|_| {
            bad(if text.contains("-----BEGIN PGP SIGNATURE-----") {
                "its armored block is damaged".into()
            } else {
                "expected a block starting with -----BEGIN PGP SIGNATURE-----".into()
            })
        })?;
        let signature = detached.signature;
        let created = signature
            .created()
            .ok_or_else(|| bad("it has no creation time".into()))?;
        Ok(ReleaseSignature { signature, created })
    }

    /// Seconds since the epoch.
    pub fn created(&self) -> u64 {
        u64::from(self.created.as_secs())
    }

    /// The issuer as the signature names it (fingerprint when present, else key id).
    pub fn issuer(&self) -> String {
        if let Some(fp) = self.signature.issuer_fingerprint().first() {
            return hex_upper(fp.as_bytes());
        }
        if let Some(id) = self.signature.issuer_key_id().first() {
            return hex_upper(id.as_ref());
        }
        "(unnamed)".to_string()
    }

    fn names(&self, key: &impl KeyDetails) -> bool {
        let fingerprints = self.signature.issuer_fingerprint();
        if !fingerprints.is_empty() {
            return fingerprints.iter().any(|fp| **fp == key.fingerprint());
        }
        self.signature
            .issuer_key_id()
            .iter()
            .any(|id| **id == key.legacy_key_id())
    }

    fn check_form(&self) -> Result<(), SignatureError> {
        match self.signature.typ() {
            Some(SignatureType::Binary) => {}
            other => {
                return Err(SignatureError::WrongType {
                    kind: format!("{other:?}"),
                });
            }
        }
        match self.signature.hash_alg() {
            Some(
                HashAlgorithm::Sha256
                | HashAlgorithm::Sha384
                | HashAlgorithm::Sha512
                | HashAlgorithm::Sha3_256
                | HashAlgorithm::Sha3_512,
            ) => Ok(()),
            other => Err(SignatureError::WeakHash {
                hash: other.map_or("an unknown hash".into(), |h| h.to_string()),
            }),
        }
    }
}

/// A signature check in progress: hand it the signed bytes with [`SignatureCheck::verify`].
pub struct SignatureCheck<'k> {
    signature: ReleaseSignature,
    signer: Signer<'k>,
}

impl SignatureCheck<'_> {
    /// Reads `data` to its end and checks the signature over it.
    pub fn verify(&self, data: impl Read) -> Result<SignatureEvidence, SignatureError> {
        let signer = self.signer;
        let result = match signer.subkey {
            Some(sub) => self.signature.signature.verify(sub, data),
            None => self.signature.signature.verify(signer.primary, data),
        };
        self.evidence(result.map_err(|e| e.to_string()))
    }

    /// The evidence of a good signature, or `Bad` with the detail of what failed.
    fn evidence(&self, checked: Result<(), String>) -> Result<SignatureEvidence, SignatureError> {
        let signer = self.signer;
        let (fingerprint, key_id) = match signer.subkey {
            Some(sub) => (fingerprint_hex(sub), key_id_hex(sub)),
            None => (fingerprint_hex(signer.primary), key_id_hex(signer.primary)),
        };
        if let Err(detail) = checked {
            return Err(SignatureError::Bad {
                key: fingerprint,
                detail,
            });
        }
        Ok(SignatureEvidence {
            primary_fingerprint: fingerprint_hex(signer.primary),
            signing_key_fingerprint: fingerprint,
            signing_key_id: key_id,
            created: self.signature.created(),
            key_origin: signer.origin.to_string(),
        })
    }

    /// Checks the signature over bytes already in memory.
    pub fn verify_bytes(&self, data: &[u8]) -> Result<SignatureEvidence, SignatureError> {
        self.verify(io::Cursor::new(data))
    }

    /// For a version 4 binary signature over SHA-256 (every Go release signature), the
    /// bytes OpenPGP hashes after the data: the hashed part of the signature packet and
    /// its trailer (RFC 4880 5.2.4). A caller that already computes the data's SHA-256
    /// continues a copy of that state with these bytes and hands the digest to
    /// [`SignatureCheck::verify_sha256`], so the archive is hashed once, not twice.
    /// `None` for any other kind of signature: check it with [`SignatureCheck::verify`].
    pub fn sha256_continuation(&self) -> Option<Vec<u8>> {
        let signature = &self.signature.signature;
        let config = signature.config()?;
        let key_version = match self.signer.subkey {
            Some(sub) => sub.version(),
            None => self.signer.primary.version(),
        };
        let plain = signature.version() == SignatureVersion::V4
            && key_version == KeyVersion::V4
            && config.hash_alg == HashAlgorithm::Sha256
            && signature.typ() == Some(SignatureType::Binary);
        if !plain {
            return None;
        }
        let mut collector: Box<dyn DynDigest + Send> = Box::new(Collected::default());
        let len = config.hash_signature_data(&mut collector).ok()?;
        let mut bytes = collector.finalize().into_vec();
        bytes.extend(config.trailer(len).ok()?);
        Some(bytes)
    }

    /// Checks the signature given SHA-256(data ‖ [`SignatureCheck::sha256_continuation`]).
    pub fn verify_sha256(&self, digest: &[u8]) -> Result<SignatureEvidence, SignatureError> {
        let signer = self.signer;
        let signature = &self.signature.signature;
        let checked = match (signature.signed_hash_value(), signature.signature()) {
            (Some(left), Some(bytes)) => {
                // rPGP rejects a signature whose quick-check bytes differ; so does this path.
                if digest.get(..2) != Some(&left[..]) {
                    Err("signature: invalid signed hash value".to_string())
                } else {
                    match signer.subkey {
                        Some(sub) => sub.verify(HashAlgorithm::Sha256, digest, bytes),
                        None => signer.primary.verify(HashAlgorithm::Sha256, digest, bytes),
                    }
                    .map_err(|e| e.to_string())
                }
            }
            _ => Err("the signature packet has no signature".to_string()),
        };
        self.evidence(checked)
    }
}

/// A "digest" that keeps what it is fed: rPGP writes the hashed part of a signature packet
/// only into a hasher, and the bytes are wanted to continue another hasher's state.
#[derive(Clone, Default)]
struct Collected(Vec<u8>);

impl DynDigest for Collected {
    fn update(&mut self, data: &[u8]) {
        self.0.extend_from_slice(data);
    }

    fn finalize_into(self, buf: &mut [u8]) -> Result<(), digest::InvalidBufferSize> {
        let mut this = self;
        this.finalize_into_reset(buf)
    }

    fn finalize_into_reset(&mut self, out: &mut [u8]) -> Result<(), digest::InvalidBufferSize> {
        if out.len() != self.0.len() {
            return Err(digest::InvalidBufferSize);
        }
        out.copy_from_slice(&self.0);
        self.0.clear();
        Ok(())
    }

    fn reset(&mut self) {
        self.0.clear();
    }

    fn output_size(&self) -> usize {
        self.0.len()
    }

    fn box_clone(&self) -> Box<dyn DynDigest> {
        Box::new(self.clone())
    }
}

/// Whether `key` (its primary, or `subkey` of it) could sign at `at`.
fn check_key_at(
    key: &SignedPublicKey,
    subkey: Option<&SignedPublicSubKey>,
    at: Timestamp,
) -> Result<(), SignatureError> {
    let primary = &key.primary_key;
    let primary_name = fingerprint_hex(primary);
    if let Some(revocation) = primary_revocation(key) {
        return Err(SignatureError::Revoked {
            key: primary_name,
            reason: revocation_reason(revocation),
        });
    }
    let not_valid = |name: &str, why: String| SignatureError::KeyNotValid {
        key: name.to_string(),
        at: format_time(u64::from(at.as_secs())),
        why,
    };
    if primary.created_at() > at {
        return Err(not_valid(
            &primary_name,
            "the primary key was created later".into(),
        ));
    }
    // A key block may carry only a later re-certification of the primary (exports drop
    // superseded self-signatures); its flags and expiry then stand for the whole life.
    let self_signature = newest_self_signature(key, Some(at))
        .or_else(|| newest_self_signature(key, None))
        .ok_or_else(|| {
            not_valid(
                &primary_name,
                "the primary key has no valid self-signature".into(),
            )
        })?;
    if let Some(expiry) = expiry_of(primary.created_at(), self_signature.key_expiration_time())
        && expiry <= u64::from(at.as_secs())
    {
        return Err(not_valid(
            &primary_name,
            format!("the primary key expired {}", format_time(expiry)),
        ));
    }
    let Some(sub) = subkey else {
        if !self_signature.key_flags().sign() {
            return Err(not_valid(
                &primary_name,
                "the primary key is not for signing".into(),
            ));
        }
        return Ok(());
    };
    let sub_name = fingerprint_hex(&sub.key);
    if let Some(revocation) = subkey_revocation(primary, sub) {
        return Err(SignatureError::Revoked {
            key: sub_name,
            reason: revocation_reason(revocation),
        });
    }
    if sub.key.created_at() > at {
        return Err(not_valid(&sub_name, "the subkey was created later".into()));
    }
    let binding = newest_binding(primary, sub, Some(at)).ok_or_else(|| {
        not_valid(
            &sub_name,
            "no valid binding signature (with back-signature) tied it to the primary key then"
                .into(),
        )
    })?;
    if !binding.key_flags().sign() {
        return Err(not_valid(
            &sub_name,
            "the subkey is not bound for signing".into(),
        ));
    }
    if let Some(expiry) = expiry_of(sub.key.created_at(), binding.key_expiration_time())
        && expiry <= u64::from(at.as_secs())
    {
        return Err(not_valid(
            &sub_name,
            format!("the subkey expired {}", format_time(expiry)),
        ));
    }
    Ok(())
}

/// The moment a key expires, from its creation and a key-expiration subpacket (0 = never).
fn expiry_of(created: Timestamp, validity: Option<pgp::types::Duration>) -> Option<u64> {
    validity
        .filter(|d| d.as_secs() != 0)
        .map(|d| u64::from(created.as_secs()) + u64::from(d.as_secs()))
}

fn sig_created_by(sig: &Signature, at: Option<Timestamp>) -> bool {
    match (sig.created(), at) {
        (Some(created), Some(at)) => created <= at,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// The newest valid self-signature (user-id certification or direct-key) made at or
/// before `at`: it carries the primary key's current flags and expiry.
fn newest_self_signature(key: &SignedPublicKey, at: Option<Timestamp>) -> Option<&Signature> {
    let primary = &key.primary_key;
    let certifications = key.details.users.iter().flat_map(|user| {
        user.signatures.iter().filter(move |sig| {
            sig.is_certification()
                && sig_created_by(sig, at)
                && sig
                    .verify_certification(primary, Tag::UserId, &user.id)
                    .is_ok()
        })
    });
    let direct = key.details.direct_signatures.iter().filter(|sig| {
        sig.typ() == Some(SignatureType::Key)
            && sig_created_by(sig, at)
            && sig.verify_key(primary).is_ok()
    });
    certifications.chain(direct).max_by_key(|sig| sig.created())
}

/// A valid revocation of the primary key by itself, if any.
fn primary_revocation(key: &SignedPublicKey) -> Option<&Signature> {
    key.details.revocation_signatures.iter().find(|sig| {
        sig.typ() == Some(SignatureType::KeyRevocation) && sig.verify_key(&key.primary_key).is_ok()
    })
}

/// A valid revocation of `sub` by the primary key, if any.
fn subkey_revocation<'s>(
    primary: &PublicKey,
    sub: &'s SignedPublicSubKey,
) -> Option<&'s Signature> {
    sub.signatures.iter().find(|sig| {
        sig.typ() == Some(SignatureType::SubkeyRevocation)
            && sig.verify_subkey_binding(primary, &sub.key).is_ok()
    })
}

/// The newest valid binding of `sub` made at or before `at` (any time when `None`). A
/// binding for signing must carry a valid back-signature made by the subkey, or anyone
/// could claim someone else's signing key as their subkey.
fn newest_binding<'s>(
    primary: &PublicKey,
    sub: &'s SignedPublicSubKey,
    at: Option<Timestamp>,
) -> Option<&'s Signature> {
    sub.signatures
        .iter()
        .filter(|sig| {
            sig.typ() == Some(SignatureType::SubkeyBinding)
                && sig_created_by(sig, at)
                && sig.verify_subkey_binding(primary, &sub.key).is_ok()
                && (!sig.key_flags().sign()
                    || sig.embedded_signature().is_some_and(|back| {
                        back.verify_primary_key_binding(&sub.key, primary).is_ok()
                    }))
        })
        .max_by_key(|sig| sig.created())
}

fn revocation_reason(sig: &Signature) -> String {
    let code = sig.revocation_reason_code().map(|c| format!("{c:?}"));
    let text = sig
        .revocation_reason_string()
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .filter(|s| !s.is_empty());
    match (code, text) {
        (Some(code), Some(text)) => format!(" ({code}: {text})"),
        (Some(code), None) => format!(" ({code})"),
        (None, Some(text)) => format!(" ({text})"),
        (None, None) => String::new(),
    }
}

/// UTC `YYYY-MM-DDTHH:MM:SSZ` for messages and JSON.
pub fn format_time(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Now, in seconds since the epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests;
