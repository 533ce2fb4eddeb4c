//! Toolchains through GOPROXY, verified by the checksum database, the way the go command
//! gets them when it switches toolchains: `golang.org/toolchain@v0.0.1-goX.linux-ARCH.zip`
//! from the first proxy of `GOPROXY` that has it (`,` on to the next on 404 and 410 only,
//! `|` on any error; `direct` is go.dev's own module server), and its `h1:` from the
//! database `GOSUMDB` names: through `<proxy>/sumdb/<name>/` when the proxy says it is
//! `supported`, else directly. Every answer of the database is checked
//! (`gorig_sumdb::verify_lookup`: the note's signature, inclusion in the signed tree, and
//! consistency with the tree this store saw last, which is kept beside the store so a
//! database that forks is caught on the next install).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use gorig_event::{DownloadId, Event, Reporter};
use gorig_sumdb::note::Verifier;
use gorig_sumdb::proxy::{Proxy, ProxyEntry, TOOLCHAIN_MODULE, escape};
use gorig_sumdb::tlog::{Tile, Tree};

use crate::{Client, FetchError, Location};

/// Where `direct` fetches golang.org/toolchain: the module server its go-import names.
pub const DIRECT_TOOLCHAIN_PROXY: &str = "https://go.dev/dl/mod";

/// A checksum database: its name, key, and the URL GOSUMDB gave (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumDb {
    pub name: String,
    pub verifier: Verifier,
    /// Given in GOSUMDB: used as is, never through a proxy.
    pub url: Option<String>,
}

impl SumDb {
    /// Reads `GOSUMDB` as go does: unset or empty is sum.golang.org, `off` is `None`,
    /// `sum.golang.google.cn` is sum.golang.org through that host, else `KEY [URL]`.
    pub fn from_gosumdb(value: Option<&str>) -> Result<Option<SumDb>, FetchError> {
        let value = value.map(str::trim).unwrap_or("");
        let (key, url) = match value.split_once(char::is_whitespace) {
            Some((key, url)) => (key, Some(url.trim().trim_end_matches('/').to_string())),
            None => (value, None),
        };
        let (key, url) = match key {
            "off" => return Ok(None),
            "" | "sum.golang.org" => (gorig_sumdb::SUM_GOLANG_ORG, url),
            "sum.golang.google.cn" => (
                gorig_sumdb::SUM_GOLANG_ORG,
                url.or(Some("https://sum.golang.google.cn".to_string())),
            ),
            key => (key, url),
        };
        let verifier = Verifier::parse(key).map_err(|e| FetchError::BadGosumdb {
            value: value.to_string(),
            detail: e.to_string(),
        })?;
        // The name becomes a URL host and a directory: host[/path], as go requires.
        let host_like = verifier.name.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        });
        if !host_like {
            return Err(FetchError::BadGosumdb {
                value: value.to_string(),
                detail: format!("the database name `{}` is not host[/path]", verifier.name),
            });
        }
        Ok(Some(SumDb {
            name: verifier.name.clone(),
            verifier,
            url,
        }))
    }
}

/// Where toolchains come from when the source is GOPROXY.
#[derive(Debug, Clone)]
pub struct GoproxySource {
    pub proxies: Vec<Proxy>,
    /// `None`: GOSUMDB=off.
    pub sumdb: Option<SumDb>,
    /// Holds `<name>/latest`, the last tree note this store verified.
    pub state_dir: PathBuf,
}

/// A lookup answer and the tiles that prove it.
#[derive(Debug, Clone)]
pub struct Proof {
    pub base: String,
    pub body: String,
    pub tiles: Vec<(Tile, Vec<u8>)>,
    pub verified: gorig_sumdb::Verified,
}

/// The database's answer for a toolchain, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vouched {
    /// The `h1:` the zip must hash to; `None` when go too would skip the database
    /// (GOSUMDB=off with a single file:// GOPROXY).
    pub h1: Option<String>,
    /// Where the database was read.
    pub database: Option<String>,
}

impl GoproxySource {
    /// The proxies to try, in order, as base URLs; fails at `off`.
    fn bases(&self) -> Vec<(Result<String, FetchError>, bool)> {
        self.proxies
            .iter()
            .map(|proxy| {
                let base = match &proxy.entry {
                    ProxyEntry::Url(url) => Ok(url.clone()),
                    ProxyEntry::Direct => Ok(DIRECT_TOOLCHAIN_PROXY.to_string()),
                    ProxyEntry::Off => Err(FetchError::GoproxyOff),
                };
                (base, proxy.fall_back_on_any_error)
            })
            .collect()
    }

