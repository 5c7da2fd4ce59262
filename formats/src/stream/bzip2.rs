//! bzip2: one stream's decoding, and its block size from the header.
//!
//! Part of formats/ (bytes → formats → engine → report), under
//! [`super`], which runs the streams of a file one after another.

use super::{pump, read_member, Sink};
use crate::{Field, Format, Result, Role};

/// Decodes the bzip2 stream at `pos`.
pub(super) fn member(data: &[u8], pos: usize, sink: &mut Sink) -> Result<(usize, bool)> {
    read_member(data, pos, sink, |rest, sink| {
        let mut d = ::bzip2::bufread::BzDecoder::new(rest);
        pump(&mut d, Format::Bzip2, pos as u64, sink)
    })
}

pub(super) fn fields(b: &[u8], f: &mut Vec<Field>) {
    if let Some(&d @ b'1'..=b'9') = b.get(3) {
        let n = d - b'0';
        f.push(Field::new(
            "bzip2.block_size",
            format!("{n} ({n}00k)"),
            Role::Packing,
        ));
    }
}
