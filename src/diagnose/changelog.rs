//! A Debian changelog (`changelog.Debian.gz`) built twice: a rebuild for
//! another release adds one entry on top (`X~bpo12+1`), and a newer
//! debhelper trims the older entries behind a `# Older entries have been
//! removed from this changelog.` note. Entries are compared by version: an
//! entry only one side has on top is `package-version`; the newest entry's
//! date is the build's SOURCE_DATE_EPOCH, so when it moves that change is
//! `source-date-epoch` (and every time clamped to it follows, see
//! [`super::diagnose`]); older entries dropped behind the trimming note are
//! `toolchain` (the tool that installs changelogs); any other difference
//! stays unexplained.
//!
//! Diagnosis stage (engine → **diagnosis** → report), on the decoded text
//! of a differing leaf that parses as a changelog on both sides.

use super::text::Explanation;
use super::time;
use crate::report::{Cause, Change, Value};

/// Entries read per side: a changelog is the image's to size.
const MAX_ENTRIES: usize = 100_000;

/// One entry: its version, its whole text and the date of its trailer.
#[derive(Debug, PartialEq, Eq)]
struct Entry<'t> {
    version: &'t str,
    distribution: &'t str,
    text: &'t str,
    date: Option<(&'t str, i64)>,
}

/// A parsed changelog: entries, newest first, and the comment lines after
/// the last one (the trimming note).
#[derive(Debug)]
struct Changelog<'t> {
    entries: Vec<Entry<'t>>,
    footer: &'t str,
}

/// `package (version) distribution; urgency=…`: the version and the
/// distribution, `None` for any other line.
fn header(line: &str) -> Option<(&str, &str)> {
    let first = line.chars().next()?;
    if !(first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return None;
    }
    let (name, rest) = line.split_once(" (")?;
    let name_ok = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    let (version, rest) = rest.split_once(") ")?;
    let (distribution, rest) = rest.split_once(';')?;
    (name_ok && !version.contains(char::is_whitespace) && rest.contains("urgency="))
        .then_some((version, distribution.trim()))
}

/// ` -- Name <email>  Tue, 15 Aug 2023 19:39:00 -0400`: the date as
/// written and its instant.
fn trailer_date(line: &str) -> Option<(&str, i64)> {
    let rest = line.strip_prefix(" -- ")?;
    let (_, written) = rest.rsplit_once("  ")?;
    let written = written.trim_end();
    match time::match_at(written.as_bytes(), 0)? {
        (n, Some(t)) if n == written.len() => Some((written, t)),
        _ => None,
    }
}

fn parse(t: &str) -> Option<Changelog<'_>> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut start: Option<(usize, &str, &str)> = None;
    let mut date = None;
    let mut at = 0;
    let mut footer_at = t.len();
    for line in t.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        if let Some((version, dist)) = header(content) {
            if let Some((s, v, d)) = start.take() {
                entries.push(Entry {
                    version: v,
                    distribution: d,
                    text: t.get(s..at)?,
                    date: date.take(),
                });
                if entries.len() > MAX_ENTRIES {
                    return None;
                }
            }
            start = Some((at, version, dist));
            footer_at = t.len();
        } else if start.is_none() && !content.trim().is_empty() {
            // Text before the first entry: not a Debian changelog.
            return None;
        } else if let Some(d) = trailer_date(content) {
            date = Some(d);
            footer_at = t.len();
        } else if content.starts_with('#') && footer_at == t.len() && date.is_some() {
            footer_at = at;
        } else if !content.starts_with('#') && !content.trim().is_empty() {
            footer_at = t.len();
        }
        at += line.len();
    }
    let (s, v, d) = start?;
    entries.push(Entry {
        version: v,
        distribution: d,
        text: t.get(s..footer_at.max(s))?,
        date,
    });
    Some(Changelog {
        entries,
        footer: t.get(footer_at..).unwrap_or_default(),
    })
}

