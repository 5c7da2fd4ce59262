//! Pages javadoc wrote on two builds of a JDK: javadoc links every type of
//! the Java platform (`String`, `Vector`) to the platform's API pages, at
//! `https://docs.oracle.com/en/java/javase/{N}/docs/api/` when the JDK that
//! runs it is a release of feature version N, and at
//! `https://download.java.net/java/early_access/jdk{N}/docs/api/` when it
//! is a pre-release of N (Debian's `openjdk-17` in unstable, 17.0.8 early
//! access, against its bookworm release: libhtmlparser-java-doc's 190
//! pages). Two pages that are the same once one side's early-access links
//! are written as the release's are the same pages from another build of
//! the toolchain: `toolchain`, with the version and the links counted.
//!
//! Diagnosis stage (engine → **diagnosis** → report), on the masked bytes
//! of a differing text leaf that the date and identifier masks left
//! unexplained, before the markup rules (which would call the links other
//! words).

use memchr::memmem;

use crate::report::{Cause, Change, Value};

/// The field of a page whose platform links moved with the JDK's release
/// state.
pub const FIELD: &str = "javadoc.platform_docs";

/// Where javadoc of a pre-release JDK links the platform's API, before the
/// feature version.
const EARLY_ACCESS: &[u8] = b"https://download.java.net/java/early_access/jdk";
/// Where javadoc of a released JDK (11 and later) links it, before the
/// feature version.
const RELEASED: &[u8] = b"https://docs.oracle.com/en/java/javase/";
/// What follows the feature version in both.
const API: &[u8] = b"/docs/api/";

/// The feature version an early-access link at `at` of `t` names, and
/// where the link's base ends: `jdk{N}/docs/api/`, N from 11 on (javadoc
/// writes another base for 10 and earlier).
fn early_access_at(t: &[u8], at: usize) -> Option<(u32, usize)> {
    let from = at + EARLY_ACCESS.len();
    let digits = t
        .get(from..)?
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 || digits > 3 {
        return None;
    }
    let version: u32 = std::str::from_utf8(&t[from..from + digits])
        .ok()?
        .parse()
        .ok()?;
    let end = from + digits;
    (version >= 11 && t.get(end..end + API.len()) == Some(API))
        .then_some((version, end + API.len()))
}

/// `t` with each early-access platform link written as the release's, the
/// feature version they name and how many there were. `None` when there is
/// none, or they name more than one version.
fn as_released(t: &[u8]) -> Option<(Vec<u8>, u32, usize)> {
    let mut out = Vec::with_capacity(t.len());
    let (mut last, mut n, mut version) = (0, 0, None);
    for at in memmem::find_iter(t, EARLY_ACCESS) {
        if at < last {
            continue;
        }
        let (v, end) = early_access_at(t, at)?;
        if *version.get_or_insert(v) != v {
            return None;
        }
        out.extend_from_slice(&t[last..at]);
        out.extend_from_slice(RELEASED);
        out.extend_from_slice(v.to_string().as_bytes());
        out.extend_from_slice(API);
        last = end;
        n += 1;
    }
    out.extend_from_slice(&t[last..]);
    Some((out, version?, n))
}

/// Two masked texts that are the same once one side's early-access
/// platform links are written as the release's: a `toolchain` change
/// naming the JDK's release state on each side and counting the links.
pub fn platform_docs(ma: &[u8], mb: &[u8]) -> Option<Change> {
    let has = |t: &[u8]| memmem::find(t, EARLY_ACCESS).is_some();
    let (early_a, early_b) = (has(ma), has(mb));
    if early_a == early_b {
        return None;
    }
    let (early, released) = if early_a { (ma, mb) } else { (mb, ma) };
    let (rewritten, version, n) = as_released(early)?;
    if rewritten != released {
        return None;
    }
    let side = |pre: bool| {
        let (what, base) = if pre {
            ("a pre-release", format!("{}{version}", s(EARLY_ACCESS)))
        } else {
            ("a release", format!("{}{version}", s(RELEASED)))
        };
        Value::text(format!(
            "javadoc of {what} of JDK {version}: platform links to {base}{}",
            s(API)
        ))
    };
    let mut c = Change::finding(FIELD, side(early_a), side(early_b), Cause::Toolchain);
    c.more = n.saturating_sub(1) as u64;
    Some(c)
}

