/* SPDX-License-Identifier: MIT */
/*
 * Provided buffer rings the library allocates: memory for nentries
 * struct io_uring_buf, registered as buffer group bgid.
 */
#define LIBURING_INTERNAL
#include "lib.h"

#include <string.h>

static size_t buf_ring_size(unsigned int nentries)
{
	return (size_t) nentries * sizeof(struct io_uring_buf);
}

/* The kernel allocated the ring (IOU_PBUF_RING_MMAP): map it. */
static struct io_uring_buf_ring *buf_ring_map_kernel(struct io_uring *ring,
						     unsigned int nentries,
						     int bgid, int *err)
{
	__u64 off = IORING_OFF_PBUF_RING |
		    ((__u64) bgid << IORING_OFF_PBUF_SHIFT);
	void *br;

	br = __sys_mmap(NULL, buf_ring_size(nentries), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_POPULATE, ring->ring_fd, (off_t) off);
	if (__sys_failed(br)) {
		*err = (int) (long) br;
		return NULL;
	}
	return (struct io_uring_buf_ring *) br;
}

struct io_uring_buf_ring *io_uring_setup_buf_ring(struct io_uring *ring,
						  unsigned int nentries,
						  int bgid, unsigned int flags,
						  int *err)
{
	struct io_uring_buf_ring *br = NULL;
	struct io_uring_buf_reg reg;
	int ret, dummy;

	if (!err)
		err = &dummy;
	if (!ring || !nentries || (nentries & (nentries - 1)) ||
	    nentries > 32768) {
		*err = -EINVAL;
		return NULL;
	}
	memset(&reg, 0, sizeof(reg));
	reg.ring_entries = nentries;
	reg.bgid = (__u16) bgid;

	if (!(flags & IOU_PBUF_RING_MMAP)) {
		void *mem = __sys_mmap(NULL, buf_ring_size(nentries),
				       PROT_READ | PROT_WRITE,
				       MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);

		if (__sys_failed(mem)) {
			*err = (int) (long) mem;
			return NULL;
		}
		br = (struct io_uring_buf_ring *) mem;
		reg.ring_addr = (__u64) (uintptr_t) br;
	}

	ret = io_uring_register_buf_ring(ring, &reg, flags);
	if (ret) {
		if (br)
			__sys_munmap(br, buf_ring_size(nentries));
		*err = ret;
		return NULL;
	}
	if (!br) {
		br = buf_ring_map_kernel(ring, nentries, bgid, err);
		if (!br) {
			io_uring_unregister_buf_ring(ring, bgid);
			return NULL;
		}
	}
	io_uring_buf_ring_init(br);
	*err = 0;
	return br;
}

int io_uring_free_buf_ring(struct io_uring *ring, struct io_uring_buf_ring *br,
			   unsigned int nentries, int bgid)
{
	int ret;

	if (!ring || !br)
		return -EINVAL;
	ret = io_uring_unregister_buf_ring(ring, bgid);
	if (ret)
		return ret;
	__sys_munmap(br, buf_ring_size(nentries));
	return 0;
}
