//! Man pages another version of their generator wrote: Doxygen 1.9.8 and
//! 1.9.4 write the same page with other escapes (`pipewire\-0` against
//! `pipewire-0`) and other section requests (`.SH DESCRIPTION` added), the
//! words a reader sees unchanged; docutils 0.21 writes literal blocks as
//! `.EX`/`.EE` where 0.19 wrote `.nf`/`.ft C`, and Sphinx 7.3 labels
//! `versionadded` "Added in version" where it said "New in version";
//! pandoc 3.1 sets a link with `.UR`/`.UE` where 2.17 wrote its address in
//! parentheses after its text.
//! When two roff documents hold the same words once requests and escapes
//! are set aside (and that label read as one), their difference is markup
//! (`text.markup`): unexplained on its own, and following the package's
//! toolchain when the package shows one changed (see
//! `follow_package_toolchain`). A few runs of other words beside it are
//! named one by one (`text.words`, `content`), so a rebuilt page says
//! which words are left to explain instead of "content differs".
//!
//! Diagnosis stage (engine → **diagnosis** → report), on the bytes of a
//! differing text leaf that other rules left unexplained.

use std::borrow::Cow;

use crate::report::{Cause, Change, Value};

/// The field of a markup-only difference.
pub const FIELD: &str = "text.markup";

/// Macros whose arguments are words set in another font: text, not markup.
const FONT_MACROS: [&str; 10] = ["B", "I", "BR", "RB", "IR", "RI", "BI", "IB", "SM", "SB"];

/// Whether `date` is written on a line where a man page gives its own
/// date among its first 64 lines: the title line (`.TH PACMAN 8 "20
/// janvier 2025" "Pacman 7\\&.0\\&.0"`) or the header comment DocBook's
/// stylesheets write (`.\\"      Date: 2025-01-20`). That date is the
/// page's, and so of the release it documents: a page of another release
/// has another one, whatever the build's clock.
pub fn on_page_date_line(t: &[u8], date: &str) -> bool {
    let date = date.as_bytes();
    !date.is_empty()
        && t.split(|&c| c == b'\n').take(64).any(|line| {
            let dated = line.starts_with(b".TH ")
                || line
                    .strip_prefix(b".\\\"")
                    .is_some_and(|r| r.trim_ascii_start().starts_with(b"Date: "));
            dated && memchr::memmem::find(line, date).is_some()
        })
}

/// Whether a text is a roff document: a `.TH` line among its first lines.
fn is_roff(t: &[u8]) -> bool {
    t.split(|&c| c == b'\n')
        .take(64)
        .any(|l| l.starts_with(b".TH ") || l.starts_with(b".Dd "))
}

