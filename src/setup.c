/* SPDX-License-Identifier: MIT */
/*
 * Ring setup and teardown: io_uring_setup(), mapping the SQ/CQ rings and the
 * SQE array (or handing the kernel memory of our own with NO_MMAP), and the
 * memory-size estimates.
 */
#define LIBURING_INTERNAL
#include "lib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kernel's limits on ring sizes. */
#define KERN_MAX_ENTRIES	32768
#define KERN_MAX_CQ_ENTRIES	(2 * KERN_MAX_ENTRIES)
/* Bytes ahead of the CQE array in the kernel's ring header (struct io_rings). */
#define KRING_SIZE		64

static size_t page_size(void)
{
	static size_t cached;

	if (!cached) {
		long sz = sysconf(_SC_PAGESIZE);

		cached = sz > 0 ? (size_t) sz : 4096;
	}
	return cached;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static unsigned roundup_pow2(unsigned v)
{
	return v <= 1 ? 1 : 1U << (32 - __builtin_clz(v - 1));
}

static size_t sqe_size(unsigned flags)
{
	return sizeof(struct io_uring_sqe) << io_uring_sqe_shift_from_flags(flags);
}

static size_t cqe_size(unsigned flags)
{
	return sizeof(struct io_uring_cqe) << io_uring_cqe_shift_from_flags(flags);
}

/*
 * The SQ and CQ sizes the kernel would pick for these parameters, with the
 * same validation: -EINVAL where io_uring_setup() would refuse them.
 */
static int ring_entries(unsigned entries, const struct io_uring_params *p,
			unsigned *sq, unsigned *cq)
{
	unsigned cq_entries;

	if (!entries)
		return -EINVAL;
	if (entries > KERN_MAX_ENTRIES) {
		if (!(p->flags & IORING_SETUP_CLAMP))
			return -EINVAL;
		entries = KERN_MAX_ENTRIES;
	}
	entries = roundup_pow2(entries);
	if (p->flags & IORING_SETUP_CQSIZE) {
		if (!p->cq_entries)
			return -EINVAL;
		cq_entries = p->cq_entries;
		if (cq_entries > KERN_MAX_CQ_ENTRIES) {
			if (!(p->flags & IORING_SETUP_CLAMP))
				return -EINVAL;
			cq_entries = KERN_MAX_CQ_ENTRIES;
		}
		cq_entries = roundup_pow2(cq_entries);
		if (cq_entries < entries)
			return -EINVAL;
	} else {
		cq_entries = 2 * entries;
	}
	*sq = entries;
	*cq = cq_entries;
	return 0;
}

/* Bytes of the kernel's ring header + CQEs (+ SQ index array), and of the SQEs. */
static void ring_bytes(unsigned flags, unsigned sq, unsigned cq,
		       size_t *rings, size_t *sqes)
{
	size_t r = KRING_SIZE + (size_t) cq * cqe_size(flags);

	if (!(flags & IORING_SETUP_NO_SQARRAY))
		r = align_up(r, 64) + (size_t) sq * sizeof(unsigned);
	*rings = r;
	*sqes = (size_t) sq * sqe_size(flags);
}

ssize_t io_uring_memory_size_params(unsigned entries, struct io_uring_params *p)
{
	unsigned sq, cq;
	size_t rings, sqes;
	int ret;

	if (!p)
		return -EINVAL;
	ret = ring_entries(entries, p, &sq, &cq);
	if (ret)
		return ret;
	/* the ring io_uring_queue_init_mem() sets up: it asks for NO_SQARRAY
	 * (as liburing does), so there is no SQ index array to count */
	ring_bytes(p->flags | IORING_SETUP_NO_SQARRAY, sq, cq, &rings, &sqes);
	return (ssize_t) (align_up(sqes, page_size()) + align_up(rings, page_size()));
}

ssize_t io_uring_memory_size(unsigned entries, unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return io_uring_memory_size_params(entries, &p);
}

/* Pages a ring of this size pins (kernels before 5.12 charged them to RLIMIT_MEMLOCK). */
ssize_t io_uring_mlock_size_params(unsigned entries, struct io_uring_params *p)
{
	unsigned sq, cq;
	size_t rings, sqes, pg = page_size();
	int ret;

	if (!p)
		return -EINVAL;
	ret = ring_entries(entries, p, &sq, &cq);
	if (ret)
		return ret;
	/* since 5.12 (IORING_FEAT_NATIVE_WORKERS) ring memory is not charged */
	if (uring_kernel_features() & IORING_FEAT_NATIVE_WORKERS)
		return 0;
	ring_bytes(p->flags, sq, cq, &rings, &sqes);
	/* the old allocator took power-of-two page blocks */
	return (ssize_t) (pg * roundup_pow2((unsigned) (align_up(rings, pg) / pg)) +
			  pg * roundup_pow2((unsigned) (align_up(sqes, pg) / pg)));
}

ssize_t io_uring_mlock_size(unsigned entries, unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return io_uring_mlock_size_params(entries, &p);
}

/* array[i] = i for every SQ slot; n is a power of two. */
static void fill_sq_array(unsigned *array, unsigned n)
{
	unsigned i = 0;

	for (; i + 4 <= n; i += 4) {
		array[i] = i;
		array[i + 1] = i + 1;
		array[i + 2] = i + 2;
		array[i + 3] = i + 3;
	}
	for (; i < n; i++)
		array[i] = i;
}

/* Point the io_uring_sq / io_uring_cq fields into the mapped rings. */
static void ring_set_pointers(struct io_uring *ring, struct io_uring_params *p)
{
	struct io_uring_sq *sq = &ring->sq;
	struct io_uring_cq *cq = &ring->cq;
	char *sp = (char *) sq->ring_ptr, *cp = (char *) cq->ring_ptr;

	sq->khead = (unsigned *) (sp + p->sq_off.head);
	sq->ktail = (unsigned *) (sp + p->sq_off.tail);
	sq->kring_mask = (unsigned *) (sp + p->sq_off.ring_mask);
	sq->kring_entries = (unsigned *) (sp + p->sq_off.ring_entries);
	sq->kflags = (unsigned *) (sp + p->sq_off.flags);
	sq->kdropped = (unsigned *) (sp + p->sq_off.dropped);
	sq->array = NULL;
	if (!(p->flags & IORING_SETUP_NO_SQARRAY))
		sq->array = (unsigned *) (sp + p->sq_off.array);
	sq->ring_mask = *sq->kring_mask;
	sq->ring_entries = *sq->kring_entries;

	cq->khead = (unsigned *) (cp + p->cq_off.head);
	cq->ktail = (unsigned *) (cp + p->cq_off.tail);
	cq->kring_mask = (unsigned *) (cp + p->cq_off.ring_mask);
	cq->kring_entries = (unsigned *) (cp + p->cq_off.ring_entries);
	cq->koverflow = (unsigned *) (cp + p->cq_off.overflow);
	cq->cqes = (struct io_uring_cqe *) (cp + p->cq_off.cqes);
	cq->kflags = p->cq_off.flags ? (unsigned *) (cp + p->cq_off.flags) : NULL;
	cq->ring_mask = *cq->kring_mask;
	cq->ring_entries = *cq->kring_entries;

	/* SQ slot i always holds SQE i: the array is written once, here */
	if (sq->array)
		fill_sq_array(sq->array, sq->ring_entries);
}

static void ring_unmap(struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	struct io_uring_cq *cq = &ring->cq;

	if (ring->int_flags & INT_FLAG_APP_MEM)
		return;
	if (sq->sqes_sz)
		__sys_munmap(sq->sqes, sq->sqes_sz);
	if (sq->ring_ptr)
		__sys_munmap(sq->ring_ptr, sq->ring_sz);
	if (cq->ring_ptr && cq->ring_ptr != sq->ring_ptr)
		__sys_munmap(cq->ring_ptr, cq->ring_sz);
}

static void *map_ring(int fd, size_t size, __u64 offset)
{
	return __sys_mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, fd, (off_t) offset);
}

