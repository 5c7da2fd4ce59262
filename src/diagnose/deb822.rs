//! A Debian package's `control` stanza built twice: a rebuild of the same
//! source for another release changes `Version` (`1.0-1` → `1.0-1~bpo12+1`),
//! the versioned dependencies the toolchain's libraries add (`libc6 (>= 2.38)`
//! → `(>= 2.34)`) and `Installed-Size`. Each differing field is explained
//! by what it is, and what no rule covers stays unexplained.
//!
//! Diagnosis stage (engine → **diagnosis** → report), on the bytes of a
//! differing text leaf that parses as one deb822 stanza with a `Package`.

use super::text::Explanation;
use crate::report::{Cause, Change, Value};

/// Libraries whose versioned dependencies follow the compiler and C library
/// a package was built with (dpkg-shlibdeps writes them).
const TOOLCHAIN_LIBS: [&str; 8] = [
    "libc6",
    "libc6.1",
    "libgcc-s1",
    "libgcc1",
    "libstdc++6",
    "libgomp1",
    "libatomic1",
    "libc6-dev",
];

/// Compilers a package's `Built-Using` names (`rustc (= 1.95.0+dfsg1-2)`,
/// `golang-1.24 (= 1.24.4-1)`): the versions it was built with. Sphinx
/// too: `dh_sphinxdoc` names the Sphinx that wrote the package's pages
/// and the scripts they load (`sphinx (= 8.1.3-4)`, python3-nxt).
const COMPILERS: [&str; 8] = [
    "rustc",
    "sphinx",
    "golang",
    "gcc",
    "gccgo",
    "ghc",
    "llvm-toolchain",
    "gnat",
];

/// Whether a package name is a compiler's, with or without the version
/// its name carries (`golang-1.24`, `gcc-14`).
fn is_compiler(name: &str) -> bool {
    let name = name.split(':').next().unwrap_or("");
    let base = match name.rsplit_once('-') {
        Some((b, v)) if v.starts_with(|c: char| c.is_ascii_digit()) => b,
        _ => name,
    };
    COMPILERS.contains(&base)
}

/// Fields whose value lists versioned dependencies.
pub const RELATIONS: [&str; 6] = [
    "Depends",
    "Pre-Depends",
    "Recommends",
    "Suggests",
    "Built-Using",
    "Static-Built-Using",
];

/// Other fields listing packages, with or without versions: a source
/// package's build dependencies, the set a `.buildinfo` records
/// (`Installed-Build-Depends`), and the declared conflicts.
pub const OTHER_RELATIONS: [&str; 10] = [
    "Build-Depends",
    "Build-Depends-Indep",
    "Build-Depends-Arch",
    "Build-Conflicts",
    "Installed-Build-Depends",
    "Breaks",
    "Conflicts",
    "Replaces",
    "Provides",
    "Enhances",
];

/// One stanza's fields in order, continuation lines joined; `None` unless
/// the text is one stanza of `Key: value` lines.
fn stanza(t: &[u8]) -> Option<Vec<(String, String)>> {
    let mut all = stanzas(t)?;
    let one = all.pop().filter(|_| all.is_empty())?;
    one.iter().any(|(k, _)| k == "Package").then_some(one)
}

/// A stanza: its fields in order, (name, value).
pub type Stanza = Vec<(String, String)>;

/// Blank-line-separated stanzas of `Key: value` lines (a `.buildinfo`, a
/// `.changes`, dpkg's `status`), continuation lines joined to their field
/// with a newline; `None` unless every line is a field, a continuation or
/// a blank. The opening and signature of a clearsigned file are not part
/// of it (see [`signed_body`]).
pub fn stanzas(t: &[u8]) -> Option<Vec<Stanza>> {
    let s = std::str::from_utf8(t).ok()?;
    let mut out: Vec<Stanza> = Vec::new();
    let mut open = false;
    for line in s.trim_end_matches('\n').split('\n') {
        if line.trim().is_empty() {
            open = false;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let (_, v) = out.last_mut().filter(|_| open)?.last_mut()?;
            v.push('\n');
            v.push_str(line);
            continue;
        }
        let (k, v) = line.split_once(':')?;
        if k.is_empty() || k.contains(char::is_whitespace) {
            return None;
        }
        if !open {
            out.push(Vec::new());
            open = true;
        }
        out.last_mut()?.push((k.to_string(), v.trim().to_string()));
    }
    (!out.is_empty()).then_some(out)
}

