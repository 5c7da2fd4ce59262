//! reprodiff-present: the presenters, the last stage of bytes → formats →
//! engine → diagnosis → report → **presenters**. Each reads a finished
//! [`Report`](reprodiff_report::Report) and computes nothing: the text
//! report for terminals and CI logs, the JSON report, the Markdown
//! report for bug trackers, the self-contained HTML report, diffoscope's
//! JSON for tools that read diffoscope, and the in-toto attestation
//! rebuilders sign. Every one is
//! `fn write(report, &mut impl Write, options)`; `budget` keeps any of
//! them under a size cap. The terminal browser (`reprodiff-tui`) draws
//! from here too.

pub mod attest;
pub mod budget;
pub mod diff;
pub mod diffoscope;
pub mod html;
pub mod json;
pub mod markdown;
pub mod text;

use std::io::{self, Write};

/// A writer for terminals that shows ASCII control characters from image
/// data (an escape sequence in a file name or a text diff could rewrite the
/// screen) as `\x1b`-style escapes; newlines and tabs pass through.
pub struct Sanitize<W: Write>(pub W);

impl<W: Write> Write for Sanitize<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            if (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f {
                self.0.write_all(&buf[start..i])?;
                write!(self.0, "\\x{b:02x}")?;
                start = i + 1;
            }
        }
        self.0.write_all(&buf[start..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::Sanitize;
    use std::io::Write;

    #[test]
    fn control_characters_are_escaped() {
        let mut w = Sanitize(Vec::new());
        write!(w, "usr/bin/x\n\ta\x1b[2Jb\r\x7f").unwrap();
        assert_eq!(
            String::from_utf8(w.0).unwrap(),
            "usr/bin/x\n\ta\\x1b[2Jb\\x0d\\x7f"
        );
    }
}
