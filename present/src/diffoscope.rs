//! diffoscope's JSON format (`--diffoscope-json FILE`), for pipelines and
//! viewers that already read what diffoscope writes (`diffoscope
//! --load-existing-diff`, its HTML output, dashboards). Each node of the
//! report becomes one diffoscope difference: `source1`/`source2` name it
//! (the input paths at the root, a member's path inside its parent below),
//! `comments` carry its causes, errors and notes, `unified_diff` its
//! content diff, and `details` its field changes (one `fields` detail, the
//! way diffoscope shows metadata as a detail of its own) and its members.
//! Byte ranges become unified diffs of `xxd`-style rows, as diffoscope
//! diffs binaries, holding only the rows the report holds.
//!
//! Presenter stage (bytes → formats → engine → diagnosis → report →
//! **presenters**): reads a [`Report`], computes nothing; text and hex
//! rows are drawn by [`crate::diff`].

use std::collections::BTreeMap;
use std::io::{self, Write};

use reprodiff_report::{ByteRange, Change, Diff, Node, Report, Status, Verdict};
use serde::Serialize;

use crate::diff::{binary_summary, hex_rows, unified, HEX_ROW};

/// The version diffoscope's reader checks for.
pub const FORMAT_VERSION: u32 = 1;

/// One difference as diffoscope's JSON writes it (key order as diffoscope's).
#[derive(Serialize)]
struct Difference {
    #[serde(
        rename = "diffoscope-json-version",
        skip_serializing_if = "Option::is_none"
    )]
    version: Option<u32>,
    source1: String,
    source2: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    comments: Vec<String>,
    unified_diff: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    details: Vec<Difference>,
}

pub fn write(r: &Report, w: &mut impl Write) -> io::Result<()> {
    let mut root = difference(&r.tree, (&r.a.path, &r.b.path));
    root.version = Some(FORMAT_VERSION);
    let mut comments = vec![verdict_line(r)];
    comments.extend(r.truncated.as_ref().map(|t| t.describe()));
    comments.extend(
        r.groups
            .iter()
            .map(|g| format!("root cause: {} × {}: {}", g.count, g.cause, g.shape)),
    );
    comments.append(&mut root.comments);
    root.comments = comments;
    crate::json::pretty(&root, &mut *w)?;
    writeln!(w)
}

fn verdict_line(r: &Report) -> String {
    let s = &r.summary;
    match r.verdict {
        Verdict::Identical => "identical".into(),
        Verdict::Different => format!(
            "different: {} modified, {} added, {} removed, {} identical of {} compared",
            s.modified, s.added, s.removed, s.identical, s.compared
        ),
    }
}

/// A member's name inside its parent: its address past the parent's.
fn member_name<'n>(n: &'n Node, parent: &str) -> &'n str {
    if parent.is_empty() {
        return &n.address;
    }
    n.address
        .strip_prefix(parent)
        .and_then(|rest| rest.strip_prefix("::"))
        .unwrap_or(&n.address)
}

fn difference(n: &Node, (source1, source2): (&str, &str)) -> Difference {
    let mut comments = Vec::new();
    if !n.causes.is_empty() {
        let causes: Vec<&str> = n.causes.iter().map(|c| c.as_str()).collect();
        comments.push(format!("causes: {}", causes.join(", ")));
    }
    comments.extend(n.errors.iter().map(|e| format!("error: {e}")));
    let unified_diff = n.diff.as_ref().and_then(|d| content_diff(d, &mut comments));
    let mut details = Vec::new();
    if !n.changes.is_empty() {
        details.push(fields(&n.changes));
    }
    // Members listed as identical (a folder's equal artifacts) are no
    // difference in diffoscope's terms.
    let differing = n.children.iter().filter(|c| c.status != Status::Identical);
    details.extend(differing.map(|c| {
        let name = member_name(c, &n.address);
        difference(c, (name, name))
    }));
    Difference {
        version: None,
        source1: source1.to_string(),
        source2: source2.to_string(),
        comments,
        unified_diff,
        details,
    }
}

