//! MBR and GPT partition tables: parsed for raw disk images (disk.rs) and for
//! the system area of isohybrid ISOs (iso9660), with every header field
//! (disk signature, disk and partition GUIDs) exposed for field-level diffs.
//!
//! Part of formats/ (bytes → formats → engine → report). Parsing never fails:
//! whatever is missing or inconsistent is simply not reported (or reported in
//! `Table::problems`), because a system area is often only half a table (an
//! isohybrid MBR without GPT, a GPT whose backup lies past a truncated end).

use std::collections::HashSet;

use crate::bytes::{le16, le32, le64};
use crate::{Field, Role, Value};

/// One partition, from either table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// 1-based number in its table (MBR logical partitions start at 5, GPT
    /// numbers are entry slots, so unused slots leave gaps).
    pub number: u32,
    /// Byte offset from the start of the disk.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
    /// MBR type byte or GPT type GUID, as text.
    pub kind: String,
    /// GPT partition name (UTF-16 decoded), empty for MBR.
    pub name: String,
    /// Friendly name of `kind` when it is a well-known type, else empty.
    pub type_name: String,
    /// GPT unique partition GUID, empty for MBR.
    pub guid: String,
}

/// The partition tables found at the start of a disk or system area.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// MBR primary and logical partitions (non-empty entries), without the
    /// protective (0xEE) and extended (0x05/0x0F/0x85) containers.
    pub mbr: Vec<Partition>,
    /// GPT partitions, when a GPT header was found.
    pub gpt: Vec<Partition>,
    /// All decoded fields: `mbr.disk_signature`, `mbr.p1.type`, `gpt.disk_guid`,
    /// `gpt.p1.guid`, ...
    pub fields: Vec<Field>,
    /// Byte ranges of the table structures: (offset, len, name).
    pub structures: Vec<(u64, u64, String)>,
    /// Inconsistencies that did not stop parsing: (offset, description).
    pub problems: Vec<(u64, String)>,
    /// True when the MBR is a GPT protective MBR (a type 0xEE entry).
    pub protective: bool,
}

/// Logical partitions followed through an EBR chain before giving up.
const MAX_LOGICAL: usize = 128;
/// GPT entries read at most (the spec minimum is 128; xorriso writes 248).
const MAX_GPT_ENTRIES: u32 = 1024;
/// Largest GPT entry accepted (the spec allows 128 × 2^n).
const MAX_GPT_ENTRY_SIZE: u32 = 4096;

/// Parses whatever MBR and GPT structures are present in `b` (a disk from
/// offset 0). `sector` is the logical sector size (512 for nearly all images).
pub fn parse(b: &[u8], sector: u64) -> Table {
    let mut t = Table::default();
    let sector = if sector == 0 { 512 } else { sector };
    parse_mbr(b, sector, &mut t);
    parse_gpt(b, sector, &mut t);
    t
}

fn parse_mbr(b: &[u8], sector: u64, t: &mut Table) {
    if b.get(510..512) != Some(&[0x55, 0xaa][..]) {
        return;
    }
    t.structures.push((0, 512, "mbr".into()));
    if let Some(sig) = le32(b, 440) {
        t.fields.push(
            // xorriso derives it from the volume date or the GPT disk GUID.
            Field::new(
                "mbr.disk_signature",
                Value::Id(format!("0x{sig:08x}")),
                Role::Identifier,
            )
            .follows(&["gpt.disk_guid", "pvd.modification_date"]),
        );
    }
    if let Some(code) = b.get(..MBR_CODE) {
        t.fields.push(Field::new(
            "mbr.boot_code",
            boot_code(code, None),
            Role::Content,
        ));
    }
    let mut extended = Vec::new();
    for i in 0..4u32 {
        let at = 446 + 16 * i as usize;
        let Some(e) = MbrEntry::read(b, at) else {
            continue;
        };
        if e.is_empty() {
            continue;
        }
        let n = i + 1;
        e.push_fields(&mut t.fields, n, e.start);
        match e.kind {
            0xee => t.protective = true,
            0x05 | 0x0f | 0x85 => extended.push(e.start),
            _ => t.mbr.push(e.partition(n, e.start, sector)),
        }
    }
    // One extended partition is the norm; follow the first only, as
    // operating systems do.
    if let Some(&base) = extended.first() {
        parse_ebr_chain(b, sector, base, t);
    }
}

