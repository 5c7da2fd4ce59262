//! The one drawing of a content diff, shared by every presenter: the
//! report's hunks become unified-diff rows (`@@ -a,b +c,d @@` headers,
//! line numbers on each side, changed lines paired for highlighting), its
//! byte ranges become hexdump rows, one side at a time (`xxd` style) or
//! both sides cell by cell. Presenter stage (bytes → formats → engine →
//! diagnosis → report → **presenters**): the text and Markdown reports
//! print these rows and the TUI styles them; none of them reads a hunk
//! header or a hexdump back.

use std::borrow::Cow;

use reprodiff_report::{ByteRange, Data, Diff, Hunk, LineTag};

/// Bytes per row of a one-sided hexdump.
pub const HEX_ROW: usize = 16;

/// What a row of a text diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A hunk's `@@ -a,b +c,d @@` header.
    Header,
    /// A line on both sides.
    Context,
    /// A line only in side a.
    Delete,
    /// A line only in side b.
    Insert,
    /// The line above is the last of its side and has no line terminator.
    NoNewline,
}

/// One row of a text diff as a unified diff prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow {
    pub kind: RowKind,
    /// The line's number (from 1) in side a, for context and deleted lines.
    pub a_line: Option<u64>,
    /// The line's number in side b, for context and inserted lines.
    pub b_line: Option<u64>,
    /// The header, the line without its terminator, or the no-newline note.
    pub text: String,
    /// For a deleted line, the row of the inserted line that takes its
    /// place (the k-th of a run of deletions pairs with the k-th of the
    /// insertions right after it), and the other way round.
    pub partner: Option<usize>,
}

impl TextRow {
    /// What a unified diff puts before the text: `-`, `+`, ` ` or nothing.
    pub fn marker(&self) -> &'static str {
        match self.kind {
            RowKind::Delete => "-",
            RowKind::Insert => "+",
            RowKind::Context => " ",
            RowKind::Header | RowKind::NoNewline => "",
        }
    }

    /// The row as a line of a unified diff.
    pub fn unified(&self) -> String {
        format!("{}{}", self.marker(), self.text)
    }
}

/// `@@ -a,b +c,d @@`, with the unified format's quirks: a length of 1 is
/// left out, and an empty side names the line before the hunk.
pub fn hunk_header(h: &Hunk) -> String {
    let range = |start: u64, len: u64| match len {
        1 => start.to_string(),
        0 => format!("{},0", start.saturating_sub(1)),
        n => format!("{start},{n}"),
    };
    format!(
        "@@ -{} +{} @@",
        range(h.a_start, h.a_len),
        range(h.b_start, h.b_len)
    )
}

/// A line without its terminator (`\n`, `\r\n` or `\r`), and whether it had one.
fn strip_terminator(line: &Data) -> (Cow<'_, str>, bool) {
    let b = line.as_bytes();
    let body = b
        .strip_suffix(b"\r\n")
        .or_else(|| b.strip_suffix(b"\n"))
        .or_else(|| b.strip_suffix(b"\r"));
    let ended = body.is_some();
    (String::from_utf8_lossy(body.unwrap_or(b)), ended)
}

/// The rows of a text diff, hunk after hunk.
pub fn text_rows(hunks: &[Hunk]) -> Vec<TextRow> {
    let mut rows = Vec::new();
    for h in hunks {
        rows.push(TextRow {
            kind: RowKind::Header,
            a_line: None,
            b_line: None,
            text: hunk_header(h),
            partner: None,
        });
        let (mut a, mut b) = (h.a_start, h.b_start);
        for l in &h.lines {
            let (text, ended) = strip_terminator(&l.line);
            let (kind, a_line, b_line) = match l.tag {
                LineTag::Context => {
                    a += 1;
                    b += 1;
                    (RowKind::Context, Some(a - 1), Some(b - 1))
                }
                LineTag::Delete => {
                    a += 1;
                    (RowKind::Delete, Some(a - 1), None)
                }
                LineTag::Insert => {
                    b += 1;
                    (RowKind::Insert, None, Some(b - 1))
                }
            };
            rows.push(TextRow {
                kind,
                a_line,
                b_line,
                text: text.into_owned(),
                partner: None,
            });
            if !ended {
                rows.push(TextRow {
                    kind: RowKind::NoNewline,
                    a_line: None,
                    b_line: None,
                    text: "\\ No newline at end of file".into(),
                    partner: None,
                });
            }
        }
    }
    pair_changes(&mut rows);
    rows
}

