//! Built-in target profiles: what a distribution release ships that decides whether a
//! binary runs there: the C library and its version, the release's kernel, the
//! architectures it has userlands for, and the highest symbol versions the base system's
//! libraries define (libstdc++, libgcc_s, libsystemd, libz).
//!
//! Sources (collected 2026-12, see `docs/inspect-profiles.md`): the release's packages
//! and images; glibc and library versions read with `readelf -V` from the real libraries
//! of Debian 11–13 (amd64, arm64, i386) and otherwise from mayeut/pep600_compliance's
//! image data; GCC's libstdc++ ABI table for GLIBCXX/CXXABI; kernels are each release's GA
//! kernel (enterprise kernels carry backports; Go's minimum is judged by the version).
//! A profile means its release on one architecture: this machine's unless one is named
//! (`rhel9/arm64`).

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
    /// The GOARCHes the release ships userlands for (`arm` is GOARM=7 hard-float).
    pub arches: &'static [&'static str],
    /// `(library, GOARCH or "*", highest version it defines)` for the base system's
    /// libraries beyond the C library, one line per version prefix.
    #[serde(skip)]
    pub libraries: &'static [(&'static str, &'static str, &'static str)],
    /// os-release IDs this profile stands for, with the version (the major one for
    /// RHEL-likes) that selects it.
    #[serde(skip)]
    pub os_ids: &'static [&'static str],
    #[serde(skip)]
    pub os_version: &'static str,
}

impl Profile {
    /// Whether `library` is part of the release's base system (on any architecture).
    pub fn ships(&self, library: &str) -> bool {
        self.libraries.iter().any(|(lib, _, _)| *lib == library)
    }

    /// The highest version with `prefix` (`GLIBCXX`) that `library` defines on `goarch`,
    /// `Some(None)` when the library is in the base but defines none (Alpine's
    /// libstdc++), `None` when the profile does not know the library.
    pub fn library_version(
        &self,
        library: &str,
        goarch: &str,
        prefix: &str,
    ) -> Option<Option<&'static str>> {
        let lines: Vec<&(&str, &str, &str)> = self
            .libraries
            .iter()
            .filter(|(lib, arch, _)| *lib == library && (*arch == "*" || *arch == goarch))
            .collect();
        if lines.is_empty() {
            return self.ships(library).then_some(None);
        }
        Some(
            lines
                .iter()
                .find(|(_, _, v)| v.rsplit_once('_').is_some_and(|(p, _)| p == prefix))
                .map(|(_, _, v)| *v),
        )
    }
}

