//! Explaining a content difference by what changed inside it: dates and
//! epochs, random identifiers, build directories, kernel releases, locales
//! and host names are masked on both sides; a token's kind is given as the
//! cause only where both sides hold a token of that kind and shape at
//! corresponding places (the same index among tokens of the kind, in the
//! same place of a line or string that is equal once masked; or a date one
//! side writes where the other writes nothing, see [`one_sided_dates`]). Anything else
//! stays `content`: an unexplained difference is better than a wrong
//! explanation. Also recognises reordered lines (a list sorted bytewise on
//! one side and by a locale's collation on the other is `locale`),
//! reordered blank-line-separated records (debconf, dpkg, deb822) and
//! checksum lists (`<hex>  <path>`).
//!
//! Diagnosis stage (engine → report): text is masked line by line; binaries
//! (an ELF `.rodata`, any non-ELF blob) only inside their printable strings
//! (runs of at least [`MIN_STRING`] printable ASCII bytes, as `strings`
//! finds them), never across arbitrary bytes.

use std::ops::Range;

use super::time;
use crate::report::{Cause, Change, Role, Time, Value};

/// What a masked token was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Timestamp,
    RandomId,
    BuildPath,
    Kernel,
    Locale,
    Hostname,
}

impl Kind {
    pub fn cause(self) -> Cause {
        match self {
            Kind::Timestamp => Cause::EmbeddedTimestamp,
            Kind::RandomId => Cause::RandomId,
            Kind::BuildPath => Cause::BuildPath,
            Kind::Kernel => Cause::HostnameOrKernel,
            Kind::Locale => Cause::Locale,
            Kind::Hostname => Cause::HostnameOrKernel,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Kind::Timestamp => "timestamp",
            Kind::RandomId => "random_id",
            Kind::BuildPath => "build_path",
            Kind::Kernel => "kernel",
            Kind::Locale => "locale",
            Kind::Hostname => "hostname",
        }
    }
}

/// One masked token: kind, the original text and, for dates, its epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub text: String,
    pub epoch: Option<i64>,
    /// Where its placeholder starts in the masked bytes.
    at: usize,
    /// The masked line or printable string it sits in.
    unit: Range<usize>,
}

/// The shortest run of printable bytes read as a string of a binary (the
/// default of `strings`).
pub const MIN_STRING: usize = 4;

/// Character sets of locale names (`en_US.UTF-8`), compared without case,
/// `-` or `_`: glibc's normalised names and the usual spellings.
const CHARSETS: [&str; 30] = [
    "utf8",
    "iso88591",
    "iso88592",
    "iso88593",
    "iso88594",
    "iso88595",
    "iso88596",
    "iso88597",
    "iso88598",
    "iso88599",
    "iso885910",
    "iso885911",
    "iso885913",
    "iso885914",
    "iso885915",
    "iso885916",
    "eucjp",
    "euckr",
    "euctw",
    "gb18030",
    "gbk",
    "gb2312",
    "big5",
    "big5hkscs",
    "koi8r",
    "koi8u",
    "koi8t",
    "cp1251",
    "cp1255",
    "tis620",
];

/// Directories builds run in; a path under one of them names a build tree.
const BUILD_ROOTS: [&str; 10] = [
    "/build/",
    "/tmp/",
    "/var/tmp/",
    "/home/",
    "/usr/src/",
    "/buildd/",
    "/builds/",
    "/root/",
    "/workspace/",
    "/srv/",
];

const KERNEL_FLAVOURS: [&str; 8] = [
    "-amd64",
    "-arm64",
    "-686",
    "-686-pae",
    "-cloud-amd64",
    "-rt-amd64",
    "-armmp",
    "-generic",
];

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

fn word_start(b: &[u8], i: usize) -> bool {
    i == 0 || b.get(i - 1).is_some_and(|&c| !c.is_ascii_alphanumeric())
}

fn boundary(b: &[u8], end: usize) -> bool {
    b.get(end).is_none_or(|&c| !c.is_ascii_alphanumeric())
}

/// UUIDs (8-4-4-4-12) and hex runs of 16 or more characters with a digit
/// and a letter, in one case: (length, shape). The shape (`u`/`U` for a
/// UUID, `h`/`H` and the length for a run) must match on both sides.
fn random_id_at(b: &[u8], i: usize) -> Option<(usize, String)> {
    let mut n = 0;
    while b.get(i + n).copied().is_some_and(is_hex) {
        n += 1;
    }
    if n != 8 && n < 16 {
        return None;
    }
    let (len, shape) = if n == 8 {
        let groups = [4usize, 4, 4, 12];
        let mut p = i + 8;
        for g in groups {
            if b.get(p) != Some(&b'-') {
                return None;
            }
            if !(1..=g).all(|k| b.get(p + k).copied().is_some_and(is_hex)) {
                return None;
            }
            p += 1 + g;
        }
        (p - i, None)
    } else {
        (n, Some(n))
    };
    let run = b.get(i..i + len)?;
    let lower = run.iter().any(u8::is_ascii_lowercase);
    let upper = run.iter().any(u8::is_ascii_uppercase);
    // A digit/letter table (`0123456789abcdef`) is data, not an identifier.
    let table = [&b"0123456789"[..], b"abcdef", b"ABCDEF"]
        .iter()
        .any(|t| run.windows(t.len()).any(|w| w == *t));
    let ok = len >= 16
        && boundary(b, i + len)
        && run.iter().any(u8::is_ascii_digit)
        && (lower || upper)
        && !(lower && upper)
        && !table;
    if !ok {
        return None;
    }
    let shape = match shape {
        None => "u".to_string(),
        Some(n) => format!("h{n}"),
    };
    Some((len, if upper { shape.to_uppercase() } else { shape }))
}

/// `/build/<dir>` and the like: the root and its first component.
fn build_path_at(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'/')
        || (i > 0
            && b.get(i - 1)
                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'/' || c == b'.'))
    {
        return None;
    }
    let root = BUILD_ROOTS
        .iter()
        .find(|r| b.get(i..i + r.len()) == Some(r.as_bytes()))?;
    let component =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'+' | b'~');
    let mut end = i + root.len();
    let start = end;
    while b.get(end).is_some_and(|&c| component(c)) {
        end += 1;
    }
    if end == start {
        return None;
    }
    // A Debian source tree is the build directory: up to its `debian/`
    // (`/build/reproducible-path/boost1.83-1.83.0/debian/tmp` against
    // `/build/package/package/debian/tmp`), within a few components.
    let mut at = end;
    for _ in 0..3 {
        if b.get(at) != Some(&b'/') {
            break;
        }
        if b.get(at + 1..at + 8) == Some(b"debian/".as_slice()) {
            end = at;
            break;
        }
        at += 1;
        let from = at;
        while b.get(at).is_some_and(|&c| component(c)) {
            at += 1;
        }
        if at == from {
            break;
        }
    }
    Some(end - i)
}

/// Kernel releases (`6.1.0-13-amd64`) and `uname -v` builds (`#1 SMP …`).
fn kernel_at(b: &[u8], i: usize) -> Option<usize> {
    if !b.get(i)?.is_ascii_digit() {
        return None;
    }
    let mut end = i;
    let mut dots = 0;
    while let Some(&c) = b.get(end) {
        if c.is_ascii_digit() {
            end += 1;
        } else if c == b'.' || c == b'-' {
            dots += usize::from(c == b'.');
            end += 1;
        } else {
            break;
        }
    }
    if dots < 2 {
        return None;
    }
    // The flavour starts at one of the run's dashes (`-686-pae` at the
    // second: the digit run also takes `686-`); the longest one wins.
    (i..end).filter(|&p| b.get(p) == Some(&b'-')).find_map(|p| {
        let rest = b.get(p..)?;
        let flavour = KERNEL_FLAVOURS
            .iter()
            .filter(|f| rest.starts_with(f.as_bytes()))
            .max_by_key(|f| f.len())?;
        let end = p + flavour.len();
        boundary(b, end).then_some(end - i)
    })
}

