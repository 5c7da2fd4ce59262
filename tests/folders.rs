//! End-to-end tests of folder comparison: two release folders built at test
//! time from the committed fixtures, compared by the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reprodiff::report::{Node, Report, Status, Verdict};

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

fn run(args: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reprodiff"))
        .args(args)
        .output()
        .expect("run reprodiff")
}

/// A fresh temp dir named after the test.
fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("reprodiff-folders-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A release folder: the demo ISO of `side` and the xz .deb under `kits/`.
fn release(root: &Path, side: &str) -> PathBuf {
    let d = root.join(side);
    std::fs::create_dir_all(d.join("kits")).expect("mkdir");
    std::fs::copy(testdata(&format!("demo/{side}.iso")), d.join("demo.iso")).expect("copy");
    std::fs::copy(testdata("deb/hello-xz.deb"), d.join("kits/hello-xz.deb")).expect("copy");
    d
}

fn report(a: &Path, b: &Path, out: &Path) -> (Output, Report) {
    let json = out.join("report.json");
    let o = run(&[a, b, Path::new("--json"), &json]);
    let text = std::fs::read_to_string(&json).expect("report written");
    (
        o,
        serde_json::from_str(&text).expect("JSON report parses back"),
    )
}

fn node<'r>(r: &'r Report, address: &str) -> Option<&'r Node> {
    let mut found = None;
    r.tree.visit(&mut |n| {
        if n.address == address {
            found = Some(n);
        }
    });
    found
}

fn sha256sums(dir: &Path, names: &[&str]) {
    use sha2::{Digest, Sha256};
    let mut list = String::new();
    for n in names {
        let d = Sha256::digest(std::fs::read(dir.join(n)).expect("read"));
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        list.push_str(&format!("{hex}  {n}\n"));
    }
    std::fs::write(dir.join("SHA256SUMS"), list).expect("write list");
}

#[test]
fn identical_folders_are_hashed_not_opened() {
    let t = temp("identical");
    let a = release(&t, "a");
    let b = t.join("b");
    std::fs::create_dir_all(b.join("kits")).expect("mkdir");
    std::fs::copy(a.join("demo.iso"), b.join("demo.iso")).expect("copy");
    std::fs::copy(a.join("kits/hello-xz.deb"), b.join("kits/hello-xz.deb")).expect("copy");
    let (o, r) = report(&a, &b, &t);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(r.verdict, Verdict::Identical);
    assert_eq!(r.a.sha256, r.b.sha256);
    assert_eq!(
        r.a.size,
        std::fs::metadata(a.join("demo.iso")).expect("stat").len()
            + std::fs::metadata(a.join("kits/hello-xz.deb"))
                .expect("stat")
                .len()
    );
    let iso = node(&r, "demo.iso").expect("artifact listed");
    assert_eq!(iso.status, Status::Identical);
    assert!(iso.children.is_empty() && iso.format.is_none(), "{iso:?}");
    // Shown with the digest it was recognised by.
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(std::fs::read(a.join("demo.iso")).expect("read"));
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(iso.sha256.as_deref(), Some(hex.as_str()));
    assert!(node(&r, "kits/hello-xz.deb").is_some_and(|n| n.children.is_empty()));
    let _ = std::fs::remove_dir_all(&t);
}

