//! Two folders of a release's artifacts (an ISO, a USB image, upgrade
//! kits, checksum lists) compared as one report.
//!
//! Engine stage (formats → **engine** → diagnosis → report), in front of
//! the image comparison: both trees are walked without following links
//! (bounded in entries and depth), every regular file is hashed, artifacts
//! are paired by relative path, and equal size and SHA-256 settle a pair
//! without opening it as an image. Each differing pair is compared as two
//! images are, its node addressed by the relative path so its members read
//! `tails.img::live/filesystem.squashfs::etc/os-release`; diagnosis then
//! runs once over the whole release. Links are compared by target, other
//! special files by kind: neither is ever opened.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::Ordering;

use rayon::prelude::*;
use reprodiff_formats::{Blob, Kind, Role, Value};
use sha2::{Digest, Sha256};

use super::{differing_bytes, finish, sums, Ctx, Explain, Options};
use crate::report::{Input, Node, Report, Status};

/// Entries walked per folder at most; past it the walk stops with an error
/// on the report's root.
pub const MAX_ENTRIES: usize = 1_000_000;
/// Folder nesting walked at most.
pub const MAX_DEPTH: usize = 64;
/// Pairs larger than this are compared one at a time, so that at most one
/// large pair's decoded members are held at once; smaller ones in parallel.
const LARGE: u64 = 64 << 20;

/// One entry of a walked folder, by what it is; only regular files are
/// ever opened, to be hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Item {
    File {
        size: u64,
        sha256: [u8; 32],
    },
    Link(String),
    Dir,
    /// A FIFO, socket or device: listed by kind, never opened.
    Special(Kind),
    /// A file that could not be read, with why.
    Unreadable(String),
}

impl Item {
    fn kind(&self) -> Kind {
        match self {
            Item::File { .. } | Item::Unreadable(_) => Kind::File,
            Item::Link(_) => Kind::Symlink,
            Item::Dir => Kind::Dir,
            Item::Special(k) => *k,
        }
    }

    fn size(&self) -> Option<u64> {
        match self {
            Item::File { size, .. } => Some(*size),
            _ => None,
        }
    }
}

/// A walked folder: its entries by relative path (`/`-separated), and what
/// stopped the walk short.
pub(super) struct Tree {
    pub items: BTreeMap<String, Item>,
    pub errors: Vec<String>,
}

impl Tree {
    /// Bytes of regular files, the folder's size in the report.
    fn size(&self) -> u64 {
        self.items.values().filter_map(Item::size).sum()
    }

    /// SHA-256 of the lines `<file sha256 hex>  <relative path>\n` of every
    /// regular file, sorted by path: what `sha256sum` prints for the
    /// files, listed in that order, hashed.
    fn digest(&self) -> String {
        let mut h = Sha256::new();
        for (path, item) in &self.items {
            if let Item::File { sha256, .. } = item {
                h.update(format!("{}  {path}\n", hex(sha256)).as_bytes());
            }
        }
        hex(&h.finalize())
    }
}

pub(super) fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn kind_of(m: &Metadata) -> Option<Kind> {
    let t = m.file_type();
    Some(if t.is_symlink() {
        Kind::Symlink
    } else if t.is_dir() {
        Kind::Dir
    } else if t.is_file() {
        Kind::File
    } else if t.is_fifo() {
        Kind::Fifo
    } else if t.is_socket() {
        Kind::Socket
    } else if t.is_char_device() {
        Kind::CharDevice
    } else if t.is_block_device() {
        Kind::BlockDevice
    } else {
        return None;
    })
}

/// Walks `root` in sorted order without following links, then hashes its
/// regular files in parallel.
pub(super) fn walk(root: &Path, opts: &Options) -> io::Result<Tree> {
    let (mut tree, files) = walk_files(root, opts)?;
    let hashed: Vec<(String, Item)> = files
        .into_par_iter()
        .map(|(rel, path)| {
            let item = match hash_file(&path, opts) {
                Ok((size, sha256)) => Item::File { size, sha256 },
                Err(e) => Item::Unreadable(e.to_string()),
            };
            (rel, item)
        })
        .collect();
    tree.items.extend(hashed);
    Ok(tree)
}

