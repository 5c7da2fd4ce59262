//! Pieces every formats integration test needs: fixture paths under
//! testdata/, a deterministic generator for the hostile-input sweeps, a
//! SHA-256 to compare decoded members with the tools' checksum listings,
//! field look-ups and the date text the tools' listings print. Each test file
//! pulls it in with `mod common;`, so not every file uses every piece.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

use reprodiff_formats::model::civil_from_days;
use reprodiff_formats::{Blob, Container, Entry, Field, Limits, Result, Time};
use sha2::{Digest, Sha256};

/// `testdata/<dir>/<name>` from the repository root.
pub fn fixture_path(dir: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(dir)
        .join(name)
}

/// A fixture's bytes; a missing fixture fails the test with its path.
pub fn read(dir: &str, name: &str) -> Vec<u8> {
    let p = fixture_path(dir, name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A fixture's text (the tools' listings).
pub fn read_text(dir: &str, name: &str) -> String {
    let p = fixture_path(dir, name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// At most `limit` bytes of a gzip'd fixture, without inflating the rest.
pub fn gunzip(dir: &str, name: &str, limit: u64) -> Vec<u8> {
    let raw = read(dir, name);
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(raw.as_slice())
        .take(limit)
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{dir}/{name}: {e}"));
    out
}

/// Knuth's MMIX LCG, top bits only: deterministic, so a failing mutation
/// reproduces from the seed.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Damages one byte the way the sweeps do: zeroed, all ones, one bit
/// flipped or replaced at random, as `rng` picks.
pub fn damage(b: &mut u8, rng: &mut Lcg) {
    *b = match rng.next() % 4 {
        0 => 0,
        1 => 0xff,
        2 => *b ^ (1 << (rng.next() % 8)),
        _ => rng.next() as u8,
    };
}

/// A reader's entry point, as the hostile sweeps call it.
pub type OpenFn = fn(&Blob, &Limits) -> Result<Container>;

/// Opens `blob` with `open` and reads every entry. Errors are the expected
/// outcome on mutated input; only a panic or a hang fails the sweep.
pub fn open_and_read(blob: &Blob, open: OpenFn, limits: &Limits) {
    if let Ok(c) = open(blob, limits) {
        for i in 0..c.entries.len() {
            let _ = c.read(i, limits);
        }
    }
}

/// Lower-case hex SHA-256, as `sha256sum` prints it.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The value of the field `name` as reports show it, if present. (Leaked:
/// a test's handful of short strings, so call sites compare `&str`s.)
pub fn field(fields: &[Field], name: &str) -> Option<&'static str> {
    fields
        .iter()
        .find(|f| f.name == name)
        .map(|f| &*Box::leak(f.value.to_string().into_boxed_str()))
}

/// The value of the field `name`; its absence fails the test.
pub fn must_field(fields: &[Field], name: &str) -> &'static str {
    field(fields, name).unwrap_or_else(|| panic!("no field {name}"))
}

/// The value of `e`'s format-specific field `name`, if present.
pub fn extra<'a>(e: &'a Entry, name: &str) -> Option<&'a str> {
    field(&e.meta.extra, name)
}

/// `YYYY-MM-DD HH:MM:SS[.nnnnnnnnn]` in UTC, as `tar tv --full-time` prints it.
pub fn full_time(t: Time) -> String {
    let days = t.secs.div_euclid(86_400);
    let s = t.secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        s / 3600,
        s / 60 % 60,
        s % 60
    );
    if t.nanos != 0 {
        out.push_str(&format!(".{:09}", t.nanos));
    }
    out
}

/// `YYYY-MM-DD HH:MM` in UTC, the minute resolution of `tar tv`,
/// `unsquashfs -lln` and `mdir`.
pub fn minutes(secs: i64) -> String {
    let mut s = full_time(Time::from_secs(secs));
    s.truncate(16);
    s
}
