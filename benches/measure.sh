# Sourced by the bench scripts: `measure LABEL CMD...` runs CMD under
# `time -v`, samples the RssAnon of the process it starts every 20 ms (the
# anonymous memory: not the mapped inputs RSS counts), and prints
# "<label>  <seconds> s, peak anonymous <MiB> MiB, max RSS <MiB> MiB, exit N".
command -v /usr/bin/time >/dev/null || apt-get install -y time
command -v bc >/dev/null || apt-get install -y bc
measure() {
    local label="$1"; shift
    local t; t="$(mktemp)"
    local s; s=$(date +%s.%N)
    /usr/bin/time -v -o "$t" "$@" > /dev/null 2>&1 &
    local tp=$! pid="" peak=0 kb
    while kill -0 "$tp" 2>/dev/null; do
        [ -n "$pid" ] || pid="$(pgrep -P "$tp" | head -1 || true)"
        if [ -n "$pid" ]; then
            kb=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
            [ "${kb:-0}" -gt "$peak" ] && peak=$kb
        fi
        sleep 0.02
    done
    wait "$tp" || true
    local e; e=$(echo "$(date +%s.%N) - $s" | bc)
    local rss; rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$t")
    local code; code=$(awk -F': ' '/Exit status/ { print $2 }' "$t")
    rm -f "$t"
    printf '%-44s %7.2f s, peak anonymous %5d MiB, max RSS %5d MiB, exit %s\n' \
        "$label" "$e" $((peak / 1024)) $((rss / 1024)) "$code"
}
