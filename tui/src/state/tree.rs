//! The display tree inside the browser's state: report nodes re-shaped into
//! rows (directories inside a container become foldable rows of their own),
//! folding, flattening into the visible rows, and moving the selection. Part
//! of the TUI, the last presenter in bytes → formats → engine → diagnosis →
//! report → presenters; it reads the report model and draws nothing.
//!
//! Large reports stay fast because the visible rows are a flat vector that is
//! rebuilt only when folds or filters change; moving and scrolling are index
//! arithmetic on it.

use std::collections::HashMap;

use reprodiff_report::{Node, Status};

use super::{Mode, State};

/// One row of the display tree: a report node or a directory that only
/// exists because report nodes live below it.
#[derive(Debug, Clone)]
pub struct Item {
    /// What the row shows: a path component, or the image pair for the root.
    pub name: String,
    /// Index into `State::nodes`, `None` for a synthetic directory.
    pub node: Option<usize>,
    pub parent: Option<usize>,
    pub depth: u16,
    pub children: Vec<usize>,
    /// The node's status, or for a directory the common status of everything
    /// below it (modified when they disagree).
    pub status: Status,
    /// Report nodes below this row.
    pub below: u32,
}

/// The display tree of one report tree: its nodes (children moved out, the
/// root first) and the rows over them, in creation order (parents first).
pub(super) struct Built {
    pub nodes: Vec<Node>,
    pub items: Vec<Item>,
    /// Item indexes in depth-first display order, and each item's place in it.
    pub preorder: Vec<usize>,
    pub preorder_pos: Vec<usize>,
}

/// Builds the rows for `root`, whose row is labelled `root_name`.
pub(super) fn build(mut root: Node, root_name: String) -> Built {
    let mut nodes = Vec::new();
    let mut items = Vec::new();
    let mut lookup: HashMap<(usize, String), usize> = HashMap::new();
    let children = std::mem::take(&mut root.children);
    items.push(Item {
        name: root_name,
        node: Some(0),
        parent: None,
        depth: 0,
        children: Vec::new(),
        status: root.status,
        below: 0,
    });
    let root_addr = root.address.clone();
    nodes.push(root);
    add_children(&mut nodes, &mut items, &mut lookup, 0, &root_addr, children);

    // Items are created parent first, so walking backwards visits every
    // child before its parent.
    let mut seen: Vec<Option<Status>> = items
        .iter()
        .map(|i| i.node.map(|n| nodes[n].status))
        .collect();
    for i in (1..items.len()).rev() {
        let Some(p) = items[i].parent else { continue };
        let below = items[i].below + u32::from(items[i].node.is_some());
        items[p].below += below;
        if items[p].node.is_none() {
            seen[p] = match (seen[p], seen[i]) {
                (None, s) => s,
                (Some(a), Some(b)) if a != b => Some(Status::Modified),
                (s, _) => s,
            };
        }
    }
    for (item, s) in items.iter_mut().zip(&seen) {
        if item.node.is_none() {
            item.status = s.unwrap_or(Status::Identical);
        }
    }

    let mut preorder = Vec::with_capacity(items.len());
    let mut stack = vec![0usize];
    while let Some(i) = stack.pop() {
        preorder.push(i);
        stack.extend(items[i].children.iter().rev());
    }
    let mut preorder_pos = vec![0; items.len()];
    for (pos, &i) in preorder.iter().enumerate() {
        preorder_pos[i] = pos;
    }
    Built {
        nodes,
        items,
        preorder,
        preorder_pos,
    }
}

/// Files the nodes below `parent_item` under rows named by their path
/// components inside the container, creating directory rows as needed.
fn add_children(
    nodes: &mut Vec<Node>,
    items: &mut Vec<Item>,
    lookup: &mut HashMap<(usize, String), usize>,
    parent_item: usize,
    parent_addr: &str,
    children: Vec<Node>,
) {
    let prefix = format!("{parent_addr}::");
    for mut child in children {
        let grand = std::mem::take(&mut child.children);
        let rel = if parent_addr.is_empty() {
            child.address.as_str()
        } else {
            child
                .address
                .strip_prefix(&prefix)
                .unwrap_or(&child.address)
        };
        let mut comps: Vec<String> = rel
            .trim_end_matches('/')
            .split('/')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        if comps.is_empty() {
            comps.push(if rel.is_empty() {
                "?".into()
            } else {
                rel.to_string()
            });
        }
        let mut cur = parent_item;
        let last = comps.len() - 1;
        for (k, comp) in comps.into_iter().enumerate() {
            let existing = lookup.get(&(cur, comp.clone())).copied();
            let reuse = existing.filter(|&e| k < last || items[e].node.is_none());
            cur = match reuse {
                Some(e) => e,
                None => {
                    let idx = items.len();
                    let depth = items[cur].depth.saturating_add(1);
                    items.push(Item {
                        name: comp.clone(),
                        node: None,
                        parent: Some(cur),
                        depth,
                        children: Vec::new(),
                        status: Status::Identical,
                        below: 0,
                    });
                    items[cur].children.push(idx);
                    if existing.is_none() {
                        lookup.insert((cur, comp), idx);
                    }
                    idx
                }
            };
        }
        let n = nodes.len();
        items[cur].node = Some(n);
        items[cur].status = child.status;
        let addr = child.address.clone();
        nodes.push(child);
        add_children(nodes, items, lookup, cur, &addr, grand);
    }
}

