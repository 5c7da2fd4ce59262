//! The attestation (`--attest FILE`): an unsigned in-toto Statement v1
//! whose predicate is a SLSA Verification Summary (VSA v1), saying that
//! reprodiff compared build b (the subject) against build a (the
//! reference) and found them bit-for-bit identical (`PASSED`) or not
//! (`FAILED`). A rebuilder signs it (DSSE) with its own key and publishes
//! it beside the artifact.
//!
//! Presenter stage (bytes → formats → engine → diagnosis → report →
//! **presenters**): reads a [`Report`] and what a report does not hold
//! (SHA-512 digests, where the files are, the time), passed in by the
//! caller; computes nothing.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use reprodiff_report::{Report, Time, Verdict};
use serde::Serialize;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// Who verified: the tool, by its home; the version is beside it.
pub const VERIFIER_ID: &str = "https://github.com/reprodiff/reprodiff";
/// What was checked: the policy the README states (b is bit-for-bit
/// identical to a).
pub const POLICY_URI: &str =
    "https://github.com/reprodiff/reprodiff/blob/main/README.md#attestations";
/// The predicate's extension field (VSA fields named by URIs are the
/// spec's way to extend it) holding the reference build: it is an input of
/// the verification but not an attestation, so not an `inputAttestations`
/// entry.
pub const REFERENCE_KEY: &str = "https://github.com/reprodiff/reprodiff/reference-build";

/// One compared input, as the attestation names it.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// A URI for the file or folder: where it was compared
    /// (`file:///...`), or where it is published.
    pub uri: String,
    /// SHA-512, lowercase hex (the report holds the SHA-256); none for a
    /// folder, whose digest is the report's list digest.
    pub sha512: Option<String>,
}

/// One file of a release folder b: a subject of its own.
#[derive(Debug, Clone)]
pub struct Member {
    /// Relative path in the folder.
    pub name: String,
    pub sha256: String,
    pub sha512: String,
}

#[derive(Debug, Clone)]
pub struct AttestOptions {
    /// The reference build (side a).
    pub a: Artifact,
    /// The build being verified (side b), the subject.
    pub b: Artifact,
    /// When b is a release folder: its files, each a subject (the
    /// statement is about every artifact of the release); empty for a file.
    pub members: Vec<Member>,
    /// When the comparison ran.
    pub time_verified: Time,
    /// reprodiff's version.
    pub version: String,
}

#[derive(Serialize)]
struct Statement<'a> {
    #[serde(rename = "_type")]
    kind: &'static str,
    subject: Vec<Descriptor>,
    #[serde(rename = "predicateType")]
    predicate_type: &'static str,
    predicate: Predicate<'a>,
}

/// An in-toto ResourceDescriptor (the fields used here).
#[derive(Serialize)]
struct Descriptor {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    digest: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Predicate<'a> {
    verifier: Verifier<'a>,
    time_verified: String,
    resource_uri: &'a str,
    policy: Policy,
    verification_result: &'static str,
    verified_levels: Vec<&'static str>,
    slsa_version: &'static str,
    #[serde(rename = "https://github.com/reprodiff/reprodiff/reference-build")]
    reference: Descriptor,
}

#[derive(Serialize)]
struct Verifier<'a> {
    id: &'static str,
    version: BTreeMap<&'static str, &'a str>,
}

#[derive(Serialize)]
struct Policy {
    uri: &'static str,
}

/// A file's last path component, as the subject's name.
fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

fn descriptor(path: &str, sha256: &str, art: &Artifact, with_uri: bool) -> Descriptor {
    let mut digest = BTreeMap::from([("sha256", sha256.to_string())]);
    if let Some(d) = &art.sha512 {
        digest.insert("sha512", d.clone());
    }
    Descriptor {
        name: file_name(path),
        uri: with_uri.then(|| art.uri.clone()),
        digest,
    }
}

pub fn write(r: &Report, w: &mut impl Write, o: &AttestOptions) -> io::Result<()> {
    let passed = r.verdict == Verdict::Identical;
    let statement = Statement {
        kind: STATEMENT_TYPE,
        subject: if o.members.is_empty() {
            vec![descriptor(&r.b.path, &r.b.sha256, &o.b, false)]
        } else {
            o.members
                .iter()
                .map(|m| Descriptor {
                    name: m.name.clone(),
                    uri: None,
                    digest: BTreeMap::from([
                        ("sha256", m.sha256.clone()),
                        ("sha512", m.sha512.clone()),
                    ]),
                })
                .collect()
        },
        predicate_type: PREDICATE_TYPE,
        predicate: Predicate {
            verifier: Verifier {
                id: VERIFIER_ID,
                version: BTreeMap::from([("reprodiff", o.version.as_str())]),
            },
            time_verified: o.time_verified.to_string(),
            resource_uri: &o.b.uri,
            policy: Policy { uri: POLICY_URI },
            verification_result: if passed { "PASSED" } else { "FAILED" },
            // Bit-for-bit equality with an independent build is no SLSA
            // build level; the spec's FAILED stands for a failed policy.
            verified_levels: if passed { Vec::new() } else { vec!["FAILED"] },
            slsa_version: "1.0",
            reference: descriptor(&r.a.path, &r.a.sha256, &o.a, true),
        },
    };
    serde_json::to_writer_pretty(&mut *w, &statement)?;
    writeln!(w)
}

/// A `file://` URI for an absolute path: every byte but unreserved ones
/// and `/` percent-encoded, so spaces and non-UTF-8 names survive.
pub fn file_uri(absolute: &Path) -> String {
    let mut uri = String::from("file://");
    for &b in absolute.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_encode_what_is_not_plain() {
        assert_eq!(
            file_uri(Path::new("/srv/out/debian live_1.0.iso")),
            "file:///srv/out/debian%20live_1.0.iso"
        );
        assert_eq!(file_uri(Path::new("/a/é#?")), "file:///a/%C3%A9%23%3F");
    }

    #[test]
    fn the_subject_is_named_by_its_file_name() {
        assert_eq!(file_name("out/b.iso"), "b.iso");
        assert_eq!(file_name("b.iso"), "b.iso");
        assert_eq!(file_name("/"), "/");
    }
}
