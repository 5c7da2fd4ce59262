//! What the deadline leaves: entries reached after `Options::deadline` are
//! compared only as far as is cheap, and say so.
//!
//! Engine stage (bytes → formats → **engine** → diagnosis → report). The
//! engine checks the deadline before each entry pair's content and before
//! each pair of byte ranges is opened or diffed; past it, nothing is decoded
//! or descended into. An entry whose bytes are at hand (a range of the
//! mapped image, of a decoded archive, or kept for a dropped side) is still
//! told equal or not by a memcmp, and gets the SHA-256 of both sides when
//! they are small enough to hash at once; one whose bytes would have to be
//! decoded (SquashFS blocks, a deflated ZIP member) and whose stored bytes
//! differ is reported modified with its sizes only. Either way its diff is
//! a `hash` diff with the reason [`TIMEOUT`], counted in the summary's
//! `fallbacks` and `timeouts`; a container cut this way is one node, its
//! members unlisted.

use std::sync::atomic::Ordering;

use reprodiff_formats::{self as formats, Blob, Container, Data};

use super::entries::read_entry;
use super::{sha256_hex, Ctx, Kept};
use crate::report::{Diff, Node, TIMEOUT};

/// Sides larger than this get no digest once the deadline has passed:
/// hashing a whole nested image would take longer than the deadline saved.
const CHEAP_DIGEST_BYTES: u64 = 16 << 20;

/// The `hash` diff of a pair the deadline cut, with the digests of the
/// sides given (and small enough); counted as a fallback.
pub(super) fn timeout_diff(ctx: &Ctx, a: Option<&[u8]>, b: Option<&[u8]>) -> Diff {
    ctx.fallbacks.fetch_add(1, Ordering::Relaxed);
    ctx.timeouts.fetch_add(1, Ordering::Relaxed);
    let digest = |s: Option<&[u8]>| {
        s.filter(|s| s.len() as u64 <= CHEAP_DIGEST_BYTES)
            .map(sha256_hex)
    };
    let (sha256_a, sha256_b) = rayon::join(|| digest(a), || digest(b));
    Diff::Hash {
        sha256_a,
        sha256_b,
        reason: TIMEOUT.to_string(),
    }
}

/// Whether entry `i`'s bytes can be had without decoding anything.
fn at_hand(c: &Container, kept: Option<&Kept>, i: usize) -> bool {
    kept.is_some()
        || c.entries
            .get(i)
            .is_some_and(|e| matches!(e.data, Data::None | Data::Range(_) | Data::Extents(_)))
}

/// The content of an entry pair past the deadline, known to need
/// comparing (its stored bytes are not the same): equal bytes add nothing,
/// anything else a timeout diff.
pub(super) fn entry_content(
    ctx: &Ctx,
    node: &mut Node,
    (ca, kept_a, i): (&Container, Option<&Kept>, usize),
    (cb, kept_b, j): (&Container, Option<&Kept>, usize),
) {
    if !(at_hand(ca, kept_a, i) && at_hand(cb, kept_b, j)) {
        node.diff = Some(timeout_diff(ctx, None, None));
        return;
    }
    match (
        read_entry(ctx, ca, kept_a, i),
        read_entry(ctx, cb, kept_b, j),
    ) {
        (Ok(a), Ok(b)) => {
            if a.bytes() != b.bytes() {
                node.diff = Some(timeout_diff(ctx, Some(a.bytes()), Some(b.bytes())));
            }
        }
        (ra, rb) => side_errors(node, ra, rb),
    }
}

/// Two byte ranges known to differ, reached past the deadline: not opened,
/// not diffed.
pub(super) fn bytes(ctx: &Ctx, node: &mut Node, a: &Blob, b: &Blob) {
    node.diff = Some(timeout_diff(ctx, Some(a.bytes()), Some(b.bytes())));
}

