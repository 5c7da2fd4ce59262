//! `reprodiff ls` lists a compressed tar or cpio archive over its memory
//! budget as it decodes: the same listing as held, in memory that does not
//! grow with the archive.

mod common;

use std::path::{Path, PathBuf};

use common::{file, gzip, newc, ustar};
use reprodiff::present::ls::{write_text_row, Row, TextOptions};
use reprodiff::walk::{stream, WalkOptions};
use reprodiff_formats::Blob;

/// The listing `ls --fields` prints, one string a row.
fn listing(blob: &Blob, max_memory: u64) -> Vec<String> {
    let opts = WalkOptions {
        max_memory,
        ..WalkOptions::default()
    };
    let mut rows = Vec::new();
    stream(blob, &opts, &mut |n| {
        let mut line = Vec::new();
        write_text_row(&Row::of(n), &mut line, &TextOptions { fields: true })?;
        rows.push(String::from_utf8_lossy(&line).into_owned());
        Ok(())
    })
    .expect("listing into memory");
    rows
}

/// 64 KiB: archives decoding past 32 KiB are listed as they decode, and
/// their members looked into up to 16 KiB.
const SMALL: u64 = 64 << 10;

/// The fixtures are small: archives decoding past 2 KiB are listed as they
/// decode, and their members looked into up to 1 KiB.
const TINY: u64 = 4 << 10;

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("testdata readable") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if std::fs::metadata(&p).is_ok_and(|m| m.len() <= 8 << 20) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Whether the listing has a compressed tar or cpio archive that decodes
/// past half of [`TINY`]: one `ls` then reads as it decodes.
fn has_large_archive(blob: &Blob) -> bool {
    let mut found = false;
    let opts = WalkOptions::default();
    let limits = &opts.limits;
    let mut check = |b: &Blob| {
        let Some(codec) = reprodiff_formats::detect(b.bytes()).filter(|f| f.is_stream()) else {
            return;
        };
        let archive = reprodiff_formats::stream::peek(b, codec, 1024)
            .ok()
            .and_then(|h| reprodiff_formats::detect(&h))
            .is_some_and(|f| {
                matches!(
                    f,
                    reprodiff_formats::Format::Tar | reprodiff_formats::Format::Cpio
                )
            });
        if archive
            && reprodiff_formats::stream::decode(b, codec, limits).is_ok_and(|d| d.len() > TINY / 2)
        {
            found = true;
        }
    };
    check(blob);
    if let Ok(Some(c)) = reprodiff_formats::open(blob, limits) {
        for i in 0..c.entries.len() {
            if let Ok(b) = c.read(i, limits) {
                check(&b);
            }
        }
    }
    found
}

#[test]
fn every_fixture_lists_the_same_held_and_as_it_decodes() {
    let mut streamed = Vec::new();
    for p in fixtures() {
        let blob = Blob::open(&p).expect("fixture readable");
        let held = listing(&blob, 512 << 20);
        let small = listing(&blob, TINY);
        let name = p.display().to_string();
        if held != small {
            let first = held
                .iter()
                .zip(&small)
                .position(|(a, b)| a != b)
                .unwrap_or(held.len().min(small.len()));
            panic!(
                "{name}: listings differ at row {first}:\nheld:     {:?}\nstreamed: {:?}",
                held.get(first),
                small.get(first)
            );
        }
        if has_large_archive(&blob) {
            streamed.push(name);
        }
    }
    // The comparison above means something only if archives were read as
    // they decode: the .debs' data.tar, the initrds' main cpio, ...
    assert!(
        streamed.iter().any(|n| n.ends_with(".deb"))
            && streamed.iter().any(|n| n.ends_with(".img"))
            && streamed.len() >= 6,
        "too few fixtures with an archive over the budget: {streamed:?}"
    );
}

/// Members of pseudo-random bytes (so that a cut falls inside data, not
/// only inside zeros).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn an_archive_cut_anywhere_lists_the_same_held_and_as_it_decodes() {
    let (d1, d2, d3) = (noise(20_000, 1), noise(9_000, 2), noise(30_000, 3));
    let members = [
        file("a/one", 1, &d1),
        file("a/two", 2, &d2),
        file("b/three", 3, &d3),
    ];
    for archive in [ustar(&members), newc(&members)] {
        let mut cuts = 0;
        for cut in (0..archive.len()).step_by(997).chain([archive.len()]) {
            let blob = Blob::from_vec(gzip(&archive[..cut]));
            let held = listing(&blob, 512 << 20);
            let small = listing(&blob, SMALL);
            assert_eq!(held, small, "cut at {cut}");
            cuts += 1;
        }
        assert!(cuts > 50);
        // Whole, all three members are listed, and a cut one is not.
        let whole = listing(&Blob::from_vec(gzip(&archive)), SMALL);
        assert!(whole.iter().any(|r| r.starts_with("b/three ")), "{whole:?}");
        let cut = listing(
            &Blob::from_vec(gzip(&archive[..archive.len() - 2_000])),
            SMALL,
        );
        assert!(!cut.iter().any(|r| r.starts_with("b/three ")), "{cut:?}");
    }
}

#[test]
fn a_member_over_a_quarter_of_the_budget_is_not_opened_and_says_so() {
    let inner_data = noise(40_000, 4);
    let inner = gzip(&ustar(&[file("deep", 1, &inner_data)]));
    let outer = gzip(&ustar(&[
        file("pad", 1, &noise(50_000, 5)),
        file("inner.tar.gz", 2, &inner),
    ]));
    let blob = Blob::from_vec(outer);
    // Held: the nested archive is opened.
    let held = listing(&blob, 512 << 20);
    assert!(
        held.iter().any(|r| r.starts_with("inner.tar.gz::deep ")),
        "{held:?}"
    );
    // Over the budget, its 40 KB do not fit a quarter of 64 KiB.
    let small = listing(&blob, SMALL);
    assert!(
        small
            .iter()
            .any(|r| r.contains("error: not opened: ") && r.contains("a quarter of --max-memory")),
        "{small:?}"
    );
    assert!(!small.iter().any(|r| r.contains("::deep")), "{small:?}");
    // With room for it (the outer archive still over half the budget),
    // the listing is the held one.
    assert_eq!(listing(&blob, 192 << 10), held);
}

#[test]
fn a_stream_that_declares_less_than_it_holds_is_listed_as_it_decodes() {
    let data = noise(60_000, 6);
    let mut gz = gzip(&ustar(&[file("big", 1, &data)]));
    // The gzip trailer's ISIZE claims 100 bytes: held within the budget on
    // its word, the decode runs past the budget and is read as it decodes.
    let at = gz.len() - 4;
    gz[at..].copy_from_slice(&100u32.to_le_bytes());
    let blob = Blob::from_vec(gz);
    let held = listing(&blob, 512 << 20);
    let small = listing(&blob, SMALL);
    assert_eq!(held, small);
    assert!(held[0].contains("error: "), "{held:?}");
}
