//! Volume descriptors (ECMA-119 §8): the primary and supplementary (Joliet)
//! descriptors, the El Torito boot record, and the terminator, decoded into
//! `pvd.*`, `svd.*` and `boot_record.*` fields.
//!
//! Part of the ISO9660 reader in formats/ (bytes → formats → engine →
//! report): it finds the roots that the directory walker then descends.

use super::{both16, both32, date17, date7};
use crate::bytes::{be16, be32, le32};
use crate::{Container, Error, Format, Region, Role, Value};

/// Where the volume descriptor set starts: sector 16 of 2048 bytes.
pub(super) const VDS_START: u64 = 16 * 2048;
const VD_SIZE: u64 = 2048;
/// Descriptors read before giving up on finding a terminator.
const MAX_VDS: u64 = 64;

/// A directory tree's root, as named by a volume descriptor.
#[derive(Debug, Clone, Copy)]
pub(super) struct Root {
    pub lba: u32,
    pub size: u32,
    pub block: u64,
}

/// What the descriptor set says, beyond the fields it adds.
#[derive(Debug, Default)]
pub(super) struct Volumes {
    pub primary: Option<Root>,
    /// Volume size in bytes (`volume_space_size * block_size`).
    pub volume_bytes: u64,
    pub joliet: Option<Root>,
    /// El Torito boot catalog LBA.
    pub boot_catalog: Option<u32>,
}

/// Decodes a d-/a-character identifier: trailing spaces are padding.
fn ident(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .trim_end_matches([' ', '\0'])
        .to_string()
}

/// A Joliet identifier (UCS-2 big-endian) as name bytes for
/// [`crate::model::stored_name`], which keeps unpaired surrogates apart.
pub(super) fn ucs2_name(b: &[u8]) -> Vec<u8> {
    crate::model::utf16_name(b.chunks_exact(2).filter_map(|c| be16(c, 0)))
}

