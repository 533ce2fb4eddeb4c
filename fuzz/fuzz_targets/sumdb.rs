//! Fuzzes what gorig reads from a checksum database and a GOPROXY setting: lookup answers
//! (record, note, signatures), tree notes, tiles, keys and `GOPROXY` lists. Any bytes
//! must give an error or a value, and no tile served with a lookup may make a record
//! verify that the database did not sign.
#![no_main]

use std::sync::OnceLock;

use gorig_sumdb::note::{Signer, Verifier};
use gorig_sumdb::tlog::{Log, Tile, Tree};
use libfuzzer_sys::fuzz_target;

fn database() -> &'static (Log, Signer) {
    static DB: OnceLock<(Log, Signer)> = OnceLock::new();
    DB.get_or_init(|| {
        let mut log = Log::new();
        for i in 0..300 {
            log.append(format!("example.com/m{i} v1.0.0 h1:a{i}=\nexample.com/m{i} v1.0.0/go.mod h1:b{i}=\n").as_bytes());
        }
        (log, Signer::from_seed("fuzz.sumdb", &[5; 32]).expect("a seed"))
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (log, signer) = database();
    let verifier = signer.verifier();
    let _ = Verifier::parse(&text);
    let _ = Signer::parse(&text);
    let _ = Tree::parse(&text);
    let _ = gorig_sumdb::note::open(&text, &verifier);
    let _ = gorig_sumdb::proxy::parse_goproxy(&text);
    let _ = gorig_sumdb::split_lookup(&text);

    // The fuzz bytes as the answer, tiles from the real log.
    let mut honest = |_size: u64, tile: &Tile| log.tile(tile).ok_or_else(|| tile.path());
    if let Ok(verified) = gorig_sumdb::verify_lookup(&text, "example.com/m7", "v1.0.0", &verifier, None, &mut honest) {
        // Only what the database holds can verify.
        assert_eq!(verified.tree, log.tree());
        assert!(log.record(verified.id).is_some());
    }

    // A real signed answer, tiles from the fuzz bytes: nothing but the log's own tiles
    // may let record 7 verify with a forged hash.
    let note = signer.sign(&log.tree().format()).expect("signs");
    let forged = format!("7\nexample.com/m7 v1.0.0 h1:forged=\nexample.com/m7 v1.0.0/go.mod h1:b7=\n\n{note}");
    let mut fuzzed = |_size: u64, tile: &Tile| {
        let want = tile.width as usize * 32;
        let mut bytes = data.to_vec();
        bytes.resize(want, 0);
        Ok(bytes)
    };
    assert!(gorig_sumdb::verify_lookup(&forged, "example.com/m7", "v1.0.0", &verifier, None, &mut fuzzed).is_err());
});
