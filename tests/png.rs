//! PNG images through the whole comparison: the fixture pairs of
//! testdata/png/ (built by testdata/gen/png.sh with ImageMagick, optipng,
//! pngcrush and Pillow) as files and as members of an archive, with the
//! causes and groups a reader of the report sees.

mod common;

use std::path::{Path, PathBuf};

use common::{file, newc};
use reprodiff::engine::Options;
use reprodiff::report::{Cause, Group};
use reprodiff::{compare_blobs, compare_files};
use reprodiff_formats::Blob;

fn png(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/png")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(png(name)).expect("fixture readable")
}

/// An icon optimised by optipng against ImageMagick's original: one
/// compression-metadata cause, the group naming the re-encoded chunks.
#[test]
fn recompressed_icon_is_compression_metadata() {
    let r = compare_files(
        &png("icon-convert.png"),
        &png("icon-optipng.png"),
        &Options::default(),
    )
    .expect("compared");
    assert_eq!(r.tree.causes, [Cause::CompressionMetadata]);
    assert_eq!(r.groups.len(), 1, "{:?}", r.groups);
    assert_eq!(
        r.groups[0].shape,
        "encoding or metadata differs, decoded content identical: png.pixels, png.chunk.IHDR, \
         png.chunk.PLTE, png.chunk.tRNS, png.chunk.IDAT, png.chunk.bKGD"
    );
}

fn group(groups: &[Group], cause: Cause) -> Vec<&Group> {
    groups.iter().filter(|g| g.cause == cause).collect()
}

/// Icons and pixmaps of a package built twice, as in a Debian rebuild:
/// two re-encoded images group as one cause, an image stamped with the
/// build's clock as another, and an image whose pixels changed stays
/// content, never compression-metadata.
#[test]
fn icons_of_two_builds_group_by_cause() {
    let (ga, gb) = (read("gradient-pil1.png"), read("gradient-pil9.png"));
    let (ca, cb) = (read("gradient-convert.png"), read("gradient-pngcrush.png"));
    let (da, db) = (read("dated-a.png"), read("dated-b.png"));
    let (pa, pb) = (read("pixels-a.png"), read("pixels-b.png"));
    let side = |g: &[u8], c: &[u8], d: &[u8], p: &[u8]| {
        Blob::from_vec(newc(&[
            file("usr/share/icons/hicolor/32x32/apps/foo.png", 1, g),
            file("usr/share/foo/pixmaps/bar.png", 2, c),
            file("usr/share/icons/hicolor/32x32/apps/baz.png", 3, d),
            file("usr/share/doc/foo/screen.png", 4, p),
        ]))
    };
    let a = side(&ga, &ca, &da, &pa);
    let b = side(&gb, &cb, &db, &pb);
    let r = compare_blobs("a.cpio", &a, "b.cpio", &b, &Options::default());

    let meta = group(&r.groups, Cause::CompressionMetadata);
    assert_eq!(meta.len(), 1, "{:?}", r.groups);
    assert_eq!(
        meta[0].shape,
        "encoding or metadata differs, decoded content identical: png.pixels, png.chunk.IDAT"
    );
    assert_eq!(
        meta[0].addresses,
        [
            "usr/share/foo/pixmaps/bar.png",
            "usr/share/icons/hicolor/32x32/apps/foo.png"
        ]
    );

    let dates = group(&r.groups, Cause::EmbeddedTimestamp);
    assert_eq!(dates.len(), 1, "{:?}", r.groups);
    assert_eq!(
        dates[0].shape,
        "date/time string replaced in content: moved by +1d 1h"
    );
    assert_eq!(
        dates[0].addresses,
        ["usr/share/icons/hicolor/32x32/apps/baz.png"]
    );

    let content = group(&r.groups, Cause::Content);
    assert_eq!(content.len(), 1, "{:?}", r.groups);
    assert_eq!(content[0].addresses, ["usr/share/doc/foo/screen.png"]);

    let mut leaves = Vec::new();
    r.tree.visit(&mut |n| {
        if n.address.ends_with(".png") {
            leaves.push((n.address.clone(), n.causes.clone()));
        }
    });
    leaves.sort();
    assert_eq!(
        leaves,
        [
            (
                "usr/share/doc/foo/screen.png".to_string(),
                vec![Cause::Content]
            ),
            (
                "usr/share/foo/pixmaps/bar.png".to_string(),
                vec![Cause::CompressionMetadata]
            ),
            (
                "usr/share/icons/hicolor/32x32/apps/baz.png".to_string(),
                vec![Cause::EmbeddedTimestamp]
            ),
            (
                "usr/share/icons/hicolor/32x32/apps/foo.png".to_string(),
                vec![Cause::CompressionMetadata]
            ),
        ]
    );
}

