#!/bin/sh
# SPDX-License-Identifier: MIT
# The ABI guard guards: abi/check.sh, run on a copy of the headers with one
# incompatible change each, must fail; on the unchanged copy it must pass.
# The changes are ones no library function's type reaches, so only the
# header-types corpus (abi/types.c, abi/headers.abi) can see them: a struct
# programs fill by hand (the query interface's), a struct a BPF filter reads,
# an enumerator of a named enum (the opcodes), one of an anonymous enum.
# TAP; all skipped where abi/check.sh skips (no abigail-tools, not x86_64).
#
# usage: abi-guard.sh SOURCE_ROOT BUILDDIR OUTDIR
set -u
src=$1 build=$2 out=$3
copy=$out/abi-guard
fail=0

fresh() {
	rm -rf "$copy"
	mkdir -p "$copy"
	cp -R "$src/include" "$src/abi" "$copy/"
}

# case NUMBER NAME FILE SED-EXPRESSION: the change must make the check fail
check_fails() {
	fresh
	sed -i "$4" "$copy/$3"
	if cmp -s "$src/$3" "$copy/$3"; then
		echo "not ok $1 - $2: the change did not apply to $3"
		fail=1
		return
	fi
	sh "$copy/abi/check.sh" "$build" >"$out/abi-guard-$1.log" 2>&1
	rc=$?
	if [ $rc = 1 ]; then
		echo "ok $1 - $2: caught"
	else
		echo "not ok $1 - $2: abi/check.sh exited $rc"
		sed 's/^/# /' "$out/abi-guard-$1.log" | tail -n 5
		fail=1
	fi
}

mkdir -p "$out"
fresh
sh "$copy/abi/check.sh" "$build" >"$out/abi-guard-0.log" 2>&1
rc=$?
# a TAP skip (exit 77 means nothing to meson's TAP protocol)
if [ $rc = 77 ]; then
	echo "1..0 # SKIP $(head -n 1 "$out/abi-guard-0.log")"
	exit 0
fi
echo "1..5"
if [ $rc = 0 ]; then
	echo "ok 1 - the unchanged headers pass"
else
	echo "not ok 1 - the unchanged headers: abi/check.sh exited $rc"
	sed 's/^/# /' "$out/abi-guard-0.log" | tail -n 5
	fail=1
fi
check_fails 2 "struct io_uring_query_zcrx: a member grows" \
	include/liburing/io_uring/query.h \
	's/^\t__u32\tfeatures;/\t__u64\tfeatures;/'
check_fails 3 "struct io_uring_bpf_ctx: a member grows" \
	include/liburing/io_uring/bpf_filter.h \
	's/^\t__u8\tpdu_size;/\t__u16\tpdu_size;/'
check_fails 4 "enum io_uring_op: the opcodes shift" \
	include/liburing/io_uring.h \
	's/^\tIORING_OP_NOP,/\tIORING_OP_NOP = 1,/'
check_fails 5 "an anonymous enum: a value changes" \
	include/liburing/io_uring.h \
	's/IORING_REG_WAIT_TS = (1U << 0)/IORING_REG_WAIT_TS = (1U << 1)/'
rm -rf "$copy"
exit $fail
