//! ELF leaves: which sections own the differing bytes. A build-id note or a
//! debug link that differs alone is `build-id`; when other sections differ
//! too, the build-id is a hash of them and so `consequential`. Differing
//! sections are explained with the text masks (a `__DATE__` in `.rodata`)
//! and their differing strings are shown instead of a whole-file hexdump.
//! Merged DWARF string sections (`.debug_str`, `.debug_line_str`) are laid
//! out by hash, so another build directory also reorders them: their
//! strings are compared as sets under the masks, and the debug sections
//! whose only differences are 4-byte offsets following that reordering are
//! `consequential`.
//!
//! Diagnosis stage (engine → report), on the raw bytes of both sides.

use reprodiff_formats::elf::{self, Elf};

use super::text;
use super::{BUILD_ID, CONSEQUENTIAL, CONTENT};
use crate::report::Change;

const BUILD_ID_SECTIONS: [&str; 2] = [".note.gnu.build-id", ".gnu_debuglink"];

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The printable string around `at` (up to NULs or control bytes), cut to 80.
fn string_at(b: &[u8], at: usize) -> String {
    let printable = |c: u8| c == b' ' || c.is_ascii_graphic();
    let mut s = at.min(b.len());
    while s > 0 && b.get(s - 1).copied().is_some_and(printable) && at - s < 60 {
        s -= 1;
    }
    let mut e = at;
    while b.get(e).copied().is_some_and(printable) && e - s < 80 {
        e += 1;
    }
    let shown = String::from_utf8_lossy(b.get(s..e).unwrap_or_default()).into_owned();
    if shown.is_empty() {
        format!("byte {:#04x}", b.get(at).copied().unwrap_or(0))
    } else {
        format!("{shown:?}")
    }
}

/// The bytes no section owns, in file order (sorted intervals: linear in
/// the file and the section count, whatever a hostile table claims).
fn outside(d: &[u8], e: &Elf) -> Vec<u8> {
    let mut spans: Vec<(usize, usize)> = e
        .sections
        .iter()
        .map(|s| (s.offset as usize, s.offset.saturating_add(s.size) as usize))
        .collect();
    spans.sort_unstable();
    let mut v = Vec::new();
    let mut at = 0usize;
    for (start, end) in spans {
        if start > at {
            v.extend_from_slice(d.get(at..start.min(d.len())).unwrap_or_default());
        }
        at = at.max(end);
    }
    v.extend_from_slice(d.get(at.min(d.len())..).unwrap_or_default());
    v
}

/// One string of a string section: (offset, length without the NUL).
type Str = (usize, usize);

/// Corresponding strings of two string sections, sorted by a's offset.
type StrMap = Vec<(Str, Str)>;

fn is_string_section(name: &str) -> bool {
    name.starts_with(".debug_") && name.ends_with("_str")
}

fn strings(d: &[u8]) -> Vec<(Str, &[u8])> {
    let mut v = Vec::new();
    let mut at = 0;
    for s in d.split(|&c| c == 0) {
        if !s.is_empty() {
            v.push(((at, s.len()), s));
        }
        at += s.len() + 1;
    }
    v
}

/// The strings of a section with their masked forms, sorted by them.
fn masked_strings(d: &[u8]) -> Vec<(Vec<u8>, Str, &[u8])> {
    let mut v: Vec<(Vec<u8>, Str, &[u8])> = strings(d)
        .into_iter()
        .map(|(at, s)| (text::mask(s).0, at, s))
        .collect();
    v.sort_by(|x, y| x.0.cmp(&y.0).then(x.2.cmp(y.2)));
    v
}

/// Two string sections holding the same strings up to the text masks, in
/// any order: the explanation of their differing strings and the offset map.
fn reordered_strings(da: &[u8], db: &[u8], field: &str) -> Option<(Vec<Change>, StrMap)> {
    let (ma, mb) = (masked_strings(da), masked_strings(db));
    if ma.len() != mb.len() || ma.iter().zip(&mb).any(|(x, y)| x.0 != y.0) {
        return None;
    }
    let join = |v: &[(Vec<u8>, Str, &[u8])]| {
        v.iter()
            .flat_map(|x| [x.2, b"\n"])
            .collect::<Vec<&[u8]>>()
            .concat()
    };
    let ex = text::explain(&join(&ma), &join(&mb), field, false);
    if ex.unexplained && !ex.changes.is_empty() {
        return None;
    }
    let mut map: StrMap = ma.iter().zip(&mb).map(|(x, y)| (x.1, y.1)).collect();
    map.sort_unstable();
    Some((ex.changes, map))
}

