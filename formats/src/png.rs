//! PNG (ISO/IEC 15948, W3C PNG): the chunk list of an image with each
//! chunk's offset and whether its CRC holds, the few chunks whose meaning
//! the comparison needs decoded (IHDR, tIME, tEXt/zTXt/iTXt), and the
//! image's pixels, decoded by the `png` crate under a size bound.
//!
//! Part of formats/ (bytes → **formats** → engine → diagnosis → report): a
//! PNG is not a container, so nothing here is reached through [`crate::open`];
//! the engine reads both sides of a differing PNG leaf with [`read`] and,
//! when the chunks that define the image differ, compares [`decode`]d
//! pixels, so that diagnosis can tell a re-encoded image (same pixels,
//! another zlib stream, another tIME) from one whose picture changed.

use std::io::Read;
use std::ops::Range;

use crate::bytes::be32;
use crate::{Error, ErrorKind, Format, Result};

/// The eight bytes every PNG starts with.
pub const SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// Chunks read from one image. Icons have about ten; an encoder writing
/// IDAT in 8 KiB chunks needs 8,192 for 64 MiB of compressed data.
pub const MAX_CHUNKS: usize = 65_536;

/// "A four-byte unsigned integer ... limited to 2^31-1 bytes" (PNG §5.3).
const MAX_CHUNK_LEN: u32 = 0x7fff_ffff;

/// One chunk as stored: length, type, data, CRC (PNG §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// "A sequence of four bytes defining the chunk type", each an ASCII
    /// letter; a lower-case first letter marks an ancillary chunk.
    pub kind: [u8; 4],
    /// Where the chunk (its length field) starts in the file.
    pub offset: usize,
    /// Where its data lies in the file.
    pub data: Range<usize>,
    /// The stored CRC-32 of type and data.
    pub crc: u32,
    /// Whether it matches them.
    pub crc_ok: bool,
}

impl Chunk {
    /// The chunk type as text (`IDAT`, `tEXt`).
    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.kind).into_owned()
    }

    /// "Ancillary bit: ... 1 (lowercase) = ancillary": a decoder may ignore
    /// the chunk and still show the image (PNG §5.4).
    pub fn is_ancillary(&self) -> bool {
        self.kind[0] & 0x20 != 0
    }
}

/// The chunks of one PNG file, in file order, IHDR first and IEND last.
#[derive(Debug, Clone)]
pub struct Png<'d> {
    pub bytes: &'d [u8],
    pub chunks: Vec<Chunk>,
    /// Bytes after IEND, which decoders ignore.
    pub trailing: Range<usize>,
}

/// Whether `b` starts with the PNG signature.
pub fn is_png(b: &[u8]) -> bool {
    b.starts_with(SIGNATURE)
}

fn err(offset: usize, kind: ErrorKind) -> Error {
    Error::new(Format::Png, offset as u64, kind)
}

/// Reads the chunk list of a PNG file: every chunk from the signature to
/// IEND. Errors name the offset of the chunk that could not be read.
pub fn read(bytes: &[u8]) -> Result<Png<'_>> {
    if !is_png(bytes) {
        return Err(err(0, ErrorKind::BadMagic));
    }
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut at = SIGNATURE.len();
    loop {
        if chunks.len() >= MAX_CHUNKS {
            return Err(err(
                at,
                ErrorKind::Limit(format!("more than {MAX_CHUNKS} chunks")),
            ));
        }
        let (Some(len), Some(kind)) = (be32(bytes, at), bytes.get(at + 4..at + 8)) else {
            return Err(Error::truncated(
                Format::Png,
                at as u64,
                8,
                bytes.len().saturating_sub(at) as u64,
            ));
        };
        if len > MAX_CHUNK_LEN {
            return Err(Error::invalid(
                Format::Png,
                at as u64,
                "chunk length over 2^31-1",
            ));
        }
        let Ok(kind) = <[u8; 4]>::try_from(kind) else {
            return Err(Error::invalid(Format::Png, at as u64, "chunk type"));
        };
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::invalid(Format::Png, at as u64, "chunk type"));
        }
        // `len` is at most 2^31-1: no overflow on 64-bit, checked elsewhere.
        let data = at + 8..(at + 8).saturating_add(len as usize);
        let end = data.end.saturating_add(4);
        let (Some(body), Some(crc)) = (bytes.get(at + 4..data.end), be32(bytes, data.end)) else {
            return Err(Error::truncated(
                Format::Png,
                at as u64,
                (end - at) as u64,
                bytes.len().saturating_sub(at) as u64,
            ));
        };
        if chunks.is_empty() && &kind != b"IHDR" {
            return Err(Error::invalid(
                Format::Png,
                at as u64,
                "first chunk is not IHDR",
            ));
        }
        chunks.push(Chunk {
            kind,
            offset: at,
            data,
            crc,
            crc_ok: crc32fast::hash(body) == crc,
        });
        at = end;
        if &kind == b"IEND" {
            break;
        }
    }
    Ok(Png {
        bytes,
        chunks,
        trailing: at..bytes.len(),
    })
}

