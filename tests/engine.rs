//! Engine behaviour on small archives written by the test itself (newc cpio
//! is simple enough to write byte for byte), for cases the committed
//! fixtures do not cover: hard-link groups, nested archives, limits.

use std::path::Path;

use reprodiff::compare_blobs;
use reprodiff::engine::Options;
use reprodiff::report::{Cause, Change, Diff, Node, Status, Verdict};
use reprodiff_formats::Blob;
use reprodiff_present::diff::unified;

mod common;

use common::{file, newc, Member};

fn compare(a: Vec<u8>, b: Vec<u8>) -> reprodiff::report::Report {
    compare_blobs(
        "a",
        &Blob::from_vec(a),
        "b",
        &Blob::from_vec(b),
        &Options::default(),
    )
}

fn find<'a>(n: &'a Node, address: &str) -> Option<&'a Node> {
    if n.address == address {
        return Some(n);
    }
    n.children.iter().find_map(|c| find(c, address))
}

#[test]
fn hard_link_groups_are_compared_as_paths() {
    let linked = |name| Member {
        nlink: 2,
        ..file(name, 5, b"")
    };
    let a = newc(&[
        linked("x"),
        Member {
            data: b"same",
            ..linked("y")
        },
    ]);
    // b: the same bytes in two separate files, and other inode numbers.
    let b = newc(&[file("x", 8, b""), file("y", 9, b"same")]);
    let r = compare(a, b);
    let x = find(&r.tree, "x").expect("x differs");
    let c = x
        .changes
        .iter()
        .find(|c| c.field == "hardlinks")
        .expect("hardlinks change");
    assert_eq!(
        (Change::shown(&c.a).as_deref(), c.shown_b().as_deref()),
        (Some("y"), None)
    );
    // Renumbered inodes alone are not a difference.
    let a = newc(&[
        linked("p"),
        Member {
            data: b"z",
            ..linked("q")
        },
    ]);
    let b = newc(&[
        Member {
            ino: 77,
            ..linked("p")
        },
        Member {
            ino: 77,
            data: b"z",
            ..linked("q")
        },
    ]);
    let r = compare(a, b);
    assert_eq!(r.verdict, Verdict::Different);
    assert!(r.tree.children.is_empty(), "{:#?}", r.tree.children);
    // The differing header bytes are still shown, as bytes no member explains.
    assert!(
        matches!(r.tree.diff, Some(Diff::Binary { .. })),
        "{:?}",
        r.tree.diff
    );
}

/// One inode with `n` names (`d/f00000` …), its bytes with the last (as
/// newc cpio stores a link group), plus `extra` names of it on side b.
fn link_group(n: usize, extra: usize) -> (Vec<u8>, Vec<u8>) {
    let names: Vec<String> = (0..n + extra).map(|i| format!("d/f{i:05}")).collect();
    let group = |count: usize| {
        let members: Vec<Member> = names[..count]
            .iter()
            .enumerate()
            .map(|(i, name)| Member {
                nlink: count as u32,
                data: if i + 1 == count { b"same" } else { b"" },
                ..file(name, 7, b"")
            })
            .collect();
        newc(&members)
    };
    (group(n), group(n + extra))
}

/// A hard-link group of thousands of names (a crafted archive; a SquashFS
/// whose identical files mksquashfs stored once makes such groups too):
/// each member's `hardlinks` value names a few of the others, how many
/// more and the group's digest, instead of all the others. Joined in full
/// for each member, the values grew with the square of the group (a 3.6
/// MB cpio of 30,000 links took 23 s and 8 GB before it was stopped).
#[test]
fn a_large_hard_link_group_is_reported_in_bounded_values() {
    let (a, b) = link_group(3000, 1);
    let r = compare(a.clone(), b);
    let x = find(&r.tree, "d/f00000").expect("a member of the group differs");
    let c = x
        .changes
        .iter()
        .find(|c| c.field == "hardlinks")
        .expect("hardlinks change");
    let (va, vb) = (Change::shown(&c.a).expect("a"), c.shown_b().expect("b"));
    for v in [&va, &vb] {
        assert!(v.len() < 600, "{} bytes: {v}", v.len());
        assert!(v.starts_with("d/f00001, d/f00002, "), "{v}");
    }
    assert!(
        va.contains("and 2983 more (the 3000 names' SHA-256 "),
        "{va}"
    );
    assert!(
        vb.contains("and 2984 more (the 3001 names' SHA-256 "),
        "{vb}"
    );
    let members = |n: &Node| {
        n.children
            .iter()
            .filter(|c| c.changes.iter().any(|c| c.field == "hardlinks"))
            .count()
    };
    assert_eq!(members(&r.tree), 3000, "every member's group changed");
    // The same group on both sides under another inode number: no member
    // differs (only the archive's header bytes do).
    let renumbered: Vec<u8> = String::from_utf8(a.clone())
        .expect("ascii")
        .replace("07070100000007", "07070100000009")
        .into_bytes();
    assert_ne!(a, renumbered);
    let r = compare(a, renumbered);
    assert!(r.tree.children.is_empty(), "{:#?}", r.tree.children.first());
}

/// A link group that gained a name b alone has: the others of each member
/// differ only by that added entry, so the `hardlinks` change follows it
/// (consequential) instead of standing as an unexplained content change
/// on every member. A name both sides have joining the group stays
/// unexplained: the link structure itself changed.
#[test]
fn a_link_group_grown_by_an_added_name_follows_it() {
    let hardlinks = |r: &reprodiff::report::Report, path: &str| {
        let n = find(&r.tree, path).expect("member differs");
        let c = n.changes.iter().find(|c| c.field == "hardlinks");
        c.expect("hardlinks change").cause
    };
    let (a, b) = link_group(10, 1);
    let r = compare(a, b);
    for i in 0..10 {
        let path = format!("d/f{i:05}");
        assert_eq!(hardlinks(&r, &path), Some(Cause::Consequential), "{path}");
    }
    assert!(find(&r.tree, "d/f00010").is_some_and(|n| n.status == Status::Added));
    // b: `z`, a separate file on side a, made a third name of the inode.
    let linked = |name| Member {
        nlink: 2,
        ..file(name, 5, b"")
    };
    let a = newc(&[
        linked("x"),
        Member {
            data: b"same",
            ..linked("y")
        },
        file("z", 6, b"same"),
    ]);
    let three = |name| Member {
        nlink: 3,
        ..file(name, 5, b"")
    };
    let b = newc(&[
        three("x"),
        three("z"),
        Member {
            data: b"same",
            ..three("y")
        },
    ]);
    let r = compare(a, b);
    assert_eq!(hardlinks(&r, "x"), Some(Cause::Content));
}

/// A file list (an HTML Help project's `[FILES]`, as Doxygen writes it)
/// whose changed lines each name an entry only that side has: the list
/// follows those entries (`text.entries`, consequential), instead of
/// standing as unexplained content. One changed line naming a file both
/// sides have, and the list stays unexplained.
#[test]
fn a_file_list_changed_by_entries_one_side_has_follows_them() {
    let tar = |list: &[u8], only: &str| {
        common::ustar(&[
            file("html/index.hhp", 1, list),
            file("html/index.html", 2, b"<p>same</p>\n"),
            file("html/other.png", 3, b"png"),
            file(only, 4, b"png"),
        ])
    };
    let a = tar(b"[FILES]\nindex.html\nold.png\n", "html/old.png");
    let b = tar(b"[FILES]\nindex.html\nnew.png\n", "html/new.png");
    // The same bytes under another name (a rename: each name is one only
    // its side has), then an entry removed and another added.
    let c = common::ustar(&[
        file("html/index.hhp", 1, b"[FILES]\nindex.html\nnew.png\n"),
        file("html/index.html", 2, b"<p>same</p>\n"),
        file("html/other.png", 3, b"png"),
        file("html/new.png", 4, b"another png"),
    ]);
    for (b, what) in [(b, "renamed"), (c, "removed and added")] {
        let r = compare(a.clone(), b);
        let list = find(&r.tree, "html/index.hhp").expect("the list differs");
        let c = list
            .changes
            .iter()
            .find(|c| c.field == "text.entries")
            .expect(what);
        assert_eq!(c.cause, Some(Cause::Consequential), "{what}");
        assert_eq!(list.causes, vec![Cause::Consequential], "{what}");
    }
    // `other.png` is on both sides: not a name one side alone has.
    let b = tar(b"[FILES]\nindex.html\nother.png\n", "html/new.png");
    let r = compare(a, b);
    let list = find(&r.tree, "html/index.hhp").expect("the list differs");
    assert!(list.changes.iter().all(|c| c.field != "text.entries"));
    assert!(list.causes.contains(&Cause::Content), "{:?}", list.causes);
}

/// Compares two committed fixtures (paths under testdata/) with the defaults.
fn fixture_pair(a: &str, b: &str) -> reprodiff::report::Report {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    reprodiff::compare_files(&dir.join(a), &dir.join(b), &Options::default()).expect("compare")
}

/// Options with `max_memory`, and how many stream pairs were compared as
/// they decode so far (member by member for tar and cpio).
fn budget(max_memory: u64) -> (Options, impl Fn() -> u64) {
    let progress = std::sync::Arc::new(reprodiff::engine::Progress::default());
    let opts = Options {
        max_memory,
        progress: Some(progress.clone()),
        ..Options::default()
    };
    (opts, move || {
        progress.streamed.load(std::sync::atomic::Ordering::Relaxed)
    })
}

/// One hard-link group GNU tar stored both ways round (testdata/gen/tar.sh:
/// `d/x` then `d/y`, and `d/y` then `d/x`): tar keeps the bytes with the
/// name it meets first and makes the other a link to it. Which name is the
/// link is the member order, not the content: held whole or member by
/// member as both decode, the kind, link target and type flag changes are
/// `ordering`, nothing is `content`. With other bytes in the group, the
/// bytes differ once, at the name side a stores them under.
#[test]
fn a_hard_link_group_stored_the_other_way_round_follows_the_member_order() {
    use common::gzip;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tar");
    let read = |n: &str| Blob::from_vec(gzip(&std::fs::read(dir.join(n)).expect("fixture")));
    let (a, b, c) = (
        read("hardlinks-a.tar"),
        read("hardlinks-b.tar"),
        read("hardlinks-c.tar"),
    );
    // The default budget holds them; 4 KiB is under their decoded size.
    for max_memory in [Options::default().max_memory, 4096] {
        let (opts, streamed) = budget(max_memory);
        let r = compare_blobs("a.tar.gz", &a, "b.tar.gz", &b, &opts);
        assert_eq!(
            streamed(),
            u64::from(max_memory == 4096),
            "member by member"
        );
        assert_eq!(r.verdict, Verdict::Different);
        assert_eq!(r.tree.format.as_deref(), Some("tar+gzip"));
        let causes = &r.summary.causes;
        assert!(
            !causes.contains_key(&Cause::Content),
            "{max_memory}: {causes:?}"
        );
        assert!(causes.contains_key(&Cause::Ordering), "{max_memory}");
        for (name, kinds) in [("d/x", ("file", "hardlink")), ("d/y", ("hardlink", "file"))] {
            let n = find(&r.tree, name).expect("the name changed kind");
            let kind = n.changes.iter().find(|c| c.field == "kind").expect("kind");
            assert_eq!(
                (Change::shown(&kind.a), kind.shown_b()),
                (Some(kinds.0.to_string()), Some(kinds.1.to_string())),
                "{max_memory}: {name}"
            );
            assert_eq!(kind.cause, Some(Cause::Ordering), "{max_memory}: {name}");
            assert!(n.diff.is_none(), "{max_memory}: {name}: {:?}", n.diff);
        }
        // Other bytes in the group: one content difference, at d/x.
        let r = compare_blobs("a.tar.gz", &a, "c.tar.gz", &c, &opts);
        assert!(
            r.summary.causes.contains_key(&Cause::Content),
            "{max_memory}"
        );
        let x = find(&r.tree, "d/x").expect("d/x");
        let y = find(&r.tree, "d/y").expect("d/y");
        assert!(x.diff.is_some(), "{max_memory}: the bytes differ at d/x");
        assert!(y.diff.is_none(), "{max_memory}: shown once");
    }
    // newc cpio stores a group's bytes with its last name: the same group
    // in another order carries them under the other name.
    let a = Blob::from_vec(gzip(&newc(&linked_pair("x", "y", b"group bytes"))));
    let b = Blob::from_vec(gzip(&newc(&linked_pair("y", "x", b"group bytes"))));
    let c = Blob::from_vec(gzip(&newc(&linked_pair("y", "x", b"other bytes"))));
    for max_memory in [Options::default().max_memory, 256] {
        let (opts, streamed) = budget(max_memory);
        let r = compare_blobs("a.cpio.gz", &a, "b.cpio.gz", &b, &opts);
        assert_eq!(streamed(), u64::from(max_memory == 256), "member by member");
        assert_eq!(r.tree.format.as_deref(), Some("cpio+gzip"));
        let causes = &r.summary.causes;
        assert!(
            !causes.contains_key(&Cause::Content),
            "{max_memory}: {causes:?}"
        );
        for name in ["x", "y"] {
            let n = find(&r.tree, name).expect("its size changed");
            assert!(n.diff.is_none(), "{max_memory}: {name}: {:?}", n.diff);
        }
        let r = compare_blobs("a.cpio.gz", &a, "c.cpio.gz", &c, &opts);
        assert!(
            r.summary.causes.contains_key(&Cause::Content),
            "{max_memory}"
        );
        let with_diff: Vec<&str> = ["x", "y"]
            .into_iter()
            .filter(|n| find(&r.tree, n).is_some_and(|n| n.diff.is_some()))
            .collect();
        assert_eq!(with_diff, ["y"], "{max_memory}: once, where a stores them");
    }
}

