//! Two compressed archives compared member by member while both decode:
//! archives too large to hold (a `data.tar.xz` or an initrd's main cpio
//! that decodes past the memory budget), and tars that fit the budget but
//! not twice (a large `data.tar.xz`), which holding one side at a time
//! would decode twice (see [`Plan`]).
//!
//! Engine stage (formats → **engine** → diagnosis → report), taken by
//! `streamed_pair` instead of a digest of the whole decoded stream when
//! both sides decode to tar, or both to cpio. Each side runs two threads:
//! its decoder (`streamed::decode_side`, which also digests the stream)
//! and the format's `each_member` reading those pieces, which hands each
//! member on with its bytes, or, past the budget for one member, only
//! their digest.
//! Members meet here under their names: in the same order they are
//! compared as they come; one met out of order waits (its bytes within a
//! share of the budget, its digest beyond) for its namesake, and is
//! renamed or one-sided if none comes (renames as `pairing` finds them,
//! by name key or by the same bytes, from what the waiting members hold).
//! A name that stores none of its link group's bytes (a tar hard link, an
//! empty newc name of an inode with several) met with a namesake that
//! carries bytes (the group stored the other way round) is kept as a digest
//! until the end, when its group's digest is known. A pair is compared
//! like any other
//! (`compare_entries`: metadata, content, what is nested in it), on the
//! pool while the merge reads on, so what is held is a few members,
//! whatever the size of the archives. Within the budget, each side's
//! reader also digests its decoded bytes in blocks and keeps the tar's
//! structure map, so the differing regions are those of two held archives.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::Read;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::sync::Mutex;

use reprodiff_formats::{
    self as formats, tar, Blob, Container, Data, Entry, Extent, Field, Format, Kind, Owner, Region,
};
use sha2::{Digest, Sha256};

use super::digest::hex;
use super::entries::{compare_entries, one_sided, Content};
use super::evict::{block_digest, BlockDigests};
use super::locate::{self, Located, Owned, Runs};
use super::pairing::{match_renames, order_text, Unmatched};
use super::streamed::{decode_side, Input, Queue, QUEUE};
use super::{child_address, fields, size_text, Ctx};
use crate::report::{Cause, Diff, Node, Status, TIMEOUT};

/// Pairs handed to the pool at once, at most, and the bytes they hold past
/// which a batch goes at once (see `merge`).
const BATCH_PAIRS: usize = 64;
const BATCH_BYTES: u64 = 1 << 20;

/// Batches of members queued per side between its reader and the
/// comparison (a batch: up to [`BATCH_PAIRS`] members, or one past
/// [`BATCH_BYTES`] held).
const MEMBERS: usize = 2;

/// Pairs of a link and a namesake that carries bytes kept until the end,
/// at most (their entries and digests, some 300 bytes each); past that a
/// pair is compared as it comes, its link's bytes as none.
const MAX_LINKED: usize = 16_384;

/// What a side's reader keeps of a member's stored bytes.
enum Held {
    Bytes(Vec<u8>),
    /// Over the budget for one member: digested as it was read.
    Digest {
        sha256: String,
        len: u64,
        /// Digested because the members held at once had reached the
        /// budget for all of them (see [`Plan::shared_cap`]), or those
        /// waiting for their namesakes theirs.
        shared: bool,
    },
}

impl Held {
    fn len(&self) -> u64 {
        match self {
            Held::Bytes(b) => b.len() as u64,
            Held::Digest { len, .. } => *len,
        }
    }

    /// Whether two held members hold the same bytes (by digest when
    /// either is past the budget for one member).
    fn same(&self, other: &Held) -> bool {
        match (self, other) {
            (Held::Bytes(x), Held::Bytes(y)) => x == y,
            _ => self.len() == other.len() && self.sha256() == other.sha256(),
        }
    }

    fn clone_digest(&self) -> Held {
        Held::Digest {
            sha256: self.sha256(),
            len: self.len(),
            shared: matches!(self, Held::Digest { shared: true, .. }),
        }
    }

    fn sha256(&self) -> String {
        match self {
            Held::Bytes(b) => super::sha256_hex(b),
            Held::Digest { sha256, .. } => sha256.clone(),
        }
    }

    fn digest(self) -> (String, u64) {
        match self {
            Held::Bytes(b) => (super::sha256_hex(&b), b.len() as u64),
            Held::Digest { sha256, len, .. } => (sha256, len),
        }
    }
}

/// One member as a side's reader hands it on: its place in the archive.
struct Member {
    index: usize,
    entry: Entry,
    held: Held,
    /// The share of [`Plan::shared_cap`] its bytes take, given back when
    /// the member is dropped or reduced to its digest.
    ticket: Option<Ticket>,
}

/// Bytes taken from a budget shared by both sides' readers; given back
/// when dropped.
struct Ticket {
    pool: Arc<AtomicU64>,
    len: u64,
}

