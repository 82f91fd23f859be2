#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks the example programs: run-examples.sh probe|owrc|cp PROGRAM
set -eu
what=$1 prog=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/uring-examples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

case $what in
probe)
	"$prog" > "$tmp/out"
	grep -q '^NOP  *supported$' "$tmp/out"
	grep -Eq '^READ  *(supported|not supported)$' "$tmp/out"
	;;
owrc)
	TMPDIR=$tmp "$prog" > "$tmp/out"
	cat "$tmp/out"
	grep -q '^opened .* as fd [0-9][0-9]*$' "$tmp/out"
	grep -q '^wrote 11 bytes$' "$tmp/out"
	grep -q '^read 11 bytes: hello world$' "$tmp/out"
	grep -q '^closed$' "$tmp/out"
	# the file is removed again
	[ -z "$(ls -A "$tmp" | grep -v '^out$')" ]
	;;
cp)
	# 10 MiB, and an odd size whose last block is partial
	head -c 10485760 /dev/urandom > "$tmp/src"
	"$prog" "$tmp/src" "$tmp/dst"
	cmp "$tmp/src" "$tmp/dst"
	head -c 3333333 /dev/urandom > "$tmp/odd"
	"$prog" "$tmp/odd" "$tmp/dst" 3
	cmp "$tmp/odd" "$tmp/dst"
	"$prog" "$tmp/odd" "$tmp/dst" 1
	cmp "$tmp/odd" "$tmp/dst"
	: > "$tmp/empty"
	"$prog" "$tmp/empty" "$tmp/dst"
	cmp "$tmp/empty" "$tmp/dst"
	# errors are reported and fail
	if "$prog" "$tmp/missing" "$tmp/dst" 2>/dev/null; then exit 1; fi
	;;
*)
	echo "unknown check $what" >&2
	exit 2
	;;
esac
echo "ok: $what"
