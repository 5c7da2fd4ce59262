//! Fuzzes the PE reader and the PE leaf diagnosis: parse the bytes, then
//! explain them against a copy whose last byte differs (both sides then
//! read as PE whenever one does), so the pairing of sections, the masked
//! header comparison and the certificate-table walk all see hostile input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff::report::{Node, Status};

fuzz_target!(|data: &[u8]| {
    let _ = reprodiff_formats::pe::parse(data);
    let mut other = data.to_vec();
    if let Some(last) = other.last_mut() {
        *last ^= 1;
    }
    let mut node = Node::new("x", Status::Modified);
    reprodiff::explain_leaf("x", data, &other, &mut node);
});
