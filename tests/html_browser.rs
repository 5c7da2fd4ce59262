//! End to end: the real `reprodiff --html` page opened in a real browser
//! (headless chromium), checked on the DOM the browser built from it and
//! on a screenshot. Needs chromium (`.ci/run` installs it); without it the
//! tests say so and pass, unless `REPRODIFF_REQUIRE_BROWSER=1` is set, as
//! CI sets it, so a missing browser cannot pass unnoticed there.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reprodiff::report::Report;

mod common;

const TIMEOUT: Duration = Duration::from_secs(90);

/// The browser on PATH, if any.
fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|exe| {
            Command::new(exe)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
    if found.is_none() {
        let msg = "chromium is not installed: the HTML report's browser tests cannot run \
                   (apt-get install chromium)";
        if std::env::var_os("REPRODIFF_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
            panic!("{msg}");
        }
        eprintln!("SKIPPED: {msg}");
    }
    found
}

/// A fresh folder for one test, removed when dropped.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        let dir =
            std::env::temp_dir().join(format!("reprodiff-html-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Temp(dir)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs headless chromium on `page` with `args`, its own profile folder,
/// no sandbox (tests may run as root) and a time limit; its standard
/// output goes to a file (a DOM can be larger than a pipe holds).
fn browse(exe: &str, dir: &Path, page: &Path, args: &[&str]) -> String {
    let profile = dir.join("profile");
    let out = dir.join("browser.out");
    let mut child = Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(File::create(&out).expect("browser output file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for chromium") {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "chromium {args:?}: {status}");
    std::fs::read_to_string(&out).expect("browser output")
}

/// Compares `a` and `b` with the real binary, writing both reports.
fn reports(dir: &Path, a: &Path, b: &Path) -> (PathBuf, Report) {
    let (html, json) = (dir.join("report.html"), dir.join("report.json"));
    let o = Command::new(env!("CARGO_BIN_EXE_reprodiff"))
        .arg(a)
        .arg(b)
        .arg("--html")
        .arg(&html)
        .arg("--json")
        .arg(&json)
        .arg("--quiet")
        .output()
        .expect("run reprodiff");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report = serde_json::from_str(&std::fs::read_to_string(&json).expect("json written"))
        .expect("report parses");
    (html, report)
}

/// Text as the browser serializes it inside an element.
fn as_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn demo_report_shows_causes_tree_and_diffs_in_a_browser() {
    let Some(exe) = chromium() else {
        return;
    };
    let t = Temp::new("demo");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo");
    let (page, report) = reports(&t.0, &demo.join("a.iso"), &demo.join("b.iso"));
    let dom = browse(exe, &t.0, &page, &["--dump-dom"]);
    assert!(dom.contains("<html"), "not a DOM:\n{dom}");

    // Root causes: one block per group, in the report's order, each shape shown.
    let causes = &dom[dom.find("id=\"causes\"").expect("root causes section")..];
    let causes = &causes[..causes.find("</section>").expect("section ends")];
    assert_eq!(
        causes.matches("<details class=\"g\"").count(),
        report.groups.len()
    );
    let mut at = 0;
    for g in &report.groups {
        let shape = as_text(&g.shape);
        let found = causes[at..]
            .find(&shape)
            .unwrap_or_else(|| panic!("group {} missing or out of order", g.shape));
        at += found + shape.len();
    }

    // The tree: every differing node of the report has its element.
    let tree = &dom[dom.find("id=\"tree\"").expect("tree section")..];
    let mut differing = Vec::new();
    report.tree.visit(&mut |n| {
        if n.status != reprodiff::report::Status::Identical && !n.address.is_empty() {
            differing.push(n.address.clone());
        }
    });
    assert!(differing.len() > 30, "{differing:?}");
    for a in &differing {
        assert!(
            tree.contains(&format!("<code>{}</code>", as_text(a))),
            "{a} not in the tree"
        );
    }
    // A text diff with line numbers, the changed part marked, and the
    // planted build-id byte in a hexdump.
    assert!(
        tree.contains("<td>1</td><td></td><td>-Build-Date: <mark>Tue, 14</mark> Nov 2023"),
        "{tree}"
    );
    assert!(
        tree.contains("<b>67</b>") && tree.contains("<b>ff</b>"),
        "{tree}"
    );
    // The byte regions of the images, one strip per container.
    let containers: std::collections::BTreeSet<&str> = report
        .regions
        .iter()
        .map(|r| r.container.as_str())
        .collect();
    assert_eq!(dom.matches("<svg class=\"s\"").count(), containers.len());
    // The script ran (the page's policy allowed it by its hash): it added
    // the filter, with an option for each cause of the report.
    let filter = &dom[dom.find("id=\"filter\"").expect("filter")..];
    assert!(filter.contains("<select>"), "the filter script did not run");
    for c in report.summary.causes.keys() {
        assert!(filter.contains(&format!("<option value=\"{c}\">{c}</option>")));
    }

    // And it draws: a screenshot of the page, a real PNG of some size.
    let png = t.0.join("page.png");
    browse(
        exe,
        &t.0,
        &page,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,1600",
            "--hide-scrollbars",
        ],
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(bytes.len() > 20_000, "{} bytes: a blank page?", bytes.len());
}

#[test]
fn hostile_names_and_contents_stay_inert_in_a_browser() {
    let Some(exe) = chromium() else {
        return;
    };
    let t = Temp::new("hostile");
    let img = "<img src=x onerror=alert(1)>";
    let script = "<script>alert(2)</script>";
    let side = |first: &'static [u8], second: &'static [u8]| {
        common::newc(&[common::file(img, 1, first), common::file(script, 2, second)])
    };
    let (a, b) = (t.0.join("a.cpio"), t.0.join("b.cpio"));
    std::fs::write(
        &a,
        side(b"a\n", b"line\n</details><script>alert(3)</script>\n"),
    )
    .unwrap();
    std::fs::write(
        &b,
        side(b"b\n", b"line\n</details><img src=y onerror=alert(4)>\n"),
    )
    .unwrap();
    let (page, _) = reports(&t.0, &a, &b);
    let dom = browse(exe, &t.0, &page, &["--dump-dom"]);
    assert!(dom.contains("id=\"tree\""), "not the report:\n{dom}");
    assert!(!dom.contains("<img"), "an image element was made:\n{dom}");
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's script:\n{dom}"
    );
    // The diff marks the changed part of each line: the text is the same
    // without those marks.
    let text = dom.replace("<mark>", "").replace("</mark>", "");
    for shown in [
        img,
        script,
        "</details><script>alert(3)</script>",
        "</details><img src=y onerror=alert(4)>",
    ] {
        assert!(
            text.contains(&as_text(shown)),
            "{shown} not shown as text:\n{dom}"
        );
    }
}
