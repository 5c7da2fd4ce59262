//! Raw disk and partition-table readers against images made by sgdisk,
//! sfdisk and xorriso (testdata/gen/disk.sh): GUIDs, LBAs, names and types
//! against the tools' listings, the FAT32 partition of a live-USB-shaped
//! disk opened in turn, and a hostile-input sweep.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{damage, Lcg};
use reprodiff_formats::{
    detect, disk, fat, partition, Blob, Container, Data, Format, Kind, Limits, Owner,
};

fn gunzip(name: &str, limit: u64) -> Vec<u8> {
    common::gunzip("disk", name, limit)
}

fn text(name: &str) -> String {
    common::read_text("disk", name)
}

fn field<'a>(fields: &'a [reprodiff_formats::Field], name: &str) -> &'a str {
    common::must_field(fields, name)
}

fn extra<'a>(c: &'a Container, path: &str, name: &str) -> &'a str {
    let e = c.entries.iter().find(|e| e.path == path).unwrap();
    common::extra(e, name).unwrap_or_else(|| panic!("{path}: no {name}"))
}

/// A whole gzip'd disk image, which must detect as a disk and list cleanly.
fn open_disk(name: &str, limits: &Limits) -> Container {
    let blob = Blob::from_vec(gunzip(name, u64::MAX));
    assert_eq!(detect(blob.bytes()), Some(Format::Disk));
    let c = disk::open(&blob, limits).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    c
}

/// A header line of `sfdisk --dump`: `key: value`.
fn dump_value<'a>(dump: &'a str, key: &str) -> &'a str {
    dump.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
        .unwrap_or_else(|| panic!("no {key} in the dump"))
}

/// `key=value` pairs of one `sfdisk --dump` partition line.
fn sfdisk_parts(dump: &str) -> Vec<(u32, Vec<(String, String)>)> {
    dump.lines()
        .filter_map(|l| {
            let (dev, rest) = l.split_once(" : ")?;
            let n = dev.trim_start_matches(|c: char| !c.is_ascii_digit() || c == '.');
            let n: u32 = n
                .rsplit(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()?;
            let kv = rest
                .split(", ")
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) => (k.trim().to_string(), v.trim().trim_matches('"').to_string()),
                    None => (kv.trim().to_string(), String::new()),
                })
                .collect();
            Some((n, kv))
        })
        .collect()
}

fn get<'a>(kv: &'a [(String, String)], k: &str) -> Option<&'a str> {
    kv.iter().find(|x| x.0 == k).map(|x| x.1.as_str())
}

fn pattern(prefix: &str, len: usize) -> Vec<u8> {
    let mut s = String::new();
    let mut i = 1;
    while s.len() < len {
        s.push_str(&format!("{prefix} {i:06}\n"));
        i += 1;
    }
    s.truncate(len);
    s.into_bytes()
}

