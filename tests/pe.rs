//! PE/COFF diagnosis against real UEFI applications (testdata/pe/, built by
//! testdata/gen/pe.sh with MinGW-w64 GCC, GNU ld, LLD and sbsign): each
//! pair differs in one way, and the fields, causes and groups it gets are
//! pinned here, cross-checked against the committed `objdump -x` listings
//! where they name a value.

use std::path::{Path, PathBuf};

use reprodiff::compare_files;
use reprodiff::engine::Options;
use reprodiff::report::{Cause, Change, Node, Report, Value};

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/pe")
        .join(p)
}

fn pair(a: &str, b: &str) -> Report {
    compare_files(&testdata(a), &testdata(b), &Options::default()).expect("read the pair")
}

/// The changes of a node as (field, cause).
fn causes(n: &Node) -> Vec<(&str, &str)> {
    n.changes
        .iter()
        .map(|c| (c.field.as_str(), c.cause.map_or("", |x| x.as_str())))
        .collect()
}

fn change<'r>(n: &'r Node, field: &str) -> &'r Change {
    n.changes
        .iter()
        .find(|c| c.field == field)
        .unwrap_or_else(|| panic!("{field} in {:?}", causes(n)))
}

fn shown(c: &Change) -> (Option<String>, Option<String>) {
    (Change::shown(&c.a), c.shown_b())
}

/// A value of `objdump -x`'s header listing (`MajorLinkerVersion\t14`).
fn listed(file: &str, key: &str) -> String {
    let t = std::fs::read_to_string(testdata(file)).expect("listing");
    t.lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("{key} in {file}"))
}

/// GNU ld on two days: the COFF TimeDateStamp is the build time, and the
/// checksum sums it.
#[test]
fn link_time_is_an_embedded_timestamp() {
    let r = pair("timestamp.a.efi", "timestamp.b.efi");
    assert_eq!(
        causes(&r.tree),
        [
            ("pe.timestamp", "embedded-timestamp"),
            ("pe.checksum", "consequential")
        ]
    );
    let ts = change(&r.tree, "pe.timestamp");
    assert_eq!(
        (&ts.a, &ts.b),
        (
            &Some(Value::Epoch(1_700_000_000)),
            &Some(Value::Epoch(1_700_086_400))
        )
    );
    assert_eq!(
        listed("timestamp.a.objdump-x.txt", "Time/Date"),
        "Tue Nov 14 22:13:20 2023"
    );
    let checksum = listed("timestamp.a.objdump-x.txt", "CheckSum");
    assert_eq!(
        Change::shown(&change(&r.tree, "pe.checksum").a),
        Some(format!("0x{checksum}"))
    );
    assert_eq!(
        r.tree.causes,
        [Cause::EmbeddedTimestamp, Cause::Consequential]
    );
    let g = r
        .groups
        .iter()
        .find(|g| g.cause == Cause::EmbeddedTimestamp)
        .expect("a timestamp group");
    assert_eq!(g.shape, "header date pe.timestamp: moved by +1d");
}

/// `__DATE__ __TIME__` in a string, linked without a timestamp: `.rdata`
/// holds the date, found by the text masks.
#[test]
fn build_date_in_rdata_is_an_embedded_timestamp() {
    let r = pair("date.a.efi", "date.b.efi");
    assert_eq!(
        causes(&r.tree),
        [
            ("pe.checksum", "consequential"),
            ("pe.section..rdata", "embedded-timestamp")
        ]
    );
    let rdata = change(&r.tree, "pe.section..rdata");
    assert_eq!(
        shown(rdata),
        (
            Some("Nov 14 2023 22:13:20".into()),
            Some("Nov 15 2023 22:13:20".into())
        )
    );
    assert_eq!(rdata.subject.as_deref(), Some(".rdata"));
}

/// One object linked by GNU ld and by LLD: the linker version names the
/// toolchain, and everything the other linker lays out differently follows
/// from it, sections only one side has included.
#[test]
fn another_linker_is_the_toolchain() {
    let r = pair("linker.a.efi", "linker.b.efi");
    let lv = change(&r.tree, "pe.linker_version");
    assert_eq!(lv.cause, Some(Cause::Toolchain));
    let b = format!(
        "{}.{}",
        listed("linker.b.objdump-x.txt", "MajorLinkerVersion"),
        listed("linker.b.objdump-x.txt", "MinorLinkerVersion")
    );
    assert_eq!(shown(lv), (Some("2.40".into()), Some(b)));
    // LLD has no .idata for an image importing nothing.
    let idata = change(&r.tree, "pe.section..idata");
    assert_eq!(idata.b, None);
    assert_eq!(idata.cause, Some(Cause::Consequential));
    assert_eq!(idata.follows, ["pe.linker_version"]);
    for (field, cause) in causes(&r.tree) {
        if field != "pe.linker_version" {
            assert_eq!(cause, "consequential", "{field}");
        }
    }
    assert_eq!(r.tree.causes, [Cause::Toolchain, Cause::Consequential]);
}

