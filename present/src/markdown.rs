//! The minimized report for upstream bug trackers (`--markdown FILE`): a
//! summary with both SHA-256, the root-cause groups as a table, then one
//! section per group with one representative difference trimmed to its
//! differing hunks and every address collapsed in `<details>`. Renders on
//! GitHub, GitLab and the Debian BTS (plain text stays readable there).
//!
//! The TUI's one-entry snippet (key `m`, [`node_snippet`]) is written here
//! too, so both share one escaping of names and contents.
//!
//! Presenter stage (bytes → formats → engine → diagnosis → report →
//! **presenters**): reads a [`Report`], computes nothing; diffs are drawn
//! by [`crate::diff`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use reprodiff_report::{Cause, Change, Diff, Node, Report, Verdict};

use crate::diff::{hex_rows, text_rows};

#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Diff lines shown for each representative.
    pub max_diff_lines: usize,
    /// Changes shown for each representative.
    pub max_changes: usize,
    /// Addresses listed one per line; the rest are joined on shared lines.
    pub max_address_lines: usize,
    /// Addresses listed per group at most: past it they are counted, so
    /// a release's thousands of routine members still fit in an issue
    /// (the JSON report lists all).
    pub max_addresses: usize,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            max_diff_lines: 12,
            max_changes: 6,
            max_address_lines: 12,
            max_addresses: 200,
        }
    }
}

fn shown(a: &str) -> &str {
    if a.is_empty() {
        "(image)"
    } else {
        a
    }
}

/// Control characters from image data (a newline in a file name) would
/// break the line they are on: shown as `\x0a`-style escapes instead.
fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_ascii_control()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// An inline code span: names, addresses and values, shown literally
/// (markup such as `<script>` inside one is text). A backtick would end the
/// span early, so it is shown as `'`.
pub fn code(s: &str) -> String {
    format!("`{}`", escape_controls(s).replace('`', "'"))
}

/// Text outside code (shapes, notes, errors): `<`, `>` and `&` as entities
/// so image data cannot open HTML tags, backticks escaped so they cannot
/// open a code span.
pub fn prose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_controls(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push_str("\\`"),
            c => out.push(c),
        }
    }
    out
}

/// A table cell (of [`code`] or [`prose`]): a pipe would end the cell.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// What a Markdown report cut to a size cap leaves open: a code fence and
/// `<details>` blocks, closed before the cut's note so that it shows.
#[derive(Debug, Clone, Default)]
pub struct Open {
    fence: bool,
    details: usize,
}

impl crate::budget::Closing for Open {
    fn see(&mut self, line: &[u8]) {
        if line.starts_with(b"```") {
            self.fence = !self.fence;
        } else if !self.fence && line.starts_with(b"<details>") {
            self.details += 1;
        } else if !self.fence && line.starts_with(b"</details>") {
            self.details = self.details.saturating_sub(1);
        }
    }

    fn close(&self) -> String {
        let mut out = String::new();
        if self.fence {
            out.push_str("```\n");
        }
        for _ in 0..self.details {
            out.push_str("\n</details>\n");
        }
        out.push('\n');
        out
    }
}

/// A line inside a fenced code block: a fence would close the block.
fn fenced(s: &str) -> String {
    s.replace("```", "'''")
}

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn write_diff(d: &Diff, w: &mut impl Write, o: &MarkdownOptions) -> io::Result<()> {
    let mut lines: Vec<String> = Vec::new();
    match d {
        Diff::Text { hunks, .. } => {
            lines.extend(text_rows(hunks).iter().map(|r| r.unified()));
        }
        Diff::Binary {
            differing_bytes,
            ranges,
            size_a,
            size_b,
            ..
        } => {
            lines.push(format!("# binary: {differing_bytes} bytes differ in {} range(s), sizes {size_a} / {size_b}", ranges.len()));
            for r in ranges.iter().take(2) {
                lines.push(format!("@ {:#x} (+{} bytes)", r.offset, r.len));
                let rows = |bytes| hex_rows(r.start, bytes).into_iter().take(2);
                lines.extend(rows(&r.a).map(|row| format!("-{}", row.line())));
                lines.extend(rows(&r.b).map(|row| format!("+{}", row.line())));
            }
        }
        Diff::Hash {
            sha256_a,
            sha256_b,
            reason,
        } => {
            lines.push(format!("# compared by hash only ({reason})"));
            lines.push(format!("-sha256 {}", Diff::digest_shown(sha256_a)));
            lines.push(format!("+sha256 {}", Diff::digest_shown(sha256_b)));
        }
    }
    let total = lines.len();
    writeln!(w, "```diff")?;
    for l in lines.iter().take(o.max_diff_lines) {
        writeln!(w, "{}", fenced(l))?;
    }
    if total > o.max_diff_lines {
        writeln!(
            w,
            "# … {} more lines in the JSON report",
            total - o.max_diff_lines
        )?;
    }
    writeln!(w, "```")
}

