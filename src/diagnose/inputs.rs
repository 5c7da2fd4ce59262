//! Build inputs compared as package sets: a build manifest (Tails'
//! `.build-manifest`: `packages.binary`/`packages.source` lists and the
//! archive snapshots in `origin_references`), a package list (`.packages`,
//! `dpkg-query -W` lines of package and version) and a Debian `.buildinfo`
//! (`Installed-Build-Depends`) say what a build was made from. Two of them
//! are compared as sets: each package whose version differs, or that one
//! side has, is an `inputs.<set>.<package>` change (role `input`), each
//! moved snapshot an `inputs.snapshot.<archive>` change. The rest of the
//! document is still compared key by key ([`super::structured`]).
//!
//! Flow: bytes → formats → engine → **diagnosis** → report → presenters.
//! [`super::classify_leaf`] asks this module first for a differing text
//! leaf named like one of these documents; groups then summarise the
//! changes as one root cause ("build inputs differ: 4 binary packages
//! changed version, debian-security snapshot 2024120101 → 2024120301")
//! and rank it first, since every file those packages install follows it.

use std::collections::{BTreeMap, BTreeSet};

use super::deb822;
use super::structured::{self, Tree};
use crate::report::{Cause, Change, Role, Value};

/// The field prefix of a moved archive snapshot.
pub const SNAPSHOT: &str = "inputs.snapshot.";

/// Packages read from one document at most; a longer one is not a package
/// list anyone publishes and is compared as text.
const MAX_PACKAGES: usize = 500_000;

/// Which input document a file is, by its name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Doc {
    Manifest,
    List,
    Buildinfo,
}

fn doc(name: &str) -> Option<Doc> {
    let name = name.rsplit(['/', ':']).next().unwrap_or(name);
    let ext = |e: &str| name.len() > e.len() && name.ends_with(e);
    if ext(".build-manifest") || name == "build-manifest" {
        Some(Doc::Manifest)
    } else if ext(".packages") {
        Some(Doc::List)
    } else if ext(".buildinfo") {
        Some(Doc::Buildinfo)
    } else {
        None
    }
}

/// What one document says the build was made from.
#[derive(Debug, Default, PartialEq)]
struct Inputs {
    /// (set, package) → version; sets are `binary`/`source` (a manifest),
    /// `packages` (a list), `build-depends` (a `.buildinfo`).
    packages: BTreeMap<(String, String), String>,
    /// Archive → snapshot reference.
    snapshots: BTreeMap<String, String>,
    /// A manifest as parsed, for the rest of it to be compared key by key
    /// without parsing it again.
    tree: Option<Tree>,
}

impl Inputs {
    /// Adds a package, naming a second one of the same name by its
    /// architecture (`libc6:i386`); `None` past [`MAX_PACKAGES`].
    fn add(&mut self, set: &str, name: &str, arch: Option<&str>, version: &str) -> Option<()> {
        if self.packages.len() >= MAX_PACKAGES {
            return None;
        }
        let mut key = (set.to_string(), name.to_string());
        if self.packages.contains_key(&key) {
            key.1 = format!("{name}:{}", arch.unwrap_or("?"));
        }
        self.packages.insert(key, version.to_string());
        Some(())
    }

    fn is_empty(&self) -> bool {
        self.packages.is_empty() && self.snapshots.is_empty()
    }
}

fn read(doc: Doc, t: &[u8]) -> Option<Inputs> {
    let inputs = match doc {
        Doc::Manifest => manifest(t)?,
        Doc::List => list(t)?,
        Doc::Buildinfo => buildinfo(t)?,
    };
    (!inputs.is_empty()).then_some(inputs)
}

/// A build manifest: `packages: {<set>: [{package, version, arch}]}` and
/// `origin_references: {<archive>: {reference}}`.
fn manifest(t: &[u8]) -> Option<Inputs> {
    let tree = structured::parse_yaml(t)?;
    let mut out = Inputs::default();
    if let Some(Tree::Map(sets)) = tree.get("packages") {
        for (set, list) in sets {
            let Tree::List(items) = list else {
                continue;
            };
            for it in items {
                let field = |k: &str| it.tree.get(k).and_then(Tree::scalar);
                if let (Some(name), Some(version)) = (field("package"), field("version")) {
                    out.add(set, name, field("arch"), version)?;
                }
            }
        }
    }
    if let Some(Tree::Map(origins)) = tree.get("origin_references") {
        for (archive, o) in origins {
            if let Some(r) = o.get("reference").and_then(Tree::scalar) {
                out.snapshots.insert(archive.clone(), r.to_string());
            }
        }
    }
    out.tree = Some(tree);
    Some(out)
}