/// `uname -v`: `#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)`, to the
/// closing parenthesis (the kernel's own build date is part of it) or else
/// to the end of its SMP/PREEMPT words.
fn kernel_build_at(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'#') || !b.get(i + 1)?.is_ascii_digit() {
        return None;
    }
    let line_end = (i..b.len().min(i + 120))
        .find(|&k| b.get(k).is_some_and(|&c| c == b'\n' || c == 0))
        .unwrap_or(b.len().min(i + 120));
    let line = b.get(i..line_end)?;
    let word_end = |w: &[u8]| {
        line.windows(w.len())
            .position(|x| x == w)
            .map(|p| p + w.len())
    };
    let last_word = word_end(b"PREEMPT_DYNAMIC")
        .or_else(|| word_end(b"PREEMPT"))
        .or_else(|| word_end(b"SMP"))?;
    let n = match (
        line.iter().position(|&c| c == b'('),
        line.iter().position(|&c| c == b')'),
    ) {
        (Some(o), Some(c)) if o < c && c > last_word => c + 1,
        _ => last_word,
    };
    Some(n)
}

/// Words that precede a host name in build logs and build-info files.
const HOST_KEYS: [&[u8]; 7] = [
    b"on host ",
    b"hostname ",
    b"hostname=",
    b"HOSTNAME=",
    b"hostname: ",
    b"Host: ",
    b"Build-Host: ",
];

/// A host name after one of [`HOST_KEYS`], or the node name of a
/// `uname -a` line (`Linux <host> <release>`).
fn hostname_at(b: &[u8], i: usize) -> Option<usize> {
    let before = b.get(..i)?;
    // What comes before decides, and is cheap to look at: every key ends
    // with a space or `=`, so most words are turned away by one byte,
    // before their length is read (this runs at every word of a text).
    if !matches!(before.last(), Some(b' ' | b'=')) {
        return None;
    }
    // Nor does the byte before that: each key's (`host `, `hostname=`,
    // `Host: `, `Linux `) is one of these.
    if !matches!(
        before.iter().rev().nth(1),
        Some(b't' | b'e' | b'E' | b':' | b'x')
    ) {
        return None;
    }
    let keyed = HOST_KEYS.iter().any(|k| before.ends_with(k));
    if !keyed && !before.ends_with(b"Linux ") {
        return None;
    }
    let mut end = i;
    while b
        .get(end)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
    {
        end += 1;
    }
    while end > i && b.get(end - 1) == Some(&b'.') {
        end -= 1;
    }
    if end == i {
        return None;
    }
    if keyed {
        return Some(end - i);
    }
    let uname = b.get(end) == Some(&b' ') && kernel_at(b, end + 1).is_some();
    uname.then_some(end - i)
}

/// Whether `b[i..]` starts a known character set name: its length.
fn charset_at(b: &[u8], i: usize) -> Option<usize> {
    let n = b
        .get(i..)?
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        .count();
    let name: String = b
        .get(i..i + n)?
        .iter()
        .filter(|&&c| c.is_ascii_alphanumeric())
        .map(|&c| char::from(c.to_ascii_lowercase()))
        .collect();
    CHARSETS.contains(&name.as_str()).then_some(n)
}

/// Whether `b[..i]` ends with the assignment of a locale variable
/// (`LANG=`, `LC_ALL="`): there a name without a character set is a locale.
fn after_locale_variable(b: &[u8], i: usize) -> bool {
    let Some(before) = b.get(..i) else {
        return false;
    };
    let before = before.strip_suffix(b"\"").unwrap_or(before);
    let Some(name) = before.strip_suffix(b"=") else {
        return false;
    };
    let start = name
        .iter()
        .rposition(|c| !(c.is_ascii_uppercase() || *c == b'_'))
        .map_or(0, |p| p + 1);
    let var = name.get(start..).unwrap_or_default();
    var == b"LANG" || var == b"LANGUAGE" || var.starts_with(b"LC_")
}

/// Locale names: `en_US.UTF-8`, `ast_ES.UTF-8@euro`, `C.UTF-8`, `POSIX`,
/// and `de_DE`/`de_DE@euro` when assigned to a locale variable. A character
/// set must be a known one: `C.` followed by anything is not a locale.
fn locale_at(b: &[u8], i: usize) -> Option<usize> {
    let lower = |k: usize| b.get(i + k).is_some_and(u8::is_ascii_lowercase);
    let upper = |k: usize| b.get(i + k).is_some_and(u8::is_ascii_uppercase);
    if b.get(i..i + 5) == Some(b"POSIX") {
        return boundary(b, i + 5).then_some(5);
    }
    if b.get(i..i + 2) == Some(b"C.") {
        let n = charset_at(b, i + 2)?;
        return boundary(b, i + 2 + n).then_some(2 + n);
    }
    let lang = if lower(0) && lower(1) && lower(2) {
        3
    } else {
        2
    };
    if !(lower(0)
        && lower(1)
        && b.get(i + lang) == Some(&b'_')
        && upper(lang + 1)
        && upper(lang + 2))
    {
        return None;
    }
    let mut end = i + lang + 3;
    let mut charset = false;
    if b.get(end) == Some(&b'.') {
        end += 1 + charset_at(b, end + 1)?;
        charset = true;
    }
    if b.get(end) == Some(&b'@') {
        let n = b
            .get(end + 1..)?
            .iter()
            .take_while(|c| c.is_ascii_lowercase())
            .count();
        if n == 0 {
            return None;
        }
        end += 1 + n;
    }
    (boundary(b, end) && (charset || after_locale_variable(b, i))).then_some(end - i)
}

/// Replaces every recognised token of a text by a placeholder naming its
/// kind (and, for random ids, their shape), line by line.
pub fn mask(b: &[u8]) -> (Vec<u8>, Vec<Token>) {
    masked(b, true)
}

/// [`mask`] for a binary: only inside its printable strings.
pub fn mask_strings(b: &[u8]) -> (Vec<u8>, Vec<Token>) {
    masked(b, false)
}

fn printable(c: u8) -> bool {
    c.is_ascii_graphic() || c == b' ' || c == b'\t'
}

/// Each line of `t`: its body and what ends it (its newline, or nothing).
fn body_lines(t: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    t.split_inclusive(|&c| c == b'\n').map(|line| {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        (body, line.get(body.len()..).unwrap_or_default())
    })
}

fn masked(b: &[u8], lines: bool) -> (Vec<u8>, Vec<Token>) {
    let mut out = Vec::with_capacity(b.len());
    let mut tokens = Vec::new();
    if lines {
        for (body, end) in body_lines(b) {
            mask_unit(body, &mut out, &mut tokens);
            out.extend_from_slice(end);
        }
        return (out, tokens);
    }
    // Bytes before `copied` are in `out`; the rest are copied in one run
    // before each string masked and at the end, not a short run of binary
    // at a time (binary data alternates every few bytes).
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let rest = b.get(i..).unwrap_or_default();
        let run = rest.iter().take_while(|&&c| printable(c)).count();
        if run >= MIN_STRING {
            out.extend_from_slice(b.get(copied..i).unwrap_or_default());
            mask_unit(rest.get(..run).unwrap_or_default(), &mut out, &mut tokens);
            copied = i + run;
        }
        i += run;
        i += b
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| !printable(c))
            .count();
    }
    out.extend_from_slice(b.get(copied..).unwrap_or_default());
    (out, tokens)
}

