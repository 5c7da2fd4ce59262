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
        ..WalkOptions::default()
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
/// archive held one side at a time (`evict_min: 0`, xz included), so the digests, the
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
        hold_slow: false,
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

/// One gzip member of `data` at best compression, with `mtime` in its header.
fn gzip_member(data: &[u8], mtime: u32) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::GzBuilder::new()
        .mtime(mtime)
        .write(Vec::new(), flate2::Compression::best());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

/// A gzip file decoding to `mib` MiB of zeros, built as that many
/// members of 1 MiB (each ~1 KiB compressed), so nothing large is ever
/// written or compressed: `last` replaces the final member's content.
fn zero_bomb(mib: usize, first_mtime: u32, last: &[u8]) -> Blob {
    let zeros = gzip_member(&vec![0u8; 1 << 20], 0);
    let mut out = gzip_member(&vec![0u8; 1 << 20], first_mtime);
    for _ in 2..mib {
        out.extend_from_slice(&zeros);
    }
    out.extend(gzip_member(last, 0));
    Blob::from_vec(out)
}

/// Peak resident memory of this process so far (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib << 10)
}

/// Two gzip bombs of 1 GiB of zeros each, one byte flipped near the end of
/// b, compared with a 64 MiB memory budget: the comparison completes, says
/// where the decoded bytes differ and why they were compared as streams,
/// and never holds more decoded bytes than the budget.
#[test]
fn gzip_bombs_compare_as_streams_within_the_memory_budget() {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    use reprodiff::compare_blobs;
    use reprodiff::engine::{Options, Progress};
    use reprodiff::report::{Diff, Status, Verdict};
    use sha2::{Digest, Sha256};

    const MIB: usize = 1024;
    let flip = (1 << 20) - 100;
    let mut last = vec![0u8; 1 << 20];
    let a = zero_bomb(MIB, 0, &last);
    last[flip] = 0x5a;
    let b = zero_bomb(MIB, 0, &last);
    assert!(a.len() < 4 << 20, "{} compressed bytes", a.len());
    let progress = Arc::new(Progress::default());
    let budget = 64 << 20;
    let opts = Options {
        max_memory: budget,
        progress: Some(progress.clone()),
        ..Options::default()
    };
    let r = compare_blobs("a.gz", &a, "b.gz", &b, &opts);
    assert_eq!(r.verdict, Verdict::Different);
    assert_eq!(r.summary.fallbacks, 1);
    let content = r
        .tree
        .children
        .iter()
        .find(|n| n.address == "<content>")
        .unwrap_or_else(|| panic!("a <content> node: {:#?}", r.tree));
    assert_eq!(content.status, Status::Modified);
    let decoded = (MIB as u64) << 20;
    assert_eq!(
        (content.size_a, content.size_b),
        (Some(decoded), Some(decoded))
    );
    let Some(Diff::Hash {
        sha256_a,
        sha256_b,
        reason,
    }) = &content.diff
    else {
        panic!("a hash diff: {content:#?}");
    };
    let at = decoded - (1 << 20) + flip as u64;
    assert!(reason.contains("memory budget (64 MiB)"), "{reason}");
    assert!(reason.contains("1 byte differing"), "{reason}");
    assert!(reason.contains(&format!("offset {at:#x}")), "{reason}");
    let mut h = Sha256::new();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..MIB {
        h.update(&zeros);
    }
    let want: String = h.finalize().iter().map(|x| format!("{x:02x}")).collect();
    assert_eq!(sha256_a.as_deref(), Some(want.as_str()));
    assert!(sha256_b.is_some() && sha256_b != sha256_a);
    // The decoded stream was never held: decoding stopped at half the
    // budget a side, then the pair went through the streamed comparison.
    assert_eq!(progress.streamed.load(Ordering::Relaxed), 1);
    let held = progress.held_max.load(Ordering::Relaxed);
    assert!(held > 0 && held <= budget, "held {held} bytes");
    // The process as a whole never came near one decoded side (1 GiB),
    // let alone both.
    if let Some(peak) = peak_rss() {
        assert!(peak < 512 << 20, "peak resident memory {peak} bytes");
    }
}

/// Bombs with equal content and different gzip headers: the streamed
/// comparison finds the content equal, so only the header field is
/// reported, as it would be for small streams.
#[test]
fn gzip_bombs_with_equal_content_report_only_their_headers() {
    use reprodiff::compare_blobs;
    use reprodiff::engine::Options;
    use reprodiff::report::Verdict;

    let zeros = vec![0u8; 1 << 20];
    let a = zero_bomb(256, 0, &zeros);
    let b = zero_bomb(256, 1_700_000_000, &zeros);
    let opts = Options {
        max_memory: 16 << 20,
        ..Options::default()
    };
    let r = compare_blobs("a.gz", &a, "b.gz", &b, &opts);
    assert_eq!(r.verdict, Verdict::Different);
    assert!(r.tree.children.is_empty(), "{:#?}", r.tree.children);
    assert_eq!(r.summary.fallbacks, 0);
    assert_eq!((r.summary.compared, r.summary.identical), (1, 1));
    let fields: Vec<&str> = r.tree.changes.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["gzip.mtime"]);
}

