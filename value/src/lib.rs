//! reprodiff-value: the typed vocabulary every stage shares.
//!
//! Flow: bytes → formats → engine → diagnosis → report → presenters. A
//! reader (formats) states what each field it decodes *is*: a [`Value`]
//! (a time, an integer, text, an identifier…) and a [`Role`] (an entry's
//! time, a header date, a location that shifts when anything before it
//! grows, a structural size, a random identifier, a tool version…). The
//! engine carries both into the report unchanged; diagnosis decides from
//! roles and values, never from a field's name; presenters format values.
//! This crate has no other dependency than serde, so the report model (and
//! the terminal UI that reads it) needs no reader to use it.

use std::fmt;

use serde::{Deserialize, Serialize};

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    File,
    Dir,
    Symlink,
    /// A hard link recorded as such by the format (tar typeflag 1); formats
    /// that share inodes (SquashFS, cpio) report `File` with `meta.inode`/`nlink`.
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::File => "file",
            Kind::Dir => "dir",
            Kind::Symlink => "symlink",
            Kind::Hardlink => "hardlink",
            Kind::CharDevice => "char-device",
            Kind::BlockDevice => "block-device",
            Kind::Fifo => "fifo",
            Kind::Socket => "socket",
        }
    }

    /// Kind from the file-type bits of a POSIX `st_mode` (`S_IFMT`).
    pub fn from_mode(mode: u32) -> Option<Kind> {
        match mode & 0o170000 {
            0o100000 => Some(Kind::File),
            0o040000 => Some(Kind::Dir),
            0o120000 => Some(Kind::Symlink),
            0o020000 => Some(Kind::CharDevice),
            0o060000 => Some(Kind::BlockDevice),
            0o010000 => Some(Kind::Fifo),
            0o140000 => Some(Kind::Socket),
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A point in time: seconds since the Unix epoch (may be negative) and nanoseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct Time {
    pub secs: i64,
    pub nanos: u32,
}

impl Time {
    pub fn from_secs(secs: i64) -> Time {
        Time { secs, nanos: 0 }
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian
/// calendar (the usual era-based conversion; exact for every i64 day count
/// that fits a year in i64).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) → days since 1970-01-01; inverse of [`civil_from_days`].
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl fmt::Display for Time {
    /// ISO 8601 in UTC, with nanoseconds only when non-zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )?;
        if self.nanos != 0 {
            write!(f, ".{:09}", self.nanos)?;
        }
        f.write_str("Z")
    }
}

/// How a time was recorded relative to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Zone {
    /// Stored as UTC (Unix times, GPT, SquashFS, tar, cpio).
    Utc,
    /// Stored as local time with this offset east of UTC, in minutes (ISO
    /// 9660 dates); `secs` is already converted to UTC.
    Offset(i32),
    /// Stored as a local time with no zone (FAT and ZIP DOS times): `secs`
    /// is that wall-clock time read as if it were UTC.
    Unknown,
}

/// What a field holds. Readers choose the variant; presenters format it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum Value {
    /// A point in time, and how it was stored. `fraction` is how many
    /// digits of a second the format records (2 for ISO 9660 volume dates),
    /// shown even when zero; 0 shows nanoseconds only when there are some.
    Time {
        time: Time,
        zone: Zone,
        #[serde(default, skip_serializing_if = "is_zero")]
        fraction: u8,
    },
    /// A time stored as Unix seconds in a header field: shown as the date
    /// and the number (`2023-11-14T22:13:20Z (1700000000)`).
    Epoch(i64),
    /// A number field holding the value its format uses for "not set"
    /// (gzip's MTIME 0): shown as `0 (not set)`.
    Unset(u64),
    /// A count, size, offset or other unsigned number.
    Uint(u64),
    /// A signed number.
    Int(i64),
    /// A number whose bits mean something one by one (flags, a type byte,
    /// a checksum): shown in hexadecimal with all `digits` of its width.
    Flags {
        bits: u64,
        digits: u8,
    },
    /// POSIX permission bits (`0o7777`): shown in octal.
    Mode(u32),
    Bool(bool),
    /// Text as the format stores it (decoded, trailing padding removed).
    Text(String),
    /// Bytes with no text meaning.
    Bytes(#[serde(with = "hex_bytes")] Vec<u8>),
    /// An identifier written the usual way for its kind (a GUID in its
    /// dashed form, a volume serial `1234-ABCD`).
    Id(String),
    /// A date found written in content, as written, with the instant it names.
    Written {
        text: String,
        time: Time,
    },
}

impl Value {
    /// A text value.
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    /// A UTC time from seconds.
    pub fn utc(secs: i64) -> Value {
        Value::Time {
            time: Time::from_secs(secs),
            zone: Zone::Utc,
            fraction: 0,
        }
    }

    /// A fixed-width binary number shown in hex with its whole width
    /// (`0x00` for a `u8`, `0x00000311` for a `u32`).
    pub fn hex<T: Into<u64>>(v: T) -> Value {
        Value::Flags {
            bits: v.into(),
            digits: (std::mem::size_of::<T>() * 2) as u8,
        }
    }

    /// The time, when this is one.
    pub fn as_time(&self) -> Option<Time> {
        match self {
            Value::Time { time, .. } | Value::Written { time, .. } => Some(*time),
            Value::Epoch(secs) => Some(Time::from_secs(*secs)),
            _ => None,
        }
    }

    /// The text, when this is text or an identifier.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) | Value::Id(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// The one display form of a value, used by every presenter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Time {
                time,
                zone,
                fraction,
            } => match zone {
                Zone::Utc => write!(f, "{time}"),
                Zone::Offset(m) => {
                    // As recorded: local wall-clock time and its offset.
                    let local = Time::from_secs(time.secs.saturating_add(i64::from(*m) * 60));
                    let s = local.to_string();
                    f.write_str(s.strip_suffix('Z').unwrap_or(&s))?;
                    match u32::from(*fraction).min(9) {
                        0 if time.nanos != 0 => write!(f, ".{:09}", time.nanos)?,
                        0 => {}
                        d => {
                            let scaled = time.nanos / 10u32.pow(9 - d);
                            write!(f, ".{scaled:0w$}", w = d as usize)?;
                        }
                    }
                    let sign = if *m < 0 { '-' } else { '+' };
                    let m = m.unsigned_abs();
                    write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
                }
                Zone::Unknown => {
                    // Wall-clock time with no zone.
                    let s = time.to_string();
                    f.write_str(s.strip_suffix('Z').unwrap_or(&s))
                }
            },
            Value::Epoch(secs) => write!(f, "{} ({secs})", Time::from_secs(*secs)),
            Value::Unset(n) => write!(f, "{n} (not set)"),
            Value::Uint(n) => write!(f, "{n}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Flags { bits, digits } => {
                write!(f, "{bits:#0w$x}", w = usize::from(*digits) + 2)
            }
            Value::Mode(m) => write!(f, "{m:04o}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(s) | Value::Id(s) | Value::Written { text: s, .. } => f.write_str(s),
            Value::Bytes(b) => {
                for x in b {
                    write!(f, "{x:02x}")?;
                }
                Ok(())
            }
        }
    }
}

