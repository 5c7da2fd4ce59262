//! cpio archives and Debian-style initrds against fixtures made by GNU cpio,
//! the compressors and mkinitramfs' recipe (testdata/gen/cpio.sh), compared
//! with `cpio -tv` and `unmkinitramfs --list` listings.

mod common;

use common::{extra, Lcg};
use reprodiff_formats::{
    cpio, open, Blob, Container, Data, Entry, Field, Format, Kind, Limits, Owner,
};

fn load(name: &str) -> Blob {
    let p = common::fixture_path("cpio", name);
    Blob::open(&p).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn text(name: &str) -> String {
    common::read_text("cpio", name)
}

fn container(b: &Blob) -> Container {
    match open(b, &Limits::default()) {
        Ok(Some(c)) => c,
        Ok(None) => panic!("not a container"),
        Err(e) => panic!("{e}"),
    }
}

fn field<'a>(c: &'a Container, name: &str) -> Option<&'a str> {
    common::field(&c.fields, name)
}

/// Permission bits from an `ls -l` style mode string (`rwsr-xr-t` and all).
fn perms(s: &str) -> u32 {
    let c: Vec<char> = s.chars().collect();
    let mut m = 0;
    for (i, bit) in [0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1]
        .iter()
        .enumerate()
    {
        if !matches!(c.get(i + 1), Some('-') | Some('S') | Some('T') | None) {
            m |= bit;
        }
    }
    if matches!(c.get(3), Some('s' | 'S')) {
        m |= 0o4000;
    }
    if matches!(c.get(6), Some('s' | 'S')) {
        m |= 0o2000;
    }
    if matches!(c.get(9), Some('t' | 'T')) {
        m |= 0o1000;
    }
    m
}

/// Checks every member against `cpio -tv --numeric-uid-gid` output.
fn check_against_listing(c: &Container, listing: &str) {
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(c.entries.len(), lines.len());
    for (e, line) in c.entries.iter().zip(lines) {
        let w: Vec<&str> = line.split_whitespace().collect();
        let kind = match w[0].chars().next() {
            Some('d') => Kind::Dir,
            Some('l') => Kind::Symlink,
            Some('c') => Kind::CharDevice,
            Some('b') => Kind::BlockDevice,
            Some('p') => Kind::Fifo,
            Some('s') => Kind::Socket,
            _ => Kind::File,
        };
        assert_eq!(e.kind, kind, "{line}");
        assert_eq!(e.meta.mode, Some(perms(w[0])), "{line}");
        assert_eq!(
            e.meta.nlink.map(|n| n.to_string()).as_deref(),
            Some(w[1]),
            "{line}"
        );
        assert_eq!(
            e.meta.uid.map(|n| n.to_string()).as_deref(),
            Some(w[2]),
            "{line}"
        );
        assert_eq!(
            e.meta.gid.map(|n| n.to_string()).as_deref(),
            Some(w[3]),
            "{line}"
        );
        assert_eq!(e.meta.mtime.map(|t| t.secs), Some(1_700_000_000), "{line}");
        // Device lines are "maj, min" where others show the size.
        let rest = if matches!(kind, Kind::CharDevice | Kind::BlockDevice) {
            let maj = w[4].trim_end_matches(',');
            assert_eq!(
                e.meta.rdev.map(|r| (r.0.to_string(), r.1.to_string())),
                Some((maj.to_string(), w[5].to_string())),
                "{line}"
            );
            &w[9..]
        } else {
            assert_eq!(e.size.to_string(), w[4], "{line}");
            &w[8..]
        };
        let name = rest.join(" ");
        match name.split_once(" -> ") {
            Some((n, t)) => {
                assert_eq!(e.path, n);
                assert_eq!(e.meta.target.as_deref(), Some(t));
            }
            None => assert_eq!(e.path, name),
        }
    }
}

