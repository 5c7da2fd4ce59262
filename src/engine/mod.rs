//! The engine: compares two images recursively and builds the [`Report`].
//!
//! Flow: bytes → formats → **engine** → report → presenters. At every level
//! the engine first asks whether the two byte ranges are equal (memcmp over
//! the map: nothing decoded, nothing descended); only differing pairs are
//! opened, paired by path, and compared field by field, then content by
//! content. SquashFS files are compared by their stored blocks first and
//! decoded only when those differ, so the cost follows the size of the
//! difference, not of the image. Pairs are compared in parallel (rayon) and
//! children sorted by address, so two runs give byte-identical reports.

pub mod address;
pub mod beam;
pub mod content;
mod cut;
mod digest;
mod entries;
pub mod evict;
mod explain;
mod fields;
pub mod folder;
pub mod links;
pub mod locate;
mod lockstep;
pub(crate) mod members;
pub mod options;
pub mod packages;
mod pairing;
pub mod pe;
pub mod png;
mod repeats;
pub mod sections;
pub mod streamed;
pub mod sums;
mod twins;

pub use options::{glob_match, parse_seconds, OnSubtree, Options, Progress};

use digest::image_sha256;
pub use digest::{file_digests, sha256_hex};
use entries::{compare_entries, compare_entries_holding, one_sided, Content};
pub use explain::{explain_leaf, Explain, Leaf};
use pairing::{dir_orders, order_matters, order_values, pair, paired, per_directory, Pair};
use twins::{report_shared, Twin};

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;
use reprodiff_formats::{self as formats, Blob, Container, Format, Role, Value};

use crate::report::{
    Address, Cause, Diff, Input, Node, Region, Report, Status, Summary, Verdict, SCHEMA, TIMEOUT,
};
use evict::Evicted;

/// Entry bytes fetched for one side of a comparison whose decoded source
/// was dropped (see `evict`), by entry index.
type Kept = HashMap<usize, formats::Result<Blob>>;

/// Shared state of one comparison.
struct Ctx<'o> {
    opts: &'o Options,
    explain: &'o dyn Explain,
    /// The name of the compared file, b's: what a leaf at the top is
    /// called.
    name: String,
    regions: Mutex<Vec<Region>>,
    /// Every nested pair that may repeat elsewhere in the tree (see
    /// `repeats`), keyed or still to key.
    keyed: Mutex<Vec<repeats::Keyed>>,
    compared: AtomicU64,
    identical: AtomicU64,
    fallbacks: AtomicU64,
    timeouts: AtomicU64,
}

impl<'o> Ctx<'o> {
    fn new(opts: &'o Options, explain: &'o dyn Explain) -> Ctx<'o> {
        Ctx {
            opts,
            explain,
            name: String::new(),
            regions: Mutex::new(Vec::new()),
            keyed: Mutex::new(Vec::new()),
            compared: AtomicU64::new(0),
            identical: AtomicU64::new(0),
            fallbacks: AtomicU64::new(0),
            timeouts: AtomicU64::new(0),
        }
    }

    fn excluded(&self, address: &str) -> bool {
        self.opts.exclude.iter().any(|g| glob_match(g, address))
    }
}

/// Compares two image files.
pub fn compare_files(
    a: &Path,
    b: &Path,
    opts: &Options,
    explain: &dyn Explain,
) -> std::io::Result<Report> {
    // Lazy maps: populating both up front (MAP_POPULATE) took 13-19 ms per
    // 134 MiB image before any work could start, while faults taken during
    // the hashing and the compare overlap with them. Measured on the live
    // pair: identical inputs with digests 114 -> 93 ms, verdict only 50 ->
    // 42 ms, the differing pair unchanged (267 -> 260 ms).
    let ba = Blob::open(a)?;
    let bb = Blob::open(b)?;
    Ok(compare_blobs(
        (&a.display().to_string(), &ba),
        (&b.display().to_string(), &bb),
        opts,
        explain,
    ))
}

/// SHA-256 of `x` for the report, on a thread of its own in `s`; the
/// closure returned waits for it (or digests `x` itself when no thread
/// could be started).
fn digest_beside<'s, 'e: 's>(
    s: &'s std::thread::Scope<'s, 'e>,
    x: &'e Blob,
    opts: &'e Options,
) -> impl FnOnce() -> String + 's {
    let h = std::thread::Builder::new()
        .name("digest".into())
        .spawn_scoped(s, move || image_sha256(x.bytes(), opts))
        .ok();
    move || {
        h.and_then(|h| h.join().ok())
            .unwrap_or_else(|| image_sha256(x.bytes(), opts))
    }
}

