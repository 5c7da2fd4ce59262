//! PE/COFF: the headers, section table and Authenticode certificate table
//! of a Windows or UEFI image (shim, GRUB, systemd-boot, memtest86+'s
//! `bootx64.efi`), read with the `object` crate, for explaining why two
//! builds of one binary differ.
//!
//! Formats stage (bytes → **formats** → engine → diagnosis → report): like
//! ELF, a PE image is a leaf, not a container, so this is not part of
//! `open()`. The engine calls [`parse`] on both sides of a differing leaf,
//! compares the typed header [`Field`]s (each with the role this reader
//! states: `pe.timestamp` is a header date, `pe.linker_version` the tool's
//! version, `pe.checksum` a structure that follows the content), pairs the
//! sections by name and compares the certificate table on its own, since
//! a signature covers every other byte.

use object::pe as raw;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, PeFile};
use object::{LittleEndian as LE, Object, ObjectSection};

use std::ops::Range;

use crate::bytes::{le16, le32};
use crate::model::{Field, Role, Value};
use crate::{Error, Format, Result};

/// Sections kept per file: the COFF header can claim 65535 of them.
const MAX_SECTIONS: usize = 4096;

/// `WIN_CERTIFICATE` entries listed per table (the table's size is the
/// image's to choose; a real one holds one or two).
const MAX_CERTIFICATES: usize = 64;

/// One section with bytes in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The name as `objdump -h` prints it (`.text`, `.rdata`, `.sbat`),
    /// long names resolved through the COFF string table.
    pub name: String,
    /// `PointerToRawData`: file offset of the section's bytes.
    pub offset: u64,
    /// `SizeOfRawData`: bytes in the file, alignment padding included
    /// (0 for uninitialised data such as `.bss`).
    pub size: u64,
}

/// One `WIN_CERTIFICATE` of the certificate table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certificate {
    /// `dwLength`: bytes of the entry, its 8-byte header included.
    pub length: u32,
    /// `wRevision`: 0x0200 for `WIN_CERT_REVISION_2_0`.
    pub revision: u16,
    /// `wCertificateType`: 2 for PKCS#7 `SignedData` (Authenticode).
    pub kind: u16,
}

impl Certificate {
    /// What the entry holds, as the PE specification names its type.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            1 => "X.509 certificate",
            2 => "PKCS#7 signature",
            3 => "reserved",
            4 => "terminal-server protocol stack",
            _ => "unknown certificate type",
        }
    }
}

/// The Authenticode certificate table: where
/// `IMAGE_DIRECTORY_ENTRY_SECURITY` points (a file offset, unlike every
/// other data directory's RVA). It is not part of what it signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateTable<'d> {
    /// File offset of the table.
    pub offset: u64,
    /// The whole table.
    pub bytes: &'d [u8],
    /// Its entries, in order.
    pub entries: Vec<Certificate>,
    /// The first PKCS#7 entry's signer, when its DER reads as one.
    pub signer: Option<Signer>,
}

/// What the first `SignerInfo` of a PKCS#7 `SignedData` says about when
/// and how it was signed: the parts a re-signing of the same image
/// changes. Ranges are within [`CertificateTable::bytes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The `signingTime` authenticated attribute (the signing tool's clock,
    /// as `sbsign` and `osslsigncode` write it), in Unix seconds, and
    /// where its `UTCTime`/`GeneralizedTime` text lies.
    pub signing_time: Option<(i64, Range<usize>)>,
    /// The `encryptedDigest`: the signature over the authenticated
    /// attributes, so it changes with the signing time.
    pub signature_value: Option<Range<usize>>,
}

