//! cpio reader: newc (070701), crc (070702), odc (070707), old binary
//! (0x71c7, either byte order), and concatenated archives (initrds).
//!
//! Part of formats/ (bytes → formats → engine → report): lists members as a
//! [`Container`] with their byte ranges, never panicking on hostile bytes.
//!
//! Paths are kept exactly as stored (`./` and all), minus leading `/`s (a
//! name of only slashes becomes `.`). Hard links are recorded as stored: in
//! newc every link is its own member sharing (dev, ino), only the last one
//! carrying the data, so the others are empty `File`s; `meta.inode` groups them.
//!
//! An initrd as Debian's and Ubuntu's mkinitramfs write it is several
//! archives back to back: uncompressed "early" cpios (CPU microcode), zero
//! padding, then the compressed main cpio. A file holding one archive and
//! nothing but zeros after it lists that archive's members directly. Any
//! other file lists *segments* `<segment-1>`, `<segment-2>`, ... whose data
//! ranges are exactly one archive each, from its magic to the end of its
//! `TRAILER!!!` member (padded to the format's alignment, as the kernel and
//! unmkinitramfs read it); the zeros between segments belong to no segment.
//! A compressed segment ends where its stream ends ([`stream::stream_end`]);
//! bytes that are neither cpio nor a known stream become a last segment of
//! format `unknown`, so that a difference there is still seen. The walker
//! above opens each segment again by detection.

use std::io::Read;

use crate::bytes::{be16, le16};
use crate::stream;
use crate::{
    Blob, Container, Data, Entry, Error, ErrorKind, Extent, Field, Format, Kind, Limits, Region,
    Result, Role, Time, Value,
};

/// Longest name accepted, NUL included (Linux PATH_MAX).
const MAX_NAME: u64 = 4096;
const TRAILER: &[u8] = b"TRAILER!!!";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Newc,
    Crc,
    Odc,
    BinLe,
    BinBe,
}

impl Variant {
    fn at(b: &[u8]) -> Option<Variant> {
        match b {
            [b'0', b'7', b'0', b'7', b'0', b'1', ..] => Some(Variant::Newc),
            [b'0', b'7', b'0', b'7', b'0', b'2', ..] => Some(Variant::Crc),
            [b'0', b'7', b'0', b'7', b'0', b'7', ..] => Some(Variant::Odc),
            [0xc7, 0x71, ..] => Some(Variant::BinLe),
            [0x71, 0xc7, ..] => Some(Variant::BinBe),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Variant::Newc => "newc",
            Variant::Crc => "crc",
            Variant::Odc => "odc",
            Variant::BinLe => "bin-le",
            Variant::BinBe => "bin-be",
        }
    }

    fn header_len(self) -> usize {
        match self {
            Variant::Newc | Variant::Crc => 110,
            Variant::Odc => 76,
            Variant::BinLe | Variant::BinBe => 26,
        }
    }

    /// Names and data are padded to this, counted from the archive start.
    fn align(self) -> usize {
        match self {
            Variant::Newc | Variant::Crc => 4,
            Variant::Odc => 1,
            Variant::BinLe | Variant::BinBe => 2,
        }
    }
}

/// One member header, decoded.
#[derive(Debug, Clone)]
struct Header {
    variant: Variant,
    /// Device of the file's filesystem (major, minor).
    dev: (u32, u32),
    ino: u64,
    /// Full st_mode, file type bits included.
    mode: u32,
    uid: u64,
    gid: u64,
    nlink: u32,
    mtime: i64,
    filesize: u64,
    /// Device numbers of device nodes (major, minor).
    rdev: (u32, u32),
    /// Name length, terminating NUL included.
    namesize: u64,
    /// crc format: the 32-bit sum of the data bytes.
    check: u32,
}

fn hex(b: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(b).ok()?;
    if !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(s, 16).ok()
}

fn oct(b: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(b).ok()?;
    if !s.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
        return None;
    }
    u64::from_str_radix(s, 8).ok()
}

