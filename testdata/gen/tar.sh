#!/usr/bin/env bash
# Builds small tar archives with GNU tar in each header format (ustar, gnu,
# pax, v7) and records `tar tvf --full-time` listings next to them, for
# formats/tests/tar.rs. Needs root for the device node and the xattr.
set -euo pipefail
command -v tar >/dev/null && command -v setfattr >/dev/null || apt-get install -y tar attr
export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=1700000000
umask 022
out="$(cd "$(dirname "$0")/.." && pwd)/tar"
mkdir -p "$out"
work="$(mktemp -d -p "${TMPDIR:-/var/tmp}")"
trap 'rm -rf "$work"' EXIT

pins=(--sort=name --owner=0 --group=0 --numeric-owner)
list() { tar tvf "$1" --full-time --numeric-owner >"$1.tv"; }

# A tree with every entry kind tar records.
t="$work/tree"
mkdir -p "$t/dir/sub"
printf 'hello\n' >"$t/dir/file.txt"
printf '#!/bin/sh\nexit 0\n' >"$t/dir/run.sh"
chmod 755 "$t/dir/run.sh"
chmod 750 "$t/dir/sub"
ln "$t/dir/file.txt" "$t/dir/hardlink.txt"
ln -s file.txt "$t/dir/symlink"
mkfifo "$t/dir/fifo"
mknod "$t/dir/null" c 1 3
mknod "$t/dir/loop9" b 7 9
head -c 1000 /dev/zero | tr '\0' 'x' >"$t/dir/sub/big.txt"
find "$t" -exec touch -h -d @1700000000 {} +

(cd "$t" && tar -cf "$out/ustar.tar" --format=ustar --mtime=@1700000000 "${pins[@]}" dir)
list "$out/ustar.tar"
(cd "$t" && tar -cf "$out/v7.tar" --format=v7 --mtime=@1700000000 "${pins[@]}" dir/file.txt dir/run.sh dir/symlink dir/sub)
list "$out/v7.tar"

# GNU format: a path over 100 bytes and a symlink target over 100 bytes
# force the ././@LongLink (L and K) records.
g="$work/gnu"
long="a-directory-name-that-is-quite-long/another-directory-name-that-is-also-long/and-a-third-one"
mkdir -p "$g/$long"
printf 'deep\n' >"$g/$long/deep-file-with-a-long-name.txt"
ln -s "../../../$long/deep-file-with-a-long-name.txt" "$g/$long/link-back"
find "$g" -exec touch -h -d @1700000000 {} +
(cd "$g" && tar -cf "$out/gnu.tar" --format=gnu --mtime=@1700000000 "${pins[@]}" .)
list "$out/gnu.tar"

# pax: an xattr, a sub-second mtime and a long path, which only pax headers
# can carry, and a global header. GNU tar stamps the global header with the
# current time unless globexthdr.mtime pins it.
p="$work/pax"
mkdir -p "$p"
printf 'with attributes\n' >"$p/attr.txt"
setfattr -n user.reprodiff -v fixture-value "$p/attr.txt"
printf 'fractional\n' >"$p/frac.txt"
deep="$p/pax-path-component-number-one/pax-path-component-number-two/pax-path-component-number-three"
mkdir -p "$deep"
# A last component over 100 bytes cannot be split into ustar prefix/name,
# so tar must write a pax `path` record.
printf 'deep\n' >"$deep/$(printf 'x%.0s' $(seq 1 110)).txt"
find "$p" -exec touch -h -d @1700000000 {} +
touch -d '@1700000000.123456789' "$p/frac.txt" "$p/attr.txt"
(cd "$p" && tar -cf "$out/pax.tar" --format=pax --xattrs --xattrs-include='user.*' \
    --pax-option=delete=atime,delete=ctime,comment=global-fixture-comment,globexthdr.mtime=1700000000 \
    "${pins[@]}" attr.txt frac.txt pax-path-component-number-one)
list "$out/pax.tar"

