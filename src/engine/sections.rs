//! ELF leaves as the engine hands them to diagnosis: the two files' section
//! tables paired by name, each differing section with its bytes on both
//! sides and what it is (the build-id note, the debug link, a merged DWARF
//! string table, another debug section, anything else), the decoded
//! build-ids and debug links, whether the bytes no section owns (ELF,
//! program and section headers) differ, and which sections the two tables
//! place in another order (the same sections laid out by another linker).
//!
//! Engine stage (formats → **engine** → diagnosis → report): the ELF is
//! parsed here, once; diagnosis classifies these sections and never parses
//! a binary itself.

use reprodiff_formats::elf::{self, Elf};

/// What a section is, for the purpose of explaining a difference in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// `.note.gnu.build-id`: a hash of the rest of the file.
    BuildId,
    /// `.gnu_debuglink`: the debug file's name and CRC.
    DebugLink,
    /// A merged DWARF string table (`.debug_str`, `.debug_line_str`): laid
    /// out by hash, so its strings are compared as a set.
    DebugStrings,
    /// Another DWARF section: may hold offsets into the string tables.
    Debug,
    /// `.comment`: the compilers and linkers that wrote the file.
    Comment,
    /// `.shstrtab`: the section names, which follow the section table.
    SectionNames,
    /// `.note.gnu.property`: the ISA level and control-flow protection the
    /// assembler and linker recorded (their version's and flags' doing).
    Property,
    /// `.go.buildinfo`: the Go toolchain's version and the module's build
    /// settings, written by the Go linker.
    GoBuildInfo,
    /// `.note.go.buildid`: a hash of the Go build's inputs and outputs.
    GoBuildId,
    /// Code, data, anything else.
    Other,
}

/// The side a section only one file has is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// One section whose bytes differ, or that only one file has.
#[derive(Debug, Clone)]
pub struct SectionDiff<'d> {
    pub name: String,
    pub kind: SectionKind,
    pub a: &'d [u8],
    pub b: &'d [u8],
    /// Set when only one file has this section (the other side's bytes
    /// are then empty).
    pub only: Option<Side>,
    /// The functions of the symbol table in this section, paired by name:
    /// their byte ranges within the section on each side.
    pub functions: Vec<FunctionPair>,
}

/// One function of a section on either side, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionPair {
    pub name: String,
    pub a: Option<std::ops::Range<usize>>,
    pub b: Option<std::ops::Range<usize>>,
}

/// The functions lying in section `s`, by name, as ranges within it.
fn functions_in(e: &Elf, s: &elf::Section) -> Vec<(String, std::ops::Range<usize>)> {
    let end = s.offset.saturating_add(s.size);
    e.functions
        .iter()
        .filter(|f| f.offset >= s.offset && f.offset.saturating_add(f.size) <= end)
        .map(|f| {
            let start = (f.offset - s.offset) as usize;
            (f.name.clone(), start..start + f.size as usize)
        })
        .collect()
}

/// The functions of a section on both sides, paired by name (a's order,
/// then b's own).
fn pair_functions(ea: &Elf, sa: &elf::Section, eb: &Elf, sb: &elf::Section) -> Vec<FunctionPair> {
    let (fa, fb) = (functions_in(ea, sa), functions_in(eb, sb));
    let mut in_b: std::collections::HashMap<&str, std::ops::Range<usize>> =
        fb.iter().map(|(n, r)| (n.as_str(), r.clone())).collect();
    let mut out: Vec<FunctionPair> = fa
        .iter()
        .map(|(n, r)| FunctionPair {
            name: n.clone(),
            a: Some(r.clone()),
            b: in_b.remove(n.as_str()),
        })
        .collect();
    for (n, r) in &fb {
        if in_b.contains_key(n.as_str()) {
            out.push(FunctionPair {
                name: n.clone(),
                a: None,
                b: Some(r.clone()),
            });
        }
    }
    out
}