/// A name that is a file on one side and a hard link to another file of
/// the same bytes on the other (testdata/gen/tar.sh: `hardlinks-d.tar`
/// has `d/x` and `d/y` as two files, `hardlinks-b.tar` makes `d/x` a link
/// to `d/y`): the link reads as its target's bytes, so held whole nothing
/// says the bytes differ; the kind and target changes stay, unexplained.
/// Member by member the target's bytes were compared as they came and not
/// kept: the digest the link has not is said to be missing, not computed
/// from nothing.
#[test]
fn a_file_made_a_hard_link_reads_as_its_targets_bytes() {
    use common::gzip;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tar");
    let read = |n: &str| Blob::from_vec(gzip(&std::fs::read(dir.join(n)).expect("fixture")));
    let (d, b) = (read("hardlinks-d.tar"), read("hardlinks-b.tar"));
    let (opts, _) = budget(Options::default().max_memory);
    let r = compare_blobs("d.tar.gz", &d, "b.tar.gz", &b, &opts);
    let x = find(&r.tree, "d/x").expect("d/x became a link");
    assert!(x.diff.is_none(), "{:?}", x.diff);
    assert!(x.changes.iter().any(|c| c.field == "kind"));
    assert!(find(&r.tree, "d/y").is_none(), "d/y is the same file");
    let (opts, streamed) = budget(4096);
    let r = compare_blobs("d.tar.gz", &d, "b.tar.gz", &b, &opts);
    assert_eq!(streamed(), 1, "member by member");
    let x = find(&r.tree, "d/x").expect("d/x became a link");
    let Some(Diff::Hash {
        sha256_a,
        sha256_b,
        reason,
    }) = &x.diff
    else {
        panic!("{:?}", x.diff)
    };
    assert!(sha256_a.is_some() && sha256_b.is_none(), "{reason}");
    assert!(reason.contains("not kept"), "{reason}");
}

/// Two names of one inode, as newc stores them: the first link empty, the
/// last one carrying the data.
fn linked_pair<'a>(first: &'a str, last: &'a str, data: &'a [u8]) -> [Member<'a>; 2] {
    let link = |name| Member {
        nlink: 2,
        ..file(name, 5, b"")
    };
    [link(first), Member { data, ..link(last) }]
}

#[test]
fn every_name_of_a_changed_hard_linked_file_is_reported_with_its_causes() {
    let a = newc(&linked_pair(
        "usr/bin/perl5.36.0",
        "usr/bin/perl",
        b"Build-Date: Tue, 14 Nov 2023 22:13:20 +0000\n",
    ));
    let b = newc(&linked_pair(
        "usr/bin/perl5.36.0",
        "usr/bin/perl",
        b"Build-Date: Wed, 15 Nov 2023 22:13:20 +0000\n",
    ));
    let r = compare(a, b);
    let perl = find(&r.tree, "usr/bin/perl").expect("the name holding the data");
    let twin = find(&r.tree, "usr/bin/perl5.36.0").expect("the other name");
    assert_eq!(twin.status, Status::Modified);
    assert!(perl.diff.is_some());
    assert!(twin.diff.is_none(), "the diff is shown once");
    let same = twin
        .changes
        .iter()
        .find(|c| c.field == "same-data-as")
        .expect("same-data-as change");
    assert_eq!(same.subject.as_deref(), Some("usr/bin/perl"));
    assert_eq!(
        (Change::shown(&same.a), Change::shown(&same.b)),
        (Some("usr/bin/perl".into()), Some("usr/bin/perl".into()))
    );
    assert_eq!(twin.causes, perl.causes);
    assert_eq!(twin.causes, ["embedded-timestamp"]);
    let group = r
        .groups
        .iter()
        .find(|g| g.addresses.iter().any(|a| a == "usr/bin/perl"))
        .expect("perl's group");
    assert_eq!(group.addresses, ["usr/bin/perl", "usr/bin/perl5.36.0"]);
    assert!(
        r.groups.iter().all(|g| g.cause != "content"),
        "{:#?}",
        r.groups
    );
    assert_eq!((r.summary.modified, r.summary.identical), (2, 0));

    // An unexplained change: both names are `content`, in one group.
    let r = compare(
        newc(&linked_pair("x", "y", b"one")),
        newc(&linked_pair("x", "y", b"two")),
    );
    let x = find(&r.tree, "x").expect("x");
    assert_eq!(x.causes, ["content"]);
    let content = r.groups.iter().find(|g| g.cause == "content");
    assert_eq!(
        content.map(|g| g.addresses.as_slice()),
        Some(&["x".to_string(), "y".to_string()][..]),
        "{:#?}",
        r.groups
    );
}

#[test]
fn a_name_sharing_unchanged_data_is_not_reported() {
    let [x, y] = linked_pair("bin/a", "bin/b", b"same");
    let a = newc(&[x, y, file("other", 9, b"one")]);
    let [x, y] = linked_pair("bin/a", "bin/b", b"same");
    let b = newc(&[x, y, file("other", 9, b"two")]);
    let r = compare(a, b);
    let addresses: Vec<&str> = r.tree.children.iter().map(|n| n.address.as_str()).collect();
    assert_eq!(addresses, ["other"]);
    // Only the metadata of the empty name changed: no same-data-as change.
    let [x, y] = linked_pair("bin/a", "bin/b", b"same");
    let a = newc(&[x, y]);
    let [x, y] = linked_pair("bin/a", "bin/b", b"same");
    let b = newc(&[Member { mtime: 1, ..x }, y]);
    let r = compare(a, b);
    let n = find(&r.tree, "bin/a").expect("bin/a");
    assert!(
        n.changes.iter().all(|c| c.field != "same-data-as"),
        "{n:#?}"
    );
    assert_eq!(n.causes, ["mtime"]);
}

#[test]
fn members_are_paired_by_path_and_order_is_reported() {
    let a = newc(&[
        file("etc/a", 1, b"one\n"),
        file("etc/b", 2, b"two\n"),
        file("gone", 3, b"x"),
    ]);
    let b = newc(&[
        file("etc/b", 1, b"two\n"),
        file("etc/a", 2, b"ONE\n"),
        file("new", 3, b"y"),
    ]);
    let r = compare(a, b);
    let status = |p: &str| find(&r.tree, p).map(|n| n.status);
    assert_eq!(status("gone"), Some(Status::Removed));
    assert_eq!(status("new"), Some(Status::Added));
    assert_eq!(status("etc/b"), None, "identical members are left out");
    let a_node = find(&r.tree, "etc/a").expect("etc/a");
    match &a_node.diff {
        Some(Diff::Text { hunks, .. }) => {
            let unified = unified(hunks);
            assert!(unified.contains("-one\n+ONE\n"), "{unified}")
        }
        d => panic!("{d:?}"),
    }
    let order = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "order")
        .expect("order change");
    assert!(
        Change::shown(&order.a).is_some_and(|s| s.starts_with("#0: etc/a, etc/b")),
        "{order:?}"
    );
}

#[test]
fn nested_compressed_archive_is_descended() {
    use std::io::Write;
    let gz = |data: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("gzip");
        e.finish().expect("gzip")
    };
    let inner_a = gz(&newc(&[file("conf/x", 1, b"BUILD=1\n")]));
    let inner_b = gz(&newc(&[file("conf/x", 1, b"BUILD=2\n")]));
    let a = newc(&[file("initrd.gz", 1, &inner_a)]);
    let b = newc(&[file("initrd.gz", 1, &inner_b)]);
    let r = compare(a, b);
    let inner = find(&r.tree, "initrd.gz").expect("initrd.gz");
    assert_eq!(inner.format.as_deref(), Some("cpio+gzip"));
    assert!(find(&r.tree, "initrd.gz::conf/x")
        .is_some_and(|n| matches!(n.diff, Some(Diff::Text { .. }))));
}

#[test]
fn large_leaves_fall_back_to_hashes() {
    let big_a = vec![0u8; 4096];
    let mut big_b = big_a.clone();
    big_b[100] = 1;
    let a = newc(&[file("blob", 1, &big_a)]);
    let b = newc(&[file("blob", 1, &big_b)]);
    let opts = Options {
        max_diff_bytes: 1024,
        ..Options::default()
    };
    let r = compare_blobs("a", &Blob::from_vec(a), "b", &Blob::from_vec(b), &opts);
    let n = find(&r.tree, "blob").expect("blob");
    assert!(matches!(n.diff, Some(Diff::Hash { .. })), "{:?}", n.diff);
    assert_eq!(r.summary.fallbacks, 1);
}

#[test]
fn corrupt_member_is_an_error_node_and_the_rest_goes_on() {
    let mut bad = newc(&[file("in", 1, b"x")]);
    bad.truncate(20);
    let a = newc(&[
        file("nested.cpio", 1, &newc(&[file("in", 1, b"x")])),
        file("z", 2, b"1"),
    ]);
    let b = newc(&[file("nested.cpio", 1, &bad), file("z", 2, b"2")]);
    let r = compare(a, b);
    let n = find(&r.tree, "nested.cpio").expect("nested");
    // The error names the side, the format and where it broke; the bytes
    // are still shown, and side a's intact listing is not reported as gone.
    assert_eq!(n.status, Status::Modified);
    assert_eq!(
        n.errors,
        vec![
            "b: cpio: truncated: needs 110 bytes, only 20 available at byte offset 0x0".to_string()
        ],
        "{n:?}"
    );
    assert!(matches!(n.diff, Some(Diff::Binary { .. })), "{n:?}");
    assert!(n.children.is_empty(), "{n:?}");
    // The member after it is compared as usual.
    let z = find(&r.tree, "z").expect("the comparison went on");
    let Some(Diff::Text { hunks, .. }) = &z.diff else {
        panic!("z: {z:?}");
    };
    let unified = unified(hunks);
    assert!(
        unified.contains("-1") && unified.contains("+2"),
        "{unified}"
    );
    assert_eq!(r.summary.errors, 1);
}

