//! FAT reader against images made by mkfs.fat and populated by mtools
//! (testdata/gen/fat.sh): names, order, sizes, mtimes against `mdir`,
//! cluster chains against `mshowfat`, contents against sha256 of the sources,
//! and a hostile-input sweep.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use common::{damage, minutes, sha256_hex, Lcg};
use reprodiff_formats::{detect, fat, Blob, Container, Data, Format, Kind, Limits, Owner};

/// A fixture's bytes, inflated when it is gzip'd.
fn fixture(name: &str) -> Vec<u8> {
    if name.ends_with(".gz") {
        common::gunzip("fat", name, u64::MAX)
    } else {
        common::read("fat", name)
    }
}

fn text(name: &str) -> String {
    common::read_text("fat", name)
}

fn field<'a>(c: &'a Container, name: &str) -> &'a str {
    common::must_field(&c.fields, name)
}

fn extra<'a>(c: &'a Container, path: &str, name: &str) -> &'a str {
    let e = c.entries.iter().find(|e| e.path == path).unwrap();
    common::extra(e, name).unwrap()
}

/// One `mdir -/ -a` line: (path, size or None for a directory, "YYYY-MM-DD HH:MM").
fn mdir(listing: &str) -> Vec<(String, Option<u64>, String)> {
    let mut out = Vec::new();
    let mut dir = String::new();
    for line in listing.lines() {
        if let Some(d) = line.strip_prefix("Directory for ::/") {
            dir = d.to_string();
            continue;
        }
        let toks: Vec<&str> = line.split_whitespace().collect();
        let Some(di) = toks
            .iter()
            .position(|t| t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-')
        else {
            continue;
        };
        if di < 2 || toks[0] == "." || toks[0] == ".." {
            continue;
        }
        let time = toks[di + 1];
        let size = toks[di - 1];
        let short = toks[..di - 1].join(".");
        let after = line.find(toks[di]).unwrap() + toks[di].len();
        let long = line[after..]
            .trim_start()
            .strip_prefix(time)
            .unwrap()
            .trim();
        let name = if long.is_empty() {
            short
        } else {
            long.to_string()
        };
        let path = if dir.is_empty() {
            name
        } else {
            format!("{dir}/{name}")
        };
        let size = (size != "<DIR>").then(|| size.parse().unwrap());
        let (h, m) = time.split_once(':').unwrap();
        out.push((
            path,
            size,
            format!("{} {:02}:{m}", toks[di], h.parse::<u32>().unwrap()),
        ));
    }
    out
}

fn open(bytes: Vec<u8>) -> Container {
    let blob = Blob::from_vec(bytes);
    assert_eq!(detect(blob.bytes()), Some(Format::Fat));
    let c = fat::open(&blob, &Limits::default()).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    c
}

/// Checks one populated image against every listing the tools made.
fn check_image(img: &str, base: &str, serial: &str, label: &str, kind: &str) -> Container {
    let c = open(fixture(img));
    assert_eq!(field(&c, "fat.type"), kind);
    assert_eq!(field(&c, "boot.volume_serial"), serial);
    assert_eq!(field(&c, "boot.volume_label"), label);
    assert_eq!(field(&c, "boot.oem_name"), "mkfs.fat");
    assert_eq!(field(&c, "root.volume_label"), label);

    // Names, on-disk order, sizes and minutes exactly as mdir shows them.
    let want = mdir(&text(&format!("{base}.mdir")));
    let got: Vec<(String, Option<u64>, String)> = c
        .entries
        .iter()
        .map(|e| {
            let size = (e.kind == Kind::File).then_some(e.size);
            (e.path.clone(), size, minutes(e.meta.mtime.unwrap().secs))
        })
        .collect();
    // mdir lists each directory after its parent is done; we list depth
    // first. Same records, same order within each directory.
    let mut w = want.clone();
    let mut g = got.clone();
    w.sort();
    g.sort();
    assert_eq!(g, w);
    let parent = |p: &str| {
        p.rsplit_once('/')
            .map(|x| x.0.to_string())
            .unwrap_or_default()
    };
    for dir in want.iter().map(|x| parent(&x.0)) {
        let a: Vec<_> = want.iter().filter(|x| parent(&x.0) == dir).collect();
        let b: Vec<_> = got.iter().filter(|x| parent(&x.0) == dir).collect();
        assert_eq!(a, b, "order in {dir:?}");
    }
    let root: Vec<&str> = c
        .entries
        .iter()
        .filter(|e| !e.path.contains('/'))
        .map(|e| e.path.as_str())
        .collect();
    assert_eq!(
        root,
        [
            "zeta.txt",
            "EFI",
            "alpha.txt",
            "lower.txt",
            "UPPER.TXT",
            "A long file name with spaces.text",
            "café naïve.txt",
            "deep",
            "big.bin",
            "empty.txt",
            "frag"
        ]
    );

    // Exact times: touch -d @(1700000000 + i*3662), i = rank of the path.
    let e = c
        .entries
        .iter()
        .find(|e| e.path == "EFI/BOOT/BOOTX64.EFI")
        .unwrap();
    assert_eq!(e.meta.mtime.unwrap().secs, 1_700_000_000 + 3 * 3662);
    assert_eq!(e.meta.mtime.unwrap().nanos, 0);
    assert_eq!(
        extra(&c, "EFI/BOOT/BOOTX64.EFI", "fat.short_name"),
        "BOOTX64.EFI"
    );
    assert_eq!(extra(&c, "lower.txt", "fat.short_name"), "LOWER.TXT");
    assert_eq!(
        extra(&c, "café naïve.txt", "fat.short_name"),
        "CAFÉNA~1.TXT"
    );
    assert_eq!(extra(&c, "EFI", "fat.attributes"), "0x10");
    assert_eq!(extra(&c, "zeta.txt", "fat.attributes"), "0x20");

    // Cluster chains as mshowfat prints them.
    let bps: u64 = field(&c, "boot.bytes_per_sector").parse().unwrap();
    let spc: u64 = field(&c, "boot.sectors_per_cluster").parse().unwrap();
    let reserved: u64 = field(&c, "boot.reserved_sectors").parse().unwrap();
    let fats: u64 = field(&c, "boot.fat_count").parse().unwrap();
    let fat_size: u64 = field(&c, "boot.fat_size").parse().unwrap();
    let root_entries: u64 = field(&c, "boot.root_entries").parse().unwrap();
    let data = (reserved + fats * fat_size) * bps + (root_entries * 32).div_ceil(bps) * bps;
    let cs = bps * spc;
    let runs = |ext: Vec<(u64, u64)>| -> String {
        ext.iter()
            .map(|&(off, len)| {
                let a = (off - data) / cs + 2;
                let b = a + len.div_ceil(cs) - 1;
                if a == b {
                    format!("<{a}>")
                } else {
                    format!("<{a}-{b}>")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut checked = 0;
    for line in text(&format!("{base}.showfat")).lines() {
        let (p, chain) = line.split_once('\t').unwrap();
        let p = p.trim_start_matches('/');
        let ext: Vec<(u64, u64)> = if let Some(d) = p.strip_suffix('/') {
            let name = format!("directory:{d}");
            c.regions
                .iter()
                .filter(|r| r.owner == Owner::Structure(name.clone()))
                .map(|r| (r.offset, r.len))
                .collect()
        } else {
            let e = c.entries.iter().find(|e| e.path == p).unwrap();
            match &e.data {
                Data::Extents(v) => v.iter().map(|x| (x.offset, x.len)).collect(),
                d => panic!("{p}: {d:?}"),
            }
        };
        assert_eq!(runs(ext), chain, "{p}");
        checked += 1;
    }
    assert_eq!(checked, 21);

    // Contents, through Container::read (gathering fragmented chains).
    let limits = Limits::default();
    let by_path: HashMap<&str, usize> = c
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path.as_str(), i))
        .collect();
    let sums = text("sha256");
    for line in sums.lines() {
        let (sum, p) = line.split_once("  ").unwrap();
        if p == "frag/b.bin" {
            assert!(!by_path.contains_key(p));
            continue;
        }
        let data = c.read(by_path[p], &limits).unwrap();
        assert_eq!(sha256_hex(data.bytes()), sum, "{p}");
    }
    c
}

#[test]
fn fat12_efi_image() {
    let c = check_image("fat12.img", "fat12", "0BAD-CAFE", "EFIBOOT", "FAT12");
    assert_eq!(field(&c, "boot.fs_type"), "FAT12");
    assert_eq!(field(&c, "boot.total_sectors"), "512");
    assert_eq!(field(&c, "boot.sectors_per_cluster"), "4");
    assert_eq!(field(&c, "boot.media"), "0xf8");
    // d.bin fills the hole b.bin left, then continues after c.bin.
    let d = c.entries.iter().find(|e| e.path == "frag/d.bin").unwrap();
    assert!(matches!(&d.data, Data::Extents(v) if v.len() == 2));
    // Regions: boot sector, two FATs, root directory, then directories.
    let names: Vec<String> = c
        .regions
        .iter()
        .filter_map(|r| match &r.owner {
            Owner::Structure(s) => Some(s.clone()),
            Owner::Entry(_) => None,
        })
        .take(4)
        .collect();
    assert_eq!(names, ["boot_sector", "fat1", "fat2", "root_directory"]);
    assert_eq!(c.regions[3].offset, 512 * 3);
    assert_eq!(c.regions[3].len, 512 * 32);
}

#[test]
fn fat16() {
    let c = check_image("fat16.img.gz", "fat16", "1616-1616", "FAT16VOL", "FAT16");
    assert_eq!(field(&c, "boot.fs_type"), "FAT16");
    assert_eq!(field(&c, "boot.sectors_per_cluster"), "1");
}

#[test]
fn fat32() {
    let c = check_image("fat32.img.gz", "fat32", "3232-3232", "FAT32VOL", "FAT32");
    assert_eq!(field(&c, "boot.fs_type"), "FAT32");
    assert_eq!(field(&c, "boot.root_cluster"), "2");
    assert_eq!(field(&c, "boot.fsinfo_sector"), "1");
    assert_eq!(field(&c, "boot.backup_boot_sector"), "6");
    assert_eq!(field(&c, "boot.backup_matches"), "true");
    // mtools searched from the start (the generator reset the next-free
    // hint to force fragmentation), then left the hint at d.bin's end.
    assert_eq!(field(&c, "fsinfo.next_free"), "244");
    assert!(c
        .regions
        .iter()
        .any(|r| r.offset == 512 && r.owner == Owner::Structure("fsinfo".into())));
    assert!(c
        .regions
        .iter()
        .any(|r| r.offset == 6 * 512 && r.owner == Owner::Structure("backup_boot_sector".into())));
}

#[test]
fn fat32_with_few_clusters() {
    let c = open(fixture("fat32-small.img.gz"));
    assert_eq!(field(&c, "fat.type"), "FAT32");
    assert_eq!(field(&c, "boot.volume_serial"), "3210-ABCD");
    assert_eq!(field(&c, "boot.volume_label"), "TINY32");
    assert_eq!(field(&c, "root.volume_label"), "TINY32");
    let clusters: u64 = field(&c, "boot.cluster_count").parse().unwrap();
    assert!(clusters < 65525, "{clusters}");
    assert!(c.entries.is_empty());
}

/// Truncations and byte flips must give errors, never panics or hangs.
#[test]
fn hostile_fat() {
    let limits = Limits::default();
    // The populated part of the FAT32 image (its FATs, directories and files
    // all lie in the first 640 KiB) keeps each mutation cheap.
    let fat32 = common::gunzip("fat", "fat32.img.gz", 640 << 10);
    let images = [fixture("fat12.img"), fixture("fat16.img.gz"), fat32];
    let mut rng = Lcg(0x2545_f491_4f6c_dd1d);
    let run = |bytes: Vec<u8>| {
        let blob = Blob::from_vec(bytes);
        common::open_and_read(&blob, fat::open, &limits);
        let _ = detect(blob.bytes());
    };
    for img in &images {
        let c = fat::open(&Blob::from_vec(img.clone()), &limits).unwrap();
        // Bytes worth hitting: boot sector, FATs, directories (not file data).
        let hot: Vec<(u64, u64)> = c
            .regions
            .iter()
            .filter(|r| matches!(r.owner, Owner::Structure(_)))
            .map(|r| (r.offset, r.len.min(8192)))
            .collect();
        for k in 0..120 {
            let cut = (k * img.len() / 120).max(1) - 1;
            run(img[..cut].to_vec());
            run(img[..(rng.next() as usize % 4096).min(img.len())].to_vec());
        }
        for _ in 0..900 {
            let mut m = img.clone();
            for _ in 0..1 + rng.next() % 4 {
                let (off, len) = hot[rng.next() as usize % hot.len()];
                let at = (off + rng.next() % len.max(1)) as usize;
                if let Some(b) = m.get_mut(at) {
                    damage(b, &mut rng);
                }
            }
            run(m);
        }
    }
}

/// The digest the content checks compare with `sha256sum`'s listing.
#[test]
fn sha256_known_value() {
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

fn set_fat12(img: &mut [u8], fat_at: usize, n: usize, v: u16) {
    let at = fat_at + n + n / 2;
    let cur = u16::from_le_bytes([img[at], img[at + 1]]);
    let new = if n % 2 == 1 {
        (cur & 0x000f) | (v << 4)
    } else {
        (cur & 0xf000) | (v & 0x0fff)
    };
    img[at..at + 2].copy_from_slice(&new.to_le_bytes());
}

/// fat12.img with cluster `n` pointing at `v` in both FAT copies (one
/// sector each, after the one reserved sector), opened.
fn relinked(n: usize, v: u16) -> Container {
    let mut img = fixture("fat12.img");
    for fat in [512, 1024] {
        set_fat12(&mut img, fat, n, v);
    }
    fat::open(&Blob::from_vec(img), &Limits::default()).unwrap()
}

#[test]
fn chain_loop_is_an_error_not_a_hang() {
    // BOOTX64.EFI is <6-20>: send its last cluster back to its first.
    let c = relinked(20, 6);
    // The file needs exactly 15 clusters, so its data is still whole; the
    // chain going on past them is what gets reported.
    assert!(
        c.errors
            .iter()
            .any(|e| format!("{e}").contains("chain longer than the file size")),
        "{:?}",
        c.errors
    );
    let c = relinked(10, 8);
    assert_loop_error(&c);
}

fn assert_loop_error(c: &Container) {
    assert!(
        c.errors
            .iter()
            .any(|e| matches!(e.kind, reprodiff_formats::ErrorKind::Loop(_))),
        "{:?}",
        c.errors
    );
}

/// The directory structure `dir`'s start in `img`, and the index of its
/// 32-byte record whose short name starts with `name`.
fn record(c: &Container, img: &[u8], dir: &str, name: &[u8]) -> (usize, usize) {
    let r = c
        .regions
        .iter()
        .find(|r| r.owner == Owner::Structure(dir.into()))
        .unwrap();
    let span = r.offset as usize..(r.offset + r.len) as usize;
    let start = span.start;
    let i = img[span]
        .chunks(32)
        .position(|x| x.starts_with(name))
        .unwrap();
    (start, i)
}

#[test]
fn directory_cycle_is_an_error_not_a_hang() {
    let mut img = fixture("fat12.img");
    let c = open(img.clone());
    // Point level3's directory entry (in level2's cluster) at `deep`.
    let deep: u16 = extra(&c, "deep", "fat.first_cluster").parse().unwrap();
    let (start, rec) = record(&c, &img, "directory:deep/level1/level2", b"LEVEL3     ");
    let at = start + rec * 32 + 26;
    img[at..at + 2].copy_from_slice(&deep.to_le_bytes());
    let c = fat::open(&Blob::from_vec(img), &Limits::default()).unwrap();
    assert_loop_error(&c);
    assert!(c
        .entries
        .iter()
        .any(|e| e.path == "deep/level1/level2/level3"));
    assert!(!c.entries.iter().any(|e| e.path.contains("level3/")));
}

#[test]
fn long_name_with_bad_checksum_falls_back_to_short_name() {
    let mut img = fixture("fat12.img");
    let c = open(img.clone());
    // Every LFN record of "A long file name with spaces.text" carries the
    // checksum at byte 13; corrupt them all consistently.
    let (start, short) = record(&c, &img, "root_directory", b"ALONGF~1TEX");
    let mut i = short;
    while i > 0 && img[start + (i - 1) * 32 + 11] == 0x0f {
        img[start + (i - 1) * 32 + 13] ^= 0x5a;
        i -= 1;
    }
    assert!(i < short);
    let c = fat::open(&Blob::from_vec(img), &Limits::default()).unwrap();
    assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
    assert!(c.entries.iter().any(|e| e.path == "ALONGF~1.TEX"));
}
