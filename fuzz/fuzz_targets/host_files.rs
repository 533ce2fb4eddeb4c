//! Fuzzes the parsers of host files the doctor reads (a `--root` tree may come from an
//! untrusted image): os-release, cpuinfo, mountinfo, limits, resolv.conf, nsswitch,
//! sockstat, glibc banners and ELF program headers. None may panic; a few invariants hold.
#![no_main]

use gorig_host::{cpu::CpuInfo, libc, limits, mounts, net, os_release::OsRelease};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = libc::elf_interpreter(data);
    let _ = libc::glibc_version_from_banner(data);
    let text = String::from_utf8_lossy(data);
    let os = OsRelease::parse(&text, "/etc/os-release");
    let _ = (os.display_name(), os.major());
    let cpu = CpuInfo::parse(&text);
    if let Some(level) = cpu.amd64_level {
        assert!((1..=4).contains(&level));
    }
    for mount in mounts::parse_mountinfo(&text) {
        let _ = mounts::mount_for(std::slice::from_ref(&mount), std::path::Path::new("/tmp/x"));
    }
    let _ = limits::parse_limits(&text);
    let conf = net::ResolvConf::parse(&text);
    assert!(conf.nameservers.len() <= 3);
    assert!(conf.ndots <= 15 && conf.timeout_secs >= 1 && conf.attempts >= 1);
    let _ = conf.worst_case_secs();
    let _ = net::nsswitch_hosts(&text);
    let _ = net::parse_sockstat(&text);
    let _ = libc::parse_major_minor(&text);
});
