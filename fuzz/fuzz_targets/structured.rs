//! Fuzzes the structured-data diagnosis: the input, split at its first NUL
//! into two documents (or compared with a copy whose last byte differs),
//! is explained as a JSON, a YAML and a deb822 file, a build manifest and a
//! package list in turn, as a text leaf, so parsing, key pairing, the
//! package sets and the finding cap see hostile input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff::report::{Diff, Node, Status};

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&c| c == 0) {
        Some(i) => (data[..i].to_vec(), data[i + 1..].to_vec()),
        None => {
            let mut b = data.to_vec();
            if let Some(last) = b.last_mut() {
                *last ^= 1;
            }
            (data.to_vec(), b)
        }
    };
    for name in [
        "x.json",
        "x.yml",
        "x.buildinfo",
        "control.yml",
        "tails.build-manifest",
        "tails.packages",
    ] {
        let mut node = Node::new(name, Status::Modified);
        node.diff = Some(Diff::Text {
            hunks: Vec::new(),
            truncated: false,
            fallback: None,
        });
        reprodiff::explain_leaf(name, &a, &b, &mut node);
    }
});