/// Where an offset into string section a points in b: the start of the
/// corresponding string, or the same tail of it (merged suffixes).
fn map_offset(map: &StrMap, va: usize) -> Option<Vec<usize>> {
    let i = map.partition_point(|((o, _), _)| *o <= va).checked_sub(1)?;
    let ((oa, la), (ob, lb)) = *map.get(i)?;
    if va > oa + la {
        return None;
    }
    let tail = (oa + la) - va;
    let mut v = vec![ob + lb.saturating_sub(tail)];
    if va == oa {
        v.push(ob);
    }
    Some(v)
}

/// Every differing byte lies in a little-endian 4-byte offset whose a-value
/// maps to its b-value in one of the reordered string sections.
fn offsets_follow(da: &[u8], db: &[u8], maps: &[StrMap]) -> bool {
    if da.len() != db.len() || maps.is_empty() {
        return false;
    }
    let word = |d: &[u8], at: usize| {
        d.get(at..at + 4)
            .and_then(|w| w.try_into().ok())
            .map(|w: [u8; 4]| u32::from_le_bytes(w) as usize)
    };
    let mut i = 0;
    while i < da.len() {
        if da.get(i) == db.get(i) {
            i += 1;
            continue;
        }
        let start = (0..4).filter_map(|k| i.checked_sub(k)).find(|&s| {
            let (Some(va), Some(vb)) = (word(da, s), word(db, s)) else {
                return false;
            };
            maps.iter()
                .any(|m| map_offset(m, va).is_some_and(|c| c.contains(&vb)))
        });
        match start {
            Some(s) => i = s + 4,
            None => return false,
        }
    }
    true
}

fn section_bytes<'d>(d: &'d [u8], s: &elf::Section) -> &'d [u8] {
    let end = s.offset.saturating_add(s.size);
    d.get(s.offset as usize..end as usize).unwrap_or_default()
}

