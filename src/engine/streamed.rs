//! Two compressed streams compared as they are decoded, when their decoded
//! bytes would not fit the memory budget (`Options::max_memory`).
//!
//! Engine stage (bytes → formats → **engine** → diagnosis → report). Both
//! sides decode at once, each on its own thread through
//! [`stream::each_chunk`], which also digests its side; their pieces meet
//! here through short queues and are compared in lockstep. What is held is
//! a few pieces a side, whatever the compression ratio, and the answer is
//! still exact: whether the decoded bytes are equal, where they first
//! differ, how many bytes differ, and the SHA-256 of each side.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use reprodiff_formats::{self as formats, stream, Blob, Format};
use sha2::{Digest, Sha256};

use super::digest::hex;

/// Decoded pieces queued per side: with pieces of at most 64 KiB, a side
/// holds a few hundred KiB at most, and a fast side waits for a slow one.
pub(super) const QUEUE: usize = 8;

/// One side of a streamed comparison: the compressed bytes, their codec
/// and the most decoded bytes to read.
pub struct Input<'b> {
    pub raw: &'b Blob,
    pub codec: Format,
    pub cap: u64,
}

/// What a streamed comparison found.
#[derive(Debug)]
pub struct Streamed {
    /// Decoded bytes read from each side.
    pub len_a: u64,
    pub len_b: u64,
    /// SHA-256 of each side's decoded bytes, when it decoded to its end.
    pub sha256_a: Option<String>,
    pub sha256_b: Option<String>,
    /// First decoded offset at which the sides differ (the shorter side's
    /// length when one is a prefix of the other).
    pub first_difference: Option<u64>,
    /// Bytes that differ over the common length, plus the longer side's tail.
    pub differing_bytes: u64,
    /// Why a side stopped before its end (corrupt data, the cap, `stop`).
    pub error_a: Option<formats::Error>,
    pub error_b: Option<formats::Error>,
    /// Set when `stop` ended the comparison early.
    pub stopped: bool,
}

impl Streamed {
    /// Whether both sides decoded to their end with the same bytes.
    pub fn equal(&self) -> bool {
        self.first_difference.is_none()
            && !self.stopped
            && self.error_a.is_none()
            && self.error_b.is_none()
    }
}

/// Compares the decoded bytes of `a` and `b` without holding them. `stop`
/// is asked between pieces (a deadline, a cancel) and ends both sides.
pub fn compare(a: Input, b: Input, stop: &(dyn Fn() -> bool + Sync)) -> Streamed {
    std::thread::scope(|s| {
        let (tx_a, rx_a) = sync_channel::<Vec<u8>>(QUEUE);
        let (tx_b, rx_b) = sync_channel::<Vec<u8>>(QUEUE);
        let ta = s.spawn(move || decode_side(a, &tx_a, stop));
        let tb = s.spawn(move || decode_side(b, &tx_b, stop));
        let mut out = lockstep(Queue::new(rx_a), Queue::new(rx_b));
        for (t, sha, err, len) in [
            (ta, &mut out.sha256_a, &mut out.error_a, out.len_a),
            (tb, &mut out.sha256_b, &mut out.error_b, out.len_b),
        ] {
            match t.join() {
                Ok((Ok(n), digest, false)) if n == len => *sha = Some(digest),
                Ok((Ok(_), _, halted)) => out.stopped |= halted,
                Ok((Err(e), _, halted)) => {
                    out.stopped |= halted;
                    *err = Some(e);
                }
                // A panicking decoder is a bug, not a difference: say so
                // rather than take the whole comparison down.
                Err(_) => out.stopped = true,
            }
        }
        out
    })
}

/// Runs `read` on the decoded bytes of `input` while a thread of its own
/// decodes them (`reprodiff ls` reading the members of an archive too
/// large to hold). Returns what `read` returned and how decoding ended:
/// the number of bytes decoded, or the codec's error. When `read` stops
/// early the decoder stops too; to learn of damage further on, `read`
/// reads to the end. What is held is a few pieces, whatever the ratio.
pub fn read_decoded<T>(
    input: Input,
    read: impl FnOnce(&mut dyn std::io::Read) -> T,
) -> (T, formats::Result<u64>) {
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE);
        let t = s.spawn(move || {
            stream::each_chunk(input.raw, input.codec, input.cap, &mut |piece| {
                tx.send(piece.to_vec()).is_ok()
            })
        });
        let mut q = Queue::new(rx);
        let out = read(&mut q);
        // Dropping the queue ends the decoder's sends, if it is not done.
        drop(q);
        match t.join() {
            Ok(decoded) => (out, decoded),
            // A decoder that panics here would have panicked held too.
            Err(p) => std::panic::resume_unwind(p),
        }
    })
}

/// Decodes one side into `tx`, digesting it on the way; also says whether
/// `stop` ended it.
pub(super) fn decode_side(
    input: Input,
    tx: &SyncSender<Vec<u8>>,
    stop: &(dyn Fn() -> bool + Sync),
) -> (formats::Result<u64>, String, bool) {
    let mut h = Sha256::new();
    let mut halted = false;
    let r = stream::each_chunk(input.raw, input.codec, input.cap, &mut |piece| {
        h.update(piece);
        halted = stop();
        // The receiver is gone only if the comparing thread is: stop too.
        !halted && tx.send(piece.to_vec()).is_ok()
    });
    (r, hex(&h.finalize()), halted)
}

