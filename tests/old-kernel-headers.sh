#!/bin/sh
# SPDX-License-Identifier: MIT
# The headers on a system whose kernel headers predate the types io_uring
# uses: <liburing/compat.h> promises struct __kernel_timespec (Linux 5.1,
# <linux/time_types.h>) and struct open_how (Linux 5.6, <linux/openat2.h>)
# where those headers are missing, and every installed header must then
# still compile.
#
# Such a system is made from this one: a copy of /usr/include as symbolic
# links, without linux/time_types.h and linux/openat2.h, put in place of
# /usr/include in the compiler's own search list (-nostdinc).  TAP, one case
# per compiler and language (a missing compiler is a skip).  gcc before 13
# forgets a failed #include of a header that __has_include() found missing
# (GCC PR 80753), so clang is the judge of an include that is not guarded.
#
# usage: old-kernel-headers.sh SOURCE_DIR OUTDIR
set -u
src=$(cd "$1" && pwd -P)
out=$2
root=$out/old-headers
sys=/usr/include
rm -rf "$root"
mkdir -p "$root/linux"
for f in "$sys"/*; do
	[ "$f" = "$sys/linux" ] || ln -s "$f" "$root/${f##*/}"
done
for f in "$sys"/linux/*; do
	case ${f##*/} in
	time_types.h|openat2.h) ;;
	*) ln -s "$f" "$root/linux/${f##*/}" ;;
	esac
done

prog=$out/old-headers.c
cat >"$prog" <<'EOF'
#include <liburing.h>
/* what compat.h promises, used the way programs use it */
int old_headers_use(struct io_uring_sqe *sqe, int dfd);
int old_headers_use(struct io_uring_sqe *sqe, int dfd)
{
	static struct __kernel_timespec ts = { 1, 0 };
	static struct open_how how = { O_RDONLY, 0, 0 };

	io_uring_prep_timeout(sqe, &ts, 0, 0);
	io_uring_prep_openat2(sqe, dfd, "f", &how);
	return (int) sizeof(struct io_uring_reg_wait);
}
EOF

n=0 fail=0
echo "1..8"
for comp in gcc:c clang:c g++:c++ clang++:c++; do
	cc=${comp%%:*} lang=${comp##*:}
	for what in alone program; do
		n=$((n + 1))
		name="$cc ($lang): $what"
		if ! command -v "$cc" >/dev/null; then
			echo "ok $n - $name # SKIP $cc not installed"
			continue
		fi
		# the compiler's own search list, with $sys replaced
		dirs=$(echo | "$cc" -x "$lang" -E -v - 2>&1 >/dev/null |
			sed -n '/^#include <...> search starts here:/,/^End of search list/p' |
			sed '1d;$d;s/^ *//')
		flags=-nostdinc
		for d in $dirs; do
			[ "$d" = "$sys" ] && d=$root
			flags="$flags -isystem $d"
		done
		log=
		if [ $what = alone ]; then
			for h in liburing/compat.h liburing/io_uring.h liburing.h; do
				printf '#include <%s>\n' "$h" >"$out/one.c"
				# shellcheck disable=SC2086
				if ! r=$("$cc" -x "$lang" -D_GNU_SOURCE -Wall -Wextra -Werror $flags \
					-I "$src/include" -fsyntax-only "$out/one.c" 2>&1); then
					log="$log$h: $r
"
				fi
			done
		else
			# shellcheck disable=SC2086
			log=$("$cc" -x "$lang" -D_GNU_SOURCE -Wall -Wextra -Werror $flags \
				-I "$src/include" -fsyntax-only "$prog" 2>&1)
		fi
		if [ -z "$log" ]; then
			echo "ok $n - $name"
		else
			echo "not ok $n - $name"
			echo "$log" | head -n 8 | sed 's/^/# /'
			fail=1
		fi
	done
done
exit $fail
