//! The report: one model of a comparison, built once by the engine and
//! serialized with serde. Every presenter (text, JSON, markdown, the TUI)
//! reads this and nothing else. Its JSON form is the `reprodiff/2` contract
//! documented in `report/SCHEMA.md`; a test parses output back into these
//! very structs, so changing a field here is a schema change.

use serde::{Deserialize, Serialize};

pub mod address;

pub use address::Address;
pub use reprodiff_value::{Kind, Role, Time, Value, Zone};

pub const SCHEMA: &str = "reprodiff/2";

/// The `reason` of a `hash` diff whose entry the comparison's deadline
/// (`--timeout`) reached before its content was compared.
pub const TIMEOUT: &str = "timeout";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Identical,
    Different,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Added,
    Removed,
    Modified,
    Identical,
}

impl Status {
    pub fn letter(self) -> char {
        match self {
            Status::Added => 'A',
            Status::Removed => 'R',
            Status::Modified => 'M',
            Status::Identical => '=',
        }
    }

    /// The status as a word, as the JSON spells it.
    pub fn word(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Modified => "modified",
            Status::Identical => "identical",
        }
    }
}

/// One input image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub path: String,
    pub size: u64,
    /// Hex SHA-256 of the input; empty when it was not computed (a run
    /// with `--no-input-digests`).
    pub sha256: String,
}

impl Input {
    /// The digest as the reports print it.
    pub fn sha256_shown(&self) -> &str {
        if self.sha256.is_empty() {
            "not computed"
        } else {
            &self.sha256
        }
    }
}

/// Counts over the whole tree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Entries compared (both sides present), at every level.
    pub compared: u64,
    pub identical: u64,
    pub modified: u64,
    pub added: u64,
    pub removed: u64,
    /// Nodes carrying at least one error.
    pub errors: u64,
    /// Nodes compared by hash only because a limit was reached.
    pub fallbacks: u64,
    /// Of those, the nodes the deadline (`--timeout`) cut: their diff is a
    /// `hash` diff whose reason is [`TIMEOUT`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeouts: u64,
    /// Nodes per cause (filled by diagnosis).
    #[serde(default)]
    pub causes: std::collections::BTreeMap<Cause, u64>,
}

/// Why two builds differ: the closed vocabulary of diagnosis, documented in
/// `report/SCHEMA.md` (a test holds the two together). Declaration order
/// is the documented order, used to sort a node's causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    Mtime,
    SourceDateEpoch,
    EmbeddedTimestamp,
    BuildPath,
    Ordering,
    CompressionMetadata,
    BuildId,
    Permissions,
    Ownership,
    RandomId,
    Locale,
    HostnameOrKernel,
    Toolchain,
    Renamed,
    Consequential,
    PackageVersion,
    Added,
    Removed,
    Content,
}

impl Cause {
    /// Every cause, in the documented order.
    pub const ALL: [Cause; 19] = [
        Cause::Mtime,
        Cause::SourceDateEpoch,
        Cause::EmbeddedTimestamp,
        Cause::BuildPath,
        Cause::Ordering,
        Cause::CompressionMetadata,
        Cause::BuildId,
        Cause::Permissions,
        Cause::Ownership,
        Cause::RandomId,
        Cause::Locale,
        Cause::HostnameOrKernel,
        Cause::Toolchain,
        Cause::Renamed,
        Cause::Consequential,
        Cause::PackageVersion,
        Cause::Added,
        Cause::Removed,
        Cause::Content,
    ];

