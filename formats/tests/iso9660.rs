//! ISO9660 reader against the xorriso-built fixtures of testdata/iso and
//! xorriso's own listings of them (`*.lsdl`, `*.lba`, `*.report`), plus the
//! source tree as `find` saw it (`*.tree`, for exact mtimes).

mod common;

use std::collections::HashMap;

use common::Lcg;
use reprodiff_formats::{iso9660, Blob, Container, Data, Entry, Extent, Kind, Limits, Owner};

fn fixture(name: &str) -> Blob {
    let p = common::fixture_path("iso", name);
    Blob::open(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text(name: &str) -> String {
    common::read_text("iso", name)
}

fn open(name: &str) -> Container {
    iso9660::open(&fixture(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn field<'a>(c: &'a Container, name: &str) -> &'a str {
    common::must_field(&c.fields, name)
}

fn entry<'a>(c: &'a Container, p: &str) -> &'a Entry {
    c.entries
        .iter()
        .find(|e| e.path == p)
        .unwrap_or_else(|| panic!("no entry {p}"))
}

fn kind_of(c: char) -> Kind {
    match c {
        '-' | 'e' => Kind::File,
        'd' => Kind::Dir,
        'l' => Kind::Symlink,
        'c' => Kind::CharDevice,
        'b' => Kind::BlockDevice,
        'p' => Kind::Fifo,
        's' => Kind::Socket,
        x => panic!("type {x}"),
    }
}

/// `rwxr-xr-x` to permission bits.
fn perms(s: &str) -> u32 {
    s.chars()
        .fold(0, |acc, ch| (acc << 1) | u32::from(ch != '-'))
}

/// One line of `xorriso -find / -exec lsdl`.
struct Lsdl {
    path: String,
    kind: Kind,
    mode: u32,
    size_or_dev: String,
    target: Option<String>,
}

fn lsdl(name: &str) -> Vec<Lsdl> {
    text(name)
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            let m = it.next()?;
            let (_, _, _, size) = (it.next()?, it.next()?, it.next()?, it.next()?);
            let q = l.find(" '/")?;
            let rest = &l[q + 2..];
            let (p, target) = match rest.find("' -> '") {
                Some(i) => (&rest[..i], Some(rest[i + 6..rest.len() - 1].to_string())),
                None => (&rest[..rest.len() - 1], None),
            };
            let p = p.trim_start_matches('/');
            (!p.is_empty()).then(|| Lsdl {
                path: p.to_string(),
                kind: kind_of(m.chars().next().unwrap_or('?')),
                mode: perms(&m[1..]),
                size_or_dev: size.to_string(),
                target,
            })
        })
        .collect()
}

/// `find -printf '%P\t%M\t%#m\t%s\t%T@\t%l'`: path → (mode, size, mtime, target).
fn tree(name: &str) -> HashMap<String, (u32, u64, i64, String)> {
    text(name)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let mode = u32::from_str_radix(f[2], 8).unwrap_or(u32::MAX);
            let mtime = f[4].split('.').next().and_then(|s| s.parse().ok());
            (
                f[0].to_string(),
                (
                    mode,
                    f[3].parse().unwrap_or(0),
                    mtime.unwrap_or(0),
                    f[5].to_string(),
                ),
            )
        })
        .collect()
}

#[test]
fn full_tree_matches_xorriso_listing() {
    let c = open("full.iso");
    let want = lsdl("full.lsdl");
    let primary: Vec<&Entry> = c
        .entries
        .iter()
        .filter(|e| !e.path.starts_with('<'))
        .collect();
    let mut got: Vec<&str> = primary.iter().map(|e| e.path.as_str()).collect();
    let mut names: Vec<&str> = want.iter().map(|l| l.path.as_str()).collect();
    got.sort();
    names.sort();
    assert_eq!(got, names);
    for l in &want {
        let e = entry(&c, &l.path);
        assert_eq!(e.kind, l.kind, "{}", l.path);
        assert_eq!(e.meta.mode, Some(l.mode), "{}", l.path);
        assert_eq!((e.meta.uid, e.meta.gid), (Some(0), Some(0)), "{}", l.path);
        assert_eq!(e.meta.target, l.target, "{}", l.path);
        match e.kind {
            Kind::CharDevice | Kind::BlockDevice => {
                let (ma, mi) = e.meta.rdev.unwrap_or((999, 999));
                assert_eq!(format!("{ma},{mi}"), l.size_or_dev, "{}", l.path);
            }
            _ => assert_eq!(e.size.to_string(), l.size_or_dev, "{}", l.path),
        }
    }
    // The relocated directory (deeper than 8 levels) shows at its real place.
    let d8 = entry(&c, "d1/d2/d3/d4/d5/d6/d7/d8");
    assert!(d8.meta.extra.iter().any(|f| f.name == "rr.relocated"));
    // Hard links share an inode and an extent.
    let (a, b) = (entry(&c, "docs/link-a"), entry(&c, "docs/link-b"));
    assert_eq!(a.meta.inode, b.meta.inode);
    assert_eq!(a.meta.nlink, Some(2));
    assert_eq!(a.data, b.data);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
}

