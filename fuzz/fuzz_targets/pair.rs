//! Two images compared: the engine over a pair of arbitrary inputs, with
//! a memory budget small enough that compressed pairs go through the
//! streamed comparisons (tar members as both decode), and SquashFS pairs
//! walked side by side. The input is split in two where its first four
//! bytes say (little-endian, modulo the rest's length); the top bit of
//! the fourth takes the budget down to 4 KiB, so that even small tar and
//! cpio pairs are compared member by member (renames, hard links); the
//! next bit holds no pair of streams both at once for being small, so
//! that tars within the budget are read member by member as both decode
//! (the region map gathered as they stream, members held whole).
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff::engine::Options;
use reprodiff_formats::{Blob, Limits};

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let at = u32::from_le_bytes(*head) as usize % (rest.len() + 1);
    let (a, b) = rest.split_at(at);
    let opts = Options {
        limits: Limits {
            open_leaf_streams: true,
            ..reprodiff_fuzz::limits()
        },
        max_memory: if head[3] & 0x80 != 0 { 4 << 10 } else { 256 << 10 },
        max_streamed: 64 << 20,
        evict_min: if head[3] & 0x40 != 0 {
            0
        } else {
            Options::default().evict_min
        },
        ..Options::default()
    };
    let (a, b) = (Blob::from_vec(a.to_vec()), Blob::from_vec(b.to_vec()));
    let _ = reprodiff::compare_blobs("a", &a, "b", &b, &opts);
});
