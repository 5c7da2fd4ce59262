//! Fuzzes the BEAM chunk reader and the Erlang leaf diagnosis: read the
//! bytes as a module, then explain them against a copy whose last byte
//! differs, so chunk pairing and the compile-information term scan see
//! hostile input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff::report::{Node, Status};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = reprodiff_formats::beam::read(data) {
        let _ = m.compiler_version();
    }
    let mut other = data.to_vec();
    if let Some(last) = other.last_mut() {
        *last ^= 1;
    }
    let mut node = Node::new("x.beam", Status::Modified);
    reprodiff::explain_leaf("x.beam", data, &other, &mut node);
});
