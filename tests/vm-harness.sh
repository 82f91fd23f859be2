#!/bin/bash
# SPDX-License-Identifier: MIT
# The VM harness fails loudly: vm/report.py turns every way a guest run can
# go wrong (a failed test, a crash, a suite killed by its time limit, a
# short or missing TAP plan, a guest that never finished, no suite at all)
# into exit 1, and so does a kernel warning (WARN_ON, BUG) while a suite
# ran (vm/init passes them on as URING-KMSG lines); it passes a clean run.
# cross/debian.sh does not trust a private apt state whose update brought
# no package list (no network).
# TAP, one case per check.
#
# usage: vm-harness.sh SOURCE_DIR WORK_DIR
set -u
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
n=0 fail=0

ok() {		# ok DESCRIPTION COMMAND...: the command must succeed
	local what=$1
	shift
	n=$((n + 1))
	if "$@" > "$work/out" 2>&1; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		sed 's/^/# /' "$work/out" | tail -n 20
		fail=1
	fi
}

not() { ! "$@"; }

report() {	# report LOG: vm/report.py's verdict on a serial log
	python3 "$src/vm/report.py" "$1" "vm test"
}

# log NAME: a serial log from the markers on stdin, the kernel line first
log() {
	{ echo "URING-KERNEL 6.1.0-0-test x86_64 cpus=2 suite_timeout=600"; cat; } > "$work/$1.log"
	echo "$work/$1.log"
}

good=$(log good <<'EOF'
[    1.0] Run /init as init process
URING-SUITE-BEGIN setup
1..3
ok 1 - a
# skip: kernel lacks X
not ok 2 # SKIP b
ok 3 - c
URING-SUITE-END setup rc=0 pass=2 fail=0 skip=1 secs=1
URING-DONE pass=2 fail=0 skip=1
EOF
)
failed=$(log failed <<'EOF'
URING-SUITE-BEGIN setup
1..2
ok 1 - a
not ok 2 - b
# ../tests/setup.c:10: error: Failure!
URING-SUITE-END setup rc=1 pass=1 fail=1 skip=0 secs=1
URING-DONE pass=1 fail=1 skip=0
EOF
)
crashed=$(log crashed <<'EOF'
URING-SUITE-BEGIN setup
1..3
ok 1 - a
# stderr: Segmentation fault
URING-SUITE-END setup rc=139 pass=1 fail=1 skip=0 secs=1
URING-DONE pass=1 fail=1 skip=0
EOF
)
timedout=$(log timedout <<'EOF'
URING-SUITE-BEGIN setup
1..1
URING-SUITE-END setup rc=137 pass=0 fail=1 skip=0 secs=600
URING-DONE pass=0 fail=1 skip=0
EOF
)
short=$(log short <<'EOF'
URING-SUITE-BEGIN setup
1..3
ok 1 - a
ok 2 - b
URING-SUITE-END setup rc=0 pass=2 fail=1 skip=0 secs=1
URING-DONE pass=2 fail=1 skip=0
EOF
)
noplan=$(log noplan <<'EOF'
URING-SUITE-BEGIN setup
URING-SUITE-END setup rc=0 pass=0 fail=0 skip=0 secs=0
URING-DONE pass=0 fail=0 skip=0
EOF
)
panicked=$(log panicked <<'EOF'
URING-SUITE-BEGIN setup
1..2
ok 1 - a
[    9.9] Kernel panic - not syncing: Fatal exception
EOF
)
warned=$(log warned <<'EOF'
URING-SUITE-BEGIN setup
1..1
ok 1 - a
URING-KMSG [   12.5] WARNING: CPU: 1 PID: 77 at io_uring/io_uring.c:2100 io_ring_exit_work+0x1e/0x30
URING-SUITE-END setup rc=0 pass=1 fail=1 skip=0 secs=1
URING-DONE pass=1 fail=1 skip=0
EOF
)
nosuite=$(log nosuite <<'EOF'
URING-DONE pass=0 fail=0 skip=0
EOF
)

echo "1..11"
ok "report.py passes a clean run" report "$good"
ok "report.py fails a failed test" not report "$failed"
ok "report.py fails a suite that crashed" not report "$crashed"
ok "report.py fails a suite killed by its time limit" not report "$timedout"
ok "report.py fails a suite that reported fewer tests than planned" not report "$short"
ok "report.py fails a suite without a TAP plan" not report "$noplan"
ok "report.py fails a guest that never finished (panic, hang)" not report "$panicked"
ok "report.py fails a run without a suite" not report "$nosuite"
ok "report.py fails a suite during which the kernel warned (WARN_ON, BUG)" not report "$warned"

# deb_apt_update with the network unreachable (every proxy a closed port):
# it must fail, and must not mark the state fresh for the next day's runs
apt_unreachable() {
	DEB_CACHE=$work/cache http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 \
		bash -c '. "$1/cross/debian.sh"; deb_apt_update s390x' sh "$src"
}
if command -v apt-get >/dev/null && [ -d /etc/apt ]; then
	ok "deb_apt_update fails without the network" not apt_unreachable
	ok "...and leaves the state unmarked, to try again next run" \
		not test -e "$work/cache/apt-s390x/updated"
else
	echo "ok 10 # SKIP apt-get not available"
	echo "ok 11 # SKIP apt-get not available"
fi
exit $fail
