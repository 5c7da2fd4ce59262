//! SquashFS extended attributes: the xattr id table (one entry per distinct
//! set of attributes, pointing into the key/value metadata) and the
//! key/value pairs themselves, with values stored once and referenced out of
//! line when several files share them.

use super::decode::Codec;
use super::table::{read_lookup, Lookup, MetaTable};
use crate::bytes::{le16, le32, le64};
use crate::{Blob, Error, Format, Limits, Region, Result};

/// Key prefixes by the low byte of the type field.
const PREFIXES: [&str; 3] = ["user.", "trusted.", "security."];
/// Type flag: the value is a reference to a value stored elsewhere.
const OUT_OF_LINE: u16 = 0x100;

pub struct Xattrs {
    /// One (reference, count, size) per xattr id.
    ids: Vec<(u64, u32)>,
    kv: MetaTable,
}

fn bad(offset: u64, what: impl Into<String>) -> Error {
    Error::invalid(Format::SquashFs, offset, what)
}

impl Xattrs {
    /// Reads the xattr id table at `start` (superblock `xattr_id_table_start`),
    /// returning it with the regions it covers and a non-fatal error if the
    /// key/value table was cut short.
    pub fn read(
        blob: &Blob,
        codec: Codec,
        start: u64,
        limits: &Limits,
    ) -> Result<(Xattrs, Vec<Region>, Option<Error>)> {
        let head = blob.slice(start, 16, Format::SquashFs)?;
        let kv_start = le64(head.bytes(), 0).unwrap_or(0);
        let count = u64::from(le32(head.bytes(), 8).unwrap_or(0));
        let Lookup {
            data,
            blocks,
            index,
        } = read_lookup(blob, codec, start + 16, count, 16, limits)?;
        // The key/value blocks run from kv_start up to the id table's blocks.
        let kv_end = blocks.map_or(start, |(lo, _)| lo);
        if kv_start > kv_end {
            return Err(bad(
                start,
                "xattr key/value table starts after its id table",
            ));
        }
        let (kv, e) = MetaTable::read(blob, codec, kv_start, kv_end, limits);
        let mut regions = vec![Region::structure(
            kv_start,
            kv_end - kv_start,
            "xattr table",
        )];
        if let Some((lo, hi)) = blocks {
            regions.push(Region::structure(lo, hi - lo, "xattr id table"));
        }
        regions.push(Region::structure(
            start,
            index.1 - start,
            "xattr id table index",
        ));
        let ids = data
            .chunks_exact(16)
            .map(|c| (le64(c, 0).unwrap_or(0), le32(c, 8).unwrap_or(0)))
            .collect();
        Ok((Xattrs { ids, kv }, regions, e))
    }

    /// The attributes of xattr id `idx`, keys with their prefix.
    pub fn get(&self, idx: u32) -> Result<Vec<(String, Vec<u8>)>> {
        let &(r, count) = self
            .ids
            .get(idx as usize)
            .ok_or_else(|| bad(self.kv.start, format!("xattr id {idx} out of range")))?;
        let mut pos = self.kv.pos(r >> 16, (r & 0xffff) as u16).ok_or_else(|| {
            bad(
                self.kv.start,
                format!("xattr reference {r:#x} points nowhere"),
            )
        })?;
        let d = &self.kv.data;
        let trunc = |p: usize| bad(self.kv.disk_offset(p), "xattr entry runs past its table");
        // Each pair takes at least 8 bytes, so the count is bounded by the table.
        let mut out = Vec::with_capacity((count as usize).min(d.len() / 8));
        for _ in 0..count {
            let ty = le16(d, pos).ok_or_else(|| trunc(pos))?;
            let name_len = usize::from(le16(d, pos + 2).ok_or_else(|| trunc(pos))?);
            let name = d
                .get(pos + 4..pos + 4 + name_len)
                .ok_or_else(|| trunc(pos))?;
            let prefix = PREFIXES
                .get(usize::from(ty & 0xff))
                .ok_or_else(|| bad(self.kv.disk_offset(pos), format!("xattr type {ty:#x}")))?;
            pos += 4 + name_len;
            let value_len = le32(d, pos).ok_or_else(|| trunc(pos))? as usize;
            let mut value = d
                .get(pos + 4..(pos + 4).saturating_add(value_len))
                .ok_or_else(|| trunc(pos))?;
            pos += 4 + value_len;
            if ty & OUT_OF_LINE != 0 {
                let vr = le64(value, 0).ok_or_else(|| trunc(pos))?;
                let vp = self.kv.pos(vr >> 16, (vr & 0xffff) as u16).ok_or_else(|| {
                    bad(
                        self.kv.start,
                        format!("xattr value reference {vr:#x} points nowhere"),
                    )
                })?;
                let vl = le32(d, vp).ok_or_else(|| trunc(vp))? as usize;
                value = d
                    .get(vp + 4..(vp + 4).saturating_add(vl))
                    .ok_or_else(|| trunc(vp))?;
            }
            out.push((
                format!("{prefix}{}", String::from_utf8_lossy(name)),
                value.to_vec(),
            ));
        }
        Ok(out)
    }
}