    /// The name the JSON and every presenter use.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Mtime => "mtime",
            Cause::SourceDateEpoch => "source-date-epoch",
            Cause::EmbeddedTimestamp => "embedded-timestamp",
            Cause::BuildPath => "build-path",
            Cause::Ordering => "ordering",
            Cause::CompressionMetadata => "compression-metadata",
            Cause::BuildId => "build-id",
            Cause::Permissions => "permissions",
            Cause::Ownership => "ownership",
            Cause::RandomId => "random-id",
            Cause::Locale => "locale",
            Cause::HostnameOrKernel => "hostname-or-kernel",
            Cause::Toolchain => "toolchain",
            Cause::Renamed => "renamed",
            Cause::Consequential => "consequential",
            Cause::PackageVersion => "package-version",
            Cause::Added => "added",
            Cause::Removed => "removed",
            Cause::Content => "content",
        }
    }

    /// The cause of a name, as `--filter` or a loaded report writes it.
    pub fn parse(name: &str) -> Option<Cause> {
        Cause::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// Causes compare with their names, so checks read as the JSON does.
impl PartialEq<str> for Cause {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Cause {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field that differs: metadata (`mtime`, `mode`...), a header field
/// (`pvd.modification_date`...), `order` of members, or a finding of the
/// content analysis (`text.timestamp`, `elf.section..comment`...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    /// What the field means, as the reader (or the engine) stated it;
    /// diagnosis decides from this, never from `field`.
    pub role: Role,
    pub a: Option<Value>,
    pub b: Option<Value>,
    /// For a finding of several differing tokens of one kind: how many more
    /// there are beyond the one shown.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more: u64,
    /// What the change is about when that is another entry: the path a
    /// checksum-list line names, the package a file belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Fields this one is derived from (see the reader that set it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follows: Vec<String>,
    /// Why this field differs; set by diagnosis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Change {
    /// A change of a field with this role; no cause yet.
    pub fn new(field: impl Into<String>, role: Role, a: Option<Value>, b: Option<Value>) -> Change {
        Change {
            field: field.into(),
            role,
            a,
            b,
            more: 0,
            subject: None,
            follows: Vec::new(),
            cause: None,
        }
    }

    /// A finding of the content analysis, with its cause.
    pub fn finding(field: impl Into<String>, a: Value, b: Value, cause: Cause) -> Change {
        Change {
            cause: Some(cause),
            ..Change::new(field, Role::Finding, Some(a), Some(b))
        }
    }

    /// `a`, as every presenter shows it (`—`-free: absent is `None`).
    pub fn shown(v: &Option<Value>) -> Option<String> {
        v.as_ref().map(|v| v.to_string())
    }

    /// `b` as shown, with the count of further differing tokens.
    pub fn shown_b(&self) -> Option<String> {
        let b = Change::shown(&self.b)?;
        Some(if self.more > 0 {
            format!("{b} (and {} more)", self.more)
        } else {
            b
        })
    }
}

/// Bytes that may or may not be text, as they travel in the JSON report
/// (`{"text": "..."}` or `{"bytes": "<lowercase hex>"}`): valid UTF-8 goes
/// as text so the report stays readable, anything else as bytes so nothing
/// is lost to a lossy conversion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Data {
    Text(String),
    Bytes(#[serde(with = "reprodiff_value::hex_bytes")] Vec<u8>),
}

impl Data {
    /// Text when `b` is valid UTF-8, else bytes.
    pub fn from_bytes(b: &[u8]) -> Data {
        match std::str::from_utf8(b) {
            Ok(s) => Data::Text(s.to_string()),
            Err(_) => Data::Bytes(b.to_vec()),
        }
    }

    /// The raw bytes, whichever way they travel.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Data::Text(s) => s.as_bytes(),
            Data::Bytes(b) => b,
        }
    }
}

/// Which side or sides a line of a text diff is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineTag {
    /// On both sides, unchanged (shown around changes).
    Context,
    /// Only on side a.
    Delete,
    /// Only on side b.
    Insert,
}

/// One line of a text diff hunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub tag: LineTag,
    /// The line as the entry holds it, with its terminator (`\n`, `\r\n`
    /// or `\r`); only the last line of a side can lack one.
    pub line: Data,
}

