#!/usr/bin/env bash
# Builds the raw disk fixtures in testdata/disk/: a GPT disk shaped like a
# live USB image (one FAT32 partition holding live/, plus a BIOS boot
# partition) and an MBR-only disk with primary, extended and logical
# partitions. Fixed GUIDs, disk signature, volume serials and timestamps; the
# tools' own listings (sgdisk, sfdisk) are committed next to them.
set -euo pipefail
for t in sgdisk:gdisk sfdisk:fdisk mkfs.vfat:dosfstools mcopy:mtools gzip:gzip xorriso:xorriso; do
    command -v "${t%%:*}" >/dev/null || apt-get install -y "${t##*:}"
done
export TZ=UTC SOURCE_DATE_EPOCH=1700000000 MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8
[ -f /usr/lib/ISOLINUX/isohdpfx.bin ] || apt-get install -y isolinux
umask 022
out="$(cd "$(dirname "$0")/../disk" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

pattern() { seq -f "$1 %06g" 1 100000 | head -c "$2" || [ $? = 141 ]; }

mkdir -p src/live src/boot/grub
pattern VMLINUZ 5000 >src/live/vmlinuz
pattern INITRD 3000 >src/live/initrd.img
pattern SQUASHFS 9000 >src/live/filesystem.squashfs
printf 'menuentry "live" {\n  linux /live/vmlinuz boot=live\n}\n' >src/boot/grub/grub.cfg
find src -mindepth 1 -exec touch -h -d @1700000000 {} +

# GPT: 36 MiB; FAT32 needs 65525 clusters before mtools will write to it.
truncate -s 36M gpt.img
sgdisk -U 11111111-2222-3333-4444-555555555555 \
    -n 1:2048:+68000 -t 1:0700 -c 1:live -u 1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee \
    -n 2:0:+512K -t 2:ef02 -c 2:"BIOS boot" -u 2:01234567-89ab-cdef-0123-456789abcdef \
    -A 2:set:2 gpt.img >/dev/null
mkfs.vfat -F 32 -s 1 --invariant -i 1e1e1e1e -n LIVEUSB --offset 2048 gpt.img 34000 >/dev/null
# File by file: mcopy -s would copy in the host's readdir order.
mmd -i gpt.img@@1M ::/live ::/boot ::/boot/grub
mcopy -m -i gpt.img@@1M src/live/vmlinuz src/live/initrd.img src/live/filesystem.squashfs ::/live/
mcopy -m -i gpt.img@@1M src/boot/grub/grub.cfg ::/boot/grub/
sgdisk -p gpt.img >"$out/gpt.sgdisk"
for n in 1 2; do sgdisk -i "$n" gpt.img; done >"$out/gpt.sgdisk-info"
sfdisk --dump gpt.img >"$out/gpt.sfdisk"
sfdisk --json gpt.img >"$out/gpt.json"
gzip -n -9 -c gpt.img >"$out/gpt.img.gz"

# MBR: two primaries (a FAT12 and a Linux one), and an extended partition
# whose EBR chain holds two logical partitions.
truncate -s 1M mbr.img
sfdisk --no-reread --no-tell-kernel -q mbr.img <<'SF'
label: dos
label-id: 0x12345678
unit: sectors
start=63, size=512, type=1, bootable
start=600, size=200, type=83
start=900, size=1000, type=5
start=902, size=200, type=83
start=1200, size=300, type=c
SF
mkfs.vfat -F 12 --invariant -i 0dd0dd00 -n MBRFAT --offset 63 mbr.img 256 >/dev/null
mcopy -m -i mbr.img@@$((63 * 512)) src/boot/grub/grub.cfg ::/
pattern LINUX 102400 | dd of=mbr.img bs=512 seek=600 count=200 conv=notrunc status=none
sfdisk --dump mbr.img >"$out/mbr.sfdisk"
sfdisk --json mbr.img >"$out/mbr.json"
gzip -n -9 -c mbr.img >"$out/mbr.img.gz"

# The system area (first 32 KiB) of an isohybrid ISO as xorriso writes it
# with -isohybrid-gpt-basdat: an MBR whose first entry has type 0x00, a GPT
# with 248 entries at LBA 2 (512-byte LBAs), and a partition starting at LBA 0.
mkdir -p iso/boot
cp "$out/../fat/fat12.img" iso/boot/efi.img
find iso -exec touch -h -d @1700000000 {} +
xorriso -as mkisofs -o live.iso -R -J --modification-date=2023111422132000 \
    -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin -c boot/boot.cat \
    -b boot/efi.img -no-emul-boot -eltorito-alt-boot -e boot/efi.img \
    -no-emul-boot -isohybrid-gpt-basdat iso 2>/dev/null
head -c 32768 live.iso >"$out/isohybrid-sysarea.bin"
xorriso -indev live.iso -report_system_area plain 2>/dev/null >"$out/isohybrid-sysarea.report"
