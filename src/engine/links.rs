//! Hard-link groups: which other paths of the same container share an
//! entry's inode. Compared as sets of paths, never as inode numbers, which
//! formats renumber freely (cpio `--reproducible` numbers in archive order,
//! mksquashfs in scan order).
//!
//! Engine stage: called for each pair of entries present on both sides.

use std::collections::HashMap;

use reprodiff_formats::{Container, Kind};

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
}
