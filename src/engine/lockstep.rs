//! Two SquashFS listings walked side by side, so that a comparison holds
//! only the members that differ.
//!
//! Engine stage, between formats and `compare_containers`: a root file
//! system is a hundred thousand members or more, nearly all identical in a
//! rebuild, and both listings held whole cost about 500 bytes a member a
//! side. Both images come sorted (every SquashFS directory is stored in
//! name order and the walk is depth first), so the two walks are merged by
//! path: a pair whose metadata is equal and whose stored blocks are the
//! same bytes is counted as compared and identical, and dropped; only
//! members that differ, or are on one side, are kept, in two listings that
//! `compare_containers` then treats as any other. The differing regions of
//! the image and their owners are gathered as the walk goes, dropped
//! members included, so the region map is the one whole listings give.
//! Members a later stage reads though they are identical (hard links,
//! dpkg's `.list` files) are always kept. An unsorted (hostile) image only
//! means fewer pairs are met and dropped: whatever is kept is paired again
//! by name.

use std::cmp::Ordering as Order;
use std::collections::HashSet;
use std::sync::atomic::Ordering;

use rayon::prelude::*;
use reprodiff_formats::{squashfs, Blob, Container, Data, Entry, Kind, Meta, Owner};

use super::locate::{self, Located, Owned, Runs};
use super::{packages, Ctx};
use crate::report::{Address, Region};

/// Members walked before the pairs among them are checked, in parallel:
/// enough to keep both cores busy, few enough to hold.
const BATCH: usize = 4096;

/// Two opened SquashFS images, with only the members that differ listed.
pub(super) struct Opened {
    pub a: Container,
    pub b: Container,
    /// The differing regions of the two images, owners dropped while
    /// walking included.
    pub regions: Vec<Region>,
    /// Kept members of `a` (by index) whose stored bytes were already
    /// found not to be their pair's while walking: not to be asked again (a
    /// moved SquashFS fragment tail is decoded to tell, and its block may no
    /// longer be cached by then).
    pub stored_differ: HashSet<usize>,
}

/// One step of the merged walk: a member of each side under one name, or
/// a member of one side only.
struct Item {
    a: Option<Entry>,
    b: Option<Entry>,
}

/// Opens two SquashFS images by walking them side by side. `None` when
/// either cannot be walked to the end (bad header, a limit reached): the
/// caller opens them the ordinary way, which reports why.
pub(super) fn open(ctx: &Ctx, address: &str, a: &Blob, b: &Blob) -> Option<Opened> {
    let limits = &ctx.opts.limits;
    let block = locate::block_size(reprodiff_formats::Format::SquashFs);
    let max = ctx.opts.max_regions;
    let ((opened_a, opened_b), runs) = rayon::join(
        || {
            rayon::join(
                || squashfs::open_lazy(a, limits),
                || squashfs::open_lazy(b, limits),
            )
        },
        || Runs::of(a.bytes(), b.bytes(), block, max),
    );
    let ((ca, mut wa), (cb, mut wb)) = (opened_a.ok()?, opened_b.ok()?);
    let mut located = Located::new(address, runs);
    located.container(0, &ca);
    located.container(1, &cb);
    let mut m = Merge {
        ctx,
        address,
        ca,
        cb,
        located,
        queue: Vec::with_capacity(BATCH),
        dropped: 0,
        stored_differ: HashSet::new(),
    };
    let (mut xa, mut xb) = (wa.next_entry().ok()?, wb.next_entry().ok()?);
    loop {
        // The member that comes first in walk order, or both under one name.
        let order = match (&xa, &xb) {
            (None, None) => break,
            (Some(_), None) => Order::Less,
            (None, Some(_)) => Order::Greater,
            (Some(x), Some(y)) => walk_order(x, y),
        };
        let item = Item {
            a: if order.is_le() { xa.take() } else { None },
            b: if order.is_ge() { xb.take() } else { None },
        };
        if item.a.is_some() {
            xa = wa.next_entry().ok()?;
        }
        if item.b.is_some() {
            xb = wb.next_entry().ok()?;
        }
        m.push(item);
    }
    m.flush();
    let Merge {
        mut ca,
        mut cb,
        located,
        dropped,
        stored_differ,
        ..
    } = m;
    ca.errors.extend(wa.into_errors());
    cb.errors.extend(wb.into_errors());
    ctx.compared.fetch_add(dropped, Ordering::Relaxed);
    ctx.identical.fetch_add(dropped, Ordering::Relaxed);
    if let Some(p) = &ctx.opts.progress {
        p.entries.fetch_add(dropped, Ordering::Relaxed);
        let held = ca.entries.len() + cb.entries.len();
        p.held_entries.fetch_add(held as u64, Ordering::Relaxed);
    }
    Some(Opened {
        a: ca,
        b: cb,
        regions: located.finish(),
        stored_differ,
    })
}