/// A `.gnu_debuglink`: the debug file's name and its CRC-32.
pub type DebugLink = (String, u32);

/// Two ELF files with their sections paired by name.
#[derive(Debug, Clone)]
pub struct ElfPair<'d> {
    /// Differing sections, in section-table order.
    pub sections: Vec<SectionDiff<'d>>,
    /// The decoded build-id notes of a and b.
    pub build_ids: (Option<Vec<u8>>, Option<Vec<u8>>),
    /// The decoded debug links of a and b: file name and CRC-32.
    pub debuglinks: (Option<DebugLink>, Option<DebugLink>),
    /// The bytes outside every section (headers) differ.
    pub headers_differ: bool,
    /// Sections both tables hold that the other table places elsewhere:
    /// the fewest whose moves turn a's order into b's, in a's order. Empty
    /// when the tables hold other sections, or when either holds more
    /// than [`MAX_ORDERED`].
    pub moved: Vec<Moved>,
    /// Either file is a relocatable object (its layout is the compiler's).
    pub relocatable: bool,
}

/// A section the two tables place differently: its name and the section
/// before it in each (`None` when it comes first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub name: String,
    pub after_a: Option<String>,
    pub after_b: Option<String>,
}

/// Section tables compared for their order (a linked file has a few
/// dozen sections; a relocatable object may have thousands, which are
/// left alone).
pub const MAX_ORDERED: usize = 256;

/// The sections of `ka` outside a longest common subsequence of the two
/// tables, when both hold the same sections in another order.
fn moved_sections(
    ka: &[((&str, usize), &elf::Section)],
    kb: &[((&str, usize), &elf::Section)],
) -> Vec<Moved> {
    let (n, m) = (ka.len(), kb.len());
    if n != m || n > MAX_ORDERED || ka.iter().map(|(k, _)| k).eq(kb.iter().map(|(k, _)| k)) {
        return Vec::new();
    }
    let mut sorted_a: Vec<_> = ka.iter().map(|(k, _)| *k).collect();
    let mut sorted_b: Vec<_> = kb.iter().map(|(k, _)| *k).collect();
    sorted_a.sort_unstable();
    sorted_b.sort_unstable();
    if sorted_a != sorted_b {
        return Vec::new();
    }
    // lcs[i][j]: the longest common subsequence of ka[i..] and kb[j..].
    let w = m + 1;
    let mut lcs = vec![0u16; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * w + j] = if ka[i].0 == kb[j].0 {
                lcs[(i + 1) * w + j + 1] + 1
            } else {
                lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
            };
        }
    }
    let mut kept = vec![false; n];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if ka[i].0 == kb[j].0 {
            kept[i] = true;
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    let before = |k: &[((&str, usize), &elf::Section)], key: (&str, usize)| -> Option<String> {
        let at = k.iter().position(|(x, _)| *x == key)?;
        at.checked_sub(1).map(|p| k[p].0 .0.to_string())
    };
    ka.iter()
        .zip(kept)
        .filter(|(_, kept)| !kept)
        .map(|((key, _), _)| Moved {
            name: key.0.to_string(),
            after_a: before(ka, *key),
            after_b: before(kb, *key),
        })
        .collect()
}

fn kind_of(name: &str) -> SectionKind {
    match name {
        ".note.gnu.build-id" => SectionKind::BuildId,
        ".gnu_debuglink" => SectionKind::DebugLink,
        ".comment" => SectionKind::Comment,
        ".shstrtab" => SectionKind::SectionNames,
        ".note.gnu.property" => SectionKind::Property,
        ".go.buildinfo" => SectionKind::GoBuildInfo,
        ".note.go.buildid" => SectionKind::GoBuildId,
        n if n.starts_with(".debug_") && n.ends_with("_str") => SectionKind::DebugStrings,
        n if n.starts_with(".debug_") => SectionKind::Debug,
        _ => SectionKind::Other,
    }
}

