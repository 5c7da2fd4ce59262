//! Fuzzes the tar reader alone: open, then read every entry; and the same
//! bytes read as a stream, member by member.
#![no_main]

use libfuzzer_sys::fuzz_target;
use reprodiff_formats::Format;

fuzz_target!(|data: &[u8]| {
    reprodiff_fuzz::open_and_read(Format::Tar, data);
    reprodiff_fuzz::stream_members(Format::Tar, data);
});