/// The signed text of a clearsigned file (`.changes`, `.dsc`,
/// `.buildinfo` as uploaded) and its signature block; the text itself,
/// with no signature, when it is not signed.
pub fn signed_body(t: &[u8]) -> (&[u8], &[u8]) {
    const BEGIN: &[u8] = b"-----BEGIN PGP SIGNED MESSAGE-----";
    const SIG: &[u8] = b"\n-----BEGIN PGP SIGNATURE-----";
    let Some(rest) = t.strip_prefix(BEGIN) else {
        return (t, &[]);
    };
    // Armor headers (`Hash: SHA512`) end at the first blank line.
    let start = rest
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(rest.len(), |i| i + 2);
    let body = rest.get(start..).unwrap_or_default();
    match body.windows(SIG.len()).position(|w| w == SIG) {
        Some(i) => (
            body.get(..=i).unwrap_or_default(),
            body.get(i + 1..).unwrap_or_default(),
        ),
        None => (body, &[]),
    }
}

/// The cause of a dependency whose constraint changed between `x` and
/// `y` (one package, see [`same_package`]): the toolchain's libraries and
/// compilers are the toolchain, any other package its version.
pub fn dependency_cause(x: &str, y: &str) -> Cause {
    let base = x.split(':').next().unwrap_or("");
    let toolchain_lib = x == y && TOOLCHAIN_LIBS.contains(&base);
    if toolchain_lib || (is_compiler(x) && is_compiler(y)) {
        Cause::Toolchain
    } else {
        Cause::PackageVersion
    }
}