/// Decodes a Joliet identifier (UCS-2 big-endian).
pub(super) fn ucs2(b: &[u8]) -> String {
    let units = b.chunks_exact(2).filter_map(|c| be16(c, 0));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

fn joliet_level(esc: &[u8]) -> Option<u8> {
    // The escape sequence may sit anywhere in the 32-byte field (normally first).
    esc.windows(3).find_map(|w| match w {
        [b'%', b'/', b'@'] => Some(1),
        [b'%', b'/', b'C'] => Some(2),
        [b'%', b'/', b'E'] => Some(3),
        _ => None,
    })
}

/// Reads the descriptor set into `c.fields`/`c.regions`. Fails only when no
/// primary descriptor can be found at all.
pub(super) fn read(b: &[u8], c: &mut Container) -> Result<Volumes, Error> {
    let mut v = Volumes::default();
    let mut svds = 0usize;
    for i in 0..MAX_VDS {
        let at = VDS_START + i * VD_SIZE;
        let Some(d) = usize::try_from(at)
            .ok()
            .and_then(|s| b.get(s..s + VD_SIZE as usize))
        else {
            if v.primary.is_none() {
                return Err(Error::truncated(
                    Format::Iso9660,
                    at,
                    at + VD_SIZE,
                    b.len() as u64,
                ));
            }
            c.errors.push(Error::truncated(
                Format::Iso9660,
                at,
                at + VD_SIZE,
                b.len() as u64,
            ));
            break;
        };
        if &d[1..6] != b"CD001" {
            if v.primary.is_none() {
                return Err(Error::new(
                    Format::Iso9660,
                    at + 1,
                    crate::ErrorKind::BadMagic,
                ));
            }
            c.errors.push(Error::invalid(
                Format::Iso9660,
                at + 1,
                "volume descriptor without CD001 before the terminator",
            ));
            break;
        }
        let ty = d[0];
        let name = match ty {
            0 => "boot record".to_string(),
            1 => "primary volume descriptor".to_string(),
            2 => "supplementary volume descriptor".to_string(),
            3 => "volume partition descriptor".to_string(),
            255 => "volume descriptor set terminator".to_string(),
            t => format!("volume descriptor type {t}"),
        };
        c.regions.push(Region::structure(at, VD_SIZE, name));
        match ty {
            0 => boot_record(d, at, c, &mut v),
            1 if v.primary.is_none() => {
                v.primary = volume(d, at, "pvd", false, c);
                if let (Some(r), Some(space)) = (v.primary, both32(d, 80)) {
                    v.volume_bytes = u64::from(space) * r.block;
                }
            }
            2 => {
                svds += 1;
                let level = joliet_level(&d[88..120]);
                let prefix = if svds == 1 {
                    "svd".to_string()
                } else {
                    format!("svd{svds}")
                };
                c.field(format!("{prefix}.descriptor_offset"), at, Role::Location);
                c.field(
                    format!("{prefix}.volume_flags"),
                    Value::hex(d[7]),
                    Role::Content,
                );
                c.field(
                    format!("{prefix}.escape_sequences"),
                    hex(d[88..120].iter().copied().take_while(|&x| x != 0)),
                    Role::Content,
                );
                if let Some(l) = level {
                    c.field(format!("{prefix}.joliet_level"), l, Role::Content);
                }
                let root = volume(d, at, &prefix, level.is_some(), c);
                if level.is_some() && v.joliet.is_none() {
                    v.joliet = root;
                }
            }
            255 => {
                c.field("terminator.offset", at, Role::Location);
                break;
            }
            _ => {}
        }
    }
    if v.primary.is_none() {
        return Err(Error::invalid(
            Format::Iso9660,
            VDS_START,
            "no primary volume descriptor",
        ));
    }
    Ok(v)
}

fn hex(b: impl Iterator<Item = u8>) -> String {
    b.map(|x| format!("{x:02x}")).collect()
}

fn boot_record(d: &[u8], at: u64, c: &mut Container, v: &mut Volumes) {
    let system = ident(&d[7..39]);
    c.field("boot_record.offset", at, Role::Location);
    c.field("boot_record.boot_system_id", &system, Role::Content);
    c.field("boot_record.boot_id", ident(&d[39..71]), Role::Content);
    if system == "EL TORITO SPECIFICATION" {
        if let Some(lba) = le32(d, 71) {
            c.field("boot_record.catalog_lba", lba, Role::Location);
            v.boot_catalog.get_or_insert(lba);
        }
    }
}

/// Decodes a primary or supplementary descriptor's fields under `p`.
fn volume(d: &[u8], at: u64, p: &str, joliet: bool, c: &mut Container) -> Option<Root> {
    let s = |r: std::ops::Range<usize>| {
        let b = d.get(r).unwrap_or_default();
        if joliet {
            ucs2(b).trim_end_matches([' ', '\0']).to_string()
        } else {
            ident(b)
        }
    };
    let first = c.fields.len();
    c.field(format!("{p}.version"), d[6], Role::Content);
    c.field(format!("{p}.system_id"), s(8..40), Role::Content);
    c.field(format!("{p}.volume_id"), s(40..72), Role::Content);
    let block = both16(d, 128).unwrap_or(0);
    let space = both32(d, 80).unwrap_or(0);
    c.field(format!("{p}.volume_space_size"), space, Role::Structure);
    c.field(
        format!("{p}.volume_set_size"),
        both16(d, 120).unwrap_or(0),
        Role::Content,
    );
    c.field(
        format!("{p}.volume_sequence_number"),
        both16(d, 124).unwrap_or(0),
        Role::Content,
    );
    c.field(format!("{p}.logical_block_size"), block, Role::Content);
    let pt_size = both32(d, 132).unwrap_or(0);
    c.field(format!("{p}.path_table_size"), pt_size, Role::Structure);
    let l = le32(d, 140).unwrap_or(0);
    let lo = le32(d, 144).unwrap_or(0);
    let m = be32(d, 148).unwrap_or(0);
    let mo = be32(d, 152).unwrap_or(0);
    c.field(format!("{p}.l_path_table_lba"), l, Role::Location);
    c.field(format!("{p}.optional_l_path_table_lba"), lo, Role::Location);
    c.field(format!("{p}.m_path_table_lba"), m, Role::Location);
    c.field(format!("{p}.optional_m_path_table_lba"), mo, Role::Location);
    c.field(format!("{p}.volume_set_id"), s(190..318), Role::Content);
    c.field(format!("{p}.publisher_id"), s(318..446), Role::Content);
    c.field(format!("{p}.data_preparer_id"), s(446..574), Role::Version);
    c.field(format!("{p}.application_id"), s(574..702), Role::Content);
    c.field(format!("{p}.copyright_file_id"), s(702..739), Role::Content);
    c.field(format!("{p}.abstract_file_id"), s(739..776), Role::Content);
    c.field(
        format!("{p}.bibliographic_file_id"),
        s(776..813),
        Role::Content,
    );
    for (name, r) in [
        ("creation_date", 813..830),
        ("modification_date", 830..847),
        ("expiration_date", 847..864),
        ("effective_date", 864..881),
    ] {
        let value = date17(&d[r.clone()]).map_or_else(|| Value::text("unset"), |st| st.value);
        c.field(format!("{p}.{name}"), value, Role::HeaderDate);
    }
    c.field(format!("{p}.file_structure_version"), d[881], Role::Content);
    let app_use = &d[883..1395];
    if app_use.iter().all(|&x| x == 0 || x == b' ') {
        c.field(format!("{p}.application_use"), "blank", Role::Content);
    } else {
        c.field(
            format!("{p}.application_use"),
            ident(app_use).escape_debug().to_string(),
            Role::Content,
        );
    }
    // The root directory record (34 bytes at 156).
    let root = &d[156..190];
    let lba = both32(root, 2).unwrap_or(0);
    let size = both32(root, 10).unwrap_or(0);
    c.field(format!("{p}.root.extent_lba"), lba, Role::Location);
    c.field(format!("{p}.root.data_length"), size, Role::Structure);
    c.field(
        format!("{p}.root.flags"),
        Value::hex(root[25]),
        Role::Content,
    );
    if let Some(st) = date7(&root[18..25]) {
        c.field(format!("{p}.root.date"), st.value, Role::HeaderDate);
    }
    if p != "pvd" {
        // A supplementary descriptor repeats the primary one's values (in
        // UCS-2 for Joliet): written by the same tool from the same inputs.
        for f in &mut c.fields[first..] {
            if let Some(rest) = f.name.strip_prefix(p) {
                f.follows = vec![format!("pvd{rest}").into()];
            }
        }
    }
    let block = u64::from(block);
    if !matches!(block, 512 | 1024 | 2048) {
        c.errors.push(Error::invalid(
            Format::Iso9660,
            at + 128,
            format!("logical block size {block}"),
        ));
        return None;
    }
    for (what, lba) in [("L", l), ("optional L", lo), ("M", m), ("optional M", mo)] {
        if lba != 0 && pt_size != 0 {
            c.regions.push(Region::structure(
                u64::from(lba) * block,
                u64::from(pt_size),
                format!("{p} {what} path table"),
            ));
        }
    }
    Some(Root { lba, size, block })
}
