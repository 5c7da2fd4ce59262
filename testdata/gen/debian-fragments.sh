#!/usr/bin/env bash
# Small files out of real Debian rebuild pairs (a package's trixie build and
# its bookworm-backports rebuild of the same source), made by the real
# tools in Debian's own builds: a maintainer script debhelper 13.24.2 and
# 13.11.4 wrote, a man page help2man 1.50.1 and 1.48.5 generated, and a man
# page Doxygen 1.9.8 and 1.9.4 wrote with the same words in other markup,
# the CMake package files two CMake versions generated, an Erlang
# module two versions of erlc compiled, man pages docutils 0.21 and
# 0.19 (with Sphinx 8 and 5 for CMake's) wrote from the same sources, a
# Java class javac 21 and 17 compiled (both for Java 8), a javadoc page
# a pre-release and the release of OpenJDK 17.0.8 wrote, an m4 file
# sendmail's build writes its package's version into, and a page Sphinx
# 8.1.3 with Furo 2024.08.06 and Sphinx 5.3.0 with Furo 2022.12.07 wrote,
# a gettext catalog compiled from a .po file Babel 2.17.0 and 2.10.3
# wrote, and a script whose interpreter line each installed otherwise.
# Downloads the two pairs with a private apt configuration (the machine's
# own sources are left alone); the tests read only the committed files.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/diagnose"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# shellcheck source=benches/debian-archive.sh
source "$(dirname "$0")/../../benches/debian-archive.sh" "$work"
cd "$work"
apt-get "${apt[@]}" download bacula-director=15.0.3-3 bacula-director=15.0.3-3~bpo12+1 \
    manpages-es=4.27.0-1 manpages-es=4.27.0-1~bpo12+1 \
    libpipewire-0.3-modules=1.4.2-1 libpipewire-0.3-modules=1.4.2-1~bpo12+1 \
    libimecore-dev=1.1.10+dict20250327-1 libimecore-dev=1.1.10+dict20250327-1~bpo12+1 \
    erlang-p1-pgsql=1.1.31-1 erlang-p1-pgsql=1.1.31-1~bpo12+1 \
    lua-check=1.2.0-1 lua-check=1.2.0-1~bpo12+1 \
    cmake-data=3.31.6-2 cmake-data=3.31.6-2~bpo12+1 \
    jmapviewer=2.24+dfsg-1 jmapviewer=2.24+dfsg-1~bpo12+1 \
    libhtmlparser-java-doc=1.6.20060610.dfsg0-10 \
    libhtmlparser-java-doc=1.6.20060610.dfsg0-10~bpo12+1 \
    sendmail-cf=8.18.1-6 sendmail-cf=8.18.1-6~bpo12+1 \
    python-slixmpp-doc=1.10.0-1 python-slixmpp-doc=1.10.0-1~bpo12+1 \
    fdroidserver=2.4.2-1 fdroidserver=2.4.2-1~bpo12+1 >/dev/null
for side in a b; do
    suffix=""
    [ "$side" = b ] && suffix="~bpo12+1"
    mkdir -p "$side/ctrl" "$side/data"
    dpkg-deb -e "bacula-director_15.0.3-3${suffix}_amd64.deb" "$side/ctrl"
    cp "$side/ctrl/postrm" "$out/postrm.$side"
    dpkg-deb -x manpages-es_4.27.0-1${suffix}_all.deb "$side/data"
    cp "$side/data/usr/share/man/es/man1/arch.1.gz" "$out/arch.1.$side.gz"
    dpkg-deb -x libpipewire-0.3-modules_1.4.2-1${suffix}_amd64.deb "$side/data"
    cp "$side/data/usr/share/man/man7/libpipewire-module-access.7.gz" "$out/access.7.$side.gz"
    dpkg-deb -x "libimecore-dev_1.1.10+dict20250327-1${suffix}_amd64.deb" "$side/data"
    cmake="$side/data/usr/lib/x86_64-linux-gnu/cmake/LibIMECore"
    cp "$cmake/LibIMECoreTargets.cmake" "$out/Targets.$side.cmake"
    cp "$cmake/LibIMECoreConfigVersion.cmake" "$out/ConfigVersion.$side.cmake"
    dpkg-deb -x "erlang-p1-pgsql_1.1.31-1${suffix}_amd64.deb" "$side/data"
    cp "$side/data/usr/lib/erlang/lib/p1_pgsql-1.1.31/ebin/pgsql_app.beam" "$out/pgsql_app.$side.beam"
    dpkg-deb -x "lua-check_1.2.0-1${suffix}_all.deb" "$side/data"
    cp "$side/data/usr/share/man/man1/luacheck.1.gz" "$out/luacheck.1.$side.gz"
    dpkg-deb -x "cmake-data_3.31.6-2${suffix}_all.deb" "$side/data"
    cp "$side/data/usr/share/man/man7/cmake-configure-log.7.gz" "$out/configure-log.7.$side.gz"
    dpkg-deb -x "jmapviewer_2.24+dfsg-1${suffix}_all.deb" "$side/data"
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
        "$side/data/usr/share/java/jmapviewer-2.24.jar" 'org/openstreetmap/gui/jmapviewer/Demo$1.class' \
        >"$out/Demo1.$side.class"
    dpkg-deb -x "libhtmlparser-java-doc_1.6.20060610.dfsg0-10${suffix}_all.deb" "$side/data"
    cp "$side/data/usr/share/doc/libhtmlparser-java/api/org/htmlparser/NodeFactory.html" \
        "$out/NodeFactory.$side.html"
    dpkg-deb -x "sendmail-cf_8.18.1-6${suffix}_all.deb" "$side/data"
    cp "$side/data/usr/share/sendmail/cf/debian/autoconf.m4" "$out/autoconf.$side.m4"
    dpkg-deb -x "python-slixmpp-doc_1.10.0-1${suffix}_all.deb" "$side/data"
    cp "$side/data/usr/share/doc/python-slixmpp-doc/html/search.html" "$out/search.$side.html"
    dpkg-deb -x "fdroidserver_2.4.2-1${suffix}_all.deb" "$side/data"
    cp "$side/data/usr/share/locale/ko/LC_MESSAGES/fdroidserver.mo" "$out/fdroidserver.ko.$side.mo"
    cp "$side/data/usr/bin/fdroid" "$out/fdroid.$side"
done
