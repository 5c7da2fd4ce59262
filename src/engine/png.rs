//! PNG leaves as the engine hands them to diagnosis: both files' chunk
//! lists, and what their pixels say. When the chunks that define the image
//! (IHDR, PLTE, tRNS and the IDAT zlib stream) are byte-identical nothing
//! is decoded; otherwise both images are decoded (bounded) and compared
//! pixel by pixel as 16-bit RGBA, so an image re-encoded by another
//! optimiser (another zlib stream, a palette instead of RGBA) reads as the
//! same picture, and one whose picture changed as that.
//!
//! Engine stage (formats → **engine** → diagnosis → report): the PNG is
//! read and decoded here, once; diagnosis names the differing chunks and
//! their causes from this and never decodes an image itself.

use reprodiff_formats::png::{self, Png};

/// Decoded bytes allowed for one side's pixels (and the decoder's own
/// buffers): a 4096x4096 RGBA image. Icons and pixmaps are far below it;
/// above it the leaf is explained from its bytes as any other.
pub const MAX_PIXEL_BYTES: usize = 64 << 20;

/// What the pixels of two PNG files say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pixels {
    /// The chunks that define the image are byte-identical: the same
    /// pixels, not decoded.
    SameEncoding,
    /// Decoded, the same width, height and RGBA value of every pixel.
    Identical,
    /// Decoded, another size or some pixels of another value.
    Differ {
        /// Pixels that differ (of `width * height`), 0 when the sizes differ.
        differing: u64,
        /// Of those, pixels fully transparent on both sides (only their
        /// hidden colour differs).
        hidden: u64,
    },
    /// Not compared: why (an animation, a decoding error, past the bound).
    Unknown(String),
}

/// Two PNG files whose bytes differ.
#[derive(Debug, Clone)]
pub struct PngPair<'d> {
    pub a: Png<'d>,
    pub b: Png<'d>,
    pub pixels: Pixels,
}

/// Both sides read as PNG files: their chunks and what their pixels say.
/// `None` when either is not a PNG or its chunks cannot be read.
pub fn pair<'d>(a: &'d [u8], b: &'d [u8]) -> Option<PngPair<'d>> {
    if !png::is_png(a) || !png::is_png(b) {
        return None;
    }
    let (pa, pb) = (png::read(a).ok()?, png::read(b).ok()?);
    let pixels = compare(&pa, &pb);
    Some(PngPair {
        a: pa,
        b: pb,
        pixels,
    })
}

/// Whether the chunks the pixels are decoded from are byte-identical.
fn same_encoding(a: &Png, b: &Png) -> bool {
    [b"IHDR", b"PLTE", b"tRNS"]
        .iter()
        .all(|k| a.all(k).eq(b.all(k)))
        && a.idat().flatten().eq(b.idat().flatten())
}

