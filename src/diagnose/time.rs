//! Dates and times as build tools print them: recognising them inside text
//! or binary strings, turning them into Unix seconds, and printing the
//! difference between two of them ("+1d 1h").
//!
//! The grammar, each shape with the tool that prints it:
//! - `Tue Nov 14 22:13:20 UTC 2023`: date(1) default, ctime(3) (no zone);
//! - `Tue, 14 Nov 2023 22:13:20 +0000`: RFC 2822 (`date -R`, changelogs),
//!   and `Tue 14 Nov 2023 10:13:20 PM UTC` (date(1) under en_US);
//! - `2023-11-14T22:13:20.5+01:00`: ISO 8601 with `T` or a space, `Z`, an
//!   offset or ` UTC`, optional seconds and fraction; `2023-11-14` alone;
//! - `28 April 2025`, `28 Apr 2025`: `%d %B %Y` (docbook-to-man's man
//!   page dates);
//! - `02/25/2025`: `%x` under en_US, DocBook XSL's man page dates (month
//!   first; day first when the first field is over 12; no instant when
//!   either order is a date);
//! - `20231114T221320Z`: ISO 8601 basic (snapshot.debian.org serials);
//! - `20231114-22:13[:20]`: live-build's `.disk/info`;
//! - `202311142213`, `20231114221320`, `2023111422132000`: `%Y%m%d%H%M`,
//!   `%Y%m%d%H%M%S` and ISO 9660 digits with hundredths;
//! - `Nov 14 2023 22:13:20`, `Nov  4 2023`: `__DATE__ __TIME__`;
//!   `Tue Nov 14 2023`: Doxygen's page date;
//!   `22:13:20` alone: `__TIME__` (a time of day, no instant);
//! - `1700000000`: Unix seconds (10 digits within [`EPOCH_MIN`],
//!   [`EPOCH_MAX`]).
//!
//! A shape only matches a plausible date (years 1990 to 2100, a day that
//! exists in its month, a valid time of day): a version or a table of
//! digits that happens to fit a shape is not a date.
//!
//! Used by the diagnosis (engine → report): timestamps are the most common
//! reason two builds differ, and the shift between the two sides ("+1d") is
//! what lets thousands of them collapse into one group.

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Month names as `%B` prints them in the C locale.
const FULL_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Plausible build times: 2000-01-01 to 2100-01-01. Outside this, a
/// 10-digit number is more likely a size or a counter than an epoch.
pub const EPOCH_MIN: i64 = 946_684_800;
pub const EPOCH_MAX: i64 = 4_102_444_800;

/// Years a printed date of a build may name.
const YEARS: std::ops::RangeInclusive<i64> = 1990..=2100;

