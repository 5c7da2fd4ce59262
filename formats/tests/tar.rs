//! The tar reader against archives GNU tar wrote in each header format
//! (testdata/gen/tar.sh), checked line by line against `tar tvf --full-time`,
//! cross-checked with the `tar` crate, plus mutation tests on hostile copies.
#![allow(clippy::unwrap_used)] // fixtures are ours; a failed unwrap is a failed test

mod common;

use common::{field, full_time, Lcg};
use reprodiff_formats::model::Region;
use reprodiff_formats::{tar, Blob, Container, Kind, Limits, Owner, Time};

fn load(name: &str) -> Blob {
    Blob::from_vec(common::read("tar", name))
}

fn listing(name: &str) -> String {
    common::read_text("tar", name)
}

fn open(name: &str) -> Container {
    let c = tar::open(&load(name), &Limits::default()).unwrap();
    assert!(c.errors.is_empty(), "{name}: {:?}", c.errors);
    c
}

fn perms(s: &str) -> u32 {
    s.chars()
        .zip((0..9).rev())
        .map(|(c, bit)| if c == '-' { 0 } else { 1 << bit })
        .sum()
}

/// Checks every entry against a `tar tvf --full-time --numeric-owner` line.
fn check_tv(c: &Container, tv: &str) {
    let lines: Vec<&str> = tv.lines().collect();
    assert_eq!(c.entries.len(), lines.len(), "{:#?}", c.entries);
    for (e, line) in c.entries.iter().zip(lines) {
        let t: Vec<&str> = line.split_whitespace().collect();
        let rest = t[5..].join(" ");
        let (path, target) = if let Some((p, l)) = rest.split_once(" -> ") {
            (p, Some(l))
        } else if let Some((p, l)) = rest.split_once(" link to ") {
            (p, Some(l))
        } else {
            (rest.as_str(), None)
        };
        assert_eq!(e.path, path, "{line}");
        assert_eq!(e.meta.target.as_deref(), target, "{line}");
        let kind = match &t[0][..1] {
            "-" => Kind::File,
            "d" => Kind::Dir,
            "l" => Kind::Symlink,
            "h" => Kind::Hardlink,
            "c" => Kind::CharDevice,
            "b" => Kind::BlockDevice,
            "p" => Kind::Fifo,
            k => panic!("kind {k}"),
        };
        assert_eq!(e.kind, kind, "{line}");
        assert_eq!(e.meta.mode, Some(perms(&t[0][1..])), "{line}");
        assert_eq!(
            format!("{}/{}", e.meta.uid.unwrap(), e.meta.gid.unwrap()),
            t[1]
        );
        match t[2].split_once(',') {
            Some((a, b)) => {
                assert_eq!(e.meta.rdev, Some((a.parse().unwrap(), b.parse().unwrap())));
                assert_eq!(e.size, 0);
            }
            None => assert_eq!(e.size, t[2].parse::<u64>().unwrap(), "{line}"),
        }
        assert_eq!(
            full_time(e.meta.mtime.unwrap()),
            format!("{} {}", t[3], t[4])
        );
        assert_eq!(field(&e.meta.extra, "tar.checksum"), Some("ok"));
    }
}

/// Regions tile the archive from 0 to the end of the end-of-archive blocks.
fn check_tiling(c: &Container) {
    let mut r: Vec<&Region> = c.regions.iter().collect();
    r.sort_by_key(|r| r.offset);
    let mut at = 0;
    for x in &r {
        assert_eq!(x.offset, at, "gap or overlap at {at}: {:#?}", c.regions);
        at += x.len;
    }
    let last = r.last().unwrap();
    assert_eq!(last.owner, Owner::Structure("end-of-archive blocks".into()));
    // GNU tar pads to a 10 KiB record; the rest is ignored.
    assert!(at <= c.source.len());
}

/// The same paths, sizes and offsets as the `tar` crate finds.
fn cross_check(name: &str, c: &Container) {
    let blob = load(name);
    let mut a = ::tar::Archive::new(blob.bytes());
    let mut theirs = Vec::new();
    for e in a.entries().unwrap() {
        let e = e.unwrap();
        if e.header().entry_type().is_pax_global_extensions() {
            continue;
        }
        theirs.push((
            String::from_utf8(e.path_bytes().into_owned()).unwrap(),
            e.size(),
            e.raw_file_position(),
        ));
    }
    let ours: Vec<(String, u64, u64)> = c
        .entries
        .iter()
        .map(|e| {
            let off = match &e.data {
                reprodiff_formats::Data::Range(x) => x.offset,
                _ => {
                    // No data: the crate still reports where it would be.
                    let hdr = c
                        .regions
                        .iter()
                        .find(|r| {
                            let i = c.entries.iter().position(|x| std::ptr::eq(x, e)).unwrap();
                            r.owner == Owner::Structure(format!("header of entry {i}"))
                        })
                        .unwrap();
                    hdr.offset + 512
                }
            };
            // The crate drops a directory's trailing slash only from `path()`, not bytes.
            (e.path.clone(), e.size, off)
        })
        .collect();
    assert_eq!(ours, theirs);
}

