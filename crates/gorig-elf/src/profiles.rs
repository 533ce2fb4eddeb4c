//! Built-in target profiles: what a distribution release ships that decides whether a
//! binary runs there (C library and version, the release's kernel).
//!
//! glibc versions are those of the release's x86_64 images (mayeut/pep600_compliance,
//! `glibc_version`); kernels are the version each release shipped with (its GA kernel;
//! enterprise kernels carry backports, the version is what Go's minimum is judged by).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub name: &'static str,
    pub description: &'static str,
    /// glibc `(major, minor)`; `None` for musl.
    pub glibc: Option<(u32, u32)>,
    pub musl: bool,
    /// Kernel `(major, minor)` the release ships.
    pub kernel: (u32, u32),
}

const fn glibc(
    name: &'static str,
    description: &'static str,
    glibc: (u32, u32),
    kernel: (u32, u32),
) -> Profile {
    Profile {
        name,
        description,
        glibc: Some(glibc),
        musl: false,
        kernel,
    }
}

pub static PROFILES: &[Profile] = &[
    glibc("centos7", "CentOS 7 / RHEL 7", (2, 17), (3, 10)),
    glibc("rhel8", "RHEL 8 / Rocky 8 / Alma 8", (2, 28), (4, 18)),
    glibc("rhel9", "RHEL 9 / Rocky 9 / Alma 9", (2, 34), (5, 14)),
    glibc("rhel10", "RHEL 10 / Rocky 10 / Alma 10", (2, 39), (6, 12)),
    glibc("debian10", "Debian 10 (buster)", (2, 28), (4, 19)),
    glibc("debian11", "Debian 11 (bullseye)", (2, 31), (5, 10)),
    glibc("debian12", "Debian 12 (bookworm)", (2, 36), (6, 1)),
    glibc("debian13", "Debian 13 (trixie)", (2, 41), (6, 12)),
    glibc("ubuntu18.04", "Ubuntu 18.04 LTS", (2, 27), (4, 15)),
    glibc("ubuntu20.04", "Ubuntu 20.04 LTS", (2, 31), (5, 4)),
    glibc("ubuntu22.04", "Ubuntu 22.04 LTS", (2, 35), (5, 15)),
    glibc("ubuntu24.04", "Ubuntu 24.04 LTS", (2, 39), (6, 8)),
    glibc("ubuntu24.10", "Ubuntu 24.10", (2, 40), (6, 11)),
    glibc("ubuntu25.04", "Ubuntu 25.04", (2, 41), (6, 14)),
    glibc("ubuntu25.10", "Ubuntu 25.10", (2, 42), (6, 17)),
    glibc("ubuntu26.04", "Ubuntu 26.04 LTS", (2, 43), (6, 17)),
    glibc("amazon2", "Amazon Linux 2", (2, 26), (4, 14)),
    glibc("amazon2023", "Amazon Linux 2023", (2, 34), (6, 1)),
    glibc("fedora40", "Fedora 40", (2, 39), (6, 8)),
    glibc("fedora41", "Fedora 41", (2, 40), (6, 11)),
    glibc("fedora42", "Fedora 42", (2, 41), (6, 14)),
    glibc("fedora43", "Fedora 43", (2, 42), (6, 17)),
    glibc("fedora44", "Fedora 44", (2, 43), (6, 17)),
    glibc("opensuse15.6", "openSUSE Leap 15.6", (2, 38), (6, 4)),
    Profile {
        name: "alpine",
        description: "Alpine Linux (musl)",
        glibc: None,
        musl: true,
        kernel: (6, 6),
    },
];

/// The profile called `name` (`rhel8`, `ubuntu24.04`; `ubuntu24` and `debian-12` too).
pub fn profile(name: &str) -> Option<&'static Profile> {
    let wanted: String = name
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect();
    PROFILES.iter().find(|p| {
        p.name == wanted || (p.name.ends_with(".04") && p.name.trim_end_matches(".04") == wanted)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup() {
        assert_eq!(profile("RHEL8").map(|p| p.glibc), Some(Some((2, 28))));
        assert_eq!(profile("ubuntu24").map(|p| p.name), Some("ubuntu24.04"));
        assert_eq!(profile("debian-12").map(|p| p.name), Some("debian12"));
        assert!(profile("alpine").is_some_and(|p| p.musl));
        assert!(profile("windows").is_none());
        let mut names: Vec<&str> = PROFILES.iter().map(|p| p.name).collect();
        names.dedup();
        assert_eq!(names.len(), PROFILES.len());
    }
}
