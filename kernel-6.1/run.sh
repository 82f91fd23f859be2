#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Run every test suite on Linux 6.1, the oldest kernel uring supports:
# Debian 12's own 6.1 kernel booted in qemu (TCG, no KVM needed) with an
# initramfs holding a static busybox, kernel-6.1/init and the suites linked
# statically.  Exits non-zero when a suite fails, the guest hangs or
# anything on the way fails.  See kernel-6.1/README.md.
#
# Environment (all optional):
#   BUILD_DIR      meson build dir for the static suites   (build-k61)
#   WORK_DIR       downloads, static cmocka, initramfs, log (build-k61-vm)
#   KERNEL_PKG     kernel package        (newest linux-image-6.1.0-N-amd64)
#   VM_TIMEOUT     seconds for the whole boot-to-poweroff   (2400)
#   SUITE_TIMEOUT  seconds for one suite inside the guest   (600)
#   SMP, MEM       guest cpus and memory                    (2, 1G)
#   ACCEL          qemu accelerator                         (tcg)
#   SUITES         space-separated suite names to run       (all)
#   EXTRA_TESTS    more static executables to run (paths; named test-NAME)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
BUILD_DIR=${BUILD_DIR:-$repo/build-k61}
WORK_DIR=${WORK_DIR:-$repo/build-k61-vm}
VM_TIMEOUT=${VM_TIMEOUT:-2400}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-600}
SMP=${SMP:-2}
MEM=${MEM:-1G}
ACCEL=${ACCEL:-tcg}
SUITES=${SUITES:-}
EXTRA_TESTS=${EXTRA_TESTS:-}

t0=$(date +%s)
step() { echo "== [$(($(date +%s) - t0))s] $*"; }
die() { echo "kernel-6.1: ERROR: $*" >&2; exit 1; }

# apt-get as root without the sandbox-user warnings; never interactive
export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-q -o APT::Sandbox::User=root)

is_static() {
	readelf -lW "$1" 2>/dev/null | grep -q 'LOAD' &&
		! readelf -lW "$1" | grep -q 'program interpreter'
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return 0
	apt-get "${APT_OPTS[@]}" update >/dev/null
	apt_updated=1
}

