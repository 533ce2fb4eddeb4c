//! The checksum database's log: an RFC 6962 Merkle tree over its records, published as
//! tiles. A tile of height 8 at level L holds up to 256 consecutive hashes of tree level
//! 8·L; any perfect subtree's hash is the pairwise fold of a run of one tile's hashes.
//!
//! A client trusts only the signed tree head (size and root). [`TreeReader`] computes
//! subtree hashes from tiles it fetches, and [`check_inclusion`] and
//! [`check_consistency`] recompute the signed root from them: a tile that lies changes the
//! root, so no tile needs trusting on its own. [`Log`] is the server side: it keeps every
//! level and cuts the tiles a client asks for (a mirror, and the tests' own database).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The tile height the go command uses (and so every database serves).
pub const TILE_HEIGHT: u32 = 8;
const TILE_WIDTH: u64 = 1 << TILE_HEIGHT;

/// A SHA-256 hash in the tree.
pub type Hash = [u8; 32];

fn sha256(parts: &[&[u8]]) -> Hash {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        context.update(part);
    }
    let mut hash = [0u8; 32];
    hash.copy_from_slice(context.finish().as_ref());
    hash
}

/// The leaf hash of a record's text.
pub fn record_hash(text: &[u8]) -> Hash {
    sha256(&[&[0x00], text])
}

/// The hash of an inner node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    sha256(&[&[0x01], left, right])
}

/// The hash of the empty tree.
pub fn empty_hash() -> Hash {
    sha256(&[])
}

/// Why a proof failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    #[error("{0}")]
    Fetch(String),
    #[error("tile {path} has {got} bytes, expected {want}")]
    ShortTile {
        path: String,
        got: usize,
        want: usize,
    },
    #[error("the tiles do not hash to the signed tree (size {size}): they are stale or forged")]
    RootMismatch { size: u64 },
    #[error(
        "the tree of size {old} this client saw before is not a prefix of the signed tree of size {new}: the database forked"
    )]
    Forked { old: u64, new: u64 },
    #[error("record {id} is not in the tree of size {size}")]
    OutOfRange { id: u64, size: u64 },
    #[error("the tree head is malformed: {0}")]
    MalformedTree(&'static str),
}

/// A tile: `level` in the tiling (hashes of tree level 8·level), its `number` along the
/// level, and its `width` (256 when complete).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tile {
    pub level: u32,
    pub number: u64,
    pub width: u32,
}

impl Tile {
    /// `tile/8/L/NNN[.p/W]`, N in groups of three digits, all but the last with an `x`.
    pub fn path(&self) -> String {
        let mut groups = vec![format!("{:03}", self.number % 1000)];
        let mut n = self.number / 1000;
        while n > 0 {
            groups.push(format!("x{:03}", n % 1000));
            n /= 1000;
        }
        groups.reverse();
        let partial = if u64::from(self.width) == TILE_WIDTH {
            String::new()
        } else {
            format!(".p/{}", self.width)
        };
        format!(
            "tile/{TILE_HEIGHT}/{}/{}{partial}",
            self.level,
            groups.join("/")
        )
    }
}

/// A signed tree head's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tree {
    pub size: u64,
    pub root: Hash,
}

impl Tree {
    /// The text a database signs.
    pub fn format(&self) -> String {
        format!(
            "go.sum database tree\n{}\n{}\n",
            self.size,
            STANDARD.encode(self.root)
        )
    }

    /// Parses a tree note's text (lines after the third are ignored, as go ignores them).
    pub fn parse(text: &str) -> Result<Tree, TlogError> {
        let mut lines = text.split('\n');
        if lines.next() != Some("go.sum database tree") {
            return Err(TlogError::MalformedTree(
                "it does not start with `go.sum database tree`",
            ));
        }
        let size_text = lines.next().unwrap_or("");
        let size: u64 = size_text
            .parse()
            .map_err(|_| TlogError::MalformedTree("its size is not a number"))?;
        if size.to_string() != size_text || size > i64::MAX as u64 {
            return Err(TlogError::MalformedTree(
                "its size is not written canonically",
            ));
        }
        let root = STANDARD
            .decode(lines.next().unwrap_or(""))
            .ok()
            .and_then(|bytes| <Hash>::try_from(bytes.as_slice()).ok())
            .ok_or(TlogError::MalformedTree(
                "its root is not a base64 SHA-256 hash",
            ))?;
        if lines.next().is_none() {
            return Err(TlogError::MalformedTree("it does not end in a newline"));
        }
        Ok(Tree { size, root })
    }
}

