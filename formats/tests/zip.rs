//! ZIP reader against archives written by Info-ZIP's zip
//! (testdata/gen/zip.sh): every member against `zipinfo -l` and `-T -l`,
//! every file's decoded bytes against the tree's sha256 list, the extra
//! fields each variant carries, and every archive survives truncation and
//! byte flips.

// The fixtures are ours: a panic here is a failed test, which is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use common::{extra, full_time, sha256_hex, Lcg};
use reprodiff_formats::{zip, Blob, Container, Data, Kind, Limits, Time};

const ARCHIVES: [&str; 4] = ["info", "bare", "stored", "zip64"];

fn archive(name: &str) -> Container {
    let blob = Blob::open(&common::fixture_path("zip", &format!("{name}.zip"))).unwrap();
    assert_eq!(
        reprodiff_formats::detect(blob.bytes()),
        Some(reprodiff_formats::Format::Zip)
    );
    let c = zip::open(&blob, &Limits::default()).unwrap();
    assert!(c.errors.is_empty(), "{name}: {:?}", c.errors);
    c
}

/// One member line of `zipinfo -l` / `zipinfo -T -l`.
struct Line {
    perms: String,
    size: u64,
    csize: u64,
    method: String,
    when: String,
    name: String,
}

fn zipinfo(file: &str) -> Vec<Line> {
    common::read_text("zip", file)
        .lines()
        .filter(|l| l.len() > 10 && matches!(l.as_bytes()[0], b'-' | b'd' | b'l'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            // perms version os size tx/bx csize method date [time] name
            let (when, name) = if f.len() == 10 {
                (format!("{} {}", f[7], f[8]), f[9])
            } else {
                (f[7].to_string(), f[8])
            };
            Line {
                perms: f[0].to_string(),
                size: f[3].parse().unwrap(),
                csize: f[5].parse().unwrap(),
                method: f[6].to_string(),
                when,
                name: name.to_string(),
            }
        })
        .collect()
}

