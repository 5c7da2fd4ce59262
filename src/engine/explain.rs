//! Where the engine hands over to diagnosis: what it made of a differing
//! leaf ([`Leaf`]: paired ELF sections, paired PE headers and sections, a
//! package set, two PNG images, plain bytes) and the [`Explain`] the caller
//! passes in, so the engine, upstream of diagnosis, does not depend on it.
//!
//! Engine stage (formats → **engine** → diagnosis → report).

use super::{beam, packages, pe, png, sections};
use crate::report::{Node, Report};

/// What the engine made of a differing leaf, for [`Explain::leaf`].
pub enum Leaf<'d> {
    /// Two ELF files with their sections paired.
    Elf(sections::ElfPair<'d>),
    /// Two PE images with their header fields, sections and certificate
    /// tables paired.
    Pe(pe::PePair<'d>),
    /// A package database: its package changes.
    Packages(Vec<crate::report::Change>),
    /// Two PNG images: their chunks and what their pixels say.
    Png(png::PngPair<'d>),
    /// Two Erlang BEAM modules with their chunks.
    Beam(beam::BeamPair<'d>),
    /// Anything else: explained from its bytes.
    Bytes,
}

/// What explains the differences the engine finds: the diagnosis stage,
/// handed in by the caller so that the engine, upstream of it, does not
/// depend on it.
pub trait Explain: Sync {
    /// Adds findings to the node of a differing leaf while both sides'
    /// bytes are at hand. `name` is the leaf's path, or the name of the
    /// compared file itself at the top, where the address is empty: what
    /// a document is may be told by its name (`.json`, `.yml`).
    fn leaf(&self, name: &str, leaf: &Leaf, a: &[u8], b: &[u8], node: &mut Node);
    /// Settles causes, counts and groups over the finished report.
    fn report(&self, report: &mut Report);
}

/// Explains a differing leaf at `address` (at the top, the compared
/// file's name) while both sides' bytes are at
/// hand: what the engine knows of its structure (a package database, two
/// ELF files' sections, two PE images' parts) is handed to diagnosis, which
/// adds the changes.
pub fn explain_leaf(address: &str, a: &[u8], b: &[u8], node: &mut Node, explain: &dyn Explain) {
    let leaf = if packages::is_status(address) {
        Leaf::Packages(packages::compare(a, b))
    } else if let Some(p) = png::pair(a, b) {
        Leaf::Png(p)
    } else if let Some(p) = beam::pair(a, b) {
        Leaf::Beam(p)
    } else {
        match sections::pair(a, b) {
            Some(p) => Leaf::Elf(p),
            None => pe::pair(a, b).map_or(Leaf::Bytes, Leaf::Pe),
        }
    };
    explain.leaf(address, &leaf, a, b, node);
}
