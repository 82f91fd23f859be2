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
#   library-added        instructions per op minus those of the same loop on
#                        a ring driven by hand (the workload's floor, named
#                        by "uring-bench floors"), in the same binary
#
# The floors (raw-*) run the same code in both binaries: they are counted,
# and raw-nop32 is timed as the control whose ratio must come out at 1.
# Writes to DIR (-o): compare.txt (the tables), compare.png and compare.svg
# (throughput ratios with their intervals beside instructions per op; needs
# gnuplot) and compare.dat (the chart's numbers).
#
# usage: bench/compare.sh [-r ROUNDS] [-t SECONDS] [-c CPU] [-w LIST] [-o DIR] [-k]
#        bench/compare.sh -p DIR
#   -r  timing rounds (default 41)
#   -t  CPU seconds per timed run (default 0.05)
#   -c  CPU to pin the runs to (default 1, or 0 on a one-CPU machine)
#   -w  comma-separated workloads (default: all, see "uring-bench list");
#       their floors are counted too
#   -o  output directory (default: build-bench in this tree; "-o bench"
#       replaces the committed table and chart)
#   -k  keep the work directory (binaries, callgrind profiles and
#       callgrind_annotate listings, raw numbers)
#   -p  draw the chart in DIR again from DIR/compare.dat, and nothing else
# environment: CC compiles the benchmark and this tree's library (default cc),
#   e.g. CC=clang
set -eu

rounds=41
secs=0.05
cpu=
keep=0
only=
outdir=
replot=
while getopts r:t:c:w:o:p:kh opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	t) secs=$OPTARG ;;
	c) cpu=$OPTARG ;;
	w) only=$(echo "$OPTARG" | tr ',' ' ') ;;
	o) outdir=$OPTARG ;;
	p) replot=$OPTARG ;;
	k) keep=1 ;;
	*) sed -n '3,/^set -eu/p' "$0" | sed 's/^# \{0,1\}//; /^set -eu/d'; exit 2 ;;
	esac
done
if [ -z "$cpu" ]; then
	cpu=1
	[ "$(nproc)" -gt 1 ] || cpu=0
fi

src=$(cd "$(dirname "$0")/.." && pwd)
outdir=${outdir:-$src/build-bench}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
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

# The chart, DIR/compare.png and .svg, from DIR/compare.dat: its first line
# is "# TITLE", then one line per workload: index name ratio lo hi
# instr-ours instr-2.3 instr-floor ("-" without a floor).
chart() {	# chart DIR
	cdir=$1
	dat=$cdir/compare.dat
	[ -f "$dat" ] || die "no $dat"
	title=$(sed -n '1s/^# //p' "$dat")
	n=$(grep -vc '^#' "$dat")
	# the ratio axis: the intervals, but no wider than 0.8 to 1.2 (a
	# wider interval is cut at the frame, and the title says so)
	# shellcheck disable=SC2046
	set -- $(awk '!/^#/ { if (lo == "" || $4 < lo) lo = $4; if ($5 > hi) hi = $5 }
		END { c = (lo < 0.8 || hi > 1.2) ? 1 : 0;
		      lo = (lo < 0.8) ? 0.8 : lo - 0.01; hi = (hi > 1.2) ? 1.2 : hi + 0.01;
		      if (lo > 0.95) lo = 0.95; if (hi < 1.05) hi = 1.05;
		      print lo, hi, c }' "$dat")
	xlo=$1 xhi=$2 clipped=
	[ "$3" = 1 ] && clipped="; wider ones cut at the frame"
	cat >"$work/chart.gp" <<EOF
set datafile missing "-"
if (fmt eq "svg") {
	set terminal svg size 1300,$((170 + 28 * n)) dynamic font "sans,11" background "white"
} else {
	if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
		set terminal pngcairo size 1300,$((170 + 28 * n)) font "sans,10" background "white"
	} else {
		set terminal png size 1300,$((170 + 28 * n))
	}
}
set output outfile
set multiplot layout 1,2 title "$title" font ",12"
set yrange [$n - 0.5:-0.5]
set ytics scale 0
set grid xtics lc rgb "#dddddd"
set key off
set lmargin 17
set bmargin 4
set title "throughput ratio uring / 2.3 (median, 95% interval$clipped)"
set xrange [$xlo:$xhi]
set arrow 1 from 1, graph 0 to 1, graph 1 nohead lc rgb "#888888" dt 2
plot "$dat" using 3:1:4:5:ytic(2) with xerrorbars pt 7 ps 0.7 lc rgb "#1f5fa8"
unset arrow 1
set title "user-space instructions per op (callgrind; log scale)"
set logscale x
set xrange [1:*]
set format y ""
set lmargin 4
set key bmargin center horizontal
plot "$dat" using (sqrt(\$6)):(\$1-0.2):(1):6:(\$1-0.38):(\$1-0.02) with boxxyerror fs solid 0.85 noborder lc rgb "#1f5fa8" title "uring", \\
     "" using (sqrt(\$7)):(\$1+0.2):(1):7:(\$1+0.02):(\$1+0.38) with boxxyerror fs solid 0.85 noborder lc rgb "#e07b1a" title "liburing 2.3", \\
     "" using 8:1 with points pt 9 ps 1.2 lc rgb "black" title "floor (same loop, no library)", \\
     "" using 6:(\$1-0.2):(sprintf(" %.1f", \$6)) with labels left font ",8" notitle, \\
     "" using 7:(\$1+0.2):(sprintf(" %.1f", \$7)) with labels left font ",8" notitle
unset multiplot
EOF
	for fmt in png svg; do
		gnuplot -e "fmt='$fmt'; outfile='$cdir/compare.$fmt'" "$work/chart.gp" \
			2>"$work/gnuplot.$fmt.log" ||
			{ cat "$work/gnuplot.$fmt.log" >&2; die "gnuplot ($fmt) failed"; }
	done
}

