//! A markdown snippet of one difference node, for pasting into a bug
//! report: the address, the field changes as a table, and the diff.

use std::fmt::Write;

use reprodiff_report::{Change, Diff, Node};

use crate::state::status_word;

fn cell(v: &Option<String>) -> String {
    match v.as_deref() {
        Some(s) => format!("`{}`", s.replace('|', "\\|").replace('`', "'")),
        None => "—".to_string(),
    }
}

pub fn node_markdown(node: &Node) -> String {
    let mut out = String::new();
    let addr = if node.address.is_empty() {
        "(the images)"
    } else {
        &node.address
    };
    let _ = writeln!(out, "### `{addr}`\n");
    let mut facts = vec![status_word(node.status).to_string()];
    facts.extend(node.kind.map(|k| k.as_str().to_string()));
    facts.extend(node.format.as_ref().map(|f| format!("[{f}]")));
    match (node.size_a, node.size_b) {
        (Some(a), Some(b)) if a == b => facts.push(format!("{a} bytes")),
        (Some(a), Some(b)) => facts.push(format!("{a} → {b} bytes")),
        (Some(a), None) => facts.push(format!("{a} bytes, only in a")),
        (None, Some(b)) => facts.push(format!("{b} bytes, only in b")),
        (None, None) => {}
    }
    let _ = writeln!(out, "{}", facts.join(", "));
    if !node.causes.is_empty() {
        let _ = writeln!(
            out,
            "\nCauses: {}",
            node.causes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for e in &node.errors {
        let _ = writeln!(out, "\n> error: {e}");
    }
    if !node.changes.is_empty() {
        let _ = writeln!(out, "\n| field | a | b |\n|---|---|---|");
        for c in &node.changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                c.field,
                cell(&Change::shown(&c.a)),
                cell(&c.shown_b())
            );
        }
    }
    if let Some(f) = node.diff.as_ref().and_then(Diff::fallback) {
        let _ = writeln!(out, "\n({f})");
    }
    match &node.diff {
        Some(Diff::Text {
            unified, truncated, ..
        }) => {
            let _ = writeln!(out, "\n```diff\n{}\n```", unified.trim_end());
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
                for l in &r.a {
                    let _ = writeln!(out, "-{l}");
                }
                for l in &r.b {
                    let _ = writeln!(out, "+{l}");
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
                "\nCompared by hash only ({reason}): a `{sha256_a}`, b `{sha256_b}`."
            );
        }
        None => {}
    }
    out
}

/// A file name for the snippet of `address`: its last component, made safe.
pub fn default_file(address: &str) -> String {
    let last = crate::state::last_component(address);
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
    use reprodiff_report::{Change, Status};

    #[test]
    fn snippet_has_table_and_diff() {
        let mut n = Node::new("a::etc/x|y", Status::Modified);
        n.changes.push(Change::new(
            "mode",
            reprodiff_report::Role::Permissions,
            Some(reprodiff_report::Value::Mode(0o644)),
            None,
        ));
        n.diff = Some(Diff::Text {
            unified: "@@ -1 +1 @@\n-a\n+b\n".into(),
            truncated: false,
            fallback: None,
        });
        let md = node_markdown(&n);
        assert!(md.starts_with("### `a::etc/x|y`\n"));
        assert!(md.contains("| mode | `0644` | — |"));
        assert!(md.contains("```diff\n@@ -1 +1 @@\n-a\n+b\n```"));
        assert_eq!(default_file("a::etc/x|y"), "reprodiff-x_y.md");
        assert_eq!(default_file("a::.."), "reprodiff-images.md");
        assert_eq!(default_file(""), "reprodiff-images.md");
    }
}