/// A single encoded dev_t (odc, binary) split as Linux's `new_decode_dev`.
fn split_dev(v: u64) -> (u32, u32) {
    let v = v as u32;
    ((v >> 8) & 0xfff, (v & 0xff) | ((v >> 12) & 0xfff00))
}

impl Header {
    fn parse(b: &[u8], at: usize) -> Result<Header> {
        let Some(variant) = Variant::at(b.get(at..).unwrap_or(&[])) else {
            return Err(Error::new(Format::Cpio, at as u64, ErrorKind::BadMagic));
        };
        let len = variant.header_len();
        let h = b.get(at..at.saturating_add(len)).ok_or_else(|| {
            Error::truncated(
                Format::Cpio,
                at as u64,
                at.saturating_add(len) as u64,
                b.len() as u64,
            )
        })?;
        let bad = |what: &str| Error::invalid(Format::Cpio, at as u64, format!("{what} in header"));
        match variant {
            Variant::Newc | Variant::Crc => {
                // Thirteen 8-digit hex fields after the 6-byte magic.
                let f = |i: usize| -> Result<u64> {
                    h.get(6 + 8 * i..14 + 8 * i)
                        .and_then(hex)
                        .ok_or_else(|| bad("non-hex digits"))
                };
                Ok(Header {
                    variant,
                    ino: f(0)?,
                    mode: f(1)? as u32,
                    uid: f(2)?,
                    gid: f(3)?,
                    nlink: f(4)? as u32,
                    mtime: f(5)? as i64,
                    filesize: f(6)?,
                    dev: (f(7)? as u32, f(8)? as u32),
                    rdev: (f(9)? as u32, f(10)? as u32),
                    namesize: f(11)?,
                    check: f(12)? as u32,
                })
            }
            Variant::Odc => {
                let f = |s: usize, n: usize| -> Result<u64> {
                    h.get(s..s + n)
                        .and_then(oct)
                        .ok_or_else(|| bad("non-octal digits"))
                };
                Ok(Header {
                    variant,
                    dev: split_dev(f(6, 6)?),
                    ino: f(12, 6)?,
                    mode: f(18, 6)? as u32,
                    uid: f(24, 6)?,
                    gid: f(30, 6)?,
                    nlink: f(36, 6)? as u32,
                    rdev: split_dev(f(42, 6)?),
                    mtime: f(48, 11)? as i64,
                    namesize: f(59, 6)?,
                    filesize: f(65, 11)?,
                    check: 0,
                })
            }
            Variant::BinLe | Variant::BinBe => {
                let w = |i: usize| -> u64 {
                    let v = if variant == Variant::BinLe {
                        le16(h, 2 * i)
                    } else {
                        be16(h, 2 * i)
                    };
                    u64::from(v.unwrap_or(0))
                };
                // 32-bit values are two halves, most significant first.
                Ok(Header {
                    variant,
                    dev: split_dev(w(1)),
                    ino: w(2),
                    mode: w(3) as u32,
                    uid: w(4),
                    gid: w(5),
                    nlink: w(6) as u32,
                    rdev: split_dev(w(7)),
                    mtime: ((w(8) << 16) | w(9)) as i64,
                    namesize: w(10),
                    filesize: (w(11) << 16) | w(12),
                    check: 0,
                })
            }
        }
    }
}

/// One member as laid out in the bytes.
struct Member<'a> {
    header: Header,
    at: usize,
    name: &'a [u8],
    name_at: usize,
    data_at: usize,
    data_end: usize,
    /// Start of the next header.
    next: usize,
}

impl Member<'_> {
    fn is_trailer(&self) -> bool {
        self.name == TRAILER
    }
}

fn align_up(pos: usize, start: usize, align: usize) -> Option<usize> {
    let rel = pos.checked_sub(start)?;
    let r = rel.checked_add(align - 1)? / align * align;
    start.checked_add(r)
}

