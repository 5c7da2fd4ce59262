//! FAT12/16/32 reader.
//!
//! Part of formats/ (bytes → formats → engine → report): lists members as a
//! [`Container`] with their byte ranges, never panicking on hostile bytes.

use crate::{Blob, Container, Error, ErrorKind, Format, Limits, Result};

/// Lists the members of a Fat image.
pub fn open(_blob: &Blob, _limits: &Limits) -> Result<Container> {
    Err(Error::new(
        Format::Fat,
        0,
        ErrorKind::Unsupported("reader not written yet".into()),
    ))
}

/// True when `b` starts with a plausible FAT boot sector.
pub fn looks_like_fat(_b: &[u8]) -> bool {
    false
}
