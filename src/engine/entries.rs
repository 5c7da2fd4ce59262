//! One pair of entries, a member of each side's container: kind, size,
//! metadata and the format's own fields, then the content, compared by
//! stored bytes first (SquashFS blocks, deflated ZIP streams) and decoded
//! and descended into only when those differ.
//!
//! Engine stage (formats → **engine** → diagnosis → report), called by
//! `compare_containers` for every pair, in parallel.

use std::sync::atomic::Ordering;

use reprodiff_formats::{self as formats, Blob, Container, Data, Entry, Role, Value};

use super::{compare_bytes, compare_unopened, cut, fields, repeats, Ctx, Kept};
use crate::report::{Cause, Diff, Node, Status};

pub(super) fn one_sided(address: String, e: &Entry, status: Status) -> Node {
    let mut n = Node::new(address, status);
    n.kind = Some(e.kind);
    match status {
        Status::Removed => n.size_a = Some(e.size),
        _ => n.size_b = Some(e.size),
    }
    n
}

/// Whether, and how, a pair's content is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Content {
    /// Not at all (known equal, or held by another pair).
    Skip,
    /// Stored bytes first, decoded only when those differ.
    Compare,
    /// Decoded at once: the stored bytes are already known not to be the
    /// same (found so while walking two listings side by side), so asking
    /// again would decode SquashFS fragment tails a second time.
    Decode,
}

/// Compares one pair of entries; also returns where the changes found in
/// their content (not in their metadata) start in the node's `changes`,
/// for entries that share this data to be told what it says.
pub(super) fn compare_entries(
    ctx: &Ctx,
    address: String,
    a: (&Container, Option<&Kept>, usize),
    b: (&Container, Option<&Kept>, usize),
    content: Content,
    depth: usize,
) -> (Node, usize) {
    compare_entries_holding(ctx, address, a, b, (a.2, b.2), content, depth)
}

/// [`compare_entries`], the content read from the entries `(di, dj)` that
/// hold it: another member of the entry's hard-link group when the entry
/// stores none of its own on one side only (see `links::holders`).
pub(super) fn compare_entries_holding(
    ctx: &Ctx,
    address: String,
    (ca, kept_a, i): (&Container, Option<&Kept>, usize),
    (cb, kept_b, j): (&Container, Option<&Kept>, usize),
    (di, dj): (usize, usize),
    content: Content,
    depth: usize,
) -> (Node, usize) {
    ctx.compared.fetch_add(1, Ordering::Relaxed);
    if let Some(p) = &ctx.opts.progress {
        p.entries.fetch_add(1, Ordering::Relaxed);
    }
    let (ea, eb) = (&ca.entries[i], &cb.entries[j]);
    let mut node = Node::new(address, Status::Identical);
    node.kind = Some(eb.kind);
    node.size_a = Some(ea.size);
    node.size_b = Some(eb.size);
    if ea.kind != eb.kind {
        ctx.change(
            &mut node,
            "kind",
            Role::Content,
            Some(Value::text(ea.kind.as_str())),
            Some(Value::text(eb.kind.as_str())),
        );
    }
    if ea.size != eb.size {
        ctx.change(
            &mut node,
            "size",
            Role::Size,
            Some(Value::Uint(ea.size)),
            Some(Value::Uint(eb.size)),
        );
    }
    fields::meta_changes(ctx, &mut node, &ea.meta, &eb.meta);

    let content_from = node.changes.len();
    let has_data = |e: &Entry| !matches!(e.data, Data::None) && e.size > 0;
    let (i, j) = (di, dj);
    let (ea, eb) = (&ca.entries[i], &cb.entries[j]);
    if content != Content::Skip && (has_data(ea) || has_data(eb)) {
        let same = match content {
            Content::Decode => None,
            _ => formats::squashfs::stored_equal(ca, ea, cb, eb)
                .or_else(|| deflated_equal(ca, ea, cb, eb)),
        };
        let held = kept_a.is_none() && kept_b.is_none();
        if same != Some(true) && ctx.opts.timed_out() {
            cut::entry_content(ctx, &mut node, (ca, kept_a, i), (cb, kept_b, j));
        } else if same != Some(true) && held && over_budget(ctx, ea, eb) {
            digested(ctx, &mut node, (ca, ea), (cb, eb));
        } else if same != Some(true) {
            let (ra, rb) = rayon::join(
                || read_entry(ctx, ca, kept_a, i),
                || read_entry(ctx, cb, kept_b, j),
            );
            match (ra, rb) {
                (Ok(ba), Ok(bb)) => {
                    // A view of the mapped input (not decoded data) sits at a
                    // known offset of the image file.
                    node.image_offset_a = ba.is_mapped().then(|| ba.base_offset());
                    node.image_offset_b = bb.is_mapped().then(|| bb.base_offset());
                    let itself = ca
                        .nests_itself(ea, ba.bytes())
                        .or_else(|| cb.nests_itself(eb, bb.bytes()));
                    let sub = match itself {
                        Some(why) => compare_unopened(ctx, &node.address, &ba, &bb, why),
                        None => compare_bytes(ctx, &node.address, &ba, &bb, depth + 1),
                    };
                    node.format = sub.format;
                    node.changes.extend(sub.changes);
                    node.diff = sub.diff;
                    node.children = sub.children;
                    // Keying hashes both sides whole (a nested SquashFS:
                    // a fifth of a second): not once the deadline passed.
                    let keyed = !node.children.is_empty() || node.diff.is_some();
                    if keyed && !ctx.opts.timed_out() {
                        let k = repeats::Keyed::new(&node.address, &ba, &bb);
                        node.same_bytes = k.key;
                        if let Ok(mut all) = ctx.keyed.lock() {
                            all.push(k);
                        }
                    }
                    node.errors.extend(sub.errors);
                    // A member that differs only because members below it do
                    // (its size follows theirs) is consequential.
                    let own = node.changes.iter().any(|c| c.role != Role::Size);
                    if !own && node.diff.is_none() && !node.children.is_empty() {
                        node.causes.push(Cause::Consequential);
                    }
                }
                (ra, rb) => cut::side_errors(&mut node, ra, rb),
            }
        }
    }
    if node.changes.is_empty()
        && node.diff.is_none()
        && node.children.is_empty()
        && node.errors.is_empty()
    {
        ctx.identical.fetch_add(1, Ordering::Relaxed);
    } else {
        node.status = Status::Modified;
    }
    (node, content_from)
}

