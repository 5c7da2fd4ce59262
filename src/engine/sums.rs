//! Checksum lists of a release folder (`SHA256SUMS`, `SHA512SUMS`,
//! `*.sha256`, `*.sha512`, `*.shasum`) read as verdicts on the artifacts
//! they name: does each side's file match its own list, and the other
//! side's?
//!
//! Engine stage (formats → **engine** → diagnosis → report): runs on the
//! walked folders before any artifact is opened, and records one change
//! `checksums.<artifact>` (role `checksum`, the artifact as its subject) on
//! the report's root for every listed artifact some check fails for;
//! diagnosis calls it consequential when the artifact itself differs.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use reprodiff_formats::{Role, Value};
use sha2::{Digest, Sha512};

use super::folder::{hex, Item, Tree};
use super::Ctx;
use crate::report::{Change, Node};

/// Lists larger than this are not read as lists.
const MAX_LIST: u64 = 1 << 20;

/// The first byte of the first line of `t` that is not blank, where that
/// can be told without decoding the text: the lines before it only ASCII
/// whitespace (as `str::trim` counts it, vertical tab included), and an
/// ASCII byte other than whitespace in it. `None` when there is no such
/// line or a line before it might be blank in Unicode's sense. What
/// readers of whole texts whose first line has a fixed shape (a checksum
/// list, a Debian changelog) look at before decoding the whole as UTF-8.
pub fn first_line_start(t: &[u8]) -> Option<u8> {
    let space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
    for line in t.split(|&c| c == b'\n') {
        if line.iter().all(space) {
            continue;
        }
        if line.iter().any(|c| c.is_ascii() && !space(c)) {
            return line.first().copied();
        }
        return None;
    }
    None
}

/// Lines `<hex digest>  <path>` or `<hex digest> *<path>` (md5sum,
/// sha256sum, SHA256SUMS): path → digest, or `None` when a line is not one.
pub fn lines(t: &[u8]) -> Option<Vec<(String, String)>> {
    // Most texts are turned away by their first byte, undecoded.
    if first_line_start(t).is_some_and(|c| !c.is_ascii_hexdigit()) {
        return None;
    }
    decoded_lines(t)
}

