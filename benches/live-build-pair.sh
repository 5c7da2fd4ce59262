#!/usr/bin/env bash
# A real live-build ISO pair: the same minimal Debian trixie live
# configuration built twice, by two separate `lb build` runs a few minutes
# apart, into benches/work/live-build/{a,b}/ (gitignored). Nothing is planted:
# whatever differs is what live-build, debootstrap, dpkg, mksquashfs and
# xorriso leave behind when one builds the same thing twice. Then compares the
# two ISOs with reprodiff (report.json, report.txt, report.md) and prints the
# unexplained share with cause-coverage.py.
#
# Needs Debian's archive (debootstrap, apt in the chroot); never run by the
# tests or CI. It takes a while (two debootstraps, two kernels, two
# mksquashfs): run it niced on a shared machine:
#
#   nice -n 19 ionice -c3 benches/live-build-pair.sh [options]
#
#   --source-date-epoch N  export SOURCE_DATE_EPOCH=N for both builds (the
#                          same value), as a reproducible build would;
#                          default: unset, like a naive build, so live-build
#                          takes the clock at each `lb build`
#   --work DIR             another work directory (default
#                          benches/work/live-build; use one per epoch choice)
#   --rebuild              build both images again even if a.iso/b.iso exist
#
# Each build has its own config directory (a/, b/), made by `lb config` with
# the same options; only downloaded packages are shared between them (the
# .debs of a's cache are copied into b's cache before b's build), so b does
# not reuse a's bootstrap stage: both run debootstrap, both install the
# packages, both make their own squashfs, initrd and ISO.
#
# Configuration: live-build's defaults for an amd64 iso-hybrid (syslinux for
# BIOS, GRUB for EFI, live-boot initramfs, xz squashfs), with the smallest
# package set that still gives a kernel, an initrd and a squashfs:
# linux-image-amd64 plus live-build's own list (live-boot, live-config,
# live-config-systemd, systemd-sysv); no recommends, no firmware, no
# memtest, no installer, no apt indices in the image, no zsync, no win32
# loader.
#
# Building trixie with bookworm's live-build (1:20230502, the version this
# machine's apt offers) needed no workaround for this configuration (tried
# 2026-12, trixie 13.x, kernel 6.12). Things one sees in the log, all
# harmless:
#   - "W: No zstd ... using gzip": trixie's initramfs-tools asks for zstd,
#     which is only a Recommends; with --apt-recommends false the initrd's
#     main cpio is gzip-compressed.
#   - "dpkg: warning: this is a protected package": live-build removes the
#     GRUB EFI packages it installed in the chroot to make the EFI images.
#   - "W: Skipping removal of chroot_debianchroot": a stage already undone.
# The security mirror is given explicitly: live-build 20230502 defaults it
# to security.debian.org, and this script keeps every download on the one
# host the bootstrap mirror uses (deb.debian.org serves debian-security too).
set -euo pipefail

sde=""
rebuild=0
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
W="$here/work/live-build"
while [ $# -gt 0 ]; do
    case "$1" in
    --source-date-epoch) sde="$2"; shift 2 ;;
    --source-date-epoch=*) sde="${1#*=}"; shift ;;
    --work) W="$2"; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$W"
W="$(cd "$W" && pwd)"
case "$sde" in '' | *[!0-9]*) [ -z "$sde" ] || { echo "--source-date-epoch needs seconds" >&2; exit 2; } ;; esac

need=()
for t in lb:live-build debootstrap:debootstrap xorriso:xorriso mksquashfs:squashfs-tools \
    unsquashfs:squashfs-tools cpio:cpio mkfs.vfat:dosfstools mcopy:mtools; do
    command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
[ -e /usr/lib/ISOLINUX/isohdpfx.bin ] || need+=(isolinux)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    apt-get install -y "${need[@]}"
fi

export LC_ALL=C
umask 022
mkdir -p "$W"
t0=$(date +%s)
step() { echo "== [$(($(date +%s) - t0))s] $*"; }

mirror=http://deb.debian.org/debian/
security=http://deb.debian.org/debian-security/

