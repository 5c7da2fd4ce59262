//! Format detection: one table of magic bytes at fixed offsets, and the
//! few formats that no plain magic names (an empty zip, FAT, a partitioned
//! disk, a PE image) in one match after it.
//!
//! Part of formats/ (bytes → formats → engine → diagnosis → report →
//! presenters): [`detect`] decides which reader opens a blob, and the
//! readers and the stream decoder check their own magic with [`is`] against
//! the same table, so the two cannot disagree.

use crate::{disk, fat, pe, zip, Format};

/// Every magic that names a format on its own: (format, offset, bytes), in
/// the order tried; the first match wins.
const MAGICS: &[(Format, usize, &[u8])] = &[
    // ISO first: an isohybrid ISO also carries an MBR at offset 0.
    (Format::Iso9660, 0x8001, b"CD001"),
    (Format::SquashFs, 0, b"hsqs"),
    // newc, newc with checksums, odc.
    (Format::Cpio, 0, b"070701"),
    (Format::Cpio, 0, b"070702"),
    (Format::Cpio, 0, b"070707"),
    // Binary (old) cpio, either byte order.
    (Format::Cpio, 0, &[0xc7, 0x71]),
    (Format::Cpio, 0, &[0x71, 0xc7]),
    (Format::Ar, 0, b"!<arch>\n"),
    (Format::Gzip, 0, &[0x1f, 0x8b]),
    (Format::Xz, 0, &[0xfd, b'7', b'z', b'X', b'Z', 0x00]),
    (Format::Zstd, 0, &[0x28, 0xb5, 0x2f, 0xfd]),
    // "BZh" and the block size in hundreds of kB, 1 to 9.
    (Format::Bzip2, 0, b"BZh1"),
    (Format::Bzip2, 0, b"BZh2"),
    (Format::Bzip2, 0, b"BZh3"),
    (Format::Bzip2, 0, b"BZh4"),
    (Format::Bzip2, 0, b"BZh5"),
    (Format::Bzip2, 0, b"BZh6"),
    (Format::Bzip2, 0, b"BZh7"),
    (Format::Bzip2, 0, b"BZh8"),
    (Format::Bzip2, 0, b"BZh9"),
    // lz4 frame, then the legacy format (`lz4 -l`, the kernel's).
    (Format::Lz4, 0, &[0x04, 0x22, 0x4d, 0x18]),
    (Format::Lz4, 0, &[0x02, 0x21, 0x4c, 0x18]),
    (Format::Elf, 0, b"\x7fELF"),
    (Format::Png, 0, crate::png::SIGNATURE),
    // A first local file header; an empty zip is only an end record.
    (Format::Zip, 0, b"PK\x03\x04"),
    (Format::Tar, 257, b"ustar"),
];

fn has(b: &[u8], at: usize, magic: &[u8]) -> bool {
    b.get(at..).is_some_and(|rest| rest.starts_with(magic))
}

/// True when `b` carries a magic of `format` from the table (a stream
/// member's start, a reader's own check of what it was handed).
pub(crate) fn is(format: Format, b: &[u8]) -> bool {
    MAGICS
        .iter()
        .any(|&(f, at, magic)| f == format && has(b, at, magic))
}

/// The compressed stream (zstd, xz, gzip, bzip2) whose magic starts `b`,
/// from the same table, without trying the other formats: the question a
/// caller asks at every offset of a header, where a whole [`detect`]
/// would also look for an ISO 32 KiB on or a FAT boot sector.
pub fn stream_codec(b: &[u8]) -> Option<Format> {
    [Format::Zstd, Format::Xz, Format::Gzip, Format::Bzip2]
        .into_iter()
        .find(|&f| is(f, b))
}

/// Names the format of `b` from its magic bytes alone.
pub fn detect(b: &[u8]) -> Option<Format> {
    let magic = MAGICS.iter().find(|&&(_, at, magic)| has(b, at, magic));
    match magic {
        Some(&(format, _, _)) => Some(format),
        None if zip::is_empty_archive(b) => Some(Format::Zip),
        None if fat::looks_like_fat(b) => Some(Format::Fat),
        None if disk::looks_like_disk(b) => Some(Format::Disk),
        // `MZ` alone also starts DOS programs and boot code: a PE image is
        // the `PE\0\0` its DOS header points at. Last, so an MBR whose boot
        // code happens to start with `MZ` stays a disk.
        None if pe::is_pe(b) => Some(Format::Pe),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_name_their_format() {
        let at = |format: Format, offset: usize, magic: &[u8]| {
            let mut b = vec![0u8; offset + magic.len() + 600];
            b[offset..offset + magic.len()].copy_from_slice(magic);
            detect(&b) == Some(format) && is(format, &b)
        };
        for &(format, offset, magic) in MAGICS {
            assert!(at(format, offset, magic), "{format} at {offset}");
        }
        assert!(!is(Format::Gzip, b"BZh9"));
        assert_eq!(stream_codec(b"BZh9"), Some(Format::Bzip2));
        assert_eq!(
            stream_codec(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Some(Format::Zstd)
        );
        assert_eq!(stream_codec(b"\x7fELF"), None);
        assert_eq!(stream_codec(&[0x04, 0x22, 0x4d, 0x18]), None);
        assert!(!is(Format::Bzip2, b"BZh0"));
        assert_eq!(detect(b"BZh0"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn a_pe_image_is_its_dos_header_pointing_at_pe() {
        let mut b = vec![0u8; 0x80];
        b[..2].copy_from_slice(b"MZ");
        b[0x3c] = 0x40;
        assert_eq!(detect(&b), None);
        b[0x40..0x44].copy_from_slice(b"PE\0\0");
        assert_eq!(detect(&b), Some(Format::Pe));
        b[0x3c] = 0xff;
        assert_eq!(detect(&b), None);
    }

    #[test]
    fn an_empty_zip_needs_its_whole_end_record() {
        let mut b = b"PK\x05\x06".to_vec();
        assert_eq!(detect(&b), None);
        b.resize(22, 0);
        assert_eq!(detect(&b), Some(Format::Zip));
    }
}