# -p: only draw the chart again, from DIR/compare.dat
if [ -n "$replot" ]; then
	command -v gnuplot >/dev/null 2>&1 || die "needs gnuplot (apt-get install gnuplot-nox)"
	chart "$(cd "$replot" && pwd)"
	exit 0
fi

# ---- tools and Debian's liburing ----

if [ ! -f /usr/include/liburing.h ] || ! command -v valgrind >/dev/null 2>&1; then
	[ "$(id -u)" = 0 ] || die "needs liburing-dev and valgrind (apt-get install liburing-dev valgrind)"
	say "installing liburing-dev valgrind"
	apt-get -o DPkg::Lock::Timeout=900 install -y liburing-dev valgrind >"$work/apt.log" 2>&1 ||
		die "apt-get install failed, see $work/apt.log"
fi
# the compiler for the benchmark (both variants); meson builds the library
# with the same one (it reads CC too)
CC=${CC:-cc}
for t in meson ninja "$CC" taskset valgrind callgrind_annotate; do
	command -v $t >/dev/null 2>&1 || die "needs $t"
done
# the chart only: without gnuplot the tables still come out
if ! command -v gnuplot >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	say "installing gnuplot-nox (for the chart)"
	apt-get -o DPkg::Lock::Timeout=900 install -y gnuplot-nox >"$work/apt.log" 2>&1 ||
		say "gnuplot-nox did not install: no chart"
fi

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
# the ffi-* workloads: ours must call this tree's liburing-ffi.so.2; 2.3
# ships none, so its binary calls liburing.so.2 and wrappers of its header
ours_ffi=$(readlink -f "$work/build/src/liburing-ffi.so.2")
ffi=$(info_field "$("$work/bench-ours" info)" ffi)
[ "$(readlink -f "$ffi")" = "$ours_ffi" ] || die "ours loads liburing-ffi $ffi, not $ours_ffi"
deb_ffi=$(info_field "$("$work/bench-2.3" info)" ffi)
echo "   liburing-ffi.so.2: ours $ours_ffi, 2.3 $deb_ffi" >&2

# ---- workloads and their data file ----

workloads=$("$work/bench-ours" list)
"$work/bench-ours" floors >"$work/floors"
floor_of() { awk -v w="$1" '$1 == w { print $2 }' "$work/floors"; }
if [ -n "$only" ]; then
	for w in $only; do
		echo "$workloads" | grep -qx "$w" || die "no workload $w"
	done
	# the selection, and the floors it needs, in the list's order
	want=" $only "
	for w in $only; do want="$want$(floor_of "$w") "; done
	workloads=$(echo "$workloads" | while read -r w; do
		case $want in *" $w "*) echo "$w" ;; esac; done)
