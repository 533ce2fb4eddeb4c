//! Go build information: the `\xff Go buildinf:` blob every Go binary carries, as Go's
//! own `debug/buildinfo` reads it.
//!
//! The blob is 16-byte aligned in the `.go.buildinfo` section, or, when section headers
//! are gone, in the first writable non-executable PT_LOAD; only its first 64 KiB are
//! searched. Byte 14 is the pointer size, byte 15 the flags: bit 1 set means the version
//! and module strings follow the 32-byte header inline, each a uvarint length and bytes
//! (Go 1.18 and later); otherwise the header holds two pointers to Go string headers
//! (pointer, length) in the binary's byte order (bit 0: big-endian), resolved through the
//! program headers. The module text is framed by 16 bytes on each side and lists
//! `path`, `mod`, `dep`, `=>` and `build` lines.
//!
//! Written by hand: no maintained crate reads this format, and it is ~100 lines.

use serde::Serialize;

/// How many bytes of the data segment are searched, as `go version` does.
pub const SEARCH_BYTES: u64 = 64 * 1024;
const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER: usize = 32;
const ALIGN: usize = 16;
const FLAG_BIG_ENDIAN: u8 = 1;
const FLAG_INLINE: u8 = 2;

/// A module: path, version and checksum (`h1:...`), and its replacement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Module {
    pub path: String,
    pub version: String,
    pub sum: Option<String>,
    pub replaced_by: Option<Box<Module>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoBuildInfo {
    /// `go1.27.3` (what `runtime.Version()` returns, possibly with a suffix).
    pub go_version: String,
    /// The main package's import path.
    pub path: Option<String>,
    pub main: Option<Module>,
    pub deps: Vec<Module>,
    /// `build` lines in order: `-buildmode`, `CGO_ENABLED`, `GOARCH`, `GOAMD64`, `vcs.*`.
    pub settings: Vec<(String, String)>,
    /// `inline` (Go 1.18+) or `pointer` (older).
    pub layout: &'static str,
}

impl GoBuildInfo {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the binary's memory: `len` bytes at virtual address `address`, when mapped.
pub trait Memory {
    fn read(&self, address: u64, len: u64) -> Option<Vec<u8>>;
}

/// Finds and decodes the build info in `data`, the first bytes at the data address.
pub fn parse(data: &[u8], memory: &dyn Memory) -> Option<GoBuildInfo> {
    let start = find_aligned(data)?;
    let blob = &data[start..];
    let pointer_size = usize::from(blob[14]);
    let flags = blob[15];
    let (version, modinfo, layout) = if flags & FLAG_INLINE != 0 {
        let (version, rest) = decode_string(&blob[HEADER..])?;
        let (modinfo, _) = decode_string(rest).unwrap_or((Vec::new(), &[]));
        (version, modinfo, "inline")
    } else {
        if pointer_size != 4 && pointer_size != 8 {
            return None;
        }
        let big = flags & FLAG_BIG_ENDIAN != 0;
        let version_ptr = read_pointer(blob.get(16..16 + pointer_size)?, big);
        let modinfo_ptr = read_pointer(blob.get(16 + pointer_size..16 + 2 * pointer_size)?, big);
        let version = read_go_string(memory, version_ptr, pointer_size, big)?;
        let modinfo = read_go_string(memory, modinfo_ptr, pointer_size, big).unwrap_or_default();
        (version, modinfo, "pointer")
    };
    let go_version = String::from_utf8(version).ok()?;
    if go_version.is_empty() {
        return None;
    }
    let modinfo = strip_frame(&modinfo);
    let mut info = GoBuildInfo {
        go_version,
        path: None,
        main: None,
        deps: Vec::new(),
        settings: Vec::new(),
        layout,
    };
    parse_modinfo(&String::from_utf8_lossy(modinfo), &mut info);
    Some(info)
}

/// Offset of the first 16-byte aligned magic with a whole header after it.
fn find_aligned(data: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let rest = data.get(from..)?;
        let at = from + rest.windows(MAGIC.len()).position(|w| w == MAGIC)?;
        if data.len() - at < HEADER {
            return None;
        }
        if at % ALIGN == 0 {
            return Some(at);
        }
        from = (at + ALIGN - 1) & !(ALIGN - 1);
    }
}