/// The page header Doxygen's man output opens with: `.TH "…" … \" -*-
/// nroff -*-`, then `.ad l` and `.nh`. Every version writes it and
/// nothing else does; nothing in it names doxygen's version.
pub(super) fn doxygen(t: &[u8]) -> bool {
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
#[cfg(test)]
fn unescaped(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    unescape_into(&mut out, line);
    out
}

/// [`unescaped`], appended to `out`.
fn unescape_into(out: &mut String, line: &str) {
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('-') => out.push('-'),
            Some('\\') | Some('e') => out.push('\\'),
            Some('&' | '%' | '|' | '^' | 'c' | ':' | ',' | '/') => {}
            // Device control (`\X'tty: link URL'`, the hyperlinks docutils
            // 0.21 writes): nothing a reader sees.
            Some('X') => {
                if let Some(delim) = chars.next() {
                    for x in chars.by_ref() {
                        if x == delim {
                            break;
                        }
                    }
                }
            }
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
}

/// The text a reader sees, in order, as one string whose words are those
/// of the document (lines joined by a space): those of text lines, of font
/// macros and of the `.TH` title line (whose version is content, not
/// markup; a date there is left to the date masks, which name it); other
/// requests and comments are markup. [`words`] splits it.
fn visible(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut table = Table::Out;
    // The address of a hyperlink (`.UR`) or mail link (`.MT`) open, and
    // where its text starts in `out`.
    let mut link: Option<(String, usize)> = None;
    let fonts = font_strings(t);
    for line in t.lines() {
        let line = without_strings(line, &fonts);
        let line = &*line;
        if !table.text(line) {
            continue;
        }
        match line.strip_prefix(['.', '\'']) {
            Some(request) => {
                let request = request.trim_start();
                let (name, args) = request.split_once([' ', '\t']).unwrap_or((request, ""));
                if name == "TH" {
                    unescape_into(&mut out, &without_dates(args).replace('"', " "));
                } else if name == "UR" || name == "MT" {
                    // A link's text comes first, its address after it, as
                    // a writer that sets links in text writes them
                    // (`Osmium website (https://…)`, pandoc 2.17; 3.1
                    // writes `.UR https://…`, the text, `.UE`).
                    // A link whose text is its address shows it once.
                    link = Some((args.trim().trim_matches('"').to_string(), out.len()));
                    continue;
                } else if name == "UE" || name == "ME" {
                    if let Some((address, start)) = link.take() {
                        let mut shown = String::new();
                        unescape_into(&mut shown, &address);
                        if !out.get(start..).is_some_and(|t| t.contains(&shown)) {
                            out.push_str(" (");
                            out.push_str(&shown);
                            out.push(')');
                        }
                    }
                    // What follows the link (`.UE .`, `.UE \c`) is text.
                    unescape_into(&mut out, &quotes_as_spaces(args));
                } else if FONT_MACROS.contains(&name) {
                    unescape_into(&mut out, &quotes_as_spaces(args));
                } else {
                    continue;
                }
            }
            None if line.contains("T{") || line.contains("T}") => {
                unescape_into(&mut out, &line.replace("T{", " ").replace("T}", " "))
            }
            None => unescape_into(&mut out, line),
        }
        out.push(' ');
    }
    out
}

/// How a document interpolates the strings it defines as font changes
/// alone (`.if \\n(.g .ds T< \\\\FC`, docbook-to-man's: `\\*(T<` before
/// a literal and `\\*(T>` after it): `\\*(T<` and `\\*[T<]` for a
/// two-character name, `\\*X` and `\\*[X]` for one. Markup, as `\\fB`
/// is; another version of the writer that drops them writes the same
/// words. At most 16, from the document's first 200 lines.
fn font_strings(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in t.lines().take(200) {
        let Some(request) = line.strip_prefix(['.', '\'']) else {
            continue;
        };
        let request = request.trim_start();
        // `.ds`, or `.ds` under a condition (`.if \n(.g .ds …`).
        let def = request.strip_prefix("ds ").or_else(|| {
            request
                .strip_prefix("if ")
                .and_then(|r| r.split_once(" .ds ").map(|(_, d)| d))
        });
        let Some((name, value)) = def.and_then(|d| d.trim_start().split_once([' ', '\t'])) else {
            continue;
        };
        if font_only(value) && out.len() < 32 {
            match name.chars().count() {
                1 => out.push(format!("\\*{name}")),
                2 => out.push(format!("\\*({name}")),
                _ => {}
            }
            out.push(format!("\\*[{name}]"));
        }
    }
    out
}

/// Whether a string's value is nothing but font changes (`\\FC`,
/// `\\F[\\n[.fam]]`, `\\fB`), with one or two backslashes as a
/// definition escapes them.
fn font_only(value: &str) -> bool {
    let mut rest = value.trim();
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let Some(after) = rest
            .strip_prefix("\\\\")
            .or_else(|| rest.strip_prefix('\\'))
            .and_then(|r| r.strip_prefix(['f', 'F']))
        else {
            return false;
        };
        let mut chars = after.char_indices();
        rest = match chars.next() {
            Some((_, '(')) => match chars.nth(1) {
                Some((k, c)) => &after[k + c.len_utf8()..],
                None => return false,
            },
            Some((_, '[')) => {
                let mut depth = 0usize;
                let mut end = None;
                for (k, c) in after.char_indices() {
                    match c {
                        '[' => depth += 1,
                        ']' => {
                            depth -= 1;
                            if depth == 0 {
                                end = Some(k + 1);
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                match end {
                    Some(e) => &after[e..],
                    None => return false,
                }
            }
            Some((_, c)) => &after[c.len_utf8()..],
            None => return false,
        };
    }
    true
}

/// `line` without the interpolations of `strings` ([`font_strings`]),
/// copied only when it has one.
fn without_strings<'a>(line: &'a str, strings: &[String]) -> Cow<'a, str> {
    if strings.is_empty() || !line.contains("\\*") {
        return Cow::Borrowed(line);
    }
    let mut out = line.to_string();
    for s in strings {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), "");
        }
    }
    Cow::Owned(out)
}

/// `s` with its double quotes read as spaces, copied only when it has one.
fn quotes_as_spaces(s: &str) -> Cow<'_, str> {
    if s.contains('"') {
        s.replace('"', " ").into()
    } else {
        s.into()
    }
}

/// The words of [`visible`] text.
fn words(visible: &str) -> Vec<&str> {
    visible.split_whitespace().collect()
}

/// Where a line is with respect to a tbl(1) table (`.TS` … `.TE`): its
/// options and format lines, and rules (`_`, `=`), are markup; its cells
/// are text (`T{` … `T}` marking a cell of several lines).
#[derive(Clone, Copy, PartialEq)]
enum Table {
    Out,
    Format,
    Data,
}

impl Table {
    /// Moves past `line`; whether the line holds text.
    fn text(&mut self, line: &str) -> bool {
        let trimmed = line.trim_end();
        if trimmed.starts_with(".TS") {
            *self = Table::Format;
            return false;
        }
        if trimmed.starts_with(".TE") {
            *self = Table::Out;
            return false;
        }
        match *self {
            Table::Out => true,
            // The format section ends with the line ending in a period.
            Table::Format => {
                if trimmed.ends_with('.') {
                    *self = Table::Data;
                }
                false
            }
            Table::Data => !matches!(trimmed, "_" | "=" | "T{" | "T}"),
        }
    }
}

/// `args` with the dates the date masks recognise taken out (each starting
/// a word): what they find is reported as a date, with its own cause.
fn without_dates(args: &str) -> String {
    let b = args.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let starts = i == 0 || matches!(b[i - 1], b' ' | b'"' | b'\t');
        if starts {
            if let Some((len, Some(_))) = super::time::match_at(b, i) {
                i += len.max(1);
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What is left of a document once its words are taken out, line by line:
/// each request and comment line as written (the `.TH` line and font
/// macros only by their escapes, as text lines), each text line as its
/// escapes. Two documents with the same skeleton differ only in words.
fn skeleton(t: &str) -> impl Iterator<Item = Cow<'_, str>> {
    let escapes = |line: &str| -> Cow<'_, str> {
        if !line.contains('\\') {
            return Cow::Borrowed("T");
        }
        let mut out = String::from("T");
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                out.push('\\');
                if let Some(x) = chars.next() {
                    out.push(x);
                    if x == 'f' || x == '(' {
                        out.extend(chars.next());
                    }
                }
            }
        }
        Cow::Owned(out)
    };
    let mut table = Table::Out;
    t.lines().map(move |line| {
        if !table.text(line) {
            return Cow::Borrowed(line.trim_end());
        }
        match line.strip_prefix(['.', '\'']) {
            Some(request) => {
                let request = request.trim_start();
                let name = request.split([' ', '\t']).next().unwrap_or("");
                if name == "TH" || FONT_MACROS.contains(&name) {
                    // How the arguments are quoted is markup too
                    // (`.TH "DBUS-BROKER" "1"` against `… 1`, docutils).
                    let mut s = escapes(line).into_owned();
                    s.extend(line.chars().filter(|&c| c == '"'));
                    Cow::Owned(s)
                } else {
                    Cow::Borrowed(line.trim_end())
                }
            }
            None => escapes(line),
        }
    })
}

