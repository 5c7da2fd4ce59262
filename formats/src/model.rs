//! The model every reader fills in: a `Container` lists `Entry`s with their
//! metadata and *where* their bytes are, plus the container's own header
//! fields and a map of which structure owns which byte range.
//!
//! This is the contract between formats/ and the engine: readers never know
//! about diffs, and the engine never parses bytes itself.

use std::borrow::Cow;
use std::fmt::Write;
use std::sync::Arc;

use serde::Serialize;

pub use reprodiff_value::{civil_from_days, days_from_civil, Kind, Role, Time, Value, Zone};

use crate::blob::Blob;
use crate::error::{Error, ErrorKind, Result};
use crate::Format;

/// A named value decoded from a header (`pvd.volume_id`, `gzip.mtime`, ...)
/// or a format-specific per-entry field, with what it means: the reader,
/// which knows the format, says so once, and nothing downstream guesses it
/// from the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Mostly a fixed name: no allocation per entry for it.
    pub name: Cow<'static, str>,
    pub value: Value,
    pub role: Role,
    /// Fields of the same container that the tools writing this format
    /// derive this one from (xorriso derives GPT partition GUIDs from the
    /// disk GUID, the MBR signature from the volume date; a Joliet
    /// descriptor repeats the primary one). When one of them changed too,
    /// this change is a consequence of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub follows: Vec<Cow<'static, str>>,
}

impl Field {
    pub fn new(name: impl Into<Cow<'static, str>>, value: impl Into<Value>, role: Role) -> Field {
        Field {
            name: name.into(),
            value: value.into(),
            role,
            follows: Vec::new(),
        }
    }

    /// The same field, derived from `names` (see [`Field::follows`]).
    pub fn follows(mut self, names: &[&'static str]) -> Field {
        self.follows = names.iter().map(|&n| Cow::Borrowed(n)).collect();
        self
    }
}

/// Metadata of one entry. `None` means the format does not record it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Meta {
    /// Permission bits (`0o7777` part of st_mode), without the file-type bits.
    pub mode: Option<u32>,
    pub uid: Option<u64>,
    pub gid: Option<u64>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub mtime: Option<Time>,
    pub atime: Option<Time>,
    pub ctime: Option<Time>,
    /// Symlink target, or hard-link target path for `Kind::Hardlink`.
    pub target: Option<String>,
    /// Device numbers (major, minor) of device nodes.
    pub rdev: Option<(u32, u32)>,
    pub nlink: Option<u32>,
    /// Inode number where the format has one (groups hard links).
    pub inode: Option<u64>,
    pub xattrs: Vec<(String, Vec<u8>)>,
    /// The format's own per-entry fields (ISO file flags, FAT attributes, tar typeflag, ...).
    pub extra: Vec<Field>,
}

/// One contiguous run of an entry's bytes inside the container's `source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
pub struct Extent {
    pub offset: u64,
    pub len: u64,
}

/// One SquashFS data block as stored on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
pub struct SquashBlock {
    /// Offset of the stored bytes within the image.
    pub offset: u64,
    /// Bytes on disk (0 for a sparse block of zeros).
    pub stored: u32,
    /// False when the block is stored uncompressed.
    pub compressed: bool,
}

/// The tail of a SquashFS file packed in a fragment block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Hash)]
pub struct SquashFragment {
    /// The fragment block as stored on disk.
    pub block: SquashBlock,
    /// Fragment index in the fragment table.
    pub index: u32,
    /// Offset of this file's tail within the *decoded* fragment block.
    pub offset: u32,
    /// Length of the tail.
    pub len: u32,
}

/// Where an entry's bytes are, said without reading them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Data {
    /// No content (directories, links, devices).
    None,
    /// A byte range of the container's `source`.
    Range(Extent),
    /// Several ranges of `source` read in order (ISO multi-extent files, FAT
    /// cluster chains). The last one may be cut short to the entry size.
    Extents(Vec<Extent>),
    /// A raw DEFLATE stream (no zlib or gzip wrapper) in a range of
    /// `source`, decoded when read to the entry's size (ZIP members).
    Deflate(Extent),
    /// SquashFS blocks, decoded through the container's SquashFS reader.
    Squash {
        blocks: Vec<SquashBlock>,
        fragment: Option<SquashFragment>,
    },
}

