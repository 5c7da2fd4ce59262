#!/usr/bin/env bash
# Builds a realistic Debian-style live ISO pair for benchmarks and for
# checking `reprodiff ls` at scale: benches/work/{a,b,c}.iso. b has planted
# differences at every layer (squashfs files, ELF build-id, gzip header,
# ordering, initrd content and member order, FAT serial, mtime and directory
# order, ISO volume date, GPT GUID, a rebuilt .deb);
# c is a copy of a, for identical-input runs. Needs the Debian mirror apt
# uses (debootstrap, apt-get download); not run by tests or CI. Reruns reuse
# whatever is already built: delete benches/work/ (or a step's output) to redo.
set -euo pipefail

need=()
for t in debootstrap:debootstrap xorriso:xorriso mksquashfs:squashfs-tools \
    unsquashfs:squashfs-tools cpio:cpio zstd:zstd gzip:gzip \
    mkfs.vfat:dosfstools mcopy:mtools dpkg-deb:dpkg readelf:binutils; do
    command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
[ -e /usr/lib/ISOLINUX/isolinux.bin ] || need+=(isolinux)
if [ ${#need[@]} -gt 0 ]; then
    apt-get install -y "${need[@]}"
fi

export TZ=UTC LC_ALL=C
umask 022
SDE=1700000000
LATER=1700086400
here="$(cd "$(dirname "$0")" && pwd)"
W="$here/work"
mkdir -p "$W/cache" "$W/debs"
t0=$(date +%s)
step() { echo "== [$(( $(date +%s) - t0 ))s] $*"; }

# The same mirror apt uses on this machine.
mirror=$(grep -rhE '^[[:space:]]*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v -- '-security' | head -1 | tr -d ' ' || true)
mirror="${mirror:-http://deb.debian.org/debian}"

# blob NAME BYTES: fixed high-entropy bytes (a slice of the kernel image).
blob() {
    local k off
    k=$(ls "$A"/boot/vmlinuz-* | sed -n 1p)
    off=$(( 0x$(printf '%s' "$1" | sha256sum | cut -c1-6) % 4000000 ))
    tail -c +"$((off + 1))" "$k" | head -c "$2" || true
}

tgz="$W/cache/bookworm-minbase.tgz"
if [ ! -s "$tgz" ]; then
    step "debootstrap --make-tarball from $mirror"
    rm -rf "$W/tarball-tmp"
    debootstrap --variant=minbase --make-tarball="$tgz" bookworm "$W/tarball-tmp" "$mirror"
fi

A="$W/root-a"
if [ ! -e "$W/root-a.done" ]; then
    step "debootstrap root-a"
    rm -rf "$A"
    debootstrap --variant=minbase --unpack-tarball="$tgz" bookworm "$A" "$mirror"
    rm -f "$A"/var/cache/apt/archives/*.deb
    touch "$W/root-a.done"
fi

if [ ! -e "$W/debs.done" ]; then
    step "apt-get download"
    # A kernel (its modules make the root a realistic size) and a few small
    # packages for the pool.
    kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2}' | sed -n 1p)
    (cd "$W/debs" && apt-get download "$kpkg" hello tree nano)
    touch "$W/debs.done"
fi

if [ ! -e "$W/kernel.done" ]; then
    step "unpack kernel into root-a"
    # Unpack beside the root, then merge: extracting straight into a
    # merged-/usr root would replace the lib -> usr/lib symlink.
    rm -rf "$W/kernel-x"
    dpkg-deb -x "$(ls "$W"/debs/linux-image-*.deb | sed -n 1p)" "$W/kernel-x"
    cp -a "$W/kernel-x/boot/." "$A/boot/"
    cp -a "$W/kernel-x/lib/." "$A/usr/lib/"
    [ -d "$W/kernel-x/usr" ] && cp -a "$W/kernel-x/usr/." "$A/usr/"
    rm -rf "$W/kernel-x"
    # Live images ship a demo build stamp; b changes it.
    mkdir -p "$A/usr/share/demo"
    printf 'Build-Date: Tue, 14 Nov 2023 22:13:20 +0000\n' >"$A/usr/share/demo/build-info.txt"
    for i in $(seq 0 1999); do printf 'module-%04d\tversion=1.%d\n' "$i" "$i"; done >"$A/usr/share/demo/modules.list"
    echo 3f2504e04f8941d39a0c0305e82c3301 >"$A/etc/machine-id"
    echo 'present only in a' >"$A/usr/share/demo/removed-in-b.txt"
    echo bench-live >"$A/etc/hostname"
    mkdir -p "$A/etc/alternatives"
    ln -sfn /usr/bin/vim.tiny "$A/etc/alternatives/editor"
    touch "$W/kernel.done"
fi

B="$W/root-b"
if [ ! -e "$W/root-b.done" ]; then
    step "root-b: copy and plant differences"
    rm -rf "$B"
    cp -a "$A" "$B"
    # 500 files with another mtime.
    local_files=()
    mapfile -d '' local_files < <(find "$B/usr/share" -type f -print0 | sort -z)
    touch -d "@$LATER" "${local_files[@]:0:500}"
    # A few contents.
    printf 'Build-Date: Wed, 15 Nov 2023 22:13:20 +0000\n' >"$B/usr/share/demo/build-info.txt"
    echo 9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d >"$B/etc/machine-id"
    echo 'bench-b' >>"$B/etc/issue"
    # Reordered records.
    tac "$A/usr/share/demo/modules.list" >"$B/usr/share/demo/modules.list"
    touch -r "$A/usr/share/demo/modules.list" "$B/usr/share/demo/modules.list"
    # A gzip recompressed without -n: same text, another header.
    gz=$(find "$B/usr/share/doc" -name 'changelog.Debian.gz' | sort | sed -n 1p)
    gzip -dc "$gz" >"$W/cl.tmp"
    touch -d "@$LATER" "$W/cl.tmp"
    gzip -9 -c <"$W/cl.tmp" >"$gz"
    rm -f "$W/cl.tmp"
    # One ELF in usr/bin: flip the last byte of its GNU build-id.
    elf="$B/usr/bin/true"
    read -r off size < <(readelf -S --wide "$elf" |
        awk '{for (i = 1; i <= NF; i++) if ($i == ".note.gnu.build-id") print $(i + 3), $(i + 4)}')
    pos=$(( 0x$off + 0x$size - 1 ))
    byte=$(od -A n -t u1 -j "$pos" -N 1 "$elf" | tr -d ' ')
    printf "\\x$(printf '%02x' $(( byte ^ 0xff )))" | dd of="$elf" bs=1 seek="$pos" conv=notrunc status=none
    # Permissions, ownership, symlink target, added/removed.
    chmod 0664 "$B/etc/debian_version"
    chown 1000 "$B/etc/hostname"
    ln -sfn /usr/bin/nano "$B/etc/alternatives/editor"
    rm "$B/usr/share/demo/removed-in-b.txt"
    echo 'present only in b' >"$B/usr/share/demo/added-in-b.txt"
    touch "$W/root-b.done"
fi

# The files whose only planted difference is their mtime, for the live-pair
# test: the first 500 under usr/share that still carry the later time after
# the other plants (modules.list got a's time back).
if [ ! -s "$W/planted-mtime.txt" ]; then
    # head closes the pipe after 500 names: sort's SIGPIPE is expected.
    (set +o pipefail; cd "$B" && find usr/share -type f -print0 | sort -z | head -z -n 500 |
        xargs -0 stat -c '%Y %n' | sed -n "s/^$LATER //p") >"$W/planted-mtime.txt"
fi

initrd() { # initrd VARIANT OUT: early cpio + zstd cpio, like Debian's
    local v="$1" o="$2" e="$W/early" m="$W/initramfs-$1"
    rm -rf "$e" "$m"
    mkdir -p "$e/kernel/x86/microcode"
    blob microcode 65536 >"$e/kernel/x86/microcode/AuthenticAMD.bin"
    find "$e" -exec touch -h -d "@$SDE" {} +
    (cd "$e" && find . | sort | cpio --quiet -o -H newc --reproducible -R 0:0) >"$o"
    mkdir -p "$m"/{bin,conf,scripts/init-top,usr/lib/modules}
    cp -a "$A/usr/bin/dash" "$m/bin/sh"
    mkdir -p "$m/usr/lib/x86_64-linux-gnu" "$m/lib64"
    cp -L "$A/usr/lib/x86_64-linux-gnu/libc.so.6" "$m/usr/lib/x86_64-linux-gnu/"
    cp -L "$A/usr/lib64/ld-linux-x86-64.so.2" "$m/lib64/"
    local kmod
    kmod=$(find "$A/usr/lib/modules" -path '*/kernel/fs/*' -name '*.ko*' | sort | sed -n 1,40p)
    for k in $kmod; do cp "$k" "$m/usr/lib/modules/"; done
    printf '#!/bin/sh\nexec /bin/sh\n' >"$m/init"
    chmod 0755 "$m/init"
    printf 'MODULES=most\nCOMPRESS=zstd\n' >"$m/conf/initramfs.conf"
    if [ "$v" = a ]; then
        printf 'BUILD_DATE=2023-11-14T22:13:20Z\n' >"$m/conf/build-info"
    else
        printf 'BUILD_DATE=2023-11-15T22:13:20Z\n' >"$m/conf/build-info"
    fi
    find "$m" -exec touch -h -d "@$SDE" {} +
    # b lists the members in another order (as a build that takes the
    # directory's readdir order instead of sorting would).
    local order=(sort)
    [ "$v" = b ] && order=(sort -r)
    (cd "$m" && find . | "${order[@]}" | cpio --quiet -o -H newc --reproducible -R 0:0) | zstd -q -19 >>"$o"
}

efi() { # efi VARIANT OUT
    local v="$1" o="$2" t="$W/efi-$1" serial=1234abcd
    [ "$v" = b ] && serial=5678ef01
    rm -rf "$t" "$o"
    mkdir -p "$t"
    blob BOOTX64.EFI 1048576 >"$t/BOOTX64.EFI"
    printf 'search --no-floppy --set=root --file /.disk/info\nconfigfile /boot/grub/grub.cfg\n' >"$t/grub.cfg"
    find "$t" -exec touch -d "@$SDE" {} +
    [ "$v" = b ] && touch -d "@$LATER" "$t/grub.cfg"
    mkfs.vfat --invariant -i "$serial" -C "$o" 4096 >/dev/null
    SOURCE_DATE_EPOCH=$SDE mmd -i "$o" ::EFI ::EFI/BOOT
    # b copies in another order, so its directory lists grub.cfg first.
    if [ "$v" = b ]; then
        mcopy -m -i "$o" "$t/grub.cfg" "$t/BOOTX64.EFI" ::EFI/BOOT/
    else
        mcopy -m -i "$o" "$t/BOOTX64.EFI" "$t/grub.cfg" ::EFI/BOOT/
    fi
}

rebuild_deb() { # rebuild_deb IN EPOCH OUT
    local d="$W/deb-rebuild"
    rm -rf "$d"
    dpkg-deb -R "$1" "$d"
    find "$d" -exec touch -h -d "@$2" {} +
    SOURCE_DATE_EPOCH="$2" dpkg-deb --root-owner-group -Zxz --build "$d" "$3" >/dev/null
    rm -rf "$d"
}

build() { # build VARIANT
    local v="$1" iso="$W/iso-$1" root="$W/root-$1"
    [ -s "$W/$v.iso" ] && { step "$v.iso exists"; return; }
    rm -rf "$iso"
    mkdir -p "$iso"/{.disk,live,boot/grub,isolinux,pool/main}
    step "$v: mksquashfs"
    env -u SOURCE_DATE_EPOCH mksquashfs "$root" "$iso/live/filesystem.squashfs" \
        -comp xz -b 1M -noappend -mkfs-time "$SDE" -quiet -no-progress >/dev/null
    step "$v: initrd, efi, pool"
    cp "$(ls "$A"/boot/vmlinuz-* | sed -n 1p)" "$iso/live/vmlinuz"
    initrd "$v" "$iso/live/initrd.img"
    efi "$v" "$iso/boot/grub/efi.img"
    cp /usr/lib/ISOLINUX/isolinux.bin "$iso/isolinux/"
    printf 'default live\nlabel live\n  kernel /live/vmlinuz\n  append initrd=/live/initrd.img boot=live\n' >"$iso/isolinux/isolinux.cfg"
    for deb in "$W"/debs/{hello,tree,nano}_*.deb; do
        n=$(dpkg-deb -f "$deb" Package)
        mkdir -p "$iso/pool/main/${n:0:1}/$n"
        if [ "$n" = hello ]; then
            ep=$SDE
            [ "$v" = b ] && ep=$LATER
            rebuild_deb "$deb" "$ep" "$iso/pool/main/h/hello/$(basename "$deb")"
        else
            cp "$deb" "$iso/pool/main/${n:0:1}/$n/"
        fi
    done
    printf 'Bench Live 12 "Bookworm" - amd64 (20231114)' >"$iso/.disk/info"
    (cd "$iso" && find . -type f ! -path ./isolinux/isolinux.bin ! -path ./md5sum.txt -print0 |
        sort -z | xargs -0 md5sum) >"$W/md5sum.tmp"
    mv "$W/md5sum.tmp" "$iso/md5sum.txt"
    find "$iso" -exec touch -h -d "@$SDE" {} +
    local extra=(-volume_date all_file_dates set_to_mtime)
    [ "$v" = b ] && extra+=(-volume_date uuid default
        -volume_date c "=$SDE" -volume_date m "=$LATER"
        -boot_image any gpt_disk_guid=d1b0e5a4c3b24f1e9a8b7c6d5e4f3a2b)
    step "$v: xorriso"
    SOURCE_DATE_EPOCH=$SDE xorriso -report_about WARNING -as mkisofs -o "$W/$v.iso.tmp" \
        -R -J -joliet-long -V BENCH_LIVE \
        -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin -partition_offset 16 \
        -c isolinux/boot.cat -b isolinux/isolinux.bin \
        -no-emul-boot -boot-load-size 4 -boot-info-table \
        -eltorito-alt-boot -e boot/grub/efi.img -no-emul-boot \
        -isohybrid-gpt-basdat \
        "$iso" -- "${extra[@]}"
    mv "$W/$v.iso.tmp" "$W/$v.iso"
}

build a
build b
[ -s "$W/c.iso" ] || cp "$W/a.iso" "$W/c.iso"

step "done"
ls -l "$W"/{a,b,c}.iso
echo "root entries (unsquashfs -lls): $(unsquashfs -lls "$W/iso-a/live/filesystem.squashfs" | grep -c squashfs-root)"
cmp "$W/a.iso" "$W/c.iso" && echo "c.iso == a.iso"
