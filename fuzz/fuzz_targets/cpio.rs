//! Fuzzes the cpio reader alone: open, then read every entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff_formats::{Blob, Format, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_decoded: 64 << 20,
        ratio_floor: 16 << 20,
        ..Limits::default()
    };
    let blob = Blob::from_vec(data.to_vec());
    if let Ok(Some(c)) = reprodiff_formats::open_as(&blob, Format::Cpio, &limits) {
        for i in 0..c.entries.len() {
            let _ = c.read(i, &limits);
        }
    }
});