impl Data {
    /// The first byte's offset within `source`, where that is meaningful.
    pub fn offset(&self) -> Option<u64> {
        match self {
            Data::None => None,
            Data::Range(e) | Data::Deflate(e) => Some(e.offset),
            Data::Extents(v) => v.first().map(|e| e.offset),
            Data::Squash { blocks, fragment } => blocks
                .first()
                .map(|b| b.offset)
                .or(fragment.map(|f| f.block.offset)),
        }
    }
}

/// One member of a container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Path inside the container, `/`-separated, without a leading `/`
    /// (but kept as the format stores it where that matters, e.g. tar's `./`).
    /// Synthetic members (boot images, partitions, cpio segments) are
    /// written `<like-this>`. A name that is not UTF-8 shows its invalid
    /// bytes as `\xNN` here and keeps its exact bytes in `raw_path`.
    pub path: String,
    /// The path's bytes exactly as stored, only when they are not UTF-8
    /// (then `path` alone could name two members, or be a real name that
    /// is spelled with a backslash). See [`stored_name`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_path: Option<Box<[u8]>>,
    pub kind: Kind,
    /// Logical size of the content in bytes (decoded size for SquashFS).
    pub size: u64,
    pub meta: Meta,
    pub data: Data,
}

impl Entry {
    pub fn new(path: impl Into<String>, kind: Kind) -> Entry {
        Entry {
            path: path.into(),
            raw_path: None,
            kind,
            size: 0,
            meta: Meta::default(),
            data: Data::None,
        }
    }

    /// An entry whose path is name bytes as the format stores them (see
    /// [`stored_name`]).
    pub fn stored(path: &[u8], kind: Kind) -> Entry {
        let (path, raw) = stored_name(path);
        let mut e = Entry::new(path, kind);
        e.raw_path = raw;
        e
    }

    /// What identifies this member's name among its container's: equal
    /// exactly when the stored names are equal, so two names that differ
    /// only in bytes that are not UTF-8, or a byte name and a text name
    /// that display alike, are never paired.
    pub fn pair_key(&self) -> (&str, Option<&[u8]>) {
        (&self.path, self.raw_path.as_deref())
    }
}

/// Turns name bytes as stored into an entry's `(path, raw_path)`: UTF-8
/// names are the path itself and have no raw form; any other name shows
/// each invalid byte as `\xNN` and keeps its bytes. Every reader names its
/// entries through here, so no two stored names collapse into one.
pub fn stored_name(b: &[u8]) -> (String, Option<Box<[u8]>>) {
    if let Ok(s) = std::str::from_utf8(b) {
        return (s.to_string(), None);
    }
    let mut s = String::with_capacity(b.len() + 8);
    for chunk in b.utf8_chunks() {
        s.push_str(chunk.valid());
        for x in chunk.invalid() {
            // Writing to a String cannot fail.
            let _ = write!(s, "\\x{x:02x}");
        }
    }
    (s, Some(b.into()))
}

/// Name bytes for a name stored as UTF-16 code units (Joliet, FAT long
/// names): UTF-8, except that an unpaired surrogate is written as its
/// three-byte generalised UTF-8 form (WTF-8), which is not UTF-8, so
/// [`stored_name`] escapes it and keeps the name apart from others.
pub fn utf16_name(units: impl IntoIterator<Item = u16>) -> Vec<u8> {
    let mut out = Vec::new();
    for r in char::decode_utf16(units) {
        match r {
            Ok(c) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            Err(e) => {
                let u = e.unpaired_surrogate();
                out.extend_from_slice(&[
                    0xe0 | (u >> 12) as u8,
                    0x80 | ((u >> 6) & 0x3f) as u8,
                    0x80 | (u & 0x3f) as u8,
                ]);
            }
        }
    }
    out
}

/// Who owns a byte range of a container: one of its entries, or a structure
/// of the format (a volume descriptor, a directory record, a superblock...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Owner {
    Entry(usize),
    Structure(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub offset: u64,
    pub len: u64,
    pub owner: Owner,
}