/// A run of changed lines with the unchanged lines around them (3 on each
/// side, fewer at the ends of the text), as a unified diff hunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunk {
    /// Number (from 1) of the hunk's first line in side a. When `a_len`
    /// is 0 the hunk has no line in a and this is the number its lines
    /// would have there (one past the line before it).
    pub a_start: u64,
    /// Lines of side a the hunk spans (context and deleted lines), also
    /// when `lines` was cut short by the line budget.
    pub a_len: u64,
    /// The same for side b (context and inserted lines).
    pub b_start: u64,
    pub b_len: u64,
    /// Context, deleted and inserted lines in order; side a's line numbers
    /// count up from `a_start` over context and deleted lines, side b's
    /// from `b_start` over context and inserted lines.
    pub lines: Vec<DiffLine>,
}

/// A run of bytes that differs between the two sides of one entry, with
/// the bytes of each side around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteRange {
    /// Offset within the entry (both sides: ranges are aligned by offset).
    pub offset: u64,
    pub len: u64,
    /// Offset within the entry of the first byte of `a` and of `b`: the
    /// range's offset rounded down to a 16-byte row.
    pub start: u64,
    /// Side a's bytes from `start`, in whole 16-byte rows (the last one
    /// shorter at the end of the entry) up to the row holding the range's
    /// last byte or a row limit; empty where side a ends before `start`.
    #[serde(with = "reprodiff_value::hex_bytes")]
    pub a: Vec<u8>,
    /// Side b's bytes from `start`, the same way.
    #[serde(with = "reprodiff_value::hex_bytes")]
    pub b: Vec<u8>,
}

/// How the content of an entry differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Diff {
    /// A line diff, as unified diff hunks.
    Text {
        hunks: Vec<Hunk>,
        /// Set when hunks were cut to the line limit.
        #[serde(default)]
        truncated: bool,
        /// Why the diff is less than it could be, if it is: the line diff
        /// reached its deadline (correct hunks, perhaps not the smallest).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fallback: Option<String>,
    },
    /// Differing byte ranges, with the bytes around those ranges only.
    Binary {
        size_a: u64,
        size_b: u64,
        /// Bytes that differ in total (over the common length, plus the size difference).
        differing_bytes: u64,
        ranges: Vec<ByteRange>,
        #[serde(default)]
        truncated: bool,
        /// Why text is shown as bytes, if it is (larger than the line-diff
        /// budget).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fallback: Option<String>,
    },
    /// Only hashes were compared (a limit was reached); `reason` says which.
    /// A digest is absent when it could not be had cheaply: the comparison
    /// reached its deadline before decoding that side (the node's sizes are
    /// then all that is known besides its stored bytes differing).
    Hash {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256_a: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sha256_b: Option<String>,
        reason: String,
    },
}

impl Diff {
    /// A digest of a `hash` diff as every presenter shows it.
    pub fn digest_shown(d: &Option<String>) -> &str {
        d.as_deref().unwrap_or("(not computed)")
    }

    /// The note of a limit that made this diff coarser, if one did.
    pub fn fallback(&self) -> Option<&str> {
        match self {
            Diff::Text { fallback, .. } | Diff::Binary { fallback, .. } => fallback.as_deref(),
            Diff::Hash { .. } => None,
        }
    }
}

/// One node of the difference tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// The `::` address, as `reprodiff ls` prints it; empty for the images themselves.
    pub address: String,
    pub status: Status,
    /// Entry kind (`file`, `dir`...); side b's when the kinds differ (the change lists both).
    pub kind: Option<Kind>,
    /// Container format chain when the entry was opened as a container.
    pub format: Option<String>,
    pub size_a: Option<u64>,
    pub size_b: Option<u64>,
    /// Where the entry's bytes start in the outer image file, on each side,
    /// when they are stored there as is (not inside a compressed layer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_offset_a: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_offset_b: Option<u64>,
    #[serde(default)]
    pub changes: Vec<Change>,
    pub diff: Option<Diff>,
    #[serde(default)]
    pub causes: Vec<Cause>,
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub children: Vec<Node>,
    /// SHA-256 (hex) of an entry known equal on both sides without being
    /// opened: a release folder's identical artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// SHA-256 of both sides' bytes of a nested container that differs,
    /// so one pair of images met at two addresses is reported once. Not
    /// written to reports.
    #[serde(skip)]
    pub same_bytes: Option<[u8; 32]>,
}

