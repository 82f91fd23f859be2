/* SPDX-License-Identifier: MIT */
/*
 * deny-register PROG [ARG...]: run PROG under a seccomp filter that makes
 * io_uring_register(2) fail with EPERM, as container runtimes' filters do
 * (tools/json-check.sh runs uring-probe so).  Exits 77 where no filter can
 * be installed (an architecture without a known AUDIT_ARCH, no seccomp).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define LE	(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
#if defined(__x86_64__) && !defined(__ILP32__)
#define ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__) && LE
#define ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define ARCH	AUDIT_ARCH_I386
#elif defined(__arm__) && LE
#define ARCH	AUDIT_ARCH_ARM
#elif defined(__s390x__)
#define ARCH	AUDIT_ARCH_S390X
#endif

#ifndef __NR_io_uring_register
#define __NR_io_uring_register	427
#endif

int main(int argc, char *argv[])
{
#ifdef ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_register, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (argc < 2) {
		fprintf(stderr, "usage: %s PROG [ARG...]\n", argv[0]);
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		fprintf(stderr, "%s: no seccomp filter: %s\n", argv[0],
			strerror(errno));
		return 77;
	}
	execv(argv[1], argv + 1);
	fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], strerror(errno));
	return 126;
#else
	(void) argc;
	fprintf(stderr, "%s: no seccomp filter for this architecture\n", argv[0]);
	return 77;
#endif
}
