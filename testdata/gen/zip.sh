#!/usr/bin/env bash
# Builds the ZIP fixtures in testdata/zip/ with Info-ZIP's zip: the same
# small tree (text, a compressible file, incompressible bytes, an empty
# file, a directory, a symlink, a nested gzip) packed with its extra fields
# (extended timestamps with atime, Unix uid/gid), without them (-X), all
# stored (-0), and forced to zip64 (-fz); and a pair a/b of one tree built
# twice with the usual reproducibility faults (one mtime, one file's
# content, member order, the access times zip records). Next to each:
# `zipinfo -l` and `zipinfo -T -l` listings, and the tree's sha256 list.
set -euo pipefail
for tool in zip:zip zipinfo:unzip xxd:xxd; do
    command -v "${tool%%:*}" >/dev/null || apt-get install -y "${tool##*:}"
done
export TZ=UTC LC_ALL=C
umask 022
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/zip"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

noise() { # count seed: incompressible, deterministic bytes
    local i
    for ((i = 0; i < $1; i++)); do printf '%s-%d' "$2" "$i" | sha256sum | cut -c1-64; done | xxd -r -p
}
tree() { # dir
    local t="$1"
    mkdir -p "$t/dir/sub"
    printf 'hello, zip\n' >"$t/hello.txt"
    seq 1 3000 >"$t/dir/numbers.txt"
    noise 64 zip >"$t/dir/noise.bin"
    : >"$t/empty"
    printf 'deep\n' >"$t/dir/sub/deep.txt"
    printf 'nested\n' | gzip -n -9 >"$t/dir/nested.gz"
    ln -s hello.txt "$t/link"
    find "$t" -depth -exec touch -h -d @1700000000 {} +
    atimes "$t" 1700000600
}
# zip records access times, and reading a file (zip itself, sha256sum)
# moves them under relatime: pin them again right before each zip run.
atimes() { # dir epoch
    find "$1" -exec touch -h -a -d "@$2" {} +
}
t="$work/tree"
tree "$t"
(cd "$t" && find . -type f -printf '%P\0' | sort -z | xargs -0 sha256sum) >"$out/tree.sha256"

pack() { # name zip-options...
    local name="$1"
    shift
    rm -f "$out/$name.zip"
    atimes "$t" 1700000600
    # A fixed order of names: zip takes them as given.
    (cd "$t" && zip -q -y "$@" "$out/$name.zip" dir dir/numbers.txt dir/noise.bin dir/nested.gz \
        dir/sub dir/sub/deep.txt empty hello.txt link)
    zipinfo -l "$out/$name.zip" | sed "s|$out/||" >"$out/$name.zipinfo"
    zipinfo -T -l "$out/$name.zip" | sed "s|$out/||" >"$out/$name.zipinfo-T"
}
pack info
pack bare -X
pack stored -0
pack zip64 -fz

# The pair: b built later, with hello.txt changed, dir/numbers.txt touched,
# the members in another order, and every file read (atime) at another time.
pair() { # name order...
    local name="$1"
    shift
    rm -f "$out/$name.zip"
    (cd "$work/$name" && zip -q -y "$out/$name.zip" "$@")
    zipinfo -l "$out/$name.zip" | sed "s|$out/||" >"$out/$name.zipinfo"
}
tree "$work/a"
pair a hello.txt dir dir/numbers.txt dir/noise.bin empty
tree "$work/b"
printf 'hello, ZIP\n' >"$work/b/hello.txt"
touch -d @1700000000 "$work/b/hello.txt"
touch -m -d @1700086400 "$work/b/dir/numbers.txt"
atimes "$work/b" 1700090000
pair b hello.txt dir/noise.bin dir dir/numbers.txt empty
ls -l "$out"
