//! A whole release at once, end to end: the two build output folders of
//! `testdata/release/` (made by `testdata/gen/release.sh` with xorriso,
//! mksquashfs, sgdisk, mkfs.vfat, mtools, syslinux and GNU tar; b planted as
//! `testdata/release/PLANTED.md` lists) compared by the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use reprodiff::report::{Cause, Node, Report, Status, Verdict};
use reprodiff_formats::{Blob, Limits};

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("reprodiff-release-{name}-{}", std::process::id()))
}

fn compare(a: &Path, b: &Path, dir: &Path) -> (Option<i32>, Report) {
    let json = dir.join("report.json");
    let o = Command::new(env!("CARGO_BIN_EXE_reprodiff"))
        .args([a, b, Path::new("--quiet"), Path::new("--json"), &json])
        .output()
        .expect("run reprodiff");
    let text = std::fs::read_to_string(&json).expect("report written");
    (
        o.status.code(),
        serde_json::from_str(&text).expect("JSON report parses back"),
    )
}

fn node<'r>(r: &'r Report, address: &str) -> &'r Node {
    let mut found = None;
    r.tree.visit(&mut |n| {
        if n.address == address {
            found = Some(n);
        }
    });
    found.unwrap_or_else(|| panic!("no node {address}"))
}

/// `field: a → b [cause]` of a node's change.
fn change(n: &Node, field: &str) -> String {
    let c = n
        .changes
        .iter()
        .find(|c| c.field == field)
        .unwrap_or_else(|| panic!("{} has no {field}: {:?}", n.address, n.changes));
    let v = |v: &Option<reprodiff::report::Value>| {
        v.as_ref().map_or("(none)".into(), |v| v.to_string())
    };
    format!("{} → {} [{:?}]", v(&c.a), v(&c.b), c.cause)
}

