//! Unit tests on small images built by hand: the cases xorriso will not
//! produce at fixture size (multi-extent files, cycles, CE loops, extents
//! past the end, very deep trees) and the partition rules.

use super::*;
use crate::partition::{Partition, Table};
use crate::ErrorKind;

const B: usize = 2048;

/// A directory record: `lba`, `size`, `flags`, identifier, system use.
fn rec(lba: u32, size: u32, flags: u8, id: &[u8], su: &[u8]) -> Vec<u8> {
    let pad = usize::from(id.len().is_multiple_of(2));
    let len = 33 + id.len() + pad + su.len();
    let mut r = vec![0u8; len];
    r[0] = len as u8;
    r[2..6].copy_from_slice(&lba.to_le_bytes());
    r[6..10].copy_from_slice(&lba.to_be_bytes());
    r[10..14].copy_from_slice(&size.to_le_bytes());
    r[14..18].copy_from_slice(&size.to_be_bytes());
    r[18..25].copy_from_slice(&[123, 11, 14, 22, 13, 20, 4]); // +01:00
    r[25] = flags;
    r[32] = id.len() as u8;
    r[33..33 + id.len()].copy_from_slice(id);
    r[33 + id.len() + pad..].copy_from_slice(su);
    r
}

/// An image of `blocks` blocks with a PVD whose root is at block 20 (one
/// block) and a terminator.
fn image(blocks: usize) -> Vec<u8> {
    let mut v = vec![0u8; blocks * B];
    let p = 16 * B;
    v[p] = 1;
    v[p + 1..p + 6].copy_from_slice(b"CD001");
    v[p + 6] = 1;
    v[p + 80..p + 84].copy_from_slice(&(blocks as u32).to_le_bytes());
    v[p + 128..p + 130].copy_from_slice(&2048u16.to_le_bytes());
    let root = rec(20, B as u32, 2, &[0], &[]);
    v[p + 156..p + 156 + 34].copy_from_slice(&root);
    v[p + 813..p + 829].copy_from_slice(b"2023111422132000");
    v[p + 829] = 8; // +02:00
    let t = 17 * B;
    v[t] = 255;
    v[t + 1..t + 6].copy_from_slice(b"CD001");
    v
}

/// Writes a directory at `lba` holding `.`, `..` (with `dot_su`) and `recs`.
fn dir(v: &mut [u8], lba: u32, parent: u32, dot_su: &[u8], recs: &[Vec<u8>]) {
    let mut at = lba as usize * B;
    let mut all = vec![
        rec(lba, B as u32, 2, &[0], dot_su),
        rec(parent, B as u32, 2, &[1], &[]),
    ];
    all.extend(recs.iter().cloned());
    for r in all {
        v[at..at + r.len()].copy_from_slice(&r);
        at += r.len();
    }
}

fn open_vec(v: Vec<u8>) -> Container {
    match open(&Blob::from_vec(v), &Limits::default()) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn multi_extent_file_gathers_every_extent() {
    let mut v = image(40);
    dir(
        &mut v,
        20,
        20,
        &[],
        &[
            rec(30, B as u32, 0x80, b"BIG.BIN;1", &[]),
            rec(32, 100, 0x00, b"BIG.BIN;1", &[]),
        ],
    );
    v[30 * B..31 * B].fill(b'a');
    v[32 * B..32 * B + 100].fill(b'b');
    let c = open_vec(v);
    let e = &c.entries[0];
    assert_eq!(e.path, "BIG.BIN");
    assert_eq!(e.size, 2148);
    assert_eq!(
        e.data,
        Data::Extents(vec![
            Extent {
                offset: 30 * B as u64,
                len: 2048
            },
            Extent {
                offset: 32 * B as u64,
                len: 100
            }
        ])
    );
    let body = c.read(0, &Limits::default()).map(|b| b.bytes().to_vec());
    let mut want = vec![b'a'; 2048];
    want.extend([b'b'; 100]);
    assert_eq!(body.ok(), Some(want));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    // Without Rock Ridge the record date gives the mtime: 2023-11-14T22:13:20+01:00.
    assert_eq!(e.meta.mtime, Some(Time::from_secs(1_700_000_000 - 3600)));
    let created = c.fields.iter().find(|f| f.name == "pvd.creation_date");
    let created = created.map(|f| (f.value.to_string(), f.role));
    assert_eq!(
        created,
        Some((
            "2023-11-14T22:13:20.00+02:00".to_string(),
            crate::Role::HeaderDate
        ))
    );
}

#[test]
fn directory_cycle_is_an_error_not_a_hang() {
    let mut v = image(30);
    dir(
        &mut v,
        20,
        20,
        &[],
        &[
            rec(21, B as u32, 2, b"A", &[]),
            rec(20, B as u32, 2, b"LOOP", &[]),
        ],
    );
    dir(&mut v, 21, 20, &[], &[rec(20, B as u32, 2, b"BACK", &[])]);
    let c = open_vec(v);
    let paths: Vec<_> = c.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["A", "A/BACK", "LOOP"]);
    let loops = c
        .errors
        .iter()
        .filter(|e| matches!(e.kind, ErrorKind::Loop(_)))
        .count();
    assert_eq!(loops, 2);
}

