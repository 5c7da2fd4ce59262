//! Compiled gettext catalogs (`.mo`) holding the same messages in another
//! character set. A catalog declares its charset in its header (the
//! translation of the empty message: `Content-Type: text/plain;
//! charset=ISO-8859-1`); trixie's builds of e2fsprogs-l10n convert the
//! French and Indonesian catalogs to UTF-8 where bookworm's keep
//! ISO-8859-1, and pipewire's header says `charset=UTF-8` where the other
//! build wrote `utf-8`. Every byte of the messages may differ while the
//! text does not: when both catalogs hold the same originals in the same
//! order, each translation decodes (by its own side's charset) to the same
//! text, and the headers are the same text but for the charset's name,
//! the catalog was only re-encoded (`mo.charset`, `compression-metadata`:
//! encoding differs, decoded content identical). Any other difference,
//! a charset this reader does not decode (it knows UTF-8, ASCII and
//! ISO-8859-1) or a catalog it cannot read leaves the bytes to the other
//! rules.
//!
//! Diagnosis stage (engine → **diagnosis** → report), on a differing
//! binary leaf no other rule explained; reads both catalogs once, bounded
//! by their sizes.

use std::borrow::Cow;

use crate::report::{Cause, Change, Value};

/// The field of a catalog re-encoded in another charset.
pub const FIELD: &str = "mo.charset";

/// The catalog's magic number, little-endian as most are written.
const MAGIC: [u8; 4] = [0xde, 0x12, 0x04, 0x95];

/// The string tables of a `.mo`, either byte order.
struct Tables<'a> {
    t: &'a [u8],
    le: bool,
    count: usize,
    originals: usize,
    translations: usize,
}

impl<'a> Tables<'a> {
    /// `None` for anything but a catalog, or more entries than the file
    /// could hold (each takes 8 bytes in each table: a count the file
    /// cannot hold is a damaged catalog, not an allocation to make).
    fn of(t: &'a [u8]) -> Option<Tables<'a>> {
        let magic = t.get(..4)?;
        let le = magic == MAGIC;
        if !le && magic.iter().rev().ne(MAGIC.iter()) {
            return None;
        }
        let mut tables = Tables {
            t,
            le,
            count: 0,
            originals: 0,
            translations: 0,
        };
        tables.count = tables.word(8)?;
        tables.originals = tables.word(12)?;
        tables.translations = tables.word(16)?;
        (tables.count <= t.len() / 16).then_some(tables)
    }

    fn word(&self, at: usize) -> Option<usize> {
        let b: [u8; 4] = self.t.get(at..at.checked_add(4)?)?.try_into().ok()?;
        let v = if self.le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        };
        usize::try_from(v).ok()
    }

    /// Entry `i`'s (original, translation), both within the file.
    fn pair(&self, i: usize) -> Option<(&'a [u8], &'a [u8])> {
        let string = |table: usize| -> Option<&'a [u8]> {
            let at = table.checked_add(i.checked_mul(8)?)?;
            let (len, off) = (self.word(at)?, self.word(at.checked_add(4)?)?);
            self.t.get(off..off.checked_add(len)?)
        };
        Some((string(self.originals)?, string(self.translations)?))
    }
}

/// A catalog's header (the translation of the empty message, the first
/// of the sorted table), read without the rest.
pub fn header(t: &[u8]) -> Option<&[u8]> {
    let tables = Tables::of(t)?;
    if tables.count == 0 {
        return None;
    }
    tables
        .pair(0)
        .filter(|(original, _)| original.is_empty())
        .map(|(_, h)| h)
}

/// One catalog: its (original, translation) byte strings in table order.
struct Catalog<'a> {
    pairs: Vec<(&'a [u8], &'a [u8])>,
}

impl<'a> Catalog<'a> {
    /// Every entry of a catalog; `None` for anything else or a string
    /// outside the file.
    fn read(t: &'a [u8]) -> Option<Catalog<'a>> {
        let tables = Tables::of(t)?;
        let pairs = (0..tables.count)
            .map(|i| tables.pair(i))
            .collect::<Option<Vec<_>>>()?;
        Some(Catalog { pairs })
    }

    /// The header (the empty message's translation).
    fn header(&self) -> Option<&'a [u8]> {
        self.pairs
            .first()
            .filter(|(original, _)| original.is_empty())
            .map(|(_, t)| *t)
    }
}

/// The charset the header's `Content-Type` line names (`UTF-8`).
fn charset(header: &[u8]) -> Option<&str> {
    const KEY: &[u8] = b"charset=";
    let line = header
        .split(|&c| c == b'\n')
        .find(|l| l.starts_with(b"Content-Type:"))?;
    let at = memchr::memmem::find(line, KEY)? + KEY.len();
    let rest = line.get(at..)?;
    let end = rest
        .iter()
        .position(|c| c.is_ascii_whitespace() || *c == b';')
        .unwrap_or(rest.len());
    std::str::from_utf8(rest.get(..end)?)
        .ok()
        .filter(|s| !s.is_empty())
}