/// A relation field's dependencies as (package, version constraint).
fn relations(v: &str) -> Vec<(String, String)> {
    v.split(',')
        .flat_map(|alt| alt.split('|'))
        .map(|d| {
            let d = d.trim();
            match d.split_once('(') {
                Some((name, c)) => (
                    name.trim().to_string(),
                    c.trim_end_matches(')').trim().to_string(),
                ),
                None => (d.to_string(), String::new()),
            }
        })
        // A trailing or doubled comma names nothing.
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

/// A relation field's difference, dependency by dependency: the changed
/// constraints on the toolchain's libraries (`toolchain`), the changed
/// constraints on other packages, a library renamed by the `time_t`
/// transition included (`package-version`), and the dependencies only one
/// side declares, (a's, b's) as shown.
fn relation_changes(field: &str, a: &str, b: &str) -> (Vec<Change>, Unpaired) {
    let (ra, mut rb) = (relations(a), relations(b));
    let show = |d: &(String, String)| {
        if d.1.is_empty() {
            d.0.clone()
        } else {
            format!("{} ({})", d.0, d.1)
        }
    };
    // (a, b) as shown, per kind of constraint change.
    let mut tool: Vec<(String, String)> = Vec::new();
    let mut other: Vec<(String, String)> = Vec::new();
    let mut only_a = Vec::new();
    for x in &ra {
        let Some(i) = rb.iter().position(|y| same_package(&x.0, &y.0)) else {
            only_a.push(show(x));
            continue;
        };
        let y = rb.remove(i);
        if *x == y {
            continue;
        }
        let list = match dependency_cause(&x.0, &y.0) {
            Cause::Toolchain => &mut tool,
            _ => &mut other,
        };
        list.push((show(x), show(&y)));
    }
    let mut out = Vec::new();
    for (list, cause) in [(tool, Cause::Toolchain), (other, Cause::PackageVersion)] {
        if list.is_empty() {
            continue;
        }
        let (va, vb): (Vec<String>, Vec<String>) = list.into_iter().unzip();
        out.push(Change::finding(
            field,
            Value::Text(va.join(", ")),
            Value::Text(vb.join(", ")),
            cause,
        ));
    }
    let only_b = rb.iter().map(show).collect();
    (out, (only_a, only_b))
}

/// Dependencies only one side declares: (a's, b's).
type Unpaired = (Vec<String>, Vec<String>);

/// Whether two dependency names are one package: equal, or renamed by the
/// 64-bit `time_t` transition (`libglib2.0-0t64` against `libglib2.0-0`).
pub fn same_package(x: &str, y: &str) -> bool {
    // The name with its version digits blanked: `libpython3.13` and
    // `libpython3.11` are one library at two versions (another release's).
    let shape = |n: &str| -> String {
        let n = n.strip_suffix("t64").unwrap_or(n);
        let mut out = String::new();
        let mut in_version = false;
        for c in n.chars() {
            let digit = c.is_ascii_digit() || (in_version && c == '.');
            if digit && !in_version {
                out.push('#');
            } else if !digit {
                out.push(c);
            }
            in_version = digit;
        }
        out
    };
    x == y || x.strip_suffix("t64") == Some(y) || y.strip_suffix("t64") == Some(x) || {
        let (sx, sy) = (shape(x), shape(y));
        sx == sy && sx.contains('#')
    }
}

/// Explains two `control` stanzas of one package field by field; `None`
/// when the texts are not such stanzas.
pub fn explain(a: &[u8], b: &[u8]) -> Option<Explanation> {
    let (sa, sb) = (stanza(a)?, stanza(b)?);
    let get =
        |s: &[(String, String)], k: &str| s.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    if get(&sa, "Package") != get(&sb, "Package") {
        return None;
    }
    let keys = |s: &[(String, String)], other: &[(String, String)]| -> Vec<String> {
        s.iter()
            .map(|(k, _)| k.clone())
            .filter(|k| get(other, k).is_some())
            .collect()
    };
    // Fields in another order: not explained here (added or removed ones
    // are weighed below).
    let mut ex = Explanation {
        unexplained: keys(&sa, &sb) != keys(&sb, &sa),
        ..Explanation::default()
    };
    let other_version = get(&sa, "Version") != get(&sb, "Version");
    // Dependencies one package under another name on each side (the
    // `time_t` transition's `libdw1t64` against `libdw1`), and the
    // relation fields that rename them.
    let mut renames: Vec<(String, String)> = Vec::new();
    let mut renamed_in: Vec<String> = Vec::new();
    for (k, va) in sa.iter().filter(|(k, _)| is_relation(k)) {
        let Some(vb) = get(&sb, k).filter(|vb| vb != va) else {
            continue;
        };
        let (ra, rb) = (relations(va), relations(&vb));
        // Pairing is quadratic: a hostile field is left alone.
        if ra.len().max(rb.len()) > MAX_PAIRED_RELATIONS {
            continue;
        }
        let named = |r: &[(String, String)], n: &str| r.iter().any(|(x, _)| x == n);
        for (x, _) in &ra {
            // A name both sides list was not renamed.
            if named(&rb, x) {
                continue;
            }
            let Some((y, _)) = rb
                .iter()
                .find(|(y, _)| same_package(x, y) && !named(&ra, y))
            else {
                continue;
            };
            let x = x.clone();
            if !renames.iter().any(|(p, _)| *p == x) {
                renames.push((x, y.clone()));
            }
            let field = format!("control.{k}");
            if !renamed_in.contains(&field) {
                renamed_in.push(field);
            }
        }
    }
    // The longest names first: `libdw1t64` is replaced before a name it
    // starts with could be.
    renames.sort_by(|p, q| q.0.len().cmp(&p.0.len()).then_with(|| p.cmp(q)));
    // Each byte of a text is tried against every name: bounded for a
    // hostile stanza.
    if renames.len() > MAX_RENAMES {
        renames.clear();
    }
    for (k, va) in &sa {
        let Some(vb) = get(&sb, k) else { continue };
        if *va == vb {
            continue;
        }
        let field = format!("control.{k}");
        let cause = match k.as_str() {
            "Version" | "Source" => Cause::PackageVersion,
            "Installed-Size" => Cause::Consequential,
            // The declared relations, changed at the same version, are
            // not explained by a version.
            r if RELATIONS.contains(&r) || (DECLARED.contains(&r) && other_version) => {
                let (changes, (only_a, only_b)) = relation_changes(&field, va, &vb);
                ex.changes.extend(changes);
                if only_a.is_empty() && only_b.is_empty() {
                    continue;
                }
                // Another version of the package declares other
                // dependencies (`Disable ROC, not available in Bookworm`):
                // the version's. With the same version, not explained.
                if get(&sa, "Version") == get(&sb, "Version") {
                    ex.unexplained = true;
                    continue;
                }
                let listed = |v: Vec<String>| {
                    if v.is_empty() {
                        "(none)".to_string()
                    } else {
                        v.join(", ")
                    }
                };
                ex.changes.push(Change::finding(
                    field,
                    Value::Text(listed(only_a)),
                    Value::Text(listed(only_b)),
                    Cause::PackageVersion,
                ));
                continue;
            }
            // A text naming the packages the relations renamed (a
            // `Description` saying `libdw1t64` where the backport says
            // `libdw1`): follows those relations.
            _ if !is_relation(k) && !renames.is_empty() && renamed(va, &renames) == vb => {
                let mut c = Change::finding(
                    field,
                    Value::Text(va.clone()),
                    Value::Text(vb),
                    Cause::Consequential,
                );
                c.follows = renamed_in.clone();
                ex.changes.push(c);
                continue;
            }
            // Named, with no known cause.
            _ => {
                ex.unexplained = true;
                Cause::Content
            }
        };
        ex.changes.push(Change::finding(
            field,
            Value::Text(va.clone()),
            Value::Text(vb),
            cause,
        ));
    }
    // A field only one side has. Relations another version of the package
    // declares (a backport's `Breaks:`) are that version's, as for changed
    // relations above; anything else (a newer debhelper's `Commands:`) is
    // named, with no known cause.
    let only = |s: &[(String, String)], other: &[(String, String)]| {
        s.iter()
            .filter(|(k, _)| get(other, k).is_none())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vec<_>>()
    };
    let none = || Value::text("(none)");
    let sided = only(&sa, &sb)
        .into_iter()
        .map(|(k, v)| (k, Value::Text(v), none()))
        .chain(
            only(&sb, &sa)
                .into_iter()
                .map(|(k, v)| (k, none(), Value::Text(v))),
        );
    for (k, va, vb) in sided {
        let declared = RELATIONS.contains(&k.as_str()) || DECLARED.contains(&k.as_str());
        let cause = if declared && other_version {
            Cause::PackageVersion
        } else {
            ex.unexplained = true;
            Cause::Content
        };
        ex.changes
            .push(Change::finding(format!("control.{k}"), va, vb, cause));
    }
    Some(ex)
}

/// Whether a field lists packages (dependencies, declared relations,
/// build dependencies).
fn is_relation(k: &str) -> bool {
    RELATIONS.contains(&k) || OTHER_RELATIONS.contains(&k)
}

/// Relations of one field paired one by one to find renames, at most.
const MAX_PAIRED_RELATIONS: usize = 4096;

/// Renamed dependencies a text is checked against, at most.
const MAX_RENAMES: usize = 64;

/// Whether `c` can be part of a package name (`.` only inside one: a
/// name that ends a sentence is still a name).
fn name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'-'
}

