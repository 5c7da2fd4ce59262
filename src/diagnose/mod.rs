//! Diagnosis: says WHY two builds differ. Every differing node of the report
//! gets causes from a fixed vocabulary (`mtime`, `embedded-timestamp`,
//! `ordering`…, see `report/SCHEMA.md`), each field change its own
//! cause, and nodes with one cause and one shape collapse into the report's
//! `groups` ("mtime differs by +1d: 4,812 nodes").
//!
//! Flow: bytes → formats → engine → **diagnosis** → report → presenters. The
//! engine calls [`classify_leaf`] while both sides' bytes of a differing leaf
//! are at hand (text masks, ELF sections, dpkg database), then [`diagnose`]
//! once on the finished report: field causes, consequential marks (checksum
//! lists, containers, derived header values), node causes, counts, groups.

pub mod dpkg;
pub mod elf;
pub mod groups;
pub mod text;
pub mod time;

use std::collections::{BTreeMap, HashSet};

use crate::report::{Change, Diff, Node, Report, Status};

pub const MTIME: &str = "mtime";
pub const EMBEDDED_TIMESTAMP: &str = "embedded-timestamp";
pub const BUILD_PATH: &str = "build-path";
pub const ORDERING: &str = "ordering";
pub const COMPRESSION_METADATA: &str = "compression-metadata";
pub const BUILD_ID: &str = "build-id";
pub const PERMISSIONS: &str = "permissions";
pub const OWNERSHIP: &str = "ownership";
pub const RANDOM_ID: &str = "random-id";
pub const LOCALE: &str = "locale";
pub const HOSTNAME_OR_KERNEL: &str = "hostname-or-kernel";
pub const CONSEQUENTIAL: &str = "consequential";
pub const PACKAGE_VERSION: &str = "package-version";
pub const ADDED: &str = "added";
pub const REMOVED: &str = "removed";
pub const CONTENT: &str = "content";

/// Every cause, in the order they are documented.
pub const CAUSES: [&str; 16] = [
    MTIME,
    EMBEDDED_TIMESTAMP,
    BUILD_PATH,
    ORDERING,
    COMPRESSION_METADATA,
    BUILD_ID,
    PERMISSIONS,
    OWNERSHIP,
    RANDOM_ID,
    LOCALE,
    HOSTNAME_OR_KERNEL,
    CONSEQUENTIAL,
    PACKAGE_VERSION,
    ADDED,
    REMOVED,
    CONTENT,
];

/// Leaves larger than this are not scanned (the masks are linear, but a
/// multi-gigabyte leaf is better left to its hash diff).
const MAX_CLASSIFY_BYTES: usize = 64 << 20;

/// Binary ranges kept when ELF sections already explain the difference.
const EXPLAINED_RANGES: usize = 4;

/// Field prefixes of changes made from leaf content, not from metadata.
const LEAF_FIELDS: [&str; 5] = ["text.", "elf.", "binary.", "checksum.", "dpkg."];

fn is_leaf_field(f: &str) -> bool {
    LEAF_FIELDS.iter().any(|p| f.starts_with(p))
}

/// Explains one differing leaf from both sides' bytes: appends changes with
/// causes to `node.changes` (`text.timestamp`, `elf.section.<name>`,
/// `checksum.<path>`, `dpkg.<package>`…) and trims binary ranges the
/// changes already explain. Causes of the node are settled by [`diagnose`].
pub fn classify_leaf(address: &str, a: &[u8], b: &[u8], node: &mut Node) {
    if a == b || a.len().max(b.len()) > MAX_CLASSIFY_BYTES {
        return;
    }
    if dpkg::is_status(address) {
        node.changes.extend(dpkg::compare(a, b));
        return;
    }
    if reprodiff_formats::elf::is_elf(a) && reprodiff_formats::elf::is_elf(b) {
        if let Some(changes) = elf::classify(a, b) {
            let explained =
                !changes.is_empty() && changes.iter().all(|c| c.cause.as_deref() != Some(CONTENT));
            node.changes.extend(changes);
            if explained {
                if let Some(Diff::Binary {
                    ranges, truncated, ..
                }) = node.diff.as_mut()
                {
                    if ranges.len() > EXPLAINED_RANGES {
                        ranges.truncate(EXPLAINED_RANGES);
                        *truncated = true;
                    }
                }
            }
            return;
        }
    }
    let is_text = matches!(node.diff, Some(Diff::Text { .. }));
    let prefix = if is_text { "text" } else { "binary" };
    let ex = text::explain(a, b, prefix, is_text);
    let any = !ex.changes.is_empty();
    node.changes.extend(ex.changes);
    if ex.unexplained && any {
        node.changes.push(Change {
            field: format!("{prefix}.other"),
            a: Some("other differences".to_string()),
            b: Some("not explained".to_string()),
            cause: Some(CONTENT.to_string()),
        });
    }
}

