/* SPDX-License-Identifier: MIT */
/*
 * Memory ordering for the rings shared with the kernel.
 *
 * The kernel publishes CQ tail / SQ head with a release store and reads our
 * SQ tail / CQ head with an acquire load, so our side needs the matching
 * acquire loads and release stores.  The macros use the compiler's
 * __atomic builtins, which gcc and clang provide in C and C++ alike, so
 * they take plain (non-_Atomic) variables, as the ring's words are.
 */
#ifndef LIBURING_BARRIER_H
#define LIBURING_BARRIER_H

/*
 * Like liburing's, this header brings in the language's atomics (programs
 * written for liburing use them without including them), and defines
 * LIBURING_NOEXCEPT: every function <liburing.h> declares is noexcept in
 * C++, and never throws.
 */
#ifdef __cplusplus
#include <atomic>
#define LIBURING_NOEXCEPT	noexcept
#else
#include <stdatomic.h>
#define LIBURING_NOEXCEPT
#endif

/* A plain load/store the compiler may neither tear, fuse nor elide. */
#define IO_URING_WRITE_ONCE(var, val) \
	__atomic_store_n(&(var), (val), __ATOMIC_RELAXED)
#define IO_URING_READ_ONCE(var) \
	__atomic_load_n(&(var), __ATOMIC_RELAXED)

/* Store that orders every earlier access before it (publishes data). */
#define io_uring_smp_store_release(p, v) \
	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* Load that orders every later access after it (consumes published data). */
#define io_uring_smp_load_acquire(p) \
	__atomic_load_n((p), __ATOMIC_ACQUIRE)

/* Full barrier: orders earlier stores against later loads. */
#define io_uring_smp_mb() \
	__atomic_thread_fence(__ATOMIC_SEQ_CST)

#endif
