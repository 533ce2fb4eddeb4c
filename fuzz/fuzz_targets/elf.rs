//! Fuzzes the ELF and Go build-info reader with arbitrary bytes (a binary to inspect may
//! be hostile) and judges the result against a profile: nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(facts) = gorig_elf::read_bytes(data) else {
        return;
    };
    let _ = facts.glibc_needed();
    let _ = facts.goamd64();
    for profile in gorig_elf::PROFILES.iter().take(3) {
        let target = gorig_elf::Target {
            name: profile.name.to_string(),
            goarch: None,
            libc: gorig_elf::TargetLibc::Glibc(profile.glibc),
            kernel: Some(profile.kernel),
            amd64_level: Some((2, None)),
            arm64_lse: Some(false),
            files: None,
            cpu_quota: Some((1.5, 8)),
            nsswitch_hosts: Some(vec!["files".into(), "resolve".into()]),
        };
        let _ = gorig_elf::verdict(&facts, &target);
    }
});
