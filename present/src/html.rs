//! The HTML report (`--html FILE`): one self-contained page to open in any
//! browser, with nothing fetched from anywhere (its Content-Security-Policy
//! forbids it). The summary and verdict; the root causes first, each with
//! its representative's changes and diff, its members behind a
//! `<details>`; a picture of where the differing bytes sit in each image
//! (an SVG strip per container, coloured by owner); then the tree of
//! differences as nested `<details>` with field tables, unified diffs with
//! line numbers and hexdumps of the differing ranges only. Everything reads
//! without JavaScript; a small inline script adds a filter by cause.
//!
//! Presenter stage (bytes → formats → engine → diagnosis → report →
//! **presenters**): reads a [`Report`], computes nothing; diffs are drawn
//! by [`crate::diff`] as in every other presenter. Every string from the
//! report goes through [`Esc`]: names and contents of images are data.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, Write};

use reprodiff_report::{
    ByteRange, Cause, Change, Diff, Hunk, Node, Region, Report, Status, Verdict,
};
use sha2::{Digest, Sha256};

use crate::diff::{binary_summary, changed_span, hex_pairs, text_rows, HexCell, RowKind, HEX_ROW};
use crate::text::{region_owners, shown_address, Routine};

#[derive(Debug, Clone)]
pub struct HtmlOptions {
    /// Rows of each content diff in the tree (text lines, or hexdump rows
    /// over all ranges of a binary diff); past it the rest is counted.
    pub max_diff_lines: usize,
    /// The same for the diff of a root cause's representative.
    pub rep_diff_lines: usize,
    /// Members of a root-cause group whose members differ in nothing else
    /// drawn as nodes of their own; the rest of the group is folded into
    /// one collapsed list per container. 0 draws all.
    pub max_routine: usize,
    /// Nodes of the tree open when the page loads, in tree order; the
    /// rest start collapsed.
    pub max_open: usize,
    /// Containers whose differing regions get a strip.
    pub max_strips: usize,
    /// Regions listed under each strip.
    pub max_region_rows: usize,
    /// Characters shown of one field value.
    pub max_value_chars: usize,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            max_diff_lines: 200,
            rep_diff_lines: 40,
            max_routine: 20,
            max_open: 300,
            max_strips: 64,
            max_region_rows: 40,
            max_value_chars: 2000,
        }
    }
}

/// Text from a report (names, values, lines of content) as HTML text or a
/// quoted attribute value: markup characters become entities, so no byte
/// of an image can open a tag or end an attribute; control characters and
/// bidirectional overrides become visible `\x1b` / `\u{202e}` escapes, so
/// a name cannot hide or reorder what stands around it.
pub struct Esc<'a>(pub &'a str);

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut start = 0;
        for (i, c) in s.char_indices() {
            let entity = match c {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '"' => "&quot;",
                '\'' => "&#39;",
                c if (c.is_control() && c != '\t') || is_bidi_control(c) => "",
                _ => continue,
            };
            f.write_str(&s[start..i])?;
            match (entity, u32::from(c)) {
                ("", n @ 0..=0xff) => write!(f, "\\x{n:02x}")?,
                ("", n) => write!(f, "\\u{{{n:x}}}")?,
                (e, _) => f.write_str(e)?,
            }
            start = i + c.len_utf8();
        }
        f.write_str(&s[start..])
    }
}

/// A value cut to `max` characters, the rest counted.
struct Capped<'a>(&'a str, usize);

impl fmt::Display for Capped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(self.1) {
            None => Esc(self.0).fmt(f),
            Some((cut, _)) => write!(
                f,
                "{}<i class=more>… {} more characters</i>",
                Esc(&self.0[..cut]),
                self.0[cut..].chars().count()
            ),
        }
    }
}

/// The causes of a node as the filter reads them: names from the closed
/// vocabulary, so they need no escaping.
fn cause_list(causes: &[Cause]) -> String {
    let names: Vec<&str> = causes.iter().map(|c| c.as_str()).collect();
    names.join(" ")
}