/// The comment docutils' man page writer (and so Sphinx's) opens a page
/// with.
const DOCUTILS: &str = ".\\\" Man page generated from reStructuredText";

/// Sphinx's label for `versionadded`: `New in version` before 7.3,
/// `Added in version` since. Which one a page has is its writer's, not
/// its author's.
const SPHINX_OLD: [&str; 3] = ["New", "in", "version"];
const SPHINX_NEW: [&str; 3] = ["Added", "in", "version"];

/// Whether `w` holds the three words `label` anywhere.
fn has_label(w: &[&str], label: &[&str; 3]) -> bool {
    w.windows(3)
        .any(|x| x.iter().zip(label).all(|(a, b)| a == b))
}

/// `w` with Sphinx's old `versionadded` label written as the new one.
fn new_labels(mut w: Vec<&str>) -> Vec<&str> {
    let mut i = 0;
    while i + 3 <= w.len() {
        if w[i..i + 3].iter().zip(&SPHINX_OLD).all(|(a, b)| a == b) {
            w[i] = SPHINX_NEW[0];
            i += 3;
        } else {
            i += 1;
        }
    }
    w
}

/// Words with the parentheses around them taken off (`(str)` → `str`,
/// `(dict[str,` → `dict[str,`), and an address without the angle brackets
/// docutils 0.19 set around it (`<https://…>`, where 0.21 sets it in
/// italics).
fn unparenthesised<'a>(w: &[&'a str]) -> Vec<&'a str> {
    w.iter()
        .map(|&x| {
            if let Some(inner) = x.strip_prefix('<').and_then(|y| y.strip_suffix('>')) {
                if inner.contains("://") {
                    return inner;
                }
            }
            let y = x.strip_prefix('(').unwrap_or(x);
            let y = y.strip_suffix(')').unwrap_or(y);
            if y.is_empty() {
                x
            } else {
                y
            }
        })
        .collect()
}

/// Word runs named one by one, at most; more and the pages are not
/// "the same words but a few".
const MAX_RUNS: usize = 8;
/// How far ahead (in words, on each side) a differing run may end.
const SPAN: usize = 48;
/// Words that must agree after a run for the two pages to be back in step.
const RESYNC: usize = 4;

/// Whether `a` from `i` and `b` from `j` agree for [`RESYNC`] words, or both
/// end together within them.
fn in_step<T: PartialEq>(a: &[T], i: usize, b: &[T], j: usize) -> bool {
    let (ra, rb) = (a.len().saturating_sub(i), b.len().saturating_sub(j));
    if ra < RESYNC || rb < RESYNC {
        return ra == rb && a.get(i..) == b.get(j..);
    }
    a.get(i..i + RESYNC) == b.get(j..j + RESYNC)
}

/// The runs of words that differ between `a` and `b`, as index ranges of
/// each, found by walking both in step and, at a difference, taking the
/// nearest point (fewest words skipped on both sides together, within
/// [`SPAN`] each) from which they agree again. `None` when they do not
/// agree again within that, or differ in more than [`MAX_RUNS`] runs:
/// bounded work, and a page rewritten is not a page with a few changes.
pub(super) type Run = (std::ops::Range<usize>, std::ops::Range<usize>);
pub(super) fn word_runs<T: PartialEq>(a: &[T], b: &[T]) -> Option<Vec<Run>> {
    let (mut i, mut j) = (0, 0);
    let mut runs = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        let (di, dj) = (1..=2 * SPAN).find_map(|skip| {
            (skip.saturating_sub(SPAN)..=skip.min(SPAN))
                .map(|di| (di, skip - di))
                .find(|&(di, dj)| in_step(a, i + di, b, j + dj))
        })?;
        runs.push((i..i + di, j..j + dj));
        if runs.len() > MAX_RUNS {
            return None;
        }
        i += di;
        j += dj;
    }
    Some(runs)
}

/// The field of other markup beside other words, on a page whose writer is
/// not known: `content`, never taken to follow a toolchain.
pub const WITH_WORDS: &str = "text.markup_and_words";

/// The field of a run of words that differ on a page otherwise explained.
pub const WORDS: &str = "text.words";

/// Words shown of one run, at most.
const SHOWN: usize = 16;

fn shown<T: AsRef<str>>(w: &[T]) -> String {
    if w.is_empty() {
        return "(none)".to_string();
    }
    let mut s = w
        .iter()
        .take(SHOWN)
        .map(AsRef::as_ref)
        .collect::<Vec<&str>>()
        .join(" ");
    if w.len() > SHOWN {
        s.push_str(" …");
    }
    s
}

