//! SquashFS block codecs and the `Decoder` that turns a file's raw block
//! list back into its bytes.
//!
//! Listing (formats/) never calls this for file data; the engine does, and
//! only for files whose compressed blocks differ between the two sides.

use std::collections::VecDeque;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::{Blob, Error, ErrorKind, Format, Limits, Result, SquashBlock, SquashFragment};

/// Decoder memory for one xz/lzma block: blocks are at most 1 MiB, so a
/// header asking for more is hostile, not a real dictionary.
const MEMLIMIT: u64 = 64 << 20;
/// zstd window for blocks of at most 1 MiB, with room to spare.
const ZSTD_WINDOW_LOG_MAX: u32 = 23;

/// The compressor ids of the superblock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Gzip,
    Lzma,
    Lzo,
    Xz,
    Lz4,
    Zstd,
}

impl Codec {
    pub fn from_id(id: u16) -> Option<Codec> {
        Some(match id {
            1 => Codec::Gzip,
            2 => Codec::Lzma,
            3 => Codec::Lzo,
            4 => Codec::Xz,
            5 => Codec::Lz4,
            6 => Codec::Zstd,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Lzma => "lzma",
            Codec::Lzo => "lzo",
            Codec::Xz => "xz",
            Codec::Lz4 => "lz4",
            Codec::Zstd => "zstd",
        }
    }

    /// Decodes one block into at most `cap` bytes. Output past `cap` is an
    /// error, so a hostile block cannot make us allocate more than a block.
    pub fn decode(self, src: &[u8], cap: usize) -> std::result::Result<Vec<u8>, String> {
        match self {
            Codec::Gzip => read_capped(flate2::read::ZlibDecoder::new(src), cap),
            Codec::Xz => {
                let stream = liblzma::stream::Stream::new_stream_decoder(MEMLIMIT, 0)
                    .map_err(|e| e.to_string())?;
                read_capped(liblzma::read::XzDecoder::new_stream(src, stream), cap)
            }
            Codec::Lzma => {
                let stream = liblzma::stream::Stream::new_lzma_decoder(MEMLIMIT)
                    .map_err(|e| e.to_string())?;
                read_capped(liblzma::read::XzDecoder::new_stream(src, stream), cap)
            }
            Codec::Zstd => {
                let mut d =
                    zstd::stream::read::Decoder::with_buffer(src).map_err(|e| e.to_string())?;
                d.window_log_max(ZSTD_WINDOW_LOG_MAX)
                    .map_err(|e| e.to_string())?;
                read_capped(d, cap)
            }
            Codec::Lz4 => {
                let mut out = vec![0u8; cap];
                let n =
                    lz4_flex::block::decompress_into(src, &mut out).map_err(|e| e.to_string())?;
                out.truncate(n);
                Ok(out)
            }
            Codec::Lzo => Err("lzo is not supported".into()),
        }
    }
}

fn read_capped(r: impl Read, cap: usize) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(cap);
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    r.take(limit)
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    if out.len() > cap {
        return Err(format!("block decodes to more than {cap} bytes"));
    }
    Ok(out)
}

/// Decoded fragment blocks kept around, in bytes: neighbouring small files
/// share one, and pairs are compared in path order, so each thread needs
/// about one at a time. Sized in bytes because blocks range from 4 KiB to
/// 1 MiB (16 of 128 KiB); the newest block is always kept.
const FRAGMENT_CACHE_BYTES: usize = 2 << 20;

/// Fewest fragment blocks the cache holds, whatever their size. With two
/// of 1 MiB, two threads checking neighbouring pairs took turns evicting
/// each other's block: the 134 MiB bench ISO's xz SquashFS (1 MiB blocks)
/// decoded 3.4 times the fragment data it needed, 923 against 831 ms of
/// CPU for the whole comparison.
const FRAGMENT_CACHE_BLOCKS: usize = 8;

/// Decodes SquashFS file data (blocks and fragments) of one image.
pub struct Decoder {
    blob: Blob,
    codec: Codec,
    block_size: u32,
    fragments: Mutex<VecDeque<(u64, Arc<Vec<u8>>)>>,
    /// Stored blocks decoded so far (fragment blocks included).
    decoded: AtomicU64,
}

impl Decoder {
    /// What decides how stored blocks decode: equal stored bytes under
    /// equal parameters are equal files.
    pub(crate) fn params(&self) -> (Codec, u32) {
        (self.codec, self.block_size)
    }
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("codec", &self.codec)
            .field("block_size", &self.block_size)
            .finish_non_exhaustive()
    }
}

fn err(offset: u64, kind: ErrorKind) -> Error {
    Error::new(Format::SquashFs, offset, kind)
}

impl Decoder {
    pub(crate) fn new(blob: Blob, codec: Codec, block_size: u32) -> Decoder {
        Decoder {
            blob,
            codec,
            block_size,
            fragments: Mutex::new(VecDeque::new()),
            decoded: AtomicU64::new(0),
        }
    }

    /// How many stored blocks this decoder has decoded (fragment blocks
    /// included, cache hits not): what a comparison really paid for.
    pub fn blocks_decoded(&self) -> u64 {
        self.decoded.load(Ordering::Relaxed)
    }