fn badges(causes: &[Cause]) -> String {
    causes
        .iter()
        .map(|c| format!("<span class=\"k k-{c}\">{c}</span>"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A colour per owner, the same on every strip of the page: a hue from a
/// hash of the name.
fn owner_colour(owner: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in owner.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    format!("hsl({},62%,{}%)", h % 360, 38 + (h >> 9) % 20)
}

fn base(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Standard base64, for the script's hash in the page's policy.
fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

const CSS: &str = "\
body{font:14px/1.45 system-ui,sans-serif;margin:1em 2em;color:#1d1d1f;background:#fff}\
code,pre,.d,.f td{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}\
h1{font-size:1.35em}h2{font-size:1.15em;border-bottom:1px solid #ddd;margin-top:1.6em}\
.v{padding:0 .4em;border-radius:3px;color:#fff}.v.different{background:#c0392b}.v.identical{background:#2e8b57}\
table{border-collapse:collapse;margin:.3em 0}\
.f th,.f td{border:1px solid #ddd;padding:1px 6px;text-align:left;vertical-align:top}\
.f td{word-break:break-all}.f td:first-child{white-space:nowrap;word-break:normal}.f th{background:#f4f4f4;font-weight:600}\
.d{border:1px solid #ddd;width:100%}\
.d td{padding:0 5px;white-space:pre-wrap;word-break:break-all;vertical-align:top}\
.d td:nth-child(-n+2){color:#999;text-align:right;white-space:nowrap;width:3em;user-select:none}\
.d .h td{background:#eef2fb;color:#445}.d .del td:last-child{background:#fdecea}.d .ins td:last-child{background:#e8f6ea}\
.d .nn td{color:#999}.del mark{background:#f5a9a3}.ins mark{background:#9fd9a8}\
.hx{background:#fafafa;border:1px solid #ddd;padding:4px 6px;overflow-x:auto}.hx b{background:#ffd27a}\
details.n,.ch>p{margin-left:1.1em}details.n>summary{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}\
summary{cursor:pointer}.b{margin:.2em 0 .6em 1.2em}\
.k{display:inline-block;white-space:nowrap;padding:0 .35em;border-radius:3px;font-size:11.5px;background:#e7eef8;color:#234}\
.k-content,.k-added,.k-removed{background:#f9d6d2;color:#611}.k-consequential{background:#eee;color:#666}\
.k-mtime,.k-source-date-epoch,.k-embedded-timestamp{background:#fbeccb;color:#543}\
.st{display:inline-block;width:1.2em;text-align:center;font-weight:700;border-radius:3px}\
.sM{color:#a66a00}.sA{color:#1e7b34}.sR{color:#b02a1c}.si{color:#888}\
.more,.err{color:#a04000}.err{font-weight:600}.dim{color:#777}\
.g{border:1px solid #e2e2e2;border-radius:4px;padding:.3em .6em;margin:.4em 0}\
pre{overflow-x:auto}.m pre,pre.r{margin:.2em 0 .2em 1.5em}\
svg.s{display:block;width:100%;height:22px;background:#f3f3f3;border:1px solid #ccc}\
figure{margin:.8em 0}.lg{list-style:none;padding:0;margin:.2em 0}.lg li{display:inline-block;margin-right:1em}\
#filter label{margin-right:.5em}";

/// Adds the filter by cause (its causes are the `data-causes` of
/// `#filter`), and opens the collapsed ancestors of a node a link points
/// at. Only CSS rules are added: the page is complete without it.
const SCRIPT: &str = "(function(){\
var d=document,f=d.getElementById('filter');\
function reveal(e){for(var p=e&&e.parentElement;p;p=p.parentElement)if(p.tagName=='DETAILS')p.open=true}\
function go(){var e=d.getElementById(location.hash.slice(1));if(e){reveal(e);e.scrollIntoView()}}\
addEventListener('hashchange',go);if(location.hash)go();\
if(!f)return;\
var s=d.createElement('select'),st=d.createElement('style'),n=d.createElement('span'),l=d.createElement('label');\
d.head.appendChild(st);\
['every cause'].concat(f.getAttribute('data-causes').split(' ')).forEach(function(c,i){\
var o=d.createElement('option');o.value=i?c:'';o.textContent=c;s.appendChild(o)});\
l.textContent='Show only differences with cause ';l.appendChild(s);f.appendChild(l);f.appendChild(n);\
s.onchange=function(){var c=s.value;\
if(!c){st.textContent='';n.textContent='';return}\
var q='[data-c~=\"'+c+'\"]',m=d.querySelectorAll('#tree '+q);\
st.textContent='#tree .n:not('+q+'):not(:has('+q+')){display:none}';\
for(var i=0;i<m.length&&i<200;i++)reveal(m[i]);\
n.textContent=m.length+' matching'}\
})();";

struct Page<'r, W: Write> {
    r: &'r Report,
    w: W,
    o: &'r HtmlOptions,
    /// Each node's id on the page (`n<index>`, its index in tree order).
    node_id: HashMap<*const Node, usize>,
    /// An address's first node, for links.
    by_address: HashMap<&'r str, (&'r Node, usize)>,
    /// Routine members folded away, and the group each is folded under.
    folded: HashMap<*const Node, usize>,
    opened: usize,
}

/// The routine members of large groups past the first `limit` of their
/// group in tree order (the text report's choice): these are folded into
/// plain lines instead of drawn as nodes. Decided before drawing, so the
/// root causes above the tree know which members have a node to link to.
fn folded(r: &Report, limit: usize) -> HashMap<*const Node, usize> {
    let mut routine = Routine::new(r, limit);
    let mut out = HashMap::new();
    for top in &r.tree.children {
        top.visit(&mut |n| {
            if n.status == Status::Identical {
                return;
            }
            if let Some(g) = routine.group_of(n, r) {
                if routine.shown[g] >= limit {
                    out.insert(std::ptr::from_ref(n), g);
                } else {
                    routine.shown[g] += 1;
                }
            }
        });
    }
    out
}

pub fn write(r: &Report, w: &mut impl Write, o: &HtmlOptions) -> io::Result<()> {
    let mut node_id = HashMap::new();
    let mut by_address = HashMap::new();
    let mut i = 0;
    r.tree.visit(&mut |n| {
        node_id.insert(std::ptr::from_ref(n), i);
        by_address.entry(n.address.as_str()).or_insert((n, i));
        i += 1;
    });
    let mut p = Page {
        r,
        w,
        o,
        node_id,
        by_address,
        folded: folded(r, o.max_routine),
        opened: 0,
    };
    p.head()?;
    if r.verdict == Verdict::Different {
        p.groups()?;
        p.regions()?;
        p.tree()?;
    }
    writeln!(p.w, "<script>{SCRIPT}</script>\n</body>\n</html>")
}

impl<'r, W: Write> Page<'r, W> {
    fn head(&mut self) -> io::Result<()> {
        let r = self.r;
        let (na, nb) = (base(&r.a.path), base(&r.b.path));
        let (verdict, word) = match r.verdict {
            Verdict::Identical => ("identical", "are identical"),
            Verdict::Different => ("different", "differ"),
        };
        let script_hash = base64(&Sha256::digest(SCRIPT.as_bytes()));
        writeln!(
            self.w,
            "<!DOCTYPE html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n\
             <meta http-equiv=Content-Security-Policy content=\"default-src 'none'; \
             style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'\">\n\
             <meta name=viewport content=\"width=device-width,initial-scale=1\">\n\
             <title>reprodiff: {} ↔ {}: {verdict}</title>\n<style>{CSS}</style>\n</head>\n<body>",
            Esc(na),
            Esc(nb)
        )?;
        writeln!(
            self.w,
            "<h1>reprodiff: <code>{}</code> and <code>{}</code> <span class=\"v {verdict}\">{word}</span></h1>",
            Esc(na),
            Esc(nb)
        )?;
        writeln!(
            self.w,
            "<table class=f><tr><th>side<th>path<th>bytes<th>SHA-256"
        )?;
        for (side, input) in [("a", &r.a), ("b", &r.b)] {
            writeln!(
                self.w,
                "<tr><td>{side}<td>{}<td>{}<td>{}",
                Esc(&input.path),
                input.size,
                Esc(input.sha256_shown())
            )?;
        }
        writeln!(self.w, "</table>")?;
        if let Some(t) = &r.truncated {
            writeln!(
                self.w,
                "<p class=more id=truncated>{}</p>",
                Esc(&t.describe())
            )?;
        }
        if r.verdict == Verdict::Identical {
            return Ok(());
        }
        let s = &r.summary;
        write!(
            self.w,
            "<p id=summary>{} modified, {} added, {} removed, {} identical of {} compared",
            s.modified, s.added, s.removed, s.identical, s.compared
        )?;
        if s.errors > 0 {
            write!(self.w, ", <span class=err>{} with errors</span>", s.errors)?;
        }
        if s.fallbacks > 0 {
            write!(self.w, ", {} compared by hash only", s.fallbacks)?;
        }
        writeln!(self.w, "; <b>{} root causes</b>.</p>", r.groups.len())?;
        if !s.causes.is_empty() {
            let counts: Vec<String> = s
                .causes
                .iter()
                .map(|(c, n)| format!("{} {n}", badges(&[*c])))
                .collect();
            writeln!(
                self.w,
                "<p class=dim>Differences per cause: {}</p>",
                counts.join(" · ")
            )?;
        }
        writeln!(
            self.w,
            "<nav><a href=\"#causes\">Root causes</a> · <a href=\"#regions\">Byte regions</a> · <a href=\"#tree\">Differences</a></nav>"
        )
    }

    /// An address, linked to its node when it has one drawn.
    fn link(&mut self, address: &str) -> io::Result<()> {
        match self.drawn(address) {
            Some(id) => write!(
                self.w,
                "<a href=\"#n{id}\"><code>{}</code></a>",
                Esc(shown_address(address))
            ),
            None => write!(self.w, "<code>{}</code>", Esc(shown_address(address))),
        }
    }

    /// The id of the node drawn for `address`, if one is (not folded).
    fn drawn(&self, address: &str) -> Option<usize> {
        let &(n, id) = self.by_address.get(address)?;
        (!self.folded.contains_key(&std::ptr::from_ref(n))).then_some(id)
    }

    fn groups(&mut self) -> io::Result<()> {
        let r = self.r;
        writeln!(
            self.w,
            "<section id=causes>\n<h2>Root causes ({})</h2>",
            r.groups.len()
        )?;
        for (i, g) in r.groups.iter().enumerate() {
            let open = if g.cause == Cause::Consequential {
                ""
            } else {
                " open"
            };
            writeln!(
                self.w,
                "<details class=g id=g{i}{open}><summary><b>{}</b> {} {}</summary>",
                g.count,
                badges(&[g.cause]),
                Esc(&g.shape)
            )?;
            let rep = g
                .representative
                .as_deref()
                .and_then(|a| self.by_address.get(a).map(|&(n, _)| n));
            if let Some(n) = rep {
                write!(self.w, "<p>For example ")?;
                self.link(&n.address)?;
                writeln!(self.w, ":</p>")?;
                let relevant: Vec<&Change> = n
                    .changes
                    .iter()
                    .filter(|c| c.cause == Some(g.cause))
                    .collect();
                self.fields(&relevant)?;
                if let Some(d) = &n.diff {
                    self.diff(d, n, self.o.rep_diff_lines)?;
                }
            }
            let plural = if g.count == 1 { "" } else { "s" };
            writeln!(
                self.w,
                "<details class=m><summary>{} member{plural}</summary><pre>",
                g.count
            )?;
            // One line each, a link where the member has a node of its
            // own; folded members are found in their fold by their name.
            for a in &g.addresses {
                let shown = Esc(shown_address(a));
                match self.drawn(a) {
                    Some(id) => writeln!(self.w, "<a href=\"#n{id}\">{shown}</a>")?,
                    None => writeln!(self.w, "{shown}")?,
                }
            }
            writeln!(self.w, "</pre></details>\n</details>")?;
        }
        writeln!(self.w, "</section>")
    }

    /// The size a strip stands for: the container's, or as far as its
    /// regions reach when the tree does not say.
    fn container_size(&self, container: &str, regions: &[&Region]) -> u64 {
        let reach = regions
            .iter()
            .map(|g| g.offset.saturating_add(g.len))
            .max()
            .unwrap_or(0);
        let own = if container.is_empty() {
            self.r.a.size.max(self.r.b.size)
        } else {
            self.by_address
                .get(container)
                .map(|(n, _)| n.size_a.unwrap_or(0).max(n.size_b.unwrap_or(0)))
                .unwrap_or(0)
        };
        own.max(reach).max(1)
    }

    fn regions(&mut self) -> io::Result<()> {
        let r = self.r;
        if r.regions.is_empty() {
            return Ok(());
        }
        let mut order: Vec<&str> = Vec::new();
        let mut by_container: HashMap<&str, Vec<&Region>> = HashMap::new();
        for g in &r.regions {
            let list = by_container.entry(g.container.as_str()).or_default();
            if list.is_empty() {
                order.push(g.container.as_str());
            }
            list.push(g);
        }
        writeln!(
            self.w,
            "<section id=regions>\n<h2>Differing byte regions</h2>\n\
             <p class=dim>Where the differing bytes sit in each image and nested container, \
             coloured by the entry or structure that owns them (point at a mark for its owner).</p>"
        )?;
        for container in order.iter().take(self.o.max_strips) {
            let regions = by_container.get(container).cloned().unwrap_or_default();
            self.strip(container, &regions)?;
        }
        self.left_out(
            order.len(),
            self.o.max_strips,
            "containers with differing regions",
        )?;
        writeln!(self.w, "</section>")
    }

    /// One container's strip: a mark per region, regions that fall on the
    /// same of the strip's 1000 columns drawn as one mark (its title counts
    /// them), so a strip stays small whatever the number of regions.
    fn strip(&mut self, container: &str, regions: &[&Region]) -> io::Result<()> {
        const WIDTH: u64 = 1000;
        let size = self.container_size(container, regions);
        let differing: u64 = regions.iter().map(|g| g.len).sum();
        write!(self.w, "<figure><figcaption>")?;
        self.link(container)?;
        writeln!(
            self.w,
            " — {size} bytes, {} region{}, {differing} bytes differ</figcaption>",
            regions.len(),
            if regions.len() == 1 { "" } else { "s" }
        )?;
        writeln!(
            self.w,
            "<svg class=s viewBox=\"0 0 {WIDTH} 20\" preserveAspectRatio=none role=img>"
        )?;
        let col = |o: u64| (u128::from(o) * u128::from(WIDTH) / u128::from(size)) as u64;
        let owner = |g: &Region| -> String {
            g.owners_a
                .first()
                .or(g.owners_b.first())
                .cloned()
                .unwrap_or_else(|| "(no owner)".into())
        };
        let mut i = 0;
        while i < regions.len() {
            let first = regions[i];
            let x0 = col(first.offset).min(WIDTH - 1);
            let mut x1 = col(first.offset.saturating_add(first.len)).max(x0 + 1);
            let mut j = i + 1;
            while j < regions.len() && col(regions[j].offset) < x1 {
                x1 = x1.max(col(regions[j].offset.saturating_add(regions[j].len)));
                j += 1;
            }
            let last = regions[j - 1];
            let title = if j - i == 1 {
                format!(
                    "{:#x} +{:#x}: {}",
                    first.offset,
                    first.len,
                    region_owners(first)
                )
            } else {
                let mut owners: Vec<String> = Vec::new();
                for g in &regions[i..j] {
                    let o = owner(g);
                    if !owners.contains(&o) && owners.len() < 4 {
                        owners.push(o);
                    }
                }
                format!(
                    "{} regions {:#x}–{:#x}: {}",
                    j - i,
                    first.offset,
                    last.offset.saturating_add(last.len),
                    owners.join(", ")
                )
            };
            writeln!(
                self.w,
                "<rect x={x0} y=0 width={} height=20 fill=\"{}\"><title>{}</title></rect>",
                x1.min(WIDTH) - x0,
                owner_colour(&owner(first)),
                Esc(&title)
            )?;
            i = j;
        }
        writeln!(self.w, "</svg>")?;
        let mut owners: Vec<String> = Vec::new();
        for g in regions {
            let o = owner(g);
            if !owners.contains(&o) {
                owners.push(o);
            }
        }
        write!(self.w, "<ul class=lg>")?;
        for o in owners.iter().take(12) {
            write!(
                self.w,
                "<li><svg width=10 height=10><rect width=10 height=10 fill=\"{}\"/></svg> {}",
                owner_colour(o),
                Esc(o)
            )?;
        }
        if owners.len() > 12 {
            write!(self.w, "<li class=more>{} more owners", owners.len() - 12)?;
        }
        writeln!(self.w, "</ul>")?;
        writeln!(
            self.w,
            "<details><summary>regions</summary><table class=f><tr><th>offset<th>bytes<th>owners"
        )?;
        for g in regions.iter().take(self.o.max_region_rows) {
            writeln!(
                self.w,
                "<tr><td>{:#x}<td>{}<td>{}",
                g.offset,
                g.len,
                Esc(&region_owners(g))
            )?;
        }
        writeln!(self.w, "</table>")?;
        self.left_out(regions.len(), self.o.max_region_rows, "regions")?;
        writeln!(self.w, "</details></figure>")
    }

    /// Says how many of `total` things were left out past the first
    /// `shown`, if any: nothing is dropped silently.
    fn left_out(&mut self, total: usize, shown: usize, what: &str) -> io::Result<()> {
        if total <= shown {
            return Ok(());
        }
        writeln!(
            self.w,
            "<p class=more>{} more {what} not shown here (the JSON report has them all).</p>",
            total - shown
        )
    }

    fn tree(&mut self) -> io::Result<()> {
        let mut count = 0;
        self.r.tree.visit(&mut |n| {
            if n.status != Status::Identical {
                count += 1;
            }
        });
        let present: Vec<&str> = Cause::ALL
            .iter()
            .filter(|c| self.r.summary.causes.get(c).is_some_and(|&n| n > 0))
            .map(|c| c.as_str())
            .collect();
        writeln!(
            self.w,
            "<section id=tree>\n<h2>Differences ({count})</h2>\n<div id=filter data-causes=\"{}\"></div>",
            present.join(" ")
        )?;
        self.node(&self.r.tree)?;
        writeln!(self.w, "</section>")
    }

    fn id(&self, n: &Node) -> usize {
        self.node_id
            .get(&std::ptr::from_ref(n))
            .copied()
            .unwrap_or(0)
    }

    fn node(&mut self, n: &'r Node) -> io::Result<()> {
        let plain = n.changes.is_empty() && n.diff.is_none() && n.errors.is_empty();
        if n.status == Status::Identical && plain {
            // Nothing of its own to show: its differing members stand in its place.
            return self.children(n);
        }
        let open = if self.opened < self.o.max_open {
            self.opened += 1;
            " open"
        } else {
            ""
        };
        write!(
            self.w,
            "<details class=n id=n{} data-c=\"{}\"{open}><summary>",
            self.id(n),
            cause_list(&n.causes)
        )?;
        self.headline(n)?;
        writeln!(self.w, "</summary>\n<div class=b>")?;
        for e in &n.errors {
            writeln!(self.w, "<p class=err>error: {}</p>", Esc(e))?;
        }
        let all: Vec<&Change> = n.changes.iter().collect();
        self.fields(&all)?;
        if let Some(d) = &n.diff {
            self.diff(d, n, self.o.max_diff_lines)?;
        }
        writeln!(self.w, "</div>")?;
        if !n.children.is_empty() {
            writeln!(self.w, "<div class=ch>")?;
            self.children(n)?;
            writeln!(self.w, "</div>")?;
        }
        writeln!(self.w, "</details>")
    }

    /// A node's one line: status, address, kind, format, sizes, causes.
    fn headline(&mut self, n: &Node) -> io::Result<()> {
        let letter = n.status.letter();
        let class = if letter == '=' { 'i' } else { letter };
        write!(
            self.w,
            "<span class=\"st s{class}\" title={}>{letter}</span> <code>",
            n.status.word()
        )?;
        if n.address.is_empty() {
            write!(self.w, "{} ↔ {}", Esc(&self.r.a.path), Esc(&self.r.b.path))?;
        } else {
            write!(self.w, "{}", Esc(&n.address))?;
        }
        write!(self.w, "</code>")?;
        if let Some(k) = &n.kind {
            write!(self.w, " {}", Esc(k.as_str()))?;
        }
        if let Some(f) = &n.format {
            write!(self.w, " [{}]", Esc(f))?;
        }
        match (n.size_a, n.size_b) {
            (Some(a), Some(b)) if a != b => write!(self.w, " {a} → {b} bytes")?,
            (Some(a), _) | (None, Some(a)) => write!(self.w, " {a} bytes")?,
            (None, None) => {}
        }
        if !n.causes.is_empty() {
            write!(self.w, " {}", badges(&n.causes))?;
        }
        Ok(())
    }

    /// The members of `n`: each drawn as a node, except the folded
    /// routine members, listed after them one per line in one collapsed
    /// block per group, which says how many it holds. Plain lines, not
    /// elements: 100,000 of them cost the browser little.
    fn children(&mut self, n: &'r Node) -> io::Result<()> {
        let mut folded: BTreeMap<usize, Vec<&'r Node>> = BTreeMap::new();
        for c in &n.children {
            match self.folded.get(&std::ptr::from_ref(c)) {
                Some(&g) => folded.entry(g).or_default().push(c),
                None => self.node(c)?,
            }
        }
        for (g, members) in folded {
            let Some(group) = self.r.groups.get(g) else {
                continue;
            };
            writeln!(
                self.w,
                "<details class=\"n fold\" data-c=\"{}\"><summary class=more>{} more whose only difference is {}: {}</summary><pre class=r>",
                group.cause,
                members.len(),
                badges(&[group.cause]),
                Esc(&group.shape)
            )?;
            for m in members {
                write!(self.w, "{}", Esc(&m.address))?;
                for c in m.changes.iter().take(3) {
                    write!(
                        self.w,
                        "  {}: {} → {}",
                        Esc(&c.field),
                        Capped(&shown_value(&c.a), 80),
                        Capped(&c.shown_b().unwrap_or_else(|| "—".into()), 80)
                    )?;
                }
                if m.changes.len() > 3 {
                    write!(self.w, "  (+{} more)", m.changes.len() - 3)?;
                }
                writeln!(self.w)?;
            }
            writeln!(self.w, "</pre></details>")?;
        }
        Ok(())
    }

    /// The field table: field, a, b, cause.
    fn fields(&mut self, changes: &[&Change]) -> io::Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        writeln!(self.w, "<table class=f><tr><th>field<th>a<th>b<th>cause")?;
        let max = self.o.max_value_chars;
        for c in changes {
            write!(self.w, "<tr><td>{}", Esc(&c.field))?;
            if let Some(s) = &c.subject {
                write!(self.w, " <span class=dim>({})</span>", Esc(s))?;
            }
            writeln!(
                self.w,
                "<td>{}<td>{}<td>{}",
                Capped(&shown_value(&c.a), max),
                Capped(&c.shown_b().unwrap_or_else(|| "—".into()), max),
                c.cause.map(|c| badges(&[c])).unwrap_or_default()
            )?;
        }
        writeln!(self.w, "</table>")
    }

    fn diff(&mut self, d: &Diff, n: &Node, budget: usize) -> io::Result<()> {
        if let Some(f) = d.fallback() {
            writeln!(self.w, "<p class=dim>note: {}</p>", Esc(f))?;
        }
        match d {
            Diff::Text {
                hunks, truncated, ..
            } => self.text_diff(hunks, *truncated, budget),
            Diff::Binary {
                ranges, truncated, ..
            } => {
                let summary = binary_summary(d).unwrap_or_default();
                writeln!(self.w, "<p>{}.</p>", Esc(&summary))?;
                let mut left = budget;
                for (i, r) in ranges.iter().enumerate() {
                    if left == 0 {
                        self.left_out(ranges.len(), i, "ranges")?;
                        break;
                    }
                    left = self.hexdump(r, (n.image_offset_a, n.image_offset_b), left)?;
                }
                if *truncated {
                    writeln!(
                        self.w,
                        "<p class=more>The comparison kept only these ranges: more bytes differ than are shown.</p>"
                    )?;
                }
                Ok(())
            }
            Diff::Hash {
                sha256_a,
                sha256_b,
                reason,
            } => writeln!(
                self.w,
                "<p>Compared by hash only ({}).</p><table class=f><tr><td>a<td>{}<tr><td>b<td>{}</table>",
                Esc(reason),
                Esc(Diff::digest_shown(sha256_a)),
                Esc(Diff::digest_shown(sha256_b))
            ),
        }
    }

    /// A unified diff as a table: a's and b's line numbers, then the line;
    /// the changed middle of a paired line marked.
    fn text_diff(&mut self, hunks: &[Hunk], truncated: bool, budget: usize) -> io::Result<()> {
        let rows = text_rows(hunks);
        writeln!(self.w, "<table class=d>")?;
        let num = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
        for row in rows.iter().take(budget) {
            let class = match row.kind {
                RowKind::Header => " class=h",
                RowKind::Delete => " class=del",
                RowKind::Insert => " class=ins",
                RowKind::NoNewline => " class=nn",
                RowKind::Context => "",
            };
            write!(
                self.w,
                "<tr{class}><td>{}<td>{}<td>{}",
                num(row.a_line),
                num(row.b_line),
                row.marker()
            )?;
            let partner = row.partner.and_then(|p| rows.get(p));
            match partner.and_then(|p| changed_span(&row.text, &p.text)) {
                Some(mid) => writeln!(
                    self.w,
                    "{}<mark>{}</mark>{}",
                    Esc(&row.text[..mid.start]),
                    Esc(&row.text[mid.clone()]),
                    Esc(&row.text[mid.end..])
                )?,
                None => writeln!(self.w, "{}", Esc(&row.text))?,
            }
        }
        writeln!(self.w, "</table>")?;
        self.left_out(rows.len(), budget, "lines")?;
        if truncated {
            writeln!(
                self.w,
                "<p class=more>The comparison cut this diff at its line limit.</p>"
            )?;
        }
        Ok(())
    }

    /// One range's window, both sides on each row (a, then b), the bytes
    /// that differ marked; at most `left` rows. Returns the rows left.
    fn hexdump(
        &mut self,
        r: &ByteRange,
        image: (Option<u64>, Option<u64>),
        left: usize,
    ) -> io::Result<usize> {
        write!(self.w, "<p class=dim>@ {:#x} (+{} bytes)", r.offset, r.len)?;
        match image {
            (Some(a), Some(b)) if a == b => {
                write!(self.w, ", image @ {:#x}", a.saturating_add(r.offset))?
            }
            (Some(a), Some(b)) => write!(
                self.w,
                ", image @ {:#x} (a) / {:#x} (b)",
                a.saturating_add(r.offset),
                b.saturating_add(r.offset)
            )?,
            _ => {}
        }
        writeln!(self.w, "</p>")?;
        let rows = hex_pairs(r, HEX_ROW);
        writeln!(
            self.w,
            "<pre class=hx>offset    {:<w$}  │ b",
            "a",
            w = HEX_ROW * 4 + 1
        )?;
        for row in rows.iter().take(left) {
            write!(self.w, "{:08x}  ", row.offset)?;
            for side in [Side::A, Side::B] {
                let mut hex = String::new();
                let mut ascii = String::new();
                for c in &row.cells {
                    let (h, a) = match side.of(c) {
                        Some(b) => (format!("{b:02x}"), printable(b)),
                        None => ("  ".into(), " ".into()),
                    };
                    if c.differs() {
                        hex.push_str(&format!("<b>{h}</b> "));
                        ascii.push_str(&format!("<b>{a}</b>"));
                    } else {
                        hex.push_str(&h);
                        hex.push(' ');
                        ascii.push_str(&a);
                    }
                }
                write!(self.w, "{hex} {ascii}")?;
                if side == Side::A {
                    write!(self.w, "  │ ")?;
                }
            }
            writeln!(self.w)?;
        }
        if rows.len() > left {
            write!(
                self.w,
                "<span class=more>… {} more rows not shown here (the JSON report has them)</span>",
                rows.len() - left
            )?;
        }
        writeln!(self.w, "</pre>")?;
        Ok(left.saturating_sub(rows.len()))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    A,
    B,
}

impl Side {
    fn of(self, c: &HexCell) -> Option<u8> {
        match self {
            Side::A => c.a,
            Side::B => c.b,
        }
    }
}

/// A byte of a hexdump's text column, escaped: `.` when not printable.
fn printable(b: u8) -> String {
    if b.is_ascii_graphic() || b == b' ' {
        let c = [b];
        Esc(std::str::from_utf8(&c).unwrap_or(".")).to_string()
    } else {
        ".".into()
    }
}

fn shown_value(v: &Option<reprodiff_report::Value>) -> String {
    Change::shown(v).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reprodiff_report::{Data, DiffLine, Group, Input, LineTag, Role, Summary, Value, SCHEMA};

    fn report(tree: Node, groups: Vec<Group>, regions: Vec<Region>) -> Report {
        let input = |p: &str| Input {
            path: p.into(),
            size: 4096,
            sha256: "ab".repeat(32),
        };
        Report {
            schema: SCHEMA.into(),
            verdict: Verdict::Different,
            a: input("out/a.iso"),
            b: input("out/b.iso"),
            summary: Summary::default(),
            groups,
            regions,
            tree,
            truncated: None,
        }
    }

    fn render(r: &Report, o: &HtmlOptions) -> String {
        let mut out = Vec::new();
        write(r, &mut out, o).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    fn hunk(lines: Vec<(LineTag, String)>) -> Hunk {
        let count = |t: LineTag| lines.iter().filter(|(x, _)| *x != t).count() as u64;
        Hunk {
            a_start: 1,
            a_len: count(LineTag::Insert),
            b_start: 1,
            b_len: count(LineTag::Delete),
            lines: lines
                .into_iter()
                .map(|(tag, s)| DiffLine {
                    tag,
                    line: Data::Text(s),
                })
                .collect(),
        }
    }

    #[test]
    fn escaping_covers_markup_controls_and_bidi() {
        assert_eq!(
            Esc(r#"<a href="x">'&'</a>"#).to_string(),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            Esc("a\x1b[2J\nb\tc\x7f").to_string(),
            "a\\x1b[2J\\x0ab\tc\\x7f"
        );
        assert_eq!(
            Esc("evil\u{202e}txt.exe").to_string(),
            "evil\\u{202e}txt.exe"
        );
        assert_eq!(Esc("café ↔ ok").to_string(), "café ↔ ok");
        assert_eq!(
            Capped("abcdef", 4).to_string(),
            "abcd<i class=more>… 2 more characters</i>"
        );
        assert_eq!(Capped("a<b", 4).to_string(), "a&lt;b");
    }

    #[test]
    fn base64_pads_like_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
    }

    /// Names, values, shapes, errors, owners and contents of an image are
    /// shown as text: none of them opens an element or ends one of ours.
    #[test]
    fn hostile_names_and_contents_stay_text() {
        let name = "<script>alert(1)</script>";
        let mut n = Node::new(name, Status::Modified);
        n.causes.push(Cause::Content);
        n.changes.push(Change::new(
            "<img src=x onerror=alert(3)>",
            Role::Content,
            Some(Value::text("\"'><svg onload=alert(4)>")),
            Some(Value::text("</td></tr></table>")),
        ));
        n.errors.push("</summary></details><u>x".into());
        n.diff = Some(Diff::Text {
            hunks: vec![hunk(vec![
                (
                    LineTag::Delete,
                    "</details><script>alert(2)</script>\n".into(),
                ),
                (LineTag::Insert, "x</pre></table><!--\n".into()),
            ])],
            truncated: false,
            fallback: Some("<iframe src=x>".into()),
        });
        let mut bin = Node::new("bin/\x1b[2J\u{202e}", Status::Modified);
        bin.causes.push(Cause::Content);
        bin.diff = Some(Diff::Binary {
            size_a: 20,
            size_b: 20,
            differing_bytes: 1,
            ranges: vec![ByteRange {
                offset: 0x11,
                len: 1,
                start: 0x10,
                a: b"<>&\"'".to_vec(),
                b: b"<x&\"'".to_vec(),
            }],
            truncated: false,
            fallback: None,
        });
        let mut tree = Node::new("", Status::Modified);
        tree.children = vec![n, bin];
        let owner = "</title></rect></svg><script>alert(5)</script>";
        let mut r = report(
            tree,
            vec![Group {
                cause: Cause::Content,
                shape: "<iframe> replaced".into(),
                count: 1,
                representative: Some(name.into()),
                addresses: vec![name.into()],
            }],
            vec![Region {
                container: String::new(),
                offset: 0x800,
                len: 0x800,
                owners_a: vec![owner.into()],
                owners_b: vec![owner.into()],
                unchanged: Vec::new(),
            }],
        );
        r.a.path = "</title><script>alert(6)</script>.iso".into();
        let html = render(&r, &HtmlOptions::default());
        assert_eq!(
            html.matches("<script").count(),
            1,
            "only the page's own script"
        );
        assert!(html.contains("<script>(function(){"), "{html}");
        for evil in [
            "<img",
            "<svg onload",
            "<iframe",
            "<u>",
            "<!--",
            "</title><script",
        ] {
            assert!(!html.contains(evil), "{evil} got through:\n{html}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&lt;/details&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
        assert!(html.contains("&quot;&#39;&gt;&lt;svg onload=alert(4)&gt;"));
        assert!(html.contains("<title>0x800 +0x800: &lt;/title&gt;&lt;/rect&gt;"));
        assert!(html.contains("bin/\\x1b[2J\\u{202e}"));
        // The hexdump's text column escapes the bytes it shows.
        assert!(html.contains("&lt;<b>&gt;</b>&amp;&quot;&#39;"), "{html}");
        for (open, close) in [
            ("<details", "</details>"),
            ("<table", "</table>"),
            ("<pre", "</pre>"),
            ("<summary", "</summary>"),
            ("<svg", "</svg>"),
        ] {
            assert_eq!(
                html.matches(open).count(),
                html.matches(close).count(),
                "{open}"
            );
        }
    }

    /// Thousands of files whose one difference is the same mtime shift: a
    /// few are drawn as nodes, the rest folded and counted, none dropped,
    /// and the page stays within a small multiple of the JSON report.
    #[test]
    fn routine_members_of_large_groups_are_folded_and_counted() {
        let mut squashfs = Node::new("live/filesystem.squashfs", Status::Modified);
        squashfs.causes.push(Cause::Consequential);
        let mut addresses = Vec::new();
        for i in 0..5000 {
            let a = format!("live/filesystem.squashfs::usr/share/doc/pkg{i:05}/copyright");
            let mut n = Node::new(a.as_str(), Status::Modified);
            n.causes.push(Cause::Mtime);
            let mut c = Change::new(
                "mtime",
                Role::EntryTime,
                Some(Value::Epoch(1_700_000_000)),
                Some(Value::Epoch(1_700_086_400)),
            );
            c.cause = Some(Cause::Mtime);
            n.changes.push(c);
            squashfs.children.push(n);
            addresses.push(a);
        }
        let mut tree = Node::new("", Status::Modified);
        tree.children.push(squashfs);
        let r = report(
            tree,
            vec![Group {
                cause: Cause::Mtime,
                shape: "mtime differs: by +1d".into(),
                count: 5000,
                representative: Some(addresses[0].clone()),
                addresses: addresses.clone(),
            }],
            Vec::new(),
        );
        let o = HtmlOptions::default();
        let html = render(&r, &o);
        let drawn = html.matches("<details class=n id=").count();
        assert_eq!(
            drawn,
            2 + o.max_routine,
            "the images, the SquashFS and the first members"
        );
        assert!(
            html.contains("4980 more whose only difference is"),
            "folded and counted"
        );
        let folded = &html[html.find("<details class=\"n fold\"").expect("a fold")..];
        for a in &addresses[o.max_routine..] {
            let line = format!("\n{a}  mtime: 2023-11-14T22:13:20Z (1700000000) → ");
            assert!(folded.contains(&line), "{a} dropped");
        }
        // The group lists every member, linked where it has a node.
        let members = &html[html.find("<details class=m>").expect("members")..];
        assert!(members.contains(&format!("<a href=\"#n2\">{}</a>\n", addresses[0])));
        assert!(members.contains(&format!("\n{}\n", addresses[4999])));
        let mut json = Vec::new();
        crate::json::write(&r, &mut json).expect("json");
        assert!(
            html.len() < 2 * json.len(),
            "HTML {} bytes against JSON {}",
            html.len(),
            json.len()
        );
        // The first nodes in tree order start open, the rest collapsed.
        let few = HtmlOptions {
            max_open: 5,
            ..o.clone()
        };
        let html = render(&r, &few);
        assert_eq!(html.matches("\" open><summary>").count(), 5);
        assert!(html.contains("<details class=n id=n4 data-c=\"mtime\" open>"));
        assert!(html.contains("<details class=n id=n5 data-c=\"mtime\"><summary>"));
    }

    #[test]
    fn long_diffs_say_how_many_lines_are_left_out() {
        let lines: Vec<(LineTag, String)> = (0..500)
            .map(|i| (LineTag::Insert, format!("line {i}\n")))
            .collect();
        let hunks = vec![hunk(lines)];
        let rows = text_rows(&hunks).len();
        let mut n = Node::new("etc/long", Status::Modified);
        n.diff = Some(Diff::Text {
            hunks,
            truncated: true,
            fallback: None,
        });
        let mut tree = Node::new("", Status::Modified);
        tree.children.push(n);
        let o = HtmlOptions::default();
        let html = render(&report(tree, Vec::new(), Vec::new()), &o);
        assert!(html.contains(&format!(
            "{} more lines not shown here",
            rows - o.max_diff_lines
        )));
        assert!(html.contains("line 198\n"));
        assert!(
            !html.contains("line 199\n"),
            "the header row counts in the budget"
        );
        assert!(html.contains("The comparison cut this diff at its line limit."));
    }

    /// A container with 100,000 regions still gets a strip of at most one
    /// mark per column, and its table lists a few and counts the rest.
    #[test]
    fn strips_stay_small_whatever_the_number_of_regions() {
        let regions: Vec<Region> = (0..100_000u64)
            .map(|i| Region {
                container: String::new(),
                offset: i * 4096,
                len: 512,
                owners_a: vec![format!("f{}", i % 7)],
                owners_b: vec![format!("f{}", i % 7)],
                unchanged: Vec::new(),
            })
            .collect();
        let tree = Node::new("", Status::Modified);
        let o = HtmlOptions::default();
        let html = render(&report(tree, Vec::new(), regions), &o);
        let marks = html.matches("<rect x=").count();
        assert!((1..=1000).contains(&marks), "{marks} marks");
        assert!(
            html.contains("regions 0x0–"),
            "merged marks count their regions"
        );
        assert!(html.contains(&format!(
            "{} more regions not shown here",
            100_000 - o.max_region_rows
        )));
        assert_eq!(
            html.matches("<li><svg width=10").count(),
            7,
            "one legend entry per owner"
        );
    }

    #[test]
    fn an_identical_pair_has_a_verdict_and_no_sections() {
        let mut r = report(Node::new("", Status::Identical), Vec::new(), Vec::new());
        r.verdict = Verdict::Identical;
        let html = render(&r, &HtmlOptions::default());
        assert!(html.contains("<span class=\"v identical\">are identical</span>"));
        assert!(!html.contains("id=tree"));
    }
}