#[test]
fn a_changed_package_set_is_the_first_root_cause() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diagnose");
    let sa = std::fs::read(dir.join("status.a")).expect("status.a");
    let sb = std::fs::read(dir.join("status.b")).expect("status.b");
    // Many mtime-only differences, so the package group must win on rank, not size.
    let names: Vec<String> = (0..30).map(|i| format!("usr/share/doc/f{i}")).collect();
    let mut a = vec![file("var/lib/dpkg/status", 1, &sa)];
    let mut b = vec![file("var/lib/dpkg/status", 1, &sb)];
    for (i, n) in names.iter().enumerate() {
        a.push(file(n, 2 + i as u32, b"x"));
        b.push(Member {
            mtime: 1_700_086_400,
            ..file(n, 2 + i as u32, b"x")
        });
    }
    let r = compare(newc(&a), newc(&b));
    let first = &r.groups[0];
    assert_eq!(first.cause, "package-version", "{:#?}", r.groups);
    assert_eq!(first.addresses, vec!["var/lib/dpkg/status".to_string()]);
    let status = find(&r.tree, "var/lib/dpkg/status").expect("status node");
    assert!(
        status.changes.iter().any(|c| c.field.starts_with("dpkg.")),
        "{:?}",
        status.changes
    );
    assert!(r.groups.iter().any(|g| g.cause == "mtime" && g.count == 30));
}

#[test]
fn on_subtree_reports_each_differing_top_level_member_once() {
    use reprodiff::engine::OnSubtree;
    use std::sync::{Arc, Mutex};
    let inner_a = newc(&[file("x", 1, b"1"), file("y", 2, b"same")]);
    let inner_b = newc(&[file("x", 1, b"2"), file("y", 2, b"same")]);
    let a = newc(&[
        file("etc/a", 1, b"one\n"),
        file("etc/b", 2, b"two\n"),
        file("gone", 3, b"x"),
        file("inner.cpio", 4, &inner_a),
    ]);
    let b = newc(&[
        file("etc/a", 1, b"ONE\n"),
        file("etc/b", 2, b"two\n"),
        file("new", 3, b"y"),
        file("inner.cpio", 4, &inner_b),
    ]);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = Options {
        on_subtree: Some(OnSubtree::new(move |n: &Node| {
            let kids: Vec<String> = n.children.iter().map(|c| c.address.clone()).collect();
            sink.lock()
                .unwrap()
                .push((n.address.clone(), n.status, kids));
        })),
        ..Options::default()
    };
    let r = compare_blobs("a", &Blob::from_vec(a), "b", &Blob::from_vec(b), &opts);
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("etc/a".to_string(), Status::Modified, vec![]),
            ("gone".to_string(), Status::Removed, vec![]),
            (
                "inner.cpio".to_string(),
                Status::Modified,
                vec!["inner.cpio::x".to_string()]
            ),
            ("new".to_string(), Status::Added, vec![]),
        ]
    );
    let final_addrs: Vec<&str> = r.tree.children.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(final_addrs, ["etc/a", "gone", "inner.cpio", "new"]);
}

/// A panic while comparing one nested pair (a bug, in this code or a
/// decoder under it) becomes an error on that pair's node; its siblings
/// are still compared and the report is still written.
#[test]
fn a_panic_in_one_pair_is_an_error_on_it_alone() {
    let inner = |x: &[u8]| newc(&[file("x", 1, x)]);
    let (ia, ib) = (inner(b"one\n"), inner(b"two\n"));
    let a = newc(&[file("etc/a", 1, b"one\n"), file("inner.cpio", 2, &ia)]);
    let b = newc(&[file("etc/a", 1, b"ONE\n"), file("inner.cpio", 2, &ib)]);
    let opts = Options {
        panic_at: Some("inner.cpio".into()),
        ..Options::default()
    };
    let r = compare_blobs("a", &Blob::from_vec(a), "b", &Blob::from_vec(b), &opts);
    let n = find(&r.tree, "inner.cpio").expect("the pair is reported");
    assert_eq!(n.status, Status::Modified);
    assert!(
        n.errors
            .iter()
            .any(|e| e.contains("internal error") && e.contains("planted at inner.cpio")),
        "{:?}",
        n.errors
    );
    assert!(n.children.is_empty());
    let sibling = find(&r.tree, "etc/a").expect("the sibling is compared");
    assert!(sibling.diff.is_some());
    assert!(r.summary.errors >= 1, "{:?}", r.summary);
}

#[test]
fn a_preset_cancel_flag_stops_before_any_member() {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let a = newc(&[file("etc/a", 1, b"one\n"), file("gone", 3, b"x")]);
    let b = newc(&[file("etc/a", 1, b"ONE\n"), file("new", 3, b"y")]);
    let opts = Options {
        cancel: Some(Arc::new(AtomicBool::new(true))),
        ..Options::default()
    };
    let r = compare_blobs("a", &Blob::from_vec(a), "b", &Blob::from_vec(b), &opts);
    assert!(r.tree.children.is_empty(), "{:?}", r.tree.children);
    assert!(r.tree.diff.is_none(), "no whole-image fallback diff");
    assert_eq!(r.tree.errors, ["comparison cancelled"]);
}

#[test]
fn binary_ranges_are_placed_in_the_image_when_stored_as_is() {
    let dir = std::env::temp_dir().join(format!("reprodiff-image-offset-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut data_b = vec![0u8; 64];
    data_b[40] = 0xff;
    let a = newc(&[file("pad", 1, b"0123456789"), file("bin", 2, &[0u8; 64])]);
    let b = newc(&[file("pad", 1, b"0123456789"), file("bin", 2, &data_b)]);
    let (pa, pb) = (dir.join("a.cpio"), dir.join("b.cpio"));
    std::fs::write(&pa, &a).expect("write a");
    std::fs::write(&pb, &b).expect("write b");
    let r = reprodiff::compare_files(&pa, &pb, &Options::default()).expect("compare");
    let n = find(&r.tree, "bin").expect("bin differs");
    let Some(Diff::Binary { ranges, .. }) = &n.diff else {
        panic!("{:?}", n.diff)
    };
    let at = n.image_offset_b.expect("stored as is") + ranges[0].offset;
    assert_eq!(
        b[at as usize], 0xff,
        "the range points at the differing byte of the file"
    );
    assert_eq!(a[at as usize], 0);
    assert_eq!(n.image_offset_a, n.image_offset_b);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Holding a large decoded archive one side at a time (side a reduced to
/// digests, differing members decoded again) must not change a byte of the
/// report, nor must reading two tars member by member as both decode. The
/// demo pair differs inside a gzip cpio segment (a changed file, reordered
/// members) and inside the xz tars of a rebuilt .deb. xz pairs that fit the
/// budget are decoded once and both held unless told not to; tars that are
/// not held both at once are read member by member unless told not to.
#[test]
fn holding_one_decoded_side_at_a_time_changes_nothing() {
    use std::sync::atomic::Ordering::Relaxed;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo");
    let run = |evict_min: u64, hold_slow: bool, stream_members: bool| {
        let progress = std::sync::Arc::new(reprodiff::engine::Progress::default());
        let opts = Options {
            evict_min,
            hold_slow,
            stream_members,
            progress: Some(progress.clone()),
            ..Options::default()
        };
        let r = reprodiff::compare_files(&dir.join("a.iso"), &dir.join("b.iso"), &opts)
            .expect("demo pair");
        let dropped = progress.dropped.load(Relaxed);
        let streamed = progress.streamed.load(Relaxed);
        (
            serde_json::to_string_pretty(&r).expect("json"),
            dropped,
            streamed,
        )
    };
    let (both, none_dropped, _) = run(u64::MAX, false, false);
    let (one, dropped, none_streamed) = run(0, false, false);
    let (xz_held, fewer, _) = run(0, true, false);
    let (members, cpio_only, streamed) = run(0, false, true);
    assert_eq!(none_dropped, 0);
    // initrd segment 2, and the .deb's control.tar.xz and data.tar.xz.
    assert!(
        dropped >= 3,
        "only {dropped} archives held one side at a time"
    );
    // The two xz tars decoded once, both sides held.
    assert_eq!(fewer, dropped - 2);
    // The two xz tars read member by member; the cpio still dropped.
    assert_eq!((none_streamed, streamed), (0, 2));
    assert_eq!(cpio_only, dropped - 2);
    assert!(both.contains("BUILD_DATE=2023-11-14T22:13:20Z"));
    assert_eq!(one, both);
    assert_eq!(xz_held, both);
    assert_eq!(members, both);
}

/// Two gzip tars that decode past the memory budget while declaring less
/// (a gzip's declared size is its last member's): read member by member,
/// each member may be held whole, but the members held at once never pass
/// the budget. Six members of 40 KB met in reverse order all wait for their
/// namesakes, so at most three of them fit 128 KiB: the others are compared
/// by digest with the reason said. A small member after them always fits
/// and is compared byte for byte; every member that differs is reported.
/// The region map is gathered within half the budget a side, not past it.
#[test]
fn members_held_at_once_stay_within_the_budget() {
    use common::{gzip, ustar};
    let names = ["m0", "m1", "m2", "m3", "m4", "m5", "z"];
    let data: Vec<Vec<u8>> = (0..7u32)
        .map(|i| {
            (0..if i == 6 { 1_000u32 } else { 40_000 })
                .map(|k| (k.wrapping_mul(2_654_435_761).wrapping_add(i) >> 13) as u8)
                .collect()
        })
        .collect();
    let changed: Vec<Vec<u8>> = data
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d[100] ^= 0xff;
            d
        })
        .collect();
    fn members<'a>(names: &[&'a str], d: &'a [Vec<u8>]) -> Vec<Member<'a>> {
        (0..names.len())
            .map(|i| file(names[i], i as u32 + 1, &d[i]))
            .collect()
    }
    let a = ustar(&members(&names, &data));
    let mut mb = members(&names, &changed);
    mb[..6].reverse();
    let b = ustar(&mb);
    // The end blocks in a member of their own: 1024 bytes declared.
    let two = |t: &[u8]| {
        let (head, tail) = t.split_at(t.len() - 1024);
        let mut g = gzip(head);
        g.extend(gzip(tail));
        Blob::from_vec(g)
    };
    let (a, b) = (two(&a), two(&b));
    let budget = 128 << 10;
    let opts = Options {
        max_memory: budget,
        evict_min: 0,
        ..Options::default()
    };
    let r = compare_blobs("a.tar.gz", &a, "b.tar.gz", &b, &opts);
    let mut held = Vec::new();
    let mut digested = 0;
    for name in names {
        let n = find(&r.tree, &format!("<content>/{name}"))
            .or_else(|| find(&r.tree, name))
            .unwrap_or_else(|| panic!("{name} differs: {:#?}", r.tree));
        match &n.diff {
            Some(Diff::Hash { reason, .. }) => {
                assert!(
                    reason.contains("members held at once reached the memory budget"),
                    "{reason}"
                );
                digested += 1;
            }
            Some(_) => held.push(name),
            None => panic!("{name}: no diff"),
        }
    }
    assert!(held.contains(&"z"), "{held:?}");
    assert!(digested >= 3, "{held:?} held, {digested} digested");
    assert!(r.tree.errors.is_empty(), "{:?}", r.tree.errors);
    // Past half the budget a side, its region map is dropped, not grown.
    assert!(r.regions.is_empty(), "{:?}", r.regions);
    // With room for all of them, every member is compared byte for byte.
    let roomy = Options {
        max_memory: 64 << 20,
        ..opts
    };
    let r = compare_blobs("a.tar.gz", &a, "b.tar.gz", &b, &roomy);
    // Within it, the differing regions of the two tars and their owners.
    assert!(
        r.regions
            .iter()
            .any(|x| x.owners_a.iter().any(|o| o.contains("m0"))),
        "{:?}",
        r.regions
    );
    for name in names {
        let n = find(&r.tree, &format!("<content>/{name}"))
            .or_else(|| find(&r.tree, name))
            .unwrap_or_else(|| panic!("{name} differs: {:#?}", r.tree));
        assert!(
            !matches!(n.diff, Some(Diff::Hash { .. }) | None),
            "{name}: {:?}",
            n.diff
        );
    }
}

/// Streamed subtrees get their causes before the report is done: on the
/// demo pair, the SquashFS members' provisional causes are the final ones.
#[test]
fn streamed_subtrees_carry_provisional_causes() {
    use reprodiff::engine::OnSubtree;
    use std::sync::{Arc, Mutex};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo");
    let seen: Arc<Mutex<Vec<Node>>> = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = Options {
        on_subtree: Some(OnSubtree::new(move |n: &Node| {
            let mut n = n.clone();
            reprodiff::diagnose::provisional(&mut n);
            sink.lock().expect("lock").push(n);
        })),
        ..Options::default()
    };
    let r =
        reprodiff::compare_files(&dir.join("a.iso"), &dir.join("b.iso"), &opts).expect("demo pair");
    let seen = seen.lock().expect("lock");
    let sq = seen
        .iter()
        .find(|n| n.address == "live/filesystem.squashfs")
        .expect("the squashfs subtree was streamed");
    for (address, cause) in [
        ("live/filesystem.squashfs::etc/motd", "mtime"),
        ("live/filesystem.squashfs::usr/bin/hello", "build-id"),
        ("live/filesystem.squashfs::etc/demo.conf", "permissions"),
        (
            "live/filesystem.squashfs::usr/share/demo/modules.list",
            "ordering",
        ),
    ] {
        let early = find(sq, address).expect(address);
        let last = find(&r.tree, address).expect(address);
        assert!(
            early.causes.iter().any(|c| c == cause),
            "{address}: {:?}",
            early.causes
        );
        assert_eq!(early.causes, last.causes, "{address}");
    }
}

/// Files of a package whose version differs (or that only one side has)
/// are explained by it: their only cause is package-version, and they group
/// under their package, found through dpkg's `.list` files.
#[test]
fn files_of_changed_packages_are_explained_by_the_package() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diagnose");
    // status.a → status.b: dpkg 1.21.22 → 1.21.22+b1, gzip removed, sed added.
    let sa = std::fs::read(dir.join("status.a")).expect("status.a");
    let sb = std::fs::read(dir.join("status.b")).expect("status.b");
    let dpkg_list = b"/.\n/usr\n/usr/bin\n/usr/bin/dpkg\n/usr/share/doc/dpkg\n";
    let later = |m: Member<'static>| Member {
        mtime: 1_700_086_400,
        ..m
    };
    let dir_member = |name: &'static str, ino| Member {
        mode: 0o040755,
        ..file(name, ino, b"")
    };
    let common = |status: &'static [u8], dpkg: &'static [u8], md5: &'static [u8]| {
        vec![
            file("var/lib/dpkg/status", 1, status),
            file("var/lib/dpkg/info/dpkg.list", 2, dpkg_list),
            file("var/lib/dpkg/info/dpkg.md5sums", 3, md5),
            file("usr/bin/dpkg", 4, dpkg),
        ]
    };
    let sa: &'static [u8] = Box::leak(sa.into_boxed_slice());
    let sb: &'static [u8] = Box::leak(sb.into_boxed_slice());
    let mut a = common(sa, b"dpkg one", b"aaaa  usr/bin/dpkg\n");
    a.extend([
        file("var/lib/dpkg/info/gzip.list", 5, b"/bin\n/bin/gzip\n"),
        file("bin/gzip", 6, b"gzip"),
        dir_member("usr/share/doc/dpkg", 7),
        file("etc/motd", 8, b"hi"),
    ]);
    let mut b = common(sb, b"dpkg two", b"bbbb  usr/bin/dpkg\n");
    b.extend([
        file("var/lib/dpkg/info/sed.list", 5, b"/bin\n/bin/sed\n"),
        file("bin/sed", 6, b"sed"),
        later(dir_member("usr/share/doc/dpkg", 7)),
        later(file("etc/motd", 8, b"hi")),
    ]);
    let r = compare(newc(&a), newc(&b));
    let causes = |addr: &str| {
        let n = find(&r.tree, addr).expect(addr);
        n.causes.iter().map(|c| c.to_string()).collect::<Vec<_>>()
    };
    let package = |addr: &str| {
        find(&r.tree, addr)
            .expect(addr)
            .changes
            .iter()
            .find(|c| c.field.starts_with("package."))
            .map(|c| (c.field.clone(), Change::shown(&c.a), c.shown_b()))
    };
    let pv = vec!["package-version".to_string()];
    for addr in [
        "usr/bin/dpkg",
        "var/lib/dpkg/info/dpkg.md5sums",
        "bin/gzip",
        "var/lib/dpkg/info/gzip.list",
        "bin/sed",
    ] {
        assert_eq!(causes(addr), pv, "{addr}");
    }
    assert_eq!(
        package("usr/bin/dpkg"),
        Some((
            "package.dpkg".into(),
            Some("1.21.22".into()),
            Some("1.21.22+b1".into())
        ))
    );
    assert_eq!(
        package("bin/gzip"),
        Some(("package.gzip".into(), Some("1.12-1".into()), None))
    );
    assert_eq!(package("bin/sed").map(|p| p.1), Some(None));
    // Not the package's doing: a shared directory, an unrelated file.
    assert_eq!(package("usr/share/doc/dpkg"), None);
    assert_eq!(causes("etc/motd"), vec!["mtime".to_string()]);
    let first = &r.groups[0];
    assert_eq!(first.cause, "package-version", "{:#?}", r.groups);
    let dpkg_group = r
        .groups
        .iter()
        .find(|g| g.shape.contains("dpkg 1.21.22 → 1.21.22+b1"))
        .expect("a group for dpkg's files");
    assert_eq!(
        dpkg_group.addresses,
        ["usr/bin/dpkg", "var/lib/dpkg/info/dpkg.md5sums"]
    );
    assert!(
        !r.groups.iter().any(|g| g.cause == "content"),
        "{:#?}",
        r.groups
    );
}

