//! Groups: one cause and one shape ("mtime differs: +1d", "gzip header
//! differs: gzip.mtime 0 → 1700003600") with every address they explain, so
//! thousands of nodes with the same root cause read as one line.
//!
//! Diagnosis stage (engine → report): built from the settled node causes and
//! the causes of their field changes; presenters print them first.

use std::collections::{BTreeMap, HashMap};

use super::time;
use super::*;
use crate::report::{Group, Node, Status, TIMEOUT};

/// Containers, sizes and offsets that differ only because what they hold does.
const STRUCTURAL: &str = "containers, sizes and offsets following their members";

/// Details of one (cause, kind) shown separately up to this many; beyond,
/// they merge into one group (thousands of unclamped mtimes are one cause).
const MAX_VARIANTS: usize = 3;

/// One reason a node is in a group: cause, the kind of difference, and a
/// detail (values, shift) that splits groups while variants are few.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Fact {
    cause: Cause,
    kind: String,
    detail: Option<String>,
}

fn fact(cause: Cause, kind: impl Into<String>, detail: Option<String>) -> Fact {
    Fact {
        cause,
        kind: kind.into(),
        detail,
    }
}

fn shift(c: &Change) -> Option<String> {
    let (a, b) = super::instants(c)?;
    Some(time::fmt_delta(b - a))
}

fn values(c: &Change) -> String {
    // A time reads best as its raw number in a one-line shape.
    let raw = |v: &Option<Value>| match v {
        None => "(none)".to_string(),
        Some(Value::Unset(n)) => n.to_string(),
        Some(v) => match v.as_time() {
            Some(t) => t.secs.to_string(),
            None => v.to_string(),
        },
    };
    format!("{} → {}", raw(&c.a), raw(&c.b))
}

fn with_cause(n: &Node, cause: Cause) -> impl Iterator<Item = &Change> + '_ {
    n.changes.iter().filter(move |c| c.cause == Some(cause))
}

