//! HTML pages another version of their generator wrote: qdoc of Qt
//! 5.15.18 in trixie marks every title and link `translate="no"` where the
//! bookworm build's did not, the text a reader sees unchanged. When two
//! pages hold the same text and link targets once tags are set aside,
//! their difference is markup (`text.markup`, as for man pages: unexplained
//! on its own, following the package's toolchain when that changed); a few
//! runs of other words beside other markup are named one by one, and leave
//! the markup `content` too, since the writer is not known to be the cause.
//!
//! Diagnosis stage (engine → **diagnosis** → report), on the bytes of a
//! differing text leaf that other rules left unexplained.

use std::borrow::Cow;

use super::roff::{passages, same_but, word_runs, FIELD, WITH_WORDS};
use crate::report::{Cause, Change, Value};

/// Whether a text is an HTML page: a doctype or `<html` near its start.
pub(super) fn is_html(t: &[u8]) -> bool {
    let head =
        String::from_utf8_lossy(t.get(..t.len().min(1024)).unwrap_or(t)).to_ascii_lowercase();
    head.contains("<!doctype html") || head.contains("<html")
}

/// Attributes whose values a reader follows: kept as words.
const TARGETS: [&str; 2] = ["href", "src"];

/// A tag's link targets (`href`, `src` values) as words, and the tag with
/// them taken out (its markup).
fn tag_parts<'t>(tag: &'t str, words: &mut Vec<Cow<'t, str>>, markup: &mut String) {
    let mut rest = tag;
    while let Some(i) = rest.find('=') {
        let (before, after) = rest.split_at(i);
        markup.push_str(before);
        markup.push('=');
        let name = before
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        let after = &after[1..];
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => match after[1..].find(q) {
                Some(j) => (&after[1..1 + j], &after[2 + j..]),
                None => (&after[1..], ""),
            },
            _ => {
                let j = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..j], &after[j..])
            }
        };
        match TARGETS.iter().find(|t| t.eq_ignore_ascii_case(name)) {
            Some(target) => words.push(Cow::Owned(format!("{target}={value}"))),
            None => markup.push_str(value),
        }
        rest = next;
    }
    markup.push_str(rest);
}

/// The words a reader sees (text outside tags, and link targets) and the
/// markup (every tag without its targets, comments whole, in one string,
/// with where each ends), in order. Words of the text are borrowed from it.
#[allow(clippy::type_complexity)]
fn split(t: &str) -> (Vec<Cow<'_, str>>, (String, Vec<usize>)) {
    let (mut words, mut markup, mut ends) = (Vec::new(), String::new(), Vec::new());
    let mut rest = t;
    while !rest.is_empty() {
        match rest.find('<') {
            Some(i) => {
                words.extend(rest[..i].split_whitespace().map(Cow::Borrowed));
                let tag_end = if rest[i..].starts_with("<!--") {
                    rest[i..].find("-->").map(|j| i + j + 3)
                } else {
                    rest[i..].find('>').map(|j| i + j + 1)
                };
                let end = tag_end.unwrap_or(rest.len());
                tag_parts(&rest[i..end], &mut words, &mut markup);
                ends.push(markup.len());
                rest = &rest[end..];
            }
            None => {
                words.extend(rest.split_whitespace().map(Cow::Borrowed));
                rest = "";
            }
        }
    }
    (words, (markup, ends))
}

/// Two HTML pages whose difference is mostly markup: a `text.markup`
/// change naming it, and a `text.words` change for each of at most a few
/// runs of other words or link targets (`text.markup_and_words` for the
/// markup then). `None` when not both pages, the markup is the same, or
/// the words differ more.
pub fn explain(a: &[u8], b: &[u8]) -> Option<Vec<Change>> {
    if a == b || !is_html(a) || !is_html(b) {
        return None;
    }
    let (ta, tb) = (std::str::from_utf8(a).ok()?, std::str::from_utf8(b).ok()?);
    let ((wa, ma), (wb, mb)) = (split(ta), split(tb));
    if ma == mb {
        return None;
    }
    let runs = word_runs(&wa, &wb)?;
    let field = if runs.is_empty() { FIELD } else { WITH_WORDS };
    let same = same_but("text", runs.len());
    let mut out = vec![Change::finding(
        field,
        Value::text("HTML markup"),
        Value::text(format!("HTML markup, {same}")),
        Cause::Content,
    )];
    out.extend(passages(&wa, &wb, runs));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// qdoc of two Qt builds (qtpdf5-doc-html 5.15.18 in trixie and its
    /// bookworm backport).
    const A: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<li><a href=\"qtpdf-index.html\" translate=\"no\">Qt PDF</a></li>\n<h1 class=\"title\" translate=\"no\">PdfDocument QML Type</h1>\n</html>\n";
    const B: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<li><a href=\"qtpdf-index.html\">Qt PDF</a></li>\n<h1 class=\"title\">PdfDocument QML Type</h1>\n</html>\n";

    #[test]
    fn other_attributes_the_same_text_are_markup() {
        let c = explain(A.as_bytes(), B.as_bytes()).expect("markup");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, FIELD);
        assert_eq!(
            Change::shown(&c[0].b).as_deref(),
            Some("HTML markup, the same text")
        );
        assert_eq!(c[0].cause, Some(Cause::Content));
    }

    #[test]
    fn other_text_or_link_targets_are_words() {
        // Another link target is what a reader follows: words.
        let b = B.replace("qtpdf-index.html", "other.html");
        let c = explain(A.as_bytes(), b.as_bytes()).expect("markup and a passage");
        assert_eq!(c[0].field, WITH_WORDS);
        assert_eq!(c[1].field, "text.words");
        assert_eq!(Change::shown(&c[1].b).as_deref(), Some("href=other.html"));
        // Other text, the same markup: not judged here.
        let a2 = A.replace("Qt PDF", "Qt Pdf");
        assert!(explain(A.as_bytes(), a2.as_bytes()).is_none());
        // Not HTML.
        assert!(explain(b"<a x=\"1\">t</a>", b"<a>t</a>").is_none());
    }

    #[test]
    fn damaged_pages_do_not_panic() {
        for cut in 0..A.len() {
            let _ = explain(&A.as_bytes()[..cut], B.as_bytes());
        }
        let _ = explain(b"<!doctype html><a href=", b"<!doctype html><a href='x");
        let _ = explain(b"<!doctype html><!-- x", b"<!doctype html><!-- y -->");
        let _ = explain(b"<html><a b=\"\xc3\">", b"<html><a>");
    }
}
