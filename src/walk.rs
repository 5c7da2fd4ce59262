//! The walker: recurses from an outer image through every container layer the
//! formats crate can open, building one tree of nodes with full addresses.
//!
//! It sits between formats/ and the presenters (bytes → formats → **walk** →
//! listing/report → presenters). Containers are opened in parallel (rayon)
//! and children keep on-disk order, so the result is deterministic. Errors in
//! a nested member become error nodes; the walk of everything else goes on.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use reprodiff_formats::{
    self as formats, Blob, Container, Data, Entry, ErrorKind, Field, Format, Limits,
};

use crate::engine::members::each_member_of;
use crate::engine::streamed::{read_decoded, Input};

use crate::report::Address;

/// What to descend into.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub limits: Limits,
    /// Decode SquashFS file data to look for nested containers. Off for `ls`:
    /// listing must never decode SquashFS file data.
    pub descend_squashfs_files: bool,
    /// Memory budget of [`stream`] (`ls --max-memory`): a compressed tar or
    /// cpio archive decoding to more than half of it is listed as it
    /// decodes, and a member of such an archive is read to look inside it
    /// only up to a quarter of it.
    pub max_memory: u64,
}

impl Default for WalkOptions {
    fn default() -> WalkOptions {
        WalkOptions {
            limits: Limits::default(),
            descend_squashfs_files: false,
            max_memory: 512 << 20,
        }
    }
}

/// One node of the walked tree: an entry of a container, possibly itself a
/// container with children.
#[derive(Debug, Clone)]
pub struct Node {
    /// Full address from the outer image.
    pub address: String,
    /// The entry as its container lists it (`None` for the root).
    pub entry: Option<Entry>,
    /// Offset of the entry's first byte within its parent container's source.
    pub offset: Option<u64>,
    /// Size in bytes (the entry's size, or the whole image for the root).
    pub size: u64,
    /// Set when this entry is itself a container that was opened.
    pub container: Option<ContainerInfo>,
    /// Why this node could not be opened or read, if it could not.
    pub error: Option<String>,
    /// Address of an earlier sibling with the very same bytes, when this entry
    /// was not descended into again (a Joliet name, a boot image that is also
    /// a file, a hard link).
    pub same_as: Option<String>,
    pub children: Vec<Node>,
}

/// What the walker keeps of an opened container.
#[derive(Debug, Clone)]
pub struct ContainerInfo {
    /// Display name of the format chain, e.g. `tar+xz`.
    pub format: String,
    pub fields: Vec<Field>,
    /// Non-fatal reader errors, rendered.
    pub errors: Vec<String>,
}

/// Opens and walks the image at `path`.
pub fn walk_file(path: &std::path::Path, opts: &WalkOptions) -> std::io::Result<Node> {
    let blob = Blob::open(path)?;
    Ok(walk_blob(&blob, opts))
}

/// Walks an in-memory image; the root node has an empty address.
pub fn walk_blob(blob: &Blob, opts: &WalkOptions) -> Node {
    let mut root = root(blob);
    descend(&mut root, blob, 0, opts);
    root
}

/// The node of the image itself, before it is opened.
fn root(blob: &Blob) -> Node {
    Node {
        address: String::new(),
        entry: None,
        offset: None,
        size: blob.len(),
        container: None,
        error: None,
        same_as: None,
        children: Vec::new(),
    }
}

/// Opens `blob` as a container (if it is one) and fills `node`'s children.
fn descend(node: &mut Node, blob: &Blob, depth: usize, opts: &WalkOptions) {
    if let Some(container) = open(node, blob, depth, opts) {
        node.children = children(&node.address, &container, depth, opts);
    }
}

/// Opens `blob` as a container when it is one, recording on `node` what
/// the walker keeps of it (format, fields, reader errors) or why it could
/// not be opened.
fn open(node: &mut Node, blob: &Blob, depth: usize, opts: &WalkOptions) -> Option<Container> {
    formats::detect(blob.bytes())?;
    if depth >= opts.limits.max_depth {
        node.error = Some(format!(
            "not opened: nesting deeper than {} levels",
            opts.limits.max_depth
        ));
        return None;
    }
    opened(node, formats::open(blob, &opts.limits))
}