impl Ticket {
    /// `len` bytes of `pool`, if that many are left of `cap`.
    fn take(pool: &Arc<AtomicU64>, len: u64, cap: u64) -> Option<Ticket> {
        pool.fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
            used.checked_add(len).filter(|&n| n <= cap)
        })
        .ok()?;
        Some(Ticket {
            pool: Arc::clone(pool),
            len,
        })
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.pool.fetch_sub(self.len, Ordering::AcqRel);
    }
}

/// How a member-by-member comparison holds what it reads.
#[derive(Clone, Copy, Debug)]
pub(super) struct Plan {
    /// A member's bytes are held up to this, digested past it.
    member_cap: u64,
    /// Bytes of the members waiting for their namesake, at most.
    waiting_cap: u64,
    /// Bytes of the members both sides hold at once (queued, waiting or
    /// being compared), at most, when set: a member that would pass it is
    /// digested instead.
    shared_cap: Option<u64>,
    /// Gather the differing regions of the two decoded archives, as a
    /// comparison of both held does (tar only: its reader maps its
    /// structure as it streams).
    map: bool,
}

impl Plan {
    /// Two archives whose decoded bytes pass the memory budget: a member is
    /// held whole up to an eighth of it (two queued batches and one compared a
    /// side, plus those waiting for their namesake), and no region map.
    pub(super) fn over_budget(max_memory: u64) -> Plan {
        Plan {
            member_cap: (max_memory / 8).max(1),
            waiting_cap: max_memory / 4,
            shared_cap: None,
            map: false,
        }
    }

    /// Two archives that fit the budget but are too large to hold both
    /// at once as they decode: each member may be held whole, as when both
    /// are held, while the members held at once stay within the budget
    /// (which only a stream whose declared size lies can reach), and the
    /// region map is gathered as when held.
    pub(super) fn within_budget(max_memory: u64) -> Plan {
        Plan {
            member_cap: (max_memory / 2).max(1),
            waiting_cap: max_memory / 2,
            shared_cap: Some(max_memory),
            map: true,
        }
    }
}

/// Owned form of `Entry::pair_key`.
type Key = (String, Option<Box<[u8]>>);

fn key(e: &Entry) -> Key {
    (e.path.clone(), e.raw_path.clone())
}

/// How a side's reader ended: the archive's fields and its problems.
type Ending = formats::Result<(Vec<Field>, Vec<formats::Error>)>;

/// The archive format both decoded streams begin with, when it is one
/// whose members can be read as it decodes (tar, cpio).
pub(super) fn both_archives(a: &Input, b: &Input) -> Option<Format> {
    let format = |i: &Input| {
        formats::stream::peek(i.raw, i.codec, 512)
            .ok()
            .and_then(|head| formats::detect(&head))
            .filter(|f| matches!(f, Format::Tar | Format::Cpio))
    };
    format(a).filter(|&f| format(b) == Some(f))
}

/// A format's reader of members as they come (see [`both_archives`]).
pub(crate) type EachMember = fn(
    &mut dyn std::io::Read,
    &formats::Limits,
    &mut dyn FnMut(Entry, &mut dyn std::io::Read) -> formats::Result<()>,
) -> Ending;

/// The reader of members as they come for `format` (cpio, else tar):
/// what the engine compares over the budget and `ls` lists with.
pub(crate) fn each_member_of(format: Format) -> EachMember {
    if format == Format::Cpio {
        formats::cpio::each_member
    } else {
        tar::each_member
    }
}

