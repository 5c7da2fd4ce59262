#!/usr/bin/env bash
# Two gzip decompression bombs compared within the memory budget: a.gz is
# SIZE of zeros, b.gz the same plus one byte (defaults: 4G, so b is just
# over the 4 GiB decode cap). Only the compressed files (~4 MB each at
# `gzip -9`) are written; nothing decoded touches the disk.
#
# Prints wall time and peak anonymous memory (RssAnon of the process,
# sampled every 20 ms, and its maximum resident set from `time -v`) for
# `reprodiff a.gz b.gz` at the default budget, and for `cmp <(zcat a.gz)
# <(zcat b.gz)` as the baseline, in the same run. With `--held`, also
# reprodiff with a budget large enough to hold both sides whole, as every
# stream pair was compared before the budget (needs ~8 GiB free at 4G).
# Usage: benches/bomb.sh [SIZE] [--held]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
size="${1:-4G}"
held="${2:-}"
bin="$here/../target/release/reprodiff"
[ -x "$bin" ] || (cd "$here/.." && cargo build --release)
W="$here/work/bomb"
mkdir -p "$W"
if [ ! -s "$W/a-$size.gz" ] || [ ! -s "$W/b-$size.gz" ]; then
    head -c "$size" /dev/zero | gzip -9 > "$W/a-$size.gz"
    { head -c "$size" /dev/zero; printf x; } | gzip -9 > "$W/b-$size.gz"
fi
a="$W/a-$size.gz"
b="$W/b-$size.gz"
ls -l "$a" "$b"

. "$here/measure.sh"

measure "reprodiff (default budget, 512 MiB)" "$bin" "$a" "$b"
measure "reprodiff --max-memory 64M" "$bin" "$a" "$b" --max-memory 64M
if [ "$held" = "--held" ]; then
    measure "reprodiff --max-memory 16G (held)" "$bin" "$a" "$b" --max-memory 16G
fi
measure "cmp <(zcat a) <(zcat b)" bash -c 'cmp <(zcat "$1") <(zcat "$2")' _ "$a" "$b"
"$bin" "$a" "$b" | grep -E 'compared by hash|^different|error' || true
