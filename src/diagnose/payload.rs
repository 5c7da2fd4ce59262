//! A binary whose payload one side stores compressed and the other as it
//! is: fcitx5's input-method tables (`*.main.dict`), which the libime of
//! trixie writes as an 8-byte header (magic `000fcabe`, format version 2)
//! and a zstd frame of the table, and bookworm's as the same header with
//! version 1 and the table itself. When a compressed stream (zstd, xz,
//! gzip, bzip2) that starts within the first [`MAX_HEADER`] bytes of one
//! side and runs to its end decodes to exactly the other side's bytes
//! after a header of the same length, the payload is the same and only
//! its storage differs: `compression-metadata`. A header whose differing
//! bytes lie within one span of at most [`MAX_HEADER_DIFFERING`] bytes (a
//! format version or a flag saying how the payload is stored: nothing else
//! is left in the file for it to describe) follows that; a header that
//! differs otherwise stays `content`.
//!
//! Diagnosis stage (engine → **diagnosis** → report), on a differing
//! binary leaf no other rule explained. Decoding stops at the first byte
//! that differs from the other side and at one byte past its size, so it
//! costs at most one pass over the smaller of the two.

use reprodiff_formats::{stream, Format};

use crate::report::{Cause, Change, Value};

/// The longest header tried before a compressed payload.
const MAX_HEADER: usize = 64;

/// The widest span of header bytes that may differ besides the payload's
/// storage.
const MAX_HEADER_DIFFERING: usize = 4;

/// Candidate streams tried per side (a hostile file may hold many magics).
const MAX_TRIES: usize = 4;

/// The field of a payload stored compressed on one side.
pub const FIELD: &str = "binary.compressed";

/// The field of the header before it.
pub const HEADER: &str = "binary.header";

/// The codec whose magic starts at `k` in `x`, by the readers' own magic
/// table: the streams whose members [`stream::each_chunk_in`] decodes.
fn codec_at(x: &[u8], k: usize) -> Option<(Format, &'static str)> {
    match reprodiff_formats::stream_codec(x.get(k..)?)? {
        Format::Zstd => Some((Format::Zstd, "zstd")),
        Format::Xz => Some((Format::Xz, "xz")),
        Format::Gzip => Some((Format::Gzip, "gzip")),
        Format::Bzip2 => Some((Format::Bzip2, "bzip2")),
        _ => None,
    }
}

/// Whether the stream that starts `x` runs to its end and decodes to
/// exactly `plain`.
fn decodes_to(x: &[u8], codec: Format, plain: &[u8]) -> bool {
    let mut at = 0usize;
    let mut same = true;
    // One byte more than `plain` is enough to tell a longer stream.
    let cap = plain.len() as u64 + 1;
    let result = stream::each_chunk_in(x, codec, cap, &mut |chunk: &[u8]| {
        let ok = plain.get(at..at + chunk.len()) == Some(chunk);
        at += chunk.len();
        same &= ok;
        ok
    });
    matches!(result, Ok((n, end)) if same && n == plain.len() as u64 && end == x.len() as u64)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|c| format!("{c:02x}")).collect()
}

