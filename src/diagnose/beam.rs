//! Erlang modules compiled twice: `erlc` records its own version in each
//! module's compile information (`CInf`: `[{version,"8.5.4"}]` against
//! `8.2.3`). When the two differ, that is `toolchain` (`beam.compiler`),
//! and the module's other differing chunks (code, atoms, the `vsn`
//! attribute hashed from the code, debug info) follow from it. With the
//! same compiler, each differing chunk is named and left unexplained.
//!
//! Diagnosis stage (engine → **diagnosis** → report), on the chunk lists
//! the engine read for a differing `.beam` leaf.

use crate::engine::beam::BeamPair;
use crate::report::{Cause, Change, Value};

/// The field of the compiler version a module records.
pub const COMPILER: &str = "beam.compiler";

/// The chunk ids of both modules, a's order first.
fn ids(p: &BeamPair) -> Vec<[u8; 4]> {
    let mut out: Vec<[u8; 4]> = Vec::new();
    for c in p.a.chunks.iter().chain(&p.b.chunks) {
        if !out.contains(&c.id) {
            out.push(c.id);
        }
    }
    out
}

/// One change per differing chunk, and the compiler's when it differs.
pub fn classify(p: &BeamPair) -> Vec<Change> {
    let mut out = Vec::new();
    let (va, vb) = (p.a.compiler_version(), p.b.compiler_version());
    let toolchain = match (&va, &vb) {
        (Some(x), Some(y)) if x != y => {
            out.push(Change::finding(
                COMPILER,
                Value::text(format!("Erlang compiler {x}")),
                Value::text(format!("Erlang compiler {y}")),
                Cause::Toolchain,
            ));
            true
        }
        _ => false,
    };
    for id in ids(p) {
        let (ca, cb) = (p.a.chunk(&id), p.b.chunk(&id));
        if ca == cb {
            continue;
        }
        let shown = |c: Option<&[u8]>| {
            c.map_or_else(
                || "(no such chunk)".into(),
                |d| format!("{} bytes", d.len()),
            )
        };
        let mut a = shown(ca);
        if let (Some(x), Some(y)) = (ca, cb) {
            if x.len() == y.len() {
                let n = x.iter().zip(y).filter(|(p, q)| p != q).count();
                let first = x.iter().zip(y).position(|(p, q)| p != q).unwrap_or(0);
                a = format!("{a} ({n} differ from chunk offset {first:#x})");
            }
        }
        let mut c = Change::finding(
            format!("beam.chunk.{}", String::from_utf8_lossy(&id)),
            Value::text(a),
            Value::text(shown(cb)),
            Cause::Content,
        );
        // Another compiler's code, atoms and debug info; the compile
        // information's own bytes hold the version `beam.compiler` says.
        if toolchain {
            c.cause = Some(Cause::Consequential);
            c.follows = vec![COMPILER.to_string()];
        }
        out.push(c);
    }
    out
}
