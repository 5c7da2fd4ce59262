//! ELF leaves: which sections own the differing bytes. A build-id note or a
//! debug link that differs alone is `build-id`; when other sections differ
//! too, the build-id is a hash of them and so `consequential`. Differing
//! sections are explained with the text masks (a `__DATE__` in `.rodata`)
//! and their differing strings are shown instead of a whole-file hexdump.
//! Merged DWARF string sections (`.debug_str`, `.debug_line_str`) are laid
//! out by hash, so another build directory also reorders them: their
//! strings are compared as sets under the masks, and the debug sections
//! whose only differences are 4-byte offsets following that reordering are
//! `consequential`. The same sections in another order are another
//! linker's layout (`elf.layout`; in a relocatable object, the compiler's,
//! `elf.object_layout`): toolchain, which the file's other sections follow.
//!
//! Diagnosis stage (engine → **diagnosis** → report): classifies the
//! sections the engine paired (`engine::sections`); it parses no binary.

use super::text;
use crate::engine::sections::{ElfPair, SectionKind, Side};
use crate::report::{Cause, Change, Value};

/// Bytes as lowercase hex (build-ids, property notes; PE uses it too).
pub(super) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A `.note.gnu.property` section as `readelf -n` names its properties:
/// `x86 feature: IBT, SHSTK; x86 ISA needed: x86-64-baseline`. Read in
/// either byte order (the one in which the note's name size is 4); `None`
/// when the bytes are not such notes.
fn property_text(d: &[u8]) -> Option<String> {
    let u32_at = |at: usize, le: bool| -> Option<u32> {
        let b: [u8; 4] = d.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let le = u32_at(0, true)? == 4;
    let bits = |v: u32, names: &[&str]| -> String {
        let mut on: Vec<String> = Vec::new();
        for i in 0..32 {
            if v & (1 << i) != 0 {
                on.push(
                    names
                        .get(i)
                        .map_or_else(|| format!("bit {i}"), |n| n.to_string()),
                );
            }
        }
        if on.is_empty() {
            "(none)".to_string()
        } else {
            on.join(", ")
        }
    };
    let mut out: Vec<String> = Vec::new();
    let mut at = 0usize;
    // Notes, each: name size, description size, type, name, description.
    while at < d.len() && out.len() < 16 {
        let (namesz, descsz) = (u32_at(at, le)? as usize, u32_at(at + 4, le)? as usize);
        let name = d.get(at + 12..(at + 12).checked_add(namesz)?)?;
        if name != b"GNU\0" {
            return None;
        }
        let desc_at = at + 12 + namesz.next_multiple_of(4);
        let desc = d.get(desc_at..desc_at.checked_add(descsz)?)?;
        let align = if descsz % 8 == 0 { 8 } else { 4 };
        let mut p = 0usize;
        while p + 8 <= desc.len() && out.len() < 16 {
            let (ty, size) = (
                u32_at(desc_at + p, le)?,
                u32_at(desc_at + p + 4, le)? as usize,
            );
            let value = if size == 4 {
                u32_at(desc_at + p + 8, le)
            } else {
                None
            };
            let named = match (ty, value) {
                (0xc000_0002, Some(v)) => format!(
                    "x86 feature: {}",
                    bits(v, &["IBT", "SHSTK", "LAM_U48", "LAM_U57"])
                ),
                (0xc000_8002, Some(v)) => format!(
                    "x86 ISA needed: {}",
                    bits(
                        v,
                        &["x86-64-baseline", "x86-64-v2", "x86-64-v3", "x86-64-v4"]
                    )
                ),
                (0xc001_0002, Some(v)) => format!(
                    "x86 ISA used: {}",
                    bits(
                        v,
                        &["x86-64-baseline", "x86-64-v2", "x86-64-v3", "x86-64-v4"]
                    )
                ),
                (0xc000_8001 | 0xc001_0001, Some(v)) => format!(
                    "x86 feature {}: {}",
                    if ty == 0xc000_8001 { "needed" } else { "used" },
                    bits(
                        v,
                        &[
                            "x86", "x87", "MMX", "XMM", "YMM", "ZMM", "FXSR", "XSAVE", "XSAVEOPT",
                            "XSAVEC", "TMM", "MASK"
                        ]
                    )
                ),
                (0xc000_0000, Some(v)) => {
                    format!("AArch64 feature: {}", bits(v, &["BTI", "PAC", "GCS"]))
                }
                (_, Some(v)) => format!("property {ty:#x}: {v:#x}"),
                (_, None) => format!("property {ty:#x} ({size} bytes)"),
            };
            out.push(named);
            p = (p + 8).checked_add(size)?.next_multiple_of(align);
        }
        at = desc_at.checked_add(descsz)?.next_multiple_of(4);
    }
    (!out.is_empty()).then(|| out.join("; "))
}

/// The Go version a `.go.buildinfo` section records: after the 14-byte
/// magic `\xff Go buildinf:`, the pointer size and a flags byte; with flag
/// 2 (Go 1.18 and later) the version follows at offset 32 as a
/// varint-length string (`go1.24.4`). `None` for older layouts, which
/// point at the string instead.
fn go_version(d: &[u8]) -> Option<String> {
    if !d.starts_with(b"\xff Go buildinf:") || d.get(15)? & 2 == 0 {
        return None;
    }
    let len = *d.get(32)? as usize;
    if len == 0 || len >= 0x80 {
        return None;
    }
    let v = d.get(33..33 + len)?;
    (v.starts_with(b"go") && v.iter().all(|c| c.is_ascii_graphic()))
        .then(|| String::from_utf8_lossy(v).into_owned())
}

/// The printable string around `at` (up to NULs or control bytes), cut to 80.
pub(super) fn string_at(b: &[u8], at: usize) -> String {
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

/// One string of a string section: (offset, length without the NUL).
type Str = (usize, usize);

/// Corresponding strings of two string sections, sorted by a's offset.
type StrMap = Vec<(Str, Str)>;

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

/// Sections larger than this are not read through the text masks.
const MAX_MASKED: usize = 16 << 20;

/// A differing section read through the text masks (a `__DATE__` in
/// `.rodata`), up to [`MAX_MASKED`]: a section of many megabytes (a
/// compiler driver's 60 MB `.text`) is code, not a date to find, and is
/// left unexplained here for the function and byte views.
pub(super) fn masked_section(da: &[u8], db: &[u8], field: &str) -> text::Explanation {
    if da.len().max(db.len()) <= MAX_MASKED {
        text::explain(da, db, field, false)
    } else {
        text::Explanation {
            unexplained: true,
            ..Default::default()
        }
    }
}

/// The field of a linked file's sections laid out in another order.
pub const LAYOUT: &str = "elf.layout";

/// The field of a relocatable object's sections written in another order.
pub const OBJECT_LAYOUT: &str = "elf.object_layout";

/// Sections shown per side of an [`LAYOUT`] change.
const MOVED_SHOWN: usize = 4;

/// The moved sections as one side places them: `.note.gnu.property after
/// .eh_frame`, `.note.gnu.property first`.
fn placed(moved: &[crate::engine::sections::Moved], side_a: bool) -> String {
    let mut parts: Vec<String> = moved
        .iter()
        .take(MOVED_SHOWN)
        .map(|m| {
            let after = if side_a { &m.after_a } else { &m.after_b };
            match after {
                Some(s) => format!("{} after {s}", m.name),
                None => format!("{} first", m.name),
            }
        })
        .collect();
    if moved.len() > MOVED_SHOWN {
        parts.push(format!("… (+{})", moved.len() - MOVED_SHOWN));
    }
    parts.join(", ")
}

/// The change, said to be about section `name`.
fn about(mut c: Change, name: &str) -> Change {
    c.subject = Some(name.to_string());
    c
}

/// Changes `elf.section.<name>` with causes for the differing sections of
/// a pair, and `elf.headers` when the bytes outside sections differ.
pub fn classify(p: &ElfPair) -> Vec<Change> {
    let finding = |field: &str, a: String, b: String, cause: Cause| {
        Change::finding(field, Value::Text(a), Value::Text(b), cause)
    };
    // Each change with whether it is about the build-id or debug link.
    let mut out: Vec<(Change, bool)> = Vec::new();
    // First the string sections: the other debug sections point into them.
    let mut maps = Vec::new();
    let mut strings_done = Vec::new();
    for s in p
        .sections
        .iter()
        .filter(|s| s.kind == SectionKind::DebugStrings)
    {
        let from = out.len();
        let field = format!("elf.section.{}", s.name);
        if let Some((changes, map)) = reordered_strings(s.a, s.b, &field) {
            maps.push(map);
            strings_done.push(s.name.as_str());
            let moved = changes.is_empty();
            out.extend(changes.into_iter().map(|mut c| {
                c.field = field.clone();
                (c, false)
            }));
            if moved {
                let c = finding(
                    &field,
                    "merged strings".into(),
                    "the same strings in another order".into(),
                    Cause::Consequential,
                );
                out.push((c, false));
            }
        }
        for (c, _) in &mut out[from..] {
            c.subject = Some(s.name.clone());
        }
    }
    for s in &p.sections {
        if strings_done.contains(&s.name.as_str()) {
            continue;
        }
        let (da, db) = (s.a, s.b);
        let field = format!("elf.section.{}", s.name);
        if s.kind == SectionKind::Property {
            // Written by the assembler and linker from their defaults:
            // another toolchain's ISA level or protection features (one
            // side's gcc protecting control flow by default, `IBT, SHSTK`,
            // the other's not writing the note at all).
            let shown = |d: &[u8], held: bool| {
                if !held {
                    "(no such section)".to_string()
                } else {
                    property_text(d).unwrap_or_else(|| hex(d.get(..d.len().min(32)).unwrap_or(d)))
                }
            };
            let c = finding(
                &field,
                shown(da, s.only != Some(Side::B)),
                shown(db, s.only != Some(Side::A)),
                Cause::Toolchain,
            );
            out.push((about(c, &s.name), false));
            continue;
        }
        if let Some(side) = s.only {
            // A section another linker or compiler adds or drops.
            let held = |d: &[u8]| format!("{} bytes", d.len());
            let none = "(no such section)".to_string();
            let (a, b) = match side {
                Side::A => (held(da), none),
                Side::B => (none, held(db)),
            };
            out.push((about(finding(&field, a, b, Cause::Content), &s.name), false));
            continue;
        }
        match s.kind {
            SectionKind::Debug if offsets_follow(da, db, &maps) => {
                let c = finding(
                    &field,
                    "offsets into the debug strings".into(),
                    "follow the reordered strings".into(),
                    Cause::Consequential,
                );
                out.push((about(c, &s.name), false));
                continue;
            }
            SectionKind::SectionNames if p.sections.iter().any(|s| s.only.is_some()) => {
                // Another set of sections: their names are another table.
                let c = finding(
                    &field,
                    "section names".into(),
                    "follow the other section table".into(),
                    Cause::Consequential,
                );
                out.push((about(c, &s.name), true));
                continue;
            }
            SectionKind::BuildId => {
                // Without a parsed note, each side shows its own raw section bytes.
                let show = |id: &Option<Vec<u8>>, raw: &[u8]| hex(id.as_deref().unwrap_or(raw));
                let (ia, ib) = &p.build_ids;
                let c = finding(&field, show(ia, da), show(ib, db), Cause::BuildId);
                out.push((about(c, &s.name), true));
                continue;
            }
            SectionKind::GoBuildInfo => {
                // The Go toolchain that linked the program (`go1.26.5`
                // against `go1.24.4`); the rest follows from it.
                if let (Some(va), Some(vb)) = (go_version(da), go_version(db)) {
                    if va != vb {
                        let c = finding(&field, va, vb, Cause::Toolchain);
                        out.push((about(c, &s.name), false));
                        continue;
                    }
                }
            }
            SectionKind::GoBuildId => {
                // A hash of the build's inputs: follows whatever else differs.
                let c = finding(&field, string_at(da, 16), string_at(db, 16), Cause::BuildId);
                out.push((about(c, &s.name), true));
                continue;
            }
            SectionKind::Comment => {
                // The tools that wrote the file: another compiler.
                let c = finding(&field, strings_of(da), strings_of(db), Cause::Toolchain);
                out.push((about(c, &s.name), false));
                continue;
            }
            SectionKind::DebugLink => {
                let show = |l: &Option<(String, u32)>| {
                    l.as_ref()
                        .map(|(n, crc)| format!("{n} crc {crc:#010x}"))
                        .unwrap_or_default()
                };
                let (la, lb) = &p.debuglinks;
                let c = finding(&field, show(la), show(lb), Cause::BuildId);
                out.push((about(c, &s.name), true));
                continue;
            }
            _ => {}
        }
        let ex = masked_section(da, db, &field);
        if !ex.unexplained {
            // Keep the field on the section itself: `elf.section.<name>`.
            for mut c in ex.changes {
                c.field = field.clone();
                out.push((about(c, &s.name), false));
            }
            continue;
        }
        if let Some((a, b)) = functions_text(s) {
            let c = finding(&field, a, b, Cause::Content);
            out.push((about(c, &s.name), false));
            continue;
        }
        let first = da
            .iter()
            .zip(db)
            .position(|(x, y)| x != y)
            .unwrap_or(da.len().min(db.len()));
        let n = da.iter().zip(db).filter(|(x, y)| x != y).count() + da.len().abs_diff(db.len());
        let a = format!(
            "{} ({n} bytes differ from section offset {first:#x})",
            string_at(da, first)
        );
        let c = finding(&field, a, string_at(db, first), Cause::Content);
        out.push((about(c, &s.name), false));
    }
    // The same sections in another order: where the linker puts each
    // output section is its own script's doing (the default one built into
    // it, unless the build names another), so another layout of the same
    // sections is another linker (trixie's ld puts `.note.gnu.property`
    // first, forky's after `.eh_frame`). In a relocatable object the order
    // is the one the compiler and assembler wrote the sections in
    // (`.rodata.cst16` after `.rodata.cst8` or after `.rodata.str1.8`).
    // Laid out before the sections it moves, it comes first.
    if !p.moved.is_empty() {
        let c = finding(
            if p.relocatable { OBJECT_LAYOUT } else { LAYOUT },
            placed(&p.moved, true),
            placed(&p.moved, false),
            Cause::Toolchain,
        );
        out.insert(0, (c, false));
    }
    // A build-id hashes the rest: it only explains the file when alone
    // (headers follow whatever changed and do not count).
    let others = out.iter().any(|(_, id)| !id);
    if p.headers_differ {
        let c = finding(
            "elf.headers",
            "ELF, program or section headers".into(),
            "differ".into(),
            Cause::Consequential,
        );
        out.push((c, true));
    }
    // Another compiler writes other code: what no other cause explains in
    // a file whose toolchain changed follows from that change.
    // The compiler a `.comment` names says more than another layout.
    let toolchain = |layout: bool| {
        out.iter()
            .find(|(c, _)| {
                c.cause == Some(Cause::Toolchain)
                    && (c.field == LAYOUT || c.field == OBJECT_LAYOUT) == layout
            })
            .map(|(c, _)| c.field.clone())
    };
    let toolchain = toolchain(false).or_else(|| toolchain(true));
    out.into_iter()
        .map(|(mut c, _)| {
            if others && c.cause == Some(Cause::BuildId) {
                c.cause = Some(Cause::Consequential);
            }
            if let (Some(t), Some(Cause::Content)) = (&toolchain, c.cause) {
                c.cause = Some(Cause::Consequential);
                c.follows = vec![t.clone()];
            }
            c
        })
        .collect()
}

/// Which functions of a code section hold the differing bytes, as the two
/// sides of a finding: `3 of 412 functions differ: main, square, …` and
/// the functions only one side has. `None` without a symbol table.
fn functions_text(s: &crate::engine::sections::SectionDiff) -> Option<(String, String)> {
    if s.functions.is_empty() {
        return None;
    }
    fn bytes<'d>(d: &'d [u8], r: &Option<std::ops::Range<usize>>) -> Option<&'d [u8]> {
        r.clone().and_then(|r| d.get(r))
    }
    let mut differ = Vec::new();
    let (mut only_a, mut only_b) = (0usize, 0usize);
    for f in &s.functions {
        match (bytes(s.a, &f.a), bytes(s.b, &f.b)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(_), Some(_)) => differ.push(f.name.as_str()),
            (Some(_), None) => only_a += 1,
            (None, _) => only_b += 1,
        }
    }
    // Symbols on one side only (the other stripped): no pairs to compare.
    if s.functions.iter().all(|f| f.a.is_none() || f.b.is_none()) {
        return None;
    }
    let total = s.functions.len();
    let mut names: Vec<String> = differ.iter().take(8).map(|n| n.to_string()).collect();
    if differ.len() > names.len() {
        names.push(format!("… (+{})", differ.len() - names.len()));
    }
    if only_a + only_b > 0 {
        names.push(format!("{only_a} only in a, {only_b} only in b"));
    }
    let a = format!("{} of {total} functions differ", differ.len());
    Some((a, names.join(", ")))
}

