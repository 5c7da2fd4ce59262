//! tar reader: v7, ustar, GNU (long names `L`/`K`) and pax (local `x` and
//! global `g` extended headers).
//!
//! Part of formats/ (bytes → formats → engine → report): walks the 512-byte
//! header blocks of a tar held in a [`Blob`] and lists every member as an
//! [`Entry`] whose data is a byte range of that blob, with the container's
//! header blocks, extension records and end-of-archive marker mapped as
//! regions. The same walk reads a tar once from a stream ([`each_member`]),
//! handing on each member with its bytes, for archives too large to hold.
//! Paths are kept exactly as stored (`./usr/...` in .deb data tars).
//!
//! This is a small reader of its own rather than the `tar` crate: the crate
//! folds long-name and pax blocks into the entry that follows and hides their
//! offsets (the region map needs them), reports errors without byte offsets,
//! and stops at the first zero block without checking the second. Its
//! allocations are bounded (long names are read from the slice, capacity
//! capped at 128 KiB), so that was not the reason. Long names and pax
//! records are copied out of their blocks (they are rare and small, and
//! one over 1 MiB is an error).

use std::io::Read;

use crate::model::{stored_name, Extent, Field, Region, Role};
use crate::{Blob, Container, Data, Entry, Error, ErrorKind, Format, Kind, Limits, Result, Time};

const BLOCK: u64 = 512;
const F: Format = Format::Tar;

/// Field offsets within a header block, from POSIX.1-1988 ustar and the GNU
/// tar manual ("Basic Tar Format").
mod at {
    use std::ops::Range;
    pub const NAME: Range<usize> = 0..100;
    pub const MODE: Range<usize> = 100..108;
    pub const UID: Range<usize> = 108..116;
    pub const GID: Range<usize> = 116..124;
    pub const SIZE: Range<usize> = 124..136;
    pub const MTIME: Range<usize> = 136..148;
    pub const CHKSUM: Range<usize> = 148..156;
    pub const TYPEFLAG: usize = 156;
    pub const LINKNAME: Range<usize> = 157..257;
    /// "ustar\0" then version "00" (POSIX), or "ustar " then " \0" (GNU).
    pub const MAGIC: Range<usize> = 257..265;
    pub const UNAME: Range<usize> = 265..297;
    pub const GNAME: Range<usize> = 297..329;
    pub const DEVMAJOR: Range<usize> = 329..337;
    pub const DEVMINOR: Range<usize> = 337..345;
    /// POSIX only: GNU keeps atime/ctime and sparse maps here instead.
    pub const PREFIX: Range<usize> = 345..500;
    /// GNU sparse headers: more map entries follow in extension blocks.
    pub const SPARSE_EXTENDED: usize = 482;
    /// GNU sparse headers: the file's size with its holes.
    pub const SPARSE_REALSIZE: Range<usize> = 483..495;
}

/// The header dialect, told by the magic field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    V7,
    Ustar,
    Gnu,
}

impl Dialect {
    fn of(h: &[u8]) -> Dialect {
        match h.get(at::MAGIC) {
            Some(b"ustar\x0000") => Dialect::Ustar,
            Some(b"ustar  \0") => Dialect::Gnu,
            // Some writers leave the version blank or NUL; the magic is what counts.
            Some(m) if m.starts_with(b"ustar\0") => Dialect::Ustar,
            _ => Dialect::V7,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Dialect::V7 => "v7",
            Dialect::Ustar => "ustar",
            Dialect::Gnu => "gnu",
        }
    }
}

