//! One pair of nested images or files met at two addresses: a live ISO
//! carries the initrd as `live/initrd.img` and again inside its SquashFS as
//! `boot/initrd.img-<version>`, and GRUB's `bootia32.efi` on the ISO and in
//! both FAT images, the same bytes on each side. Their differences (members,
//! diff, findings in the content) are reported once, under the shallowest
//! address; every other address of the same pair keeps its own entry
//! changes (its mtime, its mode) and points at that one with a
//! `same-data-as` change instead of repeating them.
//!
//! Engine stage (formats → **engine** → diagnosis → report): a key is taken
//! while both sides' bytes are at hand ([`key`]), except for a pair that is
//! a view of the mapped inputs (a SquashFS stored as is in an ISO): that
//! one costs nothing to keep, so it is keyed at the end, and only if
//! another pair of the same two sizes turned up. The pass over the
//! finished tree ([`report_once`]) is in tree order, so the report is the
//! same whatever the threads.

use std::collections::HashMap;

use reprodiff_formats::{Blob, Role, Value};
use sha2::{Digest, Sha256};

use crate::report::{Cause, Change, Node};

/// Images larger than this (both sides together) are not keyed: hashing
/// them would cost more than a repeat of them is likely to.
const MAX_KEYED: usize = 256 << 20;

/// The key of a differing pair of nested images: SHA-256 over a's length,
/// a's bytes and b's bytes.
pub(super) fn key(a: &Blob, b: &Blob) -> Option<[u8; 32]> {
    let (a, b) = (a.bytes(), b.bytes());
    if a.len().saturating_add(b.len()) > MAX_KEYED {
        return None;
    }
    let mut h = Sha256::new();
    h.update((a.len() as u64).to_le_bytes());
    h.update(a);
    h.update(b);
    Some(h.finalize().into())
}

/// A differing nested pair that may be met at another address: its key,
/// or, for a view of the mapped inputs, the bytes to key it from later.
pub(super) struct Keyed {
    address: String,
    lens: (usize, usize),
    pub key: Option<[u8; 32]>,
    later: Option<(Blob, Blob)>,
}

impl Keyed {
    pub fn new(address: &str, a: &Blob, b: &Blob) -> Keyed {
        let mapped = a.is_mapped() && b.is_mapped();
        Keyed {
            address: address.to_string(),
            lens: (a.bytes().len(), b.bytes().len()),
            key: if mapped { None } else { key(a, b) },
            later: mapped.then(|| (a.clone(), b.clone())),
        }
    }
}

/// Keys the pairs left for later whose two sizes another pair shares (no
/// other can hold the same bytes), and sets them on their nodes.
fn key_later(tree: &mut Node, keyed: Vec<Keyed>) {
    let mut sizes: HashMap<(usize, usize), usize> = HashMap::new();
    for k in &keyed {
        *sizes.entry(k.lens).or_default() += 1;
    }
    let keys: HashMap<String, [u8; 32]> = keyed
        .into_iter()
        .filter(|k| sizes.get(&k.lens).is_some_and(|&n| n > 1))
        .filter_map(|k| {
            let (a, b) = k.later?;
            Some((k.address, key(&a, &b)?))
        })
        .collect();
    if keys.is_empty() {
        return;
    }
    fn set(n: &mut Node, keys: &HashMap<String, [u8; 32]>) {
        if let Some(k) = keys.get(&n.address) {
            n.same_bytes = Some(*k);
        }
        for c in &mut n.children {
            set(c, keys);
        }
    }
    set(tree, &keys);
}

/// Reports each keyed pair's members once: under its shallowest address
/// (the first in tree order among equals); the other addresses get a
/// `same-data-as` change naming it, lose the repeated members and diff,
/// and are `consequential` of it.
pub(super) fn report_once(tree: &mut Node, keyed: Vec<Keyed>) {
    key_later(tree, keyed);
    // key → (depth, tree order, address) of the address kept.
    let mut first: HashMap<[u8; 32], (usize, usize, String)> = HashMap::new();
    let mut order = 0;
    // `level`: the node's depth in the tree, its number of containers (not
    // the `::` its address holds: a member's own name may hold one).
    fn collect(
        n: &Node,
        level: usize,
        order: &mut usize,
        first: &mut HashMap<[u8; 32], (usize, usize, String)>,
    ) {
        *order += 1;
        if let Some(k) = n.same_bytes {
            // Fewest nesting levels, then fewest folders, then tree order.
            let depth = level * 4096 + n.address.matches('/').count();
            let here = (depth, *order, n.address.clone());
            first
                .entry(k)
                .and_modify(|e| {
                    if (here.0, here.1) < (e.0, e.1) {
                        *e = here.clone();
                    }
                })
                .or_insert(here);
        }
        for c in &n.children {
            collect(c, level + 1, order, first);
        }
    }
    collect(tree, 0, &mut order, &mut first);
    fn point(n: &mut Node, first: &HashMap<[u8; 32], (usize, usize, String)>) {
        if let Some((_, _, kept)) = n.same_bytes.and_then(|k| first.get(&k)) {
            if *kept != n.address {
                let mut c = Change::new(
                    "same-data-as",
                    Role::SameData,
                    Some(Value::text(kept.as_str())),
                    Some(Value::text(kept.as_str())),
                );
                c.subject = Some(kept.clone());
                // What its content gave is the kept address's to show.
                n.changes.retain(|x| {
                    !matches!(
                        x.role,
                        Role::Finding | Role::Checksum | Role::Installed | Role::Input
                    )
                });
                n.changes.push(c);
                n.children.clear();
                n.diff = None;
                if !n.causes.contains(&Cause::Consequential) {
                    n.causes.push(Cause::Consequential);
                }
                return;
            }
        }
        for c in &mut n.children {
            point(c, first);
        }
    }
    point(tree, &first);
}
