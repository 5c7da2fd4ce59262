//! A rebuilt package's version written into a file: Debian marks a rebuild
//! of the same source by a suffix on the version (`~bpo12+1` for a
//! backport, `+b1` for a binary-only upload, `~deb12u1` for a stable
//! update), and files that embed the package's version (sendmail's m4
//! configuration, `--version` texts, pkg-config files) carry it. Two texts
//! that are the same once such suffixes, right after a version, are left
//! out differ by the package's version: `package-version`.
//!
//! Diagnosis stage (engine → **diagnosis** → report), on the masked bytes
//! (dates and identifiers already named) of a differing text leaf that
//! other rules left unexplained.

use crate::report::{Cause, Change, Value};

/// The field of a file that embeds the package's version.
pub const FIELD: &str = "text.package_version";

/// The length of a rebuild suffix starting at `i` of `t`: `~bpo<n>+<n>`,
/// `+b<n>` or `~deb<n>u<n>`, right after a digit (a version's end) and not
/// followed by more of a version.
fn suffix_at(t: &[u8], i: usize) -> Option<usize> {
    let len = suffix_len(t, i)?;
    // A full stop ends it when a sentence ends there, not a longer version.
    let part = |k: usize| {
        t.get(k)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || b"~+".contains(&c))
    };
    let ends = !part(i + len) && (t.get(i + len) != Some(&b'.') || !part(i + len + 1));
    ends.then_some(len)
}

/// `t` without its rebuild suffixes, how many there were, and the first one
/// left out with the version it followed (the run of version characters
/// before it). Copies the runs between suffixes; `None` for the copy when
/// there is no suffix (the text is `t` itself).
#[allow(clippy::type_complexity)]
fn without_suffixes(t: &[u8]) -> (Option<Vec<u8>>, usize, Option<(String, String)>) {
    let mut out: Option<Vec<u8>> = None;
    let (mut n, mut first, mut last) = (0, None, 0);
    for i in memchr::memchr2_iter(b'~', b'+', t) {
        if i < last {
            continue;
        }
        let Some(len) = suffix_at(t, i) else { continue };
        if first.is_none() {
            let start = t[..i]
                .iter()
                .rposition(|c| !(c.is_ascii_alphanumeric() || b".-:~+".contains(c)))
                .map_or(0, |p| p + 1);
            let version = String::from_utf8_lossy(&t[start..i]).into_owned();
            let suffix = String::from_utf8_lossy(&t[i..i + len]).into_owned();
            first = Some((version, suffix));
        }
        let o = out.get_or_insert_with(|| Vec::with_capacity(t.len()));
        o.extend_from_slice(&t[last..i]);
        n += 1;
        last = i + len;
    }
    if let Some(o) = out.as_mut() {
        o.extend_from_slice(&t[last..]);
    }
    (out, n, first)
}

/// Two masked texts that are the same once one side's rebuild suffixes are
/// left out (or whose suffixes differ: `+b1` against `+b2`): a
/// `package-version` change naming the first version on each side and how
/// many places carry a suffix. `None` when anything else differs.
pub fn explain(ma: &[u8], mb: &[u8]) -> Option<Change> {
    let (ra, na, fa) = without_suffixes(ma);
    let (rb, nb, fb) = without_suffixes(mb);
    if na + nb == 0 || ma == mb {
        return None;
    }
    let (ra, rb) = (ra.as_deref().unwrap_or(ma), rb.as_deref().unwrap_or(mb));
    if ra != rb {
        return None;
    }
    // Each side's first version as written: with its suffix when it has
    // one, else the version the other side's first suffix follows.
    let shown = |n: usize, own: &Option<(String, String)>, other: &Option<(String, String)>| match (
        n, own, other,
    ) {
        (1.., Some((v, s)), _) => Some(format!("{v}{s}")),
        (_, _, Some((v, _))) => Some(v.clone()),
        _ => None,
    };
    let (a, b) = (shown(na, &fa, &fb)?, shown(nb, &fb, &fa)?);
    let mut c = Change::finding(FIELD, Value::text(a), Value::text(b), Cause::PackageVersion);
    c.more = na.max(nb).saturating_sub(1) as u64;
    Some(c)
}

/// Whether `b` is `a` with one rebuild suffix written after a version in
/// it, or the other way round, whatever follows the suffix: a name that
/// carries the package's version (mesa's `libgallium-26.1.6-1.so` against
/// `libgallium-26.1.6-1~bpo13+1.so`, where a file name's extension
/// follows the version).
pub fn inserted_suffix(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    let at = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    let k = long.len() - short.len();
    if k == 0 {
        return false;
    }
    // Inserted at `i`: the texts agree before it (so `i <= at`) and after
    // it; where the suffix's bytes repeat those before it, it may start
    // up to its own length earlier.
    (at.saturating_sub(k)..=at)
        .any(|i| long.get(i + k..) == short.get(i..) && suffix_len(long, i) == Some(k))
}