/// Bytes of a NUL-terminated (or full-width) text field.
fn cstr(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(n) => b.get(..n).unwrap_or(b),
        None => b,
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A numeric field: octal text padded with spaces or NULs, or GNU's base-256
/// (high bit of the first byte set; 0xff marks a negative value). `None`
/// when the field is blank or holds anything else.
fn number(b: &[u8]) -> Option<i128> {
    let first = *b.first()?;
    if first & 0x80 != 0 {
        // At most 12 bytes (96 bits), so i128 cannot overflow.
        if b.len() > 12 {
            return None;
        }
        let mut v: i128 = i128::from(first & 0x7f);
        for &c in b.get(1..)? {
            v = (v << 8) | i128::from(c);
        }
        if first == 0xff {
            let bits = 8 * b.len() as u32;
            v = (v | (0x80_i128 << (bits - 8))) - (1_i128 << bits);
        }
        return Some(v);
    }
    let s = b
        .iter()
        .skip_while(|&&c| c == b' ' || c == 0)
        .take_while(|&&c| c != b' ' && c != 0);
    let mut v: i128 = 0;
    let mut any = false;
    for &c in s {
        if !(b'0'..=b'7').contains(&c) {
            return None;
        }
        v = v.checked_mul(8)?.checked_add(i128::from(c - b'0'))?;
        any = true;
    }
    any.then_some(v)
}

fn field_num(h: &[u8], r: std::ops::Range<usize>) -> Option<i128> {
    number(h.get(r)?)
}

/// The sums a header's checksum may hold: unsigned bytes (POSIX) or signed
/// bytes (some historic Unix tars), both with the checksum field as spaces.
fn checksums(h: &[u8]) -> (i64, i64) {
    let mut unsigned = 0i64;
    let mut signed = 0i64;
    for (i, &c) in h.iter().enumerate() {
        let c = if at::CHKSUM.contains(&i) { b' ' } else { c };
        unsigned += i64::from(c);
        signed += i64::from(c as i8);
    }
    (unsigned, signed)
}

/// One `len keyword=value\n` record of a pax extended header.
struct PaxRecord {
    key: Vec<u8>,
    value: Vec<u8>,
}

/// Splits pax records; stops at the first malformed one and says where it
/// is (relative to the start of `data`).
fn pax_records(data: &[u8]) -> (Vec<PaxRecord>, Option<(usize, &'static str)>) {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        let rest = data.get(pos..).unwrap_or(&[]);
        // Trailing NUL padding after the last record is common and harmless.
        if rest.iter().all(|&c| c == 0) {
            break;
        }
        let Some(sp) = rest.iter().take(20).position(|&c| c == b' ') else {
            return (out, Some((pos, "pax record without a length")));
        };
        let len = std::str::from_utf8(rest.get(..sp).unwrap_or(&[]))
            .ok()
            .and_then(|s| s.parse::<usize>().ok());
        let Some(len) = len.filter(|&l| l > sp + 1 && l <= rest.len()) else {
            return (out, Some((pos, "pax record length out of range")));
        };
        let rec = rest.get(sp + 1..len).unwrap_or(&[]);
        let Some(body) = rec.strip_suffix(b"\n") else {
            return (out, Some((pos, "pax record not ended by a newline")));
        };
        let Some(eq) = body.iter().position(|&c| c == b'=') else {
            return (out, Some((pos, "pax record without '='")));
        };
        out.push(PaxRecord {
            key: body.get(..eq).unwrap_or(&[]).to_vec(),
            value: body.get(eq + 1..).unwrap_or(&[]).to_vec(),
        });
        pos += len;
    }
    (out, None)
}

/// A pax time: decimal seconds, optionally signed, with up to nanosecond
/// fraction (more digits are dropped, as POSIX allows).
fn pax_time(v: &[u8]) -> Option<Time> {
    let s = std::str::from_utf8(v).ok()?;
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || !int.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = int.parse().ok()?;
    let mut nanos: u32 = 0;
    let mut scale = 100_000_000;
    for c in frac.bytes().take(9) {
        nanos += u32::from(c - b'0') * scale;
        scale /= 10;
    }
    if !neg {
        return Some(Time { secs, nanos });
    }
    if nanos == 0 {
        return Some(Time {
            secs: secs.checked_neg()?,
            nanos: 0,
        });
    }
    // -1.25 s is 1.75 s after -3 s: keep nanos non-negative.
    Some(Time {
        secs: secs.checked_neg()?.checked_sub(1)?,
        nanos: 1_000_000_000 - nanos,
    })
}

fn pax_u64(v: &[u8]) -> Option<u64> {
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// Pax keywords in effect for the next member, and the blocks that carried
/// them (for the region map, named once the member's index is known).
#[derive(Default)]
struct Pending {
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax: Vec<PaxRecord>,
    /// (offset, len, what) of extension blocks seen since the last member.
    blocks: Vec<(u64, u64, &'static str)>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}

/// Lists the members of a tar archive.
pub fn open(blob: &Blob, limits: &Limits) -> Result<Container> {
    let mut c = Container::new(F, blob.clone());
    let mut src = Held(blob.bytes());
    parse(&mut src, &mut c, true, &mut |_, c, e, _| {
        c.push(e, limits)?;
        Ok(true)
    })?;
    Ok(c)
}

/// Reads a tar archive once, front to back, from a stream (a decoded
/// `data.tar.xz` too large to hold): each member is handed to `f` as soon
/// as its header is read, with a reader of exactly its stored bytes, which
/// `f` may read or leave (what it leaves is skipped). Nothing is kept of a
/// member once `f` returns. The archive's own fields and the problems met
/// that did not stop it are returned; an archive whose first header is
/// not a tar header is an error, as for [`open`].
pub fn each_member(
    r: &mut dyn Read,
    limits: &Limits,
    f: &mut dyn FnMut(Entry, &mut dyn Read) -> Result<()>,
) -> Result<(Vec<Field>, Vec<Error>)> {
    walk_stream(r, limits, f, None)
}

/// [`each_member`], also giving the archive's structure map to `map`, region
/// by region in the order [`open`] lists them (a member's regions before
/// the member), `Owner::Entry(i)` naming the `i`th member handed to `f`.
pub fn each_member_mapped(
    r: &mut dyn Read,
    limits: &Limits,
    f: &mut dyn FnMut(Entry, &mut dyn Read) -> Result<()>,
    map: &mut dyn FnMut(Region),
) -> Result<(Vec<Field>, Vec<Error>)> {
    walk_stream(r, limits, f, Some(map))
}

fn walk_stream(
    r: &mut dyn Read,
    limits: &Limits,
    f: &mut dyn FnMut(Entry, &mut dyn Read) -> Result<()>,
    mut map: Option<&mut dyn FnMut(Region)>,
) -> Result<(Vec<Field>, Vec<Error>)> {
    let mut c = Container::new(F, Blob::from_vec(Vec::new()));
    let mut src = Streamed { r, pos: 0 };
    let mut count = 0usize;
    let mapped = map.is_some();
    parse(
        &mut src,
        &mut c,
        mapped,
        &mut |src, c, e, (start, stored)| {
            // Regions are handed on as they are met, never held.
            if let Some(m) = map.as_mut() {
                c.regions.drain(..).for_each(&mut **m);
            }
            count += 1;
            if count > limits.max_entries {
                return Err(Error::limit(
                    F,
                    src.pos,
                    format!("more than {} entries", limits.max_entries),
                ));
            }
            // A sparse member's stored runs are not its data: skipped unread.
            let len = match &e.data {
                Data::Range(x) => x.len,
                _ => 0,
            };
            let mut data = (&mut *src.r).take(len);
            f(e, &mut data)?;
            src.pos += len - data.limit();
            // A size field may claim up to u64::MAX bytes.
            let end = start.saturating_add(stored);
            // A stream cut inside a member's data: known only now (held, the
            // member is not listed), and the end of the archive.
            if !src.skip_to(end.max(src.pos)) {
                c.errors.push(Error::truncated(F, start, end, src.pos));
                return Ok(false);
            }
            Ok(true)
        },
    )?;
    if let Some(m) = map {
        c.regions.drain(..).for_each(m);
    }
    Ok((c.fields, c.errors))
}

/// Where [`parse`] reads an archive from.
trait Source {
    /// The 512-byte block at `off`, `None` when the bytes end before it.
    fn block(&mut self, off: u64) -> Option<Vec<u8>>;
    /// `len` bytes at `off` (extension data: long names, pax records),
    /// `None` when the bytes end before them.
    fn bytes(&mut self, off: u64, len: u64) -> Option<Vec<u8>>;
    /// How many bytes there are: all of them for a held archive, those read
    /// so far for a stream.
    fn available(&self) -> u64;
    /// Whether `len` bytes of member data at `off` are all there, when that
    /// can be known before reading them.
    fn has(&self, off: u64, len: u64) -> bool;
}

/// An archive held whole.
struct Held<'b>(&'b [u8]);

impl Source for Held<'_> {
    fn block(&mut self, off: u64) -> Option<Vec<u8>> {
        block(self.0, off).map(<[u8]>::to_vec)
    }

    fn bytes(&mut self, off: u64, len: u64) -> Option<Vec<u8>> {
        let s = usize::try_from(off).ok()?;
        let e = s.checked_add(usize::try_from(len).ok()?)?;
        self.0.get(s..e).map(<[u8]>::to_vec)
    }

    fn available(&self) -> u64 {
        self.0.len() as u64
    }

    fn has(&self, off: u64, len: u64) -> bool {
        off.saturating_add(len) <= self.available()
    }
}

/// Largest extension record (a long name, pax records) read: real ones
/// are a few hundred bytes.
const MAX_EXTENSION: u64 = 1 << 20;

/// An archive read once from a stream; `pos` is how far it has been read.
struct Streamed<'r> {
    r: &'r mut dyn Read,
    pos: u64,
}

impl Streamed<'_> {
    /// Reads (and drops) up to `off`; false when the stream ends first or
    /// `off` was already passed.
    fn skip_to(&mut self, off: u64) -> bool {
        let Some(gap) = off.checked_sub(self.pos) else {
            return false;
        };
        let n = std::io::copy(&mut (&mut *self.r).take(gap), &mut std::io::sink()).unwrap_or(0);
        self.pos += n;
        n == gap
    }

    fn read(&mut self, len: u64) -> Option<Vec<u8>> {
        let mut v = Vec::new();
        let n = (&mut *self.r).take(len).read_to_end(&mut v).unwrap_or(0) as u64;
        self.pos += n;
        (n == len).then_some(v)
    }
}