#[test]
fn tree_in_every_format_matches_cpio_listing() {
    for (fmt, name) in [
        ("newc", "newc"),
        ("crc", "crc"),
        ("odc", "odc"),
        ("bin", "bin-le"),
    ] {
        let b = load(&format!("tree-{fmt}.cpio"));
        assert_eq!(reprodiff_formats::detect(b.bytes()), Some(Format::Cpio));
        let c = container(&b);
        assert_eq!(field(&c, "cpio.format"), Some(name), "{fmt}");
        assert!(c.errors.is_empty(), "{fmt}: {:?}", c.errors);
        check_against_listing(&c, &text(&format!("tree-{fmt}.cpio.tvn.txt")));
        let find = |p: &str| {
            c.entries
                .iter()
                .position(|e| e.path == p)
                .unwrap_or_else(|| panic!("{fmt}: no {p}"))
        };
        let read = |i| c.read(i, &Limits::default()).map(|b| b.bytes().to_vec());
        assert_eq!(
            read(find("etc/hostname")).ok().as_deref(),
            Some(&b"fixture\n"[..])
        );
        assert_eq!(read(find("data.bin")).map(|v| v.len()).ok(), Some(1001));
        assert_eq!(
            read(find("hard2")).ok().as_deref(),
            Some(&b"shared by two names\n"[..])
        );
        // Hard links share an inode; data sits on the last one.
        let (h1, h2) = (&c.entries[find("hard1")], &c.entries[find("hard2")]);
        assert_eq!(h1.meta.inode, h2.meta.inode);
        assert_eq!(h1.meta.nlink, Some(2));
        assert_eq!(c.entries[find("link")].data, Data::None);
        assert_eq!(c.entries[find("dev/null")].meta.rdev, Some((1, 3)));
        // Every data byte is owned by its entry in the region map.
        let i = find("data.bin");
        let Data::Range(x) = c.entries[i].data.clone() else {
            panic!("{fmt}: data.bin has no range")
        };
        assert!(c
            .regions
            .iter()
            .any(|r| r.owner == Owner::Entry(i) && r.offset == x.offset && r.len == 1001));
        assert!(c
            .regions
            .iter()
            .any(|r| r.owner == Owner::Structure("cpio.trailer".into())));
    }
}

#[test]
fn newc_offsets_and_hardlink_layout() {
    let c = container(&load("tree-newc.cpio"));
    // `.` is first: header 110 + "." NUL = 112, no data; bin next at 112.
    assert_eq!(c.entries[0].path, ".");
    assert_eq!(c.regions[0].offset, 0);
    assert_eq!(c.regions[0].len, 110);
    let h1 = c.entries.iter().find(|e| e.path == "hard1");
    assert_eq!(h1.map(|e| e.size), Some(0));
    assert!(c.entries.iter().all(|e| extra(e, "cpio.ino").is_some()));
}

#[test]
fn crc_mismatch_is_reported() {
    let b = load("tree-crc.cpio");
    let c = container(&b);
    let i = c
        .entries
        .iter()
        .position(|e| e.path == "etc/hostname")
        .unwrap_or(0);
    // "fixture\n" sums to 785.
    assert_eq!(extra(&c.entries[i], "cpio.check"), Some("0x00000311"));
    let Some(off) = c.entries[i].data.offset() else {
        panic!("no data")
    };
    let mut v = b.bytes().to_vec();
    v[off as usize] ^= 0x20;
    let bad = container(&Blob::from_vec(v));
    assert_eq!(bad.entries.len(), c.entries.len());
    assert_eq!(bad.errors.len(), 1);
    assert!(bad.errors[0].to_string().contains("etc/hostname"));
}

#[test]
fn absolute_names_lose_the_leading_slash() {
    let c = container(&load("absolute.cpio"));
    let names: Vec<&str> = c.entries.iter().map(|e| e.path.as_str()).collect();
    let listed: Vec<String> = text("absolute.cpio.tv.txt")
        .lines()
        .filter_map(|l| {
            l.split_whitespace()
                .last()
                .map(|n| n.trim_start_matches('/').to_string())
        })
        .collect();
    assert_eq!(names, listed);
    assert_eq!(names[0], "tmp/reprodiff-cpio-fixture/etc");
}

