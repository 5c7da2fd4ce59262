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
    let d = read_digests(std::fs::File::open(path)?, true, None)?;
    Ok((
        hex(&d.sha256),
        d.sha512.map_or_else(String::new, |x| hex(&x)),
    ))
}

/// What [`read_digests`] read.
pub(super) struct Digests {
    pub size: u64,
    pub sha256: [u8; 32],
    pub sha512: Option<[u8; 64]>,
}

/// Size, SHA-256 and, when `sha512`, SHA-512 of what `f` reads, in 1 MiB
/// chunks; with `opts`, stopped when the comparison is cancelled and
/// counted in its progress.
pub(super) fn read_digests(
    mut f: impl Read,
    sha512: bool,
    opts: Option<&Options>,
) -> io::Result<Digests> {
    let mut s256 = Sha256::new();
    let mut s512 = sha512.then(Sha512::new);
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        if opts.is_some_and(Options::cancelled) {
            return Err(io::Error::other("comparison cancelled"));
        }
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        s256.update(chunk);
        if let Some(h) = s512.as_mut() {
            h.update(chunk);
        }
        size += n as u64;
        if let Some(p) = opts.and_then(|o| o.progress.as_ref()) {
            p.bytes
                .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        }
    }
    Ok(Digests {
        size,
        sha256: s256.finalize().into(),
        sha512: s512.map(|h| h.finalize().into()),
    })
}

pub(super) fn hex(d: &[u8]) -> String {
    let mut s = String::with_capacity(d.len() * 2);
    for byte in d.iter() {
        s.push_str(&format!("{byte:02x}"));
    }
    s
}