/// Compares the two archives member by member into `node` (the stream
/// pair's node; its header fields are already compared).
///
/// Returns whether the bytes differ with no member or field to say why,
/// when `plan` holds the archives within the budget: the caller then shows
/// the decoded bytes, as for two held archives. Over the budget, that
/// case is said here, by digest.
pub(super) fn compare(
    ctx: &Ctx,
    node: &mut Node,
    (a, b): (Input, Input),
    format: Format,
    depth: usize,
    plan: Plan,
) -> bool {
    let (codec_a, codec_b) = (a.codec, b.codec);
    node.format = Some(format!("{}+{}", format.name(), codec_a.name()));
    let each = each_member_of(format);
    let (member_cap, waiting_cap) = (plan.member_cap, plan.waiting_cap);
    let map = plan.map && format == Format::Tar;
    let pool = Arc::new(AtomicU64::new(0));
    let limits = &ctx.opts.limits;
    let stop = || ctx.opts.cancelled() || ctx.opts.timed_out();
    let (decoded, ended, merged) = std::thread::scope(|s| {
        let (tx_a, rx_a) = sync_channel::<Vec<u8>>(QUEUE);
        let (tx_b, rx_b) = sync_channel::<Vec<u8>>(QUEUE);
        let (mtx_a, ma) = sync_channel::<Vec<Member>>(MEMBERS);
        let (mtx_b, mb) = sync_channel::<Vec<Member>>(MEMBERS);
        let stop = &stop;
        let da = s.spawn(move || decode_side(a, &tx_a, stop));
        let db = s.spawn(move || decode_side(b, &tx_b, stop));
        let side = Side {
            each,
            format,
            cap: member_cap,
            shared: plan.shared_cap.map(|cap| (&pool, cap)),
            map,
            limits,
        };
        let ra = s.spawn(move || side.read(Queue::new(rx_a), &mtx_a));
        let rb = s.spawn(move || side.read(Queue::new(rx_b), &mtx_b));
        let merged = merge(
            ctx,
            &node.address,
            (ma, mb),
            waiting_cap,
            (format, depth, member_cap),
        );
        let decoded = (da.join().ok(), db.join().ok());
        let ended = (ra.join().ok(), rb.join().ok());
        (decoded, ended, merged)
    });
    let Merged {
        mut children,
        order,
        stopped,
    } = merged;
    // The archives' own fields and problems, and the decoders'.
    let (ea, eb) = ended;
    // A reader that panicked is a bug, not a difference: said as an error.
    let none = || -> (Ending, Option<Mapped>) {
        (
            Err(formats::Error::invalid(format, 0, "the reader stopped")),
            None,
        )
    };
    let ((ea, map_a), (eb, map_b)) = (ea.unwrap_or_else(none), eb.unwrap_or_else(none));
    if let (Some(x), Some(y), false) = (map_a, map_b, stopped) {
        let regions = x.locate(&y, &node.address, ctx.opts.max_regions);
        if !regions.is_empty() {
            if let Ok(mut r) = ctx.regions.lock() {
                r.extend(regions);
            }
        }
    }
    let empty = Vec::new();
    let fields_of = |e: &Ending| e.as_ref().map_or(&empty, |(f, _)| f).clone();
    fields::header_changes(ctx, node, &fields_of(&ea), &fields_of(&eb));
    for (side, e) in [("a", &ea), ("b", &eb)] {
        match e {
            Ok((_, errors)) => node
                .errors
                .extend(errors.iter().map(|x| format!("{side}: {x}"))),
            Err(x) => node.errors.push(format!("{side}: {x}")),
        }
    }
    let mut digests = (None, None);
    for (side, d, slot) in [
        ("a", decoded.0, &mut digests.0),
        ("b", decoded.1, &mut digests.1),
    ] {
        match d {
            Some((Ok(_), sha, false)) => *slot = Some(sha),
            Some((Err(e), _, false)) => node.errors.push(format!("{side}: {e}")),
            _ => {}
        }
    }
    if let Some((oa, ob)) = order {
        ctx.change(
            node,
            "order",
            formats::Role::Order,
            Some(formats::Value::Text(oa)),
            Some(formats::Value::Text(ob)),
        );
    }
    if stopped {
        if ctx.opts.timed_out() {
            ctx.timeouts.fetch_add(1, Ordering::Relaxed);
            node.errors
                .push(format!("{TIMEOUT}: members after it were not compared"));
        } else {
            node.errors.push("comparison cancelled".to_string());
        }
    }
    children.sort_by(|x, y| x.address.cmp(&y.address));
    node.children = children;
    let unexplained = node.children.is_empty() && node.changes.is_empty() && !stopped;
    if unexplained && plan.map {
        return true;
    } else if unexplained {
        // No member and no field differs, yet the bytes do.
        ctx.fallbacks.fetch_add(1, Ordering::Relaxed);
        node.diff = Some(Diff::Hash {
            sha256_a: digests.0,
            sha256_b: digests.1,
            reason: format!(
                "decoded size over the memory budget ({}): compared member by member ({} and {}), and no member differs",
                size_text(ctx.opts.max_memory),
                codec_a.name(),
                codec_b.name()
            ),
        });
    } else if depth == 0 && node.changes.is_empty() && !node.children.is_empty() {
        node.causes.push(Cause::Consequential);
    }
    false
}

/// What a side's reader gathers for the region map: digests of its decoded
/// bytes in blocks, its archive's structure map, and its members' paths
/// (which the map's `Owner::Entry` indices name).
struct Mapped {
    blocks: BlockDigests,
    regions: Vec<Region>,
    paths: Vec<String>,
}

impl Mapped {
    /// The differing regions of the two decoded archives and their owners,
    /// as `locate` finds them for two held archives.
    fn locate(&self, b: &Mapped, address: &str, max: usize) -> Vec<crate::report::Region> {
        let runs = Runs::of_both_digests(&self.blocks, &b.blocks, max);
        let mut located = Located::new(address, runs);
        for (side, m) in [(0, self), (1, b)] {
            for r in &m.regions {
                let name = match &r.owner {
                    Owner::Entry(i) => match m.paths.get(*i) {
                        Some(p) => Owned::Entry(p),
                        None => continue,
                    },
                    Owner::Structure(s) => Owned::Structure(s),
                };
                located.region(side, r.offset, r.len, name);
            }
        }
        located.finish()
    }
}

