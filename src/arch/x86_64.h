/* SPDX-License-Identifier: MIT */
/* Raw system calls on x86_64: return the kernel's value, -errno on failure. */
#ifndef URING_ARCH_X86_64_H
#define URING_ARCH_X86_64_H

#define URING_RAW_SYSCALLS 1

static inline long __do_syscall0(long nr)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr)
			  : "rcx", "r11", "memory");
	return ret;
}

static inline long __do_syscall1(long nr, long a)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a)
			  : "rcx", "r11", "memory");
	return ret;
}

static inline long __do_syscall2(long nr, long a, long b)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b)
			  : "rcx", "r11", "memory");
	return ret;
}

static inline long __do_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a), "S"(b), "d"(c)
			  : "rcx", "r11", "memory");
	return ret;
}

static inline long __do_syscall4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			  : "rcx", "r11", "memory");
	return ret;
}

static inline long __do_syscall5(long nr, long a, long b, long c, long d,
				 long e)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
			  : "rcx", "r11", "memory");
	return ret;
}

static inline long __do_syscall6(long nr, long a, long b, long c, long d,
				 long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile ("syscall" : "=a"(ret)
			  : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			    "r"(r9)
			  : "rcx", "r11", "memory");
	return ret;
}

#endif
