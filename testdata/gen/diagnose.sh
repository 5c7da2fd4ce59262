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
    date:coreutils sed:sed md5sum:coreutils dpkg-query:dpkg localedef:libc-bin \
    ls:coreutils; do
    command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
# localedef needs the locale sources and charmaps of the `locales` package.
[ -e /usr/share/i18n/locales/fr_FR ] || need+=(locales)
[ -e /usr/share/zoneinfo/UTC ] || need+=(tzdata)
# Two compiler versions for the toolchain pair (Debian 12 ships gcc-11 and gcc-12).
command -v gcc-11 >/dev/null 2>&1 || need+=(gcc-11)
command -v gcc-12 >/dev/null 2>&1 || need+=(gcc-12)
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
# Fixed build directories (section 10): their names end up in the fixtures.
dir_a=/tmp/build-a-7Kq2
dir_b=/tmp/build-b-Xw9P
trap 'rm -rf "$work" "$dir_a" "$dir_b"' EXIT

# 1. gzip header only: the same changelog compressed with -n (no name, mtime 0)
#    and without it (name and file mtime in the header): compression-metadata.
zcat /usr/share/doc/gzip/changelog.Debian.gz | sed -n 1,60p >"$work/changelog.Debian"
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
dpkg-query -L dpkg | sed -n 1,40p >"$out/list.a"
sort -r "$out/list.a" >"$out/list.b"

# 8. dpkg database: three real stanzas; b drops one, adds one and bumps a version.
stanza() { dpkg-query -s "$1" | sed '/^Conffiles:/,/^[^ ]/{/^Conffiles:/d;/^ /d}'; echo; }
{ stanza base-files; stanza dpkg; stanza gzip; } >"$out/status.a"
{ stanza base-files; stanza dpkg | sed 's/^Version: \(.*\)$/Version: \1+b1/'; stanza sed; } >"$out/status.b"

# 9. Locale: real programs run under two locales. The locales are compiled
#    into a private LOCPATH, so nothing is installed system-wide.
#    a/b: `locale` itself (records LANG/LC_*), C.UTF-8 vs fr_FR.UTF-8;
#    zones.a/b: `ls` of the zoneinfo directory in C (bytewise) and
#    en_US.UTF-8 collation: the same names, another order.
#    Negative: zones.other lists another directory in C order.
mkdir -p "$work/locales"
for l in fr_FR en_US; do
    localedef -i "$l" -f UTF-8 "$work/locales/$l.UTF-8"
done
in_locale() { env -i TZ=UTC LOCPATH="$work/locales" LANG="$1" "${@:2}"; }
in_locale C.UTF-8 locale >"$out/locale.a"
in_locale fr_FR.UTF-8 locale >"$out/locale.b"
in_locale C.UTF-8 ls /usr/share/zoneinfo | sed -n 1,40p >"$work/zones"
in_locale C.UTF-8 ls $(sed 's|^|/usr/share/zoneinfo/|' "$work/zones") -d |
    sed 's|.*/||' >"$out/zones.a"
in_locale en_US.UTF-8 ls $(sed 's|^|/usr/share/zoneinfo/|' "$work/zones") -d |
    sed 's|.*/||' >"$out/zones.b"
in_locale C.UTF-8 ls /usr/share/zoneinfo/America | sed -n 1,40p >"$out/zones.other"

# 10. Hostname or kernel: a build-info file as build scripts write it, from
#     two build hosts running two Debian 12 kernels (uname -a layout; the
#     machine/OS words come from this machine's uname). Negative: build-info.c
#     is a's host and kernel with another package version.
m="$(uname -m) $(uname -o)"
buildinfo() { # host release version package-version
    printf 'Package: hello\nVersion: %s\nBuilt on host %s running Linux %s\n' "$4" "$1" "$2"
    printf 'uname -a: Linux %s %s %s %s\n' "$1" "$2" "$3" "$m"
}
buildinfo buildd-x86-01 6.1.0-18-amd64 "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)" \
    2.10-3 >"$out/build-info.a"
buildinfo ci-runner-7 6.1.0-13-cloud-amd64 "#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)" \
    2.10-3 >"$out/build-info.b"
buildinfo buildd-x86-01 6.1.0-18-amd64 "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)" \
    2.12-1 >"$out/build-info.c"

