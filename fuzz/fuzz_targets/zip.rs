//! Fuzzes the ZIP reader alone: open, then read every entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff_formats::Format;

fuzz_target!(|data: &[u8]| reprodiff_fuzz::open_and_read(Format::Zip, data));