/// Header date changes of a container: (a, b) epochs.
fn header_dates(n: &Node) -> Vec<(i64, i64)> {
    n.changes
        .iter()
        .filter(|c| {
            c.field.contains('.') && !is_entry_time(&c.field) && is_date_name(last(&c.field))
        })
        .filter_map(|c| {
            Some((
                time::parse_value(c.a.as_deref()?)?,
                time::parse_value(c.b.as_deref()?)?,
            ))
        })
        .collect()
}

fn last(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

fn is_date_name(l: &str) -> bool {
    l.ends_with("_date") || l.ends_with("_time") || l == "date" || l == "timestamp"
}

fn is_entry_time(field: &str) -> bool {
    matches!(field, "mtime" | "atime" | "ctime" | "crtime")
        || matches!(
            field,
            "iso.date" | "ar.date" | "tar.mtime" | "cpio.mtime" | "rockridge.root.mtime"
        )
        || (field.starts_with("fat.") && (field.ends_with("time") || field.ends_with("date")))
        || field == "zip.dos_time"
}

fn is_structural(l: &str) -> bool {
    l.ends_with("_start")
        || l.ends_with("_offset")
        || l.ends_with("_lba")
        || l.ends_with("_count")
        || l.ends_with("_size")
        || l.ends_with("_len")
        || l.ends_with("_crc")
        || l.ends_with("_ok")
        || l.starts_with("no_")
        || matches!(
            l,
            "bytes_used"
                | "root_inode"
                | "inodes"
                | "size"
                | "count"
                | "crc"
                | "checksum"
                | "lba"
                | "blocks"
                | "length"
                | "offset"
                | "len"
        )
}

/// The cause of one field change, given the other changes of its node and
/// the header dates of the container it sits in.
fn field_cause(c: &Change, node: &Node, parent_dates: &[(i64, i64)]) -> &'static str {
    let f = c.field.as_str();
    let l = last(f);
    let changed = |name: &str| node.changes.iter().any(|x| x.field == name);
    let stream = ["gzip.", "xz.", "zstd.", "bzip2.", "lz4."];
    // `order`: members or directory entries; `order.<dir>`: a directory
    // with no node of its own.
    if f == "order" || f.starts_with("order.") {
        return ORDERING;
    }
    if f == "mode" || f.ends_with(".mode") {
        return PERMISSIONS;
    }
    if matches!(f, "uid" | "gid" | "user" | "group")
        || matches!(l, "uid" | "gid" | "uname" | "gname")
    {
        return OWNERSHIP;
    }
    if stream.iter().any(|p| f.starts_with(p)) {
        return COMPRESSION_METADATA;
    }
    // How a ZIP member was packed, not what it holds.
    if matches!(
        f,
        "zip.method"
            | "zip.flags"
            | "zip.version_made_by"
            | "zip.version_needed"
            | "zip.extra"
            | "zip.local_extra"
    ) {
        return COMPRESSION_METADATA;
    }
    if f == "zip.external_attr" {
        return if changed("mode") {
            CONSEQUENTIAL
        } else {
            PERMISSIONS
        };
    }
    if is_entry_time(f) {
        // A time equal to the container's changed volume date on both sides
        // was derived from it (xorriso dates the boot catalog that way).
        let pair =
            c.a.as_deref()
                .and_then(time::parse_value)
                .zip(c.b.as_deref().and_then(time::parse_value));
        if pair.is_some_and(|p| parent_dates.contains(&p)) {
            return CONSEQUENTIAL;
        }
        return MTIME;
    }
    if f == "size" {
        return CONSEQUENTIAL;
    }
    if f == "target" {
        let paths = [c.a.as_deref().unwrap_or(""), c.b.as_deref().unwrap_or("")];
        let ex = text::explain(paths[0].as_bytes(), paths[1].as_bytes(), "target", false);
        if !ex.unexplained
            && ex
                .changes
                .iter()
                .all(|x| x.cause.as_deref() == Some(BUILD_PATH))
        {
            return BUILD_PATH;
        }
        return CONTENT;
    }
    if let Some(rest) = f.strip_prefix("svd.") {
        let mirror = node
            .changes
            .iter()
            .any(|x| x.field == format!("pvd.{rest}") && x.a == c.a && x.b == c.b);
        if mirror {
            return CONSEQUENTIAL;
        }
    }
    if l.contains("guid") || l.contains("uuid") {
        // Partition GUIDs derived from a changed disk GUID (xorriso).
        if f != "gpt.disk_guid" && changed("gpt.disk_guid") {
            return CONSEQUENTIAL;
        }
        return RANDOM_ID;
    }
    if l == "disk_signature" {
        let derived = node
            .changes
            .iter()
            .any(|x| x.field.ends_with("modification_date") || x.field == "gpt.disk_guid");
        return if derived { CONSEQUENTIAL } else { RANDOM_ID };
    }
    if l.contains("serial") || l == "machine_id" || l == "volume_id_number" {
        return RANDOM_ID;
    }
    if is_date_name(l) || l.ends_with("mtime") {
        return EMBEDDED_TIMESTAMP;
    }
    if is_structural(l) {
        return CONSEQUENTIAL;
    }
    CONTENT
}

