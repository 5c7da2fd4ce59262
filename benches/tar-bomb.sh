#!/usr/bin/env bash
# Two gzip tar archives too large to hold, compared within the memory
# budget: 2,000 small files and one member of SIZE zeros (default 2G), b
# with one small file changed and one byte more in the large member. Only
# the compressed archives (a few MB each) are written; the large member is
# a sparse file, so nothing decoded touches the disk.
#
# Prints wall time and peak anonymous memory (benches/measure.sh) of
# `reprodiff a.tar.gz b.tar.gz` at the default budget and at 64 MiB, with
# `zcat a & zcat b` (decoding both, in parallel) as the baseline (`cmp` of
# the decoded streams would stop at the first difference), in the same run, then what the
# report names: the changed file and the large member, compared by digest.
# Usage: benches/tar-bomb.sh [SIZE]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
size="${1:-2G}"
bin="$here/../target/release/reprodiff"
(cd "$here/.." && cargo build --release --quiet)
W="$here/work/tar-bomb"
mkdir -p "$W"
if [ ! -s "$W/a-$size.tar.gz" ] || [ ! -s "$W/b-$size.tar.gz" ]; then
    for side in a b; do
        t="$W/tree-$side"
        rm -rf "$t" && mkdir -p "$t/doc"
        for i in $(seq -w 1 2000); do printf 'file %s\n' "$i" >"$t/doc/f$i.txt"; done
        truncate -s "$size" "$t/zeros.img"
        if [ "$side" = b ]; then
            printf 'file changed\n' >"$t/doc/f1000.txt"
            printf x >>"$t/zeros.img"
        fi
        tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner \
            -C "$t" -cf - . | gzip -1 >"$W/$side-$size.tar.gz"
        rm -rf "$t"
    done
fi
a="$W/a-$size.tar.gz"
b="$W/b-$size.tar.gz"
ls -l "$a" "$b"

. "$here/measure.sh"

measure "reprodiff (default budget, 512 MiB)" "$bin" "$a" "$b"
measure "reprodiff --max-memory 64M" "$bin" "$a" "$b" --max-memory 64M
measure "zcat a, zcat b (decoding both, in parallel)" bash -c 'zcat "$1" >/dev/null & zcat "$2" >/dev/null; wait' _ "$a" "$b"
"$bin" "$a" "$b" | grep -E '^different|^[MAR] |compared by digest|error' || true
