#!/usr/bin/env bash
# Time and memory of reprodiff on large real .deb rebuild pairs: a sample
# benches/fresh-sample.sh drew with MIN_SIZE (e.g. work/corpus/sample-20261208,
# 85 pairs of 3-153 MB). Each pair is run once under benches/measure.sh's
# sampler (wall time, peak anonymous memory: not the mapped inputs, max
# RSS), writing its JSON report; with BASE=<binary> an earlier build is run
# the same way beside it, in the same invocation. Beside them, the floor:
# both data members decoded at once by their codec's own tool, the least
# any tool that reads the packages' files needs here. DIFFOSCOPE=SECONDS
# also runs diffoscope on each pair with that timeout (it takes minutes on
# the largest: 1,009 s on ganeti-haskell-3.1). Prints a line per pair, then
# the totals. Needs the sample on disk; never run by the tests.
#
#   [BASE=<binary>] [DIFFOSCOPE=SECONDS] benches/large-debs.sh SAMPLE_DIR [MAX_PAIRS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sample="${1:?usage: large-debs.sh SAMPLE_DIR [MAX_PAIRS]}"
max="${2:-1000}"
bin="$here/../target/release/reprodiff"
(cd "$here/.." && cargo build --release --quiet)
# shellcheck source=benches/measure.sh
source "$here/measure.sh"
if [ -n "${DIFFOSCOPE:-}" ]; then
    command -v diffoscope >/dev/null || apt-get install -y diffoscope-minimal
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=benches/deb-data.sh
source "$here/deb-data.sh"
# "seconds peak_anon_mib" of one measured run.
run() {
    measure x "$@" | sed -E 's/.* ([0-9.]+) s, peak anonymous +([0-9]+) MiB.*/\1 \2/'
}
printf '%-34s %6s %16s' pair MB "reprodiff s/MiB"
[ -n "${BASE:-}" ] && printf ' %16s' "base s/MiB"
printf ' %7s' floor
[ -n "${DIFFOSCOPE:-}" ] && printf ' %11s %7s' diffoscope ratio
echo
n=0
total=0 total_base=0
for b in "$sample"/pairs/*~bpo1[23]+1_*.deb; do
    a="${b/~bpo12+1/}"
    a="${a/~bpo13+1/}"
    [ -s "$a" ] || continue
    [ "$n" -lt "$max" ] || break
    n=$((n + 1))
    p=$(basename "$a" | cut -d_ -f1)
    mb=$(($(stat -c %s "$b") / 1000000))
    cat "$a" "$b" >/dev/null
    read -r s m < <(run "$bin" "$a" "$b" --quiet --json "$tmp/r.json")
    total=$(echo "$total + $s" | bc -l)
    printf '%-34s %6d %9.2f %6d' "$p" "$mb" "$s" "$m"
    if [ -n "${BASE:-}" ]; then
        read -r bs bm < <(run "$BASE" "$a" "$b" --quiet --json "$tmp/r.json")
        total_base=$(echo "$total_base + $bs" | bc -l)
        printf ' %9.2f %6d' "$bs" "$bm"
    fi
    ma=$(member "$a" a) mb=$(member "$b" b)
    st=$EPOCHREALTIME
    floor "$ma" "$mb"
    printf ' %7.2f' "$(echo "$EPOCHREALTIME - $st" | bc -l)"
    rm -f "$ma" "$mb"
    if [ -n "${DIFFOSCOPE:-}" ]; then
        st=$EPOCHREALTIME
        timeout "$DIFFOSCOPE" diffoscope --text /dev/null "$a" "$b" >/dev/null 2>&1 || true
        d=$(echo "$EPOCHREALTIME - $st" | bc -l)
        printf ' %11.1f %6.0fx' "$d" "$(echo "$d / $s" | bc -l)"
    fi
    echo
done
printf '%d pairs: reprodiff %.1f s in all' "$n" "$total"
[ -n "${BASE:-}" ] && printf ', base %.1f s' "$total_base"
echo