/// Records on `node` what an open gave: the container, or why there is
/// none.
fn opened(node: &mut Node, r: formats::Result<Option<Container>>) -> Option<Container> {
    let container = match r {
        Ok(Some(c)) => c,
        Ok(None) => return None,
        Err(e) => {
            node.error = Some(e.to_string());
            return None;
        }
    };
    node.container = Some(ContainerInfo {
        format: container.format_name(),
        fields: container.fields.clone(),
        errors: container.errors.iter().map(|e| e.to_string()).collect(),
    });
    Some(container)
}

/// Walks `blob` depth first in on-disk order, handing each node (its
/// `children` empty) to `f` as it is met, before the entries below it.
/// Only the containers on the path to the current entry are open, so
/// memory follows the nesting and the largest container's own entry table,
/// not the length of the listing; a SquashFS image (a root file system of
/// a hundred thousand files) is not even listed whole, but walked member
/// by member (see [`stream_squashfs`]). Sequential: the order is the
/// tree's.
pub fn stream(
    blob: &Blob,
    opts: &WalkOptions,
    f: &mut dyn FnMut(&Node) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut root = root(blob);
    stream_node(&mut root, Some(blob), 0, opts, f)
}

/// Hands `n` to `f`, opening `blob` (its bytes, when they were read) first
/// and streaming what is below it after.
fn stream_node(
    n: &mut Node,
    blob: Option<&Blob>,
    depth: usize,
    opts: &WalkOptions,
    f: &mut dyn FnMut(&Node) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let Some(blob) = blob else {
        return f(n);
    };
    let format = formats::detect(blob.bytes());
    if depth < opts.limits.max_depth {
        if format == Some(Format::SquashFs) {
            return stream_squashfs(n, blob, depth, opts, f);
        }
        if let Some(codec) = format.filter(|f| f.is_stream()) {
            if let Some(inner) = archive_in(blob, codec) {
                return stream_archive(n, blob, (codec, inner), depth, opts, f);
            }
        }
    }
    let container = open(n, blob, depth, opts);
    f(n)?;
    match container {
        Some(c) => stream_children(&n.address, &c, depth, opts, f),
        None => Ok(()),
    }
}

fn stream_children(
    parent: &str,
    c: &Container,
    depth: usize,
    opts: &WalkOptions,
    f: &mut dyn FnMut(&Node) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let same = aliases(c);
    for (i, e) in c.entries.iter().enumerate() {
        let mut n = entry_node(parent, c, &same, i, e);
        let blob = read_wanted(&mut n, c, e, opts);
        stream_node(&mut n, blob.as_ref(), depth + 1, opts, f)?;
    }
    Ok(())
}

/// The bytes of `e` when it is to be looked into ([`wanted`]); a read
/// error is the node's.
fn read_wanted(n: &mut Node, c: &Container, e: &Entry, opts: &WalkOptions) -> Option<Blob> {
    if !wanted(n, e, opts) {
        return None;
    }
    match c.read_entry(e, &opts.limits) {
        Ok(b) => match c.nests_itself(e, b.bytes()) {
            Some(why) => {
                n.error = Some(why);
                None
            }
            None => Some(b),
        },
        Err(err) => {
            n.error = Some(err.to_string());
            None
        }
    }
}

/// The archive a compressed stream holds, when it is one whose members
/// can be read as it decodes (tar, cpio).
fn archive_in(blob: &Blob, codec: Format) -> Option<Format> {
    formats::stream::peek(blob, codec, formats::PEEK)
        .ok()
        .and_then(|head| formats::detect(&head))
        .filter(|f| matches!(f, Format::Tar | Format::Cpio))
}

