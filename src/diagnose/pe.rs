//! PE leaves (UEFI applications, Windows binaries): which header fields,
//! sections and signature own the differing bytes, and why. The causes come
//! from the roles the reader gave the header fields: the COFF TimeDateStamp
//! is the build's clock (`embedded-timestamp`), the linker version names
//! another `toolchain` (after which the image's other differences are its
//! `consequential`s, as ELF code is after a changed `.comment`), and the
//! checksum sums the rest of the file (`consequential`). Differing sections
//! are explained with the text masks (a `__DATE__` in `.rdata`) as ELF
//! sections are. The Authenticode signature signs every other byte: when
//! the image differs it follows (`consequential`); when the image is the
//! same and only the signer's signing time and the signature value over it
//! differ, the signing time is the `embedded-timestamp`; any other new
//! signature of an identical image (another key, signed against unsigned)
//! is `content`, said as such.
//!
//! Diagnosis stage (engine → **diagnosis** → report): classifies the parts
//! the engine paired (`engine::pe`); it parses no binary.

use super::elf::{hex, masked_section, string_at};
use crate::engine::pe::{FieldDiff, PePair, SectionKind, Signature};
use crate::report::{Cause, Change, Role, Value};

/// The field of the linker version: what other differences follow.
const LINKER: &str = "pe.linker_version";

/// A finding with its cause; `None` values where a side lacks the part.
fn finding(field: &str, a: Option<Value>, b: Option<Value>, cause: Cause) -> Change {
    Change {
        cause: Some(cause),
        ..Change::new(field, Role::Finding, a, b)
    }
}

/// The change, said to be about section `name`.
fn about(mut c: Change, name: &str) -> Change {
    c.subject = Some(name.to_string());
    c
}

/// A header field's cause, from the role its reader gave it. A structure
/// (the checksum) follows whatever else differs.
fn field_cause(f: &FieldDiff, anything_else: bool) -> Cause {
    match f.role {
        Role::HeaderDate | Role::EntryTime => Cause::EmbeddedTimestamp,
        Role::Version => Cause::Toolchain,
        Role::Identifier => Cause::RandomId,
        Role::Structure | Role::Size | Role::Location if anything_else => Cause::Consequential,
        _ => Cause::Content,
    }
}

/// One side's certificate table as shown: its entries, size and a digest
/// prefix (two signatures of one size are told apart by it).
fn describe(s: &Signature) -> Value {
    let mut kinds: Vec<&str> = s.entries.iter().map(|c| c.kind_name()).collect();
    if kinds.is_empty() {
        kinds.push("unreadable certificate table");
    }
    let digest = crate::engine::sha256_hex(s.bytes);
    Value::Text(format!(
        "{}, {} bytes, sha256 {}",
        kinds.join(" + "),
        s.bytes.len(),
        digest.get(..16).unwrap_or_default()
    ))
}

/// The changes of a differing section: `pe.section.<name>`.
fn section_changes(name: &str, kind: SectionKind, da: &[u8], db: &[u8]) -> Vec<Change> {
    let field = format!("pe.section.{name}");
    if kind == SectionKind::BuildId {
        // GNU ld's CodeView record: "RSDS", then the 16-byte GUID it hashes.
        let id = |d: &[u8]| {
            let at = d.windows(4).position(|w| w == b"RSDS");
            let guid = at.and_then(|at| d.get(at + 4..at + 20));
            Value::Text(hex(guid.unwrap_or(d)))
        };
        let c = finding(&field, Some(id(da)), Some(id(db)), Cause::BuildId);
        return vec![about(c, name)];
    }
    let ex = masked_section(da, db, &field);
    if !ex.unexplained {
        return ex
            .changes
            .into_iter()
            .map(|mut c| {
                c.field = field.clone();
                about(c, name)
            })
            .collect();
    }
    let first = da
        .iter()
        .zip(db)
        .position(|(x, y)| x != y)
        .unwrap_or(da.len().min(db.len()));
    let n = da.iter().zip(db).filter(|(x, y)| x != y).count() + da.len().abs_diff(db.len());
    let a = format!(
        "{} ({n} bytes differ from section offset {first:#x})",
        string_at(da, first)
    );
    let c = finding(
        &field,
        Some(Value::Text(a)),
        Some(Value::Text(string_at(db, first))),
        Cause::Content,
    );
    vec![about(c, name)]
}