/// A reader that digests every byte read through it in fixed-size blocks
/// (see `evict::BlockDigests`), so a side streamed once still gives the
/// region map.
///
/// A stream that decodes past `cap` (one whose declared size was smaller:
/// a gzip declares only its last member's) gives no map: its digests are
/// dropped and `over` set, which the reader's structure map heeds too, so
/// what the map holds stays in proportion to the budget.
struct Blocks<R> {
    inner: R,
    partial: Vec<u8>,
    out: BlockDigests,
    cap: u64,
    over: Rc<Cell<bool>>,
}

impl<R: Read> Blocks<R> {
    fn new(inner: R, block: usize, cap: u64) -> Blocks<R> {
        Blocks {
            inner,
            partial: Vec::with_capacity(block),
            out: BlockDigests {
                len: 0,
                block,
                digests: Vec::new(),
            },
            cap,
            over: Rc::new(Cell::new(false)),
        }
    }

    fn feed(&mut self, mut b: &[u8]) {
        let block = self.out.block.max(1);
        self.out.len = self.out.len.saturating_add(b.len() as u64);
        if self.over.get() {
            return;
        }
        if self.out.len > self.cap {
            self.over.set(true);
            self.out.digests = Vec::new();
            self.partial = Vec::new();
            return;
        }
        while !b.is_empty() {
            if self.partial.is_empty() && b.len() >= block {
                let (whole, rest) = b.split_at(block);
                self.out.digests.push(block_digest(whole));
                b = rest;
                continue;
            }
            let take = (block - self.partial.len()).min(b.len());
            let (head, rest) = b.split_at(take);
            self.partial.extend_from_slice(head);
            b = rest;
            if self.partial.len() == block {
                self.out.digests.push(block_digest(&self.partial));
                self.partial.clear();
            }
        }
    }

    /// Reads what is left to the end and gives the digests, the last
    /// short block included; `None` past the cap.
    fn finish(mut self) -> std::io::Result<Option<BlockDigests>> {
        let mut buf = vec![0u8; 64 << 10];
        while !self.over.get() && self.read(&mut buf)? > 0 {}
        if self.over.get() {
            return Ok(None);
        }
        if !self.partial.is_empty() {
            self.out.digests.push(block_digest(&self.partial));
        }
        Ok(Some(self.out))
    }
}

impl<R: Read> Read for Blocks<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.feed(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// Where a side's reader puts its structure map and member paths, and the
/// flag that says the stream passed the map's cap (see [`Blocks`]).
type MapInto<'m> = (&'m mut Vec<Region>, &'m mut Vec<String>, Rc<Cell<bool>>);

/// How a side's reader reads its archive.
#[derive(Clone, Copy)]
struct Side<'l> {
    each: EachMember,
    format: Format,
    /// A member's bytes are held up to this, digested past it.
    cap: u64,
    /// The count of bytes both sides hold, and its cap (see
    /// [`Plan::shared_cap`]).
    shared: Option<(&'l Arc<AtomicU64>, u64)>,
    /// Gather the region map (a tar archive).
    map: bool,
    limits: &'l formats::Limits,
}

impl Side<'_> {
    /// Hands each member of the archive on, its bytes held up to `cap`,
    /// and, when mapping, reads the stream to its end for the block
    /// digests.
    fn read(self, queue: Queue, tx: &SyncSender<Vec<Member>>) -> (Ending, Option<Mapped>) {
        if !self.map {
            let mut queue = queue;
            return (self.each_member(&mut queue, None, tx), None);
        }
        let mut blocks = Blocks::new(queue, locate::block_size(self.format), self.cap);
        let over = Rc::clone(&blocks.over);
        let mut regions = Vec::new();
        let mut paths = Vec::new();
        let ending = self.each_member(&mut blocks, Some((&mut regions, &mut paths, over)), tx);
        // Past the archive's end (zero padding to a record) the stream is
        // read too, as the region map of a held archive covers every byte.
        let mapped = match (&ending, blocks.finish()) {
            (Ok(_), Ok(Some(blocks))) => Some(Mapped {
                blocks,
                regions,
                paths,
            }),
            _ => None,
        };
        (ending, mapped)
    }

    fn each_member(
        self,
        r: &mut dyn Read,
        map: Option<MapInto<'_>>,
        tx: &SyncSender<Vec<Member>>,
    ) -> Ending {
        let (regions, mut paths, over) = match map {
            Some((r, p, o)) => (Some(r), Some(p), o),
            None => (None, None, Rc::new(Cell::new(false))),
        };
        let (format, cap) = (self.format, self.cap);
        let io_error = |e: &std::io::Error| {
            formats::Error::invalid(format, 0, format!("reading a member: {e}"))
        };
        let mut index = 0usize;
        // Members go on in batches: one hand-off per member cost more than
        // comparing a tree of small files.
        let mut batch: Vec<Member> = Vec::new();
        let mut batch_len = 0u64;
        let stopped = || formats::Error::invalid(format, 0, "comparison stopped");
        let mut each = |entry: Entry, r: &mut dyn Read| {
            let stored = match &entry.data {
                Data::Range(x) => x.len,
                _ => 0,
            };
            if let Some(p) = paths.as_mut() {
                if over.get() {
                    // No map past the cap: what it held is freed.
                    **p = Vec::new();
                } else {
                    p.push(entry.path.clone());
                }
            }
            let ticket = match self.shared {
                Some((pool, shared)) if stored <= cap => Ticket::take(pool, stored, shared),
                _ => None,
            };
            let over_shared = self.shared.is_some() && stored <= cap && ticket.is_none();
            let held = if stored <= cap && !over_shared {
                let mut v = Vec::new();
                r.read_to_end(&mut v).map_err(|e| io_error(&e))?;
                Held::Bytes(v)
            } else {
                let mut h = Sha256::new();
                let mut buf = vec![0u8; 64 << 10];
                let mut len = 0u64;
                loop {
                    let n = r.read(&mut buf).map_err(|e| io_error(&e))?;
                    if n == 0 {
                        break;
                    }
                    h.update(&buf[..n]);
                    len += n as u64;
                }
                Held::Digest {
                    sha256: hex(&h.finalize()),
                    len,
                    shared: over_shared,
                }
            };
            let m = Member {
                index,
                entry,
                held,
                ticket,
            };
            index += 1;
            batch_len = batch_len.saturating_add(waiting_len(&m));
            batch.push(m);
            if batch.len() >= BATCH_PAIRS || batch_len >= BATCH_BYTES {
                batch_len = 0;
                // The comparison stopped listening: stop reading.
                tx.send(std::mem::take(&mut batch)).map_err(|_| stopped())?;
            }
            Ok(())
        };
        let ending = if let Some(regions) = regions {
            let mut push = |x: Region| {
                if over.get() {
                    *regions = Vec::new();
                } else {
                    regions.push(x);
                }
            };
            tar::each_member_mapped(r, self.limits, &mut each, &mut push)
        } else {
            (self.each)(r, self.limits, &mut each)
        };
        // What is left goes on, whatever ended the archive.
        if !batch.is_empty() && tx.send(batch).is_err() && ending.is_ok() {
            return Err(stopped());
        }
        ending
    }
}

