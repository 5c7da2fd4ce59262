//! SquashFS reader against images built by mksquashfs (testdata/gen/squashfs.sh):
//! every entry is checked against `unsquashfs -lln` and the exact metadata
//! of the source tree, every file's decoded bytes against the tree's sha256
//! listing, and every image survives truncation and byte flips.

// The fixtures are ours: a panic here is a failed test, which is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use common::{minutes, sha256_hex, Lcg};
use reprodiff_formats::{squashfs, Blob, Container, Data, Kind, Limits, Owner};

const IMAGES: [&str; 5] = ["xz", "zstd", "gzip", "lz4", "gzip-nofrag"];

fn text(name: &str) -> String {
    common::read_text("squashfs", name)
}

fn image(name: &str) -> (Blob, Container) {
    let blob = Blob::open(&common::fixture_path(
        "squashfs",
        &format!("{name}.squashfs"),
    ))
    .unwrap();
    let c = squashfs::open(&blob, &Limits::default()).unwrap();
    assert!(c.errors.is_empty(), "{name}: {:?}", c.errors);
    (blob, c)
}

/// One line of `tree.manifest` (GNU find -printf of the source tree).
struct Want {
    kind: char,
    mode: u32,
    uid: u64,
    gid: u64,
    size: u64,
    mtime: i64,
    nlink: u32,
    target: String,
}

fn manifest() -> HashMap<String, Want> {
    text("tree.manifest")
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let w = Want {
                kind: f[1].chars().next().unwrap(),
                mode: u32::from_str_radix(f[2], 8).unwrap(),
                uid: f[3].parse().unwrap(),
                gid: f[4].parse().unwrap(),
                size: f[5].parse().unwrap(),
                mtime: f[6].split('.').next().unwrap().parse().unwrap(),
                nlink: f[7].parse().unwrap(),
                target: f[8].to_string(),
            };
            (f[0].to_string(), w)
        })
        .collect()
}

fn kind_char(k: Kind) -> char {
    match k {
        Kind::File | Kind::Hardlink => 'f',
        Kind::Dir => 'd',
        Kind::Symlink => 'l',
        Kind::CharDevice => 'c',
        Kind::BlockDevice => 'b',
        Kind::Fifo => 'p',
        Kind::Socket => 's',
    }
}

/// `ls -l` style mode string, as unsquashfs prints it.
fn ls_mode(k: Kind, mode: u32) -> String {
    let mut s = String::new();
    s.push(match k {
        Kind::File | Kind::Hardlink => '-',
        Kind::Fifo => 'p',
        c => kind_char(c),
    });
    for (i, who) in [(6, 0o4000), (3, 0o2000), (0, 0o1000)] {
        let bits = (mode >> i) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        let x = bits & 1 != 0;
        let special = mode & who != 0;
        s.push(match (x, special, i) {
            (true, true, 0) => 't',
            (false, true, 0) => 'T',
            (true, true, _) => 's',
            (false, true, _) => 'S',
            (true, false, _) => 'x',
            (false, false, _) => '-',
        });
    }
    s
}

#[test]
fn listing_matches_unsquashfs() {
    for name in IMAGES {
        let (_, c) = image(name);
        let lines: Vec<String> = text(&format!("{name}.lln"))
            .lines()
            .map(String::from)
            .collect();
        // The first line is the root, which has no entry.
        assert_eq!(lines.len() - 1, c.entries.len(), "{name}");
        for (line, e) in lines[1..].iter().zip(&c.entries) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (path, target) = match line.split_once(" -> ") {
                Some((l, t)) => (l.rsplit(' ').next().unwrap(), Some(t)),
                None => (*cols.last().unwrap(), None),
            };
            assert_eq!(
                path.strip_prefix("squashfs-root/").unwrap(),
                e.path,
                "{name}"
            );
            assert_eq!(
                cols[0],
                ls_mode(e.kind, e.meta.mode.unwrap()),
                "{name} {}",
                e.path
            );
            let ids = format!("{}/{}", e.meta.uid.unwrap(), e.meta.gid.unwrap());
            assert_eq!(cols[1], ids, "{name} {}", e.path);
            let m = e.meta.mtime.unwrap().secs;
            // unsquashfs -lln prints minutes (TZ=UTC).
            assert!(line.contains(&minutes(m)), "{name} {}: {line}", e.path);
            assert_eq!(e.meta.target.as_deref(), target, "{name} {}", e.path);
            match e.kind {
                Kind::CharDevice | Kind::BlockDevice => {
                    let (ma, mi) = e.meta.rdev.unwrap();
                    // unsquashfs 4.5 prints large device numbers wrongly; the
                    // tree's own numbers are checked in `metadata_matches_tree`.
                    if ma < 256 && mi < 256 {
                        assert!(line.contains(&format!("{ma},{mi:>3}")), "{line}");
                    }
                }
                _ => assert_eq!(cols[2], e.size.to_string(), "{name} {}", e.path),
            }
        }
    }
}

