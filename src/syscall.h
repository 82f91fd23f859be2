/* SPDX-License-Identifier: MIT */
/*
 * The system calls the library makes, as raw calls that return -errno and
 * leave the caller's errno alone.
 */
#ifndef URING_SYSCALL_H
#define URING_SYSCALL_H

#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "uring.h"	/* __NR_io_uring_* where libc lacks them */

#if defined(__x86_64__)
#include "arch/x86_64.h"
#elif defined(__aarch64__)
#include "arch/aarch64.h"
#else
#include "arch/generic.h"
#endif

static inline int __sys_io_uring_setup(unsigned entries,
				       struct io_uring_params *p)
{
	return (int) __do_syscall2(__NR_io_uring_setup, entries, (long) p);
}

static inline int __sys_io_uring_enter2(unsigned fd, unsigned to_submit,
					unsigned min_complete, unsigned flags,
					void *arg, size_t sz)
{
	return (int) __do_syscall6(__NR_io_uring_enter, fd, to_submit,
				   min_complete, flags, (long) arg, (long) sz);
}

static inline int __sys_io_uring_enter(unsigned fd, unsigned to_submit,
				       unsigned min_complete, unsigned flags,
				       sigset_t *sig)
{
	return __sys_io_uring_enter2(fd, to_submit, min_complete, flags, sig,
				     _NSIG / 8);
}

static inline int __sys_io_uring_register(unsigned fd, unsigned opcode,
					  const void *arg, unsigned nr_args)
{
	return (int) __do_syscall4(__NR_io_uring_register, fd, opcode,
				   (long) arg, nr_args);
}

/* returns the mapping, or a value for which __sys_failed() is true */
static inline void *__sys_mmap(void *addr, size_t length, int prot, int flags,
			       int fd, off_t offset)
{
	return (void *) __do_syscall6(__NR_mmap, (long) addr, (long) length,
				      prot, flags, fd, (long) offset);
}

/* a pointer-returning call failed: the value is in [-4095, -1] */
static inline int __sys_failed(const void *ret)
{
	return (unsigned long) ret > -4096UL;
}

static inline int __sys_munmap(void *addr, size_t length)
{
	return (int) __do_syscall2(__NR_munmap, (long) addr, (long) length);
}

static inline int __sys_madvise(void *addr, size_t length, int advice)
{
	return (int) __do_syscall3(__NR_madvise, (long) addr, (long) length,
				   advice);
}

static inline int __sys_close(int fd)
{
	return (int) __do_syscall1(__NR_close, fd);
}

#endif
