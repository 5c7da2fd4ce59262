//! PNG leaves: which chunks differ and why. When the decoded pixels are
//! identical, the image was re-encoded: `png.pixels` says so and the
//! chunks that carry the encoding (IHDR's colour type and bit depth, PLTE,
//! tRNS, the IDAT zlib stream) are `compression-metadata`. Ancillary
//! chunks are named one by one: tIME is an `embedded-timestamp`, as is a
//! text chunk holding a date (ImageMagick's `date:create`, `date:modify`);
//! other text and metadata chunks (pHYs, bKGD, private chunks) are
//! `compression-metadata`, since they do not change the picture. Chunks that
//! say how samples become colours (gAMA, cHRM, sRGB, iCCP, …) or may rotate
//! the image (eXIf) are not claimed: the same samples can look different
//! under another one, so they stay `content`, as do pixels that differ;
//! beside differing pixels, no other chunk is called metadata either.
//!
//! Diagnosis stage (engine → **diagnosis** → report): classifies the chunks
//! and the pixel comparison the engine made (`engine::png`); it decodes no
//! image itself.

use reprodiff_formats::png::{self as format, Header, Png};

use super::text;
use crate::engine::png::{Pixels, PngPair};
use crate::report::{Cause, Change, Role, Value};

/// The finding that compares the decoded pixels.
pub const PIXELS: &str = "png.pixels";

/// Inflated text of one zTXt or iTXt chunk compared, at most.
const MAX_TEXT: usize = 1 << 20;

/// Text values are shown up to this many characters.
const SHOWN: usize = 80;