    /// Tries `attempt` on each proxy as go does; the errors of all tried go in the last.
    fn each_proxy<T>(
        &self,
        what: &str,
        mut attempt: impl FnMut(&str) -> Result<T, FetchError>,
    ) -> Result<T, FetchError> {
        let mut failures = Vec::new();
        for (base, any_error) in self.bases() {
            let base = match base {
                Ok(base) => base,
                Err(off) if failures.is_empty() => return Err(off),
                Err(_) => break,
            };
            match attempt(&base) {
                Ok(value) => return Ok(value),
                Err(error) => {
                    let falls_through = any_error || matches!(error, FetchError::NotFound { .. });
                    failures.push(crate::one_line(&error));
                    if !falls_through {
                        return Err(error);
                    }
                }
            }
        }
        Err(FetchError::AllSourcesFailed {
            what: what.to_string(),
            attempts: failures,
            local: false,
        })
    }

    /// The toolchain versions the first answering proxy lists for `arch` (go.dev names).
    pub fn versions(&self, client: &Client, arch: &str) -> Result<Vec<String>, FetchError> {
        let suffix = format!(".linux-{}", if arch == "armv6l" { "arm" } else { arch });
        self.each_proxy("the golang.org/toolchain version list", |base| {
            let url = format!("{base}/{}/@v/list", escape(TOOLCHAIN_MODULE));
            let bytes = client.read_small(&Location::parse(&url)?, 4 << 20, "@v/list")?;
            Ok(String::from_utf8_lossy(&bytes)
                .lines()
                .filter_map(|line| line.split_whitespace().next())
                .filter_map(|v| v.strip_prefix("v0.0.1-")?.strip_suffix(&suffix))
                .map(str::to_string)
                .collect())
        })
    }

    /// Downloads the zip of module version `version` to `dest` (at most
    /// [`crate::modzip::MAX_ZIP_BYTES`]); returns the URL it came from.
    pub fn download_zip(
        &self,
        client: &Client,
        version: &str,
        dest: &Path,
        reporter: &dyn Reporter,
    ) -> Result<String, FetchError> {
        let file = format!("{version}.zip");
        self.each_proxy(&file, |base| {
            let url = gorig_sumdb::proxy::proxy_file_url(base, version, "zip");
            let location = Location::parse(&url)?;
            let opened = client.open(&location)?;
            let id = DownloadId::next();
            reporter.report(Event::DownloadStarted {
                id,
                file: file.clone(),
                url: location.to_string(),
                size: opened.length,
                from_cache: false,
            });
            let result = copy_limited(opened.reader, dest, &location, id, reporter);
            reporter.report(Event::DownloadFinished { id });
            result.map(|()| location.to_string())
        })
    }

    /// The database's verified `h1:` for module version `version`.
    pub fn vouch(&self, client: &Client, version: &str) -> Result<Vouched, FetchError> {
        if matches!(
            self.proxies.first(),
            Some(Proxy {
                entry: ProxyEntry::Off,
                ..
            })
        ) {
            return Err(FetchError::GoproxyOff);
        }
        let Some(sumdb) = &self.sumdb else {
            // go skips the database only for a single file:// proxy (its own mirror).
            let single_file = matches!(
                self.proxies.as_slice(),
                [Proxy { entry: ProxyEntry::Url(url), .. }] if url.starts_with("file://")
            );
            return if single_file {
                Ok(Vouched {
                    h1: None,
                    database: None,
                })
            } else {
                Err(FetchError::SumDbOff)
            };
        };
        let latest_path = self.state_dir.join(&sumdb.name).join("latest");
        // A remembered tree that no longer verifies turns fork detection off: refuse,
        // as go does, rather than forget it.
        let known = match std::fs::read_to_string(&latest_path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(FetchError::io("read", &latest_path, e)),
            Ok(note) => Some(
                gorig_sumdb::note::open(&note, &sumdb.verifier)
                    .map_err(|e| e.to_string())
                    .and_then(|text| Tree::parse(text).map_err(|e| e.to_string()))
                    .map_err(|detail| FetchError::SumDb {
                        version: version.to_string(),
                        detail: format!(
                            "the tree this store saw last ({}) does not verify: {detail} (if the database's key changed on purpose, remove that file)",
                            latest_path.display()
                        ),
                    })?,
            ),
        };
        let proof = self.prove(client, sumdb, version, known.as_ref())?;
        let (base, verified) = (proof.base, proof.verified);
        if known.is_none_or(|k| verified.tree.size > k.size) {
            if let Some(dir) = latest_path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            gorig_fs::write_atomic(&latest_path, verified.note.as_bytes()).map_err(|e| {
                FetchError::io("write", &latest_path, std::io::Error::other(e.to_string()))
            })?;
        }
        Ok(Vouched {
            h1: Some(verified.zip_hash),
            database: Some(base),
        })
    }

