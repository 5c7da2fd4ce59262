//! reprodiff: compare two builds of a disk image and show where and why they
//! differ. This library holds everything but argument parsing: the walker
//! that recurses through nested containers, and the `ls` listing.

pub mod diagnose;
pub mod engine;
pub mod present;
pub mod report;
pub mod walk;
