//! Locate: which bytes of a container differ, and who owns them.
//!
//! Engine stage. Both sides' bytes are compared in fixed-size blocks (2 KiB
//! sectors for ISO9660, 512 bytes elsewhere), differing blocks are merged into
//! regions, and each region is mapped through the reader's structure map
//! (`Container::regions`) to the entries or structures that own it, so
//! "which file owns byte 0x3A2F000?" has an answer.

use reprodiff_formats::{Container, Format, Owner};

use super::evict::{block_digest, BlockDigests};
use crate::report::{Address, Region};

/// Most owners named per region.
const MAX_OWNERS: usize = 8;

pub fn block_size(f: Format) -> usize {
    match f {
        Format::Iso9660 => 2048,
        _ => 512,
    }
}

/// Differing runs of whole blocks, merged while contiguous: the first
/// `max` kept, the rest only counted and spanned, so a pair that differs
/// everywhere costs no more than one that differs in `max` places.
pub struct Runs {
    max: usize,
    kept: Vec<(u64, u64)>,
    /// Past the first `max`: (start, end, how many runs).
    rest: Option<(u64, u64, usize)>,
}

impl Runs {
    pub fn new(max: usize) -> Runs {
        Runs {
            max,
            kept: Vec::new(),
            rest: None,
        }
    }

    /// A differing block `[start, end)`, blocks given in increasing order.
    fn block(&mut self, start: u64, end: u64) {
        if let Some(r) = &mut self.rest {
            if r.1 != start {
                r.2 += 1;
            }
            r.1 = end;
            return;
        }
        let full = self.kept.len() >= self.max;
        match self.kept.last_mut() {
            Some(last) if last.1 == start => last.1 = end,
            _ if !full => self.kept.push((start, end)),
            _ => self.rest = Some((start, end, 1)),
        }
    }

    /// The runs of `a` against `b`, compared `block` bytes at a time.
    /// Equal stretches are skipped 256 blocks at a time (one compare of
    /// 128 KiB costs less than 256 of 512 bytes); a stretch that differs
    /// is looked at block by block.
    pub fn of(a: &[u8], b: &[u8], block: usize, max: usize) -> Runs {
        fn at(x: &[u8], from: usize, to: usize) -> &[u8] {
            x.get(from..to.min(x.len())).unwrap_or(&[])
        }
        let block = block.max(1);
        let stretch = block.saturating_mul(256);
        let mut runs = Runs::new(max);
        let len = a.len().max(b.len());
        let mut start = 0usize;
        while start < len {
            let stop = start.saturating_add(stretch).min(len);
            if at(a, start, stop) != at(b, start, stop) {
                let mut off = start;
                while off < stop {
                    let end = (off + block).min(stop);
                    if at(a, off, end) != at(b, off, end) {
                        runs.block(off as u64, end as u64);
                    }
                    off = end;
                }
            }
            start = stop;
        }
        runs
    }

    /// The runs of side a, known only by its block digests (its bytes were
    /// dropped), against side b's bytes.
    pub fn of_digests(a: &BlockDigests, b: &[u8], max: usize) -> Runs {
        let mut runs = Runs::new(max);
        let block = a.block;
        let len = (a.len as usize).max(b.len());
        let mut off = 0usize;
        let mut k = 0usize;
        while off < len {
            let end = (off + block).min(len);
            let xb = b.get(off..end.min(b.len())).unwrap_or(&[]);
            // A block a does not have, or one cut shorter on either side, differs.
            let same = end <= a.len as usize
                && xb.len() == end - off
                && a.digests.get(k) == Some(&block_digest(xb));
            if !same {
                runs.block(off as u64, end as u64);
            }
            off = end;
            k += 1;
        }
        runs
    }

    /// The runs of two sides both known only by their block digests (two
    /// archives compared member by member as they decoded). A block is
    /// the same when both sides have it, equally long, with one digest.
    pub fn of_both_digests(a: &BlockDigests, b: &BlockDigests, max: usize) -> Runs {
        let mut runs = Runs::new(max);
        let block = a.block.max(1) as u64;
        let len = a.len.max(b.len);
        let (mut off, mut k) = (0u64, 0usize);
        while off < len {
            let end = off.saturating_add(block).min(len);
            let same = a.block == b.block
                && off.saturating_add(block).min(a.len) == off.saturating_add(block).min(b.len)
                && a.digests.get(k).is_some()
                && a.digests.get(k) == b.digests.get(k);
            if !same {
                runs.block(off, end);
            }
            off = end;
            k += 1;
        }
        runs
    }

    /// Every run, for tests: the kept ones only when none was left over.
    #[cfg(test)]
    fn all(&self) -> Vec<(u64, u64)> {
        assert!(self.rest.is_none(), "runs past the maximum");
        self.kept.clone()
    }
}

/// The owners of one run, gathered region by region in the structure
/// map's order: at most [`MAX_OWNERS`] names, which of them are entries,
/// and how many more there were.
#[derive(Default)]
struct Owners {
    names: Vec<String>,
    entries: Vec<String>,
    more: usize,
}