    /// The database's answer for module version `version`, checked against `known` (the
    /// tree seen before), with every tile read on the way (a mirror keeps them).
    pub fn prove(
        &self,
        client: &Client,
        sumdb: &SumDb,
        version: &str,
        known: Option<&Tree>,
    ) -> Result<Proof, FetchError> {
        let base = self.database_base(client, sumdb)?;
        let lookup = format!(
            "{base}/lookup/{}@{}",
            escape(TOOLCHAIN_MODULE),
            escape(version)
        );
        let body = match client.read_small(&Location::parse(&lookup)?, 1 << 20, "the lookup answer")
        {
            Ok(body) => body,
            Err(FetchError::NotFound { url }) => {
                return Err(FetchError::SumDb {
                    version: version.to_string(),
                    detail: format!("the database has no record of it ({url} answered 404)"),
                });
            }
            Err(error) => return Err(error),
        };
        let body = String::from_utf8(body).map_err(|_| FetchError::SumDb {
            version: version.to_string(),
            detail: "the lookup answer is not UTF-8".into(),
        })?;
        let mut tiles = Vec::new();
        let mut fetch = |_size: u64, tile: &Tile| {
            let bytes = read_tile(client, &base, tile)?;
            tiles.push((*tile, bytes.clone()));
            Ok(bytes)
        };
        let verified = gorig_sumdb::verify_lookup(
            &body,
            TOOLCHAIN_MODULE,
            version,
            &sumdb.verifier,
            known,
            &mut fetch,
        )
        .map_err(|e| FetchError::SumDb {
            version: version.to_string(),
            detail: e.to_string(),
        })?;
        Ok(Proof {
            base,
            body,
            tiles,
            verified,
        })
    }

    /// The database's base URL: GOSUMDB's, else the first proxy that serves it, else
    /// `https://NAME`.
    fn database_base(&self, client: &Client, sumdb: &SumDb) -> Result<String, FetchError> {
        if let Some(url) = &sumdb.url {
            return Ok(url.clone());
        }
        for (base, any_error) in self.bases() {
            let Ok(base) = base else { break };
            if base == DIRECT_TOOLCHAIN_PROXY {
                break;
            }
            let supported = format!("{base}/sumdb/{}/supported", sumdb.name);
            match client.read_small(&Location::parse(&supported)?, 1 << 10, "supported") {
                Ok(_) => return Ok(format!("{base}/sumdb/{}", sumdb.name)),
                Err(FetchError::NotFound { .. }) => continue,
                Err(_) if any_error => continue,
                Err(error) => return Err(error),
            }
        }
        Ok(format!("https://{}", sumdb.name))
    }
}

/// A tile from the database: the partial one asked for, else the complete one cut to
/// its width (a partial tile is gone once the tile is complete).
fn read_tile(client: &Client, base: &str, tile: &Tile) -> Result<Vec<u8>, String> {
    let get = |tile: &Tile| -> Result<Vec<u8>, FetchError> {
        client.read_small(
            &Location::parse(&format!("{base}/{}", tile.path()))?,
            256 * 32,
            "a tile",
        )
    };
    match get(tile) {
        Ok(bytes) => Ok(bytes),
        Err(first) if tile.width < 256 => {
            let full = Tile {
                width: 256,
                ..*tile
            };
            get(&full)
                .map(|mut bytes| {
                    bytes.truncate(tile.width as usize * 32);
                    bytes
                })
                .map_err(|_| crate::one_line(&first))
        }
        Err(error) => Err(crate::one_line(&error)),
    }
}

fn copy_limited(
    mut reader: Box<dyn Read + Send>,
    dest: &Path,
    location: &Location,
    id: DownloadId,
    reporter: &dyn Reporter,
) -> Result<(), FetchError> {
    let mut file = std::fs::File::create(dest).map_err(|e| FetchError::io("write", dest, e))?;
    let mut total = 0u64;
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = reader
            .read(&mut buffer)
            .map_err(|source| FetchError::Interrupted {
                url: location.to_string(),
                received: total,
                source,
            })?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > crate::modzip::MAX_ZIP_BYTES {
            return Err(FetchError::TooLarge {
                filename: dest.display().to_string(),
                url: location.to_string(),
                limit: crate::modzip::MAX_ZIP_BYTES,
            });
        }
        file.write_all(&buffer[..n])
            .map_err(|e| FetchError::io("write", dest, e))?;
        reporter.report(Event::Progress {
            id,
            bytes: n as u64,
        });
    }
    file.sync_all()
        .map_err(|e| FetchError::io("write", dest, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gosumdb_is_read_as_go_reads_it() {
        let default = SumDb::from_gosumdb(None).unwrap().unwrap();
        assert_eq!(default.name, "sum.golang.org");
        assert_eq!(default.url, None);
        assert_eq!(SumDb::from_gosumdb(Some("off")).unwrap(), None);
        let cn = SumDb::from_gosumdb(Some("sum.golang.google.cn"))
            .unwrap()
            .unwrap();
        assert_eq!(cn.url.as_deref(), Some("https://sum.golang.google.cn"));
        let signer = gorig_sumdb::note::Signer::from_seed("sum.corp.example", &[1; 32]).unwrap();
        let key = signer.verifier().encode();
        let given = SumDb::from_gosumdb(Some(&format!("{key} https://db.corp.example/")))
            .unwrap()
            .unwrap();
        assert_eq!(given.name, "sum.corp.example");
        assert_eq!(given.url.as_deref(), Some("https://db.corp.example"));
        assert!(SumDb::from_gosumdb(Some("sum.corp.example")).is_err());
    }
}
