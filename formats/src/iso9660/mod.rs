//! ISO9660 reader: volume descriptors, directory records with Rock Ridge and
//! Joliet, multi-extent files, the El Torito boot catalog and the system area
//! (isohybrid MBR/GPT).
//!
//! Part of formats/ (bytes → formats → engine → report): lists the members of
//! an ISO image as a [`Container`] whose entries are byte ranges of the image
//! itself (nothing is copied), never panicking on hostile bytes.
//!
//! Entries, in order: the primary tree (Rock Ridge names when the volume has
//! Rock Ridge, ISO names with `;1` and a trailing `.` removed otherwise), then
//! the Joliet tree under `<joliet>/` when a Joliet descriptor exists, then the
//! El Torito boot images (`<eltorito-N-bios>`, `<eltorito-N-efi>`), then the
//! partitions of the system area that the ISO tree does not already cover
//! (`<partition-N>`).
//!
//! A partition that is only another view of the volume is not a member:
//! isohybrid images made with `-partition_offset 16` (live-build, debian-cd)
//! start MBR and GPT partition 1 at 32 KiB with a second set of volume
//! descriptors over the same file extents, and grub-mkrescue's protective
//! label claims the whole volume from sector 1. Their descriptors become
//! header fields (`mbr.p1.pvd.*`, following the primary's), their
//! structures are mapped, and nothing is listed or compared twice.
//!
//! A file whose extent runs past the end of the image is still listed with
//! the size its record claims, but with `Data::None` and an error: handing
//! out a clamped range would present a silently shortened file as content.

mod descriptors;
mod directory;
mod eltorito;
mod rockridge;

use std::collections::HashSet;

use crate::model::{days_from_civil, Extent, Role, Value, Zone};
use crate::{Blob, Container, Data, Entry, Error, Format, Kind, Limits, Region, Result, Time};

/// The system area: the first 16 sectors of 2048 bytes.
const SYSTEM_AREA: usize = 16 * 2048;

/// Lists the members of an ISO9660 image.
pub fn open(blob: &Blob, limits: &Limits) -> Result<Container> {
    open_volume(blob, limits, true)
}

/// `partitions`: whether to look at the partition tables of the system
/// area (off when reading a partition's own view of the volume, so a
/// crafted image cannot nest views).
fn open_volume(blob: &Blob, limits: &Limits, partitions: bool) -> Result<Container> {
    let b = blob.bytes();
    let mut c = Container::new(Format::Iso9660, blob.clone());
    let vols = descriptors::read(b, &mut c)?;
    if vols.volume_bytes > blob.len() {
        c.errors.push(Error::truncated(
            Format::Iso9660,
            blob.len(),
            vols.volume_bytes,
            blob.len(),
        ));
    }
    let mut claimed = HashSet::new();
    if let Some(root) = vols.primary {
        directory::walk_tree(b, root, false, &mut c, limits, &mut claimed);
    }
    if let Some(root) = vols.joliet {
        directory::walk_tree(b, root, true, &mut c, limits, &mut claimed);
    }
    let block = vols.primary.map_or(2048, |r| r.block);
    if let Some(lba) = vols.boot_catalog {
        eltorito::read(b, lba, block, &mut c, limits, &mut claimed);
    }
    if partitions {
        system_area(blob, vols.volume_bytes, &mut c, limits);
    }
    Ok(c)
}

/// Describes the system area and lists partitions that hold more than the
/// ISO tree (an appended EFI partition, say).
fn system_area(blob: &Blob, volume_bytes: u64, c: &mut Container, limits: &Limits) {
    let b = blob.bytes();
    let sa = b.get(..SYSTEM_AREA.min(b.len())).unwrap_or_default();
    c.regions
        .push(Region::structure(0, sa.len() as u64, "system area"));
    let zero = sa.iter().all(|&x| x == 0);
    c.field("system_area.all_zero", zero, Role::Content);
    let mbr_sig = sa.get(510..512) == Some(&[0x55, 0xaa]);
    let code = sa.get(..440).is_some_and(|x| x.iter().any(|&y| y != 0));
    c.field("system_area.mbr_signature", mbr_sig, Role::Content);
    c.field("system_area.isohybrid", mbr_sig && code, Role::Content);
    let mut table = crate::partition::parse(b, 512);
    c.fields.append(&mut table.fields);
    // MBR, GPT headers and entries (including the backup GPT at the end of
    // the image) are owned by the partition tables, not left unowned.
    for (offset, len, name) in &table.structures {
        c.regions
            .push(Region::structure(*offset, *len, name.clone()));
    }
    let extents = file_extents(c);
    partition_entries(&table, volume_bytes, &extents, blob, c, limits);
}

/// What a partition of the system area is, relative to the volume.
enum View {
    /// It covers the volume from its first sectors (a protective label).
    Whole,
    /// It starts inside the volume with volume descriptors of its own whose
    /// files are the volume's own extents: the view's header fields and
    /// structures, in the outer image's offsets.
    Superblock(Container),
}

