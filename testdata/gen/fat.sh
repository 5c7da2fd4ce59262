#!/usr/bin/env bash
# Builds the FAT12/16/32 fixtures in testdata/fat/ with mkfs.fat and mtools,
# with a fixed volume serial and pinned timestamps, plus the tools' own
# listings (mdir, mshowfat) and a sha256 listing of the source files.
set -euo pipefail
for t in mkfs.vfat:dosfstools mcopy:mtools gzip:gzip sha256sum:coreutils; do
    command -v "${t%%:*}" >/dev/null || apt-get install -y "${t##*:}"
done
export TZ=UTC SOURCE_DATE_EPOCH=1700000000 MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8
umask 022
out="$(cd "$(dirname "$0")/../fat" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# Text whose every line differs, so a cluster read in the wrong order shows.
pattern() { seq -f "$1 %06g" 1 100000 | head -c "$2" || [ $? = 141 ]; }

mkdir -p src/EFI/BOOT src/deep/level1/level2/level3 src/frag
pattern BOOTX64 30000 >src/EFI/BOOT/BOOTX64.EFI
printf 'set timeout=0\nmenuentry "live" {\n  linux /live/vmlinuz boot=live\n}\n' >src/EFI/BOOT/grub.cfg
echo zeta >src/zeta.txt
echo alpha >src/alpha.txt
echo "lower case short name" >src/lower.txt
echo "upper case short name" >src/UPPER.TXT
echo "a long file name" >"src/A long file name with spaces.text"
echo "unicode" >"src/caf$(printf '\xc3\xa9') na$(printf '\xc3\xaf')ve.txt"
echo deep >src/deep/level1/level2/level3/bottom.txt
pattern BIG 70000 >src/big.bin
: >src/empty.txt
pattern A 1500 >src/frag/a.bin
pattern B 3000 >src/frag/b.bin
pattern C 1500 >src/frag/c.bin
pattern D 12000 >src/frag/d.bin
# Distinct even-second mtimes (FAT keeps 2-second resolution).
i=0
while IFS= read -r -d '' f; do
    touch -h -d "@$((1700000000 + i * 3662))" "$f"
    i=$((i + 1))
done < <(find src -mindepth 1 -print0 | sort -z)
touch -d @1700000000 src

populate() {
    local img="$1"
    # Deliberately not alphabetical: zeta before alpha, a dir in between.
    mcopy -m -i "$img" src/zeta.txt ::/
    mmd -i "$img" ::/EFI ::/EFI/BOOT
    mcopy -m -i "$img" src/EFI/BOOT/grub.cfg src/EFI/BOOT/BOOTX64.EFI ::/EFI/BOOT/
    mcopy -m -i "$img" src/alpha.txt src/lower.txt src/UPPER.TXT ::/
    mcopy -m -i "$img" "src/A long file name with spaces.text" src/caf*.txt ::/
    mcopy -s -m -i "$img" src/deep ::/
    mcopy -m -i "$img" src/big.bin src/empty.txt ::/
    # Fragmentation: a, b, c in a row; b deleted; d fills b's hole and
    # continues after c.
    mmd -i "$img" ::/frag
    mcopy -m -i "$img" src/frag/a.bin src/frag/b.bin src/frag/c.bin ::/frag/
    mdel -i "$img" ::/frag/b.bin
    if [ "$2" = 32 ]; then
        # mtools allocates from FSInfo's next-free hint, which points past c:
        # mark the hint unknown so the search starts over and finds b's hole.
        printf '\377\377\377\377' | dd of="$img" bs=1 seek=$((512 + 492)) conv=notrunc status=none
    fi
    mcopy -m -i "$img" src/frag/d.bin ::/frag/
}

listings() {
    local img="$1" name="$2"
    mdir -/ -a -i "$img" :: >"$out/$name.mdir"
    mdir -/ -b -i "$img" :: | LC_ALL=C sort | while IFS= read -r p; do
        printf '%s\t%s\n' "${p#::}" "$(mshowfat -i "$img" "$p" 2>/dev/null | sed 's/^[^<]*//')"
    done >"$out/$name.showfat"
}

# FAT12: an ESP-like efi.img (the shape xorriso puts in a live ISO).
mkfs.vfat -C -F 12 --invariant -i 0badcafe -n EFIBOOT fat12.img 256 >/dev/null
populate fat12.img 12
listings fat12.img fat12

# FAT16: the smallest mkfs.fat accepts with one-sector clusters.
mkfs.vfat -C -F 16 -s 1 --invariant -i 16161616 -n FAT16VOL fat16.img 2100 >/dev/null
populate fat16.img 16
listings fat16.img fat16

# FAT32: mtools only writes to FAT32 with at least 65525 clusters, hence 34 MB.
mkfs.vfat -C -F 32 -s 1 --invariant -i 32323232 -n FAT32VOL fat32.img 34000 >/dev/null
populate fat32.img 32
listings fat32.img fat32

# FAT32 with far fewer clusters than the spec's minimum, as mkfs.fat -F 32
# makes on a small image (Linux mounts it; mtools refuses to write to it, so
# it holds only its root directory and label).
mkfs.vfat -C -F 32 --invariant -i 3210abcd -n TINY32 fat32-small.img 2048 2>/dev/null >/dev/null

cp fat12.img "$out/fat12.img"
gzip -n -9 -c fat16.img >"$out/fat16.img.gz"
gzip -n -9 -c fat32.img >"$out/fat32.img.gz"
gzip -n -9 -c fat32-small.img >"$out/fat32-small.img.gz"
(cd src && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sed 's| \./| |') >"$out/sha256"

# live-build's efi.img twice, 7m36s apart without SOURCE_DATE_EPOCH: it
# runs mkfs.msdos -i with the build time in hex, and the file copied in
# carries the same time. The serials are times, not random ids.
for side in a b; do
    epoch=1796292320
    [ "$side" = b ] && epoch=1796292776
    printf 'search --file --set=root /.disk/info\n' >"$work/grub.cfg"
    touch -d "@$epoch" "$work/grub.cfg"
    rm -f "efi-$side.img"
    mkfs.msdos -C -i "$(printf '%08x' "$epoch")" -n EFIBOOT "efi-$side.img" 256 >/dev/null
    mmd -i "efi-$side.img" ::/boot ::/boot/grub
    mcopy -m -i "efi-$side.img" "$work/grub.cfg" ::/boot/grub/grub.cfg
    gzip -n -9 -c "efi-$side.img" >"$out/efi-serial.$side.img.gz"
done
