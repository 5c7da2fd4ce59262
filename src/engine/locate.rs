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

/// Differing `[start, end)` runs of whole blocks.
pub fn differing_blocks(a: &[u8], b: &[u8], block: usize) -> Vec<(u64, u64)> {
    let len = a.len().max(b.len());
    let mut out: Vec<(u64, u64)> = Vec::new();
    let mut off = 0usize;
    while off < len {
        let end = (off + block).min(len);
        let xa = a.get(off..end.min(a.len())).unwrap_or(&[]);
        let xb = b.get(off..end.min(b.len())).unwrap_or(&[]);
        if xa != xb {
            match out.last_mut() {
                Some(last) if last.1 == off as u64 => last.1 = end as u64,
                _ => out.push((off as u64, end as u64)),
            }
        }
        off = end;
    }
    out
}

/// The owners of `[start, end)`, and which of them are entries.
fn owners(c: &Container, address: &str, start: u64, end: u64) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let mut entries: Vec<String> = Vec::new();
    let mut more = 0usize;
    for r in &c.regions {
        let r_end = r.offset.saturating_add(r.len);
        if r.offset < end && r_end > start {
            let name = match &r.owner {
                Owner::Entry(i) => match c.entries.get(*i) {
                    Some(e) if address.is_empty() => e.path.clone(),
                    Some(e) => Address::new(address).child(&e.path),
                    None => continue,
                },
                Owner::Structure(s) => s.clone(),
            };
            if names.contains(&name) {
                continue;
            }
            if names.len() < MAX_OWNERS {
                if matches!(r.owner, Owner::Entry(_)) {
                    entries.push(name.clone());
                }
                names.push(name);
            } else {
                more += 1;
            }
        }
    }
    if names.is_empty() {
        names.push("unowned".to_string());
    }
    if more > 0 {
        names.push(format!("(+{more} more)"));
    }
    (names, entries)
}

/// Differing runs of whole blocks between side a, known only by its block
/// digests (its bytes were dropped), and side b's bytes.
pub fn differing_blocks_digests(a: &BlockDigests, b: &[u8]) -> Vec<(u64, u64)> {
    let block = a.block;
    let len = (a.len as usize).max(b.len());
    let mut out: Vec<(u64, u64)> = Vec::new();
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
            match out.last_mut() {
                Some(last) if last.1 == off as u64 => last.1 = end as u64,
                _ => out.push((off as u64, end as u64)),
            }
        }
        off = end;
        k += 1;
    }
    out
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
        Some(d) => differing_blocks_digests(d, cb.source.bytes()),
        None => differing_blocks(ca.source.bytes(), cb.source.bytes(), block_size(ca.format)),
    };
    let mut out: Vec<Region> = runs
        .iter()
        .take(max)
        .map(|&(s, e)| {
            let (owners_a, mut entries) = owners(ca, address, s, e);
            let (owners_b, entries_b) = owners(cb, address, s, e);
            for x in entries_b {
                if !entries.contains(&x) {
                    entries.push(x);
                }
            }
            // Every entry owner for now; those with a difference of their
            // own are taken out once the tree is known.
            Region {
                container: address.to_string(),
                offset: s,
                len: e - s,
                owners_a,
                owners_b,
                unchanged: entries,
            }
        })
        .collect();
    if runs.len() > max {
        let (s, _) = runs[max];
        let e = runs.last().map_or(s, |r| r.1);
        out.push(Region {
            container: address.to_string(),
            offset: s,
            len: e - s,
            owners_a: vec![format!("({} more regions not listed)", runs.len() - max)],
            owners_b: Vec::new(),
            unchanged: Vec::new(),
        });
    }
    out
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
            differing_blocks(&a, &b, 512),
            vec![(0, 1024), (1536, 2048), (4096, 4196)]
        );
    }

    #[test]
    fn digests_stand_in_for_bytes() {
        let (a, b) = sample();
        let d = BlockDigests::of(&a, 512);
        assert_eq!(
            differing_blocks_digests(&d, &b),
            differing_blocks(&a, &b, 512)
        );
        // b shorter than a, ending inside a block.
        let short = &a[..1000];
        assert_eq!(
            differing_blocks_digests(&d, short),
            differing_blocks(&a, short, 512)
        );
        assert_eq!(differing_blocks_digests(&d, &a), vec![]);
    }
}
