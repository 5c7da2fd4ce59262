//! Compressed streams (gzip, xz, zstd, bzip2, lz4 legacy and frame): bounded
//! decoding and the header fields that explain "same content, different
//! bytes" (gzip MTIME, FNAME, OS; xz check type; zstd frame flags; ...).
//!
//! Part of formats/ (bytes → formats → engine → report). `lib.rs` makes
//! streams transparent: a `.tar.xz` opens as tar with an xz layer.
//!
//! Every codec is read as a sequence of members (gzip members, xz streams,
//! zstd frames, bzip2 streams, lz4 frames), like the command-line tools do.
//! Zero bytes between or after members are padding (initrds and xz stream
//! padding use them). Anything else after the last complete member is
//! trailing data and is ignored here: the cpio reader, which cares about what
//! follows a stream in an initrd, asks [`stream_end`] where the stream stops.

use std::io::Read;

use crate::blob::GrowBuf;
use crate::{Blob, Error, ErrorKind, Field, Format, Limits, Result, Time};

/// Decoded bytes are pulled through the codecs in pieces of this size.
const CHUNK: usize = 64 * 1024;

const LZ4_LEGACY_MAGIC: u32 = 0x184C_2102;
const LZ4_FRAME_MAGIC: u32 = 0x184D_2204;
/// Uncompressed size of every block of an lz4 legacy stream but the last.
const LZ4_LEGACY_BLOCK: usize = 8 << 20;
const ZSTD_MAGIC: u32 = 0xFD2F_B528;

/// Decodes up to `max` bytes from the start of the stream (for detection).
///
/// A stream cut short or corrupt after its first bytes still gives what was
/// decoded up to the damage; only a stream that yields nothing is an error.
pub fn peek(blob: &Blob, codec: Format, max: usize) -> Result<Vec<u8>> {
    let mut sink = Sink::new(Mode::Head, max as u64, None);
    match run(blob.bytes(), codec, &mut sink) {
        Ok(_) => Ok(sink.out.into_vec()),
        Err(e) if sink.out.len() == 0 => Err(e),
        Err(_) => Ok(sink.out.into_vec()),
    }
}

/// Decodes the whole stream (all concatenated members), bounded by
/// `limits.decoded_cap(compressed size)`.
pub fn decode(blob: &Blob, codec: Format, limits: &Limits) -> Result<Blob> {
    let cap = limits.decoded_cap(blob.len());
    // The size the stream declares (zstd frame header, gzip ISIZE) lets the
    // buffer be allocated once. The claim is untrusted: it is bounded by the
    // cap and by a ratio no real stream of these codecs reaches. Without
    // one, the buffer grows in reserved address space (see `GrowBuf`).
    let plausible = blob.len().saturating_mul(64).min(cap);
    let hint = size_hint(blob.bytes(), codec).map(|h| h.min(plausible));
    let mut sink = Sink::new(Mode::All, cap, hint);
    run(blob.bytes(), codec, &mut sink)?;
    Ok(sink.out.into_blob())
}

/// Decodes the stream again, keeping only the bytes of `ranges` (offsets
/// into the decoded bytes, as `(offset, len)`): one blob per range, in the
/// order given. Decoding stops after the last byte wanted.
///
/// This lets a comparison drop a large decoded side and later fetch just
/// the few members that turned out to differ. A range past the end of the
/// stream is an error.
pub fn decode_ranges(
    blob: &Blob,
    codec: Format,
    limits: &Limits,
    ranges: &[(u64, u64)],
) -> Result<Vec<Blob>> {
    let mut want: Vec<(u64, u64)> = ranges
        .iter()
        .filter(|r| r.1 > 0)
        .map(|&(o, l)| (o, o.saturating_add(l)))
        .collect();
    want.sort_unstable();
    // The union of the ranges, so overlapping members share one piece.
    let mut union: Vec<(u64, u64)> = Vec::with_capacity(want.len());
    for (s, e) in want {
        match union.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => union.push((s, e)),
        }
    }
    let cap = limits.decoded_cap(blob.len());
    let mut sink = Sink::new(Mode::Select, cap, Some(0));
    sink.select = union
        .iter()
        .map(|&(s, e)| Piece {
            start: s,
            end: e,
            bytes: Vec::new(),
        })
        .collect();
    if !union.is_empty() {
        run(blob.bytes(), codec, &mut sink)?;
    }
    let pieces: Vec<(u64, Blob)> = sink
        .select
        .into_iter()
        .map(|p| (p.start, Blob::from_vec(p.bytes)))
        .collect();
    ranges
        .iter()
        .map(|&(o, l)| {
            if l == 0 {
                return Ok(Blob::from_vec(Vec::new()));
            }
            // The last piece starting at or before `o` holds the whole range.
            let i = pieces.partition_point(|p| p.0 <= o);
            let (start, piece) = i
                .checked_sub(1)
                .and_then(|i| pieces.get(i))
                .ok_or_else(|| Error::truncated(codec, o, o.saturating_add(l), 0))?;
            piece
                .slice(o - start, l, codec)
                .map_err(|_| Error::truncated(codec, o, o.saturating_add(l), start + piece.len()))
        })
        .collect()
}