/* Map the rings of ring fd fd, set up with parameters p. */
static int ring_mmap(int fd, struct io_uring_params *p, struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	struct io_uring_cq *cq = &ring->cq;
	void *ptr;

	sq->ring_sz = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	if (p->flags & IORING_SETUP_NO_SQARRAY)
		sq->ring_sz = p->sq_off.flags + sizeof(unsigned);
	cq->ring_sz = p->cq_off.cqes + p->cq_entries * cqe_size(p->flags);
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		if (cq->ring_sz > sq->ring_sz)
			sq->ring_sz = cq->ring_sz;
		cq->ring_sz = sq->ring_sz;
	}

	ptr = map_ring(fd, sq->ring_sz, IORING_OFF_SQ_RING);
	if (__sys_failed(ptr))
		return (int) (long) ptr;
	sq->ring_ptr = ptr;

	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		cq->ring_ptr = sq->ring_ptr;
	} else {
		ptr = map_ring(fd, cq->ring_sz, IORING_OFF_CQ_RING);
		if (__sys_failed(ptr)) {
			cq->ring_ptr = NULL;
			ring_unmap(ring);
			return (int) (long) ptr;
		}
		cq->ring_ptr = ptr;
	}

	ptr = map_ring(fd, p->sq_entries * sqe_size(p->flags), IORING_OFF_SQES);
	if (__sys_failed(ptr)) {
		ring_unmap(ring);
		return (int) (long) ptr;
	}
	sq->sqes = (struct io_uring_sqe *) ptr;
	sq->sqes_sz = (unsigned) (p->sq_entries * sqe_size(p->flags));
	ring_set_pointers(ring, p);
	return 0;
}

