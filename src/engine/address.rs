//! Resolving a `::` address to the bytes of one nested entry, for `extract`.
//!
//! Engine stage: opens each container level along the address, finds the
//! member by path and reads it (zero-copy where the format allows).

use reprodiff_formats::{self as formats, Blob, Entry, Limits};

use crate::report::Address;

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("{0}: not a container that reprodiff can open")]
    NotContainer(String),
    #[error("{0}: no such entry")]
    NotFound(String),
    #[error("{at}: {source}")]
    Format { at: String, source: formats::Error },
}

/// Finds `address` inside `image` and returns the entry and its bytes.
/// A member's own name may hold `::` (Perl man pages:
/// `Locale::gettext.3pm.gz`): at each level the longest member path that
/// is the rest of the address, or is followed by `::` in it, is taken.
pub fn resolve(
    image: &Blob,
    address: &str,
    limits: &Limits,
) -> Result<(Entry, Blob), ResolveError> {
    const SEP: &str = "::";
    let mut blob = image.clone();
    let mut rest = address;
    let mut at = String::new();
    loop {
        let here = if at.is_empty() {
            "(image)".to_string()
        } else {
            at.clone()
        };
        let c = formats::open(&blob, limits)
            .map_err(|source| ResolveError::Format {
                at: here.clone(),
                source,
            })?
            .ok_or(ResolveError::NotContainer(here))?;
        // (entry index, bytes of `rest` the member's path takes).
        let mut best: Option<(usize, usize)> = None;
        for (i, e) in c.entries.iter().enumerate() {
            for p in [e.path.as_str(), e.path.trim_end_matches('/')] {
                let takes = rest.strip_prefix(p).and_then(|tail| {
                    let whole = tail.is_empty() || tail == "/";
                    (whole || tail.starts_with(SEP)).then_some(p.len())
                });
                if let Some(n) = takes.filter(|&n| n > 0) {
                    if best.is_none_or(|(_, m)| n > m) {
                        best = Some((i, n));
                    }
                }
            }
        }
        let Some((i, n)) = best else {
            let part = rest.split(SEP).next().unwrap_or(rest);
            return Err(ResolveError::NotFound(Address::new(&at).child(part)));
        };
        let part = rest.get(..n).unwrap_or(rest);
        at = Address::new(&at).child(part);
        blob = c.read(i, limits).map_err(|source| ResolveError::Format {
            at: at.clone(),
            source,
        })?;
        let tail = rest.get(n..).unwrap_or("").trim_start_matches('/');
        match tail.strip_prefix(SEP) {
            Some(next) if !next.is_empty() => rest = next,
            _ => {
                let entry = c.entries.get(i).cloned();
                return entry
                    .map(|e| (e, blob))
                    .ok_or_else(|| ResolveError::NotFound(address.to_string()));
            }
        }
    }
}