#[test]
fn metadata_matches_tree() {
    let want = manifest();
    let devices: HashMap<String, (u32, u32)> = text("tree.devices")
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].to_string(),
                (f[1].parse().unwrap(), f[2].parse().unwrap()),
            )
        })
        .collect();
    for name in IMAGES {
        let (_, c) = image(name);
        assert_eq!(c.entries.len(), want.len() - 1, "{name}");
        for e in &c.entries {
            let w = &want[&e.path];
            assert_eq!(kind_char(e.kind), w.kind, "{name} {}", e.path);
            assert_eq!(e.meta.mode, Some(w.mode), "{name} {}", e.path);
            assert_eq!(e.meta.uid, Some(w.uid), "{name} {}", e.path);
            assert_eq!(e.meta.gid, Some(w.gid), "{name} {}", e.path);
            assert_eq!(e.meta.mtime.unwrap().secs, w.mtime, "{name} {}", e.path);
            if e.kind != Kind::Dir {
                // Directory nlink and size are the filesystem's own.
                assert_eq!(e.meta.nlink, Some(w.nlink), "{name} {}", e.path);
            }
            if matches!(e.kind, Kind::File | Kind::Symlink) {
                assert_eq!(e.size, w.size, "{name} {}", e.path);
            }
            if e.kind == Kind::Symlink {
                assert_eq!(e.meta.target.as_deref(), Some(w.target.as_str()));
            }
            assert_eq!(
                e.meta.rdev,
                devices.get(&e.path).copied(),
                "{name} {}",
                e.path
            );
        }
        let root = &want[""];
        let field = |n: &str| {
            c.fields
                .iter()
                .find(|f| f.name == n)
                .unwrap()
                .value
                .to_string()
        };
        assert_eq!(field("root.mode"), format!("{:04o}", root.mode));
        assert_eq!(
            field("root.mtime"),
            format!("2020-10-04T12:48:01Z ({})", root.mtime)
        );
        // Hard links share their inode.
        let ino = |p: &str| c.entries.iter().find(|e| e.path == p).unwrap().meta.inode;
        assert_eq!(ino("hard1"), ino("dir/hard2"));
        assert_ne!(ino("hard1"), ino("small.txt"));
        // Only extended inodes name their type: a hard-linked file needs
        // one (a basic file inode has no link count), a plain file without
        // xattrs does not.
        let inode_type = |p: &str| {
            c.entries
                .iter()
                .find(|e| e.path == p)
                .and_then(|e| e.meta.extra.iter().find(|f| f.name == "inode_type"))
                .map(|f| f.value.to_string())
        };
        assert_eq!(
            inode_type("hard1").as_deref(),
            Some("extended-file"),
            "{name}"
        );
        assert!(
            c.entries
                .iter()
                .any(|e| e.kind == Kind::File && inode_type(&e.path).is_none()),
            "{name}: no basic file inode"
        );
        assert!(c
            .entries
            .iter()
            .flat_map(|e| &e.meta.extra)
            .filter(|f| f.name == "inode_type")
            .all(|f| f.value.to_string().starts_with("extended-")));
    }
}

