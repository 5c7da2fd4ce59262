//! El Torito boot catalog: the validation entry, the initial/default entry,
//! section headers and section entries, each image listed as a member
//! `<eltorito-N-bios>` / `<eltorito-N-efi>` in catalog order.
//!
//! Part of the ISO9660 reader in formats/ (bytes → formats → engine →
//! report). The catalog's sector count is unreliable for no-emulation
//! images (isolinux says 4), so an image's size comes from, in order: the
//! file of the tree that starts at the image, the floppy size of an emulated
//! floppy, the boot sector of a FAT image, and only then the sector count.
//! An image that would run past the end of the ISO is clamped, with an error.

use std::collections::HashSet;

use crate::bytes::{le16, le32};
use crate::model::Extent;
use crate::{
    Container, Data, Entry, Error, Field, Format, Kind, Limits, Owner, Region, Role, Value,
};

/// Catalog entries read at most (a catalog of 4 sectors of 2048 bytes).
const MAX_ENTRIES: usize = 4 * 2048 / 32;

struct Image {
    platform: u8,
    section: usize,
    bootable: u8,
    media: u8,
    load_segment: u16,
    system_type: u8,
    sector_count: u16,
    load_rba: u32,
    selection: u8,
}

fn platform_name(p: u8) -> String {
    match p {
        0x00 => "bios".into(),
        0x01 => "ppc".into(),
        0x02 => "mac".into(),
        0xef => "efi".into(),
        p => format!("platform-{p:02x}"),
    }
}

fn emulation(media: u8) -> &'static str {
    match media & 0x0f {
        0 => "no-emulation",
        1 => "floppy-1.2m",
        2 => "floppy-1.44m",
        3 => "floppy-2.88m",
        4 => "hard-disk",
        _ => "unknown",
    }
}

fn ident(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .trim_end_matches([' ', '\0'])
        .to_string()
}

fn image(e: &[u8], platform: u8, section: usize) -> Option<Image> {
    Some(Image {
        platform,
        section,
        bootable: *e.first()?,
        media: *e.get(1)?,
        load_segment: le16(e, 2)?,
        system_type: *e.get(4)?,
        sector_count: le16(e, 6)?,
        load_rba: le32(e, 8)?,
        selection: *e.get(12)?,
    })
}

/// Reads the catalog at block `lba` and lists its images.
pub(super) fn read(
    b: &[u8],
    lba: u32,
    block: u64,
    c: &mut Container,
    limits: &Limits,
    claimed: &mut HashSet<u64>,
) {
    let Some(at) = u64::from(lba).checked_mul(block) else {
        return;
    };
    let entry = |i: usize| -> Option<&[u8]> {
        let s = usize::try_from(at).ok()?.checked_add(i.checked_mul(32)?)?;
        b.get(s..s.checked_add(32)?)
    };
    let Some(v) = entry(0) else {
        c.errors.push(Error::truncated(
            Format::Iso9660,
            at,
            at.saturating_add(32),
            b.len() as u64,
        ));
        return;
    };
    c.field("eltorito.catalog_offset", at, Role::Location);
    if v[0] != 1 || v[30..32] != [0x55, 0xaa] {
        c.errors.push(Error::invalid(
            Format::Iso9660,
            at,
            "El Torito validation entry",
        ));
        return;
    }
    let sum = v
        .chunks_exact(2)
        .filter_map(|w| le16(w, 0))
        .fold(0u16, u16::wrapping_add);
    let platform = v[1];
    c.field(
        "eltorito.validation.platform_id",
        Value::hex(platform),
        Role::Content,
    );
    c.field("eltorito.validation.id", ident(&v[4..28]), Role::Content);
    c.field(
        "eltorito.validation.checksum",
        Value::hex(u16::from_le_bytes([v[28], v[29]])),
        Role::Structure,
    );
    c.field("eltorito.validation.checksum_ok", sum == 0, Role::Structure);
    if sum != 0 {
        c.errors.push(Error::invalid(
            Format::Iso9660,
            at + 28,
            "El Torito validation checksum",
        ));
    }
    let mut images = Vec::new();
    images.extend(entry(1).and_then(|e| image(e, platform, 0)));
    let mut i = 2;
    let mut sections = 0usize;
    while i < MAX_ENTRIES {
        let Some(h) = entry(i) else { break };
        let kind = h[0];
        if kind != 0x90 && kind != 0x91 {
            break;
        }
        sections += 1;
        let count = usize::from(le16(h, 2).unwrap_or(0));
        let p = format!("eltorito.section{sections}");
        c.field(format!("{p}.platform_id"), Value::hex(h[1]), Role::Content);
        c.field(format!("{p}.id"), ident(&h[4..32]), Role::Content);
        c.field(format!("{p}.entries"), count, Role::Structure);
        c.field(format!("{p}.final"), kind == 0x91, Role::Structure);
        i += 1;
        for _ in 0..count {
            if i >= MAX_ENTRIES {
                break;
            }
            let Some(e) = entry(i) else { break };
            if e[0] != 0x88 && e[0] != 0x00 {
                c.errors.push(Error::invalid(
                    Format::Iso9660,
                    at + 32 * i as u64,
                    "El Torito section entry",
                ));
                break;
            }
            images.extend(image(e, h[1], sections));
            i += 1;
            // Extension entries (0x44) carry more selection criteria.
            while i < MAX_ENTRIES && entry(i).is_some_and(|x| x[0] == 0x44) {
                i += 1;
            }
        }
        if kind == 0x91 {
            break;
        }
    }
    let used = (i.max(2) as u64 * 32).div_ceil(block) * block;
    let len = used.min((b.len() as u64).saturating_sub(at));
    c.regions
        .push(Region::structure(at, len, "el torito boot catalog"));
    for (n, img) in images.iter().enumerate() {
        add_image(b, block, n + 1, img, c, limits, claimed);
    }
}

