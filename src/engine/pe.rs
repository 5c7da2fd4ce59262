//! PE leaves as the engine hands them to diagnosis: two PE/COFF images
//! (UEFI applications such as shim, GRUB or memtest86+'s `bootx64.efi`)
//! with their header fields compared one by one, their sections paired by
//! name (those only one side has included), the Authenticode certificate
//! tables compared on their own, and whether any other byte (the rest of
//! the headers, the section table, a COFF symbol table, trailing data)
//! differs.
//!
//! Engine stage (formats → **engine** → diagnosis → report): the images are
//! parsed here, once (`reprodiff_formats::pe`); diagnosis classifies what
//! this pairs and never parses a binary itself.

use std::collections::HashMap;
use std::ops::Range;

use reprodiff_formats::pe::{self, Certificate, CertificateTable, Pe};
use reprodiff_formats::{Role, Value};

/// A header field whose value differs, with the role its reader stated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDiff {
    pub name: String,
    pub role: Role,
    pub a: Option<Value>,
    pub b: Option<Value>,
}

/// What a section is, for the purpose of explaining a difference in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// `.buildid`: GNU ld's CodeView record, a hash of the image.
    BuildId,
    /// Code, data, anything else.
    Other,
}

/// A section whose bytes differ, or that only one side has.
#[derive(Debug, Clone)]
pub struct SectionDiff<'d> {
    pub name: String,
    pub kind: SectionKind,
    /// The section's bytes on each side; `None` where that side lacks it.
    pub a: Option<&'d [u8]>,
    pub b: Option<&'d [u8]>,
}

/// One side's certificate table.
#[derive(Debug, Clone)]
pub struct Signature<'d> {
    pub bytes: &'d [u8],
    pub entries: Vec<Certificate>,
    /// The signer's `signingTime`, in Unix seconds.
    pub signing_time: Option<i64>,
}

/// Two certificate tables that differ.
#[derive(Debug, Clone)]
pub struct SignatureDiff<'d> {
    /// Each side's table; `None` where that side is unsigned.
    pub a: Option<Signature<'d>>,
    pub b: Option<Signature<'d>>,
    /// Both are signed, and the tables are the same but for the signing
    /// time and the signature value computed over it: the same signer
    /// signed again at another time.
    pub only_signing_time: bool,
}

/// Two PE images, compared part by part.
#[derive(Debug, Clone)]
pub struct PePair<'d> {
    /// Header fields that differ, in the reader's order.
    pub fields: Vec<FieldDiff>,
    /// Differing sections, in a's section-table order, then those only b has.
    pub sections: Vec<SectionDiff<'d>>,
    /// The certificate tables, when they differ.
    pub signatures: Option<SignatureDiff<'d>>,
    /// Bytes outside every section and the certificate table differ, the
    /// fields above left out: other header fields, the section table, a
    /// symbol table, trailing data.
    pub rest_differs: bool,
}

impl PePair<'_> {
    /// Whether anything but the checksum and the certificate table
    /// differs: what a signature signs and the checksum sums.
    pub fn image_differs(&self) -> bool {
        self.rest_differs
            || !self.sections.is_empty()
            || self.fields.iter().any(|f| f.role != Role::Structure)
    }
}

fn kind_of(name: &str) -> SectionKind {
    match name {
        ".buildid" => SectionKind::BuildId,
        _ => SectionKind::Other,
    }
}

fn bytes_of(d: &[u8], r: Range<u64>) -> &[u8] {
    let (Ok(s), Ok(e)) = (usize::try_from(r.start), usize::try_from(r.end)) else {
        return &[];
    };
    d.get(s..e).unwrap_or_default()
}

/// The bytes no section and no certificate table owns, in file order, with
/// the header fields compared on their own zeroed (sorted intervals: linear
/// in the file and the section count, whatever a hostile table claims).
/// Signing pads an image with zeros to a multiple of 8 bytes before it
/// appends the table, so an unsigned image ends padded as signing would.
fn outside(d: &[u8], p: &Pe) -> Vec<u8> {
    let mut spans: Vec<(u64, u64)> = p
        .sections
        .iter()
        .map(|s| (s.offset, s.offset.saturating_add(s.size)))
        .collect();
    if let Some(t) = &p.certificates {
        spans.push((t.offset, t.offset.saturating_add(t.bytes.len() as u64)));
    }
    spans.sort_unstable();
    let len = d.len() as u64;
    let mut gaps = Vec::new();
    let mut at = 0u64;
    for (start, end) in spans {
        if start > at {
            gaps.push(at..start.min(len));
        }
        at = at.max(end);
    }
    if at < len {
        gaps.push(at..len);
    }
    let padding = if p.certificates.is_none() {
        (8 - d.len() % 8) % 8
    } else {
        0
    };
    let mut v = Vec::new();
    for g in gaps {
        let base = v.len() as u64;
        v.extend_from_slice(bytes_of(d, g.clone()));
        for f in &p.field_ranges {
            let (s, e) = (f.start.max(g.start), f.end.min(g.end));
            for i in s..e {
                if let Some(b) = usize::try_from(base + (i - g.start))
                    .ok()
                    .and_then(|i| v.get_mut(i))
                {
                    *b = 0;
                }
            }
        }
    }
    v.resize(v.len() + padding, 0);
    v
}

