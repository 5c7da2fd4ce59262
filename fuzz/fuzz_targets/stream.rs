//! Fuzzes the compressed-stream decoders (every codec on the same bytes) and
//! their header parsers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff_formats::{stream, Blob, Format};

fuzz_target!(|data: &[u8]| {
    let limits = reprodiff_fuzz::limits();
    let blob = Blob::from_vec(data.to_vec());
    for codec in [
        Format::Gzip,
        Format::Xz,
        Format::Zstd,
        Format::Bzip2,
        Format::Lz4,
    ] {
        let _ = stream::header_fields(&blob, codec);
        let _ = stream::peek(&blob, codec, 0x8800);
        let _ = stream::decode(&blob, codec, &limits);
    }
});
