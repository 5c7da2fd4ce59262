//! The ar/.deb reader against packages built by dpkg-deb and an archive built
//! by GNU ar (testdata/gen/deb.sh), checked line by line against the tools'
//! own listings, plus mutation tests on hostile copies.
#![allow(clippy::unwrap_used)] // fixtures are ours; a failed unwrap is a failed test

mod common;

use common::{field, minutes, Lcg};
use reprodiff_formats::model::{civil_from_days, Region};
use reprodiff_formats::{ar, tar, Blob, Container, Data, Kind, Limits, Owner};

fn load(name: &str) -> Blob {
    Blob::from_vec(common::read("deb", name))
}

fn listing(name: &str) -> String {
    common::read_text("deb", name)
}

/// `ar tv`'s date column: "Nov 14 22:13 2023".
fn ar_date(secs: i64) -> String {
    const MON: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d) = civil_from_days(secs.div_euclid(86400));
    let s = secs.rem_euclid(86400);
    format!(
        "{} {d} {:02}:{:02} {y}",
        MON[m as usize - 1],
        s / 3600,
        s / 60 % 60
    )
}

fn perms(s: &str) -> u32 {
    s.chars()
        .zip((0..9).rev())
        .map(|(c, bit)| if c == '-' { 0 } else { 1 << bit })
        .sum()
}

/// Checks entries against `ar tv` lines: "rw-r--r-- 0/0  4 Nov 14 22:13 2023 name".
fn check_ar_tv(c: &Container, tv: &str) {
    let lines: Vec<&str> = tv.lines().collect();
    assert_eq!(c.entries.len(), lines.len());
    for (e, line) in c.entries.iter().zip(lines) {
        let t: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(e.path, t[7], "{line}");
        assert_eq!(e.kind, Kind::File);
        assert_eq!(e.meta.mode, Some(perms(t[0])), "{line}");
        let (u, g) = t[1].split_once('/').unwrap();
        assert_eq!(e.meta.uid, Some(u.parse().unwrap()));
        assert_eq!(e.meta.gid, Some(g.parse().unwrap()));
        assert_eq!(e.size, t[2].parse::<u64>().unwrap(), "{line}");
        assert_eq!(ar_date(e.meta.mtime.unwrap().secs), t[3..7].join(" "));
    }
}

/// Regions must tile the archive from byte 0 to its end, in order.
fn check_tiling(c: &Container, end: u64) {
    let mut r: Vec<&Region> = c.regions.iter().collect();
    r.sort_by_key(|r| r.offset);
    let mut at = 0;
    for x in r {
        assert_eq!(x.offset, at, "gap or overlap at {at}: {:?}", c.regions);
        at += x.len;
    }
    assert_eq!(at, end);
}

fn xz(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    liblzma::read::XzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn zst(b: &[u8]) -> Vec<u8> {
    zstd::stream::decode_all(b).unwrap()
}

use std::io::Read;

/// Checks a decoded data tar against `dpkg-deb -c`: owner names, minutes.
fn check_contents(t: &Container, listing: &str) {
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(t.entries.len(), lines.len());
    for (e, line) in t.entries.iter().zip(lines) {
        let t: Vec<&str> = line
            .splitn(6, char::is_whitespace)
            .filter(|s| !s.is_empty())
            .collect();
        let rest: Vec<&str> = line.split_whitespace().collect();
        let (path, target) = match rest[5..].join(" ").split_once(" -> ") {
            Some((p, l)) => (p.to_string(), Some(l.to_string())),
            None => (rest[5..].join(" "), None),
        };
        assert_eq!(e.path, path);
        assert_eq!(e.meta.target, target);
        let kind = match &t[0][..1] {
            "d" => Kind::Dir,
            "l" => Kind::Symlink,
            "-" => Kind::File,
            k => panic!("kind {k}"),
        };
        assert_eq!(e.kind, kind, "{line}");
        assert_eq!(e.meta.mode, Some(perms(&rest[0][1..])), "{line}");
        assert_eq!(e.meta.user.as_deref(), Some("root"));
        assert_eq!(e.meta.group.as_deref(), Some("root"));
        assert_eq!(format!("{}/{}", "root", "root"), rest[1]);
        assert_eq!(e.size, rest[2].parse::<u64>().unwrap(), "{line}");
        assert_eq!(
            minutes(e.meta.mtime.unwrap().secs),
            format!("{} {}", rest[3], rest[4])
        );
    }
}

fn check_deb(name: &str, compressor: &str, decode: fn(&[u8]) -> Vec<u8>) {
    let blob = load(name);
    let c = ar::open(&blob, &Limits::default()).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    check_ar_tv(&c, &listing(&format!("{name}.ar-tv")));
    check_tiling(&c, blob.len());
    assert_eq!(field(&c.fields, "ar.variant"), Some("common"));
    assert_eq!(field(&c.fields, "deb.format_version"), Some("2.0"));
    let members = format!("debian-binary control.tar.{compressor} data.tar.{compressor}");
    assert_eq!(field(&c.fields, "deb.members"), Some(members.as_str()));
    // dpkg-deb writes full st_mode and no GNU trailing slash.
    let e0 = &c.entries[0];
    assert_eq!(field(&e0.meta.extra, "ar.mode"), Some("100644"));
    assert_eq!(field(&e0.meta.extra, "ar.name"), Some("debian-binary"));
    // The date reads as the time it is, its raw digits kept in the display.
    assert_eq!(
        field(&e0.meta.extra, "ar.date"),
        Some("2023-11-14T22:13:20Z (1700000000)")
    );
    assert_eq!(
        e0.data,
        Data::Range(reprodiff_formats::Extent { offset: 68, len: 4 })
    );
    assert_eq!(c.read(0, &Limits::default()).unwrap().bytes(), b"2.0\n");
    // Through the crate's entry point too.
    let via = reprodiff_formats::open(&blob, &Limits::default())
        .unwrap()
        .unwrap();
    assert_eq!(via.entries, c.entries);

    let ctrl = c.read(1, &Limits::default()).unwrap();
    let ctrl = tar::open(&Blob::from_vec(decode(ctrl.bytes())), &Limits::default()).unwrap();
    assert!(ctrl.errors.is_empty(), "{:?}", ctrl.errors);
    let paths: Vec<&str> = ctrl.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["./", "./conffiles", "./control"]);
    // `--ctrl-tarfile | tar tv --full-time --numeric-owner`: sizes, owners, seconds.
    let tv = listing(&format!("{name}.control-tv"));
    for (e, line) in ctrl.entries.iter().zip(tv.lines()) {
        let t: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(e.path, t[5]);
        assert_eq!(e.size, t[2].parse::<u64>().unwrap());
        assert_eq!((e.meta.uid, e.meta.gid), (Some(0), Some(0)));
        assert_eq!(t[4], "22:13:20");
        assert_eq!(
            e.meta.mtime,
            Some(reprodiff_formats::Time::from_secs(1_700_000_000))
        );
    }
    assert_eq!(tv.lines().count(), 3);
    let conffiles = ctrl.read(1, &Limits::default()).unwrap();
    let pkg = name.trim_end_matches(".deb");
    assert_eq!(
        conffiles.bytes(),
        format!("/etc/{pkg}/{pkg}.conf\n").as_bytes()
    );

    let data = c.read(2, &Limits::default()).unwrap();
    let data = tar::open(&Blob::from_vec(decode(data.bytes())), &Limits::default()).unwrap();
    assert!(data.errors.is_empty(), "{:?}", data.errors);
    check_contents(&data, &listing(&format!("{name}.contents")));
    let script = data
        .entries
        .iter()
        .position(|e| e.path == format!("./usr/bin/{pkg}"))
        .unwrap();
    assert_eq!(
        data.read(script, &Limits::default()).unwrap().bytes(),
        format!("#!/bin/sh\necho hello from {pkg}\n").as_bytes()
    );
}

