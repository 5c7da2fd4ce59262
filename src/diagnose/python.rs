//! The Python interpreter a package was built for. An extension module
//! paired across its ABI tag (`x.cpython-313-x86_64-linux-gnu.so` →
//! `x.cpython-311-…`) was built for another interpreter: `python.abi`,
//! `toolchain`. The build tools then write that interpreter's version in
//! other files of the package too (dh-python's maintainer scripts and
//! runtime hooks, `py3compile -V 3.13`; the shared-library list naming
//! the extension; links to the renamed extension, Boost's
//! `libboost_python313.so`): a text or link target that differs only by
//! that version written for the other follows the `python.abi` finding.
//!
//! Diagnosis stage (engine → **diagnosis** → report): runs on the whole
//! tree before causes are settled, package by package; it reads the line
//! diffs and link targets the engine recorded, no bytes.

use crate::report::{Cause, Change, Diff, Node, Role, Value};

/// The field of a Python extension's interpreter tag.
pub const ABI_FIELD: &str = "python.abi";

/// How a change that follows a `python.abi` finding names it (after the
/// finding's node address).
pub const FOLLOWS_ABI: &str = ": python.abi";

/// The finding of a text that differs only by the interpreter's version.
pub const VERSION_FIELD: &str = "text.python_version";

/// The interpreter tag in a Python extension's name (`cpython-313`).
pub fn abi_tag(v: &Option<Value>) -> Option<&str> {
    let Some(Value::Text(t)) = v else { return None };
    let at = t.find("cpython-")?;
    let rest = t.get(at..)?;
    let end = rest
        .char_indices()
        .skip("cpython-".len())
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(rest.len(), |(i, _)| i);
    (end > "cpython-".len()).then(|| rest.get(..end)).flatten()
}

/// A Python extension paired across its ABI tag was built for another
/// interpreter: that is the toolchain, said on its node (`python.abi`).
pub fn name_interpreters(n: &mut Node) {
    let tags = n
        .changes
        .iter()
        .filter(|c| c.role == Role::Name)
        .find_map(|c| Some((abi_tag(&c.a)?.to_string(), abi_tag(&c.b)?.to_string())));
    if let Some((a, b)) = tags.filter(|(a, b)| a != b) {
        if !n.changes.iter().any(|c| c.field == ABI_FIELD) {
            n.changes.push(Change::finding(
                ABI_FIELD,
                Value::Text(a),
                Value::Text(b),
                Cause::Toolchain,
            ));
        }
    }
    for c in &mut n.children {
        name_interpreters(c);
    }
}

/// One interpreter version in the two ways build tools write it: dotted
/// (`3.13`) and run together (`313`).
#[derive(Clone, PartialEq, Eq, Debug)]
struct Version {
    dotted: String,
    compact: String,
}

impl Version {
    /// The version a tag names (`cpython-313` → 3.13), Python 3 only.
    fn of_tag(tag: &str) -> Option<Version> {
        let digits = tag.strip_prefix("cpython-")?;
        let minor = digits.strip_prefix('3')?;
        (!minor.is_empty() && minor.len() <= 2 && minor.bytes().all(|b| b.is_ascii_digit())).then(
            || Version {
                dotted: format!("3.{minor}"),
                compact: digits.to_string(),
            },
        )
    }
}

/// `line` with each standalone mention of version `a` written as `b`: the
/// dotted form not inside a longer number (`-V 3.13`, `python3.13/`), the
/// compact one right after a letter, `-` or `_` and not followed by a
/// digit (`cpython-313`, `libboost_python313`, `-py313`).
fn with_version(line: &str, a: &Version, b: &Version) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        let before = i.checked_sub(1).map(|k| bytes[k]);
        let after = |len: usize| bytes.get(i + len).copied();
        let dotted = bytes[i..].starts_with(a.dotted.as_bytes())
            && !before.is_some_and(|c| c.is_ascii_digit() || c == b'.')
            && !after(a.dotted.len()).is_some_and(|c| c.is_ascii_digit());
        let compact = !dotted
            && bytes[i..].starts_with(a.compact.as_bytes())
            && before.is_some_and(|c| c.is_ascii_alphabetic() || c == b'-' || c == b'_')
            && !after(a.compact.len()).is_some_and(|c| c.is_ascii_digit());
        let (len, new) = if dotted {
            (a.dotted.len(), &b.dotted)
        } else if compact {
            (a.compact.len(), &b.compact)
        } else {
            i += 1;
            continue;
        };
        out.push_str(&line[copied..i]);
        out.push_str(new);
        i += len;
        copied = i;
    }
    out.push_str(&line[copied..]);
    out
}

