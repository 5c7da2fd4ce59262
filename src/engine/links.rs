//! Hard-link groups: which other paths of the same container share an
//! entry's inode. Compared as sets of paths, never as inode numbers, which
//! formats renumber freely (cpio `--reproducible` numbers in archive order,
//! mksquashfs in scan order).
//!
//! Also: an entry that is a regular file on one side and, on the other, a
//! symbolic link to a regular file of the same container with the same
//! bytes ([`linked_copy`]), as a package's installer stores a duplicate
//! file either way.
//!
//! Engine stage: called for each pair of entries present on both sides.

use std::collections::HashMap;
use std::sync::OnceLock;

use reprodiff_formats::{Container, Kind, Role, Value};

use super::entries::read_entry;
use super::{Ctx, Kept};
use crate::report::{Change, Node};

/// The field of an entry stored as a file on one side and as a symbolic
/// link to a file with the same bytes on the other.
pub const LINKED_COPY: &str = "link.identical";

/// A path as the container stores it, without `./` or `/` at its start
/// (as checksum lists and archives write it).
pub(crate) fn normal(path: &str) -> &str {
    path.trim_start_matches("./").trim_start_matches('/')
}

/// Where a symbolic link at `link` (a path in its container) pointing at
/// `target` leads, as a normal path of that container (`..` and `.`
/// resolved, an absolute target from the container's root); `None` when
/// it would climb above the root.
pub fn resolve(link: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    if !target.starts_with('/') {
        parts.extend(
            normal(link)
                .split('/')
                .filter(|p| !p.is_empty() && *p != "."),
        );
        parts.pop()?;
    }
    for p in target.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A container's regular files by normal path, built once per container
/// and only when a pair needs it.
pub(super) struct FileIndex<'c> {
    c: &'c Container,
    index: OnceLock<HashMap<&'c str, usize>>,
}

impl<'c> FileIndex<'c> {
    pub fn new(c: &'c Container) -> FileIndex<'c> {
        FileIndex {
            c,
            index: OnceLock::new(),
        }
    }

    fn get(&self, path: &str) -> Option<usize> {
        let index = self.index.get_or_init(|| {
            let files = self.c.entries.iter().enumerate();
            files
                .filter(|(_, e)| e.kind == Kind::File)
                .map(|(i, e)| (normal(&e.path), i))
                .collect()
        });
        index.get(path).copied()
    }
}

/// One side of a pair for [`linked_copy`]: its container, the bytes kept
/// of it (when its decoded bytes were dropped), its entry's index and the
/// index of its files.
pub(super) type Side<'a, 'c> = (&'c Container, Option<&'a Kept>, usize, &'a FileIndex<'c>);

/// When one side of a pair is a regular file and the other a symbolic
/// link that resolves, in its own container, to a regular file with the
/// same bytes: a [`LINKED_COPY`] finding on `node` (its cause is
/// diagnosis's to give), and the node's changes that only say
/// so again (its kind, size, mode, link target, the archive's type flag)
/// follow that finding. Bytes not at hand (dropped with a large archive)
/// or not equal leave the node as it is.
pub(super) fn linked_copy<'a, 'c>(ctx: &Ctx, node: &mut Node, a: Side<'a, 'c>, b: Side<'a, 'c>) {
    let (ka, kb) = (a.0.entries[a.2].kind, b.0.entries[b.2].kind);
    let (file, link, link_is_b) = match (ka, kb) {
        (Kind::File, Kind::Symlink) => (a, b, true),
        (Kind::Symlink, Kind::File) => (b, a, false),
        _ => return,
    };
    let (lc, lkept, li, lindex) = link;
    let entry = &lc.entries[li];
    let Some(target) = entry.meta.target.as_deref() else {
        return;
    };
    let Some(to) = resolve(&entry.path, target).and_then(|p| lindex.get(&p)) else {
        return;
    };
    // Files of other sizes are not the same bytes; and two large ones are
    // not read whole again beside the comparison (a quarter of the memory
    // budget at most).
    let size = file.0.entries[file.2].size;
    if lc.entries[to].size != size || size > ctx.opts.max_memory / 4 {
        return;
    }
    let same = match (
        read_entry(ctx, file.0, file.1, file.2),
        read_entry(ctx, lc, lkept, to),
    ) {
        (Ok(x), Ok(y)) => x.bytes() == y.bytes(),
        _ => false,
    };
    if !same {
        return;
    }
    for c in &mut node.changes {
        let restates = matches!(
            c.role,
            Role::Content | Role::LinkTarget | Role::Size | Role::Permissions
        );
        if restates && c.follows.is_empty() {
            c.follows = vec![LINKED_COPY.to_string()];
        }
    }
    let copy = Value::text("a file");
    let linked = Value::text(format!(
        "a symbolic link to {}, the same bytes",
        normal(&lc.entries[to].path)
    ));
    let (va, vb) = if link_is_b {
        (copy, linked)
    } else {
        (linked, copy)
    };
    node.changes
        .push(Change::new(LINKED_COPY, Role::Finding, Some(va), Some(vb)));
}

/// For each entry with `nlink > 1`, the other paths sharing its inode, sorted
/// and joined; `None` for entries that are not hard-linked.
pub fn groups(c: &Container) -> Vec<Option<String>> {
    let linked = |i: usize| {
        let e = &c.entries[i];
        e.kind != Kind::Dir && e.meta.nlink.is_some_and(|n| n > 1) && e.meta.inode.is_some()
    };
    let mut by_inode: HashMap<u64, Vec<usize>> = HashMap::new();
    for i in 0..c.entries.len() {
        if linked(i) {
            if let Some(ino) = c.entries[i].meta.inode {
                by_inode.entry(ino).or_default().push(i);
            }
        }
    }
    let mut out = vec![None; c.entries.len()];
    for members in by_inode.values() {
        for &i in members {
            let mut others: Vec<&str> = members
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| c.entries[j].path.as_str())
                .collect();
            others.sort_unstable();
            out[i] = Some(others.join(", "));
        }
    }
    out
}

