//! Leaf content diffs: unified-diff hunks (line numbers and lines) for
//! text, differing byte ranges with the bytes around them for binary data.
//! Only positions and bytes go into the report; drawing them (hunk headers,
//! hexdumps) is the presenters' (`reprodiff-present`'s `diff` module).
//!
//! Engine stage (bytes → formats → **engine** → report): called only for
//! pairs whose bytes differ and that are not both containers.

use std::time::Duration;

use similar::TextDiff;

use crate::report::{ByteRange, Data, Diff, DiffLine, Hunk, LineTag};

/// Bounds on one leaf diff.
#[derive(Debug, Clone)]
pub struct DiffLimits {
    /// Lines (context, deleted, inserted) kept per text entry.
    pub max_lines: usize,
    /// Byte ranges listed per binary entry.
    pub max_ranges: usize,
    /// 16-byte rows of bytes kept per side per range.
    pub max_hex_lines: usize,
    /// Larger sides are not line-diffed (falls back to the binary view).
    pub max_text_bytes: usize,
    /// Deadline of one line diff.
    pub text_timeout: Duration,
}

impl Default for DiffLimits {
    fn default() -> Self {
        DiffLimits {
            max_lines: 400,
            max_ranges: 32,
            max_hex_lines: 6,
            max_text_bytes: 8 << 20,
            text_timeout: Duration::from_millis(500),
        }
    }
}

/// The most useful leaf diff of two differing byte strings: a line diff
/// when both sides are text (valid UTF-8 without NUL bytes), else the
/// differing byte ranges.
pub fn diff(a: &[u8], b: &[u8], lim: &DiffLimits) -> Diff {
    if let (Ok(ta), Ok(tb)) = (std::str::from_utf8(a), std::str::from_utf8(b)) {
        if !a.contains(&0) && !b.contains(&0) {
            if a.len() <= lim.max_text_bytes && b.len() <= lim.max_text_bytes {
                return text_diff(ta, tb, lim);
            }
            let mut d = binary_diff(a, b, lim);
            if let Diff::Binary { fallback, .. } = &mut d {
                *fallback = Some(format!(
                    "text larger than the {}-byte line-diff budget: compared as bytes",
                    lim.max_text_bytes
                ));
            }
            return d;
        }
    }
    binary_diff(a, b, lim)
}

pub fn text_diff(a: &str, b: &str, lim: &DiffLimits) -> Diff {
    let started = std::time::Instant::now();
    let td = TextDiff::configure()
        .timeout(lim.text_timeout)
        .diff_lines(a, b);
    // similar gives no sign that it gave up, only a coarser diff: the clock
    // says whether the deadline was reached.
    let fallback = (started.elapsed() >= lim.text_timeout).then(|| {
        format!(
            "line diff stopped at its {} ms deadline: the hunks are correct but may not be the smallest",
            lim.text_timeout.as_millis()
        )
    });
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut lines = 0usize;
    let mut truncated = false;
    'hunks: for ops in td.grouped_ops(3) {
        let (Some(first), Some(last)) = (ops.first(), ops.last()) else {
            continue;
        };
        let (a, b) = (first.old_range().start, first.new_range().start);
        hunks.push(Hunk {
            a_start: a as u64 + 1,
            a_len: (last.old_range().end - a) as u64,
            b_start: b as u64 + 1,
            b_len: (last.new_range().end - b) as u64,
            lines: Vec::new(),
        });
        for op in &ops {
            for change in td.iter_changes(op) {
                if lines >= lim.max_lines {
                    truncated = true;
                    break 'hunks;
                }
                let tag = match change.tag() {
                    similar::ChangeTag::Delete => LineTag::Delete,
                    similar::ChangeTag::Insert => LineTag::Insert,
                    similar::ChangeTag::Equal => LineTag::Context,
                };
                if let Some(h) = hunks.last_mut() {
                    h.lines.push(DiffLine {
                        tag,
                        line: Data::Text(change.value().to_string()),
                    });
                }
                lines += 1;
            }
        }
    }
    Diff::Text {
        hunks,
        truncated,
        fallback,
    }
}

/// Runs of differing offsets over the common length, merged when closer than
/// `gap` bytes; the tail of the longer side is one more run.
pub fn differing_runs(a: &[u8], b: &[u8], gap: usize) -> Vec<(usize, usize)> {
    const CHUNK: usize = 4096;
    let common = a.len().min(b.len());
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let push = |start: usize, end: usize, runs: &mut Vec<(usize, usize)>| match runs.last_mut() {
        Some(last) if start <= last.1 + gap => last.1 = last.1.max(end),
        _ => runs.push((start, end)),
    };
    let mut off = 0;
    while off < common {
        let end = (off + CHUNK).min(common);
        // Whole chunks compare at memcmp speed; only differing ones go byte by byte.
        if a[off..end] != b[off..end] {
            for i in off..end {
                if a[i] != b[i] {
                    push(i, i + 1, &mut runs);
                }
            }
        }
        off = end;
    }
    if a.len() != b.len() {
        push(common, a.len().max(b.len()), &mut runs);
    }
    runs
}