/// One side's members as the merge takes them, from the batches its
/// reader sends.
struct Incoming {
    rx: Receiver<Vec<Member>>,
    held: std::collections::VecDeque<Member>,
}

impl Incoming {
    fn new(rx: Receiver<Vec<Member>>) -> Incoming {
        Incoming {
            rx,
            held: std::collections::VecDeque::new(),
        }
    }

    /// The next member; `None` once the reader is done.
    fn next(&mut self) -> Option<Member> {
        loop {
            if let Some(m) = self.held.pop_front() {
                return Some(m);
            }
            self.held.extend(self.rx.recv().ok()?);
        }
    }
}

/// What the merge of the two sides' members found.
struct Merged {
    children: Vec<Node>,
    /// The `order` change, when members were met in another order.
    order: Option<(String, String)>,
    stopped: bool,
}

/// Pairs the members of both sides by name as they arrive and compares
/// each pair; what is left unpaired is one-sided.
fn merge(
    ctx: &Ctx,
    parent: &str,
    (ra, rb): (Receiver<Vec<Member>>, Receiver<Vec<Member>>),
    waiting_cap: u64,
    (format, depth, member_cap): (Format, usize, u64),
) -> Merged {
    let mut children = Vec::new();
    let mut waiting: [HashMap<Key, Member>; 2] = [HashMap::new(), HashMap::new()];
    let mut waiting_bytes = 0u64;
    // (index in a, index in b) of every pair, and its name, for `order`.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut names: HashMap<usize, String> = HashMap::new();
    let mut out_of_step = false;
    let mut stopped = false;
    let (mut ra, mut rb) = (Incoming::new(ra), Incoming::new(rb));
    let (mut xa, mut xb) = (ra.next(), rb.next());
    // Pairs of a member that stores none of its link group's bytes and a
    // namesake that does (a group stored the other way round), kept as
    // digests until the end, and the digests of such namesakes, by side
    // and by what a link names its group by.
    let mut linked: Vec<(Member, Member)> = Vec::new();
    let mut carried: [HashMap<GroupKey, (String, u64)>; 2] = [HashMap::new(), HashMap::new()];
    // Pairs are compared on the pool while the merge goes on, so that the
    // comparisons of many small members (a documentation tree) use every
    // core, as when both archives are held; the bytes of the pairs in
    // flight stay under `in_flight_cap`, past which a pair is compared
    // here, before the merge reads on.
    let done: Mutex<Vec<Node>> = Mutex::new(Vec::new());
    let in_flight = AtomicU64::new(0);
    let in_flight_cap = waiting_cap / 2;
    // Pairs go to the pool in batches (a tree of 100,000 icons is 100,000
    // pairs of a few KB, whose handing over would cost more than their
    // comparison).
    let mut batch: Vec<(Member, Member)> = Vec::new();
    let mut batch_len = 0u64;
    rayon::scope(|s| {
        // Owned here: a receiver may not be shared between threads.
        let (mut ra, mut rb) = (ra, rb);
        let (done, in_flight) = (&done, &in_flight);
        let flush = |batch: &mut Vec<(Member, Member)>, len: &mut u64, children: &mut Vec<Node>| {
            let pairs = std::mem::take(batch);
            let len = std::mem::take(len);
            let compare = move |pairs: Vec<(Member, Member)>| {
                pairs
                    .into_iter()
                    .filter_map(|(x, y)| {
                        compare_pair(ctx, parent, x, y, (format, depth, member_cap))
                    })
                    .collect::<Vec<Node>>()
            };
            if pairs.is_empty() {
                return;
            }
            if in_flight.load(Ordering::Relaxed).saturating_add(len) <= in_flight_cap {
                in_flight.fetch_add(len, Ordering::Relaxed);
                s.spawn(move |_| {
                    let nodes = compare(pairs);
                    if let Ok(mut d) = done.lock() {
                        d.extend(nodes);
                    }
                    in_flight.fetch_sub(len, Ordering::Relaxed);
                });
            } else {
                children.extend(compare(pairs));
            }
        };
        let mut settle = |x: Member, y: Member, children: &mut Vec<Node>| {
            pairs.push((x.index, y.index));
            names.insert(x.index, x.entry.path.clone());
            if is_link(&x.entry) != is_link(&y.entry) && linked.len() < MAX_LINKED {
                let (x, y) = (as_digest(x), as_digest(y));
                for (side, m) in [(0, &x), (1, &y)] {
                    if let (false, Held::Digest { sha256, len, .. }) = (is_link(&m.entry), &m.held)
                    {
                        for k in carrier_keys(&m.entry) {
                            carried[side].insert(k, (sha256.clone(), *len));
                        }
                    }
                }
                linked.push((x, y));
                return;
            }
            batch_len = batch_len
                .saturating_add(waiting_len(&x))
                .saturating_add(waiting_len(&y));
            batch.push((x, y));
            if batch.len() >= BATCH_PAIRS || batch_len >= BATCH_BYTES {
                flush(&mut batch, &mut batch_len, children);
            }
        };
        loop {
            if ctx.opts.cancelled() || ctx.opts.timed_out() {
                stopped = xa.is_some() || xb.is_some();
                break;
            }
            match (xa.take(), xb.take()) {
                (None, None) => break,
                (Some(x), Some(y)) if x.entry.pair_key() == y.entry.pair_key() => {
                    settle(x, y, &mut children);
                    xa = ra.next();
                    xb = rb.next();
                }
                (x, y) => {
                    // Each met member pairs with one waiting on the other side,
                    // or waits itself.
                    for (side, m) in [(0usize, x), (1usize, y)] {
                        let Some(m) = m else { continue };
                        out_of_step = true;
                        let k = key(&m.entry);
                        match waiting[1 - side].remove(&k) {
                            Some(other) => {
                                waiting_bytes = waiting_bytes.saturating_sub(waiting_len(&other));
                                let (x, y) = if side == 0 { (m, other) } else { (other, m) };
                                settle(x, y, &mut children);
                            }
                            None => {
                                let m = bounded(m, &mut waiting_bytes, waiting_cap);
                                if let Some(old) = waiting[side].insert(k, m) {
                                    // The same name twice on one side: the
                                    // first is left unpaired.
                                    waiting_bytes = waiting_bytes.saturating_sub(waiting_len(&old));
                                    children.push(unpaired(parent, side, &old.entry));
                                }
                            }
                        }
                        if side == 0 {
                            xa = ra.next();
                        } else {
                            xb = rb.next();
                        }
                    }
                }
            }
        }
        // Stop listening: a reader still sending (after a cancel) stops.
        drop((ra, rb));
        flush(&mut batch, &mut batch_len, &mut children);
    });
    children.extend(done.into_inner().unwrap_or_default());
    // A hard link's bytes are its target's, when that target's pair was
    // kept above (the group stored the other way round on the other side).
    for (x, y) in linked {
        let resolve = |side: usize, m: Member| -> (Member, bool) {
            let Some(group) = link_key(&m.entry) else {
                return (m, true);
            };
            match carried[side].get(&group) {
                Some((sha256, len)) => {
                    let held = Held::Digest {
                        sha256: sha256.clone(),
                        len: *len,
                        shared: false,
                    };
                    (Member { held, ..m }, true)
                }
                None => (m, false),
            }
        };
        let link_a = is_link(&x.entry);
        let ((x, rx), (mut y, ry)) = (resolve(0, x), resolve(1, y));
        let address = child_address(parent, &x.entry.path);
        if ctx.excluded(&address) {
            continue;
        }
        let resolved = rx && ry;
        // As when held: the group's bytes are compared at the pair whose
        // side a carries them, once.
        if resolved && is_link(&x.entry) {
            y.held = x.held.clone_digest();
        }
        let mut n = compare_members(ctx, address, x, y, (format, depth, member_cap));
        if resolved {
            super::carried_elsewhere(&mut n);
        }
        // Kept as digests for the end, whatever their size: said so. A
        // link whose target's bytes were not kept has no digest to give.
        if let Some(Diff::Hash {
            reason,
            sha256_a,
            sha256_b,
        }) = n.diff.as_mut()
        {
            if resolved {
                *reason = "a hard-link group whose bytes another name carries on one side: compared by digest".to_string();
            } else {
                *reason = "a hard link against a member with bytes: its target's bytes were compared as they came, not kept".to_string();
                let side = if link_a { sha256_a } else { sha256_b };
                *side = None;
            }
        }
        if n.status != Status::Identical {
            children.push(n);
        }
    }
    // What no namesake came for: renamed (a version or ABI tag, usrmerge,
    // the same bytes under another name), else one-sided.
    let [left_a, left_b] = waiting.map(|m| {
        let mut v: Vec<Member> = m.into_values().collect();
        v.sort_by_key(|m| m.index);
        v
    });
    let renamed = {
        match_renames(&unmatched(&left_a), &unmatched(&left_b), |i, j, _| {
            Some(left_a[i].held.same(&left_b[j].held))
        })
    };
    let mut left_a: Vec<Option<Member>> = left_a.into_iter().map(Some).collect();
    let mut left_b: Vec<Option<Member>> = left_b.into_iter().map(Some).collect();
    for (i, j, _) in renamed {
        if let (Some(x), Some(y)) = (left_a[i].take(), left_b[j].take()) {
            let (old, new) = (x.entry.path.clone(), y.entry.path.clone());
            let address = child_address(parent, &new);
            if ctx.excluded(&address) {
                continue;
            }
            let mut n = compare_members(ctx, address, x, y, (format, depth, member_cap));
            ctx.change(
                &mut n,
                "path",
                formats::Role::Name,
                Some(formats::Value::Text(old)),
                Some(formats::Value::Text(new)),
            );
            if n.status == Status::Identical {
                ctx.identical.fetch_sub(1, Ordering::Relaxed);
                n.status = Status::Modified;
            }
            children.push(n);
        }
    }
    for (side, left) in [left_a, left_b].into_iter().enumerate() {
        children.extend(
            left.iter()
                .flatten()
                .map(|m| unpaired(parent, side, &m.entry)),
        );
    }
    let order = if out_of_step {
        let name = |i: usize| names.get(&i).map_or("?", String::as_str);
        let by_b: HashMap<usize, usize> = pairs.iter().map(|&(i, j)| (j, i)).collect();
        order_text(pairs.clone(), name, |j| {
            name(by_b.get(&j).copied().unwrap_or(usize::MAX))
        })
    } else {
        None
    };
    Merged {
        children: children
            .into_iter()
            .filter(|n| !ctx.excluded(&n.address))
            .collect(),
        order,
        stopped,
    }
}