fn describe(e: &Entry) -> String {
    match e.date {
        Some((d, _)) => format!("{} ({}) {d}", e.version, e.distribution),
        None => format!("{} ({})", e.version, e.distribution),
    }
}

/// A change for an entry only one side's changelog records.
fn entry_change(e: &Entry, only_a: bool) -> Change {
    let (va, vb) = if only_a {
        (describe(e), "(none)".to_string())
    } else {
        ("(none)".to_string(), describe(e))
    };
    let mut c = Change::finding(
        "changelog.entry",
        Value::text(va),
        Value::text(vb),
        Cause::PackageVersion,
    );
    c.subject = Some(e.version.to_string());
    c
}

/// Whether an entry only records a rebuild (`* Rebuild for
/// bookworm-backports.`, `* No change.`): every bullet says so, none
/// touches the source, and at least one says rebuild. Bullets that only
/// say who uploaded (`* Team upload.`, `* Non-maintainer upload.`, as
/// qdl's backport opens) change nothing either.
fn rebuild_only(e: &Entry) -> bool {
    let bullets: Vec<String> = e
        .text
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-- "))
        .map(str::to_ascii_lowercase)
        .collect();
    let rebuild = |l: &String| {
        l.starts_with('*')
            && (l.contains("rebuil")
                || l.contains("backport")
                || l.contains("no change")
                || l.contains("no-change"))
    };
    let uploader = |l: &String| {
        let said = l.trim_start_matches('*').trim().trim_end_matches('.');
        l.starts_with('*')
            && matches!(
                said,
                "team upload" | "non-maintainer upload" | "qa upload" | "source-only upload"
            )
    };
    bullets.iter().any(rebuild) && bullets.iter().all(|l| rebuild(l) || uploader(l))
}

/// The field of an entry that only records a rebuild for another release.
pub const REBUILD: &str = "changelog.rebuild";

/// Whether the comment after the last entry says older ones were removed.
fn trims(c: &Changelog) -> bool {
    c.footer.contains("entries have been removed")
}

/// The entries of `x` that `y` lacks, split into those behind `y`'s last
/// entry when `y` was trimmed (the tool dropped them) and the others (an
/// upload only `x`'s history has: another package version).
fn only_in<'e, 't>(x: &'e Changelog<'t>, y: &Changelog) -> (usize, Vec<&'e Entry<'t>>) {
    let has = |e: &Entry| y.entries.iter().any(|f| f.version == e.version);
    let last_common = x.entries.iter().rposition(&has);
    let mut trimmed = 0;
    let mut versions = Vec::new();
    for (i, e) in x.entries.iter().enumerate() {
        if has(e) {
            continue;
        }
        let behind = last_common.is_some_and(|l| i > l);
        if behind && trims(y) && !trims(x) {
            trimmed += 1;
        } else {
            versions.push(e);
        }
    }
    (trimmed, versions)
}

