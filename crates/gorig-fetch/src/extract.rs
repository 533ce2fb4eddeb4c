//! Streaming, policy-checked extraction of an official Go archive into a staging directory.
//!
//! The `tar` crate parses headers (its PAX and GNU handling is maintained and fuzzed); the
//! writing is ours, because `tar`'s own `unpack` is serial and only best-effort about
//! hostile entries. An official Go archive holds regular files, directories and symbolic
//! links under one top-level `go/`, so that is all this accepts:
//!
//! - every name is UTF-8, relative, under `go/`, with no `.`, `..` or empty component;
//! - no name appears twice; no entry lies beneath a symbolic link of the archive;
//! - hard links, devices, fifos and other entry kinds are refused;
//! - symbolic links must point inside the tree and are created last, so no file is ever
//!   written through one;
//! - setuid, setgid and sticky bits are dropped; the entry count and the unpacked size are
//!   capped.
//!
//! The `go/` prefix is stripped: the staging directory becomes the GOROOT itself.
//!
//! Parsing and inflating run on the calling thread; file contents are written by a small
//! pool of writer threads fed through a bounded queue, so disk latency overlaps with
//! decompression while memory stays bounded (at most `QUEUE_DEPTH` chunks in flight).

use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::ExtractError;
use crate::buffers::Buffers;

mod budget;

pub use budget::MAX_METADATA;

/// Files up to this size are read whole and written by one job; larger ones in chunks.
const CHUNK: usize = 1 << 20;
/// Jobs queued between the parser and the writers.
const QUEUE_DEPTH: usize = 8;
/// Small files travel to the writers in batches of about this many bytes, so the queue
/// hand-off (a futex wake per job) is paid once per batch rather than once per file.
const BATCH_BYTES: usize = CHUNK / 2;
const BATCH_FILES: usize = 64;

/// Caps that keep a hostile archive from filling the disk or the inode table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractLimits {
    pub max_entries: u64,
    pub max_unpacked_bytes: u64,
}

impl Default for ExtractLimits {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            max_unpacked_bytes: 2 << 30,
        }
    }
}

/// What an extraction wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtractStats {
    pub entries: u64,
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    pub bytes: u64,
}

/// Unpacks the tar stream `tar_stream` into the existing, empty directory `dest`.
///
/// `writers` is the number of writer threads; 0 writes on the calling thread.
pub fn extract_tar<R: Read>(
    tar_stream: R,
    dest: &Path,
    limits: &ExtractLimits,
    writers: usize,
) -> Result<ExtractStats, ExtractError> {
    let (mut guard, budget) = budget::Budget::new(tar_stream);
    let mut archive = tar::Archive::new(&mut guard);
    let entries = archive
        .entries()
        .map_err(|source| ExtractError::corrupt("the start of the archive", source))?;
    let pool = WriterPool::start(writers);
    let umask = current_umask();
    let mut state = State {
        dest,
        umask,
        seen: HashSet::new(),
        dirs: HashSet::new(),
        symlinks: Vec::new(),
        links: HashMap::new(),
        stats: ExtractStats::default(),
        batch: Batch::default(),
        last: None,
    };
    state.dirs.insert(PathBuf::new());
    let result = (|| {
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                // The parser stopped before an entry: name it by what came before.
                Err(source) => {
                    let at = state.next_entry_place();
                    return Err(if budget.was_hit() {
                        ExtractError::refused(
                            &at,
                            format!(
                                "more than {} KiB of long names or PAX records precede it (official archives use short ones)",
                                MAX_METADATA >> 10
                            ),
                        )
                    } else {
                        ExtractError::corrupt(&at, source)
                    });
                }
            };
            budget.entry_ends_at(entry.raw_file_position().saturating_add(entry.size()));
            state.last = Some((
                String::from_utf8_lossy(&entry.path_bytes()).into_owned(),
                entry.raw_header_position(),
            ));
            state.entry(entry, limits, &pool)?;
            pool.check()?;
        }
        state.flush(&pool);
        Ok(())
    })();
    let finished = pool.finish();
    result?;
    finished?;
    state.judge_links()?;
    for (rel, target) in std::mem::take(&mut state.symlinks) {
        let path = dest.join(&rel);
        state.ensure_parent(&rel)?;
        std::os::unix::fs::symlink(&target, &path)
            .map_err(|source| ExtractError::Write { path, source })?;
        state.stats.symlinks += 1;
    }
    if state.stats.files == 0 {
        return Err(ExtractError::Empty);
    }
    Ok(state.stats)
}

