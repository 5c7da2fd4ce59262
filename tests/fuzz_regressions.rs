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

/// The `walk` target's timeouts, and a slow input of the `disk` target's
/// of the same kind: a disk whose partition 1 starts at sector 0, so that
/// each opened view was the disk again, listed sixteen levels deep (42,450
/// rows from 237 KB, 13 s an execution beside a busy machine; 9,554 rows
/// from 55 KB). Such a view is now listed and compared, not opened.
#[test]
fn walk_inputs_do_not_nest_in_themselves() {
    use reprodiff::walk::{walk_blob, WalkOptions};
    let found = inputs("walk");
    assert!(!found.is_empty(), "the walk regression inputs are there");
    for (name, bytes) in &found {
        let tree = walk_blob(&Blob::from_vec(bytes.clone()), &WalkOptions::default());
        let mut deepest = 0;
        tree.visit(&mut |n| deepest = deepest.max(n.address.matches("::").count()));
        assert!(deepest < 2, "{name}: nested {deepest} levels");
        assert!(tree.count() < 1000, "{name}: {} nodes", tree.count());
        assert!(
            tree.children.iter().any(|n| n
                .error
                .as_deref()
                .is_some_and(|e| e.contains("nest the container in itself"))),
            "{name}: no view was turned away"
        );
        // Against a copy with one byte changed in the middle.
        let mut other = bytes.clone();
        let mid = other.len() / 2;
        other[mid] ^= 0xff;
        let r = compare_blobs(
            "a.img",
            &Blob::from_vec(bytes.clone()),
            "b.img",
            &Blob::from_vec(other),
            &Options::default(),
        );
        assert_eq!(r.tree.status, Status::Modified, "{name}");
        let mut deepest = 0;
        r.tree
            .visit(&mut |n| deepest = deepest.max(n.address.matches("::").count()));
        assert!(deepest < 2, "{name}: compared {deepest} levels deep");
    }
}
