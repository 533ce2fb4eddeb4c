//! The mount table of a process, from `/proc/self/mountinfo` (proc(5)): where each
//! filesystem is mounted, its type and its per-mount options (`noexec`, `ro`).
//!
//! mountinfo rather than `/proc/mounts` because it carries the root of each mount inside
//! its filesystem, which cgroup paths need, and separates per-mount from superblock
//! options. Octal escapes (`\040` for a space) are decoded.

use std::path::Path;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    /// The path inside the filesystem that is mounted (`/` for a whole filesystem).
    pub root: String,
    pub mount_point: String,
    pub options: Vec<String>,
    pub fstype: String,
    pub source: String,
    pub super_options: Vec<String>,
}

impl Mount {
    pub fn has_option(&self, option: &str) -> bool {
        self.options.iter().any(|o| o == option)
    }

    pub fn noexec(&self) -> bool {
        self.has_option("noexec")
    }

    pub fn read_only(&self) -> bool {
        self.has_option("ro")
    }
}

/// Parses mountinfo text; malformed lines are skipped.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Mount> {
    let (before, after) = line.split_once(" - ")?;
    let fields: Vec<&str> = before.split(' ').collect();
    if fields.len() < 6 {
        return None;
    }
    let mut rest = after.split(' ');
    let fstype = rest.next()?;
    let source = rest.next().unwrap_or("");
    let super_options = rest.next().unwrap_or("");
    Some(Mount {
        root: unescape(fields[3]),
        mount_point: unescape(fields[4]),
        options: fields[5].split(',').map(str::to_string).collect(),
        fstype: fstype.to_string(),
        source: unescape(source),
        super_options: super_options.split(',').map(str::to_string).collect(),
    })
}

fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let value =
                (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(value);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount that holds host path `path`: the last-mounted, longest matching mount point.
pub fn mount_for<'a>(mounts: &'a [Mount], path: &Path) -> Option<&'a Mount> {
    let mut best: Option<&Mount> = None;
    for mount in mounts {
        if path.starts_with(&mount.mount_point)
            && best.is_none_or(|b| mount.mount_point.len() >= b.mount_point.len())
        {
            best = Some(mount);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
25 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
30 22 0:25 / /tmp rw,nosuid,nodev,noexec shared:12 - tmpfs tmpfs rw,size=1024k
31 22 0:26 / /mnt/with\\040space rw - tmpfs tmpfs rw
32 30 0:27 / /tmp/build rw - tmpfs tmpfs rw
";

    #[test]
    fn parses_and_finds_mounts() {
        let mounts = parse_mountinfo(SAMPLE);
        assert_eq!(mounts.len(), 5);
        assert_eq!(mounts[3].mount_point, "/mnt/with space");
        let tmp = mount_for(&mounts, Path::new("/tmp/go-build123")).expect("tmp");
        assert!(tmp.noexec());
        let build = mount_for(&mounts, Path::new("/tmp/build/x")).expect("build");
        assert!(!build.noexec());
        let tmpx = mount_for(&mounts, Path::new("/tmpx")).expect("root");
        assert_eq!(tmpx.mount_point, "/");
        assert_eq!(mounts[1].fstype, "cgroup2");
    }
}
