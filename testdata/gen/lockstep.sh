#!/usr/bin/env bash
# Builds testdata/lockstep/{a,b}.squashfs: a rebuild pair of a small root
# file system for walking two SquashFS listings side by side. Most members
# are identical (200 package directories); the rest is what must never be
# dropped unseen: a changed package (status, binary) whose dpkg `.list` is
# unchanged, a hard-link pair, a changed mtime, a file only in a, one only
# in b (which renumbers every inode after it), a rename, and names whose
# walk order is not their byte order (`a/b` before `a-b`) or that are not
# UTF-8, with members added among them.
set -euo pipefail
command -v mksquashfs >/dev/null || apt-get install -y squashfs-tools
export TZ=UTC
umask 022
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/lockstep"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

tree() { # side dir
    local t="$2" i
    mkdir -p "$t/usr/bin" "$t/usr/lib" "$t/usr/share" "$t/var/lib/dpkg/info" "$t/etc" \
        "$t/order/a" "$t/names"
    for i in $(seq -w 0 199); do
        mkdir -p "$t/usr/share/doc/pkg-$i"
        printf 'Files: *\nCopyright: package %s\n' "$i" >"$t/usr/share/doc/pkg-$i/copyright"
    done
    printf 'linked\n' >"$t/usr/bin/l1"
    ln "$t/usr/bin/l1" "$t/usr/bin/l2"
    printf '/.\n/usr\n/usr/bin\n/usr/bin/hello\n' >"$t/var/lib/dpkg/info/hello.list"
    printf 'Welcome\n' >"$t/etc/motd"
    printf 'b\n' >"$t/order/a/b"
    printf 'a-b\n' >"$t/order/a-b"
    printf 'a.b\n' >"$t/order/a.b"
    printf 'latin-1\n' >"$t/names/"$'caf\xe9'
    printf 'ascii\n' >"$t/names/cafe"
    printf 'utf-8\n' >"$t/names/café"
    seq 1 500 >"$t/usr/lib/libfoo.so.$([ "$1" = a ] && echo 1 || echo 2)"
    if [ "$1" = a ]; then
        printf 'hello 1.0\n' >"$t/usr/bin/hello"
        printf 'Package: hello\nStatus: install ok installed\nVersion: 1.0\n\n' >"$t/var/lib/dpkg/status"
        printf 'old\n' >"$t/usr/share/old.txt"
    else
        printf 'hello 1.1\n' >"$t/usr/bin/hello"
        printf 'Package: hello\nStatus: install ok installed\nVersion: 1.1\n\n' >"$t/var/lib/dpkg/status"
        printf 'new\n' >"$t/usr/share/doc/new.txt"
        # Added where walk order and byte order disagree: `a/c` walks
        # before `a-b` and sorts after it; `cafò` walks before the latin-1
        # name and sorts after its escaped form `caf\xe9`.
        printf 'c\n' >"$t/order/a/c"
        printf 'o\n' >"$t/names/cafò"
    fi
    find "$t" -exec touch -h -d @1700000000 {} +
    [ "$1" = a ] || touch -d @1700003600 "$t/etc/motd"
}

for side in a b; do
    tree "$side" "$work/$side"
    mksquashfs "$work/$side" "$out/$side.squashfs" -noappend -quiet -no-progress \
        -comp gzip -no-xattrs -mkfs-time 1700000000 -all-root >/dev/null
done
ls -l "$out"
