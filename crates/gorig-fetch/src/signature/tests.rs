//! Trust-policy checks against the real Google key block (parsing, bindings, expiry at a
//! moment); signatures over data are judged against gpg in tests/signatures.rs.

use super::*;

fn go_key() -> (Keyring, SignedPublicKey) {
    let ring = Keyring::embedded().expect("the embedded key parses");
    let key = ring.keys[0].key.clone();
    (ring, key)
}

fn at(date: &str) -> Timestamp {
    // YYYY-MM-DD at noon UTC.
    let parts: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().expect("number"))
        .collect();
    let (y, m, d) = (parts[0], parts[1], parts[2]);
    let days = (0..)
        .map(|n: i64| (n, civil_from_days(n)))
        .find(|(_, c)| *c == (y, m as u32, d as u32))
        .map(|(n, _)| n)
        .expect("a date after 1970");
    Timestamp::from_secs((days * 86_400 + 43_200) as u32)
}

#[test]
fn the_embedded_key_is_googles_pinned_key_with_five_bound_signing_subkeys() {
    let (ring, _) = go_key();
    assert_eq!(ring.primary_fingerprints(), [GO_SIGNING_KEY_FINGERPRINT]);
    let summary = &ring.summaries()[0];
    assert_eq!(summary.subkeys.len(), 5);
    assert!(
        summary
            .subkeys
            .iter()
            .all(|s| s.bound && s.can_sign && !s.revoked)
    );
    let newest = summary.subkeys.last().expect("a subkey");
    assert_eq!(
        newest.fingerprint,
        "A5F483CD733A4EBAEA378B2AE88979FB9B30ACF2"
    );
    assert_eq!(newest.key_id, "E88979FB9B30ACF2");
    assert_eq!(
        format_time(newest.expires.expect("expires")),
        "2026-02-14T15:25:12Z"
    );
}

#[test]
fn a_subkey_is_valid_only_between_its_creation_and_its_expiry() {
    let (_, key) = go_key();
    let newest = key.public_subkeys.last().expect("subkey");
    assert!(check_key_at(&key, Some(newest), at("2025-01-01")).is_ok());
    let expired = check_key_at(&key, Some(newest), at("2026-03-01")).expect_err("expired");
    assert!(
        expired.to_string().contains("expired 2026-02-14"),
        "{expired}"
    );
    let early = check_key_at(&key, Some(newest), at("2022-12-01")).expect_err("not yet");
    assert!(early.to_string().contains("created later"), "{early}");
    // The 2016 subkey (SHA-1 back-signature) verified releases of its time.
    let oldest = &key.public_subkeys[0];
    assert!(check_key_at(&key, Some(oldest), at("2017-06-01")).is_ok());
    assert!(check_key_at(&key, Some(oldest), at("2019-06-01")).is_err());
}

#[test]
fn a_key_block_without_the_pinned_primary_adds_nothing() {
    let mut ring = Keyring::default();
    let err = ring
        .add_pinned(
            EMBEDDED_GO_SIGNING_KEY.as_bytes(),
            "test block",
            &["0000 1111 2222 3333 4444 5555 6666 7777 8888 9999".to_string()],
        )
        .expect_err("not pinned");
    assert!(matches!(err, SignatureError::NoPinnedKey { .. }), "{err}");
    assert!(ring.is_empty());
}

#[test]
fn a_tampered_binding_is_not_a_binding() {
    let (_, mut key) = go_key();
    // Moving a subkey's binding onto another subkey must not bind it.
    let stolen = key.public_subkeys[0].signatures.clone();
    key.public_subkeys[4].signatures = stolen;
    let sub = &key.public_subkeys[4];
    assert!(newest_binding(&key.primary_key, sub, None).is_none());
    assert!(check_key_at(&key, Some(sub), at("2025-01-01")).is_err());
}

#[test]
fn garbage_is_not_a_key_block_or_a_signature() {
    assert!(parse_key_block(b"hello", "x").is_err());
    assert!(
        parse_key_block(
            b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n",
            "x"
        )
        .is_err()
    );
    assert!(ReleaseSignature::parse(b"not a signature", "x").is_err());
    assert!(ReleaseSignature::parse(&[0xff, 0xfe, 0x00], "x").is_err());
}

#[test]
fn fingerprints_are_normalised_as_people_write_them() {
    assert_eq!(
        normalize_fingerprint(" 0xeb4c 1bfd 4f04 2f6d ddcc  ec91 7721 f63b d38b 4796 "),
        GO_SIGNING_KEY_FINGERPRINT
    );
}

#[test]
fn times_print_as_utc() {
    assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_time(1_676_474_712), "2023-02-15T15:25:12Z");
}

#[test]
fn dates_are_civil() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(20_779), (2026, 11, 22));
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
}
