/* SPDX-License-Identifier: MIT */
/* Shared by the cmocka suites: rings, temp files, one-shot submit/wait. */
#ifndef URING_TEST_HELPERS_H
#define URING_TEST_HELPERS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <liburing.h>
#include <linux/audit.h>

/*
 * The AUDIT_ARCH_* of this build, for seccomp filters (undefined: none
 * known): Debian's architectures, little-endian ARM and POWER.
 */
#define T_LE	(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
#if defined(__x86_64__)
#define T_AUDIT_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__) && T_LE
#define T_AUDIT_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define T_AUDIT_ARCH	AUDIT_ARCH_I386
#elif defined(__arm__) && T_LE
#define T_AUDIT_ARCH	AUDIT_ARCH_ARM
#elif defined(__s390x__)
#define T_AUDIT_ARCH	AUDIT_ARCH_S390X
#elif defined(__powerpc64__) && T_LE
#define T_AUDIT_ARCH	AUDIT_ARCH_PPC64LE
#elif defined(__riscv) && __riscv_xlen == 64
#define T_AUDIT_ARCH	AUDIT_ARCH_RISCV64
#elif defined(__mips__) && defined(__LP64__) && T_LE
#define T_AUDIT_ARCH	AUDIT_ARCH_MIPSEL64
#endif
#include "../src/int_flags.h"	/* white-box checks of ring->int_flags */
/* every -errno a test sees can be logged: tests/errlog.c */
#include "uring-errlog.h"

/* A ring the test owns; fails the test when setup fails. */
void t_ring(struct io_uring *ring, unsigned entries, unsigned flags);

/* A ring as t_ring(); the test is skipped when ring->features lacks feat. */
void t_ring_feat(struct io_uring *ring, unsigned entries, unsigned flags,
		 unsigned feat, const char *name);
