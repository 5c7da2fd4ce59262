//! End-to-end tests of the `reprodiff` binary on the committed fixtures: each
//! test gets its own temp dir, runs the real binary and checks exit code and
//! output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reprodiff::report::{Diff, Node, Report, Status, Verdict, TIMEOUT};

mod common;

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reprodiff"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run reprodiff")
}

/// A test with a fresh temp dir, removed afterwards.
macro_rules! cli_test {
    ($name:ident, |$dir:ident| $body:block) => {
        #[test]
        fn $name() {
            let base = std::env::temp_dir().join(format!(
                "reprodiff-test-{}-{}",
                stringify!($name),
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&base);
            std::fs::create_dir_all(&base).expect("temp dir");
            let $dir: &Path = &base;
            $body
            let _ = std::fs::remove_dir_all(&base);
        }
    };
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn demo(side: &str) -> String {
    testdata(&format!("demo/{side}.iso")).display().to_string()
}

fn json_report(dir: &Path) -> Report {
    let out = dir.join("report.json");
    let o = run(
        &[
            &demo("a"),
            &demo("b"),
            "--json",
            out.to_str().expect("utf-8 path"),
            "--quiet",
        ],
        dir,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty(), "--quiet prints nothing");
    let text = std::fs::read_to_string(&out).expect("report written");
    serde_json::from_str(&text).expect("report parses back into the typed model")
}

fn find<'a>(n: &'a Node, address: &str) -> Option<&'a Node> {
    if n.address == address {
        return Some(n);
    }
    n.children.iter().find_map(|c| find(c, address))
}

/// A change's two values as reports show them (leaked: a test's few strings).
fn change(r: &Report, address: &str, field: &str) -> (Option<&'static str>, Option<&'static str>) {
    let n = find(&r.tree, address).unwrap_or_else(|| panic!("{address} not in the report"));
    let c = n
        .changes
        .iter()
        .find(|c| c.field == field)
        .unwrap_or_else(|| panic!("{address}: no change of {field}: {:?}", n.changes));
    let leak = |s: Option<String>| s.map(|s| &*Box::leak(s.into_boxed_str()));
    (
        leak(reprodiff::report::Change::shown(&c.a)),
        leak(c.shown_b()),
    )
}

cli_test!(ls_lists_every_layer_of_the_demo_iso, |dir| {
    let o = run(&["ls", &demo("a")], dir);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for addr in [
        "live/filesystem.squashfs  ",
        "live/filesystem.squashfs::usr/bin/hello  ",
        "live/filesystem.squashfs::etc/alternatives/editor  ",
        "live/initrd.img::<segment-1>::kernel/x86/microcode/AuthenticAMD.bin  ",
        "live/initrd.img::<segment-2>::conf/build-info  ",
        "boot/grub/efi.img::EFI/BOOT/grub.cfg  ",
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./usr/share/doc/foo/copyright  ",
        "<eltorito-1-bios>  ",
    ] {
        assert!(
            out.lines().any(|l| l.starts_with(addr)),
            "{addr} missing from:\n{out}"
        );
    }
    assert!(
        !out.contains("error:"),
        "no errors on a sound image:\n{out}"
    );
});

cli_test!(ls_json_matches_text, |dir| {
    let o = run(&["ls", &demo("a"), "--json"], dir);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["schema"], "reprodiff-ls/1");
    let entries = v["entries"].as_array().expect("entries");
    let text = stdout(&run(&["ls", &demo("a")], dir));
    assert_eq!(
        entries.len(),
        text.lines().filter(|l| !l.starts_with("    ")).count()
    );
    let hello = entries
        .iter()
        .find(|e| e["address"] == "live/filesystem.squashfs::usr/bin/hello")
        .expect("hello listed");
    assert_eq!(hello["kind"], "file");
});