/// Two roff documents whose difference is mostly their writer's: other
/// markup (requests, escapes, line breaks), Sphinx's other `versionadded`
/// label, and at most a few runs of other words. Gives a `text.markup`
/// change naming the writer (unexplained on its own, following the
/// package's toolchain when that changed), and a `text.words` change
/// (`content`) for each run of other words, so what is left to explain is
/// named word for word; with the same markup, only those runs. `None` when
/// the words differ more, or not at all.
pub fn explain(a: &[u8], b: &[u8]) -> Option<Vec<Change>> {
    if a == b || !is_roff(a) || !is_roff(b) {
        return None;
    }
    let (ta, tb) = (std::str::from_utf8(a).ok()?, std::str::from_utf8(b).ok()?);
    let (va, vb) = (visible(ta), visible(tb));
    let (wa, wb) = (words(&va), words(&vb));
    // After a preprocessor line (`'\" t` for tbl) when there is one.
    let by_docutils = |t: &str| t.lines().take(2).any(|l| l.starts_with(DOCUTILS));
    let docutils = by_docutils(ta) && by_docutils(tb);
    let label = |w: &[&str]| {
        if has_label(w, &SPHINX_NEW) {
            Some(SPHINX_NEW)
        } else if has_label(w, &SPHINX_OLD) {
            Some(SPHINX_OLD)
        } else {
            None
        }
    };
    let (la, lb) = (label(&wa), label(&wb));
    let relabelled = docutils && la.is_some() && lb.is_some() && la != lb;
    let (wa, wb) = if relabelled {
        (new_labels(wa), new_labels(wb))
    } else {
        (wa, wb)
    };
    // Sphinx sets a typed field's type in parentheses after its name on
    // one line (`Interface name (str)`) where older versions set it bare
    // on the next: on a docutils page, the parentheses are the writer's.
    let mut parentheses = false;
    let (wa, wb) = if docutils {
        let (ua, ub) = (unparenthesised(&wa), unparenthesised(&wb));
        parentheses = wa != wb && ua == ub;
        (ua, ub)
    } else {
        (wa, wb)
    };
    // Parentheses the writer set otherwise are markup too.
    let remarked = parentheses || !skeleton(ta).eq(skeleton(tb));
    let mut runs = word_runs(&wa, &wb)?;
    // Annotations Sphinx's autodoc wrote as the Python it ran under spells
    // them: `X | None` under 3.13, `Optional[X]` under 3.11 (python3-sdbus'
    // backport). The same types: the writer's, like its parentheses.
    let mut retyped = false;
    if docutils {
        let n = runs.len();
        runs.retain(|(ra, rb)| {
            let text = |w: &[&str], r: &std::ops::Range<usize>| {
                w.get(r.clone()).unwrap_or_default().join(" ")
            };
            !same_types(&text(&wa, ra), &text(&wb, rb))
        });
        retyped = runs.len() < n;
    }
    let remarked = remarked || retyped;
    if !remarked && !relabelled && runs.is_empty() {
        return None;
    }
    let writer = |t: &[u8], label: Option<[&str; 3]>| {
        let mut s = if doxygen(t) {
            "Doxygen's roff markup".to_string()
        } else if docutils {
            "docutils' roff markup".to_string()
        } else {
            "roff markup".to_string()
        };
        if relabelled {
            if let Some(l) = label {
                s.push_str(&format!(", Sphinx's \"{}\"", l.join(" ")));
            }
        }
        s
    };
    let mut same = same_but("words", runs.len());
    if retyped {
        same.push_str(", type annotations spelled otherwise (Optional[X] / X | None)");
    }
    let mut out = Vec::new();
    // The same markup and label: only the words are named. Other markup
    // beside other words follows the writer only when the writer is known
    // to mark up otherwise from version to version (docutils); from an
    // unknown writer it may be the author's edit as much as the words.
    let field = if runs.is_empty() || docutils {
        FIELD
    } else {
        WITH_WORDS
    };
    if remarked || relabelled {
        out.push(Change::finding(
            field,
            Value::text(writer(a, la)),
            Value::text(format!("{}, {same}", writer(b, lb))),
            Cause::Content,
        ));
    }
    out.extend(passages(&wa, &wb, runs));
    Some(out)
}

/// Whether two runs of words differ only by how type annotations are
/// spelled: `typing`'s `Optional[X]` and `Union[A, B]` (bare or after
/// `typing.`) on one side where the other writes `X | None` and `A | B`
/// (PEP 604). At least one such annotation must be rewritten; space is
/// ignored only around `|`, `,` and brackets; a bracket left open or
/// closed unopened and the words differ.
fn same_types(a: &str, b: &str) -> bool {
    match (pep604(a), pep604(b)) {
        (Some((x, ra)), Some((y, rb))) => a != b && (ra || rb) && x == y,
        _ => false,
    }
}

/// Nesting of annotations read, at most.
const MAX_NESTING: usize = 16;

/// `s` with every `Optional[…]` and `Union[…]` written as a `|` union and
/// its spacing made even, and whether any was rewritten.
fn pep604(s: &str) -> Option<(String, bool)> {
    let mut rewritten = false;
    let out = rewrite(s, 0, &mut rewritten)?;
    Some((even_spacing(&out), rewritten))
}