fi
data=$work/data
head -c $((32 << 20)) /dev/urandom >"$data"

# which workloads this kernel runs (a setup that cannot run prints skipped=)
say "probing the workloads"
: >"$work/skipped"
runnable=
for w in $workloads; do
	why=
	for v in ours 2.3; do
		o=$("$work/bench-$v" -n 1 -f "$data" "$w") || die "$v $w failed"
		case $o in *skipped=*) why=${o#*skipped=} ;; esac
	done
	if [ -n "$why" ]; then
		echo "$w $why" >>"$work/skipped"
		echo "   $w: skipped, $why" >&2
	else
		runnable="$runnable $w"
	fi
done
workloads=$runnable
# timed: everything but the floors, and raw-nop32 as the control
timed=
for w in $workloads; do
	case $w in raw-nop32) ;; raw-*) continue ;; esac
	timed="$timed $w"
done

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
	for w in $timed; do
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
	rings1000|raw-rings1000) echo 1000 ;;
	nop1|submit-wait|timeout0|poll-multishot|raw-poll|read-qd1|raw-read-qd1) echo 20480 ;;
	echo*|raw-echo*|recv-bundle|timers|raw-timers) echo 20480 ;;
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
for w in $timed; do
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
		ops=$(sed -n 's/.* ops=\([0-9]*\).*/\1/p' "$work/cg.$v.$w")
		ir=$(awk '/^totals:/ { print $2 }' "$work/callgrind.$v.$w")
		awk -v i="$ir" -v o="$ops" 'BEGIN { printf "%.1f\n", i / o }' \
			>"$work/ir.$v.$w"
		# where they go, by function (-k keeps it)
		callgrind_annotate "$work/callgrind.$v.$w" >"$work/annotate.$v.$w" 2>&1 || true
	done
done

# ---- many rings: time and memory with 1,000 alive ----

rings_runs=5
for w in rings1000 raw-rings1000; do
	case " $workloads " in *" $w "*) ;; *) continue ;; esac
	variants="ours 2.3"
	# the floor is the same code in both
	[ "$w" = raw-rings1000 ] && variants=ours
	say "$w: $rings_runs runs of 1,000 rings ($variants)"
	for v in $variants; do
		i=0
		while [ $i -lt $rings_runs ]; do
			taskset -c "$cpu" "$work/bench-$v" -n 1000 "$w" >>"$work/rings.$v.$w" ||
				die "$v $w failed"
			i=$((i + 1))
		done
	done
done

# ---- the tables ----

# the value of key= in a line of key=value pairs
kv() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit="$commit+changes"
fi
model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)

