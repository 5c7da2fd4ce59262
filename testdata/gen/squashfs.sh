#!/usr/bin/env bash
# Builds the SquashFS fixtures in testdata/squashfs/: one small tree holding
# every inode type (files spanning several 4 KiB blocks, a fragment tail, a
# sparse block, an incompressible block, hard links, a symlink, devices, a
# fifo, a socket, xattrs inline and out of line, a private dir owned by a
# non-root user), packed with each compressor mksquashfs offers us.
# Next to each image: `unsquashfs -lln` (numeric ids) and `-lls` listings;
# next to the tree: a manifest of exact metadata and a sha256 of every file,
# so the tests need neither the tree nor any tool.
set -euo pipefail
for tool in mksquashfs:squashfs-tools setfattr:attr xxd:xxd python3:python3; do
    command -v "${tool%%:*}" >/dev/null || apt-get install -y "${tool##*:}"
done
export TZ=UTC SOURCE_DATE_EPOCH=1700000000
umask 022
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/squashfs"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
t="$work/tree"
mkdir -p "$t/dir/sub" "$t/private"

# Incompressible bytes, deterministic: a sha256 chain turned back into binary.
noise() { # count seed
    local i
    for ((i = 0; i < $1; i++)); do printf '%s-%d' "$2" "$i" | sha256sum | cut -c1-64; done | xxd -r -p
}

printf 'hello, squashfs\n' >"$t/small.txt"
: >"$t/empty"
# 3 full 4 KiB blocks plus a 1000-byte tail: compressible text then noise.
{ seq 1 3000 | head -c 8192; noise 128 big; } >"$t/big.bin"
head -c 1000 /dev/zero | tr '\0' 'z' >>"$t/big.bin"
# Block 1 of 3 is all zeros: stored as a sparse block (size 0).
{ noise 128 sp0; head -c 4096 /dev/zero; seq 1 2000 | head -c 4096; } >"$t/sparse.bin"
printf 'exactly one block of text\n' >"$t/dir/note"
seq 1 2000 | head -c 4096 >"$t/dir/block4k"
printf 'deep\n' >"$t/dir/sub/deep.txt"
printf 'secret\n' >"$t/private/key"
ln -s small.txt "$t/link"
ln -s ../../big.bin "$t/dir/sub/uplink"
printf 'linked twice\n' >"$t/hard1"
ln "$t/hard1" "$t/dir/hard2"
mkfifo "$t/pipe"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$t/sock"
mknod "$t/null" c 1 3
mknod "$t/sda1" b 8 1
mknod "$t/bigdev" c 300 70000
chmod 700 "$t/private"
chmod 600 "$t/private/key"
chmod 4755 "$t/dir/note"
chown -R 1000:1001 "$t/private"
chown 65534:100 "$t/dir/block4k"
setfattr -n user.foo -v bar "$t/small.txt"
setfattr -n trusted.level -v 7 "$t/small.txt"
setfattr -n security.label -v 'system_u:object_r:etc_t' "$t/dir"
long="$(printf 'v%.0s' $(seq 1 300))"
# Repeated values are stored once and referenced out of line.
setfattr -n user.shared -v "$long" "$t/big.bin"
setfattr -n user.shared -v "$long" "$t/dir/note"
setfattr -n user.empty "$t/empty"

# Distinct mtimes, children first so directory times stick.
n=0
while IFS= read -r p; do
    n=$((n + 1))
    touch -h -d "@$((1600000000 + n * 86461))" "$p"
done < <(find "$t" -depth)

# Exact metadata of the tree: path kind mode uid gid size mtime nlink rdev target.
(cd "$t" && find . -printf '%P\t%y\t%m\t%U\t%G\t%s\t%T@\t%n\t%l\n' | sort) >"$out/tree.manifest"
(cd "$t" && find . -mindepth 1 -type f -printf '%P\0' | sort -z | xargs -0 sha256sum) >"$out/tree.sha256"
(cd "$t" && find . -mindepth 1 \( -type b -o -type c \) -printf '%P\n' | sort | while read -r d; do
    printf '%s\t%d\t%d\n' "$d" "$(stat -c '0x%t' "$d")" "$(stat -c '0x%T' "$d")"
done) >"$out/tree.devices"
(cd "$t" && getfattr -R -h -d -m - --absolute-names . 2>/dev/null) >"$out/tree.xattrs"

build() { # name compressor args...
    local name="$1"
    shift
    rm -f "$out/$name.squashfs"
    env -u SOURCE_DATE_EPOCH mksquashfs "$t" "$out/$name.squashfs" -noappend -quiet -no-progress -b 4096 \
        -mkfs-time 1700000000 -comp "$@" >/dev/null
    unsquashfs -lln "$out/$name.squashfs" >"$out/$name.lln"
    unsquashfs -lls "$out/$name.squashfs" >"$out/$name.lls"
    # unsquashfs names the image by its absolute path: keep only the name.
    unsquashfs -s "$out/$name.squashfs" | sed "s|$out/||" >"$out/$name.super"
}
build xz xz
build zstd zstd -Xcompression-level 19
build gzip gzip -Xcompression-level 6 -Xwindow-size 12
build lz4 lz4 -Xhc
# Fragments off and no exports: every tail in its own block.
build gzip-nofrag gzip -no-fragments -no-exports -no-xattrs
# Tails of big files packed in fragments too (mksquashfs packs them apart
# from small files; live-build keeps the default, where only small files
# are): a second big file whose tail shares a fragment block with big.bin's,
# then the same with only that tail's bytes changed. The fragment block
# differs; big.bin's bytes do not.
rootm="$(stat -c %Y "$t")"
big2() { # tail-text
    { noise 256 big2; printf '%s' "$1"; } >"$t/big2.bin"
    touch -h -d "@$rootm" "$t/big2.bin" "$t"
}
big2 'tail of big2, first build'
build tails gzip -always-use-fragments
big2 'tail of big2, other build'
build tails-neighbour gzip -always-use-fragments
ls -l "$out"