/// Reads the member at `at` of the archive that starts at `start`.
fn member(b: &[u8], start: usize, at: usize) -> Result<Member<'_>> {
    let header = Header::parse(b, at)?;
    let v = header.variant;
    if header.namesize == 0 || header.namesize > MAX_NAME {
        return Err(Error::invalid(
            Format::Cpio,
            at as u64,
            format!("name size {}", header.namesize),
        ));
    }
    let avail = b.len() as u64;
    let trunc = |need: u64| Error::truncated(Format::Cpio, at as u64, need, avail);
    let name_at = at + v.header_len();
    let name_end = name_at + header.namesize as usize;
    let raw = b
        .get(name_at..name_end)
        .ok_or_else(|| trunc(name_end as u64))?;
    let name = raw.split(|&c| c == 0).next().unwrap_or(&[]);
    let data_at = align_up(name_end, start, v.align()).ok_or_else(|| trunc(u64::MAX))?;
    let data_end = (data_at as u64)
        .checked_add(header.filesize)
        .filter(|&e| e <= avail)
        .ok_or_else(|| trunc((data_at as u64).saturating_add(header.filesize)))?
        as usize;
    // Padding after the last member's data may be missing at end of input.
    let next = align_up(data_end, start, v.align())
        .unwrap_or(data_end)
        .min(b.len());
    Ok(Member {
        header,
        at,
        name,
        name_at,
        data_at,
        data_end,
        next,
    })
}

/// How one archive ended.
struct ArchiveEnd {
    variant: Variant,
    /// Just past the trailer (or where reading stopped).
    end: usize,
    /// Offset of the `TRAILER!!!` header; `None` when the archive stopped
    /// on an error before it.
    trailer: Option<usize>,
    error: Option<Error>,
}

