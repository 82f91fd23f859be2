/* SPDX-License-Identifier: MIT */
/*
 * Ring setup and teardown: io_uring_setup(), mapping the SQ/CQ rings and the
 * SQE array (or handing the kernel memory of our own with NO_MMAP), and the
 * memory-size estimates.
 */
#define LIBURING_INTERNAL
#include "lib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

/* The kernel's limits on ring sizes. */
#define KERN_MAX_ENTRIES	32768
#define KERN_MAX_CQ_ENTRIES	(2 * KERN_MAX_ENTRIES)
/* Bytes ahead of the CQE array in the kernel's ring header (struct io_rings). */
#define KRING_SIZE		64

#ifdef URING_COUNT_SYSCALLS
__thread unsigned long uring_syscall_count[URING_SYS_NR];
#endif

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

/*
 * Where the kernel puts the SQ index array: after its ring header and the
 * CQEs, the whole of it doubled for 32-byte CQEs (IORING_SETUP_CQE32), then
 * aligned to the kernel's cache line size (align).  The size of the ring
 * region too, without the array.
 */
static size_t kring_array_offset(unsigned flags, unsigned cq, size_t cqes_off,
				 size_t align)
{
	size_t off = cqes_off + (size_t) cq * sizeof(struct io_uring_cqe);

	if (flags & IORING_SETUP_CQE32)
		off <<= 1;
	return align_up(off, align);
}

/* Bytes of the kernel's ring header + CQEs (+ SQ index array), and of the SQEs. */
static void ring_bytes(unsigned flags, unsigned sq, unsigned cq,
		       size_t *rings, size_t *sqes)
{
	size_t r = kring_array_offset(flags, cq, KRING_SIZE, 64);

	if (!(flags & IORING_SETUP_NO_SQARRAY))
		r += (size_t) sq * sizeof(unsigned);
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

/* The running kernel's version as major * 1000 + minor; 0 if unknown. */
static unsigned kernel_version(void)
{
	static unsigned cached;
	unsigned v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	unsigned major = 0, minor = 0;
	struct utsname u;
	int saved_errno;

	if (v)
		return v;
	saved_errno = errno;
	if (!uname(&u) && sscanf(u.release, "%u.%u", &major, &minor) == 2)
		v = major * 1000 + minor;
	errno = saved_errno;
	__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	return v;
}

/*
 * The start of a small /proc file, NUL-terminated (empty when it cannot be
 * read); errno as it was.  Returns the bytes read, or -1.
 */
static ssize_t read_small_file(const char *path, char *buf, size_t size)
{
	int fd, saved_errno = errno;
	ssize_t n = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	errno = saved_errno;
	return n;
}

/*
 * Is this process exempt from RLIMIT_MEMLOCK charges: CAP_IPC_LOCK in its
 * effective set, in the initial user namespace (the kernel asks there; a
 * process that is root in a user namespace of its own is charged)?
 */
bool uring_memlock_exempt(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	unsigned inner = 1, outer = 1, count = 0;
	char buf[128];
	int saved_errno = errno;
	ssize_t n;

	if (__do_syscall2(__NR_capget, (long) &hdr, (long) data) ||
	    !(data[CAP_IPC_LOCK / 32].effective & (1U << (CAP_IPC_LOCK % 32))))
		return false;
	/* the initial user namespace maps every uid onto itself */
	n = read_small_file("/proc/self/uid_map", buf, sizeof(buf));
	if (n > 0 && sscanf(buf, "%u %u %u", &inner, &outer, &count) != 3)
		count = 0;
	errno = saved_errno;	/* sscanf may have set it */
	/* no /proc to ask: take the capability at its word */
	return n <= 0 || (!inner && !outer && count == 4294967295U);
}

/*
 * Pages a ring of this size charges to RLIMIT_MEMLOCK.  Kernels before 5.12
 * charged them in power-of-two blocks; 5.12 (IORING_FEAT_NATIVE_WORKERS) to
 * 6.13 charge the memory cgroup instead; from 6.14 on the rings and SQEs are
 * memory regions whose pages are charged to RLIMIT_MEMLOCK again, unless
 * the process has CAP_IPC_LOCK.
 */
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
	if (uring_kernel_features() & IORING_FEAT_NATIVE_WORKERS) {
		if (kernel_version() < 6014 || uring_memlock_exempt())
			return 0;
		/* the ring io_uring_queue_init*() sets up: no SQ index array */
		ring_bytes(p->flags | IORING_SETUP_NO_SQARRAY, sq, cq, &rings,
			   &sqes);
		return (ssize_t) (align_up(rings, pg) + align_up(sqes, pg));
	}
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

	/* SQ slot i always holds SQE i: the array is written once, here
	 * (without one, sq->array stays NULL: every caller cleared the ring) */
	if (!(p->flags & IORING_SETUP_NO_SQARRAY)) {
		sq->array = (unsigned *) (sp + p->sq_off.array);
		fill_sq_array(sq->array, sq->ring_entries);
	}
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

/* The lengths to map of a ring set up with p: SQ ring, CQ ring, SQEs. */
static void ring_map_sizes(const struct io_uring_params *p, size_t *sq_sz,
			   size_t *cq_sz, size_t *sqes_sz)
{
	*sq_sz = p->sq_off.array + (size_t) p->sq_entries * sizeof(unsigned);
	if (p->flags & IORING_SETUP_NO_SQARRAY)
		*sq_sz = p->sq_off.flags + sizeof(unsigned);
	*cq_sz = p->cq_off.cqes + (size_t) p->cq_entries * cqe_size(p->flags);
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		if (*cq_sz > *sq_sz)
			*sq_sz = *cq_sz;
		*cq_sz = *sq_sz;
	}
	*sqes_sz = (size_t) p->sq_entries * sqe_size(p->flags);
}