fn facts(n: &Node) -> Vec<Fact> {
    use Cause::*;
    let mut out = Vec::new();
    for cause in Cause::ALL {
        if !n.causes.contains(&cause) {
            continue;
        }
        let changes: Vec<&Change> = with_cause(n, cause).collect();
        match cause {
            Added => out.push(fact(Added, "only in b", None)),
            SourceDateEpoch => {
                // One fact per move: the newest changelog entry's dates.
                let c = changes.first();
                out.push(fact(
                    SourceDateEpoch,
                    "times clamped to SOURCE_DATE_EPOCH, the newest changelog entry's date",
                    c.map(|c| {
                        let t = |v: &Option<Value>| {
                            v.as_ref()
                                .and_then(|v| v.as_time())
                                .map_or_else(|| "?".into(), |t| t.to_string())
                        };
                        format!("{} → {}", t(&c.a), t(&c.b))
                    }),
                ));
            }
            Removed => out.push(fact(Removed, "only in a", None)),
            Mtime => {
                // Metadata times come first: the mtime when it changed.
                let c = changes.first();
                out.push(fact(
                    Mtime,
                    "mtime differs",
                    c.and_then(|c| shift(c)).map(|s| format!("by {s}")),
                ));
            }
            EmbeddedTimestamp | RandomId | BuildPath | Locale | HostnameOrKernel => {
                // A finding holding a header's own time (a PE leaf's
                // TimeDateStamp) is a header date, not a string in content.
                let header_time = |c: &Change| {
                    matches!(c.a, Some(Value::Epoch(_) | Value::Unset(_)))
                        || matches!(c.b, Some(Value::Epoch(_) | Value::Unset(_)))
                };
                let (inside, header): (Vec<&Change>, Vec<&Change>) = changes
                    .iter()
                    .partition(|c| c.role == Role::Finding && !header_time(c));
                let what = match cause {
                    EmbeddedTimestamp => "date/time string replaced in content",
                    RandomId => "random identifier replaced in content",
                    BuildPath => "build directory replaced in content",
                    Locale => "locale name replaced in content",
                    _ => "host or kernel name replaced in content",
                };
                if let Some(c) = inside.first() {
                    let detail = (cause == EmbeddedTimestamp)
                        .then(|| shift(c))
                        .flatten()
                        .map(|s| format!("moved by {s}"));
                    out.push(fact(cause, what, detail));
                }
                for c in header {
                    let detail = if cause == EmbeddedTimestamp {
                        shift(c).map(|s| format!("moved by {s}"))
                    } else {
                        None
                    };
                    let kind = if cause == EmbeddedTimestamp {
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
            Ordering => {
                // Lines are a finding of content; member orders come from
                // the engine, which names the directory of a per-directory one.
                let kind = if changes.iter().any(|c| c.role == Role::Finding) {
                    "lines in another order (same multiset)"
                } else if n.kind == Some(crate::report::Kind::Dir)
                    || changes.iter().any(|c| c.subject.is_some())
                {
                    "directory entries in another order"
                } else {
                    "archive members in another order"
                };
                out.push(fact(Ordering, kind, None));
            }
            CompressionMetadata => {
                // Found in content (an image re-encoded, or its metadata
                // changed): named by field, as their values (stream sizes)
                // differ from file to file.
                let (found, header): (Vec<&Change>, Vec<&Change>) =
                    changes.iter().partition(|c| c.role == Role::Finding);
                if !found.is_empty() {
                    let mut fields: Vec<&str> = found.iter().map(|c| c.field.as_str()).collect();
                    fields.dedup();
                    out.push(fact(
                        CompressionMetadata,
                        "encoding or metadata differs, decoded content identical",
                        Some(fields.join(", ")),
                    ));
                    if header.is_empty() {
                        continue;
                    }
                }
                let detail = header
                    .iter()
                    .map(|c| format!("{} {}", c.field, values(c)))
                    .collect::<Vec<_>>()
                    .join(", ");
                // Said of the decoded content only when nothing in it
                // differs: no member, and no finding in the node's own bytes.
                let decoded_same = n.children.iter().all(|c| c.status == Status::Identical)
                    && !n.causes.contains(&Content)
                    && !n
                        .changes
                        .iter()
                        .any(|c| c.role == Role::Finding && c.cause != Some(CompressionMetadata));
                out.push(fact(
                    CompressionMetadata,
                    if decoded_same {
                        "compressed stream header differs, decoded content identical"
                    } else {
                        "compressed stream header differs"
                    },
                    Some(detail),
                ));
            }
            BuildId => {
                let names: Vec<&str> = changes
                    .iter()
                    .map(|c| c.subject.as_deref().unwrap_or(&c.field))
                    .collect();
                out.push(fact(
                    BuildId,
                    "only the ELF build-id differs",
                    Some(names.join(", ")),
                ));
            }
            Permissions => {
                out.push(fact(
                    Permissions,
                    "mode differs",
                    changes.first().map(|c| values(c)),
                ));
            }
            Ownership => {
                let detail = changes
                    .iter()
                    .map(|c| format!("{} {}", c.field, values(c)))
                    .collect::<Vec<_>>()
                    .join(", ");
                out.push(fact(Ownership, "owner differs", Some(detail)));
            }
            PackageVersion => {
                let (inputs, changes): (Vec<&Change>, Vec<&Change>) =
                    changes.iter().partition(|c| c.role == Role::Input);
                if !inputs.is_empty() {
                    out.push(fact(PackageVersion, INPUTS, Some(inputs_summary(&inputs))));
                }
                let (files, rest): (Vec<&Change>, Vec<&Change>) =
                    changes.iter().partition(|c| super::is_package_file(c));
                let (status, own): (Vec<&Change>, Vec<&Change>) =
                    rest.into_iter().partition(|c| c.role == Role::Installed);
                // A package's own version: its control stanza, a changelog
                // entry only one side has (named by its version).
                for c in own {
                    // Findings that name what the text was made from (a
                    // man page's documented program is its subject too):
                    // told by their field first, named by both versions.
                    let made_from = [
                        (
                            generator::DOCUMENTS,
                            "a man page documents another version of its program",
                        ),
                        (
                            generator::REVISION,
                            "a text names another revision of its source file",
                        ),
                        (
                            generator::BUNDLED,
                            "a text bundles another version of a library",
                        ),
                    ];
                    if let Some(&(_, kind)) = made_from.iter().find(|(f, _)| c.field == *f) {
                        out.push(fact(PackageVersion, kind, Some(values(c))));
                        continue;
                    }
                    let kind = match c.field.as_str() {
                        _ if c.subject.is_some() => "changelog entry only one side has",
                        "control.Version" | "control.Source" => {
                            "the package's own version differs"
                        }
                        f if f.starts_with("control.") => {
                            "its dependencies differ (versions of the packages it was built against, or the packaging of another version)"
                        }
                        f if f.starts_with("changelog.") => "changelog entries only one side has",
                        _ if c.role == Role::LinkTarget => {
                            "a symbolic link's target names the package's version"
                        }
                        _ => "a package's version differs",
                    };
                    let detail = c.subject.clone().unwrap_or_else(|| values(c));
                    out.push(fact(PackageVersion, kind, Some(detail)));
                }
                for c in files {
                    let name = c.subject.as_deref().unwrap_or("?");
                    let v = |v: &Option<Value>| {
                        v.as_ref()
                            .map_or_else(|| "(none)".into(), |v| v.to_string())
                    };
                    out.push(fact(
                        PackageVersion,
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
                    PackageVersion,
                    "installed package set differs",
                    Some(format!("{add} added, {rem} removed, {chg} version changed")),
                ));
            }
            Renamed => {
                let detail = changes.iter().map(|c| values(c)).next();
                out.push(fact(Renamed, "the same entry under another name", detail));
            }
            Toolchain => {
                // The same sections laid out otherwise: another linker, or
                // in an object, another compiler.
                let layouts = [
                    (
                        super::elf::LAYOUT,
                        "the same sections in another order (another linker's layout)",
                    ),
                    (
                        super::elf::OBJECT_LAYOUT,
                        "an object's sections in another order (another compiler's output)",
                    ),
                ];
                let layout = |c: &Change| layouts.iter().any(|(f, _)| c.field == *f);
                for (field, kind) in layouts {
                    if let Some(c) = changes.iter().find(|c| c.field == field) {
                        out.push(fact(Toolchain, kind, Some(values(c))));
                    }
                }
                if changes.iter().all(|c| layout(c)) {
                    continue;
                }
                // Several entries or sections saying the same once.
                let mut shown: Vec<String> = Vec::new();
                for v in changes
                    .iter()
                    .filter(|c| !layout(c))
                    .map(|c| match (&c.subject, c.role) {
                        // A build input names its package: `gcc-12 12.2.0-14 → 12.2.0-15`.
                        (Some(p), Role::Input) => format!("{p} {}", values(c)),
                        _ => values(c),
                    })
                {
                    if !shown.contains(&v) {
                        shown.push(v);
                    }
                }
                let detail = shown.join(", ");
                out.push(fact(
                    Toolchain,
                    "another compiler or tool version",
                    Some(detail),
                ));
            }
            Consequential => {
                if !n.children.is_empty() {
                    out.push(fact(Consequential, STRUCTURAL, None));
                }
                let checksums = changes.iter().any(|c| c.role == Role::Checksum);
                if checksums {
                    out.push(fact(
                        Consequential,
                        "checksum list lines of files that differ",
                        None,
                    ));
                }
                let lists = changes.iter().any(|c| c.field == super::LISTED_ENTRIES);
                if lists {
                    out.push(fact(
                        Consequential,
                        "file lists naming entries only one side has",
                        None,
                    ));
                }
                let renames = changes.iter().any(|c| c.field == super::RENAMED_ENTRIES);
                if renames {
                    out.push(fact(
                        Consequential,
                        "texts naming renamed entries by their new names",
                        None,
                    ));
                }
                // Code another toolchain compiled: follows the evidence of
                // that change (a `.comment`, the package's libc6 dependency).
                let output = |c: &Change, kind: ToolchainOutput| {
                    super::toolchain_output(&c.field) == Some(kind) && !c.follows.is_empty()
                };
                let follows_toolchain = |c: &Change| output(c, ToolchainOutput::Code);
                let code: Vec<&&Change> = changes.iter().filter(|c| follows_toolchain(c)).collect();
                if let Some(c) = code.first() {
                    out.push(fact(
                        Consequential,
                        "compiled code differs after the toolchain change",
                        c.follows.first().cloned(),
                    ));
                }
                // Documents another version of their generator marked up
                // otherwise, in a package whose toolchain changed.
                let remarked = |c: &Change| output(c, ToolchainOutput::Document);
                if let Some(c) = changes.iter().find(|c| remarked(c)) {
                    out.push(fact(
                        Consequential,
                        "generated documents written otherwise after the toolchain change",
                        c.follows.first().cloned(),
                    ));
                }
                // Scripts whose interpreter line the installing tool of
                // another version wrote otherwise.
                let respaced = |c: &Change| output(c, ToolchainOutput::Script);
                if let Some(c) = changes.iter().find(|c| respaced(c)) {
                    out.push(fact(
                        Consequential,
                        "scripts' interpreter lines written otherwise after the toolchain change",
                        c.follows.first().cloned(),
                    ));
                }
                // Maintainer script snippets another version of the tools
                // that add them wrote otherwise.
                let added = |c: &Change| output(c, ToolchainOutput::Snippet);
                if let Some(c) = changes.iter().find(|c| added(c)) {
                    out.push(fact(
                        Consequential,
                        "maintainer script snippets written otherwise after the toolchain change",
                        c.follows.first().cloned(),
                    ));
                }
                // Files stored as copies or as links to the same bytes
                // otherwise, and what says so again on the same entry.
                let linked = |c: &Change| {
                    output(c, ToolchainOutput::Linked)
                        || c.follows
                            .iter()
                            .any(|f| f == crate::engine::links::LINKED_COPY)
                };
                if let Some(c) = changes.iter().find(|c| output(c, ToolchainOutput::Linked)) {
                    out.push(fact(
                        Consequential,
                        "files stored as copies or as symbolic links to the same bytes otherwise after the toolchain change",
                        c.follows.first().cloned(),
                    ));
                }
                // Texts and link targets naming the other interpreter
                // version the package's extensions were built for.
                let interpreter = |c: &Change| {
                    c.follows
                        .iter()
                        .any(|f| f.ends_with(super::python::FOLLOWS_ABI))
                };
                if let Some(c) = changes.iter().find(|c| interpreter(c)) {
                    out.push(fact(
                        Consequential,
                        "files naming the Python version the package's extensions were built for",
                        c.follows.first().cloned(),
                    ));
                }
                let derived = changes.iter().any(|c| {
                    !follows_toolchain(c)
                        && !interpreter(c)
                        && c.field != super::LISTED_ENTRIES
                        && c.field != super::RENAMED_ENTRIES
                        && !remarked(c)
                        && !respaced(c)
                        && !linked(c)
                        && !matches!(
                            c.role,
                            Role::Checksum
                                | Role::Size
                                | Role::Structure
                                | Role::Location
                                | Role::SameData
                        )
                });
                if derived {
                    out.push(fact(
                        Consequential,
                        "values derived from another difference (dates, ids, hashes)",
                        None,
                    ));
                }
                // A leaf whose size alone follows: its container's kind of
                // consequence. One that follows a toolchain change is in
                // that change's group already.
                let follows_output = changes.iter().any(|c| {
                    super::toolchain_output(&c.field).is_some() && !c.follows.is_empty()
                        || interpreter(c)
                });
                if n.children.is_empty()
                    && !derived
                    && !checksums
                    && !lists
                    && !renames
                    && !follows_output
                {
                    out.push(fact(Consequential, STRUCTURAL, None));
                }
            }
            Content => {
                let cut = matches!(&n.diff, Some(Diff::Hash { reason, .. }) if reason == TIMEOUT);
                let kind = if cut {
                    // Unexplained only because it was not looked into: not
                    // to be mixed with what was compared and found unknown.
                    "content not compared: the comparison reached its deadline (timeout)"
                } else if !changes.is_empty() && changes.iter().all(|c| c.role == Role::LinkTarget)
                {
                    "symlink target differs"
                } else if changes.iter().any(|c| c.field == super::LANGUAGE_TAGS) {
                    "language tags written in another syntax, the same languages (xml:lang)"
                } else if changes.iter().any(|c| c.field == super::SHEBANG) {
                    "a script's interpreter line written otherwise (the space after #!)"
                } else if changes
                    .iter()
                    .any(|c| c.field == crate::engine::links::LINKED_COPY)
                {
                    "a file on one side, a symbolic link to the same bytes on the other"
                } else {
                    "content differs (no known cause)"
                };
                out.push(fact(Content, kind, None));
            }
        }
    }
    out
}

/// What the build was made from comes first, then the packages those
/// inputs changed, then everything else, and what follows last.
fn rank(g: &Group) -> u8 {
    match g.cause {
        Cause::PackageVersion if g.shape.starts_with(INPUTS) => 0,
        Cause::PackageVersion => 1,
        Cause::Consequential => 3,
        _ => 2,
    }
}

/// The kind of the group of build inputs (manifest, package list,
/// `.buildinfo`) that differ.
const INPUTS: &str = "build inputs differ";

/// "binary packages: 4 changed version; source packages: 3 changed
/// version, 1 added; debian-security snapshot 2024120101 → 2024120301".
fn inputs_summary(inputs: &[&Change]) -> String {
    // set → (changed, added, removed), in the order first met.
    let mut sets: Vec<(&str, [usize; 3])> = Vec::new();
    let mut snapshots = Vec::new();
    for c in inputs {
        if c.field.starts_with(super::inputs::SNAPSHOT) {
            let v = |v: &Option<Value>| {
                v.as_ref()
                    .map_or_else(|| "(none)".into(), |v| v.to_string())
            };
            let archive = c.subject.as_deref().unwrap_or("?");
            snapshots.push(format!("{archive} snapshot {} → {}", v(&c.a), v(&c.b)));
            continue;
        }
        let set = c
            .field
            .strip_prefix("inputs.")
            .and_then(|f| f.split('.').next())
            .unwrap_or("?");
        let k = match (&c.a, &c.b) {
            (None, Some(_)) => 1,
            (Some(_), None) => 2,
            _ => 0,
        };
        match sets.iter_mut().find(|(s, _)| *s == set) {
            Some((_, n)) => n[k] += 1,
            None => {
                let mut n = [0; 3];
                n[k] = 1;
                sets.push((set, n));
            }
        }
    }
    let mut parts: Vec<String> = sets
        .iter()
        .map(|(set, n)| {
            let said: Vec<String> = ["changed version", "added", "removed"]
                .iter()
                .zip(n)
                .filter(|(_, n)| **n > 0)
                .map(|(w, n)| format!("{n} {w}"))
                .collect();
            let label = if *set == "packages" {
                "packages".to_string()
            } else {
                format!("{set} packages")
            };
            format!("{label}: {}", said.join(", "))
        })
        .collect();
    parts.extend(snapshots);
    parts.join("; ")
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
    let mut variants: BTreeMap<(Cause, String), usize> = BTreeMap::new();
    for f in by_fact.keys() {
        *variants.entry((f.cause, f.kind.clone())).or_default() += 1;
    }
    let mut merged: BTreeMap<(Cause, String), Members> = BTreeMap::new();
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
                cause,
                shape,
                count: addresses.len() as u64,
                representative: None,
                addresses,
            }
        })
        .collect();
    name_common_mtimes(tree, &mut groups);
    groups.sort_by(|x, y| {
        (rank(x), std::cmp::Reverse(x.count), x.cause, &x.shape).cmp(&(
            rank(y),
            std::cmp::Reverse(y.count),
            y.cause,
            &y.shape,
        ))
    });
    let mut nodes: HashMap<&str, &Node> = HashMap::new();
    tree.visit(&mut |n| {
        nodes.insert(n.address.as_str(), n);
    });
    for g in &mut groups {
        g.representative = representative(&g.addresses, g.cause, &nodes).map(|n| n.address.clone());
    }
    groups
}

/// The member best showing a group: first one whose only cause is the
/// group's (so a diff shown is of that cause, not of another difference
/// the member also has), then any with a change of that cause; leaves with
/// a content diff first within each.
fn representative<'r>(
    addrs: &[String],
    cause: Cause,
    nodes: &HashMap<&str, &'r Node>,
) -> Option<&'r Node> {
    let with_cause = |n: &&Node| n.changes.iter().any(|c| c.cause == Some(cause));
    let pure = |n: &&Node| with_cause(n) && n.causes.iter().all(|&c| c == cause);
    let mut candidates: Vec<&Node> = addrs
        .iter()
        .filter_map(|a| nodes.get(a.as_str()).copied())
        .collect();
    // The entry holding shared data shows it, not another name of it.
    candidates.sort_by_key(|n| n.changes.iter().any(|c| c.role == Role::SameData));
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

