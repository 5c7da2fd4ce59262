//! Presenters: turn a computed tree into text or JSON. They never recompute,
//! never parse bytes; each is `fn write(model, &mut impl Write, options)`.

pub mod json;
pub mod ls;
pub mod markdown;
pub mod text;
