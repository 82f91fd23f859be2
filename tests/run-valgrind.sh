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
# test whose waiter needs another thread to act can only time out).  Other
# suites ask t_under_valgrind() (tests/helpers.c) for the same.  Each
# suite is killed after VALGRIND_SUITE_TIMEOUT seconds (default 600).
#
# Logs: BUILDDIR/valgrind-logs/SUITE.out (the TAP output) and SUITE/PID.log
# (valgrind, one file per process).  The last line sums it all up:
#   valgrind: N suites, E errors, D definite leaks, I indirect leaks, F failed (Ts)
# and the exit status is 0 only when every suite passed with no error or leak.
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

# Count the records in a suite's -q logs (one per process: forked children
# log on their own), as "err=N def=N ind=N".  A record's first line is
# the one line of it that is not indented; leak records say how the block
# was lost; valgrind's own warnings are not errors.
count_records() {
	awk '
	{ sub(/^==[0-9]+== ?/, "") }
	/^$/ || /^[ \t]/ || /^Warning:/ { next }
	/definitely lost in loss record/ { def++; next }
	/indirectly lost in loss record/ { ind++; next }
	{ err++ }
	END { printf "err=%d def=%d ind=%d\n", err, def, ind }
	' "$@"
}

fail=0 suites=0 failed=0 total_err=0 total_def=0 total_ind=0
t0=$(date +%s)
for name in "$@"; do
	suites=$((suites + 1))
	cmd=$(echo "$tests" | sed -n "s/^$name //p")
	if [ -z "$cmd" ]; then
		echo "FAIL $name: no such test"
		fail=1 failed=$((failed + 1))
		continue
	fi
	logs=$logdir/$name
	mkdir -p "$logs"
	rm -f "$logs"/*.log
	start=$(date +%s)
	# tests run in the build directory, as under meson test
	(cd "$builddir" && CMOCKA_MESSAGE_OUTPUT=TAP URING_UNDER_VALGRIND=1 \
		timeout -k 10 "${VALGRIND_SUITE_TIMEOUT:-600}" valgrind -q \
		--error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect \
		--suppressions="$supp" \
		--log-file="$logs/%p.log" $cmd >"$logdir/$name.out" 2>&1)
	rc=$?
	secs=$(( $(date +%s) - start ))
	eval "$(count_records "$logs"/*.log)"
	total_err=$((total_err + err))
	total_def=$((total_def + def))
	total_ind=$((total_ind + ind))
	if [ $rc -eq 99 ] || [ $((err + def + ind)) -ne 0 ]; then
		echo "FAIL $name: $err errors, $def definite and $ind indirect leaks ($logs/)"
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		echo "FAIL $name: timed out under valgrind ($logdir/$name.out)"
	elif [ $rc -ne 0 ]; then
		echo "FAIL $name: tests failed under valgrind, exit $rc ($logdir/$name.out)"
	else
		echo "ok   $name (${secs}s)"
		continue
	fi
	fail=1 failed=$((failed + 1))
done
echo "valgrind: $suites suites, $total_err errors, $total_def definite leaks," \
	"$total_ind indirect leaks, $failed failed ($(( $(date +%s) - t0 ))s)"
exit $fail
