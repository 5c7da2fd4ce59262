//! Hostile input through the whole stack: every committed fixture, mutated
//! thousands of ways (bit flips, truncations, length fields blown up, zeroed
//! ranges), is walked recursively with every member read. Errors are
//! expected; a panic, a hang or an unbounded allocation is a failure.

use std::path::{Path, PathBuf};

use reprodiff::walk::{walk_blob, WalkOptions};
use reprodiff_formats::{Blob, Limits};

/// Deterministic generator (64-bit LCG, Knuth's constants): same mutations on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() as usize) % n
        }
    }
}

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if reprodiff_formats::detect(&std::fs::read(&p).unwrap_or_default()).is_some() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A position biased towards the start, where headers and tables live.
fn position(rng: &mut Lcg, len: usize) -> usize {
    if rng.below(2) == 0 {
        rng.below(len.min(0x10000))
    } else {
        rng.below(len)
    }
}

fn mutate(orig: &[u8], rng: &mut Lcg) -> Vec<u8> {
    let mut v = orig.to_vec();
    if v.is_empty() {
        return v;
    }
    match rng.below(5) {
        0 => {
            let p = position(rng, v.len());
            v[p] ^= 1 << rng.below(8);
        }
        1 => {
            let cut = rng.below(v.len());
            v.truncate(cut);
        }
        2 => {
            // A length or offset field blown up.
            let p = position(rng, v.len()) & !3;
            let val: [u8; 4] = match rng.below(3) {
                0 => [0xff; 4],
                1 => [0xff, 0xff, 0xff, 0x7f],
                _ => [0x00, 0x00, 0x00, 0x80],
            };
            for (i, b) in val.iter().enumerate() {
                if let Some(x) = v.get_mut(p + i) {
                    *x = *b;
                }
            }
        }
        3 => {
            let p = position(rng, v.len());
            let n = 1 + rng.below(64);
            for x in v.iter_mut().skip(p).take(n) {
                *x = 0;
            }
        }
        _ => {
            for _ in 0..8 {
                let p = position(rng, v.len());
                v[p] = rng.next() as u8;
            }
        }
    }
    v
}

#[test]
fn mutated_fixtures_never_panic() {
    let files = fixtures();
    let opts = WalkOptions {
        limits: Limits {
            // Small caps: the fixtures include 64 MiB decompression bombs and
            // gzip'd FAT32 disks, which must fail fast here, not decode each round.
            max_decoded: 4 << 20,
            ratio_floor: 1 << 20,
            open_leaf_streams: true,
            ..Limits::default()
        },
        descend_squashfs_files: true,
    };
    let mut rng = Lcg(0x5eed);
    let mut total = 0;
    for f in &files {
        let orig = std::fs::read(f).expect("fixture readable");
        // Fewer rounds for large images: each round walks the whole image.
        let rounds = if orig.len() > 1 << 20 { 60 } else { 300 };
        for _ in 0..rounds {
            let m = mutate(&orig, &mut rng);
            let root = walk_blob(&Blob::from_vec(m), &opts);
            // Touch the result so the walk cannot be optimised away.
            total += root.count();
        }
    }
    eprintln!("{} fixtures mutated, {total} nodes walked", files.len());
}

/// The engine on a fixture against its mutated self, with every compressed
/// archive held one side at a time (`evict_min: 0`), so the digests, the
/// second decoding of a damaged stream and `locate` by digests all meet
/// hostile bytes. Errors become error nodes; nothing may panic or hang.
#[test]
fn mutated_fixtures_compare_without_panic() {
    use reprodiff::compare_blobs;
    use reprodiff::engine::Options;
    let files = fixtures();
    let opts = Options {
        limits: Limits {
            max_decoded: 4 << 20,
            ratio_floor: 1 << 20,
            open_leaf_streams: true,
            ..Limits::default()
        },
        evict_min: 0,
        ..Options::default()
    };
    let mut rng = Lcg(0xc0ffee);
    let mut nodes = 0;
    for f in &files {
        let orig = Blob::from_vec(std::fs::read(f).expect("fixture readable"));
        let rounds = if orig.len() > 1 << 20 { 6 } else { 40 };
        for _ in 0..rounds {
            let m = Blob::from_vec(mutate(orig.bytes(), &mut rng));
            // Both orders: side a is the one reduced to digests.
            let r = compare_blobs("a", &orig, "b", &m, &opts);
            let s = compare_blobs("a", &m, "b", &orig, &opts);
            let mut count = |n: &reprodiff::report::Node| nodes += 1 + n.children.len();
            count(&r.tree);
            count(&s.tree);
        }
    }
    eprintln!(
        "{} fixtures compared with mutations, {nodes} nodes",
        files.len()
    );
}