impl<'d> Png<'d> {
    /// The data of a chunk of this file.
    pub fn data(&self, c: &Chunk) -> &'d [u8] {
        self.bytes.get(c.data.clone()).unwrap_or_default()
    }

    /// The data of the chunks of one type, in file order.
    pub fn all(&self, kind: &[u8; 4]) -> impl Iterator<Item = &'d [u8]> + '_ {
        let kind = *kind;
        self.chunks
            .iter()
            .filter(move |c| c.kind == kind)
            .map(move |c| self.data(c))
    }

    /// The data of the first chunk of a type.
    pub fn first(&self, kind: &[u8; 4]) -> Option<&'d [u8]> {
        self.all(kind).next()
    }

    /// The image header (the first chunk, checked by [`read`]).
    pub fn header(&self) -> Option<Header> {
        Header::parse(self.first(b"IHDR")?)
    }

    /// The zlib stream of the image: the IDAT chunks' data in order.
    pub fn idat(&self) -> impl Iterator<Item = &'d [u8]> + '_ {
        self.all(b"IDAT")
    }

    /// Whether every chunk's CRC holds.
    pub fn crcs_ok(&self) -> bool {
        self.chunks.iter().all(|c| c.crc_ok)
    }

    /// An animated PNG (APNG): it has an animation control chunk, and its
    /// frames are more than the image [`decode`] reads.
    pub fn is_animated(&self) -> bool {
        self.chunks.iter().any(|c| &c.kind == b"acTL")
    }
}

/// The IHDR chunk (PNG §11.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub width: u32,
    pub height: u32,
    /// "Number of bits per sample or per palette index".
    pub bit_depth: u8,
    /// 0 greyscale, 2 truecolour, 3 indexed, 4 greyscale with alpha, 6
    /// truecolour with alpha.
    pub color_type: u8,
    /// 0 none, 1 Adam7.
    pub interlace: u8,
}

impl Header {
    /// The 13 bytes of IHDR's data.
    pub fn parse(d: &[u8]) -> Option<Header> {
        Some(Header {
            width: be32(d, 0)?,
            height: be32(d, 4)?,
            bit_depth: *d.get(8)?,
            color_type: *d.get(9)?,
            interlace: *d.get(12)?,
        })
    }

    pub fn color_name(&self) -> &'static str {
        match self.color_type {
            0 => "greyscale",
            2 => "RGB",
            3 => "indexed",
            4 => "greyscale+alpha",
            6 => "RGBA",
            _ => "unknown colour type",
        }
    }

    /// Bytes one pixel can take once [`decode`]d: up to four channels
    /// (a palette or a tRNS colour key adds alpha) of one or two bytes.
    pub fn decoded_bytes_per_pixel(&self) -> u64 {
        let channels = match self.color_type {
            0 | 4 => 2,
            _ => 4,
        };
        channels * if self.bit_depth == 16 { 2 } else { 1 }
    }

    /// Bytes of the decoded image (saturating).
    pub fn decoded_size(&self) -> u64 {
        u64::from(self.width)
            .saturating_mul(u64::from(self.height))
            .saturating_mul(self.decoded_bytes_per_pixel())
    }
}

