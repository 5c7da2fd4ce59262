//! The JSON report (`"schema": "reprodiff/2"`): the report model serialized
//! as is; `report/SCHEMA.md` documents it.
//!
//! Presenter stage (bytes → formats → engine → diagnosis → report →
//! **presenters**): reads a [`Report`], computes nothing.

use std::io::{self, Write};

use reprodiff_report::Report;
use serde::Serialize;
use serde_json::ser::Formatter;

pub fn write(r: &Report, w: &mut impl Write) -> io::Result<()> {
    pretty(r, &mut *w)?;
    writeln!(w)
}

/// Bytes [`write`] writes for `r`: the measure `budget::fit` cuts a JSON
/// report to.
pub fn size(r: &Report) -> u64 {
    crate::budget::measure(|w| write(r, w))
}

/// `value` as `serde_json::to_writer_pretty` writes it (two spaces a level),
/// byte for byte, with each line's indentation written at once: serde_json's
/// own pretty printer writes it two bytes a level, and on a report of
/// thousands of text diffs (one object a diff line, ten levels deep) that
/// was most of the cost of writing it.
pub fn pretty<T: Serialize + ?Sized>(value: &T, w: impl Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, Pretty::default());
    value.serialize(&mut ser).map_err(io::Error::from)
}

#[derive(Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

/// Spaces for indentation, written a slice at a time.
const SPACES: &[u8; 128] = &[b' '; 128];

impl Pretty {
    fn newline<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        let mut n = self.depth * 2;
        while n > 0 {
            let k = n.min(SPACES.len());
            w.write_all(&SPACES[..k])?;
            n -= k;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, c: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(c)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, c: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(c)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours<T: Serialize>(v: &T) -> String {
        let mut out = Vec::new();
        pretty(v, &mut out).expect("writes to memory");
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    #[test]
    fn writes_what_serde_json_pretty_writes() {
        // Empty and nested containers, escapes, numbers, a depth past the
        // 128 spaces written at once.
        let mut deep = serde_json::json!("bottom");
        for i in 0..70 {
            deep = if i % 2 == 0 {
                serde_json::json!([deep, i])
            } else {
                serde_json::json!({ "k": deep, "e": {}, "a": [] })
            };
        }
        let samples = [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!(null),
            serde_json::json!({ "a": [], "b": {}, "c": [[], [{}]], "d": "q\"\\\n\u{1}é", "e": -1.5, "f": u64::MAX }),
            deep,
        ];
        for v in &samples {
            assert_eq!(ours(v), serde_json::to_string_pretty(v).expect("json"));
        }
    }
}
