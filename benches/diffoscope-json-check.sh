#!/usr/bin/env bash
# Checks that diffoscope itself reads what `--diffoscope-json` writes: the
# demo pair's report (and an identical pair's) is loaded with
# `diffoscope --load-existing-diff` and rendered as HTML and text, which
# must succeed without a Python error and show the report's addresses,
# causes and diffs. Not run by tests or CI (it needs diffoscope, which
# this installs with apt when missing). Exits 1 on the first failure.
#
#   benches/diffoscope-json-check.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
command -v diffoscope >/dev/null || apt-get install -y diffoscope-minimal
(cd "$root" && cargo build --quiet)
rd="$root/target/debug/reprodiff"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Loads $1 and renders it as HTML and text; diffoscope exits 1 when the
# loaded report holds differences, 0 when not, 2 on an error.
load() {
    local json=$1 name=$2 rc
    for fmt in html text; do
        rc=0
        diffoscope --load-existing-diff "$json" --"$fmt" "$out/$name.$fmt" \
            2>"$out/$name.$fmt.err" || rc=$?
        [ "$rc" -le 1 ] || fail "diffoscope --$fmt exited $rc on $name: $(cat "$out/$name.$fmt.err")"
        ! grep -q Traceback "$out/$name.$fmt.err" || fail "diffoscope raised on $name: $(cat "$out/$name.$fmt.err")"
        [ -s "$out/$name.$fmt" ] || fail "diffoscope wrote no $fmt for $name"
    done
}

rc=0
"$rd" "$root/testdata/demo/a.iso" "$root/testdata/demo/b.iso" -q \
    --diffoscope-json "$out/demo.json" || rc=$?
[ "$rc" -eq 1 ] || fail "the demo pair should differ (exit $rc)"
load "$out/demo.json" demo
for want in 'usr/bin/hello' 'causes: build-id' '-00000370: 0123 4567 89ab cdef 0123 4567' \
    '+Build-Date: Wed, 15 Nov 2023' '+pvd.modification_date: 2023-11-15' '├── fields'; do
    grep -qF -- "$want" "$out/demo.text" || fail "diffoscope's text of the demo lacks: $want"
done
grep -qF 'usr/bin/hello' "$out/demo.html" || fail "diffoscope's HTML of the demo lacks usr/bin/hello"

"$rd" "$root/testdata/demo/a.iso" "$root/testdata/demo/a.iso" -q \
    --diffoscope-json "$out/same.json" || fail "an identical pair should exit 0"
load "$out/same.json" same

echo "diffoscope $(diffoscope --version | cut -d' ' -f2) read both reports: OK"