/// Compares two images held in memory.
pub fn compare_blobs(
    (name_a, a): (&str, &Blob),
    (name_b, b): (&str, &Blob),
    opts: &Options,
    explain: &dyn Explain,
) -> Report {
    let ctx = Ctx {
        name: name_b.to_string(),
        ..Ctx::new(opts, explain)
    };
    // The digests for the report are computed alongside the comparison.
    // Equal images have one digest, so b's is computed only once the bytes
    // are known to differ: identical inputs cost one SHA-256 pass beside
    // the compare, not two (on two cores, 1.3x `cmp` instead of 2x). Each
    // digest is one long sequential pass, so it runs on a thread of its
    // own, beside the comparison's pool rather than in it: as pool jobs
    // the two passes held both workers for their whole length, and the
    // comparison's own work (its walk is sequential) waited for them.
    let (sha_a, sha_b, mut tree) = std::thread::scope(|s| {
        let ha = digest_beside(s, a, opts);
        if a.bytes() == b.bytes() {
            let tree = identical_bytes(&ctx, "", a, b);
            let sha_a = ha();
            (sha_a.clone(), sha_a, tree)
        } else {
            let hb = digest_beside(s, b, opts);
            let tree = differing_bytes(&ctx, "", a, b, 0);
            (ha(), hb(), tree)
        }
    });
    // Images the deadline cut before they were opened show the digests
    // computed for the report anyway.
    if let Some(Diff::Hash {
        sha256_a, sha256_b, ..
    }) = &mut tree.diff
    {
        for (d, full) in [(sha256_a, &sha_a), (sha256_b, &sha_b)] {
            if d.is_none() && !full.is_empty() {
                *d = Some(full.clone());
            }
        }
    }
    let inputs = (
        Input {
            path: name_a.to_string(),
            size: a.len(),
            sha256: sha_a,
        },
        Input {
            path: name_b.to_string(),
            size: b.len(),
            sha256: sha_b,
        },
    );
    finish(&ctx, tree, inputs)
}

/// Settles a finished comparison into a report: regions sorted and told
/// apart from unchanged owners, repeated nested pairs reported once, the
/// summary counted, then diagnosis (causes, counts, groups).
fn finish(ctx: &Ctx, mut tree: Node, (a, b): (Input, Input)) -> Report {
    let mut regions = std::mem::take(&mut *ctx.regions.lock().unwrap_or_else(|e| e.into_inner()));
    regions.sort_by(|x, y| (&x.container, x.offset).cmp(&(&y.container, y.offset)));
    // Entry owners with a node of their own differ; the rest are unchanged
    // (excluded ones are unknown, so not called unchanged either).
    // A renamed entry's node stands at its new name: its old name, which
    // side a's regions give, differs too.
    fn gather<'a>(n: &'a Node, parent: &str, out: &mut HashSet<&'a str>, old: &mut Vec<String>) {
        if n.status != Status::Identical {
            out.insert(n.address.as_str());
            for c in n.changes.iter().filter(|c| c.role == Role::Name) {
                if let Some(Value::Text(name)) = &c.a {
                    old.push(child_address(parent, name));
                }
            }
        }
        for c in &n.children {
            gather(c, &n.address, out, old);
        }
    }
    let (mut differing, mut old_names) = (HashSet::new(), Vec::new());
    gather(&tree, "", &mut differing, &mut old_names);
    differing.extend(old_names.iter().map(String::as_str));
    for r in &mut regions {
        r.unchanged
            .retain(|a| !differing.contains(a.as_str()) && !ctx.excluded(a));
    }
    // One pair of nested images met at two addresses: members once.
    let keyed = std::mem::take(&mut *ctx.keyed.lock().unwrap_or_else(|e| e.into_inner()));
    repeats::report_once(&mut tree, keyed);
    let mut summary = Summary {
        compared: ctx.compared.load(Ordering::Relaxed),
        identical: ctx.identical.load(Ordering::Relaxed),
        fallbacks: ctx.fallbacks.load(Ordering::Relaxed),
        timeouts: ctx.timeouts.load(Ordering::Relaxed),
        ..Summary::default()
    };
    tree.visit(&mut |n| {
        if n.address.is_empty() {
            return;
        }
        match n.status {
            Status::Added => summary.added += 1,
            Status::Removed => summary.removed += 1,
            Status::Modified => summary.modified += 1,
            Status::Identical => {}
        }
        if !n.errors.is_empty() {
            summary.errors += 1;
        }
    });
    if !tree.errors.is_empty() {
        summary.errors += 1;
    }
    let mut report = Report {
        schema: SCHEMA.to_string(),
        // The root is identical exactly when the two inputs' bytes are (the
        // first thing compare_bytes checks): no second pass over them.
        verdict: if tree.status == Status::Identical {
            Verdict::Identical
        } else {
            Verdict::Different
        },
        a,
        b,
        summary,
        groups: Vec::new(),
        regions,
        tree,
        truncated: None,
    };
    // Diagnosis: causes of every node, their counts and the groups.
    ctx.explain.report(&mut report);
    report
}

fn child_address(parent: &str, path: &str) -> String {
    Address::new(parent).child(path)
}

/// Compares two byte strings at `address`: equal bytes end it; containers of
/// the same format are opened and compared member by member; anything else
/// gets a leaf content diff.
fn compare_bytes(ctx: &Ctx, address: &str, a: &Blob, b: &Blob, depth: usize) -> Node {
    if a.bytes() == b.bytes() {
        identical_bytes(ctx, address, a, b)
    } else {
        differing_bytes(ctx, address, a, b, depth)
    }
}

/// Compares two byte strings as bytes only, without opening them, saying
/// why on the node when they differ: views that would nest their
/// containers in themselves (see `Container::nests_itself`).
fn compare_unopened(ctx: &Ctx, address: &str, a: &Blob, b: &Blob, why: String) -> Node {
    let mut node = identical_bytes(ctx, address, a, b);
    if a.bytes() != b.bytes() {
        node.status = Status::Modified;
        node.errors.push(why);
        node.diff = Some(leaf_diff(ctx, a, b));
    }
    node
}

