#!/usr/bin/env bash
# Structured-document fixtures for src/diagnose/structured.rs: pairs of
# JSON, YAML and deb822 files as image builds write them (a Tails-style
# build manifest, an image description, a `control.yml`, a `.buildinfo`).
# Written byte for byte here, nothing taken from the machine, so the
# output is the same wherever it runs.
set -euo pipefail
export LC_ALL=C
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/structured"
rm -rf "$out"
mkdir -p "$out"

# --- a build manifest: three package versions changed, one package added,
# top-level keys in another order.
built() { printf "build_date: '2021-06-01T10:00:00+00:00'\n"; }
origin() {
    printf "origin_references:\n"
    printf "  debian:\n    reference: '2021033101'\n"
    printf "  debian-security:\n    reference: '2021053101'\n"
}
packages() { # binary packages as name=version
    printf 'packages:\n  binary:\n'
    for p in "$@"; do
        printf '  - package: %s\n    version: %s\n    arch: amd64\n' "${p%%=*}" "${p#*=}"
    done
    printf '  source:\n'
    printf '  - package: %s\n    version: %s\n' acl 2.2.53-4 bash 5.0-4
}
{
    built
    origin
    packages acl=2.2.53-4 bash=5.0-4 coreutils=8.30-3 tor=0.4.5.8-1~d10.buster+1
} > "$out/a.build-manifest"
{
    packages acl=2.2.53-5 bash=5.0-4 coreutils=8.30-3+deb10u1 \
        tor=0.4.5.9-1~d10.buster+1 zstd=1.3.8+dfsg-3
    origin
    built
} > "$out/b.build-manifest"
# The same manifest with its keys and list items in another order only.
cat > "$out/reordered.build-manifest" <<'EOF'
origin_references:
  debian-security:
    reference: '2021053101'
  debian:
    reference: '2021033101'
build_date: '2021-06-01T10:00:00+00:00'
packages:
  source:
  - version: 5.0-4
    package: bash
  - package: acl
    version: 2.2.53-4
  binary:
  - package: tor
    version: 0.4.5.8-1~d10.buster+1
    arch: amd64
  - package: acl
    version: 2.2.53-4
    arch: amd64
  - package: bash
    version: 5.0-4
    arch: amd64
  - package: coreutils
    version: 8.30-3
    arch: amd64
EOF

# --- an image description: the image's digest changed, keys reordered.
url=https://example.org/tails/stable/tails-amd64-4.19/tails-amd64-4.19.img
description() { # $1 the first two keys, $2 the target file's first two
    printf '{\n%s\n  "build-date": "2021-06-01",\n' "$1"
    printf '  "installations": [\n    {\n      "installation-path": "img",\n'
    printf '      "target-files": [\n        {\n%s\n' "$2"
    printf '          "size": 1178599424\n        }\n      ]\n    }\n  ]\n}\n'
}
description '  "product-name": "Tails",
  "version": "4.19",' "          \"url\": \"$url\",
          \"sha256\": \"5b1e2e3d51b81bbc0b6c4bba1e1b0a44a8f4fbd69e7e57fa8b8e7e4a5c7a7b3d\"," \
    > "$out/a.latest.json"
description '  "version": "4.19",
  "product-name": "Tails",' "          \"sha256\": \"9e0c3f7a1d2b4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6\",
          \"url\": \"$url\"," \
    > "$out/b.latest.json"

# --- a control.yml: the files to delete, in another order.
cat > "$out/a.control.yml" <<'EOF'
delete_files:
  - /etc/machine-id
  - /var/lib/dbus/machine-id
  - /var/cache/ldconfig/aux-cache
  - /var/log/dpkg.log
EOF
cat > "$out/b.control.yml" <<'EOF'
delete_files:
  - /var/log/dpkg.log
  - /etc/machine-id
  - /var/cache/ldconfig/aux-cache
  - /var/lib/dbus/machine-id
EOF

# --- a .buildinfo: two build dependencies at other versions (the
# compiler's and another package's), the build's date, and the .deb's
# checksum lines.
buildinfo() { # $1 gcc-12 version, $2 libssl-dev version, $3 date, $4 deb sha256, $5 size
    cat <<EOF
Format: 1.0
Source: hello
Binary: hello
Architecture: amd64
Version: 2.10-3
Checksums-Sha256:
 $4 $5 hello_2.10-3_amd64.deb
Build-Origin: Debian
Build-Architecture: amd64
Build-Date: $3
Build-Path: /build/reproducible-path/hello-2.10
Installed-Build-Depends:
 autoconf (= 2.71-3),
 base-files (= 12.4+deb12u5),
 gcc-12 (= $1),
 libc6-dev (= 2.36-9+deb12u4),
 libssl-dev (= $2),
 make (= 4.3-4.1)
Environment:
 DEB_BUILD_OPTIONS="parallel=4"
 LANG="C.UTF-8"
 LC_ALL="C.UTF-8"
 SOURCE_DATE_EPOCH="1700000000"
EOF
}
buildinfo 12.2.0-14 3.0.11-1~deb12u2 "Tue, 14 Nov 2023 22:13:20 +0000" \
    0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 53452 \
    > "$out/a.buildinfo"
buildinfo 12.2.0-15 3.0.13-1~deb12u1 "Wed, 15 Nov 2023 22:13:20 +0000" \
    0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9 53452 \
    > "$out/b.buildinfo"
