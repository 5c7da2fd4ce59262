#!/usr/bin/env bash
# `reprodiff ls` of a large compressed archive: held (a budget larger than
# the archive), as it decodes under the default budget (512M: an archive
# decoding past 256 MiB is listed as it decodes, twice), and under a small
# one, beside `tar -tv` reading the same archive through zstd, all in one
# run, each with its wall time and peak anonymous memory (benches/measure.sh;
# not RSS, which counts the mapped input). The archive is this machine's
# /usr/share as tar+zstd (about 1 GiB decoded), written once under
# benches/work/ls-memory/; not run by tests or CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/../target/release/reprodiff"
(cd "$here/.." && cargo build --release --quiet)
command -v zstd >/dev/null || apt-get install -y zstd
. "$here/measure.sh"
W="$here/work/ls-memory"
mkdir -p "$W"
a="$W/usr-share.tar.zst"
if [ ! -s "$a" ]; then
    tar -C /usr -cf - --sort=name --mtime=@1700000000 share 2>/dev/null | zstd -q -3 -T0 -o "$a"
fi
cat "$a" >/dev/null
decoded=$(( $(zstd -dc "$a" | wc -c) >> 20 ))
echo "archive: $(du -m "$a" | cut -f1) MiB of tar+zstd, $decoded MiB decoded, $("$bin" ls "$a" | wc -l) rows"
measure "zstd -dc | tar -tv" sh -c "zstd -dc '$a' | tar -tvf - >/dev/null"
measure "reprodiff ls, held (--max-memory 8G)" "$bin" ls --max-memory 8G "$a"
measure "reprodiff ls (default budget)" "$bin" ls "$a"
measure "reprodiff ls --max-memory 16M" "$bin" ls --max-memory 16M "$a"
measure "reprodiff ls --json (default budget)" "$bin" ls --json "$a"