/// The field changes as one `fields` detail: a unified diff of `field:
/// value` lines, each changed field's a line then its b line, and the
/// cause of each field in the comments.
fn fields(changes: &[Change]) -> Difference {
    let (mut minus, mut plus) = (Vec::new(), Vec::new());
    let mut body = String::new();
    let mut comments = Vec::new();
    for c in changes {
        let line = |v: Option<String>| v.map(|v| format!("{}: {}", c.field, one_line(&v)));
        if let Some(a) = line(Change::shown(&c.a)) {
            body.push_str(&format!("-{a}\n"));
            minus.push(a);
        }
        if let Some(b) = line(c.shown_b()) {
            body.push_str(&format!("+{b}\n"));
            plus.push(b);
        }
        if let Some(cause) = c.cause {
            comments.push(format!("{}: {cause}", c.field));
        }
    }
    let header = format!(
        "@@ {} {} @@\n",
        side_range('-', 1, minus.len() as u64),
        side_range('+', 1, plus.len() as u64)
    );
    Difference {
        version: None,
        source1: "fields".into(),
        source2: "fields".into(),
        comments,
        unified_diff: Some(header + &body),
        details: Vec::new(),
    }
}

/// A value on one diff line: line breaks inside it shown as `\n`.
fn one_line(s: &str) -> String {
    s.replace('\r', "\\r").replace('\n', "\\n")
}

/// One side of a unified hunk header (`-4,2`, `+5`, `-0,0`).
fn side_range(sign: char, start: u64, len: u64) -> String {
    match len {
        1 => format!("{sign}{start}"),
        0 => format!("{sign}{},0", start.saturating_sub(1)),
        n => format!("{sign}{start},{n}"),
    }
}

/// The content diff as diffoscope's `unified_diff`; what it cannot show
/// goes to `comments`.
fn content_diff(d: &Diff, comments: &mut Vec<String>) -> Option<String> {
    if let Some(f) = d.fallback() {
        comments.push(format!("note: {f}"));
    }
    match d {
        Diff::Text {
            hunks, truncated, ..
        } => {
            if *truncated {
                comments.push("diff cut to the line budget (all lines in the JSON report)".into());
            }
            Some(unified(hunks))
        }
        Diff::Binary { ranges, .. } => {
            comments.push(format!(
                "binary: {}; xxd rows of the differing ranges only",
                binary_summary(d).unwrap_or_default()
            ));
            Some(hexdump_diff(ranges))
        }
        Diff::Hash {
            sha256_a,
            sha256_b,
            reason,
        } => {
            comments.push(format!("compared by hash only ({reason})"));
            Some(format!(
                "@@ -1 +1 @@\n-sha256 {}\n+sha256 {}\n",
                Diff::digest_shown(sha256_a),
                Diff::digest_shown(sha256_b)
            ))
        }
    }
}

/// The ranges' rows as a unified diff of two `xxd` listings: line N of a
/// listing is the row at offset (N-1)×16, so hunks name real line
/// numbers. Rows two ranges share are shown once; adjacent rows join one
/// hunk; a row equal on both sides is context.
fn hexdump_diff(ranges: &[ByteRange]) -> String {
    let mut rows: BTreeMap<u64, (Option<String>, Option<String>)> = BTreeMap::new();
    for r in ranges {
        for row in hex_rows(r.start, &r.a) {
            rows.entry(row.offset)
                .or_default()
                .0
                .get_or_insert(row.line());
        }
        for row in hex_rows(r.start, &r.b) {
            rows.entry(row.offset)
                .or_default()
                .1
                .get_or_insert(row.line());
        }
    }
    let step = HEX_ROW as u64;
    let mut out = String::new();
    let mut run: Vec<(Option<String>, Option<String>)> = Vec::new();
    let mut run_start = 0;
    let mut next = None;
    for (offset, sides) in rows {
        if next != Some(offset) && !run.is_empty() {
            hexdump_hunk(run_start, &std::mem::take(&mut run), &mut out);
        }
        if run.is_empty() {
            run_start = offset;
        }
        run.push(sides);
        next = offset.checked_add(step);
    }
    if !run.is_empty() {
        hexdump_hunk(run_start, &run, &mut out);
    }
    out
}

