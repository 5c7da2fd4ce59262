//! Directory records (ECMA-119 §9.1) and the walk from a root through every
//! directory extent, for the primary tree (with Rock Ridge) and the Joliet
//! tree.
//!
//! Part of the ISO9660 reader in formats/ (bytes → formats → engine →
//! report): turns records into `Entry`s whose data are extents of the image.
//! The walk is bounded: each directory extent is read once (a second visit
//! is a cycle), depth is capped, and the entry count is capped by `Limits`.

use std::collections::HashSet;

use super::descriptors::{ucs2, ucs2_name, Root};
use super::rockridge::{self, Susp};
use super::{both32, date7};
use crate::model::Extent;
use crate::{
    Container, Data, Entry, Error, ErrorKind, Field, Format, Kind, Limits, Owner, Region, Role,
    Value,
};

/// Directories deeper than this are not entered (Rock Ridge trees are
/// rarely deeper than 30 even on real systems).
const MAX_DEPTH: usize = 64;
/// Length of a directory record without its identifier.
const RECORD_MIN: usize = 33;

/// One directory record, borrowed from the image.
#[derive(Debug, Clone, Copy)]
struct Record<'a> {
    xattr_len: u8,
    lba: u32,
    size: u32,
    date: &'a [u8],
    flags: u8,
    ident: &'a [u8],
    /// System use area and its absolute offset.
    su: &'a [u8],
    su_at: u64,
}

fn record(b: &[u8], at: usize, limit: usize) -> Option<Record<'_>> {
    let len = usize::from(*b.get(at)?);
    if len < RECORD_MIN || at.checked_add(len)? > limit {
        return None;
    }
    let r = b.get(at..at + len)?;
    let id_len = usize::from(r[32]);
    let id_end = RECORD_MIN + id_len;
    let ident = r.get(RECORD_MIN..id_end)?;
    // A pad byte keeps the system use area at an even offset.
    let su_start = (id_end + (id_len + 1) % 2).min(len);
    Some(Record {
        xattr_len: r[1],
        lba: both32(r, 2)?,
        size: both32(r, 10)?,
        date: &r[18..25],
        flags: r[25],
        ident,
        su: &r[su_start..],
        su_at: (at + su_start) as u64,
    })
}

/// The ISO 9660 name without its `;version` and forced trailing dot.
fn iso_name(raw: &[u8]) -> &[u8] {
    let s = match raw.iter().rposition(|&c| c == b';') {
        Some(i)
            if raw
                .get(i + 1..)
                .is_some_and(|v| v.iter().all(u8::is_ascii_digit)) =>
        {
            raw.get(..i).unwrap_or(raw)
        }
        _ => raw,
    };
    s.strip_suffix(b".").unwrap_or(s)
}

/// A path component that cannot escape or break the path.
fn clean(mut name: Vec<u8>) -> Vec<u8> {
    if name.is_empty() || name == b"." || name == b".." {
        return [b"_", name.as_slice(), b"_"].concat();
    }
    for c in &mut name {
        if *c == b'/' || *c == 0 {
            *c = b'_';
        }
    }
    name
}

/// Device numbers from `PN`. A zero high word means the low word is a whole
/// Linux `dev_t` (what libisofs and mkisofs write); else high/low are major/minor.
fn rdev(hi: u32, lo: u32) -> (u32, u32) {
    if hi == 0 {
        ((lo >> 8) & 0xfff, (lo & 0xff) | ((lo >> 12) & 0xfff00))
    } else {
        (hi, lo)
    }
}

struct Walker<'a> {
    b: &'a [u8],
    block: u64,
    joliet: bool,
    /// Bytes to skip before SUSP entries (from `SP`), when Rock Ridge is in use.
    rr_skip: Option<usize>,
    prefix: &'static str,
    c: &'a mut Container,
    limits: &'a Limits,
    /// Data offsets already owned by an entry's region (hard links, Joliet).
    claimed: &'a mut HashSet<u64>,
    visited: HashSet<u64>,
    full: bool,
    /// Directory bytes and continuation-area bytes this tree may still read
    /// (each starts at the image size: a real tree reads each byte once).
    dir_budget: u64,
    ce_budget: u64,
}

/// A multi-extent file being gathered: its first record and extents so far.
struct Multi<'a> {
    first: Record<'a>,
    susp: Susp,
    extents: Vec<Extent>,
    /// Sum of the sizes the records declare, reachable or not.
    size: u64,
    bad: bool,
}