impl Owners {
    fn add(&mut self, name: String, entry: bool) {
        if self.names.contains(&name) {
            return;
        }
        if self.names.len() < MAX_OWNERS {
            if entry {
                self.entries.push(name.clone());
            }
            self.names.push(name);
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self) -> (Vec<String>, Vec<String>) {
        if self.names.is_empty() {
            self.names.push("unowned".to_string());
        }
        if self.more > 0 {
            self.names.push(format!("(+{} more)", self.more));
        }
        (self.names, self.entries)
    }
}

/// The differing regions of one container pair and their owners, filled
/// from the two structure maps region by region: from whole listings
/// ([`locate`]), or while two listings are walked side by side and their
/// identical members dropped (`lockstep`), with the same result.
pub struct Located {
    address: String,
    runs: Runs,
    /// Per kept run, side a's and side b's owners.
    owners: Vec<[Owners; 2]>,
}

impl Located {
    pub fn new(address: &str, runs: Runs) -> Located {
        let owners = runs.kept.iter().map(|_| Default::default()).collect();
        Located {
            address: address.to_string(),
            runs,
            owners,
        }
    }

    /// One region of side `side` (0 for a, 1 for b)'s structure map,
    /// regions given in the map's order. `name` is called only for a
    /// region that owns differing bytes.
    pub fn region(&mut self, side: usize, offset: u64, len: u64, name: Owned) {
        let end = offset.saturating_add(len);
        let kept = &self.runs.kept;
        let first = kept.partition_point(|r| r.1 <= offset);
        for (run, owners) in kept.iter().zip(self.owners.iter_mut()).skip(first) {
            if run.0 >= end {
                break;
            }
            let (text, entry) = match &name {
                Owned::Entry(path) if self.address.is_empty() => (path.to_string(), true),
                Owned::Entry(path) => (Address::new(&self.address).child(path), true),
                Owned::Structure(s) => (s.to_string(), false),
            };
            if let Some(o) = owners.get_mut(side) {
                o.add(text, entry);
            }
        }
    }

    /// Every region of `c`'s structure map, as side `side`.
    pub fn container(&mut self, side: usize, c: &Container) {
        for r in &c.regions {
            let name = match &r.owner {
                Owner::Entry(i) => match c.entries.get(*i) {
                    Some(e) => Owned::Entry(&e.path),
                    None => continue,
                },
                Owner::Structure(s) => Owned::Structure(s),
            };
            self.region(side, r.offset, r.len, name);
        }
    }