/// The node of two byte ranges already known to be equal.
fn identical_bytes(ctx: &Ctx, address: &str, a: &Blob, b: &Blob) -> Node {
    let mut node = Node::new(address, Status::Identical);
    node.size_a = Some(a.len());
    node.size_b = Some(b.len());
    if let Some(p) = &ctx.opts.progress {
        p.bytes.fetch_add(a.len() + b.len(), Ordering::Relaxed);
    }
    node
}

/// Compares two byte ranges known to differ. A panic below it (a bug, in
/// this code or in a decoder it calls, such as the png crate indexing past
/// a malformed palette) becomes an error on this pair's node, and the
/// comparison of everything else goes on. Fuzz builds let the panic
/// through, so that the fuzzers still see it.
fn differing_bytes(ctx: &Ctx, address: &str, a: &Blob, b: &Blob, depth: usize) -> Node {
    if cfg!(fuzzing) {
        return differing_bytes_unguarded(ctx, address, a, b, depth);
    }
    let run = std::panic::AssertUnwindSafe(|| differing_bytes_unguarded(ctx, address, a, b, depth));
    std::panic::catch_unwind(run).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        let mut node = identical_bytes(ctx, address, a, b);
        node.status = Status::Modified;
        node.errors.push(format!(
            "internal error (a bug: please report it with both inputs), the pair was not compared: {what}"
        ));
        node
    })
}

fn differing_bytes_unguarded(ctx: &Ctx, address: &str, a: &Blob, b: &Blob, depth: usize) -> Node {
    if ctx.opts.panic_at.as_deref() == Some(address) {
        panic!("planted at {address}");
    }
    let mut node = identical_bytes(ctx, address, a, b);
    node.status = Status::Modified;
    if ctx.opts.timed_out() {
        cut::bytes(ctx, &mut node, a, b);
        return node;
    }
    let fa = formats::detect(a.bytes()).filter(|f| f.is_container());
    let fb = formats::detect(b.bytes()).filter(|f| f.is_container());
    if let (Some(fa), Some(fb)) = (fa, fb) {
        if depth >= ctx.opts.limits.max_depth {
            node.errors.push(format!(
                "not opened: nesting deeper than {} levels",
                ctx.opts.limits.max_depth
            ));
        } else {
            let both_squashfs = fa == Format::SquashFs && fb == Format::SquashFs;
            let walked = if both_squashfs && ctx.opts.lockstep {
                lockstep::open(ctx, address, a, b)
            } else {
                None
            };
            if let Some(o) = walked {
                let (ca, mut cb) = (o.a, o.b);
                let sa = Side {
                    c: &ca,
                    evicted: None,
                    stored_differ: Some(&o.stored_differ),
                };
                compare_containers(ctx, &mut node, sa, (&mut cb, b), depth, Some(o.regions));
                return node;
            }
            // A stream that says it decodes past its half of the budget is
            // not decoded only to find that out.
            let over = members::Plan::over_budget(ctx.opts.max_memory);
            if declared_over_budget(ctx, (a, fa), (b, fb)) {
                streamed_pair(ctx, &mut node, (a, fa), (b, fb), depth, over);
                return node;
            }
            // Two tar archives too large to hold both as they decode, yet
            // within the budget: read member by member while both decode,
            // each once, rather than one side at a time and side a twice.
            if members_within_budget(ctx, (a, fa), (b, fb)) {
                let plan = members::Plan::within_budget(ctx.opts.max_memory);
                streamed_pair(ctx, &mut node, (a, fa), (b, fb), depth, plan);
                return node;
            }
            let (oa, ob, ev) = open_pair(ctx, a, fa, b, fb);
            if over_budget(ctx, &oa) || over_budget(ctx, &ob) {
                // Nothing decoded is kept: the streamed comparison decodes again.
                drop((oa, ob, ev));
                streamed_pair(ctx, &mut node, (a, fa), (b, fb), depth, over);
                return node;
            }
            match (oa, ob) {
                (Ok(Some(ca)), Ok(Some(mut cb))) if ca.format == cb.format => {
                    let sa = Side {
                        c: &ca,
                        evicted: ev.as_ref(),
                        stored_differ: None,
                    };
                    compare_containers(ctx, &mut node, sa, (&mut cb, b), depth, None);
                    return node;
                }
                (Ok(Some(ca)), Ok(Some(cb))) => {
                    node.format = Some(ca.format_name());
                    ctx.change(
                        &mut node,
                        "format",
                        Role::Content,
                        Some(Value::Text(ca.format_name())),
                        Some(Value::Text(cb.format_name())),
                    );
                }
                (ra, rb) => cut::side_errors(&mut node, ra, rb),
            }
        }
    } else if fa != fb {
        ctx.change(
            &mut node,
            "format",
            Role::Content,
            fa.map(|f| Value::text(f.name())),
            fb.map(|f| Value::text(f.name())),
        );
    }
    node.diff = Some(leaf_diff(ctx, a, b));
    let name = if address.is_empty() {
        &ctx.name
    } else {
        address
    };
    explain_leaf(name, a.bytes(), b.bytes(), &mut node, ctx.explain);
    node
}

