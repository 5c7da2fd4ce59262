#!/usr/bin/env bash
# An initrd-like pair too large to hold at a small budget: this machine's
# Perl library (a few thousand files, about 50 MB) archived by GNU cpio
# (newc) and compressed by zstd, b with 300 modules touched after the clamp
# and one module grown by a line. Prints wall time and peak anonymous
# memory (benches/measure.sh) of reprodiff at the default budget (the
# decoded archive held whole) and at 16 MiB (read member by member as both
# decode), with `zstdcat a & zstdcat b` as the baseline, all in one run;
# then whether both reports name the same members with the same changes
# and causes. Writes under benches/work/cpio-members/; not run by tests or CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/../target/release/reprodiff"
(cd "$here/.." && cargo build --release --quiet)
command -v cpio >/dev/null || apt-get install -y cpio
command -v zstd >/dev/null || apt-get install -y zstd
. "$here/measure.sh"
W="$here/work/cpio-members"
mkdir -p "$W"
if [ ! -s "$W/b.cpio.zst" ]; then
    t="$W/tree"
    rm -rf "$t" && mkdir -p "$t"
    cp -a /usr/share/perl /usr/lib/x86_64-linux-gnu/perl* "$t/" 2>/dev/null || true
    find "$t" -exec touch -h -d @1700000000 {} +
    pack() { (cd "$t" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | zstd -q -3 -f -o "$1"); }
    pack "$W/a.cpio.zst"
    find "$t" -name '*.pm' | LC_ALL=C sort | sed -n '1,300p' | xargs -d '\n' touch -d @1700003600
    grown=$(find "$t" -name '*.pm' | LC_ALL=C sort | sed -n 400p)
    echo '1;' >>"$grown"
    touch -d @1700000000 "$grown"
    pack "$W/b.cpio.zst"
    rm -rf "$t"
fi
a="$W/a.cpio.zst" b="$W/b.cpio.zst"
cat "$a" "$b" >/dev/null
echo "archives: $(stat -c %s "$a") bytes compressed, $(zstdcat "$a" | wc -c) decoded"
measure "zstdcat a & zstdcat b" sh -c "zstdcat '$a' >/dev/null & zstdcat '$b' >/dev/null; wait"
measure "reprodiff, default budget (held)" "$bin" "$a" "$b" --json "$W/held.json"
measure "reprodiff, --max-memory 16M (members)" "$bin" "$a" "$b" --json "$W/members.json" \
    --max-memory 16M
python3 - "$W/held.json" "$W/members.json" <<'PY'
import json, sys
def nodes(n, out):
    for c in n.get("children", []):
        out[c["address"]] = (c["status"], [(x["field"], x.get("cause")) for x in c.get("changes", [])])
        nodes(c, out)
    return out
h, m = (json.load(open(p)) for p in sys.argv[1:3])
print("format:", h["tree"].get("format"), "/", m["tree"].get("format"))
print("differing members:", len(nodes(h["tree"], {})), "/", len(nodes(m["tree"], {})),
      "same changes and causes:", nodes(h["tree"], {}) == nodes(m["tree"], {}))
print("groups:", [(g["cause"], g["count"]) for g in m["groups"]])
PY
