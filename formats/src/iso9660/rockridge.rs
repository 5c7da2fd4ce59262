//! System Use Sharing Protocol (SUSP, IEEE P1281) and Rock Ridge (RRIP,
//! IEEE P1282) entries: the POSIX names, modes, owners, times, link targets
//! and device numbers that sit in each directory record's system use area and
//! in continuation areas.
//!
//! Part of the ISO9660 reader in formats/ (bytes → formats → engine →
//! report): the directory walker hands it a record's system use bytes and
//! gets back what Rock Ridge says about that record.

use super::{both32, date17, date7, Stamp};
use crate::{Error, Format};

/// Continuation areas followed per record: real images use one or two.
const MAX_CE: usize = 16;
/// System use bytes read per record, all areas together.
const MAX_SU_BYTES: usize = 256 << 10;

/// `PX`: POSIX file attributes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Px {
    pub mode: u32,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    /// "File serial number", only in RRIP 1.12 (44-byte PX).
    pub inode: Option<u32>,
}

/// `TF` time stamps, in the order of their flag bits.
#[derive(Debug, Clone, Default)]
pub(super) struct Times {
    pub creation: Option<Stamp>,
    pub modify: Option<Stamp>,
    pub access: Option<Stamp>,
    pub attributes: Option<Stamp>,
    pub backup: Option<Stamp>,
    pub expiration: Option<Stamp>,
    pub effective: Option<Stamp>,
}

/// `ER`: an extension reference (which extension the SUSP entries follow).
#[derive(Debug, Clone, Default)]
pub(super) struct Er {
    pub id: String,
    pub descriptor: String,
    pub source: String,
    pub version: u8,
}

/// Everything the SUSP entries of one record said.
#[derive(Debug, Default)]
pub(super) struct Susp {
    /// `NM` as stored (assembled over CONTINUE), `None` when absent.
    pub name: Option<Vec<u8>>,
    name_open: bool,
    pub px: Option<Px>,
    /// `PN` raw (high, low) device words.
    pub pn: Option<(u32, u32)>,
    /// `SL` assembled target.
    sl: Vec<String>,
    sl_seen: bool,
    sl_join: bool,
    pub times: Times,
    /// `CL`: location of the relocated directory this record stands for.
    pub cl: Option<u32>,
    /// `PL`: parent of a relocated directory (in its `..` record).
    pub pl: Option<u32>,
    /// `RE`: this directory was relocated here; its real place has a `CL`.
    pub re: bool,
    /// `SP`: SUSP in use, with the number of bytes to skip in later records.
    pub sp: Option<u8>,
    pub er: Vec<Er>,
    /// `ZF`: zisofs-compressed content (algorithm, real size).
    pub zf: Option<(String, u32)>,
    /// Continuation areas read: (offset, len).
    pub ce_areas: Vec<(u64, u64)>,
    pub errors: Vec<Error>,
}