/// What a member that stores none of its bytes names its link group by: a
/// tar hard link its target, an empty newc cpio link its inode.
#[derive(PartialEq, Eq, Hash)]
enum GroupKey {
    Path(String),
    Inode(u64),
}

/// Whether a member stores none of its link group's bytes: a tar hard
/// link, or a cpio name of an inode with several that carries no data
/// (newc stores them with the last).
fn is_link(e: &Entry) -> bool {
    link_key(e).is_some()
}

fn link_key(e: &Entry) -> Option<GroupKey> {
    match e.kind {
        Kind::Hardlink => Some(GroupKey::Path(e.meta.target.clone().unwrap_or_default())),
        Kind::File if e.size == 0 && e.meta.nlink.is_some_and(|n| n > 1) => {
            e.meta.inode.map(GroupKey::Inode)
        }
        _ => None,
    }
}

/// What links of a member's group name it by (see [`link_key`]).
fn carrier_keys(e: &Entry) -> Vec<GroupKey> {
    let mut keys = vec![GroupKey::Path(e.path.clone())];
    if e.meta.nlink.is_some_and(|n| n > 1) {
        keys.extend(e.meta.inode.map(GroupKey::Inode));
    }
    keys
}

/// A member with its bytes reduced to their digest.
fn as_digest(mut m: Member) -> Member {
    if matches!(m.held, Held::Bytes(_)) {
        m.held = m.held.clone_digest();
    }
    m.ticket = None;
    m
}