fn days_in_month(y: i64, mo: i64) -> i64 {
    match mo {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Seconds of a calendar date at midnight in a zone `tz_secs` east of UTC,
/// if it is a plausible date.
fn date(y: i64, mo: i64, d: i64, tz_secs: i64) -> Option<i64> {
    if !YEARS.contains(&y) || !(1..=12).contains(&mo) || !(1..=days_in_month(y, mo)).contains(&d) {
        return None;
    }
    // The range checks above make both casts exact.
    let days = reprodiff_value::days_from_civil(y, mo as u32, d as u32);
    Some(days * 86_400 - tz_secs)
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

/// The number of digits from `i`.
fn digit_run(b: &[u8], i: usize) -> usize {
    b.get(i..)
        .map_or(0, |s| s.iter().take_while(|c| c.is_ascii_digit()).count())
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

fn boundary_after(b: &[u8], end: usize) -> bool {
    b.get(end).is_none_or(|&c| !c.is_ascii_alphanumeric())
}

fn time_of_day(h: i64, m: i64, s: i64) -> Option<i64> {
    (h < 24 && m < 60 && s < 61).then_some(h * 3600 + m * 60 + s)
}

/// `HH:MM:SS` → seconds of day.
fn hms(b: &[u8], i: usize) -> Option<i64> {
    let (h, m) = hm(b, i)?;
    (b.get(i + 5) == Some(&b':')).then_some(())?;
    time_of_day(h, m, digits(b, i + 6, 2)?)
}

/// `HH:MM`: (hours, minutes), not yet checked.
fn hm(b: &[u8], i: usize) -> Option<(i64, i64)> {
    let h = digits(b, i, 2)?;
    (b.get(i + 2) == Some(&b':')).then_some(())?;
    Some((h, digits(b, i + 3, 2)?))
}

/// `HH:MM[:SS]`: (seconds of day, length).
fn hm_opt_s(b: &[u8], i: usize) -> Option<(i64, usize)> {
    if let Some(secs) = hms(b, i) {
        return Some((secs, 8));
    }
    let (h, m) = hm(b, i)?;
    Some((time_of_day(h, m, 0)?, 5))
}

/// `+0000`, `-0530`, `+00:00`, `Z`: (seconds east, length).
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
            if h > 14 || m > 59 {
                return None;
            }
            let s = h * 3600 + m * 60;
            Some((if c == b'-' { -s } else { s }, len))
        }
        _ => None,
    }
}

/// A zone after a space: ` +0000`, ` UTC`, ` GMT`: (seconds east, length
/// with the space).
fn spaced_zone(b: &[u8], i: usize) -> Option<(i64, usize)> {
    if b.get(i) != Some(&b' ') {
        return None;
    }
    if matches!(b.get(i + 1), Some(b'+' | b'-')) {
        return zone(b, i + 1).map(|(z, n)| (z, n + 1));
    }
    let named = matches!(b.get(i + 1..i + 4), Some(b"UTC" | b"GMT")) && boundary_after(b, i + 4);
    named.then_some((0, 4))
}

/// Tries every date/time shape at `i` (which must start a word): the length
/// matched and, when the text names a date, its epoch (midnight UTC for a
/// date without a time). `None` for text that only fits a shape.
pub fn match_at(b: &[u8], i: usize) -> Option<(usize, Option<i64>)> {
    let c = *b.get(i)?;
    if c.is_ascii_uppercase() {
        return match_named(b, i).map(|(n, t)| (n, Some(t)));
    }
    if !c.is_ascii_digit() {
        return None;
    }
    if let Some((n, t)) = day_month_year(b, i) {
        return Some((n, Some(t)));
    }
    match digit_run(b, i) {
        4 => iso_extended(b, i).map(|(n, t)| (n, Some(t))),
        2 if b.get(i + 2) == Some(&b'/') => slashed(b, i),
        // __TIME__ alone: 22:13:20, a time of day without a date (not a
        // piece of a longer colon-separated run).
        2 => {
            let colon = |k: Option<usize>| k.and_then(|k| b.get(k)) == Some(&b':');
            let alone = boundary_after(b, i + 8) && !colon(i.checked_sub(1)) && !colon(Some(i + 8));
            hms(b, i).filter(|_| alone).map(|_| (8, None))
        }
        8 => compact_with_time(b, i).map(|(n, t)| (n, Some(t))),
        10 if b.get(i + 10) == Some(&b':') => compact_with_time(b, i).map(|(n, t)| (n, Some(t))),
        // A bare Unix time: exactly 10 digits in the plausible range.
        10 => {
            let v = digits(b, i, 10)?;
            (boundary_after(b, i + 10) && (EPOCH_MIN..EPOCH_MAX).contains(&v))
                .then_some((10, Some(v)))
        }
        // %Y%m%d%H%M, %Y%m%d%H%M%S, ISO 9660's with hundredths.
        n @ (12 | 14 | 16) => {
            if !boundary_after(b, i + n) {
                return None;
            }
            let field = |k: usize| digits(b, i + k, 2);
            let s = if n > 12 { field(12)? } else { 0 };
            let day = date(digits(b, i, 4)?, field(4)?, field(6)?, 0)?;
            Some((n, Some(day + time_of_day(field(8)?, field(10)?, s)?)))
        }
        _ => None,
    }
}

/// `02/05/2025`: `%x` under en_US and DocBook XSL's man page dates
/// (`.\"      Date: 02/12/2025`), month first; a first field over 12 is the
/// day (`%x` under en_GB and most other locales: `25/12/2024`). A date
/// valid either way (`02/05/2025`) is a date without a known instant, as
/// a time of day alone is. Not a piece of a path or of a longer run of
/// slashes.
fn slashed(b: &[u8], i: usize) -> Option<(usize, Option<i64>)> {
    if i.checked_sub(1).and_then(|k| b.get(k)) == Some(&b'/') {
        return None;
    }
    let (p, q) = (digits(b, i, 2)?, digits(b, i + 3, 2)?);
    (b.get(i + 5) == Some(&b'/') && digit_run(b, i + 6) == 4).then_some(())?;
    let y = digits(b, i + 6, 4)?;
    let end = i + 10;
    (boundary_after(b, end) && b.get(end) != Some(&b'/')).then_some(())?;
    let (mo, d) = if p > 12 { (q, p) } else { (p, q) };
    let t = date(y, mo, d, 0)?;
    // Valid either way (`05/02/2025`): a date, but which day is not known.
    let ambiguous = p <= 12 && q <= 12 && p != q;
    Some((10, (!ambiguous).then_some(t)))
}

/// ISO 8601 extended: `2023-11-14[(T| )22:13[:20][.frac][zone]]`.
fn iso_extended(b: &[u8], i: usize) -> Option<(usize, i64)> {
    if b.get(i + 4) != Some(&b'-') || b.get(i + 7) != Some(&b'-') {
        return None;
    }
    let (y, mo, d) = (digits(b, i, 4)?, digits(b, i + 5, 2)?, digits(b, i + 8, 2)?);
    let mut end = i + 10;
    if matches!(b.get(end), Some(b'T' | b' ')) {
        if let Some((secs, len)) = hm_opt_s(b, end + 1) {
            end += 1 + len;
            if len == 8 && b.get(end) == Some(&b'.') && digit_run(b, end + 1) > 0 {
                end += 1 + digit_run(b, end + 1);
            }
            let (tz, zl) = zone(b, end)
                .or_else(|| spaced_zone(b, end))
                .unwrap_or((0, 0));
            end += zl;
            return boundary_after(b, end)
                .then_some(())
                .and_then(|()| Some((end - i, date(y, mo, d, tz)? + secs)));
        }
    }
    (boundary_after(b, end) && b.get(end) != Some(&b'-'))
        .then_some(())
        .and_then(|()| Some((end - i, date(y, mo, d, 0)?)))
}

/// Eight date digits and a time: `20231114T221320Z`, `20231114T2213Z`
/// (ISO 8601 basic, with or without seconds),
/// `20231114-22:13[:20]` and `2023111422:13` (live-build's `.disk/info`).
fn compact_with_time(b: &[u8], i: usize) -> Option<(usize, i64)> {
    let day = date(
        digits(b, i, 4)?,
        digits(b, i + 4, 2)?,
        digits(b, i + 6, 2)?,
        0,
    )?;
    let p = i + 8;
    let (secs, end) = match b.get(p) {
        Some(b'T') if matches!(digit_run(b, p + 1), 4 | 6) => {
            let n = digit_run(b, p + 1);
            let f = |k: usize| digits(b, p + 1 + k, 2);
            let s = if n == 6 { f(4)? } else { 0 };
            let secs = time_of_day(f(0)?, f(2)?, s)?;
            let end = p + 1 + n;
            let (tz, zl) = zone(b, end).unwrap_or((0, 0));
            (secs - tz, end + zl)
        }
        Some(b'-') => {
            let (secs, len) = hm_opt_s(b, p + 1)?;
            (secs, p + 1 + len)
        }
        Some(c) if c.is_ascii_digit() => {
            let (secs, len) = hm_opt_s(b, p)?;
            (secs, p + len)
        }
        _ => return None,
    };
    boundary_after(b, end).then_some((end - i, day + secs))
}

/// `HH:MM:SS` with an optional ` AM`/` PM` (12-hour clocks of locales):
/// (seconds of day, length).
fn clock(b: &[u8], i: usize) -> Option<(i64, usize)> {
    let secs = hms(b, i)?;
    let half = match b.get(i + 8..i + 11) {
        Some(b" AM") => Some(0),
        Some(b" PM") => Some(12 * 3600),
        _ => None,
    };
    match half {
        Some(add) if boundary_after(b, i + 11) => {
            let h = secs / 3600;
            if !(1..=12).contains(&h) {
                return None;
            }
            Some((secs % (12 * 3600) + add, 11))
        }
        _ => Some((secs, 8)),
    }
}

/// `July 2023` (`%B %Y`, as help2man and many man pages date themselves):
/// the first of that month.
fn month_year(b: &[u8], i: usize) -> Option<(usize, i64)> {
    let (k, m) = FULL_MONTHS
        .iter()
        .enumerate()
        .find(|(_, m)| b.get(i..).is_some_and(|r| r.starts_with(m.as_bytes())))?;
    let y_at = i + m.len() + 1;
    (b.get(y_at - 1) == Some(&b' ') && digit_run(b, y_at) == 4 && boundary_after(b, y_at + 4))
        .then_some(())?;
    let t = date(digits(b, y_at, 4)?, k as i64 + 1, 1, 0)?;
    Some((y_at + 4 - i, t))
}

/// `March 31, 2025` and `Mar 31, 2025` (`%B %d, %Y`, `%b %d, %Y`: the
/// dates docutils and Sphinx write in a man page's title line), and
/// `March 31 2025` (`%B %d %Y`): the first second of that day.
fn month_day_year(b: &[u8], i: usize) -> Option<(usize, i64)> {
    let (k, len) = FULL_MONTHS
        .iter()
        .enumerate()
        .find(|(_, m)| b.get(i..).is_some_and(|r| r.starts_with(m.as_bytes())))
        .map(|(k, m)| (k, m.len()))
        .or_else(|| word(b, i, &MONTHS).map(|k| (k, 3)))?;
    let mut p = i + len;
    (b.get(p) == Some(&b' ')).then_some(())?;
    p += 1;
    let (d, dl) = day(b, p)?;
    p += dl;
    // Without the comma only after a whole month name of more than three
    // letters (`September 29 2024`, `%B %d %Y` in Ant's `version.txt`):
    // `Nov 14 2023` and `May 14 2023` are `__DATE__`'s, which may go on
    // with a time.
    let comma = b.get(p) == Some(&b',');
    let skip = if comma { 2 } else { 1 };
    ((comma || len > 3) && b.get(p + skip - 1) == Some(&b' ') && digit_run(b, p + skip) == 4)
        .then_some(())?;
    let y = digits(b, p + skip, 4)?;
    let end = p + skip + 4;
    boundary_after(b, end).then_some(())?;
    Some((end - i, date(y, k as i64 + 1, d, 0)?))
}

/// `28 April 2025` and `28 Apr 2025` (`%d %B %Y`, `%d %b %Y`: the dates
/// docbook-to-man and many hand-written man pages put on the title line):
/// the first second of that day. The day is one or two digits, alone.
fn day_month_year(b: &[u8], i: usize) -> Option<(usize, i64)> {
    let run = digit_run(b, i);
    (1..=2).contains(&run).then_some(())?;
    let (d, dl) = day(b, i)?;
    let p = i + dl;
    (b.get(p) == Some(&b' ')).then_some(())?;
    let (k, len) = FULL_MONTHS
        .iter()
        .enumerate()
        .find(|(_, m)| b.get(p + 1..).is_some_and(|r| r.starts_with(m.as_bytes())))
        .map(|(k, m)| (k, m.len()))
        .or_else(|| word(b, p + 1, &MONTHS).map(|k| (k, 3)))?;
    let y_at = p + 1 + len + 1;
    (b.get(y_at - 1) == Some(&b' ') && digit_run(b, y_at) == 4 && boundary_after(b, y_at + 4))
        .then_some(())?;
    let day = date(digits(b, y_at, 4)?, k as i64 + 1, d, 0)?;
    // RFC 2822 without its weekday: `14 Nov 2023 22:13:20 +0000`.
    let mut end = y_at + 4;
    let mut t = day;
    if b.get(end) == Some(&b' ') {
        if let Some((secs, cl)) = clock(b, end + 1) {
            end += 1 + cl;
            let mut tz = 0;
            if let Some((z, zl)) = spaced_zone(b, end) {
                tz = z;
                end += zl;
            }
            t = day + secs - tz;
        }
    }
    Some((end - i, t))
}

/// Dates that start with a weekday or month name: RFC 2822 (`date -R`),
/// `date`'s default and ctime(3), `__DATE__` (`Nov 14 2023`), Doxygen's
/// `Tue Nov 14 2023` and `%B %Y` (`July 2023`).
fn match_named(b: &[u8], i: usize) -> Option<(usize, i64)> {
    if let Some(m) = month_year(b, i).or_else(|| month_day_year(b, i)) {
        return Some(m);
    }
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
            (b.get(q - 1) == Some(&b' ') && b.get(q + 3) == Some(&b' ')).then_some(())?;
            let mo = word(b, q, &MONTHS)? as i64 + 1;
            let y = digits(b, q + 4, 4)?;
            (b.get(q + 8) == Some(&b' ')).then_some(())?;
            let (secs, cl) = clock(b, q + 9)?;
            let mut end = q + 9 + cl;
            let mut tz = 0;
            if let Some((z, zl)) = spaced_zone(b, end) {
                tz = z;
                end += zl;
            }
            return Some((end - i, date(y, mo, d, tz)? + secs));
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
        p += 1; // ctime and __DATE__ pad the day with a space
    }
    let (d, dl) = day(b, p)?;
    p += dl;
    if b.get(p) != Some(&b' ') {
        return None;
    }
    p += 1;
    if let Some(secs) = hms(b, p) {
        let mut q = p + 8;
        // The zone's name: its offset is not printed, so it counts as UTC.
        if b.get(q) == Some(&b' ') && b.get(q + 1).is_some_and(u8::is_ascii_uppercase) {
            let mut z = q + 1;
            while b.get(z).is_some_and(u8::is_ascii_uppercase) {
                z += 1;
            }
            q = z;
        }
        (b.get(q) == Some(&b' ') && digit_run(b, q + 1) == 4).then_some(())?;
        let y = digits(b, q + 1, 4)?;
        let end = q + 5;
        return Some((end - i, date(y, mo, d, 0)? + secs));
    }
    if digit_run(b, p) != 4 {
        return None;
    }
    let y = digits(b, p, 4)?;
    // `Tue May 13 2025`: Doxygen's date of a page (`%a %b %d %Y`), a day
    // without a time.
    if had_weekday {
        // JavaScript's `Date` goes on with the time: `Tue Nov 14 2023
        // 22:13:20 GMT+0000`.
        let day = date(y, mo, d, 0)?;
        if b.get(p + 4) == Some(&b' ') {
            if let Some(secs) = hms(b, p + 5) {
                return Some((p + 13 - i, day + secs));
            }
        }
        return boundary_after(b, p + 4).then_some((p + 4 - i, day));
    }
    let mut end = p + 4;
    let mut t = date(y, mo, d, 0)?;
    if b.get(end) == Some(&b' ') {
        if let Some(secs) = hms(b, end + 1) {
            end += 9;
            t += secs;
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

    /// 2023-11-14 22:13:20 UTC.
    const T: i64 = 1_700_000_000;
    /// 2023-11-14 00:00:00 UTC.
    const DAY: i64 = T - 80_000;

    #[test]
    fn recognises_the_shapes_build_tools_print() {
        assert_eq!(at("Tue, 14 Nov 2023 22:13:20 +0000"), Some((31, Some(T))));
        assert_eq!(at("2023-11-14T22:13:20Z"), Some((20, Some(T))));
        assert_eq!(at("2023-11-14T22:13:20.00+00:00"), Some((28, Some(T))));
        assert_eq!(at("Tue Nov 14 22:13:20 UTC 2023"), Some((28, Some(T))));
        assert_eq!(at("Nov 14 2023 22:13:20"), Some((20, Some(T))));
        assert_eq!(at("1700000000"), Some((10, Some(T))));
        assert_eq!(at("2023111422132000"), Some((16, Some(T))));
        assert_eq!(at("22:13:20"), Some((8, None)));
        assert_eq!(at("1234567890123"), None);
        assert_eq!(at("Hello"), None);
        // %B %Y: help2man's date of a man page.
        assert_eq!(at("November 2023"), Some((13, Some(DAY - 13 * 86_400))));
        assert_eq!(at("May 2023 "), Some((8, Some(1_682_899_200))));
        assert_eq!(at("July 20234"), None);
        assert_eq!(at("July 1789"), None);
        // %B %d, %Y and %b %d, %Y: docutils' and Sphinx's.
        assert_eq!(at("November 14, 2023"), Some((17, Some(DAY))));
        assert_eq!(at("Nov 14, 2023\""), Some((12, Some(DAY))));
        assert_eq!(at("November 4, 2023"), Some((16, Some(DAY - 10 * 86_400))));
        assert_eq!(at("November 31, 2023"), None);
        assert_eq!(at("November 14, 20234"), None);
        assert_eq!(at("November 14,2023"), None);
        // %B %d %Y (Ant's version.txt); abbreviated, it is __DATE__'s.
        assert_eq!(at("November 14 2023\n"), Some((16, Some(DAY))));
        assert_eq!(at("November 14 20234"), None);
        assert_eq!(at("Nov 14 2023 22:13:20"), Some((20, Some(T))));
        // Doxygen's page dates: a weekday, no time.
        assert_eq!(at("Tue Nov 14 2023\""), Some((15, Some(DAY))));
        assert_eq!(at("Tue Nov 14 20234"), None);
        assert_eq!(at("Tue Nov 31 2023"), None);
        assert_eq!(at("Tue Nov 14 2023 22:13:20 GMT+0000"), Some((24, Some(T))));
        // %x under en_US and DocBook XSL's man pages: month first; day
        // first when the first field cannot be a month.
        assert_eq!(at("11/14/2023"), Some((10, Some(DAY))));
        assert_eq!(at("14/11/2023\""), Some((10, Some(DAY))));
        assert_eq!(at("02/05/2025"), Some((10, None)));
        assert_eq!(at("02/25/2025"), Some((10, Some(1_740_441_600))));
        assert_eq!(at("05/05/2025"), Some((10, Some(1_746_403_200))));
        assert_eq!(at("13/13/2023"), None);
        assert_eq!(at("11/31/2023"), None);
        assert_eq!(at("11/14/20234"), None);
        assert_eq!(at("11/14/2023/x"), None);
        assert_eq!(at("11/14/23"), None);
        assert_eq!(at("1/14/2023"), None);
        // %d %B %Y (routino's docbook-to-man pages) and %d %b %Y, with
        // RFC 2822's time when one follows.
        assert_eq!(at("14 November 2023\""), Some((16, Some(DAY))));
        assert_eq!(at("4 November 2023"), Some((15, Some(DAY - 10 * 86_400))));
        assert_eq!(at("14 Nov 2023"), Some((11, Some(DAY))));
        assert_eq!(at("14 Nov 2023 22:13:20 +0000"), Some((26, Some(T))));
        assert_eq!(at("14 Nov 2023 23:13:20 +0100"), Some((26, Some(T))));
        assert_eq!(at("31 November 2023"), None);
        assert_eq!(at("14 November 20234"), None);
        assert_eq!(at("114 November 2023"), None);
        assert_eq!(at("14 Novembre 2023"), None);
        assert_eq!(at("14 items 2023"), None);
    }

    #[test]
    fn date_1_default_and_ctime() {
        assert_eq!(at("Tue Nov 14 22:13:20 UTC 2023"), Some((28, Some(T))));
        assert_eq!(
            at("Tue Nov 14 23:13:20 CET 2023"),
            Some((28, Some(T + 3600)))
        );
        assert_eq!(at("Tue Nov 14 22:13:20 2023"), Some((24, Some(T))));
        assert_eq!(
            at("Sat Nov  4 22:13:20 2023"),
            Some((24, Some(T - 10 * 86_400)))
        );
        // The en_US form of date(1): day first, a 12-hour clock.
        assert_eq!(at("Tue 14 Nov 2023 10:13:20 PM UTC"), Some((31, Some(T))));
        assert_eq!(
            at("Tue 14 Nov 2023 12:13:20 AM UTC"),
            Some((31, Some(DAY + 800)))
        );
    }

    #[test]
    fn rfc_2822() {
        assert_eq!(at("Tue, 14 Nov 2023 22:13:20 +0000"), Some((31, Some(T))));
        assert_eq!(at("Tue, 14 Nov 2023 23:13:20 +0100"), Some((31, Some(T))));
        assert_eq!(at("Tue, 14 Nov 2023 16:43:20 -0530"), Some((31, Some(T))));
        assert_eq!(
            at("Sat, 4 Nov 2023 22:13:20 +0000"),
            Some((30, Some(T - 10 * 86_400)))
        );
        assert_eq!(at("Tue, 14 Nov 2023 22:13:20 GMT"), Some((29, Some(T))));
    }

    #[test]
    fn iso_8601() {
        assert_eq!(at("2023-11-14T22:13:20Z"), Some((20, Some(T))));
        assert_eq!(at("2023-11-14 22:13:20"), Some((19, Some(T))));
        assert_eq!(at("2023-11-14 22:13:20 UTC"), Some((23, Some(T))));
        assert_eq!(at("2023-11-14 23:13:20 +0100"), Some((25, Some(T))));
        assert_eq!(at("2023-11-14T23:13:20+01:00"), Some((25, Some(T))));
        assert_eq!(at("2023-11-14T22:13:20.123456Z"), Some((27, Some(T))));
        assert_eq!(at("2023-11-14T22:13Z"), Some((17, Some(T - 20))));
        assert_eq!(at("20231114T221320Z"), Some((16, Some(T))));
        assert_eq!(at("20231114T221320"), Some((15, Some(T))));
        // Without seconds, as a build id stamps it.
        assert_eq!(at("20231114T2213Z"), Some((14, Some(T - 20))));
        assert_eq!(at("20231114T2213"), Some((13, Some(T - 20))));
    }

    #[test]
    fn compact_digits() {
        // live-build's .disk/info: `LIVE Binary 20231114-22:13`.
        assert_eq!(at("20231114-22:13"), Some((14, Some(T - 20))));
        assert_eq!(at("20231114-22:13:20"), Some((17, Some(T))));
        assert_eq!(at("2023111422:13"), Some((13, Some(T - 20))));
        assert_eq!(at("202311142213"), Some((12, Some(T - 20))));
        assert_eq!(at("20231114221320"), Some((14, Some(T))));
    }

    #[test]
    fn compiler_date_and_time() {
        assert_eq!(at("Nov 14 2023 22:13:20"), Some((20, Some(T))));
        assert_eq!(at("Nov 14 2023"), Some((11, Some(DAY))));
        assert_eq!(at("Nov  4 2023"), Some((11, Some(DAY - 10 * 86_400))));
        assert_eq!(
            at("Nov  4 2023 22:13:20"),
            Some((20, Some(T - 10 * 86_400)))
        );
        assert_eq!(at("22:13:20"), Some((8, None)));
    }

    #[test]
    fn epoch_seconds_and_days() {
        assert_eq!(at("1700000000"), Some((10, Some(T))));
        assert_eq!(at("2023-11-14"), Some((10, Some(DAY))));
        // A day alone still moves by whole days.
        let next = at("2023-11-15").and_then(|x| x.1).unwrap_or_default();
        assert_eq!(fmt_delta(next - DAY), "+1d");
    }

    #[test]
    fn numbers_that_only_fit_a_shape_are_not_dates() {
        for s in [
            "0000-00-00",
            "1970-01-01",
            "2023-02-30",
            "2023-13-01",
            "2023-11-14T25:00:00Z",
            "2023-11-14-1",
            "9999-12-31",
            "0123456789",
            "1234567890123",
            "20231314221320",
            "202311142261",
            "99991114-22:13",
            "20231114-24:00",
            "20231114T2560Z",
            "20231114T22133Z",
            "Nov 32 2023",
            "Nov 14 1234",
            "Tue, 14 Nov 2023 25:13:20 +0000",
            "Tue Nov 14 22:13:20 UTC 0001",
            "Nov 14 20231",
            "12:34:56:78",
            "99:99:99",
        ] {
            assert_eq!(at(s), None, "{s}");
        }
    }

    #[test]
    fn deltas_read_like_durations() {
        assert_eq!(fmt_delta(86_400), "+1d");
        assert_eq!(fmt_delta(3600), "+1h");
        assert_eq!(fmt_delta(-(86_400 + 3600 + 120 + 3)), "-1d 1h 2m 3s");
    }
}