impl Susp {
    /// The `SL` target, joined with `/` between components.
    pub fn target(&self) -> Option<String> {
        if !self.sl_seen {
            return None;
        }
        match self.sl.as_slice() {
            [only] if only.is_empty() => Some("/".into()),
            parts => Some(parts.join("/")),
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Reads the SUSP entries of `area` (at absolute offset `at` in `bytes`),
/// following `CE` continuation areas within `bytes`. `budget` is what is
/// left of the continuation bytes the whole walk may read: real images
/// never read more than their own size, so hostile ones cannot make the
/// walk quadratic by pointing every record at the same large area.
pub(super) fn parse(bytes: &[u8], at: u64, area: &[u8], block: u64, budget: &mut u64) -> Susp {
    let mut s = Susp::default();
    let mut cur_at = at;
    let mut cur: &[u8] = area;
    let mut read = 0usize;
    let mut hops = 0usize;
    loop {
        let next = entries(&mut s, cur, cur_at);
        read = read.saturating_add(cur.len());
        let Some((lba, off, mut len)) = next else {
            break;
        };
        hops += 1;
        if u64::from(len) > block {
            // A continuation area lies within one logical block.
            s.errors.push(Error::invalid(
                Format::Iso9660,
                cur_at,
                format!("SUSP continuation area of {len} bytes"),
            ));
            len = block as u32;
        }
        if u64::from(len) > *budget {
            s.errors.push(Error::limit(
                Format::Iso9660,
                cur_at,
                "SUSP continuation areas larger than the image",
            ));
            break;
        }
        *budget -= u64::from(len);
        if hops > MAX_CE || read > MAX_SU_BYTES {
            s.errors.push(Error::limit(
                Format::Iso9660,
                cur_at,
                "too many SUSP continuation areas",
            ));
            break;
        }
        let start = u64::from(lba)
            .checked_mul(block)
            .and_then(|v| v.checked_add(u64::from(off)));
        let area = start.and_then(|st| {
            let s0 = usize::try_from(st).ok()?;
            let e0 = s0.checked_add(usize::try_from(len).ok()?)?;
            Some((st, bytes.get(s0..e0)?))
        });
        match area {
            Some((st, b)) => {
                s.ce_areas.push((st, u64::from(len)));
                cur_at = st;
                cur = b;
            }
            None => {
                s.errors.push(Error::truncated(
                    Format::Iso9660,
                    start.unwrap_or(cur_at),
                    start.unwrap_or(0).saturating_add(u64::from(len)),
                    bytes.len() as u64,
                ));
                break;
            }
        }
    }
    s
}

/// Walks one system use area; returns the `CE` it names, if any.
fn entries(s: &mut Susp, area: &[u8], at: u64) -> Option<(u32, u32, u32)> {
    let mut ce = None;
    let mut pos = 0usize;
    while let Some(head) = area.get(pos..pos + 4) {
        let len = usize::from(head[2]);
        if len < 4 {
            // Padding (a zero byte) or garbage: nothing more here.
            break;
        }
        let Some(e) = area.get(pos..pos + len) else {
            s.errors.push(Error::invalid(
                Format::Iso9660,
                at + pos as u64,
                "SUSP entry runs past its area",
            ));
            break;
        };
        let d = &e[4..];
        match &e[..2] {
            b"ST" => break,
            b"CE" => {
                if let (Some(l), Some(o), Some(n)) = (both32(d, 0), both32(d, 8), both32(d, 16)) {
                    ce = Some((l, o, n));
                }
            }
            b"SP" if d.get(..2) == Some(&[0xbe, 0xef]) => s.sp = d.get(2).copied(),
            b"ER" => {
                if let [li, ld, ls, ver, rest @ ..] = d {
                    let (li, ld, ls) = (usize::from(*li), usize::from(*ld), usize::from(*ls));
                    let id = rest.get(..li).unwrap_or_default();
                    let des = rest.get(li..li + ld).unwrap_or_default();
                    let src = rest.get(li + ld..li + ld + ls).unwrap_or_default();
                    s.er.push(Er {
                        id: text(id),
                        descriptor: text(des),
                        source: text(src),
                        version: *ver,
                    });
                }
            }
            b"NM" => {
                if let [flags, name @ ..] = d {
                    // CURRENT/PARENT names stand for `.`/`..`: never a listed name.
                    if flags & 0b110 == 0 {
                        let n = s.name.get_or_insert_with(Vec::new);
                        if !s.name_open && !n.is_empty() {
                            // A second, unrelated NM: the first one wins.
                        } else {
                            n.extend_from_slice(name);
                        }
                        s.name_open = flags & 1 != 0;
                    }
                }
            }
            b"PX" => {
                if let (Some(mode), Some(nlink), Some(uid), Some(gid)) =
                    (both32(d, 0), both32(d, 8), both32(d, 16), both32(d, 24))
                {
                    s.px = Some(Px {
                        mode,
                        nlink,
                        uid,
                        gid,
                        inode: both32(d, 32),
                    });
                }
            }
            b"PN" => {
                if let (Some(hi), Some(lo)) = (both32(d, 0), both32(d, 8)) {
                    s.pn = Some((hi, lo));
                }
            }
            b"SL" => {
                if let [flags, comps @ ..] = d {
                    sl(s, comps);
                    s.sl_seen = true;
                    // Without CONTINUE the next SL would start a new link; keep the first.
                    let _ = flags;
                }
            }
            b"TF" => tf(s, d),
            b"CL" => s.cl = both32(d, 0),
            b"PL" => s.pl = both32(d, 0),
            b"RE" => s.re = true,
            b"ZF" => {
                if let (Some(alg), Some(size)) = (d.get(..2), both32(d, 4)) {
                    s.zf = Some((text(alg), size));
                }
            }
            _ => {}
        }
        pos += len;
    }
    ce
}

/// Appends the components of one `SL` entry to the target being assembled.
fn sl(s: &mut Susp, mut comps: &[u8]) {
    while let [flags, len, rest @ ..] = comps {
        let len = usize::from(*len);
        let Some(body) = rest.get(..len) else { break };
        let part = if flags & 0b1000 != 0 {
            String::new() // ROOT: an empty first component joins to a leading `/`
        } else if flags & 0b10 != 0 {
            ".".into()
        } else if flags & 0b100 != 0 {
            "..".into()
        } else {
            text(body)
        };
        match s.sl.last_mut() {
            Some(last) if s.sl_join => last.push_str(&part),
            _ => s.sl.push(part),
        }
        s.sl_join = flags & 1 != 0;
        comps = rest.get(len..).unwrap_or_default();
    }
}

/// Reads a `TF` entry: flag bits say which stamps follow and in which form.
fn tf(s: &mut Susp, d: &[u8]) {
    let [flags, rest @ ..] = d else { return };
    let mut rest: &[u8] = rest;
    let long = flags & 0x80 != 0;
    let size = if long { 17 } else { 7 };
    let t = &mut s.times;
    let slots: [&mut Option<Stamp>; 7] = [
        &mut t.creation,
        &mut t.modify,
        &mut t.access,
        &mut t.attributes,
        &mut t.backup,
        &mut t.expiration,
        &mut t.effective,
    ];
    for (bit, slot) in slots.into_iter().enumerate() {
        if flags & (1 << bit) == 0 {
            continue;
        }
        let Some(raw) = rest.get(..size) else { return };
        *slot = if long { date17(raw) } else { date7(raw) };
        rest = rest.get(size..).unwrap_or_default();
    }
}