struct State<'a> {
    dest: &'a Path,
    umask: Option<u32>,
    seen: HashSet<PathBuf>,
    dirs: HashSet<PathBuf>,
    symlinks: Vec<(PathBuf, PathBuf)>,
    /// The archive's links so far, path → target, to resolve others through.
    links: HashMap<PathBuf, PathBuf>,
    stats: ExtractStats,
    batch: Batch,
    /// The last entry read and where its header starts, to name what follows it.
    last: Option<(String, u64)>,
}

impl State<'_> {
    /// The entry the parser was about to read, named by its place in the archive.
    fn next_entry_place(&self) -> String {
        let number = self.stats.entries + 1;
        match &self.last {
            Some((name, at)) => format!("entry {number}, after {name} (header at byte {at})"),
            None => format!("entry {number}, the first"),
        }
    }

    fn entry<R: Read>(
        &mut self,
        mut entry: tar::Entry<'_, R>,
        limits: &ExtractLimits,
        pool: &WriterPool,
    ) -> Result<(), ExtractError> {
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            return Ok(());
        }
        self.stats.entries += 1;
        if self.stats.entries > limits.max_entries {
            return Err(ExtractError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let name = String::from_utf8(entry.path_bytes().into_owned()).map_err(|e| {
            ExtractError::refused(
                &String::from_utf8_lossy(e.as_bytes()),
                "the name is not UTF-8",
            )
        })?;
        check_pax(&mut entry, &name)?;
        if kind == tar::EntryType::GNUSparse {
            return Err(ExtractError::refused(
                &name,
                "a sparse file: not part of official Go archives",
            ));
        }
        let Some(rel) = relative_name(&name)? else {
            if kind.is_dir() {
                return Ok(());
            }
            return Err(ExtractError::refused(
                &name,
                "only a directory may be named go/",
            ));
        };
        if !self.seen.insert(rel.clone()) {
            return Err(ExtractError::refused(&name, "the name appears twice"));
        }
        for ancestor in rel.ancestors().skip(1) {
            let what = if self.links.contains_key(ancestor) {
                "a symbolic link"
            } else if self.seen.contains(ancestor) && !self.dirs.contains(ancestor) {
                "a file"
            } else {
                continue;
            };
            return Err(ExtractError::refused(
                &name,
                format!(
                    "it lies beneath go/{}, {what} of the archive",
                    ancestor.display()
                ),
            ));
        }
        if !kind.is_dir() && self.dirs.contains(&rel) {
            return Err(ExtractError::refused(
                &name,
                "a directory of the archive already has this name",
            ));
        }
        let mode = entry.header().mode().unwrap_or(0o644) & 0o777;
        if kind.is_dir() {
            self.make_dir(&rel, mode)?;
            self.stats.dirs += 1;
        } else if kind.is_file() || kind.is_contiguous() {
            let size = entry.size();
            self.stats.bytes = self.stats.bytes.saturating_add(size);
            if self.stats.bytes > limits.max_unpacked_bytes {
                return Err(ExtractError::TooLarge {
                    limit: limits.max_unpacked_bytes,
                });
            }
            self.ensure_parent(&rel)?;
            self.write_file(&mut entry, &rel, mode, size, pool)?;
            self.stats.files += 1;
        } else if kind.is_symlink() {
            let target = entry
                .link_name_bytes()
                .map(|b| b.into_owned())
                .ok_or_else(|| ExtractError::refused(&name, "a symbolic link without a target"))?;
            let target = String::from_utf8(target)
                .map_err(|_| ExtractError::refused(&name, "the link target is not UTF-8"))?;
            check_link_target(&name, &rel, &target)?;
            // Judged at once against the links so far (and again at the end, when the
            // links that came later are known too).
            let target = PathBuf::from(target);
            self.links.insert(rel.clone(), target.clone());
            resolve_in_tree(&rel, &target, &self.links)
                .map_err(|why| ExtractError::refused(&name, why))?;
            self.symlinks.push((rel, target));
        } else if kind.is_hard_link() {
            return Err(ExtractError::refused(
                &name,
                "hard links are not part of official Go archives",
            ));
        } else {
            return Err(ExtractError::refused(
                &name,
                format!(
                    "entry type {:?} (device, fifo or other special file) is not part of official Go archives",
                    kind
                ),
            ));
        }
        Ok(())
    }

    /// Resolves every symbolic link against the whole tree, links included, as the kernel
    /// would once they exist (CPython's `data` filter resolves against the tree the same
    /// way): a target that stays inside by counting `..` can still leave through other
    /// links (`current -> .`, then `up -> current/..`). Links are created after every
    /// file, so they are judged when the whole archive is known.
    fn judge_links(&self) -> Result<(), ExtractError> {
        for (rel, target) in &self.symlinks {
            resolve_in_tree(rel, target, &self.links)
                .map_err(|why| ExtractError::refused(&format!("go/{}", rel.display()), why))?;
        }
        Ok(())
    }

    /// Hands the pending small files to the writers.
    fn flush(&mut self, pool: &WriterPool) {
        if !self.batch.files.is_empty() {
            pool.submit(Job::Batch(std::mem::take(&mut self.batch)));
        }
    }

    fn make_dir(&mut self, rel: &Path, mode: u32) -> Result<(), ExtractError> {
        self.ensure_parent(rel)?;
        let path = self.dest.join(rel);
        match fs::create_dir(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && self.dirs.contains(rel) => {}
            Err(source) => return Err(ExtractError::Write { path, source }),
        }
        // The owner keeps write access so the tree can be removed later.
        let wanted = mode | 0o700;
        if wanted != 0o755 {
            fs::set_permissions(&path, fs::Permissions::from_mode(wanted))
                .map_err(|source| ExtractError::Write { path, source })?;
        }
        self.dirs.insert(rel.to_path_buf());
        Ok(())
    }

    /// Creates the missing parent directories of `rel` (archives need not list them).
    fn ensure_parent(&mut self, rel: &Path) -> Result<(), ExtractError> {
        let Some(parent) = rel.parent() else {
            return Ok(());
        };
        if self.dirs.contains(parent) {
            return Ok(());
        }
        let path = self.dest.join(parent);
        fs::create_dir_all(&path).map_err(|source| ExtractError::Write { path, source })?;
        for ancestor in parent.ancestors() {
            if !self.dirs.insert(ancestor.to_path_buf()) {
                break;
            }
        }
        Ok(())
    }

    fn write_file<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        rel: &Path,
        mode: u32,
        size: u64,
        pool: &WriterPool,
    ) -> Result<(), ExtractError> {
        let path = self.dest.join(rel);
        let needs_chmod = self.umask.is_none_or(|umask| mode & umask != 0);
        if size <= CHUNK as u64 {
            if self.batch.files.is_empty() {
                self.batch.arena = pool.buffers.take();
            }
            let start = self.batch.arena.len();
            entry.read_to_end(&mut self.batch.arena).map_err(|source| {
                ExtractError::corrupt(&format!("the data of go/{}", rel.display()), source)
            })?;
            self.batch.files.push(SmallFile {
                path,
                mode,
                needs_chmod,
                start,
                end: self.batch.arena.len(),
            });
            if self.batch.arena.len() >= BATCH_BYTES || self.batch.files.len() >= BATCH_FILES {
                self.flush(pool);
            }
            return Ok(());
        }
        let file = create_file(&path, mode, needs_chmod)?;
        let file = Arc::new((file, path));
        let mut offset = 0u64;
        loop {
            let mut data = pool.buffers.take();
            let read = entry
                .by_ref()
                .take(CHUNK as u64)
                .read_to_end(&mut data)
                .map_err(|source| {
                    ExtractError::corrupt(&format!("the data of go/{}", rel.display()), source)
                })?;
            if read == 0 {
                pool.buffers.give(data);
                break;
            }
            pool.submit(Job::Chunk {
                file: Arc::clone(&file),
                offset,
                data,
            });
            offset += read as u64;
            pool.check()?;
        }
        Ok(())
    }
}