impl Node {
    pub fn new(address: impl Into<String>, status: Status) -> Node {
        Node {
            address: address.into(),
            status,
            kind: None,
            format: None,
            size_a: None,
            size_b: None,
            image_offset_a: None,
            image_offset_b: None,
            changes: Vec::new(),
            diff: None,
            causes: Vec::new(),
            errors: Vec::new(),
            children: Vec::new(),
            sha256: None,
            same_bytes: None,
        }
    }

    /// Visits this node and all below it, depth first.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        for c in &self.children {
            c.visit(f);
        }
    }
}

/// A run of differing bytes of one (possibly nested) image, and what owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    /// Address of the image or nested container the offsets are in.
    pub container: String,
    pub offset: u64,
    pub len: u64,
    /// Owners in side a: entry addresses or structure names (`pvd`, `superblock`...).
    pub owners_a: Vec<String>,
    /// Owners in side b.
    pub owners_b: Vec<String>,
    /// The owners that are entries with no difference of their own in the
    /// report: their bytes lie here because they moved (something before
    /// them grew) or share a block with a changed neighbour.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchanged: Vec<String>,
}

impl Region {
    /// `owners` joined for display, each unchanged entry marked so.
    pub fn owners_text(&self, owners: &[String]) -> String {
        let marked: Vec<String> = owners
            .iter()
            .map(|o| {
                if self.unchanged.contains(o) {
                    format!("{o} (unchanged)")
                } else {
                    o.clone()
                }
            })
            .collect();
        marked.join(", ")
    }
}

/// A root cause: differences with one cause and one shape ("mtime differs
/// by +1h", "same date pattern replaced"), with every address it explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub cause: Cause,
    /// What the members have in common, in words.
    pub shape: String,
    /// Number of member nodes.
    pub count: u64,
    /// The member that shows the group best: one whose only cause is the
    /// group's, with a content diff when there is one (set by diagnosis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<String>,
    /// Addresses of the member nodes, sorted.
    pub addresses: Vec<String>,
}

/// What was left out of a report written under a size cap
/// (`--max-report-size`): whole nodes, regions and group addresses, so
/// what remains is still a well-formed report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truncated {
    /// The cap, in bytes of the written report.
    pub limit: u64,
    /// Nodes of the tree left out (each with everything below it).
    pub dropped_nodes: u64,
    /// Content diffs left out of nodes that were kept (their changes and
    /// causes stay; `diff` is null).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped_diffs: u64,
    /// Regions left out.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped_regions: u64,
    /// Addresses left out of groups' `addresses` (their `count` keeps the
    /// full number).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub dropped_addresses: u64,
}