/// For each entry whose data is another entry's, that entry: one stored at
/// the very same location ([`crate::walk::aliases`]: SquashFS hard links,
/// Joliet names, a boot image that is also a file), the member of its
/// hard-link group that carries the data when it carries none (newc cpio
/// stores it with the last link only), or the target of a tar hard link.
/// The holder never has a holder itself, so one look-up finds the data.
pub fn holders(c: &Container) -> Vec<Option<usize>> {
    let mut out = crate::walk::aliases(c);
    let empty = |i: usize| c.entries[i].size == 0;
    let mut by_inode: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut by_path: HashMap<&str, usize> = HashMap::new();
    for (i, e) in c.entries.iter().enumerate() {
        by_path.entry(e.path.as_str()).or_insert(i);
        let linked = e.kind == Kind::File && e.meta.nlink.is_some_and(|n| n > 1);
        if let (true, Some(ino)) = (linked, e.meta.inode) {
            by_inode.entry(ino).or_default().push(i);
        }
    }
    for members in by_inode.values() {
        // Exactly one carrier: with several, each name holds its own copy.
        let mut carriers = members.iter().filter(|&&i| !empty(i));
        if let (Some(&carrier), None) = (carriers.next(), carriers.next()) {
            for &i in members.iter().filter(|&&i| empty(i)) {
                out[i] = out[i].or(Some(carrier));
            }
        }
    }
    for (i, e) in c.entries.iter().enumerate() {
        if e.kind == Kind::Hardlink && out[i].is_none() {
            let target = e.meta.target.as_deref();
            out[i] = target
                .and_then(|t| by_path.get(t))
                .copied()
                .filter(|&t| t != i);
        }
    }
    // A holder that itself points elsewhere (a chain, a cycle) holds nothing.
    let own: Vec<bool> = out.iter().map(Option::is_none).collect();
    for h in out.iter_mut() {
        *h = h.filter(|&t| own[t]);
    }
    out
}

/// For each entry of a group that shares one entry's bytes through
/// `holders` (a tar hard link and its target, a newc cpio link group, a
/// SquashFS hard link), the group's paths, sorted and joined; `None` for an
/// entry that shares with no other. Two sides whose group has the same
/// names hold the same link group, whichever of them carries the bytes.
pub fn holder_groups(c: &Container, holders: &[Option<usize>]) -> Vec<Option<String>> {
    let mut by_carrier: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, h) in holders.iter().enumerate() {
        if let Some(h) = *h {
            by_carrier.entry(h).or_default().push(i);
        }
    }
    let mut out = vec![None; c.entries.len()];
    for (carrier, mut members) in by_carrier {
        members.push(carrier);
        let mut names: Vec<&str> = members
            .iter()
            .map(|&i| c.entries[i].path.as_str())
            .collect();
        names.sort_unstable();
        let key = names.join("\n");
        for &i in &members {
            out[i] = Some(key.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reprodiff_formats::{Blob, Entry, Format};

    fn entry(path: &str, ino: u64, nlink: u32) -> Entry {
        let mut e = Entry::new(path, Kind::File);
        e.meta.inode = Some(ino);
        e.meta.nlink = Some(nlink);
        e
    }

    #[test]
    fn link_targets_resolve_within_their_container() {
        let cases = [
            (
                "./usr/share/help/ca/f.png",
                "../C/f.png",
                Some("usr/share/help/C/f.png"),
            ),
            (
                "help/ca/figures/f.png",
                "../../C/./figures/f.png",
                Some("help/C/figures/f.png"),
            ),
            ("./usr/bin/x", "/usr/lib/x/x", Some("usr/lib/x/x")),
            ("bin/x", "y", Some("bin/y")),
            ("bin/x", "../../etc/passwd", None),
            ("x", "..", None),
        ];
        for (link, target, want) in cases {
            assert_eq!(resolve(link, target).as_deref(), want, "{link} -> {target}");
        }
    }

    #[test]
    fn groups_name_the_other_links() {
        let mut c = Container::new(Format::Cpio, Blob::from_vec(Vec::new()));
        c.entries = vec![
            entry("bin/a", 7, 3),
            entry("bin/b", 7, 3),
            entry("lone", 9, 1),
            entry("bin/c", 7, 3),
        ];
        let g = groups(&c);
        assert_eq!(g[0].as_deref(), Some("bin/b, bin/c"));
        assert_eq!(g[1].as_deref(), Some("bin/a, bin/c"));
        assert_eq!(g[2], None);
        assert_eq!(g[3].as_deref(), Some("bin/a, bin/b"));
    }

    #[test]
    fn holders_point_empty_links_at_the_one_carrying_the_data() {
        let mut c = Container::new(Format::Cpio, Blob::from_vec(Vec::new()));
        let sized = |path, ino, nlink, size| {
            let mut e = entry(path, ino, nlink);
            e.size = size;
            e
        };
        let mut tar_link = Entry::new("t", Kind::Hardlink);
        tar_link.meta.target = Some("bin/b".into());
        c.entries = vec![
            sized("bin/a", 7, 2, 0),
            sized("bin/b", 7, 2, 5),
            sized("copy1", 8, 2, 3),
            sized("copy2", 8, 2, 3),
            tar_link,
        ];
        assert_eq!(holders(&c), [Some(1), None, None, None, Some(1)]);
    }
}
