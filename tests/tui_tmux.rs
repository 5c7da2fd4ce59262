//! End to end: the real `reprodiff view` in a real terminal (tmux), driven
//! by keystrokes, checked on the captured screen. Needs tmux (`.ci/run`
//! installs it); without it the test says so, and fails under CI.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, cmd: &[&str]) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            let msg = "tmux is not installed: the terminal end-to-end test cannot run \
                       (apt-get install tmux)";
            if std::env::var_os("CI").is_some() {
                panic!("{msg}");
            }
            eprintln!("SKIPPED: {msg}");
            return None;
        }
        let t = Tmux {
            socket: format!("reprodiff-{name}-{}", std::process::id()),
        };
        let mut args = vec!["new-session", "-d", "-x", "100", "-y", "30", "--"];
        args.extend_from_slice(cmd);
        let out = t.tmux(&args);
        assert!(out.status.success(), "tmux new-session: {out:?}");
        Some(t)
    }

    /// `reprodiff view A B` in a new session.
    fn view(name: &str, a: &Path, b: &Path) -> Option<Tmux> {
        let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
        Tmux::start(name, &[env!("CARGO_BIN_EXE_reprodiff"), "view", a, b])
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let out = self.tmux(&["send-keys", "-t", "0", k]);
            assert!(out.status.success(), "send-keys {k}: {out:?}");
            // Lets the browser draw between keys, as a person typing would.
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "0"]).stdout).into_owned()
    }

    /// Waits for the screen to show `what`.
    fn expect(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "screen never showed {what:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn expect_exit(&self) {
        let start = Instant::now();
        while self.tmux(&["has-session"]).status.success() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the browser did not quit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo")
}

#[test]
fn find_the_build_id_byte_fold_next_quit() {
    let (a, b) = (demo().join("a.iso"), demo().join("b.iso"));
    let Some(t) = Tmux::view("view", &a, &b) else {
        return;
    };
    t.expect("Differences (37)");
    // Three keystrokes (search, the name, Enter) to the planted build-id byte.
    t.keys(&["/", "hello", "Enter"]);
    let s = t.expect("01 23 45 ff");
    assert!(s.contains("live/filesystem.squashfs::usr/bin/hello"), "{s}");
    assert!(s.contains("@ 0x37b (+1 bytes)"), "{s}");
    // h climbs to bin/, h again folds it with its count.
    t.keys(&["h", "h"]);
    t.expect("▸ M bin/ (1)");
    // Esc drops the search, so n goes to the next difference (not the next
    // match), unfolding what hides it.
    t.keys(&["Escape", "n"]);
    t.expect("┌ live/filesystem.squashfs::usr/bin/hello ─");
    t.keys(&["n"]);
    t.expect("/share/demo/added-in-b.txt ─");
    t.keys(&["q"]);
    t.expect_exit();
}

#[test]
fn opens_a_saved_json_report() {
    let dir = std::env::temp_dir().join(format!("reprodiff-tui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("report.json");
    let status = Command::new(env!("CARGO_BIN_EXE_reprodiff"))
        .arg(demo().join("a.iso"))
        .arg(demo().join("b.iso"))
        .arg("--json")
        .arg(&json)
        .arg("--quiet")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let Some(t) = Tmux::start(
        "json",
        &[
            env!("CARGO_BIN_EXE_reprodiff"),
            "view",
            json.to_str().unwrap(),
        ],
    ) else {
        return;
    };
    t.expect("Differences (37)");
    t.keys(&["/", "machine", "Enter"]);
    t.expect("+9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d");
    t.keys(&["q"]);
    t.expect_exit();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn browses_a_release_folder_comparison() {
    let dir = std::env::temp_dir().join(format!("reprodiff-tui-release-{}", std::process::id()));
    let (a, b) = common::unpack_release(&dir);
    let Some(t) = Tmux::view("release", &a, &b) else {
        return;
    };
    // The artifacts as the top of the tree, the build inputs as the first
    // root cause, the missing upgrade kit listed.
    let s = t.expect("Differences (31)");
    assert!(s.contains("1 package-version: build inputs"), "{s}");
    assert!(s.contains("R Tails_amd64_6.7_to_6.10.iuk"), "{s}");
    // Down into the upgrade kit's delta, then on to the ISO's own copy,
    // whose diff is shown there.
    t.keys(&["/", "os-release", "Enter"]);
    t.expect("2 matches");
    t.expect("same-data-as");
    t.keys(&["n"]);
    t.expect("+BUILD_ID=\"20241203T1412Z\"");
    t.keys(&["q"]);
    t.expect_exit();
    let _ = std::fs::remove_dir_all(&dir);
}
