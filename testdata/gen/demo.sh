#!/usr/bin/env bash
# Builds the demo pair testdata/demo/a.iso and testdata/demo/b.iso: a tiny
# Debian-live-like hybrid ISO built twice by one function, `build VARIANT`,
# where variant "b" plants the reproducibility bugs listed in
# testdata/demo/PLANTED.md. Everything not planted is pinned, so a rerun gives
# byte-identical ISOs. Also writes the tools' own listings next to the ISOs.
set -euo pipefail

need=()
for t in xorriso:xorriso mksquashfs:squashfs-tools unsquashfs:squashfs-tools \
    cpio:cpio gzip:gzip xz:xz-utils mkfs.vfat:dosfstools mcopy:mtools \
    mdir:mtools dpkg-deb:dpkg gcc:gcc cmp:diffutils md5sum:coreutils \
    sfdisk:fdisk; do
    command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
[ -e /usr/lib/ISOLINUX/isolinux.bin ] || need+=(isolinux)
if [ ${#need[@]} -gt 0 ]; then
    apt-get install -y "${need[@]}"
fi

export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=1700000000
umask 022
SDE=1700000000
LATER=1700086400 # one day later: the "rebuild" time planted in b
HOUR=1700003600  # one hour later: a touched file in b

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../demo"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# prand NAME BYTES: fixed pseudo-random bytes, a pure function of NAME.
prand() {
    local i=0 hex=""
    while [ $(( ${#hex} / 2 )) -lt "$2" ]; do
        hex+="$(printf '%s-%d' "$1" "$i" | sha256sum | cut -c1-64)"
        i=$((i + 1))
    done
    printf '%s' "${hex:0:$(( $2 * 2 ))}" | sed 's/../\\x&/g' | xargs -0 printf '%b'
}

# pin DIR: every inode's mtime (symlinks included) to SOURCE_DATE_EPOCH.
pin() { find "$1" -exec touch -h -d "@$SDE" {} +; }

# Build-ids: b differs from a in the last byte only.
BUILD_ID_a=0123456789abcdef0123456789abcdef01234567
BUILD_ID_b=0123456789abcdef0123456789abcdef012345ff

make_root() { # make_root VARIANT DIR
    local v="$1" r="$2"
    mkdir -p "$r"/{etc/alternatives,usr/bin,usr/share/doc/foo,usr/share/demo,var/lib/dpkg,var/lib/demo,tmp,root}
    ln -s usr/bin "$r/bin"
    cat >"$r/etc/os-release" <<'EOF'
PRETTY_NAME="Demo Live 1.0 (bookworm)"
NAME="Demo Live"
VERSION_ID="1.0"
VERSION_CODENAME=bookworm
ID=demo
ID_LIKE=debian
EOF
    echo demo-live >"$r/etc/hostname"
    if [ "$v" = a ]; then
        echo 3f2504e04f8941d39a0c0305e82c3301 >"$r/etc/machine-id"
    else
        echo 9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d >"$r/etc/machine-id"
    fi
    cat >"$r/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
user:x:1000:1000:Live user:/home/user:/bin/sh
EOF
    printf 'Welcome to Demo Live.\n' >"$r/etc/motd"
    printf '# demo settings\nverbose=0\n' >"$r/etc/demo.conf"
    if [ "$v" = a ]; then
        ln -s /usr/bin/vim.tiny "$r/etc/alternatives/editor"
    else
        ln -s /usr/bin/nano "$r/etc/alternatives/editor"
    fi

    cat >"$work/hello.c" <<'EOF'
#include <stdio.h>
int main(void)
{
	return puts("hello from demo live") < 0;
}
EOF
    local bid="BUILD_ID_$v"
    gcc -Os -s -Wl,--build-id=0x"${!bid}" -o "$r/usr/bin/hello" "$work/hello.c"

    # Same text in both; b keeps the gzip header mtime (no -n).
    for i in 3 2 1; do
        printf 'foo (1.0-%d) unstable; urgency=medium\n\n  * Release %d.\n\n -- Demo Maintainer <demo@example.org>  Tue, 14 Nov 2023 22:13:20 +0000\n\n' "$i" "$i"
    done >"$work/changelog"
    touch -d "@$HOUR" "$work/changelog"
    if [ "$v" = a ]; then
        gzip -9 -n -c <"$work/changelog" >"$r/usr/share/doc/foo/changelog.gz"
    else
        gzip -9 -c <"$work/changelog" >"$r/usr/share/doc/foo/changelog.gz"
    fi
    printf 'Files: *\nCopyright: 2023 Demo\nLicense: MIT\n' >"$r/usr/share/doc/foo/copyright"

    # 20 records; b has them in a fixed permuted order.
    local perm=(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19)
    [ "$v" = b ] && perm=(7 2 19 11 0 14 5 16 9 3 18 1 12 6 15 10 4 17 8 13)
    for i in "${perm[@]}"; do
        printf 'module-%02d\tversion=1.%d\tenabled=yes\n' "$i" "$i"
    done >"$r/usr/share/demo/modules.list"

    if [ "$v" = a ]; then
        printf 'Build-Date: Tue, 14 Nov 2023 22:13:20 +0000\nBuilder: demo-builder\n' >"$r/usr/share/demo/build-info.txt"
        echo 'present only in a' >"$r/usr/share/demo/removed-in-b.txt"
    else
        printf 'Build-Date: Wed, 15 Nov 2023 22:13:20 +0000\nBuilder: demo-builder\n' >"$r/usr/share/demo/build-info.txt"
        echo 'present only in b' >"$r/usr/share/demo/added-in-b.txt"
    fi
    printf 'state=clean\n' >"$r/var/lib/demo/state"

    cat >"$r/var/lib/dpkg/status" <<'EOF'
Package: base-files
Status: install ok installed
Priority: required
Section: admin
Installed-Size: 340
Maintainer: Demo Maintainer <demo@example.org>
Architecture: amd64
Version: 12.4+deb12u5
Description: Debian base system miscellaneous files

Package: foo
Status: install ok installed
Priority: optional
Section: misc
Installed-Size: 8
Maintainer: Demo Maintainer <demo@example.org>
Architecture: all
Version: 1.0
Description: demo package foo

Package: hello
Status: install ok installed
Priority: optional
Section: misc
Installed-Size: 8
Maintainer: Demo Maintainer <demo@example.org>
Architecture: all
Version: 1.0
Description: demo package hello

EOF

    chown -R 0:0 "$r"
    chmod 0700 "$r/root"
    chmod 1777 "$r/tmp"
    pin "$r"
    if [ "$v" = b ]; then
        chmod 0664 "$r/etc/demo.conf"
        chown 1000 "$r/var/lib/demo/state"
        touch -d "@$HOUR" "$r/etc/motd"
    fi
}

make_initrd() { # make_initrd VARIANT OUTFILE
    local v="$1" o="$2" e="$work/early-$1" m="$work/initramfs-$1"
    mkdir -p "$e/kernel/x86/microcode"
    prand microcode-AuthenticAMD 2048 >"$e/kernel/x86/microcode/AuthenticAMD.bin"
    pin "$e"
    (cd "$e" && find . | sort | cpio --quiet -o -H newc --reproducible -R 0:0) >"$o"
    # Zero padding up to the next 512-byte boundary, as the kernel allows.
    local sz pad
    sz=$(stat -c %s "$o")
    pad=$(( (512 - sz % 512) % 512 ))
    head -c "$pad" /dev/zero >>"$o"
    SEGMENT2_OFFSET=$((sz + pad))

    mkdir -p "$m"/{bin,conf,scripts/init-top,etc}
    printf '#!/bin/sh\necho "demo initramfs"\nexec /bin/sh\n' >"$m/init"
    chmod 0755 "$m/init"
    printf 'MODULES=most\nCOMPRESS=gzip\n' >"$m/conf/initramfs.conf"
    printf 'ARCH=amd64\n' >"$m/conf/arch.conf"
    if [ "$v" = a ]; then
        printf 'BUILD_DATE=2023-11-14T22:13:20Z\n' >"$m/conf/build-info"
    else
        printf 'BUILD_DATE=2023-11-15T22:13:20Z\n' >"$m/conf/build-info"
    fi
    printf '#!/bin/sh\n# demo init-top script\n' >"$m/scripts/init-top/demo"
    chmod 0755 "$m/scripts/init-top/demo"
    printf 'demo-live\n' >"$m/etc/hostname"
    prand busybox 1500 >"$m/bin/busybox"
    chmod 0755 "$m/bin/busybox"
    pin "$m"
    local list
    if [ "$v" = a ]; then
        list='.
bin
bin/busybox
conf
conf/arch.conf
conf/build-info
conf/initramfs.conf
etc
etc/hostname
init
scripts
scripts/init-top
scripts/init-top/demo'
    else
        # Directory-traversal order of another filesystem: parents still first.
        list='.
scripts
scripts/init-top
scripts/init-top/demo
init
etc
etc/hostname
conf
conf/initramfs.conf
conf/build-info
conf/arch.conf
bin
bin/busybox'
    fi
    (cd "$m" && printf '%s\n' "$list" | cpio --quiet -o -H newc --reproducible -R 0:0) | gzip -9 -n >>"$o"
}

make_efi() { # make_efi VARIANT OUTFILE
    local v="$1" o="$2" t="$work/efi-$1"
    mkdir -p "$t"
    prand BOOTX64.EFI 3072 >"$t/BOOTX64.EFI"
    printf 'search --no-floppy --set=root --file /.disk/info\nset prefix=($root)/boot/grub\nconfigfile $prefix/grub.cfg\n' >"$t/grub.cfg"
    pin "$t"
    local serial=0x1234abcd
    if [ "$v" = b ]; then
        serial=0x5678ef01
        touch -d "@$HOUR" "$t/grub.cfg"
    fi
    rm -f "$o"
    mkfs.vfat --invariant -i "${serial#0x}" -C "$o" 64 >/dev/null
    mmd -i "$o" ::EFI ::EFI/BOOT
    if [ "$v" = a ]; then
        mcopy -m -i "$o" "$t/BOOTX64.EFI" "$t/grub.cfg" ::EFI/BOOT/
    else
        mcopy -m -i "$o" "$t/grub.cfg" "$t/BOOTX64.EFI" ::EFI/BOOT/
    fi
}

make_deb() { # make_deb NAME EPOCH OUTFILE
    local n="$1" ep="$2" o="$3" d="$work/deb-$1-$2"
    mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$n" "$d/usr/share/$n"
    cat >"$d/DEBIAN/control" <<EOF
Package: $n
Version: 1.0
Architecture: all
Maintainer: Demo Maintainer <demo@example.org>
Installed-Size: 8
Section: misc
Priority: optional
Description: demo package $n
 A tiny package for the reprodiff demo image.
EOF
    printf 'Files: *\nCopyright: 2023 Demo\nLicense: MIT\n' >"$d/usr/share/doc/$n/copyright"
    printf '%s data file\n' "$n" >"$d/usr/share/$n/$n.txt"
    chown -R 0:0 "$d"
    find "$d" -exec touch -h -d "@$ep" {} +
    SOURCE_DATE_EPOCH="$ep" dpkg-deb --root-owner-group -Zxz --build "$d" "$o" >/dev/null
}

build() { # build VARIANT: writes $out/VARIANT.iso
    local v="$1" iso="$work/iso-$1"
    mkdir -p "$iso"/{.disk,live,boot/grub,isolinux,pool/main/h/hello,pool/main/f/foo}
    make_root "$v" "$work/root-$v"
    env -u SOURCE_DATE_EPOCH mksquashfs "$work/root-$v" "$iso/live/filesystem.squashfs" \
        -comp xz -b 65536 -noappend -no-xattrs -processors 1 \
        -mkfs-time "$SDE" -quiet -no-progress >/dev/null
    prand vmlinuz 6144 >"$iso/live/vmlinuz"
    make_initrd "$v" "$iso/live/initrd.img"
    make_efi "$v" "$iso/boot/grub/efi.img"
    cp /usr/lib/ISOLINUX/isolinux.bin "$iso/isolinux/isolinux.bin"
    cat >"$iso/isolinux/isolinux.cfg" <<'EOF'
default live
label live
  kernel /live/vmlinuz
  append initrd=/live/initrd.img boot=live quiet
EOF
    make_deb hello "$SDE" "$iso/pool/main/h/hello/hello_1.0_all.deb"
    if [ "$v" = a ]; then
        make_deb foo "$SDE" "$iso/pool/main/f/foo/foo_1.0_all.deb"
    else
        make_deb foo "$LATER" "$iso/pool/main/f/foo/foo_1.0_all.deb"
    fi
    printf 'Demo Live 1.0 "Bookworm" - amd64 (20231114)' >"$iso/.disk/info"
    # Like live-build: every file but the patched boot image and itself.
    (cd "$iso" && find . -type f ! -path ./isolinux/isolinux.bin ! -path ./md5sum.txt -print0 |
        sort -z | xargs -0 md5sum) >"$work/md5sum.txt"
    mv "$work/md5sum.txt" "$iso/md5sum.txt"
    chown -R 0:0 "$iso"
    pin "$iso"

    # a takes every date from SOURCE_DATE_EPOCH (uuid, c, m, GPT GUID);
    # b drops the uuid so c and m can differ, and sets its own disk GUID.
    local extra=(-volume_date all_file_dates set_to_mtime)
    if [ "$v" = b ]; then
        extra+=(-volume_date uuid default
            -volume_date c "=$SDE" -volume_date m "=$LATER"
            -boot_image any gpt_disk_guid=d1b0e5a4c3b24f1e9a8b7c6d5e4f3a2b)
    fi
    rm -f "$out/$v.iso"
    xorriso -report_about WARNING -as mkisofs -o "$out/$v.iso" \
        -R -J -joliet-long -V DEMO_LIVE -A "Demo Live" -publisher "Demo" \
        -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
        -c isolinux/boot.cat -b isolinux/isolinux.bin \
        -no-emul-boot -boot-load-size 4 -boot-info-table \
        -eltorito-alt-boot -e boot/grub/efi.img -no-emul-boot \
        -isohybrid-gpt-basdat -partition_cyl_align off -no-pad \
        "$iso" -- "${extra[@]}"
    chown 0:0 "$out/$v.iso"
    chmod 0644 "$out/$v.iso"
}

build a
build b

# The tools' own listings, for tests to compare against.
for v in a b; do
    xorriso -report_about WARNING -indev "$out/$v.iso" -find / -exec lsdl 2>/dev/null \
        >"$out/$v.xorriso-lsdl.txt"
    xorriso -report_about WARNING -indev "$out/$v.iso" -report_system_area plain 2>/dev/null \
        >"$out/$v.system-area.txt"
    x="$work/x-$v"
    mkdir -p "$x"
    xorriso -report_about WARNING -osirrox on -indev "$out/$v.iso" \
        -extract /live/filesystem.squashfs "$x/filesystem.squashfs" \
        -extract /live/initrd.img "$x/initrd.img" \
        -extract /boot/grub/efi.img "$x/efi.img" 2>/dev/null
    unsquashfs -lln "$x/filesystem.squashfs" >"$out/$v.unsquashfs-lln.txt"
    # initrd: the early cpio, then the gzip segment after the zero padding.
    (cpio --quiet -tv <"$x/initrd.img" 2>/dev/null) >"$out/$v.initrd-segment-1.cpio-tv.txt"
    tail -c +"$((SEGMENT2_OFFSET + 1))" "$x/initrd.img" | gzip -dc | cpio --quiet -tv \
        >"$out/$v.initrd-segment-2.cpio-tv.txt" 2>/dev/null
    (MTOOLS_SKIP_CHECK=1 mdir -i "$x/efi.img" -/ ::) >"$out/$v.efi-mdir.txt"
done
sha256sum "$out/a.iso" "$out/b.iso"