configure() { # configure DIR: a fresh live-build configuration in DIR
    rm -rf "$1"
    mkdir -p "$1"
    (cd "$1" && lb config --mode debian --distribution trixie \
        --architecture amd64 --archive-areas main \
        --binary-images iso-hybrid --debian-installer none \
        --apt-recommends false --apt-indices false \
        --bootappend-live "boot=live components" \
        --mirror-bootstrap "$mirror" --mirror-chroot "$mirror" --mirror-binary "$mirror" \
        --mirror-chroot-security "$security" --mirror-binary-security "$security" \
        --linux-packages linux-image --linux-flavours amd64 \
        --firmware-binary false --firmware-chroot false --memtest none \
        --win32-loader false --zsync false \
        --cache true --cache-packages true --cache-indices false \
        >"$1.config.log" 2>&1)
}

build() { # build VARIANT
    local v="$1" d="$W/$1"
    if [ "$rebuild" = 0 ] && [ -s "$W/$v.iso" ]; then
        step "$v.iso exists (--rebuild to redo)"
        return
    fi
    step "$v: lb config"
    configure "$d"
    # Only the downloaded packages come from the shared cache.
    if [ -d "$W/packages" ]; then
        mkdir -p "$d/cache"
        cp -a "$W/packages/." "$d/cache/"
    fi
    step "$v: lb build (log: $d.build.log)"
    local s e
    s=$(date +%s)
    if [ -n "$sde" ]; then
        (cd "$d" && SOURCE_DATE_EPOCH="$sde" lb build) >"$d.build.log" 2>&1 ||
            { tail -40 "$d.build.log"; exit 1; }
    else
        (cd "$d" && env -u SOURCE_DATE_EPOCH lb build) >"$d.build.log" 2>&1 ||
            { tail -40 "$d.build.log"; exit 1; }
    fi
    e=$(date +%s)
    local iso
    iso=$(ls "$d"/*.iso 2>/dev/null | head -1)
    [ -n "$iso" ] || { tail -40 "$d.build.log"; echo "$v: no ISO" >&2; exit 1; }
    cp "$iso" "$W/$v.iso"
    echo "$v: $((e - s)) s, $(stat -c %s "$W/$v.iso") bytes" >>"$W/timings.txt"
    # Keep the downloaded packages for the next build.
    mkdir -p "$W/packages"
    for c in "$d"/cache/packages.*; do
        [ -d "$c" ] || continue
        mkdir -p "$W/packages/$(basename "$c")"
        cp -a "$c/." "$W/packages/$(basename "$c")/"
    done
}

# timings.txt keeps the build times of images that are reused.
if [ "$rebuild" = 1 ] || [ ! -s "$W/timings.txt" ]; then
    echo "SOURCE_DATE_EPOCH: ${sde:-unset}" >"$W/timings.txt"
fi
build a
build b

step "reprodiff"
rd="$root/target/release/reprodiff"
[ -x "$rd" ] || (cd "$root" && cargo build --release --quiet)
cd "$W"
status=0
/usr/bin/time -v -o time-reprodiff.txt "$rd" a.iso b.iso --json report.json \
    --text report.txt --markdown report.md || status=$?
[ "$status" -le 1 ] || { echo "reprodiff exited $status" >&2; exit 1; }
"$rd" ls a.iso >ls-a.txt
"$rd" ls b.iso >ls-b.txt
"$rd" locate a.iso b.iso >locate.txt || true
# cmp -l prints one line per differing byte: count them, do not keep them.
/usr/bin/time -v -o time-cmp.txt sh -c 'cmp -l a.iso b.iso | wc -l' >cmp-count.txt 2>/dev/null || true
{
    echo "reprodiff: $(grep -E 'Elapsed|Maximum resident' time-reprodiff.txt | tr -s ' ' | tr '\n' ' ')"
    echo "cmp -l: $(grep -E 'Elapsed|Maximum resident' time-cmp.txt | tr -s ' ' | tr '\n' ' ')"
    echo "cmp -l differing bytes: $(cat cmp-count.txt)"
} >>timings.txt
cat timings.txt
python3 "$here/cause-coverage.py" report.json