/// The length of a rebuild suffix at `i` of `t` (`~bpo<n>+<n>`, `+b<n>`
/// or `~deb<n>u<n>` right after a digit), whatever follows it: a name's
/// extension may ([`suffix_at`] asks for the version's end too).
fn suffix_len(t: &[u8], i: usize) -> Option<usize> {
    if i == 0 || !t[i - 1].is_ascii_digit() {
        return None;
    }
    let digits = |k: usize| {
        t.get(k..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let rest = t.get(i..)?;
    if rest.starts_with(b"~bpo") || rest.starts_with(b"~deb") {
        let n = digits(i + 4);
        let sep = if rest.starts_with(b"~bpo") {
            b'+'
        } else {
            b'u'
        };
        (n > 0 && t.get(i + 4 + n) == Some(&sep))
            .then(|| digits(i + 5 + n))
            .filter(|&m| m > 0)
            .map(|m| 5 + n + m)
    } else if rest.starts_with(b"+b") {
        Some(digits(i + 2)).filter(|&n| n > 0).map(|n| 2 + n)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_the_rebuild_suffix_after_its_version() {
        let t = |a: &str, b: &str| inserted_suffix(a.as_bytes(), b.as_bytes());
        assert!(t(
            "libgallium-26.1.6-1.so",
            "libgallium-26.1.6-1~bpo13+1.so"
        ));
        assert!(t(
            "libgallium-26.1.6-1~bpo13+1.so",
            "libgallium-26.1.6-1.so"
        ));
        assert!(t("libx-2.0-3", "libx-2.0-3+b1"));
        assert!(t("x-1.2~deb12u1.so", "x-1.2.so"));
        // Not after a version, not a suffix, or more than the suffix.
        assert!(!t("libgallium.so", "libgallium~bpo13+1.so"));
        assert!(!t("libx-1.so", "libx-1~bpo.so"));
        assert!(!t("libx-1.so", "libx-1~bpo13+1.so.2"));
        assert!(!t("libx-1.so", "liby-1~bpo13+1.so"));
        assert!(!t("same", "same"));
        assert!(!t("", "~bpo13+1"));
    }

    /// Lines of sendmail-cf 8.18.1-6's `debian/autoconf.m4` in trixie and
    /// in its bookworm backport, dates aside.
    const A: &[u8] = b"# m4 autoconf config file for building Sendmail 8.18.1-6\nVERSIONID(`$Id: autoconf.m4,v 8.18.1-6 debian Exp $')\ndefine(`sm_revision',\t\t`-6')dnl\n";
    const B: &[u8] = b"# m4 autoconf config file for building Sendmail 8.18.1-6~bpo12+1\nVERSIONID(`$Id: autoconf.m4,v 8.18.1-6~bpo12+1 debian Exp $')\ndefine(`sm_revision',\t\t`-6~bpo12+1')dnl\n";

    #[test]
    fn a_rebuild_suffix_after_a_version_is_the_package_version() {
        let c = explain(A, B).expect("the version alone differs");
        assert_eq!(c.field, FIELD);
        assert_eq!(c.cause, Some(Cause::PackageVersion));
        assert_eq!(Change::shown(&c.a).as_deref(), Some("8.18.1-6"));
        assert_eq!(Change::shown(&c.b).as_deref(), Some("8.18.1-6~bpo12+1"));
        assert_eq!(c.more, 2, "three places");
        // Either way round, and the other suffixes.
        let c = explain(B, A).expect("either way");
        assert_eq!(Change::shown(&c.a).as_deref(), Some("8.18.1-6~bpo12+1"));
        for rebuilt in ["8.18.1-6+b1", "8.18.1-6~deb12u1"] {
            let b = String::from_utf8_lossy(A).replace("8.18.1-6", rebuilt);
            let c = explain(A, b.as_bytes()).expect(rebuilt);
            assert_eq!(Change::shown(&c.b).as_deref(), Some(rebuilt));
        }
    }

    #[test]
    fn anything_else_is_not_this_rules() {
        // Another word besides.
        let b = String::from_utf8_lossy(B).replace("building", "making");
        assert!(explain(A, b.as_bytes()).is_none());
        // A suffix that does not follow a version, or runs on.
        assert!(explain(b"x ~bpo12+1", b"x ").is_none());
        assert!(explain(b"1.0", b"1.0~bpo12+1a").is_none());
        assert!(explain(b"1.0", b"1.0+b").is_none());
        assert!(explain(b"1.0", b"1.0~bpo+1").is_none());
        assert!(explain(b"1.0-1", b"1.0-1+b1.2").is_none());
        // At a sentence's end it is the version's.
        assert!(explain(b"Sendmail 1.0-1.\n", b"Sendmail 1.0-1+b1.\n").is_some());
        // The same on both sides, or nothing to tell apart.
        assert!(explain(B, B).is_none());
        assert!(explain(b"", b"").is_none());
        // Cut anywhere: no panic.
        for cut in 0..B.len() {
            let _ = explain(A, &B[..cut]);
        }
    }
}
