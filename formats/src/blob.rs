//! `Blob`: the cheap-to-clone view of bytes that every reader works on.
//!
//! It sits at the very bottom of the flow (bytes → formats → engine → report):
//! an outer image is memory-mapped once, and every nested member is a `Blob`
//! sliced from its parent in O(1), so nothing is copied or extracted to disk.
//! Only decoded data (a decompressed stream, a SquashFS file, a multi-extent
//! file glued together) lives in an owned buffer.

use std::fmt;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use memmap2::{Mmap, MmapMut, MmapOptions};

use crate::error::{Error, ErrorKind};
use crate::Format;

enum Backing {
    Map(Mmap),
    Owned(Vec<u8>),
    /// Decoded bytes written into reserved address space: the first `len`
    /// bytes are used, the untouched rest costs no memory.
    Anon {
        map: MmapMut,
        len: usize,
    },
}

impl Backing {
    fn bytes(&self) -> &[u8] {
        match self {
            Backing::Map(m) => m,
            Backing::Owned(v) => v,
            Backing::Anon { map, len } => map.get(..*len).unwrap_or(&[]),
        }
    }
}

/// An append-only buffer for decoded bytes whose final size is unknown.
///
/// A `Vec` that doubles holds up to twice the decoded size, and while it
/// grows the allocator copies it into a new block, so a 20 MiB stream can
/// cost 48 MiB at its peak. Given a large `cap`, this reserves `cap` bytes
/// of address space instead (no swap reserved) and writes in place: only the
/// pages written become memory, nothing is ever copied. It falls back to a
/// `Vec` when the reservation is refused (strict overcommit) or small.
pub(crate) struct GrowBuf {
    inner: Grow,
}

enum Grow {
    Vec(Vec<u8>),
    Map { map: MmapMut, len: usize },
}

/// Below this cap a `Vec` is used: its slack is small, and a mapping costs
/// two system calls.
const MAP_MIN: u64 = 8 << 20;

