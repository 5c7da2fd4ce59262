//! Errors of the format readers: what went wrong, in which format, at which
//! byte offset. The walker above adds the address (the `::` path chain) when
//! it turns an error into an error node of the tree.

use crate::Format;

/// A reader error: always names the format and a byte offset within the
/// container being read, and the member concerned when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{format}: {}{kind} at byte offset {offset:#x}", entry.as_ref().map(|e| format!("{e}: ")).unwrap_or_default())]
pub struct Error {
    pub format: Format,
    /// Offset within the container's own bytes (the blob the reader was given).
    pub offset: u64,
    pub kind: ErrorKind,
    /// Path of the member the error is about, inside the container.
    pub entry: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    #[error("truncated: needs {needed} bytes, only {available} available")]
    Truncated { needed: u64, available: u64 },
    #[error("bad magic")]
    BadMagic,
    #[error("invalid {0}")]
    Invalid(String),
    #[error("unsupported {0}")]
    Unsupported(String),
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// A stream decoded to more than `cap` bytes: the one limit a caller
    /// can meet without the bytes in memory (by comparing them as they are
    /// decoded), so it is told apart from the others.
    #[error("limit exceeded: decoded size over the cap of {cap} bytes")]
    DecodedCap { cap: u64 },
    #[error("decode failed: {0}")]
    Decode(String),
    #[error("loop: {0}")]
    Loop(String),
}

impl Error {
    pub fn new(format: Format, offset: u64, kind: ErrorKind) -> Error {
        Error {
            format,
            offset,
            kind,
            entry: None,
        }
    }

    /// The same error, said of one member.
    pub fn at_entry(mut self, path: impl Into<String>) -> Error {
        self.entry = Some(path.into());
        self
    }

    pub fn invalid(format: Format, offset: u64, what: impl Into<String>) -> Error {
        Error::new(format, offset, ErrorKind::Invalid(what.into()))
    }

    pub fn truncated(format: Format, offset: u64, needed: u64, available: u64) -> Error {
        Error::new(format, offset, ErrorKind::Truncated { needed, available })
    }

    pub fn limit(format: Format, offset: u64, what: impl Into<String>) -> Error {
        Error::new(format, offset, ErrorKind::Limit(what.into()))
    }
}

pub type Result<T> = std::result::Result<T, Error>;