/// Changes `elf.section.<name>` with causes; `None` when either side is not
/// a readable ELF file or the section tables do not line up.
pub fn classify(a: &[u8], b: &[u8]) -> Option<Vec<Change>> {
    let (ea, eb): (Elf, Elf) = (elf::parse(a).ok()?, elf::parse(b).ok()?);
    let names = |e: &Elf| {
        e.sections
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    };
    if names(&ea) != names(&eb) {
        return None;
    }
    let mut out = Vec::new();
    // First the string sections: the other debug sections point into them.
    let mut maps = Vec::new();
    let mut strings_done = Vec::new();
    for (sa, sb) in ea.sections.iter().zip(&eb.sections) {
        let (da, db) = (section_bytes(a, sa), section_bytes(b, sb));
        if da == db || !is_string_section(&sa.name) {
            continue;
        }
        let field = format!("elf.section.{}", sa.name);
        if let Some((changes, map)) = reordered_strings(da, db, &field) {
            maps.push(map);
            strings_done.push(sa.name.clone());
            let moved = changes.is_empty();
            out.extend(changes.into_iter().map(|mut c| {
                c.field = field.clone();
                c
            }));
            if moved {
                out.push(Change {
                    field,
                    a: Some("merged strings".to_string()),
                    b: Some("the same strings in another order".to_string()),
                    cause: Some(CONSEQUENTIAL.to_string()),
                });
            }
        }
    }
    let mut covered_a = 0u64;
    for (sa, sb) in ea.sections.iter().zip(&eb.sections) {
        let (da, db) = (section_bytes(a, sa), section_bytes(b, sb));
        covered_a += sa.size;
        if da == db || strings_done.contains(&sa.name) {
            continue;
        }
        let field = format!("elf.section.{}", sa.name);
        if sa.name.starts_with(".debug_") && offsets_follow(da, db, &maps) {
            out.push(Change {
                field,
                a: Some("offsets into the debug strings".to_string()),
                b: Some("follow the reordered strings".to_string()),
                cause: Some(CONSEQUENTIAL.to_string()),
            });
            continue;
        }
        if sa.name == ".note.gnu.build-id" {
            // Without a parsed note, each side shows its own raw section bytes.
            let show =
                |e: &Elf, raw: &[u8]| e.build_id.as_deref().map(hex).unwrap_or_else(|| hex(raw));
            out.push(Change {
                field,
                a: Some(show(&ea, da)),
                b: Some(show(&eb, db)),
                cause: Some(BUILD_ID.to_string()),
            });
            continue;
        }
        if sa.name == ".gnu_debuglink" {
            let show = |e: &Elf| {
                e.debuglink
                    .as_ref()
                    .map(|(n, crc)| format!("{n} crc {crc:#010x}"))
                    .unwrap_or_default()
            };
            out.push(Change {
                field,
                a: Some(show(&ea)),
                b: Some(show(&eb)),
                cause: Some(BUILD_ID.to_string()),
            });
            continue;
        }
        let ex = text::explain(da, db, &field, false);
        if !ex.unexplained {
            // Keep the field on the section itself: `elf.section.<name>`.
            for mut c in ex.changes {
                c.field = field.clone();
                out.push(c);
            }
            continue;
        }
        let first = da
            .iter()
            .zip(db)
            .position(|(x, y)| x != y)
            .unwrap_or(da.len().min(db.len()));
        let n = da.iter().zip(db).filter(|(x, y)| x != y).count() + da.len().abs_diff(db.len());
        out.push(Change {
            field,
            a: Some(format!(
                "{} ({n} bytes differ from section offset {first:#x})",
                string_at(da, first)
            )),
            b: Some(string_at(db, first)),
            cause: Some(CONTENT.to_string()),
        });
    }
    // Bytes outside every section: ELF, program and section headers.
    if covered_a < a.len() as u64 && outside(a, &ea) != outside(b, &eb) {
        out.push(Change {
            field: "elf.headers".to_string(),
            a: Some("ELF, program or section headers".to_string()),
            b: Some("differ".to_string()),
            cause: Some(CONSEQUENTIAL.to_string()),
        });
    }
    // A build-id hashes the rest: it only explains the file when alone.
    let others = out.iter().any(|c| {
        !BUILD_ID_SECTIONS.iter().any(|s| c.field.ends_with(s)) && c.field != "elf.headers"
    });
    if others {
        for c in out.iter_mut() {
            if c.cause.as_deref() == Some(BUILD_ID) {
                c.cause = Some(CONSEQUENTIAL.to_string());
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(n: &str) -> Vec<u8> {
        let p = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/diagnose/");
        std::fs::read(format!("{p}{n}")).unwrap_or_default()
    }

    #[test]
    fn unsectioned_bytes_are_the_headers() {
        let a = fixture("true.a");
        let Ok(e) = elf::parse(&a) else { return };
        let gaps = outside(&a, &e);
        assert!(gaps.starts_with(b"\x7fELF"));
        assert!(gaps.len() < a.len() / 4);
    }

    /// Truncated and bit-flipped ELF pairs: no panic, whatever is found.
    #[test]
    fn hostile_pairs_do_not_panic() {
        for (a, b) in [
            (fixture("when.a"), fixture("when.b")),
            (fixture("hello.a"), fixture("hello.b")),
        ] {
            mutate(&a, &b);
        }
    }

    fn mutate(a: &[u8], b: &[u8]) {
        if a.is_empty() || b.is_empty() {
            return;
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..600usize {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let mut m = b.to_vec();
            if i % 2 == 0 {
                m.truncate((seed >> 33) as usize % b.len());
            } else {
                let pos = (seed >> 17) as usize % m.len();
                if let Some(x) = m.get_mut(pos) {
                    *x ^= (seed >> 5) as u8 | 1;
                }
            }
            let _ = classify(a, &m);
            let _ = super::super::text::explain(a, &m, "binary", false);
        }
    }
}
