/* SPDX-License-Identifier: MIT */
/*
 * The system calls the library makes, as calls that return -errno and leave
 * the caller's errno alone.
 *
 * x86_64 and aarch64 enter the kernel with their own few instructions
 * (src/arch/ARCH.h); on those, a call costs no more than the instruction.
 * Every other architecture goes through libc (src/arch/generic.h): syscall()
 * for the io_uring calls, mmap()/munmap()/madvise()/close() for the rest, so
 * that 32-bit ABIs (i386's old mmap, ARM EABI's mmap2 and its 64-bit offset
 * register pairs, ...) are libc's business, not ours.
 */
#ifndef URING_SYSCALL_H
#define URING_SYSCALL_H

#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "uring.h"	/* __NR_io_uring_* where libc lacks them */

/* ring offsets such as IORING_OFF_PBUF_RING (2 GiB) need a 64-bit off_t */
_Static_assert(sizeof(off_t) == 8, "build with -D_FILE_OFFSET_BITS=64");

/* x32 is __x86_64__ too, with 32-bit longs: it takes libc's way */
#if defined(__x86_64__) && defined(__LP64__)
#include "arch/x86_64.h"
#elif defined(__aarch64__) && defined(__LP64__)
#include "arch/aarch64.h"
#else
#include "arch/generic.h"
#endif

/*
 * Test builds only (tests/meson.build builds the library's sources once
 * more with -DURING_COUNT_SYSCALLS for the suites that count): how many
 * io_uring_setup, io_uring_enter and io_uring_register calls this thread
 * made.  Shipped builds count nothing.
 */
#ifdef URING_COUNT_SYSCALLS
enum { URING_SYS_SETUP, URING_SYS_ENTER, URING_SYS_REGISTER, URING_SYS_NR };
extern __thread unsigned long uring_syscall_count[URING_SYS_NR];
#define uring_count_syscall(which)	((void) uring_syscall_count[which]++)
#else
#define uring_count_syscall(which)	((void) 0)
#endif

static inline int __sys_io_uring_setup(unsigned entries,
				       struct io_uring_params *p)
{
	uring_count_syscall(URING_SYS_SETUP);
	return (int) __do_syscall2(__NR_io_uring_setup, entries, (long) p);
}

static inline int __sys_io_uring_enter2(unsigned fd, unsigned to_submit,
					unsigned min_complete, unsigned flags,
					void *arg, size_t sz)
{
	uring_count_syscall(URING_SYS_ENTER);
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
	uring_count_syscall(URING_SYS_REGISTER);
	return (int) __do_syscall4(__NR_io_uring_register, fd, opcode,
				   (long) arg, nr_args);
}

/* a pointer-returning call failed: the value is in [-4095, -1] */
static inline int __sys_failed(const void *ret)
{
	return (unsigned long) ret > -4096UL;
}

#ifdef URING_RAW_SYSCALLS
/* the 64-bit ABIs of the arch headers: mmap's offset is one register */

/* returns the mapping, or a value for which __sys_failed() is true */
static inline void *__sys_mmap(void *addr, size_t length, int prot, int flags,
			       int fd, off_t offset)
{
	return (void *) __do_syscall6(__NR_mmap, (long) addr, (long) length,
				      prot, flags, fd, (long) offset);
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

#endif