pub static PROFILES: &[Profile] = &[
    Profile {
        name: "centos7",
        description: "CentOS 7 / RHEL 7 / Oracle Linux 7",
        glibc: Some((2, 17)),
        musl: false,
        kernel: (3, 10),
        arches: &["amd64", "386", "arm64", "arm", "ppc64le", "ppc64", "s390x"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.19"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.7"),
            ("libgcc_s.so.1", "ppc64le", "GCC_4.7.0"),
            ("libgcc_s.so.1", "s390x", "GCC_4.7.0"),
            ("libgcc_s.so.1", "amd64", "GCC_4.8.0"),
            ("libgcc_s.so.1", "arm64", "GCC_4.7.0"),
            ("libgcc_s.so.1", "386", "GCC_4.8.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_219"),
            ("libz.so.1", "*", "ZLIB_1.2.5.2"),
        ],
        os_ids: &[
            "rhel",
            "centos",
            "rocky",
            "almalinux",
            "ol",
            "circle",
            "eurolinux",
            "navylinux",
            "virtuozzo",
            "scientific",
        ],
        os_version: "7",
    },
    Profile {
        name: "rhel8",
        description: "RHEL 8 / Rocky 8 / Alma 8 / OL 8 / CentOS 8",
        glibc: Some((2, 28)),
        musl: false,
        kernel: (4, 18),
        arches: &["amd64", "arm64", "ppc64le", "s390x"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.25"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.11"),
            ("libgcc_s.so.1", "*", "GCC_7.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_239"),
            ("libz.so.1", "*", "ZLIB_1.2.9"),
        ],
        os_ids: &[
            "rhel",
            "centos",
            "rocky",
            "almalinux",
            "ol",
            "circle",
            "eurolinux",
            "navylinux",
            "virtuozzo",
            "scientific",
        ],
        os_version: "8",
    },
    Profile {
        name: "rhel9",
        description: "RHEL 9 / Rocky 9 / Alma 9 / OL 9 / CentOS Stream 9",
        glibc: Some((2, 34)),
        musl: false,
        kernel: (5, 14),
        arches: &["amd64", "arm64", "ppc64le", "s390x"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.29"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.13"),
            ("libgcc_s.so.1", "arm64", "GCC_11.0"),
            ("libgcc_s.so.1", "ppc64le", "GCC_7.0.0"),
            ("libgcc_s.so.1", "s390x", "GCC_7.0.0"),
            ("libgcc_s.so.1", "amd64", "GCC_7.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_252"),
            ("libz.so.1", "*", "ZLIB_1.2.9"),
        ],
        os_ids: &[
            "rhel",
            "centos",
            "rocky",
            "almalinux",
            "ol",
            "circle",
            "eurolinux",
            "navylinux",
            "virtuozzo",
            "scientific",
        ],
        os_version: "9",
    },
    Profile {
        name: "rhel10",
        description: "RHEL 10 / Rocky 10 / Alma 10 / OL 10 / CentOS Stream 10",
        glibc: Some((2, 39)),
        musl: false,
        kernel: (6, 12),
        arches: &["amd64", "arm64", "ppc64le", "s390x", "riscv64"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.33"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_257"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &[
            "rhel",
            "centos",
            "rocky",
            "almalinux",
            "ol",
            "circle",
            "eurolinux",
            "navylinux",
            "virtuozzo",
            "scientific",
        ],
        os_version: "10",
    },
    Profile {
        name: "debian10",
        description: "Debian 10 (buster)",
        glibc: Some((2, 28)),
        musl: false,
        kernel: (4, 19),
        arches: &[
            "amd64", "386", "arm64", "arm", "mips", "mipsle", "mips64le", "ppc64le", "s390x",
        ],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.25"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.11"),
            ("libgcc_s.so.1", "*", "GCC_7.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_241"),
            ("libz.so.1", "*", "ZLIB_1.2.9"),
        ],
        os_ids: &["debian"],
        os_version: "10",
    },
    Profile {
        name: "debian11",
        description: "Debian 11 (bullseye)",
        glibc: Some((2, 31)),
        musl: false,
        kernel: (5, 10),
        arches: &[
            "amd64", "386", "arm64", "arm", "mipsle", "mips64le", "ppc64le", "s390x",
        ],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.28"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.12"),
            ("libgcc_s.so.1", "*", "GCC_7.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_247"),
            ("libz.so.1", "*", "ZLIB_1.2.9"),
        ],
        os_ids: &["debian"],
        os_version: "11",
    },
    Profile {
        name: "debian12",
        description: "Debian 12 (bookworm)",
        glibc: Some((2, 36)),
        musl: false,
        kernel: (6, 1),
        arches: &[
            "amd64", "386", "arm64", "arm", "mipsle", "mips64le", "ppc64le", "s390x",
        ],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.30"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.13"),
            ("libgcc_s.so.1", "arm64", "GCC_11.0"),
            ("libgcc_s.so.1", "arm", "GCC_7.0.0"),
            ("libgcc_s.so.1", "386", "GCC_12.0.0"),
            ("libgcc_s.so.1", "ppc64le", "GCC_7.0.0"),
            ("libgcc_s.so.1", "s390x", "GCC_7.0.0"),
            ("libgcc_s.so.1", "amd64", "GCC_12.0.0"),
            ("libgcc_s.so.1", "mips64le", "GCC_7.0.0"),
            ("libgcc_s.so.1", "mipsle", "GCC_7.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_252"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["debian"],
        os_version: "12",
    },
    Profile {
        name: "debian13",
        description: "Debian 13 (trixie)",
        glibc: Some((2, 41)),
        musl: false,
        kernel: (6, 12),
        arches: &[
            "amd64", "arm64", "arm", "ppc64le", "riscv64", "s390x", "386",
        ],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.33"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_257"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["debian"],
        os_version: "13",
    },
    Profile {
        name: "ubuntu18.04",
        description: "Ubuntu 18.04 LTS (bionic)",
        glibc: Some((2, 27)),
        musl: false,
        kernel: (4, 15),
        arches: &["amd64", "386", "arm64", "arm", "ppc64le", "s390x"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.25"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.11"),
            ("libgcc_s.so.1", "*", "GCC_7.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_237"),
            ("libz.so.1", "*", "ZLIB_1.2.9"),
        ],
        os_ids: &["ubuntu"],
        os_version: "18.04",
    },
    Profile {
        name: "ubuntu20.04",
        description: "Ubuntu 20.04 LTS (focal)",
        glibc: Some((2, 31)),
        musl: false,
        kernel: (5, 4),
        arches: &[
            "amd64", "arm64", "arm", "ppc64le", "riscv64", "s390x", "386",
        ],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.28"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.12"),
            ("libgcc_s.so.1", "*", "GCC_7.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_245"),
            ("libz.so.1", "*", "ZLIB_1.2.9"),
        ],
        os_ids: &["ubuntu"],
        os_version: "20.04",
    },
    Profile {
        name: "ubuntu22.04",
        description: "Ubuntu 22.04 LTS (jammy)",
        glibc: Some((2, 35)),
        musl: false,
        kernel: (5, 15),
        arches: &[
            "amd64", "arm64", "arm", "ppc64le", "riscv64", "s390x", "386",
        ],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.30"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.13"),
            ("libgcc_s.so.1", "arm64", "GCC_11.0"),
            ("libgcc_s.so.1", "arm", "GCC_7.0.0"),
            ("libgcc_s.so.1", "ppc64le", "GCC_7.0.0"),
            ("libgcc_s.so.1", "riscv64", "GCC_7.0.0"),
            ("libgcc_s.so.1", "s390x", "GCC_7.0.0"),
            ("libgcc_s.so.1", "amd64", "GCC_12.0.0"),
            ("libgcc_s.so.1", "386", "GCC_12.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_249"),
            ("libz.so.1", "*", "ZLIB_1.2.9"),
        ],
        os_ids: &["ubuntu"],
        os_version: "22.04",
    },
    Profile {
        name: "ubuntu24.04",
        description: "Ubuntu 24.04 LTS (noble)",
        glibc: Some((2, 39)),
        musl: false,
        kernel: (6, 8),
        arches: &[
            "amd64", "arm64", "arm", "ppc64le", "riscv64", "s390x", "386",
        ],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.33"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_255"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["ubuntu"],
        os_version: "24.04",
    },
    Profile {
        name: "ubuntu24.10",
        description: "Ubuntu 24.10 (oracular)",
        glibc: Some((2, 40)),
        musl: false,
        kernel: (6, 11),
        arches: &[
            "amd64", "arm64", "arm", "ppc64le", "riscv64", "s390x", "386",
        ],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.33"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_256"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["ubuntu"],
        os_version: "24.10",
    },
    Profile {
        name: "ubuntu25.04",
        description: "Ubuntu 25.04 (plucky)",
        glibc: Some((2, 41)),
        musl: false,
        kernel: (6, 14),
        arches: &[
            "amd64", "arm64", "arm", "ppc64le", "riscv64", "s390x", "386",
        ],
        libraries: &[
            ("libstdc++.so.6", "arm64", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "arm64", "CXXABI_1.3.15"),
            ("libstdc++.so.6", "arm", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "arm", "CXXABI_1.3.15"),
            ("libstdc++.so.6", "ppc64le", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "ppc64le", "CXXABI_1.3.15"),
            ("libstdc++.so.6", "riscv64", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "riscv64", "CXXABI_1.3.16"),
            ("libstdc++.so.6", "s390x", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "s390x", "CXXABI_1.3.15"),
            ("libstdc++.so.6", "amd64", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "amd64", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_257"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["ubuntu"],
        os_version: "25.04",
    },
    Profile {
        name: "ubuntu25.10",
        description: "Ubuntu 25.10 (questing)",
        glibc: Some((2, 42)),
        musl: false,
        kernel: (6, 17),
        arches: &[
            "amd64", "arm64", "arm", "ppc64le", "riscv64", "s390x", "386",
        ],
        libraries: &[
            ("libstdc++.so.6", "arm64", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "arm64", "CXXABI_1.3.15"),
            ("libstdc++.so.6", "arm", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "arm", "CXXABI_1.3.15"),
            ("libstdc++.so.6", "ppc64le", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "ppc64le", "CXXABI_1.3.15"),
            ("libstdc++.so.6", "riscv64", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "riscv64", "CXXABI_1.3.16"),
            ("libstdc++.so.6", "s390x", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "s390x", "CXXABI_1.3.15"),
            ("libstdc++.so.6", "amd64", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "amd64", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_257"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["ubuntu"],
        os_version: "25.10",
    },
    Profile {
        name: "ubuntu26.04",
        description: "Ubuntu 26.04 LTS (resolute)",
        glibc: Some((2, 43)),
        musl: false,
        kernel: (7, 0),
        arches: &[
            "amd64", "arm64", "arm", "ppc64le", "riscv64", "s390x", "386",
        ],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.35"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.17"),
            ("libgcc_s.so.1", "arm64", "GCC_16.0"),
            ("libgcc_s.so.1", "arm", "GCC_14.0.0"),
            ("libgcc_s.so.1", "ppc64le", "GCC_14.0.0"),
            ("libgcc_s.so.1", "riscv64", "GCC_16.0.0"),
            ("libgcc_s.so.1", "s390x", "GCC_16.0.0"),
            ("libgcc_s.so.1", "amd64", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_259"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["ubuntu"],
        os_version: "26.04",
    },
    Profile {
        name: "amazon2",
        description: "Amazon Linux 2",
        glibc: Some((2, 26)),
        musl: false,
        kernel: (4, 14),
        arches: &["amd64", "arm64"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.24"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.11"),
            ("libgcc_s.so.1", "*", "GCC_7.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_219"),
            ("libz.so.1", "*", "ZLIB_1.2.5.2"),
        ],
        os_ids: &["amzn"],
        os_version: "2",
    },
    Profile {
        name: "amazon2023",
        description: "Amazon Linux 2023",
        glibc: Some((2, 34)),
        musl: false,
        kernel: (6, 1),
        arches: &["amd64", "arm64"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.33"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_252"),
            ("libz.so.1", "*", "ZLIB_1.2.9"),
        ],
        os_ids: &["amzn"],
        os_version: "2023",
    },
    Profile {
        name: "fedora40",
        description: "Fedora 40",
        glibc: Some((2, 39)),
        musl: false,
        kernel: (6, 8),
        arches: &["amd64", "arm64", "ppc64le", "s390x", "386"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.33"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_255"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["fedora"],
        os_version: "40",
    },
    Profile {
        name: "fedora41",
        description: "Fedora 41",
        glibc: Some((2, 40)),
        musl: false,
        kernel: (6, 11),
        arches: &["amd64", "arm64", "ppc64le", "s390x", "386"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.33"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_256"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["fedora"],
        os_version: "41",
    },
    Profile {
        name: "fedora42",
        description: "Fedora 42",
        glibc: Some((2, 41)),
        musl: false,
        kernel: (6, 14),
        arches: &["amd64", "arm64", "ppc64le", "s390x", "386"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_257"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["fedora"],
        os_version: "42",
    },
    Profile {
        name: "fedora43",
        description: "Fedora 43",
        glibc: Some((2, 42)),
        musl: false,
        kernel: (6, 17),
        arches: &["amd64", "arm64", "ppc64le", "s390x", "386"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.34"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_258"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["fedora"],
        os_version: "43",
    },
    Profile {
        name: "fedora44",
        description: "Fedora 44",
        glibc: Some((2, 43)),
        musl: false,
        kernel: (6, 19),
        arches: &["amd64", "arm64", "ppc64le", "s390x", "386"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.35"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.17"),
            ("libgcc_s.so.1", "arm64", "GCC_16.0"),
            ("libgcc_s.so.1", "ppc64le", "GCC_14.0.0"),
            ("libgcc_s.so.1", "s390x", "GCC_16.0.0"),
            ("libgcc_s.so.1", "amd64", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_259"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["fedora"],
        os_version: "44",
    },
    Profile {
        name: "opensuse15.6",
        description: "openSUSE Leap 15.6 (also SLES 15 SP6)",
        glibc: Some((2, 38)),
        musl: false,
        kernel: (6, 4),
        arches: &["amd64", "arm64", "ppc64le", "s390x"],
        libraries: &[
            ("libstdc++.so.6", "*", "GLIBCXX_3.4.33"),
            ("libstdc++.so.6", "*", "CXXABI_1.3.15"),
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libsystemd.so.0", "*", "LIBSYSTEMD_254"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["opensuse-leap", "sles", "sled"],
        os_version: "15.6",
    },
    Profile {
        name: "alpine",
        description: "Alpine Linux (musl), latest stable = 3.24",
        glibc: None,
        musl: true,
        kernel: (6, 18),
        arches: &[
            "amd64", "386", "arm64", "arm", "ppc64le", "s390x", "riscv64", "loong64",
        ],
        libraries: &[
            ("libgcc_s.so.1", "*", "GCC_14.0.0"),
            ("libz.so.1", "*", "ZLIB_1.2.12"),
        ],
        os_ids: &["alpine"],
        os_version: "",
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

/// The profile of the release an os-release names: `ID`, `ID_LIKE`, `VERSION_ID`.
/// Amazon Linux is matched before the RHEL family its `ID_LIKE` names.
pub fn profile_for_os(
    id: &str,
    id_like: &[String],
    version_id: Option<&str>,
) -> Option<&'static Profile> {
    let version = version_id.unwrap_or("");
    let major = version.split('.').next().unwrap_or("");
    if id == "alpine" {
        return profile("alpine");
    }
    let rhel_like = |p: &Profile| p.os_ids.contains(&"rhel");
    PROFILES.iter().find(|p| {
        if p.name == "alpine" {
            return false;
        }
        let by_id = p.os_ids.contains(&id);
        let by_like = id != "amzn"
            && id != "fedora"
            && rhel_like(p)
            && id_like.iter().any(|l| l == "rhel" || l == "centos");
        if !(by_id || by_like) {
            return false;
        }
        if rhel_like(p) || id == "debian" {
            p.os_version == major
        } else {
            p.os_version == version
        }
    })
}
