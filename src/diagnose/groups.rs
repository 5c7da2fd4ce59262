//! Groups: one cause and one shape ("mtime differs: +1d", "gzip header
//! differs: gzip.mtime 0 → 1700003600") with every address they explain, so
//! thousands of nodes with the same root cause read as one line.
//!
//! Diagnosis stage (engine → report): built from the settled node causes and
//! the causes of their field changes; presenters print them first.

use std::collections::BTreeMap;

use super::time;
use super::*;
use crate::report::{Group, Node};

/// Containers, sizes and offsets that differ only because what they hold does.
const STRUCTURAL: &str = "containers, sizes and offsets following their members";

/// Details of one (cause, kind) shown separately up to this many; beyond,
/// they merge into one group (thousands of unclamped mtimes are one cause).
const MAX_VARIANTS: usize = 3;

/// One reason a node is in a group: cause, the kind of difference, and a
/// detail (values, shift) that splits groups while variants are few.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Fact {
    cause: &'static str,
    kind: String,
    detail: Option<String>,
}

fn fact(cause: &'static str, kind: impl Into<String>, detail: Option<String>) -> Fact {
    Fact {
        cause,
        kind: kind.into(),
        detail,
    }
}

fn shift(c: &Change) -> Option<String> {
    let a = time::parse_value(c.a.as_deref()?)?;
    let b = c.b.as_deref()?;
    let b = time::parse_value(b.split(" (and ").next().unwrap_or(b))?;
    Some(time::fmt_delta(b - a))
}

fn values(c: &Change) -> String {
    let raw = |v: &Option<String>| {
        let v = v.as_deref().unwrap_or("(none)");
        // `0 (not set)` / `2023-… (1700003600)`: the raw number reads best.
        match v.rsplit_once(" (") {
            Some((_, r)) if r.trim_end_matches(')').parse::<i64>().is_ok() => {
                r.trim_end_matches(')').to_string()
            }
            Some((l, _)) if l.parse::<i64>().is_ok() => l.to_string(),
            _ => v.to_string(),
        }
    };
    format!("{} → {}", raw(&c.a), raw(&c.b))
}

fn with_cause<'n>(n: &'n Node, cause: &str) -> impl Iterator<Item = &'n Change> + 'n {
    let cause = cause.to_string();
    n.changes
        .iter()
        .filter(move |c| c.cause.as_deref() == Some(cause.as_str()))
}

fn is_content_field(f: &str) -> bool {
    f.starts_with("text.") || f.starts_with("binary.") || f.starts_with("elf.")
}