/// Opens both sides of a differing pair. Two compressed streams whose
/// compressed bytes together stay under `evict_min` are decoded in
/// parallel and both held; larger ones one after the other, each to at
/// most half the memory budget, and a
/// large decoded side a is reduced to digests before b is decoded, so that
/// only one is held at a time. A side over its half of the budget leaves
/// the pair to [`streamed_pair`] (b is not decoded when a already is).
fn open_pair(
    ctx: &Ctx,
    a: &Blob,
    fa: Format,
    b: &Blob,
    fb: Format,
) -> (
    formats::Result<Option<Container>>,
    formats::Result<Option<Container>>,
    Option<Evicted>,
) {
    let limits = &ctx.opts.limits;
    if !(fa.is_stream() && fb.is_stream()) {
        let (oa, ob) = rayon::join(
            || formats::open_as(a, fa, limits),
            || formats::open_as(b, fb, limits),
        );
        return (oa, ob, None);
    }
    let held = held_limits(ctx);
    let small = held_both(ctx, (a, fa), (b, fb));
    let (mut oa, ob_done) = if small {
        let (oa, ob) = rayon::join(
            || formats::open_as(a, fa, &held),
            || formats::open_as(b, fb, &held),
        );
        (oa, Some(ob))
    } else {
        (formats::open_as(a, fa, &held), None)
    };
    if over_budget(ctx, &oa) {
        note_held(ctx, held.max_decoded);
        return (oa, Ok(None), None);
    }
    let held_a = decoded_len(&oa);
    let ev = match &mut oa {
        Ok(Some(ca)) if !small && evict::worth_evicting(ca, ctx.opts.evict_min) => {
            if let Some(p) = &ctx.opts.progress {
                p.dropped.fetch_add(1, Ordering::Relaxed);
            }
            let block = locate::block_size(ca.format);
            Some(Evicted::take(ca, a, limits, block))
        }
        _ => None,
    };
    let ob = ob_done.unwrap_or_else(|| formats::open_as(b, fb, &held));
    let held_b = if over_budget(ctx, &ob) {
        held.max_decoded
    } else {
        decoded_len(&ob)
    };
    note_held(ctx, held_a.max(decoded_len(&oa) + held_b));
    (oa, ob, ev)
}

/// Whether two streams are decoded at once, each once, and both held. So
/// are two small streams (a `.deb`'s members): eviction is for archives
/// that decode large. So are two xz streams (a large `data.tar.xz`) whose
/// declared sizes fit half the budget together: xz decodes at about a
/// tenth of zstd's speed, so decoding side a a second time, as eviction
/// does, costs more than holding both.
fn held_both(ctx: &Ctx, (a, fa): (&Blob, Format), (b, fb): (&Blob, Format)) -> bool {
    let slow_fit = || {
        let size = |x: &Blob, f: Format| {
            (f == Format::Xz)
                .then(|| formats::stream::declared_size(x, f))
                .flatten()
        };
        matches!((size(a, fa), size(b, fb)), (Some(x), Some(y)) if x.saturating_add(y) <= ctx.opts.max_memory / 2)
    };
    a.len().saturating_add(b.len()) <= ctx.opts.evict_min || (ctx.opts.hold_slow && slow_fit())
}

/// Whether two compressed tar archives that are not held both at once
/// (see [`held_both`]) are compared member by member as they decode
/// (`Options::stream_members`): each side decoded once, both at once, and
/// only the members being compared held, where holding one side at a time
/// decodes side a twice and digests every byte of both.
fn members_within_budget(ctx: &Ctx, (a, fa): (&Blob, Format), (b, fb): (&Blob, Format)) -> bool {
    if !(ctx.opts.stream_members && fa.is_stream() && fb.is_stream()) {
        return false;
    }
    if held_both(ctx, (a, fa), (b, fb)) {
        return false;
    }
    let input = |raw, codec| streamed::Input { raw, codec, cap: 0 };
    members::both_archives(&input(a, fa), &input(b, fb)) == Some(Format::Tar)
}

/// The limits two streams are decoded under: each side at most half the
/// memory budget (or the decode cap, if lower).
fn held_limits(ctx: &Ctx) -> formats::Limits {
    let limits = &ctx.opts.limits;
    formats::Limits {
        max_decoded: limits.max_decoded.min(ctx.opts.max_memory / 2),
        ..limits.clone()
    }
}

/// Whether an open failed on the memory budget rather than on the decode
/// cap or the bytes: only then can the pair be compared as streams instead.
fn over_budget(ctx: &Ctx, r: &formats::Result<Option<Container>>) -> bool {
    let budget = ctx.opts.max_memory / 2;
    matches!(r, Err(formats::Error { kind: formats::ErrorKind::DecodedCap { cap }, .. })
        if *cap == budget && budget < ctx.opts.limits.max_decoded)
}

/// Whether either of two streams declares a decoded size over its half of
/// the memory budget (see `formats::stream::declared_size`), when the
/// budget is what bounds them (as in [`over_budget`]).
fn declared_over_budget(ctx: &Ctx, (a, fa): (&Blob, Format), (b, fb): (&Blob, Format)) -> bool {
    let budget = ctx.opts.max_memory / 2;
    let over =
        |x: &Blob, f: Format| formats::stream::declared_size(x, f).is_some_and(|n| n > budget);
    fa.is_stream()
        && fb.is_stream()
        && budget < ctx.opts.limits.max_decoded
        && (over(a, fa) || over(b, fb))
}