#[test]
fn full_times_and_modes_match_the_source_tree() {
    let c = open("full.iso");
    let src = tree("full.tree");
    assert_eq!(src.len(), 32);
    for (p, (mode, size, mtime, target)) in &src {
        let e = entry(&c, p);
        assert_eq!(e.meta.mode, Some(mode & 0o7777), "{p}");
        let t = e.meta.mtime.map(|t| t.secs);
        assert_eq!(t, Some(*mtime), "{p}");
        // SOURCE_DATE_EPOCH makes xorriso set atime and ctime to mtime.
        assert_eq!(e.meta.atime.map(|t| t.secs), Some(*mtime), "{p}");
        assert_eq!(e.meta.ctime.map(|t| t.secs), Some(*mtime), "{p}");
        match e.kind {
            Kind::File => assert_eq!(e.size, *size, "{p}"),
            Kind::Symlink => assert_eq!(e.meta.target.as_deref(), Some(target.as_str())),
            _ => {}
        }
    }
    // The long symlink target spans several SL entries and a continuation area.
    let long = entry(&c, "docs/long-target");
    assert_eq!(long.meta.target.as_ref().map(String::len), Some(415));
}

#[test]
fn full_extents_match_report_lba() {
    let c = open("full.iso");
    let mut n = 0;
    for l in text("full.lba").lines().skip(1) {
        let (nums, p) = l.split_once(" '/").unwrap_or_else(|| panic!("{l}"));
        let f: Vec<u64> = nums
            .trim_start_matches("File data lba:")
            .split(',')
            .filter_map(|x| x.trim().parse().ok())
            .collect();
        let (lba, size) = (f[1], f[3]);
        let e = entry(&c, p.trim_end_matches('\''));
        assert_eq!(e.size, size, "{p}");
        assert_eq!(
            e.data,
            Data::Range(Extent {
                offset: lba * 2048,
                len: size
            }),
            "{p}"
        );
        let body = c.read(
            c.entries.iter().position(|x| x.path == e.path).unwrap_or(0),
            &Limits::default(),
        );
        assert_eq!(body.map(|b| b.len()).ok(), Some(size));
        n += 1;
    }
    assert_eq!(n, 12);
    assert_eq!(
        c.read(
            c.entries
                .iter()
                .position(|x| x.path == "hello.txt")
                .unwrap_or(0),
            &Limits::default()
        )
        .map(|b| b.bytes().to_vec())
        .ok(),
        Some(b"hello, iso\n".to_vec())
    );
}