/// Refuses PAX records an official archive never has and readers disagree on: a
/// malformed record (the tar crate skips it, Go and Python refuse the archive), a key
/// given twice (readers differ on which wins), sparse-file keys.
fn check_pax<R: Read>(entry: &mut tar::Entry<'_, R>, name: &str) -> Result<(), ExtractError> {
    let Ok(Some(records)) = entry.pax_extensions() else {
        return Ok(());
    };
    let mut keys = HashSet::new();
    for record in records {
        let record = record
            .map_err(|_| ExtractError::refused(name, "a malformed PAX record precedes it"))?;
        let key = record.key_bytes();
        if key.starts_with(b"GNU.sparse") {
            return Err(ExtractError::refused(
                name,
                "a PAX sparse-file record: not part of official Go archives",
            ));
        }
        if !keys.insert(key.to_vec()) {
            return Err(ExtractError::refused(
                name,
                format!(
                    "the PAX key `{}` is given twice",
                    String::from_utf8_lossy(key)
                ),
            ));
        }
    }
    Ok(())
}

/// Strips `go/` from an entry name and checks every component; `None` for `go/` itself.
fn relative_name(name: &str) -> Result<Option<PathBuf>, ExtractError> {
    if name.starts_with('/') {
        return Err(ExtractError::refused(
            name,
            "absolute paths are not allowed",
        ));
    }
    let trimmed = name.trim_end_matches('/');
    let mut parts = trimmed.split('/');
    if parts.next() != Some("go") {
        return Err(ExtractError::refused(
            name,
            "everything in an official Go archive lies under go/",
        ));
    }
    let mut rel = PathBuf::new();
    for part in parts {
        match part {
            "" | "." => {
                return Err(ExtractError::refused(
                    name,
                    "empty or `.` path components are not allowed",
                ));
            }
            ".." => return Err(ExtractError::refused(name, "`..` is not allowed")),
            _ if part.contains('\0') => {
                return Err(ExtractError::refused(name, "NUL in a name"));
            }
            _ => rel.push(part),
        }
    }
    Ok((!rel.as_os_str().is_empty()).then_some(rel))
}

