//! Diagnosis: says WHY two builds differ. Every differing node of the report
//! gets causes from a fixed vocabulary ([`Cause`]: `mtime`,
//! `embedded-timestamp`, `ordering`…, see `report/SCHEMA.md`), each field
//! change its own cause, and nodes with one cause and one shape collapse
//! into the report's `groups` ("mtime differs by +1d: 4,812 nodes").
//!
//! Flow: bytes → formats → engine → **diagnosis** → report → presenters.
//! The engine calls [`classify_leaf`] with what it made of a differing leaf
//! (paired ELF sections, paired PE parts, a package set, PNGs, or plain
//! bytes) while both sides' bytes are at hand, then [`diagnose`] once on
//! the finished report. Every decision reads a change's role (stated by
//! the reader that decoded the field, or by the engine), its typed values
//! and the fields it follows; none reads a field's name or parses a
//! displayed value.

pub mod beam;
pub mod catalog;
pub mod changelog;
pub mod deb822;
pub mod elf;
pub mod generator;
pub mod groups;
pub mod html;
pub mod inputs;
pub mod javadoc;
pub mod payload;
pub mod pe;
pub mod png;
pub mod python;
pub mod rebuild;
pub mod roff;
pub mod structured;
pub mod text;
pub mod time;

use std::collections::{BTreeMap, HashMap, HashSet};

pub use crate::engine::Leaf;
pub use crate::report::Cause;
use crate::report::{Address, Change, Diff, LineTag, Node, Report, Role, Status, Value};

/// Leaves larger than this are not scanned (the masks are linear, but a
/// multi-gigabyte leaf is better left to its hash diff).
const MAX_CLASSIFY_BYTES: usize = 64 << 20;

/// Binary ranges kept when ELF sections already explain the difference.
const EXPLAINED_RANGES: usize = 4;

/// The diagnosis stage as the engine calls it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Diagnosis;

impl crate::engine::Explain for Diagnosis {
    fn leaf(&self, name: &str, leaf: &Leaf, a: &[u8], b: &[u8], node: &mut Node) {
        classify_leaf(name, leaf, a, b, node);
    }

    fn report(&self, report: &mut Report) {
        diagnose(report);
    }
}

/// Changes found in content rather than read from a header: they explain
/// the node's `diff`, so the node is not also `content` for it.
fn explains_content(c: &Change) -> bool {
    matches!(
        c.role,
        Role::Finding | Role::Checksum | Role::Installed | Role::Input
    )
}

/// A substitution left `content` only names what changed (`django>=3.2`
/// written `django (>=3.2)`, `3.13` → `3.11`): it does not explain it, and
/// a rule that does may take it over.
pub(super) fn only_names(c: &Change) -> bool {
    c.field.ends_with(".substitution") && c.cause == Some(Cause::Content)
}

/// [`explains_content`], leaving out what [`only_names`].
pub(super) fn explains_beyond_naming(c: &Change) -> bool {
    explains_content(c) && !only_names(c)
}

/// Explains one differing leaf (`name`: its path, or at the top the
/// compared file's name): appends changes with causes to
/// `node.changes` (`text.timestamp`, `elf.section.<name>`, `pe.timestamp`,
/// `checksum.<path>`, `dpkg.<package>`…) and trims binary ranges the
/// changes already explain. Causes of the node are settled by [`diagnose`].
pub fn classify_leaf(name: &str, leaf: &Leaf, a: &[u8], b: &[u8], node: &mut Node) {
    if a == b {
        return;
    }
    if let Leaf::Packages(changes) = leaf {
        node.changes.extend(changes.iter().cloned());
        return;
    }
    // Structured leaves are read section by section, whatever their size
    // (a 98 MB librustc_driver); the text masks stop at the bound.
    let structured_leaf = matches!(leaf, Leaf::Elf(_) | Leaf::Pe(_) | Leaf::Beam(_));
    if a.len().max(b.len()) > MAX_CLASSIFY_BYTES && !structured_leaf {
        return;
    }
    // A PNG that gives no claim (damaged, not decodable) falls through to
    // its bytes.
    if let Leaf::Png(p) = leaf {
        if let Some(changes) = png::classify(p) {
            node.changes.extend(changes);
            return;
        }
    }
    // Structured leaves: their readers' findings, the ranges cut to a few
    // when those explain everything.
    let structured = match leaf {
        Leaf::Beam(p) => Some(beam::classify(p)),
        Leaf::Pe(p) => Some(pe::classify(p)),
        Leaf::Elf(p) => Some(elf::classify(p)),
        _ => None,
    };
    if let Some(changes) = structured {
        let explained =
            !changes.is_empty() && changes.iter().all(|c| c.cause != Some(Cause::Content));
        node.changes.extend(changes);
        if explained {
            keep_few_ranges(node);
        }
        return;
    }
    let is_text = matches!(node.diff, Some(Diff::Text { .. }));
    let prefix = if is_text { "text" } else { "binary" };
    let stanza = if is_text {
        changelog::explain(a, b)
            .or_else(|| deb822::explain(a, b))
            .or_else(|| {
                let file = name.rsplit(['/', ':']).next().unwrap_or(name);
                (file == "shlibs").then(|| deb822::shlibs(a, b)).flatten()
            })
    } else {
        None
    };
    // A document another version of its generator wrote: the ids it
    // computes (Doxygen's hashed anchors) and the rest of its differences
    // follow from that.
    // A changelog or control stanza is explained by its own reader, entry
    // by entry: its prose (`Regenerated with …`) names no generator of the
    // file, and a long changelog is not scanned for one.
    let generators = if stanza.is_some() {
        Vec::new()
    } else if is_text {
        generator::changes(a, b)
    } else {
        generator::compilers(a, b)
    };
    // Build inputs compared as package sets, then JSON, YAML and deb822
    // documents compared as data, key by key.
    if is_text && stanza.is_none() && generators.is_empty() {
        if let Some(changes) =
            inputs::explain(name, a, b).or_else(|| structured::explain(name, a, b))
        {
            node.changes.extend(changes);
            return;
        }
    }
    let mut ex = stanza.unwrap_or_else(|| text::explain(a, b, prefix, is_text));
    // What the rest follows: the generator, or the documented version.
    let source: Vec<String> = generators
        .first()
        .map(|c| c.field.clone())
        .into_iter()
        .collect();
    // A man page documenting another release carries that release's
    // date on its title and DocBook date lines, not the build's.
    let documents = generators.iter().any(|c| c.field == generator::DOCUMENTS);
    let page_date = |c: &Change| {
        let on = |t: &[u8], v: &Option<Value>| {
            Change::shown(v).is_some_and(|d| roff::on_page_date_line(t, &d))
        };
        documents && c.cause == Some(Cause::EmbeddedTimestamp) && on(a, &c.a) && on(b, &c.b)
    };
    if !generators.is_empty() {
        for c in &mut ex.changes {
            if page_date(c) {
                c.cause = Some(Cause::Consequential);
                c.follows = vec![generator::DOCUMENTS.to_string()];
            } else if c.cause == Some(Cause::RandomId) {
                c.cause = Some(Cause::Consequential);
                c.follows = source.clone();
            }
        }
    }
    let any = !ex.changes.is_empty();
    let masked = ex.masked.take();
    let masked_findings = node.changes.len()..node.changes.len() + ex.changes.len();
    node.changes.extend(ex.changes);
    if !generators.is_empty() && !ex.unexplained {
        node.changes.extend(generators);
        return;
    }
    if !generators.is_empty() {
        node.changes.extend(generators);
        let mut rest = Change::finding(
            format!("{prefix}.other"),
            Value::text("other differences"),
            Value::text("follow the generator's or documented program's version"),
            Cause::Consequential,
        );
        rest.follows = source;
        node.changes.push(rest);
        return;
    }
    // A file that embeds the package's version, the rebuild's suffix on
    // it; javadoc pages whose platform links follow the JDK's release
    // state: before the markup rules, which would call either other words.
    if ex.unexplained && is_text {
        if let Some(c) = masked.as_ref().and_then(|(ma, mb)| {
            rebuild::explain(ma, mb).or_else(|| javadoc::platform_docs(ma, mb))
        }) {
            node.changes.push(c);
            return;
        }
    }
    // A script whose interpreter line alone is written otherwise: named,
    // and following the package's toolchain when that changed.
    if ex.unexplained && is_text {
        if let Some(c) = shebang_spacing(a, b) {
            node.changes.push(c);
            return;
        }
    }
    // Language tags written in another syntax, the same languages:
    // likewise.
    if ex.unexplained && is_text {
        if let Some(c) = language_tags(a, b) {
            node.changes.push(c);
            return;
        }
    }
    // Maintainer scripts differing only inside the snippets debhelper
    // tools added: those tools' text, named; following the package's
    // toolchain when that changed.
    if ex.unexplained && is_text {
        if let Some(t) = generator::snippets(a, b) {
            node.changes.push(Change::finding(
                generator::SNIPPETS,
                Value::text(t),
                Value::text("other text from the same tools"),
                Cause::Content,
            ));
            return;
        }
    }
    // A file one generator's template wrote on both sides: named, and
    // following the package's toolchain when that changed. A page in
    // other markup with the same words is said to be that instead (more
    // than the template's name says); the template is named when the
    // words differ too, which the markup rules leave unexplained (the
    // words of qdoc's own footer; doxygen 1.9.4 writing a man page's
    // brief description on a line of its own).
    if ex.unexplained && is_text {
        let template = generator::template(a)
            .filter(|t| generator::template(b) == Some(t))
            .map(String::from)
            .or_else(|| {
                generator::unversioned_writer(a)
                    .filter(|w| generator::unversioned_writer(b).as_ref() == Some(w))
            });
        let markup = roff::explain(a, b).or_else(|| html::explain(a, b));
        let words = markup
            .as_ref()
            .is_none_or(|c| c.iter().any(|x| x.field != roff::FIELD));
        if let Some(t) = template.filter(|_| words) {
            node.changes.push(Change::finding(
                generator::TEMPLATE,
                Value::text(t),
                Value::text("other text from the same template"),
                Cause::Content,
            ));
            return;
        }
        // A man page written with other markup, the same words: named as
        // such, still unexplained unless the package's toolchain changed.
        if let Some(c) = markup {
            node.changes.extend(c);
            return;
        }
    }
    // A gettext catalog re-encoded in another charset: its encoding.
    if ex.unexplained && !is_text {
        if let Some(c) = catalog::explain(a, b) {
            // Tokens of the other encoding's bytes are not why.
            node.changes.drain(masked_findings.clone());
            node.changes.push(c);
            keep_few_ranges(node);
            return;
        }
    }
    // The same payload stored compressed on one side: its storage.
    if ex.unexplained && !is_text {
        if let Some(changes) = payload::explain(a, b) {
            // Tokens found in the printable strings of compressed bytes
            // against plain ones are coincidences: the payload says why.
            node.changes.drain(masked_findings);
            let explained = changes.iter().all(|c| c.cause != Some(Cause::Content));
            node.changes.extend(changes);
            if explained {
                keep_few_ranges(node);
            }
            return;
        }
    }
    // A Java class file: compiled code, named as such, so that it follows
    // the package's toolchain when that changed (as ELF sections do).
    if ex.unexplained && !is_text {
        if let Some(c) = class_file(a, b) {
            node.changes.push(c);
            return;
        }
    }
    // Last: one string written for another throughout, named.
    if ex.unexplained && is_text {
        if let Some(subs) = text::substitution(a, b, prefix, masked.as_ref()) {
            node.changes.extend(subs);
            return;
        }
    }
    if ex.unexplained && any {
        node.changes.push(Change::finding(
            format!("{prefix}.other"),
            Value::text("other differences"),
            Value::text("not explained"),
            Cause::Content,
        ));
    }
}