impl Region {
    pub fn structure(offset: u64, len: u64, name: impl Into<String>) -> Region {
        Region {
            offset,
            len,
            owner: Owner::Structure(name.into()),
        }
    }
}

/// Everything a reader knows about one container.
#[derive(Clone)]
pub struct Container {
    /// The format of the entries (tar for a `data.tar.xz`).
    pub format: Format,
    /// Compression layers that were removed to reach `format`, outermost first.
    pub layers: Vec<Format>,
    /// Decoded header fields, named `<structure>.<field>`.
    pub fields: Vec<Field>,
    /// Members in on-disk order.
    pub entries: Vec<Entry>,
    /// Byte ranges of `source` owned by structures or entries.
    pub regions: Vec<Region>,
    /// Problems met while reading that did not stop the listing.
    pub errors: Vec<Error>,
    /// The bytes entry data refers to (decoded bytes when `layers` is non-empty).
    pub source: Blob,
    /// Set by the SquashFS reader: decodes `Data::Squash`.
    pub squash: Option<Arc<crate::squashfs::Decoder>>,
}

impl Container {
    pub fn new(format: Format, source: Blob) -> Container {
        Container {
            format,
            layers: Vec::new(),
            fields: Vec::new(),
            entries: Vec::new(),
            regions: Vec::new(),
            errors: Vec::new(),
            source,
            squash: None,
        }
    }

    /// Adds a header field with what it means.
    pub fn field(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Value>,
        role: Role,
    ) {
        self.fields.push(Field::new(name, value, role));
    }

    /// Adds an entry, failing once `limits.max_entries` is reached.
    pub fn push(&mut self, entry: Entry, limits: &crate::Limits) -> Result<()> {
        if self.entries.len() >= limits.max_entries {
            return Err(Error::limit(
                self.format,
                entry.data.offset().unwrap_or(0),
                format!("more than {} entries", limits.max_entries),
            ));
        }
        self.entries.push(entry);
        Ok(())
    }

    /// The display name of the format chain, e.g. `tar.xz`, `cpio.gz`.
    pub fn format_name(&self) -> String {
        let mut s = self.format.name().to_string();
        for l in self.layers.iter().rev() {
            s.push('+');
            s.push_str(l.name());
        }
        s
    }

    /// Why entry `e` of this container, whose bytes are `bytes`, must not be
    /// opened: it is a view starting at this container's own first byte
    /// that reads as this container's own format, so it holds the very
    /// table that lists it (a partition at sector 0 of a disk image, or
    /// one beyond an ISO volume that starts at its first byte). Opened, it
    /// would list the container again inside itself, once a level down
    /// to the depth limit, and a table of several such views of different lengths
    /// multiplies at every level: eight GPT entries at sector 0 made
    /// 45,047 rows at depth 7 from a 2 MiB image, about 2.5 times more a
    /// level, and comparing two such disks took twice as long a level (80
    /// s at depth 8). Its bytes are still compared as bytes. The one
    /// exception is a cpio segment: the first archive of a concatenated
    /// initrd starts at 0 and is a cpio archive, but it holds only
    /// itself, so it opens as members, not as segments again.
    pub fn nests_itself(&self, e: &Entry, bytes: &[u8]) -> Option<String> {
        let at_start = matches!(&e.data, Data::Range(x) if x.offset == 0);
        (at_start && self.format != Format::Cpio && crate::detect(bytes) == Some(self.format)).then(
            || {
                format!(
                    "not opened: starts at its {} container's first byte, with that \
                     container's own header (it would nest the container in itself)",
                    self.format.name()
                )
            },
        )
    }

    /// The bytes of entry `idx`: zero-copy for a single range, decoded or
    /// gathered (bounded by `limits`) otherwise.
    pub fn read(&self, idx: usize, limits: &crate::Limits) -> Result<Blob> {
        let entry = self.entries.get(idx).ok_or_else(|| {
            Error::new(
                self.format,
                0,
                ErrorKind::Invalid(format!("no entry {idx}")),
            )
        })?;
        self.read_entry(entry, limits)
    }

