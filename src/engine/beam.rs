//! Erlang BEAM leaves as the engine hands them to diagnosis: both modules'
//! chunk lists, read once here.
//!
//! Engine stage (formats → **engine** → diagnosis → report): diagnosis
//! pairs the chunks by id and names those that differ from this, and never
//! reads a module itself.

use reprodiff_formats::beam::{self, Beam};

/// Two BEAM modules whose bytes differ.
#[derive(Debug, Clone)]
pub struct BeamPair<'d> {
    pub a: Beam<'d>,
    pub b: Beam<'d>,
}

/// Both sides read as BEAM modules; `None` when either is not one or its
/// chunks cannot be read (then it is explained from its bytes).
pub fn pair<'d>(a: &'d [u8], b: &'d [u8]) -> Option<BeamPair<'d>> {
    if !beam::is_beam(a) || !beam::is_beam(b) {
        return None;
    }
    Some(BeamPair {
        a: beam::read(a).ok()?,
        b: beam::read(b).ok()?,
    })
}
