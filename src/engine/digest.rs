//! SHA-256 digests the report shows: of whole images (in chunks, so a
//! cancelled comparison stops hashing), of entries compared by hash only.
//!
//! Engine stage (formats → **engine** → diagnosis → report).

use sha2::{Digest, Sha256};

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

fn hex(d: &[u8]) -> String {
    let mut s = String::with_capacity(64);
    for byte in d.iter() {
        s.push_str(&format!("{byte:02x}"));
    }
    s
}
