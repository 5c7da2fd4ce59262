#!/usr/bin/env bash
# Builds testdata/release/{a,b}/: two build output folders of one release of
# a Tails-like live system, as its release manager and CI would publish it:
#
#   tails-amd64-6.10.iso.gz           (gzipped here: mostly padding) hybrid ISO: live/{filesystem.squashfs,vmlinuz,initrd.img}, isolinux
#   tails-amd64-6.10.img.gz           USB image (gzipped here: 36 MiB raw): GPT with fixed disk and
#                                     partition GUIDs, gptmbr.bin, one FAT32 system partition holding
#                                     syslinux/ (ldlinux.sys in its boot sector area), EFI/ and live/
#   Tails_amd64_6.9_to_6.10.iuk       upgrade kit format 2: a SquashFS of FORMAT, control.yml and
#                                     overlay/ (live/6.10.squashfs delta, vmlinuz, initrd.img, EFI/, syslinux/)
#   Tails_amd64_6.8_to_6.10.iuk       upgrade kit format 1: a tar of FORMAT, control.yml, system.tar
#                                     and boot.tar.bz2
#   Tails_amd64_6.7_to_6.10.iuk       (a only: the artifact missing on b)
#   tails-amd64-6.10.build-manifest   YAML: origin_references, packages.binary/source
#   tails-amd64-6.10.packages         dpkg-query -W list of the image's packages
#   SHA256SUMS                        of every artifact above, per side
#
# Both sides come from one function, `build SIDE`; b plants what a rebuild a
# few hours later against a newer debian-security snapshot gives (listed in
# testdata/release/PLANTED.md). Everything else is pinned, so a rerun gives
# the same bytes.
set -euo pipefail
need=()
for t in xorriso:xorriso mksquashfs:squashfs-tools mkfs.vfat:dosfstools mcopy:mtools \
    sgdisk:gdisk syslinux:syslinux tar:tar bzip2:bzip2 gzip:gzip; do
    command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
