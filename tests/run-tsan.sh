#!/bin/sh
# SPDX-License-Identifier: MIT
#
# ThreadSanitizer run of the stress suites (the threaded ones: rings per
# thread, a ring shared behind a mutex, a submitter and a reaper on one
# ring, SQPOLL, writer threads racing cancels).  Any data race report fails
# the suite (halt_on_error).
#
#   tests/run-tsan.sh [-B BUILDDIR] [CC] [meson test args...]
#
# CC defaults to gcc; clang works too (tests/run-tsan.sh -B build-tsan-clang clang).
# The kernel's writes to the rings are invisible to TSan; what it checks is
# the library's and the tests' own accesses from several threads.
set -u
cd "$(dirname "$0")/.."

builddir=build-tsan
if [ "${1:-}" = "-B" ]; then
	builddir=$2
	shift 2
fi
cc=${1:-gcc}
[ $# -gt 0 ] && shift

if [ ! -f "$builddir/build.ninja" ]; then
	CC=$cc meson setup "$builddir" -Db_sanitize=thread -Db_lundef=false \
		-Dexamples=false -Dbench=false >/dev/null || exit 2
fi
ninja -C "$builddir" >/dev/null || exit 2

TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
	meson test -C "$builddir" --suite stress --print-errorlogs "$@"