/// A compressed tar or cpio archive (`data.tar.xz`, an initrd's main
/// archive): held and listed like any container when it decodes within
/// half the memory budget, otherwise listed as it decodes, in two passes
/// and never held. The first pass learns what is shown with the archive,
/// before its members: its fields, the problems its reader met, and how
/// many members are whole (a member the stream cuts short is not listed,
/// as when held). The second hands out the members, each read to look
/// inside it only up to a quarter of the budget. So an archive over the
/// budget costs two decodes, and its listing is the held one, except
/// that several cpio archives in one stream are listed as the kernel
/// reads them, as one sequence of members (with `cpio.archives`).
///
/// A stream that declares its decoded size (an xz index, a zstd frame
/// header, a gzip trailer) is held or not on its word. One that does not
/// is kept as the first pass decodes it, up to half the budget: if it ends
/// within that, it is listed held from what was kept, without decoding it
/// again.
fn stream_archive(
    n: &mut Node,
    blob: &Blob,
    (codec, inner): (Format, Format),
    depth: usize,
    opts: &WalkOptions,
    f: &mut dyn FnMut(&Node) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let limits = &opts.limits;
    let budget = opts.max_memory / 2;
    let cap = limits.decoded_cap(blob.len());
    let declared = formats::stream::declared_size(blob, codec);
    let held = |n: &mut Node, r, f: &mut dyn FnMut(&Node) -> std::io::Result<()>| {
        let c = opened(n, r);
        f(n)?;
        match c {
            Some(c) => stream_children(&n.address, &c, depth, opts, f),
            None => Ok(()),
        }
    };
    if declared.is_some_and(|size| size <= budget) || budget >= cap {
        let capped = Limits {
            max_decoded: limits.max_decoded.min(budget),
            ..limits.clone()
        };
        match formats::open(blob, &capped) {
            // It declared less than it holds: listed as it decodes after all.
            Err(e) if budget < cap && e.kind == ErrorKind::DecodedCap { cap: budget } => {}
            r => return held(n, r, f),
        }
    }
    let each = each_member_of(inner);
    let input = || Input {
        raw: blob,
        codec,
        cap,
    };
    let mut whole = 0usize;
    // Kept as it is read while it may still fit (a size not declared).
    let mut kept = Kept {
        bytes: declared.is_none().then(Vec::new),
        budget,
    };
    let (ended, decoded) = read_decoded(input(), |r| {
        let mut r = Tee { r, kept: &mut kept };
        let mut cut = false;
        let ended = each(&mut r, limits, &mut |e, data| {
            let got = std::io::copy(data, &mut std::io::sink()).unwrap_or(0);
            cut |= got < stored_len(&e);
            whole += usize::from(!cut);
            Ok(())
        });
        // To the end: damage after the archive fails the stream, as held.
        let _ = std::io::copy(&mut r, &mut std::io::sink());
        ended
    });
    if let (Ok(_), Some(bytes)) = (&decoded, kept.bytes) {
        let r = formats::open_decoded(blob, codec, Blob::from_vec(bytes), limits);
        return held(n, r, f);
    }
    match (decoded, ended) {
        (Err(e), _) | (Ok(_), Err(e)) => {
            n.error = Some(e.to_string());
            return f(n);
        }
        (Ok(_), Ok((fields, errors))) => {
            let mut all = formats::stream::header_fields(blob, codec);
            all.extend(fields);
            n.container = Some(ContainerInfo {
                format: format!("{}+{}", inner.name(), codec.name()),
                fields: all,
                errors: errors.iter().map(|e| e.to_string()).collect(),
            });
        }
    }
    f(n)?;
    let parent = n.address.clone();
    let member_cap = opts.max_memory / 4;
    let mut out = Ok(());
    let stop = || formats::Error::invalid(inner, 0, "listing stopped");
    // How this decode and read end is known from the first pass: the same
    // bytes, read the same way.
    let _ = read_decoded(input(), |r| {
        each(r, limits, &mut |e, data| {
            if whole == 0 {
                return Err(stop());
            }
            whole -= 1;
            let mut child = member_node(child_address(&parent, &e.path), e, None);
            let bytes = read_member(&mut child, data, member_cap, opts);
            if let Err(err) = stream_node(&mut child, bytes.as_ref(), depth + 1, opts, f) {
                out = Err(err);
                return Err(stop());
            }
            Ok(())
        })
    });
    out
}

/// The decoded bytes of a stream as they are read, while they fit `budget`;
/// `None` once they do not.
struct Kept {
    bytes: Option<Vec<u8>>,
    budget: u64,
}

/// A reader that keeps what it reads in [`Kept`].
struct Tee<'a, 'k> {
    r: &'a mut dyn std::io::Read,
    kept: &'k mut Kept,
}