/// A package name as dpkg allows it, with an optional `:arch`.
fn is_package_name(n: &str) -> bool {
    let (name, arch) = n.split_once(':').unwrap_or((n, "x"));
    let ok = |s: &str, extra: &[u8]| {
        !s.is_empty()
            && s.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
    };
    name.len() >= 2
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && ok(name, b"+.-")
        && ok(arch, b"-")
}

/// A package list: every non-blank line a package and a version.
fn list(t: &[u8]) -> Option<Inputs> {
    let s = std::str::from_utf8(t).ok()?;
    let mut out = Inputs::default();
    for line in s.lines().filter(|l| !l.trim().is_empty()) {
        let mut w = line.split_whitespace();
        let (Some(name), Some(version), None) = (w.next(), w.next(), w.next()) else {
            return None;
        };
        if !is_package_name(name) {
            return None;
        }
        out.add("packages", name, None, version)?;
    }
    Some(out)
}

/// A `.buildinfo`: its `Installed-Build-Depends`, `name (= version)` each.
fn buildinfo(t: &[u8]) -> Option<Inputs> {
    let (body, _) = deb822::signed_body(t);
    let stanzas = deb822::stanzas(body)?;
    let (_, deps) = stanzas
        .first()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Installed-Build-Depends"))?;
    let mut out = Inputs::default();
    for d in deps.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        let (name, rest) = d.split_once('(').unwrap_or((d, ""));
        let version = rest
            .trim_end_matches(')')
            .trim()
            .trim_start_matches('=')
            .trim();
        out.add("build-depends", name.trim(), None, version)?;
    }
    Some(out)
}

/// Keys of the document the package sets stand for.
fn claimed(doc: Doc, field: &str) -> bool {
    match doc {
        Doc::Manifest => {
            field.starts_with("data.packages")
                || (field.starts_with("data.origin_references.") && field.ends_with(".reference"))
        }
        Doc::Buildinfo => field.starts_with("data.Installed-Build-Depends"),
        Doc::List => true,
    }
}

