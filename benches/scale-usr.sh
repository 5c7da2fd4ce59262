#!/usr/bin/env bash
# The worst case at scale: two SquashFS images of this machine's /usr (well
# over 100k entries, a few GB) that differ in every inode's mtime, as when a
# build stamps every file with its clock instead of SOURCE_DATE_EPOCH. Every
# entry is a difference, so the report is as large as it gets; the data
# blocks are identical, so nothing needs decoding. Prints reprodiff's time
# and peak memory beside `ls`, sha256sum and cmp run in the same invocation.
# Not run by tests or CI (it writes two images of a few GB to benches/work/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
W="$here/work/scale"
mkdir -p "$W"
command -v mksquashfs >/dev/null || apt-get install -y squashfs-tools
command -v /usr/bin/time >/dev/null || apt-get install -y time
for side in a:1700000000 b:1700086400; do
    f="$W/usr-${side%%:*}.sqfs"
    [ -s "$f" ] || mksquashfs /usr "$f" -noappend -quiet -no-progress -comp zstd \
        -Xcompression-level 3 -all-time "${side#*:}" -mkfs-time 1700000000 -e /usr/src
done
(cd "$root" && cargo build --release --quiet)
rd="$root/target/release/reprodiff"
a="$W/usr-a.sqfs" b="$W/usr-b.sqfs"
cat "$a" "$b" >/dev/null
echo "images: $(( $(stat -c %s "$a") / 1048576 )) MiB each, $("$rd" ls "$a" | wc -l) entries"
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
printf 'reprodiff ls: %.2f s\n' "$(t "$rd" ls "$a")"
printf 'cmp: %.2f s (stops at the first difference)\n' "$(t cmp "$a" "$b")"
printf 'sha256sum of both: %.2f s\n' "$(t sha256sum "$a" "$b")"
printf 'reprodiff, verdict only: %.2f s\n' "$(t "$rd" --quiet "$a" "$b")"
/usr/bin/time -f '%e %M' -o "$W/time.txt" "$rd" --quiet "$a" "$b" --json "$W/report.json" || true
read -r secs rss < <(tail -1 "$W/time.txt")
"$rd" --quiet "$a" "$b" --json "$W/report2.json" &
pid=$!
anon=0
while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${v:-0}" -gt "$anon" ] && anon=$v
    sleep 0.01
done
wait "$pid" || true
printf 'reprodiff with a JSON report: %s s, peak RSS %s KiB incl. mapped inputs, peak anonymous %s KiB, report %s MiB\n' \
    "$secs" "$rss" "$anon" "$(( $(stat -c %s "$W/report.json") / 1048576 ))"
