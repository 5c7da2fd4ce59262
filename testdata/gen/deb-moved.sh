#!/usr/bin/env bash
# Builds one package twice as two releases' builds do when their udev
# directory differs (/usr/lib/udev against /lib/udev, as tlp's
# bookworm-backports build installs it): the helper and the rules file are
# renamed, and the rules file names the helper by its directory. A README
# names the helper too but also changes a word, so it stays unexplained.
# dpkg-deb builds both; SOURCE_DATE_EPOCH is pinned and the same.
set -euo pipefail
command -v dpkg-deb >/dev/null || apt-get install -y dpkg
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC LC_ALL=C
umask 022
out="$(cd "$(dirname "$0")/.." && pwd)/deb"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() {
    local v="$1" udev=/usr/lib/udev mode=fast
    [ "$v" = b ] && udev=/lib/udev mode=slow
    local root="$work/$v"
    mkdir -p "$root/DEBIAN" "$root$udev/rules.d" "$root/usr/sbin" "$root/usr/share/doc/udevmoved"
    cat >"$root/DEBIAN/control" <<CTRL
Package: udevmoved
Version: 1.0-1
Architecture: all
Maintainer: Fixture Maker <fixtures@example.org>
Description: a package whose udev directory moved, for reprodiff tests
 Built by testdata/gen/deb-moved.sh.
CTRL
    printf '#!/bin/sh\nexec /usr/sbin/udevmoved "$@"\n' >"$root$udev/udevmoved-helper"
    chmod 755 "$root$udev/udevmoved-helper"
    cat >"$root$udev/rules.d/85-udevmoved.rules" <<RULES
# udevmoved: run the helper for added usb devices
ACTION=="change", SUBSYSTEM=="power_supply", RUN+="/usr/sbin/udevmoved auto"
ACTION=="add", SUBSYSTEM=="usb", RUN+="$udev/udevmoved-helper usb %p"
ACTION=="add", SUBSYSTEM=="block", ENV{ID_BUS}=="usb", RUN+="$udev/udevmoved-helper disk %p"
RULES
    printf '#!/bin/sh\necho udevmoved "$@"\n' >"$root/usr/sbin/udevmoved"
    chmod 755 "$root/usr/sbin/udevmoved"
    printf 'Helper: %s/udevmoved-helper\nMode: %s\n' "$udev" "$mode" \
        >"$root/usr/share/doc/udevmoved/README"
    find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    dpkg-deb --build --root-owner-group -Zxz "$root" "$out/udevmoved-$v.deb" >/dev/null
}
build a
build b