/// The last component of an address: what a tree row shows.
pub fn last_component(address: &str) -> &str {
    reprodiff_report::Address::new(address).name()
}

impl State {
    /// Rebuilds the visible rows, keeping the selected item (or its nearest
    /// shown ancestor) under the cursor.
    pub fn reflatten(&mut self) {
        let keep = self.selected_item();
        self.rows.clear();
        if self.items.is_empty() {
            self.selected = 0;
            return;
        }
        let mut stack = vec![0usize];
        while let Some(i) = stack.pop() {
            self.rows.push(i);
            if !self.folded[i] {
                stack.extend(
                    self.items[i]
                        .children
                        .iter()
                        .rev()
                        .filter(|&&c| self.shown[c]),
                );
            }
        }
        let mut target = keep;
        let mut found = None;
        while let Some(t) = target {
            if let Some(pos) = self.rows.iter().position(|&r| r == t) {
                found = Some(pos);
                break;
            }
            target = self.items[t].parent;
        }
        self.selected = found.unwrap_or(0).min(self.rows.len().saturating_sub(1));
        self.scroll_to_selection();
    }

    pub(super) fn scroll_to_selection(&mut self) {
        let h = self.tree_height.max(1);
        if self.selected < self.tree_offset {
            self.tree_offset = self.selected;
        } else if self.selected >= self.tree_offset + h {
            self.tree_offset = self.selected + 1 - h;
        }
        let max_off = self.rows.len().saturating_sub(h);
        self.tree_offset = self.tree_offset.min(max_off);
    }

    pub fn select_row(&mut self, row: usize) {
        if self.rows.is_empty() {
            return;
        }
        let row = row.min(self.rows.len() - 1);
        if row != self.selected {
            self.detail_scroll = 0;
        }
        self.selected = row;
        self.scroll_to_selection();
    }

    pub fn move_by(&mut self, delta: isize) {
        let row = self.selected.saturating_add_signed(delta);
        self.select_row(row);
    }

    pub fn page(&self) -> isize {
        self.tree_height.saturating_sub(1).max(1) as isize
    }

    /// Selects an item, unfolding its ancestors if needed.
    pub fn select_item(&mut self, item: usize) {
        let mut changed = false;
        let mut p = self.items.get(item).and_then(|i| i.parent);
        while let Some(a) = p {
            if self.folded[a] {
                self.folded[a] = false;
                changed = true;
            }
            p = self.items[a].parent;
        }
        if changed {
            self.reflatten();
        }
        if let Some(pos) = self.rows.iter().position(|&r| r == item) {
            // A jump lands mid-screen, so what surrounds the target shows too.
            let h = self.tree_height.max(1);
            if pos < self.tree_offset || pos >= self.tree_offset + h {
                self.tree_offset = pos.saturating_sub(h / 2);
            }
            self.select_row(pos);
        }
    }

    pub fn toggle_fold(&mut self) {
        let Some(i) = self.selected_item() else {
            return;
        };
        if self.items[i].children.iter().any(|&c| self.shown[c]) {
            self.folded[i] = !self.folded[i];
            self.reflatten();
        }
    }

    /// `h`: fold an open branch, else go to the parent.
    pub fn left(&mut self) {
        let Some(i) = self.selected_item() else {
            return;
        };
        let has_children = self.items[i].children.iter().any(|&c| self.shown[c]);
        if has_children && !self.folded[i] {
            self.folded[i] = true;
            self.reflatten();
        } else if let Some(p) = self.items[i].parent {
            self.select_item(p);
        }
    }

    /// `l`: unfold a folded branch, else go to its first child.
    pub fn right(&mut self) {
        let Some(i) = self.selected_item() else {
            return;
        };
        if self.folded[i] {
            self.folded[i] = false;
            self.reflatten();
        } else if self.items[i].children.iter().any(|&c| self.shown[c]) {
            self.move_by(1);
        }
    }