    /// Whether reading `entry` decodes or gathers its bytes into memory
    /// (rather than viewing a range of `source`).
    pub fn read_holds(entry: &Entry) -> bool {
        match &entry.data {
            Data::None | Data::Range(_) => false,
            Data::Extents(list) => list.len() > 1,
            Data::Deflate(_) | Data::Squash { .. } => true,
        }
    }

    /// The bytes of `entry` handed to `f` piece by piece, decoded or
    /// gathered as [`Container::read_entry`] would, but never held whole:
    /// for a member too large for the memory budget.
    pub fn each_piece(
        &self,
        entry: &Entry,
        limits: &crate::Limits,
        f: &mut dyn FnMut(&[u8]),
    ) -> Result<()> {
        match &entry.data {
            Data::Deflate(e) => crate::zip::each_piece(&self.source, *e, entry.size, limits, f),
            Data::Squash { blocks, fragment } => match &self.squash {
                Some(d) => d.each_piece(blocks, fragment.as_ref(), entry.size, limits, f),
                None => Err(Error::invalid(
                    self.format,
                    0,
                    "SquashFS data outside a SquashFS container",
                )),
            },
            Data::Extents(list) => {
                let mut left = entry.size;
                for e in list {
                    if left == 0 {
                        break;
                    }
                    let len = e.len.min(left);
                    f(self.source.slice(e.offset, len, self.format)?.bytes());
                    left -= len;
                }
                Ok(())
            }
            _ => {
                f(self.read_entry(entry, limits)?.bytes());
                Ok(())
            }
        }
    }

    /// The bytes of a member of this container that is not (or no longer)
    /// in its listing, such as one a SquashFS walk yielded.
    pub fn read_entry(&self, entry: &Entry, limits: &crate::Limits) -> Result<Blob> {
        match &entry.data {
            Data::None => Ok(Blob::from_vec(Vec::new())),
            Data::Range(e) => self.source.slice(e.offset, e.len, self.format),
            Data::Extents(list) => {
                if entry.size > limits.max_decoded {
                    return Err(Error::limit(
                        self.format,
                        list.first().map(|e| e.offset).unwrap_or(0),
                        format!("entry of {} bytes over the read cap", entry.size),
                    ));
                }
                if let [one] = list.as_slice() {
                    let len = one.len.min(entry.size);
                    return self.source.slice(one.offset, len, self.format);
                }
                let mut out = Vec::new();
                let mut left = entry.size;
                for e in list {
                    if left == 0 {
                        break;
                    }
                    let len = e.len.min(left);
                    let part = self.source.slice(e.offset, len, self.format)?;
                    out.extend_from_slice(part.bytes());
                    left -= len;
                }
                Ok(Blob::from_vec(out))
            }
            Data::Deflate(e) => crate::zip::inflate(&self.source, *e, entry.size, limits),
            Data::Squash { blocks, fragment } => match &self.squash {
                Some(d) => d.read(blocks, fragment.as_ref(), entry.size, limits),
                None => Err(Error::invalid(
                    self.format,
                    0,
                    "SquashFS data outside a SquashFS container",
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_keep_bytes_that_are_not_utf8() {
        assert_eq!(stored_name(b"usr/bin"), ("usr/bin".to_string(), None));
        let (p, raw) = stored_name(b"a\xff/\xc3\xa9\xfe");
        assert_eq!(p, "a\\xff/\u{e9}\\xfe");
        assert_eq!(raw.as_deref(), Some(&b"a\xff/\xc3\xa9\xfe"[..]));
        // The text `a\xff` and the bytes a, 0xff display alike, and differ.
        let text = Entry::stored(br"a\xff", Kind::File);
        let bytes = Entry::stored(b"a\xff", Kind::File);
        assert_eq!(text.path, bytes.path);
        assert_ne!(text.pair_key(), bytes.pair_key());
    }

    #[test]
    fn utf16_names_keep_unpaired_surrogates_apart() {
        assert_eq!(utf16_name([0x61, 0xe9]), "a\u{e9}".as_bytes());
        let d800 = stored_name(&utf16_name([0x61, 0xd800]));
        let dc00 = stored_name(&utf16_name([0x61, 0xdc00]));
        assert_eq!(d800.0, "a\\xed\\xa0\\x80");
        assert_ne!(d800, dc00);
        assert!(d800.1.is_some());
    }
}
