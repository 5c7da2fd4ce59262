#!/usr/bin/env bash
# Builds three compiled gettext catalogs with msgfmt for the re-encoded
# catalog rule (tests/diagnose.rs): one French catalog in UTF-8, the same
# catalog converted to ISO-8859-1 with iconv (as one of two builds of
# e2fsprogs-l10n ships it), and the ISO-8859-1 one with one word changed.
# msgfmt writes no date; the outputs are the same on every run.
set -euo pipefail
command -v msgfmt >/dev/null && command -v iconv >/dev/null || apt-get install -y gettext libc-bin
export LC_ALL=C
out="$(cd "$(dirname "$0")/.." && pwd)/diagnose"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/fr.po" <<'PO'
msgid ""
msgstr ""
"Project-Id-Version: e2fsprogs 1.47.2\n"
"Language: fr\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"

msgid "\tcreated %s"
msgstr "\tcréé le %s"

msgid "\tlast modified %s"
msgstr "\tmodifié la dernière fois le %s"

msgid "done"
msgstr "fait"
PO
msgfmt -o "$out/catalog.utf8.mo" "$work/fr.po"
sed 's/charset=UTF-8/charset=ISO-8859-1/' "$work/fr.po" | iconv -f UTF-8 -t ISO-8859-1 >"$work/latin1.po"
msgfmt -o "$out/catalog.latin1.mo" "$work/latin1.po"
sed 's/fait/terminé/' "$work/fr.po" | sed 's/charset=UTF-8/charset=ISO-8859-1/' |
    iconv -f UTF-8 -t ISO-8859-1 >"$work/other.po"
msgfmt -o "$out/catalog.other.mo" "$work/other.po"