/// The decoded size a stream declares for itself, when it does: the first
/// zstd frame's content size, or a gzip member's ISIZE trailer (size mod
/// 2^32 of the last member; exact for the usual single-member file).
fn size_hint(b: &[u8], codec: Format) -> Option<u64> {
    match codec {
        Format::Zstd => zstd_header(b, 0)?.content_size,
        Format::Gzip => {
            let tail = b.len().checked_sub(4)?;
            Some(u64::from(u32le(b, tail)?))
        }
        Format::Xz => xz_streams(b).map(|(_, size)| size),
        _ => None,
    }
}

/// Where the compressed stream at the start of `blob` ends: the byte after
/// its last complete member (zero padding and trailing data excluded).
///
/// zstd and lz4 are measured by walking their block headers, without
/// decoding. xz streams that run to the end of `blob` are measured from
/// their indexes, read backwards from the last footer. Otherwise gzip, xz
/// and bzip2 record no sizes, so they are decoded into nothing, bounded
/// like [`decode`].
pub fn stream_end(blob: &Blob, codec: Format, limits: &Limits) -> Result<u64> {
    if codec == Format::Xz {
        if let Some((end, _)) = xz_streams(blob.bytes()) {
            return Ok(end);
        }
    }
    let mut sink = Sink::new(Mode::Measure, limits.decoded_cap(blob.len()), None);
    run(blob.bytes(), codec, &mut sink)
}

const XZ_MAGIC: [u8; 6] = [0xfd, b'7', b'z', b'X', b'Z', 0x00];