/* Map the rings of ring fd fd, set up with parameters p. */
static int ring_mmap(int fd, struct io_uring_params *p, struct io_uring *ring)
{
	struct io_uring_sq *sq = &ring->sq;
	struct io_uring_cq *cq = &ring->cq;
	size_t sqes_sz;
	void *ptr;

	ring_map_sizes(p, &sq->ring_sz, &cq->ring_sz, &sqes_sz);
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

	ptr = map_ring(fd, sqes_sz, IORING_OFF_SQES);
	if (__sys_failed(ptr)) {
		ring_unmap(ring);
		return (int) (long) ptr;
	}
	sq->sqes = (struct io_uring_sqe *) ptr;
	sq->sqes_sz = (unsigned) sqes_sz;
	ring_set_pointers(ring, p);
	return 0;
}

/*
 * How CQEs are reaped on this ring (ring->flags and features set): IOPOLL
 * needs io_uring_enter(); peek and wait take their direct path on plain CQ
 * rings.
 */
static inline __attribute__((always_inline))
void ring_note_reaping(struct io_uring *ring)
{
	if (uring_likely(!(ring->flags & (IORING_SETUP_CQE32 |
					  IORING_SETUP_CQE_MIXED)) &&
			 (ring->features & IORING_FEAT_EXT_ARG)))
		ring->int_flags |= INT_FLAG_CQ_PLAIN;
	/* for_each_cqe's slot shift; CQE_MIXED rings walk the general way */
	if (!(ring->flags & IORING_SETUP_CQE_MIXED))
		__io_uring_cq_walk_shift(ring) =
			(__u8) (4 + io_uring_cqe_shift(ring));
	/* IOPOLL reaps inside io_uring_enter(), unless an SQ thread polls */
	if (uring_unlikely(ring->flags & IORING_SETUP_IOPOLL) &&
	    !(ring->flags & IORING_SETUP_SQPOLL))
		ring->int_flags |= INT_FLAG_CQ_ENTER;
	ring_note_submit(ring);
}

