#!/usr/bin/env bash
# Cost grows with the difference, not with the image: one SquashFS of
# FILES small files (default 20,000, in 200 folders) compared with copies
# in which 0, 1, 10, 100, 1,000 and 10,000 files have other content. Prints
# each run's wall time and peak anonymous memory (benches/measure.sh), and
# `cmp` of the same pair in the same run as the floor. The images are
# written to benches/work/growth/ (about 25 MiB each at the default).
# Usage: benches/growth.sh [FILES]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
files="${1:-20000}"
bin="$here/../target/release/reprodiff"
(cd "$here/.." && cargo build --release --quiet)
command -v mksquashfs >/dev/null || apt-get install -y squashfs-tools
. "$here/measure.sh"
W="$here/work/growth"
mkdir -p "$W"
# tree K: the files, the first K of them with one more line.
tree() {
    local d="$W/tree-$1"
    rm -rf "$d" && mkdir -p "$d"
    local i=0
    while [ "$i" -lt "$files" ]; do
        mkdir -p "$d/dir$((i / 100))"
        i=$((i + 100))
    done
    # 1 KiB of text a file, then the change for the first K.
    seq 0 $((files - 1)) | awk -v d="$d" -v k="$1" '{
        f = sprintf("%s/dir%d/file%05d.txt", d, int($1 / 100), $1)
        for (l = 0; l < 16; l++) printf("file %05d line %02d of a text that is the same in both\n", $1, l) > f
        if ($1 < k) printf("changed in this copy\n") > f
        close(f)
    }'
    find "$d" -exec touch -h -d @1700000000 {} +
    mksquashfs "$d" "$W/img-$1.sqfs" -noappend -quiet -no-progress -comp gzip -all-root \
        -mkfs-time 1700000000 >/dev/null
    rm -rf "$d"
}
for k in 0 1 10 100 1000 10000; do
    [ "$k" -le "$files" ] || continue
    [ -s "$W/img-$k.sqfs" ] || tree "$k"
done
cp "$W/img-0.sqfs" "$W/img-0-copy.sqfs"
cat "$W"/*.sqfs >/dev/null
echo "image: $files files, $(( $(stat -c %s "$W/img-0.sqfs") / 1024 )) KiB"
measure "identical copy: cmp" cmp "$W/img-0.sqfs" "$W/img-0-copy.sqfs"
measure "identical copy: reprodiff --json" "$bin" "$W/img-0.sqfs" "$W/img-0-copy.sqfs" --json /dev/null
for k in 1 10 100 1000 10000; do
    [ -s "$W/img-$k.sqfs" ] || continue
    measure "$k changed: reprodiff --json" "$bin" "$W/img-0.sqfs" "$W/img-$k.sqfs" --json /dev/null
done
