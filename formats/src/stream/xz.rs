//! xz: one stream's decoding, its check type, and its decoded size and
//! end read from the index without decoding.
//!
//! Part of formats/ (bytes → formats → engine → report), under
//! [`super`], which runs the streams of a file one after another.

use super::{pump, read_member, Sink};
use crate::bytes::le32;
use crate::magic;
use crate::{Field, Format, Result, Role};

/// Decodes the xz stream at `pos`.
pub(super) fn member(data: &[u8], pos: usize, sink: &mut Sink) -> Result<(usize, bool)> {
    read_member(data, pos, sink, |rest, sink| {
        let mut d = liblzma::bufread::XzDecoder::new(rest);
        pump(&mut d, Format::Xz, pos as u64, sink)
    })
}

pub(super) fn fields(b: &[u8], f: &mut Vec<Field>) {
    if let Some(&id) = b.get(7) {
        let check = match id & 0x0f {
            0x00 => "none".to_string(),
            0x01 => "CRC32".to_string(),
            0x04 => "CRC64".to_string(),
            0x0a => "SHA256".to_string(),
            n => format!("unknown ({n})"),
        };
        f.push(Field::new("xz.check", check, Role::Packing));
    }
}

/// When `b` is nothing but xz streams (and zero padding): where the last
/// one ends and the total decoded size, read from each stream's footer and
/// index, last to first, without decoding. `None` when anything does not
/// check out (a CRC, a size, a header, or other bytes after the streams):
/// then only decoding can tell.
pub(super) fn streams(b: &[u8]) -> Option<(u64, u64)> {
    let end = b.iter().rposition(|&x| x != 0)? + 1;
    let mut at = end;
    let mut size = 0u64;
    // Each round consumes at least a header and a footer: no endless loop.
    loop {
        let (start, n) = from_end(b, at)?;
        size = size.checked_add(n)?;
        // Stream padding before a stream: zeros, a multiple of 4 bytes.
        let pad = b
            .get(..start)?
            .iter()
            .rev()
            .take_while(|&&x| x == 0)
            .count();
        if pad == start {
            return (pad == 0).then_some((end as u64, size));
        }
        if pad % 4 != 0 {
            return None;
        }
        at = start - pad;
    }
}

fn crc32(b: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(b);
    c.sum()
}

/// xz multibyte integer at `*at` (at most 9 bytes).
fn varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for i in 0..9 {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The xz stream whose footer ends at `end`: its start and decoded size,
/// from the footer, the index (both CRC-checked) and the header.
fn from_end(b: &[u8], end: usize) -> Option<(usize, u64)> {
    let footer = b.get(end.checked_sub(12)?..end)?;
    if footer.get(10..12)? != b"YZ" || crc32(footer.get(4..10)?) != le32(footer, 0)? {
        return None;
    }
    let index_len = (le32(footer, 4)? as usize + 1) * 4;
    let index_start = (end - 12).checked_sub(index_len)?;
    let index = b.get(index_start..end - 12)?;
    let (body, crc) = index.split_at(index_len - 4);
    if *body.first()? != 0 || crc32(body) != le32(crc, 0)? {
        return None;
    }
    let mut at = 1;
    let records = varint(body, &mut at)?;
    let (mut blocks, mut size) = (0usize, 0u64);
    for _ in 0..records {
        let unpadded = varint(body, &mut at)?;
        let decoded = varint(body, &mut at)?;
        let padded = usize::try_from(unpadded.checked_add(3)? & !3).ok()?;
        blocks = blocks.checked_add(padded)?;
        size = size.checked_add(decoded)?;
        if blocks > index_start {
            return None;
        }
    }
    let start = index_start.checked_sub(blocks)?.checked_sub(12)?;
    let header = b.get(start..start + 12)?;
    // The header's stream flags must be the footer's.
    if !magic::is(Format::Xz, header) || header.get(6..8)? != footer.get(8..10)? {
        return None;
    }
    Some((start, size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{stream::decode, Blob, Limits};

    fn fixture(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/stream/");
        std::fs::read(format!("{dir}{name}")).unwrap_or_default()
    }

    #[test]
    fn xz_streams_are_measured_from_their_indexes() {
        let text = fixture("text.txt").len() as u64;
        for name in ["text.xz", "text-crc32.xz", "concat.xz"] {
            let b = fixture(name);
            let decoded = decode(&Blob::from_vec(b.clone()), Format::Xz, &Limits::default())
                .map(|d| d.len())
                .unwrap_or(0);
            assert!(decoded >= text, "{name}");
            assert_eq!(streams(&b), Some((b.len() as u64, decoded)), "{name}");
            // Stream padding after it changes nothing.
            let mut padded = b.clone();
            padded.extend_from_slice(&[0; 8]);
            assert_eq!(streams(&padded), Some((b.len() as u64, decoded)), "{name}");
            // Something else after it: only decoding can tell where it ends.
            let mut more = b.clone();
            more.extend_from_slice(b"070701");
            assert_eq!(streams(&more), None, "{name}");
            // A damaged index or footer is not trusted.
            for at in [b.len() - 1, b.len() - 9, b.len() - 14] {
                let mut bad = b.clone();
                bad[at] ^= 0x40;
                assert_eq!(streams(&bad), None, "{name} byte {at}");
            }
        }
        // Garbage before a valid stream is not part of it.
        let mut front = b"junk".to_vec();
        front.extend_from_slice(&fixture("text.xz"));
        assert_eq!(streams(&front), None);
    }
}