/// What the engine needs of one PE image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pe<'d> {
    /// Header fields, each with its role: `pe.machine`, `pe.timestamp`,
    /// `pe.linker_version`, `pe.os_version`, `pe.image_version`,
    /// `pe.subsystem_version`, `pe.subsystem`, `pe.dll_characteristics`,
    /// `pe.checksum`.
    pub fields: Vec<Field>,
    /// Sections with file bytes, in section-table order.
    pub sections: Vec<Section>,
    /// The certificate table, when the image has one inside the file.
    pub certificates: Option<CertificateTable<'d>>,
    /// File ranges of the header bytes that [`Pe::fields`] and the
    /// certificate table's directory entry already stand for: whoever
    /// compares the rest of the headers leaves them out.
    pub field_ranges: Vec<Range<u64>>,
}

impl Pe<'_> {
    /// The section owning byte `offset` of the file, if any.
    pub fn section_at(&self, offset: u64) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.size > 0 && offset >= s.offset && offset - s.offset < s.size)
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// `true` when `data` starts with an MZ header whose `e_lfanew` points at
/// a `PE\0\0` signature inside `data`.
pub fn is_pe(data: &[u8]) -> bool {
    let Some(lfanew) = le32(data, 0x3c) else {
        return false;
    };
    data.starts_with(b"MZ")
        && usize::try_from(lfanew)
            .ok()
            .and_then(|at| data.get(at..at.checked_add(4)?))
            == Some(b"PE\0\0")
}

/// Parses the headers, section table and certificate table. Sections and a
/// certificate table whose range lies outside the file are left out rather
/// than failing the whole image.
pub fn parse(data: &[u8]) -> Result<Pe<'_>> {
    if !is_pe(data) {
        return Err(Error::new(Format::Pe, 0, crate::ErrorKind::BadMagic));
    }
    let magic = object::read::pe::optional_header_magic(data).map_err(|e| invalid(data, e))?;
    match magic {
        raw::IMAGE_NT_OPTIONAL_HDR32_MAGIC => read::<raw::ImageNtHeaders32>(data),
        raw::IMAGE_NT_OPTIONAL_HDR64_MAGIC => read::<raw::ImageNtHeaders64>(data),
        m => Err(Error::new(
            Format::Pe,
            nt_offset(data),
            crate::ErrorKind::Unsupported(format!("optional header magic {m:#06x}")),
        )),
    }
}

/// Where the NT headers start (`e_lfanew`), for error offsets.
fn nt_offset(data: &[u8]) -> u64 {
    le32(data, 0x3c).map_or(0, u64::from)
}

fn invalid(data: &[u8], e: object::Error) -> Error {
    Error::invalid(Format::Pe, nt_offset(data), e.to_string())
}