/// Both texts masked line by line, as [`mask`] masks each: a line of `b`
/// that `a` holds too is copied from `a`'s masking with its tokens instead
/// of masked again (a line's masking depends on nothing but its bytes). Two
/// builds of a document share most of their lines, and masking is most of
/// the cost of explaining a large text.
#[allow(clippy::type_complexity)]
fn masked_pair(a: &[u8], b: &[u8]) -> ((Vec<u8>, Vec<Token>), (Vec<u8>, Vec<Token>)) {
    /// A line of `a`: where its masking stands in `a`'s output and which
    /// of `a`'s tokens it holds.
    struct Done {
        out: Range<usize>,
        tokens: Range<usize>,
    }
    let (mut oa, mut ta) = (Vec::with_capacity(a.len()), Vec::new());
    let mut done: Vec<(&[u8], Done)> = Vec::new();
    for (body, end) in body_lines(a) {
        let (start, first) = (oa.len(), ta.len());
        mask_unit(body, &mut oa, &mut ta);
        done.push((
            body,
            Done {
                out: start..oa.len(),
                tokens: first..ta.len(),
            },
        ));
        oa.extend_from_slice(end);
    }
    // `a`'s lines by content, built at the first line of `b` that is not
    // the line after the last one found (most are).
    let mut by_content: Option<std::collections::HashMap<&[u8], usize>> = None;
    let (mut ob, mut tb) = (Vec::with_capacity(b.len()), Vec::new());
    let mut next = 0;
    for (body, end) in body_lines(b) {
        let found = match done.get(next) {
            Some((l, _)) if *l == body => Some(next),
            _ => by_content
                .get_or_insert_with(|| {
                    let mut m = std::collections::HashMap::with_capacity(done.len());
                    for (k, (l, _)) in done.iter().enumerate() {
                        m.entry(*l).or_insert(k);
                    }
                    m
                })
                .get(body)
                .copied(),
        };
        match found.and_then(|k| Some((k, &done.get(k)?.1))) {
            Some((k, d)) => {
                let start = ob.len();
                ob.extend_from_slice(oa.get(d.out.clone()).unwrap_or_default());
                let unit = start..ob.len();
                tb.extend(
                    ta.get(d.tokens.clone())
                        .unwrap_or_default()
                        .iter()
                        .map(|t| Token {
                            at: t.at - d.out.start + start,
                            unit: unit.clone(),
                            ..t.clone()
                        }),
                );
                next = k + 1;
            }
            None => mask_unit(body, &mut ob, &mut tb),
        }
        ob.extend_from_slice(end);
    }
    ((oa, ta), (ob, tb))
}

/// Masks one line or string `b` onto `out`.
fn mask_unit(b: &[u8], out: &mut Vec<u8>, tokens: &mut Vec<Token>) {
    let start = out.len();
    let first = tokens.len();
    let mut i = 0;
    // Bytes before `i` not yet copied to `out` start here: they are copied
    // in runs, at each token and at the end, not one by one.
    let mut copied = 0;
    while let Some(&c) = b.get(i) {
        let mut hit: Option<(Kind, usize, Option<i64>, String)> = None;
        if c == b'/' {
            if let Some(n) = build_path_at(b, i) {
                hit = Some((Kind::BuildPath, n, None, String::new()));
            }
        } else if c == b'#' {
            if let Some(n) = kernel_build_at(b, i) {
                hit = Some((Kind::Kernel, n, None, String::new()));
            }
        } else if word_start(b, i) && c.is_ascii_alphanumeric() {
            if let Some(n) = kernel_at(b, i) {
                hit = Some((Kind::Kernel, n, None, String::new()));
            } else if let Some(n) = hostname_at(b, i) {
                hit = Some((Kind::Hostname, n, None, String::new()));
            } else if let Some((n, t)) = time::match_at(b, i) {
                hit = Some((Kind::Timestamp, n, t, String::new()));
            } else if let Some((n, shape)) = random_id_at(b, i) {
                hit = Some((Kind::RandomId, n, None, shape));
            } else if let Some(n) = locale_at(b, i) {
                hit = Some((Kind::Locale, n, None, String::new()));
            }
        }
        match hit {
            Some((kind, n, epoch, shape)) if n > 0 => {
                out.extend_from_slice(b.get(copied..i).unwrap_or_default());
                let text =
                    String::from_utf8_lossy(b.get(i..i + n).unwrap_or_default()).into_owned();
                let at = out.len();
                out.extend_from_slice(b"\x00");
                out.push(kind as u8);
                out.extend_from_slice(shape.as_bytes());
                out.push(0);
                tokens.push(Token {
                    kind,
                    text,
                    epoch,
                    at,
                    unit: 0..0,
                });
                i += n;
                copied = i;
            }
            // No token starts inside a word: the rest of it is skipped at
            // once, not looked at a byte at a time.
            _ if c.is_ascii_alphanumeric() => {
                i += 1 + b
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .count();
            }
            _ => i += 1,
        }
    }
    out.extend_from_slice(b.get(copied..).unwrap_or_default());
    let unit = start..out.len();
    for t in tokens.iter_mut().skip(first) {
        t.unit = unit.clone();
    }
}

/// Whether token `x` of masked text `ma` and token `y` of `mb` stand at the
/// same place of equal masked lines or strings.
fn corresponds(ma: &[u8], x: &Token, mb: &[u8], y: &Token) -> bool {
    let (ua, ub) = (ma.get(x.unit.clone()), mb.get(y.unit.clone()));
    x.kind == y.kind && x.at - x.unit.start == y.at - y.unit.start && ua.is_some() && ua == ub
}

/// The explanation of one content difference: changes with their causes;
/// `unexplained` when masking did not make the two sides equal.
#[derive(Debug, Default)]
pub struct Explanation {
    pub changes: Vec<Change>,
    pub unexplained: bool,
    /// Both texts masked line by line, when that is how they were
    /// compared: [`substitution`] goes on from them instead of masking
    /// again (masking is most of the cost of explaining a large text).
    pub masked: Option<(Vec<u8>, Vec<u8>)>,
}

fn change(field: &str, a: &str, b: &str, cause: Cause) -> Change {
    Change::finding(field, Value::text(a), Value::text(b), cause)
}

impl Token {
    /// The token as a report value: a date keeps the instant it names.
    fn value(&self) -> Value {
        match self.epoch {
            Some(secs) => Value::Written {
                text: self.text.clone(),
                time: Time::from_secs(secs),
            },
            None => Value::Text(self.text.clone()),
        }
    }
}

/// A checksum line that differs or that one side lacks, about `path`.
fn line_change(path: &str, a: Option<&str>, b: Option<&str>) -> Change {
    let mut c = Change::new(
        format!("checksum.{path}"),
        Role::Checksum,
        a.map(Value::text),
        b.map(Value::text),
    );
    c.subject = Some(path.to_string());
    c
}

pub use crate::engine::sums::lines as checksum_lines;

/// The first-level key of a locale's collation (glibc's en_US and most
/// others): letters without case, digits, punctuation ignored.
fn collation_key(l: &[u8]) -> Vec<u8> {
    l.iter()
        .filter(|c| c.is_ascii_alphanumeric() || !c.is_ascii())
        .map(u8::to_ascii_lowercase)
        .collect()
}

fn sorted_by<K: Ord>(lines: &[&[u8]], key: impl Fn(&[u8]) -> K) -> bool {
    let keys: Vec<K> = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| key(l))
        .collect();
    keys.windows(2).all(|w| w[0] <= w[1])
}

/// One side sorted bytewise (`LC_ALL=C`), the other not bytewise but by a
/// locale's collation: `sort`, `ls` or a glob run under another locale.
fn collation_orders(a: &[&[u8]], b: &[&[u8]]) -> bool {
    let bytewise = |l: &[&[u8]]| sorted_by(l, <[u8]>::to_vec);
    let collated = |l: &[&[u8]]| sorted_by(l, collation_key);
    (bytewise(a) && !bytewise(b) && collated(b)) || (bytewise(b) && !bytewise(a) && collated(a))
}