/// Whether comparing a pair's decoded content would hold more than the
/// memory budget: a side that decodes (a SquashFS file, a deflated ZIP
/// member) to more than half of it. A range of the input is only viewed.
fn over_budget(ctx: &Ctx, ea: &Entry, eb: &Entry) -> bool {
    let half = ctx.opts.max_memory / 2;
    let big = |e: &Entry| Container::read_holds(e) && e.size > half;
    big(ea) || big(eb)
}

/// The content of a pair too large to hold, compared by the SHA-256 of
/// each side as it decodes, piece by piece, both sides at once. Nothing
/// is opened inside it: a `hash` diff says why, with both digests.
fn digested(
    ctx: &Ctx,
    node: &mut Node,
    (ca, ea): (&Container, &Entry),
    (cb, eb): (&Container, &Entry),
) {
    use sha2::{Digest, Sha256};
    let digest = |c: &Container, e: &Entry| {
        let mut h = Sha256::new();
        let mut len = 0u64;
        c.each_piece(e, &ctx.opts.limits, &mut |piece| {
            h.update(piece);
            len += piece.len() as u64;
        })
        .map(|()| (super::digest::hex(&h.finalize()), len))
    };
    // A side that is a view of the input sits at a known offset of it, as
    // when read whole.
    let mapped = |c: &Container, e: &Entry| {
        let view = (!Container::read_holds(e)).then(|| c.read_entry(e, &ctx.opts.limits).ok());
        view.flatten()
            .filter(Blob::is_mapped)
            .map(|b| b.base_offset())
    };
    node.image_offset_a = mapped(ca, ea);
    node.image_offset_b = mapped(cb, eb);
    let (ra, rb) = rayon::join(|| digest(ca, ea), || digest(cb, eb));
    match (ra, rb) {
        (Ok(a), Ok(b)) if a == b => {}
        (Ok((sa, _)), Ok((sb, _))) => {
            ctx.fallbacks.fetch_add(1, Ordering::Relaxed);
            node.diff = Some(Diff::Hash {
                sha256_a: Some(sa),
                sha256_b: Some(sb),
                reason: format!(
                    "member of {} bytes over the memory budget ({}): compared by digest as it decoded",
                    ea.size.max(eb.size),
                    super::size_text(ctx.opts.max_memory)
                ),
            });
        }
        (ra, rb) => cut::side_errors(node, ra, rb),
    }
}

/// Entry `i`'s bytes: read through the listing, or, when the container's
/// decoded source was dropped, from the bytes kept for it.
pub(super) fn read_entry(
    ctx: &Ctx,
    c: &Container,
    kept: Option<&Kept>,
    i: usize,
) -> formats::Result<Blob> {
    match kept {
        None => c.read(i, &ctx.opts.limits),
        Some(k) => k
            .get(&i)
            .cloned()
            .unwrap_or_else(|| Err(formats::Error::invalid(c.format, 0, "entry bytes not kept"))),
    }
}

/// `Some(true)` when two deflated members (ZIP) are the very same stored
/// bytes for the same size: equal without inflating either.
fn deflated_equal(ca: &Container, ea: &Entry, cb: &Container, eb: &Entry) -> Option<bool> {
    let (Data::Deflate(x), Data::Deflate(y)) = (&ea.data, &eb.data) else {
        return None;
    };
    let rx = ca.source.slice(x.offset, x.len, ca.format).ok()?;
    let ry = cb.source.slice(y.offset, y.len, cb.format).ok()?;
    (ea.size == eb.size && rx.bytes() == ry.bytes()).then_some(true)
}
