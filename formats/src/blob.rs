//! `Blob`: the cheap-to-clone view of bytes that every reader works on.
//!
//! It sits at the very bottom of the flow (bytes → formats → engine → report):
//! an outer image is memory-mapped once, and every nested member is a `Blob`
//! sliced from its parent in O(1), so nothing is copied or extracted to disk.
//! Only decoded data (a decompressed stream, a SquashFS file, a multi-extent
//! file glued together) lives in an owned buffer.

use std::fmt;
use std::fs::File;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use crate::error::{Error, ErrorKind};
use crate::Format;

enum Backing {
    Map(Mmap),
    Owned(Vec<u8>),
}

impl Backing {
    fn bytes(&self) -> &[u8] {
        match self {
            Backing::Map(m) => m,
            Backing::Owned(v) => v,
        }
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
    /// Maps a file read-only.
    pub fn open(path: &Path) -> std::io::Result<Blob> {
        Blob::open_with(path, false)
    }

    /// Maps a file read-only, faulting every page in up front when `whole`
    /// is set: cheaper than page-by-page faults when every byte will be read
    /// (a comparison), wasteful when only metadata will be (a listing).
    pub fn open_with(path: &Path, whole: bool) -> std::io::Result<Blob> {
        let file = File::open(path)?;
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
        let map = unsafe {
            let mut o = memmap2::MmapOptions::new();
            if whole {
                o.populate();
            }
            o.map(&file)?
        };
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

    /// Like `slice`, but takes a `Range`.
    pub fn range(&self, r: Range<u64>, format: Format) -> Result<Blob, Error> {
        self.slice(r.start, r.end.saturating_sub(r.start), format)
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
