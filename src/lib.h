/* SPDX-License-Identifier: MIT */
/* What the library's sources share and do not export. */
#ifndef URING_LIB_H
#define URING_LIB_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "uring.h"
#include "syscall.h"
#include "int_flags.h"

/* Flags for io_uring_enter() on this ring: the registered index if there is one. */
static inline unsigned ring_enter_flags(const struct io_uring *ring)
{
	unsigned flags = 0;

	/* one test for the common ring: no registered index, iowait on */
	if (uring_likely(!(ring->int_flags & (INT_FLAG_REG_RING |
					      INT_FLAG_NO_IOWAIT))))
		return 0;
	if (ring->int_flags & INT_FLAG_REG_RING)
		flags |= IORING_ENTER_REGISTERED_RING;
	if (uring_unlikely(ring->int_flags & INT_FLAG_NO_IOWAIT))
		flags |= IORING_ENTER_NO_IOWAIT;
	return flags;
}

/*
 * Whether submit() may take its plain path: set up again by every call
 * that changes the ring's kind, its registered index or its iowait flag.
 */
static inline void ring_note_submit(struct io_uring *ring)
{
	if (!(ring->flags & (IORING_SETUP_SQPOLL | IORING_SETUP_SQ_REWIND)) &&
	    !(ring->int_flags & (INT_FLAG_REG_RING | INT_FLAG_NO_IOWAIT)))
		ring->int_flags |= INT_FLAG_SUBMIT_PLAIN;
	else
		ring->int_flags &= (__u8) ~INT_FLAG_SUBMIT_PLAIN;
}

/*
 * io_uring_register() on this ring: through its registered index when the
 * kernel takes one there (IORING_FEAT_REG_REG_RING), else the plain fd.
 */
static inline int ring_register(struct io_uring *ring, unsigned opcode,
				const void *arg, unsigned nr_args)
{
	int fd = ring->ring_fd;

	if (ring->int_flags & INT_FLAG_REG_REG_RING) {
		opcode |= IORING_REGISTER_USE_REGISTERED_RING;
		fd = ring->enter_ring_fd;
	}
	return __sys_io_uring_register((unsigned) fd, opcode, arg, nr_args);
}

/* register.c: drop the registered ring index, even with no plain fd left */
int uring_unregister_ring_index(struct io_uring *ring);

/*
 * setup.c: is this process exempt from RLIMIT_MEMLOCK charges (CAP_IPC_LOCK
 * in the initial user namespace, where the kernel asks)?
 */
bool uring_memlock_exempt(void);

/* features.c: what the running kernel supports, learned once */
unsigned uring_kernel_features(void);
void uring_note_features(unsigned features);
/*
 * features.c: run fn(arg) on a short-lived thread of the library's own and
 * wait for it, so that the rings fn sets up leave nothing behind on the
 * calling thread (its io-wq); fn runs on the caller's thread when no thread
 * can be created.
 */
void uring_run_on_own_thread(void (*fn)(void *), void *arg);
/*
 * features.c: a setup failed with -ENOMEM.  If rings of the library's own
 * were destroyed less than 1 s ago (their locked memory may not be given
 * back yet), wait a little, longer each round, and say true: try again.
 */
bool uring_wait_own_rings_memory(unsigned *round);

/*
 * Memory the kernel writes that valgrind does not know about (rings in
 * caller memory): marked defined in -DURING_VALGRIND builds (see
 * tests/run-valgrind.sh), nothing otherwise; the library never needs
 * valgrind to build or run.
 */
#ifdef URING_VALGRIND
#include <valgrind/memcheck.h>
#define uring_kernel_wrote(addr, len) \
	((void) VALGRIND_MAKE_MEM_DEFINED((addr), (len)))
#else
#define uring_kernel_wrote(addr, len)	((void) 0)
#endif

#endif