/// Members as rename pairing sees them.
fn unmatched(v: &[Member]) -> Vec<Unmatched<'_>> {
    v.iter()
        .map(|m| Unmatched {
            path: &m.entry.path,
            kind: m.entry.kind,
            size: m.entry.size,
            data: !matches!(m.entry.data, Data::None),
        })
        .collect()
}

/// Bytes a waiting member holds.
fn waiting_len(m: &Member) -> u64 {
    match m.held {
        Held::Bytes(ref b) => b.len() as u64,
        Held::Digest { .. } => 0,
    }
}

/// A member about to wait, reduced to its digest when the bytes already
/// waiting would pass `cap`.
fn bounded(m: Member, waiting: &mut u64, cap: u64) -> Member {
    let len = m.held.len();
    if matches!(m.held, Held::Bytes(_)) && waiting.saturating_add(len) > cap {
        let mut m = as_digest(m);
        if let Held::Digest { shared, .. } = &mut m.held {
            // Digested for what others hold, not for its own size.
            *shared = true;
        }
        return m;
    } else if matches!(m.held, Held::Bytes(_)) {
        *waiting += len;
    }
    m
}

fn unpaired(parent: &str, side: usize, e: &Entry) -> Node {
    let status = if side == 0 {
        Status::Removed
    } else {
        Status::Added
    };
    one_sided(child_address(parent, &e.path), e, status)
}