/// Whether partition `p` is another view of the volume rather than content
/// of its own. `extents` are the volume's file extents, sorted.
fn view_of(
    p: &crate::partition::Partition,
    volume_bytes: u64,
    extents: &[(u64, u64)],
    blob: &Blob,
    limits: &Limits,
) -> Option<View> {
    let end = p.offset.saturating_add(p.len);
    // From the system area to the volume's end, give or take the one
    // cylinder (64 heads of 32 sectors: 1 MiB) that partition tables round
    // to, and never more than a sixteenth of the volume.
    let slack = (volume_bytes / 16).min(1 << 20);
    let to_the_end = end <= volume_bytes && end.saturating_add(slack) >= volume_bytes;
    if p.offset < SYSTEM_AREA as u64 && to_the_end {
        return Some(View::Whole);
    }
    if p.offset == 0 || p.offset >= volume_bytes {
        return None;
    }
    // Its own primary volume descriptor 16 blocks in.
    let vd = p.offset.checked_add(SYSTEM_AREA as u64)?;
    let at = usize::try_from(vd).ok()?;
    if blob.bytes().get(at..at.checked_add(7)?) != Some(&b"CD001"[..]) {
        return None;
    }
    // To the end of the image, not of the partition: a GPT entry stops
    // short of the backup table while its descriptors still count the
    // whole volume.
    let part = blob
        .slice(p.offset, blob.len() - p.offset, Format::Iso9660)
        .ok()?;
    let view = open_volume(&part, limits, false).ok()?;
    // Every file of the view must be one of the volume's own extents.
    let own: HashSet<(u64, u64)> = extents.iter().copied().collect();
    let mut files = 0usize;
    for x in file_extents(&view) {
        if x.1 == 0 {
            continue;
        }
        files += 1;
        if !own.contains(&(x.0.checked_add(p.offset)?, x.1)) {
            return None;
        }
    }
    (files > 0 || extents.is_empty()).then_some(View::Superblock(view))
}

/// Records a view partition on the container: a field saying so, the
/// view's volume descriptors as fields named after the partition (each
/// following the primary volume's field of the same name), and its
/// structures in the outer offsets. Returns the field prefix used.
fn record_view(prefix: &str, view: View, offset: u64, c: &mut Container) {
    match view {
        View::Whole => {
            c.field(format!("{prefix}.view"), "the whole volume", Role::Content);
        }
        View::Superblock(v) => {
            c.field(
                format!("{prefix}.view"),
                "volume descriptors over the same files",
                Role::Content,
            );
            for f in v.fields {
                let own = f.name.starts_with("pvd.") || f.name.starts_with("svd");
                if !own {
                    continue;
                }
                let name = format!("{prefix}.{}", f.name);
                let follows = vec![f.name.clone()];
                let mut f = f;
                f.name = name.into();
                f.follows = follows;
                c.fields.push(f);
            }
            for r in v.regions {
                if let crate::Owner::Structure(s) = r.owner {
                    let Some(at) = r.offset.checked_add(offset) else {
                        continue;
                    };
                    c.regions
                        .push(Region::structure(at, r.len, format!("{prefix} {s}")));
                }
            }
            for e in v.errors {
                c.errors.push(e);
            }
        }
    }
}

/// Every data extent of the entries listed so far, sorted by offset.
fn file_extents(c: &Container) -> Vec<(u64, u64)> {
    let mut v: Vec<(u64, u64)> = Vec::new();
    for e in &c.entries {
        match &e.data {
            Data::Range(x) => v.push((x.offset, x.len)),
            Data::Extents(xs) => v.extend(xs.iter().map(|x| (x.offset, x.len))),
            _ => {}
        }
    }
    v.sort_unstable();
    v
}

