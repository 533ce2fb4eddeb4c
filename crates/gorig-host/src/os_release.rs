//! Which distribution a host runs, from os-release(5).
//!
//! `/etc/os-release` is read first and `/usr/lib/os-release` when it is missing (Rocky and
//! others ship the file in `/usr/lib` and link it from `/etc`). The family is decided by
//! `ID` and then by the tokens of `ID_LIKE`, most specific first, so a distribution gorig
//! has never heard of still lands in the family it says it resembles.

use serde::Serialize;

use crate::HostRoot;

/// Distribution families that share packaging, paths and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Debian,
    Rhel,
    Fedora,
    Amazon,
    Suse,
    Alpine,
    Arch,
    Unknown,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Debian => "debian",
            Family::Rhel => "rhel",
            Family::Fedora => "fedora",
            Family::Amazon => "amazon",
            Family::Suse => "suse",
            Family::Alpine => "alpine",
            Family::Arch => "arch",
            Family::Unknown => "unknown",
        }
    }

    fn from_id(id: &str) -> Option<Family> {
        Some(match id {
            "debian" | "ubuntu" | "raspbian" | "linuxmint" | "pop" | "kali" | "devuan" => {
                Family::Debian
            }
            "rhel" | "centos" | "rocky" | "almalinux" | "ol" | "scientific" | "eurolinux"
            | "circle" | "navy" => Family::Rhel,
            "fedora" => Family::Fedora,
            "amzn" => Family::Amazon,
            "suse" | "sles" | "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" | "sled" => {
                Family::Suse
            }
            "alpine" | "postmarketos" => Family::Alpine,
            "arch" | "archarm" | "manjaro" | "endeavouros" => Family::Arch,
            _ => return None,
        })
    }
}

/// The fields of os-release gorig uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OsRelease {
    /// The host path the file was read from.
    pub source: String,
    pub id: String,
    pub id_like: Vec<String>,
    pub name: Option<String>,
    pub pretty_name: Option<String>,
    pub version_id: Option<String>,
    pub platform_id: Option<String>,
    pub family: Family,
}

impl OsRelease {
    /// Reads `/etc/os-release`, else `/usr/lib/os-release`, under `root`.
    pub fn read(root: &HostRoot) -> Option<OsRelease> {
        ["/etc/os-release", "/usr/lib/os-release"]
            .into_iter()
            .find_map(|path| {
                let text = root.read_to_string(path).ok()?;
                Some(OsRelease::parse(&text, path))
            })
    }

    /// Parses os-release text (`KEY=value`, values optionally quoted with shell escapes).
    pub fn parse(text: &str, source: &str) -> OsRelease {
        let mut fields = std::collections::HashMap::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            fields.insert(key.trim().to_string(), unquote(value.trim()));
        }
        let mut take = |key: &str| fields.remove(key).filter(|v| !v.is_empty());
        let id = take("ID")
            .unwrap_or_else(|| "linux".to_string())
            .to_lowercase();
        let id_like: Vec<String> = take("ID_LIKE")
            .map(|v| v.split_whitespace().map(str::to_lowercase).collect())
            .unwrap_or_default();
        let family = Family::from_id(&id)
            .or_else(|| id_like.iter().find_map(|like| Family::from_id(like)))
            .unwrap_or(Family::Unknown);
        OsRelease {
            source: source.to_string(),
            name: take("NAME"),
            pretty_name: take("PRETTY_NAME"),
            version_id: take("VERSION_ID"),
            platform_id: take("PLATFORM_ID"),
            id,
            id_like,
            family,
        }
    }

    /// `Ubuntu 24.04` or the pretty name, for humans.
    pub fn display_name(&self) -> String {
        match (&self.pretty_name, &self.name, &self.version_id) {
            (Some(pretty), _, _) => pretty.clone(),
            (None, Some(name), Some(version)) => format!("{name} {version}"),
            (None, Some(name), None) => name.clone(),
            (None, None, _) => self.id.clone(),
        }
    }

    /// The major release number: `9` of `9.3`, `2023` of Amazon Linux 2023.
    pub fn major(&self) -> Option<u32> {
        if let Some(platform) = &self.platform_id
            && let Some(el) = platform.strip_prefix("platform:el")
            && let Ok(major) = el.parse()
        {
            return Some(major);
        }
        self.version_id.as_deref()?.split('.').next()?.parse().ok()
    }
}

fn unquote(value: &str) -> String {
    let inner = if value.len() >= 2
        && ((value.starts_with('"') && value.ends_with('"'))
            || (value.starts_with('\'') && value.ends_with('\'')))
    {
        &value[1..value.len() - 1]
    } else {
        value
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(next) = chars.next()
        {
            out.push(next);
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_come_from_id_then_id_like() {
        let rocky = OsRelease::parse(
            "NAME=\"Rocky Linux\"\nVERSION_ID=\"9.3\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nPLATFORM_ID=\"platform:el9\"\n",
            "/usr/lib/os-release",
        );
        assert_eq!(rocky.family, Family::Rhel);
        assert_eq!(rocky.major(), Some(9));
        let unknown_derivative = OsRelease::parse(
            "ID=newthing\nID_LIKE=\"ubuntu debian\"\n",
            "/etc/os-release",
        );
        assert_eq!(unknown_derivative.family, Family::Debian);
        let amazon = OsRelease::parse("ID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"", "x");
        assert_eq!(amazon.family, Family::Amazon);
        assert_eq!(amazon.major(), Some(2023));
        let fedora = OsRelease::parse(
            "ID=fedora\nVERSION_ID=42\nPRETTY_NAME='Fedora \\'42\\''",
            "x",
        );
        assert_eq!(fedora.display_name(), "Fedora '42'");
        assert_eq!(OsRelease::parse("", "x").family, Family::Unknown);
    }
}