fn decode_string(data: &[u8]) -> Option<(Vec<u8>, &[u8])> {
    let mut len: u64 = 0;
    let mut shift = 0;
    let mut used: usize = 0;
    for &byte in data.iter().take(10) {
        used += 1;
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            let len = usize::try_from(len).ok()?;
            let end = used.checked_add(len)?;
            return Some((data.get(used..end)?.to_vec(), &data[end..]));
        }
        shift += 7;
    }
    None
}

fn read_pointer(bytes: &[u8], big: bool) -> u64 {
    match (bytes.len(), big) {
        (4, false) => u64::from(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])),
        (4, true) => u64::from(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])),
        (8, false) => u64::from_le_bytes(bytes.try_into().unwrap_or([0; 8])),
        (8, true) => u64::from_be_bytes(bytes.try_into().unwrap_or([0; 8])),
        _ => 0,
    }
}

/// A Go string header (data pointer, length) at `address`, and the bytes it points to.
fn read_go_string(
    memory: &dyn Memory,
    address: u64,
    pointer_size: usize,
    big: bool,
) -> Option<Vec<u8>> {
    let header = memory.read(address, 2 * pointer_size as u64)?;
    let data = read_pointer(&header[..pointer_size], big);
    let len = read_pointer(&header[pointer_size..], big);
    if len > 1 << 24 {
        return None;
    }
    memory.read(data, len)
}

/// Removes the 16-byte sentinels around the module text (`len ≥ 33`, `\n` before the end
/// sentinel), as runtime/debug does; anything else is no module information.
fn strip_frame(modinfo: &[u8]) -> &[u8] {
    if modinfo.len() >= 33 && modinfo[modinfo.len() - 17] == b'\n' {
        &modinfo[16..modinfo.len() - 16]
    } else {
        &[]
    }
}

fn module(fields: &[&str]) -> Option<Module> {
    Some(Module {
        path: fields.first()?.to_string(),
        version: fields.get(1).map(|s| s.to_string()).unwrap_or_default(),
        sum: fields
            .get(2)
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string()),
        replaced_by: None,
    })
}

fn parse_modinfo(text: &str, info: &mut GoBuildInfo) {
    for line in text.lines() {
        let Some((kind, rest)) = line.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = rest.split('\t').collect();
        match kind {
            "path" => info.path = Some(rest.to_string()),
            "mod" => info.main = module(&fields),
            "dep" => {
                if let Some(m) = module(&fields) {
                    info.deps.push(m);
                }
            }
            "=>" => {
                let replacement = module(&fields).map(Box::new);
                if let Some(last) = info.deps.last_mut() {
                    last.replaced_by = replacement;
                } else if let Some(main) = info.main.as_mut() {
                    main.replaced_by = replacement;
                }
            }
            "build" => {
                if let Some((key, value)) = split_setting(rest) {
                    info.settings.push((key, value));
                }
            }
            _ => {}
        }
    }
}

/// `KEY=VALUE`, where either side may be a Go-quoted string.
fn split_setting(text: &str) -> Option<(String, String)> {
    let (key, rest) = if text.starts_with('"') {
        let (key, used) = unquote(text)?;
        (key, text.get(used..)?.strip_prefix('=')?)
    } else {
        let (key, rest) = text.split_once('=')?;
        (key.to_string(), rest)
    };
    let value = if rest.starts_with('"') {
        unquote(rest)
            .map(|(v, _)| v)
            .unwrap_or_else(|| rest.to_string())
    } else {
        rest.to_string()
    };
    Some((key, value))
}

