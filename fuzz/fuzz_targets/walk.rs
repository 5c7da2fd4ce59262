//! Detect and recurse: the whole walker over arbitrary bytes, descending into
//! every nested container (SquashFS file data included) and reading members.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff::walk::{walk_blob, WalkOptions};
use reprodiff_formats::{Blob, Limits};

fuzz_target!(|data: &[u8]| {
    let opts = WalkOptions {
        limits: Limits {
            open_leaf_streams: true,
            ..reprodiff_fuzz::limits()
        },
        descend_squashfs_files: true,
    };
    let _ = walk_blob(&Blob::from_vec(data.to_vec()), &opts);
});
