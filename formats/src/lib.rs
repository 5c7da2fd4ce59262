//! reprodiff-formats: zero-copy, bounded readers for every container found in
//! a live image (ISO9660, SquashFS, cpio, ar/.deb, tar, FAT, MBR/GPT disks)
//! and the compressed streams around them.
//!
//! This crate is the first stage of the flow bytes → formats → engine →
//! report → presenters. Given a [`Blob`], [`detect`] names its format by magic
//! bytes and [`open`] lists its members as a [`Container`]: entries with
//! metadata and the location of their bytes, header fields, and a map of
//! structures. Nothing here knows about comparing; every reader treats its
//! input as hostile and returns an [`Error`] instead of panicking.

// No reader may unwrap, expect or panic on image bytes; tests may
// (clippy.toml allows unwrap and expect in tests).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod ar;
pub mod beam;
pub mod blob;
pub(crate) mod bytes;
pub mod cpio;
pub mod disk;
pub mod elf;
pub mod error;
pub mod fat;
pub mod iso9660;
mod magic;
pub mod model;
pub mod partition;
pub mod pe;
pub mod png;
pub mod squashfs;
pub mod stream;
pub mod tar;
pub mod zip;

use std::fmt;

use serde::Serialize;

pub use blob::Blob;
pub use error::{Error, ErrorKind, Result};
pub use magic::{detect, stream_codec};
pub use model::{
    Container, Data, Entry, Extent, Field, Kind, Meta, Owner, Region, Role, SquashBlock,
    SquashFragment, Time, Value, Zone,
};

/// Every format reprodiff recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Iso9660,
    SquashFs,
    Cpio,
    Ar,
    Tar,
    Zip,
    Fat,
    /// A raw disk image with an MBR or GPT partition table at offset 0.
    Disk,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
    Lz4,
    Elf,
    /// A PE/COFF image: a UEFI application or driver, a Windows binary.
    Pe,
    /// A PNG image: read chunk by chunk and decoded by `png`, never opened.
    Png,
    /// An Erlang BEAM module: read chunk by chunk, never opened.
    Beam,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Iso9660 => "iso9660",
            Format::SquashFs => "squashfs",
            Format::Cpio => "cpio",
            Format::Ar => "ar",
            Format::Tar => "tar",
            Format::Zip => "zip",
            Format::Fat => "fat",
            Format::Disk => "disk",
            Format::Gzip => "gzip",
            Format::Xz => "xz",
            Format::Zstd => "zstd",
            Format::Bzip2 => "bzip2",
            Format::Lz4 => "lz4",
            Format::Elf => "elf",
            Format::Pe => "pe",
            Format::Png => "png",
            Format::Beam => "beam",
        }
    }

    /// Compressed single-stream formats: decoded, then detected again.
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            Format::Gzip | Format::Xz | Format::Zstd | Format::Bzip2 | Format::Lz4
        )
    }

    /// Formats with members that [`open`] can list.
    pub fn is_container(self) -> bool {
        !matches!(self, Format::Elf | Format::Pe | Format::Png | Format::Beam)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Bounds on every parse: a violation is an error, never a crash or a hang.
#[derive(Debug, Clone)]
pub struct Limits {
    /// How many containers deep to descend.
    pub max_depth: usize,
    /// Entries in one container.
    pub max_entries: usize,
    /// Absolute cap on one decoded stream or gathered entry, in bytes.
    pub max_decoded: u64,
    /// Cap on decoded/compressed size ratio, applied above `ratio_floor`.
    pub max_ratio: u64,
    /// Decoded sizes below this are always allowed whatever the ratio.
    pub ratio_floor: u64,
    /// Decode compressed streams whose content is not itself a container
    /// (the engine does, to compare `changelog.gz` contents; `ls` does not).
    pub open_leaf_streams: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 16,
            max_entries: 4_000_000,
            max_decoded: 4 << 30,
            max_ratio: 2000,
            ratio_floor: 256 << 20,
            open_leaf_streams: false,
        }
    }
}

impl Limits {
    /// The largest decoded size allowed for `compressed` input bytes.
    pub fn decoded_cap(&self, compressed: u64) -> u64 {
        compressed
            .saturating_mul(self.max_ratio)
            .max(self.ratio_floor)
            .min(self.max_decoded)
    }
}

