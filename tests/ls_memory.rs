//! `reprodiff ls` of a compressed archive over its memory budget holds a
//! few decoded pieces, not the archive: measured by counting what is
//! allocated while it lists (the only test in this binary, so nothing else
//! allocates meanwhile).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{file, gzip, ustar};
use reprodiff::walk::{stream, WalkOptions};
use reprodiff_formats::Blob;

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static A: Counting = Counting;

/// The listing under `max_memory`, and the most allocated at once while
/// it was made, over what was allocated before.
fn listing(blob: &Blob, max_memory: u64) -> (Vec<String>, usize) {
    let opts = WalkOptions {
        max_memory,
        ..WalkOptions::default()
    };
    let mut rows = Vec::new();
    let base = NOW.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    stream(blob, &opts, &mut |n| {
        rows.push(format!("{} {} {:?}", n.address, n.size, n.error));
        Ok(())
    })
    .expect("listing into memory");
    let peak = PEAK.load(Ordering::Relaxed) - base;
    (rows, peak)
}

#[test]
fn an_archive_over_the_budget_is_listed_in_a_few_pieces_of_memory() {
    // 64 members of 1 MiB: 64 MiB decoded, from 64 KiB of gzip.
    let zeros = vec![0u8; 1 << 20];
    let names: Vec<String> = (0..64).map(|i| format!("dir/member-{i:02}")).collect();
    let members: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| file(n, i as u32 + 1, &zeros))
        .collect();
    let blob = Blob::from_vec(gzip(&ustar(&members)));
    drop(members);
    drop(zeros);
    let (held, held_peak) = listing(&blob, 512 << 20);
    let (streamed, streamed_peak) = listing(&blob, 4 << 20);
    assert_eq!(held, streamed);
    assert_eq!(held.len(), 65, "{held:?}");
    // Held, the decoded archive is in memory; as it decodes, a queue of
    // 64 KiB pieces and one member's first bytes.
    assert!(held_peak > 64 << 20, "held peak {held_peak}");
    assert!(streamed_peak < 2 << 20, "streamed peak {streamed_peak}");
}