/// One side's decoded pieces as they arrive, and how far into the current
/// piece the comparison has got.
pub(super) struct Queue {
    rx: Receiver<Vec<u8>>,
    piece: Vec<u8>,
    at: usize,
}

impl Queue {
    pub(super) fn new(rx: Receiver<Vec<u8>>) -> Queue {
        Queue {
            rx,
            piece: Vec::new(),
            at: 0,
        }
    }

    /// The bytes not yet compared, waiting for the next piece if needed;
    /// empty once the side has ended.
    fn rest(&mut self) -> &[u8] {
        while self.at >= self.piece.len() {
            match self.rx.recv() {
                Ok(p) => {
                    self.piece = p;
                    self.at = 0;
                }
                Err(_) => return &[],
            }
        }
        self.piece.get(self.at..).unwrap_or(&[])
    }
}

/// The decoded bytes in order, for a reader of the stream's format (the
/// tar members of `members`).
impl std::io::Read for Queue {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = self.rest();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        Ok(n)
    }
}

/// Drains both queues to their ends, comparing as far as both reach.
fn lockstep(mut a: Queue, mut b: Queue) -> Streamed {
    let mut out = Streamed {
        len_a: 0,
        len_b: 0,
        sha256_a: None,
        sha256_b: None,
        first_difference: None,
        differing_bytes: 0,
        error_a: None,
        error_b: None,
        stopped: false,
    };
    let mut offset = 0u64;
    loop {
        let (ra, rb) = (a.rest(), b.rest());
        let n = ra.len().min(rb.len());
        if n == 0 {
            // One side has ended: the other's remaining bytes all differ.
            let tail = (ra.len() + rb.len()) as u64;
            if tail == 0 {
                break;
            }
            out.first_difference.get_or_insert(offset);
            out.differing_bytes += tail;
            let (qa, qb) = (ra.len(), rb.len());
            a.at += qa;
            b.at += qb;
            out.len_a += qa as u64;
            out.len_b += qb as u64;
            continue;
        }
        let (pa, pb) = (&ra[..n], &rb[..n]);
        if pa != pb {
            let first = pa.iter().zip(pb).position(|(x, y)| x != y).unwrap_or(0);
            out.first_difference.get_or_insert(offset + first as u64);
            out.differing_bytes += pa.iter().zip(pb).filter(|(x, y)| x != y).count() as u64;
        }
        a.at += n;
        b.at += n;
        offset += n as u64;
        out.len_a += n as u64;
        out.len_b += n as u64;
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(parts: &[&[u8]]) -> Blob {
        let mut out = Vec::new();
        for p in parts {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(p).unwrap();
            out.extend(e.finish().unwrap());
        }
        Blob::from_vec(out)
    }

    fn run(a: &Blob, b: &Blob) -> Streamed {
        let side = |raw| Input {
            raw,
            codec: Format::Gzip,
            cap: 1 << 30,
        };
        compare(side(a), side(b), &|| false)
    }

    #[test]
    fn equal_content_in_different_members_is_equal() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
        let a = gzip(&[&data]);
        let b = gzip(&[&data[..1000], &data[1000..]]);
        let s = run(&a, &b);
        assert!(s.equal(), "{s:?}");
        assert_eq!((s.len_a, s.len_b), (300_000, 300_000));
        assert_eq!(s.sha256_a, s.sha256_b);
        assert_eq!(s.sha256_a, Some(super::super::sha256_hex(&data)));
        assert_eq!(s.differing_bytes, 0);
    }

    #[test]
    fn differences_and_tails_are_found_and_counted() {
        let data = vec![0u8; 200_000];
        let mut other = data.clone();
        other[150_000] = 1;
        other[150_002] = 1;
        other.extend_from_slice(b"tail");
        let s = run(&gzip(&[&data]), &gzip(&[&other]));
        assert!(!s.equal());
        assert_eq!(s.first_difference, Some(150_000));
        assert_eq!(s.differing_bytes, 2 + 4);
        assert_eq!((s.len_a, s.len_b), (200_000, 200_004));
        assert!(s.sha256_a.is_some() && s.sha256_a != s.sha256_b);
        let s = run(&gzip(&[&data]), &gzip(&[&data[..10]]));
        assert_eq!(
            s.first_difference,
            Some(10),
            "a prefix differs where it ends"
        );
        assert_eq!(s.differing_bytes, 200_000 - 10);
    }

    #[test]
    fn a_corrupt_or_stopped_side_is_never_equal() {
        let data = vec![7u8; 100_000];
        let good = gzip(&[&data]);
        let mut bad = good.bytes().to_vec();
        let n = bad.len();
        bad.truncate(n - 12);
        let s = run(&good, &Blob::from_vec(bad));
        assert!(s.error_b.is_some() && s.sha256_b.is_none());
        assert!(!s.equal());
        let side = |raw| Input {
            raw,
            codec: Format::Gzip,
            cap: 1 << 30,
        };
        let s = compare(side(&good), side(&good), &|| true);
        assert!(s.stopped && !s.equal());
    }
}