[ -e /usr/lib/ISOLINUX/isolinux.bin ] || need+=(isolinux)
[ -e /usr/lib/syslinux/mbr/gptmbr.bin ] || need+=(syslinux-common)
if [ ${#need[@]} -gt 0 ]; then
    apt-get install -y "${need[@]}"
fi
export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=1733220000 MTOOLS_SKIP_CHECK=1
umask 022
SDE=$SOURCE_DATE_EPOCH
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../release"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
V=6.10

# prand NAME BYTES: fixed pseudo-random bytes, a pure function of NAME.
prand() {
    local i
    for ((i = 0; i * 32 < $2; i++)); do
        printf '%s-%d' "$1" "$i" | sha256sum | cut -c1-64
    done | xxd -r -p | head -c "$2"
}
pin() { find "$1" -exec touch -h -d "@$SDE" {} +; }
squash() { # squash DIR OUT [MKFS_TIME]
    env -u SOURCE_DATE_EPOCH mksquashfs "$1" "$2" -noappend -quiet -no-progress -all-root -comp gzip \
        -mkfs-time "${3:-$SDE}" >/dev/null
    touch -d "@$SDE" "$2"
}

# Package versions per side: b was built against a later debian-security
# snapshot that moved tor, openssl and libc6.
versions() { # versions SIDE: "package version arch" lines
    local tor=0.4.8.12-1~d12.bookworm+1 ssl=3.0.15-1~deb12u1 libc=2.36-9+deb12u8
    if [ "$1" = b ]; then
        tor=0.4.8.13-1~d12.bookworm+1 ssl=3.0.15-1~deb12u2 libc=2.36-9+deb12u9
    fi
    cat <<EOF
base-files 12.4+deb12u8 amd64
bash 5.2.15-2+b7 amd64
libc6 $libc amd64
libssl3 $ssl amd64
openssl $ssl amd64
tails-greeter 6.10 all
tor $tor amd64
EOF
}

make_root() { # make_root SIDE DIR
    local s="$1" r="$2" p v a
    mkdir -p "$r"/{etc,usr/bin,usr/lib/x86_64-linux-gnu,usr/share/tails/greeter,var/lib/dpkg/info}
    local build=20241203T0900Z
    [ "$s" = b ] && build=20241203T1412Z
    cat >"$r/etc/os-release" <<EOF
PRETTY_NAME="Tails"
NAME="Tails"
ID="tails"
ID_LIKE="debian"
VERSION="$V"
TAILS_PRODUCT_NAME="Tails"
TAILS_VERSION_ID="$V"
BUILD_ID="$build"
EOF
    printf '%s - 20241203\n' "$V" >"$r/etc/amnesia-version"
    prand "bash" 3000 >"$r/usr/bin/bash"
    prand "tor-$(versions "$s" | awk '$1 == "tor" {print $2}')" 6000 >"$r/usr/bin/tor"
    prand "libssl-$(versions "$s" | awk '$1 == "libssl3" {print $2}')" 5000 \
        >"$r/usr/lib/x86_64-linux-gnu/libssl.so.3"
    printf 'body { font-family: Cantarell; }\n' >"$r/usr/share/tails/greeter/greeter.css"
    chmod 0755 "$r/usr/bin/bash" "$r/usr/bin/tor"
    while read -r p v a; do
        printf 'Package: %s\nStatus: install ok installed\nArchitecture: %s\nVersion: %s\nDescription: %s\n\n' \
            "$p" "$a" "$v" "$p"
    done < <(versions "$s") >"$r/var/lib/dpkg/status"
    printf '/.\n/usr\n/usr/bin\n/usr/bin/tor\n' >"$r/var/lib/dpkg/info/tor.list"
    printf '/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu/libssl.so.3\n' \
        >"$r/var/lib/dpkg/info/libssl3:amd64.list"
    printf '/.\n/usr\n/usr/bin\n/usr/bin/bash\n' >"$r/var/lib/dpkg/info/bash.list"
    pin "$r"
    # Written by a hook after the clamp: its time is the build's.
    [ "$s" = b ] && touch -d "@$((SDE + 18720))" "$r/usr/share/tails/greeter/greeter.css"
    return 0
}

make_boot() { # make_boot DIR: kernel, initrd, syslinux and EFI files (same on both sides)
    local d="$1"
    mkdir -p "$d"/{live,syslinux,EFI/debian,EFI/boot}
    prand vmlinuz 7000 >"$d/live/vmlinuz"
    prand initrd 5000 | gzip -n -9 >"$d/live/initrd.img"
    cp /usr/lib/syslinux/modules/bios/ldlinux.c32 "$d/syslinux/"
    printf 'include live.cfg\ndefault live\n' >"$d/syslinux/syslinux.cfg"
    printf 'label live\n  kernel /live/vmlinuz\n  append initrd=/live/initrd.img boot=live quiet\n' \
        >"$d/syslinux/live.cfg"
    prand grubx64 4000 >"$d/EFI/debian/grubx64.efi"
    prand shimx64 3000 >"$d/EFI/boot/bootx64.efi"
    pin "$d"
}

make_iso() { # make_iso SIDE SQUASHFS BOOTDIR OUT
    local t="$work/iso-$1"
    mkdir -p "$t/live" "$t/isolinux"
    cp "$2" "$t/live/filesystem.squashfs"
    cp "$3/live/vmlinuz" "$3/live/initrd.img" "$t/live/"
    cp /usr/lib/ISOLINUX/isolinux.bin "$3"/syslinux/*.c32 "$3/syslinux/live.cfg" "$t/isolinux/"
    printf 'include live.cfg\ndefault live\n' >"$t/isolinux/isolinux.cfg"
    pin "$t"
    local date=2024120309000000
    [ "$1" = b ] && date=2024120314120000
    xorriso -as mkisofs -o "$4" -R -J -V "TAILS $V" -no-pad \
        --modification-date="$date" -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
        -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot \
        -boot-load-size 4 -boot-info-table "$t" 2>/dev/null
}

make_img() { # make_img SIDE SQUASHFS BOOTDIR OUT: GPT + FAT32 + syslinux, as Tails' USB image
    local img="$4" serial=7a115e11
    # Tails leaves the FAT volume id to mkfs, which takes it from the clock.
    [ "$1" = b ] && serial=7a11f00d
    truncate -s 36M "$img"
    sgdisk -U 17b81da0-8b1e-4269-864f-14dc25b8d5c3 \
        -n 1:2048:+69632 -t 1:ef00 -c 1:Tails -u 1:34bf027a-8001-4b93-8243-1f9d3ad2b4ec \
        -A 1:set:0 -A 1:set:2 "$img" >/dev/null
    dd if=/usr/lib/syslinux/mbr/gptmbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
    mkfs.vfat -F 32 -s 1 --invariant -i "$serial" -n "Tails" --offset 2048 "$img" 34816 >/dev/null
    local m="$img@@1M"
    # mtools dates what it creates by the clock.
    local ft=(env NO_FAKE_STAT=1 faketime "@$SDE")
    "${ft[@]}" mmd -i "$m" ::/live ::/syslinux ::/EFI ::/EFI/debian ::/EFI/boot
    "${ft[@]}" mcopy -m -i "$m" "$2" ::/live/filesystem.squashfs
    "${ft[@]}" mcopy -m -i "$m" "$3/live/vmlinuz" "$3/live/initrd.img" ::/live/
    for f in "$3"/syslinux/*; do "${ft[@]}" mcopy -m -i "$m" "$f" ::/syslinux/; done
    "${ft[@]}" mcopy -m -i "$m" "$3/EFI/debian/grubx64.efi" ::/EFI/debian/
    "${ft[@]}" mcopy -m -i "$m" "$3/EFI/boot/bootx64.efi" ::/EFI/boot/
    # ldlinux.sys into the file system, its loader into the boot sector area.
    "${ft[@]}" syslinux --install --offset 1048576 --directory /syslinux "$img"
}

make_iuk2() { # make_iuk2 SIDE FROM DELTA BOOTDIR OUT
    local t="$work/iuk2-$1-$2"
    mkdir -p "$t/overlay/live" "$t/overlay/EFI" "$t/overlay/syslinux"
    printf '2\n' >"$t/FORMAT"
    if [ "$1" = a ]; then
        printf 'delete_files:\n- live/%s.squashfs\n- live/filesystem.squashfs.old\n- syslinux/exithelp.cfg\n' "$2" >"$t/control.yml"
    else
        printf 'delete_files:\n- syslinux/exithelp.cfg\n- live/%s.squashfs\n- live/filesystem.squashfs.old\n' "$2" >"$t/control.yml"
    fi
    cp "$3" "$t/overlay/live/$V.squashfs"
    cp "$4/live/vmlinuz" "$4/live/initrd.img" "$t/overlay/live/"
    cp -r "$4/EFI/." "$t/overlay/EFI/"
    cp "$4"/syslinux/* "$t/overlay/syslinux/"
    pin "$t"
    squash "$t" "$5"
}

make_iuk1() { # make_iuk1 SIDE FROM DELTA BOOTDIR OUT: tar of FORMAT, control.yml, system.tar, boot.tar.bz2
    local t="$work/iuk1-$1" mtime="@$SDE"
    mkdir -p "$t/sys/live" "$t/boot/live" "$t/top"
    cp "$3" "$t/sys/live/$V.squashfs"
    cp "$4/live/vmlinuz" "$4/live/initrd.img" "$t/boot/live/"
    pin "$t"
    # b's kit was packed without --mtime: its members carry the build's clock.
    [ "$1" = b ] && mtime="@$((SDE + 18720))"
    local tarx=(tar --sort=name --owner=0 --group=0 --numeric-owner --format=gnu --mtime="$mtime")
    "${tarx[@]}" -C "$t/sys" -cf "$t/top/system.tar" live
    "${tarx[@]}" -C "$t/boot" -cf - live | bzip2 -9 >"$t/top/boot.tar.bz2"
    printf '1\n' >"$t/top/FORMAT"
    printf 'delete_files:\n- live/%s.squashfs\n' "$2" >"$t/top/control.yml"
    "${tarx[@]}" -C "$t/top" -cf "$5" FORMAT control.yml system.tar boot.tar.bz2
}

make_manifest() { # make_manifest SIDE OUT
    local sec=2024120101
    [ "$1" = b ] && sec=2024120301
    {
        printf 'build_date: %s\norigin_references:\n' "'2024-12-03T09:00:00+00:00'"
        printf '  debian:\n    reference: %s\n' "'2024120101'"
        printf '  debian-security:\n    reference: %s\n' "'$sec'"
        printf '  torproject:\n    reference: %s\n' "'2024112801'"
        printf 'packages:\n  binary:\n'
        versions "$1" | while read -r p v a; do
            printf '  - package: %s\n    version: %s\n    arch: %s\n' "$p" "$v" "$a"
        done
        printf '  source:\n'
        versions "$1" | awk '$1 != "libssl3" {print $1, $2}' | sed 's/^libc6 /glibc /' |
            while read -r p v; do printf '  - package: %s\n    version: %s\n' "$p" "$v"; done
    } >"$2"
}

build() { # build SIDE
    local s="$1" d="$out/$1"
    rm -rf "$d" && mkdir -p "$d"
    make_root "$s" "$work/root-$s"
    make_boot "$work/boot-$s"
    squash "$work/root-$s" "$work/fs-$s.squashfs"
    # The upgrade's delta: what changed since the older version, here the
    # files that carry the build (os-release) and the upgraded packages.
    mkdir -p "$work/delta-$s/etc" "$work/delta-$s/usr/bin"
    cp -p "$work/root-$s/etc/os-release" "$work/delta-$s/etc/"
    cp -p "$work/root-$s/usr/bin/tor" "$work/delta-$s/usr/bin/"
    pin "$work/delta-$s"
    squash "$work/delta-$s" "$work/delta-$s.squashfs"
    make_iso "$s" "$work/fs-$s.squashfs" "$work/boot-$s" "$d/tails-amd64-$V.iso"
    make_img "$s" "$work/fs-$s.squashfs" "$work/boot-$s" "$work/tails-amd64-$V-$s.img"
    make_iuk2 "$s" 6.9 "$work/delta-$s.squashfs" "$work/boot-$s" "$d/Tails_amd64_6.9_to_$V.iuk"
    make_iuk1 "$s" 6.8 "$work/delta-$s.squashfs" "$work/boot-$s" "$d/Tails_amd64_6.8_to_$V.iuk"
    [ "$s" = a ] && make_iuk2 "$s" 6.7 "$work/delta-$s.squashfs" "$work/boot-$s" "$d/Tails_amd64_6.7_to_$V.iuk"
    make_manifest "$s" "$d/tails-amd64-$V.build-manifest"
    versions "$s" | awk '{printf "%s\t%s\n", $1, $2}' >"$d/tails-amd64-$V.packages"
    cp "$work/tails-amd64-$V-$s.img" "$d/tails-amd64-$V.img"
    (cd "$d" && sha256sum -- *.iso *.img *.iuk *.build-manifest *.packages >SHA256SUMS)
    gzip -n -9 -f "$d/tails-amd64-$V.img" "$d/tails-amd64-$V.iso"
}

command -v faketime >/dev/null || apt-get install -y faketime
build a
build b
ls -l "$out"/a "$out"/b
