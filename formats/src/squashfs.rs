//! SquashFS reader: superblock fields, every inode type, xattrs, and per-file
//! raw block lists so the engine can compare compressed blocks without
//! decoding them.
//!
//! Part of formats/ (bytes → formats → engine → report).

use crate::{
    Blob, Container, Error, ErrorKind, Format, Limits, Result, SquashBlock, SquashFragment,
};

/// Decodes SquashFS file data (blocks and fragments) of one image.
#[derive(Debug)]
pub struct Decoder {}

impl Decoder {
    /// Decodes a file of `size` bytes from its blocks and fragment tail.
    pub fn read(
        &self,
        _blocks: &[SquashBlock],
        _fragment: Option<&SquashFragment>,
        _size: u64,
        _limits: &Limits,
    ) -> Result<Blob> {
        Err(Error::new(
            Format::SquashFs,
            0,
            ErrorKind::Unsupported("reader not written yet".into()),
        ))
    }
}

/// Lists the members of a SquashFS image.
pub fn open(_blob: &Blob, _limits: &Limits) -> Result<Container> {
    Err(Error::new(
        Format::SquashFs,
        0,
        ErrorKind::Unsupported("reader not written yet".into()),
    ))
}
