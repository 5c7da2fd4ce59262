//! SHA-256 digests the report shows: of whole images (in chunks, so a
//! cancelled comparison stops hashing), of entries compared by hash only;
//! and both SHA-256 and SHA-512 of the input files, which an attestation
//! names.
//!
//! Engine stage (formats → **engine** → diagnosis → report).

use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256, Sha512};

use super::Options;

pub fn sha256_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

/// Digest of a whole image, in chunks so a cancelled comparison stops
/// hashing gigabytes it will never report (the digest is then empty, as it
/// is when no digests were asked for).
pub(super) fn image_sha256(b: &[u8], opts: &Options) -> String {
    if !opts.digests {
        return String::new();
    }
    let mut h = Sha256::new();
    for chunk in b.chunks(16 << 20) {
        if opts.cancelled() {
            return String::new();
        }
        h.update(chunk);
    }
    hex(&h.finalize())
}

/// SHA-256 and SHA-512 of a file, read once from disk in 1 MiB chunks.
/// An attestation names what is on disk when it is written, so this reads
/// the file again instead of trusting the map the comparison read.
pub fn file_digests(path: &Path) -> io::Result<(String, String)> {
    let mut f = std::fs::File::open(path)?;
    let (mut s256, mut s512) = (Sha256::new(), Sha512::new());
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        s256.update(chunk);
        s512.update(chunk);
    }
    Ok((hex(&s256.finalize()), hex(&s512.finalize())))
}

pub(super) fn hex(d: &[u8]) -> String {
    let mut s = String::with_capacity(d.len() * 2);
    for byte in d.iter() {
        s.push_str(&format!("{byte:02x}"));
    }
    s
}