/// The order both walks yield members in: depth first, each directory's
/// names sorted bytewise, which is the order of their stored names read
/// component by component (`/` before any byte a name can hold).
fn walk_order(x: &Entry, y: &Entry) -> Order {
    fn key(e: &Entry) -> impl Iterator<Item = u16> + '_ {
        let b = e.raw_path.as_deref().unwrap_or(e.path.as_bytes());
        b.iter()
            .map(|&c| if c == b'/' { 0 } else { u16::from(c) + 1 })
    }
    key(x).cmp(key(y))
}

/// The merged walk's state: the two listings being kept, the regions
/// being located, and the steps not yet settled.
struct Merge<'c, 'o> {
    ctx: &'c Ctx<'o>,
    address: &'c str,
    ca: Container,
    cb: Container,
    located: Located,
    queue: Vec<Item>,
    dropped: u64,
    stored_differ: HashSet<usize>,
}

impl Merge<'_, '_> {
    /// Takes one step: its members own their regions now, in walk order;
    /// whether a pair is kept is settled with the rest of its batch.
    fn push(&mut self, item: Item) {
        for (side, e) in [(0, &item.a), (1, &item.b)] {
            let Some(e) = e else { continue };
            if let Some((offset, len)) = squashfs::stored_span(e) {
                self.located
                    .region(side, offset, len, Owned::Entry(&e.path));
            }
        }
        self.queue.push(item);
        if self.queue.len() >= BATCH {
            self.flush();
        }
    }

    /// Settles the queued steps: pairs are checked in parallel, identical
    /// ones dropped, the rest kept in walk order.
    fn flush(&mut self) {
        let queue = std::mem::take(&mut self.queue);
        let (ctx, ca, cb) = (self.ctx, &self.ca, &self.cb);
        let checked: Vec<Check> = queue
            .par_iter()
            .map(|item| match (&item.a, &item.b) {
                (Some(x), Some(y)) => check(ca, x, cb, y),
                _ => Check::Keep,
            })
            .collect();
        for (item, checked) in queue.into_iter().zip(checked) {
            if checked == Check::StoredDiffer {
                self.stored_differ.insert(self.ca.entries.len());
            }
            match item {
                Item { a: Some(x), .. } if checked == Check::Drop => {
                    // An excluded pair is not compared, so not counted.
                    let excluded = !ctx.opts.exclude.is_empty()
                        && ctx.excluded(&Address::new(self.address).child(&x.path));
                    if !excluded {
                        self.dropped += 1;
                    }
                }
                Item { a, b } => {
                    a.into_iter().for_each(|x| keep(&mut self.ca, x));
                    b.into_iter().for_each(|y| keep(&mut self.cb, y));
                }
            }
        }
        self.queue = Vec::with_capacity(BATCH);
    }
}

/// Adds a member to a kept listing, with its region in the structure map.
fn keep(c: &mut Container, e: Entry) {
    if let Some((offset, len)) = squashfs::stored_span(&e) {
        let owner = Owner::Entry(c.entries.len());
        c.regions
            .push(reprodiff_formats::Region { offset, len, owner });
    }
    c.entries.push(e);
}

