//! lz4: frames (`lz4`) and the legacy format (`lz4 -l`, the kernel's),
//! their ends found by walking block headers, and the frame header fields.
//!
//! Part of formats/ (bytes → formats → engine → report), under
//! [`super`], which runs the frames of a file one after another.

use super::{is_skippable, pump, yes_no, Mode, Sink};
use crate::bytes::le32;
use crate::{Error, ErrorKind, Field, Format, Result, Role};

pub(super) const LEGACY_MAGIC: u32 = 0x184C_2102;
pub(super) const FRAME_MAGIC: u32 = 0x184D_2204;
/// Uncompressed size of every block of an lz4 legacy stream but the last.
const LEGACY_BLOCK: usize = 8 << 20;

/// Decodes (or, when measuring, walks) the lz4 frame, skippable frame or
/// legacy stream at `pos`.
pub(super) fn member(data: &[u8], pos: usize, sink: &mut Sink) -> Result<(usize, bool)> {
    let codec = Format::Lz4;
    let m = le32(data, pos).unwrap_or(0);
    if m == LEGACY_MAGIC {
        return legacy(data, pos, sink);
    }
    let end = frame_end(data, pos);
    if sink.mode == Mode::Measure || is_skippable(m) {
        return match end {
            Some(end) => Ok((end, true)),
            None => Err(Error::new(
                codec,
                pos as u64,
                ErrorKind::Decode("lz4 frame cut short or malformed".into()),
            )),
        };
    }
    let frame = data.get(pos..end.unwrap_or(data.len())).unwrap_or(&[]);
    let mut rest: &[u8] = frame;
    let r = {
        let mut d = lz4_flex::frame::FrameDecoder::new(&mut rest);
        pump(&mut d, codec, pos as u64, sink)
    };
    let consumed = frame.len() - rest.len();
    let more = r.map_err(|e| Error {
        offset: (pos + consumed) as u64,
        ..e
    })?;
    Ok((end.unwrap_or(pos + consumed), more))
}

/// lz4 legacy (`lz4 -l`, the kernel's format): the magic, then blocks of
/// `[u32 LE compressed size][block]`, each decoding to 8 MiB but the last.
/// The stream has no end marker: it ends at end of input, at a zero size
/// (padding) or at a size no block can have (the next thing's magic); a
/// repeated legacy magic starts a concatenated legacy stream.
fn legacy(data: &[u8], pos: usize, sink: &mut Sink) -> Result<(usize, bool)> {
    const BOUND: usize = LEGACY_BLOCK + LEGACY_BLOCK / 255 + 16;
    let codec = Format::Lz4;
    let mut at = pos + 4;
    let mut scratch: Vec<u8> = Vec::new();
    loop {
        let Some(size) = le32(data, at) else {
            return Ok((at.min(data.len()), true));
        };
        if size == LEGACY_MAGIC {
            at += 4;
            continue;
        }
        let size = size as usize;
        if size == 0 || size > BOUND {
            return Ok((at, true));
        }
        let Some(block) = data.get(at + 4..at + 4 + size) else {
            return Err(Error::truncated(
                codec,
                at as u64,
                (at + 4 + size) as u64,
                data.len() as u64,
            ));
        };
        if sink.mode != Mode::Measure {
            // A block decodes to at most 255 bytes per input byte.
            let room = LEGACY_BLOCK.min(size.saturating_mul(255).saturating_add(64));
            if scratch.len() < room {
                scratch = vec![0u8; room];
            }
            let n = lz4_flex::block::decompress_into(block, &mut scratch)
                .map_err(|e| Error::new(codec, at as u64, ErrorKind::Decode(e.to_string())))?;
            if !sink.put(codec, at as u64, scratch.get(..n).unwrap_or(&[]))? {
                return Ok((at + 4 + size, false));
            }
        }
        at += 4 + size;
    }
}

/// End of the lz4 frame (or skippable frame) at `pos`, by walking its block
/// headers. `None` if it is cut short or malformed.
fn frame_end(b: &[u8], pos: usize) -> Option<usize> {
    let m = le32(b, pos)?;
    if is_skippable(m) {
        let len = le32(b, pos + 4)? as usize;
        let end = pos.checked_add(8)?.checked_add(len)?;
        return (end <= b.len()).then_some(end);
    }
    if m != FRAME_MAGIC {
        return None;
    }
    let flg = *b.get(pos + 4)?;
    if flg >> 6 != 1 {
        return None;
    }
    let mut at = pos + 7; // magic, FLG, BD, HC
    if flg & 0x08 != 0 {
        at += 8;
    }
    if flg & 0x01 != 0 {
        at += 4;
    }
    loop {
        let size = le32(b, at)?;
        at += 4;
        if size == 0 {
            break;
        }
        at = at.checked_add((size & 0x7fff_ffff) as usize)?;
        if flg & 0x10 != 0 {
            at += 4;
        }
        if at > b.len() {
            return None;
        }
    }
    if flg & 0x04 != 0 {
        at += 4;
    }
    (at <= b.len()).then_some(at)
}

pub(super) fn fields(b: &[u8], f: &mut Vec<Field>) {
    match le32(b, 0) {
        Some(LEGACY_MAGIC) => f.push(Field::new("lz4.variant", "legacy", Role::Packing)),
        Some(FRAME_MAGIC) => {
            f.push(Field::new("lz4.variant", "frame", Role::Packing));
            let (Some(&flg), Some(&bd)) = (b.get(4), b.get(5)) else {
                return;
            };
            f.push(Field::new(
                "lz4.flags",
                format!("{flg:#04x}"),
                Role::Packing,
            ));
            f.push(Field::new(
                "lz4.block_independence",
                yes_no(flg & 0x20 != 0),
                Role::Packing,
            ));
            f.push(Field::new(
                "lz4.block_checksum",
                yes_no(flg & 0x10 != 0),
                Role::Packing,
            ));
            f.push(Field::new(
                "lz4.content_checksum",
                yes_no(flg & 0x04 != 0),
                Role::Packing,
            ));
            let max = match (bd >> 4) & 7 {
                4 => "64KiB".to_string(),
                5 => "256KiB".to_string(),
                6 => "1MiB".to_string(),
                7 => "4MiB".to_string(),
                n => format!("invalid ({n})"),
            };
            f.push(Field::new("lz4.block_max_size", max, Role::Packing));
            let mut at = 6;
            if flg & 0x08 != 0 {
                if let Some(s) = b.get(6..14) {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(s);
                    f.push(Field::new(
                        "lz4.content_size",
                        u64::from_le_bytes(a),
                        Role::Packing,
                    ));
                }
                at += 8;
            }
            if flg & 0x01 != 0 {
                if let Some(d) = le32(b, at) {
                    f.push(Field::new("lz4.dict_id", d, Role::Packing));
                }
            }
        }
        _ => {}
    }
}
