//! zstd (RFC 8878): one frame's decoding, in place when the output has room
//! reserved, frame ends found by walking block headers, and the frame
//! header fields.
//!
//! Part of formats/ (bytes → formats → engine → report), under
//! [`super`], which runs the frames of a file one after another.

use super::{is_skippable, pump, yes_no, Mode, Sink};
use crate::bytes::{le32, le_uint};
use crate::{Error, ErrorKind, Field, Format, Result, Role};

pub(super) const MAGIC: u32 = 0xFD2F_B528;

/// Decodes (or, when measuring, walks) the zstd frame or skippable frame at
/// `pos`.
pub(super) fn member(data: &[u8], pos: usize, sink: &mut Sink) -> Result<(usize, bool)> {
    let codec = Format::Zstd;
    let end = frame_end(data, pos);
    if sink.mode == Mode::Measure {
        if let Some(end) = end {
            return Ok((end, true));
        }
    }
    let m = le32(data, pos).unwrap_or(0);
    if is_skippable(m) {
        return match end {
            Some(end) => Ok((end, true)),
            None => Err(Error::truncated(
                codec,
                pos as u64,
                data.len() as u64 + 1,
                data.len() as u64,
            )),
        };
    }
    if let Some(end) = end {
        if into_place(data.get(pos..end).unwrap_or(&[]), sink) {
            return Ok((end, true));
        }
    }
    let frame = data.get(pos..end.unwrap_or(data.len())).unwrap_or(&[]);
    let mut rest: &[u8] = frame;
    let r = match ::zstd::stream::read::Decoder::with_buffer(&mut rest) {
        Ok(d) => {
            let mut d = d.single_frame();
            pump(&mut d, codec, pos as u64, sink)
        }
        Err(e) => Err(Error::new(
            codec,
            pos as u64,
            ErrorKind::Decode(e.to_string()),
        )),
    };
    let consumed = frame.len() - rest.len();
    let r = r.map_err(|e| Error {
        offset: (pos + consumed) as u64,
        ..e
    })?;
    match end {
        Some(end) => Ok((end, r)),
        None => Ok((pos + consumed, r)),
    }
}

pub(super) fn fields(b: &[u8], f: &mut Vec<Field>) {
    if let Some(h) = header(b, 0) {
        if let Some(w) = h.window_size {
            f.push(Field::new("zstd.window_size", w, Role::Packing));
        }
        let cs = h
            .content_size
            .map_or_else(|| "unknown".to_string(), |n| n.to_string());
        f.push(Field::new("zstd.content_size", cs, Role::Packing));
        f.push(Field::new(
            "zstd.checksum",
            yes_no(h.checksum),
            Role::Packing,
        ));
        f.push(Field::new("zstd.dict_id", h.dict_id, Role::Packing));
        f.push(Field::new(
            "zstd.single_segment",
            yes_no(h.single_segment),
            Role::Packing,
        ));
    }
}

/// Decodes one whole zstd frame straight into the sink's output, in one
/// call. The streaming decoder instead keeps a buffer as large as the
/// frame's window (8 MiB at `-19`, the whole content for a single-segment
/// frame) besides the output; here the output is the window. Used when the
/// output has room reserved: address space, or a vector sized from the
/// declared content size. `false` when it does not, or the call fails (then
/// the streaming decoder runs and reports the error precisely); the output
/// stays within the sink's cap either way.
fn into_place(frame: &[u8], sink: &mut Sink) -> bool {
    if sink.mode != Mode::All {
        return false;
    }
    let Ok(mut d) = ::zstd::bulk::Decompressor::new() else {
        return false;
    };
    let room = sink.cap.saturating_sub(sink.written);
    let n = if let Some(spare) = sink.out.spare(room) {
        match d.decompress_to_buffer(frame, spare) {
            Ok(n) => {
                sink.out.commit(n);
                n
            }
            Err(_) => return false,
        }
    } else if let Some(v) = sink.out.empty_vec() {
        match d.decompress_to_buffer(frame, v) {
            Ok(n) => n,
            Err(_) => {
                v.clear();
                return false;
            }
        }
    } else {
        return false;
    };
    sink.written = sink.written.saturating_add(n as u64);
    true
}

pub(super) struct Header {
    window_size: Option<u64>,
    pub(super) content_size: Option<u64>,
    checksum: bool,
    dict_id: u32,
    single_segment: bool,
    /// Bytes from the magic to the first block header.
    len: usize,
}

/// The zstd frame header at `pos` (RFC 8878 §3.1.1.1).
pub(super) fn header(b: &[u8], pos: usize) -> Option<Header> {
    if le32(b, pos)? != MAGIC {
        return None;
    }
    let fhd = *b.get(pos + 4)?;
    if fhd & 0x08 != 0 {
        return None; // reserved bit
    }
    let single = fhd & 0x20 != 0;
    let mut at = pos + 5;
    let mut window = None;
    if !single {
        let wd = *b.get(at)?;
        let base = 1u64 << (10 + (wd >> 3));
        window = Some(base + (base / 8) * u64::from(wd & 7));
        at += 1;
    }
    let did_len = [0usize, 1, 2, 4][usize::from(fhd & 3)];
    let dict_id = le_uint(b, at, did_len)? as u32;
    at += did_len;
    let fcs_len = match fhd >> 6 {
        0 => usize::from(single),
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let content_size = if fcs_len == 0 {
        None
    } else {
        let v = le_uint(b, at, fcs_len)?;
        Some(if fcs_len == 2 { v + 256 } else { v })
    };
    at += fcs_len;
    if single {
        window = content_size;
    }
    Some(Header {
        window_size: window,
        content_size,
        checksum: fhd & 0x04 != 0,
        dict_id,
        single_segment: single,
        len: at - pos,
    })
}

/// End of the zstd frame (or skippable frame) at `pos`, by walking its
/// block headers. `None` if it is cut short or malformed.
fn frame_end(b: &[u8], pos: usize) -> Option<usize> {
    let m = le32(b, pos)?;
    if is_skippable(m) {
        let len = le32(b, pos + 4)? as usize;
        let end = pos.checked_add(8)?.checked_add(len)?;
        return (end <= b.len()).then_some(end);
    }
    let h = header(b, pos)?;
    let mut at = pos + h.len;
    loop {
        let bh = le_uint(b, at, 3)? as u32;
        at += 3;
        let size = (bh >> 3) as usize;
        at = match (bh >> 1) & 3 {
            0 | 2 => at.checked_add(size)?,
            1 => at + 1,
            _ => return None,
        };
        if at > b.len() {
            return None;
        }
        if bh & 1 != 0 {
            break;
        }
    }
    if h.checksum {
        at += 4;
    }
    (at <= b.len()).then_some(at)
}