int io_uring_queue_mmap(int fd, struct io_uring_params *p, struct io_uring *ring)
{
	int ret;

	if (!p || !ring || fd < 0)
		return -EINVAL;
	memset(ring, 0, sizeof(*ring));
	ret = ring_mmap(fd, p, ring);
	if (ret)
		return ret;
	ring->flags = p->flags;
	ring->features = p->features;
	ring->ring_fd = ring->enter_ring_fd = fd;
	return 0;
}

/*
 * IORING_SETUP_NO_MMAP: the SQEs and then the rings, each page aligned, in
 * buf (caller memory) or in an anonymous mapping of ours.  Rings larger than
 * a page try a huge page first: kernels before 6.13 need them contiguous.
 */
static int ring_alloc_user_mem(unsigned entries, struct io_uring *ring,
			       struct io_uring_params *p, void *buf,
			       size_t buf_size)
{
	unsigned sq, cq;
	size_t rings, sqes, total;
	char *mem;
	int ret;

	ret = ring_entries(entries, p, &sq, &cq);
	if (ret)
		return ret;
	ring_bytes(p->flags, sq, cq, &rings, &sqes);
	sqes = align_up(sqes, page_size());
	total = sqes + align_up(rings, page_size());

	if (buf) {
		if (buf_size < total)
			return -ENOMEM;
		mem = (char *) buf;
		ring->int_flags |= INT_FLAG_APP_MEM;
	} else {
		mem = (char *) MAP_FAILED;
		if (total > page_size())
			mem = (char *) __sys_mmap(NULL, align_up(total, 2 << 20),
						  PROT_READ | PROT_WRITE,
						  MAP_SHARED | MAP_ANONYMOUS |
						  MAP_HUGETLB, -1, 0);
		if (__sys_failed(mem))
			mem = (char *) __sys_mmap(NULL, total, PROT_READ | PROT_WRITE,
						  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		else
			total = align_up(total, 2 << 20);
		if (__sys_failed(mem))
			return (int) (long) mem;
	}
	ring->sq.sqes = (struct io_uring_sqe *) mem;
	ring->sq.sqes_sz = (unsigned) sqes;
	ring->sq.ring_ptr = ring->cq.ring_ptr = mem + sqes;
	ring->sq.ring_sz = total - sqes;
	ring->cq.ring_sz = ring->sq.ring_sz;
	p->sq_off.user_addr = (__u64) (uintptr_t) mem;
	p->cq_off.user_addr = (__u64) (uintptr_t) (mem + sqes);
	return (int) total;
}

/* The memory of a NO_MMAP ring we allocated ourselves is one mapping. */
static void ring_free_user_mem(struct io_uring *ring)
{
	if (!(ring->int_flags & INT_FLAG_APP_MEM) && ring->sq.sqes)
		__sys_munmap(ring->sq.sqes, ring->sq.sqes_sz + ring->sq.ring_sz);
}

static int queue_init_once(unsigned entries, struct io_uring *ring,
			   struct io_uring_params *p, void *buf,
			   size_t buf_size)
{
	int fd, used = 0, ret;

	memset(ring, 0, sizeof(*ring));
	if ((p->flags & IORING_SETUP_REGISTERED_FD_ONLY) &&
	    !(p->flags & IORING_SETUP_NO_MMAP))
		return -EINVAL;

	if (p->flags & IORING_SETUP_NO_MMAP) {
		used = ring_alloc_user_mem(entries, ring, p, buf, buf_size);
		if (used < 0)
			return used;
	}

	fd = __sys_io_uring_setup(entries, p);
	if (fd < 0) {
		if (p->flags & IORING_SETUP_NO_MMAP)
			ring_free_user_mem(ring);
		memset(ring, 0, sizeof(*ring));
		return fd;
	}

	if (p->flags & IORING_SETUP_NO_MMAP) {
		/* the kernel wrote the ring header there, and will write
		 * CQEs and indices, where memcheck cannot see it */
		uring_kernel_wrote(ring->sq.sqes,
				   (size_t) ring->sq.sqes_sz + ring->sq.ring_sz);
		ring->sq.ring_ptr = ring->cq.ring_ptr =
			(void *) (uintptr_t) p->cq_off.user_addr;
		ring_set_pointers(ring, p);
	} else {
		ret = ring_mmap(fd, p, ring);
		if (ret) {
			__sys_close(fd);
			memset(ring, 0, sizeof(*ring));
			return ret;
		}
	}

	ring->flags = p->flags;
	ring->features = p->features;
	ring->enter_ring_fd = fd;
	ring->ring_fd = fd;
	if (p->flags & IORING_SETUP_REGISTERED_FD_ONLY) {
		ring->ring_fd = -1;
		ring->int_flags |= INT_FLAG_REG_RING | INT_FLAG_REG_REG_RING;
	}
	if (p->flags & IORING_SETUP_IOPOLL)
		ring->int_flags |= INT_FLAG_CQ_ENTER;
	uring_note_features(p->features);
	/* with caller memory, say how much of it the ring uses */
	return (ring->int_flags & INT_FLAG_APP_MEM) ? used : 0;
}

/*
 * Like liburing, ask for IORING_SETUP_NO_SQARRAY (6.6+): no SQ index array
 * to map and fill, a faster setup in the kernel.  Kernels that do not know
 * the flag say -EINVAL, and the ring is set up without it.
 */
static int queue_init(unsigned entries, struct io_uring *ring,
		      struct io_uring_params *p, void *buf, size_t buf_size)
{
	unsigned flags;
	int ret;

	if (!ring || !p)
		return -EINVAL;
	flags = p->flags;
	if (flags & IORING_SETUP_NO_SQARRAY)
		return queue_init_once(entries, ring, p, buf, buf_size);
	p->flags |= IORING_SETUP_NO_SQARRAY;
	ret = queue_init_once(entries, ring, p, buf, buf_size);
	if (ret != -EINVAL)
		return ret;
	p->flags = flags;
	return queue_init_once(entries, ring, p, buf, buf_size);
}

int io_uring_queue_init_mem(unsigned entries, struct io_uring *ring,
			    struct io_uring_params *p, void *buf,
			    size_t buf_size)
{
	if (!p || !buf)
		return -EINVAL;
	p->flags |= IORING_SETUP_NO_MMAP;
	return queue_init(entries, ring, p, buf, buf_size);
}

int io_uring_queue_init_params(unsigned entries, struct io_uring *ring,
			       struct io_uring_params *p)
{
	int ret = queue_init(entries, ring, p, NULL, 0);

	return ret > 0 ? 0 : ret;
}

int io_uring_queue_init(unsigned entries, struct io_uring *ring, unsigned flags)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	return io_uring_queue_init_params(entries, ring, &p);
}