    /// Decodes one stored block, which must come out as exactly `want` bytes
    /// (or, with `want == None`, anything up to the block size).
    fn block(&self, b: &SquashBlock, want: Option<usize>) -> Result<Vec<u8>> {
        let bs = self.block_size as usize;
        if b.stored == 0 {
            return Ok(vec![0; want.unwrap_or(bs)]);
        }
        let raw = self
            .blob
            .slice(b.offset, u64::from(b.stored), Format::SquashFs)?;
        self.decoded.fetch_add(1, Ordering::Relaxed);
        let out = if b.compressed {
            self.codec
                .decode(raw.bytes(), bs)
                .map_err(|e| err(b.offset, ErrorKind::Decode(e)))?
        } else {
            if raw.len() > bs as u64 {
                return Err(Error::invalid(
                    Format::SquashFs,
                    b.offset,
                    "uncompressed block larger than the block size",
                ));
            }
            raw.bytes().to_vec()
        };
        match want {
            Some(w) if out.len() != w => Err(err(
                b.offset,
                ErrorKind::Decode(format!(
                    "block decodes to {} bytes, expected {w}",
                    out.len()
                )),
            )),
            _ => Ok(out),
        }
    }

    fn fragment_block(&self, b: &SquashBlock) -> Result<Arc<Vec<u8>>> {
        if let Ok(cache) = self.fragments.lock() {
            if let Some((_, v)) = cache.iter().find(|(o, _)| *o == b.offset) {
                return Ok(v.clone());
            }
        }
        let v = Arc::new(self.block(b, None)?);
        // A poisoned lock only loses the cache, never the answer.
        if let Ok(mut cache) = self.fragments.lock() {
            cache.push_back((b.offset, v.clone()));
            let mut held: usize = cache.iter().map(|(_, v)| v.len()).sum();
            let most = FRAGMENT_CACHE_BYTES.max(FRAGMENT_CACHE_BLOCKS * self.block_size as usize);
            while held > most && cache.len() > 1 {
                if let Some((_, old)) = cache.pop_front() {
                    held -= old.len();
                }
            }
        }
        Ok(v)
    }

    /// The tail of a file packed in a fragment block: its sub-range of the
    /// decoded block (kept in the cache for its neighbours).
    pub fn tail(&self, f: &SquashFragment) -> Result<Vec<u8>> {
        if f.block.offset.saturating_add(u64::from(f.block.stored)) > self.blob.len()
            || f.block.stored > self.block_size
        {
            return Err(Error::invalid(
                Format::SquashFs,
                f.block.offset,
                "fragment block outside the image or larger than the block size",
            ));
        }
        let whole = self.fragment_block(&f.block)?;
        let start = f.offset as usize;
        start
            .checked_add(f.len as usize)
            .and_then(|end| whole.get(start..end))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| {
                err(
                    f.block.offset,
                    ErrorKind::Invalid(format!(
                        "fragment tail {}+{} outside its {}-byte block",
                        f.offset,
                        f.len,
                        whole.len()
                    )),
                )
            })
    }

    /// Decodes a file of `size` bytes from its blocks and fragment tail.
    pub fn read(
        &self,
        blocks: &[SquashBlock],
        fragment: Option<&SquashFragment>,
        size: u64,
        limits: &Limits,
    ) -> Result<Blob> {
        Blob::gather(size, |f| self.each_piece(blocks, fragment, size, limits, f))
    }

    /// Decodes a file of `size` bytes block by block, handing each decoded
    /// block (and then the tail) to `f`: what is held is one block, so a
    /// file larger than the memory budget can be digested.
    pub fn each_piece(
        &self,
        blocks: &[SquashBlock],
        fragment: Option<&SquashFragment>,
        size: u64,
        limits: &Limits,
        f: &mut dyn FnMut(&[u8]),
    ) -> Result<()> {
        let at = blocks
            .first()
            .map(|b| b.offset)
            .or(fragment.map(|f| f.block.offset))
            .unwrap_or(0);
        let stored: u64 = blocks
            .iter()
            .map(|b| u64::from(b.stored))
            .chain(fragment.map(|f| u64::from(f.len)))
            .sum();
        let cap = limits.decoded_cap(stored);
        if size > cap {
            return Err(err(
                at,
                ErrorKind::Limit(format!("file of {size} bytes over the decode cap of {cap}")),
            ));
        }
        // Check the claims against the image before sizing a buffer by them.
        let bs64 = u64::from(self.block_size);
        for b in blocks.iter().chain(fragment.map(|f| &f.block)) {
            let end = b.offset.saturating_add(u64::from(b.stored));
            if end > self.blob.len() {
                return Err(Error::truncated(
                    Format::SquashFs,
                    b.offset,
                    end,
                    self.blob.len(),
                ));
            }
            if u64::from(b.stored) > bs64 {
                return Err(Error::invalid(
                    Format::SquashFs,
                    b.offset,
                    "stored block larger than the block size",
                ));
            }
        }
        let most = (blocks.len() as u64)
            .saturating_mul(bs64)
            .saturating_add(fragment.map_or(0, |f| u64::from(f.len)));
        if size > most {
            return Err(Error::invalid(
                Format::SquashFs,
                at,
                format!("file of {size} bytes with room for {most}"),
            ));
        }
        let mut done = 0u64;
        for b in blocks {
            let left = size - done;
            if left == 0 {
                return Err(Error::invalid(
                    Format::SquashFs,
                    b.offset,
                    "more blocks than the file size needs",
                ));
            }
            let part = self.block(b, Some(left.min(bs64) as usize))?;
            done += part.len() as u64;
            f(&part);
        }
        if let Some(frag) = fragment {
            let tail = self.tail(frag)?;
            if tail.len() as u64 > size - done {
                return Err(Error::invalid(
                    Format::SquashFs,
                    frag.block.offset,
                    "fragment tail longer than the file",
                ));
            }
            done += tail.len() as u64;
            f(&tail);
        }
        if done != size {
            return Err(err(
                at,
                ErrorKind::Invalid(format!("file data is {done} bytes, the inode says {size}")),
            ));
        }
        Ok(())
    }
}