fn read(c: &Container, path: &str) -> Vec<u8> {
    let i = c.entries.iter().position(|e| e.path == path).unwrap();
    c.read(i, &Limits::default()).unwrap().bytes().to_vec()
}

#[test]
fn ustar_matches_gnu_tar() {
    let c = open("ustar.tar");
    check_tv(&c, &listing("ustar.tar.tv"));
    check_tiling(&c);
    cross_check("ustar.tar", &c);
    assert_eq!(field(&c.fields, "tar.format"), Some("ustar"));
    assert_eq!(read(&c, "dir/file.txt"), b"hello\n");
    assert_eq!(read(&c, "dir/sub/big.txt"), vec![b'x'; 1000]);
    assert!(read(&c, "dir/hardlink.txt").is_empty());
    let e = &c.entries[1];
    assert_eq!(e.path, "dir/fifo");
    assert_eq!(field(&e.meta.extra, "tar.typeflag"), Some("6"));
    assert_eq!(field(&e.meta.extra, "tar.header_format"), Some("ustar"));
    // --numeric-owner leaves the name fields empty.
    assert_eq!(e.meta.user, None);
    // Data of dir/file.txt is the block after its header (third member).
    assert_eq!(c.entries[2].data.offset(), Some(3 * 512));
}

#[test]
fn v7_matches_gnu_tar() {
    let c = open("v7.tar");
    check_tv(&c, &listing("v7.tar.tv"));
    check_tiling(&c);
    cross_check("v7.tar", &c);
    assert_eq!(field(&c.fields, "tar.format"), Some("v7"));
    assert_eq!(read(&c, "dir/run.sh"), b"#!/bin/sh\nexit 0\n");
}

#[test]
fn gnu_long_names_and_links() {
    let c = open("gnu.tar");
    check_tv(&c, &listing("gnu.tar.tv"));
    check_tiling(&c);
    cross_check("gnu.tar", &c);
    assert_eq!(field(&c.fields, "tar.format"), Some("gnu"));
    assert_eq!(c.entries[0].path, "./");
    let link = &c.entries[5];
    assert!(link.path.len() > 100 && link.meta.target.as_ref().unwrap().len() > 100);
    assert_eq!(link.meta.user.as_deref(), None);
    // The long link target and long name each took a header and a data block.
    let names: Vec<&str> = c
        .regions
        .iter()
        .filter_map(|r| match &r.owner {
            Owner::Structure(s) if s.ends_with("of entry 5") => Some(s.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        names,
        [
            "gnu long-link header of entry 5",
            "gnu long link of entry 5",
            "gnu long-name header of entry 5",
            "gnu long name of entry 5",
            "header of entry 5"
        ]
    );
    assert!(read(&c, &c.entries[4].path.clone()) == b"deep\n");
}

#[test]
fn pax_times_xattrs_and_globals() {
    let c = open("pax.tar");
    check_tv(&c, &listing("pax.tar.tv"));
    check_tiling(&c);
    cross_check("pax.tar", &c);
    assert_eq!(field(&c.fields, "tar.format"), Some("pax"));
    assert_eq!(
        field(&c.fields, "pax_global.comment"),
        Some("global-fixture-comment")
    );
    let attr = &c.entries[0];
    assert_eq!(attr.path, "attr.txt");
    assert_eq!(
        attr.meta.xattrs,
        vec![("user.reprodiff".to_string(), b"fixture-value".to_vec())]
    );
    assert_eq!(
        attr.meta.mtime,
        Some(Time {
            secs: 1_700_000_000,
            nanos: 123_456_789
        })
    );
    assert_eq!(c.entries[1].meta.xattrs, vec![]);
    let deep = c.entries.last().unwrap();
    assert!(deep.path.ends_with(&format!("{}.txt", "x".repeat(110))));
    assert_eq!(read(&c, &deep.path.clone()), b"deep\n");
    assert_eq!(read(&c, "attr.txt"), b"with attributes\n");
}

fn exercise(bytes: Vec<u8>) {
    let limits = Limits {
        max_entries: 10_000,
        ..Limits::default()
    };
    let blob = Blob::from_vec(bytes);
    common::open_and_read(&blob, tar::open, &limits);
    let _ = reprodiff_formats::open(&blob, &limits);
}

/// Mutations aimed at the first blocks, where the headers are: flips spread
/// over a 10 KiB archive would mostly land in padding.
#[test]
fn hostile_tar_inputs_do_not_panic() {
    let mut rng = Lcg(7);
    for name in [
        "ustar.tar",
        "v7.tar",
        "gnu.tar",
        "pax.tar",
        "sparse-gnu.tar",
        "sparse-pax.tar",
    ] {
        let orig = load(name).bytes().to_vec();
        let used = orig
            .chunks(512)
            .rposition(|b| b.iter().any(|&x| x != 0))
            .map_or(orig.len(), |i| (i + 3) * 512);
        for cut in (0..used).step_by(37) {
            exercise(orig[..cut].to_vec());
        }
        for _ in 0..1000 {
            let mut b = orig.clone();
            for _ in 0..1 + rng.next() % 3 {
                let at = (rng.next() as usize) % used;
                b[at] = match rng.next() % 5 {
                    0 => 0,
                    1 => 0xff,
                    2 => b'7',
                    3 => b' ',
                    _ => rng.next() as u8,
                };
            }
            // Keep the checksum right half the time, so the fields behind it are reached.
            if rng.next().is_multiple_of(2) {
                fix_checksums(&mut b);
            }
            exercise(b);
        }
    }
}

/// Recomputes the checksum of every block that looks like a header.
fn fix_checksums(b: &mut [u8]) {
    for h in b.chunks_mut(512) {
        if h.len() < 512 || h.iter().all(|&x| x == 0) {
            continue;
        }
        let sum: u32 = h
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(x)
                }
            })
            .sum();
        let s = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(s.as_bytes());
    }
}