cli_test!(identical_images_exit_zero, |dir| {
    let o = run(&[&demo("a"), &demo("a")], dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("identical"));
    // A byte copy under another name: one digest is computed, both shown.
    let copy = dir.join("copy.iso");
    std::fs::copy(demo("a"), &copy).expect("copy");
    let json = dir.join("same.json");
    let o = run(
        &[
            &demo("a"),
            copy.to_str().expect("utf-8 path"),
            "--json",
            json.to_str().expect("utf-8 path"),
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(0));
    let r: Report =
        serde_json::from_slice(&std::fs::read(&json).expect("report")).expect("report parses");
    assert_eq!(r.verdict, Verdict::Identical);
    let sha = "f06d9dcfb4c844d0e794f9d0bd1aea897b8af22d59e65a4ae81c3bd9dc65fae8";
    assert_eq!((r.a.sha256.as_str(), r.b.sha256.as_str()), (sha, sha));
    assert_eq!(r.summary.modified + r.summary.added + r.summary.removed, 0);
});

cli_test!(unreadable_input_exits_two, |dir| {
    let o = run(&[&demo("a"), "does-not-exist.iso"], dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does-not-exist.iso"));
});

cli_test!(json_report_parses_back, |dir| {
    let r = json_report(dir);
    assert_eq!(r.schema, "reprodiff/2");
    // Nothing is lost on the way: the typed model writes the same JSON back.
    let written = std::fs::read_to_string(dir.join("report.json")).expect("report");
    let again = serde_json::to_string_pretty(&r).expect("serializes") + "\n";
    assert!(again == written, "the report does not round-trip");
    assert_eq!(r.verdict, Verdict::Different);
    assert_eq!(r.a.size, 268_288);
    assert_eq!(r.a.sha256.len(), 64);
    assert_ne!(r.a.sha256, r.b.sha256);
    assert!(!r.regions.is_empty());
});

cli_test!(demo_pair_reports_every_planted_difference, |dir| {
    let r = json_report(dir);
    let sq = "live/filesystem.squashfs::";
    assert_eq!(
        change(&r, "", "pvd.modification_date").1.map(|s| &s[..10]),
        Some("2023-11-15")
    );
    assert_eq!(
        change(&r, "", "gpt.disk_guid"),
        (
            Some("33323032-3131-4431-B230-303231333230"),
            Some("A4E5B0D1-B2C3-1E4F-9A8B-7C6D5E4F3A2B")
        )
    );
    for (addr, field, a, b) in [
        (
            "etc/motd",
            "mtime",
            "2023-11-14T22:13:20Z",
            "2023-11-14T23:13:20Z",
        ),
        ("etc/demo.conf", "mode", "0644", "0664"),
        ("var/lib/demo/state", "uid", "0", "1000"),
        (
            "etc/alternatives/editor",
            "target",
            "/usr/bin/vim.tiny",
            "/usr/bin/nano",
        ),
    ] {
        assert_eq!(
            change(&r, &format!("{sq}{addr}"), field),
            (Some(a), Some(b)),
            "{addr}"
        );
    }
    let status = |a: &str| find(&r.tree, a).map(|n| n.status);
    assert_eq!(
        status(&format!("{sq}usr/share/demo/removed-in-b.txt")),
        Some(Status::Removed)
    );
    assert_eq!(
        status(&format!("{sq}usr/share/demo/added-in-b.txt")),
        Some(Status::Added)
    );
    // Content differences, text and binary.
    for addr in [
        "etc/machine-id",
        "usr/share/demo/build-info.txt",
        "usr/share/demo/modules.list",
    ] {
        let n = find(&r.tree, &format!("{sq}{addr}")).unwrap_or_else(|| panic!("{addr}"));
        assert!(
            matches!(n.diff, Some(Diff::Text { .. })),
            "{addr}: {:?}",
            n.diff
        );
    }
    let hello = find(&r.tree, &format!("{sq}usr/bin/hello")).expect("hello");
    match &hello.diff {
        Some(Diff::Binary {
            differing_bytes,
            ranges,
            ..
        }) => {
            assert_eq!(*differing_bytes, 1);
            assert_eq!(ranges[0].offset, 0x37b);
            // The row around the byte, from each side.
            assert_eq!(ranges[0].start, 0x370);
            assert_eq!((ranges[0].a[11], ranges[0].b[11]), (0x67, 0xff));
        }
        d => panic!("hello: {d:?}"),
    }
    // The gzip member: same content, different header.
    assert_eq!(
        change(
            &r,
            &format!("{sq}usr/share/doc/foo/changelog.gz"),
            "gzip.mtime"
        )
        .0
        .map(|s| s.starts_with('0')),
        Some(true)
    );
    // Inside the compressed initrd segment.
    let bi =
        find(&r.tree, "live/initrd.img::<segment-2>::conf/build-info").expect("initrd build-info");
    assert!(matches!(bi.diff, Some(Diff::Text { .. })));
    assert!(change(&r, "live/initrd.img::<segment-2>", "order")
        .0
        .is_some());
    // FAT: serial, mtime, directory order.
    assert_eq!(
        change(&r, "boot/grub/efi.img", "boot.volume_serial"),
        (Some("1234-ABCD"), Some("5678-EF01"))
    );
    assert_eq!(
        change(&r, "boot/grub/efi.img::EFI/BOOT/grub.cfg", "mtime"),
        (Some("2023-11-14T22:13:20Z"), Some("2023-11-14T23:13:20Z"))
    );
    assert!(change(&r, "boot/grub/efi.img::EFI/BOOT", "order")
        .0
        .is_some());
    // The .deb rebuilt with another SOURCE_DATE_EPOCH.
    let deb = "pool/main/f/foo/foo_1.0_all.deb";
    assert_eq!(
        change(
            &r,
            &format!("{deb}::data.tar.xz::./usr/share/doc/foo/copyright"),
            "mtime"
        ),
        (Some("2023-11-14T22:13:20Z"), Some("2023-11-15T22:13:20Z"))
    );
    assert!(find(
        &r.tree,
        &format!("{deb}::data.tar.xz::./usr/share/doc/foo/copyright")
    )
    .is_some_and(|n| n.diff.is_none()));
    // Nothing identical is reported as different.
    for same in [
        "live/vmlinuz",
        "live/initrd.img::<segment-1>",
        "pool/main/h/hello/hello_1.0_all.deb",
        "isolinux/isolinux.bin",
        "isolinux/isolinux.cfg",
        ".disk/info",
        "live/filesystem.squashfs::etc/os-release",
        "live/filesystem.squashfs::var/lib/dpkg/status",
        "boot/grub/efi.img::EFI/BOOT/BOOTX64.EFI",
    ] {
        assert!(
            find(&r.tree, same).is_none(),
            "{same} reported as different"
        );
    }
});

cli_test!(text_report_names_fields_and_diffs, |dir| {
    let o = run(&[&demo("a"), &demo("b")], dir);
    assert_eq!(o.status.code(), Some(1));
    // stderr is a pipe here: no progress line, nothing else either.
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    assert!(
        out.contains("M live/filesystem.squashfs::etc/demo.conf"),
        "{out}"
    );
    assert!(out.contains("    mode: 0644 → 0664"), "{out}");
    assert!(out.contains("A live/filesystem.squashfs::usr/share/demo/added-in-b.txt"));
    assert!(
        out.contains("-Build-Date: Tue, 14 Nov 2023 22:13:20 +0000"),
        "{out}"
    );
});

cli_test!(ignore_and_exclude_filter_the_report, |dir| {
    let o = run(
        &[
            &demo("a"),
            &demo("b"),
            "--ignore",
            "mtime",
            "--exclude",
            "*.deb",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        !out.contains("etc/motd"),
        "mtime-only file left out:\n{out}"
    );
    assert!(
        !out.lines()
            .any(|l| l.contains("foo_1.0_all.deb") && !l.starts_with(' ')),
        "excluded entries have no node:\n{out}"
    );
    assert!(out.contains("etc/demo.conf"));
});

cli_test!(locate_names_owners, |dir| {
    let o = run(&["locate", &demo("a"), &demo("b")], dir);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.lines()
            .any(|l| l.starts_with("(image)\t0x8000\t") && l.contains("primary volume descriptor")),
        "{out}"
    );
    assert!(
        out.contains("live/filesystem.squashfs\t0x0\t") && out.contains("superblock"),
        "{out}"
    );
    assert!(
        !out.contains("unowned"),
        "every differing byte has an owner:\n{out}"
    );
    // The EFI image's two files swapped clusters: the loader's bytes moved,
    // its content did not change; grub.cfg's did (its mtime).
    let efi = out
        .lines()
        .find(|l| l.starts_with("boot/grub/efi.img\t") && l.contains("BOOTX64.EFI"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        efi.contains("boot/grub/efi.img::EFI/BOOT/BOOTX64.EFI (unchanged)"),
        "{efi}"
    );
    assert!(!efi.contains("grub.cfg (unchanged)"), "{efi}");
    let r = json_report(dir);
    let region = r
        .regions
        .iter()
        .find(|g| g.container == "boot/grub/efi.img" && !g.unchanged.is_empty())
        .expect("a region with an unchanged owner");
    assert_eq!(
        region.unchanged,
        ["boot/grub/efi.img::EFI/BOOT/BOOTX64.EFI"]
    );
});

cli_test!(extract_writes_both_sides_inside_the_folder, |dir| {
    let o = run(
        &[
            "extract",
            &demo("a"),
            &demo("b"),
            "live/initrd.img::<segment-2>::conf/build-info",
            "-o",
            "out",
        ],
        dir,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let a = std::fs::read_to_string(dir.join("out/a/build-info")).expect("a side");
    let b = std::fs::read_to_string(dir.join("out/b/build-info")).expect("b side");
    assert!(a.contains("2023-11-14"));
    assert!(b.contains("2023-11-15"));
    let o = run(
        &[
            "extract",
            &demo("a"),
            &demo("b"),
            "no/such/file",
            "-o",
            "out",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(2));
});

/// `ls` of the demo ISO agrees with the real tools' listings at each level.
fn ls_rows(dir: &Path, image: &str) -> Vec<serde_json::Value> {
    let o = run(&["ls", image, "--json"], dir);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    v["entries"].as_array().expect("entries").clone()
}

fn mode_of(row: &serde_json::Value) -> String {
    let kind = row["kind"].as_str().unwrap_or("");
    let mode = row["mode"].as_u64().map(|m| m as u32);
    let k = match kind {
        "file" => Some(reprodiff_formats::Kind::File),
        "dir" => Some(reprodiff_formats::Kind::Dir),
        "symlink" => Some(reprodiff_formats::Kind::Symlink),
        _ => None,
    };
    reprodiff::present::ls::mode_string(k, mode)
}

cli_test!(ls_matches_unsquashfs_and_xorriso_listings, |dir| {
    for side in ["a", "b"] {
        let rows = ls_rows(dir, &demo(side));
        // SquashFS level: unsquashfs -lln, every entry with mode, owner, size, target.
        let want = std::fs::read_to_string(testdata(&format!("demo/{side}.unsquashfs-lln.txt")))
            .expect("listing");
        let prefix = "live/filesystem.squashfs::";
        let ours: Vec<&serde_json::Value> = rows
            .iter()
            .filter(|r| r["address"].as_str().is_some_and(|a| a.starts_with(prefix)))
            .collect();
        let mut n = 0;
        for line in want.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (perm, owner, size) = (f[0], f[1], f[2]);
            let path = f[5].strip_prefix("squashfs-root/").expect("rooted");
            let row = ours
                .iter()
                .find(|r| r["address"] == format!("{prefix}{path}"))
                .unwrap_or_else(|| panic!("{side}: {path} not listed"));
            assert_eq!(mode_of(row), perm, "{side}: {path}");
            assert_eq!(
                format!("{}/{}", row["uid"], row["gid"]),
                owner,
                "{side}: {path}"
            );
            if !perm.starts_with('d') {
                assert_eq!(row["size"].to_string(), size, "{side}: {path}");
            }
            if let Some(t) = f.get(7) {
                assert_eq!(row["target"].as_str(), Some(*t), "{side}: {path}");
            }
            n += 1;
        }
        assert_eq!(ours.len(), n, "{side}: same entry count as unsquashfs");
        // ISO level (Rock Ridge view): xorriso -find / -exec lsdl.
        let want = std::fs::read_to_string(testdata(&format!("demo/{side}.xorriso-lsdl.txt")))
            .expect("listing");
        let mut n = 0;
        for line in want.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            let path = f[f.len() - 1].trim_matches('\'').trim_start_matches('/');
            if path.is_empty() {
                continue;
            }
            let row = rows
                .iter()
                .find(|r| r["address"] == path)
                .unwrap_or_else(|| panic!("{side}: {path} not listed"));
            // xorriso shows the El Torito boot catalog with type letter `e`.
            let perm = f[0].replacen('e', "-", usize::from(f[0].starts_with('e')));
            assert_eq!(mode_of(row), perm, "{side}: {path}");
            if !f[0].starts_with('d') {
                assert_eq!(row["size"].to_string(), f[4], "{side}: {path}");
            }
            n += 1;
        }
        let iso_level = rows
            .iter()
            .filter(|r| {
                r["address"]
                    .as_str()
                    .is_some_and(|a| !a.is_empty() && !a.contains("::") && !a.starts_with('<'))
            })
            .count();
        assert_eq!(iso_level, n, "{side}: same entry count as xorriso");
    }
});

cli_test!(names_from_images_cannot_drive_the_terminal, |dir| {
    let evil = "etc/\u{1b}]0;owned\u{7}\u{1b}[2Jname";
    let a = common::newc(&[common::file(evil, 1, b"one\n")]);
    let b = common::newc(&[common::file(evil, 1, b"two\n\x1b[31m\n")]);
    std::fs::write(dir.join("a.cpio"), a).expect("write a");
    std::fs::write(dir.join("b.cpio"), b).expect("write b");
    for args in [vec!["ls", "a.cpio"], vec!["a.cpio", "b.cpio"]] {
        let o = run(&args, dir);
        let out = stdout(&o);
        assert!(
            !o.stdout.contains(&0x1b) && !o.stdout.contains(&0x07),
            "{out}"
        );
        assert!(out.contains("etc/\\x1b]0;owned\\x07\\x1b[2Jname"), "{out}");
    }
});

cli_test!(text_report_counts_routine_members_past_the_limit, |dir| {
    // The "+1d" mtime group of the rebuilt .deb has 11 members whose only
    // difference is that mtime: past the limit they are counted, not listed.
    let plain = |out: &str| {
        out.lines()
            .filter(|l| l.starts_with("M pool/main/f/foo/") && l.ends_with("  (mtime)"))
            .count()
    };
    let o = run(&[&demo("a"), &demo("b"), "--max-routine", "3"], dir);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert_eq!(plain(&out), 3, "{out}");
    assert!(
        out.contains("… 8 more whose only difference is mtime: mtime differs: by +1d"),
        "{out}"
    );
    // Members of small groups and members with other differences stay.
    assert!(
        out.contains("M live/filesystem.squashfs::etc/motd "),
        "{out}"
    );
    assert!(
        out.contains("M pool/main/f/foo/foo_1.0_all.deb::data.tar.xz  file [tar+xz]"),
        "{out}"
    );
    let all = stdout(&run(&[&demo("a"), &demo("b"), "--max-routine", "0"], dir));
    assert_eq!(plain(&all), 11, "{all}");
    assert!(!all.contains("more whose only difference"), "{all}");
    // The JSON report is never trimmed.
    let r = json_report(dir);
    assert!(find(
        &r.tree,
        "pool/main/f/foo/foo_1.0_all.deb::data.tar.xz::./usr/share/foo/foo.txt"
    )
    .is_some());
});

cli_test!(
    html_report_alone_gets_digests_and_folds_with_max_routine,
    |dir| {
        // Only --html, quiet: the digests the page shows are still computed.
        let page = dir.join("r.html");
        let html = |routine: &str| {
            let o = run(
                &[
                    &demo("a"),
                    &demo("b"),
                    "--quiet",
                    "--max-routine",
                    routine,
                    "--html",
                    page.to_str().expect("utf-8 path"),
                ],
                dir,
            );
            assert_eq!(o.status.code(), Some(1));
            assert!(o.stdout.is_empty(), "--quiet prints nothing");
            std::fs::read_to_string(&page).expect("page written")
        };
        let out = html("3");
        let r = json_report(dir);
        for input in [&r.a, &r.b] {
            assert_eq!(input.sha256.len(), 64);
            assert!(out.contains(&format!("<td>{}", input.sha256)), "{out}");
        }
        // The same routine members the text report counts are folded here,
        // in one list per container, each saying how many it holds.
        let tail = " more whose only difference is <span class=\"k k-mtime\">mtime</span>: mtime differs: by +1d</summary>";
        let pieces: Vec<&str> = out.split(tail).collect();
        let folded: u32 = pieces[..pieces.len() - 1]
            .iter()
            .map(|p| {
                let digits = p.rsplit('>').next().expect("a count");
                digits.parse::<u32>().expect("a number")
            })
            .sum();
        assert_eq!(folded, 8, "{out}");
        assert!(!html("0").contains("more whose only difference"));
    }
);

/// The demo pair's reports, run from the crate folder with relative paths so
/// they carry no temp path. A change to any presenter or to what the engine
/// finds shows here line by line.
fn demo_reports(dir: &Path, threads: &str) -> (String, String, String) {
    demo_reports_with(dir, &["--threads", threads])
}

/// [`demo_reports`] with other options.
fn demo_reports_with(dir: &Path, options: &[&str]) -> (String, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (json, md) = (dir.join("r.json"), dir.join("r.md"));
    let mut args = vec![
        "testdata/demo/a.iso",
        "testdata/demo/b.iso",
        "--json",
        json.to_str().expect("utf-8 path"),
        "--markdown",
        md.to_str().expect("utf-8 path"),
    ];
    args.extend(options);
    let o = run(&args, root);
    assert_eq!(
        o.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let read = |p: &Path| std::fs::read_to_string(p).expect("report written");
    (stdout(&o), read(&json), read(&md))
}

cli_test!(demo_reports_match_their_snapshots, |dir| {
    let (text, json, md) = demo_reports(dir, "2");
    insta::assert_snapshot!("demo_text", text);
    insta::assert_snapshot!("demo_json", json);
    insta::assert_snapshot!("demo_markdown", md);
});

// The browser's screen tests draw a committed copy of the demo pair's JSON
// report instead of running the engine; this keeps that copy current.
cli_test!(tui_demo_report_is_what_the_engine_writes_now, |dir| {
    let (_, json, _) = demo_reports(dir, "2");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tui/tests/data/demo.json");
    let committed = std::fs::read_to_string(&path).expect("tui/tests/data/demo.json");
    assert!(
        committed == json,
        "tui/tests/data/demo.json is stale; regenerate it from the repository root with\n  \
         cargo run --release -- testdata/demo/a.iso testdata/demo/b.iso --json tui/tests/data/demo.json\n\
         then review the screens with `cargo insta test -p reprodiff-tui --review`"
    );
});

cli_test!(
    reports_are_the_same_byte_for_byte_whatever_the_threads,
    |dir| {
        let one = demo_reports(dir, "1");
        for threads in ["2", "4"] {
            let other = demo_reports(dir, threads);
            assert!(one.0 == other.0, "text differs with {threads} threads");
            assert!(one.1 == other.1, "JSON differs with {threads} threads");
            assert!(one.2 == other.2, "markdown differs with {threads} threads");
        }
    }
);

cli_test!(plain_files_are_compared_as_files, |dir| {
    std::fs::write(dir.join("a.txt"), "one\ntwo\n").expect("write");
    std::fs::write(dir.join("b.txt"), "one\n2\n").expect("write");
    let o = run(&["a.txt", "b.txt"], dir);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("different (no members: compared as files)"),
        "{out}"
    );
    assert!(out.contains("    │-two\n    │+2\n"), "{out}");
    let o = run(&["a.txt", "a.txt"], dir);
    assert_eq!(o.status.code(), Some(0));
});

/// Every node of a diffoscope JSON document, depth first.
fn diffoscope_nodes(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut out = vec![v];
    for d in v["details"].as_array().into_iter().flatten() {
        out.extend(diffoscope_nodes(d));
    }
    out
}

/// The detail of `v` named `name` on both sides.
fn detail<'v>(v: &'v serde_json::Value, name: &str) -> &'v serde_json::Value {
    v["details"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["source1"] == name))
        .unwrap_or_else(|| panic!("no detail {name} in {}", v["source1"]))
}

