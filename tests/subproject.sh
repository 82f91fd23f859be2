#!/bin/sh
# SPDX-License-Identifier: MIT
# uring as another project's meson subproject, set up the way the README
# says: the parent asks for liburing >= 2.15 with uring as the fallback.
# Checks that the parent gets uring's library (the system's older liburing
# is passed over), that uring's examples, tests and benchmarks are left out
# without any -During:... option (so the parent needs no cmocka, and its
# `meson test` runs only its own tests), and that the parent's programs, C
# and C++, build with the parent's strict warnings (warning_level=3, i.e.
# -Wpedantic, and werror: they apply to the parent's code, not to our
# headers, as with an installed liburing) and run.  Where cmocka is
# installed, -During:tests=true brings our tests back and our install test
# passes in the parent's build.
#
# The parent lives in a temporary directory (its subprojects/uring is a
# link to this source tree, which must not end up inside that tree); logs
# go to OUTDIR.
#
# usage: subproject.sh SOURCE_ROOT OUTDIR
set -u
src=$(cd "$1" && pwd -P)
out=$2
parent=$(mktemp -d "${TMPDIR:-/tmp}/uring-parent.XXXXXX") || exit 1
trap 'rm -rf "$parent"' EXIT

mkdir -p "$out" "$parent/subprojects"
ln -s "$src" "$parent/subprojects/uring"
cat >"$parent/meson.build" <<'EOF'
project('parent', 'c', 'cpp', default_options : ['warning_level=3', 'werror=true'])
liburing = dependency('liburing', version : '>= 2.15', fallback : ['uring', 'liburing_dep'])
parent = executable('parent', 'parent.c', dependencies : liburing)
executable('parent-cxx', 'parent.cpp', dependencies : liburing)
test('parent', parent)
EOF
cat >"$parent/parent.c" <<'EOF'
#include <stdio.h>
#include <liburing.h>

int main(void)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	int ret = io_uring_queue_init(4, &ring, 0);

	if (ret == -ENOSYS || ret == -EPERM) {
		puts("io_uring unavailable here");
		return 0;
	}
	if (ret < 0)
		return 1;
	io_uring_prep_nop(io_uring_get_sqe(&ring));
	ret = io_uring_submit_and_wait(&ring, 1);
	if (ret == 1 && io_uring_peek_cqe(&ring, &cqe) == 0 && cqe->res == 0)
		ret = 0;
	else
		ret = 1;
	io_uring_queue_exit(&ring);
	return ret;
}
EOF

cp "$parent/parent.c" "$parent/parent.cpp"

# examples, tests and bench must be off on their own
if ! meson setup "$parent/build" "$parent" >"$out/subproject-setup.log" 2>&1; then
	cat "$out/subproject-setup.log"
	echo "not ok - meson setup of the parent project failed"
	exit 1
fi
fail=0
targets=$(meson introspect --targets "$parent/build" | python3 -c '
import json, sys
print(" ".join(t["name"] for t in json.load(sys.stdin)))')
for t in $targets; do
	case $t in
	test-*|testhelpers|uring-bench*|probe|open_write_read_close|cp)
		echo "not ok - the subproject builds $t (examples/tests/bench must be off by default)"
		fail=1 ;;
	esac
done
ours=$(meson test -C "$parent/build" --list 2>/dev/null | grep '^uring:')
if [ -n "$ours" ]; then
	echo "not ok - the parent's meson test would run uring's tests: $(echo $ours)"
	fail=1
fi
case " $targets " in
*" uring "*) ;;
*) echo "not ok - the parent did not get uring's library (targets: $targets)"; fail=1 ;;
esac
[ $fail = 0 ] && echo "ok - as a subproject: the library, and no examples, tests or benchmarks"

if ninja -C "$parent/build" >"$out/subproject-build.log" 2>&1 &&
   "$parent/build/parent" && "$parent/build/parent-cxx"; then
	echo "ok - the parent's C and C++ programs build against uring (-Wpedantic -Werror) and run"
else
	tail -n 20 "$out/subproject-build.log"
	echo "not ok - the parent's programs did not build or run"
	fail=1
fi

# -During:tests=true brings our tests back (README): in the parent's build,
# the install test installs the parent's build tree (which holds ours) and
# checks what lands.  Needs cmocka; only the installed targets are built.
if pkg-config --exists cmocka 2>/dev/null; then
	if meson setup "$parent/build-tests" "$parent" -During:tests=true \
		>"$out/subproject-tests-setup.log" 2>&1 &&
	   installed=$(meson introspect --targets "$parent/build-tests" | python3 -c '
import json, os, sys
b = sys.argv[1]
print(" ".join(os.path.relpath(f, b) for t in json.load(sys.stdin)
               if t["installed"] for f in t["filename"]))' "$parent/build-tests") &&
	   ninja -C "$parent/build-tests" $installed >"$out/subproject-tests-build.log" 2>&1 &&
	   meson test -C "$parent/build-tests" --no-rebuild uring:install \
		>"$out/subproject-tests-test.log" 2>&1; then
		echo "ok - with -During:tests=true, our install test passes in the parent's build"
	else
		tail -n 20 "$out"/subproject-tests-*.log "$parent/build-tests/meson-logs/testlog.txt" 2>/dev/null
		echo "not ok - with -During:tests=true, our install test fails in the parent's build"
		fail=1
	fi
else
	echo "ok - with -During:tests=true: not checked # SKIP no cmocka"
fi
exit $fail
