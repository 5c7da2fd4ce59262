#!/usr/bin/env bash
# Reruns the fuzz campaign: builds every target, copies its seeds from the
# committed fixtures into fuzz/seeds/<target>/ (not committed: they are the
# fixtures), runs it on fuzz/corpus/<target>/ (committed) and the seeds until
# it has executed RUNS inputs (10 M; 1 M for the detect-and-recurse `walk`
# and for `pair`, the whole engine over two inputs)
# or SECONDS have passed, then minimizes the corpus in place (libFuzzer
# -merge=1 over corpus and seeds, so only inputs that add coverage stay,
# the seeds themselves left out), keeps its smallest inputs up to 1 MiB
# (what is committed) and prints one line per target:
# executions, seconds, executions per second, corpus files and bytes, and
# any crash, hang or out-of-memory input left in fuzz/artifacts/<target>/.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
#
# Targets are built with overflow checks and debug assertions (an integer
# that wraps in a reader is a panic here) and without AddressSanitizer:
# the readers are safe Rust (the one `unsafe`, the input's memory map, is
# not on a fuzzed path) and the C decoders they link (liblzma, zstd, and
# for the fuzz build C zlib and libbz2: see fuzz/Cargo.toml) are not
# instrumented by cargo-fuzz's sanitizer flags, so ASan would find
# nothing a panic or abort does not, at a sixth of the speed (a FAT run:
# 55,709 against 363,189 executions in 60 s). SANITIZER=address builds
# and runs with it instead, in its own target folder.
# Inputs are capped at 1 MiB (-max_len; 64 KiB for `stream` and `structured`,
# whose seeds are at most 37 KB: past that a compressed stream only decodes
# more of the same, up to 100 times its size, and a text only makes more of
# the same comparisons, while each execution costs more; 256 KiB for `fat`
# and 512 KiB for `pair`, see max_len) and 2 GiB of RSS
# (-rss_limit_mb) per run, with a 10 s timeout per input: a slower input is
# a hang to fix.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
all=(ar beam cpio disk elf fat iso9660 pe png squashfs stream structured tar zip walk pair)
targets=("${@:-${all[@]}}")
td=../testdata