/// An mtime group whose shifts all differ is often one side stamping every
/// file with one time (the build's clock, not clamped to
/// `SOURCE_DATE_EPOCH`): name that time when it covers most members.
fn name_common_mtimes(tree: &Node, groups: &mut [Group]) {
    // Each node's first entry time of cause mtime (its mtime, when that changed).
    let mut mtimes: HashMap<&str, (Option<String>, Option<String>)> = HashMap::new();
    tree.visit(&mut |n| {
        let first = n.changes.iter().find(|c| c.cause == Some(Cause::Mtime));
        if let Some(c) = first.filter(|c| c.role == Role::EntryTime) {
            let shown = |v: &Option<Value>| v.as_ref().map(|v| v.to_string());
            mtimes.insert(n.address.as_str(), (shown(&c.a), shown(&c.b)));
        }
    });
    // Only groups whose shifts vary: a constant shift already says it all.
    for g in groups
        .iter_mut()
        .filter(|g| g.cause == Cause::Mtime && g.count >= 4 && g.shape.contains(" variants: "))
    {
        for (side, pick) in [("b", 1usize), ("a", 0)] {
            let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
            let mut seen = 0usize;
            for a in &g.addresses {
                if let Some((va, vb)) = mtimes.get(a.as_str()) {
                    seen += 1;
                    if let Some(v) = if pick == 1 { vb } else { va } {
                        *tally.entry(v.as_str()).or_default() += 1;
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

    fn mtime_node(address: &str, a: i64, b: i64) -> Node {
        let mut n = Node::new(address, Status::Modified);
        n.causes.push(Cause::Mtime);
        let mut c = Change::new(
            "mtime",
            Role::EntryTime,
            Some(Value::utc(a)),
            Some(Value::utc(b)),
        );
        c.cause = Some(Cause::Mtime);
        n.changes.push(c);
        n
    }

    #[test]
    fn unclamped_mtimes_are_named_by_the_common_time() {
        let mut root = Node::new("", Status::Modified);
        let stamp = "2026-11-25T03:25:19Z";
        for (i, a) in [
            1_618_084_800,
            1_520_046_183,
            1_562_666_750,
            1_439_825_521,
            1_666_124_568,
            1_577_836_800,
        ]
        .iter()
        .enumerate()
        {
            root.children
                .push(mtime_node(&format!("f{i}"), *a, 1_795_577_119));
        }
        let groups = build(&root);
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(
            groups[0].shape,
            format!("mtime set to {stamp} in b (6 of 6 entries)")
        );
        assert_eq!(groups[0].count, 6);
    }

    /// The shapes of the groups of a tree holding one leaf at `address`
    /// with `cause` and `changes`.
    fn one_leaf_shapes(address: &str, cause: Cause, changes: Vec<Change>) -> Vec<String> {
        let mut root = Node::new("", Status::Modified);
        let mut leaf = Node::new(address, Status::Modified);
        leaf.causes.push(cause);
        leaf.changes = changes;
        root.children.push(leaf);
        build(&root).into_iter().map(|g| g.shape).collect()
    }

    /// A man page that documents another version of its program is
    /// grouped as that, named by both versions, not as a changelog entry
    /// (both findings name a subject).
    #[test]
    fn a_documented_version_is_not_a_changelog_entry() {
        let mut c = Change::finding(
            crate::diagnose::generator::DOCUMENTS,
            Value::text("GNU coreutils 9.7"),
            Value::text("GNU coreutils 9.1"),
            Cause::PackageVersion,
        );
        c.subject = Some("GNU coreutils".into());
        let shapes = one_leaf_shapes(
            "usr/share/man/pl/man1/ls.1.gz::<content>",
            Cause::PackageVersion,
            vec![c],
        );
        assert_eq!(
            shapes,
            ["a man page documents another version of its program: GNU coreutils 9.7 → GNU coreutils 9.1"],
        );
    }

    /// A generated page written otherwise after a toolchain change is in
    /// that change's group only, not also among containers and sizes that
    /// follow their members (its size follows the page).
    #[test]
    fn a_leaf_following_a_toolchain_change_is_in_that_group_alone() {
        let mut size = Change::new(
            "size",
            Role::Size,
            Some(Value::Int(100)),
            Some(Value::Int(90)),
        );
        size.cause = Some(Cause::Consequential);
        let mut template = Change::finding(
            crate::diagnose::generator::TEMPLATE,
            Value::text("a style sheet of a Sphinx theme"),
            Value::text("other text from the same template"),
            Cause::Consequential,
        );
        template.follows = vec!["changelog.Debian.gz::<content>: changelog.rebuild".into()];
        let shapes = one_leaf_shapes(
            "html/_static/basic.css",
            Cause::Consequential,
            vec![size, template],
        );
        assert_eq!(shapes.len(), 1, "{shapes:?}");
        assert!(
            shapes[0]
                .starts_with("generated documents written otherwise after the toolchain change"),
            "{shapes:?}"
        );
    }
}
