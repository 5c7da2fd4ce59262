#!/usr/bin/env bash
# Builds every committed fixture with the real tools, with pinned timestamps.
# Each format has its own script in testdata/gen/; this runs them all.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for s in "$here"/gen/*.sh; do
    echo "== $s"
    bash "$s"
done
