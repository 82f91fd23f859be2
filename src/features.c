/* SPDX-License-Identifier: MIT */
/*
 * Feature detection, in one place: the IORING_FEAT_* set of the running
 * kernel (from the first ring set up, or a throwaway one), and the opcode
 * probe.
 */
#define LIBURING_INTERNAL
#include "lib.h"

#include <stdlib.h>
#include <string.h>

/* 0 = not known yet; the kernel always reports at least one feature bit
 * on the kernels we support, and UINT_MAX marks "no io_uring at all" */
static unsigned kernel_features;

void uring_note_features(unsigned features)
{
	__atomic_store_n(&kernel_features, features, __ATOMIC_RELAXED);
}

unsigned uring_kernel_features(void)
{
	unsigned f = __atomic_load_n(&kernel_features, __ATOMIC_RELAXED);
	struct io_uring_params p;
	int fd;

	if (f)
		return f == ~0U ? 0 : f;
	memset(&p, 0, sizeof(p));
	fd = __sys_io_uring_setup(1, &p);
	if (fd < 0) {
		uring_note_features(~0U);
		return 0;
	}
	__sys_close(fd);
	uring_note_features(p.features);
	return p.features;
}

/* The probe: malloc'd, so plain free() releases it as well as io_uring_free_probe(). */
struct io_uring_probe *io_uring_get_probe_ring(struct io_uring *ring)
{
	size_t len = sizeof(struct io_uring_probe) +
		     256 * sizeof(struct io_uring_probe_op);
	struct io_uring_probe *probe;

	if (!ring)
		return NULL;
	probe = (struct io_uring_probe *) calloc(1, len);
	if (!probe)
		return NULL;
	if (io_uring_register_probe(ring, probe, 256) < 0) {
		free(probe);
		return NULL;
	}
	return probe;
}

struct io_uring_probe *io_uring_get_probe(void)
{
	struct io_uring ring;
	struct io_uring_probe *probe;

	if (io_uring_queue_init(2, &ring, 0) < 0)
		return NULL;
	probe = io_uring_get_probe_ring(&ring);
	io_uring_queue_exit(&ring);
	return probe;
}

void io_uring_free_probe(struct io_uring_probe *probe)
{
	free(probe);
}