/// Two builds of one ZIP (testdata/gen/zip.sh): member order, a touched
/// file's times (extended timestamp and DOS time), every access time zip
/// recorded, and one changed file, whose deflated bytes are compared
/// decoded.
#[test]
fn zip_members_are_compared_field_by_field() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/zip");
    let r = reprodiff::compare_files(&dir.join("a.zip"), &dir.join("b.zip"), &Options::default())
        .expect("zip pair");
    let change = |addr: &str, field: &str| {
        find(&r.tree, addr)
            .and_then(|n| n.changes.iter().find(|c| c.field == field))
            .map(|c| {
                (
                    Change::shown(&c.a),
                    c.shown_b(),
                    c.cause.map(|x| x.to_string()),
                )
            })
    };
    let order = change("", "order").expect("order change");
    assert_eq!(order.2.as_deref(), Some("ordering"));
    let s = |v: &str| Some(v.to_string());
    assert_eq!(
        change("dir/numbers.txt", "zip.dos_time"),
        Some((
            s("2023-11-14 22:13:20"),
            s("2023-11-15 22:13:20"),
            s("mtime")
        ))
    );
    assert_eq!(
        change("dir/numbers.txt", "mtime"),
        Some((
            s("2023-11-14T22:13:20Z"),
            s("2023-11-15T22:13:20Z"),
            s("mtime")
        ))
    );
    for addr in [
        "dir",
        "dir/noise.bin",
        "empty",
        "hello.txt",
        "dir/numbers.txt",
    ] {
        let (_, b, cause) = change(addr, "atime").unwrap_or_else(|| panic!("{addr}: atime"));
        assert_eq!(
            (b, cause),
            (s("2023-11-15T23:13:20Z"), s("mtime")),
            "{addr}"
        );
    }
    let hello = find(&r.tree, "hello.txt").expect("hello.txt");
    let Some(Diff::Text { hunks, .. }) = &hello.diff else {
        panic!("hello.txt: {hello:?}");
    };
    let unified = unified(hunks);
    assert!(unified.contains("-hello, zip\n+hello, ZIP"), "{unified}");
    // numbers.txt is deflated and its bytes are the same: no diff.
    assert!(find(&r.tree, "dir/numbers.txt").is_some_and(|n| n.diff.is_none()));
    assert_eq!(r.summary.modified, 5);
}

/// The offset of the directory record whose identifier is `name` (ISO9660
/// records start 33 bytes before their identifier).
fn iso_record(iso: &[u8], name: &[u8]) -> (usize, usize) {
    let at = iso
        .windows(name.len())
        .position(|w| w == name)
        .expect("record in the image");
    let start = at - 33;
    (start, usize::from(iso[start]))
}

#[test]
fn iso_directory_records_in_another_order_are_reported_on_their_directory() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo/a.iso");
    let a = std::fs::read(path).expect("demo a.iso");
    // A writer that does not sort: the same two records, swapped in place.
    let (bin, bin_len) = iso_record(&a, b"ISOLINUX.BIN;1");
    let (cfg, cfg_len) = iso_record(&a, b"ISOLINUX.CFG;1");
    assert_eq!(bin_len, cfg_len, "records of the same length");
    assert_eq!(bin + bin_len, cfg, "adjacent records");
    let mut b = a.clone();
    b[bin..bin + bin_len].copy_from_slice(&a[cfg..cfg + cfg_len]);
    b[cfg..cfg + cfg_len].copy_from_slice(&a[bin..bin + bin_len]);

    let r = compare(a, b);
    assert_eq!(r.verdict, Verdict::Different);
    let dir = find(&r.tree, "isolinux").expect("the directory's node");
    let order = dir
        .changes
        .iter()
        .find(|c| c.field == "order")
        .expect("an order change");
    assert_eq!(
        (
            Change::shown(&order.a).as_deref(),
            order.shown_b().as_deref()
        ),
        (
            Some("#1: isolinux/isolinux.bin, isolinux/isolinux.cfg"),
            Some("#1: isolinux/isolinux.cfg, isolinux/isolinux.bin")
        )
    );
    assert_eq!(dir.causes, ["ordering"]);
    // The files themselves are the same; nothing else is reported.
    let mut others = Vec::new();
    r.tree.visit(&mut |n| {
        if n.address != "isolinux" && !n.address.is_empty() {
            others.push(n.address.clone());
        }
    });
    assert!(others.is_empty(), "{others:?}");
    assert!(r.tree.changes.is_empty(), "{:?}", r.tree.changes);
}

/// A live-build style isohybrid pair (`-partition_offset 16`): the
/// partitions are views of the volume, so each difference is reported once,
/// at its address in the volume, with no reader error on the intact images.
#[test]
fn partition_views_report_each_difference_once() {
    let r = fixture_pair("iso/offset-a.iso", "iso/offset-b.iso");
    let mut addresses = Vec::new();
    let mut errors = Vec::new();
    r.tree.visit(&mut |n| {
        addresses.push(n.address.clone());
        errors.extend(n.errors.iter().cloned());
    });
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        addresses.iter().all(|a| !a.contains("partition")),
        "{addresses:?}"
    );
    let a_txt = find(&r.tree, "docs/a.txt").expect("docs/a.txt");
    assert!(a_txt.diff.is_some());
    assert_eq!(
        addresses
            .iter()
            .filter(|a| a.as_str() == "docs/a.txt")
            .count(),
        1
    );
    // The view's dates follow the volume's: one root cause, not three.
    let root = &r.tree;
    let cause = |f: &str| {
        root.changes
            .iter()
            .find(|c| c.field == f)
            .and_then(|c| c.cause)
            .map(|c| c.to_string())
    };
    assert_eq!(
        cause("pvd.modification_date").as_deref(),
        Some("embedded-timestamp")
    );
    assert_eq!(
        cause("mbr.p1.pvd.modification_date").as_deref(),
        Some("consequential")
    );
    // live-build's volume name carries the build time (`-V "Debian trixie
    // 20231114-22:13"`), and xorriso made the GPT disk GUID from the
    // volume date on both sides: neither is content nor a random id.
    assert_eq!(
        cause("pvd.volume_id").as_deref(),
        Some("embedded-timestamp")
    );
    assert_eq!(cause("gpt.disk_guid").as_deref(), Some("consequential"));
    assert_eq!(r.summary.errors, 0);
}