impl GrowBuf {
    /// A buffer that will never hold more than `cap` bytes; `exact` is a
    /// believable final size, when one is known, to allocate once.
    pub(crate) fn new(cap: u64, exact: Option<u64>) -> GrowBuf {
        if let Some(n) = exact.and_then(|n| usize::try_from(n.min(cap)).ok()) {
            return GrowBuf {
                inner: Grow::Vec(Vec::with_capacity(n)),
            };
        }
        if cap >= MAP_MIN {
            if let Ok(len) = usize::try_from(cap) {
                if let Ok(map) = MmapOptions::new().len(len).no_reserve_swap().map_anon() {
                    return GrowBuf {
                        inner: Grow::Map { map, len: 0 },
                    };
                }
            }
        }
        GrowBuf {
            inner: Grow::Vec(Vec::new()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match &self.inner {
            Grow::Vec(v) => v.len(),
            Grow::Map { len, .. } => *len,
        }
    }

    /// Appends `b`; the caller keeps the total within the `cap` given to
    /// [`GrowBuf::new`] (past it, a mapped buffer moves into a `Vec`).
    pub(crate) fn extend(&mut self, b: &[u8], cap: u64) {
        if let Grow::Map { map, len } = &mut self.inner {
            let end = len.saturating_add(b.len());
            if let Some(dst) = map.get_mut(*len..end) {
                dst.copy_from_slice(b);
                *len = end;
                return;
            }
            let mut v = Vec::with_capacity(end);
            v.extend_from_slice(map.get(..*len).unwrap_or(&[]));
            self.inner = Grow::Vec(v);
        }
        if let Grow::Vec(v) = &mut self.inner {
            let need = v.len().saturating_add(b.len());
            if need > v.capacity() {
                // Grow by doubling like Vec would, but never past the cap, so
                // a stream just under the cap does not cost twice its size.
                let cap = usize::try_from(cap).unwrap_or(usize::MAX);
                let target = v.capacity().saturating_mul(2).max(need).min(cap.max(need));
                v.reserve_exact(target - v.len());
            }
            v.extend_from_slice(b);
        }
    }

    /// The reserved, not yet written space of a mapped buffer, at most
    /// `max` bytes, for a decoder to write into directly; `None` for a `Vec`.
    pub(crate) fn spare(&mut self, max: u64) -> Option<&mut [u8]> {
        match &mut self.inner {
            Grow::Map { map, len } => {
                let end = len.saturating_add(usize::try_from(max).unwrap_or(usize::MAX));
                let end = end.min(map.len());
                map.get_mut(*len..end)
            }
            Grow::Vec(_) => None,
        }
    }

    /// The vector of a `Vec` buffer with nothing written yet but room
    /// reserved (from a declared size), for a decoder to fill directly.
    pub(crate) fn empty_vec(&mut self) -> Option<&mut Vec<u8>> {
        match &mut self.inner {
            Grow::Vec(v) if v.is_empty() && v.capacity() > 0 => Some(v),
            _ => None,
        }
    }

    /// Marks `n` bytes of [`GrowBuf::spare`] as written.
    pub(crate) fn commit(&mut self, n: usize) {
        if let Grow::Map { map, len } = &mut self.inner {
            *len = len.saturating_add(n).min(map.len());
        }
    }

    pub(crate) fn into_vec(self) -> Vec<u8> {
        match self.inner {
            Grow::Vec(v) => v,
            Grow::Map { map, len } => map.get(..len).unwrap_or(&[]).to_vec(),
        }
    }

    pub(crate) fn into_blob(self) -> Blob {
        match self.inner {
            Grow::Vec(v) => Blob::from_vec(v),
            Grow::Map { map, len } => Blob {
                backing: Arc::new(Backing::Anon { map, len }),
                start: 0,
                end: len,
            },
        }
    }

    #[cfg(test)]
    pub(crate) fn is_mapped(&self) -> bool {
        matches!(self.inner, Grow::Map { .. })
    }
}

/// A shared, immutable byte range. Cloning and slicing never copy bytes.
#[derive(Clone)]
pub struct Blob {
    backing: Arc<Backing>,
    start: usize,
    end: usize,
}

impl Blob {
    /// The `size` bytes a piece-by-piece reader hands to its callback,
    /// gathered into one blob. The buffer is sized when the first piece
    /// comes, after the reader has checked `size` against the input and
    /// the decode cap.
    pub(crate) fn gather(
        size: u64,
        read: impl FnOnce(&mut dyn FnMut(&[u8])) -> crate::Result<()>,
    ) -> crate::Result<Blob> {
        let mut out: Vec<u8> = Vec::new();
        read(&mut |piece| {
            if out.capacity() == 0 {
                out.reserve_exact(usize::try_from(size).unwrap_or(0));
            }
            out.extend_from_slice(piece);
        })?;
        Ok(Blob::from_vec(out))
    }

    /// Maps a file read-only. Pages are faulted in as they are read: the
    /// faults overlap with the work, where populating the whole map up
    /// front (MAP_POPULATE) delays the start by ~15 ms per 134 MiB.
    pub fn open(path: &Path) -> std::io::Result<Blob> {
        Blob::from_file(&File::open(path)?)
    }

    /// Maps a file already opened (by a caller that checked what it is
    /// before mapping it), read-only, as [`Blob::open`] does.
    pub fn from_file(file: &File) -> std::io::Result<Blob> {
        let len = file.metadata()?.len();
        if len == 0 {
            // Mapping an empty file fails on some systems; an empty buffer is equivalent.
            return Ok(Blob::from_vec(Vec::new()));
        }
        // SAFETY: the map is read-only and private to this process. Another
        // process truncating or rewriting the file while we read it could make
        // us read changed bytes or fault (SIGBUS); like other tools that map
        // their inputs (ripgrep), we accept that for files the user named, as
        // the readers treat every byte as untrusted anyway.
        let map = unsafe { memmap2::Mmap::map(file)? };
        let end = map.len();
        Ok(Blob {
            backing: Arc::new(Backing::Map(map)),
            start: 0,
            end,
        })
    }

    /// Wraps an owned buffer (decoded data).
    pub fn from_vec(v: Vec<u8>) -> Blob {
        let end = v.len();
        Blob {
            backing: Arc::new(Backing::Owned(v)),
            start: 0,
            end,
        }
    }

    pub fn bytes(&self) -> &[u8] {
        // The invariant start <= end <= backing.len() is kept by every constructor.
        self.backing
            .bytes()
            .get(self.start..self.end)
            .unwrap_or(&[])
    }

    pub fn len(&self) -> u64 {
        (self.end - self.start) as u64
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// A sub-range of this blob, relative to its start. Fails (with `format`
    /// named in the error) when the range runs past the end.
    pub fn slice(&self, offset: u64, len: u64, format: Format) -> Result<Blob, Error> {
        let bad = || {
            Error::new(
                format,
                offset,
                ErrorKind::Truncated {
                    needed: offset.saturating_add(len),
                    available: self.len(),
                },
            )
        };
        let off = usize::try_from(offset).map_err(|_| bad())?;
        let l = usize::try_from(len).map_err(|_| bad())?;
        let s = self.start.checked_add(off).ok_or_else(bad)?;
        let e = s.checked_add(l).ok_or_else(bad)?;
        if e > self.end {
            return Err(bad());
        }
        Ok(Blob {
            backing: self.backing.clone(),
            start: s,
            end: e,
        })
    }

    /// Offset of this blob's first byte inside the outermost buffer it shares
    /// (the mapped file, or the decoded buffer it was cut from).
    pub fn base_offset(&self) -> u64 {
        self.start as u64
    }

    /// True when this blob is a view of a mapped file rather than decoded data.
    pub fn is_mapped(&self) -> bool {
        matches!(*self.backing, Backing::Map(_))
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blob({}..{})", self.start, self.end)
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        self.bytes()
    }
}