/// A 2 MiB disk whose GPT lists eight partitions that all start at sector
/// 0, each 5 KiB shorter than the one before (no CRCs: the reader lists
/// the entries of a table whose checksums fail, with an error).
fn disk_nested_in_itself() -> Vec<u8> {
    const SECTORS: u64 = 4096;
    let mut b = vec![0u8; (SECTORS * 512) as usize];
    // Protective MBR.
    b[446 + 4] = 0xee;
    b[446 + 8..446 + 12].copy_from_slice(&1u32.to_le_bytes());
    b[446 + 12..446 + 16].copy_from_slice(&((SECTORS - 1) as u32).to_le_bytes());
    b[510] = 0x55;
    b[511] = 0xaa;
    // GPT header at LBA 1, entries at LBA 2.
    let h = 512;
    b[h..h + 8].copy_from_slice(b"EFI PART");
    b[h + 8..h + 12].copy_from_slice(&0x10000u32.to_le_bytes());
    b[h + 12..h + 16].copy_from_slice(&92u32.to_le_bytes());
    for (at, v) in [
        (24, 1),
        (32, SECTORS - 1),
        (40, 34),
        (48, SECTORS - 34),
        (72, 2),
    ] {
        b[h + at..h + at + 8].copy_from_slice(&v.to_le_bytes());
    }
    b[h + 56] = 0x99; // disk GUID
    b[h + 80..h + 84].copy_from_slice(&128u32.to_le_bytes());
    b[h + 84..h + 88].copy_from_slice(&128u32.to_le_bytes());
    for i in 0..8u64 {
        let e = 1024 + 128 * i as usize;
        b[e] = 0xaf; // type GUID: any non-zero one
        b[e + 16] = 1 + i as u8; // partition GUID
        let last = SECTORS - 100 - 10 * i;
        b[e + 40..e + 48].copy_from_slice(&last.to_le_bytes());
    }
    b
}

#[test]
fn partitions_at_sector_zero_are_not_opened_inside_their_disk() {
    use reprodiff::compare_blobs;
    use reprodiff::engine::Options;
    use reprodiff::report::Status;
    // Each partition at sector 0 is the disk again, table and all: opened,
    // every level listed the eight again down to the depth limit. The
    // listing grew about 2.5 times a level (45,047 rows at depth 7) and
    // a comparison of two such disks twice a level (80 s at depth 8,
    // hours at the default 16).
    let a = disk_nested_in_itself();
    let mut b = a.clone();
    b[200 * 512] = b'X';
    let tree = walk_blob(&Blob::from_vec(a.clone()), &WalkOptions::default());
    let partitions: Vec<_> = tree
        .children
        .iter()
        .filter(|n| n.address.starts_with("<partition-"))
        .collect();
    assert_eq!(partitions.len(), 8, "{:#?}", tree.children);
    for p in &partitions {
        assert!(
            p.children.is_empty() && p.container.is_none(),
            "{}",
            p.address
        );
        let why = p.error.as_deref().unwrap_or_default();
        assert!(
            why.contains("nest the container in itself"),
            "{}: {why}",
            p.address
        );
    }
    assert_eq!(tree.count(), 8);

    let r = compare_blobs(
        "a.img",
        &Blob::from_vec(a),
        "b.img",
        &Blob::from_vec(b),
        &Options::default(),
    );
    let modified: Vec<_> = r.tree.children.iter().collect();
    assert_eq!(modified.len(), 8, "{:#?}", r.tree.children);
    for n in modified {
        assert_eq!(n.status, Status::Modified, "{}", n.address);
        assert!(n.children.is_empty(), "{}", n.address);
        assert!(
            n.diff.is_some(),
            "{}: the bytes are still compared",
            n.address
        );
        assert!(
            n.errors
                .iter()
                .any(|e| e.contains("nest the container in itself")),
            "{}: {:?}",
            n.address,
            n.errors
        );
    }
}

#[test]
fn an_iso_partition_at_its_first_byte_is_not_opened_inside_the_iso() {
    // An isohybrid MBR whose partitions start at byte 0 and reach past
    // the volume (into 8 KiB appended to it): each is listed, as a
    // partition beyond the volume is, and was opened as the ISO again,
    // down to the depth limit (202 rows at depth 4, 1,202 at depth 8).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/iso/plain.iso");
    let mut b = std::fs::read(root).expect("fixture");
    let volume = b.len() as u32;
    b.resize(b.len() + 8192, 0);
    for (i, extra) in [8192u32, 6144, 4096].into_iter().enumerate() {
        let at = 446 + 16 * i;
        b[at + 4] = 0x83;
        b[at + 8..at + 12].copy_from_slice(&0u32.to_le_bytes());
        b[at + 12..at + 16].copy_from_slice(&((volume + extra) / 512).to_le_bytes());
    }
    b[510] = 0x55;
    b[511] = 0xaa;
    let tree = walk_blob(&Blob::from_vec(b), &WalkOptions::default());
    let parts: Vec<_> = tree
        .children
        .iter()
        .filter(|n| n.address.starts_with("<partition-"))
        .collect();
    assert!(!parts.is_empty(), "{:#?}", tree.children);
    for p in parts {
        assert!(p.children.is_empty(), "{} opened", p.address);
        let why = p.error.as_deref().unwrap_or_default();
        assert!(
            why.contains("nest the container in itself"),
            "{}: {why}",
            p.address
        );
    }
    assert!(tree.count() < 20, "{} nodes", tree.count());
}
