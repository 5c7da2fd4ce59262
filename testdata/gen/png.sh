#!/usr/bin/env bash
# PNG pairs for src/diagnose/png.rs, made with the tools that make them
# differ in Debian rebuilds: ImageMagick (which stamps tIME and date:create/
# date:modify with the clock unless SOURCE_DATE_EPOCH is set), optipng and
# pngcrush (which recompress IDAT and may reduce the colour type), and
# Pillow at two compression levels.
#   icon-convert / icon-optipng        RGBA 8-bit, then indexed with tRNS:
#                                      same pixels, another IHDR, PLTE, IDAT
#   gradient-convert / -pngcrush       16-bit RGBA, IDAT recompressed
#   gradient-pil1 / -pil9              Pillow compress_level 1 and 9
#                                      (against -convert: 16 bits cut to 8)
#   gradient-interlaced                -convert rewritten with Adam7
#   icon-16bit                         icon-convert widened to 16 bits
#   dated-a / dated-b                  the same drawing at two clocks:
#                                      tIME, date:create, date:modify
#   dated-b-pngcrush                   dated-b recompressed at zlib level 1
#   pixels-a / pixels-b                one rectangle moved by a pixel
set -euo pipefail
# Debian's convert by path: another `convert` may come first in PATH.
im=/usr/bin/convert
py=/usr/bin/python3
need=()
[ -x "$im" ] || need+=(imagemagick)
command -v optipng >/dev/null || need+=(optipng)
command -v pngcrush >/dev/null || need+=(pngcrush)
command -v faketime >/dev/null || need+=(faketime)
{ [ -x "$py" ] && "$py" -c 'import PIL' 2>/dev/null; } || need+=(python3-pil)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update
    apt-get install -y --no-install-recommends "${need[@]}"
fi

export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=1700000000
umask 022
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/png"
rm -rf "$out"
mkdir -p "$out"
cd "$out"

# A 32x32 icon: a red disc and a blue square on transparency, no
# antialiasing, so it has three colours and optipng can make it indexed.
icon() {
    "$im" -size 32x32 xc:none -fill '#c03030' +antialias \
        -draw 'circle 16,16 16,4' -fill '#3030c0' -draw "rectangle $1" "$2"
}

# With SOURCE_DATE_EPOCH set, Debian's ImageMagick writes no tIME and no dates.
icon '4,20 12,28' PNG32:icon-convert.png
cp icon-convert.png icon-optipng.png
optipng -quiet -o7 icon-optipng.png

"$im" -size 32x32 gradient:'#ffd080-#2060c0' -fill '#c03030' \
    -draw 'circle 16,16 16,6' -alpha set -channel A -fx 'i<2?0:1' +channel \
    gradient-convert.png
# pngcrush reports its work on stderr even with -q; its exit status says.
pngcrush -q -brute gradient-convert.png gradient-pngcrush.png >/dev/null 2>&1
"$py" - <<'EOF'
from PIL import Image
im = Image.open("gradient-convert.png")
im.load()
im.save("gradient-pil1.png", compress_level=1)
im.save("gradient-pil9.png", compress_level=9)
EOF

"$im" gradient-convert.png -interlace PNG gradient-interlaced.png
# 8-bit samples widened exactly (v * 257): the same picture in 16 bits.
"$im" icon-convert.png -depth 16 PNG64:icon-16bit.png

# Two builds at two clocks (+1d 1h), the clock frozen so the seconds hold.
env -u SOURCE_DATE_EPOCH faketime '2023-11-14 22:13:20' \
    "$im" -size 32x32 xc:none -fill '#c03030' +antialias \
    -draw 'circle 16,16 16,4' -fill '#3030c0' -draw 'rectangle 4,20 12,28' dated-a.png
env -u SOURCE_DATE_EPOCH faketime '2023-11-15 23:13:20' \
    "$im" -size 32x32 xc:none -fill '#c03030' +antialias \
    -draw 'circle 16,16 16,4' -fill '#3030c0' -draw 'rectangle 4,20 12,28' dated-b.png
pngcrush -q -m 1 -l 1 dated-b.png dated-b-pngcrush.png >/dev/null 2>&1

icon '4,20 12,28' PNG32:pixels-a.png
icon '5,20 13,28' PNG32:pixels-b.png

touch -d @1700000000 ./*