/// The walk of `root` without reading any file: its items (regular files
/// with a zero digest) and the regular files to read, (relative path,
/// path on disk).
fn walk_files(root: &Path, opts: &Options) -> io::Result<(Tree, Vec<(String, PathBuf)>)> {
    let mut items = BTreeMap::new();
    let mut errors = Vec::new();
    let mut files = Vec::new();
    // (folder on disk, its relative path, depth)
    let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
    while let Some((dir, rel, depth)) = stack.pop() {
        let mut names: Vec<_> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(Result::ok).map(|e| e.file_name()).collect(),
            Err(e) if rel.is_empty() => return Err(e),
            Err(e) => {
                items.insert(rel.clone(), Item::Unreadable(e.to_string()));
                continue;
            }
        };
        names.sort();
        // Pushed in reverse so folders are walked in name order.
        for name in names.into_iter().rev() {
            if items.len() >= MAX_ENTRIES {
                errors.push(format!("walk stopped at {MAX_ENTRIES} entries"));
                stack.clear();
                break;
            }
            let path = dir.join(&name);
            let name = name.to_string_lossy();
            let rel = if rel.is_empty() {
                name.into_owned()
            } else {
                format!("{rel}/{name}")
            };
            let item = match path.symlink_metadata() {
                Err(e) => Item::Unreadable(e.to_string()),
                Ok(m) => match kind_of(&m) {
                    Some(Kind::Symlink) => match std::fs::read_link(&path) {
                        Ok(t) => Item::Link(t.to_string_lossy().into_owned()),
                        Err(e) => Item::Unreadable(e.to_string()),
                    },
                    Some(Kind::Dir) if depth + 1 >= MAX_DEPTH => {
                        errors.push(format!("{rel}: not walked, deeper than {MAX_DEPTH}"));
                        Item::Dir
                    }
                    Some(Kind::Dir) => {
                        stack.push((path, rel.clone(), depth + 1));
                        Item::Dir
                    }
                    Some(Kind::File) => {
                        files.push((rel.clone(), path));
                        Item::File {
                            size: m.len(),
                            sha256: [0; 32],
                        }
                    }
                    Some(k) => Item::Special(k),
                    None => Item::Unreadable("unknown file type".into()),
                },
            };
            items.insert(rel, item);
        }
        if opts.cancelled() {
            break;
        }
    }
    Ok((Tree { items, errors }, files))
}

/// Opens a regular file without following a link or blocking (a FIFO put
/// in its place since the walk saw it), checks it is still a regular file.
pub(super) fn open_regular(path: &Path) -> io::Result<File> {
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::other("no longer a regular file"));
    }
    Ok(f)
}

/// Size and SHA-256 of a regular file, read once in 1 MiB chunks.
fn hash_file(path: &Path, opts: &Options) -> io::Result<(u64, [u8; 32])> {
    let d = super::digest::read_digests(open_regular(path)?, false, Some(opts))?;
    Ok((d.size, d.sha256))
}

/// One regular file of a release folder as an attestation names it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestedFile {
    /// Relative path, `/`-separated.
    pub name: String,
    pub sha256: String,
    pub sha512: String,
}

/// Every regular file of the folder `root` (in path order, read once more
/// from disk, SHA-256 and SHA-512 each) and the folder's digest as the
/// report gives it for an input folder: what an attestation about a
/// release names. A file that cannot be read is an error: an attestation
/// does not skip what it cannot vouch for.
pub fn attested_files(root: &Path) -> io::Result<(Vec<AttestedFile>, String)> {
    let opts = Options::default();
    let (mut tree, files) = walk_files(root, &opts)?;
    if let Some(e) = tree.errors.first() {
        return Err(io::Error::other(e.clone()));
    }
    if let Some((rel, Item::Unreadable(e))) = tree
        .items
        .iter()
        .find(|(_, i)| matches!(i, Item::Unreadable(_)))
    {
        return Err(io::Error::other(format!("{rel}: {e}")));
    }
    let read: Vec<io::Result<(String, super::digest::Digests)>> = files
        .into_par_iter()
        .map(|(rel, path)| {
            let d = super::digest::read_digests(open_regular(&path)?, true, None)?;
            Ok((rel, d))
        })
        .collect();
    let mut out = Vec::new();
    for r in read {
        let (rel, d) = r?;
        tree.items.insert(
            rel.clone(),
            Item::File {
                size: d.size,
                sha256: d.sha256,
            },
        );
        out.push(AttestedFile {
            name: rel,
            sha256: hex(&d.sha256),
            sha512: d.sha512.map_or_else(String::new, |x| hex(&x)),
        });
    }
    out.sort_by(|x, y| x.name.cmp(&y.name));
    Ok((out, tree.digest()))
}