pub fn binary_diff(a: &[u8], b: &[u8], lim: &DiffLimits) -> Diff {
    let runs = differing_runs(a, b, 8);
    let common = a.len().min(b.len());
    let mut differing: u64 = 0;
    for &(s, e) in &runs {
        let e2 = e.min(common);
        if s < e2 {
            differing += (s..e2).filter(|&i| a[i] != b[i]).count() as u64;
        }
    }
    differing += (a.len().max(b.len()) - common) as u64;
    let truncated = runs.len() > lim.max_ranges;
    let ranges = runs
        .iter()
        .take(lim.max_ranges)
        .map(|&(s, e)| {
            let start = s & !15;
            ByteRange {
                offset: s as u64,
                len: (e - s) as u64,
                start: start as u64,
                a: window(a, start, e, lim.max_hex_lines).to_vec(),
                b: window(b, start, e, lim.max_hex_lines).to_vec(),
            }
        })
        .collect();
    Diff::Binary {
        size_a: a.len() as u64,
        size_b: b.len() as u64,
        differing_bytes: differing,
        ranges,
        truncated,
        fallback: None,
    }
}

/// The bytes of `data` from `start` in whole 16-byte rows up to the row
/// holding `end - 1`, at most `max_rows` of them (the last row shorter at
/// the end of `data`); empty when `data` ends before `start`.
pub fn window(data: &[u8], start: usize, end: usize, max_rows: usize) -> &[u8] {
    let end = end.min(data.len());
    if start >= end {
        return &[];
    }
    let rows = (end - start).div_ceil(16).min(max_rows);
    let stop = start.saturating_add(rows * 16).min(data.len());
    data.get(start..stop).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_merge_close_differences_and_count_tails() {
        let a = b"0123456789abcdef0123456789abcdef";
        let mut b = *a;
        b[3] = b'x';
        b[5] = b'y';
        b[30] = b'z';
        assert_eq!(differing_runs(a, &b, 8), vec![(3, 6), (30, 31)]);
        assert_eq!(differing_runs(a, &a[..20], 0), vec![(20, 32)]);
    }

    #[test]
    fn binary_diff_counts_bytes() {
        let a = vec![0u8; 10000];
        let mut b = a.clone();
        b[5000] = 1;
        b[5001] = 2;
        b.push(7);
        let Diff::Binary {
            differing_bytes,
            ranges,
            ..
        } = binary_diff(&a, &b, &DiffLimits::default())
        else {
            panic!("expected a binary diff");
        };
        assert_eq!(differing_bytes, 3);
        assert_eq!(ranges.len(), 2);
        assert_eq!(ranges[0].offset, 5000);
        assert_eq!(ranges[0].len, 2);
        assert_eq!(ranges[0].start, 5000 & !15);
        assert_eq!(ranges[0].a, [0u8; 16], "the row around the range, from a");
        assert_eq!(ranges[0].b[8..10], [1, 2]);
        assert_eq!((ranges[1].offset, ranges[1].start), (10000, 10000 & !15));
        assert_eq!(ranges[1].a, [0u8; 0], "a ends before the tail range");
        assert_eq!(ranges[1].b, [7], "b's last row stops at its end");
    }

    /// A hunk's `(a_start, a_len, b_start, b_len)` and its lines, each
    /// after its tag's letter.
    type Shown = ((u64, u64, u64, u64), Vec<String>);

    fn hunks(d: &Diff) -> Vec<Shown> {
        let Diff::Text { hunks, .. } = d else {
            panic!("expected a text diff: {d:?}");
        };
        hunks
            .iter()
            .map(|h| {
                let lines = h
                    .lines
                    .iter()
                    .map(|l| {
                        let tag = match l.tag {
                            LineTag::Context => ' ',
                            LineTag::Delete => '-',
                            LineTag::Insert => '+',
                        };
                        let Data::Text(t) = &l.line else {
                            panic!("text lines are text")
                        };
                        format!("{tag}{t}")
                    })
                    .collect();
                ((h.a_start, h.a_len, h.b_start, h.b_len), lines)
            })
            .collect()
    }

    #[test]
    fn text_diff_has_hunks_with_context() {
        let d = diff(b"a\nb\nc\n", b"a\nB\nc\n", &DiffLimits::default());
        let Diff::Text { truncated, .. } = &d else {
            panic!("expected a text diff");
        };
        assert!(!truncated);
        assert_eq!(
            hunks(&d),
            [(
                (1, 3, 1, 3),
                vec![" a\n".into(), "-b\n".into(), "+B\n".into(), " c\n".into()]
            )]
        );
        // Three lines of context on each side; changes further apart than
        // that are separate hunks.
        let a: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let b: String = (1..=20)
            .map(|i| match i {
                2 => "two\n".to_string(),
                18 => "eighteen\n".to_string(),
                i => format!("{i}\n"),
            })
            .collect();
        let h = hunks(&diff(a.as_bytes(), b.as_bytes(), &DiffLimits::default()));
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].0, (1, 5, 1, 5));
        assert_eq!(h[0].1[0], " 1\n");
        assert_eq!(h[1].0, (15, 6, 15, 6));
        assert_eq!(h[1].1.first().map(String::as_str), Some(" 15\n"));
        assert_eq!(h[1].1.last().map(String::as_str), Some(" 20\n"));
    }

    #[test]
    fn empty_sides_and_missing_newlines_keep_their_numbers() {
        assert_eq!(
            hunks(&diff(b"", b"x\ny", &DiffLimits::default())),
            [((1, 0, 1, 2), vec!["+x\n".into(), "+y".into()])]
        );
        assert_eq!(
            hunks(&diff(b"x\n", b"", &DiffLimits::default())),
            [((1, 1, 1, 0), vec!["-x\n".into()])]
        );
        // Appending after the last line: a's side of the hunk is its context.
        assert_eq!(
            hunks(&diff(
                b"1\n2\n3\n4\n",
                b"1\n2\n3\n4\n5\n",
                &DiffLimits::default()
            )),
            [(
                (2, 3, 2, 4),
                vec![" 2\n".into(), " 3\n".into(), " 4\n".into(), "+5\n".into()]
            )]
        );
    }

    #[test]
    fn line_budget_cuts_hunks_and_says_so() {
        let a: String = (0..100).map(|i| format!("{i}\n")).collect();
        let b: String = (0..100).map(|i| format!("{i}!\n")).collect();
        let lim = DiffLimits {
            max_lines: 10,
            ..DiffLimits::default()
        };
        let d = diff(a.as_bytes(), b.as_bytes(), &lim);
        let Diff::Text { truncated, .. } = &d else {
            panic!("expected a text diff");
        };
        assert!(truncated);
        let h = hunks(&d);
        assert_eq!(h[0].0, (1, 100, 1, 100), "the header keeps the whole hunk");
        assert_eq!(h[0].1.len(), 10);
    }

    #[test]
    fn limits_reached_are_said() {
        let small = DiffLimits::default();
        let Diff::Text { fallback, .. } = diff(b"a\nb\n", b"a\nc\n", &small) else {
            panic!("expected a text diff");
        };
        assert_eq!(fallback, None, "a small diff is within its deadline");
        let no_time = DiffLimits {
            text_timeout: Duration::ZERO,
            ..DiffLimits::default()
        };
        let Diff::Text { fallback, .. } = diff(b"a\nb\n", b"a\nc\n", &no_time) else {
            panic!("expected a text diff");
        };
        assert!(fallback.is_some_and(|f| f.contains("0 ms deadline")));
        let tiny = DiffLimits {
            max_text_bytes: 3,
            ..DiffLimits::default()
        };
        let Diff::Binary {
            fallback,
            differing_bytes,
            ..
        } = diff(b"a\nb\n", b"a\nc\n", &tiny)
        else {
            panic!("text over the budget is compared as bytes");
        };
        assert_eq!(differing_bytes, 1);
        assert!(fallback.is_some_and(|f| f.contains("3-byte line-diff budget")));
        let Diff::Binary { fallback, .. } = diff(b"\0\x01", b"\0\x02", &tiny) else {
            panic!("expected a binary diff");
        };
        assert_eq!(fallback, None, "binary content is no fallback");
    }

    #[test]
    fn windows_are_whole_rows_up_to_the_limit() {
        let d: Vec<u8> = (0..100).collect();
        assert_eq!(window(&d, 16, 17, 6), &d[16..32]);
        assert_eq!(window(&d, 16, 40, 6), &d[16..48]);
        assert_eq!(window(&d, 16, 100, 2), &d[16..48]);
        assert_eq!(window(&d, 96, 100, 6), &d[96..100], "short last row");
        assert_eq!(window(&d, 96, 200, 6), &d[96..100]);
        assert!(window(&d, 112, 120, 6).is_empty());
    }
}