fn perms(e: &reprodiff_formats::Entry) -> String {
    let t = match e.kind {
        Kind::Dir => 'd',
        Kind::Symlink => 'l',
        _ => '-',
    };
    let m = e.meta.mode.unwrap();
    let mut s = String::from(t);
    for shift in [6, 3, 0] {
        let bits = (m >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

#[test]
fn members_match_zipinfo() {
    for name in ARCHIVES {
        let c = archive(name);
        let want = zipinfo(&format!("{name}.zipinfo"));
        let stamps = zipinfo(&format!("{name}.zipinfo-T"));
        assert_eq!(c.entries.len(), want.len(), "{name}");
        assert_eq!(c.entries.len(), 9, "{name}");
        for ((e, w), t) in c.entries.iter().zip(&want).zip(&stamps) {
            assert_eq!(e.path, w.name.trim_end_matches('/'), "{name}");
            assert_eq!(perms(e), w.perms, "{name} {}", e.path);
            assert_eq!(e.size, w.size, "{name} {}", e.path);
            let method = extra(e, "zip.method").unwrap();
            let want_method = match w.method.as_str() {
                "stor" => "stored",
                "defN" | "defX" | "defF" | "defS" => "deflated",
                other => panic!("{other}"),
            };
            assert_eq!(method, want_method, "{name} {}", e.path);
            // Stored members are zero-copy ranges of the archive; the
            // compressed size is the range's length.
            match &e.data {
                Data::Range(r) | Data::Deflate(r) => {
                    assert_eq!(r.len, w.csize, "{name} {}", e.path)
                }
                Data::None => assert!(w.size == 0 || e.kind == Kind::Symlink, "{name} {}", e.path),
                other => panic!("{other:?}"),
            }
            // `zipinfo -T`: yyyymmdd.hhmmss of the DOS time (TZ=UTC here).
            let when = full_time(e.meta.mtime.unwrap())
                .replace(['-', ':'], "")
                .replacen(' ', ".", 1);
            assert_eq!(when, t.when, "{name} {}", e.path);
        }
    }
}

#[test]
fn contents_match_the_tree() {
    let sums: HashMap<String, String> = common::read_text("zip", "tree.sha256")
        .lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(h, p)| (p.to_string(), h.to_string()))
        .collect();
    for name in ARCHIVES {
        let c = archive(name);
        let mut files = 0;
        for (i, e) in c.entries.iter().enumerate() {
            if e.kind != Kind::File {
                continue;
            }
            let bytes = c.read(i, &Limits::default()).unwrap();
            assert_eq!(
                Some(&sha256_hex(bytes.bytes())),
                sums.get(&e.path),
                "{name} {}",
                e.path
            );
            files += 1;
        }
        assert_eq!(files, sums.len(), "{name}");
        let link = c.entries.iter().find(|e| e.path == "link").unwrap();
        assert_eq!(link.kind, Kind::Symlink);
        assert_eq!(link.meta.target.as_deref(), Some("hello.txt"), "{name}");
    }
}

#[test]
fn extra_fields_of_each_variant() {
    let t = |s| Some(Time::from_secs(s));
    // Default zip: extended timestamps (the local header also has atime)
    // and Unix owners.
    let info = archive("info");
    let hello = info.entries.iter().find(|e| e.path == "hello.txt").unwrap();
    assert_eq!(hello.meta.mtime, t(1_700_000_000));
    assert_eq!(hello.meta.atime, t(1_700_000_600));
    assert_eq!((hello.meta.uid, hello.meta.gid), (Some(0), Some(0)));
    assert_eq!(extra(hello, "zip.extra"), Some("0x5455 0x7875"));
    assert_eq!(extra(hello, "zip.dos_time"), Some("2023-11-14 22:13:20"));
    assert_eq!(extra(hello, "zip.version_made_by"), Some("3 (Unix) 30"));
    assert_eq!(common::field(&info.fields, "zip.zip64"), Some("no"));
    assert_eq!(common::field(&info.fields, "zip.entry_count"), Some("9"));
    // -X: none of that; the DOS time is the only time.
    let bare = archive("bare");
    let hello = bare.entries.iter().find(|e| e.path == "hello.txt").unwrap();
    assert_eq!(hello.meta.mtime, t(1_700_000_000));
    assert_eq!((hello.meta.atime, hello.meta.uid), (None, None));
    assert_eq!(extra(hello, "zip.extra"), None);
    assert_eq!(extra(hello, "zip.dos_time"), None);
    // -fz: zip64 end records and extra fields.
    let z = archive("zip64");
    assert_eq!(common::field(&z.fields, "zip.zip64"), Some("yes"));
    let n = z
        .entries
        .iter()
        .find(|e| e.path == "dir/numbers.txt")
        .unwrap();
    assert!(
        extra(n, "zip.extra").unwrap().contains("0x0001"),
        "{:?}",
        n.meta.extra
    );
    // Every member and both directory records are owned in the byte map.
    let owned = |c: &Container, what: &str| {
        c.regions
            .iter()
            .any(|r| matches!(&r.owner, reprodiff_formats::Owner::Structure(s) if s == what))
    };
    assert!(owned(&info, "central directory") && owned(&info, "end of central directory"));
}

#[test]
fn hostile_input() {
    let limits = Limits::default();
    let mut rng = Lcg(0x21b_9a1e);
    let run = |bytes: Vec<u8>| common::open_and_read(&Blob::from_vec(bytes), zip::open, &limits);
    for name in ARCHIVES {
        let orig = common::read("zip", &format!("{name}.zip"));
        let len = orig.len() as u64;
        for _ in 0..200 {
            run(orig[..(rng.next() % len) as usize].to_vec());
        }
        for _ in 0..600 {
            let mut b = orig.clone();
            for _ in 0..1 + rng.next() % 4 {
                // Half of the damage lands in the central directory at the end.
                let at = if rng.next().is_multiple_of(2) {
                    rng.next() % len
                } else {
                    len - 1 - rng.next() % 600.min(len)
                } as usize;
                common::damage(&mut b[at], &mut rng);
            }
            run(b);
        }
    }
}