/// The header fields of a and b whose values differ, by name.
fn fields(pa: &Pe, pb: &Pe) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    for fa in &pa.fields {
        let fb = pb.field(&fa.name);
        if fb.map(|f| &f.value) != Some(&fa.value) {
            out.push(FieldDiff {
                name: fa.name.to_string(),
                role: fa.role,
                a: Some(fa.value.clone()),
                b: fb.map(|f| f.value.clone()),
            });
        }
    }
    for fb in &pb.fields {
        if pa.field(&fb.name).is_none() {
            out.push(FieldDiff {
                name: fb.name.to_string(),
                role: fb.role,
                a: None,
                b: Some(fb.value.clone()),
            });
        }
    }
    out
}

/// The sections of a and b paired by name (the n-th of a name with the
/// n-th), those that differ or that only one side has.
fn sections<'d>(a: &'d [u8], pa: &Pe, b: &'d [u8], pb: &Pe) -> Vec<SectionDiff<'d>> {
    // Name → b's sections of that name, in order, not yet paired.
    let mut in_b: HashMap<&str, std::collections::VecDeque<&pe::Section>> = HashMap::new();
    for s in &pb.sections {
        in_b.entry(s.name.as_str()).or_default().push_back(s);
    }
    let range = |s: &pe::Section| s.offset..s.offset.saturating_add(s.size);
    let mut out = Vec::new();
    for sa in &pa.sections {
        let sb = in_b.get_mut(sa.name.as_str()).and_then(|q| q.pop_front());
        let da = bytes_of(a, range(sa));
        let db = sb.map(|s| bytes_of(b, range(s)));
        if db != Some(da) {
            out.push(SectionDiff {
                name: sa.name.clone(),
                kind: kind_of(&sa.name),
                a: Some(da),
                b: db,
            });
        }
    }
    for s in &pb.sections {
        let left = in_b
            .get_mut(s.name.as_str())
            .is_some_and(|q| q.front().is_some_and(|f| std::ptr::eq(*f, s)));
        if left {
            in_b.get_mut(s.name.as_str()).map(|q| q.pop_front());
            out.push(SectionDiff {
                name: s.name.clone(),
                kind: kind_of(&s.name),
                a: None,
                b: Some(bytes_of(b, range(s))),
            });
        }
    }
    out
}

/// Where a table's signing time and signature value lie.
fn signing_places(t: &CertificateTable) -> Option<(Range<usize>, Range<usize>)> {
    let s = t.signer.as_ref()?;
    Some((
        s.signing_time.as_ref()?.1.clone(),
        s.signature_value.clone()?,
    ))
}

/// The table with its signing time and signature value zeroed: what stays
/// when the same signer signs the same image again.
fn without_signing(t: &CertificateTable) -> Option<Vec<u8>> {
    let (time, value) = signing_places(t)?;
    let mut v = t.bytes.to_vec();
    v.get_mut(time)?.fill(0);
    v.get_mut(value)?.fill(0);
    Some(v)
}

/// The two certificate tables, when they differ.
fn signatures<'d>(
    ta: Option<&CertificateTable<'d>>,
    tb: Option<&CertificateTable<'d>>,
) -> Option<SignatureDiff<'d>> {
    if ta.map(|t| t.bytes) == tb.map(|t| t.bytes) {
        return None;
    }
    let side = |t: &CertificateTable<'d>| Signature {
        bytes: t.bytes,
        entries: t.entries.clone(),
        signing_time: t
            .signer
            .as_ref()
            .and_then(|s| s.signing_time.as_ref())
            .map(|(secs, _)| *secs),
    };
    let only_signing_time = match (ta, tb) {
        (Some(x), Some(y)) => {
            signing_places(x).is_some()
                && signing_places(x) == signing_places(y)
                && without_signing(x).is_some_and(|v| Some(v) == without_signing(y))
        }
        _ => false,
    };
    Some(SignatureDiff {
        a: ta.map(side),
        b: tb.map(side),
        only_signing_time,
    })
}