/// Paths a checksum list names, as addresses of the list's siblings.
fn sibling_address(list: &str, path: &str) -> String {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    match list.rfind("::") {
        Some(i) => format!("{}::{path}", &list[..i]),
        None => path.to_string(),
    }
}

fn push_cause(causes: &mut Vec<String>, c: &str) {
    if !causes.iter().any(|x| x == c) {
        causes.push(c.to_string());
    }
}

fn annotate(n: &mut Node, parent_dates: &[(i64, i64)], differing: &HashSet<String>) {
    let own_dates = header_dates(n);
    for i in 0..n.changes.len() {
        let c = &n.changes[i];
        if c.cause.is_some() && !c.field.starts_with("checksum.") {
            continue;
        }
        let cause = if let Some(path) = c.field.strip_prefix("checksum.") {
            if differing.contains(&sibling_address(&n.address, path)) {
                CONSEQUENTIAL
            } else {
                CONTENT
            }
        } else {
            field_cause(c, n, parent_dates)
        };
        n.changes[i].cause = Some(cause.to_string());
    }
    for c in n.children.iter_mut() {
        annotate(c, &own_dates, differing);
    }
    let mut causes: Vec<String> = Vec::new();
    match n.status {
        Status::Added => push_cause(&mut causes, ADDED),
        Status::Removed => push_cause(&mut causes, REMOVED),
        _ => {}
    }
    for c in &n.changes {
        if c.field == "size" {
            continue;
        }
        if let Some(x) = &c.cause {
            push_cause(&mut causes, x);
        }
    }
    if n.diff.is_some() && !n.changes.iter().any(|c| is_leaf_field(&c.field)) {
        push_cause(&mut causes, CONTENT);
    }
    if !n.children.is_empty() || n.causes.iter().any(|c| c == CONSEQUENTIAL) {
        push_cause(&mut causes, CONSEQUENTIAL);
    }
    if causes.is_empty() && n.status == Status::Modified {
        // Only a size changed, or only errors: sizes follow content elsewhere.
        let cause = if n.changes.iter().any(|c| c.field == "size") {
            CONSEQUENTIAL
        } else {
            CONTENT
        };
        push_cause(&mut causes, cause);
    }
    // A file of a package whose version differs: that is the whole story
    // (its content, times and ids come with the other version).
    if n.changes.iter().any(is_package_file) {
        causes.retain(|c| c == PACKAGE_VERSION || (c == CONSEQUENTIAL && !n.children.is_empty()));
    }
    causes.sort_by_key(|c| CAUSES.iter().position(|x| x == c));
    n.causes = causes;
}

/// The change `dpkg::attribute` adds to a file of a changed package.
pub fn is_package_file(c: &Change) -> bool {
    c.field.starts_with("package.") && c.cause.as_deref() == Some(PACKAGE_VERSION)
}

/// Causes for one finished subtree while the rest is still being compared,
/// so a viewer can show and filter by them early. Provisional: what needs
/// the whole tree (the outer image's header dates, checksum lists naming
/// members elsewhere, the groups) is settled by [`diagnose`] on the report.
pub fn provisional(n: &mut Node) {
    let mut differing = HashSet::new();
    n.visit(&mut |x| {
        if x.status != Status::Identical {
            differing.insert(x.address.clone());
        }
    });
    annotate(n, &[], &differing);
}

/// Settles causes over the whole report, counts them and builds the groups.
pub fn diagnose(r: &mut Report) {
    let mut differing = HashSet::new();
    r.tree.visit(&mut |n| {
        if n.status != Status::Identical {
            differing.insert(n.address.clone());
        }
    });
    annotate(&mut r.tree, &[], &differing);
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    r.tree.visit(&mut |n| {
        for c in &n.causes {
            *counts.entry(c.clone()).or_default() += 1;
        }
    });
    r.summary.causes = counts;
    r.groups = groups::build(&r.tree);
}
