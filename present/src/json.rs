//! The JSON report (`"schema": "reprodiff/2"`): the report model serialized
//! as is; `report/SCHEMA.md` documents it.
//!
//! Presenter stage (bytes → formats → engine → diagnosis → report →
//! **presenters**): reads a [`Report`], computes nothing.

use std::io::{self, Write};

use reprodiff_report::Report;

pub fn write(r: &Report, w: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, r)?;
    writeln!(w)
}

/// Bytes [`write`] writes for `r`: the measure `budget::fit` cuts a JSON
/// report to.
pub fn size(r: &Report) -> u64 {
    crate::budget::measure(|w| write(r, w))
}
