#!/bin/sh
# SPDX-License-Identifier: MIT
# The __NR_io_uring_* numbers <liburing.h> defines where libc lacks them,
# checked against the kernel's on every architecture there is a compiler
# for (Debian's cross compilers: gcc-i686-linux-gnu, ...).  TAP, one case
# per architecture whose compiler is installed (the host's always is); the
# others are listed in a comment.
#
# usage: syscall-numbers.sh SOURCE_DIR
set -u
tests=$1
n=0 fail=0 have= missing=
for cc in cc i686-linux-gnu-gcc arm-linux-gnueabihf-gcc arm-linux-gnueabi-gcc \
	aarch64-linux-gnu-gcc mips64el-linux-gnuabi64-gcc mipsel-linux-gnu-gcc \
	powerpc64le-linux-gnu-gcc s390x-linux-gnu-gcc riscv64-linux-gnu-gcc; do
	if command -v "$cc" >/dev/null; then
		have="$have $cc"
	else
		missing="$missing $cc"
	fi
done
set -- $have
echo "1..$#"
[ -n "$missing" ] && echo "# not installed, not checked:$missing"
for cc in "$@"; do
	n=$((n + 1))
	if out=$("$cc" -std=gnu11 -Wall -Wextra -Werror -I "$tests/no-libc-nr" \
		-I "$tests/../include" -fsyntax-only "$tests/syscall_numbers.c" 2>&1); then
		echo "ok $n - $cc"
	else
		echo "not ok $n - $cc"
		echo "$out" | sed 's/^/# /'
		fail=1
	fi
done
exit $fail