/// Adds `<partition-N>` for each partition that reaches past the ISO volume,
/// or that starts elsewhere than 0 and is not simply one of the ISO's files.
fn partition_entries(
    t: &crate::partition::Table,
    volume_bytes: u64,
    extents: &[(u64, u64)],
    blob: &Blob,
    c: &mut Container,
    limits: &Limits,
) {
    let blob_len = blob.len();
    let mut done: Vec<(u32, u64, u64)> = Vec::new();
    // Views already recorded, by offset (where their descriptors are): a
    // GPT entry over the MBR's says so instead of repeating its fields.
    let mut views: Vec<(u64, String)> = Vec::new();
    for (gpt, p) in t
        .mbr
        .iter()
        .map(|p| (false, p))
        .chain(t.gpt.iter().map(|p| (true, p)))
    {
        let prefix = format!("{}.p{}", if gpt { "gpt" } else { "mbr" }, p.number);
        if let Some((_, first)) = views.iter().find(|(o, _)| *o == p.offset) {
            let same = format!("the same view as {first}");
            c.field(format!("{prefix}.view"), same, Role::Content);
            continue;
        }
        if let Some(view) = view_of(p, volume_bytes, extents, blob, limits) {
            record_view(&prefix, view, p.offset, c);
            views.push((p.offset, prefix));
            continue;
        }
        let end = p.offset.saturating_add(p.len);
        let beyond = end > volume_bytes;
        let covered = extents
            .iter()
            .any(|&(o, l)| o <= p.offset && end <= o.saturating_add(l));
        if !(beyond || (p.offset != 0 && !covered)) {
            continue;
        }
        let name = match done.iter().find(|d| d.0 == p.number) {
            Some(d) if (d.1, d.2) == (p.offset, p.len) => continue,
            Some(_) if gpt => format!("<gpt-partition-{}>", p.number),
            _ => format!("<partition-{}>", p.number),
        };
        done.push((p.number, p.offset, p.len));
        let mut e = Entry::new(name, Kind::File);
        e.size = p.len;
        let start = p.offset.min(blob_len);
        let len = end.min(blob_len).saturating_sub(start);
        if len < p.len {
            c.errors
                .push(Error::truncated(Format::Iso9660, p.offset, end, blob_len));
        }
        e.data = Data::Range(Extent { offset: start, len });
        e.meta.extra.push(crate::Field::new(
            "partition.table",
            if gpt { "gpt" } else { "mbr" },
            Role::Content,
        ));
        e.meta
            .extra
            .push(crate::Field::new("partition.type", &p.kind, Role::Content));
        if !p.name.is_empty() {
            e.meta
                .extra
                .push(crate::Field::new("partition.name", &p.name, Role::Content));
        }
        let idx = c.entries.len();
        if let Err(err) = c.push(e, limits) {
            c.errors.push(err);
            return;
        }
        if len > 0 {
            c.regions.push(Region {
                offset: start,
                len,
                owner: crate::Owner::Entry(idx),
            });
        }
    }
}

// ---- little readers shared by the submodules ----

/// A "both-byte-order" 16-bit number (ECMA-119 7.2.3); the little-endian half wins.
fn both16(b: &[u8], at: usize) -> Option<u16> {
    crate::bytes::le16(b, at)
}

/// A "both-byte-order" 32-bit number (ECMA-119 7.3.3); the little-endian half wins.
fn both32(b: &[u8], at: usize) -> Option<u32> {
    crate::bytes::le32(b, at)
}

/// A decoded time stamp: the instant (UTC) with the zone it was recorded
/// in, or the recorded text when it is not a valid date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub time: Option<Time>,
    pub value: Value,
}

/// `fraction`: digits of a second the date records (hundredths: 2).
fn stamp(time: Option<Time>, tz: i8, fraction: u8, text: impl FnOnce() -> String) -> Stamp {
    let value = match time {
        Some(t) => Value::Time {
            time: t,
            zone: Zone::Offset(i32::from(tz) * 15),
            fraction,
        },
        None => Value::Text(text()),
    };
    Stamp { time, value }
}

#[allow(clippy::too_many_arguments)]
fn instant(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32, tz: i8) -> Option<Time> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let local =
        days_from_civil(y, mo, d) * 86400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s);
    Some(Time {
        secs: local - i64::from(tz) * 900,
        nanos,
    })
}

/// The 7-byte recording date of directory records and short-form `TF`.
fn date7(r: &[u8]) -> Option<Stamp> {
    let &[y, mo, d, h, mi, s, tz] = r else {
        return None;
    };
    if r.iter().all(|&x| x == 0) {
        return None;
    }
    let tz = tz as i8;
    let year = 1900 + i64::from(y);
    let time = instant(
        year,
        mo.into(),
        d.into(),
        h.into(),
        mi.into(),
        s.into(),
        0,
        tz,
    );
    Some(stamp(time, tz, 0, || {
        format!("invalid {year:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    }))
}

/// The 17-byte "dec-datetime" of volume descriptors and long-form `TF`.
fn date17(r: &[u8]) -> Option<Stamp> {
    let (digits, tz) = (r.get(..16)?, *r.get(16)? as i8);
    if tz == 0 && digits.iter().all(|&x| x == b'0' || x == 0 || x == b' ') {
        return None;
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        let text = format!("invalid {}", String::from_utf8_lossy(digits).escape_debug());
        return Some(Stamp {
            time: None,
            value: Value::Text(text),
        });
    }
    let n = |a: usize, b: usize| {
        digits[a..b]
            .iter()
            .fold(0u32, |acc, &x| acc * 10 + u32::from(x - b'0'))
    };
    let (y, mo, d, h, mi, s, cs) = (
        n(0, 4),
        n(4, 6),
        n(6, 8),
        n(8, 10),
        n(10, 12),
        n(12, 14),
        n(14, 16),
    );
    let time = instant(y.into(), mo, d, h, mi, s, cs * 10_000_000, tz);
    Some(stamp(time, tz, 2, || {
        format!("invalid {y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{cs:02}")
    }))
}

#[cfg(test)]
mod tests;