/// Walks the archive starting at `start`, calling `each` for every member
/// but the trailer. An error on the very first header is returned; later
/// ones end the walk and are reported in `ArchiveEnd::error`.
fn walk<'a>(
    b: &'a [u8],
    start: usize,
    mut each: impl FnMut(&Member<'a>) -> Result<()>,
) -> Result<ArchiveEnd> {
    let first = member(b, start, start)?;
    let variant = first.header.variant;
    let mut m = first;
    loop {
        if m.is_trailer() {
            return Ok(ArchiveEnd {
                variant,
                end: m.next,
                trailer: Some(m.at),
                error: None,
            });
        }
        each(&m)?;
        let at = m.next.max(m.at + 1);
        if at >= b.len() {
            let e = Error::truncated(Format::Cpio, at as u64, at as u64 + 1, b.len() as u64);
            return Ok(ArchiveEnd {
                variant,
                end: at.min(b.len()),
                trailer: None,
                error: Some(Error::invalid(
                    Format::Cpio,
                    e.offset,
                    "archive ends without TRAILER!!!",
                )),
            });
        }
        m = match member(b, start, at) {
            Ok(n) if n.header.variant == variant => n,
            Ok(_) => {
                let e = Error::invalid(Format::Cpio, at as u64, "header of another cpio format");
                return Ok(ArchiveEnd {
                    variant,
                    end: at,
                    trailer: None,
                    error: Some(e),
                });
            }
            Err(e) => {
                return Ok(ArchiveEnd {
                    variant,
                    end: at,
                    trailer: None,
                    error: Some(e),
                })
            }
        };
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The entry a member's header and name describe, before its data: the
/// symbolic link target is `target`, the bytes of a link's data.
fn member_entry(h: &Header, name: &[u8], target: Option<&[u8]>) -> Entry {
    let slashes = name.iter().take_while(|&&c| c == b'/').count();
    let trimmed = name.get(slashes..).unwrap_or(&[]);
    let kind = Kind::from_mode(h.mode);
    let mut e = Entry::stored(
        if trimmed.is_empty() { b"." } else { trimmed },
        kind.unwrap_or(Kind::File),
    );
    e.size = h.filesize;
    e.meta.mode = Some(h.mode & 0o7777);
    e.meta.uid = Some(h.uid);
    e.meta.gid = Some(h.gid);
    e.meta.nlink = Some(h.nlink);
    e.meta.mtime = Some(Time::from_secs(h.mtime));
    e.meta.inode = Some(h.ino);
    e.meta
        .extra
        .push(Field::new("cpio.ino", h.ino, Role::Location));
    e.meta.extra.push(Field::new(
        "cpio.dev",
        format!("{}:{}", h.dev.0, h.dev.1),
        Role::Location,
    ));
    if kind.is_none() {
        e.meta.extra.push(Field::new(
            "cpio.mode",
            Value::Mode(h.mode),
            Role::Permissions,
        ));
    }
    if std::str::from_utf8(name).is_err() {
        let esc: String = name.escape_ascii().to_string();
        e.meta
            .extra
            .push(Field::new("cpio.raw_name", esc, Role::Content));
    }
    if h.variant == Variant::Crc {
        e.meta.extra.push(Field::new(
            "cpio.check",
            Value::hex(h.check),
            Role::Structure,
        ));
    }
    match kind {
        Some(Kind::CharDevice | Kind::BlockDevice) => e.meta.rdev = Some(h.rdev),
        Some(Kind::Symlink) => e.meta.target = Some(lossy(target.unwrap_or(&[]))),
        _ => {}
    }
    e
}

/// Whether a member's bytes are its data (a symbolic link's are its target).
fn has_data(h: &Header, e: &Entry) -> bool {
    e.kind != Kind::Symlink && (h.filesize > 0 || e.kind == Kind::File)
}

/// The crc format's check of a regular file's data, `None` when it holds.
fn check_error(h: &Header, path: &str, sum: impl FnOnce() -> u32, at: u64) -> Option<Error> {
    if h.variant != Variant::Crc || Kind::from_mode(h.mode) != Some(Kind::File) {
        return None;
    }
    let sum = sum();
    (sum != h.check).then(|| {
        Error::invalid(
            Format::Cpio,
            at,
            format!(
                "{path}: crc check {:#010x} but data sums to {sum:#010x}",
                h.check
            ),
        )
    })
}

fn byte_sum(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |s, &x| s.wrapping_add(u32::from(x)))
}

/// The entry for one member, and its regions.
fn entry(c: &mut Container, b: &[u8], m: &Member<'_>, limits: &Limits) -> Result<()> {
    let h = &m.header;
    let idx = c.entries.len();
    let data = b.get(m.data_at..m.data_end).unwrap_or(&[]);
    let mut e = member_entry(h, m.name, Some(data));
    c.errors
        .extend(check_error(h, &e.path, || byte_sum(data), m.at as u64));
    if has_data(h, &e) {
        e.data = Data::Range(Extent {
            offset: m.data_at as u64,
            len: h.filesize,
        });
    }
    c.push(e, limits)?;
    push_member_regions(c, m, Some(idx));
    Ok(())
}

fn push_member_regions(c: &mut Container, m: &Member<'_>, idx: Option<usize>) {
    let Some(idx) = idx else {
        c.regions.push(Region::structure(
            m.at as u64,
            (m.next - m.at) as u64,
            "cpio.trailer",
        ));
        return;
    };
    let hl = m.header.variant.header_len();
    c.regions
        .push(Region::structure(m.at as u64, hl as u64, "cpio.header"));
    c.regions.push(Region::structure(
        m.name_at as u64,
        (m.data_at - m.name_at) as u64,
        "cpio.name",
    ));
    if m.data_end > m.data_at {
        c.regions.push(Region {
            offset: m.data_at as u64,
            len: (m.data_end - m.data_at) as u64,
            owner: crate::Owner::Entry(idx),
        });
    }
    if m.next > m.data_end {
        c.regions.push(Region::structure(
            m.data_end as u64,
            (m.next - m.data_end) as u64,
            "cpio.padding",
        ));
    }
}

/// Lists the members of a cpio image, or its segments when it holds more
/// than one archive (see the module documentation).
pub fn open(blob: &Blob, limits: &Limits) -> Result<Container> {
    let b = blob.bytes();
    let mut c = Container::new(Format::Cpio, blob.clone());
    // Members are collected first; most inputs are a single archive.
    let mut pending: Vec<Entry> = Vec::new();
    let mut regions: Vec<Region> = Vec::new();
    let mut errors: Vec<Error> = Vec::new();
    let end = {
        let mut tmp = Container::new(Format::Cpio, blob.clone());
        let r = walk(b, 0, |m| entry(&mut tmp, b, m, limits));
        pending.append(&mut tmp.entries);
        regions.append(&mut tmp.regions);
        errors.append(&mut tmp.errors);
        r?
    };
    let rest = b.get(end.end..).unwrap_or(&[]);
    let single = end.trailer.is_none() || rest.iter().all(|&x| x == 0);
    c.field("cpio.format", end.variant.name(), Role::Content);
    if single {
        c.entries = pending;
        c.regions = regions;
        if let Some(Ok(t)) = end.trailer.map(|at| member(b, 0, at)) {
            push_member_regions(&mut c, &t, None);
        }
        if !rest.is_empty() && end.trailer.is_some() {
            c.regions.push(Region::structure(
                end.end as u64,
                rest.len() as u64,
                "cpio.padding",
            ));
        }
        c.errors = errors;
        c.errors.extend(end.error);
        return Ok(c);
    }
    segments(blob, &mut c, limits)?;
    Ok(c)
}

/// Lists `blob` as a sequence of archives and streams (an initrd).
fn segments(blob: &Blob, c: &mut Container, limits: &Limits) -> Result<()> {
    let b = blob.bytes();
    let len = b.len();
    let mut pos = 0usize;
    let mut n = 0usize;
    while pos < len {
        let Some(skip) = b.get(pos..).and_then(|r| r.iter().position(|&x| x != 0)) else {
            c.regions.push(Region::structure(
                pos as u64,
                (len - pos) as u64,
                "segment.padding",
            ));
            break;
        };
        if skip > 0 {
            c.regions.push(Region::structure(
                pos as u64,
                skip as u64,
                "segment.padding",
            ));
            pos += skip;
        }
        let here = b.get(pos..).unwrap_or(&[]);
        let (name, end) = match crate::detect(here) {
            Some(Format::Cpio) => match walk(b, pos, |_| Ok(())) {
                Ok(a) => {
                    if let Some(e) = a.error {
                        c.errors.push(e);
                    }
                    (end_name(a.variant), a.end)
                }
                Err(e) => {
                    c.errors.push(e);
                    ("unknown", len)
                }
            },
            Some(f) if f.is_stream() => {
                let sub = blob.slice(pos as u64, (len - pos) as u64, Format::Cpio)?;
                match stream::stream_end(&sub, f, limits) {
                    Ok(e) if e > 0 => (f.name(), pos.saturating_add(e as usize)),
                    Ok(_) => (f.name(), len),
                    Err(e) => {
                        c.errors.push(Error::new(
                            Format::Cpio,
                            pos as u64,
                            ErrorKind::Decode(format!(
                                "end of the {f} segment not found, taking the rest of the file: {e}"
                            )),
                        ));
                        (f.name(), len)
                    }
                }
            }
            Some(f) => (f.name(), len),
            None => ("unknown", len),
        };
        let end = end.clamp(pos + 1, len);
        n += 1;
        let idx = c.entries.len();
        let mut e = Entry::new(format!("<segment-{n}>"), Kind::File);
        e.size = (end - pos) as u64;
        e.data = Data::Range(Extent {
            offset: pos as u64,
            len: e.size,
        });
        e.meta
            .extra
            .push(Field::new("segment.format", name, Role::Packing));
        c.push(e, limits)?;
        c.regions.push(Region {
            offset: pos as u64,
            len: (end - pos) as u64,
            owner: crate::Owner::Entry(idx),
        });
        pos = end;
    }
    c.field("cpio.segments", n, Role::Structure);
    Ok(())
}

/// `segment.format` of an uncompressed archive: plain `cpio`, with the
/// variant where it is not newc.
fn end_name(v: Variant) -> &'static str {
    match v {
        Variant::Newc => "cpio",
        Variant::Crc => "cpio-crc",
        Variant::Odc => "cpio-odc",
        Variant::BinLe | Variant::BinBe => "cpio-bin",
    }
}

