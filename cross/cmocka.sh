#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# A static libcmocka.a for any compiler: Debian ships cmocka only as a shared
# library of the machine's own architecture, so this compiles the single
# cmocka.c of Debian's own cmocka source package (the version libcmocka-dev
# has) with the given compiler, and writes a cmocka.pc for it.
#
# usage: cross/cmocka.sh CC OUTDIR     (CC: gcc, aarch64-linux-gnu-gcc, ...)
# Result: OUTDIR/lib/libcmocka.a, OUTDIR/include/cmocka.h,
#         OUTDIR/lib/pkgconfig/cmocka.pc (for -Dpkg_config_path=).
set -euo pipefail
cc=$1
dst=$(mkdir -p "$2" && cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
DEB_CACHE=${DEB_CACHE:-$(dirname "$here")/build-vm/cache}
# shellcheck source=debian.sh
. "$here/debian.sh"

[ -f "$dst/lib/libcmocka.a" ] && [ -f "$dst/lib/pkgconfig/cmocka.pc" ] && exit 0

# the source, unpacked once for every compiler
srcroot=$DEB_CACHE/cmocka-src
if ! ls -d "$srcroot"/cmocka-*/src >/dev/null 2>&1; then
	rm -rf "$srcroot"
	deb_source cmocka "$srcroot/dl"
	tar -xf "$(ls "$srcroot"/dl/cmocka_*.orig.tar.* | grep -v '\.asc$')" -C "$srcroot"
	rm -rf "$srcroot/dl"
fi
src=$(ls -d "$srcroot"/cmocka-*/ | head -n 1)

mkdir -p "$dst/lib/pkgconfig" "$dst/include" "$dst/build"
# what cmake's ConfigureChecks find with glibc, on every Linux architecture;
# only the pointer size differs
ptr=$($cc -dM -E -x c /dev/null | awk '$2 == "__SIZEOF_POINTER__" {print $3}')
{
	for h in ASSERT INTTYPES MALLOC MEMORY SETJMP SIGNAL STDARG STDDEF \
		 STDINT STDIO STDLIB STRINGS STRING SYS_STAT SYS_TYPES TIME UNISTD; do
		echo "#define HAVE_${h}_H 1"
	done
	for f in STRUCT_TIMESPEC CALLOC EXIT FPRINTF SNPRINTF VSNPRINTF FREE \
		 LONGJMP SIGLONGJMP MALLOC MEMCPY MEMSET PRINTF SETJMP SIGNAL \
		 STRCMP STRCPY STRSIGNAL CLOCK_GETTIME GCC_THREAD_LOCAL_STORAGE \
		 CLOCK_REALTIME; do
		echo "#define HAVE_$f 1"
	done
	echo "#define WORDS_SIZEOF_VOID_P ${ptr:-8}"
} > "$dst/build/config.h"
# shellcheck disable=SC2086
$cc -O2 -g -std=gnu99 -D_GNU_SOURCE -DHAVE_CONFIG_H -I"$dst/build" -I"$src/include" \
    -c "$src/src/cmocka.c" -o "$dst/build/cmocka.o"
# the target's ar writes the symbol index in the target's format
case $cc in
*-gcc) ar=${cc%-gcc}-ar ;;
*--target=*) ar=${cc##*--target=}-ar ;;
*) ar=ar ;;
esac
rm -f "$dst/lib/libcmocka.a"
"$ar" rcs "$dst/lib/libcmocka.a" "$dst/build/cmocka.o"
cp "$src"/include/cmocka.h "$src"/include/cmocka_pbc.h "$dst/include/"
cat > "$dst/lib/pkgconfig/cmocka.pc" <<EOF
prefix=$dst
Name: cmocka
Description: cmocka unit testing library (static, from Debian's source, built by $cc)
Version: $(basename "$src" | sed 's/^cmocka-//')
Libs: -L\${prefix}/lib -lcmocka
Cflags: -I\${prefix}/include
EOF
echo "cmocka: $dst/lib/libcmocka.a ($cc)"