#[test]
fn full_descriptor_fields_match_pvd_info() {
    let c = open("full.iso");
    let report = text("full.report");
    let info = |key: &str| -> String {
        report
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim_start_matches([' ', ':']).trim_end().to_string())
            .unwrap_or_else(|| panic!("no {key}"))
    };
    for (key, name) in [
        ("Volume Id", "volume_id"),
        ("Volume Set Id", "volume_set_id"),
        ("Publisher Id", "publisher_id"),
        ("Preparer Id", "data_preparer_id"),
        ("App Id", "application_id"),
        ("System Id", "system_id"),
        ("CopyrightFile", "copyright_file_id"),
        ("Abstract File", "abstract_file_id"),
        ("Biblio File", "bibliographic_file_id"),
    ] {
        assert_eq!(field(&c, &format!("pvd.{name}")), info(key), "{key}");
        assert_eq!(field(&c, &format!("svd.{name}")), info(key), "{key}");
    }
    // xorriso prints YYYYMMDDhhmmsscc in GMT; the fields add the offset.
    for (key, name) in [
        ("Creation Time", "creation_date"),
        ("Modif. Time", "modification_date"),
        ("Expir. Time", "expiration_date"),
        ("Eff. Time", "effective_date"),
    ] {
        let v = info(key);
        let iso = format!(
            "{}-{}-{}T{}:{}:{}.{}+00:00",
            &v[0..4],
            &v[4..6],
            &v[6..8],
            &v[8..10],
            &v[10..12],
            &v[12..14],
            &v[14..16]
        );
        assert_eq!(field(&c, &format!("pvd.{name}")), iso, "{key}");
    }
    assert_eq!(field(&c, "pvd.logical_block_size"), "2048");
    // ISO image size/512 : 352
    assert_eq!(field(&c, "pvd.volume_space_size"), "88");
    assert_eq!(field(&c, "svd.joliet_level"), "3");
    assert_eq!(field(&c, "rockridge.present"), "true");
    assert_eq!(field(&c, "susp.er1.id"), "RRIP_1991A");
    assert_eq!(field(&c, "system_area.isohybrid"), "true");
    assert_eq!(field(&c, "system_area.all_zero"), "false");
    for r in [
        "primary volume descriptor",
        "supplementary volume descriptor",
        "boot record",
        "volume descriptor set terminator",
        "pvd L path table",
        "pvd M path table",
        "svd L path table",
        "svd M path table",
        "system area",
        "el torito boot catalog",
        "directory /",
        "directory docs/sub",
        "directory <joliet>/docs",
        "continuation area",
    ] {
        assert!(
            c.regions
                .iter()
                .any(|x| x.owner == Owner::Structure(r.to_string())),
            "region {r}"
        );
    }
    // Every file with bytes owns its extent.
    for (i, e) in c.entries.iter().enumerate() {
        if let (Data::Range(x), false) = (&e.data, e.path.starts_with("<joliet>")) {
            if x.len > 0 {
                assert!(
                    c.regions.iter().any(|r| r.offset == x.offset
                        && r.len == x.len
                        && matches!(r.owner, Owner::Entry(_))),
                    "{} ({i})",
                    e.path
                );
            }
        }
    }
}