/// A PNG whose header claims 100000x100000 pixels against a real one:
/// compared from its bytes at once, with no PNG claim and no cause but
/// content.
#[test]
fn a_png_claiming_ten_billion_pixels_is_not_decoded() {
    let a = read("icon-convert.png");
    let mut b = a.clone();
    b[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    b[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&b[12..29]);
    b[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    let start = std::time::Instant::now();
    let r = compare_blobs(
        "a.png",
        &Blob::from_vec(a),
        "b.png",
        &Blob::from_vec(b),
        &Options::default(),
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    assert!(r.tree.changes.iter().all(|c| !c.field.starts_with("png.")));
    assert_eq!(r.tree.causes, [Cause::Content]);
}

/// A doxygen tree of a real rebuild pair's shape (libprotozero-doc:
/// doxygen 1.9.8 in trixie, 1.9.4 in its bookworm backport, whose graphs
/// and class diagrams come out with other pixels from the same sources):
/// the images doxygen draws (an include graph, the class hierarchy, a
/// class diagram beside its page) follow the version the pages name
/// (`<meta name="generator" content="Doxygen 1.9.8"/>`); a
/// screenshot in the same tree, a class-named picture without its page
/// and a graph-named picture outside the tree keep `content`.
#[test]
fn images_doxygen_drew_follow_its_version() {
    let page = |v: &str, title: &str| {
        format!(
            "<html>\n<head>\n<meta name=\"generator\" content=\"Doxygen {v}\"/>\n\
             <title>{title}</title>\n</head>\n<body>\n<!-- Generated by Doxygen {v} -->\n\
             <p>{title}</p>\n</body>\n</html>\n"
        )
        .into_bytes()
    };
    let drawn = [
        "doc/html/foo_8hpp__incl.png",
        "doc/html/inherit_graph_0.png",
        "doc/html/classFoo.png",
        // An inline `\dot` graph (pipewire-doc's pages).
        "doc/html/dot_inline_dotgraph_1.png",
    ];
    let kept = [
        "doc/html/screenshot.png",
        "doc/html/dot_inline_dotgraph_x.png",
        "doc/html/classBar.png",
        "notes/foo_8hpp__incl.png",
    ];
    // Each member its own bytes (a text chunk naming it, the same on
    // both sides), or they would be one repeated pair.
    let named = |png: &[u8], name: &str| {
        let (body, iend) = png.split_at(png.len() - 12);
        let data = [b"tEXtComment\0".as_slice(), name.as_bytes()].concat();
        let len = u32::try_from(data.len() - 4).expect("short");
        [
            body,
            &len.to_be_bytes(),
            &data,
            &crc32fast::hash(&data).to_be_bytes(),
            iend,
        ]
        .concat()
    };
    let side = |v: &str, pixels: &[u8]| {
        let (index, class) = (page(v, "Usage"), page(v, "Foo"));
        let mut members = vec![
            file("doc/html/index.html", 1, &index),
            file("doc/html/classFoo.html", 2, &class),
        ];
        let images: Vec<Vec<u8>> = drawn
            .iter()
            .chain(&kept)
            .map(|name| named(pixels, name))
            .collect();
        for (i, (name, png)) in drawn.iter().chain(&kept).zip(&images).enumerate() {
            members.push(file(name, 3 + i as u32, png));
        }
        Blob::from_vec(newc(&members))
    };
    let a = side("1.9.8", &read("pixels-a.png"));
    let b = side("1.9.4", &read("pixels-b.png"));
    let r = compare_blobs("a.cpio", &a, "b.cpio", &b, &Options::default());
    let mut leaves = std::collections::HashMap::new();
    r.tree.visit(&mut |n| {
        if n.address.ends_with(".png") {
            leaves.insert(n.address.clone(), n.clone());
        }
    });
    for name in drawn {
        let n = &leaves[name];
        assert_eq!(n.causes, [Cause::Consequential], "{name}: {:?}", n.changes);
        let c = n
            .changes
            .iter()
            .find(|c| c.field == "png.drawn")
            .unwrap_or_else(|| panic!("{name}: {:?}", n.changes));
        // A page of the tree that names doxygen's versions.
        assert!(
            matches!(
                c.follows.as_slice(),
                [f] if f == "doc/html/index.html: text.generator"
                    || f == "doc/html/classFoo.html: text.generator"
            ),
            "{name}: {:?}",
            c.follows
        );
    }
    for name in kept {
        let n = &leaves[name];
        assert_eq!(n.causes, [Cause::Content], "{name}: {:?}", n.changes);
        assert!(n.changes.iter().all(|c| c.field != "png.drawn"), "{name}");
    }
    // The same doxygen on both sides: nothing the drawings follow.
    let same = side("1.9.8", &read("pixels-b.png"));
    let r = compare_blobs("a.cpio", &a, "b.cpio", &same, &Options::default());
    r.tree.visit(&mut |n| {
        if n.address.ends_with(".png") {
            assert_eq!(n.causes, [Cause::Content], "{}", n.address);
        }
    });
}
