//! Man pages another version of their generator wrote: Doxygen 1.9.8 and
//! 1.9.4 write the same page with other escapes (`pipewire\-0` against
//! `pipewire-0`) and other section requests (`.SH DESCRIPTION` added), the
//! words a reader sees unchanged. When two roff documents hold the same
//! words once requests and escapes are set aside, their difference is
//! markup (`text.markup`): unexplained on its own, and following the
//! package's toolchain when the package shows one changed (see
//! `follow_package_toolchain`).
//!
//! Diagnosis stage (engine → **diagnosis** → report), on the bytes of a
//! differing text leaf that other rules left unexplained.

use crate::report::{Cause, Change, Value};

/// The field of a markup-only difference.
pub const FIELD: &str = "text.markup";

/// Macros whose arguments are words set in another font: text, not markup.
const FONT_MACROS: [&str; 10] = ["B", "I", "BR", "RB", "IR", "RI", "BI", "IB", "SM", "SB"];

/// Whether a text is a roff document: a `.TH` line among its first lines.
fn is_roff(t: &[u8]) -> bool {
    t.split(|&c| c == b'\n')
        .take(64)
        .any(|l| l.starts_with(b".TH ") || l.starts_with(b".Dd "))
}

/// The page header Doxygen's man output opens with: `.TH "…" … \" -*-
/// nroff -*-`, then `.ad l` and `.nh`.
fn doxygen(t: &[u8]) -> bool {
    let mut lines = t.split(|&c| c == b'\n');
    let first = lines.next().unwrap_or_default();
    first.starts_with(b".TH \"")
        && first.ends_with(b"\\\" -*- nroff -*-")
        && lines.next() == Some(b".ad l".as_slice())
        && lines.next() == Some(b".nh".as_slice())
}

/// A line with its escapes read: `\-` is `-`, `\\` and `\e` a backslash,
/// font changes (`\fB`, `\f(CW`, `\f[B]`) and zero-width marks (`\&`, `\%`,
/// `\|`, `\^`, `\c`) nothing, `\ ` and `\~` a space. Other escapes (named
/// characters, strings) are kept as written.
fn unescaped(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('-') => out.push('-'),
            Some('\\') | Some('e') => out.push('\\'),
            Some('&' | '%' | '|' | '^' | 'c' | ':') => {}
            Some(' ' | '~') => out.push(' '),
            Some('f') => match chars.next() {
                Some('(') => {
                    chars.next();
                    chars.next();
                }
                Some('[') => {
                    for x in chars.by_ref() {
                        if x == ']' {
                            break;
                        }
                    }
                }
                _ => {}
            },
            Some(x) => {
                out.push('\\');
                out.push(x);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The words a reader sees, in order: those of text lines, of font macros
/// and of the `.TH` title line (whose date or version is content, not
/// markup); other requests and comments are markup.
fn words(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in t.lines() {
        let text = match line.strip_prefix(['.', '\'']) {
            Some(request) => {
                let request = request.trim_start();
                let (name, args) = request.split_once([' ', '\t']).unwrap_or((request, ""));
                if name == "TH" || FONT_MACROS.contains(&name) {
                    args.replace('"', " ")
                } else {
                    continue;
                }
            }
            None => line.to_string(),
        };
        out.extend(unescaped(&text).split_whitespace().map(str::to_string));
    }
    out
}

/// A `text.markup` change when two different roff documents hold the same
/// words; `None` otherwise.
pub fn markup_only(a: &[u8], b: &[u8]) -> Option<Change> {
    if a == b || !is_roff(a) || !is_roff(b) {
        return None;
    }
    let (ta, tb) = (std::str::from_utf8(a).ok()?, std::str::from_utf8(b).ok()?);
    if words(ta) != words(tb) {
        return None;
    }
    let writer = |t: &[u8]| {
        if doxygen(t) {
            "Doxygen's roff markup"
        } else {
            "roff markup"
        }
    };
    Some(Change::finding(
        FIELD,
        Value::text(writer(a)),
        Value::text(format!("{}, the same words", writer(b))),
        Cause::Content,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = ".TH \"libpipewire-module-access\" 7 \"1.4.2\" \"PipeWire\" \\\" -*- nroff -*-\n.ad l\n.nh\n.SH NAME\nlibpipewire-module-access \\- Access \n.SH DESCRIPTION\n.PP\nThe \\fCaccess\\fP module\\&.\n.nf\n# pipewire\\-0\\-manager = \"unrestricted\",\n.fi\n";
    const B: &str = ".TH \"libpipewire-module-access\" 7 \"1.4.2\" \"PipeWire\" \\\" -*- nroff -*-\n.ad l\n.nh\n.SH NAME\nlibpipewire-module-access \\- Access \nThe \\fCaccess\\fP module\\&.\n.nf\n# pipewire-0-manager = \"unrestricted\",\n.fi\n";

    #[test]
    fn other_escapes_and_requests_are_markup() {
        let c = markup_only(A.as_bytes(), B.as_bytes()).expect("markup only");
        assert_eq!(c.field, FIELD);
        assert_eq!(c.cause, Some(Cause::Content), "unexplained on its own");
        assert_eq!(
            Change::shown(&c.a).as_deref(),
            Some("Doxygen's roff markup")
        );
    }

    #[test]
    fn other_words_are_not_markup() {
        let b = B.replace("unrestricted", "restricted");
        assert!(markup_only(A.as_bytes(), b.as_bytes()).is_none());
        // The title line's date or version is content.
        let b = B.replace("\"1.4.2\"", "\"1.4.3\"");
        assert!(markup_only(A.as_bytes(), b.as_bytes()).is_none());
        // Words in a font macro are words.
        let a = ".TH x 1\n.B word\n";
        assert!(markup_only(a.as_bytes(), b".TH x 1\n.B other\n").is_none());
        assert!(markup_only(a.as_bytes(), b".TH x 1\n\\fBword\\fR\n").is_some());
        // Not roff: not judged here.
        assert!(markup_only(b"a \\- b\n", b"a - b\n").is_none());
        assert!(markup_only(A.as_bytes(), A.as_bytes()).is_none());
    }

    #[test]
    fn escapes_are_read() {
        assert_eq!(
            unescaped("a\\-b \\fBc\\fR \\f(CWd\\fP \\f[I]e\\&"),
            "a-b c d e"
        );
        assert_eq!(
            unescaped("\\\\code \\e x\\ y \\(aq \\"),
            "\\code \\ x y \\(aq \\"
        );
    }

    #[test]
    fn damaged_input_does_not_panic() {
        let cuts = [A.len() / 3, A.len() / 2, A.len() - 1];
        for cut in cuts {
            let _ = markup_only(&A.as_bytes()[..cut], B.as_bytes());
        }
        let _ = markup_only(b".TH \\f(", b".TH \\f[");
        let _ = markup_only(b".TH \xff\xfe\n", b".TH x\n");
    }
}
