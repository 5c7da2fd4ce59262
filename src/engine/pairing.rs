//! Pairing: which entry of side a goes with which of side b, and whether
//! the two sides hold their paired members in the same order.
//!
//! Engine stage (formats → **engine** → diagnosis → report): pairs are
//! made by exact stored name, then, among the entries left over on both
//! sides, by rename: a name that differs only by a version or ABI tag
//! (`…cpython-313-x86_64-linux-gnu.so` / `…cpython-311-…`) or a usrmerge
//! prefix (`lib/systemd/x` / `usr/lib/systemd/x`), or the same bytes under
//! another name. The cost follows the unmatched entries, not the image.
//! The order of archive members (cpio, tar, ar, ZIP) is compared as one
//! sequence, the order of directory entries (FAT, ISO 9660) directory by
//! directory.

use std::collections::{BTreeMap, HashMap, VecDeque};

use reprodiff_formats::{Container, Data, Format, Kind, Limits};

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
    /// Paired across a rename: a's entry is b's under another name; `true`
    /// when its bytes were already found equal (not read again).
    Renamed(usize, usize, bool),
    OnlyA(usize),
    OnlyB(usize),
}

/// Bytes read, at most, to find same-content renames among unmatched files.
const MAX_RENAME_BYTES: u64 = 256 << 20;

/// Top-level directories usrmerge moved under `usr/`.
const MERGED: [&str; 6] = ["bin/", "sbin/", "lib/", "lib32/", "lib64/", "libx32/"];

/// A name with its usrmerge prefix and version digits left out: two
/// entries with the same key are the same file renamed by a version, an ABI
/// tag or usrmerge.
fn rename_key(path: &str) -> String {
    let p = path.trim_end_matches('/');
    let (dot, rest) = match p.strip_prefix("./") {
        Some(r) => ("./", r),
        None => ("", p.trim_start_matches('/')),
    };
    let rest = match rest.strip_prefix("usr/") {
        Some(r) if MERGED.iter().any(|m| r.starts_with(m)) => r,
        _ => rest,
    };
    let mut key = String::with_capacity(p.len());
    key.push_str(dot);
    let mut in_digits = false;
    for ch in rest.chars() {
        if ch.is_ascii_digit() {
            if !in_digits {
                key.push('#');
            }
            in_digits = true;
        } else {
            in_digits = false;
            key.push(ch);
        }
    }
    key
}

/// An entry only one side has, as rename pairing sees it.
pub(super) struct Unmatched<'p> {
    pub path: &'p str,
    pub kind: Kind,
    pub size: u64,
    /// Whether it stores bytes of its own (a tar hard link does not).
    pub data: bool,
}

/// Renames among entries only one side has, as (index into `a`, index into
/// `b`, bytes found equal), each entry in at most one. By name key first,
/// where it names exactly one entry of each kind on each side; then, among
/// regular files still unmatched, by equal bytes where one size holds
/// exactly one file on each side, smallest sizes first. `same_bytes(i, j,
/// size)` says whether two such files hold the same bytes, or `None` to
/// stop looking (a budget spent).
pub(super) fn match_renames(
    a: &[Unmatched],
    b: &[Unmatched],
    mut same_bytes: impl FnMut(usize, usize, u64) -> Option<bool>,
) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    if a.is_empty() || b.is_empty() {
        return out;
    }
    let keyed = |side: &[Unmatched]| {
        let mut m: HashMap<(String, Kind), Vec<usize>> = HashMap::new();
        for (i, e) in side.iter().enumerate() {
            m.entry((rename_key(e.path), e.kind)).or_default().push(i);
        }
        m
    };
    let (ka, kb) = (keyed(a), keyed(b));
    let mut taken_a = std::collections::HashSet::new();
    let mut taken_b = std::collections::HashSet::new();
    for (k, va) in &ka {
        if let (Some(vb), [i]) = (kb.get(k), va.as_slice()) {
            if let [j] = vb.as_slice() {
                out.push((*i, *j, false));
                taken_a.insert(*i);
                taken_b.insert(*j);
            }
        }
    }
    // Same bytes under an unrelated name: one file of a size on each side.
    let by_size = |side: &[Unmatched], taken: &std::collections::HashSet<usize>| {
        let mut m: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, e) in side.iter().enumerate() {
            if !taken.contains(&i) && e.kind == Kind::File && e.size > 0 && e.data {
                m.entry(e.size).or_default().push(i);
            }
        }
        m
    };
    let (sa, sb) = (by_size(a, &taken_a), by_size(b, &taken_b));
    let mut sizes: Vec<&u64> = sa.keys().collect();
    sizes.sort_unstable();
    for &size in sizes {
        let (Some([i]), Some([j])) = (
            sa.get(&size).map(Vec::as_slice),
            sb.get(&size).map(Vec::as_slice),
        ) else {
            continue;
        };
        match same_bytes(*i, *j, size) {
            None => break,
            Some(true) => out.push((*i, *j, true)),
            Some(false) => {}
        }
    }
    out.sort_unstable();
    out
}

