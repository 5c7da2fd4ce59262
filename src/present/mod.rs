//! The `ls` listing: one image's nested tree, one entry a line. It prints
//! what the readers (formats) found in one image, not a comparison, so it
//! lives here and not with the report presenters of the `reprodiff-present`
//! crate (bytes → formats → engine → diagnosis → report → presenters).

pub mod ls;