int io_uring_queue_mmap(int fd, struct io_uring_params *p, struct io_uring *ring)
{
	int ret;

	if (!p || !ring)
		return -EINVAL;
	/* what mmap() of fd -1 answers, as liburing returns */
	if (fd < 0)
		return -EBADF;
	memset(ring, 0, sizeof(*ring));
	ret = ring_mmap(fd, p, ring);
	if (ret)
		return ret;
	ring->flags = p->flags;
	ring->features = p->features;
	ring->ring_fd = ring->enter_ring_fd = fd;
	ring_note_reaping(ring);
	return 0;
}

/*
 * The system's default huge page size (what MAP_HUGETLB without a size flag
 * takes), from /proc/meminfo; 0 when there is none.
 */
static size_t huge_page_size(void)
{
	static size_t cached = 1;	/* 1: not read yet */
	size_t hps = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	char buf[4096], *line;
	int saved_errno = errno;

	if (hps != 1)
		return hps;
	read_small_file("/proc/meminfo", buf, sizeof(buf));
	line = strstr(buf, "Hugepagesize:");
	hps = line ? (size_t) strtoul(line + 13, NULL, 10) * 1024 : 0;
	/* strtoul may set ERANGE: the caller's errno is left alone */
	errno = saved_errno;
	__atomic_store_n(&cached, hps, __ATOMIC_RELAXED);
	return hps;
}

/* An anonymous shared mapping of len bytes, huge pages if huge. */
static void *map_anon(size_t len, bool huge)
{
	return __sys_mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS | (huge ? MAP_HUGETLB : 0),
			  -1, 0);
}

/*
 * One part of a ring in memory of ours (the SQEs, or the rings), len bytes
 * of it used: a huge page only if asked (huge) and the part needs more
 * than one page; *map_len gets the length mapped.
 */
static void *map_ring_part(size_t len, bool huge, size_t *map_len)
{
	size_t hps = huge_page_size();

	*map_len = align_up(len, page_size());
	if (!huge || len <= page_size())
		return map_anon(*map_len, false);
	/* the kernel takes a part of several pages only within one huge page */
	if (!hps || len > hps)
		return (void *) (long) -ENOMEM;
	*map_len = hps;
	return map_anon(hps, true);
}

/*
 * IORING_SETUP_NO_MMAP: the SQEs and then the rings, each page aligned, in
 * buf (caller memory) or in memory of ours.  Ours is one plain mapping; with
 * huge, each part larger than a page gets a huge page of its own (kernels
 * before 6.13 take such a part only when it is physically contiguous).
 * The size used, or -errno.
 */
static int ring_alloc_user_mem(unsigned entries, struct io_uring *ring,
			       struct io_uring_params *p, void *buf,
			       size_t buf_size, bool huge)
{
	unsigned sq, cq;
	size_t rings_len, sqes_len, sqes_map, rings_map;
	char *sqes, *rings;
	int ret;

	ret = ring_entries(entries, p, &sq, &cq);
	if (ret)
		return ret;
	ring_bytes(p->flags, sq, cq, &rings_len, &sqes_len);
	sqes_map = align_up(sqes_len, page_size());
	rings_map = align_up(rings_len, page_size());
	ret = (int) (sqes_map + rings_map);

	if (buf) {
		if (buf_size < sqes_map + rings_map)
			return -ENOMEM;
		sqes = (char *) buf;
		rings = sqes + sqes_map;
		ring->int_flags |= INT_FLAG_APP_MEM;
	} else if (!huge) {
		sqes = (char *) map_anon(sqes_map + rings_map, false);
		if (__sys_failed(sqes))
			return (int) (long) sqes;
		rings = sqes + sqes_map;
	} else {
		sqes = (char *) map_ring_part(sqes_len, true, &sqes_map);
		if (__sys_failed(sqes))
			return (int) (long) sqes;
		rings = (char *) map_ring_part(rings_len, true, &rings_map);
		if (__sys_failed(rings)) {
			__sys_munmap(sqes, sqes_map);
			return (int) (long) rings;
		}
	}
	/* each part's own length: unmapped, and madvise()d, one by one */
	ring->sq.sqes = (struct io_uring_sqe *) sqes;
	ring->sq.sqes_sz = (unsigned) sqes_map;
	ring->sq.ring_ptr = ring->cq.ring_ptr = rings;
	ring->sq.ring_sz = ring->cq.ring_sz = rings_map;
	p->sq_off.user_addr = (__u64) (uintptr_t) sqes;
	p->cq_off.user_addr = (__u64) (uintptr_t) rings;
	return ret;
}