/// A Go (strconv.Quote) string at the start of `text`: its value and the bytes used.
fn unquote(text: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => {
                let (_, escaped) = chars.next()?;
                match escaped {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    'x' => {
                        let hex: String = (0..2)
                            .filter_map(|_| chars.next().map(|(_, c)| c))
                            .collect();
                        out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoMemory;
    impl Memory for NoMemory {
        fn read(&self, _: u64, _: u64) -> Option<Vec<u8>> {
            None
        }
    }

    fn framed(text: &str) -> Vec<u8> {
        let mut out = vec![b'0'; 16];
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(&[b'1'; 16]);
        out
    }

    fn uvarint(mut n: usize, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push((n as u8) | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    const MODINFO: &str = "path\texample.com/app\nmod\texample.com/app\tv1.2.3\th1:abc=\ndep\tgolang.org/x/sys\tv0.20.0\th1:def=\n=>\t../sys\t(devel)\t\nbuild\t-buildmode=exe\nbuild\t-ldflags=\"-s -w\"\nbuild\tCGO_ENABLED=0\nbuild\tGOARCH=amd64\nbuild\tGOAMD64=v3\nbuild\tDefaultGODEBUG=containermaxprocs=0,updatemaxprocs=0\n";

    #[test]
    fn inline_layout() {
        let mut data = vec![0u8; 48]; // the blob is found at an aligned offset
        data.extend_from_slice(MAGIC);
        data.push(8);
        data.push(FLAG_INLINE);
        data.extend_from_slice(&[0; 16]);
        uvarint(8, &mut data);
        data.extend_from_slice(b"go1.27.3");
        let modinfo = framed(MODINFO);
        uvarint(modinfo.len(), &mut data);
        data.extend_from_slice(&modinfo);
        let info = parse(&data, &NoMemory).expect("build info");
        assert_eq!(info.go_version, "go1.27.3");
        assert_eq!(info.layout, "inline");
        assert_eq!(info.path.as_deref(), Some("example.com/app"));
        assert_eq!(
            info.main.as_ref().map(|m| m.version.as_str()),
            Some("v1.2.3")
        );
        assert_eq!(info.deps.len(), 1);
        assert_eq!(
            info.deps[0].replaced_by.as_ref().map(|m| m.path.as_str()),
            Some("../sys")
        );
        assert_eq!(info.setting("-ldflags"), Some("-s -w"));
        assert_eq!(info.setting("GOAMD64"), Some("v3"));
        assert_eq!(
            info.setting("DefaultGODEBUG"),
            Some("containermaxprocs=0,updatemaxprocs=0")
        );
    }

    /// Memory laid out as a 32-bit big-endian binary would hold it (Go ≤ 1.17 layout).
    struct Flat {
        base: u64,
        bytes: Vec<u8>,
    }
    impl Memory for Flat {
        fn read(&self, address: u64, len: u64) -> Option<Vec<u8>> {
            let start = usize::try_from(address.checked_sub(self.base)?).ok()?;
            self.bytes
                .get(start..start + len as usize)
                .map(<[u8]>::to_vec)
        }
    }

    #[test]
    fn pointer_layout_both_byte_orders_and_sizes() {
        for (pointer_size, big) in [(4usize, true), (4, false), (8, true), (8, false)] {
            let base = 0x10000u64;
            let put = |value: u64, out: &mut Vec<u8>| match (pointer_size, big) {
                (4, true) => out.extend_from_slice(&(value as u32).to_be_bytes()),
                (4, false) => out.extend_from_slice(&(value as u32).to_le_bytes()),
                (_, true) => out.extend_from_slice(&value.to_be_bytes()),
                (_, false) => out.extend_from_slice(&value.to_le_bytes()),
            };
            // Memory: [version bytes][modinfo bytes][version header][modinfo header]
            let version = b"go1.16.15".to_vec();
            let modinfo = framed(MODINFO);
            let mut memory = version.clone();
            memory.extend_from_slice(&modinfo);
            let version_header = base + memory.len() as u64;
            put(base, &mut memory);
            put(version.len() as u64, &mut memory);
            let modinfo_header = base + memory.len() as u64;
            put(base + version.len() as u64, &mut memory);
            put(modinfo.len() as u64, &mut memory);
            let mut data = MAGIC.to_vec();
            data.push(pointer_size as u8);
            data.push(if big { FLAG_BIG_ENDIAN } else { 0 });
            put(version_header, &mut data);
            put(modinfo_header, &mut data);
            data.resize(64, 0);
            let info = parse(
                &data,
                &Flat {
                    base,
                    bytes: memory,
                },
            )
            .expect("pointer layout");
            assert_eq!(info.go_version, "go1.16.15", "{pointer_size} {big}");
            assert_eq!(info.layout, "pointer");
            assert_eq!(info.setting("CGO_ENABLED"), Some("0"));
        }
    }

    #[test]
    fn misaligned_magic_and_garbage() {
        let mut data = vec![0u8; 3];
        data.extend_from_slice(MAGIC);
        data.resize(200, 7);
        assert!(parse(&data, &NoMemory).is_none());
        assert!(parse(b"", &NoMemory).is_none());
        assert_eq!(
            split_setting("\"we=ird\"=\"a b\""),
            Some(("we=ird".into(), "a b".into()))
        );
    }
}
