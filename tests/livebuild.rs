//! Small fragments of a real live-build ISO pair (testdata/livebuild/, taken
//! by testdata/gen/livebuild.sh from the two images benches/live-build-pair.sh
//! builds: one trixie configuration, two `lb build` runs 7m36s apart, no
//! SOURCE_DATE_EPOCH). Nothing in them was planted.
//!
//! Only the causes reprodiff gets right on these bytes are asserted. What it
//! leaves unexplained on the same pair (the GRUB memdisk inside
//! bootia32.efi, the splash PNGs, apt's pkgcache.bin) is written up in
//! benches/README.md, not pinned here; the volume name, the FAT serials and
//! the GPT GUID it used to get wrong are tested on fixtures the same tools
//! make (tests/engine.rs).

use std::path::Path;

use reprodiff::compare_blobs;
use reprodiff::engine::Options;
use reprodiff::report::{Cause, Change, Report};
use reprodiff_formats::Blob;

fn pair(name: &str) -> Report {
    let read = |side: &str| {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/livebuild")
            .join(format!("{name}.{side}"));
        Blob::from_vec(std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
    };
    compare_blobs(
        &format!("{name}.a"),
        &read("a"),
        &format!("{name}.b"),
        &read("b"),
        &Options::default(),
    )
}

/// `.disk/info`: live-build writes the build time as `%Y%m%d-%H:%M`; the two
/// builds started at 10:05:20 and 10:12:56 UTC.
#[test]
fn disk_info_build_stamp_is_an_embedded_timestamp() {
    let r = pair("disk-info");
    assert_eq!(r.tree.causes, [Cause::EmbeddedTimestamp]);
    assert_eq!(r.tree.changes.len(), 1, "{:?}", r.tree.changes);
    let c = &r.tree.changes[0];
    assert_eq!(c.field, "text.timestamp");
    assert_eq!(Change::shown(&c.a).as_deref(), Some("20261203-10:05"));
    assert_eq!(c.shown_b().as_deref(), Some("20261203-10:12"));
    assert_eq!(r.groups.len(), 1);
    assert_eq!(
        r.groups[0].shape,
        "date/time string replaced in content: moved by +7m"
    );
}

/// `.disk/mkisofs`: the xorriso command line holds the time twice, in the
/// volume name (`-V "Debian trixie 20261203-10:05"`) and in
/// `--modification-date=2026120310052000`; both are found, nothing else.
#[test]
fn mkisofs_command_line_has_two_embedded_timestamps() {
    let r = pair("mkisofs");
    assert_eq!(r.tree.causes, [Cause::EmbeddedTimestamp]);
    assert_eq!(r.tree.changes.len(), 1, "{:?}", r.tree.changes);
    let c = &r.tree.changes[0];
    assert_eq!(c.field, "text.timestamp");
    assert_eq!(Change::shown(&c.a).as_deref(), Some("20261203-10:05"));
    assert_eq!(c.more, 1, "the --modification-date value");
    assert_eq!(c.shown_b().as_deref(), Some("20261203-10:12 (and 1 more)"));
}

/// `sha256sum.txt` without its 522 GRUB module lines: the lines that change
/// are exactly those of the files that differ between the two ISOs. On its
/// own the list cannot say why those files differ, so no cause beyond
/// `content` (or `consequential`) may be claimed for it.
#[test]
fn checksum_list_names_exactly_the_files_that_differ() {
    let r = pair("sha256sum");
    let mut fields: Vec<&str> = r.tree.changes.iter().map(|c| c.field.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "checksum../.disk/info",
            "checksum../EFI/boot/bootia32.efi",
            "checksum../boot/grub/efi.img",
            "checksum../efi.img",
            "checksum../isolinux/splash.png",
            "checksum../isolinux/splash800x600.png",
            "checksum../live/filesystem.squashfs",
            "checksum../live/initrd.img",
            "checksum../live/initrd.img-6.12.118+deb13-amd64",
        ]
    );
    for c in &r.tree.changes {
        assert!(
            matches!(c.cause, Some(Cause::Content | Cause::Consequential)),
            "{}: {:?}",
            c.field,
            c.cause
        );
    }
}