/// Refuses symbolic links that are absolute or climb out of the tree.
fn check_link_target(name: &str, rel: &Path, target: &str) -> Result<(), ExtractError> {
    if target.is_empty() || target.starts_with('/') {
        return Err(ExtractError::refused(
            name,
            format!("the link target `{target}` is absolute or empty"),
        ));
    }
    let mut depth: i64 = rel.components().count() as i64 - 1;
    for component in Path::new(target).components() {
        match component {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => {
                return Err(ExtractError::refused(
                    name,
                    format!("the link target `{target}` is not a relative path"),
                ));
            }
        }
        if depth < 0 {
            return Err(ExtractError::refused(
                name,
                format!("the link target `{target}` leaves the go/ tree"),
            ));
        }
    }
    Ok(())
}

/// Follows `target` from the directory holding `link` through the tree's own links
/// (`links`: link path → target, all relative to the root), and says why it would leave
/// the root. Components that do not exist are taken as written; the kernel's limit of 40
/// links in one resolution bounds the walk.
fn resolve_in_tree(
    link: &Path,
    target: &Path,
    links: &HashMap<PathBuf, PathBuf>,
) -> Result<(), String> {
    const MAX_LINKS: usize = 40;
    // Nothing of the archive lies beneath one of its links, so the link's parent is a
    // real directory path.
    let mut at: PathBuf = link.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut pending: VecDeque<OsString> = VecDeque::new();
    let push_front = |pending: &mut VecDeque<OsString>, path: &Path| -> Result<(), String> {
        let mut parts = Vec::new();
        for component in path.components() {
            match component {
                Component::Normal(name) => parts.push(name.to_os_string()),
                Component::ParentDir => parts.push("..".into()),
                Component::CurDir => {}
                _ => return Err(format!("the link target `{}` is absolute", path.display())),
            }
        }
        for part in parts.into_iter().rev() {
            pending.push_front(part);
        }
        Ok(())
    };
    push_front(&mut pending, target)?;
    let mut followed = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            if !at.pop() {
                return Err(format!(
                    "the link target `{}` resolves outside the go/ tree (through the archive's links)",
                    target.display()
                ));
            }
            continue;
        }
        at.push(&part);
        if let Some(next) = links.get(at.as_path()) {
            followed += 1;
            if followed > MAX_LINKS {
                return Err(format!(
                    "the link target `{}` goes through more than {MAX_LINKS} links",
                    target.display()
                ));
            }
            at.pop();
            push_front(&mut pending, next)?;
        }
    }
    Ok(())
}

fn create_file(path: &Path, mode: u32, needs_chmod: bool) -> Result<File, ExtractError> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
        .map_err(|source| ExtractError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    if needs_chmod {
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(|source| ExtractError::Write {
                path: path.to_path_buf(),
                source,
            })?;
    }
    Ok(file)
}

/// The process umask, read without changing it (`/proc/self/status`, Linux 4.7+).
fn current_umask() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Umask:"))?;
    u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).ok()
}

/// A file small enough to be read whole and written by one job; its bytes are
/// `arena[start..end]` of its batch.
struct SmallFile {
    path: PathBuf,
    mode: u32,
    needs_chmod: bool,
    start: usize,
    end: usize,
}