/// -O2 against -Os with one toolchain: the code differs for no known
/// reason.
#[test]
fn other_code_is_content() {
    let r = pair("opt.a.efi", "opt.b.efi");
    assert_eq!(
        change(&r.tree, "pe.section..text").cause,
        Some(Cause::Content)
    );
    assert_eq!(
        change(&r.tree, "pe.checksum").cause,
        Some(Cause::Consequential)
    );
    assert!(r.tree.causes.contains(&Cause::Content));
}

/// The same image signed again a day later by the same key: the signing
/// time is the cause, the signature over it follows.
#[test]
fn signing_again_later_is_the_signing_time() {
    let r = pair("signed.a.efi", "signed.b.efi");
    assert_eq!(
        causes(&r.tree),
        [
            ("pe.checksum", "consequential"),
            ("pe.signing_time", "embedded-timestamp"),
            ("pe.signature", "consequential")
        ]
    );
    assert_eq!(change(&r.tree, "pe.signature").follows, ["pe.signing_time"]);
    let t = change(&r.tree, "pe.signing_time");
    assert_eq!(
        (&t.a, &t.b),
        (
            &Some(Value::Epoch(1_700_000_000)),
            &Some(Value::Epoch(1_700_086_400))
        )
    );
    assert_eq!(
        r.tree.causes,
        [Cause::EmbeddedTimestamp, Cause::Consequential]
    );
}

/// Two builds of different days, both signed: the signature signs the
/// differing image, so it follows; the link time is the cause.
#[test]
fn signature_of_a_changed_image_follows() {
    let r = pair("signed.a.efi", "signed.c.efi");
    assert_eq!(
        causes(&r.tree),
        [
            ("pe.timestamp", "embedded-timestamp"),
            ("pe.checksum", "consequential"),
            ("pe.signature", "consequential")
        ]
    );
    let (a, _) = shown(change(&r.tree, "pe.signature"));
    let a = a.expect("a signature");
    assert!(a.starts_with("PKCS#7 signature, "), "{a}");
    let size = listed("signed.a.objdump-x.txt", "Entry 4 0000000000000e00");
    let size =
        u64::from_str_radix(size.split_whitespace().next().expect("size"), 16).expect("hex size");
    assert!(a.contains(&format!(", {size} bytes, ")), "{a} / {size}");
}

/// The image is the same; another key signed it, or only one side is
/// signed: the signature itself differs, said so, with no other cause.
#[test]
fn a_different_signature_of_the_same_image_is_content() {
    for (a, b, was) in [
        ("signed.a.efi", "signed.d.efi", "PKCS#7 signature, "),
        ("timestamp.a.efi", "signed.a.efi", "unsigned"),
    ] {
        let r = pair(a, b);
        assert_eq!(
            causes(&r.tree),
            [
                ("pe.checksum", "consequential"),
                ("pe.signature", "content")
            ],
            "{a} {b}"
        );
        let (sa, sb) = shown(change(&r.tree, "pe.signature"));
        assert!(sa.is_some_and(|s| s.starts_with(was)), "{a} {b}");
        let sb = sb.expect("b is signed");
        assert!(
            sb.starts_with("PKCS#7 signature, ")
                && sb.ends_with("(Authenticode signature differs; the signed image is identical)"),
            "{sb}"
        );
        assert_eq!(r.tree.causes, [Cause::Consequential, Cause::Content]);
    }
}

/// The application inside a gzip-compressed FAT ESP, where firmware looks
/// for it: the engine reaches it and the PE diagnosis names its timestamp.
#[test]
fn efi_binary_inside_an_esp_is_diagnosed() {
    let r = pair("esp.a.img.gz", "esp.b.img.gz");
    let mut found = None;
    r.tree.visit(&mut |n| {
        if n.address == "EFI/BOOT/BOOTX64.EFI" {
            found = Some(n.clone());
        }
    });
    let n = found.expect("EFI/BOOT/BOOTX64.EFI differs");
    assert_eq!(
        causes(&n),
        [
            ("pe.timestamp", "embedded-timestamp"),
            ("pe.checksum", "consequential")
        ]
    );
    assert_eq!(n.causes, [Cause::EmbeddedTimestamp, Cause::Consequential]);
    assert!(r
        .groups
        .iter()
        .any(|g| g.cause == Cause::EmbeddedTimestamp && g.addresses == ["EFI/BOOT/BOOTX64.EFI"]));
}

/// Truncated and bit-flipped PE images compared whole, as a rebuilder
/// compares what strangers published: a report, never a panic.
#[test]
fn hostile_pe_pairs_give_a_report() {
    let a = std::fs::read(testdata("signed.a.efi")).expect("fixture");
    let mut seed: u64 = 0x6a09_e667_f3bc_c908;
    for i in 0..200usize {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let mut m = a.clone();
        if i % 2 == 0 {
            m.truncate((seed >> 33) as usize % a.len());
        } else {
            for k in 0..4 {
                let pos = (seed >> (8 + k * 8)) as usize % m.len();
                m[pos] ^= (seed >> k) as u8 | 1;
            }
        }
        let blob = |d: &[u8]| reprodiff_formats::Blob::from_vec(d.to_vec());
        let r = reprodiff::compare_blobs("a", &blob(&a), "b", &blob(&m), &Options::default());
        assert!(m == a || !r.tree.causes.is_empty(), "{i}");
    }
}