fn read<H: ImageNtHeaders>(data: &[u8]) -> Result<Pe<'_>> {
    let file = PeFile::<H>::parse(data).map_err(|e| invalid(data, e))?;
    let nt = nt_offset(data);
    let header = file.nt_headers().file_header();
    let opt = file.nt_headers().optional_header();
    let version = |major: u16, minor: u16| Value::Text(format!("{major}.{minor}"));
    let timestamp = header.time_date_stamp.get(LE);
    let checksum = opt.check_sum();
    let fields = vec![
        Field::new(
            "pe.machine",
            Value::Text(machine_name(header.machine.get(LE))),
            Role::Content,
        ),
        // The build's clock; 0 when the linker was told not to insert it
        // (`--no-insert-timestamp`, lld's default for MinGW).
        Field::new(
            "pe.timestamp",
            if timestamp == 0 {
                Value::Unset(0)
            } else {
                Value::Epoch(i64::from(timestamp))
            },
            Role::HeaderDate,
        ),
        Field::new(
            "pe.linker_version",
            version(
                u16::from(opt.major_linker_version()),
                u16::from(opt.minor_linker_version()),
            ),
            Role::Version,
        ),
        Field::new(
            "pe.os_version",
            version(
                opt.major_operating_system_version(),
                opt.minor_operating_system_version(),
            ),
            Role::Content,
        ),
        Field::new(
            "pe.image_version",
            version(opt.major_image_version(), opt.minor_image_version()),
            Role::Content,
        ),
        Field::new(
            "pe.subsystem_version",
            version(opt.major_subsystem_version(), opt.minor_subsystem_version()),
            Role::Content,
        ),
        Field::new(
            "pe.subsystem",
            Value::Text(subsystem_name(opt.subsystem())),
            Role::Content,
        ),
        Field::new(
            "pe.dll_characteristics",
            Value::hex(opt.dll_characteristics()),
            Role::Content,
        ),
        // A sum over the whole file but itself and the certificate table's
        // directory entry: it follows every other byte. 0 is "not computed".
        Field::new(
            "pe.checksum",
            if checksum == 0 {
                Value::Unset(0)
            } else {
                Value::hex(checksum)
            },
            Role::Structure,
        ),
    ];
    let len = data.len() as u64;
    let mut sections = Vec::new();
    for s in file.sections() {
        if sections.len() >= MAX_SECTIONS {
            break;
        }
        let Ok(name) = s.name() else { continue };
        let h = s.pe_section();
        let offset = u64::from(h.pointer_to_raw_data.get(LE));
        let size = u64::from(h.size_of_raw_data.get(LE));
        if size == 0 || offset.checked_add(size).is_none_or(|end| end > len) {
            continue;
        }
        sections.push(Section {
            name: name.to_string(),
            offset,
            size,
        });
    }
    // Field offsets within the NT headers, the same for PE32 and PE32+:
    // signature (4), then the COFF header, TimeDateStamp at +4 of it; the
    // optional header at +24, its linker version at +2 and CheckSum at +64.
    let optional = nt + 24;
    let dirs = optional + std::mem::size_of::<H::ImageOptionalHeader>() as u64;
    let security = dirs + 8 * raw::IMAGE_DIRECTORY_ENTRY_SECURITY as u64;
    let mut field_ranges = vec![nt + 8..nt + 12, optional + 2..optional + 4];
    field_ranges.push(optional + 64..optional + 68);
    if file.data_directories().len() > raw::IMAGE_DIRECTORY_ENTRY_SECURITY {
        field_ranges.push(security..security + 8);
    }
    let certificates = file
        .data_directory(raw::IMAGE_DIRECTORY_ENTRY_SECURITY)
        .and_then(|d| certificate_table(data, d));
    Ok(Pe {
        fields,
        sections,
        certificates,
        field_ranges,
    })
}

/// The certificate table the security directory points at: its
/// `VirtualAddress` is a file offset.
fn certificate_table<'d>(
    data: &'d [u8],
    dir: &raw::ImageDataDirectory,
) -> Option<CertificateTable<'d>> {
    let offset = dir.virtual_address.get(LE);
    let size = dir.size.get(LE);
    if offset == 0 || size == 0 {
        return None;
    }
    let start = usize::try_from(offset).ok()?;
    let bytes = data.get(start..start.checked_add(usize::try_from(size).ok()?)?)?;
    let mut entries = Vec::new();
    let mut at = 0usize;
    while entries.len() < MAX_CERTIFICATES {
        let (Some(length), Some(revision), Some(kind)) =
            (le32(bytes, at), le16(bytes, at + 4), le16(bytes, at + 6))
        else {
            break;
        };
        if length < 8 {
            break;
        }
        entries.push(Certificate {
            length,
            revision,
            kind,
        });
        // Entries are 8-byte aligned.
        let Some(next) = usize::try_from(length)
            .ok()
            .and_then(|l| l.checked_add(7))
            .map(|l| l & !7)
            .and_then(|l| at.checked_add(l))
        else {
            break;
        };
        at = next;
    }
    let signer = entries
        .first()
        .filter(|c| c.kind == 2)
        .and_then(|c| signer(bytes, usize::try_from(c.length).ok()?));
    Some(CertificateTable {
        offset: u64::from(offset),
        bytes,
        entries,
        signer,
    })
}