fn facts(n: &Node) -> Vec<Fact> {
    let mut out = Vec::new();
    for cause in CAUSES {
        if !n.causes.iter().any(|c| c == cause) {
            continue;
        }
        let changes: Vec<&Change> = with_cause(n, cause).collect();
        match cause {
            ADDED => out.push(fact(ADDED, "only in b", None)),
            REMOVED => out.push(fact(REMOVED, "only in a", None)),
            MTIME => {
                let c = changes
                    .iter()
                    .find(|c| c.field == "mtime")
                    .or(changes.first());
                out.push(fact(
                    MTIME,
                    "mtime differs",
                    c.and_then(|c| shift(c)).map(|s| format!("by {s}")),
                ));
            }
            EMBEDDED_TIMESTAMP | RANDOM_ID | BUILD_PATH | LOCALE | HOSTNAME_OR_KERNEL => {
                let (inside, header): (Vec<&Change>, Vec<&Change>) =
                    changes.iter().partition(|c| is_content_field(&c.field));
                let what = match cause {
                    EMBEDDED_TIMESTAMP => "date/time string replaced in content",
                    RANDOM_ID => "random identifier replaced in content",
                    BUILD_PATH => "build directory replaced in content",
                    LOCALE => "locale name replaced in content",
                    _ => "host or kernel name replaced in content",
                };
                if let Some(c) = inside.first() {
                    let detail = (cause == EMBEDDED_TIMESTAMP)
                        .then(|| shift(c))
                        .flatten()
                        .map(|s| format!("moved by {s}"));
                    out.push(fact(cause, what, detail));
                }
                for c in header {
                    let detail = if cause == EMBEDDED_TIMESTAMP {
                        shift(c).map(|s| format!("moved by {s}"))
                    } else {
                        None
                    };
                    let kind = if cause == EMBEDDED_TIMESTAMP {
                        format!("header date {}", c.field)
                    } else {
                        format!("{} regenerated", c.field)
                    };
                    out.push(fact(cause, kind, detail));
                }
                if changes.is_empty() {
                    out.push(fact(cause, what, None));
                }
            }
            ORDERING => {
                let kind = if changes
                    .iter()
                    .any(|c| c.field.ends_with(".order") && !c.field.starts_with("order"))
                {
                    "lines in another order (same multiset)"
                } else if n.kind.as_deref() == Some("dir")
                    || changes.iter().any(|c| c.field.starts_with("order."))
                    || n.format
                        .as_deref()
                        .is_some_and(|f| f.starts_with("fat") || f == "iso9660")
                {
                    "directory entries in another order"
                } else {
                    "archive members in another order"
                };
                out.push(fact(ORDERING, kind, None));
            }
            COMPRESSION_METADATA => {
                let detail = changes
                    .iter()
                    .map(|c| format!("{} {}", c.field, values(c)))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push(fact(
                    COMPRESSION_METADATA,
                    "compressed stream header differs, decoded content identical",
                    Some(detail),
                ));
            }
            BUILD_ID => {
                let names: Vec<&str> = changes
                    .iter()
                    .map(|c| c.field.trim_start_matches("elf.section."))
                    .collect();
                out.push(fact(
                    BUILD_ID,
                    "only the ELF build-id differs",
                    Some(names.join(", ")),
                ));
            }
            PERMISSIONS => {
                out.push(fact(
                    PERMISSIONS,
                    "mode differs",
                    changes.first().map(|c| values(c)),
                ));
            }
            OWNERSHIP => {
                let detail = changes
                    .iter()
                    .map(|c| format!("{} {}", c.field, values(c)))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push(fact(OWNERSHIP, "owner differs", Some(detail)));
            }
            PACKAGE_VERSION => {
                let (files, status): (Vec<&Change>, Vec<&Change>) =
                    changes.iter().partition(|c| super::is_package_file(c));
                for c in files {
                    let name = c.field.trim_start_matches("package.");
                    let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
                    out.push(fact(
                        PACKAGE_VERSION,
                        "files of a package whose version differs",
                        Some(format!("{name} {} → {}", v(&c.a), v(&c.b))),
                    ));
                }
                if status.is_empty() {
                    continue;
                }
                let (mut add, mut rem, mut chg) = (0, 0, 0);
                for c in &status {
                    match (&c.a, &c.b) {
                        (None, Some(_)) => add += 1,
                        (Some(_), None) => rem += 1,
                        _ => chg += 1,
                    }
                }
                out.push(fact(
                    PACKAGE_VERSION,
                    "installed package set differs",
                    Some(format!("{add} added, {rem} removed, {chg} version changed")),
                ));
            }
            CONSEQUENTIAL => {
                if !n.children.is_empty() {
                    out.push(fact(CONSEQUENTIAL, STRUCTURAL, None));
                }
                if changes.iter().any(|c| c.field.starts_with("checksum.")) {
                    out.push(fact(
                        CONSEQUENTIAL,
                        "checksum list lines of files that differ",
                        None,
                    ));
                }
                let derived = changes.iter().any(|c| {
                    !c.field.starts_with("checksum.")
                        && c.field != "size"
                        && !super::is_structural(super::last(&c.field))
                });
                if derived {
                    out.push(fact(
                        CONSEQUENTIAL,
                        "values derived from another difference (dates, ids, hashes)",
                        None,
                    ));
                }
                if n.children.is_empty()
                    && !derived
                    && !changes.iter().any(|c| c.field.starts_with("checksum."))
                {
                    out.push(fact(CONSEQUENTIAL, STRUCTURAL, None));
                }
            }
            _ => {
                let kind = if !changes.is_empty() && changes.iter().all(|c| c.field == "target") {
                    "symlink target differs"
                } else {
                    "content differs (no known cause)"
                };
                out.push(fact(CONTENT, kind, None));
            }
        }
    }
    out
}

fn rank(cause: &str) -> u8 {
    match cause {
        PACKAGE_VERSION => 0,
        CONSEQUENTIAL => 2,
        _ => 1,
    }
}

/// Addresses of a group, and the details merged into it.
type Members = (Vec<String>, Vec<String>);

