#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Side by side: this tree's liburing against Debian's liburing 2.3.
#
# Builds the library from this tree in a temporary directory, compiles
# bench/uring-bench.c twice with the same flags (once against this tree's
# header and library, once against /usr/include/liburing.h and the system
# liburing.so.2), checks that each binary really uses its own header and its
# own liburing.so.2, then measures every workload:
#
#   ops per CPU-second   interleaved runs on one pinned CPU, the two variants
#                        alternating (order flipped every round); medians of
#                        the rounds, and as ratio the median of the per-round
#                        ratios (robust to load that drifts between rounds)
#   instructions per op  user space only, callgrind with instrumentation on
#                        for the measured loop alone (the program brackets it
#                        with CALLGRIND_START/STOP_INSTRUMENTATION)
#   syscalls per op      io_uring_enter calls (and all syscalls) the measured
#                        loop makes, counted by perf tracepoints in the
#                        program, or by strace -c when tracefs is missing
#
#   95% CI               distribution-free confidence interval of the median
#                        ratio (order statistics of the per-round ratios);
#                        "faster" when all of it is above 1, "slower" when
#                        all of it is below, "same" when it holds 1
#
# usage: bench/compare.sh [-r ROUNDS] [-t SECONDS] [-c CPU] [-w LIST] [-k]
#   -r  timing rounds (default 41)
#   -t  CPU seconds per timed run (default 0.05)
#   -c  CPU to pin the runs to (default 1, or 0 on a one-CPU machine)
#   -w  comma-separated workloads (default: all, see "uring-bench list")
#   -k  keep the work directory (binaries, callgrind profiles, raw numbers)
# environment: CC compiles the benchmark and this tree's library (default cc),
#   e.g. CC=clang
set -eu

rounds=41
secs=0.05
cpu=
keep=0
only=
while getopts r:t:c:w:kh opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	t) secs=$OPTARG ;;
	c) cpu=$OPTARG ;;
	w) only=$(echo "$OPTARG" | tr ',' ' ') ;;
	k) keep=1 ;;
	*) sed -n '3,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d'; exit 2 ;;
	esac
done
if [ -z "$cpu" ]; then
	cpu=1
	[ "$(nproc)" -gt 1 ] || cpu=0
fi

src=$(cd "$(dirname "$0")/.." && pwd)
# not /tmp: the read workloads want a file on a real filesystem
work=$(mktemp -d /var/tmp/uring-compare.XXXXXX)
cleanup() {
	if [ "$keep" = 1 ]; then
		echo "work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
# the binaries must find their own library, nothing else
unset LD_LIBRARY_PATH LD_PRELOAD

say() { echo "== $*" >&2; }
die() { echo "compare.sh: $*" >&2; exit 1; }

# ---- tools and Debian's liburing ----

if [ ! -f /usr/include/liburing.h ] || ! command -v valgrind >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || die "needs liburing-dev and valgrind (apt-get install liburing-dev valgrind)"
	say "installing liburing-dev valgrind"
	apt-get install -y liburing-dev valgrind >"$work/apt.log" 2>&1 ||
		die "apt-get install failed, see $work/apt.log"
fi
# the compiler for the benchmark (both variants); meson builds the library
# with the same one (it reads CC too)
CC=${CC:-cc}
for t in meson ninja "$CC" taskset valgrind; do
	command -v $t >/dev/null 2>&1 || die "needs $t"
done

# ---- build ----

say "building this tree's library in $work/build"
# DWARF 4: valgrind 3.19 cannot read the DWARF 5 that clang 14 writes
meson setup "$work/build" "$src" -Dtests=false -Dexamples=false -Dbench=false \
	-Dc_args=-gdwarf-4 \
	>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; die "meson setup failed"; }
ninja -C "$work/build" >>"$work/build.log" 2>&1 ||
	{ cat "$work/build.log" >&2; die "build failed"; }

# the same compiler and flags for both variants: only header and library differ
CFLAGS="-O2 -g -gdwarf-4 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra"
say "compiling bench/uring-bench.c against both"
# shellcheck disable=SC2086
"$CC" $CFLAGS -I"$src/include" "$src/bench/uring-bench.c" -o "$work/bench-ours" \
	-L"$work/build/src" -Wl,-rpath,"$work/build/src" -luring -ldl