impl Truncated {
    /// What was left out, in one sentence, for a report that says so.
    pub fn describe(&self) -> String {
        format!(
            "This report was cut to fit {} bytes: {} nodes, {} content diffs, {} regions and {} group addresses were left out (a report written without the cap has them all).",
            self.limit,
            self.dropped_nodes,
            self.dropped_diffs,
            self.dropped_regions,
            self.dropped_addresses
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub verdict: Verdict,
    pub a: Input,
    pub b: Input,
    pub summary: Summary,
    /// Root causes, most explaining first (filled by diagnosis).
    #[serde(default)]
    pub groups: Vec<Group>,
    #[serde(default)]
    pub regions: Vec<Region>,
    pub tree: Node,
    /// Set when the report was cut to a size cap: what was left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<Truncated>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report with a node of each diff kind, the bytes not all text.
    fn sample() -> Report {
        let input = |p: &str| Input {
            path: p.into(),
            size: 4096,
            sha256: "00".repeat(32),
        };
        let mut text = Node::new("etc/issue", Status::Modified);
        text.diff = Some(Diff::Text {
            hunks: vec![Hunk {
                a_start: 1,
                a_len: 2,
                b_start: 1,
                b_len: 1,
                lines: vec![
                    DiffLine {
                        tag: LineTag::Delete,
                        line: Data::Text("Debian 12\n".into()),
                    },
                    DiffLine {
                        tag: LineTag::Insert,
                        line: Data::from_bytes(b"Debian \xff\n"),
                    },
                    DiffLine {
                        tag: LineTag::Context,
                        line: Data::Text("no newline".into()),
                    },
                ],
            }],
            truncated: true,
            fallback: Some("line diff stopped at its 500 ms deadline".into()),
        });
        let mut binary = Node::new("usr/bin/hello", Status::Modified);
        binary.diff = Some(Diff::Binary {
            size_a: 20,
            size_b: 21,
            differing_bytes: 2,
            ranges: vec![ByteRange {
                offset: 17,
                len: 1,
                start: 16,
                a: vec![0, 1, 2, 3],
                b: vec![0, 0xff, 2, 3, 4],
            }],
            truncated: false,
            fallback: None,
        });
        let mut cut = Node::new("live/filesystem.squashfs", Status::Modified);
        cut.diff = Some(Diff::Hash {
            sha256_a: None,
            sha256_b: Some("11".repeat(32)),
            reason: TIMEOUT.into(),
        });
        let mut tree = Node::new("", Status::Modified);
        tree.children = vec![text, binary, cut];
        Report {
            schema: SCHEMA.into(),
            verdict: Verdict::Different,
            a: input("a.iso"),
            b: input("b.iso"),
            summary: Summary::default(),
            groups: Vec::new(),
            regions: Vec::new(),
            tree,
            truncated: Some(Truncated {
                limit: 1 << 20,
                dropped_nodes: 3,
                dropped_diffs: 0,
                dropped_regions: 0,
                dropped_addresses: 7,
            }),
        }
    }

    #[test]
    fn diffs_round_trip_through_json() {
        let r = sample();
        let json = serde_json::to_string_pretty(&r).expect("serializes");
        let back: Report = serde_json::from_str(&json).expect("parses back");
        assert_eq!(back, r);
        assert!(json.contains(r#""schema": "reprodiff/2""#), "{json}");
        assert!(json.contains(r#""tag": "delete""#), "{json}");
        assert!(json.contains(r#""bytes": "44656269616e20ff0a""#), "{json}");
        assert!(json.contains(r#""text": "Debian 12\n""#), "{json}");
        assert!(json.contains(r#""a": "00010203""#), "{json}");
        assert!(json.contains(r#""b": "00ff020304""#), "{json}");
        // An absent digest and an empty count are left out, not null or 0.
        assert!(
            json.contains("\"type\": \"hash\",\n          \"sha256_b\": \"1111"),
            "{json}"
        );
        assert!(
            !json.contains("sha256_a")
                && !json.contains("dropped_regions")
                && !json.contains("dropped_diffs"),
            "{json}"
        );
        assert!(json.contains(r#""dropped_addresses": 7"#), "{json}");
    }

    #[test]
    fn data_is_text_when_it_can_be() {
        assert_eq!(Data::from_bytes(b"ok"), Data::Text("ok".into()));
        assert_eq!(Data::from_bytes(b"\xc3"), Data::Bytes(vec![0xc3]));
        assert_eq!(Data::from_bytes(b"\xc3").as_bytes(), b"\xc3");
    }

    /// The cause table of SCHEMA.md and the enum name the same causes, in
    /// the same order: the vocabulary is the contract.
    #[test]
    fn schema_documents_every_cause() {
        let schema = include_str!("../SCHEMA.md");
        let table = schema
            .split("\n## Causes\n")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("a Causes section");
        let mut documented = Vec::new();
        for row in table.lines().filter(|l| l.starts_with("| `")) {
            let first = row.split(" | ").next().unwrap_or("");
            documented.extend(first.split('`').skip(1).step_by(2).map(str::to_string));
        }
        let names: Vec<String> = Cause::ALL.iter().map(|c| c.to_string()).collect();
        assert_eq!(documented, names);
        for c in Cause::ALL {
            let json = serde_json::to_string(&c).expect("json");
            assert_eq!(json, format!("\"{c}\""));
            assert_eq!(Cause::parse(c.as_str()), Some(c));
        }
    }
}
