//! ar / .deb reader.
//!
//! Part of formats/ (bytes → formats → engine → report): lists the members of
//! a Unix `ar` archive (GNU, BSD or plain, as written by `ar` and
//! `dpkg-deb`) as a [`Container`] whose entries are byte ranges of the blob,
//! with every member header, data range and padding byte mapped as regions.
//! A .deb is an ar archive whose first member is `debian-binary`; its
//! version and member order are header fields here, and the walker descends
//! into `control.tar.*`/`data.tar.*` by detection.
//!
//! Member names (including GNU `//` long-name tables and BSD `#1/<len>`
//! names) come from the `object` crate's archive reader, zero-copy; the raw
//! header fields are read from the 60-byte header it hands back.

use object::read::archive::{ArchiveFile, ArchiveKind, ArchiveMember};

use crate::magic;
use crate::model::{Extent, Field, Region, Role};
use crate::{
    Blob, Container, Data, Entry, Error, ErrorKind, Format, Kind, Limits, Owner, Result, Time,
    Value,
};

const F: Format = Format::Ar;
const GLOBAL_HEADER: u64 = 8;
const MEMBER_HEADER: u64 = 60;
/// `debian-binary` holds a version like "2.0\n"; anything longer is not one.
const MAX_DEB_VERSION: usize = 64;

/// Lists the members of an ar archive (and the .deb fields when it is one).
pub fn open(blob: &Blob, limits: &Limits) -> Result<Container> {
    let bytes = blob.bytes();
    let total = blob.len();
    if !magic::is(F, bytes) {
        return Err(Error::new(F, 0, ErrorKind::BadMagic));
    }
    let archive = ArchiveFile::parse(bytes)
        .map_err(|e| Error::invalid(F, GLOBAL_HEADER, format!("archive: {e}")))?;
    let mut c = Container::new(F, blob.clone());
    c.regions
        .push(Region::structure(0, GLOBAL_HEADER, "ar global header"));

    let mut names: Vec<String> = Vec::new();
    let mut raw_names: Vec<Vec<u8>> = Vec::new();
    // Where the next member header should start: the end of the previous
    // member, or of the special members (symbol table, long-name table)
    // that object skips over.
    let mut expected: Option<u64> = None;
    let mut deb_version: Option<String> = None;

    for m in archive.members() {
        let m = match m {
            Ok(m) => m,
            Err(e) => {
                c.errors.push(Error::invalid(
                    F,
                    expected.unwrap_or(GLOBAL_HEADER),
                    format!("member header: {e}"),
                ));
                break;
            }
        };
        let Some(hdr) = m.header() else {
            // AIX big archives have another header layout; not met in images.
            c.errors.push(Error::new(
                F,
                GLOBAL_HEADER,
                ErrorKind::Unsupported("AIX big archive".into()),
            ));
            break;
        };
        let Some(hoff) = offset_in(bytes, hdr) else {
            break;
        };
        if expected.is_none() && hoff > GLOBAL_HEADER {
            special_regions(bytes, GLOBAL_HEADER, hoff, &mut c);
        }
        let (doff, size) = m.file_range();
        let idx = c.entries.len();
        let data_end = doff.saturating_add(size);
        if m.is_thin() {
            c.errors.push(Error::new(
                F,
                hoff,
                ErrorKind::Unsupported(
                    "thin archive member (data kept outside the archive)".into(),
                ),
            ));
        } else if data_end > total {
            c.errors.push(Error::truncated(F, doff, data_end, total));
            break;
        }
        // The header's own size covers a BSD `#1/` name too; its parity
        // decides the padding byte.
        let stored = data_end.saturating_sub(hoff + MEMBER_HEADER);
        let end = if stored % 2 == 1 {
            data_end.saturating_add(1)
        } else {
            data_end
        };

        let mut e = Entry::stored(m.name(), Kind::File);
        let name = e.path.clone();
        e.size = size;
        fill_meta(&mut e, &m, hdr);
        if !m.is_thin() {
            e.data = Data::Range(Extent {
                offset: doff,
                len: size,
            });
        }
        if idx == 0 && m.name() == b"debian-binary" && !m.is_thin() {
            let v = bytes.get(doff as usize..data_end as usize).unwrap_or(&[]);
            let v = v.get(..MAX_DEB_VERSION).unwrap_or(v);
            deb_version = Some(String::from_utf8_lossy(v).trim().to_string());
        }

        c.regions.push(Region::structure(
            hoff,
            doff.saturating_sub(hoff),
            format!("member header of entry {idx}"),
        ));
        if size > 0 && !m.is_thin() {
            c.regions.push(Region {
                offset: doff,
                len: size,
                owner: Owner::Entry(idx),
            });
        }
        if end > data_end && end <= total {
            let pad = bytes.get(data_end as usize).copied();
            if pad != Some(b'\n') {
                e.meta.extra.push(Field::new(
                    "ar.padding",
                    format!("{:#04x}", pad.unwrap_or(0)),
                    Role::Structure,
                ));
            }
            c.regions.push(Region::structure(data_end, 1, "padding"));
        }
        names.push(name);
        raw_names.push(hdr.name.to_vec());
        c.push(e, limits)?;
        expected = Some(end);
    }

    c.field(
        "ar.variant",
        variant(archive.kind(), &raw_names),
        Role::Content,
    );
    if archive.is_thin() {
        c.field("ar.thin", "true", Role::Content);
    }
    if let Some(v) = deb_version {
        c.field("deb.format_version", v, Role::Content);
        c.field("deb.members", names.join(" "), Role::Content);
    }
    Ok(c)
}