/// Records the read errors of either side on `node`.
pub(super) fn side_errors(
    node: &mut Node,
    ra: formats::Result<impl Sized>,
    rb: formats::Result<impl Sized>,
) {
    if let Err(e) = ra {
        node.errors.push(format!("a: {e}"));
    }
    if let Err(e) = rb {
        node.errors.push(format!("b: {e}"));
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Instant;

    use super::*;
    use crate::diagnose::Diagnosis;
    use crate::engine::{compare_containers, Options, Side};
    use crate::report::Status;

    fn demo(side: &str) -> Blob {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("testdata/demo/{side}.iso"));
        Blob::open(&p).expect("demo image")
    }

    /// The demo images' members compared, with the deadline given; the
    /// image node, and the fallbacks and timeouts counted.
    fn members(deadline: Option<Instant>) -> (Node, u64, u64, Container) {
        let opts = Options {
            deadline,
            ..Options::default()
        };
        let ctx = Ctx::new(&opts, &Diagnosis);
        let (a, b) = (demo("a"), demo("b"));
        let open = |x: &Blob| {
            formats::open(x, &opts.limits)
                .expect("opens")
                .expect("a container")
        };
        let (ca, mut cb) = (open(&a), open(&b));
        let mut node = Node::new("", Status::Modified);
        let sa = Side {
            c: &ca,
            evicted: None,
            stored_differ: None,
        };
        compare_containers(&ctx, &mut node, sa, (&mut cb, &b), 0, None);
        let count = |n: &std::sync::atomic::AtomicU64| n.load(Ordering::Relaxed);
        (node, count(&ctx.fallbacks), count(&ctx.timeouts), ca)
    }

    #[test]
    fn past_the_deadline_members_are_told_apart_cheaply_and_not_opened() {
        let (full, _, _, _) = members(None);
        let (cut, fallbacks, timeouts, ca) = members(Some(Instant::now()));
        let addresses =
            |n: &Node| -> Vec<String> { n.children.iter().map(|c| c.address.clone()).collect() };
        assert_eq!(
            addresses(&cut),
            addresses(&full),
            "what differs cheaply is what differs"
        );
        let mut hashed = 0;
        for c in &cut.children {
            let f = full
                .children
                .iter()
                .find(|f| f.address == c.address)
                .expect("in both");
            assert!(c.children.is_empty(), "{} was opened", c.address);
            for ch in &c.changes {
                assert!(f.changes.contains(ch), "{}: {ch:?}", c.address);
            }
            match &c.diff {
                None => assert!(
                    f.diff.is_none() && f.children.is_empty() && f.changes == c.changes,
                    "{}: content left out",
                    c.address
                ),
                Some(Diff::Hash {
                    sha256_a,
                    sha256_b,
                    reason,
                }) => {
                    hashed += 1;
                    assert_eq!(reason, TIMEOUT);
                    assert!(
                        sha256_a.is_some() && sha256_b.is_some() && sha256_a != sha256_b,
                        "{}: small entries of the image are hashed",
                        c.address
                    );
                }
                Some(d) => panic!("{}: diffed after the deadline: {d:?}", c.address),
            }
        }
        assert!(hashed > 0);
        assert_eq!((fallbacks, timeouts), (hashed, hashed));
        // The SquashFS is one node, with the digests of its own bytes.
        let at = |n: &Node| {
            n.children
                .iter()
                .find(|c| c.address == "live/filesystem.squashfs")
                .cloned()
                .expect("the squashfs differs")
        };
        assert!(!at(&full).children.is_empty());
        let i = ca
            .entries
            .iter()
            .position(|e| e.path == "live/filesystem.squashfs")
            .expect("listed");
        let bytes = ca.read(i, &Options::default().limits).expect("read");
        let Some(Diff::Hash { sha256_a, .. }) = at(&cut).diff else {
            panic!("a hash diff")
        };
        assert_eq!(sha256_a, Some(sha256_hex(bytes.bytes())));
    }
}