fn parse_ebr_chain(b: &[u8], sector: u64, base: u64, t: &mut Table) {
    let mut visited = HashSet::new();
    let mut ebr = base;
    let mut n = 5u32;
    for _ in 0..MAX_LOGICAL {
        let Some(at) = ebr
            .checked_mul(sector)
            .and_then(|v| usize::try_from(v).ok())
        else {
            return;
        };
        if !visited.insert(ebr) {
            t.problems
                .push((at as u64, format!("EBR chain loops back to LBA {ebr}")));
            return;
        }
        let Some(blk) = at.checked_add(512).and_then(|end| b.get(at..end)) else {
            // Beyond the bytes given: a system area cut short, not an error.
            return;
        };
        if blk.get(510..512) != Some(&[0x55, 0xaa][..]) {
            t.problems.push((at as u64, "EBR without 0x55AA".into()));
            return;
        }
        t.structures.push((at as u64, 512, format!("ebr.p{n}")));
        if let Some(e) = MbrEntry::read(blk, 446) {
            if !e.is_empty() {
                let start = ebr.saturating_add(e.start);
                e.push_fields(&mut t.fields, n, start);
                t.mbr.push(e.partition(n, start, sector));
                n += 1;
            }
        }
        match MbrEntry::read(blk, 462) {
            Some(next) if !next.is_empty() && next.start != 0 => {
                ebr = base.saturating_add(next.start);
            }
            _ => return,
        }
    }
    t.problems
        .push((0, format!("more than {MAX_LOGICAL} logical partitions")));
}

struct MbrEntry {
    status: u8,
    chs_first: [u8; 3],
    kind: u8,
    chs_last: [u8; 3],
    start: u64,
    sectors: u64,
}

impl MbrEntry {
    fn read(b: &[u8], at: usize) -> Option<MbrEntry> {
        let e = b.get(at..at.checked_add(16)?)?;
        Some(MbrEntry {
            status: *e.first()?,
            chs_first: [*e.get(1)?, *e.get(2)?, *e.get(3)?],
            kind: *e.get(4)?,
            chs_last: [*e.get(5)?, *e.get(6)?, *e.get(7)?],
            start: u64::from(le32(e, 8)?),
            sectors: u64::from(le32(e, 12)?),
        })
    }

    fn is_empty(&self) -> bool {
        self.kind == 0 && self.start == 0 && self.sectors == 0
    }

    fn push_fields(&self, f: &mut Vec<Field>, n: u32, start: u64) {
        let p = format!("mbr.p{n}");
        f.push(Field::new(
            format!("{p}.status"),
            Value::hex(self.status),
            Role::Content,
        ));
        f.push(Field::new(
            format!("{p}.type"),
            Value::hex(self.kind),
            Role::Content,
        ));
        f.push(Field::new(
            format!("{p}.chs_first"),
            chs(self.chs_first),
            Role::Location,
        ));
        f.push(Field::new(
            format!("{p}.chs_last"),
            chs(self.chs_last),
            Role::Location,
        ));
        f.push(Field::new(format!("{p}.start_lba"), start, Role::Location));
        f.push(Field::new(
            format!("{p}.sectors"),
            self.sectors,
            Role::Structure,
        ));
    }

    fn partition(&self, number: u32, start: u64, sector: u64) -> Partition {
        Partition {
            number,
            offset: start.saturating_mul(sector),
            len: self.sectors.saturating_mul(sector),
            kind: format!("0x{:02x}", self.kind),
            name: String::new(),
            type_name: mbr_type_name(self.kind).to_string(),
            guid: String::new(),
        }
    }
}

