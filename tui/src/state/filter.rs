//! Filters and search over the browser's display tree: which rows pass the
//! status, kind, format, cause and root-cause filters (their ancestors stay
//! to hold them), and the live address search with its matches. Part of the
//! TUI, the last presenter in bytes → formats → engine → diagnosis → report
//! → presenters; it changes the state `ui` draws and draws nothing itself.

use std::collections::HashSet;

use reprodiff_report::{Node, Status};

use super::{Focus, Mode, State};

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

pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Modified => "modified",
        Status::Identical => "identical",
    }
}

/// The filter's kind, format and cause by value rather than by index, so a
/// rebuild that changes the lists of values keeps what was chosen.
pub(super) struct Chosen([Option<String>; 3]);

impl State {
    pub(super) fn chosen_values(&self) -> Chosen {
        let value = |list: &[String], i: Option<usize>| i.and_then(|i| list.get(i).cloned());
        Chosen([
            value(&self.kinds, self.filter.kind),
            value(&self.formats, self.filter.format),
            value(&self.causes, self.filter.cause),
        ])
    }

    /// Lists the kinds, formats and causes present in `nodes` (what the
    /// filter popup cycles through) and points the filter at the values
    /// chosen before.
    pub(super) fn list_values(&mut self, nodes: &[Node], chosen: Chosen) {
        let mut kinds = HashSet::new();
        let mut formats = HashSet::new();
        let mut causes = HashSet::new();
        for n in nodes {
            kinds.extend(n.kind.map(|k| k.as_str().to_string()));
            formats.extend(n.format.clone());
            causes.extend(n.causes.iter().map(|c| c.as_str().to_string()));
        }
        self.kinds = sorted(kinds);
        self.formats = sorted(formats);
        self.causes = sorted(causes);
        let index =
            |list: &[String], v: Option<String>| v.and_then(|v| list.iter().position(|x| *x == v));
        let [kind, format, cause] = chosen.0;
        self.filter.kind = index(&self.kinds, kind);
        self.filter.format = index(&self.formats, format);
        self.filter.cause = index(&self.causes, cause);
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

    pub(super) fn next_match(&mut self, forward: bool) {
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
            // Land on the member diagnosis chose to show the group (else
            // its first), not on the ancestor that stayed under the cursor:
            // that is what the group is about.
            let wanted = |n: &reprodiff_report::Node| match &g.representative {
                Some(r) => &n.address == r,
                None => self.group_set.contains(&n.address),
            };
            let first = self
                .preorder
                .iter()
                .copied()
                .find(|&i| self.node_of(i).is_some_and(wanted));
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

fn sorted(set: HashSet<String>) -> Vec<String> {
    let mut v: Vec<String> = set.into_iter().collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use crate::state::tests::{names, sample};

    #[test]
    fn identical_toggle_shows_them() {
        let mut s = sample();
        s.toggle_identical();
        assert!(names(&s).contains(&"   same".to_string()));
        s.toggle_identical();
        assert!(!names(&s).contains(&"   same".to_string()));
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
    fn a_group_lands_on_its_representative() {
        let mut r = sample().report.take().unwrap();
        r.groups.push(reprodiff_report::Group {
            cause: reprodiff_report::Cause::Mtime,
            representative: Some("z".into()),
            shape: "mtime".into(),
            count: 2,
            addresses: vec!["fs.squashfs::usr/bin/hello".into(), "z".into()],
        });
        let mut s = sample();
        s.report = Some(r);
        s.apply_group(0);
        assert_eq!(s.selected_node().map(|n| n.address.as_str()), Some("z"));
    }
}
