//! The browser's state: the report's difference tree re-shaped for display,
//! the selection, folds, filters and search, the viewport and what the
//! loading engine has sent so far. Everything the keys change lives here and
//! nothing here draws, so it is tested without a terminal; `ui` reads it and
//! `app` feeds it actions. Part of the TUI, the last presenter in bytes →
//! formats → engine → diagnosis → report → presenters.
//!
//! The display tree (rows, folds, movement) is in `tree`, filters and search
//! in `filter`; both are `impl State` blocks over this one struct.

use std::collections::HashSet;
use std::time::Duration;

use reprodiff_report::{Node, Report, Status};

use crate::ui::Detail;

mod filter;
mod tree;

pub use filter::{status_word, Filter, Search, FILTER_ROWS};
pub use tree::{last_component, Item};

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
    /// Those lines, built by `ui::refresh_detail` in the update step and
    /// only read while drawing; opaque here.
    pub detail: Detail,
    /// Bumped whenever the tree or the report is replaced, so what was
    /// built from the old ones (the detail lines) is known to be stale.
    pub generation: u64,
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
            detail: Detail::default(),
            generation: 0,
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
        self.generation += 1;
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

    fn build(&mut self, root: Node, root_name: String) {
        // What to carry over: the selection, its place on screen, the folds,
        // and (while results stream in) a search's origin and the filters,
        // which index lists this rebuild changes.
        let keep = self.selected_item().map(|i| self.item_key(i));
        let origin = self.search.as_ref().map(|s| self.item_key(s.origin));
        let chosen = self.chosen_values();
        let screen_row = self.selected.saturating_sub(self.tree_offset);
        let folded: HashSet<Vec<String>> = (0..self.items.len())
            .filter(|&i| self.folded.get(i).copied().unwrap_or(false))
            .map(|i| self.item_key(i))
            .collect();

        let tree::Built {
            nodes,
            items,
            preorder,
            preorder_pos,
        } = tree::build(root, root_name);
        self.list_values(&nodes, chosen);
        self.generation += 1;
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

    pub fn set_viewport(&mut self, tree_height: usize, detail_height: usize) {
        self.tree_height = tree_height.max(1);
        self.detail_height = detail_height.max(1);
        self.scroll_to_selection();
        self.clamp_detail();
    }

    pub fn clamp_detail(&mut self) {
        let max = self.detail_len.saturating_sub(self.detail_height);
        self.detail_scroll = self.detail_scroll.min(max);
    }

    pub fn scroll_detail(&mut self, delta: isize) {
        self.detail_scroll = self.detail_scroll.saturating_add_signed(delta);
        self.clamp_detail();
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
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
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
            truncated: None,
        }
    }

    pub fn sample() -> State {
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

    pub fn names(s: &State) -> Vec<String> {
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
}
