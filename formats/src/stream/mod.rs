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

mod bzip2;
mod gzip;
mod lz4;
mod xz;
mod zstd;

use std::io::Read;

use crate::blob::GrowBuf;
use crate::bytes::le32;
use crate::magic;
use crate::{Blob, Error, ErrorKind, Field, Format, Limits, Result};

/// Decoded bytes are pulled through the codecs in pieces of this size.
const CHUNK: usize = 64 * 1024;

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

/// Decodes the whole stream (all concatenated members) without keeping it:
/// each decoded piece (at most 64 KiB) is handed to `feed` in order, which
/// returns `false` to stop early. Returns the number of decoded bytes fed.
///
/// Memory stays at one piece whatever the compression ratio, so a caller
/// can compare or digest a stream too large to hold. Time is still bounded:
/// past `cap` decoded bytes it is an error ([`ErrorKind::DecodedCap`]).
pub fn each_chunk(
    blob: &Blob,
    codec: Format,
    cap: u64,
    feed: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<u64> {
    each_chunk_in(blob.bytes(), codec, cap, feed).map(|(n, _)| n)
}

/// [`each_chunk`] over bytes in memory (a stream found inside a file the
/// diagnosis holds): (decoded bytes fed, where the last member ends in
/// `data`; zero padding and trailing data after it are not counted).
pub fn each_chunk_in(
    data: &[u8],
    codec: Format,
    cap: u64,
    feed: &mut dyn FnMut(&[u8]) -> bool,
) -> Result<(u64, u64)> {
    let mut sink = Sink::new(Mode::Feed, cap, Some(0));
    sink.feed = Some(feed);
    let end = run(data, codec, &mut sink)?;
    Ok((sink.written, end))
}

/// At least how many bytes the stream decodes to, as it declares without
/// being decoded: an xz index's total, a zstd frame's content size, a gzip
/// ISIZE (the last member's size mod 2^32, so never more than the total),
/// the last only when deflate could reach it (1032:1). A claim is not
/// checked until the stream is decoded: it may decide how a pair is
/// compared (held or as it decodes), never what the comparison finds.
pub fn declared_size(blob: &Blob, codec: Format) -> Option<u64> {
    let hint = size_hint(blob.bytes(), codec)?;
    match codec {
        Format::Gzip => (hint <= blob.len().saturating_mul(1032)).then_some(hint),
        _ => Some(hint),
    }
}

/// The decoded size a stream declares for itself, when it does: the first
/// zstd frame's content size, or a gzip member's ISIZE trailer (size mod
/// 2^32 of the last member; exact for the usual single-member file).
fn size_hint(b: &[u8], codec: Format) -> Option<u64> {
    match codec {
        Format::Zstd => zstd::header(b, 0)?.content_size,
        Format::Gzip => {
            let tail = b.len().checked_sub(4)?;
            Some(u64::from(le32(b, tail)?))
        }
        Format::Xz => xz::streams(b).map(|(_, size)| size),
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
        if let Some((end, _)) = xz::streams(blob.bytes()) {
            return Ok(end);
        }
    }
    let mut sink = Sink::new(Mode::Measure, limits.decoded_cap(blob.len()), None);
    run(blob.bytes(), codec, &mut sink)
}

/// Header fields of the stream (of its first member), named `gzip.mtime`,
/// `gzip.name`, `xz.check`, `zstd.window_size`, ...
pub fn header_fields(blob: &Blob, codec: Format) -> Vec<Field> {
    let b = blob.bytes();
    let mut f = Vec::new();
    match codec {
        Format::Gzip => gzip::fields(b, &mut f),
        Format::Xz => xz::fields(b, &mut f),
        Format::Zstd => zstd::fields(b, &mut f),
        Format::Bzip2 => bzip2::fields(b, &mut f),
        Format::Lz4 => lz4::fields(b, &mut f),
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
    /// Every byte handed to `Sink::feed` and dropped (an error past the cap).
    Feed,
}

/// One wanted range of decoded bytes, `[start, end)`, and what was kept of it.
struct Piece {
    start: u64,
    end: u64,
    bytes: Vec<u8>,
}

/// Takes each decoded piece; `false` stops decoding.
type Feed<'f> = &'f mut dyn FnMut(&[u8]) -> bool;

/// Where decoded bytes go, and the cap on them.
struct Sink<'f> {
    mode: Mode,
    out: GrowBuf,
    written: u64,
    cap: u64,
    /// For `Mode::Select`: sorted, disjoint ranges to keep.
    select: Vec<Piece>,
    /// First piece of `select` not yet complete.
    next: usize,
    /// For `Mode::Feed`: takes each decoded piece; `false` stops decoding.
    feed: Option<Feed<'f>>,
    /// For `Mode::Feed`: set when `feed` asked to stop.
    stopped: bool,
}

impl<'f> Sink<'f> {
    fn new(mode: Mode, cap: u64, hint: Option<u64>) -> Sink<'f> {
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
            feed: None,
            stopped: false,
        }
    }

    /// Takes decoded bytes; `Ok(false)` when no more are wanted.
    fn put(&mut self, codec: Format, at: u64, b: &[u8]) -> Result<bool> {
        let room = self.cap.saturating_sub(self.written);
        let n = b.len() as u64;
        if n > room {
            if self.mode != Mode::Head {
                return Err(Error::new(
                    codec,
                    at,
                    ErrorKind::DecodedCap { cap: self.cap },
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
            Mode::Feed => !self.stopped,
            Mode::All | Mode::Measure => true,
        })
    }

    fn keep(&mut self, b: &[u8]) {
        let from = self.written;
        self.written = self.written.saturating_add(b.len() as u64);
        match self.mode {
            Mode::Measure => {}
            Mode::Select => self.keep_selected(from, b),
            Mode::Feed => {
                if let Some(f) = self.feed.as_mut() {
                    self.stopped |= !f(b);
                }
            }
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

/// True when `b` starts a member of `codec`.
fn starts_member(codec: Format, b: &[u8]) -> bool {
    // A skippable frame (zstd and lz4 share the magic range) is a member,
    // but names no format on its own, so it is not in the detection table.
    let skippable =
        matches!(codec, Format::Zstd | Format::Lz4) && le32(b, 0).is_some_and(is_skippable);
    codec.is_stream() && (magic::is(codec, b) || skippable)
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
    match codec {
        Format::Gzip => gzip::member(data, pos, sink),
        Format::Xz => xz::member(data, pos, sink),
        Format::Bzip2 => bzip2::member(data, pos, sink),
        Format::Zstd => zstd::member(data, pos, sink),
        Format::Lz4 => lz4::member(data, pos, sink),
        _ => Err(Error::new(
            codec,
            0,
            ErrorKind::Unsupported("not a compressed stream".into()),
        )),
    }
}

/// Runs `decode` (a `bufread` decoder over the member at `pos`, pumped into
/// `sink`); returns where the decoder stopped reading and whether the sink
/// wants more. Decode errors carry the input position the decoder had
/// reached.
fn read_member(
    data: &[u8],
    pos: usize,
    sink: &mut Sink,
    decode: impl FnOnce(&mut &[u8], &mut Sink) -> Result<bool>,
) -> Result<(usize, bool)> {
    let slice = data.get(pos..).unwrap_or(&[]);
    let mut rest: &[u8] = slice;
    let r = decode(&mut rest, sink);
    let end = pos + (slice.len() - rest.len());
    match r {
        Ok(more) => Ok((end, more)),
        Err(e) => Err(Error {
            offset: end as u64,
            ..e
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_magics_are_in_the_detection_table() {
        assert!(magic::is(Format::Zstd, &zstd::MAGIC.to_le_bytes()));
        assert!(magic::is(Format::Lz4, &lz4::FRAME_MAGIC.to_le_bytes()));
        assert!(magic::is(Format::Lz4, &lz4::LEGACY_MAGIC.to_le_bytes()));
        assert!(starts_member(Format::Zstd, &0x184D_2A53u32.to_le_bytes()));
        assert!(!starts_member(Format::Elf, b"\x7fELF"));
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
                kind: ErrorKind::DecodedCap { cap: 5 },
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

    #[test]
    fn each_chunk_feeds_every_member_in_pieces_and_stops_when_asked() {
        use std::io::Write;
        let mut raw = Vec::new();
        let mut want = Vec::new();
        for i in 0..3u8 {
            let part: Vec<u8> = (0..200_000u32).map(|j| (j % 251) as u8 ^ i).collect();
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&part).unwrap();
            raw.extend(e.finish().unwrap());
            want.extend(part);
        }
        let blob = Blob::from_vec(raw);
        let (mut got, mut largest) = (Vec::new(), 0);
        let n = each_chunk(&blob, Format::Gzip, 1 << 30, &mut |b| {
            largest = largest.max(b.len());
            got.extend_from_slice(b);
            true
        })
        .unwrap();
        assert_eq!(n, want.len() as u64);
        assert!(got == want, "all three members, in order");
        assert!(
            largest <= CHUNK,
            "pieces of at most {CHUNK} bytes, not {largest}"
        );
        let mut calls = 0;
        let n = each_chunk(&blob, Format::Gzip, 1 << 30, &mut |_| {
            calls += 1;
            calls < 2
        })
        .unwrap();
        assert_eq!(calls, 2);
        assert!(n < want.len() as u64, "stopped after the second piece");
        let e = each_chunk(&blob, Format::Gzip, 1000, &mut |_| true);
        assert!(matches!(
            e,
            Err(Error {
                kind: ErrorKind::DecodedCap { cap: 1000 },
                ..
            })
        ));
    }

    #[test]
    fn not_a_stream() {
        let b = Blob::from_vec(b"hello".to_vec());
        assert!(peek(&b, Format::Gzip, 10).is_err());
        assert!(decode(&b, Format::Zstd, &Limits::default()).is_err());
        assert!(header_fields(&b, Format::Xz).is_empty());
    }
}