# shellcheck disable=SC2086
"$CC" $CFLAGS "$src/bench/uring-bench.c" -o "$work/bench-2.3" -luring -ldl

# ---- each binary uses its own header and its own liburing.so.2 ----

# the liburing.so.2 the dynamic linker resolves for a binary
ldd_lib() {
	ldd "$1" | awk '$1 == "liburing.so.2" { print $3 }' | xargs -r readlink -f
}

# field of the "info" line: header=, header_version=, lib=
info_field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

verify() {	# variant expected-header expected-library
	info=$("$work/bench-$1" info)
	hdr=$(info_field "$info" header)
	lib=$(readlink -f "$(info_field "$info" lib)")
	ldd=$(ldd_lib "$work/bench-$1")
	echo "   $1: header=$hdr ($(info_field "$info" header_version))," \
	     "maps: $lib, ldd: $ldd" >&2
	[ "$hdr" = "$2" ] || die "$1 was compiled against the wrong header ($hdr)"
	[ "$lib" = "$3" ] || die "$1 runs with $lib, not $3"
	[ "$ldd" = "$3" ] || die "$1 links to $ldd, not $3"
}

say "checking headers and libraries"
ours_lib=$(readlink -f "$work/build/src/liburing.so.2")
deb_lib=$(readlink -f "$(cc -print-file-name=liburing.so.2)")
case $deb_lib in
*liburing.so.2.3) ;;
*) die "the system liburing is $deb_lib, not 2.3" ;;
esac
verify ours uring "$ours_lib"
verify 2.3 liburing "$deb_lib"

# ---- workloads and their data file ----

workloads=$("$work/bench-ours" list)
if [ -n "$only" ]; then
	for w in $only; do
		echo "$workloads" | grep -qx "$w" || die "no workload $w"
	done
	workloads=$only
fi
data=$work/data
head -c $((32 << 20)) /dev/urandom >"$data"

median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2];
		      else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# 95% confidence interval of the median: order statistics n/2 -+ 0.98 sqrt(n)
median_ci() {
	sort -n "$1" | awk '{ v[NR] = $1 }
		END { d = 0.98 * sqrt(NR); lo = int(NR / 2 - d); hi = int(NR / 2 + d + 1) + 1;
		      if (lo < 1) lo = 1; if (hi > NR) hi = NR;
		      printf "%.3f %.3f\n", v[lo], v[hi] }'
}

# ---- throughput: interleaved, pinned, medians ----

say "timing: $rounds rounds of ${secs}s per workload and variant on CPU $cpu"
r=1
while [ $r -le "$rounds" ]; do
	for w in $workloads; do
		if [ $((r % 2)) = 1 ]; then order="ours 2.3"; else order="2.3 ours"; fi
		for v in $order; do
			out=$(taskset -c "$cpu" "$work/bench-$v" -t "$secs" -f "$data" "$w") ||
				die "$v $w failed"
			echo "$out" | sed -n 's/.*ops_per_cpu_s=\([0-9.]*\).*/\1/p' \
				>>"$work/ops.$v.$w"
		done
	done
	printf '   round %d/%d done\n' "$r" "$rounds" >&2
	r=$((r + 1))
done

# ---- syscalls per op ----

# ops to run for counting and profiling: enough to make setup noise vanish
count_ops() {
	case $1 in
	init-exit) echo 640 ;;
	nop1|submit-wait|timeout0|poll-multishot) echo 20480 ;;
	*) echo 40960 ;;
	esac
}

# io_uring_enter calls and all syscalls of n ops, by strace (no tracefs)
strace_calls() {	# binary n workload -> "enters all"
	strace -f -qq -c -o "$work/strace.out" "$1" -n "$2" -f "$data" "$3" >/dev/null
	awk '$NF == "io_uring_enter" { e = $4 } $NF == "total" { a = $4 }
	     END { print e + 0, a + 0 }' "$work/strace.out"
}