#[test]
fn deb_xz_matches_dpkg_and_ar() {
    check_deb("hello-xz.deb", "xz", xz);
}

#[test]
fn deb_zstd_matches_dpkg_and_ar() {
    check_deb("hello-zst.deb", "zst", zst);
}

#[test]
fn gnu_long_names() {
    let blob = load("long-names.a");
    let c = ar::open(&blob, &Limits::default()).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    check_ar_tv(&c, &listing("long-names.a.ar-tv"));
    check_tiling(&c, blob.len());
    assert_eq!(field(&c.fields, "ar.variant"), Some("gnu"));
    assert_eq!(field(&c.fields, "deb.format_version"), None);
    assert_eq!(c.read(0, &Limits::default()).unwrap().bytes(), b"short\n");
    assert_eq!(c.read(1, &Limits::default()).unwrap().bytes(), b"odd\n1");
    assert_eq!(field(&c.entries[1].meta.extra, "ar.name"), Some("/0"));
    assert_eq!(field(&c.entries[1].meta.extra, "ar.mode"), Some("644"));
    // The `//` table and the odd-sized member's padding are mapped.
    assert!(c
        .regions
        .contains(&Region::structure(8, 60, "long-name table header")));
    assert!(c
        .regions
        .contains(&Region::structure(68, 32, "long-name table")));
    let last = c.regions.iter().max_by_key(|r| r.offset).unwrap();
    assert_eq!(*last, Region::structure(blob.len() - 1, 1, "padding"));
    assert!(c
        .regions
        .iter()
        .any(|r| r.owner == Owner::Entry(1) && r.len == 5));
}

fn exercise(bytes: Vec<u8>, open: common::OpenFn) {
    let limits = Limits {
        max_entries: 10_000,
        ..Limits::default()
    };
    let blob = Blob::from_vec(bytes);
    common::open_and_read(&blob, open, &limits);
    let _ = reprodiff_formats::open(&blob, &limits);
}

/// Truncates and corrupts a fixture (and, for a .deb, its decoded control
/// tar) many times; the readers must return, never panic.
fn mutate(orig: &[u8], open: common::OpenFn, seed: u64) {
    let mut rng = Lcg(seed);
    let n = orig.len();
    for cut in (0..n).step_by((n / 300).max(1)) {
        exercise(orig[..cut].to_vec(), open);
    }
    for _ in 0..1200 {
        let mut b = orig.to_vec();
        for _ in 0..1 + rng.next() % 4 {
            let at = (rng.next() as usize) % n;
            b[at] = match rng.next() % 4 {
                0 => 0,
                1 => 0xff,
                2 => b'9',
                _ => rng.next() as u8,
            };
        }
        exercise(b, open);
    }
}

#[test]
fn hostile_ar_inputs_do_not_panic() {
    for (name, seed) in [
        ("hello-xz.deb", 1),
        ("hello-zst.deb", 2),
        ("long-names.a", 3),
    ] {
        mutate(load(name).bytes(), ar::open, seed);
    }
    let deb = load("hello-zst.deb");
    let c = ar::open(&deb, &Limits::default()).unwrap();
    let ctrl = zst(c.read(1, &Limits::default()).unwrap().bytes());
    mutate(&ctrl, tar::open, 4);
}
