#!/usr/bin/env bash
# Measures reprodiff on a realistic live ISO pair, beside baselines run in
# the same invocation: `cmp` on identical inputs, diffoscope on the differing
# pair, and peak memory from /usr/bin/time -v. Then checks the findings:
# tests/live_pair.rs (every planted difference at its address) and
# diffoscope-coverage.py (everything diffoscope finds is in the report); the
# script exits 1 if either fails. Builds (or reuses) the pair with
# make-live-iso.sh. Not run by tests or CI (it needs Debian's mirror the
# first time and diffoscope takes minutes).
#
#   benches/compare-pair.sh            # all measurements
#   SKIP_DIFFOSCOPE=1 benches/compare-pair.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
W="$here/work"
[ -e "$W/a.iso" ] && [ -e "$W/b.iso" ] && [ -e "$W/c.iso" ] || bash "$here/make-live-iso.sh"
command -v /usr/bin/time >/dev/null || apt-get install -y time
if [ -z "${SKIP_DIFFOSCOPE:-}" ] && ! command -v diffoscope >/dev/null; then
    apt-get install -y diffoscope-minimal genisoimage squashfs-tools cpio mtools
fi
(cd "$root" && cargo build --release --quiet)
rd="$root/target/release/reprodiff"
out="$W/results"
mkdir -p "$out"
status=0

# Median wall time of N runs of a command, in seconds.
median() {
    local n=$1; shift
    local times=()
    for _ in $(seq "$n"); do
        local s e
        s=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        e=$(date +%s.%N)
        times+=("$(echo "$e - $s" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | sort -g | sed -n "$(( (n + 1) / 2 ))p"
}

# Warm the page cache so both tools read from memory.
cat "$W/a.iso" "$W/b.iso" "$W/c.iso" >/dev/null
size=$(stat -c %s "$W/a.iso")
echo "inputs: $(( size / 1048576 )) MiB each"

t_cmp=$(median 5 cmp "$W/a.iso" "$W/c.iso")
t_id=$(median 5 "$rd" --quiet "$W/a.iso" "$W/c.iso")
t_idj=$(median 5 "$rd" --quiet "$W/a.iso" "$W/c.iso" --json /dev/null)
printf 'identical inputs: cmp %.3f s; reprodiff, verdict only %.3f s (%.2fx cmp), with a JSON report %.3f s (%.2fx cmp; it computes the SHA-256 the report shows, once as the inputs are equal)\n' \
    "$t_cmp" "$t_id" "$(echo "$t_id / $t_cmp" | bc -l)" "$t_idj" "$(echo "$t_idj / $t_cmp" | bc -l)"

t_ls=$(median 3 "$rd" ls "$W/a.iso")
printf 'ls a.iso: %.3f s, %s entries\n' "$t_ls" "$("$rd" ls "$W/a.iso" | grep -vc '^    ')"

# The differing pair: verdict only, and the full report (JSON and text,
# every node listed), which is what diffoscope is measured against.
t_dq=$(median 3 "$rd" --quiet "$W/a.iso" "$W/b.iso")
t_diff=$(median 3 "$rd" "$W/a.iso" "$W/b.iso" --json "$out/report.json" --text "$out/report.txt" --max-routine 0)
printf 'differing pair: reprodiff verdict only %.3f s, full JSON and text report %.3f s\n' "$t_dq" "$t_diff"
/usr/bin/time -v "$rd" "$W/a.iso" "$W/b.iso" --json "$out/report.json" --text "$out/report.txt" --max-routine 0 2>"$out/reprodiff.time" || true
rss=$(grep 'Maximum resident' "$out/reprodiff.time" | awk '{print $NF}')
# Peak RSS counts the mapped input pages (page cache); the process's own
# memory is RssAnon, sampled while it runs (the full report run).
"$rd" "$W/a.iso" "$W/b.iso" --json "$out/report.json" --text "$out/report.txt" --max-routine 0 &
pid=$!
anon=0
while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${v:-0}" -gt "$anon" ] && anon=$v
    sleep 0.005
done
wait "$pid" || true
printf 'differing pair: peak RSS %s KiB incl. mapped inputs, peak anonymous %s KiB (%s differing nodes in the report)\n' \
    "$rss" "$anon" "$(grep -cE '"status": "(modified|added|removed)"' "$out/report.json")"
# The largest member the comparison decodes is the initrd's zstd cpio
# segment (the SquashFS is decoded a block at a time, and only where files
# differ): the memory target is measured against it.
rm -rf "$out/seg"
"$rd" extract "$W/a.iso" "$W/b.iso" 'live/initrd.img::<segment-2>' -o "$out/seg" >/dev/null 2>&1
seg=$(zstd -dc "$out/seg/a/segment-2" | wc -c)
printf 'largest decoded member: live/initrd.img::<segment-2>, %s KiB; peak anonymous memory is %.2fx that\n' \
    "$((seg / 1024))" "$(echo "$anon * 1024 / $seg" | bc -l)"

# Every planted difference at its address, nothing identical reported.
(cd "$root" && cargo test --release --quiet --test live_pair -- --ignored) >"$out/live_pair.log" 2>&1 &&
    echo "planted differences: all reported at their addresses (tests/live_pair.rs)" ||
    { echo "planted differences: tests/live_pair.rs FAILED, see $out/live_pair.log"; status=1; }

if [ -z "${SKIP_DIFFOSCOPE:-}" ]; then
    s=$(date +%s.%N)
    /usr/bin/time -v diffoscope --text "$out/diffoscope.txt" "$W/a.iso" "$W/b.iso" \
        >/dev/null 2>"$out/diffoscope.time" || true
    e=$(date +%s.%N)
    t_dfs=$(echo "$e - $s" | bc -l)
    drss=$(grep 'Maximum resident' "$out/diffoscope.time" | awk '{print $NF}')
    printf 'differing pair: diffoscope %.1f s, peak RSS %s KiB; reprodiff is %.0fx faster\n' \
        "$t_dfs" "$drss" "$(echo "$t_dfs / $t_diff" | bc -l)"
    # Every entry diffoscope names as different, at any layer, must have a
    # node in our report.
    python3 "$here/diffoscope-coverage.py" "$out/diffoscope.txt" "$out/report.json" || status=1
fi
exit "$status"
