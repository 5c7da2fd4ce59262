//! Snapshot tests of the main screens on the demo pair's report, drawn to a
//! `TestBackend` at 80x24 and 120x40 and driven by the same key events a
//! terminal sends. The report is the demo pair's JSON report, committed in
//! `tests/data/demo.json`, so the screens change only when the browser does,
//! not when the engine finds something new (the root crate's `tests/cli.rs`
//! checks that file against the engine); review changes with
//! `cargo insta review`.

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use reprodiff_report::{Cause, Group, Report};
use reprodiff_tui::{App, Hooks, Source, Update};

fn demo_report() -> Report {
    let json = include_str!("data/demo.json");
    let mut r: Report = serde_json::from_str(json).expect("the committed demo report parses");
    // The paths depend on the checkout; the screens should not.
    r.a.path = "a.iso".into();
    r.b.path = "b.iso".into();
    r
}

fn app(report: Report) -> App {
    let hooks = Hooks {
        extract: None,
        copy: Box::new(|_| {}),
    };
    App::new(Source::Report(Box::new(report)), hooks)
}

fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            '\x1b' => KeyCode::Esc,
            c => KeyCode::Char(c),
        };
        app.handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    app.draw(&mut t).unwrap();
    t.backend().to_string()
}

#[test]
fn opening_screen() {
    let mut a = app(demo_report());
    insta::assert_snapshot!("open_80x24", screen(&mut a, 80, 24));
    insta::assert_snapshot!("open_120x40", screen(&mut a, 120, 40));
}

#[test]
fn search_finds_the_build_id_byte_in_three_keystrokes() {
    let mut a = app(demo_report());
    screen(&mut a, 80, 24);
    keys(&mut a, "/hello\n");
    assert_eq!(
        a.state.selected_node().unwrap().address,
        "live/filesystem.squashfs::usr/bin/hello"
    );
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("01 23 45 ff"), "{s}");
    insta::assert_snapshot!("hello_80x24", s);
    insta::assert_snapshot!("hello_120x40", screen(&mut a, 120, 40));
}

#[test]
fn text_diff_and_changes() {
    let mut a = app(demo_report());
    screen(&mut a, 120, 40);
    keys(&mut a, "/build-info.txt\n");
    insta::assert_snapshot!("text_diff_120x40", screen(&mut a, 120, 40));
    keys(&mut a, "/efi.img\n");
    insta::assert_snapshot!("changes_120x40", screen(&mut a, 120, 40));
    insta::assert_snapshot!("changes_80x24", screen(&mut a, 80, 24));
}

#[test]
fn folding_next_and_help() {
    let mut a = app(demo_report());
    screen(&mut a, 80, 24);
    keys(&mut a, "z");
    insta::assert_snapshot!("folded_80x24", screen(&mut a, 80, 24));
    keys(&mut a, "nnn");
    assert_eq!(
        a.state.selected_node().unwrap().address,
        "<joliet>/isolinux/boot.cat"
    );
    keys(&mut a, "?");
    insta::assert_snapshot!("help_80x24", screen(&mut a, 80, 24));
    keys(&mut a, "\x1b");
    keys(&mut a, "Zfl");
    insta::assert_snapshot!("filter_added_80x24", screen(&mut a, 80, 24));
    keys(&mut a, "\x1b");
    let shown: Vec<_> = a
        .state
        .rows
        .iter()
        .filter_map(|&i| a.state.node_of(i))
        .map(|n| n.address.as_str())
        .collect();
    assert_eq!(
        shown,
        [
            "",
            "live/filesystem.squashfs",
            "live/filesystem.squashfs::usr/share/demo",
            "live/filesystem.squashfs::usr/share/demo/added-in-b.txt"
        ]
    );
    keys(&mut a, "\x1b");
    assert!(a.state.rows.len() > 40);
}

#[test]
fn root_causes_filter_the_tree() {
    let mut r = demo_report();
    r.groups = vec![
        Group {
            cause: Cause::BuildId,
            representative: None,
            shape: "ELF build-id differs".into(),
            count: 1,
            addresses: vec!["live/filesystem.squashfs::usr/bin/hello".into()],
        },
        Group {
            cause: Cause::Mtime,
            representative: None,
            shape: "mtime +1h".into(),
            count: 2,
            addresses: vec![
                "boot/grub/efi.img::EFI/BOOT/grub.cfg".into(),
                "live/filesystem.squashfs::etc/motd".into(),
            ],
        },
    ];
    let mut a = app(r);
    insta::assert_snapshot!("groups_120x40", screen(&mut a, 120, 40));
    keys(&mut a, "\t\tj\n");
    insta::assert_snapshot!("group_mtime_120x40", screen(&mut a, 120, 40));
    assert_eq!(a.state.rows.len(), 11);
}

#[test]
fn loading_identical_and_tiny_screens() {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut a = App::new(
        Source::Pending {
            label: "a.iso ↔ b.iso".into(),
            rx,
            progress: Some(Box::new(|| (4512, 1_288_490_189))),
        },
        Hooks::default(),
    );
    a.tick();
    // A fixed clock keeps the status line stable.
    a.state.elapsed = std::time::Duration::from_millis(12_345);
    insta::assert_snapshot!("loading_80x24", screen(&mut a, 80, 24));
    keys(&mut a, "jjkn/x\x1bfe?");

    // Finished subtrees show while the engine goes on; the report replaces them.
    keys(&mut a, "\x1b");
    let full = demo_report();
    for child in &full.tree.children {
        tx.send(Update::Subtree(Box::new(child.clone()))).unwrap();
    }
    a.tick();
    a.state.elapsed = std::time::Duration::from_millis(12_345);
    insta::assert_snapshot!("streaming_80x24", screen(&mut a, 80, 24));
    keys(&mut a, "jjjjj");
    let before = a.state.selected_node().map(|n| n.address.clone());
    assert!(before.is_some());
    tx.send(Update::Done(Ok(Box::new(full)))).unwrap();
    a.tick();
    assert!(!a.is_loading());
    assert_eq!(a.state.selected_node().map(|n| n.address.clone()), before);

    let mut r = demo_report();
    r.tree.children.clear();
    r.tree.changes.clear();
    r.tree.status = reprodiff_report::Status::Identical;
    r.verdict = reprodiff_report::Verdict::Identical;
    r.regions.clear();
    let mut a = app(r);
    insta::assert_snapshot!("identical_80x24", screen(&mut a, 80, 24));
    keys(&mut a, "jnNGg\n/x\n");

    let mut a = app(demo_report());
    keys(&mut a, "/hello\n\t");
    for (w, h) in [(1, 1), (5, 3), (20, 5), (30, 8), (200, 60), (0, 0), (0, 5)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        a.draw(&mut t).unwrap();
        keys(&mut a, "jJKG");
    }
}
