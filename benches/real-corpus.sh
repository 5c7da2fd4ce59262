#!/usr/bin/env bash
# Same-source rebuild pairs from Debian's archive: a package's trixie build
# X and its bookworm-backports rebuild X~bpo12+1 (same source, another
# toolchain and release, one changelog entry more). Downloads N pairs with
# a private apt configuration (the machine's own sources are left alone),
# compares each with reprodiff, and prints the unexplained share per pair
# (benches/cause-coverage.py). Never run by the tests.
#
#   benches/real-corpus.sh [N]      (default 24 sampled pairs under 3 MB, half
#                                    compiled, half arch:all, plus the Python
#                                    extensions listed below, plus Go and Rust
#                                    programs from forky and trixie-backports)
set -euo pipefail
n="${1:-24}"
here="$(cd "$(dirname "$0")/.." && pwd)"
w="$here/benches/work/corpus"
mkdir -p "$w/pairs" "$w/reports"
# shellcheck source=benches/debian-archive.sh
source "$here/benches/debian-archive.sh" "$w"
shopt -s nullglob   # lists already decoded on a second run
for f in "$w"/lists/*_Packages.lz4; do lz4 -dcf "$f" >"${f%.lz4}"; done
shopt -u nullglob
# Pairs: (package, version) with X in trixie and X~bpo12+1 in backports.
python3 - "$w" "$n" >"$w/pairs.txt" <<'PY'
import glob, re, sys
w, n = sys.argv[1], int(sys.argv[2])
def parse(f):
    d = {}
    for st in open(f, errors="replace").read().split("\n\n"):
        g = lambda k: (re.search(rf"^{k}: (.*)$", st, re.M) or [None, None])[1]
        if g("Package") and g("Version"):
            d[g("Package")] = (g("Version"), g("Architecture"), int(g("Size") or 0))
    return d
t = parse(glob.glob(f"{w}/lists/*trixie*_Packages")[0])
b = parse(glob.glob(f"{w}/lists/*backports*_Packages")[0])
pairs = [(p, t[p][0], b[p][1]) for p in sorted(b)
         if p in t and b[p][0] == t[p][0] + "~bpo12+1" and b[p][2] < 3_000_000]
arch = [x for x in pairs if x[2] != "all"]
alls = [x for x in pairs if x[2] == "all"]
step = lambda v, k: v[:: max(1, len(v) // max(1, k))][:k]
# Python extensions (a .so whose name carries the interpreter's ABI tag,
# cpython-313 against cpython-311): always in, when the archive has them.
# Rust, Go and Haskell binaries have no same-version pair between these two
# suites (checked: no pair's Built-Using names rustc, golang or ghc); Go and
# Rust pairs come from forky and trixie-backports below. Neither pair of
# suites has a Haskell program rebuilt at the same version.
named = ["python3-btrfsutil", "python3-sdbus", "python3-igraph", "python3-pynx"]
extensions = [(p, t[p][0], b[p][1]) for p in named
              if p in t and p in b and b[p][0] == t[p][0] + "~bpo12+1" and b[p][2] < 8_000_000]
chosen = step(arch, (n + 1) // 2) + step(alls, n // 2)
for p, v, _ in chosen + [x for x in extensions if x not in chosen]:
    print(p, v)
PY
cargo build --release -q --manifest-path "$here/Cargo.toml"
reports=()
compare_pairs "$w" "~bpo12+1" "$w/reports"
# Go and Rust programs: X in forky, X~bpo13+1 in trixie-backports, whose
# Built-Using or Static-Built-Using names the compiler (up to three of each,
# under 8 MB).
f="$w/forky"
mkdir -p "$f/pairs"
# shellcheck source=benches/debian-archive.sh
source "$here/benches/debian-archive.sh" "$f" forky trixie-backports
shopt -s nullglob
for l in "$f"/lists/*_Packages.lz4; do lz4 -dcf "$l" >"${l%.lz4}"; done
shopt -u nullglob
python3 - "$f" >"$f/pairs.txt" <<'PY'
import glob, re, sys
f = sys.argv[1]
def parse(p):
    d = {}
    for st in open(p, errors="replace").read().split("\n\n"):
        g = lambda k: (re.search(rf"^{k}: (.*)$", st, re.M) or [None, None])[1]
        if g("Package") and g("Version"):
            built = (g("Built-Using") or "") + ", " + (g("Static-Built-Using") or "")
            d[g("Package")] = (g("Version"), int(g("Size") or 0), built)
    return d
t = parse(glob.glob(f"{f}/lists/*forky*_Packages")[0])
b = parse(glob.glob(f"{f}/lists/*trixie-backports*_Packages")[0])
pairs = sorted((b[p][1], p, t[p][0], b[p][2]) for p in b
               if p in t and b[p][0] == t[p][0] + "~bpo13+1" and b[p][1] < 8_000_000)
for compiler in ("rustc (", "golang-"):
    for _, p, v, _ in [x for x in pairs if compiler in x[3]][:3]:
        print(p, v)
PY
compare_pairs "$f" "~bpo13+1" "$w/reports"
python3 "$here/benches/cause-coverage.py" "${reports[@]}"
