//! The minimized report for upstream bug trackers (`--markdown FILE`): a
//! summary with both SHA-256, the root-cause groups as a table, then one
//! section per group with one representative difference trimmed to its
//! differing hunks and every address collapsed in `<details>`. Renders on
//! GitHub, GitLab and the Debian BTS (plain text stays readable there).
//!
//! Presenter stage: reads a [`Report`], computes nothing.

use std::collections::HashMap;
use std::io::{self, Write};

use reprodiff_report::{Diff, Node, Report, Verdict};

#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Diff lines shown for each representative.
    pub max_diff_lines: usize,
    /// Changes shown for each representative.
    pub max_changes: usize,
    /// Addresses listed one per line; the rest are joined on shared lines.
    pub max_address_lines: usize,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            max_diff_lines: 12,
            max_changes: 6,
            max_address_lines: 12,
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

/// Backticks inside a code span would end it early.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// Pipes would split a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// The member best showing the group: first one whose only cause is the
/// group's (so the diff shown is of that cause, not of another difference
/// the member also has), then any with a change of that cause; leaves with
/// a content diff first within each.
fn representative<'r>(
    addrs: &[String],
    cause: &str,
    nodes: &HashMap<&str, &'r Node>,
) -> Option<&'r Node> {
    let with_cause = |n: &&Node| n.changes.iter().any(|c| c.cause.as_deref() == Some(cause));
    let pure = |n: &&Node| with_cause(n) && n.causes.iter().all(|c| c == cause);
    let candidates: Vec<&Node> = addrs
        .iter()
        .filter_map(|a| nodes.get(a.as_str()).copied())
        .collect();
    candidates
        .iter()
        .find(|n| pure(n) && n.diff.is_some())
        .or_else(|| candidates.iter().find(|n| pure(n)))
        .or_else(|| {
            candidates
                .iter()
                .find(|n| with_cause(n) && n.diff.is_some())
        })
        .or_else(|| candidates.iter().find(|n| with_cause(n)))
        .or_else(|| candidates.first())
        .copied()
}

fn write_diff(d: &Diff, w: &mut impl Write, o: &MarkdownOptions) -> io::Result<()> {
    let mut lines: Vec<String> = Vec::new();
    match d {
        Diff::Text { unified, .. } => {
            lines.extend(unified.lines().map(str::to_string));
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
                lines.extend(r.a.iter().take(2).map(|l| format!("-{l}")));
                lines.extend(r.b.iter().take(2).map(|l| format!("+{l}")));
            }
        }
        Diff::Hash {
            sha256_a,
            sha256_b,
            reason,
        } => {
            lines.push(format!("# compared by hash only ({reason})"));
            lines.push(format!("-sha256 {sha256_a}"));
            lines.push(format!("+sha256 {sha256_b}"));
        }
    }
    let total = lines.len();
    writeln!(w, "```diff")?;
    for l in lines.iter().take(o.max_diff_lines) {
        writeln!(w, "{}", l.replace("```", "'''"))?;
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
        code(&r.a.sha256)
    )?;
    writeln!(
        w,
        "- b: {} ({} bytes, sha256 {})",
        code(nb),
        r.b.size,
        code(&r.b.sha256)
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
            code(&g.cause),
            cell(&g.shape),
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
            code(&g.cause),
            g.shape,
            g.count
        )?;
        writeln!(w)?;
        if g.cause != "consequential" {
            if let Some(n) = representative(&g.addresses, &g.cause, &nodes) {
                writeln!(w, "{}:", code(shown(&n.address)))?;
                writeln!(w)?;
                let relevant: Vec<_> = n
                    .changes
                    .iter()
                    .filter(|c| c.cause.as_deref() == Some(g.cause.as_str()))
                    .collect();
                for c in relevant.iter().take(o.max_changes) {
                    writeln!(
                        w,
                        "- {}: {} → {}",
                        code(&c.field),
                        code(c.a.as_deref().unwrap_or("(none)")),
                        code(c.b.as_deref().unwrap_or("(none)"))
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
        let (each, rest) = g
            .addresses
            .split_at(g.addresses.len().min(o.max_address_lines));
        for a in each {
            writeln!(w, "- {}", code(shown(a)))?;
        }
        for chunk in rest.chunks(40) {
            let joined: Vec<String> = chunk.iter().map(|a| code(shown(a))).collect();
            writeln!(w, "- {}", joined.join(", "))?;
        }
        writeln!(w)?;
        writeln!(w, "</details>")?;
    }
    Ok(())
}
