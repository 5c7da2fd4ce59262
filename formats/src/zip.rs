//! ZIP archives (.zip, .jar, .whl, .epub, .apk): members from the central
//! directory, checked against their local headers, with the fields that
//! make two builds of the same files differ (DOS times in local time, the
//! Info-ZIP extended timestamps with their atime, Unix owners, the
//! compression method and level flags, member order).
//!
//! Part of formats/ (bytes → formats → engine → report). Stored members
//! are ranges of the archive (zero-copy); deflated ones are `Data::Deflate`
//! ranges, decoded only when read. Other methods and encrypted members are
//! listed with their stored bytes and an error saying they were not decoded.

use crate::bytes::{le16, le32, le64, le_uint};
use crate::model::{Data, Entry, Extent, Field, Kind, Region, Role, Time, Value};
use crate::{Blob, Container, Error, ErrorKind, Format, Limits, Result};

const LOCAL: &[u8; 4] = b"PK\x03\x04";
const CENTRAL: &[u8; 4] = b"PK\x01\x02";
const EOCD: &[u8; 4] = b"PK\x05\x06";
const EOCD64: &[u8; 4] = b"PK\x06\x06";
const EOCD64_LOCATOR: &[u8; 4] = b"PK\x06\x07";

/// The end record is 22 bytes plus a comment of at most 65,535.
const EOCD_SEARCH: usize = 22 + 0xffff;
/// Symlink targets are read at listing time; longer ones are not targets.
const MAX_TARGET: u64 = 4096;

fn err(offset: u64, kind: ErrorKind) -> Error {
    Error::new(Format::Zip, offset, kind)
}

/// True when `b` is an empty archive: an end record and nothing before it.
/// (An archive with members starts with a local header: that is a plain
/// magic, in the detection table.)
pub fn is_empty_archive(b: &[u8]) -> bool {
    b.starts_with(EOCD) && b.len() >= 22
}

/// Where the central directory is, from the end records.
struct End {
    /// Offset of the end record (or the zip64 end record).
    at: usize,
    entries: u64,
    cd_offset: u64,
    cd_size: u64,
    comment: String,
    zip64: bool,
}

fn find_end(b: &[u8]) -> Result<End> {
    let from = b.len().saturating_sub(EOCD_SEARCH);
    let tail = b.get(from..).unwrap_or(&[]);
    // The last end record whose comment runs exactly to the end of the
    // file; failing that, the last one at all (trailing junk after it).
    let mut found = None;
    for i in (0..tail.len().saturating_sub(21)).rev() {
        if tail.get(i..i + 4) == Some(EOCD) {
            let clen = usize::from(le16(tail, i + 20).unwrap_or(0));
            if i + 22 + clen == tail.len() {
                found = Some(i);
                break;
            }
            found.get_or_insert(i);
        }
    }
    let Some(i) = found else {
        return Err(err(b.len() as u64, ErrorKind::BadMagic));
    };
    let at = from + i;
    let r = b.get(at..).unwrap_or(&[]);
    let field16 = |o| le16(r, o).map(u64::from).unwrap_or(0);
    let field32 = |o| le32(r, o).map(u64::from).unwrap_or(0);
    let clen = usize::from(le16(r, 20).unwrap_or(0));
    let comment = r
        .get(22..22 + clen)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .unwrap_or_default();
    let mut end = End {
        at,
        entries: field16(10),
        cd_size: field32(12),
        cd_offset: field32(16),
        comment,
        zip64: false,
    };
    // Zip64: a locator just before the end record points at a bigger one.
    if let Some(loc) = at.checked_sub(20) {
        if b.get(loc..loc + 4) == Some(EOCD64_LOCATOR) {
            let off = le64(b, loc + 8).unwrap_or(u64::MAX);
            let o = usize::try_from(off).unwrap_or(usize::MAX);
            if b.get(o..o.saturating_add(4)) != Some(EOCD64) {
                return Err(err(
                    off,
                    ErrorKind::Invalid("zip64 end record not found".into()),
                ));
            }
            end = End {
                at: o,
                entries: le64(b, o + 32).unwrap_or(0),
                cd_size: le64(b, o + 40).unwrap_or(0),
                cd_offset: le64(b, o + 48).unwrap_or(0),
                zip64: true,
                ..end
            };
        }
    }
    Ok(end)
}