/// The entries `idx` of `c`, as rename pairing sees them.
fn unmatched<'c>(c: &'c Container, idx: &[usize]) -> Vec<Unmatched<'c>> {
    idx.iter()
        .map(|&i| {
            let e = &c.entries[i];
            Unmatched {
                path: &e.path,
                kind: e.kind,
                size: e.size,
                data: !matches!(e.data, Data::None),
            }
        })
        .collect()
}

/// [`match_renames`] over two containers' unmatched entries (indexes into
/// each), bytes read within [`MAX_RENAME_BYTES`].
fn renames(
    ca: &Container,
    cb: &Container,
    only_a: &[usize],
    only_b: &[usize],
    limits: &Limits,
) -> Vec<(usize, usize, bool)> {
    let (xa, xb) = (unmatched(ca, only_a), unmatched(cb, only_b));
    let mut budget = MAX_RENAME_BYTES;
    let found = match_renames(&xa, &xb, |i, j, size| {
        budget = budget.checked_sub(size.saturating_mul(2))?;
        let (Ok(x), Ok(y)) = (ca.read(only_a[i], limits), cb.read(only_b[j], limits)) else {
            return Some(false);
        };
        Some(x.bytes() == y.bytes())
    });
    let mut out: Vec<(usize, usize, bool)> = found
        .into_iter()
        .map(|(i, j, same)| (only_a[i], only_b[j], same))
        .collect();
    out.sort_unstable();
    out
}

/// Pairs entries by their exact stored names (repeated names pair in order
/// of appearance), then what is left by rename.
pub(super) fn pair(ca: &Container, cb: &Container, limits: &Limits) -> Vec<Pair> {
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
    let only_a: Vec<usize> = out
        .iter()
        .filter_map(|p| match *p {
            Pair::OnlyA(i) => Some(i),
            _ => None,
        })
        .collect();
    let only_b: Vec<usize> = (0..cb.entries.len()).filter(|&j| !used[j]).collect();
    let renamed = renames(ca, cb, &only_a, &only_b, limits);
    let renamed_a: HashMap<usize, (usize, bool)> =
        renamed.iter().map(|&(i, j, same)| (i, (j, same))).collect();
    for p in out.iter_mut() {
        if let Pair::OnlyA(i) = *p {
            if let Some(&(j, same)) = renamed_a.get(&i) {
                used[j] = true;
                *p = Pair::Renamed(i, j, same);
            }
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
    a_order: Vec<(usize, usize)>,
) -> Option<(String, String)> {
    order_text(
        a_order,
        |i| ca.entries[i].path.as_str(),
        |j| cb.entries[j].path.as_str(),
    )
}

/// The `order` change of members paired as `(index in a, index in b)`,
/// named by `name_a` and `name_b`: from the first position where a's order
/// and b's part, six names a side.
pub(super) fn order_text<'n>(
    mut a_order: Vec<(usize, usize)>,
    name_a: impl Fn(usize) -> &'n str,
    name_b: impl Fn(usize) -> &'n str,
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
            .map(|&(i, j)| if a_side { name_a(i) } else { name_b(j) })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_keys_drop_version_tags_and_usrmerge() {
        let k = |p| rename_key(p);
        assert_eq!(
            k("usr/lib/python3/dist-packages/_x.cpython-313-x86_64-linux-gnu.so"),
            k("usr/lib/python3/dist-packages/_x.cpython-311-x86_64-linux-gnu.so")
        );
        assert_eq!(
            k("lib/systemd/system/x.service"),
            k("usr/lib/systemd/system/x.service")
        );
        assert_eq!(
            k("./lib/udev/rules.d/1.rules"),
            k("./usr/lib/udev/rules.d/1.rules")
        );
        assert_ne!(k("usr/share/doc/x"), k("share/doc/x"));
        assert_ne!(k("lib/a.so"), k("lib/b.so"));
    }
}
