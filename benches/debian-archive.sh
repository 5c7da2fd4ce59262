# Sourced, not run: a private apt configuration under "$1" that sees two
# Debian suites, by default trixie and bookworm-backports (where same-source
# rebuild pairs X and X~bpo12+1 live; "$2" and "$3" name others, e.g. forky
# and trixie-backports for X and X~bpo13+1), leaving the machine's own
# sources alone. Sets the array `apt` of apt-get options and updates the
# lists. Defines compare_pairs, which both samplers use.
archive_dir="$1"
mkdir -p "$archive_dir/lists/partial" "$archive_dir/cache/archives/partial"
cat >"$archive_dir/sources.list" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${2:-trixie} main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${3:-bookworm-backports} main
SRC
apt=(-o "Dir::Etc::sourcelist=$archive_dir/sources.list" -o Dir::Etc::sourceparts=-
    -o "Dir::State::Lists=$archive_dir/lists" -o "Dir::Cache=$archive_dir/cache"
    -o APT::Architecture=amd64)
apt-get "${apt[@]}" update >/dev/null
# compare_pairs DIR SUFFIX REPORTS: downloads each "package version" of
# DIR/pairs.txt and its rebuild version+SUFFIX into DIR/pairs with the
# current `apt` options, compares them with the release build of the tree
# at "$here" and writes REPORTS/<package>.json, appending it to the
# caller's array `reports`.
compare_pairs() {
    local dir="$1" suffix="$2" into="$3" p v a b out
    while read -r p v; do
        (cd "$dir/pairs" && apt-get "${apt[@]}" download "$p=$v" "$p=$v$suffix" >/dev/null)
        a=$(ls "$dir"/pairs/"${p}"_*.deb | grep -v -F "$suffix" | head -1)
        b=$(ls "$dir"/pairs/"${p}"_*"$suffix"_*.deb | head -1)
        out="$into/$p.json"
        "$here/target/release/reprodiff" "$a" "$b" --quiet --json "$out" || [ $? -eq 1 ]
        reports+=("$out")
    done <"$dir/pairs.txt"
}
