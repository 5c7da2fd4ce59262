//! Detect and recurse: the whole walker over arbitrary bytes, descending into
//! every nested container (SquashFS file data included) and reading members,
//! and the streaming walk `ls` uses, under a small memory budget.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff::walk::{stream, walk_blob, WalkOptions};
use reprodiff_formats::{Blob, Limits};

fuzz_target!(|data: &[u8]| {
    let opts = WalkOptions {
        limits: Limits {
            open_leaf_streams: true,
            ..reprodiff_fuzz::limits()
        },
        descend_squashfs_files: true,
        ..WalkOptions::default()
    };
    let blob = Blob::from_vec(data.to_vec());
    let _ = walk_blob(&blob, &opts);
    // As `ls` lists, under a budget small enough that compressed tar and
    // cpio archives are listed as they decode.
    let ls = WalkOptions {
        max_memory: 64 << 10,
        ..opts
    };
    let _ = stream(&blob, &ls, &mut |_| Ok(()));
});