/// CHS as cylinder/head/sector, decoded from the packed 3 bytes.
/// Boot code of an MBR compared as code: bytes 432..440 are where
/// xorriso's isohybrid MBR gets the boot image's LBA patched in, which
/// moves whenever a file before it grows.
const MBR_CODE: usize = 432;

/// The loader a boot code area holds, by the messages it prints (or the
/// OEM name its installer wrote into a volume boot record, `hint`).
pub fn loader(code: &[u8], hint: Option<&str>) -> &'static str {
    let has = |s: &[u8]| code.windows(s.len()).any(|w| w == s);
    if code.iter().all(|&c| c == 0) {
        "none (zeros)"
    } else if has(b"isolinux.bin missing") {
        "isohybrid MBR (syslinux isohdpfx.bin)"
    } else if has(b"!GPT") && has(b"Missing OS") {
        "syslinux gptmbr.bin"
    } else if has(b"Missing operating system") {
        "syslinux mbr.bin"
    } else if hint.is_some_and(|h| h.trim() == "SYSLINUX") {
        "syslinux (loads ldlinux.sys)"
    } else if has(b"This is not a bootable disk") {
        "mkfs.fat message, no loader"
    } else if has(b"GRUB") {
        "GRUB"
    } else {
        "unknown"
    }
}

/// A boot code area as one value: its loader, size and CRC-32, so two
/// that differ say so without a hex dump.
pub fn boot_code(code: &[u8], hint: Option<&str>) -> Value {
    Value::Text(format!(
        "{} ({} bytes, crc32 {:08x})",
        loader(code, hint),
        code.len(),
        crc32(code)
    ))
}

fn chs(c: [u8; 3]) -> String {
    let [h, s, cl] = c;
    let cyl = (u32::from(s & 0xc0) << 2) | u32::from(cl);
    format!("{cyl}/{h}/{}", s & 0x3f)
}

fn mbr_type_name(t: u8) -> &'static str {
    match t {
        0x00 => "empty",
        0x01 => "FAT12",
        0x04 | 0x06 | 0x0e => "FAT16",
        0x07 => "NTFS/exFAT",
        0x0b | 0x0c => "FAT32",
        0x82 => "Linux swap",
        0x83 => "Linux",
        0x8e => "Linux LVM",
        0xef => "EFI System",
        0xee => "GPT protective",
        0xfd => "Linux RAID",
        _ => "",
    }
}

fn parse_gpt(b: &[u8], sector: u64, t: &mut Table) {
    let Ok(hdr_at) = usize::try_from(sector) else {
        return;
    };
    if hdr_at.checked_add(8).and_then(|e| b.get(hdr_at..e)) != Some(&b"EFI PART"[..]) {
        return;
    }
    let Some(h) = GptHeader::read(b, hdr_at) else {
        t.problems.push((sector, "GPT header truncated".into()));
        return;
    };
    t.structures
        .push((sector, u64::from(h.header_size), "gpt.header".into()));
    let f = &mut t.fields;
    f.push(Field::new(
        "gpt.revision",
        format!("{}.{}", h.revision >> 16, h.revision & 0xffff),
        Role::Content,
    ));
    f.push(Field::new(
        "gpt.header_size",
        h.header_size,
        Role::Structure,
    ));
    f.push(Field::new("gpt.header_crc_ok", h.crc_ok, Role::Structure));
    f.push(Field::new("gpt.current_lba", h.current_lba, Role::Location));
    f.push(Field::new("gpt.backup_lba", h.backup_lba, Role::Location));
    f.push(Field::new(
        "gpt.first_usable_lba",
        h.first_usable,
        Role::Location,
    ));
    f.push(Field::new(
        "gpt.last_usable_lba",
        h.last_usable,
        Role::Location,
    ));
    let disk_guid = Field::new(
        "gpt.disk_guid",
        Value::Id(guid(&h.disk_guid)),
        Role::Identifier,
    );
    // xorriso makes it from the volume's modification date when one is set.
    f.push(if from_volume_date(&h.disk_guid) {
        disk_guid.follows(&["pvd.modification_date"])
    } else {
        disk_guid
    });
    f.push(Field::new("gpt.entries_lba", h.entries_lba, Role::Location));
    f.push(Field::new(
        "gpt.entry_count",
        h.entry_count,
        Role::Structure,
    ));
    f.push(Field::new("gpt.entry_size", h.entry_size, Role::Structure));

    let entries = h.entries(b, sector);
    let entries_ok = match entries {
        Some((_, e)) => crc32(e) == h.entries_crc,
        None => false,
    };
    t.fields.push(Field::new(
        "gpt.entries_crc_ok",
        entries_ok,
        Role::Structure,
    ));
    let Some((at, table)) = entries else {
        t.problems
            .push((sector, "GPT partition entries out of range".into()));
        return;
    };
    t.structures
        .push((at, table.len() as u64, "gpt.entries".into()));
    let size = h.entry_size as usize;
    for (i, e) in table.chunks_exact(size.max(1)).enumerate() {
        let n = i as u32 + 1;
        if let Some(p) = gpt_entry(e, n, sector, &mut t.fields, &mut t.problems, at) {
            t.gpt.push(p);
        }
    }
    parse_backup(b, sector, &h, t);
}