/// When `b` is nothing but xz streams (and zero padding): where the last
/// one ends and the total decoded size, read from each stream's footer and
/// index, last to first, without decoding. `None` when anything does not
/// check out (a CRC, a size, a header, or other bytes after the streams):
/// then only decoding can tell.
fn xz_streams(b: &[u8]) -> Option<(u64, u64)> {
    let end = b.iter().rposition(|&x| x != 0)? + 1;
    let mut at = end;
    let mut size = 0u64;
    // Each round consumes at least a header and a footer: no endless loop.
    loop {
        let (start, n) = xz_from_end(b, at)?;
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
fn xz_varint(b: &[u8], at: &mut usize) -> Option<u64> {
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
fn xz_from_end(b: &[u8], end: usize) -> Option<(usize, u64)> {
    let footer = b.get(end.checked_sub(12)?..end)?;
    if footer.get(10..12)? != b"YZ" || crc32(footer.get(4..10)?) != u32le(footer, 0)? {
        return None;
    }
    let index_len = (u32le(footer, 4)? as usize + 1) * 4;
    let index_start = (end - 12).checked_sub(index_len)?;
    let index = b.get(index_start..end - 12)?;
    let (body, crc) = index.split_at(index_len - 4);
    if *body.first()? != 0 || crc32(body) != u32le(crc, 0)? {
        return None;
    }
    let mut at = 1;
    let records = xz_varint(body, &mut at)?;
    let (mut blocks, mut size) = (0usize, 0u64);
    for _ in 0..records {
        let unpadded = xz_varint(body, &mut at)?;
        let decoded = xz_varint(body, &mut at)?;
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
    if header.get(..6)? != XZ_MAGIC || header.get(6..8)? != footer.get(8..10)? {
        return None;
    }
    Some((start, size))
}

/// Header fields of the stream (of its first member), named `gzip.mtime`,
/// `gzip.name`, `xz.check`, `zstd.window_size`, ...
pub fn header_fields(blob: &Blob, codec: Format) -> Vec<Field> {
    let b = blob.bytes();
    let mut f = Vec::new();
    match codec {
        Format::Gzip => gzip_fields(b, &mut f),
        Format::Xz => {
            if let Some(&id) = b.get(7) {
                let check = match id & 0x0f {
                    0x00 => "none".to_string(),
                    0x01 => "CRC32".to_string(),
                    0x04 => "CRC64".to_string(),
                    0x0a => "SHA256".to_string(),
                    n => format!("unknown ({n})"),
                };
                f.push(Field::new("xz.check", check));
            }
        }
        Format::Zstd => {
            if let Some(h) = zstd_header(b, 0) {
                if let Some(w) = h.window_size {
                    f.push(Field::new("zstd.window_size", w));
                }
                let cs = h
                    .content_size
                    .map_or_else(|| "unknown".to_string(), |n| n.to_string());
                f.push(Field::new("zstd.content_size", cs));
                f.push(Field::new("zstd.checksum", yes_no(h.checksum)));
                f.push(Field::new("zstd.dict_id", h.dict_id));
                f.push(Field::new("zstd.single_segment", yes_no(h.single_segment)));
            }
        }
        Format::Bzip2 => {
            if let Some(&d @ b'1'..=b'9') = b.get(3) {
                let n = d - b'0';
                f.push(Field::new("bzip2.block_size", format!("{n} ({n}00k)")));
            }
        }
        Format::Lz4 => lz4_fields(b, &mut f),
        _ => {}
    }
    f
}

/// Name of the single member of a stream whose content is not a container.
/// Fixed, so that a changed gzip FNAME does not change addresses.
pub fn member_name(_blob: &Blob, _codec: Format) -> String {
    "<content>".to_string()
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Everything, an error past the cap.
    All,
    /// The first `cap` bytes, then stop quietly.
    Head,
    /// Only find where the stream ends; decoded bytes are dropped (an error
    /// past the cap, so a bomb cannot keep us busy).
    Measure,
    /// Only the bytes of `Sink::select`, then stop (an error past the cap).
    Select,
}

/// One wanted range of decoded bytes, `[start, end)`, and what was kept of it.
struct Piece {
    start: u64,
    end: u64,
    bytes: Vec<u8>,
}

/// Where decoded bytes go, and the cap on them.
struct Sink {
    mode: Mode,
    out: GrowBuf,
    written: u64,
    cap: u64,
    /// For `Mode::Select`: sorted, disjoint ranges to keep.
    select: Vec<Piece>,
    /// First piece of `select` not yet complete.
    next: usize,
}

impl Sink {
    fn new(mode: Mode, cap: u64, hint: Option<u64>) -> Sink {
        let out = match mode {
            Mode::All => GrowBuf::new(cap, hint),
            // Kept small (Head) or empty (Measure, Select): never mapped.
            _ => GrowBuf::new(0, Some(0)),
        };
        Sink {
            mode,
            out,
            written: 0,
            cap,
            select: Vec::new(),
            next: 0,
        }
    }

    /// Takes decoded bytes; `Ok(false)` when no more are wanted.
    fn put(&mut self, codec: Format, at: u64, b: &[u8]) -> Result<bool> {
        let room = self.cap.saturating_sub(self.written);
        let n = b.len() as u64;
        if n > room {
            if self.mode != Mode::Head {
                return Err(Error::limit(
                    codec,
                    at,
                    format!("decoded size over the cap of {} bytes", self.cap),
                ));
            }
            let take = usize::try_from(room).unwrap_or(usize::MAX).min(b.len());
            self.keep(b.get(..take).unwrap_or(&[]));
            return Ok(false);
        }
        self.keep(b);
        Ok(match self.mode {
            Mode::Head => self.written < self.cap,
            Mode::Select => self.next < self.select.len(),
            Mode::All | Mode::Measure => true,
        })
    }

    fn keep(&mut self, b: &[u8]) {
        let from = self.written;
        self.written = self.written.saturating_add(b.len() as u64);
        match self.mode {
            Mode::Measure => {}
            Mode::Select => self.keep_selected(from, b),
            Mode::All | Mode::Head => self.out.extend(b, self.cap),
        }
    }

    /// Copies the parts of `b` (decoded bytes from offset `from`) that fall
    /// in wanted ranges.
    fn keep_selected(&mut self, from: u64, b: &[u8]) {
        let to = self.written;
        while let Some(p) = self.select.get_mut(self.next) {
            if p.start >= to {
                return;
            }
            let s = p.start.max(from);
            let e = p.end.min(to);
            if s < e {
                let part = b
                    .get((s - from) as usize..(e - from) as usize)
                    .unwrap_or(&[]);
                if p.bytes.is_empty() {
                    // Ranges are bounded by the cap, itself bounded by the
                    // listing that named them.
                    p.bytes
                        .reserve_exact(usize::try_from(p.end - p.start).unwrap_or(0));
                }
                p.bytes.extend_from_slice(part);
            }
            if p.end > to {
                return;
            }
            self.next += 1;
        }
    }
}

fn u32le(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// True when `b` starts a member of `codec`.
fn starts_member(codec: Format, b: &[u8]) -> bool {
    let m = u32le(b, 0);
    match codec {
        Format::Gzip => b.starts_with(&[0x1f, 0x8b]),
        Format::Xz => b.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]),
        Format::Zstd => m.is_some_and(|m| m == ZSTD_MAGIC || is_skippable(m)),
        Format::Bzip2 => matches!(b, [b'B', b'Z', b'h', b'1'..=b'9', ..]),
        Format::Lz4 => {
            m.is_some_and(|m| m == LZ4_FRAME_MAGIC || m == LZ4_LEGACY_MAGIC || is_skippable(m))
        }
        _ => false,
    }
}

/// zstd and lz4 share the skippable-frame magic range.
fn is_skippable(m: u32) -> bool {
    m & 0xFFFF_FFF0 == 0x184D_2A50
}

/// Decodes (or measures) every member of the stream into `sink`; returns
/// the offset just past the last member read.
fn run(data: &[u8], codec: Format, sink: &mut Sink) -> Result<u64> {
    if !starts_member(codec, data) {
        return Err(Error::new(codec, 0, ErrorKind::BadMagic));
    }
    let mut pos = 0usize;
    loop {
        let (end, more) = member(data, pos, codec, sink)?;
        // A member always consumes its magic, so this loop cannot stall.
        pos = end.max(pos.saturating_add(1));
        if !more {
            break;
        }
        let rest = data.get(pos..).unwrap_or(&[]);
        let Some(skip) = rest.iter().position(|&b| b != 0) else {
            break;
        };
        let next = pos + skip;
        if !starts_member(codec, data.get(next..).unwrap_or(&[])) {
            // Trailing data that is not another member: not ours.
            break;
        }
        pos = next;
    }
    Ok(pos.min(data.len()) as u64)
}

/// Pulls decoded bytes out of `r` into `sink`; `Ok(false)` if the sink is full.
fn pump<R: Read>(r: &mut R, codec: Format, at: u64, sink: &mut Sink) -> Result<bool> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(true),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::new(codec, at, ErrorKind::Decode(e.to_string()))),
        };
        if !sink.put(codec, at, buf.get(..n).unwrap_or(&[]))? {
            return Ok(false);
        }
    }
}

