#!/usr/bin/env bash
# Compressed-stream fixtures for formats/src/stream.rs, made with the real
# command-line compressors: a small text in every codec, gzip with and
# without a stored name, concatenated members, and highly compressible
# "bombs" that the bounded decoder must refuse under a small cap.
set -euo pipefail
need=()
for t in gzip:gzip xz:xz-utils zstd:zstd bzip2:bzip2 lz4:lz4; do
    command -v "${t%%:*}" >/dev/null || need+=("${t##*:}")
done
if [ ${#need[@]} -gt 0 ]; then apt-get install -y "${need[@]}"; fi

export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=1700000000
umask 022
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/stream"
rm -rf "$out"
mkdir -p "$out"
cd "$out"

seq 1 2000 | sed 's/^/line number /' > text.txt
touch -d @1700000000 text.txt

gzip -n -9 -c text.txt > text.gz
# gzip stores the input's name and mtime unless -n is given.
cp -p text.txt named.txt
gzip -9 named.txt && mv named.txt.gz named.gz
xz -6 --check=crc64 -c text.txt > text.xz
xz -6 --check=crc32 -c text.txt > text-crc32.xz
zstd -q -19 --check -c text.txt > text.zst
bzip2 -9 -c text.txt > text.bz2
lz4 -q -9 -l -c text.txt > text-legacy.lz4
lz4 -q -9 --content-size -c text.txt > text-frame.lz4

# Concatenated members: split the text and compress the halves separately.
head -n 1000 text.txt > part1
tail -n +1001 text.txt > part2
{ gzip -n -c part1; gzip -n -c part2; } > concat.gz
{ zstd -q -c part1; zstd -q -c part2; } > concat.zst
# xz allows stream padding (multiples of four zero bytes) between streams.
{ xz -c part1; head -c 8 /dev/zero; xz -c part2; } > concat.xz
{ bzip2 -c part1; bzip2 -c part2; } > concat.bz2
{ lz4 -q -c part1; lz4 -q -c part2; } > concat.lz4
rm -f part1 part2

# 9 MiB of zeros: two lz4 legacy blocks of 8 MiB and 1 MiB.
head -c 9437184 /dev/zero | lz4 -q -l -c > zeros-9m-legacy.lz4
# 64 MiB of zeros: decoding bombs.
head -c 67108864 /dev/zero | zstd -q -19 -c > bomb-64m.zst
head -c 67108864 /dev/zero | xz -9 -c > bomb-64m.xz
head -c 67108864 /dev/zero | bzip2 -9 -c > bomb-64m.bz2

touch -d @1700000000 ./*
# The tools' own view of the headers, for the tests to compare against.
{
    gzip -lvN named.gz
    gzip -lv text.gz
    xz --robot -lvv text.xz text-crc32.xz | grep -E '^(name|stream)'
    zstd -lv text.zst 2>&1 | grep -v '^\*\*\*'
} > listing.txt