/// Names of `c`'s members, recursing into segments like the walker does.
fn segment_names(c: &Container) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for i in 0..c.entries.len() {
        let b = c
            .read(i, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let inner = container(&b);
        all.push(inner.entries.iter().map(|e| e.path.clone()).collect());
    }
    all
}

#[test]
fn debian_initrds_are_segments() {
    let early = load("early-AuthenticAMD.cpio");
    let early2 = load("early-GenuineIntel.cpio");
    let main = load("main.cpio");
    for (img, codec, stored) in [
        ("initrd-zst.img", Format::Zstd, Some("main.cpio.zst")),
        ("initrd-lz4.img", Format::Lz4, Some("main.cpio.lz4")),
        ("initrd-gz.img", Format::Gzip, None),
        ("initrd-xz.img", Format::Xz, None),
    ] {
        let b = load(img);
        let c = container(&b);
        assert!(c.errors.is_empty(), "{img}: {:?}", c.errors);
        assert_eq!(field(&c, "cpio.segments"), Some("3"), "{img}");
        let names: Vec<&str> = c.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            names,
            ["<segment-1>", "<segment-2>", "<segment-3>"],
            "{img}"
        );
        let fmts: Vec<_> = c
            .entries
            .iter()
            .map(|e| extra(e, "segment.format"))
            .collect();
        assert_eq!(
            fmts,
            [Some("cpio"), Some("cpio"), Some(codec.name())],
            "{img}"
        );
        // Segment 1: the early archive up to its padded trailer; GNU cpio's
        // 512-byte block padding after it belongs to no segment.
        let s1 = c
            .read(0, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s1.len() % 4, 0);
        assert!(early.bytes().starts_with(s1.bytes()));
        assert!(early.bytes()[s1.len() as usize..].iter().all(|&x| x == 0));
        assert!(s1.bytes().windows(11).any(|w| w == b"TRAILER!!!\0"));
        assert_eq!(c.entries[1].data.offset(), Some(early.len()), "{img}");
        assert_eq!(c.entries[2].data.offset(), Some(early.len() + early2.len()));
        let s3 = c
            .read(2, &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            c.entries[2].data.offset().map(|o| o + s3.len()),
            Some(b.len())
        );
        if let Some(stored) = stored {
            assert_eq!(s3.bytes(), load(stored).bytes(), "{img}");
        }
        // The main segment opens through its compression layer.
        let inner = container(&s3);
        assert_eq!(inner.layers, [codec]);
        assert_eq!(inner.source.bytes(), main.bytes(), "{img}");
        check_against_listing(&inner, &text("main.cpio.tvn.txt"));
        let bi = inner
            .entries
            .iter()
            .position(|e| e.path == "conf/build-info");
        let bi = bi.and_then(|i| inner.read(i, &Limits::default()).ok());
        assert!(bi.is_some_and(|b| b.bytes().starts_with(b"BUILD=fixture\n")));
        // unmkinitramfs --list: early, early2 and main, in order.
        let got: Vec<String> = segment_names(&c).concat();
        let want: Vec<String> = text(&format!("{img}.list.txt"))
            .lines()
            .map(String::from)
            .collect();
        assert_eq!(got, want, "{img}");
    }
}

#[test]
fn regions_cover_the_initrd() {
    let b = load("initrd-zst.img");
    let c = container(&b);
    let mut r = c.regions.clone();
    r.sort_by_key(|r| r.offset);
    let mut at = 0;
    for x in &r {
        assert_eq!(x.offset, at, "{r:?}");
        at += x.len;
    }
    assert_eq!(at, b.len());
}