pub fn write(r: &Report, w: &mut impl Write, o: &MarkdownOptions) -> io::Result<()> {
    let (na, nb) = (base(&r.a.path), base(&r.b.path));
    writeln!(
        w,
        "## reprodiff: {} and {} {}",
        code(na),
        code(nb),
        match r.verdict {
            Verdict::Identical => "are identical",
            Verdict::Different => "differ",
        }
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "- a: {} ({} bytes, sha256 {})",
        code(na),
        r.a.size,
        code(r.a.sha256_shown())
    )?;
    writeln!(
        w,
        "- b: {} ({} bytes, sha256 {})",
        code(nb),
        r.b.size,
        code(r.b.sha256_shown())
    )?;
    let s = &r.summary;
    writeln!(
        w,
        "- {} modified, {} added, {} removed of {} compared; **{} root causes**",
        s.modified,
        s.added,
        s.removed,
        s.compared,
        r.groups.len()
    )?;
    if r.groups.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(w, "| # | cause | shape | nodes | e.g. |")?;
    writeln!(w, "|---|---|---|---|---|")?;
    for (i, g) in r.groups.iter().enumerate() {
        let eg = g
            .addresses
            .first()
            .map(|a| code(shown(a)))
            .unwrap_or_default();
        writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            i + 1,
            code(g.cause.as_str()),
            cell(&prose(&g.shape)),
            g.count,
            cell(&eg)
        )?;
    }
    let mut nodes: HashMap<&str, &Node> = HashMap::new();
    r.tree.visit(&mut |n| {
        nodes.insert(n.address.as_str(), n);
    });
    for (i, g) in r.groups.iter().enumerate() {
        writeln!(w)?;
        writeln!(
            w,
            "### {}. {} — {} ({})",
            i + 1,
            code(g.cause.as_str()),
            prose(&g.shape),
            g.count
        )?;
        writeln!(w)?;
        if g.cause != Cause::Consequential {
            let rep = g
                .representative
                .as_deref()
                .and_then(|a| nodes.get(a).copied());
            if let Some(n) = rep {
                writeln!(w, "{}:", code(shown(&n.address)))?;
                writeln!(w)?;
                let relevant: Vec<_> = n
                    .changes
                    .iter()
                    .filter(|c| c.cause == Some(g.cause))
                    .collect();
                for c in relevant.iter().take(o.max_changes) {
                    writeln!(
                        w,
                        "- {}: {} → {}",
                        code(&c.field),
                        code(&Change::shown(&c.a).unwrap_or_else(|| "(none)".into())),
                        code(&c.shown_b().unwrap_or_else(|| "(none)".into()))
                    )?;
                }
                if relevant.len() > o.max_changes {
                    writeln!(w, "- … {} more", relevant.len() - o.max_changes)?;
                }
                if let Some(d) = &n.diff {
                    if !relevant.is_empty() {
                        writeln!(w)?;
                    }
                    write_diff(d, w, o)?;
                }
                writeln!(w)?;
            }
        }
        writeln!(
            w,
            "<details><summary>{} address{}</summary>",
            g.count,
            if g.count == 1 { "" } else { "es" }
        )?;
        writeln!(w)?;
        let listed = g.addresses.get(..g.addresses.len().min(o.max_addresses));
        let listed = listed.unwrap_or_default();
        let (each, rest) = listed.split_at(listed.len().min(o.max_address_lines));
        for a in each {
            writeln!(w, "- {}", code(shown(a)))?;
        }
        for chunk in rest.chunks(40) {
            let joined: Vec<String> = chunk.iter().map(|a| code(shown(a))).collect();
            writeln!(w, "- {}", joined.join(", "))?;
        }
        if g.addresses.len() > listed.len() {
            writeln!(
                w,
                "- … and {} more (the JSON report lists every address)",
                g.addresses.len() - listed.len()
            )?;
        }
        writeln!(w)?;
        writeln!(w, "</details>")?;
    }
    Ok(())
}

