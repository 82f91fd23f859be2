#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Build uring for other architectures as a distribution would: the library,
# examples, tools, benchmarks and every test suite, warnings as errors
# (-Dwerror=true), with Debian 12's cross compilers (cross/ARCH.txt) and
# clang (cross/clang-ARCH.txt).  The test suites link a static cmocka built
# from Debian's source for that compiler (cross/cmocka.sh) and are linked
# -static, so that vm/run.sh can boot them on that architecture's kernel.
#
# usage: cross/build.sh [NAME...]      (default: every cross/*.txt)
# NAME is a cross file's name: i686 armhf armel aarch64 riscv64 ppc64el s390x
# mips64el, clang-i686 clang-aarch64, and x86_64 / clang-x86_64 for this
# machine's own gcc / clang (x86_64-O3: gcc -O3 -D_FORTIFY_SOURCE=3).  Builds go to build-cross/NAME (BUILD_ROOT).
# Prints one line per build and exits non-zero if any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
BUILD_ROOT=${BUILD_ROOT:-$repo/build-cross}
export DEB_CACHE=${DEB_CACHE:-$repo/build-vm/cache}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	names=(x86_64 x86_64-O3 clang-x86_64)
	for f in "$here"/*.txt; do
		names+=("$(basename "$f" .txt)")
	done
fi

# build_one NAME: configure (once) and build build-cross/NAME
build_one() {
	local name=$1 dir=$BUILD_ROOT/$1 file=$here/$1.txt cc opts=()
	case $name in
	x86_64) cc=gcc ;;
	# gcc's -O3 inlines further and warns about more (format truncation,
	# bounds); FORTIFY_SOURCE=3 is what Fedora and Ubuntu build with
	x86_64-O3) cc=gcc
		opts=(-Doptimization=3 -Dc_args=-D_FORTIFY_SOURCE=3) ;;
	clang-x86_64) cc=clang ;;
	*)
		[ -f "$file" ] || { echo "no cross file $file"; return 1; }
		opts=(--cross-file "$file")
		# the C compiler named in the cross file, as a command line
		cc=$(sed -n "s/^c = \(.*\)$/\1/p" "$file" | tr -d "[]'," )
		;;
	esac
	bash "$here/cmocka.sh" "$cc" "$BUILD_ROOT/cmocka-$name" >/dev/null || return 1
	opts+=(-Dwerror=true -Dstatic_tests=true
	       "-Dpkg_config_path=$BUILD_ROOT/cmocka-$name/lib/pkgconfig")
	if [ ! -f "$dir/build.ninja" ]; then
		if [ "$name" = clang-x86_64 ]; then
			CC=clang meson setup "$dir" "$repo" "${opts[@]}" >/dev/null || return 1
		else
			meson setup "$dir" "$repo" "${opts[@]}" >/dev/null || return 1
		fi
	fi
	ninja -C "$dir" >"$dir/build.log" 2>&1 || { tail -n 40 "$dir/build.log"; return 1; }
	# the compiler's warnings are errors; the linker's note about getgrgid
	# in static programs is glibc's and expected
	if grep -E 'warning:' "$dir/build.log" | grep -v "statically linked applications requires" >&2; then
		return 1
	fi
}

rc=0
for name in "${names[@]}"; do
	t0=$(date +%s)
	if build_one "$name"; then
		what=$(file -b "$BUILD_ROOT/$name/src/liburing.so.2.15" | cut -d, -f1-2)
		printf 'cross %-14s ok    %3ss  %s\n' "$name" $(($(date +%s) - t0)) "$what"
	else
		printf 'cross %-14s FAIL  %3ss\n' "$name" $(($(date +%s) - t0))
		rc=1
	fi
done
exit $rc
