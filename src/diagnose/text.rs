//! Explaining a content difference by what changed inside it: dates and
//! epochs, random identifiers, build directories, kernel releases and
//! locales are masked on both sides; if the masked texts are equal, the
//! masked kinds are the causes. Also recognises reordered lines (a list
//! sorted bytewise on one side and by a locale's collation on the other is
//! `locale`) and checksum lists (`<hex>  <path>`).
//!
//! Diagnosis stage (engine → report): works on raw bytes, so the same masks
//! explain strings inside binaries (an ELF `.rodata`) as well as text files.

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
}

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

/// UUIDs (8-4-4-4-12) and hex runs of 16 or more characters with a digit.
fn random_id_at(b: &[u8], i: usize) -> Option<usize> {
    let mut n = 0;
    while b.get(i + n).copied().is_some_and(is_hex) {
        n += 1;
    }
    if n == 8 {
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
        return boundary(b, p).then_some(p - i);
    }
    let run = b.get(i..i + n)?;
    (n >= 16 && boundary(b, i + n) && run.iter().any(u8::is_ascii_digit)).then_some(n)
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
    let mut end = i + root.len();
    let start = end;
    while b.get(end).is_some_and(|&c| {
        c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'+' | b'~')
    }) {
        end += 1;
    }
    (end > start).then_some(end - i)
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
    if HOST_KEYS.iter().any(|k| before.ends_with(k)) {
        return Some(end - i);
    }
    let uname =
        before.ends_with(b"Linux ") && b.get(end) == Some(&b' ') && kernel_at(b, end + 1).is_some();
    uname.then_some(end - i)
}

/// `en_US.UTF-8`, `de_DE@euro`, `C.UTF-8`.
fn locale_at(b: &[u8], i: usize) -> Option<usize> {
    let lower = |k: usize| b.get(i + k).is_some_and(u8::is_ascii_lowercase);
    let upper = |k: usize| b.get(i + k).is_some_and(u8::is_ascii_uppercase);
    let mut end = if lower(0) && lower(1) && b.get(i + 2) == Some(&b'_') && upper(3) && upper(4) {
        i + 5
    } else if b.get(i..i + 2) == Some(b"C.") {
        i + 1
    } else {
        return None;
    };
    if b.get(end) == Some(&b'.') {
        end += 1;
        while b
            .get(end)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'-')
        {
            end += 1;
        }
    }
    if b.get(end) == Some(&b'@') {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_alphanumeric) {
            end += 1;
        }
    }
    (end > i + 1 && boundary(b, end)).then_some(end - i)
}