# Sparse files: GNU 'S' headers with more than four data runs (so the map
# spills into an extension block), and pax sparse. Listed, not expanded.
s="$work/sparse"
mkdir -p "$s"
truncate -s 0 "$s/holes.bin"
for i in 0 1 2 3 4 5; do
    printf 'run%d' "$i" | dd of="$s/holes.bin" bs=1 seek=$((i * 65536)) conv=notrunc status=none
done
truncate -s $((6 * 65536)) "$s/holes.bin"
printf 'plain\n' >"$s/plain.txt"
find "$s" -exec touch -h -d @1700000000 {} +
(cd "$s" && tar -cf "$out/sparse-gnu.tar" --format=gnu --sparse "${pins[@]}" holes.bin plain.txt)
list "$out/sparse-gnu.tar"
# pax sparse 0.0: versions 0.1 and 1.0 put tar's PID in the stored name
# (GNUSparseFile.<pid>/), so they cannot be built reproducibly.
(cd "$s" && tar -cf "$out/sparse-pax.tar" --format=pax --sparse --sparse-version=0.0 \
    --pax-option=delete=atime,delete=ctime \
    "${pins[@]}" holes.bin plain.txt)
list "$out/sparse-pax.tar"

# One hard-link group stored both ways round: tar stores the bytes with the
# name it meets first and makes the other a link to it, so which is the
# link follows the member order (here the order given; a tree walked in
# readdir order does the same). The third archive has other bytes in the
# group, stored as in the second.
h="$work/hardlinks"
mkdir -p "$h/a/d" "$h/c/d"
printf 'the bytes of the group\n' >"$h/a/d/x"
printf 'other bytes in the group\n' >"$h/c/d/x"
for side in a c; do
    ln "$h/$side/d/x" "$h/$side/d/y"
    printf 'alone\n' >"$h/$side/d/z"
done
# And the group's two names as two files of the same bytes.
mkdir -p "$h/d/d"
printf 'the bytes of the group\n' >"$h/d/d/x"
printf 'the bytes of the group\n' >"$h/d/d/y"
printf 'alone\n' >"$h/d/d/z"
find "$h" -exec touch -h -d @1700000000 {} +
ordered=(--format=gnu --owner=0 --group=0 --numeric-owner)
(cd "$h/a" && tar -cf "$out/hardlinks-a.tar" "${ordered[@]}" d/x d/y d/z)
(cd "$h/a" && tar -cf "$out/hardlinks-b.tar" "${ordered[@]}" d/y d/x d/z)
(cd "$h/c" && tar -cf "$out/hardlinks-c.tar" "${ordered[@]}" d/y d/x d/z)
(cd "$h/d" && tar -cf "$out/hardlinks-d.tar" "${ordered[@]}" d/y d/x d/z)
for x in a b c d; do list "$out/hardlinks-$x.tar"; done
# Gzipped too, for the engine's pair fuzz target, which compares
# compressed pairs member by member under a small budget.
for x in a b; do gzip -9nkf "$out/hardlinks-$x.tar"; done

# A help tree's figures per locale, as GNOME's help installs them: a copy
# of the C locale's figure in one build, a symbolic link to it in the
# other (the installing tool's choice), and in a third a link to a figure
# with other bytes of the same length, which is not the same file.
l="$work/linked"
for side in a b c; do
    mkdir -p "$l/$side/help/C/figures" "$l/$side/help/ca/figures"
    printf 'figure bytes\n' >"$l/$side/help/C/figures/f.png"
done
printf 'figure BYTES\n' >"$l/c/help/C/figures/f.png"
cp "$l/a/help/C/figures/f.png" "$l/a/help/ca/figures/f.png"
ln -s ../../C/figures/f.png "$l/b/help/ca/figures/f.png"
ln -s ../../C/figures/f.png "$l/c/help/ca/figures/f.png"
find "$l" -exec touch -h -d @1700000000 {} +
for x in a b c; do
    (cd "$l/$x" && tar -cf "$out/linked-$x.tar" --format=gnu "${pins[@]}" help)
    list "$out/linked-$x.tar"
done
