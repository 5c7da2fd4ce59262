//! SquashFS metadata: 8 KiB blocks behind a 2-byte header, chained into the
//! inode, directory and xattr tables, and the "lookup tables" (ids,
//! fragments, exports, xattr ids) reached through an array of block pointers.
//!
//! Only metadata is decoded here, while listing; file data stays compressed.

use std::collections::HashMap;

use super::decode::Codec;
use crate::bytes::{le16, le64};
use crate::{Blob, Error, ErrorKind, Format, Limits, Result};

/// Decoded bytes one metadata block holds at most.
pub const META_SIZE: usize = 8192;

fn err(offset: u64, kind: ErrorKind) -> Error {
    Error::new(Format::SquashFs, offset, kind)
}

/// Reads the metadata block at `offset`: its decoded bytes and the offset
/// just past it on disk.
pub fn read_block(blob: &Blob, codec: Codec, offset: u64) -> Result<(Vec<u8>, u64)> {
    let head = blob.slice(offset, 2, Format::SquashFs)?;
    let h = le16(head.bytes(), 0).unwrap_or(0);
    let len = u64::from(h & 0x7fff);
    let compressed = h & 0x8000 == 0;
    if len == 0 {
        return Err(err(
            offset,
            ErrorKind::Invalid("empty metadata block".into()),
        ));
    }
    let body = blob.slice(offset + 2, len, Format::SquashFs)?;
    let out = if compressed {
        codec
            .decode(body.bytes(), META_SIZE)
            .map_err(|e| err(offset, ErrorKind::Decode(e)))?
    } else {
        if len as usize > META_SIZE {
            return Err(err(
                offset,
                ErrorKind::Invalid("metadata block over 8 KiB".into()),
            ));
        }
        body.bytes().to_vec()
    };
    Ok((out, offset + 2 + len))
}

/// A chain of metadata blocks decoded into one buffer, addressed the way
/// inode and directory references address it: (block start relative to the
/// table, offset within the decoded block).
#[derive(Default)]
pub struct MetaTable {
    pub start: u64,
    /// Disk offset just past the last block decoded.
    pub end: u64,
    pub data: Vec<u8>,
    blocks: HashMap<u64, usize>,
    /// (position in `data`, block start) in increasing order, to map a
    /// position back to its disk offset for error messages.
    order: Vec<(usize, u64)>,
}

impl MetaTable {
    /// Decodes every block from `start` up to `end`. A bad block ends the
    /// table early: what came before it stays usable, and the error is
    /// returned beside it.
    pub fn read(
        blob: &Blob,
        codec: Codec,
        start: u64,
        end: u64,
        limits: &Limits,
    ) -> (MetaTable, Option<Error>) {
        let mut t = MetaTable {
            start,
            end: start,
            ..MetaTable::default()
        };
        let cap = limits.decoded_cap(end.saturating_sub(start));
        let mut at = start;
        while at < end {
            match read_block(blob, codec, at) {
                Ok((bytes, next)) => {
                    if (t.data.len() + bytes.len()) as u64 > cap {
                        return (
                            t,
                            Some(err(at, ErrorKind::Limit("metadata table too large".into()))),
                        );
                    }
                    t.blocks.insert(at - start, t.data.len());
                    t.order.push((t.data.len(), at - start));
                    t.data.extend_from_slice(&bytes);
                    at = next;
                    t.end = next;
                }
                Err(e) => return (t, Some(e)),
            }
        }
        (t, None)
    }

    /// Position in `data` of a (block, offset) reference.
    pub fn pos(&self, block: u64, offset: u16) -> Option<usize> {
        let p = self.blocks.get(&block)?.checked_add(usize::from(offset))?;
        (p <= self.data.len()).then_some(p)
    }

    /// Disk offset to name in errors for a position in `data`.
    pub fn disk_offset(&self, pos: usize) -> u64 {
        let i = self.order.partition_point(|&(p, _)| p <= pos);
        i.checked_sub(1)
            .and_then(|i| self.order.get(i))
            .map_or(self.start, |&(_, b)| self.start + b)
    }
}

/// A lookup table: `count` entries of `size` bytes spread over metadata
/// blocks whose disk offsets sit in an array of u64 at `index`.
pub struct Lookup {
    pub data: Vec<u8>,
    /// Disk range of the metadata blocks (lowest start, highest end).
    pub blocks: Option<(u64, u64)>,
    /// Disk range of the pointer array.
    pub index: (u64, u64),
}

pub fn read_lookup(
    blob: &Blob,
    codec: Codec,
    index: u64,
    count: u64,
    size: u64,
    limits: &Limits,
) -> Result<Lookup> {
    let bytes = count
        .checked_mul(size)
        .ok_or_else(|| err(index, ErrorKind::Invalid("table size overflows".into())))?;
    let nblocks = bytes.div_ceil(META_SIZE as u64);
    // The pointer array must exist in full: that bounds everything after it
    // by the image size.
    let ptrs = blob.slice(index, nblocks.saturating_mul(8), Format::SquashFs)?;
    let mut data = Vec::new();
    let mut range: Option<(u64, u64)> = None;
    let cap = limits.decoded_cap(blob.len());
    for i in 0..nblocks as usize {
        let p = le64(ptrs.bytes(), i * 8).unwrap_or(0);
        let (b, next) = read_block(blob, codec, p)?;
        let want = (bytes - data.len() as u64).min(META_SIZE as u64) as usize;
        if b.len() < want {
            return Err(err(
                p,
                ErrorKind::Invalid(format!(
                    "table block holds {} bytes, {want} needed",
                    b.len()
                )),
            ));
        }
        if data.len() as u64 + want as u64 > cap {
            return Err(err(p, ErrorKind::Limit("lookup table too large".into())));
        }
        data.extend_from_slice(b.get(..want).unwrap_or(&b));
        range = Some(match range {
            None => (p, next),
            Some((lo, hi)) => (lo.min(p), hi.max(next)),
        });
    }
    Ok(Lookup {
        data,
        blocks: range,
        index: (index, index + nblocks * 8),
    })
}