/// Changes with causes for the differing parts of a PE pair:
/// `pe.<header field>`, `pe.section.<name>`, `pe.headers` (other bytes
/// outside the sections), `pe.signature` and `pe.signing_time`.
pub fn classify(p: &PePair) -> Vec<Change> {
    let image = p.image_differs();
    // Each change with whether it follows from the others when they differ
    // (a build-id hashes them, headers lay them out).
    let mut out: Vec<(Change, bool)> = Vec::new();
    for f in &p.fields {
        let cause = field_cause(f, image || p.signatures.is_some());
        out.push((finding(&f.name, f.a.clone(), f.b.clone(), cause), false));
    }
    for s in &p.sections {
        match (s.a, s.b) {
            (Some(da), Some(db)) => {
                let id = s.kind == SectionKind::BuildId;
                for c in section_changes(&s.name, s.kind, da, db) {
                    out.push((c, id));
                }
            }
            (a, b) => {
                let size = |d: Option<&[u8]>| d.map(|d| Value::Text(format!("{} bytes", d.len())));
                let field = format!("pe.section.{}", s.name);
                let c = finding(&field, size(a), size(b), Cause::Content);
                out.push((about(c, &s.name), false));
            }
        }
    }
    let others = out
        .iter()
        .any(|(c, follows)| !follows && c.cause != Some(Cause::Consequential));
    if p.rest_differs {
        let cause = if others {
            Cause::Consequential
        } else {
            Cause::Content
        };
        let c = finding(
            "pe.headers",
            Some(Value::text(
                "headers, section table or bytes outside sections",
            )),
            Some(Value::text("differ")),
            cause,
        );
        out.push((c, true));
    }
    if let Some(s) = &p.signatures {
        let show = |x: &Option<Signature>| x.as_ref().map(describe);
        let times = (
            s.a.as_ref().and_then(|x| x.signing_time),
            s.b.as_ref().and_then(|x| x.signing_time),
        );
        let mut sig = finding("pe.signature", show(&s.a), show(&s.b), Cause::Content);
        if image {
            // It signs the image, which differs.
            sig.cause = Some(Cause::Consequential);
        } else if let (Some(ta), Some(tb)) = times {
            if ta != tb {
                let t = finding(
                    "pe.signing_time",
                    Some(Value::Epoch(ta)),
                    Some(Value::Epoch(tb)),
                    Cause::EmbeddedTimestamp,
                );
                out.push((t, false));
            }
            if s.only_signing_time {
                // The same signer again: its signature is over the time.
                sig.cause = Some(Cause::Consequential);
                sig.follows = vec!["pe.signing_time".to_string()];
            }
        }
        if sig.cause == Some(Cause::Content) {
            // A signature not explained by a time, on an identical image.
            sig.a = sig.a.or(Some(Value::text("unsigned")));
            sig.b = Some(Value::Text(format!(
                "{} (Authenticode signature differs; the signed image is identical)",
                sig.b
                    .map_or_else(|| "unsigned".to_string(), |v| v.to_string())
            )));
        }
        out.push((sig, true));
    }
    let toolchain = out.iter().any(|(c, _)| c.cause == Some(Cause::Toolchain));
    out.into_iter()
        .map(|(mut c, _)| {
            if others && c.cause == Some(Cause::BuildId) {
                c.cause = Some(Cause::Consequential);
            }
            if toolchain && c.cause == Some(Cause::Content) {
                // Another linker lays out and writes other bytes.
                c.cause = Some(Cause::Consequential);
                c.follows = vec![LINKER.to_string()];
            }
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::pe::SectionDiff;

    fn pair() -> PePair<'static> {
        PePair {
            fields: Vec::new(),
            sections: Vec::new(),
            signatures: None,
            rest_differs: false,
        }
    }

    fn causes(p: &PePair) -> Vec<(String, Cause)> {
        classify(p)
            .into_iter()
            .map(|c| (c.field, c.cause.unwrap_or(Cause::Content)))
            .collect()
    }

    #[test]
    fn a_build_id_alone_is_build_id_and_else_follows() {
        let mut p = pair();
        p.sections.push(SectionDiff {
            name: ".buildid".into(),
            kind: SectionKind::BuildId,
            a: Some(b"\0\0RSDS0123456789abcdef\x01\0\0\0"),
            b: Some(b"\0\0RSDSfedcba9876543210\x01\0\0\0"),
        });
        assert_eq!(
            causes(&p),
            [("pe.section..buildid".to_string(), Cause::BuildId)]
        );
        let c = &classify(&p)[0];
        assert_eq!(c.a, Some(Value::text(hex(b"0123456789abcdef"))));
        p.sections.push(SectionDiff {
            name: ".text".into(),
            kind: SectionKind::Other,
            a: Some(b"\x90\x90"),
            b: Some(b"\x90\xc3"),
        });
        assert_eq!(
            causes(&p),
            [
                ("pe.section..buildid".to_string(), Cause::Consequential),
                ("pe.section..text".to_string(), Cause::Content)
            ]
        );
    }

    #[test]
    fn a_checksum_alone_is_content() {
        let mut p = pair();
        p.fields.push(FieldDiff {
            name: "pe.checksum".into(),
            role: Role::Structure,
            a: Some(Value::Unset(0)),
            b: Some(Value::hex(0x1234u32)),
        });
        assert_eq!(causes(&p), [("pe.checksum".to_string(), Cause::Content)]);
        p.rest_differs = true;
        // The checksum sums the other header bytes that differ.
        assert_eq!(
            causes(&p),
            [
                ("pe.checksum".to_string(), Cause::Consequential),
                ("pe.headers".to_string(), Cause::Content)
            ]
        );
    }
}
