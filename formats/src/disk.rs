//! Raw disk images: partitions of an MBR or GPT table at offset 0.
//!
//! Part of formats/ (bytes → formats → engine → report): lists members as a
//! [`Container`] with their byte ranges, never panicking on hostile bytes.

use crate::{Blob, Container, Error, ErrorKind, Format, Limits, Result};

/// Lists the members of a Disk image.
pub fn open(_blob: &Blob, _limits: &Limits) -> Result<Container> {
    Err(Error::new(
        Format::Disk,
        0,
        ErrorKind::Unsupported("reader not written yet".into()),
    ))
}

/// True when `b` starts with an MBR (0x55AA, sane partition entries) or a
/// protective MBR followed by a GPT header.
pub fn looks_like_disk(_b: &[u8]) -> bool {
    false
}
