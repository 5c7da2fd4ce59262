//! MBR and GPT partition tables: parsed for raw disk images (disk.rs) and for
//! the system area of isohybrid ISOs (iso9660), with every header field
//! (disk signature, disk and partition GUIDs) exposed for field-level diffs.
//!
//! Part of formats/ (bytes → formats → engine → report).

use crate::Field;

/// One partition, from either table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// 1-based number in its table.
    pub number: u32,
    /// Byte offset from the start of the disk.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
    /// MBR type byte or GPT type GUID, as text.
    pub kind: String,
    /// GPT partition name (UTF-16 decoded), empty for MBR.
    pub name: String,
}

/// The partition tables found at the start of a disk or system area.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// MBR primary partitions (non-empty entries), unless a protective MBR.
    pub mbr: Vec<Partition>,
    /// GPT partitions, when a valid GPT header was found.
    pub gpt: Vec<Partition>,
    /// All decoded fields: `mbr.disk_signature`, `mbr.p1.type`, `gpt.disk_guid`,
    /// `gpt.p1.guid`, ...
    pub fields: Vec<Field>,
}

/// Parses whatever MBR and GPT structures are present in `b` (a disk from
/// offset 0). `sector` is the logical sector size (512 for nearly all images).
pub fn parse(_b: &[u8], _sector: u64) -> Table {
    Table::default()
}
