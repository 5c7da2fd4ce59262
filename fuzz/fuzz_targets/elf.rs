//! ELF over arbitrary bytes: the section, symbol and note reader
//! (`formats::elf`) and the diagnosis of two differing ELF files (sections
//! paired, build-id notes and debug links decoded, functions paired by
//! name, `.rodata` strings masked), as the engine hands a differing leaf
//! over. The input is split where a second ELF magic starts (the seeds are
//! pairs of compiled fixtures, one after the other) or, without one,
//! compared with a copy whose last byte differs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff::report::{Node, Status};

const MAGIC: &[u8] = b"\x7fELF";

fuzz_target!(|data: &[u8]| {
    let second = data
        .windows(MAGIC.len())
        .skip(1)
        .position(|w| w == MAGIC)
        .map(|i| i + 1);
    let (a, b) = match second {
        Some(at) => (data[..at].to_vec(), data[at..].to_vec()),
        None => {
            let mut b = data.to_vec();
            if let Some(last) = b.last_mut() {
                *last ^= 1;
            }
            (data.to_vec(), b)
        }
    };
    let _ = reprodiff_formats::elf::parse(&a);
    let _ = reprodiff_formats::elf::parse(&b);
    let mut node = Node::new("x", Status::Modified);
    reprodiff::explain_leaf("x", &a, &b, &mut node);
});