/// Reads cpio archives once, front to back, from a stream (a decoded
/// initrd too large to hold): each member is handed to `f` as soon as its
/// header and name are read, with a reader of exactly its data, which `f`
/// may read or leave (what it leaves is skipped, and still summed for the
/// crc format's check). Nothing is kept of a member once `f` returns.
/// Archives that follow one another, zeros between them, are read as the
/// kernel reads them, as one sequence of members; the archive's own fields
/// (`cpio.format`, and `cpio.archives` when there are several) and the
/// problems met that did not stop it are returned. A stream whose first
/// header is not a cpio header is an error, as for [`open`]. A member's
/// data range is its offset in the decoded stream.
pub fn each_member(
    r: &mut dyn Read,
    limits: &Limits,
    f: &mut dyn FnMut(Entry, &mut dyn Read) -> Result<()>,
) -> Result<(Vec<Field>, Vec<Error>)> {
    let mut s = Stream {
        r,
        pos: 0,
        ahead: Vec::new(),
        used: 0,
    };
    let mut errors = Vec::new();
    let mut count = 0usize;
    let mut archives = 0usize;
    let mut first = None;
    loop {
        let at = s.pos;
        match read_archive(&mut s, limits, &mut count, &mut errors, &mut first, f) {
            Ok(Some(_)) => {}
            // Ended without its trailer: the stream cannot be read further.
            Ok(None) => {
                errors.push(Error::invalid(
                    Format::Cpio,
                    s.pos,
                    "archive ends without TRAILER!!!",
                ));
                break;
            }
            Err(e) if archives == 0 && e.offset == at => return Err(e),
            Err(e) if e.kind == ErrorKind::BadMagic && e.offset == at => {
                let rest = s.pos - at + s.drain()?;
                errors.push(Error::invalid(
                    Format::Cpio,
                    at,
                    format!("{rest} bytes after the last archive are neither cpio nor zeros"),
                ));
                break;
            }
            Err(e) if matches!(e.kind, ErrorKind::Limit(_)) => return Err(e),
            Err(e) => {
                errors.push(e);
                break;
            }
        }
        archives += 1;
        // Zeros to the next archive, or to the end.
        if !s.skip_zeros()? {
            break;
        }
    }
    let mut fields = Vec::new();
    if let Some(v) = first {
        fields.push(Field::new("cpio.format", v.name(), Role::Content));
    }
    if archives > 1 {
        fields.push(Field::new("cpio.archives", archives, Role::Structure));
    }
    Ok((fields, errors))
}

