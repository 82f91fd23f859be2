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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <liburing.h>

/* A ring the test owns; fails the test when setup fails. */
void t_ring(struct io_uring *ring, unsigned entries, unsigned flags);

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

/* Submit what is queued, wait for one CQE, return its res (and flags), retire it. */
int t_submit_wait(struct io_uring *ring, unsigned *cqe_flags, __u64 *user_data);
/* Wait for one CQE (no submit), return res; retire it. */
int t_wait(struct io_uring *ring, unsigned *cqe_flags, __u64 *user_data);
/* Get an SQE or fail the test. */
struct io_uring_sqe *t_sqe(struct io_uring *ring);

#endif