/// Lists one directory tree (primary or Joliet) into `c`.
pub(super) fn walk_tree(
    b: &[u8],
    root: Root,
    joliet: bool,
    c: &mut Container,
    limits: &Limits,
    claimed: &mut HashSet<u64>,
) {
    let mut w = Walker {
        b,
        block: root.block,
        joliet,
        rr_skip: None,
        prefix: if joliet { "<joliet>/" } else { "" },
        c,
        limits,
        claimed,
        visited: HashSet::new(),
        full: false,
        dir_budget: b.len() as u64,
        ce_budget: b.len() as u64,
    };
    if joliet {
        let mut e = Entry::new("<joliet>", Kind::Dir);
        e.meta
            .extra
            .push(Field::new("iso.lba", root.lba, Role::Location));
        w.push(e);
    } else {
        w.detect_rock_ridge(root);
    }
    w.dir(root.lba, root.size, b"", 0);
}

impl Walker<'_> {
    fn push(&mut self, e: Entry) -> Option<usize> {
        if self.full {
            return None;
        }
        let idx = self.c.entries.len();
        match self.c.push(e, self.limits) {
            Ok(()) => Some(idx),
            Err(err) => {
                self.c.errors.push(err);
                self.full = true;
                None
            }
        }
    }

    fn abs(&self, lba: u32) -> Option<u64> {
        u64::from(lba).checked_mul(self.block)
    }

    /// Rock Ridge is in use when the root's `.` record starts with `SP`.
    fn detect_rock_ridge(&mut self, root: Root) {
        let Some(at) = self.abs(root.lba).and_then(|a| usize::try_from(a).ok()) else {
            return;
        };
        let Some(dot) = record(self.b, at, self.b.len()) else {
            return;
        };
        let s = rockridge::parse(self.b, dot.su_at, dot.su, self.block, &mut self.ce_budget);
        self.note_susp(&s);
        let Some(skip) = s.sp else {
            self.c.field("rockridge.present", false, Role::Content);
            return;
        };
        self.rr_skip = Some(usize::from(skip));
        self.c.field("rockridge.present", true, Role::Content);
        self.c.field("susp.skip_bytes", skip, Role::Structure);
        for (i, er) in s.er.iter().enumerate() {
            let p = format!("susp.er{}", i + 1);
            self.c.field(format!("{p}.id"), &er.id, Role::Content);
            self.c
                .field(format!("{p}.descriptor"), &er.descriptor, Role::Content);
            self.c
                .field(format!("{p}.source"), &er.source, Role::Content);
            self.c
                .field(format!("{p}.version"), er.version, Role::Content);
        }
        if let Some(px) = s.px {
            self.c.field(
                "rockridge.root.mode",
                Value::Mode(px.mode & 0o7777),
                Role::Permissions,
            );
            self.c.field("rockridge.root.uid", px.uid, Role::Ownership);
            self.c.field("rockridge.root.gid", px.gid, Role::Ownership);
        }
        if let Some(m) = &s.times.modify {
            self.c
                .field("rockridge.root.mtime", m.value.clone(), Role::EntryTime);
        }
    }

    /// Records the errors and continuation areas met while reading SUSP.
    fn note_susp(&mut self, s: &Susp) {
        self.c.errors.extend(s.errors.iter().cloned());
        for &(at, len) in &s.ce_areas {
            self.c
                .regions
                .push(Region::structure(at, len, "continuation area"));
        }
    }

    fn dir(&mut self, lba: u32, size: u32, path: &[u8], depth: usize) {
        let Some(start) = self.abs(lba) else { return };
        let shown = format!("{}{}", self.prefix, String::from_utf8_lossy(path));
        if !self.visited.insert(start) {
            self.c.errors.push(Error::new(
                Format::Iso9660,
                start,
                ErrorKind::Loop(format!("directory {shown:?} visited twice")),
            ));
            return;
        }
        let blen = self.b.len() as u64;
        let mut end = start.saturating_add(u64::from(size));
        if end > blen {
            self.c
                .errors
                .push(Error::truncated(Format::Iso9660, start, end, blen));
            end = blen;
        }
        if start >= end {
            return;
        }
        if end - start > self.dir_budget {
            // Directories overlapping each other: stop before this turns quadratic.
            self.c.errors.push(Error::limit(
                Format::Iso9660,
                start,
                "directory extents larger than the image",
            ));
            self.full = true;
            return;
        }
        self.dir_budget -= end - start;
        let name = if shown.is_empty() {
            "directory /".to_string()
        } else {
            format!("directory {}", shown.trim_end_matches('/'))
        };
        self.c
            .regions
            .push(Region::structure(start, end - start, name));
        // Both bounds fit in usize: they are at most the slice length.
        let (mut pos, end) = (start as usize, end as usize);
        let block = self.block as usize;
        let mut multi: Option<Multi> = None;
        while pos < end && !self.full {
            let next_sector = (pos / block + 1) * block;
            if self.b.get(pos) == Some(&0) {
                // Records never straddle a sector: the rest of this one is padding.
                pos = next_sector;
                continue;
            }
            let Some(rec) = record(self.b, pos, end) else {
                self.c.errors.push(Error::invalid(
                    Format::Iso9660,
                    pos as u64,
                    "directory record",
                ));
                pos = next_sector;
                continue;
            };
            pos += usize::from(self.b[pos]);
            if matches!(rec.ident, [0] | [1]) || rec.flags & 0x04 != 0 {
                // `.`, `..`, and associated (resource-fork) files.
                continue;
            }
            self.record(rec, path, depth, &mut multi);
        }
        if let Some(m) = multi.take() {
            self.c.errors.push(Error::invalid(
                Format::Iso9660,
                start,
                "multi-extent file without its final extent",
            ));
            self.file(m, path);
        }
    }

    fn record<'a>(
        &mut self,
        rec: Record<'a>,
        path: &[u8],
        depth: usize,
        multi: &mut Option<Multi<'a>>,
    ) {
        let extent = self.extent(&rec, path);
        if let Some(m) = multi.as_mut() {
            // A continuation record: only its extent matters.
            m.size = m.size.saturating_add(rec.size.into());
            match extent {
                Some(e) => m.extents.push(e),
                None => m.bad = true,
            }
            if rec.flags & 0x80 == 0 {
                if let Some(m) = multi.take() {
                    self.file(m, path);
                }
            }
            return;
        }
        let susp = match (self.rr_skip, self.joliet) {
            (Some(skip), false) => {
                let su = rec.su.get(skip..).unwrap_or_default();
                rockridge::parse(
                    self.b,
                    rec.su_at + skip as u64,
                    su,
                    self.block,
                    &mut self.ce_budget,
                )
            }
            _ => Susp::default(),
        };
        self.note_susp(&susp);
        if susp.re {
            // Listed where its `CL` stands.
            return;
        }
        let is_dir = rec.flags & 0x02 != 0 || susp.cl.is_some();
        if !is_dir {
            let mut m = Multi {
                first: rec,
                susp,
                extents: Vec::new(),
                size: rec.size.into(),
                bad: extent.is_none(),
            };
            m.extents.extend(extent);
            if rec.flags & 0x80 != 0 {
                *multi = Some(m);
            } else {
                self.file(m, path);
            }
            return;
        }
        let (child, mut e) = self.entry(&rec, &susp, path);
        e.kind = Kind::Dir;
        let (lba, size) = match susp.cl {
            Some(cl) => match self.relocated_size(cl) {
                Some(sz) => (cl, sz),
                None => {
                    self.c.errors.push(Error::invalid(
                        Format::Iso9660,
                        rec.su_at,
                        format!("Rock Ridge CL to unreadable directory at block {cl}"),
                    ));
                    (cl, 0)
                }
            },
            None => (rec.lba.saturating_add(rec.xattr_len.into()), rec.size),
        };
        e.meta
            .extra
            .push(Field::new("iso.lba", lba, Role::Location));
        e.meta
            .extra
            .push(Field::new("iso.data_length", size, Role::Structure));
        if self.push(e).is_none() {
            return;
        }
        if depth + 1 >= MAX_DEPTH {
            self.c.errors.push(Error::limit(
                Format::Iso9660,
                rec.su_at,
                format!(
                    "directory {:?} deeper than {MAX_DEPTH}",
                    String::from_utf8_lossy(&child)
                ),
            ));
            return;
        }
        self.dir(lba, size, &child, depth + 1);
    }

    /// The data length of a relocated directory, from its own `.` record.
    fn relocated_size(&self, lba: u32) -> Option<u32> {
        let at = usize::try_from(self.abs(lba)?).ok()?;
        let dot = record(self.b, at, self.b.len())?;
        (dot.ident == [0]).then_some(dot.size)
    }

    /// The data extent of a record, or `None` (with an error) when it runs
    /// past the image.
    fn extent(&mut self, rec: &Record, dir: &[u8]) -> Option<Extent> {
        let lba = u64::from(rec.lba) + u64::from(rec.xattr_len);
        let offset = lba.checked_mul(self.block)?;
        let len = u64::from(rec.size);
        let blen = self.b.len() as u64;
        if offset.saturating_add(len) > blen || offset > blen {
            // The record's own ISO name: Rock Ridge names are not parsed yet here.
            let name: String = if self.joliet {
                super::descriptors::ucs2(rec.ident)
            } else {
                String::from_utf8_lossy(rec.ident).into_owned()
            }
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect();
            let entry = format!(
                "{}{}{name}",
                self.prefix,
                if dir.is_empty() {
                    String::new()
                } else {
                    format!("{}/", String::from_utf8_lossy(dir))
                }
            );
            self.c.errors.push(
                Error::truncated(Format::Iso9660, offset, offset.saturating_add(len), blen)
                    .at_entry(entry),
            );
            return None;
        }
        Some(Extent { offset, len })
    }

    /// Builds the entry of a record: name, metadata. Returns its path too
    /// (without the tree prefix).
    fn entry(&self, rec: &Record, susp: &Susp, path: &[u8]) -> (Vec<u8>, Entry) {
        let raw = if self.joliet {
            ucs2(rec.ident)
        } else {
            String::from_utf8_lossy(rec.ident).into_owned()
        };
        let name = match &susp.name {
            Some(n) if !n.is_empty() => n.clone(),
            _ if self.joliet => iso_name(&ucs2_name(rec.ident)).to_vec(),
            _ => iso_name(rec.ident).to_vec(),
        };
        let name = clean(name);
        let child = if path.is_empty() {
            name
        } else {
            [path, b"/", &name].concat()
        };
        let mut e = Entry::stored(&[self.prefix.as_bytes(), &child].concat(), Kind::File);
        let m = &mut e.meta;
        let date = date7(rec.date);
        if let Some(px) = susp.px {
            m.mode = Some(px.mode & 0o7777);
            m.uid = Some(px.uid.into());
            m.gid = Some(px.gid.into());
            m.nlink = Some(px.nlink);
            m.inode = px.inode.map(u64::from);
            if let Some(k) = Kind::from_mode(px.mode) {
                e.kind = k;
            }
        }
        let t = &susp.times;
        m.mtime = t
            .modify
            .as_ref()
            .and_then(|s| s.time)
            .or_else(|| date.as_ref().and_then(|d| d.time));
        m.atime = t.access.as_ref().and_then(|s| s.time);
        m.ctime = t.attributes.as_ref().and_then(|s| s.time);
        if e.kind == Kind::Symlink {
            m.target = susp.target();
        }
        if let (Some((hi, lo)), Kind::CharDevice | Kind::BlockDevice) = (susp.pn, e.kind) {
            m.rdev = Some(rdev(hi, lo));
        }
        let shown = if raw.chars().all(|ch| !ch.is_control() && ch != '\\') {
            raw
        } else {
            raw.escape_debug().to_string()
        };
        m.extra.push(Field::new("iso.name", shown, Role::Content));
        m.extra.push(Field::new(
            "iso.flags",
            Value::hex(rec.flags),
            Role::Content,
        ));
        if let Some(d) = date {
            m.extra
                .push(Field::new("iso.date", d.value, Role::EntryTime));
        }
        for (name, stamp) in [
            ("rr.creation_time", &t.creation),
            ("rr.backup_time", &t.backup),
            ("rr.expiration_time", &t.expiration),
            ("rr.effective_time", &t.effective),
        ] {
            if let Some(s) = stamp {
                m.extra
                    .push(Field::new(name, s.value.clone(), Role::EntryTime));
            }
        }
        if let Some((alg, size)) = &susp.zf {
            m.extra.push(Field::new(
                "rr.zisofs",
                format!("{alg} {size}"),
                Role::Packing,
            ));
        }
        if susp.cl.is_some() {
            m.extra
                .push(Field::new("rr.relocated", true, Role::Content));
        }
        (child, e)
    }

    /// Lists a non-directory record (possibly gathered from several extents).
    fn file(&mut self, m: Multi, path: &[u8]) {
        let (_, mut e) = self.entry(&m.first, &m.susp, path);
        let size = m.size;
        let has_data = e.kind == Kind::File;
        if has_data {
            e.size = size;
            if m.extents.len() > 1 {
                e.meta
                    .extra
                    .push(Field::new("iso.extents", m.extents.len(), Role::Structure));
            }
            e.data = if m.bad {
                Data::None
            } else {
                match m.extents.as_slice() {
                    [one] => Data::Range(*one),
                    more => Data::Extents(more.to_vec()),
                }
            };
        }
        let extents = if has_data && !m.bad {
            m.extents
        } else {
            Vec::new()
        };
        let Some(idx) = self.push(e) else { return };
        for x in extents {
            if x.len > 0 && self.claimed.insert(x.offset) {
                self.c.regions.push(Region {
                    offset: x.offset,
                    len: x.len,
                    owner: Owner::Entry(idx),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_names() {
        assert_eq!(iso_name(b"HELLO.TXT;1"), b"HELLO.TXT");
        assert_eq!(iso_name(b"NOEXT.;1"), b"NOEXT");
        assert_eq!(iso_name(b"DIR"), b"DIR");
        assert_eq!(iso_name(b"A;B"), b"A;B");
        assert_eq!(clean(b"a/b".to_vec()), b"a_b");
        assert_eq!(clean(b"..".to_vec()), b"_.._");
        assert_eq!(clean(Vec::new()), b"__");
    }

    #[test]
    fn device_numbers() {
        assert_eq!(rdev(0, 0x0103), (1, 3));
        assert_eq!(rdev(0, 0x0700), (7, 0));
        assert_eq!(rdev(8, 17), (8, 17));
    }
}