/// live-build's efi.img built twice 7m36s apart (mkfs.msdos -i given the
/// build time in hex, testdata/gen/fat.sh): the volume serials moved by
/// exactly the shift of the file's mtime, so they are that time, not random
/// ids. A serial that is not a time stays a random id (the demo pair).
#[test]
fn a_serial_made_from_the_build_time_is_a_timestamp() {
    let r = fixture_pair("fat/efi-serial.a.img.gz", "fat/efi-serial.b.img.gz");
    let mut serials = Vec::new();
    r.tree.visit(&mut |n| {
        for c in &n.changes {
            if c.field == "boot.volume_serial" {
                serials.push((
                    c.cause.map(|c| c.to_string()),
                    Change::shown(&c.a),
                    c.shown_b(),
                ));
            }
        }
    });
    assert_eq!(
        serials,
        [(
            Some("embedded-timestamp".to_string()),
            Some("6B11-3EE0 (2026-12-03T10:05:20Z)".to_string()),
            Some("6B11-40A8 (2026-12-03T10:12:56Z)".to_string())
        )]
    );
    let demo = fixture_pair("demo/a.iso", "demo/b.iso");
    let mut random = Vec::new();
    demo.tree.visit(&mut |n| {
        for c in &n.changes {
            if c.field == "boot.volume_serial" {
                random.push(c.cause.map(|c| c.to_string()));
            }
        }
    });
    assert!(!random.is_empty());
    assert!(
        random.iter().all(|c| c.as_deref() == Some("random-id")),
        "{random:?}"
    );
}

/// A `.deb` rebuilt with one script changed (dpkg-deb, testdata/gen/deb.sh):
/// the md5sums line in control.tar names the data.tar file that differs, so
/// it is a consequence of it, not a difference of its own.
#[test]
fn deb_md5sums_follow_the_data_files_they_name() {
    let r = fixture_pair("deb/rebuilt-a.deb", "deb/rebuilt-b.deb");
    let sums = find(&r.tree, "control.tar.xz::./md5sums").expect("md5sums");
    let line = sums
        .changes
        .iter()
        .find(|c| c.field == "checksum.usr/bin/rebuilt")
        .expect("the changed line");
    assert_eq!(
        line.cause.map(|c| c.to_string()).as_deref(),
        Some("consequential")
    );
    assert_eq!(
        sums.causes
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        // Its mtime is the moved SOURCE_DATE_EPOCH's, like every member's.
        ["source-date-epoch", "consequential"]
    );
    let script = find(&r.tree, "data.tar.xz::./usr/bin/rebuilt").expect("the script");
    assert!(script.diff.is_some());
    // A man page another Doxygen marked up otherwise, the same words, in a
    // package whose toolchain changed: follows that change.
    let page = find(
        &r.tree,
        "data.tar.xz::./usr/share/man/man7/rebuilt-access.7.gz::<content>",
    )
    .expect("the man page");
    let markup = page
        .changes
        .iter()
        .find(|c| c.field == "text.markup")
        .expect("markup");
    assert_eq!(markup.cause, Some(Cause::Consequential));
    assert_eq!(
        markup.follows,
        ["control.tar.xz::./control: control.Depends"]
    );
    assert!(!page.causes.contains(&Cause::Content), "{:?}", page.changes);
    // The control stanza of a backport rebuild: the version and the libc6
    // dependency dpkg-shlibdeps would write, each explained.
    let control = find(&r.tree, "control.tar.xz::./control").expect("control");
    let causes: Vec<String> = control.causes.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        causes,
        ["source-date-epoch", "toolchain", "package-version"],
        "{:?}",
        control.changes
    );
    let version = control
        .changes
        .iter()
        .find(|c| c.field == "control.Version")
        .expect("the version");
    assert_eq!(Change::shown(&version.a).as_deref(), Some("1.0-1"));
    assert_eq!(version.shown_b().as_deref(), Some("1.0-1~bpo12+1"));
}

/// A package two releases built for another default Python (dpkg-deb,
/// testdata/gen/deb-python.sh, as omniidl's bookworm-backports build:
/// 3.13 against 3.11): the extension renamed across its ABI tag is the
/// toolchain; the postinst and runtime hook that byte-compile for that
/// version and the link naming the extension follow it, in one group; a
/// NOTES file naming another version (3.12) stays content.
#[test]
fn files_naming_the_interpreter_follow_the_extension_abi() {
    let r = fixture_pair("deb/pyext-a.deb", "deb/pyext-b.deb");
    let so = "data.tar.xz::./usr/lib/pyext/_pyext.cpython-311-x86_64-linux-gnu.so";
    let ext = find(&r.tree, so).expect("the extension");
    assert!(ext.changes.iter().any(|c| c.field == "python.abi"));
    let abi = format!("{so}: python.abi");
    for path in [
        "control.tar.xz::./postinst",
        "data.tar.xz::./usr/share/python3/runtime.d/pyext.rtupdate",
    ] {
        let n = find(&r.tree, path).expect(path);
        let c = n
            .changes
            .iter()
            .find(|c| c.field == "text.python_version")
            .unwrap_or_else(|| panic!("{path}: {:?}", n.changes));
        assert_eq!(
            (Change::shown(&c.a).as_deref(), c.shown_b().as_deref()),
            (Some("3.13"), Some("3.11"))
        );
        assert_eq!(c.follows, std::slice::from_ref(&abi));
        assert_eq!(n.causes, [Cause::Consequential], "{path}: {:?}", n.changes);
    }
    let link = find(&r.tree, "data.tar.xz::./usr/lib/pyext/_pyext.so").expect("the link");
    let target = link
        .changes
        .iter()
        .find(|c| c.field == "target")
        .expect("target");
    assert_eq!(target.cause, Some(Cause::Consequential));
    assert_eq!(target.follows, std::slice::from_ref(&abi));
    let notes = find(&r.tree, "data.tar.xz::./usr/share/doc/pyext/NOTES").expect("NOTES");
    assert_eq!(notes.causes, [Cause::Content], "{:?}", notes.changes);
    let group = r
        .groups
        .iter()
        .find(|g| g.shape.starts_with("files naming the Python version"))
        .expect("the group");
    assert_eq!(group.count, 3, "{:?}", group.addresses);
}

/// A package two releases built with another udev directory (dpkg-deb,
/// testdata/gen/deb-moved.sh, as tlp's bookworm-backports build): the
/// rules file that names the renamed helper by its directory follows the
/// rename; a README that names it too but also changes a word does not.
#[test]
fn a_text_naming_a_renamed_entry_follows_the_rename() {
    let r = fixture_pair("deb/udevmoved-a.deb", "deb/udevmoved-b.deb");
    let helper = find(&r.tree, "data.tar.xz::./lib/udev/udevmoved-helper").expect("helper");
    assert_eq!(helper.causes, [Cause::Renamed]);
    let rules = find(
        &r.tree,
        "data.tar.xz::./lib/udev/rules.d/85-udevmoved.rules",
    )
    .expect("the rules file");
    let c = rules
        .changes
        .iter()
        .find(|c| c.field == "text.renamed_entries")
        .expect("the renamed names");
    assert_eq!(
        (Change::shown(&c.a).as_deref(), c.shown_b().as_deref()),
        (
            Some("/usr/lib/udev/udevmoved-helper"),
            Some("/lib/udev/udevmoved-helper")
        )
    );
    assert_eq!((c.cause, c.more), (Some(Cause::Consequential), 0));
    assert!(
        !rules.causes.contains(&Cause::Content),
        "{:?}",
        rules.causes
    );
    let readme = find(&r.tree, "data.tar.xz::./usr/share/doc/udevmoved/README").expect("README");
    assert!(
        readme.causes.contains(&Cause::Content),
        "{:?}",
        readme.causes
    );
    assert!(readme
        .changes
        .iter()
        .all(|c| c.field != "text.renamed_entries"));
    assert!(r
        .groups
        .iter()
        .any(|g| g.shape == "texts naming renamed entries by their new names" && g.count == 1));
    // Side a's byte regions name the rules file by its old name: an entry
    // that differs, not one whose bytes merely moved.
    let old = "data.tar.xz::./usr/lib/udev/rules.d/85-udevmoved.rules";
    assert!(r
        .regions
        .iter()
        .any(|g| g.owners_a.iter().any(|o| o == old)));
    assert!(r
        .regions
        .iter()
        .all(|g| !g.unchanged.iter().any(|u| u == old)));
}

