#!/usr/bin/env bash
# How long `--timeout T` takes, and what it cut, on the bench pair built by
# make-live-iso.sh: N runs of `reprodiff a.iso b.iso --timeout T` writing
# the JSON, text and Markdown reports, then the median and slowest wall
# time, the exit codes, and the nodes marked `timeout` in the last report.
# Usage: benches/timeout.sh [T] [N] [OPTION...]   (defaults: 1 second, 10
# runs; options go to reprodiff, e.g. --threads 1)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
W="$here/work"
T="${1:-1}"
N="${2:-10}"
shift $(( $# < 2 ? $# : 2 ))
bin="$here/../target/release/reprodiff"
[ -x "$bin" ] || (cd "$here/.." && cargo build --release)
[ -s "$W/a.iso" ] && [ -s "$W/b.iso" ] || { echo "run benches/make-live-iso.sh first" >&2; exit 2; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
times=()
codes=()
for _ in $(seq "$N"); do
    s=$(date +%s.%N)
    set +e
    "$bin" "$W/a.iso" "$W/b.iso" --timeout "$T" --json "$out/r.json" \
        --text "$out/r.txt" --markdown "$out/r.md" "$@"
    codes+=("$?")
    set -e
    times+=("$(echo "$(date +%s.%N) - $s" | bc)")
done
printf '%s\n' "${times[@]}" | sort -n | awk -v t="$T" -v n="$N" '
    { v[NR] = $1 } END { printf "--timeout %s, %d runs: median %.2f s, slowest %.2f s\n", t, n, v[int((n + 1) / 2)], v[n] }'
echo "exit codes: ${codes[*]}"
python3 - "$out/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
print(f"last report: verdict {r['verdict']}, {s['compared']} compared, "
      f"{s.get('timeouts', 0)} cut by the deadline, {s['fallbacks']} by hash only")
PY
