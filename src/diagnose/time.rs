//! Dates and times as build tools print them: recognising them inside text
//! or binary strings, turning them into Unix seconds, and printing the
//! difference between two of them ("+1d 1h").
//!
//! Used by the diagnosis (engine → report): timestamps are the most common
//! reason two builds differ, and the shift between the two sides ("+1d") is
//! what lets thousands of them collapse into one group.

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Plausible build times: 2000-01-01 to 2100-01-01. Outside this, a
/// 10-digit number is more likely a size or a counter than an epoch.
pub const EPOCH_MIN: i64 = 946_684_800;
pub const EPOCH_MAX: i64 = 4_102_444_800;

fn epoch(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, tz_secs: i64) -> Option<i64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 24 || mi > 59 || s > 60 {
        return None;
    }
    // The range checks above make both casts exact.
    let days = reprodiff_value::days_from_civil(y, mo as u32, d as u32);
    Some(days * 86_400 + h * 3600 + mi * 60 + s - tz_secs)
}

/// `+1d 1h 2m 3s` (zero parts left out; `0s` when equal).
pub fn fmt_delta(secs: i64) -> String {
    if secs == 0 {
        return "0s".to_string();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let mut n = secs.unsigned_abs();
    let mut parts = Vec::new();
    for (unit, len) in [("d", 86_400u64), ("h", 3600), ("m", 60), ("s", 1)] {
        if n >= len {
            parts.push(format!("{}{unit}", n / len));
            n %= len;
        }
    }
    format!("{sign}{}", parts.join(" "))
}

fn digits(b: &[u8], i: usize, n: usize) -> Option<i64> {
    let s = b.get(i..i + n)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v = 0i64;
    for &c in s {
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// 1 or 2 digits: (value, length).
fn day(b: &[u8], i: usize) -> Option<(i64, usize)> {
    match digits(b, i, 2) {
        Some(v) => Some((v, 2)),
        None => digits(b, i, 1).map(|v| (v, 1)),
    }
}

fn word(b: &[u8], i: usize, list: &[&str]) -> Option<usize> {
    let w = b.get(i..i + 3)?;
    list.iter().position(|x| x.as_bytes() == w)
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn boundary_after(b: &[u8], end: usize) -> bool {
    b.get(end).is_none_or(|&c| !is_word_byte(c))
}

/// `HH:MM:SS` → seconds of day.
fn hms(b: &[u8], i: usize) -> Option<i64> {
    let h = digits(b, i, 2)?;
    (b.get(i + 2) == Some(&b':')).then_some(())?;
    let m = digits(b, i + 3, 2)?;
    (b.get(i + 5) == Some(&b':')).then_some(())?;
    let s = digits(b, i + 6, 2)?;
    (h < 25 && m < 60 && s < 61).then_some(h * 3600 + m * 60 + s)
}

/// `+0000`, `-0530`, `+00:00`, `Z`, ` UTC`, ` GMT`: (seconds east, length).
fn zone(b: &[u8], i: usize) -> Option<(i64, usize)> {
    match b.get(i)? {
        b'Z' => Some((0, 1)),
        &c @ (b'+' | b'-') => {
            let h = digits(b, i + 1, 2)?;
            let (m, len) = if b.get(i + 3) == Some(&b':') {
                (digits(b, i + 4, 2)?, 6)
            } else {
                (digits(b, i + 3, 2)?, 5)
            };
            let s = h * 3600 + m * 60;
            Some((if c == b'-' { -s } else { s }, len))
        }
        _ => None,
    }
}

/// Tries every date/time shape at `i` (which must start a word): the length
/// matched and, when the text names a full date and time, its epoch.
pub fn match_at(b: &[u8], i: usize) -> Option<(usize, Option<i64>)> {
    let c = *b.get(i)?;
    if c.is_ascii_uppercase() {
        return match_named(b, i);
    }
    if !c.is_ascii_digit() {
        return None;
    }
    // ISO 8601: 2023-11-14[T ]22:13:20[.frac][zone]
    if let (Some(y), Some(mo), Some(d)) =
        (digits(b, i, 4), digits(b, i + 5, 2), digits(b, i + 8, 2))
    {
        if b.get(i + 4) == Some(&b'-') && b.get(i + 7) == Some(&b'-') && (1..=12).contains(&mo) {
            let mut end = i + 10;
            let mut t = None;
            if matches!(b.get(end), Some(b'T' | b' ')) {
                if let Some(secs) = hms(b, end + 1) {
                    end += 9;
                    if b.get(end) == Some(&b'.') {
                        end += 1;
                        while b.get(end).is_some_and(u8::is_ascii_digit) {
                            end += 1;
                        }
                    }
                    let mut tz = 0;
                    if let Some((z, len)) = zone(b, end) {
                        tz = z;
                        end += len;
                    }
                    t = epoch(y, mo, d, 0, 0, 0, tz).map(|e| e + secs);
                }
            }
            if boundary_after(b, end) || t.is_some() {
                return Some((end - i, t.or_else(|| epoch(y, mo, d, 0, 0, 0, 0))));
            }
        }
    }
    // ISO 9660 / compact: 20231114221320 (14 digits, 16 with hundredths).
    if let Some(y) = digits(b, i, 4) {
        if (1970..2100).contains(&y) {
            for len in [16usize, 14] {
                if digits(b, i, len).is_some() && boundary_after(b, i + len) {
                    let (mo, d) = (digits(b, i + 4, 2)?, digits(b, i + 6, 2)?);
                    let (h, mi, s) = (
                        digits(b, i + 8, 2)?,
                        digits(b, i + 10, 2)?,
                        digits(b, i + 12, 2)?,
                    );
                    if let Some(t) = epoch(y, mo, d, h, mi, s, 0) {
                        return Some((len, Some(t)));
                    }
                }
            }
        }
    }
    // __TIME__ alone: 22:13:20
    if let Some(_secs) = hms(b, i) {
        if boundary_after(b, i + 8) {
            return Some((8, None));
        }
    }
    // A bare Unix time: exactly 10 digits in the plausible range.
    if let Some(v) = digits(b, i, 10) {
        if boundary_after(b, i + 10) && (EPOCH_MIN..EPOCH_MAX).contains(&v) {
            return Some((10, Some(v)));
        }
    }
    None
}

/// Dates that start with a weekday or month name: RFC 2822 (`date -R`),
/// `date`'s default and ctime(3), and `__DATE__` (`Nov 14 2023`).
fn match_named(b: &[u8], i: usize) -> Option<(usize, Option<i64>)> {
    let mut p = i;
    let mut had_weekday = false;
    if word(b, p, &WEEKDAYS).is_some() {
        had_weekday = true;
        p += 3;
        if b.get(p) == Some(&b',') {
            p += 1;
        }
        if b.get(p) != Some(&b' ') {
            return None;
        }
        p += 1;
        // RFC 2822: `14 Nov 2023 22:13:20 +0000`
        if let Some((d, dl)) = day(b, p) {
            let q = p + dl + 1;
            let mo = word(b, q, &MONTHS)? as i64 + 1;
            let y = digits(b, q + 4, 4)?;
            let secs = hms(b, q + 9)?;
            let mut end = q + 17;
            let mut tz = 0;
            if b.get(end) == Some(&b' ') {
                if let Some((z, zl)) = zone(b, end + 1) {
                    tz = z;
                    end += 1 + zl;
                } else if matches!(b.get(end + 1..end + 4), Some(b"UTC" | b"GMT")) {
                    end += 4;
                }
            }
            return Some((end - i, epoch(y, mo, d, 0, 0, 0, tz).map(|e| e + secs)));
        }
    }
    // `Nov 14 22:13:20 [UTC ]2023` or `Nov 14 2023[ 22:13:20]`
    let mo = word(b, p, &MONTHS)? as i64 + 1;
    p += 3;
    if b.get(p) != Some(&b' ') {
        return None;
    }
    p += 1;
    if b.get(p) == Some(&b' ') {
        p += 1; // ctime pads the day with a space
    }
    let (d, dl) = day(b, p)?;
    p += dl + 1;
    if let Some(secs) = hms(b, p) {
        let mut q = p + 8;
        if b.get(q) == Some(&b' ') && b.get(q + 1).is_some_and(u8::is_ascii_uppercase) {
            let mut z = q + 1;
            while b.get(z).is_some_and(u8::is_ascii_uppercase) {
                z += 1;
            }
            q = z;
        }
        let y = digits(b, q + 1, 4)?;
        let end = q + 5;
        return Some((end - i, epoch(y, mo, d, 0, 0, 0, 0).map(|e| e + secs)));
    }
    if had_weekday {
        return None;
    }
    let y = digits(b, p, 4)?;
    let mut end = p + 4;
    let mut t = epoch(y, mo, d, 0, 0, 0, 0);
    if b.get(end) == Some(&b' ') {
        if let Some(secs) = hms(b, end + 1) {
            end += 9;
            t = t.map(|e| e + secs);
        }
    }
    Some((end - i, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<(usize, Option<i64>)> {
        match_at(s.as_bytes(), 0)
    }

    #[test]
    fn recognises_the_shapes_build_tools_print() {
        assert_eq!(
            at("Tue, 14 Nov 2023 22:13:20 +0000"),
            Some((31, Some(1_700_000_000)))
        );
        assert_eq!(at("2023-11-14T22:13:20Z"), Some((20, Some(1_700_000_000))));
        assert_eq!(
            at("2023-11-14T22:13:20.00+00:00"),
            Some((28, Some(1_700_000_000)))
        );
        assert_eq!(
            at("Tue Nov 14 22:13:20 UTC 2023"),
            Some((28, Some(1_700_000_000)))
        );
        assert_eq!(at("Nov 14 2023 22:13:20"), Some((20, Some(1_700_000_000))));
        assert_eq!(at("1700000000"), Some((10, Some(1_700_000_000))));
        assert_eq!(at("2023111422132000"), Some((16, Some(1_700_000_000))));
        assert_eq!(at("22:13:20"), Some((8, None)));
        assert_eq!(at("1234567890123"), None);
        assert_eq!(at("Hello"), None);
    }

    #[test]
    fn deltas_read_like_durations() {
        assert_eq!(fmt_delta(86_400), "+1d");
        assert_eq!(fmt_delta(3600), "+1h");
        assert_eq!(fmt_delta(-(86_400 + 3600 + 120 + 3)), "-1d 1h 2m 3s");
    }
}
