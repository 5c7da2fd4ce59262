#!/usr/bin/env bash
# Builds ISO images whose partitions are other views of the volume, the way
# Debian's tools write them, as pairs a/b built twice from trees that differ
# in one file's content and the volume date.
#
#   offset-{a,b}.iso   xorriso -as mkisofs ... -isohybrid-mbr ... -partition_offset 16
#                      -isohybrid-gpt-basdat (live-build, debian-cd): MBR and
#                      GPT partition 1 start at 32 KiB with a second set of
#                      volume descriptors and directory trees over the same
#                      file extents; the GPT entry stops short of the backup GPT.
#   protective.iso     xorriso -as mkisofs --protective-msdos-label (what
#                      grub-mkrescue writes): MBR partition 1 claims the whole
#                      volume from sector 1.
# Alongside each: xorriso's report of the system area (the oracle of the
# partition layout).
set -euo pipefail

need=()
command -v xorriso >/dev/null || need+=(xorriso)
[ -e /usr/lib/ISOLINUX/isohdpfx.bin ] || need+=(isolinux)
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

tree() {
    local t="$1" body="$2"
    mkdir -p "$t/isolinux" "$t/live" "$t/docs"
    cp /usr/lib/ISOLINUX/isolinux.bin "$t/isolinux/isolinux.bin"
    printf 'default live\n' >"$t/isolinux/isolinux.cfg"
    printf 'kernel\n' >"$t/live/vmlinuz"
    printf '%s\n' "$body" >"$t/docs/a.txt"
    find "$t" -exec touch -h -d @1700000000 {} +
}

tree "$work/a" one
tree "$work/b" two
for v in a b; do
    date=2023111422132000 stamp=20231114-22:13
    [ "$v" = b ] && date=2023111522132000 stamp=20231115-22:13
    rm -f "$out/offset-$v.iso"
    xorriso -report_about WARNING -as mkisofs -o "$out/offset-$v.iso" \
        -R -J -V "Debian trixie $stamp" --modification-date="$date" \
        -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin -partition_offset 16 \
        -partition_cyl_align off -no-pad \
        -c isolinux/boot.cat -b isolinux/isolinux.bin -no-emul-boot \
        -boot-load-size 4 -boot-info-table -isohybrid-gpt-basdat \
        "$work/$v" 2>/dev/null
    xorriso -indev "$out/offset-$v.iso" -report_system_area plain 2>/dev/null \
        >"$out/offset-$v.report"
done

rm -f "$out/protective.iso"
xorriso -report_about WARNING -as mkisofs -o "$out/protective.iso" \
    -R -J -V GRUB --modification-date=2023111422132000 -no-pad \
    --protective-msdos-label "$work/a" 2>/dev/null
xorriso -indev "$out/protective.iso" -report_system_area plain 2>/dev/null \
    >"$out/protective.report"