/// Decodes one member starting at `pos`; returns where it ends and whether
/// the sink wants more.
fn member(data: &[u8], pos: usize, codec: Format, sink: &mut Sink) -> Result<(usize, bool)> {
    let slice = data.get(pos..).unwrap_or(&[]);
    let mut rest: &[u8] = slice;
    // Decode errors carry the input position the decoder had reached.
    let fix = |e: Error, rest_len: usize| -> Error {
        Error {
            offset: (pos + (slice.len() - rest_len)) as u64,
            ..e
        }
    };
    match codec {
        Format::Gzip | Format::Xz | Format::Bzip2 => {
            let r = match codec {
                Format::Gzip => {
                    let mut d = flate2::bufread::GzDecoder::new(&mut rest);
                    pump(&mut d, codec, pos as u64, sink)
                }
                Format::Xz => {
                    let mut d = liblzma::bufread::XzDecoder::new(&mut rest);
                    pump(&mut d, codec, pos as u64, sink)
                }
                _ => {
                    let mut d = bzip2::bufread::BzDecoder::new(&mut rest);
                    pump(&mut d, codec, pos as u64, sink)
                }
            };
            let end = pos + (slice.len() - rest.len());
            match r {
                Ok(more) => Ok((end, more)),
                Err(e) => Err(fix(e, rest.len())),
            }
        }
        Format::Zstd => {
            let end = zstd_frame_end(data, pos);
            if sink.mode == Mode::Measure {
                if let Some(end) = end {
                    return Ok((end, true));
                }
            }
            let m = u32le(data, pos).unwrap_or(0);
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
                if zstd_into_place(data.get(pos..end).unwrap_or(&[]), sink) {
                    return Ok((end, true));
                }
            }
            let frame = data.get(pos..end.unwrap_or(data.len())).unwrap_or(&[]);
            let mut rest: &[u8] = frame;
            let r = match zstd::stream::read::Decoder::with_buffer(&mut rest) {
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
        Format::Lz4 => {
            let m = u32le(data, pos).unwrap_or(0);
            if m == LZ4_LEGACY_MAGIC {
                return lz4_legacy(data, pos, sink);
            }
            let end = lz4_frame_end(data, pos);
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
        _ => Err(Error::new(
            codec,
            0,
            ErrorKind::Unsupported("not a compressed stream".into()),
        )),
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
fn zstd_into_place(frame: &[u8], sink: &mut Sink) -> bool {
    if sink.mode != Mode::All {
        return false;
    }
    let Ok(mut d) = zstd::bulk::Decompressor::new() else {
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

/// lz4 legacy (`lz4 -l`, the kernel's format): the magic, then blocks of
/// `[u32 LE compressed size][block]`, each decoding to 8 MiB but the last.
/// The stream has no end marker: it ends at end of input, at a zero size
/// (padding) or at a size no block can have (the next thing's magic); a
/// repeated legacy magic starts a concatenated legacy stream.
fn lz4_legacy(data: &[u8], pos: usize, sink: &mut Sink) -> Result<(usize, bool)> {
    const BOUND: usize = LZ4_LEGACY_BLOCK + LZ4_LEGACY_BLOCK / 255 + 16;
    let codec = Format::Lz4;
    let mut at = pos + 4;
    let mut scratch: Vec<u8> = Vec::new();
    loop {
        let Some(size) = u32le(data, at) else {
            return Ok((at.min(data.len()), true));
        };
        if size == LZ4_LEGACY_MAGIC {
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
            let room = LZ4_LEGACY_BLOCK.min(size.saturating_mul(255).saturating_add(64));
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
fn lz4_frame_end(b: &[u8], pos: usize) -> Option<usize> {
    let m = u32le(b, pos)?;
    if is_skippable(m) {
        let len = u32le(b, pos + 4)? as usize;
        let end = pos.checked_add(8)?.checked_add(len)?;
        return (end <= b.len()).then_some(end);
    }
    if m != LZ4_FRAME_MAGIC {
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
        let size = u32le(b, at)?;
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

fn lz4_fields(b: &[u8], f: &mut Vec<Field>) {
    match u32le(b, 0) {
        Some(LZ4_LEGACY_MAGIC) => f.push(Field::new("lz4.variant", "legacy")),
        Some(LZ4_FRAME_MAGIC) => {
            f.push(Field::new("lz4.variant", "frame"));
            let (Some(&flg), Some(&bd)) = (b.get(4), b.get(5)) else {
                return;
            };
            f.push(Field::new("lz4.flags", format!("{flg:#04x}")));
            f.push(Field::new(
                "lz4.block_independence",
                yes_no(flg & 0x20 != 0),
            ));
            f.push(Field::new("lz4.block_checksum", yes_no(flg & 0x10 != 0)));
            f.push(Field::new("lz4.content_checksum", yes_no(flg & 0x04 != 0)));
            let max = match (bd >> 4) & 7 {
                4 => "64KiB".to_string(),
                5 => "256KiB".to_string(),
                6 => "1MiB".to_string(),
                7 => "4MiB".to_string(),
                n => format!("invalid ({n})"),
            };
            f.push(Field::new("lz4.block_max_size", max));
            let mut at = 6;
            if flg & 0x08 != 0 {
                if let Some(s) = b.get(6..14) {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(s);
                    f.push(Field::new("lz4.content_size", u64::from_le_bytes(a)));
                }
                at += 8;
            }
            if flg & 0x01 != 0 {
                if let Some(d) = u32le(b, at) {
                    f.push(Field::new("lz4.dict_id", d));
                }
            }
        }
        _ => {}
    }
}

struct ZstdHeader {
    window_size: Option<u64>,
    content_size: Option<u64>,
    checksum: bool,
    dict_id: u32,
    single_segment: bool,
    /// Bytes from the magic to the first block header.
    len: usize,
}

fn le_n(b: &[u8]) -> u64 {
    b.iter()
        .rev()
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}

/// The zstd frame header at `pos` (RFC 8878 §3.1.1.1).
fn zstd_header(b: &[u8], pos: usize) -> Option<ZstdHeader> {
    if u32le(b, pos)? != ZSTD_MAGIC {
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
    let dict_id = le_n(b.get(at..at + did_len)?) as u32;
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
        let v = le_n(b.get(at..at + fcs_len)?);
        Some(if fcs_len == 2 { v + 256 } else { v })
    };
    at += fcs_len;
    if single {
        window = content_size;
    }
    Some(ZstdHeader {
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
fn zstd_frame_end(b: &[u8], pos: usize) -> Option<usize> {
    let m = u32le(b, pos)?;
    if is_skippable(m) {
        let len = u32le(b, pos + 4)? as usize;
        let end = pos.checked_add(8)?.checked_add(len)?;
        return (end <= b.len()).then_some(end);
    }
    let h = zstd_header(b, pos)?;
    let mut at = pos + h.len;
    loop {
        let hb = b.get(at..at + 3)?;
        let bh = u32::from(hb[0]) | u32::from(hb[1]) << 8 | u32::from(hb[2]) << 16;
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

fn gzip_fields(b: &[u8], f: &mut Vec<Field>) {
    let Some(h) = b.get(..10) else {
        return;
    };
    let flg = h[3];
    let mtime = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
    let mtime_text = if mtime == 0 {
        "0 (not set)".to_string()
    } else {
        format!("{} ({mtime})", Time::from_secs(i64::from(mtime)))
    };
    f.push(Field::new("gzip.mtime", mtime_text));
    let os = match h[9] {
        0 => "FAT",
        1 => "Amiga",
        2 => "VMS",
        3 => "Unix",
        4 => "VM/CMS",
        5 => "Atari TOS",
        6 => "HPFS",
        7 => "Macintosh",
        8 => "Z-System",
        9 => "CP/M",
        10 => "TOPS-20",
        11 => "NTFS",
        12 => "QDOS",
        13 => "Acorn RISCOS",
        255 => "unknown",
        _ => "?",
    };
    f.push(Field::new("gzip.os", format!("{} ({os})", h[9])));
    let xfl = match h[8] {
        2 => " (best)",
        4 => " (fastest)",
        _ => "",
    };
    f.push(Field::new("gzip.xfl", format!("{}{xfl}", h[8])));
    let mut names = Vec::new();
    for (bit, name) in [
        (0x01, "FTEXT"),
        (0x02, "FHCRC"),
        (0x04, "FEXTRA"),
        (0x08, "FNAME"),
        (0x10, "FCOMMENT"),
    ] {
        if flg & bit != 0 {
            names.push(name);
        }
    }
    if flg & 0xe0 != 0 {
        names.push("reserved");
    }
    f.push(Field::new(
        "gzip.flags",
        format!("{flg:#04x} ({})", names.join(" ")).replace(" ()", ""),
    ));
    let mut at = 10usize;
    if flg & 0x04 != 0 {
        let Some(x) = b.get(10..12) else { return };
        let xlen = usize::from(u16::from_le_bytes([x[0], x[1]]));
        f.push(Field::new("gzip.extra_len", xlen));
        at = 12 + xlen;
    }
    for (bit, name) in [(0x08, "gzip.name"), (0x10, "gzip.comment")] {
        if flg & bit == 0 {
            continue;
        }
        let rest = b.get(at..).unwrap_or(&[]);
        // Header strings are NUL-terminated ISO 8859-1; cap what we show.
        let Some(nul) = rest.iter().take(64 * 1024).position(|&c| c == 0) else {
            return;
        };
        let s: String = rest
            .get(..nul)
            .unwrap_or(&[])
            .iter()
            .map(|&c| char::from(c))
            .collect();
        f.push(Field::new(name, s));
        at += nul + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        let mtime = |secs: u32| {
            let mut h = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
            h[4..8].copy_from_slice(&secs.to_le_bytes());
            let mut f = Vec::new();
            gzip_fields(&h, &mut f);
            f.into_iter()
                .find(|x| x.name == "gzip.mtime")
                .map(|x| x.value)
        };
        assert_eq!(mtime(0).as_deref(), Some("0 (not set)"));
        assert_eq!(
            mtime(1_700_000_000).as_deref(),
            Some("2023-11-14T22:13:20Z (1700000000)")
        );
        assert_eq!(
            mtime(951_782_400).as_deref(),
            Some("2000-02-29T00:00:00Z (951782400)")
        );
        assert_eq!(
            mtime(u32::MAX).as_deref(),
            Some("2106-02-07T06:28:15Z (4294967295)")
        );
    }

    #[test]
    fn sink_head_stops_at_max() {
        let mut s = Sink::new(Mode::Head, 5, None);
        assert!(s.put(Format::Gzip, 0, b"abc").unwrap_or(false));
        assert!(!s.put(Format::Gzip, 0, b"defg").unwrap_or(true));
        assert_eq!(s.out.into_vec(), b"abcde");
    }

    #[test]
    fn sink_all_refuses_past_cap() {
        let mut s = Sink::new(Mode::All, 5, None);
        assert!(s.put(Format::Gzip, 0, b"abcde").is_ok());
        let e = s.put(Format::Gzip, 7, b"f");
        assert!(matches!(
            e,
            Err(Error {
                kind: ErrorKind::Limit(_),
                offset: 7,
                ..
            })
        ));
        assert_eq!(s.out.into_vec(), b"abcde");
    }

    #[test]
    fn large_caps_grow_in_reserved_space() {
        let mut s = Sink::new(Mode::All, 1 << 30, None);
        assert!(s.out.is_mapped());
        let chunk = vec![7u8; 100_000];
        for _ in 0..30 {
            assert!(s.put(Format::Zstd, 0, &chunk).unwrap_or(false));
        }
        let b = s.out.into_blob();
        assert_eq!(b.len(), 3_000_000);
        assert!(b.bytes().iter().all(|&x| x == 7));
        assert!(!b.is_mapped(), "decoded data is not a view of a file");
    }

    #[test]
    fn select_keeps_only_wanted_ranges_and_stops() {
        let mut s = Sink::new(Mode::Select, 1 << 20, Some(0));
        s.select = vec![
            Piece {
                start: 2,
                end: 5,
                bytes: Vec::new(),
            },
            Piece {
                start: 9,
                end: 12,
                bytes: Vec::new(),
            },
        ];
        assert!(s.put(Format::Gzip, 0, b"0123").unwrap_or(false));
        assert!(s.put(Format::Gzip, 0, b"4567890").unwrap_or(false));
        assert!(
            !s.put(Format::Gzip, 0, b"12345").unwrap_or(true),
            "all ranges complete"
        );
        assert_eq!(s.select[0].bytes, b"234");
        assert_eq!(s.select[1].bytes, b"901");
    }

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
            assert_eq!(xz_streams(&b), Some((b.len() as u64, decoded)), "{name}");
            // Stream padding after it changes nothing.
            let mut padded = b.clone();
            padded.extend_from_slice(&[0; 8]);
            assert_eq!(
                xz_streams(&padded),
                Some((b.len() as u64, decoded)),
                "{name}"
            );
            // Something else after it: only decoding can tell where it ends.
            let mut more = b.clone();
            more.extend_from_slice(b"070701");
            assert_eq!(xz_streams(&more), None, "{name}");
            // A damaged index or footer is not trusted.
            for at in [b.len() - 1, b.len() - 9, b.len() - 14] {
                let mut bad = b.clone();
                bad[at] ^= 0x40;
                assert_eq!(xz_streams(&bad), None, "{name} byte {at}");
            }
        }
        // Garbage before a valid stream is not part of it.
        let mut front = b"junk".to_vec();
        front.extend_from_slice(&fixture("text.xz"));
        assert_eq!(xz_streams(&front), None);
    }

    #[test]
    fn not_a_stream() {
        let b = Blob::from_vec(b"hello".to_vec());
        assert!(peek(&b, Format::Gzip, 10).is_err());
        assert!(decode(&b, Format::Zstd, &Limits::default()).is_err());
        assert!(header_fields(&b, Format::Xz).is_empty());
    }
}