tables() {
echo "commit $commit; machine: $(nproc) CPUs, $model; kernel $(uname -r); runs pinned to CPU $cpu"
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
echo "# uring (commit $commit) against Debian's liburing 2.3, $(uname -r), $rounds rounds" \
	>"$outdir/compare.dat"
i=0
for w in $timed; do
	ours=$(median "$work/ops.ours.$w")
	deb=$(median "$work/ops.2.3.$w")
	paste "$work/ops.ours.$w" "$work/ops.2.3.$w" |
		awk '{ printf "%.4f\n", $1 / $2 }' >"$work/ratio.$w"
	ratio=$(median "$work/ratio.$w")
	set -- $(median_ci "$work/ratio.$w")
	lo=$1 hi=$2
	verdict=$(awk -v lo="$lo" -v hi="$hi" 'BEGIN {
		print (lo > 1) ? "faster" : (hi < 1) ? "slower" : "same" }')
	set -- $(cat "$work/sys.ours.$w") $(cat "$work/sys.2.3.$w")
	# shellcheck disable=SC2059
	printf "$fmt" "$w" "$(printf '%.0f' "$ours")" "$(printf '%.0f' "$deb")" \
		"$(printf '%.3f' "$ratio")" "$lo-$hi" "$verdict" \
		"$(cat "$work/ir.ours.$w")" "$(cat "$work/ir.2.3.$w")" \
		"$(printf '%.3f' "$1")" "$(printf '%.3f' "$3")" \
		"$(printf '%.2f' "$2")" "$(printf '%.2f' "$4")"
	f=$(floor_of "$w")
	fir=-
	[ -n "$f" ] && [ -f "$work/ir.ours.$f" ] && fir=$(cat "$work/ir.ours.$f")
	echo "$i $w $ratio $lo $hi $(cat "$work/ir.ours.$w") $(cat "$work/ir.2.3.$w") $fir" \
		>>"$outdir/compare.dat"
	i=$((i + 1))
done

echo
echo "library-added instructions per op: the workload minus its floor (the same loop on a"
echo "hand-written ring, same binary; the floor counts the same in both binaries)"
echo
fmt2='%-15s %-14s %8s %9s %9s %9s %9s\n'
# shellcheck disable=SC2059
printf "$fmt2" workload floor floor "instr/op" "instr/op" added added
# shellcheck disable=SC2059
printf "$fmt2" "" "" "" ours 2.3 ours 2.3
for w in $workloads; do
	f=$(floor_of "$w")
	[ -n "$f" ] && [ -f "$work/ir.ours.$f" ] || continue
	fo=$(cat "$work/ir.ours.$f") fd=$(cat "$work/ir.2.3.$f")
	io=$(cat "$work/ir.ours.$w") id=$(cat "$work/ir.2.3.$w")
	# shellcheck disable=SC2059
	printf "$fmt2" "$w" "$f" "$fo" "$io" "$id" \
		"$(awk -v a="$io" -v b="$fo" 'BEGIN { printf "%.1f", a - b }')" \
		"$(awk -v a="$id" -v b="$fd" 'BEGIN { printf "%.1f", a - b }')"
done

if [ -f "$work/rings.ours.rings1000" ]; then
	echo
	echo "many rings: 1,000 rings of 64 entries alive in one process, then destroyed;"
	echo "median of $rings_runs runs (wall ms), memory with all alive (VmRSS over the"
	echo "process before them; VmLck, VmPin), callgrind instructions per ring"
	echo
	fmt3='%-22s %6s %10s %11s %10s %9s %9s %9s\n'
	# shellcheck disable=SC2059
	printf "$fmt3" "" rings "create ms" "destroy ms" "RSS KiB" "KiB/ring" "VmLck KiB" "instr/ring"
	for row in "ours rings1000" "2.3 rings1000" "ours raw-rings1000"; do
		set -- $row
		[ -f "$work/rings.$1.$2" ] || continue
		r=$work/rings.$1.$2
		col() { for l in $(sed 's/ /|/g' "$r"); do kv "$(echo "$l" | tr '|' ' ')" "$1"; done; }
		n=$(col rings | head -n 1)
		col create_ms >"$work/c.tmp"
		col destroy_ms >"$work/d.tmp"
		rss=$(col rss_kib | sort -n | tail -n 1)
		lck=$(col vmlck_kib | sort -n | tail -n 1)
		pin=$(col vmpin_kib | sort -n | tail -n 1)
		name="$1"
		[ "$2" = raw-rings1000 ] && name="floor (by hand)"
		# shellcheck disable=SC2059
		printf "$fmt3" "$name" "$n" "$(printf '%.1f' "$(median "$work/c.tmp")")" \
			"$(printf '%.1f' "$(median "$work/d.tmp")")" "$rss" \
			"$(awk -v a="$rss" -v n="$n" 'BEGIN { printf "%.1f", a / n }')" \
			"$lck+$pin" "$(cat "$work/ir.$1.$2")"
	done
fi

case " $workloads " in *" ffi-"*)
	echo
	echo "ffi-*: ours calls $(basename "$ours_ffi") through dlsym'd pointers; 2.3 has no"
	echo "liburing-ffi ($deb_ffi): its binary calls liburing.so.2 where it exports the"
	echo "function, and otherwise wrappers of 2.3's inline functions compiled into it."
	;;
esac
if [ -s "$work/skipped" ]; then
	echo
	while read -r w why; do echo "$w: skipped: $why"; done <"$work/skipped"
fi
}

echo
tables | tee "$outdir/compare.txt"

# ---- the chart ----

if command -v gnuplot >/dev/null 2>&1; then
	chart "$outdir"
	say "table and chart: $outdir/compare.txt, $outdir/compare.png, $outdir/compare.svg"
else
	say "no gnuplot: no chart (apt-get install gnuplot-nox); table: $outdir/compare.txt"
fi
