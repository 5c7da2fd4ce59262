//! Holding one large decoded side at a time.
//!
//! Engine stage (bytes → formats → **engine** → report). A compressed
//! archive (an initrd's zstd cpio segment, a `data.tar.xz`) has to be decoded
//! whole to be listed, and holding both decoded sides at once costs twice the
//! largest member. Instead, side a is decoded and listed, each of its
//! entries is digested (SHA-256, so a crafted collision cannot hide a
//! difference) along with fixed-size blocks for `locate`, and its decoded
//! bytes are dropped before side b is decoded. Entries whose digests match
//! are equal without their bytes; the few that differ are decoded again from
//! a's stream, keeping only their byte ranges.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;
use reprodiff_formats::{self as formats, stream, Blob, Container, Data, Format, Limits};
use sha2::{Digest, Sha256};

/// Digest of one fixed-size block, for `locate` (truncated SHA-256).
pub type BlockDigest = [u8; 16];

/// What is kept of side a once its decoded bytes are dropped.
pub struct Evicted {
    /// The compressed stream, to decode again what turns out to differ.
    raw: Blob,
    codec: Format,
    /// SHA-256 of each entry's bytes; `None` for entries without data or
    /// whose bytes could not be read (those are read again to report why).
    digests: Vec<Option<[u8; 32]>>,
    /// Digests of the decoded bytes in blocks of `block` bytes.
    pub blocks: BlockDigests,
}

/// A decoded source reduced to per-block digests.
pub struct BlockDigests {
    pub len: u64,
    pub block: usize,
    pub digests: Vec<BlockDigest>,
}

impl BlockDigests {
    pub fn of(bytes: &[u8], block: usize) -> BlockDigests {
        let block = block.max(1);
        BlockDigests {
            len: bytes.len() as u64,
            block,
            digests: bytes.par_chunks(block).map(block_digest).collect(),
        }
    }
}

pub fn block_digest(b: &[u8]) -> BlockDigest {
    let d = Sha256::digest(b);
    let mut out = [0u8; 16];
    out.copy_from_slice(&d[..16]);
    out
}

fn digest(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

fn has_data(c: &Container, i: usize) -> bool {
    c.entries
        .get(i)
        .is_some_and(|e| !matches!(e.data, Data::None) && e.size > 0)
}

/// Whether the side `c`, opened from `raw`, should be dropped: a single
/// compression layer around a container (so decoding `raw` again gives
/// `c.source` back) whose decoded bytes reach `min`.
pub fn worth_evicting(c: &Container, min: u64) -> bool {
    c.layers.len() == 1 && !c.format.is_stream() && c.source.len() >= min
}

impl Evicted {
    /// Digests `c` and drops its decoded bytes (`c.source` becomes empty;
    /// the listing stays).
    pub fn take(c: &mut Container, raw: &Blob, limits: &Limits, block: usize) -> Evicted {
        let digests = (0..c.entries.len())
            .into_par_iter()
            .map(|i| {
                has_data(c, i)
                    .then(|| c.read(i, limits).ok().map(|b| digest(b.bytes())))
                    .flatten()
            })
            .collect();
        let blocks = BlockDigests::of(c.source.bytes(), block);
        c.source = Blob::from_vec(Vec::new());
        Evicted {
            raw: raw.clone(),
            codec: c.layers.first().copied().unwrap_or(c.format),
            digests,
            blocks,
        }
    }

    /// Decodes side a whole again (when every byte is needed).
    pub fn decode(&self, limits: &Limits) -> formats::Result<Blob> {
        stream::decode(&self.raw, self.codec, limits)
    }

    /// Splits pairs `(i, j)` whose content is to be compared into the
    /// a-entries equal to their pair by digest, and the pairs that differ.
    pub fn split(
        &self,
        cb: &Container,
        pairs: &[(usize, usize)],
        limits: &Limits,
    ) -> (HashSet<usize>, Vec<(usize, usize)>) {
        let equal: Vec<bool> = pairs
            .par_iter()
            .map(|&(i, j)| {
                let Some(Some(da)) = self.digests.get(i) else {
                    return false;
                };
                has_data(cb, j) && cb.read(j, limits).is_ok_and(|b| digest(b.bytes()) == *da)
            })
            .collect();
        let mut same = HashSet::new();
        let mut differ = Vec::new();
        for (&p, eq) in pairs.iter().zip(equal) {
            if eq {
                same.insert(p.0);
            } else {
                differ.push(p);
            }
        }
        (same, differ)
    }

    /// The bytes of a-entries `need`, decoded again (only their ranges are
    /// kept, and decoding stops after the last one).
    pub fn fetch(
        &self,
        ca: &Container,
        need: &[usize],
        limits: &Limits,
    ) -> HashMap<usize, formats::Result<Blob>> {
        let mut out = HashMap::new();
        let mut need: Vec<usize> = need
            .iter()
            .copied()
            .filter(|&i| {
                if has_data(ca, i) {
                    return true;
                }
                out.insert(i, Ok(Blob::from_vec(Vec::new())));
                false
            })
            .collect();
        need.sort_unstable();
        need.dedup();
        if need.is_empty() {
            return out;
        }
        let ranges: Option<Vec<(u64, u64)>> = need
            .iter()
            .map(|&i| match ca.entries.get(i).map(|e| &e.data) {
                Some(Data::Range(e)) => Some((e.offset, e.len)),
                _ => None,
            })
            .collect();
        match ranges {
            Some(r) => match stream::decode_ranges(&self.raw, self.codec, limits, &r) {
                Ok(blobs) => out.extend(need.into_iter().zip(blobs.into_iter().map(Ok))),
                Err(e) => out.extend(need.into_iter().map(|i| (i, Err(e.clone())))),
            },
            // Data that is not one range (gathered extents) is read through
            // the listing from the whole source, decoded again.
            None => {
                let whole = self.decode(limits).map(|source| Container {
                    source,
                    ..ca.clone()
                });
                for i in need {
                    let r = match &whole {
                        Ok(c) => c.read(i, limits),
                        Err(e) => Err(e.clone()),
                    };
                    out.insert(i, r);
                }
            }
        }
        out
    }
}

/// Copies the bytes of entries `need` out of `c` (so that they outlive its
/// decoded source), then drops that source. `None` when `c` is not worth
/// it, and keeps its bytes.
pub fn drop_side(
    c: &mut Container,
    need: &[usize],
    limits: &Limits,
    min: u64,
) -> Option<HashMap<usize, formats::Result<Blob>>> {
    if !worth_evicting(c, min) {
        return None;
    }
    let kept = need
        .iter()
        .map(|&j| {
            let r = c
                .read(j, limits)
                .map(|b| Blob::from_vec(b.bytes().to_vec()));
            (j, r)
        })
        .collect();
    c.source = Blob::from_vec(Vec::new());
    Some(kept)
}