/*
 * What a ring points at after io_uring_queue_exit(): an empty ring with no
 * room, so that use after exit finds no SQE, no CQE and an fd of -1 (every
 * call that enters the kernel then fails with -EBADF) instead of crashing.
 */
static unsigned retired_ring_words[8];

static void ring_retire(struct io_uring *ring)
{
	unsigned *w = retired_ring_words;

	memset(ring, 0, sizeof(*ring));
	ring->sq.khead = ring->sq.ktail = ring->sq.kring_mask = w;
	ring->sq.kring_entries = ring->sq.kflags = ring->sq.kdropped = w;
	ring->cq.khead = ring->cq.ktail = ring->cq.kring_mask = w;
	ring->cq.kring_entries = ring->cq.koverflow = w;
	ring->ring_fd = ring->enter_ring_fd = -1;
	/* waits go straight to io_uring_enter(), which answers -EBADF */
	ring->features = IORING_FEAT_EXT_ARG;
}

void io_uring_queue_exit(struct io_uring *ring)
{
	if (!ring || ring->sq.khead == retired_ring_words)
		return;
	if (ring->flags & IORING_SETUP_NO_MMAP)
		ring_free_user_mem(ring);
	else
		ring_unmap(ring);
	/* the registered index holds a reference to the ring: drop it */
	if (ring->int_flags & INT_FLAG_REG_RING)
		uring_unregister_ring_index(ring);
	if (ring->ring_fd >= 0)
		__sys_close(ring->ring_fd);
	ring_retire(ring);
}

