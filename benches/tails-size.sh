#!/usr/bin/env bash
# A differing pair the size and shape of a Tails release's root file
# system: this machine's /usr (about 190k entries) squashed twice, b with
# 4,848 files whose mtime a build hook left unclamped and a few planted
# content changes (an os-release line, a rebuilt binary's last byte, a
# reordered text file), as benches/make-live-iso.sh plants them. Prints in
# one run: `cmp` and `sha256sum` of an identical pair of the same size, and
# reprodiff on the differing pair (verdict only, the full JSON report, and
# that report with --no-input-digests),
# each with its wall time and peak anonymous memory (benches/measure.sh),
# and the ratios to cmp. With BASE=<another reprodiff binary> (an earlier
# build), its report runs are timed too, alternating with this build's, so
# a change is measured against what it replaces in the same run. Writes about 9 GB under benches/work/tails-size/
# (a copy of /usr and three images); not run by tests or CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/../target/release/reprodiff"
(cd "$here/.." && cargo build --release --quiet)
command -v mksquashfs >/dev/null || apt-get install -y squashfs-tools
command -v sqfsdiff >/dev/null || apt-get install -y squashfs-tools-ng
. "$here/measure.sh"
W="$here/work/tails-size"
mkdir -p "$W"
sq() { mksquashfs "$1" "$2" -noappend -quiet -no-progress -comp zstd -Xcompression-level 3 \
    -mkfs-time 1700000000 -e src >/dev/null; }
if [ ! -s "$W/a-copy.sqfs" ]; then
    rm -rf "$W/tree"
    cp -a /usr "$W/tree"
    find "$W/tree" -exec touch -h -d @1700000000 {} +
    sq "$W/tree" "$W/a.sqfs"
    cp "$W/a.sqfs" "$W/a-copy.sqfs"
fi
if [ ! -s "$W/b.sqfs" ]; then
    # b: 4,848 files written after the clamp, and the planted content.
    # (sed, not head: head would close the pipe under pipefail.)
    find "$W/tree" -type f -name '*.py' | sort | sed -n '1,4848p' | xargs -d '\n' touch -d @1700003600
    f=$(find "$W/tree/lib" -type f -name '*.so*' | sort | sed -n 1p)
    printf '\xff' | dd of="$f" bs=1 seek=$(( $(stat -c %s "$f") - 1 )) conv=notrunc status=none
    touch -d @1700000000 "$f"
    if [ -e "$W/tree/lib/os-release" ]; then
        sed -i 's/^VERSION_ID=.*/VERSION_ID="rebuilt"/' "$W/tree/lib/os-release"
        touch -d @1700000000 "$W/tree/lib/os-release"
    fi
    sq "$W/tree" "$W/b.sqfs"
    rm -rf "$W/tree"
fi
cat "$W/a.sqfs" "$W/a-copy.sqfs" "$W/b.sqfs" >/dev/null
echo "images: $(( $(stat -c %s "$W/a.sqfs") / 1048576 )) MiB, $("$bin" ls "$W/a.sqfs" | wc -l) entries"
# Where the pair parts: the inputs' digests share the pass before it.
echo "first difference: $(cmp "$W/a.sqfs" "$W/b.sqfs" | sed 's/.*differ: //') of $(stat -c %s "$W/a.sqfs") bytes"
measure "cmp, identical pair" cmp "$W/a.sqfs" "$W/a-copy.sqfs"
measure "sha256sum, identical pair" sha256sum "$W/a.sqfs" "$W/a-copy.sqfs"
measure "reprodiff, identical pair" "$bin" "$W/a.sqfs" "$W/a-copy.sqfs" --quiet
measure "reprodiff, differing, verdict only" "$bin" "$W/a.sqfs" "$W/b.sqfs" --quiet
measure "reprodiff, differing, --json" "$bin" "$W/a.sqfs" "$W/b.sqfs" --json "$W/report.json"
# The same report without the inputs' two SHA-256 passes.
measure "reprodiff, --json --no-input-digests" "$bin" "$W/a.sqfs" "$W/b.sqfs" --json "$W/bare.json" --no-input-digests
command -v sqfsdiff >/dev/null && measure "sqfsdiff -T, differing" sqfsdiff -T -a "$W/a.sqfs" -b "$W/b.sqfs"
# The sampler above wakes every 20 ms, which costs a two-core machine more
# in a run that uses both cores (reprodiff) than in one that uses one
# (cmp): times again without it, five runs each, alternating, medians.
med() { sort -n | sed -n 3p; }
secs() { { /usr/bin/time -f %e "$@" 2>&1 >/dev/null || true; } | tail -1; }
runs_cmp="" runs_rd="" runs_bare="" runs_base=""
for _ in 1 2 3 4 5; do
    runs_cmp="$runs_cmp $(secs cmp "$W/a.sqfs" "$W/a-copy.sqfs")"
    runs_rd="$runs_rd $(secs "$bin" "$W/a.sqfs" "$W/b.sqfs" --json "$W/report.json")"
    runs_bare="$runs_bare $(secs "$bin" "$W/a.sqfs" "$W/b.sqfs" --json "$W/bare.json" --no-input-digests)"
    [ -z "${BASE:-}" ] || runs_base="$runs_base $(secs "$BASE" "$W/a.sqfs" "$W/b.sqfs" --json "$W/base.json")"
done
c=$(echo "$runs_cmp" | tr ' ' '\n' | grep . | med)
r=$(echo "$runs_rd" | tr ' ' '\n' | grep . | med)
n=$(echo "$runs_bare" | tr ' ' '\n' | grep . | med)
printf 'unsampled medians of 5: cmp %s s (%s), reprodiff --json %s s (%s): %.2fx; --no-input-digests %s s (%s): %.2fx\n' \
    "$c" "$runs_cmp" "$r" "$runs_rd" "$(echo "$r / $c" | bc -l)" "$n" "$runs_bare" "$(echo "$n / $c" | bc -l)"
if [ -n "${BASE:-}" ]; then
    o=$(echo "$runs_base" | tr ' ' '\n' | grep . | med)
    printf 'baseline build %s: --json %s s (%s): %.2fx; same report: %s\n' "$BASE" "$o" "$runs_base" \
        "$(echo "$o / $c" | bc -l)" "$(cmp -s "$W/report.json" "$W/base.json" && echo yes || echo NO)"
fi
python3 - "$W/report.json" "$W/bare.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("report:", r["verdict"], "groups:", [(g["cause"], g["count"]) for g in r["groups"]][:6])
bare = json.load(open(sys.argv[2]))
for side in "ab":
    bare[side]["sha256"] = r[side]["sha256"]
print("--no-input-digests: the same report but for the digests:", "yes" if bare == r else "NO")
PY
