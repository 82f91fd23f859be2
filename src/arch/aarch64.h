/* SPDX-License-Identifier: MIT */
/* Raw system calls on aarch64: return the kernel's value, -errno on failure. */
#ifndef URING_ARCH_AARCH64_H
#define URING_ARCH_AARCH64_H

#define URING_RAW_SYSCALLS 1

#define __URING_SVC(...)						\
	__asm__ volatile ("svc 0" : "=r"(x0) : __VA_ARGS__ : "memory", "cc")

static inline long __do_syscall0(long nr)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0");

	__URING_SVC("r"(x8));
	return x0;
}

static inline long __do_syscall1(long nr, long a)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;

	__URING_SVC("r"(x8), "0"(x0));
	return x0;
}

static inline long __do_syscall2(long nr, long a, long b)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;

	__URING_SVC("r"(x8), "0"(x0), "r"(x1));
	return x0;
}

static inline long __do_syscall3(long nr, long a, long b, long c)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;

	__URING_SVC("r"(x8), "0"(x0), "r"(x1), "r"(x2));
	return x0;
}

static inline long __do_syscall4(long nr, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__URING_SVC("r"(x8), "0"(x0), "r"(x1), "r"(x2), "r"(x3));
	return x0;
}

static inline long __do_syscall5(long nr, long a, long b, long c, long d,
				 long e)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;

	__URING_SVC("r"(x8), "0"(x0), "r"(x1), "r"(x2), "r"(x3), "r"(x4));
	return x0;
}

static inline long __do_syscall6(long nr, long a, long b, long c, long d,
				 long e, long f)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__URING_SVC("r"(x8), "0"(x0), "r"(x1), "r"(x2), "r"(x3), "r"(x4),
		    "r"(x5));
	return x0;
}

#endif