#[test]
fn trailing_garbage_is_a_segment() {
    let mut v = load("initrd-zst.img").bytes().to_vec();
    let n = v.len() as u64;
    v.extend_from_slice(&[0; 16]);
    v.extend_from_slice(b"left over bytes");
    let c = container(&Blob::from_vec(v));
    assert_eq!(c.entries.len(), 4);
    assert_eq!(extra(&c.entries[3], "segment.format"), Some("unknown"));
    assert_eq!(c.entries[3].data.offset(), Some(n + 16));
    assert_eq!(
        c.entries[2].data.offset().map(|o| o + c.entries[2].size),
        Some(n)
    );
}

fn exercise(b: &Blob, lim: &Limits, depth: usize) {
    // Read as a stream too, a member's data read or left.
    let mut n = 0usize;
    let _ = cpio::each_member(&mut b.bytes(), lim, &mut |_, r| {
        n += 1;
        if n.is_multiple_of(2) {
            std::io::copy(r, &mut std::io::sink())
                .map(|_| ())
                .map_err(|e| reprodiff_formats::Error::invalid(Format::Cpio, 0, e.to_string()))
        } else {
            Ok(())
        }
    });
    if let Ok(Some(c)) = open(b, lim) {
        for i in 0..c.entries.len() {
            if let Ok(d) = c.read(i, lim) {
                if depth > 0 && c.entries[i].path.starts_with("<segment-") {
                    exercise(&d, lim, depth - 1);
                }
            }
        }
    }
}

#[test]
fn hostile_cpio_never_panics() {
    let lim = Limits {
        max_entries: 10_000,
        max_decoded: 1 << 20,
        ratio_floor: 1 << 20,
        ..Limits::default()
    };
    let mut rng = Lcg(7);
    let mut runs = 0;
    for name in [
        "tree-newc.cpio",
        "tree-crc.cpio",
        "tree-odc.cpio",
        "tree-bin.cpio",
        "initrd-zst.img",
        "initrd-lz4.img",
        "initrd-gz.img",
    ] {
        let orig = load(name).bytes().to_vec();
        for i in 0..=100 {
            let cut = orig.len() * i / 100;
            exercise(&Blob::from_vec(orig[..cut].to_vec()), &lim, 1);
            runs += 1;
        }
        for _ in 0..300 {
            let mut v = orig.clone();
            for _ in 0..1 + rng.next() % 3 {
                let at = (rng.next() as usize) % v.len();
                // Header digits matter most: random digits and bytes.
                v[at] = match rng.next() % 3 {
                    0 => b"0123456789abcdefTRAILER!"[(rng.next() % 24) as usize],
                    1 => 0,
                    _ => rng.next() as u8,
                };
            }
            exercise(&Blob::from_vec(v), &lim, 1);
            runs += 1;
        }
    }
    assert!(runs > 2500);
}

/// A reader that hands out at most `step` bytes a call, so that every
/// boundary of the stream reader's reads is met.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// Every member `each_member` hands on, with the data it read, and the
/// archive's fields and errors.
type Streamed = (Vec<(Entry, Vec<u8>)>, Vec<Field>, Vec<String>);

fn stream(bytes: &[u8], step: usize) -> Result<Streamed, String> {
    let mut got = Vec::new();
    let mut r = Trickle { bytes, step };
    let (fields, errors) = cpio::each_member(&mut r, &Limits::default(), &mut |e, r| {
        let mut v = Vec::new();
        r.read_to_end(&mut v)
            .map_err(|x| reprodiff_formats::Error::invalid(Format::Cpio, 0, x.to_string()))?;
        got.push((e, v));
        Ok(())
    })
    .map_err(|e| e.to_string())?;
    Ok((
        got,
        fields,
        errors.iter().map(ToString::to_string).collect(),
    ))
}

