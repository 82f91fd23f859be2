#!/bin/sh
# SPDX-License-Identifier: MIT
# uring-probe --json must print valid JSON, and the text report must work.
set -eu
"$1" --json | python3 -m json.tool > /dev/null
# 1: io_uring unusable here, 3: io_uring_register refused; still a report
"$1" > /dev/null || { rc=$?; [ $rc -eq 1 ] || [ $rc -eq 3 ]; }
echo "ok: uring-probe --json is valid JSON"
# where a seccomp filter refuses io_uring_register (as the README says):
# a report that names the filter, valid JSON, and exit status 3
[ $# -ge 2 ] || exit 0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
"$2" "$1" > "$out" 2>&1 || rc=$?
if [ $rc -eq 77 ] || [ $rc -eq 1 ]; then
	echo "skip: no seccomp filter here, or io_uring unusable (exit $rc)"
	exit 0
fi
[ $rc -eq 3 ] || { cat "$out"; echo "uring-probe under the filter exited $rc, not 3"; exit 1; }
grep -q 'seccomp filter' "$out" || { cat "$out"; echo "no word of the seccomp filter"; exit 1; }
"$2" "$1" --json > "$out" || [ $? -eq 3 ]
python3 -m json.tool < "$out" > /dev/null
grep -q '"method": "denied"' "$out" || { echo "--json does not say denied"; exit 1; }
echo "ok: io_uring_register refused: uring-probe says so and exits 3"
