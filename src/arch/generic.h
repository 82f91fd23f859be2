/* SPDX-License-Identifier: MIT */
/*
 * Every other architecture: libc's syscall(), mmap(), munmap(), madvise()
 * and close().  Each call saves errno and puts it back, so the caller's errno
 * is never touched; a failure comes back as -errno (a pointer-returning call
 * returns it cast to a pointer, as the raw calls do).
 *
 * Arguments travel as long, which holds a pointer or an int on every Linux
 * ABI; none of the calls made here has a 64-bit argument, so 32-bit ABIs
 * with register pairs (ARM EABI, mips o32) need nothing special.
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

/* ret is 0 or -1 (errno set): 0 or -errno, errno back to saved */
static inline int __sys_errno_ret(int ret, int saved)
{
	if (ret == -1)
		ret = -errno;
	errno = saved;
	return ret;
}

/*
 * libc picks the ABI's call (mmap2 with a page offset on 32-bit ABIs, the
 * old struct-argument mmap never); off_t is 64-bit (syscall.h checks).
 */
static inline void *__sys_mmap(void *addr, size_t length, int prot, int flags,
			       int fd, off_t offset)
{
	int saved = errno;
	void *ret = mmap(addr, length, prot, flags, fd, offset);

	if (ret == MAP_FAILED)
		ret = (void *) (long) -errno;
	errno = saved;
	return ret;
}

static inline int __sys_munmap(void *addr, size_t length)
{
	int saved = errno;

	return __sys_errno_ret(munmap(addr, length), saved);
}

static inline int __sys_madvise(void *addr, size_t length, int advice)
{
	int saved = errno;

	return __sys_errno_ret(madvise(addr, length, advice), saved);
}

static inline int __sys_close(int fd)
{
	int saved = errno;

	return __sys_errno_ret(close(fd), saved);
}

#endif