/// Replaces every recognised token by a placeholder naming its kind.
pub fn mask(b: &[u8]) -> (Vec<u8>, Vec<Token>) {
    let mut out = Vec::with_capacity(b.len());
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let mut hit: Option<(Kind, usize, Option<i64>)> = None;
        if b[i] == b'/' {
            if let Some(n) = build_path_at(b, i) {
                hit = Some((Kind::BuildPath, n, None));
            }
        } else if b[i] == b'#' {
            if let Some(n) = kernel_build_at(b, i) {
                hit = Some((Kind::Kernel, n, None));
            }
        } else if word_start(b, i) && b[i].is_ascii_alphanumeric() {
            if let Some(n) = kernel_at(b, i) {
                hit = Some((Kind::Kernel, n, None));
            } else if let Some(n) = hostname_at(b, i) {
                hit = Some((Kind::Hostname, n, None));
            } else if let Some((n, t)) = time::match_at(b, i) {
                hit = Some((Kind::Timestamp, n, t));
            } else if let Some(n) = random_id_at(b, i) {
                hit = Some((Kind::RandomId, n, None));
            } else if let Some(n) = locale_at(b, i) {
                hit = Some((Kind::Locale, n, None));
            }
        }
        match hit {
            Some((kind, n, epoch)) if n > 0 => {
                let text =
                    String::from_utf8_lossy(b.get(i..i + n).unwrap_or_default()).into_owned();
                out.extend_from_slice(b"\x00");
                out.push(kind as u8);
                tokens.push(Token { kind, text, epoch });
                i += n;
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    (out, tokens)
}

/// The explanation of one content difference: changes with their causes;
/// `unexplained` when masking did not make the two sides equal.
#[derive(Debug, Default)]
pub struct Explanation {
    pub changes: Vec<Change>,
    pub unexplained: bool,
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

/// Lines `<hex digest>  <path>` (md5sum, sha256sum, SHA256SUMS): path → digest.
pub fn checksum_lines(t: &[u8]) -> Option<Vec<(String, String)>> {
    let s = std::str::from_utf8(t).ok()?;
    let mut out = Vec::new();
    for line in s.lines().filter(|l| !l.trim().is_empty()) {
        let (hex, rest) = line.split_once(' ')?;
        if !(32..=128).contains(&hex.len()) || !hex.bytes().all(is_hex) {
            return None;
        }
        let path = rest.trim_start_matches([' ', '*']);
        if path.is_empty() {
            return None;
        }
        out.push((path.to_string(), hex.to_string()));
    }
    (!out.is_empty()).then_some(out)
}

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

/// Explains the difference of two byte strings (`prefix` names the changes:
/// `text` for whole files, `elf.section.<name>` inside binaries).
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
                    Some(hb) if hb != h => {
                        // Consequential or not depends on whether the file
                        // it names differs: settled over the whole report.
                        let mut c = Change::new(
                            format!("checksum.{p}"),
                            Role::Checksum,
                            Some(Value::text(h.as_str())),
                            Some(Value::text(*hb)),
                        );
                        c.subject = Some(p.clone());
                        ex.changes.push(c);
                    }
                    Some(_) => {}
                    None => ex.unexplained = true,
                }
            }
            ex.unexplained |= cb.iter().any(|(p, _)| !ma.contains_key(p.as_str()));
            return ex;
        }
        let oa: Vec<&[u8]> = a.split(|&c| c == b'\n').collect();
        let ob: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
        // The empty piece after a final newline is not a line.
        let n = oa.len() - usize::from(oa.last().is_some_and(|l| l.is_empty()));
        let (mut la, mut lb) = (oa.clone(), ob.clone());
        la.sort_unstable();
        lb.sort_unstable();
        if la == lb {
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
    let (ma, ta) = mask(a);
    let (mb, tb) = mask(b);
    ex.unexplained = ma != mb;
    // Report the first differing token of each kind, aligned by position
    // among the tokens of that kind.
    let mut kinds: Vec<Kind> = ta.iter().chain(&tb).map(|t| t.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for k in kinds {
        let xa: Vec<&Token> = ta.iter().filter(|t| t.kind == k).collect();
        let xb: Vec<&Token> = tb.iter().filter(|t| t.kind == k).collect();
        let differing: Vec<(&&Token, &&Token)> = xa
            .iter()
            .zip(&xb)
            .filter(|(x, y)| x.text != y.text)
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
    ex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_dates_ids_paths() {
        let (m, t) = mask(b"Build-Date: Tue, 14 Nov 2023 22:13:20 +0000 id=3f2504e04f8941d39a0c0305e82c3301 /build/foo-Xy1/src");
        assert_eq!(t.len(), 3, "{t:?}");
        assert_eq!(t[0].epoch, Some(1_700_000_000));
        assert_eq!(t[1].kind, Kind::RandomId);
        assert_eq!(t[2].text, "/build/foo-Xy1");
        assert!(m.ends_with(b"/src"));
        let (_, t) = mask(b"Linux host 6.1.0-13-amd64 #1 SMP LANG=en_US.UTF-8");
        assert_eq!(
            t.iter().map(|t| t.kind).collect::<Vec<_>>(),
            vec![Kind::Hostname, Kind::Kernel, Kind::Kernel, Kind::Locale]
        );
        let (_, t) = mask(b"Built on host buildd-x86-01.\n");
        assert_eq!(t[0].text, "buildd-x86-01");
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
}