/// The field of two XML texts whose `xml:lang` values alone differ, in
/// their syntax only.
pub const LANGUAGE_TAGS: &str = "text.language_tags";

/// A language tag's parts, (language, script, region), lowercased: from a
/// BCP 47 tag (`zh-Hant-TW`, `sr-Latn`) or a POSIX locale name (`zh_TW`,
/// `sr@latin`, `de_DE.UTF-8`); `None` for anything else.
fn language_parts(tag: &str) -> Option<(String, Option<String>, Option<String>)> {
    let ok = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric())
    };
    if tag.contains(['_', '@', '.']) || !tag.contains('-') {
        let (base, modifier) = tag.split_once('@').unwrap_or((tag, ""));
        let base = base.split('.').next().unwrap_or("");
        let (lang, rest) = base.split_once('_').unwrap_or((base, ""));
        // A script written as a locale's second part, as translation
        // files are named (`zh_Hant`, cockpit-podman's metainfo).
        let (written, region) = match rest.split_once('_') {
            Some((s, r)) if s.len() == 4 => (Some(s), r),
            _ if rest.len() == 4 && rest.chars().all(|c| c.is_ascii_alphabetic()) => {
                (Some(rest), "")
            }
            _ => (None, rest),
        };
        if written.is_some_and(|s| !s.chars().all(|c| c.is_ascii_alphabetic())) {
            return None;
        }
        // Only the modifiers that name a script (`ca@valencia` is another
        // variety, not a script).
        let script = match (modifier, written) {
            ("", w) => w.map(str::to_ascii_lowercase),
            ("latin", None) => Some("latn".to_string()),
            ("cyrillic", None) => Some("cyrl".to_string()),
            _ => return None,
        };
        let region = (!region.is_empty()).then(|| region.to_ascii_lowercase());
        return (ok(lang, 2..=3) && region.as_deref().is_none_or(|r| ok(r, 2..=3)))
            .then(|| (lang.to_ascii_lowercase(), script, region));
    }
    let mut parts = tag.split('-');
    let lang = parts.next().filter(|l| ok(l, 2..=3))?.to_ascii_lowercase();
    let (mut script, mut region) = (None, None);
    for p in parts {
        match p.len() {
            4 if script.is_none() && region.is_none() && ok(p, 4..=4) => {
                script = Some(p.to_ascii_lowercase());
            }
            2 | 3 if region.is_none() && ok(p, 2..=3) => region = Some(p.to_ascii_lowercase()),
            _ => return None,
        }
    }
    Some((lang, script, region))
}

/// Two XML texts the same but for the syntax of their `xml:lang` values,
/// which name the same languages: BCP 47 tags on one side (`zh-Hant-TW`),
/// POSIX locale names on the other (`zh_TW`; a script only one side
/// writes is the language's usual one). AppStream metainfo that msgfmt
/// merges from a package's translations is written so by one version and
/// not the other (cockpit-machines and fcitx5 in trixie against their
/// bookworm backports). Nothing in the file names the tool: `content` on
/// its own, following the package's toolchain when that changed.
fn language_tags(a: &[u8], b: &[u8]) -> Option<Change> {
    const KEY: &str = "xml:lang=\"";
    // The text between values and the values, alternating.
    fn split(t: &str) -> Option<(Vec<&str>, Vec<&str>)> {
        let (mut texts, mut values) = (Vec::new(), Vec::new());
        let mut rest = t;
        while let Some(i) = rest.find(KEY) {
            let (before, after) = rest.split_at(i + KEY.len());
            let end = after.find('"').filter(|&e| e <= 64)?;
            texts.push(before);
            values.push(after.get(..end)?);
            rest = after.get(end..)?;
        }
        texts.push(rest);
        Some((texts, values))
    }
    let (ta, tb) = (std::str::from_utf8(a).ok()?, std::str::from_utf8(b).ok()?);
    let ((xa, va), (xb, vb)) = (split(ta)?, split(tb)?);
    if xa != xb || va.len() != vb.len() {
        return None;
    }
    let mut differing = va.iter().zip(&vb).filter(|(x, y)| x != y).peekable();
    let &(first_a, first_b) = differing.peek()?;
    let mut n = 0u64;
    for (x, y) in differing {
        let ((la, sa, ra), (lb, sb, rb)) = (language_parts(x)?, language_parts(y)?);
        // A script only one side writes must be the one the language and
        // region imply: Chinese of Taiwan, Hong Kong and Macau in
        // traditional characters, of China and Singapore in simplified.
        let implied = match (la.as_str(), ra.as_deref()) {
            ("zh", Some("tw" | "hk" | "mo")) => Some("hant"),
            ("zh", Some("cn" | "sg")) => Some("hans"),
            _ => None,
        };
        let script_agrees = match (sa.as_deref(), sb.as_deref()) {
            (None, Some(s)) | (Some(s), None) => implied == Some(s),
            (x, y) => x == y,
        };
        if la != lb || ra != rb || !script_agrees {
            return None;
        }
        n += 1;
    }
    let mut c = Change::finding(
        LANGUAGE_TAGS,
        Value::text(format!("xml:lang=\"{first_a}\"")),
        Value::text(format!("xml:lang=\"{first_b}\"")),
        Cause::Content,
    );
    c.more = n - 1;
    Some(c)
}

/// The field of two scripts whose interpreter lines differ only in the
/// space after `#!`.
pub const SHEBANG: &str = "text.shebang";

/// Two scripts the same but for the space after `#!` on their first line
/// (`#! /usr/bin/python3` against `#!/usr/bin/python3`): what the tool
/// that installs a package's scripts writes there (dh-python, setuptools)
/// changed between their versions. Nothing in the file says which tool;
/// `content` on its own, following the package's toolchain when that
/// changed.
fn shebang_spacing(a: &[u8], b: &[u8]) -> Option<Change> {
    fn split(t: &[u8]) -> Option<(&[u8], &[u8])> {
        let t = t.strip_prefix(b"#!")?;
        let end = t.iter().position(|&c| c == b'\n').unwrap_or(t.len());
        Some((t.get(..end)?, t.get(end..)?))
    }
    let ((la, ra), (lb, rb)) = (split(a)?, split(b)?);
    fn strip(l: &[u8]) -> &[u8] {
        let k = l.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
        l.get(k..).unwrap_or_default()
    }
    // An interpreter is a path (`/usr/bin/env python3` too).
    let path = strip(la).first() == Some(&b'/');
    (la != lb && ra == rb && strip(la) == strip(lb) && path).then(|| {
        let line = |l: &[u8]| format!("#!{}", String::from_utf8_lossy(l));
        Change::finding(
            SHEBANG,
            Value::text(line(la)),
            Value::text(line(lb)),
            Cause::Content,
        )
    })
}

/// The field of two differing Java class files.
pub const CLASS: &str = "class.bytes";

/// Two Java class files (magic `CAFEBABE`): what each is (its class file
/// version, the Java release that version is, its size), `content` on
/// its own.
fn class_file(a: &[u8], b: &[u8]) -> Option<Change> {
    const MAGIC: [u8; 4] = [0xca, 0xfe, 0xba, 0xbe];
    let what = |x: &[u8]| {
        (x.get(..4)? == MAGIC).then_some(())?;
        let minor = u16::from_be_bytes([*x.get(4)?, *x.get(5)?]);
        let major = u16::from_be_bytes([*x.get(6)?, *x.get(7)?]);
        // Java 1.1 and later: major 45 onward, Java 5 = 49, each release one more.
        (45..=100).contains(&major).then_some(())?;
        let release = if major >= 49 {
            format!("Java {}", major - 44)
        } else {
            "Java 1.x".to_string()
        };
        Some(format!(
            "Java class file {major}.{minor} ({release}), {} bytes",
            x.len()
        ))
    };
    Some(Change::finding(
        CLASS,
        Value::text(what(a)?),
        Value::text(what(b)?),
        Cause::Content,
    ))
}

/// Cuts a binary diff that structured changes already explain to a few
/// ranges.
fn keep_few_ranges(node: &mut Node) {
    if let Some(Diff::Binary {
        ranges, truncated, ..
    }) = node.diff.as_mut()
    {
        if ranges.len() > EXPLAINED_RANGES {
            ranges.truncate(EXPLAINED_RANGES);
            *truncated = true;
        }
    }
}

/// The two instants of a change whose values are both times.
fn instants(c: &Change) -> Option<(i64, i64)> {
    Some((c.a.as_ref()?.as_time()?.secs, c.b.as_ref()?.as_time()?.secs))
}

/// Header date changes of a container: (a, b) epochs.
fn header_dates(n: &Node) -> Vec<(i64, i64)> {
    n.changes
        .iter()
        .filter(|c| c.role == Role::HeaderDate)
        .filter_map(instants)
        .collect()
}

/// A link target change's two targets, as text.
fn targets(c: &Change) -> (String, String) {
    let text = |v: &Option<Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    (text(&c.a), text(&c.b))
}

/// Whether a link target differs only by a build directory.
fn target_is_build_path(c: &Change) -> bool {
    let (ta, tb) = targets(c);
    let ex = text::explain(ta.as_bytes(), tb.as_bytes(), "target", false);
    !ex.unexplained && ex.changes.iter().all(|x| x.cause == Some(Cause::BuildPath))
}

/// Whether a link target differs only by the rebuild's suffix on a version
/// in it (a library named after its package's version).
fn target_names_the_rebuild(c: &Change) -> bool {
    let (ta, tb) = targets(c);
    rebuild::inserted_suffix(ta.as_bytes(), tb.as_bytes())
}

/// A text header field whose only difference is a date written in it
/// (`pvd.volume_id` `Debian trixie 20261203-10:05` → `…10:12`).
fn text_is_a_date(c: &Change) -> bool {
    let (Some(Value::Text(a)), Some(Value::Text(b))) = (&c.a, &c.b) else {
        return false;
    };
    let ex = text::explain(a.as_bytes(), b.as_bytes(), "value", false);
    !ex.unexplained
        && !ex.changes.is_empty()
        && ex
            .changes
            .iter()
            .all(|x| x.cause == Some(Cause::EmbeddedTimestamp))
}

/// The cause of one field change, given the other changes of its node and
/// the header dates of the container it sits in.
fn field_cause(c: &Change, node: &Node, parent_dates: &[(i64, i64)]) -> Cause {
    // Derived by the writing tool from another field that changed too.
    let derived = c
        .follows
        .iter()
        .any(|f| node.changes.iter().any(|x| &x.field == f));
    if derived {
        return Cause::Consequential;
    }
    match c.role {
        Role::Order => Cause::Ordering,
        Role::Permissions => Cause::Permissions,
        Role::Ownership => Cause::Ownership,
        Role::Packing => Cause::CompressionMetadata,
        Role::EntryTime => {
            // A time equal to the container's changed volume date on both
            // sides was derived from it (xorriso dates the boot catalog so).
            if instants(c).is_some_and(|p| parent_dates.contains(&p)) {
                Cause::Consequential
            } else {
                Cause::Mtime
            }
        }
        Role::HeaderDate => Cause::EmbeddedTimestamp,
        Role::Identifier => Cause::RandomId,
        Role::Size | Role::Structure | Role::Location | Role::SameData => Cause::Consequential,
        Role::LinkTarget if target_is_build_path(c) => Cause::BuildPath,
        Role::LinkTarget if target_names_the_rebuild(c) => Cause::PackageVersion,
        Role::Installed | Role::Package | Role::Input => Cause::PackageVersion,
        Role::Version => Cause::Toolchain,
        Role::Name => Cause::Renamed,
        Role::Content if text_is_a_date(c) => Cause::EmbeddedTimestamp,
        Role::LinkTarget | Role::Content | Role::Finding | Role::Checksum => Cause::Content,
    }
}

