//! Raw disk images (live USB images as shipped): the partitions of an MBR or
//! GPT table at offset 0, each listed as a `<partition-N>` member whose bytes
//! are a range of the disk, for the walker to open by detection.
//!
//! Part of formats/ (bytes → formats → engine → report): the tables
//! themselves are decoded by `partition.rs`; this module turns them into a
//! [`Container`] with header fields, a map of the table structures and one
//! entry per partition.

use crate::bytes::{le16, le32};
use crate::model::{Extent, Owner, Region};
use crate::partition::{self, Partition, Table};
use crate::{
    Blob, Container, Data, Entry, Error, ErrorKind, Field, Format, Kind, Limits, Result, Role,
    Value,
};

/// Lists the partitions of a raw disk image.
pub fn open(blob: &Blob, limits: &Limits) -> Result<Container> {
    let b = blob.bytes();
    if b.get(510..512) != Some(&[0x55, 0xaa][..]) {
        return Err(Error::new(Format::Disk, 510, ErrorKind::BadMagic));
    }
    let (mut table, sector) = read_table(b);
    let mut c = Container::new(Format::Disk, blob.clone());
    c.field("disk.sector_size", sector, Role::Content);
    c.fields.append(&mut table.fields);
    for (off, len, name) in &table.structures {
        c.regions.push(Region::structure(*off, *len, name.clone()));
    }
    for (off, what) in &table.problems {
        c.errors
            .push(Error::invalid(Format::Disk, *off, what.clone()));
    }
    // GPT is the table firmware and Linux use when both exist (hybrid MBRs
    // only mirror some GPT partitions).
    let (parts, which) = if table.gpt.is_empty() {
        (&table.mbr, "mbr")
    } else {
        (&table.gpt, "gpt")
    };
    for p in parts {
        push_partition(&mut c, p, which, limits)?;
    }
    Ok(c)
}

/// Tries 512-byte sectors first, then a GPT written for 4096-byte sectors.
fn read_table(b: &[u8]) -> (Table, u64) {
    let t = partition::parse(b, 512);
    if t.gpt.is_empty() && b.get(4096..4104) == Some(&b"EFI PART"[..]) {
        let t4 = partition::parse(b, 4096);
        if !t4.gpt.is_empty() {
            return (t4, 4096);
        }
    }
    (t, 512)
}

fn push_partition(c: &mut Container, p: &Partition, table: &str, limits: &Limits) -> Result<()> {
    let total = c.source.len();
    let start = p.offset.min(total);
    let end = p.offset.saturating_add(p.len).min(total);
    if p.offset.saturating_add(p.len) > total {
        c.errors.push(Error::new(
            Format::Disk,
            p.offset,
            ErrorKind::Truncated {
                needed: p.offset.saturating_add(p.len),
                available: total,
            },
        ));
    }
    let len = end - start;
    let mut e = Entry::new(format!("<partition-{}>", p.number), Kind::File);
    e.size = len;
    e.data = Data::Range(Extent { offset: start, len });
    let x = &mut e.meta.extra;
    x.push(Field::new("partition.table", table, Role::Content));
    x.push(Field::new("partition.offset", p.offset, Role::Location));
    x.push(Field::new("partition.len", p.len, Role::Structure));
    x.push(Field::new("partition.type", &p.kind, Role::Content));
    if !p.type_name.is_empty() {
        x.push(Field::new(
            "partition.type_name",
            &p.type_name,
            Role::Content,
        ));
    }
    if !p.guid.is_empty() {
        x.push(Field::new(
            "partition.guid",
            Value::Id(p.guid.clone()),
            Role::Identifier,
        ));
    }
    if table == "gpt" {
        x.push(Field::new("partition.name", &p.name, Role::Content));
    }
    let idx = c.entries.len();
    c.push(e, limits)?;
    if len > 0 {
        c.regions.push(Region {
            offset: start,
            len,
            owner: Owner::Entry(idx),
        });
    }
    Ok(())
}

/// True when `b` starts with an MBR (0x55AA, sane partition entries) or a
/// protective MBR followed by a GPT header, and not with a filesystem's boot
/// sector (which also ends in 0x55AA).
pub fn looks_like_disk(b: &[u8]) -> bool {
    if b.get(510..512) != Some(&[0x55, 0xaa][..]) || is_volume_boot_record(b) {
        return false;
    }
    if b.get(512..520) == Some(&b"EFI PART"[..]) || b.get(4096..4104) == Some(&b"EFI PART"[..]) {
        return true;
    }
    let mut sane = 0;
    for i in 0..4 {
        let at = 446 + 16 * i;
        let Some(e) = b.get(at..at + 16) else {
            return false;
        };
        let (status, kind) = (e[0], e[4]);
        let start = le32(e, 8).unwrap_or(0);
        let count = le32(e, 12).unwrap_or(0);
        if e.iter().all(|&x| x == 0) {
            continue;
        }
        if status != 0 && status != 0x80 {
            return false;
        }
        if kind != 0 && count != 0 && start != 0 && start.checked_add(count).is_some() {
            sane += 1;
        }
    }
    sane > 0
}

/// A FAT, NTFS or exFAT boot sector: a jump, then a BIOS parameter block
/// whose bytes/sector is a power of two the formats allow. An MBR's bytes
/// 11..13 are boot code, rarely such a value.
fn is_volume_boot_record(b: &[u8]) -> bool {
    let oem = b.get(3..11);
    if oem == Some(&b"NTFS    "[..]) || oem == Some(&b"EXFAT   "[..]) {
        return true;
    }
    let jump = matches!(b.first(), Some(0xeb) | Some(0xe9));
    let bps = le16(b, 11).unwrap_or(0);
    let spc = b.get(13).copied().unwrap_or(0);
    jump && matches!(bps, 512 | 1024 | 2048 | 4096) && spc.is_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_mbr_is_a_disk_and_fat_vbr_is_not() {
        let mut b = vec![0u8; 1024];
        b[510] = 0x55;
        b[511] = 0xaa;
        assert!(!looks_like_disk(&b));
        b[446] = 0x80;
        b[446 + 4] = 0x83;
        b[446 + 8] = 1;
        b[446 + 12] = 1;
        assert!(looks_like_disk(&b));
        b[0] = 0xeb;
        b[11..13].copy_from_slice(&512u16.to_le_bytes());
        b[13] = 4;
        assert!(!looks_like_disk(&b));
    }

    #[test]
    fn bad_status_is_not_a_disk() {
        let mut b = vec![0u8; 512];
        b[510] = 0x55;
        b[511] = 0xaa;
        b[446] = 0x12;
        b[446 + 4] = 0x83;
        b[446 + 8] = 1;
        b[446 + 12] = 1;
        assert!(!looks_like_disk(&b));
    }
}
