//! The two ways an archive's OpenPGP signature is checked agree with each other and with
//! gpg: continuing the archive's own SHA-256 state with the signature trailer (one hash
//! pass, for SHA-256 signatures), and rPGP hashing the bytes itself (every other hash).

// Tests build fixture trees and read their own environment directly; what they write
// is not user state, so gorig_fs and the settings registry are not needed here.
#![allow(clippy::disallowed_methods)]

use gorig_fetch::signature::{Keyring, ReleaseSignature};
use gorig_test::TestKey;

fn sha256_continued(data: &[u8], suffix: &[u8]) -> Vec<u8> {
    let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
    digest.update(data);
    digest.update(suffix);
    digest.finish().as_ref().to_vec()
}

#[test]
fn a_sha256_signature_is_checked_from_the_archive_digest_and_others_by_rpgp() {
    let key = TestKey::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut ring = Keyring::default();
    ring.add_trusted_file(&key.public_armored(), "test key")
        .expect("the test key parses");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut tampered = data.clone();
    tampered[123_456] ^= 1;
    for (algo, continues) in [("SHA256", true), ("SHA512", false), ("SHA384", false)] {
        let file = dir.path().join(format!("archive-{algo}"));
        std::fs::write(&file, &data).expect("write");
        let asc = key.sign_digest(&file, algo);
        assert!(
            key.gpg_verifies(&file, &asc),
            "gpg accepts the {algo} signature"
        );
        let armored = std::fs::read(&asc).expect("asc");
        let signature = ReleaseSignature::parse(&armored, "test").expect("parses");
        let check = ring.begin(&signature).expect("a trusted signer");
        let by_rpgp = check.verify_bytes(&data).expect("rPGP accepts it");
        assert!(
            check.verify_bytes(&tampered).is_err(),
            "{algo}: tampering is caught"
        );
        match check.sha256_continuation() {
            Some(suffix) => {
                assert!(continues, "{algo} has no SHA-256 continuation");
                let evidence = check
                    .verify_sha256(&sha256_continued(&data, &suffix))
                    .expect("the continued digest verifies");
                assert_eq!(evidence, by_rpgp, "both paths report the same evidence");
                let error = check
                    .verify_sha256(&sha256_continued(&tampered, &suffix))
                    .expect_err("a tampered archive fails on the single-hash path too");
                assert!(
                    matches!(error, gorig_fetch::signature::SignatureError::Bad { .. }),
                    "{error}"
                );
                assert!(
                    check.verify_sha256(&sha256_continued(&data, b"")).is_err(),
                    "the trailer is part of what is signed"
                );
            }
            None => assert!(!continues, "{algo} should continue the archive's digest"),
        }
    }
}
