# Sourced by deb-speed.sh and large-debs.sh: a package's data member and
# the floor of comparing two packages, both data members decoded at once
# by their codec's own tool. Needs "$tmp", a scratch folder.

# One package's data member, copied out (once) to $tmp as "$2.<member>", so
# that the floor times only the decoder: `ar p` in a pipe costs more
# processes than the smallest pairs take in all.
member() {
    local m
    m=$(ar t "$1" | grep '^data\.tar' | head -1)
    ar p "$1" "$m" >"$tmp/$2.$m"
    echo "$tmp/$2.$m"
}
# Decodes a data member to nowhere with its codec's own tool.
data() {
    case "$1" in
    *.xz) xz -dc "$1" ;;
    *.zst) zstd -dcq "$1" ;;
    *.gz) gzip -dc "$1" ;;
    *.bz2) bzip2 -dc "$1" ;;
    *) cat "$1" ;;
    esac >/dev/null
}
floor() { data "$1" & data "$2" & wait; }
