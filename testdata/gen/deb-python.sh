#!/usr/bin/env bash
# Builds one package twice as two releases' builds do when their default
# Python differs (3.13 in trixie, 3.11 in bookworm, as omniidl's
# bookworm-backports build shows): the extension module carries the
# interpreter's ABI tag in its name, a link names the extension, and
# dh-python's postinst and runtime hook byte-compile for that version. A
# NOTES file names the version too but as another one (3.12), so it stays
# unexplained. dpkg-deb builds both; SOURCE_DATE_EPOCH is pinned and the
# same.
set -euo pipefail
command -v dpkg-deb >/dev/null || apt-get install -y dpkg
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC LC_ALL=C
umask 022
out="$(cd "$(dirname "$0")/.." && pwd)/deb"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() {
    local v="$1" py=3.13 tag=313 noted=3.13
    [ "$v" = b ] && py=3.11 tag=311 noted=3.12
    local root="$work/$v" lib=usr/lib/pyext
    mkdir -p "$root/DEBIAN" "$root/$lib" "$root/usr/share/python3/runtime.d" \
        "$root/usr/share/doc/pyext"
    cat >"$root/DEBIAN/control" <<CTRL
Package: pyext
Version: 1.0-1
Architecture: amd64
Maintainer: Fixture Maker <fixtures@example.org>
Description: a Python extension built for two interpreters, for reprodiff tests
 Built by testdata/gen/deb-python.sh.
CTRL
    cat >"$root/DEBIAN/postinst" <<SCRIPT
#!/bin/sh
set -e
if command -v py3compile >/dev/null 2>&1; then
	py3compile -p pyext:amd64 /usr/lib/pyext -V $py
fi
SCRIPT
    chmod 755 "$root/DEBIAN/postinst"
    # The extension's bytes are the same: only its name differs.
    printf 'extension module for the fixture\n' >"$root/$lib/_pyext.cpython-$tag-x86_64-linux-gnu.so"
    ln -s "_pyext.cpython-$tag-x86_64-linux-gnu.so" "$root/$lib/_pyext.so"
    printf 'if [ "$1" = rtupdate ]; then\n\tpy3compile -p pyext -V %s /usr/lib/pyext\nfi\n' "$py" \
        >"$root/usr/share/python3/runtime.d/pyext.rtupdate"
    chmod 755 "$root/usr/share/python3/runtime.d/pyext.rtupdate"
    printf 'Tested with Python %s.\n' "$noted" >"$root/usr/share/doc/pyext/NOTES"
    find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    dpkg-deb --build --root-owner-group -Zxz "$root" "$out/pyext-$v.deb" >/dev/null
}
build a
build b