fn s(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::text;

    /// Lines of libhtmlparser-java-doc 1.6.20060610.dfsg0-10's
    /// `NodeFactory.html` in trixie (javadoc of openjdk 17.0.8 early
    /// access) and in its bookworm backport (17.0.8 released).
    const A: &[u8] = b"<meta name=\"dc.created\" content=\"2023-07-17\">\n<a href=\"https://download.java.net/java/early_access/jdk17/docs/api/java.base/java/util/Vector.html\" class=\"external-link\">Vector</a>&nbsp;attributes)</code></div>\n<p>text</p><a href=\"https://download.java.net/java/early_access/jdk17/docs/api/java.base/java/lang/String.html\">String</a>\n";
    const B: &[u8] = b"<meta name=\"dc.created\" content=\"2023-08-31\">\n<a href=\"https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/util/Vector.html\" class=\"external-link\">Vector</a>&nbsp;attributes)</code></div>\n<p>text</p><a href=\"https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/lang/String.html\">String</a>\n";

    /// Both pages with their dates masked, as the text rules mask them.
    fn masked() -> (Vec<u8>, Vec<u8>) {
        (text::mask(A).0, text::mask(B).0)
    }

    #[test]
    fn early_access_links_are_the_toolchains() {
        // Unmasked, the dates differ too: not this rule's to explain.
        assert!(platform_docs(A, B).is_none());
        let (a, b) = masked();
        let c = platform_docs(&a, &b).expect("the same pages but the links");
        assert_eq!(c.field, FIELD);
        assert_eq!(c.cause, Some(Cause::Toolchain));
        assert_eq!(c.more, 1, "two links");
        assert_eq!(
            Change::shown(&c.a).as_deref(),
            Some("javadoc of a pre-release of JDK 17: platform links to https://download.java.net/java/early_access/jdk17/docs/api/")
        );
        assert_eq!(
            Change::shown(&c.b).as_deref(),
            Some("javadoc of a release of JDK 17: platform links to https://docs.oracle.com/en/java/javase/17/docs/api/")
        );
        // Either way round.
        let c = platform_docs(&b, &a).expect("the same pages but the links");
        assert!(Change::shown(&c.a).is_some_and(|s| s.contains("a release")));
    }

    #[test]
    fn anything_else_is_not_explained_here() {
        let (a, b) = masked();
        let (ta, tb) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
        // Another word beside the links.
        let other = tb.replace("<p>text", "<p>other");
        assert!(platform_docs(&a, other.as_bytes()).is_none());
        // Another feature version: not the release state alone.
        let other = tb.replace("javase/17", "javase/21");
        assert!(platform_docs(&a, other.as_bytes()).is_none());
        // Two feature versions on the early-access side.
        let mixed = ta.replacen("jdk17", "jdk21", 1);
        assert!(platform_docs(mixed.as_bytes(), &b).is_none());
        // Links on both sides, or on neither.
        assert!(platform_docs(&a, &a).is_none());
        assert!(platform_docs(&b, b"x").is_none());
        // Before JDK 11 javadoc wrote another base: not this rule's.
        let (old_a, old_b) = (
            ta.replace("jdk17", "jdk9"),
            tb.replace("javase/17", "javase/9"),
        );
        assert!(platform_docs(old_a.as_bytes(), old_b.as_bytes()).is_none());
        // Cut short, or no version: no panic, no match.
        for cut in [a.len() / 3, a.len() / 2, a.len() - 1] {
            assert!(platform_docs(&a[..cut], &b).is_none());
        }
        assert!(platform_docs(EARLY_ACCESS, RELEASED).is_none());
        assert!(platform_docs(b"https://download.java.net/java/early_access/jdk17", b"").is_none());
    }
}
