//! What an attestation names beyond the report: both input files' SHA-512
//! (and their SHA-256 again, which must still be the report's), or for
//! release folders every file of b with both digests (and the folders'
//! list digests again), where they are, and when the comparison ran. Runs after the report is built
//! (bytes → formats → engine → diagnosis → report → **here** → the
//! attestation presenter), reading the input files once more.

use std::io;
use std::path::Path;

use reprodiff_present::attest::{file_uri, Artifact, AttestOptions, Member};

use crate::report::{Input, Report, Time};

/// The attestation's inputs for `report`, made from `a` and `b`: its
/// digests are of the files as they are now, so a file replaced after it
/// was compared is an error, not a statement about bytes nobody checked.
pub fn options(a: &Path, b: &Path, report: &Report) -> io::Result<AttestOptions> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let (a_art, _) = artifact(a, &report.a)?;
    let (b_art, members) = artifact(b, &report.b)?;
    Ok(AttestOptions {
        a: a_art,
        b: b_art,
        members,
        time_verified: Time::from_secs(now),
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// A compared file (its SHA-512), or a compared release folder (each of
/// its files, with both digests), read again and checked against the
/// digest the report gives.
fn artifact(path: &Path, input: &Input) -> io::Result<(Artifact, Vec<Member>)> {
    let changed = || {
        io::Error::other(format!(
            "{}: its SHA-256 is not the one compared (changed meanwhile?)",
            path.display()
        ))
    };
    let uri = file_uri(&std::path::absolute(path)?);
    if path.is_dir() {
        let (files, digest) = crate::engine::folder::attested_files(path)?;
        if digest != input.sha256 {
            return Err(changed());
        }
        let members = files
            .into_iter()
            .map(|f| Member {
                name: f.name,
                sha256: f.sha256,
                sha512: f.sha512,
            })
            .collect();
        return Ok((Artifact { uri, sha512: None }, members));
    }
    let (sha256, sha512) = crate::engine::file_digests(path)?;
    if sha256 != input.sha256 {
        return Err(changed());
    }
    Ok((
        Artifact {
            uri,
            sha512: Some(sha512),
        },
        Vec::new(),
    ))
}
