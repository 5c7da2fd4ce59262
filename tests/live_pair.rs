//! The realistic live ISO pair of `benches/make-live-iso.sh` (134 MiB each,
//! a debootstrap root of 11.6k entries in an xz SquashFS, a zstd initrd, a
//! FAT EFI image, a pool of .debs) through the real binary: every difference
//! the script plants is reported at its address with its field and cause,
//! the parts it leaves alone are not, and a byte copy is identical.
//!
//! The pair is built from Debian's mirror, so this test is not part of the
//! default run: `cargo test --release --test live_pair -- --ignored` after
//! the script (`benches/compare-pair.sh` runs it too).

use std::path::{Path, PathBuf};
use std::process::Command;

use reprodiff::report::{Diff, Node, Report, Status, Verdict};

fn work() -> PathBuf {
    let w = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/work");
    for f in ["a.iso", "b.iso", "c.iso"] {
        assert!(
            w.join(f).is_file(),
            "{} is missing: run benches/make-live-iso.sh first",
            w.join(f).display()
        );
    }
    w
}

fn nodes<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
    out.push(n);
    for c in &n.children {
        nodes(c, out);
    }
}

struct Live {
    report: Report,
}

impl Live {
    fn node(&self, address: &str) -> Option<&Node> {
        let mut all = Vec::new();
        nodes(&self.report.tree, &mut all);
        all.into_iter().find(|n| n.address == address)
    }

    fn must(&self, address: &str) -> &Node {
        self.node(address)
            .unwrap_or_else(|| panic!("{address}: not in the report"))
    }

    /// The change of `field` at `address`, and the cause it was given.
    fn change(&self, address: &str, field: &str) -> (String, String, String) {
        let n = self.must(address);
        let c = n
            .changes
            .iter()
            .find(|c| c.field == field)
            .unwrap_or_else(|| panic!("{address}: no {field} change in {:?}", n.changes));
        (
            reprodiff::report::Change::shown(&c.a).unwrap_or_default(),
            c.shown_b().unwrap_or_default(),
            c.cause.map(|x| x.to_string()).unwrap_or_default(),
        )
    }

    /// Every address below `prefix` whose changes include `field`.
    fn with_field(&self, prefix: &str, field: &str) -> Vec<&str> {
        let mut all = Vec::new();
        nodes(&self.report.tree, &mut all);
        all.into_iter()
            .filter(|n| n.address.starts_with(prefix) && n.changes.iter().any(|c| c.field == field))
            .map(|n| n.address.as_str())
            .collect()
    }
}

fn compare(a: &Path, b: &Path, json: &Path) -> Option<i32> {
    let o = Command::new(env!("CARGO_BIN_EXE_reprodiff"))
        .arg(a)
        .arg(b)
        .arg("--json")
        .arg(json)
        .arg("--quiet")
        .output()
        .expect("run reprodiff");
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.status.code()
}