    pub fn finish(self) -> Vec<Region> {
        let address = self.address;
        let mut out: Vec<Region> = self
            .runs
            .kept
            .iter()
            .zip(self.owners)
            .map(|(&(s, e), [a, b])| {
                let (owners_a, mut entries) = a.finish();
                let (owners_b, entries_b) = b.finish();
                for x in entries_b {
                    if !entries.contains(&x) {
                        entries.push(x);
                    }
                }
                // Every entry owner for now; those with a difference of
                // their own are taken out once the tree is known.
                Region {
                    container: address.clone(),
                    offset: s,
                    len: e - s,
                    owners_a,
                    owners_b,
                    unchanged: entries,
                }
            })
            .collect();
        if let Some((s, e, n)) = self.runs.rest {
            out.push(Region {
                container: address,
                offset: s,
                len: e - s,
                owners_a: vec![format!("({n} more regions not listed)")],
                owners_b: Vec::new(),
                unchanged: Vec::new(),
            });
        }
        out
    }
}

/// Who a region of a structure map belongs to, by name.
pub enum Owned<'n> {
    /// A member, by its path in the container.
    Entry(&'n str),
    Structure(&'n str),
}

/// The differing regions of two containers of one format, with owners.
/// `a_blocks` stands in for side a's bytes when those were dropped.
pub fn locate(
    address: &str,
    ca: &Container,
    a_blocks: Option<&BlockDigests>,
    cb: &Container,
    max: usize,
) -> Vec<Region> {
    let runs = match a_blocks {
        Some(d) => Runs::of_digests(d, cb.source.bytes(), max),
        None => Runs::of(
            ca.source.bytes(),
            cb.source.bytes(),
            block_size(ca.format),
            max,
        ),
    };
    let mut located = Located::new(address, runs);
    located.container(0, ca);
    located.container(1, cb);
    located.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 4 KiB of zeros, and a copy with three bytes changed and 100 appended.
    fn sample() -> (Vec<u8>, Vec<u8>) {
        let a = vec![0u8; 4096];
        let mut b = a.clone();
        for at in [10, 600, 2000] {
            b[at] = 1;
        }
        b.extend_from_slice(&[1; 100]);
        (a, b)
    }

    #[test]
    fn blocks_merge_and_cover_tails() {
        let (a, b) = sample();
        assert_eq!(
            Runs::of(&a, &b, 512, 10).all(),
            vec![(0, 1024), (1536, 2048), (4096, 4196)]
        );
    }

    /// Skipping equal stretches finds the runs a block-by-block compare
    /// finds: differences in several stretches, at their edges, and sides
    /// of other lengths.
    #[test]
    fn stretches_skipped_whole_find_every_block() {
        let naive = |a: &[u8], b: &[u8], block: usize| {
            let mut runs = Runs::new(usize::MAX);
            let len = a.len().max(b.len());
            let mut off = 0;
            while off < len {
                let end = (off + block).min(len);
                let x = a.get(off..end.min(a.len())).unwrap_or(&[]);
                let y = b.get(off..end.min(b.len())).unwrap_or(&[]);
                if x != y {
                    runs.block(off as u64, end as u64);
                }
                off = end;
            }
            runs.kept
        };
        let stretch = 512 * 256;
        let a = vec![7u8; 3 * stretch + 1000];
        for (flips, extra) in [
            (vec![], 0usize),
            (vec![0, stretch - 1, stretch, 2 * stretch + 511], 0),
            (vec![5, 3 * stretch + 999], 300),
            (vec![stretch + 1000], 0),
        ] {
            let mut b = a.clone();
            for f in &flips {
                b[*f] ^= 1;
            }
            b.extend(std::iter::repeat_n(1u8, extra));
            for block in [512, 2048] {
                assert_eq!(
                    Runs::of(&a, &b, block, usize::MAX).kept,
                    naive(&a, &b, block)
                );
                assert_eq!(
                    Runs::of(&b, &a, block, usize::MAX).kept,
                    naive(&b, &a, block)
                );
                let short = &b[..stretch + 7];
                assert_eq!(
                    Runs::of(&a, short, block, usize::MAX).kept,
                    naive(&a, short, block)
                );
            }
        }
    }

    #[test]
    fn runs_past_the_maximum_are_counted_and_spanned() {
        let (a, b) = sample();
        let runs = Runs::of(&a, &b, 512, 1);
        assert_eq!(runs.kept, vec![(0, 1024)]);
        assert_eq!(runs.rest, Some((1536, 4196, 2)));
        let regions = Located::new("x", runs).finish();
        assert_eq!(regions.len(), 2);
        assert_eq!((regions[1].offset, regions[1].len), (1536, 4196 - 1536));
        assert_eq!(regions[1].owners_a, vec!["(2 more regions not listed)"]);
    }

    #[test]
    fn owners_are_named_once_and_capped() {
        let (a, b) = sample();
        let mut located = Located::new("img", Runs::of(&a, &b, 512, 10));
        located.region(0, 0, 64, Owned::Structure("superblock"));
        // Ten regions over the first run, f8's twice: eight names, then a
        // count of the regions past them (f8's two among them).
        for i in 0..10 {
            let path = format!("f{}", i.min(8));
            located.region(0, 64 + i * 10, 10, Owned::Entry(&path));
        }
        // Nothing owns side b's bytes there; a file elsewhere is not an owner.
        located.region(1, 2048, 100, Owned::Entry("g"));
        let r = located.finish();
        assert_eq!(r[0].owners_a.len(), 9);
        assert_eq!(r[0].owners_a[0], "superblock");
        assert_eq!(r[0].owners_a[1], "img::f0");
        assert_eq!(r[0].owners_a[8], "(+3 more)");
        assert_eq!(r[0].owners_b, vec!["unowned"]);
        // Entry owners only, and not the structure.
        assert_eq!(r[0].unchanged.len(), 7);
        assert!(r[0].unchanged.iter().all(|n| n.starts_with("img::f")));
    }

    #[test]
    fn digests_stand_in_for_bytes() {
        let (a, b) = sample();
        let d = BlockDigests::of(&a, 512);
        let digests = |b: &[u8]| Runs::of_digests(&d, b, 10).all();
        assert_eq!(digests(&b), Runs::of(&a, &b, 512, 10).all());
        // b shorter than a, ending inside a block.
        let short = &a[..1000];
        assert_eq!(digests(short), Runs::of(&a, short, 512, 10).all());
        assert_eq!(digests(&a), vec![]);
    }

    /// Two sides known only by their digests give the runs of their bytes,
    /// whichever side is longer and wherever it ends.
    #[test]
    fn digests_of_both_sides_stand_in_for_both() {
        let (a, b) = sample();
        let both = |x: &[u8], y: &[u8]| {
            let (dx, dy) = (BlockDigests::of(x, 512), BlockDigests::of(y, 512));
            Runs::of_both_digests(&dx, &dy, 10).all()
        };
        for (x, y) in [
            (&a[..], &b[..]),
            (&b[..], &a[..]),
            (&a[..], &a[..1000]),
            (&a[..1000], &a[..]),
            (&a[..1000], &a[..1001]),
        ] {
            assert_eq!(both(x, y), Runs::of(x, y, 512, 10).all());
        }
        assert_eq!(both(&a, &a), vec![]);
        assert_eq!(both(&[], &[]), vec![]);
    }
}
