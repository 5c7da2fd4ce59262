//! The browser's state: the report's difference tree re-shaped for display
//! (directories inside a container become foldable rows), the selection,
//! folds, filters and search. Everything the keys change lives here and
//! nothing here draws, so it is tested without a terminal; `ui` reads it and
//! `app` feeds it actions.
//!
//! Large reports stay fast because the visible rows are a flat vector that is
//! rebuilt only when folds or filters change; moving and scrolling are index
//! arithmetic on it.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use reprodiff_report::{Node, Report, Status};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Groups,
    Tree,
    Detail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Extract,
    Markdown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub address: String,
    pub input: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Search,
    Help,
    /// The filter popup, with its highlighted row.
    Filter(usize),
    Prompt(Prompt),
}

/// The rows of the filter popup, in order.
pub const FILTER_ROWS: [&str; 4] = ["status", "kind", "format", "cause"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub status: Option<Status>,
    /// Indexes into `State::kinds`, `formats`, `causes`.
    pub kind: Option<usize>,
    pub format: Option<usize>,
    pub cause: Option<usize>,
    /// Index into the report's groups: only their addresses are shown.
    pub group: Option<usize>,
    pub show_identical: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Search {
    pub query: String,
    /// Item selected when the search started, restored by cancelling.
    pub origin: usize,
    /// Matching items, in tree order.
    pub matches: Vec<usize>,
}

pub struct State {
    /// The report with every node's children moved into `nodes`.
    pub report: Option<Report>,
    pub nodes: Vec<Node>,
    pub items: Vec<Item>,
    /// Item indexes in depth-first display order.
    preorder: Vec<usize>,
    preorder_pos: Vec<usize>,
    addr_lower: Vec<String>,
    pub folded: Vec<bool>,
    pub filter: Filter,
    group_set: HashSet<String>,
    pub kinds: Vec<String>,
    pub formats: Vec<String>,
    pub causes: Vec<String>,
    /// Items passing the filter (or with a descendant that does).
    shown: Vec<bool>,
    /// The visible rows: item indexes, folded subtrees left out.
    pub rows: Vec<usize>,
    pub selected: usize,
    pub tree_offset: usize,
    pub tree_height: usize,
    pub detail_scroll: usize,
    pub detail_height: usize,
    /// Lines the detail pane has for the selection (set by the app, for clamping).
    pub detail_len: usize,
    pub group_selected: usize,
    pub focus: Focus,
    pub mode: Mode,
    pub search: Option<Search>,
    pub message: Option<String>,
    /// Set while the engine is still comparing: what it compares.
    pub loading: Option<String>,
    pub elapsed: Duration,
    /// While loading: entries compared and bytes checked so far.
    pub progress: Option<(u64, u64)>,
    /// While loading: finished top-level subtrees, sorted by address; the
    /// provisional tree is built from them.
    streamed: Vec<Node>,
}

impl State {
    /// A browser waiting for the engine; `set_report` fills it in.
    pub fn loading(label: impl Into<String>) -> State {
        State {
            report: None,
            nodes: Vec::new(),
            items: Vec::new(),
            preorder: Vec::new(),
            preorder_pos: Vec::new(),
            addr_lower: Vec::new(),
            folded: Vec::new(),
            filter: Filter::default(),
            group_set: HashSet::new(),
            kinds: Vec::new(),
            formats: Vec::new(),
            causes: Vec::new(),
            shown: Vec::new(),
            rows: Vec::new(),
            selected: 0,
            tree_offset: 0,
            tree_height: 20,
            detail_scroll: 0,
            detail_height: 20,
            detail_len: 0,
            group_selected: 0,
            focus: Focus::Tree,
            mode: Mode::Normal,
            search: None,
            message: None,
            loading: Some(label.into()),
            elapsed: Duration::ZERO,
            progress: None,
            streamed: Vec::new(),
        }
    }

    pub fn new(report: Report) -> State {
        let mut s = State::loading("");
        s.set_report(report);
        s
    }

    /// Shows the finished report, replacing any provisional tree; the
    /// selection, folds and the identical toggle carry over by address.
    pub fn set_report(&mut self, mut report: Report) {
        let root = std::mem::replace(&mut report.tree, Node::new("", Status::Identical));
        let root_name = format!(
            "{} ↔ {}",
            file_name(&report.a.path),
            file_name(&report.b.path)
        );
        let root_addr = root.address.clone();
        let root_status = root.status;
        self.streamed.clear();
        self.filter = Filter {
            show_identical: self.filter.show_identical,
            ..Filter::default()
        };
        self.group_set.clear();
        self.build(root, root_name);
        report.tree = Node::new(root_addr, root_status);
        self.report = Some(report);
        self.loading = None;
        self.progress = None;
    }

    /// Adds a finished top-level subtree while the engine still runs and
    /// rebuilds the provisional tree (a later node for the same address
    /// replaces the earlier one).
    pub fn add_subtree(&mut self, node: Node) {
        self.add_subtrees(std::iter::once(node));
    }

    /// Several at once: one rebuild for all of them.
    pub fn add_subtrees(&mut self, nodes: impl IntoIterator<Item = Node>) {
        if self.is_loaded() {
            return;
        }
        let mut any = false;
        for node in nodes {
            any = true;
            match self
                .streamed
                .binary_search_by(|n| n.address.cmp(&node.address))
            {
                Ok(i) => self.streamed[i] = node,
                Err(i) => self.streamed.insert(i, node),
            }
        }
        if !any {
            return;
        }
        let mut root = Node::new("", Status::Modified);
        root.children = self.streamed.clone();
        let name = self.loading.clone().unwrap_or_default();
        self.build(root, name);
    }

    /// Address-like key of an item: its row names from below the root, so
    /// synthetic directories have one too and the root's label may change.
    fn item_key(&self, item: usize) -> Vec<String> {
        let mut key = Vec::new();
        let mut cur = Some(item);
        while let Some(i) = cur {
            let Some(it) = self.items.get(i) else { break };
            if it.parent.is_some() {
                key.push(it.name.clone());
            }
            cur = it.parent;
        }
        key.reverse();
        key
    }

    fn build(&mut self, mut root: Node, root_name: String) {
        // What to carry over: the selection, its place on screen, the folds,
        // and (while results stream in) a search's origin and the filters,
        // which index lists this rebuild changes.
        let keep = self.selected_item().map(|i| self.item_key(i));
        let origin = self.search.as_ref().map(|s| self.item_key(s.origin));
        let value = |list: &[String], i: Option<usize>| i.and_then(|i| list.get(i).cloned());
        let filter_values = (
            value(&self.kinds, self.filter.kind),
            value(&self.formats, self.filter.format),
            value(&self.causes, self.filter.cause),
        );
        let screen_row = self.selected.saturating_sub(self.tree_offset);
        let folded: HashSet<Vec<String>> = (0..self.items.len())
            .filter(|&i| self.folded.get(i).copied().unwrap_or(false))
            .map(|i| self.item_key(i))
            .collect();

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

        let mut kinds = HashSet::new();
        let mut formats = HashSet::new();
        let mut causes = HashSet::new();
        for n in &nodes {
            kinds.extend(n.kind.map(|k| k.as_str().to_string()));
            formats.extend(n.format.clone());
            causes.extend(n.causes.iter().map(|c| c.as_str().to_string()));
        }
        self.kinds = sorted(kinds);
        self.formats = sorted(formats);
        self.causes = sorted(causes);
        let index =
            |list: &[String], v: Option<String>| v.and_then(|v| list.iter().position(|x| *x == v));
        self.filter.kind = index(&self.kinds, filter_values.0);
        self.filter.format = index(&self.formats, filter_values.1);
        self.filter.cause = index(&self.causes, filter_values.2);

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
        self.addr_lower = nodes.iter().map(|n| n.address.to_lowercase()).collect();
        self.nodes = nodes;
        self.items = items;
        self.preorder = preorder;
        self.preorder_pos = preorder_pos;
        self.folded = vec![false; self.items.len()];
        let mut target = None;
        let mut origin_item = None;
        for i in 0..self.items.len() {
            let key = self.item_key(i);
            if folded.contains(&key) {
                self.folded[i] = true;
            }
            if target.is_none() && keep.as_ref() == Some(&key) {
                target = Some(i);
            }
            if origin_item.is_none() && origin.as_ref() == Some(&key) {
                origin_item = Some(i);
            }
        }
        if let Some(s) = &mut self.search {
            s.origin = origin_item.unwrap_or(0);
        }
        // The cursor goes to the same address (or, if it is gone, the top)
        // and stays on the same screen line as the tree grows around it.
        self.rows = target.map(|t| vec![t]).unwrap_or_default();
        self.selected = 0;
        self.refilter();
        self.tree_offset = self.selected.saturating_sub(screen_row);
        self.scroll_to_selection();
    }

    pub fn is_loaded(&self) -> bool {
        self.report.is_some()
    }

    pub fn groups(&self) -> &[reprodiff_report::Group] {
        self.report.as_ref().map_or(&[], |r| r.groups.as_slice())
    }

    /// The item under the cursor.
    pub fn selected_item(&self) -> Option<usize> {
        self.rows.get(self.selected).copied()
    }

    pub fn selected_node(&self) -> Option<&Node> {
        let item = self.selected_item()?;
        self.items[item].node.and_then(|n| self.nodes.get(n))
    }

    pub fn node_of(&self, item: usize) -> Option<&Node> {
        self.items.get(item)?.node.and_then(|n| self.nodes.get(n))
    }

    fn node_matches(&self, n: usize) -> bool {
        let Some(node) = self.nodes.get(n) else {
            return false;
        };
        let f = &self.filter;
        if node.status == Status::Identical && !f.show_identical {
            return false;
        }
        if f.status.is_some_and(|s| s != node.status) {
            return false;
        }
        if let Some(k) = f.kind.and_then(|k| self.kinds.get(k)) {
            if node.kind.map(|x| x.as_str()) != Some(k.as_str()) {
                return false;
            }
        }
        if let Some(fm) = f.format.and_then(|k| self.formats.get(k)) {
            if node.format.as_ref() != Some(fm) {
                return false;
            }
        }
        if let Some(c) = f.cause.and_then(|k| self.causes.get(k)) {
            if !node.causes.iter().any(|x| x.as_str() == c) {
                return false;
            }
        }
        if f.group.is_some() && !self.group_set.contains(&node.address) {
            return false;
        }
        true
    }

    /// Recomputes which items pass the filter, then the rows.
    pub fn refilter(&mut self) {
        let mut shown: Vec<bool> = self
            .items
            .iter()
            .map(|it| it.node.is_some_and(|n| self.node_matches(n)))
            .collect();
        for i in (1..self.items.len()).rev() {
            if shown[i] {
                if let Some(p) = self.items[i].parent {
                    shown[p] = true;
                }
            }
        }
        if let Some(root) = shown.first_mut() {
            *root = true;
        }
        self.shown = shown;
        if let Some(s) = self.search.take() {
            let q = s.query.clone();
            self.search = Some(s);
            self.recompute_matches(&q);
        }
        self.reflatten();
    }

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

    pub fn set_viewport(&mut self, tree_height: usize, detail_height: usize) {
        self.tree_height = tree_height.max(1);
        self.detail_height = detail_height.max(1);
        self.scroll_to_selection();
        self.clamp_detail();
    }

    fn scroll_to_selection(&mut self) {
        let h = self.tree_height.max(1);
        if self.selected < self.tree_offset {
            self.tree_offset = self.selected;
        } else if self.selected >= self.tree_offset + h {
            self.tree_offset = self.selected + 1 - h;
        }
        let max_off = self.rows.len().saturating_sub(h);
        self.tree_offset = self.tree_offset.min(max_off);
    }

    pub fn clamp_detail(&mut self) {
        let max = self.detail_len.saturating_sub(self.detail_height);
        self.detail_scroll = self.detail_scroll.min(max);
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

    pub fn scroll_detail(&mut self, delta: isize) {
        self.detail_scroll = self.detail_scroll.saturating_add_signed(delta);
        self.clamp_detail();
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

    fn next_match(&mut self, forward: bool) {
        let Some(s) = &self.search else { return };
        let cur = self.selected_item().map_or(0, |i| self.preorder_pos[i]);
        let m = &s.matches;
        let pick = if forward {
            m.iter()
                .find(|&&i| self.preorder_pos[i] > cur)
                .or(m.first())
        } else {
            m.iter()
                .rev()
                .find(|&&i| self.preorder_pos[i] < cur)
                .or(m.last())
        };
        if let Some(&item) = pick {
            let total = m.len();
            let idx = m.iter().position(|&x| x == item).unwrap_or(0) + 1;
            self.select_item(item);
            self.message = Some(format!("match {idx}/{total}"));
        }
    }

    pub fn start_search(&mut self) {
        let origin = self.selected_item().unwrap_or(0);
        self.search = Some(Search {
            query: String::new(),
            origin,
            matches: Vec::new(),
        });
        self.mode = Mode::Search;
        self.focus = Focus::Tree;
    }

    fn recompute_matches(&mut self, query: &str) {
        let q = query.to_lowercase();
        let matches: Vec<usize> = if q.is_empty() {
            Vec::new()
        } else {
            self.preorder
                .iter()
                .copied()
                .filter(|&i| {
                    self.shown[i]
                        && self.items[i]
                            .node
                            .is_some_and(|n| i != 0 && self.addr_lower[n].contains(&q))
                })
                .collect()
        };
        if let Some(s) = &mut self.search {
            s.matches = matches;
        }
    }

    /// Live search: every keystroke jumps to the first match at or after
    /// where the search started.
    pub fn set_query(&mut self, query: String) {
        let Some(origin) = self.search.as_ref().map(|s| s.origin) else {
            return;
        };
        self.recompute_matches(&query);
        let Some(s) = &mut self.search else { return };
        s.query = query;
        let from = self.preorder_pos.get(origin).copied().unwrap_or(0);
        let pick = s
            .matches
            .iter()
            .find(|&&i| self.preorder_pos[i] >= from)
            .or(s.matches.first())
            .copied();
        let n = s.matches.len();
        match pick {
            Some(item) => {
                self.select_item(item);
                self.message = Some(format!("{n} match{}", if n == 1 { "" } else { "es" }));
            }
            None => {
                self.message = Some("no match".into());
            }
        }
    }

    pub fn search_input(&mut self, c: Option<char>) {
        let Some(s) = &self.search else { return };
        let mut q = s.query.clone();
        match c {
            Some(c) => q.push(c),
            None => {
                q.pop();
            }
        }
        self.set_query(q);
    }

    pub fn accept_search(&mut self) {
        self.mode = Mode::Normal;
        if self.search.as_ref().is_some_and(|s| s.query.is_empty()) {
            self.search = None;
            self.message = None;
        }
    }

    pub fn cancel_search(&mut self) {
        self.mode = Mode::Normal;
        if let Some(s) = self.search.take() {
            self.select_item(s.origin);
        }
        self.message = None;
    }

    pub fn toggle_identical(&mut self) {
        self.filter.show_identical = !self.filter.show_identical;
        self.message = Some(if self.filter.show_identical {
            "showing identical entries".into()
        } else {
            "hiding identical entries".into()
        });
        self.refilter();
    }

    /// Cycles one row of the filter popup forward or back through "any" and
    /// the values present in the report.
    pub fn cycle_filter(&mut self, row: usize, forward: bool) {
        fn cycle(cur: Option<usize>, len: usize, forward: bool) -> Option<usize> {
            // Positions: 0 = any, 1..=len = values.
            let n = len + 1;
            let pos = cur.map_or(0, |c| c + 1);
            let next = if forward {
                (pos + 1) % n
            } else {
                (pos + n - 1) % n
            };
            next.checked_sub(1)
        }
        const STATUSES: [Status; 4] = [
            Status::Added,
            Status::Removed,
            Status::Modified,
            Status::Identical,
        ];
        match row {
            0 => {
                let cur = self
                    .filter
                    .status
                    .and_then(|s| STATUSES.iter().position(|&x| x == s));
                self.filter.status = cycle(cur, STATUSES.len(), forward).map(|i| STATUSES[i]);
                if self.filter.status == Some(Status::Identical) {
                    self.filter.show_identical = true;
                }
            }
            1 => self.filter.kind = cycle(self.filter.kind, self.kinds.len(), forward),
            2 => self.filter.format = cycle(self.filter.format, self.formats.len(), forward),
            3 => self.filter.cause = cycle(self.filter.cause, self.causes.len(), forward),
            _ => {}
        }
        self.refilter();
    }

    /// The popup's text for one filter row.
    pub fn filter_value(&self, row: usize) -> String {
        let any = || "any".to_string();
        match row {
            0 => self
                .filter
                .status
                .map_or_else(any, |s| status_word(s).to_string()),
            1 => self
                .filter
                .kind
                .and_then(|i| self.kinds.get(i))
                .cloned()
                .unwrap_or_else(any),
            2 => self
                .filter
                .format
                .and_then(|i| self.formats.get(i))
                .cloned()
                .unwrap_or_else(any),
            3 => self
                .filter
                .cause
                .and_then(|i| self.causes.get(i))
                .cloned()
                .unwrap_or_else(any),
            _ => String::new(),
        }
    }

    /// Shows only the addresses of one root cause; the same group again
    /// shows everything.
    pub fn apply_group(&mut self, group: usize) {
        if self.filter.group == Some(group) {
            self.filter.group = None;
            self.group_set.clear();
            self.message = Some("showing every difference".into());
        } else if let Some(g) = self.groups().get(group).cloned() {
            self.group_set = g.addresses.iter().cloned().collect();
            self.message = Some(format!("{}: {} ({})", g.cause, g.shape, g.count));
            self.filter.group = Some(group);
            self.refilter();
            // Land on the group's first member, not on the ancestor that
            // stayed under the cursor: that is what the group is about.
            let first = self.preorder.iter().copied().find(|&i| {
                self.node_of(i)
                    .is_some_and(|n| self.group_set.contains(&n.address))
            });
            if let Some(i) = first {
                self.select_item(i);
            }
            return;
        }
        self.refilter();
    }

    /// Esc in normal mode: drops the search, then the filters.
    pub fn clear(&mut self) {
        if self.search.take().is_some() {
            self.message = None;
            return;
        }
        let keep_identical = self.filter.show_identical;
        if self.filter
            != (Filter {
                show_identical: keep_identical,
                ..Filter::default()
            })
        {
            self.filter = Filter {
                show_identical: keep_identical,
                ..Filter::default()
            };
            self.group_set.clear();
            self.message = Some("filters cleared".into());
            self.refilter();
        }
    }

    pub fn filter_active(&self) -> bool {
        let f = &self.filter;
        f.status.is_some()
            || f.kind.is_some()
            || f.format.is_some()
            || f.cause.is_some()
            || f.group.is_some()
    }

    pub fn cycle_focus(&mut self) {
        let has_groups = !self.groups().is_empty();
        self.focus = match self.focus {
            Focus::Groups => Focus::Tree,
            Focus::Tree => Focus::Detail,
            Focus::Detail if has_groups => Focus::Groups,
            Focus::Detail => Focus::Tree,
        };
    }

    pub fn move_group(&mut self, delta: isize) {
        let n = self.groups().len();
        if n > 0 {
            self.group_selected = self.group_selected.saturating_add_signed(delta).min(n - 1);
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

    /// Does the item's address contain the current query?
    pub fn is_match(&self, item: usize) -> bool {
        match &self.search {
            Some(s) if !s.query.is_empty() => self.items[item]
                .node
                .is_some_and(|n| item != 0 && self.addr_lower[n].contains(&s.query.to_lowercase())),
            _ => false,
        }
    }
}

pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Modified => "modified",
        Status::Identical => "identical",
    }
}

fn sorted(set: HashSet<String>) -> Vec<String> {
    let mut v: Vec<String> = set.into_iter().collect();
    v.sort();
    v
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The last component of an address: what a tree row shows.
pub fn last_component(address: &str) -> &str {
    let inner = address.rsplit("::").next().unwrap_or(address);
    let trimmed = inner.trim_end_matches('/');
    trimmed
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(inner)
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use reprodiff_report::{Input, Summary, Verdict, SCHEMA};

    pub fn node(addr: &str, status: Status, children: Vec<Node>) -> Node {
        let mut n = Node::new(addr, status);
        n.kind = Some(reprodiff_report::Kind::File);
        n.children = children;
        n
    }

    pub fn report(tree: Node) -> Report {
        let input = |p: &str| Input {
            path: p.into(),
            size: 0,
            sha256: String::new(),
        };
        Report {
            schema: SCHEMA.into(),
            verdict: Verdict::Different,
            a: input("x/a.iso"),
            b: input("x/b.iso"),
            summary: Summary::default(),
            groups: Vec::new(),
            regions: Vec::new(),
            tree,
        }
    }

    fn sample() -> State {
        use Status::*;
        State::new(report(node(
            "",
            Modified,
            vec![
                node("boot.cat", Modified, vec![]),
                node(
                    "fs.squashfs",
                    Modified,
                    vec![
                        node("fs.squashfs::usr/bin/hello", Modified, vec![]),
                        node("fs.squashfs::usr/share/doc", Modified, vec![]),
                        node("fs.squashfs::usr/share/doc/new", Added, vec![]),
                        node("fs.squashfs::etc/same", Identical, vec![]),
                    ],
                ),
                node("z", Removed, vec![]),
            ],
        )))
    }

    fn names(s: &State) -> Vec<String> {
        s.rows
            .iter()
            .map(|&i| {
                format!(
                    "{}{}",
                    " ".repeat(s.items[i].depth as usize),
                    s.items[i].name
                )
            })
            .collect()
    }

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
    fn identical_toggle_shows_them() {
        let mut s = sample();
        s.toggle_identical();
        assert!(names(&s).contains(&"   same".to_string()));
        s.toggle_identical();
        assert!(!names(&s).contains(&"   same".to_string()));
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
    fn search_jumps_live_cycles_and_cancels() {
        let mut s = sample();
        s.select_row(1);
        s.start_search();
        for c in "hel".chars() {
            s.search_input(Some(c));
        }
        assert_eq!(
            s.selected_node().unwrap().address,
            "fs.squashfs::usr/bin/hello"
        );
        s.cancel_search();
        assert_eq!(s.selected_node().unwrap().address, "boot.cat");

        s.start_search();
        for c in "USR".chars() {
            s.search_input(Some(c));
        }
        s.accept_search();
        assert_eq!(s.search.as_ref().unwrap().matches.len(), 3);
        assert_eq!(
            s.selected_node().unwrap().address,
            "fs.squashfs::usr/bin/hello"
        );
        s.next(true);
        assert_eq!(
            s.selected_node().unwrap().address,
            "fs.squashfs::usr/share/doc"
        );
        s.next(false);
        s.next(false);
        assert_eq!(
            s.selected_node().unwrap().address,
            "fs.squashfs::usr/share/doc/new"
        );
        s.clear();
        assert!(s.search.is_none());
    }

    #[test]
    fn search_unfolds_the_match() {
        let mut s = sample();
        s.fold_all(true);
        s.start_search();
        s.search_input(Some('n'));
        s.search_input(Some('e'));
        s.search_input(Some('w'));
        assert_eq!(
            s.selected_node().unwrap().address,
            "fs.squashfs::usr/share/doc/new"
        );
        s.search_input(None);
        s.search_input(None);
        s.search_input(None);
        s.accept_search();
        assert!(s.search.is_none());
    }

    #[test]
    fn filters_keep_ancestors_and_clear() {
        let mut s = sample();
        s.cycle_filter(0, true); // added
        assert_eq!(
            names(&s),
            [
                "a.iso ↔ b.iso",
                " fs.squashfs",
                "  usr",
                "   share",
                "    doc",
                "     new"
            ]
        );
        s.cycle_filter(0, true); // removed
        assert_eq!(names(&s), ["a.iso ↔ b.iso", " z"]);
        assert_eq!(s.filter_value(0), "removed");
        s.clear();
        assert_eq!(names(&s).len(), 10);
    }

    #[test]
    fn groups_filter_to_their_addresses() {
        let mut r = sample().report.take().unwrap();
        r.groups.push(reprodiff_report::Group {
            cause: reprodiff_report::Cause::BuildId,
            representative: None,
            shape: "one byte".into(),
            count: 1,
            addresses: vec!["fs.squashfs::usr/bin/hello".into()],
        });
        let mut s = sample();
        s.report = Some(r);
        s.apply_group(0);
        assert_eq!(
            names(&s),
            [
                "a.iso ↔ b.iso",
                " fs.squashfs",
                "  usr",
                "   bin",
                "    hello"
            ]
        );
        // The cursor is on the member, not where it was (the root).
        assert_eq!(
            s.selected_node().map(|n| n.address.as_str()),
            Some("fs.squashfs::usr/bin/hello")
        );
        s.apply_group(0);
        assert_eq!(names(&s).len(), 10);
    }

    #[test]
    fn empty_and_loading_states_do_not_panic() {
        let mut s = State::loading("a ↔ b");
        s.move_by(5);
        s.next(true);
        s.toggle_fold();
        s.left();
        s.right();
        s.start_search();
        s.search_input(Some('x'));
        s.cycle_filter(1, true);
        assert!(s.selected_node().is_none());

        let mut s = State::new(report(Node::new("", Status::Identical)));
        assert_eq!(s.rows.len(), 1);
        s.next(true);
        s.move_by(-3);
        s.toggle_fold();
        assert_eq!(s.selected, 0);
    }

    fn selected_address(s: &State) -> Option<String> {
        s.selected_node().map(|n| n.address.clone())
    }

    #[test]
    fn streamed_subtrees_are_inserted_in_address_order() {
        use Status::*;
        let mut s = State::loading("a ↔ b");
        assert!(s.rows.is_empty());
        s.add_subtree(node("z", Removed, vec![]));
        assert_eq!(names(&s), ["a ↔ b", " z"]);
        s.add_subtree(node(
            "fs.squashfs",
            Modified,
            vec![node("fs.squashfs::usr/bin/hello", Modified, vec![])],
        ));
        s.add_subtrees(vec![
            node("boot.cat", Modified, vec![]),
            node("EFI/boot/bootx64.efi", Added, vec![]),
        ]);
        assert_eq!(
            names(&s),
            [
                "a ↔ b",
                " EFI",
                "  boot",
                "   bootx64.efi",
                " boot.cat",
                " fs.squashfs",
                "  usr",
                "   bin",
                "    hello",
                " z",
            ]
        );
        assert!(!s.is_loaded(), "still loading until the report arrives");
        assert_eq!(s.loading.as_deref(), Some("a ↔ b"));
        // The same address again replaces the earlier node.
        s.add_subtree(node("z", Modified, vec![]));
        assert_eq!(s.nodes.len(), 6);
        assert_eq!(s.nodes.iter().filter(|n| n.address == "z").count(), 1);
    }

    #[test]
    fn search_and_filters_work_while_results_stream_in() {
        use Status::*;
        let with_cause = |addr: &str, cause: &str| {
            let mut n = node(addr, Modified, vec![]);
            n.causes = vec![reprodiff_report::Cause::parse(cause).unwrap()];
            n
        };
        let mut s = State::loading("a ↔ b");
        s.add_subtree(with_cause("m.txt", "mtime"));
        s.add_subtree(with_cause("x.bin", "content"));
        // A cause filter set now keeps meaning "mtime" when a new cause that
        // sorts before it arrives and shifts the list.
        let mtime = s.causes.iter().position(|c| c == "mtime").unwrap();
        s.cycle_filter(3, true);
        while s.filter.cause != Some(mtime) {
            s.cycle_filter(3, true);
        }
        assert_eq!(names(&s), ["a ↔ b", " m.txt"]);
        s.add_subtree(with_cause("b.bin", "build-id"));
        assert_eq!(s.filter_value(3), "mtime");
        s.add_subtree(with_cause("n.txt", "mtime"));
        assert_eq!(names(&s), ["a ↔ b", " m.txt", " n.txt"]);
        s.clear();
        // Search: matches follow the growing tree; cancelling returns to
        // where the search started, by address.
        s.select_row(
            s.rows
                .iter()
                .position(|&i| s.items[i].name == "x.bin")
                .unwrap(),
        );
        s.start_search();
        assert_eq!(s.mode, Mode::Search);
        s.set_query(".txt".into());
        assert_eq!(selected_address(&s).as_deref(), Some("m.txt"));
        s.add_subtree(with_cause("a.txt", "mtime"));
        assert_eq!(s.search.as_ref().map(|x| x.matches.len()), Some(3));
        s.cancel_search();
        assert_eq!(selected_address(&s).as_deref(), Some("x.bin"));
    }

    #[test]
    fn selection_and_folds_follow_the_address_as_the_tree_grows() {
        use Status::*;
        let mut s = State::loading("a ↔ b");
        s.set_viewport(5, 5);
        s.add_subtree(node("m", Modified, vec![]));
        s.add_subtree(node(
            "fs.squashfs",
            Modified,
            vec![node("fs.squashfs::usr/bin/hello", Modified, vec![])],
        ));
        s.select_row(s.rows.iter().position(|&i| s.items[i].name == "m").unwrap());
        assert_eq!(selected_address(&s).as_deref(), Some("m"));
        let line = s.selected - s.tree_offset;
        // Entries before the selection push it down, not away.
        s.add_subtrees((0..6).map(|i| node(&format!("a{i}"), Added, vec![])));
        assert_eq!(selected_address(&s).as_deref(), Some("m"));
        assert_eq!(s.selected - s.tree_offset, line, "same screen line");
        // A fold on a synthetic directory is kept too.
        let usr = s
            .rows
            .iter()
            .position(|&i| s.items[i].name == "usr")
            .unwrap();
        s.select_row(usr);
        s.toggle_fold();
        s.add_subtree(node("b", Added, vec![]));
        assert!(s.selected_node().is_none(), "usr is a directory row");
        assert_eq!(s.items[s.selected_item().unwrap()].name, "usr");
        assert!(s.is_folded(s.selected_item().unwrap()));
        assert!(!names(&s).iter().any(|n| n.trim() == "bin"));
    }

    #[test]
    fn the_final_report_replaces_the_provisional_tree_keeping_the_selection() {
        use Status::*;
        let mut s = State::loading("a ↔ b");
        s.progress = Some((10, 2048));
        s.add_subtree(node(
            "fs.squashfs",
            Modified,
            vec![node("fs.squashfs::usr/bin/hello", Modified, vec![])],
        ));
        s.add_subtree(node("z", Removed, vec![]));
        let hello = s
            .rows
            .iter()
            .position(|&i| s.items[i].name == "hello")
            .unwrap();
        s.select_row(hello);
        s.toggle_identical();
        let mut final_root = node(
            "",
            Modified,
            vec![
                node("boot.cat", Modified, vec![]),
                node(
                    "fs.squashfs",
                    Modified,
                    vec![
                        node("fs.squashfs::etc/same", Identical, vec![]),
                        node("fs.squashfs::usr/bin/hello", Modified, vec![]),
                    ],
                ),
                node("z", Removed, vec![]),
            ],
        );
        final_root.children[1].children[1]
            .causes
            .push(reprodiff_report::Cause::Mtime);
        s.set_report(report(final_root));
        assert!(s.is_loaded());
        assert!(s.loading.is_none() && s.progress.is_none());
        assert_eq!(s.items[0].name, "a.iso ↔ b.iso");
        assert_eq!(
            selected_address(&s).as_deref(),
            Some("fs.squashfs::usr/bin/hello")
        );
        assert_eq!(
            s.selected_node().unwrap().causes,
            ["mtime"],
            "the final node"
        );
        assert!(s.filter.show_identical, "the identical toggle carries over");
        assert!(names(&s).contains(&"   same".to_string()));
        assert_eq!(s.nodes.iter().filter(|n| n.address == "z").count(), 1);
        // Late subtrees after the report are ignored.
        s.add_subtree(node("late", Added, vec![]));
        assert!(!names(&s).iter().any(|n| n.trim() == "late"));
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