impl std::io::Read for Tee<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.r.read(buf)?;
        if let Some(v) = &mut self.kept.bytes {
            let got = buf.get(..n).unwrap_or(&[]);
            let len = v.len() + got.len();
            if len as u64 > self.kept.budget {
                self.kept.bytes = None;
            } else {
                // Doubling, but never past the budget.
                if len > v.capacity() {
                    let want = (v.capacity() * 2).max(len).min(self.kept.budget as usize);
                    v.reserve_exact(want - v.len());
                }
                v.extend_from_slice(got);
            }
        }
        Ok(n)
    }
}

/// How many bytes of a streamed member's data the archive stores.
fn stored_len(e: &Entry) -> u64 {
    match &e.data {
        Data::Range(x) => x.len,
        _ => 0,
    }
}

/// The bytes of a streamed archive's member when it is to be looked into
/// ([`wanted`]) and begins like something `formats::open` opens, read
/// whole when they fit `cap`. One over `cap` says on its node that it was
/// not opened, and why; one that opens as nothing is left unread.
fn read_member(
    n: &mut Node,
    data: &mut dyn std::io::Read,
    cap: u64,
    opts: &WalkOptions,
) -> Option<Blob> {
    use std::io::Read;
    let e = n.entry.as_ref()?;
    if !wanted(n, e, opts) || !matches!(e.data, Data::Range(_)) {
        return None;
    }
    let len = stored_len(e);
    let mut head = Vec::new();
    data.take(formats::PEEK as u64)
        .read_to_end(&mut head)
        .ok()?;
    if !would_open(&head, &opts.limits) {
        return None;
    }
    if len > cap {
        n.error = Some(format!(
            "not opened: {len} bytes, over the {cap} bytes a member of an archive \
             listed as it decodes may take (a quarter of --max-memory)"
        ));
        return None;
    }
    // `len` is within `cap`: a bounded allocation.
    let mut v = Vec::with_capacity(len as usize);
    v.extend_from_slice(&head);
    data.take(len).read_to_end(&mut v).ok()?;
    Some(Blob::from_vec(v))
}

/// Whether `formats::open` opens bytes that begin with `head` (at least
/// [`formats::PEEK`] of them, or all there are): a container, or a compressed
/// stream of one (of anything, with `open_leaf_streams`).
fn would_open(head: &[u8], limits: &Limits) -> bool {
    match formats::detect(head) {
        Some(f) if f.is_stream() => {
            limits.open_leaf_streams
                || formats::stream::peek(&Blob::from_vec(head.to_vec()), f, formats::PEEK)
                    .ok()
                    .and_then(|h| formats::detect(&h))
                    .is_some_and(|inner| inner.is_container())
        }
        Some(f) => f.is_container(),
        None => false,
    }
}

/// Streams a SquashFS image in two walks and never its whole listing: the
/// first gathers the reader's errors (shown with the image, before its
/// members) and the digest of every data location, to learn which are
/// met more than once; the second hands out the members, remembering the
/// first holder of only those shared locations, checked exactly, for
/// `same_as`. What is held is eight bytes a file while the first walk
/// runs, then the shared locations and the directories being walked.
fn stream_squashfs(
    n: &mut Node,
    blob: &Blob,
    depth: usize,
    opts: &WalkOptions,
    f: &mut dyn FnMut(&Node) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let limits = &opts.limits;
    let key = |d: &Data| {
        let mut h = std::hash::DefaultHasher::new();
        d.hash(&mut h);
        h.finish()
    };
    let (c, mut w) = match formats::squashfs::open_lazy(blob, limits) {
        Ok(x) => x,
        Err(e) => {
            n.error = Some(e.to_string());
            return f(n);
        }
    };
    let mut keys = Vec::new();
    loop {
        match w.next_entry() {
            Ok(Some(e)) if has_location(&e.data) => keys.push(key(&e.data)),
            Ok(Some(_)) => {}
            Ok(None) => break,
            // Over a limit: the image is not listed, as when opened whole.
            Err(e) => {
                n.error = Some(e.to_string());
                return f(n);
            }
        }
    }
    keys.sort_unstable();
    let shared: HashSet<u64> = keys
        .windows(2)
        .filter(|k| k[0] == k[1])
        .map(|k| k[0])
        .collect();
    drop(keys);
    let walk_errors = w.into_errors();
    let errors = c.errors.iter().chain(&walk_errors);
    n.container = Some(ContainerInfo {
        format: c.format_name(),
        fields: c.fields.clone(),
        errors: errors.map(|e| e.to_string()).collect(),
    });
    f(n)?;
    let Ok((c, mut w)) = formats::squashfs::open_lazy(blob, limits) else {
        return Ok(());
    };
    let mut holders: HashMap<u64, Vec<(Data, String)>> = HashMap::new();
    while let Ok(Some(e)) = w.next_entry() {
        let address = child_address(&n.address, &e.path);
        let mut same_as = None;
        let k = key(&e.data);
        if has_location(&e.data) && shared.contains(&k) {
            let held = holders.entry(k).or_default();
            match held.iter().find(|(d, _)| *d == e.data) {
                Some((_, first)) => same_as = Some(first.clone()),
                None => held.push((e.data.clone(), address.clone())),
            }
        }
        let mut child = member_node(address, e, same_as);
        let e = child.entry.take();
        let blob = e
            .as_ref()
            .and_then(|e| read_wanted(&mut child, &c, e, opts));
        child.entry = e;
        stream_node(&mut child, blob.as_ref(), depth + 1, opts, f)?;
    }
    Ok(())
}