/* Is a part of this NO_MMAP ring more than a page (kernels before 6.13 want it contiguous)? */
static bool user_mem_spans_pages(const struct io_uring *ring)
{
	return ring->sq.sqes_sz > page_size() || ring->sq.ring_sz > page_size();
}

static void ring_free_user_mem(struct io_uring *ring)
{
	if (ring->int_flags & INT_FLAG_APP_MEM)
		return;
	if (ring->sq.sqes)
		__sys_munmap(ring->sq.sqes, ring->sq.sqes_sz);
	if (ring->sq.ring_ptr)
		__sys_munmap(ring->sq.ring_ptr, ring->sq.ring_sz);
}

/*
 * io_uring_setup() of a NO_MMAP ring in memory of ours: plain pages first;
 * where the kernel refuses parts of several pages (-EINVAL before 6.13),
 * once more with a huge page for each.  The size used, or -errno.
 */
static int setup_user_mem(unsigned entries, struct io_uring *ring,
			  struct io_uring_params *p, void *buf, size_t buf_size,
			  int *fd)
{
	int used, retry_used;

	used = ring_alloc_user_mem(entries, ring, p, buf, buf_size, false);
	if (used < 0)
		return used;
	*fd = __sys_io_uring_setup(entries, p);
	if (*fd != -EINVAL || buf || !user_mem_spans_pages(ring))
		return used;
	ring_free_user_mem(ring);
	memset(ring, 0, sizeof(*ring));
	retry_used = ring_alloc_user_mem(entries, ring, p, NULL, 0, true);
	/* no huge page to be had: the kernel's answer stands */
	if (retry_used < 0)
		return used;
	*fd = __sys_io_uring_setup(entries, p);
	return retry_used;
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
		used = setup_user_mem(entries, ring, p, buf, buf_size, &fd);
		if (used < 0)
			return used;
	} else {
		fd = __sys_io_uring_setup(entries, p);
	}
	if (fd < 0) {
		if (p->flags & IORING_SETUP_NO_MMAP)
			ring_free_user_mem(ring);
		memset(ring, 0, sizeof(*ring));
		return fd;
	}

	if (p->flags & IORING_SETUP_NO_MMAP) {
		/* the kernel wrote the ring header there, and will write
		 * CQEs and indices, where memcheck cannot see it */
		uring_kernel_wrote(ring->sq.sqes, ring->sq.sqes_sz);
		uring_kernel_wrote(ring->sq.ring_ptr, ring->sq.ring_sz);
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
	ring_note_reaping(ring);
	uring_note_features(p->features);
	/* with NO_MMAP, say how much memory the ring uses */
	return used;
}

/*
 * Like liburing, ask for IORING_SETUP_NO_SQARRAY (6.6+): no SQ index array
 * to map and fill, a faster setup in the kernel.  Kernels that do not know
 * the flag say -EINVAL, and the ring is set up without it.
 */