impl Source for Streamed<'_> {
    fn block(&mut self, off: u64) -> Option<Vec<u8>> {
        if !self.skip_to(off) {
            return None;
        }
        self.read(BLOCK)
    }

    fn bytes(&mut self, off: u64, len: u64) -> Option<Vec<u8>> {
        if len > MAX_EXTENSION || !self.skip_to(off) {
            return None;
        }
        self.read(len)
    }

    fn available(&self) -> u64 {
        self.pos
    }

    fn has(&self, _off: u64, _len: u64) -> bool {
        true
    }
}

/// What [`parse`] does with each member it reads: list it (with `open`),
/// or hand it on with its data (`each_member`), given where its stored
/// bytes are (offset, length); `false` ends the archive.
type Emit<'f, S> = dyn FnMut(&mut S, &mut Container, Entry, (u64, u64)) -> Result<bool> + 'f;

/// Walks the header blocks of an archive, filling `c`'s fields, errors and
/// (when `map`) regions, and giving each member to `emit`.
fn parse<S: Source>(
    src: &mut S,
    c: &mut Container,
    map: bool,
    emit: &mut Emit<'_, S>,
) -> Result<()> {
    let mut globals: Vec<PaxRecord> = Vec::new();
    let mut pending = Pending::default();
    let mut off: u64 = 0;
    let mut first = true;
    let mut members = 0usize;
    let region = |c: &mut Container, r: Region| {
        if map {
            c.regions.push(r);
        }
    };

    'blocks: loop {
        let Some(h) = src.block(off) else {
            // Either a partial block, or the bytes ran out before the two
            // zero blocks that end an archive.
            let total = src.available();
            let needed = if off < total {
                off + BLOCK
            } else {
                off + 2 * BLOCK
            };
            let e = Error::truncated(F, off, needed, total);
            if first {
                return Err(e);
            }
            c.errors.push(e);
            break;
        };
        let h = h.as_slice();
        if h.iter().all(|&b| b == 0) {
            match src.block(off + BLOCK) {
                Some(z) if z.iter().all(|&b| b == 0) => {
                    region(
                        c,
                        Region::structure(off, 2 * BLOCK, "end-of-archive blocks"),
                    );
                }
                Some(_) => {
                    region(c, Region::structure(off, BLOCK, "zero block"));
                    c.errors.push(Error::invalid(
                        F,
                        off,
                        "lone zero block: the archive ends here without its second end block",
                    ));
                }
                None => {
                    region(c, Region::structure(off, BLOCK, "zero block"));
                    let total = src.available();
                    c.errors
                        .push(Error::truncated(F, off, off + 2 * BLOCK, total));
                }
            }
            break;
        }

        let (unsigned, signed) = checksums(h);
        let stored = field_num(h, at::CHKSUM);
        let checksum = match stored {
            Some(s) if s == i128::from(unsigned) => "ok",
            Some(s) if s == i128::from(signed) => "ok-signed",
            _ => {
                let e = Error::invalid(
                    F,
                    off,
                    format!(
                        "header checksum {:?} does not match the header (sum {unsigned})",
                        stored
                    ),
                );
                if first {
                    return Err(e);
                }
                c.errors.push(e);
                break;
            }
        };
        let dialect = Dialect::of(h);
        let typeflag = h.get(at::TYPEFLAG).copied().unwrap_or(0);
        if first {
            let fmt = if matches!(typeflag, b'x' | b'g') {
                "pax"
            } else {
                dialect.name()
            };
            c.field("tar.format", fmt, Role::Content);
            first = false;
        }

        let mut size = match field_num(h, at::SIZE) {
            Some(s) if s >= 0 => u64::try_from(s).unwrap_or(u64::MAX),
            _ => {
                c.errors
                    .push(Error::invalid(F, off, "size field is not a number"));
                break;
            }
        };
        // A pax `size` describes the member's data, never the extension block itself.
        let is_ext = matches!(typeflag, b'L' | b'K' | b'x' | b'g');
        if !is_ext {
            if let Some(s) = last(&pending.pax, b"size").and_then(pax_u64) {
                size = s;
            }
        }
        let mut data_off = off + BLOCK;
        // An old GNU sparse header whose map did not fit is followed by
        // extension blocks (21 more map entries each, flag at byte 504).
        let mut sparse_maps = Vec::new();
        if typeflag == b'S' && dialect == Dialect::Gnu {
            let mut more = h.get(at::SPARSE_EXTENDED).copied().unwrap_or(0);
            while more != 0 {
                let Some(b) = src.block(data_off) else {
                    let total = src.available();
                    c.errors
                        .push(Error::truncated(F, data_off, data_off + BLOCK, total));
                    break 'blocks;
                };
                sparse_maps.push(data_off);
                more = b.get(504).copied().unwrap_or(0);
                data_off += BLOCK;
            }
        }
        let padded = size.div_ceil(BLOCK).saturating_mul(BLOCK);
        let data_end = data_off.saturating_add(size);
        if !src.has(data_off, size) {
            let total = src.available();
            c.errors
                .push(Error::truncated(F, data_off, data_end, total));
            break;
        }
        // Only extension records are read here; a member's data is its
        // reader's (or, held, a range of the archive).
        let data = if is_ext {
            // Real ones are a few hundred bytes; a hostile one is not
            // copied out whole.
            if size > MAX_EXTENSION {
                c.errors.push(Error::limit(
                    F,
                    off,
                    format!("extension record of {size} bytes"),
                ));
                break;
            }
            match src.bytes(data_off, size) {
                Some(d) => d,
                None => {
                    let total = src.available();
                    c.errors
                        .push(Error::truncated(F, data_off, data_end, total));
                    break;
                }
            }
        } else {
            Vec::new()
        };
        let next = data_off.saturating_add(padded);

        match typeflag {
            b'L' => {
                pending.long_name = Some(cstr(&data).to_vec());
                pending.blocks.push((off, BLOCK, "gnu long-name header"));
                pending.blocks.push((data_off, padded, "gnu long name"));
            }
            b'K' => {
                pending.long_link = Some(cstr(&data).to_vec());
                pending.blocks.push((off, BLOCK, "gnu long-link header"));
                pending.blocks.push((data_off, padded, "gnu long link"));
            }
            b'x' => {
                let (recs, bad) = pax_records(&data);
                if let Some((at, why)) = bad {
                    c.errors.push(Error::invalid(F, data_off + at as u64, why));
                }
                pending.pax.extend(recs);
                pending.blocks.push((off, BLOCK, "pax header"));
                pending.blocks.push((data_off, padded, "pax records"));
            }
            b'g' => {
                let (recs, bad) = pax_records(&data);
                if let Some((at, why)) = bad {
                    c.errors.push(Error::invalid(F, data_off + at as u64, why));
                }
                for r in &recs {
                    c.field(
                        format!("pax_global.{}", text(&r.key)),
                        text(&r.value),
                        Role::Content,
                    );
                }
                globals.extend(recs);
                region(c, Region::structure(off, BLOCK, "pax global header"));
                region(c, Region::structure(data_off, padded, "pax global records"));
            }
            b'V' => {
                c.field(
                    "tar.volume_label",
                    text(cstr(h.get(at::NAME).unwrap_or(&[]))),
                    Role::Content,
                );
                region(c, Region::structure(off, BLOCK, "volume label header"));
            }
            _ => {
                let idx = members;
                members += 1;
                let p = std::mem::take(&mut pending);
                let e = member(h, dialect, typeflag, checksum, size, data_off, &p, &globals);
                let sparse = e
                    .meta
                    .extra
                    .iter()
                    .any(|f| f.name == "tar.sparse")
                    .then(|| e.path.clone());
                for o in sparse_maps {
                    region(
                        c,
                        Region::structure(o, BLOCK, format!("gnu sparse map of entry {idx}")),
                    );
                }
                for (o, l, what) in p.blocks {
                    region(c, Region::structure(o, l, format!("{what} of entry {idx}")));
                }
                region(
                    c,
                    Region::structure(off, BLOCK, format!("header of entry {idx}")),
                );
                if size > 0 {
                    region(
                        c,
                        Region {
                            offset: data_off,
                            len: size,
                            owner: crate::Owner::Entry(idx),
                        },
                    );
                }
                if padded > size {
                    region(c, Region::structure(data_end, padded - size, "padding"));
                }
                if !emit(src, c, e, (data_off, size))? {
                    break;
                }
                if let Some(path) = sparse {
                    c.errors.push(Error::new(
                        F,
                        off,
                        ErrorKind::Unsupported(format!("sparse member {path}")),
                    ));
                }
            }
        }
        off = next;
    }
    if !pending.is_empty() {
        c.errors.push(Error::invalid(
            F,
            pending.blocks.first().map(|b| b.0).unwrap_or(off),
            "extension headers with no member after them",
        ));
    }
    Ok(())
}

