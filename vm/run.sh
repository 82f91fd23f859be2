#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Run every test suite on another kernel and/or architecture: a Debian 12
# kernel booted in qemu (TCG: software emulation, no KVM needed) with an
# initramfs holding that architecture's static busybox, vm/init and the
# suites linked statically (built by cross/build.sh).  Exits non-zero when a
# suite fails, the guest hangs or anything on the way fails.  See vm/README.md.
#
# usage: vm/run.sh [ARCH [KERNEL]]
#   ARCH     x86_64 (default), aarch64, s390x (big-endian), armhf (32-bit)
#   KERNEL   a Debian kernel series: 6.1 (default: Debian 12's), or an exact
#            package name such as linux-image-6.1.0-41-arm64
#
# Environment (all optional):
#   BUILD_DIR      meson build of the static suites  (build-cross/ARCH)
#   WORK_DIR       kernel, busybox, initramfs, log    (build-vm/ARCH-KERNEL)
#   VM_TIMEOUT     seconds for the whole boot-to-poweroff   (2400)
#   SUITE_TIMEOUT  seconds for one suite inside the guest   (600)
#   SMP, MEM       guest cpus and memory            (2, 1G; armhf 512M)
#   ACCEL          qemu accelerator                         (tcg)
#   SUITES         space-separated suite names to run       (all)
#   EXTRA_TESTS    more static executables to run (paths; named test-NAME)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
ARCH=${1:-x86_64}
KERNEL=${2:-6.1}
VM_TIMEOUT=${VM_TIMEOUT:-2400}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-600}
SMP=${SMP:-2}
ACCEL=${ACCEL:-tcg}
SUITES=${SUITES:-}
EXTRA_TESTS=${EXTRA_TESTS:-}

# ARCH: Debian architecture and kernel flavour, cross compiler, qemu,
# machine options, kernel console
case $ARCH in
x86_64)
	deb=amd64 flavour=amd64 gcc=gcc qemu=qemu-system-x86_64 qpkg=qemu-system-x86
	machine=(-cpu max) console=ttyS0 ;;
aarch64)
	# max without pointer authentication's costly emulation: ARMv8.x with LSE
	deb=arm64 flavour=arm64 gcc=aarch64-linux-gnu-gcc
	qemu=qemu-system-aarch64 qpkg=qemu-system-arm
	machine=(-M virt -cpu max,pauth=off) console=ttyAMA0 ;;
s390x)
	deb=s390x flavour=s390x gcc=s390x-linux-gnu-gcc
	qemu=qemu-system-s390x qpkg=qemu-system-misc
	machine=(-M s390-ccw-virtio -cpu max) console=ttysclp0 ;;
armhf)
	# a 32-bit kernel: the syscalls' own 32-bit ABI, not a compat layer
	deb=armhf flavour=armmp-lpae gcc=arm-linux-gnueabihf-gcc
	qemu=qemu-system-arm qpkg=qemu-system-arm
	machine=(-M virt,highmem=off -cpu cortex-a15) console=ttyAMA0
	# 6.1 maps a registered buffer ring with page_address(), NULL for a
	# highmem page: the kernel oopses at its first use.  512 MiB is all
	# lowmem, so the suites test the library, not that kernel bug.
	MEM=${MEM:-512M} ;;
*)
	echo "vm: unknown architecture $ARCH (x86_64, aarch64, s390x, armhf)" >&2
	exit 2 ;;
esac
MEM=${MEM:-1G}
label="vm $ARCH $KERNEL"
BUILD_DIR=${BUILD_DIR:-$repo/build-cross/$ARCH}
WORK_DIR=${WORK_DIR:-$repo/build-vm/$ARCH-$KERNEL}
export DEB_CACHE=${DEB_CACHE:-$repo/build-vm/cache}
# shellcheck source=../cross/debian.sh
. "$repo/cross/debian.sh"

t0=$(date +%s)
step() { echo "== [$(($(date +%s) - t0))s] $*"; }
die() { echo "$label: ERROR: $*" >&2; exit 1; }

is_static() {
	readelf -lW "$1" 2>/dev/null | grep -q 'LOAD' &&
		! readelf -lW "$1" | grep -q 'program interpreter'
}