/// A tIME chunk's instant, in Unix seconds: "the time of the last image
/// modification", in UTC (PNG §11.3.6.1). `None` when it names no valid
/// date.
pub fn time(d: &[u8]) -> Option<i64> {
    let [y0, y1, mo, day, h, mi, s] = <[u8; 7]>::try_from(d).ok()?;
    let year = i64::from(u16::from_be_bytes([y0, y1]));
    if !(1..=12).contains(&mo) || !(1..=31).contains(&day) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = reprodiff_value::days_from_civil(year, u32::from(mo), u32::from(day));
    Some(days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s))
}

/// A textual chunk: tEXt, zTXt or iTXt (PNG §11.3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// 1 to 79 Latin-1 characters naming what the text is (`Software`,
    /// `date:create`).
    pub keyword: String,
    /// The text, inflated when stored compressed; `None` when it could not
    /// be (bad zlib stream, or larger than the bound).
    pub text: Option<String>,
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}

/// Inflates a zlib stream of at most `max` decoded bytes.
fn inflate(d: &[u8], max: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let limit = u64::try_from(max).ok()?.saturating_add(1);
    flate2::bufread::ZlibDecoder::new(d)
        .take(limit)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() <= max).then_some(out)
}

/// The keyword and text of a textual chunk of type `kind`; compressed text
/// is inflated up to `max` bytes. `None` for another chunk type or a chunk
/// with no keyword separator.
pub fn text(kind: &[u8; 4], d: &[u8], max: usize) -> Option<Text> {
    let nul = d.iter().position(|&c| c == 0)?;
    let keyword = latin1(d.get(..nul)?);
    let rest = d.get(nul + 1..)?;
    let text = match kind {
        b"tEXt" => Some(latin1(rest)),
        // Compression method 0 (zlib), then the stream.
        b"zTXt" => match rest.split_first() {
            Some((0, z)) => inflate(z, max).map(|t| latin1(&t)),
            _ => None,
        },
        // Compression flag and method, language tag, translated keyword.
        b"iTXt" => {
            let (&flag, rest) = rest.split_first()?;
            let (&method, rest) = rest.split_first()?;
            let mut parts = rest.splitn(3, |&c| c == 0);
            let (_language, _translated) = (parts.next()?, parts.next()?);
            let body = parts.next()?;
            match (flag, method) {
                (0, _) => Some(String::from_utf8_lossy(body).into_owned()),
                (1, 0) => inflate(body, max).map(|t| String::from_utf8_lossy(&t).into_owned()),
                _ => None,
            }
        }
        _ => return None,
    };
    Some(Text { keyword, text })
}

/// An image's pixels as the `png` crate decodes them with its `EXPAND`
/// transformation: palettes looked up, bit depths below 8 widened, a tRNS
/// colour key or palette alpha turned into an alpha channel, 16-bit
/// samples kept.
#[derive(Debug, Clone)]
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    /// 1 to 4: grey, grey+alpha, RGB, RGBA.
    channels: usize,
    /// 1 or 2 bytes (big-endian) per sample.
    sample_bytes: usize,
    buf: Vec<u8>,
}