/// The largest power of two below `n` (`n` ≥ 2).
fn split_point(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// Fetches a tile's bytes; the error says what failed, for the message.
pub type FetchTile<'f> = dyn FnMut(&Tile) -> Result<Vec<u8>, String> + 'f;

/// Subtree hashes of a tree of `size` records, computed from tiles `fetch` returns (each
/// fetched once).
pub struct TreeReader<'f> {
    size: u64,
    fetch: &'f mut FetchTile<'f>,
    tiles: HashMap<Tile, Vec<u8>>,
}

impl<'f> TreeReader<'f> {
    pub fn new(size: u64, fetch: &'f mut FetchTile<'f>) -> Self {
        TreeReader {
            size,
            fetch,
            tiles: HashMap::new(),
        }
    }

    /// The tiles read so far, for a caller that keeps them (a mirror).
    pub fn tiles(&self) -> impl Iterator<Item = (&Tile, &Vec<u8>)> {
        self.tiles.iter()
    }

    /// The hash of the perfect subtree of `2^level` records starting at `start`.
    fn perfect(&mut self, level: u32, start: u64) -> Result<Hash, TlogError> {
        let tile_level = level / TILE_HEIGHT;
        let within = level % TILE_HEIGHT;
        let base = tile_level * TILE_HEIGHT;
        // Positions at tree level `base`.
        let first = start >> base;
        let count = 1u64 << within;
        let number = first / TILE_WIDTH;
        let hashes_at_base = self.size >> base;
        let width = (hashes_at_base - number * TILE_WIDTH).min(TILE_WIDTH) as u32;
        let tile = Tile {
            level: tile_level,
            number,
            width,
        };
        if !self.tiles.contains_key(&tile) {
            let data = (self.fetch)(&tile).map_err(TlogError::Fetch)?;
            let want = width as usize * 32;
            if data.len() < want {
                return Err(TlogError::ShortTile {
                    path: tile.path(),
                    got: data.len(),
                    want,
                });
            }
            self.tiles.insert(tile, data[..want].to_vec());
        }
        let data = &self.tiles[&tile];
        let offset = ((first - number * TILE_WIDTH) * 32) as usize;
        Ok(fold(&data[offset..offset + count as usize * 32]))
    }

    /// The hash of records `[lo, hi)` as the tree shapes them (`lo` aligned to the range).
    pub fn range(&mut self, lo: u64, hi: u64) -> Result<Hash, TlogError> {
        let n = hi - lo;
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            return self.perfect(n.trailing_zeros(), lo);
        }
        let k = split_point(n);
        let left = self.range(lo, lo + k)?;
        let right = self.range(lo + k, hi)?;
        Ok(node_hash(&left, &right))
    }

    /// The root of the whole tree.
    pub fn root(&mut self) -> Result<Hash, TlogError> {
        if self.size == 0 {
            return Ok(empty_hash());
        }
        self.range(0, self.size)
    }
}

/// The pairwise fold of a power-of-two run of hashes.
fn fold(data: &[u8]) -> Hash {
    if data.len() == 32 {
        let mut hash = [0u8; 32];
        hash.copy_from_slice(data);
        return hash;
    }
    let half = data.len() / 2;
    node_hash(&fold(&data[..half]), &fold(&data[half..]))
}

/// Checks that record `id`, whose leaf hash is `leaf`, is in `tree`: the root recomputed
/// from the leaf and its siblings (from the tiles) must be the signed one.
pub fn check_inclusion(
    tree: &Tree,
    id: u64,
    leaf: &Hash,
    fetch: &mut dyn FnMut(&Tile) -> Result<Vec<u8>, String>,
) -> Result<(), TlogError> {
    if id >= tree.size {
        return Err(TlogError::OutOfRange {
            id,
            size: tree.size,
        });
    }
    let mut reader = TreeReader::new(tree.size, fetch);
    let root = root_through(&mut reader, 0, tree.size, id, leaf)?;
    if root != tree.root {
        return Err(TlogError::RootMismatch { size: tree.size });
    }
    Ok(())
}