/// `bytes` decoded as `charset`: UTF-8, ASCII or ISO-8859-1 (Latin-1,
/// each byte its code point); `None` for another charset or bytes the
/// charset does not allow.
fn decode<'a>(bytes: &'a [u8], charset: &str) -> Option<Cow<'a, str>> {
    match charset.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
        "ascii" | "us-ascii" | "ansi_x3.4-1968" => bytes
            .is_ascii()
            .then(|| std::str::from_utf8(bytes).ok().map(Cow::Borrowed))
            .flatten(),
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" => {
            Some(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()))
        }
        _ => None,
    }
}

/// The `mo.charset` finding when two catalogs hold the same messages in
/// other encodings (see the module's documentation).
pub fn explain(a: &[u8], b: &[u8]) -> Option<Change> {
    let (ca, cb) = (Catalog::read(a)?, Catalog::read(b)?);
    let (ha, hb) = (ca.header()?, cb.header()?);
    let (sa, sb) = (charset(ha)?, charset(hb)?);
    if ca.pairs.len() != cb.pairs.len() {
        return None;
    }
    // The headers: the same text once each names its charset one way.
    let header = |h: &[u8], s: &str| -> Option<String> {
        Some(decode(h, s)?.replacen(&format!("charset={s}"), "charset=", 1))
    };
    if header(ha, sa)? != header(hb, sb)? {
        return None;
    }
    let mut recoded = 0u64;
    for ((oa, ta), (ob, tb)) in ca.pairs.iter().zip(&cb.pairs).skip(1) {
        if decode(oa, sa)? != decode(ob, sb)? || decode(ta, sa)? != decode(tb, sb)? {
            return None;
        }
        recoded += u64::from(ta != tb || oa != ob);
    }
    let total = ca.pairs.len() - 1;
    Some(Change::finding(
        FIELD,
        Value::text(sa),
        Value::text(format!(
            "{sb}: the same {total} messages, {recoded} of them in other bytes"
        )),
        Cause::CompressionMetadata,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian catalog of `pairs` (the header first), as msgfmt
    /// lays it out: the two tables, then the strings, each NUL-ended.
    fn mo(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
        let n = pairs.len();
        let (originals, translations) = (28, 28 + 8 * n);
        let mut strings = Vec::new();
        let mut tables = (Vec::new(), Vec::new());
        let base = 28 + 16 * n;
        for (o, t) in pairs {
            for (s, table) in [(o, &mut tables.0), (t, &mut tables.1)] {
                let at = base + strings.len();
                table.extend((s.len() as u32).to_le_bytes());
                table.extend((at as u32).to_le_bytes());
                strings.extend_from_slice(s);
                strings.push(0);
            }
        }
        let mut out = MAGIC.to_vec();
        for w in [0, n, originals, translations, 0, 0] {
            out.extend((w as u32).to_le_bytes());
        }
        out.extend(tables.0);
        out.extend(tables.1);
        out.extend(strings);
        out
    }

    fn header(charset: &str) -> Vec<u8> {
        format!("Project-Id-Version: e2fsprogs 1.47.2\nContent-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: 8bit\n").into_bytes()
    }

    #[test]
    fn the_same_messages_in_another_charset_are_recoded() {
        // e2fsprogs-l10n's French catalog: UTF-8 in trixie, ISO-8859-1 in
        // its bookworm backport.
        let utf8 = mo(&[
            (b"", &header("UTF-8")),
            (b"\tcreated %s", "\tcréé le %s".as_bytes()),
            (b"done", b"fait"),
        ]);
        let latin1 = mo(&[
            (b"", &header("ISO-8859-1")),
            (b"\tcreated %s", b"\tcr\xe9\xe9 le %s"),
            (b"done", b"fait"),
        ]);
        let c = explain(&utf8, &latin1).expect("recoded");
        assert_eq!(c.cause, Some(Cause::CompressionMetadata));
        assert_eq!(Change::shown(&c.a).as_deref(), Some("UTF-8"));
        assert_eq!(
            c.shown_b().as_deref(),
            Some("ISO-8859-1: the same 2 messages, 1 of them in other bytes")
        );
        // The charset's name alone (pipewire's `utf-8`).
        let lower = mo(&[
            (b"", &header("utf-8")),
            (b"\tcreated %s", "\tcréé le %s".as_bytes()),
            (b"done", b"fait"),
        ]);
        assert!(explain(&utf8, &lower).is_some());
        // Another word, another header line, another charset it does not
        // decode, a damaged or cut catalog: not this.
        let other = mo(&[
            (b"", &header("ISO-8859-1")),
            (b"\tcreated %s", b"\tcr\xe9e le %s"),
            (b"done", b"fait"),
        ]);
        assert!(explain(&utf8, &other).is_none());
        let mut h = header("ISO-8859-1");
        h.extend(b"Language: fr\n");
        let more = mo(&[
            (b"", &h),
            (b"\tcreated %s", b"\tcr\xe9\xe9 le %s"),
            (b"done", b"fait"),
        ]);
        assert!(explain(&utf8, &more).is_none());
        let koi = mo(&[
            (b"", &header("KOI8-R")),
            (b"\tcreated %s", b"\tcr\xe9\xe9 le %s"),
            (b"done", b"fait"),
        ]);
        assert!(explain(&utf8, &koi).is_none());
        assert!(explain(&utf8, &latin1[..latin1.len() - 6]).is_none());
        let mut huge = latin1.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(explain(&utf8, &huge).is_none());
        assert!(explain(b"", b"").is_none());
    }
}