/// A one-member container holding `bytes` as the member's data.
fn alone(format: Format, mut e: Entry, bytes: Vec<u8>) -> Container {
    let len = bytes.len() as u64;
    e.data = if len > 0 {
        Data::Range(Extent { offset: 0, len })
    } else {
        Data::None
    };
    let mut c = Container::new(format, Blob::from_vec(bytes));
    c.entries.push(e);
    c
}

/// Compares one pair of members; `None` when they are identical or their
/// address is excluded.
fn compare_pair(
    ctx: &Ctx,
    parent: &str,
    x: Member,
    y: Member,
    (format, depth, member_cap): (Format, usize, u64),
) -> Option<Node> {
    let address = child_address(parent, &x.entry.path);
    if ctx.excluded(&address) {
        return None;
    }
    let node = compare_members(ctx, address, x, y, (format, depth, member_cap));
    (node.status != Status::Identical).then_some(node)
}

/// Compares two members into the node at `address`: metadata, and their
/// bytes while held, their digests past that.
fn compare_members(
    ctx: &Ctx,
    address: String,
    x: Member,
    y: Member,
    (format, depth, member_cap): (Format, usize, u64),
) -> Node {
    // The members' shares of the budget are given back once compared.
    let _tickets = (x.ticket, y.ticket);
    match (x.held, y.held) {
        (Held::Bytes(ba), Held::Bytes(bb)) => {
            let (ca, cb) = (alone(format, x.entry, ba), alone(format, y.entry, bb));
            compare_entries(
                ctx,
                address,
                (&ca, None, 0),
                (&cb, None, 0),
                Content::Compare,
                depth,
            )
            .0
        }
        (ha, hb) => {
            // Too large to hold: metadata compared, content by digest.
            let shared = [&ha, &hb]
                .iter()
                .any(|h| matches!(h, Held::Digest { shared: true, .. }));
            let ((sa, la), (sb, lb)) = (ha.digest(), hb.digest());
            let (ca, cb) = (
                alone(format, x.entry, Vec::new()),
                alone(format, y.entry, Vec::new()),
            );
            let (mut n, _) = compare_entries(
                ctx,
                address,
                (&ca, None, 0),
                (&cb, None, 0),
                Content::Skip,
                depth,
            );
            n.size_a = Some(la);
            n.size_b = Some(lb);
            if sa != sb {
                if n.status == Status::Identical {
                    ctx.identical.fetch_sub(1, Ordering::Relaxed);
                    n.status = Status::Modified;
                }
                ctx.fallbacks.fetch_add(1, Ordering::Relaxed);
                n.diff = Some(Diff::Hash {
                    sha256_a: Some(sa),
                    sha256_b: Some(sb),
                    reason: if shared {
                        format!(
                            "the members held at once reached the memory budget ({}): compared by digest",
                            size_text(ctx.opts.max_memory)
                        )
                    } else {
                        format!(
                            "member over the memory budget for one member ({}): compared by digest",
                            size_text(member_cap)
                        )
                    },
                });
            }
            n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes members hold at once never pass the shared cap, and
    /// what a member held comes back when it is dropped.
    #[test]
    fn tickets_share_one_budget() {
        let pool = Arc::new(AtomicU64::new(0));
        let a = Ticket::take(&pool, 40, 100);
        let b = Ticket::take(&pool, 50, 100);
        assert!(a.is_some() && b.is_some());
        assert!(Ticket::take(&pool, 20, 100).is_none(), "90 + 20 > 100");
        assert_eq!(pool.load(Ordering::Relaxed), 90);
        drop(a);
        let c = Ticket::take(&pool, 20, 100);
        assert!(c.is_some());
        assert_eq!(pool.load(Ordering::Relaxed), 70);
        drop((b, c));
        assert_eq!(pool.load(Ordering::Relaxed), 0);
        assert!(Ticket::take(&pool, 101, 100).is_none());
        assert!(Ticket::take(&pool, u64::MAX, u64::MAX).is_some());
    }
}
