//! Structured documents compared as data, not as lines: JSON (an image
//! description `latest.json`), YAML (a build manifest, a `control.yml`,
//! `upgrades.yml`) and deb822 (`.buildinfo`, `.changes`, `.dsc`, dpkg's
//! `status`) are parsed on both sides into one small tree and compared key
//! by key. A change is a finding at its key path
//! (`data.packages.binary[acl].version`: `2.2.53-4` → `2.2.53-5`); keys or
//! list items in another order are `ordering`; keys and items only one side
//! has are findings with the other side `null`. Lists of mappings are
//! paired by an identifying key (`package`, `name`, `id`, `path`, any
//! case), lists of plain values by value, anything else by position.
//! A value's cause is what it is: a `version` is the package's version, a
//! dependency's constraint the toolchain's or the package's (as for a
//! `control` stanza), a digest a checksum line naming its file, and any
//! other value is masked as text is (a date moved is `embedded-timestamp`).
//!
//! Flow: bytes → formats → engine → **diagnosis** → report → presenters.
//! [`super::classify_leaf`] calls [`explain`] on a differing text leaf
//! before the line-based rules; when both sides parse, its findings stand
//! for the text diff (kept on the node for display) and the node's causes
//! come from them. Parsing is bounded: input size, nesting depth, the
//! number of nodes an alias-expanded YAML document may grow to, and the
//! findings kept per document.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::deb822;
use super::text;
use crate::report::{Cause, Change, Role, Value};

/// Documents larger than this are compared as text.
pub(super) const MAX_BYTES: usize = 8 << 20;

/// Nesting deeper than this is not a document anyone writes by hand or by
/// tool; it is compared as text.
const MAX_DEPTH: usize = 64;

/// Nodes one side may hold once YAML aliases are expanded (the parser
/// bounds the expansion to a multiple of the events; this bounds memory).
const MAX_NODES: usize = 1 << 20;

/// Findings kept per document; the rest are counted, one per cause.
pub const MAX_FINDINGS: usize = 200;

/// Keys that identify a mapping in a list, in order of preference.
const ID_KEYS: [&str; 4] = ["package", "name", "id", "path"];

/// Names of deb822 files, by their ending.
const DEB822_NAMES: [&str; 3] = [".buildinfo", ".changes", ".dsc"];

/// Keys whose value is a digest of another file.
const DIGEST_KEYS: [&str; 8] = [
    "sha256",
    "sha512",
    "sha1",
    "md5",
    "md5sum",
    "sha256sum",
    "checksum",
    "hash",
];

/// Keys whose value names the file a digest beside it is of.
const FILE_KEYS: [&str; 4] = ["path", "file", "filename", "url"];

/// A parsed document.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tree {
    Null,
    Scalar(String),
    List(Vec<Item>),
    Map(Vec<(String, Tree)>),
}

/// A list item and what identifies it, when the list says (a relation's
/// package, a checksum line's file, an `Environment` line's variable).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Item {
    pub(super) id: Option<String>,
    pub(super) tree: Tree,
}

impl Item {
    fn plain(tree: Tree) -> Item {
        Item { id: None, tree }
    }
}

/// How the items of one list were written, which says what a change of
/// one means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ListKind {
    /// Versioned package relations (`Depends`, `Installed-Build-Depends`).
    Relations,
    /// Lines of a multi-line deb822 field (`Checksums-Sha256`,
    /// `Environment`).
    Lines,
    Other,
}

impl Tree {
    /// The value as one line: scalars as written, containers compactly.
    fn shown(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        if s.len() > 200 {
            let mut cut = 200;
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
            s.push('…');
        }
        s
    }

