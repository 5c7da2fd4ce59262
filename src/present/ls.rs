//! `reprodiff ls`: one line per entry of the walked tree, with its full
//! `::` address, or the same as JSON (`reprodiff-ls/1`).
//!
//! Last stage of the flow for listing (bytes → formats → walk → **ls**).

use std::io::{self, Write};

use reprodiff_formats::{Field, Kind, Time};
use serde::Serialize;

use crate::walk::Node;

/// One listed entry.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub address: String,
    pub kind: Option<Kind>,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rdev: Option<(u32, u32)>,
    /// Byte offset of the entry's data within its parent container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Format chain when the entry is a container that was opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl Row {
    pub fn of(n: &Node) -> Row {
        let e = n.entry.as_ref();
        let m = e.map(|e| &e.meta);
        let mut errors = Vec::new();
        if let Some(err) = &n.error {
            errors.push(err.clone());
        }
        if let Some(c) = &n.container {
            errors.extend(c.errors.iter().cloned());
        }
        Row {
            address: n.address.clone(),
            kind: e.map(|e| e.kind),
            size: n.size,
            mode: m.and_then(|m| m.mode),
            uid: m.and_then(|m| m.uid),
            gid: m.and_then(|m| m.gid),
            mtime: m.and_then(|m| m.mtime).map(|t: Time| t.to_string()),
            target: m.and_then(|m| m.target.clone()),
            rdev: m.and_then(|m| m.rdev),
            offset: n.offset,
            format: n.container.as_ref().map(|c| c.format.clone()),
            fields: n
                .container
                .as_ref()
                .map(|c| c.fields.clone())
                .unwrap_or_default(),
            same_as: n.same_as.clone(),
            errors,
        }
    }
}

/// Every node of the tree in depth-first order, the root first.
pub fn rows(root: &Node, under: Option<&str>) -> Vec<Row> {
    let mut out = Vec::new();
    root.visit(&mut |n| {
        if listed(&n.address, under) {
            out.push(Row::of(n));
        }
    });
    out
}

/// `ls -l` style permission string, with the kind as first letter.
pub fn mode_string(kind: Option<Kind>, mode: Option<u32>) -> String {
    let t = match kind {
        Some(Kind::Dir) => 'd',
        Some(Kind::Symlink) => 'l',
        Some(Kind::Hardlink) => 'h',
        Some(Kind::CharDevice) => 'c',
        Some(Kind::BlockDevice) => 'b',
        Some(Kind::Fifo) => 'p',
        Some(Kind::Socket) => 's',
        Some(Kind::File) => '-',
        None => '?',
    };
    let Some(m) = mode else {
        return format!("{t}?????????");
    };
    let mut s = String::with_capacity(10);
    s.push(t);
    let bit = |b: u32, c: char| if m & b != 0 { c } else { '-' };
    let special = |x: bool, special: bool, lower: char, upper: char, plain: char| match (x, special)
    {
        (true, true) => lower,
        (false, true) => upper,
        (true, false) => plain,
        (false, false) => '-',
    };
    s.push(bit(0o400, 'r'));
    s.push(bit(0o200, 'w'));
    s.push(special(m & 0o100 != 0, m & 0o4000 != 0, 's', 'S', 'x'));
    s.push(bit(0o040, 'r'));
    s.push(bit(0o020, 'w'));
    s.push(special(m & 0o010 != 0, m & 0o2000 != 0, 's', 'S', 'x'));
    s.push(bit(0o004, 'r'));
    s.push(bit(0o002, 'w'));
    s.push(special(m & 0o001 != 0, m & 0o1000 != 0, 't', 'T', 'x'));
    s
}

#[derive(Debug, Clone, Default)]
pub struct TextOptions {
    /// Also print each container's header fields, indented under it.
    pub fields: bool,
}

/// Whether `address` is in the listing of `under` (the entry and all
/// below it, or everything without a prefix).
pub fn listed(address: &str, under: Option<&str>) -> bool {
    under.is_none_or(|p| address == p || address.starts_with(p))
}

/// One line per entry: address, kind/mode, owner, size, mtime, offset,
/// format (containers), link target; errors on their own indented lines.
pub fn write_text(rows: &[Row], w: &mut impl Write, opts: &TextOptions) -> io::Result<()> {
    for r in rows {
        write_text_row(r, w, opts)?;
    }
    Ok(())
}