/// The changes of a payload one side stores compressed, (a, b) in order;
/// `None` when neither side holds such a stream of the other's bytes.
pub fn explain(a: &[u8], b: &[u8]) -> Option<Vec<Change>> {
    for (x, y, x_is_a) in [(a, b, true), (b, a, false)] {
        let found = (0..=MAX_HEADER.min(x.len()))
            .filter_map(|k| codec_at(x, k).map(|c| (k, c)))
            .take(MAX_TRIES)
            .find(|&(k, (codec, _))| {
                let plain = y.get(k..).unwrap_or_default();
                !plain.is_empty() && decodes_to(x.get(k..).unwrap_or_default(), codec, plain)
            });
        let Some((k, (_, name))) = found else {
            continue;
        };
        let plain = y.len() - k;
        let packed = Value::text(format!(
            "{name} stream at {k:#x}: {} bytes, decoding to the {plain} bytes the other side stores as they are",
            x.len() - k
        ));
        let bare = Value::text(format!("{plain} bytes at {k:#x}, as they are"));
        let (va, vb) = if x_is_a {
            (packed, bare)
        } else {
            (bare, packed)
        };
        let mut out = vec![Change::finding(FIELD, va, vb, Cause::CompressionMetadata)];
        let (ha, hb) = (a.get(..k)?, b.get(..k)?);
        // The span of the header's differing bytes: one field of at most
        // four bytes (a version or a flag) follows the payload's storage.
        let differing: Vec<usize> = (0..k).filter(|&i| ha.get(i) != hb.get(i)).collect();
        if let (Some(first), Some(last)) = (differing.first(), differing.last()) {
            let one_field = last - first < MAX_HEADER_DIFFERING;
            let mut h = Change::finding(
                HEADER,
                Value::text(hex(ha)),
                Value::text(hex(hb)),
                if one_field {
                    Cause::Consequential
                } else {
                    Cause::Content
                },
            );
            if one_field {
                h.follows = vec![FIELD.to_string()];
            }
            out.push(h);
        }
        return Some(out);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zstd(b: &[u8]) -> Vec<u8> {
        zstd::stream::encode_all(b, 3).expect("zstd encodes")
    }

    /// The shape of fcitx5-table-t9 5.1.7-1 against its bookworm backport:
    /// magic, version 2 and a zstd frame against magic, version 1 and the
    /// table.
    #[test]
    fn a_payload_compressed_on_one_side_is_its_storage() {
        let table: Vec<u8> = (0..20_000u32)
            .flat_map(|i| (i % 251).to_be_bytes())
            .collect();
        let a = [&[0, 0x0f, 0xca, 0xbe, 0, 0, 0, 2][..], &zstd(&table)].concat();
        let b = [&[0, 0x0f, 0xca, 0xbe, 0, 0, 0, 1][..], &table].concat();
        for (x, y) in [(&a, &b), (&b, &a)] {
            let changes = explain(x, y).expect("the same table");
            assert_eq!(changes[0].field, FIELD);
            assert_eq!(changes[0].cause, Some(Cause::CompressionMetadata));
            assert_eq!(changes[1].field, HEADER);
            assert_eq!(changes[1].cause, Some(Cause::Consequential));
            assert_eq!(changes[1].follows, [FIELD]);
        }
        assert!(Change::shown(&explain(&a, &b).expect("found")[0].a)
            .is_some_and(|s| s.starts_with("zstd stream at 0x8")));
        // One byte of the table changed: not the same payload.
        let mut c = b.clone();
        c[5000] ^= 1;
        assert!(explain(&a, &c).is_none());
        // A longer table on the plain side, or a shorter one.
        assert!(explain(&a, &[&b[..], b"x"].concat()).is_none());
        assert!(explain(&a, &b[..b.len() - 1]).is_none());
        // Trailing bytes after the stream: not all of it is the payload.
        assert!(explain(&[&a[..], b"tail"].concat(), &b).is_none());
        // Two bytes far apart in the header (a version and a count, a
        // time): content.
        let e = [&[0, 0x0f, 0xca, 0xbf, 0, 0, 0, 1][..], &table].concat();
        assert_eq!(
            explain(&a, &e).expect("the same table")[1].cause,
            Some(Cause::Content)
        );
        // The same header: only the payload.
        let f = [&[0, 0x0f, 0xca, 0xbe, 0, 0, 0, 2][..], &table].concat();
        assert_eq!(explain(&a, &f).expect("the same table").len(), 1);
        // A header that differs in more than a field: content.
        let d = [&[9, 9, 9, 9, 9, 9, 9, 9][..], &table].concat();
        let changes = explain(&a, &d).expect("the same table");
        assert_eq!(changes[1].cause, Some(Cause::Content));
    }

    #[test]
    fn damaged_streams_and_short_inputs_give_nothing() {
        assert!(explain(b"", b"").is_none());
        assert!(explain(&[0x28, 0xb5, 0x2f, 0xfd], b"x").is_none());
        assert!(explain(&[0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0], b"").is_none());
        let a = [&b"BZh9"[..], &[0xff; 64]].concat();
        assert!(explain(&a, &[0u8; 100]).is_none());
    }
}