/// The root of `[lo, hi)` with record `id`'s hash taken as `leaf` and every other
/// subtree from the tiles.
fn root_through(
    reader: &mut TreeReader<'_>,
    lo: u64,
    hi: u64,
    id: u64,
    leaf: &Hash,
) -> Result<Hash, TlogError> {
    if hi - lo == 1 {
        return Ok(*leaf);
    }
    let k = split_point(hi - lo);
    if id < lo + k {
        let left = root_through(reader, lo, lo + k, id, leaf)?;
        Ok(node_hash(&left, &reader.range(lo + k, hi)?))
    } else {
        let right = root_through(reader, lo + k, hi, id, leaf)?;
        Ok(node_hash(&reader.range(lo, lo + k)?, &right))
    }
}

/// Checks that `old` (a tree this client trusted before) is a prefix of `new`: the old
/// tree's perfect subtrees, read from `new`'s tiles, must hash to the old root, and the
/// new root recomputed through those same subtrees must be the new signed root.
pub fn check_consistency(
    old: &Tree,
    new: &Tree,
    fetch: &mut dyn FnMut(&Tile) -> Result<Vec<u8>, String>,
) -> Result<(), TlogError> {
    let forked = TlogError::Forked {
        old: old.size,
        new: new.size,
    };
    if old.size > new.size {
        return Err(forked);
    }
    if old.size == new.size {
        return if old.root == new.root {
            Ok(())
        } else {
            Err(forked)
        };
    }
    if old.size == 0 {
        return if old.root == empty_hash() {
            Ok(())
        } else {
            Err(forked)
        };
    }
    let mut reader = TreeReader::new(new.size, fetch);
    // The old tree's perfect subtrees, left to right.
    let mut blocks = Vec::new();
    let mut lo = 0;
    while lo < old.size {
        let k = if old.size - lo == 1 {
            1
        } else {
            let rest = old.size - lo;
            if rest.is_power_of_two() {
                rest
            } else {
                split_point(rest)
            }
        };
        blocks.push((lo, lo + k, reader.range(lo, lo + k)?));
        lo += k;
    }
    let mut old_root = blocks[blocks.len() - 1].2;
    for (_, _, hash) in blocks.iter().rev().skip(1) {
        old_root = node_hash(hash, &old_root);
    }
    if old_root != old.root {
        return Err(forked);
    }
    let new_root = root_over_blocks(&mut reader, 0, new.size, &blocks)?;
    if new_root != new.root {
        return Err(TlogError::RootMismatch { size: new.size });
    }
    Ok(())
}

/// The root of `[lo, hi)`, using the given blocks' hashes wherever the tree has them as
/// nodes, so that the result depends on them.
fn root_over_blocks(
    reader: &mut TreeReader<'_>,
    lo: u64,
    hi: u64,
    blocks: &[(u64, u64, Hash)],
) -> Result<Hash, TlogError> {
    if let Some((_, _, hash)) = blocks.iter().find(|(a, b, _)| *a == lo && *b == hi) {
        return Ok(*hash);
    }
    let old_end = blocks.last().map_or(0, |(_, end, _)| *end);
    let n = hi - lo;
    if lo >= old_end || n == 1 {
        return reader.range(lo, hi);
    }
    let k = if n.is_power_of_two() {
        n / 2
    } else {
        split_point(n)
    };
    let left = root_over_blocks(reader, lo, lo + k, blocks)?;
    let right = root_over_blocks(reader, lo + k, hi, blocks)?;
    Ok(node_hash(&left, &right))
}

/// A whole log in memory: every level of hashes, to answer for any tile of its current
/// size (a mirror's or a test's database).
#[derive(Debug, Clone, Default)]
pub struct Log {
    /// `levels[l][i]`: the hash of the perfect subtree of `2^l` records from `i·2^l`.
    levels: Vec<Vec<Hash>>,
    records: Vec<Vec<u8>>,
}