/// [`lines`] without the look at the first byte.
fn decoded_lines(t: &[u8]) -> Option<Vec<(String, String)>> {
    let s = std::str::from_utf8(t).ok()?;
    let mut out = Vec::new();
    for line in s.lines().filter(|l| !l.trim().is_empty()) {
        let (hex, rest) = line.split_once(' ')?;
        if !(32..=128).contains(&hex.len()) || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
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

/// Whether a file's name says it is a SHA-256 or SHA-512 list.
fn is_list(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    matches!(
        name.as_str(),
        "sha256sums" | "sha512sums" | "sha256sum.txt" | "sha512sum.txt"
    ) || [".sha256", ".sha512", ".shasum"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// What one side's lists expect: artifact (relative path) → (list, digest
/// in lowercase hex). The first list naming an artifact wins.
type Expected = BTreeMap<String, (String, String)>;

fn expected(root: &Path, t: &Tree) -> Expected {
    let mut out = Expected::new();
    for (path, item) in &t.items {
        let Item::File { size, .. } = item else {
            continue;
        };
        if !is_list(path) || *size > MAX_LIST {
            continue;
        }
        let Ok(mut f) = super::folder::open_regular(&root.join(path)) else {
            continue;
        };
        let mut text = Vec::new();
        if (&mut f).take(MAX_LIST).read_to_end(&mut text).is_err() {
            continue;
        }
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let named = lines(&text).or_else(|| {
            // `tails.img.sha256` holding the digest alone names its file.
            let hex = std::str::from_utf8(&text).ok()?.trim();
            let own = path.rsplit_once('.').map(|(stem, _)| stem)?;
            let own = own.rsplit('/').next().unwrap_or(own);
            let ok = matches!(hex.len(), 64 | 128) && hex.bytes().all(|c| c.is_ascii_hexdigit());
            ok.then(|| vec![(own.to_string(), hex.to_string())])
        });
        for (name, digest) in named.unwrap_or_default() {
            let name = name.trim_start_matches("./");
            let artifact = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            out.entry(artifact)
                .or_insert_with(|| (path.clone(), digest.to_ascii_lowercase()));
        }
    }
    out
}

/// The digest of one side's artifact of the length `like` has (SHA-256 from
/// the walk, SHA-512 read now), or `None` when it is not a readable file.
fn actual(root: &Path, t: &Tree, artifact: &str, like: &str) -> Option<String> {
    let Some(Item::File { sha256, .. }) = t.items.get(artifact) else {
        return None;
    };
    if like.len() == 64 {
        return Some(hex(sha256));
    }
    let f = super::folder::open_regular(&root.join(artifact)).ok()?;
    let blob = reprodiff_formats::Blob::from_file(&f).ok()?;
    Some(hex(&Sha512::digest(blob.bytes())))
}

/// One side's file (its digest `have`) against one side's list, in words.
fn against(have: &Option<String>, side: &str, listed: Option<&(String, String)>) -> String {
    match (listed, have) {
        (None, _) => format!("not in {side}'s lists"),
        (Some((list, _)), None) => format!("absent, named by {side}'s {list}"),
        (Some((list, want)), Some(h)) if h == want => format!("matches {side}'s {list}"),
        (Some((list, _)), Some(_)) => format!("does not match {side}'s {list}"),
    }
}

/// Adds a `checksums.<artifact>` change to `root` for every artifact named
/// by a list on either side that does not match every list on both sides.
pub(super) fn verdicts(ctx: &Ctx, root: &mut Node, (a, b): ((&Path, &Tree), (&Path, &Tree))) {
    let (ea, eb) = (expected(a.0, a.1), expected(b.0, b.1));
    let named: std::collections::BTreeSet<&String> = ea.keys().chain(eb.keys()).collect();
    for artifact in named {
        let field = format!("checksums.{artifact}");
        if ctx.ignored(&field) {
            continue;
        }
        let (la, lb) = (ea.get(artifact), eb.get(artifact));
        let like = la.or(lb).map(|l| l.1.as_str()).unwrap_or_default();
        // Each side's file hashed the way each list hashes it.
        let digest = |side: (&Path, &Tree), list: Option<&(String, String)>| {
            actual(
                side.0,
                side.1,
                artifact,
                list.map_or(like, |l| l.1.as_str()),
            )
        };
        // One side's file against a's list then b's: all matched, in words.
        let check = |side: (&Path, &Tree)| {
            let (da, db) = (digest(side, la), digest(side, lb));
            let ok = |d: &Option<String>, l: Option<&(String, String)>| {
                l.is_some_and(|l| d.as_deref() == Some(l.1.as_str()))
            };
            let text = format!("{}; {}", against(&da, "a", la), against(&db, "b", lb));
            (ok(&da, la) && ok(&db, lb), text)
        };
        let ((ok_a, va), (ok_b, vb)) = (check(a), check(b));
        if ok_a && ok_b {
            continue;
        }
        let mut c = Change::new(
            field,
            Role::Checksum,
            Some(Value::Text(va)),
            Some(Value::Text(vb)),
        );
        c.subject = Some(artifact.clone());
        root.changes.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts whose first lines are blank or not in the ways `str::trim`
    /// and the byte look could disagree on.
    const TEXTS: [&[u8]; 12] = [
        b"",
        b"\n\n",
        b"\n  \n3f786850e387550fdab836ed7e6dc881de23001b  a\n",
        b"\x0b\n3f786850e387550fdab836ed7e6dc881de23001b  a\n",
        b"\x0b\nsource (1.0-1) unstable; urgency=medium\n",
        b"  3f786850e387550fdab836ed7e6dc881de23001b  a\n",
        b"\t\r\n3f786850e387550fdab836ed7e6dc881de23001b *a\n",
        "\u{a0}\n3f786850e387550fdab836ed7e6dc881de23001b  a\n".as_bytes(),
        "\u{2003}\u{85}\nsource (1.0-1) unstable; urgency=low\n".as_bytes(),
        "é3f786850e387550fdab836ed7e6dc881de23001b  a\n".as_bytes(),
        b"# comment\n3f786850e387550fdab836ed7e6dc881de23001b  a\n",
        b"\xff\xfe\n",
    ];

    #[test]
    fn the_first_byte_is_told_only_where_trim_agrees() {
        let firsts: Vec<Option<u8>> = TEXTS.iter().map(|t| first_line_start(t)).collect();
        assert_eq!(
            firsts,
            [
                None,
                None,
                Some(b'3'),
                Some(b'3'),
                Some(b's'),
                Some(b' '),
                Some(b'3'),
                None,
                None,
                Some(0xc3),
                Some(b'#'),
                None,
            ]
        );
    }

    #[test]
    fn turning_a_text_away_by_its_first_byte_changes_no_answer() {
        for t in TEXTS {
            assert_eq!(
                lines(t),
                decoded_lines(t),
                "{:?}",
                String::from_utf8_lossy(t)
            );
        }
        // The texts it reads as lists are read so still.
        assert!(lines(TEXTS[2]).is_some());
        assert!(lines(TEXTS[3]).is_some());
        assert!(lines(TEXTS[6]).is_some());
        assert!(lines(TEXTS[7]).is_some());
    }
}