/// Pairs each deleted line with the inserted line at the same place in the
/// run of insertions that follows its run of deletions.
fn pair_changes(rows: &mut [TextRow]) {
    let mut i = 0;
    while i < rows.len() {
        if rows[i].kind != RowKind::Delete {
            i += 1;
            continue;
        }
        let dels = i;
        while i < rows.len() && rows[i].kind == RowKind::Delete {
            i += 1;
        }
        let adds = i;
        while i < rows.len() && rows[i].kind == RowKind::Insert {
            i += 1;
        }
        for k in 0..(adds - dels).min(i - adds) {
            rows[dels + k].partner = Some(adds + k);
            rows[adds + k].partner = Some(dels + k);
        }
    }
}

/// What a binary diff amounts to, in one line: `N bytes differ in R
/// ranges (sizes A / B)`, with `+` after the range count when more ranges
/// exist than the report lists; `None` for other diffs.
pub fn binary_summary(d: &Diff) -> Option<String> {
    let Diff::Binary {
        size_a,
        size_b,
        differing_bytes,
        ranges,
        truncated,
        ..
    } = d
    else {
        return None;
    };
    let n = ranges.len();
    Some(format!(
        "{differing_bytes} {} in {n}{} {} (sizes {size_a} / {size_b})",
        if *differing_bytes == 1 {
            "byte differs"
        } else {
            "bytes differ"
        },
        if *truncated { "+" } else { "" },
        if n == 1 { "range" } else { "ranges" },
    ))
}

/// The part of a changed line that differs from its partner: the byte
/// range of `text` between the prefix and the suffix it shares with
/// `other`, on character boundaries; `None` when they share neither (the
/// whole line is the change). Every presenter marks the same span.
pub fn changed_span(text: &str, other: &str) -> Option<std::ops::Range<usize>> {
    let pre: usize = text
        .chars()
        .zip(other.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    let (rest, other_rest) = (&text[pre..], &other[pre..]);
    let suf: usize = rest
        .chars()
        .rev()
        .zip(other_rest.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum();
    (pre + suf > 0).then(|| pre..text.len() - suf)
}

/// The hunks as unified diff text (no `---`/`+++` file headers), one row a line.
pub fn unified(hunks: &[Hunk]) -> String {
    let mut out = String::new();
    for r in text_rows(hunks) {
        out.push_str(&r.unified());
        out.push('\n');
    }
    out
}

/// One row of one side's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexRow<'a> {
    /// Offset of the first byte within the entry.
    pub offset: u64,
    /// Up to [`HEX_ROW`] bytes; fewer only at the end of the side's bytes.
    pub bytes: &'a [u8],
}

impl HexRow<'_> {
    /// The `xxd` form: the offset, eight groups of two bytes (blank where
    /// the row is short) and the bytes as ASCII (`.` where not printable).
    pub fn line(&self) -> String {
        let mut s = format!("{:08x}: ", self.offset);
        for i in 0..HEX_ROW {
            match self.bytes.get(i) {
                Some(b) => s.push_str(&format!("{b:02x}")),
                None => s.push_str("  "),
            }
            if i % 2 == 1 {
                s.push(' ');
            }
        }
        s.push(' ');
        for &b in self.bytes {
            s.push(if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            });
        }
        s
    }
}

/// Rows of [`HEX_ROW`] bytes of `bytes`, the first at `start`.
pub fn hex_rows(start: u64, bytes: &[u8]) -> Vec<HexRow<'_>> {
    bytes
        .chunks(HEX_ROW)
        .zip(0u64..)
        .map(|(bytes, i)| HexRow {
            offset: start.saturating_add(i * HEX_ROW as u64),
            bytes,
        })
        .collect()
}

/// One offset of a range's window: each side's byte there, if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexCell {
    pub a: Option<u8>,
    pub b: Option<u8>,
}