/// `text` with every package name of `renames` that stands as a word
/// replaced by its other side's name.
fn renamed(text: &str, renames: &[(String, String)]) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        let starts_word = i == 0 || !(name_char(b[i - 1]) || b[i - 1] == b'.');
        let hit = starts_word
            .then(|| {
                renames.iter().find(|(x, _)| {
                    let end = i + x.len();
                    !x.is_empty()
                        && b.get(i..end) == Some(x.as_bytes())
                        && !b.get(end).is_some_and(|&c| {
                            name_char(c)
                                || (c == b'.' && b.get(end + 1).is_some_and(|&d| name_char(d)))
                        })
                })
            })
            .flatten();
        match hit {
            Some((x, y)) => {
                out.push_str(&text[copied..i]);
                out.push_str(y);
                i += x.len();
                copied = i;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// A library package's `shlibs` file built twice (deb-shlibs(5): `[type:]
/// library soname-version dependencies`, one line per library): the
/// dependencies dpkg-shlibdeps will give the package's users name the
/// package at its version, under its name on that release
/// (`libboost_regex 1.83.0 libboost-regex1.83.0-icu76` against `-icu72`,
/// `libdw1t64 (>= 0.192)` against `libdw1`). Line by line, the same
/// libraries on both sides, their dependencies read as a relation field's;
/// `None` when the texts are not such files or list other libraries.
pub fn shlibs(a: &[u8], b: &[u8]) -> Option<Explanation> {
    // (type and library and version, dependencies) of each line.
    fn lines(t: &[u8]) -> Option<Vec<(String, String)>> {
        let t = std::str::from_utf8(t).ok()?;
        let mut out = Vec::new();
        for line in t
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let mut words = line.split_whitespace();
            let mut head = words.next()?.to_string();
            if head.ends_with(':') {
                head = format!("{head} {}", words.next()?);
            }
            head = format!("{head} {}", words.next()?);
            let deps = words.collect::<Vec<_>>().join(" ");
            if deps.is_empty() {
                return None;
            }
            out.push((head, deps));
        }
        (!out.is_empty()).then_some(out)
    }
    let (la, lb) = (lines(a)?, lines(b)?);
    if la.len() != lb.len() || la.iter().zip(&lb).any(|(x, y)| x.0 != y.0) {
        return None;
    }
    let mut ex = Explanation::default();
    for ((head, da), (_, db)) in la.iter().zip(&lb) {
        if da == db {
            continue;
        }
        // Dependency by dependency, in order: the same package (renamed by
        // `time_t` or by a version its name carries) with the same
        // constraint, or with its version and a rebuild's suffix
        // (`1.0-1` → `1.0-1~bpo12+1`); a constraint raised otherwise is
        // the maintainer's, not the build's.
        let (ra, rb) = (relations(da), relations(db));
        let rebuilt = |x: &str, y: &str| {
            let suffixed = |p: &str, q: &str| {
                q.strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with(['~', '+']))
            };
            x == y || suffixed(x, y) || suffixed(y, x)
        };
        let agree = ra.len() == rb.len()
            && ra
                .iter()
                .zip(&rb)
                .all(|((x, cx), (y, cy))| same_package(x, y) && rebuilt(cx, cy));
        if !agree {
            return None;
        }
        ex.changes.push(Change::finding(
            format!("shlibs.{}", head.replace(' ', ".")),
            Value::text(da),
            Value::text(db),
            Cause::PackageVersion,
        ));
    }
    (!ex.changes.is_empty()).then_some(ex)
}