say "counting syscalls"
for w in $workloads; do
	n=$(count_ops "$w")
	for v in ours 2.3; do
		out=$(taskset -c "$cpu" "$work/bench-$v" -c -n "$n" -f "$data" "$w") ||
			die "$v $w failed"
		e=$(echo "$out" | sed -n 's/.*enters_per_op=\([-0-9.]*\).*/\1/p')
		a=$(echo "$out" | sed -n 's/.*syscalls_per_op=\([-0-9.]*\).*/\1/p')
		if [ "$e" = "-1.0000" ] || [ -z "$e" ]; then
			# no tracepoints: strace twice, the difference is n ops
			command -v strace >/dev/null 2>&1 || die "no tracefs and no strace"
			set -- $(strace_calls "$work/bench-$v" "$n" "$w")
			e1=$1 a1=$2
			set -- $(strace_calls "$work/bench-$v" $((2 * n)) "$w")
			# each run also warms up with a tenth of its ops
			e=$(awk -v a="$1" -v b="$e1" -v n="$n" 'BEGIN { printf "%.4f", (a - b) / (1.1 * n) }')
			a=$(awk -v a="$2" -v b="$a1" -v n="$n" 'BEGIN { printf "%.4f", (a - b) / (1.1 * n) }')
		fi
		echo "$e $a" >"$work/sys.$v.$w"
	done
done

# ---- instructions per op ----

say "callgrind: user-space instructions of the measured loops"
for w in $workloads; do
	n=$(count_ops "$w")
	for v in ours 2.3; do
		valgrind --tool=callgrind --instr-atstart=no \
			--callgrind-out-file="$work/callgrind.$v.$w" \
			"$work/bench-$v" -n "$n" -f "$data" "$w" \
			>"$work/cg.$v.$w" 2>"$work/cg.$v.$w.err" ||
			die "callgrind $v $w failed, see $work/cg.$v.$w.err"
		ops=$(sed -n 's/.*ops=\([0-9]*\).*/\1/p' "$work/cg.$v.$w")
		ir=$(awk '/^totals:/ { print $2 }' "$work/callgrind.$v.$w")
		awk -v i="$ir" -v o="$ops" 'BEGIN { printf "%.1f\n", i / o }' \
			>"$work/ir.$v.$w"
	done
done

# ---- the table ----

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "machine: $(nproc) CPUs, $model; kernel $(uname -r); runs pinned to CPU $cpu"
echo "ours: $ours_lib   2.3: $deb_lib"
echo "ops/s: median of $rounds interleaved runs of ${secs} CPU-s (ops per CPU-second of the whole process);"
echo "ratio: ours / 2.3, median of the $rounds per-round ratios, with its 95% confidence interval"
echo "instr/op: callgrind, user space, measured loop only; enter/op: io_uring_enter calls per op; sys/op: all syscalls per op"
echo
fmt='%-15s %12s %12s %6s %12s %7s %9s %9s %8s %8s %7s %7s\n'
# shellcheck disable=SC2059
printf "$fmt" workload "ops/s ours" "ops/s 2.3" ratio "95% CI" "" "instr/op" "instr/op" \
	"enter/op" "enter/op" "sys/op" "sys/op"
# shellcheck disable=SC2059
printf "$fmt" "" "" "" "" "" "" ours 2.3 ours 2.3 ours 2.3
for w in $workloads; do
	ours=$(median "$work/ops.ours.$w")
	deb=$(median "$work/ops.2.3.$w")
	paste "$work/ops.ours.$w" "$work/ops.2.3.$w" |
		awk '{ printf "%.4f\n", $1 / $2 }' >"$work/ratio.$w"
	ratio=$(median "$work/ratio.$w")
	set -- $(median_ci "$work/ratio.$w")
	ci="$1-$2"
	verdict=$(awk -v lo="$1" -v hi="$2" 'BEGIN {
		print (lo > 1) ? "faster" : (hi < 1) ? "slower" : "same" }')
	set -- $(cat "$work/sys.ours.$w") $(cat "$work/sys.2.3.$w")
	# shellcheck disable=SC2059
	printf "$fmt" "$w" "$(printf '%.0f' "$ours")" "$(printf '%.0f' "$deb")" \
		"$(printf '%.3f' "$ratio")" "$ci" "$verdict" \
		"$(cat "$work/ir.ours.$w")" "$(cat "$work/ir.2.3.$w")" \
		"$(printf '%.3f' "$1")" "$(printf '%.3f' "$3")" \
		"$(printf '%.2f' "$2")" "$(printf '%.2f' "$4")"
done