/// A stream read front to back, with the bytes looked at ahead of reading
/// kept to be read again.
struct Stream<'r> {
    r: &'r mut dyn Read,
    /// Bytes consumed so far.
    pos: u64,
    ahead: Vec<u8>,
    /// How much of `ahead` is consumed.
    used: usize,
}

impl Read for Stream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = if self.used < self.ahead.len() {
            let n = buf.len().min(self.ahead.len() - self.used);
            buf[..n].copy_from_slice(&self.ahead[self.used..self.used + n]);
            self.used += n;
            n
        } else {
            self.r.read(buf)?
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Stream<'_> {
    fn io(&self, e: &std::io::Error) -> Error {
        Error::invalid(Format::Cpio, self.pos, format!("reading: {e}"))
    }

    /// Fills `buf` as far as the stream goes; how many bytes were read.
    fn fill(&mut self, buf: &mut [u8]) -> Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            match self.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io(&e)),
            }
        }
        Ok(n)
    }

    /// Skips `n` bytes; false when the stream ends first.
    fn skip(&mut self, n: u64) -> Result<bool> {
        let got = std::io::copy(&mut (&mut *self).take(n), &mut std::io::sink())
            .map_err(|e| self.io(&e))?;
        Ok(got == n)
    }

    /// Skips to the next byte that is not zero, leaving it to be read;
    /// false at the end of the stream.
    fn skip_zeros(&mut self) -> Result<bool> {
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = self.fill(&mut buf)?;
            if let Some(i) = buf[..n].iter().position(|&x| x != 0) {
                self.ahead = buf[i..n].to_vec();
                self.used = 0;
                self.pos -= (n - i) as u64;
                return Ok(true);
            }
            if n < buf.len() {
                return Ok(false);
            }
        }
    }

    /// Reads the rest of the stream; how many bytes it held.
    fn drain(&mut self) -> Result<u64> {
        std::io::copy(self, &mut std::io::sink()).map_err(|e| self.io(&e))
    }
}