/// A Markdown snippet of one difference node, for pasting into a bug
/// report: the address, the field changes as a table, and the whole diff
/// (the TUI's `m` key writes it to a file).
pub fn node_snippet(node: &Node) -> String {
    use std::fmt::Write;

    let mut out = String::new();
    let addr = if node.address.is_empty() {
        "(the images)"
    } else {
        &node.address
    };
    let _ = writeln!(out, "### {}\n", code(addr));
    let mut facts = vec![node.status.word().to_string()];
    facts.extend(node.kind.map(|k| prose(k.as_str())));
    facts.extend(node.format.as_ref().map(|f| format!("[{}]", prose(f))));
    match (node.size_a, node.size_b) {
        (Some(a), Some(b)) if a == b => facts.push(format!("{a} bytes")),
        (Some(a), Some(b)) => facts.push(format!("{a} → {b} bytes")),
        (Some(a), None) => facts.push(format!("{a} bytes, only in a")),
        (None, Some(b)) => facts.push(format!("{b} bytes, only in b")),
        (None, None) => {}
    }
    let _ = writeln!(out, "{}", facts.join(", "));
    if !node.causes.is_empty() {
        let causes: Vec<&str> = node.causes.iter().map(|c| c.as_str()).collect();
        let _ = writeln!(out, "\nCauses: {}", prose(&causes.join(", ")));
    }
    for e in &node.errors {
        let _ = writeln!(out, "\n> error: {}", prose(e));
    }
    if !node.changes.is_empty() {
        let value = |v: &Option<String>| match v {
            Some(s) => cell(&code(s)),
            None => "—".to_string(),
        };
        let _ = writeln!(out, "\n| field | a | b |\n|---|---|---|");
        for c in &node.changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&prose(&c.field)),
                value(&Change::shown(&c.a)),
                value(&c.shown_b())
            );
        }
    }
    if let Some(f) = node.diff.as_ref().and_then(Diff::fallback) {
        let _ = writeln!(out, "\n({})", prose(f));
    }
    match &node.diff {
        Some(Diff::Text {
            hunks, truncated, ..
        }) => {
            let _ = writeln!(out, "\n```diff");
            for row in text_rows(hunks) {
                let _ = writeln!(out, "{}", fenced(&row.unified()));
            }
            let _ = writeln!(out, "```");
            if *truncated {
                let _ = writeln!(out, "\n(diff cut at the line limit)");
            }
        }
        Some(Diff::Binary {
            size_a,
            size_b,
            differing_bytes,
            ranges,
            truncated,
            ..
        }) => {
            let _ = writeln!(
                out,
                "\n{differing_bytes} byte(s) differ in {} range(s) (sizes {size_a} / {size_b}).",
                ranges.len()
            );
            for r in ranges {
                let _ = writeln!(out, "\nAt 0x{:x} (+{} bytes):\n\n```diff", r.offset, r.len);
                for row in hex_rows(r.start, &r.a) {
                    let _ = writeln!(out, "-{}", row.line());
                }
                for row in hex_rows(r.start, &r.b) {
                    let _ = writeln!(out, "+{}", row.line());
                }
                let _ = writeln!(out, "```");
            }
            if *truncated {
                let _ = writeln!(out, "\n(more ranges left out)");
            }
        }
        Some(Diff::Hash {
            sha256_a,
            sha256_b,
            reason,
        }) => {
            let _ = writeln!(
                out,
                "\nCompared by hash only ({}): a {}, b {}.",
                prose(reason),
                code(Diff::digest_shown(sha256_a)),
                code(Diff::digest_shown(sha256_b))
            );
        }
        None => {}
    }
    out
}