#[test]
fn gpt_live_usb_disk() {
    let limits = Limits::default();
    let c = open_disk("gpt.img.gz", &limits);
    let f = &c.fields;

    let dump = text("gpt.sfdisk");
    let label_id = dump_value(&dump, "label-id");
    assert_eq!(field(f, "gpt.disk_guid"), label_id);
    assert_eq!(field(f, "gpt.revision"), "1.0");
    assert_eq!(field(f, "gpt.header_crc_ok"), "true");
    assert_eq!(field(f, "gpt.entries_crc_ok"), "true");
    assert_eq!(field(f, "gpt.backup_lba"), (73728 - 1).to_string());
    assert_eq!(field(f, "gpt.backup_found"), "true");
    assert_eq!(field(f, "gpt.backup_header_crc_ok"), "true");
    assert_eq!(field(f, "gpt.backup_entries_crc_ok"), "true");
    let first = dump_value(&dump, "first-lba");
    let last = dump_value(&dump, "last-lba");
    assert_eq!(field(f, "gpt.first_usable_lba"), first);
    assert_eq!(field(f, "gpt.last_usable_lba"), last);
    // The protective MBR is described, not listed.
    assert_eq!(field(f, "mbr.p1.type"), "0xee");

    let parts = sfdisk_parts(&dump);
    assert_eq!(parts.len(), 2);
    assert_eq!(c.entries.len(), 2);
    for (n, kv) in &parts {
        let start: u64 = get(kv, "start").unwrap().parse().unwrap();
        let size: u64 = get(kv, "size").unwrap().parse().unwrap();
        let p = format!("gpt.p{n}");
        assert_eq!(field(f, &format!("{p}.type")), get(kv, "type").unwrap());
        assert_eq!(field(f, &format!("{p}.guid")), get(kv, "uuid").unwrap());
        assert_eq!(field(f, &format!("{p}.name")), get(kv, "name").unwrap());
        assert_eq!(field(f, &format!("{p}.first_lba")), start.to_string());
        assert_eq!(
            field(f, &format!("{p}.last_lba")),
            (start + size - 1).to_string()
        );
        let path = format!("<partition-{n}>");
        let e = c.entries.iter().find(|e| e.path == path).unwrap();
        assert_eq!(e.kind, Kind::File);
        assert_eq!(e.size, size * 512);
        assert_eq!(
            e.data,
            Data::Range(reprodiff_formats::Extent {
                offset: start * 512,
                len: size * 512
            })
        );
        assert_eq!(extra(&c, &path, "partition.guid"), get(kv, "uuid").unwrap());
        assert_eq!(extra(&c, &path, "partition.name"), get(kv, "name").unwrap());
    }
    assert_eq!(field(f, "gpt.p1.type_name"), "Microsoft basic data");
    assert_eq!(field(f, "gpt.p2.type_name"), "BIOS boot");
    // sgdisk -A 2:set:2 (legacy BIOS bootable), as `sgdisk -i 2` prints it.
    let info = text("gpt.sgdisk-info");
    let attrs: Vec<&str> = info
        .lines()
        .filter_map(|l| l.strip_prefix("Attribute flags: "))
        .collect();
    assert_eq!(field(f, "gpt.p1.attributes"), format!("0x{}", attrs[0]));
    assert_eq!(field(f, "gpt.p2.attributes"), format!("0x{}", attrs[1]));

    // Structures: MBR, GPT header and entries, backup at the end.
    let s = |n: &str| {
        c.regions
            .iter()
            .find(|r| r.owner == Owner::Structure(n.into()))
            .map(|r| (r.offset, r.len))
            .unwrap()
    };
    assert_eq!(s("mbr"), (0, 512));
    assert_eq!(s("gpt.header"), (512, 92));
    assert_eq!(s("gpt.entries"), (1024, 128 * 128));
    assert_eq!(s("gpt.backup_header"), ((73728 - 1) * 512, 92));
    assert_eq!(s("gpt.backup_entries"), ((73728 - 33) * 512, 128 * 128));
    assert!(c
        .regions
        .iter()
        .any(|r| r.owner == Owner::Entry(0) && r.offset == 2048 * 512));

    // The FAT32 partition opens by detection and holds the live tree.
    let p1 = c.read(0, &limits).unwrap();
    assert_eq!(detect(p1.bytes()), Some(Format::Fat));
    let fs = fat::open(&p1, &limits).unwrap();
    assert!(fs.errors.is_empty(), "{:?}", fs.errors);
    assert_eq!(field(&fs.fields, "fat.type"), "FAT32");
    assert_eq!(field(&fs.fields, "boot.volume_serial"), "1E1E-1E1E");
    // mkfs.fat --offset on an image file does not record the offset.
    assert_eq!(field(&fs.fields, "boot.hidden_sectors"), "0");
    let names: Vec<(&str, u64)> = fs
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.size))
        .collect();
    assert_eq!(
        names,
        [
            ("live", 0),
            ("live/vmlinuz", 5000),
            ("live/initrd.img", 3000),
            ("live/filesystem.squashfs", 9000),
            ("boot", 0),
            ("boot/grub", 0),
            ("boot/grub/grub.cfg", 53),
        ]
    );
    for (i, e) in fs.entries.iter().enumerate() {
        assert_eq!(e.meta.mtime.unwrap().secs, 1_700_000_000, "{}", e.path);
        let want = match e.path.as_str() {
            "live/filesystem.squashfs" => pattern("SQUASHFS", 9000),
            "live/initrd.img" => pattern("INITRD", 3000),
            "live/vmlinuz" => pattern("VMLINUZ", 5000),
            _ => continue,
        };
        assert_eq!(fs.read(i, &limits).unwrap().bytes(), want.as_slice());
    }
}