    fn write(&self, s: &mut String) {
        if s.len() > 200 {
            return;
        }
        match self {
            Tree::Null => s.push_str("null"),
            Tree::Scalar(v) => s.push_str(v),
            Tree::List(items) => {
                s.push('[');
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    it.tree.write(s);
                }
                s.push(']');
            }
            Tree::Map(kv) => {
                s.push('{');
                for (i, (k, v)) in kv.iter().enumerate() {
                    if i > 0 {
                        s.push_str(", ");
                    }
                    s.push_str(k);
                    s.push_str(": ");
                    v.write(s);
                }
                s.push('}');
            }
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&Tree> {
        match self {
            Tree::Map(kv) => kv
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub(super) fn scalar(&self) -> Option<&str> {
        match self {
            Tree::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

/// Builds a [`Tree`] from any serde deserializer, counting nodes against a
/// shared budget and refusing depth past [`MAX_DEPTH`].
#[derive(Clone, Copy)]
struct Seed<'a> {
    budget: &'a Cell<usize>,
    depth: usize,
}

impl Seed<'_> {
    fn take<E: de::Error>(&self) -> Result<(), E> {
        let left = self.budget.get();
        if left == 0 {
            return Err(E::custom("too many nodes"));
        }
        self.budget.set(left - 1);
        if self.depth > MAX_DEPTH {
            return Err(E::custom("nested too deep"));
        }
        Ok(())
    }

    fn inner(self) -> Self {
        Seed {
            depth: self.depth + 1,
            ..self
        }
    }

    fn scalar<E: de::Error>(self, v: String) -> Result<Tree, E> {
        self.take()?;
        Ok(Tree::Scalar(v))
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Tree;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON or YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tree, E> {
        self.scalar(v.to_string())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tree, E> {
        self.scalar(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tree, E> {
        self.scalar(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
        self.scalar(v.to_string())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tree, E> {
        self.scalar(v.to_string())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Tree, E> {
        self.scalar(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Tree, E> {
        self.take()?;
        Ok(Tree::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Tree, E> {
        self.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        self.take()?;
        let mut items = Vec::new();
        while let Some(t) = seq.next_element_seed(self.inner())? {
            items.push(Item::plain(t));
        }
        Ok(Tree::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        self.take()?;
        let mut kv = Vec::new();
        while let Some(k) = map.next_key_seed(self.inner())? {
            let v = map.next_value_seed(self.inner())?;
            let key = match k {
                Tree::Scalar(s) => s,
                other => other.shown(),
            };
            kv.push((key, v));
        }
        Ok(Tree::Map(kv))
    }
}

/// The deepest nesting of flow collections (`[`, `{`), counted over every
/// byte: an over-estimate inside quoted strings, which only sends such a
/// document to the text rules. The YAML scanner's cost grows with the
/// square of this depth, so it is checked before parsing.
fn flow_depth(t: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for &c in t {
        match c {
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn parse_json(t: &[u8]) -> Option<Tree> {
    let budget = Cell::new(MAX_NODES);
    let mut d = serde_json::Deserializer::from_slice(t);
    let tree = Seed {
        budget: &budget,
        depth: 0,
    }
    .deserialize(&mut d)
    .ok()?;
    d.end().ok()?;
    Some(tree)
}

pub(super) fn parse_yaml(t: &[u8]) -> Option<Tree> {
    if flow_depth(t) > MAX_DEPTH {
        return None;
    }
    let s = std::str::from_utf8(t).ok()?;
    let budget = Cell::new(MAX_NODES);
    let d = serde_yaml_ng::Deserializer::from_str(s);
    Seed {
        budget: &budget,
        depth: 0,
    }
    .deserialize(d)
    .ok()
}

/// A relation field's items, each identified by its package.
fn relation_items(v: &str) -> Vec<Item> {
    v.split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let name = d
                .split(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or(d);
            Item {
                id: Some(name.to_string()),
                tree: Tree::Scalar(d.to_string()),
            }
        })
        .collect()
}

/// What identifies a line of a multi-line field: the file a checksum line
/// names (its last word), the variable an `Environment` line sets.
fn line_id(line: &str) -> Option<String> {
    let first = line.split_whitespace().next()?;
    if is_digest(first) {
        return line.split_whitespace().last().map(str::to_string);
    }
    let (var, _) = first.split_once('=')?;
    Some(var.to_string())
}

fn is_digest(w: &str) -> bool {
    (32..=128).contains(&w.len()) && w.bytes().all(|c| c.is_ascii_hexdigit())
}

/// One deb822 field's value as a tree: a relation field as its relations,
/// a value that opens with an empty line (`Checksums-Sha256:`,
/// `Environment:`) as its lines, anything else as written.
fn deb822_value(key: &str, v: &str) -> Tree {
    let relation = deb822::RELATIONS
        .iter()
        .chain(&deb822::OTHER_RELATIONS)
        .any(|r| r.eq_ignore_ascii_case(key));
    if relation {
        // Continuation lines are part of the list, not of its items.
        return Tree::List(relation_items(&v.replace('\n', " ")));
    }
    if v.is_empty() || !v.contains('\n') {
        return Tree::Scalar(v.to_string());
    }
    let lines: Vec<&str> = v.split('\n').collect();
    if lines.first().is_some_and(|l| l.trim().is_empty()) {
        let items = lines
            .iter()
            .skip(1)
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && *l != ".")
            .map(|l| Item {
                id: line_id(l),
                tree: Tree::Scalar(l.to_string()),
            })
            .collect();
        return Tree::List(items);
    }
    Tree::Scalar(v.to_string())
}

/// A deb822 document: one stanza as a mapping, several as a list of them.
fn parse_deb822(t: &[u8], named: bool) -> Option<(Tree, Vec<u8>)> {
    let (body, signature) = deb822::signed_body(t);
    let stanzas = deb822::stanzas(body)?;
    // A key alone (`Note: x`) is not enough to call text deb822, nor are
    // lowercase keys (YAML's): Debian's fields are capitalised.
    let capitalised = stanzas
        .iter()
        .flatten()
        .all(|(k, _)| k.starts_with(|c: char| c.is_ascii_uppercase()));
    // One stanza of one-line fields (a `build-info.txt`) the line rules
    // already pair line by line: structure is a list of stanzas or a
    // multi-line field, unless the name says deb822.
    let shaped = stanzas.len() > 1 || stanzas.iter().flatten().any(|(_, v)| v.contains('\n'));
    if !capitalised || stanzas.iter().map(Vec::len).sum::<usize>() < 2 || !(shaped || named) {
        return None;
    }
    let mut maps: Vec<Tree> = stanzas
        .iter()
        .map(|s| {
            Tree::Map(
                s.iter()
                    .map(|(k, v)| (k.clone(), deb822_value(k, v)))
                    .collect(),
            )
        })
        .collect();
    let tree = if maps.len() == 1 {
        maps.pop()?
    } else {
        Tree::List(maps.into_iter().map(Item::plain).collect())
    };
    Some((tree, signature.to_vec()))
}

/// What kind of document a name and its bytes are.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Json,
    Yaml,
    /// `named`: the file's name says it is deb822.
    Deb822 {
        named: bool,
    },
}

fn kind(name: &str, a: &[u8]) -> Kind {
    let name = name.rsplit(['/', ':']).next().unwrap_or(name);
    let ext = |e: &str| name.len() > e.len() && name.ends_with(e);
    if ext(".json") || a.trim_ascii_start().starts_with(b"{") {
        Kind::Json
    } else if ext(".yml") || ext(".yaml") || name == ".build-manifest" || ext(".build-manifest") {
        Kind::Yaml
    } else {
        Kind::Deb822 {
            named: DEB822_NAMES.iter().any(|n| ext(n)) || name == "control",
        }
    }
}

/// Compares two structured documents; `None` unless both parse as the
/// same kind of document, as a mapping or a list, and differ as data.
pub fn explain(name: &str, a: &[u8], b: &[u8]) -> Option<Vec<Change>> {
    if a.len().max(b.len()) > MAX_BYTES {
        return None;
    }
    let container = |t: &Tree| matches!(t, Tree::Map(_) | Tree::List(_));
    let mut out = Vec::new();
    match kind(name, a) {
        Kind::Json => {
            let (ta, tb) = (parse_json(a)?, parse_json(b)?);
            if !container(&ta) || !container(&tb) {
                return None;
            }
            compare(&mut out, "data", &ta, &tb, &Context::default());
        }
        Kind::Yaml => {
            let (ta, tb) = (parse_yaml(a)?, parse_yaml(b)?);
            if !container(&ta) || !container(&tb) {
                return None;
            }
            compare(&mut out, "data", &ta, &tb, &Context::default());
        }
        Kind::Deb822 { named } => {
            let ((ta, sa), (tb, sb)) = (parse_deb822(a, named)?, parse_deb822(b, named)?);
            // Whole records in another order are said by the record rule.
            if text::reordered_records(a, b).is_some() {
                return None;
            }
            compare(&mut out, "data", &ta, &tb, &Context::default());
            if sa != sb {
                // A signature is over the text: it differs whenever the
                // text does.
                let cause = if out.is_empty() {
                    Cause::Content
                } else {
                    Cause::Consequential
                };
                let side = |s: &[u8]| Value::text(if s.is_empty() { "unsigned" } else { "signed" });
                out.push(Change::finding("signature", side(&sa), side(&sb), cause));
            }
        }
    }
    if out.is_empty() {
        return None;
    }
    Some(cap(out))
}

/// Two parsed documents compared key by key, as [`explain`] does once it
/// has parsed them (for a caller that parsed them for its own reading).
pub(super) fn compare_trees(a: &Tree, b: &Tree) -> Vec<Change> {
    let mut out = Vec::new();
    compare(&mut out, "data", a, b, &Context::default());
    cap(out)
}

/// Keeps the first [`MAX_FINDINGS`] findings and, for each cause among the
/// rest, its first with the count of the others in `more`.
pub(super) fn cap(mut out: Vec<Change>) -> Vec<Change> {
    if out.len() <= MAX_FINDINGS {
        return out;
    }
    let rest = out.split_off(MAX_FINDINGS);
    let mut firsts: Vec<Change> = Vec::new();
    for c in rest {
        match firsts
            .iter_mut()
            .find(|f| f.role == c.role && f.cause == c.cause)
        {
            Some(f) => f.more += 1 + c.more,
            None => firsts.push(c),
        }
    }
    out.extend(firsts);
    out
}

/// What the path being compared sits in.
#[derive(Debug, Clone, Default)]
struct Context {
    /// The mapping key the value is at.
    key: Option<String>,
    /// The kind of list the value is an item of.
    list: Option<ListKind>,
    /// The file a digest in this mapping is of.
    file: Option<String>,
}

fn compare(out: &mut Vec<Change>, path: &str, a: &Tree, b: &Tree, cx: &Context) {
    if a == b {
        return;
    }
    match (a, b) {
        (Tree::Map(ma), Tree::Map(mb)) => compare_maps(out, path, ma, mb),
        (Tree::List(la), Tree::List(lb)) => compare_lists(out, path, la, lb, cx),
        (Tree::Scalar(va), Tree::Scalar(vb)) => out.push(value_change(path, va, vb, cx)),
        _ => out.push(Change::finding(
            path,
            Value::Text(a.shown()),
            Value::Text(b.shown()),
            Cause::Content,
        )),
    }
}

/// Names in their order, shortened, for an `ordering` finding.
fn order_shown<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let mut s = names.iter().take(8).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 8 {
        s.push_str(&format!(", … ({} in all)", names.len()));
    }
    s
}

/// An `ordering` finding when the names both sides have stand in another
/// order.
fn order_change(path: &str, a: &[&str], b: &[&str]) -> Option<Change> {
    let in_b: HashMap<&str, usize> = b.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let in_a: HashMap<&str, usize> = a.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let ca: Vec<&str> = a.iter().copied().filter(|k| in_b.contains_key(k)).collect();
    let cb: Vec<&str> = b.iter().copied().filter(|k| in_a.contains_key(k)).collect();
    (ca != cb).then(|| {
        Change::finding(
            format!("{path}.order"),
            Value::Text(order_shown(ca.into_iter())),
            Value::Text(order_shown(cb.into_iter())),
            Cause::Ordering,
        )
    })
}

/// A key or item only one side has: the package set's difference in a
/// list of packages, otherwise content.
fn one_side(path: String, a: Option<&Tree>, b: Option<&Tree>, packages: bool) -> Change {
    let value = |t: Option<&Tree>| t.map(|t| Value::Text(t.shown()));
    let mut c = Change::new(path, Role::Finding, value(a), value(b));
    c.cause = Some(if packages {
        Cause::PackageVersion
    } else {
        Cause::Content
    });
    c
}

fn compare_maps(out: &mut Vec<Change>, path: &str, a: &[(String, Tree)], b: &[(String, Tree)]) {
    let ka: Vec<&str> = a.iter().map(|(k, _)| k.as_str()).collect();
    let kb: Vec<&str> = b.iter().map(|(k, _)| k.as_str()).collect();
    out.extend(order_change(path, &ka, &kb));
    let file = |m: &[(String, Tree)]| {
        FILE_KEYS.iter().find_map(|f| {
            m.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(f))
                .and_then(|(_, v)| v.scalar())
                .map(|v| v.rsplit('/').next().unwrap_or(v).to_string())
        })
    };
    let fa = file(a);
    let file = if fa == file(b) { fa } else { None };
    let mb: HashMap<&str, &Tree> = b.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let ma: HashMap<&str, &Tree> = a.iter().map(|(k, v)| (k.as_str(), v)).collect();
    for (k, va) in a {
        let p = format!("{path}.{k}");
        match mb.get(k.as_str()) {
            Some(vb) => {
                let cx = Context {
                    key: Some(k.clone()),
                    file: file.clone(),
                    ..Context::default()
                };
                compare(out, &p, va, vb, &cx);
            }
            None => out.push(one_side(p, Some(va), None, false)),
        }
    }
    for (k, vb) in b {
        if !ma.contains_key(k.as_str()) {
            out.push(one_side(format!("{path}.{k}"), None, Some(vb), false));
        }
    }
}

/// The identifying key of a list of mappings: the first of [`ID_KEYS`]
/// every item holds as a value, unique on the side.
fn id_key(items: &[Item]) -> Option<&'static str> {
    ID_KEYS.into_iter().find(|k| {
        let ids: Option<Vec<&str>> = items
            .iter()
            .map(|i| i.tree.get(k).and_then(Tree::scalar))
            .collect();
        ids.is_some_and(|mut ids| {
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            ids.len() == n
        })
    })
}

/// Each item's identity: what the list gave it, its identifying key's
/// value, or (plain values) itself; `None` when the list is positional.
fn identities(items: &[Item], key: Option<&str>) -> Option<Vec<String>> {
    let ids: Option<Vec<String>> = items
        .iter()
        .map(|i| {
            i.id.clone()
                .or_else(|| {
                    key.and_then(|k| i.tree.get(k))
                        .and_then(Tree::scalar)
                        .map(str::to_string)
                })
                .or_else(|| i.tree.scalar().map(str::to_string))
        })
        .collect();
    let ids = ids?;
    let mut sorted: Vec<&String> = ids.iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    (sorted.len() == ids.len()).then_some(ids)
}

fn list_kind(cx: &Context) -> ListKind {
    let Some(key) = &cx.key else {
        return ListKind::Other;
    };
    if deb822::RELATIONS
        .iter()
        .chain(&deb822::OTHER_RELATIONS)
        .any(|r| r == key)
    {
        ListKind::Relations
    } else {
        ListKind::Lines
    }
}

fn compare_lists(out: &mut Vec<Change>, path: &str, a: &[Item], b: &[Item], cx: &Context) {
    let maps = |l: &[Item]| !l.is_empty() && l.iter().all(|i| matches!(i.tree, Tree::Map(_)));
    let key = match (maps(a), maps(b)) {
        (true, true) => id_key(a).filter(|k| id_key(b) == Some(*k)),
        _ => None,
    };
    let given = a.iter().chain(b).any(|i| i.id.is_some());
    let kind = if given {
        list_kind(cx)
    } else {
        ListKind::Other
    };
    let (Some(ia), Some(ib)) = (identities(a, key), identities(b, key)) else {
        // By position.
        for (i, pair) in a.iter().zip(b).enumerate() {
            compare(out, &format!("{path}[{i}]"), &pair.0.tree, &pair.1.tree, cx);
        }
        for (i, x) in a.iter().enumerate().skip(b.len()) {
            out.push(one_side(format!("{path}[{i}]"), Some(&x.tree), None, false));
        }
        for (i, y) in b.iter().enumerate().skip(a.len()) {
            out.push(one_side(format!("{path}[{i}]"), None, Some(&y.tree), false));
        }
        return;
    };
    let sa: Vec<&str> = ia.iter().map(String::as_str).collect();
    let sb: Vec<&str> = ib.iter().map(String::as_str).collect();
    out.extend(order_change(path, &sa, &sb));
    // Items that are packages or relations: one only one side has is the
    // package set's difference.
    let packages = key.is_some_and(|k| k == "package") || kind == ListKind::Relations;
    let by_b: HashMap<&str, &Item> = sb.iter().copied().zip(b).collect();
    let by_a: HashMap<&str, &Item> = sa.iter().copied().zip(a).collect();
    // Plain values without a given identity are their own identity: an
    // item changed is one gone and one come, paired back in order when as
    // many went as came.
    let plain = key.is_none() && !given;
    // The items of one side whose identity the other lacks.
    fn only<'t>(
        ids: &[&'t str],
        items: &'t [Item],
        other: &HashMap<&str, &Item>,
    ) -> Vec<(&'t str, &'t Item)> {
        ids.iter()
            .copied()
            .zip(items)
            .filter(|(k, _)| !other.contains_key(k))
            .collect()
    }
    let gone = only(&sa, a, &by_b);
    let came = only(&sb, b, &by_a);
    let cx = Context {
        list: Some(kind),
        ..cx.clone()
    };
    if plain && gone.len() == came.len() {
        for (i, ((_, x), (_, y))) in gone.iter().zip(&came).enumerate() {
            let at = a.iter().position(|z| std::ptr::eq(z, *x)).unwrap_or(i);
            compare(out, &format!("{path}[{at}]"), &x.tree, &y.tree, &cx);
        }
        return;
    }
    for (k, x) in sa.iter().zip(a) {
        let p = format!("{path}[{k}]");
        match by_b.get(k) {
            Some(y) => compare(out, &p, &x.tree, &y.tree, &cx),
            None => out.push(one_side(p, Some(&x.tree), None, packages)),
        }
    }
    for (k, y) in came {
        out.push(one_side(
            format!("{path}[{k}]"),
            None,
            Some(&y.tree),
            packages,
        ));
    }
}

/// A scalar that differs, with its cause.
fn value_change(path: &str, a: &str, b: &str, cx: &Context) -> Change {
    let key = cx.key.as_deref().unwrap_or("");
    let text = |s: &str| Value::text(s);
    match cx.list {
        Some(ListKind::Relations) => {
            let name = |d: &str| d.split([' ', '(']).next().unwrap_or("").to_string();
            let cause = deb822::dependency_cause(&name(a), &name(b));
            return Change::finding(path, text(a), text(b), cause);
        }
        Some(ListKind::Lines) if a.split_whitespace().next().is_some_and(is_digest) => {
            let mut c = Change::new(path, Role::Checksum, Some(text(a)), Some(text(b)));
            c.subject = line_id(a);
            return c;
        }
        _ => {}
    }
    if key.eq_ignore_ascii_case("version") {
        return Change::finding(path, text(a), text(b), Cause::PackageVersion);
    }
    if DIGEST_KEYS.iter().any(|d| d.eq_ignore_ascii_case(key)) {
        // Consequential when the file it names differs too, settled over
        // the whole report; content otherwise.
        let mut c = Change::new(path, Role::Checksum, Some(text(a)), Some(text(b)));
        c.subject = cx.file.clone();
        if c.subject.is_none() {
            c.role = Role::Finding;
            c.cause = Some(Cause::Content);
        }
        return c;
    }
    // Any other value: the masks text is explained with.
    let ex = text::explain(a.as_bytes(), b.as_bytes(), "value", true);
    match ex.changes.first() {
        Some(t) if !ex.unexplained => {
            let cause = t.cause.unwrap_or(Cause::Content);
            // A value that is one date keeps the instant it names.
            if ex.changes.len() == 1 && Change::shown(&t.a).as_deref() == Some(a) {
                if let (Some(va), Some(vb)) = (t.a.clone(), t.b.clone()) {
                    return Change::finding(path, va, vb, cause);
                }
            }
            Change::finding(path, text(a), text(b), cause)
        }
        _ => Change::finding(path, text(a), text(b), Cause::Content),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A finding as shown: field, a, b, cause.
    type Shown = (String, Option<String>, Option<String>, Option<Cause>);

    fn fields(changes: &[Change]) -> Vec<Shown> {
        changes
            .iter()
            .map(|c| (c.field.clone(), Change::shown(&c.a), c.shown_b(), c.cause))
            .collect()
    }

    #[test]
    fn lists_of_plain_values_pair_what_changed_in_order() {
        let a = b"delete_files:\n  - /etc/a\n  - /etc/b\n  - /etc/c\n";
        let b = b"delete_files:\n  - /etc/c\n  - /etc/a\n  - /etc/d\n";
        let got = fields(&explain("control.yml", a, b).expect("yaml"));
        assert_eq!(
            got,
            [
                (
                    "data.delete_files.order".into(),
                    Some("/etc/a, /etc/c".into()),
                    Some("/etc/c, /etc/a".into()),
                    Some(Cause::Ordering)
                ),
                (
                    "data.delete_files[1]".into(),
                    Some("/etc/b".into()),
                    Some("/etc/d".into()),
                    Some(Cause::Content)
                ),
            ]
        );
    }

    #[test]
    fn a_date_value_is_an_embedded_timestamp_with_its_instant() {
        let a = br#"{"build_date": "2023-11-14T22:13:20Z", "x": 1}"#;
        let b = br#"{"build_date": "2023-11-15T22:13:20Z", "x": 1}"#;
        let c = explain("x.json", a, b).expect("json");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].field, "data.build_date");
        assert_eq!(c[0].cause, Some(Cause::EmbeddedTimestamp));
        assert_eq!(
            c[0].a.as_ref().and_then(Value::as_time).map(|t| t.secs),
            Some(1_700_000_000)
        );
    }

    #[test]
    fn findings_are_capped_one_per_cause_beyond() {
        let doc = |v: &str| {
            let mut s = String::from("{");
            for i in 0..300 {
                s.push_str(&format!("\"k{i}\": \"{v}{i}\","));
            }
            s.push_str("\"version\": \"");
            s.push_str(v);
            s.push_str("\"}");
            s
        };
        let c = explain("x.json", doc("a").as_bytes(), doc("b").as_bytes()).expect("json");
        assert_eq!(c.len(), MAX_FINDINGS + 2, "{:?}", c.last());
        let content = c.get(MAX_FINDINGS).expect("the first cut");
        assert_eq!((content.cause, content.more), (Some(Cause::Content), 99));
        let version = c.get(MAX_FINDINGS + 1).expect("the version");
        assert_eq!(
            (version.field.as_str(), version.cause, version.more),
            ("data.version", Some(Cause::PackageVersion), 0)
        );
    }

    /// A clearsigned `.changes`: checksum lines name their files, an
    /// `Environment`-like line its variable, and the signature follows.
    #[test]
    fn deb822_lines_are_named_by_what_they_are_about() {
        let doc = |sum: &str, lang: &str, sig: &str| {
            format!(
                "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nFormat: 1.8\nSource: hello\n\
                 Checksums-Sha256:\n {sum} 53452 hello_2.10-3_amd64.deb\n \
                 {sum} 1200 hello_2.10-3.dsc\nEnvironment:\n LANG=\"{lang}\"\n\
                 -----BEGIN PGP SIGNATURE-----\n{sig}\n-----END PGP SIGNATURE-----\n"
            )
        };
        let (x, y) = ("ab".repeat(32), "cd".repeat(32));
        let a = doc(&x, "C.UTF-8", "iQIz");
        let b = doc(&x, "C", "iQJA").replace(
            &format!(" {x} 53452 hello_2.10-3_amd64.deb"),
            &format!(" {y} 53452 hello_2.10-3_amd64.deb"),
        );
        let c = explain("hello.changes", a.as_bytes(), b.as_bytes()).expect("deb822");
        let got: Vec<(&str, Role, Option<&str>, Option<Cause>)> = c
            .iter()
            .map(|c| (c.field.as_str(), c.role, c.subject.as_deref(), c.cause))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "data.Checksums-Sha256[hello_2.10-3_amd64.deb]",
                    Role::Checksum,
                    Some("hello_2.10-3_amd64.deb"),
                    None
                ),
                (
                    "data.Environment[LANG]",
                    Role::Finding,
                    None,
                    Some(Cause::Content)
                ),
                ("signature", Role::Finding, None, Some(Cause::Consequential)),
            ]
        );
        // The signature alone differs: not explained.
        let b = doc(&x, "C.UTF-8", "iQJA");
        let c = explain("hello.changes", a.as_bytes(), b.as_bytes()).expect("deb822");
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].cause, Some(Cause::Content));
    }

    #[test]
    fn not_structured_is_none() {
        assert!(explain("x.json", b"{\"a\": 1}", b"{\"a\": 1,").is_none());
        assert!(explain("x.yml", b"just text\n", b"other text\n").is_none());
        assert!(explain("notes", b"just text\n", b"other text\n").is_none());
        // Equal as data: the text rules say what differs.
        assert!(explain("x.json", b"{\"a\": 1}", b"{ \"a\": 1 }\n").is_none());
        assert!(flow_depth(b"[[{}]]") == 3 && flow_depth(b"]]][") == 1);
        // One stanza of one-line fields: deb822 only by name.
        let (a, b) = (b"Built: 1.0\nBy: x\n", b"Built: 1.1\nBy: x\n");
        assert!(explain("build-info.txt", a, b).is_none());
        let c = explain("hello.buildinfo", a, b).expect("named deb822");
        assert_eq!(c[0].field, "data.Built");
        // Lowercase keys are not deb822.
        assert!(explain("notes", b"a: 1\n\nb: 2\n", b"a: 2\n\nb: 2\n").is_none());
    }
}
