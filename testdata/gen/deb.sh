#!/usr/bin/env bash
# Builds two tiny .deb packages with dpkg-deb (one xz, one zstd compressed)
# and records dpkg-deb's and ar's own listings next to them, for
# formats/tests/ar.rs. Timestamps are pinned through SOURCE_DATE_EPOCH, which
# dpkg-deb uses for both the ar member dates and the tar entry mtimes.
set -euo pipefail
command -v dpkg-deb >/dev/null && command -v ar >/dev/null && command -v zstd >/dev/null \
    || apt-get install -y dpkg binutils zstd
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC LC_ALL=C
umask 022
out="$(cd "$(dirname "$0")/.." && pwd)/deb"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# build <name> <compressor>
build() {
    local pkg="$1" z="$2" root="$work/$1"
    mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/doc/$pkg" "$root/etc/$pkg"
    cat >"$root/DEBIAN/control" <<CTRL
Package: $pkg
Version: 1.0-1
Architecture: all
Maintainer: Fixture Maker <fixtures@example.org>
Description: tiny fixture package for reprodiff tests
 Built by testdata/gen/deb.sh.
CTRL
    echo "/etc/$pkg/$pkg.conf" >"$root/DEBIAN/conffiles"
    printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nLicense: MIT\n' \
        >"$root/usr/share/doc/$pkg/copyright"
    printf '%s (1.0-1) unstable; urgency=low\n\n  * Initial release.\n' "$pkg" \
        >"$root/usr/share/doc/$pkg/changelog.Debian"
    gzip -9n "$root/usr/share/doc/$pkg/changelog.Debian"
    printf '#!/bin/sh\necho hello from %s\n' "$pkg" >"$root/usr/bin/$pkg"
    chmod 755 "$root/usr/bin/$pkg"
    ln -s "$pkg" "$root/usr/bin/$pkg-alias"
    printf 'greeting=hello\n' >"$root/etc/$pkg/$pkg.conf"
    find "$root" -exec touch -h -d @1700000000 {} +
    dpkg-deb --build --root-owner-group "-Z$z" "$root" "$out/$pkg.deb" >/dev/null
    dpkg-deb -c "$out/$pkg.deb" >"$out/$pkg.deb.contents"
    ar tv "$out/$pkg.deb" >"$out/$pkg.deb.ar-tv"
    dpkg-deb --ctrl-tarfile "$out/$pkg.deb" | tar tv --full-time --numeric-owner >"$out/$pkg.deb.control-tv"
}

build hello-xz xz
build hello-zst zstd

# A plain GNU ar archive with a member name over 15 characters, so the `//`
# long-name table is exercised. `D` makes ar write zero dates and owners.
mkdir -p "$work/ar"
printf 'short\n' >"$work/ar/a.txt"
printf 'odd\n1' >"$work/ar/a-member-with-a-long-name.txt"
(cd "$work/ar" && ar rcD "$out/long-names.a" a.txt a-member-with-a-long-name.txt)
ar tv "$out/long-names.a" >"$out/long-names.a.ar-tv"

# A package built twice as a same-source backport rebuild is: another
# Version, an older libc6 in the shlibs dependency, one changelog entry more
# on top (so SOURCE_DATE_EPOCH, which dpkg-buildpackage reads from it with
# dpkg-parsechangelog, moves and every clamped mtime with it), the older
# entries trimmed on one side only (a newer dh_installchangelogs), and one
# script changed: its md5sums line in control.tar names a file of data.tar.
command -v dpkg-parsechangelog >/dev/null || apt-get install -y dpkg-dev
# Each release's compiler (Debian 12 ships gcc-11 and gcc-12): the code of
# the package's binary differs, stripped of its .comment as dh_strip does.
command -v gcc-11 >/dev/null && command -v gcc-12 >/dev/null || apt-get install -y gcc-11 gcc-12
cat >"$work/square.c" <<'C'
#include <stdio.h>
static int square(int x) { return x * x; }
int main(int argc, char **argv) { printf("%d %s\n", square(argc), argv[0]); return 0; }
C
rebuild() {
    local v="$1" root="$work/rebuilt-$1" version=1.0-1 libc=2.36
    [ "$v" = b ] && version=1.0-1~bpo12+1 libc=2.34
    mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/doc/rebuilt" "$work/src-$v/debian"
    cat >"$root/DEBIAN/control" <<CTRL
Package: rebuilt
Version: $version
Architecture: all
Depends: libc6 (>= $libc)
Maintainer: Fixture Maker <fixtures@example.org>
Description: a package built twice for reprodiff tests
 Built by testdata/gen/deb.sh.
CTRL
    local log="$work/src-$v/debian/changelog"
    if [ "$v" = b ]; then
        cat >"$log" <<LOG
rebuilt (1.0-1~bpo12+1) bookworm-backports; urgency=medium

  * Rebuild for bookworm-backports.

 -- Fixture Maker <fixtures@example.org>  Tue, 15 Aug 2023 19:39:00 -0400

LOG
    fi
    cat >>"$log" <<LOG
rebuilt (1.0-1) unstable; urgency=medium

  * New upstream release.

 -- Fixture Maker <fixtures@example.org>  Fri, 04 Aug 2023 17:32:05 -0400

LOG
    if [ "$v" = a ]; then
        printf '# Older entries have been removed from this changelog.\n# To read the complete changelog use `apt changelog rebuilt`.\n' >>"$log"
    else
        cat >>"$log" <<LOG
rebuilt (0.9-1) unstable; urgency=low

  * Initial release.

 -- Fixture Maker <fixtures@example.org>  Mon, 01 May 2023 10:00:00 +0000
LOG
    fi
    local sde
    sde=$(cd "$work/src-$v" && dpkg-parsechangelog -STimestamp)
    cp "$log" "$root/usr/share/doc/rebuilt/changelog.Debian"
    gzip -9n "$root/usr/share/doc/rebuilt/changelog.Debian"
    printf '#!/bin/sh\necho built %s\n' "$v" >"$root/usr/bin/rebuilt"
    chmod 755 "$root/usr/bin/rebuilt"
    printf 'License: MIT\n' >"$root/usr/share/doc/rebuilt/copyright"
    # A man page Doxygen wrote, from a real rebuild pair: the same words in
    # other markup (testdata/gen/debian-fragments.sh).
    mkdir -p "$root/usr/share/man/man7"
    cp "$out/../diagnose/access.7.$v.gz" "$root/usr/share/man/man7/rebuilt-access.7.gz"
    # A build stamp to the day, taken from SOURCE_DATE_EPOCH as builds do.
    mkdir -p "$root/usr/share/rebuilt"
    printf 'rebuilt, built on %s\n' "$(date -u -d "@$sde" +%Y-%m-%d)" >"$root/usr/share/rebuilt/stamp"
    local cc=gcc-12
    [ "$v" = b ] && cc=gcc-11
    "$cc" -O2 -o "$root/usr/bin/square" "$work/square.c"
    strip --remove-section=.comment --remove-section=.note "$root/usr/bin/square"
    (cd "$root" && find usr -type f | LC_ALL=C sort | xargs md5sum >DEBIAN/md5sums)
    find "$root" -exec touch -h -d "@$sde" {} +
    SOURCE_DATE_EPOCH=$sde dpkg-deb --build --root-owner-group -Zxz "$root" "$out/rebuilt-$v.deb" >/dev/null
}
rebuild a
rebuild b
