#!/usr/bin/env bash
# reprodiff against diffoscope on every real .deb rebuild pair
# benches/real-corpus.sh downloaded (benches/work/corpus/pairs and
# forky/pairs: a package's X and its backports rebuild X~bpoNN+1), both run
# in the same invocation on the same pair: reprodiff writing its JSON
# report, diffoscope its text report (diffoscope-minimal, with whatever
# tools are installed). reprodiff's time is the median of three runs (a
# run of a few tens of milliseconds is mostly process start and page
# faults, and one stray run made a 20x pair read 9x); diffoscope, whose
# runs take seconds, is run once. Prints a line per pair with both times
# and the ratio, then how many pairs are at least 50x and the smallest
# ratio. Run benches/real-corpus.sh first.
# Usage: benches/deb-speed.sh [MAX_PAIRS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
max="${1:-1000}"
bin="$here/../target/release/reprodiff"
(cd "$here/.." && cargo build --release --quiet)
command -v diffoscope >/dev/null || apt-get install -y diffoscope-minimal
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
shopt -s nullglob
n=0 fifty=0 worst=""
printf '%-44s %10s %11s %7s\n' pair reprodiff diffoscope ratio
for b in "$here"/work/corpus/pairs/*~bpo12+1_*.deb "$here"/work/corpus/forky/pairs/*~bpo13+1_*.deb; do
    a="${b/~bpo12+1/}"
    a="${a/~bpo13+1/}"
    [ -s "$a" ] || continue
    [ "$n" -lt "$max" ] || break
    n=$((n + 1))
    cat "$a" "$b" >/dev/null
    r=$(for _ in 1 2 3; do t "$bin" "$a" "$b" --quiet --json /dev/null; done | sort -n | sed -n 2p)
    d=$(t diffoscope "$a" "$b" --text /dev/null)
    ratio=$(echo "$d / $r" | bc -l)
    printf '%-44s %9.2fs %10.2fs %6.0fx\n' "$(basename "$a" .deb)" "$r" "$d" "$ratio"
    [ "$(echo "$ratio >= 50" | bc)" = 1 ] && fifty=$((fifty + 1))
    if [ -z "$worst" ] || [ "$(echo "$ratio < ${worst%% *}" | bc)" = 1 ]; then
        worst="$ratio $(basename "$a" .deb)"
    fi
done
[ -n "$worst" ] && printf '%d of %d pairs at least 50x; smallest ratio: %.0fx (%s)\n' \
    "$fifty" "$n" "${worst%% *}" "${worst#* }"
