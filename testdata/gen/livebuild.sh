#!/usr/bin/env bash
# How testdata/livebuild/ was made: small files taken from the two ISOs of a
# real live-build pair (benches/live-build-pair.sh: one trixie configuration
# built twice by separate `lb build` runs, SOURCE_DATE_EPOCH unset). Nothing
# is planted; the files are copied out of the images with xorriso (not with
# reprodiff, whose answers on them tests/livebuild.rs checks).
#
#   disk-info.{a,b}   /.disk/info (live-build's build stamp)
#   mkisofs.{a,b}     /.disk/mkisofs (the xorriso command line live-build ran)
#   sha256sum.{a,b}   /sha256sum.txt less its 522 lines for GRUB modules
#                     (boot/grub/{i386,x86_64}-efi/*), which are the same in
#                     both; every line that differs is kept
#
# The committed files come from builds started 2026-12-03 10:05:20 and
# 10:12:56 UTC (the clock of the machine that built them). A new pair has
# other times and hashes, so rerunning this changes the fixtures and the
# values tests/livebuild.rs expects.
#
#   testdata/gen/livebuild.sh [WORK]   (default benches/work/live-build;
#                                        builds the pair there if missing)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:-$root/benches/work/live-build}"
out="$root/testdata/livebuild"
if [ ! -s "$work/a.iso" ] || [ ! -s "$work/b.iso" ]; then
    bash "$root/benches/live-build-pair.sh" --work "$work"
fi
command -v xorriso >/dev/null 2>&1 || apt-get install -y xorriso
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for v in a b; do
    xorriso -osirrox on -indev "$work/$v.iso" \
        -extract /.disk/info "$tmp/info.$v" \
        -extract /.disk/mkisofs "$tmp/mkisofs.$v" \
        -extract /sha256sum.txt "$tmp/sha256sum.$v" >/dev/null 2>&1
    cp "$tmp/info.$v" "$out/disk-info.$v"
    cp "$tmp/mkisofs.$v" "$out/mkisofs.$v"
    grep -v -e '/i386-efi/' -e '/x86_64-efi/' "$tmp/sha256sum.$v" >"$out/sha256sum.$v"
done
chmod 0644 "$out"/*
ls -l "$out"
