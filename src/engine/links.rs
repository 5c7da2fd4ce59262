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

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use reprodiff_formats::{Container, Kind, Role, Value};
use sha2::{Digest, Sha256};

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

/// Others of a hard-link group listed in full in its `hardlinks` value;
/// past that, the first of them, how many more and the group's digest.
const SHOWN_LINKS: usize = 16;

/// Groups of entries of one container (the names of one inode, the
/// entries whose bytes one holder carries): for each entry its group, for
/// each group its members sorted by path and the SHA-256 of those paths.
/// Two sides' groups are compared by digest, so an entry costs a few bytes
/// however large its group: a group's joined paths, held for each member,
/// grew with the square of its size (13.9 MiB a side for a SquashFS of a
/// /usr whose 4,698 sets of identical files, up to 397 in one, mksquashfs
/// stored once; 8 GB and counting for a crafted 3.6 MB cpio of 30,000 links
/// to one inode).
pub struct Groups {
    of: Vec<Option<u32>>,
    members: Vec<Vec<usize>>,
    digests: Vec<[u8; 32]>,
}

impl Groups {
    /// `groups`: the member indexes of each group (in `groups`, a lone
    /// name of an inode linked elsewhere is one).
    fn new(c: &Container, groups: impl IntoIterator<Item = Vec<usize>>) -> Groups {
        let mut of = vec![None; c.entries.len()];
        let (mut members, mut digests) = (Vec::new(), Vec::new());
        for mut m in groups {
            let Ok(g) = u32::try_from(members.len()) else {
                break;
            };
            m.sort_by(|&x, &y| c.entries[x].path.cmp(&c.entries[y].path));
            let mut h = Sha256::new();
            for &i in &m {
                let path = c.entries[i].path.as_bytes();
                h.update((path.len() as u64).to_le_bytes());
                h.update(path);
                if let Some(slot) = of.get_mut(i) {
                    *slot = Some(g);
                }
            }
            digests.push(h.finalize().into());
            members.push(m);
        }
        Groups {
            of,
            members,
            digests,
        }
    }

    fn group(&self, i: usize) -> Option<usize> {
        self.of.get(i).copied().flatten().map(|g| g as usize)
    }

    /// The paths of group `g`.
    fn paths<'c>(&self, c: &'c Container, g: usize) -> HashSet<&'c str> {
        let members = self.members.get(g).map(Vec::as_slice).unwrap_or_default();
        members
            .iter()
            .map(|&m| c.entries[m].path.as_str())
            .collect()
    }

    /// Whether no entry is in a group.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Whether entry `i` is in a group.
    pub fn grouped(&self, i: usize) -> bool {
        self.group(i).is_some()
    }

    /// Whether entry `i` here and entry `j` of `other` are in groups of the
    /// same paths, or both in none. For a pair of the same path, that is
    /// whether the others sharing with each are the same names.
    pub fn same(&self, i: usize, other: &Groups, j: usize) -> bool {
        match (self.group(i), other.group(j)) {
            (None, None) => true,
            (Some(g), Some(h)) => self.digests.get(g) == other.digests.get(h),
            _ => false,
        }
    }

    /// The other paths of entry `i`'s group, sorted and joined; past
    /// [`SHOWN_LINKS`] of them, the first ones, how many more and the
    /// group's digest (which tells two large groups apart).
    pub fn shown(&self, c: &Container, i: usize) -> Option<String> {
        let g = self.group(i)?;
        let members = self.members.get(g)?;
        let others = members.iter().filter(|&&m| m != i);
        let first: Vec<&str> = others
            .take(SHOWN_LINKS)
            .map(|&m| c.entries[m].path.as_str())
            .collect();
        let more = members.len().saturating_sub(1 + first.len());
        if more == 0 {
            return Some(first.join(", "));
        }
        let digest = self
            .digests
            .get(g)
            .map(|d| super::digest::hex(d))
            .unwrap_or_default();
        Some(format!(
            "{}, … and {more} more (the {} names' SHA-256 {})",
            first.join(", "),
            members.len(),
            digest.get(..16).unwrap_or_default()
        ))
    }
}