/// Blank-line-separated records (debconf `config.dat`, dpkg `status`,
/// deb822 `control` and `.changes`), each without its surrounding newlines.
fn records(t: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = None;
    let mut pos = 0;
    for line in t.split_inclusive(|&c| c == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            if let Some(s) = start.take() {
                out.extend(t.get(s..pos));
            }
        } else if start.is_none() {
            start = Some(pos);
        }
        pos += line.len();
    }
    out.extend(start.and_then(|s| t.get(s..)));
    out.into_iter()
        .map(|r| {
            let mut r = r;
            while let Some(x) = r.strip_suffix(b"\n").or_else(|| r.strip_suffix(b"\r")) {
                r = x;
            }
            r
        })
        .collect()
}

/// The same records in another order, whatever separates them (a final
/// blank line on one side only): their number.
pub fn reordered_records(a: &[u8], b: &[u8]) -> Option<usize> {
    let (ra, rb) = (records(a), records(b));
    if ra.len() < 2 || ra.len() != rb.len() || ra == rb {
        return None;
    }
    let (mut sa, mut sb) = (ra.clone(), rb.clone());
    sa.sort_unstable();
    sb.sort_unstable();
    (sa == sb).then_some(ra.len())
}

/// Explains the difference of two byte strings (`prefix` names the changes:
/// `text` for whole files, `elf.section.<name>` inside binaries). `lines`:
/// the bytes are text (masked by line, and line or record order and
/// checksum lists recognised); otherwise only printable strings are masked.
pub fn explain(a: &[u8], b: &[u8], prefix: &str, lines: bool) -> Explanation {
    let mut ex = Explanation::default();
    if a == b {
        return ex;
    }
    if lines {
        if let (Some(ca), Some(cb)) = (checksum_lines(a), checksum_lines(b)) {
            let mb: std::collections::HashMap<&str, &str> =
                cb.iter().map(|(p, h)| (p.as_str(), h.as_str())).collect();
            let ma: std::collections::HashMap<&str, &str> =
                ca.iter().map(|(p, h)| (p.as_str(), h.as_str())).collect();
            for (p, h) in &ca {
                match mb.get(p.as_str()) {
                    // Consequential or not depends on whether the file it
                    // names differs: settled over the whole report.
                    Some(hb) if hb != h => ex.changes.push(line_change(p, Some(h), Some(hb))),
                    Some(_) => {}
                    // A line for a file only one side has: consequential
                    // when that file is reported removed, added or renamed.
                    None => ex.changes.push(line_change(p, Some(h), None)),
                }
            }
            for (p, h) in &cb {
                if !ma.contains_key(p.as_str()) {
                    ex.changes.push(line_change(p, None, Some(h)));
                }
            }
            return ex;
        }
        let oa: Vec<&[u8]> = a.split(|&c| c == b'\n').collect();
        let ob: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
        // The empty piece after a final newline is not a line.
        let n = oa.len() - usize::from(oa.last().is_some_and(|l| l.is_empty()));
        // The same lines in another order: the same number of them first
        // (most differing texts are told by that, unsorted).
        let reordered = oa.len() == ob.len() && {
            let (mut la, mut lb) = (oa.clone(), ob.clone());
            la.sort_unstable();
            lb.sort_unstable();
            la == lb
        };
        if !reordered {
            if let Some(n) = reordered_records(a, b) {
                ex.changes.push(change(
                    &format!("{prefix}.order"),
                    &format!("{n} records"),
                    "the same records in another order",
                    Cause::Ordering,
                ));
                return ex;
            }
        } else {
            let (what, cause) = if collation_orders(&oa, &ob) {
                ("bytewise and locale collation orders", Cause::Locale)
            } else {
                ("the same lines in another order", Cause::Ordering)
            };
            ex.changes.push(change(
                &format!("{prefix}.order"),
                &format!("{n} lines"),
                what,
                cause,
            ));
            return ex;
        }
    }
    let ((ma, mut ta), (mb, mut tb)) = if lines {
        masked_pair(a, b)
    } else {
        (masked(a, false), masked(b, false))
    };
    ex.unexplained = ma != mb;
    if ex.unexplained && lines {
        if let Some((in_b, found)) = one_sided_dates(&ma, &ta, &mb, &tb) {
            let none = Value::text("(none)");
            let tokens = if in_b { &mut tb } else { &mut ta };
            let date = tokens
                .get(found[0])
                .map_or_else(|| none.clone(), Token::value);
            let (x, y) = if in_b { (none, date) } else { (date, none) };
            let mut c = Change::finding(
                format!("{prefix}.{}", Kind::Timestamp.field()),
                x,
                y,
                Cause::EmbeddedTimestamp,
            );
            c.more = found.len() as u64 - 1;
            ex.changes.push(c);
            ex.unexplained = false;
            // The dates only one side has are not paired with the other's
            // below: the tokens after them keep their places.
            // `found` is in increasing order, as the lines are.
            let mut k = 0;
            let mut next = found.iter().peekable();
            tokens.retain(|_| {
                let skip = next.peek() == Some(&&k);
                if skip {
                    next.next();
                }
                k += 1;
                !skip
            });
        }
    }
    // Report the first differing token of each kind, aligned by position
    // among the tokens of that kind, where the two correspond.
    let mut kinds: Vec<Kind> = ta.iter().chain(&tb).map(|t| t.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for k in kinds {
        let xa: Vec<&Token> = ta.iter().filter(|t| t.kind == k).collect();
        let xb: Vec<&Token> = tb.iter().filter(|t| t.kind == k).collect();
        let differing: Vec<(&&Token, &&Token)> = xa
            .iter()
            .zip(&xb)
            .filter(|(x, y)| x.text != y.text && corresponds(&ma, x, &mb, y))
            .collect();
        let Some((x, y)) = differing.first() else {
            continue;
        };
        let mut c = Change::finding(
            format!("{prefix}.{}", k.field()),
            x.value(),
            y.value(),
            k.cause(),
        );
        c.more = differing.len() as u64 - 1;
        ex.changes.push(c);
    }
    if ex.changes.is_empty() {
        ex.unexplained = true;
    }
    if lines {
        ex.masked = Some((ma, mb));
    }
    ex
}

/// Characters that may stand around a date one side writes and the other
/// leaves out: the quotes of a roff argument, the spaces and punctuation
/// of a sentence.
fn date_separator(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'"' | b'\'' | b',' | b';' | b':' | b'(' | b')' | b'[' | b']' | b'-'
    )
}

