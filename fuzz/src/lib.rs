//! Shared body of the fuzz targets: the caps every target runs under and the
//! open-then-read-every-entry loop that exercises one reader on arbitrary
//! bytes. The targets under fuzz_targets/ only name the format, so a change to
//! how readers are driven lands in every target at once.

use reprodiff_formats::{Blob, Format, Limits};

/// Caps low enough that a decompression bomb stops at the limit quickly
/// instead of exhausting the fuzzer's memory, yet high enough that real
/// small images still decode. A mutated stream decodes to at most 100
/// times its size, or 1 MiB: the fixtures the targets are seeded with
/// (initrds, `.deb` members, SquashFS blocks) decode to less than that
/// ratio, and a bomb stops at its cap having exercised the same code as
/// one that stops at 16 MiB, some sixteen times sooner. (With the
/// tool's own ratio of 2000 and a 16 MiB floor, bzip2 and xz bombs the
/// fuzzer kept were most of the `stream` target's time, decoding and
/// faulting in up to 20 MB an input: 215 executions a second.)
pub fn limits() -> Limits {
    Limits {
        max_decoded: 64 << 20,
        max_ratio: 100,
        ratio_floor: 1 << 20,
        ..Limits::default()
    }
}

/// Opens `data` as `format` and reads every entry; errors are expected and
/// ignored, only a panic, hang or sanitizer report counts as a finding.
pub fn open_and_read(format: Format, data: &[u8]) {
    let limits = limits();
    let blob = Blob::from_vec(data.to_vec());
    if let Ok(Some(c)) = reprodiff_formats::open_as(&blob, format, &limits) {
        for i in 0..c.entries.len() {
            let _ = c.read(i, &limits);
        }
    }
}

/// Reads `data` as a stream of `format`'s members (tar, cpio), as the
/// engine reads an archive too large to hold: every other member's data
/// read, the rest left for the reader to skip.
pub fn stream_members(format: Format, data: &[u8]) {
    let each = match format {
        Format::Tar => reprodiff_formats::tar::each_member,
        Format::Cpio => reprodiff_formats::cpio::each_member,
        _ => return,
    };
    let mut n = 0usize;
    let _ = each(&mut &data[..], &limits(), &mut |_, r| {
        n += 1;
        if n % 2 == 1 {
            let _ = std::io::copy(r, &mut std::io::sink());
        }
        Ok(())
    });
}
