//! Pairing: which entry of side a goes with which of side b, and whether
//! the two sides hold their paired members in the same order.
//!
//! Engine stage (formats → **engine** → diagnosis → report): pairs are
//! made by exact stored name; the order of archive members (cpio, tar, ar,
//! ZIP) is compared as one sequence, the order of directory entries (FAT,
//! ISO 9660) directory by directory.

use std::collections::{BTreeMap, HashMap, VecDeque};

use reprodiff_formats::{Container, Format};

/// Archives whose member order is one sequence chosen by the tool that
/// wrote them (and so leaks directory listing order).
pub(super) fn order_matters(f: Format) -> bool {
    matches!(f, Format::Cpio | Format::Tar | Format::Ar | Format::Zip)
}

/// File systems that keep one list of entries per directory (FAT directory
/// entries, ISO9660 directory records): order is compared directory by
/// directory, and a change belongs to that directory. SquashFS sorts every
/// directory by name, so it has no order of its own.
pub(super) fn per_directory(f: Format) -> bool {
    matches!(f, Format::Fat | Format::Iso9660)
}

fn parent_dir(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit_once('/')
        .map_or("", |(d, _)| d)
}

pub(super) enum Pair {
    Both(usize, usize),
    OnlyA(usize),
    OnlyB(usize),
}

/// Pairs entries by their exact stored names; repeated names pair in
/// order of appearance.
pub(super) fn pair(ca: &Container, cb: &Container) -> Vec<Pair> {
    let mut in_b: HashMap<(&str, Option<&[u8]>), VecDeque<usize>> = HashMap::new();
    for (j, e) in cb.entries.iter().enumerate() {
        in_b.entry(e.pair_key()).or_default().push_back(j);
    }
    let mut used = vec![false; cb.entries.len()];
    let mut out = Vec::with_capacity(ca.entries.len());
    for (i, e) in ca.entries.iter().enumerate() {
        match in_b.get_mut(&e.pair_key()).and_then(|q| q.pop_front()) {
            Some(j) => {
                used[j] = true;
                out.push(Pair::Both(i, j));
            }
            None => out.push(Pair::OnlyA(i)),
        }
    }
    for (j, u) in used.iter().enumerate() {
        if !u {
            out.push(Pair::OnlyB(j));
        }
    }
    out
}

/// The paired entries in a's order, as `(a index, b index)`.
pub(super) fn paired(pairs: &[Pair]) -> Vec<(usize, usize)> {
    pairs
        .iter()
        .filter_map(|p| match *p {
            Pair::Both(i, j) => Some((i, j)),
            _ => None,
        })
        .collect()
}

/// The `order` change of one sequence of paired entries, if b has them in
/// another order: each side's sequence from the first difference.
pub(super) fn order_values(
    ca: &Container,
    cb: &Container,
    mut a_order: Vec<(usize, usize)>,
) -> Option<(String, String)> {
    a_order.sort_unstable();
    let mut b_order = a_order.clone();
    b_order.sort_unstable_by_key(|&(_, j)| j);
    if a_order == b_order {
        return None;
    }
    let first = a_order
        .iter()
        .zip(&b_order)
        .position(|(x, y)| x != y)
        .unwrap_or(0);
    let show = |v: &[(usize, usize)], a_side: bool| -> String {
        let names: Vec<&str> = v
            .iter()
            .skip(first)
            .take(6)
            .map(|&(i, j)| {
                if a_side {
                    ca.entries[i].path.as_str()
                } else {
                    cb.entries[j].path.as_str()
                }
            })
            .collect();
        let more = v.len().saturating_sub(first + 6);
        let mut s = format!("#{first}: {}", names.join(", "));
        if more > 0 {
            s.push_str(&format!(", … (+{more})"));
        }
        s
    };
    Some((show(&a_order, true), show(&b_order, false)))
}

/// Per directory (its path, `""` for the root), the `order` change of the
/// entries paired in it. Synthetic members (`<joliet>`, `<eltorito-1-bios>`,
/// `<partition-1>`) are not directory records and are left out.
pub(super) fn dir_orders(
    ca: &Container,
    cb: &Container,
    pairs: &[Pair],
) -> HashMap<String, (String, String)> {
    let mut by_dir: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for (i, j) in paired(pairs) {
        let path = ca.entries[i].path.as_str();
        let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if name.starts_with('<') {
            continue;
        }
        by_dir.entry(parent_dir(path)).or_default().push((i, j));
    }
    by_dir
        .into_iter()
        .filter_map(|(dir, v)| order_values(ca, cb, v).map(|o| (dir.to_string(), o)))
        .collect()
}