/// Explains two changelogs entry by entry; `None` when either text is not
/// a Debian changelog.
pub fn explain(a: &[u8], b: &[u8]) -> Option<Explanation> {
    // A changelog's first line is an entry's header, which starts with a
    // lowercase letter or digit: most texts are turned away by that byte,
    // before either is decoded.
    let header_start = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if [a, b]
        .iter()
        .any(|t| crate::engine::sums::first_line_start(t).is_some_and(|c| !header_start(c)))
    {
        return None;
    }
    let (ta, tb) = (std::str::from_utf8(a).ok()?, std::str::from_utf8(b).ok()?);
    let (ca, cb) = (parse(ta)?, parse(tb)?);
    let mut ex = Explanation::default();
    let (trimmed_a, only_a) = only_in(&ca, &cb);
    let (trimmed_b, only_b) = only_in(&cb, &ca);
    // Uploads only one history records: the other version's own entries.
    const SHOWN: usize = 16;
    for (listed, (e, side_a)) in only_a
        .iter()
        .map(|e| (e, true))
        .chain(only_b.iter().map(|e| (e, false)))
        .enumerate()
    {
        if listed == SHOWN {
            ex.changes.push(Change::finding(
                "changelog.entry",
                Value::text(format!("{} entries only in a", only_a.len())),
                Value::text(format!("{} entries only in b", only_b.len())),
                Cause::PackageVersion,
            ));
            break;
        }
        ex.changes.push(entry_change(e, side_a));
        // Built again from the same source for another release: another
        // release's compiler and libraries, the toolchain.
        if rebuild_only(e) {
            let (a, b) = if side_a {
                (
                    format!("rebuilt for {} with no source change", e.distribution),
                    "(none)".into(),
                )
            } else {
                (
                    "(none)".into(),
                    format!("rebuilt for {} with no source change", e.distribution),
                )
            };
            ex.changes.push(Change::finding(
                REBUILD,
                Value::Text(a),
                Value::Text(b),
                Cause::Toolchain,
            ));
        }
    }
    // The newest entry's date is what SOURCE_DATE_EPOCH is set from.
    let (da, db) = (
        ca.entries.first().and_then(|e| e.date),
        cb.entries.first().and_then(|e| e.date),
    );
    if let (Some((wa, sa)), Some((wb, sb))) = (da, db) {
        if sa != sb {
            let written = |text: &str, secs: i64| Value::Written {
                text: text.to_string(),
                time: crate::report::Time::from_secs(secs),
            };
            ex.changes.push(Change::finding(
                "changelog.date",
                written(wa, sa),
                written(wb, sb),
                Cause::SourceDateEpoch,
            ));
        }
    }
    // Older entries dropped behind a trimming note on one side only.
    if trims(&ca) != trims(&cb) {
        let (n, kept_by_a) = if trims(&ca) {
            (trimmed_b, false)
        } else {
            (trimmed_a, true)
        };
        push_trim(&mut ex, n, kept_by_a);
    }
    // The entries both record: in the same order, with the same text.
    let shared = |x: &Changelog, y: &Changelog| -> Vec<(String, String)> {
        x.entries
            .iter()
            .filter(|e| y.entries.iter().any(|f| f.version == e.version))
            .map(|e| (e.version.to_string(), e.text.trim_end().to_string()))
            .collect()
    };
    let footer_ok = ca.footer == cb.footer || trims(&ca) != trims(&cb);
    let (sa, sb) = (shared(&ca, &cb), shared(&cb, &ca));
    ex.unexplained = sa != sb || !footer_ok;
    // The same entries but for spaces at the ends of their lines (rear's
    // `Drop Multi-Arch: same … P7 ` in its trixie backport, without the
    // space in forky): named. Whether the tool that installed the file
    // trimmed them or the backport's copy of the source kept them, nothing
    // in the file says, so it stays `content`.
    if ex.unexplained && footer_ok {
        let spaced = |x: &[(String, String)]| -> usize {
            x.iter()
                .flat_map(|(_, t)| t.lines())
                .filter(|l| l.len() != l.trim_end().len())
                .count()
        };
        let trimmed = |x: &[(String, String)]| -> Vec<(String, String)> {
            x.iter()
                .map(|(v, t)| {
                    let lines: Vec<&str> = t.lines().map(str::trim_end).collect();
                    (v.clone(), lines.join("\n"))
                })
                .collect()
        };
        if trimmed(&sa) == trimmed(&sb) {
            let lines = |n: usize| match n {
                1 => "1 line ending in spaces".to_string(),
                n => format!("{n} lines ending in spaces"),
            };
            ex.unexplained = false;
            ex.changes.push(Change::finding(
                TRAILING_SPACES,
                Value::text(lines(spaced(&sa))),
                Value::text(lines(spaced(&sb))),
                Cause::Content,
            ));
        }
    }
    // The same entries and nothing else but the blank lines after the
    // last one (sendmail's NEWS.Debian, one more in the backport): named,
    // as the tool that installs the file writes them; nothing in the file
    // says which.
    if !ex.unexplained && ex.changes.is_empty() && ta != tb && ta.trim_end() == tb.trim_end() {
        let blank = |t: &str| {
            let tail = &t[t.trim_end().len()..];
            match tail.matches('\n').count().saturating_sub(1) {
                1 => "1 blank line at the end".to_string(),
                n => format!("{n} blank lines at the end"),
            }
        };
        ex.changes.push(Change::finding(
            TRAILING,
            Value::text(blank(ta)),
            Value::text(blank(tb)),
            Cause::Content,
        ));
    }
    Some(ex)
}

