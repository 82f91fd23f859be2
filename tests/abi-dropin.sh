#!/bin/sh
# SPDX-License-Identifier: MIT
# ABI drop-in test.  Builds tests/abi_dropin.c against the SYSTEM's liburing
# (Debian's liburing-dev 2.3: /usr/include/liburing.h and its liburing.so.2),
# with none of our include or library directories on any search path, then:
#   1. runs it on the system library: it must notice that and exit 3;
#   2. runs it with LD_LIBRARY_PATH at our build: it must load ours and pass.
# Skips (77) when liburing-dev is not installed.  CC may name a cross
# compiler for a foreign Debian architecture (i686-linux-gnu-gcc, clang
# --target=...): the header is liburing-dev's, the library the one that
# liburing2:ARCH installs (only its liburing.so.2 is needed).
#
# usage: abi-dropin.sh SOURCE OUTDIR OUR_LIBURING_SO [SANITIZE]
set -u
src=$1
outdir=$2
ourlib=$3
sanitize=${4:-none}
cc=${CC:-cc}

arch=$($cc -print-multiarch 2>/dev/null)
libdir=/usr/lib/${arch:-x86_64-linux-gnu}
if [ -e "$libdir/liburing.so" ]; then
	syslib="-L$libdir -luring"
elif [ -e "$libdir/liburing.so.2" ]; then
	syslib=$libdir/liburing.so.2
else
	syslib=
fi
if [ ! -f /usr/include/liburing.h ] || [ -z "$syslib" ]; then
	echo "# skip: the system's liburing-dev (and liburing2:${arch:-amd64}) is not installed"
	exit 77
fi
ourdir=$(cd "$(dirname "$ourlib")" && pwd -P)
exe=$outdir/abi-dropin

# no inherited search paths may lead the compiler or linker to our tree
unset CPATH C_INCLUDE_PATH LIBRARY_PATH
san=
if [ "$sanitize" != none ] && [ -n "$sanitize" ]; then
	san="-fsanitize=$sanitize -fno-omit-frame-pointer"
fi
# shellcheck disable=SC2086
if ! $cc -std=gnu11 -O1 -g -Wall -Wextra $san -o "$exe" "$src" $syslib; then
	echo "# FAIL: could not build $src against the system's liburing"
	exit 1
fi
echo "# built against /usr/include/liburing.h, linked with $syslib"
if ! readelf -d "$exe" | grep -q 'NEEDED.*\[liburing\.so\.2\]'; then
	echo "# FAIL: $exe does not need liburing.so.2"
	exit 1
fi

# 1. the system's own library: the check must see it is not ours
env -u LD_LIBRARY_PATH "$exe" "$ourdir"
rc=$?
if [ $rc -ne 3 ]; then
	echo "# FAIL: on the system library the test exited $rc, not 3 (not ours)"
	exit 1
fi
echo "# ok: on the system library the test refuses to run"

# 2. ours, found through LD_LIBRARY_PATH
LD_LIBRARY_PATH=$ourdir "$exe" "$ourdir"
rc=$?
if [ $rc -ne 0 ]; then
	echo "# FAIL: on our library the test exited $rc"
	exit 1
fi
echo "# ok: a liburing 2.3 program runs on our liburing.so.2"
exit 0