int io_uring_ring_dontfork(struct io_uring *ring)
{
	int ret;

	if (!ring || !ring->sq.ring_ptr || !ring->sq.sqes || !ring->cq.ring_ptr)
		return -EINVAL;
	ret = __sys_madvise(ring->sq.sqes, ring->sq.sqes_sz, MADV_DONTFORK);
	if (!ret)
		ret = __sys_madvise(ring->sq.ring_ptr, ring->sq.ring_sz,
				    MADV_DONTFORK);
	if (!ret && ring->cq.ring_ptr != ring->sq.ring_ptr)
		ret = __sys_madvise(ring->cq.ring_ptr, ring->cq.ring_sz,
				    MADV_DONTFORK);
	return ret;
}

/* ---- raw system calls ---- */

int io_uring_setup(unsigned int entries, struct io_uring_params *p)
{
	return __sys_io_uring_setup(entries, p);
}

int io_uring_enter(unsigned int fd, unsigned int to_submit,
		   unsigned int min_complete, unsigned int flags, sigset_t *sig)
{
	return __sys_io_uring_enter(fd, to_submit, min_complete, flags, sig);
}

int io_uring_enter2(unsigned int fd, unsigned int to_submit,
		    unsigned int min_complete, unsigned int flags, void *arg,
		    size_t sz)
{
	return __sys_io_uring_enter2(fd, to_submit, min_complete, flags, arg, sz);
}

int io_uring_register(unsigned int fd, unsigned int opcode, const void *arg,
		      unsigned int nr_args)
{
	return __sys_io_uring_register(fd, opcode, arg, nr_args);
}