/// A member's data as `f` reads it, summed for the crc format's check.
struct Summed<'a, 'r> {
    data: std::io::Take<&'a mut Stream<'r>>,
    sum: u32,
}

impl Read for Summed<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.data.read(buf)?;
        self.sum = buf[..n]
            .iter()
            .fold(self.sum, |s, &x| s.wrapping_add(u32::from(x)));
        Ok(n)
    }
}

/// Reads one archive from the stream's position to past its trailer,
/// handing each member to `f`: its variant, or `None` when the stream
/// ended (or a member failed) before the trailer. An error at the first
/// header means there is no archive here.
fn read_archive(
    s: &mut Stream<'_>,
    limits: &Limits,
    count: &mut usize,
    errors: &mut Vec<Error>,
    first: &mut Option<Variant>,
    f: &mut dyn FnMut(Entry, &mut dyn Read) -> Result<()>,
) -> Result<Option<Variant>> {
    let start = s.pos;
    let mut variant = None;
    let mut head = [0u8; 110];
    loop {
        let at = s.pos;
        let n = s.fill(&mut head[..6])?;
        let Some(v) = Variant::at(&head[..n]) else {
            if n == 0 && variant.is_some() {
                return Ok(None);
            }
            return Err(Error::new(Format::Cpio, at, ErrorKind::BadMagic));
        };
        if variant.is_some_and(|x| x != v) {
            return Err(Error::invalid(
                Format::Cpio,
                at,
                "header of another cpio format",
            ));
        }
        variant = Some(v);
        // Known from the first magic, as when held, whatever follows.
        first.get_or_insert(v);
        let len = v.header_len();
        let got = n + s.fill(&mut head[n..len])?;
        if got < len {
            return Err(Error::truncated(
                Format::Cpio,
                at,
                at + len as u64,
                at + got as u64,
            ));
        }
        let h = Header::parse(&head[..len], 0).map_err(|mut e| {
            e.offset += at;
            e
        })?;
        if h.namesize == 0 || h.namesize > MAX_NAME {
            return Err(Error::invalid(
                Format::Cpio,
                at,
                format!("name size {}", h.namesize),
            ));
        }
        let mut raw = vec![0u8; h.namesize as usize];
        if s.fill(&mut raw)? < raw.len() {
            return Err(Error::truncated(Format::Cpio, at, s.pos + 1, s.pos));
        }
        let name = raw.split(|&c| c == 0).next().unwrap_or(&[]);
        let align = v.align() as u64;
        let pad = |pos: u64| (align - (pos - start) % align) % align;
        if !s.skip(pad(s.pos))? {
            return Ok(None);
        }
        if name == TRAILER {
            // Its data, and padding that may be missing at the end.
            if !s.skip(h.filesize)? {
                return Ok(None);
            }
            s.skip(pad(s.pos))?;
            return Ok(Some(v));
        }
        *count += 1;
        if *count > limits.max_entries {
            return Err(Error::limit(
                Format::Cpio,
                at,
                format!("more than {} entries", limits.max_entries),
            ));
        }
        let kind = Kind::from_mode(h.mode);
        let truncated = |s: &Stream<'_>, end: u64| Error::truncated(Format::Cpio, at, end, s.pos);
        let data_end = s.pos.saturating_add(h.filesize);
        if kind == Some(Kind::Symlink) {
            if h.filesize >= MAX_NAME {
                return Err(Error::invalid(
                    Format::Cpio,
                    at,
                    format!("symbolic link target of {} bytes", h.filesize),
                ));
            }
            let mut target = vec![0u8; h.filesize as usize];
            if s.fill(&mut target)? < target.len() {
                return Err(truncated(s, data_end));
            }
            f(member_entry(&h, name, Some(&target)), &mut std::io::empty())?;
        } else {
            let mut e = member_entry(&h, name, None);
            if has_data(&h, &e) {
                e.data = Data::Range(Extent {
                    offset: s.pos,
                    len: h.filesize,
                });
            }
            let path = (v == Variant::Crc).then(|| e.path.clone());
            let mut data = Summed {
                data: (&mut *s).take(h.filesize),
                sum: 0,
            };
            f(e, &mut data)?;
            // What `f` left is read too: the check sums all of it.
            std::io::copy(&mut data, &mut std::io::sink())
                .map_err(|x| Error::invalid(Format::Cpio, at, format!("reading: {x}")))?;
            let (left, sum) = (data.data.limit(), data.sum);
            if left > 0 {
                return Err(truncated(s, data_end));
            }
            if let Some(path) = path {
                errors.extend(check_error(&h, &path, || sum, at));
            }
        }
        if !s.skip(pad(s.pos))? {
            return Ok(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn newc(name: &str, mode: u32, data: &[u8]) -> Vec<u8> {
        let mut v = format!(
            "070701{:08x}{mode:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
            1,
            0,
            0,
            1,
            1_700_000_000,
            data.len(),
            0,
            0,
            0,
            0,
            name.len() + 1,
            0
        )
        .into_bytes();
        v.extend_from_slice(name.as_bytes());
        v.push(0);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v.extend_from_slice(data);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    fn archive(members: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut v = Vec::new();
        for (n, m, d) in members {
            v.extend(newc(n, *m, d));
        }
        v.extend(newc("TRAILER!!!", 0, b""));
        v
    }

    #[test]
    fn single_archive_with_zero_padding_lists_members() {
        let mut a = archive(&[("a", 0o100644, b"hello"), ("/abs/b", 0o40755, b"")]);
        a.resize(512, 0);
        let c = open(&Blob::from_vec(a), &Limits::default()).map_err(|e| e.to_string());
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<_> = c.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(names, ["a", "abs/b"]);
        assert_eq!(
            c.entries[0].data,
            Data::Range(Extent {
                offset: 112,
                len: 5
            })
        );
        assert!(c.errors.is_empty());
        assert!(c
            .regions
            .iter()
            .any(|r| r.owner == crate::Owner::Structure("cpio.trailer".into())));
    }

    #[test]
    fn garbage_after_archive_makes_segments() {
        let mut a = archive(&[("a", 0o100644, b"hello")]);
        let first = a.len() as u64;
        a.extend_from_slice(&[0; 12]);
        a.extend_from_slice(b"not an archive");
        let c = open(&Blob::from_vec(a), &Limits::default()).map_err(|e| e.to_string());
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<_> = c.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(names, ["<segment-1>", "<segment-2>"]);
        assert_eq!(c.entries[0].size, first);
        assert_eq!(c.entries[1].size, 14);
        assert_eq!(c.entries[1].meta.extra[0].value, Value::text("unknown"));
    }

    #[test]
    fn missing_trailer_is_an_error_not_a_failure() {
        let mut a = newc("a", 0o100644, b"x");
        a.extend_from_slice(b"0707");
        let c = open(&Blob::from_vec(a), &Limits::default()).map_err(|e| e.to_string());
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.entries.len(), 1);
        assert_eq!(c.errors.len(), 1);
    }
}
