//! The browser on a synthetic 100k-node report: building the display tree,
//! re-flattening after a fold or filter, a search keystroke, and drawing a
//! frame. Each must stay well under a frame time for the UI to feel instant.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use reprodiff_report::{Input, Node, Report, Status, Summary, Verdict, SCHEMA};
use reprodiff_tui::state::State;
use reprodiff_tui::ui;

fn main() {
    divan::main();
}

/// 100 packages × 10 directories × 100 files, nested one container deep.
fn big_report() -> Report {
    let mut root = Node::new("", Status::Modified);
    let mut fs = Node::new("live/filesystem.squashfs", Status::Modified);
    fs.format = Some("squashfs".into());
    for p in 0..100 {
        for d in 0..10 {
            for f in 0..100 {
                let mut n = Node::new(
                    format!("live/filesystem.squashfs::usr/lib/pkg{p:03}/dir{d}/file{f:03}.so"),
                    if f % 7 == 0 {
                        Status::Added
                    } else {
                        Status::Modified
                    },
                );
                n.kind = Some(reprodiff_report::Kind::File);
                n.size_a = Some(1000);
                n.size_b = Some(1004);
                n.causes = vec![reprodiff_report::Cause::BuildId];
                fs.children.push(n);
            }
        }
    }
    root.children.push(fs);
    let input = |p: &str| Input {
        path: p.into(),
        size: 0,
        sha256: String::new(),
    };
    Report {
        schema: SCHEMA.into(),
        verdict: Verdict::Different,
        a: input("a.iso"),
        b: input("b.iso"),
        summary: Summary::default(),
        groups: Vec::new(),
        regions: Vec::new(),
        tree: root,
        truncated: None,
    }
}

#[divan::bench(sample_count = 10)]
fn build(bencher: divan::Bencher) {
    bencher
        .with_inputs(big_report)
        .bench_values(|r| State::new(r).rows.len());
}

#[divan::bench(sample_count = 20)]
fn refilter(bencher: divan::Bencher) {
    let mut s = State::new(big_report());
    bencher.bench_local(|| {
        s.cycle_filter(0, true);
        s.rows.len()
    });
}

#[divan::bench(sample_count = 20)]
fn fold_toggle(bencher: divan::Bencher) {
    let mut s = State::new(big_report());
    s.select_row(1);
    bencher.bench_local(|| {
        s.toggle_fold();
        s.rows.len()
    });
}

#[divan::bench(sample_count = 20)]
fn search_keystroke(bencher: divan::Bencher) {
    let mut s = State::new(big_report());
    s.start_search();
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        s.set_query(if flip {
            "pkg099/dir9/file09".into()
        } else {
            "pkg050".into()
        });
        s.search.as_ref().map_or(0, |x| x.matches.len())
    });
}

#[divan::bench(sample_count = 50)]
fn render_120x40(bencher: divan::Bencher) {
    let mut s = State::new(big_report());
    s.set_viewport(38, 38);
    s.select_row(50_000);
    // The app builds the detail pane's lines once per selection, before
    // drawing; a frame only reads them.
    let areas = ui::layout(ratatui::layout::Rect::new(0, 0, 120, 40), 0);
    ui::refresh_detail(&mut s, ui::inner(areas.detail).1);
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    bencher.bench_local(|| {
        t.draw(|f| ui::render(&s, f)).unwrap();
    });
}