/// Compares two input documents as package sets; `None` unless `name`
/// names one, both sides read as one and their sets differ.
pub fn explain(name: &str, a: &[u8], b: &[u8]) -> Option<Vec<Change>> {
    let doc = doc(name)?;
    if a.len().max(b.len()) > structured::MAX_BYTES {
        return None;
    }
    let (ia, ib) = (read(doc, a)?, read(doc, b)?);
    let text = |v: Option<&String>| v.map(|s| Value::text(s.as_str()));
    let mut out = Vec::new();
    let keys: BTreeSet<&(String, String)> = ia.packages.keys().chain(ib.packages.keys()).collect();
    for key in keys {
        let (va, vb) = (ia.packages.get(key), ib.packages.get(key));
        if va == vb {
            continue;
        }
        let (set, package) = key;
        let mut c = Change::new(
            format!("inputs.{set}.{package}"),
            Role::Input,
            text(va),
            text(vb),
        );
        // A compiler a package was built with is its toolchain.
        c.cause = Some(if doc == Doc::Buildinfo {
            deb822::dependency_cause(package, package)
        } else {
            Cause::PackageVersion
        });
        c.subject = Some(package.clone());
        out.push(c);
    }
    let archives: BTreeSet<&String> = ia.snapshots.keys().chain(ib.snapshots.keys()).collect();
    for archive in archives {
        let (va, vb) = (ia.snapshots.get(archive), ib.snapshots.get(archive));
        if va != vb {
            let mut c = Change::new(
                format!("{SNAPSHOT}{archive}"),
                Role::Input,
                text(va),
                text(vb),
            );
            c.cause = Some(Cause::PackageVersion);
            c.subject = Some(archive.clone());
            out.push(c);
        }
    }
    if out.is_empty() {
        return None;
    }
    let mut out = structured::cap(out);
    let rest = match (&ia.tree, &ib.tree) {
        (Some(ta), Some(tb)) => Some(structured::compare_trees(ta, tb)),
        _ if doc == Doc::List => None,
        _ => structured::explain(name, a, b),
    };
    out.extend(
        rest.into_iter()
            .flatten()
            .filter(|c| !claimed(doc, &c.field)),
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .map(|c| {
                let v = |v: &Option<Value>| v.as_ref().map_or("(none)".into(), |v| v.to_string());
                format!("{} {} → {} {:?}", c.field, v(&c.a), v(&c.b), c.cause)
            })
            .collect()
    }

    const MANIFEST_A: &str = "build_date: '2024-12-03T09:00:00+00:00'
origin_references:
  debian:
    reference: '2024120101'
  debian-security:
    reference: '2024120101'
packages:
  binary:
  - package: libc6
    version: 2.36-9+deb12u8
    arch: amd64
  - package: libc6
    version: 2.36-9+deb12u8
    arch: i386
  - package: tor
    version: 0.4.8.12-1
    arch: amd64
  source:
  - package: tor
    version: 0.4.8.12-1
";

    #[test]
    fn a_manifest_is_compared_as_package_sets_and_snapshots() {
        let b = MANIFEST_A
            .replace(
                "debian-security:\n    reference: '2024120101'",
                "debian-security:\n    reference: '2024120301'",
            )
            .replace("0.4.8.12-1", "0.4.8.13-1")
            .replace(
                "version: 2.36-9+deb12u8\n    arch: i386",
                "version: 2.36-9+deb12u9\n    arch: i386",
            )
            + "  - package: zstd\n    version: 1.5.4+dfsg2-5\n";
        let got = shown(
            &explain(
                "x/tails-amd64-6.10.build-manifest",
                MANIFEST_A.as_bytes(),
                b.as_bytes(),
            )
            .unwrap_or_default(),
        );
        assert_eq!(
            got,
            [
                "inputs.binary.libc6:i386 2.36-9+deb12u8 → 2.36-9+deb12u9 Some(PackageVersion)",
                "inputs.binary.tor 0.4.8.12-1 → 0.4.8.13-1 Some(PackageVersion)",
                "inputs.source.tor 0.4.8.12-1 → 0.4.8.13-1 Some(PackageVersion)",
                "inputs.source.zstd (none) → 1.5.4+dfsg2-5 Some(PackageVersion)",
                "inputs.snapshot.debian-security 2024120101 → 2024120301 Some(PackageVersion)",
            ]
        );
    }

    #[test]
    fn the_rest_of_a_manifest_is_still_compared_key_by_key() {
        let b = MANIFEST_A
            .replace("2024-12-03T09:00", "2024-12-03T14:12")
            .replace("0.4.8.12-1\n    arch", "0.4.8.13-1\n    arch");
        let got = shown(
            &explain("tails.build-manifest", MANIFEST_A.as_bytes(), b.as_bytes())
                .unwrap_or_default(),
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            "inputs.binary.tor 0.4.8.12-1 → 0.4.8.13-1 Some(PackageVersion)"
        );
        assert!(
            got[1].starts_with("data.build_date ") && got[1].ends_with("Some(EmbeddedTimestamp)"),
            "{got:?}"
        );
    }

    #[test]
    fn a_package_list_is_a_set_and_another_order_is_not_a_change() {
        let a = "bash\t5.2.15-2+b7\nlibssl3:amd64\t3.0.15-1~deb12u1\ntor\t0.4.8.12-1\n";
        let b = "tor\t0.4.8.12-1\nbash\t5.2.15-2+b7\nlibssl3:amd64\t3.0.15-1~deb12u2\n";
        let got = shown(
            &explain("tails-amd64-6.10.packages", a.as_bytes(), b.as_bytes()).unwrap_or_default(),
        );
        assert_eq!(got, ["inputs.packages.libssl3:amd64 3.0.15-1~deb12u1 → 3.0.15-1~deb12u2 Some(PackageVersion)"]);
        // Only the order differs: not a set difference, left to the line rules.
        let c = "tor\t0.4.8.12-1\nbash\t5.2.15-2+b7\nlibssl3:amd64\t3.0.15-1~deb12u1\n";
        assert_eq!(explain("x.packages", a.as_bytes(), c.as_bytes()), None);
        // Not a package list: prose in a file named so.
        assert_eq!(
            explain("x.packages", b"a list of things\n", b"other text\n"),
            None
        );
    }

    #[test]
    fn a_buildinfo_compiler_is_the_toolchain_and_other_dependencies_the_packages() {
        let a = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/structured/a.buildinfo"
        ))
        .unwrap_or_default();
        let b = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/structured/b.buildinfo"
        ))
        .unwrap_or_default();
        let got = shown(&explain("hello_2.10-3_amd64.buildinfo", &a, &b).unwrap_or_default());
        assert_eq!(
            got,
            [
                "inputs.build-depends.gcc-12 12.2.0-14 → 12.2.0-15 Some(Toolchain)",
                "inputs.build-depends.libssl-dev 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1 Some(PackageVersion)",
                "data.Build-Date Tue, 14 Nov 2023 22:13:20 +0000 → Wed, 15 Nov 2023 22:13:20 +0000 Some(EmbeddedTimestamp)",
            ]
        );
    }

    #[test]
    fn other_names_and_damaged_documents_are_not_inputs() {
        assert_eq!(explain("notes.txt", b"tor 1\n", b"tor 2\n"), None);
        assert_eq!(
            explain("x.build-manifest", b"packages: [", b"packages: {"),
            None
        );
        assert_eq!(explain("x.buildinfo", b"\xff\xfe", b"Source: x\n"), None);
    }
}