install_deps() {
	local need=() cmd
	for cmd in qemu-system-x86_64:qemu-system-x86 cpio:cpio meson:meson \
		   ninja:ninja-build gcc:gcc pkg-config:pkg-config \
		   python3:python3 readelf:binutils xz:xz-utils; do
		command -v "${cmd%%:*}" >/dev/null || need+=("${cmd#*:}")
	done
	[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
	# Debian's busybox-static installs a static /bin/busybox
	is_static /bin/busybox 2>/dev/null || need+=(busybox-static)
	if [ ${#need[@]} -gt 0 ]; then
		step "apt-get install ${need[*]}"
		apt_update
		apt-get "${APT_OPTS[@]}" install -y --no-install-recommends \
			"${need[@]}" >/dev/null
	fi
	is_static /bin/busybox || die "/bin/busybox is not static"
}

# Debian 12's 6.1 kernel: only its vmlinuz is needed (no modules: no disks)
fetch_kernel() {
	local pkg=${KERNEL_PKG:-} deb
	if [ -z "$pkg" ]; then
		pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
		      awk '{print $1}' | sort -V | tail -n 1)
		if [ -z "$pkg" ]; then
			apt_update
			pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' |
			      awk '{print $1}' | sort -V | tail -n 1)
		fi
	fi
	[ -n "$pkg" ] || die "no linux-image-6.1.0-*-amd64 package in the apt sources"
	vmlinuz=$WORK_DIR/kernel/$pkg.vmlinuz
	[ -s "$vmlinuz" ] && return 0
	step "apt-get download $pkg"
	mkdir -p "$WORK_DIR/kernel"
	(cd "$WORK_DIR/kernel" && rm -f ./*.deb &&
	 apt-get "${APT_OPTS[@]}" download "$pkg" >/dev/null)
	deb=$(ls "$WORK_DIR/kernel/${pkg}"_*.deb)
	rm -rf "$WORK_DIR/kernel/x"
	mkdir -p "$WORK_DIR/kernel/x"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$WORK_DIR/kernel/x" --wildcards './boot/vmlinuz-*'
	mv "$WORK_DIR"/kernel/x/boot/vmlinuz-* "$vmlinuz"
	rm -rf "$WORK_DIR/kernel/x" "$deb"
}

# Debian ships cmocka only as a shared library: build libcmocka.a from
# Debian's own source package (same version as libcmocka-dev), fetched with
# apt-get source through a private deb-src copy of this machine's apt sources.
static_cmocka() {
	local dst=$WORK_DIR/cmocka apt=$WORK_DIR/apt-src src f
	cmocka_pc=$dst/lib/pkgconfig
	[ -f "$dst/lib/libcmocka.a" ] && [ -f "$cmocka_pc/cmocka.pc" ] && return 0
	step "static cmocka from Debian's cmocka source package"
	rm -rf "$apt" "$dst"
	mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial" \
		 "$apt/src" "$dst/lib/pkgconfig" "$dst/include"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		sed 's/^Types:.*/Types: deb-src/' "$f" > "$apt/parts/${f##*/}"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^deb[[:space:]]/deb-src /p' "$f" > "$apt/parts/${f##*/}"
	done
	local o=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/parts"
		 -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
	# a third-party source without deb-src may fail here: only cmocka matters
	apt-get "${APT_OPTS[@]}" "${o[@]}" update >/dev/null 2>&1 || true
	(cd "$apt/src" && apt-get "${APT_OPTS[@]}" "${o[@]}" source --download-only cmocka >/dev/null)
	tar -xf "$(ls "$apt"/src/cmocka_*.orig.tar.* | grep -v "\.asc$")" -C "$apt/src"
	src=$(ls -d "$apt"/src/cmocka-*/)
	# what cmake's ConfigureChecks find on glibc/x86-64
	cat > "$apt/src/config.h" <<-'EOF'
	#define HAVE_ASSERT_H 1
	#define HAVE_INTTYPES_H 1
	#define HAVE_MALLOC_H 1
	#define HAVE_MEMORY_H 1
	#define HAVE_SETJMP_H 1
	#define HAVE_SIGNAL_H 1
	#define HAVE_STDARG_H 1
	#define HAVE_STDDEF_H 1
	#define HAVE_STDINT_H 1
	#define HAVE_STDIO_H 1
	#define HAVE_STDLIB_H 1
	#define HAVE_STRINGS_H 1
	#define HAVE_STRING_H 1
	#define HAVE_SYS_STAT_H 1
	#define HAVE_SYS_TYPES_H 1
	#define HAVE_TIME_H 1
	#define HAVE_UNISTD_H 1
	#define HAVE_STRUCT_TIMESPEC 1
	#define HAVE_CALLOC 1
	#define HAVE_EXIT 1
	#define HAVE_FPRINTF 1
	#define HAVE_SNPRINTF 1
	#define HAVE_VSNPRINTF 1
	#define HAVE_FREE 1
	#define HAVE_LONGJMP 1
	#define HAVE_SIGLONGJMP 1
	#define HAVE_MALLOC 1
	#define HAVE_MEMCPY 1
	#define HAVE_MEMSET 1
	#define HAVE_PRINTF 1
	#define HAVE_SETJMP 1
	#define HAVE_SIGNAL 1
	#define HAVE_STRCMP 1
	#define HAVE_STRCPY 1
	#define HAVE_STRSIGNAL 1
	#define HAVE_CLOCK_GETTIME 1
	#define HAVE_GCC_THREAD_LOCAL_STORAGE 1
	#define HAVE_CLOCK_REALTIME 1
	#define WORDS_SIZEOF_VOID_P 8
	EOF
	gcc -O2 -g -std=gnu99 -D_GNU_SOURCE -DHAVE_CONFIG_H -I"$apt/src" -I"$src/include" \
	    -c "$src/src/cmocka.c" -o "$apt/src/cmocka.o"
	ar rcs "$dst/lib/libcmocka.a" "$apt/src/cmocka.o"
	cp "$src"/include/cmocka.h "$src"/include/cmocka_pbc.h "$dst/include/"
	cat > "$cmocka_pc/cmocka.pc" <<-EOF
	prefix=$dst
	Name: cmocka
	Description: cmocka unit testing library (static, from Debian's source)
	Version: $(basename "$src" | sed 's/^cmocka-//')
	Libs: -L\${prefix}/lib -lcmocka
	Cflags: -I\${prefix}/include
	EOF
	rm -rf "$apt"
}

build_suites() {
	step "meson build of the static suites in $BUILD_DIR"
	local opts=(-Dstatic_tests=true -Dexamples=false -Dbench=false
		    "-Dpkg_config_path=$cmocka_pc")
	if [ -f "$BUILD_DIR/build.ninja" ]; then
		meson configure "$BUILD_DIR" "${opts[@]}" >/dev/null
	else
		meson setup "$BUILD_DIR" "$repo" "${opts[@]}" >/dev/null
	fi
	ninja -C "$BUILD_DIR" >/dev/null || ninja -C "$BUILD_DIR"
	# our own suite: what 6.1 lacks fails cleanly, the rest works
	gcc -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -static \
	    -I"$repo/include" -I"$repo/tests" -I"$BUILD_DIR/tests" \
	    -I"$WORK_DIR/cmocka/include" \
	    "$here/compat.c" "$BUILD_DIR/tests/libtesthelpers.a" \
	    "$BUILD_DIR/src/liburing.a" "$WORK_DIR/cmocka/lib/libcmocka.a" \
	    -o "$BUILD_DIR/kernel-6.1-compat"
}

make_initramfs() {
	local root=$WORK_DIR/initramfs t name n=0
	step "initramfs"
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,etc,proc,sys,tmp,root,tests}
	cp /bin/busybox "$root/bin/busybox"
	cp "$here/init" "$root/init"
	chmod 755 "$root/init"
	mknod "$root/dev/console" c 5 1 2>/dev/null || true
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' > "$root/etc/hosts"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
	for t in "$BUILD_DIR"/tests/test-* "$BUILD_DIR/kernel-6.1-compat" $EXTRA_TESTS; do
		[ -f "$t" ] && [ -x "$t" ] || continue
		name=${t##*/}
		name=${name#test-}
		if [ -n "$SUITES" ] && ! [[ " $SUITES " == *" $name "* ]]; then
			continue
		fi
		is_static "$t" || die "$t is not a static executable"
		cp "$t" "$root/tests/test-$name"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "no test suite to run"
	echo "   $n suites: $(cd "$root/tests" && echo *)"
	initrd=$WORK_DIR/initramfs.cpio.gz
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd"
}

boot() {
	local log=$WORK_DIR/serial.log qpid tpid rc=0
	step "boot $(basename "$vmlinuz" .vmlinuz) in qemu ($ACCEL, $SMP cpus, $MEM), limit ${VM_TIMEOUT}s"
	: > "$log"
	timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
		-accel "$ACCEL" -cpu max -smp "$SMP" -m "$MEM" \
		-nodefaults -display none -no-reboot \
		-serial "file:$log" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 uring.suite_timeout=$SUITE_TIMEOUT" \
		</dev/null &
	qpid=$!
	trap "kill $qpid 2>/dev/null || true" EXIT
	tail -n +1 -f --pid="$qpid" "$log" &
	tpid=$!
	wait "$qpid" || rc=$?
	wait "$tpid" 2>/dev/null || true
	[ "$rc" -eq 124 ] && echo "kernel-6.1: the VM did not finish in ${VM_TIMEOUT}s"
	step "guest stopped (qemu rc=$rc)"
	serial_log=$log
}

install_deps
fetch_kernel
static_cmocka
build_suites
make_initramfs
boot
rc=0
python3 "$here/report.py" "$serial_log" || rc=$?
step "total $(($(date +%s) - t0))s"
exit "$rc"
