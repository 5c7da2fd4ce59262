//! Compressed streams against fixtures made by the real compressors
//! (testdata/gen/stream.sh): decoded bytes, header fields, concatenated
//! members, bounded decoding of bombs, and damaged input.

mod common;

use common::Lcg;
use reprodiff_formats::stream::{decode, decode_ranges, header_fields, peek, stream_end};
use reprodiff_formats::{Blob, ErrorKind, Format, Limits};

fn load(name: &str) -> Blob {
    match Blob::open(&common::fixture_path("stream", name)) {
        Ok(b) => b,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn text() -> Vec<u8> {
    load("text.txt").bytes().to_vec()
}

fn field(blob: &Blob, codec: Format, name: &str) -> Option<String> {
    common::field(&header_fields(blob, codec), name).map(String::from)
}

const ALL: [(&str, Format); 14] = [
    ("text.gz", Format::Gzip),
    ("named.gz", Format::Gzip),
    ("text.xz", Format::Xz),
    ("text-crc32.xz", Format::Xz),
    ("text.zst", Format::Zstd),
    ("text.bz2", Format::Bzip2),
    ("text-legacy.lz4", Format::Lz4),
    ("text-frame.lz4", Format::Lz4),
    ("concat.gz", Format::Gzip),
    ("concat.zst", Format::Zstd),
    ("concat.xz", Format::Xz),
    ("concat.bz2", Format::Bzip2),
    ("concat.lz4", Format::Lz4),
    ("text.gz", Format::Gzip),
];

#[test]
fn every_codec_decodes_the_text() {
    let want = text();
    for (name, codec) in ALL {
        let b = load(name);
        assert_eq!(reprodiff_formats::detect(b.bytes()), Some(codec), "{name}");
        let d = match decode(&b, codec, &Limits::default()) {
            Ok(d) => d,
            Err(e) => panic!("{name}: {e}"),
        };
        assert_eq!(d.bytes(), want.as_slice(), "{name}");
        // The stream ends exactly at the end of the file.
        assert_eq!(
            stream_end(&b, codec, &Limits::default()).ok(),
            Some(b.len()),
            "{name}"
        );
        let head = peek(&b, codec, 100).unwrap_or_default();
        assert_eq!(head.as_slice(), &want[..100], "{name}");
    }
}

#[test]
fn ranges_decode_again_to_the_same_bytes() {
    let want = text();
    let n = want.len() as u64;
    // Overlapping, unsorted, empty and whole ranges.
    let ranges = [(n - 10, 10), (5, 100), (50, 20), (0, 0), (0, n)];
    for (name, codec) in ALL {
        let b = load(name);
        let got = match decode_ranges(&b, codec, &Limits::default(), &ranges) {
            Ok(g) => g,
            Err(e) => panic!("{name}: {e}"),
        };
        assert_eq!(got.len(), ranges.len(), "{name}");
        for (&(o, l), g) in ranges.iter().zip(&got) {
            assert_eq!(
                g.bytes(),
                &want[o as usize..(o + l) as usize],
                "{name} {o}+{l}"
            );
        }
        // A range the stream does not reach is an error, not short bytes.
        assert!(
            decode_ranges(&b, codec, &Limits::default(), &[(n - 5, 10)]).is_err(),
            "{name}"
        );
    }
}

#[test]
fn large_streams_decode_without_doubling() {
    // bomb-64m.zst declares no size (written from a pipe), so the decoder
    // cannot allocate once; the result must still be exact.
    let b = load("bomb-64m.zst");
    let d = match decode(&b, Format::Zstd, &Limits::default()) {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(d.len(), 64 << 20);
    assert!(d.bytes().iter().all(|&x| x == 0));
}

#[test]
fn gzip_header_fields() {
    // listing.txt: `gzip -lvN named.gz` shows name named.txt, Nov 14 22:13.
    let listing = common::read_text("stream", "listing.txt");
    assert!(listing.contains("Nov 14 22:13") && listing.contains("named.txt"));
    let b = load("named.gz");
    let g = |n| field(&b, Format::Gzip, n);
    assert_eq!(g("gzip.name").as_deref(), Some("named.txt"));
    assert_eq!(
        g("gzip.mtime").as_deref(),
        Some("2023-11-14T22:13:20Z (1700000000)")
    );
    assert_eq!(g("gzip.os").as_deref(), Some("3 (Unix)"));
    assert_eq!(g("gzip.xfl").as_deref(), Some("2 (best)"));
    assert_eq!(g("gzip.flags").as_deref(), Some("0x08 (FNAME)"));
    assert_eq!(g("gzip.comment"), None);

    let n = load("text.gz");
    assert_eq!(
        field(&n, Format::Gzip, "gzip.mtime").as_deref(),
        Some("0 (not set)")
    );
    assert_eq!(field(&n, Format::Gzip, "gzip.name"), None);
    assert_eq!(
        field(&n, Format::Gzip, "gzip.flags").as_deref(),
        Some("0x00")
    );
}

#[test]
fn xz_zstd_bzip2_lz4_fields() {
    // listing.txt: xz --robot -lvv says CRC64 and CRC32.
    assert_eq!(
        field(&load("text.xz"), Format::Xz, "xz.check").as_deref(),
        Some("CRC64")
    );
    assert_eq!(
        field(&load("text-crc32.xz"), Format::Xz, "xz.check").as_deref(),
        Some("CRC32")
    );
    // listing.txt: zstd -lv: window 32893 B, decompressed 32893 B, XXH64 check, DictID 0.
    let z = load("text.zst");
    assert_eq!(
        field(&z, Format::Zstd, "zstd.window_size").as_deref(),
        Some("32893")
    );
    assert_eq!(
        field(&z, Format::Zstd, "zstd.content_size").as_deref(),
        Some("32893")
    );
    assert_eq!(
        field(&z, Format::Zstd, "zstd.checksum").as_deref(),
        Some("yes")
    );
    assert_eq!(
        field(&z, Format::Zstd, "zstd.dict_id").as_deref(),
        Some("0")
    );
    assert_eq!(
        field(&load("text.bz2"), Format::Bzip2, "bzip2.block_size").as_deref(),
        Some("9 (900k)")
    );
    let l = load("text-legacy.lz4");
    assert_eq!(
        field(&l, Format::Lz4, "lz4.variant").as_deref(),
        Some("legacy")
    );
    let f = load("text-frame.lz4");
    assert_eq!(
        field(&f, Format::Lz4, "lz4.variant").as_deref(),
        Some("frame")
    );
    assert_eq!(
        field(&f, Format::Lz4, "lz4.content_size").as_deref(),
        Some("32893")
    );
    assert_eq!(
        field(&f, Format::Lz4, "lz4.content_checksum").as_deref(),
        Some("yes")
    );
}

#[test]
fn lz4_legacy_multi_block() {
    let b = load("zeros-9m-legacy.lz4");
    let d = decode(&b, Format::Lz4, &Limits::default()).map(|d| d.len());
    assert_eq!(d.ok(), Some(9 << 20));
    assert_eq!(
        stream_end(&b, Format::Lz4, &Limits::default()).ok(),
        Some(b.len())
    );
}

fn small() -> Limits {
    Limits {
        max_decoded: 64 << 20,
        max_ratio: 100,
        ratio_floor: 1 << 20,
        ..Limits::default()
    }
}

#[test]
fn bombs_are_refused_under_a_small_cap() {
    for (name, codec) in [
        ("bomb-64m.zst", Format::Zstd),
        ("bomb-64m.xz", Format::Xz),
        ("bomb-64m.bz2", Format::Bzip2),
        ("zeros-9m-legacy.lz4", Format::Lz4),
    ] {
        let b = load(name);
        // zstd and lz4 are measured by walking block headers, xz by its
        // index: not decoding, so the cap does not apply to measuring.
        let walks = matches!(codec, Format::Zstd | Format::Lz4 | Format::Xz);
        let end = stream_end(&b, codec, &small());
        if walks {
            assert_eq!(end.as_ref().ok(), Some(&b.len()), "{name}");
        }
        let measured = (!walks).then(|| end.map(|_| ()));
        for r in std::iter::once(decode(&b, codec, &small()).map(|_| ())).chain(measured) {
            match r {
                Err(e) => assert!(
                    matches!(e.kind, ErrorKind::DecodedCap { .. }),
                    "{name}: {e}"
                ),
                Ok(()) => panic!("{name}: decoded past the cap"),
            }
        }
        // Peeking stays cheap whatever the stream holds.
        assert_eq!(
            peek(&b, codec, 4096).map(|v| v.len()).ok(),
            Some(4096),
            "{name}"
        );
    }
    // Under the default limits (256 MiB floor) the zstd bomb is fine.
    let z = decode(&load("bomb-64m.zst"), Format::Zstd, &Limits::default());
    assert_eq!(z.map(|d| d.len()).ok(), Some(64 << 20));
}

#[test]
fn zero_padding_and_trailing_garbage_are_not_part_of_the_stream() {
    let want = text();
    for (name, codec) in ALL {
        let b = load(name);
        for tail in [&[0u8; 512][..], b"garbage after the stream"] {
            let mut v = b.bytes().to_vec();
            v.extend_from_slice(tail);
            let padded = Blob::from_vec(v);
            let d = decode(&padded, codec, &Limits::default());
            assert_eq!(
                d.map(|d| d.bytes().to_vec()).ok().as_deref(),
                Some(want.as_slice()),
                "{name}"
            );
            assert_eq!(
                stream_end(&padded, codec, &Limits::default()).ok(),
                Some(b.len()),
                "{name}"
            );
        }
    }
}

#[test]
fn truncated_streams_peek_what_they_can() {
    for (name, codec) in ALL {
        let b = load(name);
        let cut = b
            .slice(0, b.len() * 2 / 3, Format::Gzip)
            .unwrap_or_else(|_| b.clone());
        let e = decode(&cut, codec, &Limits::default());
        assert!(e.is_err(), "{name}: truncated stream decoded");
        if let Err(e) = e {
            assert_eq!(e.format, codec);
            assert!(e.offset <= cut.len(), "{name}: {e}");
        }
        let head = peek(&cut, codec, 1 << 20).unwrap_or_default();
        // Codecs whose first block holds the whole 32 KiB text (bzip2,
        // zstd, lz4) give nothing until that block is whole.
        if matches!(codec, Format::Gzip | Format::Xz) {
            assert!(!head.is_empty(), "{name}");
        }
        assert!(text().starts_with(&head), "{name}");
    }
}

#[test]
fn hostile_streams_never_panic() {
    let lim = Limits {
        max_decoded: 1 << 20,
        ratio_floor: 1 << 20,
        ..Limits::default()
    };
    let mut rng = Lcg(42);
    let mut runs = 0;
    for (name, codec) in ALL.iter().take(13) {
        let orig = load(name).bytes().to_vec();
        for i in 0..40 {
            let cut = orig.len() * i / 40;
            let b = Blob::from_vec(orig[..cut].to_vec());
            let _ = decode(&b, *codec, &lim);
            let _ = peek(&b, *codec, 0x8800);
            let _ = stream_end(&b, *codec, &lim);
            let _ = header_fields(&b, *codec);
            runs += 1;
        }
        for _ in 0..120 {
            let mut v = orig.clone();
            for _ in 0..1 + rng.next() % 4 {
                // Headers matter most: hit the first 32 bytes half the time.
                let span = if rng.next() & 1 == 0 {
                    v.len().min(32)
                } else {
                    v.len()
                };
                let at = (rng.next() as usize) % span.max(1);
                if let Some(x) = v.get_mut(at) {
                    *x ^= 1 << (rng.next() % 8);
                }
            }
            let b = Blob::from_vec(v);
            let _ = decode(&b, *codec, &lim);
            let _ = stream_end(&b, *codec, &lim);
            let _ = header_fields(&b, *codec);
            let _ = reprodiff_formats::open(&b, &lim);
            runs += 1;
        }
    }
    assert!(runs > 2000);
}
