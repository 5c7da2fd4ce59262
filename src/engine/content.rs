//! Leaf content diffs: a unified line diff for text, differing byte ranges
//! with hexdumps of those ranges only for binary data.
//!
//! Engine stage (bytes → formats → **engine** → report): called only for
//! pairs whose bytes differ and that are not both containers.

use std::time::Duration;

use similar::TextDiff;

use crate::report::{ByteRange, Diff};

/// Bounds on one leaf diff.
#[derive(Debug, Clone)]
pub struct DiffLimits {
    /// Lines of unified diff kept per entry.
    pub max_lines: usize,
    /// Byte ranges listed per binary entry.
    pub max_ranges: usize,
    /// Hexdump lines shown per side per range.
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
    let mut out = String::new();
    let mut lines = 0usize;
    let mut truncated = false;
    let mut udiff = td.unified_diff();
    udiff.context_radius(3);
    'hunks: for hunk in udiff.iter_hunks() {
        out.push_str(&hunk.header().to_string());
        out.push('\n');
        for change in hunk.iter_changes() {
            if lines >= lim.max_lines {
                truncated = true;
                break 'hunks;
            }
            out.push_str(match change.tag() {
                similar::ChangeTag::Delete => "-",
                similar::ChangeTag::Insert => "+",
                similar::ChangeTag::Equal => " ",
            });
            out.push_str(change.value());
            if change.missing_newline() {
                out.push_str("\n\\ No newline at end of file\n");
            }
            lines += 1;
        }
    }
    Diff::Text {
        unified: out,
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
        .map(|&(s, e)| ByteRange {
            offset: s as u64,
            len: (e - s) as u64,
            a: hexdump(a, s, e, lim.max_hex_lines),
            b: hexdump(b, s, e, lim.max_hex_lines),
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

/// `xxd`-style lines covering `[start, end)` of `data`, 16-byte aligned.
pub fn hexdump(data: &[u8], start: usize, end: usize, max_lines: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = start & !15;
    let end = end.min(data.len());
    while line < end && out.len() < max_lines {
        let row = &data[line..(line + 16).min(data.len())];
        let mut s = format!("{line:08x}: ");
        for i in 0..16 {
            match row.get(i) {
                Some(b) => s.push_str(&format!("{b:02x}")),
                None => s.push_str("  "),
            }
            if i % 2 == 1 {
                s.push(' ');
            }
        }
        s.push(' ');
        for &b in row {
            s.push(if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            });
        }
        out.push(s);
        line += 16;
    }
    out
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
        assert_eq!(
            ranges[0].a[0],
            format!(
                "{:08x}: 0000 0000 0000 0000 0000 0000 0000 0000  ................",
                5000 & !15
            )
        );
    }

    #[test]
    fn text_diff_is_unified() {
        let Diff::Text {
            unified, truncated, ..
        } = diff(b"a\nb\nc\n", b"a\nB\nc\n", &DiffLimits::default())
        else {
            panic!("expected a text diff");
        };
        assert!(!truncated);
        assert_eq!(unified, "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
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
    fn hexdump_shows_ascii() {
        let d = b"hello, world! 0123456789";
        let h = hexdump(d, 0, d.len(), 4);
        assert_eq!(h.len(), 2);
        assert_eq!(
            h[0],
            "00000000: 6865 6c6c 6f2c 2077 6f72 6c64 2120 3031  hello, world! 01"
        );
    }
}