impl HexCell {
    pub fn differs(&self) -> bool {
        self.a != self.b
    }
}

/// One row of both sides' bytes at the same offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexPair {
    /// Offset within the entry of the first cell: a multiple of the row width.
    pub offset: u64,
    pub cells: Vec<HexCell>,
}

/// The window of `r` on both sides, `per_row` offsets a row, rows aligned
/// to multiples of `per_row`: cells before a side's bytes or past their
/// end hold nothing for that side.
pub fn hex_pairs(r: &ByteRange, per_row: usize) -> Vec<HexPair> {
    let per_row = per_row.max(1) as u64;
    let at = |v: &[u8], o: u64| {
        o.checked_sub(r.start)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| v.get(i).copied())
    };
    let end = r.start.saturating_add(r.a.len().max(r.b.len()) as u64);
    let mut rows = Vec::new();
    let mut row = r.start - r.start % per_row;
    while row < end {
        let cells = (row..row.saturating_add(per_row))
            .map(|o| HexCell {
                a: at(&r.a, o),
                b: at(&r.b, o),
            })
            .collect();
        rows.push(HexPair { offset: row, cells });
        row = row.saturating_add(per_row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use reprodiff_report::DiffLine;

    fn line(tag: LineTag, s: &str) -> DiffLine {
        DiffLine {
            tag,
            line: Data::Text(s.into()),
        }
    }

    #[test]
    fn headers_follow_the_unified_format() {
        let h = |a_start, a_len, b_start, b_len| {
            hunk_header(&Hunk {
                a_start,
                a_len,
                b_start,
                b_len,
                lines: Vec::new(),
            })
        };
        assert_eq!(h(1, 3, 1, 3), "@@ -1,3 +1,3 @@");
        assert_eq!(h(7, 1, 9, 1), "@@ -7 +9 @@");
        // An empty side names the line before: nothing in a, then a file
        // that lost its only line.
        assert_eq!(h(1, 0, 1, 2), "@@ -0,0 +1,2 @@");
        assert_eq!(h(1, 1, 1, 0), "@@ -1 +0,0 @@");
        assert_eq!(h(5, 0, 5, 1), "@@ -4,0 +5 @@");
    }

    #[test]
    fn rows_number_each_side_and_pair_changes() {
        let hunks = [Hunk {
            a_start: 4,
            a_len: 4,
            b_start: 6,
            b_len: 3,
            lines: vec![
                line(LineTag::Context, "keep\n"),
                line(LineTag::Delete, "old 1\r\n"),
                line(LineTag::Delete, "old 2\n"),
                line(LineTag::Insert, "new 1\n"),
                line(LineTag::Context, "keep\n"),
                line(LineTag::Delete, "last"),
                line(LineTag::Insert, "last\n"),
            ],
        }];
        let rows = text_rows(&hunks);
        let shown: Vec<_> = rows
            .iter()
            .map(|r| (r.unified(), r.a_line, r.b_line, r.partner))
            .collect();
        assert_eq!(
            shown,
            [
                ("@@ -4,4 +6,3 @@".to_string(), None, None, None::<usize>),
                (" keep".into(), Some(4), Some(6), None),
                ("-old 1".into(), Some(5), None, Some(4)),
                ("-old 2".into(), Some(6), None, None),
                ("+new 1".into(), None, Some(7), Some(2)),
                (" keep".into(), Some(7), Some(8), None),
                ("-last".into(), Some(8), None, None),
                ("\\ No newline at end of file".into(), None, None, None),
                ("+last".into(), None, Some(9), None),
            ]
        );
        assert_eq!(rows[7].kind, RowKind::NoNewline);
        assert_eq!(
            unified(&hunks).lines().next(),
            Some("@@ -4,4 +6,3 @@"),
            "one row a line"
        );
    }

    #[test]
    fn a_side_with_no_lines_numbers_only_the_other() {
        let hunks = [Hunk {
            a_start: 1,
            a_len: 0,
            b_start: 1,
            b_len: 2,
            lines: vec![line(LineTag::Insert, "x\n"), line(LineTag::Insert, "y\n")],
        }];
        let rows = text_rows(&hunks);
        assert_eq!(rows[0].text, "@@ -0,0 +1,2 @@");
        assert_eq!((rows[1].a_line, rows[1].b_line), (None, Some(1)));
        assert_eq!((rows[2].a_line, rows[2].b_line), (None, Some(2)));
        assert!(rows.iter().all(|r| r.partner.is_none()));
    }

    #[test]
    fn lines_that_are_not_text_are_shown_lossily() {
        let hunks = [Hunk {
            a_start: 1,
            a_len: 1,
            b_start: 1,
            b_len: 1,
            lines: vec![
                DiffLine {
                    tag: LineTag::Delete,
                    line: Data::Bytes(b"caf\xe9\n".to_vec()),
                },
                line(LineTag::Insert, "café\n"),
            ],
        }];
        let rows = text_rows(&hunks);
        assert_eq!(rows[1].text, "caf\u{fffd}");
        assert_eq!(rows[2].text, "café");
    }

    #[test]
    fn changed_span_lies_between_shared_prefix_and_suffix() {
        assert_eq!(
            changed_span("Build-Date: Tue", "Build-Date: Wed"),
            Some(12..15)
        );
        assert_eq!(changed_span("id=0042;", "id=0077;"), Some(5..7));
        // Multi-byte characters: offsets stay on character boundaries.
        assert_eq!(changed_span("café 1", "cafe 1"), Some(3..5));
        assert_eq!(changed_span("abc", "xyz"), None);
        // A line that only grew: an empty middle at the end.
        assert_eq!(changed_span("ab", "abc"), Some(2..2));
    }

    #[test]
    fn hex_rows_have_offsets_a_short_last_row_and_ascii() {
        let d = b"hello, world! 0123456789";
        let rows = hex_rows(0x370, d);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].offset, 0x380);
        assert_eq!(
            rows[0].line(),
            "00000370: 6865 6c6c 6f2c 2077 6f72 6c64 2120 3031  hello, world! 01"
        );
        assert_eq!(
            rows[1].line(),
            "00000380: 3233 3435 3637 3839                      23456789"
        );
        let odd = hex_rows(0, &[0x00, 0x7f, 0x41]);
        assert_eq!(
            odd[0].line(),
            "00000000: 007f 41                                  ..A"
        );
        assert!(hex_rows(0, &[]).is_empty());
    }

    #[test]
    fn hex_pairs_line_up_both_sides() {
        let r = ByteRange {
            offset: 0x12,
            len: 3,
            start: 0x10,
            a: vec![1, 2, 3, 4, 5, 6],
            b: vec![1, 2, 0xff, 4],
        };
        let rows = hex_pairs(&r, 4);
        assert_eq!(
            rows.iter().map(|p| p.offset).collect::<Vec<_>>(),
            [0x10, 0x14]
        );
        assert_eq!(
            rows[0].cells[2],
            HexCell {
                a: Some(3),
                b: Some(0xff)
            }
        );
        assert!(rows[0].cells[2].differs());
        assert!(!rows[0].cells[3].differs());
        assert_eq!(
            rows[1].cells[1],
            HexCell {
                a: Some(6),
                b: None
            }
        );
        assert_eq!(rows[1].cells[2], HexCell { a: None, b: None });
        // Rows are aligned to their own width, not to the window.
        assert_eq!(hex_pairs(&r, 16)[0].offset, 0x10);
        assert_eq!(hex_pairs(&r, 8)[0].offset, 0x10);
        assert_eq!(hex_pairs(&r, 3)[0].offset, 0x0f);
        assert_eq!(hex_pairs(&r, 3)[0].cells[0], HexCell { a: None, b: None });
        // Only side b has bytes past a's end (a grew shorter).
        let tail = ByteRange {
            offset: 0x20,
            len: 2,
            start: 0x20,
            a: Vec::new(),
            b: vec![7, 8],
        };
        let rows = hex_pairs(&tail, 16);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].offset, 0x20);
        assert_eq!(
            rows[0].cells[1],
            HexCell {
                a: None,
                b: Some(8)
            }
        );
    }
}
