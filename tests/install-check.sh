#!/bin/sh
# SPDX-License-Identifier: MIT
# What `meson install` puts on a machine works there, whatever else is
# installed (Debian's liburing2 and liburing-dev, on this one):
#   1. the installed uring-probe binds to the liburing.so.2 installed beside
#      it, not to the one on the loader's default path, and runs;
#   2. every header liburing installs is installed, and compiles included
#      first and alone, as C and C++, with none of the system's liburing
#      headers taking part;
#   3. a program built with `pkg-config --cflags --libs liburing` against the
#      installed tree links with our library and runs.
# The tree is installed under a DESTDIR in OUTDIR (paths inside it are the
# ones a real install would use).
#
# usage: install-check.sh BUILDDIR OUTDIR PREFIX BINDIR LIBDIR INCLUDEDIR
# CC: the build's C compiler (a cross compiler in a cross build).
set -u
cc=${CC:-cc}
unset LD_LIBRARY_PATH	# meson test points it at the build tree: a user's shell does not
build=$1 out=$2 prefix=$3 bindir=$4 libdir=$5 includedir=$6
dest=$out/dest
fail=0
bad() { echo "not ok - $*"; fail=1; }

rm -rf "$dest"
mkdir -p "$out"
if ! meson install -C "$build" --no-rebuild --destdir "$dest" >"$out/install.log" 2>&1; then
	cat "$out/install.log"
	echo "not ok - meson install --destdir failed"
	exit 1
fi
case $bindir in /*) ;; *) bindir=$prefix/$bindir ;; esac
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir ;; esac
bin=$dest$bindir lib=$dest$libdir inc=$dest$includedir

# 1. uring-probe: exit 0 (io_uring usable) or 1 (a report of why not);
# anything else (127: the loader refused) is a failure
probe=$bin/uring-probe
"$probe" --json >"$out/probe.json" 2>"$out/probe.err"
rc=$?
if [ $rc -gt 1 ]; then
	bad "installed uring-probe exited $rc: $(cat "$out/probe.err")"
elif ! python3 -m json.tool "$out/probe.json" >/dev/null; then
	bad "installed uring-probe printed no JSON"
fi
got=$(ldd "$probe" | sed -n 's/^[[:space:]]*liburing\.so\.2 => \([^ ]*\).*/\1/p')
if [ "$(readlink -f "$got" 2>/dev/null)" != "$(readlink -f "$lib/liburing.so.2")" ]; then
	bad "installed uring-probe loads '${got:-nothing}', not $lib/liburing.so.2"
else
	echo "ok - installed uring-probe binds to $got"
fi

# 2. the seven headers of liburing 2.15, each first and alone
before=$fail fail=0
for h in liburing.h liburing/io_uring.h liburing/compat.h liburing/barrier.h \
	 liburing/io_uring_version.h liburing/io_uring/query.h \
	 liburing/io_uring/bpf_filter.h; do
	if [ ! -f "$inc/$h" ]; then
		bad "header $h is not installed"
		continue
	fi
	printf '#include <%s>\n' "$h" >"$out/one.c"
	for lang in c c++; do
		if ! $cc -x $lang -D_GNU_SOURCE -Wall -Wextra -Werror -I "$inc" \
			-fsyntax-only -MD -MF "$out/deps" "$out/one.c" 2>"$out/err"; then
			bad "installed $h does not compile alone ($lang): $(head -n 3 "$out/err")"
		# a dependency that starts with the system's include directory (the
		# tree under $dest may itself end in /usr/include, for prefix /usr)
		elif grep -Eq '(^|[[:space:]])/usr/include/liburing' "$out/deps"; then
			bad "installed $h pulls in the system's liburing headers ($lang)"
		fi
	done
done
[ $fail = 0 ] && echo "ok - the 7 installed headers compile alone as C and C++"
fail=$((fail | before))

# 3. pkg-config against the installed tree
pcdir=$lib/pkgconfig
if command -v pkg-config >/dev/null; then
	cat >"$out/pc.c" <<-'EOF'
	#include <liburing.h>
	int main(void)
	{
		struct io_uring ring;
		int ret = io_uring_queue_init(2, &ring, 0);

		if (ret == 0)
			io_uring_queue_exit(&ring);
		/* our library: the uring extensions are there */
		return uring_opcode_name(IORING_OP_NOP) ? 0 : 1;
	}
	EOF
	flags=$(PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$dest \
		pkg-config --cflags --libs liburing) || bad "pkg-config liburing failed"
	# shellcheck disable=SC2086
	if $cc -Wall -Wextra -Werror -o "$out/pc" "$out/pc.c" $flags 2>"$out/err" &&
	   LD_LIBRARY_PATH=$lib "$out/pc"; then
		echo "ok - a program built with pkg-config's flags runs"
	else
		bad "pkg-config build or run failed: $(head -n 3 "$out/err")"
	fi
fi
exit $fail