/// What the walk does with a pair of members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Certainly identical, and read by nothing else: dropped.
    Drop,
    /// Kept for the comparison proper.
    Keep,
    /// Kept, its stored bytes already found not to be its pair's.
    StoredDiffer,
}

/// A pair is dropped when comparing it would certainly find it identical
/// and nothing else reads it: the same stored name, kind, size and
/// metadata, the very same stored bytes, not hard-linked, and not a file
/// package attribution reads.
fn check(ca: &Container, x: &Entry, cb: &Container, y: &Entry) -> Check {
    let linked = |e: &Entry| {
        e.kind == Kind::Hardlink || (e.kind != Kind::Dir && e.meta.nlink.is_some_and(|n| n > 1))
    };
    let candidate = x.pair_key() == y.pair_key()
        && x.kind == y.kind
        && x.size == y.size
        && same_meta(&x.meta, &y.meta)
        && !linked(x)
        && !linked(y)
        && !packages::read_when_same(&x.path);
    if !candidate {
        // Compared later, stored bytes first. Comparing them here too
        // (measured) cost more than it saved: two threads on one batch
        // take turns evicting each other's cached fragment blocks.
        return Check::Keep;
    }
    match (&x.data, &y.data) {
        (Data::None, Data::None) => Check::Drop,
        _ => match squashfs::stored_equal(ca, x, cb, y) {
            Some(true) => Check::Drop,
            _ => Check::StoredDiffer,
        },
    }
}

/// Metadata equal in all that a comparison looks at: everything but the
/// inode number, which mksquashfs renumbers after any added or removed
/// member and which only hard links (never dropped) are told apart by.
fn same_meta(a: &Meta, b: &Meta) -> bool {
    // Named field by field, so a field added to `Meta` is decided here.
    let Meta {
        mode,
        uid,
        gid,
        user,
        group,
        mtime,
        atime,
        ctime,
        target,
        rdev,
        nlink,
        inode: _,
        xattrs,
        extra,
    } = a;
    *mode == b.mode
        && *uid == b.uid
        && *gid == b.gid
        && *user == b.user
        && *group == b.group
        && *mtime == b.mtime
        && *atime == b.atime
        && *ctime == b.ctime
        && *target == b.target
        && *rdev == b.rdev
        && *nlink == b.nlink
        && *xattrs == b.xattrs
        && *extra == b.extra
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &[u8]) -> Entry {
        Entry::stored(path, Kind::File)
    }

    #[test]
    fn walk_order_reads_paths_component_by_component() {
        // Byte order puts `a-b` (0x2d) before `a/b` (0x2f); the walk yields
        // directory `a` and its children first.
        let (ab, a_b, a_dot_b) = (entry(b"a/b"), entry(b"a-b"), entry(b"a.b"));
        assert_eq!(walk_order(&ab, &a_b), Order::Less);
        assert_eq!(walk_order(&a_b, &a_dot_b), Order::Less);
        assert_eq!(walk_order(&entry(b"a"), &ab), Order::Less);
        // Names that are not UTF-8 are ordered by their stored bytes, not
        // by their escaped form (`caf\xe9` would sort before `cafe`).
        let (latin, ascii, utf8) = (
            entry(b"caf\xe9"),
            entry(b"cafe"),
            entry("caf\u{e9}".as_bytes()),
        );
        assert_eq!(walk_order(&ascii, &latin), Order::Less);
        assert_eq!(walk_order(&utf8, &latin), Order::Less);
        assert_eq!(walk_order(&latin, &entry(b"caf\xe9")), Order::Equal);
    }

    #[test]
    fn inode_numbers_alone_do_not_keep_a_pair() {
        let m = Meta {
            mode: Some(0o644),
            inode: Some(7),
            ..Meta::default()
        };
        let renumbered = Meta {
            inode: Some(8),
            ..m.clone()
        };
        assert!(same_meta(&m, &renumbered));
        let touched = Meta {
            mtime: Some(reprodiff_formats::Time::from_secs(1)),
            ..m.clone()
        };
        assert!(!same_meta(&m, &touched));
    }
}
