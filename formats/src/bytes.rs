//! The one reader of fixed-width integers in image bytes: little- and
//! big-endian 16/32/64-bit values at an offset, `None` past the end.
//!
//! Part of formats/ (bytes → formats → engine → diagnosis → report →
//! presenters), underneath every reader: a header field is read here or
//! not at all, so no reader slices and indexes on its own, and an offset
//! taken from a hostile image can overflow or run past the end only into
//! a `None`.

/// The `N` bytes at `at`, or `None` when they are not all there.
fn array<const N: usize>(b: &[u8], at: usize) -> Option<[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

pub fn le16(b: &[u8], at: usize) -> Option<u16> {
    array(b, at).map(u16::from_le_bytes)
}

pub fn le32(b: &[u8], at: usize) -> Option<u32> {
    array(b, at).map(u32::from_le_bytes)
}

pub fn le64(b: &[u8], at: usize) -> Option<u64> {
    array(b, at).map(u64::from_le_bytes)
}

pub fn be16(b: &[u8], at: usize) -> Option<u16> {
    array(b, at).map(u16::from_be_bytes)
}

pub fn be32(b: &[u8], at: usize) -> Option<u32> {
    array(b, at).map(u32::from_be_bytes)
}

/// A little-endian unsigned integer of `len` bytes (0 to 8: zstd's frame
/// header sizes, zip's variable-width uid/gid); `None` for a wider one.
pub fn le_uint(b: &[u8], at: usize, len: usize) -> Option<u64> {
    if len > 8 {
        return None;
    }
    let s = b.get(at..at.checked_add(len)?)?;
    Some(
        s.iter()
            .rev()
            .fold(0u64, |acc, &x| (acc << 8) | u64::from(x)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_range_and_refuses_past_the_end() {
        let b = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        assert_eq!(le16(&b, 0), Some(0x0201));
        assert_eq!(be16(&b, 0), Some(0x0102));
        assert_eq!(le32(&b, 5), Some(0x0908_0706));
        assert_eq!(be32(&b, 5), Some(0x0607_0809));
        assert_eq!(le64(&b, 1), Some(0x0908_0706_0504_0302));
        assert_eq!(le32(&b, 6), None);
        assert_eq!(le16(&b, 8), None);
        assert_eq!(le64(&b, 2), None);
        assert_eq!(le16(&b, usize::MAX), None);
        assert_eq!(le_uint(&b, 0, 3), Some(0x03_0201));
        assert_eq!(le_uint(&b, 4, 0), Some(0));
        assert_eq!(le_uint(&b, 9, 0), Some(0));
        assert_eq!(le_uint(&b, 0, 9), None);
        assert_eq!(le_uint(&b, 7, 3), None);
        assert_eq!(le_uint(&b, usize::MAX, 1), None);
    }
}