/// A file name for the snippet of `address`: `reprodiff-` and its last path
/// component, with anything but letters, digits, `.`, `-` and `_` made `_`.
pub fn snippet_file_name(address: &str) -> String {
    let last = reprodiff_report::Address::new(address).name();
    let safe: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_matches('.');
    if safe.is_empty() {
        "reprodiff-images.md".to_string()
    } else {
        format!("reprodiff-{safe}.md")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reprodiff_report::{
        ByteRange, Data, DiffLine, Group, Hunk, Input, LineTag, Role, Status, Summary, Value,
        SCHEMA,
    };

    fn text_diff(lines: &[(LineTag, &str)]) -> Diff {
        Diff::Text {
            hunks: vec![Hunk {
                a_start: 1,
                a_len: 1,
                b_start: 1,
                b_len: 1,
                lines: lines
                    .iter()
                    .map(|&(tag, s)| DiffLine {
                        tag,
                        line: Data::Text(s.into()),
                    })
                    .collect(),
            }],
            truncated: false,
            fallback: None,
        }
    }

    #[test]
    fn escaping_keeps_names_and_contents_literal() {
        assert_eq!(code("a`b"), "`a'b`");
        assert_eq!(code("<script>"), "`<script>`", "literal inside a code span");
        assert_eq!(code("x\ny"), "`x\\x0ay`");
        assert_eq!(
            prose("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(prose("a & `b`"), "a &amp; \\`b\\`");
        assert_eq!(
            prose("pvd.modification_date: +1d"),
            "pvd.modification_date: +1d"
        );
        assert_eq!(cell(&code("a|b")), "`a\\|b`");
        assert_eq!(fenced("```rust"), "'''rust");
    }

    /// A routine group of thousands (a live image's clamped mtimes) lists
    /// a bounded number of addresses and counts the rest.
    #[test]
    fn large_groups_list_a_bounded_number_of_addresses() {
        let addresses: Vec<String> = (0..5000).map(|i| format!("usr/share/f{i:05}")).collect();
        let mut tree = Node::new("", Status::Modified);
        let mut first = Node::new(addresses[0].as_str(), Status::Modified);
        first.causes.push(Cause::Mtime);
        tree.children.push(first);
        let input = |p: &str| Input {
            path: p.into(),
            size: 1,
            sha256: "ab".into(),
        };
        let r = Report {
            schema: SCHEMA.into(),
            verdict: Verdict::Different,
            a: input("a.iso"),
            b: input("b.iso"),
            summary: Summary::default(),
            groups: vec![Group {
                cause: Cause::Mtime,
                shape: "mtime differs: by +1d".into(),
                count: 5000,
                representative: Some(addresses[0].clone()),
                addresses: addresses.clone(),
            }],
            regions: Vec::new(),
            tree,
            truncated: None,
        };
        let o = MarkdownOptions::default();
        let mut out = Vec::new();
        write(&r, &mut out, &o).expect("write");
        let md = String::from_utf8(out).expect("utf-8");
        let named = addresses
            .iter()
            .filter(|a| md.contains(&format!("`{a}`")))
            .count();
        assert_eq!(named, o.max_addresses);
        assert!(md.contains("- … and 4800 more (the JSON report lists every address)"));
        assert!(md.len() < 20_000, "{} bytes", md.len());
    }

    #[test]
    fn report_escapes_hostile_names_shapes_and_contents() {
        let name = "usr/share/`x`|<script>.txt";
        let mut n = Node::new(name, Status::Modified);
        n.changes.push(Change::finding(
            "text.other",
            Value::text("a|`b`"),
            Value::text("<script>"),
            Cause::Content,
        ));
        n.causes.push(Cause::Content);
        n.diff = Some(text_diff(&[
            (LineTag::Delete, "```\n"),
            (LineTag::Insert, "<script>alert(1)</script>\n"),
        ]));
        let mut tree = Node::new("", Status::Modified);
        tree.children.push(n);
        let input = |p: &str| Input {
            path: p.into(),
            size: 1,
            sha256: "ab".into(),
        };
        let r = Report {
            schema: SCHEMA.into(),
            verdict: Verdict::Different,
            a: input("/tmp/a`1`.iso"),
            b: input("/tmp/b.iso"),
            summary: Summary::default(),
            groups: vec![Group {
                cause: Cause::Content,
                shape: "line <script> | `x` replaced".into(),
                count: 1,
                representative: Some(name.into()),
                addresses: vec![name.into()],
            }],
            regions: Vec::new(),
            tree,
            truncated: None,
        };
        let mut out = Vec::new();
        write(&r, &mut out, &MarkdownOptions::default()).expect("write");
        let md = String::from_utf8(out).expect("utf-8");
        assert!(
            md.starts_with("## reprodiff: `a'1'.iso` and `b.iso` differ\n"),
            "{md}"
        );
        assert!(
            md.contains("| 1 | `content` | line &lt;script&gt; \\| \\`x\\` replaced | 1 | `usr/share/'x'\\|<script>.txt` |"),
            "{md}"
        );
        assert!(
            md.contains("### 1. `content` — line &lt;script&gt; | \\`x\\` replaced (1)"),
            "{md}"
        );
        assert!(md.contains("- `text.other`: `a|'b'` → `<script>`"), "{md}");
        assert!(
            md.contains("```diff\n@@ -1 +1 @@\n-'''\n+<script>alert(1)</script>\n```"),
            "{md}"
        );
        assert!(md.contains("- `usr/share/'x'|<script>.txt`"), "{md}");
        assert!(!md.contains("\n<script>"), "{md}");
    }

    #[test]
    fn snippet_has_table_and_diff() {
        let mut n = Node::new("a::etc/x|y", Status::Modified);
        n.changes.push(Change::new(
            "mode",
            Role::Permissions,
            Some(Value::Mode(0o644)),
            None,
        ));
        n.diff = Some(text_diff(&[
            (LineTag::Delete, "a\n"),
            (LineTag::Insert, "b\n"),
        ]));
        let md = node_snippet(&n);
        assert!(md.starts_with("### `a::etc/x|y`\n"), "{md}");
        assert!(md.contains("| mode | `0644` | — |"), "{md}");
        assert!(md.contains("```diff\n@@ -1 +1 @@\n-a\n+b\n```"), "{md}");
        assert_eq!(snippet_file_name("a::etc/x|y"), "reprodiff-x_y.md");
        assert_eq!(
            snippet_file_name("x.deb::data.tar.xz::./usr/"),
            "reprodiff-usr.md"
        );
        assert_eq!(snippet_file_name("a::.."), "reprodiff-images.md");
        assert_eq!(snippet_file_name(""), "reprodiff-images.md");
    }

    #[test]
    fn snippet_escapes_like_the_report() {
        let mut n = Node::new("etc/`evil`|<script>", Status::Modified);
        n.changes.push(Change::new(
            "xattr.user.<b>|x",
            Role::Content,
            Some(Value::text("a|b`c")),
            Some(Value::text("<script>")),
        ));
        n.errors.push("a: bad <entry> `name`".into());
        n.diff = Some(text_diff(&[
            (LineTag::Delete, "```\n"),
            (LineTag::Insert, "ok\n"),
        ]));
        let md = node_snippet(&n);
        assert!(md.starts_with("### `etc/'evil'|<script>`\n"), "{md}");
        assert!(
            md.contains("> error: a: bad &lt;entry&gt; \\`name\\`"),
            "{md}"
        );
        assert!(
            md.contains("| xattr.user.&lt;b&gt;\\|x | `a\\|b'c` | `<script>` |"),
            "{md}"
        );
        assert!(md.contains("```diff\n@@ -1 +1 @@\n-'''\n+ok\n```"), "{md}");
    }

    #[test]
    fn snippet_shows_byte_ranges_as_hexdumps() {
        let mut n = Node::new("usr/bin/hello", Status::Modified);
        n.diff = Some(Diff::Binary {
            size_a: 18,
            size_b: 18,
            differing_bytes: 1,
            ranges: vec![ByteRange {
                offset: 0x11,
                len: 1,
                start: 0x10,
                a: vec![0x41, 0x00],
                b: vec![0x41, 0xff],
            }],
            truncated: false,
            fallback: None,
        });
        let md = node_snippet(&n);
        assert!(
            md.contains(
                "At 0x11 (+1 bytes):\n\n```diff\n\
                 -00000010: 4100                                     A.\n\
                 +00000010: 41ff                                     A.\n```"
            ),
            "{md}"
        );
    }
}
