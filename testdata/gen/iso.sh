#!/usr/bin/env bash
# Builds the ISO9660 fixtures with xorriso and records xorriso's own listings
# next to them (the oracle of formats/tests/iso9660.rs).
#
#   full.iso   Rock Ridge + Joliet, El Torito BIOS (isolinux, in the tree) and
#              EFI (a FAT image in an appended partition), isohybrid MBR with
#              GPT, deep directories relocated by Rock Ridge, a symlink, hard
#              links, a device node, a long name.
#   plain.iso  bare ECMA-119: no Rock Ridge, no Joliet, no boot.
set -euo pipefail

need=()
command -v xorriso >/dev/null || need+=(xorriso)
command -v mkfs.vfat >/dev/null || need+=(dosfstools)
command -v mcopy >/dev/null || need+=(mtools)
[ -e /usr/lib/ISOLINUX/isolinux.bin ] || need+=(isolinux)
if [ ${#need[@]} -gt 0 ]; then
    apt-get install -y "${need[@]}"
fi

export SOURCE_DATE_EPOCH=1700000000
export TZ=UTC
umask 022

here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/iso"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# Pins an mtime (and atime) without following symlinks.
pin() { touch -h -d "@$1" "$2"; }

# --- the EFI boot image: a tiny FAT12 file system ---
# --invariant: mkfs.vfat would otherwise stamp the volume label with the clock.
efi="$work/efi.img"
mkfs.vfat --invariant -C -n EFIBOOT -i 12345678 "$efi" 64 >/dev/null
mmd -i "$efi" ::/EFI ::/EFI/BOOT
printf 'not really a loader\n' >"$work/BOOTX64.EFI"
pin 1700000000 "$work/BOOTX64.EFI"
mcopy -m -i "$efi" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
pin 1700000000 "$efi"

# --- the tree ---
t="$work/tree"
mkdir -p "$t/isolinux" "$t/docs/sub" "$t/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10" "$t/dev"
cp /usr/lib/ISOLINUX/isolinux.bin "$t/isolinux/isolinux.bin"
printf 'default live\nlabel live\n  kernel /live/vmlinuz\n' >"$t/isolinux/isolinux.cfg"
printf 'hello, iso\n' >"$t/hello.txt"
printf 'readme\n' >"$t/docs/README"
printf 'nested file\n' >"$t/docs/sub/nested.txt"
printf 'deep down\n' >"$t/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/deep.txt"
printf 'a name longer than sixty-four characters\n' \
    >"$t/docs/this-is-a-file-name-that-is-much-longer-than-sixty-four-characters-for-joliet.txt"
head -c 5000 /dev/zero | tr '\0' 'z' >"$t/docs/zeros.bin"
: >"$t/empty"
printf 'shared body\n' >"$t/docs/link-a"
ln "$t/docs/link-a" "$t/docs/link-b"
ln -s ../hello.txt "$t/docs/hello-link"
ln -s /absolute/target/path "$t/abs-link"
# Names and targets long enough to need SUSP continuation areas and Rock
# Ridge NM/SL CONTINUE.
long240="$(printf 'n%.0s' $(seq 1 236)).txt"
printf 'long\n' >"$t/docs/$long240"
ln -s "./$(printf 'x%.0s' $(seq 1 200))/$(printf 'y%.0s' $(seq 1 200))/../.././end" "$t/docs/long-target"
mknod "$t/dev/null" c 1 3
mknod "$t/dev/loop0" b 7 0
mkfifo "$t/dev/fifo"
chmod 0600 "$t/docs/README"
chmod 0755 "$t/isolinux/isolinux.bin"
# Distinct mtimes so tests can tell them apart.
n=0
while IFS= read -r p; do
    pin $((1700000000 + n)) "$p"
    n=$((n + 1))
done < <(cd "$t" && find . -depth | LC_ALL=C sort | sed "s|^\.|$t|")

# -hardlinks on would make libisofs store the source files' dev/ino and the
# current time ("isofs.di", "isofs.st" xattrs) whatever SOURCE_DATE_EPOCH
# says; with it off, hard links still share one extent, inode and nlink 2.
rm -f "$out/full.iso"
xorriso -report_about WARNING \
    -outdev "$out/full.iso" \
    -volid REPRODIFF_FULL -volset_id SET_1 -publisher PUBLISHER_X \
    -preparer_id PREPARER_Y -application_id APP_Z -system_id LINUX \
    -copyright_file COPYING -abstract_file ABSTRACT -biblio_file BIBLIO \
    -volume_date c 2023111422132000 -volume_date m 2023111422132000 \
    -volume_date x 2033111422132000 -volume_date f 2023111422132000 \
    -joliet on -rockridge on -hardlinks off -disk_dev_ino off -xattr off -acl off \
    -compliance deep_paths_off \
    -compliance no_emul_toc -padding 0 \
    -map "$t" / \
    -chown_r 0 / -- -chgrp_r 0 / -- \
    -boot_image isolinux bin_path=/isolinux/isolinux.bin \
    -boot_image isolinux cat_path=/isolinux/boot.cat \
    -boot_image isolinux load_size=2048 \
    -boot_image isolinux boot_info_table=on \
    -boot_image isolinux system_area=/usr/lib/ISOLINUX/isohdpfx.bin \
    -boot_image isolinux partition_table=on \
    -boot_image any partition_cyl_align=off \
    -boot_image any next \
    -append_partition 2 0xef "$efi" \
    -boot_image any efi_path=--interval:appended_partition_2:all:: \
    -boot_image any platform_id=0xef \
    -boot_image isolinux partition_entry=gpt_basdat \
    -commit

# --- a plain ISO, no extensions ---
p="$work/plain"
mkdir -p "$p/DIR_A/DIR_B"
printf 'plain one\n' >"$p/ONE.TXT"
printf 'plain two\n' >"$p/DIR_A/TWO.DAT"
printf 'no extension\n' >"$p/DIR_A/DIR_B/NOEXT"
n=0
while IFS= read -r q; do
    pin $((1700000000 + 100 * n)) "$q"
    n=$((n + 1))
done < <(cd "$p" && find . -depth | LC_ALL=C sort | sed "s|^\.|$p|")
rm -f "$out/plain.iso"
xorriso -report_about WARNING \
    -outdev "$out/plain.iso" -volid PLAIN \
    -volume_date uuid 2023111422132000 \
    -rockridge off -joliet off -compliance no_emul_toc -padding 0 \
    -map "$p" / -commit

# The source tree as the file system saw it: path, type+mode (octal), size,
# mtime, symlink target. xorriso's lsdl shows mtimes only to the day.
(cd "$t" && find . -mindepth 1 -printf '%P\t%M\t%#m\t%s\t%T@\t%l\n' | LC_ALL=C sort) >"$out/full.tree"
(cd "$p" && find . -mindepth 1 -printf '%P\t%M\t%#m\t%s\t%T@\t%l\n' | LC_ALL=C sort) >"$out/plain.tree"

# --- xorriso's own view, the tests' oracle ---
for iso in full plain; do
    xorriso -report_about WARNING -indev "$out/$iso.iso" \
        -find / -exec lsdl -- >"$out/$iso.lsdl" 2>/dev/null
    xorriso -report_about WARNING -indev "$out/$iso.iso" \
        -find / -exec report_lba -- >"$out/$iso.lba" 2>/dev/null
    xorriso -report_about WARNING -indev "$out/$iso.iso" \
        -pvd_info -report_el_torito plain -report_system_area plain \
        >"$out/$iso.report" 2>/dev/null
done