# 11. Build paths, unmapped: one C file compiled with -g (DW_AT_comp_dir and
#     __FILE__ land in .debug_line_str/.debug_str and .rodata) and
#     preprocessed by absolute name (line markers and __FILE__), in two
#     directories of the same length, as sbuild's /build/<pkg>-XXXXXX are.
#     Negative: other.i is another source preprocessed in a's directory.
for v in a b; do
    d=$dir_a
    [ "$v" = b ] && d=$dir_b
    rm -rf "$d"
    mkdir -p "$d"
    cat >"$d/hello.c" <<'C'
#include <stdio.h>
int main(void) { puts("source: " __FILE__); return 0; }
C
    cp "$work/where.c" "$d/where.c"
    (cd "$d" && gcc -g -O2 -o "$out/hello.$v" "$d/hello.c")
    (cd "$d" && gcc -E "$d/where.c" -o "$out/where-abs.$v.i")
done
printf 'static const char *other = __FILE__;\nint zero(void) { return 0; }\n' >"$dir_a/other.c"
(cd "$dir_a" && gcc -E "$dir_a/other.c" -o "$out/other.i")

# 12. Two different real config files: none of the masks may explain them.
cp /etc/adduser.conf "$out/adduser.conf"
cp /etc/deluser.conf "$out/deluser.conf"

# 13. One C file built by two compiler versions (a rebuild in another
#     release): .comment names each GCC, and the code differs with it.
cat >"$work/square.c" <<'C'
#include <stdio.h>
static int square(int x) { return x * x; }
int main(int argc, char **argv) { printf("%d %s\n", square(argc), argv[0]); return 0; }
C
gcc-12 -O2 -o "$out/toolchain.a" "$work/square.c"
gcc-11 -O2 -o "$out/toolchain.b" "$work/square.c"
strip --strip-debug "$out/toolchain.a" "$out/toolchain.b"
# The gcc-11 build without its .comment (dh_strip removes it): the section
# tables no longer line up, and sections are still paired by name.
objcopy --remove-section=.comment "$out/toolchain.b" "$out/toolchain.stripped"
# Objects of a static library as dh_strip leaves them (no .comment), built
# by two releases' compilers with their defaults' control-flow protection:
# the .note.gnu.property the assembler writes is the toolchain's mark.
gcc-12 -O2 -fcf-protection=full -c -o "$out/property.a.o" "$work/square.c"
gcc-11 -O2 -fcf-protection=branch -c -o "$out/property.b.o" "$work/square.c"
strip --strip-debug --remove-section=.comment "$out/property.a.o" "$out/property.b.o"

# 13b. One object linked twice by the same ld: with its default script, and
#      with that script placing .note.gnu.property after .eh_frame, where
#      forky's ld puts it (trixie's puts it first, this one after .interp):
#      the same sections in another order, and the code moved with them.
gcc -O2 -c -o "$work/square.o" "$work/square.c"
ld -pie --verbose | sed -n '/^=======/,/^=======/p' | sed '1d;$d' >"$work/layout.ld"
sed -i 's/^\(  \.eh_frame       : ONLY_IF_RO .*\)$/\1\n  .note.gnu.property : { *(.note.gnu.property) }/' "$work/layout.ld"
grep -q '^  .note.gnu.property : ' "$work/layout.ld"
gcc -o "$out/layout.a" "$work/square.o"
gcc -Wl,-T,"$work/layout.ld" -o "$out/layout.b" "$work/square.o"
strip --strip-debug --remove-section=.comment "$out/layout.a" "$out/layout.b"

# 14. Records: the first debconf records of this machine's config.dat as
#     debconf writes them (each followed by a blank line), and the same
#     records in another order without the final blank line: ordering.
awk 'BEGIN { RS = ""; ORS = "\n\n" } NR <= 8' /var/cache/debconf/config.dat >"$out/config.a.dat"
awk 'BEGIN { RS = "" } NR <= 8 { r[NR] = $0 }
    END { for (i = 8; i >= 1; i--) printf "%s%s", r[i], (i > 1 ? "\n\n" : "\n") }' \
    /var/cache/debconf/config.dat >"$out/config.b.dat"

# 15. live-build's .disk/info, written a day apart: an embedded timestamp in
#     the compact `%Y%m%d-%H:%M` shape.
info() { printf 'Debian GNU/Linux 12 "Bookworm" - Official amd64 LIVE Binary %s\n' \
    "$(date -u -d "@$1" +%Y%m%d-%H:%M)"; }
info "$SDE" >"$out/disk-info.a"
info "$LATER" >"$out/disk-info.b"
