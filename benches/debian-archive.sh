# Sourced, not run: a private apt configuration under "$1" that sees two
# Debian suites, by default trixie and bookworm-backports (where same-source
# rebuild pairs X and X~bpo12+1 live; "$2" and "$3" name others, e.g. forky
# and trixie-backports for X and X~bpo13+1), leaving the machine's own
# sources alone. Sets the array `apt` of apt-get options and updates the
# lists.
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