/// When every line two masked texts hold differently differs only by one
/// calendar date that one side writes and the other does not, with the
/// quotes, spaces and punctuation around it, always the same side
/// (Doxygen 1.9.4 dates a man page `.TH "hwloc_info_s" 3 "Tue May 13
/// 2025" "Version 2.12.0"`, 1.9.8 leaves the date out), and the other
/// tokens of those lines are the same text on both sides: which side
/// writes them (`true` for b) and the indices of those dates among that
/// side's tokens. The texts must have as many lines. A bare number read as
/// epoch seconds or a time of day alone is not taken for such a date (a
/// count or a duration may stand there).
fn one_sided_dates(ma: &[u8], ta: &[Token], mb: &[u8], tb: &[Token]) -> Option<(bool, Vec<usize>)> {
    let lines = |m: &[u8]| -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, &c) in m.iter().enumerate() {
            if c == b'\n' {
                out.push(start..i);
                start = i + 1;
            }
        }
        out.push(start..m.len());
        out
    };
    let (la, lb) = (lines(ma), lines(mb));
    if la.len() != lb.len() {
        return None;
    }
    // The tokens whose placeholders start inside `r`, by index (tokens are
    // in the order of their placeholders).
    let within = |tokens: &[Token], r: &Range<usize>| -> Range<usize> {
        tokens.partition_point(|t| t.at < r.start)..tokens.partition_point(|t| t.at < r.end)
    };
    // The one date token inside `middle` (a range of the masked bytes),
    // all else there separators: its index.
    let date_in = |m: &[u8], tokens: &[Token], middle: Range<usize>| -> Option<usize> {
        let inside = within(tokens, &middle);
        let k = inside.start;
        let t = tokens.get(k).filter(|_| inside.len() == 1)?;
        let calendar = t.kind == Kind::Timestamp
            && t.epoch.is_some()
            && !t.text.bytes().all(|c| c.is_ascii_digit());
        // A date's placeholder: NUL, its kind, NUL.
        let end = t.at + 3;
        let rest_ok = |r: Range<usize>| {
            m.get(r)
                .is_some_and(|s| s.iter().all(|&c| date_separator(c)))
        };
        (calendar && end <= middle.end && rest_ok(middle.start..t.at) && rest_ok(end..middle.end))
            .then_some(k)
    };
    let mut side = None;
    let mut found = Vec::new();
    for (ra, rb) in la.into_iter().zip(lb) {
        let (xa, xb) = (ma.get(ra.clone())?, mb.get(rb.clone())?);
        if xa == xb {
            continue;
        }
        let short = xa.len().min(xb.len());
        let p = xa.iter().zip(xb).take_while(|(x, y)| x == y).count();
        let s = xa
            .iter()
            .rev()
            .zip(xb.iter().rev())
            .take(short - p)
            .take_while(|(x, y)| x == y)
            .count();
        let (in_b, k) = if xa.len() == p + s {
            (true, date_in(mb, tb, rb.start + p..rb.end - s)?)
        } else if xb.len() == p + s {
            (false, date_in(ma, ta, ra.start + p..ra.end - s)?)
        } else {
            return None;
        };
        if *side.get_or_insert(in_b) != in_b {
            return None;
        }
        // The line's other tokens: the same texts, in order.
        let (wa, wb) = (within(ta, &ra), within(tb, &rb));
        fn others(
            w: Range<usize>,
            tokens: &[Token],
            skip: Option<usize>,
        ) -> impl Iterator<Item = &str> {
            w.filter(move |&i| Some(i) != skip)
                .filter_map(move |i| tokens.get(i).map(|t| t.text.as_str()))
        }
        let (ka, kb) = if in_b {
            (None, Some(k))
        } else {
            (Some(k), None)
        };
        if !others(wa, ta, ka).eq(others(wb, tb, kb)) {
            return None;
        }
        found.push(k);
    }
    Some((side?, found))
}

/// What is left of a text difference no rule explains, when it is one
/// string written for another throughout (a documentation tool's other
/// link base, a renamed directory), up to [`MAX_SUBSTITUTIONS`] of them,
/// dates and other masked tokens aside: a `{prefix}.substitution` change
/// for each (`content`: named, not explained). The last resort of the
/// text rules, so it never stands in for a cause another rule finds.
/// `masked`: both texts as [`explain`] masked them line by line, if it did.
pub fn substitution(
    a: &[u8],
    b: &[u8],
    prefix: &str,
    masked_by_line: Option<&(Vec<u8>, Vec<u8>)>,
) -> Option<Vec<Change>> {
    let owned;
    let (ma, mb) = match masked_by_line {
        Some((ma, mb)) => (ma, mb),
        None => {
            let ((ma, _), (mb, _)) = masked_pair(a, b);
            owned = (ma, mb);
            (&owned.0, &owned.1)
        }
    };
    let subs = substitutions(ma, mb)?;
    Some(
        subs.into_iter()
            .map(|(sa, sb, n)| {
                let mut c = change(
                    &format!("{prefix}.substitution"),
                    &shown_bytes(&sa),
                    &shown_bytes(&sb),
                    Cause::Content,
                );
                c.more = n.saturating_sub(1) as u64;
                c
            })
            .collect(),
    )
}

/// Substitutions tried, at most: more and the texts differ otherwise.
const MAX_SUBSTITUTIONS: usize = 3;
/// Bytes of a substitution shown, at most.
const SHOWN_SUBSTITUTION: usize = 160;

fn shown_bytes(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    match s.char_indices().nth(SHOWN_SUBSTITUTION) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.into_owned(),
    }
}

/// Whether `c` goes on a word as a path or URL continues it.
fn in_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"/:._-~+%#?&@".contains(&c)
}

/// Every occurrence of `from` in `t` (left to right, not overlapping)
/// replaced by `to`, and how many there were. Linear in `t`.
fn replace_all(t: &[u8], from: &[u8], to: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(t.len());
    let mut n = 0;
    let mut last = 0;
    for at in memchr::memmem::find_iter(t, from) {
        out.extend_from_slice(&t[last..at]);
        out.extend_from_slice(to);
        last = at + from.len();
        n += 1;
    }
    out.extend_from_slice(&t[last..]);
    (out, n)
}