/// Relations a package declares to others that are not what it was built
/// against: another version's packaging may add or drop them.
const DECLARED: [&str; 5] = ["Breaks", "Conflicts", "Replaces", "Provides", "Enhances"];

#[cfg(test)]
mod tests {
    use super::*;

    const A: &[u8] = b"Package: hello\nVersion: 2.10-3\nArchitecture: amd64\nInstalled-Size: 280\nDepends: libc6 (>= 2.38)\nDescription: example\n more\n";
    const B: &[u8] = b"Package: hello\nVersion: 2.10-3~bpo12+1\nArchitecture: amd64\nInstalled-Size: 284\nDepends: libc6 (>= 2.34)\nDescription: example\n more\n";

    /// A field only one side has, or one changed for no known reason, is
    /// named with no cause (and the stanza stays unexplained), not left to
    /// the text diff alone.
    #[test]
    fn fields_without_a_cause_are_named() {
        // Breaks only in the other version: that version's packaging.
        let b = [B, b"Breaks: hello-doc (<< 2)\n".as_slice()].concat();
        let ex = explain(A, &b).expect("stanzas");
        assert!(!ex.unexplained);
        assert!(ex
            .changes
            .iter()
            .any(|c| c.field == "control.Breaks" && c.cause == Some(Cause::PackageVersion)));
        let b = [B, b"Commands: hello\n".as_slice()].concat();
        let ex = explain(A, &b).expect("stanzas");
        assert!(ex.unexplained);
        let c = ex
            .changes
            .iter()
            .find(|c| c.field == "control.Commands")
            .expect("the added field is named");
        assert_eq!(c.cause, Some(Cause::Content));
        assert_eq!(c.b, Some(Value::text("hello")));
        let d = String::from_utf8_lossy(B)
            .replace("example", "an example")
            .into_bytes();
        let ex = explain(A, &d).expect("stanzas");
        assert!(ex.unexplained);
        assert!(ex
            .changes
            .iter()
            .any(|c| c.field == "control.Description" && c.cause == Some(Cause::Content)));
    }