impl Log {
    pub fn new() -> Log {
        Log::default()
    }

    /// Appends a record (its text, `go.sum` lines ending in a newline); returns its id.
    pub fn append(&mut self, text: &[u8]) -> u64 {
        let id = self.records.len() as u64;
        self.records.push(text.to_vec());
        let mut hash = record_hash(text);
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(hash);
            let count = self.levels[level].len();
            if count % 2 == 1 {
                break;
            }
            hash = node_hash(
                &self.levels[level][count - 2],
                &self.levels[level][count - 1],
            );
            level += 1;
        }
        id
    }

    pub fn size(&self) -> u64 {
        self.records.len() as u64
    }

    pub fn record(&self, id: u64) -> Option<&[u8]> {
        self.records.get(id as usize).map(Vec::as_slice)
    }

    /// The tree head of the current size.
    pub fn tree(&self) -> Tree {
        let size = self.size();
        let root = if size == 0 {
            empty_hash()
        } else {
            let mut fetch = |tile: &Tile| self.tile(tile).ok_or_else(|| tile.path());
            TreeReader::new(size, &mut fetch)
                .root()
                .unwrap_or_else(|_| empty_hash())
        };
        Tree { size, root }
    }

    /// A hash tile of the current tree (`None`: not one of its tiles).
    pub fn tile(&self, tile: &Tile) -> Option<Vec<u8>> {
        let level = (tile.level * TILE_HEIGHT) as usize;
        let hashes = self.levels.get(level)?;
        let start = (tile.number * TILE_WIDTH) as usize;
        let end = start + tile.width as usize;
        if tile.width == 0 || end > hashes.len() {
            return None;
        }
        Some(hashes[start..end].concat())
    }

    /// Every hash tile of the current tree: complete ones and the partial one at the end
    /// of each level.
    pub fn tiles(&self) -> Vec<Tile> {
        let mut tiles = Vec::new();
        let mut level = 0;
        while let Some(hashes) = self.levels.get((level * TILE_HEIGHT) as usize) {
            let count = hashes.len() as u64;
            for number in 0..count.div_ceil(TILE_WIDTH) {
                let width = (count - number * TILE_WIDTH).min(TILE_WIDTH) as u32;
                tiles.push(Tile {
                    level,
                    number,
                    width,
                });
            }
            level += 1;
        }
        tiles
    }
}

impl Log {
    /// What a static tree of files must hold for any client: every complete tile, and the
    /// last tile of each level at every width up to its own. A client that saw a smaller
    /// tree asks for the partial tiles of that size to check the new tree extends it (go
    /// falls back to the complete tile, never to a wider partial one).
    pub fn static_tiles(&self) -> Vec<Tile> {
        let mut tiles = Vec::new();
        for tile in self.tiles() {
            if u64::from(tile.width) == TILE_WIDTH {
                tiles.push(tile);
            } else {
                tiles.extend((1..=tile.width).map(|width| Tile { width, ..tile }));
            }
        }
        tiles
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_tree_has_every_width_of_the_partial_tiles() {
        let log = records(259);
        let paths: Vec<String> = log.static_tiles().iter().map(Tile::path).collect();
        assert_eq!(
            paths,
            [
                "tile/8/0/000",
                "tile/8/0/001.p/1",
                "tile/8/0/001.p/2",
                "tile/8/0/001.p/3",
                "tile/8/1/000.p/1"
            ]
        );
    }

    fn records(n: u64) -> Log {
        let mut log = Log::new();
        for i in 0..n {
            log.append(format!("example.com/m{i} v1.0.0 h1:x=\n").as_bytes());
        }
        log
    }

    /// The root computed the slow way, straight from RFC 6962's definition.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_hash(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn tile_paths_are_gos() {
        let tile = Tile {
            level: 0,
            number: 1_234_067,
            width: 1,
        };
        assert_eq!(tile.path(), "tile/8/0/x001/x234/067.p/1");
        let tile = Tile {
            level: 2,
            number: 5,
            width: 256,
        };
        assert_eq!(tile.path(), "tile/8/2/005");
    }