#[test]
#[ignore = "needs the live ISO pair built by benches/make-live-iso.sh"]
fn live_pair_reports_every_planted_difference_and_nothing_else() {
    let w = work();
    let json = std::env::temp_dir().join(format!("reprodiff-live-{}.json", std::process::id()));

    assert_eq!(compare(&w.join("a.iso"), &w.join("c.iso"), &json), Some(0));
    let same: Report =
        serde_json::from_slice(&std::fs::read(&json).expect("report")).expect("report parses");
    assert_eq!(same.verdict, Verdict::Identical);
    assert_eq!(same.a.sha256, same.b.sha256);

    assert_eq!(compare(&w.join("a.iso"), &w.join("b.iso"), &json), Some(1));
    let report: Report =
        serde_json::from_slice(&std::fs::read(&json).expect("report")).expect("report parses");
    let _ = std::fs::remove_file(&json);
    assert_eq!(report.summary.errors, 0, "no reader errors on real images");
    let live = Live { report };
    let sq = "live/filesystem.squashfs::";

    // ISO layer: the modification date and the GPT disk GUID; the creation
    // date stays.
    let (a, b, cause) = live.change("", "pvd.modification_date");
    assert!(
        a.starts_with("2023-11-14") && b.starts_with("2023-11-15"),
        "{a} {b}"
    );
    assert_eq!(cause, "embedded-timestamp");
    let (a, b, cause) = live.change("", "gpt.disk_guid");
    assert_eq!(b, "A4E5B0D1-B2C3-1E4F-9A8B-7C6D5E4F3A2B", "{a}");
    assert_eq!(cause, "random-id");
    assert!(live
        .must("")
        .changes
        .iter()
        .all(|c| c.field != "pvd.creation_date"));

    // SquashFS layer.
    let planted = std::fs::read_to_string(w.join("planted-mtime.txt")).expect("planted-mtime.txt");
    let planted: Vec<&str> = planted.lines().collect();
    assert!(planted.len() > 450, "{} mtime plants", planted.len());
    for p in &planted {
        let (a, b, cause) = live.change(&format!("{sq}{p}"), "mtime");
        assert_eq!(b, "2023-11-15T22:13:20Z", "{p}: {a}");
        assert_eq!(cause, "mtime", "{p}");
    }
    let mtime_group = live
        .report
        .groups
        .iter()
        .find(|g| g.cause == "mtime" && g.shape.contains("2023-11-15T22:13:20Z"))
        .expect("one group for the files stamped with the later time");
    assert!(
        mtime_group.count as usize >= planted.len(),
        "{mtime_group:?}"
    );
    for (addr, field, a, b, cause) in [
        ("etc/debian_version", "mode", "0644", "0664", "permissions"),
        ("etc/hostname", "uid", "0", "1000", "ownership"),
        (
            "etc/alternatives/editor",
            "target",
            "/usr/bin/vim.tiny",
            "/usr/bin/nano",
            "content",
        ),
    ] {
        assert_eq!(
            live.change(&format!("{sq}{addr}"), field),
            (a.into(), b.into(), cause.into()),
            "{addr}"
        );
    }
    assert_eq!(
        live.must(&format!("{sq}usr/share/demo/removed-in-b.txt"))
            .status,
        Status::Removed
    );
    assert_eq!(
        live.must(&format!("{sq}usr/share/demo/added-in-b.txt"))
            .status,
        Status::Added
    );
    let machine_id = live.must(&format!("{sq}etc/machine-id"));
    // Rewritten in b, so its mtime differs too.
    assert!(
        machine_id.causes.iter().any(|c| c == "random-id"),
        "{:?}",
        machine_id.causes
    );
    assert!(matches!(machine_id.diff, Some(Diff::Text { .. })));
    let build_info = live.must(&format!("{sq}usr/share/demo/build-info.txt"));
    assert!(build_info.causes.iter().any(|c| c == "embedded-timestamp"));
    assert!(matches!(
        live.must(&format!("{sq}etc/issue")).diff,
        Some(Diff::Text { .. })
    ));
    let (a, _, cause) = live.change(&format!("{sq}usr/share/demo/modules.list"), "text.order");
    assert_eq!((a.as_str(), cause.as_str()), ("2000 lines", "ordering"));
    let (_, _, cause) = live.change(
        &format!("{sq}usr/bin/true"),
        "elf.section..note.gnu.build-id",
    );
    assert_eq!(cause, "build-id");
    match &live.must(&format!("{sq}usr/bin/true")).diff {
        Some(Diff::Binary {
            differing_bytes, ..
        }) => assert_eq!(*differing_bytes, 1, "one byte flipped"),
        d => panic!("usr/bin/true: {d:?}"),
    }
    // The first changelog.Debian.gz, recompressed without -n.
    let gz: Vec<&Node> = {
        let mut all = Vec::new();
        nodes(&live.report.tree, &mut all);
        all.into_iter()
            .filter(|n| {
                n.address.starts_with(sq)
                    && n.address.ends_with("/changelog.Debian.gz")
                    && n.changes.iter().any(|c| c.field.starts_with("gzip."))
            })
            .collect()
    };
    assert_eq!(gz.len(), 1, "one changelog recompressed");
    assert!(
        gz[0].changes.iter().any(|c| c.field == "gzip.mtime"),
        "{:?}",
        gz[0].changes
    );
    assert!(gz[0].causes.iter().any(|c| c == "compression-metadata"));

    // Initrd: the zstd cpio segment's member, its order; the early cpio and
    // the kernel are untouched.
    assert!(matches!(
        live.must("live/initrd.img::<segment-2>::conf/build-info")
            .diff,
        Some(Diff::Text { .. })
    ));
    let (_, _, cause) = live.change("live/initrd.img::<segment-2>", "order");
    assert_eq!(cause, "ordering");

    // FAT: serial, a file's mtime, the directory's order.
    let (a, b, cause) = live.change("boot/grub/efi.img", "boot.volume_serial");
    assert_eq!((a.as_str(), b.as_str()), ("1234-ABCD", "5678-EF01"));
    assert_eq!(cause, "random-id");
    let (_, _, cause) = live.change("boot/grub/efi.img::EFI/BOOT/grub.cfg", "mtime");
    assert_eq!(cause, "mtime");
    let (_, _, cause) = live.change("boot/grub/efi.img::EFI/BOOT", "order");
    assert_eq!(cause, "ordering");

    // The rebuilt hello .deb: member mtimes, no content.
    let hello = live
        .report
        .tree
        .children
        .iter()
        .find(|n| n.address.starts_with("pool/main/h/hello/") && !n.address.contains("::"))
        .expect("hello .deb differs");
    let data = live.with_field(&format!("{}::data.tar.", hello.address), "mtime");
    assert!(data.len() > 5, "{data:?}");
    let mut under = Vec::new();
    nodes(hello, &mut under);
    assert!(
        under
            .iter()
            .filter(|n| n.address.contains("::data.tar."))
            .all(|n| !matches!(n.diff, Some(Diff::Text { .. }))),
        "no member of hello's data.tar has other content"
    );

    // Nothing identical is reported as different.
    for same in [
        "live/vmlinuz",
        "live/initrd.img::<segment-1>",
        "live/initrd.img::<segment-2>::bin/sh",
        "isolinux/isolinux.bin",
        ".disk/info",
        "boot/grub/efi.img::EFI/BOOT/BOOTX64.EFI",
        "live/filesystem.squashfs::var/lib/dpkg/status",
        "live/filesystem.squashfs::usr/bin/dash",
    ] {
        assert!(live.node(same).is_none(), "{same} reported as different");
    }
    for n in &live.report.tree.children {
        assert!(
            !(n.address.starts_with("pool/main/t/") || n.address.starts_with("pool/main/n/")),
            "untouched .deb reported: {}",
            n.address
        );
    }
}