    #[test]
    fn a_backport_rebuild_is_version_toolchain_and_size() {
        let ex = explain(A, B).expect("stanzas");
        assert!(!ex.unexplained);
        let got: Vec<(String, Option<Cause>)> = ex
            .changes
            .iter()
            .map(|c| (c.field.clone(), c.cause))
            .collect();
        assert_eq!(
            got,
            [
                ("control.Version".into(), Some(Cause::PackageVersion)),
                ("control.Installed-Size".into(), Some(Cause::Consequential)),
                ("control.Depends".into(), Some(Cause::Toolchain)),
            ]
        );
    }

    /// libdw-dev 0.192-4 (trixie) against its bookworm backport: the
    /// library the `time_t` transition renamed is named in the
    /// `Description` too, which follows `Depends`; any other change to the
    /// text stays unexplained.
    #[test]
    fn a_text_naming_a_renamed_dependency_follows_it() {
        let a = b"Package: libdw-dev\nVersion: 0.192-4\nDepends: libdw1t64 (= 0.192-4), libelf-dev\nDescription: libdw1t64 development libraries\n libdw1t64 provides access to DWARF; see libdw1t64.\n This package contains files for libdw1.\n";
        let b = b"Package: libdw-dev\nVersion: 0.192-4~bpo12+1\nDepends: libdw1 (= 0.192-4~bpo12+1), libelf-dev\nDescription: libdw1 development libraries\n libdw1 provides access to DWARF; see libdw1.\n This package contains files for libdw1.\n";
        let ex = explain(a, b).expect("stanzas");
        assert!(!ex.unexplained, "{:?}", ex.changes);
        let d = ex
            .changes
            .iter()
            .find(|c| c.field == "control.Description")
            .expect("the description is named");
        assert_eq!(d.cause, Some(Cause::Consequential));
        assert_eq!(d.follows, ["control.Depends"]);
        // Another word changed as well: not explained by the rename.
        let c = String::from_utf8_lossy(b)
            .replace("access to DWARF", "access to DWARF 5")
            .into_bytes();
        let ex = explain(a, &c).expect("stanzas");
        assert!(ex.unexplained);
        // A field listing both names on both sides renames nothing; a
        // trailing comma names nothing (and the rule ends).
        let both = b"Package: p\nVersion: 1\nDepends: libssl3 | libssl1.1\nDescription: built with libssl3\n";
        let other = b"Package: p\nVersion: 1\nDepends: libssl3 | libssl1.1\nDescription: built with libssl1.1\n";
        assert!(explain(both, other).expect("stanzas").unexplained);
        let a2 = b"Package: p\nVersion: 1\nDepends: t64,\nDescription: a, b\n";
        let b2 = b"Package: p\nVersion: 1\nDepends: t64\nDescription: a, c\n";
        assert!(explain(a2, b2).expect("stanzas").unexplained);
        // Build dependencies never follow themselves.
        let a3 = b"Package: p\nVersion: 1\nBuild-Depends: libfoo1-dev\n";
        let b3 = b"Package: p\nVersion: 1\nBuild-Depends: libfoo2-dev\n";
        let ex = explain(a3, b3).expect("stanzas");
        assert!(ex.unexplained);
        assert!(ex.changes.iter().all(|c| c.follows.is_empty()));
        // A name that only starts like the renamed one is not renamed.
        assert_eq!(
            renamed(
                "libdw1t64-dev libdw1t64.so libdw1t64, libdw1t64.",
                &[("libdw1t64".into(), "libdw1".into())]
            ),
            "libdw1t64-dev libdw1t64.so libdw1, libdw1."
        );
    }