/// Chunks the pixels are decoded from: compared through the pixels.
const IMAGE: [&[u8; 4]; 5] = [b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"];

/// Chunks holding text under a keyword.
const TEXTUAL: [&[u8; 4]; 3] = [b"tEXt", b"zTXt", b"iTXt"];

/// Chunks that say how samples map to colours (gamma, chromaticities,
/// sRGB intent, ICC profile, coding-independent code points, mastering
/// display and light levels) or carry an orientation (eXIf): a viewer may
/// show the same samples differently when they differ.
const RENDERING: [&[u8; 4]; 8] = [
    b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP", b"mDCV", b"cLLI", b"eXIf",
];

fn finding(field: &str, a: Option<Value>, b: Option<Value>, cause: Cause) -> Change {
    let mut c = Change::new(field, Role::Finding, a, b);
    c.cause = Some(cause);
    c
}

fn shown(s: &str) -> Value {
    if s.chars().count() <= SHOWN {
        return Value::text(s);
    }
    let cut: String = s.chars().take(SHOWN).collect();
    Value::text(format!("{cut}…"))
}

fn header_text(h: &Header) -> String {
    let interlace = if h.interlace == 1 {
        ", Adam7 interlaced"
    } else {
        ""
    };
    format!(
        "{}x{} {} {}-bit{interlace}",
        h.width,
        h.height,
        h.color_name(),
        h.bit_depth
    )
}

fn header_of(p: &Png) -> String {
    p.header()
        .map_or_else(|| "unreadable IHDR".to_string(), |h| header_text(&h))
}

/// The IDAT stream: its size, how many chunks carry it and the level its
/// zlib header names (FLEVEL, RFC 1950 §2.2: a hint of the compressor's
/// effort).
fn idat_text(p: &Png) -> String {
    let parts: Vec<&[u8]> = p.idat().collect();
    let total: usize = parts.iter().map(|d| d.len()).sum();
    let chunks = match parts.len() {
        1 => "1 chunk".to_string(),
        n => format!("{n} chunks"),
    };
    let flg = parts.iter().flat_map(|d| d.iter()).nth(1).copied();
    let level = match flg.map(|f| f >> 6) {
        Some(0) => ", level fastest",
        Some(1) => ", level fast",
        Some(2) => ", level default",
        Some(3) => ", level maximum",
        _ => "",
    };
    format!("zlib stream of {total} bytes in {chunks}{level}")
}

/// A metadata chunk's data, shown: decoded where its meaning is simple;
/// a long one by its length and stored CRC, to tell two apart.
fn chunk_text(kind: &[u8; 4], d: &[u8], crc: u32) -> String {
    let be = |at: usize| {
        d.get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
            .map(u32::from_be_bytes)
    };
    match (kind, d.len()) {
        (b"gAMA", 4) => {
            if let Some(g) = be(0) {
                return format!("gamma {g}/100000");
            }
        }
        (b"pHYs", 9) => {
            if let (Some(x), Some(y)) = (be(0), be(4)) {
                let unit = if d.get(8) == Some(&1) {
                    "per metre"
                } else {
                    "(aspect ratio)"
                };
                return format!("{x}x{y} pixels {unit}");
            }
        }
        (b"sRGB", 1) => {
            if let Some(i) = d.first() {
                return format!("rendering intent {i}");
            }
        }
        _ => {}
    }
    if d.len() <= 16 {
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        let s = if d.len() == 1 { "" } else { "s" };
        format!("{} byte{s}: {hex}", d.len())
    } else {
        format!("{} bytes, CRC-32 {crc:08x}", d.len())
    }
}

/// The chunks of one type on one side, shown; `None` when there are none.
fn chunks_value(p: &Png, kind: &[u8; 4]) -> Option<Value> {
    let shown: Vec<String> = p
        .chunks
        .iter()
        .filter(|c| &c.kind == kind)
        .map(|c| chunk_text(kind, p.data(c), c.crc))
        .collect();
    (!shown.is_empty()).then(|| Value::Text(shown.join("; ")))
}

/// A tRNS chunk: alpha for palette entries, or one colour made transparent.
fn trns_text(p: &Png, d: &[u8]) -> String {
    match p.header().map(|h| h.color_type) {
        Some(3) if d.len() == 1 => "alpha for 1 palette entry".to_string(),
        Some(3) => format!("alpha for {} palette entries", d.len()),
        _ => {
            let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
            format!("transparent colour {hex}")
        }
    }
}

/// Whether the IDAT chunks differ: another stream, or the same one split
/// into other chunks.
fn idat_differs(a: &Png, b: &Png) -> bool {
    let sizes = |x: &Png| x.idat().map(<[u8]>::len).collect::<Vec<_>>();
    sizes(a) != sizes(b) || !a.idat().flatten().eq(b.idat().flatten())
}

fn idat_finding(a: &Png, b: &Png) -> Change {
    finding(
        "png.chunk.IDAT",
        Some(Value::Text(idat_text(a))),
        Some(Value::Text(idat_text(b))),
        Cause::CompressionMetadata,
    )
}

/// The findings for the pixels and the chunks they are decoded from.
fn image(p: &PngPair, out: &mut Vec<Change>) {
    let (a, b) = (&p.a, &p.b);
    match &p.pixels {
        // At most the same stream split into other IDAT chunks.
        Pixels::SameEncoding => {
            if idat_differs(a, b) {
                out.push(idat_finding(a, b));
            }
        }
        Pixels::Identical => {
            out.push(finding(
                PIXELS,
                Some(Value::Text(header_of(a))),
                Some(Value::Text(format!(
                    "{}: decoded pixels identical",
                    header_of(b)
                ))),
                Cause::CompressionMetadata,
            ));
            for kind in [b"IHDR", b"PLTE", b"tRNS"] {
                if !a.all(kind).eq(b.all(kind)) {
                    let show = |x: &Png| match kind {
                        b"IHDR" => Some(Value::Text(header_of(x))),
                        b"PLTE" => x
                            .first(kind)
                            .map(|d| Value::Text(format!("{} colours", d.len() / 3))),
                        _ => x.first(kind).map(|d| Value::Text(trns_text(x, d))),
                    };
                    out.push(finding(
                        &format!("png.chunk.{}", String::from_utf8_lossy(kind)),
                        show(a),
                        show(b),
                        Cause::CompressionMetadata,
                    ));
                }
            }
            if idat_differs(a, b) {
                out.push(idat_finding(a, b));
            }
        }
        Pixels::Differ { differing, hidden } => {
            let (ha, hb) = (a.header(), b.header());
            let total = hb.map_or(0, |h| u64::from(h.width) * u64::from(h.height));
            let same_size = ha.map(|h| (h.width, h.height)) == hb.map(|h| (h.width, h.height));
            let what = if !same_size {
                "another size".to_string()
            } else if *hidden > 0 {
                format!(
                    "{differing} of {total} pixels differ ({hidden} only in the colour \
                     of pixels transparent on both sides)"
                )
            } else {
                format!("{differing} of {total} pixels differ")
            };
            out.push(finding(
                PIXELS,
                Some(Value::Text(header_of(a))),
                Some(Value::Text(format!("{}: {what}", header_of(b)))),
                Cause::Content,
            ));
        }
        // Refused by the caller.
        Pixels::Unknown(_) => {}
    }
}

/// Whether a text names a date or time (the date grammar of `time`).
fn is_date(t: &str) -> bool {
    text::mask(t.as_bytes())
        .1
        .iter()
        .any(|k| k.kind == text::Kind::Timestamp)
}

/// One textual chunk as read.
struct TextChunk<'d> {
    keyword: String,
    kind: [u8; 4],
    /// The text, or the chunk's data when it could not be inflated.
    text: Result<String, &'d [u8]>,
}

