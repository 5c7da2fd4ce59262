//! The dpkg database as the engine reads it: the installed package set of
//! a `var/lib/dpkg/status` on both sides (`dpkg.<package>`: version →
//! version), and, for a package whose version differs, which members of the
//! container it installed (from `var/lib/dpkg/info/<package>.list`), each
//! given a `package.<package>` change.
//!
//! Engine stage (formats → **engine** → diagnosis → report): it reads the
//! containers once, while both listings are open; diagnosis turns these
//! changes into the `package-version` cause and its group.

use std::collections::{BTreeMap, HashMap};

use reprodiff_formats::{Container, Kind, Limits};

use crate::report::{Address, Change, Node, Role, Value};

/// `true` for the addresses of a dpkg status file.
pub fn is_status(address: &str) -> bool {
    let path = Address::new(address).inner_path();
    let path = path.trim_start_matches("./").trim_start_matches('/');
    path == "var/lib/dpkg/status"
}

/// Package (with `:arch` when not `all`/native-less) → version, for installed stanzas.
pub fn packages(t: &[u8]) -> BTreeMap<String, String> {
    let s = String::from_utf8_lossy(t);
    let mut out = BTreeMap::new();
    for stanza in s.split("\n\n") {
        let (mut name, mut version, mut status) = (None, None, None);
        for line in stanza.lines() {
            if let Some(v) = line.strip_prefix("Package: ") {
                name = Some(v.trim());
            } else if let Some(v) = line.strip_prefix("Version: ") {
                version = Some(v.trim());
            } else if let Some(v) = line.strip_prefix("Status: ") {
                status = Some(v.trim());
            }
        }
        let installed = status.is_none_or(|s| s.ends_with(" installed"));
        if let (Some(n), true) = (name, installed) {
            out.insert(n.to_string(), version.unwrap_or("").to_string());
        }
    }
    out
}

/// Added, removed and version-changed packages: `dpkg.<package>` changes
/// (version a → version b) whose subject is the package.
pub fn compare(a: &[u8], b: &[u8]) -> Vec<Change> {
    let (pa, pb) = (packages(a), packages(b));
    let mut out = Vec::new();
    let mut push = |name: &str, va: Option<&String>, vb: Option<&String>| {
        out.push(package_change("dpkg", Role::Installed, name, va, vb));
    };
    for (n, v) in &pa {
        match pb.get(n) {
            Some(w) if w == v => {}
            other => push(n, Some(v), other),
        }
    }
    for (n, w) in &pb {
        if !pa.contains_key(n) {
            push(n, None, Some(w));
        }
    }
    out
}

/// Where dpkg keeps what each package installed: `<package>[:<arch>].list`.
const INFO: &str = "var/lib/dpkg/info/";

/// Largest `.list` file read (the biggest real ones are a few MiB).
const MAX_LIST: u64 = 16 << 20;

fn normal(path: &str) -> &str {
    path.trim_start_matches("./").trim_start_matches('/')
}

/// The package an info file (`var/lib/dpkg/info/foo:amd64.md5sums`) is about.
fn info_package(path: &str) -> Option<&str> {
    let file = normal(path).strip_prefix(INFO)?;
    let stem = file.rsplit_once('.')?.0;
    Some(stem.split_once(':').map_or(stem, |(p, _)| p))
}

/// Whether [`attribute`] may read the member at `path` though it is the
/// same on both sides: a package's `.list` file names what the package
/// installed whether or not the list itself changed.
pub fn read_when_same(path: &str) -> bool {
    normal(path).ends_with(".list") && info_package(path).is_some()
}

/// The `.list` files of each package in `c`, by package name.
fn lists(c: &Container) -> HashMap<&str, Vec<usize>> {
    let mut out: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in c.entries.iter().enumerate() {
        if read_when_same(&e.path) {
            if let Some(p) = info_package(&e.path) {
                out.entry(p).or_default().push(i);
            }
        }
    }
    out
}

/// Files of a container that belong to packages whose version differs (or
/// that are installed on one side only) are consequences of that, not
/// reproducibility bugs of their own: each gets a `package.<name>` change
/// (version a → version b) with cause `package-version`, which diagnosis
/// makes their only cause, so they group under their package instead of
/// scattering over content, mtime and build-id groups.
///
/// Runs in the engine while both listings are open, after the container's
/// members were compared; it reads the changed packages' `.list` files
/// (side a for removed packages, b for the others, the other side when one
/// cannot be read). Directories are left alone: most are shared.
pub fn attribute(node: &mut Node, ca: &Container, cb: &Container, limits: &Limits) {
    // The node's children are its direct members, whatever `::` their
    // names hold.
    let own_path = |n: &Node| {
        Address::new(&n.address)
            .under(&node.address)
            .map(str::to_string)
    };
    let changed: Vec<(String, Option<String>, Option<String>)> = node
        .children
        .iter()
        .filter(|c| own_path(c).is_some_and(|p| is_status(&p)))
        .flat_map(|c| c.changes.iter())
        .filter(|c| c.role == Role::Installed)
        .filter_map(|c| {
            let text = |v: &Option<Value>| v.as_ref().map(|v| v.to_string());
            Some((c.subject.clone()?, text(&c.a), text(&c.b)))
        })
        .collect();
    if changed.is_empty() {
        return;
    }
    let (la, lb) = (lists(ca), lists(cb));
    let read_list = |c: &Container, idx: &[usize]| -> Option<Vec<String>> {
        let mut paths = Vec::new();
        for &i in idx {
            if c.entries.get(i)?.size > MAX_LIST {
                return None;
            }
            let b = c.read(i, limits).ok()?;
            let text = String::from_utf8_lossy(b.bytes());
            paths.extend(text.lines().map(|l| normal(l).to_string()));
        }
        Some(paths)
    };
    // Path inside the container → (package, version a, version b).
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (k, (name, va, _)) in changed.iter().enumerate() {
        let (first, second) = if va.is_some() && changed[k].2.is_none() {
            ((ca, &la), (cb, &lb))
        } else {
            ((cb, &lb), (ca, &la))
        };
        let paths = [first, second]
            .into_iter()
            .find_map(|(c, l)| l.get(name.as_str()).and_then(|idx| read_list(c, idx)));
        for p in paths.unwrap_or_default() {
            if !p.is_empty() {
                owner.entry(p).or_insert(k);
            }
        }
    }
    for child in node.children.iter_mut() {
        if child.kind == Some(Kind::Dir) {
            continue;
        }
        let Some(path) = own_path(child) else {
            continue;
        };
        let path = normal(&path);
        let k = owner.get(path).copied().or_else(|| {
            let p = info_package(path)?;
            changed.iter().position(|(n, _, _)| n == p)
        });
        if let Some((name, va, vb)) = k.and_then(|k| changed.get(k)) {
            let c = package_change("package", Role::Package, name, va.as_ref(), vb.as_ref());
            child.changes.push(c);
        }
    }
}

fn package_change(
    prefix: &str,
    role: Role,
    name: &str,
    a: Option<&String>,
    b: Option<&String>,
) -> Change {
    let v = |x: Option<&String>| x.map(|s| Value::Text(s.clone()));
    let mut c = Change::new(format!("{prefix}.{name}"), role, v(a), v(b));
    c.subject = Some(name.to_string());
    c
}