/// The strings that, each written for another everywhere in `ma`, make it
/// `mb` (both masked): at the first place they differ, what each line
/// holds from the start of that word to where the lines agree again,
/// replaced throughout, then the next place, up to
/// [`MAX_SUBSTITUTIONS`]. `None` when that does not make them equal, when
/// a step does not move the first difference on, or when it is one edit in
/// one place (that is the diff itself, not a substitution). Masked tokens
/// are never part of one. (from, to, occurrences).
#[allow(clippy::type_complexity)]
fn substitutions(ma: &[u8], mb: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>, usize)>> {
    let mut a = ma.to_vec();
    let mut out = Vec::new();
    let mut after = 0;
    while a != mb {
        if out.len() == MAX_SUBSTITUTIONS {
            return None;
        }
        let p = a
            .iter()
            .zip(mb)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(mb.len()));
        if p < after {
            return None;
        }
        let start = a[..p]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        let end = |t: &[u8]| {
            t[p..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(t.len(), |i| p + i)
        };
        let (la, lb) = (&a[start..end(&a)], &mb[start..end(mb)]);
        let at = p - start;
        let same_end = la
            .iter()
            .rev()
            .zip(lb.iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
            .min(la.len() - at)
            .min(lb.len() - at);
        let mut w = at;
        while w > 0 && in_word(la[w - 1]) {
            w -= 1;
        }
        let (sa, sb) = (&la[w..la.len() - same_end], &lb[w..lb.len() - same_end]);
        if sa.is_empty() || sb.is_empty() || sa.contains(&0) || sb.contains(&0) {
            return None;
        }
        let (sa, sb) = (sa.to_vec(), sb.to_vec());
        let (next, n) = replace_all(&a, &sa, &sb);
        // Past what was just replaced, or the step explained nothing.
        after = start + w + sb.len();
        a = next;
        out.push((sa, sb, n));
    }
    let total: usize = out.iter().map(|s| s.2).sum();
    (total >= 2).then_some(out)
}

#[cfg(test)]
mod tests {

    /// Masking a pair reuses `a`'s lines in `b` and gives what masking
    /// each text alone gives: bytes, tokens, their places and lines.
    #[test]
    fn masking_a_pair_is_masking_each_text() {
        let pool: [&[u8]; 8] = [
            b"Built 2024-01-02T03:04:05Z on buildd-x86-01",
            b"plain words only",
            b"",
            b"id=3f2504e04f8941d39a0c0305e82c3301 /build/foo-Xy1/src",
            b"Linux host 6.1.0-13-amd64 #1 SMP LANG=en_US.UTF-8",
            b"Tue, 14 Nov 2023 22:13:20 +0000\r",
            b"plain words only",
            b".TH \"x\" 1 \"May 2025\"",
        ];
        // A small deterministic generator: texts of pool lines, some moved,
        // repeated, inserted, dropped, with and without a final newline.
        let mut seed = 0x9e37_79b9_u32;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as usize % n
        };
        for round in 0..300 {
            let text = |pick: &mut dyn FnMut(usize) -> usize| {
                let mut t = Vec::new();
                for _ in 0..pick(12) {
                    t.extend_from_slice(pool[pick(pool.len())]);
                    t.push(b'\n');
                }
                if pick(2) == 0 {
                    t.extend_from_slice(pool[pick(pool.len())]);
                }
                t
            };
            let a = text(&mut next);
            let b = if round % 3 == 0 {
                let mut b = a.clone();
                b.extend_from_slice(b"tail 1999-12-31\n");
                b
            } else {
                text(&mut next)
            };
            let (pa, pb) = masked_pair(&a, &b);
            assert_eq!(pa, mask(&a), "{a:?}");
            assert_eq!(pb, mask(&b), "{a:?} / {b:?}");
        }
    }

    use super::*;

    #[test]
    fn every_host_key_passes_the_quick_look() {
        for k in HOST_KEYS.iter().chain([&b"Linux ".as_slice()]) {
            let line = [k, b"buildd-1 6.1.0-13-amd64".as_slice()].concat();
            assert_eq!(
                hostname_at(&line, k.len()),
                Some(8),
                "{:?}",
                String::from_utf8_lossy(k)
            );
        }
    }

    #[test]
    fn masks_dates_ids_paths() {
        let (m, t) = mask(b"Build-Date: Tue, 14 Nov 2023 22:13:20 +0000 id=3f2504e04f8941d39a0c0305e82c3301 /build/foo-Xy1/src");
        assert_eq!(t.len(), 3, "{t:?}");
        assert_eq!(t[0].epoch, Some(1_700_000_000));
        assert_eq!(t[1].kind, Kind::RandomId);
        assert_eq!(t[2].text, "/build/foo-Xy1");
        assert!(m.ends_with(b"/src"));
        // A Debian source tree, however deep, up to its debian/ folder:
        // sbuild's and debusine's build directories (boost1.83's CMake files).
        let a =
            b"if(EXISTS \"/build/reproducible-path/boost1.83-1.83.0/debian/tmp/usr/lib/cmake\")\n";
        let b = b"if(EXISTS \"/build/package/package/debian/tmp/usr/lib/cmake\")\n";
        let ex = explain(a, b, "text", true);
        assert!(!ex.unexplained, "{:?}", ex.changes);
        assert_eq!(ex.changes[0].cause, Some(Cause::BuildPath));
        let (_, t) = mask(b"/build/pkg-1.0/debian/tmp");
        assert_eq!(t[0].text, "/build/pkg-1.0");
        let (_, t) = mask(b"Linux host 6.1.0-13-amd64 #1 SMP LANG=en_US.UTF-8");
        assert_eq!(
            t.iter().map(|t| t.kind).collect::<Vec<_>>(),
            vec![Kind::Hostname, Kind::Kernel, Kind::Kernel, Kind::Locale]
        );
        let (_, t) = mask(b"Built on host buildd-x86-01.\n");
        assert_eq!(t[0].text, "buildd-x86-01");
        let (_, t) = mask(b"HOSTNAME=builder-7 Build-Host: x86-grnet-01\n");
        let hosts: Vec<&str> = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(hosts, ["builder-7", "x86-grnet-01"]);
        assert!(t.iter().all(|t| t.kind == Kind::Hostname));
        // A name after no key is no host name.
        let (_, t) = mask(b"seen at buildd-x86-01, host=a\n");
        assert!(t.is_empty(), "{t:?}");
        let (_, t) = mask(b"Linux 6.1.0-18-686-pae\n");
        assert_eq!(t[0].text, "6.1.0-18-686-pae");
    }

    #[test]
    fn versions_are_not_dates() {
        let ex = explain(b"Version: 1.2.3\n", b"Version: 1.2.4\n", "text", true);
        assert!(ex.unexplained);
        assert!(ex.changes.is_empty());
    }

    #[test]
    fn reordered_lines_are_counted_without_the_final_newline() {
        let ex = explain(b"x\ny\nz\n", b"z\nx\ny\n", "text", true);
        assert_eq!(ex.changes.len(), 1);
        assert_eq!(ex.changes[0].field, "text.order");
        assert_eq!(ex.changes[0].a, Some(Value::text("3 lines")));
        let ex = explain(b"x\ny", b"y\nx", "text", true);
        assert_eq!(ex.changes[0].a, Some(Value::text("2 lines")));
        // A final newline on one side only is content, not order.
        let ex = explain(b"x\ny", b"y\nx\n", "text", true);
        assert!(ex.changes.iter().all(|c| c.field != "text.order"));
    }

    #[test]
    fn checksum_lists_name_their_files() {
        let a = b"c1ac5a13715f09aab1c2b416b0be748d  ./a\n0123456789abcdef0123456789abcdef  ./b\n";
        let b = b"c1ac5a13715f09aab1c2b416b0be748d  ./a\nffff456789abcdef0123456789abcdef  ./b\n";
        let ex = explain(a, b, "text", true);
        assert!(!ex.unexplained);
        assert_eq!(ex.changes.len(), 1);
        assert_eq!(ex.changes[0].field, "checksum../b");
    }

    fn causes(ex: &Explanation) -> Vec<(String, Option<Cause>)> {
        ex.changes
            .iter()
            .map(|c| (c.field.clone(), c.cause))
            .collect()
    }

    /// Only the shapes of a locale name: `C.` and one byte more in a binary
    /// is not a locale, whatever follows.
    #[test]
    fn a_locale_needs_a_locale_name() {
        let ex = explain(
            b"\x01\x02LANG C.\x00\x03",
            b"\x01\x02LANG C.9\x03",
            "binary",
            false,
        );
        assert!(ex.unexplained);
        assert!(causes(&ex).is_empty(), "{:?}", causes(&ex));
        let ex = explain(b"mode C.\n", b"mode C.9\n", "text", true);
        assert!(ex.unexplained && ex.changes.is_empty());
        // Unknown character sets and identifiers that look like ll_CC.
        for (a, b) in [
            (&b"LANG=en_US.FOO-1\n"[..], &b"LANG=fr_FR.FOO-1\n"[..]),
            (b"if is_OK(x)\n", b"if is_NO(x)\n"),
        ] {
            let ex = explain(a, b, "text", true);
            assert!(ex.unexplained && ex.changes.is_empty(), "{a:?}");
        }
        // Real names: with a known character set, POSIX, or a bare name
        // assigned to a locale variable.
        for (a, b) in [
            (
                &b"x \xff LC_ALL=C.UTF-8\x00"[..],
                &b"x \xff LC_ALL=de_DE.ISO-8859-15@euro\x00"[..],
            ),
            (b"LC_ALL=POSIX\x00", b"LC_ALL=C.utf8\x00"),
            (b"LANG=\"de_DE\"\x00", b"LANG=\"fr_FR\"\x00"),
        ] {
            let ex = explain(a, b, "binary", false);
            assert!(!ex.unexplained, "{a:?}");
            assert_eq!(causes(&ex), [("binary.locale".into(), Some(Cause::Locale))]);
        }
    }

    /// A random id is a UUID or a one-case hex run on both sides, of the
    /// same shape; a digit table is not one.
    #[test]
    fn a_random_id_needs_the_same_shape_on_both_sides() {
        let uuid = b"\x00\x00id=3f2504e0-4f89-41d3-9a0c-0305e82c3301\x00";
        let table = b"\x00\x00id=0123456789abcdef0123456789abcdef0123\x00";
        let ex = explain(uuid, table, "binary", false);
        assert!(ex.unexplained && ex.changes.is_empty(), "{:?}", causes(&ex));
        let hex = b"\x00\x00id=3f2504e04f8941d39a0c0305e82c3301ab12\x00";
        let ex = explain(uuid, hex, "binary", false);
        assert!(ex.unexplained && ex.changes.is_empty(), "{:?}", causes(&ex));
        // Digits only (a nanosecond count), or two cases (not hex output).
        for (a, b) in [
            (
                &b"n=17000000001234567890\n"[..],
                &b"n=17000000009876543210\n"[..],
            ),
            (b"k=3F2504e04f8941d39a0c\n", b"k=9A2504e04f8941d39a0c\n"),
        ] {
            let ex = explain(a, b, "text", true);
            assert!(ex.unexplained && ex.changes.is_empty(), "{a:?}");
        }
        let other = b"\x00\x00id=9c1185a5-c5e9-4c1b-8e1d-93a54a4e6a0f\x00";
        let ex = explain(uuid, other, "binary", false);
        assert!(!ex.unexplained);
        assert_eq!(
            causes(&ex),
            [("binary.random_id".into(), Some(Cause::RandomId))]
        );
    }

    /// A date out of the plausible range is not a date: the difference is
    /// content, not a timestamp moved by millennia.
    #[test]
    fn an_implausible_date_is_content() {
        for (a, b) in [
            (
                &b"\x7fELF\x01built Nov 14 2023 22:13:20\x00"[..],
                &b"\x7fELF\x01built Nov 14 0001 22:13:20\x00"[..],
            ),
            (b"\x00\x00v=2023-11-14\x00", b"\x00\x00v=0000-11-14\x00"),
            (b"\x00\x00v=2023-13-45\x00", b"\x00\x00v=2024-13-45\x00"),
            (b"\x00\x00t=1700000000\x00", b"\x00\x00t=0000000001\x00"),
        ] {
            let ex = explain(a, b, "binary", false);
            assert!(
                ex.unexplained && ex.changes.is_empty(),
                "{a:?}: {:?}",
                causes(&ex)
            );
        }
    }

    /// Binary masking copies the bytes between strings lazily: the same
    /// output and tokens as masking every run of bytes in turn, on bytes
    /// mixing binary, short and long strings, dates and ids, cut anywhere.
    #[test]
    fn binary_masking_copies_the_same_bytes_as_run_by_run() {
        fn run_by_run(b: &[u8]) -> (Vec<u8>, Vec<Token>) {
            let (mut out, mut tokens) = (Vec::new(), Vec::new());
            let mut rest = b;
            while !rest.is_empty() {
                let run = rest.iter().take_while(|&&c| printable(c)).count();
                let (s, tail) = rest.split_at(run);
                if run >= MIN_STRING {
                    mask_unit(s, &mut out, &mut tokens);
                } else {
                    out.extend_from_slice(s);
                }
                let other = tail.iter().take_while(|&&c| !printable(c)).count();
                let (o, tail) = tail.split_at(other);
                out.extend_from_slice(o);
                rest = tail;
            }
            (out, tokens)
        }
        let mut text: Vec<u8> = Vec::new();
        let mut x: u32 = 12345;
        for k in 0..400u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            match x >> 29 {
                0 => text.extend_from_slice(b"Nov 14 2023"),
                1 => text.extend_from_slice(b"\x00\x01\xff"),
                2 => text.extend_from_slice(b"ab"),
                3 => text.extend_from_slice(b"3f786850e387550fdab836ed7e6dc881"),
                4 => text.extend_from_slice(b"2023-11-14T22:13:20Z host "),
                5 => text.push((x >> 8) as u8),
                _ => text.extend_from_slice(format!("word{k} ").as_bytes()),
            }
        }
        // The bytes hold tokens to mask, of more than one kind.
        let (_, all) = mask_strings(&text);
        assert!(all.iter().any(|t| t.kind != all[0].kind), "{all:?}");
        for cut in (0..text.len()).step_by(7) {
            let t = text.get(cut..).unwrap_or_default();
            let (m, tk) = mask_strings(t);
            let (r, rk) = run_by_run(t);
            assert_eq!(m, r, "cut at {cut}");
            let shown = |v: &[Token]| v.iter().map(|t| (t.at, t.text.clone())).collect::<Vec<_>>();
            assert_eq!(shown(&tk), shown(&rk), "cut at {cut}");
        }
    }

    /// In a binary, tokens are found inside printable strings only: a date
    /// cut by a control byte or in a string shorter than `strings` reads is
    /// not one.
    #[test]
    fn binaries_are_masked_only_inside_printable_strings() {
        let (m, t) = mask_strings(b"\x00Nov 14 2023\x00\x01Nov\x0214 2023\x00");
        assert_eq!(t.len(), 1, "{t:?}");
        assert!(m.ends_with(b"\x01Nov\x0214 2023\x00"));
        let (_, t) = mask_strings(b"\x0020231114\x0022:13\x00");
        assert!(t.is_empty(), "{t:?}");
        let ex = explain(
            b"\x01C.UTF-8\x00",
            b"\x01POSIX\x00\x00\x00",
            "binary",
            false,
        );
        assert!(ex.unexplained);
    }

    /// Tokens explain a difference only at corresponding places: the same
    /// index among their kind, in lines or strings equal once masked.
    #[test]
    fn tokens_must_stand_at_corresponding_places() {
        // The dated line corresponds; the other line is content.
        let ex = explain(
            b"built 2023-11-14\nfoo\n",
            b"built 2023-11-15\nbar\n",
            "text",
            true,
        );
        assert!(ex.unexplained);
        assert_eq!(
            causes(&ex),
            [("text.timestamp".into(), Some(Cause::EmbeddedTimestamp))]
        );
        assert_eq!(
            ex.changes[0]
                .a
                .as_ref()
                .and_then(Value::as_time)
                .map(|t| t.secs),
            Some(1_699_920_000)
        );
        // A date on another line, or another string around it, is not.
        let ex = explain(
            b"built 2023-11-14\n",
            b"released 2023-11-15\n",
            "text",
            true,
        );
        assert!(ex.unexplained && ex.changes.is_empty(), "{:?}", causes(&ex));
        let ex = explain(
            b"\x00built Nov 14 2023\x00",
            b"\x00\x05\x00released Nov 15 2023\x00",
            "binary",
            false,
        );
        assert!(ex.unexplained && ex.changes.is_empty(), "{:?}", causes(&ex));
        // Dates in a binary's strings: equal once masked, explained.
        let ex = explain(
            b"\x00\x01built Nov 14 2023 22:13:20\x00at 1700000000\x00",
            b"\x00\x01built Nov 15 2023 22:13:20\x00at 1700086400\x00",
            "binary",
            false,
        );
        assert!(!ex.unexplained);
        assert_eq!(ex.changes[0].more, 1);
    }

    /// Doxygen 1.9.4 dates a man page, 1.9.8 does not (libhwloc-doc 2.12.0
    /// in trixie against its bookworm backport): a date one side writes
    /// and the other leaves out, with nothing else around it, is an
    /// embedded timestamp; anything more inserted is not.
    #[test]
    fn a_date_only_one_side_writes_is_a_timestamp() {
        let a = b".TH \"hwloc_info_s\" 3 \"Version 2.12.0\" \"hwloc\" \\\" -*- nroff -*-\n.ad l\n";
        let b = b".TH \"hwloc_info_s\" 3 \"Tue May 13 2025\" \"Version 2.12.0\" \"hwloc\" \\\" -*- nroff -*-\n.ad l\n";
        for (x, y, dated_b) in [(a.as_slice(), b.as_slice(), true), (b, a, false)] {
            let ex = explain(x, y, "text", true);
            assert!(!ex.unexplained, "{:?}", causes(&ex));
            assert_eq!(
                causes(&ex),
                [("text.timestamp".into(), Some(Cause::EmbeddedTimestamp))]
            );
            let c = &ex.changes[0];
            let (dated, none) = if dated_b { (&c.b, &c.a) } else { (&c.a, &c.b) };
            assert_eq!(
                dated.as_ref().and_then(Value::as_time).map(|t| t.secs),
                Some(1_747_094_400)
            );
            assert_eq!(none, &Some(Value::text("(none)")));
        }
        // A word beside the date, a second date, another line count: not.
        for y in [
            b"built\nTue May 13 2025 by me\n".as_slice(),
            b"built\nTue May 13 2025 Tue May 14 2025\n",
            b"built\n\nTue May 13 2025\n",
        ] {
            let ex = explain(b"built\n\n", y, "text", true);
            assert!(ex.unexplained, "{:?}", causes(&ex));
        }
        let ex = explain(b"built\n\n", b"built\n(2025-05-13)\n", "text", true);
        assert!(!ex.unexplained, "{:?}", causes(&ex));
        // A date moved to another line, a bare epoch or a time of day
        // inserted, another token on the line differing: not.
        for (x, y) in [
            (
                &b"1.0 (2024-01-01)\n0.9\n"[..],
                &b"1.0\n0.9 (2024-01-01)\n"[..],
            ),
            (b"count:\n", b"count: 1700000000\n"),
            (b"elapsed:\n", b"elapsed: 00:01:23\n"),
            (
                b"\"/build/abc/f\"\n",
                b"\"Tue May 13 2025\" \"/build/xyz/f\"\n",
            ),
        ] {
            let ex = explain(x, y, "text", true);
            assert!(ex.unexplained, "{:?}", causes(&ex));
        }
        // A date that changed on another line is still paired with its
        // counterpart, after the one only b writes.
        let ex = explain(
            b"x\nbuilt 2023-11-14\n",
            b"x 2025-05-13\nbuilt 2023-11-15\n",
            "text",
            true,
        );
        assert!(!ex.unexplained, "{:?}", causes(&ex));
        assert_eq!(ex.changes.len(), 2, "{:?}", causes(&ex));
        assert_eq!(
            ex.changes[1]
                .a
                .as_ref()
                .and_then(Value::as_time)
                .map(|t| t.secs),
            Some(1_699_920_000)
        );
        // Large inputs stay linear.
        let many_a = b"\n".repeat(200_000);
        let many_b = b"2025-05-13\n".repeat(200_000);
        let ex = explain(&many_a, &many_b, "text", true);
        assert!(!ex.unexplained);
        assert_eq!(ex.changes[0].more, 199_999);
    }

    /// The `.disk/info` of a live image names its build minute.
    #[test]
    fn live_build_disk_info_is_a_timestamp() {
        let ex = explain(
            b"Debian GNU/Linux 12 \"Bookworm\" - Official amd64 LIVE Binary 20231114-22:13\n",
            b"Debian GNU/Linux 12 \"Bookworm\" - Official amd64 LIVE Binary 20231115-09:41\n",
            "text",
            true,
        );
        assert!(!ex.unexplained);
        assert_eq!(
            causes(&ex),
            [("text.timestamp".into(), Some(Cause::EmbeddedTimestamp))]
        );
    }

    /// deb822-like records in another order, with a final blank line on one
    /// side only: the order differs, nothing else.
    #[test]
    fn reordered_records_are_ordering() {
        let a = b"Name: a/x\nOwners: a\n\nName: b/y\nOwners: b\n\nName: c/z\nOwners: c\n\n";
        let b = b"Name: c/z\nOwners: c\n\nName: a/x\nOwners: a\n\nName: b/y\nOwners: b\n";
        let ex = explain(a, b, "text", true);
        assert!(!ex.unexplained);
        assert_eq!(causes(&ex), [("text.order".into(), Some(Cause::Ordering))]);
        assert_eq!(ex.changes[0].a, Some(Value::text("3 records")));
        // The same records in the same order: the blank line is content.
        let b = b"Name: a/x\nOwners: a\n\nName: b/y\nOwners: b\n\nName: c/z\nOwners: c\n";
        let ex = explain(a, b, "text", true);
        assert!(ex.unexplained && ex.changes.is_empty());
        // A record that changed is not an order.
        let b = b"Name: c/z\nOwners: c\n\nName: a/x\nOwners: a, d\n\nName: b/y\nOwners: b\n";
        let ex = explain(a, b, "text", true);
        assert!(ex.changes.iter().all(|c| c.field != "text.order"));
    }

    /// javadoc of two JDK builds (libhtmlparser-java-doc in trixie and its
    /// bookworm backport): every link to the JDK's API under another base.
    const JAVADOC_A: &[u8] = b"<meta name=\"dc.created\" content=\"2023-07-17\">\n<a href=\"https://download.java.net/java/early_access/jdk17/docs/api/java.base/java/lang/Object.html\">Object</a>\n<p>text</p>\n<code><a href=\"https://download.java.net/java/early_access/jdk17/docs/api/java.base/java/lang/String.html\">String</a> <a href=\"https://download.java.net/java/early_access/jdk17/docs/api/java.base/java/io/File.html\">File</a></code>\n";
    const JAVADOC_B: &[u8] = b"<meta name=\"dc.created\" content=\"2023-08-31\">\n<a href=\"https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/lang/Object.html\">Object</a>\n<p>text</p>\n<code><a href=\"https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/lang/String.html\">String</a> <a href=\"https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/io/File.html\">File</a></code>\n";

    #[test]
    fn one_string_written_for_another_throughout_is_named() {
        let ex = explain(JAVADOC_A, JAVADOC_B, "text", true);
        assert!(ex.unexplained, "{:?}", ex.changes);
        assert!(ex.changes.iter().any(|c| c.field == "text.timestamp"));
        let subs = substitution(JAVADOC_A, JAVADOC_B, "text", None).expect("a substitution");
        // From the texts explain masked, the same: no second masking.
        let masked = ex
            .masked
            .as_ref()
            .expect("explain masked both texts by line");
        assert_eq!(
            format!(
                "{:?}",
                substitution(JAVADOC_A, JAVADOC_B, "text", Some(masked))
            ),
            format!("{:?}", Some(&subs))
        );
        assert_eq!(subs.len(), 1, "{subs:?}");
        let s = &subs[0];
        assert_eq!(s.field, "text.substitution");
        assert_eq!(
            Change::shown(&s.a).as_deref(),
            Some("https://download.java.net/java/early_access/jdk")
        );
        assert_eq!(
            Change::shown(&s.b).as_deref(),
            Some("https://docs.oracle.com/en/java/javase/")
        );
        assert_eq!(s.more, 2, "three links");
        // Named, not explained, by this rule: that javadoc moves the base
        // with the JDK's release state is `javadoc::platform_docs`'s to say,
        // and it is tried first.
        assert_eq!(s.cause, Some(Cause::Content));
    }

    #[test]
    fn one_edit_or_edits_no_substitution_covers_stay_unexplained() {
        // One edit in one place is the diff itself.
        assert!(substitution(b"a b c\nd e f\n", b"a x c\nd e f\n", "text", None).is_none());
        // The substitution, and an edit it does not cover, and more.
        let b = [JAVADOC_B, b"one\ntwo three\nfour five\nsix seven\n"].concat();
        let a = [JAVADOC_A, b"uno\ntwo tres\nfour cinco\nsix siete\n"].concat();
        assert!(substitution(&a, &b, "text", None).is_none());
        // A line one side has and the other not is no substitution.
        assert!(substitution(b"x y\nz\n", b"x y\nz\nw\n", "text", None).is_none());
        // Hostile shapes end: long runs of one byte.
        let a = vec![b'a'; 100_000];
        let mut b = a.clone();
        b[50_000] = b'b';
        assert!(substitution(&a, &b, "text", None).is_none());
    }
}