/// The textual chunks of one side, in file order.
fn texts<'d>(p: &Png<'d>) -> Vec<TextChunk<'d>> {
    p.chunks
        .iter()
        .filter(|c| TEXTUAL.contains(&&c.kind))
        .filter_map(|c| {
            let d = p.data(c);
            let t = format::text(&c.kind, d, MAX_TEXT)?;
            Some(TextChunk {
                keyword: t.keyword,
                kind: c.kind,
                text: t.text.ok_or(d),
            })
        })
        .collect()
}

/// The findings for the text chunks, paired by keyword (and by order
/// among the chunks of one keyword); `other` is the cause of a difference
/// that is not a date.
fn textual(a: &Png, b: &Png, other: Cause, out: &mut Vec<Change>) {
    let (ta, tb) = (texts(a), texts(b));
    let mut keywords: Vec<&str> = Vec::new();
    for t in ta.iter().chain(&tb) {
        if !keywords.contains(&t.keyword.as_str()) {
            keywords.push(&t.keyword);
        }
    }
    for k in keywords {
        let xa: Vec<&TextChunk> = ta.iter().filter(|t| t.keyword == k).collect();
        let xb: Vec<&TextChunk> = tb.iter().filter(|t| t.keyword == k).collect();
        for i in 0..xa.len().max(xb.len()) {
            let (ea, eb) = (xa.get(i), xb.get(i));
            let kind = ea.or(eb).map_or(*b"tEXt", |t| t.kind);
            let field = format!("png.chunk.{}.{k}", String::from_utf8_lossy(&kind));
            match (ea.map(|t| &t.text), eb.map(|t| &t.text)) {
                (Some(Ok(va)), Some(Ok(vb))) => {
                    if va == vb {
                        continue;
                    }
                    let ex = text::explain(va.as_bytes(), vb.as_bytes(), &field, true);
                    let any = !ex.changes.is_empty();
                    out.extend(ex.changes.into_iter().map(|mut c| {
                        c.field = field.clone();
                        c
                    }));
                    if ex.unexplained || !any {
                        out.push(finding(&field, Some(shown(va)), Some(shown(vb)), other));
                    }
                }
                (Some(Err(ra)), Some(Err(rb))) if ra == rb => {}
                (va, vb) => {
                    let value = |v: Option<&Result<String, &[u8]>>| {
                        v.map(|v| match v {
                            Ok(t) => shown(t),
                            Err(raw) => Value::Text(format!("{} bytes not decoded", raw.len())),
                        })
                    };
                    // A date added or dropped is still a date.
                    let dated = [va, vb]
                        .iter()
                        .flatten()
                        .any(|v| v.as_ref().is_ok_and(|t| is_date(t)));
                    let one_sided = va.is_none() || vb.is_none();
                    let cause = if dated && one_sided {
                        Cause::EmbeddedTimestamp
                    } else {
                        other
                    };
                    out.push(finding(&field, value(va), value(vb), cause));
                }
            }
        }
    }
}

