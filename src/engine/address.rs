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
pub fn resolve(
    image: &Blob,
    address: &str,
    limits: &Limits,
) -> Result<(Entry, Blob), ResolveError> {
    let mut blob = image.clone();
    let mut found: Option<Entry> = None;
    let mut at = String::new();
    for part in Address::new(address).levels() {
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
        at = Address::new(&at).child(part);
        let i = c
            .entries
            .iter()
            .position(|e| {
                e.path == part || e.path.trim_end_matches('/') == part.trim_end_matches('/')
            })
            .ok_or_else(|| ResolveError::NotFound(at.clone()))?;
        blob = c.read(i, limits).map_err(|source| ResolveError::Format {
            at: at.clone(),
            source,
        })?;
        found = c.entries.get(i).cloned();
    }
    found
        .map(|e| (e, blob))
        .ok_or_else(|| ResolveError::NotFound(address.to_string()))
}
