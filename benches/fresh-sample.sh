#!/usr/bin/env bash
# A fresh sample of same-source rebuild pairs for finding what the rules
# miss: N pairs drawn at random (seeded, so a second run draws the same)
# among trixie's X and bookworm-backports' X~bpo12+1 under 3 MB (or, with
# MIN_SIZE and MAX_SIZE in bytes, of a backport .deb within those), leaving
# out every package benches/real-corpus.sh already downloaded and every
# package of a sample drawn with a smaller seed (so run real-corpus.sh
# first: the draw depends on what it holds). Downloads to
# benches/work/corpus/sample-SEED/pairs, writes each pair's JSON report
# beside them and prints benches/cause-coverage.py's lines, then the
# pairs with the most unexplained leaves. Never run by the tests.
# SUITES="forky trixie-backports" draws X from forky and X~bpo13+1 from
# trixie-backports instead: one release's compilers against the next one's
# (trixie's against forky's, where the default pairs bookworm's against
# trixie's), leaving out the pairs real-corpus.sh took from there too.
#
#   benches/fresh-sample.sh [N] [SEED]     (default 200 20261205)
#   MIN_SIZE=3000000 MAX_SIZE=200000000 benches/fresh-sample.sh 100 20261208
#   SUITES="forky trixie-backports" benches/fresh-sample.sh 100 20261209
set -euo pipefail
n="${1:-200}"
seed="${2:-20261205}"
here="$(cd "$(dirname "$0")/.." && pwd)"
w="$here/benches/work/corpus"
s="$w/sample-$seed"
[ -d "$w/lists" ] || { echo "run benches/real-corpus.sh first" >&2; exit 2; }
read -r older newer <<<"${SUITES:-trixie bookworm-backports}"
case "$newer" in
bookworm-backports) suffix="~bpo12+1" archive="$w" ;;
trixie-backports) suffix="~bpo13+1" archive="$w/$older" ;;
*) echo "SUITES: a release and bookworm- or trixie-backports" >&2; exit 2 ;;
esac
mkdir -p "$s/pairs" "$s/reports"
# shellcheck source=benches/debian-archive.sh
source "$here/benches/debian-archive.sh" "$archive" "$older" "$newer"
shopt -s nullglob
for f in "$archive"/lists/*_Packages.lz4; do lz4 -dcf "$f" >"${f%.lz4}"; done
python3 - "$w" "$n" "$seed" "${MIN_SIZE:-0}" "${MAX_SIZE:-3000000}" \
    "$archive" "$older" "$newer" "$suffix" >"$s/pairs.txt" <<'PY'
import glob, os, random, re, sys
w, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lo, hi = int(sys.argv[4]), int(sys.argv[5])
archive, older, newer, suffix = sys.argv[6:10]
def parse(f):
    d = {}
    for st in open(f, errors="replace").read().split("\n\n"):
        g = lambda k: (re.search(rf"^{k}: (.*)$", st, re.M) or [None, None])[1]
        if g("Package") and g("Version"):
            d[g("Package")] = (g("Version"), int(g("Size") or 0))
    return d
t = parse(glob.glob(f"{archive}/lists/*_{older}_main_*_Packages")[0])
b = parse(glob.glob(f"{archive}/lists/*_{newer}_main_*_Packages")[0])
earlier = [d for d in glob.glob(f"{w}/sample-*")
           if d.rsplit("-", 1)[1].isdigit() and int(d.rsplit("-", 1)[1]) < seed]
have = {os.path.basename(p).split("_")[0]
        for d in sorted({w, archive}) + earlier for p in glob.glob(f"{d}/pairs/*.deb")}
pairs = [(p, t[p][0]) for p in sorted(b)
         if p in t and b[p][0] == t[p][0] + suffix and lo <= b[p][1] < hi
         and p not in have]
random.seed(seed)
for p, v in random.sample(pairs, min(n, len(pairs))):
    print(p, v)
PY
cargo build --release -q --manifest-path "$here/Cargo.toml"
reports=()
compare_pairs "$s" "$suffix" "$s/reports"
python3 "$here/benches/cause-coverage.py" "${reports[@]}" | tee "$s/coverage.txt"
echo "most unexplained:"
grep -o '^[^:]*: [0-9]* leaves, [0-9]* unexplained' "$s/coverage.txt" |
    awk '{print $4, $1}' | sort -rn | head -15