/// Of the paired entries `pairs` (a's index, b's index, the same path)
/// whose groups differ, those whose other names differ only because
/// names were added or removed: every path of a's group that b's lacks is
/// in `removed` (entries only a has), every path of b's group that a's
/// lacks in `added`. An entry in no group counts as a group of its own
/// name. Each pair of groups is decided once, whatever their sizes.
pub fn differ_by_names(
    (ga, ca): (&Groups, &Container),
    (gb, cb): (&Groups, &Container),
    pairs: &[(usize, usize)],
    (removed, added): (&HashSet<&str>, &HashSet<&str>),
) -> HashSet<(usize, usize)> {
    // How many of each group's names are entries only its side has.
    let count = |g: &Groups, c: &Container, set: &HashSet<&str>| -> Vec<usize> {
        g.members
            .iter()
            .map(|m| {
                m.iter()
                    .filter(|&&k| set.contains(c.entries[k].path.as_str()))
                    .count()
            })
            .collect()
    };
    let (gone, new) = (count(ga, ca, removed), count(gb, cb, added));
    let mut decided: HashMap<(usize, usize), bool> = HashMap::new();
    let mut out = HashSet::new();
    for &(i, j) in pairs.iter().filter(|&&(i, j)| !ga.same(i, gb, j)) {
        let follows = match (ga.group(i), gb.group(j)) {
            // The rest of the one group is names the other side lacks.
            (None, Some(h)) => new[h] + 1 == gb.members[h].len(),
            (Some(g), None) => gone[g] + 1 == ga.members[g].len(),
            (Some(g), Some(h)) => *decided.entry((g, h)).or_insert_with(|| {
                let (sa, sb) = (ga.paths(ca, g), gb.paths(cb, h));
                sa.iter().all(|p| sb.contains(p) || removed.contains(p))
                    && sb.iter().all(|p| sa.contains(p) || added.contains(p))
            }),
            (None, None) => false,
        };
        if follows {
            out.insert((i, j));
        }
    }
    out
}

/// The hard-link groups of `c`: entries other than directories with
/// `nlink > 1` that share an inode number.
pub fn groups(c: &Container) -> Groups {
    let linked = |e: &reprodiff_formats::Entry| {
        e.kind != Kind::Dir && e.meta.nlink.is_some_and(|n| n > 1) && e.meta.inode.is_some()
    };
    let mut by_inode: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, e) in c.entries.iter().enumerate() {
        if let (true, Some(ino)) = (linked(e), e.meta.inode) {
            by_inode.entry(ino).or_default().push(i);
        }
    }
    // A lone name of an inode linked elsewhere is a group too: its others
    // are none of this container's names.
    let mut found: Vec<Vec<usize>> = by_inode.into_values().collect();
    found.sort_unstable();
    Groups::new(c, found)
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

/// The groups of entries that share one entry's bytes through `holders`
/// (a tar hard link and its target, a newc cpio link group, a SquashFS
/// hard link or stored duplicate), each with its holder. Two sides whose
/// group has the same names hold the same link group, whichever of them
/// carries the bytes.
pub fn holder_groups(c: &Container, holders: &[Option<usize>]) -> Groups {
    let mut by_carrier: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, h) in holders.iter().enumerate() {
        if let Some(h) = *h {
            by_carrier.entry(h).or_default().push(i);
        }
    }
    let mut found: Vec<Vec<usize>> = by_carrier
        .into_iter()
        .map(|(carrier, mut members)| {
            members.push(carrier);
            members
        })
        .collect();
    found.sort_unstable();
    Groups::new(c, found)
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
        let shown = |i| g.shown(&c, i);
        assert_eq!(shown(0).as_deref(), Some("bin/b, bin/c"));
        assert_eq!(shown(1).as_deref(), Some("bin/a, bin/c"));
        assert_eq!(shown(2), None);
        assert_eq!(shown(3).as_deref(), Some("bin/a, bin/b"));
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