/// The 512-byte block at `off`, if whole.
fn block(bytes: &[u8], off: u64) -> Option<&[u8]> {
    let s = usize::try_from(off).ok()?;
    bytes.get(s..s.checked_add(BLOCK as usize)?)
}

/// The last value of `key`: a later record overrides an earlier one.
fn last<'a>(recs: &'a [PaxRecord], key: &[u8]) -> Option<&'a [u8]> {
    recs.iter()
        .rev()
        .find(|r| r.key == key)
        .map(|r| r.value.as_slice())
}

#[allow(clippy::too_many_arguments)]
fn member(
    h: &[u8],
    dialect: Dialect,
    typeflag: u8,
    checksum: &str,
    size: u64,
    data_off: u64,
    p: &Pending,
    globals: &[PaxRecord],
) -> Entry {
    // Local pax records override global ones, which override the header.
    let pax = |key: &[u8]| last(&p.pax, key).or_else(|| last(globals, key));
    let ustar = dialect != Dialect::V7;

    let path = match (
        pax(b"GNU.sparse.name").or(pax(b"path")),
        p.long_name.as_deref(),
    ) {
        (Some(v), _) => v.to_vec(),
        (None, Some(v)) => v.to_vec(),
        (None, None) => {
            let name = cstr(h.get(at::NAME).unwrap_or(&[]));
            let prefix = cstr(h.get(at::PREFIX).unwrap_or(&[]));
            if dialect == Dialect::Ustar && !prefix.is_empty() {
                let mut v = prefix.to_vec();
                v.push(b'/');
                v.extend_from_slice(name);
                v
            } else {
                name.to_vec()
            }
        }
    };
    let kind = match typeflag {
        b'1' => Kind::Hardlink,
        b'2' => Kind::Symlink,
        b'3' => Kind::CharDevice,
        b'4' => Kind::BlockDevice,
        b'5' => Kind::Dir,
        b'6' => Kind::Fifo,
        // GNU's dump directory: a directory with a listing as its data.
        b'D' => Kind::Dir,
        // Old tars mark directories only by the trailing slash.
        0 | b'0' if path.ends_with(b"/") => Kind::Dir,
        // POSIX: unknown types are read as regular files ('7' is contiguous).
        _ => Kind::File,
    };
    let mut e = Entry::new(String::new(), kind);
    let m = &mut e.meta;

    let num = |r| field_num(h, r);
    m.mode = num(at::MODE).and_then(|v| u32::try_from(v & 0o7777).ok());
    m.uid = pax(b"uid")
        .and_then(pax_u64)
        .or_else(|| num(at::UID).and_then(|v| u64::try_from(v).ok()));
    m.gid = pax(b"gid")
        .and_then(pax_u64)
        .or_else(|| num(at::GID).and_then(|v| u64::try_from(v).ok()));
    m.mtime = pax(b"mtime").and_then(pax_time).or_else(|| {
        num(at::MTIME)
            .and_then(|v| i64::try_from(v).ok())
            .map(Time::from_secs)
    });
    m.atime = pax(b"atime").and_then(pax_time);
    m.ctime = pax(b"ctime").and_then(pax_time);
    if ustar {
        let name_of = |key: &[u8], r| {
            pax(key)
                .map(text)
                .or_else(|| Some(text(cstr(h.get(r)?))).filter(|s| !s.is_empty()))
        };
        m.user = name_of(b"uname", at::UNAME);
        m.group = name_of(b"gname", at::GNAME);
    }
    let link = match (pax(b"linkpath"), p.long_link.as_deref()) {
        (Some(v), _) => v.to_vec(),
        (None, Some(v)) => v.to_vec(),
        (None, None) => cstr(h.get(at::LINKNAME).unwrap_or(&[])).to_vec(),
    };
    if matches!(kind, Kind::Symlink | Kind::Hardlink) {
        m.target = Some(text(&link));
    }
    if matches!(kind, Kind::CharDevice | Kind::BlockDevice) && ustar {
        let dev = |r| num(r).and_then(|v| u32::try_from(v).ok());
        if let (Some(a), Some(b)) = (dev(at::DEVMAJOR), dev(at::DEVMINOR)) {
            m.rdev = Some((a, b));
        }
    }

    let tf = if typeflag.is_ascii_graphic() {
        (typeflag as char).to_string()
    } else {
        format!("\\x{typeflag:02x}")
    };
    m.extra.push(Field::new("tar.typeflag", tf, Role::Content));
    m.extra
        .push(Field::new("tar.checksum", checksum, Role::Structure));
    m.extra.push(Field::new(
        "tar.header_format",
        dialect.name(),
        Role::Content,
    ));
    for r in p.pax.iter() {
        if let Some(name) = r.key.strip_prefix(b"SCHILY.xattr.") {
            m.xattrs.push((text(name), r.value.clone()));
        } else if !matches!(
            r.key.as_slice(),
            b"path"
                | b"linkpath"
                | b"size"
                | b"uid"
                | b"gid"
                | b"uname"
                | b"gname"
                | b"mtime"
                | b"atime"
                | b"ctime"
        ) && !r.key.starts_with(b"GNU.sparse.")
        {
            m.extra.push(Field::new(
                format!("pax.{}", text(&r.key)),
                text(&r.value),
                Role::Content,
            ));
        }
    }
    // Sparse members are listed with their full size but no data: the
    // stored runs would need the map to be placed.
    let sparse_pax = p.pax.iter().any(|r| r.key.starts_with(b"GNU.sparse."));
    let sparse = typeflag == b'S' || sparse_pax;
    let mut full_size = size;
    if sparse {
        m.extra.push(Field::new(
            "tar.sparse",
            if sparse_pax { "pax" } else { "gnu" },
            Role::Content,
        ));
        m.extra
            .push(Field::new("tar.stored_size", size, Role::Structure));
        let real = if sparse_pax {
            pax(b"GNU.sparse.realsize")
                .or(pax(b"GNU.sparse.size"))
                .and_then(pax_u64)
        } else {
            num(at::SPARSE_REALSIZE).and_then(|v| u64::try_from(v).ok())
        };
        full_size = real.unwrap_or(size);
    }

    // Kept exactly as stored, trailing slash and `./` included: the walker's
    // addresses and the tools' listings use them.
    (e.path, e.raw_path) = stored_name(&path);
    e.size = full_size;
    if size > 0 && !sparse {
        e.data = Data::Range(Extent {
            offset: data_off,
            len: size,
        });
    }
    e
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every fixture read from a stream gives the members, bytes, fields
    /// and errors of the archive held whole; so does one cut short.
    #[test]
    fn a_streamed_archive_is_the_held_one() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/tar");
        let limits = Limits::default();
        for name in ["gnu", "pax", "ustar", "v7", "sparse-gnu", "sparse-pax"] {
            let bytes = std::fs::read(dir.join(format!("{name}.tar"))).unwrap();
            for cut in [bytes.len(), bytes.len() / 2 + 100] {
                let blob = Blob::from_vec(bytes[..cut].to_vec());
                let held = open(&blob, &limits).unwrap();
                let mut got = Vec::new();
                let (fields, errors) = each_member(&mut &bytes[..cut], &limits, &mut |e, r| {
                    let mut data = Vec::new();
                    r.read_to_end(&mut data).unwrap();
                    got.push((e, data));
                    Ok(())
                })
                .unwrap();
                // Held, a member cut short is not listed; streamed, that is
                // known only once its data ends early.
                let cut_member = usize::from(cut < bytes.len() && got.len() > held.entries.len());
                assert_eq!(
                    got.len(),
                    held.entries.len() + cut_member,
                    "{name} cut at {cut}"
                );
                for (i, (e, data)) in got.iter().take(held.entries.len()).enumerate() {
                    assert_eq!(e, &held.entries[i], "{name}");
                    if matches!(e.data, Data::Range(_)) {
                        assert_eq!(data, held.read(i, &limits).unwrap().bytes(), "{name}");
                    }
                }
                assert_eq!(fields, held.fields, "{name}");
                let shown = |v: &[Error]| v.iter().map(|e| e.to_string()).collect::<Vec<_>>();
                let mut want = shown(&held.errors);
                if cut_member == 1 {
                    // Held, the cut member's pax headers are left without it.
                    want.retain(|e| !e.contains("with no member after them"));
                }
                assert_eq!(shown(&errors), want, "{name} cut at {cut}");
            }
        }
        // Not a tar at all: an error, as held.
        assert!(each_member(&mut &[7u8; 600][..], &limits, &mut |_, _| Ok(())).is_err());
    }

    /// Streamed with its map, every fixture gives the structure map of the
    /// archive held whole, region for region, members named by the order
    /// they were handed on.
    #[test]
    fn a_streamed_map_is_the_held_one() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/tar");
        let limits = Limits::default();
        for name in ["gnu", "pax", "ustar", "v7", "sparse-gnu", "sparse-pax"] {
            let bytes = std::fs::read(dir.join(format!("{name}.tar"))).unwrap();
            let held = open(&Blob::from_vec(bytes.clone()), &limits).unwrap();
            let mut regions = Vec::new();
            let mut paths = Vec::new();
            each_member_mapped(
                &mut &bytes[..],
                &limits,
                &mut |e, _| {
                    paths.push(e.path);
                    Ok(())
                },
                &mut |r| regions.push(r),
            )
            .unwrap();
            assert!(!regions.is_empty(), "{name}");
            assert_eq!(regions, held.regions, "{name}");
            let held_paths: Vec<_> = held.entries.iter().map(|e| e.path.clone()).collect();
            assert_eq!(paths, held_paths, "{name}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(number(b"0000644\0"), Some(0o644));
        assert_eq!(number(b"     17 "), Some(0o17));
        assert_eq!(number(b"\0\0\0\0"), None);
        assert_eq!(number(b"12x4"), None);
        assert_eq!(number(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]), Some(256));
        assert_eq!(number(&[0xff; 12]), Some(-1));
        assert_eq!(number(&[0xff, 0xff, 0xff, 0xfe]), Some(-2));
    }

    #[test]
    fn pax_times() {
        assert_eq!(
            pax_time(b"1700000000.123456789"),
            Some(Time {
                secs: 1_700_000_000,
                nanos: 123_456_789
            })
        );
        assert_eq!(
            pax_time(b"5.5"),
            Some(Time {
                secs: 5,
                nanos: 500_000_000
            })
        );
        assert_eq!(
            pax_time(b"-1.25"),
            Some(Time {
                secs: -2,
                nanos: 750_000_000
            })
        );
        assert_eq!(pax_time(b"-3"), Some(Time::from_secs(-3)));
        assert_eq!(pax_time(b"1.x"), None);
        assert_eq!(pax_time(b""), None);
    }

    /// A size field that claims u64::MAX bytes ends a streamed archive
    /// with an error, as held, instead of overflowing an offset.
    #[test]
    fn a_size_of_u64_max_is_an_error_streamed_too() {
        let mut h = [0u8; 512];
        h[..5].copy_from_slice(b"huge\0");
        h[100..108].copy_from_slice(b"0000644\0");
        // GNU base-256: far past u64::MAX, read as u64::MAX.
        h[124] = 0x80;
        h[125..136].fill(0xff);
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = b'0';
        h[257..265].copy_from_slice(b"ustar  \0");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let mut tar = h.to_vec();
        tar.resize(4096, 0);
        let limits = Limits::default();
        let held = open(&Blob::from_vec(tar.clone()), &limits).unwrap();
        assert!(held
            .errors
            .iter()
            .any(|e| e.to_string().contains("truncated")));
        let (_, errors) = each_member(&mut &tar[..], &limits, &mut |_, r| {
            std::io::copy(r, &mut std::io::sink())
                .map(|_| ())
                .map_err(|e| Error::invalid(F, 0, e.to_string()))
        })
        .unwrap();
        assert!(
            errors.iter().any(|e| e.to_string().contains("truncated")),
            "{errors:?}"
        );
    }

    /// A pax header that says its records are 2 MiB long is an error,
    /// held or streamed, and is not copied out.
    #[test]
    fn oversized_extension_records_are_an_error() {
        let mut h = [0u8; 512];
        h[..8].copy_from_slice(b"PaxHdr/x");
        h[100..108].copy_from_slice(b"0000644\0");
        h[124..136].copy_from_slice(format!("{:011o}\0", 2u64 << 20).as_bytes());
        h[136..148].copy_from_slice(b"00000000000\0");
        h[156] = b'x';
        h[257..265].copy_from_slice(b"ustar\x0000");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let mut tar = h.to_vec();
        tar.resize(512 + (2 << 20) + 1024, 0);
        let limits = Limits::default();
        let held = open(&Blob::from_vec(tar.clone()), &limits).unwrap();
        let said = |errors: &[Error]| {
            errors
                .iter()
                .any(|e| e.to_string().contains("extension record of 2097152 bytes"))
        };
        assert!(said(&held.errors), "{:?}", held.errors);
        assert!(held.entries.is_empty());
        let (_, errors) = each_member(&mut &tar[..], &limits, &mut |_, _| Ok(())).unwrap();
        assert!(said(&errors), "{errors:?}");
    }

    #[test]
    fn pax_record_errors() {
        let (r, bad) = pax_records(b"12 path=abc\n");
        assert_eq!(r.len(), 1);
        assert!(bad.is_none());
        let (_, bad) = pax_records(b"99 path=abc\n");
        assert!(bad.is_some());
        let (_, bad) = pax_records(b"1 \n");
        assert!(bad.is_some());
        let (r, bad) = pax_records(b"12 path=abc\n\0\0\0");
        assert_eq!((r.len(), bad.is_none()), (1, true));
    }
}