install_deps() {
	local need=() cmd
	for cmd in "$qemu:$qpkg" cpio:cpio meson:meson ninja:ninja-build \
		   gcc:gcc pkg-config:pkg-config python3:python3 \
		   readelf:binutils file:file; do
		command -v "${cmd%%:*}" >/dev/null || need+=("${cmd#*:}")
	done
	[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
	command -v "$gcc" >/dev/null || need+=("gcc-${gcc%-gcc}")
	# the cross libc only comes with the compiler's recommends, which
	# --no-install-recommends leaves out: the static suites need its libc.a
	if [ "$gcc" != gcc ] && [ ! -f "/usr/${gcc%-gcc}/lib/libc.a" ]; then
		need+=("libc6-dev-$deb-cross")
	fi
	if [ ${#need[@]} -gt 0 ]; then
		step "apt-get install ${need[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=900 \
			install -y --no-install-recommends "${need[@]}" >/dev/null ||
			{ apt-get -q update >/dev/null &&
			  DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=900 \
				install -y --no-install-recommends "${need[@]}" >/dev/null; }
	fi
}

# The kernel (only its vmlinuz: no modules, no disks) and a static busybox,
# both Debian's packages for ARCH, downloaded and unpacked, never installed.
fetch_guest() {
	local pkg=$KERNEL d
	case $pkg in
	linux-image-*) ;;
	*) pkg=$(deb_kernel_pkg "$deb" "$KERNEL" "$flavour") ||
		die "no package lists for $deb (apt-get update failed)" ;;
	esac
	[ -n "$pkg" ] || die "no linux-image-$KERNEL.0-N-$flavour package in the apt sources"
	vmlinuz=$WORK_DIR/$pkg.vmlinuz
	busybox=$WORK_DIR/busybox
	if [ ! -s "$vmlinuz" ]; then
		step "apt-get download $pkg ($deb)"
		d=$WORK_DIR/x
		rm -rf "$d"
		deb_extract "$(deb_fetch "$deb" "$pkg" "$d")" "$d" './boot/vmlinuz-*' ||
			die "cannot download $pkg"
		mv "$d"/boot/vmlinuz-* "$vmlinuz"
		rm -rf "$d"
	fi
	if [ ! -s "$busybox" ]; then
		step "apt-get download busybox-static ($deb)"
		d=$WORK_DIR/x
		rm -rf "$d"
		deb_extract "$(deb_fetch "$deb" busybox-static "$d")" "$d" './bin/busybox' ||
			die "cannot download busybox-static:$deb"
		mv "$d/bin/busybox" "$busybox"
		rm -rf "$d"
	fi
	is_static "$busybox" || die "$busybox is not static"
}

build_suites() {
	step "static suites for $ARCH in $BUILD_DIR (cross/build.sh)"
	BUILD_ROOT=$(dirname "$BUILD_DIR") bash "$repo/cross/build.sh" "$(basename "$BUILD_DIR")" ||
		die "the build failed"
}

make_initramfs() {
	local root=$WORK_DIR/initramfs t name n=0
	step "initramfs"
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,etc,proc,sys,tmp,root,tests}
	cp "$busybox" "$root/bin/busybox"
	cp "$here/init" "$root/init"
	chmod 755 "$root/init" "$root/bin/busybox"
	mknod "$root/dev/console" c 5 1 2>/dev/null || true
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n' > "$root/etc/hosts"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
	for t in "$BUILD_DIR"/tests/test-* $EXTRA_TESTS; do
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
	step "boot $(basename "$vmlinuz" .vmlinuz) in $qemu ($ACCEL, $SMP cpus, $MEM), limit ${VM_TIMEOUT}s"
	: > "$log"
	timeout -k 10 "$VM_TIMEOUT" "$qemu" \
		-accel "$ACCEL" "${machine[@]}" -smp "$SMP" -m "$MEM" \
		-nodefaults -display none -no-reboot \
		-serial "file:$log" \
		-kernel "$vmlinuz" -initrd "$initrd" \
		-append "console=$console panic=-1 loglevel=4 uring.suite_timeout=$SUITE_TIMEOUT" \
		</dev/null &
	qpid=$!
	trap "kill $qpid 2>/dev/null || true" EXIT
	tail -n +1 -f --pid="$qpid" "$log" &
	tpid=$!
	wait "$qpid" || rc=$?
	wait "$tpid" 2>/dev/null || true
	[ "$rc" -eq 124 ] && echo "$label: the VM did not finish in ${VM_TIMEOUT}s"
	step "guest stopped (qemu rc=$rc)"
	serial_log=$log
}

mkdir -p "$WORK_DIR"
install_deps
fetch_guest
build_suites
make_initramfs
boot
rc=0
python3 "$here/report.py" "$serial_log" "$label" || rc=$?
step "total $(($(date +%s) - t0))s"
exit "$rc"