#[test]
fn hostile_lengths_are_bounded() {
    // A long-name entry claiming far more bytes than exist.
    let mut h = vec![0u8; 512];
    h[..13].copy_from_slice(b"././@LongLink");
    h[124..136].copy_from_slice(b"77777777777\0");
    h[156] = b'L';
    h[257..265].copy_from_slice(b"ustar  \0");
    fix_checksums(&mut h);
    let c = tar::open(&Blob::from_vec(h.clone()), &Limits::default()).unwrap();
    assert!(c.entries.is_empty());
    assert_eq!(c.errors.len(), 1);
    // A base-256 size of 2^95.
    h[124] = 0x80;
    h[125..136].copy_from_slice(&[0xff; 11]);
    fix_checksums(&mut h);
    let c = tar::open(&Blob::from_vec(h.clone()), &Limits::default()).unwrap();
    assert!(c.entries.is_empty() && c.errors.len() == 1);
    // A bad checksum on the first header: not a tar at all.
    h[0] ^= 1;
    assert!(tar::open(&Blob::from_vec(h), &Limits::default()).is_err());
    // Entry cap.
    let many = load("ustar.tar");
    let c = tar::open(
        &many,
        &Limits {
            max_entries: 3,
            ..Limits::default()
        },
    );
    assert!(c.is_err());
}

#[test]
fn sparse_members_are_listed_and_flagged() {
    for (name, how) in [("sparse-gnu.tar", "gnu"), ("sparse-pax.tar", "pax")] {
        let c = tar::open(&load(name), &Limits::default()).unwrap();
        let tv = listing(&format!("{name}.tv"));
        check_tv(&c, &tv);
        check_tiling(&c);
        let holes = &c.entries[0];
        assert_eq!(holes.path, "holes.bin");
        assert_eq!(holes.size, 6 * 65536);
        assert_eq!(holes.data, reprodiff_formats::Data::None);
        assert_eq!(field(&holes.meta.extra, "tar.sparse"), Some(how));
        assert_eq!(field(&holes.meta.extra, "tar.stored_size"), Some("24576"));
        // One error for the sparse member; the member after it still lists.
        assert_eq!(c.errors.len(), 1, "{:?}", c.errors);
        assert_eq!(read(&c, "plain.txt"), b"plain\n");
    }
    // Six runs do not fit the four map slots of the old GNU header.
    let c = tar::open(&load("sparse-gnu.tar"), &Limits::default()).unwrap();
    assert!(c
        .regions
        .contains(&Region::structure(512, 512, "gnu sparse map of entry 0")));
}

/// Names that are not UTF-8 stay apart: `a\xff` and `a\xfe` are two
/// members, and neither is the member whose name is the text `a\xff`.
#[test]
fn names_that_are_not_utf8_stay_distinct() {
    let names: [&[u8]; 3] = [b"a\xff", b"a\xfe", br"a\xff"];
    let mut b = Vec::new();
    for name in names {
        let mut h = vec![0u8; 512];
        h[..name.len()].copy_from_slice(name);
        h[100..108].copy_from_slice(b"0000644\0");
        h[124..136].copy_from_slice(b"00000000000\0");
        h[156] = b'0';
        h[257..265].copy_from_slice(b"ustar\x0000");
        b.extend_from_slice(&h);
    }
    b.extend_from_slice(&[0u8; 1024]);
    fix_checksums(&mut b);
    let c = tar::open(&Blob::from_vec(b), &Limits::default()).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let e = &c.entries;
    assert_eq!(e.len(), 3);
    assert_eq!(e[0].path, r"a\xff");
    assert_eq!(e[1].path, r"a\xfe");
    assert_eq!(e[0].raw_path.as_deref(), Some(&b"a\xff"[..]));
    assert_eq!(e[1].raw_path.as_deref(), Some(&b"a\xfe"[..]));
    // The text name displays like the byte name but is a name of its own.
    assert_eq!(e[2].path, r"a\xff");
    assert_eq!(e[2].raw_path, None);
    let keys: std::collections::HashSet<_> = e.iter().map(|e| e.pair_key()).collect();
    assert_eq!(keys.len(), 3);
}
