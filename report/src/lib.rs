//! The report: one model of a comparison, built once by the engine and
//! serialized with serde. Every presenter (text, JSON, markdown, the TUI)
//! reads this and nothing else. Its JSON form is the `reprodiff/1` contract
//! documented in `report/SCHEMA.md`; a test parses output back into these
//! very structs, so changing a field here is a schema change.

use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "reprodiff/1";

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

/// A run of bytes that differs between the two sides of one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteRange {
    /// Offset within the entry (both sides: ranges are aligned by offset).
    pub offset: u64,
    pub len: u64,
    /// Hexdump lines of side a's bytes in and around the range.
    pub a: Vec<String>,
    pub b: Vec<String>,
}

/// How the content of an entry differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Diff {
    /// A unified line diff (`---`/`+++` headers left out; `@@` hunks kept).
    Text {
        unified: String,
        /// Set when hunks were cut to the line limit.
        #[serde(default)]
        truncated: bool,
        /// Why the diff is less than it could be, if it is: the line diff
        /// reached its deadline (correct hunks, perhaps not the smallest).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fallback: Option<String>,
    },
    /// Differing byte ranges, with hexdumps of those ranges only.
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