#[test]
fn superblock_fields() {
    let expect = [
        ("xz", "xz", "0x00c0 duplicates,exportable", 1),
        (
            "zstd",
            "zstd",
            "0x04c0 duplicates,exportable,compressor_options",
            1,
        ),
        (
            "gzip",
            "gzip",
            "0x04c0 duplicates,exportable,compressor_options",
            1,
        ),
        (
            "lz4",
            "lz4",
            "0x04c0 duplicates,exportable,compressor_options",
            1,
        ),
        (
            "gzip-nofrag",
            "gzip",
            "0x0250 no_fragments,duplicates,no_xattrs",
            0,
        ),
    ];
    for (name, comp, flags, frags) in expect {
        let (blob, c) = image(name);
        let f = |n: &str| {
            c.fields
                .iter()
                .find(|f| f.name == n)
                .unwrap_or_else(|| panic!("{name}: no {n}"))
                .value
                .to_string()
        };
        let sup = text(&format!("{name}.super"));
        assert!(sup.contains(&format!("Compression {comp}\n")));
        assert_eq!(f("superblock.compressor"), comp, "{name}");
        assert_eq!(f("superblock.flags"), flags, "{name}");
        assert_eq!(f("superblock.block_size"), "4096");
        assert_eq!(f("superblock.block_log"), "12");
        assert_eq!(f("superblock.inode_count"), "20");
        assert!(sup.contains("Number of inodes 20\n"));
        assert_eq!(f("superblock.fragment_count"), frags.to_string());
        assert!(sup.contains(&format!("Number of fragments {frags}\n")));
        assert_eq!(f("superblock.no_ids"), "5");
        assert_eq!(f("superblock.version"), "4.0");
        assert_eq!(
            f("superblock.mkfs_time"),
            "2023-11-14T22:13:20Z (1700000000)"
        );
        assert_eq!(
            c.fields
                .iter()
                .find(|f| f.name == "superblock.mkfs_time")
                .unwrap()
                .value,
            reprodiff_formats::Value::Epoch(1_700_000_000)
        );
        let used: u64 = f("superblock.bytes_used").parse().unwrap();
        assert!(sup.contains(&format!("Filesystem size {used} bytes")));
        assert!(used <= blob.len() && blob.len() % 4096 == 0);
    }
    let (_, gz) = image("gzip");
    let has = |c: &Container, n: &str, v: &str| {
        assert!(
            c.fields
                .iter()
                .any(|f| f.name == n && f.value.to_string() == v),
            "{n} = {v}"
        );
    };
    has(&gz, "compressor_options.compression_level", "6");
    has(&gz, "compressor_options.window_size", "12");
    has(
        &image("zstd").1,
        "compressor_options.compression_level",
        "19",
    );
    has(&image("lz4").1, "compressor_options.flags", "0x00000001");
}

#[test]
fn xattrs_match_getfattr() {
    // getfattr -d output: "# file: ./path" then key="value" lines.
    let mut want: Vec<(String, String, Vec<u8>)> = Vec::new();
    let mut file = String::new();
    for l in text("tree.xattrs").lines() {
        if let Some(p) = l.strip_prefix("# file: ") {
            file = p
                .trim_start_matches('.')
                .trim_start_matches('/')
                .to_string();
        } else if let Some((k, v)) = l.split_once('=') {
            let v = v.trim_matches('"').as_bytes().to_vec();
            want.push((file.clone(), k.to_string(), v));
        }
    }
    assert_eq!(want.len(), 6);
    for name in IMAGES {
        let (_, c) = image(name);
        let mut got: Vec<(String, String, Vec<u8>)> = Vec::new();
        for e in &c.entries {
            for (k, v) in &e.meta.xattrs {
                got.push((e.path.clone(), k.clone(), v.clone()));
            }
        }
        if name == "gzip-nofrag" {
            assert!(got.is_empty(), "built with -no-xattrs");
            continue;
        }
        let mut w = want.clone();
        w.sort();
        got.sort();
        assert_eq!(got, w, "{name}");
    }
}