/// Read as a stream, every fixture archive gives the entries `open` lists
/// (data ranges and all) and the bytes `read` gives, whatever the size of
/// the reads under it.
#[test]
fn stream_lists_what_open_lists() {
    for name in [
        "tree-newc.cpio",
        "tree-crc.cpio",
        "tree-odc.cpio",
        "tree-bin.cpio",
        "absolute.cpio",
        "main.cpio",
        "early-GenuineIntel.cpio",
    ] {
        let b = load(name);
        let c = container(&b);
        for step in [1, 7, 512, 1 << 20] {
            let (got, fields, errors) =
                stream(b.bytes(), step).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(errors.is_empty(), "{name}: {errors:?}");
            assert_eq!(fields, c.fields, "{name}");
            assert_eq!(got.len(), c.entries.len(), "{name}");
            for (i, (e, data)) in got.iter().enumerate() {
                assert_eq!(e, &c.entries[i], "{name} {step}");
                let held = c.read(i, &Limits::default()).expect("reads");
                assert_eq!(data.as_slice(), held.bytes(), "{name}: {}", e.path);
            }
        }
    }
}

/// An early microcode archive, zeros, then the main one, as a decoded
/// initrd holds them: one sequence of members, the archives counted; what
/// follows the last archive and is not cpio is said, not dropped.
#[test]
fn stream_reads_archives_back_to_back() {
    let early = load("early-GenuineIntel.cpio").bytes().to_vec();
    let main = load("main.cpio").bytes().to_vec();
    let mut both = early.clone();
    both.extend_from_slice(&[0; 1000]);
    both.extend_from_slice(&main);
    let (got, fields, errors) = stream(&both, 4096).expect("reads");
    let (ce, cm) = (
        container(&load("early-GenuineIntel.cpio")),
        container(&load("main.cpio")),
    );
    let names: Vec<&str> = got.iter().map(|(e, _)| e.path.as_str()).collect();
    let want: Vec<&str> = ce
        .entries
        .iter()
        .chain(&cm.entries)
        .map(|e| e.path.as_str())
        .collect();
    assert_eq!(names, want);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(common::field(&fields, "cpio.archives"), Some("2"));
    // The main archive's data ranges are offsets in the whole stream.
    let off = (early.len() + 1000) as u64;
    let last = got.last().expect("members");
    assert_eq!(
        last.0.data.offset(),
        cm.entries
            .last()
            .and_then(|e| e.data.offset())
            .map(|o| o + off)
    );
    let mut junk = both.clone();
    junk.extend_from_slice(b"not an archive");
    let (got2, _, errors) = stream(&junk, 4096).expect("reads");
    assert_eq!(got2.len(), got.len());
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("14 bytes after the last archive"),
        "{errors:?}"
    );
}

/// Cut anywhere before its trailer ends, a stream is an error (the whole
/// of it when the first header is cut) or lists members with an error; a
/// crc member whose data does not sum to its check is said as `open` says it.
#[test]
fn stream_cut_or_corrupt_is_said() {
    let b = load("tree-crc.cpio");
    let full = b.bytes();
    let c = container(&b);
    let end = c
        .regions
        .iter()
        .map(|r| r.offset + r.len)
        .filter(|&e| e <= full.len() as u64)
        .max()
        .unwrap_or(0);
    let trailer_end = c
        .regions
        .iter()
        .find(|r| r.owner == Owner::Structure("cpio.trailer".into()))
        .map(|r| r.offset + r.len)
        .unwrap_or(end);
    for cut in 0..trailer_end as usize {
        match stream(&full[..cut], 64) {
            Err(_) => {}
            Ok((got, _, errors)) => {
                assert!(
                    !errors.is_empty(),
                    "cut at {cut}: no error, {} members",
                    got.len()
                );
                assert!(got.len() <= c.entries.len());
            }
        }
    }
    let i = c
        .entries
        .iter()
        .position(|e| e.path == "etc/hostname")
        .expect("listed");
    let off = c.entries[i].data.offset().expect("data") as usize;
    let mut v = full.to_vec();
    v[off] ^= 0x20;
    let held = container(&Blob::from_vec(v.clone()));
    // Left unread by the reader, the data is still summed.
    let mut seen = 0;
    let (_, errors) = cpio::each_member(&mut v.as_slice(), &Limits::default(), &mut |_, _| {
        seen += 1;
        Ok(())
    })
    .expect("reads");
    assert_eq!(seen, c.entries.len());
    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors, vec![held.errors[0].to_string()]);
}