/// Whether every hunk of a whole text diff is side a's lines with the
/// version `a` written as `b` (and the diff is not empty).
fn only_version(n: &Node, a: &Version, b: &Version) -> bool {
    let Some(Diff::Text {
        hunks,
        truncated: false,
        ..
    }) = &n.diff
    else {
        return false;
    };
    !hunks.is_empty() && super::rewritten_a_is_b(hunks, |t| with_version(t, a, b))
}

/// A link target that is side a's with the version `a` written as `b`.
fn target_follows(c: &Change, a: &Version, b: &Version) -> bool {
    let (Some(Value::Text(ta)), Some(Value::Text(tb))) = (&c.a, &c.b) else {
        return false;
    };
    // Causes of field changes are settled later: none yet, or `content`.
    let open = matches!(c.cause, None | Some(Cause::Content));
    c.field == "target" && open && ta != tb && {
        let rewritten = with_version(ta, a, b);
        rewritten != *ta && rewritten == *tb
    }
}

/// In each package whose extensions were built for another interpreter
/// (one `python.abi` pair, `cpython-313` → `cpython-311`): its texts
/// that differ only by that version, and its links whose targets do,
/// follow the `python.abi` finding (`consequential`). Packages are the
/// nodes holding a `control.tar` member, each judged on its own findings.
pub fn follow_interpreter_versions(tree: &mut Node) {
    if super::is_package(tree) {
        follow_in_package(tree);
    }
    for c in &mut tree.children {
        follow_interpreter_versions(c);
    }
}

fn follow_in_package(package: &mut Node) {
    let mut pairs: Vec<(String, Version, Version)> = Vec::new();
    package.visit(&mut |n| {
        for c in n.changes.iter().filter(|c| c.field == ABI_FIELD) {
            let tags = (abi_tag(&c.a), abi_tag(&c.b));
            if let (Some(a), Some(b)) = tags {
                if let (Some(va), Some(vb)) = (Version::of_tag(a), Version::of_tag(b)) {
                    pairs.push((n.address.clone(), va, vb));
                }
            }
        }
    });
    // One interpreter on each side, or nothing to say which is meant.
    let Some((node, a, b)) = pairs.first().cloned() else {
        return;
    };
    if a == b || pairs.iter().any(|(_, x, y)| *x != a || *y != b) {
        return;
    }
    let follows = vec![format!("{node}{FOLLOWS_ABI}")];
    fn mark(n: &mut Node, a: &Version, b: &Version, follows: &[String]) {
        for c in &mut n.children {
            mark(c, a, b, follows);
        }
        for c in n.changes.iter_mut().filter(|c| target_follows(c, a, b)) {
            c.cause = Some(Cause::Consequential);
            c.follows = follows.to_vec();
        }
        let text = n.children.is_empty()
            && !n.changes.iter().any(super::explains_beyond_naming)
            && only_version(n, a, b);
        if text {
            for c in n
                .changes
                .iter_mut()
                .filter(|c| c.cause == Some(Cause::Content))
            {
                c.cause = Some(Cause::Consequential);
                c.follows = follows.to_vec();
            }
            let mut c = Change::finding(
                VERSION_FIELD,
                Value::text(a.dotted.as_str()),
                Value::text(b.dotted.as_str()),
                Cause::Consequential,
            );
            c.follows = follows.to_vec();
            n.changes.push(c);
        }
    }
    mark(package, &a, &b, &follows);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(tag: &str) -> Version {
        Version::of_tag(tag).expect("a Python 3 tag")
    }

    #[test]
    fn versions_are_rewritten_where_they_stand_alone() {
        let (a, b) = (v("cpython-313"), v("cpython-311"));
        assert_eq!(a.dotted, "3.13");
        // omniidl's postinst and shlibs, libboost-python's link (trixie).
        assert_eq!(
            with_version(
                "\tpy3compile -p omniidl:amd64 /usr/lib/omniidl -V 3.13\n",
                &a,
                &b
            ),
            "\tpy3compile -p omniidl:amd64 /usr/lib/omniidl -V 3.11\n"
        );
        assert_eq!(
            with_version(
                "_omniidl.cpython-313-x86_64-linux-gnu 4 omniidl (>= 4.3.3+ds1)\n",
                &a,
                &b
            ),
            "_omniidl.cpython-311-x86_64-linux-gnu 4 omniidl (>= 4.3.3+ds1)\n"
        );
        assert_eq!(
            with_version("libboost_python313.so.1.83.0 /usr/lib/python3.13/x", &a, &b),
            "libboost_python311.so.1.83.0 /usr/lib/python3.11/x"
        );
        // Inside other numbers: left alone.
        for s in [
            "13.13", "3.133", "v23.13", "x3130", "2313", "1.3.13.1", "é3.1é",
        ] {
            assert_eq!(with_version(s, &a, &b), s, "{s}");
        }
        assert_eq!(Version::of_tag("cpython-27"), None);
        assert_eq!(Version::of_tag("cpython-3"), None);
        assert_eq!(Version::of_tag("pypy-313"), None);
    }
}