/// Records where the backup header and its entries are, and whether the
/// backup agrees with the primary (a common reproducibility difference when
/// a tool writes the backup from stale data).
fn parse_backup(b: &[u8], sector: u64, h: &GptHeader, t: &mut Table) {
    let Some(at) = h.backup_lba.checked_mul(sector) else {
        return;
    };
    let Some(a) = usize::try_from(at).ok() else {
        return;
    };
    let sig = a.checked_add(8).and_then(|e| b.get(a..e));
    let Some(bh) = GptHeader::read(b, a).filter(|_| sig == Some(&b"EFI PART"[..])) else {
        // Only worth saying when the backup should be within the bytes given.
        if a < b.len() {
            t.fields
                .push(Field::new("gpt.backup_found", false, Role::Structure));
        }
        return;
    };
    t.fields
        .push(Field::new("gpt.backup_found", true, Role::Structure));
    t.fields.push(Field::new(
        "gpt.backup_header_crc_ok",
        bh.crc_ok,
        Role::Structure,
    ));
    t.structures
        .push((at, u64::from(bh.header_size), "gpt.backup_header".into()));
    if let Some((eat, e)) = bh.entries(b, sector) {
        t.fields.push(Field::new(
            "gpt.backup_entries_crc_ok",
            crc32(e) == bh.entries_crc,
            Role::Structure,
        ));
        t.structures
            .push((eat, e.len() as u64, "gpt.backup_entries".into()));
    }
}

struct GptHeader {
    revision: u32,
    header_size: u32,
    crc_ok: bool,
    current_lba: u64,
    backup_lba: u64,
    first_usable: u64,
    last_usable: u64,
    disk_guid: [u8; 16],
    entries_lba: u64,
    entry_count: u32,
    entry_size: u32,
    entries_crc: u32,
}

impl GptHeader {
    fn read(b: &[u8], at: usize) -> Option<GptHeader> {
        let h = b.get(at..at.checked_add(92)?)?;
        let header_size = le32(h, 12)?;
        // The CRC covers header_size bytes with the CRC field itself zeroed.
        let crc_ok = (92..=4096).contains(&header_size)
            && b.get(at..at.checked_add(header_size as usize)?)
                .map(|full| {
                    let mut v = full.to_vec();
                    if let Some(c) = v.get_mut(16..20) {
                        c.fill(0);
                    }
                    crc32(&v) == le32(h, 16).unwrap_or(0)
                })
                .unwrap_or(false);
        Some(GptHeader {
            revision: le32(h, 8)?,
            header_size,
            crc_ok,
            current_lba: le64(h, 24)?,
            backup_lba: le64(h, 32)?,
            first_usable: le64(h, 40)?,
            last_usable: le64(h, 48)?,
            disk_guid: h.get(56..72)?.try_into().ok()?,
            entries_lba: le64(h, 72)?,
            entry_count: le32(h, 80)?,
            entry_size: le32(h, 84)?,
            entries_crc: le32(h, 88)?,
        })
    }

