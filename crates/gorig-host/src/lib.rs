//! Facts about the Linux host gorig runs on or is pointed at, read under a [`HostRoot`].
//!
//! This crate reads; it never prints and never decides policy. It knows the platform Go
//! toolchains are chosen for ([`Platform`]: GOOS and GOARCH of the userland) and every
//! fact the doctor judges ([`HostFacts`]: os-release, libc, kernel, CPU level, cgroups,
//! limits, sysctls, mounts, DNS, SELinux, tools on PATH).

mod arch;
pub mod cgroup;
pub mod cpu;
mod facts;
pub mod gather;
pub mod libc;
pub mod limits;
pub mod mounts;
pub mod net;
pub mod os_release;
mod root;

/// The command name (`comm`) of this process's parent, as the kernel has it: `bash`,
/// `-zsh` for a login shell, `fish`. Read from the live host's `/proc`.
pub fn parent_process_name() -> Option<String> {
    let parent = rustix::process::getppid()?;
    let comm = std::fs::read_to_string(format!("/proc/{}/comm", parent.as_raw_nonzero())).ok()?;
    Some(comm.trim().to_string())
}

pub use arch::{
    ArchError, DetectedArch, ElfArchError, ElfIdent, GoArch, UnknownArch, arch_from_elf_header,
    detect_arch, uname_machine,
};
pub use facts::{
    HostFacts, PathFact, ProbeRequest, SELINUX_BOOLEANS, SYSCTLS, SeLinux, SysctlLine, Tool,
    find_in_path, sysctl_path,
};
pub use gorig_version::Platform;
pub use root::HostRoot;
