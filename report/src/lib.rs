//! The report: one model of a comparison, built once by the engine and
//! serialized with serde. Every presenter (text, JSON, markdown, the TUI)
//! reads this and nothing else. Its JSON form is the `reprodiff/2` contract
//! documented in `report/SCHEMA.md`; a test parses output back into these
//! very structs, so changing a field here is a schema change.

use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "reprodiff/2";

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
    pub sha256: String,
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
    /// Nodes per cause (filled by diagnosis).
    #[serde(default)]
    pub causes: std::collections::BTreeMap<String, u64>,
}

/// A field that differs: metadata (`mtime`, `mode`...), a header field
/// (`pvd.modification_date`...), or `order` of members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub a: Option<String>,
    pub b: Option<String>,
    /// Why this field differs (one of the cause names); set by diagnosis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
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
    Hash {
        sha256_a: String,
        sha256_b: String,
        reason: String,
    },
}

impl Diff {
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
    pub kind: Option<String>,
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
    pub causes: Vec<String>,
    #[serde(default)]
    pub errors: Vec<String>,
    #[serde(default)]
    pub children: Vec<Node>,
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
    /// One of the cause names (see `report/SCHEMA.md`).
    pub cause: String,
    /// What the members have in common, in words.
    pub shape: String,
    /// Number of member nodes.
    pub count: u64,
    /// Addresses of the member nodes, sorted.
    pub addresses: Vec<String>,
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
        let mut tree = Node::new("", Status::Modified);
        tree.children = vec![text, binary];
        Report {
            schema: SCHEMA.into(),
            verdict: Verdict::Different,
            a: input("a.iso"),
            b: input("b.iso"),
            summary: Summary::default(),
            groups: Vec::new(),
            regions: Vec::new(),
            tree,
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
    }

    #[test]
    fn data_is_text_when_it_can_be() {
        assert_eq!(Data::from_bytes(b"ok"), Data::Text("ok".into()));
        assert_eq!(Data::from_bytes(b"\xc3"), Data::Bytes(vec![0xc3]));
        assert_eq!(Data::from_bytes(b"\xc3").as_bytes(), b"\xc3");
    }
}
