//! Erlang BEAM modules (`.beam`, what `erlc` writes): an IFF container,
//! `FOR1` + size + `BEAM`, then chunks of a four-letter id, a big-endian
//! size and data padded to four bytes (`AtU8` atoms, `Code`, `ImpT`,
//! `ExpT`, `Attr` attributes, `CInf` compile information, `Dbgi` debug
//! info, `Line`, `Type`, `Meta`). The compile information names the
//! compiler's version (`[{version,"8.5.4"}]` in the external term format),
//! read here as the one value the comparison needs decoded.
//!
//! Part of formats/ (bytes → **formats** → engine → diagnosis → report): a
//! BEAM module is not a container, so nothing here is reached through
//! [`crate::open`]; the engine reads both sides of a differing `.beam` leaf
//! with [`read`] and pairs their chunks, so that diagnosis can say which
//! chunks differ and whether another compiler wrote them.

use std::ops::Range;

use crate::bytes::be32;
use crate::{Error, ErrorKind, Format, Result};

/// Chunks read from one module: compilers write about fifteen.
pub const MAX_CHUNKS: usize = 1024;

/// One chunk: its id and where its data lies in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub id: [u8; 4],
    pub data: Range<usize>,
}

impl Chunk {
    /// The chunk id as text (`Code`, `CInf`).
    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.id).into_owned()
    }
}

/// The chunks of one module, in file order.
#[derive(Debug, Clone)]
pub struct Beam<'d> {
    pub bytes: &'d [u8],
    pub chunks: Vec<Chunk>,
}

impl<'d> Beam<'d> {
    /// The data of the first chunk with this id.
    pub fn chunk(&self, id: &[u8; 4]) -> Option<&'d [u8]> {
        let c = self.chunks.iter().find(|c| &c.id == id)?;
        self.bytes.get(c.data.clone())
    }

    /// The compiler version the `CInf` chunk records, if it does.
    pub fn compiler_version(&self) -> Option<String> {
        term_string(self.chunk(b"CInf")?, b"version")
    }
}

/// Whether `b` starts as a BEAM module does.
pub fn is_beam(b: &[u8]) -> bool {
    b.starts_with(b"FOR1") && b.get(8..12) == Some(b"BEAM".as_slice())
}

fn err(offset: usize, kind: ErrorKind) -> Error {
    Error::new(Format::Beam, offset as u64, kind)
}

/// Reads the chunk list of a BEAM module. Errors name the offset of the
/// chunk that could not be read.
pub fn read(bytes: &[u8]) -> Result<Beam<'_>> {
    if !is_beam(bytes) {
        return Err(err(0, ErrorKind::BadMagic));
    }
    let form = be32(bytes, 4).ok_or_else(|| err(4, ErrorKind::BadMagic))? as usize;
    // The form's size counts from after the size field.
    let end = form.saturating_add(8);
    if end > bytes.len() {
        return Err(err(
            4,
            ErrorKind::Truncated {
                needed: end as u64,
                available: bytes.len() as u64,
            },
        ));
    }
    let mut chunks = Vec::new();
    let mut at = 12usize;
    while at < end {
        if chunks.len() >= MAX_CHUNKS {
            return Err(err(
                at,
                ErrorKind::Limit(format!("more than {MAX_CHUNKS} chunks")),
            ));
        }
        let id: [u8; 4] = bytes
            .get(at..at + 4)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| err(at, ErrorKind::Invalid("chunk header".into())))?;
        if !id.iter().all(|c| c.is_ascii_alphanumeric()) {
            return Err(err(at, ErrorKind::Invalid("chunk id".into())));
        }
        let size = be32(bytes, at + 4)
            .ok_or_else(|| err(at, ErrorKind::Invalid("chunk header".into())))?
            as usize;
        let data = at + 8..(at + 8).saturating_add(size);
        if data.end > end {
            return Err(err(
                at,
                ErrorKind::Truncated {
                    needed: data.end as u64,
                    available: end as u64,
                },
            ));
        }
        at = data.end.next_multiple_of(4);
        chunks.push(Chunk { id, data });
    }
    Ok(Beam { bytes, chunks })
}