static int queue_init_sqarray(unsigned entries, struct io_uring *ring,
			      struct io_uring_params *p, void *buf,
			      size_t buf_size)
{
	unsigned flags = p->flags;
	int ret;

	if (flags & IORING_SETUP_NO_SQARRAY)
		return queue_init_once(entries, ring, p, buf, buf_size);
	p->flags |= IORING_SETUP_NO_SQARRAY;
	ret = queue_init_once(entries, ring, p, buf, buf_size);
	if (ret != -EINVAL)
		return ret;
	p->flags = flags;
	return queue_init_once(entries, ring, p, buf, buf_size);
}

/*
 * -ENOMEM right after rings of the library's own (the feature probe,
 * io_uring_get_probe(), uring_kernel_caps()) can be their locked memory,
 * which the kernel gives back a moment later (6.14+): the caller's setup
 * waits for it rather than fail because of them.
 */
static int queue_init(unsigned entries, struct io_uring *ring,
		      struct io_uring_params *p, void *buf, size_t buf_size)
{
	unsigned flags, round = 0;
	int ret;

	if (!ring || !p)
		return -EINVAL;
	flags = p->flags;
	for (;;) {
		ret = queue_init_sqarray(entries, ring, p, buf, buf_size);
		if (ret != -ENOMEM || !uring_wait_own_rings_memory(&round))
			return ret;
		p->flags = flags;
	}
}

/*
 * With buf NULL, like liburing: the library allocates the memory itself
 * (as for IORING_SETUP_NO_MMAP through io_uring_queue_init_params()) and
 * still returns the size the ring uses.
 */
