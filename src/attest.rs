//! What an attestation names beyond the report: both input files' SHA-512
//! (and their SHA-256 again, which must still be the report's), where the
//! files are, and when the comparison ran. Runs after the report is built
//! (bytes → formats → engine → diagnosis → report → **here** → the
//! attestation presenter), reading the input files once more.

use std::io;
use std::path::Path;

use reprodiff_present::attest::{file_uri, Artifact, AttestOptions};

use crate::report::{Input, Report, Time};

/// The attestation's inputs for `report`, made from `a` and `b`: its
/// digests are of the files as they are now, so a file replaced after it
/// was compared is an error, not a statement about bytes nobody checked.
pub fn options(a: &Path, b: &Path, report: &Report) -> io::Result<AttestOptions> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Ok(AttestOptions {
        a: artifact(a, &report.a)?,
        b: artifact(b, &report.b)?,
        time_verified: Time::from_secs(now),
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

fn artifact(path: &Path, input: &Input) -> io::Result<Artifact> {
    let (sha256, sha512) = crate::engine::file_digests(path)?;
    if sha256 != input.sha256 {
        return Err(io::Error::other(format!(
            "{}: its SHA-256 is not the one compared (changed meanwhile?)",
            path.display()
        )));
    }
    Ok(Artifact {
        uri: file_uri(&std::path::absolute(path)?),
        sha512,
    })
}