    /// The entry array, bounded by `MAX_GPT_ENTRIES` and by the bytes given.
    fn entries<'a>(&self, b: &'a [u8], sector: u64) -> Option<(u64, &'a [u8])> {
        if self.entry_size < 128 || self.entry_size > MAX_GPT_ENTRY_SIZE {
            return None;
        }
        let count = self.entry_count.min(MAX_GPT_ENTRIES);
        let len = u64::from(count) * u64::from(self.entry_size);
        let at = self.entries_lba.checked_mul(sector)?;
        let s = usize::try_from(at).ok()?;
        let e = s.checked_add(usize::try_from(len).ok()?)?;
        Some((at, b.get(s..e)?))
    }
}

fn gpt_entry(
    e: &[u8],
    n: u32,
    sector: u64,
    f: &mut Vec<Field>,
    problems: &mut Vec<(u64, String)>,
    table_at: u64,
) -> Option<Partition> {
    let type_guid: [u8; 16] = e.get(0..16)?.try_into().ok()?;
    if type_guid == [0; 16] {
        return None;
    }
    let uniq: [u8; 16] = e.get(16..32)?.try_into().ok()?;
    let first = le64(e, 32)?;
    let last = le64(e, 40)?;
    let attrs = le64(e, 48)?;
    let name = utf16_name(e.get(56..128)?);
    let kind = guid(&type_guid);
    let uniq = guid(&uniq);
    let type_name = gpt_type_name(&kind);
    let p = format!("gpt.p{n}.");
    // Field names without the formatting machinery: a hostile table has
    // up to MAX_GPT_ENTRIES of these.
    let key = |field: &str| {
        let mut k = String::with_capacity(p.len() + field.len());
        k.push_str(&p);
        k.push_str(field);
        k
    };
    f.push(Field::new(key("type"), &kind, Role::Content));
    if !type_name.is_empty() {
        f.push(Field::new(key("type_name"), type_name, Role::Content));
    }
    // xorriso derives partition GUIDs from the disk GUID.
    f.push(
        Field::new(key("guid"), Value::Id(uniq.clone()), Role::Identifier)
            .follows(&["gpt.disk_guid"]),
    );
    f.push(Field::new(key("first_lba"), first, Role::Location));
    f.push(Field::new(key("last_lba"), last, Role::Location));
    f.push(Field::new(
        key("attributes"),
        Value::hex(attrs),
        Role::Content,
    ));
    f.push(Field::new(key("name"), &name, Role::Content));
    let sectors = match last.checked_sub(first) {
        Some(d) => d.saturating_add(1),
        None => {
            let off = table_at + u64::from(n - 1) * e.len() as u64;
            problems.push((off, format!("GPT entry {n} ends before it starts")));
            0
        }
    };
    Some(Partition {
        number: n,
        offset: first.saturating_mul(sector),
        len: sectors.saturating_mul(sector),
        kind,
        name,
        type_name: type_name.to_string(),
        guid: uniq,
    })
}

fn utf16_name(b: &[u8]) -> String {
    if b.get(..2) == Some(&[0, 0]) {
        return String::new();
    }
    let units = b
        .chunks_exact(2)
        .filter_map(|c| le16(c, 0))
        .take_while(|&u| u != 0);
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Whether a GUID is an ISO 9660 date's 16 digits (`YYYYMMDDhhmmsscc`)
/// with the UUID version (4) and variant bits set in bytes 7 and 8, as
/// xorriso writes a GPT disk GUID from the volume modification date.
fn from_volume_date(g: &[u8; 16]) -> bool {
    g.iter().enumerate().all(|(i, &x)| match i {
        7 => x & 0xf0 == 0x40 && (x & 0x0f) <= 9,
        8 => x & 0xc0 == 0x80 && (x & 0x3f).wrapping_sub(b'0') <= 9,
        _ => x.is_ascii_digit(),
    })
}

/// Text form of an on-disk GUID: the first three groups are little-endian,
/// the last two big-endian. Upper case, as gdisk and sfdisk print them.
pub fn guid(g: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // Byte order of the text form, and where the dashes go.
    const ORDER: [usize; 16] = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    let mut s = String::with_capacity(36);
    for (i, &k) in ORDER.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push(char::from(HEX[usize::from(g[k] >> 4)]));
        s.push(char::from(HEX[usize::from(g[k] & 0x0f)]));
    }
    s
}