fn comments(v: &serde_json::Value) -> Vec<&str> {
    v["comments"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str())
        .collect()
}

cli_test!(diffoscope_json_has_diffoscope_s_shape, |dir| {
    let (out, report) = (dir.join("d.json"), dir.join("r.json"));
    let o = run(
        &[
            &demo("a"),
            &demo("b"),
            "-q",
            "--diffoscope-json",
            out.to_str().expect("utf-8 path"),
            "--json",
            report.to_str().expect("utf-8 path"),
        ],
        dir,
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("written")).expect("json");
    let r: Report =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("written")).expect("json");
    assert_eq!(v["diffoscope-json-version"], 1);
    assert_eq!(v["source1"], demo("a"));
    assert_eq!(v["source2"], demo("b"));
    // What diffoscope's reader requires of every node.
    let nodes = diffoscope_nodes(&v);
    for n in &nodes {
        assert!(n["source1"].is_string() && n["source2"].is_string(), "{n}");
        assert!(
            n.get("unified_diff")
                .is_some_and(|d| d.is_null() || d.is_string()),
            "{n}"
        );
    }
    // One difference per node of the report, besides the fields details.
    let mut count = 0;
    r.tree.visit(&mut |_| count += 1);
    assert_eq!(
        nodes.iter().filter(|n| n["source1"] != "fields").count(),
        count
    );
    // Nested entries are nested details, named inside their parent.
    let squashfs = detail(&v, "live/filesystem.squashfs");
    let hello = detail(squashfs, "usr/bin/hello");
    assert!(comments(hello).contains(&"causes: build-id"), "{hello}");
    let hex = hello["unified_diff"].as_str().expect("a hexdump diff");
    assert!(hex.starts_with("@@ -56 +56 @@\n-00000370: "), "{hex}");
    assert!(hex.contains("\n+00000370: "), "{hex}");
    let machine_id = detail(squashfs, "etc/machine-id");
    assert!(comments(machine_id).contains(&"causes: random-id"));
    // Header fields are the image's `fields` detail, with their causes.
    let fields = detail(&v, "fields");
    let diff = fields["unified_diff"].as_str().expect("a diff");
    assert!(diff.starts_with("@@ -1,"), "{diff}");
    assert!(
        diff.contains("\n-pvd.modification_date: 2023-11-14")
            && diff.contains("\n+pvd.modification_date: 2023-11-15"),
        "{diff}"
    );
    assert!(comments(fields).contains(&"pvd.modification_date: embedded-timestamp"));
    // The root cause groups open the root's comments.
    let root = comments(&v);
    assert!(root[0].starts_with("different: "), "{root:?}");
    assert_eq!(
        root.iter()
            .filter(|c| c.starts_with("root cause: "))
            .count(),
        r.groups.len()
    );
});