/// Decoded bytes an opened side holds (none for a side read in place).
fn decoded_len(r: &formats::Result<Option<Container>>) -> u64 {
    match r {
        Ok(Some(c)) if !c.layers.is_empty() || c.format.is_stream() => c.source.len(),
        _ => 0,
    }
}

fn note_held(ctx: &Ctx, bytes: u64) {
    if let Some(p) = &ctx.opts.progress {
        p.held_max.fetch_max(bytes, Ordering::Relaxed);
    }
}

/// Two compressed streams whose decoded bytes would not fit the memory
/// budget: their header fields as for any stream, and their decoded
/// content compared as it is decoded (see `streamed`), reported as a
/// `hash` diff of the `<content>` member with the reason, the first
/// differing offset and the count of differing bytes.
fn streamed_pair(
    ctx: &Ctx,
    node: &mut Node,
    (a, fa): (&Blob, Format),
    (b, fb): (&Blob, Format),
    depth: usize,
    plan: members::Plan,
) {
    if let Some(p) = &ctx.opts.progress {
        p.streamed.fetch_add(1, Ordering::Relaxed);
    }
    node.format = Some(fa.name().to_string());
    if fa != fb {
        // Two codecs: a packing change; the decoded bytes are compared below.
        ctx.change(
            node,
            "format",
            Role::Packing,
            Some(Value::text(fa.name())),
            Some(Value::text(fb.name())),
        );
    }
    let (ha, hb) = (
        formats::stream::header_fields(a, fa),
        formats::stream::header_fields(b, fb),
    );
    fields::header_changes(ctx, node, &ha, &hb);
    let far = formats::Limits {
        max_decoded: ctx.opts.max_streamed,
        ..ctx.opts.limits.clone()
    };
    let (ia, ib) = (
        streamed::Input {
            raw: a,
            codec: fa,
            cap: far.decoded_cap(a.len()),
        },
        streamed::Input {
            raw: b,
            codec: fb,
            cap: far.decoded_cap(b.len()),
        },
    );
    // Two tar or two cpio archives: member by member, each held at most
    // while it is compared, instead of one digest of all of them.
    if let Some(format) = members::both_archives(&ia, &ib) {
        if members::compare(ctx, node, (ia, ib), format, depth, plan) {
            // No member or field differs, yet the bytes do; the archives
            // fit the budget, so their bytes are shown as when held.
            let held = held_limits(ctx);
            let decode = |x: &Blob, f: Format| formats::stream::decode(x, f, &held);
            match (decode(a, fa), decode(b, fb)) {
                (Ok(x), Ok(y)) => node.diff = Some(leaf_diff(ctx, &x, &y)),
                (x, y) => cut::side_errors(node, x, y),
            }
        }
        return;
    }
    let stop = || ctx.opts.cancelled() || ctx.opts.timed_out();
    let s = streamed::compare(ia, ib, &stop);
    // The one member, counted as `compare_entries` counts members.
    ctx.compared.fetch_add(1, Ordering::Relaxed);
    if let Some(p) = &ctx.opts.progress {
        p.entries.fetch_add(1, Ordering::Relaxed);
        p.bytes.fetch_add(s.len_a + s.len_b, Ordering::Relaxed);
    }
    if s.equal() {
        ctx.identical.fetch_add(1, Ordering::Relaxed);
        if node.changes.is_empty() {
            // Same content, and no header field says why the bytes differ.
            node.diff = Some(leaf_diff(ctx, a, b));
        }
        return;
    }
    let member = formats::stream::member_name(b, fb);
    let mut child = Node::new(child_address(&node.address, &member), Status::Modified);
    child.kind = Some(formats::Kind::File);
    child.size_a = Some(s.len_a);
    child.size_b = Some(s.len_b);
    if s.len_a != s.len_b {
        ctx.change(
            &mut child,
            "size",
            Role::Size,
            Some(Value::Uint(s.len_a)),
            Some(Value::Uint(s.len_b)),
        );
    }
    for (side, e) in [("a", &s.error_a), ("b", &s.error_b)] {
        if let Some(e) = e {
            child.errors.push(format!("{side}: {e}"));
        }
    }
    ctx.fallbacks.fetch_add(1, Ordering::Relaxed);
    let reason = if s.stopped && ctx.opts.timed_out() {
        ctx.timeouts.fetch_add(1, Ordering::Relaxed);
        TIMEOUT.to_string()
    } else {
        let found = match s.first_difference {
            Some(at) => format!(
                "{} differing, the first at decoded offset {at:#x}",
                count(s.differing_bytes, "byte")
            ),
            None => "equal as far as both decoded".to_string(),
        };
        format!(
            "decoded size over the memory budget ({}): compared as decoded, {found}",
            size_text(ctx.opts.max_memory)
        )
    };
    child.diff = Some(Diff::Hash {
        sha256_a: s.sha256_a,
        sha256_b: s.sha256_b,
        reason,
    });
    node.children.push(child);
    if depth == 0 && node.changes.is_empty() {
        node.causes.push(Cause::Consequential);
    }
}

fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `512 MiB`, `1 GiB`, or a number of bytes.
fn size_text(n: u64) -> String {
    match n {
        n if n >= 1 << 30 && n % (1 << 30) == 0 => format!("{} GiB", n >> 30),
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n => format!("{n} bytes"),
    }
}

