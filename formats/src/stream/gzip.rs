//! gzip (RFC 1952): one member's decoding, and the header fields that
//! explain "same content, different bytes" (MTIME, OS, XFL, FNAME, ...).
//!
//! Part of formats/ (bytes → formats → engine → report), under
//! [`super`], which runs the members of a stream one after another.

use super::{pump, read_member, Sink};
use crate::bytes::{le16, le32};
use crate::{Field, Format, Result, Role, Value};

/// Decodes the gzip member at `pos`.
pub(super) fn member(data: &[u8], pos: usize, sink: &mut Sink) -> Result<(usize, bool)> {
    read_member(data, pos, sink, |rest, sink| {
        let mut d = flate2::bufread::GzDecoder::new(rest);
        pump(&mut d, Format::Gzip, pos as u64, sink)
    })
}

pub(super) fn fields(b: &[u8], f: &mut Vec<Field>) {
    let Some(h) = b.get(..10) else {
        return;
    };
    let flg = h[3];
    // `h` is 10 bytes long.
    let mtime = le32(h, 4).unwrap_or(0);
    // 0 means "no time stored" (RFC 1952), not the epoch.
    let mtime_text = if mtime == 0 {
        Value::Unset(0)
    } else {
        Value::Epoch(i64::from(mtime))
    };
    f.push(Field::new("gzip.mtime", mtime_text, Role::Packing));
    let os = match h[9] {
        0 => "FAT",
        1 => "Amiga",
        2 => "VMS",
        3 => "Unix",
        4 => "VM/CMS",
        5 => "Atari TOS",
        6 => "HPFS",
        7 => "Macintosh",
        8 => "Z-System",
        9 => "CP/M",
        10 => "TOPS-20",
        11 => "NTFS",
        12 => "QDOS",
        13 => "Acorn RISCOS",
        255 => "unknown",
        _ => "?",
    };
    f.push(Field::new(
        "gzip.os",
        format!("{} ({os})", h[9]),
        Role::Packing,
    ));
    let xfl = match h[8] {
        2 => " (best)",
        4 => " (fastest)",
        _ => "",
    };
    f.push(Field::new(
        "gzip.xfl",
        format!("{}{xfl}", h[8]),
        Role::Packing,
    ));
    let mut names = Vec::new();
    for (bit, name) in [
        (0x01, "FTEXT"),
        (0x02, "FHCRC"),
        (0x04, "FEXTRA"),
        (0x08, "FNAME"),
        (0x10, "FCOMMENT"),
    ] {
        if flg & bit != 0 {
            names.push(name);
        }
    }
    if flg & 0xe0 != 0 {
        names.push("reserved");
    }
    f.push(Field::new(
        "gzip.flags",
        format!("{flg:#04x} ({})", names.join(" ")).replace(" ()", ""),
        Role::Packing,
    ));
    let mut at = 10usize;
    if flg & 0x04 != 0 {
        let Some(xlen) = le16(b, 10).map(usize::from) else {
            return;
        };
        f.push(Field::new("gzip.extra_len", xlen, Role::Packing));
        at = 12 + xlen;
    }
    for (bit, name) in [(0x08, "gzip.name"), (0x10, "gzip.comment")] {
        if flg & bit == 0 {
            continue;
        }
        let rest = b.get(at..).unwrap_or(&[]);
        // Header strings are NUL-terminated ISO 8859-1; cap what we show.
        let Some(nul) = rest.iter().take(64 * 1024).position(|&c| c == 0) else {
            return;
        };
        let s: String = rest
            .get(..nul)
            .unwrap_or(&[])
            .iter()
            .map(|&c| char::from(c))
            .collect();
        f.push(Field::new(name, s, Role::Packing));
        at += nul + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        let mtime = |secs: u32| {
            let mut h = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
            h[4..8].copy_from_slice(&secs.to_le_bytes());
            let mut f = Vec::new();
            fields(&h, &mut f);
            f.into_iter()
                .find(|x| x.name == "gzip.mtime")
                .map(|x| x.value)
        };
        assert_eq!(mtime(0), Some(Value::Unset(0)));
        assert_eq!(mtime(1_700_000_000), Some(Value::Epoch(1_700_000_000)));
        assert_eq!(
            mtime(u32::MAX).map(|v| v.to_string()).as_deref(),
            Some("2106-02-07T06:28:15Z (4294967295)")
        );
    }
}