#[test]
fn full_el_torito_matches_report() {
    let c = open("full.iso");
    let report = text("full.report");
    // "El Torito boot img :   1  BIOS  y   none  0x0000  0x00      4          58"
    let imgs: Vec<Vec<&str>> = report
        .lines()
        .filter_map(|l| l.strip_prefix("El Torito boot img :"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(imgs.len(), 2);
    let names = ["<eltorito-1-bios>", "<eltorito-2-efi>"];
    for (img, name) in imgs.iter().zip(names) {
        let n = img[0];
        let p = format!("eltorito.image{n}");
        let plat = if img[1] == "BIOS" { "0x00" } else { "0xef" };
        assert_eq!(field(&c, &format!("{p}.platform_id")), plat);
        assert_eq!(
            field(&c, &format!("{p}.bootable")),
            (img[2] == "y").to_string()
        );
        assert_eq!(field(&c, &format!("{p}.emulation")), "no-emulation");
        assert_eq!(
            field(&c, &format!("{p}.load_segment")),
            format!("{:#06x}", 0)
        );
        assert_eq!(field(&c, &format!("{p}.sector_count")), img[6]);
        assert_eq!(field(&c, &format!("{p}.load_rba")), img[7]);
        let e = entry(&c, name);
        let lba: u64 = img[7].parse().unwrap_or(0);
        assert_eq!(e.data.offset(), Some(lba * 2048));
    }
    // isolinux.bin's catalog count (4) is wrong: its size comes from the file.
    assert_eq!(entry(&c, names[0]).size, 38912);
    assert_eq!(
        field(&c, "eltorito.image1.size_source"),
        "file isolinux/isolinux.bin"
    );
    // The EFI image lives in an appended partition: its FAT boot sector says
    // 64 KiB, as does the catalog's 128 sectors.
    assert_eq!(entry(&c, names[1]).size, 65536);
    assert_eq!(field(&c, "eltorito.image2.size_source"), "fat boot sector");
    assert_eq!(field(&c, "eltorito.validation.checksum_ok"), "true");
    assert_eq!(field(&c, "eltorito.section1.platform_id"), "0xef");
    assert_eq!(
        field(&c, "boot_record.boot_system_id"),
        "EL TORITO SPECIFICATION"
    );
}

#[test]
fn full_joliet_view_shares_extents() {
    let c = open("full.iso");
    let j: Vec<&Entry> = c
        .entries
        .iter()
        .filter(|e| e.path.starts_with("<joliet>/"))
        .collect();
    // Joliet has no symlinks or special files; names are cut at 64 characters.
    assert_eq!(j.len(), 27);
    let cut = entry(
        &c,
        "<joliet>/docs/this-is-a-file-name-that-is-much-longer-than-sixty-four-chara.txt",
    );
    assert_eq!(cut.size, 41);
    for e in &j {
        let rr = e.path.trim_start_matches("<joliet>/");
        if let Some(p) = c.entries.iter().find(|x| x.path == rr) {
            assert_eq!(p.kind, e.kind, "{rr}");
            assert_eq!(p.data, e.data, "{rr}");
            assert_eq!(p.meta.mtime, e.meta.mtime, "{rr}");
        }
    }
    assert_eq!(entry(&c, "<joliet>").kind, Kind::Dir);
}

#[test]
fn plain_iso_uses_iso_names() {
    let c = open("plain.iso");
    let want = lsdl("plain.lsdl");
    let got: Vec<&str> = c.entries.iter().map(|e| e.path.as_str()).collect();
    // On-disk order is the ISO 9660 sort order, which here is xorriso's too.
    let names: Vec<&str> = want.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(got, names);
    let src = tree("plain.tree");
    for l in &want {
        let e = entry(&c, &l.path);
        assert_eq!(e.kind, l.kind);
        assert_eq!(e.meta.mode, None);
        assert_eq!(e.size.to_string(), l.size_or_dev);
        let (_, _, mtime, _) = src[&l.path];
        assert_eq!(e.meta.mtime.map(|t| t.secs), Some(mtime), "{}", l.path);
    }
    assert_eq!(field(&c, "rockridge.present"), "false");
    assert_eq!(field(&c, "system_area.all_zero"), "true");
    assert_eq!(field(&c, "system_area.isohybrid"), "false");
    assert_eq!(field(&c, "pvd.volume_id"), "PLAIN");
    assert_eq!(field(&c, "pvd.expiration_date"), "unset");
    assert!(!c.fields.iter().any(|f| f.name.starts_with("svd.")));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
}

#[test]
fn partitions_follow_the_partition_table() {
    // Only meaningful once partition::parse decodes the isohybrid tables:
    // MBR partition 2 (0xef) starts at sector 352, right after the volume.
    let c = open("full.iso");
    let parts: Vec<&Entry> = c
        .entries
        .iter()
        .filter(|e| e.path.starts_with("<partition-"))
        .collect();
    if c.fields.iter().any(|f| f.name.starts_with("mbr.")) {
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].path, "<partition-2>");
        assert_eq!(
            parts[0].data,
            Data::Range(Extent {
                offset: 352 * 512,
                len: 128 * 512
            })
        );
    } else {
        assert!(parts.is_empty());
    }
}

fn num<T: std::str::FromStr>(s: &str) -> T {
    s.parse()
        .unwrap_or_else(|_| panic!("not a number in the report: {s}"))
}

/// The partition table lines of xorriso's report: (table, number, start
/// sector, sectors).
fn report_partitions(report: &str) -> Vec<(&'static str, u32, u64, u64)> {
    let mut v = Vec::new();
    for l in report.lines() {
        if let Some(rest) = l.strip_prefix("MBR partition      :") {
            let w: Vec<&str> = rest.split_whitespace().collect();
            v.push(("mbr", num(w[0]), num(w[3]), num(w[4])));
        }
        if let Some(rest) = l.strip_prefix("GPT start and size :") {
            let w: Vec<&str> = rest.split_whitespace().collect();
            v.push(("gpt", num(w[0]), num(w[1]), num(w[2])));
        }
    }
    v
}