/// Opens `blob` as a container, by detection. `Ok(None)` when it is not a
/// container (unknown bytes, ELF, PE, or a compressed stream of something that is
/// not a container while `limits.open_leaf_streams` is off).
///
/// Compressed streams are transparent: a `data.tar.xz` opens as a tar
/// container with `layers == [Xz]` and the xz header fields, so addresses go
/// straight from the `.tar.xz` to its members.
pub fn open(blob: &Blob, limits: &Limits) -> Result<Option<Container>> {
    let Some(format) = detect(blob.bytes()) else {
        return Ok(None);
    };
    open_as(blob, format, limits)
}

/// Like [`open`], with the format already known.
pub fn open_as(blob: &Blob, format: Format, limits: &Limits) -> Result<Option<Container>> {
    let c = match format {
        Format::Iso9660 => iso9660::open(blob, limits)?,
        Format::SquashFs => squashfs::open(blob, limits)?,
        Format::Cpio => cpio::open(blob, limits)?,
        Format::Ar => ar::open(blob, limits)?,
        Format::Tar => tar::open(blob, limits)?,
        Format::Zip => zip::open(blob, limits)?,
        Format::Fat => fat::open(blob, limits)?,
        Format::Disk => disk::open(blob, limits)?,
        Format::Gzip | Format::Xz | Format::Zstd | Format::Bzip2 | Format::Lz4 => {
            return open_stream(blob, format, limits);
        }
        Format::Elf | Format::Pe | Format::Png | Format::Beam => return Ok(None),
    };
    // Listings of big images live as long as their comparison: no growth slack.
    let mut c = c;
    c.entries.shrink_to_fit();
    c.regions.shrink_to_fit();
    // A Vec's first push reserves room for four: 192 bytes for one Field,
    // which on a 100k-entry SquashFS is 19 MiB of nothing.
    for e in &mut c.entries {
        e.meta.extra.shrink_to_fit();
        e.meta.xattrs.shrink_to_fit();
    }
    Ok(Some(c))
}

/// How many decoded bytes are enough to detect the inner format (tar's magic
/// is at 257, ISO's at 0x8001): what a reader peeks at before deciding to
/// decode a stream whole, here and in `ls`.
pub const PEEK: usize = 0x8800;

fn open_stream(blob: &Blob, codec: Format, limits: &Limits) -> Result<Option<Container>> {
    // Whether to decode depends on what the stream holds only when leaf
    // streams are not opened; otherwise peeking first would decode its
    // start twice (a third of the xz time of a small `.deb` pair).
    if !limits.open_leaf_streams {
        let head = stream::peek(blob, codec, PEEK)?;
        if !detect(&head).is_some_and(|f| f.is_container()) {
            return Ok(None);
        }
    }
    let decoded = stream::decode(blob, codec, limits)?;
    open_decoded(blob, codec, decoded, limits)
}

/// Opens the compressed stream `blob` (of `codec`) from its bytes already
/// decoded, as [`open`] would after decoding them: as the container they
/// are (with the codec as its outer layer and the stream's header fields
/// first), or as one member, the decoded bytes, when they are no
/// container. For a caller that decoded the stream for another reason
/// (`ls` reading an archive's members as it decodes, until it turns out to
/// fit in memory).
pub fn open_decoded(
    blob: &Blob,
    codec: Format,
    decoded: Blob,
    limits: &Limits,
) -> Result<Option<Container>> {
    let head = decoded.bytes();
    let inner = detect(head.get(..PEEK).unwrap_or(head)).filter(|f| f.is_container());
    let fields = stream::header_fields(blob, codec);
    if let Some(f) = inner {
        if let Some(mut c) = open_as(&decoded, f, limits)? {
            c.layers.insert(0, codec);
            let mut all = fields;
            all.append(&mut c.fields);
            c.fields = all;
            return Ok(Some(c));
        }
    }
    // A stream of something that is not a container: one member, the decoded bytes.
    let mut c = Container::new(codec, decoded.clone());
    c.fields = fields;
    let mut e = Entry::new(stream::member_name(blob, codec), Kind::File);
    e.size = decoded.len();
    e.data = Data::Range(Extent {
        offset: 0,
        len: decoded.len(),
    });
    c.push(e, limits)?;
    Ok(Some(c))
}
