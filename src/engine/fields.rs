//! Field-level differences: an entry's metadata and a container's header
//! fields, compared as typed values and reported with the role their reader
//! gave them.
//!
//! Engine stage (formats → **engine** → diagnosis → report): the values and
//! roles pass through unchanged, so diagnosis can decide from them; fields
//! that only say where bytes sit (role `location`) are left to `locate`
//! on entries, since they shift whenever anything before them grows.

use std::collections::HashMap;

use reprodiff_formats::{Field, Meta, Role, Value};

use super::Ctx;
use crate::report::{Change, Node};

impl Ctx<'_> {
    /// Whether the user asked not to see `field` (a whole name, or a prefix
    /// before a `.`).
    pub(super) fn ignored(&self, field: &str) -> bool {
        self.opts.ignore.iter().any(|i| {
            field == i
                || field
                    .strip_prefix(i.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// Records a change of `field` when the values differ and it is not ignored.
    pub(super) fn change(
        &self,
        node: &mut Node,
        field: &str,
        role: Role,
        a: Option<Value>,
        b: Option<Value>,
    ) {
        if a != b && !self.ignored(field) {
            node.changes.push(Change::new(field, role, a, b));
        }
    }

    /// Records a change of a reader's field, with its role and what it follows.
    fn field_change(&self, node: &mut Node, a: Option<&Field>, b: Option<&Field>) {
        let Some(f) = a.or(b) else { return };
        let (va, vb) = (a.map(|f| f.value.clone()), b.map(|f| f.value.clone()));
        if va != vb && !self.ignored(&f.name) {
            let mut c = Change::new(f.name.as_ref(), f.role, va, vb);
            // Derived only when derived on both sides (a GUID one side made
            // from the volume date and the other drew at random is not).
            c.follows = f
                .follows
                .iter()
                .filter(|x| match (a, b) {
                    (Some(a), Some(b)) => a.follows.contains(x) && b.follows.contains(x),
                    _ => true,
                })
                .map(|s| s.to_string())
                .collect();
            node.changes.push(c);
        }
    }
}

/// Changes between two lists of fields, matched by name: a's order, then
/// the fields only b has. Location fields are skipped when `skip_locations`.
fn field_changes(ctx: &Ctx, node: &mut Node, a: &[Field], b: &[Field], skip_locations: bool) {
    let kept = |f: &&Field| !(skip_locations && f.role == Role::Location);
    let by_name_b: HashMap<&str, &Field> = b.iter().map(|f| (f.name.as_ref(), f)).collect();
    let by_name_a: HashMap<&str, &Field> = a.iter().map(|f| (f.name.as_ref(), f)).collect();
    for f in a.iter().filter(kept) {
        ctx.field_change(node, Some(f), by_name_b.get(f.name.as_ref()).copied());
    }
    for f in b.iter().filter(kept) {
        if !by_name_a.contains_key(f.name.as_ref()) {
            ctx.field_change(node, None, Some(f));
        }
    }
}

/// A container's header fields. Locations are kept: a moved table is a
/// header difference, diagnosed as a consequence.
pub(super) fn header_changes(ctx: &Ctx, node: &mut Node, a: &[Field], b: &[Field]) {
    field_changes(ctx, node, a, b, false);
}

/// An entry's metadata and the format's own per-entry fields.
pub(super) fn meta_changes(ctx: &Ctx, node: &mut Node, a: &Meta, b: &Meta) {
    let text = |v: &Option<String>| v.clone().map(Value::Text);
    let uint = |v: Option<u64>| v.map(Value::Uint);
    let time = |v: Option<reprodiff_formats::Time>| v.map(Value::from);
    ctx.change(
        node,
        "mode",
        Role::Permissions,
        a.mode.map(Value::Mode),
        b.mode.map(Value::Mode),
    );
    ctx.change(node, "uid", Role::Ownership, uint(a.uid), uint(b.uid));
    ctx.change(node, "gid", Role::Ownership, uint(a.gid), uint(b.gid));
    ctx.change(node, "user", Role::Ownership, text(&a.user), text(&b.user));
    ctx.change(
        node,
        "group",
        Role::Ownership,
        text(&a.group),
        text(&b.group),
    );
    ctx.change(node, "mtime", Role::EntryTime, time(a.mtime), time(b.mtime));
    ctx.change(node, "atime", Role::EntryTime, time(a.atime), time(b.atime));
    ctx.change(node, "ctime", Role::EntryTime, time(a.ctime), time(b.ctime));
    ctx.change(
        node,
        "target",
        Role::LinkTarget,
        text(&a.target),
        text(&b.target),
    );
    let rdev = |v: Option<(u32, u32)>| v.map(|(x, y)| Value::Text(format!("{x},{y}")));
    ctx.change(node, "rdev", Role::Content, rdev(a.rdev), rdev(b.rdev));
    ctx.change(
        node,
        "nlink",
        Role::Structure,
        a.nlink.map(Value::from),
        b.nlink.map(Value::from),
    );
    let xb: HashMap<&str, &Vec<u8>> = b.xattrs.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let xa: HashMap<&str, &Vec<u8>> = a.xattrs.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let show = |v: &Vec<u8>| Value::Text(String::from_utf8_lossy(v).into_owned());
    for (k, v) in &a.xattrs {
        ctx.change(
            node,
            &format!("xattr.{k}"),
            Role::Content,
            Some(show(v)),
            xb.get(k.as_str()).map(|v| show(v)),
        );
    }
    for (k, v) in &b.xattrs {
        if !xa.contains_key(k.as_str()) {
            ctx.change(
                node,
                &format!("xattr.{k}"),
                Role::Content,
                None,
                Some(show(v)),
            );
        }
    }
    field_changes(ctx, node, &a.extra, &b.extra, true);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Options;
    use crate::engine::{Explain, Leaf};
    use crate::report::{Report, Status};

    /// These tests need no explaining.
    struct Nothing;
    impl Explain for Nothing {
        fn leaf(&self, _: &str, _: &Leaf, _: &[u8], _: &[u8], _: &mut Node) {}
        fn report(&self, _: &mut Report) {}
    }

    #[test]
    fn ignore_matches_whole_names_and_prefixes() {
        let opts = Options {
            ignore: vec!["mtime".into(), "pvd".into()],
            ..Options::default()
        };
        let ctx = Ctx::new(&opts, &Nothing);
        assert!(ctx.ignored("mtime"));
        assert!(ctx.ignored("pvd.modification_date"));
        assert!(!ctx.ignored("pvdx"));
        assert!(!ctx.ignored("mode"));
    }

    #[test]
    fn roles_and_links_pass_through_and_locations_stay_out() {
        let opts = Options::default();
        let ctx = Ctx::new(&opts, &Nothing);
        let mut a = Meta::default();
        let mut b = Meta::default();
        a.extra = vec![
            Field::new("iso.lba", 20u32, Role::Location),
            Field::new("p.guid", Value::Id("x".into()), Role::Identifier).follows(&["disk"]),
        ];
        b.extra = vec![
            Field::new("iso.lba", 21u32, Role::Location),
            Field::new("p.guid", Value::Id("y".into()), Role::Identifier).follows(&["disk"]),
        ];
        let mut n = Node::new("x", Status::Modified);
        meta_changes(&ctx, &mut n, &a, &b);
        assert_eq!(n.changes.len(), 1, "{:?}", n.changes);
        assert_eq!(n.changes[0].role, Role::Identifier);
        assert_eq!(n.changes[0].follows, ["disk"]);
        let mut n = Node::new("x", Status::Modified);
        header_changes(&ctx, &mut n, &a.extra, &b.extra);
        assert_eq!(n.changes.len(), 2, "headers keep locations");
    }
}