fn gpt_type_name(g: &str) -> &'static str {
    match g {
        "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" => "EFI System",
        "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7" => "Microsoft basic data",
        "0FC63DAF-8483-4772-8E79-3D69D8477DE4" => "Linux filesystem",
        "21686148-6449-6E6F-744E-656564454649" => "BIOS boot",
        "48465300-0000-11AA-AA11-00306543ECAC" => "HFS+",
        "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F" => "Linux swap",
        "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" => "Linux root (x86-64)",
        "E6D6D379-F507-44C2-A23C-238F2A3DF928" => "Linux LVM",
        "E3C9E316-0B5C-4DB8-817D-F92DF00215AE" => "Microsoft reserved",
        _ => "",
    }
}

const CRC_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// CRC-32 (IEEE 802.3, reflected), as used by GPT headers and entry arrays.
pub fn crc32(b: &[u8]) -> u32 {
    !b.iter().fold(!0u32, |c, &x| {
        CRC_TABLE[((c ^ u32::from(x)) & 0xff) as usize] ^ (c >> 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn guid_is_mixed_endian() {
        let g = [
            0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e,
            0xc9, 0x3b,
        ];
        assert_eq!(guid(&g), "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
    }

    /// The disk GUID of a live-build image (xorriso 1.5, volume date
    /// 2026-12-03 10:05:20.00): the date's digits, version and variant set.
    #[test]
    fn a_guid_made_from_the_volume_date_is_recognised() {
        let g = *b"2026120\x43\xb10052000";
        assert!(from_volume_date(&g));
        let random = [
            0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e,
            0xc9, 0x3b,
        ];
        assert!(!from_volume_date(&random));
        assert!(!from_volume_date(b"2026120310052000"), "no version bits");
    }

    #[test]
    fn chs_unpacks() {
        // Head 254, sector 63, cylinder 1023: the "past the CHS limit" marker.
        assert_eq!(chs([0xfe, 0xff, 0xff]), "1023/254/63");
    }

    #[test]
    fn nothing_from_garbage() {
        let t = parse(&[0u8; 100], 512);
        assert_eq!(t, Table::default());
        let t = parse(&[0xffu8; 4096], 512);
        assert!(t.mbr.is_empty() && t.gpt.is_empty());
    }

    #[test]
    fn ebr_loop_is_detected() {
        let mut b = vec![0u8; 4096];
        b[510] = 0x55;
        b[511] = 0xaa;
        // Primary 1: extended at LBA 2.
        b[446 + 4] = 0x05;
        b[446 + 8] = 2;
        b[446 + 12] = 4;
        // EBR at LBA 2: one logical, next EBR = extended start + 0 → itself.
        let e = 2 * 512;
        b[e + 510] = 0x55;
        b[e + 511] = 0xaa;
        b[e + 446 + 4] = 0x83;
        b[e + 446 + 8] = 1;
        b[e + 446 + 12] = 1;
        b[e + 462 + 4] = 0x05;
        b[e + 462 + 8] = 0;
        b[e + 462 + 12] = 1;
        let t = parse(&b, 512);
        // next.start == 0 ends the chain, so make it point back explicitly.
        assert_eq!(t.mbr.len(), 1);
        b[e + 462 + 8] = 1;
        let e2 = 3 * 512;
        b[e2 + 510] = 0x55;
        b[e2 + 511] = 0xaa;
        b[e2 + 462 + 4] = 0x05;
        b[e2 + 462 + 8] = 1; // back to LBA 3 itself
        b[e2 + 462 + 12] = 1;
        let t = parse(&b, 512);
        assert!(t.problems.iter().any(|(_, p)| p.contains("loops")), "{t:?}");
    }
}