/// Compares two folders of artifacts.
pub fn compare_folders(
    a: &Path,
    b: &Path,
    opts: &Options,
    explain: &dyn Explain,
) -> io::Result<Report> {
    let (ta, tb) = rayon::join(|| walk(a, opts), || walk(b, opts));
    let (ta, tb) = (ta?, tb?);
    let ctx = Ctx::new(opts, explain);
    let mut root = Node::new("", Status::Identical);
    root.kind = Some(Kind::Dir);
    root.format = Some("folder".into());
    root.size_a = Some(ta.size());
    root.size_b = Some(tb.size());
    for e in &ta.errors {
        root.errors.push(format!("a: {e}"));
    }
    for e in &tb.errors {
        root.errors.push(format!("b: {e}"));
    }
    let paths: BTreeSet<&String> = ta.items.keys().chain(tb.items.keys()).collect();
    let mut differing = Vec::new();
    let mut children = Vec::new();
    for path in paths {
        if ctx.excluded(path) {
            continue;
        }
        match (ta.items.get(path), tb.items.get(path)) {
            (Some(x), Some(y)) => {
                ctx.compared.fetch_add(1, Ordering::Relaxed);
                match (x, y) {
                    (
                        Item::File {
                            size: sa,
                            sha256: ha,
                        },
                        Item::File {
                            size: sb,
                            sha256: hb,
                        },
                    ) => {
                        if sa == sb && ha == hb {
                            ctx.identical.fetch_add(1, Ordering::Relaxed);
                            children.push(identical_file(path, *sa, ha));
                        } else {
                            differing.push((path.clone(), *sa.max(sb)));
                        }
                    }
                    _ => {
                        let n = other_pair(&ctx, path, x, y);
                        if n.status == Status::Identical {
                            ctx.identical.fetch_add(1, Ordering::Relaxed);
                        }
                        if n.status != Status::Identical || x.kind() != Kind::Dir {
                            children.push(n);
                        }
                    }
                }
            }
            (Some(x), None) => children.push(one_sided(path, x, Status::Removed)),
            (None, Some(y)) => children.push(one_sided(path, y, Status::Added)),
            (None, None) => {}
        }
    }
    // Small pairs in parallel (one per task, so that a run of costly pairs
    // is shared between the cores), large ones one after the other.
    let (large, small): (Vec<_>, Vec<_>) = differing.into_iter().partition(|p| p.1 > LARGE);
    let compare = |path: &String| artifact(&ctx, (a, b), path);
    let mut compared: Vec<Node> = small
        .par_iter()
        .with_max_len(1)
        .map(|p| compare(&p.0))
        .collect();
    compared.extend(large.iter().map(|p| compare(&p.0)));
    children.extend(compared);
    children.sort_by(|x, y| x.address.cmp(&y.address));
    for n in &children {
        if n.status != Status::Identical {
            if let Some(cb) = &ctx.opts.on_subtree {
                (cb.0)(n);
            }
        }
    }
    root.children = children;
    sums::verdicts(&ctx, &mut root, ((a, &ta), (b, &tb)));
    if !root.errors.is_empty()
        || !root.changes.is_empty()
        || root.children.iter().any(|c| c.status != Status::Identical)
    {
        root.status = Status::Modified;
    }
    let input = |p: &Path, t: &Tree| Input {
        path: p.display().to_string(),
        size: t.size(),
        sha256: t.digest(),
    };
    let inputs = (input(a, &ta), input(b, &tb));
    Ok(finish(&ctx, root, inputs))
}

/// The node of two files equal in size and SHA-256: listed with that
/// digest, not opened (so it has no children).
fn identical_file(path: &str, size: u64, sha256: &[u8; 32]) -> Node {
    let mut n = Node::new(path, Status::Identical);
    n.sha256 = Some(super::digest::hex(sha256));
    n.kind = Some(Kind::File);
    n.size_a = Some(size);
    n.size_b = Some(size);
    n
}

