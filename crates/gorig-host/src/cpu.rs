//! What the host's CPUs can run, from `/proc/cpuinfo`: the x86-64 microarchitecture level
//! (GOAMD64 v1 to v4), the arm64 features GOARM64 names (LSE atomics, crypto) and the
//! 32-bit ARM floating point GOARM needs.
//!
//! The level is the highest whose every psABI feature is in the `flags` line of *every*
//! processor listed (heterogeneous cores exist), using the kernel's flag spellings: `pni`
//! is SSE3, `abm` is LZCNT; OSXSAVE is not printed, and `avx` appears only when the OS
//! enabled XSAVE, so `avx` stands for it.

use serde::Serialize;

use crate::HostRoot;

const V2: [&str; 7] = [
    "cx16", "lahf_lm", "popcnt", "pni", "ssse3", "sse4_1", "sse4_2",
];
const V3: [&str; 9] = [
    "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave",
];
const V4: [&str; 5] = ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"];
const V1: [&str; 8] = [
    "cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct CpuInfo {
    /// Processors listed.
    pub processors: u32,
    pub model_name: Option<String>,
    /// GOAMD64 level the CPUs support (1-4); `None` when not x86.
    pub amd64_level: Option<u8>,
    /// The first missing feature of the next level, for the evidence (`avx2`).
    pub amd64_next_missing: Option<String>,
    /// arm64: LSE atomics (`atomics`), i.e. ARMv8.1 and GOARM64=v8.1 code.
    pub arm64_lse: Option<bool>,
    /// arm64: AES/PMULL/SHA1/SHA2 (`,crypto`).
    pub arm64_crypto: Option<bool>,
    /// 32-bit ARM: the highest GOARM the FPU supports (5, 6 or 7).
    pub goarm: Option<u8>,
}

impl CpuInfo {
    pub fn read(root: &HostRoot) -> Option<CpuInfo> {
        root.read_to_string("/proc/cpuinfo")
            .ok()
            .map(|t| CpuInfo::parse(&t))
    }

    pub fn parse(text: &str) -> CpuInfo {
        let mut info = CpuInfo::default();
        let mut x86_sets: Vec<Vec<&str>> = Vec::new();
        let mut arm_sets: Vec<Vec<&str>> = Vec::new();
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim();
            let value = value.trim();
            match key {
                "processor" => info.processors += 1,
                "model name" if info.model_name.is_none() => {
                    info.model_name = Some(value.to_string())
                }
                "flags" => x86_sets.push(value.split_whitespace().collect()),
                "Features" => arm_sets.push(value.split_whitespace().collect()),
                _ => {}
            }
        }
        if !x86_sets.is_empty() {
            let has = |f: &str| x86_sets.iter().all(|set| set.contains(&f));
            let mut level = 0;
            let mut missing = None;
            for (n, features) in [&V1[..], &V2[..], &V3[..], &V4[..]].iter().enumerate() {
                if let Some(absent) = features.iter().find(|f| !has(f)) {
                    missing = Some(absent.to_string());
                    break;
                }
                level = n as u8 + 1;
            }
            info.amd64_level = Some(level.max(1));
            info.amd64_next_missing = missing;
        }
        if !arm_sets.is_empty() {
            let has = |f: &str| arm_sets.iter().all(|set| set.contains(&f));
            // The two ARM vocabularies differ: a 32-bit userland (also on an ARMv8 core
            // under a 64-bit kernel, which then prints the compat features and
            // `CPU architecture: 8`) lists vfp/neon/thumb and may list aes or crc32 too;
            // arm64 lists fp and asimd, never those.
            let any = |f: &str| arm_sets.iter().any(|set| set.contains(&f));
            let arm32 = [
                "vfp", "vfpv3", "vfpv4", "neon", "thumb", "half", "swp", "edsp",
            ]
            .iter()
            .any(|f| any(f));
            if !arm32 && (has("fp") || has("asimd") || has("atomics")) {
                info.arm64_lse = Some(has("atomics"));
                info.arm64_crypto = Some(has("aes") && has("pmull") && has("sha1") && has("sha2"));
            } else {
                info.goarm = Some(if has("vfpv3") || has("vfpv4") {
                    7
                } else if has("vfp") {
                    6
                } else {
                    5
                });
            }
        }
        info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let v3 = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu mmx fxsr sse sse2 cx8 cmov syscall cx16 lahf_lm popcnt pni ssse3 sse4_1 sse4_2 avx avx2 bmi1 bmi2 f16c fma abm movbe xsave\n";
        let info = CpuInfo::parse(v3);
        assert_eq!(info.amd64_level, Some(3));
        assert_eq!(info.amd64_next_missing.as_deref(), Some("avx512f"));
        let mixed = format!(
            "{v3}\nprocessor\t: 1\nflags\t\t: fpu mmx fxsr sse sse2 cx8 cmov syscall cx16 lahf_lm popcnt pni ssse3 sse4_1 sse4_2\n"
        );
        let info = CpuInfo::parse(&mixed);
        assert_eq!(info.processors, 2);
        assert_eq!(info.amd64_level, Some(2));
        assert_eq!(info.amd64_next_missing.as_deref(), Some("avx"));
        let arm = CpuInfo::parse(
            "processor\t: 0\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics\n",
        );
        assert_eq!((arm.arm64_lse, arm.arm64_crypto), (Some(true), Some(true)));
        let pi =
            CpuInfo::parse("processor\t: 0\nFeatures\t: half thumb fastmult vfp edsp java tls\n");
        assert_eq!(pi.goarm, Some(6));
        // A 32-bit userland on a Cortex-A53 (ARMv8) lists crypto features too: it is
        // still 32-bit ARM, GOARM=7.
        let a53 = CpuInfo::parse(
            "processor\t: 0\nmodel name\t: ARMv7 Processor rev 4 (v7l)\nFeatures\t: half thumb fastmult vfp edsp neon vfpv3 tls vfpv4 idiva idivt vfpd32 lpae evtstrm aes pmull sha1 sha2 crc32\nCPU architecture: 8\n",
        );
        assert_eq!(a53.goarm, Some(7));
        assert_eq!((a53.arm64_lse, a53.arm64_crypto), (None, None));
    }
}