/// The node of entry `i` of `c`, before anything below it is read.
fn entry_node(parent: &str, c: &Container, same: &[Option<usize>], i: usize, e: &Entry) -> Node {
    let same_as = same
        .get(i)
        .copied()
        .flatten()
        .and_then(|j| c.entries.get(j))
        .map(|o| child_address(parent, &o.path));
    member_node(child_address(parent, &e.path), e.clone(), same_as)
}

/// The node of a member at `address`, before anything below it is read.
fn member_node(address: String, e: Entry, same_as: Option<String>) -> Node {
    Node {
        address,
        offset: e.data.offset(),
        size: e.size,
        entry: Some(e),
        container: None,
        error: None,
        same_as,
        children: Vec::new(),
    }
}

/// Whether an entry is read to look for a container in it: not another
/// name of data already seen, not empty, and SquashFS file data only when
/// asked.
fn wanted(n: &Node, e: &Entry, opts: &WalkOptions) -> bool {
    let squash = matches!(e.data, Data::Squash { .. });
    n.same_as.is_none()
        && !matches!(e.data, Data::None)
        && e.size > 0
        && (!squash || opts.descend_squashfs_files)
}

fn child_address(parent: &str, path: &str) -> String {
    Address::new(parent).child(path)
}

/// Whether an entry's data location can be shared with another entry
/// (empty data cannot: every empty file is "at" the same place).
fn has_location(d: &Data) -> bool {
    match d {
        Data::None => false,
        Data::Range(e) | Data::Deflate(e) => e.len > 0,
        Data::Extents(v) => !v.is_empty(),
        Data::Squash { blocks, fragment } => !blocks.is_empty() || fragment.is_some(),
    }
}

/// For each entry, the earlier entry (in on-disk order) whose data is at the
/// very same location, if any: such entries are listed but not descended into
/// (or compared) again.
pub fn aliases(c: &Container) -> Vec<Option<usize>> {
    // Keyed by the location itself: exact, and no text built per entry.
    let mut first: HashMap<&Data, usize> = HashMap::new();
    let mut same: Vec<Option<usize>> = vec![None; c.entries.len()];
    for (i, e) in c.entries.iter().enumerate() {
        if has_location(&e.data) {
            match first.get(&e.data) {
                Some(&j) => same[i] = Some(j),
                None => {
                    first.insert(&e.data, i);
                }
            }
        }
    }
    same
}

fn children(parent: &str, c: &Container, depth: usize, opts: &WalkOptions) -> Vec<Node> {
    let same = aliases(c);
    c.entries
        .par_iter()
        .enumerate()
        .map(|(i, e)| {
            let mut n = entry_node(parent, c, &same, i, e);
            if let Some(blob) = read_wanted(&mut n, c, e, opts) {
                descend(&mut n, &blob, depth + 1, opts);
            }
            n
        })
        .collect()
}

impl Node {
    /// Visits this node and all below it, depth first, in order.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        for c in &self.children {
            c.visit(f);
        }
    }

    /// Number of nodes below this one.
    pub fn count(&self) -> usize {
        self.children.iter().map(|c| 1 + c.count()).sum()
    }
}