impl From<Time> for Value {
    fn from(t: Time) -> Value {
        Value::Time {
            time: t,
            zone: Zone::Utc,
            fraction: 0,
        }
    }
}
impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Uint(n)
    }
}
impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Uint(u64::from(n))
    }
}
impl From<u16> for Value {
    fn from(n: u16) -> Value {
        Value::Uint(u64::from(n))
    }
}
impl From<u8> for Value {
    fn from(n: u8) -> Value {
        Value::Uint(u64::from(n))
    }
}
impl From<usize> for Value {
    fn from(n: usize) -> Value {
        Value::Uint(n as u64)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}
impl From<std::borrow::Cow<'_, str>> for Value {
    fn from(s: std::borrow::Cow<'_, str>) -> Value {
        Value::Text(s.into_owned())
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Value {
        Value::Text(s.clone())
    }
}

/// What a field *means* for a comparison, stated by the reader that decoded
/// it. Diagnosis turns a role (and the values) into a cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// An entry's own time (mtime, atime, a directory record's date, a DOS
    /// time): differs when a build does not clamp file times.
    EntryTime,
    /// A date in a container's header (volume creation date, `mkfs_time`,
    /// gzip MTIME): the build's clock.
    HeaderDate,
    /// Where something sits (an LBA, a first cluster, an inode number, an
    /// offset): shifts whenever anything before it grows. Located, not
    /// reported as an entry change.
    Location,
    /// A size, count, checksum or validity flag of a structure: follows the
    /// content it describes.
    Structure,
    /// An identifier a tool draws at random or derives from the clock
    /// (GUID, UUID, volume serial, disk signature).
    Identifier,
    /// The name or version of the tool that wrote the bytes (ISO data
    /// preparer, ZIP "version made by").
    Version,
    /// How the bytes were packed, not what they hold (compressor, level,
    /// flags of a compressed stream, a ZIP method).
    Packing,
    /// Permission bits.
    Permissions,
    /// Owner and group, by number or name.
    Ownership,
    /// The order of members (set by the engine, not by readers).
    Order,
    /// An entry's name when it was paired with the other side's under
    /// another name: a rename (set by the engine).
    Name,
    /// An entry's own size: follows its content (set by the engine).
    Size,
    /// A link's target path (set by the engine).
    LinkTarget,
    /// A difference the content analysis found and explained (a date or a
    /// build path inside a file, an ELF section): set by diagnosis with its
    /// cause.
    Finding,
    /// A line of a checksum list that names another entry (the change's
    /// subject): consequential when that entry differs.
    Checksum,
    /// A package's installed version in a package database (the change's
    /// subject is the package).
    Installed,
    /// A build input a build manifest, a package list or a `.buildinfo`
    /// names: a package's version (the change's subject is the package) or
    /// an archive snapshot the build used (the subject is the archive), set
    /// by diagnosis. What the build was made from: it ranks first.
    Input,
    /// An entry installed by a package whose version differs (the change's
    /// subject is the package).
    Package,
    /// The entry's data is another entry's (a hard link, a Joliet name, a
    /// boot image that is also a file; the change's subject is that
    /// entry's address): its content difference is that one's, reported
    /// there (set by the engine).
    SameData,
    /// Anything else that is part of what the container says: names,
    /// labels, types, link targets.
    Content,
}

