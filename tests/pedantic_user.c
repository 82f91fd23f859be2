/* SPDX-License-Identifier: MIT */
/*
 * A program built with -pedantic -Werror against the installed headers
 * (seen as system headers, as /usr/include is): the header's own
 * extensions are its business, but what its macros expand to lands in the
 * program's code, and must not make -pedantic fail there, in any mode.
 * tests/header_modes.py --alone compiles it (not linked).
 */
#include <liburing.h>

unsigned pedantic_user(struct io_uring *ring);

unsigned pedantic_user(struct io_uring *ring)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen = 0;
	unsigned tail = io_uring_smp_load_acquire(ring->cq.ktail);

	io_uring_for_each_cqe(ring, head, cqe)
		seen += cqe->res >= 0;
	io_uring_cq_advance(ring, seen);
	io_uring_smp_store_release(ring->sq.ktail, IO_URING_READ_ONCE(*ring->sq.ktail));
	IO_URING_WRITE_ONCE(*ring->cq.kflags, IO_URING_READ_ONCE(*ring->cq.kflags));
	io_uring_smp_mb();
#if IO_URING_CHECK_VERSION(2, 15)
	seen++;
#endif
	return seen + tail * 0;
}
