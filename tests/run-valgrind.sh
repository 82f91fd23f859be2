#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Run the cmocka suites under valgrind memcheck; exit non-zero on any error
# or leak.  Builds its own tree (no sanitizers, -DURING_VALGRIND so the
# library marks memory the kernel fills in as defined).
#
#   tests/run-valgrind.sh [-B BUILDDIR] [SUITE...]     (default: every suite)
#
# Stress suites run for their usual time budget (URING_SOAK_SECONDS works
# here too), just with fewer rounds under valgrind.  URING_UNDER_VALGRIND=1
# tells tests/misuse.c to skip the few calls whose deliberately bad pointer
# memcheck would flag at the syscall, and the stress suites to wait in
# short slices: valgrind 3.19 keeps its big lock across io_uring_enter(),
# so a thread blocked there stops every other thread of the program (a
# test whose waiter needs another thread to act can only time out).  Each
# suite is killed after VALGRIND_SUITE_TIMEOUT seconds (default 600).
set -u
cd "$(dirname "$0")/.."

builddir=build-valgrind
if [ "${1:-}" = "-B" ]; then
	builddir=$2
	shift 2
fi

command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 2; }

if [ ! -f "$builddir/build.ninja" ]; then
	meson setup "$builddir" -Db_sanitize=none -Dc_args=-DURING_VALGRIND \
		-Dexamples=false -Dbench=false >/dev/null || exit 2
fi
ninja -C "$builddir" >/dev/null || exit 2

# name, then the program and its arguments, for each registered test
tests=$(meson introspect --tests "$builddir" | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    cmd = t["cmd"]
    # cmocka suites run as: python3 cmocka-tap.py PROGRAM ARGS...; other
    # tests (scripts) are not C programs to run under valgrind
    if len(cmd) > 2 and cmd[1].endswith("cmocka-tap.py"):
        print(t["name"], *cmd[2:])
')
if [ $# -eq 0 ]; then
	set -- $(echo "$tests" | cut -d" " -f1)
fi

logdir=$(pwd)/$builddir/valgrind-logs
supp=$(pwd)/tests/valgrind.supp
mkdir -p "$logdir"
fail=0
for name in "$@"; do
	cmd=$(echo "$tests" | sed -n "s/^$name //p")
	if [ -z "$cmd" ]; then
		echo "FAIL $name: no such test"
		fail=1
		continue
	fi
	log=$logdir/$name.log
	start=$(date +%s)
	# tests run in the build directory, as under meson test
	(cd "$builddir" && CMOCKA_MESSAGE_OUTPUT=TAP URING_UNDER_VALGRIND=1 \
		timeout -k 10 "${VALGRIND_SUITE_TIMEOUT:-600}" valgrind -q \
		--error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect \
		--suppressions="$supp" \
		--log-file="$log" $cmd >"$logdir/$name.out" 2>&1)
	rc=$?
	secs=$(( $(date +%s) - start ))
	errors=$(grep -c '^==[0-9]*== [A-Z]' "$log")
	if [ $rc -eq 99 ] || [ "$errors" -ne 0 ]; then
		echo "FAIL $name: valgrind errors ($log)"
		fail=1
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "FAIL $name: timed out under valgrind ($logdir/$name.out)"
		fail=1
	elif [ $rc -ne 0 ]; then
		echo "FAIL $name: tests failed under valgrind, exit $rc ($logdir/$name.out)"
		fail=1
	else
		echo "ok   $name (${secs}s)"
	fi
done
[ $fail -eq 0 ] && echo "valgrind: 0 errors, 0 leaks" || echo "valgrind: FAILED"
exit $fail
