//! The diagnosis against ground truth: the demo pair's planted differences
//! (testdata/demo/PLANTED.md, hard-coded below) must each carry their cause,
//! the consequential ones must be marked so, the pair must collapse into at
//! most about 20 groups and the Markdown report must stay short while naming
//! every differing file. The heuristics are also checked one by one on real
//! Debian files (testdata/diagnose/, built by testdata/gen/diagnose.sh).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use reprodiff::engine::Options;
use reprodiff::report::{Cause, Change, Node, Report};
use reprodiff::{compare_blobs, compare_files};
use reprodiff_formats::Blob;
use reprodiff_present::markdown;

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

fn demo() -> Report {
    compare_files(
        &testdata("demo/a.iso"),
        &testdata("demo/b.iso"),
        &Options::default(),
    )
    .expect("read the demo pair")
}

fn nodes(r: &Report) -> HashMap<String, Node> {
    let mut m = HashMap::new();
    r.tree.visit(&mut |n| {
        m.insert(n.address.clone(), n.clone());
    });
    m
}

/// PLANTED.md, "Planted (root causes)": (#, address, field, cause). The ISO
/// itself is the empty address; `field` names the change when one node holds
/// several planted differences.
const PLANTED: &[(u32, &str, Option<&str>, &str)] = &[
    (1, "", Some("pvd.modification_date"), "embedded-timestamp"),
    (2, "", Some("gpt.disk_guid"), "random-id"),
    (
        3,
        "live/filesystem.squashfs::etc/machine-id",
        None,
        "random-id",
    ),
    (
        4,
        "live/filesystem.squashfs::usr/bin/hello",
        Some("elf.section..note.gnu.build-id"),
        "build-id",
    ),
    (
        5,
        "live/filesystem.squashfs::usr/share/doc/foo/changelog.gz",
        Some("gzip.mtime"),
        "compression-metadata",
    ),
    (
        6,
        "live/filesystem.squashfs::usr/share/demo/modules.list",
        None,
        "ordering",
    ),
    (
        7,
        "live/filesystem.squashfs::usr/share/demo/build-info.txt",
        None,
        "embedded-timestamp",
    ),
    (
        8,
        "live/filesystem.squashfs::etc/motd",
        Some("mtime"),
        "mtime",
    ),
    (
        9,
        "live/filesystem.squashfs::etc/demo.conf",
        Some("mode"),
        "permissions",
    ),
    (
        10,
        "live/filesystem.squashfs::var/lib/demo/state",
        Some("uid"),
        "ownership",
    ),
    (
        11,
        "live/filesystem.squashfs::etc/alternatives/editor",
        Some("target"),
        "content",
    ),
    (
        12,
        "live/filesystem.squashfs::usr/share/demo/removed-in-b.txt",
        None,
        "removed",
    ),
    (
        13,
        "live/filesystem.squashfs::usr/share/demo/added-in-b.txt",
        None,
        "added",
    ),
    (
        14,
        "live/initrd.img::<segment-2>::conf/build-info",
        None,
        "embedded-timestamp",
    ),
    (
        15,
        "live/initrd.img::<segment-2>",
        Some("order"),
        "ordering",
    ),
    (
        16,
        "boot/grub/efi.img",
        Some("boot.volume_serial"),
        "random-id",
    ),
    (
        17,
        "boot/grub/efi.img::EFI/BOOT/grub.cfg",
        Some("mtime"),
        "mtime",
    ),
    (18, "boot/grub/efi.img::EFI/BOOT", Some("order"), "ordering"),
    (
        19,
        "pool/main/f/foo/foo_1.0_all.deb::debian-binary",
        Some("ar.date"),
        "mtime",
    ),
    (
        19,
        "pool/main/f/foo/foo_1.0_all.deb::control.tar.xz",
        Some("ar.date"),
        "mtime",
    ),
    (
        19,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz",
        Some("ar.date"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./usr/share/doc/foo/copyright",
        Some("mtime"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./",
        Some("mtime"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./usr/",
        Some("mtime"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./usr/share/",
        Some("mtime"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./usr/share/doc/",
        Some("mtime"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./usr/share/doc/foo/",
        Some("mtime"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./usr/share/foo/",
        Some("mtime"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./usr/share/foo/foo.txt",
        Some("mtime"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::control.tar.xz::./",
        Some("mtime"),
        "mtime",
    ),
    (
        20,
        "pool/main/f/foo/foo_1.0_all.deb::control.tar.xz::./control",
        Some("mtime"),
        "mtime",
    ),
];

/// PLANTED.md, "Consequential": (address, field) that must be consequential.
const CONSEQUENTIAL: &[(&str, Option<&str>)] = &[
    ("", Some("svd.modification_date")),
    ("", Some("mbr.disk_signature")),
    ("", Some("gpt.p1.guid")),
    ("", Some("gpt.p2.guid")),
    ("isolinux/boot.cat", Some("mtime")),
    ("<joliet>/isolinux/boot.cat", Some("mtime")),
    ("live/initrd.img", None),
    ("live/initrd.img::<segment-2>", None),
    ("live/filesystem.squashfs", Some("superblock.bytes_used")),
    ("live/filesystem.squashfs", Some("superblock.no_ids")),
    ("live/filesystem.squashfs::usr/share/demo", Some("size")),
    ("boot/grub/efi.img", None),
    ("pool/main/f/foo/foo_1.0_all.deb", None),
    ("pool/main/f/foo/foo_1.0_all.deb::control.tar.xz", None),
    ("pool/main/f/foo/foo_1.0_all.deb::data.tar.xz", None),
    ("md5sum.txt", Some("checksum../boot/grub/efi.img")),
    ("md5sum.txt", Some("checksum../live/filesystem.squashfs")),
    ("md5sum.txt", Some("checksum../live/initrd.img")),
    (
        "md5sum.txt",
        Some("checksum../pool/main/f/foo/foo_1.0_all.deb"),
    ),
];

fn check(n: &Node, field: Option<&str>, cause: &str) -> Result<(), String> {
    if !n.causes.iter().any(|c| c == cause) {
        return Err(format!(
            "{:?}: causes {:?}, want {cause}",
            n.address, n.causes
        ));
    }
    if let Some(f) = field {
        let c = n
            .changes
            .iter()
            .find(|c| c.field == f)
            .ok_or(format!("{:?}: no change {f}", n.address))?;
        if c.cause.map(|x| x.as_str()) != Some(cause) {
            return Err(format!(
                "{:?} {f}: cause {:?}, want {cause}",
                n.address, c.cause
            ));
        }
    }
    Ok(())
}

#[test]
fn every_planted_difference_has_its_cause() {
    let r = demo();
    let by = nodes(&r);
    let mut errors = Vec::new();
    for &(no, addr, field, cause) in PLANTED {
        match by.get(addr) {
            Some(n) => {
                if let Err(e) = check(n, field, cause) {
                    errors.push(format!("#{no} {e}"));
                }
            }
            None => errors.push(format!("#{no} {addr:?}: not in the report")),
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn consequential_changes_are_marked() {
    let r = demo();
    let by = nodes(&r);
    for &(addr, field) in CONSEQUENTIAL {
        let n = by
            .get(addr)
            .unwrap_or_else(|| panic!("{addr:?} not in the report"));
        check(n, field, "consequential").unwrap_or_else(|e| panic!("{e}"));
    }
    // The mirrored and derived values must not be reported as root causes.
    let root = &by[""];
    let root_causes: Vec<&str> = root
        .changes
        .iter()
        .filter_map(|c| c.cause.map(|x| x.as_str()))
        .collect();
    assert_eq!(
        root_causes,
        [
            "embedded-timestamp",
            "consequential",
            "consequential",
            "random-id",
            "consequential",
            "consequential"
        ]
    );
    for a in [
        "isolinux/boot.cat",
        "<joliet>/isolinux/boot.cat",
        "<joliet>/live/initrd.img",
        "md5sum.txt",
    ] {
        assert_eq!(by[a].causes, ["consequential"], "{a}");
    }
}

#[test]
fn nothing_unplanted_is_blamed() {
    let r = demo();
    let planted: Vec<&str> = PLANTED.iter().map(|p| p.1).collect();
    r.tree.visit(&mut |n| {
        for c in &n.causes {
            if c != "consequential" {
                assert!(
                    planted.contains(&n.address.as_str()),
                    "{:?} blamed for {c}",
                    n.address
                );
            }
        }
    });
}

#[test]
fn the_pair_collapses_into_few_groups() {
    let r = demo();
    assert!(r.groups.len() <= 20, "{} groups", r.groups.len());
    // Every planted (address, cause) is in a group of that cause.
    for &(no, addr, _, cause) in PLANTED {
        assert!(
            r.groups
                .iter()
                .any(|g| g.cause == cause && g.addresses.iter().any(|a| a == addr)),
            "#{no} {addr:?} in no {cause} group"
        );
    }
    let first = &r.groups[0];
    assert_eq!(
        (first.cause.as_str(), first.shape.as_str(), first.count),
        ("mtime", "mtime differs: by +1d", 13)
    );
    assert!(r
        .groups
        .iter()
        .any(|g| g.shape == "mtime differs: by +1h" && g.count == 2));
    assert!(r.groups.iter().any(
        |g| g.cause == "compression-metadata" && g.shape.ends_with("gzip.mtime 0 → 1700003600")
    ));
    // Consequential groups come last.
    let firstc = r
        .groups
        .iter()
        .position(|g| g.cause == "consequential")
        .expect("consequential group");
    assert!(r.groups[firstc..]
        .iter()
        .all(|g| g.cause == "consequential"));
    for g in &r.groups {
        assert_eq!(g.count as usize, g.addresses.len());
    }
    assert_eq!(r.summary.causes.get(&Cause::Mtime), Some(&15));
    assert_eq!(r.summary.causes.get(&Cause::Ordering), Some(&3));
}

#[test]
fn markdown_is_short_and_names_every_offending_file() {
    let r = demo();
    let mut out = Vec::new();
    markdown::write(&r, &mut out, &markdown::MarkdownOptions::default()).expect("write");
    let md = String::from_utf8(out).expect("utf-8");
    let lines = md.lines().count();
    assert!(lines < 400, "{lines} lines");
    assert!(md.contains(&r.a.sha256) && md.contains(&r.b.sha256));
    for &(no, addr, _, _) in PLANTED {
        if !addr.is_empty() {
            assert!(md.contains(&format!("`{addr}`")), "#{no} {addr} not named");
        }
    }
    assert!(md.contains("<details>") && md.contains("</details>"));
    assert_eq!(md.matches("```").count() % 2, 0, "unbalanced code fences");
    // Each group is shown by a member whose only cause is the group's when
    // it has one, so the example's diff is of that cause.
    let mut nodes = std::collections::HashMap::new();
    r.tree.visit(&mut |n| {
        nodes.insert(n.address.clone(), n.causes.clone());
    });
    let sections: Vec<&str> = md.split("\n### ").skip(1).collect();
    assert_eq!(sections.len(), r.groups.len());
    for (g, sec) in r.groups.iter().zip(sections) {
        if g.cause == "consequential" {
            continue;
        }
        let shown = sec
            .lines()
            .find_map(|l| l.strip_prefix('`')?.strip_suffix("`:"))
            .unwrap_or_else(|| panic!("no example in {sec}"));
        let shown = if shown == "(image)" { "" } else { shown };
        let pure = |a: &str| {
            nodes
                .get(a)
                .is_some_and(|c| c.len() == 1 && c[0] == g.cause)
        };
        if g.addresses.iter().any(|a| pure(a)) {
            assert!(
                pure(shown),
                "{}: {shown} has {:?}",
                g.shape,
                nodes.get(shown)
            );
        }
    }
}

/// The change of a field on a node; panics naming the node's changes.
fn change<'n>(n: &'n Node, field: &str) -> &'n Change {
    n.changes
        .iter()
        .find(|c| c.field == field)
        .unwrap_or_else(|| panic!("{field}: {:?}", n.changes))
}

fn pair(name_a: &str, name_b: &str) -> Report {
    pair_in("diagnose", name_a, name_b)
}

/// Two fixtures of one folder of testdata/ compared as the CLI compares
/// two files.
fn pair_in(folder: &str, name_a: &str, name_b: &str) -> Report {
    let read = |n: &str| {
        Blob::from_vec(std::fs::read(testdata(&format!("{folder}/{n}"))).expect("fixture"))
    };
    compare_blobs(
        name_a,
        &read(name_a),
        name_b,
        &read(name_b),
        &Options::default(),
    )
}

fn root_causes(r: &Report) -> Vec<Cause> {
    r.tree.causes.clone()
}

#[test]
fn gzip_without_n_is_compression_metadata() {
    let r = pair("changelog.a.gz", "changelog.b.gz");
    assert_eq!(root_causes(&r), ["compression-metadata"]);
    let fields: Vec<&str> = r.tree.changes.iter().map(|c| c.field.as_str()).collect();
    assert!(fields.contains(&"gzip.mtime"), "{fields:?}");
}

/// The compression-metadata group says the decoded content is identical
/// only where it is: a gzip header date that moved with the content is
/// said without the claim; an initrd whose main archive went from gzip to
/// zstd around the same members is compression alone, its `format` change
/// (`cpio+gzip` → `cpio+zstd`) included, with nothing left unexplained.
#[test]
fn compression_metadata_claims_identical_content_only_when_it_is() {
    let shapes = |r: &Report| -> Vec<String> {
        r.groups
            .iter()
            .filter(|g| g.cause == Cause::CompressionMetadata)
            .map(|g| g.shape.clone())
            .collect()
    };
    let same = pair("changelog.a.gz", "changelog.b.gz");
    assert!(
        shapes(&same)
            .iter()
            .all(|s| s.contains("decoded content identical")),
        "{:?}",
        shapes(&same)
    );
    // The same header change, the decoded text changed too.
    let text = |s: &str| {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(s.as_bytes()).expect("in memory");
        e.finish().expect("in memory")
    };
    let (a, mut b) = (text("hello\n"), text("world\n"));
    // The header's MTIME field.
    b[4..8].copy_from_slice(&1_700_003_600u32.to_le_bytes());
    let r = compare_blobs(
        "a.gz",
        &Blob::from_vec(a),
        "b.gz",
        &Blob::from_vec(b),
        &Options::default(),
    );
    let got = shapes(&r);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("compressed stream header differs: gzip.mtime"),
        "{got:?}"
    );
    assert!(!got[0].contains("identical"), "{got:?}");
    // gzip → zstd around the same cpio members.
    let initrd = |n: &str| Blob::open(&testdata(&format!("cpio/{n}"))).expect("fixture");
    let r = compare_blobs(
        "initrd-gz.img",
        &initrd("initrd-gz.img"),
        "initrd-zst.img",
        &initrd("initrd-zst.img"),
        &Options::default(),
    );
    let causes: Vec<Cause> = r.groups.iter().map(|g| g.cause).collect();
    assert_eq!(causes, [Cause::CompressionMetadata, Cause::Consequential]);
    assert!(shapes(&r)[0].contains("decoded content identical"));
    assert!(
        shapes(&r)[0].contains("format cpio+gzip → cpio+zstd"),
        "{:?}",
        shapes(&r)
    );
}

#[test]
fn patched_build_id_is_build_id() {
    let r = pair("true.a", "true.b");
    assert_eq!(root_causes(&r), ["build-id"]);
    let c = &r.tree.changes[0];
    assert_eq!(c.field, "elf.section..note.gnu.build-id");
    // The committed `readelf -n` listings name the two ids.
    let listed = |n: &str| {
        let t = std::fs::read_to_string(testdata(&format!("diagnose/{n}"))).expect("listing");
        t.lines()
            .find_map(|l| l.trim().strip_prefix("Build ID: ").map(str::to_string))
            .expect("build id")
    };
    assert_eq!(
        Change::shown(&c.a).as_deref(),
        Some(listed("true.a.readelf-n.txt").as_str())
    );
    assert_eq!(
        c.shown_b().as_deref(),
        Some(listed("true.b.readelf-n.txt").as_str())
    );
}

#[test]
fn compiler_date_is_an_embedded_timestamp_in_rodata() {
    let r = pair("when.a", "when.b");
    assert!(
        root_causes(&r).iter().any(|c| c == "embedded-timestamp"),
        "{:?}",
        r.tree
    );
    let ro = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "elf.section..rodata")
        .expect(".rodata change");
    assert_eq!(ro.cause.map(|x| x.as_str()), Some("embedded-timestamp"));
    assert_eq!(
        Change::shown(&ro.a).as_deref(),
        Some("Nov 14 2023 22:13:20")
    );
    assert_eq!(ro.shown_b().as_deref(), Some("Nov 15 2023 22:13:20"));
    // The build-id hashes .rodata: it follows, it is not the cause.
    let id = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "elf.section..note.gnu.build-id")
        .expect("build-id change");
    assert_eq!(id.cause.map(|x| x.as_str()), Some("consequential"));
    assert!(
        !root_causes(&r).iter().any(|c| c == "content"),
        "{:?}",
        r.tree.changes
    );
}

#[test]
fn date_r_string_is_an_embedded_timestamp() {
    let r = pair("os-release.a", "os-release.b");
    assert_eq!(root_causes(&r), ["embedded-timestamp"]);
    let c = &r.tree.changes[0];
    assert_eq!(
        Change::shown(&c.a).as_deref(),
        Some("Tue, 14 Nov 2023 22:13:20 +0000")
    );
    assert_eq!(
        r.groups[0].shape,
        "date/time string replaced in content: moved by +1d"
    );
}

#[test]
fn machine_id_is_a_random_id() {
    assert_eq!(
        root_causes(&pair("machine-id.a", "machine-id.b")),
        ["random-id"]
    );
}

#[test]
fn build_directory_is_a_build_path() {
    let r = pair("where.a.i", "where.b.i");
    assert_eq!(root_causes(&r), ["build-path"]);
    assert_eq!(
        Change::shown(&r.tree.changes[0].a).as_deref(),
        Some("/build/foo-1.0-a")
    );
}

#[test]
fn reordered_list_is_ordering() {
    assert_eq!(root_causes(&pair("list.a", "list.b")), ["ordering"]);
}

#[test]
fn dpkg_status_gives_package_changes_first() {
    let read = |n: &str| std::fs::read(testdata(&format!("diagnose/{n}"))).expect("fixture");
    let mut node = Node::new(
        "live/filesystem.squashfs::var/lib/dpkg/status",
        reprodiff::report::Status::Modified,
    );
    reprodiff::explain_leaf(
        &node.address.clone(),
        &read("status.a"),
        &read("status.b"),
        &mut node,
    );
    let got: Vec<(String, Option<String>, Option<String>)> = node
        .changes
        .iter()
        .map(|c| (c.field.clone(), Change::shown(&c.a), c.shown_b()))
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got
        .iter()
        .all(|c| c.0 == "dpkg.dpkg" || c.0 == "dpkg.gzip" || c.0 == "dpkg.sed"));
    let dpkg = got.iter().find(|c| c.0 == "dpkg.dpkg").expect("dpkg");
    assert_eq!(
        dpkg.2.as_deref(),
        Some(format!("{}+b1", dpkg.1.as_deref().unwrap_or("")).as_str())
    );
    assert!(got.iter().any(|c| c.0 == "dpkg.gzip" && c.2.is_none()));
    assert!(got.iter().any(|c| c.0 == "dpkg.sed" && c.1.is_none()));
}

/// `classify_leaf` on two byte strings, the node shaped as the engine makes
/// it (a text diff for text, none for binaries).
fn explained_leaf(name: &str, a: &[u8], b: &[u8]) -> Node {
    let mut node = Node::new(name, reprodiff::report::Status::Modified);
    if std::str::from_utf8(a).is_ok() && std::str::from_utf8(b).is_ok() {
        node.diff = Some(reprodiff::report::Diff::Text {
            hunks: Vec::new(),
            truncated: false,
            fallback: None,
        });
    }
    reprodiff::explain_leaf(name, a, b, &mut node);
    node
}

/// `classify_leaf` on one fixture pair, the node shaped as the engine makes
/// it (a text diff for text, none for binaries): the leaf changes' causes.
fn leaf_causes(name_a: &str, name_b: &str) -> Vec<(String, String)> {
    let read = |n: &str| std::fs::read(testdata(&format!("diagnose/{n}"))).expect("fixture");
    explained_leaf(name_a, &read(name_a), &read(name_b))
        .changes
        .iter()
        .map(|c| {
            (
                c.field.clone(),
                c.cause.map(|x| x.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

fn cause_set(changes: &[(String, String)]) -> Vec<&str> {
    let mut v: Vec<&str> = changes.iter().map(|c| c.1.as_str()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[test]
fn locale_command_under_two_locales_is_locale() {
    let got = leaf_causes("locale.a", "locale.b");
    assert_eq!(cause_set(&got), ["locale"], "{got:?}");
    let r = pair("locale.a", "locale.b");
    assert_eq!(root_causes(&r), ["locale"]);
    let c = &r.tree.changes[0];
    assert_eq!(c.field, "text.locale");
    assert_eq!(Change::shown(&c.a).as_deref(), Some("C.UTF-8"));
    assert!(c
        .shown_b()
        .as_deref()
        .unwrap_or("")
        .starts_with("fr_FR.UTF-8"));
}

#[test]
fn collation_order_is_locale() {
    // `ls` sorts bytewise in C (CET before Canada) and by en_US collation
    // in the other build: the same names, a locale-made order.
    let got = leaf_causes("zones.a", "zones.b");
    assert_eq!(got, [("text.order".into(), "locale".into())]);
    assert_eq!(root_causes(&pair("zones.a", "zones.b")), ["locale"]);
    assert_eq!(root_causes(&pair("zones.b", "zones.a")), ["locale"]);
}

#[test]
fn reversed_or_other_lists_are_not_locale() {
    assert_eq!(cause_set(&leaf_causes("list.a", "list.b")), ["ordering"]);
    let got = leaf_causes("zones.a", "zones.other");
    assert!(!cause_set(&got).contains(&"locale"), "{got:?}");
    assert_eq!(root_causes(&pair("zones.a", "zones.other")), ["content"]);
}

#[test]
fn build_host_and_kernel_are_hostname_or_kernel() {
    let got = leaf_causes("build-info.a", "build-info.b");
    assert_eq!(cause_set(&got), ["hostname-or-kernel"], "{got:?}");
    let r = pair("build-info.a", "build-info.b");
    assert_eq!(root_causes(&r), ["hostname-or-kernel"]);
    let shown: Vec<(Option<String>, Option<String>)> = r
        .tree
        .changes
        .iter()
        .map(|c| (Change::shown(&c.a), c.shown_b()))
        .collect();
    assert!(
        shown.contains(&(
            Some("6.1.0-18-amd64".into()),
            Some("6.1.0-13-cloud-amd64 (and 2 more)".into())
        )),
        "{shown:?}"
    );
    assert!(
        shown.iter().any(|s| s.0.as_deref() == Some("buildd-x86-01")
            && s.1.as_ref().is_some_and(|b| b.starts_with("ci-runner-7"))),
        "{shown:?}"
    );
}

#[test]
fn package_version_on_one_host_is_not_hostname_or_kernel() {
    let got = leaf_causes("build-info.a", "build-info.c");
    assert_eq!(cause_set(&got), Vec::<&str>::new(), "{got:?}");
    assert_eq!(
        root_causes(&pair("build-info.a", "build-info.c")),
        ["content"]
    );
}

#[test]
fn debug_info_build_directory_is_a_build_path() {
    let got = leaf_causes("hello.a", "hello.b");
    let causes = cause_set(&got);
    assert!(causes.contains(&"build-path"), "{got:?}");
    assert!(!causes.contains(&"content"), "{got:?}");
    // The build-id hashes the debug sections: it follows.
    assert!(got
        .iter()
        .any(|c| c.0 == "elf.section..note.gnu.build-id" && c.1 == "consequential"));
    let fields: Vec<&str> = got.iter().map(|c| c.0.as_str()).collect();
    assert!(
        fields.contains(&"elf.section..debug_line_str"),
        "{fields:?}"
    );
    assert!(fields.contains(&"elf.section..rodata"), "{fields:?}");
    let r = pair("hello.a", "hello.b");
    assert!(root_causes(&r).iter().any(|c| c == "build-path"));
    assert!(
        !root_causes(&r).iter().any(|c| c == "content"),
        "{:?}",
        r.tree.changes
    );
    let ro = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "elf.section..rodata")
        .expect(".rodata change");
    assert_eq!(Change::shown(&ro.a).as_deref(), Some("/tmp/build-a-7Kq2"));
    assert_eq!(ro.shown_b().as_deref(), Some("/tmp/build-b-Xw9P"));
}

#[test]
fn absolute_file_paths_are_a_build_path() {
    let got = leaf_causes("where-abs.a.i", "where-abs.b.i");
    assert_eq!(cause_set(&got), ["build-path"], "{got:?}");
    let r = pair("where-abs.a.i", "where-abs.b.i");
    assert_eq!(root_causes(&r), ["build-path"]);
    assert_eq!(
        Change::shown(&r.tree.changes[0].a).as_deref(),
        Some("/tmp/build-a-7Kq2")
    );
}

#[test]
fn another_source_in_the_same_directory_is_not_a_build_path() {
    let got = leaf_causes("where-abs.a.i", "other.i");
    assert!(!cause_set(&got).contains(&"build-path"), "{got:?}");
    assert_eq!(root_causes(&pair("where-abs.a.i", "other.i")), ["content"]);
    let got = leaf_causes("when.a", "when.b");
    assert!(!cause_set(&got).contains(&"build-path"), "{got:?}");
}

#[test]
fn different_config_files_are_only_content() {
    let got = leaf_causes("adduser.conf", "deluser.conf");
    for c in ["locale", "hostname-or-kernel", "build-path"] {
        assert!(!cause_set(&got).contains(&c), "{got:?}");
    }
    assert_eq!(
        root_causes(&pair("adduser.conf", "deluser.conf")),
        ["content"]
    );
}

/// One source built by gcc-12 and by gcc-11: the toolchain is the root
/// cause, named from `.comment`, and the code that changed with it is its
/// consequence, not an unexplained content difference.
#[test]
fn another_compiler_is_the_toolchain() {
    let r = code_follows_the_toolchain(
        ("toolchain.a", "toolchain.b"),
        "elf.section..comment",
        "elf.section..text",
    );
    // The code difference is named by the functions that hold it.
    let text = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "elf.section..text")
        .expect(".text");
    assert_eq!(
        (Change::shown(&text.a).as_deref(), text.shown_b().as_deref()),
        (Some("1 of 2 functions differ"), Some("main"))
    );
    let shape = toolchain_shape(&r);
    assert!(
        shape.contains("GCC: (Debian 12.") && shape.contains("GCC: (Debian 11."),
        "{shape}"
    );
}

/// The pair's leaf: `evidence` is its toolchain change, `code` one of the
/// sections that follow it, nothing `content`; toolchain and consequential
/// its root causes. Returns the pair's report.
fn code_follows_the_toolchain((a, b): (&str, &str), evidence: &str, code: &str) -> Report {
    let got = leaf_causes(a, b);
    assert!(
        got.contains(&(evidence.to_string(), "toolchain".to_string())),
        "{got:?}"
    );
    assert!(got.iter().any(|c| c.0 == code), "{got:?}");
    assert!(got.iter().all(|c| c.1 != "content"), "{got:?}");
    let r = pair(a, b);
    assert_eq!(root_causes(&r), [Cause::Toolchain, Cause::Consequential]);
    r
}

/// The shape of a report's toolchain group.
fn toolchain_shape(r: &Report) -> &str {
    let g = r.groups.iter().find(|g| g.cause == Cause::Toolchain);
    &g.expect("a toolchain group").shape
}

/// One object linked twice, the second time with `.note.gnu.property`
/// placed after `.eh_frame` (where another release's ld puts it): the
/// layout is the toolchain, everything it moved follows it, and the group
/// says what moved where.
#[test]
fn another_linker_layout_is_the_toolchain() {
    let r = code_follows_the_toolchain(
        ("layout.a", "layout.b"),
        "elf.layout",
        "elf.section..dynamic",
    );
    let shape = toolchain_shape(&r);
    assert!(
        shape.contains("another linker's layout")
            && shape
                .contains(".note.gnu.property after .interp → .note.gnu.property after .eh_frame"),
        "{shape}"
    );
}

#[test]
fn reordered_debconf_records_are_ordering() {
    // b also lacks the blank line after its last record.
    let got = leaf_causes("config.a.dat", "config.b.dat");
    assert_eq!(got, [("text.order".into(), "ordering".into())]);
    let r = pair("config.a.dat", "config.b.dat");
    assert_eq!(root_causes(&r), ["ordering"]);
    assert_eq!(
        Change::shown(&r.tree.changes[0].a).as_deref(),
        Some("8 records")
    );
}

#[test]
fn live_build_disk_info_is_an_embedded_timestamp() {
    let r = pair("disk-info.a", "disk-info.b");
    assert_eq!(root_causes(&r), ["embedded-timestamp"]);
    assert_eq!(
        r.groups[0].shape,
        "date/time string replaced in content: moved by +1d"
    );
}

/// Generated files from a real rebuild pair (testdata/gen/debian-fragments.sh):
/// a maintainer script debhelper 13.24.2 and 13.11.4 wrote, and a man page
/// help2man 1.50.1 and 1.48.5 generated. The generator's version is the
/// toolchain, and the rest of each file follows it; nothing is `content`.
#[test]
fn generated_files_follow_their_generators_version() {
    let r = pair("postrm.a", "postrm.b");
    let generators: Vec<(String, String)> = r
        .tree
        .changes
        .iter()
        .filter(|c| c.field == "text.generator")
        .map(|c| {
            (
                Change::shown(&c.a).unwrap_or_default(),
                c.shown_b().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        generators,
        [
            (
                "dh_installinit 13.24.2".to_string(),
                "dh_installinit 13.11.4".to_string()
            ),
            (
                "dh_installsystemd 13.24.2".to_string(),
                "dh_installsystemd 13.11.4".to_string()
            ),
        ]
    );
    assert_eq!(root_causes(&r), ["toolchain", "consequential"]);
    let other = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "text.other")
        .expect("the rest");
    assert_eq!(other.follows, ["text.generator"]);
    // The man page, through its gzip layer.
    let r = pair("arch.1.a.gz", "arch.1.b.gz");
    let man = nodes(&r)
        .into_values()
        .find(|n| n.changes.iter().any(|c| c.field == "text.generator"))
        .expect("the decoded page names help2man");
    assert!(!man.causes.contains(&Cause::Content), "{:?}", man.changes);
    let g = man
        .changes
        .iter()
        .find(|c| c.field == "text.generator")
        .expect("generator");
    assert_eq!(Change::shown(&g.a).as_deref(), Some("help2man 1.50.1"));
    assert_eq!(g.shown_b().as_deref(), Some("help2man 1.48.5"));
    // The page documents another coreutils: the build for bookworm took
    // bookworm's translations (`.TH … "GNU coreutils 9.7"` against 9.1).
    let d = man
        .changes
        .iter()
        .find(|c| c.field == "text.documents")
        .expect("documented version");
    assert_eq!(d.cause, Some(Cause::PackageVersion));
    assert_eq!(Change::shown(&d.a).as_deref(), Some("GNU coreutils 9.7"));
    assert_eq!(d.shown_b().as_deref(), Some("GNU coreutils 9.1"));
}

/// Objects of a static library as dh_strip leaves them (no `.comment`),
/// built by gcc-12 and gcc-11 with their control-flow protection: the
/// `.note.gnu.property` the assembler wrote is the toolchain, and the code
/// follows it instead of being unexplained.
#[test]
fn property_notes_of_another_toolchain_explain_the_code() {
    let r = pair("property.a.o", "property.b.o");
    let by_field = |f: &str| change(&r.tree, f);
    let note = by_field("elf.section..note.gnu.property");
    assert_eq!(note.cause, Some(Cause::Toolchain));
    // As `readelf -n` reads the two notes.
    assert_eq!(
        Change::shown(&note.a).as_deref(),
        Some("x86 feature: IBT, SHSTK")
    );
    assert_eq!(note.shown_b().as_deref(), Some("x86 feature: IBT"));
    let code = by_field("elf.section..text.startup");
    assert_eq!(code.cause, Some(Cause::Consequential));
    assert_eq!(code.follows, ["elf.section..note.gnu.property"]);
    assert!(!root_causes(&r).contains(&Cause::Content));
}

/// A man page Doxygen 1.9.8 and 1.9.4 wrote for the same source (PipeWire's
/// trixie build and its bookworm-backports rebuild): other escapes
/// (`pipewire\-0` against `pipewire-0`) and one section request less, the
/// same words. On its own that is named as markup and stays unexplained:
/// nothing in the page says which generator version wrote it.
#[test]
fn the_same_words_in_other_markup_are_named_not_explained() {
    let r = pair("access.7.a.gz", "access.7.b.gz");
    let page = nodes(&r)
        .into_values()
        .find(|n| n.changes.iter().any(|c| c.field == "text.markup"))
        .expect("the decoded page is markup only");
    let m = page
        .changes
        .iter()
        .find(|c| c.field == "text.markup")
        .expect("markup");
    assert_eq!(
        Change::shown(&m.a).as_deref(),
        Some("Doxygen's roff markup")
    );
    assert_eq!(m.cause, Some(Cause::Content));
    assert!(page.changes.iter().all(|c| c.field != "text.other"));
}

/// pw-cat.1 of the same pair (pipewire-bin): doxygen 1.9.4 writes the
/// brief description on a line of its own after the name (`pw-cat \-
/// pw-cat` then ` Play and record…`), so the words differ too and the
/// markup rules cannot name it; the header every doxygen writes tells
/// the page is its template. With another header on either side it is
/// not.
#[test]
fn a_page_doxygen_wrote_with_other_words_is_its_template() {
    let head = ".TH \"pw-cat\" 1 \"1.4.2\" \"PipeWire\" \\\" -*- nroff -*-\n.ad l\n.nh\n.SH NAME\n";
    let tail = ".SH \"SYNOPSIS\"\n.PP\n\\fBpw-cat\\fP [\\fIoptions\\fP] [\\fIFILE\\fP | -]\n";
    let a = format!("{head}pw-cat \\- Play and record media with PipeWire\n.PP\n{tail}");
    let b = format!("{head}pw-cat \\- pw-cat \n Play and record media with PipeWire\n.PP\n{tail}");
    let node = explained_leaf("pw-cat.1", a.as_bytes(), b.as_bytes());
    let t = node
        .changes
        .iter()
        .find(|c| c.field == "text.template")
        .unwrap_or_else(|| panic!("{:?}", node.changes));
    assert_eq!(
        Change::shown(&t.a).as_deref(),
        Some("a man page doxygen wrote")
    );
    assert_eq!(t.cause, Some(Cause::Content));
    // A hand-written header on one side: not doxygen's template.
    let other = b.replacen(" \\\" -*- nroff -*-", "", 1);
    let node = explained_leaf("pw-cat.1", a.as_bytes(), other.as_bytes());
    assert!(
        node.changes.iter().all(|c| c.field != "text.template"),
        "{:?}",
        node.changes
    );
}

/// manpages-fr's pacman.8 in trixie and in its bookworm backport: each
/// release's build translates that release's upstream page, Pacman 7.0.0
/// against 6.0.2, and the page's date (DocBook's `Date:` comment and the
/// title line) is that release's, not a date the build wrote: it follows
/// the documented version. The same dates in the page's text are still
/// embedded timestamps.
#[test]
fn a_page_date_follows_the_documented_release() {
    let page = |date: &str, fr: &str, v: &str, body: &str| {
        format!(
            ".\\\"     Title: pacman\n.\\\"      Date: {date}\n.\\\"    Manual: Pacman Manual\n\
             .TH PACMAN 8 \"{fr}\" \"Pacman {v}\" \"Manuel de pacman\"\n.SH NOM\npacman \\- \
             gestionnaire de paquets\n.SH DESCRIPTION\n{body}\n"
        )
    };
    let a = page("2025-01-20", "20 janvier 2025", "7\\&.0\\&.0", "Options.");
    let b = page("2022-11-21", "21 novembre 2022", "6\\&.0\\&.2", "Options.");
    let node = explained_leaf("pacman.8", a.as_bytes(), b.as_bytes());
    let field = |f: &str| node.changes.iter().find(|c| c.field == f);
    let documents = field("text.documents").expect("the documented release");
    assert_eq!(documents.cause, Some(Cause::PackageVersion));
    let date = field("text.timestamp").unwrap_or_else(|| panic!("{:?}", node.changes));
    assert_eq!(date.cause, Some(Cause::Consequential));
    assert_eq!(date.follows, ["text.documents"]);
    // The dates written in the body instead: a timestamp, as before.
    let a = page("x", "20 janvier 2025", "7\\&.0\\&.0", "Built 2025-01-20.");
    let b = page("x", "21 novembre 2022", "6\\&.0\\&.2", "Built 2022-11-21.");
    let node = explained_leaf("pacman.8", a.as_bytes(), b.as_bytes());
    let date = node
        .changes
        .iter()
        .find(|c| c.field == "text.timestamp")
        .unwrap_or_else(|| panic!("{:?}", node.changes));
    assert_eq!(date.cause, Some(Cause::EmbeddedTimestamp));
}

/// A change as shown: field, both values, cause.
type PageChange = (String, Option<String>, Option<String>, Option<Cause>);

/// The changes of the one decoded page of a pair of gzipped man pages.
fn page_changes(r: &Report) -> Vec<PageChange> {
    let page = nodes(r)
        .into_values()
        .find(|n| n.address.ends_with("<content>"))
        .expect("the decoded page");
    page.changes
        .iter()
        .filter(|c| c.field != "size")
        .map(|c| {
            (
                c.field.clone(),
                Change::shown(&c.a),
                Change::shown(&c.b),
                c.cause,
            )
        })
        .collect()
}

/// A man page docutils 0.21 and 0.19 wrote from the same source (lua-check
/// 1.2.0-1 in trixie and its bookworm backport): literal blocks as
/// `.EX`/`.EE` against `.nf`/`.ft C`, a tbl preprocessor line, and the
/// title's date (`Jun 13, 2024`, `%b %d, %Y`). The date is a date, the rest
/// the writer's markup with the same words: nothing left unexplained.
#[test]
fn a_page_another_docutils_wrote_is_its_date_and_its_markup() {
    let r = pair("luacheck.1.a.gz", "luacheck.1.b.gz");
    let c = page_changes(&r);
    assert_eq!(
        c,
        vec![
            (
                "text.timestamp".to_string(),
                Some("Jun 13, 2024".to_string()),
                Some("Aug 14, 2024".to_string()),
                Some(Cause::EmbeddedTimestamp)
            ),
            (
                "text.markup".to_string(),
                Some("docutils' roff markup".to_string()),
                Some("docutils' roff markup, the same words".to_string()),
                Some(Cause::Content)
            ),
        ]
    );
}

/// A CMake manual page Sphinx 8.1 with docutils 0.21 and Sphinx 5.3 with
/// docutils 0.19 wrote (cmake-data 3.31.6-2 and its backport): other
/// markup, links as device controls, Sphinx's other `versionadded` label,
/// the title's date, and one passage no rule explains, the copyright year,
/// named word for word instead of the whole page being "content differs".
#[test]
fn a_page_another_sphinx_wrote_names_the_one_passage_left() {
    let r = pair("configure-log.7.a.gz", "configure-log.7.b.gz");
    let c = page_changes(&r);
    assert_eq!(c.len(), 3, "{c:?}");
    assert_eq!(c[0].0, "text.timestamp");
    assert_eq!(c[0].1.as_deref(), Some("March 31, 2025"));
    assert_eq!(
        (c[1].0.as_str(), c[1].1.as_deref(), c[1].2.as_deref()),
        (
            "text.markup",
            Some("docutils' roff markup, Sphinx's \"Added in version\""),
            Some("docutils' roff markup, Sphinx's \"New in version\", the same words but one passage")
        )
    );
    assert_eq!(
        c[2],
        (
            "text.words".to_string(),
            Some("2000-2024".to_string()),
            Some("2000-2025".to_string()),
            Some(Cause::Content)
        )
    );
}

/// A Java class javac 21 and javac 17 compiled for Java 8 (jmapviewer 2.24
/// in trixie and its bookworm backport): named as compiled code, and on
/// its own left unexplained; in its package, whose jar's manifest names
/// the two JDKs, it follows that toolchain change (see the corpus notes).
#[test]
fn a_java_class_another_javac_compiled_is_named_as_compiled_code() {
    let r = pair("Demo1.a.class", "Demo1.b.class");
    let n = nodes(&r);
    let root = n.get("").expect("the compared pair");
    let c = root
        .changes
        .iter()
        .find(|c| c.field == "class.bytes")
        .expect("a class file change");
    assert_eq!(
        Change::shown(&c.a).as_deref(),
        Some("Java class file 52.0 (Java 8), 1245 bytes")
    );
    assert_eq!(
        Change::shown(&c.b).as_deref(),
        Some("Java class file 52.0 (Java 8), 1215 bytes")
    );
    assert_eq!(c.cause, Some(Cause::Content));
    // Not a class file on one side: not named so.
    let r = pair("Demo1.a.class", "hello.a");
    assert!(nodes(&r)
        .values()
        .all(|n| n.changes.iter().all(|c| c.field != "class.bytes")));
}

/// An m4 file sendmail-cf's build writes its package's version into
/// (trixie's 8.18.1-6 and its bookworm backport 8.18.1-6~bpo12+1): the
/// build date, and the version with the backport's suffix in three places.
/// Nothing is left unexplained; another word beside the versions is.
#[test]
fn a_file_that_embeds_the_rebuilt_packages_version_is_package_version() {
    let got = leaf_causes("autoconf.a.m4", "autoconf.b.m4");
    assert!(
        got.iter()
            .any(|c| c.0 == "text.package_version" && c.1 == "package-version"),
        "{got:?}"
    );
    assert!(!cause_set(&got).contains(&"content"), "{got:?}");
    let read = |n: &str| std::fs::read(testdata(&format!("diagnose/{n}"))).expect("fixture");
    let node = explained_leaf(
        "autoconf.m4",
        &read("autoconf.a.m4"),
        &read("autoconf.b.m4"),
    );
    let c = node
        .changes
        .iter()
        .find(|c| c.field == "text.package_version")
        .expect("the version");
    assert_eq!(
        (
            Change::shown(&c.a).as_deref(),
            Change::shown(&c.b).as_deref()
        ),
        (Some("8.18.1-6"), Some("8.18.1-6~bpo12+1"))
    );
    assert_eq!(c.more, 2, "three places");
    let b = String::from_utf8(read("autoconf.b.m4"))
        .expect("utf-8")
        .replacen("building", "making", 1);
    let node = explained_leaf("autoconf.m4", &read("autoconf.a.m4"), b.as_bytes());
    assert!(node
        .changes
        .iter()
        .all(|c| c.field != "text.package_version"));
    assert!(node.changes.iter().any(|c| c.cause == Some(Cause::Content)));
}

/// A javadoc page from a real rebuild pair (libhtmlparser-java-doc in
/// trixie, written by javadoc of OpenJDK 17.0.8 early access, and its
/// bookworm backport, of the 17.0.8 release): besides its date, every link
/// to the Java platform's pages under the early-access base. That is the
/// JDK's release state (javadoc picks the base by it), so `toolchain`, and
/// the page is explained; the markup rules, which saw other words in the
/// links, no longer speak for it.
#[test]
fn javadoc_of_a_pre_release_jdk_links_the_platform_elsewhere() {
    let got = leaf_causes("NodeFactory.a.html", "NodeFactory.b.html");
    assert!(
        got.iter()
            .any(|c| c.0 == "javadoc.platform_docs" && c.1 == "toolchain"),
        "{got:?}"
    );
    assert!(!cause_set(&got).contains(&"content"), "{got:?}");
    assert!(
        got.iter().all(|c| !c.0.starts_with("text.markup")),
        "{got:?}"
    );
    let r = pair("NodeFactory.a.html", "NodeFactory.b.html");
    let root = nodes(&r).remove("").expect("the compared pair");
    let c = root
        .changes
        .iter()
        .find(|c| c.field == "javadoc.platform_docs")
        .expect("the platform links");
    assert_eq!(
        Change::shown(&c.a).as_deref(),
        Some("javadoc of a pre-release of JDK 17: platform links to https://download.java.net/java/early_access/jdk17/docs/api/")
    );
    assert!(c.more > 0, "more than one link: {c:?}");
    assert!(!root_causes(&r).contains(&Cause::Content));
    // One word more on a side: no longer the links alone.
    let read = |n: &str| std::fs::read(testdata(&format!("diagnose/{n}"))).expect("fixture");
    let b = String::from_utf8(read("NodeFactory.b.html"))
        .expect("utf-8")
        .replacen("Vector", "Vectors", 1);
    let node = explained_leaf("x.html", &read("NodeFactory.a.html"), b.as_bytes());
    assert!(node
        .changes
        .iter()
        .all(|c| c.field != "javadoc.platform_docs"));
    assert!(node.changes.iter().any(|c| c.cause == Some(Cause::Content)));
}

/// A page of a real rebuild pair (python-slixmpp-doc: Sphinx 8.1.3 with the
/// Furo theme 2024.08.06 in trixie, Sphinx 5.3.0 with Furo 2022.12.07 in
/// its bookworm backport) names its writer only in Furo's head comment,
/// `<!-- Generated with Sphinx 8.1.3 and Furo 2024.08.06 -->`: another
/// Sphinx, `toolchain`, and the page's other markup follows from it. With
/// the same version on both sides nothing explains the rest.
#[test]
fn a_furo_page_names_its_sphinx() {
    let got = leaf_causes("search.a.html", "search.b.html");
    assert!(
        got.iter()
            .any(|c| c.0 == "text.generator" && c.1 == "toolchain"),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|c| c.0 == "text.other" && c.1 == "consequential"),
        "{got:?}"
    );
    assert!(!cause_set(&got).contains(&"content"), "{got:?}");
    let read = |n: &str| std::fs::read(testdata(&format!("diagnose/{n}"))).expect("fixture");
    let b = String::from_utf8(read("search.b.html")).expect("utf-8");
    assert!(b.contains("<!-- Generated with Sphinx 5.3.0 and Furo 2022.12.07 -->"));
    let same = b.replace(
        "Generated with Sphinx 5.3.0 and Furo 2022.12.07",
        "Generated with Sphinx 8.1.3 and Furo 2024.08.06",
    );
    let r = compare_blobs(
        "search.html",
        &Blob::from_vec(read("search.a.html")),
        "search.html",
        &Blob::from_vec(same.into_bytes()),
        &Options::default(),
    );
    assert_eq!(root_causes(&r), [Cause::Content]);
    assert!(r.tree.changes.iter().all(|c| c.field != "text.generator"));
}

/// A gettext catalog of a real rebuild pair (fdroidserver 2.4.2-1 in
/// trixie and its bookworm backport): compiled from `.po` files whose
/// header Babel 2.17.0 and 2.10.3 wrote, which is all that differs (the
/// header's `Generated-By:` line, carried into the `.mo`). The tool's
/// version is `toolchain`; with one version on both sides the bytes are
/// unexplained again.
#[test]
fn a_compiled_catalog_names_the_tool_that_wrote_its_source() {
    let r = pair("fdroidserver.ko.a.mo", "fdroidserver.ko.b.mo");
    let c = change(&r.tree, "text.generator");
    assert_eq!(c.cause, Some(Cause::Toolchain));
    assert_eq!(Change::shown(&c.a).as_deref(), Some("Babel 2.17.0"));
    assert_eq!(c.shown_b().as_deref(), Some("Babel 2.10.3"));
    assert!(
        !root_causes(&r).contains(&Cause::Content),
        "{:?}",
        root_causes(&r)
    );
    let read = |n: &str| std::fs::read(testdata(&format!("diagnose/{n}"))).expect("fixture");
    let b = read("fdroidserver.ko.b.mo");
    let at = b
        .windows(12)
        .position(|w| w == b"Babel 2.10.3")
        .expect("the header line");
    let mut same = b.clone();
    same[at..at + 12].copy_from_slice(b"Babel 2.17.0");
    // The catalogs then differ in nothing: the version was all.
    assert_eq!(same, read("fdroidserver.ko.a.mo"));
    let mut other = same.clone();
    let last = other.len() - 2;
    other[last] ^= 1;
    let r = compare_blobs(
        "ko.mo",
        &Blob::from_vec(read("fdroidserver.ko.a.mo")),
        "ko.mo",
        &Blob::from_vec(other),
        &Options::default(),
    );
    assert!(r.tree.changes.iter().all(|c| c.field != "text.generator"));
    assert_eq!(root_causes(&r), [Cause::Content]);
}

/// A gettext catalog msgfmt compiled from the same French messages in
/// UTF-8 and, converted with iconv, in ISO-8859-1 (testdata/gen/catalog.sh;
/// e2fsprogs-l10n's trixie build and its bookworm backport): every
/// accented message in other bytes, the same text, so only the encoding
/// differs (`mo.charset`, `compression-metadata`). With one word changed
/// besides, the catalog is content again.
#[test]
fn a_catalog_in_another_charset_is_its_encoding() {
    let r = pair("catalog.utf8.mo", "catalog.latin1.mo");
    let c = change(&r.tree, "mo.charset");
    assert_eq!(c.cause, Some(Cause::CompressionMetadata));
    assert_eq!(
        c.shown_b().as_deref(),
        Some("ISO-8859-1: the same 3 messages, 2 of them in other bytes")
    );
    assert_eq!(root_causes(&r), [Cause::CompressionMetadata]);
    let r = pair("catalog.utf8.mo", "catalog.other.mo");
    assert!(r.tree.changes.iter().all(|c| c.field != "mo.charset"));
    assert_eq!(root_causes(&r), [Cause::Content]);
}

/// CMake's package files from a real rebuild pair (libimecore-dev, CMake
/// 3.31 and 3.25): the targets file records the policy range its CMake
/// was written against, which is the toolchain; the version file is
/// CMake's template on both sides, named, and left unexplained on its own
/// (nothing in it says which CMake wrote it).
#[test]
fn cmake_files_name_their_writer() {
    let r = pair("Targets.a.cmake", "Targets.b.cmake");
    let g = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "text.generator")
        .expect("the policy range");
    assert_eq!(g.cause, Some(Cause::Toolchain));
    assert_eq!(
        Change::shown(&g.a).as_deref(),
        Some("CMake, policies 2.8.12...3.29")
    );
    assert_eq!(g.shown_b().as_deref(), Some("CMake, policies 2.8.3...3.23"));
    assert!(!root_causes(&r).contains(&Cause::Content));
    let r = pair("ConfigVersion.a.cmake", "ConfigVersion.b.cmake");
    let t = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "text.template")
        .expect("the template");
    assert_eq!(
        Change::shown(&t.a).as_deref(),
        Some("CMake's package version file template")
    );
    assert_eq!(root_causes(&r), [Cause::Content]);
}

/// An Erlang module from a real rebuild pair (erlang-p1-pgsql, erlc 8.5.4
/// in trixie and 8.2.3 in bookworm): the compile information names the
/// compiler, and the code, attributes and debug info follow it.
#[test]
fn erlang_modules_name_their_compiler() {
    let r = pair("pgsql_app.a.beam", "pgsql_app.b.beam");
    let by_field = |f: &str| change(&r.tree, f);
    let compiler = by_field("beam.compiler");
    assert_eq!(compiler.cause, Some(Cause::Toolchain));
    assert_eq!(
        Change::shown(&compiler.a).as_deref(),
        Some("Erlang compiler 8.5.4")
    );
    assert_eq!(compiler.shown_b().as_deref(), Some("Erlang compiler 8.2.3"));
    let code = by_field("beam.chunk.Code");
    assert_eq!(code.cause, Some(Cause::Consequential));
    assert_eq!(code.follows, ["beam.compiler"]);
    assert!(!root_causes(&r).contains(&Cause::Content));
    // Grouped as compiled code, as ELF sections are, not as values derived
    // from another difference.
    let shapes: Vec<&str> = r.groups.iter().map(|g| g.shape.as_str()).collect();
    assert!(
        shapes
            .iter()
            .any(|s| s.starts_with("compiled code differs after the toolchain change")),
        "{shapes:?}"
    );
    assert!(
        !shapes.iter().any(|s| s.starts_with("values derived")),
        "{shapes:?}"
    );
}

/// The same module with one byte of its code changed and the same compiler
/// on both sides: nothing to blame, so the differing chunk stays content.
#[test]
fn erlang_modules_without_a_compiler_change_stay_unexplained() {
    let read = |n: &str| std::fs::read(testdata(&format!("diagnose/{n}"))).expect("fixture");
    let a = read("pgsql_app.a.beam");
    let mut b = a.clone();
    // One byte of the code chunk changed, the compile information kept.
    let code = a.windows(4).position(|w| w == b"Code").expect("code chunk") + 12;
    b[code] ^= 1;
    let r = compare_blobs(
        "x.beam",
        &Blob::from_vec(a),
        "x.beam",
        &Blob::from_vec(b),
        &Options::default(),
    );
    let c = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "beam.chunk.Code")
        .expect("code chunk");
    assert_eq!(c.cause, Some(Cause::Content));
    assert!(r.tree.changes.iter().all(|c| c.field != "beam.compiler"));
}

/// Two structured documents of testdata/structured/ (built by
/// testdata/gen/structured.sh).
fn structured(name_a: &str, name_b: &str) -> Report {
    pair_in("structured", name_a, name_b)
}

/// A finding as shown: field, a, b, cause.
type Shown = (String, Option<String>, Option<String>, String);

fn shown(r: &Report) -> Vec<Shown> {
    r.tree
        .changes
        .iter()
        .map(|c| {
            (
                c.field.clone(),
                Change::shown(&c.a),
                c.shown_b(),
                c.cause.map(|x| x.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

fn finding(field: &str, a: Option<&str>, b: Option<&str>, cause: &str) -> Shown {
    (
        field.to_string(),
        a.map(str::to_string),
        b.map(str::to_string),
        cause.to_string(),
    )
}

#[test]
fn a_build_manifest_is_compared_package_by_package() {
    let r = structured("a.build-manifest", "b.build-manifest");
    // The package sets first (one change a package), then the rest of the
    // document key by key.
    assert_eq!(
        shown(&r),
        [
            finding(
                "inputs.binary.acl",
                Some("2.2.53-4"),
                Some("2.2.53-5"),
                "package-version"
            ),
            finding(
                "inputs.binary.coreutils",
                Some("8.30-3"),
                Some("8.30-3+deb10u1"),
                "package-version"
            ),
            finding(
                "inputs.binary.tor",
                Some("0.4.5.8-1~d10.buster+1"),
                Some("0.4.5.9-1~d10.buster+1"),
                "package-version"
            ),
            finding(
                "inputs.binary.zstd",
                None,
                Some("1.3.8+dfsg-3"),
                "package-version"
            ),
            finding(
                "data.order",
                Some("build_date, origin_references, packages"),
                Some("packages, origin_references, build_date"),
                "ordering"
            ),
        ]
    );
    assert!(r
        .tree
        .changes
        .iter()
        .take(4)
        .all(|c| c.role == reprodiff::report::Role::Input));
    assert_eq!(
        r.groups[0].shape,
        "build inputs differ: binary packages: 3 changed version, 1 added"
    );
    assert_eq!(root_causes(&r), ["ordering", "package-version"]);
    // The line diff stays for display.
    assert!(matches!(
        r.tree.diff,
        Some(reprodiff::report::Diff::Text { .. })
    ));
}

#[test]
fn reordered_keys_and_items_are_only_ordering() {
    let r = structured("a.build-manifest", "reordered.build-manifest");
    assert_eq!(root_causes(&r), ["ordering"]);
    let fields: Vec<String> = shown(&r).into_iter().map(|c| c.0).collect();
    assert_eq!(
        fields,
        [
            "data.order",
            "data.origin_references.order",
            "data.packages.order",
            "data.packages.binary.order",
            "data.packages.source.order",
            "data.packages.source[bash].order",
        ]
    );
    assert!(r
        .tree
        .changes
        .iter()
        .all(|c| c.cause == Some(Cause::Ordering)));
    let r = structured("a.control.yml", "b.control.yml");
    assert_eq!(
        shown(&r),
        [finding(
            "data.delete_files.order",
            Some("/etc/machine-id, /var/lib/dbus/machine-id, /var/cache/ldconfig/aux-cache, /var/log/dpkg.log"),
            Some("/var/log/dpkg.log, /etc/machine-id, /var/cache/ldconfig/aux-cache, /var/lib/dbus/machine-id"),
            "ordering"
        )]
    );
    assert_eq!(root_causes(&r), ["ordering"]);
}

#[test]
fn an_image_description_names_its_changed_digest() {
    let r = structured("a.latest.json", "b.latest.json");
    let got = shown(&r);
    assert_eq!(
        got[..2],
        [
            finding(
                "data.order",
                Some("product-name, version, build-date, installations"),
                Some("version, product-name, build-date, installations"),
                "ordering"
            ),
            finding(
                "data.installations[0].target-files[0].order",
                Some("url, sha256, size"),
                Some("sha256, url, size"),
                "ordering"
            ),
        ]
    );
    // The digest of an image this comparison does not hold: content, not
    // a random id, about the file its `url` names.
    let digest = change(&r.tree, "data.installations[0].target-files[0].sha256");
    assert_eq!(digest.cause, Some(Cause::Content));
    assert_eq!(digest.subject.as_deref(), Some("tails-amd64-4.19.img"));
    assert_eq!(
        Change::shown(&digest.a).as_deref(),
        Some("5b1e2e3d51b81bbc0b6c4bba1e1b0a44a8f4fbd69e7e57fa8b8e7e4a5c7a7b3d")
    );
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(root_causes(&r), ["ordering", "content"]);
}

#[test]
fn a_buildinfo_names_its_changed_build_dependencies() {
    let r = structured("a.buildinfo", "b.buildinfo");
    assert_eq!(
        shown(&r),
        [
            finding(
                "inputs.build-depends.gcc-12",
                Some("12.2.0-14"),
                Some("12.2.0-15"),
                "toolchain"
            ),
            finding(
                "inputs.build-depends.libssl-dev",
                Some("3.0.11-1~deb12u2"),
                Some("3.0.13-1~deb12u1"),
                "package-version"
            ),
            finding(
                "data.Build-Date",
                Some("Tue, 14 Nov 2023 22:13:20 +0000"),
                Some("Wed, 15 Nov 2023 22:13:20 +0000"),
                "embedded-timestamp"
            ),
        ]
    );
    assert_eq!(
        root_causes(&r),
        ["embedded-timestamp", "toolchain", "package-version"]
    );
    assert_eq!(
        r.groups
            .iter()
            .find(|g| g.cause == Cause::EmbeddedTimestamp)
            .map(|g| g.shape.as_str()),
        Some("date/time string replaced in content: moved by +1d")
    );
}

/// Damaged, deeply nested and alias-bomb documents: no panic, a bounded
/// time, and a report all the same.
#[test]
fn hostile_structured_documents_are_bounded() {
    let read = |n: &str| std::fs::read(testdata(&format!("structured/{n}"))).expect("fixture");
    let run = |name: &str, a: Vec<u8>, b: Vec<u8>| {
        let start = std::time::Instant::now();
        let r = compare_blobs(
            name,
            &Blob::from_vec(a),
            name,
            &Blob::from_vec(b),
            &Options::default(),
        );
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "{name}: {:?}",
            start.elapsed()
        );
        r
    };
    for n in [
        "a.build-manifest",
        "a.latest.json",
        "a.buildinfo",
        "a.control.yml",
    ] {
        let a = read(n);
        for cut in [1, a.len() / 3, a.len() / 2, a.len() - 1] {
            let r = run(n, a.clone(), a[..cut].to_vec());
            assert_ne!(r.tree.causes, Vec::<Cause>::new(), "{n} cut at {cut}");
        }
        for i in (0..a.len()).step_by(7) {
            let mut b = a.clone();
            b[i] ^= 0x5a;
            run(n, a.clone(), b);
        }
    }
    // Nesting past any document: compared as text.
    for deep in [
        "[".repeat(200_000),
        "{a: ".repeat(100_000),
        "- ".repeat(100_000),
        format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        for name in ["x.yml", "x.json"] {
            let r = run(name, deep.clone().into_bytes(), b"a: 1\n".to_vec());
            assert!(
                r.tree.changes.iter().all(|c| !c.field.starts_with("data")),
                "{name}"
            );
        }
    }
    // A billion laughs: each alias expands nine of the one before.
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (k, prev) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        bomb.push_str(&format!(
            "{k}: &{k} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let other = bomb.replace("[x,", "[y,");
    let r = run("bomb.yml", bomb.into_bytes(), other.into_bytes());
    assert!(r.tree.changes.iter().all(|c| !c.field.starts_with("data")));
}