/// The findings for tIME and the other chunks outside the image data;
/// `other` is the cause of a chunk that does not change the picture.
fn metadata(a: &Png, b: &Png, other: Cause, out: &mut Vec<Change>) {
    let mut kinds: Vec<[u8; 4]> = Vec::new();
    for c in a.chunks.iter().chain(&b.chunks) {
        if !IMAGE.contains(&&c.kind) && !TEXTUAL.contains(&&c.kind) && !kinds.contains(&c.kind) {
            kinds.push(c.kind);
        }
    }
    for kind in kinds {
        if a.all(&kind).eq(b.all(&kind)) {
            continue;
        }
        let field = format!("png.chunk.{}", String::from_utf8_lossy(&kind));
        if &kind == b"tIME" {
            let time = |p: &Png| {
                p.chunks.iter().find(|c| &c.kind == b"tIME").map(|c| {
                    match format::time(p.data(c)) {
                        Some(secs) => Value::utc(secs),
                        None => Value::Text(chunk_text(&kind, p.data(c), c.crc)),
                    }
                })
            };
            out.push(finding(&field, time(a), time(b), Cause::EmbeddedTimestamp));
            continue;
        }
        let cause = if RENDERING.contains(&&kind) || kind[0] & 0x20 == 0 {
            // Colour interpretation, or a critical chunk no decoder may skip.
            Cause::Content
        } else {
            other
        };
        out.push(finding(
            &field,
            chunks_value(a, &kind),
            chunks_value(b, &kind),
            cause,
        ));
    }
}

/// The chunk types in file order, each run of IDAT as one.
fn order(p: &Png) -> Vec<[u8; 4]> {
    let mut v: Vec<[u8; 4]> = Vec::new();
    for c in &p.chunks {
        if !(&c.kind == b"IDAT" && v.last() == Some(b"IDAT")) {
            v.push(c.kind);
        }
    }
    v
}

