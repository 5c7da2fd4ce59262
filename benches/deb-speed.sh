#!/usr/bin/env bash
# reprodiff against diffoscope on every real .deb rebuild pair
# benches/real-corpus.sh downloaded (benches/work/corpus/pairs and
# forky/pairs: a package's X and its backports rebuild X~bpoNN+1), both run
# in the same invocation on the same pair: reprodiff writing its JSON
# report, diffoscope its text report (diffoscope-minimal, with whatever
# tools are installed). reprodiff's time is the median of five runs (a
# run of a few tens of milliseconds is mostly process start and page
# faults, and one stray run made a 20x pair read 9x); diffoscope, whose
# runs take seconds, is run once. Prints a line per pair with both times
# and the ratio, then how many pairs are at least 50x and the smallest
# ratio. Beside them, a floor: the wall time of decoding both sides' data
# members at once with the codec's own tool (xz -dc, zstd -dc, ...), the
# least any tool that reads the files in both packages needs on this
# machine (fastest of three); diffoscope's time over it is the most any
# such tool could be faster, so a pair whose "bound" is under 50x cannot
# reach 50x by speed alone. Run benches/real-corpus.sh first.
# BASE=<binary> also times an earlier build the same way on each pair
# (its median beside this build's, and how many pairs it has at 50x), so
# that a change is judged against the same diffoscope runs.
# SAMPLE=<dir> times the pairs in <dir>/pairs instead (a sample
# benches/fresh-sample.sh drew, e.g. work/corpus/sample-20261205).
# Usage: [BASE=<binary>] [SAMPLE=<dir>] benches/deb-speed.sh [MAX_PAIRS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
max="${1:-1000}"
bin="$here/../target/release/reprodiff"
(cd "$here/.." && cargo build --release --quiet)
command -v diffoscope >/dev/null || apt-get install -y diffoscope-minimal
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=benches/deb-data.sh
source "$here/deb-data.sh"
# Wall time of a command, read from bash's own clock: two `date`
# processes around it added some 3 ms a run, a third of a small pair's time.
t() {
    local s e
    s=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 || true
    e=$EPOCHREALTIME
    echo "$e - $s" | bc -l
}
shopt -s nullglob
n=0 fifty=0 unreachable=0 worst="" base_fifty=0
base="${BASE:-}"
printf '%-44s %10s %11s %7s %8s %7s' pair reprodiff diffoscope ratio floor bound
[ -n "$base" ] && printf ' %10s %7s' base ratio
echo
if [ -n "${SAMPLE:-}" ]; then
    set -- "$SAMPLE"/pairs/*~bpo1[23]+1_*.deb
else
    set -- "$here"/work/corpus/pairs/*~bpo12+1_*.deb "$here"/work/corpus/forky/pairs/*~bpo13+1_*.deb
fi
for b in "$@"; do
    a="${b/~bpo12+1/}"
    a="${a/~bpo13+1/}"
    [ -s "$a" ] || continue
    [ "$n" -lt "$max" ] || break
    n=$((n + 1))
    cat "$a" "$b" >/dev/null
    r=$(for _ in 1 2 3 4 5; do t "$bin" "$a" "$b" --quiet --json /dev/null; done | sort -n | sed -n 3p)
    [ -n "$base" ] &&
        rb=$(for _ in 1 2 3 4 5; do t "$base" "$a" "$b" --quiet --json /dev/null; done | sort -n | sed -n 3p)
    d=$(t diffoscope "$a" "$b" --text /dev/null)
    rm -f "$tmp"/*
    ma=$(member "$a" a) mb=$(member "$b" b)
    f=$(for _ in 1 2 3; do t floor "$ma" "$mb"; done | sort -n | sed -n 1p)
    ratio=$(echo "$d / $r" | bc -l)
    bound=$(echo "$d / $f" | bc -l)
    printf '%-44s %9.3fs %10.2fs %6.0fx %7.3fs %6.0fx' "$(basename "$a" .deb)" "$r" "$d" "$ratio" "$f" "$bound"
    if [ -n "$base" ]; then
        base_ratio=$(echo "$d / $rb" | bc -l)
        printf ' %9.3fs %6.0fx' "$rb" "$base_ratio"
        [ "$(echo "$base_ratio >= 50" | bc)" = 1 ] && base_fifty=$((base_fifty + 1))
    fi
    echo
    [ "$(echo "$ratio >= 50" | bc)" = 1 ] && fifty=$((fifty + 1))
    [ "$(echo "$bound < 50" | bc)" = 1 ] && unreachable=$((unreachable + 1))
    if [ -z "$worst" ] || [ "$(echo "$ratio < ${worst%% *}" | bc)" = 1 ]; then
        worst="$ratio $(basename "$a" .deb)"
    fi
done
[ -n "$worst" ] && printf '%d of %d pairs at least 50x; smallest ratio: %.0fx (%s)\n' \
    "$fifty" "$n" "${worst%% *}" "${worst#* }"
[ -n "$base" ] && printf 'BASE (%s): %d of %d pairs at least 50x\n' "$base" "$base_fifty" "$n"
printf '%d pairs cannot reach 50x: diffoscope takes less than 50 times decoding their data members\n' "$unreachable"
