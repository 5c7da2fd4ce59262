#!/usr/bin/env bash
# cpio fixtures for formats/src/cpio.rs, made with GNU cpio: one small tree
# (files, a directory, a symlink, hard links, a device node, a fifo) in the
# newc, crc, odc and old binary formats, and Debian-style initrds built the
# way initramfs-tools' mkinitramfs builds them: uncompressed early cpios
# (microcode) followed by the compressed main cpio. The tools' own listings
# are committed next to them. Needs root for mknod.
set -euo pipefail
need=()
for t in cpio:cpio zstd:zstd lz4:lz4 xz:xz-utils gzip:gzip bzip2:bzip2 unmkinitramfs:initramfs-tools-core; do
    command -v "${t%%:*}" >/dev/null || need+=("${t##*:}")
done
if [ ${#need[@]} -gt 0 ]; then apt-get install -y --no-install-recommends "${need[@]}"; fi

export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=1700000000
umask 022
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/cpio"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

# Deterministic "random" bytes (Park-Miller generator; products stay exact in doubles).
noise() {
    awk -v n="$1" -v seed="$2" 'BEGIN { x = seed; for (i = 0; i < n; i++) {
        x = (x * 16807) % 2147483647; printf "%c", x % 256 } }'
}

pin() { find "$1" -exec touch -h -d @1700000000 {} +; }

# --- the small tree ---------------------------------------------------------
t="$work/tree"
mkdir -p "$t/etc" "$t/bin" "$t/dev" "$t/empty-dir"
printf 'fixture\n' > "$t/etc/hostname"
printf '#!/bin/sh\necho tool\n' > "$t/bin/tool"
chmod 0755 "$t/bin/tool"
noise 1001 7 > "$t/data.bin"          # odd size: exercises data padding
: > "$t/empty"
printf 'shared by two names\n' > "$t/hard1"
ln "$t/hard1" "$t/hard2"
ln -s etc/hostname "$t/link"
mknod "$t/dev/null" c 1 3
mknod "$t/dev/sda" b 8 0
mkfifo "$t/dev/fifo"
chmod 0640 "$t/etc/hostname"
chmod 1777 "$t/empty-dir"
pin "$t"
for fmt in newc crc odc bin; do
    (cd "$t" && find . | sort | cpio --quiet -o -H "$fmt" --reproducible -R 0:0) > "$out/tree-$fmt.cpio"
    cpio --quiet -tv < "$out/tree-$fmt.cpio" > "$out/tree-$fmt.cpio.tv.txt"
    cpio --quiet -tv --numeric-uid-gid < "$out/tree-$fmt.cpio" > "$out/tree-$fmt.cpio.tvn.txt"
done
# Absolute names are stored as given; the reader drops the leading '/'.
abs=/tmp/reprodiff-cpio-fixture
rm -rf "$abs" && mkdir -p "$abs/etc" && printf 'fixture\n' > "$abs/etc/hostname" && pin "$abs"
printf '%s\n' "$abs/etc" "$abs/etc/hostname" | cpio --quiet -o -H newc -R 0:0 --reproducible > "$out/absolute.cpio"
rm -rf "$abs"
cpio --quiet -tv < "$out/absolute.cpio" > "$out/absolute.cpio.tv.txt"

# --- a Debian-style initrd --------------------------------------------------
# Early cpios, as the amd64-microcode and intel-microcode hooks make them
# and prepend_earlyinitramfs appends them (plain cat).
for v in AuthenticAMD:11 GenuineIntel:13; do
    e="$work/early-${v%%:*}"
    mkdir -p "$e/kernel/x86/microcode"
    noise 3000 "${v##*:}" > "$e/kernel/x86/microcode/${v%%:*}.bin"
    pin "$e"
    (cd "$e" && find . -print0 | sort -z | cpio --null --reproducible -R 0:0 -H newc -o --quiet) \
        > "$out/early-${v%%:*}.cpio"
done
m="$work/main"
mkdir -p "$m/bin" "$m/conf" "$m/scripts"
printf '#!/bin/sh\nexec /bin/sh\n' > "$m/init"
chmod 0755 "$m/init"
printf 'BUILD=fixture\nSOURCE_DATE_EPOCH=1700000000\n' > "$m/conf/build-info"
printf 'MODULES=most\n' > "$m/conf/initramfs.conf"
noise 2000 17 > "$m/bin/busybox"
chmod 0755 "$m/bin/busybox"
printf 'kmod stub\n' > "$m/bin/kmod"
chmod 0755 "$m/bin/kmod"
ln -s busybox "$m/bin/sh"
printf 'echo local\n' > "$m/scripts/local"
pin "$m"
# mkinitramfs: cd "${DESTDIR}" && find . | LC_ALL=C sort | cpio --quiet $cpio_owner_root $cpio_reproducible -o -H newc
(cd "$m" && find . | sort | cpio --quiet -R 0:0 --reproducible -o -H newc) > "$out/main.cpio"
cpio --quiet -tv --numeric-uid-gid < "$out/main.cpio" > "$out/main.cpio.tvn.txt"
early=("$out/early-AuthenticAMD.cpio" "$out/early-GenuineIntel.cpio")
# mkinitramfs' compressors with SOURCE_DATE_EPOCH set (no -T0/--threads).
zstd -q -9 -c "$out/main.cpio" > "$out/main.cpio.zst"
lz4 -q -9 -l -c "$out/main.cpio" > "$out/main.cpio.lz4"
gzip -n -c "$out/main.cpio" > "$out/main.cpio.gz"
xz --check=crc32 -c "$out/main.cpio" > "$out/main.cpio.xz"
for c in zst lz4 gz xz; do
    cat "${early[@]}" "$out/main.cpio.$c" > "$out/initrd-$c.img"
done
rm -f "$out"/main.cpio.{gz,xz}
# unmkinitramfs' own view (early, early2, main).
for c in zst lz4 gz xz; do
    unmkinitramfs --list "$out/initrd-$c.img" > "$out/initrd-$c.img.list.txt" 2>/dev/null ||
        lsinitramfs "$out/initrd-$c.img" > "$out/initrd-$c.img.list.txt"
done
touch -d @1700000000 "$out"/*
ls -l "$out"