/// The NUL-separated strings of a section such as `.comment`, joined.
fn strings_of(d: &[u8]) -> String {
    let parts: Vec<String> = d
        .split(|&c| c == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout the Go 1.18+ linker writes (`go version -m` reads it).
    #[test]
    fn go_build_info_names_the_go_version() {
        let mut d = b"\xff Go buildinf:".to_vec();
        d.extend([8, 2]);
        d.resize(32, 0);
        d.push(8);
        d.extend(b"go1.24.4");
        d.push(3);
        d.extend(b"mod");
        assert_eq!(go_version(&d).as_deref(), Some("go1.24.4"));
        // The pre-1.18 layout points at the string instead: not read.
        let mut old = d.clone();
        old[15] = 0;
        assert_eq!(go_version(&old), None);
        for cut in 0..d.len() {
            let _ = go_version(&d[..cut]);
        }
        assert_eq!(go_version(&d[..36]), None, "the version cut short");
        assert_eq!(go_version(b"not build info"), None);
    }

    /// A date in a section is found through the masks up to the bound;
    /// past it the section is left to the byte view, unexplained.
    #[test]
    fn sections_past_the_bound_are_not_masked() {
        let section = |date: &str, len: usize| {
            let mut d = format!("built {date}\0").into_bytes();
            d.resize(len, b'x');
            d
        };
        for (len, unexplained) in [(4096, false), (MAX_MASKED + 1, true)] {
            let (a, b) = (
                section("2024-03-01 10:00:00", len),
                section("2024-03-02 11:30:00", len),
            );
            let ex = masked_section(&a, &b, "elf.section..rodata");
            assert_eq!(ex.unexplained, unexplained, "{len}");
        }
    }

    #[test]
    fn layout_of_a_linked_file_or_an_object() {
        use crate::engine::sections::Moved;
        let pair = |relocatable: bool| ElfPair {
            sections: Vec::new(),
            build_ids: (None, None),
            debuglinks: (None, None),
            headers_differ: true,
            moved: vec![Moved {
                name: ".rodata.cst16".into(),
                after_a: Some(".rodata.str1.8".into()),
                after_b: None,
            }],
            relocatable,
        };
        for (relocatable, field) in [(false, LAYOUT), (true, OBJECT_LAYOUT)] {
            let changes = classify(&pair(relocatable));
            let c = changes.first().expect("the layout first");
            assert_eq!((c.field.as_str(), c.cause), (field, Some(Cause::Toolchain)));
            assert_eq!(
                (Change::shown(&c.a).as_deref(), c.shown_b().as_deref()),
                (
                    Some(".rodata.cst16 after .rodata.str1.8"),
                    Some(".rodata.cst16 first")
                )
            );
        }
    }

    #[test]
    fn property_notes_are_read_in_either_order_and_never_past_their_end() {
        // One note: name "GNU", one x86 feature property (IBT | SHSTK)
        // and the ISA level, as gcc writes them on x86-64.
        let mut le: Vec<u8> = Vec::new();
        for w in [4u32, 32, 5] {
            le.extend(w.to_le_bytes());
        }
        le.extend(b"GNU\0");
        for w in [0xc000_0002u32, 4, 3, 0, 0xc000_8002, 4, 1, 0] {
            le.extend(w.to_le_bytes());
        }
        assert_eq!(
            property_text(&le).as_deref(),
            Some("x86 feature: IBT, SHSTK; x86 ISA needed: x86-64-baseline")
        );
        let be: Vec<u8> = le
            .chunks(4)
            .flat_map(|c| {
                if c == b"GNU\0" {
                    c.to_vec()
                } else {
                    c.iter().rev().copied().collect()
                }
            })
            .collect();
        assert_eq!(property_text(&be), property_text(&le));
        for cut in 0..le.len() {
            let _ = property_text(&le[..cut]);
        }
        let mut huge = le.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(property_text(&huge), None);
        assert_eq!(property_text(b"not a note at all"), None);
    }
}