/// One DER element at `at`: its tag and the range of its contents (short
/// and long lengths up to 4 bytes; `None` past `end`).
fn der(b: &[u8], at: usize, end: usize) -> Option<(u8, Range<usize>)> {
    let tag = *b.get(at)?;
    let first = *b.get(at.checked_add(1)?)?;
    let (len, head) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*b.get(at.checked_add(2 + i)?)?);
        }
        (len, 2 + n)
    };
    let start = at.checked_add(head)?;
    let stop = start.checked_add(len)?;
    (stop <= end.min(b.len())).then_some((tag, start..stop))
}

/// The elements inside `r`, in order, read as they are asked for (a
/// hostile table of a million empty elements costs time, not memory).
fn children(b: &[u8], r: Range<usize>) -> impl Iterator<Item = (u8, Range<usize>)> + '_ {
    let mut at = r.start;
    std::iter::from_fn(move || {
        if at >= r.end {
            return None;
        }
        let (tag, c) = der(b, at, r.end)?;
        at = c.end;
        Some((tag, c))
    })
}

/// The first element inside `r` tagged `tag`.
fn child(b: &[u8], r: Range<usize>, tag: u8) -> Option<Range<usize>> {
    children(b, r).find(|(t, _)| *t == tag).map(|(_, c)| c)
}

/// `1.2.840.113549.1.9.5`, PKCS#9 `signingTime`, DER-encoded.
const SIGNING_TIME: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05];

/// The signer of the `WIN_CERTIFICATE` at the start of `table`
/// (`length` bytes, its 8-byte header included): `ContentInfo` →
/// `[0] SignedData` → the last `SET` (`signerInfos`) → the first
/// `SignerInfo` → `[0]` authenticated attributes and `encryptedDigest`.
fn signer(table: &[u8], length: usize) -> Option<Signer> {
    let (_, info) = der(table, 8, length).filter(|(t, _)| *t == 0x30)?;
    let signed = child(table, child(table, info, 0xa0)?, 0x30)?;
    let (_, infos) = children(table, signed).filter(|(t, _)| *t == 0x31).last()?;
    let first = child(table, infos, 0x30)?;
    let signing_time = child(table, first.clone(), 0xa0).and_then(|attrs| {
        children(table, attrs).find_map(|(_, attr)| {
            let mut kids = children(table, attr);
            let (oid, values) = (kids.next()?, kids.next()?);
            if table.get(oid.1)? != SIGNING_TIME {
                return None;
            }
            let (tag, at) = children(table, values.1).next()?;
            Some((asn1_time(tag, table.get(at.clone())?)?, at))
        })
    });
    let signature_value = child(table, first, 0x04);
    Some(Signer {
        signing_time,
        signature_value,
    })
}

