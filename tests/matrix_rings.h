/* SPDX-License-Identifier: MIT */
/*
 * The ring configurations every path is tested over: one list, shared by
 * the matrix suite (tests/matrix.c) and the fuzzer (fuzz/fuzz_ring.c).
 * No cmocka here: the fuzzer links this file too.
 */
#ifndef URING_TEST_MATRIX_RINGS_H
#define URING_TEST_MATRIX_RINGS_H

#include <stddef.h>
#include <liburing.h>

/* How a configuration is set up, beyond its IORING_SETUP_* flags. */
enum {
	RC_MMAP		= 1 << 0,	/* io_uring_setup() + io_uring_queue_mmap():
					   the ring keeps its SQ index array */
	RC_MEM		= 1 << 1,	/* io_uring_queue_init_mem(): caller memory */
	RC_REG_FD	= 1 << 2,	/* io_uring_register_ring_fd() after setup */
	RC_ENABLE	= 1 << 3,	/* set up R_DISABLED, then io_uring_enable_rings() */
	RC_OVERFLOW	= 1 << 4,	/* CQ as small as the SQ: users overflow it */
};

struct ring_config {
	const char *name;
	unsigned flags;		/* IORING_SETUP_* */
	unsigned how;		/* RC_* */
	const char *needs;	/* what a kernel that refuses it lacks */
};

extern const struct ring_config ring_configs[];
extern const unsigned ring_configs_nr;

/* Caller memory of an RC_MEM ring (freed by rc_teardown). */
struct rc_mem {
	void *ptr;
	size_t len;
};

/* SQPOLL rings idle this long before their thread sleeps. */
#define RC_SQ_IDLE_MS	10000

/*
 * Set ring up as cfg says with an SQ of sq_entries (CQ twice that, or as
 * large with RC_OVERFLOW).  0, or -errno; why (if given) then says what the
 * kernel lacks (-EINVAL/-EOPNOTSUPP from setup) or which step failed.
 */
int rc_setup(struct io_uring *ring, struct rc_mem *mem,
	     const struct ring_config *cfg, unsigned sq_entries,
	     char *why, size_t why_len);
void rc_teardown(struct io_uring *ring, struct rc_mem *mem);

/* Refusals that mean "this kernel lacks the configuration" (a skip). */
static inline int rc_kernel_lacks(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP;
}

#endif