/// One hunk of consecutive rows from `offset`: equal rows as context,
/// each run of differing rows as its a rows then its b rows.
fn hexdump_hunk(offset: u64, rows: &[(Option<String>, Option<String>)], out: &mut String) {
    let line = offset / HEX_ROW as u64 + 1;
    let a_len = rows.iter().filter(|r| r.0.is_some()).count() as u64;
    let b_len = rows.iter().filter(|r| r.1.is_some()).count() as u64;
    out.push_str(&format!(
        "@@ {} {} @@\n",
        side_range('-', line, a_len),
        side_range('+', line, b_len)
    ));
    let (mut minus, mut plus) = (String::new(), String::new());
    for (a, b) in rows {
        if a.is_some() && a == b {
            out.push_str(&minus);
            out.push_str(&plus);
            minus.clear();
            plus.clear();
            out.push_str(&format!(" {}\n", a.as_deref().unwrap_or_default()));
            continue;
        }
        if let Some(a) = a {
            minus.push_str(&format!("-{a}\n"));
        }
        if let Some(b) = b {
            plus.push_str(&format!("+{b}\n"));
        }
    }
    out.push_str(&minus);
    out.push_str(&plus);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(offset: u64, start: u64, a: &[u8], b: &[u8]) -> ByteRange {
        ByteRange {
            offset,
            len: 1,
            start,
            a: a.to_vec(),
            b: b.to_vec(),
        }
    }

    #[test]
    fn hexdump_hunks_number_xxd_lines() {
        let mut a = vec![0u8; 32];
        let mut b = a.clone();
        b[20] = 0x41;
        a.truncate(32);
        b.push(0x42);
        let d = hexdump_diff(&[range(0x14, 0x10, &a[16..], &b[16..])]);
        let lines: Vec<&str> = d.lines().collect();
        // Row 0x10 is line 2 of an xxd listing; b has a third row.
        assert_eq!(lines[0], "@@ -2 +2,2 @@", "{d}");
        assert!(lines[1].starts_with("-00000010: 0000 0000"), "{d}");
        assert!(lines[2].starts_with("+00000010: 0000 0000 4100"), "{d}");
        assert!(lines[3].starts_with("+00000020: 42"), "{d}");
        assert_eq!(lines.len(), 4, "{d}");
    }

    #[test]
    fn rows_two_ranges_share_are_shown_once_and_gaps_split_hunks() {
        let row = |x: u8| vec![x; 16];
        let d = hexdump_diff(&[
            range(0x00, 0x00, &row(1), &row(2)),
            // Starts in the row the first range ended in.
            range(
                0x0c,
                0x00,
                &[row(1), row(3)].concat(),
                &[row(2), row(3)].concat(),
            ),
            range(0x40, 0x40, &row(5), &row(6)),
        ]);
        let headers: Vec<&str> = d.lines().filter(|l| l.starts_with("@@")).collect();
        assert_eq!(headers, ["@@ -1,2 +1,2 @@", "@@ -5 +5 @@"], "{d}");
        assert_eq!(d.lines().filter(|l| l.starts_with("-00000000")).count(), 1);
        assert!(
            d.contains("\n 00000010: 0303"),
            "equal row is context:\n{d}"
        );
    }

    #[test]
    fn fields_are_a_diff_with_their_causes() {
        use reprodiff_report::{Cause, Role, Value};
        let mut c = Change::new(
            "pvd.volume_id",
            Role::Content,
            Some(Value::text("A\nB")),
            Some(Value::text("C")),
        );
        c.cause = Some(Cause::EmbeddedTimestamp);
        let only_b = Change::new("xattr.user.x", Role::Content, None, Some(Value::text("1")));
        let d = fields(&[c, only_b]);
        assert_eq!(
            d.unified_diff.as_deref(),
            Some("@@ -1 +1,2 @@\n-pvd.volume_id: A\\nB\n+pvd.volume_id: C\n+xattr.user.x: 1\n")
        );
        assert_eq!(d.comments, ["pvd.volume_id: embedded-timestamp"]);
    }
}