use crate::engine::links::normal;

/// The entries that differ, found by address and by path within each
/// family of containers (the members of one container's members), so a
/// checksum list can name a file stored next to it or, as a `.deb`'s
/// `control.tar` md5sums names `data.tar` files, in a sibling container.
/// Containers are taken from the tree (a node's parent holds it), not by
/// splitting addresses: a member's own name may hold `::`.
#[derive(Debug, Default)]
struct Differing {
    addresses: HashSet<String>,
    /// (the container holding the entry's container, the entry's path).
    by_family: HashSet<(String, String)>,
    /// Names only one side has (added and removed entries, both names of
    /// a renamed one): (their container, their path, whether side b is
    /// that side).
    one_sided: HashSet<(String, String, bool)>,
    /// Renamed entries by container: old path to new, normal, without a
    /// directory's final `/`.
    renames: HashMap<String, HashMap<String, String>>,
}

/// Where a node sits: the address of the container holding it (its
/// parent in the tree) and of the container holding that one.
#[derive(Debug, Clone, Copy)]
struct Place<'a> {
    container: &'a str,
    family: &'a str,
}

impl<'a> Place<'a> {
    /// For the root of a tree, or of a subtree whose parent is not at hand:
    /// what its address alone says.
    fn of_root(address: &'a str) -> Place<'a> {
        let container = Address::new(address).container();
        Place {
            container,
            family: Address::new(container).container(),
        }
    }

    /// The place of the members of the node at `address`, at this place.
    fn below(self, address: &'a str) -> Place<'a> {
        Place {
            container: address,
            family: self.container,
        }
    }
}

impl Differing {
    fn of(tree: &Node) -> Differing {
        let mut d = Differing::default();
        d.gather(tree, Place::of_root(&tree.address));
        d
    }

    fn gather(&mut self, n: &Node, place: Place) {
        if n.status != Status::Identical {
            self.addresses.insert(n.address.clone());
            let a = Address::new(&n.address);
            let path = a.under(place.container).unwrap_or_else(|| a.inner_path());
            let family = place.family.to_string();
            self.by_family
                .insert((family.clone(), normal(path).to_string()));
            if matches!(n.status, Status::Added | Status::Removed) {
                self.one_sided.insert((
                    place.container.to_string(),
                    normal(path).to_string(),
                    n.status == Status::Added,
                ));
            }
            // A renamed entry is reported at b's name: a's name differs too.
            // Each name is one only its side has.
            for c in n.changes.iter().filter(|c| c.role == Role::Name) {
                if let Some(Value::Text(old)) = &c.a {
                    self.addresses
                        .insert(Address::new(place.container).child(old));
                    self.by_family
                        .insert((family.clone(), normal(old).to_string()));
                    let container = place.container.to_string();
                    self.one_sided
                        .insert((container.clone(), normal(old).to_string(), false));
                    self.one_sided
                        .insert((container.clone(), normal(path).to_string(), true));
                    let bare = |p: &str| normal(p).trim_end_matches('/').to_string();
                    self.renames
                        .entry(container)
                        .or_default()
                        .insert(bare(old), bare(path));
                }
            }
        }
        let below = place.below(&n.address);
        for c in &n.children {
            self.gather(c, below);
        }
    }

    /// Whether the entry a checksum list at `list` names as `path` differs.
    fn named_by(&self, list: Place, path: &str) -> bool {
        let path = normal(path);
        self.addresses
            .contains(&Address::new(list.container).child(path))
            || self
                .by_family
                .contains(&(list.family.to_string(), path.to_string()))
    }
}

fn push_cause(causes: &mut Vec<Cause>, c: Cause) {
    if !causes.contains(&c) {
        causes.push(c);
    }
}

/// The causes an entry's content gives beyond its changes: an unexplained
/// diff, members that differ. An entry sharing that data gets them too.
fn content_causes(n: &Node) -> Vec<Cause> {
    let mut out = Vec::new();
    if n.diff.is_some() && !n.changes.iter().any(explains_content) {
        out.push(Cause::Content);
    }
    if !n.children.is_empty() {
        out.push(Cause::Consequential);
    }
    out
}

/// For each child, the causes the content of the sibling it shares its
/// data with gives (see [`Role::SameData`]).
fn shared_causes(children: &[Node]) -> Vec<Vec<Cause>> {
    let held = |c: &Node| {
        c.changes
            .iter()
            .find(|x| x.role == Role::SameData)
            .and_then(|x| x.subject.clone())
    };
    if !children.iter().any(|c| held(c).is_some()) {
        return vec![Vec::new(); children.len()];
    }
    let by_address: HashMap<&str, &Node> =
        children.iter().map(|c| (c.address.as_str(), c)).collect();
    children
        .iter()
        .map(|c| {
            held(c)
                .and_then(|h| by_address.get(h.as_str()).map(|h| content_causes(h)))
                .unwrap_or_default()
        })
        .collect()
}

fn annotate(
    n: &mut Node,
    place: Place,
    parent_dates: &[(i64, i64)],
    differing: &Differing,
    shared: &[Cause],
) {
    let own_dates = header_dates(n);
    for i in 0..n.changes.len() {
        let c = &n.changes[i];
        let cause = match (c.role, &c.subject) {
            (Role::Checksum, Some(path)) => {
                if differing.named_by(place, path) {
                    Cause::Consequential
                } else {
                    Cause::Content
                }
            }
            _ if c.cause.is_some() => continue,
            _ => field_cause(c, n, parent_dates),
        };
        n.changes[i].cause = Some(cause);
    }
    let from_shared = shared_causes(&n.children);
    let below = place.below(&n.address);
    for (c, shared) in n.children.iter_mut().zip(from_shared) {
        annotate(c, below, &own_dates, differing, &shared);
    }
    let mut causes: Vec<Cause> = Vec::new();
    match n.status {
        Status::Added => push_cause(&mut causes, Cause::Added),
        Status::Removed => push_cause(&mut causes, Cause::Removed),
        _ => {}
    }
    for c in &n.changes {
        // A size follows the content, and data shared with another entry
        // brings that one's causes: neither adds a cause of its own.
        if matches!(c.role, Role::Size | Role::SameData) {
            continue;
        }
        if let Some(x) = c.cause {
            push_cause(&mut causes, x);
        }
    }
    if n.diff.is_some() && !n.changes.iter().any(explains_content) {
        push_cause(&mut causes, Cause::Content);
    }
    if !n.children.is_empty() || n.causes.contains(&Cause::Consequential) {
        push_cause(&mut causes, Cause::Consequential);
    }
    for &c in shared {
        push_cause(&mut causes, c);
    }
    if causes.is_empty() && n.status == Status::Modified {
        // Only a size changed, or only errors: sizes follow content elsewhere.
        let cause = if n.changes.iter().any(|c| c.role == Role::Size) {
            Cause::Consequential
        } else {
            Cause::Content
        };
        push_cause(&mut causes, cause);
    }
    // A file of a package whose version differs: that is the whole story
    // (its content, times and ids come with the other version).
    if n.changes.iter().any(is_package_file) {
        causes.retain(|&c| {
            c == Cause::PackageVersion || (c == Cause::Consequential && !n.children.is_empty())
        });
    }
    causes.sort();
    n.causes = causes;
}

/// The change the engine adds to a file of a changed package.
pub fn is_package_file(c: &Change) -> bool {
    c.role == Role::Package && c.cause == Some(Cause::PackageVersion)
}

/// Causes for one finished subtree while the rest is still being compared,
/// so a viewer can show and filter by them early. Provisional: what needs
/// the whole tree (the outer image's header dates, checksum lists naming
/// members elsewhere, the groups) is settled by [`diagnose`] on the report.
pub fn provisional(n: &mut Node) {
    let differing = Differing::of(n);
    let address = n.address.clone();
    annotate(n, Place::of_root(&address), &[], &differing, &[]);
}

/// The (a, b) instants SOURCE_DATE_EPOCH moved between: the newest
/// changelog entries' dates (changes of cause `source-date-epoch`).
fn source_date_epochs(tree: &Node) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    tree.visit(&mut |n| {
        for c in &n.changes {
            if c.cause == Some(Cause::SourceDateEpoch) {
                if let Some(p) = instants(c) {
                    if !out.contains(&p) {
                        out.push(p);
                    }
                    // The changelog's date as its maintainer wrote it, in
                    // their own zone: what a build that copies the date's
                    // text without its zone writes (sendmail's m4 files).
                    let zone = |v: &Option<Value>| match v {
                        Some(Value::Written { text, .. }) => written_zone(text),
                        _ => None,
                    };
                    if let (Some(za), Some(zb)) = (zone(&c.a), zone(&c.b)) {
                        let local = (p.0 + za, p.1 + zb);
                        if (za, zb) != (0, 0) && !out.contains(&local) {
                            out.push(local);
                        }
                    }
                }
            }
        }
    });
    out
}

/// The offset from UTC, in seconds, of a date written with a numeric zone
/// at its end (a changelog trailer's `… 18:25:02 +0200`).
fn written_zone(text: &str) -> Option<i64> {
    let (_, zone) = text.trim_end().rsplit_once(' ')?;
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i64, i64) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// Midnight UTC of the day `t` falls in.
fn day_of(t: i64) -> i64 {
    t - t.rem_euclid(86_400)
}

/// Midnight UTC of the first day of the month `t` falls in.
fn month_of(t: i64) -> i64 {
    let (y, m, _) = reprodiff_value::civil_from_days(t.div_euclid(86_400));
    reprodiff_value::days_from_civil(y, m, 1) * 86_400
}

/// Times clamped to SOURCE_DATE_EPOCH: an entry time, a header date or a
/// single date found in content whose two values are exactly the two
/// epochs is that one root cause, not an mtime or a date of its own.
fn follow_source_date_epoch(n: &mut Node, epochs: &[(i64, i64)]) {
    for c in &mut n.changes {
        let date = match c.role {
            Role::EntryTime | Role::HeaderDate => true,
            Role::Finding => c.cause == Some(Cause::EmbeddedTimestamp) && c.more == 0,
            _ => false,
        };
        let open = matches!(
            c.cause,
            None | Some(Cause::Mtime | Cause::EmbeddedTimestamp | Cause::Consequential)
        );
        // A date written to the day or the month (help2man's `July 2023`)
        // is the epoch's when it names the epoch's day or month on both
        // sides.
        let coarse = c.role == Role::Finding
            && instants(c).is_some_and(|(x, y)| {
                epochs.iter().any(|&(ea, eb)| {
                    (x == day_of(ea) && y == day_of(eb)) || (x == month_of(ea) && y == month_of(eb))
                })
            });
        if date && open && (coarse || instants(c).is_some_and(|p| epochs.contains(&p))) {
            c.cause = Some(Cause::SourceDateEpoch);
        }
    }
    for child in &mut n.children {
        follow_source_date_epoch(child, epochs);
    }
}

/// Whether a node is a Debian package: its members include `control.tar.*`.
pub(super) fn is_package(n: &Node) -> bool {
    n.children.iter().any(|c| {
        Address::new(&c.address)
            .inner_path()
            .starts_with("control.tar")
    })
}

/// The field that says a package was built with another toolchain: its
/// `control` dependencies on the toolchain's libraries (`libc6 (>= 2.38)` →
/// `2.34`), an ELF `.comment` naming the compiler, a file the build tools
/// wrote naming their other version (`# Triggers added by
/// dh_makeshlibs/13.24.1` → `13.11.4`), a Python extension built for
/// another interpreter, or a changelog entry saying the package was only
/// rebuilt for another release. In tree order: the first such change,
/// the first of each generator named (at most [`MAX_EVIDENCE`]) and the
/// first said of the whole package.
fn toolchain_evidence(n: &Node) -> Vec<Evidence> {
    let mut found: Vec<Evidence> = Vec::new();
    n.visit(&mut |x| {
        for c in &x.changes {
            if found.len() >= MAX_EVIDENCE || c.cause != Some(Cause::Toolchain) {
                continue;
            }
            let package_wide = c.field.ends_with("Depends")
                || c.field.ends_with("Built-Using")
                || c.field == changelog::REBUILD;
            let evidence = package_wide
                || c.field == "elf.section..go.buildinfo"
                || c.field == "elf.section..comment"
                || c.field == "elf.section..note.gnu.property"
                || c.field == elf::LAYOUT
                || c.field == elf::OBJECT_LAYOUT
                || c.field == beam::COMPILER
                || c.field == python::ABI_FIELD
                || c.field == generator::FIELD
                || c.field == javadoc::FIELD;
            if evidence {
                // A generator's name, as its version line gives it
                // (`CMake, policies 2.8.3...3.29`: `cmake`).
                let tool = (c.field == generator::FIELD)
                    .then(|| Change::shown(&c.a))
                    .flatten()
                    .and_then(|t| {
                        let first = t.split_whitespace().next()?;
                        Some(
                            first
                                .trim_end_matches(|c: char| !c.is_alphanumeric())
                                .to_lowercase(),
                        )
                    });
                // One of each kind: the whole package, each generator, any
                // other tool (an ELF `.comment` on every binary).
                let seen = |e: &Evidence| e.package_wide == package_wide && e.tool == tool;
                if found.iter().any(seen) {
                    continue;
                }
                found.push(Evidence {
                    at: format!("{}: {}", x.address, c.field),
                    package_wide,
                    tool,
                });
            }
        }
    });
    found
}

/// Toolchain evidence kept per package: the first is what code follows.
const MAX_EVIDENCE: usize = 64;

/// One change that says a package's toolchain changed (see
/// [`toolchain_evidence`]).
struct Evidence {
    /// `address: field`, as `follows` names it.
    at: String,
    /// Said of the whole package (its dependencies, a rebuild entry), not
    /// of one tool.
    package_wide: bool,
    /// The generator a `text.generator` change names, lowercased.
    tool: Option<String>,
}

/// What a generated document's change follows: another version of the
/// tool it names (`CMake's export header template` after `CMake 3.31.6`),
/// else the package's other build, else the first evidence.
fn document_evidence<'e>(evidence: &'e [Evidence], finding: &str) -> Option<&'e Evidence> {
    let finding = finding.to_lowercase();
    let names = |tool: &str| {
        finding.match_indices(tool).any(|(i, _)| {
            let before = finding[..i].chars().next_back();
            let after = finding[i + tool.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    evidence
        .iter()
        .find(|e| e.tool.as_deref().is_some_and(|t| !t.is_empty() && names(t)))
        .or_else(|| evidence.iter().find(|e| e.package_wide))
        .or_else(|| evidence.first())
}

/// Code another compiler wrote: in a package whose toolchain changed,
/// every ELF section difference no other cause explains follows from that
/// change (`consequential`, following the evidence) instead of `content`,
/// and so does a man page that differs only in its markup (the same words,
/// other escapes and requests: what another version of the generator
/// that wrote it writes) and a file one generator's template wrote on both
/// sides (CMake's package version file). Packages nested in an image are
/// each judged on their own evidence. Code follows the first evidence; a
/// document the evidence [`document_evidence`] picks for it.
fn follow_package_toolchain(n: &mut Node) {
    for c in &mut n.children {
        follow_package_toolchain(c);
    }
    if !is_package(n) {
        return;
    }
    let evidence = toolchain_evidence(n);
    if evidence.is_empty() {
        return;
    }
    fn mark(n: &mut Node, evidence: &[Evidence]) {
        for c in &mut n.changes {
            if c.cause != Some(Cause::Content) {
                continue;
            }
            let Some(kind) = toolchain_output(&c.field) else {
                continue;
            };
            let by = if matches!(kind, ToolchainOutput::Document | ToolchainOutput::Snippet) {
                let finding = Change::shown(&c.a).unwrap_or_default();
                document_evidence(evidence, &finding)
            } else {
                evidence.first()
            };
            if let Some(by) = by {
                c.cause = Some(Cause::Consequential);
                c.follows = vec![by.at.clone()];
            }
        }
        for c in &mut n.children {
            mark(c, evidence);
        }
    }
    mark(n, &evidence);
}

/// What a package's build tools write, by the field of its change: the
/// differences that follow the package's toolchain when it changed
/// ([`follow_package_toolchain`]), and how the groups name them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ToolchainOutput {
    /// Compiled code: ELF and PE sections, BEAM chunks, Java class files.
    Code,
    /// Generated documents: man page markup, a generator's template.
    Document,
    /// Scripts' interpreter lines, as the installing tool wrote them.
    Script,
    /// Maintainer script snippets debhelper tools added.
    Snippet,
    /// A file stored as a copy on one side and as a symbolic link to the
    /// same bytes on the other, as the installing tool chose.
    Linked,
}

/// Which of [`ToolchainOutput`] a change of `field` is, if any.
pub(crate) fn toolchain_output(field: &str) -> Option<ToolchainOutput> {
    if field.starts_with("elf.section.")
        || field.starts_with("pe.section.")
        || field.starts_with("beam.chunk.")
        || field == CLASS
    {
        Some(ToolchainOutput::Code)
    } else if field == roff::FIELD
        || field == generator::TEMPLATE
        || field == LANGUAGE_TAGS
        || field == changelog::TRAILING
    {
        Some(ToolchainOutput::Document)
    } else if field == SHEBANG {
        Some(ToolchainOutput::Script)
    } else if field == generator::SNIPPETS {
        Some(ToolchainOutput::Snippet)
    } else if field == crate::engine::links::LINKED_COPY {
        Some(ToolchainOutput::Linked)
    } else {
        None
    }
}

/// Files a documentation generator writes beside its pages (style sheets,
/// scripts, search indexes, other pages).
const DOCUMENT_ASSETS: [&str; 10] = [
    ".html", ".htm", ".css", ".js", ".svg", ".xml", ".txt", ".json", ".map",
    // The inventory of documented objects Sphinx and mkdocstrings write.
    ".inv",
];

/// A Python package's core metadata in an installed wheel's `.dist-info`
/// folder: the build backend that the folder's `WHEEL` names
/// (`Generator: poetry-core 1.8.1`) wrote it, with the classifiers and
/// fields that version adds.
fn core_metadata(address: &str) -> bool {
    address
        .rsplit_once(".dist-info/")
        .is_some_and(|(_, name)| name == "METADATA")
}

/// Whether a deleted or inserted line of `n`'s text diff starts with
/// `prefix`.
fn changed_line_starts(n: &Node, prefix: &str) -> bool {
    let Some(Diff::Text { hunks, .. }) = &n.diff else {
        return false;
    };
    hunks.iter().flat_map(|h| &h.lines).any(|l| {
        l.tag != LineTag::Context
            && matches!(&l.line, crate::report::Data::Text(t) if t.starts_with(prefix))
    })
}

/// A documentation tree whose pages name another version of their
/// generator (`Created using Sphinx 8.1.3` → `5.3.0`): the tree's other
/// files that differ with no other cause (the theme's style sheets and
/// scripts the generator copies, pages without the line) follow from that
/// version, `consequential` of the page that names it. The tree is the
/// folder of that page and below, in the same container. Images whose
/// pixels differ follow it only when the generator drew them
/// ([`drawn_by_doxygen`]); any other picture keeps its `content`.
fn follow_document_generators(tree: &mut Node) {
    /// Trees of pages: those naming their generator's version, and those
    /// of templates (looked in only where no named tree reaches).
    #[derive(Default)]
    struct Roots {
        named: Vec<(String, String)>,
        templates: Vec<(String, String)>,
    }
    impl Roots {
        /// The page a file's tree follows, from the named trees only.
        fn named_of(&self, address: &str) -> Option<&String> {
            let within = |(r, _): &&(String, String)| address.starts_with(r.as_str());
            self.named.iter().find(within).map(|(_, page)| page)
        }
        /// The page a file's tree follows, a template's where no named
        /// tree reaches.
        fn of(&self, address: &str) -> Option<&String> {
            let within = |(r, _): &&(String, String)| address.starts_with(r.as_str());
            self.named_of(address)
                .or_else(|| self.templates.iter().find(within).map(|(_, page)| page))
        }
    }
    fn gather(n: &Node, place: Place, roots: &mut Roots, pages: &mut HashSet<String>) {
        // A page naming its generator's other version; or an HTML page a
        // generator's template wrote (mdBook's) that follows the package's
        // toolchain change: the style sheets and scripts the generator
        // copies beside it follow the same change.
        let template = n.changes.iter().any(|c| {
            c.field == generator::TEMPLATE
                && c.cause == Some(Cause::Consequential)
                && !c.follows.is_empty()
                && Change::shown(&c.a).is_some_and(|t| t.starts_with("an HTML page "))
        });
        let named = n.changes.iter().any(|c| c.field == generator::FIELD);
        if named || template {
            let field = if named {
                generator::FIELD
            } else {
                generator::TEMPLATE
            };
            if named {
                pages.insert(n.address.clone());
            }
            let a = Address::new(&n.address);
            let inner = a.under(place.container).unwrap_or_else(|| a.inner_path());
            // A decoded layer (`page.html.gz::<content>`) sits in its file.
            let (file, holder) = if inner.starts_with('<') {
                (place.container, place.family)
            } else {
                (n.address.as_str(), place.container)
            };
            let f = Address::new(file);
            let path = f.under(holder).unwrap_or_else(|| f.inner_path());
            let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
            let root = Address::new(holder).child(&format!("{dir}/"));
            let list = if named {
                &mut roots.named
            } else {
                &mut roots.templates
            };
            if !list.iter().any(|(r, _)| root.starts_with(r.as_str())) {
                list.retain(|(r, _)| !r.starts_with(root.as_str()));
                list.push((root, format!("{}: {field}", n.address)));
            }
        }
        let below = place.below(&n.address);
        for c in &n.children {
            gather(c, below, roots, pages);
        }
    }
    let mut roots = Roots::default();
    let mut pages = HashSet::new();
    gather(tree, Place::of_root(&tree.address), &mut roots, &mut pages);
    if roots.named.is_empty() && roots.templates.is_empty() {
        return;
    }
    fn mark(n: &mut Node, roots: &Roots, pages: &HashSet<String>) {
        // Core metadata of another version of the package is that
        // version's, whatever wrote it.
        let metadata = core_metadata(&n.address) && !changed_line_starts(n, "Version:");
        // A file on one side and a link on the other is the installing
        // tool's choice (dh_sphinxdoc linking to libjs-sphinxdoc), not
        // what the generator wrote.
        let relinked = n.changes.iter().any(|c| c.field == "kind");
        let unexplained = n.children.is_empty()
            && n.diff.is_some()
            && !relinked
            && !n.changes.iter().any(explains_beyond_naming)
            && (metadata || DOCUMENT_ASSETS.iter().any(|e| n.address.ends_with(e)));
        // Pixels the generator drew: only the image's own findings, each
        // left `content`, and no other.
        let pixels = |c: &Change| c.field.starts_with("png.") && c.cause == Some(Cause::Content);
        let drawn = n.children.is_empty()
            && n.changes.iter().any(|c| c.field == png::PIXELS)
            && n.changes.iter().all(|c| !explains_content(c) || pixels(c))
            && drawn_by_doxygen(&n.address, pages);
        if drawn {
            // Pictures only the generator naming its version drew.
            if let Some(page) = roots.named_of(&n.address) {
                let follows = vec![page.clone()];
                for c in n.changes.iter_mut().filter(|c| pixels(c)) {
                    c.cause = Some(Cause::Consequential);
                    c.follows.clone_from(&follows);
                }
                let mut c = Change::finding(
                    DRAWN,
                    Value::text("an image the documentation generator drew"),
                    Value::text("follows the documentation generator's version"),
                    Cause::Consequential,
                );
                c.follows = follows;
                n.changes.push(c);
            }
        }
        if unexplained {
            if let Some(page) = roots.of(&n.address) {
                let mut c = Change::finding(
                    "text.other",
                    Value::text("differences"),
                    Value::text(if metadata {
                        "follow the version of the build backend that wrote the wheel"
                    } else {
                        "follow the documentation generator's version"
                    }),
                    Cause::Consequential,
                );
                c.follows = vec![page.clone()];
                for s in n.changes.iter_mut().filter(|c| only_names(c)) {
                    s.cause = Some(Cause::Consequential);
                    s.follows.clone_from(&c.follows);
                }
                n.changes.push(c);
            }
        }
        for c in &mut n.children {
            mark(c, roots, pages);
        }
    }
    mark(tree, &roots, &pages);
}

/// The finding of an image a documentation generator drew, whose pixels
/// follow the generator's version.
pub const DRAWN: &str = "png.drawn";

/// Whether the PNG at `address` is one doxygen draws, told by the names it
/// gives its drawings: the graphs it has Graphviz render (a file's include
/// and included-by graphs `*__incl.png`, `*__dep__incl.png`; a class's
/// collaboration and inheritance graphs; call graphs `*_cgraph.png`,
/// `*_icgraph.png`; a folder's dependencies `dir_*_dep.png`; the class
/// hierarchy `inherit_graph_N.png`; `graph_legend.png`; the graphs a
/// page draws inline with `\dot` or `\msc`, `dot_inline_dotgraph_N.png`,
/// `inline_dotgraph_N.png`, `msc_inline_mscgraph_N.png`), or a class
/// diagram it draws itself, named as the compound's page
/// (`classFoo.png` beside `classFoo.html`) when that page names the
/// generator too (`pages`). Another version of doxygen writes other graph
/// descriptions (node names, edge areas) and so other pictures from the
/// same source; a screenshot or any picture the sources hold is copied,
/// and keeps its own cause.
fn drawn_by_doxygen(address: &str, pages: &HashSet<String>) -> bool {
    let Some(stem) = address.strip_suffix(".png") else {
        return false;
    };
    let name = stem.rsplit('/').next().unwrap_or(stem);
    let graph = [
        "__incl",
        "__coll__graph",
        "__inherit__graph",
        "_cgraph",
        "_icgraph",
    ]
    .iter()
    .any(|s| name.len() > s.len() && name.ends_with(s))
        || name.starts_with("dir_") && name.ends_with("_dep")
        || [
            "inherit_graph_",
            "dot_inline_dotgraph_",
            "inline_dotgraph_",
            "msc_inline_mscgraph_",
        ]
        .iter()
        .filter_map(|p| name.strip_prefix(p))
        .any(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        || name == "graph_legend";
    let diagram = [
        "class",
        "struct",
        "union",
        "interface",
        "protocol",
        "exception",
    ]
    .iter()
    .any(|p| name.len() > p.len() && name.starts_with(p))
        && pages.contains(&format!("{stem}.html"));
    graph || diagram
}

/// The finding of a file list whose changed lines name entries only one
/// side has.
pub const LISTED_ENTRIES: &str = "text.entries";

/// A file that lists others (an HTML Help project's `[FILES]`, a
/// manifest) whose every deleted line names an entry only side a has and
/// every inserted line one only side b has, beside it or from its
/// container's root: its lines follow those entries (a build that made
/// other files lists other names). Only a whole line diff is read; any
/// other changed line and the difference stays unexplained.
fn follow_listed_entries(tree: &mut Node, differing: &Differing) {
    if !differing.one_sided.is_empty() {
        add_findings(tree, &|n, place| listed_entries(n, place, differing));
    }
}

/// Adds to each node of the tree the finding `f` gives it at its place.
fn add_findings(tree: &mut Node, f: &dyn Fn(&Node, Place) -> Option<Change>) {
    fn visit(n: &mut Node, place: Place, f: &dyn Fn(&Node, Place) -> Option<Change>) {
        if let Some(c) = f(n, place) {
            n.changes.push(c);
        }
        let address = n.address.clone();
        let below = place.below(&address);
        for c in &mut n.children {
            visit(c, below, f);
        }
    }
    let root = tree.address.clone();
    visit(tree, Place::of_root(&root), f);
}

/// A leaf's whole line diff, when none of its changes explains its
/// content yet, with the file it is the text of and the container holding
/// that file, normal: the node's own, or for a decoded layer
/// (`index.hhp.gz::<content>`), its file's.
fn unexplained_text<'a>(
    n: &'a Node,
    place: Place<'a>,
) -> Option<(&'a [crate::report::Hunk], &'a str, &'a str)> {
    let Some(Diff::Text {
        hunks,
        truncated: false,
        ..
    }) = &n.diff
    else {
        return None;
    };
    if !n.children.is_empty() || n.changes.iter().any(explains_content) {
        return None;
    }
    let inner = Address::new(&n.address).under(place.container)?;
    let (file, holder) = if inner.starts_with('<') {
        (place.container, place.family)
    } else {
        (n.address.as_str(), place.container)
    };
    Some((hunks, file, holder))
}

/// The `text.entries` finding of [`follow_listed_entries`] for `n`, if
/// its diff is such a list's.
fn listed_entries(n: &Node, place: Place, d: &Differing) -> Option<Change> {
    let (hunks, file, holder) = unexplained_text(n, place)?;
    let path = normal(Address::new(file).under(holder)?);
    let (mut only_a, mut only_b) = (0u64, 0u64);
    for line in hunks.iter().flat_map(|h| &h.lines) {
        let in_b = match line.tag {
            LineTag::Context => continue,
            LineTag::Delete => false,
            LineTag::Insert => true,
        };
        let crate::report::Data::Text(text) = &line.line else {
            return None;
        };
        let name = text.trim();
        if name.is_empty() {
            return None;
        }
        let beside = crate::engine::links::resolve(path, name);
        let named = [beside.as_deref(), Some(normal(name))]
            .into_iter()
            .flatten()
            .any(|p| {
                d.one_sided
                    .contains(&(holder.to_string(), p.to_string(), in_b))
            });
        if !named {
            return None;
        }
        *if in_b { &mut only_b } else { &mut only_a } += 1;
    }
    if only_a + only_b == 0 {
        return None;
    }
    let lines = |k: u64, side: &str| format!("{k} lines naming entries only {side} has");
    Some(Change::finding(
        LISTED_ENTRIES,
        Value::text(lines(only_a, "a")),
        Value::text(lines(only_b, "b")),
        Cause::Consequential,
    ))
}

/// The finding of a text whose changed lines name renamed entries by
/// their new names.
pub const RENAMED_ENTRIES: &str = "text.renamed_entries";

/// A text whose every changed line differs only by naming an entry of its
/// container that was renamed (a file or a directory, by an absolute path:
/// `RUN+="/usr/lib/udev/tlp-usb-udev"` against `/lib/udev/…` in a package
/// a release with another udev directory built) by its old name on side a
/// and its new one on side b: the text follows those renames. Read from
/// the whole line diff; any other changed line and the difference stays
/// unexplained.
fn follow_renamed_entries(tree: &mut Node, differing: &Differing) {
    if !differing.renames.is_empty() {
        add_findings(tree, &|n, place| renamed_entries(n, place, differing));
    }
}

/// Whether `c` continues a path.
fn in_path(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"/._-+~@%".contains(&c)
}

/// `line` with each absolute path that is a renamed entry's old name, or
/// lies under a renamed directory's, written with the new name (the
/// longest renamed part of a path wins); the renames used are added to
/// `used`, in the order they are first met.
fn with_new_names(
    line: &str,
    renames: &HashMap<String, String>,
    used: &mut Vec<(String, String)>,
) -> String {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let starts = b[i] == b'/' && (i == 0 || !in_path(b[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let end = i + b[i..].iter().take_while(|&&c| in_path(c)).count();
        let path = &line[i + 1..end];
        // The whole path, then each part of it that ends before a `/`,
        // longest first.
        let cuts = std::iter::once(path.len()).chain(
            path.bytes()
                .enumerate()
                .rev()
                .filter(|&(_, c)| c == b'/')
                .map(|(k, _)| k),
        );
        let hit = cuts
            .filter(|&k| k > 0)
            .find_map(|k| renames.get_key_value(&path[..k]));
        if let Some((old, new)) = hit {
            out.push_str(&line[copied..=i]);
            out.push_str(new);
            copied = i + 1 + old.len();
            if !used.iter().any(|(o, _)| o == old) {
                used.push((old.clone(), new.clone()));
            }
        }
        i = end;
    }
    out.push_str(&line[copied..]);
    out
}

/// The `text.renamed_entries` finding of [`follow_renamed_entries`] for
/// `n`, if its diff is such a text's.
fn renamed_entries(n: &Node, place: Place, d: &Differing) -> Option<Change> {
    let (hunks, _, holder) = unexplained_text(n, place)?;
    let renames = d.renames.get(holder)?;
    let mut used = Vec::new();
    if !rewritten_a_is_b(hunks, |t| with_new_names(t, renames, &mut used)) {
        return None;
    }
    let (old, new) = used.first()?;
    let mut c = Change::finding(
        RENAMED_ENTRIES,
        Value::text(format!("/{old}")),
        Value::text(format!("/{new}")),
        Cause::Consequential,
    );
    c.more = used.len() as u64 - 1;
    c.subject = Some(new.clone());
    Some(c)
}

/// Whether in every hunk side a's changed lines, each as `rewrite` writes
/// it, are side b's (a whole text diff of text lines only).
pub(super) fn rewritten_a_is_b(
    hunks: &[crate::report::Hunk],
    mut rewrite: impl FnMut(&str) -> String,
) -> bool {
    hunks.iter().all(|h| {
        let (mut deleted, mut inserted) = (String::new(), String::new());
        for line in &h.lines {
            let crate::report::Data::Text(text) = &line.line else {
                return false;
            };
            match line.tag {
                LineTag::Context => {}
                LineTag::Delete => deleted.push_str(&rewrite(text)),
                LineTag::Insert => inserted.push_str(text),
            }
        }
        deleted == inserted
    })
}

/// The moves of every changed time in the report (b − a, seconds).
fn time_shifts(tree: &Node) -> HashSet<i64> {
    let mut out = HashSet::new();
    tree.visit(&mut |n| {
        for c in &n.changes {
            if matches!(c.role, Role::EntryTime | Role::HeaderDate) {
                if let Some((a, b)) = instants(c) {
                    out.insert(b - a);
                }
            }
        }
    });
    out.remove(&0);
    out
}

/// An identifier's value as a 32-bit number: a FAT serial `6B11-3EE0`, an
/// MBR signature `0x302cdb79`.
fn id_number(v: &Option<Value>) -> Option<i64> {
    let Some(Value::Id(s)) = v else { return None };
    let hex: String = s
        .strip_prefix("0x")
        .unwrap_or(s)
        .chars()
        .filter(|c| *c != '-')
        .collect();
    (hex.len() == 8).then(|| i64::from_str_radix(&hex, 16).ok())?
}

/// Serials made from the build time (`mkfs.vfat -i` given
/// SOURCE_DATE_EPOCH in hex, as live-build does): an identifier whose two
/// values are plausible epochs that moved by exactly the shift of a time
/// elsewhere in the report is that time, shown as one.
fn identifiers_that_are_times(n: &mut Node, shifts: &HashSet<i64>) {
    for c in &mut n.changes {
        if c.role != Role::Identifier || !matches!(c.cause, None | Some(Cause::RandomId)) {
            continue;
        }
        let (Some(a), Some(b)) = (id_number(&c.a), id_number(&c.b)) else {
            continue;
        };
        let plausible = |t: i64| (time::EPOCH_MIN..time::EPOCH_MAX).contains(&t);
        if plausible(a) && plausible(b) && shifts.contains(&(b - a)) {
            let written = |v: &Option<Value>, t: i64| {
                let time = crate::report::Time::from_secs(t);
                let id = v.as_ref().map(|v| v.to_string()).unwrap_or_default();
                Some(Value::Written {
                    text: format!("{id} ({time})"),
                    time,
                })
            };
            c.a = written(&c.a, a);
            c.b = written(&c.b, b);
            c.cause = Some(Cause::EmbeddedTimestamp);
        }
    }
    for child in &mut n.children {
        identifiers_that_are_times(child, shifts);
    }
}

/// Settles causes over the whole report, counts them and builds the groups.
pub fn diagnose(r: &mut Report) {
    python::name_interpreters(&mut r.tree);
    python::follow_interpreter_versions(&mut r.tree);
    let shifts = time_shifts(&r.tree);
    if !shifts.is_empty() {
        identifiers_that_are_times(&mut r.tree, &shifts);
    }
    follow_package_toolchain(&mut r.tree);
    follow_document_generators(&mut r.tree);
    let epochs = source_date_epochs(&r.tree);
    if !epochs.is_empty() {
        follow_source_date_epoch(&mut r.tree, &epochs);
    }
    let differing = Differing::of(&r.tree);
    follow_listed_entries(&mut r.tree, &differing);
    follow_renamed_entries(&mut r.tree, &differing);
    annotate(&mut r.tree, Place::of_root(""), &[], &differing, &[]);
    let mut counts: BTreeMap<Cause, u64> = BTreeMap::new();
    r.tree.visit(&mut |n| {
        for &c in &n.causes {
            *counts.entry(c).or_default() += 1;
        }
    });
    r.summary.causes = counts;
    r.groups = groups::build(&r.tree);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(field: &str, role: Role, a: Value, b: Value) -> Change {
        Change::new(field, role, Some(a), Some(b))
    }

    fn causes_of(mut node: Node) -> Vec<Option<Cause>> {
        let mut root = Node::new("", Status::Modified);
        root.children.push(std::mem::replace(
            &mut node,
            Node::new("", Status::Modified),
        ));
        diagnose_tree(&mut root);
        root.children[0].changes.iter().map(|c| c.cause).collect()
    }

    fn diagnose_tree(root: &mut Node) {
        annotate(root, Place::of_root(""), &[], &Differing::default(), &[]);
    }

    /// A text leaf named `name` after [`classify_leaf`] of `a` and `b`.
    fn classified_text(name: &str, a: &str, b: &str) -> Node {
        let mut node = Node::new(name, Status::Modified);
        node.diff = Some(Diff::Text {
            hunks: Vec::new(),
            truncated: false,
            fallback: None,
        });
        classify_leaf(name, &Leaf::Bytes, a.as_bytes(), b.as_bytes(), &mut node);
        node
    }

    /// A page qdoc wrote, its markup and its footer's words otherwise (as
    /// qtwebengine5-doc-html's backport has them): the template is named,
    /// not the markup rule's "the same text but a passage", which would
    /// leave it unexplained whatever the package's toolchain did.
    #[test]
    fn a_qdoc_page_is_its_template_before_its_markup() {
        let page = |translate: &str, logos: &str| {
            format!(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>Request | Qt WebEngine</title>\n</head>\n<body>\n<div class=\"header\" id=\"qtdocheader\">\n<h1 class=\"title\"{translate}>AuthenticationDialogRequest QML Type</h1>\n<p>A request for providing authentication credentials.</p>\n<div class=\"footer\"><p>Qt and {logos} are trademarks of The Qt Company Ltd.</p></div>\n</body>\n</html>\n"
            )
        };
        let a = page(" translate=\"no\"", "respective logos");
        let b = page("", "its logos");
        let node = classified_text("qml-request.html", &a, &b);
        let fields: Vec<&str> = node.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, [generator::TEMPLATE], "{:?}", node.changes);
        // The markup rule alone reads the same pair as other words.
        let markup = html::explain(a.as_bytes(), b.as_bytes()).expect("markup and words");
        assert!(markup.iter().any(|c| c.field == roff::WORDS), "{markup:?}");
    }

    /// A page that names its writer without a version (bup-doc's pages,
    /// pandoc 3.1 against 2.17, their style rules rewritten): that writer's
    /// template, `content` until the package's toolchain says otherwise.
    #[test]
    fn a_page_naming_an_unversioned_writer_is_its_template() {
        let page = |style: &str| {
            format!(
                "<!DOCTYPE html>\n<html>\n<head>\n  <meta name=\"generator\" content=\"pandoc\" />\n  <style>\n{style}\n  </style>\n</head>\n<body>\n<p>bup-bloom - generates, regenerates or updates bloom filters</p>\n</body>\n</html>\n"
            )
        };
        let a =
            page("    code { font-family: Menlo, Monaco, Consolas, monospace; hyphens: manual; }");
        let b = page("    code { font-family: Menlo, Monaco, 'Lucida Console', monospace; }");
        let node = classified_text("bup-bloom.1.html", &a, &b);
        let found: Vec<(&str, Option<String>, Option<Cause>)> = node
            .changes
            .iter()
            .map(|c| (c.field.as_str(), Change::shown(&c.a), c.cause))
            .collect();
        assert_eq!(
            found,
            [(
                generator::TEMPLATE,
                Some("an HTML page pandoc wrote".to_string()),
                Some(Cause::Content)
            )],
            "{:?}",
            node.changes
        );
    }

    /// Only whole absolute paths, or the part of one a renamed directory
    /// is, take the new names; the longest renamed part wins.
    #[test]
    fn renamed_names_are_whole_paths() {
        let renames: HashMap<String, String> = [
            ("usr/lib/udev", "lib/udev"),
            ("usr/lib/udev/helper", "lib/udev/helper2"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let mut used = Vec::new();
        let mut new = |t: &str| with_new_names(t, &renames, &mut used);
        assert_eq!(
            new("RUN+=\"/usr/lib/udev/helper usb\" /usr/lib/udev/rules.d/x"),
            "RUN+=\"/lib/udev/helper2 usb\" /lib/udev/rules.d/x"
        );
        // Not at a path's start, not a whole part of it, not absolute.
        for same in [
            "/opt/usr/lib/udev/x",
            "/usr/lib/udevx/y",
            "usr/lib/udev/x",
            "a/usr/lib/udev",
            "/usr/lib",
        ] {
            assert_eq!(new(same), same);
        }
        assert_eq!(new("/usr/lib/udev/"), "/lib/udev/");
        assert_eq!(
            used,
            [
                (
                    "usr/lib/udev/helper".to_string(),
                    "lib/udev/helper2".to_string()
                ),
                ("usr/lib/udev".to_string(), "lib/udev".to_string()),
            ]
        );
    }

    /// The role decides, whatever the field is called.
    #[test]
    fn roles_decide_not_names() {
        let mut n = Node::new("x.squashfs", Status::Modified);
        n.changes = vec![
            change(
                "root.inode_number",
                Role::Location,
                Value::Uint(1),
                Value::Uint(2),
            ),
            change("mtime", Role::Content, Value::text("a"), Value::text("b")),
            change(
                "renamed_date",
                Role::HeaderDate,
                Value::utc(1),
                Value::utc(2),
            ),
            change(
                "whatever",
                Role::Identifier,
                Value::Id("a".into()),
                Value::Id("b".into()),
            ),
            change("x.flags", Role::Packing, Value::hex(1u8), Value::hex(2u8)),
            change(
                "preparer",
                Role::Version,
                Value::text("X-1.5.4"),
                Value::text("X-1.5.6"),
            ),
        ];
        assert_eq!(
            causes_of(n),
            [
                Some(Cause::Consequential),
                Some(Cause::Content),
                Some(Cause::EmbeddedTimestamp),
                Some(Cause::RandomId),
                Some(Cause::CompressionMetadata),
                Some(Cause::Toolchain),
            ]
        );
    }

    /// SOURCE_DATE_EPOCH is the newest changelog entry's date; a date a
    /// build copied from the changelog's text without its zone (sendmail's
    /// m4 files: `2024-08-04 18:25:02` for `18:25:02 +0200`) is that date
    /// as its maintainer wrote it, so it follows the epoch too. A date two
    /// hours off with no zone written beside the epoch's does not.
    #[test]
    fn the_changelog_date_in_its_own_zone_is_the_epoch() {
        let written = |text: &str, secs: i64| Value::Written {
            text: text.into(),
            time: crate::report::Time::from_secs(secs),
        };
        // 2024-08-04T16:25:02Z and 2024-10-25T19:19:22Z.
        let (ea, eb) = (1_722_788_702, 1_729_883_962);
        let epoch = |a: &str, b: &str| {
            let mut c = change(
                "changelog.date",
                Role::Finding,
                written(a, ea),
                written(b, eb),
            );
            c.cause = Some(Cause::SourceDateEpoch);
            c
        };
        let local = || {
            let mut c = change(
                "text.timestamp",
                Role::Finding,
                Value::utc(ea + 7200),
                Value::utc(eb + 7200),
            );
            c.cause = Some(Cause::EmbeddedTimestamp);
            c
        };
        let tree = |log: Change| {
            let mut t = Node::new("", Status::Modified);
            t.changes = vec![log];
            let mut m4 = Node::new("autoconf.m4", Status::Modified);
            m4.changes = vec![local()];
            t.children = vec![m4];
            t
        };
        let followed = |mut t: Node| {
            let epochs = source_date_epochs(&t);
            follow_source_date_epoch(&mut t, &epochs);
            t.children[0].changes[0].cause
        };
        let t = tree(epoch(
            "Sun, 04 Aug 2024 18:25:02 +0200",
            "Fri, 25 Oct 2024 21:19:22 +0200",
        ));
        assert_eq!(followed(t), Some(Cause::SourceDateEpoch));
        let t = tree(epoch(
            "Sun, 04 Aug 2024 16:25:02 +0000",
            "Fri, 25 Oct 2024 19:19:22 +0000",
        ));
        assert_eq!(followed(t), Some(Cause::EmbeddedTimestamp));
        assert_eq!(
            written_zone("Tue, 15 Aug 2023 19:39:00 -0400"),
            Some(-14_400)
        );
        assert_eq!(written_zone("Tue, 15 Aug 2023 19:39:00 +5"), None);
        assert_eq!(written_zone("Tue, 15 Aug 2023 19:39:00 UTC"), None);
    }

    /// A field derived from another is consequential only when that one
    /// changed too.
    #[test]
    fn follows_makes_derived_values_consequential() {
        let guid = |field: &str| {
            let mut c = change(
                field,
                Role::Identifier,
                Value::Id("a".into()),
                Value::Id("b".into()),
            );
            c.follows = vec!["disk".into()];
            c
        };
        let mut n = Node::new("d", Status::Modified);
        n.changes = vec![
            change(
                "disk",
                Role::Identifier,
                Value::Id("1".into()),
                Value::Id("2".into()),
            ),
            guid("p1"),
        ];
        assert_eq!(
            causes_of(n),
            [Some(Cause::RandomId), Some(Cause::Consequential)]
        );
        let mut alone = Node::new("d", Status::Modified);
        alone.changes = vec![guid("p1")];
        assert_eq!(causes_of(alone), [Some(Cause::RandomId)]);
    }

    /// An entry time equal to its container's changed header date came from it.
    #[test]
    fn entry_times_from_the_volume_date_are_consequential() {
        let mut iso = Node::new("", Status::Modified);
        iso.changes = vec![change(
            "vol",
            Role::HeaderDate,
            Value::utc(10),
            Value::utc(20),
        )];
        let mut cat = Node::new("boot.cat", Status::Modified);
        cat.changes = vec![change(
            "mtime",
            Role::EntryTime,
            Value::utc(10),
            Value::utc(20),
        )];
        let mut other = Node::new("f", Status::Modified);
        other.changes = vec![change(
            "mtime",
            Role::EntryTime,
            Value::utc(10),
            Value::utc(30),
        )];
        iso.children = vec![cat, other];
        annotate(
            &mut iso,
            Place::of_root(""),
            &[],
            &Differing::default(),
            &[],
        );
        assert_eq!(iso.children[0].changes[0].cause, Some(Cause::Consequential));
        assert_eq!(iso.children[1].changes[0].cause, Some(Cause::Mtime));
        assert_eq!(iso.children[1].causes, [Cause::Mtime]);
    }

    /// The cause the package toolchain rule leaves on the first change of
    /// `leaf`, in a package of `others` and it.
    fn code_cause_in_package(others: Vec<Node>, leaf: Node) -> Option<Cause> {
        let mut root = Node::new("", Status::Modified);
        root.children
            .push(Node::new("control.tar.xz", Status::Modified));
        root.children.extend(others);
        root.children.push(leaf);
        python::name_interpreters(&mut root);
        follow_package_toolchain(&mut root);
        let leaf = root.children.last()?;
        leaf.changes
            .iter()
            .find(|c| c.field.contains(".section."))
            .and_then(|c| c.cause)
    }

    /// A package's changelog, with the entry of a rebuild for `release`
    /// when `rebuilt`.
    fn changelog_node(address: &str, rebuilt: bool, release: &str) -> Node {
        let mut log = Node::new(address, Status::Modified);
        if rebuilt {
            log.changes.push(Change::finding(
                changelog::REBUILD,
                Value::text("(none)"),
                Value::text(format!("rebuilt for {release} with no source change")),
                Cause::Toolchain,
            ));
        }
        log
    }

    /// A package whose Python extension was renamed by its ABI tag: the
    /// extension's code differences follow that evidence; in a package
    /// with no such evidence they stay content.
    #[test]
    fn an_extension_built_for_another_python_is_the_toolchain() {
        let package = |abi: bool| {
            let mut so = Node::new(
                "data.tar.xz::./usr/lib/python3/dist-packages/x.cpython-311-x86_64-linux-gnu.so",
                Status::Modified,
            );
            if abi {
                so.changes.push(Change::new(
                    "path",
                    Role::Name,
                    Some(Value::text(
                        "./usr/lib/python3/dist-packages/x.cpython-313-x86_64-linux-gnu.so",
                    )),
                    Some(Value::text(
                        "./usr/lib/python3/dist-packages/x.cpython-311-x86_64-linux-gnu.so",
                    )),
                ));
            }
            so.changes.push(Change::finding(
                "elf.section..text",
                Value::text("1 of 3 functions differ"),
                Value::text("f"),
                Cause::Content,
            ));
            code_cause_in_package(Vec::new(), so)
        };
        assert_eq!(package(true), Some(Cause::Consequential));
        assert_eq!(package(false), Some(Cause::Content));
        let tag = |s: &str| python::abi_tag(&Some(Value::text(s))).map(str::to_string);
        assert_eq!(
            tag("./usr/lib/python3/dist-packages/x.cpython-313-x86_64-linux-gnu.so").as_deref(),
            Some("cpython-313")
        );
        assert_eq!(tag("x.cpython-.so"), None);
        assert_eq!(tag("x.so"), None);
    }

    /// memtest86+'s EFI images in a package only rebuilt for the backport
    /// (`changelog.rebuild`): their code sections differ as compiled code
    /// does, and follow that evidence; without it they stay content.
    #[test]
    fn pe_sections_follow_the_package_toolchain() {
        let package = |rebuilt: bool| {
            let log = changelog_node(
                "data.tar.xz::./usr/share/doc/memtest86+/changelog.Debian.gz::<content>",
                rebuilt,
                "bookworm-backports",
            );
            let mut efi = Node::new("data.tar.xz::./boot/memtest86+x64.efi", Status::Modified);
            efi.changes.push(Change::finding(
                "pe.section..text",
                Value::text("byte 0x8e (110776 bytes differ from section offset 0x215)"),
                Value::text("byte 0x87"),
                Cause::Content,
            ));
            code_cause_in_package(vec![log], efi)
        };
        assert_eq!(package(true), Some(Cause::Consequential));
        assert_eq!(package(false), Some(Cause::Content));
    }

    /// A package with three kinds of toolchain evidence, in tree order: Qt's
    /// uic version in its headers (libqgis-dev, 526 of them), CMake's in a
    /// targets file, and the changelog's rebuild entry. Code follows the
    /// first; a CMake template follows CMake's version, not uic's; a man
    /// page's markup, naming no generator that changed, follows the
    /// rebuild.
    #[test]
    fn a_document_follows_the_evidence_of_its_own_tool() {
        let generator = |address: &str, a: &str, b: &str| {
            let mut n = Node::new(address, Status::Modified);
            n.changes.push(Change::finding(
                generator::FIELD,
                Value::text(a),
                Value::text(b),
                Cause::Toolchain,
            ));
            n
        };
        let finding = |address: &str, field: &str, a: &str| {
            let mut n = Node::new(address, Status::Modified);
            n.changes.push(Change::finding(
                field,
                Value::text(a),
                Value::text("other"),
                Cause::Content,
            ));
            n
        };
        let log = changelog_node(
            "data.tar.xz::./usr/share/doc/x/changelog.Debian.gz::<content>",
            true,
            "bookworm-backports",
        );
        let mut root = Node::new("", Status::Modified);
        root.children.extend([
            Node::new("control.tar.xz", Status::Modified),
            generator(
                "data.tar.xz::./usr/include/x/ui_a.h",
                "Qt User Interface Compiler 5.15.15",
                "Qt User Interface Compiler 5.15.8",
            ),
            generator(
                "data.tar.xz::./usr/lib/cmake/X/XTargets.cmake",
                "CMake, policies 2.8.3...3.29",
                "CMake, policies 2.8.3...3.23",
            ),
            finding(
                "data.tar.xz::./usr/include/x/x_export.h",
                generator::TEMPLATE,
                "CMake's export header template",
            ),
            finding(
                "data.tar.xz::./usr/lib/x/x.so",
                "elf.section..text",
                "byte 0x8e",
            ),
            log,
            finding(
                "data.tar.xz::./usr/share/man/man1/x.1.gz::<content>",
                roff::FIELD,
                "roff markup",
            ),
        ]);
        follow_package_toolchain(&mut root);
        let follows = |address: &str| {
            let n = root.children.iter().find(|n| n.address == address)?;
            let c = n.changes.first()?;
            (c.cause == Some(Cause::Consequential)).then(|| c.follows.join(" "))
        };
        assert_eq!(
            follows("data.tar.xz::./usr/include/x/x_export.h").as_deref(),
            Some("data.tar.xz::./usr/lib/cmake/X/XTargets.cmake: text.generator")
        );
        assert_eq!(
            follows("data.tar.xz::./usr/lib/x/x.so").as_deref(),
            Some("data.tar.xz::./usr/include/x/ui_a.h: text.generator")
        );
        assert_eq!(
            follows("data.tar.xz::./usr/share/man/man1/x.1.gz::<content>").as_deref(),
            Some(
                "data.tar.xz::./usr/share/doc/x/changelog.Debian.gz::<content>: changelog.rebuild"
            )
        );
    }

    /// An ELF pair past the size other leaves are classified up to (a
    /// 98 MB librustc_driver): still read section by section. The gcc-12
    /// and gcc-11 builds with 64 MiB of padding after them.
    #[test]
    fn a_large_elf_is_still_read_by_its_sections() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diagnose");
        let read = |n: &str| {
            let mut d = std::fs::read(dir.join(n)).expect("fixture");
            d.resize(MAX_CLASSIFY_BYTES + 1, 0);
            d
        };
        let (a, b) = (read("toolchain.a"), read("toolchain.b"));
        let mut node = Node::new("x", Status::Modified);
        crate::explain_leaf("x", &a, &b, &mut node);
        assert!(
            node.changes
                .iter()
                .any(|c| c.field == "elf.section..comment" && c.cause == Some(Cause::Toolchain)),
            "{:?}",
            node.changes
        );
    }

    /// libwayland-doc's mdBook tree: its pages a template, following the
    /// package's rebuild entry; the style sheet beside them follows the
    /// page, a file made a link does not, and an asset under a page that
    /// names its generator's version follows that page instead.
    #[test]
    fn assets_beside_template_pages_follow_them() {
        let limits = crate::engine::content::DiffLimits::default();
        let node = |address: &str, field: Option<&str>| {
            let mut n = Node::new(address, Status::Modified);
            n.diff = Some(crate::engine::content::text_diff("a\n", "b\n", &limits));
            if let Some(f) = field {
                let (a, cause) = if f == generator::FIELD {
                    ("pydoctor 24.11.2", Cause::Toolchain)
                } else {
                    ("an HTML page mdBook wrote", Cause::Content)
                };
                n.changes.push(Change::finding(
                    f,
                    Value::text(a),
                    Value::text("other"),
                    cause,
                ));
            }
            n
        };
        let book = "data.tar.xz::./usr/share/doc/x/book/";
        let mut linked = node(&format!("{book}css/linked.css"), None);
        linked.changes.push(Change::new(
            "kind",
            Role::Content,
            Some(Value::text("file")),
            Some(Value::text("symlink")),
        ));
        let mut root = Node::new("", Status::Modified);
        root.children.extend([
            Node::new("control.tar.xz", Status::Modified),
            changelog_node(
                "data.tar.xz::./usr/share/doc/x/changelog.Debian.gz::<content>",
                true,
                "trixie-backports",
            ),
            node(&format!("{book}index.html"), Some(generator::TEMPLATE)),
            node(&format!("{book}css/chrome.css"), None),
            linked,
            node(&format!("{book}api/index.html"), Some(generator::FIELD)),
            node(&format!("{book}api/apidocs.css"), None),
        ]);
        follow_package_toolchain(&mut root);
        follow_document_generators(&mut root);
        let follows = |name: &str| {
            let n = root
                .children
                .iter()
                .find(|n| n.address == format!("{book}{name}"))?;
            let c = n.changes.iter().find(|c| c.field == "text.other")?;
            Some(c.follows.join(" "))
        };
        assert_eq!(
            follows("css/chrome.css").as_deref(),
            Some(format!("{book}index.html: text.template").as_str())
        );
        assert_eq!(follows("css/linked.css"), None);
        assert_eq!(
            follows("api/apidocs.css").as_deref(),
            Some(format!("{book}api/index.html: text.generator").as_str())
        );
    }

    /// mesa-libgallium's driver links in forky and in its trixie backport:
    /// the library they point at is named after the package's version, so
    /// the rebuild's suffix is in the target. Another target is content.
    #[test]
    fn a_link_to_a_name_with_the_package_version_is_that_version() {
        let link = |b: &str| {
            Change::new(
                "target",
                Role::LinkTarget,
                Some(Value::text("../libgallium-26.1.6-1.so")),
                Some(Value::text(b)),
            )
        };
        let node = Node::new(
            "data.tar.xz::./usr/lib/dri/r600_drv_video.so",
            Status::Modified,
        );
        let cause = |b: &str| field_cause(&link(b), &node, &[]);
        assert_eq!(
            cause("../libgallium-26.1.6-1~bpo13+1.so"),
            Cause::PackageVersion
        );
        assert_eq!(cause("../libgallium-26.1.7-1.so"), Cause::Content);
    }

    /// limnoria's prerm in forky and in its trixie backport: dh_python3's
    /// snippet alone differs (`&& python3 -c 'pass'` dropped). Named as
    /// that tool's text, `content` on its own; after the changelog's
    /// rebuild entry, it follows that.
    #[test]
    fn a_tool_snippet_follows_the_package_toolchain() {
        let prerm = |test: &str| {
            format!(
                "#!/bin/sh\nset -e\n\n# Automatically added by dh_python3\n\
                 if command -v py3clean >/dev/null 2>&1{test}; then\n\
                 \tpy3clean -p limnoria \nelse\n\tdpkg -L limnoria\nfi\n\
                 # End automatically added section\n"
            )
        };
        let (a, b) = (prerm(" && python3 -c 'pass' 2>/dev/null"), prerm(""));
        let package = |rebuilt: bool| {
            let mut leaf = Node::new("control.tar.xz::./prerm", Status::Modified);
            let limits = crate::engine::content::DiffLimits::default();
            leaf.diff = Some(crate::engine::content::text_diff(&a, &b, &limits));
            crate::explain_leaf(
                "control.tar.xz::./prerm",
                a.as_bytes(),
                b.as_bytes(),
                &mut leaf,
            );
            let log = changelog_node(
                "data.tar.xz::./usr/share/doc/limnoria/changelog.Debian.gz::<content>",
                rebuilt,
                "trixie-backports",
            );
            let mut control = Node::new("control.tar.xz", Status::Modified);
            control.children.push(leaf);
            let mut root = Node::new("", Status::Modified);
            root.children.extend([control, log]);
            follow_package_toolchain(&mut root);
            let leaf = root.children.first()?.children.first()?;
            let c = leaf
                .changes
                .iter()
                .find(|c| c.field == generator::SNIPPETS)?;
            Some((Change::shown(&c.a)?, c.cause?, c.follows.clone()))
        };
        let named = "maintainer script snippets dh_python3 added".to_string();
        assert_eq!(
            package(false),
            Some((named.clone(), Cause::Content, vec![]))
        );
        assert_eq!(
            package(true),
            Some((
                named,
                Cause::Consequential,
                vec![
                    "data.tar.xz::./usr/share/doc/limnoria/changelog.Debian.gz::<content>: \
                     changelog.rebuild"
                        .to_string()
                ]
            ))
        );
    }

    /// fdroidserver's `fdroid` script in trixie and in its bookworm
    /// backport (testdata/gen/debian-fragments.sh): `#! /usr/bin/python3`
    /// against `#!/usr/bin/python3`, nothing else. Named, `content` on its
    /// own; in a package whose toolchain changed (here its PKG-INFO's
    /// core metadata version), it follows that change.
    #[test]
    fn a_respaced_interpreter_line_follows_the_package_toolchain() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/diagnose");
        let read = |n: &str| std::fs::read(dir.join(n)).expect("fixture");
        let (a, b) = (read("fdroid.a"), read("fdroid.b"));
        let c = shebang_spacing(&a, &b).expect("the interpreter line alone");
        assert_eq!(Change::shown(&c.a).as_deref(), Some("#! /usr/bin/python3"));
        assert_eq!(c.shown_b().as_deref(), Some("#!/usr/bin/python3"));
        // Another interpreter, or anything else changed: not this.
        let other = [b"#!/usr/bin/python3.13".as_slice(), &b[18..]].concat();
        assert!(shebang_spacing(&a, &other).is_none());
        let mut more = b.clone();
        *more.last_mut().expect("bytes") ^= 1;
        assert!(shebang_spacing(&a, &more).is_none());
        assert!(shebang_spacing(b"#! ", b"#!").is_none());
        assert!(shebang_spacing(b"#! \r\nx", b"#!\r\nx").is_none());
        assert!(shebang_spacing(b"#! /bin/sh\r\nx", b"#!/bin/sh\r\nx").is_some());
        let package = |toolchain: bool| {
            let mut root = Node::new("", Status::Modified);
            root.children
                .push(Node::new("control.tar.xz", Status::Modified));
            let mut info = Node::new("data.tar.xz::./x.egg-info/PKG-INFO", Status::Modified);
            if toolchain {
                info.changes.push(Change::finding(
                    generator::FIELD,
                    Value::text("Python core metadata 2.4"),
                    Value::text("Python core metadata 2.1"),
                    Cause::Toolchain,
                ));
            }
            root.children.push(info);
            let mut script = Node::new("data.tar.xz::./usr/bin/fdroid", Status::Modified);
            script.diff = Some(Diff::Text {
                hunks: Vec::new(),
                truncated: false,
                fallback: None,
            });
            classify_leaf("fdroid", &Leaf::Bytes, &a, &b, &mut script);
            root.children.push(script);
            follow_package_toolchain(&mut root);
            let c = root.children[2]
                .changes
                .iter()
                .find(|c| c.field == SHEBANG)
                .expect("named")
                .clone();
            (c.cause, c.follows)
        };
        assert_eq!(package(false), (Some(Cause::Content), vec![]));
        assert_eq!(
            package(true),
            (
                Some(Cause::Consequential),
                vec!["data.tar.xz::./x.egg-info/PKG-INFO: text.generator".to_string()]
            )
        );
    }

    /// Doxygen hashes its anchors: in a page another Doxygen version wrote,
    /// the ids that differ follow that version instead of being random.
    #[test]
    fn language_tags_in_another_syntax_are_named() {
        // cockpit-machines' metainfo, trixie against bookworm-backports.
        let a = "<name xml:lang=\"zh-Hant-TW\">機器</name>\n<name xml:lang=\"zh-Hans-CN\">主机</name>\n<p xml:lang=\"sr-Latn\">x</p>\n<p xml:lang=\"de\">y</p>\n";
        let b = "<name xml:lang=\"zh_TW\">機器</name>\n<name xml:lang=\"zh_CN\">主机</name>\n<p xml:lang=\"sr@latin\">x</p>\n<p xml:lang=\"de\">y</p>\n";
        let c = language_tags(a.as_bytes(), b.as_bytes()).expect("the same languages");
        assert_eq!(c.field, LANGUAGE_TAGS);
        assert_eq!(c.cause, Some(Cause::Content));
        assert_eq!(
            Change::shown(&c.a).as_deref(),
            Some("xml:lang=\"zh-Hant-TW\"")
        );
        assert_eq!(c.more, 2);
        let mut node = Node::new("metainfo.xml", Status::Modified);
        node.diff = Some(Diff::Text {
            hunks: Vec::new(),
            truncated: false,
            fallback: None,
        });
        classify_leaf("m.xml", &Leaf::Bytes, a.as_bytes(), b.as_bytes(), &mut node);
        assert!(
            node.changes.iter().any(|c| c.field == LANGUAGE_TAGS),
            "{:?}",
            node.changes
        );
        // Another language, another script, or other text: not this.
        for other in [
            b.replace("zh_CN", "zh_SG"),
            b.replace("sr@latin", "sr@cyrillic"),
            b.replace("sr@latin", "sr"),
            b.replace("主机", "机器"),
        ] {
            assert!(
                language_tags(a.as_bytes(), other.as_bytes()).is_none(),
                "{other}"
            );
        }
        assert!(language_tags(a.as_bytes(), a.as_bytes()).is_none());
        // A script the region does not imply, or a variety for a script.
        let tw = |t: &str| format!("<p xml:lang=\"{t}\">x</p>\n");
        assert!(language_tags(tw("zh-Hans-TW").as_bytes(), tw("zh_TW").as_bytes()).is_none());
        assert!(language_tags(tw("ca").as_bytes(), tw("ca@valencia").as_bytes()).is_none());
        assert!(language_tags(tw("pt-BR").as_bytes(), tw("pt_BR").as_bytes()).is_some());
        // A script as a locale's second part (cockpit-podman's metainfo:
        // `zh-Hant` against `zh_Hant`); another script there is not.
        assert!(language_tags(tw("zh-Hant").as_bytes(), tw("zh_Hant").as_bytes()).is_some());
        assert!(language_tags(tw("zh-Hant").as_bytes(), tw("zh_Hans").as_bytes()).is_none());
        assert!(language_tags(tw("sr-Latn-RS").as_bytes(), tw("sr_Latn_RS").as_bytes()).is_some());
        assert!(language_tags(tw("sr-Latn").as_bytes(), tw("sr_Lat1").as_bytes()).is_none());
        assert!(language_tags(tw("sr-Latn").as_bytes(), tw("sr_Latn@latin").as_bytes()).is_none());
        assert!(language_tags(b"xml:lang=\"", b"xml:lang=\"").is_none());
    }

    #[test]
    fn ids_a_generator_computes_follow_its_version() {
        let page = |v: &str, id: &str| {
            format!("<!-- Generated by Doxygen {v} -->\n<a id=\"{id}\"></a>\n<p>text</p>\n")
        };
        let (a, b) = (
            page("1.9.8", "a61a7a80a68eaccbaaa28269e678c81a9"),
            page("1.9.4", "abb709ec38f2970677e4e57d1d30be96d"),
        );
        let mut node = Node::new("x.html", Status::Modified);
        node.diff = Some(Diff::Text {
            hunks: Vec::new(),
            truncated: false,
            fallback: None,
        });
        classify_leaf(
            "x.html",
            &Leaf::Bytes,
            a.as_bytes(),
            b.as_bytes(),
            &mut node,
        );
        let causes: Vec<(&str, Option<Cause>)> = node
            .changes
            .iter()
            .map(|c| (c.field.as_str(), c.cause))
            .collect();
        assert!(
            causes.contains(&("text.generator", Some(Cause::Toolchain))),
            "{causes:?}"
        );
        assert!(
            !causes.iter().any(|(_, c)| *c == Some(Cause::RandomId)),
            "{causes:?}"
        );
    }
    /// A changelog explained entry by entry is not read for generators:
    /// its prose (an entry saying what regenerated a file, with a version
    /// on one side only) names no tool that wrote the changelog.
    #[test]
    fn a_changelog_prose_names_no_generator() {
        let entry = |v: &str, body: &str, date: &str| {
            format!("hello ({v}) unstable; urgency=medium\n\n  * {body}\n\n -- Jane Doe <jane@example.org>  {date}\n\n")
        };
        let old = entry(
            "2.10-2",
            "Configure script generated by autoconf 2.71.",
            "Mon, 01 May 2023 10:00:00 +0000",
        );
        let a = format!(
            "{}{old}",
            entry(
                "2.10-3",
                "Configure script generated by autoconf 2.72.",
                "Fri, 04 Aug 2023 17:32:05 -0400"
            )
        );
        let mut node = Node::new("changelog.Debian", Status::Modified);
        node.diff = Some(Diff::Text {
            hunks: Vec::new(),
            truncated: false,
            fallback: None,
        });
        classify_leaf(
            "changelog.Debian",
            &Leaf::Bytes,
            a.as_bytes(),
            old.as_bytes(),
            &mut node,
        );
        let fields: Vec<&str> = node.changes.iter().map(|c| c.field.as_str()).collect();
        assert!(fields.contains(&"changelog.entry"), "{fields:?}");
        assert!(!fields.contains(&generator::FIELD), "{fields:?}");
    }
}
