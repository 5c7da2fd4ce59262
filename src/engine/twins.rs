//! Other names of one entry's data: hard links (a SquashFS inode with
//! several names, a newc cpio link group, a tar hard link). Their content is
//! compared once, under the name that holds it; when it differs, every other
//! name is reported too, pointing at it with a `same-data-as` change and
//! carrying a copy of the changes found in that content, so each name is in
//! the report and in its groups without a second decode or diff.
//!
//! Engine stage (formats → **engine** → diagnosis → report): a pass over the
//! nodes `compare_containers` made for one container's pairs.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::Ordering;

use reprodiff_formats::{Container, Role, Value};

use super::{child_address, Ctx};
use crate::report::{Change, Node, Status};

/// A pair of entries whose data is another pair's (`held`, by entry index
/// on each side).
pub(super) struct Twin {
    pub(super) at: (usize, usize),
    pub(super) held: (usize, usize),
}

/// The nodes of a container's pairs, with each entry whose content was
/// compared as another pair's reported too when that content differs: it
/// gets a `same-data-as` change naming that pair and a copy of the changes
/// found in the content (`content` in each node's `changes`), so it has
/// the same causes, but not the diff or the members below, shown once.
pub(super) fn report_shared(
    ctx: &Ctx,
    parent: &str,
    (ca, cb): (&Container, &Container),
    twins: &[Twin],
    mut compared: Vec<(Node, Range<usize>)>,
    depth: usize,
) -> Vec<Node> {
    let at: HashMap<String, usize> = compared
        .iter()
        .enumerate()
        .map(|(k, (n, _))| (n.address.clone(), k))
        .collect();
    let mut added = Vec::new();
    for t in twins {
        let (ea, eb) = (&ca.entries[t.at.0], &cb.entries[t.at.1]);
        let (ha, hb) = (&ca.entries[t.held.0], &cb.entries[t.held.1]);
        let address = child_address(parent, &ea.path);
        let held = child_address(parent, &ha.path);
        if ctx.opts.cancelled() || ctx.excluded(&address) {
            continue;
        }
        let Some((h, content)) = at.get(&held).and_then(|&k| compared.get(k)) else {
            continue;
        };
        if h.diff.is_none() && h.children.is_empty() && content.is_empty() {
            continue;
        }
        let mut same = Change::new(
            "same-data-as",
            Role::SameData,
            Some(Value::text(ha.path.as_str())),
            Some(Value::text(hb.path.as_str())),
        );
        same.subject = Some(held);
        let found = h.changes.get(content.clone()).unwrap_or_default().to_vec();
        match at.get(&address).and_then(|&k| compared.get_mut(k)) {
            Some((n, _)) => {
                n.changes.push(same);
                n.changes.extend(found);
            }
            None => {
                // Counted identical when its metadata was compared.
                ctx.identical.fetch_sub(1, Ordering::Relaxed);
                let mut n = Node::new(address, Status::Modified);
                n.kind = Some(eb.kind);
                n.size_a = Some(ea.size);
                n.size_b = Some(eb.size);
                n.changes.push(same);
                n.changes.extend(found);
                if depth == 0 {
                    if let Some(cb) = &ctx.opts.on_subtree {
                        (cb.0)(&n);
                    }
                }
                added.push(n);
            }
        }
    }
    compared.into_iter().map(|(n, _)| n).chain(added).collect()
}