impl Pixels {
    /// How many pixels.
    pub fn count(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// Pixel `i` (row-major) as 16-bit RGBA: 8-bit samples scaled by 257
    /// (bit replication, how PNG widens a sample, so a 16-bit image whose
    /// samples are all `v * 257` equals its lossless 8-bit reduction), grey
    /// copied to red, green and blue, no alpha channel read as opaque.
    pub fn rgba16(&self, i: u64) -> Option<[u16; 4]> {
        let size = self.channels * self.sample_bytes;
        let at = usize::try_from(i).ok()?.checked_mul(size)?;
        let p = self.buf.get(at..at.checked_add(size)?)?;
        let sample = |k: usize| -> Option<u16> {
            match self.sample_bytes {
                1 => p.get(k).map(|&v| u16::from(v) * 257),
                _ => Some(u16::from_be_bytes([*p.get(2 * k)?, *p.get(2 * k + 1)?])),
            }
        };
        Some(match self.channels {
            1 => {
                let g = sample(0)?;
                [g, g, g, u16::MAX]
            }
            2 => {
                let g = sample(0)?;
                [g, g, g, sample(1)?]
            }
            3 => [sample(0)?, sample(1)?, sample(2)?, u16::MAX],
            _ => [sample(0)?, sample(1)?, sample(2)?, sample(3)?],
        })
    }
}

/// The palette rules the decoder underneath takes for granted (it
/// panicked on a PLTE of 38 bytes, found by fuzzing): "The number of bytes
/// in the PLTE chunk ... shall be divisible by 3", at most 256 entries,
/// one PLTE, before IDAT, present for an indexed image; a tRNS of an
/// indexed image has no more entries than the palette (PNG §11.2.3,
/// §11.3.2.1).
fn check_palette(png: &Png<'_>) -> Result<()> {
    let bad = |c: &Chunk, what: &str| {
        Err(Error::invalid(
            Format::Png,
            c.offset as u64,
            format!("{}: {what}", c.name()),
        ))
    };
    let indexed = png.header().is_some_and(|h| h.color_type == 3);
    let mut entries = None;
    let mut idat = false;
    for c in &png.chunks {
        match &c.kind {
            b"PLTE" => {
                let len = c.data.len();
                if entries.is_some() {
                    return bad(c, "a second palette");
                }
                if idat {
                    return bad(c, "palette after the image data");
                }
                if len == 0 || len % 3 != 0 || len > 3 * 256 {
                    return bad(c, &format!("{len} bytes, not 1 to 256 entries of 3"));
                }
                entries = Some(len / 3);
            }
            b"tRNS" if indexed && c.data.len() > entries.unwrap_or(0) => {
                return bad(c, "more transparency entries than palette entries");
            }
            b"IDAT" => {
                if indexed && entries.is_none() {
                    return bad(c, "indexed image data without a palette");
                }
                idat = true;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Decodes the (first, and for a still image only) image of a PNG file.
/// Refused before anything is allocated when its IHDR says the decoded
/// pixels would take more than `max_bytes`; the decoder's own buffers are
/// held to the same bound. Animated PNGs are refused: their other frames
/// would go uncompared.
pub fn decode(bytes: &[u8], max_bytes: usize) -> Result<Pixels> {
    let png = read(bytes)?;
    let h = png
        .header()
        .ok_or_else(|| Error::invalid(Format::Png, 8, "IHDR"))?;
    if h.decoded_size() > max_bytes as u64 {
        return Err(err(
            8,
            ErrorKind::Limit(format!(
                "{}x{} {} pixels decode to more than {max_bytes} bytes",
                h.width,
                h.height,
                h.color_name()
            )),
        ));
    }
    if png.is_animated() {
        return Err(err(8, ErrorKind::Unsupported("animated PNG".into())));
    }
    check_palette(&png)?;
    let decode_err = |e: png::DecodingError| err(8, ErrorKind::Decode(e.to_string()));
    let mut d = png::Decoder::new_with_limits(
        std::io::Cursor::new(bytes),
        png::Limits { bytes: max_bytes },
    );
    d.set_transformations(png::Transformations::EXPAND);
    let mut reader = d.read_info().map_err(decode_err)?;
    let size = reader
        .output_buffer_size()
        .filter(|&n| n <= max_bytes)
        .ok_or_else(|| {
            err(
                8,
                ErrorKind::Limit(format!("more than {max_bytes} decoded bytes")),
            )
        })?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(decode_err)?;
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => {
            return Err(err(8, ErrorKind::Unsupported("unexpanded palette".into())));
        }
    };
    let sample_bytes = match info.bit_depth {
        png::BitDepth::Eight => 1,
        png::BitDepth::Sixteen => 2,
        other => {
            return Err(err(
                8,
                ErrorKind::Unsupported(format!("{other:?} samples after expansion")),
            ));
        }
    };
    let needed = u64::from(info.width)
        .saturating_mul(u64::from(info.height))
        .saturating_mul((channels * sample_bytes) as u64);
    if needed > buf.len() as u64 {
        return Err(err(8, ErrorKind::Decode("short frame".into())));
    }
    Ok(Pixels {
        width: info.width,
        height: info.height,
        channels,
        sample_bytes,
        buf,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chunk with its length and CRC.
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(data);
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        v.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
        v
    }

    /// A 2x1 8-bit greyscale image, pixels 0 and 255.
    fn tiny(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut ihdr = 2u32.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&1u32.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, &[0, 0, 255]).unwrap();
        let idat = z.finish().unwrap();
        let mut v = SIGNATURE.to_vec();
        v.extend(chunk(b"IHDR", &ihdr));
        for e in extra {
            v.extend_from_slice(e);
        }
        v.extend(chunk(b"IDAT", &idat));
        v.extend(chunk(b"IEND", b""));
        v
    }

    #[test]
    fn reads_chunks_with_offsets() {
        let b = tiny(&[chunk(b"tIME", &[7, 231, 11, 14, 22, 13, 20])]);
        let p = read(&b).unwrap();
        let names: Vec<String> = p.chunks.iter().map(Chunk::name).collect();
        assert_eq!(names, ["IHDR", "tIME", "IDAT", "IEND"]);
        assert_eq!(p.chunks[0].offset, 8);
        assert_eq!(p.chunks[0].data, 16..29);
        assert_eq!(p.chunks[1].offset, 33);
        assert!(p.crcs_ok());
        assert!(p.trailing.is_empty());
        assert!(p.chunks[1].is_ancillary() && !p.chunks[2].is_ancillary());
        assert_eq!(time(p.first(b"tIME").unwrap()), Some(1_700_000_000));
        let h = p.header().unwrap();
        assert_eq!((h.width, h.height, h.bit_depth, h.color_type), (2, 1, 8, 0));
        let px = decode(&b, 1 << 20).unwrap();
        assert_eq!(px.count(), 2);
        assert_eq!(px.rgba16(0), Some([0, 0, 0, 65535]));
        assert_eq!(px.rgba16(1), Some([65535; 4]));
        assert_eq!(px.rgba16(2), None);
    }

    #[test]
    fn bad_crc_and_trailing_bytes_are_seen() {
        let mut b = tiny(&[]);
        b.extend_from_slice(b"junk");
        let crc_at = 8 + 8 + 13;
        b[crc_at] ^= 1;
        let p = read(&b).unwrap();
        assert!(!p.chunks[0].crc_ok);
        assert_eq!(p.trailing.len(), 4);
    }

    #[test]
    fn refuses_what_is_not_a_png() {
        assert_eq!(read(b"GIF89a").unwrap_err().kind, ErrorKind::BadMagic);
        let b = tiny(&[]);
        // No IEND.
        assert!(matches!(
            read(&b[..b.len() - 12]).unwrap_err().kind,
            ErrorKind::Truncated { .. }
        ));
        let mut huge = b.clone();
        huge[8..12].copy_from_slice(&0x8000_0000u32.to_be_bytes());
        assert!(matches!(
            read(&huge).unwrap_err().kind,
            ErrorKind::Invalid(_)
        ));
    }

    #[test]
    fn text_chunks_decode() {
        let t = text(b"tEXt", b"date:create\x002023-11-14T22:13:20+00:00", 100).unwrap();
        assert_eq!(t.keyword, "date:create");
        assert_eq!(t.text.as_deref(), Some("2023-11-14T22:13:20+00:00"));
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut z, b"hello").unwrap();
        let mut d = b"Comment\x00\x00".to_vec();
        d.extend(z.finish().unwrap());
        assert_eq!(
            text(b"zTXt", &d, 100).unwrap().text.as_deref(),
            Some("hello")
        );
        // Past the bound, the text is not given.
        assert_eq!(text(b"zTXt", &d, 4).unwrap().text, None);
        let i = text(b"iTXt", b"Title\x00\x00\x00en\x00Titel\x00caf\xc3\xa9", 100).unwrap();
        assert_eq!(i.text.as_deref(), Some("café"));
        assert_eq!(text(b"tIME", b"a\x00b", 100), None);
    }

    #[test]
    fn huge_dimensions_are_refused_before_decoding() {
        let mut b = tiny(&[]);
        b[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        b[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let e = decode(&b, 64 << 20).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Limit(_)), "{e}");
    }
}
