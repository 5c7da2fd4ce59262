#!/usr/bin/env bash
# Builds the fixtures of the diagnosis heuristics in testdata/diagnose/: pairs
# of real Debian files, the second of each pair made with the real tool the
# way a non-reproducible build would make it (gzip without -n, a compiler
# run on another day or in another directory, a patched build-id note, a
# dpkg database with another package set). Pinned: TZ=UTC, umask 022,
# SOURCE_DATE_EPOCH=1700000000; rerunning gives identical files.
set -euo pipefail

need=()
for t in gzip:gzip gcc:gcc objcopy:binutils readelf:binutils dd:coreutils \
    date:coreutils sed:sed md5sum:coreutils dpkg-query:dpkg; do
    command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get install -y "${need[@]}"
fi

export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=1700000000
umask 022
SDE=1700000000
LATER=1700086400

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../diagnose"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# 1. gzip header only: the same changelog compressed with -n (no name, mtime 0)
#    and without it (name and file mtime in the header): compression-metadata.
zcat /usr/share/doc/gzip/changelog.Debian.gz | head -n 60 >"$work/changelog.Debian"
touch -d "@$SDE" "$work/changelog.Debian"
gzip -9n <"$work/changelog.Debian" >"$out/changelog.a.gz"
(cd "$work" && touch -d "@$LATER" changelog.Debian && gzip -9 -k -f changelog.Debian)
cp "$work/changelog.Debian.gz" "$out/changelog.b.gz"

# 2. A real ELF and the same file with one byte of its build-id changed
#    (what a rebuild with another build-id seed gives): build-id.
cp /usr/bin/true "$out/true.a"
cp /usr/bin/true "$out/true.b"
note=$(readelf -W -S "$out/true.a" | sed -n 's/.*\.note\.gnu\.build-id *NOTE *[0-9a-f]* \([0-9a-f]*\) .*/\1/p')
# Descriptor = note offset + 12-byte header + "GNU\0"; flip its last byte.
last=$((16#$note + 16 + 19))
printf '\xff' | dd of="$out/true.b" bs=1 seek="$last" conv=notrunc status=none
readelf -n "$out/true.a" >"$out/true.a.readelf-n.txt"
readelf -n "$out/true.b" >"$out/true.b.readelf-n.txt"

# 3. One C file compiled on two days: gcc takes __DATE__/__TIME__ from
#    SOURCE_DATE_EPOCH; the build-id follows the .rodata change.
cat >"$work/when.c" <<'C'
#include <stdio.h>
int main(void) { puts("built on " __DATE__ " " __TIME__); return 0; }
C
SOURCE_DATE_EPOCH=$SDE gcc -O2 -o "$out/when.a" "$work/when.c"
SOURCE_DATE_EPOCH=$LATER gcc -O2 -o "$out/when.b" "$work/when.c"
strip --strip-debug "$out/when.a" "$out/when.b"

# 4. Text: a real os-release with a `date -R` build stamp (a: SDE, b: a day later).
for v in a b; do
    t=$SDE
    [ "$v" = b ] && t=$LATER
    { cat /etc/os-release; echo "BUILD_DATE=\"$(date -R -d "@$t")\""; } >"$out/os-release.$v"
done

# 5. Random ids: a machine-id per side (fixed, derived from the side name).
for v in a b; do
    echo "machine-$v" | md5sum | cut -c1-32 >"$out/machine-id.$v"
done

# 6. Build paths: __FILE__ of one source preprocessed in two build dirs
#    (mapped to /build/… as dpkg-buildflags does, but the dir names differ).
cat >"$work/where.c" <<'C'
static const char *source_file = __FILE__;
static const char *greeting = "hello";
int answer(void) { return 42; }
C
for v in a b; do
    d="$work/build/foo-1.0-$v"
    mkdir -p "$d"
    cp "$work/where.c" "$d/where.c"
    gcc -E -P -ffile-prefix-map="$work/build=/build" "$d/where.c" -o "$out/where.$v.i"
done

# 7. Ordering: a real file list, sorted and in another order.
dpkg-query -L dpkg | head -n 40 >"$out/list.a"
sort -r "$out/list.a" >"$out/list.b"

# 8. dpkg database: three real stanzas; b drops one, adds one and bumps a version.
stanza() { dpkg-query -s "$1" | sed '/^Conffiles:/,/^[^ ]/{/^Conffiles:/d;/^ /d}'; echo; }
{ stanza base-files; stanza dpkg; stanza gzip; } >"$out/status.a"
{ stanza base-files; stanza dpkg | sed 's/^Version: \(.*\)$/Version: \1+b1/'; stanza sed; } >"$out/status.b"