/// The string a key maps to in an external-term-format list of pairs
/// (`[{version,"8.5.4"}, …]`): the key's atom (`ATOM_EXT`,
/// `SMALL_ATOM_UTF8_EXT` or `ATOM_UTF8_EXT`) followed by a `STRING_EXT`.
fn term_string(t: &[u8], key: &[u8]) -> Option<String> {
    let n = key.len();
    let atoms: [Vec<u8>; 3] = [
        [&[100u8, 0, n as u8][..], key].concat(),
        [&[119u8, n as u8][..], key].concat(),
        [&[118u8, 0, n as u8][..], key].concat(),
    ];
    for atom in &atoms {
        let Some(at) = t.windows(atom.len()).position(|w| w == atom.as_slice()) else {
            continue;
        };
        let s = at + atom.len();
        if t.get(s) != Some(&107) {
            continue;
        }
        let len = u16::from_be_bytes([*t.get(s + 1)?, *t.get(s + 2)?]) as usize;
        let v = t.get(s + 3..s + 3 + len)?;
        if len <= 64 && v.iter().all(|c| c.is_ascii_graphic()) {
            return Some(String::from_utf8_lossy(v).into_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module as `erlc` 8.5.4 lays it out: two chunks, the second the
    /// compile information.
    fn module(version: &str) -> Vec<u8> {
        let mut cinf = vec![0x83, b'l', 0, 0, 0, 1, b'h', 2, 119, 7];
        cinf.extend(b"version");
        cinf.push(107);
        cinf.extend((version.len() as u16).to_be_bytes());
        cinf.extend(version.as_bytes());
        cinf.push(b'j');
        let mut body = b"BEAM".to_vec();
        for (id, data) in [(b"Code", &b"\x00\x01\x02"[..]), (b"CInf", &cinf[..])] {
            body.extend(id);
            body.extend((data.len() as u32).to_be_bytes());
            body.extend(data);
            body.resize(body.len().next_multiple_of(4), 0);
        }
        let mut out = b"FOR1".to_vec();
        out.extend((body.len() as u32).to_be_bytes());
        out.extend(body);
        out
    }

    #[test]
    fn chunks_and_the_compiler_version_are_read() {
        let m = module("8.5.4");
        let b = read(&m).expect("module");
        let names: Vec<String> = b.chunks.iter().map(Chunk::name).collect();
        assert_eq!(names, ["Code", "CInf"]);
        assert_eq!(b.chunk(b"Code"), Some(&b"\x00\x01\x02"[..]));
        assert_eq!(b.compiler_version().as_deref(), Some("8.5.4"));
        // The older encoding of the key atom (ATOM_EXT), as OTP 25 writes.
        let old = [
            &[0x83, b'l', 0, 0, 0, 1, b'h', 2, 100, 0, 7][..],
            b"version",
            &[107, 0, 5],
            b"8.2.3",
            b"j",
        ]
        .concat();
        assert_eq!(term_string(&old, b"version").as_deref(), Some("8.2.3"));
    }

    #[test]
    fn bad_bytes_are_errors() {
        let m = module("8.5.4");
        for cut in 0..m.len() {
            let _ = read(&m[..cut]);
        }
        assert!(read(&m[..m.len() - 1]).is_err(), "a cut form");
        let mut bad = m.clone();
        bad[12] = 0;
        assert!(read(&bad).is_err(), "a chunk id that is not letters");
        let mut big = m.clone();
        big[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(read(&big).is_err(), "a chunk past the form");
        assert!(read(b"FOR1\0\0\0\x04BEAM")
            .map(|b| b.chunks.is_empty())
            .unwrap_or(false));
        assert!(read(b"not beam").is_err());
        for i in 0..m.len() {
            let mut x = m.clone();
            x[i] ^= 0xff;
            if let Ok(b) = read(&x) {
                let _ = b.compiler_version();
            }
        }
    }
}