#[test]
fn blocks_fragments_and_sparse() {
    for name in IMAGES {
        let (_, c) = image(name);
        let get = |p: &str| c.entries.iter().position(|e| e.path == p).unwrap();
        let Data::Squash { blocks, fragment } = &c.entries[get("sparse.bin")].data else {
            panic!()
        };
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[1].stored, 0, "{name}: the zero block is sparse");
        assert!(
            !blocks[0].compressed && blocks[0].stored == 4096,
            "noise stays raw"
        );
        assert!(fragment.is_none());
        let Data::Squash { blocks, fragment } = &c.entries[get("big.bin")].data else {
            panic!()
        };
        // 13288 = 3 * 4096 + 1000: the tail gets a block of its own, as
        // mksquashfs keeps tails of files with full blocks out of fragments
        // unless told otherwise.
        assert_eq!(blocks.len(), 4);
        assert!(fragment.is_none());
        assert!(blocks
            .windows(2)
            .all(|w| w[0].offset + u64::from(w[0].stored) == w[1].offset));
        let small = &c.entries[get("small.txt")];
        match (&small.data, name) {
            (
                Data::Squash {
                    blocks,
                    fragment: None,
                },
                "gzip-nofrag",
            ) => assert_eq!(blocks.len(), 1),
            (
                Data::Squash {
                    blocks,
                    fragment: Some(f),
                },
                _,
            ) => {
                assert!(blocks.is_empty());
                assert_eq!((f.index, f.len), (0, 16));
                let region = c
                    .regions
                    .iter()
                    .find(|r| r.owner == Owner::Structure("fragment block 0".into()))
                    .unwrap();
                assert_eq!(
                    (region.offset, region.len),
                    (f.block.offset, u64::from(f.block.stored))
                );
            }
            other => panic!("{name}: {other:?}"),
        }
        // Each file's blocks are owned by it in the region map.
        let i = get("dir/block4k");
        let Data::Squash { blocks, .. } = &c.entries[i].data else {
            panic!()
        };
        assert!(c.regions.iter().any(|r| r.owner == Owner::Entry(i)
            && r.offset == blocks[0].offset
            && r.len == u64::from(blocks[0].stored)));
        for s in ["superblock", "inode table", "directory table", "id table"] {
            assert!(
                c.regions
                    .iter()
                    .any(|r| r.owner == Owner::Structure(s.into())),
                "{name} {s}"
            );
        }
    }
}

#[test]
fn file_contents_match_tree() {
    let sums: HashMap<String, String> = text("tree.sha256")
        .lines()
        .map(|l| {
            let (h, p) = l.split_once("  ").unwrap();
            (p.to_string(), h.to_string())
        })
        .collect();
    for name in IMAGES {
        let (_, c) = image(name);
        let mut n = 0;
        for (i, e) in c.entries.iter().enumerate() {
            if e.kind != Kind::File {
                continue;
            }
            let got = c.read(i, &Limits::default()).unwrap();
            assert_eq!(got.len(), e.size);
            assert_eq!(sha256_hex(got.bytes()), sums[&e.path], "{name} {}", e.path);
            n += 1;
        }
        assert_eq!(n, sums.len(), "{name}");
    }
}

/// tails-neighbour is tails with big2.bin's tail changed: the fragment block
/// it shares with big.bin's tail differs, big.bin's bytes do not.
#[test]
fn unchanged_files_beside_a_changed_neighbour_are_equal_by_their_tail() {
    let (_, a) = image("tails");
    let (_, b) = image("tails-neighbour");
    let entry = |c: &Container, p: &str| {
        let i = c.entries.iter().position(|e| e.path == p).unwrap();
        (i, c.entries[i].clone())
    };
    let decoded = |c: &Container| c.squash.as_ref().unwrap().blocks_decoded();

    // One full block, no tail: equal by its stored bytes, nothing decoded.
    let (_, x) = entry(&a, "dir/block4k");
    let (_, y) = entry(&b, "dir/block4k");
    assert!(matches!(&x.data, Data::Squash { blocks, fragment: None } if blocks.len() == 1));
    assert_eq!(squashfs::stored_equal(&a, &x, &b, &y), Some(true));
    assert_eq!((decoded(&a), decoded(&b)), (0, 0));

    // Three blocks and a tail in the changed fragment block: only that
    // block is decoded, once per side, never big.bin's own blocks.
    let (ia, x) = entry(&a, "big.bin");
    let (ib, y) = entry(&b, "big.bin");
    let (
        Data::Squash {
            fragment: Some(fx), ..
        },
        Data::Squash {
            fragment: Some(fy), ..
        },
    ) = (&x.data, &y.data)
    else {
        panic!("big.bin has a fragment tail");
    };
    let raw = |c: &Container, f: &reprodiff_formats::SquashFragment| {
        c.source
            .slice(f.block.offset, u64::from(f.block.stored), c.format)
            .unwrap()
            .bytes()
            .to_vec()
    };
    assert_ne!(
        raw(&a, fx),
        raw(&b, fy),
        "the shared fragment block differs"
    );
    assert_eq!(squashfs::stored_equal(&a, &x, &b, &y), Some(true));
    assert_eq!((decoded(&a), decoded(&b)), (1, 1));

    // The changed file itself is not equal, and the cached block is reused.
    let (_, x) = entry(&a, "big2.bin");
    let (_, y) = entry(&b, "big2.bin");
    assert_eq!(squashfs::stored_equal(&a, &x, &b, &y), None);
    assert_eq!((decoded(&a), decoded(&b)), (1, 1));
    let limits = Limits::default();
    assert_eq!(
        a.read(ia, &limits).unwrap().bytes(),
        b.read(ib, &limits).unwrap().bytes()
    );
}