fn sha_hex<D: sha2::Digest>(bytes: &[u8]) -> String {
    D::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The attestation of comparing `a` with `b`, its exit code, and the
/// seconds since the epoch just before and after the run.
fn attestation(dir: &Path, a: &str, b: &str) -> (serde_json::Value, Option<i32>, u64, u64) {
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs()
    };
    let out = dir.join("attestation.json");
    let before = now();
    let o = run(
        &[a, b, "-q", "--attest", out.to_str().expect("utf-8 path")],
        dir,
    );
    let after = now();
    let text = std::fs::read_to_string(&out).expect("attestation written");
    (
        serde_json::from_str(&text).expect("json"),
        o.status.code(),
        before,
        after,
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` → seconds since the epoch.
fn rfc3339_utc(s: &str) -> u64 {
    let n = |r: std::ops::Range<usize>| -> i64 { s[r].parse().expect("digits") };
    assert_eq!(s.len(), 20, "{s}");
    assert_eq!(
        (
            &s[4..5],
            &s[7..8],
            &s[10..11],
            &s[13..14],
            &s[16..17],
            &s[19..]
        ),
        ("-", "-", "T", ":", ":", "Z")
    );
    let d = reprodiff_value::days_from_civil(n(0..4), n(5..7) as u32, n(8..10) as u32);
    (d * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)) as u64
}

cli_test!(attestation_names_both_builds_by_their_digests, |dir| {
    use sha2::{Sha256, Sha512};
    let (a_bytes, b_bytes) = (
        std::fs::read(demo("a")).expect("a.iso"),
        std::fs::read(demo("b")).expect("b.iso"),
    );
    let reference = reprodiff_present::attest::REFERENCE_KEY;

    let (v, code, before, after) = attestation(dir, &demo("a"), &demo("b"));
    assert_eq!(code, Some(1));
    assert_eq!(v["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        v["predicateType"],
        "https://slsa.dev/verification_summary/v1"
    );
    let subject = v["subject"].as_array().expect("subjects");
    assert_eq!(subject.len(), 1);
    assert_eq!(subject[0]["name"], "b.iso");
    assert_eq!(subject[0]["digest"]["sha256"], sha_hex::<Sha256>(&b_bytes));
    assert_eq!(subject[0]["digest"]["sha512"], sha_hex::<Sha512>(&b_bytes));
    let p = &v["predicate"];
    assert_eq!(p["verificationResult"], "FAILED");
    assert_eq!(p["verifiedLevels"], serde_json::json!(["FAILED"]));
    assert!(p["verifier"]["id"]
        .as_str()
        .is_some_and(|id| id.starts_with("https://")));
    assert!(
        p["policy"]["uri"].is_string(),
        "the VSA requires a policy uri"
    );
    let uri = p["resourceUri"].as_str().expect("resourceUri");
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/testdata/demo/b.iso"),
        "{uri}"
    );
    let time = rfc3339_utc(p["timeVerified"].as_str().expect("timeVerified"));
    assert!(
        (before..=after).contains(&time),
        "{time} not in {before}..={after}"
    );
    let a_ref = &p[reference];
    assert_eq!(a_ref["name"], "a.iso");
    assert_eq!(a_ref["digest"]["sha256"], sha_hex::<Sha256>(&a_bytes));
    assert_eq!(a_ref["digest"]["sha512"], sha_hex::<Sha512>(&a_bytes));
    assert!(a_ref["uri"]
        .as_str()
        .is_some_and(|u| u.ends_with("/testdata/demo/a.iso")));

    let (v, code, _, _) = attestation(dir, &demo("a"), &demo("a"));
    assert_eq!(code, Some(0));
    assert_eq!(v["predicate"]["verificationResult"], "PASSED");
    assert_eq!(v["predicate"]["verifiedLevels"], serde_json::json!([]));
    assert_eq!(
        v["subject"][0]["digest"]["sha512"],
        sha_hex::<Sha512>(&a_bytes)
    );
});

cli_test!(
    no_input_digests_leaves_out_the_digests_and_nothing_else,
    |dir| {
        let with = json_report(dir);
        assert_eq!(with.a.sha256.len(), 64);
        let out = dir.join("bare.json");
        let o = run(
            &[
                &demo("a"),
                &demo("b"),
                "--json",
                out.to_str().expect("utf-8 path"),
                "--no-input-digests",
            ],
            dir,
        );
        assert_eq!(o.status.code(), Some(1));
        let text = stdout(&o);
        assert!(
            text.lines()
                .take(2)
                .all(|l| l.ends_with("sha256 not computed)")),
            "{text}"
        );
        let mut bare: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("report written"))
                .expect("JSON");
        for side in ["a", "b"] {
            assert_eq!(bare[side]["sha256"], "", "{side}");
        }
        // Put the digests back: the rest of the report is the same.
        bare["a"]["sha256"] = with.a.sha256.clone().into();
        bare["b"]["sha256"] = with.b.sha256.clone().into();
        let full: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("report.json")).expect("report written"),
        )
        .expect("JSON");
        assert_eq!(bare, full);
        // An attestation checks the digests against the files: refused.
        let o = run(
            &[
                &demo("a"),
                &demo("b"),
                "--no-input-digests",
                "--attest",
                "x.json",
            ],
            dir,
        );
        assert_eq!(o.status.code(), Some(2));
        assert!(!dir.join("x.json").exists());
    }
);

cli_test!(completions_and_man_page_describe_the_commands, |dir| {
    let o = run(&["completions", "bash"], dir);
    assert_eq!(o.status.code(), Some(0));
    let bash = stdout(&o);
    for word in ["--json", "--attest", "--diffoscope-json", "view", "extract"] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    for (shell, option) in [("zsh", "--color"), ("fish", "-l color")] {
        let o = run(&["completions", shell], dir);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains(option), "{shell} lacks {option}");
    }
    assert_ne!(run(&["completions", "tcsh-9"], dir).status.code(), Some(0));
    let o = run(&["man"], dir);
    assert_eq!(o.status.code(), Some(0));
    let man = stdout(&o);
    // The page opens with roff's quote definitions, then its title.
    let title = man
        .lines()
        .find(|l| !l.starts_with(".ie ") && !l.starts_with(".el "));
    assert!(
        title.is_some_and(|t| t.starts_with(".TH reprodiff 1")),
        "{title:?}"
    );
    for sub in ["ls", "locate", "extract", "view", "completions", "man"] {
        assert!(
            man.contains(&format!("reprodiff\\-{sub}")),
            "the man page does not name {sub}"
        );
    }
});

/// The text report with SGR escapes (`ESC [ ... m`) taken out.
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\x1b[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find('m').expect("an SGR sequence ends in m");
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";

cli_test!(colour_is_only_where_asked_for, |dir| {
    let text = |args: &[&str], no_color: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_reprodiff"));
        cmd.args([demo("a"), demo("b")]).args(args).current_dir(dir);
        match no_color {
            Some(v) => cmd.env("NO_COLOR", v),
            None => cmd.env_remove("NO_COLOR"),
        };
        let o = cmd.output().expect("run reprodiff");
        assert_eq!(o.status.code(), Some(1));
        stdout(&o)
    };
    let plain = text(&["--color", "never"], None);
    assert!(!plain.contains('\x1b'));
    // A pipe is no terminal: auto stays plain.
    assert_eq!(text(&[], None), plain);
    let always = text(&["--color", "always"], Some("1"));
    for code in [
        RED,
        GREEN,
        "\x1b[33mbuild-id\x1b[0m",
        "\x1b[1mroot causes (",
    ] {
        assert!(always.contains(code), "{code:?} missing");
    }
    assert!(
        always.contains(&format!("{RED}-00000370: ")),
        "hexdump rows coloured"
    );
    assert_eq!(
        strip_sgr(&always),
        plain,
        "colour adds escapes and nothing else"
    );
    // A --text file is never coloured unless asked.
    let file = dir.join("report.txt");
    let path = file.to_str().expect("utf-8 path");
    text(&["--text", path], None);
    assert_eq!(std::fs::read_to_string(&file).expect("written"), plain);
    text(&["--text", path, "--color", "always"], None);
    assert_eq!(std::fs::read_to_string(&file).expect("written"), always);
});

/// Runs the comparison of the demo pair on a terminal (`script` gives it
/// one) and returns what the terminal got.
fn on_a_terminal(dir: &Path, no_color: Option<&str>) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = format!(
        "{} {} {} 2>/dev/null",
        quote(env!("CARGO_BIN_EXE_reprodiff")),
        quote(&demo("a")),
        quote(&demo("b"))
    );
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"]).current_dir(dir);
    match no_color {
        Some(v) => cmd.env("NO_COLOR", v),
        None => cmd.env_remove("NO_COLOR"),
    };
    let o = cmd.output().expect("run script(1) from util-linux");
    stdout(&o)
}

cli_test!(a_terminal_is_coloured_unless_no_color_is_set, |dir| {
    let coloured = on_a_terminal(dir, None);
    assert!(
        coloured.contains(RED) && coloured.contains(GREEN),
        "{coloured}"
    );
    assert!(coloured.contains("usr/bin/hello"), "{coloured}");
    // NO_COLOR set but empty does not count.
    assert!(on_a_terminal(dir, Some("")).contains(RED));
    let plain = on_a_terminal(dir, Some("1"));
    assert!(plain.contains("usr/bin/hello"), "{plain}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
});

cli_test!(a_timeout_keeps_the_verdict_and_marks_what_it_cut, |dir| {
    let (json, md) = (dir.join("t.json"), dir.join("t.md"));
    let (json_arg, md_arg) = (json.to_str().expect("utf-8"), md.to_str().expect("utf-8"));
    let cut_short = |a: &str, b: &str| {
        let args = [
            a,
            b,
            "--timeout",
            "0",
            "--json",
            json_arg,
            "--markdown",
            md_arg,
        ];
        run(&args, dir)
    };
    let o = cut_short(&demo("a"), &demo("b"));
    assert_eq!(o.status.code(), Some(1), "a differing pair stays different");
    let r: Report = serde_json::from_str(&std::fs::read_to_string(&json).expect("written"))
        .expect("the report parses back");
    assert_eq!(r.verdict, Verdict::Different);
    let mut cut = Vec::new();
    r.tree.visit(&mut |n| {
        if let Some(Diff::Hash { reason, .. }) = &n.diff {
            if reason == TIMEOUT {
                cut.push(n);
            }
        }
    });
    assert!(!cut.is_empty(), "nodes are marked");
    assert_eq!(r.summary.timeouts, cut.len() as u64);
    assert!(r.summary.fallbacks >= r.summary.timeouts);
    // Cut before the images were opened: the root stands for both, with
    // the digests computed before anything was parsed.
    let Some(Diff::Hash {
        sha256_a, sha256_b, ..
    }) = &r.tree.diff
    else {
        panic!("the root is compared by hash: {:?}", r.tree.diff);
    };
    assert_eq!(sha256_a.as_deref(), Some(r.a.sha256.as_str()));
    assert_eq!(sha256_b.as_deref(), Some(r.b.sha256.as_str()));
    assert_ne!(r.a.sha256, r.b.sha256);
    let text = stdout(&o);
    assert!(
        text.contains("stopped at its deadline: 1 compared by hash only (timeout)"),
        "{text}"
    );
    assert!(
        text.contains("compared by hash only (timeout)\n    -sha256 "),
        "{text}"
    );
    let md = std::fs::read_to_string(&md).expect("markdown written");
    assert!(
        md.contains("content not compared: the comparison reached its deadline (timeout)"),
        "{md}"
    );

    let copy = dir.join("copy.iso");
    std::fs::copy(demo("a"), &copy).expect("copy");
    let o = cut_short(&demo("a"), copy.to_str().expect("utf-8"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "an identical pair stays identical"
    );
    let r: Report = serde_json::from_str(&std::fs::read_to_string(&json).expect("written"))
        .expect("the report parses back");
    assert_eq!(r.verdict, Verdict::Identical);
    assert_eq!(r.summary.timeouts, 0, "nothing to cut");
});

cli_test!(generous_limits_change_nothing, |dir| {
    let plain = demo_reports_with(dir, &[]);
    for limits in [&["--timeout", "1000"], &["--max-report-size", "1G"]] {
        let limited = demo_reports_with(dir, limits);
        assert!(plain.0 == limited.0, "text differs with {limits:?}");
        assert!(plain.1 == limited.1, "JSON differs with {limits:?}");
        assert!(plain.2 == limited.2, "Markdown differs with {limits:?}");
    }
});

/// The report without the cut's note, which must be its last line.
fn before_note(report: &str, limit: usize) -> &str {
    let body = report.strip_suffix('\n').expect("ends a line");
    let (body, note) = body.rsplit_once('\n').expect("more than one line");
    assert!(
        note.starts_with(&format!("… report cut at its limit of {limit} bytes: ")),
        "{note}"
    );
    body
}

cli_test!(a_size_cap_leaves_out_whole_nodes_and_lines, |dir| {
    let (text, json, md) = demo_reports_with(dir, &[]);
    let full: Report = serde_json::from_str(&json).expect("parses");
    // Under the text's size and far under the JSON's, above the Markdown's.
    let limit = text.len() * 3 / 4;
    assert!(md.len() < limit && json.len() > 2 * limit);
    let (t, j, m) = demo_reports_with(dir, &["--max-report-size", &limit.to_string()]);
    assert!(j.len() <= limit, "JSON of {} bytes", j.len());
    let r: Report = serde_json::from_str(&j).expect("the cut report parses back");
    let truncated = r.truncated.clone().expect("says it was cut");
    assert_eq!(truncated.limit, limit as u64);
    let count = |r: &Report| {
        let mut n = 0u64;
        r.tree.visit(&mut |_| n += 1);
        n
    };
    assert!(truncated.dropped_nodes > 0);
    assert_eq!(count(&r) + truncated.dropped_nodes, count(&full));
    // The root causes and the counts stay.
    let causes = |r: &Report| -> Vec<(String, u64)> {
        r.groups
            .iter()
            .map(|g| (g.shape.clone(), g.count))
            .collect()
    };
    assert_eq!(causes(&r), causes(&full));
    assert_eq!(r.summary, full.summary);
    assert_eq!(r.verdict, full.verdict);

    assert!(t.len() <= limit, "text of {} bytes", t.len());
    assert!(text.starts_with(before_note(&t, limit)));
    assert_eq!(m, md, "the Markdown report fits");

    // A cap the Markdown report does not fit: it is cut, with its blocks
    // closed before the note.
    let limit = md.len() / 2;
    let (_, _, m) = demo_reports_with(dir, &["--max-report-size", &limit.to_string()]);
    assert!(m.len() <= limit, "Markdown of {} bytes", m.len());
    let body = before_note(&m, limit);
    assert!(
        m.matches("<details>").count() == m.matches("</details>").count(),
        "{m}"
    );
    assert!(m.matches("```").count() % 2 == 0, "{m}");
    let kept = body
        .trim_end()
        .trim_end_matches("</details>")
        .trim_end()
        .trim_end_matches("```")
        .trim_end();
    assert!(md.starts_with(kept), "{m}");
});

cli_test!(a_size_cap_fits_the_html_and_diffoscope_reports, |dir| {
    let (html, dj) = (dir.join("r.html"), dir.join("d.json"));
    let write = |extra: &[&str]| {
        let mut args = vec![
            demo("a"),
            demo("b"),
            "-q".into(),
            "--html".into(),
            html.to_str().expect("utf-8").into(),
            "--diffoscope-json".into(),
            dj.to_str().expect("utf-8").into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args, dir);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let read = |p: &Path| std::fs::read_to_string(p).expect("written");
        (read(&html), read(&dj))
    };
    let (full_html, full_dj) = write(&[]);
    assert!(!full_html.contains("id=truncated"));
    // Half of the smaller of the two: both must shrink.
    let limit = full_html.len().min(full_dj.len()) / 2;
    let (h, d) = write(&["--max-report-size", &limit.to_string()]);
    assert!(h.len() <= limit, "HTML of {} bytes over {limit}", h.len());
    assert!(
        d.len() <= limit,
        "diffoscope JSON of {} bytes over {limit}",
        d.len()
    );
    assert!(h.contains("id=truncated") && h.contains(&format!("cut to fit {limit} bytes")));
    assert!(h.trim_end().ends_with("</html>"), "a whole page");
    let v: serde_json::Value = serde_json::from_str(&d).expect("whole JSON");
    let said = v["comments"].as_array().expect("comments").iter().any(|c| {
        c.as_str()
            .is_some_and(|c| c.contains(&format!("cut to fit {limit} bytes")))
    });
    assert!(said, "{}", v["comments"]);
});

cli_test!(streamed_ls_is_the_listing_of_the_walked_tree, |dir| {
    // `ls` writes each entry as the walk meets it; the listing must be the
    // one the whole tree gives, line for line and entry for entry, with
    // header fields, on an image with every layer, on a USB image, and on
    // SquashFS images, which are walked twice and never listed whole:
    // hard links and names that are not UTF-8 (`same_as` found without a
    // listing), and one whose inode table is damaged (its reader errors,
    // found by the first walk, shown before its members).
    let (_, b) = common::unpack_release(&dir.join("release"));
    let fixture = |p: &str| Path::new(env!("CARGO_MANIFEST_DIR")).join(p);
    let mut damaged = std::fs::read(fixture("testdata/squashfs/gzip.squashfs")).expect("fixture");
    let inodes = u64::from_le_bytes(damaged[64..72].try_into().expect("8 bytes")) as usize;
    // The metadata block header stays; the start of its zlib stream goes.
    damaged[inodes + 2..inodes + 40].fill(0x55);
    let damaged_path = dir.join("damaged.squashfs");
    std::fs::write(&damaged_path, &damaged).expect("write");
    let errors = run(&["ls", &damaged_path.display().to_string(), "--json"], dir);
    assert!(
        stdout(&errors).contains("\"errors\":[\""),
        "the damaged image lists reader errors: {}",
        stdout(&errors)
    );
    for image in [
        demo("a"),
        b.join("tails-amd64-6.10.img").display().to_string(),
        fixture("testdata/squashfs/gzip.squashfs")
            .display()
            .to_string(),
        fixture("testdata/lockstep/b.squashfs")
            .display()
            .to_string(),
        damaged_path.display().to_string(),
    ] {
        let root =
            reprodiff::walk::walk_file(Path::new(&image), &Default::default()).expect("walk");
        let rows = reprodiff::present::ls::rows(&root, None);
        let mut want = Vec::new();
        let opts = reprodiff::present::ls::TextOptions { fields: true };
        reprodiff::present::ls::write_text(&rows, &mut want, &opts).expect("text");
        let got = run(&["ls", &image, "--fields"], dir);
        assert_eq!(got.status.code(), Some(0));
        assert_eq!(stdout(&got), String::from_utf8_lossy(&want), "{image}");
        let mut want = Vec::new();
        reprodiff::present::ls::write_json(&image, &rows, &mut want).expect("json");
        let want: serde_json::Value = serde_json::from_slice(&want).expect("json");
        let got: serde_json::Value =
            serde_json::from_slice(&run(&["ls", &image, "--json"], dir).stdout).expect("json");
        assert_eq!(got, want, "{image}");
    }
});

// `ls --max-memory`: an initrd's compressed main archive and a .deb's data
// archive over the budget are listed as they decode, the same rows as
// held, text and JSON; a budget that is not a size is an error.
cli_test!(ls_under_a_small_budget_prints_the_held_listing, |dir| {
    for image in [
        "cpio/initrd-zst.img",
        "cpio/initrd-xz.img",
        "deb/rebuilt-a.deb",
    ] {
        let image = testdata(image).display().to_string();
        for json in [false, true] {
            let mut held = vec!["ls", image.as_str(), "--fields"];
            if json {
                held.push("--json");
            }
            let mut small = held.clone();
            small.extend(["--max-memory", "2K"]);
            let (h, s) = (run(&held, dir), run(&small, dir));
            assert_eq!(h.status.code(), Some(0));
            assert_eq!(s.status.code(), Some(0));
            assert!(stdout(&h).lines().count() > 5, "{}", stdout(&h));
            assert_eq!(stdout(&h), stdout(&s), "{image}");
        }
    }
    let o = run(&["ls", &demo("a"), "--max-memory", "lots"], dir);
    assert_eq!(o.status.code(), Some(2));
});
