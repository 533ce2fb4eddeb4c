//! Resource limits of a process, from `/proc/<pid>/limits` rather than getrlimit(2), so a
//! fixture tree carries them like any other file and `--root` reads another process's.

use serde::Serialize;

/// One limit; `None` is "unlimited".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rlimit {
    pub soft: Option<u64>,
    pub hard: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Rlimits {
    pub nofile: Option<Rlimit>,
    pub nproc: Option<Rlimit>,
    pub stack: Option<Rlimit>,
    pub memlock: Option<Rlimit>,
    pub core: Option<Rlimit>,
}

/// Parses the table of `/proc/self/limits`.
pub fn parse_limits(text: &str) -> Rlimits {
    let mut limits = Rlimits::default();
    for line in text.lines().skip(1) {
        // The name column is padded to 26 characters and may contain spaces.
        if line.len() < 26 {
            continue;
        }
        let Some(name) = line.get(..26).map(str::trim) else {
            continue;
        };
        let mut values = line[26..].split_whitespace();
        let (Some(soft), Some(hard)) = (values.next(), values.next()) else {
            continue;
        };
        let parse = |v: &str| -> Option<u64> { v.parse().ok() };
        let limit = Rlimit {
            soft: parse(soft),
            hard: parse(hard),
        };
        match name {
            "Max open files" => limits.nofile = Some(limit),
            "Max processes" => limits.nproc = Some(limit),
            "Max stack size" => limits.stack = Some(limit),
            "Max locked memory" => limits.memlock = Some(limit),
            "Max core file size" => limits.core = Some(limit),
            _ => {}
        }
    }
    limits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_kernel_table() {
        let text = "Limit                     Soft Limit           Hard Limit           Units     \n\
Max cpu time              unlimited            unlimited            seconds   \n\
Max stack size            8388608              unlimited            bytes     \n\
Max processes             63711                63711                processes \n\
Max open files            1024                 524288               files     \n";
        let limits = parse_limits(text);
        assert_eq!(
            limits.nofile,
            Some(Rlimit {
                soft: Some(1024),
                hard: Some(524288)
            })
        );
        assert_eq!(limits.stack.and_then(|s| s.hard), None);
        assert_eq!(limits.nproc.and_then(|s| s.soft), Some(63711));
    }
}
