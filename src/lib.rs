//! reprodiff: compare two builds of a disk image and show where and why they
//! differ. This library holds everything but argument parsing: the walker
//! that recurses through nested containers and the `ls` listing, the engine
//! that compares, and the diagnosis that explains. The functions here join
//! the stages: the engine compares and hands what it finds to diagnosis,
//! which it does not depend on.

pub mod attest;
pub mod diagnose;
pub mod engine;
pub mod present;
pub mod report;
pub mod walk;

use std::path::Path;

use reprodiff_formats::Blob;

/// Compares two image files and diagnoses the differences.
pub fn compare_files(
    a: &Path,
    b: &Path,
    opts: &engine::Options,
) -> std::io::Result<report::Report> {
    engine::compare_files(a, b, opts, &diagnose::Diagnosis)
}

/// Compares two folders of a release's artifacts (paired by relative
/// path, equal files told by size and SHA-256) and diagnoses the
/// differences over the whole release.
pub fn compare_folders(
    a: &Path,
    b: &Path,
    opts: &engine::Options,
) -> std::io::Result<report::Report> {
    engine::folder::compare_folders(a, b, opts, &diagnose::Diagnosis)
}

/// Compares two images, or two folders of artifacts, whichever `a` and `b`
/// are (both the same).
pub fn compare_paths(
    a: &Path,
    b: &Path,
    opts: &engine::Options,
) -> std::io::Result<report::Report> {
    if a.is_dir() && b.is_dir() {
        compare_folders(a, b, opts)
    } else {
        compare_files(a, b, opts)
    }
}

/// Compares two images held in memory and diagnoses the differences.
pub fn compare_blobs(
    name_a: &str,
    a: &Blob,
    name_b: &str,
    b: &Blob,
    opts: &engine::Options,
) -> report::Report {
    engine::compare_blobs((name_a, a), (name_b, b), opts, &diagnose::Diagnosis)
}

/// Explains one differing leaf as a comparison would (what the engine
/// makes of its structure, then diagnosis), adding changes to `node`.
pub fn explain_leaf(address: &str, a: &[u8], b: &[u8], node: &mut report::Node) {
    engine::explain_leaf(address, a, b, node, &diagnose::Diagnosis);
}
