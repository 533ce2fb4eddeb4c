//! Fuzzes what gorig reads from mirrors and key servers as OpenPGP: `.asc` signatures and
//! key blocks. Any bytes must give a parse error or a value, and a parsed signature must
//! be checkable against the embedded Go key without panicking.
#![no_main]

use gorig_fetch::signature::{Keyring, ReleaseSignature, parse_key_block};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_key_block(data, "fuzz");
    let mut ring = Keyring::default();
    let _ = ring.add_trusted_file(data, "fuzz");
    let _ = ring.summaries();
    if let Ok(signature) = ReleaseSignature::parse(data, "fuzz") {
        let embedded = Keyring::embedded().expect("the embedded key parses");
        let _ = embedded.knows_signer(&signature);
        if let Ok(check) = embedded.begin(&signature) {
            let _ = check.verify_bytes(b"some archive bytes");
        }
    }
});