    /// libigraph3t64 0.10.15+ds-3 against its backport: `Breaks` written
    /// from the package's own version is read as a relation, as `Depends`
    /// is.
    #[test]
    fn a_field_naming_the_own_version_is_that_versions() {
        let a = b"Package: libigraph3t64\nVersion: 0.10.15+ds-3\nBreaks: libigraph3 (<< 0.10.15+ds-3)\n";
        let b = b"Package: libigraph3t64\nVersion: 0.10.15+ds-3~bpo12+1\nBreaks: libigraph3 (<< 0.10.15+ds-3~bpo12+1)\n";
        let ex = explain(a, b).expect("stanzas");
        assert!(!ex.unexplained, "{:?}", ex.changes);
        assert!(ex
            .changes
            .iter()
            .any(|c| c.field == "control.Breaks" && c.cause == Some(Cause::PackageVersion)));
        // Read as relations: a package only one side breaks, with the same
        // version on both, is not explained.
        let c = String::from_utf8_lossy(a).replace("ds-3)", "ds-3), libfoo");
        assert!(explain(a, c.as_bytes()).expect("stanzas").unexplained);
        // A constraint changed at the same version: not a version's.
        let c = String::from_utf8_lossy(a).replace("(<< 0.10.15+ds-3)", "(<< 0.11)");
        assert!(explain(a, c.as_bytes()).expect("stanzas").unexplained);
        // libboost-regex1.83.0: a virtual package named after the ICU it
        // was built against is that version's, like a dependency, and
        // follows nothing (not itself).
        let a = b"Package: libboost-regex1.83.0\nVersion: 1.83.0-4.2\nProvides: libboost-regex1.83.0-icu76\n";
        let b = b"Package: libboost-regex1.83.0\nVersion: 1.83.0-4.2~bpo12+1\nProvides: libboost-regex1.83.0-icu72\n";
        let ex = explain(a, b).expect("stanzas");
        assert!(!ex.unexplained, "{:?}", ex.changes);
        let p = ex
            .changes
            .iter()
            .find(|c| c.field == "control.Provides")
            .expect("named");
        assert_eq!(p.cause, Some(Cause::PackageVersion));
        assert!(p.follows.is_empty());
    }

    /// libboost-regex1.83.0's `shlibs`, trixie against bookworm-backports:
    /// the package named after the ICU it was built against; a t64 rename.
    #[test]
    fn a_shlibs_file_names_the_package_at_its_version() {
        let ex = shlibs(
            b"libboost_regex 1.83.0 libboost-regex1.83.0-icu76\n",
            b"libboost_regex 1.83.0 libboost-regex1.83.0-icu72\n",
        )
        .expect("one library, renamed");
        assert!(!ex.unexplained);
        assert_eq!(ex.changes[0].field, "shlibs.libboost_regex.1.83.0");
        assert_eq!(ex.changes[0].cause, Some(Cause::PackageVersion));
        let ex = shlibs(
            b"libdw 1 libdw1t64 (>= 0.192)\nudeb: libdw 1 libdw1-udeb (>= 0.192)\n",
            b"libdw 1 libdw1 (>= 0.192)\nudeb: libdw 1 libdw1-udeb (>= 0.192)\n",
        )
        .expect("t64");
        assert_eq!(ex.changes.len(), 1);
        // Another library, another package, or not a shlibs file at all.
        assert!(shlibs(b"libfoo 1 libfoo1\n", b"libbar 1 libfoo1\n").is_none());
        assert!(shlibs(b"libfoo 1 libfoo1\n", b"libfoo 1 libbar2\n").is_none());
        assert!(shlibs(b"libfoo 1\n", b"libfoo 2\n").is_none());
        // The rebuild's version, or a constraint the maintainer raised.
        assert!(shlibs(
            b"libfoo 1 libfoo1 (>= 1.0-1)\n",
            b"libfoo 1 libfoo1 (>= 1.0-1~bpo12+1)\n"
        )
        .is_some());
        assert!(shlibs(
            b"libfoo 1 libfoo1 (>= 1.0)\n",
            b"libfoo 1 libfoo1 (>= 1.2)\n"
        )
        .is_none());
        assert!(shlibs(b"", b"").is_none());
    }

    /// PipeWire's backport dropped a dependency (`Disable ROC, not
    /// available in Bookworm`): another version declares it otherwise.
    #[test]
    fn another_version_declares_its_own_dependencies() {
        let b = b"Package: hello\nVersion: 2.10-3~bpo12+1\nArchitecture: amd64\nInstalled-Size: 284\nDepends: libc6 (>= 2.34), libroc0.4 (>= 0.4.0)\nDescription: example\n more\n";
        let ex = explain(A, b).expect("stanzas");
        assert!(!ex.unexplained, "{:?}", ex.changes);
        let dep = ex
            .changes
            .iter()
            .find(|c| c.cause == Some(Cause::PackageVersion) && c.field == "control.Depends")
            .expect("the added dependency");
        assert_eq!(Change::shown(&dep.a).as_deref(), Some("(none)"));
        assert_eq!(dep.shown_b().as_deref(), Some("libroc0.4 (>= 0.4.0)"));
    }