seeds() {
    case "$1" in
    ar) ls "$td"/deb/*.deb "$td"/deb/*.a ;;
    beam) ls "$td"/diagnose/*.beam ;;
    cpio) ls "$td"/cpio/*.cpio "$td"/cpio/*.img ;;
    disk) ls "$td"/disk/isohybrid-sysarea.bin "$td"/disk/*.img.gz ;;
    fat) ls "$td"/fat/*.img "$td"/fat/*.img.gz ;;
    iso9660) ls "$td"/iso/*.iso ;;
    pe) ls "$td"/pe/*.efi "$td"/pe/*.img.gz ;;
    png) ls "$td"/png/*.png ;;
    squashfs) ls "$td"/squashfs/*.squashfs ;;
    stream) ls "$td"/stream/* ;;
    structured) ls "$td"/structured/* "$td"/diagnose/status.* ;;
    tar) ls "$td"/tar/*.tar* ;;
    zip) ls "$td"/zip/* ;;
    # Pairs of fixtures, written as one input each by pair_seeds and
    # elf_seeds.
    pair | elf) ;;
    walk) ls "$td"/cpio/initrd-*.img "$td"/deb/*.deb "$td"/squashfs/*.squashfs \
        "$td"/release/a/*.iuk* "$td"/zip/*.zip "$td"/iso/*.iso ;;
    esac 2>/dev/null || true
    # Inputs that once found a bug, kept under tests once it was fixed.
    ls "$td/fuzz/$1"/* 2>/dev/null || true
}

# The `elf` target's inputs: two compiled fixtures one after the other (the
# target splits at the second ELF magic).
elf_seeds() {
    local out="$1" a b
    while read -r a b; do
        cat "$td/diagnose/$a" "$td/diagnose/$b" >"$out/$a--$b"
    done <<'PAIRS'
hello.a hello.b
layout.a layout.b
property.a.o property.b.o
toolchain.a toolchain.b
toolchain.a toolchain.stripped
true.a true.b
when.a when.b
PAIRS
}

# Longest input libFuzzer makes (and reads: longer seeds are truncated).
# `pair` at 512 KiB: its largest seed (two 202 KiB ISOs) fits, and past
# that its inputs only grew into more of the same image pairs, the rate
# falling from 840 to 250 a second. `fat` at 256 KiB: the FAT16 and FAT32
# seeds keep their boot sectors, FATs and root directories, and a run no
# longer spends itself reading megabyte volumes file by file (its rate
# fell from 3,176 to under 100 a second as inputs grew to 1 MiB).
max_len() {
    case "$1" in
    stream | structured) echo 65536 ;;
    fat) echo 262144 ;;
    pair) echo 524288 ;;
    *) echo 1048576 ;;
    esac
}

# The `pair` target's inputs: a's length (4 bytes, little-endian), a, b.
pair_seeds() {
    local out="$1" a b n
    while read -r a b; do
        [ -f "$td/$a" ] && [ -f "$td/$b" ] || continue
        n=$(stat -c %s "$td/$a")
        [ $((n + $(stat -c %s "$td/$b"))) -le $(($(max_len pair) - 4)) ] || continue
        {
            printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n & 255)) $((n >> 8 & 255)) \
                $((n >> 16 & 255)) $((n >> 24 & 255)))"
            cat "$td/$a" "$td/$b"
        } >"$out/$(basename "$a")--$(basename "$b")"
    done <<'PAIRS'
lockstep/a.squashfs lockstep/b.squashfs
squashfs/tails.squashfs squashfs/tails-neighbour.squashfs
squashfs/gzip.squashfs squashfs/zstd.squashfs
tar/gnu.tar tar/pax.tar
tar/hardlinks-a.tar tar/hardlinks-b.tar
tar/hardlinks-a.tar.gz tar/hardlinks-b.tar.gz
deb/hello-xz.deb deb/hello-zst.deb
zip/a.zip zip/b.zip
zip/stored.zip zip/bare.zip
iso/offset-a.iso iso/offset-b.iso
PAIRS
}

san="${SANITIZER:-none}"
for t in "${targets[@]}"; do
    cargo +nightly fuzz build --release --debug-assertions --sanitizer "$san" \
        --target-dir "target/$san" "$t" 2>&1 | tail -2 >&2
done
bin="target/$san/x86_64-unknown-linux-gnu/release"
printf '%-11s %12s %8s %9s %7s %10s  %s\n' target execs seconds exec/s files bytes findings
for t in "${targets[@]}"; do
    corpus="corpus/$t" seeded="seeds/$t"
    mkdir -p "$corpus" "artifacts/$t"
    rm -rf "$seeded" && mkdir -p "$seeded"
    for s in $(seeds "$t"); do
        [ -f "$s" ] || continue
        case "$s" in
        # head closes the pipe after 1 MiB: not a failure.
        *.gz) { gzip -dc "$s" 2>/dev/null || true; } | head -c 1048576 >"$seeded/$(basename "$s" .gz)" ;;
        *) head -c 1048576 "$s" >"$seeded/$(basename "$s")" ;;
        esac
    done
    runs=10000000
    [ "$t" = walk ] || [ "$t" = pair ] && runs=1000000
    [ "$t" = pair ] && pair_seeds "$seeded"
    [ "$t" = elf ] && elf_seeds "$seeded"
    log="artifacts/$t.log"
    len=$(max_len "$t")
    start=$(date +%s)
    "$bin/$t" "$corpus" "$seeded" -runs="$runs" -max_total_time="$seconds" -max_len="$len" \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="artifacts/$t/" >"$log" 2>&1 || true
    elapsed=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    # Minimize: merge the grown corpus into an empty one, keep that.
    rm -rf "$corpus.min" && mkdir "$corpus.min"
    if "$bin/$t" -merge=1 -max_len="$len" -rss_limit_mb=2048 -timeout=10 \
        "$corpus.min" "$seeded" "$corpus" >>"$log" 2>&1; then
        # libFuzzer names a corpus file by its content's SHA-1.
        for s in "$seeded"/*; do
            [ -e "$s" ] && rm -f "$corpus.min/$(sha1sum "$s" | cut -d' ' -f1)"
        done
        rm -rf "$corpus" && mv "$corpus.min" "$corpus"
    fi
    # What is committed: the smallest inputs, up to 1 MiB a target (the
    # larger ones are mostly mutated fixtures, which the seeds regrow).
    find "$corpus" -type f -printf '%s %p\n' | sort -n |
        awk '{ s += $1; if (s > 1048576) print $2 }' | xargs -r rm -f
    files=$(find "$corpus" -type f | wc -l)
    bytes=$(du -sb "$corpus" | cut -f1)
    findings=$(find "artifacts/$t" -type f | wc -l)
    printf '%-11s %12s %8s %9s %7s %10s  %s\n' "$t" "${execs:-?}" "$elapsed" \
        "$(( ${execs:-0} / (elapsed > 0 ? elapsed : 1) ))" "$files" "$bytes" "$findings"
done