/// Runs of space made one, and none around `|`, `,` and brackets.
fn even_spacing(s: &str) -> String {
    let tight = |c: char| matches!(c, '|' | ',' | '[' | ']');
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !tight(c) && !out.is_empty() && !out.ends_with(tight) {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// The comma-separated arguments at the top of a bracket's inside, each
/// rewritten.
fn arguments(s: &str, depth: usize, rewritten: &mut bool) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let (mut level, mut start) = (0usize, 0);
    for (i, c) in s.char_indices() {
        match c {
            '[' => level += 1,
            ']' => level = level.checked_sub(1)?,
            ',' if level == 0 => {
                out.push(rewrite(s.get(start..i)?, depth, rewritten)?);
                start = i + 1;
            }
            _ => {}
        }
    }
    if level != 0 {
        return None;
    }
    out.push(rewrite(s.get(start..)?, depth, rewritten)?);
    Some(out)
}

fn rewrite(s: &str, depth: usize, rewritten: &mut bool) -> Option<String> {
    if depth > MAX_NESTING {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(['O', 'U']) {
        let (head, tail) = rest.split_at(at);
        // An annotation's name starts a word, or follows `typing.`.
        let bare = head.strip_suffix("typing.").unwrap_or(head);
        let before = bare.chars().last().or_else(|| out.chars().last());
        let starts_word = !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let name = ["Optional[", "Union["]
            .into_iter()
            .find(|n| starts_word && tail.starts_with(n));
        let Some(name) = name else {
            out.push_str(head);
            out.push_str(tail.get(..1)?);
            rest = tail.get(1..)?;
            continue;
        };
        out.push_str(bare);
        let inner = tail.get(name.len()..)?;
        let mut level = 1usize;
        let close = inner.char_indices().find_map(|(i, c)| {
            match c {
                '[' => level += 1,
                ']' => level -= 1,
                _ => {}
            }
            (level == 0).then_some(i)
        })?;
        let mut parts = arguments(inner.get(..close)?, depth + 1, rewritten)?;
        if name == "Optional[" {
            parts.push("None".to_string());
        }
        *rewritten = true;
        out.push_str(&parts.join(" | "));
        rest = inner.get(close + 1..)?;
    }
    out.push_str(rest);
    Some(out)
}

/// "the same {what}", and how many passages differ when any do.
pub(super) fn same_but(what: &str, passages: usize) -> String {
    match passages {
        0 => format!("the same {what}"),
        1 => format!("the same {what} but one passage"),
        n => format!("the same {what} but {n} passages"),
    }
}

/// A `text.words` change (`content`) for each run of other words.
pub(super) fn passages<T: AsRef<str>>(wa: &[T], wb: &[T], runs: Vec<Run>) -> Vec<Change> {
    runs.into_iter()
        .map(|(ra, rb)| {
            Change::finding(
                WORDS,
                Value::text(shown(wa.get(ra).unwrap_or_default())),
                Value::text(shown(wb.get(rb).unwrap_or_default())),
                Cause::Content,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// routino's filedumper.1 (docbook-to-man), trixie against its
    /// bookworm backport: the same words, one side setting literals
    /// between the font strings `\*(T<` and `\*(T>` it defines.
    #[test]
    fn strings_defined_as_font_changes_are_markup() {
        let head = "'\\\" t -*- coding: UTF-8 -*-\n.if \\n(.g .ds T< \\\\FC\n.if \\n(.g .ds T> \\\\F[\\n[.fam]]\n.TH filedumper 1 \"28 April 2025\" \"\" \"\"\n.SH NAME\nfiledumper \\- dump routino database contents\n.SH SYNOPSIS\n";
        let a = format!("{head}\\*(T<\\fBfiledumper\\fR\\*(T> [\\*(T<\\fB\\-\\-help\\fR\\*(T>]\n");
        let b = format!("{head}\\fBfiledumper\\fR [\\fB\\-\\-help\\fR]\n")
            .replace("28 April", "08 May");
        let changes = explain(a.as_bytes(), b.as_bytes()).expect("a roff pair");
        assert_eq!(
            changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(),
            [FIELD],
            "{changes:?}"
        );
        assert_eq!(
            font_strings(head),
            ["\\*(T<", "\\*[T<]", "\\*(T>", "\\*[T>]"]
        );
        // A string with text in it is not markup; nor is a cut definition.
        assert!(font_strings(".ds R \\(rg\n.ds X \\fBbold\n.ds Y \\f(\n").is_empty());
        assert!(font_only("\\fB\\f(CW\\f[I]"));
        assert!(!font_only("\\F[\\n[.fam]"));
        assert!(!font_only(""));
        assert_eq!(without_strings("\\*(T<x\\*(T>", &font_strings(head)), "x");
    }

    #[test]
    fn page_dates_are_on_the_title_and_docbook_lines() {
        let page = b".\\\"      Date: 2025-01-20\n.TH PACMAN 8 \"20 janvier 2025\" \"Pacman 7\"\nBuilt 2024-05-05.\n";
        assert!(on_page_date_line(page, "2025-01-20"));
        assert!(on_page_date_line(page, "20 janvier 2025"));
        assert!(!on_page_date_line(page, "2024-05-05"));
        assert!(!on_page_date_line(page, ""));
        // Cut inside the title line: what is left is still read, no panic.
        assert!(on_page_date_line(&page[..50], "20 jan"));
        assert!(!on_page_date_line(b"", "2025-01-20"));
    }

    /// python3-sdbus' man page (docutils), trixie against its bookworm
    /// backport: autodoc under Python 3.13 and 3.11.
    #[test]
    fn annotations_spelled_by_another_python_are_the_same_types() {
        let page = |sig: &str| {
            format!(".\\\" Man page generated from reStructuredText.\n.TH \"PYTHON-SDBUS\" \"1\" \"\" \"\" \"python-sdbus\"\n.SH NAME\npython-sdbus\n.sp\nReturns the proxy.\n.INDENT 0.0\n.TP\n.B get(interface: {sig}) -> None\nDoes it.\n.UNINDENT\n")
        };
        let a = page("DbusInterfaceBase | DbusInterfaceBaseAsync, bus: SdBus | None");
        let b = page("Union[DbusInterfaceBase, DbusInterfaceBaseAsync], bus: Optional[SdBus]");
        let c = explain(a.as_bytes(), b.as_bytes()).expect("the writer's");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, FIELD);
        assert!(c[0]
            .shown_b()
            .is_some_and(|s| s.contains("the same words, type annotations")));
        // Another type is other words.
        let b = page("Union[DbusInterfaceBase, DbusInterfaceBaseAsync], bus: Optional[Other]");
        let c = explain(a.as_bytes(), b.as_bytes()).expect("words");
        assert!(c.iter().any(|c| c.field == WORDS), "{c:?}");
    }

    #[test]
    fn pep604_reads_only_whole_annotations() {
        let same = |a: &str, b: &str| same_types(a, b);
        assert!(same("X | None,", "Optional[X],"));
        assert!(same("X | None]", "typing.Optional[X]]"));
        assert!(same("A | B | None", "Optional[Union[A, B]]"));
        assert!(same("dict[str, A | B]", "dict[str, Union[A, B]]"));
        // Nothing rewritten: spacing alone is not an annotation.
        assert!(!same("foo bar", "foobar"));
        assert!(!same("A | B", "A|B"));
        // Another name, a name that only ends so, an open bracket.
        assert!(!same("X | None", "Optional[Y]"));
        assert!(!same("X | None", "MyOptional[X]"));
        assert!(!same("X | None", "Optional[X"));
        assert!(!same("A | B", "Union[A, B]]"));
        // Too deep to read.
        let deep = format!("{}X{}", "Optional[".repeat(40), "]".repeat(40));
        assert!(!same("X | None", &deep));
    }

    /// Any text of annotation pieces is read without a panic (brackets
    /// unbalanced either way, names cut short, multi-byte letters), and
    /// one with no annotation rewritten only has its spacing made even.
    #[test]
    fn pep604_takes_any_text() {
        let pieces = [
            "Optional[",
            "Union[",
            "typing.",
            "]",
            "[",
            ",",
            " | ",
            "None",
            "X",
            "é",
            "O",
            "U",
            " ",
            "Opt",
        ];
        let mut seed = 0x2545_f491_u32;
        for _ in 0..20_000 {
            let mut t = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                t.push_str(pieces[seed as usize % pieces.len()]);
            }
            seed = seed.wrapping_add(1);
            // Nothing rewritten: nothing changed but the spacing.
            if let Some((x, false)) = pep604(&t) {
                assert_eq!(x, even_spacing(&t), "{t:?}");
            }
            let _ = same_types(&t, "X | None");
        }
    }

    const A: &str = ".TH \"libpipewire-module-access\" 7 \"1.4.2\" \"PipeWire\" \\\" -*- nroff -*-\n.ad l\n.nh\n.SH NAME\nlibpipewire-module-access \\- Access \n.SH DESCRIPTION\n.PP\nThe \\fCaccess\\fP module\\&.\n.nf\n# pipewire\\-0\\-manager = \"unrestricted\",\n.fi\n";
    const B: &str = ".TH \"libpipewire-module-access\" 7 \"1.4.2\" \"PipeWire\" \\\" -*- nroff -*-\n.ad l\n.nh\n.SH NAME\nlibpipewire-module-access \\- Access \nThe \\fCaccess\\fP module\\&.\n.nf\n# pipewire-0-manager = \"unrestricted\",\n.fi\n";

    #[test]
    fn other_escapes_and_requests_are_markup() {
        let c = explain(A.as_bytes(), B.as_bytes()).expect("markup only");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, FIELD);
        assert_eq!(c[0].cause, Some(Cause::Content), "unexplained on its own");
        assert_eq!(
            Change::shown(&c[0].a).as_deref(),
            Some("Doxygen's roff markup")
        );
        assert_eq!(
            Change::shown(&c[0].b).as_deref(),
            Some("Doxygen's roff markup, the same words")
        );
    }

    #[test]
    fn other_words_beside_other_markup_are_named_word_for_word() {
        let b = B.replace("unrestricted", "restricted");
        let c = explain(A.as_bytes(), b.as_bytes()).expect("markup and a passage");
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(
            Change::shown(&c[0].b).as_deref(),
            Some("Doxygen's roff markup, the same words but one passage")
        );
        assert_eq!(c[1].field, WORDS);
        assert_eq!(c[1].cause, Some(Cause::Content));
        assert_eq!(Change::shown(&c[1].a).as_deref(), Some("\"unrestricted\","));
        assert_eq!(Change::shown(&c[1].b).as_deref(), Some("\"restricted\","));
        // The title line's version is words.
        let b = B.replace("\"1.4.2\"", "\"1.4.3\"");
        let c = explain(A.as_bytes(), b.as_bytes()).expect("markup and a passage");
        assert_eq!(Change::shown(&c[1].a).as_deref(), Some("1.4.2"));
        assert_eq!(Change::shown(&c[1].b).as_deref(), Some("1.4.3"));
    }

    #[test]
    fn other_words_alone_are_named_without_markup() {
        // The same markup: the passage alone.
        let b = A.replace("unrestricted", "restricted");
        let c = explain(A.as_bytes(), b.as_bytes()).expect("a passage");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, WORDS);
        // Words in a font macro are words.
        let a = ".TH x 1\n.B word\n";
        let c = explain(a.as_bytes(), b".TH x 1\n.B other\n").expect("a passage");
        assert_eq!(c[0].field, WORDS);
        let c = explain(a.as_bytes(), b".TH x 1\n\\fBword\\fR\n").expect("markup");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, FIELD);
        // Other spacing only: nothing to say here.
        assert!(explain(a.as_bytes(), b".TH x 1\n.B  word\n").is_none());
        // Not roff: not judged here.
        assert!(explain(b"a \\- b\n", b"a - b\n").is_none());
        assert!(explain(A.as_bytes(), A.as_bytes()).is_none());
    }

    #[test]
    fn other_markup_beside_other_words_from_an_unknown_writer_is_not_the_writers() {
        let b = B.replace("unrestricted", "restricted");
        let c = explain(A.as_bytes(), b.as_bytes()).expect("markup and a passage");
        assert_eq!(c[0].field, WITH_WORDS);
        // The same words: the writer's markup.
        let c = explain(A.as_bytes(), B.as_bytes()).expect("markup");
        assert_eq!(c[0].field, FIELD);
        // A docutils page: its markup is the writer's, words or not.
        let c = explain(NEW.as_bytes(), OLD.as_bytes()).expect("a writer's page");
        assert_eq!(c[0].field, FIELD);
    }

    #[test]
    fn hyperlinks_and_tables_are_markup() {
        // docutils 0.21 writes links as device control escapes.
        let a = ".TH x 1\nsee \\X'tty: link https://example.org/'the manual\\X'tty: link' here\n";
        let b = ".TH x 1\nsee the manual here\n";
        let c = explain(a.as_bytes(), b.as_bytes()).expect("markup");
        assert_eq!(c.len(), 1, "{c:?}");
        // tbl: options, format and rules are markup, cells are words.
        let a = ".TH x 1\n.TS\nbox center;\nl|l.\nT{\nOS\nT}\tcell\n.TE\n";
        let b = ".TH x 1\n.TS\ncenter;\n|l|l|.\n_\nT{\nOS\nT}\tcell\n_\n.TE\n";
        let c = explain(a.as_bytes(), b.as_bytes()).expect("markup");
        assert_eq!(c.len(), 1, "{c:?}");
        let b = b.replace("cell", "other");
        let c = explain(a.as_bytes(), b.as_bytes()).expect("markup and a passage");
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(Change::shown(&c[1].b).as_deref(), Some("other"));
    }

    /// docutils 0.21 and 0.19 (dbus-broker's pages, trixie and its
    /// bookworm backport): the title's section quoted or not, an address
    /// in italics or in angle brackets. The same words.
    #[test]
    fn docutils_quoting_and_addresses_are_markup() {
        let head = ".\\\" Man page generated from reStructuredText.\n.\n";
        let a = format!("{head}.TH \"DBUS-BROKER\" \"1\" \"\" \"\" \"User Commands\"\n.SH SEE ALSO\n <https://dbus.freedesktop.org/doc/dbus\\-specification.html> \n");
        let b = format!("{head}.TH \"DBUS-BROKER\" 1 \"\" \"\" \"User Commands\"\n.SH SEE ALSO\n\\fI\\%https://dbus.freedesktop.org/doc/dbus\\-specification.html\\fP\n");
        let c = explain(a.as_bytes(), b.as_bytes()).expect("markup");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, FIELD);
        // The title quoted otherwise alone is markup too.
        let quoted = a
            .replace(" <https", " \\fI\\%https")
            .replace(".html> ", ".html\\fP");
        let c = explain(quoted.as_bytes(), b.as_bytes()).expect("markup");
        assert_eq!(c[0].field, FIELD, "{c:?}");
        // Angle brackets around words that are no address stay words.
        let words = a.replace(
            "https://dbus.freedesktop.org/doc/dbus\\-specification.html",
            "spec",
        );
        let other = b.replace(
            "https://dbus.freedesktop.org/doc/dbus\\-specification.html",
            "spec",
        );
        let c = explain(words.as_bytes(), other.as_bytes()).expect("markup and words");
        assert_eq!(c[0].field, FIELD, "{c:?}");
        assert_eq!(c.len(), 2, "{c:?}");
    }

    /// pandoc 3.1 sets a link as `.UR address`, its text, `.UE`; 2.17 set
    /// the address in parentheses after the text (osmium-tool's pages,
    /// trixie and its bookworm backport): the same words. Another address,
    /// or the address alone in the text, is not.
    #[test]
    fn a_link_macro_reads_as_its_text_and_address() {
        let new = ".TH \"OSMIUM-CAT\" \"1\" \"1.18.0\" \"\" \"\"\n.SH NAME\n.PP\nosmium-cat - concatenate OSM files\n.SH SEE ALSO\n\\c\n.UR https://osmcode.org/osmium-tool/\nOsmium website\n.UE \\c\n";
        let old = ".TH \"OSMIUM-CAT\" \"1\" \"1.18.0\" \"\" \"\"\n.SH NAME\nosmium\\-cat \\- concatenate OSM files\n.SH SEE ALSO\nOsmium website (https://osmcode.org/osmium-tool/)\n";
        let c = explain(new.as_bytes(), old.as_bytes()).expect("markup");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, FIELD);
        let other = old.replace("osmium-tool/)", "osmium/)");
        let c = explain(new.as_bytes(), other.as_bytes()).expect("markup and words");
        assert_eq!(c[0].field, WITH_WORDS, "{c:?}");
        let bare = old.replace("(https://osmcode.org/osmium-tool/)", "");
        let c = explain(new.as_bytes(), bare.as_bytes()).expect("markup and words");
        assert_eq!(c[0].field, WITH_WORDS, "{c:?}");
        // A link whose text is its address, closed or left open (as
        // manpages-fr's exif.1 has it in bookworm's translation): once.
        let closed = ".TH x 1\n.SH SEE ALSO\n.UR \"https://libexif.github.io/\"\n\\fBhttps://libexif.github.io/\\fP\n.UE\n";
        let open = ".TH x 1\n.SH SEE ALSO\n.UR \"https://libexif.github.io/\"\n\\fBhttps://libexif.github.io/\\fP\n";
        let c = explain(closed.as_bytes(), open.as_bytes()).expect("markup");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, FIELD);
        // Closed unopened: no panic, the text kept.
        let stray = ".TH x 1\nthe site\n.UE .\n";
        assert!(explain(open.as_bytes(), stray.as_bytes()).is_some());
    }

    /// A page as docutils 0.21 and Sphinx 8 write it (cmake-data 3.31.6-2 in
    /// trixie), and as docutils 0.19 and Sphinx 5 wrote it in its bookworm
    /// backport: literal blocks as `.EX`/`.EE` against `.nf`/`.ft C`, the
    /// `versionadded` label, the title's date, and a copyright year.
    const NEW: &str = ".\\\" Man page generated from reStructuredText.\n.\n.TH \"CMAKE-BUILDSYSTEM\" \"7\" \"March 31, 2025\" \"3.31.6\" \"CMake\"\n.SH NAME\ncmake-buildsystem \\- CMake Buildsystem Reference\n.INDENT 0.0\n.INDENT 3.5\n.sp\n.EX\nadd_library(archive archive.cpp)\n.EE\n.UNINDENT\n.UNINDENT\n.sp\nAdded in version 3.13.\n.SH COPYRIGHT\n2000-2024 Kitware, Inc. and Contributors\n";
    const OLD: &str = ".\\\" Man page generated from reStructuredText.\n.\n.TH \"CMAKE-BUILDSYSTEM\" \"7\" \"April 10, 2025\" \"3.31.6\" \"CMake\"\n.SH NAME\ncmake-buildsystem \\- CMake Buildsystem Reference\n.INDENT 0.0\n.INDENT 3.5\n.sp\n.nf\n.ft C\nadd_library(archive archive.cpp)\n.ft P\n.fi\n.UNINDENT\n.UNINDENT\n.sp\nNew in version 3.13.\n.SH COPYRIGHT\n2000-2025 Kitware, Inc. and Contributors\n";

    #[test]
    fn sphinx_pages_of_another_docutils_name_what_is_left() {
        let c = explain(NEW.as_bytes(), OLD.as_bytes()).expect("a writer's page");
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(
            Change::shown(&c[0].a).as_deref(),
            Some("docutils' roff markup, Sphinx's \"Added in version\"")
        );
        assert_eq!(
            Change::shown(&c[0].b).as_deref(),
            Some("docutils' roff markup, Sphinx's \"New in version\", the same words but one passage")
        );
        // The date is the date masks' to name; the copyright year is left.
        assert_eq!(Change::shown(&c[1].a).as_deref(), Some("2000-2024"));
        assert_eq!(Change::shown(&c[1].b).as_deref(), Some("2000-2025"));
        // Without the year, the same words.
        let old = OLD.replace("2000-2025", "2000-2024");
        let c = explain(NEW.as_bytes(), old.as_bytes()).expect("a writer's page");
        assert_eq!(c.len(), 1, "{c:?}");
        // The label alone is the writer's too, markup otherwise the same.
        let new = NEW.replace("Added in", "New in");
        let c = explain(new.as_bytes(), NEW.as_bytes()).expect("the label");
        assert_eq!(c.len(), 1, "{c:?}");
        // Not a docutils page: the label is words like any other.
        let label = |c: &[Change]| (Change::shown(&c[0].a), Change::shown(&c[0].b));
        let (a, b) = (
            &NEW[NEW.find("\n.TH").unwrap_or(0) + 1..],
            &new[new.find("\n.TH").unwrap_or(0) + 1..],
        );
        let c = explain(a.as_bytes(), b.as_bytes()).expect("a passage");
        assert_eq!(c[0].field, WORDS);
        assert_eq!(
            label(&c),
            (Some("Added".to_string()), Some("New".to_string()))
        );
    }

    /// Sphinx 8 sets a typed field's type after its name in parentheses,
    /// Sphinx 5 bare on the next line (python3-sdbus's page).
    #[test]
    fn a_typed_field_in_parentheses_is_the_writers() {
        let head =
            ".\\\" Man page generated from reStructuredText.\n.TH \"X\" \"1\" \"\" \"\" \"x\"\n";
        let a = format!("{head}.TP\n.B Interface name (str)\nName of the interface\n");
        let b = format!("{head}.TP\n.B Interface name\nstr\nName of the interface\n");
        let c = explain(a.as_bytes(), b.as_bytes()).expect("markup");
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].field, FIELD);
        // Not a docutils page: the parentheses are words.
        let (a, b) = (
            &a[a.find(".TH").unwrap_or(0)..],
            &b[b.find(".TH").unwrap_or(0)..],
        );
        let c = explain(a.as_bytes(), b.as_bytes()).expect("a passage");
        assert!(c.iter().any(|c| c.field == WORDS), "{c:?}");
    }

    #[test]
    fn a_page_rewritten_is_not_a_few_passages() {
        let mut a = String::from(".TH x 1\n");
        let mut b = String::from(".TH x 1\n");
        for i in 0..40 {
            a.push_str(&format!("word{i} common text here and more\n.br\n"));
            b.push_str(&format!("other{i} common text here and more\n.sp\n"));
        }
        assert!(explain(a.as_bytes(), b.as_bytes()).is_none());
        // A few runs among them are named.
        let b2 = a.replace("word3 ", "changed ").replace(".br\n", ".sp\n");
        let c = explain(a.as_bytes(), b2.as_bytes()).expect("one passage");
        assert_eq!(c.len(), 2, "{c:?}");
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
            let _ = explain(&A.as_bytes()[..cut], B.as_bytes());
        }
        let _ = explain(b".TH \\f(", b".TH \\f[");
        let _ = explain(b".TH \xff\xfe\n", b".TH x\n");
    }
}