    #[test]
    fn other_dependencies_and_fields_are_not_the_toolchain() {
        let b = b"Package: hello\nVersion: 2.10-3\nArchitecture: amd64\nInstalled-Size: 280\nDepends: libc6 (>= 2.38), libfoo1 (>= 2)\nDescription: example\n more\n";
        let ex = explain(A, b).expect("stanzas");
        assert!(ex.unexplained, "a dependency was added");
        let c = b"Package: hello\nVersion: 2.10-3\nArchitecture: all\nInstalled-Size: 280\nDepends: libc6 (>= 2.38)\nDescription: example\n more\n";
        assert!(explain(A, c).expect("stanzas").unexplained);
        assert!(explain(A, b"Package: other\nVersion: 1\n").is_none());
        assert!(explain(b"just text\n", b"other text\n").is_none());
        let causes = |a: &str, b: &str| {
            let (changes, (only_a, only_b)) = relation_changes("control.Depends", a, b);
            let causes: Vec<Option<Cause>> = changes.iter().map(|c| c.cause).collect();
            (causes, !only_a.is_empty() || !only_b.is_empty())
        };
        assert_eq!(
            causes(
                "libc6 (>= 2.36), libssl3 (>= 3.0)",
                "libc6 (>= 2.36), libssl3 (>= 3.1)"
            ),
            (vec![Some(Cause::PackageVersion)], false)
        );
        // Renamed by the time_t transition: the same library. The libc6
        // constraint is the toolchain's, named apart from the others.
        let (changes, unpaired) = relation_changes(
            "control.Depends",
            "libc6 (>= 2.38), libglib2.0-0t64 (>= 2.32.0), libroc0.4 (>= 0.4.0)",
            "libc6 (>= 2.34), libglib2.0-0 (>= 2.31.8)",
        );
        assert_eq!(unpaired, (vec!["libroc0.4 (>= 0.4.0)".to_string()], vec![]));
        let shown: Vec<(String, Option<Cause>)> = changes
            .iter()
            .map(|c| (Change::shown(&c.b).unwrap_or_default(), c.cause))
            .collect();
        assert_eq!(
            shown,
            [
                ("libc6 (>= 2.34)".to_string(), Some(Cause::Toolchain)),
                (
                    "libglib2.0-0 (>= 2.31.8)".to_string(),
                    Some(Cause::PackageVersion)
                ),
            ]
        );
        assert_eq!(causes("libfoo1t64", "libbar1"), (vec![], true));
        // Another release's interpreter library: one library, two versions.
        assert_eq!(
            causes("libpython3.13 (>= 3.13.0~rc3)", "libpython3.11 (>= 3.11.0)"),
            (vec![Some(Cause::PackageVersion)], false)
        );
        // The compilers Built-Using names are the toolchain.
        let (changes, _) = relation_changes(
            "control.Built-Using",
            "rust-egg (= 0.6.0+ds-5), rustc (= 1.95.0+dfsg1-2), golang-1.26 (= 1.26.5-1)",
            "rust-egg (= 0.6.0+ds-5~bpo13+1), rustc (= 1.85.1+dfsg1-1+deb13u1), golang-1.24 (= 1.24.4-1)",
        );
        let shown: Vec<(String, Option<Cause>)> = changes
            .iter()
            .map(|c| (Change::shown(&c.b).unwrap_or_default(), c.cause))
            .collect();
        assert_eq!(
            shown,
            [
                (
                    "rustc (= 1.85.1+dfsg1-1+deb13u1), golang-1.24 (= 1.24.4-1)".to_string(),
                    Some(Cause::Toolchain)
                ),
                (
                    "rust-egg (= 0.6.0+ds-5~bpo13+1)".to_string(),
                    Some(Cause::PackageVersion)
                ),
            ]
        );
        assert!(is_compiler("gcc-14") && is_compiler("rustc") && !is_compiler("rust-egg"));
        // The documentation generator dh_sphinxdoc names.
        let (changes, _) = relation_changes(
            "control.Built-Using",
            "sphinx (= 8.1.3-4)",
            "sphinx (= 5.3.0-4)",
        );
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].cause, Some(Cause::Toolchain));
        assert!(!is_compiler("sphinx-rtd-theme-common"));
        assert!(!same_package("libfoo", "libbar"));
        assert!(!same_package("python3-gi", "python3-all-dev"));
    }
}
