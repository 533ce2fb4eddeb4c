//! Fuzzes the ELF and Go build-info reader with arbitrary bytes (a binary to inspect may
//! be hostile), the ld.so.cache reader, and the loader's search in a tree where every
//! file is that same ELF: nothing may panic or loop.
#![no_main]

use gorig_elf::{Place, Probe, TargetFiles};
use libfuzzer_sys::fuzz_target;

/// A tree in which every path holds the fuzzed file, and `/etc/ld.so.cache` is the
/// fuzzed bytes too.
struct Everywhere<'a> {
    facts: &'a gorig_elf::BinaryFacts,
    bytes: &'a [u8],
}

impl TargetFiles for Everywhere<'_> {
    fn exists(&self, _path: &str) -> bool {
        true
    }

    fn read(&self, _path: &str, limit: usize) -> Option<Vec<u8>> {
        Some(self.bytes[..self.bytes.len().min(limit)].to_vec())
    }

    fn elf(&self, _place: &Place) -> Probe {
        Probe::Elf(Box::new(self.facts.clone()))
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = gorig_elf::loader::parse_ld_so_cache(data);
    let Ok(facts) = gorig_elf::read_bytes(data) else {
        return;
    };
    let _ = facts.glibc_needed();
    let _ = facts.goamd64();
    let tree = Everywhere {
        facts: &facts,
        bytes: data,
    };
    for profile in gorig_elf::PROFILES.iter().take(3) {
        for files in [None, Some(&tree as &dyn TargetFiles)] {
            let target = gorig_elf::Target {
                name: profile.name.to_string(),
                goarch: Some("amd64".into()),
                libc: gorig_elf::TargetLibc::Glibc(profile.glibc),
                kernel: Some(profile.kernel),
                kernel_assumed: None,
                amd64_level: Some((2, None)),
                arm64_lse: Some(false),
                files,
                multiarch: true,
                profile: Some(profile),
                cpu_quota: Some((1.5, 8)),
                nsswitch_hosts: Some(vec!["files".into(), "resolve".into()]),
            };
            let place = Place::Target("/opt/app/bin/app".into());
            let _ = gorig_elf::verdict(&facts, Some(&place), &target);
        }
    }
});
