/* SPDX-License-Identifier: MIT */
/*
 * Memory ordering for the rings shared with the kernel.
 *
 * The kernel publishes CQ tail / SQ head with a release store and reads our
 * SQ tail / CQ head with an acquire load, so our side needs the matching
 * acquire loads and release stores.  The macros take a variable (or a
 * pointer to one) the way liburing's do: the ring's plain words, and in C
 * a program's own _Atomic variables as well.
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

/* C++: the compiler's __atomic builtins, on plain variables. */
#define IO_URING_WRITE_ONCE(var, val) \
	__atomic_store_n(&(var), (val), __ATOMIC_RELAXED)
#define IO_URING_READ_ONCE(var) \
	__atomic_load_n(&(var), __ATOMIC_RELAXED)
#define io_uring_smp_store_release(p, v) \
	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define io_uring_smp_load_acquire(p) \
	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define io_uring_smp_mb() \
	__atomic_thread_fence(__ATOMIC_SEQ_CST)

#else
#include <stdatomic.h>
#define LIBURING_NOEXCEPT

/*
 * C: <stdatomic.h> on the object seen as _Atomic, so that the ring's plain
 * words and a program's _Atomic variables both work, with gcc and clang
 * alike (clang's __atomic builtins refuse _Atomic objects).
 */
#define __io_uring_atomic(ptr)	(__extension__ (_Atomic __typeof__(*(ptr)) *) (ptr))
#define IO_URING_WRITE_ONCE(var, val) \
	atomic_store_explicit(__io_uring_atomic(&(var)), (val), memory_order_relaxed)
#define IO_URING_READ_ONCE(var) \
	atomic_load_explicit(__io_uring_atomic(&(var)), memory_order_relaxed)
#define io_uring_smp_store_release(p, v) \
	atomic_store_explicit(__io_uring_atomic(p), (v), memory_order_release)
#define io_uring_smp_load_acquire(p) \
	atomic_load_explicit(__io_uring_atomic(p), memory_order_acquire)
#define io_uring_smp_mb() \
	atomic_thread_fence(memory_order_seq_cst)
#endif

/*
 * What each one is for:
 *   IO_URING_WRITE_ONCE / IO_URING_READ_ONCE: a plain store/load the
 *     compiler may neither tear, fuse nor elide;
 *   io_uring_smp_store_release: orders every earlier access before the
 *     store (publishes data);
 *   io_uring_smp_load_acquire: orders every later access after the load
 *     (consumes published data);
 *   io_uring_smp_mb: full barrier, orders earlier stores against later loads.
 */

#endif