/// Offset of `hdr` inside `bytes`: object hands back a reference into the
/// slice it was given, so the distance between the two is the header's place.
fn offset_in(bytes: &[u8], hdr: &object::archive::Header) -> Option<u64> {
    let at =
        (hdr as *const object::archive::Header as usize).checked_sub(bytes.as_ptr() as usize)?;
    (at < bytes.len()).then_some(at as u64)
}

/// Regions for the special members object skips (GNU/BSD symbol tables, the
/// GNU `//` long-name table), which lie between the global header and the
/// first listed member.
fn special_regions(bytes: &[u8], mut off: u64, stop: u64, c: &mut Container) {
    while off + MEMBER_HEADER <= stop {
        let Some(h) = bytes.get(off as usize..(off + MEMBER_HEADER) as usize) else {
            return;
        };
        let name = h.get(..16).unwrap_or(&[]);
        let what = if name.starts_with(b"// ") {
            "long-name table"
        } else if name.starts_with(b"/ ")
            || name.starts_with(b"/SYM64/")
            || name.starts_with(b"__.SYMDEF")
        {
            "symbol table"
        } else {
            "special member"
        };
        let size = std::str::from_utf8(h.get(48..58).unwrap_or(&[]))
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        let Some(size) = size else {
            c.regions
                .push(Region::structure(off, stop - off, what.to_string()));
            return;
        };
        c.regions.push(Region::structure(
            off,
            MEMBER_HEADER,
            format!("{what} header"),
        ));
        let data = off + MEMBER_HEADER;
        let end = data.saturating_add(size).min(stop);
        c.regions
            .push(Region::structure(data, end - data, what.to_string()));
        off = end + (size % 2);
    }
}

fn trimmed(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim_end().to_string()
}

fn fill_meta(e: &mut Entry, m: &ArchiveMember<'_>, hdr: &object::archive::Header) {
    let meta = &mut e.meta;
    meta.mtime = m
        .date()
        .and_then(|d| i64::try_from(d).ok())
        .map(Time::from_secs);
    meta.uid = m.uid();
    meta.gid = m.gid();
    meta.mode = m.mode().and_then(|v| u32::try_from(v & 0o7777).ok());
    // Raw text, so a diff shows e.g. "100644" against "644" even where the
    // parsed permissions agree.
    for (name, raw, role) in [
        ("ar.name", &hdr.name[..], Role::Content),
        ("ar.date", &hdr.date[..], Role::EntryTime),
        ("ar.uid", &hdr.uid[..], Role::Ownership),
        ("ar.gid", &hdr.gid[..], Role::Ownership),
        ("ar.mode", &hdr.mode[..], Role::Permissions),
        ("ar.size", &hdr.size[..], Role::Structure),
    ] {
        let text = trimmed(raw);
        // The date is a time like any other once it reads as one (the raw
        // digits are its display), so a shared clamp is recognised in it.
        let value = match text.parse::<i64>() {
            Ok(secs) if role == Role::EntryTime && text.bytes().all(|c| c.is_ascii_digit()) => {
                Value::Epoch(secs)
            }
            _ => Value::Text(text),
        };
        meta.extra.push(Field::new(name, value, role));
    }
}

/// gnu / bsd from object's special members, else from how names are written:
/// GNU ends short names with `/`, BSD stores long ones as `#1/<len>`.
fn variant(kind: ArchiveKind, raw_names: &[Vec<u8>]) -> &'static str {
    match kind {
        ArchiveKind::Gnu | ArchiveKind::Gnu64 => "gnu",
        ArchiveKind::Bsd | ArchiveKind::Bsd64 => "bsd",
        ArchiveKind::Coff => "coff",
        ArchiveKind::AixBig => "aix-big",
        _ => {
            if raw_names.iter().any(|n| n.starts_with(b"#1/")) {
                "bsd"
            } else if raw_names
                .iter()
                .any(|n| n.starts_with(b"/") || trimmed(n).ends_with('/'))
            {
                "gnu"
            } else {
                "common"
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn header(name: &str, size: usize) -> Vec<u8> {
        let h = format!(
            "{name:<16}{:<12}{:<6}{:<6}{:<8}{size:<10}`\n",
            1700000000, 0, 0, "100644"
        );
        assert_eq!(h.len(), 60);
        h.into_bytes()
    }

    #[test]
    fn bsd_long_name() {
        let mut a = b"!<arch>\n".to_vec();
        let name = b"a-long-bsd-member-name.txt";
        a.extend(header(&format!("#1/{}", name.len()), name.len() + 3));
        a.extend_from_slice(name);
        a.extend_from_slice(b"abc\n");
        a.extend(header("short", 2));
        a.extend_from_slice(b"hi");
        let c = open(&Blob::from_vec(a), &Limits::default()).unwrap();
        assert_eq!(c.entries.len(), 2);
        assert_eq!(c.entries[0].path, "a-long-bsd-member-name.txt");
        assert_eq!(
            c.entries[0].data,
            Data::Range(Extent {
                offset: 8 + 60 + name.len() as u64,
                len: 3
            })
        );
        assert_eq!(c.entries[1].path, "short");
        assert_eq!(c.fields[0], Field::new("ar.variant", "bsd", Role::Content));
        // Header region spans the name stored after it.
        assert!(c.regions.contains(&Region::structure(
            8,
            60 + name.len() as u64,
            "member header of entry 0"
        )));
        assert!(c
            .regions
            .contains(&Region::structure(8 + 60 + 26 + 3, 1, "padding")));
    }

    #[test]
    fn truncated_member_is_an_error_not_a_listing() {
        let mut a = b"!<arch>\n".to_vec();
        a.extend(header("x", 100));
        a.extend_from_slice(b"short");
        let c = open(&Blob::from_vec(a), &Limits::default()).unwrap();
        assert!(c.entries.is_empty());
        assert_eq!(c.errors.len(), 1);
    }
}
