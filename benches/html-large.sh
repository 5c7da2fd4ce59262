#!/usr/bin/env bash
# The HTML report of a large comparison: two SquashFS images of 100,000
# small files (1,000 folders of 100) built by mksquashfs, where every file's
# mtime differs (a build that stamps files with its clock) and 500 of them
# also carry another build date in their text. Writes the JSON and HTML
# reports, prints their sizes, then opens the HTML page in headless
# chromium and prints how long the browser takes to load it (parse, build
# the DOM, run the page's script, lay it out), beside a blank page opened
# in the same way. Not run by tests or CI (it writes ~30 MB to
# benches/work/html-large/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
W="$here/work/html-large"
N_DIRS=1000 PER_DIR=100 CHANGED=500
command -v mksquashfs >/dev/null || (apt-get update && apt-get install -y squashfs-tools)
command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
mkdir -p "$W"
if [ ! -s "$W/b.sqfs" ]; then
    rm -rf "$W/src-a" "$W/src-b"
    python3 - "$W" "$N_DIRS" "$PER_DIR" "$CHANGED" <<'EOF'
import os, sys
w, dirs, per, changed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
step = dirs * per // changed
for side, date in (("a", "Tue, 14 Nov 2023 22:13:20 +0000"), ("b", "Wed, 15 Nov 2023 22:13:20 +0000")):
    for d in range(dirs):
        folder = os.path.join(w, f"src-{side}", "usr", "share", "pkg", f"p{d:04d}")
        os.makedirs(folder)
        for f in range(per):
            i = d * per + f
            text = f"file {i}\nowner: pkg{d}\n"
            # Some files carry the build date, which differs between a and b.
            if i % step == 0:
                text += f"Build-Date: {date}\n"
            with open(os.path.join(folder, f"f{f:03d}.txt"), "w") as out:
                out.write(text)
EOF
    mksquashfs "$W/src-a" "$W/a.sqfs" -noappend -quiet -no-progress -comp gzip \
        -all-time 1700000000 -mkfs-time 1700000000 -all-root
    mksquashfs "$W/src-b" "$W/b.sqfs" -noappend -quiet -no-progress -comp gzip \
        -all-time 1700086400 -mkfs-time 1700000000 -all-root
    rm -rf "$W/src-a" "$W/src-b"
fi
(cd "$root" && cargo build --release --quiet)
rd="$root/target/release/reprodiff"
s=$(date +%s.%N)
"$rd" "$W/a.sqfs" "$W/b.sqfs" --quiet --json "$W/report.json" --html "$W/report.html" || true
e=$(date +%s.%N)
json=$(stat -c %s "$W/report.json") html=$(stat -c %s "$W/report.html")
nodes=$(grep -c '"address"' "$W/report.json")
printf 'compare + both reports: %.2f s, %s nodes\n' "$(echo "$e - $s" | bc -l)" "$nodes"
printf 'JSON report: %s bytes (%.1f MiB)\n' "$json" "$(echo "$json / 1048576" | bc -l)"
printf 'HTML report: %s bytes (%.1f MiB), %.2fx the JSON\n' "$html" \
    "$(echo "$html / 1048576" | bc -l)" "$(echo "$html / $json" | bc -l)"

# The page as shipped forbids scripts other than its own; a copy without
# that policy gets a probe that, at the load event, forces a layout and
# writes both times (from the start of navigation) into the page.
probe='<script>addEventListener("load",function(){var t0=performance.now();void document.body.offsetHeight;var t1=performance.now();var p=document.createElement("pre");p.id="timing";p.textContent="load "+Math.round(t0)+" ms, laid out "+Math.round(t1)+" ms";document.body.appendChild(p)})</script>'
sed -e '/Content-Security-Policy/d' -e "s#</body>#${probe}</body>#" "$W/report.html" >"$W/probe.html"
printf '<!DOCTYPE html><title>blank</title><body>blank</body>' >"$W/blank.html"
sed -e "s#</body>#${probe}</body>#" "$W/blank.html" >"$W/blank-probe.html"
browse() {
    local profile
    profile=$(mktemp -d)
    timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$profile" "$@" 2>/dev/null
    rm -rf "$profile"
}
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
for run in 1 2 3; do
    echo "run $run:"
    echo "  in the page, blank: $(browse --dump-dom "file://$W/blank-probe.html" | grep -o 'load [0-9]* ms, laid out [0-9]* ms')"
    echo "  in the page, report: $(browse --dump-dom "file://$W/probe.html" | grep -o 'load [0-9]* ms, laid out [0-9]* ms')"
    printf '  chromium wall time, screenshot of a blank page: %.2f s\n' \
        "$(t browse --screenshot="$W/blank.png" --window-size=1280,1600 "file://$W/blank.html")"
    printf '  chromium wall time, screenshot of the report: %.2f s\n' \
        "$(t browse --screenshot="$W/report.png" --window-size=1280,1600 "file://$W/report.html")"
done