/// Pairs two PE images part by part; `None` when either is not a readable
/// PE image.
pub fn pair<'d>(a: &'d [u8], b: &'d [u8]) -> Option<PePair<'d>> {
    if !(pe::is_pe(a) && pe::is_pe(b)) {
        return None;
    }
    let (pa, pb) = (pe::parse(a).ok()?, pe::parse(b).ok()?);
    Some(PePair {
        fields: fields(&pa, &pb),
        sections: sections(a, &pa, b, &pb),
        signatures: signatures(pa.certificates.as_ref(), pb.certificates.as_ref()),
        rest_differs: outside(a, &pa) != outside(b, &pb),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(n: &str) -> Vec<u8> {
        let p = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/pe/");
        std::fs::read(format!("{p}{n}")).unwrap_or_else(|e| panic!("{n}: {e}"))
    }

    fn names<'p>(p: &'p PePair) -> (Vec<&'p str>, Vec<&'p str>) {
        (
            p.fields.iter().map(|f| f.name.as_str()).collect(),
            p.sections.iter().map(|s| s.name.as_str()).collect(),
        )
    }

    #[test]
    fn another_day_is_the_timestamp_and_the_checksum() {
        let (a, b) = (fixture("timestamp.a.efi"), fixture("timestamp.b.efi"));
        let p = pair(&a, &b).expect("two PE images");
        assert_eq!(names(&p), (vec!["pe.timestamp", "pe.checksum"], vec![]));
        assert!(!p.rest_differs && p.signatures.is_none());
        assert_eq!(p.fields[0].role, Role::HeaderDate);
        assert_eq!(p.fields[0].b, Some(Value::Epoch(1_700_086_400)));
    }

    #[test]
    fn sections_only_one_side_has_are_listed() {
        let (a, b) = (fixture("linker.a.efi"), fixture("linker.b.efi"));
        let p = pair(&a, &b).expect("two PE images");
        let only_a: Vec<&str> = p
            .sections
            .iter()
            .filter(|s| s.b.is_none())
            .map(|s| s.name.as_str())
            .collect();
        assert!(only_a.contains(&".idata"), "{:?}", names(&p));
        assert!(p.rest_differs);
        assert!(p.fields.iter().any(|f| f.name == "pe.linker_version"));
    }

    #[test]
    fn a_new_signature_is_apart_from_the_image() {
        let (a, b) = (fixture("signed.a.efi"), fixture("signed.b.efi"));
        let p = pair(&a, &b).expect("two PE images");
        let s = p.signatures.as_ref().expect("signatures differ");
        assert!(s.only_signing_time);
        let when = |s: &Option<Signature>| s.as_ref().and_then(|s| s.signing_time);
        assert_eq!(
            (when(&s.a), when(&s.b)),
            (Some(1_700_000_000), Some(1_700_086_400))
        );
        assert!(!p.image_differs(), "{:?}", names(&p));
        // Another key, the same time: not only the signing time.
        let d = fixture("signed.d.efi");
        let p = pair(&a, &d).expect("two PE images");
        assert!(!p.signatures.expect("signatures differ").only_signing_time);
        // Unsigned against signed: the security entry and the table are
        // the signature's, not other header bytes.
        let u = fixture("timestamp.a.efi");
        let p = pair(&u, &a).expect("two PE images");
        let s = p.signatures.as_ref().expect("signatures differ");
        assert!(s.a.is_none() && s.b.is_some() && !s.only_signing_time);
        assert!(!p.image_differs(), "{:?}", names(&p));
    }

    /// shim as Debian ships it: an unsigned image whose length is not a
    /// multiple of 8, and the same image signed, padded with zeros to 8
    /// before its table. The padding is the signing's, not the image's.
    #[test]
    fn signing_padding_is_not_an_image_difference() {
        let (image, signed) = (fixture("timestamp.a.efi"), fixture("signed.a.efi"));
        let table = pe::parse(&signed)
            .ok()
            .and_then(|p| p.certificates.map(|t| t.bytes.to_vec()))
            .expect("a certificate table");
        let mut unsigned = image.clone();
        unsigned.extend_from_slice(b"abc");
        let mut resigned = unsigned.clone();
        resigned.resize(unsigned.len().next_multiple_of(8), 0);
        let at = resigned.len() as u32;
        resigned.extend_from_slice(&table);
        // The security directory entry, and the checksum sbsign wrote.
        let p = pe::parse(&signed).expect("signed.a.efi");
        let entry = p.field_ranges[3].start as usize;
        resigned[entry..entry + 4].copy_from_slice(&at.to_le_bytes());
        resigned[entry + 4..entry + 8].copy_from_slice(&(table.len() as u32).to_le_bytes());
        let p = pair(&unsigned, &resigned).expect("two PE images");
        assert!(p.signatures.is_some());
        assert!(!p.image_differs(), "{:?}", names(&p));
        // Bytes that are not zeros are the image's.
        resigned[unsigned.len()] = 1;
        let p = pair(&unsigned, &resigned).expect("two PE images");
        assert!(p.rest_differs);
    }

    /// Truncated and bit-flipped PE pairs: no panic, whatever is found.
    #[test]
    fn hostile_pairs_do_not_panic() {
        for (a, b) in [
            (fixture("signed.a.efi"), fixture("signed.c.efi")),
            (fixture("linker.a.efi"), fixture("linker.b.efi")),
        ] {
            let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
            for i in 0..600usize {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let mut m = b.clone();
                if i % 2 == 0 {
                    m.truncate((seed >> 33) as usize % b.len());
                } else {
                    let pos = (seed >> 17) as usize % m.len();
                    if let Some(x) = m.get_mut(pos) {
                        *x ^= (seed >> 5) as u8 | 1;
                    }
                }
                // The diagnosis of the pair must hold too.
                let mut node = crate::report::Node::new("x", crate::report::Status::Modified);
                crate::explain_leaf("x", &a, &m, &mut node);
            }
        }
    }
}
