//! Benches of the engine's hot paths on generated inputs, each beside a
//! baseline measured in the same run: the differing-range scan against a
//! plain `==` (memcmp) over the same bytes, and the whole comparison of the
//! committed demo pair against hashing both images with SHA-256, and the
//! explanation of one differing page of a real rebuild against hashing it.

use reprodiff::engine::{self, content, locate, Options};
use reprodiff_formats::Blob;

fn main() {
    divan::main();
}

fn buffers(len: usize) -> (Vec<u8>, Vec<u8>) {
    let a: Vec<u8> = (0..len)
        .map(|i| ((i * 2_654_435_761usize) >> 13) as u8)
        .collect();
    let mut b = a.clone();
    // A few scattered differences, as in two builds that mostly agree.
    for k in 0..16 {
        let i = k * (len / 16) + 7;
        b[i] ^= 0x55;
    }
    (a, b)
}

const LEN: usize = 64 << 20;

#[divan::bench]
fn baseline_memcmp_64mib(bencher: divan::Bencher) {
    // Equal buffers: memcmp stops at the first difference, and the scans
    // below read every byte, so the baseline must too.
    let (a, _) = buffers(LEN);
    let b = a.clone();
    bencher
        .counter(divan::counter::BytesCount::new(LEN))
        .bench(|| divan::black_box(&a) == divan::black_box(&b));
}

#[divan::bench]
fn differing_runs_64mib(bencher: divan::Bencher) {
    let (a, b) = buffers(LEN);
    bencher
        .counter(divan::counter::BytesCount::new(LEN))
        .bench(|| content::differing_runs(divan::black_box(&a), divan::black_box(&b), 8).len());
}

#[divan::bench]
fn differing_blocks_64mib(bencher: divan::Bencher) {
    let (a, b) = buffers(LEN);
    bencher
        .counter(divan::counter::BytesCount::new(LEN))
        .bench(|| {
            let runs = locate::Runs::of(divan::black_box(&a), divan::black_box(&b), 2048, 200);
            locate::Located::new("", runs).finish().len()
        });
}

#[divan::bench]
fn baseline_sha256_64mib(bencher: divan::Bencher) {
    let (a, _) = buffers(LEN);
    bencher
        .counter(divan::counter::BytesCount::new(LEN))
        .bench(|| engine::sha256_hex(divan::black_box(&a)));
}

fn demo() -> (Blob, Blob) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo");
    (
        Blob::open(&dir.join("a.iso")).expect("demo a.iso"),
        Blob::open(&dir.join("b.iso")).expect("demo b.iso"),
    )
}

#[divan::bench]
fn baseline_sha256_demo_pair(bencher: divan::Bencher) {
    let (a, b) = demo();
    bencher.bench(|| (engine::sha256_hex(a.bytes()), engine::sha256_hex(b.bytes())));
}

#[divan::bench]
fn compare_demo_pair(bencher: divan::Bencher) {
    let (a, b) = demo();
    let opts = Options::default();
    bencher.bench(|| {
        reprodiff::compare_blobs("a", &a, "b", &b, &opts)
            .summary
            .modified
    });
}

/// Two pages of a real rebuild pair (Sphinx 8.1.3 and 5.3.0 with Furo,
/// `testdata/gen/debian-fragments.sh`): what explaining one differing
/// text costs, the masking of both sides most of it.
fn furo_pages() -> (Vec<u8>, Vec<u8>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diagnose");
    (
        std::fs::read(dir.join("search.a.html")).expect("search.a.html"),
        std::fs::read(dir.join("search.b.html")).expect("search.b.html"),
    )
}

#[divan::bench]
fn baseline_sha256_page_pair(bencher: divan::Bencher) {
    let (a, b) = furo_pages();
    bencher
        .counter(divan::counter::BytesCount::new(a.len() + b.len()))
        .bench(|| (engine::sha256_hex(&a), engine::sha256_hex(&b)));
}

#[divan::bench]
fn explain_page_pair(bencher: divan::Bencher) {
    let (a, b) = furo_pages();
    bencher
        .counter(divan::counter::BytesCount::new(a.len() + b.len()))
        .bench(|| {
            let mut node =
                reprodiff::report::Node::new("search.html", reprodiff::report::Status::Modified);
            node.diff = Some(reprodiff::report::Diff::Text {
                hunks: Vec::new(),
                truncated: false,
                fallback: None,
            });
            reprodiff::explain_leaf("search.html", &a, &b, &mut node);
            node.changes.len()
        });
}

/// The masking alone (every line of both pages, tokens replaced by their
/// kind): the part of [`explain_page_pair`] that reads every byte.
#[divan::bench]
fn mask_page_pair(bencher: divan::Bencher) {
    let (a, b) = furo_pages();
    bencher
        .counter(divan::counter::BytesCount::new(a.len() + b.len()))
        .bench(|| {
            let (ma, _) = reprodiff::diagnose::text::mask(&a);
            let (mb, _) = reprodiff::diagnose::text::mask(&b);
            ma.len() + mb.len()
        });
}
