#!/usr/bin/env bash
# Builds the PE/COFF fixtures in testdata/pe/: small UEFI applications made
# with the real toolchains the way two builds of shim, GRUB or memtest86+'s
# bootx64.efi come to differ, each pair differing in one way:
#   timestamp.{a,b}.efi  GNU ld on two days: the COFF TimeDateStamp
#                        (ld takes it from SOURCE_DATE_EPOCH) and the checksum
#   date.{a,b}.efi       __DATE__ __TIME__ in .rdata, linked without a timestamp
#   linker.{a,b}.efi     one object linked by GNU ld 2.40 and by LLD 14
#   opt.{a,b}.efi        -O2 against -Os: code only
#   signed.a.efi         timestamp.a.efi signed with sbsign (test key) on day 1
#   signed.b.efi         the same image signed again on day 2: signature only
#   signed.c.efi         timestamp.b.efi signed on day 2: the signature follows
#   signed.d.efi         timestamp.a.efi signed on day 1 with another key
#   esp.{a,b}.img.gz     FAT12 ESPs holding timestamp.{a,b}.efi as
#                        EFI/BOOT/BOOTX64.EFI (gzip -n)
# plus `objdump -x` listings of the headers. The signing keys in keys/ are
# throwaways made once for these fixtures and committed (they sign nothing
# else), so reruns give the same signatures. Pinned: TZ=UTC, umask 022, SOURCE_DATE_EPOCH=1700000000,
# sbsign's signing time set with faketime; rerunning gives identical files.
set -euo pipefail

need=()
for t in x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 \
    x86_64-w64-mingw32-objdump:binutils-mingw-w64-x86-64 ld.lld-14:lld-14 \
    sbsign:sbsigntool openssl:openssl faketime:faketime mkfs.vfat:dosfstools \
    mcopy:mtools gzip:gzip; do
    command -v "${t%%:*}" >/dev/null 2>&1 || need+=("${t#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get install -y --no-install-recommends "${need[@]}"
fi

export TZ=UTC LC_ALL=C SOURCE_DATE_EPOCH=1700000000 MTOOLS_SKIP_CHECK=1
umask 022
SDE=1700000000
LATER=1700086400
DAY1="2023-11-14 22:13:20"
DAY2="2023-11-15 22:13:20"

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../pe"
mkdir -p "$out/keys"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# A minimal UEFI application: prints one line through the console. No
# gnu-efi: the two structures it needs are declared here.
cat >hello.c <<'C'
typedef unsigned long long UINTN;
typedef UINTN EFI_STATUS;
typedef unsigned short CHAR16;
typedef struct SIMPLE_TEXT_OUTPUT {
    void *reset;
    EFI_STATUS (*output_string)(struct SIMPLE_TEXT_OUTPUT *self, const CHAR16 *s);
} SIMPLE_TEXT_OUTPUT;
typedef struct {
    char hdr[24];
    CHAR16 *vendor;
    unsigned int revision;
    void *con_in_handle, *con_in, *con_out_handle;
    SIMPLE_TEXT_OUTPUT *con_out;
} EFI_SYSTEM_TABLE;

#ifndef BANNER
#define BANNER "reprodiff test application"
#endif
static const char banner[] = BANNER;

static int square(int x) { return x * x; }

EFI_STATUS efi_main(void *image, EFI_SYSTEM_TABLE *st)
{
    (void)image;
    CHAR16 line[64];
    UINTN i = 0;
    for (; banner[i] && i < 62; i++)
        line[i] = (CHAR16)banner[i];
    line[i++] = (CHAR16)('0' + square(3));
    line[i] = 0;
    st->con_out->output_string(st->con_out, line);
    return 0;
}
C

CFLAGS=(-ffreestanding -fno-stack-protector -mno-red-zone -fno-ident)
# Subsystem 10: EFI application; -s: no COFF symbol table.
LDFLAGS=(-nostdlib -Wl,--subsystem,10 -e efi_main -s)
cc() { x86_64-w64-mingw32-gcc "${CFLAGS[@]}" "$@"; }

# 1. Two days, GNU ld inserting the build time.
SOURCE_DATE_EPOCH=$SDE cc -O2 "${LDFLAGS[@]}" -o timestamp.a.efi hello.c
SOURCE_DATE_EPOCH=$LATER cc -O2 "${LDFLAGS[@]}" -o timestamp.b.efi hello.c

# 2. The build date in a string: .rdata differs, no header timestamp.
for v in a b; do
    t=$SDE
    [ "$v" = b ] && t=$LATER
    SOURCE_DATE_EPOCH=$t cc -O2 "${LDFLAGS[@]}" -Wl,--no-insert-timestamp \
        '-DBANNER="built on " __DATE__ " " __TIME__' -o "date.$v.efi" hello.c
done

# 3. One object, two linkers (LLD in its MinGW mode), neither inserting a
#    timestamp.
cc -O2 -c -o hello.o hello.c
x86_64-w64-mingw32-ld -m i386pep --subsystem 10 -e efi_main -s \
    --no-insert-timestamp -o linker.a.efi hello.o
ld.lld-14 -m i386pep --subsystem efi_application -e efi_main -s \
    --no-insert-timestamp -o linker.b.efi hello.o

# 4. Another optimisation level: other code, same toolchain.
cc -O2 "${LDFLAGS[@]}" -Wl,--no-insert-timestamp -o opt.a.efi hello.c
cc -Os "${LDFLAGS[@]}" -Wl,--no-insert-timestamp -o opt.b.efi hello.c

# 5. Authenticode signatures (sbsign writes the signing time of its clock).
for k in test other; do
    [ -e "$out/keys/$k.key" ] && continue
    faketime "$DAY1" openssl req -x509 -newkey rsa:2048 -nodes -sha256 \
        -keyout "$out/keys/$k.key" -out "$out/keys/$k.crt" -days 36500 \
        -subj "/CN=reprodiff $k signing key (not secret)/" 2>/dev/null
done
# when, key, image, output
sign() {
    faketime "$1" sbsign --key "$out/keys/$2.key" --cert "$out/keys/$2.crt" \
        --output "$4" "$3" 2>/dev/null
}
sign "$DAY1" test timestamp.a.efi signed.a.efi
sign "$DAY2" test timestamp.a.efi signed.b.efi
sign "$DAY2" test timestamp.b.efi signed.c.efi
sign "$DAY1" other timestamp.a.efi signed.d.efi

# 6. ESPs holding the application where firmware looks for it.
for v in a b; do
    mkfs.vfat -C -F 12 --invariant -i 0e5bcafe -n ESP "esp.$v.img" 128 >/dev/null
    mmd -i "esp.$v.img" ::/EFI ::/EFI/BOOT
    cp "timestamp.$v.efi" BOOTX64.EFI
    touch -d "@$SDE" BOOTX64.EFI
    mcopy -m -i "esp.$v.img" BOOTX64.EFI ::/EFI/BOOT/
    gzip -9n <"esp.$v.img" >"$out/esp.$v.img.gz"
done

for f in timestamp date linker opt; do
    cp "$f.a.efi" "$f.b.efi" "$out/"
done
cp signed.a.efi signed.b.efi signed.c.efi signed.d.efi "$out/"
for f in timestamp.a linker.b signed.a; do
    x86_64-w64-mingw32-objdump -x "$f.efi" | sed -n '/^Time\/Date/,/^NumberOfRvaAndSizes/p; /^Entry 4 /p' \
        >"$out/$f.objdump-x.txt"
done
