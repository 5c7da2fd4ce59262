//! Fuzzes the PNG chunk reader, its text and time decoders and the bounded
//! pixel decoding, then the whole PNG leaf explanation on two images: the
//! input is side a up to a second PNG signature and side b from it (seed
//! it with fixture pairs concatenated: `cat testdata/png/dated-a.png
//! testdata/png/dated-b.png`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff::report::{Node, Status};
use reprodiff_formats::png;

fn read_all(data: &[u8]) {
    if let Ok(p) = png::read(data) {
        let _ = p.header();
        for c in &p.chunks {
            let d = p.data(c);
            let _ = png::text(&c.kind, d, 1 << 16);
            let _ = png::time(d);
        }
    }
    let _ = png::decode(data, 16 << 20);
}

fuzz_target!(|data: &[u8]| {
    let second = data
        .windows(png::SIGNATURE.len())
        .skip(1)
        .position(|w| w == png::SIGNATURE)
        .map(|i| i + 1);
    let (a, b) = match second {
        Some(at) => data.split_at(at),
        None => (data, &b""[..]),
    };
    read_all(a);
    read_all(b);
    let mut node = Node::new("x.png", Status::Modified);
    reprodiff::explain_leaf("x.png", a, b, &mut node);
});
