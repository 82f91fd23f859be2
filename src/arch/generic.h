/* SPDX-License-Identifier: MIT */
/*
 * Other architectures: libc's syscall(), with errno saved and restored so
 * the caller's errno is never touched; failures come back as -errno.
 */
#ifndef URING_ARCH_GENERIC_H
#define URING_ARCH_GENERIC_H

#include <errno.h>
#include <unistd.h>

static inline long __do_syscall6(long nr, long a, long b, long c, long d,
				 long e, long f)
{
	int saved = errno;
	long ret = syscall(nr, a, b, c, d, e, f);

	if (ret == -1)
		ret = -errno;
	errno = saved;
	return ret;
}

#define __do_syscall0(n)		__do_syscall6(n, 0, 0, 0, 0, 0, 0)
#define __do_syscall1(n, a)		__do_syscall6(n, a, 0, 0, 0, 0, 0)
#define __do_syscall2(n, a, b)		__do_syscall6(n, a, b, 0, 0, 0, 0)
#define __do_syscall3(n, a, b, c)	__do_syscall6(n, a, b, c, 0, 0, 0)
#define __do_syscall4(n, a, b, c, d)	__do_syscall6(n, a, b, c, d, 0, 0)
#define __do_syscall5(n, a, b, c, d, e)	__do_syscall6(n, a, b, c, d, e, 0)

#endif