/// One entry's line (and its indented details), as [`write_text`] writes it.
pub fn write_text_row(r: &Row, w: &mut impl Write, opts: &TextOptions) -> io::Result<()> {
    {
        let addr = if r.address.is_empty() {
            "."
        } else {
            &r.address
        };
        let owner = match (r.uid, r.gid) {
            (None, None) => "-".to_string(),
            (u, g) => format!(
                "{}:{}",
                u.map_or("-".into(), |v| v.to_string()),
                g.map_or("-".into(), |v| v.to_string())
            ),
        };
        if r.kind.is_none() {
            // The image itself.
            let f = r.format.as_deref().unwrap_or("not a container");
            writeln!(w, "{addr}  [{f}] {} bytes", r.size)?;
            return write_details(r, w, opts);
        }
        let mut line = format!(
            "{addr}  {} {owner} {} {} {}",
            mode_string(r.kind, r.mode),
            r.size,
            r.mtime.as_deref().unwrap_or("-"),
            r.offset.map_or("-".to_string(), |o| format!("@{o:#x}")),
        );
        if let Some(f) = &r.format {
            line.push_str(" [");
            line.push_str(f);
            line.push(']');
        }
        if let Some(t) = &r.target {
            line.push_str(" -> ");
            line.push_str(t);
        }
        if let Some((ma, mi)) = r.rdev {
            line.push_str(&format!(" dev {ma},{mi}"));
        }
        if let Some(s) = &r.same_as {
            line.push_str(" (same data as ");
            line.push_str(s);
            line.push(')');
        }
        writeln!(w, "{line}")?;
        write_details(r, w, opts)?;
    }
    Ok(())
}

/// The indented lines under an entry: header fields (on request) and errors.
fn write_details(r: &Row, w: &mut impl Write, opts: &TextOptions) -> io::Result<()> {
    if opts.fields {
        for f in &r.fields {
            writeln!(w, "    {} = {}", f.name, f.value)?;
        }
    }
    for e in &r.errors {
        writeln!(w, "    error: {e}")?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonListing<'a> {
    schema: &'static str,
    image: &'a str,
    entries: &'a [Row],
}

/// The listing as one JSON document written as its entries come
/// (`"schema": "reprodiff-ls/1"`, the same document [`write_json`] writes):
/// [`JsonStream::row`] for each, then [`JsonStream::finish`].
pub struct JsonStream<W: Write> {
    w: W,
    first: bool,
}

impl<W: Write> JsonStream<W> {
    pub fn start(mut w: W, image: &str) -> io::Result<Self> {
        write!(w, "{{\n  \"schema\": \"reprodiff-ls/1\",\n  \"image\": ")?;
        serde_json::to_writer(&mut w, image)?;
        write!(w, ",\n  \"entries\": [")?;
        Ok(JsonStream { w, first: true })
    }

    pub fn row(&mut self, r: &Row) -> io::Result<()> {
        self.w
            .write_all(if self.first { b"\n    " } else { b",\n    " })?;
        self.first = false;
        serde_json::to_writer(&mut self.w, r)?;
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.w
            .write_all(if self.first { b"]\n}\n" } else { b"\n  ]\n}\n" })?;
        Ok(self.w)
    }
}

/// The listing as one JSON document (`"schema": "reprodiff-ls/1"`).
pub fn write_json(image: &str, rows: &[Row], w: &mut impl Write) -> io::Result<()> {
    let doc = JsonListing {
        schema: "reprodiff-ls/1",
        image,
        entries: rows,
    };
    reprodiff_present::json::pretty(&doc, &mut *w)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_strings_match_ls() {
        assert_eq!(mode_string(Some(Kind::File), Some(0o644)), "-rw-r--r--");
        assert_eq!(mode_string(Some(Kind::Dir), Some(0o1777)), "drwxrwxrwt");
        assert_eq!(mode_string(Some(Kind::File), Some(0o4755)), "-rwsr-xr-x");
        assert_eq!(mode_string(Some(Kind::File), Some(0o2644)), "-rw-r-Sr--");
        assert_eq!(mode_string(Some(Kind::Symlink), None), "l?????????");
    }
}