/// DOS date and time (local time, 2-second steps) → seconds, read as UTC.
fn dos_time(date: u16, time: u16) -> Option<i64> {
    let (y, mo, d) = (
        1980 + i64::from(date >> 9),
        u32::from((date >> 5) & 0xf),
        u32::from(date & 0x1f),
    );
    let (h, mi, s) = (
        i64::from(time >> 11),
        i64::from((time >> 5) & 0x3f),
        2 * i64::from(time & 0x1f),
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(crate::model::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

fn dos_text(date: u16, time: u16) -> String {
    match dos_time(date, time) {
        Some(t) => {
            let s = Time::from_secs(t).to_string();
            // Local time of the machine that wrote it: no zone.
            s.trim_end_matches('Z').replacen('T', " ", 1)
        }
        None => format!("invalid ({date:#06x} {time:#06x})"),
    }
}

/// What the extra fields of one header say.
#[derive(Default)]
struct Extra {
    ids: Vec<String>,
    mtime: Option<i64>,
    atime: Option<i64>,
    ctime: Option<i64>,
    uid: Option<u64>,
    gid: Option<u64>,
    size: Option<u64>,
    csize: Option<u64>,
    offset: Option<u64>,
}

/// A member name without the leading and trailing slashes some archivers
/// store.
fn trim_slashes(b: &[u8]) -> &[u8] {
    let start = b.iter().take_while(|&&c| c == b'/').count();
    let end = b.len() - b.iter().rev().take_while(|&&c| c == b'/').count();
    b.get(start..end.max(start)).unwrap_or(&[])
}

/// Parses extra fields. `need` says which zip64 values the fixed fields
/// left at their maximum: (size, compressed size, offset).
fn extra(b: &[u8], need: (bool, bool, bool)) -> Extra {
    let mut x = Extra::default();
    let mut at = 0usize;
    while let (Some(id), Some(len)) = (le16(b, at), le16(b, at + 2)) {
        let Some(data) = b.get(at + 4..at + 4 + usize::from(len)) else {
            break;
        };
        x.ids.push(format!("{id:#06x}"));
        match id {
            0x0001 => {
                let mut p = 0;
                let mut take = |wanted: bool| {
                    if !wanted {
                        return None;
                    }
                    let v = le64(data, p);
                    p += 8;
                    v
                };
                x.size = take(need.0);
                x.csize = take(need.1);
                x.offset = take(need.2);
            }
            // Extended timestamp: flags, then the times the flags name
            // (the central directory only ever holds the mtime).
            0x5455 => {
                let flags = data.first().copied().unwrap_or(0);
                let mut p = 1;
                for (bit, slot) in [(1u8, &mut x.mtime), (2, &mut x.atime), (4, &mut x.ctime)] {
                    if flags & bit != 0 {
                        if let Some(v) = le32(data, p) {
                            *slot = Some(i64::from(v as i32));
                        }
                        p += 4;
                    }
                }
            }
            // Info-ZIP Unix: version, then sized uid and gid.
            0x7875 => {
                let us = usize::from(data.get(1).copied().unwrap_or(0));
                x.uid = le_uint(data, 2, us);
                let gs = usize::from(data.get(2 + us).copied().unwrap_or(0));
                x.gid = le_uint(data, 3 + us, gs);
            }
            _ => {}
        }
        at += 4 + usize::from(len);
    }
    x
}

fn method_name(m: u16) -> String {
    match m {
        0 => "stored".into(),
        8 => "deflated".into(),
        9 => "deflate64 (9)".into(),
        12 => "bzip2 (12)".into(),
        14 => "lzma (14)".into(),
        93 => "zstd (93)".into(),
        95 => "xz (95)".into(),
        n => format!("other ({n})"),
    }
}

fn host_name(h: u8) -> String {
    match h {
        0 => "0 (MS-DOS)".into(),
        3 => "3 (Unix)".into(),
        10 => "10 (NTFS)".into(),
        19 => "19 (OS X)".into(),
        n => n.to_string(),
    }
}

/// Lists a ZIP archive from its central directory.
pub fn open(blob: &Blob, limits: &Limits) -> Result<Container> {
    let b = blob.bytes();
    let end = find_end(b)?;
    let mut c = Container::new(Format::Zip, blob.clone());
    c.field("zip.entry_count", end.entries, Role::Structure);
    c.field(
        "zip.zip64",
        if end.zip64 { "yes" } else { "no" },
        Role::Content,
    );
    if !end.comment.is_empty() {
        c.field("zip.comment", &end.comment, Role::Content);
    }
    let cd = usize::try_from(end.cd_offset).unwrap_or(usize::MAX);
    let cd_end = cd
        .checked_add(usize::try_from(end.cd_size).unwrap_or(usize::MAX))
        .filter(|&e| e <= end.at)
        .ok_or_else(|| {
            err(
                end.cd_offset,
                ErrorKind::Invalid("central directory outside the archive".into()),
            )
        })?;
    c.regions.push(Region::structure(
        end.cd_offset,
        (cd_end - cd) as u64,
        "central directory",
    ));
    c.regions.push(Region::structure(
        end.at as u64,
        (b.len() - end.at) as u64,
        "end of central directory",
    ));
    let mut at = cd;
    while at < cd_end {
        if b.get(at..at + 4) != Some(CENTRAL) {
            c.errors.push(err(
                at as u64,
                ErrorKind::Invalid("central directory record expected".into()),
            ));
            break;
        }
        let Some(h) = b.get(at..at + 46) else {
            c.errors.push(err(
                at as u64,
                ErrorKind::Truncated {
                    needed: at as u64 + 46,
                    available: b.len() as u64,
                },
            ));
            break;
        };
        let f16 = |o| le16(h, o).unwrap_or(0);
        let f32 = |o| le32(h, o).unwrap_or(0);
        let (nlen, xlen, clen) = (
            usize::from(f16(28)),
            usize::from(f16(30)),
            usize::from(f16(32)),
        );
        let next = at + 46 + nlen + xlen + clen;
        let (Some(name), Some(xb)) = (
            b.get(at + 46..at + 46 + nlen),
            b.get(at + 46 + nlen..at + 46 + nlen + xlen),
        ) else {
            c.errors.push(err(
                at as u64,
                ErrorKind::Truncated {
                    needed: next as u64,
                    available: b.len() as u64,
                },
            ));
            break;
        };
        let made_by = f16(4);
        let flags = f16(8);
        let method = f16(10);
        let (time, date) = (f16(12), f16(14));
        let crc = f32(16);
        let (csize32, size32) = (f32(20), f32(24));
        let ext_attr = f32(38);
        let lh32 = f32(42);
        let x = extra(
            xb,
            (size32 == u32::MAX, csize32 == u32::MAX, lh32 == u32::MAX),
        );
        let size = x.size.unwrap_or(u64::from(size32));
        let csize = x.csize.unwrap_or(u64::from(csize32));
        let lh = x.offset.unwrap_or(u64::from(lh32));
        let path_raw = String::from_utf8_lossy(name).into_owned();
        let idx = c.entries.len();
        match member(b, (at, lh, csize), &path_raw) {
            Ok((data_at, local)) => {
                let unix = made_by >> 8 == 3;
                let mode = (ext_attr >> 16) & 0o177777;
                let kind = if unix && mode != 0 {
                    Kind::from_mode(mode).unwrap_or(Kind::File)
                } else if path_raw.ends_with('/') || ext_attr & 0x10 != 0 {
                    Kind::Dir
                } else {
                    Kind::File
                };
                let mut e = Entry::stored(trim_slashes(name), kind);
                e.size = size;
                if unix && mode != 0 {
                    e.meta.mode = Some(mode & 0o7777);
                }
                e.meta.mtime = x.mtime.or(dos_time(date, time)).map(Time::from_secs);
                e.meta.atime = local.atime.map(Time::from_secs);
                e.meta.ctime = x.ctime.or(local.ctime).map(Time::from_secs);
                e.meta.uid = x.uid.or(local.uid);
                e.meta.gid = x.gid.or(local.gid);
                let ext = Extent {
                    offset: data_at,
                    len: csize,
                };
                let encrypted = flags & 1 != 0;
                e.data = match (method, encrypted) {
                    _ if csize == 0 && size == 0 => Data::None,
                    (0, false) => Data::Range(ext),
                    (8, false) => Data::Deflate(ext),
                    _ => {
                        c.errors.push(err(
                            lh,
                            ErrorKind::Unsupported(format!(
                                "{path_raw}: {} member not decoded; its stored bytes are compared",
                                if encrypted {
                                    "encrypted".to_string()
                                } else {
                                    method_name(method)
                                }
                            )),
                        ));
                        Data::Range(ext)
                    }
                };
                let mut extra_fields = vec![
                    Field::new("zip.method", method_name(method), Role::Packing),
                    Field::new("zip.flags", Value::hex(flags), Role::Packing),
                    Field::new(
                        "zip.version_made_by",
                        format!("{} {}", host_name((made_by >> 8) as u8), made_by & 0xff),
                        Role::Packing,
                    ),
                    Field::new("zip.version_needed", f16(6), Role::Packing),
                    // Holds the Unix mode in its high half.
                    Field::new("zip.external_attr", Value::hex(ext_attr), Role::Permissions)
                        .follows(&["mode"]),
                    Field::new("zip.crc", Value::hex(crc), Role::Structure),
                ];
                if x.mtime.is_some() {
                    extra_fields.push(Field::new(
                        "zip.dos_time",
                        dos_text(date, time),
                        Role::EntryTime,
                    ));
                }
                if !x.ids.is_empty() {
                    extra_fields.push(Field::new("zip.extra", x.ids.join(" "), Role::Packing));
                }
                if local.ids != x.ids {
                    extra_fields.push(Field::new(
                        "zip.local_extra",
                        local.ids.join(" "),
                        Role::Packing,
                    ));
                }
                if let Some(comment) = b.get(at + 46 + nlen + xlen..next).filter(|c| !c.is_empty())
                {
                    extra_fields.push(Field::new(
                        "zip.comment",
                        String::from_utf8_lossy(comment),
                        Role::Content,
                    ));
                }
                e.meta.extra = extra_fields;
                if kind == Kind::Symlink && size <= MAX_TARGET {
                    // The target is the member's content.
                    let t = match &e.data {
                        Data::Range(r) => blob.slice(r.offset, r.len, Format::Zip),
                        Data::Deflate(r) => inflate(blob, *r, size, limits),
                        _ => Ok(Blob::from_vec(Vec::new())),
                    };
                    if let Ok(t) = t {
                        e.meta.target = Some(String::from_utf8_lossy(t.bytes()).into_owned());
                    }
                    e.data = Data::None;
                }
                c.regions.push(Region {
                    offset: lh,
                    len: (data_at + csize).saturating_sub(lh),
                    owner: crate::Owner::Entry(idx),
                });
                c.push(e, limits)?;
            }
            Err(e) => c.errors.push(e),
        }
        at = next;
    }
    if c.entries.len() as u64 != end.entries && !end.zip64 {
        c.errors.push(err(
            end.at as u64,
            ErrorKind::Invalid(format!(
                "end record counts {} members, the central directory holds {}",
                end.entries,
                c.entries.len()
            )),
        ));
    }
    Ok(c)
}

/// Checks the local header of the member whose central record is at `at`
/// and returns where its data starts and what its own extra fields say.
fn member(b: &[u8], (at, lh, csize): (usize, u64, u64), name: &str) -> Result<(u64, Extra)> {
    let l = usize::try_from(lh).unwrap_or(usize::MAX);
    if b.get(l..l.saturating_add(4)) != Some(LOCAL) {
        return Err(err(
            at as u64,
            ErrorKind::Invalid(format!("{name}: no local header at {lh:#x}")),
        ));
    }
    let (Some(nlen), Some(xlen)) = (le16(b, l + 26), le16(b, l + 28)) else {
        return Err(err(
            lh,
            ErrorKind::Truncated {
                needed: lh + 30,
                available: b.len() as u64,
            },
        ));
    };
    let data = l + 30 + usize::from(nlen) + usize::from(xlen);
    let xb = b.get(l + 30 + usize::from(nlen)..data).ok_or_else(|| {
        err(
            lh,
            ErrorKind::Truncated {
                needed: data as u64,
                available: b.len() as u64,
            },
        )
    })?;
    let local = extra(xb, (false, false, false));
    let end = (data as u64).saturating_add(csize);
    if end > b.len() as u64 {
        return Err(err(
            lh,
            ErrorKind::Truncated {
                needed: end,
                available: b.len() as u64,
            },
        ));
    }
    Ok((data as u64, local))
}

/// Decodes the raw DEFLATE stream in `ext` of `source`, which must come out
/// as exactly `size` bytes (the central directory's claim), bounded by the
/// limits whatever the claim says.
pub fn inflate(source: &Blob, ext: Extent, size: u64, limits: &Limits) -> Result<Blob> {
    Blob::gather(size, |f| each_piece(source, ext, size, limits, f))
}

/// Inflates a member of `size` bytes piece by piece (64 KiB at most),
/// handing each to `f`: what is held is one piece, so a member larger than
/// the memory budget can be digested. The same checks as [`inflate`].
pub fn each_piece(
    source: &Blob,
    ext: Extent,
    size: u64,
    limits: &Limits,
    f: &mut dyn FnMut(&[u8]),
) -> Result<()> {
    use std::io::Read;
    let raw = source.slice(ext.offset, ext.len, Format::Zip)?;
    let cap = limits.decoded_cap(ext.len);
    if size > cap {
        return Err(err(
            ext.offset,
            ErrorKind::Limit(format!(
                "member of {size} bytes over the decode cap of {cap}"
            )),
        ));
    }
    let mut r = flate2::read::DeflateDecoder::new(raw.bytes()).take(size.saturating_add(1));
    let mut buf = vec![0u8; 64 << 10];
    let mut got = 0u64;
    loop {
        let n = r
            .read(&mut buf)
            .map_err(|e| err(ext.offset, ErrorKind::Decode(e.to_string())))?;
        if n == 0 {
            break;
        }
        got += n as u64;
        if got > size {
            break;
        }
        f(&buf[..n]);
    }
    if got != size {
        return Err(err(
            ext.offset,
            ErrorKind::Decode(format!(
                "member decodes to {}{} bytes, the directory says {size}",
                got,
                if got > size { "+" } else { "" }
            )),
        ));
    }
    Ok(())
}