#[test]
fn differing_folders_name_members_under_their_artifact() {
    let t = temp("differing");
    let a = release(&t, "a");
    let b = release(&t, "b");
    std::fs::copy(testdata("deb/hello-zst.deb"), a.join("kits/hello-zst.deb")).expect("copy");
    // Each side's list matches its own files, not the other side's.
    sha256sums(&a, &["demo.iso", "kits/hello-xz.deb"]);
    sha256sums(&b, &["demo.iso", "kits/hello-xz.deb"]);
    let secret = t.join("outside");
    std::fs::write(&secret, "not to be read").expect("write");
    std::os::unix::fs::symlink(&secret, a.join("link")).expect("symlink");
    std::os::unix::fs::symlink("kits/hello-xz.deb", b.join("link")).expect("symlink");
    let (o, r) = report(&a, &b, &t);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(r.verdict, Verdict::Different);
    let hello =
        node(&r, "demo.iso::live/filesystem.squashfs::usr/bin/hello").expect("planted build-id");
    assert!(
        hello.causes.iter().any(|c| *c == "build-id"),
        "{:?}",
        hello.causes
    );
    assert_eq!(
        node(&r, "kits/hello-zst.deb").map(|n| n.status),
        Some(Status::Removed)
    );
    assert!(node(&r, "kits/hello-xz.deb").is_some_and(|n| n.status == Status::Identical));
    // The link is compared by target, never followed.
    let link = node(&r, "link").expect("link node");
    let target = link
        .changes
        .iter()
        .find(|c| c.field == "target")
        .expect("target change");
    assert_eq!(
        target.a.as_ref().map(|v| v.to_string()),
        Some(secret.display().to_string())
    );
    assert!(link.children.is_empty() && link.diff.is_none());
    let json = std::fs::read_to_string(t.join("report.json")).expect("json");
    assert!(!json.contains("not to be read"));
    // The verdict of the lists: demo.iso matches its own side's list only.
    let v = r
        .tree
        .changes
        .iter()
        .find(|c| c.field == "checksums.demo.iso")
        .expect("verdict");
    let (va, vb) = (
        v.a.as_ref().expect("a").to_string(),
        v.b.as_ref().expect("b").to_string(),
    );
    assert!(
        va.contains("matches a's SHA256SUMS") && va.contains("does not match b's"),
        "{va}"
    );
    assert!(
        vb.contains("does not match a's") && vb.contains("matches b's SHA256SUMS"),
        "{vb}"
    );
    assert!(!r
        .tree
        .changes
        .iter()
        .any(|c| c.field == "checksums.kits/hello-xz.deb"));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(text.contains("checksums.demo.iso"), "{text}");
    // Extract resolves an address through the artifact.
    let out = t.join("out");
    let addr = "demo.iso::live/filesystem.squashfs::etc/machine-id";
    let o = run(&[
        Path::new("extract"),
        &a,
        &b,
        Path::new(addr),
        Path::new("-o"),
        &out,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (xa, xb) = (
        std::fs::read(out.join("a/machine-id")).expect("a"),
        std::fs::read(out.join("b/machine-id")).expect("b"),
    );
    assert!(xa.starts_with(b"3f2504e0") && xb.starts_with(b"9b1deb4d"));
    // An address through the link is refused, not followed.
    let o = run(&[
        Path::new("extract"),
        &a,
        &b,
        Path::new("link"),
        Path::new("-o"),
        &t.join("out2"),
    ]);
    assert_ne!(o.status.code(), Some(0));
    assert!(!t.join("out2/a/link").exists());
    let _ = std::fs::remove_dir_all(&t);
}

#[test]
fn every_report_reads_a_folder_comparison() {
    let t = temp("reports");
    let a = release(&t, "a");
    let b = release(&t, "b");
    for flag in ["--markdown", "--html", "--diffoscope-json", "--text"] {
        let out = t.join("out");
        let o = run(&[&a, &b, Path::new(flag), &out]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{flag}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let s = std::fs::read_to_string(&out).expect("written");
        // diffoscope's JSON names each level's member alone.
        let hello = if flag == "--diffoscope-json" {
            "usr/bin/hello"
        } else {
            "demo.iso::live/filesystem.squashfs::usr/bin/hello"
        };
        assert!(s.contains(hello), "{flag}");
        assert!(
            !(flag == "--diffoscope-json" && s.contains("kits/hello-xz.deb")),
            "{s}"
        );
    }
    let _ = std::fs::remove_dir_all(&t);
}

#[test]
fn fifos_and_hostile_names_are_listed_not_opened() {
    let t = temp("hostile");
    let (a, b) = (t.join("a"), t.join("b"));
    for d in [&a, &b] {
        std::fs::create_dir_all(d).expect("mkdir");
        let ok = Command::new("mkfifo")
            .arg(d.join("pipe"))
            .status()
            .expect("mkfifo");
        assert!(ok.success());
    }
    std::fs::write(b.join("evil\nname\x1b[31m"), "x").expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_reprodiff"))
        .args([&a, &b])
        .output()
        .expect("run");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains('\x1b') && text.contains("evil"), "{text}");
    let (_, r) = report(&a, &b, &t);
    assert_eq!(
        node(&r, "pipe").and_then(|n| n.kind).map(|k| k.as_str()),
        Some("fifo")
    );
    assert_eq!(
        node(&r, "evil\nname\x1b[31m").map(|n| n.status),
        Some(Status::Added)
    );
    let _ = std::fs::remove_dir_all(&t);
}