/// Small files and their contents, back to back in one buffer.
#[derive(Default)]
struct Batch {
    arena: Vec<u8>,
    files: Vec<SmallFile>,
}

enum Job {
    Batch(Batch),
    Chunk {
        file: Arc<(File, PathBuf)>,
        offset: u64,
        data: Vec<u8>,
    },
}

impl Job {
    /// Writes the job's bytes, then returns its buffer to `buffers`.
    fn run(self, buffers: &Buffers) -> Result<(), ExtractError> {
        match self {
            Job::Batch(Batch { arena, files }) => {
                let written = files.into_iter().try_for_each(|f| {
                    let file = create_file(&f.path, f.mode, f.needs_chmod)?;
                    file.write_all_at(&arena[f.start..f.end], 0)
                        .map_err(|source| ExtractError::Write {
                            path: f.path,
                            source,
                        })
                });
                buffers.give(arena);
                written
            }
            Job::Chunk { file, offset, data } => {
                let written =
                    file.0
                        .write_all_at(&data, offset)
                        .map_err(|source| ExtractError::Write {
                            path: file.1.clone(),
                            source,
                        });
                buffers.give(data);
                written
            }
        }
    }
}

/// Writer threads behind a bounded queue; the first error stops the extraction.
struct WriterPool {
    buffers: Arc<Buffers>,
    sender: Option<SyncSender<Job>>,
    handles: Vec<JoinHandle<()>>,
    failure: Arc<Mutex<Option<ExtractError>>>,
}

impl WriterPool {
    fn start(writers: usize) -> WriterPool {
        let failure: Arc<Mutex<Option<ExtractError>>> = Arc::default();
        // Enough idle buffers for a full queue plus one in the making per thread.
        let buffers = Arc::new(Buffers::new(CHUNK, QUEUE_DEPTH + writers + 2));
        if writers == 0 {
            return WriterPool {
                buffers,
                sender: None,
                handles: Vec::new(),
                failure,
            };
        }
        let (sender, receiver) = sync_channel::<Job>(QUEUE_DEPTH);
        let receiver = Arc::new(Mutex::new(receiver));
        let handles = (0..writers)
            .map(|_| {
                let receiver = Arc::clone(&receiver);
                let failure = Arc::clone(&failure);
                let buffers = Arc::clone(&buffers);
                std::thread::spawn(move || writer_loop(&receiver, &failure, &buffers))
            })
            .collect();
        WriterPool {
            buffers,
            sender: Some(sender),
            handles,
            failure,
        }
    }

    fn submit(&self, job: Job) {
        match &self.sender {
            Some(sender) => {
                // A send fails only when every writer has stopped, which they do only
                // after recording a failure; `check` reports it.
                let _ = sender.send(job);
            }
            None => {
                if let Err(e) = job.run(&self.buffers) {
                    record(&self.failure, e);
                }
            }
        }
    }

    /// Returns the first writer failure so far, if any.
    fn check(&self) -> Result<(), ExtractError> {
        match self.failure.lock() {
            Ok(mut slot) => slot.take().map_or(Ok(()), Err),
            Err(_) => Err(ExtractError::Write {
                path: PathBuf::new(),
                source: io::Error::other("a writer thread panicked"),
            }),
        }
    }

    /// Waits for every queued write and returns the first failure.
    fn finish(mut self) -> Result<(), ExtractError> {
        drop(self.sender.take());
        let mut panicked = false;
        for handle in self.handles.drain(..) {
            panicked |= handle.join().is_err();
        }
        self.check()?;
        if panicked {
            return Err(ExtractError::Write {
                path: PathBuf::new(),
                source: io::Error::other("a writer thread panicked"),
            });
        }
        Ok(())
    }
}

fn record(failure: &Mutex<Option<ExtractError>>, error: ExtractError) {
    if let Ok(mut slot) = failure.lock() {
        slot.get_or_insert(error);
    }
}

fn writer_loop(
    receiver: &Mutex<Receiver<Job>>,
    failure: &Mutex<Option<ExtractError>>,
    buffers: &Buffers,
) {
    loop {
        let job = match receiver.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else {
            return;
        };
        if let Err(e) = job.run(buffers) {
            record(failure, e);
            return;
        }
    }
}

#[cfg(test)]
// Tests build fixture trees directly; what they write is not user state.
#[allow(clippy::disallowed_methods)]
mod tests;