/* Map the rings the kernel has just resized, keeping our SQ indices. */
static int ring_remap_resized(struct io_uring *ring,
			      const struct io_uring_params *p)
{
	struct io_uring_params mp;
	unsigned sqe_head, sqe_tail;
	int ret;

	sqe_head = ring->sq.sqe_head;
	sqe_tail = ring->sq.sqe_tail;
	ring_unmap(ring);
	memset(&ring->sq, 0, sizeof(ring->sq));
	memset(&ring->cq, 0, sizeof(ring->cq));

	mp = *p;
	mp.flags = ring->flags;
	mp.features = ring->features;
	/*
	 * The kernel does not report sq_off.array on a resize (it reads 0):
	 * the SQ array sits where setup puts it, after the CQEs, cache aligned.
	 */
	if (!(mp.flags & IORING_SETUP_NO_SQARRAY) && !mp.sq_off.array)
		mp.sq_off.array = (__u32) align_up(mp.cq_off.cqes +
				(size_t) mp.cq_entries * cqe_size(mp.flags), 64);
	ret = ring_mmap(ring->ring_fd, &mp, ring);
	if (ret)
		return ret;
	ring->sq.sqe_head = sqe_head;
	ring->sq.sqe_tail = sqe_tail;
	/* no room known in the new ring: the next get_sqe reads the head */
	__io_uring_sq_room_end(ring) = sqe_tail;
	return 0;
}

/*
 * SQ_REWIND rings keep sq.head and sq.tail at 0, so the kernel carries none
 * of the queued SQEs into the new ring: keep a copy of slot 0 on to put back.
 * NULL with *size 0 when there is nothing to carry.
 */
static int rewind_sqes_save(struct io_uring *ring, struct io_uring_params *p,
			    void **copy, size_t *size)
{
	*copy = NULL;
	*size = 0;
	if (!(ring->flags & IORING_SETUP_SQ_REWIND) || !ring->sq.sqe_tail)
		return 0;
	/* the new SQ size as the kernel will round it (it refuses larger ones) */
	if (p->sq_entries <= KERN_MAX_ENTRIES &&
	    ring->sq.sqe_tail > roundup_pow2(p->sq_entries))
		return -EOVERFLOW;
	*size = (size_t) ring->sq.sqe_tail * sqe_size(ring->flags);
	*copy = malloc(*size);
	if (!*copy)
		return -ENOMEM;
	memcpy(*copy, ring->sq.sqes, *size);
	return 0;
}

/*
 * Resize the rings of a live ring.  The kernel moves pending SQEs and
 * unreaped CQEs into the new rings, which are mapped at the same offsets:
 * unmap the old ones and map the new ones, keeping our SQ indices.
 * Like liburing, p->flags is cleared afterwards (the kernel writes the
 * inherited setup flags back into it), so p can be reused as it is.
 */
int io_uring_resize_rings(struct io_uring *ring, struct io_uring_params *p)
{
	size_t carry_size;
	void *carry;
	int ret;

	if (!ring || !p)
		return -EINVAL;
	if (ring->flags & IORING_SETUP_NO_MMAP)
		return -EINVAL;
	/* the new rings are mapped through the plain fd */
	if (ring->ring_fd < 0)
		return -EBADF;
	ret = rewind_sqes_save(ring, p, &carry, &carry_size);
	if (ret)
		return ret;
	/*
	 * The kernel copies only published SQEs: publish the queued ones.
	 * Resizing needs DEFER_TASKRUN (no SQPOLL), so the kernel reads the
	 * tail only inside a syscall, which orders this plain store.
	 */
	if (!carry && ring->sq.sqe_head != ring->sq.sqe_tail) {
		ring->sq.sqe_head = ring->sq.sqe_tail;
		IO_URING_WRITE_ONCE(*ring->sq.ktail, ring->sq.sqe_tail);
	}
	memset(&p->sq_off, 0, sizeof(p->sq_off));
	memset(&p->cq_off, 0, sizeof(p->cq_off));
	ret = ring_register(ring, IORING_REGISTER_RESIZE_RINGS, p, 1);
	p->flags = 0;
	if (ret >= 0)
		ret = ring_remap_resized(ring, p);
	if (ret >= 0 && carry)
		memcpy(ring->sq.sqes, carry, carry_size);
	free(carry);
	return ret < 0 ? ret : 0;
}