fn section_bytes<'d>(d: &'d [u8], s: &elf::Section) -> &'d [u8] {
    let end = s.offset.saturating_add(s.size);
    d.get(s.offset as usize..end as usize).unwrap_or_default()
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

/// Each section keyed by its name and which occurrence of that name it is
/// (relocatable objects repeat names such as `.text` or `.rela.text`).
fn keyed(e: &Elf) -> Vec<((&str, usize), &elf::Section)> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    e.sections
        .iter()
        .map(|s| {
            let n = seen.entry(s.name.as_str()).or_default();
            *n += 1;
            ((s.name.as_str(), *n), s)
        })
        .collect()
}

/// Pairs two ELF files section by section, by name: sections both have in
/// a's order, then those only one side has (another linker adds or drops
/// some: `.relro_padding`, `.note.ABI-tag`). `None` when either is not a
/// readable ELF file.
pub fn pair<'d>(a: &'d [u8], b: &'d [u8]) -> Option<ElfPair<'d>> {
    if !(elf::is_elf(a) && elf::is_elf(b)) {
        return None;
    }
    let (ea, eb): (Elf, Elf) = (elf::parse(a).ok()?, elf::parse(b).ok()?);
    let (ka, kb) = (keyed(&ea), keyed(&eb));
    let same_table = ka.iter().map(|(k, _)| k).eq(kb.iter().map(|(k, _)| k));
    let mut in_b: std::collections::HashMap<(&str, usize), &elf::Section> =
        kb.iter().map(|(k, s)| (*k, *s)).collect();
    let mut sections = Vec::new();
    let mut covered_a = 0u64;
    for (k, sa) in &ka {
        covered_a = covered_a.saturating_add(sa.size);
        let da = section_bytes(a, sa);
        let Some(sb) = in_b.remove(k) else {
            sections.push(SectionDiff {
                name: sa.name.clone(),
                kind: kind_of(&sa.name),
                a: da,
                b: &[],
                only: Some(Side::A),
                functions: Vec::new(),
            });
            continue;
        };
        let db = section_bytes(b, sb);
        if da != db {
            sections.push(SectionDiff {
                name: sa.name.clone(),
                kind: kind_of(&sa.name),
                a: da,
                b: db,
                only: None,
                functions: pair_functions(&ea, sa, &eb, sb),
            });
        }
    }
    for (k, sb) in &kb {
        if in_b.contains_key(k) {
            sections.push(SectionDiff {
                name: sb.name.clone(),
                kind: kind_of(&sb.name),
                a: &[],
                b: section_bytes(b, sb),
                only: Some(Side::B),
                functions: Vec::new(),
            });
        }
    }
    // Another section table is other headers: they follow the sections.
    let headers_differ =
        !same_table || (covered_a < a.len() as u64 && outside(a, &ea) != outside(b, &eb));
    let moved = moved_sections(&ka, &kb);
    let relocatable = ea.relocatable || eb.relocatable;
    Some(ElfPair {
        sections,
        build_ids: (ea.build_id, eb.build_id),
        debuglinks: (ea.debuglink, eb.debuglink),
        headers_differ,
        moved,
        relocatable,
    })
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
        let Ok(e) = elf::parse(&a) else {
            panic!("fixture true.a is not ELF")
        };
        let gaps = outside(&a, &e);
        assert!(gaps.starts_with(b"\x7fELF"));
        assert!(gaps.len() < a.len() / 4);
    }

    #[test]
    fn kinds_come_from_the_section_table() {
        assert_eq!(kind_of(".note.gnu.build-id"), SectionKind::BuildId);
        assert_eq!(kind_of(".debug_line_str"), SectionKind::DebugStrings);
        assert_eq!(kind_of(".debug_info"), SectionKind::Debug);
        assert_eq!(kind_of(".rodata"), SectionKind::Other);
    }

    /// The gcc-12 build against the gcc-11 one without its `.comment`
    /// (objcopy, as dh_strip removes it): the tables differ by a section,
    /// and every other section is still paired by name and compared.
    #[test]
    fn sections_pair_by_name_when_the_tables_differ() {
        let (a, b) = (fixture("toolchain.a"), fixture("toolchain.stripped"));
        let p = pair(&a, &b).expect("both are ELF");
        let find = |n: &str| p.sections.iter().find(|s| s.name == n);
        let comment = find(".comment").expect("the dropped section");
        assert_eq!(comment.only, Some(Side::A));
        assert!(comment.b.is_empty() && !comment.a.is_empty());
        let text = find(".text").expect("the code differs");
        assert_eq!(text.only, None);
        assert!(text.functions.iter().any(|f| f.name == "main"));
        assert!(p.headers_differ);
        assert!(find(".rodata").is_none(), "equal sections are not listed");
    }

    /// One object linked by the default script and by one that places
    /// `.note.gnu.property` after `.eh_frame`: that section alone moved,
    /// with its neighbour on each side; a pair whose tables hold other
    /// sections, or the same order, moves none.
    #[test]
    fn a_section_placed_elsewhere_is_the_one_moved() {
        let (a, b) = (fixture("layout.a"), fixture("layout.b"));
        let p = pair(&a, &b).expect("both are ELF");
        assert_eq!(
            p.moved,
            [Moved {
                name: ".note.gnu.property".into(),
                after_a: Some(".interp".into()),
                after_b: Some(".eh_frame".into()),
            }]
        );
        let (ta, tb, ts) = (
            fixture("toolchain.a"),
            fixture("toolchain.b"),
            fixture("toolchain.stripped"),
        );
        let other = pair(&a, &ts).expect("both are ELF");
        assert!(other.moved.is_empty());
        let same = pair(&ta, &tb).expect("both are ELF");
        assert!(same.moved.is_empty());
    }

    /// The section before a moved one is `None` when it comes first, and
    /// the fewest sections are said to move (one, not the rest).
    #[test]
    fn the_fewest_sections_move() {
        let table = |names: Vec<String>| Elf {
            sections: names
                .into_iter()
                .map(|name| elf::Section {
                    name,
                    offset: 0,
                    size: 0,
                })
                .collect(),
            ..Elf::default()
        };
        let names = |n: &[&str]| n.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (ea, eb) = (
            table(names(&[".a", ".b", ".c", ".d"])),
            table(names(&[".d", ".a", ".b", ".c"])),
        );
        assert_eq!(
            moved_sections(&keyed(&ea), &keyed(&eb)),
            [Moved {
                name: ".d".into(),
                after_a: Some(".c".into()),
                after_b: None,
            }]
        );
        // More sections than are compared: none said to move.
        let many: Vec<String> = (0..=MAX_ORDERED).map(|i| format!(".s{i}")).collect();
        let rev: Vec<String> = many.iter().rev().cloned().collect();
        let (em, er) = (table(many), table(rev));
        assert!(moved_sections(&keyed(&em), &keyed(&er)).is_empty());
    }

    /// Truncated and bit-flipped ELF pairs: no panic, whatever is found.
    #[test]
    fn hostile_pairs_do_not_panic() {
        for (a, b) in [
            (fixture("when.a"), fixture("when.b")),
            (fixture("hello.a"), fixture("hello.b")),
        ] {
            assert!(!a.is_empty() && !b.is_empty(), "fixtures missing");
            let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
            for i in 0..600usize {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let mut m = b.clone();
                if i % 2 == 0 {
                    m.truncate((seed >> 33) as usize % b.len());
                } else {
                    let pos = (seed >> 17) as usize % m.len();
                    if let Some(x) = m.get_mut(pos) {
                        *x ^= (seed >> 5) as u8 | 1;
                    }
                }
                // The diagnosis of the pair must hold too.
                let mut node = crate::report::Node::new("x", crate::report::Status::Modified);
                crate::explain_leaf("x", &a, &m, &mut node);
            }
        }
    }
}