#[test]
fn read_respects_limits() {
    let (_, c) = image("xz");
    let i = c.entries.iter().position(|e| e.path == "big.bin").unwrap();
    let tight = Limits {
        max_decoded: 4096,
        ..Limits::default()
    };
    assert!(c.read(i, &tight).is_err());
    let few = Limits {
        max_entries: 5,
        ..Limits::default()
    };
    let blob = Blob::open(&common::fixture_path("squashfs", "xz.squashfs")).unwrap();
    assert!(squashfs::open(&blob, &few).is_err());
}

/// Deterministic mutations: truncations and byte flips of every image, each
/// opened and fully read. Errors are fine; panics and hangs are not.
#[test]
fn hostile_input() {
    let limits = Limits::default();
    let mut rng = Lcg(0x2545_f491_4f6c_dd1d);
    let run =
        |bytes: Vec<u8>| common::open_and_read(&Blob::from_vec(bytes), squashfs::open, &limits);
    for name in IMAGES {
        let orig = common::read("squashfs", &format!("{name}.squashfs"));
        let used = orig.len() as u64;
        for _ in 0..150 {
            run(orig[..(rng.next() % used) as usize].to_vec());
        }
        for _ in 0..500 {
            let mut b = orig.clone();
            // Most flips land in the metadata at the end, where they matter.
            let flips = 1 + rng.next() % 4;
            for _ in 0..flips {
                let at = if rng.next().is_multiple_of(4) {
                    rng.next() % used
                } else {
                    used.saturating_sub(1 + rng.next() % 1200)
                } as usize;
                b[at] ^= 1 << (rng.next() % 8);
            }
            run(b);
        }
        for at in 0..96 {
            for v in [0u8, 0xff, 0x80, 1] {
                let mut b = orig.clone();
                b[at] = v;
                run(b);
            }
        }
    }
}

/// The digest the content checks compare with `sha256sum`'s listing.
#[test]
fn sha256_known_vector() {
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

/// A large real image, by hand: `REPRODIFF_SQUASHFS=img.sqfs
/// REPRODIFF_SQUASHFS_LLN=img.lln cargo test --release -- --ignored big`,
/// with the listing made by `TZ=UTC unsquashfs -lln img.sqfs > img.lln`.
/// Prints the listing time and checks every path, mode, owner and size.
#[test]
#[ignore]
fn big_image_matches_unsquashfs() {
    let (Ok(img), Ok(lln)) = (
        std::env::var("REPRODIFF_SQUASHFS"),
        std::env::var("REPRODIFF_SQUASHFS_LLN"),
    ) else {
        return;
    };
    let blob = Blob::open(std::path::Path::new(&img)).unwrap();
    let t = std::time::Instant::now();
    let c = squashfs::open(&blob, &Limits::default()).unwrap();
    eprintln!("listed {} entries in {:?}", c.entries.len(), t.elapsed());
    assert!(
        c.errors.is_empty(),
        "{:?}",
        &c.errors[..c.errors.len().min(5)]
    );
    let listing = std::fs::read(lln).unwrap();
    let listing = String::from_utf8_lossy(&listing);
    let lines: Vec<&str> = listing.lines().skip(1).collect();
    assert_eq!(lines.len(), c.entries.len());
    for (line, e) in lines.iter().zip(&c.entries) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let rest = line.split_once(" squashfs-root/").unwrap().1;
        let path = rest.split(" -> ").next().unwrap();
        assert_eq!(path, e.path);
        assert_eq!(cols[0], ls_mode(e.kind, e.meta.mode.unwrap()), "{}", e.path);
        let ids = format!("{}/{}", e.meta.uid.unwrap(), e.meta.gid.unwrap());
        assert_eq!(cols[1], ids, "{}", e.path);
        if !matches!(e.kind, Kind::CharDevice | Kind::BlockDevice) {
            assert_eq!(cols[2], e.size.to_string(), "{}", e.path);
        }
    }
    // Decode a spread of files and time it.
    let t = std::time::Instant::now();
    let mut bytes = 0;
    for (i, e) in c.entries.iter().enumerate().step_by(97) {
        if e.kind == Kind::File {
            bytes += c.read(i, &Limits::default()).unwrap().len();
        }
    }
    eprintln!("decoded {bytes} bytes in {:?}", t.elapsed());
}