/// Serde helper: bytes as a lowercase hex string.
pub mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::with_capacity(b.len() * 2);
        for x in b {
            out.push(char::from(b"0123456789abcdef"[usize::from(x >> 4)]));
            out.push(char::from(b"0123456789abcdef"[usize::from(x & 15)]));
        }
        s.serialize_str(&out)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        decode(&s).ok_or_else(|| serde::de::Error::custom("not a hex string"))
    }

    /// Lowercase or uppercase hex → bytes; `None` for odd length or a non-hex digit.
    pub fn decode(s: &str) -> Option<Vec<u8>> {
        let b = s.as_bytes();
        if !b.len().is_multiple_of(2) {
            return None;
        }
        let nib = |c: u8| (c as char).to_digit(16).map(|v| v as u8);
        b.chunks(2)
            .map(|p| Some(nib(p[0])? << 4 | nib(p[1])?))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_renders_iso8601() {
        assert_eq!(Time::from_secs(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Time::from_secs(1_700_000_000).to_string(),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(Time::from_secs(-1).to_string(), "1969-12-31T23:59:59Z");
        let t = Time {
            secs: 951_782_400,
            nanos: 5,
        };
        assert_eq!(t.to_string(), "2000-02-29T00:00:00.000000005Z");
    }

    #[test]
    fn civil_round_trips() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn values_round_trip_through_json() {
        let all = [
            Value::utc(1_700_000_000),
            Value::Time {
                time: Time::from_secs(5),
                zone: Zone::Offset(-330),
                fraction: 2,
            },
            Value::Epoch(7),
            Value::Unset(0),
            Value::Uint(7),
            Value::Int(-7),
            Value::hex(0x91u8),
            Value::Mode(0o755),
            Value::Bool(true),
            Value::text("x"),
            Value::Bytes(vec![0, 0xab]),
            Value::Id("1234-ABCD".into()),
            Value::Written {
                text: "Tue, 14 Nov 2023 22:13:20 +0000".into(),
                time: Time::from_secs(1_700_000_000),
            },
        ];
        for v in all {
            let j = serde_json::to_string(&v).unwrap();
            let back: Value = serde_json::from_str(&j).unwrap();
            assert_eq!(back, v, "{j}");
        }
        assert_eq!(
            serde_json::to_string(&Value::Bytes(vec![0, 0xab])).unwrap(),
            r#"{"type":"bytes","value":"00ab"}"#
        );
    }

    #[test]
    fn display_forms() {
        assert_eq!(
            Value::utc(1_700_000_000).to_string(),
            "2023-11-14T22:13:20Z"
        );
        let local = Value::Time {
            time: Time::from_secs(1_700_000_000),
            zone: Zone::Offset(-330),
            fraction: 0,
        };
        assert_eq!(local.to_string(), "2023-11-14T16:43:20-05:30");
        let hundredths = Value::Time {
            time: Time {
                secs: 1_700_000_000,
                nanos: 500_000_000,
            },
            zone: Zone::Offset(60),
            fraction: 2,
        };
        assert_eq!(hundredths.to_string(), "2023-11-14T23:13:20.50+01:00");
        assert_eq!(
            Value::Epoch(1_700_000_000).to_string(),
            "2023-11-14T22:13:20Z (1700000000)"
        );
        assert_eq!(Value::Unset(0).to_string(), "0 (not set)");
        assert_eq!(Value::Mode(0o644).to_string(), "0644");
        assert_eq!(Value::hex(0x91u8).to_string(), "0x91");
        assert_eq!(Value::hex(0x311u32).to_string(), "0x00000311");
        assert_eq!(
            Value::Time {
                time: Time::from_secs(0),
                zone: Zone::Unknown,
                fraction: 0,
            }
            .to_string(),
            "1970-01-01T00:00:00"
        );
    }
}