#[test]
fn deep_tree_stops_at_the_depth_cap() {
    let n = 80u32;
    let mut v = image(22 + n as usize);
    for i in 0..n {
        let me = 20 + i;
        let kids = if i + 1 < n {
            vec![rec(me + 1, B as u32, 2, b"D", &[])]
        } else {
            vec![]
        };
        dir(&mut v, me, me.saturating_sub(1).max(20), &[], &kids);
    }
    let c = open_vec(v);
    assert_eq!(c.entries.len(), 64);
    assert!(c
        .errors
        .iter()
        .any(|e| matches!(e.kind, ErrorKind::Limit(_))));
}

#[test]
fn ce_loop_is_capped_and_extent_past_end_is_listed_without_data() {
    let mut v = image(30);
    let sp = [b'S', b'P', 7, 1, 0xbe, 0xef, 0];
    // A CE pointing at itself: block 25, offset 0, 28 bytes.
    let mut ce = vec![b'C', b'E', 28, 1];
    for x in [25u32, 0, 28] {
        ce.extend(x.to_le_bytes());
        ce.extend(x.to_be_bytes());
    }
    let mut nm = vec![b'N', b'M', 5 + 4, 1, 0];
    nm.extend(b"loop");
    let mut su = nm.clone();
    su.extend(&ce);
    dir(
        &mut v,
        20,
        20,
        &sp,
        &[
            rec(29, 3 * B as u32, 0, b"FAR.BIN;1", &[]),
            rec(27, 10, 0, b"LOOP.;1", &su),
        ],
    );
    v[25 * B..25 * B + 28].copy_from_slice(&ce);
    let c = open_vec(v);
    let far = &c.entries[0];
    assert_eq!((far.path.as_str(), far.size), ("FAR.BIN", 3 * B as u64));
    assert_eq!(far.data, Data::None);
    assert_eq!(c.entries[1].path, "loop");
    assert!(c
        .errors
        .iter()
        .any(|e| matches!(e.kind, ErrorKind::Truncated { .. })));
    assert!(c
        .errors
        .iter()
        .any(|e| matches!(e.kind, ErrorKind::Limit(_))));
}

#[test]
fn partitions_beyond_the_volume_or_outside_files_are_listed() {
    let part = |number, offset, len| Partition {
        number,
        offset,
        len,
        kind: "0xef".into(),
        name: String::new(),
        type_name: String::new(),
        guid: String::new(),
    };
    let t = Table {
        mbr: vec![
            part(1, 0, 100 * 512),
            part(2, 100 * 512, 20 * 512),
            part(3, 40 * 512, 4 * 512),
            part(4, 60 * 512, 4 * 512),
        ],
        gpt: vec![part(2, 100 * 512, 20 * 512), part(5, 90 * 512, 40 * 512)],
        ..Table::default()
    };
    let blob = Blob::from_vec(vec![0; 110 * 512]);
    let mut c = Container::new(Format::Iso9660, blob.clone());
    // Partition 3 is exactly a file of the tree; partition 4 is not.
    let extents = [(40 * 512, 4 * 512)];
    partition_entries(&t, 100 * 512, &extents, &blob, &mut c, &Limits::default());
    let got: Vec<_> = c
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.size, e.data.clone()))
        .collect();
    let r = |offset, len| Data::Range(Extent { offset, len });
    assert_eq!(
        got,
        [
            ("<partition-2>", 20 * 512, r(100 * 512, 10 * 512)),
            ("<partition-4>", 4 * 512, r(60 * 512, 4 * 512)),
            ("<partition-5>", 40 * 512, r(90 * 512, 20 * 512)),
        ]
    );
}

#[test]
fn dates() {
    let d = date17(b"2023111422132050\x04");
    assert_eq!(
        d,
        Some(Stamp {
            time: Some(Time {
                secs: 1_700_000_000 - 3600,
                nanos: 500_000_000
            }),
            value: crate::Value::Time {
                time: Time {
                    secs: 1_700_000_000 - 3600,
                    nanos: 500_000_000
                },
                zone: crate::Zone::Offset(60),
                fraction: 2,
            }
        })
    );
    assert_eq!(date17(b"0000000000000000\0"), None);
    assert_eq!(date7(&[0; 7]), None);
    let neg = date7(&[70, 1, 1, 0, 0, 0, (-20i8) as u8]);
    assert_eq!(
        neg.map(|s| (s.time, s.value.to_string())),
        Some((
            Some(Time::from_secs(18000)),
            "1970-01-01T00:00:00-05:00".into()
        ))
    );
    assert_eq!(date7(&[70, 13, 1, 0, 0, 0, 0]).and_then(|s| s.time), None);
}