/// A DER `UTCTime` (`YYMMDDHHMMSSZ`, years 1950–2049) or
/// `GeneralizedTime` (`YYYYMMDDHHMMSSZ`) in Unix seconds.
fn asn1_time(tag: u8, text: &[u8]) -> Option<i64> {
    let digits = text.strip_suffix(b"Z")?;
    let num = |r: Range<usize>| -> Option<i64> {
        let s = std::str::from_utf8(digits.get(r)?).ok()?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (year, rest) = match (tag, digits.len()) {
        (0x17, 12) => {
            let yy = num(0..2)?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, 2)
        }
        (0x18, 14) => (num(0..4)?, 4),
        _ => return None,
    };
    let field = |i: usize| num(rest + 2 * i..rest + 2 * i + 2);
    let (mo, d, h, mi, s) = (field(0)?, field(1)?, field(2)?, field(3)?, field(4)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = crate::model::days_from_civil(year, u32::try_from(mo).ok()?, u32::try_from(d).ok()?);
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

/// `IMAGE_FILE_MACHINE_*` as `objdump` names the architecture.
fn machine_name(m: u16) -> String {
    let name = match m {
        raw::IMAGE_FILE_MACHINE_I386 => "i386",
        raw::IMAGE_FILE_MACHINE_AMD64 => "x86-64",
        raw::IMAGE_FILE_MACHINE_ARM64 => "arm64",
        raw::IMAGE_FILE_MACHINE_ARMNT => "arm (thumb-2)",
        raw::IMAGE_FILE_MACHINE_ARM => "arm",
        raw::IMAGE_FILE_MACHINE_IA64 => "ia64",
        raw::IMAGE_FILE_MACHINE_RISCV64 => "riscv64",
        raw::IMAGE_FILE_MACHINE_RISCV32 => "riscv32",
        0x6264 => "loongarch64",
        _ => return format!("{m:#06x}"),
    };
    format!("{name} ({m:#06x})")
}

/// `IMAGE_SUBSYSTEM_*` as the PE specification names it.
fn subsystem_name(s: u16) -> String {
    let name = match s {
        raw::IMAGE_SUBSYSTEM_NATIVE => "native",
        raw::IMAGE_SUBSYSTEM_WINDOWS_GUI => "Windows GUI",
        raw::IMAGE_SUBSYSTEM_WINDOWS_CUI => "Windows console",
        raw::IMAGE_SUBSYSTEM_EFI_APPLICATION => "EFI application",
        raw::IMAGE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER => "EFI boot service driver",
        raw::IMAGE_SUBSYSTEM_EFI_RUNTIME_DRIVER => "EFI runtime driver",
        raw::IMAGE_SUBSYSTEM_EFI_ROM => "EFI ROM",
        _ => return s.to_string(),
    };
    format!("{name} ({s})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(n: &str) -> Vec<u8> {
        let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata/pe/");
        std::fs::read(format!("{p}{n}")).unwrap_or_else(|e| panic!("{n}: {e}"))
    }

    fn value<'a>(pe: &'a Pe, name: &str) -> &'a Value {
        &pe.field(name).unwrap_or_else(|| panic!("{name}")).value
    }

    #[test]
    fn rejects_non_pe_and_truncated_input() {
        assert!(parse(b"not a PE").is_err());
        assert!(parse(b"MZ").is_err());
        let mut mz = vec![0u8; 0x40];
        mz[..2].copy_from_slice(b"MZ");
        mz[0x3c] = 0x40;
        assert!(!is_pe(&mz));
        mz.extend_from_slice(b"PE\0\0");
        assert!(is_pe(&mz));
        assert!(parse(&mz).is_err());
    }

    /// The headers as `objdump -p` shows them (testdata/gen/pe.sh built it
    /// with GNU ld 2.40 and SOURCE_DATE_EPOCH=1700000000).
    #[test]
    fn reads_the_headers_and_sections_of_a_real_image() {
        let data = fixture("timestamp.a.efi");
        let pe = parse(&data).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(value(&pe, "pe.timestamp"), &Value::Epoch(1_700_000_000));
        assert_eq!(value(&pe, "pe.linker_version"), &Value::text("2.40"));
        assert_eq!(
            value(&pe, "pe.subsystem"),
            &Value::text("EFI application (10)")
        );
        assert_eq!(value(&pe, "pe.machine"), &Value::text("x86-64 (0x8664)"));
        assert!(matches!(value(&pe, "pe.checksum"), Value::Flags { .. }));
        let names: Vec<&str> = pe.sections.iter().map(|s| s.name.as_str()).collect();
        for want in [".text", ".rdata"] {
            assert!(names.contains(&want), "{want} in {names:?}");
        }
        let text = &pe.sections[0];
        assert_eq!(
            pe.section_at(text.offset).map(|s| &s.name),
            Some(&text.name)
        );
        assert_eq!(pe.certificates, None);
        // The TimeDateStamp's bytes are the first range left out.
        let ts = &pe.field_ranges[0];
        let at = ts.start as usize;
        assert_eq!(
            data.get(at..at + 4),
            Some(&1_700_000_000u32.to_le_bytes()[..])
        );
    }

    #[test]
    fn the_certificate_table_is_read_apart() {
        let data = fixture("signed.a.efi");
        let pe = parse(&data).unwrap_or_else(|e| panic!("{e}"));
        let t = pe.certificates.as_ref().expect("a certificate table");
        assert_eq!(t.entries.len(), 1);
        let c = t.entries[0];
        assert_eq!((c.revision, c.kind_name()), (0x0200, "PKCS#7 signature"));
        // sbsign ran under faketime at SOURCE_DATE_EPOCH.
        let signer = t.signer.as_ref().expect("a signer");
        let (when, at) = signer.signing_time.clone().expect("a signing time");
        assert_eq!(when, 1_700_000_000);
        assert_eq!(t.bytes.get(at), Some(&b"231114221320Z"[..]));
        // RSA-2048: the signature value is 256 bytes.
        assert_eq!(signer.signature_value.as_ref().map(|r| r.len()), Some(256));
        assert!(c.length as usize <= t.bytes.len());
        assert_eq!(t.offset as usize + t.bytes.len(), data.len());
        // The security directory entry is among the ranges left out.
        assert_eq!(pe.field_ranges.len(), 4);
        // No section owns the table.
        assert!(pe.section_at(t.offset).is_none());
    }

    #[test]
    fn asn1_times() {
        assert_eq!(asn1_time(0x17, b"231114221320Z"), Some(1_700_000_000));
        assert_eq!(asn1_time(0x18, b"20231114221320Z"), Some(1_700_000_000));
        assert_eq!(asn1_time(0x17, b"491231235959Z"), Some(2_524_607_999));
        assert_eq!(asn1_time(0x17, b"231314221320Z"), None);
        assert_eq!(asn1_time(0x17, b"2311142213+0Z"), None);
        assert_eq!(asn1_time(0x18, b"231114221320Z"), None);
    }

    #[test]
    fn hostile_mutations_do_not_panic() {
        for name in ["signed.a.efi", "linker.b.efi"] {
            let data = fixture(name);
            let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
            for i in 0..3000usize {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let mut m = data.clone();
                if i % 3 == 0 {
                    m.truncate((seed >> 33) as usize % data.len());
                } else {
                    // Headers and the section table live in the first KiB,
                    // the certificate table at the end.
                    let span = 1024.min(m.len());
                    let pos = (seed >> 20) as usize % span;
                    let pos = if i % 2 == 0 { pos } else { m.len() - 1 - pos };
                    if let Some(b) = m.get_mut(pos) {
                        *b ^= (seed >> 8) as u8 | 1;
                    }
                }
                if let Ok(pe) = parse(&m) {
                    for s in &pe.sections {
                        assert!(s.offset + s.size <= m.len() as u64);
                    }
                    assert!(pe
                        .certificates
                        .is_none_or(|t| t.entries.len() <= MAX_CERTIFICATES));
                }
            }
        }
    }

    /// memtest86+ writes its PE header by hand, at an `e_lfanew` of 0x7a:
    /// headers at an odd offset read as well as aligned ones.
    #[test]
    fn headers_at_an_unaligned_offset_are_read() {
        let data = fixture("timestamp.a.efi");
        let mut moved = data.clone();
        let nt = nt_offset(&data) as usize;
        moved.copy_within(nt..0x400 - 2, nt + 2);
        moved[0x3c..0x40].copy_from_slice(&(nt as u32 + 2).to_le_bytes());
        let (a, b) = (parse(&data), parse(&moved));
        let (a, b) = (
            a.unwrap_or_else(|e| panic!("{e}")),
            b.unwrap_or_else(|e| panic!("{e}")),
        );
        assert_eq!((a.fields, a.sections), (b.fields, b.sections));
    }

    /// A header claiming a huge certificate table or one past the end of
    /// the file gives no table, not an allocation or a panic.
    #[test]
    fn a_certificate_table_past_the_end_is_left_out() {
        let mut data = fixture("timestamp.a.efi");
        let nt = nt_offset(&data) as usize;
        let security = nt + 24 + 112 + 8 * 4;
        data[security..security + 4].copy_from_slice(&0x200u32.to_le_bytes());
        data[security + 4..security + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        let pe = parse(&data).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pe.certificates, None);
    }
}
