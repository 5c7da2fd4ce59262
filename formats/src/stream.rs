//! Compressed streams (gzip, xz, zstd, bzip2, lz4 legacy and frame): bounded
//! decoding and the header fields that explain "same content, different
//! bytes" (gzip MTIME, FNAME, OS; xz check type; ...).
//!
//! Part of formats/ (bytes → formats → engine → report). `lib.rs` makes
//! streams transparent: a `.tar.xz` opens as tar with an xz layer.

use crate::{Blob, Error, ErrorKind, Field, Format, Limits, Result};

/// Decodes up to `max` bytes from the start of the stream (for detection).
pub fn peek(_blob: &Blob, codec: Format, _max: usize) -> Result<Vec<u8>> {
    Err(Error::new(
        codec,
        0,
        ErrorKind::Unsupported("reader not written yet".into()),
    ))
}

/// Decodes the whole stream (all concatenated members), bounded by
/// `limits.decoded_cap(compressed size)`.
pub fn decode(_blob: &Blob, codec: Format, _limits: &Limits) -> Result<Blob> {
    Err(Error::new(
        codec,
        0,
        ErrorKind::Unsupported("reader not written yet".into()),
    ))
}

/// Header fields of the stream, named `gzip.mtime`, `gzip.name`, ...
pub fn header_fields(_blob: &Blob, _codec: Format) -> Vec<Field> {
    Vec::new()
}

/// Name of the single member of a stream whose content is not a container.
/// Fixed, so that a changed gzip FNAME does not change addresses.
pub fn member_name(_blob: &Blob, _codec: Format) -> String {
    "<content>".to_string()
}