/// The same backport pair as a whole: the changelog entry added on top is
/// the package version, its date is SOURCE_DATE_EPOCH (dpkg-parsechangelog
/// gave it to dpkg-deb), so every member time clamped to it, tar and ar
/// alike, is that one root cause; the older entries debhelper trimmed on
/// one side are the tool's. Only the script really edited stays unexplained.
#[test]
fn a_backport_rebuild_is_version_epoch_and_toolchain() {
    let r = fixture_pair("deb/rebuilt-a.deb", "deb/rebuilt-b.deb");
    let log = find(
        &r.tree,
        "data.tar.xz::./usr/share/doc/rebuilt/changelog.Debian.gz::<content>",
    )
    .expect("the changelog");
    let fields: Vec<(&str, String)> = log
        .changes
        .iter()
        .filter(|c| c.field.starts_with("changelog."))
        .map(|c| {
            (
                c.field.as_str(),
                c.cause.map(|c| c.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            ("changelog.entry", "package-version".to_string()),
            ("changelog.rebuild", "toolchain".to_string()),
            ("changelog.date", "source-date-epoch".to_string()),
            ("changelog.older-entries", "toolchain".to_string()),
        ],
        "{:?}",
        log.changes
    );
    assert!(
        !log.causes.iter().any(|c| *c == *"content"),
        "{:?}",
        log.causes
    );
    // Every time of the pair is the epoch's: no mtime group is left.
    let mut mtimes = Vec::new();
    let mut clamped = 0;
    r.tree.visit(&mut |n| {
        for c in &n.changes {
            match c.cause.map(|c| c.to_string()).as_deref() {
                Some("mtime") => mtimes.push(format!("{} {}", n.address, c.field)),
                Some("source-date-epoch") => clamped += 1,
                _ => {}
            }
        }
    });
    assert!(mtimes.is_empty(), "{mtimes:?}");
    assert!(clamped >= 15, "{clamped} clamped times");
    let group = r
        .groups
        .iter()
        .find(|g| g.cause == *"source-date-epoch")
        .expect("an epoch group");
    assert!(
        group
            .shape
            .ends_with("2023-08-04T21:32:05Z → 2023-08-15T23:39:00Z"),
        "{}",
        group.shape
    );
    // The binary gcc-12 and gcc-11 compiled, stripped of its .comment as
    // dh_strip does: the package's libc6 dependency is the evidence its
    // code follows.
    let square = find(&r.tree, "data.tar.xz::./usr/bin/square").expect("the binary");
    let text = square
        .changes
        .iter()
        .find(|c| c.field == "elf.section..text")
        .expect("its code differs");
    assert_eq!(
        text.cause.map(|c| c.to_string()).as_deref(),
        Some("consequential")
    );
    assert_eq!(text.follows, ["control.tar.xz::./control: control.Depends"]);
    assert!(r.groups.iter().any(|g| g
        .shape
        .starts_with("compiled code differs after the toolchain change")));
    // A build stamp written to the day from the epoch follows it too.
    let stamp = find(&r.tree, "data.tar.xz::./usr/share/rebuilt/stamp").expect("stamp");
    let date = stamp
        .changes
        .iter()
        .find(|c| c.field == "text.timestamp")
        .expect("the written date");
    assert_eq!(
        date.cause.map(|c| c.to_string()).as_deref(),
        Some("source-date-epoch")
    );
    // What is left: the one script whose words changed.
    let mut unexplained = Vec::new();
    r.tree.visit(&mut |n| {
        if n.children.is_empty() && n.causes.iter().any(|c| *c == *"content") {
            unexplained.push(n.address.clone());
        }
    });
    assert_eq!(unexplained, ["data.tar.xz::./usr/bin/rebuilt"]);
}

/// Renames are paired, not listed as removed + added: an ABI tag
/// (cpython-311 → 313), a usrmerge move, and the same bytes under a new
/// name. Each is one node at b's name, `renamed`, compared as usual.
#[test]
fn renamed_entries_are_paired() {
    let so_a = "usr/lib/python3/dist-packages/_x.cpython-311-x86_64-linux-gnu.so";
    let so_b = "usr/lib/python3/dist-packages/_x.cpython-313-x86_64-linux-gnu.so";
    let a = newc(&[
        file(so_a, 1, b"compiled for 3.11"),
        file("lib/systemd/system/x.service", 2, b"[Unit]\n"),
        file("docs/old-name.txt", 3, b"the same words\n"),
        file("gone.txt", 4, b"only in a\n"),
    ]);
    let b = newc(&[
        file(so_b, 1, b"compiled for 3.13"),
        file("usr/lib/systemd/system/x.service", 2, b"[Unit]\n"),
        file("docs/new-name.txt", 3, b"the same words\n"),
        file("new.txt", 4, b"only in b, other size\n"),
    ]);
    let r = compare(a, b);
    let renamed = |addr: &str, from: &str| {
        let n = find(&r.tree, addr).unwrap_or_else(|| panic!("{addr} not reported"));
        let path = n
            .changes
            .iter()
            .find(|c| c.field == "path")
            .expect("path change");
        assert_eq!(Change::shown(&path.a).as_deref(), Some(from), "{addr}");
        assert_eq!(
            path.cause.map(|c| c.to_string()).as_deref(),
            Some("renamed"),
            "{addr}"
        );
        n
    };
    let so = renamed(so_b, so_a);
    assert!(so.diff.is_some(), "a renamed pair is compared");
    let unit = renamed(
        "usr/lib/systemd/system/x.service",
        "lib/systemd/system/x.service",
    );
    assert!(unit.diff.is_none());
    assert_eq!(
        unit.causes
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        ["renamed"]
    );
    renamed("docs/new-name.txt", "docs/old-name.txt");
    assert!(find(&r.tree, so_a).is_none());
    // Unrelated files stay removed and added.
    assert_eq!(
        find(&r.tree, "gone.txt").map(|n| n.status),
        Some(Status::Removed)
    );
    assert_eq!(
        find(&r.tree, "new.txt").map(|n| n.status),
        Some(Status::Added)
    );
}

/// A documentation tree whose pages name another Sphinx version: the pages
/// are toolchain, and the theme's style sheet the generator copies beside
/// them follows that version; a file outside the tree does not.
#[test]
fn a_documentation_tree_follows_its_generator() {
    let page = |v: &str| {
        format!(
            "<html>\n<body>\n<p>Usage</p>\n<div class=\"footer\">\n  Created using <a href=\"https://www.sphinx-doc.org/\">Sphinx</a> {v}.\n</div>\n</body>\n</html>\n"
        )
        .into_bytes()
    };
    let (pa, pb) = (page("8.1.3"), page("5.3.0"));
    let a = newc(&[
        file("doc/html/index.html", 1, &pa),
        file(
            "doc/html/_static/basic.css",
            2,
            b"div.body { min-width: 360px; }\n",
        ),
        file("doc/notes.txt", 3, b"first words\n"),
    ]);
    let b = newc(&[
        file("doc/html/index.html", 1, &pb),
        file(
            "doc/html/_static/basic.css",
            2,
            b"div.body { min-width: 450px; }\n",
        ),
        file("doc/notes.txt", 3, b"other words\n"),
    ]);
    let r = compare(a, b);
    let causes = |addr: &str| -> Vec<String> {
        find(&r.tree, addr)
            .unwrap_or_else(|| panic!("{addr}"))
            .causes
            .iter()
            .map(|c| c.to_string())
            .collect()
    };
    assert_eq!(
        causes("doc/html/index.html"),
        ["toolchain", "consequential"]
    );
    assert_eq!(causes("doc/html/_static/basic.css"), ["consequential"]);
    let css = find(&r.tree, "doc/html/_static/basic.css").expect("css");
    assert_eq!(
        css.changes.last().map(|c| c.follows.clone()),
        Some(vec!["doc/html/index.html: text.generator".to_string()])
    );
    assert_eq!(causes("doc/notes.txt"), ["content"]);
}

/// An installed wheel whose `WHEEL` names another build backend
/// (python3-xapian-haystack: setuptools 75.6.0 against bdist_wheel 0.38.4):
/// the core metadata it wrote beside it (`Requires-Dist: django>=3.2`
/// written `django (>=3.2)`, named as substitutions) follows that change;
/// a METADATA outside a `.dist-info` folder does not.
#[test]
fn a_wheels_core_metadata_follows_its_build_backend() {
    let wheel = |g: &str| format!("Wheel-Version: 1.0\nGenerator: {g}\nRoot-Is-Purelib: true\n");
    let meta = |name: &str, dep: &str| {
        format!("Metadata-Version: 2.1\nName: {name}\nRequires-Dist: {dep}\n")
    };
    let tree = |g: &str, dep: &str| {
        let (w, m, y) = (wheel(g), meta("x", dep), meta("y", dep));
        newc(&[
            file("x-1.0.dist-info/WHEEL", 1, w.as_bytes()),
            file("x-1.0.dist-info/METADATA", 2, m.as_bytes()),
            file("y/METADATA", 3, y.as_bytes()),
        ])
    };
    let a = tree(
        "setuptools (75.6.0)",
        "django>=3.2\nRequires-Dist: filelock>=3.4",
    );
    let b = tree(
        "bdist_wheel (0.38.4)",
        "django-haystack (>=2.8.0)\nRequires-Dist: filelock (>=3.4)",
    );
    let r = compare(a, b);
    let node = find(&r.tree, "x-1.0.dist-info/METADATA").expect("METADATA differs");
    assert_eq!(
        node.causes,
        vec![Cause::Consequential],
        "{:#?}",
        node.changes
    );
    assert!(node.changes.iter().any(|c| c.field == "text.substitution"));
    assert!(node
        .changes
        .iter()
        .filter(|c| c.field.starts_with("text."))
        .all(|c| c.follows == ["x-1.0.dist-info/WHEEL: text.generator"]));
    let other = find(&r.tree, "y/METADATA").expect("the other METADATA differs");
    assert!(other.causes.contains(&Cause::Content), "{:?}", other.causes);
    // Another version of the package: its metadata is that version's.
    let bump = |v: &str| {
        let (w, m) = (
            wheel("setuptools (75.6.0)"),
            format!("Metadata-Version: 2.1\nName: x\nVersion: {v}\n"),
        );
        newc(&[
            file("x.dist-info/WHEEL", 1, w.as_bytes()),
            file("x.dist-info/METADATA", 2, m.as_bytes()),
        ])
    };
    let mut b = bump("1.1");
    let at = b
        .windows(10)
        .position(|w| w == b"setuptools")
        .expect("wheel");
    b[at..at + 10].copy_from_slice(b"Setuptools");
    let r = compare(bump("1.0"), b);
    let node = find(&r.tree, "x.dist-info/METADATA").expect("METADATA differs");
    assert!(node.causes.contains(&Cause::Content), "{:?}", node.causes);
}

/// A checksum list whose lines name files one side lacks: a removed file,
/// an added one, and a file renamed by usrmerge. Each such line follows
/// the entry reported for it; a line for a file reported nowhere does not.
#[test]
fn checksum_lines_of_removed_added_and_renamed_files_follow_them() {
    let sums = |lines: &[&str]| lines.join("\n").into_bytes();
    let a = newc(&[
        file("lib/systemd/system/x.service", 1, b"[Unit]\n"),
        file("gone.txt", 2, b"only in a\n"),
        file(
            "md5sums",
            3,
            &sums(&[
                "d41d8cd98f00b204e9800998ecf8427e  lib/systemd/system/x.service",
                "0cc175b9c0f1b6a831c399e269772661  gone.txt",
                "",
            ]),
        ),
    ]);
    let b = newc(&[
        file("usr/lib/systemd/system/x.service", 1, b"[Unit]\n"),
        file("new.txt", 2, b"only in b, another size\n"),
        file(
            "md5sums",
            3,
            &sums(&[
                "d41d8cd98f00b204e9800998ecf8427e  usr/lib/systemd/system/x.service",
                "92eb5ffee6ae2fec3ad71c777531578f  new.txt",
                "",
            ]),
        ),
    ]);
    let r = compare(a, b);
    let list = find(&r.tree, "md5sums").expect("the list differs");
    let causes: Vec<(String, String)> = list
        .changes
        .iter()
        .filter(|c| c.field.starts_with("checksum."))
        .map(|c| {
            (
                c.field.clone(),
                c.cause.map(|c| c.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        causes,
        [
            (
                "checksum.lib/systemd/system/x.service".to_string(),
                "consequential".to_string()
            ),
            ("checksum.gone.txt".to_string(), "consequential".to_string()),
            (
                "checksum.usr/lib/systemd/system/x.service".to_string(),
                "consequential".to_string()
            ),
            ("checksum.new.txt".to_string(), "consequential".to_string()),
        ]
    );
    assert!(
        !list.causes.iter().any(|c| *c == *"content"),
        "{:?}",
        list.causes
    );
    // A line naming a file no side reports is not explained by one.
    let a = newc(&[file(
        "md5sums",
        1,
        b"0cc175b9c0f1b6a831c399e269772661  ghost.txt\n",
    )]);
    let b = newc(&[file(
        "md5sums",
        1,
        b"92eb5ffee6ae2fec3ad71c777531578f  other.txt\n",
    )]);
    let r = compare(a, b);
    let list = find(&r.tree, "md5sums").expect("the list differs");
    assert!(
        list.causes.iter().any(|c| *c == *"content"),
        "{:?}",
        list.causes
    );
}

/// Member names that hold `::` themselves (Perl man pages such as
/// `Locale::gettext.3pm.gz`) resolve for `extract`, at any depth: the
/// longest member path that fits the address is taken at each level.
#[test]
fn addresses_reach_members_whose_names_hold_the_separator() {
    use reprodiff::engine::address::resolve;
    let inner = newc(&[file("a::b", 1, b"deep\n")]);
    let outer = newc(&[
        file("man3/Locale::gettext.3pm", 1, b"perl page\n"),
        file("man3/Locale", 2, b"a shorter name\n"),
        file("inner.cpio", 3, &inner),
    ]);
    let blob = Blob::from_vec(outer);
    let limits = Options::default().limits;
    let read = |address: &str| {
        resolve(&blob, address, &limits)
            .map(|(_, data)| data.bytes().to_vec())
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        read("man3/Locale::gettext.3pm"),
        Ok(b"perl page\n".to_vec())
    );
    assert_eq!(read("man3/Locale"), Ok(b"a shorter name\n".to_vec()));
    assert_eq!(read("inner.cpio::a::b"), Ok(b"deep\n".to_vec()));
    assert!(read("man3/Locale::nothing").is_err());
    assert!(read("missing").is_err());
}

/// A Perl man page's name holds `::` (`Media::Convert.3pm.gz`), the
/// separator of address levels: a checksum line in a sibling archive that
/// names it (a .deb's control.tar md5sums naming a data.tar file) follows
/// it, as for any other name. Splitting the address at its last `::`
/// took `Convert.3pm.gz` for a member of `.../man3/Media` and left the
/// line unexplained (libmedia-convert-perl's trixie and backports builds).
#[test]
fn checksum_lines_follow_files_whose_names_hold_the_separator() {
    let page = "usr/share/man/man3/Media::Convert.3pm";
    let sums = |digest: &str| format!("{digest}  {page}\n").into_bytes();
    let (sa, sb) = (
        sums("3d6ed7b626e79665bcb7e0da8ddbb9e5"),
        sums("d13799392cc2df1fc021de3c51393cac"),
    );
    let (ca, cb) = (
        newc(&[file("md5sums", 1, &sa)]),
        newc(&[file("md5sums", 1, &sb)]),
    );
    let (da, db) = (
        newc(&[file(page, 1, b"built by one pod2man\n")]),
        newc(&[file(page, 1, b"built by another pod2man\n")]),
    );
    let a = newc(&[file("control.cpio", 1, &ca), file("data.cpio", 2, &da)]);
    let b = newc(&[file("control.cpio", 1, &cb), file("data.cpio", 2, &db)]);
    let r = compare(a, b);
    assert!(
        find(&r.tree, &format!("data.cpio::{page}")).is_some(),
        "the page differs"
    );
    let list = find(&r.tree, "control.cpio::md5sums").expect("the list differs");
    let line = list
        .changes
        .iter()
        .find(|c| c.field == format!("checksum.{page}"))
        .expect("the changed line");
    assert_eq!(
        line.cause.map(|c| c.to_string()).as_deref(),
        Some("consequential")
    );
}

/// A file of a package whose version differs is that package's, whatever
/// its name holds: dpkg's `.list` names `Dpkg::Version.3perl`, and the
/// file gets the package's change, not content of its own.
#[test]
fn files_of_changed_packages_whose_names_hold_the_separator_are_the_packages() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diagnose");
    // status.a → status.b: dpkg 1.21.22 → 1.21.22+b1.
    let sa = std::fs::read(dir.join("status.a")).expect("status.a");
    let sb = std::fs::read(dir.join("status.b")).expect("status.b");
    let page = "usr/share/man/man3/Dpkg::Version.3perl";
    let list = format!("/.\n/usr\n/{page}\n");
    let side = |status: &[u8], text: &[u8]| {
        newc(&[
            file("var/lib/dpkg/status", 1, status),
            file("var/lib/dpkg/info/dpkg.list", 2, list.as_bytes()),
            file(page, 3, text),
        ])
    };
    let r = compare(side(&sa, b"one\n"), side(&sb, b"two\n"));
    let n = find(&r.tree, page).expect("the page differs");
    assert_eq!(
        n.causes.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        ["package-version"],
        "{:#?}",
        n.changes
    );
}

/// One pair of nested archives met at two addresses (a live ISO's initrd
/// is also inside its SquashFS): its members are reported once, under the
/// shallower address; the other keeps its own entry changes and points
/// there. A differing leaf met twice is shown once the same way.
#[test]
fn one_pair_of_nested_images_at_two_addresses_is_reported_once() {
    let inner = |stamp: u8| newc(&[file("init", 1, &[b'v', stamp, b'\n'])]);
    let (ia, ib) = (inner(b'1'), inner(b'2'));
    let outer = |inner: &[u8], note: &[u8]| {
        newc(&[
            file("initrd.img", 1, inner),
            file("boot/deeper/initrd.img-6.1", 2, inner),
            file("notes.txt", 3, note),
            file("copy/notes.txt", 4, note),
        ])
    };
    let r = compare(outer(&ia, b"built 1\n"), outer(&ib, b"built 2\n"));
    let node = |a: &str| find(&r.tree, a).unwrap_or_else(|| panic!("{a}"));
    assert!(find(&r.tree, "initrd.img::init").is_some());
    assert!(find(&r.tree, "boot/deeper/initrd.img-6.1::init").is_none());
    let twin = node("boot/deeper/initrd.img-6.1");
    let same = twin
        .changes
        .iter()
        .find(|c| c.field == "same-data-as")
        .expect("points at the kept address");
    assert_eq!(same.subject.as_deref(), Some("initrd.img"));
    assert!(twin.children.is_empty());
    assert!(node("notes.txt").diff.is_some());
    let copy = node("copy/notes.txt");
    assert!(copy.diff.is_none());
    assert_eq!(same_data_as(copy), Some("notes.txt"));
    // The archive's second address is not a difference of its own.
    assert_eq!(
        twin.causes
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        ["consequential"]
    );
}

/// The shallower of two addresses of one nested pair is counted in
/// containers, not in the `::` the address holds: a top-level member whose
/// own name holds `::` is one level deep, and is kept over the same bytes
/// one archive further in, though the deeper one comes first.
#[test]
fn a_repeated_pair_is_kept_at_its_fewest_containers_whatever_its_name_holds() {
    let inner = |stamp: u8| newc(&[file("init", 1, &[b'v', stamp, b'\n'])]);
    let (ia, ib) = (inner(b'1'), inner(b'2'));
    let side = |inner: &[u8]| {
        let wrapper = newc(&[file("initrd.img", 1, inner)]);
        newc(&[
            file("boot.cpio", 1, &wrapper),
            file("z::initrd.img", 2, inner),
        ])
    };
    let r = compare(side(&ia), side(&ib));
    assert!(find(&r.tree, "z::initrd.img::init").is_some());
    let twin = find(&r.tree, "boot.cpio::initrd.img").expect("the deeper address");
    assert_eq!(same_data_as(twin), Some("z::initrd.img"));
}

/// The address a node's `same-data-as` change names, if it has one.
fn same_data_as(n: &Node) -> Option<&str> {
    n.changes
        .iter()
        .find(|c| c.field == "same-data-as")
        .and_then(|c| c.subject.as_deref())
}

/// Two small compressed archives that decode large (a gzip cpio of 5 MiB
/// that compresses to a few KiB, one member differing): each side is
/// decoded once, both at once, and none is held one side at a time and
/// decoded again; with no threshold the same pair is, and the report is
/// the same either way.
#[test]
fn small_stream_pairs_are_decoded_once_and_held() {
    use std::io::Write;
    let dir = std::env::temp_dir().join(format!("reprodiff-small-streams-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let big: Vec<u8> = b"the same line in both archives\n".repeat(5 << 15);
    for (side, note) in [
        ("a", &b"built at 10:00\n"[..]),
        ("b", &b"built at 14:12\n"[..]),
    ] {
        let cpio = common::newc(&[
            common::file("big.txt", 1, &big),
            common::file("note", 2, note),
        ]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&cpio).expect("gzip");
        std::fs::write(
            dir.join(format!("{side}.cpio.gz")),
            gz.finish().expect("gzip"),
        )
        .expect("write");
    }
    let run = |evict_min: Option<u64>| {
        let progress = std::sync::Arc::new(reprodiff::engine::Progress::default());
        let mut opts = Options {
            progress: Some(progress.clone()),
            ..Options::default()
        };
        if let Some(m) = evict_min {
            opts.evict_min = m;
        }
        let r = reprodiff::compare_files(&dir.join("a.cpio.gz"), &dir.join("b.cpio.gz"), &opts)
            .expect("pair");
        let dropped = progress.dropped.load(std::sync::atomic::Ordering::Relaxed);
        (serde_json::to_string_pretty(&r).expect("json"), dropped)
    };
    let (default, none) = run(None);
    let (tiny, some) = run(Some(0));
    assert_eq!(none, 0, "a small pair was held one side at a time");
    assert_eq!(some, 1, "with no threshold side a is held alone");
    assert!(default.contains("14:12"));
    assert_eq!(default, tiny);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two SquashFS listings walked side by side (`testdata/lockstep`, see its
/// script): identical members are dropped as they are met, and the report
/// is the one both listings held whole give. What is held is exactly the
/// members that differ, plus the ones later stages read though identical
/// (a hard-link pair, the changed package's `.list`) — none of the 200
/// identical package directories, nor `order/a/b`, `order/a-b` or the
/// names that are not UTF-8, whose walk order is not their byte order.
#[test]
fn squashfs_walked_side_by_side_holds_only_what_differs() {
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lockstep");
    let read = |side: &str| Blob::open(&dir.join(format!("{side}.squashfs"))).expect("fixture");
    let (a, b) = (read("a"), read("b"));
    let run_excluding = |lockstep: bool, exclude: &[&str]| {
        let progress = Arc::new(reprodiff::engine::Progress::default());
        let opts = Options {
            lockstep,
            progress: Some(progress.clone()),
            exclude: exclude.iter().map(|g| g.to_string()).collect(),
            ..Options::default()
        };
        let r = compare_blobs("a", &a, "b", &b, &opts);
        (r, progress.held_entries.load(Ordering::Relaxed))
    };
    let run = |lockstep: bool| run_excluding(lockstep, &[]);
    // Excluded members are neither compared nor counted, dropped or not.
    let globs = ["usr/share/doc/pkg-01*", "etc/*"];
    let json = |r: &reprodiff::report::Report| serde_json::to_string_pretty(r).expect("json");
    let (excluded_whole, _) = run_excluding(false, &globs);
    let (excluded_walked, _) = run_excluding(true, &globs);
    assert_eq!(json(&excluded_walked), json(&excluded_whole));
    let (whole, held_whole) = run(false);
    let (walked, held) = run(true);
    assert!(excluded_walked.summary.compared < walked.summary.compared);
    assert_eq!(held_whole, 0, "nothing walked side by side");
    assert_eq!(
        serde_json::to_string_pretty(&walked).expect("json"),
        serde_json::to_string_pretty(&whole).expect("json")
    );
    let s = &walked.summary;
    assert_eq!((s.modified, s.added, s.removed), (8, 3, 1), "{s:?}");
    // The package's files are attributed through its unchanged `.list`.
    let hello = find(&walked.tree, "usr/bin/hello").expect("hello differs");
    assert!(hello.changes.iter().any(|c| c.field == "package.hello"));
    // Each modified pair is two members (the rename too), each added or
    // removed one, and l1, l2 and hello.list are two each though equal.
    assert_eq!(held, 2 * s.modified + s.added + s.removed + 2 * 3);
    // Dropped pairs still count as compared and identical.
    assert!(s.identical > 400, "{s:?}");
}

/// A compressed tar pair whose decoded size is over the memory budget is
/// compared member by member while both decode, not by one digest of the
/// whole: the same members, changes, diffs, nested differences and order
/// as when both are held, except that a member over the budget for one
/// member is compared by digest (and says so).
#[test]
fn tar_archives_over_the_budget_are_compared_member_by_member() {
    use common::{gzip, ustar};
    let big: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let mut big_b = big.clone();
    big_b[1500] ^= 0xff;
    let log_a = gzip(b"pkg (1.0) unstable; urgency=medium\n\n  * Initial.\n");
    let log_b = gzip(b"pkg (1.0) unstable; urgency=medium\n\n  * Initial, rebuilt.\n");
    let touched = Member {
        mtime: 1_700_003_600,
        ..file("etc/b.conf", 0, b"two\n")
    };
    let a = ustar(&[
        file("etc/a.conf", 0, b"one\n"),
        file("etc/b.conf", 0, b"two\n"),
        file("big.bin", 0, &big),
        file("gone.txt", 0, b"gone\n"),
        file("doc/changelog.gz", 0, &log_a),
        file("x1", 0, b"x"),
        file("x2", 0, b"y"),
        file("lib/m.cpython-313-x86_64-linux-gnu.so", 0, b"\x7fELF 313"),
        file(
            "share/old-name.dat",
            0,
            b"the same bytes under another name",
        ),
    ]);
    let b = ustar(&[
        file("etc/a.conf", 0, b"ONE\n"),
        touched,
        file("big.bin", 0, &big_b),
        file("doc/changelog.gz", 0, &log_b),
        file("new.txt", 0, b"new\n"),
        file("x2", 0, b"y"),
        file("x1", 0, b"x"),
        file("lib/m.cpython-311-x86_64-linux-gnu.so", 0, b"\x7fELF 311"),
        file(
            "share/new-name.dat",
            0,
            b"the same bytes under another name",
        ),
    ]);
    let (a, b) = (Blob::from_vec(gzip(&a)), Blob::from_vec(gzip(&b)));
    let (held, walked) = held_and_member_by_member(("a.tar.gz", &a), ("b.tar.gz", &b), 4096);
    assert_eq!(walked.tree.format.as_deref(), Some("tar+gzip"));
    assert_same_members(&held, &walked, ("big.bin", &big));
    // Renamed, as when held: by an ABI tag, and by the same bytes.
    for (old, new) in [
        (
            "lib/m.cpython-313-x86_64-linux-gnu.so",
            "lib/m.cpython-311-x86_64-linux-gnu.so",
        ),
        ("share/old-name.dat", "share/new-name.dat"),
    ] {
        let child = |r: &reprodiff::report::Report, at: &str| {
            r.tree.children.iter().find(|n| n.address == at).cloned()
        };
        assert!(child(&held, new).is_some(), "renamed when held: {new}");
        let path = child(&walked, new)
            .expect("renamed member by member")
            .changes
            .into_iter()
            .find(|c| c.field == "path")
            .expect("a rename");
        assert_eq!(Change::shown(&path.a).as_deref(), Some(old));
        assert!(child(&walked, old).is_none(), "{old} is not also removed");
    }
}

/// Compares the pair with the default budget (held whole) and with
/// `budget` bytes, which the decoded archives are over: the two reports.
fn held_and_member_by_member(
    (na, a): (&str, &Blob),
    (nb, b): (&str, &Blob),
    budget: u64,
) -> (reprodiff::report::Report, reprodiff::report::Report) {
    let run = |max_memory: u64| {
        let progress = std::sync::Arc::new(reprodiff::engine::Progress::default());
        let opts = Options {
            max_memory,
            progress: Some(progress.clone()),
            ..Options::default()
        };
        let r = compare_blobs(na, a, nb, b, &opts);
        let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        (r, load(&progress.streamed), load(&progress.held_max))
    };
    let (held, held_streamed, _) = run(Options::default().max_memory);
    let (walked, streamed, held_max) = run(budget);
    assert_eq!((held_streamed, streamed), (0, 1));
    // gzip's ISIZE said so: the archive was not decoded to its half of the
    // budget only to find that out (what was held is the nested changelogs).
    assert!(held_max < budget / 2, "held {held_max} bytes");
    (held, walked)
}

/// The same members differ, with the same changes, diffs, nested
/// differences and order, in both reports, but for `big` (a member over
/// the budget for one member), compared by digest in `walked`.
fn assert_same_members(
    held: &reprodiff::report::Report,
    walked: &reprodiff::report::Report,
    (big_name, big): (&str, &[u8]),
) {
    use std::collections::BTreeMap;
    let by_address = |n: &Node| -> BTreeMap<String, Node> {
        n.children
            .iter()
            .map(|c| (c.address.clone(), c.clone()))
            .collect()
    };
    let (h, w) = (by_address(&held.tree), by_address(&walked.tree));
    assert_eq!(
        h.keys().collect::<Vec<_>>(),
        w.keys().collect::<Vec<_>>(),
        "the same members differ"
    );
    let json = |v: &dyn erased::Ser| v.json();
    for (address, hn) in &h {
        let wn = &w[address];
        assert_eq!(hn.status, wn.status, "{address}");
        assert_eq!(json(&hn.changes), json(&wn.changes), "{address}");
        if address == big_name {
            let Some(Diff::Hash {
                reason, sha256_a, ..
            }) = &wn.diff
            else {
                panic!("{big_name} by digest: {:?}", wn.diff)
            };
            assert!(reason.contains("compared by digest"), "{reason}");
            assert_eq!(
                sha256_a.as_deref(),
                Some(reprodiff::engine::sha256_hex(big).as_str())
            );
        } else {
            assert_eq!(json(&hn.diff), json(&wn.diff), "{address}");
            assert_eq!(json(&hn.children), json(&wn.children), "{address}");
        }
    }
    assert!(
        !w["doc/changelog.gz"].children.is_empty(),
        "nested gzip opened"
    );
    assert_eq!(w["new.txt"].status, Status::Added);
    assert_eq!(w["gone.txt"].status, Status::Removed);

    // x1 and x2 swapped: the same order change as held.
    let order = |r: &reprodiff::report::Report| {
        r.tree
            .changes
            .iter()
            .find(|c| c.field == "order")
            .map(|c| (Change::shown(&c.a), c.shown_b()))
    };
    assert!(order(held).is_some());
    assert_eq!(order(held), order(walked));
    assert_eq!(held.summary.compared, walked.summary.compared);
}

/// A compressed cpio pair (an initrd's main archive) over the memory
/// budget is compared member by member as both decode, as tar is: the
/// report the held comparison gives, a member over the budget for one
/// member by digest; hard links, symbolic links and devices keep their
/// metadata changes.
#[test]
fn cpio_archives_over_the_budget_are_compared_member_by_member() {
    use common::gzip;
    let big: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    let mut big_b = big.clone();
    big_b[1500] ^= 0xff;
    let log_a = gzip(b"pkg (1.0) unstable; urgency=medium\n\n  * Initial.\n");
    let log_b = gzip(b"pkg (1.0) unstable; urgency=medium\n\n  * Initial, rebuilt.\n");
    let link = |target: &'static [u8]| Member {
        mode: 0o120777,
        ..file("bin/sh", 9, target)
    };
    let a = newc(&[
        file("etc/a.conf", 1, b"one\n"),
        file("etc/b.conf", 2, b"two\n"),
        file("big.bin", 3, &big),
        file("gone.txt", 4, b"gone\n"),
        file("doc/changelog.gz", 5, &log_a),
        link(b"dash"),
        file("x1", 6, b"x"),
        file("x2", 7, b"y"),
    ]);
    let b = newc(&[
        file("etc/a.conf", 1, b"ONE\n"),
        Member {
            mtime: 1_700_003_600,
            ..file("etc/b.conf", 2, b"two\n")
        },
        file("big.bin", 3, &big_b),
        file("doc/changelog.gz", 5, &log_b),
        file("new.txt", 10, b"new\n"),
        link(b"bash"),
        file("x2", 7, b"y"),
        file("x1", 6, b"x"),
    ]);
    let (a, b) = (Blob::from_vec(gzip(&a)), Blob::from_vec(gzip(&b)));
    let (held, walked) = held_and_member_by_member(("a.cpio.gz", &a), ("b.cpio.gz", &b), 4096);
    assert_eq!(walked.tree.format.as_deref(), Some("cpio+gzip"));
    assert_same_members(&held, &walked, ("big.bin", &big));
    let sh = find(&walked.tree, "bin/sh").expect("the link differs");
    assert!(
        sh.changes.iter().any(|c| c.field == "target"),
        "{:?}",
        sh.changes
    );
}

/// JSON of anything serializable, for comparing nodes' parts.
mod erased {
    pub trait Ser {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("json")
        }
    }
}

/// A SquashFS file or a deflated ZIP member that decodes to more than half
/// the memory budget is not held: each side is digested as it decodes,
/// and a differing pair gets a `hash` diff with the reason and the
/// digests of the very bytes a held read gives. Equal members stay equal.
#[test]
fn members_over_the_budget_are_compared_by_digest_as_they_decode() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let read = |p: &str| Blob::open(&dir.join(p)).expect("fixture");
    let run = |a: &Blob, b: &Blob, max_memory: u64| {
        let opts = Options {
            max_memory,
            ..Options::default()
        };
        compare_blobs("a", a, "b", b, &opts)
    };
    // big2.bin, 8,217 bytes, differs in its fragment tail.
    let (a, b) = (
        read("squashfs/tails.squashfs"),
        read("squashfs/tails-neighbour.squashfs"),
    );
    let held = run(&a, &b, Options::default().max_memory);
    let digested = run(&a, &b, 8192);
    let big = |r: &reprodiff::report::Report| {
        find(&r.tree, "big2.bin").expect("big2.bin differs").clone()
    };
    assert!(
        !matches!(big(&held).diff, Some(Diff::Hash { .. })),
        "held: a byte diff"
    );
    let Some(Diff::Hash {
        sha256_a,
        sha256_b,
        reason,
    }) = big(&digested).diff
    else {
        panic!("by digest: {:?}", big(&digested).diff)
    };
    assert!(
        reason.contains("over the memory budget (8192 bytes): compared by digest as it decoded"),
        "{reason}"
    );
    let limits = Options::default().limits;
    let sha = |blob: &Blob| {
        let c = reprodiff_formats::open(blob, &limits)
            .expect("opens")
            .expect("squashfs");
        let i = c
            .entries
            .iter()
            .position(|e| e.path == "big2.bin")
            .expect("listed");
        reprodiff::engine::sha256_hex(c.read(i, &limits).expect("reads").bytes())
    };
    assert_eq!((sha256_a, sha256_b), (Some(sha(&a)), Some(sha(&b))));
    assert_eq!(digested.summary.compared, held.summary.compared);
    assert_eq!(digested.summary.modified, held.summary.modified);
    assert_eq!(digested.summary.fallbacks, held.summary.fallbacks + 1);
    // Deflated ZIP members (dir/numbers.txt, 13,893 bytes) against the same
    // bytes stored: inflated piece by piece, found equal, the report the
    // held comparison gives.
    let (a, b) = (read("zip/stored.zip"), read("zip/bare.zip"));
    let tree = |r: &reprodiff::report::Report| serde_json::to_string(&r.tree).expect("json");
    let (held, digested) = (run(&a, &b, Options::default().max_memory), run(&a, &b, 8));
    assert_eq!(tree(&digested), tree(&held));
    assert_eq!(digested.summary.fallbacks, 0);
}

/// A help figure GNU tar stored as a copy of the C locale's figure in one
/// build and as a symbolic link to it in the other (testdata/gen/tar.sh):
/// the link resolves to the same bytes, so the entry says so, and its
/// kind, size, mode, link target and type flag follow that finding. When
/// the link leads to other bytes (`linked-c.tar`), nothing is said and the
/// kind change stays content.
#[test]
fn a_copy_made_a_symbolic_link_to_the_same_bytes_says_so() {
    let r = fixture_pair("tar/linked-a.tar", "tar/linked-b.tar");
    let n = find(&r.tree, "help/ca/figures/f.png").expect("the figure");
    let linked = n
        .changes
        .iter()
        .find(|c| c.field == "link.identical")
        .expect("the finding");
    assert_eq!(Change::shown(&linked.a).as_deref(), Some("a file"));
    assert_eq!(
        linked.shown_b().as_deref(),
        Some("a symbolic link to help/C/figures/f.png, the same bytes")
    );
    assert_eq!(linked.cause, Some(Cause::Content));
    for field in ["kind", "size", "mode", "target", "tar.typeflag"] {
        let c = n.changes.iter().find(|c| c.field == field).expect(field);
        assert_eq!(c.follows, ["link.identical"], "{field}");
        assert_eq!(c.cause, Some(Cause::Consequential), "{field}");
    }
    assert!(r.groups.iter().any(|g| g.cause == Cause::Content
        && g.shape == "a file on one side, a symbolic link to the same bytes on the other"));
    assert!(!r.groups.iter().any(|g| g.cause == Cause::Permissions));

    let r = fixture_pair("tar/linked-a.tar", "tar/linked-c.tar");
    let n = find(&r.tree, "help/ca/figures/f.png").expect("the figure");
    assert!(n.changes.iter().all(|c| c.field != "link.identical"));
    let kind = n.changes.iter().find(|c| c.field == "kind").expect("kind");
    assert_eq!(kind.cause, Some(Cause::Content));
    assert!(kind.follows.is_empty());
}

/// The JSON report writer's own pretty printer writes what serde_json's
/// writes, on a real report with text diffs, groups and regions.
#[test]
fn json_report_is_serde_jsons_pretty_printing() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo");
    let r = reprodiff::compare_files(
        &data.join("a.iso"),
        &data.join("b.iso"),
        &Options::default(),
    )
    .expect("demo pair compares");
    assert!(r.tree.children.len() > 1 && !r.groups.is_empty());
    let mut ours = Vec::new();
    reprodiff_present::json::write(&r, &mut ours).expect("writes");
    let theirs = serde_json::to_string_pretty(&r).expect("json") + "\n";
    assert_eq!(String::from_utf8(ours).expect("utf-8"), theirs);
}