int io_uring_queue_init_mem(unsigned entries, struct io_uring *ring,
			    struct io_uring_params *p, void *buf,
			    size_t buf_size)
{
	if (!p)
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
 *
 * Every pointer is to one of the ring's own spare words, so that nothing a
 * program does to one exited ring reaches another.  The CQ head and tail
 * are the same word, cq.pad[0]: however far a late io_uring_cq_advance()
 * moves it, head == tail and nothing is ready.  Everything else (the SQ
 * head, tail and flags, the sizes) is cq.pad[1], which stays 0: the only
 * store to it is a submit's of the SQ tail, which is 0 for good since
 * get_sqe, with no SQ entries, never hands out a slot.
 */
static void ring_retire(struct io_uring *ring)
{
	unsigned *z = &ring->cq.pad[1];

	memset(ring, 0, sizeof(*ring));
	ring->sq.khead = ring->sq.ktail = ring->sq.kring_mask = z;
	ring->sq.kring_entries = ring->sq.kflags = ring->sq.kdropped = z;
	ring->cq.khead = ring->cq.ktail = &ring->cq.pad[0];
	ring->cq.kring_mask = ring->cq.kring_entries = ring->cq.koverflow = z;
	ring->ring_fd = ring->enter_ring_fd = -1;
	/* waits go straight to io_uring_enter(), which answers -EBADF */
	ring->features = IORING_FEAT_EXT_ARG;
}

/* Exited: its SQ head is its own spare word (a live ring's is in the kernel's). */
static bool ring_retired(const struct io_uring *ring)
{
	return ring->sq.khead == &ring->cq.pad[1];
}

void io_uring_queue_exit(struct io_uring *ring)
{
	if (!ring || ring_retired(ring))
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

/*
 * The kernel's cache line size (SMP_CACHE_BYTES), which aligns the SQ index
 * array: 64 on the architectures we know, unless where the kernel put this
 * ring's array says otherwise.
 */
static size_t kring_align(const struct io_uring *ring)
{
	static const size_t candidates[] = { 64, 128, 32, 256 };
	size_t cqes_off = (size_t) ((char *) ring->cq.cqes -
				    (char *) ring->cq.ring_ptr);
	size_t array_off = (size_t) ((char *) ring->sq.array -
				     (char *) ring->sq.ring_ptr);
	unsigned i;

	for (i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (kring_array_offset(ring->flags, ring->cq.ring_entries,
				       cqes_off, candidates[i]) == array_off)
			return candidates[i];
	return 64;
}

/*
 * The parameters to map the resized rings with: the kernel reports their
 * sizes and most offsets, but not sq_off.array (it reads 0), which sits
 * where the kernel lays it out for the new CQ size.
 */
static void resized_params(const struct io_uring *ring,
			   const struct io_uring_params *p,
			   struct io_uring_params *mp)
{
	*mp = *p;
	mp->flags = ring->flags;
	mp->features = ring->features;
	if (ring->sq.array && !mp->sq_off.array)
		mp->sq_off.array = (__u32) kring_array_offset(ring->flags,
				mp->cq_entries, mp->cq_off.cqes, kring_align(ring));
}

/*
 * Before the kernel swaps the rings: make sure the address space for the
 * new mappings is there (RLIMIT_AS, vm.max_map_count) by setting it aside
 * (PROT_NONE) now, to give back right before mapping.  The kernel takes
 * no address for its rings, so the room itself cannot be mapped over.
 * Once the kernel has swapped, the old mappings are of no use.
 */
static int resize_room(const struct io_uring *ring,
		       const struct io_uring_params *p, void **room,
		       size_t *room_len)
{
	struct io_uring_params next, mp;
	size_t sq_sz, cq_sz, sqes_sz;
	void *r;

	*room = NULL;
	*room_len = 0;
	memset(&next, 0, sizeof(next));
	next.flags = p->flags;
	next.cq_entries = p->cq_entries;
	/* sizes the kernel refuses: it will say so, nothing to set aside */
	if (ring_entries(p->sq_entries, &next, &next.sq_entries,
			 &next.cq_entries))
		return 0;
	next.cq_off.cqes = (__u32) ((char *) ring->cq.cqes -
				    (char *) ring->cq.ring_ptr);
	next.sq_off.flags = (__u32) ((char *) ring->sq.kflags -
				     (char *) ring->sq.ring_ptr);
	resized_params(ring, &next, &mp);
	ring_map_sizes(&mp, &sq_sz, &cq_sz, &sqes_sz);
	sq_sz = align_up(sq_sz, page_size()) + align_up(sqes_sz, page_size());
	r = __sys_mmap(NULL, sq_sz, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (__sys_failed(r))
		return (int) (long) r;
	*room = r;
	*room_len = sq_sz;
	return 0;
}

/*
 * Map the rings the kernel has just resized, keeping our SQ indices, then
 * unmap the old ones.  Should mapping fail even so, the old mappings are
 * given up first for one more try; after that the ring has no usable rings
 * left: it is torn down as by io_uring_queue_exit(), so that every later
 * call answers with an error instead of crashing.
 */
static int ring_remap_resized(struct io_uring *ring,
			      const struct io_uring_params *p)
{
	unsigned sqe_head = ring->sq.sqe_head, sqe_tail = ring->sq.sqe_tail;
	struct io_uring_params mp;
	struct io_uring next;
	int ret;

	resized_params(ring, p, &mp);
	next = *ring;
	memset(&next.sq, 0, sizeof(next.sq));
	memset(&next.cq, 0, sizeof(next.cq));
	ret = ring_mmap(ring->ring_fd, &mp, &next);
	ring_unmap(ring);
	if (ret) {
		memset(&ring->sq, 0, sizeof(ring->sq));
		memset(&ring->cq, 0, sizeof(ring->cq));
		ret = ring_mmap(ring->ring_fd, &mp, &next);
	}
	if (ret) {
		io_uring_queue_exit(ring);
		return ret;
	}
	*ring = next;
	ring->sq.sqe_head = sqe_head;
	ring->sq.sqe_tail = sqe_tail;
	/* no room known in the new ring: the next get_sqe reads the head */
	__io_uring_sq_room_end(ring) = sqe_tail;
	return 0;
}

/*
 * SQEs queued with io_uring_get_sqe() and not yet published (sq.tail) are
 * ours to carry: the kernel copies only published ones.  Keep a copy of
 * them, to put at the same SQ indices in the new SQE array; publishing them
 * instead would touch the ring before the kernel has said yes (on an SQPOLL
 * ring, which it refuses to resize, that submits them).  SQ_REWIND rings
 * keep sq.head and sq.tail at 0 and fill from slot 0 on: the same indices.
 * NULL with *size 0 when there is nothing to carry.
 */
static int queued_sqes_save(const struct io_uring *ring,
			    const struct io_uring_params *p, void **copy,
			    size_t *size)
{
	const struct io_uring_sq *sq = &ring->sq;
	unsigned n = sq->sqe_tail - sq->sqe_head, i;
	size_t sz = sqe_size(ring->flags);

	*copy = NULL;
	*size = 0;
	if (!n)
		return 0;
	/* the new SQ size as the kernel will round it (it refuses larger
	 * ones): it must hold the published SQEs the kernel carries and ours */
	if (p->sq_entries && p->sq_entries <= KERN_MAX_ENTRIES &&
	    sq->sqe_tail - IO_URING_READ_ONCE(*sq->khead) >
	    roundup_pow2(p->sq_entries))
		return -EOVERFLOW;
	*copy = malloc((size_t) n * sz);
	if (!*copy)
		return -ENOMEM;
	*size = (size_t) n * sz;
	for (i = 0; i < n; i++)
		memcpy((char *) *copy + (size_t) i * sz, (char *) sq->sqes +
		       (size_t) ((sq->sqe_head + i) & sq->ring_mask) * sz, sz);
	return 0;
}

/* Put the SQEs queued_sqes_save() kept at their indices in the new SQE array. */
static void queued_sqes_restore(struct io_uring *ring, const void *copy,
				size_t size)
{
	struct io_uring_sq *sq = &ring->sq;
	size_t sz = sqe_size(ring->flags);
	unsigned i;

	for (i = 0; (size_t) i * sz < size; i++)
		memcpy((char *) sq->sqes +
		       (size_t) ((sq->sqe_head + i) & sq->ring_mask) * sz,
		       (const char *) copy + (size_t) i * sz, sz);
}

/*
 * Resize the rings of a live ring.  The kernel moves published SQEs and
 * unreaped CQEs into the new rings, which are mapped at the same offsets:
 * map the new ones and unmap the old ones, keeping our SQ indices, and put
 * the SQEs queued since the last submit back where they were.  Nothing of
 * the ring is touched until the kernel has said yes.
 * Like liburing, p->flags is cleared afterwards (the kernel writes the
 * inherited setup flags back into it), so p can be reused as it is.
 */
int io_uring_resize_rings(struct io_uring *ring, struct io_uring_params *p)
{
	size_t carry_size, room_len;
	void *room, *carry;
	int ret;

	if (!ring || !p)
		return -EINVAL;
	if (ring->flags & IORING_SETUP_NO_MMAP)
		return -EINVAL;
	/* the new rings are mapped through the plain fd */
	if (ring->ring_fd < 0)
		return -EBADF;
	/* everything that can fail before the ring is touched */
	ret = resize_room(ring, p, &room, &room_len);
	if (ret)
		return ret;
	ret = queued_sqes_save(ring, p, &carry, &carry_size);
	if (ret) {
		if (room)
			__sys_munmap(room, room_len);
		return ret;
	}
	memset(&p->sq_off, 0, sizeof(p->sq_off));
	memset(&p->cq_off, 0, sizeof(p->cq_off));
	ret = ring_register(ring, IORING_REGISTER_RESIZE_RINGS, p, 1);
	p->flags = 0;
	if (room)
		__sys_munmap(room, room_len);
	if (ret >= 0)
		ret = ring_remap_resized(ring, p);
	if (ret >= 0 && carry)
		queued_sqes_restore(ring, carry, carry_size);
	free(carry);
	return ret < 0 ? ret : 0;
}