    #[test]
    fn tree_notes_round_trip_and_odd_ones_are_refused() {
        let tree = records(3).tree();
        assert_eq!(Tree::parse(&tree.format()), Ok(tree));
        assert!(Tree::parse(&format!("{}extra line\n", tree.format())).is_ok());
        assert!(Tree::parse(&tree.format().replace("\n3\n", "\n03\n")).is_err());
        assert!(Tree::parse("go.sum database tree\n3\n").is_err());
    }

    #[test]
    fn roots_from_tiles_match_the_definition_for_every_size_up_to_600() {
        let mut log = Log::new();
        let mut leaves = Vec::new();
        for i in 0..600u64 {
            let text = format!("r{i}\n");
            leaves.push(record_hash(text.as_bytes()));
            log.append(text.as_bytes());
            assert_eq!(log.tree().root, reference_root(&leaves), "size {}", i + 1);
        }
    }

    fn fetcher(log: &Log) -> impl FnMut(&Tile) -> Result<Vec<u8>, String> + '_ {
        |tile: &Tile| log.tile(tile).ok_or_else(|| format!("no {}", tile.path()))
    }

    #[test]
    fn every_record_is_proved_included_and_a_wrong_leaf_is_not() {
        for size in [1, 2, 3, 7, 255, 256, 257, 513, 70_000] {
            let log = records(size);
            let tree = log.tree();
            for id in [0, size / 2, size - 1] {
                let leaf = record_hash(log.record(id).unwrap());
                check_inclusion(&tree, id, &leaf, &mut fetcher(&log)).unwrap();
                let wrong = record_hash(b"forged\n");
                assert_eq!(
                    check_inclusion(&tree, id, &wrong, &mut fetcher(&log)),
                    Err(TlogError::RootMismatch { size })
                );
            }
            assert!(check_inclusion(&tree, size, &[0; 32], &mut fetcher(&log)).is_err());
        }
    }

    #[test]
    fn older_trees_are_prefixes_and_a_fork_is_caught() {
        let big = records(70_000);
        let new = big.tree();
        for old_size in [1, 2, 5, 255, 256, 300, 65_536, 69_999, 70_000] {
            let old = records(old_size).tree();
            check_consistency(&old, &new, &mut fetcher(&big)).unwrap();
        }
        // A tree of the same size but other records: a fork.
        let mut other = Log::new();
        for i in 0..300u64 {
            other.append(format!("other {i}\n").as_bytes());
        }
        assert_eq!(
            check_consistency(&other.tree(), &new, &mut fetcher(&big)),
            Err(TlogError::Forked {
                old: 300,
                new: 70_000
            })
        );
        assert!(check_consistency(&new, &records(5).tree(), &mut fetcher(&big)).is_err());
    }

    #[test]
    fn a_stale_or_forged_tile_is_caught_by_the_signed_root() {
        let log = records(1000);
        let tree = log.tree();
        let leaf = record_hash(log.record(10).unwrap());
        let mut forged = |tile: &Tile| {
            let mut data = log.tile(tile).ok_or("none".to_string())?;
            if tile.level == 0 && tile.number == 3 {
                data[5] ^= 1;
            }
            Ok(data)
        };
        assert_eq!(
            check_inclusion(&tree, 10, &leaf, &mut forged),
            Err(TlogError::RootMismatch { size: 1000 })
        );
        let mut short = |tile: &Tile| Ok(log.tile(tile).unwrap_or_default()[..10].to_vec());
        assert!(matches!(
            check_inclusion(&tree, 10, &leaf, &mut short),
            Err(TlogError::ShortTile { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn inclusion_holds_for_any_record_of_any_tree(size in 1u64..3000, pick in 0u64..3000) {
            let log = records(size);
            let id = pick % size;
            let leaf = record_hash(log.record(id).unwrap());
            proptest::prop_assert!(check_inclusion(&log.tree(), id, &leaf, &mut fetcher(&log)).is_ok());
        }

        #[test]
        fn consistency_holds_for_any_prefix(size in 1u64..3000, pick in 0u64..3000) {
            let log = records(size);
            let old = records(pick % size + 1).tree();
            proptest::prop_assert!(check_consistency(&old, &log.tree(), &mut fetcher(&log)).is_ok());
        }
    }
}
