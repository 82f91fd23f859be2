#!/bin/sh
# SPDX-License-Identifier: MIT
# The project's own ABI guard (libabigail; Debian: abigail-tools).
#
#   abi/check.sh [BUILDDIR]            compare BUILDDIR's libraries with the
#                                      baselines in abi/ (default: build)
#   abi/check.sh --update [BUILDDIR]   rewrite the baselines from BUILDDIR
#
# Fails (exit 1) when a library lost a symbol, a symbol changed its version,
# or a function or a type reachable from one changed in a way abidiff does
# not judge harmless (a struct member moved, a parameter changed type...);
# or when a type the public headers define changed, reachable or not (a
# struct only programs fill, an enumerator's value): abi/types.c, compiled
# with every type kept, against abi/headers.abi.
# Additions pass, with a notice: a deliberate addition updates the
# baselines in the same commit (abi/README.md).  Exit 77 (skip) when
# abidiff is missing (unless URING_ABI_REQUIRED=1) or the libraries are
# not x86_64, the architecture of the baselines.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
build=${1:-$root/build}
libs="liburing.so.2 liburing-ffi.so.2"

# What is recorded: the exported symbols with their versions, and the types
# reachable from them; no source locations, parameter names, paths or
# DT_NEEDED (none of those is ABI, all of them vary with the compiler or the
# checkout).  No --headers-dir: libabigail does not match the build's
# relative DWARF paths against it, and would then filter every change out
# as "private".
abidw_flags="--drop-undefined-syms --no-show-locs --no-parameter-names
	--no-corpus-path --no-comp-dir-path --no-elf-needed --type-id-style hash"
abidiff_flags="--no-show-locs"

# The header types: abi/types.c built from the source root with relative
# paths (the baseline keeps its source locations: headers.suppr tells our
# headers' types from the system's by them; they are not compared).
htypes_flags="-shared -fPIC -g -O0 -fno-eliminate-unused-debug-types -I include"
htypes_abidw_flags="--load-all-types --drop-undefined-syms --no-parameter-names
	--no-corpus-path --no-comp-dir-path --no-elf-needed --type-id-style hash"
build_header_types() {	# $1: output .so
	(cd "$root" && ${CC:-cc} $htypes_flags abi/types.c -o "$1")
}

skip() { echo "abi: $*: not checked"; exit 77; }
if ! command -v abidiff >/dev/null || ! command -v abidw >/dev/null; then
	[ "${URING_ABI_REQUIRED:-0}" = 1 ] && { echo "abi: abidiff/abidw missing (apt-get install abigail-tools)"; exit 1; }
	skip "abidiff missing (apt-get install abigail-tools)"
fi
for lib in $libs; do
	[ -e "$build/src/$lib" ] || { echo "abi: $build/src/$lib not built"; exit 1; }
done
case $(readelf -h "$build/src/liburing.so.2" | sed -n 's/^ *Machine: *//p') in
*X86-64*) ;;
*) skip "baselines are x86_64 only" ;;
esac

if [ $update = 1 ]; then
	for lib in $libs; do
		# shellcheck disable=SC2086
		abidw $abidw_flags --out-file "$here/$lib.abi" "$build/src/$lib" || exit 1
		echo "abi: wrote abi/$lib.abi ($(grep -c '<elf-symbol ' "$here/$lib.abi") symbols)"
	done
	tmp=$(mktemp -d) || exit 1
	# shellcheck disable=SC2086
	build_header_types "$tmp/headers.so" &&
		abidw $htypes_abidw_flags --out-file "$here/headers.abi" "$tmp/headers.so" || exit 1
	rm -rf "$tmp"
	echo "abi: wrote abi/headers.abi (the header types)"
	exit 0
fi

status=0
for lib in $libs; do
	if ! readelf -S "$build/src/$lib" | grep -q '\.debug_info'; then
		echo "abi: $lib has no debug info: symbols and versions compared, types not"
	fi
	report=$(mktemp)
	# shellcheck disable=SC2086
	abidiff $abidiff_flags "$here/$lib.abi" "$build/src/$lib" >"$report" 2>&1
	rc=$?
	# exit status bits: 1 error, 2 usage, 4 ABI change, 8 incompatible change
	removed_or_changed=$(grep -E 'changes summary:' "$report" |
		grep -Eo '[0-9]+ (Removed|Changed)' | awk '{ n += $1 } END { print n + 0 }')
	added=$(grep -E 'changes summary:' "$report" |
		grep -Eo '[0-9]+ Added' | awk '{ n += $1 } END { print n + 0 }')
	if [ $((rc & 3)) -ne 0 ]; then
		cat "$report"
		echo "abi: FAIL $lib: abidiff could not compare (exit $rc)"
		status=1
	elif [ $((rc & 8)) -ne 0 ] || [ "$removed_or_changed" -gt 0 ]; then
		cat "$report"
		echo "abi: FAIL $lib: incompatible with abi/$lib.abi (see above)"
		status=1
	elif [ "$added" -gt 0 ]; then
		cat "$report"
		echo "abi: ok $lib, with $added addition(s) not in abi/$lib.abi:"
		echo "     if deliberate, record them: abi/check.sh --update (abi/README.md)"
	else
		echo "abi: ok $lib matches abi/$lib.abi"
	fi
	rm -f "$report"
done

# the header types, reachable from a library function or not
tmp=$(mktemp -d) || exit 1
if ! build_header_types "$tmp/headers.so" 2>"$tmp/cc.log"; then
	cat "$tmp/cc.log"
	echo "abi: FAIL header types: abi/types.c does not build"
	status=1
else
	abidiff $abidiff_flags --non-reachable-types --suppressions "$here/headers.suppr" \
		"$here/headers.abi" "$tmp/headers.so" >"$tmp/report" 2>&1
	rc=$?
	# "Unreachable types summary: 1 removed, 2 changed (3 filtered out), 4 added ..."
	summary=$(grep -E '^Unreachable types summary:' "$tmp/report")
	removed_or_changed=$(echo "$summary" | grep -Eo '[0-9]+ (removed|changed)' |
		awk '{ n += $1 } END { print n + 0 }')
	added=$(echo "$summary" | grep -Eo '[0-9]+ added' | awk '{ n += $1 } END { print n + 0 }')
	if [ $((rc & 3)) -ne 0 ] || [ -z "$summary" ]; then
		cat "$tmp/report"
		echo "abi: FAIL header types: abidiff could not compare (exit $rc)"
		status=1
	elif [ $((rc & 8)) -ne 0 ] || [ "$removed_or_changed" -gt 0 ]; then
		cat "$tmp/report"
		echo "abi: FAIL header types: incompatible with abi/headers.abi (see above)"
		status=1
	elif [ "$added" -gt 0 ]; then
		cat "$tmp/report"
		echo "abi: ok header types, with $added addition(s) not in abi/headers.abi:"
		echo "     if deliberate, record them: abi/check.sh --update (abi/README.md)"
	else
		echo "abi: ok header types match abi/headers.abi"
	fi
fi
rm -rf "$tmp"
exit $status