fn one_sided(path: &str, item: &Item, status: Status) -> Node {
    let mut n = Node::new(path, status);
    n.kind = Some(item.kind());
    let size = item.size();
    match status {
        Status::Removed => n.size_a = size,
        _ => n.size_b = size,
    }
    if let Item::Unreadable(e) = item {
        n.errors.push(e.clone());
    }
    n
}

/// Two entries not both regular files: compared by kind, link target and
/// readability, never opened.
fn other_pair(ctx: &Ctx, path: &str, x: &Item, y: &Item) -> Node {
    let mut n = Node::new(path, Status::Identical);
    n.kind = Some(y.kind());
    n.size_a = x.size();
    n.size_b = y.size();
    let (ka, kb) = (x.kind(), y.kind());
    if ka != kb {
        let text = |k: Kind| Some(Value::text(k.as_str()));
        ctx.change(&mut n, "kind", Role::Content, text(ka), text(kb));
    }
    let target = |i: &Item| match i {
        Item::Link(t) => Some(Value::Text(t.clone())),
        _ => None,
    };
    ctx.change(&mut n, "target", Role::LinkTarget, target(x), target(y));
    for (side, i) in [("a", x), ("b", y)] {
        if let Item::Unreadable(e) = i {
            n.errors.push(format!("{side}: {e}"));
        }
    }
    if !n.changes.is_empty() || !n.errors.is_empty() {
        n.status = Status::Modified;
    }
    n
}

/// Compares one differing pair of artifacts as two images, at the address
/// of its relative path.
fn artifact(ctx: &Ctx, (a, b): (&Path, &Path), path: &str) -> Node {
    let open = |root: &Path| {
        let f = open_regular(&root.join(path))?;
        Blob::from_file(&f)
    };
    match (open(a), open(b)) {
        (Ok(x), Ok(y)) if x.bytes() == y.bytes() => {
            // Changed between the hashing and now: say so rather than guess.
            let mut n = Node::new(path, Status::Modified);
            n.errors.push("changed while being compared".into());
            n
        }
        (Ok(x), Ok(y)) => {
            let mut n = differing_bytes(ctx, path, &x, &y, 1);
            n.kind = Some(Kind::File);
            n
        }
        (x, y) => {
            let mut n = Node::new(path, Status::Modified);
            n.kind = Some(Kind::File);
            for (side, r) in [("a", x.err()), ("b", y.err())] {
                if let Some(e) = r {
                    n.errors.push(format!("{side}: {e}"));
                }
            }
            n
        }
    }
}

/// The artifact `address` starts with, in folder `root`: the longest run
/// of its `::` levels naming a regular file reached without a link, its
/// bytes, and the rest of the address (empty for the artifact itself).
pub fn open_artifact<'a>(root: &Path, address: &'a str) -> io::Result<(Blob, &'a str)> {
    let sep = crate::report::address::SEP;
    let mut cuts: Vec<usize> = address.match_indices(sep).map(|(i, _)| i).collect();
    cuts.push(address.len());
    for &cut in cuts.iter().rev() {
        let rel = address.get(..cut).unwrap_or_default();
        let Some(path) = inside(root, rel) else {
            continue;
        };
        if let Ok(f) = open_regular(&path) {
            let rest = address.get(cut..).unwrap_or_default();
            return Ok((Blob::from_file(&f)?, rest.strip_prefix(sep).unwrap_or(rest)));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("{address}: no such artifact"),
    ))
}

/// `rel` joined to `root` when it names something inside it reached
/// through folders only: no `..`, no absolute part, no link on the way.
fn inside(root: &Path, rel: &str) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    let parts: Vec<Component> = Path::new(rel).components().collect();
    if parts.is_empty() {
        return None;
    }
    for (i, c) in parts.iter().enumerate() {
        let Component::Normal(name) = c else {
            return None;
        };
        path.push(name);
        let m = path.symlink_metadata().ok()?;
        let last = i + 1 == parts.len();
        if m.file_type().is_symlink() || (!last && !m.is_dir()) {
            return None;
        }
    }
    Some(path)
}