#define T_RING_FEAT(ring, entries, flags, feat)				\
	t_ring_feat(ring, entries, flags, feat, #feat)

/* Is opcode op supported by the running kernel? (probe, cached) */
bool t_op_supported(int op);

/* Is the running kernel older than major.minor? (for behaviour no probe shows) */
bool t_kernel_older_than(int major, int minor);

/*
 * Running under valgrind?  (RUNNING_ON_VALGRIND where <valgrind/valgrind.h>
 * is installed, else URING_UNDER_VALGRIND, set by tests/run-valgrind.sh.)
 */
bool t_under_valgrind(void);

/* Skip the current test, printing why, when the kernel lacks op. */
#define T_REQUIRE_OP(op)						\
	do {								\
		if (!t_op_supported(op)) {				\
			print_message("# skip: kernel lacks " #op "\n");	\
			skip();						\
		}							\
	} while (0)

/* Skip with a reason. */
#define T_SKIP(...)							\
	do {								\
		print_message("# skip: " __VA_ARGS__);			\
		print_message("\n");					\
		skip();							\
	} while (0)

/* A fresh private temp directory (created once per process) and paths in it. */
const char *t_tmpdir(void);
/* path = tmpdir/name; returns path (static buffer rotation of 8). */
const char *t_path(const char *name);
/* Create a file of size bytes with a known pattern (byte i = i * 7 + 3). */
int t_make_file(const char *path, size_t size);
unsigned char t_pattern(size_t i);
/* buf holds len bytes of the pattern from file offset off (fails the test if not). */
void t_assert_pattern(const unsigned char *buf, size_t len, size_t off);

/* Submit what is queued, wait for one CQE, return its res (and flags), retire it. */
int t_submit_wait(struct io_uring *ring, unsigned *cqe_flags, __u64 *user_data);
/* Wait for one CQE (no submit), return res; retire it. */
int t_wait(struct io_uring *ring, unsigned *cqe_flags, __u64 *user_data);
/*
 * Wait at most ms milliseconds for one CQE: 0 (its res, flags, user_data
 * stored where asked, CQE retired) or -errno (-ETIME: none came).
 */
int t_wait_ms(struct io_uring *ring, int ms, int *res, unsigned *cqe_flags,
	      __u64 *user_data);
/* Wait at most 5 s for one CQE (fails the test if none), return res; retire it. */
int t_wait_bounded(struct io_uring *ring, unsigned *cqe_flags, __u64 *user_data);
/*
 * Get an SQE or fail the test.  On an SQPOLL ring whose SQ is full of SQEs
 * submitted to the thread, wait (5 s at most) for it to give slots back.
 */
struct io_uring_sqe *t_sqe(struct io_uring *ring);
/*
 * SQPOLL: wait (5 s at most, else fail) until the SQ thread has taken every
 * published SQE.  It posts their CQEs before it moves the SQ head, so seeing
 * the CQEs does not mean the SQ is free again.  Other rings: return at once.
 */
void t_sq_drained(struct io_uring *ring);
/* The next CQE (within 2 s) is a resource tag CQE: user_data = tag, res 0. */
void t_expect_tag_cqe(struct io_uring *ring, __u64 tag);
/* Queue a NOP carrying user_data ud (not submitted). */
void t_nop(struct io_uring *ring, __u64 ud);

/* Queue a NOP ud, submit, wait: it completes with res 0 and user_data ud. */
void t_nop_roundtrip(struct io_uring *ring, __u64 ud);

/* Close both ends of a pipe or socket pair. */
void t_close_pair(int fds[2]);

/* A non-blocking, close-on-exec eventfd (fails the test if none). */
int t_eventfd(void);

/* A thread writing "x" to each of its fds in turn, delay_us before each. */
#define T_WRITER_MAX	8
struct t_writer {
	int fds[T_WRITER_MAX];
	unsigned n;
	unsigned delay_us;
	pthread_t th;
};
void t_writer_start(struct t_writer *w, const int *fds, unsigned n,
		    unsigned delay_us);
void t_writer_join(struct t_writer *w);

/* A relative timeout of ms milliseconds. */
struct __kernel_timespec t_ms_ts(long ms);
/* CLOCK_MONOTONIC in milliseconds. */
long long t_now_ms(void);

/*
 * Take turns with other test processes (other build directories' suites,
 * other checkouts) over something the whole system shares, such as a
 * sysctl a test sets or the huge page pool it counts: an exclusive lock on
 * /tmp/uring-tests-NAME.lock, held until t_unlock_system(fd).  -1 (no
 * lock, and nothing to unlock) where the file cannot be made.
 */
int t_lock_system(const char *name);
void t_unlock_system(int fd);

/* How many fds this process has open (fails the test if /proc is unreadable). */
int t_count_fds(void);
/* Is fd an open file descriptor? */
bool t_fd_open(int fd);

/*
 * Run fn in a forked child and return its exit code (fails the test if the
 * child dies of a signal).  A child starts with the parent's caches: suites
 * that test what the library learns once run their cases this way from a
 * parent that never calls the library.
 */
int t_in_child(int (*fn)(void));

/* In a child: return code from it when cond is false, saying which. */
#define T_CHILD_CHECK(cond, code)					\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "# %s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			return code;					\
		}							\
	} while (0)

/*
 * A seccomp filter on this (child) process and the threads it creates
 * after: system call nr gets action (SECCOMP_RET_*), every other call is
 * allowed.  flags go to seccomp(2).  What seccomp(2) returned (a listener
 * fd with SECCOMP_FILTER_FLAG_NEW_LISTENER), or -errno (-ENOSYS where
 * this architecture has no known AUDIT_ARCH).
 */
int t_seccomp_syscall(unsigned nr, unsigned action, unsigned flags);
/* Make system call nr fail with err: t_seccomp_syscall(), 0 or -errno. */
int t_block_syscall(unsigned nr, int err);

#endif