/// The field of a changelog that differs only in the blank lines after
/// its last entry.
pub const TRAILING: &str = "changelog.trailing_blank_lines";

/// The field of a changelog whose shared entries differ only in the spaces
/// at the ends of their lines.
pub const TRAILING_SPACES: &str = "changelog.trailing_spaces";

fn push_trim(ex: &mut Explanation, n: usize, kept_by_a: bool) {
    let kept = format!("{n} older entries kept");
    let dropped = "older entries removed (debhelper's trimming note)".to_string();
    let (a, b) = if kept_by_a {
        (kept, dropped)
    } else {
        (dropped, kept)
    };
    ex.changes.push(Change::finding(
        "changelog.older-entries",
        Value::text(a),
        Value::text(b),
        Cause::Toolchain,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gunzip(name: &str) -> Vec<u8> {
        use std::io::Read;
        let p = format!("{}/testdata/diagnose/{name}", env!("CARGO_MANIFEST_DIR"));
        let raw = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        out
    }

    const OLD: &str = "hello (2.10-3) unstable; urgency=medium\n\n  * Fix.\n\n -- Jane Doe <jane@example.org>  Fri, 04 Aug 2023 17:32:05 -0400\n\nhello (2.10-2) unstable; urgency=low\n\n  * Older.\n\n -- Jane Doe <jane@example.org>  Mon, 01 May 2023 10:00:00 +0000\n";

    /// sendmail's NEWS.Debian: the backport's ends with one more blank
    /// line, nothing else differs. Named, `content` on its own; with a
    /// word changed too it is not this.
    #[test]
    fn blank_lines_after_the_last_entry_are_named() {
        let more = format!("{OLD}\n");
        let ex = explain(OLD.as_bytes(), more.as_bytes()).expect("a changelog");
        assert!(!ex.unexplained);
        let c = ex.changes.first().expect("the trailing lines");
        assert_eq!(c.field, TRAILING);
        assert_eq!(c.cause, Some(Cause::Content));
        assert_eq!(
            Change::shown(&c.a).as_deref(),
            Some("0 blank lines at the end")
        );
        assert_eq!(c.shown_b().as_deref(), Some("1 blank line at the end"));
        let other = more.replace("Older.", "Old.");
        let ex = explain(OLD.as_bytes(), other.as_bytes()).expect("a changelog");
        assert!(ex.changes.iter().all(|c| c.field != TRAILING));
        assert!(ex.unexplained);
    }

    /// rear's changelog in forky and in its trixie backport: a shared
    /// entry's lines end in a space on one side only. Named, `content`;
    /// with a word changed too it is not this.
    #[test]
    fn spaces_at_the_ends_of_shared_lines_are_named() {
        let spaced = OLD.replace("  * Fix.\n", "  * Fix. \n");
        let ex = explain(OLD.as_bytes(), spaced.as_bytes()).expect("a changelog");
        assert!(!ex.unexplained);
        let c = ex.changes.first().expect("the spaces");
        assert_eq!(c.field, TRAILING_SPACES);
        assert_eq!(c.cause, Some(Cause::Content));
        assert_eq!(
            Change::shown(&c.a).as_deref(),
            Some("0 lines ending in spaces")
        );
        assert_eq!(c.shown_b().as_deref(), Some("1 line ending in spaces"));
        let other = spaced.replace("Older.", "Old.");
        let ex = explain(OLD.as_bytes(), other.as_bytes()).expect("a changelog");
        assert!(ex.changes.iter().all(|c| c.field != TRAILING_SPACES));
        assert!(ex.unexplained);
    }

    /// The look at the first byte turns away only what parsing would:
    /// changelogs after lines `str::trim` calls blank (a vertical tab, a
    /// no-break space) are read, those after text or an indented header
    /// are not.
    #[test]
    fn a_text_is_turned_away_by_its_first_byte_only_where_parsing_would() {
        let new = format!(
            "hello (2.10-3~bpo12+1) bookworm-backports; urgency=medium\n\n  * Rebuild.\n\n -- Bob <bob@example.org>  Tue, 15 Aug 2023 19:39:00 -0400\n\n{OLD}"
        );
        for (before, read) in [
            ("", true),
            ("\n\x0b\n", true),
            ("\u{a0}\n", true),
            ("  ", false),
            ("Hello\n", false),
            ("é\n", false),
        ] {
            let a = format!("{before}{OLD}");
            let decoded = parse(&a).is_some();
            assert_eq!(decoded, read, "{before:?}");
            assert_eq!(
                explain(a.as_bytes(), new.as_bytes()).is_some(),
                read,
                "{before:?}"
            );
        }
    }

    #[test]
    fn a_backport_entry_on_top_is_the_version_and_its_date() {
        let new = format!(
            "hello (2.10-3~bpo12+1) bookworm-backports; urgency=medium\n\n  * Rebuild for bookworm-backports.\n\n -- Bob <bob@example.org>  Tue, 15 Aug 2023 19:39:00 -0400\n\n{OLD}"
        );
        let ex = explain(OLD.as_bytes(), new.as_bytes()).expect("changelogs");
        assert!(!ex.unexplained);
        let got: Vec<(&str, Option<Cause>, String)> = ex
            .changes
            .iter()
            .map(|c| {
                (
                    c.field.as_str(),
                    c.cause,
                    Change::shown(&c.b).unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "changelog.entry",
                    Some(Cause::PackageVersion),
                    "2.10-3~bpo12+1 (bookworm-backports) Tue, 15 Aug 2023 19:39:00 -0400".into()
                ),
                (
                    "changelog.rebuild",
                    Some(Cause::Toolchain),
                    "rebuilt for bookworm-backports with no source change".into()
                ),
                (
                    "changelog.date",
                    Some(Cause::SourceDateEpoch),
                    "Tue, 15 Aug 2023 19:39:00 -0400".into()
                ),
            ]
        );
        let date = &ex.changes[2];
        let secs = |v: &Option<Value>| v.as_ref().and_then(|v| v.as_time()).map(|t| t.secs);
        // 2023-08-04T21:32:05Z and 2023-08-15T23:39:00Z.
        assert_eq!(secs(&date.a), Some(1_691_184_725));
        assert_eq!(secs(&date.b), Some(1_692_142_740));
    }

    #[test]
    fn an_entry_with_source_changes_is_not_a_rebuild() {
        let entry = |body: &str| {
            format!("p (1-1~bpo12+1) bookworm-backports; urgency=medium\n\n{body}\n -- A <a@b>  Sun, 04 May 2025 16:14:17 +0200\n")
        };
        let only = |body: &str| {
            let t = entry(body);
            let c = parse(&t).expect("changelog");
            rebuild_only(&c.entries[0])
        };
        assert!(only("  * Rebuild for bookworm-backports.\n"));
        assert!(only(
            "  * Rebuild for bookworm-backports.\n  * No change.\n"
        ));
        // PipeWire's backport disabled a feature: not a rebuild alone.
        assert!(!only(
            "  * Rebuild for bookworm-backports.\n  * Disable ROC, not available in Bookworm\n"
        ));
        assert!(!only("\n"));
        // Who uploaded it changes no source (qdl's backport).
        assert!(only(
            "  * Team upload.\n  * Rebuild for bookworm-backports.\n"
        ));
        assert!(only(
            "  * Non-maintainer upload.\n  * Rebuild for bookworm-backports.\n"
        ));
        // An upload note alone is no rebuild, nor one beside an edit.
        assert!(!only("  * Team upload.\n"));
        assert!(!only(
            "  * Team upload.\n  * Rebuild for bookworm-backports.\n  * Drop a patch.\n"
        ));
        assert!(!only("  * Team upload, fix the build.\n"));
    }

    #[test]
    fn trimmed_older_entries_are_the_tool_and_edits_are_not_explained() {
        let trimmed = "hello (2.10-3) unstable; urgency=medium\n\n  * Fix.\n\n -- Jane Doe <jane@example.org>  Fri, 04 Aug 2023 17:32:05 -0400\n\n# Older entries have been removed from this changelog.\n# To read the complete changelog use `apt changelog hello`.\n";
        let ex = explain(trimmed.as_bytes(), OLD.as_bytes()).expect("changelogs");
        assert!(!ex.unexplained);
        assert_eq!(ex.changes.len(), 1);
        assert_eq!(ex.changes[0].cause, Some(Cause::Toolchain));
        // An edited old entry is not a rebuild's doing.
        let edited = OLD.replace("* Older.", "* Older, edited.");
        assert!(explain(OLD.as_bytes(), edited.as_bytes()).is_some_and(|e| e.unexplained));
        // An entry only one history records, without the note: an upload
        // the other side's source does not have, named by its version.
        let cut = OLD.split("hello (2.10-2)").next().unwrap_or_default();
        let ex = explain(cut.as_bytes(), OLD.as_bytes()).expect("changelogs");
        assert!(!ex.unexplained);
        assert_eq!(ex.changes.len(), 1);
        assert_eq!(ex.changes[0].subject.as_deref(), Some("2.10-2"));
        assert_eq!(ex.changes[0].cause, Some(Cause::PackageVersion));
        // Two common entries in another order are not a rebuild's doing.
        let (first, second) = OLD.split_at(OLD.find("hello (2.10-2)").unwrap_or(0));
        let swapped = format!("{second}\n{first}");
        assert!(explain(OLD.as_bytes(), swapped.as_bytes()).is_some_and(|e| e.unexplained));
        assert!(explain(b"not a changelog\n", OLD.as_bytes()).is_none());
    }

    /// Every cut and every flipped byte of a changelog: an answer or
    /// `None`, never a panic (slicing stays on character boundaries).
    #[test]
    fn damaged_changelogs_do_not_panic() {
        let text = format!("{OLD}\n# Older entries have been removed from this changelog.\n");
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            let _ = explain(&bytes[..cut], bytes);
        }
        for at in 0..bytes.len() {
            for flip in [0x01u8, 0x20, 0x80] {
                let mut m = bytes.to_vec();
                m[at] ^= flip;
                let _ = explain(bytes, &m);
            }
        }
        for line in [
            "",
            "x (",
            "x (1) y; urgency=",
            " -- a  ",
            "x (1) ;urgency=low\n -- a <b>  Tue",
        ] {
            let _ = explain(line.as_bytes(), OLD.as_bytes());
        }
    }

    /// The committed changelog pair made by dch: one entry more in b.
    #[test]
    fn the_committed_pair_reads_as_changelogs() {
        let (a, b) = (gunzip("changelog.a.gz"), gunzip("changelog.b.gz"));
        let (ta, tb) = (
            String::from_utf8_lossy(&a).into_owned(),
            String::from_utf8_lossy(&b).into_owned(),
        );
        assert!(parse(&ta).is_some() && parse(&tb).is_some(), "{ta}\n{tb}");
    }
}