/// Groups of the whole tree, most explaining first.
pub fn build(tree: &Node) -> Vec<Group> {
    let mut by_fact: BTreeMap<Fact, Vec<String>> = BTreeMap::new();
    tree.visit(&mut |n| {
        for f in facts(n) {
            by_fact.entry(f).or_default().push(n.address.clone());
        }
    });
    // Too many variants of one kind: one group listing a few of them.
    let mut variants: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
    for f in by_fact.keys() {
        *variants.entry((f.cause, f.kind.clone())).or_default() += 1;
    }
    let mut merged: BTreeMap<(&'static str, String), Members> = BTreeMap::new();
    for (f, addrs) in by_fact {
        let many = variants
            .get(&(f.cause, f.kind.clone()))
            .copied()
            .unwrap_or(0)
            > MAX_VARIANTS;
        let shape = match (&f.detail, many) {
            (Some(d), false) if !d.is_empty() => format!("{}: {d}", f.kind),
            _ => f.kind.clone(),
        };
        let e = merged.entry((f.cause, shape)).or_default();
        e.0.extend(addrs);
        if many {
            if let Some(d) = f.detail {
                e.1.push(d);
            }
        }
    }
    let mut groups: Vec<Group> = merged
        .into_iter()
        .map(|((cause, mut shape), (mut addresses, details))| {
            addresses.sort();
            addresses.dedup();
            if !details.is_empty() {
                let shown: Vec<&str> = details.iter().take(3).map(String::as_str).collect();
                shape.push_str(&format!(
                    " ({} variants: {}{})",
                    details.len(),
                    shown.join("; "),
                    if details.len() > 3 { "; …" } else { "" }
                ));
            }
            Group {
                cause: cause.to_string(),
                shape,
                count: addresses.len() as u64,
                addresses,
            }
        })
        .collect();
    name_common_mtimes(tree, &mut groups);
    groups.sort_by(|x, y| {
        (
            rank(&x.cause),
            std::cmp::Reverse(x.count),
            CAUSES.iter().position(|c| *c == x.cause),
            &x.shape,
        )
            .cmp(&(
                rank(&y.cause),
                std::cmp::Reverse(y.count),
                CAUSES.iter().position(|c| *c == y.cause),
                &y.shape,
            ))
    });
    groups
}

/// An mtime group whose shifts all differ is often one side stamping every
/// file with one time (the build's clock, not clamped to
/// `SOURCE_DATE_EPOCH`): name that time when it covers most members.
fn name_common_mtimes(tree: &Node, groups: &mut [Group]) {
    let mut mtimes: std::collections::HashMap<&str, (Option<&str>, Option<&str>)> =
        std::collections::HashMap::new();
    tree.visit(&mut |n| {
        if let Some(c) = n.changes.iter().find(|c| c.field == "mtime") {
            mtimes.insert(n.address.as_str(), (c.a.as_deref(), c.b.as_deref()));
        }
    });
    // Only groups whose shifts vary: a constant shift already says it all.
    for g in groups
        .iter_mut()
        .filter(|g| g.cause == MTIME && g.count >= 4 && g.shape.contains(" variants: "))
    {
        for (side, pick) in [("b", 1usize), ("a", 0)] {
            let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
            let mut seen = 0usize;
            for a in &g.addresses {
                if let Some(&(va, vb)) = mtimes.get(a.as_str()) {
                    seen += 1;
                    if let Some(v) = if pick == 1 { vb } else { va } {
                        *tally.entry(v).or_default() += 1;
                    }
                }
            }
            let Some((v, k)) = tally
                .into_iter()
                .max_by_key(|&(v, k)| (k, std::cmp::Reverse(v)))
            else {
                continue;
            };
            if seen >= 4 && k * 5 >= seen * 4 {
                g.shape = format!("mtime set to {v} in {side} ({k} of {seen} entries)");
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;

    fn mtime_node(address: &str, a: &str, b: &str) -> Node {
        let mut n = Node::new(address, Status::Modified);
        n.causes.push(MTIME.to_string());
        n.changes.push(Change {
            field: "mtime".into(),
            a: Some(a.into()),
            b: Some(b.into()),
            cause: Some(MTIME.into()),
        });
        n
    }

    #[test]
    fn unclamped_mtimes_are_named_by_the_common_time() {
        let mut root = Node::new("", Status::Modified);
        let stamp = "2026-11-25T03:25:19Z";
        for (i, a) in [
            "2021-04-10T20:00:00Z",
            "2018-03-03T03:03:03Z",
            "2019-07-09T10:05:50Z",
            "2015-08-17T15:32:01Z",
            "2022-10-18T20:22:48Z",
            "2020-01-01T00:00:00Z",
        ]
        .iter()
        .enumerate()
        {
            root.children.push(mtime_node(&format!("f{i}"), a, stamp));
        }
        let groups = build(&root);
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(
            groups[0].shape,
            format!("mtime set to {stamp} in b (6 of 6 entries)")
        );
        assert_eq!(groups[0].count, 6);
    }
}