fn compare(a: &Png, b: &Png) -> Pixels {
    if a.is_animated() || b.is_animated() {
        return Pixels::Unknown("animated PNG: only its first frame could be compared".into());
    }
    if same_encoding(a, b) {
        return Pixels::SameEncoding;
    }
    let (da, db) = match (
        png::decode(a.bytes, MAX_PIXEL_BYTES),
        png::decode(b.bytes, MAX_PIXEL_BYTES),
    ) {
        (Ok(da), Ok(db)) => (da, db),
        (Err(e), _) => return Pixels::Unknown(format!("a: {e}")),
        (_, Err(e)) => return Pixels::Unknown(format!("b: {e}")),
    };
    if (da.width, da.height) != (db.width, db.height) {
        return Pixels::Differ {
            differing: 0,
            hidden: 0,
        };
    }
    let (mut differing, mut hidden) = (0u64, 0u64);
    for i in 0..da.count() {
        let (pa, pb) = (da.rgba16(i), db.rgba16(i));
        if pa != pb {
            differing += 1;
            if matches!((pa, pb), (Some([.., 0]), Some([.., 0]))) {
                hidden += 1;
            }
        }
    }
    if differing == 0 {
        Pixels::Identical
    } else {
        Pixels::Differ { differing, hidden }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn fixture(name: &str) -> Vec<u8> {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/png")
            .join(name);
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// `b` with the data of its chunk at `offset` changed and its CRC made
    /// right again, as a writer would have written it.
    fn rewrite(b: &[u8], offset: usize, change: impl Fn(&mut [u8])) -> Vec<u8> {
        let mut v = b.to_vec();
        let len = u32::from_be_bytes(v[offset..offset + 4].try_into().unwrap()) as usize;
        change(&mut v[offset + 8..offset + 8 + len]);
        let mut crc = flate2::Crc::new();
        crc.update(&v[offset + 4..offset + 8 + len]);
        v[offset + 8 + len..offset + 12 + len].copy_from_slice(&crc.sum().to_be_bytes());
        v
    }

    #[test]
    fn fixture_pairs_compare_as_the_tools_made_them() {
        let px = |a: &str, b: &str| pair(&fixture(a), &fixture(b)).unwrap().pixels;
        assert_eq!(
            px("icon-convert.png", "icon-optipng.png"),
            Pixels::Identical
        );
        assert_eq!(
            px("gradient-pil1.png", "gradient-pil9.png"),
            Pixels::Identical
        );
        assert_eq!(px("dated-a.png", "dated-b.png"), Pixels::SameEncoding);
        assert_eq!(
            px("pixels-a.png", "pixels-b.png"),
            Pixels::Differ {
                differing: 18,
                hidden: 0
            }
        );
        assert!(pair(b"\x89PNG\r\n\x1a\n", &fixture("dated-a.png")).is_none());
        assert!(pair(b"GIF89a", b"GIF89a").is_none());
    }

    /// An IHDR claiming 100000x100000 pixels (40 GB decoded) is refused
    /// from its header: quickly, with no allocation and no claim.
    #[test]
    fn huge_dimensions_are_refused_quickly() {
        let a = fixture("icon-convert.png");
        let huge = rewrite(&a, 8, |d| {
            d[0..4].copy_from_slice(&100_000u32.to_be_bytes());
            d[4..8].copy_from_slice(&100_000u32.to_be_bytes());
        });
        let start = Instant::now();
        let p = pair(&a, &huge).unwrap();
        assert!(matches!(p.pixels, Pixels::Unknown(_)), "{:?}", p.pixels);
        assert!(crate::diagnose::png::classify(&p).is_none());
        let mut node = crate::report::Node::new("x.png", crate::report::Status::Modified);
        crate::explain_leaf("x.png", &a, &huge, &mut node);
        assert!(node.changes.iter().all(|c| !c.field.starts_with("png.")));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }

    /// Every truncation and every single-bit flip of a PNG: no panic, and
    /// no PNG claim, since a damaged chunk (its CRC fails) or a chunk list
    /// that cannot be read is not explained.
    #[test]
    fn damaged_files_get_no_claim() {
        for name in ["icon-optipng.png", "dated-a.png"] {
            let orig = fixture(name);
            let mut other = orig.clone();
            other.extend_from_slice(b"x");
            for cut in 0..orig.len() {
                let t = &orig[..cut];
                if let Some(p) = pair(&other, t) {
                    panic!("{name} cut at {cut} read: {:?}", p.b.chunks);
                }
            }
            for bit in 0..orig.len() * 8 {
                let mut m = orig.clone();
                m[bit / 8] ^= 1 << (bit % 8);
                if let Some(p) = pair(&orig, &m) {
                    assert_eq!(crate::diagnose::png::classify(&p), None, "{name} bit {bit}");
                }
            }
        }
    }

    /// A changed byte inside the image stream, written with a valid CRC:
    /// either the stream no longer decodes (no claim), or the pixels are
    /// compared; never a claim of identical pixels that decoding denies.
    #[test]
    fn rewritten_streams_are_compared_not_assumed() {
        let orig = fixture("icon-convert.png");
        let at = format_chunk(&orig, b"IDAT");
        let len = u32::from_be_bytes(orig[at..at + 4].try_into().unwrap()) as usize;
        for i in 2..len {
            let m = rewrite(&orig, at, |d| d[i] ^= 0x10);
            let Some(p) = pair(&orig, &m) else {
                panic!("byte {i}: chunks unreadable");
            };
            if p.pixels == Pixels::Identical {
                let (x, y) = (
                    png::decode(&orig, MAX_PIXEL_BYTES).unwrap(),
                    png::decode(&m, MAX_PIXEL_BYTES).unwrap(),
                );
                assert!((0..x.count()).all(|k| x.rgba16(k) == y.rgba16(k)));
            }
        }
    }

    fn format_chunk(b: &[u8], kind: &[u8; 4]) -> usize {
        png::read(b)
            .unwrap()
            .chunks
            .iter()
            .find(|c| &c.kind == kind)
            .unwrap()
            .offset
    }
}
