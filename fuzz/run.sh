#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Build the libFuzzer harness (clang, ASan + UBSan) against the library's
# sources and run it for a bounded time.
#
#   fuzz/run.sh [SECONDS]          (default 60)
#
# Environment: FUZZ_BUILD (default build-fuzz) for the binary, the crash
# artifacts and the grown corpus; FUZZ_JOBS (default 1) parallel workers.
# The seeds in fuzz/corpus/ are read, never written.  Exits non-zero if the
# harness crashed, timed out or found an invariant violation; the input
# that did it is left in $FUZZ_BUILD/ as crash-* / timeout-*.
set -eu
cd "$(dirname "$0")/.."

secs=${1:-60}
out=${FUZZ_BUILD:-build-fuzz}
jobs=${FUZZ_JOBS:-1}
cc=${CC:-clang}

command -v "$cc" >/dev/null || {
	echo "fuzz/run.sh: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2
	exit 2
}

mkdir -p "$out/corpus"
srcs=$(ls src/*.c | grep -v '/prep\.c$')
# shellcheck disable=SC2086
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-D_GNU_SOURCE -Iinclude -Isrc -Itests $srcs tests/matrix_rings.c \
	fuzz/fuzz_ring.c \
	-o "$out/fuzz_ring"

echo "fuzz/run.sh: running $out/fuzz_ring for ${secs}s"
status=0
"$out/fuzz_ring" -max_total_time="$secs" -timeout=15 -rss_limit_mb=4096 \
	-max_len=2048 -print_final_stats=1 -artifact_prefix="$out/" \
	$([ "$jobs" -gt 1 ] && echo "-jobs=$jobs -workers=$jobs") \
	"$out/corpus" fuzz/corpus 2>&1 | tee "$out/fuzz.log" | \
	grep -E '^#[0-9]+ *(INITED|DONE|pulse)|stat::|ERROR|SUMMARY|crash|timeout|invariant' || true
grep -qE 'ERROR: libFuzzer|ERROR: AddressSanitizer|runtime error|fuzz invariant|SUMMARY: ' \
	"$out/fuzz.log" && status=1
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/fuzz.log" | tail -1)
echo "fuzz/run.sh: ${execs:-?} executions, ${rate:-?} exec/s, corpus $(ls "$out/corpus" | wc -l) inputs"
[ $status -eq 0 ] && echo "fuzz/run.sh: no crash" || echo "fuzz/run.sh: FAILED (see $out/fuzz.log)"
exit $status