#[test]
fn mbr_disk_with_logical_partitions() {
    let limits = Limits::default();
    let c = open_disk("mbr.img.gz", &limits);
    let f = &c.fields;
    let dump = text("mbr.sfdisk");
    let label_id = dump_value(&dump, "label-id");
    assert_eq!(field(f, "mbr.disk_signature"), label_id);
    let parts = sfdisk_parts(&dump);
    assert_eq!(parts.len(), 5);
    for (n, kv) in &parts {
        let p = format!("mbr.p{n}");
        let ty = u8::from_str_radix(get(kv, "type").unwrap(), 16).unwrap();
        assert_eq!(field(f, &format!("{p}.type")), format!("0x{ty:02x}"));
        assert_eq!(
            field(f, &format!("{p}.start_lba")),
            get(kv, "start").unwrap()
        );
        assert_eq!(field(f, &format!("{p}.sectors")), get(kv, "size").unwrap());
        let boot = kv.iter().any(|x| x.0 == "bootable");
        assert_eq!(
            field(f, &format!("{p}.status")),
            if boot { "0x80" } else { "0x00" }
        );
    }
    // The extended partition is a container of EBRs, not a member.
    let paths: Vec<&str> = c.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "<partition-1>",
            "<partition-2>",
            "<partition-5>",
            "<partition-6>"
        ]
    );
    let ebrs: Vec<u64> = c
        .regions
        .iter()
        .filter(|r| matches!(&r.owner, Owner::Structure(s) if s.starts_with("ebr.")))
        .map(|r| r.offset / 512)
        .collect();
    // EBRs sit one sector before each logical partition's data in this layout.
    assert_eq!(ebrs, [900, 1199]);
    assert_eq!(extra(&c, "<partition-6>", "partition.type"), "0x0c");
    assert_eq!(extra(&c, "<partition-6>", "partition.type_name"), "FAT32");

    let p1 = c.read(0, &limits).unwrap();
    assert_eq!(p1.len(), 512 * 512);
    let fs = fat::open(&p1, &limits).unwrap();
    assert_eq!(field(&fs.fields, "fat.type"), "FAT12");
    assert_eq!(fs.entries.len(), 1);
    assert_eq!(fs.entries[0].path, "grub.cfg");
    let p2 = c.read(1, &limits).unwrap();
    assert_eq!(p2.bytes(), pattern("LINUX", 200 * 512).as_slice());
}

#[test]
fn isohybrid_system_area() {
    let b = common::read("disk", "isohybrid-sysarea.bin");
    let report = text("isohybrid-sysarea.report");
    let t = partition::parse(&b, 512);
    let f = &t.fields;
    // xorriso's first MBR entry has type 0x00 yet covers the whole ISO.
    assert_eq!(field(f, "mbr.p1.type"), "0x00");
    assert_eq!(field(f, "mbr.p1.status"), "0x80");
    assert_eq!(field(f, "mbr.p1.sectors"), "2048");
    assert_eq!(field(f, "mbr.p2.type"), "0xef");
    assert_eq!(field(f, "mbr.p2.start_lba"), "136");
    assert!(!t.protective);
    assert_eq!(field(f, "gpt.entry_count"), "248");
    assert_eq!(field(f, "gpt.entries_lba"), "2");
    assert_eq!(field(f, "gpt.header_crc_ok"), "true");
    assert_eq!(field(f, "gpt.entries_crc_ok"), "true");
    // The backup lies at the end of the ISO, outside the system area.
    assert!(t.fields.iter().all(|x| x.name != "gpt.backup_found"));
    assert_eq!(t.gpt.len(), 2);
    for line in report.lines() {
        let Some((key, val)) = line.split_once(':') else {
            continue;
        };
        let v: Vec<&str> = val.split_whitespace().collect();
        match key.trim() {
            "GPT partname local" => {
                let n: usize = v[0].parse().unwrap();
                assert_eq!(t.gpt[n - 1].name, v[1]);
            }
            "GPT start and size" => {
                let n: usize = v[0].parse().unwrap();
                let start: u64 = v[1].parse().unwrap();
                let size: u64 = v[2].parse().unwrap();
                assert_eq!(t.gpt[n - 1].offset, start * 512);
                assert_eq!(t.gpt[n - 1].len, size * 512);
            }
            "GPT partition flags" => {
                let n: usize = v[0].parse().unwrap();
                let want = format!("0x{:0>16}", v[1].trim_start_matches("0x"));
                assert_eq!(field(f, &format!("gpt.p{n}.attributes")), want);
            }
            "GPT type GUID" => {
                // xorriso prints the on-disk bytes in hex.
                let n: usize = v[0].parse().unwrap();
                let raw: Vec<u8> = (0..16)
                    .map(|i| u8::from_str_radix(&v[1][2 * i..2 * i + 2], 16).unwrap())
                    .collect();
                let g: [u8; 16] = raw.try_into().unwrap();
                assert_eq!(t.gpt[n - 1].kind, partition::guid(&g));
                assert_eq!(t.gpt[n - 1].type_name, "Microsoft basic data");
            }
            "GPT partition GUID" => {
                let n: usize = v[0].parse().unwrap();
                let raw: Vec<u8> = (0..16)
                    .map(|i| u8::from_str_radix(&v[1][2 * i..2 * i + 2], 16).unwrap())
                    .collect();
                let g: [u8; 16] = raw.try_into().unwrap();
                assert_eq!(t.gpt[n - 1].guid, partition::guid(&g));
            }
            _ => {}
        }
    }
}