/// `-partition_offset 16` (live-build, debian-cd): MBR and GPT partition 1
/// start at 32 KiB with their own descriptors over the volume's files. They
/// are views, not members: nothing is listed twice, the intact image has no
/// error (the GPT entry stops short of the backup table, which once gave a
/// false "truncated"), and the view's descriptors are fields of the image.
#[test]
fn partition_offset_views_are_fields_not_members() {
    let report = text("offset-a.report");
    assert!(report.contains("Partition offset   : 16"), "{report}");
    let parts = report_partitions(&report);
    assert!(parts.contains(&("mbr", 1, 64, 340)), "{parts:?}");
    assert!(parts.contains(&("gpt", 1, 64, 276)), "{parts:?}");
    let c = open("offset-a.iso");
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let names: Vec<&str> = c.entries.iter().map(|e| e.path.as_str()).collect();
    assert!(names.iter().all(|p| !p.contains("partition")), "{names:?}");
    // Each file once in the primary tree, once under Joliet.
    assert_eq!(names.iter().filter(|p| p.ends_with("a.txt")).count(), 2);
    assert_eq!(
        field(&c, "mbr.p1.view"),
        "volume descriptors over the same files"
    );
    assert_eq!(field(&c, "gpt.p1.view"), "the same view as mbr.p1");
    assert_eq!(
        field(&c, "mbr.p1.pvd.volume_id"),
        field(&c, "pvd.volume_id")
    );
    assert_eq!(
        field(&c, "mbr.p1.pvd.modification_date"),
        field(&c, "pvd.modification_date")
    );
    let view = c
        .fields
        .iter()
        .find(|f| f.name == "mbr.p1.pvd.modification_date")
        .unwrap();
    assert_eq!(view.follows, ["pvd.modification_date"]);
    // The view's own descriptors sit 16 blocks into the partition.
    let pvd = c
        .regions
        .iter()
        .find(|r| r.owner == Owner::Structure("mbr.p1 primary volume descriptor".into()))
        .expect("the view's descriptor is mapped");
    assert_eq!(pvd.offset, 64 * 512 + 16 * 2048);
}

/// grub-mkrescue's protective label: partition 1 claims the whole volume
/// from sector 1. It is the volume itself, not a 100 KiB blob to compare.
#[test]
fn protective_label_is_the_whole_volume() {
    let report = text("protective.report");
    let parts = report_partitions(&report);
    assert_eq!(parts.first().map(|p| (p.1, p.2)), Some((1, 1)), "{report}");
    let c = open("protective.iso");
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert!(c.entries.iter().all(|e| !e.path.starts_with("<partition")));
    assert_eq!(field(&c, "mbr.p1.view"), "the whole volume");
}

fn read_all(b: Vec<u8>) {
    let limits = Limits {
        max_entries: 500,
        ..Limits::default()
    };
    common::open_and_read(&Blob::from_vec(b), iso9660::open, &limits);
}

#[test]
fn hostile_truncations_and_flips_never_panic() {
    let mut rng = Lcg(0x1509_6600);
    for name in ["full.iso", "plain.iso", "offset-a.iso"] {
        let orig = fixture(name).bytes().to_vec();
        let n = orig.len();
        // Truncations, denser where the structures are.
        for i in 0..200 {
            let cut = if i < 100 {
                32768 + (rng.next() as usize % (n.min(200_000) - 32768))
            } else {
                rng.next() as usize % n
            };
            read_all(orig[..cut].to_vec());
        }
        // Byte flips in the metadata (descriptors, path tables, directories,
        // continuation areas, catalog), a few at a time.
        let meta_end = n.min(120 * 1024);
        let mut buf = orig.clone();
        for _ in 0..1500 {
            let k = 1 + rng.next() as usize % 4;
            let mut touched = Vec::with_capacity(k);
            for _ in 0..k {
                let at = 32768 + rng.next() as usize % (meta_end - 32768);
                touched.push(at);
                buf[at] ^= 1 << (rng.next() % 8);
                if rng.next().is_multiple_of(4) {
                    buf[at] = rng.next() as u8;
                }
            }
            read_all(buf.clone());
            for at in touched {
                buf[at] = orig[at];
            }
        }
    }
}