/// Side a of a container comparison: its listing, and, when its decoded
/// bytes were dropped, what stands in for them.
#[derive(Clone, Copy)]
struct Side<'c> {
    c: &'c Container,
    evicted: Option<&'c Evicted>,
    /// Members (by index) whose stored bytes were already found not to be
    /// their pair's, while walking both listings side by side.
    stored_differ: Option<&'c HashSet<usize>>,
}

fn leaf_diff(ctx: &Ctx, a: &Blob, b: &Blob) -> Diff {
    if a.len().max(b.len()) > ctx.opts.max_diff_bytes {
        ctx.fallbacks.fetch_add(1, Ordering::Relaxed);
        return Diff::Hash {
            sha256_a: Some(sha256_hex(a.bytes())),
            sha256_b: Some(sha256_hex(b.bytes())),
            reason: format!(
                "larger than the {}-byte diff budget",
                ctx.opts.max_diff_bytes
            ),
        };
    }
    // A line diff stops at the comparison's deadline if that comes first.
    let lim = &ctx.opts.diff;
    match ctx.opts.time_left() {
        Some(left) if left < lim.text_timeout => {
            let lim = content::DiffLimits {
                text_timeout: left,
                ..lim.clone()
            };
            content::diff(a.bytes(), b.bytes(), &lim)
        }
        _ => content::diff(a.bytes(), b.bytes(), lim),
    }
}

/// Marks the changes of a pair whose hard-link group carries its bytes
/// under another name on one side: which member is the link (its kind,
/// its target, tar's type flag) follows the member order.
pub(super) fn carried_elsewhere(n: &mut Node) {
    for c in &mut n.changes {
        if matches!(c.field.as_str(), "kind" | "target" | "tar.typeflag") {
            c.role = Role::Order;
        }
    }
}