#[test]
fn partition_past_the_end_is_clamped() {
    // The GPT disk cut in the middle of partition 1.
    let bytes = gunzip("gpt.img.gz", 2 << 20);
    let blob = Blob::from_vec(bytes);
    let c = disk::open(&blob, &Limits::default()).unwrap();
    assert_eq!(c.entries.len(), 2);
    assert_eq!(c.errors.len(), 2, "{:?}", c.errors);
    assert_eq!(
        c.entries[0].data,
        Data::Range(reprodiff_formats::Extent {
            offset: 1 << 20,
            len: 1 << 20
        })
    );
    assert_eq!(c.entries[1].size, 0);
}

/// Truncations and byte flips must give errors, never panics or hangs.
#[test]
fn hostile_disk() {
    let limits = Limits::default();
    let mut rng = Lcg(0x9e37_79b9_7f4a_7c15);
    let run = |bytes: Vec<u8>| {
        let blob = Blob::from_vec(bytes);
        let _ = detect(blob.bytes());
        let _ = disk::looks_like_disk(blob.bytes());
        let _ = partition::parse(blob.bytes(), 512);
        let _ = partition::parse(blob.bytes(), 4096);
        if let Ok(c) = disk::open(&blob, &limits) {
            for i in 0..c.entries.len() {
                if let Ok(p) = c.read(i, &limits) {
                    if detect(p.bytes()) == Some(Format::Fat) {
                        if let Ok(fs) = fat::open(&p, &limits) {
                            for j in 0..fs.entries.len() {
                                let _ = fs.read(j, &limits);
                            }
                        }
                    }
                }
            }
        }
    };
    // The tables live in the first 17 KiB; the MBR disk's EBRs and FAT12
    // partition within its first 1 MiB.
    let images = [
        gunzip("gpt.img.gz", 64 << 10),
        gunzip("mbr.img.gz", 1 << 20),
        common::read("disk", "isohybrid-sysarea.bin"),
    ];
    for img in &images {
        for k in 0..100 {
            run(img[..k * img.len() / 100].to_vec());
            run(img[..(rng.next() as usize % 20000).min(img.len())].to_vec());
        }
        for _ in 0..700 {
            let mut m = img.clone();
            for _ in 0..1 + rng.next() % 4 {
                // Mostly the table sectors, sometimes anywhere.
                let span = if rng.next().is_multiple_of(4) {
                    m.len() as u64
                } else {
                    (18 << 10).min(m.len() as u64)
                };
                let at = (rng.next() % span) as usize;
                let ebr = [900 * 512, 1199 * 512];
                let at = if rng.next().is_multiple_of(5) {
                    ebr[at % 2] + 440 + at % 72
                } else {
                    at
                };
                if let Some(b) = m.get_mut(at) {
                    damage(b, &mut rng);
                }
            }
            run(m);
        }
    }
}