#[test]
fn a_release_pair_reports_every_planted_difference_at_its_address() {
    let dir = temp("planted");
    let (a, b) = common::unpack_release(&dir);
    let (code, r) = compare(&a, &b, &dir);
    assert_eq!(code, Some(1));
    assert_eq!(r.verdict, Verdict::Different);

    // What the build was made from comes first: the manifest's package
    // sets and snapshot, then the package list's.
    let g = &r.groups;
    assert_eq!(g[0].cause, Cause::PackageVersion);
    assert_eq!(
        g[0].shape,
        "build inputs differ: binary packages: 4 changed version; source packages: 3 changed version; \
         debian-security snapshot 2024120101 → 2024120301"
    );
    assert_eq!(g[0].addresses, ["tails-amd64-6.10.build-manifest"]);
    assert_eq!(
        g[1].shape,
        "build inputs differ: packages: 4 changed version"
    );
    assert_eq!(g[1].addresses, ["tails-amd64-6.10.packages"]);
    let m = node(&r, "tails-amd64-6.10.build-manifest");
    assert_eq!(
        change(m, "inputs.binary.tor"),
        "0.4.8.12-1~d12.bookworm+1 → 0.4.8.13-1~d12.bookworm+1 [Some(PackageVersion)]"
    );
    assert_eq!(
        change(m, "inputs.snapshot.debian-security"),
        "2024120101 → 2024120301 [Some(PackageVersion)]"
    );

    // The missing upgrade kit, as a removed artifact.
    assert_eq!(
        node(&r, "Tails_amd64_6.7_to_6.10.iuk").status,
        Status::Removed
    );

    // ISO: the volume dates, and the root file system's planted files.
    let iso = node(&r, "tails-amd64-6.10.iso");
    assert_eq!(
        change(iso, "pvd.modification_date"),
        "2024-12-03T09:00:00.00+00:00 → 2024-12-03T14:12:00.00+00:00 [Some(EmbeddedTimestamp)]"
    );
    let fs = "tails-amd64-6.10.iso::live/filesystem.squashfs";
    let os = node(&r, &format!("{fs}::etc/os-release"));
    assert_eq!(os.causes, [Cause::EmbeddedTimestamp]);
    // Files of a package the snapshot moved are that package's.
    let tor = node(&r, &format!("{fs}::usr/bin/tor"));
    assert_eq!(tor.causes, [Cause::PackageVersion]);
    assert_eq!(
        change(tor, "package.tor"),
        "0.4.8.12-1~d12.bookworm+1 → 0.4.8.13-1~d12.bookworm+1 [Some(PackageVersion)]"
    );
    let css = node(&r, &format!("{fs}::usr/share/tails/greeter/greeter.css"));
    assert_eq!(css.causes, [Cause::Mtime]);

    // USB image: the FAT volume id mkfs drew, and the same root file system
    // as the ISO's, reported there once.
    let part = node(&r, "tails-amd64-6.10.img::<partition-1>");
    assert_eq!(
        change(part, "boot.volume_serial"),
        "7A11-5E11 → 7A11-F00D [Some(RandomId)]"
    );
    let usb_fs = node(
        &r,
        "tails-amd64-6.10.img::<partition-1>::live/filesystem.squashfs",
    );
    assert_eq!(
        change(usb_fs, "same-data-as"),
        format!("{fs} → {fs} [Some(Consequential)]")
    );

    // Upgrade kit format 2: a SquashFS whose control.yml lists the files to
    // delete in another order, and whose overlay holds the new version's
    // delta SquashFS, with the same files as the image's.
    let (iuk1, iuk2) = ("Tails_amd64_6.8_to_6.10.iuk", "Tails_amd64_6.9_to_6.10.iuk");
    assert_eq!(node(&r, iuk2).format.as_deref(), Some("squashfs"));
    assert_eq!(node(&r, iuk1).format.as_deref(), Some("tar"));
    assert_eq!(
        node(&r, &format!("{iuk2}::control.yml")).causes,
        [Cause::Ordering]
    );
    let delta_os = node(
        &r,
        &format!("{iuk2}::overlay/live/6.10.squashfs::etc/os-release"),
    );
    assert_eq!(
        change(delta_os, "same-data-as"),
        format!("{fs}::etc/os-release → {fs}::etc/os-release [Some(Consequential)]")
    );

    // Upgrade kit format 1: a tar packed without a pinned mtime, down to
    // the members of its bzip2 boot tarball.
    for member in [
        "FORMAT",
        "control.yml",
        "system.tar",
        "boot.tar.bz2::live/vmlinuz",
    ] {
        let n = node(&r, &format!("{iuk1}::{member}"));
        assert!(n.causes.contains(&Cause::Mtime), "{member}: {:?}", n.causes);
        assert_eq!(
            change(n, "mtime"),
            "2024-12-03T10:00:00Z → 2024-12-03T15:12:00Z [Some(Mtime)]",
            "{member}"
        );
    }

    // Every artifact is checked against both sides' SHA256SUMS.
    assert_eq!(
        change(&r.tree, "checksums.tails-amd64-6.10.iso"),
        "matches a's SHA256SUMS; does not match b's SHA256SUMS → \
         does not match a's SHA256SUMS; matches b's SHA256SUMS [Some(Consequential)]"
    );

    // Nothing left unexplained in the whole release.
    assert!(
        !g.iter().any(|g| g.cause == Cause::Content),
        "{:#?}",
        g.iter()
            .map(|g| (&g.shape, &g.addresses))
            .collect::<Vec<_>>()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_release_compared_with_itself_is_identical() {
    let dir = temp("same");
    let (a, _) = common::unpack_release(&dir);
    let (code, r) = compare(&a, &a, &dir);
    assert_eq!(code, Some(0));
    assert_eq!(r.verdict, Verdict::Identical);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_usb_image_reads_its_gpt_boot_code_fat_and_syslinux() {
    let dir = temp("usb");
    let (a, _) = common::unpack_release(&dir);
    let blob = Blob::open(&a.join("tails-amd64-6.10.img")).expect("open image");
    let limits = Limits::default();
    let disk = reprodiff_formats::open(&blob, &limits)
        .expect("reads")
        .expect("a disk");
    let field = |c: &reprodiff_formats::Container, name: &str| {
        c.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.to_string())
            .unwrap_or_else(|| panic!("no field {name}"))
    };
    assert_eq!(
        field(&disk, "gpt.disk_guid"),
        "17B81DA0-8B1E-4269-864F-14DC25B8D5C3"
    );
    assert_eq!(
        field(&disk, "gpt.p1.guid"),
        "34BF027A-8001-4B93-8243-1F9D3AD2B4EC"
    );
    assert_eq!(field(&disk, "gpt.p1.name"), "Tails");
    assert!(field(&disk, "mbr.boot_code").starts_with("syslinux gptmbr.bin (432 bytes, crc32 "));
    let i = disk
        .entries
        .iter()
        .position(|e| e.path == "<partition-1>")
        .expect("partition 1");
    let part = disk.read(i, &limits).expect("partition bytes");
    let fat = reprodiff_formats::open(&part, &limits)
        .expect("reads")
        .expect("FAT");
    assert_eq!(field(&fat, "boot.volume_label"), "Tails");
    assert_eq!(field(&fat, "boot.volume_serial"), "7A11-5E11");
    assert_eq!(field(&fat, "boot.oem_name"), "SYSLINUX");
    assert!(field(&fat, "boot.boot_code").starts_with("syslinux (loads ldlinux.sys) (420 bytes"));
    assert!(fat.fields.iter().any(|f| f.name == "fsinfo.free_count"));
    let names: Vec<&str> = fat.entries.iter().map(|e| e.path.as_str()).collect();
    for want in [
        "syslinux/ldlinux.sys",
        "syslinux/ldlinux.c32",
        "syslinux/syslinux.cfg",
        "EFI/boot/bootx64.efi",
        "live/filesystem.squashfs",
        "live/vmlinuz",
        "live/initrd.img",
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_attestation_about_a_release_folder_names_each_artifact() {
    let dir = temp("attest");
    let (a, b) = common::unpack_release(&dir);
    let statement = |x: &Path, y: &Path, name: &str| {
        let out = dir.join(name);
        let o = Command::new(env!("CARGO_BIN_EXE_reprodiff"))
            .args([x, y, Path::new("--quiet"), Path::new("--attest"), &out])
            .output()
            .expect("run reprodiff");
        assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("JSON");
        v
    };
    let v = statement(&a, &b, "release.att");
    assert_eq!(v["predicate"]["verificationResult"], "FAILED");
    // Every artifact of b is a subject, with the digest its SHA256SUMS gives.
    let sums = std::fs::read_to_string(b.join("SHA256SUMS")).expect("SHA256SUMS");
    let subjects = v["subject"].as_array().expect("subjects");
    let names: Vec<&str> = subjects.iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "Tails_amd64_6.8_to_6.10.iuk",
            "Tails_amd64_6.9_to_6.10.iuk",
            "tails-amd64-6.10.build-manifest",
            "tails-amd64-6.10.img",
            "tails-amd64-6.10.iso",
            "tails-amd64-6.10.packages",
        ]
    );
    for s in subjects.iter().filter(|s| s["name"] != "SHA256SUMS") {
        let line = format!(
            "{}  {}",
            s["digest"]["sha256"].as_str().unwrap_or(""),
            s["name"].as_str().unwrap_or("")
        );
        assert!(
            sums.lines().any(|l| l == line),
            "{line} not in b's SHA256SUMS"
        );
        assert_eq!(s["digest"]["sha512"].as_str().map(str::len), Some(128));
    }
    // The reference is folder a, by the report's digest of its file list.
    let reference = &v["predicate"]["https://github.com/reprodiff/reprodiff/reference-build"];
    assert_eq!(reference["name"], "a");
    // A release compared with an identical copy of itself passes.
    let copy = dir.join("copy");
    std::fs::create_dir_all(&copy).expect("copy dir");
    for e in std::fs::read_dir(&a).expect("a") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, copy.join(p.file_name().expect("name"))).expect("copy");
    }
    let v = statement(&a, &copy, "same.att");
    assert_eq!(v["predicate"]["verificationResult"], "PASSED");
    assert_eq!(v["subject"].as_array().map(Vec::len), Some(8));
    let _ = std::fs::remove_dir_all(&dir);
}