/// Compares two opened containers member by member. `b` is the blob side b
/// was opened from, to decode it again if its decoded bytes get dropped;
/// `located` the differing regions when they were found while listing.
fn compare_containers(
    ctx: &Ctx,
    node: &mut Node,
    sa: Side,
    (cb, b): (&mut Container, &Blob),
    depth: usize,
    located: Option<Vec<Region>>,
) {
    let ca = sa.c;
    node.format = Some(ca.format_name());
    if ca.format_name() != cb.format_name() {
        // The same format under other compression layers (`cpio+gzip` and
        // `cpio+zstd`): a packing change; what the layers hold is compared
        // below.
        ctx.change(
            node,
            "format",
            Role::Packing,
            Some(Value::Text(ca.format_name())),
            Some(Value::Text(cb.format_name())),
        );
    }
    // Header fields, by name, in a's order then b's extras.
    fields::header_changes(ctx, node, &ca.fields, &cb.fields);
    for e in &ca.errors {
        node.errors.push(format!("a: {e}"));
    }
    for e in &cb.errors {
        node.errors.push(format!("b: {e}"));
    }

    let pairs = pair(ca, cb, &ctx.opts.limits);
    let mut dir_order = HashMap::new();
    if order_matters(ca.format) {
        if let Some((a, b)) = order_values(ca, cb, paired(&pairs)) {
            ctx.change(
                node,
                "order",
                Role::Order,
                Some(Value::Text(a)),
                Some(Value::Text(b)),
            );
        }
    } else if per_directory(ca.format) {
        dir_order = dir_orders(ca, cb, &pairs);
        // A directory with no entry of its own (the root) has its order on
        // the container; the others on the directory's node, below.
        let with_node: HashSet<&str> = if dir_order.is_empty() {
            HashSet::new()
        } else {
            paired(&pairs)
                .iter()
                .map(|&(i, _)| ca.entries[i].path.trim_end_matches('/'))
                .collect()
        };
        let mut own: Vec<(String, (String, String))> = dir_order
            .iter()
            .filter(|(d, _)| !with_node.contains(d.as_str()))
            .map(|(d, o)| (d.clone(), o.clone()))
            .collect();
        own.sort();
        for (d, (a, b)) in own {
            let field = if d.is_empty() {
                "order".to_string()
            } else {
                format!("order.{d}")
            };
            order_change(ctx, node, &field, &d, (a, b));
        }
    }
    let located = located.unwrap_or_else(|| {
        locate::locate(
            &node.address,
            ca,
            sa.evicted.map(|e| &e.blocks),
            cb,
            ctx.opts.max_regions,
        )
    });
    if !located.is_empty() {
        if let Ok(mut r) = ctx.regions.lock() {
            r.extend(located);
        }
    }

    // Entries whose data is another's on both sides, that other entry being
    // one pair (hard links, Joliet names, boot images that are also files),
    // have their content compared once, with that pair.
    let (holder_a, holder_b) = (links::holders(ca), links::holders(cb));
    let partner: HashMap<usize, usize> = pairs
        .iter()
        .filter_map(|p| match *p {
            Pair::Both(i, j) => Some((i, j)),
            _ => None,
        })
        .collect();
    let shared = |i: usize, j: usize| match (holder_a[i], holder_b[j]) {
        (Some(i0), Some(j0)) if partner.get(&i0) == Some(&j0) => Some((i0, j0)),
        _ => None,
    };
    let (links_a, links_b) = (links::groups(ca), links::groups(cb));
    // A hard-link group with the same names on both sides whose bytes
    // another of them carries on one side (tar stores them with the first
    // name it meets, newc cpio with the last): which name is the link
    // follows the member order. The group's bytes are compared once, at
    // the pair whose side a carries them; the others compare none.
    let (held_a, held_b) = (
        links::holder_groups(ca, &holder_a),
        links::holder_groups(cb, &holder_b),
    );
    let carriers = |i: usize, j: usize| {
        let (di, dj) = (holder_a[i].unwrap_or(i), holder_b[j].unwrap_or(j));
        let same_group = held_a.grouped(i) && held_a.same(i, &held_b, j);
        (same_group && partner.get(&di) != Some(&dj)).then_some((di, dj))
    };
    // The pair of entries whose bytes pair (i, j) compares, if any.
    // A name that is a link on one side only (a file made a hard link of
    // another, or the other way round) is compared by the bytes it reads
    // as: its holder's.
    let data_of = |i: usize, j: usize| match carriers(i, j) {
        Some((di, dj)) => (di == i).then_some((di, dj)),
        None if holder_a[i].is_some() != holder_b[j].is_some() => {
            Some((holder_a[i].unwrap_or(i), holder_b[j].unwrap_or(j)))
        }
        None => shared(i, j).is_none().then_some((i, j)),
    };
    // Side a's decoded bytes were dropped: find by digest which pairs
    // differ, copy those members out of b and drop b's decoded bytes too,
    // then decode a again for just those members.
    let mut equal_a = HashSet::new();
    let mut kept_a: Option<Kept> = None;
    let mut kept_b: Option<Kept> = None;
    if let Some(ev) = sa.evicted {
        let limits = &ctx.opts.limits;
        let wanted: Vec<(usize, usize)> = pairs
            .iter()
            .filter_map(|p| match *p {
                Pair::Both(i, j) => data_of(i, j),
                Pair::Renamed(i, j, false) => Some((i, j)),
                _ => None,
            })
            .collect();
        let (same, differ) = ev.split(cb, &wanted, limits);
        equal_a = same;
        let need_b: Vec<usize> = differ.iter().map(|p| p.1).collect();
        kept_b = evict::drop_side(cb, &need_b, limits, ctx.opts.evict_min);
        let need_a: Vec<usize> = differ.iter().map(|p| p.0).collect();
        kept_a = Some(ev.fetch(ca, &need_a, limits));
    }
    let cb: &Container = cb;
    // A link group whose other names differ only by names one side alone
    // has follows from those entries.
    let by_names = if links_a.is_empty() && links_b.is_empty() {
        HashSet::new()
    } else {
        let removed: HashSet<&str> = pairs
            .iter()
            .filter_map(|p| match *p {
                Pair::OnlyA(i) => Some(ca.entries[i].path.as_str()),
                _ => None,
            })
            .collect();
        let added: HashSet<&str> = pairs
            .iter()
            .filter_map(|p| match *p {
                Pair::OnlyB(j) => Some(cb.entries[j].path.as_str()),
                _ => None,
            })
            .collect();
        links::differ_by_names(
            (&links_a, ca),
            (&links_b, cb),
            &pairing::paired(&pairs),
            (&removed, &added),
        )
    };
    let parent = node.address.clone();
    let (files_a, files_b) = (links::FileIndex::new(ca), links::FileIndex::new(cb));
    // One pair per task: rayon otherwise splits the list into a few runs
    // of entries and a run its owner started is never split again, so the
    // differing entries, which sit together in an archive (a .deb's man
    // pages), were explained on one core while the other idled.
    let compared: Vec<(Node, Range<usize>)> = pairs
        .par_iter()
        .with_max_len(1)
        .filter_map(|p| {
            let path = match *p {
                Pair::Both(i, _) | Pair::OnlyA(i) => &ca.entries[i].path,
                // A renamed entry is found under its new name.
                Pair::Renamed(_, j, _) | Pair::OnlyB(j) => &cb.entries[j].path,
            };
            let address = child_address(&parent, path);
            if ctx.opts.cancelled() || ctx.excluded(&address) {
                return None;
            }
            let n = match *p {
                Pair::Both(i, j) => {
                    let data = data_of(i, j);
                    let (di, dj) = data.unwrap_or((i, j));
                    let wanted = data.is_some() && !equal_a.contains(&di);
                    let differ = sa.stored_differ.is_some_and(|d| d.contains(&di));
                    let content = match (wanted, differ) {
                        (false, _) => Content::Skip,
                        (true, true) => Content::Decode,
                        (true, false) => Content::Compare,
                    };
                    let (a, b) = ((ca, kept_a.as_ref(), i), (cb, kept_b.as_ref(), j));
                    let (mut n, from) =
                        compare_entries_holding(ctx, address, a, b, (di, dj), content, depth);
                    if carriers(i, j).is_some() {
                        carried_elsewhere(&mut n);
                    }
                    let (sa, sb) = (
                        (ca, kept_a.as_ref(), i, &files_a),
                        (cb, kept_b.as_ref(), j, &files_b),
                    );
                    links::linked_copy(ctx, &mut n, sa, sb);
                    let before = n.changes.len();
                    if let Some((oa, ob)) = dir_order.get(ca.entries[i].path.trim_end_matches('/'))
                    {
                        let dir = ca.entries[i].path.trim_end_matches('/');
                        order_change(ctx, &mut n, "order", dir, (oa.clone(), ob.clone()));
                    }
                    // Told apart by the groups' digests: two large groups'
                    // values show only some of their names.
                    if !links_a.same(i, &links_b, j) && !ctx.ignored("hardlinks") {
                        let link = |g: &links::Groups, c, k| g.shown(c, k).map(Value::Text);
                        // Names added or removed elsewhere in the container
                        // account for it: a consequence, as sizes are.
                        let role = match by_names.contains(&(i, j)) {
                            true => Role::Structure,
                            false => Role::Content,
                        };
                        n.changes.push(crate::report::Change::new(
                            "hardlinks",
                            role,
                            link(&links_a, ca, i),
                            link(&links_b, cb, j),
                        ));
                    }
                    if n.changes.len() > before {
                        n.status = Status::Modified;
                    }
                    (n, from..before)
                }
                Pair::Renamed(i, j, same) => {
                    // Bytes found equal while pairing are not read again.
                    let content = match !same && !equal_a.contains(&i) {
                        true => Content::Compare,
                        false => Content::Skip,
                    };
                    let (a, b) = ((ca, kept_a.as_ref(), i), (cb, kept_b.as_ref(), j));
                    let (mut n, from) = compare_entries(ctx, address, a, b, content, depth);
                    let before = n.changes.len();
                    let name = |e: &formats::Entry| Some(Value::Text(e.path.clone()));
                    let (old, new) = (name(&ca.entries[i]), name(&cb.entries[j]));
                    ctx.change(&mut n, "path", Role::Name, old, new);
                    n.status = Status::Modified;
                    (n, from..before)
                }
                Pair::OnlyA(i) => (one_sided(address, &ca.entries[i], Status::Removed), 0..0),
                Pair::OnlyB(j) => (one_sided(address, &cb.entries[j], Status::Added), 0..0),
            };
            if n.0.status == Status::Identical {
                return None;
            }
            if depth == 0 {
                if let Some(cb) = &ctx.opts.on_subtree {
                    (cb.0)(&n.0);
                }
            }
            Some(n)
        })
        .collect();
    // Other names in the same tree (hard links) are reported with their
    // twin. Members that are a second view of the container (`<joliet>/…`,
    // El Torito images, named `<like-this>` by their readers) are not: they
    // would repeat every difference of the files they mirror.
    let view = |c: &Container, i: usize| c.entries[i].path.starts_with('<');
    let twins: Vec<Twin> = pairs
        .iter()
        .filter_map(|p| match *p {
            Pair::Both(i, j) => shared(i, j)
                .or_else(|| {
                    // A link group stored the other way round: its bytes
                    // were compared at the pair a's carrier is in.
                    let (di, _) = carriers(i, j).filter(|&(di, _)| di != i)?;
                    Some((di, *partner.get(&di)?))
                })
                .filter(|held| !view(ca, i) && !view(ca, held.0))
                .map(|held| Twin { at: (i, j), held }),
            _ => None,
        })
        .collect();
    let mut children = report_shared(ctx, &parent, (ca, cb), &twins, compared, depth);
    children.sort_by(|x, y| x.address.cmp(&y.address));
    node.children = children;
    // Files of packages whose version differs are explained by that.
    packages::attribute(node, ca, cb, &ctx.opts.limits);
    let unexplained = node.children.is_empty() && node.changes.is_empty() && node.errors.is_empty();
    if ctx.opts.cancelled() {
        // Whatever was skipped must not be mistaken for "only padding differs".
        node.errors.push("comparison cancelled".to_string());
    } else if unexplained && ctx.opts.timed_out() {
        // Nor what the deadline cut: its members may be what differs.
        node.diff = Some(cut::timeout_diff(ctx, None, None));
    } else if unexplained {
        // The bytes differ yet no member or field explains it (padding,
        // unparsed structures): show the bytes so nothing goes unreported.
        // The only place every byte of a dropped side is needed again.
        let limits = &ctx.opts.limits;
        let sa = match sa.evicted {
            None => Ok(ca.source.clone()),
            Some(ev) => ev.decode(limits),
        };
        let sb = match (&kept_b, cb.layers.first()) {
            (Some(_), Some(&codec)) => formats::stream::decode(b, codec, limits),
            _ => Ok(cb.source.clone()),
        };
        match (sa, sb) {
            (Ok(x), Ok(y)) => node.diff = Some(leaf_diff(ctx, &x, &y)),
            (x, y) => cut::side_errors(node, x, y),
        }
    } else if depth == 0 && node.changes.is_empty() && !node.children.is_empty() {
        node.causes.push(Cause::Consequential);
    }
}

/// The order change of one directory's entries (`dir` is its path, `""`
/// for the root), named as such so diagnosis tells it from member order.
fn order_change(ctx: &Ctx, node: &mut Node, field: &str, dir: &str, (a, b): (String, String)) {
    let before = node.changes.len();
    ctx.change(
        node,
        field,
        Role::Order,
        Some(Value::Text(a)),
        Some(Value::Text(b)),
    );
    if let Some(c) = node.changes.get_mut(before) {
        c.subject = Some(dir.to_string());
    }
}