/// Changes `png.pixels` and `png.chunk.<type>` with causes for two PNG
/// files that differ; `None` when nothing can be claimed (a chunk whose
/// CRC fails, pixels that could not be compared, or no difference found
/// in the chunks), so the leaf is explained from its bytes as any other.
pub fn classify(p: &PngPair) -> Option<Vec<Change>> {
    if !p.a.crcs_ok() || !p.b.crcs_ok() || matches!(p.pixels, Pixels::Unknown(_)) {
        return None;
    }
    let (a, b) = (&p.a, &p.b);
    let mut out = Vec::new();
    image(p, &mut out);
    // Beside pixels that differ, no chunk is said to be mere metadata of an
    // identical picture: only dates keep their own cause.
    let other = match p.pixels {
        Pixels::Differ { .. } => Cause::Content,
        _ => Cause::CompressionMetadata,
    };
    metadata(a, b, other, &mut out);
    textual(a, b, other, &mut out);
    let (oa, ob) = (order(a), order(b));
    if oa != ob {
        let (mut sa, mut sb) = (oa.clone(), ob.clone());
        sa.sort_unstable();
        sb.sort_unstable();
        if sa == sb {
            let names = |o: &[[u8; 4]]| {
                Value::Text(
                    o.iter()
                        .map(|k| String::from_utf8_lossy(k).into_owned())
                        .collect::<Vec<_>>()
                        .join(" "),
                )
            };
            out.push(finding(
                "png.chunk.order",
                Some(names(&oa)),
                Some(names(&ob)),
                other,
            ));
        }
    }
    let (ra, rb) = (
        a.bytes.get(a.trailing.clone()).unwrap_or_default(),
        b.bytes.get(b.trailing.clone()).unwrap_or_default(),
    );
    if ra != rb {
        let n = |r: &[u8]| Value::Text(format!("{} bytes after IEND", r.len()));
        out.push(finding(
            "png.trailing",
            Some(n(ra)),
            Some(n(rb)),
            Cause::Content,
        ));
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::png::pair;

    fn fixture(name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/png")
            .join(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// The findings for a fixture pair: (field, cause).
    fn findings(a: &str, b: &str) -> Vec<(String, Cause)> {
        let (a, b) = (fixture(a), fixture(b));
        let p = pair(&a, &b).expect("both are PNG files");
        classify(&p)
            .expect("a claim")
            .into_iter()
            .map(|c| (c.field, c.cause.expect("a cause")))
            .collect()
    }

    fn expect(list: &[(&str, Cause)]) -> Vec<(String, Cause)> {
        list.iter().map(|(f, c)| (f.to_string(), *c)).collect()
    }

    /// optipng turned ImageMagick's RGBA icon into an indexed one with a
    /// palette and its alpha: same pixels, every image chunk re-encoded.
    #[test]
    fn optipng_reduction_is_compression_metadata() {
        use Cause::CompressionMetadata as C;
        assert_eq!(
            findings("icon-convert.png", "icon-optipng.png"),
            expect(&[
                ("png.pixels", C),
                ("png.chunk.IHDR", C),
                ("png.chunk.PLTE", C),
                ("png.chunk.tRNS", C),
                ("png.chunk.IDAT", C),
                ("png.chunk.bKGD", C),
            ])
        );
        let (a, b) = (fixture("icon-convert.png"), fixture("icon-optipng.png"));
        let changes = classify(&pair(&a, &b).unwrap()).unwrap();
        assert_eq!(
            changes[0].b,
            Some(Value::text("32x32 indexed 2-bit: decoded pixels identical"))
        );
        assert_eq!(changes[3].b, Some(Value::text("alpha for 1 palette entry")));
    }

    /// Another compressor or level on the same samples: only the stream.
    #[test]
    fn recompressed_idat_is_compression_metadata() {
        use Cause::CompressionMetadata as C;
        let only_stream = expect(&[("png.pixels", C), ("png.chunk.IDAT", C)]);
        assert_eq!(
            findings("gradient-convert.png", "gradient-pngcrush.png"),
            only_stream
        );
        assert_eq!(
            findings("gradient-pil1.png", "gradient-pil9.png"),
            only_stream
        );
    }

    /// Adam7 interlacing, and 8-bit samples widened to 16 bits exactly:
    /// other bytes, other headers, the same picture.
    #[test]
    fn interlacing_and_exact_widening_keep_the_pixels() {
        use Cause::CompressionMetadata as C;
        assert_eq!(
            findings("gradient-convert.png", "gradient-interlaced.png"),
            expect(&[
                ("png.pixels", C),
                ("png.chunk.IHDR", C),
                ("png.chunk.IDAT", C)
            ])
        );
        assert_eq!(
            findings("icon-convert.png", "icon-16bit.png"),
            expect(&[
                ("png.pixels", C),
                ("png.chunk.IHDR", C),
                ("png.chunk.IDAT", C),
                ("png.chunk.bKGD", C),
            ])
        );
    }

    /// Pillow cut ImageMagick's 16-bit samples to 8 bits and dropped its
    /// colour chunks: the picture changed, and nothing beside it is called
    /// metadata of an identical image.
    #[test]
    fn a_lossy_reduction_is_content() {
        let got = findings("gradient-convert.png", "gradient-pil1.png");
        assert_eq!(
            got,
            expect(&[
                ("png.pixels", Cause::Content),
                ("png.chunk.gAMA", Cause::Content),
                ("png.chunk.cHRM", Cause::Content),
                ("png.chunk.bKGD", Cause::Content),
            ])
        );
        let (a, b) = (
            fixture("gradient-convert.png"),
            fixture("gradient-pil1.png"),
        );
        let changes = classify(&pair(&a, &b).unwrap()).unwrap();
        assert_eq!(
            changes[0].b,
            Some(Value::text(
                "32x32 RGBA 8-bit: 653 of 1024 pixels differ (60 only in the colour \
                 of pixels transparent on both sides)"
            ))
        );
        assert_eq!(changes[3].b, None);
    }

    /// ImageMagick at two clocks: tIME and its date text chunks, nothing
    /// decoded (the image chunks are byte-identical).
    #[test]
    fn time_and_date_text_are_embedded_timestamps() {
        use Cause::EmbeddedTimestamp as T;
        let (a, b) = (fixture("dated-a.png"), fixture("dated-b.png"));
        let p = pair(&a, &b).unwrap();
        assert_eq!(p.pixels, Pixels::SameEncoding);
        assert_eq!(
            findings("dated-a.png", "dated-b.png"),
            expect(&[
                ("png.chunk.tIME", T),
                ("png.chunk.tEXt.date:create", T),
                ("png.chunk.tEXt.date:modify", T),
            ])
        );
        let changes = classify(&p).unwrap();
        assert_eq!(changes[0].a, Some(Value::utc(1_700_000_000)));
        assert_eq!(changes[0].b, Some(Value::utc(1_700_090_000)));
        // Recompressed as well: both causes, each on its chunks.
        assert_eq!(
            findings("dated-a.png", "dated-b-pngcrush.png"),
            expect(&[
                ("png.pixels", Cause::CompressionMetadata),
                ("png.chunk.IDAT", Cause::CompressionMetadata),
                ("png.chunk.tIME", T),
                ("png.chunk.tEXt.date:create", T),
                ("png.chunk.tEXt.date:modify", T),
            ])
        );
    }

    /// A rectangle moved by one pixel: content, with the count, and
    /// nothing about the stream.
    #[test]
    fn differing_pixels_are_content() {
        assert_eq!(
            findings("pixels-a.png", "pixels-b.png"),
            expect(&[("png.pixels", Cause::Content)])
        );
        let (a, b) = (fixture("pixels-a.png"), fixture("pixels-b.png"));
        let changes = classify(&pair(&a, &b).unwrap()).unwrap();
        assert_eq!(
            changes[0].b,
            Some(Value::text("32x32 RGBA 8-bit: 18 of 1024 pixels differ"))
        );
    }

    /// A chunk from another build: a text chunk without a date is metadata,
    /// a gamma is not claimed.
    #[test]
    fn text_and_colour_chunks() {
        let a = fixture("gradient-pil9.png");
        let with = |extra: &[(&[u8; 4], &[u8])]| {
            let p = format::read(&a).unwrap();
            let iend = p.chunks.last().unwrap().offset;
            let mut v = a[..iend].to_vec();
            for (kind, data) in extra {
                v.extend_from_slice(&(data.len() as u32).to_be_bytes());
                let mut body = kind.to_vec();
                body.extend_from_slice(data);
                let mut crc = flate2::Crc::new();
                crc.update(&body);
                v.extend_from_slice(&body);
                v.extend_from_slice(&crc.sum().to_be_bytes());
            }
            v.extend_from_slice(&a[iend..]);
            v
        };
        let x = with(&[
            (b"tEXt", b"Software\x00GIMP 2.10.34"),
            (b"gAMA", &[0, 0, 0xb1, 0x8f]),
        ]);
        let y = with(&[
            (b"tEXt", b"Software\x00GIMP 2.10.36"),
            (b"gAMA", &[0, 1, 0x86, 0xa0]),
        ]);
        let changes = classify(&pair(&x, &y).unwrap()).unwrap();
        let got: Vec<(&str, Option<Cause>)> = changes
            .iter()
            .map(|c| (c.field.as_str(), c.cause))
            .collect();
        assert_eq!(
            got,
            [
                ("png.chunk.gAMA", Some(Cause::Content)),
                ("png.chunk.tEXt.Software", Some(Cause::CompressionMetadata)),
            ]
        );
        assert_eq!(changes[0].a, Some(Value::text("gamma 45455/100000")));
        // A date added on one side only is still a date.
        let z = with(&[(b"tEXt", b"Creation Time\x002023-11-14T22:13:20Z")]);
        let changes = classify(&pair(&a, &z).unwrap()).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].cause, Some(Cause::EmbeddedTimestamp));
        assert_eq!(changes[0].a, None);
    }
}