    pub fn fold_all(&mut self, fold: bool) {
        for (i, f) in self.folded.iter_mut().enumerate() {
            *f = fold && i != 0;
        }
        self.reflatten();
    }

    fn is_leaf(&self, item: usize) -> bool {
        let it = &self.items[item];
        it.node.is_some() && it.children.is_empty()
    }

    /// Moves to the next (or previous) difference leaf in tree order,
    /// unfolding what hides it; or, after a search, to the next match.
    pub fn next(&mut self, forward: bool) {
        if let Some(s) = &self.search {
            if !s.matches.is_empty() && self.mode == Mode::Normal {
                self.next_match(forward);
                return;
            }
        }
        let Some(cur) = self.selected_item() else {
            return;
        };
        let n = self.preorder.len();
        let start = self.preorder_pos[cur];
        for step in 1..n {
            let pos = if forward {
                (start + step) % n
            } else {
                (start + n - step) % n
            };
            let item = self.preorder[pos];
            if self.shown[item] && self.is_leaf(item) && item != 0 {
                self.select_item(item);
                return;
            }
        }
    }

    pub fn is_folded(&self, item: usize) -> bool {
        self.folded.get(item).copied().unwrap_or(false)
    }

    /// Shown children: what a fold hides.
    pub fn has_shown_children(&self, item: usize) -> bool {
        self.items
            .get(item)
            .is_some_and(|it| it.children.iter().any(|&c| self.shown[c]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::tests::{names, node, report, sample};

    #[test]
    fn directories_become_rows_and_identical_is_hidden() {
        let s = sample();
        assert_eq!(
            names(&s),
            [
                "a.iso ↔ b.iso",
                " boot.cat",
                " fs.squashfs",
                "  usr",
                "   bin",
                "    hello",
                "   share",
                "    doc",
                "     new",
                " z",
            ]
        );
        let usr = s.rows[3];
        assert_eq!(s.items[usr].node, None);
        assert_eq!(s.items[usr].below, 3);
        assert_eq!(s.items[usr].status, Status::Modified);
        let share = s.rows[6];
        assert_eq!(s.items[share].below, 2);
    }

    #[test]
    fn folding_keeps_selection_on_the_fold() {
        let mut s = sample();
        s.select_row(5); // hello
        s.select_item(s.rows[3]); // usr
        s.toggle_fold();
        assert_eq!(names(&s).len(), 5);
        assert_eq!(s.items[s.selected_item().unwrap()].name, "usr");
        s.toggle_fold();
        assert_eq!(names(&s).len(), 10);
        // h on a leaf goes to its parent, h again folds it.
        s.select_row(5);
        s.left();
        assert_eq!(s.items[s.selected_item().unwrap()].name, "bin");
        s.left();
        assert!(s.is_folded(s.selected_item().unwrap()));
        s.right();
        assert!(!s.is_folded(s.selected_item().unwrap()));
    }

    #[test]
    fn next_leaf_unfolds_and_wraps() {
        let mut s = sample();
        s.fold_all(true);
        assert_eq!(s.rows.len(), 4);
        s.next(true);
        assert_eq!(s.selected_node().unwrap().address, "boot.cat");
        s.next(true);
        assert_eq!(
            s.selected_node().unwrap().address,
            "fs.squashfs::usr/bin/hello"
        );
        s.next(true);
        assert_eq!(
            s.selected_node().unwrap().address,
            "fs.squashfs::usr/share/doc/new"
        );
        s.next(true);
        assert_eq!(s.selected_node().unwrap().address, "z");
        s.next(true);
        assert_eq!(s.selected_node().unwrap().address, "boot.cat");
        s.next(false);
        assert_eq!(s.selected_node().unwrap().address, "z");
    }

    #[test]
    fn paging_keeps_the_cursor_in_view() {
        let kids = (0..100)
            .map(|i| node(&format!("f{i:03}"), Status::Modified, vec![]))
            .collect();
        let mut s = State::new(report(node("", Status::Modified, kids)));
        s.set_viewport(10, 10);
        s.move_by(s.page() * 3);
        assert_eq!(s.selected, 27);
        assert!(s.tree_offset <= 27 && 27 < s.tree_offset + 10);
        s.select_row(usize::MAX);
        assert_eq!(s.selected, 100);
        assert_eq!(s.tree_offset, 91);
    }

    #[test]
    fn last_components() {
        assert_eq!(last_component("a::b/c/hello"), "hello");
        assert_eq!(last_component("x.deb::data.tar.xz::./usr/"), "usr");
        assert_eq!(last_component("i::<segment-2>"), "<segment-2>");
        assert_eq!(last_component(""), "");
    }
}
