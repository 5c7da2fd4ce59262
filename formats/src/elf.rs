//! ELF: the section table of an executable or shared object, read with the
//! `object` crate, for explaining why two builds of one binary differ.
//!
//! Formats stage (bytes → **formats** → engine → report): ELF is a leaf, not a
//! container, so this is not part of `open()`; the diagnosis calls [`parse`]
//! on the two sides of a differing leaf to name the sections that own the
//! differing bytes (`.note.gnu.build-id`, `.rodata`, `.gnu_debuglink`…) and to
//! decode the build-id note and the debug link.

use object::{Object, ObjectSection, ObjectSymbol, SymbolKind};

use crate::{Error, Format, Result};

/// Sections kept per file: a hostile header can claim 65535 of them.
const MAX_SECTIONS: usize = 4096;

/// Functions kept per file (the symbol table is the image's to size).
const MAX_FUNCTIONS: usize = 200_000;

/// A function of the symbol table with its bytes in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    /// File offset of its first byte.
    pub offset: u64,
    pub size: u64,
}

/// One section with bytes in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The name as `readelf -S` prints it (`.text`, `.note.gnu.build-id`).
    pub name: String,
    /// File offset of the section's bytes.
    pub offset: u64,
    /// Bytes in the file (0 for `SHT_NOBITS` sections such as `.bss`).
    pub size: u64,
}

/// What the diagnosis needs of one ELF file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Elf {
    /// Sections with file bytes, in section-table order.
    pub sections: Vec<Section>,
    /// The `NT_GNU_BUILD_ID` descriptor.
    pub build_id: Option<Vec<u8>>,
    /// `.gnu_debuglink`: the debug file name and its CRC-32.
    pub debuglink: Option<(String, u32)>,
    /// Functions of the symbol table (`.symtab`, else `.dynsym`) whose
    /// bytes lie in the file, sorted by offset.
    pub functions: Vec<Function>,
    /// A relocatable object (`ET_REL`): its sections are in the order the
    /// compiler and assembler wrote them, not a linker's.
    pub relocatable: bool,
}

impl Elf {
    /// The section owning byte `offset` of the file, if any.
    pub fn section_at(&self, offset: u64) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.size > 0 && offset >= s.offset && offset - s.offset < s.size)
    }
}

/// `true` when `data` starts with the ELF magic.
pub fn is_elf(data: &[u8]) -> bool {
    crate::magic::is(Format::Elf, data)
}

/// Parses the section table; sections whose range lies outside the file are
/// left out rather than failing the whole file.
pub fn parse(data: &[u8]) -> Result<Elf> {
    if !is_elf(data) {
        return Err(Error::new(Format::Elf, 0, crate::ErrorKind::BadMagic));
    }
    let file =
        object::File::parse(data).map_err(|e| Error::invalid(Format::Elf, 0, e.to_string()))?;
    let len = data.len() as u64;
    let mut sections = Vec::new();
    for s in file.sections() {
        if sections.len() >= MAX_SECTIONS {
            break;
        }
        let Ok(name) = s.name() else { continue };
        let Some((offset, size)) = s.file_range() else {
            continue;
        };
        if offset.checked_add(size).is_none_or(|end| end > len) {
            continue;
        }
        sections.push(Section {
            name: name.to_string(),
            offset,
            size,
        });
    }
    let build_id = file.build_id().ok().flatten().map(<[u8]>::to_vec);
    let debuglink = file
        .gnu_debuglink()
        .ok()
        .flatten()
        .map(|(n, crc)| (String::from_utf8_lossy(n).into_owned(), crc));
    let functions = functions(&file, len);
    Ok(Elf {
        sections,
        build_id,
        debuglink,
        functions,
        relocatable: file.kind() == object::ObjectKind::Relocatable,
    })
}

/// The function symbols with a size, placed in the file through their
/// section (address − section address + section file offset).
fn functions(file: &object::File, len: u64) -> Vec<Function> {
    let mut out = Vec::new();
    let symbols = file.symbols().chain(file.dynamic_symbols());
    let mut seen = std::collections::HashSet::new();
    for s in symbols {
        if out.len() >= MAX_FUNCTIONS {
            break;
        }
        if s.kind() != SymbolKind::Text || s.size() == 0 {
            continue;
        }
        let (Ok(name), Some(idx)) = (s.name(), s.section_index()) else {
            continue;
        };
        let Ok(sec) = file.section_by_index(idx) else {
            continue;
        };
        let Some((sec_off, sec_len)) = sec.file_range() else {
            continue;
        };
        let Some(rel) = s.address().checked_sub(sec.address()) else {
            continue;
        };
        let end = rel.checked_add(s.size());
        if end.is_none_or(|e| e > sec_len) {
            continue;
        }
        let offset = sec_off.saturating_add(rel);
        if offset.saturating_add(s.size()) > len || !seen.insert((name, offset)) {
            continue;
        }
        out.push(Function {
            name: name.to_string(),
            offset,
            size: s.size(),
        });
    }
    out.sort_by(|x, y| (x.offset, &x.name).cmp(&(y.offset, &y.name)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_elf_and_truncated_input() {
        assert!(parse(b"not an elf").is_err());
        assert!(parse(b"\x7fELF\x02\x01\x01").is_err());
    }

    #[test]
    fn reads_the_sections_of_a_real_binary() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/diagnose/true.a");
        let Ok(data) = std::fs::read(path) else {
            return;
        };
        let Ok(elf) = parse(&data) else {
            panic!("parse {path}");
        };
        let names: Vec<&str> = elf.sections.iter().map(|s| s.name.as_str()).collect();
        for want in [".note.gnu.build-id", ".text", ".rodata", ".gnu_debuglink"] {
            assert!(names.contains(&want), "{want} in {names:?}");
        }
        assert_eq!(elf.build_id.as_ref().map(Vec::len), Some(20));
        assert!(elf.debuglink.is_some());
        let note = elf
            .sections
            .iter()
            .find(|s| s.name == ".note.gnu.build-id")
            .map(|s| s.offset);
        assert_eq!(
            note.and_then(|o| elf.section_at(o))
                .map(|s| s.name.as_str()),
            Some(".note.gnu.build-id")
        );
    }

    #[test]
    fn functions_come_from_the_symbol_table() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/diagnose/toolchain.a"
        );
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let elf = parse(&data).unwrap_or_else(|e| panic!("{path}: {e}"));
        let main = elf
            .functions
            .iter()
            .find(|f| f.name == "main")
            .expect("main");
        assert!(main.size > 0);
        let text = elf
            .sections
            .iter()
            .find(|s| s.name == ".text")
            .expect(".text");
        assert!(main.offset >= text.offset && main.offset + main.size <= text.offset + text.size);
    }

    #[test]
    fn hostile_mutations_do_not_panic() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/diagnose/true.a");
        let Ok(data) = std::fs::read(path) else {
            return;
        };
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for i in 0..1500usize {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let mut m = data.clone();
            if i % 3 == 0 {
                m.truncate((seed >> 33) as usize % data.len());
            } else {
                // Header and tables live in the first and last KiB.
                let span = 1024.min(m.len());
                let pos = (seed >> 20) as usize % span;
                let pos = if i % 2 == 0 { pos } else { m.len() - 1 - pos };
                if let Some(b) = m.get_mut(pos) {
                    *b ^= (seed >> 8) as u8 | 1;
                }
            }
            let _ = parse(&m);
        }
    }
}
