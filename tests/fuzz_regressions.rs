//! Inputs the fuzz campaign found a panic, hang or out-of-memory with,
//! kept under testdata/fuzz/<target>/ once fixed: each is run through what
//! its target runs, and through the whole engine against a fixture of its
//! format, and must give errors, never a panic. Fuzz builds skip the PNG
//! decoder's CRC checks, so a PNG input is kept with its CRCs made right:
//! as found, a normal build would refuse it before reaching the bug.

use std::path::{Path, PathBuf};

use reprodiff::compare_blobs;
use reprodiff::engine::Options;
use reprodiff::report::{Node, Status};
use reprodiff_formats::{png, Blob};

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

/// The regression inputs of one target.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(testdata(&format!("fuzz/{target}")))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    (name, std::fs::read(e.path()).expect("readable"))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// A PLTE of 38 bytes (not a multiple of three) in an indexed image made
/// the decoder underneath index past the palette; it is refused first.
#[test]
fn png_inputs_are_errors() {
    let found = inputs("png");
    assert!(!found.is_empty(), "the PNG regression inputs are there");
    let good = std::fs::read(testdata("png/icon-convert.png")).expect("fixture");
    for (name, bytes) in &found {
        let p = png::read(bytes).expect("the chunks read");
        for c in &p.chunks {
            let _ = png::text(&c.kind, p.data(c), 1 << 16);
            let _ = png::time(p.data(c));
        }
        let e = png::decode(bytes, 16 << 20).expect_err(name);
        assert!(e.to_string().contains("PLTE"), "{name}: {e}");
        let mut node = Node::new("x.png", Status::Modified);
        reprodiff::explain_leaf("x.png", bytes, &good, &mut node);
        let r = compare_blobs(
            "a.png",
            &Blob::from_vec(bytes.clone()),
            "b.png",
            &Blob::from_vec(good.clone()),
            &Options::default(),
        );
        assert_eq!(r.tree.status, Status::Modified, "{name}");
    }
}