/// The size of a FAT file system from its boot sector, if `s` starts with one.
fn fat_size(s: &[u8]) -> Option<u64> {
    if s.get(510..512)? != [0x55, 0xaa] {
        return None;
    }
    let bps = u64::from(le16(s, 11)?);
    if !matches!(bps, 512 | 1024 | 2048 | 4096) || *s.get(13)? == 0 || le16(s, 14)? == 0 {
        return None;
    }
    let total = match le16(s, 19)? {
        0 => u64::from(le32(s, 32)?),
        n => u64::from(n),
    };
    (total > 0).then_some(total * bps)
}

fn add_image(
    b: &[u8],
    block: u64,
    n: usize,
    img: &Image,
    c: &mut Container,
    limits: &Limits,
    claimed: &mut HashSet<u64>,
) {
    let plat = platform_name(img.platform);
    let p = format!("eltorito.image{n}");
    let offset = u64::from(img.load_rba).saturating_mul(block);
    let file = c.entries.iter().find(|e| {
        !e.path.starts_with('<') && e.kind == Kind::File && e.data.offset() == Some(offset)
    });
    let at = usize::try_from(offset).ok();
    let (size, source) = if let Some(f) = file {
        (f.size, format!("file {}", f.path))
    } else if let Some(sz) = match img.media & 0x0f {
        1 => Some(1_228_800),
        2 => Some(1_474_560),
        3 => Some(2_949_120),
        _ => None,
    } {
        (sz, "floppy emulation".to_string())
    } else if let Some(sz) = at.and_then(|a| b.get(a..)).and_then(fat_size) {
        (sz, "fat boot sector".to_string())
    } else {
        (
            u64::from(img.sector_count) * 512,
            "sector count".to_string(),
        )
    };
    let fields: [(&str, Value, Role); 12] = [
        ("platform_id", Value::hex(img.platform), Role::Content),
        ("section", img.section.into(), Role::Content),
        ("bootable", (img.bootable == 0x88).into(), Role::Content),
        ("media_type", Value::hex(img.media), Role::Content),
        ("emulation", emulation(img.media).into(), Role::Content),
        ("load_segment", Value::hex(img.load_segment), Role::Content),
        ("system_type", Value::hex(img.system_type), Role::Content),
        ("sector_count", img.sector_count.into(), Role::Structure),
        ("load_rba", img.load_rba.into(), Role::Location),
        (
            "selection_criteria",
            Value::hex(img.selection),
            Role::Content,
        ),
        ("size", size.into(), Role::Structure),
        ("size_source", source.into(), Role::Content),
    ];
    let mut e = Entry::new(format!("<eltorito-{n}-{plat}>"), Kind::File);
    for (k, v, role) in fields {
        c.field(format!("{p}.{k}"), v.clone(), role);
        e.meta
            .extra
            .push(Field::new(format!("eltorito.{k}"), v, role));
    }
    let blen = b.len() as u64;
    let start = offset.min(blen);
    let len = offset.saturating_add(size).min(blen) - start;
    if len < size {
        c.errors.push(Error::truncated(
            Format::Iso9660,
            offset,
            offset.saturating_add(size),
            blen,
        ));
    }
    e.size = len;
    e.data = Data::Range(Extent { offset: start, len });
    let idx = c.entries.len();
    if let Err(err) = c.push(e, limits) {
        c.errors.push(err);
        return;
    }
    if len > 0 && claimed.insert(start) {
        c.regions.push(Region {
            offset: start,
            len,
            owner: Owner::Entry(idx),
        });
    }
}
